/*
 * Event writer; see event_writer.h for the modes and the transaction rule.
 *
 * Defaults for what an input leaves out follow MISP: a new uuid, the
 * current time as timestamp, today as date, threat level 4 (undefined),
 * analysis 0 (initial), distribution 1 (this community) for events and 5
 * (inherit from the event) for what is inside them, and the type
 * registry's default category and to_ids flag for attributes.
 *
 * Object references can name objects and attributes that come later in
 * the input, so they are kept until the end of the event and written then,
 * when every uuid they may point to is stored.
 */
#include "import/event_writer.h"
#include "import/library_checks.h"
#include "core/log.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/normalize.h"
#include "model/types.h"
#include "model/validate.h"
#include "store/identity.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct event_writer {
	struct store *s;
	struct event_writer_options o;
	bool open; /* transaction open and event row written */
	bool skip; /* an unchanged copy: elements are ignored */
	enum event_write_result result;
	int64_t event_id;
	char event_uuid[UUID_TEXT_SIZE];
	json_t *held; /* [kind, element, pointer] triples before the uuid */
	struct record *refs; /* pending object references, owning */
	size_t nrefs, caprefs;
	int64_t attributes, objects;
	int64_t event_attributes, event_objects; /* counts at the event's start */
	int64_t normalised; /* values that normalisation rewrote */
	json_t *skipped;    /* {pointer, field, message} of skipped ones */
};

static int skip_duplicate(struct event_writer *w, int64_t object_id,
			  const struct record *rec, const char *pointer);

static int missing(struct cairn_err *e, const char *pointer, const char *key,
		   const char *expected)
{
	struct buf at = BUF_INIT;

	buf_printf(&at, "%s/%s", pointer, key);
	cairn_err_set(e, CAIRN_EINVAL, "missing '%s' at %s: expected %s", key,
		      buf_str(&at), expected);
	cairn_err_at(e, buf_str(&at), key);
	buf_release(&at);
	return CAIRN_EINVAL;
}

static int store_failed(struct store *s, struct cairn_err *e, int rc,
			const char *pointer)
{
	if (rc == CAIRN_ESTORE || rc == CAIRN_EEXIST) {
		store_error(s, e);
		e->code = rc;
	}
	cairn_err_at(e, pointer, NULL);
	return rc;
}

/* Returns the array under `key`, or NULL when absent or null; anything
 * else there is a type error. */
static int child_array(json_t *parent, const char *key, const char *pointer,
		       json_t **out, struct cairn_err *e)
{
	json_t *v = json_object_get(parent, key);
	struct buf at = BUF_INIT;

	*out = NULL;
	if (!v || json_is_null(v)) {
		return 0;
	}
	if (json_is_array(v)) {
		*out = v;
		return 0;
	}
	/* MISP writes a lone cluster or tag as an object in some exports. */
	if (json_is_object(v)) {
		*out = v;
		return 0;
	}
	buf_printf(&at, "%s/%s", pointer, key);
	cairn_err_set(e, CAIRN_EINVAL, "invalid '%s' at %s: expected an array",
		      key, buf_str(&at));
	cairn_err_at(e, buf_str(&at), key);
	buf_release(&at);
	return CAIRN_EINVAL;
}

/* Iterates over a child array, or over a lone object as a list of one. */
static size_t child_count(json_t *list)
{
	if (!list) {
		return 0;
	}
	return json_is_array(list) ? json_array_size(list) : 1;
}

static json_t *child_at(json_t *list, size_t i)
{
	return json_is_array(list) ? json_array_get(list, i) : list;
}

static void child_pointer(struct buf *out, const char *pointer,
			  const char *key, size_t i)
{
	char digits[24];
	size_t n = sizeof(digits);

	/* Built by hand: it runs for every tag and sighting written. */
	do {
		digits[--n] = (char)('0' + i % 10);
		i /= 10;
	} while (i && n);
	buf_clear(out);
	buf_adds(out, pointer);
	buf_addc(out, '/');
	buf_adds(out, key);
	buf_addc(out, '/');
	buf_add(out, digits + n, sizeof(digits) - n);
}

static void set_default_int(struct record *r, int i, int64_t value)
{
	if (!r->v[i].set || r->v[i].null) {
		record_set_int(r, i, value);
	}
}

static int set_default_text(struct record *r, int i, const char *value)
{
	if (!r->v[i].set || r->v[i].null) {
		return record_set_text(r, i, value);
	}
	return 0;
}

static int set_default_uuid(struct record *r, int i)
{
	char uuid[UUID_TEXT_SIZE];

	if (r->v[i].set && !r->v[i].null) {
		return 0;
	}
	uuid_generate(uuid);
	return record_set_text(r, i, uuid);
}

/* Finds or creates the organisation described by an Org/Orgc object. */
static int org_from_json(struct store *s, json_t *org, int64_t fallback,
			 int64_t *id)
{
	const char *uuid, *name;

	*id = fallback;
	if (!json_is_object(org)) {
		return 0;
	}
	uuid = json_string_value(json_object_get(org, "uuid"));
	name = json_string_value(json_object_get(org, "name"));
	if (uuid && !codec_is_uuid(uuid)) {
		uuid = NULL;
	}
	if (!uuid && (!name || !*name)) {
		return 0;
	}
	return store_org_ensure(s, uuid, name ? name : uuid, id);
}

void event_tag_colour(const char *name, char out[8])
{
	static const char hex[] = "0123456789abcdef";
	uint32_t h = 2166136261u;

	for (const char *p = name; *p; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
	}
	out[0] = '#';
	for (int i = 1; i < 7; i++) {
		out[i] = hex[(h >> (4 * (i - 1))) & 0xf];
	}
	out[7] = '\0';
}

/* Links a stored tag with the link fields of `tag`. */
static int link_tag(struct store *s, enum store_target t, int64_t target_id,
		    int64_t event_id, int64_t tag_id, const struct record *tag)
{
	bool local = record_int(tag, TAG_LOCAL, 0) != 0;
	const char *rel = record_text(tag, TAG_RELATIONSHIP_TYPE, NULL);

	if (t == STORE_ATTRIBUTE && event_id > 0) {
		return store_attribute_tag_link(s, target_id, event_id, tag_id,
						local, rel);
	}
	return store_tag_link(s, t, target_id, tag_id, local, rel);
}

/* TODO: refuse tags restricted to another organisation or user, as
 * tags/attachTagToObject does. */
