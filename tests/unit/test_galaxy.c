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
#include <sys/stat.h>

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

/* Writes FOLDER/SUB/NAME with `json` under a fresh temporary folder
 * kept in `dir`. */
static void write_file(const char *dir, const char *sub, const char *name,
		       const char *json)
{
	struct buf path = BUF_INIT;
	FILE *out;

	buf_printf(&path, "%s/%s", dir, sub);
	mkdir(buf_str(&path), 0700);
	buf_printf(&path, "/%s", name);
	out = fopen(buf_str(&path), "w");
	assert_non_null(out);
	fputs(json, out);
	fclose(out);
	buf_release(&path);
}

static void remove_dir(const char *dir)
{
	struct buf cmd = BUF_INIT;

	buf_printf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(buf_str(&cmd)), 0);
	buf_release(&cmd);
}

#define SMALL_GALAXY                                                           \
	"{\"uuid\": \"11111111-1111-4111-8111-111111111111\", \"name\": "     \
	"\"Small\", \"type\": \"small\", \"version\": 2}"

static void test_stream_meta_compacted(void **state)
{
	char dir[] = "/tmp/cairn-gal-XXXXXX";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct galaxy_set *set = NULL;
	const struct galaxy_cluster *c;
	json_t *o, *expected;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "galaxies", "small.json", SMALL_GALAXY);
	/* Spaces, a quote and a backslash inside strings must survive the
	 * compaction; white space between tokens must not matter. */
	write_file(dir, "clusters", "small.json",
		   "{ \"type\" : \"small\", \"uuid\": \"c0\", \"values\": [\n"
		   "  { \"value\": \"A \\\"quoted\\\" one\", \"uuid\": "
		   "\"22222222-2222-4222-8222-222222222222\",\n"
		   "    \"meta\": { \"synonyms\": [ \"first  name\", "
		   "\"back\\\\slash\" ],\n      \"refs\": [ \"x y\" ], "
		   "\"nested\": { \"k\": [1, 2.5, true, null] } },\n"
		   "    \"related\": [ { \"dest-uuid\": \"33\", \"type\": "
		   "\"similar\" } ] },\n"
		   "  { \"value\": \"plain\", \"uuid\": "
		   "\"44444444-4444-4444-8444-444444444444\" } ],\n"
		   "  \"version\": 7, \"authors\": [ \"Ann\", \"Bo\" ] }");
	assert_int_equal(galaxy_set_load(&set, dir, &e), 0);
	assert_int_equal(galaxy_cluster_total(set), 2);
	c = galaxy_cluster_by_tag(set,
				  "misp-galaxy:small=\"A \"quoted\" one\"");
	assert_non_null(c);
	assert_true(galaxy_cluster_matches(c, "FIRST  NAME"));
	assert_true(galaxy_cluster_matches(c, "back\\slash"));
	o = galaxy_cluster_json(set, c,
				GALAXY_PART_META | GALAXY_PART_RELATIONS);
	expected = json_loads("{\"synonyms\": [\"first  name\", "
			      "\"back\\\\slash\"], \"refs\": [\"x y\"], "
			      "\"nested\": {\"k\": [1, 2.5, true, null]}}",
			      0, NULL);
	assert_true(json_equal(json_object_get(o, "meta"), expected));
	assert_int_equal(json_array_size(json_object_get(
				 o, "GalaxyClusterRelation")),
			 1);
	assert_string_equal(json_string_value(json_object_get(o, "version")),
			    "7");
	assert_int_equal(json_array_size(json_object_get(o, "authors")), 2);
	json_decref(expected);
	json_decref(o);
	c = galaxy_cluster_by_tag(set, "misp-galaxy:small=\"plain\"");
	assert_non_null(c);
	o = galaxy_cluster_json(set, c, GALAXY_PART_META);
	assert_int_equal(json_object_size(json_object_get(o, "meta")), 0);
	json_decref(o);
	galaxy_set_free(set);
	remove_dir(dir);
	cairn_err_release(&e);
}

static void test_stream_errors(void **state)
{
	static const struct {
		const char *json;
		const char *message;
	} cases[] = {
		{"{\"type\": \"small\", \"values\": [", "invalid JSON"},
		{"{\"type\": \"other\", \"values\": []}", "'type'"},
		{"{\"type\": \"small\", \"values\": [{\"uuid\": \"u\"}]}",
		 "invalid cluster 0"},
		{"{\"type\": \"small\", \"values\": [{\"value\": \"v\", "
		 "\"uuid\": \"u\"}, {\"value\": \"w\"}]}",
		 "invalid cluster 1"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[] = "/tmp/cairn-gal-XXXXXX";
		struct cairn_err e = CAIRN_ERR_INIT;
		struct galaxy_set *set = NULL;

		assert_non_null(mkdtemp(dir));
		write_file(dir, "galaxies", "small.json", SMALL_GALAXY);
		write_file(dir, "clusters", "small.json", cases[i].json);
		assert_int_equal(galaxy_set_load(&set, dir, &e), CAIRN_EINVAL);
		assert_null(set);
		assert_non_null(strstr(buf_str(&e.message), cases[i].message));
		assert_non_null(strstr(buf_str(&e.message), "small.json"));
		remove_dir(dir);
		cairn_err_release(&e);
	}
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

	const struct CMUnitTest own_folders[] = {
		cmocka_unit_test(test_stream_meta_compacted),
		cmocka_unit_test(test_stream_errors),
	};
	int failed = cmocka_run_group_tests(tests, setup, teardown);

	return failed + cmocka_run_group_tests(own_folders, NULL, NULL);
}
