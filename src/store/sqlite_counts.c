/*
 * The dashboard's attribute counts, kept on write (attribute_counts,
 * schema migration 11).
 *
 * The table holds, per visibility class, type, category and event date,
 * the number of live attributes.  The class joins the event's columns
 * (owner, published, distribution, sharing group), which change with
 * the event, and the attribute's and object's, which change with those
 * rows.  Two kinds of change keep it:
 *
 * - An inserted or edited attribute adds a pending change of +1 or -1
 *   under its own and its object's class.  The pending changes of a
 *   transaction are summed per key in memory.  The commit writes them,
 *   joined with the event row as it is then.  So an import pays a few
 *   statements per event rather than one per attribute, and the event's
 *   final header decides its class.
 * - A change to an event's or object's class, or a removal, moves the
 *   whole event or object: its attributes are counted out under the old
 *   class before the statement and back in under the new one after it,
 *   with one grouped statement each.  The event's pending changes are
 *   written first, so that the move counts every attribute once.
 *
 * Savepoints: the pending list remembers its length and which entries
 * were written at each open level, so that ROLLBACK TO drops what the
 * level added and makes pending again what it wrote.  Writes outside a
 * transaction are wrapped in one by the callers (store_insert() and the
 * other generic operations), so nothing is left pending.
 */
#include "store/internal.h"

#include "model/misp.h"

#include <stdlib.h>
#include <string.h>

struct counts_entry {
	int64_t event_id;
	int64_t a_distribution, a_sharing_group_id;
	int64_t o_distribution, o_sharing_group_id;
	char *type;
	char *category;
	int64_t n;
	int written; /* 0 pending, else the depth at which it was written */
};

/* The number of entries, from the end, searched for one to add to.  A
 * change that finds none gets an entry of its own, which the commit
 * writes as well. */
#define MERGE_WINDOW 64

/* Adds ?8 attributes of the given class, type and category in event ?1
 * under the event's class and date as they are now. */
static const char add_sql[] =
	"INSERT INTO attribute_counts (" STORE_COUNTS_KEY ", n)"
	" SELECT e.org_id, e.published, e.distribution, e.sharing_group_id,"
	" ?2, ?3, ?4, ?5, ?6, ?7, e.date, ?8 FROM events e WHERE e.id = ?1"
	" ON CONFLICT (" STORE_COUNTS_KEY ") DO UPDATE SET n = n + excluded.n";

/* Adds ?2 times the live attributes of event ?1, or of its object ?3
 * when ?3 is not 0, grouped by class, type and category. */
static const char move_sql[] =
	"INSERT INTO attribute_counts (" STORE_COUNTS_KEY ", n)"
	" SELECT e.org_id, e.published, e.distribution, e.sharing_group_id,"
	" a.distribution, a.sharing_group_id, coalesce(o.distribution, -1),"
	" coalesce(o.sharing_group_id, 0), a.type, a.category, e.date,"
	" ?2 * count(*)"
	" FROM attributes a JOIN events e ON e.id = a.event_id"
	" LEFT JOIN objects o ON o.id = a.object_id"
	" WHERE a.event_id = ?1 AND (?3 = 0 OR a.object_id = ?3)"
	" AND a.deleted = 0 AND coalesce(o.deleted, 0) = 0"
	" GROUP BY 5, 6, 7, 8, 9, 10"
	" ON CONFLICT (" STORE_COUNTS_KEY ") DO UPDATE SET n = n + excluded.n";

/* The counted columns of attribute ?1, with its object's. */
static const char attribute_sql[] =
	"SELECT a.event_id, a.type, a.category, a.distribution,"
	" a.sharing_group_id, a.deleted, coalesce(o.distribution, -1),"
	" coalesce(o.sharing_group_id, 0), coalesce(o.deleted, 0), a.value"
	" FROM attributes a LEFT JOIN objects o ON o.id = a.object_id"
	" WHERE a.id = ?1";

/* The counted columns of event ?1, in the order of event_fields. */
static const char event_sql[] =
	"SELECT org_id, published, distribution, sharing_group_id, date,"
	" disable_correlation FROM events WHERE id = ?1";

/* The event and class of object ?1. */
static const char object_sql[] =
	"SELECT event_id, distribution, sharing_group_id, deleted"
	" FROM objects WHERE id = ?1";

