/*
 * Tests of the taxonomy set against the real misp-taxonomies folder in the
 * shared test data ($CAIRN_SHARED_DATA or ../shared/data), and of the
 * exclusivity rule on small hand-written taxonomies.
 */
#include "core/buf.h"
#include "model/taxonomy.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const char *shared_data(void)
{
	const char *dir = getenv("CAIRN_SHARED_DATA");

	return dir && *dir ? dir : "../shared/data";
}

static struct taxonomy_set *load_shared(void)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf dir = BUF_INIT;
	struct taxonomy_set *set = NULL;
	int rc;

	buf_printf(&dir, "%s/taxonomies", shared_data());
	rc = taxonomy_set_load(&set, buf_str(&dir), &e);
	if (rc < 0) {
		fprintf(stderr, "load failed: %s\n", buf_str(&e.message));
	}
	assert_int_equal(rc, 0);
	buf_release(&dir);
	cairn_err_release(&e);
	return set;
}

static void test_load_all_shared(void **state)
{
	struct taxonomy_set *set = load_shared();

	(void)state;
	assert_int_equal(taxonomy_count(set), 183);
	assert_true(taxonomy_entry_total(set) > 10000);
	for (size_t i = 1; i < taxonomy_count(set); i++) {
		assert_true(taxonomy_id(taxonomy_at(set, i)) >
			    taxonomy_id(taxonomy_at(set, i - 1)));
		assert_false(taxonomy_enabled(taxonomy_at(set, i)));
	}
	taxonomy_set_free(set);
}

static void test_lookup_predicate_tag(void **state)
{
	struct taxonomy_set *set = load_shared();
	struct taxonomy_entry en;
	const struct taxonomy *t = taxonomy_lookup(set, "tlp:amber", &en);

	(void)state;
	assert_non_null(t);
	assert_string_equal(taxonomy_namespace(t), "tlp");
	assert_true(taxonomy_exclusive(t));
	assert_string_equal(en.tag, "tlp:amber");
	assert_string_equal(en.colour, "#FFC000");
	assert_true(en.has_colour);
	assert_false(en.is_value);
	/* Namespace and predicate compare without case. */
	assert_ptr_equal(taxonomy_lookup(set, "TLP:Amber", &en), t);
	assert_null(taxonomy_lookup(set, "tlp:purple", &en));
	assert_null(taxonomy_lookup(set, "nosuchnamespace:amber", &en));
	assert_null(taxonomy_lookup(set, "tlp", &en));
	assert_true(taxonomy_namespace_known(set, "tlp:purple"));
	assert_true(taxonomy_namespace_known(set, "TLP:ex:chr"));
	assert_false(taxonomy_namespace_known(set, "tlpx:amber"));
	assert_false(taxonomy_namespace_known(set, "tlp"));
	taxonomy_set_free(set);
}

static void test_lookup_value_tag(void **state)
{
	struct taxonomy_set *set = load_shared();
	struct taxonomy_entry en;
	const struct taxonomy *t = taxonomy_lookup(
		set, "admiralty-scale:source-reliability=\"a\"", &en);

	(void)state;
	assert_non_null(t);
	assert_string_equal(taxonomy_namespace(t), "admiralty-scale");
	assert_true(en.is_value);
	assert_true(en.exclusive_predicate);
	assert_string_equal(en.tag, "admiralty-scale:source-reliability=\"a\"");
	assert_non_null(strstr(en.expanded, ": "));
	/* Entries without a colour of their own get a palette colour. */
	assert_int_equal(strlen(en.colour), 7);
	assert_int_equal(en.colour[0], '#');
	assert_null(taxonomy_lookup(
		set, "admiralty-scale:source-reliability=\"z\"", &en));
	assert_null(taxonomy_lookup(
		set, "admiralty-scale:source-reliability=\"a", &en));
	taxonomy_set_free(set);
}

