"""A reviewer's attacks on access control: what one organisation's users
could read or write that MISP's rules keep from them.

Organisation A is the host organisation (id 1, where the site admin
sits); B and C are two more.  Each organisation has a user of the roles
User (3) and Publisher (4), and A an Org Admin (2).
"""

import pytest

import accounts
import harness

ORG_ADMIN, USER, PUBLISHER = 2, 3, 4


class World:
    def __init__(self, api, server):
        self.api = api
        self.org_b = accounts.add_org(api, accounts.unique("B"))
        self.org_c = accounts.add_org(api, accounts.unique("C"))
        self.users = {}
        self.keys = {}
        for org, name in ((1, "A"), (self.org_b["id"], "B"),
                          (self.org_c["id"], "C")):
            for role in (ORG_ADMIN, USER, PUBLISHER):
                user, key = accounts.add_user(api, org, role)
                self.users[name, role] = user
                self.keys[name, role] = accounts.session(server, key)

    def session(self, org, role):
        return self.keys[org, role]


@pytest.fixture(scope="module")
def world(api, server):
    return World(api, server)


def audit_rows(session, path="/admin/audit_logs/index"):
    response = session.get(path)
    assert response.status_code == 200, response.text
    return [row["AuditLog"] for row in response.json()]


# Audit log: MISP shows a user without perm_admin only the rows of its own
# actions, and an org admin the rows of its organisation.  Before the fix
# a plain user of the host organisation read every row the site admin
# wrote, including attribute values of other organisations' private
# events and the e-mail addresses of every user.

def test_plain_user_sees_only_own_audit_rows(world, api):
    secret = accounts.unique("private") + ".example"
    event = accounts.add_event(world.session("B", PUBLISHER),
                               distribution="0")
    added = api.post(f"/attributes/add/{event['id']}",
                     json={"type": "domain", "value": secret})
    assert added.status_code == 200, added.text
    plain = world.users["A", USER]
    accounts.add_event(world.session("A", USER))

    rows = audit_rows(world.session("A", USER))
    assert rows, "the user's own event/add left no audit row it can read"
    assert {row["user_id"] for row in rows} == {plain["id"]}
    text = str(rows)
    assert secret not in text
    assert world.users["C", USER]["email"] not in text


def test_plain_user_cannot_filter_for_other_users(world):
    admin_rows = audit_rows(world.session("A", USER),
                            "/admin/audit_logs/index/user:1")
    assert admin_rows == []


def test_org_admin_sees_its_organisation(world):
    accounts.add_event(world.session("A", PUBLISHER))
    rows = audit_rows(world.session("A", ORG_ADMIN))
    assert world.users["A", PUBLISHER]["id"] in {r["user_id"] for r in rows}
    assert {r["org_id"] for r in rows} == {"1"}
