/*
 * Tests of src/import: import_buffer() of MISP events into a real SQLite
 * store, opened in a fresh mkdtemp() directory for each test, and checked
 * row by row through store_query() and store_get().
 */
#include "core/buf.h"
#include "core/err.h"
#include "import/import.h"
#include "model/misp.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tmpdb.h"

#define UUID_EVENT "11111111-1111-4111-8111-111111111111"
#define UUID_OTHER "22222222-2222-4222-8222-222222222222"
#define UUID_ORGC "0c0c0c0c-0000-4000-8000-000000000001"
#define UUID_ATTR1 "a1a1a1a1-0000-4000-8000-000000000001"
#define UUID_ATTR2 "a2a2a2a2-0000-4000-8000-000000000002"
#define UUID_ATTR3 "a3a3a3a3-0000-4000-8000-000000000003"
#define UUID_OBJ1 "01010101-0000-4000-8000-000000000001"
#define UUID_OBJ2 "02020202-0000-4000-8000-000000000002"
#define UUID_OBJ1_ATTR "0a010a01-0000-4000-8000-000000000001"
#define UUID_OBJ2_ATTR "0a020a02-0000-4000-8000-000000000002"
#define UUID_REF "7e7e7e7e-0000-4000-8000-000000000001"
#define UUID_SIGHTING "5e5e5e5e-0000-4000-8000-000000000001"
#define UUID_SHADOW "9a9a9a9a-0000-4000-8000-000000000001"
#define UUID_CLUSTER "c1c1c1c1-0000-4000-8000-000000000001"
#define UUID_GALAXY "6a6a6a6a-0000-4000-8000-000000000001"

#define CLUSTER_TAG "misp-galaxy:threat-actor=\\\"APT X\\\""

/* An event with two attributes (the first with a tag, a sighting and a
 * proposal), a tag, a galaxy cluster, and two objects, the first of which
 * references the second.  Its format arguments are the info and then the
 * timestamp. */
static const char event_format[] =
	"{\"Event\": {\n"
	" \"uuid\": \"" UUID_EVENT "\",\n"
	" \"info\": \"%s\",\n"
	" \"date\": \"2024-03-01\",\n"
	" \"timestamp\": \"%s\",\n"
	" \"threat_level_id\": \"2\",\n"
	" \"analysis\": \"1\",\n"
	" \"distribution\": \"1\",\n"
	" \"published\": false,\n"
	" \"Orgc\": {\"name\": \"ORGC\", \"uuid\": \"" UUID_ORGC "\"},\n"
	" \"Tag\": [{\"name\": \"tlp:green\", \"colour\": \"#33ff00\"},\n"
	"         {\"name\": \"" CLUSTER_TAG "\"}],\n"
	" \"Galaxy\": [{\"uuid\": \"" UUID_GALAXY "\", \"name\": \"Threat "
	"Actor\",\n"
	"   \"type\": \"threat-actor\",\n"
	"   \"GalaxyCluster\": [{\"uuid\": \"" UUID_CLUSTER "\",\n"
	"     \"type\": \"threat-actor\", \"value\": \"APT X\",\n"
	"     \"tag_name\": \"" CLUSTER_TAG "\"}]}],\n"
	" \"Attribute\": [\n"
	"  {\"uuid\": \"" UUID_ATTR1 "\", \"type\": \"ip-dst\",\n"
	"   \"category\": \"Network activity\", \"value\": \"203.0.113.5\",\n"
	"   \"to_ids\": true, \"timestamp\": \"1700000000\",\n"
	"   \"Tag\": [{\"name\": \"tlp:amber\"}],\n"
	"   \"Sighting\": [{\"uuid\": \"" UUID_SIGHTING "\",\n"
	"     \"date_sighting\": \"1700000100\", \"type\": \"0\",\n"
	"     \"source\": \"sensor\"}],\n"
	"   \"ShadowAttribute\": [{\"uuid\": \"" UUID_SHADOW "\",\n"
	"     \"type\": \"ip-dst\", \"category\": \"Network activity\",\n"
	"     \"value\": \"203.0.113.6\", \"to_ids\": true,\n"
	"     \"comment\": \"typo in the last octet\"}]},\n"
	"  {\"uuid\": \"" UUID_ATTR2 "\", \"type\": \"domain\",\n"
	"   \"value\": \"evil.example\"}\n"
	" ],\n"
	" \"Object\": [\n"
	"  {\"uuid\": \"" UUID_OBJ1 "\", \"name\": \"file\",\n"
	"   \"meta-category\": \"file\", \"timestamp\": \"1700000000\",\n"
	"   \"Attribute\": [{\"uuid\": \"" UUID_OBJ1_ATTR "\",\n"
	"     \"type\": \"md5\",\n"
	"     \"object_relation\": \"md5\",\n"
	"     \"value\": \"d41d8cd98f00b204e9800998ecf8427e\"}],\n"
	"   \"ObjectReference\": [{\"uuid\": \"" UUID_REF "\",\n"
	"     \"referenced_uuid\": \"" UUID_OBJ2 "\",\n"
	"     \"relationship_type\": \"related-to\"}]},\n"
	"  {\"uuid\": \"" UUID_OBJ2 "\", \"name\": \"domain-ip\",\n"
	"   \"Attribute\": [{\"uuid\": \"" UUID_OBJ2_ATTR "\",\n"
	"     \"type\": \"domain\", \"object_relation\": \"domain\",\n"
	"     \"value\": \"c2.example\"}]}\n"
	" ]\n"
	"}}\n";

/* Other content under the same event uuid, with the same format
 * arguments as event_format. */
static const char replacement_format[] =
	"{\"Event\": {\"uuid\": \"" UUID_EVENT "\", \"info\": \"%s\",\n"
	" \"timestamp\": \"%s\",\n"
	" \"Tag\": [{\"name\": \"tlp:red\"}],\n"
	" \"Attribute\": [{\"uuid\": \"" UUID_ATTR3 "\", \"type\": \"url\",\n"
	"   \"value\": \"https://evil.example/x\"}]}}";

