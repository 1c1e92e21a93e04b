/*
 * Unit tests of the store's audit log: the rows that generic changes
 * append, secrets kept out of them, the actor, pausing, and the query
 * with its filters.  Each test opens a real database file in a fresh
 * mkdtemp() directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "model/misp.h"
#include "store/internal.h"
#include "store/store.h"

#include <jansson.h>
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
	const char *tmp = getenv("TMPDIR");
	struct store_actor actor = {.user_id = 7,
				    .org_id = 3,
				    .authkey_id = 11,
				    .request_type = STORE_REQUEST_API,
				    .ip = "192.0.2.10",
				    .request_id = "req-1"};

	assert_non_null(f);
	buf_printf(&f->dir, "%s/cairn-audit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir.data));
	buf_printf(&f->path, "%s/cairn.db", f->dir.data);
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
	assert_int_equal(store_org_ensure(f->s, NULL, "ORGNAME", &f->org), 0);
	assert_int_equal(store_set_actor(f->s, &actor), 0);
	cairn_err_release(&e);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	const char *suffixes[] = {"", "-wal", "-shm"};

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

/* One audit row, copied out of the cursor. */
struct row {
	int64_t user_id, org_id, authkey_id, request_type, model_id, event_id;
	char action[32], model[32], ip[64], request_id[32];
	char title[256];
	json_t *change;
};

static void copy_text(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text ? text : "");
}

/* Reads the rows matching `filter`, newest first, into `rows`. */
static size_t read_rows(struct fixture *f, const struct store_audit_filter *filter,
			struct row *rows, size_t max)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store_audit_cursor *c;
	struct store_audit_row r;
	size_t n = 0;

	assert_int_equal(store_audit_query(f->s, filter, &c, &e), 0);
	while (store_audit_next(c, &r, &e) == 1) {
		assert_true(n < max);
		rows[n].user_id = r.user_id;
		rows[n].org_id = r.org_id;
		rows[n].authkey_id = r.authkey_id;
		rows[n].request_type = r.request_type;
		rows[n].model_id = r.model_id;
		rows[n].event_id = r.event_id;
		copy_text(rows[n].action, sizeof(rows[n].action), r.action);
		copy_text(rows[n].model, sizeof(rows[n].model), r.model);
		copy_text(rows[n].ip, sizeof(rows[n].ip), r.ip);
		copy_text(rows[n].request_id, sizeof(rows[n].request_id),
			  r.request_id);
		copy_text(rows[n].title, sizeof(rows[n].title), r.model_title);
		rows[n].change = r.change ? json_loads(r.change, 0, NULL) : NULL;
		n++;
	}
	store_audit_close(c);
	cairn_err_release(&e);
	return n;
}

static void free_rows(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(rows[i].change);
	}
}

static size_t rows_of(struct fixture *f, const char *model, struct row *rows,
		      size_t max)
{
	struct store_audit_filter filter = {.model = model};

	return read_rows(f, &filter, rows, max);
}

static int64_t add_event(struct fixture *f, const char *info)
{
	struct record ev;
	int64_t id;

	record_init(&ev, &model_event);
	record_set_int(&ev, EVENT_ORGC_ID, f->org);
	record_set_int(&ev, EVENT_ORG_ID, f->org);
	record_set_text(&ev, EVENT_INFO, info);
	record_set_int(&ev, EVENT_TIMESTAMP, 1700000000);
	assert_int_equal(store_insert(f->s, &ev, &id), 0);
	record_release(&ev);
	return id;
}

static const char *change_text(const struct row *r, const char *field)
{
	return json_string_value(json_object_get(r->change, field));
}

static void test_insert_row_has_actor_and_values(void **state)
{
	struct fixture *f = *state;
	struct row rows[4];
	int64_t id = add_event(f, "first event");
	size_t n = rows_of(f, "Event", rows, 4);

	assert_int_equal(n, 1);
	assert_string_equal(rows[0].action, "add");
	assert_int_equal(rows[0].model_id, id);
	assert_int_equal(rows[0].event_id, id);
	assert_string_equal(rows[0].title, "first event");
	assert_int_equal(rows[0].user_id, 7);
	assert_int_equal(rows[0].org_id, 3);
	assert_int_equal(rows[0].authkey_id, 11);
	assert_int_equal(rows[0].request_type, STORE_REQUEST_API);
	assert_string_equal(rows[0].ip, "192.0.2.10");
	assert_string_equal(rows[0].request_id, "req-1");
	assert_string_equal(change_text(&rows[0], "info"), "first event");
	/* MISP leaves timestamps out of every change. */
	assert_null(json_object_get(rows[0].change, "timestamp"));
	free_rows(rows, n);
}

