"""Fixtures of the API suite: each test module gets a fresh data directory,
one `cairn serve` on a free loopback port and an HTTP session with the admin
key.  A module that needs data in place before the server starts overrides
`cairn_data` (see test_roundtrip.py).
"""

from collections import namedtuple

import pytest

import harness

DataDir = namedtuple("DataDir", "path key")


@pytest.fixture(scope="session", autouse=True)
def cairn_bin():
    path = harness.cairn_bin()
    if not path.is_file():
        pytest.fail(
            f"cairn binary not found at {path}; build it with `make` or set "
            f"CAIRN_BIN",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def shared_data():
    path = harness.shared_data()
    if not path.is_dir():
        pytest.fail(
            f"shared test data not found at {path}; set CAIRN_SHARED_DATA",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def cairn_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "cairn"
    key = harness.init_data_dir(path)
    return DataDir(path, key)


@pytest.fixture(scope="module")
def server(cairn_data, tmp_path_factory):
    log = tmp_path_factory.mktemp("log") / "serve.log"
    srv = harness.Server(cairn_data.path, cairn_data.key, log)
    srv.start()
    yield srv
    harness.check_stopped(srv)


@pytest.fixture(scope="module")
def api(server):
    session = harness.ApiSession(server.url, server.key)
    yield session
    session.close()
