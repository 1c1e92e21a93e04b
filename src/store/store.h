/*
 * The storage interface.  No code outside src/store/ uses SQL or a backend.
 *
 * A struct store is one database connection, used by one thread at a time.
 * The server keeps a pool of them, one per worker thread.  Rows are read
 * and written as records (model/record.h): the backend derives its column
 * lists from each model's field table, and binds every value as a
 * parameter.  The schema is created and upgraded by numbered migrations
 * that store_open() runs, each in its own transaction.
 *
 * Every function returns 0 (or 1 where documented) on success and a
 * negative CAIRN_E* code on failure; CAIRN_ESTORE carries the database's
 * message in `e` where an `e` is taken.  A UNIQUE violation returns
 * CAIRN_EEXIST, and any other constraint (a parent row that does not
 * exist, a required column left unset) returns CAIRN_EINVAL.
 */
#ifndef CAIRN_STORE_H
#define CAIRN_STORE_H

#include "core/buf.h"
#include "core/err.h"
#include "model/record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_cursor;
struct store_pool;

/* The reader of a query.  Every query that returns rows to a user takes
 * one, and adds the visibility conditions of store/visibility.h to its SQL
 * (none for a site admin).  store_viewer_load() fills the sharing groups;
 * store_viewer_release() frees them. */
struct correlate_config;

struct store_viewer {
	int64_t org_id;
	int64_t user_id;
	bool site_admin;
	int64_t *sharing_groups; /* ids the org may see, ascending; owned */
	size_t nsharing_groups;
	char *sharing_group_list; /* the same ids as a JSON array; owned */
	/* The server's correlation settings for this reader's lookups
	 * (correlate/correlate.h), or NULL for the defaults.  Not owned. */
	const struct correlate_config *correlation;
};

#define STORE_VIEWER_INIT                                                      \
	{                                                                      \
		0, 0, false, NULL, 0, NULL                                     \
	}

/* A site-admin viewer for the reads of the server itself (import, the
 * CLI), which are not made on behalf of a user. */
extern const struct store_viewer store_viewer_system;

/* Kinds of row a tag or galaxy cluster is attached to. */
enum store_target { STORE_EVENT, STORE_ATTRIBUTE };

/* Opens (creating when missing) the SQLite database at `path`, switches it
 * to WAL mode and runs pending migrations.  The caller owns *out and closes
 * it with store_close(). */
int store_open(struct store **out, const char *path, struct cairn_err *e);
void store_close(struct store *s);

/* Turns reading the file through the memory map off (`mapped` false) or
 * back on.  A scan through the map keeps every page it touches in the
 * process's resident set until the map goes, so a whole-table export
 * reads with pread() instead and its peak RSS stays at the page cache's
 * 16 MiB.  Call it with no statement of `s` running. */
int store_set_mapped(struct store *s, bool mapped);

/* Returns the schema version after migrations, read from the database
 * (so a failure means the database is unreachable), or a negative
 * code. */
int store_schema_version(struct store *s);

/* Returns the schema version that this build's newest migration makes. */
int store_schema_latest(void);

/* Transactions.  store_begin() takes the write lock at once (BEGIN
 * IMMEDIATE) so that a transaction never fails half-way on a busy
 * database.  A store_begin() inside an open transaction opens a savepoint
 * instead, which the matching store_commit() releases and store_rollback()
 * undoes alone, so a batch of events can share one commit while each event
 * stays all or nothing.  store_rollback() returns 0 when no transaction is
 * open. */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* Copies the message of the last failure into `e`, with that failure's
 * code (CAIRN_ESTORE, or CAIRN_EEXIST, CAIRN_EINVAL or CAIRN_ENOTFOUND for
 * the failures that have one), and returns the code. */
int store_error(struct store *s, struct cairn_err *e);

