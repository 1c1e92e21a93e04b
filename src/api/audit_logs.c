/*
 * admin/audit_logs/index: the audit log, newest first, in MISP's shape:
 * a JSON array of {"AuditLog": {...}, "User": {...}, "Organisation":
 * {...}}.
 *
 * Filters come as CakePHP named parameters (/model:Event), query
 * arguments or members of a JSON body.  They have MISP's names: model
 * (also "Model:ID"), model_id, action, user (an id, an e-mail or SYSTEM), org
 * (an id or a name), event_id, ip, request_id, authkey_id, model_title,
 * request_type, created (one time for "from", or [from, to]), limit
 * (default 60, as MISP's) and page.  A time is unix seconds, a relative
 * "7d" (s, m, h, d or w), or an ISO 8601 date or date and time.
 *
 * Site admins see every row, an org admin (perm_admin) the rows of their
 * own organisation, and any other user with perm_audit only their own
 * rows, as MISP's audit ACL has it.
 */
#include "api/api.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/normalize.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define AUDIT_DEFAULT_LIMIT 60

/* Filter values as parsed, owning what they point to. */
struct audit_params {
	struct store_audit_filter f;
	int64_t model_id, user_id, org_id, event_id, authkey_id, request_type;
	struct buf model;  /* "Model" of a "Model:ID" filter */
	struct buf value;  /* scratch for a number sent as JSON */
	struct buf owned[8];
	size_t nowned;
};

static void params_release(struct audit_params *p)
{
	buf_release(&p->model);
	buf_release(&p->value);
	for (size_t i = 0; i < p->nowned; i++) {
		buf_release(&p->owned[i]);
	}
}

/* Returns a copy of a JSON string or integer member as text, kept in
 * `p`, or NULL. */
static const char *body_value(struct api_ctx *c, struct audit_params *p,
			      json_t *v)
{
	struct buf *b;

	if (!v || p->nowned == sizeof(p->owned) / sizeof(p->owned[0])) {
		return NULL;
	}
	b = &p->owned[p->nowned];
	if (json_is_string(v)) {
		buf_adds(b, json_string_value(v));
	} else if (json_is_integer(v)) {
		buf_printf(b, "%lld", (long long)json_integer_value(v));
	} else {
		return NULL;
	}
	(void)c;
	p->nowned++;
	return buf_str(b);
}

static json_t *body_filters(struct api_ctx *c)
{
	return api_body_object(c, "AuditLog");
}

/* Returns the filter `name` from the path, the query string or the
 * body, in that order. */
static const char *param(struct api_ctx *c, struct audit_params *p,
			 const char *name)
{
	const char *v = path_named(&c->path, name);

	if (!v) {
		v = http_query(c->http, name);
	}
	if (!v && json_is_object(body_filters(c))) {
		v = body_value(c, p, json_object_get(body_filters(c), name));
	}
	return v;
}

static int bad_filter(struct api_ctx *c, const char *name, const char *value,
		      const char *expected)
{
	struct buf msg = BUF_INIT;

	buf_printf(&msg, "Invalid filter %s '%s': expected %s.", name, value,
		   expected);
	api_error(c, 400, buf_str(&msg), NULL);
	buf_release(&msg);
	return CAIRN_EINVAL;
}

static int parse_int(const char *text, int64_t min, int64_t *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (end == text || *end || errno == ERANGE || n < min) {
		return CAIRN_EINVAL;
	}
	*out = n;
	return 0;
}

static int int_filter(struct api_ctx *c, struct audit_params *p,
		      const char *name, int64_t *slot, const int64_t **target)
{
	const char *v = param(c, p, name);

	if (!v) {
		return 0;
	}
	if (parse_int(v, 0, slot) < 0) {
		return bad_filter(c, name, v, "a whole number");
	}
	*target = slot;
	return 0;
}

/* Parses unix seconds, "7d" (s, m, h, d, w) before now, or ISO 8601. */
static int parse_time(const char *text, int64_t *out)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400},
		     {'w', 604800}};
	struct buf iso = BUF_INIT;
	size_t len = strlen(text);
	int64_t usec, n;
	int rc;

	if (parse_int(text, 0, out) == 0) {
		return 0;
	}
	for (size_t i = 0; len > 1 && i < sizeof(units) / sizeof(*units);
	     i++) {
		struct buf digits = BUF_INIT;

		if (text[len - 1] != units[i].unit) {
			continue;
		}
		buf_add(&digits, text, len - 1);
		rc = parse_int(buf_str(&digits), 0, &n);
		buf_release(&digits);
		if (rc == 0 && n <= INT64_MAX / units[i].seconds) {
			*out = time_now() - n * units[i].seconds;
			return 0;
		}
		return CAIRN_EINVAL;
	}
	/* MISP's "2024-05-01 12:00:00" form, read as ISO 8601. */
	for (size_t i = 0; i < len; i++) {
		buf_addc(&iso, text[i] == ' ' ? 'T' : text[i]);
	}
	{
		struct cairn_err e = CAIRN_ERR_INIT;
		struct buf canonical = BUF_INIT;

		rc = normalize_seen(buf_str(&iso), &canonical, &usec, &e);
		buf_release(&canonical);
		cairn_err_release(&e);
	}
	buf_release(&iso);
	if (rc == 0) {
		*out = usec / 1000000;
	}
	return rc;
}