int event_write_tags(struct store *s, const struct event_library *lib,
		     enum store_target t, int64_t target_id, int64_t event_id,
		     json_t *tags, const char *pointer, struct cairn_err *e)
{
	struct buf at = BUF_INIT;
	int rc = event_check_tags(s, lib, t, target_id, tags, pointer, e);

	for (size_t i = 0; rc == 0 && i < child_count(tags); i++) {
		struct record tag;
		char colour[8];
		int64_t tag_id;

		child_pointer(&at, pointer, "Tag", i);
		record_init(&tag, &model_tag);
		rc = codec_parse(&tag, child_at(tags, i), false, buf_str(&at),
				 e);
		if (rc == 0) {
			rc = misp_validate(&tag, buf_str(&at), e);
		}
		if (rc == 0 && !record_text(&tag, TAG_NAME, NULL)) {
			rc = missing(e, buf_str(&at), "name", "a tag name");
		}
		if (rc == 0 && !*record_text(&tag, TAG_NAME, "")) {
			rc = missing(e, buf_str(&at), "name",
				     "a non-empty tag name");
		}
		if (rc == 0) {
			event_tag_default_colour(lib,
						 record_text(&tag, TAG_NAME, ""),
						 colour);
			rc = set_default_text(&tag, TAG_COLOUR, colour);
		}
		if (rc == 0) {
			set_default_int(&tag, TAG_EXPORTABLE, 1);
			/* MISP marks every misp-galaxy: tag as a galaxy tag. */
			set_default_int(&tag, TAG_IS_GALAXY,
					strncasecmp(record_text(&tag, TAG_NAME,
								""),
						    "misp-galaxy:", 12) == 0);
			rc = store_tag_ensure(s, &tag, &tag_id);
		}
		if (rc == 0) {
			rc = link_tag(s, t, target_id, event_id, tag_id,
				      &tag);
		}
		if (rc < 0 && rc != CAIRN_EINVAL) {
			rc = store_failed(s, e, rc, buf_str(&at));
		}
		record_release(&tag);
	}
	buf_release(&at);
	return rc;
}

/* Picks the uuid a cluster is stored under.  Exports disagree about
 * clusters: old ones carry clusters without a uuid, some repeat a uuid
 * under several tag names (one per synonym), and events of different
 * years carry one cluster under different galaxy versions or in more or
 * less detail.  Each distinct (uuid, tag name, galaxy, cluster) is
 * therefore stored under a uuid derived from the four, and the JSON kept for output stays as received. */
static int cluster_key(struct record *rec, const char *galaxy_json,
		       const char *cluster_json)
{
	const char *uuid = record_text(rec, CLUSTER_UUID, "");
	const char *tag = record_text(rec, CLUSTER_TAG_NAME, "");
	char hash[SHA256_HEX_SIZE], derived[UUID_TEXT_SIZE];
	struct buf key = BUF_INIT;
	size_t o = 0;

	/* NOTE: the uuid column is then not the cluster's own uuid; a galaxy
	 * library that looks clusters up by uuid must read cluster_json. */
	buf_printf(&key, "%s|%s|%s|%s", uuid, tag, galaxy_json, cluster_json);
	sha256_hex(buf_str(&key), key.len, hash);
	buf_release(&key);
	for (int i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20) {
			derived[o++] = '-';
		}
		derived[o++] = hash[i];
	}
	derived[o] = '\0';
	return record_set_text(rec, CLUSTER_UUID, derived);
}

/* Stores one cluster of a galaxy and attaches it to the target. */
static int write_cluster(struct store *s, enum store_target t,
			 int64_t target_id, const char *galaxy_json,
			 json_t *cluster, const char *pointer,
			 struct cairn_err *e)
{
	struct record rec;
	char *cluster_json = NULL;
	int64_t id;
	int rc;

	record_init(&rec, &model_cluster);
	rc = codec_parse(&rec, cluster, false, pointer, e);
	if (rc == 0 && !record_text(&rec, CLUSTER_TAG_NAME, NULL)) {
		rc = missing(e, pointer, "tag_name", "the cluster's tag name");
	}
	if (rc == 0) {
		cluster_json = json_dumps(cluster, JSON_COMPACT);
		rc = cluster_json ? 0 : CAIRN_ENOMEM;
	}
	if (rc == 0) {
		rc = cluster_key(&rec, galaxy_json, cluster_json);
	}
	if (rc == 0) {
		rc = store_cluster_ensure(s, &rec, galaxy_json, cluster_json,
					  &id);
	}
	if (rc == 0) {
		rc = store_cluster_link(s, t, target_id, id,
					record_int(&rec, CLUSTER_LOCAL, 0) != 0);
	}
	if (rc < 0 && rc != CAIRN_EINVAL) {
		rc = store_failed(s, e, rc, pointer);
	}
	free(cluster_json);
	record_release(&rec);
	return rc;
}

int event_write_galaxies(struct store *s, enum store_target t,
			 int64_t target_id, json_t *owner, const char *pointer,
			 struct cairn_err *e)
{
	struct buf at = BUF_INIT, cat = BUF_INIT;
	json_t *galaxies;
	int rc = child_array(owner, "Galaxy", pointer, &galaxies, e);

	for (size_t i = 0; rc == 0 && i < child_count(galaxies); i++) {
		json_t *galaxy = child_at(galaxies, i);
		json_t *copy, *clusters;
		char *galaxy_json;

		child_pointer(&at, pointer, "Galaxy", i);
		if (!json_is_object(galaxy)) {
			rc = cairn_err_set(e, CAIRN_EINVAL,
					   "invalid Galaxy at %s: expected an "
					   "object",
					   buf_str(&at));
			cairn_err_at(e, buf_str(&at), "Galaxy");
			break;
		}
		rc = child_array(galaxy, "GalaxyCluster", buf_str(&at),
				 &clusters, e);
		if (rc < 0) {
			break;
		}
		copy = json_copy(galaxy);
		json_object_del(copy, "GalaxyCluster");
		galaxy_json = json_dumps(copy, JSON_COMPACT);
		json_decref(copy);
		if (!galaxy_json) {
			rc = CAIRN_ENOMEM;
			break;
		}
		for (size_t c = 0; rc == 0 && c < child_count(clusters); c++) {
			child_pointer(&cat, buf_str(&at), "GalaxyCluster", c);
			rc = write_cluster(s, t, target_id, galaxy_json,
					   child_at(clusters, c),
					   buf_str(&cat), e);
		}
		free(galaxy_json);
	}
	buf_release(&at);
	buf_release(&cat);
	return rc;
}

static int write_sightings(struct store *s, int64_t org_id, int64_t event_id,
			   const struct record *attr, int64_t attr_id,
			   json_t *owner, const char *pointer,
			   struct cairn_err *e)
{
	struct buf at = BUF_INIT;
	json_t *list;
	int rc = child_array(owner, "Sighting", pointer, &list, e);

	for (size_t i = 0; rc == 0 && i < child_count(list); i++) {
		json_t *item = child_at(list, i);
		struct record rec;
		int64_t org, id;

		child_pointer(&at, pointer, "Sighting", i);
		record_init(&rec, &model_sighting);
		rc = codec_parse(&rec, item, false, buf_str(&at), e);
		if (rc == 0) {
			rc = misp_validate(&rec, buf_str(&at), e);
		}
		if (rc == 0) {
			rc = org_from_json(s, json_object_get(item,
							      "Organisation"),
					   org_id, &org);
		}
		if (rc == 0) {
			record_set_int(&rec, SIGHT_ORG_ID, org);
			record_set_int(&rec, SIGHT_EVENT_ID, event_id);
			record_set_int(&rec, SIGHT_ATTRIBUTE_ID, attr_id);
			set_default_int(&rec, SIGHT_DATE_SIGHTING, time_now());
			set_default_int(&rec, SIGHT_TYPE, 0);
			rc = set_default_uuid(&rec, SIGHT_UUID);
		}
		if (rc == 0) {
			rc = record_set_text(&rec, SIGHT_ATTRIBUTE_UUID,
					     record_text(attr, ATTR_UUID, ""));
		}
		if (rc == 0) {
			rc = store_insert(s, &rec, &id);
			if (rc < 0) {
				rc = store_failed(s, e, rc, buf_str(&at));
			}
		}
		record_release(&rec);
	}
	buf_release(&at);
	return rc;
}

