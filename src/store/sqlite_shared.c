/*
 * The values that two events or more share, kept on write for the
 * dashboard's correlated values (shared_values and shared_counts,
 * schema migration 11).
 *
 * shared_values contains one row per shared value and event, with the
 * event's class and one attribute class that is readable exactly where
 * the event's live, correlating attributes with that value are.  A value
 * has rows for every event that contains it, or none, so adding an event
 * to a value that has rows costs one row.  shared_counts sums those rows
 * per value, type and class, so that the widget reads a row per value
 * and class in use rather than per event.
 *
 * An event's attributes with one value can have classes that no single
 * class stands for (two attributes restricted to different sharing
 * groups, or a type that fewer viewers read than a larger one).  Such a
 * row is marked inexact, stays out of shared_counts, and the widget
 * checks its attributes when it reads it.
 *
 * The store notes what a transaction changed (the events inserted, with
 * the first attribute id they gained; whole events whose class changed;
 * single values of edited attributes) and rechecks each noted value when
 * the transaction commits, from the rows as the transaction leaves them.
 * A recheck writes only these two tables, so a note left by a
 * rolled-back savepoint costs time and changes nothing.
 */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

struct shared_class {
	int64_t e[4]; /* org_id, published, distribution, sharing_group_id */
	int64_t a_distribution, a_sharing_group_id;
	int64_t o_distribution, o_sharing_group_id;
	char *type; /* owned; class_release() frees it */
	bool exact;
};

static void class_release(struct shared_class *c)
{
	free(c->type);
	c->type = NULL;
}

/* -------- statements -------- */

enum {
	Q_EVENT,
	Q_ATTRIBUTES,
	Q_SCAN,
	Q_ROW,
	Q_EVENT_ROWS,
	Q_OTHER_ROW,
	Q_OTHER_EVENTS,
	Q_INSERT,
	Q_DELETE,
	Q_COUNT,
	Q_ROWS_OF_VALUE,
	Q_DROP_ZERO_COUNTS,
};

static const char *const shared_sql[] = {
	[Q_EVENT] = "SELECT org_id, published, distribution, sharing_group_id,"
		    " disable_correlation FROM events WHERE id = ?1",
	/* The live, correlating attributes of event ?2 with value ?1. */
	[Q_ATTRIBUTES] =
		"SELECT a.type, a.distribution, a.sharing_group_id,"
		" coalesce(o.distribution, -1), coalesce(o.sharing_group_id, 0)"
		" FROM attributes a LEFT JOIN objects o ON o.id = a.object_id"
		" WHERE a.value = ?1 AND a.event_id = ?2 AND a.deleted = 0"
		" AND a.disable_correlation = 0 AND coalesce(o.deleted, 0) = 0"
		" ORDER BY a.type",
	/* Values of event ?1's attributes from id ?2 on that another event
	 * contains too. */
	[Q_SCAN] = "SELECT DISTINCT a.value FROM attributes a"
		   " WHERE a.event_id = ?1 AND a.id >= ?2 AND a.deleted = 0"
		   " AND a.disable_correlation = 0 AND EXISTS (SELECT 1"
		   " FROM attributes b WHERE b.value = a.value"
		   " AND b.event_id <> ?1)",
	[Q_ROW] = "SELECT type, e_org_id, e_published, e_distribution,"
		  " e_sharing_group_id, a_distribution, a_sharing_group_id,"
		  " o_distribution, o_sharing_group_id, exact"
		  " FROM shared_values WHERE value = ?1 AND event_id = ?2",
	/* Values with a row of event ?1, among its attributes or those of
	 * its object ?2 when ?2 is not 0. */
	[Q_EVENT_ROWS] = "SELECT DISTINCT a.value FROM attributes a"
			 " WHERE a.event_id = ?1 AND (?2 = 0 OR a.object_id = ?2)"
			 " AND EXISTS (SELECT 1 FROM shared_values x"
			 " WHERE x.value = a.value AND x.event_id = ?1)",
	[Q_OTHER_ROW] = "SELECT 1 FROM shared_values WHERE value = ?1"
			" AND event_id <> ?2 LIMIT 1",
	[Q_OTHER_EVENTS] = "SELECT DISTINCT event_id FROM attributes"
			   " WHERE value = ?1 AND event_id <> ?2",
	[Q_INSERT] = "INSERT INTO shared_values (value, event_id, type,"
		     " e_org_id, e_published, e_distribution,"
		     " e_sharing_group_id, a_distribution, a_sharing_group_id,"
		     " o_distribution, o_sharing_group_id, exact)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		     " ?12)",
	[Q_DELETE] = "DELETE FROM shared_values WHERE value = ?1"
		     " AND event_id = ?2",
	/* Adds ?11 to the count of value ?1's class. */
	[Q_COUNT] = "INSERT INTO shared_counts (" STORE_SHARED_KEY ", n)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		    " ON CONFLICT (" STORE_SHARED_KEY ")"
		    " DO UPDATE SET n = n + excluded.n",
	[Q_ROWS_OF_VALUE] = "SELECT event_id FROM shared_values"
			    " WHERE value = ?1 LIMIT 2",
	[Q_DROP_ZERO_COUNTS] =
		"DELETE FROM shared_counts WHERE value = ?1 AND n = 0",
};

