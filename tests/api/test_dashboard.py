"""The dashboard's widget endpoints and the web UI's static files.

Every widget counts only what its user may read, so an organisation
that sees one of another's events sees that event's figures and no
others."""

import pytest

import accounts
import harness

# One ATT&CK cluster, as an event carries it; two events may bring copies
# of it under other UUIDs.  Its external_id lists only a CAPEC id, as the
# copies in older MISP events do, and the widget takes the technique id
# from the end of its name.
def attack_galaxy(cluster_uuid):
    return [{
        "uuid": "c4e851fa-775f-11e7-8163-b774922098cd",
        "name": "Attack Pattern", "type": "mitre-attack-pattern",
        "GalaxyCluster": [{
            "uuid": cluster_uuid, "type": "mitre-attack-pattern",
            "value": "Phishing - T9566",
            "tag_name": 'misp-galaxy:mitre-attack-pattern="Phishing - T9566"',
            "meta": {"kill_chain": ["mitre-attack:initial-access"],
                     "external_id": ["CAPEC-163"]},
        }],
    }]


def widget(api, name, **params):
    response = api.get(f"/dashboard/{name}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["widget"] == name
    return body["rows"]


def totals(api):
    return {row["name"]: row["count"] for row in widget(api, "totals")}


@pytest.fixture(scope="module")
def setup(server, api):
    """Three events of the host organisation: one published to all
    communities (with one attribute of distribution 0), one published to
    the organisation only, one unpublished; and a user of another
    organisation."""
    shared = harness.add_event(
        api, info="shared", distribution=3, published=True, date="2024-03-05",
        threat_level_id=1,
        Attribute=[
            {"type": "ip-dst", "value": "198.51.100.1", "distribution": 5},
            {"type": "domain", "value": "shared.example", "distribution": 5},
            {"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e",
             "distribution": 0},
        ],
        Tag=[{"name": "tlp:green"}],
        Galaxy=attack_galaxy("0b5c7a5e-1111-4111-8111-000000000001"))
    own = harness.add_event(
        api, info="own org", distribution=0, published=True,
        date="2023-01-10", threat_level_id=2,
        Attribute=[{"type": "ip-dst", "value": "198.51.100.1"}],
        Tag=[{"name": "tlp:red"}],
        Galaxy=attack_galaxy("0b5c7a5e-1111-4111-8111-000000000002"))
    draft = harness.add_event(
        api, info="draft", distribution=3, published=False, date="2024-03-20",
        threat_level_id=3,
        Attribute=[{"type": "url", "value": "http://draft.example/x"}])
    for event in (shared, own):
        response = api.post(f"/events/publish/{event['id']}")
        assert response.status_code == 200, response.text
    org = accounts.add_org(api)
    _, key = accounts.add_user(api, org["id"], 3)
    other = accounts.session(server, key)
    yield {"shared": shared, "own": own, "draft": draft, "other": other}
    other.close()


def test_totals_count_what_each_user_reads(api, setup):
    admin = totals(api)
    assert admin["events"] == 3
    assert admin["attributes"] == 5
    # The IP of "shared" and "own" is one correlated value.
    assert admin["correlations"] == 1
    other = totals(setup["other"])
    assert other["events"] == 1
    assert other["attributes"] == 2
    assert other["correlations"] == 0
    assert other["objects"] == 0


def test_types_tags_and_levels_are_filtered(api, setup):
    other = setup["other"]
    types = {r["name"]: r["count"] for r in widget(other, "attribute_types")}
    assert types == {"ip-dst": 1, "domain": 1}
    tags = [r["name"] for r in widget(other, "top_tags")]
    assert tags == ["tlp:green"]
    levels = {r["id"]: r["count"] for r in widget(other, "threat_levels")}
    assert levels == {1: 1}
    admin_levels = {r["id"]: r["count"] for r in widget(api, "threat_levels")}
    assert admin_levels == {1: 1, 2: 1, 3: 1}
    latest = [r["info"] for r in widget(other, "latest_events")]
    assert latest == ["shared"]
    taxonomies = {r["name"]: r["count"] for r in widget(api, "top_taxonomies")}
    assert taxonomies == {"tlp": 2}


def test_timeline_buckets_and_range(api, setup):
    months = widget(api, "timeline")
    assert [(r["period"], r["events"], r["attributes"]) for r in months] == [
        ("2023-01", 1, 1), ("2024-03", 2, 4)]
    years = widget(api, "timeline", bucket="year", **{"from": "2024-01-01"})
    assert [(r["period"], r["events"]) for r in years] == [("2024", 2)]
    days = widget(api, "timeline", bucket="day", to="2024-03-10")
    assert [r["period"] for r in days] == ["2023-01-10", "2024-03-05"]


def test_correlated_values_and_orgs(api, setup):
    rows = widget(api, "correlated_values")
    assert rows == [{"value": "198.51.100.1", "type": "ip-dst", "count": 2}]
    assert widget(setup["other"], "correlated_values") == []
    orgs = widget(api, "top_orgs")
    assert [(r["count"], r["attributes"]) for r in orgs] == [(3, 5)]


def test_attack_patterns_merge_copies(api, setup):
    rows = widget(api, "attack_patterns")
    assert [(r["name"], r["count"]) for r in rows] == [("Phishing - T9566", 2)]
    assert rows[0]["tactics"] == ["initial-access"]
    assert rows[0]["external_id"] == "T9566"
    other = widget(setup["other"], "attack_patterns")
    assert [(r["name"], r["count"]) for r in other] == [("Phishing - T9566", 1)]


@pytest.mark.parametrize("params, message", [
    ({"bucket": "week"}, "bucket must be year, month or day."),
    ({"limit": "0"}, "limit must be a whole number from 1 to 100."),
    ({"limit": "ten"}, "limit must be a whole number from 1 to 100."),
    ({"from": "2024-3-1"}, "from and to must be dates of the form YYYY-MM-DD."),
])
def test_bad_arguments_are_named(api, setup, params, message):
    response = api.get("/dashboard/timeline", params=params)
    harness.assert_misp_error(response, 400)
    assert response.json()["message"] == message


def test_widgets_need_a_user(server):
    import requests
    response = requests.get(f"{server.url}/dashboard/totals",
                            headers={"Accept": "application/json"})
    assert response.status_code == 403


def test_static_files_and_headers(server, api):
    import requests
    page = requests.get(f"{server.url}/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert b'src="/ui/js/app.js"' in page.content
    for response in (page, api.get("/servers/getVersion")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    script = requests.get(f"{server.url}/ui/vendor/echarts.mjs")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert len(script.content) > 100000
    for path in ("/ui/", "/ui/nothing.js", "/ui/js/%2e%2e/index.html",
                 "/ui/js/app.js:x"):
        assert requests.get(f"{server.url}{path}").status_code == 404, path
    head = requests.head(f"{server.url}/ui/css/app.css")
    assert head.status_code == 200
    assert requests.post(f"{server.url}/").status_code == 405
