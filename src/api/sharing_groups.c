/*
 * Sharing group endpoints: add, edit, delete, view, index, addOrg,
 * removeOrg, addServer and removeServer, in MISP's shapes.
 *
 * Who may do what follows MISP's SharingGroup model.  Every user sees the
 * groups its organisation may see (store_viewer_load()).  A site admin,
 * the owner organisation and a member organisation with `extend` may edit
 * a group and its members.  Only a site admin and the owner may delete
 * it.  The role permission perm_sharing_group is checked by the
 * route table.  A group the user may not see is "not found", so that its
 * existence is not revealed.
 */
#include "api/api.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/sharing.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SG_NOT_FOUND "Invalid sharing group."
#define SG_NO_ACCESS                                                           \
	"Sharing group doesn't exist or you do not have permission to access " \
	"it."
#define SG_NO_EDIT "Invalid sharing group or no editing rights."

/* -------- JSON of a sharing group -------- */

static json_t *org_json(struct api_ctx *c, int64_t org_id)
{
	struct record org;
	json_t *out;

	record_init(&org, &model_org);
	if (store_get(c->store, &model_org, org_id, &org) < 0) {
		record_release(&org);
		return json_null();
	}
	out = json_pack("{s:s, s:s, s:s}", "id", "", "name",
			record_text(&org, ORG_NAME, ""), "uuid",
			record_text(&org, ORG_UUID, ""));
	json_object_set_new(out, "id", json_sprintf("%lld", (long long)org_id));
	record_release(&org);
	return out;
}

static int member_json(void *ctx, const struct store_sg_member *m)
{
	json_t *list = ctx;

	json_array_append_new(
		list,
		json_pack("{s:o, s:o, s:o, s:b, s:{s:o, s:s, s:s, s:b}}", "id",
			  json_sprintf("%lld", (long long)m->id),
			  "sharing_group_id",
			  json_sprintf("%lld", (long long)m->sharing_group_id),
			  "org_id", json_sprintf("%lld", (long long)m->org_id),
			  "extend", m->extend, "Organisation", "id",
			  json_sprintf("%lld", (long long)m->org_id), "name",
			  m->org_name, "uuid", m->org_uuid, "local",
			  m->org_local));
	return 0;
}

/* Server 0 is written as MISP writes it, as the local instance. */
static int server_json(void *ctx, const struct store_sg_server *m)
{
	json_t *list = ctx;
	json_t *server = m->server_id == 0
				 ? json_pack("{s:s, s:s, s:s}", "id", "0",
					     "name", "Local instance", "url",
					     "")
				 : json_object();

	json_array_append_new(
		list, json_pack("{s:o, s:o, s:o, s:b, s:o}", "id",
				json_sprintf("%lld", (long long)m->id),
				"sharing_group_id",
				json_sprintf("%lld",
					     (long long)m->sharing_group_id),
				"server_id",
				json_sprintf("%lld", (long long)m->server_id),
				"all_orgs", m->all_orgs, "Server", server));
	return 0;
}

static json_t *sg_fields(const struct record *sg)
{
	json_t *out = json_object();

	for (size_t i = 0; i < sg->model->nfields; i++) {
		const struct field *f = &sg->model->fields[i];
		const struct value *v = &sg->v[i];

		if (!v->set) {
			continue;
		}
		if (f->kind == FIELD_BOOL) {
			json_object_set_new(out, f->name, json_boolean(v->i));
		} else if (f->kind == FIELD_ID) {
			json_object_set_new(out, f->name,
					    json_sprintf("%lld",
							 (long long)v->i));
		} else {
			json_object_set_new(out, f->name,
					    json_string(v->s ? v->s : ""));
		}
	}
	return out;
}

/* Returns true when the user may edit the group: a site admin, its owner
 * organisation, or a member organisation with extend. */