/* Rejected events: how many, and the details of the last one. */
struct rejects {
	int count;
	struct buf path, pointer, field, message; /* of the last one */
	int code;
};

struct fixture {
	struct buf dir;
	struct buf path;
	struct store *s;
	int64_t org;
	struct import_job job;
	struct rejects rejects;
	struct rejects warnings; /* attributes left out of imported events */
	int progress_calls;
};

static void record_error(struct rejects *r, const char *path,
			 const struct cairn_err *e)
{
	r->count++;
	r->code = e->code;
	buf_clear(&r->path);
	buf_clear(&r->pointer);
	buf_clear(&r->field);
	buf_clear(&r->message);
	buf_adds(&r->path, path);
	buf_adds(&r->pointer, buf_str(&e->pointer));
	buf_adds(&r->field, buf_str(&e->field));
	buf_adds(&r->message, buf_str(&e->message));
}

static void on_reject(void *ctx, const char *path, const struct cairn_err *e)
{
	struct fixture *f = ctx;

	record_error(&f->rejects, path, e);
}

static void on_warn(void *ctx, const char *path, const struct cairn_err *e)
{
	struct fixture *f = ctx;

	record_error(&f->warnings, path, e);
}

/* A batch reports its progress once; an import one event at a time
 * reports after every event. */
static void on_progress(void *ctx, const struct import_stats *st)
{
	struct fixture *f = ctx;

	(void)st;
	f->progress_calls++;
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cairn_err e = CAIRN_ERR_INIT;

	assert_non_null(f);
	tmpdb_make(&f->dir, &f->path, "import");
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
	assert_int_equal(store_org_ensure(f->s, NULL, "ORGNAME", &f->org), 0);
	cairn_err_release(&e);
	f->job.store = f->s;
	f->job.options.mode = WRITE_IMPORT;
	f->job.options.org_id = f->org;
	f->job.reject = on_reject;
	f->job.warn = on_warn;
	f->job.ctx = f;
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	tmpdb_remove(&f->dir, &f->path);
	buf_release(&f->rejects.path);
	buf_release(&f->rejects.pointer);
	buf_release(&f->rejects.field);
	buf_release(&f->rejects.message);
	buf_release(&f->warnings.path);
	buf_release(&f->warnings.pointer);
	buf_release(&f->warnings.field);
	buf_release(&f->warnings.message);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static struct import_stats import_text(struct fixture *f, const char *json)
{
	struct import_stats st = {0};

	assert_int_equal(import_buffer(&f->job, "test.json", json,
				       strlen(json), &st),
			 0);
	return st;
}

/* Imports event_format or replacement_format with a timestamp and info. */
static struct import_stats import_event(struct fixture *f, const char *format,
					const char *timestamp, const char *info)
{
	struct buf doc = BUF_INIT;
	struct import_stats st;

	assert_int_equal(buf_printf(&doc, format, info, timestamp), 0);
	st = import_text(f, buf_str(&doc));
	buf_release(&doc);
	return st;
}

static int64_t find_id(struct fixture *f, const struct model *m,
		       const char *uuid)
{
	int64_t id = 0;

	assert_int_equal(store_find(f->s, m, "uuid", uuid, &id), 0);
	assert_true(id > 0);
	return id;
}

static bool exists(struct fixture *f, const struct model *m, const char *uuid)
{
	int64_t id = 0;
	int rc = store_find(f->s, m, "uuid", uuid, &id);

	assert_true(rc == 0 || rc == CAIRN_ENOTFOUND);
	return rc == 0;
}

#define MAX_ROWS 8

/* The first MAX_ROWS rows of one query, each owning its strings. */
struct rows {
	struct record r[MAX_ROWS];
	int64_t parent[MAX_ROWS];
	char *cluster_json[MAX_ROWS]; /* for cluster queries */
	size_t n;
	size_t total; /* rows the query returned, kept or not */
};

static void read_rows(struct fixture *f, enum store_query q, int64_t arg,
		      struct rows *out)
{
	bool clusters = q == Q_EVENT_CLUSTERS ||
			q == Q_EVENT_ATTRIBUTE_CLUSTERS ||
			q == Q_ATTRIBUTE_CLUSTERS;
	struct store_cursor *c = NULL;
	struct record row;
	int rc;

	memset(out, 0, sizeof(*out));
	assert_int_equal(store_query(f->s, &store_viewer_system, q, arg, 0, &c),
			 0);
	while ((rc = store_cursor_next(c, &row)) == 1) {
		out->total++;
		if (out->n == MAX_ROWS) {
			continue;
		}
		out->r[out->n] = row;
		assert_int_equal(record_own(&out->r[out->n]), 0);
		out->parent[out->n] = store_cursor_parent(c);
		if (clusters) {
			out->cluster_json[out->n] =
				strdup(store_cursor_json(c, 1));
		}
		out->n++;
	}
	assert_int_equal(rc, 0);
	store_cursor_close(c);
}

static void rows_release(struct rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		record_release(&rows->r[i]);
		free(rows->cluster_json[i]);
	}
	rows->n = 0;
}

static size_t count_rows(struct fixture *f, enum store_query q, int64_t arg)
{
	struct rows rows;
	size_t n;

	read_rows(f, q, arg, &rows);
	n = rows.total;
	rows_release(&rows);
	return n;
}

static void get_event(struct fixture *f, int64_t id, struct record *out)
{
	record_init(out, &model_event);
	assert_int_equal(store_get(f->s, &model_event, id, out), 0);
}

/* ---- a first import ---- */

