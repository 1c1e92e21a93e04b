/*
 * Galaxies and their clusters, from MISP's misp-galaxy folder:
 * galaxies/NAME.json defines a galaxy, clusters/NAME.json contains the
 * clusters of the galaxy with the same "type".
 *
 * A cluster is found by its tag name (misp-galaxy:TYPE="VALUE", without
 * regard to case), by uuid or by id, and searched by value or synonym.
 * The set renders galaxies and clusters as MISP 2.5 shows them, with the
 * fields that clusters from the library have there (default true,
 * distribution 3, organisation 0).
 *
 * After galaxy_set_load() the set is read-only; galaxy_set_ids() is
 * called once before worker threads share it.
 */
#ifndef CAIRN_GALAXY_H
#define CAIRN_GALAXY_H

#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct galaxy_set;
struct galaxy;
struct galaxy_cluster;

/* Loads DIR/galaxies/ *.json and DIR/clusters/ *.json, in file-name order,
 * with ids 1, 2, ... until galaxy_set_ids() gives stored ones.  A file
 * that is not valid JSON, a galaxy without uuid or type, a cluster file
 * whose type has no galaxy and a cluster without value fail the load with
 * the file named.  The caller frees *out. */
int galaxy_set_load(struct galaxy_set **out, const char *dir,
		    struct cairn_err *e);
void galaxy_set_free(struct galaxy_set *set);

size_t galaxy_count(const struct galaxy_set *set);
const struct galaxy *galaxy_at(const struct galaxy_set *set, size_t index);
const struct galaxy *galaxy_by_id(const struct galaxy_set *set, int64_t id);
const char *galaxy_uuid(const struct galaxy *g);
int64_t galaxy_id(const struct galaxy *g);

size_t galaxy_cluster_total(const struct galaxy_set *set);
const struct galaxy_cluster *galaxy_cluster_at(const struct galaxy_set *set,
					       size_t index);
/* The key under which a cluster's id is stored: "TYPE/UUID", because
 * some clusters of the library share a uuid across galaxies. */
const char *galaxy_cluster_key(const struct galaxy_cluster *c);

/* Replaces the ids: gids[i] for galaxy i, cids[i] for cluster i. */
void galaxy_set_ids(struct galaxy_set *set, const int64_t *gids,
		    const int64_t *cids);

const struct galaxy_cluster *
galaxy_cluster_by_tag(const struct galaxy_set *set, const char *tag_name);
const struct galaxy_cluster *
galaxy_cluster_by_uuid(const struct galaxy_set *set, const char *uuid);
const struct galaxy_cluster *
galaxy_cluster_by_id(const struct galaxy_set *set, int64_t id);

const struct galaxy *galaxy_of(const struct galaxy_set *set,
			       const struct galaxy_cluster *c);
int64_t galaxy_cluster_id(const struct galaxy_cluster *c);
const char *galaxy_cluster_uuid(const struct galaxy_cluster *c);
const char *galaxy_cluster_value(const struct galaxy_cluster *c);
const char *galaxy_cluster_tag_name(const struct galaxy_cluster *c);

/* Whether the cluster's value or one of its synonyms contains `text`,
 * without regard to ASCII case. */
bool galaxy_cluster_matches(const struct galaxy_cluster *c, const char *text);

/* Whether the galaxy's name, type, namespace, description or uuid
 * contains `text`, without regard to ASCII case. */
bool galaxy_matches(const struct galaxy *g, const char *text);

/* The galaxy's fields, as MISP's Galaxy object.  New reference. */
json_t *galaxy_json(const struct galaxy *g);

enum galaxy_cluster_part {
	GALAXY_PART_META = 1 << 0,      /* "meta": {key: [values]} */
	GALAXY_PART_ELEMENTS = 1 << 1,  /* "GalaxyElement": [{key, value}] */
	GALAXY_PART_RELATIONS = 1 << 2, /* "GalaxyClusterRelation": [...] */
	GALAXY_PART_GALAXY = 1 << 3,    /* "Galaxy": {...} */
	GALAXY_PART_ORGS = 1 << 4,      /* "Org" and "Orgc" */
};

/* The cluster's fields, as MISP's GalaxyCluster object, with the parts
 * asked for.  New reference, or NULL when out of memory. */
json_t *galaxy_cluster_json(const struct galaxy_set *set,
			    const struct galaxy_cluster *c, unsigned parts);

size_t galaxy_memory(const struct galaxy_set *set);

#endif
