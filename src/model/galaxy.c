/*
 * Galaxies and clusters loaded from misp-galaxy, their lookups and their
 * MISP JSON shapes.
 *
 * Each cluster keeps its "meta" and "related" members as compact JSON
 * text, parsed again only when a view renders them, so the loaded set
 * costs about the size of the files without their white space.  Tag
 * names and uuids are found through open-addressing hash tables, and ids
 * through an index sorted by id.
 */
#include "model/galaxy.h"
#include "model/galaxy_internal.h"
#include "core/buf.h"
#include "core/util.h"
#include "model/libdir.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Hash tables ------------------------------------------------------ */

static uint64_t hash_nocase(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) *
		    1099511628211ull;
	}
	return h;
}

static int table_init(struct index_table *t, size_t count)
{
	t->size = 16;
	while (t->size < count * 2) {
		t->size *= 2;
	}
	t->slots = calloc(t->size, sizeof(*t->slots));
	return t->slots ? 0 : CAIRN_ENOMEM;
}

/* Adds cluster `index` under `key` unless the key is present, so the
 * first cluster of a repeated key wins. */
static void table_add(struct index_table *t, const struct galaxy_set *set,
		      const char *key, size_t index, bool uuid_key)
{
	size_t i = (size_t)hash_nocase(key) & (t->size - 1);

	while (t->slots[i]) {
		const struct galaxy_cluster *c =
			&set->clusters[t->slots[i] - 1];

		if (strcasecmp(uuid_key ? c->uuid : c->tag_name, key) == 0) {
			return;
		}
		i = (i + 1) & (t->size - 1);
	}
	t->slots[i] = index + 1;
}

static const struct galaxy_cluster *
table_find(const struct index_table *t, const struct galaxy_set *set,
	   const char *key, bool uuid_key)
{
	size_t i;

	if (!t->slots || !key) {
		return NULL;
	}
	i = (size_t)hash_nocase(key) & (t->size - 1);
	while (t->slots[i]) {
		const struct galaxy_cluster *c =
			&set->clusters[t->slots[i] - 1];

		if (strcasecmp(uuid_key ? c->uuid : c->tag_name, key) == 0) {
			return c;
		}
		i = (i + 1) & (t->size - 1);
	}
	return NULL;
}

/* Loading ---------------------------------------------------------- */

struct loader {
	struct galaxy_set *set;
	const char *path;
	struct cairn_err *e;
	bool failed_memory;
};

static char *keep(struct loader *ld, const char *s)
{
	char *copy = libdir_strdup(s);

	if (s && !copy) {
		ld->failed_memory = true;
	} else if (copy) {
		ld->set->memory += strlen(copy) + 1;
	}
	return copy;
}

/* Keeps a JSON member as compact text, or NULL when it is absent. */
static char *keep_json(struct loader *ld, const json_t *v)
{
	char *text;

	if (!v || json_is_null(v)) {
		return NULL;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER |
				     JSON_ENCODE_ANY);
	if (!text) {
		ld->failed_memory = true;
		return NULL;
	}
	ld->set->memory += strlen(text) + 1;
	return text;
}

static int64_t version_of(const json_t *v)
{
	if (json_is_integer(v)) {
		return json_integer_value(v);
	}
	if (json_is_string(v)) {
		return strtoll(json_string_value(v), NULL, 10);
	}
	return 1;
}

static int no_memory(struct loader *ld)
{
	return cairn_err_set(ld->e, CAIRN_ENOMEM, "out of memory loading '%s'",
			     ld->path);
}

