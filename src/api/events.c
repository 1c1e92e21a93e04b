/* Event endpoints: index, view, add, edit, delete, publish, unpublish. */
#include "api/acl.h"
#include "api/api.h"
#include "api/library.h"
#include "core/util.h"
#include "export/event_json.h"
#include "import/event_writer.h"
#include "import/misp_reader.h"
#include "model/codec.h"
#include "model/misp.h"

#include <string.h>

static bool named_true(const struct api_ctx *c, const char *key)
{
	const char *v = path_named(&c->path, key);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static bool named_false(const struct api_ctx *c, const char *key)
{
	const char *v = path_named(&c->path, key);

	return v && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0);
}

static int find_event(struct api_ctx *c, int64_t *id)
{
	int rc = api_resolve(c, &model_event, c->arg, id);

	if (rc == CAIRN_ENOTFOUND) {
		api_error(c, 404, "Invalid event", NULL);
	} else if (rc < 0) {
		api_error(c, 500, "database error", NULL);
	}
	return rc;
}

/* Writes the event as the response, or an error when that fails. */
static int send_event(struct api_ctx *c, int64_t id, unsigned flags)
{
	struct event_json_options options = {api_warninglists(c)};
	int rc = event_json_write_with(c->store, &c->viewer, &options, id,
				       flags, c->gen);

	if (rc == CAIRN_ENOTFOUND) {
		return api_error(c, 404, "Invalid event", NULL);
	}
	if (rc < 0) {
		return api_error(c, 500, "reading the event failed", NULL);
	}
	return 0;
}

static unsigned view_flags(struct api_ctx *c)
{
	unsigned flags = 0;
	json_t *deleted = json_object_get(c->body, "deleted");

	if (named_true(c, "metadata")) {
		flags |= EVENT_JSON_METADATA;
	}
	if (named_true(c, "noSightings")) {
		flags |= EVENT_JSON_NO_SIGHTINGS;
	}
	/* MISP's REST events/view writes RelatedEvent unless
	 * includeEventCorrelations:0 is given, and RelatedAttribute only with
	 * includeGranularCorrelations:1. */
	if (named_false(c, "includeEventCorrelations")) {
		flags |= EVENT_JSON_NO_RELATED;
	}
	if (named_true(c, "includeGranularCorrelations")) {
		flags |= EVENT_JSON_RELATED_ATTRIBUTES;
	}
	if (api_request_flag(c, NULL, "includeWarninglistHits")) {
		flags |= EVENT_JSON_WARNINGS;
	}
	/* events/view takes deleted 1, true or [0, 1] to mean "both". */
	if (named_true(c, "deleted") || named_true(c, "deleted[]") ||
	    json_is_true(deleted) ||
	    json_is_array(deleted) ||
	    (json_is_integer(deleted) && json_integer_value(deleted) == 1)) {
		flags |= EVENT_JSON_DELETED;
	}
	return flags;
}

int api_event_view(struct api_ctx *c)
{
	int64_t id;

	if (find_event(c, &id) < 0) {
		return 0;
	}
	return send_event(c, id, view_flags(c));
}

static struct event_writer_options writer_options(const struct api_ctx *c,
						  enum event_write_mode mode)
{
	struct event_writer_options o = {
		.mode = mode,
		.org_id = record_int(&c->user.user, USER_ORG_ID, 1),
		.user_id = record_int(&c->user.user, USER_ID, 0),
		.user_email = record_text(&c->user.user, USER_EMAIL, ""),
		.library = library_writes(c->app->library),
		.own_orgc = !record_int(&c->user.role, ROLE_PERM_SYNC, 0),
		.no_publish = !record_int(&c->user.role, ROLE_PERM_PUBLISH, 0) &&
			      !record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0),
	};

	return o;
}

/* Rejects an add of an existing uuid as MISP does: 404 with the stored
 * event's address in a Location header. */
