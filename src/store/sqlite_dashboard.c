/*
 * The dashboard's queries (store/dashboard.h).
 *
 * A widget's text is a list of parts; each part is SQL followed by the
 * visibility conditions of its aliases, so a query made of several
 * SELECTs (a UNION, a sum of counts) gets the conditions of each.  The
 * statements are prepared per call: a widget is asked a few times a
 * minute at most, and the text differs for site admins.
 */
#include "store/dashboard.h"
#include "store/internal.h"
#include "store/visibility.h"

#include <string.h>

/* Conditions a part needs, as flags on the usual aliases: e the event,
 * a the attribute, o its object (LEFT JOINed, so it may be NULL), ob an
 * object row, l a sighting, t a tag. */
enum {
	V_EVENT = 1 << 0,
	V_ATTRIBUTE = 1 << 1,
	V_OBJECT_OF_ATTRIBUTE = 1 << 2,
	V_OBJECT = 1 << 3,
	V_SIGHTING = 1 << 4,
	V_TAG = 1 << 5,
	V_COUNTS = 1 << 6,
};
#define V_LIVE_ATTRIBUTE (V_EVENT | V_ATTRIBUTE | V_OBJECT_OF_ATTRIBUTE)

struct part {
	const char *sql;
	unsigned vis;
};

#define MAX_PARTS 10

/* An attribute that counts: not deleted, in a live object or none. */
#define ATTR_FROM                                                              \
	" FROM attributes a JOIN events e ON e.id = a.event_id"              \
	" LEFT JOIN objects o ON o.id = a.object_id"                          \
	" WHERE a.deleted = 0 AND coalesce(o.deleted, 0) = 0"
#define IN_RANGE " AND e.date >= :from AND e.date <= :to"

/* The same attributes, counted per visibility class and dimension on
 * write (sqlite_counts.c): c.n attributes of type c.type and category
 * c.category in events of date c.day.  V_COUNTS applies the conditions
 * of V_LIVE_ATTRIBUTE to the class columns. */
#define COUNTS_FROM " FROM attribute_counts c WHERE c.n > 0"
#define COUNTS_IN_RANGE " AND c.day >= :from AND c.day <= :to"
#define TOP " ORDER BY count DESC, name LIMIT :limit"

/* The values that two events or more share, kept on write
 * (sqlite_shared.c): each row is a value with n events of one class, or
 * one event whose attributes with the value have no single class, which
 * are then read: the smallest type among those the viewer reads, or
 * NULL when it reads none.  A value is correlated for the viewer when it
 * can read two such events. */
#define SHARED_EXACT                                                           \
	" (SELECT c.value AS value, c.type AS type, c.n AS n"                  \
	" FROM shared_counts c WHERE c.n > 0"
#define SHARED_INEXACT_TYPE                                                    \
	" UNION ALL SELECT value, type, 1 FROM (SELECT x.value AS value,"     \
	" (SELECT min(a.type) FROM attributes a"                              \
	" LEFT JOIN objects o ON o.id = a.object_id"                          \
	" WHERE a.value = x.value AND a.event_id = x.event_id"                \
	" AND a.deleted = 0 AND a.disable_correlation = 0"                    \
	" AND coalesce(o.deleted, 0) = 0"
#define SHARED_INEXACT                                                         \
	") AS type FROM shared_values x"                                       \
	" JOIN events e ON e.id = x.event_id WHERE x.exact = 0"
#define SHARED_PARTS(tail)                                                     \
	{SHARED_EXACT, V_COUNTS},                                              \
	{SHARED_INEXACT_TYPE, V_ATTRIBUTE | V_OBJECT_OF_ATTRIBUTE},            \
	{SHARED_INEXACT, V_EVENT},                                             \
	{") WHERE type IS NOT NULL)" tail, 0}

