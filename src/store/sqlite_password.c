/*
 * The SQLite side of user passwords: the Argon2id string in users.password
 * and the lookup of a user by e-mail for a login.  The hash never enters a
 * user record, so no export or API response can carry it.
 */
#include "store/internal.h"

#include <string.h>

static int password_fail(struct store *s, struct cairn_err *e,
			 const char *what)
{
	return cairn_err_set(e, CAIRN_ESTORE, "%s failed: %s", what,
			     sqlite3_errmsg(store_db(s)));
}

/* Records that the password changed, never the hash. */
static int password_audit(struct store *s, int64_t user_id,
			  struct cairn_err *e)
{
	struct store_audit_entry entry = {"edit", "User", user_id, NULL, 0,
					  "{\"password\":\"*****\"}"};

	if (!audit_enabled(s)) {
		return 0;
	}
	if (store_audit_append(s, &entry) < 0) {
		return store_error(s, e);
	}
	return 0;
}

/* Ends the user's web sessions, which the old password opened. */
static int end_sessions(struct store *s, int64_t user_id, struct cairn_err *e)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return password_fail(s, e, "ending the sessions of a user");
	}
	sqlite3_bind_int64(st, 1, user_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE
		       ? 0
		       : password_fail(s, e, "ending the sessions of a user");
}

static int password_write(struct store *s, int64_t user_id, const char *hash,
			  struct cairn_err *e)
{
	static const char sql[] = "UPDATE users SET password = ?2, "
				  "date_modified = strftime('%s', 'now') "
				  "WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return password_fail(s, e, "saving a password");
	}
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return password_fail(s, e, "saving a password");
	}
	if (sqlite3_changes(store_db(s)) == 0) {
		return cairn_err_set(e, CAIRN_ENOTFOUND, "no user with id %lld",
				     (long long)user_id);
	}
	rc = end_sessions(s, user_id, e);
	return rc < 0 ? rc : password_audit(s, user_id, e);
}

/* The change, the end of the sessions and the audit row commit
 * together. */
int store_user_password_set(struct store *s, int64_t user_id,
			    const char *hash, struct cairn_err *e)
{
	bool opened;
	int rc = audit_begin(s, &opened);

	if (rc < 0) {
		return store_error(s, e);
	}
	rc = password_write(s, user_id, hash, e);
	rc = audit_end(s, opened, rc);
	if (rc < 0 && !e->code) {
		store_error(s, e);
	}
	return rc;
}

int store_user_login_find(struct store *s, const char *email,
			  int64_t *user_id, struct buf *hash,
			  struct cairn_err *e)
{
	static const char sql[] =
		"SELECT id, password FROM users WHERE email = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return password_fail(s, e, "looking up a login");
	}
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);

		*user_id = sqlite3_column_int64(st, 0);
		buf_clear(hash);
		rc = buf_adds(hash, text ? text : "") < 0 ? CAIRN_ENOMEM : 0;
		sqlite3_finalize(st);
		return rc < 0 ? cairn_err_set(e, rc, "out of memory") : 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return password_fail(s, e, "looking up a login");
	}
	return cairn_err_set(e, CAIRN_ENOTFOUND, "no user with that e-mail");
}
