/*
 * Routing, authentication and permission checks for the REST API.
 *
 * The route table lists every endpoint once, with the methods it accepts,
 * its path (a controller, an action or none for MISP's REST aliases, and
 * whether a positional argument follows) and the role permission it
 * needs.  Handlers never check permissions themselves.
 */
#include "api/api.h"
#include "core/log.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum method_bit {
	M_GET = 1 << 0,
	M_POST = 1 << 1,
	M_PUT = 1 << 2,
	M_DELETE = 1 << 3,
	M_HEAD = 1 << 4,
};

/* ARG_TWO is an id and a flag, as in objectReferences/delete/ID/true. */
enum arg_rule { ARG_NONE, ARG_ONE, ARG_OPTIONAL, ARG_TWO };

/* Role permission a route needs; PERM_NONE only needs a valid key. */
enum perm {
	PERM_NONE = -1,
	PERM_ADD = ROLE_PERM_ADD,
	PERM_MODIFY = ROLE_PERM_MODIFY,
	PERM_PUBLISH = ROLE_PERM_PUBLISH,
	PERM_TAGGER = ROLE_PERM_TAGGER,
	PERM_TAG_EDITOR = ROLE_PERM_TAG_EDITOR,
	PERM_WARNINGLIST = ROLE_PERM_WARNINGLIST,
	PERM_AUDIT = ROLE_PERM_AUDIT,
};

/* Whether a route needs an authenticated user; AUTH_NONE routes (the
 * login endpoints) run without one. */
enum auth_rule { AUTH_USER, AUTH_NONE };

struct route {
	unsigned methods;
	const char *controller;
	const char *action; /* NULL for a REST alias such as GET /events/12 */
	enum arg_rule arg;
	int (*handler)(struct api_ctx *c);
	enum perm perm;
	bool stream_body; /* the handler reads the raw body as a stream */
	enum auth_rule auth;
};

#define RD (M_GET | M_HEAD)
#define WR (M_POST | M_PUT)

static const struct route routes[] = {
	{RD, "servers", "getVersion", ARG_NONE, api_version, PERM_NONE},
	{RD, "users", "view", ARG_ONE, api_user_me, PERM_NONE},
	{RD, "attributes", "describeTypes", ARG_NONE, api_describe_types,
	 PERM_NONE},

	{RD | M_POST, "events", "index", ARG_NONE, api_event_index, PERM_NONE},
	{RD | M_POST, "events", "view", ARG_ONE, api_event_view, PERM_NONE},
	{M_POST, "events", "add", ARG_NONE, api_event_add, PERM_ADD, true},
	{WR, "events", "edit", ARG_ONE, api_event_edit, PERM_MODIFY},
	{M_POST | M_DELETE, "events", "delete", ARG_ONE, api_event_delete,
	 PERM_MODIFY},
	{M_POST, "events", "publish", ARG_ONE, api_event_publish,
	 PERM_PUBLISH},
	{M_POST, "events", "unpublish", ARG_ONE, api_event_unpublish,
	 PERM_PUBLISH},
	{RD, "events", NULL, ARG_NONE, api_event_index, PERM_NONE},
	{M_POST, "events", NULL, ARG_NONE, api_event_add, PERM_ADD, true},
	{RD, "events", NULL, ARG_ONE, api_event_view, PERM_NONE},
	{WR, "events", NULL, ARG_ONE, api_event_edit, PERM_MODIFY},
	{M_DELETE, "events", NULL, ARG_ONE, api_event_delete, PERM_MODIFY},

	{M_POST, "attributes", "add", ARG_ONE, api_attribute_add, PERM_ADD},
	{RD, "attributes", "view", ARG_ONE, api_attribute_view, PERM_NONE},
	{WR, "attributes", "edit", ARG_ONE, api_attribute_edit, PERM_MODIFY},
	{M_POST | M_DELETE, "attributes", "delete", ARG_ONE,
	 api_attribute_delete, PERM_MODIFY},
	{RD, "attributes", NULL, ARG_ONE, api_attribute_view, PERM_NONE},
	{WR, "attributes", NULL, ARG_ONE, api_attribute_edit, PERM_MODIFY},
	{M_DELETE, "attributes", NULL, ARG_ONE, api_attribute_delete,
	 PERM_MODIFY},

	{M_POST, "objects", "add", ARG_ONE, api_object_add, PERM_ADD},
	{RD, "objects", "view", ARG_ONE, api_object_view, PERM_NONE},
	{WR, "objects", "edit", ARG_ONE, api_object_edit, PERM_MODIFY},
	{M_POST | M_DELETE, "objects", "delete", ARG_ONE, api_object_delete,
	 PERM_MODIFY},
	{M_POST, "objectReferences", "add", ARG_OPTIONAL, api_reference_add,
	 PERM_ADD},
	{M_POST | M_DELETE, "objectReferences", "delete", ARG_ONE,
	 api_reference_delete, PERM_MODIFY},
	{M_POST | M_DELETE, "objectReferences", "delete", ARG_TWO,
	 api_reference_delete, PERM_MODIFY},

	{RD, "tags", "index", ARG_NONE, api_tag_index, PERM_NONE},
	{RD, "tags", NULL, ARG_NONE, api_tag_index, PERM_NONE},
	{RD, "tags", "view", ARG_ONE, api_tag_view, PERM_NONE},
	{M_POST, "tags", "add", ARG_NONE, api_tag_add, PERM_TAG_EDITOR},
	{WR, "tags", "edit", ARG_ONE, api_tag_edit, PERM_TAG_EDITOR},
	{M_POST | M_DELETE, "tags", "delete", ARG_ONE, api_tag_delete,
	 PERM_TAG_EDITOR},
	{M_POST, "tags", "attachTagToObject", ARG_NONE, api_tag_attach,
	 PERM_TAGGER},
	{M_POST, "tags", "removeTagFromObject", ARG_NONE, api_tag_remove,
	 PERM_TAGGER},

	{RD | M_POST, "warninglists", "index", ARG_NONE, api_warninglist_index,
	 PERM_NONE},
	{RD | M_POST, "warninglists", NULL, ARG_NONE, api_warninglist_index,
	 PERM_NONE},
	{RD, "warninglists", "view", ARG_ONE, api_warninglist_view, PERM_NONE},
	{M_POST, "warninglists", "toggleEnable", ARG_NONE,
	 api_warninglist_toggle, PERM_WARNINGLIST},
	{M_POST, "warninglists", "checkValue", ARG_NONE, api_warninglist_check,
	 PERM_NONE},

	{M_POST, "users", "login", ARG_NONE, api_user_login, PERM_NONE, true,
	 AUTH_NONE},
	{RD | M_POST, "users", "logout", ARG_NONE, api_user_logout, PERM_NONE,
	 false, AUTH_NONE},
	/* admin/audit_logs/index: "index" is the optional argument. */
	{RD | M_POST, "admin", "audit_logs", ARG_OPTIONAL, api_audit_index,
	 PERM_AUDIT},
};

