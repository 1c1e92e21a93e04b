/*
 * users/login and users/logout.
 *
 * A login takes an e-mail and a password, as JSON ({"email",
 * "password"}, bare or inside {"User": ...}) or as MISP's login form
 * (data[User][email] and data[User][password], urlencoded).  It returns
 * the same error for a wrong password, an unknown e-mail and a user
 * without a password, after the same Argon2id work.
 *
 * Failures are counted per e-mail and per peer address.  An e-mail that
 * has failed LOCKOUT_ATTEMPTS times, each failure within a window of the
 * one before, is rejected until a whole window has passed since the last
 * failure, with MISP's message naming the seconds to wait.  A success
 * clears the e-mail's count.
 *
 * A successful login stores a session (api/session.c) and sets its
 * cookie: HttpOnly, SameSite=Strict, Path=/, and Secure over TLS.  The
 * body is users/view/me's plus the session's CSRF token, which the
 * X-CSRF-Token header also carries.  Logs name user ids, never a
 * password, token or cookie.
 */
#include "api/api.h"
#include "api/session.h"
#include "core/log.h"
#include "core/password.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOGIN_FAILED "Invalid username or password, try again"
#define LOGIN_DISABLED                                                         \
	"Authentication failed. Your user account has been disabled."

/* Maximum e-mail length, as MISP's users.email column. */
#define EMAIL_MAX 255

/* An Argon2id hash of a password that no account can have (it is
 * shorter than PASSWORD_MIN_LENGTH), verified for unknown e-mails so
 * that they cost the same work as a wrong password.  Its parameters are
 * those of password_hash(). */
static const char dummy_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$FCli99CKUkj9gOWgKg/mIg"
	"$z8Lwfuqe6VNEj1mHFOnuHAvbZN6FX3u5kvHkQwU0GfU";

struct credentials {
	struct buf email;
	struct buf password;
};

static void credentials_release(struct credentials *cr)
{
	sodium_memzero(cr->password.data, cr->password.len);
	buf_release(&cr->password);
	buf_release(&cr->email);
}

/* -------- request bodies -------- */

/* Decodes one urlencoded form component ('+' is a space). */
static int form_decode(const char *s, size_t len, struct buf *out)
{
	int rc = 0;

	buf_clear(out);
	for (size_t i = 0; rc == 0 && i < len; i++) {
		if (s[i] == '+') {
			rc = buf_addc(out, ' ');
		} else if (s[i] == '%') {
			unsigned char c = 0;
			size_t n = 0;

			if (i + 2 >= len ||
			    sodium_hex2bin(&c, 1, s + i + 1, 2, NULL, &n,
					   NULL) != 0 ||
			    n != 1 || c == '\0') {
				return CAIRN_EINVAL;
			}
			rc = buf_addc(out, (char)c);
			i += 2;
		} else {
			rc = buf_addc(out, s[i]);
		}
	}
	return rc < 0 ? CAIRN_ENOMEM : 0;
}

static int form_field(struct credentials *cr, const char *key,
		      const char *value, size_t len)
{
	struct buf *target = NULL;

	if (strcmp(key, "data[User][email]") == 0 ||
	    strcmp(key, "email") == 0) {
		target = &cr->email;
	} else if (strcmp(key, "data[User][password]") == 0 ||
		   strcmp(key, "password") == 0) {
		target = &cr->password;
	}
	return target ? form_decode(value, len, target) : 0;
}

/* Reads MISP's login form, "a=1&b=2" with urlencoded keys and values. */
static int parse_form(const char *body, size_t len, struct credentials *cr)
{
	struct buf key = BUF_INIT;
	const char *end = body + len;
	int rc = 0;

	while (rc == 0 && body < end) {
		const char *amp = memchr(body, '&', (size_t)(end - body));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(body, '=', (size_t)(stop - body));

		if (eq) {
			rc = form_decode(body, (size_t)(eq - body), &key);
			if (rc == 0) {
				rc = form_field(cr, buf_str(&key), eq + 1,
						(size_t)(stop - eq - 1));
			}
		}
		body = stop + 1;
	}
	buf_release(&key);
	return rc;
}

