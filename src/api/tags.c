/* Tag endpoints: index, view, add, edit, delete, attach and remove. */
#include "api/acl.h"
#include "api/api.h"
#include "api/library.h"
#include "import/event_writer.h"
#include "import/library_checks.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/validate.h"

#include <stdlib.h>
#include <string.h>

/* Writes the tag, wrapped in {"Tag": ...} unless `bare`. */
static int send_tag(struct api_ctx *c, int64_t id, bool bare)
{
	struct record tag;
	int rc;

	record_init(&tag, &model_tag);
	rc = store_get(c->store, &model_tag, id, &tag);
	if (rc < 0) {
		record_release(&tag);
		return api_error(c, 404, "Invalid tag", NULL);
	}
	if (!bare) {
		yajl_gen_map_open(c->gen);
		codec_emit_key(c->gen, "Tag");
	}
	codec_emit_record(c->gen, &tag);
	if (!bare) {
		yajl_gen_map_close(c->gen);
	}
	record_release(&tag);
	return 0;
}

int api_tag_index(struct api_ctx *c)
{
	struct store_cursor *cur;
	struct record tag;
	int rc = store_query(c->store, &c->viewer, Q_TAG_INDEX, 0, 0, &cur);

	if (rc < 0) {
		return api_error(c, 500, "listing tags failed", NULL);
	}
	yajl_gen_map_open(c->gen);
	codec_emit_key(c->gen, "Tag");
	yajl_gen_array_open(c->gen);
	while (store_cursor_next(cur, &tag) == 1) {
		codec_emit_record(c->gen, &tag);
	}
	store_cursor_close(cur);
	yajl_gen_array_close(c->gen);
	yajl_gen_map_close(c->gen);
	return 0;
}

int api_tag_view(struct api_ctx *c)
{
	int64_t id;

	if (api_resolve(c, &model_tag, c->arg, &id) < 0) {
		return api_error(c, 404, "Invalid tag", NULL);
	}
	return send_tag(c, id, true);
}

int api_tag_add(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *body = api_body_object(c, "Tag");
	struct record tag;
	int64_t id;
	int rc;

	if (!body) {
		return api_error(c, 400, "missing request body: expected a tag",
				 NULL);
	}
	record_init(&tag, &model_tag);
	rc = codec_parse(&tag, body, false, "", &e);
	if (rc == 0) {
		rc = misp_validate(&tag, "", &e);
	}
	if (rc == 0 && !*record_text(&tag, TAG_NAME, "")) {
		rc = cairn_err_set(&e, CAIRN_EINVAL,
				   "missing 'name': expected the tag name");
		cairn_err_at(&e, "/name", "name");
	}
	/* As MISP does, adding a known name returns the stored tag. */
	if (rc == 0) {
		if (!record_text(&tag, TAG_COLOUR, NULL)) {
			char colour[8];

			event_tag_default_colour(
				library_writes(c->app->library),
				record_text(&tag, TAG_NAME, ""), colour);
			record_set_text(&tag, TAG_COLOUR, colour);
		}
		rc = store_tag_ensure(c->store, &tag, &id);
	}
	record_release(&tag);
	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else {
		send_tag(c, id, false);
	}
	cairn_err_release(&e);
	return 0;
}

int api_tag_edit(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *body = api_body_object(c, "Tag");
	struct record tag;
	int64_t id;
	int rc;

	if (api_resolve(c, &model_tag, c->arg, &id) < 0) {
		return api_error(c, 404, "Invalid tag", NULL);
	}
	if (!body) {
		return api_error(c, 400, "missing request body: expected a tag",
				 NULL);
	}
	record_init(&tag, &model_tag);
	rc = codec_parse(&tag, body, false, "", &e);
	if (rc == 0) {
		rc = misp_validate(&tag, "", &e);
	}
	if (rc == 0 && tag.v[TAG_NAME].set &&
	    !*record_text(&tag, TAG_NAME, "")) {
		rc = cairn_err_set(&e, CAIRN_EINVAL,
				   "invalid 'name': expected a non-empty tag "
				   "name");
		cairn_err_at(&e, "/name", "name");
	}
	if (rc == 0) {
		rc = store_update(c->store, &tag, id);
		if (rc == CAIRN_EEXIST) {
			cairn_err_set(&e, rc,
				      "A tag with this name already exists.");
		}
	}
	record_release(&tag);
	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else {
		send_tag(c, id, false);
	}
	cairn_err_release(&e);
	return 0;
}