static void add_conflict(struct api_ctx *c, const char *uuid)
{
	struct buf location = BUF_INIT;
	int64_t id = 0;

	api_resolve(c, &model_event, uuid, &id);
	buf_printf(&location, "/events/%lld", (long long)id);
	api_error(c, 404,
		  "Event already exists, if you would like to edit it, use the "
		  "url in the location header.",
		  NULL);
	http_response_header(c->rs, "Location", buf_str(&location));
	buf_release(&location);
}

/* State of an events/add body read as a stream, so that a large event
 * is written attribute by attribute instead of held as a tree. */
struct add_stream {
	struct api_ctx *c;
	struct event_writer *writer;
	struct misp_reader *reader;
	struct cairn_err *err;
	enum event_write_result result;
	int64_t event_id;
	char uuid[UUID_TEXT_SIZE]; /* the body's event uuid, if it had one */
	bool done;
	json_t *errors; /* attributes left out, as the response's "errors" */
	json_t *warned; /* attributes left out by enforceWarninglist */
};

/* Leaves out an attribute on an enabled warninglist when the request
 * enforces warninglists (the named parameter, or the event's
 * enforceWarninglist key when it comes before the Attribute array), as
 * MISP's events/add does, and records why under its index.  Returns true
 * when the attribute is left out.
 * NOTE: the attributes of objects are not checked. */
static bool add_warned(struct add_stream *a, enum misp_element kind,
		       json_t *header, json_t *element, const char *pointer)
{
	struct buf msg = BUF_INIT;
	const char *index = strrchr(pointer, '/');

	if (kind != MISP_ATTRIBUTE ||
	    !api_request_flag(a->c, header, "enforceWarninglist") ||
	    !api_on_warninglist(a->c, element)) {
		return false;
	}
	if (!a->warned) {
		a->warned = json_object();
	}
	buf_printf(&msg,
		   "Value '%s' trips over a warninglist and "
		   "enforceWarninglist is enforced.",
		   json_string_value(json_object_get(element, "value")));
	json_object_set_new(a->warned, index ? index + 1 : pointer,
			    json_pack("{s:[s]}", "value", buf_str(&msg)));
	buf_release(&msg);
	return true;
}

/* Keeps the event's uuid from the header, for the Location of a
 * conflict: when the body gives a timestamp, the writer finds the uuid
 * stored at the first attribute, before the event's end. */
static void keep_uuid(struct add_stream *a, json_t *header)
{
	const char *uuid = json_string_value(json_object_get(header, "uuid"));

	if (uuid && !a->uuid[0]) {
		snprintf(a->uuid, sizeof(a->uuid), "%s", uuid);
	}
}

static int add_element(void *ctx, enum misp_element kind, json_t *header,
		       json_t *element)
{
	struct add_stream *a = ctx;
	struct buf at = BUF_INIT;
	int rc;

	keep_uuid(a, header);
	misp_reader_pointer(a->reader, &at);
	if (add_warned(a, kind, header, element, buf_str(&at))) {
		buf_release(&at);
		return 0;
	}
	rc = api_check_distribution(a->c, element, buf_str(&at), a->err);
	if (rc == 0) {
		rc = event_writer_element(a->writer, kind, header, element,
					  buf_str(&at), a->err);
	}
	buf_release(&at);
	return rc;
}

static int add_event_end(void *ctx, json_t *header)
{
	struct add_stream *a = ctx;

	if (a->done) {
		cairn_err_set(a->err, CAIRN_EINVAL,
			      "the body holds more than one event: events/add "
			      "takes one");
		return CAIRN_EINVAL;
	}
	a->done = true;
	if (api_check_distribution(a->c, header, "/Event", a->err) < 0) {
		return CAIRN_EINVAL;
	}
	keep_uuid(a, header);
	return event_writer_end(a->writer, header, "", &a->result,
				&a->event_id, a->err);
}

static const struct misp_reader_callbacks add_callbacks = {
	.element = add_element,
	.event_end = add_event_end,
};