/* Stores proposals; `old_id` is the attribute they propose to change, or 0
 * for proposals of new attributes at event level. */
static int write_shadows(struct store *s, int64_t org_id, int64_t event_id,
			 const char *event_uuid, int64_t old_id, json_t *owner,
			 const char *pointer, struct cairn_err *e)
{
	struct buf at = BUF_INIT;
	json_t *list;
	int rc = child_array(owner, "ShadowAttribute", pointer, &list, e);

	for (size_t i = 0; rc == 0 && i < child_count(list); i++) {
		json_t *item = child_at(list, i);
		struct record rec;
		int64_t org, id;

		child_pointer(&at, pointer, "ShadowAttribute", i);
		record_init(&rec, &model_shadow);
		rc = codec_parse(&rec, item, false, buf_str(&at), e);
		if (rc == 0) {
			rc = org_from_json(s, json_object_get(item, "Org"),
					   org_id, &org);
		}
		if (rc == 0) {
			record_set_int(&rec, SHADOW_ORG_ID, org);
			record_set_int(&rec, SHADOW_EVENT_ID, event_id);
			record_set_int(&rec, SHADOW_OLD_ID, old_id);
			set_default_int(&rec, SHADOW_TIMESTAMP, time_now());
			rc = set_default_uuid(&rec, SHADOW_UUID);
		}
		if (rc == 0) {
			rc = record_set_text(&rec, SHADOW_EVENT_UUID,
					     event_uuid);
		}
		if (rc == 0) {
			rc = store_insert(s, &rec, &id);
			if (rc < 0) {
				rc = store_failed(s, e, rc, buf_str(&at));
			}
		}
		record_release(&rec);
	}
	buf_release(&at);
	return rc;
}

/* Checks type and category, fills in the defaults and runs the range
 * checks; attribute_prepare() then normalises the value. */
static int attribute_defaults(struct record *rec, const char *pointer,
			      struct cairn_err *e)
{
	const struct attr_type *type;
	const char *name = record_text(rec, ATTR_TYPE, NULL);
	const char *category = record_text(rec, ATTR_CATEGORY, NULL);

	if (!name) {
		return missing(e, pointer, "type", "a MISP attribute type");
	}
	type = attr_type_find(name);
	if (!type) {
		cairn_err_set(e, CAIRN_EINVAL,
			      "invalid 'type' at %s/type: '%s' is not a MISP "
			      "attribute type (GET /attributes/describeTypes."
			      "json lists them)",
			      pointer, name);
		cairn_err_at(e, pointer, "type");
		return CAIRN_EINVAL;
	}
	if (category && !attr_category_known(category)) {
		cairn_err_set(e, CAIRN_EINVAL,
			      "invalid 'category' at %s/category: '%s' is not "
			      "a MISP category",
			      pointer, category);
		cairn_err_at(e, pointer, "category");
		return CAIRN_EINVAL;
	}
	if (!record_text(rec, ATTR_VALUE, NULL) ||
	    !*record_text(rec, ATTR_VALUE, "")) {
		return missing(e, pointer, "value", "a non-empty value");
	}
	if (set_default_text(rec, ATTR_CATEGORY, type->default_category) < 0 ||
	    set_default_uuid(rec, ATTR_UUID) < 0 ||
	    set_default_text(rec, ATTR_COMMENT, "") < 0) {
		return CAIRN_ENOMEM;
	}
	set_default_int(rec, ATTR_TO_IDS, type->to_ids);
	set_default_int(rec, ATTR_TIMESTAMP, time_now());
	set_default_int(rec, ATTR_DISTRIBUTION, 5);
	set_default_int(rec, ATTR_SHARING_GROUP_ID, 0);
	set_default_int(rec, ATTR_DELETED, 0);
	set_default_int(rec, ATTR_DISABLE_CORRELATION, 0);
	return misp_validate(rec, pointer, e);
}

/* Checks type, category and value, fills in the defaults, and replaces
 * the value, first_seen and last_seen with their canonical forms. */
static int attribute_prepare(struct record *rec, const char *pointer,
			     struct cairn_err *e)
{
	int rc = attribute_defaults(rec, pointer, e);

	return rc < 0 ? rc : normalize_attribute(rec, pointer, NULL, e);
}

/* Writes what hangs off a stored attribute: tags, clusters, sightings and
 * proposals. */
static int attribute_children(struct store *s, const struct event_library *lib,
			      int64_t org_id, int64_t event_id,
			      const char *event_uuid, const struct record *rec,
			      int64_t id, json_t *attr, const char *pointer,
			      struct cairn_err *e)
{
	json_t *tags;
	int rc = child_array(attr, "Tag", pointer, &tags, e);

	if (rc == 0) {
		rc = event_write_tags(s, lib, STORE_ATTRIBUTE, id, event_id,
				      tags, pointer, e);
	}
	if (rc == 0) {
		rc = event_write_galaxies(s, STORE_ATTRIBUTE, id, attr,
					  pointer, e);
	}
	if (rc == 0) {
		rc = event_attach_tag_clusters(s, lib, STORE_ATTRIBUTE, id,
					       tags, attr, pointer, e);
	}
	if (rc == 0) {
		rc = write_sightings(s, org_id, event_id, rec, id, attr,
				     pointer, e);
	}
	if (rc == 0) {
		rc = write_shadows(s, org_id, event_id, event_uuid, id, attr,
				   pointer, e);
	}
	return rc;
}

/* Stores a prepared attribute and what hangs off it.  A uuid stored
 * already fails with CAIRN_EEXIST, named as another event's attribute. */
static int insert_attribute(struct store *s, const struct event_library *lib,
			    int64_t org_id, int64_t event_id,
			    const char *event_uuid, int64_t object_id,
			    struct record *rec, json_t *attr,
			    const char *pointer, int64_t *id,
			    struct cairn_err *e)
{
	int rc;

	record_set_int(rec, ATTR_EVENT_ID, event_id);
	record_set_int(rec, ATTR_OBJECT_ID, object_id);
	rc = store_insert(s, rec, id);
	if (rc == CAIRN_EEXIST) {
		rc = cairn_err_set(e, CAIRN_EEXIST,
				   "attribute '%s' at %s belongs to another "
				   "event",
				   record_text(rec, ATTR_UUID, ""), pointer);
		cairn_err_at(e, pointer, "uuid");
		return rc;
	}
	if (rc < 0) {
		return store_failed(s, e, rc, pointer);
	}
	return attribute_children(s, lib, org_id, event_id, event_uuid, rec,
				  *id, attr, pointer, e);
}

