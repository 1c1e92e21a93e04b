/*
 * Tests of the object templates against the real misp-objects folder in
 * the shared test data ($CAIRN_SHARED_DATA or ../shared/data): loading,
 * lookups, and the template check with its failure messages.
 */
#include "core/buf.h"
#include "model/object_template.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define FILE_UUID "688c46fb-5edb-40a3-8273-1af7923e2215"

static int setup(void **state)
{
	const char *shared = getenv("CAIRN_SHARED_DATA");
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf dir = BUF_INIT;
	struct object_template_set *set = NULL;
	int rc;

	buf_printf(&dir, "%s/objects",
		   shared && *shared ? shared : "../shared/data");
	rc = object_template_set_load(&set, buf_str(&dir), &e);
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
	object_template_set_free(*state);
	return 0;
}

static void test_load_all_shared(void **state)
{
	struct object_template_set *set = *state;

	assert_int_equal(object_template_count(set), 424);
	for (size_t i = 0; i < object_template_count(set); i++) {
		const struct object_template *t = object_template_at(set, i);

		assert_int_equal(object_template_id(t), (int64_t)i + 1);
		assert_non_null(object_template_json(t));
	}
}

static void test_find_by_uuid_name_id(void **state)
{
	struct object_template_set *set = *state;
	const struct object_template *t =
		object_template_find(set, NULL, "file");

	assert_non_null(t);
	assert_string_equal(object_template_uuid(t), FILE_UUID);
	assert_ptr_equal(object_template_find(set, FILE_UUID, NULL), t);
	assert_ptr_equal(object_template_find(
				 set, "688C46FB-5EDB-40A3-8273-1AF7923E2215",
				 "other"),
			 t);
	assert_ptr_equal(object_template_by_id(set, object_template_id(t)),
			 t);
	assert_true(object_template_version(t) >= 25);
	assert_null(object_template_find(set, NULL, "no-such-object"));
}

/* Runs the check of template `name` over `n` attributes. */
static int validate(struct object_template_set *set, const char *name,
		    const struct object_attribute_ref *attrs, size_t n,
		    size_t *index, struct cairn_err *e)
{
	const struct object_template *t =
		object_template_find(set, NULL, name);

	assert_non_null(t);
	cairn_err_clear(e);
	return object_template_validate(t, attrs, n, index, e);
}

static void test_valid_objects(void **state)
{
	struct object_template_set *set = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct object_attribute_ref file[] = {
		{"filename", "filename"},
		{"md5", "md5"},
		{"filename", "filename"}, /* filename is "multiple" */
		{"custom-relation", "text"}, /* not in the template */
	};
	const struct object_attribute_ref domain_ip[] = {
		{"domain", "domain"},
		{"ip", "ip-dst"},
	};
	size_t index = 99;

	assert_int_equal(validate(set, "file", file, 4, &index, &e), 0);
	assert_int_equal(validate(set, "domain-ip", domain_ip, 2, &index, &e),
			 0);
	cairn_err_release(&e);
}

static void test_required_one_of_missing(void **state)
{
	struct object_template_set *set = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct object_attribute_ref only_text[] = {
		{"text", "text"},
	};
	size_t index = 99;

	assert_int_equal(validate(set, "file", only_text, 1, &index, &e),
			 CAIRN_EINVAL);
	assert_int_equal(index, 1); /* about the object, not an attribute */
	assert_non_null(strstr(buf_str(&e.message), "'filename'"));
	assert_non_null(strstr(buf_str(&e.message), "at least one"));
	assert_int_equal(validate(set, "file", NULL, 0, &index, &e),
			 CAIRN_EINVAL);
	cairn_err_release(&e);
}

static void test_required_missing(void **state)
{
	struct object_template_set *set = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct object_template *t = NULL;
	size_t index = 99;

	/* Find a template with a "required" list and leave it empty. */
	for (size_t i = 0; i < object_template_count(set); i++) {
		const char *json =
			object_template_json(object_template_at(set, i));

		if (strstr(json, "\"required\":[\"")) {
			t = object_template_at(set, i);
			break;
		}
	}
	assert_non_null(t);
	assert_int_equal(object_template_validate(t, NULL, 0, &index, &e),
			 CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "required relation"));
	assert_non_null(strstr(buf_str(&e.message), object_template_name(t)));
	cairn_err_release(&e);
}

static void test_wrong_type(void **state)
{
	struct object_template_set *set = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct object_attribute_ref attrs[] = {
		{"filename", "filename"},
		{"md5", "sha1"},
	};
	size_t index = 99;

	assert_int_equal(validate(set, "file", attrs, 2, &index, &e),
			 CAIRN_EINVAL);
	assert_int_equal(index, 1);
	assert_non_null(strstr(buf_str(&e.message), "relation 'md5'"));
	assert_non_null(strstr(buf_str(&e.message), "type 'md5'"));
	assert_non_null(strstr(buf_str(&e.message), "'sha1'"));
	cairn_err_release(&e);
}

static void test_repeated_single_relation(void **state)
{
	struct object_template_set *set = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct object_attribute_ref attrs[] = {
		{"md5", "md5"},
		{"md5", "md5"},
	};
	size_t index = 99;

	assert_int_equal(validate(set, "file", attrs, 2, &index, &e),
			 CAIRN_EINVAL);
	assert_int_equal(index, 1);
	assert_non_null(strstr(buf_str(&e.message), "'md5'"));
	assert_non_null(strstr(buf_str(&e.message), "multiple"));
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_all_shared),
		cmocka_unit_test(test_find_by_uuid_name_id),
		cmocka_unit_test(test_valid_objects),
		cmocka_unit_test(test_required_one_of_missing),
		cmocka_unit_test(test_required_missing),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_repeated_single_relation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
