/*
 * Unit tests of exact correlation: each test opens a real SQLite store in
 * a fresh mkdtemp() directory and reads correlations from its value
 * index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tmpdb.h"

#include "core/buf.h"
#include "correlate/correlate.h"
#include "correlate/tlsh_wrap.h"
#include "model/misp.h"
#include "store/internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
	struct buf dir;
	struct buf path;
	struct store *s;
	int64_t org;
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cairn_err e = CAIRN_ERR_INIT;

	assert_non_null(f);
	tmpdb_make(&f->dir, &f->path, "correlate");
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
	assert_int_equal(store_org_ensure(f->s, NULL, "ORGNAME", &f->org), 0);
	cairn_err_release(&e);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	tmpdb_remove(&f->dir, &f->path);
	free(f);
	return 0;
}

/* -------- helpers that build rows -------- */

static int64_t add_event_on(struct fixture *f, const char *date,
			    bool disable_correlation)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_event);
	record_set_int(&r, EVENT_ORG_ID, f->org);
	record_set_int(&r, EVENT_ORGC_ID, f->org);
	record_set_text(&r, EVENT_INFO, "correlation test");
	record_set_text(&r, EVENT_DATE, date);
	record_set_int(&r, EVENT_DISABLE_CORRELATION, disable_correlation);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_event(struct fixture *f)
{
	return add_event_on(f, "2024-01-01", false);
}

static int64_t add_object(struct fixture *f, int64_t event)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_object);
	record_set_int(&r, OBJ_EVENT_ID, event);
	record_set_text(&r, OBJ_NAME, "domain-ip");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

struct attr_spec {
	int64_t object;
	bool deleted;
	bool disable_correlation;
};

static int64_t add_attribute_with(struct fixture *f, int64_t event,
				  const char *type, const char *value,
				  struct attr_spec spec)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, event);
	record_set_text(&r, ATTR_TYPE, type);
	record_set_text(&r, ATTR_CATEGORY, "Network activity");
	record_set_text(&r, ATTR_VALUE, value);
	record_set_int(&r, ATTR_OBJECT_ID, spec.object);
	record_set_int(&r, ATTR_DELETED, spec.deleted);
	record_set_int(&r, ATTR_DISABLE_CORRELATION, spec.disable_correlation);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_attribute(struct fixture *f, int64_t event,
			     const char *type, const char *value)
{
	return add_attribute_with(f, event, type, value,
				  (struct attr_spec){0});
}

/* Returns how many related events `event` has, and checks that the list
 * never names the event itself. */
static size_t related_count(struct fixture *f,
			    const struct correlate_config *cfg, int64_t event)
{
	struct correlate_event *list = NULL;
	size_t n = 99;

	assert_int_equal(correlate_related_events(f->s, &store_viewer_system,
						  cfg, event, &list, &n),
			 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(list[i].id, event);
	}
	free(list);
	return n;
}

/* Returns true when `event` lists `other` among its related events. */
static bool related_to(struct fixture *f, int64_t event, int64_t other)
{
	struct correlate_event *list = NULL;
	bool found = false;
	size_t n = 0;

	assert_int_equal(correlate_related_events(f->s, &store_viewer_system,
						  NULL, event, &list, &n),
			 0);
	for (size_t i = 0; i < n; i++) {
		found = found || list[i].id == other;
	}
	free(list);
	return found;
}

/* -------- correlating values -------- */

static void keys_plain_value_whole(void **state)
{
	struct correlate_key keys[2];

	(void)state;
	assert_int_equal(correlate_keys("domain", "example.org", keys), 1);
	assert_int_equal(keys[0].len, strlen("example.org"));
	assert_memory_equal(keys[0].text, "example.org", keys[0].len);
}

static void keys_domain_ip_both_halves(void **state)
{
	struct correlate_key keys[2];

	(void)state;
	assert_int_equal(correlate_keys("domain|ip", "example.org|192.0.2.1",
					keys),
			 2);
	assert_int_equal(keys[0].len, strlen("example.org"));
	assert_memory_equal(keys[0].text, "example.org", keys[0].len);
	assert_int_equal(keys[1].len, strlen("192.0.2.1"));
	assert_memory_equal(keys[1].text, "192.0.2.1", keys[1].len);
}

static void keys_port_types_first_half(void **state)
{
	static const char *const types[] = {"ip-src|port", "ip-dst|port",
					    "hostname|port"};
	struct correlate_key keys[2];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_int_equal(correlate_keys(types[i], "a.example|80", keys),
				 1);
		assert_int_equal(keys[0].len, strlen("a.example"));
		assert_memory_equal(keys[0].text, "a.example", keys[0].len);
	}
}

