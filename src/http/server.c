/*
 * HTTP server on libmicrohttpd (0.9.75 on Debian 12); see server.h.
 *
 * Each request gets a struct request, which the URI log callback creates
 * as soon as the request line is read.  The completion callback frees it,
 * and libmicrohttpd 0.9.75 calls that callback for every request that
 * reached the URI log callback, however the request ended.  The same pair
 * counts the requests in progress, which http_stop() waits for.  Only the
 * worker thread that owns the connection touches the rest of a request.
 *
 * The URI log callback also keeps the path exactly as sent, because the
 * `url` that libmicrohttpd passes to the access handler is already
 * percent-decoded, and the router (path.c) decodes each segment itself.
 */
#include "http/server.h"
#include "core/log.h"

#include <microhttpd.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Maximum bytes that libmicrohttpd requests from a stream per call. */
#define STREAM_BLOCK_SIZE (32 * 1024)

/* Maximum path bytes written to a log line.  Longer paths are cut. */
#define LOG_PATH_MAX 512

struct http_server {
	struct MHD_Daemon *daemon;
	http_handler handler;
	void *ctx;
	void (*abort_requests)(void *ctx);
	size_t max_body;
	int port;
	atomic_int active;     /* requests between URI log and completion */
	atomic_bool stopping;  /* once set, responses carry Connection: close
				  and new requests get 503 */

	/* While http_start() runs, the first libmicrohttpd message is kept
	 * here, because MHD_start_daemon() reports failure only as NULL. */
	pthread_mutex_t start_lock;
	bool starting;
	struct buf start_error;
};

enum body_state { BODY_OK, BODY_TOO_BIG, BODY_NO_MEMORY };

struct request {
	struct http_server *server;
	struct timespec started; /* CLOCK_MONOTONIC, at the request line */
	struct buf method;
	struct buf path;         /* as sent, without the query string */
	struct buf query;        /* as sent, after the '?' */
	struct buf body;
	enum body_state body_state;
	bool headers_seen;       /* the access handler has run once */
	bool head;               /* HEAD: libmicrohttpd sends no body */
	int status;              /* 0 until a response is queued */
	int64_t user_id;
	size_t bytes_sent;       /* body bytes handed to libmicrohttpd */
};

/* Closure of a streamed response.  It outlives the request by a moment,
 * because libmicrohttpd destroys the response after the completion
 * callback, so only stream_read(), which runs before that, uses `request`. */
struct stream {
	http_stream_fn fn;
	void *ctx;
	void (*free_fn)(void *ctx);
	struct request *request;
};

/* Appends `s` to `b` as a JSON string.  Bytes from 0x80 up are written as
 * \u00XX, so the output is valid JSON whatever the input.  That misreads
 * UTF-8 only in a path whose client did not percent-encode it. */
static int add_json_string(struct buf *b, const char *s)
{
	int rc = buf_addc(b, '"');

	for (; rc == 0 && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			rc = buf_addc(b, '\\');
			rc = rc ? rc : buf_addc(b, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			rc = buf_printf(b, "\\u%04x", c);
		} else {
			rc = buf_addc(b, (char)c);
		}
	}
	return rc ? rc : buf_addc(b, '"');
}

/* Writes MISP's error body: {"name", "message", "url", "errors": [...]}. */
static int add_error_body(struct buf *b, const char *name,
			  const char *message, const char *url,
			  const char *error)
{
	int rc = 0;

	rc = rc ? rc : buf_adds(b, "{\"name\": ");
	rc = rc ? rc : add_json_string(b, name);
	rc = rc ? rc : buf_adds(b, ", \"message\": ");
	rc = rc ? rc : add_json_string(b, message);
	rc = rc ? rc : buf_adds(b, ", \"url\": ");
	rc = rc ? rc : add_json_string(b, url);
	rc = rc ? rc : buf_adds(b, ", \"errors\": [");
	rc = rc ? rc : add_json_string(b, error);
	rc = rc ? rc : buf_adds(b, "]}");
	return rc;
}

