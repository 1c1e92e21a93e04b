"""The audit log: the rows that changes through the API append, that no
secret reaches them, admin/audit_logs/index with its filters, and the one
row per event of `cairn import`.
"""

import hashlib
import json
import re
import sqlite3
from collections import namedtuple
from pathlib import Path

import pytest
import requests

import harness

PASSWORD = "correct horse battery staple"
ADMIN = "admin@admin.test"
PLAIN_USER = "plain@example.test"
INDEX = "/admin/audit_logs/index"

Instance = namedtuple("Instance", "path key")


@pytest.fixture(scope="module")
def cairn_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "cairn"
    key = harness.init_data_dir(path)
    harness.add_user(path, PLAIN_USER, role_id=3)
    harness.set_password(path, ADMIN, PASSWORD)
    harness.set_password(path, PLAIN_USER, PASSWORD)
    return Instance(path, key)


def audit(api, path=INDEX, **body):
    """Return the rows of admin/audit_logs/index; a body is sent with POST."""
    if body:
        response = api.post(path, json=body)
    else:
        response = api.get(path)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert isinstance(rows, list), rows
    return rows


def logs_of(api, model, model_id):
    return [r["AuditLog"] for r in
            audit(api, f"{INDEX}/model:{model}/model_id:{model_id}")]


def actions(rows):
    return [r["action"] for r in rows]


def test_event_rows(api):
    event = harness.add_event(api, info="audited event", threat_level_id="2")
    edited = api.post(f"/events/edit/{event['id']}",
                      json={"info": "audited event, edited"})
    assert edited.status_code == 200, edited.text
    deleted = api.delete(f"/events/delete/{event['id']}")
    assert deleted.status_code == 200, deleted.text

    rows = logs_of(api, "Event", event["id"])
    assert actions(rows) == ["delete", "edit", "add"]
    delete, edit, add = rows
    assert add["change"]["info"] == "audited event"
    assert add["change"]["threat_level_id"] == 2
    assert edit["change"]["info"] == ["audited event", "audited event, edited"]
    assert "timestamp" not in edit["change"]
    assert delete["change"]["info"] == "audited event, edited"
    for row in rows:
        assert row["model"] == "Event"
        assert row["event_id"] == event["id"]
        assert row["user_id"] == "1"
        assert row["org_id"] == "1"
        assert row["ip"] == "127.0.0.1"
        assert row["request_type"] == "1"


def test_attribute_rows(api):
    event = harness.add_event(api, info="attribute audit")
    added = api.post(f"/attributes/add/{event['id']}",
                     json={"type": "ip-dst", "value": "198.51.100.20",
                           "comment": "first"})
    assert added.status_code == 200, added.text
    attribute = added.json()["Attribute"]
    edited = api.post(f"/attributes/edit/{attribute['id']}",
                      json={"value": "198.51.100.21", "comment": "second"})
    assert edited.status_code == 200, edited.text
    soft = api.post(f"/attributes/delete/{attribute['id']}")
    assert soft.status_code == 200, soft.text
    hard = api.post(f"/attributes/delete/{attribute['id']}", json={"hard": 1})
    assert hard.status_code == 200, hard.text

    rows = logs_of(api, "Attribute", attribute["id"])
    assert actions(rows) == ["delete", "soft_delete", "edit", "add"]
    delete, soft_row, edit, add = rows
    assert add["change"]["value"] == "198.51.100.20"
    assert add["model_title"] == "Network activity/ip-dst 198.51.100.20"
    assert edit["change"]["value"] == ["198.51.100.20", "198.51.100.21"]
    assert edit["change"]["comment"] == ["first", "second"]
    assert soft_row["change"]["deleted"] == [0, 1]
    assert delete["change"]["value"] == "198.51.100.21"
    for row in rows:
        assert row["event_id"] == event["id"]
        assert row["title"].startswith(f"Attribute from Event #{event['id']}")


def test_tag_rows(api):
    added = api.post("/tags/add", json={"name": "audit:tag", "colour": "#112233"})
    assert added.status_code == 200, added.text
    tag = added.json()["Tag"]
    edited = api.post(f"/tags/edit/{tag['id']}", json={"colour": "#445566"})
    assert edited.status_code == 200, edited.text
    event = harness.add_event(api, info="tag audit")
    attached = api.post("/tags/attachTagToObject",
                        json={"uuid": event["uuid"], "tag": tag["name"]})
    assert attached.status_code == 200, attached.text
    removed = api.post("/tags/removeTagFromObject",
                       json={"uuid": event["uuid"], "tag": tag["name"]})
    assert removed.status_code == 200, removed.text
    deleted = api.post(f"/tags/delete/{tag['id']}")
    assert deleted.status_code == 200, deleted.text

    rows = logs_of(api, "Tag", tag["id"])
    assert actions(rows) == ["delete", "edit", "add"]
    assert rows[1]["change"]["colour"] == ["#112233", "#445566"]
    assert rows[2]["model_title"] == "audit:tag"

    links = [r["AuditLog"] for r in
             audit(api, f"{INDEX}/event_id:{event['id']}/model:Event")]
    link_actions = [r["action"] for r in links]
    assert link_actions[:2] == ["remove_tag", "tag"]
    assert links[1]["model_title"] == "audit:tag"
    assert links[1]["title"] == (
        f'Attached tag "audit:tag" to Event #{event["id"]}')


