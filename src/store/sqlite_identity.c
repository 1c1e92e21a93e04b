/*
 * The SQLite side of store/identity.h: API key lookup by hash, id lists
 * of organisations, users and keys, event creators and the default role.
 * Every value is bound; the SQL texts are fixed.
 */
#include "store/identity.h"
#include "store/internal.h"

#include <string.h>

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) == SQLITE_OK
		   ? 0
		   : CAIRN_ESTORE;
}

int store_authkey_lookup(struct store *s, const char *hash_hex, int64_t *key_id,
			 int64_t *user_id, struct buf *stored)
{
	static const char sql[] =
	    "SELECT id, user_id, hash FROM auth_keys WHERE hash = ?1";
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st);

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(st, 2);

		*key_id = sqlite3_column_int64(st, 0);
		*user_id = sqlite3_column_int64(st, 1);
		buf_clear(stored);
		rc = buf_adds(stored, hash ? hash : "") < 0 ? CAIRN_ENOMEM : 0;
	} else {
		rc = rc == SQLITE_DONE ? CAIRN_ENOTFOUND : CAIRN_ESTORE;
	}
	sqlite3_finalize(st);
	return rc;
}

/* instr() on lower() matches a substring without LIKE's wildcards, so a
 * search for "100%" finds that text and nothing more. */
#define CONTAINS(column) "instr(lower(" column "), lower(?3)) > 0"

static const char *const list_sql[] = {
	[STORE_LIST_ORGS] = "SELECT id FROM orgs WHERE (?1 < 0 OR local = ?1)"
			    " AND (?3 IS NULL"
			    " OR " CONTAINS("name")
			    " OR " CONTAINS("uuid")
			    " OR " CONTAINS("description")
			    " OR " CONTAINS("type")
			    " OR " CONTAINS("nationality")
			    " OR " CONTAINS("sector")
			    ") ORDER BY id",
	[STORE_LIST_USERS] = "SELECT id FROM users"
			     " WHERE (?1 = 0 OR org_id = ?1)"
			     " AND (?3 IS NULL OR " CONTAINS("email") ")"
			     " ORDER BY id",
	[STORE_LIST_AUTHKEYS] = "SELECT k.id FROM auth_keys k"
				" JOIN users u ON u.id = k.user_id"
				" WHERE (?1 = 0 OR u.org_id = ?1)"
				" AND (?2 = 0 OR k.user_id = ?2)"
				" ORDER BY k.id",
};

int store_list_ids(struct store *s, enum store_id_list list, int64_t org_id,
		   int64_t user_id, const char *search,
		   int (*fn)(void *ctx, int64_t id), void *ctx)
{
	int64_t local = -1;
	const char *sql;
	sqlite3_stmt *st;
	int rc;

	switch (list) {
	case STORE_LIST_ORGS_LOCAL:
		local = 1;
		sql = list_sql[STORE_LIST_ORGS];
		break;
	case STORE_LIST_ORGS_EXTERNAL:
		local = 0;
		sql = list_sql[STORE_LIST_ORGS];
		break;
	case STORE_LIST_ORGS:
		sql = list_sql[STORE_LIST_ORGS];
		break;
	case STORE_LIST_USERS:
	case STORE_LIST_AUTHKEYS:
		sql = list_sql[list];
		local = org_id;
		break;
	default:
		return CAIRN_EINVAL;
	}
	rc = prepare(s, sql, &st);
	if (rc < 0) {
		return rc;
	}
	/* Unused parameters are left unbound: a statement without ?2 or ?3
	 * has fewer parameters, and SQLite ignores a bind past its count. */
	sqlite3_bind_int64(st, 1, local);
	if (sqlite3_bind_parameter_count(st) >= 2) {
		sqlite3_bind_int64(st, 2, user_id);
	}
	if (sqlite3_bind_parameter_count(st) >= 3 && search) {
		sqlite3_bind_text(st, 3, search, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int frc = fn(ctx, sqlite3_column_int64(st, 0));

		if (frc < 0) {
			sqlite3_finalize(st);
			return frc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : CAIRN_ESTORE;
}

/* Runs a statement that takes one or two integers; CAIRN_ENOTFOUND when
 * it changed no row. */
static int run_ints(struct store *s, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st);

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2) {
		sqlite3_bind_int64(st, 2, b);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return CAIRN_ESTORE;
	}
	return sqlite3_changes(store_db(s)) > 0 ? 0 : CAIRN_ENOTFOUND;
}

int store_event_creator_set(struct store *s, int64_t event_id, int64_t user_id)
{
	return run_ints(s, "UPDATE events SET user_id = ?2 WHERE id = ?1",
			event_id, user_id);
}

/* Reads one integer column of the first row of `sql`, bound to `arg`
 * when the statement takes a parameter. */
static int read_int(struct store *s, const char *sql, int64_t arg, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = prepare(s, sql, &st);

	if (rc < 0) {
		return rc;
	}
	if (sqlite3_bind_parameter_count(st) >= 1) {
		sqlite3_bind_int64(st, 1, arg);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? CAIRN_ENOTFOUND : CAIRN_ESTORE;
	}
	sqlite3_finalize(st);
	return rc;
}

int store_event_creator(struct store *s, int64_t event_id, int64_t *user_id)
{
	return read_int(s, "SELECT user_id FROM events WHERE id = ?1", event_id,
			user_id);
}

int store_role_set_default(struct store *s, int64_t role_id)
{
	int64_t found;
	int rc =
	    read_int(s, "SELECT id FROM roles WHERE id = ?1", role_id, &found);

	if (rc < 0) {
		return rc;
	}
	return run_ints(s, "UPDATE roles SET default_role = (id = ?1)", role_id,
			0);
}

int store_role_default(struct store *s, int64_t *role_id)
{
	return read_int(s,
			"SELECT id FROM roles WHERE default_role = 1"
			" ORDER BY id LIMIT 1",
			0, role_id);
}
