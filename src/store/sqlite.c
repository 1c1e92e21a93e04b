/*
 * The SQLite backend of store.h.
 *
 * A struct store is one connection with its cache of prepared statements.
 * Every statement is built once per connection, the first time it is
 * needed: generic row statements from the model's field table, the rest
 * from the fixed texts and the query table below.  Column and table names
 * come only from those static tables, and every value is bound as a
 * parameter, so no input ever becomes SQL text.
 *
 * Inserts and updates write only the fields a record has set, so their
 * column list depends on the record.  Each model keeps a few statements
 * keyed by the bit mask of the fields written.  Because an import's
 * records mostly set the same fields, it binds and steps one cached
 * statement per row and allocates nothing.
 *
 * Failures keep the database's message in the store (see store_error()):
 * a UNIQUE violation is CAIRN_EEXIST, any other constraint (a missing
 * parent row, a missing required column) is CAIRN_EINVAL, and everything
 * else is CAIRN_ESTORE.
 */
#include "store/internal.h"
#include "store/visibility.h"

#include "core/buf.h"
#include "model/correlation.h"
#include "model/misp.h"
#include "model/sharing.h"

#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Milliseconds a statement waits for another connection's write lock. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* Page cache per connection: 16 MiB, in SQLite's negative (KiB) form.
 * The attribute indexes of a large import outgrow SQLite's 2 MiB
 * default. */
#define STORE_CACHE_PRAGMA "PRAGMA cache_size = -16384;" STORE_MMAP_PRAGMA

/* Reads through a memory map of up to 1 GiB of the file: a page outside
 * the page cache then costs a memory access instead of a pread() and a
 * copy, and the connections of the pool share the operating system's
 * cache of it.  It reserves address space, not memory.  Measured with
 * bench/correlate (docs/benchmarks.md). */
#define STORE_MMAP_PRAGMA "PRAGMA mmap_size = 1073741824;"

/* Insert and update statements kept per model, one per set of fields. */
#define MASK_SLOTS 8

/* Models that have a table, in the order of struct store's models[]. */
static const struct model *const store_models[] = {
	&model_org,    &model_event,   &model_attribute, &model_object,
	&model_reference, &model_tag,  &model_sighting,  &model_report,
	&model_shadow, &model_cluster, &model_role,      &model_user,
	&model_organisation, &model_authkey,
	&model_sharing_group, &model_sharing_group_org,
	&model_sharing_group_server,
};

#define MODEL_COUNT (sizeof(store_models) / sizeof(store_models[0]))

enum fixed_stmt {
	FIX_BEGIN,
	FIX_COMMIT,
	FIX_ROLLBACK,
	FIX_SAVEPOINT,
	FIX_RELEASE,
	FIX_ROLLBACK_TO,
	FIX_USER_VERSION,
	FIX_ORG_BY_UUID,
	FIX_ORG_BY_NAME,
	FIX_ORG_INSERT,
	FIX_TAG_BY_NAME,
	FIX_EVENT_EXISTS,
	FIX_ATTRIBUTE_EXISTS,
	FIX_EVENT_TAG_LINK,
	FIX_ATTRIBUTE_TAG_LINK,
	FIX_ATTRIBUTE_TAG_LINK_VALUES,
	FIX_EVENT_TAG_UNLINK,
	FIX_ATTRIBUTE_TAG_UNLINK,
	FIX_EVENT_CLUSTER_LINK,
	FIX_ATTRIBUTE_CLUSTER_LINK,
	FIX_CLEAR_SAVEPOINT,
	FIX_CLEAR_RELEASE,
	FIX_CLEAR_ROLLBACK,
	FIX_CLEAR_COUNT,
	FIX_CLEAR_REFERENCES,
	FIX_CLEAR_EVENT_TAGS,
	FIX_CLEAR_ATTRIBUTE_TAGS,
	FIX_CLEAR_EVENT_CLUSTERS,
	FIX_CLEAR_ATTRIBUTE_CLUSTERS,
	FIX_CLEAR_SIGHTINGS,
	FIX_CLEAR_SHADOWS,
	FIX_CLEAR_REPORTS,
	FIX_CLEAR_ATTRIBUTES,
	FIX_CLEAR_OBJECTS,
	FIX_REFRESH_COUNT,
	FIX_ATTRIBUTE_DUPLICATE,
	FIX_AUTHKEY_ADD,
	FIX_AUTHKEY_FIND,
	FIXED_COUNT
};

/* The link statements select the target row, so that linking to a
 * missing event or attribute inserts nothing instead of failing. */
static const char *const fixed_sql[FIXED_COUNT] = {
	[FIX_BEGIN] = "BEGIN IMMEDIATE",
	[FIX_COMMIT] = "COMMIT",
	[FIX_ROLLBACK] = "ROLLBACK",
	[FIX_SAVEPOINT] = "SAVEPOINT nested",
	[FIX_RELEASE] = "RELEASE nested",
	[FIX_ROLLBACK_TO] = "ROLLBACK TO nested",
	[FIX_USER_VERSION] = "PRAGMA user_version",
	[FIX_ORG_BY_UUID] = "SELECT id FROM orgs WHERE uuid = ?1",
	[FIX_ORG_BY_NAME] = "SELECT id FROM orgs WHERE name = ?1",
	[FIX_ORG_INSERT] = "INSERT INTO orgs (name, uuid, local)"
			   " VALUES (?1, coalesce(?2, " STORE_UUID_V4 "), 0)",
	[FIX_TAG_BY_NAME] = "SELECT id FROM tags WHERE name = ?1",
	[FIX_EVENT_EXISTS] = "SELECT id FROM events WHERE id = ?1",
	[FIX_ATTRIBUTE_EXISTS] = "SELECT id FROM attributes WHERE id = ?1",
	[FIX_EVENT_TAG_LINK] =
		"INSERT INTO event_tags"
		" (event_id, tag_id, local, relationship_type)"
		" SELECT id, ?2, ?3, ?4 FROM events WHERE id = ?1"
		" ON CONFLICT (event_id, tag_id) DO NOTHING",
	[FIX_ATTRIBUTE_TAG_LINK] =
		"INSERT INTO attribute_tags"
		" (attribute_id, event_id, tag_id, local, relationship_type)"
		" SELECT id, event_id, ?2, ?3, ?4 FROM attributes WHERE id = ?1"
		" ON CONFLICT (attribute_id, tag_id) DO NOTHING",
	[FIX_ATTRIBUTE_TAG_LINK_VALUES] =
		"INSERT INTO attribute_tags"
		" (attribute_id, event_id, tag_id, local, relationship_type)"
		" VALUES (?1, ?5, ?2, ?3, ?4)"
		" ON CONFLICT (attribute_id, tag_id) DO NOTHING",
	[FIX_EVENT_TAG_UNLINK] =
		"DELETE FROM event_tags WHERE event_id = ?1 AND tag_id = ?2",
	[FIX_ATTRIBUTE_TAG_UNLINK] = "DELETE FROM attribute_tags"
				     " WHERE attribute_id = ?1 AND tag_id = ?2",
	[FIX_EVENT_CLUSTER_LINK] =
		"INSERT INTO event_clusters (event_id, cluster_id, local)"
		" SELECT id, ?2, ?3 FROM events WHERE id = ?1"
		" ON CONFLICT (event_id, cluster_id) DO NOTHING",
	[FIX_ATTRIBUTE_CLUSTER_LINK] =
		"INSERT INTO attribute_clusters"
		" (attribute_id, event_id, cluster_id, local)"
		" SELECT id, event_id, ?2, ?3 FROM attributes WHERE id = ?1"
		" ON CONFLICT (attribute_id, cluster_id) DO NOTHING",
	[FIX_CLEAR_SAVEPOINT] = "SAVEPOINT event_clear",
	[FIX_CLEAR_RELEASE] = "RELEASE event_clear",
	[FIX_CLEAR_ROLLBACK] = "ROLLBACK TO event_clear",
	[FIX_CLEAR_COUNT] =
		"UPDATE events SET attribute_count = 0 WHERE id = ?1",
	[FIX_CLEAR_REFERENCES] =
		"DELETE FROM object_references WHERE event_id = ?1",
	[FIX_CLEAR_EVENT_TAGS] = "DELETE FROM event_tags WHERE event_id = ?1",
	[FIX_CLEAR_ATTRIBUTE_TAGS] =
		"DELETE FROM attribute_tags WHERE event_id = ?1",
	[FIX_CLEAR_EVENT_CLUSTERS] =
		"DELETE FROM event_clusters WHERE event_id = ?1",
	[FIX_CLEAR_ATTRIBUTE_CLUSTERS] =
		"DELETE FROM attribute_clusters WHERE event_id = ?1",
	[FIX_CLEAR_SIGHTINGS] = "DELETE FROM sightings WHERE event_id = ?1",
	[FIX_CLEAR_SHADOWS] =
		"DELETE FROM shadow_attributes WHERE event_id = ?1",
	[FIX_CLEAR_REPORTS] = "DELETE FROM event_reports WHERE event_id = ?1",
	[FIX_CLEAR_ATTRIBUTES] = "DELETE FROM attributes WHERE event_id = ?1",
	[FIX_CLEAR_OBJECTS] = "DELETE FROM objects WHERE event_id = ?1",
	[FIX_REFRESH_COUNT] =
		"UPDATE events SET attribute_count = (SELECT count(*)"
		" FROM attributes WHERE event_id = ?1 AND deleted = 0)"
		" WHERE id = ?1",
	/* The unary + keeps the planner on attributes_value, because the
	 * event's range of attributes_event can be the whole event. */
	[FIX_ATTRIBUTE_DUPLICATE] =
		"SELECT id FROM attributes WHERE value = ?4"
		" AND +event_id = ?1 AND +object_id = 0 AND type = ?2"
		" AND category = ?3 AND deleted = 0 ORDER BY id LIMIT 1",
	[FIX_AUTHKEY_ADD] =
		"INSERT INTO auth_keys (user_id, hash, key_start, key_end,"
		" created) VALUES (?1, ?2, ?3, ?4, ?5)",
	[FIX_AUTHKEY_FIND] = "SELECT user_id FROM auth_keys WHERE hash = ?1"
			     " AND (expiration = 0 OR expiration > ?2)",
};

/* What store_event_clear() runs after zeroing the count, children first
 * so that the cascades of the last two find little left to remove. */
static const enum fixed_stmt clear_steps[] = {
	FIX_CLEAR_REFERENCES,	  FIX_CLEAR_EVENT_TAGS,
	FIX_CLEAR_ATTRIBUTE_TAGS, FIX_CLEAR_EVENT_CLUSTERS,
	FIX_CLEAR_ATTRIBUTE_CLUSTERS, FIX_CLEAR_SIGHTINGS,
	FIX_CLEAR_SHADOWS,	  FIX_CLEAR_REPORTS,
	FIX_CLEAR_ATTRIBUTES,	  FIX_CLEAR_OBJECTS,
};