int api_tag_delete(struct api_ctx *c)
{
	int64_t id;

	if (api_resolve(c, &model_tag, c->arg, &id) < 0) {
		return api_error(c, 404, "Invalid tag", NULL);
	}
	if (store_delete(c->store, &model_tag, id) < 0) {
		return api_error(c, 500, "deleting the tag failed", NULL);
	}
	return api_success(c, "Tag deleted.");
}

/* Finds what a uuid names: an event or an attribute. */
static int find_target(struct api_ctx *c, const char *uuid,
		       enum store_target *t, int64_t *id, int64_t *event_id)
{
	struct record attr;

	if (api_resolve(c, &model_event, uuid, id) == 0) {
		*t = STORE_EVENT;
		*event_id = *id;
		return 0;
	}
	if (api_resolve(c, &model_attribute, uuid, id) < 0) {
		return CAIRN_ENOTFOUND;
	}
	*t = STORE_ATTRIBUTE;
	record_init(&attr, &model_attribute);
	store_get(c->store, &model_attribute, *id, &attr);
	*event_id = record_int(&attr, ATTR_EVENT_ID, 0);
	record_release(&attr);
	return 0;
}

/* Finds the tag named (or numbered) by the request's "tag" value. */
static int find_tag(struct api_ctx *c, json_t *tag, bool create, int64_t *id)
{
	const char *name = json_string_value(tag);
	struct record rec;
	int rc;

	if (json_is_integer(tag)) {
		*id = json_integer_value(tag);
		record_init(&rec, &model_tag);
		rc = store_get(c->store, &model_tag, *id, &rec);
		record_release(&rec);
		return rc;
	}
	if (!name || !*name) {
		return CAIRN_EINVAL;
	}
	/* As MISP does, a tag given as a string of digits is an id. */
	if (strspn(name, "0123456789") == strlen(name) && strlen(name) < 19) {
		*id = strtoll(name, NULL, 10);
		record_init(&rec, &model_tag);
		rc = store_get(c->store, &model_tag, *id, &rec);
		record_release(&rec);
		return rc;
	}
	if (store_find(c->store, &model_tag, "name", name, id) == 0) {
		return 0;
	}
	if (!create) {
		return CAIRN_ENOTFOUND;
	}
	record_init(&rec, &model_tag);
	record_set_text(&rec, TAG_NAME, name);
	{
		char colour[8];

		event_tag_default_colour(library_writes(c->app->library), name,
					 colour);
		record_set_text(&rec, TAG_COLOUR, colour);
	}
	record_set_int(&rec, TAG_EXPORTABLE, 1);
	/* Fails with CAIRN_EDENIED for users without perm_tag_editor. */
	rc = store_tag_ensure(c->store, &rec, id);
	record_release(&rec);
	return rc;
}

/* Returns the stored name of a tag; the string lives in c->scratch. */
static const char *tag_name(struct api_ctx *c, int64_t id)
{
	struct record tag;

	record_init(&tag, &model_tag);
	if (store_get(c->store, &model_tag, id, &tag) == 0) {
		free(c->scratch);
		c->scratch = strdup(record_text(&tag, TAG_NAME, ""));
	}
	record_release(&tag);
	return c->scratch ? c->scratch : "";
}

