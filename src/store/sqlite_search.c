/*
 * The SQL of the searches of store/search.h.
 *
 * Each field of enum store_search_field is one row of `fields`: its column
 * in each kind of search.  A field without a column in an event or object
 * search is a condition on attributes, and those conditions go together
 * into one subquery, "an attribute of this event (object) that the viewer
 * may see matches them all".  Each operator is one fixed template, and
 * condition i binds the parameter :c<i>, so the statement text depends
 * only on which fields and operators a search uses, never on a value.
 * The visibility conditions of store/visibility.h join the same
 * statement, so a row the viewer may not see is never read.
 *
 * Value lookups read the index attributes_value, plus, for the second
 * half of a composite value ("ip-dst|port"), the partial index
 * attributes_value2 of migration 9.
 */
#include "store/internal.h"
#include "store/search.h"
#include "store/visibility.h"

#include "core/buf.h"
#include "model/misp.h"

#include <stdio.h>
#include <stdlib.h>

/* Columns of a field; NULL in `event` or `object` makes the field an
 * attribute condition there, and NULL in `attribute` makes it sighting
 * only.  Special fields have their own SQL below. */
struct field_columns {
	const char *attribute; /* attribute and sighting searches */
	const char *event;
	const char *object;
	const char *sighting;
	bool special;
};

static const struct field_columns fields[SEARCH_FIELD_COUNT] = {
    [SEARCH_VALUE] = {NULL, NULL, NULL, NULL, true},
    [SEARCH_TYPE] = {"a.type", NULL, NULL, NULL, false},
    [SEARCH_CATEGORY] = {"a.category", NULL, NULL, NULL, false},
    [SEARCH_UUID] = {NULL, NULL, NULL, NULL, true},
    [SEARCH_EVENT_ID] = {"a.event_id", "e.id", "o.event_id", NULL, false},
    [SEARCH_ATTRIBUTE_ID] = {"a.id", NULL, NULL, NULL, false},
    [SEARCH_ORG] = {"e.orgc_id", "e.orgc_id", "e.orgc_id", NULL, false},
    [SEARCH_EVENT_INFO] = {"e.info", "e.info", "e.info", NULL, false},
    [SEARCH_DATE] = {"e.date", "e.date", "e.date", NULL, false},
    [SEARCH_PUBLISH_TIMESTAMP] = {"e.publish_timestamp", "e.publish_timestamp",
				  "e.publish_timestamp", NULL, false},
    [SEARCH_TIMESTAMP] = {"a.timestamp", "e.timestamp", "o.timestamp", NULL,
			  false},
    [SEARCH_EVENT_TIMESTAMP] = {"e.timestamp", "e.timestamp", "e.timestamp",
				NULL, false},
    [SEARCH_FIRST_SEEN] = {"a.first_seen", NULL, "o.first_seen", NULL, false},
    [SEARCH_LAST_SEEN] = {"a.last_seen", NULL, "o.last_seen", NULL, false},
    [SEARCH_PUBLISHED] = {"e.published", "e.published", "e.published", NULL,
			  false},
    [SEARCH_TO_IDS] = {"a.to_ids", NULL, NULL, NULL, false},
    [SEARCH_THREAT_LEVEL] = {"e.threat_level_id", "e.threat_level_id",
			     "e.threat_level_id", NULL, false},
    [SEARCH_ANALYSIS] = {"e.analysis", "e.analysis", "e.analysis", NULL, false},
    [SEARCH_DISTRIBUTION] = {"a.distribution", "e.distribution",
			     "o.distribution", NULL, false},
    [SEARCH_SHARING_GROUP] = {"a.sharing_group_id", "e.sharing_group_id",
			      "o.sharing_group_id", NULL, false},
    [SEARCH_OBJECT_RELATION] = {"a.object_relation", NULL, NULL, NULL, false},
    [SEARCH_TAG] = {NULL, NULL, NULL, NULL, true},
    [SEARCH_SEARCHALL] = {NULL, NULL, NULL, NULL, true},
    [SEARCH_SIGHTING_TYPE] = {NULL, NULL, NULL, "l.type", false},
    [SEARCH_SIGHTING_SOURCE] = {NULL, NULL, NULL, "l.source", false},
    [SEARCH_SIGHTING_ORG] = {NULL, NULL, NULL, "l.org_id", false},
    [SEARCH_SIGHTING_DATE] = {NULL, NULL, NULL, "l.date_sighting", false},
};

