/*
 * Unit tests of the search translation: filters into conditions
 * (api/search_request.c), conditions into SQL (store/sqlite_search.c)
 * with its query plans, and the output driver (export/search_output.c)
 * feeding an export format row by row.
 *
 * The format here is a test writer handed to the output directly; the
 * product's format table is not touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/search.h"
#include "core/buf.h"
#include "model/misp.h"
#include "store/internal.h"
#include "store/search.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fixed clock, so relative times have known results. */
#define NOW 1700000000

struct fixture {
	struct buf dir;
	struct buf path;
	struct store *s;
	int64_t org;
	int64_t event[2];
	int64_t attribute[4];
	struct store_viewer viewer; /* an organisation other than the owner */
};

/* ---- parsing ---- */

static int parse(struct search_request *r, const char *body_text,
		 struct cairn_err *e)
{
	json_t *body = json_loads(body_text, 0, NULL);
	int rc;

	assert_non_null(body);
	rc = search_request_parse(r, SEARCH_EP_ATTRIBUTES, body, NULL, NULL,
				  NOW, e);
	json_decref(body);
	return rc;
}

static const struct store_search_cond *only_cond(struct search_request *r)
{
	assert_int_equal(r->q.nconds, 1);
	return &r->q.conds[0];
}

static void test_zero_values_filter(void **state)
{
	static const struct {
		const char *body;
		enum store_search_field field;
		const char *list;
	} cases[] = {
	    {"{\"value\": \"0\"}", SEARCH_VALUE, NULL},
	    {"{\"published\": false}", SEARCH_PUBLISHED, "[0]"},
	    {"{\"published\": \"0\"}", SEARCH_PUBLISHED, "[0]"},
	    {"{\"to_ids\": 0}", SEARCH_TO_IDS, "[0]"},
	    {"{\"threat_level_id\": \"0\"}", SEARCH_THREAT_LEVEL, "[0]"},
	    {"{\"eventid\": 0}", SEARCH_EVENT_ID, "[0]"},
	    {"{\"distribution\": 0}", SEARCH_DISTRIBUTION, "[0]"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cairn_err e = CAIRN_ERR_INIT;
		struct search_request r;
		const struct store_search_cond *c;

		assert_int_equal(parse(&r, cases[i].body, &e), 0);
		c = only_cond(&r);
		assert_int_equal(c->field, cases[i].field);
		assert_int_equal(c->op, SEARCH_IN);
		if (cases[i].list) {
			assert_string_equal(c->list, cases[i].list);
		} else {
			assert_non_null(strstr(c->list, "\"0\""));
		}
		search_request_release(&r);
		cairn_err_release(&e);
	}
}

static void test_bad_values_name_filter(void **state)
{
	static const struct {
		const char *body;
		const char *name;
	} cases[] = {
	    {"{\"frobnicate\": 1}", "'frobnicate'"},
	    {"{\"limit\": 0}", "'limit'"},
	    {"{\"page\": \"x\"}", "'page'"},
	    {"{\"last\": \"7y\"}", "'last'"},
	    {"{\"timestamp\": [1, \"soon\"]}", "'timestamp'"},
	    {"{\"to_ids\": 3}", "'to_ids'"},
	    {"{\"tags\": {\"XOR\": [\"a\"]}}", "'tags'"},
	    {"{\"eventid\": [1, \"x\"]}", "'eventid'"},
	    {"{\"value\": {\"OR\": [[\"nested\"]]}}", "'value'"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cairn_err e = CAIRN_ERR_INIT;
		struct search_request r;

		assert_int_equal(parse(&r, cases[i].body, &e), CAIRN_EINVAL);
		assert_non_null(strstr(buf_str(&e.message), cases[i].name));
		search_request_release(&r);
		cairn_err_release(&e);
	}
}

static void test_relative_and_ranged_times(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;
	int64_t seconds = 0;

	(void)state;
	assert_true(search_parse_delta("7d", &seconds));
	assert_int_equal(seconds, 7 * 86400);
	assert_true(search_parse_delta("12h", &seconds));
	assert_int_equal(seconds, 12 * 3600);
	assert_true(search_parse_delta("30m", &seconds));
	assert_int_equal(seconds, 1800);
	assert_false(search_parse_delta("7", &seconds));
	assert_false(search_parse_delta("d", &seconds));
	assert_false(search_parse_delta("7dd", &seconds));

	assert_int_equal(parse(&r, "{\"last\": \"7d\"}", &e), 0);
	assert_int_equal(only_cond(&r)->field, SEARCH_PUBLISH_TIMESTAMP);
	assert_int_equal(only_cond(&r)->op, SEARCH_GE);
	assert_int_equal(only_cond(&r)->number, NOW - 7 * 86400);
	search_request_release(&r);

	assert_int_equal(parse(&r, "{\"timestamp\": [\"2d\", 1699999999]}", &e),
			 0);
	assert_int_equal(r.q.nconds, 2);
	assert_int_equal(r.q.conds[0].op, SEARCH_GE);
	assert_int_equal(r.q.conds[0].number, NOW - 2 * 86400);
	assert_int_equal(r.q.conds[1].op, SEARCH_LE);
	assert_int_equal(r.q.conds[1].number, 1699999999);
	search_request_release(&r);

	assert_int_equal(parse(&r, "{\"from\": \"1d\", \"to\": 0}", &e), 0);
	assert_int_equal(r.q.nconds, 2);
	assert_string_equal(r.q.conds[0].text, "2023-11-13");
	assert_string_equal(r.q.conds[1].text, "1970-01-01");
	search_request_release(&r);

	assert_int_equal(parse(&r,
			       "{\"publish_timestamp\": "
			       "\"2023-11-14 22:13:20\"}",
			       &e),
			 0);
	assert_int_equal(only_cond(&r)->number, NOW);
	search_request_release(&r);
	cairn_err_release(&e);
}

static void test_tag_groups(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;

	(void)state;
	assert_int_equal(parse(&r,
			       "{\"tags\": {\"AND\": [\"a\", \"b\"], "
			       "\"OR\": [\"c\", \"d%\"], \"NOT\": [\"e\"]}}",
			       &e),
			 0);
	assert_int_equal(r.q.nconds, 4);
	assert_int_equal(r.q.conds[0].op, SEARCH_IN);
	assert_string_equal(r.q.conds[0].list, "[\"c\",\"d%\"]");
	assert_string_equal(r.q.conds[1].list, "[\"a\"]");
	assert_string_equal(r.q.conds[2].list, "[\"b\"]");
	assert_int_equal(r.q.conds[3].op, SEARCH_NOT_IN);
	assert_string_equal(r.q.conds[3].list, "[\"e\"]");
	search_request_release(&r);

	assert_int_equal(parse(&r, "{\"tags\": [\"x\", \"!y\"]}", &e), 0);
	assert_int_equal(r.q.nconds, 2);
	assert_string_equal(r.q.conds[0].list, "[\"x\"]");
	assert_int_equal(r.q.conds[1].op, SEARCH_NOT_IN);
	assert_string_equal(r.q.conds[1].list, "[\"y\"]");
	search_request_release(&r);
	cairn_err_release(&e);
}

static bool list_has(const char *list, const char *item)
{
	json_t *a = json_loads(list, 0, NULL);
	size_t i;
	json_t *v;
	bool found = false;

	json_array_foreach(a, i, v)
	{
		found = found || strcmp(json_string_value(v), item) == 0;
	}
	json_decref(a);
	return found;
}

static void test_values_normalised(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;

	(void)state;
	assert_int_equal(parse(&r, "{\"value\": \"2001:0DB8::0001\"}", &e), 0);
	assert_true(list_has(only_cond(&r)->list, "2001:db8::1"));
	assert_true(list_has(only_cond(&r)->list, "2001:0DB8::0001"));
	search_request_release(&r);

	assert_int_equal(parse(&r,
			       "{\"type\": \"md5\", \"value\": "
			       "\"D41D8CD98F00B204E9800998ECF8427E\"}",
			       &e),
			 0);
	assert_int_equal(r.q.nconds, 2);
	assert_int_equal(r.q.conds[1].field, SEARCH_VALUE);
	assert_true(
	    list_has(r.q.conds[1].list, "d41d8cd98f00b204e9800998ecf8427e"));
	search_request_release(&r);

	/* With a type filter, only that type's form is added. */
	assert_int_equal(parse(&r,
			       "{\"type\": \"text\", \"value\": "
			       "\"2001:0DB8::0001\"}",
			       &e),
			 0);
	assert_false(list_has(r.q.conds[1].list, "2001:db8::1"));
	search_request_release(&r);

	assert_int_equal(parse(&r, "{\"value\": [\"%.test\", \"a.test\"]}", &e),
			 0);
	assert_int_equal(only_cond(&r)->op, SEARCH_LIKE);
	search_request_release(&r);
	cairn_err_release(&e);
}

/* ---- SQL ---- */

static const char *tmp_root(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

static int64_t insert(struct fixture *f, struct record *r)
{
	int64_t id = 0;

	assert_int_equal(store_insert(f->s, r, &id), 0);
	record_release(r);
	return id;
}

static int64_t add_attribute(struct fixture *f, int64_t event, const char *type,
			     const char *value, int to_ids)
{
	struct record r;

	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, event);
	record_set_text(&r, ATTR_TYPE, type);
	record_set_text(&r, ATTR_CATEGORY, "Network activity");
	record_set_text(&r, ATTR_VALUE, value);
	record_set_int(&r, ATTR_TO_IDS, to_ids);
	return insert(f, &r);
}

static int64_t add_event(struct fixture *f, int published, const char *info)
{
	struct record r;

	record_init(&r, &model_event);
	record_set_int(&r, EVENT_ORG_ID, f->org);
	record_set_int(&r, EVENT_ORGC_ID, f->org);
	record_set_int(&r, EVENT_DISTRIBUTION, 3);
	record_set_int(&r, EVENT_PUBLISHED, published);
	record_set_text(&r, EVENT_INFO, info);
	return insert(f, &r);
}

static int64_t add_tag(struct fixture *f, const char *name)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_tag);
	record_set_text(&r, TAG_NAME, name);
	assert_int_equal(store_tag_ensure(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record org;

	buf_printf(&f->dir, "%s/cairn-search-XXXXXX", tmp_root());
	assert_non_null(mkdtemp(f->dir.data));
	buf_printf(&f->path, "%s/cairn.db", buf_str(&f->dir));
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
	record_init(&org, &model_org);
	record_set_text(&org, ORG_NAME, "owner");
	record_set_int(&org, ORG_LOCAL, 1);
	f->org = insert(f, &org);
	f->event[0] = add_event(f, 1, "published one");
	f->event[1] = add_event(f, 0, "draft");
	f->attribute[0] =
	    add_attribute(f, f->event[0], "ip-dst", "10.0.0.1", 1);
	f->attribute[1] = add_attribute(f, f->event[0], "domain", "a.test", 0);
	f->attribute[2] =
	    add_attribute(f, f->event[0], "ip-dst|port", "10.0.0.2|443", 1);
	f->attribute[3] =
	    add_attribute(f, f->event[1], "ip-dst", "10.0.0.1", 1);
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, f->event[0],
					add_tag(f, "tlp:white"), false, NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, f->attribute[1],
					add_tag(f, "kind:web"), false, NULL),
			 0);
	assert_int_equal(
	    store_viewer_load(f->s, 99, f->org + 1000, false, &f->viewer), 0);
	cairn_err_release(&e);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	struct buf cmd = BUF_INIT;

	store_viewer_release(&f->viewer);
	store_close(f->s);
	buf_printf(&cmd, "rm -rf '%s'", buf_str(&f->dir));
	assert_int_equal(system(buf_str(&cmd)), 0);
	buf_release(&cmd);
	buf_release(&f->dir);
	buf_release(&f->path);
	free(f);
	return 0;
}

