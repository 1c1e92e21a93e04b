"""More sequences of writes after which the dashboard's attribute widgets
must still match the queries they replaced (the oracle of
test_dashboard_counts.py).

Each test starts its own server on a fresh data directory.  It has three
organisations with a user each: the creator, a member of both sharing
groups, and another organisation in the second group only.  The test
makes a few writes through the REST API or the CLI and compares every
widget for these three users and the site admin."""

import json
import sqlite3

import pytest

import harness
import test_dashboard_counts as counts


def compare(world, step):
    """Compares every attribute widget with the old query for each viewer;
    some steps leave no correlated value."""
    counts.compare(world, step, correlated=False)


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def world(tmp_path):
    """A fresh server, three organisations with a user each and two
    sharing groups.  Group 1 contains the creator and the member, group 2
    the creator and the other organisation."""
    path = tmp_path / "cairn"
    key = harness.init_data_dir(path)
    orgs, keys = {}, {}
    for name in ("creator", "member", "other"):
        done = harness.run_cli("org", "add", "--data", path,
                               f"Review {name}")
        assert done.returncode == 0, done.stderr
        orgs[name] = int(done.stdout.split()[0])
        done = harness.run_cli("user", "add", "--data", path, "--org",
                               str(orgs[name]), "--role", "2",
                               f"{name}@review.test")
        assert done.returncode == 0, done.stderr
        keys[name] = done.stdout.split()[-1]

    server = harness.Server(path, key, tmp_path / "serve.log")
    server.start()
    sessions = {n: harness.ApiSession(server.url, k) for n, k in keys.items()}
    api = harness.ApiSession(server.url, key)
    creator = sessions["creator"]
    groups = []
    for member in ("member", "other"):
        sg = ok(creator.post("/sharing_groups/add",
                             json={"name": f"Review {member}",
                                   "releasability": "test"}))
        sg_id = sg["SharingGroup"]["id"]
        ok(creator.post(f"/sharing_groups/addOrg/{sg_id}/{orgs[member]}"))
        groups.append(sg_id)

    viewers = {n: {"session": s, "org_id": orgs[n], "admin": False}
               for n, s in sessions.items()}
    me = ok(api.get("/users/view/me"))
    viewers["admin"] = {"session": api, "admin": True,
                        "org_id": int(me["User"]["org_id"])}
    w = {"db": path / "cairn.db", "path": path, "key": key,
         "viewers": viewers, "sessions": sessions, "orgs": orgs,
         "groups": groups, "admin": api, "server": server,
         "tmp": tmp_path}
    yield w
    # restart() replaces the viewers' sessions.
    for viewer in viewers.values():
        viewer["session"].close()
    harness.check_stopped(w["server"])


def add_event(session, attributes, objects=(), distribution=3,
              published=True, **fields):
    body = {"info": "review event", "distribution": distribution,
            "date": "2024-03-01", "Attribute": list(attributes),
            "Object": list(objects), **fields}
    event = ok(session.post("/events/add", json=body))["Event"]
    if published:
        ok(session.post(f"/events/publish/{event['id']}"))
    return event


def attr(value, type_="domain", distribution=5, **fields):
    category = {"domain": "Network activity", "hostname": "Network activity",
                "ip-dst": "Network activity", "ip-src": "Network activity",
                "md5": "Payload delivery", "text": "Other"}[type_]
    return {"type": type_, "category": category, "value": value,
            "distribution": distribution, **fields}


def publish(session, *events):
    for event in events:
        ok(session.post(f"/events/publish/{event['id']}"))


def obj(attributes, distribution=5, **fields):
    return {"name": "domain-ip", "meta-category": "network",
            "distribution": distribution,
            "Attribute": [dict(a, object_relation="domain")
                          for a in attributes], **fields}


def test_type_of_value_hidden_attribute(world):
    """An event contains a shared value twice: as a domain only its own
    organisation reads and as a hostname everyone reads.  Another
    organisation sees the value only as a hostname."""
    creator = world["sessions"]["creator"]
    add_event(creator, [attr("t.review.example", "domain", 0),
                        attr("t.review.example", "hostname", 5)])
    add_event(creator, [attr("t.review.example", "hostname", 5)])
    compare(world, "hidden smaller type")


