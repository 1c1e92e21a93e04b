/* JSON shapes and responses shared by the identity endpoints. */
#include "api/identity.h"
#include "model/codec.h"
#include "model/misp.h"

#include <string.h>

#define GEN_OK(x) ((x) == yajl_gen_status_ok)

/* Returns the field that contains a JSON list as text, or -1. */
static int json_list_field(const struct record *r)
{
	if (r->model == &model_organisation) {
		return ORGN_RESTRICTED_TO_DOMAIN;
	}
	if (r->model == &model_authkey) {
		return AUTHKEY_ALLOWED_IPS;
	}
	return -1;
}

int identity_emit(yajl_gen g, const char *key, struct record *r)
{
	return identity_emit_extra(g, key, r, NULL, NULL);
}

int identity_emit_extra(yajl_gen g, const char *key, struct record *r,
			const char *extra_key, const char *extra_value)
{
	int list = json_list_field(r);
	struct value saved;
	json_t *parsed = NULL;
	int rc;

	if (codec_emit_key(g, key) < 0 || !GEN_OK(yajl_gen_map_open(g))) {
		return CAIRN_ENOMEM;
	}
	if (list >= 0) {
		saved = r->v[list];
		if (saved.set && !saved.null && saved.s) {
			parsed = json_loads(saved.s, JSON_DECODE_ANY, NULL);
		}
		r->v[list].set = false;
		r->v[list].null = false;
	}
	rc = codec_emit_fields(g, r);
	if (list >= 0) {
		r->v[list] = saved;
		if (rc == 0 &&
		    codec_emit_key(g, r->model->fields[list].name) == 0) {
			rc = parsed ? codec_emit_json(g, parsed)
				    : (GEN_OK(yajl_gen_null(g)) ? 0
								: CAIRN_ENOMEM);
		}
		json_decref(parsed);
	}
	if (rc == 0 && extra_key &&
	    (codec_emit_key(g, extra_key) < 0 ||
	     !GEN_OK(yajl_gen_string(g, (const unsigned char *)extra_value,
				     strlen(extra_value))))) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

int identity_emit_org(struct api_ctx *c, const char *key, int64_t id)
{
	struct record org;
	int rc;

	record_init(&org, &model_organisation);
	rc = store_get(c->store, &model_organisation, id, &org);
	if (rc == CAIRN_ENOTFOUND) {
		record_set_int(&org, ORGN_ID, id);
		rc = record_set_text(&org, ORGN_NAME, "");
	}
	if (rc == 0) {
		rc = identity_emit(c->gen, key, &org);
	}
	record_release(&org);
	return rc;
}

int identity_save_failed(struct api_ctx *c, const char *action,
			 const char *model, const struct cairn_err *e)
{
	struct buf name = BUF_INIT;
	const char *field = e->field.len ? buf_str(&e->field) : "error";
	json_t *body;

	buf_printf(&name, "Could not %s %s", action, model);
	body = json_pack("{s:b, s:s, s:s, s:s, s:{s:[s]}}", "saved", 0, "name",
			 buf_str(&name), "message", buf_str(&name), "url",
			 c->http->path, "errors", field,
			 e->message.len ? buf_str(&e->message)
					: cairn_code_name(e->code));
	buf_release(&name);
	buf_clear(&c->rs->body);
	yajl_gen_reset(c->gen, NULL);
	c->rs->status = 403;
	return api_send_json(c, body);
}

int identity_success(struct api_ctx *c, const char *message, int64_t id)
{
	struct buf number = BUF_INIT;
	int rc;

	buf_printf(&number, "%lld", (long long)id);
	rc = api_send_json(c, json_pack("{s:b, s:b, s:s, s:s, s:s, s:s}",
					"saved", 1, "success", 1, "name",
					message, "message", message, "url",
					c->http->path, "id", buf_str(&number)));
	buf_release(&number);
	return rc;
}

int identity_finish(struct api_ctx *c, int rc)
{
	if (rc < 0) {
		return api_error(c, 500, "writing the response failed", NULL);
	}
	return 0;
}

json_t *identity_body(struct api_ctx *c, const char *key)
{
	json_t *body = api_body_object(c, key);
	struct buf msg = BUF_INIT;

	if (body) {
		return body;
	}
	buf_printf(&msg,
		   "missing request body: expected a JSON object, "
		   "bare or as {\"%s\": {...}}",
		   key);
	api_error(c, 400, buf_str(&msg), NULL);
	buf_release(&msg);
	return NULL;
}
