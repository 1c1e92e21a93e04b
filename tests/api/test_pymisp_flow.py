"""The HTTP requests that PyMISP 2.5.34.1 sends for a typical session,
replayed with plain requests calls: connect, add an event with attributes,
an object and tags, fetch it, edit it, tag it, add an object, delete it.

The sequence was read from PyMISP's api.py and recorded from PyMISP itself
against a stub server: PyMISP.__init__ sends GET servers/getVersion (and
GET servers/getPyMISPVersion.json only when getVersion has no
pymisp_recommended_version), GET users/view/me and GET
attributes/describeTypes.json.  Bodies are bare objects, ids and enums as
strings, empty lists and nulls left out, and an edited element is sent
without its timestamp.

When $PYMISP_SRC names a PyMISP checkout, test_real_pymisp also runs
PyMISP itself against the server.
"""

import copy
import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

import harness

USER_AGENT = "PyMISP 2.5.34.1 - Python 3.11"


@pytest.fixture(scope="module")
def pymisp(server):
    """A session with the headers PyMISP sends on every request."""
    session = harness.ApiSession(server.url, server.key)
    session.headers["User-Agent"] = USER_AGENT
    yield session
    session.close()


def pymisp_body(value):
    """Drop nulls and empty lists and strip strings, as PyMISP's to_dict does."""
    if isinstance(value, dict):
        return {
            key: pymisp_body(item)
            for key, item in value.items()
            if item is not None and item != []
        }
    if isinstance(value, list):
        return [pymisp_body(item) for item in value]
    if isinstance(value, str):
        return value.strip()
    return value


def test_connect(pymisp):
    response = pymisp.get("/servers/getVersion")
    assert response.status_code == 200, response.text
    version = response.json()
    assert all(part.isdigit() for part in version["version"].split("."))
    if "pymisp_recommended_version" not in version:
        response = pymisp.get("/servers/getPyMISPVersion.json")
        assert response.status_code == 200, response.text
        assert "version" in response.json()

    response = pymisp.get("/users/view/me")
    assert response.status_code == 200, response.text
    me = response.json()
    assert "User" in me
    assert "Role" in me
    assert "UserSetting" in me

    response = pymisp.get("/attributes/describeTypes.json")
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    for key in ("categories", "types", "category_type_mappings", "sane_defaults"):
        assert key in result


def new_event_body():
    """The body of add_event for an event built with PyMISP's classes."""
    attribute_uuid = str(uuid.uuid4())
    object_uuid = str(uuid.uuid4())
    return {
        "uuid": str(uuid.uuid4()),
        "Attribute": [
            {
                "uuid": attribute_uuid,
                "Tag": [{"name": "cairn-test:attribute"}],
                "type": "ip-dst",
                "value": "198.51.100.7",
                "category": "Network activity",
                "to_ids": True,
                "disable_correlation": False,
                "comment": "c2",
            }
        ],
        "Object": [
            {
                "name": "domain-ip",
                "meta-category": "network",
                "template_uuid": "43b3b146-77eb-4931-b4cc-b66c60f28734",
                "description": "A domain/hostname and IP address seen as a "
                "tuple in a specific time frame.",
                "template_version": "11",
                "uuid": object_uuid,
                "ObjectReference": [
                    {
                        "uuid": str(uuid.uuid4()),
                        "object_uuid": object_uuid,
                        "referenced_uuid": attribute_uuid,
                        "relationship_type": "resolves-to",
                    }
                ],
                "Attribute": [
                    {
                        "uuid": str(uuid.uuid4()),
                        "object_relation": "domain",
                        "value": "example.org",
                        "type": "domain",
                        "category": "Network activity",
                        "disable_correlation": False,
                        "to_ids": True,
                    },
                    {
                        "uuid": str(uuid.uuid4()),
                        "object_relation": "ip",
                        "value": "198.51.100.7",
                        "type": "ip-dst",
                        "category": "Network activity",
                        "disable_correlation": False,
                        "to_ids": True,
                    },
                ],
                "distribution": "5",
                "sharing_group_id": "0",
            }
        ],
        "Tag": [{"name": "tlp:green"}],
        "info": "PyMISP flow",
        "distribution": "0",
        "threat_level_id": "2",
        "analysis": "1",
    }