/* Generic row operations on the model's table.
 *
 * store_insert() writes every field not flagged F_LINK or F_NOSTORE; unset
 * fields take the column default.  The id field is written only when set
 * (fixed ids such as the default roles), and *id receives the row id.
 * store_update() writes only the fields that are set, except the id.
 * store_get() fills `out`, which must be initialised for `m`; the record
 * owns its strings.  Returns CAIRN_ENOTFOUND when no row has that id.
 * store_find() looks a row up by one column, which must be a column of the
 * model's table (it is checked against the field table); *id receives the
 * first match, or the call returns CAIRN_ENOTFOUND.
 * store_delete() removes the row and everything that hangs off it.
 * These read and write without a viewer, so a caller that acts for a
 * user checks store_visible() first. */
int store_insert(struct store *s, const struct record *r, int64_t *id);
int store_update(struct store *s, const struct record *r, int64_t id);
int store_get(struct store *s, const struct model *m, int64_t id,
	      struct record *out);
int store_find(struct store *s, const struct model *m, const char *column,
	       const char *value, int64_t *id);
int store_delete(struct store *s, const struct model *m, int64_t id);

/* Returns the number of rows of `m` whose `column` equals `value`, through
 * *count.  `column` is checked as in store_find(). */
int store_count(struct store *s, const struct model *m, const char *column,
		int64_t value, int64_t *count);

/* Finds the organisation with this UUID (or, when `uuid` is NULL or not
 * found, this name) and returns its id, inserting a non-local organisation
 * when there is none.  Inserting takes a non-empty `name`, else the call
 * returns CAIRN_EINVAL; a NULL `uuid` inserts a random one.  Names are
 * unique without regard to ASCII case. */
int store_org_ensure(struct store *s, const char *uuid, const char *name,
		     int64_t *id);

/* Finds the tag with tag->name, inserting it from `tag` when missing, and
 * returns its id.  An existing tag is not changed.  Names match without
 * regard to ASCII case, as MISP's do. */
int store_tag_ensure(struct store *s, const struct record *tag, int64_t *id);

/* Attaches a tag to an event or attribute.  Attaching a tag that is
 * already attached returns 0 and changes nothing.  `relationship_type`
 * may be NULL.  Returns CAIRN_ENOTFOUND when the target does not exist and
 * CAIRN_EINVAL when the tag does not. */
int store_tag_link(struct store *s, enum store_target t, int64_t target_id,
		   int64_t tag_id, bool local, const char *relationship_type);

/* Attaches a tag to an attribute of `event_id`, like store_tag_link()
 * but with one single-row statement, which needs no statement journal;
 * the importer calls it for every attribute tag.  A missing attribute
 * fails its foreign key with CAIRN_EINVAL. */
int store_attribute_tag_link(struct store *s, int64_t attribute_id,
			     int64_t event_id, int64_t tag_id, bool local,
			     const char *relationship_type);

/* Detaches a tag; CAIRN_ENOTFOUND when it was not attached. */
int store_tag_unlink(struct store *s, enum store_target t, int64_t target_id,
		     int64_t tag_id);

/* Stores a galaxy cluster by its UUID, replacing the kept JSON of an
 * existing one, and returns its id.  `galaxy_json` is the cluster's galaxy
 * without its cluster list, `cluster_json` the cluster itself, both as
 * compact JSON text. */
int store_cluster_ensure(struct store *s, const struct record *cluster,
			 const char *galaxy_json, const char *cluster_json,
			 int64_t *id);

/* Attaches a stored cluster to an event or attribute (idempotent), with
 * the same errors as store_tag_link(). */
int store_cluster_link(struct store *s, enum store_target t,
		       int64_t target_id, int64_t cluster_id, bool local);

/* Removes every attribute, object, reference, tag link, cluster link,
 * sighting, proposal and report of an event, keeping the event row, so
 * that a newer copy of the event can replace its content.  Sets the
 * event's attribute_count to 0.  All or nothing, inside a transaction or
 * without one; CAIRN_ENOTFOUND when the event does not exist. */
