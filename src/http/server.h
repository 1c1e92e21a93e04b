/*
 * HTTP server: libmicrohttpd with a fixed pool of worker threads.
 *
 * The server reads a whole request body (up to a configured maximum, past
 * which it replies 413 itself), then calls one handler in the worker
 * thread.  The handler fills a struct http_response, either with a body in
 * a buffer or with a stream callback for long responses, which the server
 * sends with chunked transfer.  The server logs one line per request:
 * method, path, status, bytes, duration and the user id the handler set.
 * It knows nothing of MISP.
 */
#ifndef CAIRN_HTTP_SERVER_H
#define CAIRN_HTTP_SERVER_H

#include "core/buf.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct http_server;

struct http_request {
	const char *method; /* "GET", "POST", "HEAD", ... */
	const char *path;   /* URL path as sent, without the query string */
	const char *query;  /* query string as sent, after the '?'; "" when
			       none */
	const char *body;   /* request body, NUL-terminated; "" when none */
	size_t body_len;
	/* The TCP peer's address, never a forwarded-for header; NULL when
	 * libmicrohttpd reports none.  Valid until the handler returns. */
	const struct sockaddr *peer;
	const char *peer_ip; /* the same address as numeric text ("127.0.0.1",
				"::1"), or "" when there is none */
	bool tls;            /* the connection is TLS (HTTPS) */
	void *connection; /* opaque; for http_header() and http_query() */
};

/* Returns the value of a request header (case-insensitive) or NULL.  The
 * string lives until the handler returns. */
const char *http_header(const struct http_request *rq, const char *name);

/* Returns the value of a query-string argument, percent-decoded and with
 * '+' read as a space, or NULL when the argument is missing or has no '='.
 * libmicrohttpd 0.9.75 matches the name case-insensitively.  The string
 * lives until the handler returns. */
const char *http_query(const struct http_request *rq, const char *name);

/* Writes up to `max` bytes of a streamed body into `out`.  Returns the
 * number written, 0 at the end, or -1 on an error (the connection is then
 * closed, since the status line is already sent). */
typedef ssize_t (*http_stream_fn)(void *ctx, char *out, size_t max);

#define HTTP_MAX_HEADERS 8

struct http_response {
	int status;               /* default 200 */
	const char *content_type; /* default "application/json" */
	struct buf body;          /* used when stream is NULL */
	http_stream_fn stream;    /* set for a streamed body */
	void *stream_ctx;
	/* Called exactly once after the handler returns with `stream` set:
	 * when the stream ends, fails, or is never read (HEAD, or the
	 * connection closed first).  May be NULL. */
	void (*stream_free)(void *ctx);
	int64_t user_id;                /* for the log line; 0 if none */
	size_t nheaders;
	const char *header_names[HTTP_MAX_HEADERS];  /* static strings */
	char *header_values[HTTP_MAX_HEADERS];       /* owned, freed by server */
};

/* Adds a response header; the value is copied.  Returns 0 or
 * CAIRN_ENOMEM, or CAIRN_ETOOBIG when HTTP_MAX_HEADERS are set. */
int http_response_header(struct http_response *rs, const char *name,
			 const char *value);

typedef void (*http_handler)(void *ctx, const struct http_request *rq,
			     struct http_response *rs);

#define HTTP_DEFAULT_MAX_CONNECTIONS 1024
#define HTTP_DEFAULT_TIMEOUT_S 30

struct http_config {
	const char *host;  /* numeric IPv4 or IPv6 address */
	int port;          /* 0 picks a free port; see http_port() */
	int threads;       /* worker threads, at least 1 */
	size_t max_body;   /* bytes; larger bodies get 413; 0 allows none */
	http_handler handler;
	void *ctx;         /* passed to handler */
	unsigned max_connections; /* 0 means HTTP_DEFAULT_MAX_CONNECTIONS */
	unsigned timeout_s; /* idle seconds before a connection is closed;
			       0 means HTTP_DEFAULT_TIMEOUT_S */
	/* PEM text of the certificate chain and its private key; when both
	 * are set the server speaks HTTPS (libmicrohttpd with GnuTLS).  They
	 * must stay valid until http_stop(). */
	const char *tls_cert_pem;
	const char *tls_key_pem;
	/* Called by http_stop() when requests are still in progress after
	 * HTTP_STOP_GRACE_MS, to make their handlers return soon; may be
	 * NULL.  Runs in the thread that called http_stop(). */
	void (*abort_requests)(void *ctx);
};

/* Starts listening and serving.  On failure fills `e` (for example, the
 * address is in use) and returns a negative code: CAIRN_EINVAL for an
 * invalid configuration, CAIRN_EIO when libmicrohttpd fails to start. */
int http_start(struct http_server **out, const struct http_config *cfg,
	       struct cairn_err *e);

/* A handler that responds to every request with 301 Moved Permanently to
 * the same path and query on another origin.  `ctx` is the target's base
 * URL without a final '/', such as "https://misp.example.org". */
void http_redirect_handler(void *ctx, const struct http_request *rq,
			   struct http_response *rs);

/* Returns the port the server listens on. */
int http_port(const struct http_server *s);

/* Answers requests that start from now on with 503, lets requests in
 * progress finish, stops listening and frees the server.  Requests still in progress after HTTP_STOP_GRACE_MS have
 * their connections closed, after abort_requests runs, but a handler that
 * is running is waited for, so a handler that never returns blocks
 * http_stop().  NULL is ignored. */
#define HTTP_STOP_GRACE_MS 1000
void http_stop(struct http_server *s);

#endif
