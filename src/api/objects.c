/* Object and object reference endpoints. */
#include "api/api.h"
#include "api/library.h"
#include "core/util.h"
#include "export/event_json.h"
#include "import/event_writer.h"
#include "model/codec.h"
#include "model/misp.h"

#include <string.h>

static bool hard_delete(const struct api_ctx *c)
{
	const char *named = path_named(&c->path, "hard");
	json_t *hard = json_object_get(c->body, "hard");

	return (named && strcmp(named, "0") != 0) || json_is_true(hard) ||
	       (json_is_integer(hard) && json_integer_value(hard) != 0);
}

/* Writes one object into an event through the event writer's edit mode,
 * which merges it by uuid and marks the event changed. */
static int write_into_event(struct api_ctx *c, int64_t event_id, json_t *obj,
			    int64_t *object_id, struct cairn_err *e)
{
	struct event_writer_options o = {
		.mode = WRITE_EDIT,
		.org_id = record_int(&c->user.user, USER_ORG_ID, 1),
		.user_id = record_int(&c->user.user, USER_ID, 0),
		.user_email = record_text(&c->user.user, USER_EMAIL, ""),
		.event_id = event_id,
		.library = library_writes(c->app->library),
	};
	enum event_write_result result;
	char uuid[UUID_TEXT_SIZE];
	json_t *event, *copy = json_copy(obj);
	int64_t id;
	int rc = api_check_distribution(c, obj, "", e);

	if (rc < 0) {
		json_decref(copy);
		return rc;
	}
	if (!json_is_string(json_object_get(copy, "uuid"))) {
		uuid_generate(uuid);
		json_object_set_new(copy, "uuid", json_string(uuid));
	}
	event = json_pack("{s:[O]}", "Object", copy);
	rc = event_write_tree(c->store, &o, event, &result, &id, e);
	if (rc == 0) {
		rc = store_find(c->store, &model_object, "uuid",
				json_string_value(json_object_get(copy, "uuid")),
				object_id);
	}
	json_decref(event);
	json_decref(copy);
	return rc;
}

int api_object_add(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *obj = api_body_object(c, "Object");
	int64_t event_id, id;
	int rc;

	if (api_resolve(c, &model_event, c->arg, &event_id) < 0) {
		return api_error(c, 404, "Invalid event", NULL);
	}
	if (!obj) {
		return api_error(c, 400,
				 "missing request body: expected an object",
				 NULL);
	}
	if (json_is_string(json_object_get(obj, "uuid")) &&
	    store_find(c->store, &model_object, "uuid",
		       json_string_value(json_object_get(obj, "uuid")),
		       &id) == 0) {
		return api_error(c, 403, "Duplicate object found",
				 json_pack("{s:[s]}", "uuid",
					   "an object with this uuid exists"));
	}
	rc = write_into_event(c, event_id, obj, &id, &e);
	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else {
		object_json_write(c->store, &c->viewer, id, 0, c->gen);
	}
	cairn_err_release(&e);
	return 0;
}

static int find_object(struct api_ctx *c, int64_t *id, struct record *rec)
{
	int rc = api_resolve(c, &model_object, c->arg, id);

	record_init(rec, &model_object);
	if (rc == 0) {
		rc = store_get(c->store, &model_object, *id, rec);
	}
	/* A soft-deleted object is gone for view, edit and a second soft
	 * delete; a hard delete still removes it. */
	if (rc == 0 && record_int(rec, OBJ_DELETED, 0) &&
	    !(strcmp(c->path.segments[1], "delete") == 0 && hard_delete(c))) {
		rc = CAIRN_ENOTFOUND;
	}
	if (rc < 0) {
		api_error(c, 404, "Invalid object.", NULL);
	}
	return rc;
}

int api_object_view(struct api_ctx *c)
{
	struct record rec;
	int64_t id;

	if (find_object(c, &id, &rec) == 0 &&
	    object_json_write(c->store, &c->viewer, id, 0, c->gen) < 0) {
		api_error(c, 500, "reading the object failed", NULL);
	}
	record_release(&rec);
	return 0;
}

int api_object_edit(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *obj = api_body_object(c, "Object"), *copy;
	struct record rec;
	int64_t id, event_id;
	int rc;

	if (find_object(c, &id, &rec) < 0) {
		record_release(&rec);
		return 0;
	}
	event_id = record_int(&rec, OBJ_EVENT_ID, 0);
	if (!obj) {
		record_release(&rec);
		return api_error(c, 400,
				 "missing request body: expected an object",
				 NULL);
	}
	copy = json_copy(obj);
	json_object_set_new(copy, "uuid",
			    json_string(record_text(&rec, OBJ_UUID, "")));
	if (!json_object_get(copy, "timestamp")) {
		json_object_set_new(copy, "timestamp",
				    json_integer(time_now()));
	}
	rc = write_into_event(c, event_id, copy, &id, &e);
	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else {
		object_json_write(c->store, &c->viewer, id, 0, c->gen);
	}
	json_decref(copy);
	record_release(&rec);
	cairn_err_release(&e);
	return 0;
}

