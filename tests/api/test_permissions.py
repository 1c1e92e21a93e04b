"""Each of MISP's six default roles against each endpoint family, with the
exact status MISP returns.  The users sit in organisation A; "own" events
were created by another user of A, "other" events by a user of B."""

import pytest

import accounts
import harness

ADMIN, ORG_ADMIN, USER, PUBLISHER, SYNC, READ_ONLY = 1, 2, 3, 4, 5, 6

# family -> status for roles 1..6 (admin, Org Admin, User, Publisher,
# Sync user, Read Only).
EXPECTED = {
    "read": (200, 200, 200, 200, 200, 200),
    "add event": (200, 200, 200, 200, 200, 403),
    "modify own org's event": (200, 200, 200, 200, 200, 403),
    "modify other org's event": (200, 403, 403, 403, 403, 403),
    "delete own org's event": (200, 200, 200, 200, 200, 403),
    "publish own org's event": (200, 200, 403, 200, 200, 403),
    "publish other org's event": (200, 403, 403, 403, 403, 403),
    "tag own org's event": (200, 200, 200, 200, 200, 403),
    "tag other org's event": (200, 403, 403, 403, 403, 403),
    "tag editor: add tag": (200, 200, 403, 403, 200, 403),
    "tag editor: create tag on attach": (200, 200, 405, 405, 200, 403),
    "tag editor: create tag on event add": (200, 200, 403, 403, 200, 403),
    "add event with a known tag": (200, 200, 200, 200, 200, 403),
    "admin: list own org's users": (200, 200, 403, 403, 403, 403),
    "admin: add user to own org": (200, 200, 403, 403, 403, 403),
    "admin: add user to other org": (200, 403, 403, 403, 403, 403),
    "site admin: add organisation": (200, 403, 403, 403, 403, 403),
    "site admin: add role": (200, 403, 403, 403, 403, 403),
    # perm_sharing_group: admin, Org Admin and Sync user.
    "sharing group: add": (200, 200, 403, 403, 200, 403),
    "sharing group: list": (200, 200, 200, 200, 200, 200),
    # MISP's six default roles all carry perm_audit; a read-only key keeps
    # it too.
    "audit: list audit logs": (200, 200, 200, 200, 200, 200),
    "site admin: enable a taxonomy": (200, 403, 403, 403, 403, 403),
    "warninglist: toggle": (200, 403, 403, 403, 403, 403),
}

UNKNOWN_TAG = "only roles with perm_tag_editor may create tags"

CASES = [
    (family, role, statuses[role - 1])
    for family, statuses in EXPECTED.items()
    for role in range(1, 7)
]


class World:
    """Organisations A and B, a user per role in A, and event makers."""

    def __init__(self, api, server):
        self.api = api
        self.server = server
        self.org_a = accounts.add_org(api, accounts.unique("A"))
        self.org_b = accounts.add_org(api, accounts.unique("B"))
        self.sessions = {}
        for role in range(1, 7):
            _, key = accounts.add_user(api, self.org_a["id"], role)
            self.sessions[role] = accounts.session(server, key)
        _, maker_a = accounts.add_user(api, self.org_a["id"], USER)
        _, maker_b = accounts.add_user(api, self.org_b["id"], USER)
        self.maker_a = accounts.session(server, maker_a)
        self.maker_b = accounts.session(server, maker_b)

    def event(self, own):
        """An event of organisation A, or one of B that A can read (all
        communities, published by the site admin), so that a refusal
        comes from the ownership rule and not from visibility."""
        if own:
            event = accounts.add_event(self.maker_a)
        else:
            event = accounts.add_event(self.maker_b, distribution="3")
            response = self.api.post(f"/events/publish/{event['id']}")
            assert response.status_code == 200, response.text
        assert event["orgc_id"] == (self.org_a if own else self.org_b)["id"]
        return event

    def existing_tag(self):
        name = accounts.unique("perm-tag")
        response = self.api.post("/tags/add", json={"name": name})
        assert response.status_code == 200, response.text
        return name

    def close(self):
        for session in [*self.sessions.values(), self.maker_a, self.maker_b]:
            session.close()


@pytest.fixture(scope="module")
def world(api, server):
    w = World(api, server)
    yield w
    w.close()


def attach(s, event, tag):
    return s.post("/tags/attachTagToObject", json={"uuid": event["uuid"], "tag": tag})


def new_user_body(org):
    return {"email": accounts.unique("p") + "@x.test", "org_id": org["id"], "role_id": "3"}


