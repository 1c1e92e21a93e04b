/*
 * Unit tests of the visibility function (store/visibility.h) against a
 * real SQLite file: which sharing groups a viewer gets, which rows each
 * viewer may read through the store's queries, and the query plans of the
 * conditions.
 *
 * The fixture has four organisations: A, B and C are local, and R is
 * remote.  Sharing group 1 belongs to A and has member B.  Group 2
 * belongs to C and is open to every local organisation through a
 * server-0 row with all_orgs.  Group 3 belongs to R and has no member
 * rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "model/misp.h"
#include "model/sharing.h"
#include "store/internal.h"
#include "store/store.h"
#include "store/visibility.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ORG_A, ORG_B, ORG_C, ORG_R, NORGS };

struct fixture {
	struct buf dir;
	struct buf path;
	struct store *s;
	int64_t org[NORGS];
	int64_t sg[3];
	struct store_viewer viewer[NORGS + 1]; /* the last is a site admin */
};

#define ADMIN NORGS

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
	assert_true(id > 0);
	return id;
}

static int64_t add_org(struct fixture *f, const char *name, bool local)
{
	struct record r;

	record_init(&r, &model_org);
	record_set_text(&r, ORG_NAME, name);
	record_set_int(&r, ORG_LOCAL, local);
	return insert(f, &r);
}

static int64_t add_group(struct fixture *f, const char *name, int64_t owner)
{
	struct record r;

	record_init(&r, &model_sharing_group);
	record_set_text(&r, SG_NAME, name);
	record_set_int(&r, SG_ORG_ID, owner);
	return insert(f, &r);
}

static void add_member(struct fixture *f, int64_t sg, int64_t org)
{
	struct record r;

	record_init(&r, &model_sharing_group_org);
	record_set_int(&r, SGO_SHARING_GROUP_ID, sg);
	record_set_int(&r, SGO_ORG_ID, org);
	insert(f, &r);
}

static void add_server(struct fixture *f, int64_t sg, bool all_orgs)
{
	struct record r;

	record_init(&r, &model_sharing_group_server);
	record_set_int(&r, SGS_SHARING_GROUP_ID, sg);
	record_set_int(&r, SGS_SERVER_ID, 0);
	record_set_int(&r, SGS_ALL_ORGS, all_orgs);
	insert(f, &r);
}

static int64_t add_event(struct fixture *f, int64_t org, int distribution,
			 int64_t sg, bool published)
{
	struct record r;

	record_init(&r, &model_event);
	record_set_int(&r, EVENT_ORG_ID, org);
	record_set_int(&r, EVENT_ORGC_ID, org);
	record_set_int(&r, EVENT_DISTRIBUTION, distribution);
	record_set_int(&r, EVENT_SHARING_GROUP_ID, sg);
	record_set_int(&r, EVENT_PUBLISHED, published);
	record_set_text(&r, EVENT_INFO, "visibility");
	return insert(f, &r);
}

static int64_t add_object(struct fixture *f, int64_t event, int distribution,
			  int64_t sg)
{
	struct record r;

	record_init(&r, &model_object);
	record_set_int(&r, OBJ_EVENT_ID, event);
	record_set_text(&r, OBJ_NAME, "domain-ip");
	record_set_int(&r, OBJ_DISTRIBUTION, distribution);
	record_set_int(&r, OBJ_SHARING_GROUP_ID, sg);
	return insert(f, &r);
}

