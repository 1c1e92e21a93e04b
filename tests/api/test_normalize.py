"""Attribute values are validated and stored in canonical form on every write
path (attributes/add, attributes/edit, events/add), and duplicates are found
after normalisation."""

import pytest

import harness
from harness import add_event, view_event

PAST = 1600000000
DUPLICATE = "A similar attribute already exists for this event."
SHA256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"


@pytest.fixture
def event(api):
    return add_event(api, info="normalisation tests", timestamp=str(PAST))


def add_attribute(api, event_ref, **fields):
    return api.post(f"/attributes/add/{event_ref}", json=fields)


def stored_value(api, event_ref, **fields):
    response = add_attribute(api, event_ref, **fields)
    assert response.status_code == 200, response.text
    return response.json()["Attribute"]["value"]


def live_values(api, event_id):
    return sorted(
        (a["type"], a["value"]) for a in view_event(api, event_id).get("Attribute", [])
    )


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("ip-dst", "2001:0DB8:0000::0001", "2001:db8::1"),
        ("ip-dst", "192.0.2.7/32", "192.0.2.7"),
        ("ip-src", "2001:DB8:1::/48", "2001:db8:1::/48"),
        ("ip-src", "::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120"),
        ("domain", "WWW.Example.ORG.", "www.example.org"),
        ("domain", "bücher.example", "xn--bcher-kva.example"),
        ("hostname|port", "Mail.Example.org:25", "mail.example.org|25"),
        ("ip-dst|port", "[2001:db8::0001]:443", "2001:db8::1|443"),
        ("sha256", SHA256, SHA256.lower()),
        ("filename|md5", "Invoice.EXE|D41D8CD98F00B204E9800998ECF8427E",
         "Invoice.EXE|d41d8cd98f00b204e9800998ecf8427e"),
        ("AS", "AS64496", "64496"),
        ("vulnerability", "cve-2021-44228", "CVE-2021-44228"),
        ("text", "Campaign \U0001F40D notes", "Campaign \U0001F40D notes"),
    ],
)
def test_stored_canonical(api, event, kind, value, expected):
    assert stored_value(api, event["id"], type=kind, value=value) == expected
    assert (kind, expected) in live_values(api, event["id"])


