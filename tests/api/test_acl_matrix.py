"""The access-control matrix: every distribution level of event and
attribute (and of object and event report), published or not, read by the
creating organisation, a member of the sharing group, another local
organisation and a site admin, over every read path that exists
(events/view, events/index with and without filters, attributes/view,
attributes/index, objects/view, the attributes, events, objects and
sightings restSearch endpoints with their filters, every export format
of attributes/restSearch, correlations and sightings).

Each check compares what a path returns with what the distribution rules
allow, and counts a leak (returned but not allowed) or a wrongly hidden
item (allowed but not returned).  The counts are printed, and the test
fails on any of either.
"""

import hashlib
import itertools
import re

import pytest

import harness

EVENT_LEVELS = (0, 1, 2, 3, 4)
ATTRIBUTE_LEVELS = (0, 1, 2, 3, 4, 5)
VIEWERS = ("creator", "member", "other", "admin")
EXPORT_FORMATS = ("csv", "text", "hashes", "count", "cache", "rpz", "zeek",
                  "suricata", "snort", "yara", "stix2")
# The attribute types whose values each format writes, of the domain and
# md5 ones the matrix holds.  count writes no values, only their number.
EXPORT_TYPES = {"count": set(), "hashes": {"md5"}, "rpz": {"domain"},
                "suricata": {"domain"}, "snort": {"domain"}}
MATRIX_DOMAIN = re.compile(r"acl-[a-z0-9-]+\.example")
HEX_DIGEST = re.compile(r"[0-9a-f]{32}")
RULE_HEX_GROUP = re.compile(r"\|[0-9A-Fa-f ]+\|")


def cli_ok(*args):
    done = harness.run_cli(*args)
    assert done.returncode == 0, f"cairn {args} failed: {done.stderr}"
    return done.stdout.split()


def make_user(data, org_id, role_id, email):
    user_id, key = cli_ok(
        "user", "add", "--data", data, "--org", org_id, "--role", role_id,
        email,
    )
    assert harness.API_KEY_RE.fullmatch(key)
    return key


def event_visible(viewer, level, published):
    if viewer in ("creator", "admin"):
        return True
    if not published:
        return False
    if viewer == "member":
        return level in (1, 2, 3, 4)
    return level in (1, 2, 3)


def attribute_visible(viewer, event_level, level, published):
    if not event_visible(viewer, event_level, published):
        return False
    if viewer in ("creator", "admin"):
        return True
    if level == 4:
        return viewer == "member"
    return level in (1, 2, 3, 5)


def sightings_visible(viewer, orgs):
    """The sighting orgs a viewer sees on a visible attribute, under MISP's
    default policy: the event owner sees all, others only their own."""
    if viewer in ("creator", "admin"):
        return set(orgs)
    return {org for org in orgs if org == viewer}


class Tally:
    def __init__(self):
        self.cases = 0
        self.leaks = []
        self.hidden = []

    def check(self, what, expected, actual):
        self.cases += 1
        if actual and not expected:
            self.leaks.append(what)
        elif expected and not actual:
            self.hidden.append(what)


