/*
 * The filters of restSearch, events/index, attributes/index and `cairn
 * export`, read from a JSON body and from CakePHP named parameters into a
 * struct store_search (store/search.h) and the output options.
 *
 * This is the one place that contains MISP's filter names and their value
 * forms.  A filter not in its endpoint's table, or a value of the wrong
 * form, is CAIRN_EINVAL with a message that names the filter.  A value of
 * 0, "0" or false filters like any other; only null, "" and [] leave a
 * filter unset, as MISP treats them.
 */
#ifndef CAIRN_API_SEARCH_REQUEST_H
#define CAIRN_API_SEARCH_REQUEST_H

#include "core/err.h"
#include "http/path.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum search_endpoint {
	SEARCH_EP_ATTRIBUTES,	   /* attributes/restSearch */
	SEARCH_EP_EVENTS,	   /* events/restSearch */
	SEARCH_EP_OBJECTS,	   /* objects/restSearch */
	SEARCH_EP_SIGHTINGS,	   /* sightings/restSearch */
	SEARCH_EP_EVENT_INDEX,	   /* events/index */
	SEARCH_EP_ATTRIBUTE_INDEX, /* attributes/index */
};

/* The output switches: parts of the response beside the selected rows. */
struct search_options {
	const char *return_format; /* as given, or "json" */
	bool enforce_warninglist;
	bool include_event_tags;
	bool include_context;
	bool include_correlations;
	bool include_sightings;
	bool include_warninglist_hits;
	bool headerless;
	bool metadata;
	bool minimal;		    /* events/index */
	bool include_attribute;	    /* sightings: the Attribute of each */
	bool include_event;	    /* sightings: the Event of each */
	bool filters_to_ids;	    /* the request filters on to_ids */
	bool filters_published;	    /* the request filters on published */
	const char *const *columns; /* requested_attributes, or NULL */
	size_t ncolumns;
};

struct search_request {
	struct store_search q;
	struct search_options o;
	/* Strings the conditions and options point into, owned here. */
	char **owned;
	size_t nowned;
	size_t owned_cap;
	const char **columns;
	json_t *types; /* the positive type filter values, for normalising */
};

/* Reads the filters of `body` (a JSON object or NULL) and of the named
 * parameters of `path` (may be NULL) for endpoint `ep` into `r`, which
 * it initialises.  A body filter wins over a named parameter of the same
 * name.  `s` resolves organisation names and uuids, which match nothing
 * when `s` is NULL.  `now` (unix seconds) anchors relative times such as
 * "7d".  Returns 0 or a negative code with the
 * detail in `e`; `r` is released with search_request_release() either
 * way. */
int search_request_parse(struct search_request *r, enum search_endpoint ep,
			 json_t *body, const struct path *path, struct store *s,
			 int64_t now, struct cairn_err *e);

void search_request_release(struct search_request *r);

/* Parses a relative time ("30m", "12h", "7d", "2w", or seconds "90s")
 * into seconds through *seconds.  Returns false for other text. */
bool search_parse_delta(const char *text, int64_t *seconds);

#endif
