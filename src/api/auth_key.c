/*
 * API key authentication.  A key is looked up by the hex SHA-256 of its
 * text through the unique index on auth_keys.hash, so the lookup costs one
 * index probe and never compares the key itself.  The stored digest is
 * then compared again with sodium_memcmp().  After the lookup come the
 * checks of expiry, source address, disabled user and perm_auth.
 */
#include "api/auth.h"
#include "core/cidr.h"
#include "core/log.h"
#include "core/util.h"
#include "model/misp.h"
#include "store/identity.h"

#include <sodium.h>
#include <string.h>

static bool key_shaped(const char *key, size_t len)
{
	if (len != API_KEY_LENGTH) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = key[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9'))) {
			return false;
		}
	}
	return true;
}

/* Looks up one candidate key; returns 0 with the key's ids when it is a
 * stored key. */
static int lookup_key(struct api_ctx *c, const char *key, size_t len,
		      int64_t *key_id, int64_t *user_id)
{
	char hash[SHA256_HEX_SIZE];
	struct buf stored = BUF_INIT;
	int rc;

	sha256_hex(key, len, hash);
	rc = store_authkey_lookup(c->store, hash, key_id, user_id, &stored);
	if (rc == 0 &&
	    (stored.len != SHA256_HEX_SIZE - 1 ||
	     sodium_memcmp(buf_str(&stored), hash, SHA256_HEX_SIZE - 1) != 0)) {
		rc = CAIRN_ENOTFOUND;
	}
	sodium_memzero(hash, sizeof(hash));
	buf_release(&stored);
	return rc;
}

/* Finds the first stored key in a header value, which may list several
 * keys separated by commas, with spaces around them. */
static int find_key(struct api_ctx *c, const char *value, int64_t *key_id,
		    int64_t *user_id)
{
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
		if (key_shaped(key, len) &&
		    lookup_key(c, key, len, key_id, user_id) == 0) {
			return 0;
		}
		value = end ? end + 1 : NULL;
	}
	return CAIRN_EDENIED;
}

/* Returns true when the peer address lies in one of the key's ranges, or
 * the key has no ranges.  Ranges were checked on write; one that no longer
 * parses matches nothing. */
static bool address_allowed(const struct api_ctx *c, const char *allowed)
{
	json_t *list = allowed ? json_loads(allowed, 0, NULL) : NULL;
	json_t *item;
	size_t i;
	bool ok = false;

	if (!json_is_array(list) || json_array_size(list) == 0) {
		json_decref(list);
		return true;
	}
	json_array_foreach(list, i, item)
	{
		struct cidr range;

		if (json_is_string(item) &&
		    cidr_parse(json_string_value(item), &range) == 0 &&
		    cidr_contains(&range, c->http->peer)) {
			ok = true;
			break;
		}
	}
	json_decref(list);
	return ok;
}

/* Clears every perm_ flag but perm_auth and perm_audit. */
static void keep_read_permissions(struct record *role)
{
	for (size_t i = 0; i < model_role.nfields; i++) {
		const char *name = model_role.fields[i].name;

		if (strncmp(name, "perm_", 5) == 0 &&
		    strcmp(name, "perm_auth") != 0 &&
		    strcmp(name, "perm_audit") != 0) {
			record_set_int(role, (int)i, 0);
		}
	}
}

static int check_key(struct api_ctx *c, int64_t key_id, const char **message)
{
	struct record key;
	int64_t expiration;
	int rc;

	record_init(&key, &model_authkey);
	rc = store_get(c->store, &model_authkey, key_id, &key);
	if (rc < 0) {
		record_release(&key);
		*message = AUTH_FAILED;
		return CAIRN_EDENIED;
	}
	expiration = record_int(&key, AUTHKEY_EXPIRATION, 0);
	c->key_read_only = record_int(&key, AUTHKEY_READ_ONLY, 0) != 0;
	if (expiration != 0 && expiration <= time_now()) {
		*message = AUTH_EXPIRED;
		rc = CAIRN_EDENIED;
	} else if (!address_allowed(
		       c, record_text(&key, AUTHKEY_ALLOWED_IPS, NULL))) {
		*message = AUTH_WRONG_ADDRESS;
		rc = CAIRN_EDENIED;
	}
	if (rc < 0) {
		log_msg(LOG_INFO, "API key %lld of user %lld rejected: %s",
			(long long)key_id,
			(long long)record_int(&key, AUTHKEY_USER_ID, 0),
			*message);
	}
	record_release(&key);
	return rc;
}

/* Loads the key's user as api_user_load() does for sessions, and then
 * applies the key rules: a user needs perm_auth to use API keys, and a
 * read-only key keeps only the reading permissions. */
static int load_user(struct api_ctx *c, int64_t user_id, const char **message)
{
	int rc = api_user_load(c, user_id);

	*message = rc < 0 && record_int(&c->user.user, USER_DISABLED, 0)
			   ? AUTH_DISABLED
			   : AUTH_FAILED;
	if (rc < 0 || !record_int(&c->user.role, ROLE_PERM_AUTH, 0)) {
		return CAIRN_EDENIED;
	}
	if (c->key_read_only) {
		keep_read_permissions(&c->user.role);
	}
	return 0;
}

/* TODO: users.last_api_access is not updated, because a write per read
 * request would take the database's write lock; MISP throttles it. */
int api_auth_key(struct api_ctx *c, const char **message)
{
	const char *header = http_header(c->http, "Authorization");
	int64_t key_id, user_id;
	int rc;

	if (!header || !*header) {
		header = http_header(c->http, "X-MISP-AUTH");
	}
	*message = AUTH_FAILED;
	if (find_key(c, header, &key_id, &user_id) < 0) {
		return CAIRN_EDENIED;
	}
	rc = check_key(c, key_id, message);
	if (rc == 0) {
		rc = load_user(c, user_id, message);
	}
	return rc;
}

int api_allowed_ips_check(const json_t *list, struct cairn_err *e)
{
	const json_t *item;
	size_t i;

	if (!json_is_array(list)) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid allowed_ips: expected a list of "
				     "CIDR ranges such as [\"192.0.2.0/24\", "
				     "\"2001:db8::/32\"]");
	}
	json_array_foreach(list, i, item)
	{
		struct cidr range;

		if (!json_is_string(item) ||
		    cidr_parse(json_string_value(item), &range) < 0) {
			cairn_err_set(e, CAIRN_EINVAL,
				      "invalid allowed_ips entry %zu: expected "
				      "an IPv4 or IPv6 address or CIDR range "
				      "such as 192.0.2.0/24",
				      i);
			return buf_adds(&e->field, "allowed_ips") < 0
				   ? CAIRN_ENOMEM
				   : CAIRN_EINVAL;
		}
	}
	return 0;
}

int api_auth_key_create(struct store *s, int64_t user_id,
			char raw[API_KEY_LENGTH + 1], int64_t *id)
{
	char hash[SHA256_HEX_SIZE], start[5], end[5];

	api_key_generate(raw);
	sha256_hex(raw, API_KEY_LENGTH, hash);
	memcpy(start, raw, 4);
	start[4] = '\0';
	memcpy(end, raw + API_KEY_LENGTH - 4, 5);
	return store_authkey_add(s, user_id, hash, start, end, id);
}
