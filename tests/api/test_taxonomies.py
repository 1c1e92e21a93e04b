"""Taxonomies: index, view, enable, disable and addTag against the real
misp-taxonomies folder that the server loads with --library, and the
exclusivity rule and colours on every path that attaches tags."""

import json

import pytest

import harness
import library_users

TLP_AMBER_COLOUR = "#FFC000"


def folder_namespaces():
    root = harness.shared_data() / "taxonomies"
    return {
        json.loads(path.read_text())["namespace"]
        for path in root.glob("*/machinetag.json")
    }


@pytest.fixture(scope="module")
def index(api):
    response = api.get("/taxonomies/index")
    assert response.status_code == 200, response.text
    return response.json()


def taxonomy_id(index, namespace):
    for row in index:
        if row["Taxonomy"]["namespace"] == namespace:
            return row["Taxonomy"]["id"]
    raise AssertionError(f"taxonomy {namespace!r} is not in the index")


@pytest.fixture(scope="module")
def user_api(server, cairn_data):
    """A session of a user with MISP's default role "User" (id 3)."""
    key = library_users.add_user(cairn_data.path, "user@cairn.test", 3)
    session = harness.ApiSession(server.url, key)
    yield session
    session.close()


def test_index_lists_every_taxonomy(index):
    assert len(index) == 183
    assert {row["Taxonomy"]["namespace"] for row in index} == (
        folder_namespaces()
    )


def test_index_shape(index):
    row = index[0]
    taxonomy = row["Taxonomy"]
    for key in ("id", "namespace", "description", "version"):
        assert isinstance(taxonomy[key], str), key
    for key in ("enabled", "exclusive", "required"):
        assert isinstance(taxonomy[key], bool), key
    assert isinstance(row["total_count"], int)
    assert isinstance(row["current_count"], int)


def test_taxonomies_start_disabled(index):
    assert not any(row["Taxonomy"]["enabled"] for row in index)


def test_view_by_id_and_namespace(api, index):
    tid = taxonomy_id(index, "tlp")
    by_id = api.get(f"/taxonomies/view/{tid}")
    by_name = api.get("/taxonomies/view/tlp")
    assert by_id.status_code == 200, by_id.text
    assert by_id.json() == by_name.json()
    body = by_id.json()
    assert body["Taxonomy"]["namespace"] == "tlp"
    assert body["Taxonomy"]["exclusive"] is True
    tags = {entry["tag"]: entry for entry in body["entries"]}
    assert "tlp:amber" in tags
    assert tags["tlp:amber"]["colour"] == TLP_AMBER_COLOUR
    assert tags["tlp:amber"]["existing_tag"] is False


def test_view_value_entries(api):
    response = api.get("/taxonomies/view/admiralty-scale")
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    tags = {entry["tag"]: entry for entry in entries}
    entry = tags['admiralty-scale:source-reliability="a"']
    assert entry["exclusive_predicate"] is True
    assert ": " in entry["expanded"]


def test_view_unknown_404(api):
    harness.assert_misp_error(api.get("/taxonomies/view/nosuchtaxonomy"), 404)
    harness.assert_misp_error(api.get("/taxonomies/view/999999"), 404)