static int64_t add_attribute(struct fixture *f, int64_t event, int64_t object,
			     int distribution, int64_t sg, const char *value)
{
	struct record r;

	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, event);
	record_set_int(&r, ATTR_OBJECT_ID, object);
	record_set_text(&r, ATTR_TYPE, "ip-dst");
	record_set_text(&r, ATTR_CATEGORY, "Network activity");
	record_set_text(&r, ATTR_VALUE, value);
	record_set_int(&r, ATTR_DISTRIBUTION, distribution);
	record_set_int(&r, ATTR_SHARING_GROUP_ID, sg);
	return insert(f, &r);
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cairn_err e = CAIRN_ERR_INIT;

	assert_non_null(f);
	assert_int_equal(buf_printf(&f->dir, "%s/cairn-vis-XXXXXX",
				    tmp_root()),
			 0);
	assert_non_null(mkdtemp(f->dir.data));
	assert_int_equal(buf_printf(&f->path, "%s/cairn.db", f->dir.data), 0);
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
	f->org[ORG_A] = add_org(f, "A", true);
	f->org[ORG_B] = add_org(f, "B", true);
	f->org[ORG_C] = add_org(f, "C", true);
	f->org[ORG_R] = add_org(f, "R", false);
	f->sg[0] = add_group(f, "of A", f->org[ORG_A]);
	add_member(f, f->sg[0], f->org[ORG_B]);
	add_server(f, f->sg[0], false);
	f->sg[1] = add_group(f, "open", f->org[ORG_C]);
	add_server(f, f->sg[1], true);
	f->sg[2] = add_group(f, "of R", f->org[ORG_R]);
	for (int i = 0; i < NORGS; i++) {
		assert_int_equal(store_viewer_load(f->s, 100 + i, f->org[i],
						   false, &f->viewer[i]),
				 0);
	}
	assert_int_equal(store_viewer_load(f->s, 99, f->org[ORG_A], true,
					   &f->viewer[ADMIN]),
			 0);
	cairn_err_release(&e);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	const char *suffixes[] = {"", "-wal", "-shm"};

	for (int i = 0; i <= NORGS; i++) {
		store_viewer_release(&f->viewer[i]);
	}
	store_close(f->s);
	for (size_t i = 0; i < 3; i++) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s%s", f->path.data, suffixes[i]);
		unlink(b.data);
		buf_release(&b);
	}
	rmdir(f->dir.data);
	buf_release(&f->dir);
	buf_release(&f->path);
	free(f);
	return 0;
}

static int64_t count_query(struct fixture *f, const struct store_viewer *v,
			   enum store_query q, int64_t arg)
{
	struct store_cursor *c;
	struct record r;
	int64_t n = 0;
	int rc;

	assert_int_equal(store_query(f->s, v, q, arg, 0, &c), 0);
	while ((rc = store_cursor_next(c, &r)) == 1) {
		n++;
	}
	assert_int_equal(rc, 0);
	store_cursor_close(c);
	return n;
}

/* -------- the viewer's sharing groups -------- */

static void test_viewer_groups(void **state)
{
	struct fixture *f = *state;
	const struct store_viewer *v = f->viewer;

	/* A owns group 1; every local organisation gets group 2. */
	assert_int_equal(v[ORG_A].nsharing_groups, 2);
	assert_true(store_viewer_has_group(&v[ORG_A], f->sg[0]));
	assert_true(store_viewer_has_group(&v[ORG_A], f->sg[1]));
	assert_false(store_viewer_has_group(&v[ORG_A], f->sg[2]));
	/* B is a member of group 1. */
	assert_true(store_viewer_has_group(&v[ORG_B], f->sg[0]));
	assert_true(store_viewer_has_group(&v[ORG_B], f->sg[1]));
	assert_int_equal(v[ORG_C].nsharing_groups, 1);
	assert_true(store_viewer_has_group(&v[ORG_C], f->sg[1]));
	/* R is not local, so the all_orgs row does not open group 2 to it. */
	assert_int_equal(v[ORG_R].nsharing_groups, 1);
	assert_true(store_viewer_has_group(&v[ORG_R], f->sg[2]));
	assert_int_equal(v[ADMIN].nsharing_groups, 3);
	assert_string_equal(v[ORG_C].sharing_group_list, "[2]");
	assert_false(store_viewer_has_group(&v[ORG_C], 0));
}

/* -------- events -------- */

