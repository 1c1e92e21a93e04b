"""Galaxies and clusters against the real misp-galaxy folder that the
server loads with --library: index, search, view, cluster view and
search, attachCluster, and clusters attached through their tags."""

import json

import pytest

import harness
import library_users

APT28_TAG = 'misp-galaxy:threat-actor="APT28"'
THREAT_ACTOR_UUID = "698774c7-8022-42c4-917f-8d6e4f06ada3"


def folder_galaxies():
    root = harness.shared_data() / "galaxies" / "galaxies"
    return {
        json.loads(path.read_text())["uuid"] for path in root.glob("*.json")
    }


@pytest.fixture(scope="module")
def galaxies(api):
    response = api.get("/galaxies/index")
    assert response.status_code == 200, response.text
    return [row["Galaxy"] for row in response.json()]


@pytest.fixture(scope="module")
def apt28(api):
    response = api.post("/galaxy_clusters/index", json={"searchall": "APT28"})
    assert response.status_code == 200, response.text
    for row in response.json():
        if row["GalaxyCluster"]["tag_name"] == APT28_TAG:
            return row["GalaxyCluster"]
    raise AssertionError("APT28 is not among the clusters found")


def galaxy_names(event):
    return [
        (galaxy["type"], cluster["value"])
        for galaxy in event.get("Galaxy", [])
        for cluster in galaxy["GalaxyCluster"]
    ]


def test_index_lists_every_galaxy(galaxies):
    assert {g["uuid"] for g in galaxies} == folder_galaxies()
    for key in ("id", "uuid", "name", "type", "version", "namespace"):
        assert isinstance(galaxies[0][key], str), key


def test_search_galaxies_by_value(api):
    response = api.post("/galaxies", json={"value": "threat actor"})
    assert response.status_code == 200, response.text
    uuids = {row["Galaxy"]["uuid"] for row in response.json()}
    assert THREAT_ACTOR_UUID in uuids
    assert len(uuids) < 20


