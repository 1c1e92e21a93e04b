/*
 * The SQL of attributes/restSearch and events/restSearch.
 *
 * Each filter of struct store_search is one row of `filters` below: the
 * condition that it adds and the parameter that it binds.  List filters
 * bind a JSON array and test membership with json_each, so one text
 * serves a single value and a list alike.  The visibility conditions of
 * store/visibility.h join the same statement, so a row the viewer may not
 * see is never read.  The statement text depends on which filters are
 * set, so it is prepared for each search.
 */
#include "store/internal.h"
#include "store/visibility.h"

#include "core/buf.h"
#include "model/misp.h"

#include <stddef.h>

enum filter_kind { FILTER_LIST, FILTER_INT };

struct filter {
	enum filter_kind kind;
	size_t offset;         /* of the member in struct store_search */
	const char *param;     /* the named parameter it binds */
	const char *attribute; /* condition on attribute a of event e */
	const char *event;     /* condition on event e, or NULL when the
				* event search tests it on attributes */
};

#define IN_LIST(column, param)                                                 \
	column " IN (SELECT value FROM json_each(" param "))"

static const struct filter filters[] = {
	{FILTER_LIST, offsetof(struct store_search, values), ":f_value",
	 IN_LIST("a.value", ":f_value"), NULL},
	{FILTER_LIST, offsetof(struct store_search, types), ":f_type",
	 IN_LIST("a.type", ":f_type"), NULL},
	{FILTER_LIST, offsetof(struct store_search, uuids), ":f_uuid",
	 "(" IN_LIST("a.uuid", ":f_uuid") " OR " IN_LIST("e.uuid", ":f_uuid")
	 ")",
	 NULL},
	{FILTER_LIST, offsetof(struct store_search, event_ids), ":f_eventid",
	 IN_LIST("a.event_id", ":f_eventid"),
	 IN_LIST("e.id", ":f_eventid")},
	{FILTER_INT, offsetof(struct store_search, published), ":f_published",
	 "e.published = :f_published", "e.published = :f_published"},
};

#define NFILTERS (sizeof(filters) / sizeof(filters[0]))

static const char *filter_text(const struct store_search *q,
			       const struct filter *f)
{
	return *(const char *const *)((const char *)q + f->offset);
}

static int filter_int(const struct store_search *q, const struct filter *f)
{
	return *(const int *)((const char *)q + f->offset);
}

static bool filter_set(const struct store_search *q, const struct filter *f)
{
	if (f->kind == FILTER_INT) {
		return filter_int(q, f) >= 0;
	}
	return filter_text(q, f) != NULL;
}

struct search_bind {
	const struct store_viewer *v;
	const struct store_search *q;
};

static int search_bind(sqlite3_stmt *st, const void *ctx)
{
	const struct search_bind *b = ctx;
	int64_t limit = b->q->limit;
	int64_t page = b->q->page > 0 ? b->q->page : 1;
	int rc = visibility_bind(st, b->v);

	for (size_t i = 0; rc == SQLITE_OK && i < NFILTERS; i++) {
		const struct filter *f = &filters[i];
		int n = sqlite3_bind_parameter_index(st, f->param);

		if (n == 0) {
			continue;
		}
		if (f->kind == FILTER_INT) {
			rc = sqlite3_bind_int(st, n, filter_int(b->q, f));
		} else {
			rc = sqlite3_bind_text(st, n, filter_text(b->q, f), -1,
					       SQLITE_STATIC);
		}
	}
	if (rc == SQLITE_OK && sqlite3_bind_parameter_index(st, ":limit")) {
		rc = sqlite3_bind_int64(st,
					sqlite3_bind_parameter_index(st,
								     ":limit"),
					limit > 0 ? limit : -1);
	}
	if (rc == SQLITE_OK && sqlite3_bind_parameter_index(st, ":offset")) {
		rc = sqlite3_bind_int64(
			st, sqlite3_bind_parameter_index(st, ":offset"),
			limit > 0 ? (page - 1) * limit : 0);
	}
	return rc;
}

/* The conditions that keep a live attribute `a` (object `o`, nullable)
 * of event `e` that the viewer may see. */
static int attribute_live_visible(struct buf *sql,
				  const struct store_viewer *v)
{
	if (buf_adds(sql, " AND a.deleted = 0 AND coalesce(o.deleted, 0) = 0") <
		    0 ||
	    visibility_event(sql, v, "e") < 0 ||
	    visibility_element(sql, v, "a", "e", false) < 0 ||
	    visibility_element(sql, v, "o", "e", true) < 0) {
		return -1;
	}
	return 0;
}

