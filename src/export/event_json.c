/*
 * MISP JSON writers; see event_json.h.
 *
 * Attributes are written with one small query each for their tags,
 * clusters and sightings, on prepared statements the store caches.
 * Correlations are computed as they are written (correlate.h).
 * Proposals are few, so an event's proposals are read once and handed to
 * their attributes from memory.
 */
#include "export/event_json.h"
#include "correlate/correlate.h"
#include "correlate/warninglist.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/sharing.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define GEN_OK(call) ((call) == yajl_gen_status_ok)

/* The proposals of an event's attributes, loaded once per event.  It
 * also carries the caller's options, because both reach every attribute
 * writer. */
struct shadow_list {
	json_t *by_attribute; /* object: attribute id text -> array */
	const struct event_json_options *options; /* or NULL */
};

static int gen_fail(void)
{
	return CAIRN_ENOMEM;
}

static int open_list(yajl_gen g, const char *key)
{
	if (codec_emit_key(g, key) < 0 || !GEN_OK(yajl_gen_array_open(g))) {
		return gen_fail();
	}
	return 0;
}

static int close_list(yajl_gen g)
{
	return GEN_OK(yajl_gen_array_close(g)) ? 0 : gen_fail();
}

/* Writes `key`: {id, name, uuid, local} of an organisation, without
 * local when `with_local` is false. */
static int write_org_fields(struct store *s, const char *key, int64_t org_id,
			    bool with_local, yajl_gen g)
{
	struct record org;
	int rc;

	record_init(&org, &model_org);
	rc = store_get(s, &model_org, org_id, &org);
	if (rc == CAIRN_ENOTFOUND) {
		record_set_int(&org, ORG_ID, org_id);
		rc = record_set_text(&org, ORG_NAME, "");
	}
	if (!with_local) {
		org.v[ORG_LOCAL].set = false;
	}
	if (rc == 0 && codec_emit_key(g, key) < 0) {
		rc = gen_fail();
	}
	if (rc == 0) {
		rc = codec_emit_record(g, &org);
	}
	record_release(&org);
	return rc;
}

static int write_org(struct store *s, const char *key, int64_t org_id,
		     yajl_gen g)
{
	return write_org_fields(s, key, org_id, true, g);
}

static int emit_string_pair(yajl_gen g, const char *key, const char *value)
{
	if (codec_emit_key(g, key) < 0 ||
	    !GEN_OK(yajl_gen_string(g, (const unsigned char *)value,
				    strlen(value)))) {
		return gen_fail();
	}
	return 0;
}

/* Writes an id as MISP does, as a JSON string. */
static int emit_id_pair(yajl_gen g, const char *key, int64_t id)
{
	char number[32];

	snprintf(number, sizeof(number), "%lld", (long long)id);
	return emit_string_pair(g, key, number);
}

/* Writes "RelatedAttribute": [...] in the shape of MISP 2.5's events/view
 * with includeGranularCorrelations: per match, the event's id as "id",
 * the matching attribute_id, the shared value, the event's creator
 * organisation as "org_id", and the event's info and date.
 * NOTE: MISP 2.5.1's EventsController::view nests the list once more
 * ([[...]]) and fills only the first attribute that has correlations, but
 * this writes one flat list per attribute. */
static int write_related_attributes(struct store *s,
				    const struct store_viewer *v,
				    int64_t attribute_id, yajl_gen g)
{
	struct correlate_attribute *list;
	size_t n;
	int rc = correlate_related_attributes(s, v, NULL, attribute_id, &list,
					      &n);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "RelatedAttribute");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct correlate_attribute *a = &list[i];

		rc = GEN_OK(yajl_gen_map_open(g)) ? 0 : gen_fail();
		if (rc == 0) {
			rc = emit_id_pair(g, "id", a->event_id);
		}
		if (rc == 0) {
			rc = emit_id_pair(g, "attribute_id", a->attribute_id);
		}
		if (rc == 0) {
			rc = emit_string_pair(g, "value", a->value);
		}
		if (rc == 0) {
			rc = emit_id_pair(g, "org_id", a->event_orgc_id);
		}
		if (rc == 0) {
			rc = emit_string_pair(g, "info", a->event_info);
		}
		if (rc == 0) {
			rc = emit_string_pair(g, "date", a->event_date);
		}
		if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
			rc = gen_fail();
		}
	}
	correlate_attributes_free(list, n);
	return rc == 0 ? close_list(g) : rc;
}

