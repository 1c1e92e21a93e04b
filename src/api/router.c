/*
 * Routing, authentication and permission checks for the REST API.
 *
 * The route table lists every endpoint once, with the methods it accepts,
 * its path (a controller, an action or none for MISP's REST aliases, and
 * whether a positional argument follows), the role permission it
 * needs, the object rule (api/acl.h) that its target must pass, and
 * whether it needs a key at all.  Handlers never check permissions
 * themselves.  Admin routes have the controller "admin/NAME", matching
 * the path /admin/NAME/ACTION.
 */
#include "api/acl.h"
#include "api/api.h"
#include "api/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/identity.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum method_bit {
	M_GET = 1 << 0,
	M_POST = 1 << 1,
	M_PUT = 1 << 2,
	M_DELETE = 1 << 3,
	M_HEAD = 1 << 4,
	/* A POST that only reads (index, view, search): a read-only API key
	 * may use it.  It matches POST requests as M_POST does. */
	M_POST_READ = 1 << 5,
};

/* ARG_TWO is an id and a flag, as in objectReferences/delete/ID/true.
 * ARG_REST is one segment or more, a file path under /ui/. */
enum arg_rule {
	ARG_NONE,
	ARG_ONE,
	ARG_OPTIONAL,
	ARG_TWO,
	ARG_THREE,
	ARG_REST
};

/* Role permission a route needs; PERM_NONE only needs a valid key. */
enum perm {
	PERM_NONE = -1,
	PERM_ADD = ROLE_PERM_ADD,
	PERM_MODIFY = ROLE_PERM_MODIFY,
	PERM_PUBLISH = ROLE_PERM_PUBLISH,
	PERM_TAGGER = ROLE_PERM_TAGGER,
	PERM_TAG_EDITOR = ROLE_PERM_TAG_EDITOR,
	PERM_WARNINGLIST = ROLE_PERM_WARNINGLIST,
	PERM_AUTH = ROLE_PERM_AUTH,
	PERM_ADMIN = ROLE_PERM_ADMIN,
	PERM_SITE_ADMIN = ROLE_PERM_SITE_ADMIN,
	PERM_SHARING_GROUP = ROLE_PERM_SHARING_GROUP,
	PERM_AUDIT = ROLE_PERM_AUDIT,
};

/* Whether a route needs an authenticated user (by API key or session
 * cookie); AUTH_NONE routes (health, login) run without one, and their
 * handlers get no user. */
enum auth_rule { AUTH_USER, AUTH_NONE };

struct route {
	unsigned methods;
	const char *controller;
	const char *action; /* NULL for a REST alias such as GET /events/12 */
	enum arg_rule arg;
	int (*handler)(struct api_ctx *c);
	enum perm perm;
	enum api_acl_rule rule; /* object rule on the route's target */
	bool stream_body; /* the handler reads the raw body as a stream */
	enum auth_rule auth;
};

#define RD (M_GET | M_HEAD)
#define WR (M_POST | M_PUT)
#define RP (M_POST_READ)
#define DEL (M_POST | M_DELETE)

/* The quick edits of a sharing group take the group and the member in
 * the body, in the path, or in the path with a flag after them. */
#define SG_QUICK_EDIT(action, handler)                                         \
	{M_POST, "sharing_groups", action, ARG_NONE, handler,                  \
	 PERM_SHARING_GROUP},                                                  \
	{M_POST, "sharing_groups", action, ARG_TWO, handler,                   \
	 PERM_SHARING_GROUP},                                                  \
	{M_POST, "sharing_groups", action, ARG_THREE, handler,                 \
	 PERM_SHARING_GROUP}

