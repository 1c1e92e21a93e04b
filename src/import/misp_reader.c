/*
 * Streaming reader of MISP JSON; see misp_reader.h.
 *
 * yajl drives a stack of frames, one per open object or array.  Each frame
 * has a role that follows from its parent and key: a candidate event (the
 * document root, an element of a top-level or "response" list), a wrapped
 * event (the value of "Event" in a candidate), an event's streamed
 * Attribute or Object array, or a plain value.  Plain values are built as
 * jansson trees and attached to their parent; the elements of a streamed
 * array are handed to the callback and freed instead of attached.
 */
#include "import/misp_reader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

enum frame_role {
	ROLE_PLAIN,
	ROLE_CANDIDATE, /* may be a bare event or a wrapper of one */
	ROLE_EVENT,     /* the value of "Event": always an event */
	ROLE_LIST,      /* top-level or "response" list of events */
	ROLE_STREAM,    /* an event's Attribute or Object array */
};

struct frame {
	json_t *value; /* object or array being built; NULL for ROLE_STREAM */
	char *key;     /* pending key in an object, owned */
	size_t index;  /* elements seen in an array */
	enum frame_role role;
	enum misp_element kind; /* for ROLE_STREAM */
	bool wraps;    /* candidate seen with an "Event" or "response" key */
	size_t event;  /* for ROLE_STREAM: frame index of its event */
};

struct misp_reader {
	yajl_handle yajl;
	const struct misp_reader_callbacks *cb;
	void *ctx;
	struct frame *frames;
	size_t depth, cap;
	size_t events;
	size_t offset;          /* bytes fed before the current chunk */
	int rc;                 /* first error from a callback or the tree */
	struct cairn_err *err;  /* where the current feed reports errors */
};

#define READER_MAX_DEPTH 512

static void pointer_escape(struct buf *out, const char *key)
{
	for (const char *p = key; *p; p++) {
		if (*p == '~') {
			buf_adds(out, "~0");
		} else if (*p == '/') {
			buf_adds(out, "~1");
		} else {
			buf_addc(out, *p);
		}
	}
}

/* Appends an array index in decimal.  An import builds the pointer of
 * every element, so printf's format parsing would show in its profile. */
static void add_index(struct buf *out, size_t index)
{
	char digits[24];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + index % 10);
		index /= 10;
	} while (index > 0);
	buf_add(out, digits + n, sizeof(digits) - n);
}

void misp_reader_pointer(const struct misp_reader *r, struct buf *out)
{
	for (size_t i = 0; i < r->depth; i++) {
		const struct frame *f = &r->frames[i];

		if (f->role == ROLE_STREAM || json_is_array(f->value)) {
			buf_addc(out, '/');
			add_index(out, f->index);
		} else if (f->key) {
			buf_addc(out, '/');
			pointer_escape(out, f->key);
		}
	}
	if (out->len == 0) {
		buf_adds(out, "/");
	}
}

/* Records a shape error at the current position and stops the parse. */
static int reader_fail(struct misp_reader *r, const char *reason)
{
	struct buf at = BUF_INIT;

	misp_reader_pointer(r, &at);
	cairn_err_set(r->err, CAIRN_EINVAL, "invalid document at %s: %s",
		      buf_str(&at), reason);
	cairn_err_at(r->err, buf_str(&at), NULL);
	buf_release(&at);
	r->rc = CAIRN_EINVAL;
	return 0;
}

static struct frame *top(struct misp_reader *r)
{
	return r->depth ? &r->frames[r->depth - 1] : NULL;
}

/* Returns the frame index of the nearest enclosing event frame that a
 * streamed array at the current position belongs to, or -1. */
static long event_frame_for_stream(struct misp_reader *r)
{
	struct frame *parent = top(r);

	if (!parent || !parent->key) {
		return -1;
	}
	if (parent->role != ROLE_EVENT && parent->role != ROLE_CANDIDATE) {
		return -1;
	}
	if (strcmp(parent->key, "Attribute") != 0 &&
	    strcmp(parent->key, "Object") != 0) {
		return -1;
	}
	return (long)(r->depth - 1);
}

/* Decides the role of a container opened at the current position. */
static enum frame_role role_for(struct misp_reader *r, bool is_array)
{
	struct frame *parent = top(r);

	if (!parent) {
		return is_array ? ROLE_LIST : ROLE_CANDIDATE;
	}
	if (parent->role == ROLE_LIST && !is_array) {
		return ROLE_CANDIDATE;
	}
	if (parent->role == ROLE_CANDIDATE && parent->key) {
		if (!is_array && strcmp(parent->key, "Event") == 0) {
			parent->wraps = true;
			return ROLE_EVENT;
		}
		if (is_array && r->depth == 1 &&
		    strcmp(parent->key, "response") == 0) {
			parent->wraps = true;
			return ROLE_LIST;
		}
	}
	if (is_array && event_frame_for_stream(r) >= 0) {
		return ROLE_STREAM;
	}
	return ROLE_PLAIN;
}

/* Attaches a finished value to the container on top, or hands it to the
 * callback when the container is a streamed array.  Takes `v`. */