def test_user_rows(api):
    rows = logs_of(api, "User", 1)
    # cairn init added the admin and set its password, as the CLI.
    assert "add" in actions(rows)
    edits = [r for r in rows if r["action"] == "edit"]
    assert edits and all(r["request_type"] == "2" for r in edits)
    assert {"password": "*****"} in [r["change"] for r in edits]
    add = [r for r in rows if r["action"] == "add"][0]
    assert add["change"]["email"] == ADMIN
    assert add["user_id"] == "0"


def test_login_rows(server, api):
    good = requests.post(server.url + "/users/login",
                         json={"email": ADMIN, "password": PASSWORD},
                         timeout=60)
    assert good.status_code == 200
    bad = requests.post(server.url + "/users/login",
                        json={"email": ADMIN, "password": "wrong password!"},
                        timeout=60)
    assert bad.status_code == 403
    rows = [r["AuditLog"] for r in audit(api, f"{INDEX}/model:User")]
    assert rows[0]["action"] == "login_fail"
    assert rows[0]["model_id"] == "1"
    assert rows[1]["action"] == "login"
    assert rows[1]["request_type"] == "0"


def test_session_changes_audited(server, api):
    response = requests.post(server.url + "/users/login",
                             json={"email": ADMIN, "password": PASSWORD},
                             timeout=60)
    added = requests.post(
        server.url + "/events/add",
        json={"info": "added with a session"},
        cookies=response.cookies,
        headers={"X-CSRF-Token": response.json()["Session"]["csrf_token"],
                 "Accept": "application/json"},
        timeout=30,
    )
    assert added.status_code == 200, added.text
    rows = logs_of(api, "Event", added.json()["Event"]["id"])
    assert rows[0]["request_type"] == "0"
    assert rows[0]["user_id"] == "1"


def test_no_secret_in_rows(server, api, cairn_data):
    response = requests.post(server.url + "/users/login",
                             json={"email": ADMIN, "password": PASSWORD},
                             timeout=60)
    token = response.cookies["cairn_session"]
    csrf = response.json()["Session"]["csrf_token"]
    secrets = [
        cairn_data.key,
        hashlib.sha256(cairn_data.key.encode()).hexdigest(),
        PASSWORD,
        token,
        hashlib.sha256(token.encode()).hexdigest(),
        csrf,
        "$argon2id$",
    ]
    served = api.get(f"{INDEX}/limit:100000").text
    with sqlite3.connect(Path(cairn_data.path) / "cairn.db") as db:
        stored = json.dumps(db.execute("SELECT * FROM audit_logs").fetchall())
    for secret in secrets:
        assert secret not in served
        assert secret not in stored


ROW_KEYS = {"id", "created", "user_id", "org_id", "action", "model",
            "model_id", "model_title", "event_id", "change", "ip",
            "request_type", "authkey_id", "request_id", "title"}


def test_response_shape(api):
    harness.add_event(api, info="shape")
    rows = audit(api)
    assert rows
    for row in rows:
        assert set(row) == {"AuditLog", "User", "Organisation"}
        log = row["AuditLog"]
        assert set(log) == ROW_KEYS
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", log["created"])
        for key in ("id", "user_id", "org_id", "model_id", "request_type"):
            assert isinstance(log[key], str) and log[key].isdigit(), key
    ids = [int(r["AuditLog"]["id"]) for r in rows]
    assert ids == sorted(ids, reverse=True)
    admin_rows = [r for r in rows if r["AuditLog"]["user_id"] == "1"]
    assert admin_rows[0]["User"] == {"id": "1", "email": ADMIN, "org_id": "1"}
    assert admin_rows[0]["Organisation"]["name"] == "ORGNAME"


def test_default_limit_is_misp_page(api):
    for i in range(61):
        api.post("/tags/add", json={"name": f"audit:limit:{i}"})
    assert len(audit(api)) == 60


