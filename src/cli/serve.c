/*
 * `cairn serve`: serves the REST API until SIGINT or SIGTERM.
 *
 * The server takes an exclusive lock on DIR/cairn.lock before it opens the
 * database and keeps it until it exits.  So migrations and the first-start
 * set-up (--init) run in one process at a time, a second server on the
 * same directory fails at once, and `cairn restore` can tell that a server
 * runs.
 *
 * The signals are blocked before any thread starts and taken with
 * sigwait() in the main thread, so no handler runs inside a worker.  On a
 * signal the server stops accepting, lets requests in flight finish (each
 * commits or rolls back its own transaction) and closes the database.
 */
#include "api/api.h"
#include "api/library.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/util.h"
#include "http/server.h"
#include "model/misp.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest PEM file read for --tls-cert or --tls-key. */
#define PEM_MAX (1u << 20)

/* Maximum request body the redirect listener reads before it responds. */
#define REDIRECT_MAX_BODY (64u * 1024)

/* Settings that only the first start reads. */
static const enum config_key first_start_keys[] = {
	CFG_ORG_NAME, CFG_ORG_UUID, CFG_ADMIN_EMAIL, CFG_ADMIN_PASSWORD,
	CFG_ADMIN_KEY,
};

#define NFIRST (sizeof(first_start_keys) / sizeof(first_start_keys[0]))

/* Everything serve() starts, so that one function stops it. */
struct running {
	struct cairn app;
	struct http_server *server;
	struct http_server *redirect;
	struct buf db_path;
	struct buf cert;
	struct buf key;
	int lock;
};

/* Logs, on a later start, the first-start settings that were given. */
static void log_ignored(const struct config *c)
{
	struct buf names = BUF_INIT;

	for (size_t i = 0; i < NFIRST; i++) {
		if (c->set[first_start_keys[i]] &&
		    c->source[first_start_keys[i]] != CONFIG_DEFAULT) {
			buf_printf(&names, "%s%s", names.len ? ", " : "",
				   config_name(first_start_keys[i]));
		}
	}
	if (names.len) {
		log_info("data directory '%s' is initialised already; "
			 "ignoring %s, which only the first start reads",
			 config_get(c, CFG_DATA), buf_str(&names));
	}
	buf_release(&names);
}

/* Opens the database once under the lock, which runs pending migrations,
 * and initialises an empty instance when --init is given. */
static int prepare_database(const struct config *c, const char *path,
			    bool init)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store *s = NULL;
	int64_t orgs = 0;
	int rc;

	rc = store_open(&s, path, &e);
	if (rc < 0) {
		log_error("cannot open database '%s': %s", path,
			  buf_str(&e.message));
		cairn_err_release(&e);
		return rc;
	}
	rc = store_count(s, &model_org, "id", 1, &orgs);
	if (rc == 0 && orgs == 0 && init) {
		log_info("initialising data directory '%s'",
			 config_get(c, CFG_DATA));
		rc = cli_init_instance(s, c, &e);
	} else if (rc == 0) {
		log_ignored(c);
	}
	if (rc < 0) {
		if (!e.message.len) {
			store_error(s, &e);
		}
		log_error("preparing database '%s' failed: %s", path,
			  buf_str(&e.message));
	} else {
		log_info("database '%s' has schema version %d", path,
			 store_schema_version(s));
	}
	store_close(s);
	cairn_err_release(&e);
	return rc;
}

/* Reads a PEM file whole; the libmicrohttpd options take the text. */
static int read_pem(const char *path, const char *setting, struct buf *out)
{
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		log_error("cannot read %s '%s': %s", setting, path,
			  strerror(errno));
		return -1;
	}
	out->max = PEM_MAX;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(out, chunk, n) < 0) {
			log_error("%s '%s' is larger than %u bytes", setting,
				  path, PEM_MAX);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (!strstr(buf_str(out), "-----BEGIN ")) {
		log_error("%s '%s' is not a PEM file (no -----BEGIN line)",
			  setting, path);
		return -1;
	}
	return 0;
}

