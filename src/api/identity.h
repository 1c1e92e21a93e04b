/*
 * Helpers shared by the organisation, user, role and API key endpoints:
 * MISP's JSON shapes of those records and its failed-save response.
 */
#ifndef CAIRN_API_IDENTITY_H
#define CAIRN_API_IDENTITY_H

#include "api/api.h"

/* Writes `key`: record into the map open in `g`.  Text fields that hold
 * JSON lists (an organisation's restricted_to_domain, a key's
 * allowed_ips) are written as JSON, not as strings. */
int identity_emit(yajl_gen g, const char *key, struct record *r);

/* Like identity_emit(), with one more string member `extra_key` at the
 * end of the object (a clear key, shown once). */
int identity_emit_extra(yajl_gen g, const char *key, struct record *r,
			const char *extra_key, const char *extra_value);

/* Loads the full organisation `id` and writes it as `key`. */
int identity_emit_org(struct api_ctx *c, const char *key, int64_t id);

/* Sends MISP's failed-save response: 403 {"saved": false, "name":
 * "Could not ACTION MODEL", "message", "url", "errors": {field: [msg]}}
 * from `e`. */
int identity_save_failed(struct api_ctx *c, const char *action,
			 const char *model, const struct cairn_err *e);

/* Sends MISP's success response with the row id. */
int identity_success(struct api_ctx *c, const char *message, int64_t id);

/* Finishes a response written into c->gen: 500 when `rc` is negative. */
int identity_finish(struct api_ctx *c, int rc);

/* Returns the request body's object for `key` (bare or in its envelope),
 * or sends 400 and returns NULL. */
json_t *identity_body(struct api_ctx *c, const char *key);

#endif
