/*
 * Unit tests of the background checkpointer: a real database file in a
 * fresh mkdtemp() directory, a Cairn store connection that writes, and
 * a plain SQLite connection that reads the write-ahead log's size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tmpdb.h"

#include "core/buf.h"
#include "store/internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Pages a commit must log to wake the thread, and to wait for it. */
#define WAKE_PAGES 1000
#define WAIT_PAGES 16384

struct fixture {
	struct buf dir;
	struct buf path;
	struct store *s;
	struct store_checkpointer *c;
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cairn_err e = CAIRN_ERR_INIT;

	assert_non_null(f);
	tmpdb_make(&f->dir, &f->path, "checkpoint");
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
	assert_int_equal(store_checkpointer_start(&f->c, f->path.data, &e), 0);
	assert_int_equal(sqlite3_exec(store_db(f->s),
				      "CREATE TABLE pages (data BLOB)", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	cairn_err_release(&e);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	store_checkpointer_stop(f->c);
	tmpdb_remove(&f->dir, &f->path);
	free(f);
	return 0;
}

/* Commits `rows` rows of about a page each, in one transaction. */
static void write_pages(struct fixture *f, int rows)
{
	sqlite3_stmt *st;

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s),
					    "INSERT INTO pages VALUES "
					    "(zeroblob(4000))",
					    -1, &st, NULL),
			 SQLITE_OK);
	for (int i = 0; i < rows; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(store_commit(f->s), 0);
}

/* Waits until the checkpointer has completed `runs` passes.  The bound
 * only keeps a broken checkpointer from hanging the test. */
static void wait_for_runs(struct fixture *f, uint64_t runs)
{
	struct timespec pause = {0, 10 * 1000 * 1000};

	for (int i = 0; i < 6000 && store_checkpointer_runs(f->c) < runs; i++) {
		nanosleep(&pause, NULL);
	}
	assert_true(store_checkpointer_runs(f->c) >= runs);
}

/* Returns the pages in the log, from a connection of the test's own: a
 * PASSIVE checkpoint reports them (and copies any the log still has). */
static int log_pages(struct fixture *f)
{
	sqlite3 *db;
	int logged = -1, copied = -1;

	assert_int_equal(sqlite3_open(f->path.data, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_wal_checkpoint_v2(db, NULL,
						   SQLITE_CHECKPOINT_PASSIVE,
						   &logged, &copied),
			 SQLITE_OK);
	sqlite3_close(db);
	return logged;
}

/* A commit past the threshold wakes the thread; once it has copied the
 * log, the next transaction starts the log again from its beginning. */
static void checkpoint_in_background(void **state)
{
	struct fixture *f = *state;

	store_use_checkpointer(f->s, f->c);
	write_pages(f, WAKE_PAGES + 200);
	wait_for_runs(f, 1);
	write_pages(f, 1);
	assert_true(log_pages(f) < 10);
}

/* A commit under the threshold leaves the log alone. */
static void small_commit_no_checkpoint(void **state)
{
	struct fixture *f = *state;

	store_use_checkpointer(f->s, f->c);
	write_pages(f, 10);
	write_pages(f, 10);
	assert_int_equal(store_checkpointer_runs(f->c), 0);
	assert_true(log_pages(f) >= 20);
}

/* Without a checkpointer, SQLite checkpoints inside the commit as
 * before, so the log starts again too. */
static void detached_store_checkpoints_itself(void **state)
{
	struct fixture *f = *state;

	store_use_checkpointer(f->s, f->c);
	store_use_checkpointer(f->s, NULL);
	write_pages(f, WAKE_PAGES + 200);
	write_pages(f, 1);
	assert_int_equal(store_checkpointer_runs(f->c), 0);
	assert_true(log_pages(f) < 10);
}

/* A commit that leaves the log at the maximum returns only after a full
 * pass of the thread, so the log cannot grow without bound. */
static void large_commit_waits_for_pass(void **state)
{
	struct fixture *f = *state;

	store_use_checkpointer(f->s, f->c);
	write_pages(f, WAIT_PAGES + 200);
	assert_true(store_checkpointer_runs(f->c) >= 1);
	write_pages(f, 1);
	assert_true(log_pages(f) < 10);
}

/* The rows of a commit are all there after a background pass. */
static void background_pass_keeps_rows(void **state)
{
	struct fixture *f = *state;
	sqlite3_stmt *st;

	store_use_checkpointer(f->s, f->c);
	write_pages(f, WAKE_PAGES + 200);
	wait_for_runs(f, 1);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s),
					    "SELECT count(*) FROM pages", -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), WAKE_PAGES + 200);
	sqlite3_finalize(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(checkpoint_in_background,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(small_commit_no_checkpoint,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(detached_store_checkpoints_itself,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(large_commit_waits_for_pass,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(background_pass_keeps_rows,
					    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