/* Marks the object and its attributes deleted. */
static int soft_delete_object(struct api_ctx *c, int64_t id)
{
	struct store_cursor *cur;
	struct record rec, attr;
	int64_t ids[1];
	int rc;

	record_init(&rec, &model_object);
	record_set_int(&rec, OBJ_DELETED, 1);
	record_set_int(&rec, OBJ_TIMESTAMP, time_now());
	rc = store_update(c->store, &rec, id);
	record_release(&rec);
	if (rc < 0) {
		return rc;
	}
	rc = store_query(c->store, &store_viewer_system, Q_OBJECT_ATTRIBUTES,
			 id, 0, &cur);
	if (rc < 0) {
		return rc;
	}
	/* Collect ids first: the cursor must not run under its own updates. */
	json_t *list = json_array();
	while (store_cursor_next(cur, &attr) == 1) {
		json_array_append_new(list,
				      json_integer(record_int(&attr, ATTR_ID,
							      0)));
	}
	store_cursor_close(cur);
	for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
		ids[0] = json_integer_value(json_array_get(list, i));
		record_init(&rec, &model_attribute);
		record_set_int(&rec, ATTR_DELETED, 1);
		record_set_int(&rec, ATTR_TIMESTAMP, time_now());
		rc = store_update(c->store, &rec, ids[0]);
		record_release(&rec);
	}
	json_decref(list);
	return rc;
}

int api_object_delete(struct api_ctx *c)
{
	struct record rec;
	int64_t id, event_id;
	int rc;

	if (find_object(c, &id, &rec) < 0) {
		record_release(&rec);
		return 0;
	}
	event_id = record_int(&rec, OBJ_EVENT_ID, 0);
	record_release(&rec);
	rc = store_begin(c->store);
	if (rc == 0) {
		rc = hard_delete(c) ? store_delete(c->store, &model_object, id)
				    : soft_delete_object(c, id);
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
		return api_error(c, 500, "deleting the object failed", NULL);
	}
	return api_success(c, "Object deleted");
}

int api_reference_add(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *ref = api_body_object(c, "ObjectReference"), *copy, *patch;
	const char *source;
	struct record rec;
	int64_t object_id, ref_id;
	int rc;

	if (!ref) {
		return api_error(c, 400,
				 "missing request body: expected an object "
				 "reference",
				 NULL);
	}
	source = c->arg ? c->arg
			: json_string_value(json_object_get(ref, "object_uuid"));
	if (!source) {
		source = json_string_value(json_object_get(ref, "object_id"));
	}
	if (api_resolve(c, &model_object, source, &object_id) < 0) {
		return api_error(c, 404, "Invalid object.",
				 json_pack("{s:[s]}", "object_uuid",
					   "expected the UUID or id of the "
					   "referencing object"));
	}
	record_init(&rec, &model_object);
	store_get(c->store, &model_object, object_id, &rec);
	copy = json_copy(ref);
	if (!json_is_string(json_object_get(copy, "uuid"))) {
		char uuid[UUID_TEXT_SIZE];

		uuid_generate(uuid);
		json_object_set_new(copy, "uuid", json_string(uuid));
	}
	patch = json_pack("{s:s, s:[O]}", "uuid",
			  record_text(&rec, OBJ_UUID, ""), "ObjectReference",
			  copy);
	rc = api_resolve(c, &model_object, record_text(&rec, OBJ_UUID, ""),
			 &object_id);
	if (rc == 0) {
		struct event_writer_options o = {
			.mode = WRITE_EDIT,
			.org_id = record_int(&c->user.user, USER_ORG_ID, 1),
			.event_id = record_int(&rec, OBJ_EVENT_ID, 0),
			.library = library_writes(c->app->library),
		};
		enum event_write_result result;
		json_t *event = json_pack("{s:[O]}", "Object", patch);
		int64_t id;

		rc = event_write_tree(c->store, &o, event, &result, &id, &e);
		json_decref(event);
	}
	if (rc == 0) {
		rc = store_find(c->store, &model_reference, "uuid",
				json_string_value(json_object_get(copy, "uuid")),
				&ref_id);
	}
	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else {
		struct record out;

		record_init(&out, &model_reference);
		store_get(c->store, &model_reference, ref_id, &out);
		yajl_gen_map_open(c->gen);
		codec_emit_key(c->gen, "ObjectReference");
		codec_emit_record(c->gen, &out);
		yajl_gen_map_close(c->gen);
		record_release(&out);
	}
	json_decref(patch);
	json_decref(copy);
	record_release(&rec);
	cairn_err_release(&e);
	return 0;
}

int api_reference_delete(struct api_ctx *c)
{
	struct record rec;
	int64_t id;
	int rc;

	if (api_resolve(c, &model_reference, c->path.segments[2], &id) < 0) {
		return api_error(c, 404, "Invalid object reference.", NULL);
	}
	if (hard_delete(c) || (c->path.nsegments == 4 &&
				strcmp(c->path.segments[3], "true") == 0)) {
		rc = store_delete(c->store, &model_reference, id);
	} else {
		record_init(&rec, &model_reference);
		record_set_int(&rec, REF_DELETED, 1);
		record_set_int(&rec, REF_TIMESTAMP, time_now());
		rc = store_update(c->store, &rec, id);
		record_release(&rec);
	}
	if (rc < 0) {
		return api_error(c, 500, "deleting the reference failed", NULL);
	}
	return api_success(c, "ObjectReference deleted");
}