static void keys_malware_sample_composite(void **state)
{
	struct correlate_key keys[2];

	(void)state;
	assert_true(correlate_type_composite("malware-sample"));
	assert_int_equal(
		correlate_keys("malware-sample",
			       "a.exe|d41d8cd98f00b204e9800998ecf8427e", keys),
		2);
	assert_int_equal(keys[0].len, strlen("a.exe"));
	assert_int_equal(keys[1].len, 32);
}

static void keys_empty_halves_skipped(void **state)
{
	struct correlate_key keys[2];

	(void)state;
	assert_int_equal(correlate_keys("domain|ip", "|192.0.2.1", keys), 1);
	assert_memory_equal(keys[0].text, "192.0.2.1", keys[0].len);
	assert_int_equal(correlate_keys("domain|ip", "example.org|", keys), 1);
	assert_memory_equal(keys[0].text, "example.org", keys[0].len);
	assert_int_equal(correlate_keys("domain", "", keys), 0);
}

static void keys_non_correlating_types(void **state)
{
	static const char *const types[] = {
		"comment", "http-method", "aba-rtn", "gender",
		"counter", "integer",     "float",   "port",
		"nationality", "cortex",  "boolean", "anonymised",
	};
	struct correlate_key keys[2];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_false(correlate_type_correlates(types[i]));
		assert_int_equal(correlate_keys(types[i], "80", keys), 0);
	}
	assert_true(correlate_type_correlates("text"));
	assert_true(correlate_type_correlates("domain"));
}

/* -------- related events -------- */

static void shared_domain_correlates(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t c = add_event(f);

	add_attribute(f, a, "domain", "shared.example");
	add_attribute(f, b, "domain", "shared.example");
	add_attribute(f, c, "domain", "other.example");
	assert_true(related_to(f, a, b));
	assert_true(related_to(f, b, a));
	assert_int_equal(related_count(f, NULL, a), 1);
	assert_int_equal(related_count(f, NULL, b), 1);
	assert_int_equal(related_count(f, NULL, c), 0);
}

static void same_event_not_related(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);

	add_attribute(f, a, "domain", "twice.example");
	add_attribute(f, a, "hostname", "twice.example");
	assert_int_equal(related_count(f, NULL, a), 0);
}

static void non_correlating_type_ignored(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t c = add_event(f);

	add_attribute(f, a, "port", "8080");
	add_attribute(f, b, "port", "8080");
	add_attribute(f, c, "text", "8080");
	assert_int_equal(related_count(f, NULL, a), 0);
	assert_int_equal(related_count(f, NULL, b), 0);
	/* text correlates in MISP, but not with a port. */
	assert_int_equal(related_count(f, NULL, c), 0);
}

static void disabled_attribute_ignored(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "domain", "quiet.example");
	add_attribute_with(f, b, "domain", "quiet.example",
			   (struct attr_spec){.disable_correlation = true});
	assert_int_equal(related_count(f, NULL, a), 0);
	assert_int_equal(related_count(f, NULL, b), 0);
}

static void disabled_event_ignored(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event_on(f, "2024-01-01", true);

	add_attribute(f, a, "domain", "quiet.example");
	add_attribute(f, b, "domain", "quiet.example");
	assert_int_equal(related_count(f, NULL, a), 0);
	assert_int_equal(related_count(f, NULL, b), 0);
}

static void deleted_attribute_ignored(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "domain", "gone.example");
	add_attribute_with(f, b, "domain", "gone.example",
			   (struct attr_spec){.deleted = true});
	assert_int_equal(related_count(f, NULL, a), 0);
	assert_int_equal(related_count(f, NULL, b), 0);
}

static void deleted_object_ignored(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t object = add_object(f, b);
	struct record r;

	add_attribute(f, a, "domain", "gone.example");
	add_attribute_with(f, b, "domain", "gone.example",
			   (struct attr_spec){.object = object});
	assert_int_equal(related_count(f, NULL, a), 1);

	record_init(&r, &model_object);
	record_set_int(&r, OBJ_DELETED, 1);
	assert_int_equal(store_update(f->s, &r, object), 0);
	record_release(&r);
	assert_int_equal(related_count(f, NULL, a), 0);
}

static void ip_port_correlates_with_ip(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "ip-dst|port", "192.0.2.10|80");
	add_attribute(f, b, "ip-dst", "192.0.2.10");
	assert_true(related_to(f, a, b));
	assert_true(related_to(f, b, a));
}