int store_event_clear(struct store *s, int64_t event_id);

/* Recomputes the event's attribute_count from its live attributes. */
int store_event_refresh_count(struct store *s, int64_t event_id);

/* Finds a live attribute outside objects of the event with this type,
 * category and value; *id receives it, else CAIRN_ENOTFOUND. */
int store_attribute_duplicate(struct store *s, int64_t event_id,
			      const char *type, const char *category,
			      const char *value, int64_t *id);

/* API keys are stored as the hex SHA-256 of the key, with only the first
 * and last four characters kept in clear.  store_authkey_find() skips a
 * key whose expiration (unix seconds, 0 for never) has passed, and returns
 * CAIRN_ENOTFOUND for it as for an unknown key. */
int store_authkey_add(struct store *s, int64_t user_id, const char *hash_hex,
		      const char *key_start, const char *key_end,
		      int64_t *id);
int store_authkey_find(struct store *s, const char *hash_hex,
		       int64_t *user_id);

/* Passwords live in a column outside model_user, as Argon2id strings
 * (core/password.h).  store_user_password_set() replaces the user's hash
 * and ends the user's web sessions.  store_user_login_find() finds the
 * user with this e-mail (compared without case) and copies its hash,
 * empty when the user has none, into `hash`.  Both return
 * CAIRN_ENOTFOUND for no such user. */
int store_user_password_set(struct store *s, int64_t user_id,
			    const char *hash, struct cairn_err *e);
int store_user_login_find(struct store *s, const char *email,
			  int64_t *user_id, struct buf *hash,
			  struct cairn_err *e);

/* -------- audit log -------- */

/* The channel of a change, stored as MISP's AuditLog request_type. */
enum store_request_type {
	STORE_REQUEST_SESSION = 0, /* a web session, or no request at all */
	STORE_REQUEST_API = 1,     /* a request authenticated by an API key */
	STORE_REQUEST_CLI = 2,     /* a cairn command */
};

/* The user, organisation and address behind a connection's changes.
 * store_set_actor() copies its strings. */
struct store_actor {
	int64_t user_id;    /* 0 for none, which MISP shows as SYSTEM */
	int64_t org_id;
	int64_t authkey_id; /* 0 when no API key was used */
	enum store_request_type request_type;
	const char *ip;         /* peer address, or NULL */
	const char *request_id; /* the X-Request-Id header, or NULL */
};

/* Sets the actor written into the audit rows of every later change on
 * `s`, until the next call; NULL resets it to none.  The pool resets it
 * when a connection is put back. */
int store_set_actor(struct store *s, const struct store_actor *a);

/* Pauses or resumes the audit rows of store_insert(), store_update(),
 * store_delete() and the tag link functions.  The importer pauses them
 * and appends one row per event itself. */
void store_audit_pause(struct store *s, bool paused);

/* One audit row that a caller appends itself.  `change` is a JSON object
 * as text, or NULL, and must hold no secret; `event_id` 0 is stored as
 * NULL. */
struct store_audit_entry {
	const char *action; /* "add", "edit", "delete", "login", "import", ... */
	const char *model;  /* MISP's model name: "Event", "User", ... */
	int64_t model_id;
	const char *model_title; /* or NULL */
	int64_t event_id;
	const char *change;
};

/* Appends a row with the connection's actor and the current time, in the
 * caller's transaction if one is open.  Appends even while paused. */
int store_audit_append(struct store *s, const struct store_audit_entry *a);

/* Filters of store_audit_query(); NULL or 0 members do not filter.  The
 * pointer members let user 0 and org 0 (SYSTEM) be filtered on. */
