/*
 * Baseline for bench/correlate: how the rate of raw SQLite inserts falls
 * as a table grows from 10,000 to 1,000,000 rows, with no parsing, no
 * lookups and no Cairn code in the timed part.
 *
 * For each of two schemas it fills a fresh database, then times steps of
 * 2,000 inserts, each step one transaction, at 10,000 and at 1,000,000
 * stored rows.  Rows take their type and value from the same feed values
 * as bench/correlate, half of them made unique, 500 to an event id, and a
 * random version 4 UUID.  The schemas:
 *
 *   cairn:  Cairn's attributes table with all of its indexes, copied from
 *           a fresh Cairn database;
 *   two:    a table with the uuid (UNIQUE) and the value indexed, the two
 *           random keys that any attribute store looks rows up by.
 *
 * The connection has the store's settings (WAL, synchronous NORMAL,
 * 16 MiB page cache, 1 GiB memory map) and SQLite's automatic
 * checkpoint.  Prints the mean rate over the steps at each size and the
 * ratio.  Prints figures; it does not pass or fail.
 *
 * usage: raw_step CAIRN.db VALUES.tsv WORK_DIR
 */
#include "core/buf.h"
#include "store/internal.h"
#include "values.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STEP_ROWS 2000
#define STEPS 5

struct pairs {
	struct pair *items;
	size_t n;
};

static void random_uuid(char out[37])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 36; i++) {
		out[i] = hex[rand() & 15];
	}
	out[8] = out[13] = out[18] = out[23] = '-';
	out[14] = '4';
	out[19] = hex[8 + (rand() & 3)];
	out[36] = '\0';
}

/* Creates Cairn's attributes table and its indexes, read from `cairn`. */
static int create_cairn_schema(sqlite3 *cairn, sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cairn,
				    "SELECT sql FROM sqlite_master WHERE "
				    "tbl_name = 'attributes' AND sql IS NOT "
				    "NULL AND type IN ('table', 'index') "
				    "ORDER BY type = 'index'",
				    -1, &st, NULL);

	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		rc = sqlite3_exec(db, (const char *)sqlite3_column_text(st, 0),
				  NULL, NULL, NULL);
	}
	sqlite3_finalize(st);
	return rc;
}

static int create_two_index_schema(sqlite3 *db)
{
	return sqlite3_exec(db,
			    "CREATE TABLE attributes (id INTEGER PRIMARY KEY, "
			    "uuid TEXT NOT NULL UNIQUE, event_id INTEGER NOT "
			    "NULL, type TEXT NOT NULL, category TEXT NOT "
			    "NULL, value TEXT NOT NULL, timestamp INTEGER "
			    "NOT NULL);"
			    "CREATE INDEX attributes_value ON "
			    "attributes(value);",
			    NULL, NULL, NULL);
}

/* Inserts one row; `n` numbers it, for its event id, its timestamp and a
 * unique value. */
static int insert_row(sqlite3_stmt *ins, const struct pairs *p, long n)
{
	const struct pair *pair = &p->items[(size_t)rand() % p->n];
	struct buf value = BUF_INIT;
	char uuid[37];
	int rc;

	random_uuid(uuid);
	if (rand() % 2 == 0) {
		buf_printf(&value, "%s-%ld", pair->value, n);
	} else {
		buf_adds(&value, pair->value);
	}
	sqlite3_bind_text(ins, 1, uuid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 2, n / 500 + 1);
	sqlite3_bind_text(ins, 3, pair->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, buf_str(&value), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 5, n);
	rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(ins);
	buf_release(&value);
	return rc;
}

/* Grows the table to `target` rows, 50,000 to a transaction. */
static int fill(sqlite3 *db, sqlite3_stmt *ins, const struct pairs *p,
		long *stored, long target)
{
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);

	while (rc == SQLITE_OK && *stored < target) {
		rc = insert_row(ins, p, (*stored)++) == 0 ? SQLITE_OK
							  : SQLITE_ERROR;
		if (rc == SQLITE_OK && *stored % 50000 == 0) {
			rc = sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL,
					  NULL);
		}
	}
	if (rc == SQLITE_OK) {
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	return rc == SQLITE_OK ? 0 : -1;
}

