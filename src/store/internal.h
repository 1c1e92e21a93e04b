/*
 * Declarations shared by the SQLite backend's files (sqlite.c, schema.c,
 * pool.c) and the store's unit tests.  Nothing outside src/store/ and
 * tests/unit/ includes this header.
 */
#ifndef CAIRN_STORE_INTERNAL_H
#define CAIRN_STORE_INTERNAL_H

#include "core/err.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdbool.h>

/* SQL expression of a random RFC 4122 version 4 UUID in lower case.  It
 * is the default of every uuid column, so that a row inserted without a
 * UUID still gets one, as MISP assigns one on save. */
#define STORE_UUID_V4                                                          \
	"(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2)))"       \
	" || '-4' || substr(lower(hex(randomblob(2))), 2) || '-'"             \
	" || substr('89ab', 1 + (random() & 3), 1)"                           \
	" || substr(lower(hex(randomblob(2))), 2) || '-'"                     \
	" || lower(hex(randomblob(6))))"

/* Returns the schema version that the newest migration produces. */
int schema_latest(void);

/* Registers the correlation indexes' SQL functions on `db` (see
 * store_sql_functions()), then runs each migration newer than the
 * database's PRAGMA user_version.  Each
 * runs in its own BEGIN IMMEDIATE transaction that also raises
 * user_version, so two processes opening one file never run a migration
 * twice.  *applied (may be NULL) receives the number of migrations run.
 * Fails with CAIRN_ESTORE when a migration fails or the database is newer
 * than this build. */
int schema_migrate(sqlite3 *db, int *applied, struct cairn_err *e);

/* Registers the SQL functions that the correlation indexes use
 * (sqlite_correlation.c) on `db`.  Returns an SQLite result code. */
int store_sql_functions(sqlite3 *db);

/* Returns true while `s` has a transaction open. */
bool store_in_transaction(struct store *s);

/* Statements that the backend's other files keep per connection, one
 * slot each.  Each file reserves its slots here. */
enum store_slot {
	/* sqlite_sharing.c: store_visible(), [kind * 2 + site admin] */
	STORE_SLOT_VISIBLE,
	STORE_SLOT_VISIBLE_END = STORE_SLOT_VISIBLE +
				 2 * STORE_KIND_COUNT,
	/* sqlite_sharing.c: the viewer's sharing groups */
	STORE_SLOT_VIEWER_GROUPS = STORE_SLOT_VISIBLE_END,
	STORE_SLOT_ADMIN_GROUPS,
	STORE_SLOT_SG_MEMBERS,
	STORE_SLOT_SG_SERVERS,
	STORE_SLOT_SG_MEMBER_FIND,
	STORE_SLOT_SG_SERVER_FIND,
	STORE_SLOT_SG_USAGE,
	/* sqlite_correlation.c: the reads of every correlation request */
	STORE_SLOT_EXCLUSIONS,
	STORE_SLOT_NET_PREFIXES,
	/* sqlite_counts.c: the dashboard's attribute counts */
	STORE_SLOT_COUNTS_ADD,
	STORE_SLOT_COUNTS_MOVE,
	STORE_SLOT_COUNTS_ATTRIBUTE,
	STORE_SLOT_COUNTS_OBJECT,
	STORE_SLOT_COUNTS_EVENT,
	/* sqlite_shared.c: one per statement of its table */
	STORE_SLOT_SHARED,
	STORE_SLOT_SHARED_END = STORE_SLOT_SHARED + 16,
	/* sqlite_search.c: [which search * 2 + site admin] are prepared per
	 * call, because their text depends on the filters. */
	STORE_SLOT_COUNT
};

/* Lends the cached statement of `slot`, reset and without bindings, or
 * prepares it from the text that `build` appends to `sql` (called with
 * `ctx`) and keeps it for the life of the connection.  The statement
 * stays owned by the store; the caller resets it when done. */
struct buf;
int store_slot_stmt(struct store *s, enum store_slot slot,
		    int (*build)(struct buf *sql, const void *ctx),
		    const void *ctx, sqlite3_stmt **out);

/* The same for a statement whose text is the fixed string `text`. */
int store_slot_text(struct store *s, enum store_slot slot, const char *text,
		    sqlite3_stmt **out);

/* Opens a cursor over "SELECT <the stored columns of `m`, prefixed with
 * `alias`>, <parent> FROM <rest>", prepared for this call only and bound
 * by `bind(st, ctx)`, which returns an SQLite result code.  The cursor
 * yields records of `m`, and store_cursor_parent() returns `parent`. */
int store_cursor_open_sql(struct store *s, const struct model *m,
			  const char *alias, const char *parent,
			  const char *rest,
			  int (*bind)(sqlite3_stmt *st, const void *ctx),
			  const void *ctx, struct store_cursor **out);

/* Keeps the last SQLite error of `s` as its failure and returns its
 * CAIRN_E* code (see store_error()). */
int store_fail_sqlite(struct store *s);