struct store_audit_filter {
	const char *model;
	const char *action;
	const char *ip;
	const char *request_id;
	const char *model_title; /* matches anywhere in the title */
	const int64_t *model_id;
	const int64_t *user_id;
	const int64_t *org_id;
	const int64_t *event_id;
	const int64_t *authkey_id;
	const int64_t *request_type;
	int64_t created_from; /* unix seconds, inclusive; 0 for no bound */
	int64_t created_to;   /* unix seconds, inclusive; 0 for no bound */
	int64_t limit;        /* rows; 0 for no limit */
	int64_t offset;
};

/* One row of store_audit_query(), newest first.  Strings are NULL where
 * the column is NULL and stay valid until the next call on the cursor. */
struct store_audit_row {
	int64_t id;
	int64_t created;
	int64_t user_id;
	int64_t org_id;
	int64_t authkey_id; /* 0 for NULL */
	int64_t request_type;
	int64_t model_id;
	int64_t event_id;   /* 0 for NULL */
	const char *ip;
	const char *request_id;
	const char *action;
	const char *model;
	const char *model_title;
	const char *change;
	const char *user_email; /* NULL when the user no longer exists */
	int64_t user_org_id;
	const char *org_name;   /* NULL when the organisation does not exist */
	const char *org_uuid;
};

struct store_audit_cursor;

int store_audit_query(struct store *s, const struct store_audit_filter *f,
		      struct store_audit_cursor **out, struct cairn_err *e);
/* Returns 1 for a row, 0 at the end, or a negative code. */
int store_audit_next(struct store_audit_cursor *c, struct store_audit_row *row,
		     struct cairn_err *e);
void store_audit_close(struct store_audit_cursor *c);

/* -------- web sessions and failed logins -------- */

/* Hex digits of a session's CSRF token, and of a session token's hash. */
#define STORE_TOKEN_HEX 64

struct store_session {
	int64_t id;
	int64_t user_id;
	int64_t created;   /* unix seconds */
	int64_t last_seen; /* unix seconds */
	int64_t expires;   /* unix seconds: the absolute end */
	char csrf_token[STORE_TOKEN_HEX + 1];
};

/* Stores a session: `token_hash` is the hex SHA-256 of the cookie's token
 * and `csrf_token` STORE_TOKEN_HEX hex digits; `ip` may be NULL.  Starts
 * at `now` and ends at `expires` at the latest.  *id receives its id. */
int store_session_add(struct store *s, const char *token_hash,
		      int64_t user_id, const char *csrf_token, const char *ip,
		      int64_t now, int64_t expires, int64_t *id,
		      struct cairn_err *e);

/* Finds the session with this token hash that is alive at `now`: before
 * its absolute end, and seen less than `idle` seconds ago.  A session past
 * either limit is deleted, and the call returns CAIRN_ENOTFOUND for it as
 * for an unknown token.  A live session's last_seen becomes `now` when it
 * is older than a tenth of `idle` or a minute, whichever is less, so a
 * session may end up to that much before `idle` has passed. */
int store_session_find(struct store *s, const char *token_hash, int64_t now,
		       int64_t idle, struct store_session *out,
		       struct cairn_err *e);

/* Deletes one session; CAIRN_ENOTFOUND when it does not exist. */
int store_session_delete(struct store *s, int64_t id, struct cairn_err *e);

/* Deletes every session past its absolute end or idle since `idle`
 * seconds before `now`, and returns the number deleted through *count
 * (may be NULL). */
int store_session_purge(struct store *s, int64_t now, int64_t idle,
			int64_t *count, struct cairn_err *e);

/* The key that failed logins are counted under: an e-mail or an address. */
enum store_login_key { STORE_LOGIN_EMAIL = 0, STORE_LOGIN_IP = 1 };

/* Reads the failures counted for `name` (an e-mail, compared without
 * case, or a peer address): *count is 0 when the last failure came
 * `window` seconds or more before `now`, and *last receives that last
 * failure's time (0 for none). */
int store_login_failures(struct store *s, enum store_login_key key,
			 const char *name, int64_t now, int64_t window,
			 int64_t *count, int64_t *last, struct cairn_err *e);