static int time_filter(struct api_ctx *c, const char *value, int64_t *out)
{
	if (parse_time(value, out) < 0) {
		return bad_filter(c, "created", value,
				  "unix seconds, a time before now such as "
				  "7d, or an ISO 8601 date");
	}
	return 0;
}

/* created: one time (from), or a [from, to] pair in the JSON body. */
static int created_filter(struct api_ctx *c, struct audit_params *p)
{
	json_t *body = body_filters(c);
	json_t *pair = json_is_object(body) ? json_object_get(body, "created")
					    : NULL;
	const char *v;
	int64_t a, b;

	if (json_is_array(pair) && json_array_size(pair) == 2) {
		const char *from = body_value(c, p, json_array_get(pair, 0));
		const char *to = body_value(c, p, json_array_get(pair, 1));

		if (!from || !to) {
			return bad_filter(c, "created", "[...]",
					  "a time or a [from, to] pair");
		}
		if (time_filter(c, from, &a) < 0 || time_filter(c, to, &b) < 0) {
			return CAIRN_EINVAL;
		}
		/* MISP accepts the pair in either order. */
		p->f.created_from = a < b ? a : b;
		p->f.created_to = a < b ? b : a;
		return 0;
	}
	v = param(c, p, "created");
	return v ? time_filter(c, v, &p->f.created_from) : 0;
}

/* model: a name, or MISP's "Model:ID" short form. */
static int model_filter(struct api_ctx *c, struct audit_params *p)
{
	const char *v = param(c, p, "model");
	const char *colon = v ? strchr(v, ':') : NULL;

	if (!colon) {
		p->f.model = v;
		return 0;
	}
	buf_add(&p->model, v, (size_t)(colon - v));
	p->f.model = buf_str(&p->model);
	if (parse_int(colon + 1, 0, &p->model_id) < 0) {
		return bad_filter(c, "model", v, "a model name or Model:ID");
	}
	p->f.model_id = &p->model_id;
	return 0;
}

/* user: an id, an e-mail, or SYSTEM for changes made without a user.  An
 * unknown e-mail matches nothing, as in MISP. */
static int user_filter(struct api_ctx *c, struct audit_params *p)
{
	const char *v = param(c, p, "user");

	if (!v) {
		return 0;
	}
	p->f.user_id = &p->user_id;
	if (strcasecmp(v, "SYSTEM") == 0) {
		p->user_id = 0;
	} else if (parse_int(v, 0, &p->user_id) < 0 &&
		   store_find(c->store, &model_user, "email", v,
			      &p->user_id) < 0) {
		p->user_id = -1;
	}
	return 0;
}

/* org: an id or a name; an unknown name matches nothing. */
static int org_filter(struct api_ctx *c, struct audit_params *p)
{
	const char *v = param(c, p, "org");

	if (!v) {
		return 0;
	}
	p->f.org_id = &p->org_id;
	if (parse_int(v, 0, &p->org_id) < 0 &&
	    store_find(c->store, &model_org, "name", v, &p->org_id) < 0) {
		p->org_id = -1;
	}
	return 0;
}

static int page_filters(struct api_ctx *c, struct audit_params *p)
{
	const char *limit = param(c, p, "limit");
	const char *page = param(c, p, "page");
	int64_t n = 1;

	p->f.limit = AUDIT_DEFAULT_LIMIT;
	if (limit && parse_int(limit, 1, &p->f.limit) < 0) {
		return bad_filter(c, "limit", limit, "a whole number from 1");
	}
	if (page && parse_int(page, 1, &n) < 0) {
		return bad_filter(c, "page", page, "a whole number from 1");
	}
	if (n - 1 > INT64_MAX / p->f.limit) {
		return bad_filter(c, "page", page, "a smaller page number");
	}
	p->f.offset = (n - 1) * p->f.limit;
	return 0;
}