static int load_galaxy(struct loader *ld, const json_t *doc)
{
	struct galaxy *g = &ld->set->galaxies[ld->set->ngalaxies];
	const char *uuid = libdir_string(doc, "uuid");
	const char *type = libdir_string(doc, "type");

	if (!uuid || !type || !*type) {
		return cairn_err_set(ld->e, CAIRN_EINVAL,
				     "invalid galaxy '%s': expected 'uuid' "
				     "and 'type'",
				     ld->path);
	}
	g->uuid = keep(ld, uuid);
	g->type = keep(ld, type);
	g->name = keep(ld, libdir_string(doc, "name") ?: type);
	g->description = keep(ld, libdir_string(doc, "description") ?: "");
	g->icon = keep(ld, libdir_string(doc, "icon") ?: "");
	g->namespace_name = keep(ld, libdir_string(doc, "namespace") ?: "misp");
	g->kill_chain_order =
		keep_json(ld, json_object_get(doc, "kill_chain_order"));
	g->version = version_of(json_object_get(doc, "version"));
	g->id = (int64_t)ld->set->ngalaxies + 1;
	ld->set->ngalaxies++;
	return ld->failed_memory ? no_memory(ld) : 0;
}

int galaxy_grow_clusters(struct galaxy_set *set, size_t more)
{
	struct galaxy_cluster *grown;
	size_t cap = set->capclusters ? set->capclusters : 1024;

	while (cap < set->nclusters + more) {
		cap *= 2;
	}
	if (cap == set->capclusters) {
		return 0;
	}
	grown = realloc(set->clusters, cap * sizeof(*grown));
	if (!grown) {
		return CAIRN_ENOMEM;
	}
	memset(grown + set->capclusters, 0,
	       (cap - set->capclusters) * sizeof(*grown));
	set->clusters = grown;
	set->capclusters = cap;
	return 0;
}

size_t galaxy_type_index(const struct galaxy_set *set, const char *type)
{
	for (size_t i = 0; i < set->ngalaxies; i++) {
		if (strcmp(set->galaxies[i].type, type) == 0) {
			return i;
		}
	}
	return set->ngalaxies;
}

/* Loads each JSON file of DIR/SUB as a galaxy or a cluster file. */
static int load_files(struct galaxy_set *set, const char *dir,
		      const char *sub, bool galaxies, struct cairn_err *e)
{
	struct libdir_list names;
	struct buf path = BUF_INIT;
	int rc;

	buf_printf(&path, "%s/%s", dir, sub);
	rc = libdir_list(&names, buf_str(&path), ".json", e);
	if (rc == 0) {
		void *table = galaxies ? (void *)&set->galaxies
				       : (void *)&set->collections;
		size_t size = galaxies ? sizeof(struct galaxy)
				       : sizeof(struct collection);

		*(void **)table = calloc(names.count + 1, size);
		if (!*(void **)table) {
			rc = cairn_err_set(e, CAIRN_ENOMEM,
					   "out of memory loading galaxies");
		}
	}
	for (size_t i = 0; rc == 0 && i < names.count; i++) {
		struct loader ld = {set, NULL, e, false};
		json_t *doc;

		buf_clear(&path);
		buf_printf(&path, "%s/%s/%s", dir, sub, names.names[i]);
		ld.path = buf_str(&path);
		if (!galaxies) {
			rc = galaxy_load_cluster_file(set, ld.path, e);
			continue;
		}
		rc = libdir_load_json(&doc, ld.path, e);
		if (rc == 0) {
			rc = load_galaxy(&ld, doc);
			json_decref(doc);
		}
	}
	buf_release(&path);
	libdir_list_release(&names);
	return rc;
}

static int build_tables(struct galaxy_set *set, struct cairn_err *e)
{
	if (table_init(&set->by_tag, set->nclusters) < 0 ||
	    table_init(&set->by_uuid, set->nclusters) < 0 ||
	    !(set->by_id = calloc(set->nclusters + 1, sizeof(size_t)))) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory indexing galaxies");
	}
	set->memory += (set->by_tag.size + set->by_uuid.size +
			set->nclusters) *
		       sizeof(size_t);
	for (size_t i = 0; i < set->nclusters; i++) {
		table_add(&set->by_tag, set, set->clusters[i].tag_name, i,
			  false);
		table_add(&set->by_uuid, set, set->clusters[i].uuid, i, true);
		set->by_id[i] = i;
	}
	return 0;
}

int galaxy_set_load(struct galaxy_set **out, const char *dir,
		    struct cairn_err *e)
{
	struct galaxy_set *set = calloc(1, sizeof(*set));
	int rc;

