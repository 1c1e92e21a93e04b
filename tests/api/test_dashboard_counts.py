"""The dashboard's attribute widgets, which read the counts that the store
keeps on write (schema migration 11, store/sqlite_counts.c), against the
queries they replaced.

The instance has three organisations, a sharing group, events of every
distribution level published or not, attributes and objects of every
level, and deleted rows.  For each viewer, every attribute widget's rows
are compared with the old query over the attribute rows, run on the
database with the viewer's parameters, after each step: the first
writes, attribute edits, soft and hard deletes, object deletes, event
distribution, publish and date changes, event deletes, an import with a
rejected event and a reimport."""

import itertools
import json
import sqlite3

import pytest

import harness

EVENT_LEVELS = (0, 1, 2, 3, 4)
LEVELS = (0, 1, 2, 3, 4, 5)
TYPES = (("domain", "Network activity"), ("md5", "Payload delivery"),
         ("text", "Other"))

# The old queries, with the visibility conditions of store/visibility.c.
GROUPS = "(SELECT value FROM json_each(:viewer_groups))"


def event_cond(e):
    return (f" AND ({e}.org_id = :viewer_org OR ({e}.published = 1 AND"
            f" ({e}.distribution IN (1, 2, 3) OR ({e}.distribution = 4 AND"
            f" {e}.sharing_group_id IN {GROUPS}))))")


def element_cond(row, e, nullable):
    null = f"{row}.id IS NULL OR " if nullable else ""
    return (f" AND ({null}({e}.org_id = :viewer_org OR {row}.distribution"
            f" IN (1, 2, 3, 5) OR ({row}.distribution = 4 AND"
            f" {row}.sharing_group_id IN {GROUPS})))")


def live_attribute(admin):
    if admin:
        return ""
    return event_cond("e") + element_cond("a", "e", False) + \
        element_cond("o", "e", True)


ATTR_FROM = (" FROM attributes a JOIN events e ON e.id = a.event_id"
             " LEFT JOIN objects o ON o.id = a.object_id"
             " WHERE a.deleted = 0 AND coalesce(o.deleted, 0) = 0")
IN_RANGE = " AND e.date >= :from AND e.date <= :to"


def old_attributes(db, params, admin):
    sql = "SELECT count(*)" + ATTR_FROM + live_attribute(admin)
    return db.execute(sql, params).fetchone()[0]


def old_timeline(db, params, admin):
    events = "" if admin else event_cond("e")
    sql = ("SELECT period, sum(ev), sum(at) FROM"
           " (SELECT substr(e.date, 1, :len) AS period, 1 AS ev, 0 AS at"
           " FROM events e WHERE 1 = 1" + IN_RANGE + events +
           " UNION ALL SELECT substr(e.date, 1, :len), 0, 1" + ATTR_FROM +
           IN_RANGE + live_attribute(admin) +
           ") GROUP BY period ORDER BY period")
    return [{"period": p, "events": ev, "attributes": at}
            for p, ev, at in db.execute(sql, params)]


def old_top(db, params, admin, column):
    sql = (f"SELECT a.{column}, count(*) AS count" + ATTR_FROM + IN_RANGE +
           live_attribute(admin) +
           f" GROUP BY a.{column} ORDER BY count DESC, a.{column}"
           " LIMIT :limit")
    return [{"name": n, "count": c} for n, c in db.execute(sql, params)]


def old_correlated(db, params, admin):
    sql = ("SELECT a.value, min(a.type), count(DISTINCT a.event_id) AS count"
           + ATTR_FROM + " AND a.disable_correlation = 0"
           " AND e.disable_correlation = 0" + live_attribute(admin) +
           " GROUP BY a.value HAVING count(DISTINCT a.event_id) > 1"
           " ORDER BY count DESC, a.value LIMIT :limit")
    return [{"value": v, "type": t, "count": c}
            for v, t, c in db.execute(sql, params)]


def old_correlation_total(db, params, admin):
    return len(old_correlated(db, dict(params, limit=-1), admin))