def test_object_of_another_event(world):
    """events/edit of the creator's event names an object of the member's
    event by its uuid: the edit is rejected, and the object keeps its
    event, its class and its attributes."""
    creator = world["sessions"]["creator"]
    member = world["sessions"]["member"]
    a = add_event(member, [attr("x0.review.example")],
                  [obj([attr("x1.review.example")])])
    b = add_event(creator, [attr("x0.review.example")])
    o = a["Object"][0]
    new = dict(attr("x1.review.example"), object_relation="domain")
    response = creator.post(f"/events/edit/{b['id']}", json={
        "Object": [{"uuid": o["uuid"], "distribution": 1,
                    "Attribute": [new]}]})
    assert response.status_code == 403, response.text
    assert "belongs to another event" in response.json()["message"]
    db = sqlite3.connect(world["db"])
    try:
        rows = db.execute("SELECT a.event_id, o.event_id, o.distribution"
                          " FROM attributes a"
                          " JOIN objects o ON o.id = a.object_id").fetchall()
    finally:
        db.close()
    assert rows == [(int(a["id"]), int(a["id"]), 5)], rows
    ok(member.post(f"/objects/edit/{o['id']}", json={"distribution": 0}))
    publish(member, a)
    publish(creator, b)
    compare(world, "object of another event")


def test_attribute_restore_and_edits(world):
    """Soft delete and restore by attributes/edit, value, type and
    disable_correlation changes of shared values."""
    creator = world["sessions"]["creator"]
    member = world["sessions"]["member"]
    a = add_event(creator, [attr("r1.review.example"),
                            attr("r2.review.example", distribution=1),
                            attr("r3.review.example")])
    b = add_event(member, [attr("r1.review.example"),
                           attr("r2.review.example"),
                           attr("r4.review.example")])
    top = a["Attribute"]
    ok(creator.post(f"/attributes/delete/{top[0]['id']}"))
    publish(creator, a)
    compare(world, "soft delete")
    ok(creator.post(f"/attributes/edit/{top[0]['id']}",
                    json={"deleted": False}))
    publish(creator, a)
    compare(world, "restore")
    ok(creator.post(f"/attributes/edit/{top[2]['id']}",
                    json={"value": "r4.review.example"}))
    ok(creator.post(f"/attributes/edit/{top[1]['id']}",
                    json={"disable_correlation": True}))
    publish(creator, a)
    compare(world, "value and correlation")
    ok(creator.post(f"/attributes/edit/{top[1]['id']}",
                    json={"disable_correlation": False,
                          "type": "hostname"}))
    ok(member.post(f"/attributes/edit/{b['Attribute'][2]['id']}",
                   json={"distribution": 0}))
    publish(creator, a)
    publish(member, b)
    compare(world, "type and distribution")


def test_event_correlation_toggle_and_delete(world):
    """An event that stops correlating, correlates again, and a delete of
    one of the two events that share a value."""
    creator = world["sessions"]["creator"]
    a = add_event(creator, [attr("c1.review.example"),
                            attr("c2.review.example")])
    b = add_event(creator, [attr("c1.review.example"),
                            attr("c2.review.example")])
    c = add_event(creator, [attr("c2.review.example")])
    ok(creator.post(f"/events/edit/{a['id']}",
                    json={"disable_correlation": True}))
    publish(creator, a)
    compare(world, "correlation disabled")
    ok(creator.post(f"/events/edit/{a['id']}",
                    json={"disable_correlation": False}))
    publish(creator, a)
    compare(world, "correlation enabled")
    ok(creator.post(f"/events/delete/{b['id']}"))
    compare(world, "event deleted")
    ok(creator.post(f"/events/delete/{c['id']}"))
    compare(world, "second event deleted")