#define SHARED_STMTS (sizeof(shared_sql) / sizeof(shared_sql[0]))
_Static_assert(SHARED_STMTS <= STORE_SLOT_SHARED_END - STORE_SLOT_SHARED,
	       "sqlite_shared.c needs more statement slots");

static int stmt(struct store *s, int q, sqlite3_stmt **st)
{
	return store_slot_text(s, STORE_SLOT_SHARED + q, shared_sql[q], st);
}

/* Prepares statement `q` with `value` bound to ?1 and `event_id` to
 * ?2, the parameters that most statements here start with. */
static int stmt_value(struct store *s, int q, const char *value,
		      int64_t event_id, sqlite3_stmt **st)
{
	int rc = stmt(s, q, st);

	if (rc == 0) {
		sqlite3_bind_text(*st, 1, value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(*st, 2, event_id);
	}
	return rc;
}

static int failed(struct store *s, int64_t event_id)
{
	return store_failf(s, CAIRN_ESTORE,
			   "updating the shared values of event %lld failed: %s",
			   (long long)event_id, sqlite3_errmsg(store_db(s)));
}

/* Steps a statement that returns no row, then resets it. */
static int run(struct store *s, sqlite3_stmt *st, int64_t event_id)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : failed(s, event_id);
}

/* -------- the class of an event's attributes with one value -------- */

/* The sharing groups a non-owner needs for one attribute class: none
 * (0 groups), one or two, or never (-1). */
static int requirement(const struct shared_class *c, int64_t groups[2])
{
	int n = 0;

	if (c->a_distribution == 0 || c->o_distribution == 0) {
		return -1;
	}
	if (c->a_distribution == 4) {
		groups[n++] = c->a_sharing_group_id;
	}
	if (c->o_distribution == 4 &&
	    (n == 0 || groups[0] != c->o_sharing_group_id)) {
		groups[n++] = c->o_sharing_group_id;
	}
	return n;
}

/* True when every group of `a` (n of them) is among those of `b`. */
static bool subset(const int64_t *a, int na, const int64_t *b, int nb)
{
	for (int i = 0; i < na; i++) {
		bool found = false;

		for (int j = 0; j < nb; j++) {
			found = found || a[i] == b[j];
		}
		if (!found) {
			return false;
		}
	}
	return true;
}

/* Folds attribute class `next` into `best`, the class that stands for
 * those seen so far.  They come in the order of their types.  A class
 * readable by whoever reads another one wins, and two that neither
 * covers make the result inexact.  So does a winner whose type is larger
 * than the covered one's, because a viewer who reads only the winner
 * would see the larger type, while the widget shows the smallest type
 * the viewer reads, as min(a.type) does. */
static void fold(struct shared_class *best, bool *have,
		 struct shared_class *next)
{
	int64_t gb[2], gn[2];
	int nb, nn;

	if (!*have) {
		*best = *next;
		best->exact = true;
		*have = true;
		return;
	}
	if (!best->exact) {
		class_release(next);
		return;
	}
	nb = requirement(best, gb);
	nn = requirement(next, gn);
	if (nn < 0 || (nb >= 0 && subset(gb, nb, gn, nn))) {
		class_release(next); /* best is read wherever next is */
		return;
	}
	if ((nb < 0 || subset(gn, nn, gb, nb)) &&
	    strcmp(best->type, next->type) == 0) {
		class_release(best);
		*best = *next;
		best->exact = true;
		return;
	}
	best->exact = false;
	class_release(next);
}