/* Appends `s` for a log line: control and non-ASCII bytes become \xNN so
 * that a client cannot forge lines or terminal sequences, and the text is
 * cut at LOG_PATH_MAX bytes. */
static void add_printable(struct buf *b, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < LOG_PATH_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\') {
			buf_printf(b, "\\x%02x", c);
		} else {
			buf_addc(b, (char)c);
		}
	}
	if (s[i]) {
		buf_adds(b, "...");
	}
}

static double elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1000.0 +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return NULL;
	case MHD_REQUEST_TERMINATED_WITH_ERROR:
		return "failed";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timed out";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "server stopped";
	case MHD_REQUEST_TERMINATED_READ_ERROR:
		return "read failed";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client closed the connection";
	}
	return "unknown termination";
}

/* Logs the one line per request.  Headers and bodies stay out of it,
 * because headers carry API keys and session cookies. */
static void log_request(const struct request *rq,
			enum MHD_RequestTerminationCode toe)
{
	const char *aborted = termination_name(toe);
	struct buf line = BUF_INIT;

	add_printable(&line, rq->method.len ? buf_str(&rq->method) : "-");
	buf_addc(&line, ' ');
	add_printable(&line, buf_str(&rq->path));
	buf_printf(&line, " status=%d bytes=%zu duration_ms=%.1f user=%lld",
		   rq->status, rq->bytes_sent, elapsed_ms(&rq->started),
		   (long long)rq->user_id);
	if (aborted) {
		buf_printf(&line, " aborted=\"%s\"", aborted);
	}
	log_info("http: %s", buf_str(&line));
	buf_release(&line);
}

static void request_free(struct request *rq)
{
	buf_release(&rq->method);
	buf_release(&rq->path);
	buf_release(&rq->query);
	buf_release(&rq->body);
	free(rq);
}

/* MHD_OPTION_URI_LOG_CALLBACK: called with the raw request target (path
 * and query) once the request line is read.  The return value becomes
 * the request's context pointer. */
static void *on_request_line(void *cls, const char *uri,
			     struct MHD_Connection *connection)
{
	struct http_server *s = cls;
	struct request *rq = calloc(1, sizeof(*rq));

	(void)connection;
	if (!rq) {
		log_error("http: out of memory for a new request");
		return NULL;
	}
	rq->server = s;
	clock_gettime(CLOCK_MONOTONIC, &rq->started);
	rq->body.max = s->max_body;
	if (buf_add(&rq->path, uri, strcspn(uri, "?")) < 0 ||
	    (uri[rq->path.len] == '?' &&
	     buf_adds(&rq->query, uri + rq->path.len + 1) < 0)) {
		log_error("http: out of memory for a new request");
		request_free(rq);
		return NULL;
	}
	atomic_fetch_add(&s->active, 1);
	return rq;
}

/* MHD_OPTION_NOTIFY_COMPLETED: called once per request that reached
 * on_request_line(), after its response is sent or the request failed. */
static void on_completed(void *cls, struct MHD_Connection *connection,
			 void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct request *rq = *req_cls;

	(void)connection;
	if (!rq) {
		return;
	}
	log_request(rq, toe);
	request_free(rq);
	*req_cls = NULL;
	atomic_fetch_sub(&s->active, 1);
}

/* MHD_OPTION_EXTERNAL_LOGGER: libmicrohttpd's own error messages. */
static void on_mhd_message(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	struct buf message = BUF_INIT;

	buf_vprintf(&message, fmt, ap);
	while (message.len > 0 && message.data[message.len - 1] == '\n') {
		message.data[--message.len] = '\0';
	}
	log_warn("http: libmicrohttpd: %s", buf_str(&message));

	pthread_mutex_lock(&s->start_lock);
	if (s->starting && s->start_error.len == 0) {
		buf_add(&s->start_error, message.data, message.len);
	}
	pthread_mutex_unlock(&s->start_lock);
	buf_release(&message);
}