def viewer_groups(db, org_id, admin):
    if admin:
        sql = "SELECT id FROM sharing_groups ORDER BY id"
        return json.dumps([r[0] for r in db.execute(sql)])
    sql = ("SELECT id FROM sharing_groups WHERE org_id = ?1"
           " UNION SELECT sharing_group_id FROM sharing_group_orgs"
           " WHERE org_id = ?1"
           " UNION SELECT g.sharing_group_id"
           " FROM sharing_group_servers g JOIN orgs o ON o.id = ?1"
           " WHERE g.server_id = 0 AND g.all_orgs = 1"
           " AND o.local = 1 ORDER BY 1")
    return json.dumps([r[0] for r in db.execute(sql, (org_id,))])


def widget(session, name, **params):
    response = session.get(f"/dashboard/{name}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


# The arguments each widget is asked with, and the same as query params.
RANGES = [
    ({}, {"from": "", "to": "~", "len": 7}),
    ({"bucket": "day", "from": "2024-02-01"},
     {"from": "2024-02-01", "to": "~", "len": 10}),
    ({"bucket": "year", "to": "2024-06-30"},
     {"from": "", "to": "2024-06-30", "len": 4}),
]


def compare(world, step, correlated=True):
    """Compares every attribute widget with the old query, per viewer.
    With `correlated`, the site admin must see a correlated value."""
    db = sqlite3.connect(f"file:{world['db']}?mode=ro", uri=True)
    checked = 0
    try:
        for name, viewer in world["viewers"].items():
            admin = viewer["admin"]
            base = {"viewer_org": viewer["org_id"], "viewer_user": 0,
                    "viewer_groups": viewer_groups(db, viewer["org_id"],
                                                   admin)}
            session = viewer["session"]
            where = f"{step}, viewer {name}"
            totals = {r["name"]: r["count"]
                      for r in widget(session, "totals")}
            assert totals["attributes"] == old_attributes(db, base, admin), \
                where
            assert totals["correlations"] == \
                old_correlation_total(db, base, admin), where
            assert totals["correlations"] > 0 or not admin or \
                not correlated, where
            for limit in (3, 100):
                assert widget(session, "correlated_values", limit=limit) == \
                    old_correlated(db, dict(base, limit=limit), admin), \
                    (where, limit)
            for args, extra in RANGES:
                params = dict(base, **extra, limit=100)
                assert widget(session, "timeline", **args) == \
                    old_timeline(db, params, admin), (where, args)
                args = {k: v for k, v in args.items() if k != "bucket"}
                for w, column in (("attribute_types", "type"),
                                  ("attribute_categories", "category")):
                    assert widget(session, w, limit=100, **args) == \
                        old_top(db, params, admin, column), (where, w, args)
                    checked += 1
            small = dict(base, **{"from": "", "to": "~"}, limit=2)
            assert widget(session, "attribute_types", limit=2) == \
                old_top(db, small, admin, "type"), where
    finally:
        db.close()
    return checked


def attribute(level, sg_id, k, shared=None):
    """One attribute; `shared` names a value that other events hold."""
    t, category = TYPES[k % len(TYPES)]
    value = {"domain": f"c{k}.counts.example", "md5": "%032x" % (k + 1),
             "text": f"note {k}"}[t]
    if shared is not None:
        t, category, value = "domain", "Network activity", \
            f"s{shared}.shared.example"
    body = {"type": t, "category": category, "value": value,
            "distribution": level}
    if level == 4:
        body["sharing_group_id"] = sg_id
    return body


@pytest.fixture(scope="module")
def world(cairn_data, server, api):
    data = cairn_data.path
    orgs, sessions = {}, {}
    for name in ("creator", "member", "other"):
        done = harness.run_cli("org", "add", "--data", data,
                               f"Counts {name}")
        assert done.returncode == 0, done.stderr
        orgs[name] = int(done.stdout.split()[0])
        done = harness.run_cli("user", "add", "--data", data, "--org",
                               str(orgs[name]), "--role",
                               "3" if name == "other" else "2",
                               f"{name}@counts.test")
        assert done.returncode == 0, done.stderr
        sessions[name] = harness.ApiSession(server.url,
                                            done.stdout.split()[-1])
    creator = sessions["creator"]
    sg = creator.post("/sharing_groups/add",
                      json={"name": "Counts group", "releasability": "test"})
    assert sg.status_code == 200, sg.text
    sg_id = sg.json()["SharingGroup"]["id"]
    added = creator.post(f"/sharing_groups/addOrg/{sg_id}/{orgs['member']}")
    assert added.status_code == 200, added.text
    # A second group, for the other organisation: an event's attributes
    # with one value restricted to each group have no single class.
    sg2 = creator.post("/sharing_groups/add",
                       json={"name": "Counts group 2", "releasability": "t"})
    assert sg2.status_code == 200, sg2.text
    sg2_id = sg2.json()["SharingGroup"]["id"]
    added = creator.post(f"/sharing_groups/addOrg/{sg2_id}/{orgs['other']}")
    assert added.status_code == 200, added.text

    events, k = [], 0
    for n, (level, published) in enumerate(
            itertools.product(EVENT_LEVELS, (False, True))):
        attributes = []
        for attr_level in LEVELS:
            attributes.append(attribute(attr_level, sg_id, k))
            k += 1
        # Values shared across events at every level, some twice in one
        # event under different classes, one with correlation disabled.
        for i, attr_level in enumerate(LEVELS):
            a = attribute(attr_level, sg_id, k, shared=(n + i) % 5)
            if i == 5 and n % 2:
                a["disable_correlation"] = True
            attributes.append(a)
            k += 1
        if n % 2 == 0 and n % 3:  # the creator owns it, see below
            for group, t in ((sg_id, "domain"), (sg2_id, "hostname")):
                a = attribute(4, group, k, shared=10 + n % 3)
                a["type"] = t  # the same type would be a duplicate
                attributes.append(a)
                k += 1
        if n % 3 == 0:
            a = attribute(0, sg_id, k, shared=n % 5)
            a["type"] = "hostname"
            attributes.append(a)
            k += 1
        objects = []
        for obj_level in LEVELS:
            obj = {"name": "domain-ip", "meta-category": "network",
                   "distribution": obj_level, "Attribute": []}
            if obj_level == 4:
                obj["sharing_group_id"] = sg_id
            for attr_level in (0, 4, 5):
                a = attribute(attr_level, sg_id, k)
                a.update(type="domain", category="Network activity",
                         object_relation="domain",
                         value=f"o{k}.counts.example")
                if attr_level == 4:
                    a["value"] = f"s{(n + obj_level) % 5}.shared.example"
                obj["Attribute"].append(a)
                k += 1
            objects.append(obj)
        body = {"info": f"counts event {level} {published}",
                "distribution": level, "date": f"2024-0{1 + n % 4}-1{n % 3}",
                "Attribute": attributes, "Object": objects}
        if level == 4:
            body["sharing_group_id"] = sg_id
        # The organisations take turns owning the events.
        owner = sessions["creator" if n % 3 else "member"]
        if level == 4 and owner is not creator:
            owner = creator
        response = owner.post("/events/add", json=body)
        assert response.status_code == 200, response.text
        event = response.json()["Event"]
        if published:
            done = owner.post(f"/events/publish/{event['id']}")
            assert done.status_code == 200, done.text
        events.append(event)

    viewers = {name: {"session": s, "org_id": orgs[name], "admin": False}
               for name, s in sessions.items()}
    me = api.get("/users/view/me")
    assert me.status_code == 200, me.text
    viewers["admin"] = {"session": api, "admin": True,
                        "org_id": int(me.json()["User"]["org_id"])}
    yield {"db": data / "cairn.db", "viewers": viewers, "events": events,
           "sg_id": sg_id, "admin": api}
    for s in sessions.values():
        s.close()


def ok(response):
    assert response.status_code == 200, response.text
    return response


def test_counts_after_inserts(world):
    assert compare(world, "inserts") > 0
    db = sqlite3.connect(f"file:{world['db']}?mode=ro", uri=True)
    try:
        exact = dict(db.execute("SELECT exact, count(*) FROM shared_values"
                                " GROUP BY exact").fetchall())
    finally:
        db.close()
    # Both kinds of row are there to compare: one class, and none.
    assert exact.get(1, 0) > 0, exact
    assert exact.get(0, 0) > 0, exact


def test_counts_after_attribute_edits_and_deletes(world):
    api = world["admin"]
    for n, event in enumerate(world["events"]):
        top = event["Attribute"]
        # A distribution change, a type and category change, a soft
        # delete and a hard delete.
        ok(api.post(f"/attributes/edit/{top[0]['id']}",
                    json={"distribution": (n + 1) % 4}))
        ok(api.post(f"/attributes/edit/{top[1]['id']}",
                    json={"type": "text", "category": "Other",
                          "value": f"edited {n}"}))
        ok(api.post(f"/attributes/delete/{top[2]['id']}"))
        ok(api.post(f"/attributes/delete/{top[3]['id']}", json={"hard": 1}))
        inner = event["Object"][n % len(LEVELS)]["Attribute"]
        ok(api.post(f"/attributes/edit/{inner[0]['id']}",
                    json={"distribution": 5}))
        # Added to an existing event.
        ok(api.post(f"/attributes/add/{event['id']}",
                    json=attribute(n % 4, world["sg_id"], 1000 + n)))
    compare(world, "attribute edits")


def test_counts_after_object_changes(world):
    api = world["admin"]
    for n, event in enumerate(world["events"][::2]):
        objects = event["Object"]
        ok(api.post(f"/objects/delete/{objects[1]['id']}"))
        ok(api.post(f"/objects/delete/{objects[2]['id']}", json={"hard": 1}))
        ok(api.post(f"/objects/edit/{objects[3]['id']}",
                    json={"distribution": n % 3}))
    compare(world, "object changes")


def test_counts_after_event_changes(world):
    api = world["admin"]
    events = world["events"]
    for n, event in enumerate(events):
        if n % 4 == 0:
            ok(api.post(f"/events/edit/{event['id']}",
                        json={"distribution": (int(event["distribution"]) + 1)
                              % 4}))
        elif n % 4 == 1:
            ok(api.post(f"/events/unpublish/{event['id']}"))
        elif n % 4 == 2:
            ok(api.post(f"/events/publish/{event['id']}"))
            ok(api.post(f"/events/edit/{event['id']}",
                        json={"date": "2023-12-31"}))
    compare(world, "event changes")
    for event in events[1::3]:
        ok(api.post(f"/events/delete/{event['id']}"))
    compare(world, "event deletes")


def test_counts_after_import_and_reimport(world, shared_data, tmp_path):
    """The import counts each event's attributes in memory and writes the
    sums when its transaction commits; a rejected event, rolled back to
    its savepoint, leaves no count; a newer copy of an event replaces its
    content."""
    feed = shared_data / "misp-feed" / "curated"
    data = world["db"].parent
    done = harness.import_paths(data, feed)
    assert done.returncode == 0, done.stderr
    compare(world, "feed import")
    # One batch: a good event, a malformed one and another good one, so
    # that the rejected one rolls back between the others' savepoints.
    batch = tmp_path / "batch"
    batch.mkdir()
    for n in range(3):
        attrs = [{"type": "domain", "category": "Network activity",
                  "value": f"b{n}-{i}.batch.example"} for i in range(5)]
        event = {"uuid": f"6f1c0c4e-3a52-4c8e-9d1a-00000000000{n}",
                 "info": f"batch {n}", "distribution": 1, "published": True,
                 "date": f"2024-05-0{n + 1}", "timestamp": "1700000000",
                 "Attribute": attrs}
        if n == 1:
            # Malformed after the attributes are written: a tag list of
            # the wrong JSON type.
            event["Tag"] = 5
        (batch / f"e{n}.json").write_text(json.dumps({"Event": event}))
    done = harness.import_paths(data, batch)
    summary = harness.parse_summary(done.stdout)
    assert summary["added"] == 2, done.stdout
    assert summary["rejected"] == 1, done.stdout
    compare(world, "batch with a rejected event")
    # Newer copies of three events: other distributions, a publish
    # change, attributes at every level and one dropped object.
    for n, path in enumerate(sorted(feed.glob("*.json"))[:3]):
        doc = json.loads(path.read_text())
        event = doc["Event"]
        event["timestamp"] = str(int(event.get("timestamp", 0)) + 100)
        event["distribution"] = str(n)
        event["published"] = n != 1
        for i, a in enumerate(event.get("Attribute", [])):
            a["distribution"] = str((i + n) % 4)
        if event.get("Object"):
            event["Object"] = event["Object"][1:]
        (tmp_path / path.name).write_text(json.dumps(doc))
    done = harness.import_paths(data, tmp_path)
    assert done.returncode == 0, done.stderr
    assert harness.parse_summary(done.stdout)["updated"] == 3, done.stdout
    compare(world, "reimport")