static bool may_extend(struct api_ctx *c, const struct record *sg)
{
	bool extend = false;

	if (c->viewer.site_admin ||
	    record_int(sg, SG_ORG_ID, 0) == c->viewer.org_id) {
		return true;
	}
	return store_sg_member_find(c->store, record_int(sg, SG_ID, 0),
				    c->viewer.org_id, NULL, &extend) == 0 &&
	       extend;
}

static bool may_delete(struct api_ctx *c, const struct record *sg)
{
	return c->viewer.site_admin ||
	       record_int(sg, SG_ORG_ID, 0) == c->viewer.org_id;
}

/* Builds {"SharingGroup", "Organisation", "SharingGroupOrg",
 * "SharingGroupServer"}, and "editable" and "deletable" for the index. */
static json_t *sg_json(struct api_ctx *c, const struct record *sg,
		       bool with_rights)
{
	int64_t id = record_int(sg, SG_ID, 0);
	json_t *members = json_array(), *servers = json_array();
	json_t *out;

	store_sg_members_each(c->store, id, member_json, members);
	store_sg_servers_each(c->store, id, server_json, servers);
	out = json_pack("{s:o, s:o, s:o, s:o}", "SharingGroup", sg_fields(sg),
			"Organisation",
			org_json(c, record_int(sg, SG_ORG_ID, 0)),
			"SharingGroupOrg", members, "SharingGroupServer",
			servers);
	if (with_rights) {
		json_object_set_new(out, "editable",
				    json_boolean(may_extend(c, sg)));
		json_object_set_new(out, "deletable",
				    json_boolean(may_delete(c, sg)));
	}
	return out;
}

/* -------- lookups -------- */

/* Loads the group named by `arg` (an id or a UUID) that the user may
 * see.  Returns CAIRN_ENOTFOUND for a missing or invisible one. */
static int load_sg(struct api_ctx *c, const char *arg, struct record *sg)
{
	int64_t id = 0;
	int rc = api_resolve(c, &model_sharing_group, arg, &id);

	if (rc == 0) {
		rc = store_visible(c->store, &c->viewer,
				   STORE_KIND_SHARING_GROUP, id);
	}
	if (rc == 0) {
		rc = store_get(c->store, &model_sharing_group, id, sg);
	}
	return rc;
}

/* Returns the text of an id given as a JSON string or number, in
 * c->scratch, or NULL. */
static const char *body_id(struct api_ctx *c, const char *const *keys)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(c->body, *keys);

		free(c->scratch);
		c->scratch = NULL;
		if (json_is_string(v) && *json_string_value(v)) {
			c->scratch = strdup(json_string_value(v));
		} else if (json_is_integer(v)) {
			struct buf text = BUF_INIT;

			buf_printf(&text, "%lld",
				   (long long)json_integer_value(v));
			c->scratch = buf_detach(&text);
		}
		if (c->scratch) {
			return c->scratch;
		}
	}
	return NULL;
}

static bool json_flag(json_t *v)
{
	if (json_is_string(v)) {
		return strcmp(json_string_value(v), "1") == 0 ||
		       strcmp(json_string_value(v), "true") == 0;
	}
	return json_is_true(v) ||
	       (json_is_integer(v) && json_integer_value(v) != 0);
}

static void now_text(char out[20])
{
	time_t now = (time_t)time_now();
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Sends MISP's saveFailResponse: 403 {"saved": false, "name", "message",
 * "url", "errors"}. */
static int save_fail(struct api_ctx *c, const char *action,
		     const char *message)
{
	struct buf name = BUF_INIT;

	buf_printf(&name, "Could not %s SharingGroup", action);
	c->rs->status = 403;
	api_send_json(c, json_pack("{s:b, s:s, s:s, s:s, s:s}", "saved", 0,
				   "name", buf_str(&name), "message",
				   buf_str(&name), "url", c->http->path,
				   "errors", message));
	buf_release(&name);
	return 0;
}

/* -------- view and index -------- */

