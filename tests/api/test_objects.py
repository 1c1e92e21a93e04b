"""Objects and object references: add, view, edit, delete."""

import uuid

import pytest

import harness
from harness import add_event, view_event

PAST = 1600000000

# The domain-ip template of misp-objects (version 11).
DOMAIN_IP = {
    "name": "domain-ip",
    "meta-category": "network",
    "description": "A domain/hostname and IP address seen as a tuple in a "
    "specific time frame.",
    "template_uuid": "43b3b146-77eb-4931-b4cc-b66c60f28734",
    "template_version": "11",
    "distribution": "5",
    "sharing_group_id": "0",
}


def domain_ip(domain, ip, **fields):
    """Return a domain-ip object body as PyMISP sends it."""
    body = dict(DOMAIN_IP, uuid=str(uuid.uuid4()), **fields)
    body["Attribute"] = [
        {
            "uuid": str(uuid.uuid4()),
            "object_relation": "domain",
            "type": "domain",
            "value": domain,
        },
        {
            "uuid": str(uuid.uuid4()),
            "object_relation": "ip",
            "type": "ip-dst",
            "value": ip,
        },
    ]
    return body


@pytest.fixture
def event(api):
    return add_event(
        api,
        info="object tests",
        Attribute=[{"type": "domain", "value": f"{uuid.uuid4().hex}.example"}],
    )


def add_object(api, event_ref, body):
    response = api.post(f"/objects/add/{event_ref}", json=body)
    assert response.status_code == 200, response.text
    return response.json()["Object"]


def served_object(api, ref):
    response = api.get(f"/objects/view/{ref}")
    assert response.status_code == 200, response.text
    return response.json()["Object"]


def find(items, item_uuid):
    return [item for item in items if item["uuid"] == item_uuid]


def test_add(api, event):
    body = domain_ip("obj.example", "203.0.113.5", comment="added")
    obj = add_object(api, event["id"], body)
    assert obj["id"].isdigit()
    assert obj["uuid"] == body["uuid"]
    assert obj["event_id"] == event["id"]
    assert obj["name"] == "domain-ip"
    assert obj["meta-category"] == "network"
    assert obj["template_uuid"] == DOMAIN_IP["template_uuid"]
    assert obj["template_version"] == "11"
    assert obj["comment"] == "added"

    attributes = {a["object_relation"]: a for a in obj["Attribute"]}
    assert set(attributes) == {"domain", "ip"}
    assert attributes["domain"]["value"] == "obj.example"
    assert attributes["ip"]["value"] == "203.0.113.5"
    for attribute in attributes.values():
        assert attribute["object_id"] == obj["id"]
        assert attribute["event_id"] == event["id"]

    stored = view_event(api, event["id"])
    assert len(find(stored["Object"], body["uuid"])) == 1


def test_add_by_event_uuid(api, event):
    obj = add_object(api, event["uuid"], domain_ip("u.example", "203.0.113.6"))
    assert obj["event_id"] == event["id"]


def test_add_unknown_template(api, event):
    body = domain_ip("t.example", "203.0.113.7")
    body["name"] = "cairn-test-template"
    body["template_uuid"] = str(uuid.uuid4())
    obj = add_object(api, event["id"], body)
    assert obj["name"] == "cairn-test-template"
    assert obj["template_uuid"] == body["template_uuid"]


def test_add_missing_event(api):
    response = api.post("/objects/add/999999", json=domain_ip("m.example", "1.2.3.4"))
    body = harness.assert_misp_error(response, 404)
    assert body["name"].rstrip(".") == "Invalid event"


def test_view(api, event):
    added = add_object(api, event["id"], domain_ip("v.example", "203.0.113.8"))
    for ref in (added["id"], added["uuid"]):
        obj = served_object(api, ref)
        assert obj["uuid"] == added["uuid"]
        assert obj["name"] == "domain-ip"
        assert len(obj["Attribute"]) == 2


def test_head(api, event):
    added = add_object(api, event["id"], domain_ip("h.example", "203.0.113.9"))
    assert api.head(f"/objects/view/{added['uuid']}").status_code == 200
    assert api.head(f"/objects/view/{uuid.uuid4()}").status_code == 404


def test_view_missing(api):
    body = harness.assert_misp_error(api.get("/objects/view/999999"), 404)
    assert body["name"].rstrip(".") == "Invalid object"