static int read_filters(struct api_ctx *c, struct audit_params *p)
{
	struct store_audit_filter *f = &p->f;
	int rc = model_filter(c, p);

	rc = rc ? rc : user_filter(c, p);
	rc = rc ? rc : org_filter(c, p);
	rc = rc ? rc : created_filter(c, p);
	rc = rc ? rc : page_filters(c, p);
	if (rc == 0 && !f->model_id) {
		rc = int_filter(c, p, "model_id", &p->model_id, &f->model_id);
	}
	rc = rc ? rc : int_filter(c, p, "event_id", &p->event_id, &f->event_id);
	rc = rc ? rc
		: int_filter(c, p, "authkey_id", &p->authkey_id,
			     &f->authkey_id);
	rc = rc ? rc
		: int_filter(c, p, "request_type", &p->request_type,
			     &f->request_type);
	if (rc == 0) {
		f->action = param(c, p, "action");
		f->ip = param(c, p, "ip");
		f->request_id = param(c, p, "request_id");
		f->model_title = param(c, p, "model_title");
	}
	return rc;
}

/* -------- output -------- */

static int emit_text(yajl_gen g, const char *key, const char *value)
{
	yajl_gen_status st = codec_emit_key(g, key) == 0 ? yajl_gen_status_ok
							 : yajl_gen_in_error_state;

	if (st == yajl_gen_status_ok) {
		st = value ? yajl_gen_string(g, (const unsigned char *)value,
					     strlen(value))
			   : yajl_gen_null(g);
	}
	return st == yajl_gen_status_ok ? 0 : CAIRN_ENOMEM;
}

/* Emits an id as MISP does, a string, or null for 0 when `zero_null`. */
static int emit_id(yajl_gen g, const char *key, int64_t id, bool zero_null)
{
	struct buf n = BUF_INIT;
	int rc;

	if (zero_null && id == 0) {
		return emit_text(g, key, NULL);
	}
	buf_printf(&n, "%lld", (long long)id);
	rc = emit_text(g, key, buf_str(&n));
	buf_release(&n);
	return rc;
}

