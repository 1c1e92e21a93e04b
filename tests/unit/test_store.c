/*
 * Unit tests of the SQLite store: each test opens a real database file in
 * a fresh mkdtemp() directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tmpdb.h"

#include "core/buf.h"
#include "model/misp.h"
#include "store/internal.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	tmpdb_make(&f->dir, &f->path, "store");
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

static int64_t add_event(struct fixture *f, const char *uuid, const char *info)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_event);
	record_set_int(&r, EVENT_ORG_ID, f->org);
	record_set_int(&r, EVENT_ORGC_ID, f->org);
	record_set_text(&r, EVENT_INFO, info);
	if (uuid) {
		record_set_text(&r, EVENT_UUID, uuid);
	}
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	assert_true(id > 0);
	return id;
}

static int64_t add_object(struct fixture *f, int64_t event, const char *name)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_object);
	record_set_int(&r, OBJ_EVENT_ID, event);
	record_set_text(&r, OBJ_NAME, name);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_attribute(struct fixture *f, int64_t event, int64_t object,
			     const char *value)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, event);
	record_set_int(&r, ATTR_OBJECT_ID, object);
	record_set_text(&r, ATTR_TYPE, "ip-dst");
	record_set_text(&r, ATTR_CATEGORY, "Network activity");
	record_set_text(&r, ATTR_VALUE, value);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
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

static int64_t add_sighting(struct fixture *f, int64_t event, int64_t attr)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_sighting);
	record_set_int(&r, SIGHT_EVENT_ID, event);
	record_set_int(&r, SIGHT_ATTRIBUTE_ID, attr);
	record_set_int(&r, SIGHT_ORG_ID, f->org);
	record_set_int(&r, SIGHT_DATE_SIGHTING, 1700000000);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_cluster(struct fixture *f, const char *uuid,
			   const char *value, const char *cluster_json)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_cluster);
	record_set_text(&r, CLUSTER_UUID, uuid);
	record_set_text(&r, CLUSTER_TYPE, "threat-actor");
	record_set_text(&r, CLUSTER_VALUE, value);
	assert_int_equal(store_cluster_ensure(f->s, &r, "{\"name\":\"g\"}",
					      cluster_json, &id),
			 0);
	record_release(&r);
	return id;
}

static void set_deleted(struct fixture *f, const struct model *m, int field,
			int64_t id)
{
	struct record r;

	record_init(&r, m);
	record_set_int(&r, field, 1);
	assert_int_equal(store_update(f->s, &r, id), 0);
	record_release(&r);
}

/* Reads every row of a query: the id field (index 0) and parent of each,
 * up to `max` rows.  Returns the row count. */
static int query_ids(struct fixture *f, enum store_query q, int64_t arg,
		     unsigned flags, int64_t *ids, int64_t *parents, int max)
{
	struct store_cursor *c;
	struct record r;
	int n = 0;
	int rc;

	assert_int_equal(
		store_query(f->s, &store_viewer_system, q, arg, flags, &c), 0);
	while ((rc = store_cursor_next(c, &r)) == 1) {
		assert_true(n < max);
		ids[n] = record_int(&r, 0, -1);
		if (parents) {
			parents[n] = store_cursor_parent(c);
		}
		n++;
	}
	assert_int_equal(rc, 0);
	store_cursor_close(c);
	return n;
}

static int64_t count_rows(struct fixture *f, const struct model *m,
			  const char *column, int64_t value)
{
	int64_t n = -1;

	assert_int_equal(store_count(f->s, m, column, value, &n), 0);
	return n;
}

/* -------- schema -------- */

static void test_open_schema_version(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_schema_version(f->s), schema_latest());
	assert_true(schema_latest() >= 1);
}

static int64_t mmap_size(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t size;

	assert_int_equal(
	    sqlite3_prepare_v2(db, "PRAGMA mmap_size", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	size = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return size;
}

static void test_set_mapped_toggles_map(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mmap_size(store_db(f->s)), 1073741824);
	assert_int_equal(store_set_mapped(f->s, false), 0);
	assert_int_equal(mmap_size(store_db(f->s)), 0);
	assert_int_equal(store_set_mapped(f->s, true), 0);
	assert_int_equal(mmap_size(store_db(f->s)), 1073741824);
}

/* Returns true when `table` has a column named `column`. */
static bool table_has_column(sqlite3 *db, const char *table,
			     const char *column)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	bool found = false;

	/* PRAGMA takes no parameters; table names come from the models. */
	buf_printf(&sql, "PRAGMA table_info(%s)", table);
	assert_int_equal(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (strcmp(name, column) == 0) {
			found = true;
		}
	}
	sqlite3_finalize(st);
	buf_release(&sql);
	return found;
}

static void test_schema_has_every_field(void **state)
{
	static const struct model *const models[] = {
		&model_org,	  &model_event,	  &model_attribute,
		&model_object,	  &model_reference, &model_tag,
		&model_sighting, &model_report,	  &model_shadow,
		&model_cluster,  &model_role,	  &model_user,
		&model_organisation, &model_authkey,
	};
	static const char *const link_columns[][2] = {
		{"event_tags", "local"},
		{"event_tags", "relationship_type"},
		{"attribute_tags", "local"},
		{"attribute_tags", "relationship_type"},
		{"event_clusters", "local"},
		{"attribute_clusters", "local"},
		{"galaxy_clusters", "galaxy_json"},
		{"galaxy_clusters", "cluster_json"},
	};
	struct fixture *f = *state;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path.data, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		const struct model *m = models[i];

		for (size_t j = 0; j < m->nfields; j++) {
			const struct field *fd = &m->fields[j];

			if (fd->flags & (F_LINK | F_NOSTORE)) {
				continue;
			}
			if (!table_has_column(db, m->table, fd->column)) {
				fail_msg("column '%s' missing from table '%s'",
					 fd->column, m->table);
			}
		}
	}
	for (size_t i = 0; i < sizeof(link_columns) / sizeof(link_columns[0]);
	     i++) {
		if (!table_has_column(db, link_columns[i][0],
				      link_columns[i][1])) {
			fail_msg("column '%s' missing from table '%s'",
				 link_columns[i][1], link_columns[i][0]);
		}
	}
	sqlite3_close(db);
}

static void test_reopen_runs_no_migration(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store *again = NULL;
	int64_t event = add_event(f, NULL, "kept across reopen");
	int64_t found = 0;
	struct buf pragma = BUF_INIT;
	sqlite3 *db;
	int applied = -1;

	store_close(f->s);
	f->s = NULL;

	/* The version records that every migration ran, so none runs again. */
	assert_int_equal(sqlite3_open(f->path.data, &db), SQLITE_OK);
	assert_int_equal(schema_migrate(db, &applied, &e), 0);
	assert_int_equal(applied, 0);
	sqlite3_close(db);

	assert_int_equal(store_open(&again, f->path.data, &e), 0);
	assert_int_equal(store_schema_version(again), schema_latest());
	assert_int_equal(store_find(again, &model_event, "info",
				    "kept across reopen", &found),
			 0);
	assert_int_equal(found, event);
	store_close(again);

	/* Migration 1 creates tables, so running it twice would fail: a
	 * version reset to 0 shows that the version alone guards it. */
	assert_int_equal(sqlite3_open(f->path.data, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&again, f->path.data, &e), CAIRN_ESTORE);
	assert_null(again);
	assert_non_null(strstr(buf_str(&e.message), "already exists"));
	cairn_err_release(&e);

	assert_int_equal(sqlite3_open(f->path.data, &db), SQLITE_OK);
	assert_int_equal(schema_migrate(db, &applied, &e), CAIRN_ESTORE);
	sqlite3_close(db);
	cairn_err_release(&e);

	/* Leave the file valid for the teardown's store_close(). */
	assert_int_equal(sqlite3_open(f->path.data, &db), SQLITE_OK);
	assert_int_equal(buf_printf(&pragma, "PRAGMA user_version = %d",
				    schema_latest()),
			 0);
	sqlite3_exec(db, buf_str(&pragma), NULL, NULL, NULL);
	sqlite3_close(db);
	buf_release(&pragma);
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
}

