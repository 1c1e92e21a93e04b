"""restSearch filters: for each filter a case that includes, one that
excludes and the 0/false case, over a small world of two events whose
timestamps are set in the database to fixed values."""

import json
import sqlite3
import time

import pytest

import harness

DAY = 86400
# Fixed times, relative to the start of the module, so that "7d" and
# [from, to] pairs select by days and never by the speed of the run.
NOW = int(time.time())
ALPHA_PUBLISHED = NOW - 2 * DAY
BETA_PUBLISHED = NOW - 30 * DAY
ALPHA_TS = 1_700_000_000
BETA_TS = 1_600_000_000


def attribute(type_, value, **extra):
    body = {"type": type_, "value": value}
    body.update(extra)
    return body


@pytest.fixture(scope="module")
def world(cairn_data, server, api):
    alpha = api.post("/events/add", json={
        "info": "alpha event", "date": "2026-01-10", "threat_level_id": 1,
        "analysis": 0, "distribution": 1,
        "Tag": [{"name": "tlp:white"}],
        "Attribute": [
            attribute("ip-dst", "10.0.0.1", to_ids=True, comment="first c",
                      category="Network activity",
                      Tag=[{"name": "attr:red"}],
                      Sighting=[{"type": "0", "source": "sensor-a"},
                                {"type": "1", "source": "sensor-b"}]),
            attribute("domain", "example.com", to_ids=False,
                      category="Network activity"),
            attribute("md5", "D41D8CD98F00B204E9800998ECF8427E",
                      category="Payload delivery", to_ids=True),
            attribute("ip-dst|port", "10.0.0.9|443", to_ids=True),
            attribute("ip-dst", "2001:0DB8::0001", to_ids=True,
                      first_seen="2024-01-01T00:00:00Z",
                      last_seen="2024-06-01T00:00:00Z"),
        ],
    })
    assert alpha.status_code == 200, alpha.text
    alpha = alpha.json()["Event"]
    done = api.post(f"/events/publish/{alpha['id']}")
    assert done.status_code == 200, done.text

    beta = api.post("/events/add", json={
        "info": "beta event", "date": "2026-02-20", "threat_level_id": 3,
        "analysis": 2, "distribution": 0,
        "Tag": [{"name": "tlp:green"}],
        "Attribute": [
            attribute("domain", "evil.test", to_ids=True,
                      Tag=[{"name": "attr:red"}, {"name": "attr:blue"}]),
            attribute("text", "0", to_ids=False, comment="zero"),
            attribute("url", "http://evil.test/x", to_ids=True),
        ],
        "Object": [{
            "name": "domain-ip", "meta-category": "network",
            "Attribute": [attribute("domain", "obj.test", to_ids=False,
                                    object_relation="domain")],
        }],
    })
    assert beta.status_code == 200, beta.text
    beta = beta.json()["Event"]
    by_value = {a["value"]: a for e in (alpha, beta)
                for a in e["Attribute"]}
    for obj in beta["Object"]:
        for a in obj["Attribute"]:
            by_value[a["value"]] = a
    deleted = by_value["http://evil.test/x"]
    response = api.post(f"/attributes/delete/{deleted['id']}")
    assert response.status_code == 200, response.text

    db = sqlite3.connect(cairn_data.path / "cairn.db")
    with db:
        db.execute("UPDATE events SET publish_timestamp = ?, timestamp = ?"
                   " WHERE id = ?", (ALPHA_PUBLISHED, ALPHA_TS, alpha["id"]))
        db.execute("UPDATE events SET publish_timestamp = ?, timestamp = ?"
                   " WHERE id = ?", (BETA_PUBLISHED, BETA_TS, beta["id"]))
        db.execute("UPDATE attributes SET timestamp = ? WHERE event_id = ?",
                   (ALPHA_TS + 10, alpha["id"]))
        db.execute("UPDATE attributes SET timestamp = ? WHERE event_id = ?",
                   (BETA_TS + 10, beta["id"]))
    db.close()
    return {"alpha": alpha, "beta": beta, "by_value": by_value}


def values(api, body, path="/attributes/restSearch"):
    response = api.post(path, json=body)
    assert response.status_code == 200, f"{body}: {response.text}"
    return {a["value"] for a in response.json()["response"]["Attribute"]}


ALPHA = {"10.0.0.1", "example.com", "d41d8cd98f00b204e9800998ecf8427e",
         "10.0.0.9|443", "2001:db8::1"}
BETA = {"evil.test", "0", "obj.test"}
ALL = ALPHA | BETA