int api_sharing_group_view(struct api_ctx *c)
{
	struct record sg;

	record_init(&sg, &model_sharing_group);
	if (load_sg(c, c->arg, &sg) < 0) {
		record_release(&sg);
		if (strcmp(c->http->method, "HEAD") == 0) {
			return api_error(c, 404, SG_NOT_FOUND, NULL);
		}
		return api_error(c, 405, SG_NO_ACCESS, NULL);
	}
	api_send_json(c, sg_json(c, &sg, false));
	record_release(&sg);
	return 0;
}

/* Lists the active groups the user may see, or with the argument "true"
 * the inactive ones, as MISP's index/true does. */
int api_sharing_group_index(struct api_ctx *c)
{
	bool passive = c->arg && strcmp(c->arg, "true") == 0;
	json_t *list = json_array();

	for (size_t i = 0; i < c->viewer.nsharing_groups; i++) {
		struct record sg;

		record_init(&sg, &model_sharing_group);
		if (store_get(c->store, &model_sharing_group,
			      c->viewer.sharing_groups[i], &sg) == 0 &&
		    (record_int(&sg, SG_ACTIVE, 0) != 0) != passive) {
			json_array_append_new(list, sg_json(c, &sg, true));
		}
		record_release(&sg);
	}
	return api_send_json(c, json_pack("{s:o}", "response", list));
}

/* -------- add, edit, delete -------- */

/* Checks the fields of an add or edit body; a missing name or
 * releasability is an error only on add. */
static int check_sg_body(json_t *body, bool adding, struct record *sg,
			 struct cairn_err *e)
{
	static const char *const required[] = {"name", "releasability"};
	int rc = codec_parse(sg, body, false, "", e);

	for (size_t i = 0; rc == 0 && i < 2; i++) {
		json_t *v = json_object_get(body, required[i]);

		if ((adding || v) &&
		    (!json_is_string(v) || !*json_string_value(v))) {
			rc = cairn_err_set(e, CAIRN_EINVAL,
					   "missing or empty '%s': expected a "
					   "non-empty string",
					   required[i]);
			cairn_err_at(e, "", required[i]);
		}
	}
	return rc;
}

/* Adds the creator as an extending member and, unless the group roams,
 * this instance's server row, as MISP does for a new group. */
static int add_sg_rows(struct api_ctx *c, int64_t sg_id, bool roaming)
{
	struct record row;
	int64_t id;
	int rc;

	record_init(&row, &model_sharing_group_org);
	record_set_int(&row, SGO_SHARING_GROUP_ID, sg_id);
	record_set_int(&row, SGO_ORG_ID, c->viewer.org_id);
	record_set_int(&row, SGO_EXTEND, 1);
	rc = store_insert(c->store, &row, &id);
	record_release(&row);
	if (rc < 0 || roaming) {
		return rc;
	}
	record_init(&row, &model_sharing_group_server);
	record_set_int(&row, SGS_SHARING_GROUP_ID, sg_id);
	record_set_int(&row, SGS_SERVER_ID, 0);
	record_set_int(&row, SGS_ALL_ORGS, 0);
	rc = store_insert(c->store, &row, &id);
	record_release(&row);
	return rc;
}

static int insert_sg(struct api_ctx *c, struct record *sg, int64_t *id)
{
	char now[20];
	int rc;

	now_text(now);
	record_set_int(sg, SG_ORG_ID, c->viewer.org_id);
	record_set_int(sg, SG_SYNC_USER_ID, c->viewer.user_id);
	record_set_int(sg, SG_LOCAL, 1);
	if (!sg->v[SG_ACTIVE].set) {
		record_set_int(sg, SG_ACTIVE, 1);
	}
	rc = record_set_text(sg, SG_ORGANISATION_UUID,
			     record_text(&c->user.org, ORG_UUID, ""));
	if (rc == 0) {
		rc = record_set_text(sg, SG_CREATED, now);
	}
	if (rc == 0) {
		rc = record_set_text(sg, SG_MODIFIED, now);
	}
	if (rc == 0) {
		rc = store_begin(c->store);
	}
	if (rc == 0) {
		rc = store_insert(c->store, sg, id);
	}
	if (rc == 0) {
		rc = add_sg_rows(c, *id, record_int(sg, SG_ROAMING, 0) != 0);
	}
	if (rc == 0) {
		rc = store_commit(c->store);
	} else {
		store_rollback(c->store);
	}
	return rc;
}