static bool sees_event(struct fixture *f, int viewer, int64_t event)
{
	int rc = store_visible(f->s, &f->viewer[viewer], STORE_KIND_EVENT,
			       event);

	assert_true(rc == 0 || rc == CAIRN_ENOTFOUND);
	return rc == 0;
}

static void test_event_levels(void **state)
{
	struct fixture *f = *state;

	for (int published = 0; published < 2; published++) {
		for (int level = 0; level <= 4; level++) {
			int64_t sg = level == 4 ? f->sg[0] : 0;
			int64_t ev = add_event(f, f->org[ORG_A], level, sg,
					       published);
			bool shared = published && level >= 1 && level <= 3;

			assert_true(sees_event(f, ORG_A, ev));
			assert_true(sees_event(f, ADMIN, ev));
			assert_int_equal(sees_event(f, ORG_B, ev),
					 shared || (published && level == 4));
			assert_int_equal(sees_event(f, ORG_C, ev), shared);
			assert_int_equal(sees_event(f, ORG_R, ev), shared);
		}
	}
	assert_false(sees_event(f, ADMIN, 424242));
}

static void test_event_index_filters(void **state)
{
	struct fixture *f = *state;

	add_event(f, f->org[ORG_A], 0, 0, true);
	add_event(f, f->org[ORG_A], 1, 0, true);
	add_event(f, f->org[ORG_A], 1, 0, false);
	add_event(f, f->org[ORG_C], 4, f->sg[1], true);
	assert_int_equal(count_query(f, &f->viewer[ADMIN], Q_EVENT_INDEX, 0),
			 4);
	assert_int_equal(count_query(f, &f->viewer[ORG_A], Q_EVENT_INDEX, 0),
			 4);
	assert_int_equal(count_query(f, &f->viewer[ORG_B], Q_EVENT_INDEX, 0),
			 2);
	assert_int_equal(count_query(f, &f->viewer[ORG_R], Q_EVENT_INDEX, 0),
			 1);
}

/* -------- attributes, objects, sightings, tags -------- */

static void test_attribute_levels(void **state)
{
	struct fixture *f = *state;
	int64_t ev = add_event(f, f->org[ORG_A], 1, 0, true);

	for (int level = 0; level <= 5; level++) {
		add_attribute(f, ev, 0, level, level == 4 ? f->sg[0] : 0,
			      "198.51.100.1");
	}
	assert_int_equal(count_query(f, &f->viewer[ORG_A], Q_EVENT_ATTRIBUTES,
				     ev),
			 6);
	assert_int_equal(count_query(f, &f->viewer[ADMIN], Q_EVENT_ATTRIBUTES,
				     ev),
			 6);
	/* levels 1, 2, 3, 5, and 4 for the member */
	assert_int_equal(count_query(f, &f->viewer[ORG_B], Q_EVENT_ATTRIBUTES,
				     ev),
			 5);
	assert_int_equal(count_query(f, &f->viewer[ORG_C], Q_EVENT_ATTRIBUTES,
				     ev),
			 4);
}

static void test_object_hides_its_attributes(void **state)
{
	struct fixture *f = *state;
	int64_t ev = add_event(f, f->org[ORG_A], 3, 0, true);
	int64_t hidden = add_object(f, ev, 0, 0);
	int64_t shown = add_object(f, ev, 5, 0);
	int64_t inside = add_attribute(f, ev, hidden, 5, 0, "192.0.2.7");

	add_attribute(f, ev, shown, 5, 0, "192.0.2.8");
	assert_int_equal(count_query(f, &f->viewer[ORG_C], Q_EVENT_OBJECTS,
				     ev),
			 1);
	assert_int_equal(count_query(f, &f->viewer[ORG_C],
				     Q_EVENT_OBJECT_ATTRIBUTES, ev),
			 1);
	assert_int_equal(count_query(f, &f->viewer[ORG_A],
				     Q_EVENT_OBJECT_ATTRIBUTES, ev),
			 2);
	assert_int_equal(store_visible(f->s, &f->viewer[ORG_C],
				       STORE_KIND_ATTRIBUTE, inside),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_visible(f->s, &f->viewer[ORG_C],
				       STORE_KIND_OBJECT, hidden),
			 CAIRN_ENOTFOUND);
	assert_int_equal(count_query(f, &f->viewer[ORG_C],
				     Q_OBJECT_ATTRIBUTES, hidden),
			 0);
	assert_int_equal(store_visible(f->s, &f->viewer[ORG_A],
				       STORE_KIND_ATTRIBUTE, inside),
			 0);
}

