/*
 * Correlation exclusions, MISP's /correlation_exclusions/index, view,
 * add, edit, delete and clean, for site admins (the route table requires
 * it).  An excluded value never correlates (correlate/correlate.h).
 *
 * Correlations are computed when they are read, so there is nothing
 * stored to remove: clean reports success as MISP does, and a new
 * exclusion takes effect on the next read.
 */
#include "api/api.h"
#include "correlate/correlate.h"

#include <stdlib.h>
#include <string.h>

#define MODEL_NAME "CorrelationExclusion"
#define NOT_FOUND "Invalid " MODEL_NAME "."

/* MISP has no length rule for the value; this bounds one row. */
#define EXCLUSION_VALUE_MAX 65535

static json_t *exclusion_json(const struct store_exclusion *x)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", (long long)x->id);
	return json_pack("{s:{s:s, s:s, s:b, s:s}}", MODEL_NAME, "id", id,
			 "value", x->value, "from_json", x->from_json,
			 "comment", x->comment);
}

/* Reads the positional id; sends 404 and returns false when it is not a
 * number. */
static bool exclusion_id(struct api_ctx *c, int64_t *id)
{
	char *end = NULL;
	long long value;

	if (!c->arg || !*c->arg) {
		api_error(c, 404, NOT_FOUND, NULL);
		return false;
	}
	value = strtoll(c->arg, &end, 10);
	if (*end || value <= 0) {
		api_error(c, 404, NOT_FOUND, NULL);
		return false;
	}
	*id = value;
	return true;
}

static int send_exclusion(struct api_ctx *c, int64_t id)
{
	struct store_exclusion x;
	int rc = store_exclusion_get(c->store, id, &x);

	if (rc == CAIRN_ENOTFOUND) {
		return api_error(c, 404, NOT_FOUND, NULL);
	}
	if (rc < 0) {
		return api_error_rc(c, rc, NULL);
	}
	rc = api_send_json(c, exclusion_json(&x));
	store_exclusion_release(&x);
	return rc;
}

/* The value filter of index, from a named parameter or the body: exact,
 * or a pattern when it contains "%". */
static const char *index_filter(struct api_ctx *c)
{
	const char *value = path_named(&c->path, "value");
	json_t *body = api_body_object(c, MODEL_NAME);

	if (!value && body) {
		value = json_string_value(json_object_get(body, "value"));
	}
	return value && *value ? value : NULL;
}

static bool filter_keeps(const char *filter, const char *value)
{
	if (!filter) {
		return true;
	}
	if (strchr(filter, '%')) {
		return correlate_like(filter, value, strlen(value));
	}
	return strcmp(filter, value) == 0;
}

int api_correlation_exclusion_index(struct api_ctx *c)
{
	const char *filter = index_filter(c);
	struct store_exclusion *list = NULL;
	json_t *out;
	size_t n = 0;
	int rc = store_exclusion_list(c->store, &list, &n);

	if (rc < 0) {
		return api_error_rc(c, rc, NULL);
	}
	out = json_array();
	for (size_t i = 0; out && i < n; i++) {
		if (filter_keeps(filter, list[i].value) &&
		    json_array_append_new(out, exclusion_json(&list[i])) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	store_exclusions_free(list, n);
	if (!out) {
		return api_error(c, 500, "out of memory", NULL);
	}
	return api_send_json(c, out);
}

int api_correlation_exclusion_view(struct api_ctx *c)
{
	int64_t id;

	if (!exclusion_id(c, &id)) {
		return 0;
	}
	return send_exclusion(c, id);
}

/* Sends MISP's failed-save body for `action` with the message of one
 * field, and returns 0. */
static int save_failed(struct api_ctx *c, const char *action,
		       const char *field, const char *message)
{
	struct buf name = BUF_INIT;
	int rc;

	if (buf_printf(&name, "Could not %s %s", action, MODEL_NAME) < 0) {
		return api_error(c, 500, "out of memory", NULL);
	}
	rc = api_error(c, 403, buf_str(&name),
		       json_pack("{s:[s]}", field, message));
	buf_release(&name);
	return rc;
}

/* Reads "value" and "comment" of the body (or the named parameter
 * value), checking their types.  Returns false after sending an error. */
static bool read_fields(struct api_ctx *c, const char *action,
			bool need_value, const char **value,
			const char **comment)
{
	json_t *body = api_body_object(c, MODEL_NAME);
	json_t *v = body ? json_object_get(body, "value") : NULL;
	json_t *m = body ? json_object_get(body, "comment") : NULL;

	*value = path_named(&c->path, "value");
	*comment = NULL;
	if (v && !json_is_string(v)) {
		save_failed(c, action, "value", "The value must be a string.");
		return false;
	}
	if (m && !json_is_null(m) && !json_is_string(m)) {
		save_failed(c, action, "comment",
			    "The comment must be a string.");
		return false;
	}
	if (v) {
		*value = json_string_value(v);
	}
	*comment = m ? json_string_value(m) : NULL;
	if (need_value && (!*value || !**value)) {
		save_failed(c, action, "value", "A value is required.");
		return false;
	}
	if (*value && strlen(*value) > EXCLUSION_VALUE_MAX) {
		save_failed(c, action, "value",
			    "The value is longer than 65535 bytes.");
		return false;
	}
	return true;
}

int api_correlation_exclusion_add(struct api_ctx *c)
{
	const char *value, *comment;
	int64_t id = 0;
	int rc;

	if (!read_fields(c, "add", true, &value, &comment)) {
		return 0;
	}
	rc = store_exclusion_add(c->store, value, comment, false, &id);
	if (rc == CAIRN_EEXIST) {
		return save_failed(c, "add", "value",
				   "Value is already in the exclusion list.");
	}
	if (rc < 0) {
		return api_error_rc(c, rc, NULL);
	}
	return send_exclusion(c, id);
}

int api_correlation_exclusion_edit(struct api_ctx *c)
{
	struct store_exclusion old;
	const char *value, *comment;
	int64_t id;
	int rc;

	if (!exclusion_id(c, &id) ||
	    !read_fields(c, "edit", false, &value, &comment)) {
		return 0;
	}
	rc = store_exclusion_get(c->store, id, &old);
	if (rc == CAIRN_ENOTFOUND) {
		return api_error(c, 404, NOT_FOUND, NULL);
	}
	if (rc < 0) {
		return api_error_rc(c, rc, NULL);
	}
	if (value && !*value) {
		store_exclusion_release(&old);
		return save_failed(c, "edit", "value", "A value is required.");
	}
	rc = store_exclusion_update(c->store, id, value ? value : old.value,
				    comment ? comment : old.comment);
	store_exclusion_release(&old);
	if (rc == CAIRN_EEXIST) {
		return save_failed(c, "edit", "value",
				   "Value is already in the exclusion list.");
	}
	if (rc < 0) {
		return api_error_rc(c, rc, NULL);
	}
	return send_exclusion(c, id);
}

int api_correlation_exclusion_delete(struct api_ctx *c)
{
	int64_t id;
	int rc;

	if (!exclusion_id(c, &id)) {
		return 0;
	}
	rc = store_exclusion_delete(c->store, id);
	if (rc == CAIRN_ENOTFOUND) {
		return api_error(c, 404, NOT_FOUND, NULL);
	}
	if (rc < 0) {
		return api_error_rc(c, rc, NULL);
	}
	return api_success(c, MODEL_NAME " deleted.");
}

int api_correlation_exclusion_clean(struct api_ctx *c)
{
	return api_success(c, "Correlations cleanup initiated, based on the "
			      "exclusion rules.");
}
