/*
 * The visibility function: who may read which rows, as SQL conditions.
 *
 * Every store query that returns rows to a user appends these conditions
 * to its WHERE clause, so that rows a viewer may not see are never read.
 * The rules follow MISP's distribution levels (0 your organisation only,
 * 1 this community, 2 connected communities, 3 all communities, 4 a
 * sharing group, 5 inherit from the event):
 *
 * - a site admin sees everything, and no condition is added;
 * - an event is visible to its owner organisation (events.org_id), and to
 *   everyone else only when it is published and its distribution is 1, 2
 *   or 3, or 4 with a sharing group that the viewer's organisation may
 *   see; an unpublished event is visible to its owner organisation only;
 * - an attribute, object or event report of a visible event is visible to
 *   the event's owner organisation, else by its own distribution: 0
 *   hidden, 1 to 3 and 5 visible (5 inherits the event's level, which is
 *   visible already), 4 by its sharing group;
 * - an attribute inside an object also needs the object to be visible;
 * - a sighting of a visible attribute is visible to the event's owner
 *   organisation and to the organisation that reported it, which is
 *   MISP's default Sightings_policy 0;
 * - a tag restricted to an organisation (tags.org_id) or a user
 *   (tags.user_id) is visible to that organisation or user only.
 *
 * The conditions use the named parameters :viewer_org, :viewer_user and
 * :viewer_groups (a JSON array of the sharing group ids the viewer's
 * organisation may see); visibility_bind() binds them.  The condition
 * text depends only on whether the viewer is a site admin, so a statement
 * can be prepared once for each of the two cases and cached.
 */
#ifndef CAIRN_STORE_VISIBILITY_H
#define CAIRN_STORE_VISIBILITY_H

#include "core/buf.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdbool.h>

/* Each appender adds " AND (condition)" to `sql`, or nothing for a site
 * admin, and returns 0 or -ENOMEM as the buf functions do.  Aliases and
 * expressions come from the store's static query texts, never from
 * input. */

/* The event row `e` is visible. */
int visibility_event(struct buf *sql, const struct store_viewer *v,
		     const char *e);

/* The attribute, object or report row `row` of the event row `e` is
 * visible, given that `e` is.  With `nullable`, a NULL row (the missing
 * side of a LEFT JOIN) passes. */
int visibility_element(struct buf *sql, const struct store_viewer *v,
		       const char *row, const char *e, bool nullable);

/* The same two conditions on the class columns of a count table, whose
 * names are the prefix, "_" and the row's column name: `e` "c.e" reads
 * c.e_org_id, c.e_published, c.e_distribution and c.e_sharing_group_id;
 * `row` "c.a" reads c.a_distribution and c.a_sharing_group_id, and with
 * `nullable` c.a_id, which is NULL for a missing row. */
int visibility_event_class(struct buf *sql, const struct store_viewer *v,
			   const char *e);
int visibility_element_class(struct buf *sql, const struct store_viewer *v,
			     const char *row, const char *e, bool nullable);

/* The event whose id is the SQL expression `id` is visible. */
int visibility_event_id(struct buf *sql, const struct store_viewer *v,
			const char *id);

/* The row `row`, an attribute, object or report of the event whose id is
 * the SQL expression `event_id`, is visible with its event.  With
 * `nullable`, a NULL row (the missing side of a LEFT JOIN) passes. */
int visibility_row(struct buf *sql, const struct store_viewer *v,
		   const char *row, const char *event_id, bool nullable);

/* The attribute, object or report whose id is the SQL expression `id` is
 * visible, with its event and, for an attribute, its object. */
int visibility_attribute_id(struct buf *sql, const struct store_viewer *v,
			    const char *id);
int visibility_object_id(struct buf *sql, const struct store_viewer *v,
			 const char *id);
int visibility_report_id(struct buf *sql, const struct store_viewer *v,
			 const char *id);

/* The sharing group whose id is the SQL expression `id` is one the
 * viewer's organisation may see. */
int visibility_sharing_group_id(struct buf *sql, const struct store_viewer *v,
				const char *id);

/* The sighting row `l` is visible, given that its attribute is. */
int visibility_sighting(struct buf *sql, const struct store_viewer *v,
			const char *l);

/* The proposal row `p` is visible, given that its event is: to the
 * event's owner organisation and to the organisation that proposed it. */
int visibility_proposal(struct buf *sql, const struct store_viewer *v,
			const char *p);

/* The tag row `t` is visible. */
int visibility_tag(struct buf *sql, const struct store_viewer *v,
		   const char *t);

/* One condition of a query, as a row of a query table: which appender to
 * call and with which aliases or expressions. */
enum visibility_kind {
	VIS_END,          /* ends a list */
	VIS_EVENT,        /* visibility_event(a) */
	VIS_EVENT_ID,     /* visibility_event_id(a) */
	VIS_ROW,          /* visibility_row(a, b, false) */
	VIS_ROW_NULLABLE, /* visibility_row(a, b, true) */
	VIS_ATTRIBUTE_ID, /* visibility_attribute_id(a) */
	VIS_OBJECT_ID,    /* visibility_object_id(a) */
	VIS_SIGHTING,     /* visibility_sighting(a) */
	VIS_PROPOSAL,     /* visibility_proposal(a) */
	VIS_TAG,          /* visibility_tag(a) */
};

struct visibility_spec {
	enum visibility_kind kind;
	const char *a;
	const char *b;
};

/* Maximum conditions of one query, plus the VIS_END row. */
#define VISIBILITY_MAX_SPECS 4

/* Appends the conditions of `specs`, up to its VIS_END row. */
int visibility_apply(struct buf *sql, const struct store_viewer *v,
		     const struct visibility_spec *specs);

/* Binds the viewer's parameters in `st`, skipping those the statement
 * does not use.  Returns an SQLite result code. */
int visibility_bind(sqlite3_stmt *st, const struct store_viewer *v);

#endif