/* Columns of the events/index sort orders. */
static const char *const sort_columns[] = {
    [SEARCH_SORT_ID] = "e.id",
    [SEARCH_SORT_DATE] = "e.date",
    [SEARCH_SORT_TIMESTAMP] = "e.timestamp",
    [SEARCH_SORT_PUBLISH_TIMESTAMP] = "e.publish_timestamp",
    [SEARCH_SORT_INFO] = "e.info",
    [SEARCH_SORT_THREAT_LEVEL] = "e.threat_level_id",
    [SEARCH_SORT_ANALYSIS] = "e.analysis",
    [SEARCH_SORT_DISTRIBUTION] = "e.distribution",
    [SEARCH_SORT_ATTRIBUTE_COUNT] = "e.attribute_count",
    [SEARCH_SORT_ORGC] = "e.orgc_id",
    [SEARCH_SORT_PUBLISHED] = "e.published",
    [SEARCH_SORT_UUID] = "e.uuid",
};

/* The part of a statement that a condition goes into. */
enum scope {
	SCOPE_ROW,	 /* the searched row itself (a, e, o or l) */
	SCOPE_ATTRIBUTE, /* the attribute subquery of an event or object */
};

/* A statement under construction: the text, the kind, the viewer. */
struct build {
	struct buf *sql;
	enum store_search_kind kind;
	const struct store_viewer *v;
	const struct store_search *q;
	int rc;
};

static void add(struct build *b, const char *text)
{
	if (b->rc == 0 && buf_adds(b->sql, text) < 0) {
		b->rc = CAIRN_ENOMEM;
	}
}

static void add_param(struct build *b, size_t i)
{
	if (b->rc == 0 && buf_printf(b->sql, ":c%zu", i) < 0) {
		b->rc = CAIRN_ENOMEM;
	}
}

static void add_vis(struct build *b, int rc)
{
	if (b->rc == 0 && rc < 0) {
		b->rc = CAIRN_ENOMEM;
	}
}

int store_search_add(struct store_search *q, enum store_search_field field,
		     enum store_search_op op, const char *list, int64_t number,
		     const char *text)
{
	struct store_search_cond *c;

	if (q->nconds >= STORE_SEARCH_MAX_CONDS) {
		return CAIRN_ETOOBIG;
	}
	c = &q->conds[q->nconds++];
	c->field = field;
	c->op = op;
	c->list = list;
	c->number = number;
	c->text = text;
	return 0;
}

static bool is_negation(enum store_search_op op)
{
	return op == SEARCH_NOT_IN || op == SEARCH_NOT_LIKE;
}

/* Appends the template of `op` on `column` with parameter i. */
static void add_generic(struct build *b, const char *column,
			enum store_search_op op, size_t i)
{
	switch (op) {
	case SEARCH_IN:
	case SEARCH_NOT_IN:
		add(b, op == SEARCH_IN ? "" : "NOT coalesce(");
		add(b, column);
		add(b, " IN (SELECT value FROM json_each(");
		add_param(b, i);
		add(b, op == SEARCH_IN ? "))" : ")), 0)");
		break;
	case SEARCH_LIKE:
	case SEARCH_NOT_LIKE:
		add(b, op == SEARCH_LIKE ? "EXISTS" : "NOT EXISTS");
		add(b, " (SELECT 1 FROM json_each(");
		add_param(b, i);
		add(b, ") WHERE coalesce(");
		add(b, column);
		add(b, ", '') LIKE value)");
		break;
	case SEARCH_GE:
	case SEARCH_LE:
		add(b, column);
		add(b, op == SEARCH_GE ? " >= " : " <= ");
		add_param(b, i);
		break;
	}
}

/* The live (or, as the search requests, deleted) attributes `a` in object
 * `o`; the objects of an object search are row `o` itself. */
static void add_deleted(struct build *b, bool with_object)
{
	switch (b->q->deleted) {
	case SEARCH_LIVE:
		add(b, " AND a.deleted = 0");
		if (with_object) {
			add(b, " AND coalesce(o.deleted, 0) = 0");
		}
		break;
	case SEARCH_DELETED_ONLY:
		add(b, " AND a.deleted = 1");
		break;
	case SEARCH_DELETED_BOTH:
		break;
	}
}