static void test_sql_binds_every_value(void **state)
{
	struct fixture *f = *state;
	struct store_search q = {0};
	struct buf sql = BUF_INIT;
	static const char hostile[] = "[\"x'); DROP TABLE events; --\"]";

	assert_int_equal(
	    store_search_add(&q, SEARCH_VALUE, SEARCH_IN, hostile, 0, NULL), 0);
	assert_int_equal(
	    store_search_add(&q, SEARCH_TAG, SEARCH_NOT_IN, hostile, 0, NULL),
	    0);
	assert_int_equal(store_search_add(&q, SEARCH_SEARCHALL, SEARCH_LIKE,
					  NULL, 0, "%DROP%"),
			 0);
	assert_int_equal(
	    store_search_sql(&f->viewer, SEARCH_ATTRIBUTES, &q, &sql), 0);
	assert_null(strstr(buf_str(&sql), "DROP"));
	assert_non_null(strstr(buf_str(&sql), ":c0"));
	assert_non_null(strstr(buf_str(&sql), ":c2"));
	/* The visibility conditions are part of the same statement. */
	assert_non_null(strstr(buf_str(&sql), ":viewer_org"));
	buf_release(&sql);
}

static void test_sql_rejects_foreign_field(void **state)
{
	struct fixture *f = *state;
	struct store_search q = {0};
	struct buf sql = BUF_INIT;

	assert_int_equal(store_search_add(&q, SEARCH_SIGHTING_TYPE, SEARCH_IN,
					  "[0]", 0, NULL),
			 0);
	assert_int_equal(
	    store_search_sql(&f->viewer, SEARCH_ATTRIBUTES, &q, &sql),
	    CAIRN_EINVAL);
	assert_int_equal(
	    store_search_sql(&f->viewer, SEARCH_SIGHTINGS, &q, &sql), 0);
	buf_release(&sql);
}