static const struct part widgets[DASH_WIDGET_COUNT][MAX_PARTS] = {
	[DASH_TOTALS] = {
		{"SELECT 'events' AS name, count(*) AS count"
		 " FROM events e WHERE 1 = 1", V_EVENT},
		{" UNION ALL SELECT 'attributes', coalesce(sum(c.n), 0)"
		 COUNTS_FROM, V_COUNTS},
		/* TODO: objects and sightings are counted from their rows,
		 * so these two totals grow with the objects and sightings. */
		{" UNION ALL SELECT 'objects', count(*) FROM objects ob"
		 " JOIN events e ON e.id = ob.event_id WHERE ob.deleted = 0",
		 V_EVENT | V_OBJECT},
		{" UNION ALL SELECT 'organisations', count(*) FROM orgs", 0},
		/* The rows of the correlated values widget. */
		{" UNION ALL SELECT 'correlations', count(*) FROM"
		 " (SELECT value FROM", 0},
		SHARED_PARTS(" GROUP BY value HAVING sum(n) > 1)"),
		/* CROSS JOIN keeps the sightings first: with few of them
		 * and no statistics the planner would read every attribute
		 * and look up its sightings. */
		{" UNION ALL SELECT 'sightings', count(*) FROM sightings l"
		 " CROSS JOIN attributes a ON a.id = l.attribute_id"
		 " JOIN events e ON e.id = a.event_id"
		 " LEFT JOIN objects o ON o.id = a.object_id"
		 " WHERE a.deleted = 0 AND coalesce(o.deleted, 0) = 0",
		 V_LIVE_ATTRIBUTE | V_SIGHTING},
	},
	[DASH_TIMELINE] = {
		{"SELECT period, sum(ev) AS events, sum(at) AS attributes FROM"
		 " (SELECT substr(e.date, 1, :len) AS period, 1 AS ev, 0 AS at"
		 " FROM events e WHERE 1 = 1" IN_RANGE, V_EVENT},
		{" UNION ALL SELECT substr(c.day, 1, :len), 0, c.n" COUNTS_FROM
		 COUNTS_IN_RANGE, V_COUNTS},
		{") GROUP BY period ORDER BY period", 0},
	},
	[DASH_ATTRIBUTE_TYPES] = {
		{"SELECT c.type AS name, sum(c.n) AS count" COUNTS_FROM
		 COUNTS_IN_RANGE, V_COUNTS},
		{" GROUP BY c.type" TOP, 0},
	},
	[DASH_ATTRIBUTE_CATEGORIES] = {
		{"SELECT c.category AS name, sum(c.n) AS count" COUNTS_FROM
		 COUNTS_IN_RANGE, V_COUNTS},
		{" GROUP BY c.category" TOP, 0},
	},
	[DASH_THREAT_LEVELS] = {
		{"SELECT e.threat_level_id AS id, count(*) AS count"
		 " FROM events e WHERE 1 = 1" IN_RANGE, V_EVENT},
		{" GROUP BY e.threat_level_id ORDER BY id", 0},
	},
	[DASH_ANALYSIS] = {
		{"SELECT e.analysis AS id, count(*) AS count"
		 " FROM events e WHERE 1 = 1" IN_RANGE, V_EVENT},
		{" GROUP BY e.analysis ORDER BY id", 0},
	},
	[DASH_TOP_TAGS] = {
		{"SELECT t.id AS id, t.name AS name, t.colour AS colour,"
		 " count(*) AS count FROM event_tags et"
		 " JOIN tags t ON t.id = et.tag_id"
		 " JOIN events e ON e.id = et.event_id"
		 " WHERE t.name NOT LIKE 'misp-galaxy:%'" IN_RANGE,
		 V_EVENT | V_TAG},
		{" GROUP BY t.id" TOP, 0},
	},
	[DASH_TOP_TAXONOMIES] = {
		{"SELECT substr(t.name, 1, instr(t.name, ':') - 1) AS name,"
		 " count(DISTINCT et.event_id) AS count FROM event_tags et"
		 " JOIN tags t ON t.id = et.tag_id"
		 " JOIN events e ON e.id = et.event_id"
		 " WHERE instr(t.name, ':') > 1"
		 " AND t.name NOT LIKE 'misp-galaxy:%'" IN_RANGE,
		 V_EVENT | V_TAG},
		{" GROUP BY 1" TOP, 0},
	},
	[DASH_TOP_ORGS] = {
		{"SELECT g.id AS id, g.name AS name, count(*) AS count,"
		 " sum(e.attribute_count) AS attributes"
		 " FROM events e JOIN orgs g ON g.id = e.orgc_id WHERE 1 = 1"
		 IN_RANGE, V_EVENT},
		{" GROUP BY g.id" TOP, 0},
	},
	[DASH_CORRELATED_VALUES] = {
		{"SELECT value, min(type) AS type, sum(n) AS count FROM", 0},
		SHARED_PARTS(" GROUP BY value HAVING sum(n) > 1"
			     " ORDER BY count DESC, value LIMIT :limit"),
	},
	[DASH_RECENT_SIGHTINGS] = {
		{"SELECT l.id AS id, l.date_sighting AS date_sighting,"
		 " l.type AS type, l.source AS source,"
		 " a.id AS attribute_id, a.type AS attribute_type,"
		 " a.value AS value, e.id AS event_id, e.info AS event_info"
		 " FROM sightings l"
		 " JOIN attributes a ON a.id = l.attribute_id"
		 " JOIN events e ON e.id = a.event_id"
		 " LEFT JOIN objects o ON o.id = a.object_id"
		 " WHERE a.deleted = 0 AND coalesce(o.deleted, 0) = 0",
		 V_LIVE_ATTRIBUTE | V_SIGHTING},
		{" ORDER BY l.date_sighting DESC, l.id DESC LIMIT :limit", 0},
	},
	/* Clusters on an event, or on one of its attributes that the
	 * viewer may read; each counts the events it appears in.  Events
	 * bring their own copies of a cluster, under other UUIDs, so the
	 * rows group by the cluster's value. */
	[DASH_ATTACK_PATTERNS] = {
		{"SELECT min(c.id) AS id, min(c.uuid) AS uuid, c.value AS name,"
		 " min(c.tag_name) AS tag, min(c.cluster_json) AS cluster,"
		 " count(DISTINCT x.event_id) AS count FROM"
		 " (SELECT ec.event_id AS event_id, ec.cluster_id AS cluster_id"
		 " FROM event_clusters ec JOIN events e ON e.id = ec.event_id"
		 " WHERE 1 = 1" IN_RANGE, V_EVENT},
		{" UNION ALL SELECT ac.event_id, ac.cluster_id"
		 " FROM attribute_clusters ac"
		 " JOIN attributes a ON a.id = ac.attribute_id"
		 " JOIN events e ON e.id = ac.event_id"
		 " LEFT JOIN objects o ON o.id = a.object_id"
		 " WHERE a.deleted = 0 AND coalesce(o.deleted, 0) = 0" IN_RANGE,
		 V_LIVE_ATTRIBUTE},
		{") x JOIN galaxy_clusters c ON c.id = x.cluster_id"
		 " WHERE c.type = 'mitre-attack-pattern'"
		 " GROUP BY c.value ORDER BY count DESC, name", 0},
	},
	[DASH_LATEST_EVENTS] = {
		{"SELECT e.id AS id, e.uuid AS uuid, e.info AS info,"
		 " e.date AS date, e.threat_level_id AS threat_level_id,"
		 " e.analysis AS analysis, e.published AS published,"
		 " e.attribute_count AS attribute_count,"
		 " e.timestamp AS timestamp, g.name AS org"
		 " FROM events e JOIN orgs g ON g.id = e.orgc_id WHERE 1 = 1",
		 V_EVENT},
		{" ORDER BY e.timestamp DESC, e.id DESC LIMIT :limit", 0},
	},
};