/* Sends the stored group `id` as add and edit return it. */
static int send_sg(struct api_ctx *c, int64_t id)
{
	struct record sg;

	record_init(&sg, &model_sharing_group);
	if (store_get(c->store, &model_sharing_group, id, &sg) < 0) {
		record_release(&sg);
		return api_error(c, 500, "reading the sharing group failed",
				 NULL);
	}
	api_send_json(c, sg_json(c, &sg, false));
	record_release(&sg);
	return 0;
}

/* Sends the result of an add or edit: the stored group, or MISP's save
 * failure with the reason. */
static int finish_save(struct api_ctx *c, const char *action, int rc,
		       struct cairn_err *e, const struct record *sg,
		       int64_t id)
{
	if (rc == CAIRN_EEXIST) {
		cairn_err_set(e, rc,
			      "a sharing group named '%s' or with that uuid "
			      "exists already",
			      record_text(sg, SG_NAME, ""));
	}
	if (rc < 0) {
		return save_fail(c, action,
				 e->message.len ? buf_str(&e->message)
						: "Could not save sharing "
						  "group.");
	}
	return send_sg(c, id);
}

/* Loads the group of an edit or delete and checks `allowed`.  When the
 * group is missing, invisible or not allowed, sends the error and returns
 * a negative code. */
static int load_for_change(struct api_ctx *c,
			   bool (*allowed)(struct api_ctx *c,
					   const struct record *sg),
			   int64_t *id)
{
	struct record sg;
	int rc;

	record_init(&sg, &model_sharing_group);
	rc = load_sg(c, c->arg, &sg);
	if (rc < 0) {
		api_error(c, 404, SG_NOT_FOUND, NULL);
	} else if (!allowed(c, &sg)) {
		rc = CAIRN_EDENIED;
		api_error(c, 405, "Action not allowed.", NULL);
	}
	*id = record_int(&sg, SG_ID, 0);
	record_release(&sg);
	return rc;
}

int api_sharing_group_add(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *body = api_body_object(c, "SharingGroup");
	struct record sg;
	int64_t id = 0;
	int rc;

	if (!body) {
		return api_error(c, 400,
				 "missing request body: expected a sharing "
				 "group object with name and releasability",
				 NULL);
	}
	record_init(&sg, &model_sharing_group);
	rc = check_sg_body(body, true, &sg, &e);
	if (rc == 0) {
		rc = insert_sg(c, &sg, &id);
	}
	finish_save(c, "add", rc, &e, &sg, id);
	record_release(&sg);
	cairn_err_release(&e);
	return 0;
}

int api_sharing_group_edit(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	json_t *body = api_body_object(c, "SharingGroup");
	struct record change;
	char now[20];
	int64_t id;
	int rc;

	if (load_for_change(c, may_extend, &id) < 0) {
		return 0;
	}
	if (!body) {
		return api_error(c, 400,
				 "missing request body: expected the sharing "
				 "group fields to change",
				 NULL);
	}
	record_init(&change, &model_sharing_group);
	rc = check_sg_body(body, false, &change, &e);
	/* The uuid names the group and is not changed by an edit. */
	change.v[SG_UUID].set = false;
	now_text(now);
	if (rc == 0) {
		rc = record_set_text(&change, SG_MODIFIED, now);
	}
	if (rc == 0) {
		rc = store_update(c->store, &change, id);
	}
	finish_save(c, "edit", rc, &e, &change, id);
	record_release(&change);
	cairn_err_release(&e);
	return 0;
}