/* Queues `response` with the Connection: close header when the server is
 * stopping, so keep-alive clients move on, and drops our reference. */
static enum MHD_Result queue_response(struct request *rq,
			     struct MHD_Connection *connection, int status,
			     struct MHD_Response *response)
{
	enum MHD_Result ret;

	if (atomic_load(&rq->server->stopping)) {
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION,
					"close");
	}
	ret = MHD_queue_response(connection, (unsigned)status, response);
	MHD_destroy_response(response);
	if (ret == MHD_NO) {
		log_error("http: failed to queue the %d response for '%s'",
			  status, buf_str(&rq->path));
		return MHD_NO;
	}
	rq->status = status;
	return MHD_YES;
}

/* Queues an error response in MISP's shape.  If even that cannot be
 * built, returns MHD_NO, which makes libmicrohttpd close the connection. */
static enum MHD_Result queue_error(struct request *rq,
				   struct MHD_Connection *connection,
				   int status, const char *name,
				   const char *message, const char *error)
{
	struct buf body = BUF_INIT;
	struct MHD_Response *response;
	size_t len;

	if (add_error_body(&body, name, message, buf_str(&rq->path), error) <
	    0) {
		buf_release(&body);
		log_error("http: out of memory for the %d response to '%s'",
			  status, buf_str(&rq->path));
		return MHD_NO;
	}
	len = body.len;
	response = MHD_create_response_from_buffer(len, buf_detach(&body),
						   MHD_RESPMEM_MUST_FREE);
	if (!response ||
	    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "application/json") == MHD_NO) {
		if (response) {
			MHD_destroy_response(response);
		}
		log_error("http: failed to create the %d response for '%s'",
			  status, buf_str(&rq->path));
		return MHD_NO;
	}
	rq->bytes_sent = rq->head ? 0 : len;
	return queue_response(rq, connection, status, response);
}

static enum MHD_Result queue_internal_error(struct request *rq,
					    struct MHD_Connection *connection)
{
	return queue_error(rq, connection, MHD_HTTP_INTERNAL_SERVER_ERROR,
			   "Internal server error",
			   "The server failed to build the response.",
			   "internal server error; the server log has the "
			   "cause");
}

static enum MHD_Result queue_too_big(struct request *rq,
				     struct MHD_Connection *connection)
{
	struct buf message = BUF_INIT;
	struct buf error = BUF_INIT;
	enum MHD_Result ret;
	size_t max = rq->server->max_body;

	if (buf_printf(&message,
		       "The request body exceeds the maximum of %zu bytes. "
		       "Send a smaller body.",
		       max) < 0 ||
	    buf_printf(&error, "request body larger than %zu bytes", max) <
		    0) {
		ret = MHD_NO;
	} else {
		ret = queue_error(rq, connection, MHD_HTTP_CONTENT_TOO_LARGE,
				  "Request body too large", buf_str(&message),
				  buf_str(&error));
	}
	buf_release(&message);
	buf_release(&error);
	return ret;
}

/* Content reader of a streamed response; see http_stream_fn. */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *st = cls;
	ssize_t n;

	(void)pos;
	n = st->fn(st->ctx, out, max);
	if (n == 0) {
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (n < 0 || (size_t)n > max) {
		log_error("http: stream for '%s' failed after %zu bytes "
			  "(returned %zd); closing the connection",
			  buf_str(&st->request->path),
			  st->request->bytes_sent, n);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	st->request->bytes_sent += (size_t)n;
	return n;
}

/* Frees the closure of a streamed response when libmicrohttpd destroys
 * the response.  This is the only call of stream_free for a stream that
 * was handed to libmicrohttpd. */
static void stream_end(void *cls)
{
	struct stream *st = cls;

	if (st->free_fn) {
		st->free_fn(st->ctx);
	}
	free(st);
}

/* Creates the response for a stream and takes the stream out of `rs`, so
 * that from here on only stream_end() frees it. */
static struct MHD_Response *create_stream_response(struct request *rq,
						   struct http_response *rs)
{
	struct stream *st = malloc(sizeof(*st));
	struct MHD_Response *response;

	if (!st) {
		return NULL;
	}
	st->fn = rs->stream;
	st->ctx = rs->stream_ctx;
	st->free_fn = rs->stream_free;
	st->request = rq;
	response = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, STREAM_BLOCK_SIZE, stream_read, st,
		stream_end);
	if (!response) {
		free(st);
		return NULL;
	}
	rs->stream = NULL;
	rs->stream_free = NULL;
	return response;
}

