/*
 * Background checkpoints of the write-ahead log (see store.h).
 *
 * By default SQLite checkpoints inside the COMMIT that takes the log past
 * 1,000 pages: that commit copies every logged page into the database
 * file and syncs it before it returns.  With large random indexes (the
 * uuid and value indexes of a million attributes) a commit of 2,000
 * attributes logs about 8,000 pages, and the checkpoint took about two
 * thirds of that commit's time (bench/correlate).
 *
 * A checkpointer gives that work to a thread with a connection of its
 * own.  Each attached connection gets a WAL hook, which SQLite calls after
 * every commit with the log's size in pages.  Past CHECKPOINT_PAGES the
 * hook wakes the thread, which runs a PASSIVE checkpoint.  SQLite's
 * documentation of sqlite3_wal_checkpoint_v2() says that such a
 * checkpoint copies as many pages as it can without waiting for readers
 * or writers.
 *
 * SQLite starts the log again from its beginning only when a write
 * transaction begins after a checkpoint has copied every page.  Under
 * steady writes the thread is still copying when the next transaction
 * begins, so the log keeps growing.  When a commit leaves it at
 * CHECKPOINT_MAX_PAGES or more, the committing thread waits for one more
 * full pass of the checkpoint thread; its next transaction then starts
 * the log again.  That bounds the log, and the writer waits only for the
 * part of the copy the thread had not done yet.
 */
#include "store/internal.h"

#include "core/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Log size, in pages, that wakes the thread: SQLite's own automatic
 * checkpoint threshold. */
#define CHECKPOINT_PAGES 1000

/* Log size, in pages, at which a commit waits for a full checkpoint:
 * 64 MiB of 4 KiB pages.  Also the size the log file is cut back to
 * when SQLite starts it again. */
#define CHECKPOINT_MAX_PAGES 16384

struct store_checkpointer {
	sqlite3 *db;
	char *path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signals the thread: pending or stop */
	pthread_cond_t done; /* broadcast after each pass, and at stop */
	bool pending; /* a commit passed CHECKPOINT_PAGES since the last pass */
	bool stop;
	uint64_t started, finished; /* passes, under `lock` */
	atomic_uint_fast64_t runs;  /* passes that succeeded */
};

/* Runs one PASSIVE checkpoint; logs a failure and returns. */
static void checkpoint_once(struct store_checkpointer *c)
{
	int logged = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(
	    c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied);

	if (rc != SQLITE_OK) {
		log_warn("background checkpoint of '%s' failed: %s", c->path,
			 sqlite3_errmsg(c->db));
		return;
	}
	atomic_fetch_add(&c->runs, 1);
	log_debug("background checkpoint of '%s': %d of %d pages copied",
		  c->path, copied, logged);
}

static void *checkpoint_thread(void *arg)
{
	struct store_checkpointer *c = arg;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->pending && !c->stop) {
			pthread_cond_wait(&c->wake, &c->lock);
		}
		if (c->stop) {
			break;
		}
		c->pending = false;
		c->started++;
		pthread_mutex_unlock(&c->lock);
		checkpoint_once(c);
		pthread_mutex_lock(&c->lock);
		c->finished++;
		pthread_cond_broadcast(&c->done);
	}
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* SQLite's WAL hook, called after each commit of an attached connection,
 * once the write lock is released, with the log's size in pages. */
static int wal_committed(void *arg, sqlite3 *db, const char *schema, int pages)
{
	struct store_checkpointer *c = arg;
	uint64_t pass;

	(void)db;
	(void)schema;
	if (pages < CHECKPOINT_PAGES) {
		return SQLITE_OK;
	}
	pthread_mutex_lock(&c->lock);
	c->pending = true;
	pthread_cond_signal(&c->wake);
	/* A pass that starts after this commit copies all of its pages. */
	pass = c->started + 1;
	while (pages >= CHECKPOINT_MAX_PAGES && c->finished < pass &&
	       !c->stop) {
		pthread_cond_wait(&c->done, &c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return SQLITE_OK;
}

int store_checkpointer_start(struct store_checkpointer **out, const char *path,
			     struct cairn_err *e)
{
	struct store_checkpointer *c;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	/* NOMUTEX: only the checkpoint thread uses this connection. */
	rc = sqlite3_open_v2(path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	/* A connection reads the log's header only once it uses the
	 * database; until then a checkpoint finds no log and copies
	 * nothing. */
	if (rc == SQLITE_OK) {
		rc = sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL,
				  NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		cairn_err_set(e, CAIRN_ESTORE,
			      "opening database '%s' for checkpoints failed: "
			      "%s",
			      path, sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c->path);
		free(c);
		return CAIRN_ESTORE;
	}
	atomic_init(&c->runs, 0);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->done, NULL);
	rc = pthread_create(&c->thread, NULL, checkpoint_thread, c);
	if (rc != 0) {
		cairn_err_set(e, CAIRN_ESTORE,
			      "starting the checkpoint thread of '%s' failed: "
			      "%s",
			      path, strerror(rc));
		pthread_cond_destroy(&c->done);
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		sqlite3_close(c->db);
		free(c->path);
		free(c);
		return CAIRN_ESTORE;
	}
	*out = c;
	return 0;
}

void store_use_checkpointer(struct store *s, struct store_checkpointer *c)
{
	if (!c) {
		sqlite3_wal_autocheckpoint(store_db(s), CHECKPOINT_PAGES);
		return;
	}
	/* Setting a WAL hook also turns off SQLite's automatic checkpoint,
	 * which is a WAL hook too. */
	sqlite3_wal_hook(store_db(s), wal_committed, c);
	/* The writer that starts the log again cuts its file back to this
	 * size, instead of keeping the largest size the log ever reached. */
	sqlite3_exec(store_db(s), "PRAGMA journal_size_limit = 67108864", NULL,
		     NULL, NULL);
}

uint64_t store_checkpointer_runs(const struct store_checkpointer *c)
{
	return atomic_load(&c->runs);
}

void store_checkpointer_stop(struct store_checkpointer *c)
{
	if (!c) {
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	log_debug("checkpoint thread of '%s' stopped after %llu checkpoints",
		  c->path, (unsigned long long)atomic_load(&c->runs));
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->done);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
}
