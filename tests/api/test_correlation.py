"""Correlation in events/view: RelatedEvent between events that share a
value, RelatedAttribute with includeGranularCorrelations, and the events
of a real feed finding each other through their shared indicators.
"""

import json
import uuid
from collections import defaultdict

import pytest

import harness
from harness import add_event, view_event

FEED = "misp-feed/tweetfeed"
NOT_EVENTS = {"manifest.json", "hashes.csv"}

# Cairn's default over-correlation limit: a value found in more events
# than this does not correlate.
MAX_EVENTS = 20

# MISP's types that never correlate.
NON_CORRELATING = {
    "comment", "http-method", "aba-rtn", "gender", "counter", "integer",
    "float", "port", "nationality", "cortex", "boolean", "anonymised",
}

# Shared values of the feed checked one by one.
FEED_PAIRS = 10


def related_ids(event):
    """Return the ids of the RelatedEvent entries of an Event dict."""
    return [entry["Event"]["id"] for entry in event.get("RelatedEvent", [])]


def unique_domain(label):
    return f"{label}-{uuid.uuid4().hex[:12]}.example"


@pytest.fixture(scope="module")
def pair(api):
    """Two events that share one domain, and a third that shares nothing."""
    shared = unique_domain("shared")
    first = add_event(
        api,
        info="correlation first",
        date="2024-02-01",
        Attribute=[
            {"type": "domain", "value": shared},
            {"type": "port", "value": "8443"},
        ],
    )
    second = add_event(
        api,
        info="correlation second",
        date="2024-03-01",
        Attribute=[
            {"type": "domain", "value": shared},
            {"type": "port", "value": "8443"},
        ],
    )
    alone = add_event(
        api,
        info="correlation alone",
        Attribute=[{"type": "domain", "value": unique_domain("alone")}],
    )
    return first, second, alone, shared


def test_related_both_ways(api, pair):
    first, second, _, _ = pair
    assert related_ids(view_event(api, first["id"])) == [second["id"]]
    assert related_ids(view_event(api, second["id"])) == [first["id"]]


def test_related_never_self(api, pair):
    for event in pair[:3]:
        served = view_event(api, event["id"])
        assert event["id"] not in related_ids(served)


def test_unrelated_event_empty(api, pair):
    served = view_event(api, pair[2]["id"])
    assert served["RelatedEvent"] == []


def test_related_event_shape(api, pair):
    first, second, _, _ = pair
    entry = view_event(api, first["id"])["RelatedEvent"][0]
    assert set(entry) == {"Event"}
    related = entry["Event"]
    for field in ("id", "date", "threat_level_id", "info", "published",
                  "uuid", "analysis", "timestamp", "distribution",
                  "org_id", "orgc_id", "Org", "Orgc"):
        assert field in related, f"RelatedEvent.Event has no {field!r}"
    assert related["uuid"] == second["uuid"]
    assert related["info"] == "correlation second"
    assert related["date"] == "2024-03-01"
    assert isinstance(related["id"], str)
    assert isinstance(related["published"], bool)
    assert related["Orgc"]["name"] == "ORGNAME"
    assert set(related["Org"]) == {"id", "name", "uuid"}
    assert "Attribute" not in related


def test_correlations_off(api, pair):
    response = api.get(
        f"/events/view/{pair[0]['id']}/includeEventCorrelations:0"
    )
    assert response.status_code == 200, response.text[:500]
    assert "RelatedEvent" not in response.json()["Event"]


def test_granular_correlations(api, pair):
    first, second, _, shared = pair
    response = api.get(
        f"/events/view/{first['id']}/includeGranularCorrelations:1"
    )
    assert response.status_code == 200, response.text[:500]
    attributes = {a["type"]: a for a in response.json()["Event"]["Attribute"]}
    related = attributes["domain"]["RelatedAttribute"]
    second_domain = next(
        a for a in second["Attribute"] if a["type"] == "domain"
    )
    assert related == [
        {
            "id": second["id"],
            "attribute_id": second_domain["id"],
            "value": shared,
            "org_id": second["orgc_id"],
            "info": "correlation second",
            "date": "2024-03-01",
        }
    ]
    # A port never correlates, so its list is empty.
    assert attributes["port"]["RelatedAttribute"] == []


def test_no_granular_by_default(api, pair):
    served = view_event(api, pair[0]["id"])
    for attribute in served["Attribute"]:
        assert "RelatedAttribute" not in attribute