def test_event_lifecycle(pymisp):
    body = new_event_body()
    event_uuid = body["uuid"]
    attribute_uuid = body["Attribute"][0]["uuid"]
    object_uuid = body["Object"][0]["uuid"]

    # add_event
    response = pymisp.post("/events/add", json=body)
    assert response.status_code == 200, response.text
    added = response.json()["Event"]
    assert added["uuid"] == event_uuid
    assert added["info"] == "PyMISP flow"
    assert {t["name"] for t in added["Tag"]} == {"tlp:green"}
    attribute = added["Attribute"][0]
    assert attribute["uuid"] == attribute_uuid
    assert {t["name"] for t in attribute["Tag"]} == {"cairn-test:attribute"}
    obj = added["Object"][0]
    assert obj["uuid"] == object_uuid
    assert len(obj["Attribute"]) == 2
    reference = obj["ObjectReference"][0]
    assert reference["referenced_uuid"] == attribute_uuid
    assert reference["relationship_type"] == "resolves-to"

    # get_event prefers the uuid
    response = pymisp.get(f"/events/view/{event_uuid}")
    assert response.status_code == 200, response.text
    loaded = response.json()["Event"]
    assert loaded["id"] == added["id"]

    # update_event: the loaded event with a new info and a new attribute
    edit = pymisp_body(copy.deepcopy(loaded))
    edit.pop("timestamp", None)
    edit["info"] = "PyMISP flow edited"
    edit["Attribute"].append(
        {
            "uuid": str(uuid.uuid4()),
            "type": "domain",
            "value": "evil.example",
            "category": "Network activity",
            "to_ids": True,
            "disable_correlation": False,
        }
    )
    response = pymisp.post(f"/events/edit/{event_uuid}", json=edit)
    assert response.status_code == 200, response.text
    updated = response.json()["Event"]
    assert updated["info"] == "PyMISP flow edited"
    assert sorted(a["value"] for a in updated["Attribute"]) == [
        "198.51.100.7",
        "evil.example",
    ]
    assert len(updated["Object"]) == 1
    assert int(updated["timestamp"]) >= int(loaded["timestamp"])

    # event_exists
    assert pymisp.head(f"/events/view/{event_uuid}").status_code == 200

    # tag(attribute, name)
    response = pymisp.post(
        "/tags/attachTagToObject",
        json={"uuid": attribute_uuid, "tag": "cairn-test:later", "local": False},
    )
    assert response.status_code == 200, response.text
    assert "successfully" in response.json()["message"]

    # add_object(event, url object)
    url_object = {
        "name": "url",
        "meta-category": "network",
        "template_uuid": "60efb77b-40b5-4c46-871b-ed1ed999fce5",
        "description": "url object describes an url along with its "
        "normalized field (like extracted using faup parsing library) and "
        "its metadata.",
        "template_version": "10",
        "uuid": str(uuid.uuid4()),
        "Attribute": [
            {
                "uuid": str(uuid.uuid4()),
                "object_relation": "url",
                "value": "http://evil.example/x",
                "type": "url",
                "disable_correlation": False,
                "to_ids": True,
                "category": "Network activity",
            }
        ],
        "distribution": "5",
        "sharing_group_id": "0",
    }
    response = pymisp.post(f"/objects/add/{event_uuid}", json=url_object)
    assert response.status_code == 200, response.text
    assert response.json()["Object"]["uuid"] == url_object["uuid"]

    stored = harness.view_event(pymisp, event_uuid)
    assert len(stored["Object"]) == 2
    tagged = next(a for a in stored["Attribute"] if a["uuid"] == attribute_uuid)
    assert {t["name"] for t in tagged["Tag"]} == {
        "cairn-test:attribute",
        "cairn-test:later",
    }

    # delete_event sends no body
    response = pymisp.post(f"/events/delete/{event_uuid}")
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Event deleted."

    # get_event afterwards: PyMISP turns a 4xx JSON body into its errors
    response = pymisp.get(f"/events/view/{event_uuid}")
    assert response.status_code == 404
    assert response.json()["message"] == "Invalid event"


