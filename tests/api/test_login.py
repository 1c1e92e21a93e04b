"""Web login: users/login and users/logout, the session cookie, CSRF tokens,
lockout after failed logins, and session expiry.

The lockout and expiry tests start their own servers with short limits
(`--lockout-window`, `--session-idle`, `--session-lifetime`), each on a
fresh data directory, so that their failed logins and expired sessions
touch no other test.  They wait past those limits with generous margins.
"""

import re
import time
import urllib.parse
from collections import namedtuple

import pytest
import requests

import harness

PASSWORD = "correct horse battery staple"
ADMIN = "admin@admin.test"
LOCKED_USER = "locked@example.test"
DISABLED_USER = "disabled@example.test"

LOGIN_FAILED = "Invalid username or password, try again"
DISABLED = "Authentication failed. Your user account has been disabled."
LOCKED_RE = re.compile(
    r"You have reached the maximum number of login attempts\. "
    r"Please wait (\d+) seconds and try again\."
)
TOKEN_RE = re.compile(r"[0-9a-f]{64}")

Instance = namedtuple("Instance", "path key")


def make_instance(path):
    """Initialise `path` with passwords for the admin and two more users."""
    key = harness.init_data_dir(path)
    harness.add_user(path, LOCKED_USER)
    harness.add_user(path, DISABLED_USER, disabled=True)
    for email in (ADMIN, LOCKED_USER, DISABLED_USER):
        harness.set_password(path, email, PASSWORD)
    return Instance(path, key)


@pytest.fixture(scope="module")
def cairn_data(tmp_path_factory):
    return make_instance(tmp_path_factory.mktemp("data") / "cairn")


def start_server(tmp_path_factory, *args):
    """Start a server with `args` on a fresh instance; the caller stops it."""
    instance = make_instance(tmp_path_factory.mktemp("data") / "cairn")
    log = tmp_path_factory.mktemp("log") / "serve.log"
    server = harness.Server(instance.path, instance.key, log, args)
    server.start()
    return server


def login(server, email=ADMIN, password=PASSWORD, **kwargs):
    """POST users/login with a JSON body, without any key."""
    return requests.post(
        server.url + "/users/login",
        json={"email": email, "password": password},
        headers={"Accept": "application/json"},
        timeout=60,
        **kwargs,
    )


def session_of(response):
    """Return a requests session that carries the login's cookie only."""
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    session.cookies.update(response.cookies)
    return session


def set_cookie(response):
    header = response.headers.get("Set-Cookie")
    assert header, f"no Set-Cookie header: {dict(response.headers)}"
    return header


def test_login_right_password(server):
    response = login(server)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["User"]["email"] == ADMIN
    assert body["Role"]["name"] == "admin"
    assert body["Organisation"]["name"] == "ORGNAME"
    token = body["Session"]["csrf_token"]
    assert TOKEN_RE.fullmatch(token), token
    assert response.headers["X-CSRF-Token"] == token
    assert "password" not in body["User"]


def test_cookie_attributes(server):
    header = set_cookie(login(server))
    parts = [p.strip() for p in header.split(";")]
    name, _, value = parts[0].partition("=")
    assert name == "cairn_session"
    assert TOKEN_RE.fullmatch(value), value
    attributes = {p.split("=")[0].lower() for p in parts[1:]}
    assert "httponly" in attributes
    assert "samesite=strict" in {p.lower() for p in parts[1:]}
    assert "path=/" in {p.lower() for p in parts[1:]}
    assert "max-age" in attributes
    # Served over plain HTTP, so not Secure.
    assert "secure" not in attributes


def test_session_cookie_authenticates(server):
    response = login(server)
    session = session_of(response)
    me = session.get(server.url + "/users/view/me", timeout=30)
    assert me.status_code == 200, me.text
    assert me.json()["User"]["email"] == ADMIN
    assert me.headers["X-CSRF-Token"] == response.json()["Session"]["csrf_token"]