static void import_adds_event(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct record ev;
	int64_t id, orgc;

	st = import_event(f, event_format, "1700000000", "Import test");
	assert_int_equal(st.added, 1);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.unchanged, 0);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.attributes, 4);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.files, 1);
	assert_int_equal(f->rejects.count, 0);

	id = find_id(f, &model_event, UUID_EVENT);
	get_event(f, id, &ev);
	assert_string_equal(record_text(&ev, EVENT_INFO, ""), "Import test");
	assert_string_equal(record_text(&ev, EVENT_DATE, ""), "2024-03-01");
	assert_int_equal(record_int(&ev, EVENT_TIMESTAMP, 0), 1700000000);
	assert_int_equal(record_int(&ev, EVENT_THREAT_LEVEL_ID, 0), 2);
	assert_int_equal(record_int(&ev, EVENT_ANALYSIS, 0), 1);
	assert_int_equal(record_int(&ev, EVENT_PUBLISHED, -1), 0);
	assert_int_equal(record_int(&ev, EVENT_ORG_ID, 0), f->org);
	assert_int_equal(record_int(&ev, EVENT_ATTRIBUTE_COUNT, 0), 4);
	assert_int_equal(store_org_ensure(f->s, UUID_ORGC, "ORGC", &orgc), 0);
	assert_int_not_equal(orgc, f->org);
	assert_int_equal(record_int(&ev, EVENT_ORGC_ID, 0), orgc);
	record_release(&ev);
}

static void import_stores_attributes(void **state)
{
	struct fixture *f = *state;
	struct rows rows;
	int64_t id;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);

	read_rows(f, Q_EVENT_ATTRIBUTES, id, &rows);
	assert_int_equal(rows.n, 2);
	assert_string_equal(record_text(&rows.r[0], ATTR_UUID, ""), UUID_ATTR1);
	assert_string_equal(record_text(&rows.r[0], ATTR_TYPE, ""), "ip-dst");
	assert_string_equal(record_text(&rows.r[0], ATTR_VALUE, ""),
			    "203.0.113.5");
	assert_int_equal(record_int(&rows.r[0], ATTR_TO_IDS, 0), 1);
	assert_int_equal(record_int(&rows.r[0], ATTR_TIMESTAMP, 0),
			 1700000000);
	assert_int_equal(record_int(&rows.r[0], ATTR_EVENT_ID, 0), id);
	assert_int_equal(record_int(&rows.r[0], ATTR_OBJECT_ID, -1), 0);
	/* The second takes the type's defaults. */
	assert_string_equal(record_text(&rows.r[1], ATTR_UUID, ""), UUID_ATTR2);
	assert_string_equal(record_text(&rows.r[1], ATTR_CATEGORY, ""),
			    "Network activity");
	assert_int_equal(record_int(&rows.r[1], ATTR_TO_IDS, 0), 1);
	assert_int_equal(record_int(&rows.r[1], ATTR_DISTRIBUTION, 0), 5);
	rows_release(&rows);
}

static void import_stores_objects(void **state)
{
	struct fixture *f = *state;
	struct rows rows;
	int64_t id, obj1, obj2;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	obj1 = find_id(f, &model_object, UUID_OBJ1);
	obj2 = find_id(f, &model_object, UUID_OBJ2);

	read_rows(f, Q_EVENT_OBJECTS, id, &rows);
	assert_int_equal(rows.n, 2);
	assert_string_equal(record_text(&rows.r[0], OBJ_NAME, ""), "file");
	assert_string_equal(record_text(&rows.r[0], OBJ_META_CATEGORY, ""),
			    "file");
	assert_string_equal(record_text(&rows.r[1], OBJ_NAME, ""),
			    "domain-ip");
	assert_string_equal(record_text(&rows.r[1], OBJ_META_CATEGORY, ""),
			    "misc");
	rows_release(&rows);

	read_rows(f, Q_EVENT_OBJECT_ATTRIBUTES, id, &rows);
	assert_int_equal(rows.n, 2);
	assert_int_equal(rows.parent[0], obj1);
	assert_string_equal(record_text(&rows.r[0], ATTR_UUID, ""),
			    UUID_OBJ1_ATTR);
	assert_string_equal(record_text(&rows.r[0], ATTR_OBJECT_RELATION, ""),
			    "md5");
	assert_int_equal(rows.parent[1], obj2);
	assert_string_equal(record_text(&rows.r[1], ATTR_VALUE, ""),
			    "c2.example");
	rows_release(&rows);
}

/* The reference names an object that comes later in the input. */
static void import_resolves_reference(void **state)
{
	struct fixture *f = *state;
	struct rows rows;
	int64_t id, obj1, obj2;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	obj1 = find_id(f, &model_object, UUID_OBJ1);
	obj2 = find_id(f, &model_object, UUID_OBJ2);

	read_rows(f, Q_EVENT_REFERENCES, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.parent[0], obj1);
	assert_string_equal(record_text(&rows.r[0], REF_UUID, ""), UUID_REF);
	assert_int_equal(record_int(&rows.r[0], REF_OBJECT_ID, 0), obj1);
	assert_string_equal(record_text(&rows.r[0], REF_OBJECT_UUID, ""),
			    UUID_OBJ1);
	assert_string_equal(record_text(&rows.r[0], REF_REFERENCED_UUID, ""),
			    UUID_OBJ2);
	assert_int_equal(record_int(&rows.r[0], REF_REFERENCED_ID, 0), obj2);
	assert_int_equal(record_int(&rows.r[0], REF_REFERENCED_TYPE, -1), 1);
	assert_string_equal(record_text(&rows.r[0], REF_RELATIONSHIP_TYPE, ""),
			    "related-to");
	rows_release(&rows);
}

