/*
 * A fixed pool of store connections shared by worker threads.
 *
 * All connections are opened by store_pool_new(), so the first one runs
 * the migrations before any worker starts.  Idle connections are kept on
 * a stack under one mutex, and store_pool_get() waits on a condition
 * variable while the stack is empty.  A connection is used by one thread
 * at a time, which is what SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX)
 * requires.
 */
#include "store/internal.h"

#include "core/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* SQLite VM steps between two checks of the abort flag. */
#define ABORT_CHECK_STEPS 1000

struct store_pool {
	pthread_mutex_t lock;
	pthread_cond_t available;
	int size;
	int idle;                 /* number of connections in `stack` */
	struct store **stack;     /* idle connections, the top at idle - 1 */
	struct store **all;       /* every connection, for store_pool_free() */
	atomic_bool abort;        /* set by store_pool_abort() */
	char *path;               /* for the stream connections */
	struct store **spare;     /* idle stream connections, up to size */
	int nspare;
};

/* SQLite's progress handler: a nonzero return interrupts the statement.
 * NOTE: SQLite does not call it while a statement waits in the busy
 * handler, so a request waiting for another process's write lock (a
 * `cairn import`) ends only when that wait does, after up to the busy
 * timeout. */
static int check_abort(void *ctx)
{
	struct store_pool *p = ctx;

	return atomic_load(&p->abort) ? 1 : 0;
}

static void pool_close_all(struct store_pool *p, int opened)
{
	for (int i = 0; i < opened; i++) {
		store_close(p->all[i]);
	}
	free(p->all);
	free(p->stack);
}

int store_pool_new(struct store_pool **out, const char *path, int size,
		   struct cairn_err *e)
{
	struct store_pool *p;
	int rc = 0;
	int i;

	*out = NULL;
	if (size <= 0) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid store pool size %d; it must be "
				     "at least 1",
				     size);
	}
	/* Connections move between threads, which a single-threaded build
	 * of SQLite (SQLITE_THREADSAFE=0) does not allow. */
	if (!sqlite3_threadsafe()) {
		return cairn_err_set(e, CAIRN_ESTORE,
				     "the SQLite library was built without "
				     "thread support; rebuild it with "
				     "SQLITE_THREADSAFE=1 or 2");
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	p->all = calloc((size_t)size, sizeof(*p->all));
	p->stack = calloc((size_t)size, sizeof(*p->stack));
	if (!p->all || !p->stack) {
		pool_close_all(p, 0);
		free(p);
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	for (i = 0; i < size && rc == 0; i++) {
		rc = store_open(&p->all[i], path, e);
	}
	if (rc < 0) {
		pool_close_all(p, i - 1);
		free(p);
		return rc;
	}
	atomic_init(&p->abort, false);
	for (i = 0; i < size; i++) {
		p->stack[i] = p->all[i];
		sqlite3_progress_handler(store_db(p->all[i]), ABORT_CHECK_STEPS,
					 check_abort, p);
	}
	p->path = strdup(path);
	p->spare = calloc((size_t)size, sizeof(*p->spare));
	if (!p->path || !p->spare) {
		pool_close_all(p, size);
		free(p->path);
		free(p->spare);
		free(p);
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	p->size = size;
	p->idle = size;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->available, NULL);
	*out = p;
	return 0;
}

struct store *store_pool_get(struct store_pool *p)
{
	struct store *s;

	pthread_mutex_lock(&p->lock);
	while (p->idle == 0) {
		pthread_cond_wait(&p->available, &p->lock);
	}
	s = p->stack[--p->idle];
	pthread_mutex_unlock(&p->lock);
	return s;
}

/* A connection handed back inside a transaction has it rolled back, so
 * that the next thread never inherits another request's write lock. */
void store_pool_put(struct store_pool *p, struct store *s)
{
	if (store_in_transaction(s)) {
		log_warn("store connection returned to the pool inside a "
			 "transaction; rolling it back");
	}
	while (store_in_transaction(s)) {
		store_rollback(s);
	}
	/* The next request must not write audit rows in this one's name. */
	store_set_actor(s, NULL);
	pthread_mutex_lock(&p->lock);
	p->stack[p->idle++] = s;
	pthread_cond_signal(&p->available);
	pthread_mutex_unlock(&p->lock);
}

void store_pool_abort(struct store_pool *p)
{
	if (p) {
		atomic_store(&p->abort, true);
	}
}

/* A streamed response reads its cursor after its worker has returned
 * to serving other requests, so it must not hold one of the pool's
 * connections: a worker that waits in store_pool_get() for a connection
 * held by a stream that only that worker can advance would wait forever.
 * Streams use these connections instead, opened on demand and kept for
 * reuse up to the pool's size. */
int store_pool_get_stream(struct store_pool *p, struct store **out,
			  struct cairn_err *e)
{
	int rc;

	*out = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->nspare > 0) {
		*out = p->spare[--p->nspare];
	}
	pthread_mutex_unlock(&p->lock);
	if (*out) {
		return 0;
	}
	rc = store_open(out, p->path, e);
	if (rc == 0) {
		sqlite3_progress_handler(store_db(*out), ABORT_CHECK_STEPS,
					 check_abort, p);
	}
	return rc;
}

void store_pool_put_stream(struct store_pool *p, struct store *s)
{
	bool kept = false;

	while (store_in_transaction(s)) {
		store_rollback(s);
	}
	store_set_actor(s, NULL);
	pthread_mutex_lock(&p->lock);
	if (p->nspare < p->size) {
		p->spare[p->nspare++] = s;
		kept = true;
	}
	pthread_mutex_unlock(&p->lock);
	if (!kept) {
		store_close(s);
	}
}

/* The caller makes sure that every connection was put back first. */
void store_pool_free(struct store_pool *p)
{
	if (!p) {
		return;
	}
	if (p->idle != p->size) {
		log_warn("store pool freed with %d of %d connections in use",
			 p->size - p->idle, p->size);
	}
	pool_close_all(p, p->size);
	for (int i = 0; i < p->nspare; i++) {
		store_close(p->spare[i]);
	}
	free(p->spare);
	free(p->path);
	pthread_cond_destroy(&p->available);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