# A PyMISP session written against PyMISP's public API.  It prints one
# JSON line per step so that the test can point at the step that failed.
REAL_PYMISP_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pymisp import MISPEvent, MISPObject, PyMISP

    url, key, objects = sys.argv[1], sys.argv[2], sys.argv[3]

    def step(name, value):
        print(json.dumps({"step": name, "value": value}), flush=True)

    misp = PyMISP(url, key, ssl=False)
    step("connect", misp.describe_types["types"][:1])

    event = MISPEvent()
    event.info = "real PyMISP flow"
    event.distribution = 0
    event.threat_level_id = 2
    event.analysis = 1
    attribute = event.add_attribute("ip-dst", "198.51.100.8", comment="c2")
    attribute.add_tag("cairn-test:pymisp")
    event.add_tag("tlp:green")
    obj = MISPObject("domain-ip", misp_objects_path_custom=objects)
    obj.add_attribute("domain", "pymisp.example")
    obj.add_attribute("ip", "198.51.100.8")
    obj.add_reference(attribute, "resolves-to")
    event.add_object(obj)

    added = misp.add_event(event, pythonify=True)
    step("add_event", [added.uuid, len(added.attributes), len(added.objects),
                       sorted(t.name for t in added.tags)])

    loaded = misp.get_event(added.uuid, pythonify=True)
    step("get_event", [loaded.uuid, loaded.info])

    loaded.info = "real PyMISP flow edited"
    loaded.add_attribute("domain", "pymisp-evil.example")
    updated = misp.update_event(loaded, pythonify=True)
    step("update_event", [updated.info, len(updated.attributes)])

    step("event_exists", misp.event_exists(updated.uuid))
    step("delete_event", misp.delete_event(updated))
    step("exists_after_delete", misp.event_exists(updated.uuid))
    """
)


def pymisp_version(source):
    text = (source / "pyproject.toml").read_text()
    return re.search(r'^version = "([^"]+)"', text, re.M).group(1)


@pytest.mark.skipif(
    not os.environ.get("PYMISP_SRC"),
    reason="set PYMISP_SRC to a PyMISP checkout to run PyMISP itself",
)
def test_real_pymisp(server, shared_data, tmp_path):
    source = Path(os.environ["PYMISP_SRC"]).resolve()
    # PyMISP reads its version from installed package metadata, which a
    # plain checkout does not have, so give it a minimal dist-info.
    version = pymisp_version(source)
    meta = tmp_path / "meta" / f"pymisp-{version}.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: pymisp\nVersion: {version}\n"
    )
    script = tmp_path / "flow.py"
    script.write_text(REAL_PYMISP_SCRIPT)

    env = dict(os.environ, PYTHONPATH=f"{source}:{meta.parent}")
    done = subprocess.run(
        [sys.executable, str(script), server.url, server.key,
         str(shared_data / "objects" / "objects")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    steps = {}
    for line in done.stdout.splitlines():
        if line.startswith('{"step"'):
            record = json.loads(line)
            steps[record["step"]] = record["value"]
    assert done.returncode == 0, (
        f"PyMISP flow failed after steps {list(steps)}:\n{done.stderr[-3000:]}"
    )

    event_uuid, attributes, objects, tags = steps["add_event"]
    assert attributes == 1
    assert objects == 1
    assert tags == ["tlp:green"]
    assert steps["get_event"] == [event_uuid, "real PyMISP flow"]
    assert steps["update_event"] == ["real PyMISP flow edited", 2]
    assert steps["event_exists"] is True
    assert steps["delete_event"]["message"] == "Event deleted."
    assert steps["exists_after_delete"] is False
