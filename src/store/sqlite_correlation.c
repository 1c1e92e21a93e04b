/*
 * The SQLite side of correlation beyond the value index: the SQL functions
 * that the correlation indexes of migration 8 are built on, the list of
 * stored block prefix lengths, and the correlation exclusion list.
 *
 * The functions are registered on every connection before the schema is
 * migrated, because SQLite evaluates them on every write to attributes
 * (to keep the indexes current) and when it checks the indexes.  A tool
 * that opens the file without them can read it but cannot write
 * attributes.
 */
#include "store/internal.h"

#include "core/buf.h"
#include "model/correlation.h"

#include <stdlib.h>
#include <string.h>

/* Reads the (type, value) arguments; returns false for a NULL one. */
static bool function_args(sqlite3_value **argv, const char **type,
			  const char **value)
{
	*type = (const char *)sqlite3_value_text(argv[0]);
	*value = (const char *)sqlite3_value_text(argv[1]);
	return *type && *value;
}

/* cairn_second(type, value): the second half of a composite value when
 * it correlates on its own, else NULL. */
static void sql_second(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct correlate_key half;
	const char *type, *value;

	(void)argc;
	if (function_args(argv, &type, &value) &&
	    correlate_second_half(type, value, &half)) {
		sqlite3_result_text(ctx, half.text, (int)half.len,
				    SQLITE_TRANSIENT);
	} else {
		sqlite3_result_null(ctx);
	}
}

/* cairn_net(type, value): the network key (model/correlation.h) as a
 * blob, else NULL. */
static void sql_net(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t key[CORRELATE_NET_KEY_LEN];
	const char *type, *value;

	(void)argc;
	if (function_args(argv, &type, &value) &&
	    correlate_net_key(type, value, key)) {
		sqlite3_result_blob(ctx, key, sizeof(key), SQLITE_TRANSIENT);
	} else {
		sqlite3_result_null(ctx);
	}
}

/* cairn_net_prefix(type, value): the prefix length of the network key,
 * 0 to 128, else NULL. */
static void sql_net_prefix(sqlite3_context *ctx, int argc,
			   sqlite3_value **argv)
{
	uint8_t key[CORRELATE_NET_KEY_LEN];
	const char *type, *value;

	(void)argc;
	if (function_args(argv, &type, &value) &&
	    correlate_net_key(type, value, key)) {
		sqlite3_result_int(ctx, key[CORRELATE_NET_KEY_LEN - 1]);
	} else {
		sqlite3_result_null(ctx);
	}
}

/* cairn_ssdeep_block(type, value): the block size of an ssdeep value,
 * else NULL. */
static void sql_ssdeep_block(sqlite3_context *ctx, int argc,
			     sqlite3_value **argv)
{
	const char *type, *value;
	long block = -1;

	(void)argc;
	if (function_args(argv, &type, &value)) {
		block = correlate_ssdeep_block(type, value);
	}
	if (block > 0) {
		sqlite3_result_int64(ctx, block);
	} else {
		sqlite3_result_null(ctx);
	}
}

int store_sql_functions(sqlite3 *db)
{
	static const struct {
		const char *name;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} functions[] = {
		{"cairn_second", sql_second},
		{"cairn_net", sql_net},
		{"cairn_net_prefix", sql_net_prefix},
		{"cairn_ssdeep_block", sql_ssdeep_block},
	};
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC |
			  SQLITE_INNOCUOUS;

	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		int rc = sqlite3_create_function(db, functions[i].name, 2,
						 flags, NULL, functions[i].fn,
						 NULL, NULL);

		if (rc != SQLITE_OK) {
			return rc;
		}
	}
	return SQLITE_OK;
}

/* -------- stored block prefix lengths -------- */

/* Each step is one seek on attributes_net_block, which holds only
 * blocks (prefix below 128), so the loop costs one seek per distinct
 * prefix length however many blocks are stored. */
int store_net_prefixes(struct store *s, uint8_t *out, size_t *n)
{
	static const char sql[] =
		"SELECT min(cairn_net_prefix(type, value)) FROM attributes"
		" WHERE cairn_net_prefix(type, value) > ?1"
		" AND cairn_net_prefix(type, value) < 128";
	sqlite3_stmt *st = NULL;
	int last = -1;
	int rc = SQLITE_OK;

	*n = 0;
	rc = store_slot_text(s, STORE_SLOT_NET_PREFIXES, sql, &st);
	if (rc < 0) {
		return rc;
	}
	while (last < CORRELATE_NET_FULL) {
		sqlite3_bind_int(st, 1, last);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
			break;
		}
		last = sqlite3_column_int(st, 0);
		out[(*n)++] = (uint8_t)last;
		sqlite3_reset(st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = store_fail_sqlite(s);
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}

/* -------- correlation exclusions -------- */

/* The list is small and changes rarely, so its writes are prepared on
 * each call; every correlation request reads it, so that statement is
 * kept. */

void store_exclusion_release(struct store_exclusion *x)
{
	free(x->value);
	free(x->comment);
	x->value = NULL;
	x->comment = NULL;
}

void store_exclusions_free(struct store_exclusion *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++) {
		store_exclusion_release(&list[i]);
	}
	free(list);
}

static int exclusion_read(sqlite3_stmt *st, struct store_exclusion *x)
{
	const char *value = (const char *)sqlite3_column_text(st, 1);
	const char *comment = (const char *)sqlite3_column_text(st, 2);

	x->id = sqlite3_column_int64(st, 0);
	x->value = strdup(value ? value : "");
	x->comment = strdup(comment ? comment : "");
	x->from_json = sqlite3_column_int(st, 3) != 0;
	if (!x->value || !x->comment) {
		store_exclusion_release(x);
		return CAIRN_ENOMEM;
	}
	return 0;
}