def test_edit(api, event):
    body = domain_ip("e.example", "203.0.113.10", timestamp=str(PAST))
    added = add_object(api, event["id"], body)

    # PyMISP sends the whole object back, without the timestamp of what it
    # changed, and new attributes without ids.
    edit = served_object(api, added["uuid"])
    edit.pop("timestamp", None)
    edit["comment"] = "edited"
    edit["Attribute"].append(
        {
            "uuid": str(uuid.uuid4()),
            "object_relation": "ip",
            "type": "ip-dst",
            "value": "203.0.113.11",
        }
    )
    response = api.post(f"/objects/edit/{added['uuid']}", json=edit)
    assert response.status_code == 200, response.text
    edited = response.json()["Object"]
    assert edited["comment"] == "edited"
    assert int(edited["timestamp"]) > PAST
    values = sorted(a["value"] for a in edited["Attribute"])
    assert values == ["203.0.113.10", "203.0.113.11", "e.example"]

    stored = served_object(api, added["id"])
    assert stored["comment"] == "edited"
    assert len(stored["Attribute"]) == 3


def test_soft_delete(api, event):
    added = add_object(api, event["id"], domain_ip("d.example", "203.0.113.12"))
    response = api.post(f"/objects/delete/{added['id']}", json={})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True
    assert body["message"] == "Object deleted"

    assert not find(view_event(api, event["id"]).get("Object", []), added["uuid"])
    copies = find(
        view_event(api, event["id"], deleted=True).get("Object", []),
        added["uuid"],
    )
    assert len(copies) == 1
    assert copies[0]["deleted"] is True


def test_hard_delete(api, event):
    added = add_object(api, event["id"], domain_ip("x.example", "203.0.113.13"))
    response = api.post(f"/objects/delete/{added['uuid']}", json={"hard": 1})
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Object deleted"
    assert api.head(f"/objects/view/{added['uuid']}").status_code == 404
    stored = view_event(api, event["id"], deleted=True)
    assert not find(stored.get("Object", []), added["uuid"])


def test_delete_missing(api):
    response = api.post("/objects/delete/999999", json={})
    body = harness.assert_misp_error(response, 404)
    assert body["name"].rstrip(".") == "Invalid object"


def add_reference(api, object_uuid, referenced_uuid, relationship="related-to"):
    response = api.post(
        "/objectReferences/add",
        json={
            "uuid": str(uuid.uuid4()),
            "object_uuid": object_uuid,
            "referenced_uuid": referenced_uuid,
            "relationship_type": relationship,
            "comment": "ref",
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["ObjectReference"]


def event_references(event):
    return [
        ref
        for obj in event.get("Object", [])
        for ref in obj.get("ObjectReference", [])
    ]


def test_reference_to_attribute(api, event):
    obj = add_object(api, event["id"], domain_ip("r.example", "203.0.113.14"))
    target = event["Attribute"][0]
    ref = add_reference(api, obj["uuid"], target["uuid"], "resolves-to")
    assert ref["id"].isdigit()
    assert ref["object_id"] == obj["id"]
    assert ref["object_uuid"] == obj["uuid"]
    assert ref["referenced_uuid"] == target["uuid"]
    assert ref["referenced_id"] == target["id"]
    assert ref["referenced_type"] == "0"
    assert ref["relationship_type"] == "resolves-to"
    assert ref["comment"] == "ref"
    assert ref["event_id"] == event["id"]

    stored = event_references(view_event(api, event["id"]))
    assert [r["uuid"] for r in stored] == [ref["uuid"]]


def test_reference_to_object(api, event):
    source = add_object(api, event["id"], domain_ip("s.example", "203.0.113.15"))
    target = add_object(api, event["id"], domain_ip("t2.example", "203.0.113.16"))
    ref = add_reference(api, source["uuid"], target["uuid"])
    assert ref["referenced_type"] == "1"
    assert ref["referenced_id"] == target["id"]


def test_reference_missing_object(api, event):
    response = api.post(
        "/objectReferences/add",
        json={
            "object_uuid": str(uuid.uuid4()),
            "referenced_uuid": event["Attribute"][0]["uuid"],
            "relationship_type": "related-to",
        },
    )
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid object."


def test_reference_soft_delete(api, event):
    obj = add_object(api, event["id"], domain_ip("sd.example", "203.0.113.17"))
    ref = add_reference(api, obj["uuid"], event["Attribute"][0]["uuid"])
    response = api.post(f"/objectReferences/delete/{ref['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True
    assert body["message"] == "ObjectReference deleted"
    live = [
        r
        for r in event_references(view_event(api, event["id"]))
        if r["uuid"] == ref["uuid"] and not r.get("deleted")
    ]
    assert live == []


def test_reference_hard_delete(api, event):
    obj = add_object(api, event["id"], domain_ip("hd.example", "203.0.113.18"))
    ref = add_reference(api, obj["uuid"], event["Attribute"][0]["uuid"])
    response = api.post(f"/objectReferences/delete/{ref['uuid']}/true")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "ObjectReference deleted"
    stored = view_event(api, event["id"], deleted=True)
    assert ref["uuid"] not in {r["uuid"] for r in event_references(stored)}


def test_reference_delete_missing(api):
    response = api.post("/objectReferences/delete/999999")
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid object reference."
