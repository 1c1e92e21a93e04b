/* Attribute endpoints: add (one or a list), view, edit, delete. */
#include "api/api.h"
#include "api/library.h"
#include "core/util.h"
#include "export/event_json.h"
#include "import/event_writer.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/normalize.h"
#include "model/types.h"

#include <string.h>

#define DUPLICATE_MESSAGE "A similar attribute already exists for this event."

static bool hard_delete(const struct api_ctx *c)
{
	const char *named = path_named(&c->path, "hard");
	json_t *hard = json_object_get(c->body, "hard");

	return (named && strcmp(named, "0") != 0) || json_is_true(hard) ||
	       (json_is_integer(hard) && json_integer_value(hard) != 0) ||
	       (json_is_string(hard) && strcmp(json_string_value(hard), "0"));
}

/* Returns true when the attribute duplicates a live one in the event,
 * comparing the canonical form of its value (an invalid value is left
 * for the writer to reject). */
static bool is_duplicate(struct api_ctx *c, int64_t event_id, json_t *attr)
{
	const char *type = json_string_value(json_object_get(attr, "type"));
	const char *value = json_string_value(json_object_get(attr, "value"));
	const char *category =
		json_string_value(json_object_get(attr, "category"));
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf canonical = BUF_INIT;
	const struct attr_type *t;
	bool duplicate = false;
	int64_t id;

	if (!type || !value) {
		return false;
	}
	t = attr_type_find(type);
	if (!category && t) {
		category = t->default_category;
	}
	if (category && normalize_value(type, value, &canonical, &e) == 0) {
		duplicate = store_attribute_duplicate(c->store, event_id, type,
						      category,
						      buf_str(&canonical),
						      &id) == 0;
	}
	buf_release(&canonical);
	cairn_err_release(&e);
	return duplicate;
}

/* Returns true when the request enforces warninglists, with the named
 * parameter enforceWarninglist:1 or the attribute's own
 * "enforceWarninglist", and the value is on an enabled list for its
 * type. */
static bool trips_warninglist(struct api_ctx *c, json_t *attr)
{
	const char *named = path_named(&c->path, "enforceWarninglist");
	const char *type = json_string_value(json_object_get(attr, "type"));
	const char *value = json_string_value(json_object_get(attr, "value"));
	struct warninglist_hit hit;
	struct warninglist_set *set;

	if (!(named && strcmp(named, "0") != 0) &&
	    !api_json_flag(json_object_get(attr, "enforceWarninglist"))) {
		return false;
	}
	set = c->app->library ? c->app->library->warninglists : NULL;
	if (!set || !type || !value) {
		return false;
	}
	return warninglist_check(set, type, value, &hit, 1) > 0;
}

/* Adds one attribute in its own transaction; on failure fills `errors`
 * (field name -> [message]) and returns a negative code. */
static int add_one(struct api_ctx *c, int64_t event_id, const char *uuid,
		   json_t *attr, const char *pointer, int64_t *id,
		   json_t **errors)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int rc;

	*errors = NULL;
	if (!json_is_object(attr)) {
		*errors = json_pack("{s:[s]}", "attribute",
				    "expected an attribute object");
		return CAIRN_EINVAL;
	}
	if (is_duplicate(c, event_id, attr)) {
		*errors = json_pack("{s:[s]}", "value", DUPLICATE_MESSAGE);
		return CAIRN_EEXIST;
	}
	if (trips_warninglist(c, attr)) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg,
			   "Value '%s' trips over a warninglist and "
			   "enforceWarninglist is enforced.",
			   json_string_value(json_object_get(attr, "value")));
		*errors = json_pack("{s:[s]}", "value", buf_str(&msg));
		buf_release(&msg);
		return CAIRN_EDENIED;
	}
	rc = api_check_distribution(c, attr, pointer, &e);
	if (rc < 0) {
		*errors = json_pack("{s:[s]}", "sharing_group_id",
				    buf_str(&e.message));
		cairn_err_release(&e);
		return rc;
	}
	rc = store_begin(c->store);
	if (rc == 0) {
		rc = event_write_attribute(
			c->store, library_writes(c->app->library),
			record_int(&c->user.user, USER_ORG_ID, 1), event_id,
			uuid, 0, attr, pointer, id, &e);
	}
	if (rc == 0) {
		rc = api_touch_event(c, event_id);
	}
	if (rc == 0) {
		rc = store_event_refresh_count(c->store, event_id);
	}
	if (rc == 0) {
		rc = store_commit(c->store);
	}
	if (rc < 0) {
		store_rollback(c->store);
		*errors = json_pack("{s:[s]}",
				    e.field.len ? buf_str(&e.field) : "value",
				    e.message.len ? buf_str(&e.message)
						  : cairn_code_name(rc));
	}
	cairn_err_release(&e);
	return rc;
}

static int event_uuid(struct api_ctx *c, int64_t event_id, struct record *ev)
{
	record_init(ev, &model_event);
	return store_get(c->store, &model_event, event_id, ev);
}

