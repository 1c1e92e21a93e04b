/*
 * Tests of the warninglist matchers.  Each test writes small list.json
 * files into a fresh mkdtemp() folder, loads it, enables the lists it
 * needs and checks values against them.
 */
#include "core/buf.h"
#include "correlate/warninglist_internal.h"

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

struct fixture {
	struct buf dir;
	struct warninglist_set *set;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	buf_adds(&f->dir, "/tmp/cairn-wl-XXXXXX");
	assert_non_null(mkdtemp(f->dir.data));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct buf cmd = BUF_INIT;

	warninglist_set_free(f->set);
	buf_printf(&cmd, "rm -rf '%s'", f->dir.data);
	assert_int_equal(system(cmd.data), 0);
	buf_release(&cmd);
	buf_release(&f->dir);
	free(f);
	return 0;
}

/* Writes DIR/lists/FOLDER/list.json with the given JSON text. */
static void write_list(struct fixture *f, const char *folder,
		       const char *json)
{
	struct buf path = BUF_INIT;
	FILE *out;

	buf_printf(&path, "%s/lists", f->dir.data);
	mkdir(path.data, 0700);
	buf_printf(&path, "/%s", folder);
	assert_int_equal(mkdir(path.data, 0700), 0);
	buf_adds(&path, "/list.json");
	out = fopen(path.data, "w");
	assert_non_null(out);
	fputs(json, out);
	fclose(out);
	buf_release(&path);
}

/* Loads the folder and enables every list. */
static void load_all(struct fixture *f)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int rc = warninglist_set_load(&f->set, f->dir.data, &e);

	if (rc < 0) {
		fail_msg("load failed: %s", buf_str(&e.message));
	}
	for (size_t id = 1; id <= warninglist_count(f->set); id++) {
		assert_int_equal(warninglist_set_enabled(f->set, (int)id, true),
				 0);
	}
	cairn_err_release(&e);
}

/* Returns the number of lists that `value` of `type` hits; *first gets
 * the first hit when there is one. */
static size_t check(struct fixture *f, const char *type, const char *value,
		    struct warninglist_hit *first)
{
	struct warninglist_hit hits[16];
	size_t n = warninglist_check(f->set, type, value, hits, 16);

	if (n && first) {
		*first = hits[0];
	}
	return n;
}

static void test_cidr_v4_inside_and_broader(void **state)
{
	struct fixture *f = *state;
	struct warninglist_hit hit;

	write_list(f, "v4", "{\"name\": \"v4 ranges\", \"type\": \"cidr\", "
			    "\"version\": 1, \"description\": \"d\", "
			    "\"list\": [\"192.0.2.0/24\", \"198.51.100.7\", "
			    "\"10.0.0.0/8\", \"not an address\"]}");
	load_all(f);

	assert_int_equal(check(f, "ip-dst", "192.0.2.77", &hit), 1);
	assert_string_equal(hit.match, "192.0.2.0/24");
	assert_int_equal(hit.id, 1);
	assert_int_equal(check(f, "ip-dst", "192.0.2.128/25", NULL), 1);
	assert_int_equal(check(f, "ip-dst", "192.0.2.0/24", NULL), 1);
	/* A broader block than the listed one is not a hit. */
	assert_int_equal(check(f, "ip-dst", "192.0.0.0/16", NULL), 0);
	assert_int_equal(check(f, "ip-dst", "192.0.3.1", NULL), 0);
	/* A single listed address is a /32. */
	assert_int_equal(check(f, "ip-dst", "198.51.100.7", NULL), 1);
	assert_int_equal(check(f, "ip-dst", "198.51.100.7/32", NULL), 1);
	assert_int_equal(check(f, "ip-dst", "198.51.100.6", NULL), 0);
	assert_int_equal(check(f, "ip-dst", "198.51.100.0/24", NULL), 0);
	assert_int_equal(check(f, "ip-dst", "10.200.3.4", NULL), 1);
	/* Malformed values never hit. */
	assert_int_equal(check(f, "ip-dst", "192.0.2.7/33", NULL), 0);
	assert_int_equal(check(f, "ip-dst", "192.0.2.7/", NULL), 0);
	assert_int_equal(check(f, "ip-dst", "example.com", NULL), 0);
	/* The invalid entry stays listed; only the matcher skips it. */
	assert_int_equal(warninglist_entry_count(warninglist_get(f->set, 1)),
			 4);
}

