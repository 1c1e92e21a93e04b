"""`cairn backup` while a writer adds events over HTTP, and `cairn
restore` of that backup into a fresh data directory: every event that the
server acknowledged before the backup started is restored in full, and
the restored database passes PRAGMA integrity_check."""

import shutil
import sqlite3
import threading
import time

import pytest

import harness

from conftest import DataDir
from test_deploy import run

# Events acknowledged before the backup starts, at least.
EVENTS_BEFORE = 30


class Writer(threading.Thread):
    """Adds events with three attributes each until stopped.

    `acked` lists (monotonic time of the response, uuid, info, values) for
    every event whose events/add returned 200.
    """

    def __init__(self, url, key):
        super().__init__(daemon=True)
        self.api = harness.ApiSession(url, key)
        self.stop_event = threading.Event()
        self.acked = []
        self.error = None

    def run(self):
        i = 0
        try:
            while not self.stop_event.is_set():
                values = [f"w{i}-{n}.example.org" for n in range(3)]
                event = harness.add_event(
                    self.api,
                    info=f"writer event {i}",
                    Attribute=[{"type": "domain", "value": v} for v in values],
                )
                self.acked.append(
                    (time.monotonic(), event["uuid"], f"writer event {i}", values)
                )
                i += 1
        except Exception as error:  # reported by the test
            self.error = error

    def wait_for(self, count, timeout=120):
        deadline = time.monotonic() + timeout
        while len(self.acked) < count and time.monotonic() < deadline:
            assert self.error is None, self.error
            time.sleep(0.01)
        assert len(self.acked) >= count, "the writer stalled"


@pytest.fixture(scope="module")
def cairn_data(tmp_path_factory, shared_data):
    """A data directory with a MISP feed imported, so that the database
    spans several backup steps (it is a few MB, a step copies 1 MB)."""
    path = tmp_path_factory.mktemp("data") / "cairn"
    key = harness.init_data_dir(path)
    done = harness.import_paths(path, shared_data / "misp-feed" / "curated")
    assert done.returncode == 0, done.stderr
    return DataDir(path, key)


