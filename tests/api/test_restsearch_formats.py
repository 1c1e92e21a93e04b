"""Every non-JSON returnFormat of attributes/restSearch and events/restSearch
over HTTP, on an instance with the curated MISP feed imported.

The tests check chunked transfer, the Content-Type, the to_ids and
published default of the text and rule formats and the csv options.  Each
output goes to its real consumer (named-checkzone, yarac, the OASIS STIX
2.1 schemas, Python's csv module), and `cairn export` must write the same
bytes as the API.
"""

import csv
import io
import json
import re
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

import harness

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
import test_consumers as consumers  # noqa: E402

FEED = "misp-feed/curated"
ENDPOINTS = ("/attributes/restSearch", "/events/restSearch")
CONTENT_TYPES = {
    "csv": "text/csv; charset=UTF-8",
    "stix2": "application/json; charset=UTF-8",
}
# The formats that export only to_ids attributes of published events
# unless the request filters on to_ids or published.
DEFAULTED = ("text", "hashes", "rpz", "zeek", "suricata", "snort")
UNDEFAULTED = ("csv", "count", "cache", "yara", "stix2")
FORMATS = DEFAULTED + UNDEFAULTED
UNPUBLISHED_VALUE = "unpublished-to-ids.example"
NIDS_SID_BASE = 4000000
# to_ids attribute types that the stix2 writer has no pattern or STIX
# Cyber-observable for, so it leaves them out of the bundle.
UNPATTERNED = {"comment", "text", "email-attachment", "imphash", "pehash",
               "yara"}

Imported = namedtuple("Imported", "path key")


@pytest.fixture(scope="module")
def cairn_data(tmp_path_factory, shared_data):
    path = tmp_path_factory.mktemp("restsearch-formats") / "cairn"
    key = harness.init_data_dir(path)
    done = harness.import_paths(path, shared_data / FEED)
    assert done.returncode == 0, done.stderr[-2000:]
    return Imported(path, key)


@pytest.fixture(scope="module")
def unpublished(api):
    """An unpublished event with one to_ids domain, which the text and
    rule formats leave out by default."""
    event = harness.add_event(api, info="unpublished formats event",
                              published=False,
                              Attribute=[{"type": "domain",
                                          "category": "Network activity",
                                          "to_ids": True,
                                          "value": UNPUBLISHED_VALUE}])
    return event


def fetch(api, path, fmt, **filters):
    response = api.post(path, json={"returnFormat": fmt, **filters})
    assert response.status_code == 200, (path, fmt, response.text[:500])
    return response


def attributes_json(api, **filters):
    response = api.post("/attributes/restSearch",
                        json={"returnFormat": "json", **filters})
    assert response.status_code == 200, response.text[:500]
    return response.json()["response"]["Attribute"]