static int failed(struct store *s, const char *what, int64_t id)
{
	return store_failf(s, CAIRN_ESTORE,
			   "updating the attribute counts (%s %lld) failed: %s",
			   what, (long long)id, sqlite3_errmsg(store_db(s)));
}

/* -------- pending changes -------- */

static void entry_free(struct counts_entry *en)
{
	free(en->type);
	free(en->category);
}

static void truncate_pending(struct counts_state *c, size_t len)
{
	while (c->len > len) {
		entry_free(&c->pending[--c->len]);
	}
}

void counts_release(struct counts_state *c)
{
	truncate_pending(c, 0);
	shared_release(&c->shared);
	free(c->pending);
	free(c->fresh);
	free(c->marks);
	memset(c, 0, sizeof(*c));
}

static bool same_key(const struct counts_entry *en,
		     const struct counts_entry *k)
{
	return en->event_id == k->event_id &&
	       en->a_distribution == k->a_distribution &&
	       en->a_sharing_group_id == k->a_sharing_group_id &&
	       en->o_distribution == k->o_distribution &&
	       en->o_sharing_group_id == k->o_sharing_group_id &&
	       strcmp(en->type, k->type) == 0 &&
	       strcmp(en->category, k->category) == 0;
}

/* The first entry that the open level may add to: entries before its
 * mark belong to an outer level, which ROLLBACK TO must leave alone. */
static size_t level_start(const struct counts_state *c, int depth)
{
	return depth > 1 && (size_t)depth * 2 < c->marks_cap
		       ? c->marks[depth * 2]
		       : 0;
}

