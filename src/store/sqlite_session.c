/*
 * The SQLite side of web sessions and of the failed-login counts.
 *
 * A session is found by the hex SHA-256 of its cookie token, so the
 * token itself is never stored.  Finding a session also enforces its two
 * limits: a session past its absolute end, or idle for longer than the
 * caller's limit, is deleted on sight.  Failed logins are counted per
 * e-mail and per peer address, and a count restarts once its last
 * failure is a whole window old.
 */
#include "store/internal.h"

#include <string.h>

static int session_fail(struct store *s, struct cairn_err *e,
			const char *what)
{
	return cairn_err_set(e, CAIRN_ESTORE, "%s failed: %s", what,
			     sqlite3_errmsg(store_db(s)));
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st,
		   struct cairn_err *e, const char *what)
{
	if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return session_fail(s, e, what);
	}
	return 0;
}

/* Steps a statement that returns no row and finalizes it. */
static int run_done(struct store *s, sqlite3_stmt *st, struct cairn_err *e,
		    const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : session_fail(s, e, what);
}

int store_session_add(struct store *s, const char *token_hash,
		      int64_t user_id, const char *csrf_token, const char *ip,
		      int64_t now, int64_t expires, int64_t *id,
		      struct cairn_err *e)
{
	static const char sql[] =
		"INSERT INTO sessions (token_hash, user_id, csrf_token, ip,"
		" created, last_seen, expires)"
		" VALUES (?1, ?2, ?3, coalesce(?4, ''), ?5, ?5, ?6)";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st, e, "saving a session");

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, csrf_token, -1, SQLITE_STATIC);
	if (ip) {
		sqlite3_bind_text(st, 4, ip, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, expires);
	rc = run_done(s, st, e, "saving a session");
	if (rc == 0 && id) {
		*id = sqlite3_last_insert_rowid(store_db(s));
	}
	return rc;
}

static int session_read(sqlite3_stmt *st, struct store_session *out)
{
	const char *csrf = (const char *)sqlite3_column_text(st, 5);

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->user_id = sqlite3_column_int64(st, 1);
	out->created = sqlite3_column_int64(st, 2);
	out->last_seen = sqlite3_column_int64(st, 3);
	out->expires = sqlite3_column_int64(st, 4);
	if (!csrf || strlen(csrf) != STORE_TOKEN_HEX) {
		return CAIRN_EINVAL;
	}
	memcpy(out->csrf_token, csrf, STORE_TOKEN_HEX + 1);
	return 0;
}

static int session_touch(struct store *s, int64_t id, int64_t now,
			 struct cairn_err *e)
{
	static const char sql[] =
		"UPDATE sessions SET last_seen = ?2 WHERE id = ?1";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st, e, "updating a session");

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return run_done(s, st, e, "updating a session");
}

/* Seconds between two writes of a session's last_seen: a tenth of the
 * idle limit, at most a minute, so that a busy session does not take the
 * write lock on every request. */
static int64_t touch_interval(int64_t idle)
{
	int64_t interval = idle / 10;

	return interval < 60 ? interval : 60;
}

int store_session_find(struct store *s, const char *token_hash, int64_t now,
		       int64_t idle, struct store_session *out,
		       struct cairn_err *e)
{
	static const char sql[] =
		"SELECT id, user_id, created, last_seen, expires, csrf_token"
		" FROM sessions WHERE token_hash = ?1";
	sqlite3_stmt *st;
	bool alive;
	int rc = prepare(s, sql, &st, e, "looking up a session");

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			return session_fail(s, e, "looking up a session");
		}
		return cairn_err_set(e, CAIRN_ENOTFOUND, "no such session");
	}
	rc = session_read(st, out);
	sqlite3_finalize(st);
	if (rc < 0) {
		return cairn_err_set(e, CAIRN_ESTORE,
				     "session %lld has an invalid CSRF token",
				     (long long)out->id);
	}
	alive = now < out->expires && now - out->last_seen < idle;
	if (!alive) {
		rc = store_session_delete(s, out->id, e);
		return rc < 0 && rc != CAIRN_ENOTFOUND
			       ? rc
			       : cairn_err_set(e, CAIRN_ENOTFOUND,
					       "session expired");
	}
	if (now - out->last_seen < touch_interval(idle)) {
		return 0;
	}
	rc = session_touch(s, out->id, now, e);
	if (rc == 0) {
		out->last_seen = now;
	}
	return rc;
}

int store_session_delete(struct store *s, int64_t id, struct cairn_err *e)
{
	static const char sql[] = "DELETE FROM sessions WHERE id = ?1";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st, e, "deleting a session");

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = run_done(s, st, e, "deleting a session");
	if (rc == 0 && sqlite3_changes(store_db(s)) == 0) {
		return cairn_err_set(e, CAIRN_ENOTFOUND, "no session %lld",
				     (long long)id);
	}
	return rc;
}

int store_session_purge(struct store *s, int64_t now, int64_t idle,
			int64_t *count, struct cairn_err *e)
{
	static const char sql[] = "DELETE FROM sessions"
				  " WHERE expires <= ?1 OR last_seen <= ?1 - ?2";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st, e, "deleting expired sessions");

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, idle);
	rc = run_done(s, st, e, "deleting expired sessions");
	if (rc == 0 && count) {
		*count = sqlite3_changes(store_db(s));
	}
	return rc;
}

int store_login_failures(struct store *s, enum store_login_key key,
			 const char *name, int64_t now, int64_t window,
			 int64_t *count, int64_t *last, struct cairn_err *e)
{
	static const char sql[] = "SELECT count, last_failure FROM"
				  " login_failures WHERE kind = ?1 AND name = ?2";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st, e, "reading failed logins");

	*count = 0;
	*last = 0;
	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int(st, 1, (int)key);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*last = sqlite3_column_int64(st, 1);
		*count = now - *last < window ? sqlite3_column_int64(st, 0) : 0;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : session_fail(s, e, "reading failed logins");
}

int store_login_failure_add(struct store *s, enum store_login_key key,
			    const char *name, int64_t now, int64_t window,
			    struct cairn_err *e)
{
	static const char sql[] =
		"INSERT INTO login_failures (kind, name, count, last_failure)"
		" VALUES (?1, ?2, 1, ?3) ON CONFLICT (kind, name) DO UPDATE SET"
		" count = CASE WHEN ?3 - last_failure < ?4 THEN count + 1"
		" ELSE 1 END, last_failure = ?3";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st, e, "counting a failed login");

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int(st, 1, (int)key);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, window);
	return run_done(s, st, e, "counting a failed login");
}

int store_login_failures_clear(struct store *s, enum store_login_key key,
			       const char *name, struct cairn_err *e)
{
	static const char sql[] =
		"DELETE FROM login_failures WHERE kind = ?1 AND name = ?2";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st, e, "clearing failed logins");

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int(st, 1, (int)key);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return run_done(s, st, e, "clearing failed logins");
}