/* The event fields of a RelatedEvent entry, as MISP 2.5 selects them. */
static const enum event_field related_event_fields[] = {
	EVENT_ID,
	EVENT_DATE,
	EVENT_THREAT_LEVEL_ID,
	EVENT_INFO,
	EVENT_PUBLISHED,
	EVENT_UUID,
	EVENT_ANALYSIS,
	EVENT_TIMESTAMP,
	EVENT_DISTRIBUTION,
	EVENT_ORG_ID,
	EVENT_ORGC_ID,
};

#define RELATED_EVENT_NFIELDS                                                  \
	(sizeof(related_event_fields) / sizeof(related_event_fields[0]))

/* Writes the RelatedEvent fields of `ev`, in that order, through a model
 * made of just those fields of model_event. */
static int emit_related_event_fields(yajl_gen g, const struct record *ev)
{
	struct field fields[RELATED_EVENT_NFIELDS];
	struct model related = {"Event", NULL, fields, RELATED_EVENT_NFIELDS};
	struct record r;

	record_init(&r, &related);
	for (size_t i = 0; i < RELATED_EVENT_NFIELDS; i++) {
		fields[i] = model_event.fields[related_event_fields[i]];
		r.v[i] = ev->v[related_event_fields[i]];
	}
	return codec_emit_fields(g, &r);
}

/* Writes {"Event": {fields, Org, Orgc}} of one related event. */
static int write_related_event(struct store *s, const struct store_viewer *v,
			       int64_t event_id, yajl_gen g)
{
	struct record ev;
	int rc;

	record_init(&ev, &model_event);
	rc = store_visible(s, v, STORE_KIND_EVENT, event_id);
	if (rc == 0) {
		rc = store_get(s, &model_event, event_id, &ev);
	}
	if (rc == 0 && (!GEN_OK(yajl_gen_map_open(g)) ||
			codec_emit_key(g, "Event") < 0 ||
			!GEN_OK(yajl_gen_map_open(g)))) {
		rc = gen_fail();
	}
	if (rc == 0) {
		rc = emit_related_event_fields(g, &ev);
	}
	if (rc == 0) {
		rc = write_org_fields(s, "Org", record_int(&ev, EVENT_ORG_ID, 0),
				      false, g);
	}
	if (rc == 0) {
		rc = write_org_fields(s, "Orgc",
				      record_int(&ev, EVENT_ORGC_ID, 0), false,
				      g);
	}
	if (rc == 0 && (!GEN_OK(yajl_gen_map_close(g)) ||
			!GEN_OK(yajl_gen_map_close(g)))) {
		rc = gen_fail();
	}
	record_release(&ev);
	return rc;
}

/* Writes "RelatedEvent": [...], the events that share a correlating
 * value with this one, newest first.  The limits are the defaults of
 * correlate.h, because the server has no configuration table yet. */
static int write_related_events(struct store *s, const struct store_viewer *v,
				int64_t event_id, yajl_gen g)
{
	struct correlate_event *list;
	size_t n;
	int rc = correlate_related_events(s, v, NULL, event_id, &list, &n);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "RelatedEvent");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = write_related_event(s, v, list[i].id, g);
		if (rc == CAIRN_ENOTFOUND) {
			rc = 0; /* deleted since the lookup */
		}
	}
	free(list);
	return rc == 0 ? close_list(g) : rc;
}

