/*
 * Online backup and restore with SQLite's backup API; see store.h.
 *
 * The backup keeps one read transaction open on the source for its whole
 * run.  In WAL mode that snapshot does not block writers, and it keeps the
 * backup from restarting, which sqlite3_backup_step() does when another
 * connection writes between steps of a backup that has no transaction of
 * its own.  Copies are left in rollback-journal mode, so a backup file is
 * one self-contained file with no -wal beside it.
 */
#include "store/internal.h"

#include "core/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Milliseconds to wait when a step finds the source or target locked. */
#define BACKUP_RETRY_MS 10
#define BACKUP_BUSY_TIMEOUT_MS 5000

/* Tables that every Cairn database has from its first migration. */
static const char check_tables_sql[] =
	"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
	"('orgs', 'roles', 'users', 'auth_keys', 'events', 'attributes')";
#define CHECK_TABLES 6

static int db_fail(sqlite3 *db, struct cairn_err *e, const char *what,
		   const char *path)
{
	return cairn_err_set(e, CAIRN_ESTORE, "%s '%s' failed: %s", what, path,
			     db ? sqlite3_errmsg(db) : "out of memory");
}

static int db_open(sqlite3 **db, const char *path, int flags,
		   struct cairn_err *e)
{
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		int rc = db_fail(*db, e, "opening", path);

		sqlite3_close(*db);
		*db = NULL;
		return rc;
	}
	sqlite3_extended_result_codes(*db, 1);
	sqlite3_busy_timeout(*db, BACKUP_BUSY_TIMEOUT_MS);
	/* The integrity check and the migration of a restored file evaluate
	 * the correlation indexes' functions. */
	if (store_sql_functions(*db) != SQLITE_OK) {
		int rc = db_fail(*db, e, "opening", path);

		sqlite3_close(*db);
		*db = NULL;
		return rc;
	}
	return 0;
}

/* Runs a statement that returns at most one integer row. */
static int db_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK) {
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Calls fsync() on a file, or on a folder after a rename in it. */
static int sync_path(const char *path, bool dir, struct cairn_err *e)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) |
				    O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fsync(fd) < 0) {
		rc = cairn_err_set(e, CAIRN_EIO, "syncing '%s' failed: %s",
				   path, strerror(errno));
	}
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

static int sync_parent(const char *path, struct cairn_err *e)
{
	struct buf copy = BUF_INIT;
	int rc;

	buf_adds(&copy, path);
	rc = sync_path(dirname(copy.data), true, e);
	buf_release(&copy);
	return rc;
}

/* Removes `base` + `suffix` when it exists. */
static int remove_beside(const char *base, const char *suffix,
			 struct cairn_err *e)
{
	struct buf path = BUF_INIT;
	int rc = 0;

	buf_printf(&path, "%s%s", base, suffix);
	if (unlink(buf_str(&path)) < 0 && errno != ENOENT) {
		rc = cairn_err_set(e, CAIRN_EIO, "removing '%s' failed: %s",
				   buf_str(&path), strerror(errno));
	}
	buf_release(&path);
	return rc;
}

static int run_steps(sqlite3_backup *b)
{
	int rc;

	do {
		rc = sqlite3_backup_step(b, STORE_BACKUP_PAGES);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			sqlite3_sleep(BACKUP_RETRY_MS);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	return rc;
}

/* Copies the main database of `src` into a new file `dest`, in
 * rollback-journal mode, and syncs it. */
static int copy_into(sqlite3 *src, const char *dest, struct cairn_err *e)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	if (remove_beside(dest, "", e) < 0 ||
	    remove_beside(dest, "-journal", e) < 0 ||
	    db_open(&dst, dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
		    e) < 0) {
		return CAIRN_EIO;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		rc = db_fail(dst, e, "starting the copy into", dest);
		sqlite3_close(dst);
		return rc;
	}
	rc = run_steps(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		rc = cairn_err_set(e, CAIRN_ESTORE, "copying into '%s' failed: %s",
				   dest, sqlite3_errstr(rc));
	} else if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL,
				NULL, NULL) != SQLITE_OK) {
		rc = db_fail(dst, e, "leaving WAL mode in", dest);
	} else {
		rc = 0;
	}
	sqlite3_close(dst);
	if (rc == 0) {
		rc = sync_path(dest, false, e);
	}
	if (rc < 0) {
		unlink(dest);
	}
	return rc;
}

/* Whether `file` is the database at `db_path` or one of the files SQLite
 * keeps beside it, by device and inode, so that no other path to them
 * slips through. */
static bool is_live_file(const char *db_path, const char *file)
{
	static const char *const suffixes[] = {"", "-wal", "-shm",
					       "-journal"};
	struct stat target, live;
	bool same = false;

	if (stat(file, &target) < 0) {
		return false;
	}
	for (size_t i = 0; !same && i < sizeof(suffixes) / sizeof(*suffixes);
	     i++) {
		struct buf path = BUF_INIT;

		buf_printf(&path, "%s%s", db_path, suffixes[i]);
		same = stat(buf_str(&path), &live) == 0 &&
		       live.st_dev == target.st_dev &&
		       live.st_ino == target.st_ino;
		buf_release(&path);
	}
	return same;
}