@pytest.fixture(scope="module")
def world(cairn_data, server, api):
    data = cairn_data.path
    org_ids = {
        "creator": cli_ok("org", "add", "--data", data, "ACL Creator")[0],
        "member": cli_ok("org", "add", "--data", data, "ACL Member")[0],
        "other": cli_ok("org", "add", "--data", data, "ACL Other")[0],
    }
    keys = {
        "creator": make_user(data, org_ids["creator"], 2, "creator@acl.test"),
        "member": make_user(data, org_ids["member"], 3, "member@acl.test"),
        "other": make_user(data, org_ids["other"], 3, "other@acl.test"),
    }
    sessions = {name: harness.ApiSession(server.url, key)
                for name, key in keys.items()}
    sessions["admin"] = api
    creator = sessions["creator"]

    sg = creator.post("/sharing_groups/add",
                      json={"name": "ACL matrix group",
                            "releasability": "matrix test"})
    assert sg.status_code == 200, sg.text
    sg_id = sg.json()["SharingGroup"]["id"]
    added = creator.post(f"/sharing_groups/addOrg/{sg_id}/{org_ids['member']}")
    assert added.status_code == 200, added.text

    me = sessions["member"].get("/users/view/me")
    assert me.status_code == 200, me.text
    member_uuid = me.json()["Organisation"]["uuid"]

    events = []
    for level, published in itertools.product(EVENT_LEVELS, (False, True)):
        attributes, hashes = [], []
        for attr_level in ATTRIBUTE_LEVELS:
            value = f"acl-e{level}-a{attr_level}-p{int(published)}.example"
            attribute = {
                "type": "domain", "category": "Network activity",
                "value": value, "distribution": attr_level,
                "Sighting": [
                    {"type": "0"},
                    {"type": "0", "Organisation": {
                        "name": "ACL Member", "uuid": member_uuid}},
                ],
            }
            digest = {"type": "md5", "category": "Payload delivery",
                      "value": hashlib.md5(value.encode()).hexdigest(),
                      "distribution": attr_level}
            if attr_level == 4:
                attribute["sharing_group_id"] = sg_id
                digest["sharing_group_id"] = sg_id
            attributes.append(attribute)
            hashes.append(digest)
        objects, reports = [], []
        for obj_level in ATTRIBUTE_LEVELS:
            obj = {"name": "domain-ip", "meta-category": "network",
                   "distribution": obj_level,
                   "Attribute": [{
                       "type": "domain", "object_relation": "domain",
                       "value": f"acl-o{obj_level}-e{level}-p{int(published)}"
                                ".example"}]}
            report = {"name": f"report {obj_level}", "content": "text",
                      "distribution": obj_level}
            if obj_level == 4:
                obj["sharing_group_id"] = sg_id
                report["sharing_group_id"] = sg_id
            objects.append(obj)
            reports.append(report)
        body = {"info": f"acl matrix event {level} {published}",
                "distribution": level, "Attribute": attributes + hashes,
                "Object": objects, "EventReport": reports}
        if level == 4:
            body["sharing_group_id"] = sg_id
        response = creator.post("/events/add", json=body)
        assert response.status_code == 200, response.text
        event = response.json()["Event"]
        if published:
            done = creator.post(f"/events/publish/{event['id']}")
            assert done.status_code == 200, done.text
        by_level = {int(a["distribution"]): a for a in event["Attribute"]
                    if a["type"] == "domain"}
        digests = {int(a["distribution"]): a for a in event["Attribute"]
                   if a["type"] == "md5"}
        objects = {int(o["distribution"]): o for o in event["Object"]}
        reports = {int(r["distribution"]): r for r in event["EventReport"]}
        assert len(objects) == len(reports) == len(ATTRIBUTE_LEVELS)
        events.append({"id": event["id"], "level": level,
                       "published": published, "attributes": by_level,
                       "digests": digests,
                       "objects": objects, "reports": reports})

    # A probe event of each viewer's organisation shares every value, so
    # that its correlations show which matrix attributes the viewer sees.
    values = [a["value"] for e in events for a in e["attributes"].values()]
    probes = {}
    for name, session in sessions.items():
        body = {"info": f"acl probe of {name}", "distribution": 0,
                "Attribute": [{"type": "domain", "value": v}
                              for v in values]}
        response = session.post("/events/add", json=body)
        assert response.status_code == 200, response.text
        probes[name] = response.json()["Event"]["id"]

    yield {"sessions": sessions, "events": events, "probes": probes,
           "sg_id": sg_id}
    for name in ("creator", "member", "other"):
        sessions[name].close()


