"""Export formats checked by the programs that consume them.

tests/formats/format_dump.c writes every format for the attributes of the
curated MISP feed in ../shared/data (or $CAIRN_SHARED_DATA) and of one
event of hostile values.  Each test here hands one file to its real
consumer: named-checkzone for rpz, yarac for yara, the OASIS STIX 2.1
schemas with jsonschema for stix2, Python's csv module for csv, and, when
installed, suricata for the suricata rules.  Suricata and Snort are not
in Debian 12, so the rule files are also checked by a parser of the rule
syntax below.
"""

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
DATA = Path(os.environ.get("CAIRN_SHARED_DATA") or SHARED / "data")
FEED = DATA / "misp-feed" / "curated"
STIX_SCHEMAS = SHARED / "reference" / "stix2" / "schemas"
DUMP = Path(os.environ.get("FORMAT_DUMP") or REPO / "build/tests/format_dump")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    if not FEED.is_dir():
        pytest.fail(f"MISP feed not found at {FEED}", pytrace=False)
    path = tmp_path_factory.mktemp("formats")
    subprocess.run([str(DUMP), str(path), str(FEED)], check=True)
    return path


def composite(attribute):
    return "|" in attribute["type"] or attribute["type"] == "malware-sample"


def parts(attribute):
    if composite(attribute) and "|" in attribute["value"]:
        return attribute["value"].split("|", 1)
    return [attribute["value"]]


@pytest.fixture(scope="module")
def events(out):
    """Return (event, attribute list) pairs in the dumper's order."""
    docs = [
        json.loads(p.read_text())
        for p in sorted(FEED.glob("*.json"))
        if p.name != "manifest.json"
    ]
    docs.append(json.loads((out / "hostile-event.json").read_text()))
    result = []
    for doc in docs:
        event = doc.get("Event", doc)
        attributes = list(event.get("Attribute", []))
        for obj in event.get("Object", []):
            attributes += obj.get("Attribute", [])
        result.append((event, attributes))
    return result


@pytest.fixture(scope="module")
def attributes(events):
    return [a for _, attrs in events for a in attrs]