def test_view_galaxy_with_clusters(api, galaxies):
    galaxy = next(g for g in galaxies if g["uuid"] == THREAT_ACTOR_UUID)
    response = api.get(f"/galaxies/view/{galaxy['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["Galaxy"]["type"] == "threat-actor"
    values = {c["value"] for c in body["GalaxyCluster"]}
    assert "APT28" in values
    assert api.get(f"/galaxies/view/{THREAT_ACTOR_UUID}").json() == body


def test_view_unknown_galaxy_404(api):
    harness.assert_misp_error(api.get("/galaxies/view/999999"), 404)


def test_cluster_search_by_synonym(api):
    response = api.post(
        "/galaxy_clusters/index", json={"searchall": "fancy bear"})
    assert response.status_code == 200, response.text
    tags = {row["GalaxyCluster"]["tag_name"] for row in response.json()}
    assert APT28_TAG in tags


def test_cluster_search_within_galaxy(api, galaxies):
    galaxy = next(g for g in galaxies if g["uuid"] == THREAT_ACTOR_UUID)
    response = api.post(
        f"/galaxy_clusters/index/{galaxy['id']}", json={"searchall": "sednit"})
    assert response.status_code == 200, response.text
    rows = [row["GalaxyCluster"] for row in response.json()]
    assert rows
    assert all(row["galaxy_id"] == galaxy["id"] for row in rows)


def test_cluster_view(api, apt28):
    response = api.get(f"/galaxy_clusters/view/{apt28['id']}")
    assert response.status_code == 200, response.text
    cluster = response.json()["GalaxyCluster"]
    assert cluster["uuid"] == apt28["uuid"]
    assert cluster["Galaxy"]["uuid"] == THREAT_ACTOR_UUID
    keys = {e["key"] for e in cluster["GalaxyElement"]}
    assert "synonyms" in keys
    assert isinstance(cluster["GalaxyClusterRelation"], list)
    by_uuid = api.get(f"/galaxy_clusters/view/{apt28['uuid']}").json()
    assert by_uuid["GalaxyCluster"]["id"] == apt28["id"]


def test_cluster_view_unknown_404(api):
    harness.assert_misp_error(api.get("/galaxy_clusters/view/0"), 404)


def test_cluster_ids_stable_across_restart(tmp_path_factory):
    path = tmp_path_factory.mktemp("restart") / "cairn"
    key = harness.init_data_dir(path)
    log = tmp_path_factory.mktemp("restartlog") / "serve.log"
    server = harness.Server(path, key, log)
    ids = []
    for _ in range(2):
        server.start()
        with harness.ApiSession(server.url, key) as session:
            rows = session.post(
                "/galaxy_clusters/index", json={"searchall": "APT28"}
            ).json()
        harness.check_stopped(server)
        ids.append({r["GalaxyCluster"]["uuid"]: r["GalaxyCluster"]["id"]
                    for r in rows})
    assert ids[0] and ids[0] == ids[1]


def test_attach_cluster_to_event(api, apt28):
    event = harness.add_event(api, info="attach cluster")
    response = api.post(
        f"/galaxies/attachCluster/{event['id']}/event/local:0",
        json={"Galaxy": {"target_id": int(apt28["id"])}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["saved"] is True
    stored = harness.view_event(api, event["id"])
    assert galaxy_names(stored) == [("threat-actor", "APT28")]
    galaxy = stored["Galaxy"][0]
    assert galaxy["uuid"] == THREAT_ACTOR_UUID
    cluster = galaxy["GalaxyCluster"][0]
    assert cluster["id"] == apt28["id"]
    assert cluster["tag_name"] == APT28_TAG
    assert "synonyms" in cluster["meta"]
    assert APT28_TAG in {t["name"] for t in stored["Tag"]}
    # A second attach changes nothing.
    response = api.post(
        f"/galaxies/attachCluster/{event['id']}/event/local:0",
        json={"Galaxy": {"target_id": apt28["id"]}},
    )
    assert response.status_code == 200, response.text
    assert galaxy_names(harness.view_event(api, event["id"])) == [
        ("threat-actor", "APT28")]


def test_attach_cluster_to_attribute(api, apt28):
    event = harness.add_event(
        api, info="attribute cluster",
        Attribute=[{"type": "domain", "value": "cluster.example.com"}])
    attribute = event["Attribute"][0]
    response = api.post(
        f"/galaxies/attachCluster/{attribute['uuid']}/attribute",
        json={"Galaxy": {"target_id": apt28["uuid"]}},
    )
    assert response.status_code == 200, response.text
    stored = harness.view_event(api, event["id"])
    assert galaxy_names(stored["Attribute"][0]) == [("threat-actor", "APT28")]


def test_attach_cluster_errors(api, apt28):
    event = harness.add_event(api, info="attach errors")
    harness.assert_misp_error(api.post(
        f"/galaxies/attachCluster/{event['id']}/event",
        json={"Galaxy": {"target_id": 0}}), 404)
    harness.assert_misp_error(api.post(
        "/galaxies/attachCluster/999999/event",
        json={"Galaxy": {"target_id": apt28["id"]}}), 404)
    harness.assert_misp_error(api.post(
        f"/galaxies/attachCluster/{event['id']}/object",
        json={"Galaxy": {"target_id": apt28["id"]}}), 400)


def test_attach_cluster_needs_tagger(server, cairn_data, apt28, api):
    key = library_users.add_user(cairn_data.path, "reader@cairn.test", 6)
    event = harness.add_event(api, info="read only")
    with harness.ApiSession(server.url, key) as reader:
        harness.assert_misp_error(reader.post(
            f"/galaxies/attachCluster/{event['id']}/event",
            json={"Galaxy": {"target_id": apt28["id"]}}), 403)
        assert reader.get(f"/galaxy_clusters/view/{apt28['id']}").ok


def test_galaxy_tag_attaches_cluster(api):
    event = harness.add_event(
        api, info="by tag",
        Tag=[{"name": APT28_TAG}, {"name": "tlp:green"}])
    assert galaxy_names(event) == [("threat-actor", "APT28")]
    tag = next(t for t in event["Tag"] if t["name"] == APT28_TAG)
    assert tag["is_galaxy"] is True


def test_unknown_galaxy_tag_stays_plain(api):
    name = 'misp-galaxy:threat-actor="No Such Actor Anywhere"'
    event = harness.add_event(api, info="plain", Tag=[{"name": name}])
    assert galaxy_names(event) == []
    assert [t["name"] for t in event["Tag"]] == [name]


def test_attach_tag_to_object_attaches_cluster(api):
    event = harness.add_event(api, info="attach tag")
    response = api.post(
        "/tags/attachTagToObject",
        json={"uuid": event["uuid"], "tag": APT28_TAG},
    )
    assert response.status_code == 200, response.text
    assert galaxy_names(harness.view_event(api, event["id"])) == [
        ("threat-actor", "APT28")]


def test_event_galaxy_block_not_doubled(api, apt28):
    """An event that carries the cluster in its own Galaxy list keeps that
    copy and gets no second one from the library."""
    galaxy = {"uuid": THREAT_ACTOR_UUID, "name": "Threat Actor",
              "type": "threat-actor", "GalaxyCluster": [
                  {"uuid": apt28["uuid"], "type": "threat-actor",
                   "value": "APT28", "tag_name": APT28_TAG}]}
    event = harness.add_event(
        api, info="own galaxy", Tag=[{"name": APT28_TAG}], Galaxy=[galaxy])
    assert galaxy_names(event) == [("threat-actor", "APT28")]


def test_received_copy_not_doubled_later(api, apt28):
    """A cluster stored from the event's own Galaxy list is not attached a
    second time by a later tag or attachCluster."""
    galaxy = {"uuid": THREAT_ACTOR_UUID, "name": "Threat Actor",
              "type": "threat-actor", "GalaxyCluster": [
                  {"uuid": apt28["uuid"], "type": "threat-actor",
                   "value": "APT28", "tag_name": APT28_TAG,
                   "description": "as received"}]}
    event = harness.add_event(api, info="received copy", Galaxy=[galaxy])
    response = api.post(
        f"/events/edit/{event['id']}",
        json={"Event": {"Tag": [{"name": APT28_TAG}]}})
    assert response.status_code == 200, response.text
    response = api.post(
        f"/galaxies/attachCluster/{event['id']}/event",
        json={"Galaxy": {"target_id": apt28["id"]}})
    assert response.status_code == 200, response.text
    stored = harness.view_event(api, event["id"])
    assert galaxy_names(stored) == [("threat-actor", "APT28")]
    cluster = stored["Galaxy"][0]["GalaxyCluster"][0]
    assert cluster["description"] == "as received"
