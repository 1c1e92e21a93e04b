/*
 * Role endpoints: roles/index and view for every user; admin/roles/add,
 * edit, delete and set_default for site admins.  A role that users still
 * have cannot be deleted.
 */
#include "api/identity.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/identity.h"

#include <string.h>

static int send_role(struct api_ctx *c, int64_t id)
{
	struct record role;
	int rc;

	record_init(&role, &model_role);
	rc = store_get(c->store, &model_role, id, &role);
	if (rc == CAIRN_ENOTFOUND) {
		record_release(&role);
		return api_error(c, 404, "Invalid role", NULL);
	}
	if (rc == 0) {
		rc = yajl_gen_map_open(c->gen) == yajl_gen_status_ok
			 ? identity_emit(c->gen, "Role", &role)
			 : CAIRN_ENOMEM;
	}
	if (rc == 0 && yajl_gen_map_close(c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	record_release(&role);
	return identity_finish(c, rc);
}

int api_role_index(struct api_ctx *c)
{
	struct store_cursor *cur;
	struct record role;
	int rc = store_query(c->store, &c->viewer, Q_ROLE_INDEX, 0, 0, &cur);

	if (rc < 0) {
		return api_error(c, 500, "listing roles failed", NULL);
	}
	rc = yajl_gen_array_open(c->gen) == yajl_gen_status_ok ? 0
							       : CAIRN_ENOMEM;
	while (rc == 0 && (rc = store_cursor_next(cur, &role)) == 1) {
		rc = yajl_gen_map_open(c->gen) == yajl_gen_status_ok &&
			     identity_emit(c->gen, "Role", &role) == 0 &&
			     yajl_gen_map_close(c->gen) == yajl_gen_status_ok
			 ? 0
			 : CAIRN_ENOMEM;
	}
	store_cursor_close(cur);
	if (rc == 0 && yajl_gen_array_close(c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	return identity_finish(c, rc);
}

static int find_role(struct api_ctx *c, int64_t *id)
{
	if (api_resolve(c, &model_role, c->arg, id) < 0) {
		api_error(c, 404, "Invalid role", NULL);
		return CAIRN_ENOTFOUND;
	}
	return 0;
}

int api_role_view(struct api_ctx *c)
{
	int64_t id;

	if (find_role(c, &id) < 0) {
		return 0;
	}
	return send_role(c, id);
}

static int parse_role(json_t *body, struct record *role, struct cairn_err *e)
{
	int rc = codec_parse(role, body, false, "", e);

	/* The id and default flag change only through their own routes. */
	role->v[ROLE_ID].set = false;
	role->v[ROLE_DEFAULT].set = false;
	if (rc == 0 && role->v[ROLE_NAME].set &&
	    !*record_text(role, ROLE_NAME, "")) {
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "invalid name: a role's name must not be "
				   "empty");
		buf_adds(&e->field, "name");
	}
	return rc;
}

static int role_failed(struct api_ctx *c, const char *action,
		       struct cairn_err *e)
{
	if (!e->code) {
		store_error(c->store, e);
	}
	identity_save_failed(c, action, "Role", e);
	cairn_err_release(e);
	return 0;
}

int api_role_add(struct api_ctx *c)
{
	json_t *body = identity_body(c, "Role");
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record role;
	int64_t id;
	int rc;

	if (!body) {
		return 0;
	}
	record_init(&role, &model_role);
	rc = parse_role(body, &role, &e);
	if (rc == 0 && !role.v[ROLE_NAME].set) {
		rc = cairn_err_set(&e, CAIRN_EINVAL,
				   "missing name: a role needs a name");
		buf_adds(&e.field, "name");
	}
	if (rc == 0) {
		if (!role.v[ROLE_MEMORY_LIMIT].set) {
			record_set_text(&role, ROLE_MEMORY_LIMIT, "");
		}
		if (!role.v[ROLE_MAX_EXECUTION_TIME].set) {
			record_set_text(&role, ROLE_MAX_EXECUTION_TIME, "");
		}
		rc = store_insert(c->store, &role, &id);
	}
	record_release(&role);
	if (rc < 0) {
		return role_failed(c, "add", &e);
	}
	return send_role(c, id);
}

int api_role_edit(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record role;
	json_t *body;
	int64_t id;
	int rc;

	if (find_role(c, &id) < 0 || !(body = identity_body(c, "Role"))) {
		return 0;
	}
	record_init(&role, &model_role);
	rc = parse_role(body, &role, &e);
	if (rc == 0) {
		rc = store_update(c->store, &role, id);
	}
	record_release(&role);
	if (rc < 0) {
		return role_failed(c, "edit", &e);
	}
	return send_role(c, id);
}

int api_role_delete(struct api_ctx *c)
{
	struct buf msg = BUF_INIT;
	int64_t id, users = 0;
	int rc;

	if (find_role(c, &id) < 0) {
		return 0;
	}
	if (store_count(c->store, &model_user, "role_id", id, &users) < 0) {
		return api_error(c, 500, "counting the role's users failed",
				 NULL);
	}
	if (users) {
		buf_printf(&msg,
			   "Role could not be deleted: %lld users still have "
			   "it; give them another role first.",
			   (long long)users);
		rc = api_error(c, 403, buf_str(&msg), NULL);
		buf_release(&msg);
		return rc;
	}
	if (store_delete(c->store, &model_role, id) < 0) {
		return api_error(c, 500, "deleting the role failed", NULL);
	}
	return identity_success(c, "Role deleted", id);
}

int api_role_set_default(struct api_ctx *c)
{
	int64_t id;

	if (find_role(c, &id) < 0) {
		return 0;
	}
	if (store_role_set_default(c->store, id) < 0) {
		return api_error(c, 500, "setting the default role failed",
				 NULL);
	}
	return identity_success(c, "Default role set.", id);
}
