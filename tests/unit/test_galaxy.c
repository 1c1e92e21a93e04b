/*
 * Tests of the galaxy set against the real misp-galaxy folder in the
 * shared test data ($CAIRN_SHARED_DATA or ../shared/data): loading,
 * lookups by tag name, uuid and id, search by synonym, and the MISP JSON
 * shapes.  The folder is loaded once for all tests, because it is large.
 */
#include "core/buf.h"
#include "model/galaxy.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define APT28_TAG "misp-galaxy:threat-actor=\"APT28\""

static int setup(void **state)
{
	const char *shared = getenv("CAIRN_SHARED_DATA");
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf dir = BUF_INIT;
	struct galaxy_set *set = NULL;
	int rc;

	buf_printf(&dir, "%s/galaxies",
		   shared && *shared ? shared : "../shared/data");
	rc = galaxy_set_load(&set, buf_str(&dir), &e);
	if (rc < 0) {
		fprintf(stderr, "load failed: %s\n", buf_str(&e.message));
	}
	buf_release(&dir);
	cairn_err_release(&e);
	*state = set;
	return rc;
}

static int teardown(void **state)
{
	galaxy_set_free(*state);
	return 0;
}

static void test_load_all_shared(void **state)
{
	struct galaxy_set *set = *state;

	assert_int_equal(galaxy_count(set), 131);
	assert_true(galaxy_cluster_total(set) > 30000);
	assert_true(galaxy_memory(set) > 0);
}

static void test_lookup_by_tag(void **state)
{
	struct galaxy_set *set = *state;
	const struct galaxy_cluster *c = galaxy_cluster_by_tag(set, APT28_TAG);

	assert_non_null(c);
	assert_string_equal(galaxy_cluster_value(c), "APT28");
	assert_string_equal(galaxy_cluster_tag_name(c), APT28_TAG);
	/* Tag names compare without case, as MISP's tags do. */
	assert_ptr_equal(galaxy_cluster_by_tag(
				 set, "MISP-GALAXY:threat-actor=\"apt28\""),
			 c);
	assert_null(galaxy_cluster_by_tag(
		set, "misp-galaxy:threat-actor=\"No Such Actor\""));
	assert_null(galaxy_cluster_by_tag(set, "tlp:amber"));
}

static void test_lookup_by_uuid_and_id(void **state)
{
	struct galaxy_set *set = *state;
	const struct galaxy_cluster *c = galaxy_cluster_by_tag(set, APT28_TAG);

	assert_non_null(c);
	assert_ptr_equal(galaxy_cluster_by_uuid(set, galaxy_cluster_uuid(c)),
			 c);
	assert_ptr_equal(galaxy_cluster_by_id(set, galaxy_cluster_id(c)), c);
	assert_null(galaxy_cluster_by_id(set, 0));
	assert_null(galaxy_cluster_by_uuid(
		set, "00000000-0000-4000-8000-000000000000"));
	assert_string_equal(
		galaxy_uuid(galaxy_of(set, c)),
		"698774c7-8022-42c4-917f-8d6e4f06ada3"); /* Threat Actor */
}

static void test_ids_replaced(void **state)
{
	struct galaxy_set *set = *state;
	size_t ng = galaxy_count(set), nc = galaxy_cluster_total(set);
	int64_t *gids = calloc(ng, sizeof(*gids));
	int64_t *cids = calloc(nc, sizeof(*cids));
	const struct galaxy_cluster *c = galaxy_cluster_by_tag(set, APT28_TAG);

	assert_non_null(gids);
	assert_non_null(cids);
	for (size_t i = 0; i < ng; i++) {
		gids[i] = 1000 + (int64_t)(ng - i);
	}
	/* Ids in reverse load order, so the id index must be re-sorted. */
	for (size_t i = 0; i < nc; i++) {
		cids[i] = 5 * (int64_t)(nc - i);
	}
	galaxy_set_ids(set, gids, cids);
	for (size_t i = 0; i < nc; i += 997) {
		const struct galaxy_cluster *k = galaxy_cluster_at(set, i);

		assert_ptr_equal(galaxy_cluster_by_id(set, cids[i]), k);
	}
	assert_ptr_equal(galaxy_by_id(set, gids[3]), galaxy_at(set, 3));
	assert_int_equal(galaxy_cluster_id(c) % 5, 0);
	assert_null(galaxy_cluster_by_id(set, 7));
	free(gids);
	free(cids);
}

static void test_search_by_synonym(void **state)
{
	struct galaxy_set *set = *state;
	const struct galaxy_cluster *c = galaxy_cluster_by_tag(set, APT28_TAG);

	assert_true(galaxy_cluster_matches(c, "apt28"));
	assert_true(galaxy_cluster_matches(c, "fancy bear")); /* synonym */
	assert_true(galaxy_cluster_matches(c, "SEDNIT"));
	assert_false(galaxy_cluster_matches(c, "lazarus"));
	assert_true(galaxy_matches(galaxy_of(set, c), "threat actor"));
	assert_false(galaxy_matches(galaxy_of(set, c), "no such galaxy"));
}

static void test_cluster_json_shape(void **state)
{
	struct galaxy_set *set = *state;
	const struct galaxy_cluster *c = galaxy_cluster_by_tag(set, APT28_TAG);
	json_t *o = galaxy_cluster_json(set, c,
					GALAXY_PART_META |
						GALAXY_PART_ELEMENTS |
						GALAXY_PART_RELATIONS |
						GALAXY_PART_GALAXY);
	json_t *meta, *elements, *relations;

	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "value")),
			    "APT28");
	assert_string_equal(json_string_value(json_object_get(o, "tag_name")),
			    APT28_TAG);
	assert_true(json_is_string(json_object_get(o, "id")));
	assert_true(json_is_true(json_object_get(o, "default")));
	meta = json_object_get(o, "meta");
	assert_true(json_is_array(json_object_get(meta, "synonyms")));
	elements = json_object_get(o, "GalaxyElement");
	assert_true(json_array_size(elements) > 5);
	assert_non_null(json_object_get(json_array_get(elements, 0), "key"));
	relations = json_object_get(o, "GalaxyClusterRelation");
	assert_true(json_is_array(relations));
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(o, "Galaxy"), "type")),
		"threat-actor");
	json_decref(o);
}

static void test_galaxy_json_shape(void **state)
{
	struct galaxy_set *set = *state;
	json_t *o = galaxy_json(galaxy_at(set, 0));

	assert_true(json_is_string(json_object_get(o, "id")));
	assert_true(json_is_string(json_object_get(o, "uuid")));
	assert_true(json_is_string(json_object_get(o, "type")));
	assert_true(json_is_string(json_object_get(o, "version")));
	assert_true(json_is_true(json_object_get(o, "enabled")));
	json_decref(o);
}

static void test_load_missing_folder(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct galaxy_set *set = NULL;

	(void)state;
	assert_int_equal(galaxy_set_load(&set, "/nonexistent-cairn", &e),
			 CAIRN_EIO);
	assert_null(set);
	assert_non_null(strstr(buf_str(&e.message), "/nonexistent-cairn"));
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_all_shared),
		cmocka_unit_test(test_lookup_by_tag),
		cmocka_unit_test(test_lookup_by_uuid_and_id),
		cmocka_unit_test(test_search_by_synonym),
		cmocka_unit_test(test_cluster_json_shape),
		cmocka_unit_test(test_galaxy_json_shape),
		cmocka_unit_test(test_ids_replaced),
		cmocka_unit_test(test_load_missing_folder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