/* Adds `n` to the pending entry of key `k`, or appends one. */
static int pending_add(struct store *s, const struct counts_entry *k,
		       int64_t n, int depth)
{
	struct counts_state *c = store_counts_state(s);
	size_t start = level_start(c, depth);
	struct counts_entry *en;

	for (size_t i = c->len, seen = 0; i > start && seen < MERGE_WINDOW;
	     i--, seen++) {
		en = &c->pending[i - 1];
		if (!en->written && same_key(en, k)) {
			en->n += n;
			return 0;
		}
	}
	if (c->len == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		void *p = realloc(c->pending, cap * sizeof(*c->pending));

		if (!p) {
			return store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
		c->pending = p;
		c->cap = cap;
	}
	en = &c->pending[c->len];
	*en = *k;
	en->n = n;
	en->written = 0;
	en->type = strdup(k->type);
	en->category = strdup(k->category);
	if (!en->type || !en->category) {
		entry_free(en);
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	c->len++;
	return 0;
}

static int write_entry(struct store *s, const struct counts_entry *en)
{
	sqlite3_stmt *st;
	int rc = store_slot_text(s, STORE_SLOT_COUNTS_ADD, add_sql, &st);

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, en->event_id);
	sqlite3_bind_int64(st, 2, en->a_distribution);
	sqlite3_bind_int64(st, 3, en->a_sharing_group_id);
	sqlite3_bind_int64(st, 4, en->o_distribution);
	sqlite3_bind_int64(st, 5, en->o_sharing_group_id);
	sqlite3_bind_text(st, 6, en->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, en->category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, en->n);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : failed(s, "event", en->event_id);
}

/* Writes the pending entries of `event_id` (0: all), marking them
 * written at `depth`. */
static int write_pending(struct store *s, int64_t event_id, int depth)
{
	struct counts_state *c = store_counts_state(s);

	for (size_t i = 0; i < c->len; i++) {
		struct counts_entry *en = &c->pending[i];
		int rc;

		if (en->written || en->n == 0 ||
		    (event_id && en->event_id != event_id)) {
			continue;
		}
		rc = write_entry(s, en);
		if (rc < 0) {
			return rc;
		}
		en->written = depth > 0 ? depth : 1;
	}
	return 0;
}

/* -------- savepoint levels -------- */

static int fresh_add(struct store *s, int64_t event_id)
{
	struct counts_state *c = store_counts_state(s);

	if (c->fresh_len == c->fresh_cap) {
		size_t cap = c->fresh_cap ? c->fresh_cap * 2 : 16;
		void *p = realloc(c->fresh, cap * sizeof(*c->fresh));

		if (!p) {
			return store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
		c->fresh = p;
		c->fresh_cap = cap;
	}
	c->fresh[c->fresh_len++] = event_id;
	return 0;
}

/* True when the open transaction inserted the event and none of its
 * attributes has reached the table yet, so that it has nothing to move. */
static bool fresh(const struct counts_state *c, int64_t event_id)
{
	for (size_t i = c->fresh_len; i > 0; i--) {
		if (c->fresh[i - 1] == event_id) {
			return true;
		}
	}
	return false;
}

static void fresh_drop(struct counts_state *c, int64_t event_id)
{
	for (size_t i = 0; i < c->fresh_len; i++) {
		if (c->fresh[i] == event_id) {
			c->fresh[i] = 0;
		}
	}
}

int counts_begin(struct store *s, int depth)
{
	struct counts_state *c = store_counts_state(s);

	if ((size_t)depth * 2 + 2 > c->marks_cap) {
		size_t cap = (size_t)depth * 2 + 16;
		void *p = realloc(c->marks, cap * sizeof(*c->marks));

		if (!p) {
			return store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
		c->marks = p;
		c->marks_cap = cap;
	}
	if (depth <= 1) {
		truncate_pending(c, 0);
		c->fresh_len = 0;
		shared_forget(&c->shared);
		/* Another connection may have changed the object since. */
		c->object_id = 0;
	}
	c->marks[depth * 2] = c->len;
	c->marks[depth * 2 + 1] = c->fresh_len;
	return 0;
}

int counts_commit(struct store *s, int depth)
{
	struct counts_state *c = store_counts_state(s);
	int rc;

	if (depth > 1) {
		/* RELEASE: what the level wrote now belongs to its parent. */
		for (size_t i = 0; i < c->len; i++) {
			if (c->pending[i].written >= depth) {
				c->pending[i].written = depth - 1;
			}
		}
		return 0;
	}
	rc = write_pending(s, 0, 1);
	return rc < 0 ? rc : shared_flush(s);
}

void counts_committed(struct store *s)
{
	struct counts_state *c = store_counts_state(s);

	truncate_pending(c, 0);
	c->fresh_len = 0;
	shared_forget(&c->shared);
}

void counts_rollback(struct store *s, int depth)
{
	struct counts_state *c = store_counts_state(s);

	c->object_id = 0;
	if (depth <= 1 || (size_t)depth * 2 + 1 >= c->marks_cap) {
		truncate_pending(c, 0);
		c->fresh_len = 0;
		shared_forget(&c->shared);
		return;
	}
	truncate_pending(c, c->marks[depth * 2]);
	if (c->fresh_len > c->marks[depth * 2 + 1]) {
		c->fresh_len = c->marks[depth * 2 + 1];
	}
	for (size_t i = 0; i < c->len; i++) {
		if (c->pending[i].written >= depth) {
			c->pending[i].written = 0;
		}
	}
}

/* -------- reading the class of a row -------- */

/* Reads the event and class of object `object_id` into the state's
 * cache, unless they are there already. */
static int read_object(struct store *s, int64_t object_id)
{
	struct counts_state *c = store_counts_state(s);
	sqlite3_stmt *st;
	int rc;

	if (c->object_id == object_id) {
		return 0;
	}
	rc = store_slot_text(s, STORE_SLOT_COUNTS_OBJECT, object_sql, &st);
	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, object_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->object_event_id = sqlite3_column_int64(st, 0);
		c->object_distribution = sqlite3_column_int64(st, 1);
		c->object_sharing_group_id = sqlite3_column_int64(st, 2);
		c->object_live = sqlite3_column_int64(st, 3) == 0;
		c->object_id = object_id;
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		/* A missing object counts as none, as the LEFT JOIN does. */
		c->object_event_id = 0;
		c->object_distribution = -1;
		c->object_sharing_group_id = 0;
		c->object_live = true;
		c->object_id = object_id;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : failed(s, "object", object_id);
}

/* Notes the attribute of inserted record `r`.  Unset columns take their
 * schema defaults (schema.c, table attributes). */
static int note_inserted(struct store *s, const struct record *r)
{
	struct counts_state *c = store_counts_state(s);
	int64_t object_id = record_int(r, ATTR_OBJECT_ID, 0);
	struct counts_entry k = {
		.event_id = record_int(r, ATTR_EVENT_ID, 0),
		.a_distribution = record_int(r, ATTR_DISTRIBUTION, 5),
		.a_sharing_group_id = record_int(r, ATTR_SHARING_GROUP_ID, 0),
		.o_distribution = -1,
		.type = (char *)record_text(r, ATTR_TYPE, ""),
		.category = (char *)record_text(r, ATTR_CATEGORY, ""),
	};

	if (record_int(r, ATTR_DELETED, 0)) {
		return 0;
	}
	if (object_id > 0) {
		int rc = read_object(s, object_id);

		if (rc < 0) {
			return rc;
		}
		if (!c->object_live) {
			return 0;
		}
		k.o_distribution = c->object_distribution;
		k.o_sharing_group_id = c->object_sharing_group_id;
	}
	return pending_add(s, &k, 1, store_depth(s));
}

/* Notes `n` times attribute `id` as it is stored now, and its value for
 * the shared values. */
static int note_stored(struct store *s, int64_t id, int n)
{
	struct counts_entry k = {0};
	sqlite3_stmt *st;
	int rc = store_slot_text(s, STORE_SLOT_COUNTS_ATTRIBUTE, attribute_sql,
				 &st);

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *value = (const char *)sqlite3_column_text(st, 9);

		rc = shared_note_value(s, sqlite3_column_int64(st, 0),
				       value ? value : "");
		rc = rc < 0 ? rc : SQLITE_ROW;
	}
	if (rc < 0) {
		sqlite3_reset(st);
		return rc;
	}
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 5) == 0 &&
	    sqlite3_column_int64(st, 8) == 0) {
		k.event_id = sqlite3_column_int64(st, 0);
		k.type = (char *)sqlite3_column_text(st, 1);
		k.category = (char *)sqlite3_column_text(st, 2);
		k.a_distribution = sqlite3_column_int64(st, 3);
		k.a_sharing_group_id = sqlite3_column_int64(st, 4);
		k.o_distribution = sqlite3_column_int64(st, 6);
		k.o_sharing_group_id = sqlite3_column_int64(st, 7);
		rc = pending_add(s, &k, n, store_depth(s));
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = failed(s, "attribute", id);
	}
	sqlite3_reset(st);
	return rc;
}