def test_login_misp_form_fields(server):
    body = urllib.parse.urlencode(
        {"data[User][email]": ADMIN, "data[User][password]": PASSWORD}
    )
    response = requests.post(
        server.url + "/users/login",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json()["User"]["email"] == ADMIN


def test_login_user_envelope(server):
    response = requests.post(
        server.url + "/users/login",
        json={"User": {"email": ADMIN, "password": PASSWORD}},
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text


def test_wrong_password(server):
    response = login(server, password="not the password at all")
    body = harness.assert_misp_error(response, 403, "/users/login")
    assert body["message"] == LOGIN_FAILED
    assert "Set-Cookie" not in response.headers


def test_unknown_email_same_answer(server):
    wrong = login(server, password="not the password at all")
    unknown = login(server, email="nobody@example.test")
    assert unknown.status_code == wrong.status_code
    assert unknown.json() == wrong.json()
    assert "Set-Cookie" not in unknown.headers


@pytest.mark.parametrize(
    "body",
    [{}, {"email": ADMIN}, {"password": PASSWORD}, {"email": 1, "password": 2}],
)
def test_login_invalid_body(server, body):
    response = requests.post(
        server.url + "/users/login",
        json=body,
        headers={"Accept": "application/json"},
        timeout=30,
    )
    harness.assert_misp_error(response, 400, "/users/login")


def test_disabled_user(server):
    response = login(server, email=DISABLED_USER)
    body = harness.assert_misp_error(response, 403, "/users/login")
    assert body["message"] == DISABLED
    assert "Set-Cookie" not in response.headers


def test_csrf_missing(server):
    session = session_of(login(server))
    response = session.post(
        server.url + "/events/add", json={"info": "csrf missing"}, timeout=30
    )
    body = harness.assert_misp_error(response, 403, "/events/add")
    assert "CSRF" in body["message"]


def test_csrf_wrong(server):
    session = session_of(login(server))
    response = session.post(
        server.url + "/events/add",
        json={"info": "csrf wrong"},
        headers={"X-CSRF-Token": "0" * 64},
        timeout=30,
    )
    body = harness.assert_misp_error(response, 403, "/events/add")
    assert "CSRF" in body["message"]


def test_csrf_of_other_session(server):
    first = login(server)
    second = login(server)
    session = session_of(second)
    response = session.post(
        server.url + "/events/add",
        json={"info": "csrf of another session"},
        headers={"X-CSRF-Token": first.json()["Session"]["csrf_token"]},
        timeout=30,
    )
    harness.assert_misp_error(response, 403, "/events/add")


def test_csrf_right(server, api):
    response = login(server)
    session = session_of(response)
    added = session.post(
        server.url + "/events/add",
        json={"info": "csrf right"},
        headers={"X-CSRF-Token": response.json()["Session"]["csrf_token"]},
        timeout=30,
    )
    assert added.status_code == 200, added.text
    event_id = added.json()["Event"]["id"]
    assert harness.view_event(api, event_id)["info"] == "csrf right"


def test_get_needs_no_csrf(server):
    session = session_of(login(server))
    response = session.get(server.url + "/events/index", timeout=30)
    assert response.status_code == 200, response.text


def test_api_key_needs_no_csrf(server, api):
    # With a key, the session cookie is ignored and no token is needed.
    cookies = login(server).cookies
    response = api.post("/events/add", json={"info": "key without csrf"},
                        cookies=cookies)
    assert response.status_code == 200, response.text


def test_logout_invalidates(server):
    response = login(server)
    session = session_of(response)
    out = session.post(
        server.url + "/users/logout",
        headers={"X-CSRF-Token": response.json()["Session"]["csrf_token"]},
        timeout=30,
    )
    assert out.status_code == 200, out.text
    assert "max-age=0" in set_cookie(out).lower()
    # The old cookie no longer works, even when sent again by hand.
    replay = requests.get(
        server.url + "/users/view/me",
        cookies=response.cookies,
        headers={"Accept": "application/json"},
        timeout=30,
    )
    body = harness.assert_misp_error(replay, 403)
    assert body["message"] == harness.AUTH_FAILED


@pytest.mark.parametrize(
    "cookie", ["", "x", "0" * 64, "A" * 64, "g" * 64, "0" * 63]
)
def test_invalid_cookie_rejected(server, cookie):
    response = requests.get(
        server.url + "/users/view/me",
        headers={"Accept": "application/json",
                 "Cookie": f"cairn_session={cookie}"},
        timeout=30,
    )
    body = harness.assert_misp_error(response, 403)
    assert body["message"] == harness.AUTH_FAILED


def test_secrets_not_logged(server):
    response = login(server)
    token = response.cookies["cairn_session"]
    login(server, password="a wrong password that must not be logged")
    log = server.log_tail(size=200000)
    assert PASSWORD not in log
    assert "a wrong password that must not be logged" not in log
    assert token not in log
    assert response.json()["Session"]["csrf_token"] not in log


def test_lockout(tmp_path_factory):
    server = start_server(tmp_path_factory)
    try:
        for _ in range(5):
            failed = login(server, email=LOCKED_USER, password="wrong password!")
            assert failed.json()["message"] == LOGIN_FAILED
        # Locked now, even with the right password.
        locked = login(server, email=LOCKED_USER)
        body = harness.assert_misp_error(locked, 403, "/users/login")
        match = LOCKED_RE.fullmatch(body["message"])
        assert match, body["message"]
        assert 0 < int(match.group(1)) <= 300
        assert locked.headers["Retry-After"] == match.group(1)
        assert "Set-Cookie" not in locked.headers
        # Other e-mails are not locked.
        assert login(server).status_code == 200
    finally:
        harness.check_stopped(server)


def test_success_clears_count(tmp_path_factory):
    server = start_server(tmp_path_factory)
    try:
        for _ in range(4):
            login(server, email=LOCKED_USER, password="wrong password!")
        assert login(server, email=LOCKED_USER).status_code == 200
        for _ in range(4):
            login(server, email=LOCKED_USER, password="wrong password!")
        assert login(server, email=LOCKED_USER).status_code == 200
    finally:
        harness.check_stopped(server)


def test_lockout_clears_after_window(tmp_path_factory):
    server = start_server(tmp_path_factory, "--lockout-window", "2")
    try:
        for _ in range(5):
            login(server, email=LOCKED_USER, password="wrong password!")
        locked = login(server, email=LOCKED_USER)
        assert locked.status_code == 403
        wait = int(locked.headers["Retry-After"])
        assert 0 < wait <= 2
        time.sleep(wait + 1.5)
        assert login(server, email=LOCKED_USER).status_code == 200
    finally:
        harness.check_stopped(server)


def test_address_lockout(tmp_path_factory):
    # With 2 attempts per e-mail, one address may fail 8 times in all.
    server = start_server(tmp_path_factory, "--lockout-attempts", "2")
    try:
        for i in range(8):
            failed = login(server, email=f"nobody{i}@example.test")
            assert failed.json()["message"] == LOGIN_FAILED
        locked = login(server, email="nobody-else@example.test")
        body = harness.assert_misp_error(locked, 403, "/users/login")
        assert LOCKED_RE.fullmatch(body["message"]), body["message"]
    finally:
        harness.check_stopped(server)


def test_session_idle_expiry(tmp_path_factory):
    server = start_server(tmp_path_factory, "--session-idle", "2")
    try:
        session = session_of(login(server))
        assert session.get(server.url + "/users/view/me").status_code == 200
        time.sleep(3.5)
        expired = session.get(server.url + "/users/view/me", timeout=30)
        body = harness.assert_misp_error(expired, 403)
        assert body["message"] == harness.AUTH_FAILED
        # A new login works again.
        assert login(server).status_code == 200
    finally:
        harness.check_stopped(server)


def test_session_lifetime_expiry(tmp_path_factory):
    server = start_server(tmp_path_factory, "--session-lifetime", "3")
    try:
        response = login(server)
        assert "max-age=3" in set_cookie(response).lower()
        # The header is sent by hand, because a cookie jar drops the
        # cookie itself once its Max-Age has passed.
        headers = {
            "Accept": "application/json",
            "Cookie": "cairn_session=" + response.cookies["cairn_session"],
        }
        first = requests.get(server.url + "/users/view/me", headers=headers,
                             timeout=30)
        assert first.status_code == 200, first.text
        started = time.monotonic()
        # Steady use does not extend the session past its lifetime.
        while time.monotonic() - started < 4.5:
            last = requests.get(server.url + "/users/view/me",
                                headers=headers, timeout=30)
            time.sleep(0.5)
        body = harness.assert_misp_error(last, 403)
        assert body["message"] == harness.AUTH_FAILED
    finally:
        harness.check_stopped(server)


@pytest.mark.parametrize(
    "password", ["tiny-pw", "", "x" * 4097]
)
def test_password_stdin_rejected(cairn_data, password):
    done = harness.subprocess.run(
        [str(harness.cairn_bin()), "init", "--data", str(cairn_data.path),
         "--password-stdin"],
        input=password, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "invalid password on stdin" in done.stderr or "too long" in done.stderr
    if password:
        assert password not in done.stdout + done.stderr


def test_password_change_ends_session(server, cairn_data):
    session = session_of(login(server, email=LOCKED_USER))
    assert session.get(server.url + "/users/view/me").status_code == 200
    harness.set_password(cairn_data.path, LOCKED_USER, PASSWORD + " again")
    ended = session.get(server.url + "/users/view/me", timeout=30)
    harness.assert_misp_error(ended, 403)
    assert login(server, email=LOCKED_USER,
                 password=PASSWORD + " again").status_code == 200
    harness.set_password(cairn_data.path, LOCKED_USER, PASSWORD)


@pytest.mark.parametrize(
    "option", ["--session-idle", "--session-lifetime", "--lockout-window",
               "--lockout-attempts"]
)
@pytest.mark.parametrize("value", ["0", "-1", "x", "10s"])
def test_invalid_limit_option(cairn_data, option, value):
    done = harness.run_cli("serve", "--data", cairn_data.path, option, value)
    assert done.returncode == 2
    assert option in done.stderr
    assert value in done.stderr