static void test_find_by_id_and_namespace(void **state)
{
	struct taxonomy_set *set = load_shared();
	const struct taxonomy *t = taxonomy_find(set, "PAP");

	(void)state;
	assert_non_null(t);
	assert_ptr_equal(taxonomy_by_id(set, taxonomy_id(t)), t);
	taxonomy_set_id(t, 9000);
	assert_ptr_equal(taxonomy_by_id(set, 9000), t);
	assert_null(taxonomy_find(set, "PA"));
	assert_null(taxonomy_by_id(set, 123456));
	taxonomy_set_enabled(t, true);
	assert_true(taxonomy_enabled(t));
	taxonomy_set_free(set);
}

/* Runs the exclusivity check on a list; returns its result and leaves
 * the message in `e`. */
static int check(struct taxonomy_set *set, const char *const *names,
		 size_t n, struct cairn_err *e)
{
	size_t a = 99, b = 99;

	cairn_err_clear(e);
	return taxonomy_check_exclusive(set, names, n, 0, &a, &b, e);
}

static void test_exclusive_taxonomy(void **state)
{
	struct taxonomy_set *set = load_shared();
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *two_tlp[] = {"tlp:amber", "osint:source-type=\"blog-post\"",
				 "tlp:red"};
	const char *same_twice[] = {"tlp:amber", "TLP:AMBER"};
	const char *white_clear[] = {"tlp:white", "tlp:clear"};
	size_t a = 0, b = 0;

	(void)state;
	assert_int_equal(
		taxonomy_check_exclusive(set, two_tlp, 3, 0, &a, &b, &e),
		CAIRN_EINVAL);
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
	assert_non_null(strstr(buf_str(&e.message), "'tlp:amber'"));
	assert_non_null(strstr(buf_str(&e.message), "'tlp:red'"));
	assert_non_null(strstr(buf_str(&e.message), "taxonomy 'tlp'"));
	assert_int_equal(check(set, same_twice, 2, &e), 0);
	assert_int_equal(check(set, white_clear, 2, &e), 0);
	cairn_err_release(&e);
	taxonomy_set_free(set);
}

static void test_exclusive_skips_stored_pairs(void **state)
{
	struct taxonomy_set *set = load_shared();
	struct cairn_err e = CAIRN_ERR_INIT;
	/* Two stored tags that conflict, then one new tag. */
	const char *names[] = {"tlp:amber", "tlp:red", "PAP:GREEN",
			       "PAP:RED"};
	size_t a = 0, b = 0;

	(void)state;
	assert_int_equal(
		taxonomy_check_exclusive(set, names, 3, 2, &a, &b, &e), 0);
	assert_int_equal(
		taxonomy_check_exclusive(set, names, 4, 2, &a, &b, &e),
		CAIRN_EINVAL);
	assert_int_equal(a, 2);
	assert_int_equal(b, 3);
	cairn_err_clear(&e);
	/* A new tag against a stored one is still a conflict. */
	assert_int_equal(
		taxonomy_check_exclusive(set, names, 2, 1, &a, &b, &e),
		CAIRN_EINVAL);
	assert_int_equal(b, 1);
	cairn_err_release(&e);
	taxonomy_set_free(set);
}

static void test_exclusive_predicate(void **state)
{
	struct taxonomy_set *set = load_shared();
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *two_values[] = {
		"admiralty-scale:source-reliability=\"a\"",
		"admiralty-scale:source-reliability=\"b\""};
	const char *two_predicates[] = {
		"admiralty-scale:source-reliability=\"a\"",
		"admiralty-scale:information-credibility=\"1\""};
	const char *not_exclusive[] = {
		"osint:source-type=\"blog-post\"",
		"osint:source-type=\"technical-report\""};
	const char *unknown[] = {"mine:a=\"1\"", "mine:a=\"2\"", "plain",
				 "plain2"};

	(void)state;
	assert_int_equal(check(set, two_values, 2, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "source-reliability"));
	assert_non_null(strstr(buf_str(&e.message), "admiralty-scale"));
	assert_int_equal(check(set, two_predicates, 2, &e), 0);
	assert_int_equal(check(set, not_exclusive, 2, &e), 0);
	assert_int_equal(check(set, unknown, 4, &e), 0);
	cairn_err_release(&e);
	taxonomy_set_free(set);
}