static void add_sighting(struct fixture *f, int64_t ev, int64_t attr,
			 int64_t org)
{
	struct record r;

	record_init(&r, &model_sighting);
	record_set_int(&r, SIGHT_EVENT_ID, ev);
	record_set_int(&r, SIGHT_ATTRIBUTE_ID, attr);
	record_set_int(&r, SIGHT_ORG_ID, org);
	insert(f, &r);
}

static void test_sightings_policy(void **state)
{
	struct fixture *f = *state;
	int64_t ev = add_event(f, f->org[ORG_A], 1, 0, true);
	int64_t attr = add_attribute(f, ev, 0, 5, 0, "203.0.113.9");

	add_sighting(f, ev, attr, f->org[ORG_A]);
	add_sighting(f, ev, attr, f->org[ORG_B]);
	add_sighting(f, ev, attr, f->org[ORG_C]);
	assert_int_equal(count_query(f, &f->viewer[ORG_A],
				     Q_ATTRIBUTE_SIGHTINGS, attr),
			 3);
	assert_int_equal(count_query(f, &f->viewer[ADMIN], Q_EVENT_SIGHTINGS,
				     ev),
			 3);
	assert_int_equal(count_query(f, &f->viewer[ORG_B],
				     Q_ATTRIBUTE_SIGHTINGS, attr),
			 1);
	assert_int_equal(count_query(f, &f->viewer[ORG_B], Q_EVENT_SIGHTINGS,
				     ev),
			 1);
	assert_int_equal(count_query(f, &f->viewer[ORG_R],
				     Q_ATTRIBUTE_SIGHTINGS, attr),
			 0);
}

static void test_restricted_tags(void **state)
{
	struct fixture *f = *state;
	int64_t ev = add_event(f, f->org[ORG_A], 1, 0, true);
	const char *names[] = {"tlp:clear", "c-only", "user-only"};
	int64_t ids[3];

	for (int i = 0; i < 3; i++) {
		struct record t;

		record_init(&t, &model_tag);
		record_set_text(&t, TAG_NAME, names[i]);
		record_set_int(&t, TAG_ORG_ID, i == 1 ? f->org[ORG_C] : 0);
		record_set_int(&t, TAG_USER_ID, i == 2 ? 100 + ORG_B : 0);
		ids[i] = insert(f, &t);
		assert_int_equal(store_tag_link(f->s, STORE_EVENT, ev, ids[i],
						false, NULL),
				 0);
	}
	assert_int_equal(count_query(f, &f->viewer[ORG_A], Q_EVENT_TAGS, ev),
			 1);
	assert_int_equal(count_query(f, &f->viewer[ORG_B], Q_EVENT_TAGS, ev),
			 2);
	assert_int_equal(count_query(f, &f->viewer[ORG_C], Q_EVENT_TAGS, ev),
			 2);
	assert_int_equal(count_query(f, &f->viewer[ADMIN], Q_EVENT_TAGS, ev),
			 3);
	assert_int_equal(count_query(f, &f->viewer[ORG_A], Q_TAG_INDEX, 0), 1);
	assert_int_equal(store_visible(f->s, &f->viewer[ORG_A], STORE_KIND_TAG,
				       ids[1]),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_visible(f->s, &f->viewer[ORG_C], STORE_KIND_TAG,
				       ids[1]),
			 0);
	assert_int_equal(store_visible(f->s, &f->viewer[ORG_A], STORE_KIND_TAG,
				       ids[0]),
			 0);
}

