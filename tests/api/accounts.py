"""Helpers for tests that need organisations, users and their keys."""

import itertools

import harness

_counter = itertools.count(1)

# MISP's six default roles, as `cairn init` creates them.
ROLES = {
    1: "admin",
    2: "Org Admin",
    3: "User",
    4: "Publisher",
    5: "Sync user",
    6: "Read Only",
}

NO_PERMISSION = "You do not have permission to use this functionality."
NOT_ALLOWED = "You do not have permission to do that."


def unique(prefix):
    """Return a name no other call in this process returned."""
    return f"{prefix}-{next(_counter)}"


def add_org(api, name=None, **fields):
    """Create an organisation as `api` and return its Organisation object."""
    body = {"name": name or unique("org"), **fields}
    response = api.post("/admin/organisations/add", json=body)
    assert response.status_code == 200, response.text
    return response.json()["Organisation"]


def add_user(api, org_id, role_id, email=None, **fields):
    """Create a user as `api`; return its User object and its API key."""
    body = {
        "email": email or unique("user") + "@example.test",
        "org_id": str(org_id),
        "role_id": str(role_id),
        **fields,
    }
    response = api.post("/admin/users/add", json=body)
    assert response.status_code == 200, response.text
    user = response.json()["User"]
    key = user["authkey"]
    assert harness.API_KEY_RE.fullmatch(key), user
    return user, key


def session(server, key):
    """Return an API session with `key` on `server`."""
    return harness.ApiSession(server.url, key)


def add_event(api, info=None, **fields):
    """Create an event as `api` and return its Event object."""
    body = {"info": info or unique("event"), **fields}
    response = api.post("/events/add", json=body)
    assert response.status_code == 200, response.text
    return response.json()["Event"]