/* Returns true when the tag is attached to the target; *local receives
 * whether that link is local. */
static bool find_link(struct api_ctx *c, enum store_target t, int64_t target,
		      int64_t tag_id, bool *local)
{
	struct store_cursor *cur;
	struct record tag;
	bool found = false;

	if (store_query(c->store, &c->viewer,
			t == STORE_EVENT ? Q_EVENT_TAGS : Q_ATTRIBUTE_TAGS,
			target, 0, &cur) < 0) {
		return false;
	}
	while (!found && store_cursor_next(cur, &tag) == 1) {
		if (record_int(&tag, TAG_ID, 0) == tag_id) {
			found = true;
			*local = record_int(&tag, TAG_LOCAL, 0) != 0;
		}
	}
	store_cursor_close(cur);
	return found;
}

static int already_attached(struct api_ctx *c, enum store_target t,
			    int64_t tag_id)
{
	struct buf done = BUF_INIT;
	int rc;

	buf_printf(&done,
		   "%s already has the requested tag attached, no changes had "
		   "to be made for tag %s.",
		   t == STORE_EVENT ? "Event" : "Attribute", tag_name(c, tag_id));
	rc = api_send_json(c, json_pack("{s:b, s:b, s:s, s:s}", "saved", 1,
					"success", 1, "message", buf_str(&done),
					"name", buf_str(&done)));
	buf_release(&done);
	return rc;
}

/* Attaches a tag after the exclusivity check, and the loaded cluster
 * that a galaxy tag names.  A conflict is sent as a 400 error and
 * returned as CAIRN_EINVAL. */
static int attach_checked(struct api_ctx *c, enum store_target t,
			  int64_t target, int64_t tag_id, bool local,
			  const char *relationship_type)
{
	const struct event_library *lib = library_writes(c->app->library);
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *tags = json_pack("[{s:s, s:b}]", "name", tag_name(c, tag_id),
				 "local", local);
	int rc = event_check_tags(c->store, lib, t, target, tags, "", &e);

	if (rc == CAIRN_EINVAL) {
		api_error(c, 400, buf_str(&e.message),
			  json_pack("{s:[s]}", "tag", buf_str(&e.message)));
	}
	if (rc == 0) {
		rc = store_tag_link(c->store, t, target, tag_id, local,
				    relationship_type);
	}
	if (rc == 0) {
		rc = event_attach_tag_clusters(c->store, lib, t, target, tags,
					       NULL, "", &e);
	}
	json_decref(tags);
	cairn_err_release(&e);
	return rc;
}

/* Returns MISP's reason for refusing to attach tag `tag_id` (a tag
 * restricted to another organisation or user, or a local-only tag
 * attached globally), or NULL when it may be attached. */
static const char *attach_refusal(struct api_ctx *c, int64_t tag_id,
				  bool local)
{
	bool admin = record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0) != 0;
	const char *reason = NULL;
	struct record tag;
	int64_t org, user;

	record_init(&tag, &model_tag);
	if (store_get(c->store, &model_tag, tag_id, &tag) < 0) {
		record_release(&tag);
		return NULL;
	}
	org = record_int(&tag, TAG_ORG_ID, 0);
	user = record_int(&tag, TAG_USER_ID, 0);
	if (!admin && org != 0 &&
	    org != record_int(&c->user.user, USER_ORG_ID, 0)) {
		reason = "Invalid Tag. This tag can only be set by a fixed "
			 "organisation.";
	} else if (!admin && user != 0 &&
		   user != record_int(&c->user.user, USER_ID, 0)) {
		reason = "Invalid Tag. This tag can only be set by a fixed "
			 "user.";
	} else if (record_int(&tag, TAG_LOCAL_ONLY, 0) && !local) {
		reason = "Invalid Tag. This tag can only be set as a local "
			 "tag.";
	}
	record_release(&tag);
	return reason;
}

