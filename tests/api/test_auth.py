"""Authentication, server identity and the attribute type matrix."""

import json
import re

import pytest
import requests

import harness

# The reference folder sits beside the shared data folder.
DESCRIBE_TYPES = (
    harness.shared_data().parent
    / "reference"
    / "misp"
    / "PyMISP"
    / "pymisp"
    / "data"
    / "describeTypes.json"
)


def plain_get(server, path, headers):
    """GET without the session's key, with exactly `headers`."""
    return requests.get(server.url + path, headers=headers, timeout=30)


@pytest.mark.parametrize("path", ["/events/index", "/servers/getVersion"])
def test_missing_key_rejected(server, path):
    response = plain_get(server, path, {"Accept": "application/json"})
    body = harness.assert_misp_error(response, 403, path)
    assert body["name"] == harness.AUTH_FAILED
    assert body["message"] == harness.AUTH_FAILED


@pytest.mark.parametrize(
    "key",
    [
        "A" * 40,  # well-formed but unknown
        "short",  # not 40 characters
        "!" * 40,  # outside [A-Za-z0-9]
    ],
)
def test_wrong_key_rejected(server, key):
    headers = {"Authorization": key, "Accept": "application/json"}
    response = plain_get(server, "/events/index", headers)
    body = harness.assert_misp_error(response, 403, "/events/index")
    assert body["name"] == harness.AUTH_FAILED
    assert body["message"] == harness.AUTH_FAILED


def test_key_not_echoed(server, api):
    response = api.get("/users/view/me")
    assert response.status_code == 200
    assert server.key not in response.text


def test_get_version(api):
    response = api.get("/servers/getVersion")
    assert response.status_code == 200
    body = response.json()
    # PyMISP splits the version on dots and converts every part to int.
    assert re.fullmatch(r"\d+\.\d+\.\d+", body.get("version", "")), body
    assert body.get("perm_sync") is True, body


def test_users_view_me(api):
    response = api.get("/users/view/me")
    assert response.status_code == 200
    body = response.json()
    for part in ("User", "Role", "Organisation"):
        assert isinstance(body.get(part), dict), f"no {part} object: {body}"
    # PyMISP's constructor reads UserSetting and fails when it is absent.
    assert "UserSetting" in body, body

    user, role, org = body["User"], body["Role"], body["Organisation"]
    assert user["email"] == "admin@admin.test"
    assert user["id"] == "1"
    assert user["org_id"] == "1"
    assert user["role_id"] == "1"
    assert role["id"] == "1"
    assert role["name"] == "admin"
    assert role["perm_site_admin"] is True
    assert role["perm_auth"] is True
    assert org["id"] == "1"
    assert org["name"] == "ORGNAME"


def test_users_view_me_json_suffix(api):
    response = api.get("/users/view/me.json")
    assert response.status_code == 200
    assert response.json()["User"]["email"] == "admin@admin.test"


def test_describe_types_reference_shape():
    reference = json.loads(DESCRIBE_TYPES.read_text())
    assert list(reference) == ["result"]
    result = reference["result"]
    assert set(result) == {
        "sane_defaults",
        "types",
        "categories",
        "category_type_mappings",
    }


@pytest.mark.parametrize(
    "path", ["/attributes/describeTypes.json", "/attributes/describeTypes"]
)
def test_describe_types_matches(api, path):
    reference = json.loads(DESCRIBE_TYPES.read_text())
    response = api.get(path)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["result"]
    served, expected = body["result"], reference["result"]
    assert set(served) == set(expected)
    for section in expected:
        assert served[section] == expected[section], f"{section} differs"


@pytest.mark.parametrize(
    "path", ["/nosuchcontroller/view/1", "/events/nosuchaction", "/x"]
)
def test_unknown_path_404(api, path):
    response = api.get(path)
    harness.assert_misp_error(response, 404, path)
