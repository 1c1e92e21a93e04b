/*
 * Tests of src/http: path splitting, and a real server on 127.0.0.1 with
 * a port picked by the kernel, spoken to over plain sockets.
 */
#include "core/buf.h"
#include "core/err.h"
#include "http/path.h"
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* ---- path_parse ---- */

static void parse_ok(struct path *p, const char *raw)
{
	struct cairn_err e = CAIRN_ERR_INIT;

	*p = (struct path)PATH_INIT;
	assert_int_equal(path_parse(p, raw, &e), 0);
	assert_int_equal(e.code, 0);
	cairn_err_release(&e);
}

static void parse_fails(const char *raw, int code)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct path p = PATH_INIT;

	assert_int_equal(path_parse(&p, raw, &e), code);
	assert_int_equal(e.code, code);
	assert_true(e.message.len > 0);
	assert_null(p.segments);
	assert_int_equal(p.nsegments, 0);
	assert_null(p.named);
	assert_int_equal(p.nnamed, 0);
	cairn_err_release(&e);
}

static void path_splits_segments(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/events/view/12");
	assert_int_equal(p.nsegments, 3);
	assert_string_equal(p.segments[0], "events");
	assert_string_equal(p.segments[1], "view");
	assert_string_equal(p.segments[2], "12");
	assert_int_equal(p.nnamed, 0);
	path_release(&p);
	assert_null(p.segments);
	assert_int_equal(p.nsegments, 0);
}

static void path_skips_empty_segments(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "//events///index/");
	assert_int_equal(p.nsegments, 2);
	assert_string_equal(p.segments[0], "events");
	assert_string_equal(p.segments[1], "index");
	path_release(&p);

	parse_ok(&p, "/");
	assert_int_equal(p.nsegments, 0);
	assert_int_equal(p.nnamed, 0);
	path_release(&p);

	parse_ok(&p, "");
	assert_int_equal(p.nsegments, 0);
	path_release(&p);

	/* No leading slash: still split. */
	parse_ok(&p, "events/index");
	assert_int_equal(p.nsegments, 2);
	path_release(&p);
}

static void path_ends_at_query(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/events/view/12?deleted=1&x=/y");
	assert_int_equal(p.nsegments, 3);
	assert_string_equal(p.segments[2], "12");
	path_release(&p);
}

static void path_collects_named(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/attributes/restSearch/returnFormat:csv/type:ip-dst");
	assert_int_equal(p.nsegments, 2);
	assert_string_equal(p.segments[0], "attributes");
	assert_string_equal(p.segments[1], "restSearch");
	assert_int_equal(p.nnamed, 2);
	assert_string_equal(p.named[0].key, "returnFormat");
	assert_string_equal(p.named[0].value, "csv");
	assert_string_equal(p.named[1].key, "type");
	assert_string_equal(p.named[1].value, "ip-dst");
	assert_string_equal(path_named(&p, "returnFormat"), "csv");
	assert_string_equal(path_named(&p, "type"), "ip-dst");
	assert_null(path_named(&p, "returnformat"));
	assert_null(path_named(&p, "missing"));
	path_release(&p);
}

static void path_named_between_positional(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/events/add/metadata:1/extra/limit:10/page:2/last");
	assert_int_equal(p.nsegments, 4);
	assert_string_equal(p.segments[0], "events");
	assert_string_equal(p.segments[1], "add");
	assert_string_equal(p.segments[2], "extra");
	assert_string_equal(p.segments[3], "last");
	assert_int_equal(p.nnamed, 3);
	assert_string_equal(path_named(&p, "metadata"), "1");
	assert_string_equal(path_named(&p, "limit"), "10");
	assert_string_equal(path_named(&p, "page"), "2");
	path_release(&p);
}

static void path_named_value_forms(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/events/index/last:7d/timestamp:1d:2d/limit:/"
		     "value:a%20b/tag_1:tlp%3Awhite");
	assert_int_equal(p.nsegments, 2);
	assert_string_equal(path_named(&p, "last"), "7d");
	assert_string_equal(path_named(&p, "timestamp"), "1d:2d");
	assert_string_equal(path_named(&p, "limit"), "");
	assert_string_equal(path_named(&p, "value"), "a b");
	assert_string_equal(path_named(&p, "tag_1"), "tlp:white");
	path_release(&p);

	/* A repeated key: the last value wins. */
	parse_ok(&p, "/events/index/page:1/page:3");
	assert_int_equal(p.nnamed, 2);
	assert_string_equal(path_named(&p, "page"), "3");
	path_release(&p);
}

