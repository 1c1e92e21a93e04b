"""Events: add, view, edit, publish, index, delete, limits."""

import json
import re
import uuid

import pytest

import harness
from harness import add_event, view_event

PAST = 1600000000  # a creation timestamp well before any edit


def test_add_bare_body(api):
    event_uuid = str(uuid.uuid4())
    event = add_event(
        api,
        uuid=event_uuid,
        info="bare body",
        distribution="0",
        threat_level_id="2",
        analysis="1",
        date="2024-03-01",
        Attribute=[{"type": "ip-dst", "value": "198.51.100.1"}],
    )
    assert event["id"].isdigit()
    assert event["uuid"] == event_uuid
    assert event["info"] == "bare body"
    assert event["distribution"] == "0"
    assert event["threat_level_id"] == "2"
    assert event["analysis"] == "1"
    assert event["date"] == "2024-03-01"
    assert event["published"] is False
    assert event["Orgc"]["name"] == "ORGNAME"
    assert event["Org"]["name"] == "ORGNAME"

    assert len(event["Attribute"]) == 1
    attribute = event["Attribute"][0]
    assert attribute["value"] == "198.51.100.1"
    # Defaults from describeTypes: ip-dst is Network activity and to_ids.
    assert attribute["category"] == "Network activity"
    assert attribute["to_ids"] is True
    assert attribute["event_id"] == event["id"]


def test_add_wrapped_body(api):
    event_uuid = str(uuid.uuid4())
    response = api.post(
        "/events/add", json={"Event": {"uuid": event_uuid, "info": "wrapped"}}
    )
    assert response.status_code == 200, response.text
    event = response.json()["Event"]
    assert event["uuid"] == event_uuid
    assert event["info"] == "wrapped"


def test_add_numbers_as_ints(api):
    event = add_event(
        api, info="ints", distribution=1, threat_level_id=3, analysis=2
    )
    assert event["distribution"] == "1"
    assert event["threat_level_id"] == "3"
    assert event["analysis"] == "2"


def test_add_float_timestamp(api):
    event = add_event(api, info="float timestamp", timestamp=PAST + 0.75)
    assert event["timestamp"] == str(PAST)


def test_add_string_timestamp(api):
    event = add_event(api, info="string timestamp", timestamp=str(PAST))
    assert event["timestamp"] == str(PAST)


def test_add_defaults(api):
    event = add_event(api, info="defaults only")
    assert event["threat_level_id"] == "4"
    assert event["analysis"] == "0"
    assert event["published"] is False
    assert event["timestamp"].isdigit()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", event["date"]), event["date"]


def test_add_duplicate_uuid(api):
    event = add_event(api, info="first copy")
    response = api.post(
        "/events/add", json={"uuid": event["uuid"], "info": "second copy"}
    )
    body = harness.assert_misp_error(response, 404)
    assert body["message"] == (
        "Event already exists, if you would like to edit it, use the url in "
        "the location header."
    )
    assert response.headers.get("Location", "").endswith(
        f"/events/{event['id']}"
    )
    assert view_event(api, event["id"])["info"] == "first copy"


def test_add_duplicate_uuid_with_attributes(api):
    """With a timestamp, as in a MISP export, the writer finds the stored
    uuid at the first attribute, before the end of the event. The
    Location must still name the stored event."""
    event = add_event(api, info="first copy with attributes")
    response = api.post("/events/add", json={"Event": {
        "uuid": event["uuid"], "info": "second copy",
        "timestamp": "1715684400",
        "Attribute": [{"type": "ip-dst", "value": "198.51.100.32"}]}})
    harness.assert_misp_error(response, 404)
    assert response.headers.get("Location", "").endswith(
        f"/events/{event['id']}"
    )