static int json_member(json_t *obj, const char *name, struct buf *out)
{
	json_t *v = json_object_get(obj, name);

	if (!v) {
		return 0;
	}
	if (!json_is_string(v)) {
		return CAIRN_EINVAL;
	}
	buf_clear(out);
	return buf_add(out, json_string_value(v), json_string_length(v)) < 0
		       ? CAIRN_ENOMEM
		       : 0;
}

static int parse_json(const char *body, size_t len, struct credentials *cr)
{
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *obj = doc;
	int rc;

	if (!json_is_object(doc)) {
		json_decref(doc);
		return CAIRN_EINVAL;
	}
	if (json_is_object(json_object_get(doc, "User"))) {
		obj = json_object_get(doc, "User");
	}
	rc = json_member(obj, "email", &cr->email);
	if (rc == 0) {
		rc = json_member(obj, "password", &cr->password);
	}
	/* jansson keeps its own copy of the password; wipe it too. */
	if (json_is_string(json_object_get(obj, "password"))) {
		json_t *p = json_object_get(obj, "password");

		sodium_memzero((void *)json_string_value(p),
			       json_string_length(p));
	}
	json_decref(doc);
	return rc;
}

static bool form_body(const struct api_ctx *c)
{
	const char *type = http_header(c->http, "Content-Type");
	const char *form = "application/x-www-form-urlencoded";

	return type && strncasecmp(type, form, strlen(form)) == 0;
}

/* Reads the credentials and sends a 400 naming what is wrong. */
static int read_credentials(struct api_ctx *c, struct credentials *cr)
{
	const char *body = c->http->body;
	size_t len = c->http->body_len;
	int rc = form_body(c) ? parse_form(body, len, cr)
			      : parse_json(body, len, cr);

	if (rc == CAIRN_EINVAL) {
		api_error(c, 400,
			  "Invalid login request: expected a JSON object with "
			  "string members email and password, or the form "
			  "fields data[User][email] and data[User][password]",
			  NULL);
	} else if (rc == 0 && (!cr->email.len || !cr->password.len)) {
		api_error(c, 400,
			  "Invalid login request: email and password are "
			  "required",
			  NULL);
		rc = CAIRN_EINVAL;
	} else if (rc == 0 && (cr->email.len > EMAIL_MAX ||
			       cr->password.len > PASSWORD_MAX_LENGTH ||
			       memchr(cr->email.data, '\0', cr->email.len))) {
		/* Over-long input cannot match, so it fails as a login does
		 * and never reaches Argon2id. */
		rc = CAIRN_EDENIED;
	} else if (rc < 0) {
		c->rs->status = 500;
	}
	return rc;
}

/* -------- lockout -------- */

/* Returns the seconds until `name` may try again, or 0 when it may now. */
static int64_t locked_for(struct api_ctx *c, enum store_login_key key,
			  const char *name, int64_t limit, int64_t now)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int64_t window = api_login_setting(&c->app->login,
					   LOGIN_LOCKOUT_WINDOW);
	int64_t count = 0, last = 0;

	if (!name || !*name) {
		return 0;
	}
	if (store_login_failures(c->store, key, name, now, window, &count,
				 &last, &e) < 0) {
		log_error("login: reading failed logins failed: %s",
			  buf_str(&e.message));
	}
	cairn_err_release(&e);
	return count >= limit ? last + window - now : 0;
}

static int send_locked(struct api_ctx *c, int64_t seconds)
{
	struct buf message = BUF_INIT;
	struct buf retry = BUF_INIT;

	buf_printf(&message,
		   "You have reached the maximum number of login attempts. "
		   "Please wait %lld seconds and try again.",
		   (long long)seconds);
	buf_printf(&retry, "%lld", (long long)seconds);
	api_error(c, 403, buf_str(&message), NULL);
	http_response_header(c->rs, "Retry-After", buf_str(&retry));
	buf_release(&message);
	buf_release(&retry);
	return 0;
}