static const struct route routes[] = {
	{RD, "health", NULL, ARG_NONE, api_health, PERM_NONE, RULE_NONE, false,
	 AUTH_NONE},
	{RD, "servers", "getVersion", ARG_NONE, api_version, PERM_NONE},
	{RD, "users", "view", ARG_ONE, api_user_view, PERM_NONE},
	{WR, "users", "edit", ARG_OPTIONAL, api_user_edit_self, PERM_NONE},
	{RD | RP, "admin/users", "index", ARG_NONE, api_user_index, PERM_ADMIN},
	{RD, "admin/users", "view", ARG_ONE, api_user_view, PERM_ADMIN},
	{M_POST, "admin/users", "add", ARG_NONE, api_user_add, PERM_ADMIN},
	{WR, "admin/users", "edit", ARG_ONE, api_user_edit, PERM_ADMIN},
	{DEL, "admin/users", "delete", ARG_ONE, api_user_delete, PERM_ADMIN},

	{RD | RP, "organisations", "index", ARG_NONE, api_org_index,
	 PERM_NONE},
	{RD, "organisations", NULL, ARG_NONE, api_org_index, PERM_NONE},
	{RD, "organisations", "view", ARG_ONE, api_org_view, PERM_NONE},
	{M_POST, "admin/organisations", "add", ARG_NONE, api_org_add,
	 PERM_SITE_ADMIN},
	{WR, "admin/organisations", "edit", ARG_ONE, api_org_edit,
	 PERM_SITE_ADMIN},
	{DEL, "admin/organisations", "delete", ARG_ONE, api_org_delete,
	 PERM_SITE_ADMIN},

	{RD, "roles", "index", ARG_NONE, api_role_index, PERM_NONE},
	{RD, "roles", NULL, ARG_NONE, api_role_index, PERM_NONE},
	{RD, "roles", "view", ARG_ONE, api_role_view, PERM_NONE},
	{M_POST, "admin/roles", "add", ARG_NONE, api_role_add, PERM_SITE_ADMIN},
	{WR, "admin/roles", "edit", ARG_ONE, api_role_edit, PERM_SITE_ADMIN},
	{DEL, "admin/roles", "delete", ARG_ONE, api_role_delete,
	 PERM_SITE_ADMIN},
	{M_POST, "admin/roles", "set_default", ARG_ONE, api_role_set_default,
	 PERM_SITE_ADMIN},

	{M_POST, "auth_keys", "add", ARG_OPTIONAL, api_authkey_add, PERM_AUTH},
	{RD | RP, "auth_keys", "index", ARG_OPTIONAL, api_authkey_index,
	 PERM_AUTH},
	{RD, "auth_keys", "view", ARG_ONE, api_authkey_view, PERM_AUTH},
	{WR, "auth_keys", "edit", ARG_ONE, api_authkey_edit, PERM_AUTH},
	{DEL, "auth_keys", "delete", ARG_ONE, api_authkey_delete, PERM_AUTH},

	{RD | M_POST, "users", "heartbeat", ARG_NONE, api_user_heartbeat,
	 PERM_NONE},
	{RD, "attributes", "describeTypes", ARG_NONE, api_describe_types,
	 PERM_NONE},

	/* Before the REST aliases, which would take "restSearch" for an id. */
	{RD | RP, "attributes", "restSearch", ARG_NONE, api_attribute_search,
	 PERM_NONE},
	{RD | RP, "events", "restSearch", ARG_NONE, api_event_search,
	 PERM_NONE},
	{RD | RP, "objects", "restSearch", ARG_NONE, api_object_search,
	 PERM_NONE},
	{RD | RP, "sightings", "restSearch", ARG_NONE, api_sighting_search,
	 PERM_NONE},
	{RD, "attributes", "index", ARG_NONE, api_attribute_index, PERM_NONE},

	{RD | RP, "events", "index", ARG_NONE, api_event_index, PERM_NONE},
	{RD | RP, "events", "view", ARG_ONE, api_event_view, PERM_NONE},
	{M_POST, "events", "add", ARG_NONE, api_event_add, PERM_ADD,
	 RULE_NONE, true},
	{WR, "events", "edit", ARG_ONE, api_event_edit, PERM_MODIFY,
	 RULE_EVENT_MODIFY},
	{DEL, "events", "delete", ARG_ONE, api_event_delete, PERM_MODIFY,
	 RULE_EVENT_MODIFY},
	{M_POST, "events", "publish", ARG_ONE, api_event_publish,
	 PERM_PUBLISH, RULE_EVENT_PUBLISH},
	{M_POST, "events", "unpublish", ARG_ONE, api_event_unpublish,
	 PERM_PUBLISH, RULE_EVENT_PUBLISH},
	{RD, "events", NULL, ARG_NONE, api_event_index, PERM_NONE},
	{M_POST, "events", NULL, ARG_NONE, api_event_add, PERM_ADD, RULE_NONE,
	 true},
	{RD, "events", NULL, ARG_ONE, api_event_view, PERM_NONE},
	{WR, "events", NULL, ARG_ONE, api_event_edit, PERM_MODIFY,
	 RULE_EVENT_MODIFY},
	{M_DELETE, "events", NULL, ARG_ONE, api_event_delete, PERM_MODIFY,
	 RULE_EVENT_MODIFY},

	{M_POST, "attributes", "add", ARG_ONE, api_attribute_add, PERM_ADD,
	 RULE_EVENT_MODIFY},
	{RD, "attributes", "view", ARG_ONE, api_attribute_view, PERM_NONE},
	{WR, "attributes", "edit", ARG_ONE, api_attribute_edit, PERM_MODIFY,
	 RULE_ATTRIBUTE_MODIFY},
	{DEL, "attributes", "delete", ARG_ONE, api_attribute_delete,
	 PERM_MODIFY, RULE_ATTRIBUTE_MODIFY},
	{RD, "attributes", NULL, ARG_ONE, api_attribute_view, PERM_NONE},
	{WR, "attributes", NULL, ARG_ONE, api_attribute_edit, PERM_MODIFY,
	 RULE_ATTRIBUTE_MODIFY},
	{M_DELETE, "attributes", NULL, ARG_ONE, api_attribute_delete,
	 PERM_MODIFY, RULE_ATTRIBUTE_MODIFY},

	{M_POST, "objects", "add", ARG_ONE, api_object_add, PERM_ADD,
	 RULE_EVENT_MODIFY},
	{RD, "objects", "view", ARG_ONE, api_object_view, PERM_NONE},
	{WR, "objects", "edit", ARG_ONE, api_object_edit, PERM_MODIFY,
	 RULE_OBJECT_MODIFY},
	{DEL, "objects", "delete", ARG_ONE, api_object_delete, PERM_MODIFY,
	 RULE_OBJECT_MODIFY},
	{M_POST, "objectReferences", "add", ARG_OPTIONAL, api_reference_add,
	 PERM_ADD, RULE_OBJECT_MODIFY},
	{DEL, "objectReferences", "delete", ARG_ONE, api_reference_delete,
	 PERM_MODIFY, RULE_REFERENCE_MODIFY},
	{DEL, "objectReferences", "delete", ARG_TWO, api_reference_delete,
	 PERM_MODIFY, RULE_REFERENCE_MODIFY},

	{RD, "tags", "index", ARG_NONE, api_tag_index, PERM_NONE},
	{RD, "tags", NULL, ARG_NONE, api_tag_index, PERM_NONE},
	{RD, "tags", "view", ARG_ONE, api_tag_view, PERM_NONE},
	{M_POST, "tags", "add", ARG_NONE, api_tag_add, PERM_TAG_EDITOR},
	{WR, "tags", "edit", ARG_ONE, api_tag_edit, PERM_TAG_EDITOR},
	{M_POST | M_DELETE, "tags", "delete", ARG_ONE, api_tag_delete,
	 PERM_TAG_EDITOR},
	{M_POST, "tags", "attachTagToObject", ARG_NONE, api_tag_attach,
	 PERM_TAGGER, RULE_TAG_TARGET},
	{M_POST, "tags", "removeTagFromObject", ARG_NONE, api_tag_remove,
	 PERM_TAGGER, RULE_TAG_TARGET},

	{RD | RP, "correlation_exclusions", "index", ARG_NONE,
	 api_correlation_exclusion_index, PERM_SITE_ADMIN},
	{RD, "correlation_exclusions", "view", ARG_ONE,
	 api_correlation_exclusion_view, PERM_SITE_ADMIN},
	{M_POST, "correlation_exclusions", "add", ARG_NONE,
	 api_correlation_exclusion_add, PERM_SITE_ADMIN},
	{WR, "correlation_exclusions", "edit", ARG_ONE,
	 api_correlation_exclusion_edit, PERM_SITE_ADMIN},
	{DEL, "correlation_exclusions", "delete", ARG_ONE,
	 api_correlation_exclusion_delete, PERM_SITE_ADMIN},
	{M_POST, "correlation_exclusions", "clean", ARG_NONE,
	 api_correlation_exclusion_clean, PERM_SITE_ADMIN},
	{RD | RP, "correlations", "overCorrelations", ARG_NONE,
	 api_correlation_over, PERM_SITE_ADMIN},

	{RD | RP, "warninglists", "index", ARG_NONE, api_warninglist_index,
	 PERM_NONE},
	{RD | RP, "warninglists", NULL, ARG_NONE, api_warninglist_index,
	 PERM_NONE},
	{RD, "warninglists", "view", ARG_ONE, api_warninglist_view, PERM_NONE},
	{M_POST, "warninglists", "toggleEnable", ARG_NONE,
	 api_warninglist_toggle, PERM_WARNINGLIST},
	{RP, "warninglists", "checkValue", ARG_NONE, api_warninglist_check,
	 PERM_NONE},

	{M_POST, "sharing_groups", "add", ARG_NONE, api_sharing_group_add,
	 PERM_SHARING_GROUP},
	{WR, "sharing_groups", "edit", ARG_ONE, api_sharing_group_edit,
	 PERM_SHARING_GROUP},
	{DEL, "sharing_groups", "delete", ARG_ONE, api_sharing_group_delete,
	 PERM_SHARING_GROUP},
	{RD, "sharing_groups", "view", ARG_ONE, api_sharing_group_view,
	 PERM_NONE},
	{RD, "sharing_groups", "index", ARG_OPTIONAL, api_sharing_group_index,
	 PERM_NONE},
	SG_QUICK_EDIT("addOrg", api_sharing_group_add_org),
	SG_QUICK_EDIT("removeOrg", api_sharing_group_remove_org),
	SG_QUICK_EDIT("addServer", api_sharing_group_add_server),
	SG_QUICK_EDIT("removeServer", api_sharing_group_remove_server),
	{RD, "sharing_groups", NULL, ARG_NONE, api_sharing_group_index,
	 PERM_NONE},
	{M_POST, "sharing_groups", NULL, ARG_NONE, api_sharing_group_add,
	 PERM_SHARING_GROUP},
	{RD, "sharing_groups", NULL, ARG_ONE, api_sharing_group_view,
	 PERM_NONE},
	{WR, "sharing_groups", NULL, ARG_ONE, api_sharing_group_edit,
	 PERM_SHARING_GROUP},
	{M_DELETE, "sharing_groups", NULL, ARG_ONE, api_sharing_group_delete,
	 PERM_SHARING_GROUP},
	{RD, "taxonomies", "index", ARG_NONE, api_taxonomy_index, PERM_NONE},
	{RD, "taxonomies", NULL, ARG_NONE, api_taxonomy_index, PERM_NONE},
	{RD, "taxonomies", "view", ARG_ONE, api_taxonomy_view, PERM_NONE},
	{M_POST, "taxonomies", "enable", ARG_ONE, api_taxonomy_enable,
	 PERM_SITE_ADMIN},
	{M_POST, "taxonomies", "disable", ARG_ONE, api_taxonomy_disable,
	 PERM_SITE_ADMIN},
	{M_POST, "taxonomies", "addTag", ARG_ONE, api_taxonomy_add_tag,
	 PERM_TAGGER},

	{RD | RP, "galaxies", "index", ARG_NONE, api_galaxy_index, PERM_NONE},
	{RD | RP, "galaxies", NULL, ARG_NONE, api_galaxy_index, PERM_NONE},
	{RD, "galaxies", "view", ARG_ONE, api_galaxy_view, PERM_NONE},
	{M_POST, "galaxies", "attachCluster", ARG_TWO, api_galaxy_attach,
	 PERM_TAGGER, RULE_CLUSTER_TARGET},
	{RD, "galaxy_clusters", "view", ARG_ONE, api_cluster_view, PERM_NONE},
	{RD | RP, "galaxy_clusters", "index", ARG_OPTIONAL,
	 api_cluster_index, PERM_NONE},

	{RD, "objectTemplates", "index", ARG_NONE, api_template_index,
	 PERM_NONE},
	{RD, "objectTemplates", NULL, ARG_NONE, api_template_index, PERM_NONE},
	{RD, "objectTemplates", "view", ARG_ONE, api_template_view, PERM_NONE},
	{RD, "objectTemplates", "getRaw", ARG_ONE, api_template_raw,
	 PERM_NONE},

	/* login reads its body itself: JSON or MISP's form fields. */
	{M_POST, "users", "login", ARG_NONE, api_user_login, PERM_NONE,
	 RULE_NONE, true, AUTH_NONE},
	{RD | M_POST, "users", "logout", ARG_NONE, api_user_logout, PERM_NONE,
	 RULE_NONE, false, AUTH_NONE},
	{RD | RP, "admin/audit_logs", "index", ARG_NONE, api_audit_index,
	 PERM_AUDIT},
	{RD | RP, "admin/audit_logs", NULL, ARG_NONE, api_audit_index,
	 PERM_AUDIT},

	/* The web UI (api/web.c): its page at "/" (the empty controller)
	 * and its files under /ui/, without login; the dashboard's widgets
	 * (api/dashboard.c) need one. */
	{RD, "", NULL, ARG_NONE, api_web_index, PERM_NONE, RULE_NONE, false,
	 AUTH_NONE},
	{RD, "ui", NULL, ARG_REST, api_web_asset, PERM_NONE, RULE_NONE, false,
	 AUTH_NONE},
	{RD, "dashboard", "totals", ARG_NONE, api_dash_totals, PERM_NONE},
	{RD, "dashboard", "timeline", ARG_NONE, api_dash_timeline, PERM_NONE},
	{RD, "dashboard", "attribute_types", ARG_NONE, api_dash_attribute_types,
	 PERM_NONE},
	{RD, "dashboard", "attribute_categories", ARG_NONE,
	 api_dash_attribute_categories, PERM_NONE},
	{RD, "dashboard", "threat_levels", ARG_NONE, api_dash_threat_levels,
	 PERM_NONE},
	{RD, "dashboard", "analysis", ARG_NONE, api_dash_analysis, PERM_NONE},
	{RD, "dashboard", "top_tags", ARG_NONE, api_dash_top_tags, PERM_NONE},
	{RD, "dashboard", "top_taxonomies", ARG_NONE, api_dash_top_taxonomies,
	 PERM_NONE},
	{RD, "dashboard", "top_orgs", ARG_NONE, api_dash_top_orgs, PERM_NONE},
	{RD, "dashboard", "correlated_values", ARG_NONE, api_dash_correlated_values,
	 PERM_NONE},
	{RD, "dashboard", "recent_sightings", ARG_NONE, api_dash_recent_sightings,
	 PERM_NONE},
	{RD, "dashboard", "attack_patterns", ARG_NONE, api_dash_attack_patterns,
	 PERM_NONE},
	{RD, "dashboard", "latest_events", ARG_NONE, api_dash_latest_events,
	 PERM_NONE},
};

