"""restSearch over the real events of the curated MISP feed, checked
against a brute-force computation over the source files, and paging
through a result of 1,000 attributes."""

import json
import re
from pathlib import Path
from collections import namedtuple

import pytest

import harness

FEED = "misp-feed/curated"
NOT_EVENTS = {"manifest.json", "hashes.csv"}
SKIPPED = re.compile(r"^warning: skipped the attribute at (\S+) in (.+?): ",
                     re.M)

Imported = namedtuple("Imported", "path key skipped")


@pytest.fixture(scope="module")
def cairn_data(tmp_path_factory, shared_data):
    path = tmp_path_factory.mktemp("restsearch-feed") / "cairn"
    key = harness.init_data_dir(path)
    done = harness.import_paths(path, shared_data / FEED)
    assert done.returncode == 0, done.stderr[-2000:]
    skipped = {}
    for pointer, file in SKIPPED.findall(done.stderr):
        skipped.setdefault(Path(file).name, set()).add(pointer)
    return Imported(path, key, skipped)


def resolve(document, pointer):
    item = document
    for part in pointer.strip("/").split("/"):
        item = item[int(part)] if isinstance(item, list) else item[part]
    return item


def source_events(shared_data, skipped):
    """Yield each event of the feed without the attributes that the import
    reported as skipped (values that fail their type's validation)."""
    for path in sorted((shared_data / FEED).iterdir()):
        if path.name in NOT_EVENTS or path.suffix != ".json":
            continue
        document = json.loads(path.read_text())
        doomed = {id(resolve(document, p))
                  for p in skipped.get(path.name, ())}
        event = document.get("Event", document)
        event["Attribute"] = [a for a in event.get("Attribute", [])
                              if id(a) not in doomed]
        for obj in event.get("Object", []):
            obj["Attribute"] = [a for a in obj.get("Attribute", [])
                                if id(a) not in doomed]
        yield path, event


def tag_names(item):
    return {t["name"].lower() for t in item.get("Tag", [])}


def source_attributes(shared_data, skipped):
    """Yield (event, attribute) for every live attribute of the feed,
    including the attributes of objects that are not deleted."""
    for _, event in source_events(shared_data, skipped):
        for a in event.get("Attribute", []):
            if not a.get("deleted"):
                yield event, a
        for obj in event.get("Object", []):
            if obj.get("deleted"):
                continue
            for a in obj.get("Attribute", []):
                if not a.get("deleted"):
                    yield event, a


@pytest.fixture(scope="module")
def corpus(shared_data, cairn_data):
    rows = list(source_attributes(shared_data, cairn_data.skipped))
    assert rows, "the curated feed has no attributes"
    return rows


def found_uuids(api, body):
    response = api.post("/attributes/restSearch", json=body)
    assert response.status_code == 200, f"{body}: {response.text[:300]}"
    return {a["uuid"] for a in response.json()["response"]["Attribute"]}


def expect(corpus, keep):
    return {a["uuid"] for e, a in corpus if keep(e, a)}


def most_common(values):
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k))


def test_import_skipped_few(cairn_data, corpus):
    # Skipped attributes are left out of the expected sets; there are few.
    skipped = sum(len(p) for p in cairn_data.skipped.values())
    assert skipped < len(corpus) // 100


def test_type_matches_brute_force(api, corpus):
    types = most_common(a["type"] for _, a in corpus)
    for type_ in types[:5]:
        assert found_uuids(api, {"type": type_}) == \
            expect(corpus, lambda e, a, t=type_: a["type"] == t), type_


def test_category_and_to_ids_match(api, corpus):
    category = most_common(a["category"] for _, a in corpus)[0]
    assert found_uuids(api, {"category": category, "to_ids": 0}) == expect(
        corpus, lambda e, a: a["category"] == category
        and not a.get("to_ids"))
    assert found_uuids(api, {"category": category, "to_ids": 1}) == expect(
        corpus, lambda e, a: a["category"] == category and a.get("to_ids"))