/* Rows of a soft-deleted attribute, or of an attribute in a soft-deleted
 * object, are left out of the per-event child queries, so that children
 * never name a parent that the attribute queries left out. */
#define ATTRIBUTE_JOIN                                                         \
	" JOIN attributes a ON a.id = l.attribute_id"                          \
	" LEFT JOIN objects o ON o.id = a.object_id"
#define ATTRIBUTE_LIVE "a.deleted = 0 AND coalesce(o.deleted, 0) = 0"

/* Children of attributes follow the order in which an event's attributes
 * are read: outside objects by id (object_id 0), then object by object. */
#define ATTRIBUTE_ORDER "a.object_id, a.id, l.id"

struct query_def {
	const struct model *model;
	const char *alias;  /* alias of the model's table in `from` */
	const char *link;   /* alias of the link row with F_LINK fields */
	const char *parent; /* expression of the parent id, or NULL */
	bool json;          /* selects c.galaxy_json and c.cluster_json */
	const char *from;   /* FROM and WHERE clauses; ?1 is the argument */
	const char *live;   /* condition that hides soft-deleted rows */
	const char *order;  /* ORDER BY list */
};

static const struct query_def query_defs[] = {
	[Q_EVENT_INDEX] = {&model_event, "e", NULL, NULL, false, "events e",
			   NULL, "e.id"},
	[Q_EVENT_ATTRIBUTES] = {&model_attribute, "a", NULL, NULL, false,
				"attributes a WHERE a.event_id = ?1"
				" AND a.object_id = 0",
				"a.deleted = 0", "a.id"},
	[Q_EVENT_OBJECTS] = {&model_object, "o", NULL, NULL, false,
			     "objects o WHERE o.event_id = ?1",
			     "o.deleted = 0", "o.id"},
	[Q_EVENT_OBJECT_ATTRIBUTES] = {&model_attribute, "a", NULL,
				       "a.object_id", false,
				       "attributes a"
				       " JOIN objects o ON o.id = a.object_id"
				       " WHERE a.event_id = ?1"
				       " AND a.object_id > 0",
				       "a.deleted = 0 AND o.deleted = 0",
				       "a.object_id, a.id"},
	[Q_EVENT_REFERENCES] = {&model_reference, "r", NULL, "r.object_id",
				false,
				"object_references r"
				" JOIN objects o ON o.id = r.object_id"
				" WHERE r.event_id = ?1",
				"r.deleted = 0 AND o.deleted = 0",
				"r.object_id, r.id"},
	[Q_EVENT_TAGS] = {&model_tag, "t", "l", NULL, false,
			  "event_tags l JOIN tags t ON t.id = l.tag_id"
			  " WHERE l.event_id = ?1",
			  NULL, "l.id"},
	[Q_EVENT_ATTRIBUTE_TAGS] = {&model_tag, "t", "l", "l.attribute_id",
				    false,
				    "attribute_tags l"
				    " JOIN tags t ON t.id = l.tag_id"
				    ATTRIBUTE_JOIN " WHERE l.event_id = ?1",
				    ATTRIBUTE_LIVE, ATTRIBUTE_ORDER},
	[Q_EVENT_CLUSTERS] = {&model_cluster, "c", "l", NULL, true,
			      "event_clusters l"
			      " JOIN galaxy_clusters c ON c.id = l.cluster_id"
			      " WHERE l.event_id = ?1",
			      NULL, "l.id"},
	[Q_EVENT_ATTRIBUTE_CLUSTERS] = {&model_cluster, "c", "l",
					"l.attribute_id", true,
					"attribute_clusters l"
					" JOIN galaxy_clusters c"
					" ON c.id = l.cluster_id"
					ATTRIBUTE_JOIN
					" WHERE l.event_id = ?1",
					ATTRIBUTE_LIVE, ATTRIBUTE_ORDER},
	[Q_EVENT_SIGHTINGS] = {&model_sighting, "l", NULL, "l.attribute_id",
			       false,
			       "sightings l" ATTRIBUTE_JOIN
			       " WHERE l.event_id = ?1",
			       ATTRIBUTE_LIVE, ATTRIBUTE_ORDER},
	/* A proposal to add an attribute has old_id 0 and no attribute. */
	[Q_EVENT_SHADOWS] = {&model_shadow, "p", NULL, "p.old_id", false,
			     "shadow_attributes p"
			     " LEFT JOIN attributes a ON a.id = p.old_id"
			     " LEFT JOIN objects o ON o.id = a.object_id"
			     " WHERE p.event_id = ?1",
			     "p.deleted = 0 AND coalesce(a.deleted, 0) = 0"
			     " AND coalesce(o.deleted, 0) = 0",
			     "coalesce(a.object_id, 0), p.old_id, p.id"},
	[Q_EVENT_REPORTS] = {&model_report, "r", NULL, NULL, false,
			     "event_reports r WHERE r.event_id = ?1",
			     "r.deleted = 0", "r.id"},
	[Q_ATTRIBUTE_TAGS] = {&model_tag, "t", "l", "l.attribute_id", false,
			      "attribute_tags l JOIN tags t ON t.id = l.tag_id"
			      " WHERE l.attribute_id = ?1",
			      NULL, "l.id"},
	[Q_ATTRIBUTE_CLUSTERS] = {&model_cluster, "c", "l", "l.attribute_id",
				  true,
				  "attribute_clusters l"
				  " JOIN galaxy_clusters c"
				  " ON c.id = l.cluster_id"
				  " WHERE l.attribute_id = ?1",
				  NULL, "l.id"},
	[Q_ATTRIBUTE_SIGHTINGS] = {&model_sighting, "l", NULL,
				   "l.attribute_id", false,
				   "sightings l WHERE l.attribute_id = ?1",
				   NULL, "l.id"},
	/* The event id turns the lookup into one range of attributes_event. */
	[Q_OBJECT_ATTRIBUTES] = {&model_attribute, "a", NULL, "a.object_id",
				 false,
				 "attributes a WHERE a.event_id ="
				 " (SELECT event_id FROM objects WHERE id = ?1)"
				 " AND a.object_id = ?1",
				 "a.deleted = 0", "a.id"},
	[Q_OBJECT_REFERENCES] = {&model_reference, "r", NULL, "r.object_id",
				 false,
				 "object_references r WHERE r.object_id = ?1",
				 "r.deleted = 0", "r.id"},
	[Q_TAG_INDEX] = {&model_tag, "t", NULL, NULL, false, "tags t", NULL,
			 "t.name"},
	[Q_ROLE_INDEX] = {&model_role, "r", NULL, NULL, false, "roles r", NULL,
			  "r.id"},
};

#define QUERY_COUNT (sizeof(query_defs) / sizeof(query_defs[0]))

_Static_assert(QUERY_COUNT == Q_ROLE_INDEX + 1,
	       "every store_query needs a row in query_defs");

/* The visibility conditions of each query (store/visibility.h).  The
 * aliases are those of query_defs; "o" is LEFT JOINed where it is
 * nullable. */
static const struct visibility_spec query_vis[][VISIBILITY_MAX_SPECS] = {
	[Q_EVENT_INDEX] = {{VIS_EVENT, "e", NULL}},
	[Q_EVENT_ATTRIBUTES] = {{VIS_ROW, "a", "a.event_id"}},
	[Q_EVENT_OBJECTS] = {{VIS_ROW, "o", "o.event_id"}},
	[Q_EVENT_OBJECT_ATTRIBUTES] = {{VIS_ROW, "a", "a.event_id"},
				       {VIS_ROW, "o", "o.event_id"}},
	[Q_EVENT_REFERENCES] = {{VIS_ROW, "o", "o.event_id"}},
	[Q_EVENT_TAGS] = {{VIS_EVENT_ID, "l.event_id", NULL},
			  {VIS_TAG, "t", NULL}},
	[Q_EVENT_ATTRIBUTE_TAGS] = {{VIS_ROW, "a", "a.event_id"},
				    {VIS_ROW_NULLABLE, "o", "a.event_id"},
				    {VIS_TAG, "t", NULL}},
	[Q_EVENT_CLUSTERS] = {{VIS_EVENT_ID, "l.event_id", NULL}},
	[Q_EVENT_ATTRIBUTE_CLUSTERS] = {{VIS_ROW, "a", "a.event_id"},
					{VIS_ROW_NULLABLE, "o", "a.event_id"}},
	[Q_EVENT_SIGHTINGS] = {{VIS_ROW, "a", "a.event_id"},
			       {VIS_ROW_NULLABLE, "o", "a.event_id"},
			       {VIS_SIGHTING, "l", NULL}},
	[Q_EVENT_SHADOWS] = {{VIS_EVENT_ID, "p.event_id", NULL},
			     {VIS_ROW_NULLABLE, "a", "p.event_id"},
			     {VIS_ROW_NULLABLE, "o", "p.event_id"},
			     {VIS_PROPOSAL, "p", NULL}},
	[Q_EVENT_REPORTS] = {{VIS_ROW, "r", "r.event_id"}},
	[Q_ATTRIBUTE_TAGS] = {{VIS_ATTRIBUTE_ID, "l.attribute_id", NULL},
			      {VIS_TAG, "t", NULL}},
	[Q_ATTRIBUTE_CLUSTERS] = {{VIS_ATTRIBUTE_ID, "l.attribute_id", NULL}},
	[Q_ATTRIBUTE_SIGHTINGS] = {{VIS_ATTRIBUTE_ID, "l.attribute_id", NULL},
				   {VIS_SIGHTING, "l", NULL}},
	[Q_OBJECT_ATTRIBUTES] = {{VIS_ROW, "a", "a.event_id"},
				 {VIS_OBJECT_ID, "a.object_id", NULL}},
	[Q_OBJECT_REFERENCES] = {{VIS_OBJECT_ID, "r.object_id", NULL}},
	[Q_TAG_INDEX] = {{VIS_TAG, "t", NULL}},
	[Q_ROLE_INDEX] = {{VIS_END, NULL, NULL}},
};

_Static_assert(sizeof(query_vis) / sizeof(query_vis[0]) == QUERY_COUNT,
	       "every store_query needs a row in query_vis");

enum mask_op { OP_INSERT, OP_UPDATE, OP_UPSERT };

struct mask_stmt {
	uint64_t mask; /* bit i set: field i is a parameter */
	sqlite3_stmt *stmt;
};

struct mask_cache {
	struct mask_stmt slot[MASK_SLOTS];
	unsigned next; /* slot that the next miss replaces when all are used */
};

struct model_stmts {
	sqlite3_stmt *get;
	sqlite3_stmt *remove;
	sqlite3_stmt *find[RECORD_MAX_FIELDS];
	sqlite3_stmt *count[RECORD_MAX_FIELDS];
	struct mask_cache insert;
	struct mask_cache update;
};

/* A query's cached statement, lent to at most one open cursor. */
struct query_stmt {
	sqlite3_stmt *stmt;
	bool busy;
};

