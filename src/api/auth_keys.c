/*
 * API key endpoints: auth_keys/add, index, view, edit and delete.  Every
 * user manages its own keys; an org admin the keys of its organisation's
 * users and a site admin every key.  A key is shown in clear only in the
 * response of auth_keys/add ("authkey_raw"); afterwards only its first and
 * last four characters are known.
 */
#include "api/acl.h"
#include "api/auth.h"
#include "api/identity.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/identity.h"

#include <sodium.h>
#include <string.h>

#define INVALID_KEY "Invalid auth key"

/* Returns true when the caller may manage the keys of `user_id`. */
static bool may_manage_keys_of(struct api_ctx *c, int64_t user_id)
{
	struct record user, role;
	bool ok;

	if (user_id == record_int(&c->user.user, USER_ID, 0)) {
		return true;
	}
	record_init(&user, &model_user);
	record_init(&role, &model_role);
	ok = store_get(c->store, &model_user, user_id, &user) == 0 &&
	     store_get(c->store, &model_role, record_int(&user, USER_ROLE_ID, 0),
		       &role) == 0 &&
	     acl_may_manage_user(&c->user, record_int(&user, USER_ORG_ID, 0),
				 &role);
	record_release(&role);
	record_release(&user);
	return ok;
}

/* Writes {"AuthKey": {...}, "User": {"id", "email"}} into `g`. */
static int emit_key(struct api_ctx *c, struct record *key, const char *raw)
{
	struct record user;
	yajl_gen g = c->gen;
	int rc;

	record_init(&user, &model_user);
	store_get(c->store, &model_user, record_int(key, AUTHKEY_USER_ID, 0),
		  &user);
	rc = yajl_gen_map_open(g) == yajl_gen_status_ok ? 0 : CAIRN_ENOMEM;
	if (rc == 0) {
		rc = identity_emit_extra(g, "AuthKey", key,
					 raw ? "authkey_raw" : NULL, raw);
	}
	if (rc == 0) {
		struct record brief;

		record_init(&brief, &model_user);
		brief.v[USER_ID] = user.v[USER_ID];
		brief.v[USER_EMAIL] = user.v[USER_EMAIL];
		rc = identity_emit(g, "User", &brief);
	}
	if (rc == 0 && yajl_gen_map_close(g) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	record_release(&user);
	return rc;
}

static int send_key(struct api_ctx *c, int64_t id, const char *raw)
{
	struct record key;
	int rc;

	record_init(&key, &model_authkey);
	rc = store_get(c->store, &model_authkey, id, &key);
	if (rc == 0) {
		rc = emit_key(c, &key, raw);
	}
	record_release(&key);
	return identity_finish(c, rc);
}

/* Reads allowed_ips (a list, or a string of ranges separated by commas,
 * spaces or new lines) into the record as a JSON list, or null for none. */
static int parse_allowed_ips(json_t *body, struct record *key,
			     struct cairn_err *e)
{
	json_t *value = json_object_get(body, "allowed_ips");
	json_t *list;
	char *text;
	int rc;

	if (!value) {
		return 0;
	}
	if (json_is_null(value)) {
		record_set_null(key, AUTHKEY_ALLOWED_IPS);
		return 0;
	}
	if (json_is_string(value)) {
		const char *p = json_string_value(value);

		list = json_array();
		p += strspn(p, "\r\n\t, ");
		while (*p) {
			size_t n = strcspn(p, "\r\n\t, ");

			json_array_append_new(list, json_stringn(p, n));
			p += n;
			p += strspn(p, "\r\n\t, ");
		}
	} else {
		list = json_incref(value);
	}
	rc = api_allowed_ips_check(list, e);
	if (rc == 0 && json_array_size(list) == 0) {
		record_set_null(key, AUTHKEY_ALLOWED_IPS);
	} else if (rc == 0) {
		text = json_dumps(list, JSON_COMPACT);
		rc = text ? record_set_text(key, AUTHKEY_ALLOWED_IPS, text)
			  : CAIRN_ENOMEM;
		free(text);
	}
	json_decref(list);
	return rc;
}

static int parse_key(json_t *body, struct record *key, struct cairn_err *e)
{
	int rc = body ? codec_parse(key, body, false, "", e) : 0;

	if (rc == 0 && body) {
		rc = parse_allowed_ips(body, key, e);
	}
	if (rc == 0 && record_int(key, AUTHKEY_EXPIRATION, 0) < 0) {
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "invalid expiration: expected unix seconds, "
				   "or 0 for a key that never expires");
		buf_adds(&e->field, "expiration");
	}
	return rc;
}

static int key_failed(struct api_ctx *c, const char *action,
		      struct cairn_err *e)
{
	if (!e->code) {
		store_error(c->store, e);
	}
	identity_save_failed(c, action, "AuthKey", e);
	cairn_err_release(e);
	return 0;
}