@pytest.mark.parametrize(
    "kind, value",
    [
        ("ip-dst", "192.0.2.0/33"),
        ("ip-dst", "192.0.2.7/"),
        ("ip-dst", "192.0.2.7/abc"),
        ("ip-dst", "2001:db8::/129"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427g"),
        ("domain", "not a domain"),
    ],
)
def test_invalid_rejected(api, event, kind, value):
    response = add_attribute(api, event["id"], type=kind, value=value)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["saved"] is False
    assert value in body["errors"]["value"][0]
    assert kind in body["errors"]["value"][0]
    assert live_values(api, event["id"]) == []


@pytest.mark.parametrize(
    "first, second",
    [
        ("2001:0DB8:0000::0001", "2001:db8::1"),
        ("2001:db8::1", "2001:DB8:0:0:0:0:0:1"),
    ],
)
def test_second_spelling_duplicate(api, event, first, second):
    assert stored_value(api, event["id"], type="ip-dst", value=first) == "2001:db8::1"
    response = add_attribute(api, event["id"], type="ip-dst", value=second)
    assert response.status_code == 403, response.text
    assert response.json()["errors"]["value"] == [DUPLICATE]
    assert live_values(api, event["id"]) == [("ip-dst", "2001:db8::1")]


def test_duplicate_in_list(api, event):
    stored_value(api, event["id"], type="sha256", value=SHA256.lower())
    response = api.post(
        f"/attributes/add/{event['id']}",
        json=[
            {"type": "sha256", "value": SHA256},
            {"type": "domain", "value": "Example.ORG"},
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["value"] for a in body["Attribute"]] == ["example.org"]
    assert body["errors"]["attribute_0"]["value"] == [DUPLICATE]


def test_edit_normalises(api, event):
    response = add_attribute(api, event["id"], type="ip-dst", value="192.0.2.1")
    attribute_id = response.json()["Attribute"]["id"]
    response = api.post(
        f"/attributes/edit/{attribute_id}", json={"value": "2001:0DB8::0001"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["Attribute"]["value"] == "2001:db8::1"
    response = api.post(f"/attributes/edit/{attribute_id}", json={"value": "192.0.2.0/33"})
    assert response.status_code == 400, response.text
    response = api.post(
        f"/attributes/edit/{attribute_id}", json={"type": "md5"}
    )
    assert response.status_code == 400, response.text
    assert live_values(api, event["id"]) == [("ip-dst", "2001:db8::1")]


def test_seen_times(api, event):
    response = add_attribute(
        api,
        event["id"],
        type="domain",
        value="seen.example",
        first_seen="2024-05-01T14:00:00+02:00",
        last_seen="2024-05-02 00:00:00",
    )
    assert response.status_code == 200, response.text
    attribute = response.json()["Attribute"]
    assert attribute["first_seen"] == "2024-05-01T12:00:00.000000+00:00"
    assert attribute["last_seen"] == "2024-05-02T00:00:00.000000+00:00"
    response = api.post(
        f"/attributes/edit/{attribute['id']}", json={"last_seen": "2024-04-30"}
    )
    assert response.status_code == 400, response.text
    assert "last_seen" in response.text


def test_seen_order_rejected(api, event):
    response = add_attribute(
        api,
        event["id"],
        type="domain",
        value="order.example",
        first_seen="2024-05-02",
        last_seen="2024-05-01",
    )
    assert response.status_code == 400, response.text
    assert live_values(api, event["id"]) == []


def test_event_add_keeps_valid(api):
    response = api.post(
        "/events/add",
        json={
            "info": "one valid, two invalid",
            "Attribute": [
                {"type": "domain", "value": "Valid.Example.org"},
                {"type": "md5", "value": "not-a-hash"},
                {"type": "ip", "value": "192.0.2.1"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    values = [(a["type"], a["value"]) for a in body["Event"]["Attribute"]]
    assert values == [("domain", "valid.example.org")]
    errors = body["errors"]["Attribute"]
    assert sorted(errors) == ["1", "2"]
    assert "not-a-hash" in errors["1"]["value"][0]
    assert "md5" in errors["1"]["value"][0]
    assert "'ip'" in errors["2"]["type"][0]
    stored = view_event(api, body["Event"]["id"])
    assert [a["value"] for a in stored["Attribute"]] == ["valid.example.org"]
    assert stored["attribute_count"] == "1"


def test_event_add_object_attribute_skipped(api):
    response = api.post(
        "/events/add",
        json={
            "info": "object with an invalid attribute",
            "Object": [
                {
                    "name": "file",
                    "Attribute": [
                        {"type": "md5", "object_relation": "md5", "value": "xyz"},
                        {"type": "filename", "object_relation": "filename",
                         "value": "a.exe"},
                    ],
                }
            ],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    served = body["Event"]["Object"][0]["Attribute"]
    assert [a["value"] for a in served] == ["a.exe"]
    assert list(body["errors"]["Object"]) == ["0/Attribute/0"]


def test_event_add_without_errors_has_no_errors_key(api):
    event = api.post(
        "/events/add",
        json={"info": "all valid", "Attribute": [{"type": "ip-dst", "value": "192.0.2.9"}]},
    ).json()
    assert "errors" not in event
    assert event["Event"]["Attribute"][0]["value"] == "192.0.2.9"


def test_import_reports_normalised(cairn_data, tmp_path):
    path = tmp_path / "event.json"
    path.write_text(
        """{"Event": {"info": "import normalisation",
        "uuid": "0b5c1a52-3c65-4c4a-9f1e-6f0e3e1f2a10",
        "timestamp": "1600000000",
        "Attribute": [
            {"type": "ip-dst", "value": "2001:0DB8::0001"},
            {"type": "domain", "value": "Example.ORG."},
            {"type": "md5", "value": "xyz"},
            {"type": "text", "value": "kept"}
        ]}}""",
        encoding="utf-8",
    )
    done = harness.import_paths(cairn_data.path, path)
    assert done.returncode == 0, done.stderr
    summary = harness.parse_summary(done.stdout)
    assert summary["added"] == 1, done.stdout
    assert summary["rejected"] == 0, done.stdout
    assert summary["attributes"] == 3, done.stdout
    assert summary["normalised"] == 2, done.stdout
    assert summary["skipped"] == 1, done.stdout
    assert "values normalised: 2" in done.stdout
    assert "/Event/Attribute/2" in done.stderr
    assert "'xyz'" in done.stderr


def test_import_rejects_unknown_type(cairn_data, tmp_path):
    path = tmp_path / "event.json"
    path.write_text(
        """{"Event": {"info": "unknown type",
        "uuid": "5d0e9d3a-4f0b-4a8e-8f59-0b8f3c2d1e47",
        "timestamp": "1600000000",
        "Attribute": [{"type": "ip", "value": "192.0.2.1"}]}}""",
        encoding="utf-8",
    )
    done = harness.import_paths(cairn_data.path, path)
    summary = harness.parse_summary(done.stdout)
    assert summary["rejected"] == 1, done.stdout
    assert summary["added"] == 0, done.stdout


def test_event_add_drops_duplicates(api):
    response = api.post(
        "/events/add",
        json={
            "info": "one address three times",
            "Attribute": [
                {"type": "ip-dst", "value": "198.51.100.7"},
                {"type": "ip-dst", "value": "198.51.100.7"},
                {"type": "ip-dst", "value": "198.51.100.7/32"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    values = [a["value"] for a in body["Event"]["Attribute"]]
    assert values == ["198.51.100.7"]
    errors = body["errors"]["Attribute"]
    assert sorted(errors) == ["1", "2"]
    assert errors["1"]["value"] == [DUPLICATE]
    assert errors["2"]["value"] == [DUPLICATE]


def test_event_edit_drops_duplicate(api):
    event = add_event(
        api, info="edit duplicate",
        Attribute=[{"type": "ip-dst", "value": "198.51.100.8"}],
    )
    response = api.post(
        f"/events/edit/{event['id']}",
        json={"Attribute": [{"type": "ip-dst", "value": "198.51.100.8/32"}]},
    )
    assert response.status_code == 200, response.text
    assert live_values(api, event["id"]) == [("ip-dst", "198.51.100.8")]


def test_attribute_edit_to_duplicate(api, event):
    first = add_attribute(api, event["id"], type="ip-dst", value="198.51.100.9")
    second = add_attribute(api, event["id"], type="ip-dst", value="198.51.100.10")
    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    target = second.json()["Attribute"]["id"]
    response = api.post(
        f"/attributes/edit/{target}", json={"value": "198.51.100.9/32"}
    )
    assert response.status_code == 403, response.text
    assert DUPLICATE in response.text
    assert ("ip-dst", "198.51.100.10") in live_values(api, event["id"])