/* Opens "SELECT a.<column> FROM attributes a ... WHERE 1" over the
 * attributes that the viewer may see with their event and object, for a
 * subquery that does not join the event. */
static void open_attribute_subquery(struct build *b, const char *column)
{
	add(b, "(SELECT a.");
	add(b, column);
	add(b, " FROM attributes a LEFT JOIN objects o ON o.id = a.object_id"
	       " WHERE 1");
	add_deleted(b, true);
	add_vis(b, visibility_row(b->sql, b->v, "a", "a.event_id", false));
	add_vis(b, visibility_row(b->sql, b->v, "o", "a.event_id", true));
}

/* The ids of the tags named in list parameter i (a name without % matches
 * without case, one with % as a LIKE pattern) that the viewer may see. */
static void add_tag_ids(struct build *b, size_t i)
{
	add(b, "(SELECT t.id FROM tags t WHERE (t.name IN (SELECT value FROM"
	       " json_each(");
	add_param(b, i);
	add(b, ")) OR EXISTS (SELECT 1 FROM json_each(");
	add_param(b, i);
	add(b, ") j WHERE instr(j.value, '%') > 0 AND t.name LIKE j.value))");
	add_vis(b, visibility_tag(b->sql, b->v, "t"));
	add(b, ")");
}

/* The ids of the events tagged with a tag of list parameter i. */
static void add_tagged_events(struct build *b, size_t i)
{
	add(b, "(SELECT et.event_id FROM event_tags et WHERE et.tag_id IN ");
	add_tag_ids(b, i);
	add(b, ")");
}

/* The `column` of visible attributes tagged with a tag of parameter i. */
static void add_tagged_attributes(struct build *b, const char *column, size_t i)
{
	open_attribute_subquery(b, column);
	add(b, " AND a.id IN (SELECT at.attribute_id FROM attribute_tags at"
	       " WHERE at.tag_id IN ");
	add_tag_ids(b, i);
	add(b, "))");
}

/* A tag condition: the row, or its event, carries one of the tags.  A
 * negation keeps the rows where neither does. */
static void add_tag(struct build *b, enum store_search_op op, size_t i)
{
	add(b, is_negation(op) ? "NOT (" : "(");
	switch (b->kind) {
	case SEARCH_ATTRIBUTES:
	case SEARCH_SIGHTINGS:
		add(b, "a.id IN (SELECT at.attribute_id FROM attribute_tags at"
		       " WHERE at.tag_id IN ");
		add_tag_ids(b, i);
		add(b, ") OR a.event_id IN ");
		add_tagged_events(b, i);
		break;
	case SEARCH_EVENTS:
		add(b, "e.id IN ");
		add_tagged_events(b, i);
		/* A negation removes the events tagged so; the attributes
		 * tagged so do not remove their event. */
		if (!is_negation(op)) {
			add(b, " OR e.id IN ");
			add_tagged_attributes(b, "event_id", i);
		}
		break;
	case SEARCH_OBJECTS:
		add(b, "o.event_id IN ");
		add_tagged_events(b, i);
		add(b, " OR o.id IN ");
		add_tagged_attributes(b, "object_id", i);
		break;
	}
	add(b, ")");
}

/* A value condition on attribute `a`: the whole value, or either half of
 * a composite one, equals a value of the list. */
/* CROSS JOIN keeps the list as the outer loop, so that each listed value
 * costs one index seek.  Left to itself, the planner scanned every
 * composite attribute for the range branch and compared it with each
 * listed value, which made a list of thousands take minutes. */
static void add_value_in(struct build *b, size_t i)
{
	add(b, "a.id IN (SELECT v.id FROM json_each(");
	add_param(b, i);
	add(b, ") j CROSS JOIN attributes v ON v.value = j.value"
	       " UNION ALL SELECT v.id FROM json_each(");
	add_param(b, i);
	add(b, ") j CROSS JOIN attributes v ON v.value > j.value || '|'"
	       " AND v.value < j.value || '}' AND instr(v.type, '|') > 0"
	       " UNION ALL SELECT v.id FROM json_each(");
	add_param(b, i);
	add(b, ") j CROSS JOIN attributes v ON instr(v.type, '|') > 0"
	       " AND substr(v.value, instr(v.value, '|') + 1) = j.value)");
}