static struct MHD_Response *create_buffer_response(struct request *rq,
						   struct http_response *rs)
{
	size_t len = rs->body.len;
	char *data = buf_detach(&rs->body);
	struct MHD_Response *response;

	if (!data) {
		return NULL;
	}
	response = MHD_create_response_from_buffer(len, data,
						   MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(data);
		return NULL;
	}
	rq->bytes_sent = rq->head || rs->status == MHD_HTTP_NO_CONTENT ||
					 rs->status == MHD_HTTP_NOT_MODIFIED
				 ? 0
				 : len;
	return response;
}

static int add_headers(struct MHD_Response *response,
		       const struct http_response *rs)
{
	const char *type = rs->content_type ? rs->content_type
					    : "application/json";
	size_t n = rs->nheaders < HTTP_MAX_HEADERS ? rs->nheaders
						   : HTTP_MAX_HEADERS;

	if (MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
				    type) == MHD_NO) {
		return CAIRN_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (MHD_add_response_header(response, rs->header_names[i],
					    rs->header_values[i]) == MHD_NO) {
			log_error("http: invalid response header '%s'",
				  rs->header_names[i]);
			return CAIRN_EINVAL;
		}
	}
	return 0;
}

/* Frees what the handler left in `rs`, including a stream that was never
 * handed to libmicrohttpd. */
static void response_release(struct http_response *rs)
{
	if (rs->stream && rs->stream_free) {
		rs->stream_free(rs->stream_ctx);
	}
	rs->stream = NULL;
	buf_release(&rs->body);
	for (size_t i = 0; i < rs->nheaders && i < HTTP_MAX_HEADERS; i++) {
		free(rs->header_values[i]);
		rs->header_values[i] = NULL;
	}
	rs->nheaders = 0;
}

static enum MHD_Result queue_handler_response(struct request *rq,
					      struct MHD_Connection *connection,
					      struct http_response *rs)
{
	struct MHD_Response *response;

	if (rs->status < 100 || rs->status > 999) {
		log_error("http: handler for '%s' set invalid status %d",
			  buf_str(&rq->path), rs->status);
		return queue_internal_error(rq, connection);
	}
	response = rs->stream ? create_stream_response(rq, rs)
			      : create_buffer_response(rq, rs);
	if (!response) {
		log_error("http: out of memory for the response to '%s'",
			  buf_str(&rq->path));
		return queue_internal_error(rq, connection);
	}
	if (add_headers(response, rs) < 0) {
		MHD_destroy_response(response);
		rq->bytes_sent = 0;
		return queue_internal_error(rq, connection);
	}
	return queue_response(rq, connection, rs->status, response);
}

static const struct sockaddr *connection_peer(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return info ? info->client_addr : NULL;
}

/* Writes the numeric form of `sa` into `out` (NI_MAXHOST bytes), or ""
 * when there is no address. */
static void peer_address(const struct sockaddr *sa, char *out)
{
	socklen_t len;

	out[0] = '\0';
	if (!sa) {
		return;
	}
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					: sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, out, NI_MAXHOST, NULL, 0, NI_NUMERICHOST) !=
	    0) {
		out[0] = '\0';
	}
}