def test_filters(api):
    event = harness.add_event(api, info="filter target 50%")
    eid = event["id"]

    def ids(path=INDEX, **body):
        return [r["AuditLog"]["id"] for r in audit(api, path, **body)]

    by_model = audit(api, f"{INDEX}/model:Event:{eid}")
    assert [r["AuditLog"]["model_id"] for r in by_model] == [eid]
    assert ids(f"{INDEX}?model=Event&model_id={eid}") == ids(
        f"{INDEX}/model:Event:{eid}")
    assert ids(model="Event", model_id=int(eid)) == ids(
        f"{INDEX}/model:Event:{eid}")
    assert all(r["AuditLog"]["event_id"] == eid
               for r in audit(api, f"{INDEX}/event_id:{eid}"))
    assert all(r["AuditLog"]["action"] == "add"
               for r in audit(api, f"{INDEX}/action:add"))
    assert ids(f"{INDEX}/model_title:50%25/model:Event") == ids(
        f"{INDEX}/model:Event:{eid}")

    by_email = ids(f"{INDEX}/user:{ADMIN}/limit:1000")
    by_id = ids(f"{INDEX}/user:1/limit:1000")
    assert by_email == by_id and by_email
    system = audit(api, f"{INDEX}/user:SYSTEM/limit:1000")
    assert system and all(r["AuditLog"]["user_id"] == "0" for r in system)
    assert audit(api, f"{INDEX}/user:nobody@example.test") == []

    assert ids(f"{INDEX}/org:ORGNAME/limit:1000") == ids(
        f"{INDEX}/org:1/limit:1000")
    assert audit(api, f"{INDEX}/org:No such org") == []
    assert all(r["AuditLog"]["ip"] == "127.0.0.1"
               for r in audit(api, f"{INDEX}/ip:127.0.0.1"))
    assert audit(api, f"{INDEX}/ip:192.0.2.1") == []

    assert audit(api, f"{INDEX}/created:4102444800") == []
    assert audit(api, f"{INDEX}/created:1d")
    assert audit(api, f"{INDEX}/created:2020-01-01")
    assert audit(api, created=["2020-01-01", "2020-01-02"]) == []
    assert audit(api, created=["1d", "2099-01-01 00:00:00"])

    first = ids(f"{INDEX}/limit:1")
    second = ids(f"{INDEX}/limit:1/page:2")
    assert len(first) == 1 and len(second) == 1
    assert int(first[0]) > int(second[0])


@pytest.mark.parametrize(
    "path",
    [f"{INDEX}/limit:0", f"{INDEX}/limit:x", f"{INDEX}/page:0",
     f"{INDEX}/created:yesterday", f"{INDEX}/model_id:abc",
     f"{INDEX}/model:Event:x"],
)
def test_invalid_filter(api, path):
    body = harness.assert_misp_error(api.get(path), 400)
    assert "Invalid filter" in body["message"]


def test_index_alias_and_unknown_action(api):
    assert api.get("/admin/audit_logs").status_code == 200
    harness.assert_misp_error(api.get("/admin/audit_logs/other"), 404)


def test_needs_audit_permission(server, api):
    # MISP's default roles all carry perm_audit, so the user gets a role
    # without it first.
    role = api.post("/admin/roles/add", json={"name": "No audit", "perm_auth": 1})
    assert role.status_code == 200, role.text
    role_id = role.json()["Role"]["id"]
    user_id = harness.user_id(server.data_dir, PLAIN_USER)
    edit = api.post(f"/admin/users/edit/{user_id}", json={"role_id": role_id})
    assert edit.status_code == 200, edit.text
    response = requests.post(server.url + "/users/login",
                             json={"email": PLAIN_USER, "password": PASSWORD},
                             timeout=60)
    assert response.status_code == 200, response.text
    denied = requests.get(server.url + INDEX, cookies=response.cookies,
                          headers={"Accept": "application/json"}, timeout=30)
    body = harness.assert_misp_error(denied, 403)
    assert body["message"] == (
        "You do not have permission to use this functionality.")


def test_import_one_row_per_event(tmp_path, shared_data):
    path = tmp_path / "cairn"
    harness.init_data_dir(path)
    feed = shared_data / "misp-feed" / "curated"
    files = sorted(p for p in feed.glob("*.json") if p.name != "manifest.json")
    done = harness.import_paths(path, *files[:3])
    assert done.returncode == 0, done.stderr
    summary = harness.parse_summary(done.stdout)
    assert summary["added"] == 3
    with sqlite3.connect(path / "cairn.db") as db:
        rows = db.execute(
            "SELECT model_id, event_id, request_type, change FROM audit_logs"
            " WHERE action = 'import'").fetchall()
        events = db.execute(
            "SELECT id, (SELECT count(*) FROM attributes a"
            " WHERE a.event_id = e.id) FROM events e").fetchall()
        per_row = db.execute(
            "SELECT count(*) FROM audit_logs WHERE model IN"
            " ('Attribute', 'Object', 'Tag')").fetchone()[0]
    assert len(rows) == 3
    counts = dict(events)
    for model_id, event_id, request_type, change in rows:
        assert model_id == event_id
        assert request_type == 2
        change = json.loads(change)
        assert change["result"] == "added"
        assert change["Attribute"] == counts[model_id]
    # The import writes no row per attribute, object or tag.
    assert per_row == 0