/* The class of event `event_id`'s attributes with `value` in *out, or
 * *found false when none counts.  With *found, the caller releases
 * *out. */
static int contribution(struct store *s, const char *value, int64_t event_id,
			struct shared_class *out, bool *found)
{
	sqlite3_stmt *ev, *st;
	int64_t e[4];
	bool correlates;
	int rc = stmt(s, Q_EVENT, &ev);

	*found = false;
	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_int64(ev, 1, event_id);
	rc = sqlite3_step(ev);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(ev);
		return rc == SQLITE_DONE ? 0 : failed(s, event_id);
	}
	for (int i = 0; i < 4; i++) {
		e[i] = sqlite3_column_int64(ev, i);
	}
	correlates = sqlite3_column_int64(ev, 4) == 0;
	sqlite3_reset(ev);
	if (!correlates) {
		return 0;
	}
	rc = stmt_value(s, Q_ATTRIBUTES, value, event_id, &st);
	if (rc < 0) {
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct shared_class next = {0};
		const unsigned char *type = sqlite3_column_text(st, 0);

		memcpy(next.e, e, sizeof(e));
		next.type = strdup(type ? (const char *)type : "");
		if (!next.type) {
			sqlite3_reset(st);
			class_release(out);
			*found = false;
			return store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
		next.a_distribution = sqlite3_column_int64(st, 1);
		next.a_sharing_group_id = sqlite3_column_int64(st, 2);
		next.o_distribution = sqlite3_column_int64(st, 3);
		next.o_sharing_group_id = sqlite3_column_int64(st, 4);
		fold(out, found, &next);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		class_release(out);
		*found = false;
		return failed(s, event_id);
	}
	return 0;
}

/* -------- rows -------- */

static void bind_class(sqlite3_stmt *st, int first,
		       const struct shared_class *c)
{
	for (int i = 0; i < 4; i++) {
		sqlite3_bind_int64(st, first + i, c->e[i]);
	}
	sqlite3_bind_int64(st, first + 4, c->a_distribution);
	sqlite3_bind_int64(st, first + 5, c->a_sharing_group_id);
	sqlite3_bind_int64(st, first + 6, c->o_distribution);
	sqlite3_bind_int64(st, first + 7, c->o_sharing_group_id);
}

static int count_add(struct store *s, const char *value, int64_t event_id,
		     const struct shared_class *c, int n)
{
	sqlite3_stmt *st;
	int rc;

	if (!c->exact) {
		return 0;
	}
	rc = stmt(s, Q_COUNT, &st);
	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->type, -1, SQLITE_STATIC);
	bind_class(st, 3, c);
	sqlite3_bind_int(st, 11, n);
	return run(s, st, event_id);
}

static int row_add(struct store *s, const char *value, int64_t event_id,
		   const struct shared_class *c)
{
	sqlite3_stmt *st;
	int rc = stmt_value(s, Q_INSERT, value, event_id, &st);

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_text(st, 3, c->type, -1, SQLITE_STATIC);
	bind_class(st, 4, c);
	sqlite3_bind_int(st, 12, c->exact);
	rc = run(s, st, event_id);
	return rc < 0 ? rc : count_add(s, value, event_id, c, 1);
}

