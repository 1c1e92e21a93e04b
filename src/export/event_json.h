/*
 * MISP JSON writers for stored events, attributes and objects.
 *
 * Each writes into a yajl generator the shape MISP's REST API returns:
 * {"Event": {...}} with Org, Orgc, Attribute, Object, Tag, Galaxy,
 * EventReport, ShadowAttribute and RelatedEvent inside it, {"Attribute": {...}} and
 * {"Object": {...}}.  Rows are read from store cursors as they are written.
 */
#ifndef CAIRN_EVENT_JSON_H
#define CAIRN_EVENT_JSON_H

#include "store/store.h"

#include <stdint.h>
#include <yajl/yajl_gen.h>

enum event_json_flag {
	EVENT_JSON_METADATA = 1 << 0,     /* no attributes or objects */
	EVENT_JSON_DELETED = 1 << 1,      /* include soft-deleted ones */
	EVENT_JSON_NO_SIGHTINGS = 1 << 2, /* omit Sighting lists */
	EVENT_JSON_BARE = 1 << 3,         /* no {"Event": ...} envelope */
	EVENT_JSON_NO_RELATED = 1 << 4,   /* omit RelatedEvent */
	/* a RelatedAttribute list in each attribute, as MISP's events/view
	 * writes with includeGranularCorrelations */
	EVENT_JSON_RELATED_ATTRIBUTES = 1 << 5,
	/* "warnings" in each attribute with to_ids set that is on an
	 * enabled warninglist, as MISP's includeWarninglistHits writes */
	EVENT_JSON_WARNINGS = 1 << 6,
};

struct warninglist_set;

/* What some flags need besides the store. */
struct event_json_options {
	struct warninglist_set *warninglists; /* for EVENT_JSON_WARNINGS */
};

/* Returns CAIRN_ENOTFOUND for an unknown id. */
int event_json_write(struct store *s, const struct store_viewer *v,
		     int64_t event_id, unsigned flags, yajl_gen g);

/* Writes as event_json_write() does, with `options` (may be NULL). */
int event_json_write_with(struct store *s, const struct store_viewer *v,
			  const struct event_json_options *options,
			  int64_t event_id, unsigned flags, yajl_gen g);

/* Writes {"Attribute": {...}} (or the bare attribute with
 * EVENT_JSON_BARE). */
int attribute_json_write(struct store *s, const struct store_viewer *v,
			 int64_t attribute_id, unsigned flags, yajl_gen g);

/* Writes {"Object": {...}} with the object's attributes and references. */
int object_json_write(struct store *s, const struct store_viewer *v,
		      int64_t object_id, unsigned flags, yajl_gen g);

/* Writes `key`: [...] with the tags of tag query `q` on `id` that `v`
 * may see, or nothing when there are none and `always` is false. */
int event_json_tags(struct store *s, const struct store_viewer *v,
		    enum store_query q, int64_t id, const char *key,
		    bool always, yajl_gen g);

/* Writes the event list of GET /events/index: bare event objects with
 * Org, Orgc and EventTag. */
int event_index_write(struct store *s, const struct store_viewer *v,
		      yajl_gen g);

/* Writes one entry of that list for the event record `ev`; `minimal`
 * leaves out Org, Orgc and EventTag. */
int event_index_entry_write(struct store *s, const struct store_viewer *v,
			    const struct record *ev, bool minimal, yajl_gen g);

/* Writes "RelatedAttribute": [...], the attributes that correlate with
 * attribute `attribute_id` and that `v` may see. */
int event_json_related_attributes(struct store *s,
				  const struct store_viewer *v,
				  int64_t attribute_id, yajl_gen g);

#endif