/* Returns the index that ends a pointer such as "/Event/Attribute/3", and
 * in `object` the part after "Object/" for an attribute of an object
 * ("0/Attribute/3"), or NULL. */
static const char *skipped_key(const char *pointer, const char **object)
{
	const char *in_object = strstr(pointer, "/Object/");
	const char *last = strrchr(pointer, '/');

	*object = in_object ? in_object + 8 : NULL;
	return last ? last + 1 : pointer;
}

/* Builds {"Attribute": {"<index>": {"<field>": ["<reason>"]}}, "Object":
 * {"<o>/Attribute/<i>": {...}}} from the attributes the writer left out,
 * or NULL when there are none. */
static json_t *skipped_errors(const struct event_writer *w)
{
	json_t *errors = NULL;

	for (size_t i = 0; i < event_writer_skipped_count(w); i++) {
		json_t *item = event_writer_skipped(w, i), *group;
		const char *pointer =
			json_string_value(json_object_get(item, "pointer"));
		const char *object, *index = skipped_key(pointer, &object);
		const char *list = object ? "Object" : "Attribute";

		if (!errors) {
			errors = json_object();
		}
		group = json_object_get(errors, list);
		if (!group) {
			group = json_object();
			json_object_set_new(errors, list, group);
		}
		json_object_set_new(
			group, object ? object : index,
			json_pack("{s:[O]}",
				  json_string_value(
					  json_object_get(item, "field")),
				  json_object_get(item, "message")));
	}
	return errors;
}

/* Writes {"Event": {...}, "errors": {...}} for an add that left some
 * attributes out, as MISP adds "errors" beside the event. */
static int send_event_with_errors(struct api_ctx *c, int64_t id,
				  unsigned flags, json_t *errors)
{
	int rc = yajl_gen_map_open(c->gen) == yajl_gen_status_ok ? 0 : -1;

	if (rc == 0) {
		rc = codec_emit_key(c->gen, "Event");
	}
	if (rc == 0) {
		rc = event_json_write(c->store, &c->viewer, id,
				      flags | EVENT_JSON_BARE, c->gen);
	}
	if (rc == 0) {
		rc = codec_emit_key(c->gen, "errors");
	}
	if (rc == 0) {
		rc = codec_emit_json(c->gen, errors);
	}
	if (rc == 0 && yajl_gen_map_close(c->gen) != yajl_gen_status_ok) {
		rc = -1;
	}
	if (rc < 0) {
		buf_clear(&c->rs->body);
		yajl_gen_reset(c->gen, NULL);
		return api_error(c, 500, "writing the response failed", NULL);
	}
	return 0;
}

/* Reads and writes the request body's event; returns 0 or a negative
 * code with the detail in `e`. */
static int add_from_body(struct api_ctx *c, struct add_stream *a,
			 struct cairn_err *e)
{
	struct event_writer_options o = writer_options(c, WRITE_ADD);
	int rc;

	a->c = c;
	a->err = e;
	a->writer = event_writer_new(c->store, &o);
	a->reader = misp_reader_new(&add_callbacks, a);
	if (!a->writer || !a->reader) {
		rc = CAIRN_ENOMEM;
	} else {
		rc = misp_reader_feed(a->reader, c->http->body,
				      c->http->body_len, e);
	}
	if (rc == 0) {
		rc = misp_reader_finish(a->reader, e);
	}
	if (rc == 0) {
		a->errors = skipped_errors(a->writer);
	}
	if (rc == 0 && a->warned) {
		json_t *group;

		if (!a->errors) {
			a->errors = json_object();
		}
		group = json_object_get(a->errors, "Attribute");
		if (group) {
			json_object_update(group, a->warned);
		} else {
			json_object_set(a->errors, "Attribute", a->warned);
		}
	}
	json_decref(a->warned);
	event_writer_free(a->writer);
	misp_reader_free(a->reader);
	return rc;
}