/* Tag ids by name, kept only while this connection holds the write lock,
 * so that no other connection can change tags under it. */
#define TAG_CACHE_SIZE 256

struct tag_cache_entry {
	char *name; /* owned; NULL when the slot is empty */
	int64_t id;
};

struct store {
	sqlite3 *db;
	struct tag_cache_entry tag_cache[TAG_CACHE_SIZE];
	int depth; /* open store_begin() levels; above 1 they are savepoints */
	int code;           /* CAIRN_E* code of the last failure */
	struct buf message; /* message of the last failure */
	sqlite3_stmt *fixed[FIXED_COUNT];
	struct model_stmts models[MODEL_COUNT];
	struct mask_cache cluster_upsert;
	/* [q][with deleted][site admin] */
	struct query_stmt queries[QUERY_COUNT][2][2];
	/* correlation, [q][site admin] */
	struct query_stmt matches[STORE_MATCH_COUNT][2];
	sqlite3_stmt *slots[STORE_SLOT_COUNT]; /* see store_slot_stmt() */
	bool tags_fixed; /* store_tag_ensure() may not insert tags */
	struct audit_state audit; /* sqlite_audit.c */
	struct counts_state counts; /* sqlite_counts.c */
};

static void tag_cache_clear(struct store *s)
{
	for (size_t i = 0; i < TAG_CACHE_SIZE; i++) {
		free(s->tag_cache[i].name);
		s->tag_cache[i].name = NULL;
	}
}

struct store_cursor {
	struct store *s;
	const struct query_def *def;
	struct query_def own_def; /* the def of a store_cursor_open_sql() */
	sqlite3_stmt *stmt;
	struct query_stmt *cached; /* slot to hand back, or NULL if owned */
	int parent_col;
	int json_col;
	bool row; /* a row is current */
	bool done;
};

/* SQL text under construction; `rc` keeps the first append failure. */
struct sql {
	struct buf text;
	int rc;
};

/* -------- errors -------- */

static int store_keep(struct store *s, int code, const char *message)
{
	s->code = code;
	buf_clear(&s->message);
	buf_adds(&s->message, message);
	return code;
}

/* Maps a failed SQLite call to a CAIRN_E* code and keeps its message. */
static int store_fail(struct store *s)
{
	int rc = sqlite3_extended_errcode(s->db);
	int code = CAIRN_ESTORE;

	if (rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		code = CAIRN_EEXIST;
	} else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		code = CAIRN_EINVAL;
	} else if (rc == SQLITE_NOMEM) {
		code = CAIRN_ENOMEM;
	}
	return store_keep(s, code, sqlite3_errmsg(s->db));
}

int store_fail_sqlite(struct store *s)
{
	return store_fail(s);
}

__attribute__((format(printf, 3, 4))) int
store_failf(struct store *s, int code, const char *fmt, ...)
{
	va_list ap;

	s->code = code;
	buf_clear(&s->message);
	va_start(ap, fmt);
	buf_vprintf(&s->message, fmt, ap);
	va_end(ap);
	return code;
}

int store_failed_db(struct store *s)
{
	return store_fail(s);
}

int store_failed_code(struct store *s, int code, const char *message)
{
	return store_keep(s, code, message);
}

int store_error(struct store *s, struct cairn_err *e)
{
	int code = s->code ? s->code : CAIRN_ESTORE;

	if (s->message.len == 0) {
		return cairn_err_set(e, code, "database error");
	}
	return cairn_err_set(e, code, "%s", buf_str(&s->message));
}

/* -------- statements -------- */

static void sql_add(struct sql *q, const char *s)
{
	if (q->rc == 0 && buf_adds(&q->text, s) < 0) {
		q->rc = CAIRN_ENOMEM;
	}
}

static void sql_param(struct sql *q, int n)
{
	if (q->rc == 0 && buf_printf(&q->text, "?%d", n) < 0) {
		q->rc = CAIRN_ENOMEM;
	}
}

/* Prepares the finished text of `q`, which it releases, to be kept for
 * the life of the connection. */
static int sql_prepare(struct store *s, struct sql *q, bool keep,
		       sqlite3_stmt **out)
{
	int rc = q->rc;

	*out = NULL;
	if (rc == 0 &&
	    sqlite3_prepare_v3(s->db, buf_str(&q->text), (int)q->text.len + 1,
			       keep ? SQLITE_PREPARE_PERSISTENT : 0, out,
			       NULL) != SQLITE_OK) {
		rc = store_fail(s);
	} else if (rc < 0) {
		rc = store_failf(s, rc, "out of memory building a statement");
	}
	buf_release(&q->text);
	return rc;
}

static int fixed_stmt(struct store *s, enum fixed_stmt f, sqlite3_stmt **out)
{
	struct sql q = {BUF_INIT, 0};
	int rc;

	if (s->fixed[f]) {
		*out = s->fixed[f];
		return 0;
	}
	sql_add(&q, fixed_sql[f]);
	rc = sql_prepare(s, &q, true, &s->fixed[f]);
	*out = s->fixed[f];
	return rc;
}

/* Steps a statement that returns no row, or whose rows are not needed,
 * and resets it. */
static int stmt_run(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int ret = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ret = store_fail(s);
	}
	sqlite3_reset(st);
	return ret;
}

/* Steps `st`, reads column 0 of its first row into *out and resets `st`.
 * Returns 1 for a row, 0 for none, or a negative code. */
static int stmt_int64(struct store *s, sqlite3_stmt *st, int64_t *out)
{
	int rc = sqlite3_step(st);
	int ret = 0;

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = store_fail(s);
	}
	sqlite3_reset(st);
	return ret;
}

static int bind_check(struct store *s, int rc)
{
	return rc == SQLITE_OK ? 0 : store_fail(s);
}

static int bind_text(struct store *s, sqlite3_stmt *st, int param,
		     const char *text)
{
	int rc;

	if (!text) {
		return bind_check(s, sqlite3_bind_null(st, param));
	}
	rc = sqlite3_bind_text(st, param, text, -1, SQLITE_STATIC);
	return bind_check(s, rc);
}

/* Runs a fixed statement whose parameters are ?1 = id and, when `extra` is
 * not NULL, ?2 = *extra, and returns through *changes the rows it
 * changed. */
static int fixed_run_id(struct store *s, enum fixed_stmt f, int64_t id,
			const int64_t *extra, int64_t *changes)
{
	sqlite3_stmt *st;
	int rc = fixed_stmt(s, f, &st);

	if (rc < 0) {
		return rc;
	}
	rc = bind_check(s, sqlite3_bind_int64(st, 1, id));
	if (rc == 0 && extra) {
		rc = bind_check(s, sqlite3_bind_int64(st, 2, *extra));
	}
	if (rc == 0) {
		rc = stmt_run(s, st);
	}
	if (rc == 0 && changes) {
		*changes = sqlite3_changes64(s->db);
	}
	return rc;
}

/* Looks up one id by one text parameter.  Returns 1 when found, 0 when
 * not, or a negative code. */
static int fixed_lookup(struct store *s, enum fixed_stmt f, const char *text,
			int64_t *id)
{
	sqlite3_stmt *st;
	int rc = fixed_stmt(s, f, &st);

	if (rc < 0) {
		return rc;
	}
	rc = bind_text(s, st, 1, text);
	if (rc < 0) {
		return rc;
	}
	return stmt_int64(s, st, id);
}

/* -------- records and field tables -------- */

static bool field_is_integer(enum field_kind kind)
{
	return kind == FIELD_ID || kind == FIELD_INT || kind == FIELD_NUM ||
	       kind == FIELD_BOOL || kind == FIELD_TIME;
}

/* Returns true when the field is a column of the rows read or written.
 * F_LINK fields are columns of link rows only, so they count only when
 * `links` is set. */
static bool field_stored(const struct field *f, bool links)
{
	if (f->flags & F_NOSTORE) {
		return false;
	}
	return links || !(f->flags & F_LINK);
}

