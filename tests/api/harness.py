"""Run the cairn binary for the API tests: init, import, serve, and an HTTP
session that talks to the served API the way MISP clients do.

Every server started here listens on 127.0.0.1 on a free port, and every
request goes to that address only.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]

# Seconds to wait for a started server to respond, and for a stopped one to
# exit.  They only bound the waits, so no result depends on the speed.
START_TIMEOUT = 30
STOP_TIMEOUT = 5

# Seconds one `cairn import` may run; the round trip imports ~116k attributes.
IMPORT_TIMEOUT = 900

API_KEY_RE = re.compile(r"[A-Za-z0-9]{40}")

# `cairn import` ends with this summary line on stdout.
SUMMARY_RE = re.compile(
    r"events: (?P<added>\d+) added, (?P<updated>\d+) updated, "
    r"(?P<unchanged>\d+) unchanged, (?P<rejected>\d+) rejected; "
    r"attributes: (?P<attributes>\d+); objects: (?P<objects>\d+)"
    r"(?:; values normalised: (?P<normalised>\d+); "
    r"attributes skipped: (?P<skipped>\d+))?"
)

AUTH_FAILED = (
    "Authentication failed. Please make sure you pass the API key of an API "
    "enabled user along in the Authorization header."
)


def cairn_bin():
    """Return the path of the binary under test: $CAIRN_BIN or build/cairn."""
    path = Path(os.environ.get("CAIRN_BIN", REPO / "build" / "cairn"))
    if not path.is_absolute():
        path = REPO / path
    return path


def shared_data():
    """Return the shared test data folder: $CAIRN_SHARED_DATA or ../shared/data."""
    env = os.environ.get("CAIRN_SHARED_DATA")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "data"


def run_cli(*args, timeout=120):
    """Run `cairn ARGS...` and return the CompletedProcess (text output)."""
    return subprocess.run(
        [str(cairn_bin()), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def init_data_dir(path):
    """Run `cairn init --data PATH` and return the admin API key it printed."""
    done = run_cli("init", "--data", path)
    assert done.returncode == 0, (
        f"cairn init failed with status {done.returncode}:\n{done.stderr}"
    )
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    assert lines, f"cairn init printed nothing on stdout; stderr:\n{done.stderr}"
    key = lines[-1]
    assert API_KEY_RE.fullmatch(key), (
        f"last stdout line of cairn init is not a 40-character key: {key!r}"
    )
    return key


def set_password(data_dir, email, password):
    """Set the password of user `email` with `cairn init --password-stdin`.

    The password goes through stdin, never argv.
    """
    done = subprocess.run(
        [str(cairn_bin()), "init", "--data", str(data_dir), "--email", email,
         "--password-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        f"cairn init --password-stdin failed with status {done.returncode}:"
        f"\n{done.stderr}"
    )
    assert password not in done.stdout + done.stderr
    return done


def add_user(data_dir, email, role_id=3, org_id=1, disabled=False):
    """Insert a user row straight into the database of a stopped server.

    TODO: use admin/users/add once this branch has the user endpoints.
    """
    with sqlite3.connect(Path(data_dir) / "cairn.db") as db:
        cursor = db.execute(
            "INSERT INTO users (org_id, role_id, email, disabled,"
            " termsaccepted) VALUES (?, ?, ?, ?, 1)",
            (org_id, role_id, email, int(disabled)),
        )
        return cursor.lastrowid


def user_id(data_dir, email):
    """Return the id of the user with `email`, read from the database."""
    with sqlite3.connect(Path(data_dir) / "cairn.db") as db:
        (found,) = db.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
        return found


def import_paths(data_dir, *paths):
    """Run `cairn import --data DIR PATH...` and return the CompletedProcess."""
    return run_cli("import", "--data", data_dir, *paths, timeout=IMPORT_TIMEOUT)


def parse_summary(stdout):
    """Return the counts of the last import summary line in `stdout` as ints.

    Returns None when there is no summary line.
    """
    matches = list(SUMMARY_RE.finditer(stdout))
    if not matches:
        return None
    return {
        name: int(value or 0) for name, value in matches[-1].groupdict().items()
    }


def key_from_output(text):
    """Return the key that `cairn init` or `cairn serve --init` printed.

    The key is the line after "admin API key (shown once, keep it safe):";
    returns None when that line is absent.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == "admin API key (shown once, keep it safe):":
            return lines[i + 1].strip()
    return None


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ApiSession(requests.Session):
    """A requests session bound to one server, with MISP's REST headers.

    Paths are relative to the server root: `api.get("/events/index")`.
    """

    def __init__(self, base_url, key):
        super().__init__()
        self.base_url = base_url
        self.headers.update(
            {
                "Authorization": key,
                "Accept": "application/json",
                "Content-Type": "application/json",
            }
        )

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 120)
        if url.startswith("/"):
            url = self.base_url + url
        return super().request(method, url, *args, **kwargs)