/* Inserts a new key for `user_id` with the fields of `key`. */
static int insert_key(struct api_ctx *c, int64_t user_id, struct record *key,
		      char raw[API_KEY_LENGTH + 1], int64_t *id)
{
	int rc = store_begin(c->store);

	if (rc == 0) {
		rc = api_auth_key_create(c->store, user_id, raw, id);
	}
	if (rc == 0) {
		rc = store_update(c->store, key, *id);
	}
	if (rc == 0) {
		rc = store_commit(c->store);
	} else {
		store_rollback(c->store);
	}
	return rc;
}

/* auth_keys/add[/USER] where USER is an id or "me" (the default). */
int api_authkey_add(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int64_t user_id = record_int(&c->user.user, USER_ID, 0), id;
	char raw[API_KEY_LENGTH + 1];
	struct record key;
	int rc;

	if (c->arg && strcmp(c->arg, "me") != 0 &&
	    (api_resolve(c, &model_user, c->arg, &user_id) < 0 ||
	     !may_manage_keys_of(c, user_id))) {
		return api_error(c, 404, "Invalid user", NULL);
	}
	record_init(&key, &model_authkey);
	rc = parse_key(api_body_object(c, "AuthKey"), &key, &e);
	if (rc == 0) {
		rc = insert_key(c, user_id, &key, raw, &id);
	}
	record_release(&key);
	if (rc < 0) {
		return key_failed(c, "add", &e);
	}
	send_key(c, id, raw);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

struct key_list {
	struct api_ctx *c;
};

static int emit_listed_key(void *ctx, int64_t id)
{
	struct key_list *l = ctx;
	struct record key;
	int rc;

	record_init(&key, &model_authkey);
	rc = store_get(l->c->store, &model_authkey, id, &key);
	/* An org admin's list leaves out the keys of users above it. */
	if (rc == 0 &&
	    may_manage_keys_of(l->c, record_int(&key, AUTHKEY_USER_ID, 0))) {
		rc = emit_key(l->c, &key, NULL);
	}
	record_release(&key);
	return rc;
}

/* auth_keys/index[/USER]: the keys the caller manages, of one user when
 * USER (an id or "me") is given. */
int api_authkey_index(struct api_ctx *c)
{
	int64_t org_id = 0, user_id = 0;
	struct key_list l = {c};
	int rc;

	if (c->arg) {
		user_id = record_int(&c->user.user, USER_ID, 0);
		if (strcmp(c->arg, "me") != 0 &&
		    (api_resolve(c, &model_user, c->arg, &user_id) < 0 ||
		     !may_manage_keys_of(c, user_id))) {
			return api_error(c, 404, "Invalid user", NULL);
		}
	} else if (!record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0)) {
		if (record_int(&c->user.role, ROLE_PERM_ADMIN, 0)) {
			org_id = record_int(&c->user.user, USER_ORG_ID, 0);
		} else {
			user_id = record_int(&c->user.user, USER_ID, 0);
		}
	}
	rc = yajl_gen_array_open(c->gen) == yajl_gen_status_ok ? 0
							       : CAIRN_ENOMEM;
	if (rc == 0) {
		rc = store_list_ids(c->store, STORE_LIST_AUTHKEYS, org_id,
				    user_id, NULL, emit_listed_key, &l);
	}
	if (rc == 0 && yajl_gen_array_close(c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	return identity_finish(c, rc);
}

/* Resolves the argument to a key the caller manages. */
static int find_key(struct api_ctx *c, int64_t *id)
{
	struct record key;
	int rc;

	record_init(&key, &model_authkey);
	rc = api_resolve(c, &model_authkey, c->arg, id);
	if (rc == 0) {
		rc = store_get(c->store, &model_authkey, *id, &key);
	}
	if (rc == 0 &&
	    !may_manage_keys_of(c, record_int(&key, AUTHKEY_USER_ID, 0))) {
		rc = CAIRN_ENOTFOUND;
	}
	record_release(&key);
	if (rc < 0) {
		api_error(c, 404, INVALID_KEY, NULL);
	}
	return rc;
}

int api_authkey_view(struct api_ctx *c)
{
	int64_t id;

	if (find_key(c, &id) < 0) {
		return 0;
	}
	return send_key(c, id, NULL);
}

int api_authkey_edit(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record key;
	json_t *body;
	int64_t id;
	int rc;

	if (find_key(c, &id) < 0 || !(body = identity_body(c, "AuthKey"))) {
		return 0;
	}
	record_init(&key, &model_authkey);
	rc = parse_key(body, &key, &e);
	if (rc == 0) {
		rc = store_update(c->store, &key, id);
	}
	record_release(&key);
	if (rc < 0) {
		return key_failed(c, "edit", &e);
	}
	return send_key(c, id, NULL);
}

int api_authkey_delete(struct api_ctx *c)
{
	int64_t id;

	if (find_key(c, &id) < 0) {
		return 0;
	}
	if (store_delete(c->store, &model_authkey, id) < 0) {
		return api_error(c, 500, "deleting the auth key failed", NULL);
	}
	return identity_success(c, "AuthKey deleted", id);
}