/* Returns the index of the row id field, the one whose column is "id". */
static int model_id_field(const struct model *m)
{
	for (size_t i = 0; i < m->nfields; i++) {
		if (strcmp(m->fields[i].column, "id") == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* Returns the index of the stored field whose column is `column`, or -1.
 * This check keeps caller-supplied names out of SQL text. */
static int model_column_field(const struct model *m, const char *column)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if (field_stored(f, false) && strcmp(f->column, column) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static struct model_stmts *model_stmts(struct store *s, const struct model *m)
{
	for (size_t i = 0; i < MODEL_COUNT; i++) {
		if (store_models[i] == m) {
			return &s->models[i];
		}
	}
	return NULL;
}

static int model_unknown(struct store *s, const struct model *m)
{
	return store_failf(s, CAIRN_EINVAL, "model '%s' has no table",
			   m ? m->name : "(null)");
}

/* Returns the bit mask of the set fields that an insert or update writes.
 * The field at index `skip` (the row id, or -1 for none) is left out. */
static uint64_t record_write_mask(const struct record *r, int skip)
{
	const struct model *m = r->model;
	uint64_t mask = 0;

	for (size_t i = 0; i < m->nfields; i++) {
		if (r->v[i].set && (int)i != skip &&
		    field_stored(&m->fields[i], false)) {
			mask |= (uint64_t)1 << i;
		}
	}
	return mask;
}

/* Binds the fields in `mask` to parameters from `first` on, in field
 * order.  Strings are bound without a copy, so they must outlive the
 * step. */
static int record_bind(struct store *s, sqlite3_stmt *st,
		       const struct record *r, uint64_t mask, int first)
{
	const struct model *m = r->model;
	int param = first;
	int rc = 0;

	for (size_t i = 0; i < m->nfields && rc == 0; i++) {
		const struct value *v = &r->v[i];

		if (!(mask & ((uint64_t)1 << i))) {
			continue;
		}
		if (v->null) {
			rc = bind_check(s, sqlite3_bind_null(st, param));
		} else if (field_is_integer(m->fields[i].kind)) {
			rc = bind_check(s, sqlite3_bind_int64(st, param, v->i));
		} else {
			rc = bind_text(s, st, param, v->s);
		}
		param++;
	}
	return rc;
}

/* Fills the stored fields of `r` from the current row of `st`, from
 * column 0 on, as sql_columns() listed them.  Strings stay in the row. */
static int record_read(sqlite3_stmt *st, bool links, struct record *r)
{
	const struct model *m = r->model;
	int col = 0;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		struct value *v = &r->v[i];

		if (!field_stored(f, links)) {
			continue;
		}
		v->set = true;
		if (sqlite3_column_type(st, col) == SQLITE_NULL) {
			v->null = true;
		} else if (field_is_integer(f->kind)) {
			v->i = sqlite3_column_int64(st, col);
		} else {
			v->s = (const char *)sqlite3_column_text(st, col);
			if (!v->s) {
				return CAIRN_ENOMEM;
			}
		}
		col++;
	}
	return col;
}

/* Appends the stored columns of `m` as "alias.column, ...".  F_LINK fields
 * come from the `link` alias, or are left out when it is NULL. */
static void sql_columns(struct sql *q, const struct model *m,
			const char *alias, const char *link)
{
	bool first = true;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if (!field_stored(f, link != NULL)) {
			continue;
		}
		if (!first) {
			sql_add(q, ", ");
		}
		first = false;
		if (alias) {
			sql_add(q, f->flags & F_LINK ? link : alias);
			sql_add(q, ".");
		}
		sql_add(q, f->column);
	}
}

/* Form in which sql_mask_columns() writes each column. */
enum column_form {
	COLUMN_NAME,     /* column */
	COLUMN_PARAM,    /* column = ?n, numbered from 1 */
	COLUMN_EXCLUDED, /* column = excluded.column */
};

/* Appends the columns in `mask`, separated by ", ", in the given form.
 * Returns the number of columns. */
static int sql_mask_columns(struct sql *q, const struct model *m,
			    uint64_t mask, enum column_form form)
{
	int n = 0;

	for (size_t i = 0; i < m->nfields; i++) {
		const char *column = m->fields[i].column;

		if (!(mask & ((uint64_t)1 << i))) {
			continue;
		}
		if (n++) {
			sql_add(q, ", ");
		}
		sql_add(q, column);
		if (form == COLUMN_PARAM) {
			sql_add(q, " = ");
			sql_param(q, n);
		} else if (form == COLUMN_EXCLUDED) {
			sql_add(q, " = excluded.");
			sql_add(q, column);
		}
	}
	return n;
}

static void sql_params(struct sql *q, int from, int count)
{
	for (int i = 0; i < count; i++) {
		if (i) {
			sql_add(q, ", ");
		}
		sql_param(q, from + i);
	}
}

static void build_insert(struct sql *q, const struct model *m, uint64_t mask)
{
	int n;

	sql_add(q, "INSERT INTO ");
	sql_add(q, m->table);
	if (!mask) {
		sql_add(q, " DEFAULT VALUES");
		return;
	}
	sql_add(q, " (");
	n = sql_mask_columns(q, m, mask, COLUMN_NAME);
	sql_add(q, ") VALUES (");
	sql_params(q, 1, n);
	sql_add(q, ")");
}

/* The row id is the parameter after the columns. */
static void build_update(struct sql *q, const struct model *m, uint64_t mask)
{
	int n;

	sql_add(q, "UPDATE ");
	sql_add(q, m->table);
	sql_add(q, " SET ");
	n = sql_mask_columns(q, m, mask, COLUMN_PARAM);
	sql_add(q, " WHERE id = ");
	sql_param(q, n + 1);
}

/* Builds the statement that inserts a cluster, or replaces the set
 * columns and the kept JSON of the cluster with its UUID.  The JSON texts
 * are the two parameters after the columns. */
static void build_cluster_upsert(struct sql *q, const struct model *m,
				 uint64_t mask)
{
	uint64_t replace = mask & ~((uint64_t)1 << CLUSTER_UUID);
	int n;

	sql_add(q, "INSERT INTO ");
	sql_add(q, m->table);
	sql_add(q, " (");
	n = sql_mask_columns(q, m, mask, COLUMN_NAME);
	sql_add(q, ", galaxy_json, cluster_json) VALUES (");
	sql_params(q, 1, n);
	sql_add(q, ", coalesce(");
	sql_param(q, n + 1);
	sql_add(q, ", '{}'), coalesce(");
	sql_param(q, n + 2);
	sql_add(q, ", '{}')) ON CONFLICT (uuid) DO UPDATE SET ");
	if (sql_mask_columns(q, m, replace, COLUMN_EXCLUDED)) {
		sql_add(q, ", ");
	}
	sql_add(q, "galaxy_json = excluded.galaxy_json,"
		   " cluster_json = excluded.cluster_json RETURNING id");
}

/* Returns the statement of `op` for the fields in `mask`, building it on
 * a miss and replacing the oldest slot when all are used. */
static int mask_stmt(struct store *s, struct mask_cache *c, enum mask_op op,
		     const struct model *m, uint64_t mask, sqlite3_stmt **out)
{
	struct sql q = {BUF_INIT, 0};
	struct mask_stmt *slot;
	int rc;

	for (unsigned i = 0; i < MASK_SLOTS; i++) {
		if (c->slot[i].stmt && c->slot[i].mask == mask) {
			*out = c->slot[i].stmt;
			return 0;
		}
	}
	if (op == OP_INSERT) {
		build_insert(&q, m, mask);
	} else if (op == OP_UPDATE) {
		build_update(&q, m, mask);
	} else {
		build_cluster_upsert(&q, m, mask);
	}
	slot = &c->slot[c->next];
	c->next = (c->next + 1) % MASK_SLOTS;
	sqlite3_finalize(slot->stmt);
	slot->stmt = NULL;
	rc = sql_prepare(s, &q, true, &slot->stmt);
	slot->mask = mask;
	*out = slot->stmt;
	return rc;
}

/* -------- connection -------- */

static int pragma_text(sqlite3 *db, const char *sql, struct buf *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK) {
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);

		buf_adds(out, text ? text : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* WAL lets readers run beside the one writer.  With WAL, synchronous =
 * NORMAL keeps the file consistent after any crash, and commits survive a
 * crash of the process, but the last commits may roll back after a power
 * loss or an operating system crash. */
static int store_configure(struct store *s, const char *path,
			   struct cairn_err *e)
{
	struct buf mode = BUF_INIT;
	int rc;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	rc = pragma_text(s->db, "PRAGMA journal_mode = WAL", &mode);
	if (rc == SQLITE_OK && strcmp(buf_str(&mode), "wal") != 0 &&
	    strcmp(buf_str(&mode), "memory") != 0) {
		cairn_err_set(e, CAIRN_ESTORE,
			      "database '%s' cannot use WAL mode (mode is "
			      "'%s'); put it on a local file system",
			      path, buf_str(&mode));
		buf_release(&mode);
		return CAIRN_ESTORE;
	}
	buf_release(&mode);
	if (rc == SQLITE_OK) {
		rc = sqlite3_exec(s->db,
				  "PRAGMA foreign_keys = ON;"
				  "PRAGMA synchronous = NORMAL;"
				  /* Savepoint journals in memory: on disk they
				   * cost a write per page a savepoint touches. */
				  "PRAGMA temp_store = MEMORY;"
				  STORE_CACHE_PRAGMA,
				  NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		return cairn_err_set(e, CAIRN_ESTORE,
				     "configuring database '%s' failed: %s",
				     path, sqlite3_errmsg(s->db));
	}
	return 0;
}

static pthread_once_t sqlite_setup_once = PTHREAD_ONCE_INIT;

/* Turns off SQLite's memory statistics, which take a global mutex on
 * every allocation; it must run before SQLite initialises, so a process
 * that used SQLite first keeps them (the call then fails harmlessly). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

int store_open(struct store **out, const char *path, struct cairn_err *e)
{
	struct store *s;
	int rc;

	pthread_once(&sqlite_setup_once, sqlite_setup);
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	/* NOMUTEX: a connection is used by one thread at a time, which the
	 * pool guarantees, so SQLite's per-connection mutex is not needed. */
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		cairn_err_set(e, CAIRN_ESTORE,
			      "opening database '%s' failed: %s", path,
			      sqlite3_errmsg(s->db));
		sqlite3_close(s->db);
		free(s);
		return CAIRN_ESTORE;
	}
	rc = store_configure(s, path, e);
	if (rc == 0) {
		rc = schema_migrate(s->db, NULL, e);
	}
	if (rc < 0) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int store_set_mapped(struct store *s, bool mapped)
{
	const char *pragma = mapped ? STORE_MMAP_PRAGMA : "PRAGMA mmap_size = 0;";

	if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
		return store_fail_sqlite(s);
	}
	return 0;
}

void store_close(struct store *s)
{
	sqlite3_stmt *st;

	if (!s) {
		return;
	}
	/* Finalizes the cached statements and any cursor left open. */
	while ((st = sqlite3_next_stmt(s->db, NULL)) != NULL) {
		sqlite3_finalize(st);
	}
	/* PRAGMA optimize may ANALYZE a whole table, which through the
	 * memory map would bring all of it into the resident set. */
	sqlite3_exec(s->db, "PRAGMA mmap_size = 0; PRAGMA optimize", NULL,
		     NULL, NULL);
	sqlite3_close(s->db);
	buf_release(&s->message);
	audit_state_release(&s->audit);
	counts_release(&s->counts);
	tag_cache_clear(s);
	free(s);
}

int store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int64_t version = 0;
	int rc = fixed_stmt(s, FIX_USER_VERSION, &st);

	if (rc < 0) {
		return rc;
	}
	rc = stmt_int64(s, st, &version);
	return rc < 0 ? rc : (int)version;
}

int store_slot_stmt(struct store *s, enum store_slot slot,
		    int (*build)(struct buf *sql, const void *ctx),
		    const void *ctx, sqlite3_stmt **out)
{
	struct sql q = {BUF_INIT, 0};

	*out = NULL;
	if ((unsigned)slot >= STORE_SLOT_COUNT) {
		return store_failf(s, CAIRN_EINVAL, "invalid statement slot %d",
				   (int)slot);
	}
	if (s->slots[slot]) {
		sqlite3_reset(s->slots[slot]);
		sqlite3_clear_bindings(s->slots[slot]);
		*out = s->slots[slot];
		return 0;
	}
	if (build(&q.text, ctx) < 0) {
		q.rc = CAIRN_ENOMEM;
	}
	if (sql_prepare(s, &q, true, &s->slots[slot]) < 0) {
		return s->code;
	}
	*out = s->slots[slot];
	return 0;
}

static int build_text(struct buf *sql, const void *ctx)
{
	return buf_adds(sql, ctx);
}

int store_slot_text(struct store *s, enum store_slot slot, const char *text,
		    sqlite3_stmt **out)
{
	return store_slot_stmt(s, slot, build_text, text, out);
}

int store_schema_latest(void)
{
	return schema_latest();
}

bool store_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

struct audit_state *store_audit_state(struct store *s)
{
	return &s->audit;
}

struct counts_state *store_counts_state(struct store *s)
{
	return &s->counts;
}

int store_depth(struct store *s)
{
	return s->depth;
}

static int fixed_exec(struct store *s, enum fixed_stmt f)
{
	sqlite3_stmt *st;
	int rc = fixed_stmt(s, f, &st);

	return rc < 0 ? rc : stmt_run(s, st);
}

int store_begin(struct store *s)
{
	int rc = fixed_exec(s, s->depth ? FIX_SAVEPOINT : FIX_BEGIN);

	if (rc == 0) {
		s->depth++;
		rc = counts_begin(s, s->depth);
		/* A failed begin leaves no level open, as when the BEGIN
		 * or SAVEPOINT itself fails. */
		if (rc < 0) {
			store_rollback(s);
		}
	}
	return rc;
}

int store_commit(struct store *s)
{
	int rc;

	if (s->depth > 1) {
		rc = fixed_exec(s, FIX_RELEASE);
		if (rc == 0) {
			counts_commit(s, s->depth);
			s->depth--;
		}
		return rc;
	}
	/* The pending counts join the transaction; if they fail, it stays
	 * open for the caller's rollback. */
	rc = counts_commit(s, 1);
	if (rc < 0) {
		return rc;
	}
	rc = fixed_exec(s, FIX_COMMIT);
	if (rc == 0 || !store_in_transaction(s)) {
		s->depth = 0;
		counts_committed(s);
	}
	tag_cache_clear(s);
	return rc;
}

/* Succeeds without a transaction open, so that error paths may always
 * call it, for instance after a COMMIT that SQLite rolled back. */
int store_rollback(struct store *s)
{
	int rc;

	tag_cache_clear(s);
	counts_rollback(s, s->depth);
	if (!store_in_transaction(s)) {
		s->depth = 0;
		return 0;
	}
	if (s->depth > 1) {
		/* ROLLBACK TO keeps the savepoint open; RELEASE closes it. */
		rc = fixed_exec(s, FIX_ROLLBACK_TO);
		if (rc == 0) {
			rc = fixed_exec(s, FIX_RELEASE);
		}
		s->depth--;
		return rc;
	}
	s->depth = 0;
	return fixed_exec(s, FIX_ROLLBACK);
}

/* -------- generic row operations -------- */

static int row_insert(struct store *s, const struct record *r, int64_t *id)
{
	struct model_stmts *ms = model_stmts(s, r->model);
	sqlite3_stmt *st;
	uint64_t mask;
	int rc;

	if (!ms) {
		return model_unknown(s, r->model);
	}
	mask = record_write_mask(r, -1);
	rc = mask_stmt(s, &ms->insert, OP_INSERT, r->model, mask, &st);
	if (rc == 0) {
		rc = record_bind(s, st, r, mask, 1);
	}
	if (rc == 0) {
		rc = stmt_run(s, st);
	}
	if (rc == 0) {
		int64_t row = sqlite3_last_insert_rowid(s->db);

		if (id) {
			*id = row;
		}
		rc = counts_inserted(s, r, row);
	}
	return rc;
}

static int row_update(struct store *s, const struct record *r, int64_t id)
{
	struct model_stmts *ms = model_stmts(s, r->model);
	sqlite3_stmt *st;
	uint64_t mask;
	bool moved;
	int params;
	int rc;

	if (r->model == &model_tag) {
		tag_cache_clear(s);
	}
	if (!ms) {
		return model_unknown(s, r->model);
	}
	mask = record_write_mask(r, model_id_field(r->model));
	if (!mask) {
		/* Nothing to write: still report a missing row. */
		struct record current;

		record_init(&current, r->model);
		rc = store_get(s, r->model, id, &current);
		record_release(&current);
		return rc;
	}
	rc = counts_before(s, r->model, r, id, &moved);
	if (rc == 0) {
		rc = mask_stmt(s, &ms->update, OP_UPDATE, r->model, mask, &st);
	}
	if (rc == 0) {
		rc = record_bind(s, st, r, mask, 1);
	}
	if (rc == 0) {
		params = sqlite3_bind_parameter_count(st);
		rc = bind_check(s, sqlite3_bind_int64(st, params, id));
	}
	if (rc == 0) {
		rc = stmt_run(s, st);
	}
	if (rc == 0 && sqlite3_changes64(s->db) == 0) {
		rc = store_failf(s, CAIRN_ENOTFOUND, "%s %lld not found",
				 r->model->name, (long long)id);
	}
	if (rc == 0) {
		rc = counts_after(s, r->model, r, id, moved);
	}
	return rc;
}

static int model_get_stmt(struct store *s, const struct model *m,
			  struct model_stmts *ms, sqlite3_stmt **out)
{
	struct sql q = {BUF_INIT, 0};
	int rc;

	if (ms->get) {
		*out = ms->get;
		return 0;
	}
	sql_add(&q, "SELECT ");
	sql_columns(&q, m, NULL, NULL);
	sql_add(&q, " FROM ");
	sql_add(&q, m->table);
	sql_add(&q, " WHERE id = ?1");
	rc = sql_prepare(s, &q, true, &ms->get);
	*out = ms->get;
	return rc;
}

int store_get(struct store *s, const struct model *m, int64_t id,
	      struct record *out)
{
	struct model_stmts *ms = model_stmts(s, m);
	sqlite3_stmt *st;
	int rc;

	if (!ms) {
		return model_unknown(s, m);
	}
	rc = model_get_stmt(s, m, ms, &st);
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 1, id));
	}
	if (rc < 0) {
		return rc;
	}
	record_release(out);
	record_init(out, m);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = record_read(st, false, out);
		if (rc >= 0) {
			rc = record_own(out);
		}
		if (rc < 0) {
			rc = store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
	} else if (rc == SQLITE_DONE) {
		rc = store_failf(s, CAIRN_ENOTFOUND, "%s %lld not found",
				 m->name, (long long)id);
	} else {
		rc = store_fail(s);
	}
	sqlite3_reset(st);
	return rc;
}

