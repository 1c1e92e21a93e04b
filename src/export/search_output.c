/*
 * Search output, one row per search_output_next() call; see
 * search_output.h.
 *
 * JSON goes through a yajl generator whose print callback appends to the
 * caller's buffer of the current call.  An export format gets one struct
 * export_item per attribute, with the attribute's event and object (kept
 * across rows, since a search returns an event's attributes together)
 * and the names of its and its event's tags.
 */
#include "export/search_output.h"

#include "correlate/warninglist.h"
#include "export/event_json.h"
#include "model/codec.h"
#include "model/misp.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#define GEN_OK(call) ((call) == yajl_gen_status_ok)

enum phase { PHASE_START, PHASE_ROWS, PHASE_END, PHASE_DONE };

/* A row kept across rows: the event or object of the previous one. */
struct cached {
	int64_t id;
	struct record r;
};

struct search_output {
	struct search_output_config cfg;
	enum phase phase;
	yajl_gen gen;
	struct buf *out; /* the buffer of the current call */
	struct store_cursor *rows;
	struct store_ids *ids;
	bool unmapped; /* the store's memory map is off for this export */
	struct cached event;
	struct cached object;
	/* The event's tag names, kept with `event`, then the attribute's. */
	char **tags;
	size_t ntags, nevent_tags, tags_cap;
	void *format_state;
	struct warninglist_hit *hits;
	size_t hits_cap;
	int64_t nrows;
};

/* The event fields MISP nests in each attribute of a search result. */
static const int summary_fields[] = {
    EVENT_ORG_ID, EVENT_DISTRIBUTION, EVENT_ID,
    EVENT_INFO,	  EVENT_ORGC_ID,      EVENT_UUID,
};

#define NSUMMARY (sizeof(summary_fields) / sizeof(summary_fields[0]))

static void gen_print(void *ctx, const char *str, size_t len)
{
	struct search_output *o = ctx;

	buf_add(o->out, str, len);
}

int search_output_open(struct search_output **out,
		       const struct search_output_config *cfg)
{
	struct search_output *o = calloc(1, sizeof(*o));

	*out = NULL;
	if (!o) {
		return CAIRN_ENOMEM;
	}
	o->cfg = *cfg;
	record_init(&o->event.r, &model_event);
	record_init(&o->object.r, &model_object);
	o->gen = yajl_gen_alloc(NULL);
	if (!o->gen) {
		free(o);
		return CAIRN_ENOMEM;
	}
	yajl_gen_config(o->gen, yajl_gen_print_callback, gen_print, o);
	if (cfg->warninglists) {
		o->hits_cap = warninglist_count(cfg->warninglists);
		o->hits =
		    calloc(o->hits_cap ? o->hits_cap : 1, sizeof(*o->hits));
		if (!o->hits) {
			search_output_close(o);
			return CAIRN_ENOMEM;
		}
	}
	*out = o;
	return 0;
}

int64_t search_output_rows(const struct search_output *o)
{
	return o->nrows;
}

static void tags_truncate(struct search_output *o, size_t n)
{
	while (o->ntags > n) {
		free(o->tags[--o->ntags]);
	}
}

static int tags_add(struct search_output *o, const char *name)
{
	if (o->ntags == o->tags_cap) {
		size_t cap = o->tags_cap ? o->tags_cap * 2 : 8;
		char **grown = realloc(o->tags, cap * sizeof(*grown));

		if (!grown) {
			return CAIRN_ENOMEM;
		}
		o->tags = grown;
		o->tags_cap = cap;
	}
	o->tags[o->ntags] = strdup(name);
	return o->tags[o->ntags++] ? 0 : CAIRN_ENOMEM;
}

/* Appends the names of the tags of query `q` on `id` to the tag list. */
static int collect_tags(struct search_output *o, enum store_query q, int64_t id)
{
	struct store_cursor *c;
	struct record tag;
	int rc = store_query(o->cfg.store, o->cfg.viewer, q, id, 0, &c);

	while (rc == 0 && (rc = store_cursor_next(c, &tag)) == 1) {
		rc = tags_add(o, record_text(&tag, TAG_NAME, ""));
	}
	store_cursor_close(c);
	return rc;
}

/* Loads row `id` of `m` into `cache` unless it is there already. */
static int cache_row(struct search_output *o, struct cached *cache,
		     const struct model *m, int64_t id)
{
	int rc;

	if (cache->id == id) {
		return 0;
	}
	record_release(&cache->r);
	record_init(&cache->r, m);
	rc = store_get(o->cfg.store, m, id, &cache->r);
	cache->id = rc == 0 ? id : 0;
	return rc;
}