static void test_migrate_fresh_database(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf path = BUF_INIT;
	sqlite3 *db;
	int applied = -1;

	buf_printf(&path, "%s/fresh.db", f->dir.data);
	assert_int_equal(sqlite3_open(path.data, &db), SQLITE_OK);
	assert_int_equal(schema_migrate(db, &applied, &e), 0);
	assert_int_equal(applied, schema_latest());
	assert_int_equal(schema_migrate(db, &applied, &e), 0);
	assert_int_equal(applied, 0);
	sqlite3_close(db);
	unlink(path.data);
	buf_release(&path);
}

static void test_open_rejects_newer_schema(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf path = BUF_INIT;
	struct store *s = NULL;
	sqlite3 *db;

	buf_printf(&path, "%s/newer.db", f->dir.data);
	assert_int_equal(sqlite3_open(path.data, &db), SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, path.data, &e), CAIRN_ESTORE);
	assert_null(s);
	assert_non_null(strstr(buf_str(&e.message), "newer"));
	cairn_err_release(&e);
	unlink(path.data);
	buf_release(&path);
}

/* -------- generic row operations -------- */

static void test_event_insert_get(void **state)
{
	struct fixture *f = *state;
	const char *uuid = "5f1d2c3b-aaaa-4bbb-8ccc-0123456789ab";
	int64_t id = add_event(f, uuid, "first event");
	struct record r;

	record_init(&r, &model_event);
	assert_int_equal(store_get(f->s, &model_event, id, &r), 0);
	assert_int_equal(record_int(&r, EVENT_ID, 0), id);
	assert_string_equal(record_text(&r, EVENT_UUID, ""), uuid);
	assert_string_equal(record_text(&r, EVENT_INFO, ""), "first event");
	assert_int_equal(record_int(&r, EVENT_ORG_ID, 0), f->org);

	/* Unset fields took the column defaults. */
	assert_int_equal(record_int(&r, EVENT_PUBLISHED, -1), 0);
	assert_int_equal(record_int(&r, EVENT_THREAT_LEVEL_ID, -1), 4);
	assert_int_equal(record_int(&r, EVENT_DISTRIBUTION, -1), 0);
	assert_string_equal(record_text(&r, EVENT_EXTENDS_UUID, "x"), "");
	assert_int_equal(strlen(record_text(&r, EVENT_DATE, "")), 10);
	assert_true(r.v[EVENT_PROTECTED].set);
	assert_true(r.v[EVENT_PROTECTED].null);

	/* The record owns its strings. */
	assert_ptr_equal(r.v[EVENT_INFO].s, r.owned[EVENT_INFO]);
	assert_ptr_equal(r.v[EVENT_UUID].s, r.owned[EVENT_UUID]);
	record_release(&r);
}

static void test_event_default_uuid(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_event(f, NULL, "a");
	int64_t b = add_event(f, NULL, "b");
	struct record ra;
	struct record rb;
	const char *ua;

	record_init(&ra, &model_event);
	record_init(&rb, &model_event);
	assert_int_equal(store_get(f->s, &model_event, a, &ra), 0);
	assert_int_equal(store_get(f->s, &model_event, b, &rb), 0);
	ua = record_text(&ra, EVENT_UUID, "");
	assert_int_equal(strlen(ua), 36);
	assert_int_equal(ua[14], '4');
	assert_non_null(strchr("89ab", ua[19]));
	assert_string_not_equal(ua, record_text(&rb, EVENT_UUID, ""));
	record_release(&ra);
	record_release(&rb);
}

static void test_event_update(void **state)
{
	struct fixture *f = *state;
	int64_t id = add_event(f, NULL, "before");
	struct record r;

	record_init(&r, &model_event);
	record_set_text(&r, EVENT_INFO, "after");
	record_set_int(&r, EVENT_PUBLISHED, 1);
	record_set_null(&r, EVENT_PROTECTED);
	/* A set id is not written by an update. */
	record_set_int(&r, EVENT_ID, id + 100);
	assert_int_equal(store_update(f->s, &r, id), 0);
	record_release(&r);

	record_init(&r, &model_event);
	assert_int_equal(store_get(f->s, &model_event, id, &r), 0);
	assert_string_equal(record_text(&r, EVENT_INFO, ""), "after");
	assert_int_equal(record_int(&r, EVENT_PUBLISHED, 0), 1);
	assert_int_equal(record_int(&r, EVENT_ORG_ID, 0), f->org);
	record_release(&r);

	record_init(&r, &model_event);
	record_set_text(&r, EVENT_INFO, "nobody");
	assert_int_equal(store_update(f->s, &r, id + 100), CAIRN_ENOTFOUND);
	record_release(&r);

	/* An update with nothing set still reports a missing row. */
	record_init(&r, &model_event);
	assert_int_equal(store_update(f->s, &r, id), 0);
	assert_int_equal(store_update(f->s, &r, id + 100), CAIRN_ENOTFOUND);
	record_release(&r);
}

static void test_event_find_delete(void **state)
{
	struct fixture *f = *state;
	const char *uuid = "0b8f6f4c-1111-4222-8333-444455556666";
	int64_t id = add_event(f, uuid, "to delete");
	int64_t found = 0;
	struct record r;

	assert_int_equal(store_find(f->s, &model_event, "uuid", uuid, &found),
			 0);
	assert_int_equal(found, id);
	assert_int_equal(store_find(f->s, &model_event, "id", "0", &found),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_delete(f->s, &model_event, id), 0);
	assert_int_equal(store_delete(f->s, &model_event, id),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_find(f->s, &model_event, "uuid", uuid, &found),
			 CAIRN_ENOTFOUND);
	record_init(&r, &model_event);
	assert_int_equal(store_get(f->s, &model_event, id, &r),
			 CAIRN_ENOTFOUND);
	record_release(&r);
}

static void test_event_duplicate_uuid(void **state)
{
	struct fixture *f = *state;
	const char *uuid = "77777777-1111-4222-8333-444455556666";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record r;
	int64_t id;

	add_event(f, uuid, "original");
	record_init(&r, &model_event);
	record_set_int(&r, EVENT_ORG_ID, f->org);
	record_set_int(&r, EVENT_ORGC_ID, f->org);
	record_set_text(&r, EVENT_UUID, uuid);
	assert_int_equal(store_insert(f->s, &r, &id), CAIRN_EEXIST);
	record_release(&r);
	assert_int_equal(store_error(f->s, &e), CAIRN_EEXIST);
	assert_non_null(strstr(buf_str(&e.message), "events.uuid"));
	cairn_err_release(&e);
}

