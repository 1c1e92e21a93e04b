/*
 * Baseline for bench/import: copies the rows of tables of a Cairn
 * database (by default `attributes`) into a fresh database with the same
 * schema and indexes.  Each table gets one prepared statement, and all of
 * them share one transaction.  It prints the rows of the first table and
 * the seconds.  Rows are read into memory first, so only the inserts are
 * timed.
 *
 * usage: raw_insert SOURCE.db TARGET.db [TABLE...]
 */
#include "core/buf.h"
#include "store/internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int copy_schema(sqlite3 *src, sqlite3 *dst)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(src,
				    "SELECT sql FROM sqlite_master WHERE sql "
				    "IS NOT NULL AND name NOT LIKE 'sqlite_%' "
				    "ORDER BY type = 'index'",
				    -1, &st, NULL);

	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		rc = sqlite3_exec(dst, (const char *)sqlite3_column_text(st, 0),
				  NULL, NULL, NULL);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Rows of one table read into memory, as SQLite values. */
struct table_rows {
	const char *name;
	sqlite3_value **vals;
	size_t n;
	int ncols;
};

static int read_rows(sqlite3 *src, struct table_rows *t)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *read;
	size_t cap = 1024;

	/* The table names come from the command line of this benchmark. */
	buf_printf(&sql, "SELECT * FROM \"%s\"", t->name);
	if (sqlite3_prepare_v2(src, buf_str(&sql), -1, &read, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "reading '%s' failed: %s\n", t->name,
			sqlite3_errmsg(src));
		buf_release(&sql);
		return -1;
	}
	buf_release(&sql);
	t->ncols = sqlite3_column_count(read);
	t->vals = malloc(cap * (size_t)t->ncols * sizeof(*t->vals));
	while (sqlite3_step(read) == SQLITE_ROW) {
		if (t->n == cap) {
			cap *= 2;
			t->vals = realloc(t->vals,
					  cap * (size_t)t->ncols *
						  sizeof(*t->vals));
		}
		for (int c = 0; c < t->ncols; c++) {
			t->vals[t->n * (size_t)t->ncols + (size_t)c] =
				sqlite3_value_dup(sqlite3_column_value(read, c));
		}
		t->n++;
	}
	sqlite3_finalize(read);
	return 0;
}

static int insert_rows(sqlite3 *dst, const struct table_rows *t)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *ins;

	buf_printf(&sql, "INSERT INTO \"%s\" VALUES (?", t->name);
	for (int c = 1; c < t->ncols; c++) {
		buf_adds(&sql, ",?");
	}
	buf_addc(&sql, ')');
	if (sqlite3_prepare_v2(dst, buf_str(&sql), -1, &ins, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "prepare failed: %s\n", sqlite3_errmsg(dst));
		buf_release(&sql);
		return -1;
	}
	buf_release(&sql);
	for (size_t r = 0; r < t->n; r++) {
		for (int c = 0; c < t->ncols; c++) {
			sqlite3_bind_value(ins, c + 1,
					   t->vals[r * (size_t)t->ncols +
						   (size_t)c]);
		}
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "insert into '%s' failed: %s\n",
				t->name, sqlite3_errmsg(dst));
			return -1;
		}
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const default_tables[] = {"attributes"};
	struct table_rows tables[8] = {{0}};
	size_t ntables = argc > 3 ? (size_t)argc - 3 : 1;
	sqlite3 *src, *dst;
	double start;

	if (argc < 3 || ntables > sizeof(tables) / sizeof(tables[0])) {
		fprintf(stderr, "usage: raw_insert SOURCE.db TARGET.db "
				"[TABLE...] (at most 8 tables)\n");
		return 2;
	}
	/* The library settings Cairn's store uses. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open(argv[1], &src) || sqlite3_open(argv[2], &dst)) {
		fprintf(stderr, "cannot open the databases\n");
		return 1;
	}
	/* The correlation indexes of the copied schema call Cairn's SQL
	 * functions. */
	if (store_sql_functions(dst) != SQLITE_OK) {
		fprintf(stderr, "registering the SQL functions failed\n");
		return 1;
	}
	/* The settings Cairn's store uses, so that only the work differs. */
	sqlite3_exec(dst,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY",
		     NULL, NULL, NULL);
	if (copy_schema(src, dst) != SQLITE_OK) {
		fprintf(stderr, "copying the schema failed: %s\n",
			sqlite3_errmsg(dst));
		return 1;
	}
	for (size_t i = 0; i < ntables; i++) {
		tables[i].name = argc > 3 ? argv[3 + i] : default_tables[0];
		if (read_rows(src, &tables[i]) < 0) {
			return 1;
		}
	}
	/* The copied rows name parents (events, tags) that are not copied. */
	sqlite3_exec(dst, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
	start = now();
	sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < ntables; i++) {
		if (insert_rows(dst, &tables[i]) < 0) {
			return 1;
		}
	}
	sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL);
	printf("%zu %.6f\n", tables[0].n, now() - start);
	return 0;
}
