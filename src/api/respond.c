/* Responses in MISP's shapes and helpers shared by the handlers. */
#include "api/api.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"

#include <stdlib.h>
#include <string.h>

int api_send_json(struct api_ctx *c, json_t *body)
{
	int rc = codec_emit_json(c->gen, body);

	json_decref(body);
	if (rc < 0) {
		c->rs->status = 500;
	}
	return 0;
}

int api_error(struct api_ctx *c, int status, const char *message,
	      json_t *errors)
{
	json_t *body = json_pack("{s:s, s:s, s:s}", "name", message, "message",
				 message, "url", c->http->path);

	if (errors) {
		json_object_set_new(body, "errors", errors);
	}
	buf_clear(&c->rs->body);
	yajl_gen_reset(c->gen, NULL);
	c->rs->status = status;
	return api_send_json(c, body);
}

static int status_for(int code)
{
	switch (code) {
	case CAIRN_EINVAL:
		return 400;
	case CAIRN_ENOTFOUND:
		return 404;
	case CAIRN_EDENIED:
	case CAIRN_EEXIST:
		return 403;
	case CAIRN_ETOOBIG:
		return 413;
	case CAIRN_EBUSY:
		return 503;
	}
	return 500;
}

int api_error_from(struct api_ctx *c, const struct cairn_err *e)
{
	json_t *errors = json_object();
	const char *message = e->message.len ? buf_str(&e->message)
					     : cairn_code_name(e->code);

	if (e->field.len) {
		json_object_set_new(errors, buf_str(&e->field),
				    json_pack("[s]", message));
	} else {
		json_object_set_new(errors, "error", json_pack("[s]", message));
	}
	if (e->pointer.len) {
		json_object_set_new(errors, "pointer",
				    json_string(buf_str(&e->pointer)));
	}
	return api_error(c, status_for(e->code ? e->code : CAIRN_ESTORE),
			 message, errors);
}

int api_error_rc(struct api_ctx *c, int rc, struct cairn_err *e)
{
	if (!e->code) {
		store_error(c->store, e);
		e->code = rc;
	}
	return api_error_from(c, e);
}

int api_success(struct api_ctx *c, const char *message)
{
	return api_send_json(c, json_pack("{s:b, s:b, s:s, s:s, s:s}", "saved",
					  1, "success", 1, "name", message,
					  "message", message, "url",
					  c->http->path));
}

static bool all_digits(const char *s)
{
	if (!*s) {
		return false;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
	}
	return true;
}

/* The visibility kind of a model whose rows are hidden from some readers,
 * or -1 for a model visible to every user. */
static int model_visibility_kind(const struct model *m)
{
	if (m == &model_event) {
		return STORE_KIND_EVENT;
	}
	if (m == &model_attribute) {
		return STORE_KIND_ATTRIBUTE;
	}
	if (m == &model_object) {
		return STORE_KIND_OBJECT;
	}
	if (m == &model_reference) {
		return STORE_KIND_REFERENCE;
	}
	if (m == &model_report) {
		return STORE_KIND_REPORT;
	}
	if (m == &model_tag) {
		return STORE_KIND_TAG;
	}
	return -1;
}

static int resolve_row(struct api_ctx *c, const struct model *m,
		       const char *arg, int64_t *id)
{
	char lower[UUID_TEXT_SIZE];

	if (!arg) {
		return CAIRN_ENOTFOUND;
	}
	if (all_digits(arg) && strlen(arg) < 19) {
		struct record r;
		int rc;

		*id = strtoll(arg, NULL, 10);
		record_init(&r, m);
		rc = store_get(c->store, m, *id, &r);
		record_release(&r);
		return rc;
	}
	if (!codec_is_uuid(arg)) {
		return CAIRN_ENOTFOUND;
	}
	for (size_t i = 0; i < UUID_TEXT_SIZE; i++) {
		lower[i] = (char)(arg[i] >= 'A' && arg[i] <= 'F' ? arg[i] + 32
							       : arg[i]);
	}
	return store_find(c->store, m, "uuid", lower, id);
}

/* A row the user may not see resolves to CAIRN_ENOTFOUND, for readers and
 * writers alike, so that its existence is not revealed. */
int api_resolve(struct api_ctx *c, const struct model *m, const char *arg,
		int64_t *id)
{
	int kind = model_visibility_kind(m);
	int rc = resolve_row(c, m, arg, id);

	if (rc == 0 && kind >= 0) {
		rc = store_visible(c->store, &c->viewer, (enum store_kind)kind,
				   *id);
	}
	return rc;
}

json_t *api_body_object(struct api_ctx *c, const char *key)
{
	json_t *inner;

	if (!json_is_object(c->body)) {
		return NULL;
	}
	inner = json_object_get(c->body, key);
	if (json_is_object(inner)) {
		return inner;
	}
	return c->body;
}

int api_touch_event(struct api_ctx *c, int64_t event_id)
{
	struct record ev;
	int rc;

	record_init(&ev, &model_event);
	record_set_int(&ev, EVENT_TIMESTAMP, time_now());
	record_set_int(&ev, EVENT_PUBLISHED, 0);
	rc = store_update(c->store, &ev, event_id);
	record_release(&ev);
	return rc;
}

bool api_json_flag(const json_t *v)
{
	return json_is_true(v) ||
	       (json_is_integer(v) && json_integer_value(v) != 0) ||
	       (json_is_string(v) && strcmp(json_string_value(v), "1") == 0);
}