# (filters, expected values): per filter an including case, an excluding
# case and the 0 or false case where the filter takes one.
CASES = [
    ({"value": "10.0.0.1"}, {"10.0.0.1"}),
    ({"value": "10.0.0.2"}, set()),
    ({"value": "0"}, {"0"}),
    ({"value": ["10.0.0.1", "evil.test"]}, {"10.0.0.1", "evil.test"}),
    ({"value": "%.test"}, {"evil.test", "obj.test"}),
    ({"value": "!10.0.0.1"}, ALL - {"10.0.0.1"}),
    ({"value": "443"}, {"10.0.0.9|443"}),
    ({"value": "10.0.0.9"}, {"10.0.0.9|443"}),
    ({"value": "2001:0DB8::0001"}, {"2001:db8::1"}),
    ({"value": "D41D8CD98F00B204E9800998ECF8427E"},
     {"d41d8cd98f00b204e9800998ecf8427e"}),
    ({"type": "ip-dst"}, {"10.0.0.1", "2001:db8::1"}),
    ({"type": "sha1"}, set()),
    ({"type": ["!ip-dst", "!domain"]},
     ALL - {"10.0.0.1", "2001:db8::1", "example.com", "evil.test",
            "obj.test"}),
    ({"category": "Payload delivery"}, {"d41d8cd98f00b204e9800998ecf8427e"}),
    ({"category": "Attribution"}, set()),
    ({"eventinfo": "alpha%"}, ALPHA),
    ({"eventinfo": "gamma"}, set()),
    ({"from": "2026-02-01"}, BETA),
    ({"to": "2026-01-31"}, ALPHA),
    ({"from": "2026-03-01"}, set()),
    ({"last": "7d"}, ALPHA),
    ({"last": "60d"}, ALL),
    ({"last": "1h"}, set()),
    ({"timestamp": ALPHA_TS}, ALPHA),
    ({"timestamp": [BETA_TS, BETA_TS + 10]}, BETA),
    ({"timestamp": [BETA_TS, BETA_TS + 9]}, set()),
    ({"timestamp": 0}, ALL),
    ({"publish_timestamp": [BETA_PUBLISHED, BETA_PUBLISHED]}, BETA),
    ({"publish_timestamp": "7d"}, ALPHA),
    ({"publish_timestamp": NOW + DAY}, set()),
    ({"event_timestamp": ALPHA_TS}, ALPHA),
    ({"event_timestamp": [0, BETA_TS]}, BETA),
    ({"first_seen": "2023-12-01"}, {"2001:db8::1"}),
    ({"first_seen": "2025-01-01"}, set()),
    ({"last_seen": "2024-07-01"}, {"2001:db8::1"}),
    ({"last_seen": "2024-05-01"}, set()),
    ({"published": True}, ALPHA),
    ({"published": False}, BETA),
    ({"published": "0"}, BETA),
    ({"to_ids": 1}, {"10.0.0.1", "d41d8cd98f00b204e9800998ecf8427e",
                     "10.0.0.9|443", "2001:db8::1", "evil.test"}),
    ({"to_ids": 0}, {"example.com", "0", "obj.test"}),
    ({"to_ids": "0"}, {"example.com", "0", "obj.test"}),
    ({"to_ids": False}, {"example.com", "0", "obj.test"}),
    ({"deleted": 1}, {"http://evil.test/x"}),
    ({"deleted": 0}, ALL),
    ({"deleted": [0, 1]}, ALL | {"http://evil.test/x"}),
    ({"threat_level_id": 1}, ALPHA),
    ({"threat_level_id": [2, 4]}, set()),
    ({"threat_level_id": "!1"}, BETA),
    ({"analysis": 2}, BETA),
    ({"analysis": 0}, ALPHA),
    ({"analysis": 1}, set()),
    ({"distribution": 5}, ALL),
    ({"distribution": 0}, set()),
    ({"sharinggroup": 0}, ALL),
    ({"sharinggroup": 7}, set()),
    ({"object_relation": "domain"}, {"obj.test"}),
    ({"object_relation": "ip"}, set()),
    ({"searchall": "first c"}, {"10.0.0.1"}),
    ({"searchall": "beta"}, BETA),
    ({"searchall": "nothing like it"}, set()),
    ({"searchall": "evil", "type": "url"}, set()),
    ({"searchall": "evil", "type": "domain"}, {"evil.test"}),
    ({"org": 1}, ALL),
    ({"org": "ORGNAME"}, ALL),
    ({"org": "no such org"}, set()),
    ({"org": 0}, set()),
    ({"eventid": 0}, set()),
]


@pytest.mark.parametrize("body, expected", CASES,
                         ids=[str(c[0]) for c in CASES])