/* A folder with one small taxonomy written by the test. */
static void write_taxonomy(const char *dir, const char *name,
			   const char *json)
{
	struct buf path = BUF_INIT;
	FILE *out;

	buf_printf(&path, "%s/%s", dir, name);
	assert_int_equal(mkdir(buf_str(&path), 0700), 0);
	buf_adds(&path, "/machinetag.json");
	out = fopen(buf_str(&path), "w");
	assert_non_null(out);
	fputs(json, out);
	fclose(out);
	buf_release(&path);
}

static void test_load_errors(void **state)
{
	char dir[] = "/tmp/cairn-tax-XXXXXX";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct taxonomy_set *set = NULL;
	struct buf cmd = BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_taxonomy(dir, "broken", "{\"namespace\": ");
	assert_int_equal(taxonomy_set_load(&set, dir, &e), CAIRN_EINVAL);
	assert_null(set);
	assert_non_null(strstr(buf_str(&e.message), "broken/machinetag.json"));
	buf_printf(&cmd, "rm -rf '%s/broken'", dir);
	assert_int_equal(system(buf_str(&cmd)), 0);

	cairn_err_clear(&e);
	write_taxonomy(dir, "nopred", "{\"namespace\": \"x\"}");
	assert_int_equal(taxonomy_set_load(&set, dir, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "predicates"));

	buf_clear(&cmd);
	buf_printf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(buf_str(&cmd)), 0);
	buf_release(&cmd);
	cairn_err_release(&e);
}

static void test_exclusive_whole_taxonomy_values(void **state)
{
	char dir[] = "/tmp/cairn-tax-XXXXXX";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct taxonomy_set *set = NULL;
	struct buf cmd = BUF_INIT;
	const char *same_predicate[] = {"ex:p=\"a\"", "ex:p=\"b\""};
	const char *other_predicate[] = {"ex:p=\"a\"", "ex:q"};

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_taxonomy(dir, "ex",
		       "{\"namespace\": \"ex\", \"exclusive\": true, "
		       "\"predicates\": [{\"value\": \"p\"}, {\"value\": "
		       "\"q\", \"colour\": \"#123456\"}], \"values\": "
		       "[{\"predicate\": \"p\", \"entry\": [{\"value\": \"a\","
		       " \"numerical_value\": 3}, {\"value\": \"b\"}]}]}");
	assert_int_equal(taxonomy_set_load(&set, dir, &e), 0);
	assert_int_equal(taxonomy_count(set), 1);
	assert_int_equal(taxonomy_entry_count(taxonomy_at(set, 0)), 3);
	assert_int_equal(check(set, same_predicate, 2, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "taxonomy 'ex'"));
	/* MISP compares value tags by namespace and predicate, so a tag of
	 * another predicate does not conflict. */
	assert_int_equal(check(set, other_predicate, 2, &e), 0);
	{
		struct taxonomy_entry en;

		assert_non_null(taxonomy_lookup(set, "ex:p=\"a\"", &en));
		assert_true(en.has_numerical_value);
		assert_int_equal(en.numerical_value, 3);
		assert_non_null(taxonomy_lookup(set, "ex:q", &en));
		assert_string_equal(en.colour, "#123456");
	}
	taxonomy_set_free(set);
	buf_printf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(buf_str(&cmd)), 0);
	buf_release(&cmd);
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_all_shared),
		cmocka_unit_test(test_lookup_predicate_tag),
		cmocka_unit_test(test_lookup_value_tag),
		cmocka_unit_test(test_find_by_id_and_namespace),
		cmocka_unit_test(test_exclusive_taxonomy),
		cmocka_unit_test(test_exclusive_predicate),
		cmocka_unit_test(test_exclusive_skips_stored_pairs),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_exclusive_whole_taxonomy_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