static void ip_port_shared_port_only(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t c = add_event(f);

	add_attribute(f, a, "ip-dst|port", "192.0.2.10|80");
	add_attribute(f, b, "ip-dst|port", "198.51.100.20|80");
	add_attribute(f, c, "port", "80");
	assert_int_equal(related_count(f, NULL, a), 0);
	assert_int_equal(related_count(f, NULL, b), 0);
	assert_int_equal(related_count(f, NULL, c), 0);
}

static void ip_port_pair_same_address(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "ip-src|port", "192.0.2.10|80");
	add_attribute(f, b, "ip-dst|port", "192.0.2.10|443");
	assert_true(related_to(f, a, b));
	assert_true(related_to(f, b, a));
}

static void prefix_needs_whole_first_half(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	/* "192.0.2.1" is a text prefix of "192.0.2.10", not its address. */
	add_attribute(f, a, "ip-dst|port", "192.0.2.10|80");
	add_attribute(f, b, "ip-dst", "192.0.2.1");
	assert_int_equal(related_count(f, NULL, a), 0);
	assert_int_equal(related_count(f, NULL, b), 0);
}

static void plain_value_with_bar_whole(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	/* A text value "a|b" is not the composite halves "a" and "b". */
	add_attribute(f, a, "text", "left.example|right");
	add_attribute(f, b, "domain|ip", "left.example|right");
	assert_int_equal(related_count(f, NULL, a), 0);
	assert_int_equal(related_count(f, NULL, b), 0);
}

static void domain_ip_second_half_finds_ip(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t c = add_event(f);

	add_attribute(f, a, "domain|ip", "pair.example|192.0.2.44");
	add_attribute(f, b, "ip-dst", "192.0.2.44");
	add_attribute(f, c, "domain", "pair.example");
	assert_true(related_to(f, a, b));
	assert_true(related_to(f, a, c));
	assert_true(related_to(f, c, a));
}

static void over_correlation_limit(void **state)
{
	struct fixture *f = *state;
	struct correlate_config cfg = {.max_events = 3, .page_size = 100};
	int64_t events[4];

	for (size_t i = 0; i < 3; i++) {
		events[i] = add_event(f);
		add_attribute(f, events[i], "domain", "busy.example");
	}
	/* Three events: at the limit, so the value still correlates. */
	assert_int_equal(related_count(f, &cfg, events[0]), 2);

	events[3] = add_event(f);
	add_attribute(f, events[3], "domain", "busy.example");
	add_attribute(f, events[3], "domain", "rare.example");
	add_attribute(f, events[0], "domain", "rare.example");
	/* Four events contain busy.example, so only rare.example correlates. */
	assert_int_equal(related_count(f, &cfg, events[0]), 1);
	assert_true(related_to(f, events[0], events[3]));
	assert_int_equal(related_count(f, &cfg, events[1]), 0);
	assert_int_equal(related_count(f, &cfg, events[3]), 1);
	/* The default limit (20) is far away. */
	assert_int_equal(related_count(f, NULL, events[1]), 3);
}

