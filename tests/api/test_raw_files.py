"""`cairn import` on real MISP files that are not in feed layout: REST
exports ({"response": [...]}), bare events, PyMISP fixtures and one
malformed file.  Each file is imported on its own; a file either imports
or is rejected on stderr with its path, a JSON pointer and a reason.

Also the import rules for an event that already exists: a newer timestamp
replaces it, an older or equal one leaves it alone.
"""

import json
import re
from collections import namedtuple

import pytest

import harness

RAW = "misp-events-raw"

# The trailing comma after the last element of /response/0/Event/Tag, at
# line 37373 column 12 (character 1532389).  Python's json module reports
# it at the closing bracket: "Expecting value: line 37374 column 9 (char
# 1532399)".  The event in it (262 objects) must not be stored.
MALFORMED = "eset-malware-ioc/pypi_backdoor/malicious_pypi_packages.misp-event.json"
MALFORMED_UUID = "a1bbc1b7-55d1-4f67-9fce-7de5d892f840"
MALFORMED_POINTER = "/response/0/Event/Tag"

# Files that the contract neither requires nor forbids to import, with why.
EITHER = {
    "misp-pymisp/tests/search_index_result.json": "an events/index response: "
    "a top-level array of event metadata rather than an event export",
}

POINTER = re.compile(r"(?<![\w.~-])/[^\s,;:'\")\]]*")

Imported = namedtuple("Imported", "path key runs folder_run rules")

RULE_UUID = "6f1c1e7a-4c1d-4f7e-9a51-3e0c0de7a001"
RULE_STEPS = (
    # (label, timestamp, info)
    ("first", 1600000000, "rules: first"),
    ("newer", 1600000100, "rules: newer"),
    ("older", 1600000050, "rules: older"),
    ("equal", 1600000100, "rules: equal"),
)


def raw_files(shared_data):
    root = shared_data / RAW
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.json"))


