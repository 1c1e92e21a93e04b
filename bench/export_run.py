"""The measuring half of bench/export: times and peak RSS of a whole
export as csv and stix2 through `cairn export` and over HTTP, against
`sqlite3 -csv` dumping MISP's csv columns from the same database.

usage: export_run.py DATA_DIR API_KEY
"""

import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

CAIRN = str(Path(__file__).resolve().parents[1] / "build" / "cairn")

# MISP's default csv columns, read straight from the tables: the
# attribute's own tags joined by commas and its object's fields.
SQLITE_CSV = """
SELECT a.uuid, a.event_id, a.category, a.type, a.value, a.comment,
       a.to_ids, a.timestamp, a.object_relation,
       (SELECT group_concat(t.name, ',') FROM attribute_tags x
          JOIN tags t ON t.id = x.tag_id WHERE x.attribute_id = a.id),
       o.uuid, o.name, o.meta_category
  FROM attributes a LEFT JOIN objects o ON o.id = a.object_id
 WHERE a.deleted = 0 ORDER BY a.id;
"""


def measure_child(argv, stdin=None):
    """Run argv with stdout to /dev/null in a fresh python child, so that
    ru_maxrss is that command's alone.  Return (seconds, peak RSS MB)."""
    script = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "with open('/dev/null', 'wb') as out:\n"
        "    subprocess.run(sys.argv[2:], stdout=out, check=True,\n"
        "                   input=sys.argv[1].encode() or None)\n"
        "elapsed = time.perf_counter() - start\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(elapsed, rss / 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, stdin or "", *argv],
        capture_output=True, text=True, check=True)
    seconds, rss = done.stdout.split()
    return float(seconds), float(rss)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def vm_hwm_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure_http(data, key, fmt):
    """Serve `data`, export every attribute as `fmt` with curl and return
    (seconds, bytes, server peak RSS MB before, after)."""
    port = free_port()
    server = subprocess.Popen(
        [CAIRN, "serve", "--data", data, "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            ready = subprocess.run(
                ["curl", "-sf", "-o", "/dev/null", "-H",
                 f"Authorization: {key}", f"{url}/servers/getVersion"])
            if ready.returncode == 0:
                break
            time.sleep(0.05)
        before = vm_hwm_mb(server.pid)
        start = time.perf_counter()
        done = subprocess.run(
            ["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}",
             "-H", f"Authorization: {key}", "-H", "Accept: application/json",
             "-H", "Content-Type: application/json",
             "-d", f'{{"returnFormat": "{fmt}"}}',
             f"{url}/attributes/restSearch"],
            capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - start
        return elapsed, int(done.stdout), before, vm_hwm_mb(server.pid)
    finally:
        server.terminate()
        server.wait()


def main():
    data, key = sys.argv[1:]
    db = str(Path(data) / "cairn.db")
    rows = subprocess.run(
        ["sqlite3", db, "SELECT count(*) FROM attributes WHERE deleted = 0"],
        capture_output=True, text=True, check=True).stdout.strip()
    print(f"{rows} attributes in {db}")
    raw, raw_rss = measure_child(["sqlite3", "-csv", db], stdin=SQLITE_CSV)
    print(f"sqlite3 -csv, the same columns: {raw:.2f} s, "
          f"peak RSS {raw_rss:.1f} MB")
    for fmt in ("csv", "stix2"):
        cli, cli_rss = measure_child(
            [CAIRN, "export", "--data", data, "--format", fmt])
        print(f"cairn export --format {fmt}: {cli:.2f} s, peak RSS "
              f"{cli_rss:.1f} MB, rate {raw / cli:.2f} of sqlite3 -csv")
        http, size, before, after = measure_http(data, key, fmt)
        print(f"attributes/restSearch {fmt} over HTTP: {size / 1e6:.0f} MB "
              f"in {http:.2f} s, rate {raw / http:.2f} of sqlite3 -csv; "
              f"server peak RSS {before:.1f} MB before, {after:.1f} MB "
              f"after")


if __name__ == "__main__":
    main()
