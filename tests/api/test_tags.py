"""Tags: index, view, add, edit, delete, and attaching them to events and
attributes, with MISP's messages."""

import hashlib
import re
import uuid

import pytest

import harness
from harness import add_event, view_event

PAST = 1600000000


def unique_name(prefix="cairn-test"):
    return f'{prefix}:case="{uuid.uuid4().hex[:10]}"'


def add_tag(api, **fields):
    response = api.post("/tags/add", json=fields)
    assert response.status_code == 200, response.text
    return response.json()["Tag"]


def tag_names(entity):
    return {t["name"] for t in entity.get("Tag", [])}


@pytest.fixture
def event(api):
    """An event with one attribute, a past timestamp, published."""
    created = add_event(
        api,
        info="tag tests",
        timestamp=str(PAST),
        Attribute=[{"type": "domain", "value": f"{uuid.uuid4().hex}.example"}],
    )
    assert api.post(f"/events/publish/{created['id']}").status_code == 200
    return view_event(api, created["id"])


def test_add(api):
    name = unique_name()
    tag = add_tag(api, name=name, colour="#123456", exportable=True)
    assert tag["id"].isdigit()
    assert tag["name"] == name
    assert tag["colour"] == "#123456"
    assert tag["exportable"] is True
    assert tag["hide_tag"] is False


def test_add_wrapped(api):
    name = unique_name()
    response = api.post("/tags/add", json={"Tag": {"name": name}})
    assert response.status_code == 200, response.text
    assert response.json()["Tag"]["name"] == name


def test_add_default_colour(api):
    name = unique_name()
    tag = add_tag(api, name=name)
    # MISP picks a random colour; Cairn derives a stable one from the name.
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", tag["colour"]), tag["colour"]


def test_add_existing_name(api):
    name = unique_name()
    first = add_tag(api, name=name, colour="#111111")
    again = add_tag(api, name=name, colour="#222222")
    assert again["id"] == first["id"]
    assert again["colour"] == "#111111"


def test_index(api):
    name = unique_name()
    tag = add_tag(api, name=name)
    response = api.get("/tags/index")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["Tag"], list)
    listed = [t for t in body["Tag"] if t["name"] == name]
    assert len(listed) == 1
    assert listed[0]["id"] == tag["id"]


def test_view(api):
    name = unique_name()
    tag = add_tag(api, name=name, colour="#0a0b0c")
    response = api.get(f"/tags/view/{tag['id']}")
    assert response.status_code == 200, response.text
    # MISP returns the tag's fields without a {"Tag": ...} wrapper here.
    body = response.json()
    assert body["id"] == tag["id"]
    assert body["name"] == name
    assert body["colour"] == "#0a0b0c"


def assert_invalid_tag(response):
    # MISP 2.5 returns 405 on view ("Invalid Tag") and 404 on edit and
    # delete ("Invalid tag").
    assert response.status_code in (404, 405), response.text
    body = harness.assert_misp_error(response, response.status_code)
    assert body["name"].lower().rstrip(".") == "invalid tag"


def test_view_missing(api):
    assert_invalid_tag(api.get("/tags/view/999999"))