/* -------- correlation and search -------- */

static int64_t count_matches(struct fixture *f, const struct store_viewer *v,
			     const char *value)
{
	struct store_match_cursor *c;
	struct store_match m;
	int64_t n = 0;

	assert_int_equal(store_match_open(f->s, v, STORE_MATCH_VALUE, 0, value,
					  strlen(value), &c),
			 0);
	while (store_match_next(c, &m) == 1) {
		n++;
	}
	store_match_close(c);
	return n;
}

static void test_matches_hide_invisible_events(void **state)
{
	struct fixture *f = *state;
	int64_t open = add_event(f, f->org[ORG_A], 1, 0, true);
	int64_t draft = add_event(f, f->org[ORG_A], 1, 0, false);
	int64_t group = add_event(f, f->org[ORG_A], 4, f->sg[0], true);

	add_attribute(f, open, 0, 5, 0, "10.9.9.9");
	add_attribute(f, draft, 0, 5, 0, "10.9.9.9");
	add_attribute(f, group, 0, 5, 0, "10.9.9.9");
	add_attribute(f, open, 0, 0, 0, "10.9.9.9");
	assert_int_equal(count_matches(f, &f->viewer[ADMIN], "10.9.9.9"), 4);
	assert_int_equal(count_matches(f, &f->viewer[ORG_A], "10.9.9.9"), 4);
	assert_int_equal(count_matches(f, &f->viewer[ORG_B], "10.9.9.9"), 2);
	assert_int_equal(count_matches(f, &f->viewer[ORG_C], "10.9.9.9"), 1);
}

static int64_t count_search(struct fixture *f, const struct store_viewer *v,
			    const struct store_search *q)
{
	struct store_cursor *c;
	struct record r;
	int64_t n = 0;

	assert_int_equal(store_search_attributes(f->s, v, q, &c), 0);
	while (store_cursor_next(c, &r) == 1) {
		n++;
	}
	store_cursor_close(c);
	return n;
}

static void test_search_applies_visibility(void **state)
{
	struct fixture *f = *state;
	struct store_search q = {0};
	int64_t ev = add_event(f, f->org[ORG_A], 3, 0, true);

	for (int level = 0; level <= 5; level++) {
		add_attribute(f, ev, 0, level, level == 4 ? f->sg[0] : 0,
			      "172.16.0.1");
	}
	store_search_add(&q, SEARCH_VALUE, SEARCH_IN, "[\"172.16.0.1\"]", 0,
			 NULL);
	assert_int_equal(count_search(f, &f->viewer[ADMIN], &q), 6);
	assert_int_equal(count_search(f, &f->viewer[ORG_B], &q), 5);
	assert_int_equal(count_search(f, &f->viewer[ORG_C], &q), 4);
	q.limit = 3;
	q.page = 2;
	assert_int_equal(count_search(f, &f->viewer[ADMIN], &q), 3);
	store_search_add(&q, SEARCH_PUBLISHED, SEARCH_IN, "[0]", 0, NULL);
	assert_int_equal(count_search(f, &f->viewer[ADMIN], &q), 0);
}

/* -------- SQL text and query plans -------- */

static void test_admin_adds_no_condition(void **state)
{
	struct fixture *f = *state;
	struct buf sql = BUF_INIT;

	assert_int_equal(visibility_event(&sql, &f->viewer[ADMIN], "e"), 0);
	assert_int_equal(visibility_element(&sql, &f->viewer[ADMIN], "a", "e",
					    true),
			 0);
	assert_int_equal(sql.len, 0);
	assert_int_equal(visibility_event(&sql, &f->viewer[ORG_A], "e"), 0);
	assert_non_null(strstr(buf_str(&sql), ":viewer_org"));
	assert_non_null(strstr(buf_str(&sql), "e.published = 1"));
	buf_release(&sql);
}