/* Keeps a failure with a formatted message and returns `code`. */
int store_failf(struct store *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Returns the connection of `s`, for the backend's files that keep their
 * own statements (sqlite_warninglist.c).  The store keeps ownership. */
sqlite3 *store_db(struct store *s);

/* The audit state each struct store carries (sqlite_audit.c). */
struct audit_state {
	struct store_actor actor; /* ip and request_id point into the bufs */
	struct buf ip;
	struct buf request_id;
	bool paused;
	sqlite3_stmt *insert; /* cached; store_close() finalizes it */
};

/* Returns the audit state of `s`, which `s` owns. */
struct audit_state *store_audit_state(struct store *s);

/* Frees what audit_state keeps, except the statement. */
void audit_state_release(struct audit_state *a);

/* Keep the database's last failure, or a message of ours, as the error
 * store_error() reports; both return the code. */
int store_failed_db(struct store *s);
int store_failed_code(struct store *s, int code, const char *message);

enum audit_op { AUDIT_ADD, AUDIT_EDIT, AUDIT_DELETE };

/* Returns true when changes on `s` get audit rows now. */
bool audit_enabled(struct store *s);

/* audit_begin() opens a transaction, or a savepoint inside one, when
 * audit is enabled, so that a change and its audit row commit together;
 * *opened tells audit_end() to commit it (rc 0) or roll it back.
 * audit_end() returns rc, or the commit's failure. */
int audit_begin(struct store *s, bool *opened);
int audit_end(struct store *s, bool opened, int rc);

/* Appends the audit row of a generic change of row `id` of `m`: `now` is
 * the record written (NULL for a delete) and `old` the row before (NULL
 * for an add).  Appends nothing when no audited field changed. */
int audit_record(struct store *s, enum audit_op op, const struct model *m,
		 const struct record *now, const struct record *old,
		 int64_t id);

/* Reads the local flag of a tag link before it is removed; *local stays
 * false when there is no such link. */
int audit_tag_local(struct store *s, enum store_target t, int64_t target_id,
		    int64_t tag_id, bool *local);

/* Appends the audit row of a tag attached to (attach) or detached from an
 * event or attribute. */
int audit_tag(struct store *s, bool attach, enum store_target t,
	      int64_t target_id, int64_t tag_id, bool local,
	      const char *relationship_type);

/* Appends the audit row of a galaxy cluster attached to an event or
 * attribute. */
int audit_cluster(struct store *s, enum store_target t, int64_t target_id,
		  int64_t cluster_id, bool local);

/* -------- the dashboard's attribute counts (sqlite_counts.c) -------- */

/* The key columns of attribute_counts (schema migration 11). */
#define STORE_COUNTS_KEY                                                       \
	"e_org_id, e_published, e_distribution, e_sharing_group_id,"           \
	" a_distribution, a_sharing_group_id, o_distribution,"                  \
	" o_sharing_group_id, type, category, day"

/* The counts' state per connection: the changes of the open
 * transaction not yet written to attribute_counts, and the marks of its
 * savepoints.  A struct store owns one; counts_release() frees it. */
struct counts_entry;

/* A change of a transaction that the shared values recheck at commit
 * (sqlite_shared.c). */
struct shared_event_note {
	int64_t event_id;
	int64_t scan_from; /* first attribute id to scan; 0 none */
	bool whole;	   /* recheck every value of the event */
};
struct shared_pair_note {
	int64_t event_id;
	char *value;
};
struct shared_notes {
	struct shared_event_note *events;
	size_t len, cap;
	struct shared_pair_note *pairs;
	size_t pairs_len, pairs_cap;
};

struct counts_state {
	struct counts_entry *pending;
	size_t len, cap;
	int64_t *fresh; /* events inserted by the open transaction */
	size_t fresh_len, fresh_cap;
	size_t *marks; /* [depth]: len and fresh_len when it opened */
	size_t marks_cap;
	int64_t object_id; /* the last object read, its event and class */
	int64_t object_event_id;
	int64_t object_distribution, object_sharing_group_id;
	bool object_live;
	struct shared_notes shared;
};

/* Returns the counts state of `s`, which `s` owns. */
struct counts_state *store_counts_state(struct store *s);
void counts_release(struct counts_state *c);

/* Transaction hooks, called by store_begin(), store_commit() and
 * store_rollback() with the depth that opens, closes or rolls back.
 * counts_commit() writes the pending changes before the COMMIT (depth
 * 1) and counts_committed() discards them after it succeeded. */
int counts_begin(struct store *s, int depth);
int counts_commit(struct store *s, int depth);
void counts_committed(struct store *s);
void counts_rollback(struct store *s, int depth);

/* Returns the open store_begin() levels of `s`. */
int store_depth(struct store *s);

/* Write hooks of the generic row operations on attributes, objects and
 * events: counts_before() runs before the statement and counts_after()
 * after it succeeded, with the record written (NULL for a delete) and
 * the row id.  *moved tells counts_after() to count again what
 * counts_before() took out. */
int counts_before(struct store *s, const struct model *m,
		  const struct record *r, int64_t id, bool *moved);
int counts_after(struct store *s, const struct model *m,
		 const struct record *r, int64_t id, bool moved);

/* Notes an inserted attribute or event row `id` of record `r`. */
int counts_inserted(struct store *s, const struct record *r, int64_t id);

/* The shared values' notes: an event whose class changed, the first
 * attribute an event gained, one value of an event.
 * shared_flush() rechecks what was noted, before the COMMIT;
 * shared_forget() drops the notes after it or after a rollback. */
int shared_note_event(struct store *s, int64_t event_id);
int shared_note_inserted(struct store *s, int64_t event_id,
			 int64_t attribute_id);
int shared_note_value(struct store *s, int64_t event_id, const char *value);
/* Notes each value with a row of event `event_id` (of its object
 * `object_id` when not 0), before the event or object is removed. */
int shared_note_removal(struct store *s, int64_t event_id, int64_t object_id);
int shared_flush(struct store *s);
void shared_forget(struct shared_notes *sn);
void shared_release(struct shared_notes *sn);

/* The key columns of shared_counts (schema migration 11). */
#define STORE_SHARED_KEY                                                       \
	"value, type, e_org_id, e_published, e_distribution,"                 \
	" e_sharing_group_id, a_distribution, a_sharing_group_id,"            \
	" o_distribution, o_sharing_group_id"

/* Takes the attributes of event `event_id` out of the counts, before
 * store_event_clear() removes them. */
int counts_event_clear(struct store *s, int64_t event_id);

#endif