static void test_attribute_crud(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "attributes");
	int64_t id = add_attribute(f, event, 0, "198.51.100.7");
	int64_t found = 0;
	struct record r;

	record_init(&r, &model_attribute);
	assert_int_equal(store_get(f->s, &model_attribute, id, &r), 0);
	assert_string_equal(record_text(&r, ATTR_VALUE, ""), "198.51.100.7");
	assert_string_equal(record_text(&r, ATTR_TYPE, ""), "ip-dst");
	assert_int_equal(record_int(&r, ATTR_EVENT_ID, 0), event);
	assert_int_equal(record_int(&r, ATTR_OBJECT_ID, -1), 0);
	assert_int_equal(record_int(&r, ATTR_DISTRIBUTION, -1), 5);
	assert_int_equal(record_int(&r, ATTR_TO_IDS, -1), 0);
	assert_string_equal(record_text(&r, ATTR_COMMENT, "x"), "");
	assert_true(r.v[ATTR_FIRST_SEEN].null);
	assert_true(r.v[ATTR_OBJECT_RELATION].null);
	record_release(&r);

	record_init(&r, &model_attribute);
	record_set_text(&r, ATTR_COMMENT, "seen in a phishing run");
	record_set_int(&r, ATTR_TO_IDS, 1);
	assert_int_equal(store_update(f->s, &r, id), 0);
	record_release(&r);

	record_init(&r, &model_attribute);
	assert_int_equal(store_get(f->s, &model_attribute, id, &r), 0);
	assert_string_equal(record_text(&r, ATTR_COMMENT, ""),
			    "seen in a phishing run");
	assert_int_equal(record_int(&r, ATTR_TO_IDS, 0), 1);
	assert_string_equal(record_text(&r, ATTR_VALUE, ""), "198.51.100.7");
	record_release(&r);

	assert_int_equal(store_find(f->s, &model_attribute, "value",
				    "198.51.100.7", &found),
			 0);
	assert_int_equal(found, id);
	assert_int_equal(count_rows(f, &model_attribute, "event_id", event), 1);
	assert_int_equal(store_delete(f->s, &model_attribute, id), 0);
	assert_int_equal(count_rows(f, &model_attribute, "event_id", event), 0);
	assert_int_equal(store_find(f->s, &model_attribute, "value",
				    "198.51.100.7", &found),
			 CAIRN_ENOTFOUND);
}

static void test_attribute_missing_event(void **state)
{
	struct fixture *f = *state;
	struct record r;
	int64_t id;

	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, 4242);
	record_set_text(&r, ATTR_TYPE, "domain");
	record_set_text(&r, ATTR_VALUE, "example.org");
	assert_int_equal(store_insert(f->s, &r, &id), CAIRN_EINVAL);
	record_release(&r);

	/* A required column without a value is also invalid input. */
	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, add_event(f, NULL, "e"));
	record_set_text(&r, ATTR_TYPE, "domain");
	assert_int_equal(store_insert(f->s, &r, &id), CAIRN_EINVAL);
	record_release(&r);
}

static void test_attribute_duplicate_value(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "duplicates");
	int64_t other = add_event(f, NULL, "elsewhere");
	int64_t object = add_object(f, event, "ip-port");
	int64_t first = add_attribute(f, event, 0, "192.0.2.1");
	int64_t id = 0;

	add_attribute(f, event, object, "192.0.2.2");
	add_attribute(f, other, 0, "192.0.2.3");
	assert_int_equal(store_attribute_duplicate(f->s, event, "ip-dst",
						   "Network activity",
						   "192.0.2.1", &id),
			 0);
	assert_int_equal(id, first);
	/* Another type or category, or a value only inside an object or in
	 * another event, is no duplicate. */
	assert_int_equal(store_attribute_duplicate(f->s, event, "ip-src",
						   "Network activity",
						   "192.0.2.1", &id),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_attribute_duplicate(f->s, event, "ip-dst",
						   "External analysis",
						   "192.0.2.1", &id),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_attribute_duplicate(f->s, event, "ip-dst",
						   "Network activity",
						   "192.0.2.2", &id),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_attribute_duplicate(f->s, event, "ip-dst",
						   "Network activity",
						   "192.0.2.3", &id),
			 CAIRN_ENOTFOUND);
	/* A soft-deleted attribute is no duplicate either. */
	set_deleted(f, &model_attribute, ATTR_DELETED, first);
	assert_int_equal(store_attribute_duplicate(f->s, event, "ip-dst",
						   "Network activity",
						   "192.0.2.1", &id),
			 CAIRN_ENOTFOUND);
}

static void test_attribute_duplicate_uuid(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "dup");
	const char *uuid = "11111111-2222-4333-8444-555566667777";
	struct record r;
	int64_t id;

	record_init(&r, &model_attribute);
	record_set_int(&r, ATTR_EVENT_ID, event);
	record_set_text(&r, ATTR_TYPE, "domain");
	record_set_text(&r, ATTR_VALUE, "example.org");
	record_set_text(&r, ATTR_UUID, uuid);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	assert_int_equal(store_insert(f->s, &r, &id), CAIRN_EEXIST);
	record_release(&r);
}

static void test_insert_many_masks(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "masks");

	/* More distinct field sets than the statement cache has slots. */
	for (int i = 0; i < 20; i++) {
		struct record r;
		struct buf value = BUF_INIT;
		int64_t id;

		record_init(&r, &model_attribute);
		record_set_int(&r, ATTR_EVENT_ID, event);
		record_set_text(&r, ATTR_TYPE, "text");
		buf_printf(&value, "value %d", i);
		record_set_text(&r, ATTR_VALUE, value.data);
		if (i & 1) {
			record_set_int(&r, ATTR_TO_IDS, 1);
		}
		if (i & 2) {
			record_set_text(&r, ATTR_COMMENT, "c");
		}
		if (i & 4) {
			record_set_int(&r, ATTR_TIMESTAMP, i);
		}
		if (i & 8) {
			record_set_int(&r, ATTR_DISTRIBUTION, 1);
		}
		if (i & 16) {
			record_set_null(&r, ATTR_FIRST_SEEN);
		}
		assert_int_equal(store_insert(f->s, &r, &id), 0);
		record_release(&r);
		buf_release(&value);
	}
	assert_int_equal(count_rows(f, &model_attribute, "event_id", event),
			 20);
}

static void test_role_fixed_id(void **state)
{
	struct fixture *f = *state;
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_role);
	record_set_int(&r, ROLE_ID, 6);
	record_set_text(&r, ROLE_NAME, "Read Only");
	record_set_int(&r, ROLE_PERM_AUTH, 1);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	assert_int_equal(id, 6);
	assert_int_equal(store_insert(f->s, &r, &id), CAIRN_EEXIST);
	record_release(&r);

	record_init(&r, &model_role);
	assert_int_equal(store_get(f->s, &model_role, 6, &r), 0);
	assert_string_equal(record_text(&r, ROLE_NAME, ""), "Read Only");
	assert_int_equal(record_int(&r, ROLE_PERM_AUTH, 0), 1);
	assert_int_equal(record_int(&r, ROLE_PERM_ADMIN, -1), 0);
	record_release(&r);
}

static void test_find_rejects_unknown_column(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	int64_t id;
	int64_t n;

	assert_int_equal(store_find(f->s, &model_event, "info = '' OR 1=1 --",
				    "x", &id),
			 CAIRN_EINVAL);
	assert_int_equal(store_error(f->s, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "not a column"));
	cairn_err_release(&e);
	/* A link field is not a column of the tag table. */
	assert_int_equal(store_find(f->s, &model_tag, "local", "1", &id),
			 CAIRN_EINVAL);
	/* A field's JSON name is not its column. */
	assert_int_equal(store_find(f->s, &model_object, "meta-category", "x",
				    &id),
			 CAIRN_EINVAL);
	assert_int_equal(store_count(f->s, &model_event, "nope", 1, &n),
			 CAIRN_EINVAL);
	assert_int_equal(store_find(f->s, &model_event, "id", "12abc", &id),
			 CAIRN_EINVAL);
	assert_int_equal(store_find(f->s, &model_event, NULL, "1", &id),
			 CAIRN_EINVAL);
}