/* A TLS connection has a GnuTLS session; a plain one has none. */
static bool connection_tls(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);

	return info && info->tls_session;
}

static enum MHD_Result run_handler(struct request *rq,
				   struct MHD_Connection *connection)
{
	struct http_server *s = rq->server;
	char peer[NI_MAXHOST];
	struct http_request request = {
		.method = buf_str(&rq->method),
		.path = buf_str(&rq->path),
		.query = buf_str(&rq->query),
		.body = buf_str(&rq->body),
		.body_len = rq->body.len,
		.peer = connection_peer(connection),
		.peer_ip = peer,
		.connection = connection,
	};
	struct http_response rs = {.status = MHD_HTTP_OK};
	enum MHD_Result ret;

	peer_address(request.peer, peer);
	request.tls = connection_tls(connection);

	s->handler(s->ctx, &request, &rs);
	rq->user_id = rs.user_id;
	ret = queue_handler_response(rq, connection, &rs);
	response_release(&rs);
	return ret;
}

/* Returns true when the client declared a body over the limit and waits
 * for "100 Continue" before sending it.  A 413 sent now saves the upload,
 * and the connection closes cleanly because no body is in flight. */
static bool declared_too_big(const struct http_server *s,
			     struct MHD_Connection *connection)
{
	const char *expect = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	const char *length = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long n;
	char *end;

	if (!expect || strcasecmp(expect, "100-continue") != 0 || !length) {
		return false;
	}
	errno = 0;
	n = strtoull(length, &end, 10);
	if (end == length || *end != '\0') {
		return false;
	}
	return errno == ERANGE || n > s->max_body;
}

/* Appends an upload chunk, or records why the body is unusable.  Past the
 * limit the rest of the body is read and dropped, because a client that
 * is still sending would miss a 413 sent before it reads.
 * NOTE: the dropped part has no size limit, and only the idle timeout
 * ends a client that keeps sending. */
static void add_body_chunk(struct request *rq, const char *data, size_t len)
{
	if (rq->body_state != BODY_OK) {
		return;
	}
	if (len > rq->server->max_body - rq->body.len) {
		rq->body_state = BODY_TOO_BIG;
		buf_release(&rq->body);
		return;
	}
	if (buf_add(&rq->body, data, len) < 0) {
		log_error("http: out of memory for the body of '%s'",
			  buf_str(&rq->path));
		rq->body_state = BODY_NO_MEMORY;
		buf_release(&rq->body);
	}
}

/* The access handler.  libmicrohttpd calls it once when the headers are
 * read, once per chunk of body, and once more with no data when the
 * request is complete.  Only that last call runs the handler. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct request *rq = *req_cls;

	(void)cls;
	(void)url;
	(void)version;
	if (!rq) {
		return MHD_NO;
	}
	if (!rq->headers_seen) {
		rq->headers_seen = true;
		rq->head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		if (buf_adds(&rq->method, method) < 0) {
			log_error("http: out of memory for a new request");
			return MHD_NO;
		}
		if (atomic_load(&rq->server->stopping)) {
			return queue_error(rq, connection,
					   MHD_HTTP_SERVICE_UNAVAILABLE,
					   "Service unavailable",
					   "The server is shutting down. Retry "
					   "the request later.",
					   "server shutting down");
		}
		if (declared_too_big(rq->server, connection)) {
			return queue_too_big(rq, connection);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		add_body_chunk(rq, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	switch (rq->body_state) {
	case BODY_TOO_BIG:
		return queue_too_big(rq, connection);
	case BODY_NO_MEMORY:
		return queue_internal_error(rq, connection);
	case BODY_OK:
		break;
	}
	return run_handler(rq, connection);
}

const char *http_header(const struct http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->connection, MHD_HEADER_KIND,
					   name);
}

const char *http_query(const struct http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->connection,
					   MHD_GET_ARGUMENT_KIND, name);
}

int http_response_header(struct http_response *rs, const char *name,
			 const char *value)
{
	struct buf copy = BUF_INIT;

	if (rs->nheaders >= HTTP_MAX_HEADERS) {
		return CAIRN_ETOOBIG;
	}
	if (buf_adds(&copy, value) < 0) {
		return CAIRN_ENOMEM;
	}
	rs->header_names[rs->nheaders] = name;
	rs->header_values[rs->nheaders] = buf_detach(&copy);
	if (!rs->header_values[rs->nheaders]) {
		return CAIRN_ENOMEM;
	}
	rs->nheaders++;
	return 0;
}

/* Fills `addr` from a numeric IPv4 or IPv6 address (an IPv6 address may
 * carry a scope, "fe80::1%eth0"). */
