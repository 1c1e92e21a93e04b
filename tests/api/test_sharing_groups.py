"""sharing_groups/add, edit, delete, view, index, addOrg, removeOrg,
addServer and removeServer: MISP's shapes, who may do what, and bad input.
"""

import pytest

import harness


def cli_ok(*args):
    done = harness.run_cli(*args)
    assert done.returncode == 0, f"cairn {args} failed: {done.stderr}"
    return done.stdout.split()


@pytest.fixture(scope="module")
def people(cairn_data, server, api):
    data = cairn_data.path
    orgs = {
        "owner": cli_ok("org", "add", "--data", data, "SG Owner")[0],
        "member": cli_ok("org", "add", "--data", data, "SG Member")[0],
        "stranger": cli_ok("org", "add", "--data", data, "SG Stranger")[0],
        "remote": cli_ok("org", "add", "--data", data, "SG Remote",
                         "--remote")[0],
    }
    roles = {"owner": 2, "member": 2, "stranger": 2, "plain": 3}
    org_of = {"owner": "owner", "member": "member", "stranger": "stranger",
              "plain": "owner"}
    sessions = {"admin": api}
    for name, role in roles.items():
        _, key = cli_ok("user", "add", "--data", data, "--org",
                        orgs[org_of[name]], "--role", role,
                        f"{name}@sg.test")
        sessions[name] = harness.ApiSession(server.url, key)
    yield {"orgs": orgs, "sessions": sessions}
    for name in roles:
        sessions[name].close()


def add_group(session, name, **fields):
    response = session.post("/sharing_groups/add",
                            json={"name": name, "releasability": "tests",
                                  **fields})
    assert response.status_code == 200, response.text
    return response.json()


def test_add_returns_misp_shape(people):
    owner = people["sessions"]["owner"]
    body = add_group(owner, "shape group", description="d")
    sg = body["SharingGroup"]
    assert sg["name"] == "shape group"
    assert sg["releasability"] == "tests"
    assert sg["description"] == "d"
    assert sg["org_id"] == people["orgs"]["owner"]
    assert sg["active"] is True
    assert sg["local"] is True
    assert body["Organisation"]["name"] == "SG Owner"
    members = body["SharingGroupOrg"]
    assert [m["org_id"] for m in members] == [people["orgs"]["owner"]]
    assert members[0]["extend"] is True
    servers = body["SharingGroupServer"]
    assert [(s["server_id"], s["all_orgs"]) for s in servers] == [("0", False)]


def test_add_rejects_bad_input(people):
    owner = people["sessions"]["owner"]
    response = owner.post("/sharing_groups/add", json={"name": "no rel"})
    assert response.status_code == 403, response.text
    assert response.json()["saved"] is False
    assert "releasability" in response.json()["errors"]
    response = owner.post("/sharing_groups/add",
                          json={"name": "", "releasability": "x"})
    assert response.status_code == 403
    assert "name" in response.json()["errors"]
    response = owner.post("/sharing_groups/add",
                          json={"name": 5, "releasability": "x"})
    assert response.status_code in (400, 403), response.text
    add_group(owner, "duplicate group")
    response = owner.post("/sharing_groups/add",
                          json={"name": "duplicate group",
                                "releasability": "x"})
    assert response.status_code == 403
    assert "exists already" in response.json()["errors"]
    response = owner.post("/sharing_groups/add", data="[1, 2]")
    assert response.status_code in (400, 403), response.text


def test_add_needs_permission(people):
    plain = people["sessions"]["plain"]
    response = plain.post("/sharing_groups/add",
                          json={"name": "forbidden", "releasability": "x"})
    harness.assert_misp_error(response, 403)