static void related_events_newest_first(void **state)
{
	struct fixture *f = *state;
	struct correlate_config cfg = {.max_events = 20, .page_size = 2};
	int64_t a = add_event_on(f, "2024-05-01", false);
	int64_t old = add_event_on(f, "2023-01-01", false);
	int64_t mid = add_event_on(f, "2024-03-01", false);
	int64_t recent = add_event_on(f, "2024-06-01", false);
	struct correlate_event *list = NULL;
	size_t n = 0;

	add_attribute(f, a, "md5", "d41d8cd98f00b204e9800998ecf8427e");
	add_attribute(f, old, "md5", "d41d8cd98f00b204e9800998ecf8427e");
	add_attribute(f, mid, "md5", "d41d8cd98f00b204e9800998ecf8427e");
	add_attribute(f, recent, "md5", "d41d8cd98f00b204e9800998ecf8427e");
	assert_int_equal(related_count(f, NULL, a), 3);

	assert_int_equal(correlate_related_events(f->s, &store_viewer_system,
						  &cfg, a, &list, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, recent);
	assert_string_equal(list[0].date, "2024-06-01");
	assert_int_equal(list[1].id, mid);
	free(list);
}

static void related_events_many_repeats(void **state)
{
	struct fixture *f = *state;
	struct correlate_config cfg = {.max_events = 200, .page_size = 500};
	int64_t a = add_event(f);
	char value[64];

	/* 150 events share three values with `a`, so the list of related
	 * events receives every event three times and compacts as it grows. */
	for (int i = 0; i < 150; i++) {
		int64_t other = add_event(f);

		for (int v = 0; v < 3; v++) {
			snprintf(value, sizeof(value), "repeat-%d.example", v);
			add_attribute(f, other, "domain", value);
		}
	}
	for (int v = 0; v < 3; v++) {
		snprintf(value, sizeof(value), "repeat-%d.example", v);
		add_attribute(f, a, "domain", value);
	}
	assert_int_equal(related_count(f, &cfg, a), 150);
}

/* -------- related attributes -------- */

static void related_attributes_of_one(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t source = add_attribute(f, a, "ip-dst|port", "192.0.2.10|80");
	int64_t same = add_attribute(f, a, "ip-dst", "192.0.2.10");
	int64_t match = add_attribute(f, b, "ip-src", "192.0.2.10");
	struct correlate_attribute *list = NULL;
	size_t n = 0;

	(void)same;
	add_attribute(f, b, "port", "80");
	assert_int_equal(correlate_related_attributes(f->s,
						      &store_viewer_system,
						      NULL, source, &list, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].attribute_id, match);
	assert_int_equal(list[0].event_id, b);
	assert_int_equal(list[0].event_orgc_id, f->org);
	assert_string_equal(list[0].value, "192.0.2.10");
	assert_string_equal(list[0].event_info, "correlation test");
	assert_string_equal(list[0].event_date, "2024-01-01");
	correlate_attributes_free(list, n);
}

static void related_attributes_disabled_empty(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t source = add_attribute_with(
		f, a, "domain", "quiet.example",
		(struct attr_spec){.disable_correlation = true});
	struct correlate_attribute *list = NULL;
	size_t n = 99;

	add_attribute(f, b, "domain", "quiet.example");
	assert_int_equal(correlate_related_attributes(f->s,
						      &store_viewer_system,
						      NULL, source, &list, &n),
			 0);
	assert_int_equal(n, 0);
	correlate_attributes_free(list, n);
}

static void related_attributes_over_limit(void **state)
{
	struct fixture *f = *state;
	struct correlate_config cfg = {.max_events = 2, .page_size = 100};
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t c = add_event(f);
	int64_t source = add_attribute(f, a, "domain|ip",
				       "busy.example|192.0.2.99");
	struct correlate_attribute *list = NULL;
	size_t n = 0;

	add_attribute(f, b, "domain", "busy.example");
	add_attribute(f, c, "domain", "busy.example");
	add_attribute(f, b, "ip-dst", "192.0.2.99");
	/* busy.example is in three events, over the limit of two. */
	assert_int_equal(correlate_related_attributes(f->s,
						      &store_viewer_system,
						      &cfg, source, &list, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].value, "192.0.2.99");
	correlate_attributes_free(list, n);
}

static void related_attributes_page_size(void **state)
{
	struct fixture *f = *state;
	struct correlate_config cfg = {.max_events = 20, .page_size = 2};
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t source = add_attribute(f, a, "sha1",
				       "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	struct correlate_attribute *list = NULL;
	size_t n = 0;

	for (int i = 0; i < 5; i++) {
		add_attribute_with(f, b, "sha1",
				   "da39a3ee5e6b4b0d3255bfef95601890afd80709",
				   (struct attr_spec){.object = add_object(f, b)});
	}
	assert_int_equal(correlate_related_attributes(f->s,
						      &store_viewer_system,
						      &cfg, source, &list, &n),
			 0);
	assert_int_equal(n, 2);
	correlate_attributes_free(list, n);
}

/* -------- second halves -------- */

static void ip_finds_domain_ip(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "domain|ip", "pair.example|192.0.2.45");
	add_attribute(f, b, "ip-dst", "192.0.2.45");
	assert_true(related_to(f, b, a));
	assert_true(related_to(f, a, b));
}

static void filename_md5_same_hash(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "filename|md5",
		      "one.exe|d41d8cd98f00b204e9800998ecf8427e");
	add_attribute(f, b, "filename|md5",
		      "two.exe|d41d8cd98f00b204e9800998ecf8427e");
	assert_true(related_to(f, a, b));
	assert_true(related_to(f, b, a));
}

static void ip_port_other_address_apart(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t c = add_event(f);

	add_attribute(f, a, "ip-dst|port", "192.0.2.10|80");
	add_attribute(f, b, "ip-dst|port", "198.51.100.20|80");
	assert_false(related_to(f, a, b));
	assert_false(related_to(f, b, a));
	add_attribute(f, c, "ip-dst", "192.0.2.10");
	assert_true(related_to(f, a, c));
	assert_true(related_to(f, c, a));
	assert_false(related_to(f, c, b));
}

