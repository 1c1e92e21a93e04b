/*
 * What the session code (session.c) and the login endpoints (login.c)
 * share: the cookie, the default limits and the token helpers.
 */
#ifndef CAIRN_API_SESSION_H
#define CAIRN_API_SESSION_H

#include "api/api.h"
#include "core/util.h"

#include <stdint.h>

#define SESSION_COOKIE_NAME "cairn_session"

/* Default limits, in seconds.  They are MISP's defaults: Session.timeout
 * of 600 minutes idle, Session.cookieTimeout of 3600 minutes in all, and
 * SecureAuth's 5 failures and 300 seconds (MISP 2.4 and 2.5 server
 * settings).  `cairn serve` options override each of them. */
#define SESSION_IDLE_DEFAULT (600 * 60)
#define SESSION_LIFETIME_DEFAULT (3600 * 60)
#define LOCKOUT_WINDOW_DEFAULT 300
#define LOCKOUT_ATTEMPTS_DEFAULT 5

/* Failed logins from one peer address, over any e-mails, that lock that
 * address out for a window.  NOTE: MISP counts by e-mail only; this
 * limit against trying one password on many accounts is Cairn's own
 * guess, four times the per-e-mail limit. */
#define LOCKOUT_ADDRESS_FACTOR 4

enum api_login_setting {
	LOGIN_SESSION_IDLE,
	LOGIN_SESSION_LIFETIME,
	LOGIN_LOCKOUT_WINDOW,
	LOGIN_LOCKOUT_ATTEMPTS,
};

/* Returns the setting from `cfg`, or its default when `cfg` leaves it 0. */
int64_t api_login_setting(const struct api_login_config *cfg,
			  enum api_login_setting which);

/* Copies the value of cookie `name` from a Cookie header into `out`;
 * CAIRN_ENOTFOUND when absent. */
int api_cookie_value(const char *header, const char *name, struct buf *out);

/* Writes the hex SHA-256 of the request's session token.  CAIRN_ENOTFOUND
 * without the cookie, CAIRN_EINVAL when it is not a session token. */
int api_session_token_hash(const struct http_request *rq,
			   char hash[SHA256_HEX_SIZE]);

#endif
