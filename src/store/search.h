/*
 * The searches of restSearch, events/index, attributes/index and `cairn
 * export`, as conditions that the store turns into one SQL statement.
 *
 * A search is a list of conditions, each a field, an operator and a bound
 * value.  The store maps every field to an allow-listed column expression
 * for the kind of row searched (attributes, events, objects, sightings)
 * and every operator to a fixed SQL template, so no text of a request
 * ever becomes SQL.  List values are JSON array texts that the statement
 * reads with json_each(), so one statement serves one value and a list
 * alike.  The visibility conditions of store/visibility.h are part of the
 * same statement.
 */
#ifndef CAIRN_STORE_SEARCH_H
#define CAIRN_STORE_SEARCH_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The field that a condition tests.  The comments name the column in an
 * attribute search, and store/sqlite_search.c lists the other kinds'. */
enum store_search_field {
	SEARCH_VALUE,	     /* a.value, or either half of a composite value */
	SEARCH_TYPE,	     /* a.type */
	SEARCH_CATEGORY,     /* a.category */
	SEARCH_UUID,	     /* a.uuid or e.uuid */
	SEARCH_EVENT_ID,     /* a.event_id */
	SEARCH_ATTRIBUTE_ID, /* a.id */
	SEARCH_ORG,	     /* e.orgc_id */
	SEARCH_EVENT_INFO,   /* e.info */
	SEARCH_DATE,	     /* e.date, YYYY-MM-DD text */
	SEARCH_PUBLISH_TIMESTAMP, /* e.publish_timestamp */
	SEARCH_TIMESTAMP, /* a.timestamp (e.timestamp in an event search) */
	SEARCH_EVENT_TIMESTAMP, /* e.timestamp */
	SEARCH_FIRST_SEEN,	/* a.first_seen, normalised ISO 8601 text */
	SEARCH_LAST_SEEN,	/* a.last_seen */
	SEARCH_PUBLISHED,	/* e.published */
	SEARCH_TO_IDS,		/* a.to_ids */
	SEARCH_THREAT_LEVEL,	/* e.threat_level_id */
	SEARCH_ANALYSIS,	/* e.analysis */
	SEARCH_DISTRIBUTION,	/* a.distribution (e.distribution for events) */
	SEARCH_SHARING_GROUP,	/* a.sharing_group_id */
	SEARCH_OBJECT_RELATION, /* a.object_relation */
	SEARCH_TAG,		/* a tag of the attribute or of its event */
	SEARCH_SEARCHALL,	/* value, comment, event info or a tag name */
	SEARCH_SIGHTING_TYPE,	/* sightings only: l.type */
	SEARCH_SIGHTING_SOURCE, /* sightings only: l.source */
	SEARCH_SIGHTING_ORG,	/* sightings only: l.org_id */
	SEARCH_SIGHTING_DATE,	/* sightings only: l.date_sighting */
	SEARCH_FIELD_COUNT
};

enum store_search_op {
	SEARCH_IN,	 /* equals one of the `list` values */
	SEARCH_NOT_IN,	 /* equals none of them */
	SEARCH_LIKE,	 /* matches one of the `list` LIKE patterns */
	SEARCH_NOT_LIKE, /* matches none of them */
	SEARCH_GE,	 /* at least `number` (or `text` when set) */
	SEARCH_LE,	 /* at most `number` (or `text` when set) */
};

struct store_search_cond {
	enum store_search_field field;
	enum store_search_op op;
	const char *list; /* JSON array text, for the list operators */
	int64_t number;	  /* bound of SEARCH_GE and SEARCH_LE */
	const char *text; /* a text bound instead, or NULL */
};

/* The kinds of row a search returns. */
enum store_search_kind {
	SEARCH_ATTRIBUTES, /* cursor of model_attribute, parent event id */
	SEARCH_EVENTS,	   /* event ids */
	SEARCH_OBJECTS,	   /* object ids */
	SEARCH_SIGHTINGS,  /* cursor of model_sighting, parent attribute */
};

/* The rows a search keeps with regard to soft deletion. */
enum store_search_deleted {
	SEARCH_LIVE = 0,	 /* live rows only, the default */
	SEARCH_DELETED_ONLY = 1, /* soft-deleted attributes only */
	SEARCH_DELETED_BOTH = 2, /* both */
};

/* Sort orders of events/index. */
enum store_search_sort {
	SEARCH_SORT_ID,
	SEARCH_SORT_DATE,
	SEARCH_SORT_TIMESTAMP,
	SEARCH_SORT_PUBLISH_TIMESTAMP,
	SEARCH_SORT_INFO,
	SEARCH_SORT_THREAT_LEVEL,
	SEARCH_SORT_ANALYSIS,
	SEARCH_SORT_DISTRIBUTION,
	SEARCH_SORT_ATTRIBUTE_COUNT,
	SEARCH_SORT_ORGC,
	SEARCH_SORT_PUBLISHED,
	SEARCH_SORT_UUID,
};

#define STORE_SEARCH_MAX_CONDS 96

/* A search: every condition must hold.  The strings are the caller's and
 * must outlive the cursor. */
struct store_search {
	struct store_search_cond conds[STORE_SEARCH_MAX_CONDS];
	size_t nconds;
	enum store_search_deleted deleted;
	int64_t limit;		     /* rows per page; 0 for all */
	int64_t page;		     /* from 1; 0 means 1 */
	enum store_search_sort sort; /* events only; others sort by id */
	bool descending;
};

/* Appends a condition; CAIRN_ETOOBIG past STORE_SEARCH_MAX_CONDS. */
int store_search_add(struct store_search *q, enum store_search_field field,
		     enum store_search_op op, const char *list, int64_t number,
		     const char *text);

/* Opens a cursor over the attributes that match `q` and that viewer `v`
 * may see, by id; store_cursor_parent() returns each one's event id.
 * Attributes in soft-deleted objects are left out unless `q` requests
 * deleted rows. */
int store_search_attributes(struct store *s, const struct store_viewer *v,
			    const struct store_search *q,
			    struct store_cursor **out);

/* Opens a cursor over the sightings of `q`'s attributes that `v` may
 * see, by sighting id; the parent is the attribute id. */
int store_search_sightings(struct store *s, const struct store_viewer *v,
			   const struct store_search *q,
			   struct store_cursor **out);

/* Opens a cursor over the ids of the events (SEARCH_EVENTS) or objects
 * (SEARCH_OBJECTS) that match `q` and that `v` may see.  An event or
 * object matches the attribute conditions when one of its attributes
 * that `v` may see matches them all.  Read ids with store_ids_next(). */
struct store_ids;
int store_search_ids(struct store *s, const struct store_viewer *v,
		     enum store_search_kind kind, const struct store_search *q,
		     struct store_ids **out);

/* Reads the next id into *id: 1, 0 at the end, or a negative code. */
int store_ids_next(struct store_ids *c, int64_t *id);
void store_ids_close(struct store_ids *c);

/* Counts the rows of search `kind` that match `q` without its limit and
 * page, through *count. */
int store_search_count(struct store *s, const struct store_viewer *v,
		       enum store_search_kind kind,
		       const struct store_search *q, int64_t *count);

/* Writes the SQL text that search `kind` prepares for `q` into `out`,
 * for the unit tests and the benchmark. */
int store_search_sql(const struct store_viewer *v, enum store_search_kind kind,
		     const struct store_search *q, struct buf *out);

#endif