#define NO_PERMISSION "You do not have permission to use this functionality."

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

/* Returns the number of path segments that the route's controller and
 * action take: /admin/users/add takes three. */
static size_t route_base(const struct route *r)
{
	return (strncmp(r->controller, "admin/", 6) == 0 ? 2 : 1) +
	       (r->action ? 1 : 0);
}

/* Compares a request's controller with a table name, accepting MISP's
 * camelCase form of an underscored name ("sharingGroups" for
 * "sharing_groups"). */
static bool name_matches(const char *request, const char *name)
{
	while (*request && *name) {
		if (*name == '_' && *request >= 'A' && *request <= 'Z' &&
		    name[1] == *request - 'A' + 'a') {
			name += 2;
			request++;
		} else if (*request == *name) {
			name++;
			request++;
		} else {
			return false;
		}
	}
	return *request == *name;
}

static bool controller_matches(const struct route *r, const struct path *p)
{
	if (strncmp(r->controller, "admin/", 6) != 0) {
		return name_matches(p->segments[0], r->controller);
	}
	return strcmp(p->segments[0], "admin") == 0 &&
	       name_matches(p->segments[1], r->controller + 6);
}

static bool route_matches_path(const struct route *r, const struct path *p)
{
	size_t base = route_base(r);

	if (r->controller[0] == '\0') {
		return p->nsegments == 0;
	}
	if (p->nsegments < base || !controller_matches(r, p)) {
		return false;
	}
	if (r->action && strcmp(p->segments[base - 1], r->action) != 0) {
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
	case ARG_THREE:
		return p->nsegments == base + 3;
	case ARG_REST:
		return p->nsegments > base;
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
		if (routes[i].methods & method ||
		    (method == M_POST && (routes[i].methods & M_POST_READ))) {
			return &routes[i];
		}
		*path_known = true;
	}
	return NULL;
}