static int parse_address(struct sockaddr_storage *addr, const char *host,
			 int port, struct cairn_err *e)
{
	struct addrinfo hints = {0};
	struct addrinfo *res = NULL;
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res || res->ai_addrlen > sizeof(*addr)) {
		if (res) {
			freeaddrinfo(res);
		}
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid listen address '%s': expected "
				     "a numeric IPv4 or IPv6 address such as "
				     "127.0.0.1 or ::1",
				     host);
	}
	memset(addr, 0, sizeof(*addr));
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (addr->ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;

		in6->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *in4 = (struct sockaddr_in *)addr;

		in4->sin_port = htons((uint16_t)port);
	}
	return 0;
}

static int check_config(const struct http_config *cfg, struct cairn_err *e)
{
	if (!cfg->host || !cfg->handler) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "http server needs a host and a handler");
	}
	if (cfg->port < 0 || cfg->port > 65535) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid port %d: expected 0 to 65535",
				     cfg->port);
	}
	if (cfg->threads < 1) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid thread count %d: expected at "
				     "least 1",
				     cfg->threads);
	}
	if ((cfg->tls_cert_pem || cfg->tls_key_pem) &&
	    MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "this libmicrohttpd was built without "
				     "TLS support; install one built with "
				     "GnuTLS or serve plain HTTP behind a "
				     "reverse proxy");
	}
	return 0;
}

static unsigned poll_flags(const struct sockaddr_storage *addr)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;

	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES) {
		flags |= MHD_USE_EPOLL;
	} else {
		flags |= MHD_USE_AUTO;
	}
	if (addr->ss_family == AF_INET6) {
		/* Without MHD_USE_DUAL_STACK this also sets IPV6_V6ONLY, so
		 * the socket binds exactly the address given. */
		flags |= MHD_USE_IPv6;
	}
	return flags;
}

/* Options beyond the fixed ones of start_daemon(); a few spare. */
#define MAX_DAEMON_OPTIONS 16

static void add_option(struct MHD_OptionItem *opts, size_t *n,
		       enum MHD_OPTION option, intptr_t value, void *ptr)
{
	opts[(*n)++] = (struct MHD_OptionItem){option, value, ptr};
}

static struct MHD_Daemon *start_daemon(struct http_server *s,
				       const struct http_config *cfg,
				       struct sockaddr_storage *addr)
{
	struct MHD_OptionItem opts[MAX_DAEMON_OPTIONS];
	unsigned flags = poll_flags(addr);
	size_t n = 0;

	add_option(opts, &n, MHD_OPTION_SOCK_ADDR, 0, addr);
	add_option(opts, &n, MHD_OPTION_CONNECTION_LIMIT,
		   cfg->max_connections ? cfg->max_connections
					: HTTP_DEFAULT_MAX_CONNECTIONS,
		   NULL);
	add_option(opts, &n, MHD_OPTION_CONNECTION_TIMEOUT,
		   cfg->timeout_s ? cfg->timeout_s : HTTP_DEFAULT_TIMEOUT_S,
		   NULL);
	/* libmicrohttpd warns about a pool of one thread, which is the same
	 * as no pool, so then the pool option is left out. */
	if (cfg->threads > 1) {
		add_option(opts, &n, MHD_OPTION_THREAD_POOL_SIZE,
			   cfg->threads, NULL);
	}
	if (cfg->tls_cert_pem && cfg->tls_key_pem) {
		flags |= MHD_USE_TLS;
		add_option(opts, &n, MHD_OPTION_HTTPS_MEM_CERT, 0,
			   (void *)cfg->tls_cert_pem);
		add_option(opts, &n, MHD_OPTION_HTTPS_MEM_KEY, 0,
			   (void *)cfg->tls_key_pem);
	}
	add_option(opts, &n, MHD_OPTION_END, 0, NULL);

