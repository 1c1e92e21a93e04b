/*
 * The MISP REST surface: request context, routing, authentication and
 * the rendering of results and errors in MISP's shapes.
 */
#ifndef CAIRN_API_H
#define CAIRN_API_H

#include "http/path.h"
#include "http/server.h"
#include "model/record.h"
#include "correlate/correlate.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <yajl/yajl_gen.h>

struct library;

/* Limits of web sessions and of failed logins, in seconds and counts; a
 * member left 0 takes its default (api/session.c). */
struct api_login_config {
	int64_t session_idle;     /* a session ends after this long unused */
	int64_t session_lifetime; /* and this long after login at the latest */
	int64_t lockout_window;   /* failures this far apart count together */
	int64_t lockout_attempts; /* failures of one e-mail that lock it */
};

/* The server context, owned by `cairn serve`. */
struct cairn {
	struct store_pool *pool;
	struct library *library; /* reference data (api/library.h) or NULL */
	struct api_login_config login;
	struct correlate_config correlation;
};

/* The authenticated user of a request. */
struct api_user {
	struct record user; /* model_user */
	struct record role; /* model_role */
	struct record org;  /* model_org */
};

/* Everything a handler needs for one request. */
struct api_ctx {
	struct cairn *app;
	const struct http_request *http;
	struct http_response *rs;
	struct path path;
	const char *arg; /* the positional argument after the action, or NULL */
	struct store *store;
	struct api_user user;
	bool key_read_only; /* authenticated with a read-only API key */
	struct store_viewer viewer; /* the user as a reader, after login */
	bool by_session;               /* authenticated by a session cookie */
	struct store_session session;  /* that session, when by_session */
	json_t *body; /* parsed JSON body, or NULL when there was none */
	yajl_gen gen; /* writes into rs->body */
	char *scratch; /* a handler's temporary string, freed by its owner */
};

/* The libmicrohttpd handler: `ctx` is a struct cairn. */
void api_handle(void *ctx, const struct http_request *rq,
		struct http_response *rs);

/* Sends MISP's error body {"name", "message", "url", "errors"} with
 * `status`; `errors` may be NULL and is taken. Returns 0. */
int api_error(struct api_ctx *c, int status, const char *message,
	      json_t *errors);

/* Sends an error from a cairn_err, mapping its code to a status. */
int api_error_from(struct api_ctx *c, const struct cairn_err *e);

/* Sends an error for a failed call that returned `rc`: the detail in `e`
 * when set, else the store's last error. */
int api_error_rc(struct api_ctx *c, int rc, struct cairn_err *e);

/* Sends {"saved": true, "success": true, "name": m, "message": m, "url"}. */
int api_success(struct api_ctx *c, const char *message);

/* Sends a jansson value as the body (taken). */
int api_send_json(struct api_ctx *c, json_t *body);

/* Resolves an id or a UUID of `m` to a row id; CAIRN_ENOTFOUND if none. */
int api_resolve(struct api_ctx *c, const struct model *m, const char *arg,
		int64_t *id);

/* Returns true for a JSON flag that MISP clients send as set: true, a
 * nonzero integer or the string "1". */
bool api_json_flag(const json_t *v);

/* Returns the request body's object, unwrapped from {"Key": {...}} when it
 * has that envelope, or NULL. */
json_t *api_body_object(struct api_ctx *c, const char *key);

/* Marks an event changed: new timestamp and unpublished, as MISP does
 * after any change to its content. */
int api_touch_event(struct api_ctx *c, int64_t event_id);

/* Checks the sharing group of `obj` (an event, attribute, object or
 * report) and of the Attribute, Object and EventReport lists inside it:
 * distribution 4 needs a sharing_group_id that the user may use.
 * `pointer` locates `obj` in the body for the message.  Returns 0 or
 * CAIRN_EINVAL with the detail in `e`. */
int api_check_distribution(struct api_ctx *c, json_t *obj,
			   const char *pointer, struct cairn_err *e);
/* Web sessions (api/session.c).  api_session_applies() is true for a
 * request that sends the session cookie and no API key header, which
 * api_session_authenticate() then authenticates.  api_session_csrf()
 * checks the CSRF token of a state-changing request made with a session,
 * and sends the error itself when it fails.  api_set_actor() names the
 * request's user and address for the audit rows of its changes. */
bool api_session_applies(const struct api_ctx *c);
int api_session_authenticate(struct api_ctx *c);
int api_session_csrf(struct api_ctx *c);
int api_set_actor(struct api_ctx *c);

/* Loads the user with this id, and its role and organisation, into
 * c->user.  CAIRN_EDENIED for a missing or disabled user. */
int api_user_load(struct api_ctx *c, int64_t user_id);

/* Returns true when the request sets flag `name` (1 or true): as a named
 * parameter, which wins, or as a key of `object` (may be NULL) or of the
 * body (api/warnings.c). */
bool api_request_flag(struct api_ctx *c, json_t *object, const char *name);

/* Returns the loaded warninglists, or NULL without a library. */
struct warninglist_set *api_warninglists(struct api_ctx *c);

/* Returns true when attribute `attr` (with "type" and "value") is on an
 * enabled warninglist for its type. */
bool api_on_warninglist(struct api_ctx *c, json_t *attr);