/* Replaces every "from" in `text` by "to". */
static void replace_all(struct buf *out, const char *text, const char *from,
			const char *to)
{
	const char *hit;

	while ((hit = strstr(text, from)) != NULL) {
		assert_int_equal(buf_add(out, text, (size_t)(hit - text)), 0);
		assert_int_equal(buf_adds(out, to), 0);
		text = hit + strlen(from);
	}
	assert_int_equal(buf_adds(out, text), 0);
}

/* The conditions on a count table's class columns are the row conditions
 * with the columns renamed, for every viewer. */
static void test_class_conditions_match_rows(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i <= NORGS; i++) {
		const struct store_viewer *v = &f->viewer[i];
		struct buf rows = BUF_INIT, step1 = BUF_INIT, step2 = BUF_INIT;
		struct buf renamed = BUF_INIT, cls = BUF_INIT;

		assert_int_equal(visibility_event(&rows, v, "e"), 0);
		assert_int_equal(visibility_element(&rows, v, "a", "e", false),
				 0);
		assert_int_equal(visibility_element(&rows, v, "o", "e", true),
				 0);
		assert_int_equal(visibility_event_class(&cls, v, "c.e"), 0);
		assert_int_equal(visibility_element_class(&cls, v, "c.a", "c.e",
							  false),
				 0);
		assert_int_equal(visibility_element_class(&cls, v, "c.o", "c.e",
							  true),
				 0);
		replace_all(&step1, buf_str(&rows), "e.", "c.e_");
		replace_all(&step2, buf_str(&step1), "a.", "c.a_");
		replace_all(&renamed, buf_str(&step2), "o.", "c.o_");
		assert_string_equal(buf_str(&renamed), buf_str(&cls));
		assert_int_equal(cls.len == 0, v->site_admin);
		buf_release(&rows);
		buf_release(&step1);
		buf_release(&step2);
		buf_release(&renamed);
		buf_release(&cls);
	}
}

/* Returns the EXPLAIN QUERY PLAN details of `text`, one a line. */
static void query_plan(struct fixture *f, const struct store_viewer *v,
		       const char *text, struct buf *plan)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;

	buf_printf(&sql, "EXPLAIN QUERY PLAN %s", text);
	assert_int_equal(visibility_event(&sql, v, "e"), 0);
	assert_int_equal(visibility_element(&sql, v, "a", "e", false), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), buf_str(&sql), -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(visibility_bind(st, v), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_printf(plan, "%s\n", sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	buf_release(&sql);
}

static void test_plan_uses_indexes(void **state)
{
	struct fixture *f = *state;
	struct buf plan = BUF_INIT;

	query_plan(f, &f->viewer[ORG_B],
		   "SELECT a.id FROM attributes a JOIN events e"
		   " ON e.id = a.event_id WHERE a.type IN"
		   " (SELECT value FROM json_each('[\"ip-dst\"]'))",
		   &plan);
	assert_non_null(strstr(buf_str(&plan), "attributes_type"));
	assert_non_null(strstr(buf_str(&plan), "INTEGER PRIMARY KEY"));
	assert_null(strstr(buf_str(&plan), "SCAN a"));
	buf_clear(&plan);
	query_plan(f, &f->viewer[ORG_B],
		   "SELECT a.id FROM attributes a JOIN events e"
		   " ON e.id = a.event_id WHERE a.value = '10.0.0.1'",
		   &plan);
	assert_non_null(strstr(buf_str(&plan), "attributes_value"));
	buf_release(&plan);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup,         \
						fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_viewer_groups),
		T(test_event_levels),
		T(test_event_index_filters),
		T(test_attribute_levels),
		T(test_object_hides_its_attributes),
		T(test_sightings_policy),
		T(test_restricted_tags),
		T(test_matches_hide_invisible_events),
		T(test_search_applies_visibility),
		T(test_admin_adds_no_condition),
		T(test_plan_uses_indexes),
		T(test_class_conditions_match_rows),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
