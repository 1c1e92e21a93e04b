/* MISP JSON writers for search results; see search_json.h. */
#include "export/search_json.h"
#include "export/event_json.h"
#include "model/codec.h"
#include "model/misp.h"

#include <string.h>

#define GEN_OK(call) ((call) == yajl_gen_status_ok)

/* The event fields MISP nests in each attribute of a search result. */
static const int summary_fields[] = {
	EVENT_ORG_ID, EVENT_DISTRIBUTION, EVENT_ID,
	EVENT_INFO,   EVENT_ORGC_ID,      EVENT_UUID,
};

#define NSUMMARY (sizeof(summary_fields) / sizeof(summary_fields[0]))

/* The event of the previous attribute, kept because a search returns an
 * event's attributes one after another. */
struct event_cache {
	int64_t id;
	struct record ev;
};

static int cache_event(struct store *s, struct event_cache *cache,
		       int64_t event_id)
{
	int rc;

	if (cache->id == event_id) {
		return 0;
	}
	record_release(&cache->ev);
	record_init(&cache->ev, &model_event);
	rc = store_get(s, &model_event, event_id, &cache->ev);
	cache->id = rc == 0 ? event_id : 0;
	return rc;
}

static int write_summary(yajl_gen g, const struct record *ev)
{
	struct field fields[NSUMMARY];
	struct model summary = {"Event", NULL, fields, NSUMMARY};
	struct record r;

	record_init(&r, &summary);
	for (size_t i = 0; i < NSUMMARY; i++) {
		fields[i] = model_event.fields[summary_fields[i]];
		r.v[i] = ev->v[summary_fields[i]];
	}
	if (codec_emit_key(g, "Event") < 0) {
		return CAIRN_ENOMEM;
	}
	return codec_emit_record(g, &r);
}

static int write_one(struct store *s, const struct store_viewer *v,
		     struct event_cache *cache, const struct record *attr,
		     int64_t event_id, yajl_gen g)
{
	int rc = cache_event(s, cache, event_id);

	if (rc == 0 && !GEN_OK(yajl_gen_map_open(g))) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0) {
		rc = codec_emit_fields(g, attr);
	}
	if (rc == 0) {
		rc = write_summary(g, &cache->ev);
	}
	if (rc == 0) {
		rc = event_json_tags(s, v, Q_ATTRIBUTE_TAGS,
				     record_int(attr, ATTR_ID, 0), "Tag", false,
				     g);
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

int search_json_attributes(struct store *s, const struct store_viewer *v,
			   struct store_cursor *c, yajl_gen g)
{
	struct event_cache cache = {0};
	struct record attr;
	int rc = 0;

	record_init(&cache.ev, &model_event);
	if (!GEN_OK(yajl_gen_map_open(g)) ||
	    codec_emit_key(g, "response") < 0 ||
	    !GEN_OK(yajl_gen_map_open(g)) ||
	    codec_emit_key(g, "Attribute") < 0 ||
	    !GEN_OK(yajl_gen_array_open(g))) {
		rc = CAIRN_ENOMEM;
	}
	while (rc == 0 && (rc = store_cursor_next(c, &attr)) == 1) {
		rc = write_one(s, v, &cache, &attr, store_cursor_parent(c), g);
	}
	record_release(&cache.ev);
	if (rc == 0 && (!GEN_OK(yajl_gen_array_close(g)) ||
			!GEN_OK(yajl_gen_map_close(g)) ||
			!GEN_OK(yajl_gen_map_close(g)))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}
