"""API keys: auth_keys add, index, view, edit and delete, and the refusal
of expired keys, keys used from other addresses, read-only keys used for
writes and the keys of disabled users."""

import accounts
import harness

EXPIRED = "Auth key is expired"
WRONG_ADDRESS = "It is not possible to use this Auth key from your IP address"


def new_key(api, user="me", **fields):
    response = api.post(f"/auth_keys/add/{user}", json=fields)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["AuthKey"], body["AuthKey"]["authkey_raw"]


def test_add_shows_key_once(api, server):
    key, raw = new_key(api, comment="ci")
    assert harness.API_KEY_RE.fullmatch(raw)
    assert key["authkey_start"] == raw[:4]
    assert key["authkey_end"] == raw[-4:]
    assert key["comment"] == "ci"
    assert key["user_id"] == "1"
    assert key["allowed_ips"] is None
    listed = api.get("/auth_keys/index")
    assert listed.status_code == 200
    assert raw not in listed.text
    assert "authkey_raw" not in listed.text
    assert '"hash"' not in listed.text
    viewed = api.get(f"/auth_keys/view/{key['id']}")
    assert viewed.status_code == 200
    assert raw not in viewed.text
    with accounts.session(server, raw) as second:
        assert second.get("/users/view/me").json()["User"]["id"] == "1"


def test_several_keys_per_user(api, server):
    user, first = accounts.add_user(api, 1, 3)
    _, second = new_key(api, user["id"])
    for raw in (first, second):
        with accounts.session(server, raw) as s:
            assert s.get("/users/view/me").json()["User"]["id"] == user["id"]
    rows = api.get(f"/auth_keys/index/{user['id']}").json()
    assert len(rows) == 2
    assert {row["User"]["id"] for row in rows} == {user["id"]}


def test_edit_and_delete(api, server):
    key, raw = new_key(api)
    response = api.post(
        f"/auth_keys/edit/{key['id']}", json={"comment": "renamed", "read_only": 1}
    )
    assert response.status_code == 200, response.text
    edited = response.json()["AuthKey"]
    assert edited["comment"] == "renamed"
    assert edited["read_only"] is True
    response = api.post(f"/auth_keys/delete/{key['id']}")
    assert response.status_code == 200, response.text
    with accounts.session(server, raw) as deleted:
        body = harness.assert_misp_error(deleted.get("/users/view/me"), 403)
        assert body["message"] == harness.AUTH_FAILED


def test_expired_key_rejected(api, server):
    # One second after the epoch: expired whatever the clock says.
    _, raw = new_key(api, expiration=1)
    with accounts.session(server, raw) as expired:
        body = harness.assert_misp_error(expired.get("/events/index"), 403)
        assert body["name"] == EXPIRED
        assert body["message"] == EXPIRED


def test_key_from_disallowed_address_rejected(api, server):
    _, raw = new_key(api, allowed_ips=["10.0.0.0/8", "2001:db8::/32"])
    with accounts.session(server, raw) as elsewhere:
        body = harness.assert_misp_error(elsewhere.get("/events/index"), 403)
        assert body["message"] == WRONG_ADDRESS


def test_key_from_allowed_address(api, server):
    for ranges in (["127.0.0.0/8"], ["::1/128", "127.0.0.1"], "10.0.0.0/8\n127.0.0.1"):
        _, raw = new_key(api, allowed_ips=ranges)
        with accounts.session(server, raw) as local:
            assert local.get("/events/index").status_code == 200, ranges


def test_invalid_ranges_rejected(api):
    for ranges in (["300.1.1.1/8"], ["10.0.0.0/33"], ["example.com"], [7], {"a": 1}):
        response = api.post("/auth_keys/add/me", json={"allowed_ips": ranges})
        assert response.status_code == 403, (ranges, response.text)
        body = response.json()
        assert body["message"] == "Could not add AuthKey"
        assert "allowed_ips" in body["errors"] or "error" in body["errors"]


def test_read_only_key(api, server):
    _, raw = new_key(api, read_only=True)
    with accounts.session(server, raw) as read_only:
        assert read_only.get("/events/index").status_code == 200
        # POST routes that only read stay open.
        assert read_only.post("/events/index", json={}).status_code == 200
        response = read_only.post("/events/add", json={"info": "no"})
        body = harness.assert_misp_error(response, 403)
        assert body["message"] == accounts.NO_PERMISSION
        response = read_only.post("/auth_keys/add/me", json={})
        harness.assert_misp_error(response, 403)
        # The role looks read-only too, as MISP shows it.
        version = read_only.get("/servers/getVersion").json()
        assert version["perm_sync"] is False


def test_disabled_user_key_rejected(api, server):
    user, raw = accounts.add_user(api, 1, 3)
    api.post(f"/admin/users/edit/{user['id']}", json={"disabled": 1})
    with accounts.session(server, raw) as disabled:
        body = harness.assert_misp_error(disabled.get("/events/index"), 403)
        assert body["message"] == (
            "Authentication failed. Your user account has been disabled."
        )


def test_user_manages_only_own_keys(api, server):
    first, raw_first = accounts.add_user(api, 1, 3)
    second, _ = accounts.add_user(api, 1, 3)
    admin_key = api.get("/auth_keys/index/1").json()[0]["AuthKey"]
    with accounts.session(server, raw_first) as user:
        rows = user.get("/auth_keys/index").json()
        assert {row["AuthKey"]["user_id"] for row in rows} == {first["id"]}
        harness.assert_misp_error(user.get(f"/auth_keys/view/{admin_key['id']}"), 404)
        response = user.post(f"/auth_keys/delete/{admin_key['id']}")
        harness.assert_misp_error(response, 404)
        response = user.post(f"/auth_keys/add/{second['id']}", json={})
        harness.assert_misp_error(response, 404)
        _, own = new_key(user)
        assert harness.API_KEY_RE.fullmatch(own)