def check_view(tally, viewer, session, event):
    response = session.get(f"/events/view/{event['id']}")
    visible = event_visible(viewer, event["level"], event["published"])
    tally.check(("view", viewer, event["id"]), visible,
                response.status_code == 200)
    if response.status_code != 200:
        assert response.status_code == 404, response.text
        return
    served = response.json()["Event"]
    if event["level"] == 4:
        assert served["SharingGroup"]["name"] == "ACL matrix group"
    else:
        assert "SharingGroup" not in served
    served_ids = {a["id"] for a in served.get("Attribute", [])}
    served_objects = {o["id"]: o for o in served.get("Object", [])}
    served_reports = {r["id"] for r in served.get("EventReport", [])}
    for level, obj in event["objects"].items():
        expected = attribute_visible(viewer, event["level"], level,
                                     event["published"])
        tally.check(("view object", viewer, obj["id"]), expected,
                    obj["id"] in served_objects)
        inner = obj["Attribute"][0]["id"]
        shown = served_objects.get(obj["id"], {}).get("Attribute", [])
        tally.check(("view object attribute", viewer, inner), expected,
                    inner in {a["id"] for a in shown})
    for level, report in event["reports"].items():
        tally.check(("view report", viewer, report["id"]),
                    attribute_visible(viewer, event["level"], level,
                                      event["published"]),
                    report["id"] in served_reports)
    sightings = {a["id"]: a.get("Sighting", [])
                 for a in served.get("Attribute", [])}
    for level, attribute in event["attributes"].items():
        expected = attribute_visible(viewer, event["level"], level,
                                     event["published"])
        tally.check(("view attribute", viewer, attribute["id"]), expected,
                    attribute["id"] in served_ids)
        if not expected or attribute["id"] not in served_ids:
            continue
        orgs = {s["Organisation"]["name"] if "Organisation" in s
                else s["org_id"] for s in sightings[attribute["id"]]}
        names = {"ACL Creator": "creator", "ACL Member": "member"}
        seen = {names.get(o, o) for o in orgs}
        allowed = sightings_visible(viewer, {"creator", "member"})
        for org in ("creator", "member"):
            tally.check(("sighting", viewer, attribute["id"], org),
                        org in allowed, org in seen)


def check_attribute_view(tally, viewer, session, event):
    for level, attribute in event["attributes"].items():
        response = session.get(f"/attributes/view/{attribute['id']}")
        expected = attribute_visible(viewer, event["level"], level,
                                     event["published"])
        tally.check(("attributes/view", viewer, attribute["id"]), expected,
                    response.status_code == 200)
        if response.status_code != 200:
            assert response.status_code == 404, response.text


def check_object_view(tally, viewer, session, event):
    for level, obj in event["objects"].items():
        response = session.get(f"/objects/view/{obj['id']}")
        expected = attribute_visible(viewer, event["level"], level,
                                     event["published"])
        tally.check(("objects/view", viewer, obj["id"]), expected,
                    response.status_code == 200)
        if response.status_code != 200:
            assert response.status_code == 404, response.text
        inner = obj["Attribute"][0]["id"]
        response = session.get(f"/attributes/view/{inner}")
        tally.check(("attributes/view in object", viewer, inner), expected,
                    response.status_code == 200)


def check_attribute_search(tally, viewer, session, event):
    values = [a["value"] for a in event["attributes"].values()]
    for body in ({"value": values}, {"eventid": event["id"]}):
        response = session.post("/attributes/restSearch",
                                json={"returnFormat": "json", **body})
        assert response.status_code == 200, response.text
        found = {a["id"] for a in response.json()["response"]["Attribute"]}
        for level, attribute in event["attributes"].items():
            tally.check(("attributes/restSearch", viewer, attribute["id"],
                         tuple(body)),
                        attribute_visible(viewer, event["level"], level,
                                          event["published"]),
                        attribute["id"] in found)
        if "eventid" not in body:
            continue
        for level, obj in event["objects"].items():
            inner = obj["Attribute"][0]["id"]
            tally.check(("attributes/restSearch in object", viewer, inner),
                        attribute_visible(viewer, event["level"], level,
                                          event["published"]),
                        inner in found)


def check_event_search(tally, viewer, session, event):
    response = session.post("/events/restSearch",
                            json={"eventid": event["id"]})
    assert response.status_code == 200, response.text
    found = [e["Event"] for e in response.json()["response"]]
    tally.check(("events/restSearch", viewer, event["id"]),
                event_visible(viewer, event["level"], event["published"]),
                any(e["id"] == event["id"] for e in found))
    served = {a["id"] for e in found for a in e.get("Attribute", [])}
    for level, attribute in event["attributes"].items():
        expected = attribute_visible(viewer, event["level"], level,
                                     event["published"])
        tally.check(("events/restSearch attribute", viewer, attribute["id"]),
                    expected, attribute["id"] in served)
        by_value = session.post("/events/restSearch",
                                json={"value": attribute["value"]})
        assert by_value.status_code == 200, by_value.text
        ids = {e["Event"]["id"] for e in by_value.json()["response"]}
        tally.check(("events/restSearch value", viewer, attribute["id"]),
                    expected, event["id"] in ids)