static void add_value(struct build *b, enum store_search_op op, size_t i)
{
	switch (op) {
	case SEARCH_IN:
		add_value_in(b, i);
		break;
	case SEARCH_NOT_IN:
		add(b, "NOT (");
		add_value_in(b, i);
		add(b, ")");
		break;
	default:
		add_generic(b, "a.value", op, i);
		break;
	}
}

/* searchall on attribute `a`: its value or comment matches the pattern
 * of text parameter i, or one of its tags' names does. */
static void add_searchall_attribute(struct build *b, size_t i)
{
	add(b, "(a.value LIKE ");
	add_param(b, i);
	add(b, " OR a.comment LIKE ");
	add_param(b, i);
	add(b, " OR a.id IN (SELECT at.attribute_id FROM attribute_tags at"
	       " JOIN tags t ON t.id = at.tag_id WHERE t.name LIKE ");
	add_param(b, i);
	add_vis(b, visibility_tag(b->sql, b->v, "t"));
	add(b, "))");
}

/* searchall: the row's own text, its event's info or tags, or (for an
 * event or object) one of its attributes, matches the pattern. */
static void add_searchall(struct build *b, size_t i)
{
	add(b, "(e.info LIKE ");
	add_param(b, i);
	add(b, " OR e.id IN (SELECT et.event_id FROM event_tags et"
	       " JOIN tags t ON t.id = et.tag_id WHERE t.name LIKE ");
	add_param(b, i);
	add_vis(b, visibility_tag(b->sql, b->v, "t"));
	add(b, ") OR ");
	switch (b->kind) {
	case SEARCH_ATTRIBUTES:
	case SEARCH_SIGHTINGS:
		add_searchall_attribute(b, i);
		break;
	case SEARCH_EVENTS:
		add(b, "e.id IN ");
		open_attribute_subquery(b, "event_id");
		add(b, " AND ");
		add_searchall_attribute(b, i);
		add(b, ")");
		break;
	case SEARCH_OBJECTS:
		add(b, "o.name LIKE ");
		add_param(b, i);
		add(b, " OR o.comment LIKE ");
		add_param(b, i);
		add(b, " OR o.id IN ");
		open_attribute_subquery(b, "object_id");
		add(b, " AND ");
		add_searchall_attribute(b, i);
		add(b, ")");
		break;
	}
	add(b, ")");
}

/* A uuid condition: the row's uuid, its event's, or for an event or
 * object the uuid of one of its attributes. */
static void add_uuid(struct build *b, enum store_search_op op, size_t i)
{
	add(b, is_negation(op) ? "NOT (" : "(");
	add_generic(b, "e.uuid", SEARCH_IN, i);
	add(b, " OR ");
	switch (b->kind) {
	case SEARCH_ATTRIBUTES:
	case SEARCH_SIGHTINGS:
		add_generic(b, "a.uuid", SEARCH_IN, i);
		break;
	case SEARCH_EVENTS:
		add(b, "e.id IN ");
		open_attribute_subquery(b, "event_id");
		add(b, " AND ");
		add_generic(b, "a.uuid", SEARCH_IN, i);
		add(b, ")");
		break;
	case SEARCH_OBJECTS:
		add_generic(b, "o.uuid", SEARCH_IN, i);
		add(b, " OR o.id IN ");
		open_attribute_subquery(b, "object_id");
		add(b, " AND ");
		add_generic(b, "a.uuid", SEARCH_IN, i);
		add(b, ")");
		break;
	}
	add(b, ")");
}

/* Returns the column of `field` in this search, or NULL when it is an
 * attribute condition of an event or object search. */
static const char *row_column(const struct build *b,
			      enum store_search_field field)
{
	const struct field_columns *f = &fields[field];

	switch (b->kind) {
	case SEARCH_ATTRIBUTES:
		return f->attribute;
	case SEARCH_SIGHTINGS:
		return f->sighting ? f->sighting : f->attribute;
	case SEARCH_EVENTS:
		return f->event;
	case SEARCH_OBJECTS:
		return f->object;
	}
	return NULL;
}