def test_edit(api):
    name = unique_name()
    tag = add_tag(api, name=name, colour="#000001")
    response = api.post(f"/tags/edit/{tag['id']}", json={"colour": "#abcdef"})
    assert response.status_code == 200, response.text
    edited = response.json()["Tag"]
    assert edited["id"] == tag["id"]
    assert edited["name"] == name
    assert edited["colour"] == "#abcdef"

    response = api.post(
        f"/tags/edit/{tag['id']}", json={"Tag": {"hide_tag": True}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["Tag"]["hide_tag"] is True
    assert api.get(f"/tags/view/{tag['id']}").json()["colour"] == "#abcdef"


def test_edit_missing(api):
    response = api.post("/tags/edit/999999", json={"colour": "#abcdef"})
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid tag"


def test_delete(api):
    tag = add_tag(api, name=unique_name())
    path = f"/tags/delete/{tag['id']}"
    response = api.post(path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Tag deleted."
    assert body["message"] == "Tag deleted."
    assert body["url"] == path
    assert_invalid_tag(api.get(f"/tags/view/{tag['id']}"))


def test_delete_missing(api):
    body = harness.assert_misp_error(api.post("/tags/delete/999999"), 404)
    assert body["name"] == "Invalid tag"


def attach(api, target_uuid, name, local=False):
    response = api.post(
        "/tags/attachTagToObject",
        json={"uuid": target_uuid, "tag": name, "local": local},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True
    assert body["success"] is True
    return body


def tag_id(api, name):
    tags = api.get("/tags/index").json()["Tag"]
    return next(t["id"] for t in tags if t["name"] == name)


def test_attach_to_event(api, event):
    name = unique_name()  # not created yet: attaching creates it
    body = attach(api, event["uuid"], name)
    expected = (
        f"Global tag {name}({tag_id(api, name)}) successfully attached to "
        f"Event({event['id']})."
    )
    assert body["message"] == expected
    stored = view_event(api, event["id"])
    assert name in tag_names(stored)
    # A global tag changes the event, so it is no longer published.
    assert stored["published"] is False


def test_attach_local_to_event(api, event):
    name = unique_name()
    tag = add_tag(api, name=name)
    body = attach(api, event["uuid"], name, local=True)
    assert body["message"] == (
        f"Local tag {name}({tag['id']}) successfully attached to "
        f"Event({event['id']})."
    )
    stored = view_event(api, event["id"])
    attached = [t for t in stored["Tag"] if t["name"] == name]
    assert len(attached) == 1
    assert attached[0]["local"] in (True, 1, "1")
    # Local tags are not shared, so they leave the event untouched.
    assert stored["timestamp"] == event["timestamp"]
    assert stored["published"] is True


def test_attach_twice(api, event):
    name = unique_name()
    add_tag(api, name=name)
    attach(api, event["uuid"], name)
    body = attach(api, event["uuid"], name)
    assert body["message"] == (
        f"Event already has the requested tag attached, no changes had to "
        f"be made for tag {name}."
    )
    stored = view_event(api, event["id"])
    assert [t["name"] for t in stored["Tag"]].count(name) == 1


def test_attach_to_attribute(api, event):
    name = unique_name()
    tag = add_tag(api, name=name)
    attribute = event["Attribute"][0]
    body = attach(api, attribute["uuid"], name)
    assert body["message"] == (
        f"Global tag {name}({tag['id']}) successfully attached to "
        f"Attribute({attribute['id']})."
    )
    response = api.get(f"/attributes/view/{attribute['id']}")
    assert name in tag_names(response.json()["Attribute"])
    stored = view_event(api, event["id"])
    assert name in tag_names(stored["Attribute"][0])
    assert name not in tag_names(stored)


def test_attach_unknown_target(api):
    name = unique_name()
    add_tag(api, name=name)
    response = api.post(
        "/tags/attachTagToObject", json={"uuid": str(uuid.uuid4()), "tag": name}
    )
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == "Invalid Target."


def test_remove_from_event(api, event):
    name = unique_name()
    tag = add_tag(api, name=name)
    attach(api, event["uuid"], name)
    response = api.post(
        "/tags/removeTagFromObject", json={"uuid": event["uuid"], "tag": name}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["saved"] is True
    assert body["message"] == (
        f"Global tag {name} ({tag['id']}) successfully removed from "
        f"Event({event['id']})."
    )
    assert name not in tag_names(view_event(api, event["id"]))


def test_remove_local_from_event(api, event):
    name = unique_name()
    tag = add_tag(api, name=name)
    attach(api, event["uuid"], name, local=True)
    response = api.post(
        "/tags/removeTagFromObject", json={"uuid": event["uuid"], "tag": name}
    )
    assert response.status_code == 200, response.text
    assert response.json()["message"] == (
        f"Local tag {name} ({tag['id']}) successfully removed from "
        f"Event({event['id']})."
    )
    stored = view_event(api, event["id"])
    assert name not in tag_names(stored)
    assert stored["timestamp"] == event["timestamp"]


def test_remove_from_attribute(api, event):
    name = unique_name()
    tag = add_tag(api, name=name)
    attribute = event["Attribute"][0]
    attach(api, attribute["uuid"], name)
    response = api.post(
        "/tags/removeTagFromObject", json={"uuid": attribute["uuid"], "tag": name}
    )
    assert response.status_code == 200, response.text
    assert response.json()["message"] == (
        f"Global tag {name} ({tag['id']}) successfully removed from "
        f"Attribute({attribute['id']})."
    )
    served = api.get(f"/attributes/view/{attribute['id']}").json()["Attribute"]
    assert name not in tag_names(served)


def test_remove_not_attached(api, event):
    name = unique_name()
    add_tag(api, name=name)
    response = api.post(
        "/tags/removeTagFromObject", json={"uuid": event["uuid"], "tag": name}
    )
    body = harness.assert_misp_error(response, 404)
    assert body["name"] == (
        "Could not remove tag as it is not attached to the target Event"
    )


def test_remove_unknown_tag(api, event):
    response = api.post(
        "/tags/removeTagFromObject",
        json={"uuid": event["uuid"], "tag": unique_name()},
    )
    # MISP raises MethodNotAllowedException here, hence 405.
    body = harness.assert_misp_error(response, 405)
    assert body["name"] == "Invalid Tag."