def test_attribute_filter(world, api, body, expected):
    assert values(api, body) == expected


def test_uuid_and_eventid(world, api):
    alpha, beta = world["alpha"], world["beta"]
    target = world["by_value"]["10.0.0.1"]
    assert values(api, {"uuid": target["uuid"]}) == {"10.0.0.1"}
    assert values(api, {"uuid": alpha["uuid"]}) == ALPHA
    assert values(api, {"uuid": "00000000-0000-4000-8000-000000000000"}) \
        == set()
    assert values(api, {"eventid": beta["id"]}) == BETA
    assert values(api, {"eventid": [alpha["id"], beta["id"]]}) == ALL
    assert values(api, {"eventid": f"!{alpha['id']}"}) == BETA


TAG_CASES = [
    ({"tags": "tlp:white"}, ALPHA),
    ({"tags": "TLP:WHITE"}, ALPHA),
    ({"tags": "tlp:amber"}, set()),
    ({"tags": "attr:red"}, {"10.0.0.1", "evil.test"}),
    ({"tags": ["attr:blue", "tlp:white"]}, ALPHA | {"evil.test"}),
    ({"tags": "tlp:%"}, ALL),
    ({"tags": "!tlp:white"}, BETA),
    ({"tags": "!attr:red"}, ALL - {"10.0.0.1", "evil.test"}),
    ({"tags": {"AND": ["attr:red", "tlp:green"]}}, {"evil.test"}),
    ({"tags": {"AND": ["attr:red", "attr:blue"]}}, {"evil.test"}),
    ({"tags": {"AND": ["attr:blue", "tlp:white"]}}, set()),
    ({"tags": {"OR": ["tlp:green"], "NOT": ["attr:red"]}},
     BETA - {"evil.test"}),
    ({"tags": {"NOT": ["tlp:%"]}}, set()),
]


@pytest.mark.parametrize("body, expected", TAG_CASES,
                         ids=[str(c[0]) for c in TAG_CASES])
def test_tag_filter(world, api, body, expected):
    assert values(api, body) == expected


def event_ids(api, body, path="/events/restSearch"):
    response = api.post(path, json=body)
    assert response.status_code == 200, f"{body}: {response.text}"
    return {e["Event"]["id"] for e in response.json()["response"]}


def test_event_search_filters(world, api):
    alpha, beta = world["alpha"]["id"], world["beta"]["id"]
    assert event_ids(api, {"tags": "attr:red"}) == {alpha, beta}
    assert event_ids(api, {"tags": "tlp:white"}) == {alpha}
    assert event_ids(api, {"tags": "!tlp:white"}) == {beta}
    assert event_ids(api, {"tags": {"AND": ["tlp:green", "attr:blue"]}}) \
        == {beta}
    assert event_ids(api, {"value": "obj.test"}) == {beta}
    assert event_ids(api, {"type": "md5"}) == {alpha}
    assert event_ids(api, {"published": False}) == {beta}
    assert event_ids(api, {"timestamp": ALPHA_TS}) == {alpha}
    assert event_ids(api, {"last": "7d"}) == {alpha}
    assert event_ids(api, {"threat_level_id": 3}) == {beta}
    assert event_ids(api, {"distribution": 0}) == {beta}
    assert event_ids(api, {"to_ids": 0, "type": "text"}) == {beta}
    assert event_ids(api, {"searchall": "alpha"}) == {alpha}
    assert event_ids(api, {"value": "nothing"}) == set()


def test_event_search_metadata(world, api):
    response = api.post("/events/restSearch",
                        json={"eventid": world["alpha"]["id"],
                              "metadata": True})
    assert response.status_code == 200, response.text
    event = response.json()["response"][0]["Event"]
    assert "Attribute" not in event or event["Attribute"] == []
    response = api.post("/events/restSearch",
                        json={"eventid": world["alpha"]["id"]})
    event = response.json()["response"][0]["Event"]
    assert {a["value"] for a in event["Attribute"]} == ALPHA


def test_object_search(world, api):
    response = api.post("/objects/restSearch", json={"value": "obj.test"})
    assert response.status_code == 200, response.text
    found = response.json()["response"]
    assert len(found) == 1
    assert found[0]["Object"]["name"] == "domain-ip"
    response = api.post("/objects/restSearch", json={"value": "evil.test"})
    assert response.json()["response"] == []
    response = api.post("/objects/restSearch",
                        json={"eventid": world["alpha"]["id"]})
    assert response.json()["response"] == []


def sightings(api, body):
    response = api.post("/sightings/restSearch", json=body)
    assert response.status_code == 200, f"{body}: {response.text}"
    return [s["Sighting"] for s in response.json()["response"]]