int event_json_tags(struct store *s, const struct store_viewer *v,
		    enum store_query q, int64_t id, const char *key,
		    bool always, yajl_gen g)
{
	struct store_cursor *c;
	struct record tag;
	bool opened = false;
	int rc = store_query(s, v, q, id, 0, &c);

	if (rc < 0) {
		return rc;
	}
	if (always) {
		rc = open_list(g, key);
		opened = rc == 0;
	}
	while (rc == 0 && (rc = store_cursor_next(c, &tag)) == 1) {
		rc = 0;
		if (!opened) {
			rc = open_list(g, key);
			opened = rc == 0;
		}
		if (rc == 0) {
			rc = codec_emit_record(g, &tag);
		}
	}
	store_cursor_close(c);
	if (rc == 0 && opened) {
		rc = close_list(g);
	}
	return rc;
}

/* Writes "Galaxy": [...], grouping consecutive clusters of one galaxy. */
static int write_galaxies(struct store *s, const struct store_viewer *v,
			  enum store_query q, int64_t id, yajl_gen g)
{
	struct store_cursor *c;
	struct record cluster;
	char *current = NULL;
	int rc = store_query(s, v, q, id, 0, &c);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "Galaxy");
	while (rc == 0 && (rc = store_cursor_next(c, &cluster)) == 1) {
		const char *galaxy_text = store_cursor_json(c, 0);
		json_t *galaxy, *body;
		const char *key;
		json_t *value;

		rc = 0;
		if (current && strcmp(current, galaxy_text) != 0) {
			if (!GEN_OK(yajl_gen_array_close(g)) ||
			    !GEN_OK(yajl_gen_map_close(g))) {
				rc = gen_fail();
			}
			free(current);
			current = NULL;
		}
		if (rc == 0 && !current) {
			galaxy = json_loads(galaxy_text, 0, NULL);
			current = strdup(galaxy_text);
			if (!current || !GEN_OK(yajl_gen_map_open(g))) {
				rc = gen_fail();
			}
			json_object_foreach(galaxy, key, value) {
				if (rc == 0 && (codec_emit_key(g, key) < 0 ||
						codec_emit_json(g, value) < 0)) {
					rc = gen_fail();
				}
			}
			json_decref(galaxy);
			if (rc == 0) {
				rc = open_list(g, "GalaxyCluster");
			}
		}
		body = json_loads(store_cursor_json(c, 1), 0, NULL);
		if (rc == 0 && body) {
			rc = codec_emit_json(g, body);
		}
		json_decref(body);
	}
	store_cursor_close(c);
	if (rc == 0 && current &&
	    (!GEN_OK(yajl_gen_array_close(g)) || !GEN_OK(yajl_gen_map_close(g)))) {
		rc = gen_fail();
	}
	free(current);
	return rc == 0 ? close_list(g) : rc;
}

static int write_sightings(struct store *s, const struct store_viewer *v,
			   int64_t attribute_id, yajl_gen g)
{
	struct store_cursor *c;
	struct record sighting;
	int rc = store_query(s, v, Q_ATTRIBUTE_SIGHTINGS, attribute_id, 0, &c);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "Sighting");
	while (rc == 0 && (rc = store_cursor_next(c, &sighting)) == 1) {
		int64_t org = record_int(&sighting, SIGHT_ORG_ID, 0);

		rc = GEN_OK(yajl_gen_map_open(g)) ? 0 : gen_fail();
		if (rc == 0) {
			rc = codec_emit_fields(g, &sighting);
		}
		/* The cursor's row stays valid while another statement runs. */
		if (rc == 0) {
			rc = write_org(s, "Organisation", org, g);
		}
		if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
			rc = gen_fail();
		}
	}
	store_cursor_close(c);
	return rc == 0 ? close_list(g) : rc;
}

