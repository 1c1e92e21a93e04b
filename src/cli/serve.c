/*
 * `cairn serve`: serves the REST API until SIGINT or SIGTERM.
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
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MAX_BODY (64u * 1024 * 1024)

/* Splits "HOST:PORT" or "[V6]:PORT" into its parts; `host` is owned. */
static int parse_listen(const char *listen, struct buf *host, int *port)
{
	const char *colon;
	char *end;
	long n;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':') {
			return -1;
		}
		buf_add(host, listen + 1, (size_t)(close - listen - 1));
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon) {
			return -1;
		}
		buf_add(host, listen, (size_t)(colon - listen));
	}
	n = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || n < 0 || n > 65535) {
		return -1;
	}
	*port = (int)n;
	return host->len ? 0 : -1;
}

static int parse_positive(const char *text, long max, long *out)
{
	char *end;
	long n = strtol(text, &end, 10);

	if (*end != '\0' || end == text || n < 1 || n > max) {
		return -1;
	}
	*out = n;
	return 0;
}

/* Indexes of the login options' values, in struct api_login_config
 * order. */
enum { OPT_SESSION_IDLE, OPT_SESSION_LIFETIME, OPT_LOCKOUT_WINDOW,
       OPT_LOCKOUT_ATTEMPTS, OPT_LOGIN_COUNT };

/* Reads the login options, each a positive number of at most ten years
 * in seconds (or attempts); an option left out keeps its default. */
static int parse_login(const char *const text[OPT_LOGIN_COUNT],
		       const struct cli_option *opts, size_t nopts,
		       struct api_login_config *out)
{
	int64_t *slots[OPT_LOGIN_COUNT] = {
		&out->session_idle, &out->session_lifetime,
		&out->lockout_window, &out->lockout_attempts};
	long value;

	for (int i = 0; i < OPT_LOGIN_COUNT; i++) {
		if (!text[i]) {
			continue;
		}
		if (parse_positive(text[i], 10L * 366 * 86400, &value) < 0) {
			const char *name = "";

			for (size_t o = 0; o < nopts; o++) {
				if (opts[o].text == &text[i]) {
					name = opts[o].name;
				}
			}
			fprintf(stderr,
				"error: invalid %s '%s': expected a positive "
				"whole number\n",
				name, text[i]);
			return -1;
		}
		*slots[i] = value;
	}
	return 0;
}

/* Loads the library with a connection from the pool, which stores the
 * warninglist state. */
static int open_library(struct cairn *app, const char *dir)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store *s = store_pool_get(app->pool);
	int rc = library_open(&app->library, dir, s, &e);

	store_pool_put(app->pool, s);
	if (rc < 0) {
		log_error("cannot load the library '%s': %s", dir,
			  buf_str(&e.message));
	}
	cairn_err_release(&e);
	return rc;
}