/* -------- organisations, tags and clusters -------- */

static void test_org_ensure(void **state)
{
	struct fixture *f = *state;
	const char *uuid = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
	int64_t a = 0;
	int64_t b = 0;
	int64_t c = 0;

	assert_int_equal(store_org_ensure(f->s, uuid, "CIRCL", &a), 0);
	assert_int_equal(store_org_ensure(f->s, uuid, "renamed", &b), 0);
	assert_int_equal(a, b);
	assert_int_equal(store_org_ensure(f->s, NULL, "CIRCL", &c), 0);
	assert_int_equal(a, c);
	assert_int_equal(store_org_ensure(f->s, NULL, "ORGNAME", &c), 0);
	assert_int_equal(c, f->org);
	assert_int_equal(store_org_ensure(f->s, "bbbbbbbb-bbbb-4ccc-8ddd-"
						"eeeeeeeeeeee",
					  NULL, &c),
			 CAIRN_EINVAL);
}

static void test_tag_ensure_idempotent(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_tag(f, "tlp:white");
	int64_t b = add_tag(f, "tlp:white");
	int64_t c = add_tag(f, "TLP:WHITE");
	int64_t d = add_tag(f, "tlp:green");
	struct record r;

	assert_int_equal(a, b);
	assert_int_equal(a, c);
	assert_true(d != a);

	/* An existing tag is not changed by a second ensure. */
	record_init(&r, &model_tag);
	record_set_text(&r, TAG_NAME, "tlp:white");
	record_set_text(&r, TAG_COLOUR, "#ffffff");
	assert_int_equal(store_tag_ensure(f->s, &r, &b), 0);
	record_release(&r);
	assert_int_equal(a, b);
	record_init(&r, &model_tag);
	assert_int_equal(store_get(f->s, &model_tag, a, &r), 0);
	assert_string_equal(record_text(&r, TAG_COLOUR, "x"), "");
	assert_int_equal(record_int(&r, TAG_EXPORTABLE, 0), 1);
	assert_false(r.v[TAG_LOCAL].set);
	record_release(&r);

	record_init(&r, &model_tag);
	assert_int_equal(store_tag_ensure(f->s, &r, &b), CAIRN_EINVAL);
	record_release(&r);
}

static void test_tag_link_unlink(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "tagged");
	int64_t attr = add_attribute(f, event, 0, "203.0.113.1");
	int64_t tag = add_tag(f, "tlp:amber");
	int64_t ids[4];

	assert_int_equal(store_tag_link(f->s, STORE_EVENT, event, tag, false,
					NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, event, tag, true,
					"rel"),
			 0);
	assert_int_equal(query_ids(f, Q_EVENT_TAGS, event, 0, ids, NULL, 4), 1);
	assert_int_equal(ids[0], tag);

	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, attr, tag, true,
					"rel"),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, attr, tag,
					false, NULL),
			 0);
	assert_int_equal(query_ids(f, Q_ATTRIBUTE_TAGS, attr, 0, ids, NULL, 4),
			 1);

	/* The first link's fields were kept. */
	{
		struct store_cursor *c;
		struct record r;

		assert_int_equal(store_query(f->s, &store_viewer_system,
					     Q_EVENT_TAGS, event, 0, &c),
				 0);
		assert_int_equal(store_cursor_next(c, &r), 1);
		assert_string_equal(record_text(&r, TAG_NAME, ""),
				    "tlp:amber");
		assert_int_equal(record_int(&r, TAG_LOCAL, -1), 0);
		assert_true(r.v[TAG_RELATIONSHIP_TYPE].null);
		store_cursor_close(c);

		assert_int_equal(store_query(f->s, &store_viewer_system,
					     Q_ATTRIBUTE_TAGS, attr, 0, &c),
				 0);
		assert_int_equal(store_cursor_next(c, &r), 1);
		assert_int_equal(record_int(&r, TAG_LOCAL, -1), 1);
		assert_string_equal(record_text(&r, TAG_RELATIONSHIP_TYPE, ""),
				    "rel");
		assert_int_equal(store_cursor_parent(c), attr);
		assert_int_equal(store_cursor_next(c, &r), 0);
		assert_int_equal(store_cursor_next(c, &r), 0);
		store_cursor_close(c);
	}

	assert_int_equal(store_tag_unlink(f->s, STORE_EVENT, event, tag), 0);
	assert_int_equal(store_tag_unlink(f->s, STORE_EVENT, event, tag),
			 CAIRN_ENOTFOUND);
	assert_int_equal(query_ids(f, Q_EVENT_TAGS, event, 0, ids, NULL, 4), 0);
	assert_int_equal(store_tag_unlink(f->s, STORE_ATTRIBUTE, attr, tag), 0);
	assert_int_equal(store_tag_unlink(f->s, STORE_ATTRIBUTE, attr, tag),
			 CAIRN_ENOTFOUND);

	/* Missing targets and tags. */
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, event + 50, tag,
					false, NULL),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, attr + 50, tag,
					false, NULL),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, event, tag + 50,
					false, NULL),
			 CAIRN_EINVAL);
}

static void test_cluster_ensure_link(void **state)
{
	struct fixture *f = *state;
	const char *uuid = "7cdff317-a673-4474-84ec-4f1754947823";
	int64_t event = add_event(f, NULL, "clusters");
	int64_t attr = add_attribute(f, event, 0, "evil.example");
	int64_t a = add_cluster(f, uuid, "APT X", "{\"v\":1}");
	int64_t b = add_cluster(f, uuid, "APT X renamed", "{\"v\":2}");
	struct store_cursor *c;
	struct record r;

	assert_int_equal(a, b);
	assert_int_equal(store_cluster_link(f->s, STORE_EVENT, event, a, true),
			 0);
	assert_int_equal(store_cluster_link(f->s, STORE_EVENT, event, a,
					    false),
			 0);
	assert_int_equal(store_cluster_link(f->s, STORE_ATTRIBUTE, attr, a,
					    false),
			 0);
	assert_int_equal(store_cluster_link(f->s, STORE_ATTRIBUTE, attr + 9, a,
					    false),
			 CAIRN_ENOTFOUND);

	assert_int_equal(store_query(f->s, &store_viewer_system,
				     Q_EVENT_CLUSTERS, event, 0, &c),
			 0);
	assert_int_equal(store_cursor_next(c, &r), 1);
	assert_int_equal(record_int(&r, CLUSTER_ID, 0), a);
	assert_string_equal(record_text(&r, CLUSTER_UUID, ""), uuid);
	assert_string_equal(record_text(&r, CLUSTER_VALUE, ""),
			    "APT X renamed");
	assert_int_equal(record_int(&r, CLUSTER_LOCAL, -1), 1);
	assert_false(r.v[CLUSTER_GALAXY_UUID].set);
	assert_string_equal(store_cursor_json(c, 0), "{\"name\":\"g\"}");
	assert_string_equal(store_cursor_json(c, 1), "{\"v\":2}");
	assert_null(store_cursor_json(c, 2));
	assert_int_equal(store_cursor_parent(c), 0);
	assert_int_equal(store_cursor_next(c, &r), 0);
	assert_null(store_cursor_json(c, 0));
	store_cursor_close(c);

	assert_int_equal(store_query(f->s, &store_viewer_system,
				     Q_ATTRIBUTE_CLUSTERS, attr, 0, &c),
			 0);
	assert_int_equal(store_cursor_next(c, &r), 1);
	assert_int_equal(record_int(&r, CLUSTER_LOCAL, -1), 0);
	assert_int_equal(store_cursor_parent(c), attr);
	assert_string_equal(store_cursor_json(c, 1), "{\"v\":2}");
	assert_int_equal(store_cursor_next(c, &r), 0);
	store_cursor_close(c);

	assert_int_equal(store_query(f->s, &store_viewer_system,
				     Q_EVENT_ATTRIBUTE_CLUSTERS, event, 0, &c),
			 0);
	assert_int_equal(store_cursor_next(c, &r), 1);
	assert_int_equal(store_cursor_parent(c), attr);
	assert_int_equal(store_cursor_next(c, &r), 0);
	store_cursor_close(c);

	/* A cluster needs its UUID. */
	record_init(&r, &model_cluster);
	record_set_text(&r, CLUSTER_VALUE, "no uuid");
	assert_int_equal(store_cluster_ensure(f->s, &r, "{}", "{}", &b),
			 CAIRN_EINVAL);
	record_release(&r);
}

