/*
 * API key authentication: finds the key in the request's Authorization
 * (or X-MISP-AUTH) header and loads the key's user, role and organisation
 * into the request context.
 */
#ifndef CAIRN_API_AUTH_H
#define CAIRN_API_AUTH_H

#include "api/api.h"
#include "core/util.h"

#define AUTH_FAILED                                                            \
	"Authentication failed. Please make sure you pass the API key of an "  \
	"API enabled user along in the Authorization header."
#define AUTH_DISABLED                                                          \
	"Authentication failed. Your user account has been disabled."
#define AUTH_EXPIRED "Auth key is expired"
#define AUTH_WRONG_ADDRESS                                                     \
	"It is not possible to use this Auth key from your IP address"

/* Authenticates with an API key.  On success fills c->user and
 * c->key_read_only; a read-only key keeps only perm_auth and perm_audit
 * of the role, as MISP does.  On failure returns CAIRN_EDENIED and points
 * *message at one of the AUTH_* texts (a static string). */
int api_auth_key(struct api_ctx *c, const char **message);

/* Creates an API key for `user_id`, stores its hash with its first and
 * last four characters, and copies the key, in clear, to `raw`.  *id
 * (may be NULL) receives the key's row id. */
int api_auth_key_create(struct store *s, int64_t user_id,
			char raw[API_KEY_LENGTH + 1], int64_t *id);

/* Checks a JSON list of CIDR ranges as allowed_ips takes it.  Returns 0,
 * or CAIRN_EINVAL with a message in `e` naming the bad entry. */
int api_allowed_ips_check(const json_t *list, struct cairn_err *e);

#endif