class Server:
    """One `cairn serve` process on a free loopback port.

    With `key` None the server is ready once /health returns 200, which
    needs no key (for `serve --init`, which prints the key it makes).
    `env` replaces the environment of the process, and `scheme` is
    "https" for a server started with a certificate; requests to it skip
    certificate checks, since the tests make a self-signed one.
    """

    def __init__(self, data_dir, key, log_path, extra_args=(), env=None,
                 scheme="http", library=True):
        self.data_dir = Path(data_dir)
        self.key = key
        self.log_path = Path(log_path)
        self.extra_args = list(extra_args)
        self.env = env
        self.scheme = scheme
        self.library = library
        self.port = None
        self.process = None
        self._log = None

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def log_tail(self, size=4000):
        """Return the end of the server's combined stdout and stderr."""
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def start(self):
        """Start the server and wait until getVersion returns 200."""
        self.port = free_port()
        self._log = open(self.log_path, "ab")
        argv = [
            str(cairn_bin()),
            "serve",
            "--data",
            str(self.data_dir),
            "--listen",
            f"127.0.0.1:{self.port}",
            *self.extra_args,
        ]
        if self.library:
            # Warninglists and the other reference data.
            argv += ["--library", str(shared_data())]
        self.process = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, env=self.env
        )
        self._wait_ready()

    def _wait_ready(self):
        headers = {"Accept": "application/json"}
        path = "/health"
        if self.key is not None:
            headers["Authorization"] = self.key
            path = "/servers/getVersion"
        deadline = time.monotonic() + START_TIMEOUT
        last_error = None
        while time.monotonic() < deadline:
            status = self.process.poll()
            if status is not None:
                raise AssertionError(
                    f"cairn serve exited with status {status} before it "
                    f"responded; log:\n{self.log_tail()}"
                )
            try:
                response = requests.get(
                    self.url + path, headers=headers, timeout=2, verify=False
                )
                if response.status_code == 200:
                    return
                last_error = f"status {response.status_code}: {response.text[:200]}"
            except requests.ConnectionError as error:
                last_error = str(error)
            time.sleep(0.05)
        self.kill()
        raise AssertionError(
            f"cairn serve did not respond to {path} within "
            f"{START_TIMEOUT} s (last: {last_error}); log:\n{self.log_tail()}"
        )

    def stop(self):
        """Send SIGTERM and return the exit status, or None on a timeout.

        A server still running after STOP_TIMEOUT seconds is killed.
        """
        try:
            if self.process is None:
                return None
            if self.process.poll() is not None:
                return self.process.returncode
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        finally:
            if self._log is not None:
                self._log.close()

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def check_stopped(server):
    """Stop `server` and assert that it exited cleanly in time."""
    status = server.stop()
    assert status is not None, (
        f"cairn serve was still running {STOP_TIMEOUT} s after SIGTERM; "
        f"log:\n{server.log_tail()}"
    )
    assert status == 0, (
        f"cairn serve exited with status {status} after SIGTERM; "
        f"log:\n{server.log_tail()}"
    )


def assert_misp_error(response, status, path=None):
    """Assert a MISP exception body: `name`, `message` and `url` strings.

    Returns the decoded body.
    """
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.text[:500]}"
    )
    body = response.json()
    assert isinstance(body, dict), f"error body is not an object: {body!r}"
    for field in ("name", "message", "url"):
        assert isinstance(body.get(field), str), (
            f"error body has no string {field!r}: {body!r}"
        )
    if path is not None:
        assert body["url"] == path, f"url {body['url']!r} != {path!r}"
    return body


def add_event(api, **fields):
    """POST a new event (bare body) and return the stored Event dict."""
    fields.setdefault("info", "cairn api test event")
    response = api.post("/events/add", json=fields)
    assert response.status_code == 200, (
        f"events/add returned {response.status_code}: {response.text[:500]}"
    )
    return response.json()["Event"]


def view_event(api, event_id, **body):
    """Return the Event dict of events/view; a body is sent with POST."""
    if body:
        response = api.post(f"/events/view/{event_id}", json=body)
    else:
        response = api.get(f"/events/view/{event_id}")
    assert response.status_code == 200, (
        f"events/view/{event_id} returned {response.status_code}: "
        f"{response.text[:500]}"
    )
    return response.json()["Event"]