#define EXCLUSION_COLUMNS "SELECT id, value, comment, from_json FROM " \
			  "correlation_exclusions"

int store_exclusion_list(struct store *s, struct store_exclusion **out,
			 size_t *n)
{
	static const char sql[] = EXCLUSION_COLUMNS " ORDER BY value, id";
	struct store_exclusion *list = NULL;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_slot_text(s, STORE_SLOT_EXCLUSIONS, sql, &st);
	if (rc < 0) {
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			size_t grown = cap ? cap * 2 : 16;
			void *bigger = realloc(list, grown * sizeof(*list));

			if (!bigger) {
				rc = CAIRN_ENOMEM;
				break;
			}
			list = bigger;
			cap = grown;
		}
		rc = exclusion_read(st, &list[count]);
		if (rc < 0) {
			break;
		}
		count++;
	}
	if (rc == SQLITE_DONE) {
		rc = 0;
	} else if (rc == CAIRN_ENOMEM) {
		rc = store_failf(s, CAIRN_ENOMEM, "out of memory");
	} else {
		rc = store_fail_sqlite(s);
	}
	sqlite3_reset(st);
	if (rc < 0) {
		store_exclusions_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return 0;
}

int store_exclusion_get(struct store *s, int64_t id,
			struct store_exclusion *out)
{
	static const char sql[] = EXCLUSION_COLUMNS " WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return store_fail_sqlite(s);
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = exclusion_read(st, out);
		if (rc < 0) {
			rc = store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
	} else if (rc == SQLITE_DONE) {
		rc = store_failf(s, CAIRN_ENOTFOUND,
				 "correlation exclusion %lld not found",
				 (long long)id);
	} else {
		rc = store_fail_sqlite(s);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Steps a write statement and maps a UNIQUE violation to CAIRN_EEXIST. */
static int exclusion_write(struct store *s, sqlite3_stmt *st,
			   const char *value)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE) {
		return 0;
	}
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		return store_failf(s, CAIRN_EEXIST,
				   "value '%s' is already in the exclusion "
				   "list",
				   value);
	}
	return store_fail_sqlite(s);
}

int store_exclusion_add(struct store *s, const char *value,
			const char *comment, bool from_json, int64_t *id)
{
	static const char sql[] = "INSERT INTO correlation_exclusions"
				  " (value, comment, from_json)"
				  " VALUES (?1, ?2, ?3)";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return store_fail_sqlite(s);
	}
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, comment ? comment : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, from_json ? 1 : 0);
	rc = exclusion_write(s, st, value);
	if (rc == 0) {
		*id = sqlite3_last_insert_rowid(store_db(s));
	}
	sqlite3_finalize(st);
	return rc;
}

/* Returns CAIRN_ENOTFOUND when the last write changed no row. */
static int exclusion_changed(struct store *s, int64_t id)
{
	if (sqlite3_changes(store_db(s)) == 0) {
		return store_failf(s, CAIRN_ENOTFOUND,
				   "correlation exclusion %lld not found",
				   (long long)id);
	}
	return 0;
}

int store_exclusion_update(struct store *s, int64_t id, const char *value,
			   const char *comment)
{
	static const char sql[] = "UPDATE correlation_exclusions"
				  " SET value = ?2, comment = ?3 WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return store_fail_sqlite(s);
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, comment ? comment : "", -1, SQLITE_STATIC);
	rc = exclusion_write(s, st, value);
	if (rc == 0) {
		rc = exclusion_changed(s, id);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_exclusion_delete(struct store *s, int64_t id)
{
	static const char sql[] =
		"DELETE FROM correlation_exclusions WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		return store_fail_sqlite(s);
	}
	sqlite3_bind_int64(st, 1, id);
	rc = exclusion_write(s, st, "");
	if (rc == 0) {
		rc = exclusion_changed(s, id);
	}
	sqlite3_finalize(st);
	return rc;
}

/* -------- frequent values -------- */

/* Both statements read one index only (attributes_value, whose entries
 * hold the value, and attributes_second), so the cost is one pass over
 * the index, without reading the table. */
int store_frequent_values(struct store *s, int64_t min_count,
			  int (*fn)(void *ctx, const char *value, size_t len,
				    int64_t count),
			  void *ctx)
{
	static const char *const sql[] = {
		"SELECT value, count(*) FROM attributes GROUP BY value"
		" HAVING count(*) > ?1",
		"SELECT cairn_second(type, value), count(*) FROM attributes"
		" WHERE cairn_second(type, value) IS NOT NULL"
		" GROUP BY cairn_second(type, value) HAVING count(*) > ?1",
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = NULL;
		int step;

		if (sqlite3_prepare_v2(store_db(s), sql[i], -1, &st, NULL) !=
		    SQLITE_OK) {
			return store_fail_sqlite(s);
		}
		sqlite3_bind_int64(st, 1, min_count);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *value =
				(const char *)sqlite3_column_text(st, 0);

			rc = fn(ctx, value ? value : "",
				(size_t)sqlite3_column_bytes(st, 0),
				sqlite3_column_int64(st, 1));
			if (rc < 0) {
				break;
			}
		}
		if (rc == 0 && step != SQLITE_DONE) {
			rc = store_fail_sqlite(s);
		}
		sqlite3_finalize(st);
	}
	return rc;
}