int api_sharing_group_delete(struct api_ctx *c)
{
	int64_t id, used = 0;

	if (load_for_change(c, may_delete, &id) < 0) {
		return 0;
	}
	if (store_sg_usage(c->store, id, &used) < 0) {
		return api_error(c, 500, "database error", NULL);
	}
	if (used > 0) {
		return save_fail(c, "delete",
				 "The sharing group could not be deleted. "
				 "Make sure that there are no events, "
				 "attributes, objects or reports belonging to "
				 "this sharing group.");
	}
	if (store_delete(c->store, &model_sharing_group, id) < 0) {
		return api_error(c, 500, "deleting the sharing group failed",
				 NULL);
	}
	return api_send_json(c, json_pack("{s:b, s:b, s:s, s:s, s:s, s:I}",
					  "saved", 1, "success", 1, "name",
					  "SharingGroup deleted", "message",
					  "SharingGroup deleted", "url",
					  c->http->path, "id", (json_int_t)id));
}

/* -------- members and servers -------- */

/* Returns the positional argument `i` after the action, or NULL. */
static const char *path_arg(const struct api_ctx *c, size_t i)
{
	return c->path.nsegments > 2 + i ? c->path.segments[2 + i] : NULL;
}

/* Loads the group of a quick edit, from the path or from the body's
 * sg_id, sg_uuid, id or uuid, and checks that the user may edit it.
 * Sends the error and returns a negative code when not. */
static int quick_edit_sg(struct api_ctx *c, int64_t *sg_id)
{
	static const char *const keys[] = {"sg_id", "sg_uuid", "id", "uuid",
					   NULL};
	const char *arg = path_arg(c, 0);
	struct record sg;
	int rc;

	if (!arg) {
		arg = body_id(c, keys);
	}
	if (!arg) {
		api_error(c, 405, "No valid sharing group ID provided.", NULL);
		return CAIRN_EINVAL;
	}
	record_init(&sg, &model_sharing_group);
	rc = load_sg(c, arg, &sg);
	if (rc == 0 && !may_extend(c, &sg)) {
		rc = CAIRN_EDENIED;
	}
	*sg_id = record_int(&sg, SG_ID, 0);
	record_release(&sg);
	if (rc < 0) {
		api_error(c, 405, SG_NO_EDIT, NULL);
	}
	return rc;
}

/* Finds the organisation of a quick edit by id, uuid or name, from the
 * path or from the body's org_id, org_uuid or org_name. */
static int quick_edit_org(struct api_ctx *c, int64_t *org_id)
{
	static const char *const keys[] = {"org_id", "org_uuid", "org_name",
					   NULL};
	const char *arg = path_arg(c, 1);
	int rc;

	if (!arg) {
		arg = body_id(c, keys);
	}
	rc = arg ? api_resolve(c, &model_org, arg, org_id) : CAIRN_ENOTFOUND;
	if (rc == CAIRN_ENOTFOUND && arg) {
		rc = store_find(c->store, &model_org, "name", arg, org_id);
	}
	if (rc < 0) {
		api_error(c, 405, "Invalid organisation.", NULL);
	}
	return rc;
}

/* Reads the server of a quick edit.  Only server 0, this instance, exists
 * until Cairn has a server list. */
static int quick_edit_server(struct api_ctx *c, int64_t *server_id)
{
	static const char *const keys[] = {"server_id", NULL};
	const char *arg = path_arg(c, 1);

	if (!arg) {
		arg = body_id(c, keys);
	}
	/* TODO: accept the ids of remote servers once sync stores them. */
	if (!arg || strcmp(arg, "0") != 0) {
		api_error(c, 405, "Invalid Server.", NULL);
		return CAIRN_ENOTFOUND;
	}
	*server_id = 0;
	return 0;
}

static int quick_success(struct api_ctx *c, const char *message)
{
	return api_send_json(c, json_pack("{s:b, s:b, s:s, s:s, s:s}", "saved",
					  1, "success", 1, "name", message,
					  "message", message, "url",
					  c->http->path));
}

