/*
 * The store's functions for users, organisations, roles and API keys
 * beyond the generic row operations of store.h.  The SQLite backend
 * implements them in sqlite_identity.c.
 */
#ifndef CAIRN_STORE_IDENTITY_H
#define CAIRN_STORE_IDENTITY_H

#include "store/store.h"

/* Finds the API key whose hash (hex SHA-256 of the key) is `hash_hex`,
 * expired or not, through the unique index on auth_keys.hash.  *key_id
 * and *user_id receive the row; `stored` receives the stored hash so that
 * the caller can compare it in constant time.  CAIRN_ENOTFOUND when no
 * key has that hash. */
int store_authkey_lookup(struct store *s, const char *hash_hex, int64_t *key_id,
			 int64_t *user_id, struct buf *stored);

/* Lists of row ids, in id order, each passed to `fn`; a negative return
 * of `fn` stops the walk and is returned. */
enum store_id_list {
	STORE_LIST_ORGS,          /* every organisation */
	STORE_LIST_ORGS_LOCAL,    /* organisations with local = 1 */
	STORE_LIST_ORGS_EXTERNAL, /* organisations with local = 0 */
	STORE_LIST_USERS,         /* users; org_id 0 for every organisation */
	STORE_LIST_AUTHKEYS,      /* keys; org_id and user_id 0 for any */
};

/* `search` (may be NULL) keeps rows where one text column contains it
 * without regard to ASCII case: an organisation's name, uuid,
 * description, type, nationality or sector, a user's e-mail. */
int store_list_ids(struct store *s, enum store_id_list list, int64_t org_id,
		   int64_t user_id, const char *search,
		   int (*fn)(void *ctx, int64_t id), void *ctx);

/* Records and reads the user who created an event (events.user_id). */
int store_event_creator_set(struct store *s, int64_t event_id, int64_t user_id);
int store_event_creator(struct store *s, int64_t event_id, int64_t *user_id);

/* Makes `role_id` the only role with default_role set.  CAIRN_ENOTFOUND
 * when there is no such role. */
int store_role_set_default(struct store *s, int64_t role_id);

/* Returns the id of the default role through *role_id, or
 * CAIRN_ENOTFOUND when no role is the default. */
int store_role_default(struct store *s, int64_t *role_id);

/* Sets whether store_tag_ensure() on this connection may insert a tag
 * that does not exist (the default) or fails with CAIRN_EDENIED.  The API
 * turns it off for the requests of users without perm_tag_editor, and on
 * again before the connection goes back to the pool. */
void store_tag_creation_set(struct store *s, bool allowed);

#endif