int event_write_attribute(struct store *s, const struct event_library *lib,
			  int64_t org_id, int64_t event_id,
			  const char *event_uuid, int64_t object_id,
			  json_t *attr, const char *pointer,
			  int64_t *attribute_id, struct cairn_err *e)
{
	struct record rec;
	int rc;

	record_init(&rec, &model_attribute);
	rc = codec_parse(&rec, attr, false, pointer, e);
	if (rc == 0) {
		rc = attribute_prepare(&rec, pointer, e);
	}
	if (rc == 0) {
		rc = insert_attribute(s, lib, org_id, event_id, event_uuid,
				      object_id, &rec, attr, pointer,
				      attribute_id, e);
	}
	record_release(&rec);
	return rc;
}

int event_validate_attribute_change(struct store *s, struct record *rec,
				    int64_t id, const char *pointer,
				    struct cairn_err *e)
{
	struct record old;
	int rc;

	record_init(&old, &model_attribute);
	rc = store_get(s, &model_attribute, id, &old);
	if (rc == 0 && (rec->v[ATTR_TYPE].set || rec->v[ATTR_CATEGORY].set)) {
		if (!rec->v[ATTR_TYPE].set) {
			rc = record_set_text(rec, ATTR_TYPE,
					     record_text(&old, ATTR_TYPE, ""));
		}
		if (rc == 0 && !rec->v[ATTR_CATEGORY].set) {
			rc = record_set_text(rec, ATTR_CATEGORY,
					     record_text(&old, ATTR_CATEGORY,
							 ""));
		}
	}
	if (rc == 0 && rec->v[ATTR_TYPE].set && !rec->v[ATTR_VALUE].set) {
		rc = record_set_text(rec, ATTR_VALUE,
				     record_text(&old, ATTR_VALUE, ""));
	}
	if (rc == 0 && rec->v[ATTR_VALUE].set && !rec->v[ATTR_TYPE].set) {
		rc = record_set_text(rec, ATTR_TYPE,
				     record_text(&old, ATTR_TYPE, ""));
	}
	/* The order of first_seen and last_seen is checked against the
	 * stored one when only one of them changes. */
	if (rc == 0 && rec->v[ATTR_FIRST_SEEN].set &&
	    !rec->v[ATTR_LAST_SEEN].set && record_text(&old, ATTR_LAST_SEEN, NULL)) {
		rc = record_set_text(rec, ATTR_LAST_SEEN,
				     record_text(&old, ATTR_LAST_SEEN, ""));
	}
	if (rc == 0 && rec->v[ATTR_LAST_SEEN].set &&
	    !rec->v[ATTR_FIRST_SEEN].set &&
	    record_text(&old, ATTR_FIRST_SEEN, NULL)) {
		rc = record_set_text(rec, ATTR_FIRST_SEEN,
				     record_text(&old, ATTR_FIRST_SEEN, ""));
	}
	record_release(&old);
	if (rc == 0) {
		rc = misp_validate(rec, pointer, e);
	}
	return rc < 0 ? rc : normalize_attribute(rec, pointer, NULL, e);
}

/* Writes the lower-case form of a JSON string that is a UUID into `out`;
 * returns false for anything else. */
