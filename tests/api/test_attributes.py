"""Attributes: add one or a list, view, edit, soft and hard delete."""

import uuid

import pytest

import harness
from harness import add_event, view_event

PAST = 1600000000
DUPLICATE = "A similar attribute already exists for this event."


def unique_domain():
    return f"{uuid.uuid4().hex[:12]}.example"


@pytest.fixture
def event(api):
    return add_event(api, info="attribute tests", timestamp=str(PAST))


def add_attribute(api, event_ref, **fields):
    response = api.post(f"/attributes/add/{event_ref}", json=fields)
    assert response.status_code == 200, response.text
    return response.json()["Attribute"]


def served_attribute(api, ref):
    response = api.get(f"/attributes/view/{ref}")
    assert response.status_code == 200, response.text
    return response.json()["Attribute"]


def event_values(event):
    return {a["value"] for a in event.get("Attribute", [])}


def attribute_uuids(event):
    return {a["uuid"] for a in event.get("Attribute", [])}


def test_add_one(api, event):
    domain = unique_domain()
    attribute = add_attribute(
        api, event["id"], type="domain", value=domain, comment="one"
    )
    assert attribute["id"].isdigit()
    assert attribute["event_id"] == event["id"]
    assert attribute["type"] == "domain"
    assert attribute["value"] == domain
    assert attribute["comment"] == "one"
    assert attribute["category"] == "Network activity"
    assert attribute["to_ids"] is True
    assert attribute["deleted"] is False
    assert attribute["object_id"] == "0"
    assert domain in event_values(view_event(api, event["id"]))


def test_add_by_event_uuid(api, event):
    domain = unique_domain()
    attribute = add_attribute(api, event["uuid"], type="domain", value=domain)
    assert attribute["event_id"] == event["id"]


def test_add_keeps_uuid(api, event):
    attribute_uuid = str(uuid.uuid4())
    attribute = add_attribute(
        api, event["id"], type="domain", value=unique_domain(), uuid=attribute_uuid
    )
    assert attribute["uuid"] == attribute_uuid


def test_add_list_partial(api, event):
    good = [unique_domain(), unique_domain()]
    items = [
        {"type": "domain", "value": good[0]},
        {"type": "domain"},  # no value: invalid
        {"type": "domain", "value": good[1]},
    ]
    response = api.post(f"/attributes/add/{event['id']}", json=items)
    assert response.status_code == 200, response.text
    body = response.json()

    saved = body["Attribute"]
    assert isinstance(saved, list)
    assert sorted(a["value"] for a in saved) == sorted(good)
    assert set(body["errors"]) == {"attribute_1"}
    assert "value" in body["errors"]["attribute_1"]

    stored = view_event(api, event["id"])
    assert event_values(stored) == set(good)


def test_add_list_all_invalid(api, event):
    items = [{"type": "domain"}, {"type": "domain"}]
    response = api.post(f"/attributes/add/{event['id']}", json=items)
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["saved"] is False
    assert set(body["errors"]) == {"attribute_0", "attribute_1"}


def test_add_duplicate(api, event):
    domain = unique_domain()
    add_attribute(api, event["id"], type="domain", value=domain)
    response = api.post(
        f"/attributes/add/{event['id']}", json={"type": "domain", "value": domain}
    )
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["saved"] is False
    assert body["name"] == "Could not add Attribute"
    assert body["errors"]["value"][0] == DUPLICATE
    stored = view_event(api, event["id"])
    assert [a["value"] for a in stored["Attribute"]].count(domain) == 1


def test_add_duplicate_in_list(api, event):
    domain = unique_domain()
    add_attribute(api, event["id"], type="domain", value=domain)
    items = [
        {"type": "domain", "value": domain},
        {"type": "domain", "value": unique_domain()},
        {"type": "domain", "value": unique_domain()},
    ]
    response = api.post(f"/attributes/add/{event['id']}", json=items)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["Attribute"]) == 2
    assert body["errors"]["attribute_0"]["value"][0] == DUPLICATE