def test_view_and_index_follow_membership(people):
    s = people["sessions"]
    body = add_group(s["owner"], "membership group")
    sg_id = body["SharingGroup"]["id"]
    uuid = body["SharingGroup"]["uuid"]
    for path in (f"/sharing_groups/view/{sg_id}",
                 f"/sharing_groups/view/{uuid}", f"/sharingGroups/view/{sg_id}",
                 f"/sharing_groups/{sg_id}"):
        response = s["owner"].get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["SharingGroup"]["id"] == sg_id
    assert s["admin"].get(f"/sharing_groups/view/{sg_id}").status_code == 200
    response = s["stranger"].get(f"/sharing_groups/view/{sg_id}")
    harness.assert_misp_error(response, 405)
    assert s["stranger"].head(f"/sharing_groups/view/{sg_id}").status_code == 404
    assert s["owner"].head(f"/sharing_groups/view/{sg_id}").status_code == 200
    listed = s["stranger"].get("/sharing_groups/index").json()["response"]
    assert sg_id not in [g["SharingGroup"]["id"] for g in listed]

    response = s["owner"].post(
        f"/sharing_groups/addOrg/{sg_id}/{people['orgs']['member']}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == (
        "Organisation added to the sharing group.")
    for path in ("/sharing_groups/index", "/sharingGroups/index",
                 "/sharing_groups"):
        listed = s["member"].get(path).json()["response"]
        entry = [g for g in listed if g["SharingGroup"]["id"] == sg_id]
        assert len(entry) == 1, path
        assert entry[0]["editable"] is False
        assert entry[0]["deletable"] is False
    mine = [g for g in s["owner"].get("/sharing_groups/index").json()[
        "response"] if g["SharingGroup"]["id"] == sg_id]
    assert mine[0]["editable"] is True and mine[0]["deletable"] is True


def test_server_row_opens_group_to_local_orgs(people):
    s = people["sessions"]
    sg_id = add_group(s["owner"], "all local orgs")["SharingGroup"]["id"]
    assert s["stranger"].get(f"/sharing_groups/view/{sg_id}").status_code == 405
    response = s["owner"].post(f"/sharing_groups/removeServer/{sg_id}/0")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Server removed from the sharing group."
    response = s["owner"].post("/sharingGroups/addServer",
                               json={"sg_id": sg_id, "server_id": 0,
                                     "all_orgs": True})
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Server added to the sharing group."
    assert s["stranger"].get(f"/sharing_groups/view/{sg_id}").status_code == 200
    response = s["owner"].post(f"/sharing_groups/addServer/{sg_id}/0")
    assert response.status_code == 403
    assert response.json()["errors"] == "Server is already in the sharing group."
    response = s["owner"].post(f"/sharing_groups/addServer/{sg_id}/7")
    body = harness.assert_misp_error(response, 405)
    assert body["message"] == "Invalid Server."


def test_org_membership_edits(people):
    s = people["sessions"]
    orgs = people["orgs"]
    sg_id = add_group(s["owner"], "edited members")["SharingGroup"]["id"]
    response = s["owner"].post("/sharing_groups/addOrg",
                               json={"sg_id": sg_id,
                                     "org_id": orgs["member"],
                                     "extend": True})
    assert response.status_code == 200, response.text
    response = s["owner"].post(f"/sharing_groups/addOrg/{sg_id}/{orgs['member']}")
    assert response.status_code == 403
    assert response.json()["errors"] == (
        "Organisation is already in the sharing group.")
    # The member may extend the group now, and adds a remote organisation.
    response = s["member"].post(
        f"/sharing_groups/addOrg/{sg_id}/{orgs['remote']}")
    assert response.status_code == 200, response.text
    view = s["member"].get(f"/sharing_groups/view/{sg_id}").json()
    assert {m["org_id"] for m in view["SharingGroupOrg"]} == {
        orgs["owner"], orgs["member"], orgs["remote"]}
    # A stranger can neither see nor edit it.
    response = s["stranger"].post(
        f"/sharing_groups/addOrg/{sg_id}/{orgs['stranger']}")
    body = harness.assert_misp_error(response, 405)
    assert body["message"] == "Invalid sharing group or no editing rights."
    response = s["owner"].post(f"/sharing_groups/addOrg/{sg_id}/999")
    harness.assert_misp_error(response, 405)
    response = s["owner"].post("/sharing_groups/addOrg", json={"org_id": 1})
    harness.assert_misp_error(response, 405)
    response = s["owner"].post(
        f"/sharing_groups/removeOrg/{sg_id}/{orgs['remote']}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == (
        "Organisation removed from the sharing group.")
    response = s["owner"].post(
        f"/sharing_groups/removeOrg/{sg_id}/{orgs['remote']}")
    assert response.status_code == 403
    assert response.json()["errors"] == (
        "Organisation is not in the sharing group.")