static bool lower_uuid(const json_t *v, char out[UUID_TEXT_SIZE])
{
	const char *s = json_string_value(v);

	if (!s || !codec_is_uuid(s)) {
		return false;
	}
	for (size_t i = 0; i < UUID_TEXT_SIZE; i++) {
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	return true;
}

/* Adds an attribute that an edit names for the first time, leaving out a
 * duplicate of a live one. */
static int insert_new_attribute(struct event_writer *w, int64_t object_id,
				json_t *attr, const char *pointer,
				struct cairn_err *e)
{
	struct record rec;
	int64_t id;
	int rc;

	record_init(&rec, &model_attribute);
	rc = codec_parse(&rec, attr, false, pointer, e);
	if (rc == 0) {
		rc = attribute_prepare(&rec, pointer, e);
	}
	if (rc == 0) {
		rc = skip_duplicate(w, object_id, &rec, pointer);
	}
	if (rc == 0) {
		rc = insert_attribute(w->s, w->o.library, w->o.org_id,
				      w->event_id,
				      w->event_uuid, object_id, &rec, attr,
				      pointer, &id, e);
	}
	record_release(&rec);
	return rc < 0 ? rc : 0;
}

/* In edit mode, updates the attribute with the same uuid in this event,
 * or adds it when there is none. */
static int merge_attribute(struct event_writer *w, int64_t object_id,
			   json_t *attr, const char *pointer,
			   struct cairn_err *e)
{
	char uuid[UUID_TEXT_SIZE];
	struct record rec, old;
	int64_t id;
	int rc;

	if (!lower_uuid(json_object_get(attr, "uuid"), uuid) ||
	    store_find(w->s, &model_attribute, "uuid", uuid, &id) < 0) {
		return insert_new_attribute(w, object_id, attr, pointer, e);
	}
	record_init(&old, &model_attribute);
	rc = store_get(w->s, &model_attribute, id, &old);
	if (rc == 0 && record_int(&old, ATTR_EVENT_ID, 0) != w->event_id) {
		rc = cairn_err_set(e, CAIRN_EEXIST,
				   "attribute '%s' at %s belongs to another "
				   "event",
				   uuid, pointer);
		cairn_err_at(e, pointer, "uuid");
	}
	record_release(&old);
	if (rc < 0) {
		return rc;
	}
	record_init(&rec, &model_attribute);
	rc = codec_parse(&rec, attr, false, pointer, e);
	if (rc == 0) {
		rc = event_validate_attribute_change(w->s, &rec, id, pointer,
						     e);
	}
	if (rc == 0) {
		set_default_int(&rec, ATTR_TIMESTAMP, time_now());
		rc = store_update(w->s, &rec, id);
		if (rc < 0) {
			rc = store_failed(w->s, e, rc, pointer);
		}
	}
	if (rc == 0) {
		rc = attribute_children(w->s, w->o.library, w->o.org_id,
					w->event_id,
					w->event_uuid, &rec, id, attr, pointer,
					e);
	}
	record_release(&rec);
	return rc;
}

/* Notes an attribute left out of the event, for the caller to report. */
static int skip_attribute(struct event_writer *w, const char *pointer,
			  const struct cairn_err *reason)
{
	json_t *item;

	if (!w->skipped) {
		w->skipped = json_array();
	}
	item = json_pack("{s:s, s:s, s:s}", "pointer", pointer, "field",
			 reason->field.len ? buf_str(&reason->field) : "value",
			 "message", buf_str(&reason->message));
	if (!w->skipped || !item || json_array_append_new(w->skipped, item)) {
		return CAIRN_ENOMEM;
	}
	return 1;
}

/* Checks an attribute before it is written.  MISP stores the valid
 * attributes of an event and drops the others, so an add leaves out an
 * attribute with an invalid type, category or value.  An import leaves out
 * only those whose value, first_seen or last_seen fails normalisation.  A
 * field of the wrong JSON type, and in an import anything else invalid,
 * rejects the event.
 * Returns 0 to write the attribute, 1 when it is left out, or a negative
 * code with the detail in `e`. */
static int screen_attribute(struct event_writer *w, json_t *attr,
			    const char *pointer, struct record *out,
			    struct cairn_err *e)
{
	struct cairn_err reason = CAIRN_ERR_INIT;
	struct record rec;
	bool changed = false, skippable = false, by_normalisation = false;
	int rc;

	record_init(&rec, &model_attribute);
	rc = codec_parse(&rec, attr, false, pointer, &reason);
	if (rc == 0) {
		skippable = w->o.mode == WRITE_ADD;
		rc = attribute_defaults(&rec, pointer, &reason);
	}
	if (rc == 0) {
		rc = normalize_attribute(&rec, pointer, &changed, &reason);
		by_normalisation = rc == CAIRN_EINVAL;
	}
	if (rc == 0) {
		/* The caller owns the prepared record now. */
		w->normalised += changed;
		*out = rec;
	} else if (rc == CAIRN_EINVAL && (skippable || by_normalisation)) {
		record_release(&rec);
		rc = skip_attribute(w, pointer, &reason);
	} else {
		record_release(&rec);
		cairn_err_set(e, rc, "%s", buf_str(&reason.message));
		cairn_err_at(e, buf_str(&reason.pointer), buf_str(&reason.field));
	}
	cairn_err_release(&reason);
	return rc;
}

/* Leaves out an attribute outside objects that repeats the type,
 * category and value of a live one in the event, as MISP does.  Returns
 * 1 when it was left out, 0 to write it, or a negative code. */
static int skip_duplicate(struct event_writer *w, int64_t object_id,
			  const struct record *rec, const char *pointer)
{
	struct cairn_err reason = CAIRN_ERR_INIT;
	int64_t id;
	int rc;

	if (object_id != 0 ||
	    store_attribute_duplicate(w->s, w->event_id,
				      record_text(rec, ATTR_TYPE, ""),
				      record_text(rec, ATTR_CATEGORY, ""),
				      record_text(rec, ATTR_VALUE, ""),
				      &id) != 0) {
		return 0;
	}
	cairn_err_set(&reason, CAIRN_EEXIST,
		      "A similar attribute already exists for this event.");
	cairn_err_at(&reason, pointer, "value");
	rc = skip_attribute(w, pointer, &reason);
	cairn_err_release(&reason);
	return rc;
}

/* Returns true when the attribute's uuid names an attribute already
 * stored in the event being written. */
static bool attribute_in_event(struct event_writer *w, json_t *attr)
{
	char uuid[UUID_TEXT_SIZE];
	struct record old;
	int64_t id;
	bool found;

	if (!lower_uuid(json_object_get(attr, "uuid"), uuid) ||
	    store_find(w->s, &model_attribute, "uuid", uuid, &id) < 0) {
		return false;
	}
	record_init(&old, &model_attribute);
	found = store_get(w->s, &model_attribute, id, &old) == 0 &&
		record_int(&old, ATTR_EVENT_ID, 0) == w->event_id;
	record_release(&old);
	return found;
}

/* Screens and writes one attribute of the event or of an object. */
static int write_attribute_element(struct event_writer *w, int64_t object_id,
				   json_t *attr, const char *pointer,
				   struct cairn_err *e)
{
	struct record rec;
	int64_t id;
	int rc;

	if (w->o.mode == WRITE_EDIT) {
		w->attributes++;
		return merge_attribute(w, object_id, attr, pointer, e);
	}
	rc = screen_attribute(w, attr, pointer, &rec, e);
	if (rc != 0) {
		return rc < 0 ? rc : 0;
	}
	/* NOTE: an import keeps repeated values, as the feeds it round-trips
	 * hold some; only events/add leaves them out. */
	if (w->o.mode == WRITE_ADD) {
		rc = skip_duplicate(w, object_id, &rec, pointer);
	}
	if (rc != 0) {
		record_release(&rec);
		return rc < 0 ? rc : 0;
	}
	w->attributes++;
	rc = insert_attribute(w->s, w->o.library, w->o.org_id, w->event_id,
			      w->event_uuid,
			      object_id, &rec, attr, pointer, &id, e);
	record_release(&rec);
	/* A uuid that repeats inside one input names one attribute, which
	 * the later copy updates, as an edit would. */
	if (rc == CAIRN_EEXIST && attribute_in_event(w, attr)) {
		cairn_err_clear(e);
		return merge_attribute(w, object_id, attr, pointer, e);
	}
	return rc;
}

static int hold_reference(struct event_writer *w, json_t *ref,
			  int64_t object_id, const char *object_uuid,
			  const char *pointer, struct cairn_err *e)
{
	struct record *rec;
	int rc;

	if (w->nrefs == w->caprefs) {
		size_t cap = w->caprefs ? w->caprefs * 2 : 16;
		struct record *p = realloc(w->refs, cap * sizeof(*p));

		if (!p) {
			return CAIRN_ENOMEM;
		}
		w->refs = p;
		w->caprefs = cap;
	}
	rec = &w->refs[w->nrefs];
	record_init(rec, &model_reference);
	rc = codec_parse(rec, ref, false, pointer, e);
	if (rc == 0 && !record_text(rec, REF_REFERENCED_UUID, NULL)) {
		rc = missing(e, pointer, "referenced_uuid",
			     "the UUID of the referenced attribute or object");
	}
	if (rc == 0 && !record_text(rec, REF_RELATIONSHIP_TYPE, NULL)) {
		rc = missing(e, pointer, "relationship_type",
			     "a relationship such as 'related-to'");
	}
	if (rc == 0) {
		record_set_int(rec, REF_OBJECT_ID, object_id);
		record_set_int(rec, REF_EVENT_ID, w->event_id);
		set_default_int(rec, REF_TIMESTAMP, time_now());
		set_default_int(rec, REF_DELETED, 0);
		rc = set_default_uuid(rec, REF_UUID);
	}
	if (rc == 0) {
		rc = record_set_text(rec, REF_OBJECT_UUID, object_uuid);
	}
	if (rc == 0) {
		rc = set_default_text(rec, REF_COMMENT, "");
	}
	if (rc == 0) {
		rc = record_own(rec);
	}
	if (rc < 0) {
		record_release(rec);
		return rc;
	}
	w->nrefs++;
	return 0;
}

/* Resolves and writes the held references once every uuid is stored. */
static int write_references(struct event_writer *w, struct cairn_err *e)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < w->nrefs; i++) {
		struct record *rec = &w->refs[i];
		const char *target = record_text(rec, REF_REFERENCED_UUID, "");
		int64_t target_id = 0, id;

		if (store_find(w->s, &model_attribute, "uuid", target,
			       &target_id) == 0) {
			record_set_int(rec, REF_REFERENCED_TYPE, 0);
		} else if (store_find(w->s, &model_object, "uuid", target,
				      &target_id) == 0) {
			record_set_int(rec, REF_REFERENCED_TYPE, 1);
		} else {
			target_id = 0;
			record_set_int(rec, REF_REFERENCED_TYPE, 0);
		}
		record_set_int(rec, REF_REFERENCED_ID, target_id);
		/* An edit may send back references that are stored already. */
		if (w->o.mode == WRITE_EDIT &&
		    store_find(w->s, &model_reference, "uuid",
			       record_text(rec, REF_UUID, ""), &id) == 0) {
			rc = store_update(w->s, rec, id);
		} else {
			rc = store_insert(w->s, rec, &id);
		}
		if (rc < 0) {
			rc = store_failed(w->s, e, rc, NULL);
		}
	}
	return rc;
}