static int part_conditions(struct buf *sql, const struct store_viewer *v,
			   unsigned vis)
{
	if ((vis & V_EVENT) && visibility_event(sql, v, "e") < 0) {
		return CAIRN_ENOMEM;
	}
	if ((vis & V_ATTRIBUTE) &&
	    visibility_element(sql, v, "a", "e", false) < 0) {
		return CAIRN_ENOMEM;
	}
	if ((vis & V_OBJECT_OF_ATTRIBUTE) &&
	    visibility_element(sql, v, "o", "e", true) < 0) {
		return CAIRN_ENOMEM;
	}
	if ((vis & V_OBJECT) &&
	    visibility_element(sql, v, "ob", "e", false) < 0) {
		return CAIRN_ENOMEM;
	}
	if ((vis & V_SIGHTING) && visibility_sighting(sql, v, "l") < 0) {
		return CAIRN_ENOMEM;
	}
	if ((vis & V_TAG) && visibility_tag(sql, v, "t") < 0) {
		return CAIRN_ENOMEM;
	}
	if ((vis & V_COUNTS) &&
	    (visibility_event_class(sql, v, "c.e") < 0 ||
	     visibility_element_class(sql, v, "c.a", "c.e", false) < 0 ||
	     visibility_element_class(sql, v, "c.o", "c.e", true) < 0)) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

static int widget_sql(struct buf *sql, const struct store_viewer *v,
		      enum store_dash_widget w)
{
	for (int i = 0; i < MAX_PARTS && widgets[w][i].sql; i++) {
		if (buf_adds(sql, widgets[w][i].sql) < 0 ||
		    part_conditions(sql, v, widgets[w][i].vis) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

static int bind_named_text(sqlite3_stmt *st, const char *name,
			   const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	return i > 0 ? sqlite3_bind_text(st, i, value, -1, SQLITE_STATIC)
		     : SQLITE_OK;
}

static int bind_named_int(sqlite3_stmt *st, const char *name, int64_t value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	return i > 0 ? sqlite3_bind_int64(st, i, value) : SQLITE_OK;
}

static int widget_bind(sqlite3_stmt *st, const struct store_viewer *v,
		       const struct store_dash_params *p)
{
	int rc = visibility_bind(st, v);

	if (rc == SQLITE_OK) {
		rc = bind_named_text(st, ":from", p->from ? p->from : "");
	}
	if (rc == SQLITE_OK) {
		/* Every date sorts before "~", the byte after the letters. */
		rc = bind_named_text(st, ":to", p->to ? p->to : "~");
	}
	if (rc == SQLITE_OK) {
		rc = bind_named_int(st, ":len", p->bucket_len ? p->bucket_len
							       : 7);
	}
	if (rc == SQLITE_OK) {
		rc = bind_named_int(st, ":limit", p->limit > 0 ? p->limit : 10);
	}
	return rc;
}

/* Hands one row to `fn` as cells. */
static int widget_row(sqlite3_stmt *st, store_dash_row_fn fn, void *ctx)
{
	struct store_dash_cell cells[16];
	int n = sqlite3_column_count(st);

	if (n > 16) {
		n = 16;
	}
	for (int i = 0; i < n; i++) {
		int type = sqlite3_column_type(st, i);

		cells[i].name = sqlite3_column_name(st, i);
		cells[i].is_int = type == SQLITE_INTEGER;
		cells[i].num = sqlite3_column_int64(st, i);
		cells[i].text = type == SQLITE_NULL
					? NULL
					: (const char *)sqlite3_column_text(st,
									    i);
	}
	return fn(ctx, cells, n);
}

int store_dashboard(struct store *s, const struct store_viewer *v,
		    enum store_dash_widget w, const struct store_dash_params *p,
		    store_dash_row_fn fn, void *ctx, struct cairn_err *e)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((unsigned)w >= DASH_WIDGET_COUNT) {
		return cairn_err_set(e, CAIRN_EINVAL, "unknown widget %d", w);
	}
	if (widget_sql(&sql, v, w) < 0) {
		buf_release(&sql);
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	rc = sqlite3_prepare_v2(store_db(s), buf_str(&sql), -1, &st, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK || widget_bind(st, v, p) != SQLITE_OK) {
		rc = cairn_err_set(e, CAIRN_ESTORE, "dashboard query failed: %s",
				   sqlite3_errmsg(store_db(s)));
		sqlite3_finalize(st);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int cb = widget_row(st, fn, ctx);

		if (cb < 0) {
			sqlite3_finalize(st);
			return cb;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = cairn_err_set(e, CAIRN_ESTORE, "dashboard query failed: %s",
				   sqlite3_errmsg(store_db(s)));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}
