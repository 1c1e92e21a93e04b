/*
 * The insides of a galaxy set, shared by galaxy.c (lookups and JSON
 * shapes) and galaxy_stream.c (the streaming reader of cluster files).
 * Nothing outside src/model/galaxy*.c and the unit tests includes it.
 */
#ifndef CAIRN_GALAXY_INTERNAL_H
#define CAIRN_GALAXY_INTERNAL_H

#include "model/galaxy.h"

struct galaxy {
	char *uuid, *name, *type, *description, *icon, *namespace_name;
	char *kill_chain_order; /* compact JSON or NULL */
	int64_t version, id;
};

/* Fields shared by the clusters of one cluster file. */
struct collection {
	char *uuid, *source, *authors; /* authors: compact JSON array */
	int64_t version;
	size_t galaxy;
};

struct galaxy_cluster {
	char *uuid, *value, *description, *tag_name, *key;
	char *meta, *related; /* compact JSON or NULL */
	char **synonyms;
	size_t nsynonyms, collection;
	int64_t id;
};

/* Open addressing over cluster indexes; slots hold index + 1, 0 empty. */
struct index_table {
	size_t *slots;
	size_t size; /* a power of two */
};

struct galaxy_set {
	struct galaxy *galaxies;
	size_t ngalaxies;
	struct collection *collections;
	size_t ncollections;
	struct galaxy_cluster *clusters;
	size_t nclusters, capclusters;
	struct index_table by_tag, by_uuid;
	size_t *by_id; /* cluster indexes sorted by id */
	size_t memory;
};

/* Returns the index of the galaxy of `type`, or set->ngalaxies. */
size_t galaxy_type_index(const struct galaxy_set *set, const char *type);

/* Makes room for `more` clusters; CAIRN_ENOMEM when it cannot. */
int galaxy_grow_clusters(struct galaxy_set *set, size_t more);

/* Reads one clusters/NAME.json file into the set: one collection and its
 * clusters, after the galaxies are loaded.  Fails with CAIRN_EINVAL and
 * the file named for invalid JSON, a type that no galaxy defines or a
 * cluster without value or uuid. */
int galaxy_load_cluster_file(struct galaxy_set *set, const char *path,
			     struct cairn_err *e);

#endif