/* -------- events -------- */

static void test_event_clear(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "to clear");
	int64_t other = add_event(f, NULL, "untouched");
	int64_t object = add_object(f, event, "file");
	int64_t attr = add_attribute(f, event, 0, "a");
	int64_t in_object = add_attribute(f, event, object, "b");
	int64_t kept = add_attribute(f, other, 0, "c");
	int64_t tag = add_tag(f, "t");
	int64_t cluster = add_cluster(f, "3b3fa2c0-7e0c-4d5c-9a8b-1e2f3a4b5c6d",
				      "v", "{}");
	struct record r;
	int64_t id;

	assert_int_equal(store_tag_link(f->s, STORE_EVENT, event, tag, 0, NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, attr, tag, 0,
					NULL),
			 0);
	assert_int_equal(store_cluster_link(f->s, STORE_EVENT, event, cluster,
					    0),
			 0);
	assert_int_equal(store_cluster_link(f->s, STORE_ATTRIBUTE, in_object,
					    cluster, 0),
			 0);
	add_sighting(f, event, attr);
	add_sighting(f, other, kept);

	record_init(&r, &model_reference);
	record_set_int(&r, REF_EVENT_ID, event);
	record_set_int(&r, REF_OBJECT_ID, object);
	record_set_text(&r, REF_RELATIONSHIP_TYPE, "contains");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);

	record_init(&r, &model_report);
	record_set_int(&r, REPORT_EVENT_ID, event);
	record_set_text(&r, REPORT_NAME, "report");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);

	record_init(&r, &model_shadow);
	record_set_int(&r, SHADOW_EVENT_ID, event);
	record_set_int(&r, SHADOW_OLD_ID, attr);
	record_set_text(&r, SHADOW_TYPE, "ip-dst");
	record_set_text(&r, SHADOW_VALUE, "x");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);

	assert_int_equal(store_event_refresh_count(f->s, event), 0);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_event_clear(f->s, event), 0);
	assert_int_equal(store_commit(f->s), 0);

	assert_int_equal(count_rows(f, &model_attribute, "event_id", event), 0);
	assert_int_equal(count_rows(f, &model_object, "event_id", event), 0);
	assert_int_equal(count_rows(f, &model_reference, "event_id", event), 0);
	assert_int_equal(count_rows(f, &model_sighting, "event_id", event), 0);
	assert_int_equal(count_rows(f, &model_report, "event_id", event), 0);
	assert_int_equal(count_rows(f, &model_shadow, "event_id", event), 0);
	assert_int_equal(query_ids(f, Q_EVENT_TAGS, event, 0, &id, NULL, 1),
			 0);
	assert_int_equal(query_ids(f, Q_EVENT_CLUSTERS, event, 0, &id, NULL, 1),
			 0);

	/* The event row and other events stay; tags and clusters too. */
	record_init(&r, &model_event);
	assert_int_equal(store_get(f->s, &model_event, event, &r), 0);
	assert_int_equal(record_int(&r, EVENT_ATTRIBUTE_COUNT, -1), 0);
	record_release(&r);
	assert_int_equal(count_rows(f, &model_attribute, "event_id", other), 1);
	assert_int_equal(count_rows(f, &model_sighting, "event_id", other), 1);
	assert_int_equal(count_rows(f, &model_tag, "id", tag), 1);
	assert_int_equal(count_rows(f, &model_cluster, "id", cluster), 1);

	/* Without a transaction the clear is still all-or-nothing. */
	assert_int_equal(store_event_clear(f->s, other), 0);
	assert_int_equal(count_rows(f, &model_attribute, "event_id", other), 0);
	assert_int_equal(store_event_clear(f->s, other + 100), CAIRN_ENOTFOUND);
	assert_false(store_in_transaction(f->s));
}

/* Returns the one integer that `sql` selects. */
static int64_t select_int(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_event_clear_counts(void **state)
{
	struct fixture *f = *state;
	int64_t cleared = add_event(f, NULL, "cleared");
	int64_t kept = add_event(f, NULL, "kept");
	const char *counted = "SELECT coalesce(sum(n), 0) FROM attribute_counts";
	const char *shared = "SELECT count(*) FROM shared_values";

	add_attribute(f, cleared, 0, "198.51.100.1");
	add_attribute(f, cleared, 0, "198.51.100.2");
	add_attribute(f, kept, 0, "198.51.100.1");
	assert_int_equal(select_int(f, counted), 3);
	assert_int_equal(select_int(f, shared), 2);

	/* Without a transaction, the counts and the shared values change
	 * with the rows, or not at all. */
	assert_int_equal(store_event_clear(f->s, cleared + 100),
			 CAIRN_ENOTFOUND);
	assert_int_equal(select_int(f, counted), 3);
	assert_int_equal(select_int(f, shared), 2);
	assert_int_equal(store_event_clear(f->s, cleared), 0);
	assert_false(store_in_transaction(f->s));
	assert_int_equal(select_int(f, counted), 1);
	assert_int_equal(select_int(f, shared), 0);
}

static void test_event_delete_cascades(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "cascade");
	int64_t object = add_object(f, event, "file");
	int64_t attr = add_attribute(f, event, object, "x");
	int64_t tag = add_tag(f, "cascade");
	struct record r;
	int64_t id;

	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, attr, tag, 0,
					NULL),
			 0);
	add_sighting(f, event, attr);
	record_init(&r, &model_shadow);
	record_set_int(&r, SHADOW_EVENT_ID, event);
	record_set_int(&r, SHADOW_OLD_ID, attr);
	record_set_text(&r, SHADOW_TYPE, "ip-dst");
	record_set_text(&r, SHADOW_VALUE, "y");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);

	/* Deleting the object removes its attributes and what hangs off
	 * them. */
	assert_int_equal(store_delete(f->s, &model_object, object), 0);
	assert_int_equal(count_rows(f, &model_attribute, "id", attr), 0);
	assert_int_equal(count_rows(f, &model_sighting, "attribute_id", attr),
			 0);
	assert_int_equal(count_rows(f, &model_shadow, "old_id", attr), 0);
	assert_int_equal(query_ids(f, Q_ATTRIBUTE_TAGS, attr, 0, &id, NULL, 1),
			 0);

	add_attribute(f, event, 0, "z");
	assert_int_equal(store_delete(f->s, &model_event, event), 0);
	assert_int_equal(count_rows(f, &model_attribute, "event_id", event), 0);
}

static void test_refresh_count(void **state)
{
	struct fixture *f = *state;
	int64_t event = add_event(f, NULL, "count");
	int64_t object = add_object(f, event, "o");
	int64_t gone;
	struct record r;

	add_attribute(f, event, 0, "1");
	add_attribute(f, event, object, "2");
	gone = add_attribute(f, event, 0, "3");
	set_deleted(f, &model_attribute, ATTR_DELETED, gone);
	assert_int_equal(store_event_refresh_count(f->s, event), 0);

	record_init(&r, &model_event);
	assert_int_equal(store_get(f->s, &model_event, event, &r), 0);
	assert_int_equal(record_int(&r, EVENT_ATTRIBUTE_COUNT, -1), 2);
	record_release(&r);
	assert_int_equal(store_event_refresh_count(f->s, event + 1),
			 CAIRN_ENOTFOUND);
}