#define AUTH_FAILED                                                            \
	"Authentication failed. Please make sure you pass the API key of an "  \
	"API enabled user along in the Authorization header."

static unsigned method_bit(const char *method)
{
	static const struct {
		const char *name;
		unsigned bit;
	} methods[] = {{"GET", M_GET},	     {"POST", M_POST},
		       {"PUT", M_PUT},	     {"DELETE", M_DELETE},
		       {"HEAD", M_HEAD}};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strcmp(method, methods[i].name) == 0) {
			return methods[i].bit;
		}
	}
	return 0;
}

static bool route_matches_path(const struct route *r, const struct path *p)
{
	size_t base = r->action ? 2 : 1;

	if (p->nsegments < base ||
	    strcmp(p->segments[0], r->controller) != 0) {
		return false;
	}
	if (r->action && strcmp(p->segments[1], r->action) != 0) {
		return false;
	}
	switch (r->arg) {
	case ARG_NONE:
		return p->nsegments == base;
	case ARG_ONE:
		return p->nsegments == base + 1;
	case ARG_OPTIONAL:
		return p->nsegments == base || p->nsegments == base + 1;
	case ARG_TWO:
		return p->nsegments == base + 2;
	}
	return false;
}

/* Finds the route for the path and method; *path_known is set when some
 * route has this path but not this method. */
static const struct route *route_find(const struct path *p, unsigned method,
				      bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!route_matches_path(&routes[i], p)) {
			continue;
		}
		if (routes[i].methods & method) {
			return &routes[i];
		}
		*path_known = true;
	}
	return NULL;
}

/* Finds the user of the first valid key in a header value, which may
 * list several keys separated by commas, with spaces around them. */
static int find_key_user(struct api_ctx *c, const char *value,
			 int64_t *user_id)
{
	char hash[SHA256_HEX_SIZE];

	while (value && *value) {
		const char *end = strchr(value, ',');
		size_t len = end ? (size_t)(end - value) : strlen(value);
		const char *key = value;

		while (len && (*key == ' ' || *key == '\t')) {
			key++;
			len--;
		}
		while (len && (key[len - 1] == ' ' || key[len - 1] == '\t')) {
			len--;
		}
		if (len == API_KEY_LENGTH) {
			sha256_hex(key, len, hash);
			if (store_authkey_find(c->store, hash, user_id) == 0) {
				return 0;
			}
		}
		value = end ? end + 1 : NULL;
	}
	return CAIRN_EDENIED;
}

