"""Object templates against the real misp-objects folder that the server
loads with --library: index, view, getRaw, and the template check on
objects/add and events/add."""

import json

import pytest

import harness

FILE_UUID = "688c46fb-5edb-40a3-8273-1af7923e2215"


@pytest.fixture(scope="module")
def index(api):
    response = api.get("/objectTemplates/index")
    assert response.status_code == 200, response.text
    return [row["ObjectTemplate"] for row in response.json()]


def test_index_lists_every_template(index):
    root = harness.shared_data() / "objects" / "objects"
    names = {
        json.loads(path.read_text())["name"]
        for path in root.glob("*/definition.json")
    }
    assert len(index) == 424
    assert {t["name"] for t in index} == names
    for key in ("id", "uuid", "name", "version", "meta-category"):
        assert isinstance(index[0][key], str), key


def test_view_by_uuid_and_id(api, index):
    file_row = next(t for t in index if t["uuid"] == FILE_UUID)
    response = api.get(f"/objectTemplates/view/{FILE_UUID}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ObjectTemplate"]["name"] == "file"
    assert "filename" in body["ObjectTemplate"]["requirements"][
        "requiredOneOf"]
    elements = {e["object_relation"]: e for e in body["ObjectTemplateElement"]}
    assert elements["md5"]["type"] == "md5"
    assert elements["filename"]["multiple"] is True
    assert api.get(f"/objectTemplates/view/{file_row['id']}").json() == body


def test_get_raw(api):
    response = api.get("/objectTemplates/getRaw/file")
    assert response.status_code == 200, response.text
    raw = json.loads(
        (harness.shared_data() / "objects" / "objects" / "file" /
         "definition.json").read_text())
    assert response.json() == raw


def test_view_unknown_404(api):
    harness.assert_misp_error(api.get("/objectTemplates/view/999999"), 404)


def file_object(attributes, **fields):
    obj = {"name": "file", "meta-category": "file",
           "template_uuid": FILE_UUID, "template_version": "25",
           "Attribute": attributes}
    obj.update(fields)
    return obj


def test_objects_add_valid(api):
    event = harness.add_event(api, info="valid object")
    response = api.post(f"/objects/add/{event['id']}", json={
        "Object": file_object([
            {"object_relation": "filename", "type": "filename",
             "value": "a.exe"},
            {"object_relation": "md5", "type": "md5",
             "value": "d41d8cd98f00b204e9800998ecf8427e"},
        ])})
    assert response.status_code == 200, response.text


def test_objects_add_missing_required_one_of(api):
    event = harness.add_event(api, info="missing relation")
    response = api.post(f"/objects/add/{event['id']}", json={
        "Object": file_object([
            {"object_relation": "text", "type": "text", "value": "x"}])})
    body = harness.assert_misp_error(response, 400)
    assert "'filename'" in body["message"]
    stored = harness.view_event(api, event["id"])
    assert stored.get("Object", []) == []


def test_objects_add_wrong_type(api):
    event = harness.add_event(api, info="wrong type")
    response = api.post(f"/objects/add/{event['id']}", json={
        "Object": file_object([
            {"object_relation": "md5", "type": "sha1",
             "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}])})
    body = harness.assert_misp_error(response, 400)
    assert "relation 'md5'" in body["message"]
    assert "'sha1'" in body["message"]


def test_events_add_names_object_and_relation(api):
    response = api.post("/events/add", json={"info": "objects", "Object": [
        file_object([{"object_relation": "filename", "type": "filename",
                      "value": "ok.exe"}]),
        file_object([{"object_relation": "md5", "type": "md5",
                      "value": "d41d8cd98f00b204e9800998ecf8427e"},
                     {"object_relation": "md5", "type": "md5",
                      "value": "0cc175b9c0f1b6a831c399e269772661"}]),
    ]})
    body = harness.assert_misp_error(response, 400)
    assert "'md5'" in body["message"]
    assert body["errors"]["pointer"].endswith("/Object/1/Attribute/1")


def test_unknown_template_accepted(api):
    event = harness.add_event(api, info="custom", Object=[{
        "name": "my-own-object", "meta-category": "misc",
        "Attribute": [{"object_relation": "anything", "type": "text",
                       "value": "free"}]}])
    assert event["Object"][0]["name"] == "my-own-object"
