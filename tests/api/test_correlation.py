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


# -------- composite halves, CIDR blocks, exclusions --------


def granular(api, event_id):
    """Return the Attribute list of events/view with RelatedAttribute."""
    response = api.get(
        f"/events/view/{event_id}/includeGranularCorrelations:1"
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()["Event"]["Attribute"]


def test_ip_finds_domain_ip(api):
    address = "198.51.100.77"
    pair = add_event(
        api,
        Attribute=[
            {"type": "domain|ip", "value": f"{unique_domain('dip')}|{address}"}
        ],
    )
    plain = add_event(api, Attribute=[{"type": "ip-src", "value": address}])
    assert pair["id"] in related_ids(view_event(api, plain["id"]))
    assert plain["id"] in related_ids(view_event(api, pair["id"]))
    related = granular(api, plain["id"])[0]["RelatedAttribute"]
    assert [r["attribute_id"] for r in related] == [
        pair["Attribute"][0]["id"]
    ]
    assert related[0]["value"] == address


def test_filename_md5_same_hash(api):
    digest = uuid.uuid4().hex
    first = add_event(
        api, Attribute=[{"type": "filename|md5", "value": f"a.exe|{digest}"}]
    )
    second = add_event(
        api, Attribute=[{"type": "filename|md5", "value": f"b.dll|{digest}"}]
    )
    assert second["id"] in related_ids(view_event(api, first["id"]))
    assert first["id"] in related_ids(view_event(api, second["id"]))


def test_cidr_ipv6_block(api):
    block = add_event(
        api, Attribute=[{"type": "ip-dst", "value": "2001:db8:1::/48"}]
    )
    inside = add_event(
        api, Attribute=[{"type": "ip-dst", "value": "2001:db8:1:5::1"}]
    )
    outside = add_event(
        api, Attribute=[{"type": "ip-dst", "value": "2001:db8:2::1"}]
    )
    assert inside["id"] in related_ids(view_event(api, block["id"]))
    assert block["id"] in related_ids(view_event(api, inside["id"]))
    assert outside["id"] not in related_ids(view_event(api, block["id"]))
    assert block["id"] not in related_ids(view_event(api, outside["id"]))
    related = granular(api, inside["id"])[0]["RelatedAttribute"]
    assert {r["id"] for r in related} == {block["id"]}
    assert related[0]["value"] == "2001:db8:1::/48"


def test_cidr_ipv4_composite_address(api):
    host = add_event(
        api, Attribute=[{"type": "ip-src|port", "value": "10.61.7.9|4444"}]
    )
    block = add_event(
        api, Attribute=[{"type": "ip-dst", "value": "10.61.7.0/24"}]
    )
    assert block["id"] in related_ids(view_event(api, host["id"]))
    assert host["id"] in related_ids(view_event(api, block["id"]))


def test_mapped_cidr_then_adds(api):
    mapped = add_event(
        api, Attribute=[{"type": "ip-dst", "value": "::ffff:10.62.0.0/112"}]
    )
    stored = mapped["Attribute"][0]["value"]
    inside = add_event(
        api, Attribute=[{"type": "ip-dst", "value": "10.62.3.4"}]
    )
    later = add_event(
        api,
        Attribute=[
            {"type": "domain", "value": unique_domain("later")},
            {"type": "ip-src", "value": "10.63.0.1"},
        ],
    )
    assert len(later["Attribute"]) == 2
    assert inside["id"] in related_ids(view_event(api, mapped["id"])), stored
    assert related_ids(view_event(api, later["id"])) == []


def admin_only(api, user, method, path, body=None):
    response = user.request(method, path, json=body)
    harness.assert_misp_error(response, 403)


def test_exclusion_crud_and_effect(api, server):
    value = unique_domain("excluded")
    first = add_event(api, Attribute=[{"type": "domain", "value": value}])
    second = add_event(api, Attribute=[{"type": "domain", "value": value}])
    assert second["id"] in related_ids(view_event(api, first["id"]))

    response = api.post(
        "/correlation_exclusions/add",
        json={"value": value, "comment": "noise"},
    )
    assert response.status_code == 200, response.text
    added = response.json()["CorrelationExclusion"]
    assert added["value"] == value
    assert added["comment"] == "noise"
    assert added["from_json"] is False
    assert related_ids(view_event(api, first["id"])) == []

    again = api.post("/correlation_exclusions/add", json={"value": value})
    body = harness.assert_misp_error(again, 403)
    assert "value" in body["errors"]

    listed = api.get("/correlation_exclusions/index").json()
    assert {"CorrelationExclusion": added} in listed
    viewed = api.get(f"/correlation_exclusions/view/{added['id']}")
    assert viewed.json() == {"CorrelationExclusion": added}

    edited = api.post(
        f"/correlation_exclusions/edit/{added['id']}",
        json={"CorrelationExclusion": {"comment": "edited"}},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["CorrelationExclusion"]["comment"] == "edited"
    assert edited.json()["CorrelationExclusion"]["value"] == value

    clean = api.post("/correlation_exclusions/clean")
    assert clean.status_code == 200, clean.text
    assert clean.json()["success"] is True

    deleted = api.post(f"/correlation_exclusions/delete/{added['id']}")
    assert deleted.status_code == 200, deleted.text
    assert second["id"] in related_ids(view_event(api, first["id"]))
    missing = api.get(f"/correlation_exclusions/view/{added['id']}")
    harness.assert_misp_error(missing, 404)


def test_exclusion_wildcard_on_cidr(api):
    block = add_event(
        api, Attribute=[{"type": "ip-dst", "value": "10.64.0.0/16"}]
    )
    host = add_event(api, Attribute=[{"type": "ip-dst", "value": "10.64.1.1"}])
    assert host["id"] in related_ids(view_event(api, block["id"]))
    response = api.post(
        "/correlation_exclusions/add", json={"value": "10.64.%"}
    )
    assert response.status_code == 200, response.text
    assert related_ids(view_event(api, block["id"])) == []
    assert related_ids(view_event(api, host["id"])) == []


def role_id(api, name):
    roles = api.get("/roles").json()
    return next(r["Role"]["id"] for r in roles if r["Role"]["name"] == name)


@pytest.fixture(scope="module")
def outsider(api, server):
    """A user (role User) of an organisation of its own."""
    import accounts

    org = accounts.add_org(api)
    _, key = accounts.add_user(api, org["id"], role_id(api, "User"))
    session = accounts.session(server, key)
    yield session
    session.close()


def test_exclusions_need_site_admin(api, outsider):
    admin_only(api, outsider, "GET", "/correlation_exclusions/index")
    admin_only(api, outsider, "POST", "/correlation_exclusions/add",
               {"value": "x.example"})
    admin_only(api, outsider, "POST", "/correlation_exclusions/clean")
    admin_only(api, outsider, "GET", "/correlations/overCorrelations")


def test_cidr_hides_invisible_event(api, outsider):
    hidden = add_event(
        api,
        distribution=0,
        Attribute=[{"type": "ip-dst", "value": "10.65.0.0/16"}],
    )
    own = add_event(
        outsider, Attribute=[{"type": "ip-dst", "value": "10.65.9.9"}]
    )
    assert related_ids(view_event(outsider, own["id"])) == []
    assert granular(outsider, own["id"])[0]["RelatedAttribute"] == []
    # The site admin sees both events, so they correlate for it.
    assert own["id"] in related_ids(view_event(api, hidden["id"]))


@pytest.fixture(scope="module")
def limited_api(tmp_path_factory):
    """A server started with CAIRN_CORRELATION_LIMIT=2."""
    import os

    path = tmp_path_factory.mktemp("limited") / "cairn"
    key = harness.init_data_dir(path)
    log = tmp_path_factory.mktemp("limitedlog") / "serve.log"
    env = dict(os.environ, CAIRN_CORRELATION_LIMIT="2")
    server = harness.Server(path, key, log, env=env)
    server.start()
    session = harness.ApiSession(server.url, key)
    yield session
    session.close()
    harness.check_stopped(server)


def test_correlation_limit_setting(limited_api):
    value = unique_domain("limited")
    events = [
        add_event(limited_api, Attribute=[{"type": "domain", "value": value}])
        for _ in range(2)
    ]
    assert related_ids(view_event(limited_api, events[0]["id"])) == [
        events[1]["id"]
    ]
    add_event(limited_api, Attribute=[{"type": "domain", "value": value}])
    assert related_ids(view_event(limited_api, events[0]["id"])) == []

    response = limited_api.get("/correlations/overCorrelations")
    assert response.status_code == 200, response.text
    entries = response.json()
    assert {
        "OverCorrelatingValue": {"value": value, "occurrence": 3},
        "excluded": False,
    } in entries
    empty = limited_api.get(
        "/correlations/overCorrelations/scope:not_over_correlating"
    )
    assert empty.json() == []
    page = limited_api.get("/correlations/overCorrelations/limit:1/page:99")
    assert page.json() == []
    bad = limited_api.get("/correlations/overCorrelations/limit:0")
    harness.assert_misp_error(bad, 400)