/* Whether condition `c` belongs to `scope` of this search. */
static bool in_scope(const struct build *b, const struct store_search_cond *c,
		     enum scope scope)
{
	bool attribute_level;

	if (fields[c->field].special) {
		attribute_level = b->kind != SEARCH_ATTRIBUTES &&
				  b->kind != SEARCH_SIGHTINGS &&
				  c->field == SEARCH_VALUE;
	} else {
		attribute_level = row_column(b, c->field) == NULL;
	}
	return attribute_level == (scope == SCOPE_ATTRIBUTE);
}

static void add_cond(struct build *b, size_t i, enum scope scope)
{
	const struct store_search_cond *c = &b->q->conds[i];

	add(b, " AND ");
	switch (c->field) {
	case SEARCH_VALUE:
		add_value(b, c->op, i);
		break;
	case SEARCH_UUID:
		add_uuid(b, c->op, i);
		break;
	case SEARCH_TAG:
		add_tag(b, c->op, i);
		break;
	case SEARCH_SEARCHALL:
		add_searchall(b, i);
		break;
	default:
		add_generic(b,
			    scope == SCOPE_ATTRIBUTE
				? fields[c->field].attribute
				: row_column(b, c->field),
			    c->op, i);
		break;
	}
}

/* Rejects a condition that this kind of search has no column for. */
static int check_conds(struct build *b)
{
	for (size_t i = 0; i < b->q->nconds; i++) {
		const struct store_search_cond *c = &b->q->conds[i];
		const struct field_columns *f;

		if ((unsigned)c->field >= SEARCH_FIELD_COUNT) {
			return CAIRN_EINVAL;
		}
		f = &fields[c->field];
		if (f->sighting && b->kind != SEARCH_SIGHTINGS) {
			return CAIRN_EINVAL;
		}
		if (!f->special && !f->attribute && !f->sighting) {
			return CAIRN_EINVAL;
		}
	}
	return 0;
}

static void add_conds(struct build *b, enum scope scope)
{
	for (size_t i = 0; i < b->q->nconds; i++) {
		if (in_scope(b, &b->q->conds[i], scope)) {
			add_cond(b, i, scope);
		}
	}
}

static bool has_scope(const struct build *b, enum scope scope)
{
	for (size_t i = 0; i < b->q->nconds; i++) {
		if (in_scope(b, &b->q->conds[i], scope)) {
			return true;
		}
	}
	return false;
}

/* The attribute conditions of an event or object search, as one
 * subquery that a single visible attribute must satisfy. */
static void add_attribute_scope(struct build *b)
{
	if (!has_scope(b, SCOPE_ATTRIBUTE)) {
		return;
	}
	if (b->kind == SEARCH_EVENTS) {
		add(b, " AND e.id IN ");
		open_attribute_subquery(b, "event_id");
	} else {
		add(b, " AND o.id IN ");
		open_attribute_subquery(b, "object_id");
	}
	add_conds(b, SCOPE_ATTRIBUTE);
	add(b, ")");
}

static void add_from(struct build *b)
{
	switch (b->kind) {
	case SEARCH_ATTRIBUTES:
		add(b, "attributes a JOIN events e ON e.id = a.event_id"
		       " LEFT JOIN objects o ON o.id = a.object_id WHERE 1");
		add_deleted(b, true);
		add_vis(b, visibility_event(b->sql, b->v, "e"));
		add_vis(b, visibility_element(b->sql, b->v, "a", "e", false));
		add_vis(b, visibility_element(b->sql, b->v, "o", "e", true));
		break;
	case SEARCH_SIGHTINGS:
		add(b, "sightings l JOIN attributes a ON a.id = l.attribute_id"
		       " JOIN events e ON e.id = a.event_id"
		       " LEFT JOIN objects o ON o.id = a.object_id WHERE 1");
		add_deleted(b, true);
		add_vis(b, visibility_event(b->sql, b->v, "e"));
		add_vis(b, visibility_element(b->sql, b->v, "a", "e", false));
		add_vis(b, visibility_element(b->sql, b->v, "o", "e", true));
		add_vis(b, visibility_sighting(b->sql, b->v, "l"));
		break;
	case SEARCH_EVENTS:
		add(b, "events e WHERE 1");
		add_vis(b, visibility_event(b->sql, b->v, "e"));
		break;
	case SEARCH_OBJECTS:
		add(b, "objects o JOIN events e ON e.id = o.event_id WHERE 1");
		if (b->q->deleted != SEARCH_DELETED_BOTH) {
			add(b, b->q->deleted == SEARCH_LIVE
				   ? " AND o.deleted = 0"
				   : " AND o.deleted = 1");
		}
		add_vis(b, visibility_event(b->sql, b->v, "e"));
		add_vis(b, visibility_element(b->sql, b->v, "o", "e", false));
		break;
	}
	add_conds(b, SCOPE_ROW);
	if (b->kind == SEARCH_EVENTS || b->kind == SEARCH_OBJECTS) {
		add_attribute_scope(b);
	}
}