static void release_references(struct event_writer *w)
{
	for (size_t i = 0; i < w->nrefs; i++) {
		record_release(&w->refs[i]);
	}
	w->nrefs = 0;
}

/* Returns the event of object `id`, or 0 when it is not found. */
static int64_t object_event(struct store *s, int64_t id)
{
	struct record rec;
	int64_t event_id = 0;

	record_init(&rec, &model_object);
	if (store_get(s, &model_object, id, &rec) == 0) {
		event_id = record_int(&rec, OBJ_EVENT_ID, 0);
	}
	record_release(&rec);
	return event_id;
}

static int write_object(struct event_writer *w, json_t *obj,
			const char *pointer, struct cairn_err *e)
{
	struct buf at = BUF_INIT;
	struct record rec;
	json_t *attrs = NULL, *refs = NULL;
	char uuid_text[UUID_TEXT_SIZE];
	const char *uuid = lower_uuid(json_object_get(obj, "uuid"), uuid_text)
				   ? uuid_text
				   : NULL;
	int64_t id = 0;
	bool existing = false;
	int rc;

	if (w->o.mode == WRITE_EDIT && uuid &&
	    store_find(w->s, &model_object, "uuid", uuid, &id) == 0) {
		existing = true;
	}
	/* An edit changes only the objects of its own event, as it does
	 * attributes (merge_attribute()). */
	if (existing && object_event(w->s, id) != w->event_id) {
		rc = cairn_err_set(e, CAIRN_EEXIST,
				   "object '%s' at %s belongs to another event",
				   uuid, pointer);
		cairn_err_at(e, pointer, "uuid");
		return rc;
	}
	record_init(&rec, &model_object);
	rc = codec_parse(&rec, obj, false, pointer, e);
	if (rc == 0) {
		rc = misp_validate(&rec, pointer, e);
	}
	if (rc == 0 && !existing && !record_text(&rec, OBJ_NAME, NULL)) {
		rc = missing(e, pointer, "name", "an object template name");
	}
	if (rc == 0 && !existing) {
		rc = event_check_object(w->o.library, obj, pointer, e);
	}
	if (rc == 0) {
		set_default_int(&rec, OBJ_TIMESTAMP, time_now());
		rc = existing ? 0 : set_default_uuid(&rec, OBJ_UUID);
	}
	if (rc == 0 && !existing) {
		set_default_int(&rec, OBJ_DISTRIBUTION, 5);
		set_default_int(&rec, OBJ_SHARING_GROUP_ID, 0);
		set_default_int(&rec, OBJ_DELETED, 0);
		set_default_int(&rec, OBJ_TEMPLATE_VERSION, 1);
		record_set_int(&rec, OBJ_EVENT_ID, w->event_id);
		if (set_default_text(&rec, OBJ_META_CATEGORY, "misc") < 0 ||
		    set_default_text(&rec, OBJ_DESCRIPTION, "") < 0 ||
		    set_default_text(&rec, OBJ_COMMENT, "") < 0 ||
		    set_default_text(&rec, OBJ_TEMPLATE_UUID, "") < 0) {
			rc = CAIRN_ENOMEM;
		}
	}
	if (rc == 0) {
		rc = existing ? store_update(w->s, &rec, id)
			      : store_insert(w->s, &rec, &id);
		if (rc < 0) {
			rc = store_failed(w->s, e, rc, pointer);
		}
	}
	if (rc == 0) {
		rc = child_array(obj, "Attribute", pointer, &attrs, e);
	}
	for (size_t i = 0; rc == 0 && i < child_count(attrs); i++) {
		child_pointer(&at, pointer, "Attribute", i);
		rc = write_attribute_element(w, id, child_at(attrs, i),
					     buf_str(&at), e);
	}
	if (rc == 0) {
		rc = child_array(obj, "ObjectReference", pointer, &refs, e);
	}
	for (size_t i = 0; rc == 0 && i < child_count(refs); i++) {
		child_pointer(&at, pointer, "ObjectReference", i);
		rc = hold_reference(w, child_at(refs, i), id,
				    record_text(&rec, OBJ_UUID, uuid ? uuid : ""),
				    buf_str(&at), e);
	}
	w->objects++;
	record_release(&rec);
	buf_release(&at);
	return rc;
}

/* Sets the creator organisation from the header's Orgc, creating it when
 * it is new; so it runs inside the event's transaction.  Without an Orgc
 * an edit keeps the stored one and anything else takes the writer's. */
static int event_set_orgc(struct event_writer *w, json_t *header,
			  struct record *rec, const char *pointer,
			  struct cairn_err *e)
{
	json_t *orgc = w->o.own_orgc ? NULL : json_object_get(header, "Orgc");
	int64_t id;
	int rc;

	if (!orgc && w->o.mode == WRITE_EDIT) {
		if (w->o.own_orgc) {
			rec->v[EVENT_ORGC_ID].set = false;
		}
		return 0;
	}
	rc = org_from_json(w->s, orgc, w->o.org_id, &id);
	if (rc < 0) {
		return store_failed(w->s, e, rc, pointer);
	}
	record_set_int(rec, EVENT_ORGC_ID, id);
	return 0;
}

/* Parses the event header and applies the defaults of a new event. */
static int event_record(struct event_writer *w, json_t *header,
			const char *pointer, struct record *rec,
			struct cairn_err *e)
{
	char today[11];
	int rc;

	record_init(rec, &model_event);
	rc = codec_parse(rec, header, false, pointer, e);
	if (rc == 0) {
		rc = misp_validate(rec, pointer, e);
	}
	if (rc < 0) {
		return rc;
	}
	if (w->o.no_publish) {
		record_set_int(rec, EVENT_PUBLISHED, 0);
	}
	if (w->o.mode == WRITE_EDIT) {
		set_default_int(rec, EVENT_TIMESTAMP, time_now());
		set_default_int(rec, EVENT_PUBLISHED, 0);
		rec->v[EVENT_UUID].set = false;
		return 0;
	}
	date_today(today);
	record_set_int(rec, EVENT_ORG_ID, w->o.org_id);
	set_default_int(rec, EVENT_TIMESTAMP, time_now());
	set_default_int(rec, EVENT_THREAT_LEVEL_ID, 4);
	set_default_int(rec, EVENT_ANALYSIS, 0);
	set_default_int(rec, EVENT_DISTRIBUTION, 1);
	set_default_int(rec, EVENT_PUBLISHED, 0);
	set_default_int(rec, EVENT_SHARING_GROUP_ID, 0);
	set_default_int(rec, EVENT_PUBLISH_TIMESTAMP, 0);
	if (set_default_text(rec, EVENT_DATE, today) < 0 ||
	    set_default_text(rec, EVENT_INFO, "") < 0 ||
	    set_default_text(rec, EVENT_EXTENDS_UUID, "") < 0 ||
	    set_default_text(rec, EVENT_CREATOR_EMAIL,
			     w->o.user_email ? w->o.user_email : "") < 0) {
		return CAIRN_ENOMEM;
	}
	return record_set_text(rec, EVENT_UUID, w->event_uuid);
}

static int writer_begin(struct event_writer *w)
{
	return w->o.caller_transaction ? 0 : store_begin(w->s);
}

static int writer_commit(struct event_writer *w)
{
	return w->o.caller_transaction ? 0 : store_commit(w->s);
}