/* -------- CIDR containment -------- */

static void net_key_ipv4_mapped(void **state)
{
	uint8_t v4[CORRELATE_NET_KEY_LEN], v6[CORRELATE_NET_KEY_LEN];

	(void)state;
	assert_true(correlate_net_key("ip-dst", "192.0.2.77/24", v4));
	assert_true(correlate_net_key("ip-src", "::ffff:192.0.2.0/120", v6));
	assert_memory_equal(v4, v6, sizeof(v4));
	assert_int_equal(v4[16], 120);
	assert_int_equal(v4[15], 0);
	assert_int_equal(v4[10], 0xff);
	assert_false(correlate_net_key("domain", "192.0.2.1", v4));
	assert_false(correlate_net_key("ip-dst", "not-an-address", v4));
	assert_true(correlate_net_key("domain|ip", "a.example|192.0.2.1", v4));
	assert_int_equal(v4[16], 128);
	assert_true(correlate_net_key("ip-dst|port", "192.0.2.1|443", v4));
	assert_false(correlate_net_key("hostname|port", "192.0.2.1|443", v4));
}

static void cidr_ipv6_both_ways(void **state)
{
	struct fixture *f = *state;
	int64_t block = add_event(f);
	int64_t inside = add_event(f);
	int64_t outside = add_event(f);

	add_attribute(f, block, "ip-dst", "2001:db8:1::/48");
	add_attribute(f, inside, "ip-dst", "2001:db8:1:5::1");
	add_attribute(f, outside, "ip-dst", "2001:db8:2::1");
	assert_true(related_to(f, block, inside));
	assert_true(related_to(f, inside, block));
	assert_false(related_to(f, block, outside));
	assert_false(related_to(f, outside, block));
	assert_false(related_to(f, inside, outside));
}

static void cidr_ipv4_nested_blocks(void **state)
{
	struct fixture *f = *state;
	int64_t wide = add_event(f);
	int64_t narrow = add_event(f);
	int64_t host = add_event(f);
	int64_t pair = add_event(f);

	add_attribute(f, wide, "ip-src", "10.0.0.0/8");
	add_attribute(f, narrow, "ip-dst", "10.20.30.0/24");
	add_attribute(f, host, "ip-dst|port", "10.20.30.40|8080");
	add_attribute(f, pair, "domain|ip", "h.example|10.99.0.1");
	assert_true(related_to(f, wide, narrow));
	assert_true(related_to(f, narrow, wide));
	assert_true(related_to(f, host, wide));
	assert_true(related_to(f, host, narrow));
	assert_true(related_to(f, pair, wide));
	assert_false(related_to(f, pair, narrow));
	assert_false(related_to(f, narrow, pair));
}

static void cidr_mapped_block_then_adds(void **state)
{
	struct fixture *f = *state;
	int64_t mapped = add_event(f);
	int64_t v4 = add_event(f);
	int64_t later = add_event(f);

	add_attribute(f, mapped, "ip-dst", "::ffff:192.0.2.0/120");
	add_attribute(f, v4, "ip-dst", "192.0.2.200");
	assert_true(related_to(f, mapped, v4));
	assert_true(related_to(f, v4, mapped));
	add_attribute(f, later, "domain", "after.example");
	add_attribute(f, later, "ip-dst", "198.51.100.1");
	assert_false(related_to(f, later, mapped));
}

static void cidr_ipv4_not_in_ipv6_any(void **state)
{
	struct fixture *f = *state;
	int64_t any = add_event(f);
	int64_t v4 = add_event(f);

	add_attribute(f, any, "ip-dst", "::/0");
	add_attribute(f, v4, "ip-dst", "192.0.2.9");
	assert_false(related_to(f, v4, any));
}

static void cidr_disabled_ignored(void **state)
{
	struct fixture *f = *state;
	int64_t block = add_event(f);
	int64_t inside = add_event(f);

	add_attribute_with(f, block, "ip-dst", "192.0.2.0/24",
			   (struct attr_spec){.disable_correlation = true});
	add_attribute(f, inside, "ip-dst", "192.0.2.3");
	assert_false(related_to(f, inside, block));
	assert_false(related_to(f, block, inside));
}