/* MISP's "YYYY-MM-DD HH:MM:SS", here in UTC. */
static int emit_created(yajl_gen g, int64_t created)
{
	time_t t = (time_t)created;
	struct buf text = BUF_INIT;
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	buf_printf(&text, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
		   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	rc = emit_text(g, "created", buf_str(&text));
	buf_release(&text);
	return rc;
}

/* The change column is JSON text that the store wrote. */
static int emit_change(yajl_gen g, const char *change)
{
	json_t *doc = change ? json_loads(change, 0, NULL) : NULL;
	int rc = codec_emit_key(g, "change");

	if (rc == 0) {
		rc = doc ? codec_emit_json(g, doc)
			 : (yajl_gen_null(g) == yajl_gen_status_ok
				    ? 0
				    : CAIRN_ENOMEM);
	}
	json_decref(doc);
	return rc;
}

static bool tag_action(const char *action)
{
	static const char *const tags[] = {
		"tag", "tag_local", "remove_tag", "remove_local_tag",
		"galaxy", "galaxy_local", "remove_galaxy",
		"remove_local_galaxy"};

	for (size_t i = 0; i < sizeof(tags) / sizeof(*tags); i++) {
		if (strcmp(action, tags[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* MISP's readable title of a row. */
static int emit_title(yajl_gen g, const struct store_audit_row *r)
{
	const char *title = r->model_title ? r->model_title : "";
	struct buf text = BUF_INIT;
	int rc;

	if (tag_action(r->action)) {
		bool attach = strncmp(r->action, "remove", 6) != 0;

		buf_printf(&text, "%s %s \"%s\" %s %s #%lld",
			   attach ? "Attached" : "Detached",
			   strstr(r->action, "galaxy") ? "galaxy cluster"
						       : "tag",
			   title, attach ? "to" : "from", r->model,
			   (long long)r->model_id);
	} else if (strcmp(r->model, "Attribute") == 0 ||
		   strcmp(r->model, "Object") == 0 ||
		   strcmp(r->model, "ShadowAttribute") == 0) {
		buf_printf(&text, "%s from Event #%lld%s%s",
			   strcmp(r->model, "ShadowAttribute") == 0
				   ? "Proposal"
				   : r->model,
			   (long long)r->event_id, *title ? ": " : "", title);
	} else {
		buf_adds(&text, title);
	}
	rc = emit_text(g, "title", buf_str(&text));
	buf_release(&text);
	return rc;
}

static int emit_audit_log(yajl_gen g, const struct store_audit_row *r)
{
	int rc = codec_emit_key(g, "AuditLog");

	rc = rc ? rc : (yajl_gen_map_open(g) ? CAIRN_ENOMEM : 0);
	rc = rc ? rc : emit_id(g, "id", r->id, false);
	rc = rc ? rc : emit_created(g, r->created);
	rc = rc ? rc : emit_id(g, "user_id", r->user_id, false);
	rc = rc ? rc : emit_id(g, "org_id", r->org_id, false);
	rc = rc ? rc : emit_text(g, "action", r->action);
	rc = rc ? rc : emit_text(g, "model", r->model);
	rc = rc ? rc : emit_id(g, "model_id", r->model_id, false);
	rc = rc ? rc : emit_text(g, "model_title", r->model_title);
	rc = rc ? rc : emit_id(g, "event_id", r->event_id, true);
	rc = rc ? rc : emit_change(g, r->change);
	rc = rc ? rc : emit_text(g, "ip", r->ip);
	rc = rc ? rc : emit_id(g, "request_type", r->request_type, false);
	rc = rc ? rc : emit_id(g, "authkey_id", r->authkey_id, true);
	rc = rc ? rc : emit_text(g, "request_id", r->request_id);
	rc = rc ? rc : emit_title(g, r);
	return rc ? rc : (yajl_gen_map_close(g) ? CAIRN_ENOMEM : 0);
}

/* User and Organisation are empty objects when the row names none. */
static int emit_row(yajl_gen g, const struct store_audit_row *r)
{
	int rc = yajl_gen_map_open(g) ? CAIRN_ENOMEM : 0;

	rc = rc ? rc : emit_audit_log(g, r);
	rc = rc ? rc : codec_emit_key(g, "User");
	rc = rc ? rc : (yajl_gen_map_open(g) ? CAIRN_ENOMEM : 0);
	if (rc == 0 && r->user_email) {
		rc = emit_id(g, "id", r->user_id, false);
		rc = rc ? rc : emit_text(g, "email", r->user_email);
		rc = rc ? rc : emit_id(g, "org_id", r->user_org_id, false);
	}
	rc = rc ? rc : (yajl_gen_map_close(g) ? CAIRN_ENOMEM : 0);
	rc = rc ? rc : codec_emit_key(g, "Organisation");
	rc = rc ? rc : (yajl_gen_map_open(g) ? CAIRN_ENOMEM : 0);
	if (rc == 0 && r->org_name) {
		rc = emit_id(g, "id", r->org_id, false);
		rc = rc ? rc : emit_text(g, "name", r->org_name);
		rc = rc ? rc : emit_text(g, "uuid", r->org_uuid);
	}
	rc = rc ? rc : (yajl_gen_map_close(g) ? CAIRN_ENOMEM : 0);
	return rc ? rc : (yajl_gen_map_close(g) ? CAIRN_ENOMEM : 0);
}

static int send_rows(struct api_ctx *c, struct store_audit_cursor *cur)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store_audit_row row;
	int rc = yajl_gen_array_open(c->gen) ? CAIRN_ENOMEM : 0;
	int more = 0;

	while (rc == 0 && (more = store_audit_next(cur, &row, &e)) > 0) {
		rc = emit_row(c->gen, &row);
	}
	if (rc == 0 && more < 0) {
		api_error_from(c, &e);
		rc = more;
	} else if (rc == 0) {
		rc = yajl_gen_array_close(c->gen) ? CAIRN_ENOMEM : 0;
	}
	if (rc == CAIRN_ENOMEM) {
		c->rs->status = 500;
	}
	cairn_err_release(&e);
	return 0;
}

int api_audit_index(struct api_ctx *c)
{
	struct audit_params p;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store_audit_cursor *cur = NULL;
	int64_t own_org = record_int(&c->user.user, USER_ORG_ID, 0);

	if (c->arg && strcmp(c->arg, "index") != 0) {
		return api_error(c, 404, "Not Found", NULL);
	}
	memset(&p, 0, sizeof(p));
	if (read_filters(c, &p) < 0) {
		params_release(&p);
		return 0;
	}
	if (!record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0)) {
		/* A filter on another organisation then matches nothing. */
		if (p.f.org_id && *p.f.org_id != own_org) {
			p.org_id = -1;
		} else {
			p.org_id = own_org;
		}
		p.f.org_id = &p.org_id;
	}
	if (!record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0) &&
	    !record_int(&c->user.role, ROLE_PERM_ADMIN, 0)) {
		int64_t own_user = record_int(&c->user.user, USER_ID, 0);

		if (p.f.user_id && *p.f.user_id != own_user) {
			p.user_id = -1;
		} else {
			p.user_id = own_user;
		}
		p.f.user_id = &p.user_id;
	}
	if (store_audit_query(c->store, &p.f, &cur, &e) < 0) {
		api_error_from(c, &e);
	} else {
		send_rows(c, cur);
	}
	store_audit_close(cur);
	cairn_err_release(&e);
	params_release(&p);
	return 0;
}