/* -------- queries -------- */

/* An event whose rows were inserted out of the order that the queries
 * read them in. */
struct sample {
	int64_t event;
	int64_t o1, o2;
	int64_t a1, a2, a3, a4, a5; /* a2, a5 in o2; a4 in o1 */
	int64_t t1, t2;
	int64_t r1, r2; /* r1 on o2, r2 on o1 */
	int64_t s1, s2, s3, s4;
	int64_t p_new, p_a4;
	int64_t rep1, rep2;
};

static int64_t add_reference(struct fixture *f, int64_t event, int64_t object)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_reference);
	record_set_int(&r, REF_EVENT_ID, event);
	record_set_int(&r, REF_OBJECT_ID, object);
	record_set_text(&r, REF_RELATIONSHIP_TYPE, "related-to");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_shadow(struct fixture *f, int64_t event, int64_t old_id)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_shadow);
	record_set_int(&r, SHADOW_EVENT_ID, event);
	record_set_int(&r, SHADOW_OLD_ID, old_id);
	record_set_text(&r, SHADOW_TYPE, "domain");
	record_set_text(&r, SHADOW_VALUE, "proposed.example");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_report(struct fixture *f, int64_t event)
{
	struct record r;
	int64_t id = 0;

	record_init(&r, &model_report);
	record_set_int(&r, REPORT_EVENT_ID, event);
	record_set_text(&r, REPORT_NAME, "report");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static void sample_build(struct fixture *f, struct sample *x)
{
	x->event = add_event(f, NULL, "sample");
	add_event(f, NULL, "other");
	x->o1 = add_object(f, x->event, "o1");
	x->o2 = add_object(f, x->event, "o2");
	x->a1 = add_attribute(f, x->event, 0, "a1");
	x->a2 = add_attribute(f, x->event, x->o2, "a2");
	x->a3 = add_attribute(f, x->event, 0, "a3");
	x->a4 = add_attribute(f, x->event, x->o1, "a4");
	x->a5 = add_attribute(f, x->event, x->o2, "a5");
	x->t1 = add_tag(f, "zeta");
	x->t2 = add_tag(f, "alpha");
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, x->a5, x->t1, 0,
					NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, x->a1, x->t1, 0,
					NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, x->a4, x->t2, 0,
					NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, x->a2, x->t1, 0,
					NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_ATTRIBUTE, x->a5, x->t2, 0,
					NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, x->event, x->t1, 0,
					NULL),
			 0);
	assert_int_equal(store_tag_link(f->s, STORE_EVENT, x->event, x->t2, 0,
					NULL),
			 0);
	x->r1 = add_reference(f, x->event, x->o2);
	x->r2 = add_reference(f, x->event, x->o1);
	x->s1 = add_sighting(f, x->event, x->a5);
	x->s2 = add_sighting(f, x->event, x->a3);
	x->s3 = add_sighting(f, x->event, x->a4);
	x->s4 = add_sighting(f, x->event, x->a2);
	x->p_a4 = add_shadow(f, x->event, x->a4);
	x->p_new = add_shadow(f, x->event, 0);
	x->rep1 = add_report(f, x->event);
	x->rep2 = add_report(f, x->event);
}

static void expect_rows(struct fixture *f, enum store_query q, int64_t arg,
			unsigned flags, const int64_t *ids,
			const int64_t *parents, int n)
{
	int64_t got[16];
	int64_t got_parents[16];
	int count = query_ids(f, q, arg, flags, got, got_parents, 16);

	assert_int_equal(count, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(got[i], ids[i]);
		assert_int_equal(got_parents[i], parents ? parents[i] : 0);
	}
}

static void test_query_event_rows(void **state)
{
	struct fixture *f = *state;
	struct sample x;

	sample_build(f, &x);
	expect_rows(f, Q_EVENT_ATTRIBUTES, x.event, 0,
		    (int64_t[]){x.a1, x.a3}, NULL, 2);
	expect_rows(f, Q_EVENT_OBJECTS, x.event, 0, (int64_t[]){x.o1, x.o2},
		    NULL, 2);
	expect_rows(f, Q_EVENT_OBJECT_ATTRIBUTES, x.event, 0,
		    (int64_t[]){x.a4, x.a2, x.a5},
		    (int64_t[]){x.o1, x.o2, x.o2}, 3);
	expect_rows(f, Q_EVENT_REFERENCES, x.event, 0,
		    (int64_t[]){x.r2, x.r1}, (int64_t[]){x.o1, x.o2}, 2);
	expect_rows(f, Q_EVENT_REPORTS, x.event, 0,
		    (int64_t[]){x.rep1, x.rep2}, NULL, 2);
	expect_rows(f, Q_EVENT_TAGS, x.event, 0, (int64_t[]){x.t1, x.t2},
		    NULL, 2);
}

static void test_query_attribute_children(void **state)
{
	struct fixture *f = *state;
	struct sample x;

	sample_build(f, &x);
	/* Outside objects first, then object by object, as the attribute
	 * queries read them: a2 has a lower id than a3 and a4 but comes
	 * after them. */
	expect_rows(f, Q_EVENT_ATTRIBUTE_TAGS, x.event, 0,
		    (int64_t[]){x.t1, x.t2, x.t1, x.t1, x.t2},
		    (int64_t[]){x.a1, x.a4, x.a2, x.a5, x.a5}, 5);
	expect_rows(f, Q_EVENT_SIGHTINGS, x.event, 0,
		    (int64_t[]){x.s2, x.s3, x.s4, x.s1},
		    (int64_t[]){x.a3, x.a4, x.a2, x.a5}, 4);
	expect_rows(f, Q_EVENT_SHADOWS, x.event, 0,
		    (int64_t[]){x.p_new, x.p_a4}, (int64_t[]){0, x.a4}, 2);
	expect_rows(f, Q_ATTRIBUTE_TAGS, x.a5, 0, (int64_t[]){x.t1, x.t2},
		    (int64_t[]){x.a5, x.a5}, 2);
	expect_rows(f, Q_ATTRIBUTE_SIGHTINGS, x.a4, 0, (int64_t[]){x.s3},
		    (int64_t[]){x.a4}, 1);
	expect_rows(f, Q_OBJECT_ATTRIBUTES, x.o2, 0, (int64_t[]){x.a2, x.a5},
		    (int64_t[]){x.o2, x.o2}, 2);
	expect_rows(f, Q_OBJECT_REFERENCES, x.o1, 0, (int64_t[]){x.r2},
		    (int64_t[]){x.o1}, 1);
	expect_rows(f, Q_OBJECT_ATTRIBUTES, 0, 0, NULL, NULL, 0);
}

static void test_query_indexes(void **state)
{
	struct fixture *f = *state;
	struct sample x;
	struct record r;
	int64_t id;

	sample_build(f, &x);
	expect_rows(f, Q_TAG_INDEX, 0, 0, (int64_t[]){x.t2, x.t1}, NULL, 2);
	expect_rows(f, Q_EVENT_INDEX, 0, 0, (int64_t[]){x.event, x.event + 1},
		    NULL, 2);

	for (int role = 3; role >= 1; role--) {
		record_init(&r, &model_role);
		record_set_int(&r, ROLE_ID, role);
		record_set_text(&r, ROLE_NAME, "role");
		assert_int_equal(store_insert(f->s, &r, &id), 0);
		record_release(&r);
	}
	expect_rows(f, Q_ROLE_INDEX, 0, 0, (int64_t[]){1, 2, 3}, NULL, 3);
}