/* Reads an event's proposals into memory, grouped by attribute id. */
static int load_shadows(struct store *s, const struct store_viewer *v,
			int64_t event_id, struct shadow_list *out)
{
	struct store_cursor *c;
	struct record rec;
	int rc;

	out->by_attribute = json_object();
	if (!out->by_attribute) {
		return CAIRN_ENOMEM;
	}
	rc = store_query(s, v, Q_EVENT_SHADOWS, event_id, 0, &c);
	if (rc < 0) {
		return rc;
	}
	while ((rc = store_cursor_next(c, &rec)) == 1) {
		json_t *obj = json_object();
		char key[32];
		json_t *list;

		for (size_t i = 0; i < rec.model->nfields; i++) {
			const struct field *f = &rec.model->fields[i];
			const struct value *val = &rec.v[i];

			if (!val->set || val->null) {
				continue;
			}
			if (f->kind == FIELD_BOOL) {
				json_object_set_new(obj, f->name,
						    json_boolean(val->i));
			} else if (f->kind == FIELD_TEXT ||
				   f->kind == FIELD_UUID ||
				   f->kind == FIELD_DATE) {
				json_object_set_new(obj, f->name,
						    json_string(val->s));
			} else {
				snprintf(key, sizeof(key), "%lld",
					 (long long)val->i);
				json_object_set_new(obj, f->name,
						    json_string(key));
			}
		}
		json_object_set_new(obj, "_org_id",
				    json_integer(record_int(&rec,
							    SHADOW_ORG_ID, 0)));
		snprintf(key, sizeof(key), "%lld",
			 (long long)record_int(&rec, SHADOW_OLD_ID, 0));
		list = json_object_get(out->by_attribute, key);
		if (!list) {
			list = json_array();
			json_object_set_new(out->by_attribute, key, list);
		}
		json_array_append_new(list, obj);
	}
	store_cursor_close(c);
	return rc;
}

static int write_shadows(struct store *s, const struct shadow_list *shadows,
			 int64_t attribute_id, yajl_gen g)
{
	char key[32];
	json_t *list, *item;
	size_t i;
	int rc;

	snprintf(key, sizeof(key), "%lld", (long long)attribute_id);
	list = shadows->by_attribute
		       ? json_object_get(shadows->by_attribute, key)
		       : NULL;
	rc = open_list(g, "ShadowAttribute");
	json_array_foreach(list, i, item) {
		const char *name;
		json_t *value;

		if (rc == 0 && !GEN_OK(yajl_gen_map_open(g))) {
			rc = gen_fail();
		}
		json_object_foreach(item, name, value) {
			if (rc == 0 && name[0] != '_' &&
			    (codec_emit_key(g, name) < 0 ||
			     codec_emit_json(g, value) < 0)) {
				rc = gen_fail();
			}
		}
		if (rc == 0) {
			rc = write_org(s, "Org",
				       json_integer_value(
					       json_object_get(item, "_org_id")),
				       g);
		}
		if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
			rc = gen_fail();
		}
	}
	return rc == 0 ? close_list(g) : rc;
}

/* Writes "SharingGroup": {...} for a row with distribution 4, as MISP
 * nests the group in events and attributes, when the viewer may see the
 * group; writes nothing otherwise. */
static int write_sharing_group(struct store *s, const struct store_viewer *v,
			       int64_t distribution, int64_t sg_id,
			       yajl_gen g)
{
	struct record sg;
	int rc;

	if (distribution != 4 ||
	    store_visible(s, v, STORE_KIND_SHARING_GROUP, sg_id) < 0) {
		return 0;
	}
	record_init(&sg, &model_sharing_group);
	rc = store_get(s, &model_sharing_group, sg_id, &sg);
	if (rc == 0 && codec_emit_key(g, "SharingGroup") < 0) {
		rc = gen_fail();
	}
	if (rc == 0) {
		rc = codec_emit_record(g, &sg);
	}
	record_release(&sg);
	return rc == CAIRN_ENOTFOUND ? 0 : rc;
}

/* Writes one list's hit on an attribute. */
static int write_warning(struct warninglist_set *set,
			 const struct warninglist_hit *hit, yajl_gen g)
{
	const struct warninglist *list = warninglist_get(set, hit->id);
	int rc = GEN_OK(yajl_gen_map_open(g)) ? 0 : gen_fail();

	if (rc == 0 && (codec_emit_key(g, "value") < 0 ||
			!GEN_OK(yajl_gen_string(
				g, (const unsigned char *)hit->value,
				hit->value_len)))) {
		rc = gen_fail();
	}
	if (rc == 0) {
		rc = emit_string_pair(g, "match", hit->match);
	}
	if (rc == 0) {
		rc = emit_id_pair(g, "warninglist_id", hit->id);
	}
	if (rc == 0) {
		rc = emit_string_pair(g, "warninglist_name",
				      list ? warninglist_name(list) : "");
	}
	if (rc == 0) {
		rc = emit_string_pair(g, "warninglist_category",
				      list ? warninglist_category(list) : "");
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
		rc = gen_fail();
	}
	return rc;
}