def check_search_filters(tally, viewer, session, event):
    """The newer filters and forms of attributes/restSearch: searchall,
    deleted rows included, type with a value pattern, and the GET form
    with named parameters.  None may widen what the viewer sees."""
    prefix = f"acl-e{event['level']}-a%-p{int(event['published'])}.example"
    bodies = (
        ("searchall", {"searchall": prefix}),
        ("deleted both", {"eventid": event["id"], "deleted": [0, 1]}),
        ("pattern", {"type": "domain", "value": prefix}),
        ("tags negated", {"eventid": event["id"], "tags": "!tlp:red"}),
    )
    for name, body in bodies:
        response = session.post("/attributes/restSearch", json=body)
        assert response.status_code == 200, response.text
        found = {a["id"] for a in response.json()["response"]["Attribute"]}
        for level, attribute in event["attributes"].items():
            tally.check((name, viewer, attribute["id"]),
                        attribute_visible(viewer, event["level"], level,
                                          event["published"]),
                        attribute["id"] in found)
    response = session.get(f"/attributes/restSearch/eventid:{event['id']}")
    assert response.status_code == 200, response.text
    found = {a["id"] for a in response.json()["response"]["Attribute"]}
    for level, attribute in event["attributes"].items():
        tally.check(("GET restSearch", viewer, attribute["id"]),
                    attribute_visible(viewer, event["level"], level,
                                      event["published"]),
                    attribute["id"] in found)


def check_object_search(tally, viewer, session, event):
    response = session.post("/objects/restSearch",
                            json={"eventid": event["id"]})
    assert response.status_code == 200, response.text
    found = {o["Object"]["id"] for o in response.json()["response"]}
    for level, obj in event["objects"].items():
        tally.check(("objects/restSearch", viewer, obj["id"]),
                    attribute_visible(viewer, event["level"], level,
                                      event["published"]),
                    obj["id"] in found)


def check_sighting_search(tally, viewer, session, event):
    response = session.post("/sightings/restSearch",
                            json={"context": "event", "id": event["id"]})
    assert response.status_code == 200, response.text
    # A viewer that is not the owner sees its own sighting only, so the
    # count per attribute tells which of the two sightings it sees.
    for level, attribute in event["attributes"].items():
        visible = attribute_visible(viewer, event["level"], level,
                                    event["published"])
        allowed = sightings_visible(viewer, {"creator", "member"}) \
            if visible else set()
        count = len([1 for e in response.json()["response"]
                     if e["Sighting"]["attribute_id"] == attribute["id"]])
        tally.check(("sightings/restSearch", viewer, attribute["id"]),
                    bool(allowed), count > 0)
        tally.check(("sightings/restSearch count", viewer, attribute["id"]),
                    len(allowed) >= 2, count >= 2)


def export_values(fmt, text):
    """Return the matrix values in the output of format `fmt`: domain
    names, md5 digests, and for cache the md5 of each value.  Rule
    formats write hex groups (|0c| as a DNS label length) inside content
    matches, so each group is read as a dot."""
    if fmt in ("suricata", "snort"):
        text = RULE_HEX_GROUP.sub(".", text)
    return set(MATRIX_DOMAIN.findall(text)) | set(HEX_DIGEST.findall(text))


def export_tokens(fmt, attribute):
    """Return the strings by which `attribute` shows in format `fmt`."""
    if fmt == "cache":
        return {hashlib.md5(attribute["value"].encode()).hexdigest()}
    return {attribute["value"]}


def matrix_attributes(event):
    """Yield (distribution level, attribute) for every attribute of a
    matrix event: the domains, the md5s and the object attributes."""
    for level, attribute in event["attributes"].items():
        yield level, attribute
    for level, attribute in event["digests"].items():
        yield level, attribute
    for level, obj in event["objects"].items():
        yield level, obj["Attribute"][0]