static void import_stores_tags(void **state)
{
	struct fixture *f = *state;
	struct rows rows;
	int64_t id, attr1;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	attr1 = find_id(f, &model_attribute, UUID_ATTR1);

	read_rows(f, Q_EVENT_TAGS, id, &rows);
	assert_int_equal(rows.n, 2);
	assert_string_equal(record_text(&rows.r[0], TAG_NAME, ""), "tlp:green");
	assert_string_equal(record_text(&rows.r[0], TAG_COLOUR, ""),
			    "#33ff00");
	assert_string_equal(record_text(&rows.r[1], TAG_NAME, ""),
			    "misp-galaxy:threat-actor=\"APT X\"");
	/* A tag without a colour gets one. */
	assert_int_equal(strlen(record_text(&rows.r[1], TAG_COLOUR, "")), 7);
	rows_release(&rows);

	read_rows(f, Q_EVENT_ATTRIBUTE_TAGS, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.parent[0], attr1);
	assert_string_equal(record_text(&rows.r[0], TAG_NAME, ""), "tlp:amber");
	rows_release(&rows);
}

static void import_stores_cluster(void **state)
{
	struct fixture *f = *state;
	struct rows rows;
	int64_t id;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);

	read_rows(f, Q_EVENT_CLUSTERS, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(record_text(&rows.r[0], CLUSTER_VALUE, ""),
			    "APT X");
	assert_string_equal(record_text(&rows.r[0], CLUSTER_TYPE, ""),
			    "threat-actor");
	assert_string_equal(record_text(&rows.r[0], CLUSTER_TAG_NAME, ""),
			    "misp-galaxy:threat-actor=\"APT X\"");
	/* The cluster's JSON is kept as received, with its own uuid. */
	assert_non_null(rows.cluster_json[0]);
	assert_non_null(strstr(rows.cluster_json[0], UUID_CLUSTER));
	rows_release(&rows);

	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTE_CLUSTERS, id), 0);
}

static void import_stores_sighting(void **state)
{
	struct fixture *f = *state;
	struct rows rows;
	int64_t id, attr1;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	attr1 = find_id(f, &model_attribute, UUID_ATTR1);

	read_rows(f, Q_EVENT_SIGHTINGS, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.parent[0], attr1);
	assert_string_equal(record_text(&rows.r[0], SIGHT_UUID, ""),
			    UUID_SIGHTING);
	assert_string_equal(record_text(&rows.r[0], SIGHT_SOURCE, ""),
			    "sensor");
	assert_int_equal(record_int(&rows.r[0], SIGHT_DATE_SIGHTING, 0),
			 1700000100);
	assert_int_equal(record_int(&rows.r[0], SIGHT_TYPE, -1), 0);
	assert_int_equal(record_int(&rows.r[0], SIGHT_EVENT_ID, 0), id);
	assert_int_equal(record_int(&rows.r[0], SIGHT_ORG_ID, 0), f->org);
	assert_string_equal(record_text(&rows.r[0], SIGHT_ATTRIBUTE_UUID, ""),
			    UUID_ATTR1);
	rows_release(&rows);
}

static void import_stores_proposal(void **state)
{
	struct fixture *f = *state;
	struct rows rows;
	int64_t id, attr1;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	attr1 = find_id(f, &model_attribute, UUID_ATTR1);

	read_rows(f, Q_EVENT_SHADOWS, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.parent[0], attr1);
	assert_int_equal(record_int(&rows.r[0], SHADOW_OLD_ID, 0), attr1);
	assert_string_equal(record_text(&rows.r[0], SHADOW_UUID, ""),
			    UUID_SHADOW);
	assert_string_equal(record_text(&rows.r[0], SHADOW_VALUE, ""),
			    "203.0.113.6");
	assert_string_equal(record_text(&rows.r[0], SHADOW_COMMENT, ""),
			    "typo in the last octet");
	assert_string_equal(record_text(&rows.r[0], SHADOW_EVENT_UUID, ""),
			    UUID_EVENT);
	assert_int_equal(record_int(&rows.r[0], SHADOW_EVENT_ID, 0), id);
	rows_release(&rows);
}

/* ---- importing again ---- */

static void import_same_unchanged(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	int64_t id, attr1;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	attr1 = find_id(f, &model_attribute, UUID_ATTR1);

	st = import_event(f, event_format, "1700000000", "Import test");
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.attributes, 0);
	assert_int_equal(find_id(f, &model_event, UUID_EVENT), id);
	/* Same row ids: nothing was deleted and written again. */
	assert_int_equal(find_id(f, &model_attribute, UUID_ATTR1), attr1);
	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTES, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_OBJECT_ATTRIBUTES, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_TAGS, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_SIGHTINGS, id), 1);
	assert_int_equal(count_rows(f, Q_EVENT_REFERENCES, id), 1);
}

static void import_newer_replaces(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct rows rows;
	struct record ev;
	int64_t id;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);

	st = import_event(f, replacement_format, "1700000500", "Updated");
	assert_int_equal(st.updated, 1);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.unchanged, 0);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.attributes, 1);
	assert_int_equal(st.objects, 0);
	assert_int_equal(find_id(f, &model_event, UUID_EVENT), id);

	get_event(f, id, &ev);
	assert_string_equal(record_text(&ev, EVENT_INFO, ""), "Updated");
	assert_int_equal(record_int(&ev, EVENT_TIMESTAMP, 0), 1700000500);
	assert_int_equal(record_int(&ev, EVENT_ATTRIBUTE_COUNT, 0), 1);
	record_release(&ev);

	read_rows(f, Q_EVENT_ATTRIBUTES, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(record_text(&rows.r[0], ATTR_UUID, ""), UUID_ATTR3);
	rows_release(&rows);
	read_rows(f, Q_EVENT_TAGS, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(record_text(&rows.r[0], TAG_NAME, ""), "tlp:red");
	rows_release(&rows);

	/* Nothing of the old content is left. */
	assert_false(exists(f, &model_attribute, UUID_ATTR1));
	assert_false(exists(f, &model_attribute, UUID_OBJ1_ATTR));
	assert_false(exists(f, &model_object, UUID_OBJ1));
	assert_int_equal(count_rows(f, Q_EVENT_OBJECTS, id), 0);
	assert_int_equal(count_rows(f, Q_EVENT_OBJECT_ATTRIBUTES, id), 0);
	assert_int_equal(count_rows(f, Q_EVENT_REFERENCES, id), 0);
	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTE_TAGS, id), 0);
	assert_int_equal(count_rows(f, Q_EVENT_CLUSTERS, id), 0);
	assert_int_equal(count_rows(f, Q_EVENT_SIGHTINGS, id), 0);
	assert_int_equal(count_rows(f, Q_EVENT_SHADOWS, id), 0);
}