/* Writes "warnings": [...] when an attribute with to_ids set is on an
 * enabled warninglist for its type, one entry per list, in the shape of
 * MISP 2.5's Warninglist::attachWarninglistToAttributes.  MISP checks
 * only to_ids attributes unless MISP.warninglist_show_for_all is set.
 * NOTE: MISP adds the matching entry's "comment" when it has one; this
 * writes none. */
static int write_warnings(struct warninglist_set *set,
			  const struct record *attr, yajl_gen g)
{
	struct warninglist_hit *hits;
	size_t cap, n;
	int rc;

	if (!set || !record_int(attr, ATTR_TO_IDS, 0)) {
		return 0;
	}
	cap = warninglist_count(set);
	hits = cap ? calloc(cap, sizeof(*hits)) : NULL;
	if (!hits) {
		return cap ? CAIRN_ENOMEM : 0;
	}
	n = warninglist_check(set, record_text(attr, ATTR_TYPE, ""),
			      record_text(attr, ATTR_VALUE, ""), hits, cap);
	rc = n ? open_list(g, "warnings") : 0;
	for (size_t i = 0; rc == 0 && i < n && i < cap; i++) {
		rc = write_warning(set, &hits[i], g);
	}
	if (rc == 0 && n) {
		rc = close_list(g);
	}
	free(hits);
	return rc;
}

/* Writes one attribute object from its row, with its nested lists. */
static int write_attribute(struct store *s, const struct store_viewer *v,
			   const struct record *attr,
			   const struct shadow_list *shadows, unsigned flags,
			   yajl_gen g)
{
	int64_t id = record_int(attr, ATTR_ID, 0);
	int rc = GEN_OK(yajl_gen_map_open(g)) ? 0 : gen_fail();

	if (rc == 0) {
		rc = codec_emit_fields(g, attr);
	}
	if (rc == 0) {
		rc = write_sharing_group(
			s, v, record_int(attr, ATTR_DISTRIBUTION, 0),
			record_int(attr, ATTR_SHARING_GROUP_ID, 0), g);
	}
	if (rc == 0) {
		rc = write_galaxies(s, v, Q_ATTRIBUTE_CLUSTERS, id, g);
	}
	if (rc == 0) {
		rc = write_shadows(s, shadows, id, g);
	}
	if (rc == 0 && !(flags & EVENT_JSON_NO_SIGHTINGS)) {
		rc = write_sightings(s, v, id, g);
	}
	if (rc == 0) {
		rc = event_json_tags(s, v, Q_ATTRIBUTE_TAGS, id, "Tag", false,
				     g);
	}
	if (rc == 0 && (flags & EVENT_JSON_RELATED_ATTRIBUTES)) {
		rc = write_related_attributes(s, v, id, g);
	}
	if (rc == 0 && (flags & EVENT_JSON_WARNINGS) && shadows->options) {
		rc = write_warnings(shadows->options->warninglists, attr, g);
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
		rc = gen_fail();
	}
	return rc;
}

/* Writes `key`: [...] of the attributes a query yields. */
static int write_attributes(struct store *s, const struct store_viewer *v,
			    enum store_query q, int64_t id,
			    const struct shadow_list *shadows, unsigned flags,
			    yajl_gen g)
{
	unsigned qflags = flags & EVENT_JSON_DELETED ? STORE_WITH_DELETED : 0;
	struct store_cursor *c;
	struct record attr;
	int rc = store_query(s, v, q, id, qflags, &c);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "Attribute");
	while (rc == 0 && (rc = store_cursor_next(c, &attr)) == 1) {
		rc = write_attribute(s, v, &attr, shadows, flags, g);
	}
	store_cursor_close(c);
	return rc == 0 ? close_list(g) : rc;
}

