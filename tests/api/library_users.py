"""A second user for permission tests of the library endpoints.

Cairn has no endpoint or command that adds users yet, so the fixture
writes one user and its API key into the SQLite database of a running
server, as `cairn init` writes the admin: the key stored as its hex
SHA-256 with its first and last four characters.
"""

import hashlib
import secrets
import sqlite3
import string


def add_user(data_dir, email, role_id):
    """Insert a user of organisation 1 with `role_id`; return its key."""
    alphabet = string.ascii_letters + string.digits
    key = "".join(secrets.choice(alphabet) for _ in range(40))
    db = sqlite3.connect(str(data_dir / "cairn.db"), timeout=10)
    try:
        with db:
            cur = db.execute(
                "INSERT INTO users (org_id, role_id, email) VALUES (1, ?, ?)",
                (role_id, email),
            )
            db.execute(
                "INSERT INTO auth_keys (user_id, hash, key_start, key_end) "
                "VALUES (?, ?, ?, ?)",
                (
                    cur.lastrowid,
                    hashlib.sha256(key.encode()).hexdigest(),
                    key[:4],
                    key[-4:],
                ),
            )
    finally:
        db.close()
    return key
