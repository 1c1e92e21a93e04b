"""A reviewer's attacks on deployment: backups and settings that an
operator can get wrong, where Cairn said it succeeded and lost data."""

import pytest

import harness

from test_backup import count_events


# `cairn backup --data DIR DIR/cairn.db` reported success and renamed its
# copy over the live database. The running server kept writing to the
# replaced file, so every event it acknowledged afterwards was gone once
# it stopped.

@pytest.mark.parametrize("target", ["cairn.db", "link.db", "cairn.db-wal"])
def test_backup_refuses_the_live_database(tmp_path, target):
    data = tmp_path / "cairn"
    key = harness.init_data_dir(data)
    server = harness.Server(data, key, tmp_path / "serve.log", library=False)
    server.start()
    try:
        api = harness.ApiSession(server.url, key)
        harness.add_event(api, info="before the backup")
        db = data / "cairn.db"
        if target == "link.db":
            path = tmp_path / "link.db"
            path.symlink_to(db)
        else:
            path = data / target
        assert path.exists(), f"{path} is not there while the server runs"
        done = harness.run_cli("backup", "--data", data, path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "is the database" in done.stderr, done.stderr

        harness.add_event(api, info="after the backup")
        listed = api.get("/events/index")
        assert listed.status_code == 200, listed.text
        served = len(listed.json())
    finally:
        harness.check_stopped(server)
    assert count_events(db) == served