static void cidr_related_attribute_value(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t source = add_attribute(f, a, "ip-dst", "192.0.2.0/28");
	int64_t target = add_attribute(f, b, "ip-src", "192.0.2.5");
	struct correlate_attribute *list = NULL;
	size_t n = 0;

	assert_int_equal(correlate_related_attributes(f->s,
						      &store_viewer_system,
						      NULL, source, &list, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].attribute_id, target);
	assert_string_equal(list[0].value, "192.0.2.5");
	correlate_attributes_free(list, n);
}

static void cidr_over_correlation(void **state)
{
	struct fixture *f = *state;
	struct correlate_config cfg = {.max_events = 2, .page_size = 100};
	int64_t block = add_event(f);
	char value[32];

	add_attribute(f, block, "ip-dst", "203.0.113.0/24");
	for (int i = 1; i <= 3; i++) {
		snprintf(value, sizeof(value), "203.0.113.%d", i);
		add_attribute(f, add_event(f), "ip-dst", value);
	}
	assert_int_equal(related_count(f, &cfg, block), 0);
	assert_int_equal(related_count(f, NULL, block), 3);
}

/* Checks the plan of every cached statement with `marker` in its text:
 * it reads `index`, and scans the attributes table nowhere. */
static void assert_plan_uses(struct fixture *f, const char *marker,
			     const char *index)
{
	sqlite3 *db = store_db(f->s);
	sqlite3_stmt *st = NULL;
	size_t checked = 0;

	while ((st = sqlite3_next_stmt(db, st)) != NULL) {
		struct buf sql = BUF_INIT, plan = BUF_INIT;
		sqlite3_stmt *eqp;

		if (!strstr(sqlite3_sql(st), marker)) {
			continue;
		}
		buf_printf(&sql, "EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
		assert_int_equal(sqlite3_prepare_v2(db, sql.data, -1, &eqp,
						    NULL),
				 SQLITE_OK);
		while (sqlite3_step(eqp) == SQLITE_ROW) {
			buf_printf(&plan, "%s\n",
				   (const char *)sqlite3_column_text(eqp, 3));
		}
		sqlite3_finalize(eqp);
		assert_non_null(strstr(plan.data, index));
		assert_null(strstr(plan.data, "SCAN a\n"));
		checked++;
		buf_release(&sql);
		buf_release(&plan);
	}
	assert_true(checked > 0);
}

static void lookups_use_indexes(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "ip-dst", "192.0.2.0/24");
	add_attribute(f, a, "filename|md5",
		      "x.exe|d41d8cd98f00b204e9800998ecf8427e");
	add_attribute(f, b, "ip-dst", "192.0.2.1");
	assert_true(related_to(f, b, a));
	assert_plan_uses(f, "cairn_net(a.type", "attributes_net");
	assert_plan_uses(f, "cairn_second(a.type", "attributes_second");
	assert_plan_uses(f, "min(cairn_net_prefix", "attributes_net_block");
}

/* -------- exclusions -------- */

static void exclusion_stops_value(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t id = 0;

	add_attribute(f, a, "domain", "shared.example");
	add_attribute(f, b, "domain", "shared.example");
	assert_true(related_to(f, a, b));
	assert_int_equal(store_exclusion_add(f->s, "shared.example", "", false,
					     &id),
			 0);
	assert_false(related_to(f, a, b));
	assert_int_equal(store_exclusion_add(f->s, "shared.example", "", false,
					     &id),
			 CAIRN_EEXIST);
	assert_int_equal(store_exclusion_delete(f->s, id), 0);
	assert_true(related_to(f, a, b));
}

static void exclusion_wildcard(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t c = add_event(f);
	int64_t id = 0;

	add_attribute(f, a, "domain", "cdn.Example.NET");
	add_attribute(f, b, "domain", "cdn.Example.NET");
	add_attribute(f, a, "ip-dst", "192.0.2.0/24");
	add_attribute(f, c, "ip-dst", "192.0.2.8");
	assert_int_equal(store_exclusion_add(f->s, "%.example.net", "cdn",
					     false, &id),
			 0);
	assert_false(related_to(f, a, b));
	assert_true(related_to(f, a, c));
	assert_int_equal(store_exclusion_add(f->s, "192.0.2.%", "", false,
					     &id),
			 0);
	assert_false(related_to(f, a, c));
	assert_false(related_to(f, c, a));
}

/* -------- fuzzy hashes -------- */

/* ssdeep hashes made by libfuzzy's fuzzy_hash_buf: SSDEEP_A of 4096
 * bytes of pseudo-random text, SSDEEP_B of the same bytes with two
 * changed (score 97 against A), SSDEEP_LONG of 6000 bytes that start
 * with A's (score 91), SSDEEP_OTHER of random bytes (score 0). */
