"""Users: admin/users add, edit, delete, view and index; users/view/me and
users/edit; what org admins may and may not do."""

import accounts
import harness


def test_add_returns_working_key(api, server):
    org = accounts.add_org(api)
    user, key = accounts.add_user(api, org["id"], 3)
    assert user["org_id"] == org["id"]
    assert user["role_id"] == "3"
    assert user["invited_by"] == "1"
    assert "password" not in user
    with accounts.session(server, key) as own:
        me = own.get("/users/view/me")
        assert me.status_code == 200, me.text
        assert me.json()["User"]["id"] == user["id"]
        assert me.json()["Organisation"]["id"] == org["id"]
        assert key not in me.text


def test_add_defaults(api):
    response = api.post(
        "/admin/users/add", json={"User": {"email": accounts.unique("d") + "@x.test"}}
    )
    assert response.status_code == 200, response.text
    user = response.json()["User"]
    assert user["org_id"] == "1"
    assert user["role_id"] == "3"  # the default role


def test_add_with_password_never_returned(api):
    password = "a long enough password"
    user, _ = accounts.add_user(api, 1, 3, password=password)
    for path in (f"/users/view/{user['id']}", "/admin/users/index"):
        response = api.get(path)
        assert response.status_code == 200
        assert password not in response.text
        assert "argon2" not in response.text
        assert '"password"' not in response.text


def test_add_short_password_rejected(api):
    response = api.post(
        "/admin/users/add",
        json={"email": accounts.unique("p") + "@x.test", "password": "short"},
    )
    assert response.status_code == 403, response.text
    assert "password" in response.json()["errors"]


def test_add_duplicate_email(api):
    user, _ = accounts.add_user(api, 1, 3)
    response = api.post("/admin/users/add", json={"email": user["email"].upper()})
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["message"] == "Could not add User"
    assert body["errors"]["email"] == [
        "An account with this email address already exists."
    ]


def test_add_invalid_email(api):
    response = api.post("/admin/users/add", json={"email": "nobody"})
    assert response.status_code == 403, response.text
    assert "email" in response.json()["errors"]


def test_add_unknown_role_and_org(api):
    email = accounts.unique("r") + "@x.test"
    response = api.post("/admin/users/add", json={"email": email, "role_id": 99})
    assert response.status_code == 403
    assert "role_id" in response.json()["errors"]
    response = api.post("/admin/users/add", json={"email": email, "org_id": 99})
    assert response.status_code == 403
    assert "org_id" in response.json()["errors"]


def test_index_search(api):
    org = accounts.add_org(api)
    user, _ = accounts.add_user(api, org["id"], 3, email="findme-1@search.test")
    accounts.add_user(api, 1, 3, email="other-1@search.test")
    rows = api.get("/admin/users/index/value:FINDME").json()
    assert [row["User"]["id"] for row in rows] == [user["id"]]
    assert rows[0]["Role"]["name"] == "User"
    assert rows[0]["Organisation"]["id"] == org["id"]
    rows = api.get(f"/admin/users/index/searchorg:{org['id']}").json()
    assert [row["User"]["id"] for row in rows] == [user["id"]]


def test_view_by_admin_and_by_user(api, server):
    a, key_a = accounts.add_user(api, 1, 3)
    b, _ = accounts.add_user(api, 1, 3)
    assert api.get(f"/admin/users/view/{a['id']}").status_code == 200
    with accounts.session(server, key_a) as user_a:
        assert user_a.get(f"/users/view/{a['id']}").status_code == 200
        response = user_a.get(f"/users/view/{b['id']}")
        harness.assert_misp_error(response, 404)
        response = user_a.get(f"/admin/users/view/{b['id']}")
        body = harness.assert_misp_error(response, 403)
        assert body["message"] == accounts.NO_PERMISSION


def test_edit_role_and_email(api):
    user, _ = accounts.add_user(api, 1, 3)
    response = api.post(
        f"/admin/users/edit/{user['id']}",
        json={"User": {"role_id": "4", "email": "changed-" + user["email"]}},
    )
    assert response.status_code == 200, response.text
    edited = response.json()["User"]
    assert edited["role_id"] == "4"
    assert edited["email"] == "changed-" + user["email"]


def test_disabled_user_rejected(api, server):
    user, key = accounts.add_user(api, 1, 3)
    response = api.post(f"/admin/users/edit/{user['id']}", json={"disabled": True})
    assert response.status_code == 200, response.text
    assert response.json()["User"]["disabled"] is True
    with accounts.session(server, key) as disabled:
        response = disabled.get("/events/index")
        body = harness.assert_misp_error(response, 403)
        assert body["message"] == (
            "Authentication failed. Your user account has been disabled."
        )