static int write_references(struct store *s, const struct store_viewer *v,
			    int64_t object_id, unsigned flags, yajl_gen g)
{
	unsigned qflags = flags & EVENT_JSON_DELETED ? STORE_WITH_DELETED : 0;
	struct store_cursor *c;
	struct record ref;
	int rc = store_query(s, v, Q_OBJECT_REFERENCES, object_id, qflags, &c);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "ObjectReference");
	while (rc == 0 && (rc = store_cursor_next(c, &ref)) == 1) {
		rc = codec_emit_record(g, &ref);
	}
	store_cursor_close(c);
	return rc == 0 ? close_list(g) : rc;
}

static int write_object_body(struct store *s, const struct store_viewer *v,
			     const struct record *obj,
			     const struct shadow_list *shadows, unsigned flags,
			     yajl_gen g)
{
	int64_t id = record_int(obj, OBJ_ID, 0);
	int rc = GEN_OK(yajl_gen_map_open(g)) ? 0 : gen_fail();

	if (rc == 0) {
		rc = codec_emit_fields(g, obj);
	}
	if (rc == 0) {
		rc = write_attributes(s, v, Q_OBJECT_ATTRIBUTES, id, shadows,
				      flags, g);
	}
	if (rc == 0) {
		rc = write_references(s, v, id, flags, g);
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
		rc = gen_fail();
	}
	return rc;
}

static int write_objects(struct store *s, const struct store_viewer *v,
			 int64_t event_id, const struct shadow_list *shadows,
			 unsigned flags, yajl_gen g)
{
	unsigned qflags = flags & EVENT_JSON_DELETED ? STORE_WITH_DELETED : 0;
	struct store_cursor *c;
	struct record obj;
	int rc = store_query(s, v, Q_EVENT_OBJECTS, event_id, qflags, &c);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "Object");
	while (rc == 0 && (rc = store_cursor_next(c, &obj)) == 1) {
		rc = write_object_body(s, v, &obj, shadows, flags, g);
	}
	store_cursor_close(c);
	return rc == 0 ? close_list(g) : rc;
}

static int write_reports(struct store *s, const struct store_viewer *v,
			 int64_t event_id, unsigned flags, yajl_gen g)
{
	unsigned qflags = flags & EVENT_JSON_DELETED ? STORE_WITH_DELETED : 0;
	struct store_cursor *c;
	struct record rep;
	int rc = store_query(s, v, Q_EVENT_REPORTS, event_id, qflags, &c);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "EventReport");
	while (rc == 0 && (rc = store_cursor_next(c, &rep)) == 1) {
		rc = codec_emit_record(g, &rep);
	}
	store_cursor_close(c);
	return rc == 0 ? close_list(g) : rc;
}

static int write_event_lists(struct store *s, const struct store_viewer *v,
			     const struct event_json_options *options,
			     int64_t event_id, unsigned flags, yajl_gen g)
{
	struct shadow_list shadows = {NULL, options};
	int rc = load_shadows(s, v, event_id, &shadows);

	if (rc == 0 && !(flags & EVENT_JSON_METADATA)) {
		rc = write_attributes(s, v, Q_EVENT_ATTRIBUTES, event_id,
				      &shadows, flags, g);
	}
	if (rc == 0) {
		rc = write_shadows(s, &shadows, 0, g);
	}
	if (rc == 0 && !(flags & EVENT_JSON_NO_RELATED)) {
		rc = write_related_events(s, v, event_id, g);
	}
	if (rc == 0) {
		rc = write_galaxies(s, v, Q_EVENT_CLUSTERS, event_id, g);
	}
	if (rc == 0 && !(flags & EVENT_JSON_METADATA)) {
		rc = write_objects(s, v, event_id, &shadows, flags, g);
	}
	if (rc == 0) {
		rc = write_reports(s, v, event_id, flags, g);
	}
	if (rc == 0) {
		rc = event_json_tags(s, v, Q_EVENT_TAGS, event_id, "Tag", false,
				     g);
	}
	json_decref(shadows.by_attribute);
	return rc;
}