def count_events(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        db.close()


def integrity(path):
    """Check the file's structure outside Cairn.  A full integrity_check
    evaluates the expressions of the correlation indexes, which call SQL
    functions that only Cairn registers, so this runs quick_check, which
    checks every page and record but not index contents; `cairn backup`
    and `cairn restore` run the full check themselves."""
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        db.close()


@pytest.fixture(scope="module")
def backup(server, cairn_data, tmp_path_factory):
    """Back up while the writer runs; return (file, events acked before)."""
    file = tmp_path_factory.mktemp("backup") / "cairn-backup.db"
    imported = count_events(cairn_data.path / "cairn.db")
    writer = Writer(server.url, cairn_data.key)
    writer.start()
    writer.wait_for(EVENTS_BEFORE)
    started = time.monotonic()
    done = run("backup", "--data", cairn_data.path, file, timeout=300)
    ended = time.monotonic()
    writer.wait_for(len(writer.acked) + 5)
    writer.stop_event.set()
    writer.join(timeout=120)
    assert writer.error is None, writer.error
    assert done.returncode == 0, done.stderr
    before = [a for a in writer.acked if a[0] < started]
    during = [a for a in writer.acked if started <= a[0] < ended]
    after = [a for a in writer.acked if a[0] >= ended]
    print(f"events acknowledged before the backup: {len(before)}, during: "
          f"{len(during)}, after: {len(after)}")
    assert len(before) >= EVENTS_BEFORE
    assert after, "the writer added nothing after the backup"
    assert count_events(file) >= imported + len(before)
    return file, before, after


def test_backup_file_consistent(backup):
    file, before, _ = backup
    assert integrity(file) == "ok"
    assert not file.with_name(file.name + ".partial").exists()
    db = sqlite3.connect(file)
    try:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    finally:
        db.close()
    assert mode == "delete"
    assert not file.with_name(file.name + "-wal").exists()


def test_restore_refused_while_serving(backup, cairn_data):
    file, _, _ = backup
    done = run("restore", "--data", cairn_data.path, file, timeout=60)
    assert done.returncode == 1
    assert "is in use" in done.stderr


def test_restore_into_fresh_dir(backup, cairn_data, tmp_path):
    file, before, after = backup
    data = tmp_path / "restored"
    done = run("restore", "--data", data, file, timeout=300)
    assert done.returncode == 0, done.stderr
    assert integrity(data / "cairn.db") == "ok"

    srv = harness.Server(data, cairn_data.key, tmp_path / "restored.log")
    srv.start()
    try:
        api = harness.ApiSession(srv.url, cairn_data.key)
        for _, uuid, info, values in before:
            event = harness.view_event(api, uuid)
            assert event["info"] == info
            stored = sorted(a["value"] for a in event["Attribute"])
            assert stored == sorted(values), f"event {uuid} is incomplete"
        index = api.get("/events/index").json()
        restored = {e["uuid"] for e in index}
        # Added after the backup ended, so not in it.
        assert not restored & {a[1] for a in after}
    finally:
        harness.check_stopped(srv)
    assert integrity(data / "cairn.db") == "ok"


def test_restore_replaces_existing(backup, cairn_data, tmp_path):
    file, before, _ = backup
    data = tmp_path / "existing"
    key = harness.init_data_dir(data)
    srv = harness.Server(data, key, tmp_path / "existing.log")
    srv.start()
    own = harness.add_event(harness.ApiSession(srv.url, key), info="own")
    harness.check_stopped(srv)

    done = run("restore", "--data", data, file, timeout=300)
    assert done.returncode == 0, done.stderr
    assert integrity(data / "cairn.db") == "ok"
    db = sqlite3.connect(data / "cairn.db")
    try:
        uuids = {row[0] for row in db.execute("SELECT uuid FROM events")}
    finally:
        db.close()
    assert own["uuid"] not in uuids
    assert {a[1] for a in before} <= uuids


def test_restore_rejects_other_files(backup, tmp_path):
    file, _, _ = backup
    data = tmp_path / "target"
    key = harness.init_data_dir(data)

    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (id INTEGER)")
    db.commit()
    db.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all\n" * 100)
    newer = tmp_path / "newer.db"
    shutil.copy(file, newer)
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()

    cases = [
        (other, "not a Cairn database"),
        (garbage, "not a readable SQLite database"),
        (newer, "newer than this build"),
        (tmp_path / "missing.db", "failed"),
    ]
    for path, words in cases:
        done = run("restore", "--data", data, path, timeout=60)
        assert done.returncode == 1, (path, done.stderr)
        assert words in done.stderr, (path, done.stderr)

    # What was there is untouched.
    srv = harness.Server(data, key, tmp_path / "target.log")
    srv.start()
    try:
        api = harness.ApiSession(srv.url, key)
        assert api.get("/users/view/me").status_code == 200
    finally:
        harness.check_stopped(srv)


def test_restore_migrates_older_backup(backup, tmp_path):
    file, before, _ = backup
    # Migration 5 created the sharing-group tables; dropping them and
    # setting the version back makes a version 4 copy.  The later
    # migrations create their tables only if they do not exist, so they
    # run again over this copy without error.
    older = tmp_path / "v4.db"
    shutil.copy(file, older)
    db = sqlite3.connect(older)
    for table in ("sharing_group_servers", "sharing_group_orgs", "sharing_groups"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()

    data = tmp_path / "migrated"
    done = run("restore", "--data", data, older, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "migrated it from schema version 4" in done.stderr
    db = sqlite3.connect(data / "cairn.db")
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        (events,) = db.execute("SELECT count(*) FROM events").fetchone()
    finally:
        db.close()
    assert version > 4
    assert "sharing_groups" in tables
    assert events >= len(before)


def test_backup_usage_errors(tmp_path):
    done = run("backup", "--data", tmp_path)
    assert done.returncode == 2
    assert "cairn backup --data DIR FILE" in done.stderr
    missing = run("backup", "--data", tmp_path / "none", tmp_path / "b.db")
    assert missing.returncode == 1
    assert "failed" in missing.stderr