def test_cannot_disable_or_delete_self(api):
    response = api.post("/admin/users/edit/1", json={"disabled": 1})
    assert response.status_code == 403, response.text
    assert response.json()["errors"]["disabled"] == ["You cannot disable yourself."]
    response = api.post("/admin/users/delete/1")
    body = harness.assert_misp_error(response, 403)
    assert body["message"] == "You cannot delete yourself."
    assert api.get("/users/view/me").json()["User"]["disabled"] is False


def test_delete(api, server):
    user, key = accounts.add_user(api, 1, 3)
    response = api.post(f"/admin/users/delete/{user['id']}")
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True
    assert api.get(f"/admin/users/view/{user['id']}").status_code == 404
    with accounts.session(server, key) as gone:
        body = harness.assert_misp_error(gone.get("/users/view/me"), 403)
        assert body["message"] == harness.AUTH_FAILED


def test_edit_self(api, server):
    user, key = accounts.add_user(api, 1, 3)
    with accounts.session(server, key) as own:
        response = own.post(
            "/users/edit",
            json={"autoalert": True, "role_id": "1", "org_id": "2", "disabled": 1},
        )
        assert response.status_code == 200, response.text
        edited = response.json()["User"]
        assert edited["autoalert"] is True
        # Role, organisation and state are not one's own settings.
        assert edited["role_id"] == "3"
        assert edited["org_id"] == "1"
        assert edited["disabled"] is False
        response = own.post(f"/users/edit/{int(user['id']) - 1}", json={})
        harness.assert_misp_error(response, 404)


def test_org_admin_limits(api, server):
    org = accounts.add_org(api)
    other = accounts.add_org(api)
    _, admin_key = accounts.add_user(api, org["id"], 2)
    outsider, _ = accounts.add_user(api, other["id"], 3)
    with accounts.session(server, admin_key) as org_admin:
        # Users of its own organisation only.
        rows = org_admin.get("/admin/users/index").json()
        assert {row["User"]["org_id"] for row in rows} == {org["id"]}
        response = org_admin.get(f"/admin/users/index/searchorg:{other['id']}")
        harness.assert_misp_error(response, 403)
        created, _ = accounts.add_user(org_admin, org["id"], 3)
        assert created["org_id"] == org["id"]

        email = accounts.unique("x") + "@x.test"
        response = org_admin.post(
            "/admin/users/add", json={"email": email, "org_id": other["id"]}
        )
        assert response.status_code == 403, response.text
        assert "org_id" in response.json()["errors"]

        # No role above its own: admin (1) and Sync user (5) have more.
        for role in ("1", "5"):
            response = org_admin.post(
                "/admin/users/add", json={"email": email, "role_id": role}
            )
            assert response.status_code == 403, response.text
            assert "role_id" in response.json()["errors"]
        response = org_admin.post(
            f"/admin/users/edit/{created['id']}", json={"role_id": "1"}
        )
        assert response.status_code == 403, response.text

        for path in (
            f"/admin/users/edit/{outsider['id']}",
            f"/admin/users/delete/{outsider['id']}",
        ):
            harness.assert_misp_error(org_admin.post(path, json={}), 404)
        response = org_admin.post(f"/admin/users/delete/{created['id']}")
        assert response.status_code == 200, response.text


def test_org_admin_cannot_touch_site_admin(api, server):
    # An org admin of the host organisation, where the site admin is.
    _, key = accounts.add_user(api, 1, 2)
    with accounts.session(server, key) as org_admin:
        for path in ("/admin/users/edit/1", "/admin/users/delete/1"):
            response = org_admin.post(path, json={"disabled": 1})
            harness.assert_misp_error(response, 404)
        response = org_admin.post("/auth_keys/add/1", json={})
        harness.assert_misp_error(response, 404)
        rows = org_admin.get("/auth_keys/index").json()
        assert rows, "the org admin's own key is listed"
        assert all(r["AuthKey"]["user_id"] != "1" for r in rows), rows
        admin_key = api.get("/auth_keys/index/1").json()[0]["AuthKey"]
        response = org_admin.post(f"/auth_keys/delete/{admin_key['id']}")
        harness.assert_misp_error(response, 404)
    assert api.get("/users/view/me").json()["User"]["disabled"] is False