def check_exports(tally, viewer, session, events):
    """Export the matrix events in each format and compare the values in
    the output with the attributes the viewer may see.  Each format is
    read twice, with published 0 and 1, because setting published and
    to_ids lifts the text and rule formats' default to to_ids attributes
    of published events.  Every matrix attribute has to_ids."""
    ids = [event["id"] for event in events]
    for fmt in EXPORT_FORMATS:
        found, counted = set(), 0
        for published in (0, 1):
            body = {"returnFormat": fmt, "eventid": ids, "to_ids": 1,
                    "published": published}
            if fmt == "csv":
                body.update(requested_attributes=["value"], headerless=1)
            response = session.post("/attributes/restSearch", json=body)
            assert response.status_code == 200, (fmt, response.text[:500])
            found |= export_values(fmt, response.text)
            if fmt == "count":
                counted += int(response.text)
        types = EXPORT_TYPES.get(fmt, {"domain", "md5"})
        visible = 0
        for event in events:
            for level, attribute in matrix_attributes(event):
                assert attribute["to_ids"], attribute
                expected = attribute_visible(viewer, event["level"], level,
                                             event["published"])
                visible += expected
                if attribute["type"] not in types:
                    continue
                tally.check((fmt, viewer, attribute["id"]), expected,
                            bool(export_tokens(fmt, attribute) & found))
        if fmt == "count":
            tally.check(("count", viewer), True,
                        counted == visible)


def check_attribute_index(tally, viewer, session, events):
    response = session.get("/attributes/index")
    assert response.status_code == 200, response.text
    listed = {a["Attribute"]["id"] for a in response.json()}
    for event in events:
        for level, attribute in event["attributes"].items():
            tally.check(("attributes/index", viewer, attribute["id"]),
                        attribute_visible(viewer, event["level"], level,
                                          event["published"]),
                        attribute["id"] in listed)


def check_filtered_index(tally, viewer, session, events):
    response = session.post("/events/index", json={"published": 1,
                                                   "sort": "id"})
    assert response.status_code == 200, response.text
    listed = {e["id"] for e in response.json()}
    for event in events:
        tally.check(("events/index published", viewer, event["id"]),
                    event["published"] and event_visible(
                        viewer, event["level"], event["published"]),
                    event["id"] in listed)


def check_index(tally, viewer, session, events):
    response = session.get("/events/index")
    assert response.status_code == 200, response.text
    listed = {e["id"] for e in response.json()}
    for event in events:
        tally.check(("index", viewer, event["id"]),
                    event_visible(viewer, event["level"], event["published"]),
                    event["id"] in listed)


def check_correlations(tally, viewer, session, probe, events):
    response = session.get(
        f"/events/view/{probe}/includeGranularCorrelations:1")
    assert response.status_code == 200, response.text
    served = response.json()["Event"]
    related_events = {r["Event"]["id"] for r in served.get("RelatedEvent", [])}
    related = set()
    for attribute in served.get("Attribute", []):
        for entry in attribute.get("RelatedAttribute", []):
            related.add(entry["attribute_id"])
    for event in events:
        any_visible = False
        for level, attribute in event["attributes"].items():
            expected = attribute_visible(viewer, event["level"], level,
                                         event["published"])
            any_visible = any_visible or expected
            tally.check(("RelatedAttribute", viewer, attribute["id"]),
                        expected, attribute["id"] in related)
        tally.check(("RelatedEvent", viewer, event["id"]), any_visible,
                    event["id"] in related_events)