/* The usual update: the same attribute and object uuids, new values. */
static void import_newer_keeps_uuids(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct rows rows;
	int64_t id;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);

	st = import_event(f, event_format, "1700000500", "Import test v2");
	assert_int_equal(st.updated, 1);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.attributes, 4);
	assert_int_equal(st.objects, 2);
	assert_int_equal(find_id(f, &model_event, UUID_EVENT), id);
	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTES, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_OBJECT_ATTRIBUTES, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_TAGS, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTE_TAGS, id), 1);
	assert_int_equal(count_rows(f, Q_EVENT_CLUSTERS, id), 1);
	assert_int_equal(count_rows(f, Q_EVENT_SIGHTINGS, id), 1);
	assert_int_equal(count_rows(f, Q_EVENT_SHADOWS, id), 1);

	read_rows(f, Q_EVENT_REFERENCES, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_int_equal(record_int(&rows.r[0], REF_OBJECT_ID, 0),
			 find_id(f, &model_object, UUID_OBJ1));
	assert_int_equal(record_int(&rows.r[0], REF_REFERENCED_ID, 0),
			 find_id(f, &model_object, UUID_OBJ2));
	rows_release(&rows);
}

static void import_older_unchanged(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct record ev;
	int64_t id;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);

	st = import_event(f, replacement_format, "1600000000", "Older");
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.rejected, 0);

	get_event(f, id, &ev);
	assert_string_equal(record_text(&ev, EVENT_INFO, ""), "Import test");
	assert_int_equal(record_int(&ev, EVENT_TIMESTAMP, 0), 1700000000);
	record_release(&ev);
	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTES, id), 2);
	assert_false(exists(f, &model_attribute, UUID_ATTR3));
}

/* ---- rejected events ---- */

static const char invalid_format[] =
	"{\"Event\": {\"uuid\": \"%s\", \"info\": \"%s\",\n"
	" \"timestamp\": \"%s\",\n"
	" \"Attribute\": [\n"
	"  {\"uuid\": \"" UUID_ATTR3 "\", \"type\": \"url\",\n"
	"   \"value\": \"https://evil.example/x\"},\n"
	"  {\"type\": \"no-such-type\", \"value\": \"x\"}\n"
	" ]}}";

static void import_invalid_attribute(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct buf doc = BUF_INIT;

	buf_printf(&doc, invalid_format, UUID_OTHER, "Bad", "1700000000");
	st = import_text(f, buf_str(&doc));
	buf_release(&doc);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.attributes, 0);
	assert_false(exists(f, &model_event, UUID_OTHER));
	assert_false(exists(f, &model_attribute, UUID_ATTR3));

	assert_int_equal(f->rejects.count, 1);
	assert_int_equal(f->rejects.code, CAIRN_EINVAL);
	assert_string_equal(buf_str(&f->rejects.path), "test.json");
	assert_string_equal(buf_str(&f->rejects.pointer),
			    "/Event/Attribute/1");
	assert_string_equal(buf_str(&f->rejects.field), "type");
	assert_non_null(strstr(buf_str(&f->rejects.message),
			       "'no-such-type' is not a MISP attribute type"));
}

/* A newer copy with a bad attribute leaves the stored copy as it was. */
static void import_invalid_keeps_stored(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct buf doc = BUF_INIT;
	struct record ev;
	int64_t id, attr1;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	attr1 = find_id(f, &model_attribute, UUID_ATTR1);

	buf_printf(&doc, invalid_format, UUID_EVENT, "Bad", "1700000900");
	st = import_text(f, buf_str(&doc));
	buf_release(&doc);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.updated, 0);

	get_event(f, id, &ev);
	assert_string_equal(record_text(&ev, EVENT_INFO, ""), "Import test");
	assert_int_equal(record_int(&ev, EVENT_TIMESTAMP, 0), 1700000000);
	assert_int_equal(record_int(&ev, EVENT_ATTRIBUTE_COUNT, 0), 4);
	record_release(&ev);
	assert_int_equal(find_id(f, &model_attribute, UUID_ATTR1), attr1);
	assert_false(exists(f, &model_attribute, UUID_ATTR3));
	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTES, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_OBJECTS, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_REFERENCES, id), 1);
	assert_int_equal(count_rows(f, Q_EVENT_TAGS, id), 2);
	assert_int_equal(count_rows(f, Q_EVENT_CLUSTERS, id), 1);
	assert_int_equal(count_rows(f, Q_EVENT_SIGHTINGS, id), 1);
	assert_int_equal(count_rows(f, Q_EVENT_SHADOWS, id), 1);
}

/* The creator organisation of a rejected event is not stored either. */
static void import_invalid_leaves_no_org(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;

	st = import_text(
		f, "{\"Event\": {\"uuid\": \"" UUID_OTHER "\","
		   " \"info\": \"bad\", \"timestamp\": \"1700000000\",\n"
		   " \"Orgc\": {\"name\": \"ORGC\","
		   " \"uuid\": \"" UUID_ORGC "\"},\n"
		   " \"Attribute\": [{\"type\": \"no-such-type\", "
		   "\"value\": \"x\"}]}}");
	assert_int_equal(st.rejected, 1);
	assert_false(exists(f, &model_event, UUID_OTHER));
	assert_false(exists(f, &model_org, UUID_ORGC));
}

