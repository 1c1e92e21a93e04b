/*
 * Authentication by web session cookie, the CSRF check of requests made
 * with a session, and the audit actor of every request.
 *
 * The cookie carries a random token; the store keeps only its SHA-256
 * (store_session_find()), so a copy of the database does not hold a
 * usable session.  A request made with a session that changes state (any
 * method but GET and HEAD) must also send the session's CSRF token in
 * the X-CSRF-Token header.  A page of another site can make the browser
 * send the cookie, but it cannot read the token.  Requests that carry an
 * API key never reach this file and need no token.
 */
#include "api/api.h"
#include "api/session.h"
#include "core/log.h"
#include "core/util.h"
#include "model/misp.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#define CSRF_FAILED                                                            \
	"Invalid or missing CSRF token. Requests that change data with a "    \
	"session cookie must send the session's token in the X-CSRF-Token "   \
	"header; users/login returns it."

int64_t api_login_setting(const struct api_login_config *cfg,
			  enum api_login_setting which)
{
	const int64_t values[] = {
		[LOGIN_SESSION_IDLE] = cfg->session_idle,
		[LOGIN_SESSION_LIFETIME] = cfg->session_lifetime,
		[LOGIN_LOCKOUT_WINDOW] = cfg->lockout_window,
		[LOGIN_LOCKOUT_ATTEMPTS] = cfg->lockout_attempts,
	};
	const int64_t defaults[] = {
		[LOGIN_SESSION_IDLE] = SESSION_IDLE_DEFAULT,
		[LOGIN_SESSION_LIFETIME] = SESSION_LIFETIME_DEFAULT,
		[LOGIN_LOCKOUT_WINDOW] = LOCKOUT_WINDOW_DEFAULT,
		[LOGIN_LOCKOUT_ATTEMPTS] = LOCKOUT_ATTEMPTS_DEFAULT,
	};

	return values[which] > 0 ? values[which] : defaults[which];
}

/* Copies the value of cookie `name` from a Cookie header ("a=1; b=2")
 * into `out`.  Returns 0, or CAIRN_ENOTFOUND when it is absent. */
int api_cookie_value(const char *header, const char *name, struct buf *out)
{
	size_t n = strlen(name);

	while (header && *header) {
		const char *end = strchr(header, ';');
		size_t len = end ? (size_t)(end - header) : strlen(header);

		while (len && (*header == ' ' || *header == '\t')) {
			header++;
			len--;
		}
		if (len > n && strncmp(header, name, n) == 0 &&
		    header[n] == '=') {
			buf_clear(out);
			return buf_add(out, header + n + 1, len - n - 1) < 0
				       ? CAIRN_ENOMEM
				       : 0;
		}
		header = end ? end + 1 : NULL;
	}
	return CAIRN_ENOTFOUND;
}

static bool is_hex_token(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return i == STORE_TOKEN_HEX;
}

int api_session_token_hash(const struct http_request *rq,
			   char hash[SHA256_HEX_SIZE])
{
	struct buf token = BUF_INIT;
	int rc = api_cookie_value(http_header(rq, "Cookie"),
				  SESSION_COOKIE_NAME, &token);

	if (rc == 0 && !is_hex_token(buf_str(&token))) {
		rc = CAIRN_EINVAL;
	}
	if (rc == 0) {
		sha256_hex(token.data, token.len, hash);
	}
	sodium_memzero(token.data, token.len);
	buf_release(&token);
	return rc;
}

bool api_session_applies(const struct api_ctx *c)
{
	const char *key = http_header(c->http, "Authorization");
	const char *misp_key = http_header(c->http, "X-MISP-AUTH");
	struct buf token = BUF_INIT;
	bool has_cookie;

	if ((key && *key) || (misp_key && *misp_key)) {
		return false;
	}
	has_cookie = api_cookie_value(http_header(c->http, "Cookie"),
				      SESSION_COOKIE_NAME, &token) == 0;
	buf_release(&token);
	return has_cookie;
}

int api_user_load(struct api_ctx *c, int64_t user_id)
{
	int rc = store_get(c->store, &model_user, user_id, &c->user.user);

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
	if (rc < 0) {
		return CAIRN_EDENIED;
	}
	c->rs->user_id = user_id;
	return 0;
}

int api_session_authenticate(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct api_login_config *cfg = &c->app->login;
	char hash[SHA256_HEX_SIZE];
	int rc = api_session_token_hash(c->http, hash);

	if (rc == 0) {
		rc = store_session_find(
			c->store, hash, time_now(),
			api_login_setting(cfg, LOGIN_SESSION_IDLE), &c->session,
			&e);
	}
	if (rc == CAIRN_ESTORE) {
		log_error("session: lookup failed: %s", buf_str(&e.message));
	}
	cairn_err_release(&e);
	if (rc == 0) {
		rc = api_user_load(c, c->session.user_id);
	}
	if (rc < 0) {
		return CAIRN_EDENIED;
	}
	c->by_session = true;
	/* The UI reads the token here, from any request it makes. */
	http_response_header(c->rs, "X-CSRF-Token", c->session.csrf_token);
	return 0;
}

/* Returns true for the methods that must not change state. */
static bool method_safe(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

int api_session_csrf(struct api_ctx *c)
{
	const char *sent;

	if (!c->by_session || method_safe(c->http->method)) {
		return 0;
	}
	sent = http_header(c->http, "X-CSRF-Token");
	if (sent && strlen(sent) == STORE_TOKEN_HEX &&
	    sodium_memcmp(sent, c->session.csrf_token, STORE_TOKEN_HEX) == 0) {
		return 0;
	}
	log_warn("session: %s request of user %lld without a valid CSRF "
		 "token (session %lld)",
		 c->http->method, (long long)c->session.user_id,
		 (long long)c->session.id);
	api_error(c, 403, CSRF_FAILED, NULL);
	return CAIRN_EDENIED;
}

int api_set_actor(struct api_ctx *c)
{
	int64_t user_id = record_int(&c->user.user, USER_ID, 0);
	struct store_actor actor = {
		.user_id = user_id,
		.org_id = record_int(&c->user.user, USER_ORG_ID, 0),
		/* TODO: authkey_id stays 0 until authenticate() reports the
		 * id of the key that matched. */
		.authkey_id = 0,
		.request_type = user_id && !c->by_session
					? STORE_REQUEST_API
					: STORE_REQUEST_SESSION,
		.ip = c->http->peer_ip,
		.request_id = http_header(c->http, "X-Request-Id"),
	};

	if (store_set_actor(c->store, &actor) < 0) {
		api_error(c, 500, "Out of memory.", NULL);
		return CAIRN_ENOMEM;
	}
	return 0;
}
