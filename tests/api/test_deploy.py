"""Deployment behaviour of `cairn serve`: /health and users/heartbeat, the
first start from the environment (`serve --init`), later starts that keep
what an administrator changed, the data directory lock, `cairn health`,
`cairn config show`, and a stop on SIGTERM that loses nothing committed."""

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time

import pytest
import requests

import harness

ADMIN_PASSWORD = "a long enough admin password"
GIVEN_KEY = "GivenKey0123456789abcdefghijABCDEFGHIJ01"
KEY_LINE = "admin API key (shown once, keep it safe):"


def clean_env(**settings):
    """Return os.environ without CAIRN_* variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    env.update(settings)
    return env


def run(*args, env=None, timeout=120):
    return subprocess.run(
        [str(harness.cairn_bin()), *map(str, args)],
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        timeout=timeout,
    )


def start_init(tmp_path, name, env, key=None, extra=()):
    """Start `cairn serve --init` on tmp_path/name with `env`."""
    srv = harness.Server(
        tmp_path / name,
        key,
        tmp_path / f"{name}.log",
        extra_args=["--init", *extra],
        env=env,
    )
    srv.start()
    return srv


def org_of(api):
    response = api.get("/users/view/me")
    assert response.status_code == 200, response.text[:300]
    return response.json()


# -------- /health and users/heartbeat --------


def test_health_needs_no_key(server):
    response = requests.get(server.url + "/health", timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["schema_version"] == body["schema_latest"]
    assert body["schema_version"] >= 1


def test_health_head_and_wrong_method(server):
    head = requests.head(server.url + "/health", timeout=10)
    assert head.status_code == 200
    post = requests.post(server.url + "/health", timeout=10)
    harness.assert_misp_error(post, 405, "/health")


def test_health_503_on_schema_mismatch(tmp_path):
    key = harness.init_data_dir(tmp_path / "h")
    srv = harness.Server(tmp_path / "h", key, tmp_path / "h.log")
    srv.start()
    try:
        latest = requests.get(srv.url + "/health", timeout=10).json()[
            "schema_latest"
        ]
        # Another, newer build migrated the database under the server.
        db = sqlite3.connect(tmp_path / "h" / "cairn.db")
        db.execute(f"PRAGMA user_version = {latest + 1}")
        db.commit()
        response = requests.get(srv.url + "/health", timeout=10)
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["database"] == "schema newer than this build"
        assert body["schema_version"] == latest + 1
        done = run("health", "--listen", f"127.0.0.1:{srv.port}")
        assert done.returncode == 1
        assert "returned 503" in done.stderr
        db.execute(f"PRAGMA user_version = {latest}")
        db.commit()
        db.close()
        assert requests.get(srv.url + "/health", timeout=10).status_code == 200
    finally:
        harness.check_stopped(srv)


def test_heartbeat_with_key(api):
    response = api.get("/users/heartbeat")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(response.json(), str)
    assert response.json()
    assert api.post("/users/heartbeat", json={}).status_code == 200


def test_heartbeat_without_key(server):
    response = requests.get(
        server.url + "/users/heartbeat",
        headers={"Accept": "application/json"},
        timeout=10,
    )
    body = harness.assert_misp_error(response, 403)
    assert body["message"] == harness.AUTH_FAILED


def test_other_routes_still_need_key(server):
    response = requests.get(
        server.url + "/events/index",
        headers={"Accept": "application/json"},
        timeout=10,
    )
    harness.assert_misp_error(response, 403)


# -------- cairn health --------


def test_health_command_ok(server):
    done = run("health", "--listen", f"127.0.0.1:{server.port}")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_health_command_reads_environment(server):
    env = clean_env(CAIRN_LISTEN=f"127.0.0.1:{server.port}")
    done = run("health", env=env)
    assert done.returncode == 0, done.stderr


def test_health_command_no_server():
    done = run("health", "--listen", f"127.0.0.1:{harness.free_port()}")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cannot connect" in lines[0]


# -------- the data directory lock --------


def test_second_serve_refused(server, cairn_data):
    done = run(
        "serve",
        "--data",
        cairn_data.path,
        "--listen",
        f"127.0.0.1:{harness.free_port()}",
        timeout=30,
    )
    assert done.returncode == 1
    assert "is in use" in done.stderr
    assert "cairn.lock" in done.stderr


def test_serve_without_init_refuses_empty_dir(tmp_path):
    data = tmp_path / "empty"
    done = run("serve", "--data", data, "--listen", "127.0.0.1:1", timeout=30)
    assert done.returncode == 1
    assert "no database" in done.stderr
    assert not (data / "cairn.db").exists()


# -------- first start from the environment --------


def test_init_from_environment(tmp_path):
    env = clean_env(
        CAIRN_ORG_NAME="Example CERT",
        CAIRN_ORG_UUID="5f4b0e3a-2c1d-4e8f-9a7b-6c5d4e3f2a1b",
        CAIRN_ADMIN_EMAIL="soc@example.org",
        CAIRN_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    srv = start_init(tmp_path, "env", env)
    try:
        log = srv.log_path.read_text()
        assert log.count(KEY_LINE) == 1, log
        key = harness.key_from_output(log)
        assert harness.API_KEY_RE.fullmatch(key), log
        api = harness.ApiSession(srv.url, key)
        me = org_of(api)
        assert me["User"]["email"] == "soc@example.org"
        assert me["Organisation"]["name"] == "Example CERT"
        assert me["Organisation"]["uuid"] == "5f4b0e3a-2c1d-4e8f-9a7b-6c5d4e3f2a1b"
        assert ADMIN_PASSWORD not in json.dumps(me)
        assert ADMIN_PASSWORD not in log
    finally:
        harness.check_stopped(srv)

    db = sqlite3.connect(tmp_path / "env" / "cairn.db")
    try:
        (stored,) = db.execute(
            "SELECT password FROM users WHERE email = ?", ("soc@example.org",)
        ).fetchone()
        (roles,) = db.execute("SELECT count(*) FROM roles").fetchone()
    finally:
        db.close()
    assert stored.startswith("$argon2id$"), stored
    assert ADMIN_PASSWORD not in stored
    assert roles == 6


def test_later_start_keeps_changes(tmp_path):
    env = clean_env(CAIRN_ORG_NAME="First Name")
    srv = start_init(tmp_path, "later", env)
    key = harness.key_from_output(srv.log_path.read_text())
    harness.check_stopped(srv)

    # An administrator renames the organisation.
    db = sqlite3.connect(tmp_path / "later" / "cairn.db")
    db.execute("UPDATE orgs SET name = 'Renamed By Admin' WHERE id = 1")
    db.commit()
    db.close()

    env = clean_env(
        CAIRN_ORG_NAME="Second Name",
        CAIRN_ADMIN_EMAIL="other@example.org",
        CAIRN_ADMIN_KEY=GIVEN_KEY,
    )
    srv = harness.Server(
        tmp_path / "later",
        key,
        tmp_path / "later2.log",
        extra_args=["--init"],
        env=env,
    )
    srv.start()
    try:
        me = org_of(harness.ApiSession(srv.url, key))
        assert me["Organisation"]["name"] == "Renamed By Admin"
        assert me["User"]["email"] == "admin@admin.test"
        unused = requests.get(
            srv.url + "/servers/getVersion",
            headers={"Authorization": GIVEN_KEY, "Accept": "application/json"},
            timeout=10,
        )
        assert unused.status_code == 403
        log = srv.log_path.read_text()
        assert KEY_LINE not in log
        assert "ignoring org_name, admin_email, admin_key" in log, log
    finally:
        harness.check_stopped(srv)


def test_init_with_given_key(tmp_path):
    env = clean_env(CAIRN_ADMIN_KEY=GIVEN_KEY)
    srv = start_init(tmp_path, "given", env, key=GIVEN_KEY)
    try:
        log = srv.log_path.read_text()
        assert KEY_LINE not in log
        assert GIVEN_KEY not in log
        me = org_of(harness.ApiSession(srv.url, GIVEN_KEY))
        assert me["User"]["email"] == "admin@admin.test"
    finally:
        harness.check_stopped(srv)
    db = sqlite3.connect(tmp_path / "given" / "cairn.db")
    try:
        rows = db.execute("SELECT * FROM auth_keys").fetchall()
    finally:
        db.close()
    assert len(rows) == 1
    assert GIVEN_KEY not in repr(rows)


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("CAIRN_ADMIN_KEY", "tooshort", "40 letters and digits"),
        ("CAIRN_ADMIN_PASSWORD", "short", "at least 12"),
        ("CAIRN_ORG_UUID", "1234", "a UUID"),
        ("CAIRN_ADMIN_EMAIL", "nobody", "e-mail address"),
        ("CAIRN_THREADS", "0", "1 to 256"),
    ],
)
def test_init_rejects_bad_setting(tmp_path, name, value, words):
    data = tmp_path / "bad"
    done = run(
        "serve", "--init", "--data", data, "--listen", "127.0.0.1:1",
        env=clean_env(**{name: value}), timeout=30,
    )
    assert done.returncode == 2, done.stderr
    assert name in done.stderr
    assert words in done.stderr
    assert not data.exists()


def test_cairn_init_reads_environment(tmp_path):
    env = clean_env(CAIRN_ORG_NAME="Init Org", CAIRN_ADMIN_KEY=GIVEN_KEY)
    done = run("init", "--data", tmp_path / "i", env=env)
    assert done.returncode == 0, done.stderr
    assert KEY_LINE not in done.stdout
    again = run("init", "--data", tmp_path / "i", "--org-name", "X", env=env)
    assert again.returncode == 0
    assert "already initialised" in again.stderr
    db = sqlite3.connect(tmp_path / "i" / "cairn.db")
    try:
        (name,) = db.execute("SELECT name FROM orgs WHERE id = 1").fetchone()
    finally:
        db.close()
    assert name == "Init Org"


# -------- settings --------


def test_config_show_sources(tmp_path):
    data = tmp_path / "show"
    data.mkdir()
    (data / "cairn.conf").write_text(
        "# settings\nthreads = 3\norg_name = From File\nlog_level = warn\n"
    )
    env = clean_env(
        CAIRN_DATA=str(data),
        CAIRN_THREADS="5",
        CAIRN_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    done = run("config", "show", "--log-level", "debug", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # One line per setting: the 19 of the deployment contract, the four
    # web login limits and the three correlation settings.
    assert len(lines) == 26
    assert "session_idle = 36000 (default)" in lines
    assert "correlation_limit = 20 (default)" in lines
    assert f"data = {data} (environment)" in lines
    assert "threads = 5 (environment)" in lines
    assert "org_name = From File (file)" in lines
    assert "log_level = debug (option)" in lines
    assert "listen = 127.0.0.1:8080 (default)" in lines
    assert "base_url = http://127.0.0.1:8080 (default)" in lines
    assert "admin_password = (set) (environment)" in lines
    assert "admin_key = (unset) (default)" in lines
    assert ADMIN_PASSWORD not in done.stdout


def test_config_file_unknown_name(tmp_path):
    data = tmp_path / "unknown"
    data.mkdir()
    (data / "cairn.conf").write_text("listen = 127.0.0.1:9\nthread = 4\n")
    done = run("serve", "--data", data, timeout=30)
    assert done.returncode == 2
    assert "line 2" in done.stderr
    assert "unknown setting 'thread'" in done.stderr


def test_warninglists_setting(tmp_path, shared_data):
    key = harness.init_data_dir(tmp_path / "wl")
    srv = harness.Server(
        tmp_path / "wl",
        key,
        tmp_path / "wl.log",
        extra_args=["--warninglists", shared_data / "warninglists"],
        library=False,
    )
    srv.start()
    try:
        api = harness.ApiSession(srv.url, key)
        response = api.get("/warninglists/index")
        assert response.status_code == 200
        assert len(response.json()["Warninglists"]) > 0
    finally:
        harness.check_stopped(srv)


# -------- SIGTERM --------


def big_event(count):
    return {
        "info": "slow request at shutdown",
        "Attribute": [
            {"type": "ip-dst", "value": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"}
            for i in range(count)
        ],
    }


def test_sigterm_loses_nothing_committed(tmp_path):
    key = harness.init_data_dir(tmp_path / "term")
    srv = harness.Server(tmp_path / "term", key, tmp_path / "term.log")
    srv.start()
    api = harness.ApiSession(srv.url, key)
    committed = [
        harness.add_event(
            api, info=f"committed {i}",
            Attribute=[{"type": "domain", "value": f"c{i}.example.org"}],
        )["uuid"]
        for i in range(5)
    ]
    # Idle keep-alive connections, and one long events/add in flight.
    idle = [harness.ApiSession(srv.url, key) for _ in range(8)]
    for session in idle:
        assert session.get("/servers/getVersion").status_code == 200
    body = json.dumps(big_event(100000))
    outcome = {}

    def post_big():
        try:
            outcome["status"] = requests.post(
                srv.url + "/events/add", data=body, timeout=120,
                headers=dict(api.headers),
            ).status_code
        except requests.RequestException as error:
            outcome["error"] = repr(error)

    writer = threading.Thread(target=post_big)
    writer.start()
    time.sleep(0.5)
    started = time.monotonic()
    srv.process.send_signal(signal.SIGTERM)
    status = srv.process.wait(timeout=harness.STOP_TIMEOUT * 4)
    print(f"stop after SIGTERM took {time.monotonic() - started:.3f} s; "
          f"the long request ended with {outcome or 'nothing yet'}")
    writer.join(timeout=60)
    assert status == 0, srv.log_tail()

    srv = harness.Server(tmp_path / "term", key, tmp_path / "term2.log")
    srv.start()
    try:
        api = harness.ApiSession(srv.url, key)
        for uuid in committed:
            event = harness.view_event(api, uuid)
            assert len(event["Attribute"]) == 1
        # The long request committed whole or not at all.
        index = api.get("/events/index").json()
        big = [e for e in index if e["info"] == "slow request at shutdown"]
        assert len(big) <= 1
        if big:
            assert int(big[0]["attribute_count"]) == 100000
    finally:
        harness.check_stopped(srv)
    # quick_check: a full integrity_check evaluates the correlation
    # indexes' expressions, whose SQL functions only Cairn registers.
    db = sqlite3.connect(tmp_path / "term" / "cairn.db")
    try:
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        db.close()