/* A flag from the path (its third argument) or from the body's keys. */
static bool quick_flag(struct api_ctx *c, const char *key, const char *alt)
{
	const char *arg = path_arg(c, 2);
	json_t *v = json_object_get(c->body, key);

	if (!v && alt) {
		v = json_object_get(c->body, alt);
	}
	if (v) {
		return json_flag(v);
	}
	return arg && (strcmp(arg, "1") == 0 || strcmp(arg, "true") == 0);
}

int api_sharing_group_add_org(struct api_ctx *c)
{
	struct record row;
	int64_t sg_id, org_id, id;
	int rc;

	if (quick_edit_sg(c, &sg_id) < 0 || quick_edit_org(c, &org_id) < 0) {
		return 0;
	}
	if (store_sg_member_find(c->store, sg_id, org_id, NULL, NULL) == 0) {
		return save_fail(c, "addOrg",
				 "Organisation is already in the sharing "
				 "group.");
	}
	record_init(&row, &model_sharing_group_org);
	record_set_int(&row, SGO_SHARING_GROUP_ID, sg_id);
	record_set_int(&row, SGO_ORG_ID, org_id);
	record_set_int(&row, SGO_EXTEND, quick_flag(c, "extend", NULL));
	rc = store_insert(c->store, &row, &id);
	record_release(&row);
	if (rc < 0) {
		return save_fail(c, "addOrg",
				 "Organisation could not be added to the "
				 "sharing group.");
	}
	return quick_success(c, "Organisation added to the sharing group.");
}

int api_sharing_group_remove_org(struct api_ctx *c)
{
	int64_t sg_id, org_id, row_id;

	if (quick_edit_sg(c, &sg_id) < 0 || quick_edit_org(c, &org_id) < 0) {
		return 0;
	}
	if (store_sg_member_find(c->store, sg_id, org_id, &row_id, NULL) < 0) {
		return save_fail(c, "removeOrg",
				 "Organisation is not in the sharing group.");
	}
	if (store_delete(c->store, &model_sharing_group_org, row_id) < 0) {
		return save_fail(c, "removeOrg",
				 "Organisation could not be removed from the "
				 "sharing group.");
	}
	return quick_success(c,
			     "Organisation removed from the sharing group.");
}

int api_sharing_group_add_server(struct api_ctx *c)
{
	struct record row;
	int64_t sg_id, server_id, id;
	int rc;

	if (quick_edit_sg(c, &sg_id) < 0 ||
	    quick_edit_server(c, &server_id) < 0) {
		return 0;
	}
	if (store_sg_server_find(c->store, sg_id, server_id, NULL, NULL) ==
	    0) {
		return save_fail(c, "addServer",
				 "Server is already in the sharing group.");
	}
	record_init(&row, &model_sharing_group_server);
	record_set_int(&row, SGS_SHARING_GROUP_ID, sg_id);
	record_set_int(&row, SGS_SERVER_ID, server_id);
	record_set_int(&row, SGS_ALL_ORGS, quick_flag(c, "all_orgs", "all"));
	rc = store_insert(c->store, &row, &id);
	record_release(&row);
	if (rc < 0) {
		return save_fail(c, "addServer",
				 "Server could not be added to the sharing "
				 "group.");
	}
	return quick_success(c, "Server added to the sharing group.");
}

int api_sharing_group_remove_server(struct api_ctx *c)
{
	int64_t sg_id, server_id, row_id;

	if (quick_edit_sg(c, &sg_id) < 0 ||
	    quick_edit_server(c, &server_id) < 0) {
		return 0;
	}
	if (store_sg_server_find(c->store, sg_id, server_id, &row_id, NULL) <
	    0) {
		return save_fail(c, "removeServer",
				 "Server is not in the sharing group.");
	}
	if (store_delete(c->store, &model_sharing_group_server, row_id) < 0) {
		return save_fail(c, "removeServer",
				 "Server could not be removed from the "
				 "sharing group.");
	}
	return quick_success(c, "Server removed from the sharing group.");
}
