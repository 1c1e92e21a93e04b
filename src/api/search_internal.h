/*
 * Declarations shared by the files of the filter parser
 * (api/search_request.c and api/search_lists.c).  Nothing else includes
 * this header.
 */
#ifndef CAIRN_API_SEARCH_INTERNAL_H
#define CAIRN_API_SEARCH_INTERNAL_H

#include "api/search_request.h"

#include <jansson.h>

enum value_form {
	FORM_TEXTS,	/* strings: IN, or LIKE when one contains a % */
	FORM_LIKE,	/* strings matched as LIKE patterns */
	FORM_CONTAINS,	/* LIKE patterns, %x% for a string without a % */
	FORM_INTS,	/* integers */
	FORM_ORGS,	/* organisation ids, names or uuids */
	FORM_VALUES,	/* attribute values, normalised */
	FORM_TAGS,	/* tag names */
	FORM_BOOL,	/* true or false, 0 or 1 */
	FORM_TIME,	/* a time, relative time or [from, to] pair */
	FORM_LAST,	/* a relative time back from now */
	FORM_DATE_FROM, /* a date, at least */
	FORM_DATE_TO,	/* a date, at most */
	FORM_SEEN_FROM, /* an ISO 8601 time, at least */
	FORM_SEEN_TO,	/* an ISO 8601 time, at most */
	FORM_TIME_FROM, /* a time, at least (sightings from) */
	FORM_TIME_TO,	/* a time, at most (sightings to) */
	FORM_SEARCHALL, /* a text found anywhere */
	FORM_DELETED,	/* 0, 1 or both */
	FORM_OPTION,	/* an output switch */
	FORM_COLUMNS,	/* requested_attributes */
	FORM_FORMAT,	/* returnFormat */
	FORM_LIMIT,
	FORM_PAGE,
	FORM_SORT,
	FORM_DIRECTION,
	FORM_CONTEXT, /* sightings: what `id` names */
	FORM_CONTEXT_ID,
};

struct filter {
	const char *name;
	unsigned endpoints;
	enum value_form form;
	int field; /* enum store_search_field, or enum option */
};

/* Parsing state of one request. */
struct parse {
	struct search_request *r;
	enum search_endpoint ep;
	struct store *s;
	int64_t now;
	struct cairn_err *e;
	const char *context; /* sightings: "attribute" or "event" */
	json_t *context_id;  /* sightings: the id filter, kept */
	bool from_path;	     /* the value came from a named parameter */
};

/* Sets the CAIRN_EINVAL error that names filter `name`, its value `v`
 * and what is `expected`, and returns CAIRN_EINVAL. */
int search_bad_value(struct parse *p, const char *name, const char *expected,
		     json_t *v);

/* Takes `text` (malloc'ed, may be NULL) into the request and returns
 * it, or NULL when out of memory. */
const char *search_keep(struct parse *p, char *text);

/* Returns the compact JSON text of `list`, kept by the request. */
const char *search_keep_json(struct parse *p, json_t *list);

/* Appends a condition, or sets the error that `name` has too many. */
int search_add_cond(struct parse *p, const char *name, int field,
		    enum store_search_op op, const char *list, int64_t number,
		    const char *text);

/* Parses a list filter (FORM_TEXTS, FORM_LIKE, FORM_CONTAINS, FORM_INTS,
 * FORM_ORGS, FORM_VALUES, FORM_TAGS) into its conditions. */
int search_parse_list(struct parse *p, const struct filter *f, json_t *v);

#endif