/* Decides what to do with the event named in `header` and, unless it is
 * an unchanged copy, opens the transaction and writes the event row. */
static int open_event(struct event_writer *w, json_t *header,
		      const char *pointer, struct cairn_err *e)
{
	const char *uuid = json_string_value(json_object_get(header, "uuid"));
	struct record rec, old;
	int64_t id;
	int rc;

	if (w->o.mode == WRITE_EDIT) {
		record_init(&old, &model_event);
		rc = store_get(w->s, &model_event, w->o.event_id, &old);
		if (rc == 0) {
			snprintf(w->event_uuid, sizeof(w->event_uuid), "%s",
				 record_text(&old, EVENT_UUID, ""));
		}
		record_release(&old);
		if (rc < 0) {
			return cairn_err_set(e, rc, "event %lld not found",
					     (long long)w->o.event_id);
		}
		w->event_id = w->o.event_id;
		w->result = EVENT_UPDATED;
		rc = writer_begin(w);
		w->open = rc == 0;
		return rc < 0 ? store_failed(w->s, e, rc, pointer) : 0;
	}
	if (uuid && codec_is_uuid(uuid)) {
		for (size_t i = 0; i <= 36; i++) {
			w->event_uuid[i] = (char)tolower((unsigned char)uuid[i]);
		}
	} else if (!uuid) {
		uuid_generate(w->event_uuid);
	} else {
		cairn_err_set(e, CAIRN_EINVAL,
			      "invalid 'uuid' at %s/uuid: expected a UUID, got "
			      "'%s'",
			      pointer, uuid);
		cairn_err_at(e, pointer, "uuid");
		return CAIRN_EINVAL;
	}
	rc = event_record(w, header, pointer, &rec, e);
	if (rc < 0) {
		record_release(&rec);
		return rc;
	}
	if (store_find(w->s, &model_event, "uuid", w->event_uuid, &id) == 0) {
		int64_t stored = 0;

		if (w->o.mode == WRITE_ADD) {
			record_release(&rec);
			rc = cairn_err_set(e, CAIRN_EEXIST,
					   "event '%s' already exists",
					   w->event_uuid);
			cairn_err_at(e, pointer, "uuid");
			return rc;
		}
		record_init(&old, &model_event);
		if (store_get(w->s, &model_event, id, &old) == 0) {
			stored = record_int(&old, EVENT_TIMESTAMP, 0);
		}
		record_release(&old);
		if (!json_object_get(header, "timestamp") ||
		    record_int(&rec, EVENT_TIMESTAMP, 0) <= stored) {
			record_release(&rec);
			w->skip = true;
			w->event_id = id;
			w->result = EVENT_UNCHANGED;
			return 0;
		}
		w->event_id = id;
		w->result = EVENT_UPDATED;
		rc = writer_begin(w);
		w->open = rc == 0;
		if (rc == 0) {
			rc = store_event_clear(w->s, id);
		}
	} else {
		w->result = EVENT_ADDED;
		rc = writer_begin(w);
		w->open = rc == 0;
		if (rc == 0) {
			rc = event_set_orgc(w, header, &rec, pointer, e);
		}
		if (rc == 0) {
			rc = store_insert(w->s, &rec, &w->event_id);
		}
		/* The creating user, for the perm_modify rule. */
		if (rc == 0 && w->o.user_id) {
			rc = store_event_creator_set(w->s, w->event_id,
						     w->o.user_id);
		}
	}
	record_release(&rec);
	return rc < 0 ? store_failed(w->s, e, rc, pointer) : 0;
}

static int write_element(struct event_writer *w, enum misp_element kind,
			 json_t *element, const char *pointer,
			 struct cairn_err *e)
{
	if (w->skip) {
		return 0;
	}
	if (kind == MISP_OBJECT) {
		return write_object(w, element, pointer, e);
	}
	return write_attribute_element(w, 0, element, pointer, e);
}

/* Keeps an element that arrived before the event's uuid. */
static int hold_element(struct event_writer *w, enum misp_element kind,
			json_t *element, const char *pointer)
{
	json_t *item;

	if (!w->held) {
		w->held = json_array();
	}
	item = json_pack("[iOs]", (int)kind, element, pointer);
	if (!w->held || !item || json_array_append_new(w->held, item) < 0) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

static int replay_held(struct event_writer *w, struct cairn_err *e)
{
	size_t i;
	json_t *item;
	int rc = 0;

	json_array_foreach(w->held, i, item) {
		rc = write_element(w,
				   (enum misp_element)json_integer_value(
					   json_array_get(item, 0)),
				   json_array_get(item, 1),
				   json_string_value(json_array_get(item, 2)),
				   e);
		if (rc < 0) {
			break;
		}
	}
	json_decref(w->held);
	w->held = NULL;
	return rc;
}

int event_writer_element(struct event_writer *w, enum misp_element kind,
			 json_t *header, json_t *element, const char *pointer,
			 struct cairn_err *e)
{
	int rc;

	if (!w->open && !w->skip) {
		if (w->o.mode != WRITE_EDIT &&
		    (!json_object_get(header, "uuid") ||
		     !json_object_get(header, "timestamp"))) {
			return hold_element(w, kind, element, pointer);
		}
		rc = open_event(w, header, "", e);
		if (rc < 0) {
			return rc;
		}
	}
	return write_element(w, kind, element, pointer, e);
}

/* Writes the event-level lists kept in the header. */
static int write_event_children(struct event_writer *w, json_t *header,
				const char *pointer, struct cairn_err *e)
{
	struct buf at = BUF_INIT;
	json_t *list;
	int rc = child_array(header, "Tag", pointer, &list, e);

	if (rc == 0) {
		rc = event_write_tags(w->s, w->o.library, STORE_EVENT,
				      w->event_id, w->event_id, list, pointer,
				      e);
	}
	if (rc == 0) {
		rc = event_write_galaxies(w->s, STORE_EVENT, w->event_id,
					  header, pointer, e);
	}
	if (rc == 0) {
		rc = event_attach_tag_clusters(w->s, w->o.library, STORE_EVENT,
					       w->event_id, list, header,
					       pointer, e);
	}
	if (rc == 0) {
		rc = write_shadows(w->s, w->o.org_id, w->event_id,
				   w->event_uuid, 0, header, pointer, e);
	}
	if (rc == 0) {
		rc = child_array(header, "EventReport", pointer, &list, e);
	}
	for (size_t i = 0; rc == 0 && i < child_count(list); i++) {
		struct record rec;
		int64_t id;

		child_pointer(&at, pointer, "EventReport", i);
		record_init(&rec, &model_report);
		rc = codec_parse(&rec, child_at(list, i), false, buf_str(&at),
				 e);
		if (rc == 0) {
			rc = misp_validate(&rec, buf_str(&at), e);
		}
		if (rc == 0) {
			record_set_int(&rec, REPORT_EVENT_ID, w->event_id);
			set_default_int(&rec, REPORT_TIMESTAMP, time_now());
			set_default_int(&rec, REPORT_DISTRIBUTION, 5);
			rc = set_default_uuid(&rec, REPORT_UUID);
		}
		if (rc == 0) {
			rc = store_insert(w->s, &rec, &id);
			if (rc < 0) {
				rc = store_failed(w->s, e, rc, buf_str(&at));
			}
		}
		record_release(&rec);
	}
	buf_release(&at);
	return rc;
}

/* Appends the import's one audit row for the event: in import mode the
 * store appends none per row (store_audit_pause()), which keeps the
 * import fast. */
static int audit_import(struct event_writer *w, json_t *header)
{
	struct store_audit_entry entry = {
		"import",
		"Event",
		w->event_id,
		json_string_value(json_object_get(header, "info")),
		w->event_id,
		NULL,
	};
	json_t *change = json_pack(
		"{sssIsI}", "result",
		w->result == EVENT_ADDED ? "added" : "updated", "Attribute",
		(json_int_t)(w->attributes - w->event_attributes), "Object",
		(json_int_t)(w->objects - w->event_objects));
	char *text = change ? json_dumps(change, JSON_COMPACT) : NULL;
	int rc = CAIRN_ENOMEM;

	if (text) {
		entry.change = text;
		rc = store_audit_append(w->s, &entry);
	}
	free(text);
	json_decref(change);
	return rc;
}

static int finish_event(struct event_writer *w, json_t *header,
			const char *pointer, struct cairn_err *e)
{
	static const char *const streamed[] = {"Attribute", "Object"};
	struct record rec;
	json_t *info;
	int rc;

	/* The reader streams these arrays and drops their keys, so a key
	 * still in the header held something other than an array. */
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(header, streamed[i]);

		if (v && !json_is_null(v)) {
			rc = cairn_err_set(e, CAIRN_EINVAL,
					   "invalid '%s' at %s/%s: expected an "
					   "array",
					   streamed[i], pointer, streamed[i]);
			cairn_err_at(e, pointer, streamed[i]);
			return rc;
		}
	}

	/* A present info of another type gets the codec's error, which
	 * names the type, rather than "missing". */
	info = json_object_get(header, "info");
	if (w->o.mode != WRITE_EDIT && (!info || json_is_null(info))) {
		return missing(e, pointer, "info",
			       "the event's description as a string");
	}
	rc = event_record(w, header, pointer, &rec, e);
	if (rc == 0) {
		rc = event_set_orgc(w, header, &rec, pointer, e);
	}
	if (rc == 0) {
		rc = store_update(w->s, &rec, w->event_id);
		if (rc < 0) {
			rc = store_failed(w->s, e, rc, pointer);
		}
	}
	record_release(&rec);
	if (rc == 0) {
		rc = write_event_children(w, header, pointer, e);
	}
	if (rc == 0) {
		rc = write_references(w, e);
	}
	if (rc == 0) {
		rc = store_event_refresh_count(w->s, w->event_id);
	}
	if (rc == 0 && w->o.mode == WRITE_IMPORT) {
		rc = audit_import(w, header);
	}
	if (rc == 0) {
		rc = writer_commit(w);
		if (rc < 0) {
			rc = store_failed(w->s, e, rc, pointer);
		}
	}
	if (rc == 0) {
		w->open = false;
	}
	return rc;
}