/* Looks the key up and loads the user, role and organisation. */
static int authenticate(struct api_ctx *c)
{
	const char *key = http_header(c->http, "Authorization");
	int64_t user_id;
	int rc;

	if (!key || !*key) {
		key = http_header(c->http, "X-MISP-AUTH");
	}
	rc = find_key_user(c, key, &user_id);
	if (rc < 0) {
		return rc;
	}
	rc = store_get(c->store, &model_user, user_id, &c->user.user);
	if (rc < 0 || record_int(&c->user.user, USER_DISABLED, 0)) {
		return CAIRN_EDENIED;
	}
	rc = store_get(c->store, &model_role,
		       record_int(&c->user.user, USER_ROLE_ID, 0),
		       &c->user.role);
	if (rc == 0) {
		rc = store_get(c->store, &model_org,
			       record_int(&c->user.user, USER_ORG_ID, 0),
			       &c->user.org);
	}
	c->rs->user_id = user_id;
	return rc < 0 ? CAIRN_EDENIED : 0;
}

static bool permitted(const struct api_ctx *c, enum perm perm)
{
	if (perm == PERM_NONE ||
	    record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0)) {
		return true;
	}
	return record_int(&c->user.role, (int)perm, 0) != 0;
}

/* Parses a JSON body when there is one; PyMISP sends JSON on every
 * request with a body. */
static int parse_body(struct api_ctx *c)
{
	json_error_t jerr;
	const char *body = c->http->body;
	size_t i = 0;

	while (i < c->http->body_len &&
	       (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' ||
		body[i] == '\t')) {
		i++;
	}
	if (i == c->http->body_len) {
		return 0;
	}
	c->body = json_loadb(body, c->http->body_len, JSON_REJECT_DUPLICATES,
			     &jerr);
	if (!c->body) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg,
			   "invalid JSON body at line %d, column %d: %s",
			   jerr.line, jerr.column, jerr.text);
		api_error(c, 400, buf_str(&msg), NULL);
		buf_release(&msg);
		return CAIRN_EINVAL;
	}
	return 0;
}

static void gen_print(void *ctx, const char *str, size_t len)
{
	struct http_response *rs = ctx;

	buf_add(&rs->body, str, len);
}

static void ctx_release(struct api_ctx *c)
{
	path_release(&c->path);
	record_release(&c->user.user);
	record_release(&c->user.role);
	record_release(&c->user.org);
	json_decref(c->body);
	free(c->scratch);
	if (c->gen) {
		yajl_gen_free(c->gen);
	}
	if (c->store) {
		store_pool_put(c->app->pool, c->store);
	}
}

static void dispatch(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct route *r;
	bool path_known;
	int rc;

	if (path_parse(&c->path, c->http->path, &e) < 0) {
		api_error(c, 400, buf_str(&e.message), NULL);
		cairn_err_release(&e);
		return;
	}
	r = route_find(&c->path, method_bit(c->http->method), &path_known);
	if (!r && path_known) {
		api_error(c, 405, "Method not allowed.", NULL);
		return;
	}
	if (!r) {
		api_error(c, 404, "Not Found", NULL);
		return;
	}
	c->arg = r->arg != ARG_NONE &&
				 c->path.nsegments > (r->action ? 2u : 1u)
			 ? c->path.segments[r->action ? 2 : 1]
			 : NULL;
	if (r->auth == AUTH_NONE) {
		rc = 0;
	} else if (api_session_applies(c)) {
		rc = api_session_authenticate(c);
	} else {
		rc = authenticate(c);
	}
	if (rc < 0) {
		api_error(c, 403, AUTH_FAILED, NULL);
		return;
	}
	if (api_session_csrf(c) < 0 || api_set_actor(c) < 0) {
		return;
	}
	if (!permitted(c, r->perm)) {
		api_error(c, 403,
			  "You do not have permission to use this "
			  "functionality.",
			  NULL);
		return;
	}
	if (!r->stream_body && parse_body(c) < 0) {
		return;
	}
	r->handler(c);
}

void api_handle(void *ctx, const struct http_request *rq,
		struct http_response *rs)
{
	struct api_ctx c;

	memset(&c, 0, sizeof(c));
	c.app = ctx;
	c.http = rq;
	c.rs = rs;
	c.path = (struct path)PATH_INIT;
	record_init(&c.user.user, &model_user);
	record_init(&c.user.role, &model_role);
	record_init(&c.user.org, &model_org);
	c.gen = yajl_gen_alloc(NULL);
	if (!c.gen) {
		rs->status = 500;
		return;
	}
	yajl_gen_config(c.gen, yajl_gen_print_callback, gen_print, rs);
	c.store = store_pool_get(c.app->pool);
	dispatch(&c);
	ctx_release(&c);
}