def test_full_event_edit(world):
    """events/edit with attributes updated, added and deleted, an object
    updated by uuid with new attributes, and a new event class."""
    creator = world["sessions"]["creator"]
    sg1, sg2 = world["groups"]
    a = add_event(creator, [attr("f1.review.example"),
                            attr("f2.review.example", distribution=4,
                                 sharing_group_id=sg1)],
                  [obj([attr("f3.review.example")], distribution=1)])
    add_event(creator, [attr("f1.review.example"), attr("f2.review.example"),
                        attr("f3.review.example"),
                        attr("f5.review.example")])
    top = a["Attribute"]
    o = a["Object"][0]
    body = {"distribution": 4, "sharing_group_id": sg2, "published": True,
            "date": "2024-05-05",
            "Attribute": [
                {"uuid": top[0]["uuid"], "distribution": 0},
                {"uuid": top[1]["uuid"], "deleted": True},
                attr("f5.review.example", distribution=4,
                     sharing_group_id=sg1)],
            "Object": [{"uuid": o["uuid"], "distribution": 4,
                        "sharing_group_id": sg1,
                        "Attribute": [
                            dict(attr("f5.review.example", "hostname"),
                                 object_relation="domain"),
                            {"uuid": o["Attribute"][0]["uuid"],
                             "distribution": 4,
                             "sharing_group_id": sg2}]}]}
    ok(creator.post(f"/events/edit/{a['id']}", json=body))
    publish(creator, a)
    compare(world, "full edit")
    ok(creator.post(f"/events/edit/{a['id']}", json={
        "Object": [{"uuid": o["uuid"], "deleted": True}]}))
    publish(creator, a)
    compare(world, "object deleted by edit")
    ok(creator.post(f"/events/edit/{a['id']}", json={
        "Object": [{"uuid": o["uuid"], "deleted": False}]}))
    publish(creator, a)
    compare(world, "object restored by edit")


def test_sharing_group_changes(world):
    """Membership changes and a deleted group change who reads what."""
    creator = world["sessions"]["creator"]
    sg1, sg2 = world["groups"]
    a = add_event(creator, [attr("g1.review.example", distribution=4,
                                 sharing_group_id=sg1),
                            attr("g2.review.example", distribution=4,
                                 sharing_group_id=sg2)],
                  distribution=4, sharing_group_id=sg1)
    add_event(creator, [attr("g1.review.example", distribution=4,
                             sharing_group_id=sg2),
                        attr("g2.review.example")])
    compare(world, "groups")
    orgs = world["orgs"]
    ok(creator.post(f"/sharing_groups/addOrg/{sg1}/{orgs['other']}"))
    compare(world, "other joins group 1")
    ok(creator.post(f"/sharing_groups/removeOrg/{sg2}/{orgs['other']}"))
    compare(world, "other leaves group 2")
    response = creator.post(f"/sharing_groups/delete/{sg2}")
    compare(world, f"group 2 deleted ({response.status_code})")
    assert a


def populate(world):
    """Events of every owner and level with shared values in objects and
    out of them, under several classes in one event, some deleted."""
    s = world["sessions"]
    sg1, sg2 = world["groups"]
    events = []
    for n in range(6):
        owner = s[("creator", "member", "creator")[n % 3]]
        # The member may use the first group only.
        groups = (sg1, sg1 if n % 3 == 1 else sg2)
        level = (0, 1, 3, 4, 2, 3)[n]
        extra = {"sharing_group_id": sg1} if level == 4 else {}
        attributes = [
            attr(f"p{n % 3}.review.example", distribution=n % 4),
            attr(f"p{n % 3}.review.example", "hostname",
                 distribution=4, sharing_group_id=groups[n % 2]),
            attr("pall.review.example", ("domain", "hostname")[n % 2],
                 distribution=(0, 5)[n % 2]),
            attr(f"u{n}.review.example", "text"),
            # Only the owner reads the value as a domain.
            attr("phid.review.example", "domain", distribution=0),
            attr("phid.review.example", "hostname"),
            attr(f"d{n % 2}.review.example", disable_correlation=n < 3),
        ]
        objects = [obj([attr(f"p{(n + 1) % 3}.review.example",
                             distribution=(5, 4)[n % 2],
                             sharing_group_id=groups[1])],
                       distribution=(4, 1, 0)[n % 3], sharing_group_id=sg1),
                   obj([attr("pall.review.example")], distribution=5)]
        event = add_event(owner, attributes, objects, distribution=level,
                          date=f"2024-0{1 + n % 3}-0{1 + n}", **extra)
        events.append((owner, event))
    owner, event = events[0]
    ok(owner.post(f"/attributes/delete/{event['Attribute'][0]['id']}"))
    owner, event = events[1]
    ok(owner.post(f"/objects/delete/{event['Object'][1]['id']}"))
    for owner, event in events:
        publish(owner, event)
    return events


