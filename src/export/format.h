/*
 * Export formats of restSearch and `cairn export`: each format is a writer
 * fed one attribute at a time, in the order the search cursor returns
 * them, so that memory does not grow with the result.
 *
 * A caller finds a format with export_format_find(), allocates
 * `state_size` zeroed bytes, calls begin() once, item() for each
 * attribute, end() once, and release() in every case.  Writers append to
 * `out`; the caller drains it (into a chunked HTTP response or stdout)
 * between calls, so a writer never holds more than one item's text.
 */
#ifndef CAIRN_EXPORT_FORMAT_H
#define CAIRN_EXPORT_FORMAT_H

#include "core/buf.h"
#include "core/err.h"
#include "model/record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One attribute of a result with what a writer may print beside it. */
struct export_item {
	const struct record *attribute; /* model_attribute */
	const struct record *event;     /* model_event of its event */
	const struct record *object;    /* model_object, NULL outside one */
	const char *const *tags;        /* names of the attribute's tags, */
	size_t ntags;                   /* then its event's, visible ones */
	size_t nattribute_tags;         /* how many of `tags` are its own */
	const char *org_name;           /* the event's Org and Orgc names, */
	const char *orgc_name;          /* or NULL when not known */
};

/* Options that apply to every format. */
struct export_options {
	bool headerless;             /* csv: no header line */
	const char *const *columns;  /* csv: requested_attributes, or NULL */
	size_t ncolumns;
	int64_t now;                 /* unix seconds, for generated stamps */
	const char *instance_uuid;   /* stix2 identity, cache, rule sids */
	const char *base_url;        /* links back to the instance */
	bool include_context;        /* csv: add MISP's event columns */
	int64_t nids_sid;            /* suricata, snort: the sid base, as
					MISP's per-user nids_sid; 0 means
					MISP's default 4000000 */
};

struct export_format {
	const char *name;         /* the returnFormat value, as MISP spells it */
	const char *content_type; /* of the HTTP response */
	/* Text and rule formats export only to_ids attributes of published
	 * events unless the request filters on to_ids or published itself,
	 * as MISP does. */
	bool ids_published_default;
	size_t state_size;
	int (*begin)(void *state, const struct export_options *o,
		     struct buf *out, struct cairn_err *e);
	int (*item)(void *state, const struct export_item *it,
		    struct buf *out, struct cairn_err *e);
	int (*end)(void *state, struct buf *out, struct cairn_err *e);
	void (*release)(void *state);
};

/* Returns the format named `name` (compared without case), or NULL. */
const struct export_format *export_format_find(const char *name);

/* Lists the names of every format, comma-separated, into `out`, for the
 * error that names the accepted values. */
int export_format_names(struct buf *out);

#endif