/* Returns the cached "SELECT <what> FROM table WHERE column = ?1" of field
 * `i` in `cache`. */
static int column_stmt(struct store *s, const struct model *m, int i,
		       const char *what, sqlite3_stmt **cache,
		       sqlite3_stmt **out)
{
	struct sql q = {BUF_INIT, 0};
	int rc;

	if (cache[i]) {
		*out = cache[i];
		return 0;
	}
	sql_add(&q, "SELECT ");
	sql_add(&q, what);
	sql_add(&q, " FROM ");
	sql_add(&q, m->table);
	sql_add(&q, " WHERE ");
	sql_add(&q, m->fields[i].column);
	sql_add(&q, " = ?1 ORDER BY id LIMIT 1");
	rc = sql_prepare(s, &q, true, &cache[i]);
	*out = cache[i];
	return rc;
}

static int column_check(struct store *s, const struct model *m,
			const char *column, int *field)
{
	*field = column ? model_column_field(m, column) : -1;
	if (*field < 0) {
		return store_failf(s, CAIRN_EINVAL,
				   "'%s' is not a column of '%s'",
				   column ? column : "(null)", m->table);
	}
	return 0;
}

/* Binds `value` as the field's kind: integer columns take only a whole
 * decimal number. */
static int bind_column_value(struct store *s, sqlite3_stmt *st,
			     const struct field *f, const char *value)
{
	long long n;
	char *end;

	if (!field_is_integer(f->kind)) {
		return bind_text(s, st, 1, value);
	}
	errno = 0;
	n = strtoll(value, &end, 10);
	if (end == value || *end != '\0' || errno == ERANGE) {
		return store_failf(s, CAIRN_EINVAL,
				   "invalid integer '%s' for column '%s'",
				   value, f->column);
	}
	return bind_check(s, sqlite3_bind_int64(st, 1, n));
}

int store_find(struct store *s, const struct model *m, const char *column,
	       const char *value, int64_t *id)
{
	struct model_stmts *ms = model_stmts(s, m);
	sqlite3_stmt *st;
	int field;
	int rc;

	if (!ms) {
		return model_unknown(s, m);
	}
	rc = column_check(s, m, column, &field);
	if (rc == 0 && !value) {
		rc = store_failf(s, CAIRN_EINVAL, "no value to find in '%s'",
				 column);
	}
	if (rc == 0) {
		rc = column_stmt(s, m, field, "id", ms->find, &st);
	}
	if (rc == 0) {
		rc = bind_column_value(s, st, &m->fields[field], value);
	}
	if (rc < 0) {
		return rc;
	}
	rc = stmt_int64(s, st, id);
	if (rc == 0) {
		return store_failf(s, CAIRN_ENOTFOUND,
				   "no %s with %s '%s'", m->name, column,
				   value);
	}
	return rc < 0 ? rc : 0;
}

int store_count(struct store *s, const struct model *m, const char *column,
		int64_t value, int64_t *count)
{
	struct model_stmts *ms = model_stmts(s, m);
	sqlite3_stmt *st;
	int field;
	int rc;

	if (!ms) {
		return model_unknown(s, m);
	}
	rc = column_check(s, m, column, &field);
	if (rc == 0) {
		rc = column_stmt(s, m, field, "count(*)", ms->count, &st);
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 1, value));
	}
	if (rc == 0) {
		*count = 0;
		rc = stmt_int64(s, st, count);
	}
	return rc < 0 ? rc : 0;
}

static int row_delete(struct store *s, const struct model *m, int64_t id)
{
	struct model_stmts *ms = model_stmts(s, m);
	struct sql q = {BUF_INIT, 0};
	bool moved;
	int rc = 0;

	if (m == &model_tag) {
		tag_cache_clear(s);
	}
	if (!ms) {
		return model_unknown(s, m);
	}
	if (!ms->remove) {
		sql_add(&q, "DELETE FROM ");
		sql_add(&q, m->table);
		sql_add(&q, " WHERE id = ?1");
		rc = sql_prepare(s, &q, true, &ms->remove);
	}
	if (rc == 0) {
		rc = counts_before(s, m, NULL, id, &moved);
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(ms->remove, 1, id));
	}
	if (rc == 0) {
		rc = stmt_run(s, ms->remove);
	}
	if (rc == 0 && sqlite3_changes64(s->db) == 0) {
		rc = store_failf(s, CAIRN_ENOTFOUND, "%s %lld not found",
				 m->name, (long long)id);
	}
	return rc;
}

/* Runs one generic change and appends its audit row in one transaction.
 * An edit or delete reads the row first, for the old values. */
static int audited_change(struct store *s, enum audit_op op,
			  const struct model *m, const struct record *r,
			  int64_t *id)
{
	struct record old;
	bool opened;
	int rc;

	if (!model_stmts(s, m)) {
		return model_unknown(s, m);
	}
	rc = audit_begin(s, &opened);
	if (rc < 0) {
		return rc;
	}
	record_init(&old, m);
	if (op != AUDIT_ADD) {
		rc = store_get(s, m, *id, &old);
	}
	if (rc == 0) {
		rc = op == AUDIT_ADD    ? row_insert(s, r, id)
		     : op == AUDIT_EDIT ? row_update(s, r, *id)
					: row_delete(s, m, *id);
	}
	if (rc == 0) {
		rc = audit_record(s, op, m, op == AUDIT_DELETE ? NULL : r,
				  op == AUDIT_ADD ? NULL : &old, *id);
	}
	record_release(&old);
	return audit_end(s, opened, rc);
}

/* A change to a counted table (sqlite_counts.c) outside a transaction
 * gets one, so that its pending counts commit with it. */