static void path_not_named(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/events/view/5f2c1b7e-0b5c-4d0e-9e8a-2f1c3d4e5f60/"
		     ":value/a-b:c/%41:b/key%3Avalue/a.b:c");
	assert_int_equal(p.nnamed, 0);
	assert_int_equal(p.nsegments, 8);
	assert_string_equal(p.segments[2],
			    "5f2c1b7e-0b5c-4d0e-9e8a-2f1c3d4e5f60");
	assert_string_equal(p.segments[3], ":value");
	assert_string_equal(p.segments[4], "a-b:c");
	assert_string_equal(p.segments[5], "A:b");
	assert_string_equal(p.segments[6], "key:value");
	assert_string_equal(p.segments[7], "a.b:c");
	path_release(&p);
}

static void path_strips_json_suffix(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/events/view/12.json");
	assert_int_equal(p.nsegments, 3);
	assert_string_equal(p.segments[2], "12");
	path_release(&p);

	parse_ok(&p, "/events.json");
	assert_int_equal(p.nsegments, 1);
	assert_string_equal(p.segments[0], "events");
	path_release(&p);

	parse_ok(&p, "/events/view/12.json/");
	assert_int_equal(p.nsegments, 3);
	assert_string_equal(p.segments[2], "12");
	path_release(&p);

	parse_ok(&p, "/events/index/limit:10.json");
	assert_int_equal(p.nsegments, 2);
	assert_string_equal(path_named(&p, "limit"), "10");
	path_release(&p);

	parse_ok(&p, "/events.json?x=1.json");
	assert_int_equal(p.nsegments, 1);
	assert_string_equal(p.segments[0], "events");
	path_release(&p);

	/* Only the last segment, only lower case, only once. */
	parse_ok(&p, "/a.json/b.JSON/c.json.json");
	assert_int_equal(p.nsegments, 3);
	assert_string_equal(p.segments[0], "a.json");
	assert_string_equal(p.segments[1], "b.JSON");
	assert_string_equal(p.segments[2], "c.json");
	path_release(&p);

	/* A last segment of only ".json" leaves nothing. */
	parse_ok(&p, "/events/.json");
	assert_int_equal(p.nsegments, 1);
	assert_string_equal(p.segments[0], "events");
	path_release(&p);
}

static void path_decodes_percent(void **state)
{
	struct path p;

	(void)state;
	parse_ok(&p, "/a%20b/c%2Fd/e+f/%2f%3a%7E/%C3%A9");
	assert_int_equal(p.nsegments, 5);
	assert_string_equal(p.segments[0], "a b");
	assert_string_equal(p.segments[1], "c/d");
	assert_string_equal(p.segments[2], "e+f");
	assert_string_equal(p.segments[3], "/:~");
	assert_string_equal(p.segments[4], "\xc3\xa9");
	path_release(&p);
}

static void path_rejects_bad_escapes(void **state)
{
	(void)state;
	parse_fails("/a%", CAIRN_EINVAL);
	parse_fails("/a%2", CAIRN_EINVAL);
	parse_fails("/a%2/b", CAIRN_EINVAL);
	parse_fails("/a%zz", CAIRN_EINVAL);
	parse_fails("/a%2g", CAIRN_EINVAL);
	parse_fails("/a%g2", CAIRN_EINVAL);
	parse_fails("/ok/x%00y", CAIRN_EINVAL);
	parse_fails("/events/index/value:%zz", CAIRN_EINVAL);
	parse_fails("/events/index/value:%00", CAIRN_EINVAL);
}

static void path_escape_error_names_segment(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct path p = PATH_INIT;

	(void)state;
	assert_int_equal(path_parse(&p, "/events/bad%zzone/x", &e),
			 CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "'bad%zzone'"));
	cairn_err_release(&e);
}