static int attach(struct misp_reader *r, json_t *v)
{
	struct frame *f = top(r);
	int rc = 0;

	if (!v) {
		r->rc = CAIRN_ENOMEM;
		return 0;
	}
	if (!f) {
		json_decref(v);
		return 1;
	}
	if (f->role == ROLE_STREAM) {
		if (!json_is_object(v)) {
			json_decref(v);
			return reader_fail(r, f->kind == MISP_ATTRIBUTE
						      ? "expected an attribute "
							"object"
						      : "expected an object "
							"(MISP object)");
		}
		rc = r->cb->element(r->ctx, f->kind,
				    r->frames[f->event].value, v);
		json_decref(v);
		f->index++;
		if (rc < 0) {
			r->rc = rc;
			return 0;
		}
		return 1;
	}
	if (json_is_array(f->value)) {
		json_array_append_new(f->value, v);
		f->index++;
		return 1;
	}
	/* yajl has checked the key's UTF-8 already. */
	if (json_object_set_new_nocheck(f->value, f->key ? f->key : "", v) <
	    0) {
		r->rc = CAIRN_ENOMEM;
		return 0;
	}
	free(f->key);
	f->key = NULL;
	return 1;
}

static int push(struct misp_reader *r, bool is_array)
{
	enum frame_role role;
	struct frame *f;
	long event = -1;

	if (r->depth == READER_MAX_DEPTH) {
		return reader_fail(r, "nested too deeply");
	}
	if (r->depth == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct frame *p = realloc(r->frames, cap * sizeof(*p));

		if (!p) {
			r->rc = CAIRN_ENOMEM;
			return 0;
		}
		r->frames = p;
		r->cap = cap;
	}
	role = role_for(r, is_array);
	if (role == ROLE_STREAM) {
		event = event_frame_for_stream(r);
	}
	if (role == ROLE_LIST && r->depth == 0 && !is_array) {
		role = ROLE_PLAIN;
	}
	f = &r->frames[r->depth++];
	memset(f, 0, sizeof(*f));
	f->role = role;
	if (role == ROLE_STREAM) {
		const char *key = r->frames[event].key;

		f->kind = strcmp(key, "Attribute") == 0 ? MISP_ATTRIBUTE
							: MISP_OBJECT;
		f->event = (size_t)event;
		return 1;
	}
	f->value = is_array ? json_array() : json_object();
	if (!f->value) {
		r->rc = CAIRN_ENOMEM;
		return 0;
	}
	return 1;
}

static int deliver_event(struct misp_reader *r, json_t *header)
{
	int rc;

	r->events++;
	rc = r->cb->event_end(r->ctx, header);
	if (rc < 0) {
		r->rc = rc;
		return 0;
	}
	return 1;
}

static int pop(struct misp_reader *r)
{
	struct frame f = *top(r);
	struct frame *parent;

	r->depth--;
	free(f.key);
	if (f.role == ROLE_STREAM) {
		/* The array was consumed element by element; drop its key. */
		parent = top(r);
		free(parent->key);
		parent->key = NULL;
		return 1;
	}
	if (f.role == ROLE_EVENT || (f.role == ROLE_CANDIDATE && !f.wraps)) {
		int ok = deliver_event(r, f.value);

		json_decref(f.value);
		if (!ok) {
			return 0;
		}
		parent = top(r);
		if (parent && f.role == ROLE_EVENT) {
			free(parent->key);
			parent->key = NULL;
		} else if (parent) {
			parent->index++;
		}
		return 1;
	}
	if (f.role == ROLE_CANDIDATE || f.role == ROLE_LIST) {
		json_decref(f.value);
		parent = top(r);
		if (parent && json_is_array(parent->value)) {
			parent->index++;
		} else if (parent) {
			free(parent->key);
			parent->key = NULL;
		}
		return 1;
	}
	return attach(r, f.value);
}

static int on_scalar(struct misp_reader *r, json_t *v)
{
	if (r->rc < 0) {
		json_decref(v);
		return 0;
	}
	if (!top(r)) {
		json_decref(v);
		return reader_fail(r, "expected an object or an array");
	}
	return attach(r, v);
}

static int cb_null(void *ctx)
{
	return on_scalar(ctx, json_null());
}

static int cb_boolean(void *ctx, int b)
{
	return on_scalar(ctx, json_boolean(b));
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	char text[64];
	char *end;
	long long n;

	if (len >= sizeof(text)) {
		return on_scalar(ctx, json_stringn(s, len));
	}
	memcpy(text, s, len);
	text[len] = '\0';
	if (!strpbrk(text, ".eE")) {
		errno = 0;
		n = strtoll(text, &end, 10);
		if (errno == 0 && *end == '\0') {
			return on_scalar(ctx, json_integer(n));
		}
	}
	return on_scalar(ctx, json_real(strtod(text, NULL)));
}

/* A string must be UTF-8 without NUL (\u0000), as the rest of the API
 * requires.  yajl checks only the shape of UTF-8 sequences, so encoded
 * surrogates and overlong forms reach here.  jansson's check rejects them
 * now, because otherwise they would fail later, when the audit row is
 * written.
 * Every later step reads the value as a C string, so a NUL would cut it
 * short. */
