/*
 * Loading taxonomies, galaxies and object templates at start.  Ids come
 * from the store (store_library_ids), so an item keeps its id across
 * restarts and library updates; the enabled state of taxonomies too.
 */
#include "api/library_refs.h"
#include "core/log.h"

#include <stdlib.h>
#include <time.h>

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Fetches the stored ids of `count` keys of `kind` into a new array. */
static int fetch_ids(struct store *s, const char *kind, const char **keys,
		     size_t count, int64_t **ids, struct cairn_err *e)
{
	*ids = calloc(count + 1, sizeof(**ids));
	if (!*ids) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory assigning %s ids", kind);
	}
	return store_library_ids(s, kind, keys, count, *ids, e);
}

static int apply_taxonomy_state(void *ctx, const char *ns, bool enabled)
{
	const struct taxonomy *t = taxonomy_find(ctx, ns);

	/* A namespace whose taxonomy left the folder keeps its row, so the
	 * state returns with the taxonomy. */
	if (t) {
		taxonomy_set_enabled(t, enabled);
	}
	return 0;
}

static int taxonomy_ids(struct taxonomy_set *set, struct store *s,
			struct cairn_err *e)
{
	size_t n = taxonomy_count(set);
	const char **keys = calloc(n + 1, sizeof(*keys));
	int64_t *ids = NULL;
	int rc;

	if (!keys) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory assigning taxonomy ids");
	}
	for (size_t i = 0; i < n; i++) {
		keys[i] = taxonomy_namespace(taxonomy_at(set, i));
	}
	rc = fetch_ids(s, "taxonomy", keys, n, &ids, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		taxonomy_set_id(taxonomy_at(set, i), ids[i]);
	}
	free(keys);
	free(ids);
	return rc;
}

int library_load_taxonomies(struct library *lib, const char *dir,
			    struct store *s, struct cairn_err *e)
{
	struct timespec start;
	size_t enabled = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = taxonomy_set_load(&lib->taxonomies, dir, e);
	if (rc == 0) {
		rc = taxonomy_ids(lib->taxonomies, s, e);
	}
	if (rc == 0) {
		rc = store_taxonomy_state_each(s, apply_taxonomy_state,
					       lib->taxonomies, e);
	}
	if (rc < 0) {
		return rc;
	}
	for (size_t i = 0; i < taxonomy_count(lib->taxonomies); i++) {
		enabled += taxonomy_enabled(taxonomy_at(lib->taxonomies, i));
	}
	log_info("loaded %zu taxonomies (%zu enabled) with %zu tags from "
		 "'%s' in %.0f ms; they take %.1f MB",
		 taxonomy_count(lib->taxonomies), enabled,
		 taxonomy_entry_total(lib->taxonomies), dir,
		 elapsed_ms(&start),
		 (double)taxonomy_memory(lib->taxonomies) / 1e6);
	return 0;
}

static int galaxy_ids(struct galaxy_set *set, struct store *s,
		      struct cairn_err *e)
{
	size_t ng = galaxy_count(set), nc = galaxy_cluster_total(set);
	size_t n = ng > nc ? ng : nc;
	const char **keys = calloc(n + 1, sizeof(*keys));
	int64_t *gids = NULL, *cids = NULL;
	int rc = 0;

	if (!keys) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory assigning galaxy ids");
	}
	for (size_t i = 0; i < ng; i++) {
		keys[i] = galaxy_uuid(galaxy_at(set, i));
	}
	rc = fetch_ids(s, "galaxy", keys, ng, &gids, e);
	for (size_t i = 0; rc == 0 && i < nc; i++) {
		keys[i] = galaxy_cluster_key(galaxy_cluster_at(set, i));
	}
	if (rc == 0) {
		rc = fetch_ids(s, "cluster", keys, nc, &cids, e);
	}
	if (rc == 0) {
		galaxy_set_ids(set, gids, cids);
	}
	free(keys);
	free(gids);
	free(cids);
	return rc;
}

int library_load_galaxies(struct library *lib, const char *dir,
			  struct store *s, struct cairn_err *e)
{
	struct timespec start;
	double parse_ms;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = galaxy_set_load(&lib->galaxies, dir, e);
	parse_ms = elapsed_ms(&start);
	if (rc == 0) {
		rc = galaxy_ids(lib->galaxies, s, e);
	}
	if (rc < 0) {
		return rc;
	}
	log_info("loaded %zu galaxies with %zu clusters from '%s' in %.0f ms "
		 "(%.0f ms reading the files); they take %.1f MB",
		 galaxy_count(lib->galaxies),
		 galaxy_cluster_total(lib->galaxies), dir, elapsed_ms(&start),
		 parse_ms, (double)galaxy_memory(lib->galaxies) / 1e6);
	return 0;
}

int library_load_object_templates(struct library *lib, const char *dir,
				  struct store *s, struct cairn_err *e)
{
	struct object_template_set *set;
	struct timespec start;
	const char **keys;
	int64_t *ids = NULL;
	size_t n;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = object_template_set_load(&lib->templates, dir, e);
	if (rc < 0) {
		return rc;
	}
	set = lib->templates;
	n = object_template_count(set);
	keys = calloc(n + 1, sizeof(*keys));
	if (!keys) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory assigning template ids");
	}
	for (size_t i = 0; i < n; i++) {
		keys[i] = object_template_uuid(object_template_at(set, i));
	}
	rc = fetch_ids(s, "object_template", keys, n, &ids, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		object_template_set_id(object_template_at(set, i), ids[i]);
	}
	free(keys);
	free(ids);
	if (rc < 0) {
		return rc;
	}
	log_info("loaded %zu object templates from '%s' in %.0f ms; they "
		 "take %.1f MB",
		 n, dir, elapsed_ms(&start),
		 (double)object_template_memory(set) / 1e6);
	return 0;
}