def test_acl_matrix(world):
    tally = Tally()
    for viewer in VIEWERS:
        session = world["sessions"][viewer]
        check_index(tally, viewer, session, world["events"])
        check_filtered_index(tally, viewer, session, world["events"])
        check_attribute_index(tally, viewer, session, world["events"])
        check_correlations(tally, viewer, session, world["probes"][viewer],
                           world["events"])
        check_exports(tally, viewer, session, world["events"])
        for event in world["events"]:
            check_view(tally, viewer, session, event)
            check_attribute_view(tally, viewer, session, event)
            check_object_view(tally, viewer, session, event)
            check_attribute_search(tally, viewer, session, event)
            check_event_search(tally, viewer, session, event)
            check_search_filters(tally, viewer, session, event)
            check_object_search(tally, viewer, session, event)
            check_sighting_search(tally, viewer, session, event)
    print(f"\nACL matrix: {tally.cases} cases, {len(tally.leaks)} leaks, "
          f"{len(tally.hidden)} wrongly hidden")
    assert tally.cases > 0
    assert tally.leaks == [], f"leaks: {tally.leaks[:20]}"
    assert tally.hidden == [], f"wrongly hidden: {tally.hidden[:20]}"


def test_probe_of_other_org_stays_hidden(world):
    """An unpublished event of another organisation is not found, for
    reading and for writing alike."""
    other = world["sessions"]["other"]
    probe = world["probes"]["member"]
    for path in (f"/events/view/{probe}", f"/events/{probe}"):
        response = other.get(path)
        harness.assert_misp_error(response, 404)
    response = other.post(f"/events/edit/{probe}",
                          json={"Event": {"info": "changed"}})
    body = harness.assert_misp_error(response, 404)
    assert body["message"] == "Invalid event"
    response = other.post(f"/attributes/add/{probe}",
                          json={"type": "domain", "value": "x.example"})
    harness.assert_misp_error(response, 404)


def test_distribution_4_needs_usable_group(world):
    other = world["sessions"]["other"]
    sg_id = world["sg_id"]
    response = other.post("/events/add", json={
        "info": "foreign group", "distribution": 4,
        "sharing_group_id": sg_id})
    body = harness.assert_misp_error(response, 400)
    assert "sharing_group_id" in body["message"]
    assert str(sg_id) in body["message"]
    response = other.post("/events/add", json={
        "info": "no group", "distribution": 4})
    body = harness.assert_misp_error(response, 400)
    assert "missing 'sharing_group_id'" in body["message"]
    member = world["sessions"]["member"]
    response = member.post("/events/add", json={
        "info": "member group", "distribution": 4,
        "sharing_group_id": sg_id})
    assert response.status_code == 200, response.text


def test_rest_search_rejects_unknown_filter(world):
    api = world["sessions"]["admin"]
    for path in ("/attributes/restSearch", "/events/restSearch"):
        response = api.post(path, json={"frobnicate": ["tlp:white"]})
        body = harness.assert_misp_error(response, 400)
        assert "unknown filter 'frobnicate'" in body["message"]
        response = api.post(path, json={"limit": "many"})
        body = harness.assert_misp_error(response, 400)
        assert "'limit'" in body["message"]
        response = api.post(path, json={"returnFormat": "nosuchformat"})
        body = harness.assert_misp_error(response, 400)
        assert "'returnFormat'" in body["message"]


def test_rest_search_named_parameters(world):
    api = world["sessions"]["member"]
    event = world["events"][-1]
    attribute = event["attributes"][1]
    response = api.post(f"/attributes/restSearch/value:{attribute['value']}")
    assert response.status_code == 200, response.text
    found = response.json()["response"]["Attribute"]
    assert attribute["id"] in [a["id"] for a in found]
    # The other match is the member's own probe event.
    assert len(found) == 2
    assert {a["value"] for a in found} == {attribute["value"]}
    response = api.post("/attributes/restSearch/frobnicate:1")
    body = harness.assert_misp_error(response, 400)
    assert "unknown filter 'frobnicate'" in body["message"]


def test_rest_search_pages(world):
    api = world["sessions"]["admin"]
    event = world["events"][0]
    ids = sorted((a["id"] for a in event["attributes"].values()), key=int)
    pages = []
    for page in (1, 2, 3):
        response = api.post("/attributes/restSearch", json={
            "eventid": event["id"], "limit": 2, "page": page})
        assert response.status_code == 200, response.text
        pages.append([a["id"] for a in
                      response.json()["response"]["Attribute"]])
    assert pages == [ids[0:2], ids[2:4], ids[4:6]]
    response = api.post("/attributes/restSearch", json={
        "type": "domain", "published": True, "eventid": event["id"]})
    assert response.json()["response"]["Attribute"] == []