def test_enable_disable(api, index):
    tid = taxonomy_id(index, "PAP")
    response = api.post(f"/taxonomies/enable/{tid}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Taxonomy enabled"
    view = api.get(f"/taxonomies/view/{tid}").json()
    assert view["Taxonomy"]["enabled"] is True
    response = api.post(f"/taxonomies/disable/{tid}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Taxonomy disabled"
    assert api.get(f"/taxonomies/view/{tid}").json()["Taxonomy"][
        "enabled"
    ] is False


def test_enable_unknown_404(api):
    harness.assert_misp_error(api.post("/taxonomies/enable/999999"), 404)


def test_enable_needs_site_admin(user_api, index):
    tid = taxonomy_id(index, "tlp")
    harness.assert_misp_error(user_api.post(f"/taxonomies/enable/{tid}"), 403)
    # Reading needs no permission.
    assert user_api.get("/taxonomies/index").status_code == 200


def test_enabled_state_survives_restart(tmp_path_factory):
    path = tmp_path_factory.mktemp("restart") / "cairn"
    key = harness.init_data_dir(path)
    log = tmp_path_factory.mktemp("restartlog") / "serve.log"
    server = harness.Server(path, key, log)
    server.start()
    with harness.ApiSession(server.url, key) as session:
        before = session.get("/taxonomies/view/tlp").json()["Taxonomy"]
        assert session.post(f"/taxonomies/enable/{before['id']}").ok
    harness.check_stopped(server)
    # The restarted server listens on another free port.
    server.start()
    with harness.ApiSession(server.url, key) as session:
        after = session.get("/taxonomies/view/tlp").json()["Taxonomy"]
    harness.check_stopped(server)
    assert after["enabled"] is True
    assert after["id"] == before["id"]


def test_add_tag_creates_coloured_tags(api, index):
    tid = taxonomy_id(index, "tlp")
    response = api.post(f"/taxonomies/addTag/{tid}")
    assert response.status_code == 200, response.text
    view = api.get(f"/taxonomies/view/{tid}").json()
    entry = next(e for e in view["entries"] if e["tag"] == "tlp:amber")
    assert entry["existing_tag"]["Tag"]["colour"] == TLP_AMBER_COLOUR
    row = next(r for r in api.get("/taxonomies/index").json()
               if r["Taxonomy"]["id"] == tid)
    assert row["current_count"] == row["total_count"]


def test_event_with_two_tlp_tags_rejected(api):
    response = api.post(
        "/events/add",
        json={"info": "two tlp", "Tag": [{"name": "tlp:green"},
                                         {"name": "tlp:red"}]},
    )
    body = harness.assert_misp_error(response, 400)
    assert "tlp:green" in body["message"]
    assert "tlp:red" in body["message"]
    assert "'tlp'" in body["message"]


def test_tlp_white_and_clear_accepted(api):
    event = harness.add_event(
        api, info="white and clear",
        Tag=[{"name": "tlp:white"}, {"name": "tlp:clear"}],
    )
    assert {t["name"] for t in event["Tag"]} == {"tlp:white", "tlp:clear"}


def test_exclusive_predicate_on_attribute(api):
    tags = [
        {"name": 'admiralty-scale:source-reliability="a"'},
        {"name": 'admiralty-scale:source-reliability="c"'},
    ]
    response = api.post(
        "/events/add",
        json={"info": "predicate", "Attribute": [
            {"type": "ip-dst", "value": "198.51.100.7", "Tag": tags}]},
    )
    body = harness.assert_misp_error(response, 400)
    assert "source-reliability" in body["message"]
    event = harness.add_event(api, info="attribute target")
    response = api.post(
        f"/attributes/add/{event['id']}",
        json={"type": "ip-dst", "value": "198.51.100.8", "Tag": tags},
    )
    assert response.status_code in (400, 403), response.text
    assert "source-reliability" in response.text


def test_edit_adding_second_tlp_rejected(api):
    event = harness.add_event(api, info="edit", Tag=[{"name": "tlp:amber"}])
    response = api.post(
        f"/events/edit/{event['id']}",
        json={"Event": {"Tag": [{"name": "tlp:red"}]}},
    )
    harness.assert_misp_error(response, 400)
    stored = harness.view_event(api, event["id"])
    assert [t["name"] for t in stored["Tag"]] == ["tlp:amber"]


def test_attach_tag_exclusive(api):
    event = harness.add_event(api, info="attach", Tag=[{"name": "tlp:amber"}])
    response = api.post(
        "/tags/attachTagToObject",
        json={"uuid": event["uuid"], "tag": "tlp:red"},
    )
    body = harness.assert_misp_error(response, 400)
    assert "tlp:amber" in body["message"]
    assert "tlp:red" in body["message"]
    response = api.post(
        "/tags/attachTagToObject",
        json={"uuid": event["uuid"], "tag": "PAP:GREEN"},
    )
    assert response.status_code == 200, response.text


def test_machine_tag_gets_taxonomy_colour(api):
    event = harness.add_event(
        api, info="colour", Tag=[{"name": "tlp:amber+strict"}])
    tag = event["Tag"][0]
    assert tag["colour"] == TLP_AMBER_COLOUR
    # A colour sent with the tag is kept.
    event = harness.add_event(
        api, info="own colour",
        Tag=[{"name": "PAP:RED", "colour": "#123456"}])
    assert event["Tag"][0]["colour"] == "#123456"


def test_imported_conflict_kept_and_taggable(tmp_path_factory):
    """`cairn import` takes an event with two tlp tags, as MISP's feed
    import does. Later tags are checked against the stored ones, but the
    conflict that came in does not fail them."""
    path = tmp_path_factory.mktemp("imported") / "cairn"
    key = harness.init_data_dir(path)
    event_uuid = "3c0b5e4e-8a3b-4c55-9a57-0f1d4f0c2b11"
    feed = tmp_path_factory.mktemp("feedfile") / "event.json"
    feed.write_text(json.dumps({"Event": {
        "uuid": event_uuid, "info": "two tlp", "date": "2026-01-02",
        "timestamp": "1767312000", "threat_level_id": "4",
        "analysis": "0", "distribution": "0",
        "Orgc": {"name": "feed org",
                 "uuid": "5a7f6b43-3d3e-4e47-8f7b-9a1c2d3e4f50"},
        "Tag": [{"name": "tlp:amber"}, {"name": "tlp:red"}],
    }}))
    done = harness.import_paths(path, feed)
    assert done.returncode == 0, done.stderr[-2000:]

    log = tmp_path_factory.mktemp("importedlog") / "serve.log"
    server = harness.Server(path, key, log)
    server.start()
    try:
        with harness.ApiSession(server.url, key) as session:
            ok = session.post("/tags/attachTagToObject",
                              json={"uuid": event_uuid, "tag": "PAP:GREEN"})
            clash = session.post("/tags/attachTagToObject",
                                 json={"uuid": event_uuid,
                                       "tag": "tlp:green"})
            names = {t["name"] for t in
                     harness.view_event(session, event_uuid)["Tag"]}
    finally:
        harness.check_stopped(server)

    assert ok.status_code == 200, ok.text
    assert clash.status_code == 400, clash.text
    assert names == {"tlp:amber", "tlp:red", "PAP:GREEN"}