def run_family(w, family, s):
    if family == "read":
        return s.get("/events/index")
    if family == "add event":
        return s.post("/events/add", json={"info": "permission test"})
    if family == "modify own org's event":
        return s.post(f"/events/edit/{w.event(True)['id']}", json={"info": "edited"})
    if family == "modify other org's event":
        return s.post(f"/events/edit/{w.event(False)['id']}", json={"info": "edited"})
    if family == "delete own org's event":
        return s.post(f"/events/delete/{w.event(True)['id']}")
    if family == "publish own org's event":
        return s.post(f"/events/publish/{w.event(True)['id']}")
    if family == "publish other org's event":
        return s.post(f"/events/publish/{w.event(False)['id']}")
    if family == "tag own org's event":
        return attach(s, w.event(True), w.existing_tag())
    if family == "tag other org's event":
        return attach(s, w.event(False), w.existing_tag())
    if family == "tag editor: add tag":
        return s.post("/tags/add", json={"name": accounts.unique("new-tag")})
    if family == "tag editor: create tag on attach":
        return attach(s, w.event(True), accounts.unique("unknown-tag"))
    if family == "tag editor: create tag on event add":
        tags = [{"name": accounts.unique("unknown-tag")}]
        return s.post("/events/add", json={"info": "tagged", "Tag": tags})
    if family == "add event with a known tag":
        tags = [{"name": w.existing_tag()}]
        return s.post("/events/add", json={"info": "tagged", "Tag": tags})
    if family == "admin: list own org's users":
        return s.get("/admin/users/index")
    if family == "admin: add user to own org":
        return s.post("/admin/users/add", json=new_user_body(w.org_a))
    if family == "admin: add user to other org":
        return s.post("/admin/users/add", json=new_user_body(w.org_b))
    if family == "site admin: add organisation":
        return s.post("/admin/organisations/add", json={"name": accounts.unique("O")})
    if family == "site admin: add role":
        return s.post("/admin/roles/add", json={"name": accounts.unique("R")})
    if family == "sharing group: add":
        return s.post("/sharing_groups/add", json={"name": accounts.unique("SG"), "releasability": "test"})
    if family == "sharing group: list":
        return s.get("/sharing_groups/index")
    if family == "audit: list audit logs":
        return s.get("/admin/audit_logs/index")
    if family == "site admin: enable a taxonomy":
        # The test server loads the shared library, so taxonomy 1 exists.
        return s.post("/taxonomies/enable/1")
    if family == "warninglist: toggle":
        return s.post("/warninglists/toggleEnable", json={"id": "1", "enabled": True})
    raise AssertionError(f"no request for family {family!r}")


def test_case_count():
    print(f"{len(CASES)} permission cases: {len(EXPECTED)} families x 6 roles")
    assert len(CASES) == len(EXPECTED) * 6


@pytest.mark.parametrize(
    "family,role,status",
    CASES,
    ids=[f"{accounts.ROLES[r]}-{f}" for f, r, _ in CASES],
)
def test_permission(world, family, role, status):
    response = run_family(world, family, world.sessions[role])
    assert response.status_code == status, (
        f"{accounts.ROLES[role]} on {family}: {response.status_code} "
        f"{response.text[:300]}"
    )
    if status == 403:
        body = response.json()
        message = body["message"]
        if message.endswith(UNKNOWN_TAG):
            message = UNKNOWN_TAG
        assert message in (
            accounts.NO_PERMISSION,
            accounts.NOT_ALLOWED,
            "Could not add User",
            UNKNOWN_TAG,
        ), body


def test_creator_with_perm_modify_only(api, server, world):
    """perm_modify without perm_modify_org covers the events one created."""
    response = api.post(
        "/admin/roles/add",
        json={"name": accounts.unique("Creator"), "perm_add": 1, "perm_modify": 1,
              "perm_auth": 1},
    )
    assert response.status_code == 200, response.text
    role_id = response.json()["Role"]["id"]
    _, creator_key = accounts.add_user(api, world.org_a["id"], role_id)
    _, peer_key = accounts.add_user(api, world.org_a["id"], role_id)
    with accounts.session(server, creator_key) as creator, accounts.session(
        server, peer_key
    ) as peer:
        event = accounts.add_event(creator)
        response = creator.post(f"/events/edit/{event['id']}", json={"info": "mine"})
        assert response.status_code == 200, response.text
        response = peer.post(f"/events/edit/{event['id']}", json={"info": "theirs"})
        body = harness.assert_misp_error(response, 403)
        assert body["message"] == accounts.NOT_ALLOWED
        # The organisation's other events are not the creator's.
        other = world.event(True)
        response = creator.post(f"/events/delete/{other['id']}")
        body = harness.assert_misp_error(response, 403)
        assert body["message"] == accounts.NOT_ALLOWED