/* Loads the library with a connection from the pool, which stores the
 * warninglist state. */
static int open_library(struct cairn *app, const struct config *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct library_dirs dirs;
	struct buf scratch[4] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
	struct store *s;
	int rc;

	library_dirs_from(&dirs, config_get(c, CFG_LIBRARY),
			  config_get(c, CFG_WARNINGLISTS),
			  config_get(c, CFG_TAXONOMIES),
			  config_get(c, CFG_GALAXIES),
			  config_get(c, CFG_OBJECT_TEMPLATES), scratch);
	s = store_pool_get(app->pool);
	rc = library_open(&app->library, &dirs, s, &e);
	store_pool_put(app->pool, s);
	if (rc < 0) {
		log_error("cannot load the library: %s", buf_str(&e.message));
	}
	for (size_t i = 0; i < 4; i++) {
		buf_release(&scratch[i]);
	}
	cairn_err_release(&e);
	return rc;
}

/* Ends the store work of requests that outlast the stop grace period:
 * their next statement fails and their transaction rolls back. */
static void abort_store_work(void *ctx)
{
	struct cairn *app = ctx;

	log_warn("aborting the database work of requests still running; "
		 "their transactions roll back");
	store_pool_abort(app->pool);
}

static int start_http(struct running *r, const struct config *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct http_config cfg = {
		.host = buf_str(&c->listen_host),
		.port = c->listen_port,
		.threads = (int)c->threads,
		.max_body = c->max_body,
		.handler = api_handle,
		.ctx = &r->app,
		.abort_requests = abort_store_work,
	};
	int rc;

	if (c->tls) {
		cfg.tls_cert_pem = buf_str(&r->cert);
		cfg.tls_key_pem = buf_str(&r->key);
	}
	rc = http_start(&r->server, &cfg, &e);
	if (rc < 0) {
		log_error("cannot serve on %s: %s", config_get(c, CFG_LISTEN),
			  buf_str(&e.message));
	}
	cairn_err_release(&e);
	return rc;
}

static int start_redirect(struct running *r, const struct config *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct http_config cfg = {
		.host = buf_str(&c->redirect_host),
		.port = c->redirect_port,
		.threads = 1,
		.max_body = REDIRECT_MAX_BODY,
		.handler = http_redirect_handler,
		.ctx = (void *)config_get(c, CFG_BASE_URL),
	};
	int rc = http_start(&r->redirect, &cfg, &e);

	if (rc < 0) {
		log_error("cannot serve the HTTP redirect on %s: %s",
			  config_get(c, CFG_HTTP_REDIRECT), buf_str(&e.message));
	} else {
		log_info("redirecting plain HTTP on %s to %s",
			 config_get(c, CFG_HTTP_REDIRECT),
			 config_get(c, CFG_BASE_URL));
	}
	cairn_err_release(&e);
	return rc;
}

/* The web login limits, which the settings have checked already. */
static void login_from(const struct config *c, struct api_login_config *out)
{
	out->session_idle = strtoll(config_get(c, CFG_SESSION_IDLE), NULL, 10);
	out->session_lifetime =
		strtoll(config_get(c, CFG_SESSION_LIFETIME), NULL, 10);
	out->lockout_window =
		strtoll(config_get(c, CFG_LOCKOUT_WINDOW), NULL, 10);
	out->lockout_attempts =
		strtoll(config_get(c, CFG_LOCKOUT_ATTEMPTS), NULL, 10);
}

/* Starts everything in order; on failure what started is left in `r`
 * for stop_all(). */