def test_rpz_loads_in_named_checkzone(out):
    run = subprocess.run(
        ["named-checkzone", "rpz.test", str(out / "rpz")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    text = (out / "rpz").read_text()
    assert "\nwww.example.org CNAME .\n" in text
    assert "\n32.zz.db8.2001.rpz-ip CNAME .\n" in text
    assert "bad;name" not in text
    assert "evil-" not in text


def test_rpz_has_every_valid_name(out, attributes):
    lines = set((out / "rpz").read_text().splitlines())
    names = [
        a["value"]
        for a in attributes
        if a["type"] in ("domain", "hostname")
        and re.fullmatch(r"[A-Za-z0-9_.-]+", a["value"])
    ]
    assert len(names) > 500
    for name in names:
        assert f"{name} CNAME ." in lines, name


def test_yara_compiles(out, tmp_path, attributes):
    run = subprocess.run(
        ["yarac", "-w", str(out / "yara"), str(tmp_path / "rules.bin")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    text = (out / "yara").read_text()
    assert text.count("\nrule MISP_ATTRIBUTE_") > 1000
    assert '$ = "Re: \\"pay\\"; now|0x\\\\ ünï 😀" ascii wide' in text
    assert '$ = { 4d 5a ?? 00 }' in text
    assert "} rule" not in text


def stix_validator(name):
    """Return a validator for the schema file `name` ("bundle.json",
    "indicator.json"), resolving references within the schema folder."""
    from jsonschema import Draft202012Validator, RefResolver

    store = {}
    for path in STIX_SCHEMAS.rglob("*.json"):
        schema = json.loads(path.read_text())
        store[schema["$id"]] = schema
    schema = next(s for k, s in store.items() if k.endswith("/" + name))
    return Draft202012Validator(
        schema, resolver=RefResolver.from_schema(schema, store=store)
    )


PATTERN_TERM = re.compile(
    r"([a-z0-9-]+:[A-Za-z0-9_.'\[\]*-]+) = "
    r"('(?:[^'\\]|\\['\\])*'|\d+)"
)


def check_pattern(pattern):
    """Check the pattern is one observation of comparisons joined by AND
    on one object type, and return the literals, unescaped."""
    assert pattern.startswith("[") and pattern.endswith("]"), pattern
    body = pattern[1:-1]
    literals, types, pos = [], set(), 0
    while True:
        m = PATTERN_TERM.match(body, pos)
        assert m, (pattern, body[pos:])
        types.add(m.group(1).split(":")[0])
        lit = m.group(2)
        if lit.startswith("'"):
            lit = re.sub(r"\\(['\\])", r"\1", lit[1:-1])
        literals.append(lit)
        pos = m.end()
        if pos == len(body):
            break
        assert body.startswith(" AND ", pos), (pattern, body[pos:])
        pos += 5
    assert len(types) == 1, pattern
    return literals


def test_stix2_bundle_validates(out):
    """Validate the bundle with the bundle schema, on its first and last
    fifty objects (the bundle schema tries every object schema on each
    object, which takes a minute for all), and every object with the
    schema of its type."""
    bundle = json.loads((out / "stix2").read_text(encoding="utf-8"))
    objects = bundle["objects"]
    sample = dict(bundle, objects=objects[:50] + objects[-50:])
    errors = list(stix_validator("bundle.json").iter_errors(sample))
    assert errors == [], [e.message[:200] for e in errors[:5]]
    by_type = {}
    for o in objects:
        if o["type"] not in by_type:
            by_type[o["type"]] = stix_validator(o["type"] + ".json")
        errors = list(by_type[o["type"]].iter_errors(o))
        assert errors == [], (o["id"], [e.message[:200] for e in errors])
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))
    assert len(ids) > 1000


def test_stix2_patterns_keep_values(out, attributes):
    bundle = json.loads((out / "stix2").read_text(encoding="utf-8"))
    by_id = {o["id"]: o for o in bundle["objects"]}
    checked = 0
    for a in attributes:
        o = by_id.get("indicator--" + a.get("uuid", ""))
        if not o:
            continue
        literals = check_pattern(o["pattern"])
        for part in parts(a):
            if a["type"] == "AS":
                part = part.upper().removeprefix("AS")
            assert part in literals, (a, o["pattern"])
        checked += 1
    assert checked > 1000
    regkey = [o for o in by_id.values() if "da\\'ta" in o.get("pattern", "")]
    assert regkey[0]["pattern"] == (
        "[windows-registry-key:key = 'HKLM\\\\So\\'ft' AND "
        "windows-registry-key:values[*].data = 'da\\'ta\\\\']"
    )
    cidr = [o for o in by_id.values() if "2001:db8::/32" in o.get("pattern", "")]
    assert "dst_ref.type = 'ipv6-addr'" in cidr[0]["pattern"]


def test_csv_parses_back_to_values(out, attributes):
    with open(out / "csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    assert rows[0] == [
        "uuid", "event_id", "category", "type", "value", "comment", "to_ids",
        "date", "object_relation", "attribute_tag", "object_uuid",
        "object_name", "object_meta_category",
    ]
    assert len(rows) - 1 == len(attributes)
    for row, a in zip(rows[1:], attributes):
        assert len(row) == 13
        assert row[3] == a["type"]
        assert row[4] == a["value"]
        assert row[5] == a.get("comment", "")


def test_text_has_each_value_once(out, attributes):
    expected, seen = [], set()
    for a in attributes:
        value = a["value"]
        if value and "\n" not in value and "\r" not in value:
            if value not in seen:
                expected.append(value)
                seen.add(value)
    assert (out / "text").read_text(encoding="utf-8").split("\n")[:-1] == expected


def test_count_counts_attributes(out, attributes):
    assert (out / "count").read_text() == str(len(attributes))


def test_cache_matches_feed_hashes(out, events):
    lines = (out / "cache").read_text().splitlines()
    feed = set((FEED / "hashes.csv").read_text().split())
    hostile_uuid = events[-1][0]["uuid"]
    own = {l for l in lines if not l.endswith(hostile_uuid)}
    assert own == feed
    expected = hashlib.md5("www.example.org".encode()).hexdigest()
    assert f"{expected},{hostile_uuid}" in lines


def test_hashes_lists_hash_parts(out, attributes):
    lines = (out / "hashes").read_text().splitlines()
    assert "d41d8cd98f00b204e9800998ecf8427e" in lines
    md5 = [a["value"] for a in attributes if a["type"] == "md5"]
    assert set(md5) <= set(lines)


def zeek_unescape(field):
    return re.sub(
        rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), field
    ).decode("utf-8")


def test_zeek_lines_have_seven_fields(out):
    lines = (out / "zeek").read_bytes().split(b"\n")
    assert lines[0].split(b"\t")[0] == b"#fields"
    assert lines[-1] == b""
    indicators = []
    for line in lines[1:-1]:
        fields = line.split(b"\t")
        assert len(fields) == 7, line
        assert fields[1].startswith(b"Intel::")
        indicators.append(zeek_unescape(fields[0]))
    assert "a,b\"c;d.exe" in indicators
    assert "a.example/p;x?q=\"1\"|2\\3&r=é#f" in indicators


def split_options(body):
    """Split a rule's option text on the semicolons outside quotes."""
    options, current, quoted, i = [], "", False, 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            current += body[i : i + 2]
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        if c == ";" and not quoted:
            options.append(current.strip())
            current = ""
        else:
            current += c
        i += 1
    assert not quoted, body
    assert current.strip() == "", body
    return options


RULE = re.compile(r"alert (\S+) (\S+) (\S+) -> (\S+) (\S+) \((.*)\)")
HEX_GROUP = re.compile(r"\|([0-9A-Fa-f]{2}( [0-9A-Fa-f]{2})*)\|")


def check_rule(line):
    m = RULE.fullmatch(line)
    assert m, line
    options = split_options(m.group(6))
    names = [o.split(":", 1)[0] for o in options]
    for option in options:
        name, _, value = option.partition(":")
        if name == "content":
            assert value.startswith('"') and value.endswith('"'), option
            inner = HEX_GROUP.sub("", value[1:-1])
            assert not re.search(r'[|";\\]', inner), option
        if name in ("msg", "pcre"):
            assert re.fullmatch(r'"(?:[^"\\;]|\\.)*"', value.strip()), option
    assert names.count("sid") == 1 and names.count("msg") == 1, line
    return int(next(o for o in options if o.startswith("sid:"))[4:])


@pytest.mark.parametrize("name", ["suricata", "snort"])
def test_nids_rules_parse(out, name):
    rules = [
        l
        for l in (out / name).read_text(encoding="utf-8").splitlines()
        if l and not l.startswith("#")
    ]
    assert len(rules) > 1000
    sids = [check_rule(r) for r in rules]
    assert len(sids) == len(set(sids))
    text = "\n".join(rules)
    assert "bad;name" not in text and "not an address" not in text
    assert "Re|3a| |22|pay|22 3b| now|7c|0x|5c| |c3 bc|n|c3 af|" in text


def test_suricata_accepts_rules(out, tmp_path):
    if not shutil.which("suricata"):
        pytest.skip("suricata is not installed (it is not in Debian 12)")
    run = subprocess.run(
        ["suricata", "-T", "-S", str(out / "suricata"), "-l", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