int store_backup(const char *db_path, const char *file, struct cairn_err *e)
{
	struct buf partial = BUF_INIT;
	sqlite3 *src = NULL;
	int64_t tables = 0;
	int rc;

	/* Renaming the copy over the live database would leave a running
	 * server writing to the replaced file, and lose what it writes. */
	if (is_live_file(db_path, file)) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "'%s' is the database '%s' itself or one "
				     "of its files; expected a path outside "
				     "them",
				     file, db_path);
	}
	rc = db_open(&src, db_path, SQLITE_OPEN_READWRITE, e);
	if (rc < 0) {
		return rc;
	}
	/* The read that opens the snapshot; every later step reads it. */
	if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    db_int(src, check_tables_sql, &tables) != SQLITE_OK) {
		rc = db_fail(src, e, "reading", db_path);
		sqlite3_close(src);
		return rc;
	}
	if (tables != CHECK_TABLES) {
		sqlite3_close(src);
		return cairn_err_set(e, CAIRN_EINVAL,
				     "'%s' is not a Cairn database", db_path);
	}
	buf_printf(&partial, "%s.partial", file);
	rc = copy_into(src, buf_str(&partial), e);
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(src);
	if (rc == 0 && rename(buf_str(&partial), file) < 0) {
		rc = cairn_err_set(e, CAIRN_EIO, "renaming '%s' to '%s': %s",
				   buf_str(&partial), file, strerror(errno));
		unlink(buf_str(&partial));
	}
	if (rc == 0) {
		rc = sync_parent(file, e);
	}
	buf_release(&partial);
	return rc;
}

/* Checks that `db` is a Cairn database this build can open. */
static int check_backup(sqlite3 *db, const char *file, int *version,
			struct cairn_err *e)
{
	sqlite3_stmt *st;
	int64_t tables = 0, v = 0;
	const char *result;
	int rc;

	if (db_int(db, check_tables_sql, &tables) != SQLITE_OK ||
	    db_int(db, "PRAGMA user_version", &v) != SQLITE_OK) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "'%s' is not a readable SQLite database: "
				     "%s",
				     file, sqlite3_errmsg(db));
	}
	if (tables != CHECK_TABLES || v < 1) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "'%s' is not a Cairn database (no Cairn "
				     "tables or no schema version)",
				     file);
	}
	if (v > schema_latest()) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "'%s' has schema version %lld, newer than "
				     "this build of cairn supports (%d); "
				     "upgrade cairn",
				     file, (long long)v, schema_latest());
	}
	*version = (int)v;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st,
			       NULL) != SQLITE_OK) {
		return db_fail(db, e, "checking", file);
	}
	rc = sqlite3_step(st);
	result = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
				  : NULL;
	if (!result || strcmp(result, "ok") != 0) {
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "'%s' fails PRAGMA integrity_check: %s",
				   file, result ? result : sqlite3_errmsg(db));
	} else {
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Folds the WAL of the database being replaced back into it, so that no
 * -wal file is left to be replayed over the restored one. */
static int close_out_wal(const char *db_path, struct cairn_err *e)
{
	sqlite3 *db = NULL;
	int rc;

	if (access(db_path, F_OK) < 0) {
		return 0;
	}
	rc = db_open(&db, db_path, SQLITE_OPEN_READWRITE, e);
	if (rc == 0 && sqlite3_exec(db,
				    "PRAGMA wal_checkpoint(TRUNCATE);"
				    "PRAGMA journal_mode = DELETE",
				    NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(db, e, "checkpointing", db_path);
	}
	sqlite3_close(db);
	return rc;
}

static int replace_database(const char *restored, const char *db_path,
			    struct cairn_err *e)
{
	int rc = close_out_wal(db_path, e);

	if (rc == 0) {
		rc = remove_beside(db_path, "-wal", e);
	}
	if (rc == 0) {
		rc = remove_beside(db_path, "-shm", e);
	}
	if (rc == 0 && rename(restored, db_path) < 0) {
		rc = cairn_err_set(e, CAIRN_EIO, "renaming '%s' to '%s': %s",
				   restored, db_path, strerror(errno));
	}
	if (rc == 0) {
		rc = sync_parent(db_path, e);
	}
	return rc;
}

int store_restore(const char *file, const char *db_path, int *from_version,
		  struct cairn_err *e)
{
	struct buf restored = BUF_INIT;
	struct store *s = NULL;
	sqlite3 *src = NULL;
	int rc;

	rc = db_open(&src, file, SQLITE_OPEN_READONLY, e);
	if (rc == 0) {
		rc = check_backup(src, file, from_version, e);
	}
	buf_printf(&restored, "%s.restore", db_path);
	if (rc == 0) {
		rc = copy_into(src, buf_str(&restored), e);
	}
	sqlite3_close(src);
	if (rc == 0) {
		rc = replace_database(buf_str(&restored), db_path, e);
	}
	if (rc < 0) {
		unlink(buf_str(&restored));
	}
	buf_release(&restored);
	/* Opening runs the migrations of an older backup. */
	if (rc == 0) {
		rc = store_open(&s, db_path, e);
		store_close(s);
	}
	return rc;
}