static void test_update_row_has_old_and_new(void **state)
{
	struct fixture *f = *state;
	struct row rows[4];
	int64_t id = add_event(f, "before");
	struct record ev;
	json_t *pair;
	size_t n;

	record_init(&ev, &model_event);
	record_set_text(&ev, EVENT_INFO, "after");
	record_set_int(&ev, EVENT_THREAT_LEVEL_ID, 1);
	record_set_int(&ev, EVENT_TIMESTAMP, 1700000100);
	assert_int_equal(store_update(f->s, &ev, id), 0);
	record_release(&ev);

	n = rows_of(f, "Event", rows, 4);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].action, "edit");
	pair = json_object_get(rows[0].change, "info");
	assert_true(json_is_array(pair));
	assert_string_equal(json_string_value(json_array_get(pair, 0)),
			    "before");
	assert_string_equal(json_string_value(json_array_get(pair, 1)),
			    "after");
	pair = json_object_get(rows[0].change, "threat_level_id");
	assert_int_equal(json_integer_value(json_array_get(pair, 0)), 4);
	assert_int_equal(json_integer_value(json_array_get(pair, 1)), 1);
	assert_null(json_object_get(rows[0].change, "timestamp"));
	assert_int_equal(json_object_size(rows[0].change), 2);
	free_rows(rows, n);
}

static void test_update_without_change_adds_no_row(void **state)
{
	struct fixture *f = *state;
	struct row rows[4];
	int64_t id = add_event(f, "same");
	struct record ev;
	size_t n;

	record_init(&ev, &model_event);
	record_set_text(&ev, EVENT_INFO, "same");
	record_set_int(&ev, EVENT_TIMESTAMP, 1700000200);
	assert_int_equal(store_update(f->s, &ev, id), 0);
	record_release(&ev);
	n = rows_of(f, "Event", rows, 4);
	assert_int_equal(n, 1);
	free_rows(rows, n);
}

static void test_publish_and_soft_delete_actions(void **state)
{
	struct fixture *f = *state;
	struct row rows[8];
	int64_t event = add_event(f, "published later");
	struct record r;
	int64_t attr;
	size_t n;

	record_init(&r, &model_event);
	record_set_int(&r, EVENT_PUBLISHED, 1);
	assert_int_equal(store_update(f->s, &r, event), 0);
	record_release(&r);

	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, event);
	record_set_text(&r, ATTR_TYPE, "ip-dst");
	record_set_text(&r, ATTR_CATEGORY, "Network activity");
	record_set_text(&r, ATTR_VALUE, "198.51.100.7");
	assert_int_equal(store_insert(f->s, &r, &attr), 0);
	record_release(&r);
	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_DELETED, 1);
	assert_int_equal(store_update(f->s, &r, attr), 0);
	record_release(&r);

	n = rows_of(f, "Event", rows, 8);
	assert_string_equal(rows[0].action, "publish");
	free_rows(rows, n);
	n = rows_of(f, "Attribute", rows, 8);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].action, "soft_delete");
	assert_string_equal(rows[1].action, "add");
	assert_int_equal(rows[1].event_id, event);
	assert_string_equal(rows[1].title, "Network activity/ip-dst 198.51.100.7");
	free_rows(rows, n);
}

static void test_delete_row_has_old_values(void **state)
{
	struct fixture *f = *state;
	struct row rows[4];
	int64_t id = add_event(f, "to delete");
	size_t n;

	assert_int_equal(store_delete(f->s, &model_event, id), 0);
	n = rows_of(f, "Event", rows, 4);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].action, "delete");
	assert_int_equal(rows[0].model_id, id);
	assert_string_equal(change_text(&rows[0], "info"), "to delete");
	free_rows(rows, n);
}