/* -------- moves -------- */

/* Adds `sign` times the live attributes of the event (object_id 0) or
 * of one of its objects, after writing the event's pending changes. */
static int move(struct store *s, int64_t event_id, int64_t object_id,
		int sign)
{
	sqlite3_stmt *st;
	int rc = write_pending(s, event_id, store_depth(s));

	if (rc == 0) {
		rc = store_slot_text(s, STORE_SLOT_COUNTS_MOVE, move_sql, &st);
	}
	if (rc < 0) {
		return rc;
	}
	fresh_drop(store_counts_state(s), event_id);
	rc = shared_note_event(s, event_id);
	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int(st, 2, sign);
	sqlite3_bind_int64(st, 3, object_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : failed(s, "event", event_id);
}

static bool sets_any(const struct record *r, const int *fields, size_t n)
{
	if (!r) {
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (r->v[fields[i]].set) {
			return true;
		}
	}
	return false;
}

static const int attribute_fields[] = {
	ATTR_TYPE,	   ATTR_CATEGORY, ATTR_EVENT_ID,  ATTR_DISTRIBUTION,
	ATTR_SHARING_GROUP_ID, ATTR_DELETED, ATTR_OBJECT_ID,
	ATTR_VALUE,	   ATTR_DISABLE_CORRELATION,
};
static const int object_fields[] = {
	OBJ_DISTRIBUTION, OBJ_SHARING_GROUP_ID, OBJ_DELETED, OBJ_EVENT_ID,
};
static const int event_fields[] = {
	EVENT_ORG_ID,	    EVENT_PUBLISHED, EVENT_DISTRIBUTION,
	EVENT_SHARING_GROUP_ID, EVENT_DATE, EVENT_DISABLE_CORRELATION,
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Sets *changes when `r` gives a counted column of event `id` another
 * value than the stored one.  Most event updates (the timestamp and
 * unpublish of every attribute edit) change none, and a move costs a
 * statement over every attribute of the event and a recheck of each of
 * its shared values. */
static int event_changes(struct store *s, const struct record *r, int64_t id,
			 bool *changes)
{
	sqlite3_stmt *st;
	int rc = store_slot_text(s, STORE_SLOT_COUNTS_EVENT, event_sql, &st);

	*changes = true;
	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*changes = false;
		for (size_t i = 0; i < COUNT_OF(event_fields); i++) {
			const struct value *v = &r->v[event_fields[i]];
			const char *text;

			if (!v->set) {
				continue;
			}
			if (v->null || sqlite3_column_type(st, (int)i) ==
					       SQLITE_NULL) {
				*changes = true;
			} else if (event_fields[i] == EVENT_DATE) {
				text = (const char *)sqlite3_column_text(
					st, (int)i);
				*changes |= strcmp(text, v->s) != 0;
			} else {
				*changes |= sqlite3_column_int64(st, (int)i) !=
					    v->i;
			}
		}
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : failed(s, "event", id);
}

/* Sets *event_id to the event of object `object_id`, 0 when it is
 * missing. */
static int object_event(struct store *s, int64_t object_id, int64_t *event_id)
{
	int rc = read_object(s, object_id);

	*event_id = rc < 0 ? 0 : store_counts_state(s)->object_event_id;
	return rc;
}

int counts_before(struct store *s, const struct model *m,
		  const struct record *r, int64_t id, bool *moved)
{
	struct counts_state *c = store_counts_state(s);
	int64_t event_id;
	int rc;

	*moved = false;
	if (m == &model_attribute) {
		if (!sets_any(r, attribute_fields, COUNT_OF(attribute_fields))) {
			return 0;
		}
		*moved = r != NULL;
		return note_stored(s, id, -1);
	}
	if (m == &model_object) {
		if (!sets_any(r, object_fields, COUNT_OF(object_fields))) {
			return 0;
		}
		c->object_id = 0;
		rc = object_event(s, id, &event_id);
		if (rc < 0 || event_id == 0) {
			return rc;
		}
		*moved = r != NULL;
		rc = r ? 0 : shared_note_removal(s, event_id, id);
		return rc < 0 ? rc : move(s, event_id, id, -1);
	}
	if (m == &model_event) {
		bool changes = true;

		/* A fresh event's pending changes join its class at commit,
		 * and it has no shared values' rows yet. */
		if (!sets_any(r, event_fields, COUNT_OF(event_fields)) ||
		    fresh(c, id)) {
			return 0;
		}
		rc = r ? event_changes(s, r, id, &changes) : 0;
		if (rc < 0 || !changes) {
			return rc;
		}
		*moved = r != NULL;
		rc = r ? 0 : shared_note_removal(s, id, 0);
		return rc < 0 ? rc : move(s, id, 0, -1);
	}
	return 0;
}

int counts_after(struct store *s, const struct model *m,
		 const struct record *r, int64_t id, bool moved)
{
	int64_t event_id;
	int rc;

	if (!moved) {
		return 0;
	}
	if (m == &model_attribute) {
		return note_stored(s, id, 1);
	}
	if (m == &model_object) {
		/* The cache contains the row as it was before the update. */
		store_counts_state(s)->object_id = 0;
		rc = object_event(s, id, &event_id);
		return rc < 0 || event_id == 0 ? rc : move(s, event_id, id, 1);
	}
	(void)r;
	return move(s, id, 0, 1);
}

int counts_inserted(struct store *s, const struct record *r, int64_t id)
{
	int rc = 0;

	if (r->model == &model_attribute) {
		rc = note_inserted(s, r);
		if (rc == 0) {
			rc = shared_note_inserted(
				s, record_int(r, ATTR_EVENT_ID, 0), id);
		}
	} else if (r->model == &model_event) {
		rc = fresh_add(s, id);
	}
	return rc;
}

int counts_event_clear(struct store *s, int64_t event_id)
{
	/* The move writes the event's pending changes first, so that what
	 * it takes out is exactly what was counted. */
	int rc = shared_note_removal(s, event_id, 0);

	return rc < 0 ? rc : move(s, event_id, 0, -1);
}