static int add_list(struct api_ctx *c, int64_t event_id, const char *uuid,
		    json_t *list)
{
	json_t *errors = json_object();
	struct buf at = BUF_INIT;
	size_t i, saved = 0;
	json_t *item;
	bool opened;

	opened = yajl_gen_map_open(c->gen) == yajl_gen_status_ok &&
		 codec_emit_key(c->gen, "Attribute") == 0 &&
		 yajl_gen_array_open(c->gen) == yajl_gen_status_ok;
	json_array_foreach(list, i, item) {
		json_t *item_errors;
		int64_t id;
		char key[40];

		buf_clear(&at);
		buf_printf(&at, "/%zu", i);
		if (add_one(c, event_id, uuid, item, buf_str(&at), &id,
			    &item_errors) < 0) {
			snprintf(key, sizeof(key), "attribute_%zu", i);
			json_object_set_new(errors, key, item_errors);
			continue;
		}
		saved++;
		attribute_json_write(c->store, &c->viewer, id, EVENT_JSON_BARE,
				     c->gen);
	}
	buf_release(&at);
	if (saved == 0 && i > 0) {
		buf_clear(&c->rs->body);
		yajl_gen_reset(c->gen, NULL);
		c->rs->status = 403;
		return api_send_json(c, json_pack("{s:b, s:s, s:s, s:s, s:o}",
						  "saved", 0, "name",
						  "Could not add Attributes",
						  "message",
						  "Could not add Attributes",
						  "url", c->http->path,
						  "errors", errors));
	}
	if (!opened || yajl_gen_array_close(c->gen) != yajl_gen_status_ok) {
		json_decref(errors);
		return api_error(c, 500, "writing the response failed", NULL);
	}
	if (json_object_size(errors)) {
		codec_emit_key(c->gen, "errors");
		codec_emit_json(c->gen, errors);
	}
	yajl_gen_map_close(c->gen);
	json_decref(errors);
	return 0;
}

int api_attribute_add(struct api_ctx *c)
{
	json_t *body = c->body, *errors;
	struct record ev;
	int64_t event_id, id;
	int rc;

	if (api_resolve(c, &model_event, c->arg, &event_id) < 0) {
		return api_error(c, 404, "Invalid event", NULL);
	}
	if (json_is_object(body) && json_object_get(body, "Attribute")) {
		body = json_object_get(body, "Attribute");
	}
	if (!json_is_object(body) && !json_is_array(body)) {
		return api_error(c, 400,
				 "missing request body: expected an attribute "
				 "object or a list of them",
				 NULL);
	}
	if (event_uuid(c, event_id, &ev) < 0) {
		record_release(&ev);
		return api_error(c, 404, "Invalid event", NULL);
	}
	if (json_is_array(body)) {
		rc = add_list(c, event_id, record_text(&ev, EVENT_UUID, ""),
			      body);
		record_release(&ev);
		return rc;
	}
	rc = add_one(c, event_id, record_text(&ev, EVENT_UUID, ""), body, "",
		     &id, &errors);
	record_release(&ev);
	if (rc < 0) {
		c->rs->status = rc == CAIRN_EINVAL ? 400 : 403;
		return api_send_json(c, json_pack("{s:b, s:s, s:s, s:s, s:o}",
						  "saved", 0, "name",
						  "Could not add Attribute",
						  "message",
						  "Could not add Attribute",
						  "url", c->http->path,
						  "errors", errors));
	}
	attribute_json_write(c->store, &c->viewer, id, 0, c->gen);
	return 0;
}

static int find_attribute(struct api_ctx *c, int64_t *id)
{
	int rc = api_resolve(c, &model_attribute, c->arg, id);

	if (rc < 0) {
		api_error(c, 404, "Invalid attribute", NULL);
	}
	return rc;
}

int api_attribute_view(struct api_ctx *c)
{
	struct record rec;
	bool deleted;
	int64_t id;

	if (find_attribute(c, &id) < 0) {
		return 0;
	}
	record_init(&rec, &model_attribute);
	store_get(c->store, &model_attribute, id, &rec);
	deleted = record_int(&rec, ATTR_DELETED, 0) != 0;
	record_release(&rec);
	if (deleted && !json_is_true(json_object_get(c->body, "deleted"))) {
		return api_error(c, 404, "Invalid attribute", NULL);
	}
	if (attribute_json_write(c->store, &c->viewer, id, 0, c->gen) < 0) {
		return api_error(c, 500, "reading the attribute failed", NULL);
	}
	return 0;
}

/* Applies a partial attribute to the stored one, with its tags. */
/* Rejects an edit that would make the attribute repeat the type,
 * category and value of another live one in its event, as MISP does. */