def test_sighting_search(world, api):
    target = world["by_value"]["10.0.0.1"]
    found = sightings(api, {})
    assert {s["source"] for s in found} == {"sensor-a", "sensor-b"}
    assert {s["attribute_id"] for s in found} == {target["id"]}
    assert [s["source"] for s in sightings(api, {"type": 1})] == ["sensor-b"]
    assert [s["source"] for s in sightings(api, {"type": 0})] == ["sensor-a"]
    assert sightings(api, {"type": 2}) == []
    assert [s["source"] for s in sightings(api, {"source": "sensor-a"})] \
        == ["sensor-a"]
    assert len(sightings(api, {"context": "attribute",
                               "id": target["id"]})) == 2
    assert sightings(api, {"context": "attribute",
                           "id": world["by_value"]["example.com"]["id"]}) \
        == []
    assert len(sightings(api, {"context": "event",
                               "id": world["alpha"]["id"]})) == 2
    assert sightings(api, {"context": "event",
                           "id": world["beta"]["id"]}) == []
    assert len(sightings(api, {"value": "10.0.0.1"})) == 2
    assert sightings(api, {"value": "example.com"}) == []
    assert sightings(api, {"from": NOW + DAY}) == []
    assert len(sightings(api, {"to": NOW + DAY})) == 2
    assert len(sightings(api, {"last": "1d"})) == 2
    assert sightings(api, {"to": NOW - DAY}) == []
    response = api.post("/sightings/restSearch",
                        json={"value": "10.0.0.1", "includeAttribute": 1})
    first = response.json()["response"][0]
    assert first["Sighting"]["Attribute"]["value"] == "10.0.0.1"


def test_get_form_with_named_parameters(world, api):
    response = api.get("/attributes/restSearch/type:ip-dst/last:7d")
    assert response.status_code == 200, response.text
    found = {a["value"] for a in response.json()["response"]["Attribute"]}
    assert found == {"10.0.0.1", "2001:db8::1"}
    response = api.get("/attributes/restSearch/returnFormat:json/"
                       "tags:attr%3Ared&&tlp%3Agreen")
    assert response.status_code == 200, response.text
    found = {a["value"] for a in response.json()["response"]["Attribute"]}
    assert found == ALL - ALPHA | {"10.0.0.1"}
    response = api.get("/events/restSearch/published:0")
    assert {e["Event"]["id"] for e in response.json()["response"]} \
        == {world["beta"]["id"]}


def test_include_options(world, api):
    response = api.post("/attributes/restSearch", json={
        "value": "10.0.0.1", "includeEventTags": True,
        "includeContext": True, "includeSightings": True,
        "includeCorrelations": True})
    assert response.status_code == 200, response.text
    found = response.json()["response"]["Attribute"]
    assert len(found) == 1
    tags = {t["name"] for t in found[0]["Tag"]}
    assert tags == {"attr:red", "tlp:white"}
    assert found[0]["Event"]["info"] == "alpha event"
    assert "Orgc" in found[0]["Event"]
    assert {s["source"] for s in found[0]["Sighting"]} == {"sensor-a", "sensor-b"}
    assert "RelatedAttribute" in found[0]
    response = api.post("/attributes/restSearch", json={"value": "10.0.0.1"})
    plain = response.json()["response"]["Attribute"][0]
    assert {t["name"] for t in plain["Tag"]} == {"attr:red"}
    assert "Sighting" not in plain


@pytest.mark.parametrize("body, name", [
    ({"frobnicate": 1}, "frobnicate"),
    ({"limit": 0}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"page": -1}, "page"),
    ({"timestamp": "yesterday"}, "timestamp"),
    ({"last": "7x"}, "last"),
    ({"published": "maybe"}, "published"),
    ({"to_ids": 2}, "to_ids"),
    ({"deleted": "some"}, "deleted"),
    ({"eventid": "abc"}, "eventid"),
    ({"threat_level_id": {"XOR": [1]}}, "threat_level_id"),
    ({"from": "soon"}, "from"),
    ({"first_seen": "not a time"}, "first_seen"),
    ({"returnFormat": "nosuchformat"}, "returnFormat"),
    ({"includeContext": "perhaps"}, "includeContext"),
])
def test_bad_filter_names_it(world, api, body, name):
    response = api.post("/attributes/restSearch", json=body)
    error = harness.assert_misp_error(response, 400)
    assert f"'{name}'" in error["message"]


def test_unknown_format_lists_formats(world, api):
    response = api.post("/attributes/restSearch",
                        json={"returnFormat": "nosuchformat"})
    error = harness.assert_misp_error(response, 400)
    assert "expected json" in error["message"]