static int counted_begin(struct store *s, const struct model *m,
			 bool *opened)
{
	*opened = s->depth == 0 && (m == &model_attribute ||
				    m == &model_object || m == &model_event);
	return *opened ? store_begin(s) : 0;
}

static int counted_end(struct store *s, bool opened, int rc)
{
	if (!opened) {
		return rc;
	}
	if (rc == 0) {
		rc = store_commit(s);
	}
	if (rc < 0) {
		store_rollback(s);
	}
	return rc;
}

static int change(struct store *s, enum audit_op op, const struct model *m,
		  const struct record *r, int64_t *id)
{
	if (!audit_enabled(s)) {
		return op == AUDIT_ADD    ? row_insert(s, r, id)
		       : op == AUDIT_EDIT ? row_update(s, r, *id)
					  : row_delete(s, m, *id);
	}
	return audited_change(s, op, m, r, id);
}

int store_insert(struct store *s, const struct record *r, int64_t *id)
{
	int64_t row_id = 0;
	bool opened;
	int rc = counted_begin(s, r->model, &opened);

	if (rc == 0) {
		rc = counted_end(s, opened,
				 change(s, AUDIT_ADD, r->model, r, &row_id));
	}
	if (rc == 0 && id) {
		*id = row_id;
	}
	return rc;
}

int store_update(struct store *s, const struct record *r, int64_t id)
{
	bool opened;
	int rc = counted_begin(s, r->model, &opened);

	return rc < 0 ? rc
		      : counted_end(s, opened,
				    change(s, AUDIT_EDIT, r->model, r, &id));
}

int store_delete(struct store *s, const struct model *m, int64_t id)
{
	bool opened;
	int rc = counted_begin(s, m, &opened);

	return rc < 0 ? rc
		      : counted_end(s, opened,
				    change(s, AUDIT_DELETE, m, NULL, &id));
}

/* -------- organisations, tags and clusters -------- */

/* Appends the audit row of an organisation that store_org_ensure()
 * inserted. */
static int audit_org(struct store *s, const char *name, const char *uuid,
		     int64_t id)
{
	struct record org;
	int rc = 0;

	if (!audit_enabled(s)) {
		return 0;
	}
	record_init(&org, &model_org);
	if (record_set_text(&org, ORG_NAME, name) < 0 ||
	    (uuid && record_set_text(&org, ORG_UUID, uuid) < 0)) {
		rc = store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	if (rc == 0) {
		rc = audit_record(s, AUDIT_ADD, &model_org, &org, NULL, id);
	}
	record_release(&org);
	return rc;
}

int store_org_ensure(struct store *s, const char *uuid, const char *name,
		     int64_t *id)
{
	sqlite3_stmt *st;
	bool opened;
	int rc = 0;

	if (uuid) {
		rc = fixed_lookup(s, FIX_ORG_BY_UUID, uuid, id);
	}
	if (rc == 0 && name) {
		rc = fixed_lookup(s, FIX_ORG_BY_NAME, name, id);
	}
	if (rc != 0) {
		return rc < 0 ? rc : 0;
	}
	if (!name || !*name) {
		return store_failf(s, CAIRN_EINVAL,
				   "organisation '%s' not found, and it has "
				   "no name to create it with",
				   uuid ? uuid : "");
	}
	rc = audit_begin(s, &opened);
	if (rc == 0) {
		rc = fixed_stmt(s, FIX_ORG_INSERT, &st);
	}
	if (rc == 0) {
		rc = bind_text(s, st, 1, name);
	}
	if (rc == 0) {
		rc = bind_text(s, st, 2, uuid);
	}
	if (rc == 0) {
		rc = stmt_run(s, st);
	}
	if (rc == 0) {
		*id = sqlite3_last_insert_rowid(s->db);
		rc = audit_org(s, name, uuid, *id);
	}
	return audit_end(s, opened, rc);
}


/* Returns the slot for a name; tag names compare without ASCII case. */
static struct tag_cache_entry *tag_cache_slot(struct store *s,
					      const char *name)
{
	uint32_t h = 2166136261u;

	for (const char *p = name; *p; p++) {
		h = (h ^ (uint32_t)tolower((unsigned char)*p)) * 16777619u;
	}
	return &s->tag_cache[h % TAG_CACHE_SIZE];
}

static void tag_cache_put(struct store *s, const char *name, int64_t id)
{
	struct tag_cache_entry *slot = tag_cache_slot(s, name);

	if (!store_in_transaction(s)) {
		return;
	}
	free(slot->name);
	slot->name = strdup(name);
	slot->id = id;
}

int store_tag_ensure(struct store *s, const struct record *tag, int64_t *id)
{
	struct tag_cache_entry *slot;
	const char *name;
	int rc;

	if (tag->model != &model_tag) {
		return store_failf(s, CAIRN_EINVAL, "record is not a tag");
	}
	name = record_text(tag, TAG_NAME, NULL);
	if (!name || !*name) {
		return store_failf(s, CAIRN_EINVAL, "tag has no name");
	}
	slot = tag_cache_slot(s, name);
	if (slot->name && strcasecmp(slot->name, name) == 0 &&
	    store_in_transaction(s)) {
		*id = slot->id;
		return 0;
	}
	rc = fixed_lookup(s, FIX_TAG_BY_NAME, name, id);
	if (rc != 0) {
		if (rc > 0) {
			tag_cache_put(s, name, *id);
		}
		return rc < 0 ? rc : 0;
	}
	if (s->tags_fixed) {
		return store_failf(s, CAIRN_EDENIED,
				   "tag '%s' does not exist, and only roles "
				   "with perm_tag_editor may create tags",
				   name);
	}
	rc = store_insert(s, tag, id);
	if (rc == 0) {
		tag_cache_put(s, name, *id);
	}
	if (rc != CAIRN_EEXIST) {
		return rc;
	}
	/* Another connection stored the name since the lookup. */
	rc = fixed_lookup(s, FIX_TAG_BY_NAME, name, id);
	if (rc == 0) {
		return CAIRN_EEXIST;
	}
	return rc < 0 ? rc : 0;
}

void store_tag_creation_set(struct store *s, bool allowed)
{
	s->tags_fixed = !allowed;
}

static const char *const target_names[] = {
	[STORE_EVENT] = "event",
	[STORE_ATTRIBUTE] = "attribute",
};

static bool target_valid(enum store_target t)
{
	return t == STORE_EVENT || t == STORE_ATTRIBUTE;
}

/* After a link statement that inserted nothing, distinguishes an
 * existing link (0) from a missing target (CAIRN_ENOTFOUND). */
static int link_check_target(struct store *s, enum store_target t,
			     int64_t target_id)
{
	static const enum fixed_stmt exists[] = {
		[STORE_EVENT] = FIX_EVENT_EXISTS,
		[STORE_ATTRIBUTE] = FIX_ATTRIBUTE_EXISTS,
	};
	sqlite3_stmt *st;
	int64_t found;
	int rc = fixed_stmt(s, exists[t], &st);

	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 1, target_id));
	}
	if (rc == 0) {
		rc = stmt_int64(s, st, &found);
	}
	if (rc == 0) {
		return store_failf(s, CAIRN_ENOTFOUND, "%s %lld not found",
				   target_names[t], (long long)target_id);
	}
	return rc < 0 ? rc : 0;
}

/* Binds the parameters 1 to 4 that both tag link statements share. */
static int bind_tag_link(struct store *s, sqlite3_stmt *st, int64_t target_id,
			 int64_t tag_id, bool local,
			 const char *relationship_type)
{
	int rc = bind_check(s, sqlite3_bind_int64(st, 1, target_id));

	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 2, tag_id));
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int(st, 3, local));
	}
	return rc == 0 ? bind_text(s, st, 4, relationship_type) : rc;
}

int store_tag_link(struct store *s, enum store_target t, int64_t target_id,
		   int64_t tag_id, bool local, const char *relationship_type)
{
	static const enum fixed_stmt link[] = {
		[STORE_EVENT] = FIX_EVENT_TAG_LINK,
		[STORE_ATTRIBUTE] = FIX_ATTRIBUTE_TAG_LINK,
	};
	sqlite3_stmt *st;
	bool opened;
	int rc;

	if (!target_valid(t)) {
		return store_failf(s, CAIRN_EINVAL, "invalid link target %d",
				   (int)t);
	}
	rc = audit_begin(s, &opened);
	if (rc == 0) {
		rc = fixed_stmt(s, link[t], &st);
	}
	if (rc == 0) {
		rc = bind_tag_link(s, st, target_id, tag_id, local,
				   relationship_type);
	}
	if (rc == 0) {
		rc = stmt_run(s, st);
	}
	if (rc == 0 && sqlite3_changes64(s->db) == 0) {
		rc = link_check_target(s, t, target_id);
	} else if (rc == 0) {
		rc = audit_tag(s, true, t, target_id, tag_id, local,
			       relationship_type);
	}
	return audit_end(s, opened, rc);
}

int store_attribute_tag_link(struct store *s, int64_t attribute_id,
			     int64_t event_id, int64_t tag_id, bool local,
			     const char *relationship_type)
{
	sqlite3_stmt *st;
	int rc = fixed_stmt(s, FIX_ATTRIBUTE_TAG_LINK_VALUES, &st);

	if (rc == 0) {
		rc = bind_tag_link(s, st, attribute_id, tag_id, local,
				   relationship_type);
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 5, event_id));
	}
	return rc == 0 ? stmt_run(s, st) : rc;
}

int store_tag_unlink(struct store *s, enum store_target t, int64_t target_id,
		     int64_t tag_id)
{
	static const enum fixed_stmt unlink[] = {
		[STORE_EVENT] = FIX_EVENT_TAG_UNLINK,
		[STORE_ATTRIBUTE] = FIX_ATTRIBUTE_TAG_UNLINK,
	};
	int64_t changes = 0;
	bool opened, local = false;
	int rc;

	if (!target_valid(t)) {
		return store_failf(s, CAIRN_EINVAL, "invalid link target %d",
				   (int)t);
	}
	rc = audit_begin(s, &opened);
	if (rc == 0 && opened) {
		rc = audit_tag_local(s, t, target_id, tag_id, &local);
	}
	if (rc == 0) {
		rc = fixed_run_id(s, unlink[t], target_id, &tag_id, &changes);
	}
	if (rc == 0 && changes == 0) {
		rc = store_failf(s, CAIRN_ENOTFOUND,
				 "tag %lld is not attached to %s %lld",
				 (long long)tag_id, target_names[t],
				 (long long)target_id);
	} else if (rc == 0) {
		rc = audit_tag(s, false, t, target_id, tag_id, local, NULL);
	}
	return audit_end(s, opened, rc);
}