static void path_limits_segment_count(void **state)
{
	struct buf raw = BUF_INIT;
	struct path p;

	(void)state;
	for (int i = 0; i < PATH_MAX_SEGMENTS; i++) {
		buf_printf(&raw, i % 2 ? "/s%d" : "/k%d:v", i);
	}
	parse_ok(&p, buf_str(&raw));
	assert_int_equal(p.nsegments + p.nnamed, PATH_MAX_SEGMENTS);
	assert_string_equal(path_named(&p, "k0"), "v");
	assert_string_equal(p.segments[p.nsegments - 1], "s63");
	path_release(&p);

	buf_adds(&raw, "/one-too-many");
	parse_fails(buf_str(&raw), CAIRN_ETOOBIG);

	/* Empty segments do not count. */
	buf_clear(&raw);
	for (int i = 0; i < 1000; i++) {
		buf_addc(&raw, '/');
	}
	buf_adds(&raw, "x");
	parse_ok(&p, buf_str(&raw));
	assert_int_equal(p.nsegments, 1);
	path_release(&p);
	buf_release(&raw);
}

/* ---- a test handler ---- */

struct fixture {
	struct http_server *server;
	int port;
	atomic_int handler_calls;
	atomic_int stream_frees;
	atomic_bool slow_started;
};

struct counter_stream {
	struct fixture *fixture;
	int next;
	int fail_after; /* chunks before returning -1; 0 never fails */
};

#define STREAM_CHUNKS 10

static ssize_t counter_read(void *ctx, char *out, size_t max)
{
	struct counter_stream *cs = ctx;
	struct buf chunk = BUF_INIT;
	size_t n;

	if (cs->fail_after && cs->next == cs->fail_after) {
		return -1;
	}
	if (cs->next == STREAM_CHUNKS) {
		return 0;
	}
	buf_printf(&chunk, "chunk %d\n", cs->next++);
	n = chunk.len < max ? chunk.len : max;
	memcpy(out, chunk.data, n);
	buf_release(&chunk);
	return (ssize_t)n;
}

static void counter_free(void *ctx)
{
	struct counter_stream *cs = ctx;

	atomic_fetch_add(&cs->fixture->stream_frees, 1);
	free(cs);
}

static void start_stream(struct fixture *f, struct http_response *rs,
			 int fail_after)
{
	struct counter_stream *cs = calloc(1, sizeof(*cs));

	assert_non_null(cs);
	cs->fixture = f;
	cs->fail_after = fail_after;
	rs->stream = counter_read;
	rs->stream_ctx = cs;
	rs->stream_free = counter_free;
	rs->content_type = "text/plain";
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void test_handler(void *ctx, const struct http_request *rq,
			 struct http_response *rs)
{
	struct fixture *f = ctx;
	const char *value;

	atomic_fetch_add(&f->handler_calls, 1);
	if (strcmp(rq->path, "/hello") == 0) {
		buf_adds(&rs->body, "{\"hello\": \"world\"}");
		http_response_header(rs, "X-Test", "yes");
		rs->user_id = 42;
	} else if (strcmp(rq->path, "/echo") == 0) {
		buf_add(&rs->body, rq->body, rq->body_len);
		rs->content_type = "text/plain";
	} else if (strcmp(rq->path, "/lookup") == 0) {
		value = http_query(rq, "q");
		buf_printf(&rs->body, "q=%s;", value ? value : "(null)");
		value = http_query(rq, "missing");
		buf_printf(&rs->body, "missing=%s;", value ? value : "(null)");
		value = http_query(rq, "flag");
		buf_printf(&rs->body, "flag=%s;", value ? value : "(null)");
		value = http_query(rq, "empty");
		buf_printf(&rs->body, "empty=%s;", value ? value : "(null)");
		value = http_header(rq, "x-api-key");
		buf_printf(&rs->body, "key=%s", value ? value : "(null)");
	} else if (strcmp(rq->path, "/stream") == 0) {
		start_stream(f, rs, 0);
	} else if (strcmp(rq->path, "/stream-fail") == 0) {
		start_stream(f, rs, 3);
	} else if (strcmp(rq->path, "/slow") == 0) {
		atomic_store(&f->slow_started, true);
		sleep_ms(300);
		buf_adds(&rs->body, "slow done");
	} else if (strcmp(rq->path, "/bad-status") == 0) {
		rs->status = 42;
	} else if (strcmp(rq->path, "/bad-header") == 0) {
		http_response_header(rs, "X-Bad", "a\r\nInjected: 1");
	} else if (strncmp(rq->path, "/raw/", 5) == 0) {
		buf_adds(&rs->body, rq->path);
	} else if (strcmp(rq->path, "/query") == 0) {
		buf_printf(&rs->body, "[%s]", rq->query);
	} else {
		rs->status = 404;
	}
}

static int start_fixture(void **state, const char *host, size_t max_body)
{
	struct http_config cfg = {
		.host = host,
		.port = 0,
		.threads = 2,
		.max_body = max_body,
		.handler = test_handler,
	};
	struct cairn_err e = CAIRN_ERR_INIT;
	struct fixture *f = calloc(1, sizeof(*f));
	int rc;

	if (!f) {
		return -1;
	}
	cfg.ctx = f;
	rc = http_start(&f->server, &cfg, &e);
	if (rc < 0) {
		print_error("http_start: %s\n", buf_str(&e.message));
		cairn_err_release(&e);
		free(f);
		return rc;
	}
	f->port = http_port(f->server);
	*state = f;
	return 0;
}

static int setup_server(void **state)
{
	return start_fixture(state, "127.0.0.1", 1024);
}

/* Tests that stop the server themselves set f->server to NULL. */
static int teardown_server(void **state)
{
	struct fixture *f = *state;

	http_stop(f->server);
	free(f);
	return 0;
}

/* ---- a minimal HTTP/1.1 client ---- */

struct reply {
	int status;
	struct buf head;  /* status line and headers, lower-cased */
	struct buf body;  /* de-chunked when chunked */
	bool chunked;
	bool complete;    /* a chunked body ended with its last chunk */
};

static int connect_to(int family, const char *address, int port)
{
	struct sockaddr_storage ss = {0};
	struct timeval timeout = {5, 0};
	socklen_t len;
	int fd = socket(family, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, address, &a->sin6_addr),
				 1);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, address, &a->sin_addr), 1);
		len = sizeof(*a);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		data += n;
		len -= (size_t)n;
	}
}