def sid_attribute_ids(text):
    """Map the NIDS rules of `text` to the attribute ids their sids encode
    (sid = base + 10 * attribute id + 1..9)."""
    ids = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            sid = consumers.check_rule(line)
            ids.add(str((sid - NIDS_SID_BASE) // 10))
    return ids


def without_stamps(fmt, text):
    """Drop what a writer derives from the clock or draws at random: the
    rpz serial, the stix2 bundle id and the created and modified times of
    generated objects."""
    if fmt == "rpz":
        return re.sub(r"\b\d{10}\b", "SERIAL", text)
    if fmt == "stix2":
        text = re.sub(r'"bundle--[0-9a-f-]{36}"', '"bundle--ID"', text)
        return re.sub(r'"(created|modified)":"[^"]*"', r'"\1":"T"', text)
    return text


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_chunked_with_content_type(api, unpublished, path, fmt):
    response = fetch(api, path, fmt)
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.headers
    assert response.headers["Content-Type"] == CONTENT_TYPES.get(
        fmt, "text/plain; charset=UTF-8")
    assert response.content


@pytest.mark.parametrize("path", ENDPOINTS)
def test_empty_output_is_an_empty_body(api, path):
    """hashes writes nothing for domains, so the stream ends before its
    first byte and the server keeps serving."""
    response = fetch(api, path, "hashes", type="domain")
    assert response.content == b""
    assert fetch(api, path, "count", type="domain").text.strip() != "0"


@pytest.mark.parametrize("fmt", FORMATS)
def test_event_search_writes_the_same_attributes(api, unpublished, fmt):
    """Without filters both endpoints export every visible attribute."""
    by_attribute = fetch(api, ENDPOINTS[0], fmt).text
    by_event = fetch(api, ENDPOINTS[1], fmt).text
    assert without_stamps(fmt, by_event) == without_stamps(fmt, by_attribute)


@pytest.mark.parametrize("fmt", DEFAULTED)
def test_default_is_to_ids_and_published(api, unpublished, fmt):
    default = fetch(api, ENDPOINTS[0], fmt).text
    explicit = fetch(api, ENDPOINTS[0], fmt, to_ids=1, published=1).text
    assert without_stamps(fmt, default) == without_stamps(fmt, explicit)
    assert UNPUBLISHED_VALUE not in default
    # A published filter replaces the published default only, so the
    # to_ids default still applies.
    unpublished_only = fetch(api, ENDPOINTS[0], fmt, published=0).text
    with_to_ids = fetch(api, ENDPOINTS[0], fmt, published=0, to_ids=1).text
    assert without_stamps(fmt, unpublished_only) == \
        without_stamps(fmt, with_to_ids)
    if fmt != "hashes":
        assert UNPUBLISHED_VALUE in unpublished_only


def test_text_default_matches_json(api, unpublished):
    values = {a["value"] for a in attributes_json(api, to_ids=1, published=1)
              if "\n" not in a["value"] and "\r" not in a["value"]}
    lines = fetch(api, ENDPOINTS[0], "text").text.split("\n")
    assert lines[-1] == ""
    assert len(lines[:-1]) == len(set(lines[:-1]))
    assert set(lines[:-1]) == values
    everything = {a["value"] for a in attributes_json(api, to_ids=0)}
    lines = set(fetch(api, ENDPOINTS[0], "text", to_ids=0).text.split("\n"))
    assert lines - {""} <= everything
    assert not lines & {a["value"] for a in
                        attributes_json(api, to_ids=1)} - everything


@pytest.mark.parametrize("fmt", ("suricata", "snort"))
def test_rule_sids_name_to_ids_published_attributes(api, unpublished, fmt):
    allowed = {a["id"] for a in attributes_json(api, to_ids=1, published=1)}
    ids = sid_attribute_ids(fetch(api, ENDPOINTS[0], fmt).text)
    assert len(ids) > 50
    assert ids <= allowed
    ids = sid_attribute_ids(fetch(api, ENDPOINTS[0], fmt, to_ids=0).text)
    assert ids <= {a["id"] for a in attributes_json(api, to_ids=0)}


def test_undefaulted_formats_export_everything(api, unpublished):
    everything = attributes_json(api)
    count = fetch(api, ENDPOINTS[0], "count").text
    assert count.strip() == str(len(everything))
    rows = list(csv.reader(io.StringIO(fetch(api, ENDPOINTS[0], "csv").text,
                                       newline=""), strict=True))
    assert len(rows) - 1 == len(everything)
    assert UNPUBLISHED_VALUE in {row[4] for row in rows[1:]}
    stix = json.loads(fetch(api, ENDPOINTS[0], "stix2").text)
    assert UNPUBLISHED_VALUE in json.dumps(stix)
    assert UNPUBLISHED_VALUE in fetch(api, ENDPOINTS[0], "yara").text


def test_csv_parses_back_to_json(api, unpublished):
    everything = {a["uuid"]: a for a in attributes_json(api)}
    text = fetch(api, ENDPOINTS[0], "csv").text
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows[0] == [
        "uuid", "event_id", "category", "type", "value", "comment", "to_ids",
        "date", "object_relation", "attribute_tag", "object_uuid",
        "object_name", "object_meta_category",
    ]
    for row in rows[1:]:
        a = everything[row[0]]
        assert (row[1], row[2], row[3], row[4], row[5]) == (
            a["event_id"], a["category"], a["type"], a["value"],
            a["comment"])
        assert row[6] == ("1" if a["to_ids"] else "0")
    assert {row[0] for row in rows[1:]} == set(everything)


def test_csv_requested_attributes_and_headerless(api, unpublished):
    everything = attributes_json(api)
    text = fetch(api, ENDPOINTS[0], "csv",
                 requested_attributes=["value", "uuid"]).text
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows[0] == ["value", "uuid"]
    assert sorted(map(tuple, rows[1:])) == sorted(
        (a["value"], a["uuid"]) for a in everything)
    headerless = fetch(api, ENDPOINTS[0], "csv", headerless=1,
                       requested_attributes=["value", "uuid"]).text
    assert headerless == text.split("\n", 1)[1]
    full = fetch(api, ENDPOINTS[0], "csv").text
    assert fetch(api, ENDPOINTS[0], "csv", headerless=True).text == \
        full.split("\n", 1)[1]
    # As in MISP, a column that no attribute has is written empty.
    text = fetch(api, ENDPOINTS[0], "csv",
                 requested_attributes=["uuid", "nosuch"]).text
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows[0] == ["uuid", "nosuch"]
    assert {row[1] for row in rows[1:]} == {""}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_rpz_loads_in_named_checkzone(api, unpublished, tmp_path, path):
    zone = tmp_path / "rpz"
    zone.write_bytes(fetch(api, path, "rpz").content)
    run = subprocess.run(["named-checkzone", "rpz.test", str(zone)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_yara_compiles(api, unpublished, tmp_path, path):
    rules = tmp_path / "rules.yar"
    rules.write_bytes(fetch(api, path, "yara").content)
    run = subprocess.run(["yarac", "-w", str(rules), str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_stix2_validates(api, unpublished, path):
    bundle = json.loads(fetch(api, path, "stix2").text)
    objects = bundle["objects"]
    sample = dict(bundle, objects=objects[:30] + objects[-30:])
    errors = list(consumers.stix_validator("bundle.json").iter_errors(sample))
    assert errors == [], [e.message[:200] for e in errors[:5]]
    validators = {}
    for o in objects:
        if o["type"] not in validators:
            validators[o["type"]] = consumers.stix_validator(
                o["type"] + ".json")
        errors = list(validators[o["type"]].iter_errors(o))
        assert errors == [], (o["id"], [e.message[:200] for e in errors])
        if o["type"] == "indicator":
            consumers.check_pattern(o["pattern"])
    indicators = {o["id"].removeprefix("indicator--") for o in objects
                  if o["type"] == "indicator"}
    to_ids = {a["uuid"]: a["type"] for a in attributes_json(api, to_ids=1)}
    assert indicators <= set(to_ids)
    assert {to_ids[u] for u in set(to_ids) - indicators} <= UNPATTERNED


def cli_export(data, fmt, *filters):
    """Return the stdout bytes of `cairn export`, without newline
    translation, so that a CR inside a value survives."""
    done = subprocess.run([str(harness.cairn_bin()), "export", "--data",
                           str(data), "--format", fmt, *filters],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_export_equals_api(api, cairn_data, unpublished, fmt):
    exported = cli_export(cairn_data.path, fmt)
    served = fetch(api, ENDPOINTS[0], fmt).content.decode("utf-8")
    assert without_stamps(fmt, exported) == without_stamps(fmt, served)
    exported = cli_export(cairn_data.path, fmt, "--filter", "type=domain",
                          "--filter", "to_ids=0")
    served = fetch(api, ENDPOINTS[0], fmt, type="domain", to_ids=0)
    assert without_stamps(fmt, exported) == \
        without_stamps(fmt, served.content.decode("utf-8"))
