"""Organisations: index, view, and the site admin's add, edit and delete."""

import uuid

import accounts
import harness


def test_add_returns_organisation(api):
    name = accounts.unique("Org")
    org = accounts.add_org(
        api, name, description="CSIRT", nationality="Luxembourg",
        sector="Finance", type="CERT", contacts="soc@example.test",
    )
    assert org["name"] == name
    assert org["description"] == "CSIRT"
    assert org["nationality"] == "Luxembourg"
    assert org["sector"] == "Finance"
    assert org["type"] == "CERT"
    assert org["contacts"] == "soc@example.test"
    assert org["local"] is True
    assert org["created_by"] == "1"
    assert org["restricted_to_domain"] == []
    assert len(org["date_created"]) == 19, org
    assert uuid.UUID(org["uuid"])


def test_add_keeps_given_uuid(api):
    given = str(uuid.uuid4())
    org = accounts.add_org(api, uuid=given, local=False)
    assert org["uuid"] == given
    assert org["local"] is False


def test_add_duplicate_name(api):
    name = accounts.unique("Dup")
    accounts.add_org(api, name)
    response = api.post("/admin/organisations/add", json={"name": name.upper()})
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["saved"] is False
    assert body["message"] == "Could not add Organisation"
    assert "name" in body["errors"]


def test_add_missing_name(api):
    response = api.post("/admin/organisations/add", json={"description": "x"})
    assert response.status_code == 403, response.text
    assert "name" in response.json()["errors"]


def test_restricted_to_domain(api):
    org = accounts.add_org(api, restricted_to_domain=["a.test", "b.test"])
    assert org["restricted_to_domain"] == ["a.test", "b.test"]
    text = accounts.add_org(api, restricted_to_domain="c.test\nd.test")
    assert text["restricted_to_domain"] == ["c.test", "d.test"]


def test_view_by_id_and_uuid(api):
    org = accounts.add_org(api)
    for ref in (org["id"], org["uuid"], org["uuid"].upper()):
        response = api.get(f"/organisations/view/{ref}")
        assert response.status_code == 200, response.text
        assert response.json()["Organisation"]["id"] == org["id"]


def test_view_missing(api):
    response = api.get("/organisations/view/999999")
    harness.assert_misp_error(response, 404)


def test_index_scopes(api):
    local = accounts.add_org(api, accounts.unique("Local"))
    external = accounts.add_org(api, accounts.unique("Ext"), local=False)

    def ids(path):
        response = api.get(path)
        assert response.status_code == 200, response.text
        return {row["Organisation"]["id"] for row in response.json()}

    default = ids("/organisations/index")
    assert local["id"] in default
    assert external["id"] not in default
    scoped = ids("/organisations/index/scope:local")
    assert local["id"] in scoped
    assert external["id"] not in scoped
    scoped = ids("/organisations/index/scope:external")
    assert external["id"] in scoped
    assert local["id"] not in scoped
    every = ids("/organisations/index/scope:all")
    assert {local["id"], external["id"], "1"} <= every


def test_index_searchall(api):
    org = accounts.add_org(api, accounts.unique("Needle"), sector="Haystack%")
    other = accounts.add_org(api)
    found = api.get("/organisations/index/scope:all/searchall:needle").json()
    assert [row["Organisation"]["id"] for row in found] == [org["id"]]
    # The search is a substring match, not a LIKE pattern.
    found = api.get("/organisations/index/scope:all/searchall:stack%").json()
    assert [row["Organisation"]["id"] for row in found] == [org["id"]]
    found = api.get("/organisations/index/scope:all/searchall:%").json()
    assert other["id"] not in [row["Organisation"]["id"] for row in found]


def test_index_bad_scope(api):
    response = api.get("/organisations/index/scope:nowhere")
    harness.assert_misp_error(response, 400)


def test_edit_keeps_uuid(api):
    org = accounts.add_org(api)
    response = api.post(
        f"/admin/organisations/edit/{org['id']}",
        json={"Organisation": {"description": "edited", "uuid": str(uuid.uuid4())}},
    )
    assert response.status_code == 200, response.text
    edited = response.json()["Organisation"]
    assert edited["description"] == "edited"
    assert edited["uuid"] == org["uuid"]
    assert edited["name"] == org["name"]


def test_edit_missing(api):
    response = api.post("/admin/organisations/edit/999999", json={"name": "x"})
    harness.assert_misp_error(response, 404)


def test_delete_empty(api):
    org = accounts.add_org(api)
    response = api.post(f"/admin/organisations/delete/{org['uuid']}")
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True
    assert api.get(f"/organisations/view/{org['id']}").status_code == 404


def test_delete_with_users_rejected(api):
    org = accounts.add_org(api)
    accounts.add_user(api, org["id"], 3)
    response = api.post(f"/admin/organisations/delete/{org['id']}")
    body = harness.assert_misp_error(response, 403)
    assert "1 users" in body["message"], body
    assert api.get(f"/organisations/view/{org['id']}").status_code == 200


def test_delete_with_events_rejected(api):
    response = api.post("/admin/organisations/delete/1")
    body = harness.assert_misp_error(response, 403)
    assert "could not be deleted" in body["message"], body


def test_org_admin_cannot_add(api, server):
    org = accounts.add_org(api)
    _, key = accounts.add_user(api, org["id"], 2)
    with accounts.session(server, key) as org_admin:
        response = org_admin.post(
            "/admin/organisations/add", json={"name": accounts.unique("x")}
        )
        body = harness.assert_misp_error(response, 403)
        assert body["message"] == accounts.NO_PERMISSION
        # Every user may read the organisations.
        assert org_admin.get("/organisations/index").status_code == 200


def test_host_org_has_dates(api):
    org = api.get("/organisations/view/1").json()["Organisation"]
    assert org["local"] is True
    assert len(org["date_created"]) == 19, org