/* Removes the row of (value, event), if any, and its count. */
static int row_remove(struct store *s, const char *value, int64_t event_id)
{
	struct shared_class c = {0};
	sqlite3_stmt *st;
	int rc = stmt_value(s, Q_ROW, value, event_id, &st);

	if (rc < 0) {
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : failed(s, event_id);
	}
	c.type = strdup((const char *)sqlite3_column_text(st, 0));
	if (!c.type) {
		sqlite3_reset(st);
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	for (int i = 0; i < 4; i++) {
		c.e[i] = sqlite3_column_int64(st, 1 + i);
	}
	c.a_distribution = sqlite3_column_int64(st, 5);
	c.a_sharing_group_id = sqlite3_column_int64(st, 6);
	c.o_distribution = sqlite3_column_int64(st, 7);
	c.o_sharing_group_id = sqlite3_column_int64(st, 8);
	c.exact = sqlite3_column_int64(st, 9) != 0;
	sqlite3_reset(st);
	rc = stmt_value(s, Q_DELETE, value, event_id, &st);
	if (rc == 0) {
		rc = run(s, st, event_id);
	}
	if (rc == 0) {
		rc = count_add(s, value, event_id, &c, -1);
	}
	if (rc == 0 && c.exact) {
		rc = stmt(s, Q_DROP_ZERO_COUNTS, &st);
	}
	if (rc == 0 && c.exact) {
		sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
		rc = run(s, st, event_id);
	}
	class_release(&c);
	return rc;
}

/* True when `value` has a row of an event other than `event_id`. */
static int other_row(struct store *s, const char *value, int64_t event_id,
		     bool *found)
{
	sqlite3_stmt *st;
	int rc = stmt_value(s, Q_OTHER_ROW, value, event_id, &st);

	if (rc < 0) {
		return rc;
	}
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : failed(s, event_id);
}

/* Adds the rows of the other events that contain a newly shared value,
 * and counts them in *added. */
static int add_others(struct store *s, const char *value, int64_t event_id,
		      int *added)
{
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc = stmt_value(s, Q_OTHER_EVENTS, value, event_id, &st);

	*added = 0;
	if (rc < 0) {
		return rc;
	}
	/* The ids are read first: adding a row steps Q_ATTRIBUTES, which
	 * reads the index that this cursor is on. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			void *p = realloc(ids, (cap = cap ? cap * 2 : 8) *
						       sizeof(*ids));

			if (!p) {
				sqlite3_reset(st);
				free(ids);
				return store_failf(s, CAIRN_ENOMEM,
						   "out of memory");
			}
			ids = p;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? 0 : failed(s, event_id);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct shared_class c = {0};
		bool found;

		rc = contribution(s, value, ids[i], &c, &found);
		if (rc == 0 && found) {
			rc = row_add(s, value, ids[i], &c);
			(*added)++;
		}
		class_release(&c);
	}
	free(ids);
	return rc;
}

/* Drops the last row of a value that only one event contains now. */
static int drop_lone(struct store *s, const char *value, int64_t event_id)
{
	sqlite3_stmt *st;
	int64_t only = 0;
	int rows = 0;
	int rc = stmt(s, Q_ROWS_OF_VALUE, &st);

	if (rc < 0) {
		return rc;
	}
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		only = sqlite3_column_int64(st, 0);
		rows++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		return failed(s, event_id);
	}
	return rows == 1 ? row_remove(s, value, only) : 0;
}

/* Brings the rows of (value, event) in line with the attributes. */
static int recheck(struct store *s, const char *value, int64_t event_id)
{
	struct shared_class c = {0};
	bool found, others;
	int added;
	int rc = row_remove(s, value, event_id);

	if (rc == 0) {
		rc = contribution(s, value, event_id, &c, &found);
	}
	if (rc < 0) {
		return rc;
	}
	if (!found) {
		return drop_lone(s, value, event_id);
	}
	rc = other_row(s, value, event_id, &others);
	if (rc == 0 && !others) {
		rc = add_others(s, value, event_id, &added);
		others = added > 0;
	}
	if (rc == 0 && others) {
		rc = row_add(s, value, event_id, &c);
	}
	class_release(&c);
	return rc;
}

/* -------- notes and the commit -------- */

static struct shared_notes *notes(struct store *s)
{
	return &store_counts_state(s)->shared;
}

static struct shared_event_note *event_note(struct store *s, int64_t event_id)
{
	struct shared_notes *sn = notes(s);

	for (size_t i = sn->len; i > 0; i--) {
		if (sn->events[i - 1].event_id == event_id) {
			return &sn->events[i - 1];
		}
	}
	if (sn->len == sn->cap) {
		size_t cap = sn->cap ? sn->cap * 2 : 16;
		void *p = realloc(sn->events, cap * sizeof(*sn->events));

		if (!p) {
			return NULL;
		}
		sn->events = p;
		sn->cap = cap;
	}
	sn->events[sn->len] = (struct shared_event_note){.event_id = event_id};
	return &sn->events[sn->len++];
}

int shared_note_event(struct store *s, int64_t event_id)
{
	struct shared_event_note *n = event_note(s, event_id);

	if (!n) {
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	n->whole = true;
	return 0;
}

int shared_note_inserted(struct store *s, int64_t event_id,
			 int64_t attribute_id)
{
	struct shared_event_note *n = event_note(s, event_id);

	if (!n) {
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	if (n->scan_from == 0 || attribute_id < n->scan_from) {
		n->scan_from = attribute_id;
	}
	return 0;
}

int shared_note_value(struct store *s, int64_t event_id, const char *value)
{
	struct shared_notes *sn = notes(s);
	struct shared_pair_note *p;

	if (sn->pairs_len == sn->pairs_cap) {
		size_t cap = sn->pairs_cap ? sn->pairs_cap * 2 : 16;
		void *q = realloc(sn->pairs, cap * sizeof(*sn->pairs));

		if (!q) {
			return store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
		sn->pairs = q;
		sn->pairs_cap = cap;
	}
	p = &sn->pairs[sn->pairs_len];
	p->event_id = event_id;
	p->value = strdup(value);
	if (!p->value) {
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	sn->pairs_len++;
	return 0;
}

void shared_forget(struct shared_notes *sn)
{
	for (size_t i = 0; i < sn->pairs_len; i++) {
		free(sn->pairs[i].value);
	}
	sn->pairs_len = 0;
	sn->len = 0;
}

void shared_release(struct shared_notes *sn)
{
	shared_forget(sn);
	free(sn->pairs);
	free(sn->events);
	memset(sn, 0, sizeof(*sn));
}

/* A list of values read by one statement, so that the rechecks run
 * after its cursor is closed. */
struct values {
	char **v;
	size_t len, cap;
};

static void values_free(struct values *vs)
{
	for (size_t i = 0; i < vs->len; i++) {
		free(vs->v[i]);
	}
	free(vs->v);
}

static int values_read(struct store *s, sqlite3_stmt *st, int64_t event_id,
		       struct values *out)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (out->len == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 64;
			void *p = realloc(out->v, cap * sizeof(*out->v));

			if (!p) {
				sqlite3_reset(st);
				return store_failf(s, CAIRN_ENOMEM,
						   "out of memory");
			}
			out->v = p;
			out->cap = cap;
		}
		out->v[out->len] = strdup(v ? v : "");
		if (!out->v[out->len]) {
			sqlite3_reset(st);
			return store_failf(s, CAIRN_ENOMEM, "out of memory");
		}
		out->len++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : failed(s, event_id);
}

int shared_note_removal(struct store *s, int64_t event_id, int64_t object_id)
{
	struct values vs = {0};
	sqlite3_stmt *st;
	int rc = stmt(s, Q_EVENT_ROWS, &st);

	if (rc == 0) {
		sqlite3_bind_int64(st, 1, event_id);
		sqlite3_bind_int64(st, 2, object_id);
		rc = values_read(s, st, event_id, &vs);
	}
	for (size_t i = 0; i < vs.len && rc == 0; i++) {
		rc = shared_note_value(s, event_id, vs.v[i]);
	}
	values_free(&vs);
	return rc;
}

/* Rechecks the values of event `n`'s attributes that another event
 * contains too, from the noted id on, or all of them after a change of
 * the event's class.  A value the event no longer contains was noted on
 * its own by the edit or removal. */
static int flush_event(struct store *s, const struct shared_event_note *n)
{
	struct values vs = {0};
	sqlite3_stmt *st;
	int64_t from = n->whole ? 1 : n->scan_from;
	int rc;

	if (from == 0) {
		return 0;
	}
	rc = stmt(s, Q_SCAN, &st);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, n->event_id);
		sqlite3_bind_int64(st, 2, from);
		rc = values_read(s, st, n->event_id, &vs);
	}
	for (size_t i = 0; i < vs.len && rc == 0; i++) {
		/* An event of this transaction may have a row already: an
		 * earlier recheck adds the rows of every event that contains a
		 * newly shared value. */
		rc = recheck(s, vs.v[i], n->event_id);
	}
	values_free(&vs);
	return rc;
}

int shared_flush(struct store *s)
{
	struct shared_notes *sn = notes(s);
	int rc = 0;

	for (size_t i = 0; i < sn->len && rc == 0; i++) {
		rc = flush_event(s, &sn->events[i]);
	}
	for (size_t i = 0; i < sn->pairs_len && rc == 0; i++) {
		rc = recheck(s, sn->pairs[i].value, sn->pairs[i].event_id);
	}
	return rc;
}