int store_cluster_ensure(struct store *s, const struct record *cluster,
			 const char *galaxy_json, const char *cluster_json,
			 int64_t *id)
{
	sqlite3_stmt *st;
	uint64_t mask;
	int params;
	int rc;

	if (cluster->model != &model_cluster) {
		return store_failf(s, CAIRN_EINVAL,
				   "record is not a galaxy cluster");
	}
	if (!record_text(cluster, CLUSTER_UUID, NULL)) {
		return store_failf(s, CAIRN_EINVAL,
				   "galaxy cluster has no uuid");
	}
	/* A received cluster's id belongs to another instance, so it is not
	 * written. */
	mask = record_write_mask(cluster, CLUSTER_ID);
	rc = mask_stmt(s, &s->cluster_upsert, OP_UPSERT, &model_cluster, mask,
		       &st);
	if (rc == 0) {
		rc = record_bind(s, st, cluster, mask, 1);
	}
	if (rc == 0) {
		params = sqlite3_bind_parameter_count(st);
		rc = bind_text(s, st, params - 1, galaxy_json);
	}
	if (rc == 0) {
		rc = bind_text(s, st, params, cluster_json);
	}
	if (rc == 0) {
		rc = stmt_int64(s, st, id);
	}
	if (rc == 0) {
		/* RETURNING yields the row on insert and on update alike. */
		rc = store_failf(s, CAIRN_ESTORE,
				 "storing galaxy cluster returned no id");
	}
	return rc < 0 ? rc : 0;
}

int store_cluster_link(struct store *s, enum store_target t,
		       int64_t target_id, int64_t cluster_id, bool local)
{
	static const enum fixed_stmt link[] = {
		[STORE_EVENT] = FIX_EVENT_CLUSTER_LINK,
		[STORE_ATTRIBUTE] = FIX_ATTRIBUTE_CLUSTER_LINK,
	};
	sqlite3_stmt *st;
	bool opened;
	int rc;

	if (!target_valid(t)) {
		return store_failf(s, CAIRN_EINVAL, "invalid link target %d",
				   (int)t);
	}
	rc = audit_begin(s, &opened);
	if (rc == 0) {
		rc = fixed_stmt(s, link[t], &st);
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 1, target_id));
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 2, cluster_id));
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int(st, 3, local));
	}
	if (rc == 0) {
		rc = stmt_run(s, st);
	}
	if (rc == 0 && sqlite3_changes64(s->db) == 0) {
		rc = link_check_target(s, t, target_id);
	} else if (rc == 0) {
		rc = audit_cluster(s, t, target_id, cluster_id, local);
	}
	return audit_end(s, opened, rc);
}

/* -------- events -------- */

static int event_clear_steps(struct store *s, int64_t event_id)
{
	int64_t changes = 0;
	int rc = fixed_run_id(s, FIX_CLEAR_COUNT, event_id, NULL, &changes);

	if (rc == 0 && changes == 0) {
		return store_failf(s, CAIRN_ENOTFOUND, "event %lld not found",
				   (long long)event_id);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(clear_steps) /
						     sizeof(clear_steps[0]);
	     i++) {
		rc = fixed_run_id(s, clear_steps[i], event_id, NULL, NULL);
	}
	return rc;
}

/* A savepoint makes the clear all-or-nothing inside the caller's
 * transaction. */
static int event_clear(struct store *s, int64_t event_id)
{
	/* Outside the savepoint: when the clear fails, the caller's
	 * rollback undoes the counts' move with the rest. */
	int rc = counts_event_clear(s, event_id);

	if (rc == 0) {
		rc = fixed_exec(s, FIX_CLEAR_SAVEPOINT);
	}
	if (rc < 0) {
		return rc;
	}
	rc = event_clear_steps(s, event_id);
	if (rc < 0) {
		fixed_exec(s, FIX_CLEAR_ROLLBACK);
		fixed_exec(s, FIX_CLEAR_RELEASE);
		return rc;
	}
	return fixed_exec(s, FIX_CLEAR_RELEASE);
}

/* Without a transaction, the clear gets one of its own, so that the
 * counts' move rolls back with a failed clear and the shared values are
 * rechecked at its commit. */
int store_event_clear(struct store *s, int64_t event_id)
{
	bool opened;
	int rc = counted_begin(s, &model_event, &opened);

	return rc < 0 ? rc : counted_end(s, opened, event_clear(s, event_id));
}

int store_event_refresh_count(struct store *s, int64_t event_id)
{
	int64_t changes = 0;
	int rc = fixed_run_id(s, FIX_REFRESH_COUNT, event_id, NULL, &changes);

	if (rc == 0 && changes == 0) {
		rc = store_failf(s, CAIRN_ENOTFOUND, "event %lld not found",
				 (long long)event_id);
	}
	return rc;
}

/* MISP's duplicate check: attributes inside objects may repeat a value. */
int store_attribute_duplicate(struct store *s, int64_t event_id,
			      const char *type, const char *category,
			      const char *value, int64_t *id)
{
	sqlite3_stmt *st;
	int rc = fixed_stmt(s, FIX_ATTRIBUTE_DUPLICATE, &st);

	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 1, event_id));
	}
	if (rc == 0) {
		rc = bind_text(s, st, 2, type);
	}
	if (rc == 0) {
		rc = bind_text(s, st, 3, category);
	}
	if (rc == 0) {
		rc = bind_text(s, st, 4, value);
	}
	if (rc == 0) {
		rc = stmt_int64(s, st, id);
	}
	if (rc == 0) {
		return store_failf(s, CAIRN_ENOTFOUND,
				   "no %s attribute '%s' in event %lld", type,
				   value ? value : "", (long long)event_id);
	}
	return rc < 0 ? rc : 0;
}

/* -------- API keys -------- */

int store_authkey_add(struct store *s, int64_t user_id, const char *hash_hex,
		      const char *key_start, const char *key_end,
		      int64_t *id)
{
	sqlite3_stmt *st;
	int rc = fixed_stmt(s, FIX_AUTHKEY_ADD, &st);

	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 1, user_id));
	}
	if (rc == 0) {
		rc = bind_text(s, st, 2, hash_hex);
	}
	if (rc == 0) {
		rc = bind_text(s, st, 3, key_start);
	}
	if (rc == 0) {
		rc = bind_text(s, st, 4, key_end);
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 5, time(NULL)));
	}
	if (rc == 0) {
		rc = stmt_run(s, st);
	}
	if (rc == 0 && id) {
		*id = sqlite3_last_insert_rowid(s->db);
	}
	return rc;
}

int store_authkey_find(struct store *s, const char *hash_hex,
		       int64_t *user_id)
{
	sqlite3_stmt *st;
	int rc = fixed_stmt(s, FIX_AUTHKEY_FIND, &st);

	if (rc == 0) {
		rc = bind_text(s, st, 1, hash_hex);
	}
	if (rc == 0) {
		rc = bind_check(s, sqlite3_bind_int64(st, 2, time(NULL)));
	}
	if (rc == 0) {
		rc = stmt_int64(s, st, user_id);
	}
	if (rc == 0) {
		/* The message leaves the hash out, because it is the digest of
		 * a secret. */
		return store_failf(s, CAIRN_ENOTFOUND,
				   "no valid API key with that hash");
	}
	return rc < 0 ? rc : 0;
}

/* -------- queries and cursors -------- */

static int query_build(struct store *s, enum store_query qn,
		       const struct store_viewer *v, bool with_deleted,
		       bool keep, sqlite3_stmt **out)
{
	const struct query_def *d = &query_defs[qn];
	struct sql q = {BUF_INIT, 0};

	sql_add(&q, "SELECT ");
	sql_columns(&q, d->model, d->alias, d->link);
	if (d->parent) {
		sql_add(&q, ", ");
		sql_add(&q, d->parent);
	}
	if (d->json) {
		sql_add(&q, ", c.galaxy_json, c.cluster_json");
	}
	sql_add(&q, " FROM ");
	sql_add(&q, d->from);
	/* Conditions follow with " AND ", so a FROM without one needs a
	 * WHERE to attach them to. */
	if (!strstr(d->from, " WHERE ")) {
		sql_add(&q, " WHERE 1");
	}
	if (d->live && !with_deleted) {
		sql_add(&q, " AND ");
		sql_add(&q, d->live);
	}
	if (q.rc == 0 && visibility_apply(&q.text, v, query_vis[qn]) < 0) {
		q.rc = CAIRN_ENOMEM;
	}
	sql_add(&q, " ORDER BY ");
	sql_add(&q, d->order);
	return sql_prepare(s, &q, keep, out);
}

/* Lends the query's cached statement to `c`, or prepares a private one
 * while another open cursor has the cached one. */
static int query_stmt(struct store *s, struct store_cursor *c,
		      const struct store_viewer *v, enum store_query q,
		      bool with_deleted)
{
	const struct query_def *d = &query_defs[q];
	struct query_stmt *slot =
		&s->queries[q][d->live && with_deleted][v->site_admin];
	int rc;

	if (slot->busy) {
		c->cached = NULL;
		return query_build(s, q, v, with_deleted, false, &c->stmt);
	}
	if (!slot->stmt) {
		rc = query_build(s, q, v, with_deleted, true, &slot->stmt);
		if (rc < 0) {
			return rc;
		}
	}
	slot->busy = true;
	c->cached = slot;
	c->stmt = slot->stmt;
	return 0;
}

int store_query(struct store *s, const struct store_viewer *v,
		enum store_query q, int64_t arg, unsigned flags,
		struct store_cursor **out)
{
	struct store_cursor *c;
	int columns;
	int rc;