def test_add_missing_event(api):
    response = api.post(
        "/attributes/add/999999", json={"type": "domain", "value": "x.example"}
    )
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid event"


def test_view(api, event):
    domain = unique_domain()
    added = add_attribute(api, event["id"], type="domain", value=domain)
    for ref in (added["id"], added["uuid"]):
        attribute = served_attribute(api, ref)
        assert attribute["id"] == added["id"]
        assert attribute["uuid"] == added["uuid"]
        assert attribute["value"] == domain
        assert attribute["event_id"] == event["id"]


def test_head(api, event):
    added = add_attribute(api, event["id"], type="domain", value=unique_domain())
    assert api.head(f"/attributes/view/{added['uuid']}").status_code == 200
    assert api.head(f"/attributes/view/{uuid.uuid4()}").status_code == 404


def assert_invalid_attribute(response):
    # MISP 2.5 returns 405 for a missing attribute on view, because it raises
    # MethodNotAllowedException there, and 404 on the other actions.
    assert response.status_code in (404, 405), response.text
    body = harness.assert_misp_error(response, response.status_code)
    assert body["name"].rstrip(".") == "Invalid attribute"


def test_view_missing(api):
    assert_invalid_attribute(api.get("/attributes/view/999999"))


def test_edit(api, event):
    added = add_attribute(
        api,
        event["id"],
        type="domain",
        value=unique_domain(),
        comment="before",
        timestamp=str(PAST),
    )
    assert api.post(f"/events/publish/{event['id']}").status_code == 200

    response = api.post(
        f"/attributes/edit/{added['uuid']}",
        json={"comment": "after", "to_ids": False},
    )
    assert response.status_code == 200, response.text
    edited = response.json()["Attribute"]
    assert edited["comment"] == "after"
    assert edited["to_ids"] is False
    assert int(edited["timestamp"]) > PAST

    stored = served_attribute(api, added["id"])
    assert stored["comment"] == "after"
    assert stored["to_ids"] is False
    assert view_event(api, event["id"])["published"] is False


def test_edit_missing(api):
    response = api.post("/attributes/edit/999999", json={"comment": "x"})
    assert_invalid_attribute(response)


def test_soft_delete(api, event):
    added = add_attribute(api, event["id"], type="domain", value=unique_domain())
    response = api.post(f"/attributes/delete/{added['id']}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Attribute deleted."

    assert_invalid_attribute(api.get(f"/attributes/view/{added['id']}"))
    assert added["value"] not in event_values(view_event(api, event["id"]))

    with_deleted = view_event(api, event["id"], deleted=True)
    copies = [
        a for a in with_deleted.get("Attribute", []) if a["uuid"] == added["uuid"]
    ]
    assert len(copies) == 1
    assert copies[0]["deleted"] is True


def test_soft_delete_twice(api, event):
    added = add_attribute(api, event["id"], type="domain", value=unique_domain())
    assert api.post(f"/attributes/delete/{added['id']}").status_code == 200
    response = api.post(f"/attributes/delete/{added['id']}")
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid attribute"


def test_hard_delete(api, event):
    added = add_attribute(api, event["id"], type="domain", value=unique_domain())
    response = api.post(f"/attributes/delete/{added['uuid']}", json={"hard": 1})
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Attribute deleted."
    with_deleted = view_event(api, event["id"], deleted=True)
    assert added["uuid"] not in attribute_uuids(with_deleted)


def test_hard_delete_soft_deleted(api, event):
    added = add_attribute(api, event["id"], type="domain", value=unique_domain())
    assert api.post(f"/attributes/delete/{added['id']}").status_code == 200
    response = api.post(f"/attributes/delete/{added['id']}", json={"hard": 1})
    assert response.status_code == 200, response.text
    with_deleted = view_event(api, event["id"], deleted=True)
    assert added["uuid"] not in attribute_uuids(with_deleted)


def test_delete_missing(api):
    response = api.post("/attributes/delete/999999")
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid attribute"