static int start_all(struct running *r, const struct config *c, bool init)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *data = config_get(c, CFG_DATA);
	int rc;

	if (c->tls && (read_pem(config_get(c, CFG_TLS_CERT), "tls_cert",
				&r->cert) < 0 ||
		       read_pem(config_get(c, CFG_TLS_KEY), "tls_key",
				&r->key) < 0)) {
		return -1;
	}
	r->lock = cli_lock_data(data);
	if (r->lock < 0) {
		return -1;
	}
	if (prepare_database(c, buf_str(&r->db_path), init) < 0) {
		return -1;
	}
	r->app.correlation = correlate_config_default;
	r->app.correlation.max_events = c->correlation_limit;
	r->app.correlation.ssdeep_threshold = c->ssdeep_threshold;
	r->app.correlation.tlsh_threshold = c->tlsh_threshold;
	rc = store_pool_new(&r->app.pool, buf_str(&r->db_path),
			    (int)c->threads, &e);
	if (rc < 0) {
		log_error("cannot open database '%s': %s",
			  buf_str(&r->db_path), buf_str(&e.message));
		cairn_err_release(&e);
		return rc;
	}
	login_from(c, &r->app.login);
	if (open_library(&r->app, c) < 0 || start_http(r, c) < 0) {
		return -1;
	}
	if (c->set[CFG_HTTP_REDIRECT] && start_redirect(r, c) < 0) {
		return -1;
	}
	log_info("serving %s on %s/ (listening on %s) with %ld threads",
		 buf_str(&r->db_path), config_get(c, CFG_BASE_URL),
		 config_get(c, CFG_LISTEN), c->threads);
	return 0;
}

static void stop_all(struct running *r)
{
	http_stop(r->redirect);
	http_stop(r->server);
	library_free(r->app.library);
	store_pool_free(r->app.pool);
	if (r->lock >= 0) {
		close(r->lock);
	}
	buf_release(&r->db_path);
	buf_release(&r->cert);
	buf_release(&r->key);
}

static int serve(const struct config *c, bool init)
{
	const char *data = config_get(c, CFG_DATA);
	struct running r = {.lock = -1};
	struct timespec stop_started, stopped;
	sigset_t stop;
	int sig = 0;

	/* Blocked from the start, so that a signal that arrives while the
	 * database and the library load waits for sigwait() below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	buf_printf(&r.db_path, "%s/cairn.db", data);
	if (init && mkdir(data, 0700) < 0 && errno != EEXIST) {
		log_error("cannot create data directory '%s': %s", data,
			  strerror(errno));
		stop_all(&r);
		return 1;
	}
	if (!init && access(buf_str(&r.db_path), R_OK | W_OK) < 0) {
		log_error("no database at '%s': run cairn init --data %s, or "
			  "cairn serve --init, first",
			  buf_str(&r.db_path), data);
		stop_all(&r);
		return 1;
	}
	if (start_all(&r, c, init) < 0) {
		stop_all(&r);
		return 1;
	}
	sigwait(&stop, &sig);
	clock_gettime(CLOCK_MONOTONIC, &stop_started);
	log_info("received %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	stop_all(&r);
	clock_gettime(CLOCK_MONOTONIC, &stopped);
	log_info("stopped in %.0f ms",
		 (double)(stopped.tv_sec - stop_started.tv_sec) * 1e3 +
			 (double)(stopped.tv_nsec - stop_started.tv_nsec) /
				 1e6);
	return 0;
}

int cli_serve(int argc, char **argv)
{
	struct config c;
	bool init = false;
	const struct cli_option extra[] = {
		{"--init", NULL,
		 "initialise DIR on the first start, from the org_* and "
		 "admin_* settings (CAIRN_ADMIN_PASSWORD, CAIRN_ADMIN_KEY)",
		 NULL, &init},
	};
	int rc;

	config_init(&c);
	rc = cli_load_settings(argc, argv, "cairn serve --data DIR [options]",
			       NULL, 0, extra, 1, NULL, 0, NULL, &c);
	if (rc == 0 && !config_get(&c, CFG_DATA)) {
		fprintf(stderr, "error: missing --data DIR (or CAIRN_DATA)\n");
		rc = -1;
	}
	if (rc == 0) {
		log_set_level(c.log_level);
		rc = serve(&c, init);
	} else {
		rc = rc < 0 ? 2 : 0;
	}
	config_release(&c);
	return rc;
}