static void read_to_eof(int fd, struct buf *raw)
{
	char chunk[4096];
	ssize_t n;

	while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0) {
		assert_int_equal(buf_add(raw, chunk, (size_t)n), 0);
	}
	/* A reset after the response still leaves what was read. */
	assert_true(n == 0 || errno == ECONNRESET);
}

static void dechunk(struct reply *r, const char *p, const char *end)
{
	while (p < end) {
		char *line_end;
		unsigned long size = strtoul(p, &line_end, 16);

		if (line_end == p || end - line_end < 2 ||
		    memcmp(line_end, "\r\n", 2) != 0) {
			return;
		}
		p = line_end + 2;
		if (size == 0) {
			r->complete = true;
			return;
		}
		if ((size_t)(end - p) < size + 2) {
			return;
		}
		buf_add(&r->body, p, size);
		p += size + 2;
	}
}

static void parse_reply(struct reply *r, const struct buf *raw)
{
	const char *text = buf_str(raw);
	const char *blank = strstr(text, "\r\n\r\n");

	assert_non_null(blank);
	assert_int_equal(strncmp(text, "HTTP/1.1 ", 9), 0);
	r->status = (int)strtol(text + 9, NULL, 10);
	for (const char *c = text; c < blank + 2; c++) {
		buf_addc(&r->head, (char)(*c >= 'A' && *c <= 'Z' ? *c + 32
							      : *c));
	}
	r->chunked = strstr(buf_str(&r->head),
			    "\r\ntransfer-encoding: chunked\r\n") != NULL;
	if (r->chunked) {
		dechunk(r, blank + 4, text + raw->len);
	} else {
		size_t head_len = (size_t)(blank + 4 - text);

		buf_add(&r->body, blank + 4, raw->len - head_len);
	}
}

/* Sends `request` on a new connection to 127.0.0.1 and reads the reply
 * until the server closes the connection. */
static void exchange(int port, const char *request, size_t len,
		     struct reply *r)
{
	struct buf raw = BUF_INIT;
	int fd = connect_to(AF_INET, "127.0.0.1", port);

	assert_true(fd >= 0);
	send_all(fd, request, len);
	read_to_eof(fd, &raw);
	close(fd);
	memset(r, 0, sizeof(*r));
	parse_reply(r, &raw);
	buf_release(&raw);
}

static void get(int port, const char *method, const char *target,
		const char *extra_headers, struct reply *r)
{
	struct buf request = BUF_INIT;

	buf_printf(&request,
		   "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: "
		   "close\r\n\r\n",
		   method, target, extra_headers ? extra_headers : "");
	exchange(port, request.data, request.len, r);
	buf_release(&request);
}

