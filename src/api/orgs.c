/*
 * Organisation endpoints: organisations/index and view for every user,
 * admin/organisations/add, edit and delete for site admins.  An
 * organisation keeps the UUID it was created or synchronised with; only
 * its other fields change on edit.
 */
#include "api/identity.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/identity.h"

#include <string.h>

struct org_list {
	struct api_ctx *c;
	int rc;
};

static int emit_listed_org(void *ctx, int64_t id)
{
	struct org_list *l = ctx;
	yajl_gen g = l->c->gen;

	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    identity_emit_org(l->c, "Organisation", id) < 0 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok) {
		l->rc = CAIRN_ENOMEM;
		return CAIRN_ENOMEM;
	}
	return 0;
}

/* organisations/index[/scope:local|external|all][/searchall:TEXT]; MISP's
 * default scope is local. */
int api_org_index(struct api_ctx *c)
{
	const char *scope = path_named(&c->path, "scope");
	const char *search = path_named(&c->path, "searchall");
	enum store_id_list list = STORE_LIST_ORGS_LOCAL;
	struct org_list l = {c, 0};
	int rc;

	if (!scope) {
		scope = http_query(c->http, "scope");
	}
	if (scope && strcmp(scope, "external") == 0) {
		list = STORE_LIST_ORGS_EXTERNAL;
	} else if (scope && strcmp(scope, "all") == 0) {
		list = STORE_LIST_ORGS;
	} else if (scope && strcmp(scope, "local") != 0) {
		return api_error(c, 400,
				 "invalid scope: expected local, external or "
				 "all",
				 NULL);
	}
	if (search && !*search) {
		search = NULL;
	}
	rc = yajl_gen_array_open(c->gen) == yajl_gen_status_ok ? 0
							       : CAIRN_ENOMEM;
	if (rc == 0) {
		rc = store_list_ids(c->store, list, 0, 0, search,
				    emit_listed_org, &l);
	}
	if (rc == 0 && yajl_gen_array_close(c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	return identity_finish(c, rc);
}

static int find_org(struct api_ctx *c, int64_t *id)
{
	if (api_resolve(c, &model_organisation, c->arg, id) < 0) {
		api_error(c, 404, "Invalid organisation", NULL);
		return CAIRN_ENOTFOUND;
	}
	return 0;
}

static int send_org(struct api_ctx *c, int64_t id)
{
	int rc = yajl_gen_map_open(c->gen) == yajl_gen_status_ok
		     ? identity_emit_org(c, "Organisation", id)
		     : CAIRN_ENOMEM;

	if (rc == 0 && yajl_gen_map_close(c->gen) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	return identity_finish(c, rc);
}

int api_org_view(struct api_ctx *c)
{
	int64_t id;

	if (find_org(c, &id) < 0) {
		return 0;
	}
	return send_org(c, id);
}

/* Reads restricted_to_domain, a list of domain names (or a string with
 * one name a line), into the record as JSON text. */
static int parse_domains(json_t *body, struct record *org, struct cairn_err *e)
{
	json_t *value = json_object_get(body, "restricted_to_domain");
	json_t *list;
	char *text;
	int rc;

	if (!value || json_is_null(value)) {
		return 0;
	}
	if (json_is_string(value)) {
		const char *p = json_string_value(value);

		list = json_array();
		while (*p) {
			size_t n = strcspn(p, "\r\n, ");

			if (n) {
				json_array_append_new(list, json_stringn(p, n));
			}
			p += n;
			p += strspn(p, "\r\n, ");
		}
	} else if (json_is_array(value)) {
		list = json_incref(value);
	} else {
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "invalid restricted_to_domain: expected a "
				   "list of domain names");
		buf_adds(&e->field, "restricted_to_domain");
		return rc;
	}
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	rc = text ? record_set_text(org, ORGN_RESTRICTED_TO_DOMAIN, text)
		  : CAIRN_ENOMEM;
	free(text);
	return rc;
}

static int parse_org(json_t *body, struct record *org, struct cairn_err *e)
{
	int rc = codec_parse(org, body, false, "", e);

	if (rc == 0) {
		rc = parse_domains(body, org, e);
	}
	if (rc == 0 && org->v[ORGN_NAME].set &&
	    !*record_text(org, ORGN_NAME, "")) {
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "invalid name: an organisation's name must "
				   "not be empty");
		buf_adds(&e->field, "name");
	}
	return rc;
}

static int save_error(struct api_ctx *c, const char *action, int rc,
		      struct cairn_err *e)
{
	if (rc == CAIRN_EEXIST) {
		cairn_err_set(e, rc,
			      "An organisation with this name or UUID "
			      "already exists.");
		buf_clear(&e->field);
		buf_adds(&e->field, "name");
	} else if (!e->code) {
		store_error(c->store, e);
	}
	return identity_save_failed(c, action, "Organisation", e);
}

int api_org_add(struct api_ctx *c)
{
	json_t *body = identity_body(c, "Organisation");
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record org;
	char now[DATETIME_TEXT_SIZE];
	int64_t id = 0;
	int rc;

	if (!body) {
		return 0;
	}
	record_init(&org, &model_organisation);
	rc = parse_org(body, &org, &e);
	if (rc == 0 && !org.v[ORGN_NAME].set) {
		rc = cairn_err_set(&e, CAIRN_EINVAL,
				   "missing name: an organisation needs a "
				   "name");
		buf_adds(&e.field, "name");
	}
	if (rc == 0) {
		datetime_now(now);
		record_set_text(&org, ORGN_DATE_CREATED, now);
		record_set_text(&org, ORGN_DATE_MODIFIED, now);
		record_set_int(&org, ORGN_CREATED_BY,
			       record_int(&c->user.user, USER_ID, 0));
		if (!org.v[ORGN_LOCAL].set) {
			record_set_int(&org, ORGN_LOCAL, 1);
		}
		rc = store_insert(c->store, &org, &id);
	}
	record_release(&org);
	if (rc < 0) {
		save_error(c, "add", rc, &e);
	} else {
		send_org(c, id);
	}
	cairn_err_release(&e);
	return 0;
}

int api_org_edit(struct api_ctx *c)
{
	json_t *body;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record org;
	char now[DATETIME_TEXT_SIZE];
	int64_t id;
	int rc;

	if (find_org(c, &id) < 0 ||
	    !(body = identity_body(c, "Organisation"))) {
		return 0;
	}
	record_init(&org, &model_organisation);
	rc = parse_org(body, &org, &e);
	/* The UUID identifies the organisation across instances. */
	org.v[ORGN_UUID].set = false;
	if (rc == 0) {
		datetime_now(now);
		record_set_text(&org, ORGN_DATE_MODIFIED, now);
		rc = store_update(c->store, &org, id);
	}
	record_release(&org);
	if (rc < 0) {
		save_error(c, "edit", rc, &e);
	} else {
		send_org(c, id);
	}
	cairn_err_release(&e);
	return 0;
}

int api_org_delete(struct api_ctx *c)
{
	int64_t id, users = 0, owned = 0, created = 0;
	struct buf msg = BUF_INIT;
	int rc;

	if (find_org(c, &id) < 0) {
		return 0;
	}
	rc = store_count(c->store, &model_user, "org_id", id, &users);
	if (rc == 0) {
		rc = store_count(c->store, &model_event, "org_id", id, &owned);
	}
	if (rc == 0) {
		rc = store_count(c->store, &model_event, "orgc_id", id,
				 &created);
	}
	if (rc < 0) {
		return api_error(c, 500,
				 "counting the organisation's users "
				 "and events failed",
				 NULL);
	}
	if (users || owned || created) {
		buf_printf(&msg,
			   "Organisation could not be deleted: it still has "
			   "%lld users and %lld events; move or delete them "
			   "first.",
			   (long long)users, (long long)(owned + created));
		rc = api_error(c, 403, buf_str(&msg), NULL);
		buf_release(&msg);
		return rc;
	}
	if (store_delete(c->store, &model_organisation, id) < 0) {
		return api_error(c, 500, "deleting the organisation failed",
				 NULL);
	}
	return identity_success(c, "Organisation deleted", id);
}