def restart(world, stopped=None):
    """Restarts the server, calling `stopped` while it is down."""
    harness.check_stopped(world["server"])
    if stopped:
        stopped()
    server = harness.Server(world["path"], world["key"],
                            world["tmp"] / "serve2.log")
    server.start()
    world["server"] = server
    for viewer in world["viewers"].values():
        key = viewer["session"].headers["Authorization"]
        viewer["session"].close()
        viewer["session"] = harness.ApiSession(server.url, key)


def test_migration_backfill(world):
    """A database at schema version 10 gets the tables filled by
    migration 11, which must count what the old queries count."""
    # NOTE: this fails.  The backfill marks a value's row of an event
    # exact when one of its attributes is readable by everyone who reads
    # the event, with the smallest type of all of them, so another
    # organisation sees phid.review.example as a domain.
    populate(world)
    compare(world, "before the migration")

    def rewind():
        db = sqlite3.connect(world["db"])
        for table in ("attribute_counts", "shared_values", "shared_counts"):
            db.execute(f"DROP TABLE {table}")
        db.execute("PRAGMA user_version = 10")
        db.commit()
        db.close()
    restart(world, rewind)
    compare(world, "after the migration")


def write_event(path, uuid, info, attributes, objects=(), **fields):
    event = {"uuid": uuid, "info": info, "distribution": 3,
             "published": True, "date": "2024-04-01",
             "timestamp": "1700000000", "Attribute": list(attributes),
             "Object": list(objects), **fields}
    path.write_text(json.dumps({"Event": event}))


UUID = "7a1c0c4e-3a52-4c8e-9d1a-0000000000%02d"


def test_import_batch_and_reimport(world, tmp_path):
    """An import batch whose middle event is rejected, of events that
    share values with stored ones, then newer copies that change them."""
    creator = world["sessions"]["creator"]
    add_event(creator, [attr("i1.review.example"),
                        attr("i2.review.example", distribution=0)])
    stored = add_event(creator, [attr("i3.review.example")])
    batch = tmp_path / "batch"
    batch.mkdir()
    for n in range(3):
        attributes = [attr("i1.review.example"), attr("i2.review.example"),
                      attr(f"i{3 + n}.review.example", distribution=n)]
        objects = [obj([attr("i4.review.example", distribution=n)],
                       distribution=n)]
        extra = {"Tag": 5} if n == 1 else {}
        write_event(batch / f"e{n}.json", UUID % n, f"batch {n}",
                    attributes, objects, **extra)
    done = harness.import_paths(world["path"], batch)
    summary = harness.parse_summary(done.stdout)
    assert summary["added"] == 2, done.stdout
    assert summary["rejected"] == 1, done.stdout
    compare(world, "batch with a rejected event")
    newer = tmp_path / "newer"
    newer.mkdir()
    for n in (0, 2):
        attributes = [attr("i1.review.example", distribution=0),
                      attr("i5.review.example"), attr("i3.review.example")]
        write_event(newer / f"e{n}.json", UUID % n, f"newer {n}",
                    attributes, distribution=n, published=n == 0,
                    timestamp="1700000100")
    # A newer copy of the event stored through the API.
    write_event(newer / "stored.json", stored["uuid"], "stored, newer",
                [attr("i3.review.example", distribution=1),
                 attr("i5.review.example", distribution=0)],
                timestamp=str(int(stored["timestamp"]) + 100))
    done = harness.import_paths(world["path"], newer)
    assert harness.parse_summary(done.stdout)["updated"] == 3, done.stdout
    compare(world, "newer copies")