static void test_user_rows_and_password_masked(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
	struct row rows[8];
	struct record u;
	int64_t id;
	size_t n;

	record_init(&u, &model_role);
	record_set_int(&u, ROLE_ID, 1);
	record_set_text(&u, ROLE_NAME, "admin");
	assert_int_equal(store_insert(f->s, &u, NULL), 0);
	record_release(&u);
	record_init(&u, &model_user);
	record_set_int(&u, USER_ORG_ID, f->org);
	record_set_int(&u, USER_ROLE_ID, 1);
	record_set_text(&u, USER_EMAIL, "someone@example.test");
	assert_int_equal(store_insert(f->s, &u, &id), 0);
	record_release(&u);
	assert_int_equal(store_user_password_set(f->s, id, hash, &e), 0);
	record_init(&u, &model_user);
	record_set_int(&u, USER_DISABLED, 1);
	record_set_int(&u, USER_CURRENT_LOGIN, 1700000000);
	assert_int_equal(store_update(f->s, &u, id), 0);
	record_release(&u);
	assert_int_equal(store_delete(f->s, &model_user, id), 0);

	n = rows_of(f, "User", rows, 8);
	assert_int_equal(n, 4);
	assert_string_equal(rows[3].action, "add");
	assert_string_equal(rows[3].title, "someone@example.test");
	assert_string_equal(rows[2].action, "edit");
	assert_string_equal(change_text(&rows[2], "password"), "*****");
	assert_string_equal(rows[1].action, "edit");
	assert_non_null(json_object_get(rows[1].change, "disabled"));
	assert_null(json_object_get(rows[1].change, "current_login"));
	assert_string_equal(rows[0].action, "delete");
	for (size_t i = 0; i < n; i++) {
		char *text = json_dumps(rows[i].change, 0);

		assert_null(strstr(text, "argon2id"));
		free(text);
	}
	free_rows(rows, n);
	cairn_err_release(&e);
}

static void test_tag_link_rows(void **state)
{
	struct fixture *f = *state;
	struct row rows[8];
	int64_t event = add_event(f, "tagged");
	struct record tag;
	int64_t tag_id;
	struct store_audit_filter filter = {.event_id = &event};
	size_t n;

	record_init(&tag, &model_tag);
	record_set_text(&tag, TAG_NAME, "tlp:amber");
	assert_int_equal(store_tag_ensure(f->s, &tag, &tag_id), 0);
	record_release(&tag);
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, event, tag_id, true,
					NULL),
			 0);
	/* Linking again changes nothing and adds no row. */
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, event, tag_id, true,
					NULL),
			 0);
	assert_int_equal(store_tag_unlink(f->s, STORE_EVENT, event, tag_id), 0);

	n = read_rows(f, &filter, rows, 8);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].action, "remove_local_tag");
	assert_string_equal(rows[1].action, "tag_local");
	assert_string_equal(rows[1].title, "tlp:amber");
	assert_string_equal(rows[1].model, "Event");
	assert_int_equal(rows[1].model_id, event);
	free_rows(rows, n);
}

static void test_cluster_link_row(void **state)
{
	struct fixture *f = *state;
	struct row rows[8];
	int64_t event = add_event(f, "with a cluster");
	struct store_audit_filter filter = {.event_id = &event,
					    .action = "galaxy"};
	struct record cluster;
	int64_t cluster_id;
	size_t n;

	record_init(&cluster, &model_cluster);
	record_set_text(&cluster, CLUSTER_UUID,
			"7cdff317-a673-4474-84ec-4f1754947823");
	record_set_text(&cluster, CLUSTER_VALUE, "APT 1");
	assert_int_equal(store_cluster_ensure(f->s, &cluster, "{}", "{}",
					      &cluster_id),
			 0);
	record_release(&cluster);
	assert_int_equal(store_cluster_link(f->s, STORE_EVENT, event,
					    cluster_id, false),
			 0);
	n = read_rows(f, &filter, rows, 8);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].title, "APT 1");
	assert_string_equal(rows[0].model, "Event");
	assert_int_equal(json_integer_value(json_object_get(
				 rows[0].change, "galaxy_cluster_id")),
			 cluster_id);
	free_rows(rows, n);
}

static void test_warninglist_toggle_row(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct row rows[4];
	json_t *pair;
	size_t n;

	assert_int_equal(store_warninglist_state_set(f->s, "List A", true, &e),
			 0);
	/* Setting the same state again is no change. */
	assert_int_equal(store_warninglist_state_set(f->s, "List A", true, &e),
			 0);
	n = rows_of(f, "Warninglist", rows, 4);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].title, "List A");
	pair = json_object_get(rows[0].change, "enabled");
	assert_int_equal(json_integer_value(json_array_get(pair, 0)), 0);
	assert_int_equal(json_integer_value(json_array_get(pair, 1)), 1);
	free_rows(rows, n);
	cairn_err_release(&e);
}