static void count_failure(struct api_ctx *c, const char *email, int64_t now)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int64_t window = api_login_setting(&c->app->login,
					   LOGIN_LOCKOUT_WINDOW);
	int rc = store_login_failure_add(c->store, STORE_LOGIN_EMAIL, email,
					 now, window, &e);

	if (rc == 0 && c->http->peer_ip && *c->http->peer_ip) {
		rc = store_login_failure_add(c->store, STORE_LOGIN_IP,
					     c->http->peer_ip, now, window, &e);
	}
	if (rc < 0) {
		log_error("login: counting a failed login failed: %s",
			  buf_str(&e.message));
	}
	cairn_err_release(&e);
}

/* -------- audit rows -------- */

static void audit_login(struct api_ctx *c, const char *action,
			int64_t user_id, const char *email)
{
	struct store_audit_entry entry = {action, "User", user_id, email, 0,
					  NULL};
	struct store_actor actor = {
		.user_id = user_id,
		.org_id = record_int(&c->user.user, USER_ORG_ID, 0),
		.request_type = STORE_REQUEST_SESSION,
		.ip = c->http->peer_ip,
		.request_id = http_header(c->http, "X-Request-Id"),
	};
	struct cairn_err e = CAIRN_ERR_INIT;

	if (store_set_actor(c->store, &actor) < 0 ||
	    store_audit_append(c->store, &entry) < 0) {
		store_error(c->store, &e);
		log_error("login: writing the %s audit row of user %lld "
			  "failed: %s",
			  action, (long long)user_id, buf_str(&e.message));
	}
	cairn_err_release(&e);
}

/* -------- session -------- */

static void random_hex(char out[STORE_TOKEN_HEX + 1])
{
	unsigned char bytes[STORE_TOKEN_HEX / 2];

	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2hex(out, STORE_TOKEN_HEX + 1, bytes, sizeof(bytes));
	sodium_memzero(bytes, sizeof(bytes));
}

static int set_cookie(struct api_ctx *c, const char *token, int64_t max_age)
{
	struct buf cookie = BUF_INIT;
	int rc = buf_printf(&cookie,
			    SESSION_COOKIE_NAME "=%s; Path=/; Max-Age=%lld; "
					       "HttpOnly; SameSite=Strict%s",
			    token, (long long)max_age,
			    c->http->tls ? "; Secure" : "");

	if (rc == 0) {
		rc = http_response_header(c->rs, "Set-Cookie", buf_str(&cookie));
	}
	sodium_memzero(cookie.data, cookie.len);
	buf_release(&cookie);
	return rc;
}

/* Stores a new session for the loaded user and sets its cookie. */
static int start_session(struct api_ctx *c, int64_t user_id, int64_t now)
{
	const struct api_login_config *cfg = &c->app->login;
	int64_t idle = api_login_setting(cfg, LOGIN_SESSION_IDLE);
	int64_t lifetime = api_login_setting(cfg, LOGIN_SESSION_LIFETIME);
	struct cairn_err e = CAIRN_ERR_INIT;
	char token[STORE_TOKEN_HEX + 1];
	char hash[SHA256_HEX_SIZE];
	int rc;

	random_hex(token);
	random_hex(c->session.csrf_token);
	sha256_hex(token, STORE_TOKEN_HEX, hash);
	store_session_purge(c->store, now, idle, NULL, &e);
	cairn_err_clear(&e);
	rc = store_session_add(c->store, hash, user_id, c->session.csrf_token,
			       c->http->peer_ip, now, now + lifetime,
			       &c->session.id, &e);
	if (rc == 0) {
		c->session.user_id = user_id;
		c->session.created = now;
		c->session.last_seen = now;
		c->session.expires = now + lifetime;
		c->by_session = true;
		rc = set_cookie(c, token, lifetime);
	} else {
		log_error("login: saving the session of user %lld failed: %s",
			  (long long)user_id, buf_str(&e.message));
	}
	sodium_memzero(token, sizeof(token));
	cairn_err_release(&e);
	return rc;
}

