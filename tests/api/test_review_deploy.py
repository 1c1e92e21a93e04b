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


# On an initialised directory, `cairn init --new-key` printed "nothing
# changed" and then a new admin key, and --password-stdin "nothing
# changed" and then "password ... set": the README's first steps told a
# newcomer that the command they had just run did nothing.

@pytest.mark.parametrize("args, stdin", [
    (("--new-key",), None),
    (("--password-stdin",), "a long enough passphrase\n"),
])
def test_init_on_initialised_dir_says_what_changed(tmp_path, args, stdin):
    data = tmp_path / "cairn"
    harness.init_data_dir(data)
    done = harness.subprocess.run(
        [str(harness.cairn_bin()), "init", "--data", str(data), *args],
        input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "nothing changed" not in done.stderr
    assert "already initialised" in done.stderr


def test_init_on_initialised_dir_without_options(tmp_path):
    data = tmp_path / "cairn"
    harness.init_data_dir(data)
    done = harness.run_cli("init", "--data", data)
    assert done.returncode == 0, done.stderr
    assert "nothing changed" in done.stderr
    assert done.stdout == ""