/* TODO: refuse a lone surrogate escape, which yajl decodes as '?'. */
static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	json_t *v;

	if (memchr(s, '\0', len)) {
		return reader_fail(ctx, "string contains a NUL character "
					"(\\u0000); expected text without one");
	}
	v = json_stringn((const char *)s, len);
	if (!v) {
		v = json_stringn_nocheck((const char *)s, len);
		json_decref(v);
		if (!v) {
			((struct misp_reader *)ctx)->rc = CAIRN_ENOMEM;
			return 0;
		}
		return reader_fail(ctx, "string is not valid UTF-8; expected "
					"UTF-8 text");
	}
	return on_scalar(ctx, v);
}

static int cb_start_map(void *ctx)
{
	struct misp_reader *r = ctx;

	return r->rc < 0 ? 0 : push(r, false);
}

/* TODO: refuse a key repeated in one object, as jansson's endpoints do. */
static int cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct misp_reader *r = ctx;
	struct frame *f = top(r);

	if (r->rc < 0) {
		return 0;
	}
	if (memchr(key, '\0', len)) {
		return reader_fail(r, "key contains a NUL character");
	}
	free(f->key);
	f->key = strndup((const char *)key, len);
	if (!f->key) {
		r->rc = CAIRN_ENOMEM;
		return 0;
	}
	return 1;
}

static int cb_end(void *ctx)
{
	struct misp_reader *r = ctx;

	return r->rc < 0 ? 0 : pop(r);
}

static int cb_start_array(void *ctx)
{
	struct misp_reader *r = ctx;

	return r->rc < 0 ? 0 : push(r, true);
}

static const yajl_callbacks reader_callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_boolean,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_map_key,
	.yajl_end_map = cb_end,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end,
};

struct misp_reader *misp_reader_new(const struct misp_reader_callbacks *cb,
				    void *ctx)
{
	struct misp_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		return NULL;
	}
	r->cb = cb;
	r->ctx = ctx;
	r->yajl = yajl_alloc(&reader_callbacks, NULL, r);
	if (!r->yajl) {
		free(r);
		return NULL;
	}
	return r;
}

void misp_reader_free(struct misp_reader *r)
{
	if (!r) {
		return;
	}
	for (size_t i = 0; i < r->depth; i++) {
		free(r->frames[i].key);
		json_decref(r->frames[i].value);
	}
	free(r->frames);
	yajl_free(r->yajl);
	free(r);
}

/* Turns a yajl syntax error into a message with the pointer and, unless
 * the document ended early, the 1-based offset of the offending byte. */
static int syntax_error(struct misp_reader *r, const char *data, size_t len,
			bool at_end)
{
	unsigned char *msg = yajl_get_error(r->yajl, 0,
					    (const unsigned char *)data, len);
	struct buf at = BUF_INIT;
	char *nl;

	misp_reader_pointer(r, &at);
	nl = strchr((char *)msg, '\n');
	if (nl) {
		*nl = '\0';
	}
	if (at_end) {
		cairn_err_set(r->err, CAIRN_EINVAL,
			      "malformed JSON at %s (end of document): %s",
			      buf_str(&at), (char *)msg);
	} else {
		cairn_err_set(r->err, CAIRN_EINVAL,
			      "malformed JSON at %s (byte %zu): %s",
			      buf_str(&at),
			      r->offset + yajl_get_bytes_consumed(r->yajl),
			      (char *)msg);
	}
	cairn_err_at(r->err, buf_str(&at), NULL);
	yajl_free_error(r->yajl, msg);
	buf_release(&at);
	return CAIRN_EINVAL;
}

int misp_reader_feed(struct misp_reader *r, const char *data, size_t len,
		     struct cairn_err *e)
{
	yajl_status st;

	r->err = e;
	if (r->rc < 0) {
		return r->rc;
	}
	st = yajl_parse(r->yajl, (const unsigned char *)data, len);
	if (r->rc < 0) {
		return r->rc;
	}
	if (st != yajl_status_ok) {
		r->rc = syntax_error(r, data, len, false);
	}
	r->offset += len;
	return r->rc;
}

int misp_reader_finish(struct misp_reader *r, struct cairn_err *e)
{
	yajl_status st;

	r->err = e;
	if (r->rc < 0) {
		return r->rc;
	}
	st = yajl_complete_parse(r->yajl);
	if (r->rc < 0) {
		return r->rc;
	}
	if (st != yajl_status_ok) {
		r->rc = syntax_error(r, "", 0, true);
		return r->rc;
	}
	if (r->events == 0) {
		cairn_err_set(e, CAIRN_EINVAL,
			      "no MISP event found: expected {\"Event\": {...}}, "
			      "a bare event, or {\"response\": [...]}");
		cairn_err_at(e, "/", NULL);
		r->rc = CAIRN_EINVAL;
	}
	return r->rc;
}

size_t misp_reader_events(const struct misp_reader *r)
{
	return r->events;
}