def test_view_by_id_and_uuid(api):
    event = add_event(api, info="view me")
    by_id = view_event(api, event["id"])
    by_uuid = view_event(api, event["uuid"])
    assert by_id["uuid"] == event["uuid"]
    assert by_uuid["id"] == event["id"]
    assert by_id["info"] == by_uuid["info"] == "view me"


@pytest.mark.parametrize("missing", ["999999", str(uuid.uuid4())])
def test_view_missing(api, missing):
    path = f"/events/view/{missing}"
    body = harness.assert_misp_error(api.get(path), 404)
    assert body["name"] == "Invalid event"


def test_rest_alias_add(api):
    event_uuid = str(uuid.uuid4())
    response = api.post("/events", json={"uuid": event_uuid, "info": "alias"})
    assert response.status_code == 200, response.text
    assert response.json()["Event"]["uuid"] == event_uuid


def test_rest_alias_view(api):
    event = add_event(api, info="alias view")
    response = api.get(f"/events/{event['id']}")
    assert response.status_code == 200, response.text
    assert response.json()["Event"]["uuid"] == event["uuid"]


def test_rest_alias_index(api):
    event = add_event(api, info="alias index")
    response = api.get("/events")
    assert response.status_code == 200, response.text
    assert event["uuid"] in {entry["uuid"] for entry in response.json()}


def test_rest_alias_edit(api):
    event = add_event(api, info="before put")
    response = api.put(f"/events/{event['id']}", json={"info": "after put"})
    assert response.status_code == 200, response.text
    assert response.json()["Event"]["info"] == "after put"


def test_rest_alias_delete(api):
    event = add_event(api, info="alias delete")
    response = api.delete(f"/events/{event['id']}")
    assert response.status_code == 200, response.text
    assert api.head(f"/events/view/{event['id']}").status_code == 404


def test_head_existing(api):
    event = add_event(api, info="head")
    for ref in (event["id"], event["uuid"]):
        response = api.head(f"/events/view/{ref}")
        assert response.status_code == 200, ref
        assert response.content == b""


def test_head_missing(api):
    for ref in ("999999", str(uuid.uuid4())):
        assert api.head(f"/events/view/{ref}").status_code == 404, ref


def published_event(api, info):
    """Add an event with one attribute and a past timestamp, then publish it."""
    event = add_event(
        api,
        info=info,
        timestamp=str(PAST),
        Attribute=[{"type": "domain", "value": f"{uuid.uuid4().hex}.example"}],
    )
    response = api.post(f"/events/publish/{event['id']}")
    assert response.status_code == 200, response.text
    assert view_event(api, event["id"])["published"] is True
    return event


@pytest.mark.parametrize("ref", ["id", "uuid"])
def test_edit_bumps_timestamp(api, ref):
    event = published_event(api, "edit me")
    response = api.post(f"/events/edit/{event[ref]}", json={"info": "edited"})
    assert response.status_code == 200, response.text
    edited = response.json()["Event"]
    assert edited["info"] == "edited"
    assert int(edited["timestamp"]) > PAST
    assert edited["published"] is False
    # Attributes left out of an edit body are kept.
    assert len(edited["Attribute"]) == 1

    stored = view_event(api, event["id"])
    assert stored["info"] == "edited"
    assert stored["published"] is False


def test_edit_missing(api):
    response = api.post("/events/edit/999999", json={"info": "nobody"})
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid event"