static void test_query_soft_deleted(void **state)
{
	struct fixture *f = *state;
	struct sample x;

	sample_build(f, &x);
	set_deleted(f, &model_attribute, ATTR_DELETED, x.a3);
	set_deleted(f, &model_object, OBJ_DELETED, x.o1);
	set_deleted(f, &model_report, REPORT_DELETED, x.rep1);
	set_deleted(f, &model_shadow, SHADOW_DELETED, x.p_new);

	expect_rows(f, Q_EVENT_ATTRIBUTES, x.event, 0, (int64_t[]){x.a1}, NULL,
		    1);
	expect_rows(f, Q_EVENT_ATTRIBUTES, x.event, STORE_WITH_DELETED,
		    (int64_t[]){x.a1, x.a3}, NULL, 2);
	expect_rows(f, Q_EVENT_OBJECTS, x.event, 0, (int64_t[]){x.o2}, NULL,
		    1);
	expect_rows(f, Q_EVENT_OBJECTS, x.event, STORE_WITH_DELETED,
		    (int64_t[]){x.o1, x.o2}, NULL, 2);
	/* a4 sits in the deleted object o1. */
	expect_rows(f, Q_EVENT_OBJECT_ATTRIBUTES, x.event, 0,
		    (int64_t[]){x.a2, x.a5}, (int64_t[]){x.o2, x.o2}, 2);
	expect_rows(f, Q_EVENT_OBJECT_ATTRIBUTES, x.event, STORE_WITH_DELETED,
		    (int64_t[]){x.a4, x.a2, x.a5},
		    (int64_t[]){x.o1, x.o2, x.o2}, 3);
	expect_rows(f, Q_EVENT_REFERENCES, x.event, 0, (int64_t[]){x.r1},
		    (int64_t[]){x.o2}, 1);
	expect_rows(f, Q_EVENT_ATTRIBUTE_TAGS, x.event, 0,
		    (int64_t[]){x.t1, x.t1, x.t1, x.t2},
		    (int64_t[]){x.a1, x.a2, x.a5, x.a5}, 4);
	expect_rows(f, Q_EVENT_ATTRIBUTE_TAGS, x.event, STORE_WITH_DELETED,
		    (int64_t[]){x.t1, x.t2, x.t1, x.t1, x.t2},
		    (int64_t[]){x.a1, x.a4, x.a2, x.a5, x.a5}, 5);
	expect_rows(f, Q_EVENT_SIGHTINGS, x.event, 0,
		    (int64_t[]){x.s4, x.s1}, (int64_t[]){x.a2, x.a5}, 2);
	expect_rows(f, Q_EVENT_SIGHTINGS, x.event, STORE_WITH_DELETED,
		    (int64_t[]){x.s2, x.s3, x.s4, x.s1},
		    (int64_t[]){x.a3, x.a4, x.a2, x.a5}, 4);
	expect_rows(f, Q_EVENT_SHADOWS, x.event, 0, NULL, NULL, 0);
	expect_rows(f, Q_EVENT_SHADOWS, x.event, STORE_WITH_DELETED,
		    (int64_t[]){x.p_new, x.p_a4}, (int64_t[]){0, x.a4}, 2);
	expect_rows(f, Q_EVENT_REPORTS, x.event, 0, (int64_t[]){x.rep2}, NULL,
		    1);
	expect_rows(f, Q_EVENT_REPORTS, x.event, STORE_WITH_DELETED,
		    (int64_t[]){x.rep1, x.rep2}, NULL, 2);
	expect_rows(f, Q_OBJECT_ATTRIBUTES, x.o1, 0, (int64_t[]){x.a4},
		    (int64_t[]){x.o1}, 1);
}

static void test_query_nested_cursors(void **state)
{
	struct fixture *f = *state;
	struct store_cursor *outer;
	struct store_cursor *inner;
	struct record r;
	struct record ri;
	struct sample x;
	int rows = 0;

	sample_build(f, &x);
	/* A second cursor on the same query while the first is open. */
	assert_int_equal(store_query(f->s, &store_viewer_system,
				     Q_EVENT_OBJECTS, x.event, 0, &outer),
			 0);
	while (store_cursor_next(outer, &r) == 1) {
		assert_int_equal(store_query(f->s, &store_viewer_system,
					     Q_EVENT_OBJECTS, x.event, 0,
					     &inner),
				 0);
		assert_int_equal(store_cursor_next(inner, &ri), 1);
		assert_int_equal(record_int(&ri, OBJ_ID, 0), x.o1);
		store_cursor_close(inner);
		assert_non_null(record_text(&r, OBJ_NAME, NULL));
		rows++;
	}
	store_cursor_close(outer);
	assert_int_equal(rows, 2);
	assert_int_equal(store_query(f->s, &store_viewer_system,
				     (enum store_query)99, 0, 0, &outer),
			 CAIRN_EINVAL);
	assert_null(outer);
}

/* -------- API keys -------- */

