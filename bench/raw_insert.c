/*
 * Baseline for bench/import: copies the attribute rows of a Cairn database
 * into a fresh database with the same schema and indexes, with one
 * prepared statement in one transaction, and prints the rate.
 *
 * usage: raw_insert SOURCE.db TARGET.db
 */
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

int main(int argc, char **argv)
{
	sqlite3 *src, *dst;
	sqlite3_stmt *read, *ins;
	long rows = 0;
	double start, secs;
	int ncols;

	if (argc != 3) {
		fprintf(stderr, "usage: raw_insert SOURCE.db TARGET.db\n");
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
	sqlite3_prepare_v2(src, "SELECT * FROM attributes", -1, &read, NULL);
	ncols = sqlite3_column_count(read);

	/* Load every row into memory first, so only the inserts are timed. */
	size_t cap = 1024, n = 0;
	sqlite3_value **vals = malloc(cap * (size_t)ncols * sizeof(*vals));
	while (sqlite3_step(read) == SQLITE_ROW) {
		if (n == cap) {
			cap *= 2;
			vals = realloc(vals, cap * (size_t)ncols * sizeof(*vals));
		}
		for (int c = 0; c < ncols; c++) {
			vals[n * (size_t)ncols + (size_t)c] =
				sqlite3_value_dup(sqlite3_column_value(read, c));
		}
		n++;
	}
	sqlite3_finalize(read);

	/* Column count is small (the attributes table), so the text fits. */
	char sql[4096] = "INSERT INTO attributes VALUES (?";
	for (int c = 1; c < ncols && strlen(sql) + 4 < sizeof(sql); c++) {
		strcat(sql, ",?");
	}
	strcat(sql, ")");
	sqlite3_exec(dst, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(dst, sql, -1, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare failed: %s\n", sqlite3_errmsg(dst));
		return 1;
	}
	start = now();
	sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL);
	for (size_t r = 0; r < n; r++) {
		for (int c = 0; c < ncols; c++) {
			sqlite3_bind_value(ins, c + 1,
					   vals[r * (size_t)ncols + (size_t)c]);
		}
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "insert failed: %s\n",
				sqlite3_errmsg(dst));
			return 1;
		}
		sqlite3_reset(ins);
		rows++;
	}
	sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL);
	secs = now() - start;
	printf("%ld %.6f\n", rows, secs);
	return 0;
}
