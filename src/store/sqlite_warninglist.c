/*
 * The SQLite side of warninglist state: which lists are enabled, by name.
 *
 * The lists themselves are never stored; they are loaded from the library
 * folder at start.  These statements are prepared on each call because a
 * toggle is rare and the state is read once at start.
 */
#include "store/internal.h"

static int state_fail(struct store *s, struct cairn_err *e, const char *what)
{
	return cairn_err_set(e, CAIRN_ESTORE, "%s failed: %s", what,
			     sqlite3_errmsg(store_db(s)));
}

int store_warninglist_state_each(struct store *s,
				 int (*fn)(void *ctx, const char *name,
					   bool enabled),
				 void *ctx, struct cairn_err *e)
{
	static const char sql[] =
		"SELECT name, enabled FROM warninglist_state ORDER BY name";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return state_fail(s, e, "reading warninglist state");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int cb = fn(ctx, name ? name : "",
			    sqlite3_column_int(st, 1) != 0);

		if (cb < 0) {
			sqlite3_finalize(st);
			return cb;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = state_fail(s, e, "reading warninglist state");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Reads whether the list is enabled now; a list without a row is not. */
static int state_get(struct store *s, const char *name, bool *enabled,
		     struct cairn_err *e)
{
	static const char sql[] =
		"SELECT enabled FROM warninglist_state WHERE name = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	*enabled = false;
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return state_fail(s, e, "reading warninglist state");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*enabled = sqlite3_column_int(st, 0) != 0;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0
				 : state_fail(s, e, "reading warninglist state");
}

/* Appends the row of a toggle.  Lists have no stable id, so model_id is 0
 * and the name is the title. */
static int state_audit(struct store *s, const char *name, bool was,
		       bool enabled, struct cairn_err *e)
{
	struct store_audit_entry entry = {
		"edit", "Warninglist", 0, name, 0,
		enabled ? "{\"enabled\":[0,1]}" : "{\"enabled\":[1,0]}"};

	if (was == enabled) {
		return 0;
	}
	return store_audit_append(s, &entry) < 0 ? store_error(s, e) : 0;
}

static int state_write(struct store *s, const char *name, bool enabled,
		       struct cairn_err *e)
{
	static const char sql[] = "INSERT INTO warninglist_state (name, "
				  "enabled) VALUES (?1, ?2) ON CONFLICT(name) "
				  "DO UPDATE SET enabled = excluded.enabled";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return state_fail(s, e, "saving warninglist state");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, enabled ? 1 : 0);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		rc = state_fail(s, e, "saving warninglist state");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

int store_warninglist_state_set(struct store *s, const char *name,
				bool enabled, struct cairn_err *e)
{
	bool opened, was = enabled;
	int rc = audit_begin(s, &opened);

	if (rc < 0) {
		return store_error(s, e);
	}
	if (opened) {
		rc = state_get(s, name, &was, e);
	}
	if (rc == 0) {
		rc = state_write(s, name, enabled, e);
	}
	if (rc == 0 && opened) {
		rc = state_audit(s, name, was, enabled, e);
	}
	rc = audit_end(s, opened, rc);
	if (rc < 0 && !e->code) {
		store_error(s, e);
	}
	return rc;
}