static int64_t add_user(struct fixture *f, const char *email)
{
	struct record r;
	int64_t role = 0;
	int64_t id = 0;

	record_init(&r, &model_role);
	record_set_text(&r, ROLE_NAME, "User");
	assert_int_equal(store_insert(f->s, &r, &role), 0);
	record_release(&r);

	record_init(&r, &model_user);
	record_set_int(&r, USER_ORG_ID, f->org);
	record_set_int(&r, USER_ROLE_ID, role);
	record_set_text(&r, USER_EMAIL, email);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static void test_authkey_add_find(void **state)
{
	struct fixture *f = *state;
	const char *hash = "9f86d081884c7d659a2feaa0c55ad015"
			   "a3bf4f1b2b0b822cd15d6c15b0f00a08";
	int64_t user = add_user(f, "admin@example.org");
	int64_t key = 0;
	int64_t found = 0;
	sqlite3 *db;

	assert_int_equal(store_authkey_add(f->s, user, hash, "abcd", "wxyz",
					   &key),
			 0);
	assert_true(key > 0);
	assert_int_equal(store_authkey_find(f->s, hash, &found), 0);
	assert_int_equal(found, user);
	assert_int_equal(store_authkey_find(f->s, "00", &found),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_authkey_add(f->s, user, hash, "abcd", "wxyz",
					   &key),
			 CAIRN_EEXIST);
	assert_int_equal(store_authkey_add(f->s, user + 10, "ff", "a", "b",
					   &key),
			 CAIRN_EINVAL);

	/* An expired key is not found. */
	assert_int_equal(sqlite3_open(f->path.data, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE auth_keys SET expiration = 1000",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_authkey_find(f->s, hash, &found),
			 CAIRN_ENOTFOUND);
}

/* The hash is stored outside the user record and found by e-mail in any
 * case; a user without a password has an empty hash. */
static void test_user_password_set_find(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf hash = BUF_INIT;
	int64_t user = add_user(f, "analyst@example.org");
	int64_t found = 0;
	struct record r;

	assert_int_equal(store_user_login_find(f->s, "analyst@example.org",
					       &found, &hash, &e),
			 0);
	assert_int_equal(found, user);
	assert_string_equal(buf_str(&hash), "");
	assert_int_equal(store_user_password_set(f->s, user,
						 "$argon2id$v=19$stub", &e),
			 0);
	assert_int_equal(store_user_login_find(f->s, "ANALYST@example.org",
					       &found, &hash, &e),
			 0);
	assert_string_equal(buf_str(&hash), "$argon2id$v=19$stub");
	assert_int_equal(store_user_login_find(f->s, "nobody@example.org",
					       &found, &hash, &e),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_user_password_set(f->s, user + 100, "x", &e),
			 CAIRN_ENOTFOUND);

	/* The user record has no field that could carry the hash. */
	record_init(&r, &model_user);
	assert_int_equal(store_get(f->s, &model_user, user, &r), 0);
	for (size_t i = 0; i < model_user.nfields; i++) {
		assert_string_not_equal(model_user.fields[i].name, "password");
	}
	record_release(&r);
	buf_release(&hash);
	cairn_err_release(&e);
}

/* -------- transactions -------- */

static void test_transaction_rollback(void **state)
{
	struct fixture *f = *state;
	int64_t event;

	assert_int_equal(store_rollback(f->s), 0);
	assert_int_equal(store_begin(f->s), 0);
	assert_true(store_in_transaction(f->s));
	event = add_event(f, NULL, "rolled back");
	assert_int_equal(store_rollback(f->s), 0);
	assert_false(store_in_transaction(f->s));
	assert_int_equal(count_rows(f, &model_event, "id", event), 0);
}

/* A store_begin() inside a transaction is a savepoint: rolling it back
 * undoes only what came after it. */
static void test_transaction_nested(void **state)
{
	struct fixture *f = *state;
	int64_t outer, inner;

	assert_int_equal(store_begin(f->s), 0);
	outer = add_event(f, NULL, "outer");
	assert_int_equal(store_begin(f->s), 0);
	inner = add_event(f, NULL, "inner");
	assert_int_equal(store_rollback(f->s), 0);
	assert_true(store_in_transaction(f->s));
	assert_int_equal(count_rows(f, &model_event, "id", inner), 0);
	assert_int_equal(count_rows(f, &model_event, "id", outer), 1);
	assert_int_equal(store_commit(f->s), 0);
	assert_false(store_in_transaction(f->s));
	assert_int_equal(count_rows(f, &model_event, "id", outer), 1);
}

/* -------- pool -------- */

struct pool_worker {
	struct store_pool *pool;
	struct store *got;
	int64_t org;
	volatile int done;
	int inserted;
};

static void *pool_wait_thread(void *arg)
{
	struct pool_worker *w = arg;

	w->got = store_pool_get(w->pool);
	w->done = 1;
	store_pool_put(w->pool, w->got);
	return NULL;
}

static void test_pool_blocks_until_put(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct pool_worker w = {0};
	struct timespec pause = {0, 50 * 1000 * 1000};
	struct store *held;
	pthread_t t;

	assert_int_equal(store_pool_new(&w.pool, f->path.data, 1, &e), 0);
	held = store_pool_get(w.pool);
	assert_non_null(held);
	assert_int_equal(pthread_create(&t, NULL, pool_wait_thread, &w), 0);
	nanosleep(&pause, NULL);
	assert_int_equal(w.done, 0);
	store_pool_put(w.pool, held);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.done, 1);
	assert_ptr_equal(w.got, held);
	store_pool_free(w.pool);

	assert_int_equal(store_pool_new(&w.pool, f->path.data, 0, &e),
			 CAIRN_EINVAL);
	cairn_err_release(&e);
}

static void *pool_insert_thread(void *arg)
{
	struct pool_worker *w = arg;

	for (int i = 0; i < 50; i++) {
		struct store *s = store_pool_get(w->pool);
		struct record r;
		int64_t id;

		record_init(&r, &model_event);
		record_set_int(&r, EVENT_ORG_ID, w->org);
		record_set_int(&r, EVENT_ORGC_ID, w->org);
		record_set_text(&r, EVENT_INFO, "from a thread");
		if (store_begin(s) == 0 && store_insert(s, &r, &id) == 0 &&
		    store_commit(s) == 0) {
			w->inserted++;
		}
		record_release(&r);
		store_pool_put(w->pool, s);
	}
	return NULL;
}

static void test_pool_two_threads(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store_pool *pool;
	struct pool_worker w[2] = {0};
	pthread_t t[2];

	assert_int_equal(store_pool_new(&pool, f->path.data, 2, &e), 0);
	for (int i = 0; i < 2; i++) {
		w[i].pool = pool;
		w[i].org = f->org;
		assert_int_equal(
			pthread_create(&t[i], NULL, pool_insert_thread, &w[i]),
			0);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].inserted, 50);
	}
	store_pool_free(pool);
	assert_int_equal(count_rows(f, &model_event, "org_id", f->org), 100);
}

static int collect_state(void *ctx, const char *ns, bool enabled)
{
	struct buf *out = ctx;

	buf_printf(out, "%s=%d;", ns, enabled ? 1 : 0);
	return 0;
}

static void test_taxonomy_state(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf seen = BUF_INIT;

	assert_int_equal(store_taxonomy_state_set(f->s, "tlp", true, &e), 0);
	assert_int_equal(store_taxonomy_state_set(f->s, "PAP", true, &e), 0);
	assert_int_equal(store_taxonomy_state_set(f->s, "pap", false, &e), 0);
	assert_int_equal(
		store_taxonomy_state_each(f->s, collect_state, &seen, &e), 0);
	/* Namespaces compare without case, so "pap" replaced "PAP". */
	assert_string_equal(buf_str(&seen), "PAP=0;tlp=1;");
	buf_release(&seen);
	cairn_err_release(&e);
}

static void test_library_ids_stable(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *first[] = {"b", "a", "b"};
	const char *second[] = {"c", "a", "b"};
	int64_t ids[3], again[3], other[1];
	const char *one[] = {"a"};

	assert_int_equal(store_library_ids(f->s, "cluster", first, 3, ids, &e),
			 0);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 1); /* a repeated key gets one id */
	assert_int_equal(
		store_library_ids(f->s, "cluster", second, 3, again, &e), 0);
	assert_int_equal(again[0], 3); /* new key: above the largest */
	assert_int_equal(again[1], 2);
	assert_int_equal(again[2], 1);
	/* Each kind numbers its own keys. */
	assert_int_equal(store_library_ids(f->s, "galaxy", one, 1, other, &e),
			 0);
	assert_int_equal(other[0], 1);
	cairn_err_release(&e);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup,         \
						fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_schema_version),
		T(test_set_mapped_toggles_map),
		T(test_taxonomy_state),
		T(test_library_ids_stable),
		T(test_schema_has_every_field),
		T(test_reopen_runs_no_migration),
		T(test_migrate_fresh_database),
		T(test_open_rejects_newer_schema),
		T(test_event_insert_get),
		T(test_event_default_uuid),
		T(test_event_update),
		T(test_event_find_delete),
		T(test_event_duplicate_uuid),
		T(test_attribute_crud),
		T(test_attribute_missing_event),
		T(test_attribute_duplicate_value),
		T(test_attribute_duplicate_uuid),
		T(test_insert_many_masks),
		T(test_role_fixed_id),
		T(test_find_rejects_unknown_column),
		T(test_org_ensure),
		T(test_tag_ensure_idempotent),
		T(test_tag_link_unlink),
		T(test_cluster_ensure_link),
		T(test_event_clear),
		T(test_event_clear_counts),
		T(test_event_delete_cascades),
		T(test_refresh_count),
		T(test_query_event_rows),
		T(test_query_attribute_children),
		T(test_query_indexes),
		T(test_query_soft_deleted),
		T(test_query_nested_cursors),
		T(test_authkey_add_find),
		T(test_user_password_set_find),
		T(test_transaction_rollback),
		T(test_transaction_nested),
		T(test_pool_blocks_until_put),
		T(test_pool_two_threads),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