def test_event_tags_match(api, corpus):
    tags = most_common(t for e in {e["uuid"]: e for e, _ in corpus}.values()
                       for t in tag_names(e))
    assert tags, "no event carries a tag"
    for tag in tags[:3]:
        want = expect(corpus, lambda e, a, t=tag:
                      t in tag_names(e) or t in tag_names(a))
        assert found_uuids(api, {"tags": tag}) == want, tag
        negated = expect(corpus, lambda e, a, t=tag:
                         t not in tag_names(e) and t not in tag_names(a))
        assert found_uuids(api, {"tags": f"!{tag}"}) == negated, tag


def test_values_match(api, corpus):
    # Values as stored may be normalised, so look them up by the uuids of
    # a sample of attributes and compare with the source's duplicates.
    sample = [a for _, a in corpus if a["type"] in ("domain", "url",
                                                    "ip-dst", "sha256")][:20]
    assert sample
    for a in sample:
        response = api.post("/attributes/restSearch", json={"uuid": a["uuid"]})
        stored = response.json()["response"]["Attribute"]
        assert len(stored) == 1, a["uuid"]
        value = stored[0]["value"]
        found = found_uuids(api, {"value": value})
        assert a["uuid"] in found
        want = expect(corpus, lambda e, b, v=a["value"]: b["value"] == v)
        assert want <= found, value


def test_date_range_matches(api, corpus):
    dates = sorted({e["date"] for e, _ in corpus})
    low, high = dates[len(dates) // 4], dates[3 * len(dates) // 4]
    want = expect(corpus, lambda e, a: low <= e["date"] <= high)
    assert found_uuids(api, {"from": low, "to": high}) == want


def test_eventid_matches(api, corpus):
    events = sorted({e["uuid"] for e, _ in corpus})
    uuid = events[len(events) // 2]
    response = api.post("/events/restSearch", json={"uuid": uuid,
                                                    "metadata": 1})
    found = response.json()["response"]
    assert len(found) == 1
    event_id = found[0]["Event"]["id"]
    assert found_uuids(api, {"eventid": event_id}) == expect(
        corpus, lambda e, a: e["uuid"] == uuid)


def test_event_search_matches(api, corpus):
    type_ = most_common(a["type"] for _, a in corpus)[-1]
    response = api.post("/events/restSearch",
                        json={"type": type_, "metadata": 1})
    assert response.status_code == 200, response.text
    found = {e["Event"]["uuid"] for e in response.json()["response"]}
    assert found == {e["uuid"] for e, a in corpus if a["type"] == type_}


def test_pages_cover_result_once(api, corpus):
    total = len(corpus)
    seen = []
    page = 1
    while True:
        response = api.post("/attributes/restSearch",
                            json={"limit": 97, "page": page})
        assert response.status_code == 200, response.text
        assert response.headers["X-Result-Count"] == str(total)
        got = [a["uuid"] for a in response.json()["response"]["Attribute"]]
        if not got:
            break
        seen.extend(got)
        page += 1
    assert len(seen) == total
    assert set(seen) == {a["uuid"] for _, a in corpus}


def test_thousand_attributes_in_pages_of_seven(api):
    body = {"info": "paging", "Attribute": [
        {"type": "ip-src", "value": f"10.{i // 250}.{i % 250}.1"}
        for i in range(1000)]}
    response = api.post("/events/add", json=body)
    assert response.status_code == 200, response.text
    event = response.json()["Event"]
    want = {a["id"] for a in event["Attribute"]}
    assert len(want) == 1000
    seen = []
    for page in range(1, 1000 // 7 + 3):
        response = api.post("/attributes/restSearch", json={
            "eventid": event["id"], "limit": 7, "page": page})
        assert response.status_code == 200, response.text
        assert response.headers["X-Result-Count"] == "1000"
        got = [a["id"] for a in response.json()["response"]["Attribute"]]
        expected_size = max(0, min(7, 1000 - 7 * (page - 1)))
        assert len(got) == expected_size, page
        seen.extend(got)
    assert len(seen) == 1000
    assert set(seen) == want