/* Counts a failure at `now`.  A count whose last failure is `window`
 * seconds or more before `now` starts again at 1. */
int store_login_failure_add(struct store *s, enum store_login_key key,
			    const char *name, int64_t now, int64_t window,
			    struct cairn_err *e);

/* Forgets the failures of `name`. */
int store_login_failures_clear(struct store *s, enum store_login_key key,
			       const char *name, struct cairn_err *e);

/* The enabled state of warninglists, kept by list name.
 * store_warninglist_state_each() calls `fn` once per stored row and stops
 * at the first negative return of `fn`, which it then returns.
 * store_warninglist_state_set() inserts or replaces the row of `name`.
 * Both fill `e` with the database's message on CAIRN_ESTORE. */
int store_warninglist_state_each(struct store *s,
				 int (*fn)(void *ctx, const char *name,
					   bool enabled),
				 void *ctx, struct cairn_err *e);
int store_warninglist_state_set(struct store *s, const char *name,
				bool enabled, struct cairn_err *e);

/* The enabled state of taxonomies, kept by namespace (compared without
 * case), with the same contract as the warninglist state above. */
int store_taxonomy_state_each(struct store *s,
			      int (*fn)(void *ctx, const char *namespace_name,
					bool enabled),
			      void *ctx, struct cairn_err *e);
int store_taxonomy_state_set(struct store *s, const char *namespace_name,
			     bool enabled, struct cairn_err *e);

/* Gives each of `count` library items of `kind` ("taxonomy", "galaxy",
 * "cluster") its stored id, keyed by `keys[i]`, and stores a new id, one
 * above the largest of the kind, for each key seen for the first time.
 * ids[i] receives the id of keys[i]; a key repeated in `keys` gets one
 * id.  All in one transaction. */
int store_library_ids(struct store *s, const char *kind,
		      const char *const *keys, size_t count, int64_t *ids,
		      struct cairn_err *e);

/* Row queries.  Each yields records of one model, in the order given.
 * "Parent" is the id that store_cursor_parent() returns for each row, so
 * that a reader can merge the rows into the right attribute or object.
 *
 * An event's attributes are read outside objects first, by id, then in
 * objects, by object id and then id.  The per-event queries whose parent
 * is an attribute return their rows in that same attribute order, and by
 * link or row id within one attribute, so that a reader can merge them
 * while it streams the attributes.  Unless STORE_WITH_DELETED is given,
 * the per-event queries leave out soft-deleted rows and every row of a
 * left-out object or attribute. */
enum store_query {
	Q_EVENT_INDEX,              /* events, by id; arg unused */
	Q_EVENT_ATTRIBUTES,         /* attributes outside objects, by id */
	Q_EVENT_OBJECTS,            /* objects of the event, by id */
	Q_EVENT_OBJECT_ATTRIBUTES,  /* attributes in objects; parent object */
	Q_EVENT_REFERENCES,         /* by object id, id; parent object id */
	Q_EVENT_TAGS,               /* tags with link fields, by link id */
	Q_EVENT_ATTRIBUTE_TAGS,     /* tags of attributes; parent attribute */
	Q_EVENT_CLUSTERS,           /* clusters; see store_cursor_json() */
	Q_EVENT_ATTRIBUTE_CLUSTERS, /* parent attribute */
	Q_EVENT_SIGHTINGS,          /* parent attribute */
	Q_EVENT_SHADOWS,            /* proposals; parent attribute (old_id);
				     * proposed new attributes (0) first */
	Q_EVENT_REPORTS,            /* event reports, by id */
	Q_ATTRIBUTE_TAGS,           /* tags of one attribute; arg its id;
				     * this and the next four by id, with
				     * the argument as parent */
	Q_ATTRIBUTE_CLUSTERS,       /* clusters of one attribute */
	Q_ATTRIBUTE_SIGHTINGS,      /* sightings of one attribute */
	Q_OBJECT_ATTRIBUTES,        /* attributes of one object; arg its id */
	Q_OBJECT_REFERENCES,        /* references of one object */
	Q_TAG_INDEX,                /* all tags, by name */
	Q_ROLE_INDEX,               /* all roles, by id */
};