static void record_login_time(struct api_ctx *c, int64_t user_id,
			      int64_t now)
{
	struct record u;

	record_init(&u, &model_user);
	record_set_int(&u, USER_LAST_LOGIN,
		       record_int(&c->user.user, USER_CURRENT_LOGIN, 0));
	record_set_int(&u, USER_CURRENT_LOGIN, now);
	if (store_update(c->store, &u, user_id) < 0) {
		log_warn("login: saving the login time of user %lld failed",
			 (long long)user_id);
	}
	record_release(&u);
}

static int emit_session(yajl_gen g, const struct store_session *s)
{
	struct buf n = BUF_INIT;
	int rc = yajl_gen_map_open(g) == yajl_gen_status_ok ? 0 : CAIRN_ENOMEM;

	rc = rc ? rc : codec_emit_key(g, "csrf_token");
	if (rc == 0 && yajl_gen_string(g, (const unsigned char *)s->csrf_token,
				       STORE_TOKEN_HEX) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	rc = rc ? rc : codec_emit_key(g, "expires");
	if (rc == 0 && (buf_printf(&n, "%lld", (long long)s->expires) < 0 ||
			yajl_gen_string(g, (const unsigned char *)n.data,
					n.len) != yajl_gen_status_ok)) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0 && yajl_gen_map_close(g) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	buf_release(&n);
	return rc;
}

/* Sends users/view/me's body for the loaded user, with the session. */
static int send_login(struct api_ctx *c)
{
	yajl_gen g = c->gen;
	int rc = yajl_gen_map_open(g) == yajl_gen_status_ok ? 0 : CAIRN_ENOMEM;

	if (rc == 0 && codec_emit_key(g, "User") == 0) {
		rc = codec_emit_record(g, &c->user.user);
	}
	if (rc == 0 && codec_emit_key(g, "Role") == 0) {
		rc = codec_emit_record(g, &c->user.role);
	}
	if (rc == 0 && codec_emit_key(g, "Organisation") == 0) {
		rc = codec_emit_record(g, &c->user.org);
	}
	if (rc == 0 && codec_emit_key(g, "Session") == 0) {
		rc = emit_session(g, &c->session);
	}
	if (rc == 0 && yajl_gen_map_close(g) != yajl_gen_status_ok) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0) {
		rc = http_response_header(c->rs, "X-CSRF-Token",
					  c->session.csrf_token);
	}
	if (rc < 0) {
		c->rs->status = 500;
	}
	return 0;
}

/* -------- handlers -------- */

/* Checks the password of `email`; *user_id is 0 for an unknown e-mail. */
static bool password_matches(struct api_ctx *c, const struct credentials *cr,
			     int64_t *user_id)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf hash = BUF_INIT;
	bool known, match;
	int rc = store_user_login_find(c->store, buf_str(&cr->email), user_id,
				       &hash, &e);

	if (rc < 0 && rc != CAIRN_ENOTFOUND) {
		log_error("login: looking up a user failed: %s",
			  buf_str(&e.message));
	}
	known = rc == 0 && hash.len > 0;
	if (rc < 0) {
		*user_id = 0;
	}
	match = password_verify(known ? buf_str(&hash) : dummy_hash,
				cr->password.data, cr->password.len);
	sodium_memzero(hash.data, hash.len);
	buf_release(&hash);
	cairn_err_release(&e);
	return known && match;
}

static int login_failed(struct api_ctx *c, const struct credentials *cr,
			int64_t user_id, int64_t now)
{
	count_failure(c, buf_str(&cr->email), now);
	if (user_id) {
		log_warn("login: wrong password for user %lld from %s",
			 (long long)user_id, c->http->peer_ip);
	} else {
		log_warn("login: unknown e-mail from %s", c->http->peer_ip);
	}
	/* An unknown e-mail is not written, in case it is a password typed
	 * into the wrong field. */
	audit_login(c, "login_fail", user_id,
		    user_id ? buf_str(&cr->email) : NULL);
	return api_error(c, 403, LOGIN_FAILED, NULL);
}