/* Loads the event of the current attribute and, for formats, its tags,
 * which stay at the start of the tag list. */
static int cache_event(struct search_output *o, int64_t event_id)
{
	int rc;

	if (o->event.id == event_id) {
		return 0;
	}
	rc = cache_row(o, &o->event, &model_event, event_id);
	tags_truncate(o, 0);
	if (rc == 0 && o->cfg.format) {
		rc = collect_tags(o, Q_EVENT_TAGS, event_id);
	}
	o->nevent_tags = o->ntags;
	return rc;
}

/* ---- JSON of one attribute ---- */

static int write_summary(struct search_output *o)
{
	struct field fields[NSUMMARY];
	struct model summary = {"Event", NULL, fields, NSUMMARY};
	struct record r;

	if (o->cfg.include_context) {
		return codec_emit_key(o->gen, "Event") < 0
			   ? CAIRN_ENOMEM
			   : event_json_write(
				 o->cfg.store, o->cfg.viewer, o->event.id,
				 EVENT_JSON_METADATA | EVENT_JSON_NO_RELATED |
				     EVENT_JSON_BARE,
				 o->gen);
	}
	record_init(&r, &summary);
	for (size_t i = 0; i < NSUMMARY; i++) {
		fields[i] = model_event.fields[summary_fields[i]];
		r.v[i] = o->event.r.v[summary_fields[i]];
	}
	if (codec_emit_key(o->gen, "Event") < 0) {
		return CAIRN_ENOMEM;
	}
	return codec_emit_record(o->gen, &r);
}