enum store_query_flag {
	STORE_WITH_DELETED = 1 << 0, /* include soft-deleted rows */
};

/* Opens a cursor over query `q` with argument `arg` (an event, attribute
 * or object id, as the query defines), yielding only the rows that viewer
 * `v` may see.  The caller closes it. */
int store_query(struct store *s, const struct store_viewer *v,
		enum store_query q, int64_t arg, unsigned flags,
		struct store_cursor **out);

/* Reads the next row into `r`, which it initialises (so a record that
 * owns strings must be released first).  Returns 1 for a row, 0 at the
 * end, or a negative code.  Strings in `r` stay valid until the next call
 * on the cursor or its close. */
int store_cursor_next(struct store_cursor *c, struct record *r);

/* Returns the parent id of the current row (see enum store_query), or 0. */
int64_t store_cursor_parent(const struct store_cursor *c);

/* For cluster queries: the current row's kept JSON text, galaxy (which=0)
 * or cluster (which=1).  Valid as the record's strings are. */
const char *store_cursor_json(const struct store_cursor *c, int which);

void store_cursor_close(struct store_cursor *c);

/* Correlation lookups on the value index (see correlate/correlate.h for
 * the rules that use them).  Every query yields only attributes that may
 * correlate: not soft-deleted, not in a soft-deleted object, and with
 * disable_correlation off on the attribute and on its event.  The type
 * rules are left to the caller.
 *
 * STORE_MATCH_VALUE and STORE_MATCH_PREFIX read one range of the index
 * attributes_value each, in that index's order (by value, then event);
 * STORE_MATCH_SECOND reads attributes_second and STORE_MATCH_NET one
 * range of attributes_net (see schema.c's migration 8). */
enum store_match_query {
	STORE_MATCH_EVENT,     /* the attributes of event `id`, by value */
	STORE_MATCH_ATTRIBUTE, /* attribute `id`, when it may correlate */
	STORE_MATCH_VALUE,     /* attributes whose value equals `key` */
	STORE_MATCH_PREFIX,    /* attributes whose value starts with `key`
				* followed by "|" */
	STORE_MATCH_SECOND,    /* composite attributes whose correlating
				* second half equals `key` */
	STORE_MATCH_NET,       /* attributes whose network key lies from the
				* first to the last 17 bytes of `key` (34
				* bytes, model/correlation.h) */
	STORE_MATCH_SSDEEP,    /* ssdeep attributes whose block size is the
				* number `key` (decimal text) */
	STORE_MATCH_TYPE,      /* attributes of type `key` */
	STORE_MATCH_COUNT
};

/* One row of a match cursor.  The strings stay valid until the next call
 * on the cursor or its close. */
struct store_match {
	int64_t attribute_id;
	int64_t event_id;
	const char *type;
	const char *value;
	const char *event_date; /* YYYY-MM-DD */
	const char *event_info;
	int64_t event_orgc_id;
};

struct store_match_cursor;

/* Opens a cursor over query `q`, with only the rows that viewer `v` may
 * see, so that a correlation never names an invisible event or attribute
 * and never counts one towards the over-correlation limit.  `id` is used by the
 * first two queries, and `key` (`key_len` bytes, not necessarily
 * NUL-terminated) by the others.  The caller closes the cursor. */
int store_match_open(struct store *s, const struct store_viewer *v,
		     enum store_match_query q, int64_t id, const char *key,
		     size_t key_len, struct store_match_cursor **out);

/* Reads the next row into `m`.  Returns 1 for a row, 0 at the end, or a
 * negative code. */
int store_match_next(struct store_match_cursor *c, struct store_match *m);

void store_match_close(struct store_match_cursor *c);