static void post(int port, const char *target, size_t body_len,
		 struct reply *r)
{
	struct buf request = BUF_INIT;

	buf_printf(&request,
		   "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
		   "text/plain\r\nContent-Length: %zu\r\nConnection: "
		   "close\r\n\r\n",
		   target, body_len);
	for (size_t i = 0; i < body_len; i++) {
		buf_addc(&request, (char)('a' + i % 26));
	}
	exchange(port, request.data, request.len, r);
	buf_release(&request);
}

static bool has_header(const struct reply *r, const char *line)
{
	struct buf needle = BUF_INIT;
	bool found;

	buf_printf(&needle, "\r\n%s\r\n", line);
	found = strstr(buf_str(&r->head), buf_str(&needle)) != NULL;
	buf_release(&needle);
	return found;
}

static void reply_release(struct reply *r)
{
	buf_release(&r->head);
	buf_release(&r->body);
}

/* Waits up to a second for `counter` to reach `expected`, because
 * libmicrohttpd frees a response just after the last byte is sent. */
static int wait_for(atomic_int *counter, int expected)
{
	for (int i = 0; i < 100 && atomic_load(counter) != expected; i++) {
		sleep_ms(10);
	}
	return atomic_load(counter);
}

/* ---- server tests ---- */

static void server_returns_body(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "GET", "/hello", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.body), "{\"hello\": \"world\"}");
	assert_true(has_header(&r, "content-type: application/json"));
	assert_true(has_header(&r, "x-test: yes"));
	assert_true(has_header(&r, "content-length: 18"));
	assert_int_equal(atomic_load(&f->handler_calls), 1);
	reply_release(&r);

	get(f->port, "GET", "/nowhere", NULL, &r);
	assert_int_equal(r.status, 404);
	reply_release(&r);
}

static void server_accepts_body_at_limit(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	post(f->port, "/echo", 1024, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 1024);
	assert_int_equal(r.body.data[0], 'a');
	assert_int_equal(r.body.data[1023], 'a' + 1023 % 26);
	assert_true(has_header(&r, "content-type: text/plain"));
	reply_release(&r);
}

static void server_rejects_large_body(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	post(f->port, "/echo", 4096, &r);
	assert_int_equal(r.status, 413);
	assert_true(has_header(&r, "content-type: application/json"));
	assert_non_null(strstr(buf_str(&r.body), "\"name\": "));
	assert_non_null(strstr(buf_str(&r.body), "1024 bytes"));
	assert_non_null(strstr(buf_str(&r.body), "\"url\": \"/echo\""));
	assert_non_null(strstr(buf_str(&r.body), "\"errors\": [\""));
	assert_int_equal(atomic_load(&f->handler_calls), 0);
	reply_release(&r);

	/* One byte over is over. */
	post(f->port, "/echo", 1025, &r);
	assert_int_equal(r.status, 413);
	assert_int_equal(atomic_load(&f->handler_calls), 0);
	reply_release(&r);
}

static void server_rejects_declared_body(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	const char request[] = "POST /echo HTTP/1.1\r\n"
			       "Host: 127.0.0.1\r\n"
			       "Content-Length: 4096\r\n"
			       "Expect: 100-continue\r\n\r\n";

	/* The client waits for "100 Continue", so no body is sent. */
	exchange(f->port, request, sizeof(request) - 1, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(buf_str(&r.body), "1024 bytes"));
	assert_int_equal(atomic_load(&f->handler_calls), 0);
	reply_release(&r);
}

static void server_escapes_error_url(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	struct buf request = BUF_INIT;

	buf_adds(&request, "POST /a\"b\\c HTTP/1.1\r\nHost: x\r\n"
			   "Content-Length: 2000\r\nConnection: close\r\n\r\n");
	for (int i = 0; i < 2000; i++) {
		buf_addc(&request, 'x');
	}
	exchange(f->port, request.data, request.len, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(buf_str(&r.body), "\"url\": \"/a\\\"b\\\\c\""));
	reply_release(&r);
	buf_release(&request);
}

static void server_streams_chunked(void **state)
{
	struct fixture *f = *state;
	struct buf expected = BUF_INIT;
	struct reply r;

	for (int i = 0; i < STREAM_CHUNKS; i++) {
		buf_printf(&expected, "chunk %d\n", i);
	}
	get(f->port, "GET", "/stream", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.chunked);
	assert_true(r.complete);
	assert_string_equal(buf_str(&r.body), buf_str(&expected));
	assert_true(has_header(&r, "content-type: text/plain"));
	assert_int_equal(wait_for(&f->stream_frees, 1), 1);
	reply_release(&r);
	buf_release(&expected);
}