static void add_order(struct build *b)
{
	switch (b->kind) {
	case SEARCH_ATTRIBUTES:
		add(b, " ORDER BY a.id");
		break;
	case SEARCH_SIGHTINGS:
		add(b, " ORDER BY l.id");
		break;
	case SEARCH_EVENTS:
		add(b, " ORDER BY ");
		add(b, (unsigned)b->q->sort <
			       sizeof(sort_columns) / sizeof(sort_columns[0])
			   ? sort_columns[b->q->sort]
			   : "e.id");
		add(b, b->q->descending ? " DESC, e.id DESC" : ", e.id");
		break;
	case SEARCH_OBJECTS:
		add(b, " ORDER BY o.id");
		break;
	}
	add(b, " LIMIT :limit OFFSET :offset");
}

static const char *select_list(enum store_search_kind kind)
{
	return kind == SEARCH_EVENTS ? "SELECT e.id FROM "
				     : "SELECT o.id FROM ";
}

/* Builds the text after "SELECT <columns> FROM ", or with `count` the
 * whole count statement. */
static int build_sql(const struct store_viewer *v, enum store_search_kind kind,
		     const struct store_search *q, bool count, struct buf *sql)
{
	struct build b = {sql, kind, v, q, 0};

	b.rc = check_conds(&b);
	if (count) {
		add(&b, "SELECT count(*) FROM ");
	}
	add_from(&b);
	if (!count) {
		add_order(&b);
	}
	return b.rc;
}

int store_search_sql(const struct store_viewer *v, enum store_search_kind kind,
		     const struct store_search *q, struct buf *out)
{
	buf_clear(out);
	if ((kind == SEARCH_EVENTS || kind == SEARCH_OBJECTS) &&
	    buf_adds(out, select_list(kind)) < 0) {
		return CAIRN_ENOMEM;
	}
	return build_sql(v, kind, q, false, out);
}

struct search_bind {
	const struct store_viewer *v;
	const struct store_search *q;
	bool paged;
};

static int bind_cond(sqlite3_stmt *st, size_t i,
		     const struct store_search_cond *c)
{
	char name[24];
	int n;

	snprintf(name, sizeof(name), ":c%zu", i);
	n = sqlite3_bind_parameter_index(st, name);
	if (n == 0) {
		return SQLITE_OK;
	}
	if (c->op == SEARCH_GE || c->op == SEARCH_LE) {
		return c->text ? sqlite3_bind_text(st, n, c->text, -1,
						   SQLITE_STATIC)
			       : sqlite3_bind_int64(st, n, c->number);
	}
	if (c->field == SEARCH_SEARCHALL) {
		return sqlite3_bind_text(st, n, c->text ? c->text : "", -1,
					 SQLITE_STATIC);
	}
	return sqlite3_bind_text(st, n, c->list ? c->list : "[]", -1,
				 SQLITE_STATIC);
}

static int bind_page(sqlite3_stmt *st, const struct store_search *q)
{
	int64_t limit = q->limit;
	int64_t page = q->page > 0 ? q->page : 1;
	int rc = SQLITE_OK;
	int n = sqlite3_bind_parameter_index(st, ":limit");

	if (n) {
		rc = sqlite3_bind_int64(st, n, limit > 0 ? limit : -1);
	}
	n = sqlite3_bind_parameter_index(st, ":offset");
	if (rc == SQLITE_OK && n) {
		rc = sqlite3_bind_int64(st, n,
					limit > 0 ? (page - 1) * limit : 0);
	}
	return rc;
}