def test_edit_rules(people):
    s = people["sessions"]
    orgs = people["orgs"]
    body = add_group(s["owner"], "edit rules")
    sg_id = body["SharingGroup"]["id"]
    response = s["owner"].post(f"/sharing_groups/edit/{sg_id}",
                               json={"SharingGroup": {
                                   "releasability": "changed",
                                   "uuid": "00000000-0000-4000-8000-000000000000"}})
    assert response.status_code == 200, response.text
    edited = response.json()["SharingGroup"]
    assert edited["releasability"] == "changed"
    assert edited["uuid"] == body["SharingGroup"]["uuid"]
    s["owner"].post(f"/sharing_groups/addOrg/{sg_id}/{orgs['member']}")
    response = s["member"].post(f"/sharing_groups/edit/{sg_id}",
                                json={"description": "nope"})
    body = harness.assert_misp_error(response, 405)
    assert body["message"] == "Action not allowed."
    response = s["stranger"].post(f"/sharing_groups/edit/{sg_id}",
                                  json={"description": "nope"})
    harness.assert_misp_error(response, 404)
    response = s["owner"].post(f"/sharing_groups/edit/{sg_id}",
                               json={"name": ""})
    assert response.status_code == 403
    assert "name" in response.json()["errors"]
    response = s["owner"].post("/sharing_groups/edit/99999", json={"name": "x"})
    harness.assert_misp_error(response, 404)
    response = s["admin"].post(f"/sharing_groups/edit/{sg_id}",
                               json={"active": False})
    assert response.json()["SharingGroup"]["active"] is False
    passive = s["owner"].get("/sharing_groups/index/true").json()["response"]
    assert sg_id in [g["SharingGroup"]["id"] for g in passive]
    active = s["owner"].get("/sharing_groups/index").json()["response"]
    assert sg_id not in [g["SharingGroup"]["id"] for g in active]


def test_delete_rules(people):
    s = people["sessions"]
    orgs = people["orgs"]
    sg_id = add_group(s["owner"], "delete rules")["SharingGroup"]["id"]
    s["owner"].post(f"/sharing_groups/addOrg/{sg_id}/{orgs['member']}")
    response = s["member"].post(f"/sharing_groups/delete/{sg_id}")
    harness.assert_misp_error(response, 405)
    response = s["stranger"].delete(f"/sharing_groups/delete/{sg_id}")
    harness.assert_misp_error(response, 404)
    event = s["owner"].post("/events/add", json={
        "info": "uses the group", "distribution": 4,
        "sharing_group_id": sg_id})
    assert event.status_code == 200, event.text
    response = s["owner"].post(f"/sharing_groups/delete/{sg_id}")
    assert response.status_code == 403
    assert "could not be deleted" in response.json()["errors"]
    event_id = event.json()["Event"]["id"]
    assert s["owner"].delete(f"/events/delete/{event_id}").status_code == 200
    response = s["owner"].delete(f"/sharing_groups/delete/{sg_id}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "SharingGroup deleted"
    response = s["owner"].get(f"/sharing_groups/view/{sg_id}")
    harness.assert_misp_error(response, 405)
    response = s["owner"].post("/sharing_groups/delete/nonsense")
    harness.assert_misp_error(response, 404)