	/* The callbacks stay in the variable list, which takes function
	 * pointers without a cast to intptr_t. */
	return MHD_start_daemon(
		flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_message, s,
		MHD_OPTION_URI_LOG_CALLBACK, on_request_line, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

static void server_free(struct http_server *s)
{
	pthread_mutex_destroy(&s->start_lock);
	buf_release(&s->start_error);
	free(s);
}

int http_start(struct http_server **out, const struct http_config *cfg,
	       struct cairn_err *e)
{
	struct sockaddr_storage addr;
	const union MHD_DaemonInfo *info;
	struct http_server *s;
	int rc;

	*out = NULL;
	rc = check_config(cfg, e);
	if (rc == 0) {
		rc = parse_address(&addr, cfg->host, cfg->port, e);
	}
	if (rc < 0) {
		return rc;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory starting http server");
	}
	s->handler = cfg->handler;
	s->ctx = cfg->ctx;
	s->abort_requests = cfg->abort_requests;
	s->max_body = cfg->max_body;
	atomic_init(&s->active, 0);
	atomic_init(&s->stopping, false);
	pthread_mutex_init(&s->start_lock, NULL);
	s->starting = true;

	s->daemon = start_daemon(s, cfg, &addr);

	pthread_mutex_lock(&s->start_lock);
	s->starting = false;
	pthread_mutex_unlock(&s->start_lock);
	if (!s->daemon) {
		rc = cairn_err_set(e, CAIRN_EIO,
				   "failed to start http server on '%s' port "
				   "%d: %s",
				   cfg->host, cfg->port,
				   s->start_error.len
					   ? buf_str(&s->start_error)
					   : "libmicrohttpd gave no reason");
		server_free(s);
		return rc;
	}

	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	log_info("http: listening on '%s' port %d (%s) with %d threads",
		 cfg->host, s->port, cfg->tls_cert_pem ? "HTTPS" : "HTTP",
		 cfg->threads);
	*out = s;
	return 0;
}

int http_port(const struct http_server *s)
{
	return s->port;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

void http_stop(struct http_server *s)
{
	struct timespec started;
	int active;

	if (!s) {
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &started);
	/* NOTE: MHD_quiesce_daemon() would stop accepting, but on an epoll
	 * thread pool it races with the workers' own removal of the listen
	 * socket and can abort the process in libmicrohttpd 0.9.75 ("Failed
	 * to remove listen FD from epoll set"), so connections are still
	 * accepted until MHD_stop_daemon() and their requests get 503. */
	atomic_store(&s->stopping, true);

	/* MHD_stop_daemon() closes every connection, including those whose
	 * response is still being written, so wait for them first. */
	while (atomic_load(&s->active) > 0 &&
	       elapsed_ms(&started) < HTTP_STOP_GRACE_MS) {
		sleep_ms(10);
	}
	active = atomic_load(&s->active);
	if (active > 0) {
		log_warn("http: closing %d connections whose requests are "
			 "still in progress after %d ms",
			 active, HTTP_STOP_GRACE_MS);
		if (s->abort_requests) {
			s->abort_requests(s->ctx);
		}
	}

	MHD_stop_daemon(s->daemon);
	log_info("http: stopped listening on port %d", s->port);
	server_free(s);
}