static void test_failed_change_leaves_no_row(void **state)
{
	struct fixture *f = *state;
	struct row rows[4];
	struct record r;
	size_t n;

	/* The attribute's event does not exist, so its foreign key fails. */
	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, 999);
	record_set_text(&r, ATTR_TYPE, "ip-dst");
	record_set_text(&r, ATTR_VALUE, "198.51.100.8");
	assert_int_equal(store_insert(f->s, &r, NULL), CAIRN_EINVAL);
	record_release(&r);
	assert_false(store_in_transaction(f->s));
	n = rows_of(f, "Attribute", rows, 4);
	assert_int_equal(n, 0);
}

static void test_rollback_drops_row(void **state)
{
	struct fixture *f = *state;
	struct row rows[4];
	size_t n;

	assert_int_equal(store_begin(f->s), 0);
	add_event(f, "rolled back");
	assert_int_equal(store_rollback(f->s), 0);
	n = rows_of(f, "Event", rows, 4);
	assert_int_equal(n, 0);
}

static void test_pause_and_append(void **state)
{
	struct fixture *f = *state;
	struct store_audit_entry entry = {"import", "Event", 5, "imported",
					  5, "{\"Attribute\":3}"};
	struct row rows[4];
	size_t n;

	store_audit_pause(f->s, true);
	add_event(f, "paused");
	assert_int_equal(store_audit_append(f->s, &entry), 0);
	store_audit_pause(f->s, false);
	n = rows_of(f, "Event", rows, 4);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].action, "import");
	assert_int_equal(json_integer_value(
				 json_object_get(rows[0].change, "Attribute")),
			 3);
	free_rows(rows, n);
}

static void test_actor_reset(void **state)
{
	struct fixture *f = *state;
	struct row rows[4];
	size_t n;

	assert_int_equal(store_set_actor(f->s, NULL), 0);
	add_event(f, "no actor");
	n = rows_of(f, "Event", rows, 4);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].user_id, 0);
	assert_int_equal(rows[0].authkey_id, 0);
	assert_string_equal(rows[0].ip, "");
	free_rows(rows, n);
}

static void test_query_filters(void **state)
{
	struct fixture *f = *state;
	struct row rows[8];
	int64_t first = add_event(f, "alpha 100%");
	int64_t user = 7, other = 8;
	struct store_audit_filter filter = {0};
	size_t n;

	add_event(f, "beta");
	add_event(f, "gamma");

	filter.model = "Event";
	filter.model_id = &first;
	assert_int_equal(read_rows(f, &filter, rows, 8), 1);
	free_rows(rows, 1);

	memset(&filter, 0, sizeof(filter));
	filter.model_title = "100%";
	assert_int_equal(read_rows(f, &filter, rows, 8), 1);
	assert_string_equal(rows[0].title, "alpha 100%");
	free_rows(rows, 1);

	memset(&filter, 0, sizeof(filter));
	filter.user_id = &user;
	filter.model = "Event";
	filter.limit = 2;
	assert_int_equal(read_rows(f, &filter, rows, 8), 2);
	assert_string_equal(rows[0].title, "gamma");
	free_rows(rows, 2);
	filter.offset = 2;
	assert_int_equal(read_rows(f, &filter, rows, 8), 1);
	assert_string_equal(rows[0].title, "alpha 100%");
	free_rows(rows, 1);

	memset(&filter, 0, sizeof(filter));
	filter.user_id = &other;
	assert_int_equal(read_rows(f, &filter, rows, 8), 0);

	memset(&filter, 0, sizeof(filter));
	filter.ip = "192.0.2.10";
	filter.action = "add";
	filter.created_from = 1;
	filter.created_to = INT64_MAX;
	n = read_rows(f, &filter, rows, 8);
	assert_int_equal(n, 3);
	free_rows(rows, n);

	memset(&filter, 0, sizeof(filter));
	filter.created_to = 1;
	assert_int_equal(read_rows(f, &filter, rows, 8), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup,         \
						fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_insert_row_has_actor_and_values),
		T(test_update_row_has_old_and_new),
		T(test_update_without_change_adds_no_row),
		T(test_publish_and_soft_delete_actions),
		T(test_delete_row_has_old_values),
		T(test_user_rows_and_password_masked),
		T(test_tag_link_rows),
		T(test_cluster_link_row),
		T(test_warninglist_toggle_row),
		T(test_failed_change_leaves_no_row),
		T(test_rollback_drops_row),
		T(test_pause_and_append),
		T(test_actor_reset),
		T(test_query_filters),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