static const char other_event_format[] =
	"{\"Event\": {\"uuid\": \"" UUID_OTHER "\", \"info\": \"other\",\n"
	" \"timestamp\": \"1700000000\",\n"
	" \"Attribute\": [{\"uuid\": \"%s\", \"type\": \"ip-dst\",\n"
	"   \"value\": \"198.51.100.7\"}]}}";

/* An attribute uuid is unique across events, as in MISP. */
static void import_uuid_of_other_event(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct buf doc = BUF_INIT;

	import_event(f, event_format, "1700000000", "Import test");
	buf_printf(&doc, other_event_format, UUID_ATTR1);
	st = import_text(f, buf_str(&doc));
	buf_release(&doc);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.added, 0);
	assert_false(exists(f, &model_event, UUID_OTHER));
	assert_int_equal(f->rejects.code, CAIRN_EEXIST);
	assert_string_equal(buf_str(&f->rejects.pointer),
			    "/Event/Attribute/0");
	assert_string_equal(buf_str(&f->rejects.message),
			    "attribute '" UUID_ATTR1 "' at /Event/Attribute/0 "
			    "belongs to another event");
}

/* An attribute named by the upper-case form of another event's attribute
 * uuid is found, and rejected as belonging to that event. */
static void import_upper_uuid_of_other_event(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct buf doc = BUF_INIT;

	import_event(f, event_format, "1700000000", "Import test");
	buf_printf(&doc, other_event_format,
		   "A1A1A1A1-0000-4000-8000-000000000001");
	st = import_text(f, buf_str(&doc));
	buf_release(&doc);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(f->rejects.code, CAIRN_EEXIST);
	assert_non_null(strstr(buf_str(&f->rejects.message),
			       "belongs to another event"));
}

/* An edit that names a stored attribute by its upper-case uuid updates
 * that attribute. */
static void edit_upper_uuid_updates(void **state)
{
	struct fixture *f = *state;
	struct event_writer_options o = {0};
	struct cairn_err e = CAIRN_ERR_INIT;
	enum event_write_result result;
	struct rows rows;
	int64_t id, written;
	json_t *edit;

	import_event(f, event_format, "1700000000", "Import test");
	id = find_id(f, &model_event, UUID_EVENT);
	edit = json_loads("{\"info\": \"edited\", \"Attribute\": [{\"uuid\": "
			  "\"A1A1A1A1-0000-4000-8000-000000000001\", "
			  "\"type\": \"ip-dst\", \"value\": \"192.0.2.1\"}]}",
			  0, NULL);
	assert_non_null(edit);
	o.mode = WRITE_EDIT;
	o.org_id = f->org;
	o.event_id = id;
	assert_int_equal(
		event_write_tree(f->s, &o, edit, &result, &written, &e), 0);
	assert_int_equal(result, EVENT_UPDATED);
	read_rows(f, Q_EVENT_ATTRIBUTES, id, &rows);
	assert_int_equal(rows.n, 2);
	assert_string_equal(record_text(&rows.r[0], ATTR_UUID, ""), UUID_ATTR1);
	assert_string_equal(record_text(&rows.r[0], ATTR_VALUE, ""),
			    "192.0.2.1");
	rows_release(&rows);
	json_decref(edit);
	cairn_err_release(&e);
}

static void import_response_bad_then_good(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	int64_t id;

	st = import_text(
		f, "{\"response\": [\n"
		   " {\"Event\": {\"uuid\": \"" UUID_OTHER "\","
		   "  \"info\": \"bad\","
		   "  \"timestamp\": \"1700000000\",\n"
		   "  \"Attribute\": [{\"type\": \"no-such-type\", "
		   "\"value\": \"x\"},\n"
		   "                 {\"type\": \"ip-src\", \"value\": "
		   "\"198.51.100.1\"}]}},\n"
		   " {\"Event\": {\"uuid\": \"" UUID_EVENT "\","
		   "  \"info\": \"good\","
		   "  \"timestamp\": \"1700000000\",\n"
		   "  \"Attribute\": [{\"uuid\": \"" UUID_ATTR1 "\", "
		   "\"type\": \"ip-dst\", \"value\": \"203.0.113.5\"}]}}\n"
		   "]}");
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.attributes, 1);
	assert_int_equal(f->rejects.count, 1);
	assert_string_equal(buf_str(&f->rejects.pointer),
			    "/response/0/Event/Attribute/0");
	assert_false(exists(f, &model_event, UUID_OTHER));
	id = find_id(f, &model_event, UUID_EVENT);
	assert_int_equal(count_rows(f, Q_EVENT_ATTRIBUTES, id), 1);
	assert_true(exists(f, &model_attribute, UUID_ATTR1));
}

static void import_missing_info_rejected(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;

	st = import_text(f, "{\"Event\": {\"uuid\": \"" UUID_EVENT "\", "
			    "\"timestamp\": \"1700000000\", \"Attribute\": "
			    "[{\"type\": \"ip-dst\", "
			    "\"value\": \"1.2.3.4\"}]}}");
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.added, 0);
	assert_false(exists(f, &model_event, UUID_EVENT));
	assert_string_equal(buf_str(&f->rejects.field), "info");
}

static void import_syntax_error_rejected(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;

	st = import_text(f, "{\"Event\": {\"uuid\": \"" UUID_EVENT "\", "
			    "\"info\": \"x\", \"timestamp\": \"1700000000\", "
			    "\"Attribute\": [{\"type\": \"ip-dst\", "
			    "\"value\": \"1.2.3.4\"},]}}");
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.added, 0);
	assert_false(exists(f, &model_event, UUID_EVENT));
	assert_string_equal(buf_str(&f->rejects.pointer),
			    "/Event/Attribute/1");
}

/* ---- files ---- */