	*out = NULL;
	if (!set) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory loading galaxies");
	}
	rc = load_files(set, dir, "galaxies", true, e);
	if (rc == 0) {
		rc = load_files(set, dir, "clusters", false, e);
	}
	if (rc == 0) {
		rc = build_tables(set, e);
	}
	if (rc < 0) {
		galaxy_set_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

void galaxy_set_free(struct galaxy_set *set)
{
	if (!set) {
		return;
	}
	for (size_t i = 0; i < set->ngalaxies; i++) {
		struct galaxy *g = &set->galaxies[i];

		free(g->uuid), free(g->name), free(g->type);
		free(g->description), free(g->icon), free(g->namespace_name);
		free(g->kill_chain_order);
	}
	for (size_t i = 0; i < set->ncollections; i++) {
		free(set->collections[i].uuid);
		free(set->collections[i].source);
		free(set->collections[i].authors);
	}
	for (size_t i = 0; i < set->nclusters; i++) {
		struct galaxy_cluster *c = &set->clusters[i];

		free(c->uuid), free(c->value), free(c->description);
		free(c->tag_name), free(c->key), free(c->meta);
		free(c->related);
		for (size_t k = 0; k < c->nsynonyms; k++) {
			free(c->synonyms[k]);
		}
		free(c->synonyms);
	}
	free(set->galaxies);
	free(set->collections);
	free(set->clusters);
	free(set->by_tag.slots);
	free(set->by_uuid.slots);
	free(set->by_id);
	free(set);
}

/* Lookups ---------------------------------------------------------- */

size_t galaxy_count(const struct galaxy_set *set)
{
	return set ? set->ngalaxies : 0;
}

const struct galaxy *galaxy_at(const struct galaxy_set *set, size_t index)
{
	return set && index < set->ngalaxies ? &set->galaxies[index] : NULL;
}

const struct galaxy *galaxy_by_id(const struct galaxy_set *set, int64_t id)
{
	for (size_t i = 0; i < galaxy_count(set); i++) {
		if (set->galaxies[i].id == id) {
			return &set->galaxies[i];
		}
	}
	return NULL;
}

const char *galaxy_uuid(const struct galaxy *g)
{
	return g->uuid;
}

int64_t galaxy_id(const struct galaxy *g)
{
	return g->id;
}

size_t galaxy_cluster_total(const struct galaxy_set *set)
{
	return set ? set->nclusters : 0;
}

const struct galaxy_cluster *galaxy_cluster_at(const struct galaxy_set *set,
					       size_t index)
{
	return set && index < set->nclusters ? &set->clusters[index] : NULL;
}

const char *galaxy_cluster_key(const struct galaxy_cluster *c)
{
	return c->key;
}

static const struct galaxy_set *sort_set; /* only during galaxy_set_ids */

static int id_compare(const void *a, const void *b)
{
	int64_t x = sort_set->clusters[*(const size_t *)a].id;
	int64_t y = sort_set->clusters[*(const size_t *)b].id;

	return (x > y) - (x < y);
}

void galaxy_set_ids(struct galaxy_set *set, const int64_t *gids,
		    const int64_t *cids)
{
	for (size_t i = 0; i < set->ngalaxies; i++) {
		set->galaxies[i].id = gids[i];
	}
	for (size_t i = 0; i < set->nclusters; i++) {
		set->clusters[i].id = cids[i];
		set->by_id[i] = i;
	}
	/* NOTE: qsort takes no context argument, so the set is passed in a
	 * static.  This runs once at start, before other threads read the
	 * set. */
	sort_set = set;
	qsort(set->by_id, set->nclusters, sizeof(size_t), id_compare);
	sort_set = NULL;
}

const struct galaxy_cluster *
galaxy_cluster_by_tag(const struct galaxy_set *set, const char *tag_name)
{
	return set ? table_find(&set->by_tag, set, tag_name, false) : NULL;
}

const struct galaxy_cluster *
galaxy_cluster_by_uuid(const struct galaxy_set *set, const char *uuid)
{
	return set ? table_find(&set->by_uuid, set, uuid, true) : NULL;
}

const struct galaxy_cluster *
galaxy_cluster_by_id(const struct galaxy_set *set, int64_t id)
{
	size_t lo = 0, hi = set ? set->nclusters : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct galaxy_cluster *c =
			&set->clusters[set->by_id[mid]];

		if (c->id == id) {
			return c;
		}
		if (c->id < id) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

const struct galaxy *galaxy_of(const struct galaxy_set *set,
			       const struct galaxy_cluster *c)
{
	return &set->galaxies[set->collections[c->collection].galaxy];
}

int64_t galaxy_cluster_id(const struct galaxy_cluster *c)
{
	return c->id;
}

const char *galaxy_cluster_uuid(const struct galaxy_cluster *c)
{
	return c->uuid;
}

const char *galaxy_cluster_value(const struct galaxy_cluster *c)
{
	return c->value;
}

const char *galaxy_cluster_tag_name(const struct galaxy_cluster *c)
{
	return c->tag_name;
}

bool galaxy_cluster_matches(const struct galaxy_cluster *c, const char *text)
{
	if (str_contains_nocase(c->value, text)) {
		return true;
	}
	for (size_t i = 0; i < c->nsynonyms; i++) {
		if (str_contains_nocase(c->synonyms[i], text)) {
			return true;
		}
	}
	return false;
}

bool galaxy_matches(const struct galaxy *g, const char *text)
{
	return str_contains_nocase(g->name, text) ||
	       str_contains_nocase(g->type, text) ||
	       str_contains_nocase(g->namespace_name, text) ||
	       str_contains_nocase(g->description, text) ||
	       strcasecmp(g->uuid, text) == 0;
}

/* JSON shapes ------------------------------------------------------ */

/* MISP sends its integer columns as strings. */
static json_t *id_string(int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	return json_string(text);
}

static json_t *parsed_or(const char *text, json_t *fallback)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

	if (v) {
		json_decref(fallback);
		return v;
	}
	return fallback;
}

json_t *galaxy_json(const struct galaxy *g)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", id_string(g->id));
	json_object_set_new(o, "uuid", json_string(g->uuid));
	json_object_set_new(o, "name", json_string(g->name));
	json_object_set_new(o, "type", json_string(g->type));
	json_object_set_new(o, "description", json_string(g->description));
	json_object_set_new(o, "version", id_string(g->version));
	json_object_set_new(o, "icon", json_string(g->icon));
	json_object_set_new(o, "namespace", json_string(g->namespace_name));
	json_object_set_new(o, "enabled", json_true());
	json_object_set_new(o, "local_only", json_false());
	json_object_set_new(o, "kill_chain_order",
			    parsed_or(g->kill_chain_order, json_null()));
	return o;
}

