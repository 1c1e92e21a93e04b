"""`cairn org add` and `cairn user add`: their output, the key they print,
and their errors."""

import harness


def test_org_add_prints_id(cairn_data, server):
    data = cairn_data.path
    done = harness.run_cli("org", "add", "--data", data, "CLI Org One")
    assert done.returncode == 0, done.stderr
    first = int(done.stdout.strip())
    done = harness.run_cli("org", "add", "--data", data, "CLI Org Two",
                           "--remote", "--uuid",
                           "5f4b0e3a-2c1d-4e8f-9a7b-6c5d4e3f2a1b")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) == first + 1


def test_org_add_rejects_bad_input(cairn_data, server):
    data = cairn_data.path
    harness.run_cli("org", "add", "--data", data, "CLI Twice")
    done = harness.run_cli("org", "add", "--data", data, "CLI Twice")
    assert done.returncode == 1
    assert "exists already" in done.stderr
    done = harness.run_cli("org", "add", "--data", data, "X", "--uuid", "nope")
    assert done.returncode == 2
    assert "invalid --uuid 'nope'" in done.stderr
    done = harness.run_cli("org", "add", "--data", data, "Y", "--local",
                           "--remote")
    assert done.returncode == 2
    done = harness.run_cli("org", "add", "--data", data)
    assert done.returncode == 2
    done = harness.run_cli("org", "remove", "--data", data, "Z")
    assert done.returncode == 2
    assert "cairn org add" in done.stderr


def test_user_add_key_authenticates(cairn_data, server):
    data = cairn_data.path
    org = harness.run_cli("org", "add", "--data", data, "CLI Users").stdout
    done = harness.run_cli("user", "add", "--data", data, "--org",
                           org.strip(), "--role", "3", "cli@user.test")
    assert done.returncode == 0, done.stderr
    user_id, key = done.stdout.split()
    assert harness.API_KEY_RE.fullmatch(key)
    session = harness.ApiSession(server.url, key)
    me = session.get("/users/view/me")
    session.close()
    assert me.status_code == 200, me.text
    assert me.json()["User"]["id"] == user_id
    assert me.json()["Organisation"]["name"] == "CLI Users"


def test_user_add_rejects_bad_input(cairn_data, server):
    data = cairn_data.path
    done = harness.run_cli("user", "add", "--data", data, "--org", "999",
                           "--role", "3", "nobody@user.test")
    assert done.returncode == 1
    assert "organisation 999 not found" in done.stderr
    done = harness.run_cli("user", "add", "--data", data, "--org", "1",
                           "--role", "77", "nobody@user.test")
    assert done.returncode == 1
    assert "role 77 not found" in done.stderr
    done = harness.run_cli("user", "add", "--data", data, "--org", "x",
                           "--role", "3", "nobody@user.test")
    assert done.returncode == 2
    done = harness.run_cli("user", "add", "--data", data, "--org", "1",
                           "--role", "3", "not-an-address")
    assert done.returncode == 2
    done = harness.run_cli("user", "add", "--data", data, "--org", "1",
                           "--role", "3", "admin@admin.test")
    assert done.returncode == 1
    assert "exists already" in done.stderr