static void writer_reset(struct event_writer *w)
{
	if (w->open && !w->o.caller_transaction) {
		store_rollback(w->s);
	}
	w->open = false;
	w->skip = false;
	w->event_id = 0;
	w->event_uuid[0] = '\0';
	w->event_attributes = w->attributes;
	w->event_objects = w->objects;
	json_decref(w->held);
	w->held = NULL;
	release_references(w);
}

int event_writer_end(struct event_writer *w, json_t *header,
		     const char *pointer, enum event_write_result *result,
		     int64_t *event_id, struct cairn_err *e)
{
	int rc = 0;

	if (!json_is_object(header)) {
		writer_reset(w);
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "invalid event at %s: expected an object",
				   pointer);
		cairn_err_at(e, pointer, NULL);
		return rc;
	}
	if (!w->open && !w->skip) {
		rc = open_event(w, header, pointer, e);
	}
	if (rc == 0 && w->held) {
		rc = replay_held(w, e);
	}
	if (rc == 0 && !w->skip) {
		rc = finish_event(w, header, pointer, e);
	}
	if (rc == 0) {
		*result = w->result;
		*event_id = w->event_id;
	}
	writer_reset(w);
	return rc;
}

void event_writer_abort(struct event_writer *w)
{
	writer_reset(w);
}

struct event_writer *event_writer_new(struct store *s,
				      const struct event_writer_options *o)
{
	struct event_writer *w = calloc(1, sizeof(*w));

	if (w) {
		w->s = s;
		w->o = *o;
	}
	if (w && o->mode == WRITE_IMPORT) {
		store_audit_pause(s, true);
	}
	return w;
}

void event_writer_free(struct event_writer *w)
{
	if (!w) {
		return;
	}
	writer_reset(w);
	if (w->o.mode == WRITE_IMPORT) {
		store_audit_pause(w->s, false);
	}
	json_decref(w->skipped);
	free(w->refs);
	free(w);
}

int64_t event_writer_attributes(const struct event_writer *w)
{
	return w->attributes;
}

int64_t event_writer_objects(const struct event_writer *w)
{
	return w->objects;
}

int64_t event_writer_normalised(const struct event_writer *w)
{
	return w->normalised;
}

size_t event_writer_skipped_count(const struct event_writer *w)
{
	return w->skipped ? json_array_size(w->skipped) : 0;
}

json_t *event_writer_skipped(const struct event_writer *w, size_t i)
{
	return w->skipped ? json_array_get(w->skipped, i) : NULL;
}

int event_write_tree(struct store *s, const struct event_writer_options *o,
		     json_t *event, enum event_write_result *result,
		     int64_t *event_id, struct cairn_err *e)
{
	struct event_writer *w = event_writer_new(s, o);
	static const char *const keys[] = {"Attribute", "Object"};
	struct buf at = BUF_INIT;
	json_t *header;
	int rc = 0;

	if (!w) {
		return CAIRN_ENOMEM;
	}
	if (!json_is_object(event)) {
		event_writer_free(w);
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "invalid event at /: expected an object");
		cairn_err_at(e, "/", NULL);
		return rc;
	}
	header = json_copy(event);
	json_object_del(header, "Attribute");
	json_object_del(header, "Object");
	for (int k = 0; rc == 0 && k < 2; k++) {
		json_t *list;

		rc = child_array(event, keys[k], "", &list, e);
		for (size_t i = 0; rc == 0 && i < child_count(list); i++) {
			json_t *item = child_at(list, i);

			child_pointer(&at, "", keys[k], i);
			if (!json_is_object(item)) {
				rc = cairn_err_set(e, CAIRN_EINVAL,
						   "invalid %s at %s: expected "
						   "an object",
						   keys[k], buf_str(&at));
				cairn_err_at(e, buf_str(&at), keys[k]);
				break;
			}
			rc = event_writer_element(
				w, k == 0 ? MISP_ATTRIBUTE : MISP_OBJECT,
				header, item, buf_str(&at), e);
		}
	}
	if (rc == 0) {
		rc = event_writer_end(w, header, "", result, event_id, e);
	}
	json_decref(header);
	buf_release(&at);
	event_writer_free(w);
	return rc;
}