/* Appends " AND <condition>" for every set filter, the attribute form
 * when `attribute` is true and the event form otherwise (skipping the
 * filters that have none). */
static int add_filters(struct buf *sql, const struct store_search *q,
		       bool attribute)
{
	for (size_t i = 0; i < NFILTERS; i++) {
		const char *cond = attribute ? filters[i].attribute
					     : filters[i].event;

		if (!filter_set(q, &filters[i]) || !cond) {
			continue;
		}
		if (buf_adds(sql, " AND ") < 0 || buf_adds(sql, cond) < 0) {
			return -1;
		}
	}
	return 0;
}

static bool has_attribute_filter(const struct store_search *q)
{
	return q->values || q->types || q->uuids;
}

int store_search_attributes(struct store *s, const struct store_viewer *v,
			    const struct store_search *q,
			    struct store_cursor **out)
{
	struct search_bind b = {v, q};
	struct buf sql = BUF_INIT;
	int rc = 0;

	if (buf_adds(&sql, "attributes a JOIN events e ON e.id = a.event_id"
			   " LEFT JOIN objects o ON o.id = a.object_id"
			   " WHERE 1") < 0 ||
	    add_filters(&sql, q, true) < 0 ||
	    attribute_live_visible(&sql, v) < 0 ||
	    buf_adds(&sql, " ORDER BY a.id LIMIT :limit OFFSET :offset") < 0) {
		rc = store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	if (rc == 0) {
		rc = store_cursor_open_sql(s, &model_attribute, "a",
					   "a.event_id", buf_str(&sql),
					   search_bind, &b, out);
	}
	buf_release(&sql);
	return rc;
}

/* Builds the event search: event filters on e, and the attribute filters
 * as an EXISTS over the event's live attributes that the viewer may see.
 * A uuid filter matches the event's uuid or such an attribute's. */
static int build_event_search(struct buf *sql, const struct store_viewer *v,
			      const struct store_search *q)
{
	struct store_search attr = STORE_SEARCH_INIT;

	attr.values = q->values;
	attr.types = q->types;
	if (buf_adds(sql, "SELECT e.id FROM events e WHERE 1") < 0 ||
	    add_filters(sql, q, false) < 0 ||
	    visibility_event(sql, v, "e") < 0) {
		return -1;
	}
	if (q->uuids &&
	    buf_adds(sql, " AND (" IN_LIST("e.uuid", ":f_uuid")
			  " OR EXISTS (SELECT 1 FROM attributes a"
			  " LEFT JOIN objects o ON o.id = a.object_id"
			  " WHERE a.event_id = e.id"
			  " AND " IN_LIST("a.uuid", ":f_uuid")) < 0) {
		return -1;
	}
	if (q->uuids && (attribute_live_visible(sql, v) < 0 ||
			 buf_adds(sql, "))") < 0)) {
		return -1;
	}
	if (has_attribute_filter(&attr) &&
	    (buf_adds(sql, " AND EXISTS (SELECT 1 FROM attributes a"
			   " LEFT JOIN objects o ON o.id = a.object_id"
			   " WHERE a.event_id = e.id") < 0 ||
	     add_filters(sql, &attr, true) < 0 ||
	     attribute_live_visible(sql, v) < 0 || buf_adds(sql, ")") < 0)) {
		return -1;
	}
	return buf_adds(sql, " ORDER BY e.id LIMIT :limit OFFSET :offset");
}

int store_search_events(struct store *s, const struct store_viewer *v,
			const struct store_search *q,
			int (*fn)(void *ctx, int64_t event_id), void *ctx)
{
	struct search_bind b = {v, q};
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (build_event_search(&sql, v, q) < 0) {
		rc = store_failf(s, CAIRN_ENOMEM, "out of memory");
	} else if (sqlite3_prepare_v2(store_db(s), buf_str(&sql), -1, &st,
				      NULL) != SQLITE_OK ||
		   search_bind(st, &b) != SQLITE_OK) {
		rc = store_fail_sqlite(s);
	}
	buf_release(&sql);
	while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = fn(ctx, sqlite3_column_int64(st, 0));
	}
	if (rc == SQLITE_DONE) {
		rc = 0;
	} else if (rc > 0) {
		rc = store_fail_sqlite(s);
	}
	sqlite3_finalize(st);
	return rc;
}