static void plan_of(struct fixture *f, const struct store_search *q,
		    struct buf *plan)
{
	struct buf sql = BUF_INIT;
	struct buf full = BUF_INIT;
	sqlite3_stmt *st;

	assert_int_equal(
	    store_search_sql(&store_viewer_system, SEARCH_ATTRIBUTES, q, &sql),
	    0);
	buf_printf(&full, "EXPLAIN QUERY PLAN SELECT a.id FROM %s",
		   buf_str(&sql));
	assert_int_equal(
	    sqlite3_prepare_v2(store_db(f->s), buf_str(&full), -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_printf(plan, "%s\n", sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	buf_release(&sql);
	buf_release(&full);
}

static void test_value_search_uses_indexes(void **state)
{
	struct fixture *f = *state;
	struct store_search q = {0};
	struct buf plan = BUF_INIT;

	assert_int_equal(store_search_add(&q, SEARCH_VALUE, SEARCH_IN,
					  "[\"10.0.0.1\"]", 0, NULL),
			 0);
	plan_of(f, &q, &plan);
	assert_non_null(strstr(buf_str(&plan), "attributes_value "));
	assert_non_null(strstr(buf_str(&plan), "attributes_value2"));
	assert_null(strstr(buf_str(&plan), "SCAN a\n"));
	buf_release(&plan);
}

static int64_t count(struct fixture *f, const struct store_viewer *v,
		     const struct store_search *q)
{
	int64_t n = -1;

	assert_int_equal(store_search_count(f->s, v, SEARCH_ATTRIBUTES, q, &n),
			 0);
	return n;
}

static void test_counts_follow_filters(void **state)
{
	struct fixture *f = *state;
	struct store_search q = {0};

	assert_int_equal(count(f, &store_viewer_system, &q), 4);
	/* The other organisation sees the published event only. */
	assert_int_equal(count(f, &f->viewer, &q), 3);
	store_search_add(&q, SEARCH_VALUE, SEARCH_IN, "[\"10.0.0.1\"]", 0,
			 NULL);
	assert_int_equal(count(f, &store_viewer_system, &q), 2);
	assert_int_equal(count(f, &f->viewer, &q), 1);
	q.nconds = 0;
	store_search_add(&q, SEARCH_VALUE, SEARCH_IN, "[\"443\"]", 0, NULL);
	assert_int_equal(count(f, &store_viewer_system, &q), 1);
	q.nconds = 0;
	store_search_add(&q, SEARCH_TAG, SEARCH_IN, "[\"TLP:WHITE\"]", 0, NULL);
	assert_int_equal(count(f, &store_viewer_system, &q), 3);
	q.nconds = 0;
	store_search_add(&q, SEARCH_TAG, SEARCH_NOT_IN, "[\"kind:%\"]", 0,
			 NULL);
	assert_int_equal(count(f, &store_viewer_system, &q), 3);
	q.nconds = 0;
	store_search_add(&q, SEARCH_TO_IDS, SEARCH_IN, "[0]", 0, NULL);
	assert_int_equal(count(f, &store_viewer_system, &q), 1);
}

/* ---- the output driver with a test format ---- */

struct seen {
	int begun;
	int items;
	int ended;
	int tagged; /* items whose first tag is the attribute's own */
	int event_tags;
};

static int fmt_begin(void *state, const struct export_options *o,
		     struct buf *out, struct cairn_err *e)
{
	struct seen *s = state;

	(void)o;
	(void)e;
	s->begun++;
	return buf_adds(out, "begin\n");
}

static int fmt_item(void *state, const struct export_item *it, struct buf *out,
		    struct cairn_err *e)
{
	struct seen *s = state;

	(void)e;
	s->items++;
	if (it->nattribute_tags == 1 && strcmp(it->tags[0], "kind:web") == 0) {
		s->tagged++;
	}
	for (size_t i = it->nattribute_tags; i < it->ntags; i++) {
		if (strcmp(it->tags[i], "tlp:white") == 0) {
			s->event_tags++;
		}
	}
	return buf_printf(out, "%s %s\n",
			  record_text(it->attribute, ATTR_VALUE, ""),
			  record_text(it->event, EVENT_INFO, ""));
}

static struct seen *last_seen;

static int fmt_end(void *state, struct buf *out, struct cairn_err *e)
{
	struct seen *s = state;

	(void)e;
	s->ended++;
	*last_seen = *s;
	return buf_adds(out, "end\n");
}

static const struct export_format test_format = {
    "testfmt", "text/plain", true,    sizeof(struct seen),
    fmt_begin, fmt_item,     fmt_end, NULL,
};

static void test_format_driven_row_by_row(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;
	struct search_output_config cfg;
	struct search_output *o;
	struct buf out = BUF_INIT;
	struct seen seen = {0};
	size_t largest = 0;
	int calls = 0;
	int rc;

	last_seen = &seen;
	assert_int_equal(parse(&r, "{}", &e), 0);
	assert_int_equal(
	    search_prepare(&r, SEARCH_EP_ATTRIBUTES, NULL, &cfg, &e), 0);
	/* search_prepare() found no "testfmt" in the table; hand the test
	 * writer to the output as a table row would be. */
	cfg.format = &test_format;
	cfg.store = f->s;
	cfg.viewer = &store_viewer_system;
	assert_int_equal(search_output_open(&o, &cfg), 0);
	while ((rc = search_output_next(o, &out, &e)) == 1) {
		calls++;
		if (out.len > largest) {
			largest = out.len;
		}
		buf_clear(&out);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(seen.begun, 1);
	assert_int_equal(seen.ended, 1);
	assert_int_equal(seen.items, 4);
	assert_int_equal(seen.tagged, 1);
	assert_int_equal(seen.event_tags, 3);
	/* One piece per call: begin, four rows, the end of the rows, end. */
	assert_int_equal(calls, 7);
	assert_true(largest < 64);
	assert_int_equal(search_output_rows(o), 4);
	search_output_close(o);
	search_request_release(&r);
	buf_release(&out);
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zero_values_filter),
	    cmocka_unit_test(test_bad_values_name_filter),
	    cmocka_unit_test(test_relative_and_ranged_times),
	    cmocka_unit_test(test_tag_groups),
	    cmocka_unit_test(test_values_normalised),
	    cmocka_unit_test_setup_teardown(test_sql_binds_every_value,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_sql_rejects_foreign_field,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_value_search_uses_indexes,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_counts_follow_filters,
					    fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_format_driven_row_by_row,
					    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