static void test_cidr_v6_inside_and_broader(void **state)
{
	struct fixture *f = *state;
	struct warninglist_hit hit;

	write_list(f, "v6", "{\"name\": \"v6 ranges\", \"type\": \"cidr\", "
			    "\"version\": 1, \"description\": \"d\", "
			    "\"list\": [\"2001:db8:1::/48\", "
			    "\"2001:db8:1:5::/64\", \"2001:DB8:ffff::1\"]}");
	load_all(f);

	assert_int_equal(check(f, "ip-src", "2001:db8:1:5::1", &hit), 1);
	/* With nested entries, the broadest one is reported. */
	assert_string_equal(hit.match, "2001:db8:1::/48");
	assert_int_equal(check(f, "ip-src", "2001:db8:1:7::/64", NULL), 1);
	assert_int_equal(check(f, "ip-src", "2001:db8::/32", NULL), 0);
	assert_int_equal(check(f, "ip-src", "2001:db8:2::1", NULL), 0);
	assert_int_equal(check(f, "ip-src", "2001:db8:ffff::1", NULL), 1);
	assert_int_equal(check(f, "ip-src", "2001:0db8:ffff:0::0001", NULL),
			 1);
	assert_int_equal(check(f, "ip-src", "2001:db8:ffff::2", NULL), 0);
	/* IPv4 values never meet IPv6 entries. */
	assert_int_equal(check(f, "ip-src", "32.1.13.184", NULL), 0);
}

static void test_cidr_composite_halves(void **state)
{
	struct fixture *f = *state;
	struct warninglist_hit hit;

	write_list(f, "v4", "{\"name\": \"v4\", \"type\": \"cidr\", "
			    "\"version\": 1, \"description\": \"d\", "
			    "\"list\": [\"192.0.2.0/24\"]}");
	load_all(f);

	assert_int_equal(check(f, "ip-dst|port", "192.0.2.10|80", &hit), 1);
	assert_int_equal(hit.value_len, strlen("192.0.2.10"));
	assert_memory_equal(hit.value, "192.0.2.10", hit.value_len);
	assert_int_equal(check(f, "domain|ip", "example.com|192.0.2.10", &hit),
			 1);
	assert_memory_equal(hit.value, "192.0.2.10", hit.value_len);
	/* Without a type the value is not split, as checkValue does. */
	assert_int_equal(check(f, NULL, "192.0.2.10|80", NULL), 0);
}

static void test_hostname_subdomains_and_urls(void **state)
{
	struct fixture *f = *state;
	struct warninglist_hit hit;

	write_list(f, "hosts", "{\"name\": \"hosts\", \"type\": \"hostname\", "
			       "\"version\": 1, \"description\": \"d\", "
			       "\"list\": [\"example.com\", \".Bank.example.\"]}");
	load_all(f);

	assert_int_equal(check(f, "domain", "example.com", &hit), 1);
	assert_string_equal(hit.match, "example.com");
	assert_int_equal(check(f, "hostname", "www.example.com", NULL), 1);
	assert_int_equal(check(f, "hostname", "a.b.EXAMPLE.com.", NULL), 1);
	/* Same trailing letters but not a subdomain. */
	assert_int_equal(check(f, "domain", "badexample.com", NULL), 0);
	assert_int_equal(check(f, "domain", "example.com.evil.org", NULL), 0);
	assert_int_equal(check(f, "domain", "com", NULL), 0);
	/* URLs are reduced to their host. */
	assert_int_equal(
		check(f, "url", "https://user@www.example.com:8443/a?b#c", NULL),
		1);
	assert_int_equal(check(f, "url", "http://badexample.com/example.com",
			       NULL),
			 0);
	assert_int_equal(check(f, "url", "example.com/path", NULL), 1);
	/* Entries lose their dots and case: ".Bank.example." is
	 * "bank.example". */
	assert_int_equal(check(f, "domain", "online.bank.example", &hit), 1);
	assert_string_equal(hit.match, ".Bank.example.");
}