def test_publish(api):
    event = add_event(
        api, info="publish", Attribute=[{"type": "domain", "value": "p.example"}]
    )
    response = api.post(f"/events/publish/{event['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True
    assert body["success"] is True
    # MISP returns "Job queued" when background workers publish.
    assert body["message"] in ("Event published without alerts", "Job queued")
    stored = view_event(api, event["id"])
    assert stored["published"] is True
    assert stored["publish_timestamp"] != "0"


def test_unpublish(api):
    event = published_event(api, "unpublish")
    response = api.post(f"/events/unpublish/{event['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True
    assert body["message"] == "Event unpublished."
    assert view_event(api, event["id"])["published"] is False


def test_index(api):
    event = add_event(
        api, info="indexed", Attribute=[{"type": "domain", "value": "i.example"}]
    )
    response = api.get("/events/index")
    assert response.status_code == 200
    entries = response.json()
    assert isinstance(entries, list)
    entry = next(e for e in entries if e["uuid"] == event["uuid"])
    assert entry["id"] == event["id"]
    assert entry["info"] == "indexed"
    assert entry["Orgc"]["name"] == "ORGNAME"
    assert "Attribute" not in entry


@pytest.mark.parametrize("ref", ["id", "uuid"])
def test_delete(api, ref):
    event = add_event(api, info="delete me")
    response = api.post(f"/events/delete/{event[ref]}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True
    assert body["success"] is True
    assert body["name"] == "Event deleted."
    assert body["message"] == "Event deleted."
    assert api.head(f"/events/view/{event['id']}").status_code == 404
    harness.assert_misp_error(api.get(f"/events/view/{event['uuid']}"), 404)


def test_metadata_named_param(api):
    response = api.post(
        "/events/add/metadata:1",
        json={
            "info": "metadata only",
            "Attribute": [{"type": "domain", "value": "m.example"}],
            "Object": [
                {
                    "name": "domain-ip",
                    "meta-category": "network",
                    "template_uuid": "43b3b146-77eb-4931-b4cc-b66c60f28734",
                    "template_version": "11",
                    "Attribute": [
                        {
                            "object_relation": "domain",
                            "type": "domain",
                            "value": "mo.example",
                        }
                    ],
                }
            ],
        },
    )
    assert response.status_code == 200, response.text
    event = response.json()["Event"]
    assert event["info"] == "metadata only"
    assert not event.get("Attribute")
    assert not event.get("Object")
    stored = view_event(api, event["id"])
    assert [a["value"] for a in stored["Attribute"]] == ["m.example"]
    assert len(stored["Object"]) == 1


def post_raw(api, body_bytes):
    return api.post("/events/add", data=body_bytes)


def test_invalid_json_400(api):
    response = post_raw(api, b'{"info": "trailing comma",}')
    harness.assert_misp_error(response, 400)


def test_bad_utf8_400(api):
    response = post_raw(api, b'{"info": "bad \xff\xfe utf-8"}')
    harness.assert_misp_error(response, 400)


@pytest.mark.parametrize(
    "field, body",
    [
        ("info", {"info": ["not", "a", "string"]}),
        ("threat_level_id", {"info": "x", "threat_level_id": {"a": 1}}),
        ("Attribute", {"info": "x", "Attribute": "not a list"}),
        ("value", {"info": "x", "Attribute": [{"type": "domain", "value": []}]}),
    ],
)
def test_wrong_type_400(api, field, body):
    response = post_raw(api, json.dumps(body).encode())
    harness.assert_misp_error(response, 400)
    assert field in response.text, f"{field!r} not named in {response.text}"


def test_missing_info_403(api):
    # MISP reports a validation failure with 403 and its saveFailResponse body.
    response = api.post("/events/add", json={"distribution": "0"})
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["saved"] is False
    assert body["name"] == "Could not add Event"
    assert "info" in body["errors"], body


MAX_BODY = 4096


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    key = harness.init_data_dir(root / "cairn")
    srv = harness.Server(
        root / "cairn",
        key,
        root / "serve.log",
        extra_args=["--max-body", str(MAX_BODY)],
    )
    srv.start()
    yield srv
    harness.check_stopped(srv)


def test_body_over_limit_413(small_server):
    session = harness.ApiSession(small_server.url, small_server.key)
    big = {"info": "x" * (4 * MAX_BODY)}
    response = session.post("/events/add", json=big)
    assert response.status_code == 413, response.text[:500]
    small = session.post("/events/add", json={"info": "fits"})
    assert small.status_code == 200, small.text[:500]
    session.close()
