/*
 * User endpoints: users/view (self, or any user an admin manages),
 * users/edit for one's own settings, and admin/users/index, add, edit and
 * delete.  A site admin manages every user; an org admin (perm_admin) only
 * the users of its organisation, and gives no role above its own.  No
 * response carries a password or a key hash; admin/users/add returns the
 * new user's API key once, in clear.
 */
#include "api/acl.h"
#include "api/auth.h"
#include "api/identity.h"
#include "core/password.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/identity.h"

#include <sodium.h>
#include <string.h>

static int64_t self_id(const struct api_ctx *c)
{
	return record_int(&c->user.user, USER_ID, 0);
}

/* Loads the user that the argument names ("me", an id), if the caller
 * may see it; sends 404 "Invalid user" otherwise. */
static int target_user(struct api_ctx *c, struct record *user)
{
	int64_t id = self_id(c);

	if (c->arg && strcmp(c->arg, "me") != 0 &&
	    api_resolve(c, &model_user, c->arg, &id) < 0) {
		id = 0;
	}
	if (id && store_get(c->store, &model_user, id, user) == 0 &&
	    (id == self_id(c) ||
	     acl_may_manage_org_users(&c->user,
				      record_int(user, USER_ORG_ID, 0)))) {
		return 0;
	}
	api_error(c, 404, "Invalid user", NULL);
	return CAIRN_ENOTFOUND;
}

/* Writes "User", "Role" and "Organisation" of a user into the open map. */
static int emit_user_parts(struct api_ctx *c, struct record *user,
			   bool with_settings)
{
	struct record role;
	int rc;

	record_init(&role, &model_role);
	rc = identity_emit(c->gen, "User", user);
	if (rc == 0) {
		store_get(c->store, &model_role,
			  record_int(user, USER_ROLE_ID, 0), &role);
		rc = identity_emit(c->gen, "Role", &role);
	}
	if (rc == 0 && with_settings) {
		rc =
		    codec_emit_key(c->gen, "UserSetting") == 0 &&
			    yajl_gen_array_open(c->gen) == yajl_gen_status_ok &&
			    yajl_gen_array_close(c->gen) == yajl_gen_status_ok
			? 0
			: CAIRN_ENOMEM;
	}
	if (rc == 0) {
		rc = identity_emit_org(c, "Organisation",
				       record_int(user, USER_ORG_ID, 0));
	}
	record_release(&role);
	return rc;
}