/* Writes "Tag": the attribute's tags, then its event's when asked. */
static int write_tags(struct search_output *o, int64_t attribute_id)
{
	struct store_cursor *c = NULL;
	struct record tag;
	bool opened = false;
	enum store_query queries[] = {Q_ATTRIBUTE_TAGS, Q_EVENT_TAGS};
	int64_t ids[] = {attribute_id, o->event.id};
	size_t n = o->cfg.include_event_tags ? 2 : 1;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = store_query(o->cfg.store, o->cfg.viewer, queries[i],
				 ids[i], 0, &c);
		while (rc == 0 && (rc = store_cursor_next(c, &tag)) == 1) {
			rc = 0;
			if (!opened && (codec_emit_key(o->gen, "Tag") < 0 ||
					!GEN_OK(yajl_gen_array_open(o->gen)))) {
				rc = CAIRN_ENOMEM;
			}
			opened = true;
			if (rc == 0) {
				rc = codec_emit_record(o->gen, &tag);
			}
		}
		store_cursor_close(c);
		c = NULL;
	}
	if (rc == 0 && opened && !GEN_OK(yajl_gen_array_close(o->gen))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

static int write_sightings(struct search_output *o, int64_t attribute_id)
{
	struct store_cursor *c;
	struct record sighting;
	int rc = store_query(o->cfg.store, o->cfg.viewer, Q_ATTRIBUTE_SIGHTINGS,
			     attribute_id, 0, &c);

	if (rc == 0 && (codec_emit_key(o->gen, "Sighting") < 0 ||
			!GEN_OK(yajl_gen_array_open(o->gen)))) {
		rc = CAIRN_ENOMEM;
	}
	while (rc == 0 && (rc = store_cursor_next(c, &sighting)) == 1) {
		rc = codec_emit_record(o->gen, &sighting);
	}
	store_cursor_close(c);
	if (rc == 0 && !GEN_OK(yajl_gen_array_close(o->gen))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

static size_t check_warninglists(struct search_output *o,
				 const struct record *attr)
{
	size_t n;

	if (!o->cfg.warninglists) {
		return 0;
	}
	n = warninglist_check(
	    o->cfg.warninglists, record_text(attr, ATTR_TYPE, ""),
	    record_text(attr, ATTR_VALUE, ""), o->hits, o->hits_cap);
	return n < o->hits_cap ? n : o->hits_cap;
}

static int emit_pair(yajl_gen g, const char *key, const char *value, size_t len)
{
	if (codec_emit_key(g, key) < 0 ||
	    !GEN_OK(yajl_gen_string(g, (const unsigned char *)value, len))) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

/* Writes "warnings": one entry per warninglist the value is on. */
static int write_warnings(struct search_output *o, size_t nhits)
{
	yajl_gen g = o->gen;
	int rc = 0;

	if (codec_emit_key(g, "warnings") < 0 ||
	    !GEN_OK(yajl_gen_array_open(g))) {
		return CAIRN_ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < nhits; i++) {
		const struct warninglist_hit *h = &o->hits[i];
		const struct warninglist *l =
		    warninglist_get(o->cfg.warninglists, h->id);
		char id[16];

		snprintf(id, sizeof(id), "%d", h->id);
		if (!GEN_OK(yajl_gen_map_open(g))) {
			rc = CAIRN_ENOMEM;
		}
		if (rc == 0) {
			rc = emit_pair(g, "value", h->value, h->value_len);
		}
		if (rc == 0) {
			rc = emit_pair(g, "match", h->match, strlen(h->match));
		}
		if (rc == 0) {
			rc = emit_pair(g, "warninglist_id", id, strlen(id));
		}
		if (rc == 0 && l) {
			rc = emit_pair(g, "warninglist_name",
				       warninglist_name(l),
				       strlen(warninglist_name(l)));
		}
		if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
			rc = CAIRN_ENOMEM;
		}
	}
	if (rc == 0 && !GEN_OK(yajl_gen_array_close(g))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

static int write_attribute_json(struct search_output *o,
				const struct record *attr, size_t nhits)
{
	int64_t id = record_int(attr, ATTR_ID, 0);
	int rc = GEN_OK(yajl_gen_map_open(o->gen)) ? 0 : CAIRN_ENOMEM;

	if (rc == 0 && o->cfg.shape == SHAPE_ATTRIBUTE_INDEX &&
	    (codec_emit_key(o->gen, "Attribute") < 0 ||
	     !GEN_OK(yajl_gen_map_open(o->gen)))) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0) {
		rc = codec_emit_fields(o->gen, attr);
	}
	if (rc == 0) {
		rc = write_summary(o);
	}
	if (rc == 0) {
		rc = write_tags(o, id);
	}
	if (rc == 0 && o->cfg.include_sightings) {
		rc = write_sightings(o, id);
	}
	if (rc == 0 && o->cfg.include_correlations) {
		rc = event_json_related_attributes(o->cfg.store, o->cfg.viewer,
						   id, o->gen);
	}
	if (rc == 0 && o->cfg.include_warninglist_hits && nhits) {
		rc = write_warnings(o, nhits);
	}
	if (rc == 0 && o->cfg.shape == SHAPE_ATTRIBUTE_INDEX &&
	    !GEN_OK(yajl_gen_map_close(o->gen))) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(o->gen))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

/* ---- an attribute through an export format ---- */

static int write_attribute_format(struct search_output *o,
				  const struct record *attr,
				  struct cairn_err *e)
{
	int64_t object_id = record_int(attr, ATTR_OBJECT_ID, 0);
	struct export_item it = {0};
	int rc = 0;

	if (object_id > 0) {
		rc = cache_row(o, &o->object, &model_object, object_id);
	}
	tags_truncate(o, o->nevent_tags);
	if (rc == 0) {
		rc = collect_tags(o, Q_ATTRIBUTE_TAGS,
				  record_int(attr, ATTR_ID, 0));
	}
	if (rc < 0) {
		return rc;
	}
	/* The item lists the attribute's own tags first, then the event's:
	 * the list keeps the event's first, so rotate it into that order. */
	{
		size_t own = o->ntags - o->nevent_tags;
		const char **names = calloc(o->ntags + 1, sizeof(*names));

		if (!names) {
			return CAIRN_ENOMEM;
		}
		for (size_t i = 0; i < own; i++) {
			names[i] = o->tags[o->nevent_tags + i];
		}
		for (size_t i = 0; i < o->nevent_tags; i++) {
			names[own + i] = o->tags[i];
		}
		it.attribute = attr;
		it.event = &o->event.r;
		it.object = object_id > 0 ? &o->object.r : NULL;
		it.tags = names;
		it.ntags = o->ntags;
		it.nattribute_tags = own;
		rc = o->cfg.format->item(o->format_state, &it, o->out, e);
		free(names);
	}
	return rc;
}

/* ---- rows ---- */

static int next_attribute(struct search_output *o, struct cairn_err *e)
{
	struct record attr;
	size_t nhits = 0;
	int rc;

	for (;;) {
		rc = store_cursor_next(o->rows, &attr);
		if (rc <= 0) {
			return rc;
		}
		/* NOTE: warninglists are checked here, after the SQL, so a
		 * page may hold fewer than `limit` rows and X-Result-Count
		 * counts the values that enforceWarninglist leaves out. */
		if (o->cfg.enforce_warninglist ||
		    o->cfg.include_warninglist_hits) {
			nhits = check_warninglists(o, &attr);
		}
		if (!(o->cfg.enforce_warninglist && nhits)) {
			break;
		}
	}
	rc = cache_event(o, store_cursor_parent(o->rows));
	if (rc == 0) {
		rc = o->cfg.format ? write_attribute_format(o, &attr, e)
				   : write_attribute_json(o, &attr, nhits);
	}
	return rc < 0 ? rc : 1;
}

static int write_sighting_json(struct search_output *o,
			       const struct record *sighting)
{
	int64_t attribute_id = record_int(sighting, SIGHT_ATTRIBUTE_ID, 0);
	int rc = GEN_OK(yajl_gen_map_open(o->gen)) ? 0 : CAIRN_ENOMEM;

	if (rc == 0 && codec_emit_key(o->gen, "Sighting") < 0) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_open(o->gen))) {
		rc = CAIRN_ENOMEM;
	}
	if (rc == 0) {
		rc = codec_emit_fields(o->gen, sighting);
	}
	if (rc == 0 && o->cfg.include_attribute) {
		rc = codec_emit_key(o->gen, "Attribute") < 0
			 ? CAIRN_ENOMEM
			 : attribute_json_write(
			       o->cfg.store, o->cfg.viewer, attribute_id,
			       EVENT_JSON_NO_SIGHTINGS | EVENT_JSON_BARE,
			       o->gen);
	}
	if (rc == 0 && o->cfg.include_event) {
		rc = codec_emit_key(o->gen, "Event") < 0
			 ? CAIRN_ENOMEM
			 : event_json_write(
			       o->cfg.store, o->cfg.viewer,
			       record_int(sighting, SIGHT_EVENT_ID, 0),
			       EVENT_JSON_METADATA | EVENT_JSON_NO_RELATED |
				   EVENT_JSON_BARE,
			       o->gen);
	}
	if (rc == 0 && (!GEN_OK(yajl_gen_map_close(o->gen)) ||
			!GEN_OK(yajl_gen_map_close(o->gen)))) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

static int next_sighting(struct search_output *o)
{
	struct record sighting;
	int rc = store_cursor_next(o->rows, &sighting);

	if (rc <= 0) {
		return rc;
	}
	rc = write_sighting_json(o, &sighting);
	return rc < 0 ? rc : 1;
}

static int write_event_row(struct search_output *o, int64_t id)
{
	unsigned flags = o->cfg.metadata ? EVENT_JSON_METADATA : 0;
	int rc;

	if (o->cfg.shape == SHAPE_OBJECTS) {
		return object_json_write(o->cfg.store, o->cfg.viewer, id, 0,
					 o->gen);
	}
	if (o->cfg.shape == SHAPE_EVENTS) {
		return event_json_write(o->cfg.store, o->cfg.viewer, id, flags,
					o->gen);
	}
	rc = cache_row(o, &o->event, &model_event, id);
	return rc < 0 ? rc
		      : event_index_entry_write(o->cfg.store, o->cfg.viewer,
						&o->event.r, o->cfg.minimal,
						o->gen);
}

static int next_id(struct search_output *o)
{
	int64_t id;
	int rc = store_ids_next(o->ids, &id);

	if (rc <= 0) {
		return rc;
	}
	rc = write_event_row(o, id);
	return rc < 0 ? rc : 1;
}

/* ---- the frame around the rows ---- */

static bool attribute_rows(const struct search_output *o)
{
	return o->cfg.shape == SHAPE_ATTRIBUTES ||
	       o->cfg.shape == SHAPE_ATTRIBUTE_INDEX || o->cfg.format;
}

static int open_rows(struct search_output *o)
{
	const struct search_output_config *c = &o->cfg;

	if (attribute_rows(o)) {
		return store_search_attributes(c->store, c->viewer, c->q,
					       &o->rows);
	}
	if (c->shape == SHAPE_SIGHTINGS) {
		return store_search_sightings(c->store, c->viewer, c->q,
					      &o->rows);
	}
	return store_search_ids(c->store, c->viewer,
				c->shape == SHAPE_OBJECTS ? SEARCH_OBJECTS
							  : SEARCH_EVENTS,
				c->q, &o->ids);
}

/* Writes the JSON around the rows: {"response": {"Attribute": [ or
 * {"response": [ or [, and the matching close when `closing`. */
static int write_frame(struct search_output *o, bool closing)
{
	yajl_gen g = o->gen;
	bool wrapped = o->cfg.shape != SHAPE_EVENT_INDEX &&
		       o->cfg.shape != SHAPE_ATTRIBUTE_INDEX;
	bool attribute_map = o->cfg.shape == SHAPE_ATTRIBUTES;
	bool ok;

	if (closing) {
		ok = GEN_OK(yajl_gen_array_close(g)) &&
		     (!attribute_map || GEN_OK(yajl_gen_map_close(g))) &&
		     (!wrapped || GEN_OK(yajl_gen_map_close(g)));
		return ok ? 0 : CAIRN_ENOMEM;
	}
	ok = (!wrapped || (GEN_OK(yajl_gen_map_open(g)) &&
			   codec_emit_key(g, "response") == 0)) &&
	     (!attribute_map || (GEN_OK(yajl_gen_map_open(g)) &&
				 codec_emit_key(g, "Attribute") == 0)) &&
	     GEN_OK(yajl_gen_array_open(g));
	return ok ? 0 : CAIRN_ENOMEM;
}

static int start(struct search_output *o, struct cairn_err *e)
{
	int rc;

	/* A format export usually reads the whole result, and through the
	 * memory map its RSS would grow with the database.
	 * NOTE: the JSON shapes keep the map for the latency of exact-value
	 * searches, so a whole-instance JSON export counts the mapped pages
	 * it reads in its RSS. */
	if (o->cfg.format) {
		if (store_set_mapped(o->cfg.store, false) < 0) {
			return store_error(o->cfg.store, e);
		}
		o->unmapped = true;
	}
	rc = open_rows(o);
	if (rc < 0) {
		return store_error(o->cfg.store, e);
	}
	if (!o->cfg.format) {
		return write_frame(o, false);
	}
	o->format_state = calloc(
	    1, o->cfg.format->state_size ? o->cfg.format->state_size : 1);
	if (!o->format_state) {
		return CAIRN_ENOMEM;
	}
	return o->cfg.format->begin(o->format_state, &o->cfg.export, o->out, e);
}

static int next_row(struct search_output *o, struct cairn_err *e)
{
	int rc;

	if (attribute_rows(o)) {
		rc = next_attribute(o, e);
	} else if (o->cfg.shape == SHAPE_SIGHTINGS) {
		rc = next_sighting(o);
	} else {
		rc = next_id(o);
	}
	if (rc == 1) {
		o->nrows++;
	} else if (rc == CAIRN_ESTORE && !e->code) {
		store_error(o->cfg.store, e);
	}
	return rc;
}

int search_output_next(struct search_output *o, struct buf *out,
		       struct cairn_err *e)
{
	int rc = 0;

	o->out = out;
	switch (o->phase) {
	case PHASE_START:
		rc = start(o, e);
		o->phase = PHASE_ROWS;
		break;
	case PHASE_ROWS:
		rc = next_row(o, e);
		if (rc == 0) {
			o->phase = PHASE_END;
		}
		break;
	case PHASE_END:
		rc = o->cfg.format ? o->cfg.format->end(o->format_state, out, e)
				   : write_frame(o, true);
		o->phase = PHASE_DONE;
		break;
	case PHASE_DONE:
		return 0;
	}
	if (rc < 0) {
		if (!e->code) {
			cairn_err_set(e, rc,
				      "writing the search result failed");
		}
		o->phase = PHASE_DONE;
		return rc;
	}
	return 1;
}

void search_output_close(struct search_output *o)
{
	if (!o) {
		return;
	}
	store_cursor_close(o->rows);
	store_ids_close(o->ids);
	if (o->unmapped) {
		/* The export is complete, and a failure here leaves the store
		 * working, only reading without the map. */
		(void)store_set_mapped(o->cfg.store, true);
	}
	if (o->format_state && o->cfg.format->release) {
		o->cfg.format->release(o->format_state);
	}
	free(o->format_state);
	record_release(&o->event.r);
	record_release(&o->object.r);
	tags_truncate(o, 0);
	free(o->tags);
	free(o->hits);
	yajl_gen_free(o->gen);
	free(o);
}
