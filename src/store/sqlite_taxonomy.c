/*
 * The SQLite side of library state: which taxonomies are enabled, by
 * namespace, and the stable ids of library items.
 *
 * The taxonomies, galaxies and templates themselves are never stored; they
 * are loaded from the library folder at start.  Statements are prepared
 * on each call because these run at start and on rare admin requests.
 */
#include "store/internal.h"

static int state_fail(struct store *s, struct cairn_err *e, const char *what)
{
	return cairn_err_set(e, CAIRN_ESTORE, "%s failed: %s", what,
			     sqlite3_errmsg(store_db(s)));
}

int store_taxonomy_state_each(struct store *s,
			      int (*fn)(void *ctx, const char *namespace_name,
					bool enabled),
			      void *ctx, struct cairn_err *e)
{
	static const char sql[] = "SELECT namespace, enabled FROM "
				  "taxonomy_state ORDER BY namespace";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return state_fail(s, e, "reading taxonomy state");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ns = (const char *)sqlite3_column_text(st, 0);
		int cb = fn(ctx, ns ? ns : "", sqlite3_column_int(st, 1) != 0);

		if (cb < 0) {
			sqlite3_finalize(st);
			return cb;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = state_fail(s, e, "reading taxonomy state");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

int store_taxonomy_state_set(struct store *s, const char *namespace_name,
			     bool enabled, struct cairn_err *e)
{
	static const char sql[] =
		"INSERT INTO taxonomy_state (namespace, enabled) VALUES (?1, "
		"?2) ON CONFLICT(namespace) DO UPDATE SET enabled = "
		"excluded.enabled";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return state_fail(s, e, "saving taxonomy state");
	}
	sqlite3_bind_text(st, 1, namespace_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, enabled ? 1 : 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0
				  : state_fail(s, e, "saving taxonomy state");
}

/* Reads the largest id of `kind` into *max (0 when there is none). */
static int max_id(struct store *s, const char *kind, int64_t *max,
		  struct cairn_err *e)
{
	static const char sql[] =
		"SELECT coalesce(max(id), 0) FROM library_ids WHERE kind = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return state_fail(s, e, "reading library ids");
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*max = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : state_fail(s, e, "reading library ids");
}

/* Finds or assigns the id of each key, with both statements prepared. */
static int assign_ids(struct store *s, sqlite3_stmt *find, sqlite3_stmt *add,
		      const char *const *keys, size_t count, int64_t *ids,
		      int64_t next, struct cairn_err *e)
{
	for (size_t i = 0; i < count; i++) {
		int rc;

		sqlite3_reset(find);
		sqlite3_bind_text(find, 2, keys[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(find);
		if (rc == SQLITE_ROW) {
			ids[i] = sqlite3_column_int64(find, 0);
			continue;
		}
		if (rc != SQLITE_DONE) {
			return state_fail(s, e, "reading library ids");
		}
		ids[i] = ++next;
		sqlite3_reset(add);
		sqlite3_bind_text(add, 2, keys[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(add, 3, ids[i]);
		if (sqlite3_step(add) != SQLITE_DONE) {
			return state_fail(s, e, "saving library ids");
		}
	}
	return 0;
}

int store_library_ids(struct store *s, const char *kind,
		      const char *const *keys, size_t count, int64_t *ids,
		      struct cairn_err *e)
{
	static const char find_sql[] =
		"SELECT id FROM library_ids WHERE kind = ?1 AND key = ?2";
	static const char add_sql[] =
		"INSERT INTO library_ids (kind, key, id) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *find = NULL, *add = NULL;
	int64_t next = 0;
	int rc = store_begin(s);

	if (rc < 0) {
		return store_error(s, e);
	}
	rc = max_id(s, kind, &next, e);
	if (rc == 0 &&
	    (sqlite3_prepare_v2(store_db(s), find_sql, -1, &find, NULL) !=
		     SQLITE_OK ||
	     sqlite3_prepare_v2(store_db(s), add_sql, -1, &add, NULL) !=
		     SQLITE_OK)) {
		rc = state_fail(s, e, "preparing library ids");
	}
	if (rc == 0) {
		sqlite3_bind_text(find, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(add, 1, kind, -1, SQLITE_STATIC);
		rc = assign_ids(s, find, add, keys, count, ids, next, e);
	}
	sqlite3_finalize(find);
	sqlite3_finalize(add);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	if (store_commit(s) < 0) {
		return store_error(s, e);
	}
	return 0;
}