int api_event_add(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct add_stream a = {0};
	int rc = add_from_body(c, &a, &e);

	if (rc == CAIRN_EEXIST && e.pointer.len == 0) {
		add_conflict(c, a.uuid);
	} else if (rc == CAIRN_EINVAL && strcmp(buf_str(&e.field), "info") == 0 &&
		   strncmp(buf_str(&e.message), "missing", 7) == 0) {
		c->rs->status = 403;
		api_send_json(c, json_pack("{s:b, s:s, s:s, s:s, s:{s:[s]}}",
					   "saved", 0, "name",
					   "Could not add Event", "message",
					   "Could not add Event", "url",
					   c->http->path, "errors", "info",
					   buf_str(&e.message)));
	} else if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else if (a.errors) {
		send_event_with_errors(c, a.event_id,
				       named_true(c, "metadata")
					       ? EVENT_JSON_METADATA
					       : 0,
				       a.errors);
	} else {
		send_event(c, a.event_id,
			   named_true(c, "metadata") ? EVENT_JSON_METADATA : 0);
	}
	json_decref(a.errors);
	cairn_err_release(&e);
	return 0;
}

int api_event_edit(struct api_ctx *c)
{
	struct event_writer_options o = writer_options(c, WRITE_EDIT);
	struct cairn_err e = CAIRN_ERR_INIT;
	enum event_write_result result;
	json_t *event = api_body_object(c, "Event");
	int64_t id;
	int rc;

	if (find_event(c, &id) < 0) {
		return 0;
	}
	if (!event) {
		return api_error(c, 400,
				 "missing request body: expected an event "
				 "object",
				 NULL);
	}
	o.event_id = id;
	/* Only a user who may publish the event may leave it published. */
	o.no_publish = !api_event_allows(c, id, ACL_PUBLISH);
	rc = api_check_distribution(c, event, "", &e);
	if (rc < 0) {
		api_error_rc(c, rc, &e);
		cairn_err_release(&e);
		return 0;
	}
	rc = event_write_tree(c->store, &o, event, &result, &id, &e);
	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else {
		send_event(c, id,
			   named_true(c, "metadata") ? EVENT_JSON_METADATA : 0);
	}
	cairn_err_release(&e);
	return 0;
}

int api_event_delete(struct api_ctx *c)
{
	int64_t id;

	if (find_event(c, &id) < 0) {
		return 0;
	}
	if (store_delete(c->store, &model_event, id) < 0) {
		return api_error(c, 500, "deleting the event failed", NULL);
	}
	return api_send_json(c, json_pack("{s:b, s:b, s:s, s:s, s:s, s:I}",
					  "saved", 1, "success", 1, "name",
					  "Event deleted.", "message",
					  "Event deleted.", "url",
					  c->http->path, "id", (json_int_t)id));
}

static int set_published(struct api_ctx *c, bool published)
{
	struct record ev;
	int64_t id;
	int rc;

	if (find_event(c, &id) < 0) {
		return 0;
	}
	record_init(&ev, &model_event);
	record_set_int(&ev, EVENT_PUBLISHED, published);
	if (published) {
		record_set_int(&ev, EVENT_PUBLISH_TIMESTAMP, time_now());
	}
	rc = store_update(c->store, &ev, id);
	record_release(&ev);
	if (rc < 0) {
		return api_error(c, 500, "updating the event failed", NULL);
	}
	return api_send_json(
		c, json_pack("{s:b, s:b, s:s, s:s, s:s, s:I}", "saved", 1,
			     "success", 1, "name",
			     published ? "Event published without alerts"
				       : "Event unpublished.",
			     "message",
			     published ? "Event published without alerts"
				       : "Event unpublished.",
			     "url", c->http->path, "id", (json_int_t)id));
}

int api_event_publish(struct api_ctx *c)
{
	return set_published(c, true);
}

int api_event_unpublish(struct api_ctx *c)
{
	return set_published(c, false);
}