static int login_checked(struct api_ctx *c, struct credentials *cr,
			 int64_t now)
{
	int64_t limit = api_login_setting(&c->app->login,
					  LOGIN_LOCKOUT_ATTEMPTS);
	int64_t wait = locked_for(c, STORE_LOGIN_EMAIL, buf_str(&cr->email),
				  limit, now);
	int64_t user_id = 0;
	struct cairn_err e = CAIRN_ERR_INIT;

	if (wait <= 0) {
		wait = locked_for(c, STORE_LOGIN_IP, c->http->peer_ip,
				  limit * LOCKOUT_ADDRESS_FACTOR, now);
	}
	if (wait > 0) {
		log_warn("login: rejected a locked-out login from %s",
			 c->http->peer_ip);
		return send_locked(c, wait);
	}
	if (!password_matches(c, cr, &user_id)) {
		return login_failed(c, cr, user_id, now);
	}
	if (api_user_load(c, user_id) < 0) {
		log_warn("login: rejected disabled user %lld",
			 (long long)user_id);
		audit_login(c, "login_fail", user_id, buf_str(&cr->email));
		return api_error(c, 403, LOGIN_DISABLED, NULL);
	}
	store_login_failures_clear(c->store, STORE_LOGIN_EMAIL,
				   buf_str(&cr->email), &e);
	cairn_err_release(&e);
	if (start_session(c, user_id, now) < 0) {
		return api_error(c, 500, "Saving the session failed.", NULL);
	}
	record_login_time(c, user_id, now);
	audit_login(c, "login", user_id, buf_str(&cr->email));
	log_info("login: user %lld from %s (session %lld)",
		 (long long)user_id, c->http->peer_ip,
		 (long long)c->session.id);
	return send_login(c);
}

int api_user_login(struct api_ctx *c)
{
	struct credentials cr = {BUF_INIT, BUF_INIT};
	int rc = read_credentials(c, &cr);

	if (rc == CAIRN_EDENIED) {
		rc = api_error(c, 403, LOGIN_FAILED, NULL);
	} else if (rc == 0) {
		rc = login_checked(c, &cr, time_now());
	}
	credentials_release(&cr);
	return 0;
}

static int clear_cookie(struct api_ctx *c)
{
	return http_response_header(c->rs, "Set-Cookie",
				    c->http->tls
					    ? SESSION_COOKIE_NAME
					      "=; Path=/; Max-Age=0; HttpOnly; "
					      "SameSite=Strict; Secure"
					    : SESSION_COOKIE_NAME
					      "=; Path=/; Max-Age=0; HttpOnly; "
					      "SameSite=Strict");
}

/* Ends the session of the cookie, if any, and clears the cookie in every
 * case, because MISP's logout succeeds whatever the session's state. */
int api_user_logout(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	char hash[SHA256_HEX_SIZE];
	struct store_session s;
	int64_t idle = api_login_setting(&c->app->login, LOGIN_SESSION_IDLE);

	if (api_session_token_hash(c->http, hash) == 0 &&
	    store_session_find(c->store, hash, time_now(), idle, &s, &e) ==
		    0 &&
	    store_session_delete(c->store, s.id, &e) == 0) {
		store_get(c->store, &model_user, s.user_id, &c->user.user);
		audit_login(c, "logout", s.user_id,
			    record_text(&c->user.user, USER_EMAIL, NULL));
		log_info("logout: user %lld (session %lld)",
			 (long long)s.user_id, (long long)s.id);
		c->rs->user_id = s.user_id;
	}
	cairn_err_release(&e);
	clear_cookie(c);
	return api_success(c, "Good-Bye");
}