/* -------- correlation extras (sqlite_correlation.c) -------- */

/* Fills `out` (room for 129) with the distinct prefix lengths below 128
 * of the stored CIDR blocks (network keys, model/correlation.h), in
 * increasing order, and sets *n.  Deleted and invisible attributes are
 * counted too, because the lengths only pick which containing blocks to
 * look up. */
int store_net_prefixes(struct store *s, uint8_t *out, size_t *n);

/* Calls `fn` for each value that more than `min_count` attributes have,
 * as a whole value or as the correlating second half of a composite
 * one, with the number of those attributes (deleted and invisible ones
 * included).  A value found both ways is passed twice, once with each
 * count. */
int store_frequent_values(struct store *s, int64_t min_count,
			  int (*fn)(void *ctx, const char *value, size_t len,
				    int64_t count),
			  void *ctx);

/* A correlation exclusion, as MISP's CorrelationExclusion.  The strings
 * are owned by the record (store_exclusion_release()). */
struct store_exclusion {
	int64_t id;
	char *value; /* "%" matches any run of characters */
	char *comment;
	bool from_json;
};

void store_exclusion_release(struct store_exclusion *x);
void store_exclusions_free(struct store_exclusion *list, size_t n);

/* Reads every exclusion, by value, into *out (free with
 * store_exclusions_free()). */
int store_exclusion_list(struct store *s, struct store_exclusion **out,
			 size_t *n);

/* Reads exclusion `id`; CAIRN_ENOTFOUND when there is none. */
int store_exclusion_get(struct store *s, int64_t id,
			struct store_exclusion *out);

/* Adds an exclusion and sets *id.  CAIRN_EEXIST when the value is
 * excluded already. */
int store_exclusion_add(struct store *s, const char *value,
			const char *comment, bool from_json, int64_t *id);

/* Replaces the value and comment of exclusion `id`; CAIRN_ENOTFOUND when
 * there is none, CAIRN_EEXIST when another one has the value. */
int store_exclusion_update(struct store *s, int64_t id, const char *value,
			   const char *comment);

/* Deletes exclusion `id`; CAIRN_ENOTFOUND when there is none. */
int store_exclusion_delete(struct store *s, int64_t id);

/* -------- visibility and sharing groups (sqlite_sharing.c) -------- */

/* Fills `out` (STORE_VIEWER_INIT or released) for a user of `org_id`,
 * with the sharing groups that organisation may see: those it owns, those
 * it is a member of, and those whose server-0 row has all_orgs set when
 * the organisation is local.  A site admin gets every sharing group. */
int store_viewer_load(struct store *s, int64_t user_id, int64_t org_id,
		      bool site_admin, struct store_viewer *out);
void store_viewer_release(struct store_viewer *v);

/* Returns true when sharing group `id` is one the viewer may see, and so
 * may use as the sharing group of distribution 4. */
bool store_viewer_has_group(const struct store_viewer *v, int64_t id);

/* Rows whose visibility store_visible() checks. */
enum store_kind {
	STORE_KIND_EVENT,
	STORE_KIND_ATTRIBUTE,
	STORE_KIND_OBJECT,
	STORE_KIND_REPORT,
	STORE_KIND_REFERENCE,
	STORE_KIND_SHARING_GROUP,
	STORE_KIND_TAG,
	STORE_KIND_COUNT
};

/* Returns 0 when row `id` of kind `k` exists and viewer `v` may see it,
 * else CAIRN_ENOTFOUND, so that an invisible row is indistinguishable
 * from a missing one. */
int store_visible(struct store *s, const struct store_viewer *v,
		  enum store_kind k, int64_t id);

/* A member organisation of a sharing group, with the organisation's
 * name, uuid and local flag. */
struct store_sg_member {
	int64_t id; /* the sharing_group_orgs row */
	int64_t sharing_group_id;
	int64_t org_id;
	bool extend;
	const char *org_name;
	const char *org_uuid;
	bool org_local;
};