def test_event_index_filters_and_sort(world, api):
    alpha, beta = world["alpha"]["id"], world["beta"]["id"]
    response = api.post("/events/index", json={"sort": "date",
                                               "direction": "desc"})
    assert response.status_code == 200, response.text
    ids = [e["id"] for e in response.json()]
    assert ids == [beta, alpha]
    response = api.post("/events/index", json={"sort": "date",
                                               "direction": "asc"})
    assert [e["id"] for e in response.json()] == [alpha, beta]
    response = api.post("/events/index", json={"published": 0})
    assert [e["id"] for e in response.json()] == [beta]
    response = api.post("/events/index", json={"eventinfo": "alpha"})
    assert [e["id"] for e in response.json()] == [alpha]
    response = api.post("/events/index", json={"tag": "tlp:green"})
    assert [e["id"] for e in response.json()] == [beta]
    response = api.post("/events/index", json={"datefrom": "2026-02-01"})
    assert [e["id"] for e in response.json()] == [beta]
    response = api.post("/events/index", json={"threatlevel": 2})
    assert response.json() == []
    response = api.post("/events/index", json={"limit": 1, "page": 2})
    assert [e["id"] for e in response.json()] == [beta]
    assert response.headers["X-Result-Count"] == "2"
    response = api.post("/events/index", json={"sort": "nonsense"})
    harness.assert_misp_error(response, 400)
    response = api.get("/events/index")
    assert {e["id"] for e in response.json()} == {alpha, beta}
    assert "Orgc" in response.json()[0]


def test_attribute_index(world, api):
    response = api.get("/attributes/index")
    assert response.status_code == 200, response.text
    found = {a["Attribute"]["value"] for a in response.json()}
    assert found == ALL
    response = api.get("/attributes/index/limit:2/page:1")
    assert len(response.json()) == 2
    assert response.headers["X-Result-Count"] == str(len(ALL))


def test_response_is_chunked(world, api):
    response = api.post("/attributes/restSearch", json={})
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.headers


def test_cli_export_matches_api(world, api, cairn_data, tmp_path):
    body = {"type": ["ip-dst", "domain"], "to_ids": 1}
    response = api.post("/attributes/restSearch",
                        json={**body, "returnFormat": "json"})
    done = harness.run_cli("export", "--data", cairn_data.path,
                           "--format", "json", "--filter", "type=ip-dst",
                           "--filter", "type=domain", "--filter", "to_ids=1")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == response.json()
    filters = tmp_path / "filters.json"
    filters.write_text(json.dumps(body))
    done = harness.run_cli("export", "--data", cairn_data.path,
                           "--format", "json", "--filters", filters)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == response.json()


def test_cli_export_rejects_bad_filter(world, cairn_data):
    done = harness.run_cli("export", "--data", cairn_data.path,
                           "--format", "json", "--filter", "frobnicate=1")
    assert done.returncode == 2
    assert "unknown filter 'frobnicate'" in done.stderr
    done = harness.run_cli("export", "--data", cairn_data.path,
                           "--format", "nosuchformat")
    assert done.returncode == 2
    assert "'returnFormat'" in done.stderr
    done = harness.run_cli("export", "--data", cairn_data.path,
                           "--format", "json", "--filter", "novalue")
    assert done.returncode == 2
    assert "NAME=VALUE" in done.stderr


EMPTY_HASHES = (
    "List of known hashes with common false-positives (based on Florian "
    "Roth input list)"
)


def test_warninglist_options(world, api):
    md5 = "d41d8cd98f00b204e9800998ecf8427e"
    response = api.post("/warninglists/toggleEnable",
                        json={"name": EMPTY_HASHES, "enabled": True})
    assert response.status_code == 200, response.text
    try:
        assert values(api, {"eventid": world["alpha"]["id"],
                            "enforceWarninglist": True}) == ALPHA - {md5}
        assert values(api, {"eventid": world["alpha"]["id"],
                            "enforceWarninglist": 0}) == ALPHA
        response = api.post("/attributes/restSearch", json={
            "value": md5, "includeWarninglistHits": 1})
        found = response.json()["response"]["Attribute"]
        assert len(found) == 1
        names = {w["warninglist_name"] for w in found[0]["warnings"]}
        assert EMPTY_HASHES in names
        response = api.post("/attributes/restSearch", json={
            "value": "10.0.0.1", "includeWarninglistHits": 1})
        assert "warnings" not in response.json()["response"]["Attribute"][0]
    finally:
        api.post("/warninglists/toggleEnable",
                 json={"name": EMPTY_HASHES, "enabled": False})