static int tag_request(struct api_ctx *c, bool attach)
{
	json_t *body = api_body_object(c, "Tag");
	const char *uuid = json_string_value(json_object_get(body, "uuid"));
	json_t *local = json_object_get(body, "local");
	bool is_local = api_json_flag(local);
	enum store_target t;
	int64_t target, event_id, tag_id;
	bool linked_local = false;
	struct buf msg = BUF_INIT;
	int rc;

	if (!uuid || find_target(c, uuid, &t, &target, &event_id) < 0) {
		return api_error(c, 404, "Invalid Target.",
				 json_pack("{s:[s]}", "uuid",
					   "expected the UUID of an event or "
					   "an attribute"));
	}
	rc = find_tag(c, json_object_get(body, "tag"), attach, &tag_id);
	if (rc == CAIRN_EDENIED) {
		return api_error(c, 405,
				 "Tag not found and insufficient privileges to "
				 "create it.",
				 NULL);
	}
	if (rc < 0) {
		/* MISP rejects an unknown tag on removal with 405. */
		int status = attach ? 404 : 405;

		if (rc == CAIRN_EINVAL) {
			status = 400;
		}
		return api_error(c, status, "Invalid Tag.",
				 json_pack("{s:[s]}", "tag",
					   "expected the name or id of a tag"));
	}
	bool linked = find_link(c, t, target, tag_id, &linked_local);

	if (attach && linked) {
		return already_attached(c, t, tag_id);
	}
	const char *refusal = attach ? attach_refusal(c, tag_id, is_local)
				     : NULL;

	if (refusal) {
		return api_error(c, 403, refusal, NULL);
	}
	if (!attach) {
		/* The router checked the rule that the body's "local" named.
		 * Removing a global link needs the global rule, as in MISP,
		 * because otherwise a host organisation tagger could remove
		 * any event's tags (and so unpublish it) by calling them
		 * local. */
		if (linked && is_local && !linked_local &&
		    !api_event_allows(c, event_id, ACL_TAG)) {
			return api_not_allowed(c);
		}
		is_local = linked_local;
	}
	if (attach) {
		rc = attach_checked(c, t, target, tag_id, is_local,
				    json_string_value(json_object_get(
					    body, "relationship_type")));
		if (rc == CAIRN_EINVAL) {
			return 0; /* attach_checked() sent the error */
		}
	} else {
		/* TODO: detach the cluster that a removed galaxy tag attached. */
		rc = store_tag_unlink(c->store, t, target, tag_id);
	}
	if (rc == CAIRN_ENOTFOUND) {
		return api_error(c, 404,
				 t == STORE_EVENT
					 ? "Could not remove tag as it is not "
					   "attached to the target Event"
					 : "Could not remove tag as it is not "
					   "attached to the target Attribute",
				 NULL);
	}
	if (rc == 0 && !is_local) {
		rc = api_touch_event(c, event_id);
	}
	if (rc < 0) {
		return api_error(c, 500, "updating the tag failed", NULL);
	}
	/* MISP's two messages differ by the space before the id. */
	buf_printf(&msg, "%s tag %s%s(%lld) successfully %s %s(%lld).",
		   is_local ? "Local" : "Global", tag_name(c, tag_id),
		   attach ? "" : " ", (long long)tag_id,
		   attach ? "attached to" : "removed from",
		   t == STORE_EVENT ? "Event" : "Attribute", (long long)target);
	rc = api_send_json(c, json_pack("{s:b, s:b, s:s, s:s, s:b}", "saved",
					1, "success", 1, "message",
					buf_str(&msg), "name", buf_str(&msg),
					"check_publish", 1));
	free(c->scratch);
	c->scratch = NULL;
	buf_release(&msg);
	return rc;
}

int api_tag_attach(struct api_ctx *c)
{
	return tag_request(c, true);
}

int api_tag_remove(struct api_ctx *c)
{
	return tag_request(c, false);
}