static void server_stream_failure_truncates(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "GET", "/stream-fail", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.chunked);
	assert_false(r.complete);
	assert_int_equal(wait_for(&f->stream_frees, 1), 1);
	reply_release(&r);
}

static void server_head_sends_no_body(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "HEAD", "/hello", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 0);
	assert_true(has_header(&r, "content-type: application/json"));
	assert_true(has_header(&r, "content-length: 18"));
	reply_release(&r);

	get(f->port, "HEAD", "/stream", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 0);
	assert_int_equal(wait_for(&f->stream_frees, 1), 1);
	reply_release(&r);
}

static void server_looks_up_query_and_header(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "GET", "/lookup?q=a%20b+c&other=1&flag&empty=",
	    "X-Api-Key: key-123\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.body), "q=a b c;missing=(null);"
					      "flag=(null);empty=;key=key-123");
	reply_release(&r);

	get(f->port, "GET", "/lookup", NULL, &r);
	assert_string_equal(buf_str(&r.body), "q=(null);missing=(null);"
					      "flag=(null);empty=(null);"
					      "key=(null)");
	reply_release(&r);
}

static void server_keeps_raw_path(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "GET", "/raw/a%2Fb/c+d?x=%41", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.body), "/raw/a%2Fb/c+d");
	reply_release(&r);
}

static void server_rejects_bad_response(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "GET", "/bad-status", NULL, &r);
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(buf_str(&r.body), "\"url\": \"/bad-status\""));
	reply_release(&r);

	get(f->port, "GET", "/bad-header", NULL, &r);
	assert_int_equal(r.status, 500);
	assert_null(strstr(buf_str(&r.head), "injected"));
	reply_release(&r);
}