/* Authenticates the request and loads its user, role and organisation.
 * Fills *message with MISP's reason on failure. */
static int authenticate(struct api_ctx *c, const char **message)
{
	int rc;

	if (api_session_applies(c)) {
		rc = api_session_authenticate(c);
		if (rc < 0) {
			*message = AUTH_FAILED;
		}
	} else {
		rc = api_auth_key(c, message);
	}

	if (rc == 0) {
		c->rs->user_id = record_int(&c->user.user, USER_ID, 0);
		store_tag_creation_set(c->store, acl_may_create_tag(&c->user));
		rc = store_viewer_load(
			c->store, c->rs->user_id,
			record_int(&c->user.org, ORG_ID, 0),
			record_int(&c->user.role, ROLE_PERM_SITE_ADMIN, 0) != 0,
			&c->viewer);
		c->viewer.correlation = &c->app->correlation;
		if (rc < 0) {
			*message = "Authentication failed: the user's sharing "
				   "groups could not be read.";
		}
	}
	return rc;
}

/* A read-only API key may use GET and HEAD, and POST only on the routes
 * that read (M_POST_READ). */
static bool read_only_allows(const struct api_ctx *c, const struct route *r,
			     unsigned method)
{
	if (!c->key_read_only || method == M_GET || method == M_HEAD) {
		return true;
	}
	return method == M_POST && (r->methods & M_POST_READ);
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
	store_viewer_release(&c->viewer);
	json_decref(c->body);
	free(c->scratch);
	if (c->gen) {
		yajl_gen_free(c->gen);
	}
	if (c->store) {
		store_tag_creation_set(c->store, true);
		store_pool_put(c->app->pool, c->store);
	}
}

static void dispatch(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct route *r;
	const char *message = NULL;
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
	c->arg = r->arg != ARG_NONE && c->path.nsegments > route_base(r)
			 ? c->path.segments[route_base(r)]
			 : NULL;
	rc = r->auth == AUTH_NONE ? 0 : authenticate(c, &message);
	if (rc < 0) {
		api_error(c, 403, message, NULL);
		return;
	}
	if (api_session_csrf(c) < 0 || api_set_actor(c) < 0) {
		return;
	}
	if (r->auth == AUTH_USER &&
	    (!read_only_allows(c, r, method_bit(c->http->method)) ||
	     !permitted(c, r->perm))) {
		api_error(c, 403, NO_PERMISSION, NULL);
		return;
	}
	if (!r->stream_body && parse_body(c) < 0) {
		return;
	}
	if (api_acl_check(c, r->rule) < 0) {
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
	if (api_web_headers(rs) < 0) {
		rs->status = 500;
	} else {
		dispatch(&c);
	}
	ctx_release(&c);
}