	*out = NULL;
	if ((unsigned)q >= QUERY_COUNT) {
		return store_failf(s, CAIRN_EINVAL, "invalid query %d", (int)q);
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	c->s = s;
	c->def = &query_defs[q];
	rc = query_stmt(s, c, v, q, flags & STORE_WITH_DELETED);
	if (rc == 0 && sqlite3_bind_parameter_index(c->stmt, "?1") > 0) {
		rc = bind_check(s, sqlite3_bind_int64(c->stmt, 1, arg));
	}
	if (rc == 0) {
		rc = bind_check(s, visibility_bind(c->stmt, v));
	}
	if (rc < 0) {
		store_cursor_close(c);
		return rc;
	}
	/* query_build() puts the parent, then the two JSON texts, last. */
	columns = sqlite3_column_count(c->stmt);
	c->json_col = -1;
	c->parent_col = -1;
	if (c->def->json) {
		c->json_col = columns - 2;
		columns -= 2;
	}
	if (c->def->parent) {
		c->parent_col = columns - 1;
	}
	*out = c;
	return 0;
}

int store_cursor_open_sql(struct store *s, const struct model *m,
			  const char *alias, const char *parent,
			  const char *rest,
			  int (*bind)(sqlite3_stmt *st, const void *ctx),
			  const void *ctx, struct store_cursor **out)
{
	struct store_cursor *c;
	struct sql q = {BUF_INIT, 0};
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	c->s = s;
	c->own_def.model = m;
	c->own_def.alias = alias;
	c->own_def.parent = parent;
	c->def = &c->own_def;
	sql_add(&q, "SELECT ");
	sql_columns(&q, m, alias, NULL);
	sql_add(&q, ", ");
	sql_add(&q, parent);
	sql_add(&q, " FROM ");
	sql_add(&q, rest);
	rc = sql_prepare(s, &q, false, &c->stmt);
	if (rc == 0 && bind(c->stmt, ctx) != SQLITE_OK) {
		rc = store_fail(s);
	}
	if (rc < 0) {
		store_cursor_close(c);
		return rc;
	}
	c->json_col = -1;
	c->parent_col = sqlite3_column_count(c->stmt) - 1;
	*out = c;
	return 0;
}

int store_cursor_next(struct store_cursor *c, struct record *r)
{
	int rc;

	record_init(r, c->def->model);
	c->row = false;
	if (c->done) {
		return 0;
	}
	rc = sqlite3_step(c->stmt);
	if (rc == SQLITE_DONE) {
		c->done = true;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		c->done = true;
		return store_fail(c->s);
	}
	if (record_read(c->stmt, c->def->link != NULL, r) < 0) {
		return store_failf(c->s, CAIRN_ENOMEM, "out of memory");
	}
	c->row = true;
	return 1;
}

int64_t store_cursor_parent(const struct store_cursor *c)
{
	if (!c->row || c->parent_col < 0) {
		return 0;
	}
	return sqlite3_column_int64(c->stmt, c->parent_col);
}

const char *store_cursor_json(const struct store_cursor *c, int which)
{
	if (!c->row || c->json_col < 0 || which < 0 || which > 1) {
		return NULL;
	}
	return (const char *)sqlite3_column_text(c->stmt, c->json_col + which);
}

void store_cursor_close(struct store_cursor *c)
{
	if (!c) {
		return;
	}
	if (c->cached) {
		sqlite3_reset(c->stmt);
		sqlite3_clear_bindings(c->stmt);
		c->cached->busy = false;
	} else {
		sqlite3_finalize(c->stmt);
	}
	free(c);
}

/* -------- correlation lookups -------- */

/* Columns of struct store_match, in its order.  The joins and the
 * condition leave out what may not correlate (see store.h). */
#define MATCH_SELECT                                                           \
	"SELECT a.id, a.event_id, a.type, a.value, e.date, e.info,"           \
	" e.orgc_id FROM attributes a JOIN events e ON e.id = a.event_id"     \
	" LEFT JOIN objects o ON o.id = a.object_id WHERE "
#define MATCH_LIVE                                                             \
	" AND a.deleted = 0 AND a.disable_correlation = 0"                    \
	" AND e.disable_correlation = 0 AND coalesce(o.deleted, 0) = 0"

/* The prefix query is one index range: every value that starts with
 * "key|" sorts at or after "key|" and before "key}", because "}" is the
 * byte after "|" and the column compares bytes (BINARY collation). */
static const char *const match_sql[] = {
	[STORE_MATCH_EVENT] = MATCH_SELECT "a.event_id = ?1" MATCH_LIVE,
	[STORE_MATCH_ATTRIBUTE] = MATCH_SELECT "a.id = ?1" MATCH_LIVE,
	[STORE_MATCH_VALUE] = MATCH_SELECT "a.value = ?1" MATCH_LIVE,
	[STORE_MATCH_PREFIX] = MATCH_SELECT "a.value >= ?1 AND a.value < ?2"
					    MATCH_LIVE,
	[STORE_MATCH_SECOND] = MATCH_SELECT "cairn_second(a.type, a.value) = ?1"
					    MATCH_LIVE,
	[STORE_MATCH_NET] = MATCH_SELECT "cairn_net(a.type, a.value)"
					 " BETWEEN ?1 AND ?2" MATCH_LIVE,
	[STORE_MATCH_SSDEEP] = MATCH_SELECT
		"cairn_ssdeep_block(a.type, a.value) = ?1" MATCH_LIVE,
	[STORE_MATCH_TYPE] = MATCH_SELECT "a.type = ?1" MATCH_LIVE,
};

/* ORDER BY clauses, after the visibility conditions. */
static const char *const match_order[] = {
	[STORE_MATCH_EVENT] = " ORDER BY a.value, a.id",
	[STORE_MATCH_ATTRIBUTE] = "",
	[STORE_MATCH_VALUE] = "",
	[STORE_MATCH_PREFIX] = "",
	[STORE_MATCH_SECOND] = "",
	[STORE_MATCH_NET] = "",
	[STORE_MATCH_SSDEEP] = "",
	[STORE_MATCH_TYPE] = "",
};

#define MATCH_COUNT (sizeof(match_sql) / sizeof(match_sql[0]))

_Static_assert(MATCH_COUNT == STORE_MATCH_COUNT,
	       "every store_match_query needs a statement in match_sql");

struct store_match_cursor {
	struct store *s;
	sqlite3_stmt *stmt;
	struct query_stmt *cached; /* slot to hand back, or NULL if owned */
	struct buf bound[2];       /* prefix bounds, bound without a copy */
	bool done;
};

/* Lends the cached statement of `q` to `c`, or prepares a private one
 * while another open cursor has it. */
static void match_build(struct sql *text, const struct store_viewer *v,
			enum store_match_query q)
{
	sql_add(text, match_sql[q]);
	if (text->rc == 0 &&
	    (visibility_event(&text->text, v, "e") < 0 ||
	     visibility_element(&text->text, v, "a", "e", false) < 0 ||
	     visibility_element(&text->text, v, "o", "e", true) < 0)) {
		text->rc = CAIRN_ENOMEM;
	}
	sql_add(text, match_order[q]);
}

static int match_stmt(struct store *s, struct store_match_cursor *c,
		      const struct store_viewer *v, enum store_match_query q)
{
	struct query_stmt *slot = &s->matches[q][v->site_admin];
	struct sql text = {BUF_INIT, 0};
	int rc;

	if (slot->busy) {
		match_build(&text, v, q);
		c->cached = NULL;
		return sql_prepare(s, &text, false, &c->stmt);
	}
	if (!slot->stmt) {
		match_build(&text, v, q);
		rc = sql_prepare(s, &text, true, &slot->stmt);
		if (rc < 0) {
			return rc;
		}
	}
	slot->busy = true;
	c->cached = slot;
	c->stmt = slot->stmt;
	return 0;
}

static int match_bind_number(struct store_match_cursor *c, const char *key,
			     size_t key_len)
{
	int64_t number = 0;

	for (size_t i = 0; i < key_len; i++) {
		if (key[i] < '0' || key[i] > '9' || number > INT64_MAX / 10) {
			return store_failf(c->s, CAIRN_EINVAL,
					   "invalid number key for a match "
					   "query");
		}
		number = number * 10 + (key[i] - '0');
	}
	return bind_check(c->s, sqlite3_bind_int64(c->stmt, 1, number));
}

static int match_bind_net(struct store_match_cursor *c, const char *key,
			  size_t key_len)
{
	const size_t half = CORRELATE_NET_KEY_LEN;

	if (key_len != 2 * half) {
		return store_failf(c->s, CAIRN_EINVAL,
				   "invalid network key range of %zu bytes",
				   key_len);
	}
	if (sqlite3_bind_blob(c->stmt, 1, key, (int)half, SQLITE_STATIC) !=
		    SQLITE_OK ||
	    sqlite3_bind_blob(c->stmt, 2, key + half, (int)half,
			      SQLITE_STATIC) != SQLITE_OK) {
		return store_fail(c->s);
	}
	return 0;
}

static int match_bind_key(struct store_match_cursor *c,
			  enum store_match_query q, const char *key,
			  size_t key_len)
{
	struct store *s = c->s;

	if (q == STORE_MATCH_SSDEEP) {
		return match_bind_number(c, key, key_len);
	}
	if (q == STORE_MATCH_VALUE || q == STORE_MATCH_SECOND ||
	    q == STORE_MATCH_TYPE) {
		return bind_check(s, sqlite3_bind_text(c->stmt, 1, key,
						       (int)key_len,
						       SQLITE_STATIC));
	}
	if (q == STORE_MATCH_NET) {
		return match_bind_net(c, key, key_len);
	}
	if (buf_add(&c->bound[0], key, key_len) < 0 ||
	    buf_adds(&c->bound[0], "|") < 0 ||
	    buf_add(&c->bound[1], key, key_len) < 0 ||
	    buf_adds(&c->bound[1], "}") < 0) {
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	for (int i = 0; i < 2; i++) {
		int rc = sqlite3_bind_text(c->stmt, i + 1, c->bound[i].data,
					   (int)c->bound[i].len,
					   SQLITE_STATIC);

		if (rc != SQLITE_OK) {
			return store_fail(s);
		}
	}
	return 0;
}

int store_match_open(struct store *s, const struct store_viewer *v,
		     enum store_match_query q, int64_t id, const char *key,
		     size_t key_len, struct store_match_cursor **out)
{
	struct store_match_cursor *c;
	int rc;

	*out = NULL;
	if ((unsigned)q >= MATCH_COUNT) {
		return store_failf(s, CAIRN_EINVAL, "invalid match query %d",
				   (int)q);
	}
	if (q != STORE_MATCH_EVENT && q != STORE_MATCH_ATTRIBUTE &&
	    (!key || key_len > INT32_MAX - 1)) {
		return store_failf(s, CAIRN_EINVAL,
				   "invalid key for a match query");
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	c->s = s;
	rc = match_stmt(s, c, v, q);
	if (rc == 0 && (q == STORE_MATCH_EVENT || q == STORE_MATCH_ATTRIBUTE)) {
		rc = bind_check(s, sqlite3_bind_int64(c->stmt, 1, id));
	} else if (rc == 0) {
		rc = match_bind_key(c, q, key, key_len);
	}
	if (rc == 0) {
		rc = bind_check(s, visibility_bind(c->stmt, v));
	}
	if (rc < 0) {
		store_match_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	return text ? text : "";
}

int store_match_next(struct store_match_cursor *c, struct store_match *m)
{
	int rc;

	if (c->done) {
		return 0;
	}
	rc = sqlite3_step(c->stmt);
	if (rc == SQLITE_DONE) {
		c->done = true;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		c->done = true;
		return store_fail(c->s);
	}
	m->attribute_id = sqlite3_column_int64(c->stmt, 0);
	m->event_id = sqlite3_column_int64(c->stmt, 1);
	m->type = column_text(c->stmt, 2);
	m->value = column_text(c->stmt, 3);
	m->event_date = column_text(c->stmt, 4);
	m->event_info = column_text(c->stmt, 5);
	m->event_orgc_id = sqlite3_column_int64(c->stmt, 6);
	return 1;
}

void store_match_close(struct store_match_cursor *c)
{
	if (!c) {
		return;
	}
	if (c->cached) {
		sqlite3_reset(c->stmt);
		sqlite3_clear_bindings(c->stmt);
		c->cached->busy = false;
	} else {
		sqlite3_finalize(c->stmt);
	}
	buf_release(&c->bound[0]);
	buf_release(&c->bound[1]);
	free(c);
}