def test_failed_requests(world):
    """Requests that fail after some of their writes leave the counts as
    they were, and the next writes count right."""
    creator = world["sessions"]["creator"]
    a = add_event(creator, [attr("m1.review.example"),
                            attr("m2.review.example")])
    b = add_event(creator, [attr("m1.review.example")])
    body = {"info": "fails", "distribution": 3,
            "Attribute": [attr("m2.review.example"),
                          attr("m3.review.example")],
            "Object": [obj([attr("m1.review.example")])], "Tag": 5}
    response = creator.post("/events/add", json=body)
    assert response.status_code != 200, response.text
    compare(world, "failed add")
    # The second attribute names an attribute of the other event.
    body = {"distribution": 0, "Attribute": [
        {"uuid": a["Attribute"][0]["uuid"], "value": "m3.review.example"},
        attr("m2.review.example", "hostname"),
        {"uuid": b["Attribute"][0]["uuid"], "type": "domain",
         "value": "m9.review.example"}]}
    response = creator.post(f"/events/edit/{a['id']}", json=body)
    assert response.status_code != 200, response.text
    compare(world, "failed edit")
    ok(creator.post(f"/attributes/add/{b['id']}",
                    json=attr("m2.review.example")))
    publish(creator, a, b)
    compare(world, "after the failures")


def test_backup_and_restore(world, tmp_path):
    """A backup taken while the server runs, restored after more writes,
    brings back the counts of its own rows."""
    events = populate(world)
    backup = tmp_path / "backup.db"
    done = harness.run_cli("backup", "--data", world["path"], backup)
    assert done.returncode == 0, done.stderr
    owner, event = events[2]
    ok(owner.post(f"/events/delete/{event['id']}"))
    add_event(owner, [attr("p0.review.example"), attr("z.review.example")])
    compare(world, "after the backup")

    def restore():
        done = harness.run_cli("restore", "--data", world["path"], backup)
        assert done.returncode == 0, done.stderr
    restart(world, restore)
    compare(world, "restored")
    add_event(world["viewers"]["creator"]["session"],
              [attr("p1.review.example")])
    compare(world, "written after the restore")


def test_import_repeats_event(world, tmp_path):
    """One batch contains an event twice, the second copy newer, and an
    event with more classes and values than the pending changes' merge
    window (64 entries)."""
    creator = world["sessions"]["creator"]
    sg1, _ = world["groups"]
    add_event(creator, [attr("k1.review.example"), attr("k7.review.example")])
    batch = tmp_path / "batch"
    batch.mkdir()
    write_event(batch / "a.json", UUID % 50, "first copy",
                [attr("k1.review.example"), attr("k2.review.example")],
                [obj([attr("k1.review.example", distribution=0)])])
    write_event(batch / "b.json", UUID % 50, "second copy",
                [attr("k2.review.example", distribution=0),
                 attr("k7.review.example")],
                [obj([attr("k3.review.example")], distribution=0)],
                timestamp="1700000100", distribution=4,
                sharing_group_id=sg1)
    many = [attr(f"k{n % 9}.review.example",
                 ("domain", "hostname", "text", "md5")[n % 4]
                 if n % 4 != 3 else "md5",
                 distribution=n % 6 if n % 6 != 4 else 5,
                 comment=str(n)) for n in range(150)]
    for n, a in enumerate(many):
        if a["type"] == "md5":
            a["value"] = "%032x" % (n % 7)
    write_event(batch / "c.json", UUID % 51, "many", many,
                [obj([attr(f"k{n}.review.example", distribution=n % 4)],
                     distribution=n % 4) for n in range(70)],
                date="2023-11-30")
    done = harness.import_paths(world["path"], batch)
    summary = harness.parse_summary(done.stdout)
    assert summary["rejected"] == 0, done.stdout + done.stderr
    assert summary["added"] + summary["updated"] == 3, done.stdout
    compare(world, "repeated event")


def test_add_repeats_attribute_uuid(world):
    """events/add names one attribute twice by uuid: the insert of the
    second copy fails inside the transaction, which goes on and updates
    the first copy instead."""
    creator = world["sessions"]["creator"]
    add_event(creator, [attr("q1.review.example"), attr("q2.review.example")])
    uuid = "5b0e7c2a-1d3f-4b8e-9a6c-00000000a001"
    other = "5b0e7c2a-1d3f-4b8e-9a6c-00000000a002"
    event = add_event(creator, [
        attr("q1.review.example", uuid=uuid),
        attr("q3.review.example", uuid=other, distribution=0),
        attr("q2.review.example", uuid=uuid, distribution=0),
    ], [obj([attr("q3.review.example", uuid=other, distribution=1)])])
    assert len(event["Attribute"]) + len(event["Object"]) >= 2, event
    compare(world, "repeated uuid")