/* Runs STEPS steps of STEP_ROWS inserts, each one transaction, and
 * returns the mean rate in rows per second, or -1. */
static double steps(sqlite3 *db, sqlite3_stmt *ins, const struct pairs *p,
		    long *stored)
{
	double start = now();

	for (int s = 0; s < STEPS; s++) {
		if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
			return -1;
		}
		for (int i = 0; i < STEP_ROWS; i++) {
			if (insert_row(ins, p, (*stored)++) < 0) {
				return -1;
			}
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			return -1;
		}
	}
	return STEPS * STEP_ROWS / (now() - start);
}

static int run_schema(const char *name, sqlite3 *cairn, const char *dir,
		      const struct pairs *p)
{
	struct buf path = BUF_INIT, wal = BUF_INIT;
	sqlite3 *db;
	sqlite3_stmt *ins = NULL;
	long stored = 0;
	double small, large;
	int rc;

	buf_printf(&path, "%s/raw_step_%s.db", dir, name);
	buf_printf(&wal, "%s-wal", buf_str(&path));
	unlink(buf_str(&path));
	unlink(buf_str(&wal));
	rc = sqlite3_open(buf_str(&path), &db);
	if (rc == SQLITE_OK) {
		rc = store_sql_functions(db);
	}
	if (rc == SQLITE_OK) {
		rc = sqlite3_exec(db,
				  "PRAGMA journal_mode=WAL;"
				  "PRAGMA synchronous=NORMAL;"
				  "PRAGMA cache_size=-16384;"
				  "PRAGMA temp_store=MEMORY;"
				  "PRAGMA mmap_size=1073741824;",
				  NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK) {
		rc = strcmp(name, "cairn") == 0
			     ? create_cairn_schema(cairn, db)
			     : create_two_index_schema(db);
	}
	if (rc == SQLITE_OK) {
		rc = sqlite3_prepare_v2(db,
					"INSERT INTO attributes (uuid, "
					"event_id, type, value, timestamp, "
					"category) VALUES (?, ?, ?, ?, ?, "
					"'Network activity')",
					-1, &ins, NULL);
	}
	small = large = -1;
	if (rc == SQLITE_OK && fill(db, ins, p, &stored, 10000) == 0) {
		small = steps(db, ins, p, &stored);
	}
	if (small > 0 && fill(db, ins, p, &stored, 1000000) == 0) {
		large = steps(db, ins, p, &stored);
	}
	if (large < 0) {
		fprintf(stderr, "raw step '%s' failed: %s\n", name,
			sqlite3_errmsg(db));
	} else {
		printf("raw sqlite, %s: %.0f rows/s at 10,000 stored, %.0f "
		       "at 1,000,000 (%.0f%%)\n",
		       name, small, large, 100 * large / small);
	}
	sqlite3_finalize(ins);
	sqlite3_close(db);
	unlink(buf_str(&path));
	unlink(buf_str(&wal));
	buf_release(&path);
	buf_release(&wal);
	return large < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct pairs p = {0};
	sqlite3 *cairn;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: raw_step CAIRN.db VALUES.tsv WORK_DIR\n");
		return 2;
	}
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	srand(42);
	p.items = load_pairs(argv[2], &p.n);
	if (p.n == 0 ||
	    sqlite3_open_v2(argv[1], &cairn, SQLITE_OPEN_READONLY, NULL)) {
		fprintf(stderr, "cannot read '%s' or open '%s'\n", argv[2],
			argv[1]);
		return 1;
	}
	printf("raw sqlite steps of %d rows, each one transaction, mean of "
	       "%d:\n",
	       STEP_ROWS, STEPS);
	rc = run_schema("two", cairn, argv[3], &p);
	if (rc == 0) {
		rc = run_schema("cairn", cairn, argv[3], &p);
	}
	sqlite3_close(cairn);
	return rc < 0 ? 1 : 0;
}