def test_ip_port_and_plain_ip(api):
    address = "192.0.2.10"
    with_port = add_event(
        api, Attribute=[{"type": "ip-dst|port", "value": f"{address}|80"}]
    )
    plain = add_event(api, Attribute=[{"type": "ip-dst", "value": address}])
    other = add_event(
        api, Attribute=[{"type": "ip-dst|port", "value": "198.51.100.20|80"}]
    )
    assert plain["id"] in related_ids(view_event(api, with_port["id"]))
    assert with_port["id"] in related_ids(view_event(api, plain["id"]))
    # Sharing only the port is no correlation.
    assert related_ids(view_event(api, other["id"])) == []


def test_disable_correlation(api):
    value = unique_domain("quiet")
    loud = add_event(api, Attribute=[{"type": "domain", "value": value}])
    quiet = add_event(
        api,
        Attribute=[
            {"type": "domain", "value": value, "disable_correlation": True}
        ],
    )
    assert related_ids(view_event(api, loud["id"])) == []
    assert related_ids(view_event(api, quiet["id"])) == []


def test_deleted_attribute_stops(api):
    value = unique_domain("deleted")
    keep = add_event(api, Attribute=[{"type": "domain", "value": value}])
    drop = add_event(api, Attribute=[{"type": "domain", "value": value}])
    assert related_ids(view_event(api, keep["id"])) == [drop["id"]]

    attribute_id = drop["Attribute"][0]["id"]
    response = api.post(f"/attributes/delete/{attribute_id}")
    assert response.status_code == 200, response.text[:500]
    assert related_ids(view_event(api, keep["id"])) == []


def test_over_correlation_limit(api):
    value = unique_domain("busy")
    events = [
        add_event(api, Attribute=[{"type": "domain", "value": value}])
        for _ in range(MAX_EVENTS)
    ]
    # At the limit the value still correlates.
    assert len(related_ids(view_event(api, events[0]["id"]))) == MAX_EVENTS - 1

    add_event(api, Attribute=[{"type": "domain", "value": value}])
    assert related_ids(view_event(api, events[0]["id"])) == []


# -------- a real feed --------


def feed_shared_values(folder):
    """Map each correlating value found in 2 to MAX_EVENTS events of the
    feed to the uuids of those events."""
    holders = defaultdict(set)
    for path in sorted(folder.iterdir()):
        if path.name in NOT_EVENTS or path.suffix != ".json":
            continue
        event = json.loads(path.read_text())["Event"]
        if event.get("disable_correlation"):
            continue
        attributes = list(event.get("Attribute", []))
        for obj in event.get("Object", []):
            attributes.extend(obj.get("Attribute", []))
        for attribute in attributes:
            if (attribute["type"] in NON_CORRELATING
                    or "|" in attribute["type"]
                    or attribute.get("deleted")
                    or attribute.get("disable_correlation")):
                continue
            holders[attribute["value"]].add(event["uuid"])
    return {
        value: uuids
        for value, uuids in holders.items()
        if 2 <= len(uuids) <= MAX_EVENTS
    }


@pytest.fixture(scope="module")
def feed_api(tmp_path_factory, shared_data):
    """A second server with the feed imported before it starts."""
    path = tmp_path_factory.mktemp("feed") / "cairn"
    key = harness.init_data_dir(path)
    done = harness.import_paths(path, shared_data / FEED)
    assert done.returncode == 0, done.stderr[-3000:]
    log = tmp_path_factory.mktemp("feedlog") / "serve.log"
    server = harness.Server(path, key, log)
    server.start()
    session = harness.ApiSession(server.url, key)
    yield session
    session.close()
    harness.check_stopped(server)


def test_feed_days_related(feed_api, shared_data):
    shared = feed_shared_values(shared_data / FEED)
    assert shared, "the feed has no value shared by two events"

    checked = 0
    for value, uuids in sorted(shared.items())[:FEED_PAIRS]:
        served = {u: view_event(feed_api, u) for u in sorted(uuids)}
        ids = {u: event["id"] for u, event in served.items()}
        for event_uuid, event in served.items():
            related = set(related_ids(event))
            others = {ids[u] for u in uuids if u != event_uuid}
            assert others <= related, (
                f"event {event_uuid} shares {value!r} with {sorted(others)} "
                f"but lists only {sorted(related)}"
            )
            assert event["id"] not in related
        checked += 1
    assert checked >= 1
