"""HTTPS built into `cairn serve` (libmicrohttpd with GnuTLS), with a
self-signed certificate made by openssl when the tests start, and the
plain-HTTP listener that redirects to it."""

import subprocess

import pytest
import requests

import harness

from test_deploy import clean_env, run

# The harness waits for an HTTPS server without checking its certificate.
pytestmark = pytest.mark.filterwarnings(
    "ignore::urllib3.exceptions.InsecureRequestWarning"
)


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    """Return (certificate, key) paths of a self-signed cert for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    done = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key_path), "-out", str(cert_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_server(cairn_data, cert, tmp_path_factory):
    redirect_port = harness.free_port()
    log = tmp_path_factory.mktemp("log") / "tls.log"
    srv = harness.Server(
        cairn_data.path,
        cairn_data.key,
        log,
        extra_args=[
            "--tls-cert", cert[0], "--tls-key", cert[1],
            "--http-redirect", f"127.0.0.1:{redirect_port}",
        ],
        scheme="https",
    )
    srv.start()
    srv.redirect_port = redirect_port
    yield srv
    harness.check_stopped(srv)


def test_https_with_verified_certificate(tls_server, cert):
    response = requests.get(
        tls_server.url + "/servers/getVersion",
        headers={"Authorization": tls_server.key, "Accept": "application/json"},
        verify=str(cert[0]),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert "version" in response.json()


def test_https_write_and_read(tls_server, cert):
    api = harness.ApiSession(tls_server.url, tls_server.key)
    api.verify = str(cert[0])
    # REQUESTS_CA_BUNDLE in the environment would replace `verify`.
    api.trust_env = False
    event = harness.add_event(
        api, info="over TLS",
        Attribute=[{"type": "domain", "value": "tls.example.org"}],
    )
    stored = harness.view_event(api, event["uuid"])
    assert stored["Attribute"][0]["value"] == "tls.example.org"


def test_plain_http_to_tls_port_fails(tls_server):
    with pytest.raises(requests.ConnectionError):
        requests.get(
            f"http://127.0.0.1:{tls_server.port}/health", timeout=10
        )


def test_health_over_tls(tls_server, cert):
    response = requests.get(
        tls_server.url + "/health", verify=str(cert[0]), timeout=30
    )
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    done = run(
        "health", "--listen", f"127.0.0.1:{tls_server.port}",
        "--tls-cert", cert[0], "--tls-key", cert[1],
    )
    assert done.returncode == 0, done.stderr
    # The same address without TLS settings gets no HTTP response.
    plain = run("health", "--listen", f"127.0.0.1:{tls_server.port}")
    assert plain.returncode == 1


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
def test_redirect_to_base_url(tls_server, method):
    target = "/events/view/12?format=json&a=b%20c"
    response = requests.request(
        method,
        f"http://127.0.0.1:{tls_server.redirect_port}{target}",
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 301
    assert response.headers["Location"] == tls_server.url + target


def test_redirect_followed(tls_server, cert):
    response = requests.get(
        f"http://127.0.0.1:{tls_server.redirect_port}/health",
        verify=str(cert[0]),
        timeout=30,
    )
    assert response.status_code == 200
    assert response.url == tls_server.url + "/health"
    assert len(response.history) == 1


def test_redirect_uses_base_url(cairn_data, cert, tmp_path, tls_server):
    # tls_server holds the data directory lock, so use another directory.
    key = harness.init_data_dir(tmp_path / "base")
    rport = harness.free_port()
    srv = harness.Server(
        tmp_path / "base", key, tmp_path / "base.log",
        extra_args=[
            "--tls-cert", cert[0], "--tls-key", cert[1],
            "--http-redirect", f"127.0.0.1:{rport}",
            "--base-url", "https://misp.example.org/",
        ],
        scheme="https",
    )
    srv.start()
    try:
        response = requests.get(
            f"http://127.0.0.1:{rport}/users/login",
            allow_redirects=False, timeout=30,
        )
        assert response.status_code == 301
        assert response.headers["Location"] == (
            "https://misp.example.org/users/login"
        )
    finally:
        harness.check_stopped(srv)


def test_bad_certificate_rejected(tmp_path, cert):
    key = harness.init_data_dir(tmp_path / "bad")
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("this is not a certificate\n")
    done = run(
        "serve", "--data", tmp_path / "bad",
        "--listen", f"127.0.0.1:{harness.free_port()}",
        "--tls-cert", not_pem, "--tls-key", cert[1], timeout=30,
    )
    assert done.returncode == 1
    assert "tls_cert" in done.stderr
    assert "not a PEM file" in done.stderr
    # A certificate and key that do not belong together.
    swapped = run(
        "serve", "--data", tmp_path / "bad",
        "--listen", f"127.0.0.1:{harness.free_port()}",
        "--tls-cert", cert[1], "--tls-key", cert[0], timeout=30,
    )
    assert swapped.returncode == 1
    assert "GnuTLS" in swapped.stderr
    assert key


def test_tls_settings_checked(tmp_path, cert):
    env = clean_env(CAIRN_TLS_CERT=str(cert[0]))
    done = run("config", "show", env=env)
    assert done.returncode == 2
    assert "tls_key is not" in done.stderr
    missing = run("config", "show", "--tls-cert", tmp_path / "none.pem",
                  "--tls-key", cert[1])
    assert missing.returncode == 2
    assert "option --tls-cert" in missing.stderr
    redirect = run("config", "show", "--http-redirect", "127.0.0.1:8081")
    assert redirect.returncode == 2
    assert "http_redirect" in redirect.stderr