static int search_bind(sqlite3_stmt *st, const void *ctx)
{
	const struct search_bind *b = ctx;
	int rc = visibility_bind(st, b->v);

	for (size_t i = 0; rc == SQLITE_OK && i < b->q->nconds; i++) {
		rc = bind_cond(st, i, &b->q->conds[i]);
	}
	if (rc == SQLITE_OK && b->paged) {
		rc = bind_page(st, b->q);
	}
	return rc;
}

static int open_rows(struct store *s, const struct store_viewer *v,
		     enum store_search_kind kind, const struct store_search *q,
		     const struct model *m, const char *alias,
		     const char *parent, struct store_cursor **out)
{
	struct search_bind b = {v, q, true};
	struct buf sql = BUF_INIT;
	int rc = build_sql(v, kind, q, false, &sql);

	*out = NULL;
	if (rc == CAIRN_EINVAL) {
		rc = store_failf(s, rc, "a search filter does not apply here");
	} else if (rc < 0) {
		rc = store_failf(s, rc, "out of memory building a search");
	} else {
		rc = store_cursor_open_sql(s, m, alias, parent, buf_str(&sql),
					   search_bind, &b, out);
	}
	buf_release(&sql);
	return rc;
}

int store_search_attributes(struct store *s, const struct store_viewer *v,
			    const struct store_search *q,
			    struct store_cursor **out)
{
	return open_rows(s, v, SEARCH_ATTRIBUTES, q, &model_attribute, "a",
			 "a.event_id", out);
}

int store_search_sightings(struct store *s, const struct store_viewer *v,
			   const struct store_search *q,
			   struct store_cursor **out)
{
	return open_rows(s, v, SEARCH_SIGHTINGS, q, &model_sighting, "l",
			 "l.attribute_id", out);
}

struct store_ids {
	struct store *s;
	sqlite3_stmt *st;
};

/* Prepares `sql` and binds it for `q`; on failure keeps the error. */
static int prepare_search(struct store *s, const struct store_viewer *v,
			  const struct store_search *q, bool paged,
			  const struct buf *sql, sqlite3_stmt **out)
{
	struct search_bind b = {v, q, paged};

	*out = NULL;
	if (sqlite3_prepare_v2(store_db(s), buf_str(sql), -1, out, NULL) !=
		SQLITE_OK ||
	    search_bind(*out, &b) != SQLITE_OK) {
		int rc = store_fail_sqlite(s);

		sqlite3_finalize(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

int store_search_ids(struct store *s, const struct store_viewer *v,
		     enum store_search_kind kind, const struct store_search *q,
		     struct store_ids **out)
{
	struct buf sql = BUF_INIT;
	struct store_ids *c;
	int rc;

	*out = NULL;
	if (kind != SEARCH_EVENTS && kind != SEARCH_OBJECTS) {
		return store_failf(s, CAIRN_EINVAL, "not an id search");
	}
	rc = store_search_sql(v, kind, q, &sql);
	if (rc < 0) {
		buf_release(&sql);
		return store_failf(s, rc, "building a search failed");
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		buf_release(&sql);
		return store_failf(s, CAIRN_ENOMEM, "out of memory");
	}
	c->s = s;
	rc = prepare_search(s, v, q, true, &sql, &c->st);
	buf_release(&sql);
	if (rc < 0) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int store_ids_next(struct store_ids *c, int64_t *id)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(c->st, 0);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : store_fail_sqlite(c->s);
}

void store_ids_close(struct store_ids *c)
{
	if (c) {
		sqlite3_finalize(c->st);
		free(c);
	}
}

int store_search_count(struct store *s, const struct store_viewer *v,
		       enum store_search_kind kind,
		       const struct store_search *q, int64_t *count)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc = build_sql(v, kind, q, true, &sql);

	*count = 0;
	if (rc < 0) {
		buf_release(&sql);
		return store_failf(s, rc, "building a search count failed");
	}
	rc = prepare_search(s, v, q, false, &sql, &st);
	buf_release(&sql);
	if (rc == 0) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*count = sqlite3_column_int64(st, 0);
			rc = 0;
		} else {
			rc = store_fail_sqlite(s);
		}
	}
	sqlite3_finalize(st);
	return rc;
}
