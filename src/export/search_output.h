/*
 * The output of a search, produced piece by piece from the store cursor:
 * MISP's JSON shape of each endpoint, or an export format's text
 * (export/format.h) fed one attribute at a time.  The caller pulls with
 * search_output_next() and drains the buffer between calls (into a
 * chunked HTTP response or stdout), so memory contains one row's output at
 * a time, or one event's for events/restSearch in JSON.
 */
#ifndef CAIRN_SEARCH_OUTPUT_H
#define CAIRN_SEARCH_OUTPUT_H

#include "core/buf.h"
#include "core/err.h"
#include "export/format.h"
#include "store/store.h"

#include <stdbool.h>

struct warninglist_set;

enum search_shape {
	SHAPE_ATTRIBUTES,      /* {"response": {"Attribute": [...]}} */
	SHAPE_EVENTS,	       /* {"response": [{"Event": {...}}, ...]} */
	SHAPE_OBJECTS,	       /* {"response": [{"Object": {...}}, ...]} */
	SHAPE_SIGHTINGS,       /* {"response": [{"Sighting": {...}}, ...]} */
	SHAPE_EVENT_INDEX,     /* [{event, Org, Orgc, EventTag}, ...] */
	SHAPE_ATTRIBUTE_INDEX, /* [{"Attribute": {...}}, ...] */
};

struct search_output_config {
	struct store *store;		   /* used until close */
	const struct store_viewer *viewer; /* outlives the output */
	enum search_shape shape;
	const struct store_search *q; /* outlives the output */
	/* NULL for JSON; otherwise attributes go through this writer. */
	const struct export_format *format;
	struct export_options export;
	/* Enabled warninglists for enforce_warninglist and
	 * include_warninglist_hits; NULL when none are loaded. */
	struct warninglist_set *warninglists;
	bool enforce_warninglist;      /* leave out values on a warninglist */
	bool include_warninglist_hits; /* "warnings" in each attribute */
	bool include_event_tags;       /* event tags in each attribute's Tag */
	bool include_context;	       /* the whole event in each attribute */
	bool include_correlations;     /* RelatedAttribute in each */
	bool include_sightings;	       /* Sighting in each */
	bool metadata;		       /* events without their attributes */
	bool minimal;		       /* events/index: the event fields only */
	bool include_attribute;	       /* sightings: their Attribute */
	bool include_event;	       /* sightings: their Event */
};

struct search_output;

/* Starts an output; nothing is read until the first search_output_next().
 * The caller closes it. */
int search_output_open(struct search_output **out,
		       const struct search_output_config *cfg);

/* Appends the next piece of output to `out`.  Returns 1 while more
 * follows, 0 once everything is written, or a negative code with the
 * detail in `e`. */
int search_output_next(struct search_output *o, struct buf *out,
		       struct cairn_err *e);

/* Returns the number of rows written so far. */
int64_t search_output_rows(const struct search_output *o);

void search_output_close(struct search_output *o);

#endif