/* The organisation MISP shows for clusters of the library (id 0). */
static json_t *library_org(void)
{
	return json_pack("{s:s, s:s, s:s, s:b}", "id", "0", "name", "MISP",
			 "uuid", "0", "local", 1);
}

/* The text of one meta value: a string as it is, anything else as JSON. */
static json_t *element_text(json_t *v)
{
	char *dumped;
	json_t *text;

	if (json_is_string(v)) {
		return json_incref(v);
	}
	dumped = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	text = json_string(dumped ? dumped : "");
	free(dumped);
	return text;
}

/* "GalaxyElement": one {key, value} per value of each meta key. */
static json_t *elements_json(const struct galaxy_cluster *c, json_t *meta)
{
	json_t *list = json_array();
	const char *key;
	json_t *value;

	json_object_foreach(meta, key, value) {
		json_t *values = json_is_array(value) ? value : NULL;
		size_t n = values ? json_array_size(values) : 1;

		for (size_t i = 0; i < n; i++) {
			json_t *v = values ? json_array_get(values, i) : value;
			json_t *text = element_text(v);

			json_array_append_new(
				list, json_pack("{s:o, s:s, s:o}",
						"galaxy_cluster_id",
						id_string(c->id), "key", key,
						"value", text));
		}
	}
	return list;
}