/* Handlers, one per endpoint; each returns 0 after sending a response. */
int api_health(struct api_ctx *c);
int api_version(struct api_ctx *c);
int api_user_view(struct api_ctx *c);
int api_user_index(struct api_ctx *c);
int api_user_add(struct api_ctx *c);
int api_user_edit(struct api_ctx *c);
int api_user_edit_self(struct api_ctx *c);
int api_user_delete(struct api_ctx *c);
int api_org_index(struct api_ctx *c);
int api_org_view(struct api_ctx *c);
int api_org_add(struct api_ctx *c);
int api_org_edit(struct api_ctx *c);
int api_org_delete(struct api_ctx *c);
int api_role_index(struct api_ctx *c);
int api_role_view(struct api_ctx *c);
int api_role_add(struct api_ctx *c);
int api_role_edit(struct api_ctx *c);
int api_role_delete(struct api_ctx *c);
int api_role_set_default(struct api_ctx *c);
int api_authkey_add(struct api_ctx *c);
int api_authkey_index(struct api_ctx *c);
int api_authkey_view(struct api_ctx *c);
int api_authkey_edit(struct api_ctx *c);
int api_authkey_delete(struct api_ctx *c);
int api_user_heartbeat(struct api_ctx *c);
int api_describe_types(struct api_ctx *c);
int api_event_index(struct api_ctx *c);
int api_event_view(struct api_ctx *c);
int api_event_add(struct api_ctx *c);
int api_event_edit(struct api_ctx *c);
int api_event_delete(struct api_ctx *c);
int api_event_publish(struct api_ctx *c);
int api_event_unpublish(struct api_ctx *c);
int api_attribute_add(struct api_ctx *c);
int api_attribute_view(struct api_ctx *c);
int api_attribute_edit(struct api_ctx *c);
int api_attribute_delete(struct api_ctx *c);
int api_object_add(struct api_ctx *c);
int api_object_view(struct api_ctx *c);
int api_object_edit(struct api_ctx *c);
int api_object_delete(struct api_ctx *c);
int api_reference_add(struct api_ctx *c);
int api_reference_delete(struct api_ctx *c);
int api_tag_index(struct api_ctx *c);
int api_tag_view(struct api_ctx *c);
int api_tag_add(struct api_ctx *c);
int api_tag_edit(struct api_ctx *c);
int api_tag_delete(struct api_ctx *c);
int api_tag_attach(struct api_ctx *c);
int api_tag_remove(struct api_ctx *c);
int api_correlation_exclusion_index(struct api_ctx *c);
int api_correlation_exclusion_view(struct api_ctx *c);
int api_correlation_exclusion_add(struct api_ctx *c);
int api_correlation_exclusion_edit(struct api_ctx *c);
int api_correlation_exclusion_delete(struct api_ctx *c);
int api_correlation_exclusion_clean(struct api_ctx *c);
int api_correlation_over(struct api_ctx *c);
int api_warninglist_index(struct api_ctx *c);
int api_warninglist_view(struct api_ctx *c);
int api_warninglist_toggle(struct api_ctx *c);
int api_warninglist_check(struct api_ctx *c);
int api_sharing_group_add(struct api_ctx *c);
int api_sharing_group_edit(struct api_ctx *c);
int api_sharing_group_delete(struct api_ctx *c);
int api_sharing_group_view(struct api_ctx *c);
int api_sharing_group_index(struct api_ctx *c);
int api_sharing_group_add_org(struct api_ctx *c);
int api_sharing_group_remove_org(struct api_ctx *c);
int api_sharing_group_add_server(struct api_ctx *c);
int api_sharing_group_remove_server(struct api_ctx *c);
int api_attribute_search(struct api_ctx *c);
int api_event_search(struct api_ctx *c);
int api_object_search(struct api_ctx *c);
int api_sighting_search(struct api_ctx *c);
int api_attribute_index(struct api_ctx *c);
int api_taxonomy_index(struct api_ctx *c);
int api_taxonomy_view(struct api_ctx *c);
int api_taxonomy_enable(struct api_ctx *c);
int api_taxonomy_disable(struct api_ctx *c);
int api_taxonomy_add_tag(struct api_ctx *c);
int api_galaxy_index(struct api_ctx *c);
int api_galaxy_view(struct api_ctx *c);
int api_galaxy_attach(struct api_ctx *c);
int api_cluster_view(struct api_ctx *c);
int api_cluster_index(struct api_ctx *c);
int api_template_index(struct api_ctx *c);
int api_template_view(struct api_ctx *c);
int api_template_raw(struct api_ctx *c);
int api_user_login(struct api_ctx *c);
int api_user_logout(struct api_ctx *c);
int api_audit_index(struct api_ctx *c);
int api_web_index(struct api_ctx *c);
int api_web_asset(struct api_ctx *c);
int api_dash_totals(struct api_ctx *c);
int api_dash_timeline(struct api_ctx *c);
int api_dash_attribute_types(struct api_ctx *c);
int api_dash_attribute_categories(struct api_ctx *c);
int api_dash_threat_levels(struct api_ctx *c);
int api_dash_analysis(struct api_ctx *c);
int api_dash_top_tags(struct api_ctx *c);
int api_dash_top_taxonomies(struct api_ctx *c);
int api_dash_top_orgs(struct api_ctx *c);
int api_dash_correlated_values(struct api_ctx *c);
int api_dash_recent_sightings(struct api_ctx *c);
int api_dash_attack_patterns(struct api_ctx *c);
int api_dash_latest_events(struct api_ctx *c);

/* Adds the security headers that every response carries (api/web.c). */
int api_web_headers(struct http_response *rs);

#endif
