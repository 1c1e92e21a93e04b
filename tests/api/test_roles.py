"""Roles: roles/index and view, and the site admin's add, edit, delete and
set_default."""

import accounts
import harness


def test_index_has_default_roles(api):
    response = api.get("/roles/index")
    assert response.status_code == 200, response.text
    roles = {int(row["Role"]["id"]): row["Role"] for row in response.json()}
    for role_id, name in accounts.ROLES.items():
        assert roles[role_id]["name"] == name
    assert roles[1]["perm_site_admin"] is True
    assert roles[2]["perm_admin"] is True
    assert roles[2]["perm_site_admin"] is False
    assert roles[3]["default_role"] is True
    assert roles[6]["perm_add"] is False
    for role_id in accounts.ROLES:
        assert roles[role_id]["perm_auth"] is True, roles[role_id]
        assert roles[role_id]["perm_audit"] is True, roles[role_id]


def test_view(api):
    response = api.get("/roles/view/4")
    assert response.status_code == 200, response.text
    assert response.json()["Role"]["name"] == "Publisher"
    harness.assert_misp_error(api.get("/roles/view/999"), 404)


def test_add_defaults_to_no_permissions(api):
    response = api.post(
        "/admin/roles/add", json={"Role": {"name": "Taggers", "perm_tagger": 1}}
    )
    assert response.status_code == 200, response.text
    role = response.json()["Role"]
    assert role["name"] == "Taggers"
    assert role["perm_tagger"] is True
    assert role["perm_sighting"] is False
    assert role["perm_add"] is False
    assert role["default_role"] is False


def test_add_missing_name(api):
    response = api.post("/admin/roles/add", json={"perm_add": 1})
    assert response.status_code == 403, response.text
    assert response.json()["message"] == "Could not add Role"


def test_edit(api):
    role = api.post("/admin/roles/add", json={"name": "Editable"}).json()["Role"]
    response = api.post(
        f"/admin/roles/edit/{role['id']}",
        json={"perm_publish": True, "max_execution_time": "1234"},
    )
    assert response.status_code == 200, response.text
    edited = response.json()["Role"]
    assert edited["perm_publish"] is True
    assert edited["max_execution_time"] == "1234"
    assert edited["name"] == "Editable"


def test_delete(api):
    role = api.post("/admin/roles/add", json={"name": "Doomed"}).json()["Role"]
    response = api.post(f"/admin/roles/delete/{role['id']}")
    assert response.status_code == 200, response.text
    harness.assert_misp_error(api.get(f"/roles/view/{role['id']}"), 404)


def test_delete_in_use_rejected(api):
    body = harness.assert_misp_error(api.post("/admin/roles/delete/1"), 403)
    assert "users still have it" in body["message"], body


def test_set_default(api):
    response = api.post("/admin/roles/set_default/4")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Default role set."
    roles = {row["Role"]["id"]: row["Role"] for row in api.get("/roles/index").json()}
    assert roles["4"]["default_role"] is True
    assert roles["3"]["default_role"] is False
    email = accounts.unique("default") + "@x.test"
    user = api.post("/admin/users/add", json={"email": email}).json()["User"]
    assert user["role_id"] == "4"
    api.post("/admin/roles/set_default/3")


def test_only_site_admin_manages_roles(api, server):
    _, key = accounts.add_user(api, 1, 2)
    with accounts.session(server, key) as org_admin:
        assert org_admin.get("/roles/index").status_code == 200
        for path in (
            "/admin/roles/add",
            "/admin/roles/edit/3",
            "/admin/roles/delete/3",
            "/admin/roles/set_default/3",
        ):
            response = org_admin.post(path, json={"name": "x"})
            body = harness.assert_misp_error(response, 403)
            assert body["message"] == accounts.NO_PERMISSION
