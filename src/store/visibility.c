/*
 * SQL conditions of the visibility function; see visibility.h for the
 * rules they express.
 *
 * Each condition is built from the two primitives, the event condition
 * and the element condition, so that every read path applies the same
 * text.  The id-based forms wrap them in a correlated EXISTS on the
 * primary keys, which costs one index lookup per tested row.
 */
#include "store/visibility.h"

#include <errno.h>
#include <string.h>

#define VIEWER_GROUPS "(SELECT value FROM json_each(:viewer_groups))"

/* Appends the pieces, stopping at the first failure. */
static int add_all(struct buf *sql, const char *const *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf_adds(sql, parts[i]) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

#define ADD(sql, ...)                                                          \
	add_all((sql), (const char *const[]){__VA_ARGS__},                     \
		sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

/* The bare event condition, without the leading " AND ".  A column is
 * named `e`, then `sep`, then the column's name: "e" "." "org_id" on a
 * row, "c.e" "_" "org_id" on a count table's class columns. */
static int event_condition_on(struct buf *sql, const char *e, const char *sep)
{
	return ADD(sql, "(", e, sep, "org_id = :viewer_org OR (", e, sep,
		   "published = 1 AND (", e, sep,
		   "distribution IN (1, 2, 3) OR (", e, sep,
		   "distribution = 4 AND ", e, sep,
		   "sharing_group_id IN " VIEWER_GROUPS "))))");
}

/* The bare element condition, named as event_condition_on() names. */
static int element_condition_on(struct buf *sql, const char *row,
				const char *e, const char *sep)
{
	return ADD(sql, "(", e, sep, "org_id = :viewer_org OR ", row, sep,
		   "distribution IN (1, 2, 3, 5) OR (", row, sep,
		   "distribution = 4 AND ", row, sep,
		   "sharing_group_id IN " VIEWER_GROUPS "))");
}

static int event_condition(struct buf *sql, const char *e)
{
	return event_condition_on(sql, e, ".");
}

static int element_condition(struct buf *sql, const char *row, const char *e)
{
	return element_condition_on(sql, row, e, ".");
}

int visibility_event(struct buf *sql, const struct store_viewer *v,
		     const char *e)
{
	if (v->site_admin) {
		return 0;
	}
	if (ADD(sql, " AND ") < 0) {
		return -ENOMEM;
	}
	return event_condition(sql, e);
}

static int element_on(struct buf *sql, const struct store_viewer *v,
		      const char *row, const char *e, bool nullable,
		      const char *sep)
{
	if (v->site_admin) {
		return 0;
	}
	if (ADD(sql, " AND (") < 0 ||
	    (nullable && ADD(sql, row, sep, "id IS NULL OR ") < 0) ||
	    element_condition_on(sql, row, e, sep) < 0 || ADD(sql, ")") < 0) {
		return -ENOMEM;
	}
	return 0;
}

int visibility_element(struct buf *sql, const struct store_viewer *v,
		       const char *row, const char *e, bool nullable)
{
	return element_on(sql, v, row, e, nullable, ".");
}

int visibility_event_class(struct buf *sql, const struct store_viewer *v,
			   const char *e)
{
	if (v->site_admin) {
		return 0;
	}
	if (ADD(sql, " AND ") < 0) {
		return -ENOMEM;
	}
	return event_condition_on(sql, e, "_");
}

int visibility_element_class(struct buf *sql, const struct store_viewer *v,
			     const char *row, const char *e, bool nullable)
{
	return element_on(sql, v, row, e, nullable, "_");
}

int visibility_event_id(struct buf *sql, const struct store_viewer *v,
			const char *id)
{
	if (v->site_admin) {
		return 0;
	}
	if (ADD(sql, " AND EXISTS (SELECT 1 FROM events ve WHERE ve.id = ",
		id, " AND ") < 0 ||
	    event_condition(sql, "ve") < 0 || ADD(sql, ")") < 0) {
		return -ENOMEM;
	}
	return 0;
}

int visibility_row(struct buf *sql, const struct store_viewer *v,
		   const char *row, const char *event_id, bool nullable)
{
	if (v->site_admin) {
		return 0;
	}
	if (ADD(sql, " AND (") < 0 ||
	    (nullable && ADD(sql, row, ".id IS NULL OR ") < 0) ||
	    ADD(sql, "EXISTS (SELECT 1 FROM events ve WHERE ve.id = ",
		event_id, " AND ") < 0 ||
	    event_condition(sql, "ve") < 0 || ADD(sql, " AND ") < 0 ||
	    element_condition(sql, row, "ve") < 0 || ADD(sql, "))") < 0) {
		return -ENOMEM;
	}
	return 0;
}

/* EXISTS over one element table `table` (alias vx) and its event. */
static int element_id(struct buf *sql, const struct store_viewer *v,
		      const char *table, const char *id, bool with_object)
{
	if (v->site_admin) {
		return 0;
	}
	if (ADD(sql, " AND EXISTS (SELECT 1 FROM ", table,
		" vx JOIN events ve ON ve.id = vx.event_id") < 0 ||
	    (with_object &&
	     ADD(sql, " LEFT JOIN objects vo ON vo.id = vx.object_id") < 0) ||
	    ADD(sql, " WHERE vx.id = ", id, " AND ") < 0 ||
	    event_condition(sql, "ve") < 0 || ADD(sql, " AND ") < 0 ||
	    element_condition(sql, "vx", "ve") < 0) {
		return -ENOMEM;
	}
	if (with_object &&
	    (ADD(sql, " AND (vo.id IS NULL OR ") < 0 ||
	     element_condition(sql, "vo", "ve") < 0 || ADD(sql, ")") < 0)) {
		return -ENOMEM;
	}
	return ADD(sql, ")");
}

int visibility_attribute_id(struct buf *sql, const struct store_viewer *v,
			    const char *id)
{
	return element_id(sql, v, "attributes", id, true);
}

int visibility_object_id(struct buf *sql, const struct store_viewer *v,
			 const char *id)
{
	return element_id(sql, v, "objects", id, false);
}

int visibility_report_id(struct buf *sql, const struct store_viewer *v,
			 const char *id)
{
	return element_id(sql, v, "event_reports", id, false);
}

int visibility_sharing_group_id(struct buf *sql, const struct store_viewer *v,
				const char *id)
{
	if (v->site_admin) {
		return 0;
	}
	return ADD(sql, " AND ", id, " IN " VIEWER_GROUPS);
}

/* Rows reported by the viewer's organisation, or of an event it owns. */
static int own_or_owner(struct buf *sql, const struct store_viewer *v,
			const char *row)
{
	if (v->site_admin) {
		return 0;
	}
	return ADD(sql, " AND (", row,
		   ".org_id = :viewer_org OR EXISTS (SELECT 1 FROM events vs"
		   " WHERE vs.id = ",
		   row, ".event_id AND vs.org_id = :viewer_org))");
}

int visibility_sighting(struct buf *sql, const struct store_viewer *v,
			const char *l)
{
	return own_or_owner(sql, v, l);
}

int visibility_proposal(struct buf *sql, const struct store_viewer *v,
			const char *p)
{
	return own_or_owner(sql, v, p);
}

int visibility_tag(struct buf *sql, const struct store_viewer *v,
		   const char *t)
{
	if (v->site_admin) {
		return 0;
	}
	return ADD(sql, " AND ", t, ".org_id IN (0, :viewer_org) AND ", t,
		   ".user_id IN (0, :viewer_user)");
}

static int apply_one(struct buf *sql, const struct store_viewer *v,
		     const struct visibility_spec *sp)
{
	switch (sp->kind) {
	case VIS_END:
		return 0;
	case VIS_EVENT:
		return visibility_event(sql, v, sp->a);
	case VIS_EVENT_ID:
		return visibility_event_id(sql, v, sp->a);
	case VIS_ROW:
		return visibility_row(sql, v, sp->a, sp->b, false);
	case VIS_ROW_NULLABLE:
		return visibility_row(sql, v, sp->a, sp->b, true);
	case VIS_ATTRIBUTE_ID:
		return visibility_attribute_id(sql, v, sp->a);
	case VIS_OBJECT_ID:
		return visibility_object_id(sql, v, sp->a);
	case VIS_SIGHTING:
		return visibility_sighting(sql, v, sp->a);
	case VIS_PROPOSAL:
		return visibility_proposal(sql, v, sp->a);
	case VIS_TAG:
		return visibility_tag(sql, v, sp->a);
	}
	return 0;
}

int visibility_apply(struct buf *sql, const struct store_viewer *v,
		     const struct visibility_spec *specs)
{
	for (size_t i = 0; i < VISIBILITY_MAX_SPECS && specs[i].kind != VIS_END;
	     i++) {
		int rc = apply_one(sql, v, &specs[i]);

		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

int visibility_bind(sqlite3_stmt *st, const struct store_viewer *v)
{
	int i;
	int rc = SQLITE_OK;

	i = sqlite3_bind_parameter_index(st, ":viewer_org");
	if (i > 0) {
		rc = sqlite3_bind_int64(st, i, v->org_id);
	}
	i = sqlite3_bind_parameter_index(st, ":viewer_user");
	if (rc == SQLITE_OK && i > 0) {
		rc = sqlite3_bind_int64(st, i, v->user_id);
	}
	i = sqlite3_bind_parameter_index(st, ":viewer_groups");
	if (rc == SQLITE_OK && i > 0) {
		rc = sqlite3_bind_text(st, i,
				       v->sharing_group_list
					       ? v->sharing_group_list
					       : "[]",
				       -1, SQLITE_STATIC);
	}
	return rc;
}