/* A server row of a sharing group; server_id 0 is this instance. */
struct store_sg_server {
	int64_t id; /* the sharing_group_servers row */
	int64_t sharing_group_id;
	int64_t server_id;
	bool all_orgs;
};

/* Call `fn` once per member organisation (by row id) or server row of
 * sharing group `sg_id`, stopping at the first negative return of `fn`,
 * which they return.  The strings are valid during the call only. */
int store_sg_members_each(struct store *s, int64_t sg_id,
			  int (*fn)(void *ctx, const struct store_sg_member *m),
			  void *ctx);
int store_sg_servers_each(struct store *s, int64_t sg_id,
			  int (*fn)(void *ctx, const struct store_sg_server *m),
			  void *ctx);

/* Finds the member row of `org_id` (or the server row of `server_id`) in
 * sharing group `sg_id`; *row_id receives its id, *extend or *all_orgs
 * its flag (either may be NULL).  CAIRN_ENOTFOUND when there is none. */
int store_sg_member_find(struct store *s, int64_t sg_id, int64_t org_id,
			 int64_t *row_id, bool *extend);
int store_sg_server_find(struct store *s, int64_t sg_id, int64_t server_id,
			 int64_t *row_id, bool *all_orgs);

/* Counts the events, attributes, objects and reports that use sharing
 * group `sg_id`, through *count. */
int store_sg_usage(struct store *s, int64_t sg_id, int64_t *count);

/* -------- searches (sqlite_search.c, store/search.h) -------- */

#include "store/search.h"

/* Online backup and restore of a whole database file.
 *
 * store_backup() copies the database at `db_path` into `file` while other
 * connections may write to it.  The copy is one read snapshot, taken when
 * the backup starts, so it contains exactly the transactions committed
 * before then.  Writers go on meanwhile (WAL mode), and the copy is made
 * in steps of STORE_BACKUP_PAGES pages.  It is written beside `file`,
 * synced, then renamed over it, so `file` is never a partial copy.
 *
 * store_restore() checks that `file` is a Cairn database: it has a
 * schema version, none newer than this build, and PRAGMA integrity_check
 * returns "ok".  It then copies the file beside `db_path` and syncs it,
 * folds the current database's WAL back in, removes the stale -wal and
 * -shm files and renames the copy over `db_path`.  It then opens the result once, which runs the
 * migrations an older backup needs; *from_version receives the backup's
 * schema version.  The caller makes sure no other process uses
 * `db_path`. */
#define STORE_BACKUP_PAGES 256
int store_backup(const char *db_path, const char *file, struct cairn_err *e);
int store_restore(const char *file, const char *db_path, int *from_version,
		  struct cairn_err *e);

/* A fixed set of connections shared by worker threads.  store_pool_get()
 * blocks until a connection is free; every get is paired with a put.  A
 * connection put back inside a transaction has it rolled back. */
int store_pool_new(struct store_pool **out, const char *path, int size,
		   struct cairn_err *e);
struct store *store_pool_get(struct store_pool *p);
void store_pool_put(struct store_pool *p, struct store *s);
void store_pool_free(struct store_pool *p);

/* Lends a connection of the pool's database outside the fixed set, for a
 * streamed response that reads after its handler has returned, without
 * waiting for one.  The caller pairs every get with
 * store_pool_put_stream(). */
int store_pool_get_stream(struct store_pool *p, struct store **out,
			  struct cairn_err *e);
void store_pool_put_stream(struct store_pool *p, struct store *s);

/* Makes every statement on the pool's connections fail with CAIRN_ESTORE
 * from now on, within a thousand SQLite VM steps.  SQLite rolls back the
 * transaction of a write statement that fails so.  The server calls it at
 * shutdown, so that a long request ends at once instead of delaying the
 * exit.  Safe to call from any thread, and it cannot be undone. */
void store_pool_abort(struct store_pool *p);

#endif
