"""Warninglists: index, view, toggleEnable and checkValue against the real
misp-warninglists folder that the server loads with --library."""

import json

import pytest

import harness

DNS_V4 = "List of known IPv4 public DNS resolvers"
EMPTY_HASHES = (
    "List of known hashes with common false-positives (based on Florian "
    "Roth input list)"
)
MD5_EMPTY_FILE = "d41d8cd98f00b204e9800998ecf8427e"


def folder_lists():
    """Return the list.json documents of the shared folder by name."""
    root = harness.shared_data() / "warninglists" / "lists"
    docs = {}
    for path in root.glob("*/list.json"):
        doc = json.loads(path.read_text())
        docs[doc["name"]] = doc
    return docs


@pytest.fixture(scope="module")
def index(api):
    response = api.get("/warninglists/index")
    assert response.status_code == 200, response.text
    return response.json()["Warninglists"]


def list_id(index, name):
    for row in index:
        if row["Warninglist"]["name"] == name:
            return row["Warninglist"]["id"]
    raise AssertionError(f"warninglist {name!r} is not in the index")


def toggle(api, **body):
    response = api.post("/warninglists/toggleEnable", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def check(api, values):
    response = api.post("/warninglists/checkValue", json=values)
    assert response.status_code == 200, response.text
    return response.json()


def test_index_lists_every_folder_list(index):
    docs = folder_lists()
    assert len(index) == len(docs)
    names = {row["Warninglist"]["name"] for row in index}
    assert names == set(docs)


def test_index_row_shape(index):
    row = next(
        r["Warninglist"] for r in index if r["Warninglist"]["name"] == DNS_V4
    )
    doc = folder_lists()[DNS_V4]
    assert row["type"] == "cidr"
    assert row["enabled"] is False
    assert row["id"].isdigit()
    assert row["version"] == str(doc["version"])
    assert row["warninglist_entry_count"] == str(len(doc["list"]))
    assert row["valid_attributes"] == ", ".join(doc["matching_attributes"])
    assert row["category"] == "false_positive"


def test_ids_follow_sorted_names(index):
    by_id = sorted(index, key=lambda r: int(r["Warninglist"]["id"]))
    names = [r["Warninglist"]["name"] for r in by_id]
    assert names == sorted(names)
    assert [int(r["Warninglist"]["id"]) for r in by_id] == list(
        range(1, len(by_id) + 1)
    )


def test_index_filters_by_value(api):
    response = api.post("/warninglists/index", json={"value": "dns resolv"})
    assert response.status_code == 200, response.text
    names = {r["Warninglist"]["name"] for r in response.json()["Warninglists"]}
    assert DNS_V4 in names
    assert EMPTY_HASHES not in names


def test_view_has_entries_and_types(api, index):
    wid = list_id(index, EMPTY_HASHES)
    response = api.get(f"/warninglists/view/{wid}")
    assert response.status_code == 200, response.text
    wl = response.json()["Warninglist"]
    assert wl["name"] == EMPTY_HASHES
    assert wl["id"] == wid
    values = [e["value"] for e in wl["WarninglistEntry"]]
    assert MD5_EMPTY_FILE in values
    assert all(e["warninglist_id"] == wid for e in wl["WarninglistEntry"])
    assert "md5" in [t["type"] for t in wl["WarninglistType"]]


def test_view_unknown_and_invalid_ids(api):
    response = api.get("/warninglists/view/99999")
    assert response.status_code == 404
    assert response.json()["message"] == "Warninglist not found."
    response = api.get("/warninglists/view/abc")
    assert response.status_code == 404
    assert response.json()["message"] == "Invalid ID."


def test_enable_check_disable_by_id(api, index):
    """The flow of PyMISP's test_warninglists."""
    wid = list_id(index, EMPTY_HASHES)
    assert toggle(api, id=wid, enabled=True) == {
        "saved": True,
        "success": "1 warninglist(s) enabled",
    }
    hits = check(api, [MD5_EMPTY_FILE])
    assert hits[MD5_EMPTY_FILE][0]["name"] == EMPTY_HASHES
    assert hits[MD5_EMPTY_FILE][0]["id"] == wid
    assert toggle(api, id=wid, enabled=False) == {
        "saved": True,
        "success": "1 warninglist(s) disabled",
    }
    assert check(api, [MD5_EMPTY_FILE]) == []


def test_toggle_without_state_flips(api, index):
    wid = list_id(index, EMPTY_HASHES)
    assert toggle(api, id=[wid])["success"] == "1 warninglist(s) enabled"
    assert toggle(api, id=[wid])["success"] == "1 warninglist(s) disabled"


def test_toggle_by_name_pattern(api):
    body = toggle(api, name=["%dns resolv%"], enabled=1)
    assert body["saved"] is True
    assert body["success"].endswith(" warninglist(s) enabled")
    count = int(body["success"].split()[0])
    assert count >= 2
    body = toggle(api, name="%dns resolv%")
    assert body == {
        "saved": True,
        "success": f"{count} warninglist(s) toggled",
    }


def test_toggle_errors(api):
    assert toggle(api, id=[999999], enabled=True) == {
        "saved": False,
        "errors": "Warninglist(s) not found.",
    }
    assert toggle(api, enabled=True) == {
        "saved": False,
        "errors": "Warninglist not found.",
    }


def test_check_value_real_resolver(api, index):
    """8.8.8.8 is in the public DNS resolvers list; a documentation
    address is in no list that a fresh server enables."""
    wid = list_id(index, DNS_V4)
    toggle(api, id=wid, enabled=True)
    try:
        hits = check(api, ["8.8.8.8", " 8.8.4.4\n", "192.0.2.55"])
        assert {"id": wid, "name": DNS_V4, "matched": "8.8.8.8"} in hits[
            "8.8.8.8"
        ]
        assert any(h["id"] == wid for h in hits["8.8.4.4"])
        assert "192.0.2.55" not in hits
    finally:
        toggle(api, id=wid, enabled=False)


def test_check_value_repeats_once(api, index):
    """A value sent several times, with or without spaces, gets each hit
    once."""
    wid = list_id(index, DNS_V4)
    toggle(api, id=wid, enabled=True)
    try:
        hits = check(api, ["8.8.8.8", "8.8.8.8", " 8.8.8.8"])
        ids = [h["id"] for h in hits["8.8.8.8"]]
        assert len(ids) == len(set(ids)), hits
        assert wid in ids
    finally:
        toggle(api, id=wid, enabled=False)


def test_check_value_hostname_subdomain(api, index):
    doc = folder_lists()
    name = next(
        n
        for n, d in doc.items()
        if d["type"] == "hostname" and "dns.google" in d["list"]
    )
    wid = list_id(index, name)
    toggle(api, id=wid, enabled=True)
    try:
        hits = check(
            api, ["a.b.dns.google", "https://dns.google/resolve", "xdns.google"]
        )
        assert any(h["id"] == wid for h in hits["a.b.dns.google"])
        assert any(h["id"] == wid for h in hits["https://dns.google/resolve"])
        assert "xdns.google" not in hits
    finally:
        toggle(api, id=wid, enabled=False)


def test_check_value_requires_data(api):
    response = api.post("/warninglists/checkValue", json=[])
    assert response.status_code == 404
    assert response.json()["message"] == "No valid data received."


def test_enforce_warninglist_on_add(api, index):
    """With enforceWarninglist, an attribute on an enabled list is
    rejected; without it, the same value is stored."""
    wid = list_id(index, DNS_V4)
    toggle(api, id=wid, enabled=True)
    try:
        event = harness.add_event(api, info="enforce warninglist")
        rejected = api.post(
            f"/attributes/add/{event['id']}",
            json={"type": "ip-dst", "value": "8.8.8.8",
                  "enforceWarninglist": True},
        )
        assert rejected.status_code == 403, rejected.text
        assert "trips over a warninglist and enforceWarninglist is enforced" \
            in rejected.text
        named = api.post(
            f"/attributes/add/{event['id']}/enforceWarninglist:1",
            json={"type": "ip-dst", "value": "8.8.4.4"},
        )
        assert named.status_code == 403, named.text
        stored = api.post(
            f"/attributes/add/{event['id']}",
            json={"type": "ip-dst", "value": "8.8.8.8"},
        )
        assert stored.status_code == 200, stored.text
    finally:
        toggle(api, id=wid, enabled=False)


def test_view_warninglist_hits(api, index):
    """includeWarninglistHits adds "warnings" to the to_ids attributes
    on an enabled list, in MISP's shape, and nothing without it."""
    wid = list_id(index, DNS_V4)
    event = harness.add_event(
        api,
        info="warninglist hits",
        Attribute=[
            {"type": "ip-dst", "value": "8.8.8.8", "to_ids": True},
            {"type": "ip-dst", "value": "8.8.4.4", "to_ids": False},
            {"type": "ip-dst", "value": "198.51.100.99", "to_ids": True},
        ],
    )
    toggle(api, id=wid, enabled=True)
    try:
        served = api.get(
            f"/events/view/{event['id']}/includeWarninglistHits:1"
        ).json()["Event"]
        by_value = {a["value"]: a for a in served["Attribute"]}
        assert by_value["8.8.8.8"]["warnings"] == [
            {
                "value": "8.8.8.8",
                "match": "8.8.8.8",
                "warninglist_id": wid,
                "warninglist_name": DNS_V4,
                "warninglist_category": "false_positive",
            }
        ]
        # MISP checks only attributes with to_ids set.
        assert "warnings" not in by_value["8.8.4.4"]
        assert "warnings" not in by_value["198.51.100.99"]
        plain = harness.view_event(api, event["id"])
        assert all("warnings" not in a for a in plain["Attribute"])
    finally:
        toggle(api, id=wid, enabled=False)
    served = api.get(
        f"/events/view/{event['id']}/includeWarninglistHits:1"
    ).json()["Event"]
    assert all("warnings" not in a for a in served["Attribute"])


def test_enforce_warninglist_on_event_add(api, index):
    """events/add with enforceWarninglist leaves out the attributes on an
    enabled list and names each one in "errors"."""
    wid = list_id(index, DNS_V4)
    toggle(api, id=wid, enabled=True)
    try:
        response = api.post(
            "/events/add",
            json={
                "info": "enforce on add",
                "enforceWarninglist": True,
                "Attribute": [
                    {"type": "ip-dst", "value": "198.51.100.98"},
                    {"type": "ip-dst", "value": "8.8.8.8"},
                ],
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        values = [a["value"] for a in body["Event"]["Attribute"]]
        assert values == ["198.51.100.98"]
        assert list(body["errors"]["Attribute"]) == ["1"]
        assert "trips over a warninglist" in (
            body["errors"]["Attribute"]["1"]["value"][0]
        )
        kept = api.post(
            "/events/add",
            json={"info": "no enforce",
                  "Attribute": [{"type": "ip-dst", "value": "8.8.8.8"}]},
        )
        assert kept.status_code == 200, kept.text
        assert len(kept.json()["Event"]["Attribute"]) == 1
    finally:
        toggle(api, id=wid, enabled=False)