static void server_keeps_connection_alive(void **state)
{
	struct fixture *f = *state;
	const char two[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
			   "GET /raw/second HTTP/1.1\r\nHost: x\r\n"
			   "Connection: close\r\n\r\n";
	struct buf raw = BUF_INIT;
	int fd = connect_to(AF_INET, "127.0.0.1", f->port);

	assert_true(fd >= 0);
	send_all(fd, two, sizeof(two) - 1);
	read_to_eof(fd, &raw);
	close(fd);
	assert_non_null(strstr(buf_str(&raw), "{\"hello\": \"world\"}"));
	assert_non_null(strstr(buf_str(&raw), "\r\n\r\n/raw/second"));
	assert_int_equal(atomic_load(&f->handler_calls), 2);
	buf_release(&raw);
}

struct slow_client {
	int port;
	struct reply reply;
};

static void *slow_client_run(void *arg)
{
	struct slow_client *c = arg;

	get(c->port, "GET", "/slow", NULL, &c->reply);
	return NULL;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void server_stop_finishes_request(void **state)
{
	struct fixture *f = *state;
	struct slow_client c = {.port = f->port};
	pthread_t thread;
	double started, took;

	assert_int_equal(pthread_create(&thread, NULL, slow_client_run, &c),
			 0);
	for (int i = 0; i < 200 && !atomic_load(&f->slow_started); i++) {
		sleep_ms(5);
	}
	assert_true(atomic_load(&f->slow_started));

	started = now_ms();
	http_stop(f->server);
	took = now_ms() - started;
	f->server = NULL;
	assert_true(took < 1500.0);

	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(c.reply.status, 200);
	assert_string_equal(buf_str(&c.reply.body), "slow done");
	reply_release(&c.reply);

	/* The listening socket is closed. */
	assert_int_equal(connect_to(AF_INET, "127.0.0.1", f->port), -1);
}

/* A client that sent only its request line keeps a request open, so
 * http_stop() waits out HTTP_STOP_GRACE_MS and then closes it. */
static void server_stop_closes_stalled_request(void **state)
{
	struct fixture *f = *state;
	const char partial[] = "GET /hello HTTP/1.1\r\nHost: x\r\n";
	struct buf raw = BUF_INIT;
	double started, took;
	int fd = connect_to(AF_INET, "127.0.0.1", f->port);

	assert_true(fd >= 0);
	send_all(fd, partial, sizeof(partial) - 1);
	sleep_ms(50);

	started = now_ms();
	http_stop(f->server);
	took = now_ms() - started;
	f->server = NULL;
	assert_true(took >= HTTP_STOP_GRACE_MS - 50);
	assert_true(took < HTTP_STOP_GRACE_MS + 500);

	read_to_eof(fd, &raw);
	close(fd);
	assert_int_equal(raw.len, 0);
	assert_int_equal(atomic_load(&f->handler_calls), 0);
	buf_release(&raw);
}

struct stop_thread {
	struct http_server *server;
};

static void *stop_thread_run(void *arg)
{
	struct stop_thread *t = arg;

	http_stop(t->server);
	return NULL;
}

/* A request that starts while the server stops gets 503, in MISP's error
 * shape, while the request already running finishes with 200. */
static void server_stop_rejects_new_request(void **state)
{
	struct fixture *f = *state;
	struct slow_client c = {.port = f->port};
	struct stop_thread t = {f->server};
	struct reply late = {0};
	pthread_t client, stopper;

	assert_int_equal(pthread_create(&client, NULL, slow_client_run, &c),
			 0);
	for (int i = 0; i < 200 && !atomic_load(&f->slow_started); i++) {
		sleep_ms(5);
	}
	assert_true(atomic_load(&f->slow_started));
	assert_int_equal(pthread_create(&stopper, NULL, stop_thread_run, &t),
			 0);
	f->server = NULL;
	/* The slow handler runs for 300 ms, so the stop has begun by now. */
	sleep_ms(50);
	get(f->port, "GET", "/hello", NULL, &late);
	assert_int_equal(late.status, 503);
	assert_non_null(strstr(buf_str(&late.body), "shutting down"));
	assert_non_null(strstr(buf_str(&late.head), "connection: close"));

	assert_int_equal(pthread_join(client, NULL), 0);
	assert_int_equal(pthread_join(stopper, NULL), 0);
	assert_int_equal(c.reply.status, 200);
	reply_release(&c.reply);
	reply_release(&late);
}

static void server_query_string_raw(void **state)
{
	struct fixture *f = *state;
	struct reply r = {0};

	get(f->port, "GET", "/query?a=b%20c&d&e=%3F", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.body), "[a=b%20c&d&e=%3F]");
	reply_release(&r);
	get(f->port, "GET", "/query", NULL, &r);
	assert_string_equal(buf_str(&r.body), "[]");
	reply_release(&r);
}

static void server_stop_when_idle(void **state)
{
	struct fixture *f = *state;
	double started = now_ms();

	http_stop(f->server);
	f->server = NULL;
	assert_true(now_ms() - started < 200.0);
	http_stop(NULL);
}

/* Runs one request with stderr sent to a file, stops the server so the
 * log line is written, and checks the line. */
static void server_logs_without_secrets(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/cairn-test-http-XXXXXX";
	int log_fd = mkstemp(path);
	int saved = dup(STDERR_FILENO);
	struct buf log = BUF_INIT;
	struct reply r;
	char chunk[4096];
	ssize_t n;

	assert_true(log_fd >= 0);
	assert_true(saved >= 0);
	unlink(path);
	dup2(log_fd, STDERR_FILENO);

	get(f->port, "GET", "/hello?token=query-secret",
	    "Authorization: api-key-secret\r\n", &r);
	http_stop(f->server);
	f->server = NULL;

	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(log_fd, 0, SEEK_SET);
	while ((n = read(log_fd, chunk, sizeof(chunk))) > 0) {
		buf_add(&log, chunk, (size_t)n);
	}
	close(log_fd);

	assert_int_equal(r.status, 200);
	assert_non_null(strstr(buf_str(&log), "http: GET /hello status=200 "
					      "bytes=18 duration_ms="));
	assert_non_null(strstr(buf_str(&log), " user=42\n"));
	assert_null(strstr(buf_str(&log), "api-key-secret"));
	assert_null(strstr(buf_str(&log), "query-secret"));
	reply_release(&r);
	buf_release(&log);
}

static void start_rejects_bad_config(void **state)
{
	struct http_config cfg = {
		.host = "localhost",
		.port = 0,
		.threads = 1,
		.max_body = 1024,
		.handler = test_handler,
	};
	struct cairn_err e = CAIRN_ERR_INIT;
	struct http_server *s = (struct http_server *)&cfg;

	(void)state;
	assert_int_equal(http_start(&s, &cfg, &e), CAIRN_EINVAL);
	assert_null(s);
	assert_non_null(strstr(buf_str(&e.message), "'localhost'"));
	cairn_err_clear(&e);

	cfg.host = "127.0.0.1";
	cfg.threads = 0;
	assert_int_equal(http_start(&s, &cfg, &e), CAIRN_EINVAL);
	cairn_err_clear(&e);

	cfg.threads = 1;
	cfg.port = 70000;
	assert_int_equal(http_start(&s, &cfg, &e), CAIRN_EINVAL);
	cairn_err_release(&e);
}

static void start_reports_port_in_use(void **state)
{
	struct fixture *f = *state;
	struct http_config cfg = {
		.host = "127.0.0.1",
		.port = f->port,
		.threads = 1,
		.max_body = 1024,
		.handler = test_handler,
	};
	struct cairn_err e = CAIRN_ERR_INIT;
	struct http_server *s = NULL;

	assert_int_equal(http_start(&s, &cfg, &e), CAIRN_EIO);
	assert_null(s);
	assert_non_null(strstr(buf_str(&e.message), "127.0.0.1"));
	assert_non_null(strstr(buf_str(&e.message), "in use"));
	cairn_err_release(&e);
}

static void server_single_thread_ipv6(void **state)
{
	struct http_config cfg = {
		.host = "::1",
		.port = 0,
		.threads = 1,
		.max_body = 16,
		.handler = test_handler,
	};
	struct cairn_err e = CAIRN_ERR_INIT;
	struct fixture f = {0};
	struct buf raw = BUF_INIT;
	const char request[] = "GET /hello HTTP/1.1\r\nHost: x\r\n"
			       "Connection: close\r\n\r\n";
	int fd;

	(void)state;
	cfg.ctx = &f;
	if (http_start(&f.server, &cfg, &e) < 0) {
		/* No IPv6 loopback on this machine. */
		cairn_err_release(&e);
		skip();
	}
	f.port = http_port(f.server);
	assert_true(f.port > 0);

	fd = connect_to(AF_INET6, "::1", f.port);
	assert_true(fd >= 0);
	send_all(fd, request, sizeof(request) - 1);
	read_to_eof(fd, &raw);
	close(fd);
	assert_non_null(strstr(buf_str(&raw), "HTTP/1.1 200"));

	/* Bound to ::1 only, so 127.0.0.1 on that port is refused. */
	assert_int_equal(connect_to(AF_INET, "127.0.0.1", f.port), -1);
	http_stop(f.server);
	buf_release(&raw);
}

#define SERVER_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_server, teardown_server)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_splits_segments),
		cmocka_unit_test(path_skips_empty_segments),
		cmocka_unit_test(path_ends_at_query),
		cmocka_unit_test(path_collects_named),
		cmocka_unit_test(path_named_between_positional),
		cmocka_unit_test(path_named_value_forms),
		cmocka_unit_test(path_not_named),
		cmocka_unit_test(path_strips_json_suffix),
		cmocka_unit_test(path_decodes_percent),
		cmocka_unit_test(path_rejects_bad_escapes),
		cmocka_unit_test(path_escape_error_names_segment),
		cmocka_unit_test(path_limits_segment_count),
		SERVER_TEST(server_returns_body),
		SERVER_TEST(server_accepts_body_at_limit),
		SERVER_TEST(server_rejects_large_body),
		SERVER_TEST(server_rejects_declared_body),
		SERVER_TEST(server_escapes_error_url),
		SERVER_TEST(server_streams_chunked),
		SERVER_TEST(server_stream_failure_truncates),
		SERVER_TEST(server_head_sends_no_body),
		SERVER_TEST(server_looks_up_query_and_header),
		SERVER_TEST(server_keeps_raw_path),
		SERVER_TEST(server_rejects_bad_response),
		SERVER_TEST(server_keeps_connection_alive),
		SERVER_TEST(start_reports_port_in_use),
		SERVER_TEST(server_stop_finishes_request),
		SERVER_TEST(server_stop_closes_stalled_request),
		SERVER_TEST(server_stop_when_idle),
		SERVER_TEST(server_stop_rejects_new_request),
		SERVER_TEST(server_query_string_raw),
		SERVER_TEST(server_logs_without_secrets),
		cmocka_unit_test(start_rejects_bad_config),
		cmocka_unit_test(server_single_thread_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