static int write_event_record(struct store *s, const struct store_viewer *v,
			      const struct event_json_options *options,
			      const struct record *ev, unsigned flags,
			      yajl_gen g)
{
	int64_t id = record_int(ev, EVENT_ID, 0);
	int rc = GEN_OK(yajl_gen_map_open(g)) ? 0 : gen_fail();

	if (rc == 0) {
		rc = codec_emit_fields(g, ev);
	}
	if (rc == 0) {
		rc = write_org(s, "Org", record_int(ev, EVENT_ORG_ID, 0), g);
	}
	if (rc == 0) {
		rc = write_org(s, "Orgc", record_int(ev, EVENT_ORGC_ID, 0), g);
	}
	if (rc == 0) {
		rc = write_sharing_group(
			s, v, record_int(ev, EVENT_DISTRIBUTION, 0),
			record_int(ev, EVENT_SHARING_GROUP_ID, 0), g);
	}
	if (rc == 0) {
		rc = write_event_lists(s, v, options, id, flags, g);
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
		rc = gen_fail();
	}
	return rc;
}

static int open_envelope(yajl_gen g, const char *key, unsigned flags)
{
	if (flags & EVENT_JSON_BARE) {
		return 0;
	}
	if (!GEN_OK(yajl_gen_map_open(g)) || codec_emit_key(g, key) < 0) {
		return gen_fail();
	}
	return 0;
}

static int close_envelope(yajl_gen g, unsigned flags)
{
	if (flags & EVENT_JSON_BARE) {
		return 0;
	}
	return GEN_OK(yajl_gen_map_close(g)) ? 0 : gen_fail();
}

int event_json_write(struct store *s, const struct store_viewer *v,
		     int64_t event_id, unsigned flags, yajl_gen g)
{
	return event_json_write_with(s, v, NULL, event_id, flags, g);
}

int event_json_write_with(struct store *s, const struct store_viewer *v,
			  const struct event_json_options *options,
			  int64_t event_id, unsigned flags, yajl_gen g)
{
	struct record ev;
	int rc;

	record_init(&ev, &model_event);
	rc = store_visible(s, v, STORE_KIND_EVENT, event_id);
	if (rc == 0) {
		rc = store_get(s, &model_event, event_id, &ev);
	}
	if (rc == 0) {
		rc = open_envelope(g, "Event", flags);
	}
	if (rc == 0) {
		rc = write_event_record(s, v, options, &ev, flags, g);
	}
	if (rc == 0) {
		rc = close_envelope(g, flags);
	}
	record_release(&ev);
	return rc;
}

int attribute_json_write(struct store *s, const struct store_viewer *v,
			 int64_t attribute_id, unsigned flags, yajl_gen g)
{
	struct shadow_list shadows = {NULL};
	struct record attr;
	int rc;

	record_init(&attr, &model_attribute);
	rc = store_visible(s, v, STORE_KIND_ATTRIBUTE, attribute_id);
	if (rc == 0) {
		rc = store_get(s, &model_attribute, attribute_id, &attr);
	}
	if (rc == 0) {
		rc = load_shadows(s, v, record_int(&attr, ATTR_EVENT_ID, 0),
				  &shadows);
	}
	if (rc == 0) {
		rc = open_envelope(g, "Attribute", flags);
	}
	if (rc == 0) {
		rc = write_attribute(s, v, &attr, &shadows, flags, g);
	}
	if (rc == 0) {
		rc = close_envelope(g, flags);
	}
	json_decref(shadows.by_attribute);
	record_release(&attr);
	return rc;
}

int object_json_write(struct store *s, const struct store_viewer *v,
		      int64_t object_id, unsigned flags, yajl_gen g)
{
	struct shadow_list shadows = {NULL};
	struct record obj;
	int rc;

	record_init(&obj, &model_object);
	rc = store_visible(s, v, STORE_KIND_OBJECT, object_id);
	if (rc == 0) {
		rc = store_get(s, &model_object, object_id, &obj);
	}
	if (rc == 0) {
		rc = load_shadows(s, v, record_int(&obj, OBJ_EVENT_ID, 0),
				  &shadows);
	}
	if (rc == 0) {
		rc = open_envelope(g, "Object", flags);
	}
	if (rc == 0) {
		rc = write_object_body(s, v, &obj, &shadows, flags, g);
	}
	if (rc == 0) {
		rc = close_envelope(g, flags);
	}
	json_decref(shadows.by_attribute);
	record_release(&obj);
	return rc;
}