def source_events(path):
    """Return the events in a well-formed file, whatever its wrapper."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return [item.get("Event", item) for item in data]
    if "response" in data:
        return [item.get("Event", item) for item in data["response"]]
    return [data.get("Event", data)]


def rule_event(timestamp, info):
    return {
        "Event": {
            "uuid": RULE_UUID,
            "info": info,
            "timestamp": str(timestamp),
            "Attribute": [{"type": "domain", "value": "rules.example"}],
        }
    }


@pytest.fixture(scope="module")
def cairn_data(tmp_path_factory, shared_data):
    """Import every raw file on its own, then the import-rule events, into
    one data directory; and the whole raw folder at once into another."""
    root = tmp_path_factory.mktemp("raw")
    path = root / "cairn"
    key = harness.init_data_dir(path)
    runs = {}
    for name in raw_files(shared_data):
        runs[name] = harness.import_paths(path, shared_data / RAW / name)

    rules = {}
    for label, timestamp, info in RULE_STEPS:
        event_file = root / f"rules-{label}.json"
        event_file.write_text(json.dumps(rule_event(timestamp, info)))
        rules[label] = harness.import_paths(path, event_file)

    folder_data = root / "folder"
    harness.init_data_dir(folder_data)
    folder_run = harness.import_paths(folder_data, shared_data / RAW)
    return Imported(path, key, runs, folder_run, rules)


def rejection_lines(stderr, name):
    return [line for line in stderr.splitlines() if name in line]


def pointer_and_reason(line, name):
    """Return the JSON pointer in a rejection line and the rest of the text
    after the path, without the pointer."""
    rest = line.split(name, 1)[1]
    match = POINTER.search(rest)
    if match is None:
        return None, rest
    return match.group(0), rest[: match.start()] + rest[match.end() :]


def assert_rejected(done, name):
    lines = rejection_lines(done.stderr, name)
    assert lines, f"stderr does not name {name}:\n{done.stderr[-2000:]}"
    pointer, reason = pointer_and_reason(lines[0], name)
    assert pointer is not None, f"no JSON pointer in: {lines[0]}"
    assert re.search(r"[A-Za-z]{3,}", reason), f"no reason in: {lines[0]}"
    return pointer


def test_malformed_file_is_malformed(shared_data):
    text = (shared_data / RAW / MALFORMED).read_text(encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as error:
        json.loads(text)
    assert (error.value.lineno, error.value.colno) == (37374, 9)
    assert text[1532389] == ","


def test_malformed_rejected(cairn_data):
    done = cairn_data.runs[MALFORMED]
    assert done.returncode != 0, "importing only a malformed file succeeded"
    pointer = assert_rejected(done, MALFORMED)
    assert pointer.startswith(MALFORMED_POINTER), pointer
    summary = harness.parse_summary(done.stdout)
    if summary is not None:
        assert summary["added"] == 0, summary
        assert summary["rejected"] == 1, summary


def test_malformed_not_stored(api):
    assert api.head(f"/events/view/{MALFORMED_UUID}").status_code == 404


def well_formed(shared_data):
    return [
        name
        for name in raw_files(shared_data)
        if name != MALFORMED and name not in EITHER
    ]


def pytest_generate_tests(metafunc):
    if "raw_name" in metafunc.fixturenames:
        names = well_formed(harness.shared_data())
        metafunc.parametrize("raw_name", names)


def test_well_formed_imported(cairn_data, api, shared_data, raw_name):
    done = cairn_data.runs[raw_name]
    assert done.returncode == 0, f"status {done.returncode}:\n{done.stderr[-2000:]}"
    assert not rejection_lines(done.stderr, raw_name), done.stderr[-2000:]
    summary = harness.parse_summary(done.stdout)
    assert summary is not None, done.stdout[-2000:]
    events = source_events(shared_data / RAW / raw_name)
    assert summary["added"] == len(events), summary
    assert summary["rejected"] == 0, summary

    for source in events:
        response = api.get(f"/events/view/{source['uuid']}")
        assert response.status_code == 200, response.text[:500]
        served = response.json()["Event"]
        assert served["info"] == source["info"]
        # An attribute uuid names one attribute: a fixture that repeats a
        # uuid (japanese_test_heavy.json does, ten times) stores one.
        distinct_uuids = {a.get("uuid") for a in source.get("Attribute", [])}
        assert len(served.get("Attribute", [])) == len(distinct_uuids)
        assert len(served.get("Object", [])) == len(source.get("Object", []))


@pytest.mark.parametrize("name", sorted(EITHER))
def test_either_imported_or_rejected(cairn_data, name):
    done = cairn_data.runs[name]
    summary = harness.parse_summary(done.stdout)
    if done.returncode == 0:
        assert summary is not None, done.stdout[-2000:]
        # Its one event has the uuid and timestamp of misp_event.json,
        # which is imported before it.
        assert summary["added"] + summary["unchanged"] == 1, summary
    else:
        assert_rejected(done, name)


def test_folder_import_continues(cairn_data, shared_data):
    done = cairn_data.folder_run
    assert done.returncode == 0, done.stderr[-2000:]
    assert_rejected(done, MALFORMED)
    summary = harness.parse_summary(done.stdout)
    assert summary is not None, done.stdout[-2000:]
    assert summary["rejected"] >= 1, summary
    distinct = {
        event["uuid"]
        for name in well_formed(shared_data)
        for event in source_events(shared_data / RAW / name)
    }
    assert summary["added"] >= len(distinct), summary


def test_rules_first_added(cairn_data):
    summary = harness.parse_summary(cairn_data.rules["first"].stdout)
    assert summary is not None
    assert summary["added"] == 1, summary


def test_rules_newer_updates(cairn_data):
    summary = harness.parse_summary(cairn_data.rules["newer"].stdout)
    assert summary is not None
    assert summary["updated"] == 1, summary
    assert summary["added"] == 0, summary


@pytest.mark.parametrize("label", ["older", "equal"])
def test_rules_not_newer_unchanged(cairn_data, label):
    summary = harness.parse_summary(cairn_data.rules[label].stdout)
    assert summary is not None
    assert summary["unchanged"] == 1, summary
    assert summary["updated"] == 0, summary


def test_rules_served_newest(api):
    event = harness.view_event(api, RULE_UUID)
    assert event["info"] == "rules: newer"
    assert event["timestamp"] == "1600000100"
