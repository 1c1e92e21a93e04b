/*
 * The dashboard's widgets: aggregate queries over the events, attributes,
 * tags, clusters and sightings a viewer may read.
 *
 * Each widget is one SQL query whose text carries the visibility
 * conditions (store/visibility.h), so a user's figures count only what
 * that user could open.  The rows go to a callback as named cells, the
 * names being the query's column aliases, so the API renders them
 * without knowing each widget's shape.
 */
#ifndef CAIRN_STORE_DASHBOARD_H
#define CAIRN_STORE_DASHBOARD_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

enum store_dash_widget {
	DASH_TOTALS,
	DASH_TIMELINE,
	DASH_ATTRIBUTE_TYPES,
	DASH_ATTRIBUTE_CATEGORIES,
	DASH_THREAT_LEVELS,
	DASH_ANALYSIS,
	DASH_TOP_TAGS,
	DASH_TOP_TAXONOMIES,
	DASH_TOP_ORGS,
	DASH_CORRELATED_VALUES,
	DASH_RECENT_SIGHTINGS,
	DASH_ATTACK_PATTERNS,
	DASH_LATEST_EVENTS,
	DASH_WIDGET_COUNT
};

/* What a widget may be asked; the API checks the values. */
struct store_dash_params {
	const char *from;   /* first event date, "YYYY-MM-DD", or NULL */
	const char *to;     /* last event date, or NULL */
	int bucket_len;     /* timeline: 4 (year), 7 (month) or 10 (day) */
	int64_t limit;      /* rows of a top-N widget */
};

/* One cell of a result row: an integer, a text or NULL. */
struct store_dash_cell {
	const char *name; /* the column alias */
	bool is_int;
	int64_t num;
	const char *text; /* NULL for an SQL NULL when !is_int */
};

typedef int (*store_dash_row_fn)(void *ctx, const struct store_dash_cell *cells,
				 int ncells);

/* Runs widget `w` for viewer `v` and calls `fn` once per row; a negative
 * return from `fn` stops and is returned.  Store failures fill `e`. */
int store_dashboard(struct store *s, const struct store_viewer *v,
		    enum store_dash_widget w, const struct store_dash_params *p,
		    store_dash_row_fn fn, void *ctx, struct cairn_err *e);

#endif