/* A file larger than the importer's 64 KiB read chunk. */
static void import_path_large_file(void **state)
{
	struct fixture *f = *state;
	struct import_stats st = {0};
	struct buf path = BUF_INIT;
	struct rows rows;
	struct record ev;
	FILE *out;
	int64_t id;

	buf_printf(&path, "%s/large.json", f->dir.data);
	out = fopen(buf_str(&path), "w");
	assert_non_null(out);
	fprintf(out, "{\"Event\": {\"uuid\": \"" UUID_EVENT "\", "
		     "\"info\": \"large\", \"timestamp\": \"1700000000\",\n"
		     " \"Attribute\": [\n");
	for (int i = 0; i < 2000; i++) {
		fprintf(out,
			"  %s{\"type\": \"ip-dst\", \"value\": \"10.0.%d.%d\", "
			"\"comment\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"}\n",
			i ? "," : "", i / 256, i % 256);
	}
	fprintf(out, " ]}}\n");
	assert_int_equal(ftell(out) > 128 * 1024, 1);
	assert_int_equal(fclose(out), 0);

	assert_int_equal(import_path(&f->job, buf_str(&path), &st), 0);
	unlink(buf_str(&path));
	buf_release(&path);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.attributes, 2000);
	assert_int_equal(st.files, 1);

	id = find_id(f, &model_event, UUID_EVENT);
	get_event(f, id, &ev);
	assert_int_equal(record_int(&ev, EVENT_ATTRIBUTE_COUNT, 0), 2000);
	record_release(&ev);
	read_rows(f, Q_EVENT_ATTRIBUTES, id, &rows);
	assert_int_equal(rows.total, 2000);
	assert_string_equal(record_text(&rows.r[0], ATTR_VALUE, ""),
			    "10.0.0.0");
	assert_string_equal(record_text(&rows.r[7], ATTR_VALUE, ""),
			    "10.0.0.7");
	assert_string_equal(record_text(&rows.r[0], ATTR_COMMENT, ""),
			    "caf\xc3\xa9 \xf0\x9f\x98\x80");
	rows_release(&rows);
}

static void write_file(struct fixture *f, const char *name, const char *text)
{
	struct buf path = BUF_INIT;
	FILE *out;

	buf_printf(&path, "%s/%s", f->dir.data, name);
	out = fopen(buf_str(&path), "w");
	assert_non_null(out);
	assert_int_equal(fputs(text, out) >= 0, 1);
	assert_int_equal(fclose(out), 0);
	buf_release(&path);
}

static void remove_file(struct fixture *f, const char *name)
{
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/%s", f->dir.data, name);
	unlink(buf_str(&path));
	buf_release(&path);
}

/* A batch with a bad file is imported again one event at a time: only
 * that event is rejected, and nothing is counted twice. */
static void import_batch_one_bad(void **state)
{
	struct fixture *f = *state;
	struct import_stats st = {0};
	struct buf doc = BUF_INIT;

	buf_printf(&doc, event_format, "first", "1700000000");
	write_file(f, "a.json", buf_str(&doc));
	buf_clear(&doc);
	buf_printf(&doc, invalid_format, "33333333-3333-4333-8333-333333333333",
		   "bad", "1700000000");
	write_file(f, "b.json", buf_str(&doc));
	buf_clear(&doc);
	buf_printf(&doc, other_event_format, UUID_ATTR3);
	write_file(f, "c.json", buf_str(&doc));
	buf_release(&doc);

	f->job.batch_files = 16;
	assert_int_equal(import_path(&f->job, f->dir.data, &st), 0);
	remove_file(f, "a.json");
	remove_file(f, "b.json");
	remove_file(f, "c.json");

	assert_int_equal(st.added, 2);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.unchanged, 0);
	assert_int_equal(st.attributes, 5);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.files, 3);
	assert_int_equal(f->rejects.count, 1);
	assert_non_null(strstr(buf_str(&f->rejects.path), "/b.json"));
	assert_true(exists(f, &model_event, UUID_EVENT));
	assert_true(exists(f, &model_event, UUID_OTHER));
	assert_false(exists(f, &model_event,
			    "33333333-3333-4333-8333-333333333333"));
}

static void import_batch_all_good(void **state)
{
	struct fixture *f = *state;
	struct import_stats st = {0};
	struct buf doc = BUF_INIT;

	buf_printf(&doc, event_format, "first", "1700000000");
	write_file(f, "a.json", buf_str(&doc));
	buf_clear(&doc);
	buf_printf(&doc, other_event_format, UUID_ATTR3);
	write_file(f, "b.json", buf_str(&doc));
	buf_release(&doc);

	f->job.batch_files = 16;
	assert_int_equal(import_path(&f->job, f->dir.data, &st), 0);
	remove_file(f, "a.json");
	remove_file(f, "b.json");

	assert_int_equal(st.added, 2);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.attributes, 5);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.files, 2);
	assert_true(exists(f, &model_event, UUID_EVENT));
	assert_true(exists(f, &model_event, UUID_OTHER));
}

static const char skipped_format[] =
	"{\"Event\": {\"uuid\": \"%s\", \"info\": \"skips\",\n"
	" \"timestamp\": \"1700000000\",\n"
	" \"Attribute\": [\n"
	"  {\"type\": \"domain\", \"value\": \"kept.example\"},\n"
	"  {\"type\": \"md5\", \"value\": \"not-hex\"}\n"
	" ]}}";

/* An attribute left out inside a batch is reported once, with its
 * pointer, after the batch commits; the batch is not imported again. */
static void import_batch_skip_reported_once(void **state)
{
	struct fixture *f = *state;
	struct import_stats st = {0};
	struct buf doc = BUF_INIT;

	buf_printf(&doc, skipped_format, UUID_EVENT);
	write_file(f, "a.json", buf_str(&doc));
	buf_clear(&doc);
	buf_printf(&doc, other_event_format, UUID_ATTR3);
	write_file(f, "b.json", buf_str(&doc));
	buf_release(&doc);

	f->job.batch_files = 16;
	f->job.progress = on_progress;
	assert_int_equal(import_path(&f->job, f->dir.data, &st), 0);
	remove_file(f, "a.json");
	remove_file(f, "b.json");

	assert_int_equal(f->progress_calls, 1);
	assert_int_equal(st.added, 2);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(f->warnings.count, 1);
	assert_non_null(strstr(buf_str(&f->warnings.path), "/a.json"));
	assert_string_equal(buf_str(&f->warnings.pointer),
			    "/Event/Attribute/1");
	assert_true(exists(f, &model_event, UUID_EVENT));
	assert_true(exists(f, &model_event, UUID_OTHER));
}