static int edit_duplicate(struct api_ctx *c, int64_t id, int64_t event_id,
			  const struct record *rec, struct cairn_err *e)
{
	struct record old;
	int64_t other;
	int rc;

	if (!rec->v[ATTR_TYPE].set && !rec->v[ATTR_CATEGORY].set &&
	    !rec->v[ATTR_VALUE].set) {
		return 0;
	}
	record_init(&old, &model_attribute);
	rc = store_get(c->store, &model_attribute, id, &old);
	if (rc == 0 && record_int(&old, ATTR_OBJECT_ID, 0) == 0 &&
	    store_attribute_duplicate(
		    c->store, event_id,
		    record_text(rec, ATTR_TYPE, record_text(&old, ATTR_TYPE, "")),
		    record_text(rec, ATTR_CATEGORY,
				record_text(&old, ATTR_CATEGORY, "")),
		    record_text(rec, ATTR_VALUE,
				record_text(&old, ATTR_VALUE, "")),
		    &other) == 0 &&
	    other != id) {
		rc = cairn_err_set(e, CAIRN_EEXIST, DUPLICATE_MESSAGE);
		cairn_err_at(e, "/value", "value");
	}
	record_release(&old);
	return rc;
}

static int edit_attribute(struct api_ctx *c, int64_t id, int64_t event_id,
			  json_t *attr, struct cairn_err *e)
{
	struct record rec;
	json_t *tags = json_object_get(attr, "Tag");
	int rc;

	record_init(&rec, &model_attribute);
	rc = codec_parse(&rec, attr, false, "", e);
	if (rc == 0) {
		rc = event_validate_attribute_change(c->store, &rec, id, "", e);
	}
	if (rc == 0) {
		rc = edit_duplicate(c, id, event_id, &rec, e);
	}
	if (rc == 0) {
		rec.v[ATTR_UUID].set = false;
		if (!json_object_get(attr, "timestamp")) {
			record_set_int(&rec, ATTR_TIMESTAMP, time_now());
		}
		rc = store_update(c->store, &rec, id);
	}
	if (rc == 0 && json_is_array(tags)) {
		rc = event_write_tags(c->store, library_writes(c->app->library),
				      STORE_ATTRIBUTE, id, event_id, tags, "",
				      e);
	}
	if (rc == 0) {
		rc = api_touch_event(c, event_id);
	}
	if (rc == 0) {
		rc = store_event_refresh_count(c->store, event_id);
	}
	record_release(&rec);
	return rc;
}

static int attribute_event(struct api_ctx *c, int64_t id, int64_t *event_id)
{
	struct record rec;
	int rc;

	record_init(&rec, &model_attribute);
	rc = store_get(c->store, &model_attribute, id, &rec);
	*event_id = record_int(&rec, ATTR_EVENT_ID, 0);
	record_release(&rec);
	return rc;
}

int api_attribute_edit(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *attr = api_body_object(c, "Attribute");
	int64_t id, event_id;
	int rc;

	if (find_attribute(c, &id) < 0) {
		return 0;
	}
	if (!attr) {
		return api_error(c, 400,
				 "missing request body: expected an attribute "
				 "object",
				 NULL);
	}
	rc = api_check_distribution(c, attr, "", &e);
	if (rc == 0) {
		rc = attribute_event(c, id, &event_id);
	}
	if (rc == 0) {
		rc = store_begin(c->store);
	}
	if (rc == 0) {
		rc = edit_attribute(c, id, event_id, attr, &e);
		if (rc == 0) {
			rc = store_commit(c->store);
		}
		if (rc < 0) {
			store_rollback(c->store);
		}
	}
	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else {
		attribute_json_write(c->store, &c->viewer, id, 0, c->gen);
	}
	cairn_err_release(&e);
	return 0;
}

int api_attribute_delete(struct api_ctx *c)
{
	struct record rec;
	int64_t id, event_id;
	int rc;

	if (find_attribute(c, &id) < 0) {
		return 0;
	}
	record_init(&rec, &model_attribute);
	rc = store_get(c->store, &model_attribute, id, &rec);
	event_id = record_int(&rec, ATTR_EVENT_ID, 0);
	if (rc == 0 && record_int(&rec, ATTR_DELETED, 0) && !hard_delete(c)) {
		record_release(&rec);
		return api_error(c, 404, "Invalid attribute", NULL);
	}
	record_release(&rec);
	if (rc == 0 && hard_delete(c)) {
		rc = store_delete(c->store, &model_attribute, id);
	} else if (rc == 0) {
		record_init(&rec, &model_attribute);
		record_set_int(&rec, ATTR_DELETED, 1);
		record_set_int(&rec, ATTR_TIMESTAMP, time_now());
		rc = store_update(c->store, &rec, id);
		record_release(&rec);
	}
	if (rc == 0) {
		rc = api_touch_event(c, event_id);
	}
	if (rc == 0) {
		rc = store_event_refresh_count(c->store, event_id);
	}
	if (rc < 0) {
		return api_error(c, 500, "deleting the attribute failed", NULL);
	}
	return api_success(c, "Attribute deleted.");
}