static void test_reduce_host_forms(void **state)
{
	static const struct {
		const char *value, *host;
	} cases[] = {
		{"http://example.com/x", "example.com"},
		{"hxxp://a.example.com:80", "a.example.com"},
		{"//example.com", "example.com"},
		{"user:pw@example.com/", "example.com"},
		{"example.com?q=1", "example.com"},
		{"http://[2001:db8::1]:443/", "2001:db8::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"mail.example.org:25", "mail.example.org"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *host;
		size_t len;

		wl_reduce_host(cases[i].value, strlen(cases[i].value), &host,
			       &len);
		assert_int_equal(len, strlen(cases[i].host));
		assert_memory_equal(host, cases[i].host, len);
	}
}

static void test_string_exact_match(void **state)
{
	struct fixture *f = *state;

	write_list(f, "hashes", "{\"name\": \"empty hashes\", \"type\": "
				"\"string\", \"version\": 1, \"description\": "
				"\"d\", \"list\": "
				"[\"d41d8cd98f00b204e9800998ecf8427e\", \"\"]}");
	load_all(f);

	assert_int_equal(check(f, "md5", "d41d8cd98f00b204e9800998ecf8427e",
			       NULL),
			 1);
	/* Case-sensitive, as MISP compares string entries. */
	assert_int_equal(check(f, "md5", "D41D8CD98F00B204E9800998ECF8427E",
			       NULL),
			 0);
	assert_int_equal(check(f, "md5", "d41d8cd98f00b204e9800998ecf8427", NULL),
			 0);
	assert_int_equal(check(f, "filename|md5",
			       "empty.txt|d41d8cd98f00b204e9800998ecf8427e",
			       NULL),
			 1);
	/* The empty entry was dropped, as MISP drops it. */
	assert_int_equal(warninglist_entry_count(warninglist_get(f->set, 1)),
			 1);
}

static void test_substring_anywhere(void **state)
{
	struct fixture *f = *state;
	struct warninglist_hit hit;

	write_list(f, "sandboxes", "{\"name\": \"sandboxes\", \"type\": "
				   "\"substring\", \"version\": 1, "
				   "\"description\": \"d\", \"list\": "
				   "[\"any.run\", \"he\", \"she\", \"hers\"]}");
	load_all(f);

	assert_int_equal(check(f, "url", "https://app.any.run/tasks/1", &hit),
			 1);
	assert_string_equal(hit.match, "any.run");
	/* Overlapping entries found through failure links. */
	assert_int_equal(check(f, "text", "ushers", &hit), 1);
	assert_int_equal(check(f, "text", "xxhxrs", NULL), 0);
	assert_int_equal(check(f, "text", "h", NULL), 0);
	assert_int_equal(check(f, "text", "any.ru", NULL), 0);
	assert_int_equal(check(f, "text", "ANY.RUN", NULL), 0);
}

static void test_regex_php_patterns(void **state)
{
	struct fixture *f = *state;

	write_list(f, "mail", "{\"name\": \"contacts\", \"type\": \"regex\", "
			      "\"version\": 1, \"description\": \"d\", "
			      "\"list\": [\"/^(security|abuse)\\\\@.*\\\\..*$/i\", "
			      "\"#^555-01[0-9]{2}$#g\", \"/unclosed\"]}");
	load_all(f);

	assert_int_equal(check(f, "email-src", "abuse@example.com", NULL), 1);
	assert_int_equal(check(f, "email-src", "ABUSE@example.com", NULL), 1);
	assert_int_equal(check(f, "email-src", "ceo@example.com", NULL), 0);
	assert_int_equal(check(f, "phone-number", "555-0142", NULL), 1);
	assert_int_equal(check(f, "phone-number", "555-0142x", NULL), 0);
}

static void test_matching_attributes_filter(void **state)
{
	struct fixture *f = *state;

	write_list(f, "typed", "{\"name\": \"dns only\", \"type\": \"cidr\", "
			       "\"version\": 1, \"description\": \"d\", "
			       "\"matching_attributes\": [\"ip-dst\", "
			       "\"domain|ip\"], \"list\": [\"192.0.2.0/24\"]}");
	write_list(f, "untyped", "{\"name\": \"every type\", \"type\": "
				 "\"cidr\", \"version\": 1, \"description\": "
				 "\"d\", \"list\": [\"192.0.2.0/24\"]}");
	load_all(f);

	assert_int_equal(check(f, "ip-dst", "192.0.2.1", NULL), 2);
	assert_int_equal(check(f, "domain|ip", "a.example|192.0.2.1", NULL),
			 2);
	assert_int_equal(check(f, "ip-src", "192.0.2.1", NULL), 1);
	assert_int_equal(check(f, "comment", "192.0.2.1", NULL), 1);
	assert_int_equal(check(f, NULL, "192.0.2.1", NULL), 2);
	assert_int_equal(warninglist_attribute_count(warninglist_get(f->set, 1)),
			 2);
	assert_int_equal(warninglist_attribute_count(warninglist_get(f->set, 2)),
			 0);
}

static void test_enable_disable_and_ids(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct warninglist_hit hits[4];

	write_list(f, "zz", "{\"name\": \"B list\", \"type\": \"string\", "
			    "\"version\": 3, \"description\": \"d\", "
			    "\"list\": [\"x\", \"y\"]}");
	write_list(f, "aa", "{\"name\": \"C list\", \"type\": \"string\", "
			    "\"version\": 1, \"description\": \"d\", "
			    "\"list\": [\"x\"]}");
	write_list(f, "mm", "{\"name\": \"A list\", \"type\": \"string\", "
			    "\"version\": 1, \"description\": \"d\", "
			    "\"list\": [\"z\"]}");
	assert_int_equal(warninglist_set_load(&f->set, f->dir.data, &e), 0);

	/* Ids follow the names, not the folders. */
	assert_string_equal(warninglist_name(warninglist_get(f->set, 1)),
			    "A list");
	assert_string_equal(warninglist_name(warninglist_get(f->set, 2)),
			    "B list");
	assert_int_equal(warninglist_id(warninglist_find(f->set, "C list")),
			 3);
	assert_null(warninglist_get(f->set, 0));
	assert_null(warninglist_get(f->set, 4));
	assert_int_equal(warninglist_first_entry_id(warninglist_get(f->set, 3)),
			 4);
	assert_int_equal(warninglist_entry_total(f->set), 4);

	/* Lists start disabled, as MISP installs them. */
	assert_false(warninglist_enabled(f->set, 2));
	assert_int_equal(warninglist_check(f->set, NULL, "x", hits, 4), 0);
	assert_int_equal(warninglist_set_enabled(f->set, 3, true), 0);
	assert_int_equal(warninglist_set_enabled(f->set, 2, true), 0);
	assert_int_equal(warninglist_check(f->set, NULL, "x", hits, 4), 2);
	assert_int_equal(hits[0].id, 2);
	assert_int_equal(hits[1].id, 3);
	assert_int_equal(warninglist_set_enabled(f->set, 2, false), 0);
	assert_int_equal(warninglist_check(f->set, NULL, "x", hits, 4), 1);
	assert_int_equal(hits[0].id, 3);
	assert_int_equal(warninglist_set_enabled(f->set, 9, true),
			 CAIRN_ENOTFOUND);
	cairn_err_release(&e);
}

static void test_load_errors(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;

	write_list(f, "bad", "{\"name\": \"x\", \"type\": \"cidr\", ");
	assert_int_equal(warninglist_set_load(&f->set, f->dir.data, &e),
			 CAIRN_EINVAL);
	assert_null(f->set);
	assert_non_null(strstr(buf_str(&e.message), "bad/list.json"));
	cairn_err_release(&e);

	assert_int_equal(warninglist_set_load(&f->set, "/nonexistent", &e),
			 CAIRN_EIO);
	cairn_err_release(&e);
}

static void test_unknown_type_rejected(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;

	write_list(f, "odd", "{\"name\": \"x\", \"type\": \"glob\", "
			     "\"version\": 1, \"description\": \"d\", "
			     "\"list\": [\"a\"]}");
	assert_int_equal(warninglist_set_load(&f->set, f->dir.data, &e),
			 CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "\"type\""));
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cidr_v4_inside_and_broader,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cidr_v6_inside_and_broader,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cidr_composite_halves,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_hostname_subdomains_and_urls, setup, teardown),
		cmocka_unit_test(test_reduce_host_forms),
		cmocka_unit_test_setup_teardown(test_string_exact_match, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_substring_anywhere, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_regex_php_patterns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_matching_attributes_filter,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_disable_and_ids,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_type_rejected,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