static json_t *relations_json(const struct galaxy_set *set,
			      const struct galaxy_cluster *c)
{
	json_t *related = parsed_or(c->related, json_array());
	json_t *list = json_array();
	size_t i;
	json_t *r;

	json_array_foreach(related, i, r) {
		const char *dest = libdir_string(r, "dest-uuid");
		const struct galaxy_cluster *target =
			galaxy_cluster_by_uuid(set, dest);
		json_t *tags = json_array(), *t;
		size_t k;

		json_array_foreach(json_object_get(r, "tags"), k, t) {
			if (json_is_string(t)) {
				json_array_append_new(
					tags, json_pack("{s:O}", "name", t));
			}
		}
		json_array_append_new(
			list,
			json_pack("{s:o, s:s, s:s, s:o, s:s, s:s, s:b, s:o}",
				  "galaxy_cluster_id", id_string(c->id),
				  "galaxy_cluster_uuid", c->uuid,
				  "referenced_galaxy_cluster_uuid",
				  dest ? dest : "",
				  "referenced_galaxy_cluster_id",
				  id_string(target ? target->id : 0),
				  "referenced_galaxy_cluster_type",
				  libdir_string(r, "type") ?: "",
				  "distribution", "3", "default", 1, "Tag",
				  tags));
	}
	json_decref(related);
	return list;
}

json_t *galaxy_cluster_json(const struct galaxy_set *set,
			    const struct galaxy_cluster *c, unsigned parts)
{
	const struct collection *col = &set->collections[c->collection];
	const struct galaxy *g = &set->galaxies[col->galaxy];
	json_t *o = json_object();

	json_object_set_new(o, "id", id_string(c->id));
	json_object_set_new(o, "uuid", json_string(c->uuid));
	json_object_set_new(o, "collection_uuid", json_string(col->uuid));
	json_object_set_new(o, "type", json_string(g->type));
	json_object_set_new(o, "value", json_string(c->value));
	json_object_set_new(o, "tag_name", json_string(c->tag_name));
	json_object_set_new(o, "description", json_string(c->description));
	json_object_set_new(o, "galaxy_id", id_string(g->id));
	json_object_set_new(o, "source", json_string(col->source));
	json_object_set_new(o, "authors",
			    parsed_or(col->authors, json_array()));
	json_object_set_new(o, "version", id_string(col->version));
	json_object_set_new(o, "distribution", json_string("3"));
	json_object_set_new(o, "sharing_group_id", json_null());
	json_object_set_new(o, "org_id", json_string("0"));
	json_object_set_new(o, "orgc_id", json_string("0"));
	json_object_set_new(o, "default", json_true());
	json_object_set_new(o, "locked", json_false());
	json_object_set_new(o, "extends_uuid", json_string(""));
	json_object_set_new(o, "extends_version", json_string("0"));
	json_object_set_new(o, "published", json_true());
	json_object_set_new(o, "deleted", json_false());
	if (parts & (GALAXY_PART_META | GALAXY_PART_ELEMENTS)) {
		json_t *meta = parsed_or(c->meta, json_object());

		if (parts & GALAXY_PART_ELEMENTS) {
			json_object_set_new(o, "GalaxyElement",
					    elements_json(c, meta));
		}
		if (parts & GALAXY_PART_META) {
			json_object_set(o, "meta", meta);
		}
		json_decref(meta);
	}
	if (parts & GALAXY_PART_RELATIONS) {
		json_object_set_new(o, "GalaxyClusterRelation",
				    relations_json(set, c));
	}
	if (parts & GALAXY_PART_ORGS) {
		json_object_set_new(o, "Org", library_org());
		json_object_set_new(o, "Orgc", library_org());
	}
	if (parts & GALAXY_PART_GALAXY) {
		json_object_set_new(o, "Galaxy", galaxy_json(g));
	}
	return o;
}

size_t galaxy_memory(const struct galaxy_set *set)
{
	if (!set) {
		return 0;
	}
	return set->memory + set->ngalaxies * sizeof(struct galaxy) +
	       set->ncollections * sizeof(struct collection) +
	       set->capclusters * sizeof(struct galaxy_cluster);
}