#define SSDEEP_A                                                               \
	"96:Yyja0rJQrDw68Kitwe0AjsAWtOiJpqYAzpejHP5gC/Zzx/ghzG7d:/rJow63e0gsVw" \
	"NeD7/vozU"
#define SSDEEP_B                                                               \
	"96:Yyja0rJQrWw68Kitwe0AjsAWtOiJpqYAzpOjHP5gC/Zzx/ghzG7d:/rJNw63e0gsVw" \
	"NOD7/vozU"
#define SSDEEP_OTHER                                                           \
	"96:Zh1sMy7EGArSipT+qKtdoY81vkMkKzZNUuNVoa8TC5K:ZpeEGArSipTq81vkM9zQqV" \
	"r8TC5K"
/* TLSH hashes made by libtlsh 3.4.4: TLSH_A of the 4096 bytes above,
 * TLSH_B of them with every 97th byte changed (distance 33), TLSH_OTHER
 * of random bytes (distance 233). */
#define TLSH_A                                                                 \
	"06815C328C0C22DB01A7475512D46D1AC9C9EF2142D3CA5CCFB90BF55A68323D95B4" \
	"7E"
#define TLSH_B                                                                 \
	"31817C329C0D22EB4197475512C46E16C8C8EF2192E3CA58CFB80BF65A6C363DD5B0" \
	"7E"
#define TLSH_OTHER                                                             \
	"9F815D5ED021E45AF77E903946BDEA860A2391E4B4192FDB4E00B7E3513CEC39F1A7" \
	"14"

static bool related_with(struct fixture *f, const struct correlate_config *cfg,
			 int64_t event, int64_t other)
{
	struct correlate_event *list = NULL;
	bool found = false;
	size_t n = 0;

	assert_int_equal(correlate_related_events(f->s, &store_viewer_system,
						  cfg, event, &list, &n),
			 0);
	for (size_t i = 0; i < n; i++) {
		found = found || list[i].id == other;
	}
	free(list);
	return found;
}

static void ssdeep_similar_correlates(void **state)
{
	struct fixture *f = *state;
	struct correlate_config off = correlate_config_default;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t other = add_event(f);

	add_attribute(f, a, "ssdeep", SSDEEP_A);
	add_attribute(f, b, "ssdeep", SSDEEP_B);
	add_attribute(f, other, "ssdeep", SSDEEP_OTHER);
	assert_true(related_to(f, a, b));
	assert_true(related_to(f, b, a));
	assert_false(related_to(f, a, other));
	assert_false(related_to(f, other, a));
	off.ssdeep_threshold = 101;
	assert_false(related_with(f, &off, a, b));
	off.ssdeep_threshold = 98;
	assert_false(related_with(f, &off, a, b));
	off.ssdeep_threshold = 97;
	assert_true(related_with(f, &off, a, b));
}

static void ssdeep_block_sizes(void **state)
{
	(void)state;
	assert_int_equal(correlate_ssdeep_block("ssdeep", SSDEEP_A), 96);
	assert_int_equal(correlate_ssdeep_block("ssdeep", "3:abc:def"), 3);
	assert_int_equal(correlate_ssdeep_block("md5", SSDEEP_A), -1);
	assert_int_equal(correlate_ssdeep_block("ssdeep", "x:abc:def"), -1);
	assert_int_equal(correlate_ssdeep_block("ssdeep", "96:abc"), -1);
	assert_int_equal(correlate_ssdeep_block("ssdeep", "0:abc:d"), -1);
}

static void tlsh_similar_correlates(void **state)
{
	struct fixture *f = *state;
	struct correlate_config strict = correlate_config_default;
	int64_t a = add_event(f);
	int64_t b = add_event(f);
	int64_t other = add_event(f);
	struct correlate_attribute *list = NULL;
	int64_t source;
	size_t n = 0;

	source = add_attribute(f, a, "tlsh", TLSH_A);
	add_attribute(f, b, "tlsh", "T1" TLSH_B);
	add_attribute(f, other, "tlsh", TLSH_OTHER);
	assert_true(related_to(f, a, b));
	assert_true(related_to(f, b, a));
	assert_false(related_to(f, a, other));
	strict.tlsh_threshold = 32;
	assert_false(related_with(f, &strict, a, b));
	assert_int_equal(correlate_related_attributes(f->s,
						      &store_viewer_system,
						      NULL, source, &list, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].value, "T1" TLSH_B);
	correlate_attributes_free(list, n);
	assert_int_equal(correlate_tlsh_distance(TLSH_A, "T1" TLSH_B), 33);
	assert_int_equal(correlate_tlsh_distance(TLSH_A, "not a hash"), -1);
}