static int serve(const char *data, const char *library, const char *host,
		 int port, long threads, size_t max_body,
		 const struct api_login_config *login)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct http_server *server = NULL;
	struct cairn app = {NULL};
	struct buf path = BUF_INIT;
	struct http_config cfg;
	sigset_t stop;
	int sig = 0;

	/* Blocked from the start, so that a signal that arrives while the
	 * database and the library load waits for sigwait() below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	app.login = *login;
	buf_printf(&path, "%s/cairn.db", data);
	if (access(buf_str(&path), R_OK | W_OK) < 0) {
		log_error("no database at '%s': run cairn init --data %s first",
			  buf_str(&path), data);
		buf_release(&path);
		return 1;
	}
	if (store_pool_new(&app.pool, buf_str(&path), (int)threads, &e) < 0) {
		log_error("cannot open database '%s': %s", buf_str(&path),
			  buf_str(&e.message));
		buf_release(&path);
		cairn_err_release(&e);
		return 1;
	}
	if (library && open_library(&app, library) < 0) {
		store_pool_free(app.pool);
		buf_release(&path);
		return 1;
	}
	cfg = (struct http_config){host, port, (int)threads, max_body,
				   api_handle, &app};
	if (http_start(&server, &cfg, &e) < 0) {
		log_error("cannot listen on %s port %d: %s", host, port,
			  buf_str(&e.message));
		library_free(app.library);
		store_pool_free(app.pool);
		buf_release(&path);
		cairn_err_release(&e);
		return 1;
	}
	log_info("serving %s on http://%s%s%s:%d/ with %ld threads",
		 buf_str(&path), strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "", http_port(server), threads);
	sigwait(&stop, &sig);
	log_info("received %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_stop(server);
	library_free(app.library);
	store_pool_free(app.pool);
	log_info("stopped");
	buf_release(&path);
	cairn_err_release(&e);
	return 0;
}

int cli_serve(int argc, char **argv)
{
	const char *data = NULL, *library = NULL, *listen = "127.0.0.1:8080";
	const char *threads_text = NULL, *max_body_text = NULL, *level = NULL;
	const char *login_text[OPT_LOGIN_COUNT] = {NULL};
	struct api_login_config login = {0};
	bool help = false;
	const struct cli_option opts[] = {
		{"--data", "DIR", "data directory made by cairn init", &data,
		 NULL},
		{"--library", "DIR",
		 "reference data folder with a warninglists/ subfolder "
		 "(default: none)",
		 &library, NULL},
		{"--listen", "HOST:PORT",
		 "address to serve on (default 127.0.0.1:8080)", &listen,
		 NULL},
		{"--threads", "N", "worker threads (default: one per core)",
		 &threads_text, NULL},
		{"--max-body", "BYTES",
		 "largest request body accepted (default 64 MiB)",
		 &max_body_text, NULL},
		{"--log-level", "LEVEL", "debug, info, warn or error", &level,
		 NULL},
		{"--session-idle", "SECONDS",
		 "end a web session unused this long (default 36000)",
		 &login_text[OPT_SESSION_IDLE], NULL},
		{"--session-lifetime", "SECONDS",
		 "end a web session this long after login (default 216000)",
		 &login_text[OPT_SESSION_LIFETIME], NULL},
		{"--lockout-window", "SECONDS",
		 "lock an e-mail out this long after its last failed login "
		 "(default 300)",
		 &login_text[OPT_LOCKOUT_WINDOW], NULL},
		{"--lockout-attempts", "N",
		 "failed logins that lock an e-mail out (default 5)",
		 &login_text[OPT_LOCKOUT_ATTEMPTS], NULL},
		{"--help", NULL, "show this help", NULL, &help},
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]), npos;
	long threads = sysconf(_SC_NPROCESSORS_ONLN), max_body;
	struct buf host = BUF_INIT;
	int port, rc;

	if (cli_parse(argc, argv, 2, opts, nopts, NULL, 0, &npos) < 0) {
		return 2;
	}
	if (help) {
		printf("usage: cairn serve --data DIR [options]\n");
		cli_print_options(opts, nopts);
		return 0;
	}
	if (!data) {
		fprintf(stderr, "error: missing --data DIR\n");
		return 2;
	}
	if (parse_listen(listen, &host, &port) < 0) {
		fprintf(stderr,
			"error: invalid --listen '%s': expected HOST:PORT, "
			"for example 127.0.0.1:8080 or [::1]:8080\n",
			listen);
		buf_release(&host);
		return 2;
	}
	if (threads < 1) {
		threads = 2;
	}
	if (threads_text && parse_positive(threads_text, 256, &threads) < 0) {
		fprintf(stderr, "error: invalid --threads '%s': expected 1 to "
				"256\n",
			threads_text);
		buf_release(&host);
		return 2;
	}
	max_body = DEFAULT_MAX_BODY;
	if (max_body_text &&
	    parse_positive(max_body_text, 1L << 34, &max_body) < 0) {
		fprintf(stderr, "error: invalid --max-body '%s': expected a "
				"positive number of bytes\n",
			max_body_text);
		buf_release(&host);
		return 2;
	}
	if (level && log_level_parse(level) < 0) {
		fprintf(stderr, "error: invalid --log-level '%s': expected "
				"debug, info, warn or error\n",
			level);
		buf_release(&host);
		return 2;
	}
	if (parse_login(login_text, opts, nopts, &login) < 0) {
		buf_release(&host);
		return 2;
	}
	if (level) {
		log_set_level((enum log_level)log_level_parse(level));
	}
	rc = serve(data, library, buf_str(&host), port, threads,
		   (size_t)max_body, &login);
	buf_release(&host);
	return rc;
}