/* Writes "EventTag": [{event_id, tag_id, local, relationship_type, Tag}],
 * the link shape of MISP's event index. */
static int write_event_tag_links(struct store *s, const struct store_viewer *v,
				 int64_t event_id, yajl_gen g)
{
	struct store_cursor *c;
	struct record tag;
	char number[32];
	int rc = store_query(s, v, Q_EVENT_TAGS, event_id, 0, &c);

	if (rc < 0) {
		return rc;
	}
	rc = open_list(g, "EventTag");
	while (rc == 0 && (rc = store_cursor_next(c, &tag)) == 1) {
		const char *rel = record_text(&tag, TAG_RELATIONSHIP_TYPE, NULL);
		bool ok = GEN_OK(yajl_gen_map_open(g));

		snprintf(number, sizeof(number), "%lld", (long long)event_id);
		ok = ok && codec_emit_key(g, "event_id") == 0 &&
		     GEN_OK(yajl_gen_string(g, (const unsigned char *)number,
					    strlen(number)));
		snprintf(number, sizeof(number), "%lld",
			 (long long)record_int(&tag, TAG_ID, 0));
		ok = ok && codec_emit_key(g, "tag_id") == 0 &&
		     GEN_OK(yajl_gen_string(g, (const unsigned char *)number,
					    strlen(number)));
		ok = ok && codec_emit_key(g, "local") == 0 &&
		     GEN_OK(yajl_gen_bool(g, record_int(&tag, TAG_LOCAL, 0)));
		ok = ok && codec_emit_key(g, "relationship_type") == 0 &&
		     GEN_OK(rel ? yajl_gen_string(g, (const unsigned char *)rel,
						  strlen(rel))
				: yajl_gen_null(g));
		ok = ok && codec_emit_key(g, "Tag") == 0 &&
		     codec_emit_record(g, &tag) == 0 &&
		     GEN_OK(yajl_gen_map_close(g));
		rc = ok ? 0 : gen_fail();
	}
	store_cursor_close(c);
	return rc == 0 ? close_list(g) : rc;
}

int event_index_entry_write(struct store *s, const struct store_viewer *v,
			    const struct record *ev, bool minimal, yajl_gen g)
{
	int64_t id = record_int(ev, EVENT_ID, 0);
	int rc = GEN_OK(yajl_gen_map_open(g)) ? 0 : gen_fail();

	if (rc == 0) {
		rc = codec_emit_fields(g, ev);
	}
	if (rc == 0 && !minimal) {
		rc = write_org(s, "Org", record_int(ev, EVENT_ORG_ID, 0), g);
	}
	if (rc == 0 && !minimal) {
		rc = write_org(s, "Orgc", record_int(ev, EVENT_ORGC_ID, 0), g);
	}
	if (rc == 0 && !minimal) {
		rc = write_event_tag_links(s, v, id, g);
	}
	if (rc == 0 && !GEN_OK(yajl_gen_map_close(g))) {
		rc = gen_fail();
	}
	return rc;
}

int event_json_related_attributes(struct store *s,
				  const struct store_viewer *v,
				  int64_t attribute_id, yajl_gen g)
{
	return write_related_attributes(s, v, attribute_id, g);
}

int event_index_write(struct store *s, const struct store_viewer *v, yajl_gen g)
{
	struct store_cursor *c;
	struct record ev;
	int rc = store_query(s, v, Q_EVENT_INDEX, 0, 0, &c);

	if (rc < 0) {
		return rc;
	}
	rc = GEN_OK(yajl_gen_array_open(g)) ? 0 : gen_fail();
	while (rc == 0 && (rc = store_cursor_next(c, &ev)) == 1) {
		rc = event_index_entry_write(s, v, &ev, false, g);
	}
	store_cursor_close(c);
	if (rc == 0 && !GEN_OK(yajl_gen_array_close(g))) {
		rc = gen_fail();
	}
	return rc;
}