/* A batch that rolls back drops the warnings it held: the import one
 * event at a time reports them, so each is reported once. */
static void import_batch_skip_and_bad(void **state)
{
	struct fixture *f = *state;
	struct import_stats st = {0};
	struct buf doc = BUF_INIT;

	buf_printf(&doc, skipped_format, UUID_EVENT);
	write_file(f, "a.json", buf_str(&doc));
	buf_clear(&doc);
	buf_printf(&doc, invalid_format, UUID_OTHER, "bad", "1700000000");
	write_file(f, "b.json", buf_str(&doc));
	buf_release(&doc);

	f->job.batch_files = 16;
	assert_int_equal(import_path(&f->job, f->dir.data, &st), 0);
	remove_file(f, "a.json");
	remove_file(f, "b.json");

	assert_int_equal(st.added, 1);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(f->warnings.count, 1);
	assert_string_equal(buf_str(&f->warnings.pointer),
			    "/Event/Attribute/1");
	assert_int_equal(f->rejects.count, 1);
	assert_true(exists(f, &model_event, UUID_EVENT));
	assert_false(exists(f, &model_event, UUID_OTHER));
}

static void import_path_missing(void **state)
{
	struct fixture *f = *state;
	struct import_stats st = {0};
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/no-such-file.json", f->dir.data);
	assert_int_equal(import_path(&f->job, buf_str(&path), &st),
			 CAIRN_ENOTFOUND);
	assert_int_equal(st.files, 0);
	buf_release(&path);
}

/* ---- key order ---- */

/* The elements arrive before the header names the event, so the writer
 * keeps them until the uuid is known. */
static void import_attributes_before_uuid(void **state)
{
	struct fixture *f = *state;
	struct import_stats st;
	struct rows rows;
	int64_t id, obj1, obj2;

	st = import_text(
		f, "{\"info\": \"late uuid\",\n"
		   " \"Attribute\": [{\"uuid\": \"" UUID_ATTR1 "\", "
		   "\"type\": \"ip-dst\", \"value\": \"203.0.113.5\"}],\n"
		   " \"Object\": [{\"uuid\": \"" UUID_OBJ1 "\", "
		   "\"name\": \"file\",\n"
		   "   \"ObjectReference\": [{\"referenced_uuid\": \"" UUID_OBJ2
		   "\", \"relationship_type\": \"related-to\"}]},\n"
		   "  {\"uuid\": \"" UUID_OBJ2 "\","
		   " \"name\": \"domain-ip\"}],\n"
		   " \"uuid\": \"" UUID_EVENT "\",\n"
		   " \"timestamp\": \"1700000000\"}");
	assert_int_equal(st.added, 1);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.attributes, 1);
	assert_int_equal(st.objects, 2);
	id = find_id(f, &model_event, UUID_EVENT);
	obj1 = find_id(f, &model_object, UUID_OBJ1);
	obj2 = find_id(f, &model_object, UUID_OBJ2);

	read_rows(f, Q_EVENT_ATTRIBUTES, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(record_text(&rows.r[0], ATTR_UUID, ""), UUID_ATTR1);
	assert_int_equal(record_int(&rows.r[0], ATTR_EVENT_ID, 0), id);
	rows_release(&rows);
	assert_int_equal(count_rows(f, Q_EVENT_OBJECTS, id), 2);

	read_rows(f, Q_EVENT_REFERENCES, id, &rows);
	assert_int_equal(rows.n, 1);
	assert_int_equal(record_int(&rows.r[0], REF_OBJECT_ID, 0), obj1);
	assert_int_equal(record_int(&rows.r[0], REF_REFERENCED_ID, 0), obj2);
	assert_int_equal(record_int(&rows.r[0], REF_EVENT_ID, 0), id);
	rows_release(&rows);
}

/* Upper-case UUIDs are stored lower-case, so a second import finds the
 * event. */
static void import_upper_case_uuid(void **state)
{
	struct fixture *f = *state;
	static const char doc[] =
		"{\"Event\":"
		" {\"uuid\": \"AAAAAAAA-1111-4111-8111-111111111111\","
		" \"info\": \"upper\", \"timestamp\": \"1700000000\"}}";
	struct import_stats st;

	st = import_text(f, doc);
	assert_int_equal(st.added, 1);
	assert_true(exists(f, &model_event,
			   "aaaaaaaa-1111-4111-8111-111111111111"));
	st = import_text(f, doc);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.added, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup,         \
						fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(import_adds_event),
		T(import_stores_attributes),
		T(import_stores_objects),
		T(import_resolves_reference),
		T(import_stores_tags),
		T(import_stores_cluster),
		T(import_stores_sighting),
		T(import_stores_proposal),
		T(import_same_unchanged),
		T(import_newer_replaces),
		T(import_newer_keeps_uuids),
		T(import_older_unchanged),
		T(import_invalid_attribute),
		T(import_invalid_keeps_stored),
		T(import_invalid_leaves_no_org),
		T(import_uuid_of_other_event),
		T(import_upper_uuid_of_other_event),
		T(edit_upper_uuid_updates),
		T(import_response_bad_then_good),
		T(import_missing_info_rejected),
		T(import_syntax_error_rejected),
		T(import_path_large_file),
		T(import_path_missing),
		T(import_batch_one_bad),
		T(import_batch_all_good),
		T(import_batch_skip_reported_once),
		T(import_batch_skip_and_bad),
		T(import_attributes_before_uuid),
		T(import_upper_case_uuid),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