static int send_user(struct api_ctx *c, int64_t id, const char *key)
{
	struct record user;
	int rc;

	record_init(&user, &model_user);
	rc = store_get(c->store, &model_user, id, &user);
	if (rc == 0) {
		rc = yajl_gen_map_open(c->gen) == yajl_gen_status_ok
			 ? 0
			 : CAIRN_ENOMEM;
	}
	if (rc == 0 && key) {
		/* The clear key goes into the User object, where PyMISP
		 * reads it. */
		rc = identity_emit_extra(c->gen, "User", &user, "authkey", key);
	} else if (rc == 0) {
		rc = emit_user_parts(c, &user, true);
	}
	if (rc == 0 && yajl_gen_map_close(c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	record_release(&user);
	return identity_finish(c, rc);
}

int api_user_view(struct api_ctx *c)
{
	struct record user;
	int64_t id;

	record_init(&user, &model_user);
	if (target_user(c, &user) < 0) {
		record_release(&user);
		return 0;
	}
	id = record_int(&user, USER_ID, 0);
	record_release(&user);
	return send_user(c, id, NULL);
}

struct user_list {
	struct api_ctx *c;
};

static int emit_listed_user(void *ctx, int64_t id)
{
	struct user_list *l = ctx;
	struct record user;
	int rc;

	record_init(&user, &model_user);
	rc = store_get(l->c->store, &model_user, id, &user);
	if (rc == 0) {
		rc = yajl_gen_map_open(l->c->gen) == yajl_gen_status_ok
			 ? emit_user_parts(l->c, &user, false)
			 : CAIRN_ENOMEM;
	}
	if (rc == 0 && yajl_gen_map_close(l->c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	record_release(&user);
	return rc;
}

/* admin/users/index[/value:TEXT][/searchorg:ID].  An org admin gets only
 * the users of its own organisation. */
int api_user_index(struct api_ctx *c)
{
	const char *search = path_named(&c->path, "value");
	const char *org = path_named(&c->path, "searchorg");
	int64_t org_id = 0;
	struct user_list l = {c};
	int rc;

	if (org && *org) {
		if (api_resolve(c, &model_organisation, org, &org_id) < 0) {
			return api_error(c, 404, "Invalid organisation", NULL);
		}
	}
	if (!record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0)) {
		int64_t own = record_int(&c->user.user, USER_ORG_ID, 0);

		if (org_id && org_id != own) {
			return api_error(c, 403,
					 "You do not have permission to do "
					 "that.",
					 NULL);
		}
		org_id = own;
	}
	if (search && !*search) {
		search = NULL;
	}
	rc = yajl_gen_array_open(c->gen) == yajl_gen_status_ok ? 0
							       : CAIRN_ENOMEM;
	if (rc == 0) {
		rc = store_list_ids(c->store, STORE_LIST_USERS, org_id, 0,
				    search, emit_listed_user, &l);
	}
	if (rc == 0 && yajl_gen_array_close(c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	return identity_finish(c, rc);
}

static int field_error(struct cairn_err *e, const char *field,
		       const char *message)
{
	cairn_err_set(e, CAIRN_EINVAL, "%s", message);
	buf_clear(&e->field);
	buf_adds(&e->field, field);
	return CAIRN_EINVAL;
}

/* Checks the organisation and role that an admin sets on a user. */
static int check_assignment(struct api_ctx *c, const struct record *user,
			    struct cairn_err *e)
{
	struct record role;
	int rc;

	if (user->v[USER_ORG_ID].set) {
		int64_t org = record_int(user, USER_ORG_ID, 0);
		struct record o;

		record_init(&o, &model_org);
		rc = store_get(c->store, &model_org, org, &o);
		record_release(&o);
		if (rc < 0) {
			return field_error(e, "org_id",
					   "Invalid organisation: no "
					   "organisation has this id.");
		}
		if (!acl_may_manage_org_users(&c->user, org)) {
			return field_error(e, "org_id",
					   "You may only manage users of your "
					   "own organisation.");
		}
	}
	if (!user->v[USER_ROLE_ID].set) {
		return 0;
	}
	record_init(&role, &model_role);
	rc = store_get(c->store, &model_role, record_int(user, USER_ROLE_ID, 0),
		       &role);
	if (rc < 0) {
		rc = field_error(e, "role_id",
				 "Invalid role: no role has this id.");
	} else if (!acl_role_within(&c->user, &role)) {
		rc = field_error(e, "role_id",
				 "You cannot give a role with permissions "
				 "that your own role does not have.");
	}
	record_release(&role);
	return rc;
}

/* Hashes a "password" member of the body into users.password. */
static int save_password(struct api_ctx *c, json_t *body, int64_t id,
			 struct cairn_err *e)
{
	json_t *value = json_object_get(body, "password");
	struct buf hash = BUF_INIT;
	int rc;

	if (!value || json_is_null(value)) {
		return 0;
	}
	if (!json_is_string(value)) {
		return field_error(e, "password", "A password is a string.");
	}
	rc = password_check(json_string_value(value), json_string_length(value),
			    e);
	if (rc == 0) {
		rc = password_hash(json_string_value(value),
				   json_string_length(value), &hash, e);
	}
	if (rc == 0) {
		rc = store_user_password_set(c->store, id, buf_str(&hash), e);
	}
	if (rc < 0 && !e->field.len) {
		buf_adds(&e->field, "password");
	}
	buf_release(&hash);
	return rc;
}

static int fill_new_user(struct api_ctx *c, struct record *user,
			 struct cairn_err *e)
{
	int64_t role_id;
	const char *email = record_text(user, USER_EMAIL, "");

	if (!strchr(email, '@')) {
		return field_error(e, "email",
				   "Invalid e-mail address: expected an "
				   "address such as user@example.com.");
	}
	if (!user->v[USER_ORG_ID].set) {
		record_set_int(user, USER_ORG_ID,
			       record_int(&c->user.user, USER_ORG_ID, 0));
	}
	if (!user->v[USER_ROLE_ID].set) {
		if (store_role_default(c->store, &role_id) < 0) {
			return field_error(e, "role_id",
					   "No role given and no default role "
					   "is set.");
		}
		record_set_int(user, USER_ROLE_ID, role_id);
	}
	record_set_int(user, USER_DATE_CREATED, time_now());
	record_set_int(user, USER_DATE_MODIFIED, time_now());
	record_set_int(user, USER_INVITED_BY, self_id(c));
	return check_assignment(c, user, e);
}

static int insert_user(struct api_ctx *c, json_t *body, struct record *user,
		       int64_t *id, char key[API_KEY_LENGTH + 1],
		       struct cairn_err *e)
{
	int rc = store_begin(c->store);

	if (rc == 0) {
		rc = store_insert(c->store, user, id);
	}
	if (rc == CAIRN_EEXIST) {
		field_error(e, "email",
			    "An account with this email address already "
			    "exists.");
	}
	if (rc == 0) {
		rc = save_password(c, body, *id, e);
	}
	if (rc == 0) {
		rc = api_auth_key_create(c->store, *id, key, NULL);
	}
	if (rc == 0) {
		rc = store_commit(c->store);
	} else {
		store_rollback(c->store);
	}
	return rc;
}

int api_user_add(struct api_ctx *c)
{
	json_t *body = identity_body(c, "User");
	struct cairn_err e = CAIRN_ERR_INIT;
	char key[API_KEY_LENGTH + 1];
	struct record user;
	int64_t id = 0;
	int rc;

	if (!body) {
		return 0;
	}
	record_init(&user, &model_user);
	rc = codec_parse(&user, body, false, "", &e);
	if (rc == 0) {
		rc = fill_new_user(c, &user, &e);
	}
	if (rc == 0) {
		rc = insert_user(c, body, &user, &id, key, &e);
	}
	record_release(&user);
	if (rc < 0) {
		if (!e.code) {
			store_error(c->store, &e);
		}
		identity_save_failed(c, "add", "User", &e);
	} else {
		send_user(c, id, key);
		sodium_memzero(key, sizeof(key));
	}
	cairn_err_release(&e);
	return 0;
}

/* Loads a user that the caller manages, for admin/users/edit and delete;
 * sends 404 "Invalid user" otherwise. */
static int managed_user(struct api_ctx *c, struct record *user, int64_t *id)
{
	struct record role;
	bool ok;

	record_init(&role, &model_role);
	ok = api_resolve(c, &model_user, c->arg, id) == 0 &&
	     store_get(c->store, &model_user, *id, user) == 0 &&
	     store_get(c->store, &model_role, record_int(user, USER_ROLE_ID, 0),
		       &role) == 0 &&
	     acl_may_manage_user(&c->user, record_int(user, USER_ORG_ID, 0),
				 &role);
	record_release(&role);
	if (ok) {
		return 0;
	}
	api_error(c, 404, "Invalid user", NULL);
	return CAIRN_ENOTFOUND;
}

/* Writes the changed fields and the password, in one transaction. */
static int update_user(struct api_ctx *c, json_t *body, struct record *rec,
		       int64_t id, struct cairn_err *e)
{
	int rc = store_begin(c->store);

	record_set_int(rec, USER_DATE_MODIFIED, time_now());
	if (rc == 0) {
		rc = store_update(c->store, rec, id);
	}
	if (rc == CAIRN_EEXIST) {
		field_error(e, "email",
			    "An account with this email address already "
			    "exists.");
	}
	if (rc == 0) {
		rc = save_password(c, body, id, e);
	}
	if (rc == 0) {
		rc = store_commit(c->store);
	} else {
		store_rollback(c->store);
	}
	return rc;
}

static int finish_edit(struct api_ctx *c, int rc, int64_t id,
		       struct cairn_err *e)
{
	if (rc < 0) {
		if (!e->code) {
			store_error(c->store, e);
		}
		identity_save_failed(c, "edit", "User", e);
	} else {
		send_user(c, id, NULL);
	}
	cairn_err_release(e);
	return 0;
}

int api_user_edit(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record user, rec;
	json_t *body;
	int64_t id;
	int rc;

	record_init(&user, &model_user);
	rc = managed_user(c, &user, &id);
	record_release(&user);
	if (rc < 0 || !(body = identity_body(c, "User"))) {
		return 0;
	}
	record_init(&rec, &model_user);
	rc = codec_parse(&rec, body, false, "", &e);
	if (rc == 0 && id == self_id(c) && record_int(&rec, USER_DISABLED, 0)) {
		rc =
		    field_error(&e, "disabled", "You cannot disable yourself.");
	}
	if (rc == 0 && id == self_id(c) && rec.v[USER_ROLE_ID].set &&
	    record_int(&rec, USER_ROLE_ID, 0) !=
		record_int(&c->user.user, USER_ROLE_ID, 0) &&
	    !record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0)) {
		rc = field_error(&e, "role_id",
				 "You cannot change your own role.");
	}
	if (rc == 0 && rec.v[USER_EMAIL].set &&
	    !strchr(record_text(&rec, USER_EMAIL, ""), '@')) {
		rc = field_error(&e, "email",
				 "Invalid e-mail address: expected an address "
				 "such as user@example.com.");
	}
	if (rc == 0) {
		rc = check_assignment(c, &rec, &e);
	}
	if (rc == 0) {
		rc = update_user(c, body, &rec, id, &e);
	}
	record_release(&rec);
	return finish_edit(c, rc, id, &e);
}

/* Fields that users/edit lets a user change on its own account. */
static const int self_fields[] = {
    USER_AUTOALERT,
    USER_CONTACTALERT,
    USER_GPGKEY,
    USER_CERTIF_PUBLIC,
    USER_TERMSACCEPTED,
    USER_NIDS_SID,
    USER_NOTIFICATION_DAILY,
    USER_NOTIFICATION_WEEKLY,
    USER_NOTIFICATION_MONTHLY,
};

int api_user_edit_self(struct api_ctx *c)
{
	json_t *body = identity_body(c, "User");
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record parsed, rec;
	int64_t id = self_id(c);
	int rc;

	if (!body) {
		return 0;
	}
	if (c->arg && strcmp(c->arg, "me") != 0) {
		int64_t named;

		if (api_resolve(c, &model_user, c->arg, &named) < 0 ||
		    named != id) {
			return api_error(c, 404, "Invalid user", NULL);
		}
	}
	record_init(&parsed, &model_user);
	record_init(&rec, &model_user);
	rc = codec_parse(&parsed, body, false, "", &e);
	for (size_t i = 0; rc == 0 && i < sizeof(self_fields) / sizeof(int);
	     i++) {
		rec.v[self_fields[i]] = parsed.v[self_fields[i]];
	}
	if (rc == 0) {
		rc = update_user(c, body, &rec, id, &e);
	}
	record_release(&rec);
	record_release(&parsed);
	return finish_edit(c, rc, id, &e);
}

int api_user_delete(struct api_ctx *c)
{
	struct record user;
	int64_t id;
	int rc;

	record_init(&user, &model_user);
	rc = managed_user(c, &user, &id);
	record_release(&user);
	if (rc < 0) {
		return 0;
	}
	if (id == self_id(c)) {
		return api_error(c, 403, "You cannot delete yourself.", NULL);
	}
	if (store_delete(c->store, &model_user, id) < 0) {
		return api_error(c, 500, "deleting the user failed", NULL);
	}
	return identity_success(c, "User deleted.", id);
}