static void fuzzy_lookups_use_indexes(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f);
	int64_t b = add_event(f);

	add_attribute(f, a, "ssdeep", SSDEEP_A);
	add_attribute(f, b, "ssdeep", SSDEEP_B);
	assert_true(related_to(f, a, b));
	assert_plan_uses(f, "cairn_ssdeep_block(a.type", "attributes_ssdeep");
}

static void like_patterns(void **state)
{
	static const struct {
		const char *pattern;
		const char *text;
		bool match;
	} cases[] = {
		{"a.example", "a.example", true},
		{"a.example", "A.Example", true},
		{"a.example", "a.example.org", false},
		{"%.example", "cdn.a.example", true},
		{"%.example", "example", false},
		{"10.%", "10.1.2.3", true},
		{"%cdn%", "x.cdn.y", true},
		{"a%b%c", "aXXbYYc", true},
		{"a%b%c", "aXXcYYb", false},
		{"%", "", true},
		{"", "", true},
		{"", "x", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = correlate_like(cases[i].pattern, cases[i].text,
					  strlen(cases[i].text));

		if (got != cases[i].match) {
			fail_msg("'%s' against '%s': expected %d", cases[i].pattern,
				 cases[i].text, cases[i].match);
		}
	}
}

static void over_values_listed(void **state)
{
	struct fixture *f = *state;
	struct correlate_config cfg = {.max_events = 2, .page_size = 100};
	struct correlate_over *list = NULL;
	int64_t id = 0;
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		int64_t event = add_event(f);

		add_attribute(f, event, "domain", "busy.example");
		add_attribute(f, event, "filename|md5",
			      "f.exe|d41d8cd98f00b204e9800998ecf8427e");
	}
	add_attribute(f, add_event(f), "domain", "quiet.example");
	assert_int_equal(store_exclusion_add(f->s, "busy.%", "", false, &id),
			 0);
	assert_int_equal(correlate_over_values(f->s, &store_viewer_system,
					       &cfg, &list, &n),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].value, "busy.example");
	assert_int_equal(list[0].occurrence, 3);
	assert_true(list[0].excluded);
	assert_string_equal(list[1].value, "d41d8cd98f00b204e9800998ecf8427e");
	assert_int_equal(list[1].occurrence, 3);
	assert_false(list[1].excluded);
	correlate_over_free(list, n);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup,         \
						fixture_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_plain_value_whole),
		cmocka_unit_test(keys_domain_ip_both_halves),
		cmocka_unit_test(keys_port_types_first_half),
		cmocka_unit_test(keys_malware_sample_composite),
		cmocka_unit_test(keys_empty_halves_skipped),
		cmocka_unit_test(keys_non_correlating_types),
		T(shared_domain_correlates),
		T(same_event_not_related),
		T(non_correlating_type_ignored),
		T(disabled_attribute_ignored),
		T(disabled_event_ignored),
		T(deleted_attribute_ignored),
		T(deleted_object_ignored),
		T(ip_port_correlates_with_ip),
		T(ip_port_shared_port_only),
		T(ip_port_pair_same_address),
		T(prefix_needs_whole_first_half),
		T(plain_value_with_bar_whole),
		T(domain_ip_second_half_finds_ip),
		T(over_correlation_limit),
		T(related_events_newest_first),
		T(related_events_many_repeats),
		T(related_attributes_of_one),
		T(related_attributes_disabled_empty),
		T(related_attributes_over_limit),
		T(related_attributes_page_size),
		T(ip_finds_domain_ip),
		T(filename_md5_same_hash),
		T(ip_port_other_address_apart),
		cmocka_unit_test(net_key_ipv4_mapped),
		T(cidr_ipv6_both_ways),
		T(cidr_ipv4_nested_blocks),
		T(cidr_mapped_block_then_adds),
		T(cidr_ipv4_not_in_ipv6_any),
		T(cidr_disabled_ignored),
		T(cidr_related_attribute_value),
		T(cidr_over_correlation),
		T(lookups_use_indexes),
		T(exclusion_stops_value),
		T(exclusion_wildcard),
		T(ssdeep_similar_correlates),
		cmocka_unit_test(ssdeep_block_sizes),
		T(tlsh_similar_correlates),
		T(fuzzy_lookups_use_indexes),
		cmocka_unit_test(like_patterns),
		T(over_values_listed),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
