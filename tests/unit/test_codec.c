/*
 * Tests of src/model/codec: the coercions codec_parse() applies per field
 * kind, its error detail, and the exact JSON text codec_emit_record()
 * writes.
 *
 * Most cases use a small model defined here, with one field of each kind
 * and flag, so that changes to MISP's field tables do not move them.  A few
 * cases run the real event and attribute tables.
 */
#include "core/buf.h"
#include "core/err.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/record.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

enum sample_field {
	S_ID,
	S_COUNT,
	S_SIZE,
	S_FLAG,
	S_TIMESTAMP,
	S_NAME,
	S_UUID,
	S_DATE,
	S_NOTE,
	S_DATA,
	S_LAST,
	S_NFIELDS,
};

static const struct field sample_fields[] = {
	[S_ID] = {"id", "id", FIELD_ID, F_SERVER},
	[S_COUNT] = {"count", "count", FIELD_INT, 0},
	[S_SIZE] = {"size", "size", FIELD_NUM, 0},
	[S_FLAG] = {"flag", "flag", FIELD_BOOL, 0},
	[S_TIMESTAMP] = {"timestamp", "timestamp", FIELD_TIME, 0},
	[S_NAME] = {"name", "name", FIELD_TEXT, 0},
	[S_UUID] = {"uuid", "uuid", FIELD_UUID, 0},
	[S_DATE] = {"date", "date", FIELD_DATE, 0},
	[S_NOTE] = {"note", "note", FIELD_TEXT, F_NULLABLE},
	[S_DATA] = {"data", "data", FIELD_TEXT, F_OMIT},
	[S_LAST] = {"last", "last", FIELD_TEXT, F_NULLABLE | F_OMIT},
};

static const struct model model_sample = {"Sample", "samples", sample_fields,
					  S_NFIELDS};

#define UUID_UPPER "5E5F1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B"
#define UUID_LOWER "5e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"

/* A parsed document: the record borrows strings from `doc`, so both live
 * until parsed_release(). */
struct parsed {
	json_t *doc;
	struct record r;
	struct cairn_err e;
	int rc;
};

static void parse_as(struct parsed *p, const struct model *m,
		     const char *text, bool keep_server, const char *pointer)
{
	json_error_t jerr;

	memset(p, 0, sizeof(*p));
	p->doc = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!p->doc) {
		fail_msg("test input %s is not JSON: %s", text, jerr.text);
	}
	record_init(&p->r, m);
	p->rc = codec_parse(&p->r, p->doc, keep_server, pointer, &p->e);
}

static void parsed_release(struct parsed *p)
{
	record_release(&p->r);
	cairn_err_release(&p->e);
	json_decref(p->doc);
}

/* Parses `{member}` as a Sample at /Sample. */
static void parse_member(struct parsed *p, const char *member)
{
	struct buf text = BUF_INIT;

	buf_printf(&text, "{%s}", member);
	parse_as(p, &model_sample, buf_str(&text), false, "/Sample");
	buf_release(&text);
}

static void expect_ok(const struct parsed *p, const char *member)
{
	if (p->rc != 0) {
		fail_msg("%s: codec_parse returned %d: %s", member, p->rc,
			 buf_str(&p->e.message));
	}
}

static void expect_int(const char *member, int field, int64_t expected)
{
	struct parsed p;

	parse_member(&p, member);
	expect_ok(&p, member);
	if (!p.r.v[field].set || p.r.v[field].null) {
		fail_msg("%s: field is unset or null", member);
	}
	if (p.r.v[field].i != expected) {
		fail_msg("%s: got %" PRId64 ", expected %" PRId64, member,
			 p.r.v[field].i, expected);
	}
	parsed_release(&p);
}

static void expect_text(const char *member, int field, const char *expected)
{
	struct parsed p;

	parse_member(&p, member);
	expect_ok(&p, member);
	if (!p.r.v[field].set || p.r.v[field].null || !p.r.v[field].s) {
		fail_msg("%s: field is unset or null", member);
	}
	if (strcmp(p.r.v[field].s, expected) != 0) {
		fail_msg("%s: got '%s', expected '%s'", member, p.r.v[field].s,
			 expected);
	}
	parsed_release(&p);
}

static void expect_unset(const char *member, int field)
{
	struct parsed p;

	parse_member(&p, member);
	expect_ok(&p, member);
	if (p.r.v[field].set) {
		fail_msg("%s: field is set, expected it left unset", member);
	}
	parsed_release(&p);
}

/* Expects `member` to be rejected with exactly `message`. */
static void expect_rejected(const char *member, const char *message)
{
	struct parsed p;

	parse_member(&p, member);
	if (p.rc != CAIRN_EINVAL) {
		fail_msg("%s: codec_parse returned %d, expected CAIRN_EINVAL",
			 member, p.rc);
	}
	if (p.e.code != CAIRN_EINVAL) {
		fail_msg("%s: error code %d, expected CAIRN_EINVAL", member,
			 p.e.code);
	}
	if (strcmp(buf_str(&p.e.message), message) != 0) {
		fail_msg("%s: message \"%s\", expected \"%s\"", member,
			 buf_str(&p.e.message), message);
	}
	parsed_release(&p);
}

/* ---- codec_parse: integers ---- */

static void parse_int_number_and_string(void **state)
{
	(void)state;
	expect_int("\"count\": 12", S_COUNT, 12);
	expect_int("\"count\": \"12\"", S_COUNT, 12);
	expect_int("\"count\": 0", S_COUNT, 0);
	expect_int("\"count\": \"0\"", S_COUNT, 0);
	expect_int("\"count\": \" 42 \"", S_COUNT, 42);
	expect_int("\"count\": 3.0", S_COUNT, 3);
	expect_int("\"size\": 5", S_SIZE, 5);
	expect_int("\"size\": \"5\"", S_SIZE, 5);
}

static void parse_int_negative(void **state)
{
	(void)state;
	expect_int("\"count\": -7", S_COUNT, -7);
	expect_int("\"count\": \"-7\"", S_COUNT, -7);
	expect_int("\"size\": -1", S_SIZE, -1);
}

static void parse_int_limits(void **state)
{
	(void)state;
	expect_int("\"count\": 9223372036854775807", S_COUNT, INT64_MAX);
	expect_int("\"count\": \"9223372036854775807\"", S_COUNT, INT64_MAX);
	expect_int("\"count\": \"-9223372036854775808\"", S_COUNT, INT64_MIN);
}

static void parse_int_out_of_range(void **state)
{
	(void)state;
	expect_rejected("\"count\": \"9223372036854775808\"",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a string");
	expect_rejected("\"count\": \"-9223372036854775809\"",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a string");
	expect_rejected("\"count\": 1e19",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a number");
	expect_rejected("\"count\": -1e19",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a number");
}

static void parse_int_rejects_non_integers(void **state)
{
	(void)state;
	expect_rejected("\"count\": \"abc\"",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a string");
	expect_rejected("\"count\": \"12abc\"",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a string");
	expect_rejected("\"count\": \"-\"",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a string");
	expect_rejected("\"count\": 3.5",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a number");
	expect_rejected("\"count\": \"3.5\"",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a string");
	expect_rejected("\"count\": true",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got a boolean");
	expect_rejected("\"count\": [1]",
			"invalid 'count' at /Sample/count: expected an "
			"integer, got an array");
	expect_rejected("\"size\": {}",
			"invalid 'size' at /Sample/size: expected an "
			"integer, got an object");
}

/* ---- codec_parse: timestamps ---- */

static void parse_time_truncates_fraction(void **state)
{
	(void)state;
	expect_int("\"timestamp\": \"1796390498.27\"", S_TIMESTAMP,
		   1796390498);
	expect_int("\"timestamp\": 1796390498.27", S_TIMESTAMP, 1796390498);
	expect_int("\"timestamp\": 1796390498.99", S_TIMESTAMP, 1796390498);
	expect_int("\"timestamp\": \"1796390498.\"", S_TIMESTAMP, 1796390498);
	expect_int("\"timestamp\": \".5\"", S_TIMESTAMP, 0);
}

static void parse_time_whole_seconds(void **state)
{
	(void)state;
	expect_int("\"timestamp\": 1796390498", S_TIMESTAMP, 1796390498);
	expect_int("\"timestamp\": \"1796390498\"", S_TIMESTAMP, 1796390498);
}

/* Truncation is toward zero for strings and numbers alike. */
static void parse_time_negative(void **state)
{
	(void)state;
	expect_int("\"timestamp\": \"-1.9\"", S_TIMESTAMP, -1);
	expect_int("\"timestamp\": -1.9", S_TIMESTAMP, -1);
}

static void parse_time_rejects_non_numbers(void **state)
{
	(void)state;
	expect_rejected("\"timestamp\": \"1796390498.27x\"",
			"invalid 'timestamp' at /Sample/timestamp: expected "
			"a unix timestamp, got a string");
	expect_rejected("\"timestamp\": \"1.2.3\"",
			"invalid 'timestamp' at /Sample/timestamp: expected "
			"a unix timestamp, got a string");
	expect_rejected("\"timestamp\": \".\"",
			"invalid 'timestamp' at /Sample/timestamp: expected "
			"a unix timestamp, got a string");
	expect_rejected("\"timestamp\": \" . \"",
			"invalid 'timestamp' at /Sample/timestamp: expected "
			"a unix timestamp, got a string");
	expect_rejected("\"timestamp\": 1e300",
			"invalid 'timestamp' at /Sample/timestamp: expected "
			"a unix timestamp, got a number");
	expect_rejected("\"timestamp\": {}",
			"invalid 'timestamp' at /Sample/timestamp: expected "
			"a unix timestamp, got an object");
}

/* ---- codec_parse: booleans ---- */

static void parse_bool_accepted_forms(void **state)
{
	(void)state;
	expect_int("\"flag\": true", S_FLAG, 1);
	expect_int("\"flag\": false", S_FLAG, 0);
	expect_int("\"flag\": 1", S_FLAG, 1);
	expect_int("\"flag\": 0", S_FLAG, 0);
	expect_int("\"flag\": \"1\"", S_FLAG, 1);
	expect_int("\"flag\": \"0\"", S_FLAG, 0);
	expect_int("\"flag\": \"true\"", S_FLAG, 1);
	expect_int("\"flag\": \"false\"", S_FLAG, 0);
}

static void parse_bool_rejected_forms(void **state)
{
	(void)state;
	expect_rejected("\"flag\": 2",
			"invalid 'flag' at /Sample/flag: expected a boolean, "
			"got a number");
	expect_rejected("\"flag\": -1",
			"invalid 'flag' at /Sample/flag: expected a boolean, "
			"got a number");
	expect_rejected("\"flag\": 1.0",
			"invalid 'flag' at /Sample/flag: expected a boolean, "
			"got a number");
	expect_rejected("\"flag\": \"yes\"",
			"invalid 'flag' at /Sample/flag: expected a boolean, "
			"got a string");
	expect_rejected("\"flag\": \"2\"",
			"invalid 'flag' at /Sample/flag: expected a boolean, "
			"got a string");
	expect_rejected("\"flag\": {}",
			"invalid 'flag' at /Sample/flag: expected a boolean, "
			"got an object");
}

/* ---- codec_parse: text, UUIDs and dates ---- */

static void parse_text_borrows_string(void **state)
{
	struct parsed p;

	(void)state;
	parse_member(&p, "\"name\": \"evil.example\"");
	expect_ok(&p, "name");
	assert_string_equal(p.r.v[S_NAME].s, "evil.example");
	assert_ptr_equal(p.r.v[S_NAME].s,
			 json_string_value(json_object_get(p.doc, "name")));
	assert_null(p.r.owned[S_NAME]);
	parsed_release(&p);

	expect_text("\"name\": \"\"", S_NAME, "");
}

/* Port and AS numbers arrive as JSON numbers in text fields. */
static void parse_text_from_integer(void **state)
{
	(void)state;
	expect_text("\"name\": 443", S_NAME, "443");
	expect_text("\"name\": -5", S_NAME, "-5");
	expect_text("\"name\": 0", S_NAME, "0");
}

static void parse_text_rejects_non_strings(void **state)
{
	(void)state;
	expect_rejected("\"name\": {\"a\": 1}",
			"invalid 'name' at /Sample/name: expected a string, "
			"got an object");
	expect_rejected("\"name\": [\"a\"]",
			"invalid 'name' at /Sample/name: expected a string, "
			"got an array");
	expect_rejected("\"name\": true",
			"invalid 'name' at /Sample/name: expected a string, "
			"got a boolean");
	expect_rejected("\"name\": 1.5",
			"invalid 'name' at /Sample/name: expected a string, "
			"got a number");
}

static void parse_uuid_lower_cased(void **state)
{
	struct parsed p;

	(void)state;
	parse_member(&p, "\"uuid\": \"" UUID_UPPER "\"");
	expect_ok(&p, "uuid");
	assert_string_equal(p.r.v[S_UUID].s, UUID_LOWER);
	assert_ptr_equal(p.r.v[S_UUID].s, p.r.owned[S_UUID]);
	/* The document keeps its own spelling. */
	assert_string_equal(json_string_value(json_object_get(p.doc, "uuid")),
			    UUID_UPPER);
	parsed_release(&p);

	expect_text("\"uuid\": \"" UUID_LOWER "\"", S_UUID, UUID_LOWER);
}

static void parse_uuid_rejects_malformed(void **state)
{
	(void)state;
	expect_rejected("\"uuid\": \"not-a-uuid\"",
			"invalid 'uuid' at /Sample/uuid: expected a UUID, got "
			"'not-a-uuid'");
	/* No dashes. */
	expect_rejected("\"uuid\": \"5e5f1a2b3c4d4e5f8a9b0c1d2e3f4a5b\"",
			"invalid 'uuid' at /Sample/uuid: expected a UUID, got "
			"'5e5f1a2b3c4d4e5f8a9b0c1d2e3f4a5b'");
	/* One digit short. */
	expect_rejected("\"uuid\": \"5e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5\"",
			"invalid 'uuid' at /Sample/uuid: expected a UUID, got "
			"'5e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5'");
	/* 'g' is not a hex digit. */
	expect_rejected("\"uuid\": \"5e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5g\"",
			"invalid 'uuid' at /Sample/uuid: expected a UUID, got "
			"'5e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5g'");
	/* A dash one place late. */
	expect_rejected("\"uuid\": \"5e5f1a2b3-c4d-4e5f-8a9b-0c1d2e3f4a5b\"",
			"invalid 'uuid' at /Sample/uuid: expected a UUID, got "
			"'5e5f1a2b3-c4d-4e5f-8a9b-0c1d2e3f4a5b'");
	expect_rejected("\"uuid\": 12",
			"invalid 'uuid' at /Sample/uuid: expected a string, "
			"got a number");
}

static void is_uuid_forms(void **state)
{
	(void)state;
	assert_true(codec_is_uuid(UUID_LOWER));
	assert_true(codec_is_uuid(UUID_UPPER));
	assert_false(codec_is_uuid(""));
	assert_false(codec_is_uuid(UUID_LOWER "0"));
	assert_false(codec_is_uuid("{" UUID_LOWER "}"));
	assert_false(codec_is_uuid("5e5f1a2b-3c4d-4e5f-8a9b+0c1d2e3f4a5b"));
}

static void parse_date_plain(void **state)
{
	struct parsed p;

	(void)state;
	parse_member(&p, "\"date\": \"2024-02-29\"");
	expect_ok(&p, "date");
	assert_string_equal(p.r.v[S_DATE].s, "2024-02-29");
	assert_null(p.r.owned[S_DATE]);
	parsed_release(&p);

	expect_text("\"date\": \"2000-02-29\"", S_DATE, "2000-02-29");
	expect_text("\"date\": \"2023-12-31\"", S_DATE, "2023-12-31");
}

static void parse_date_from_iso_time(void **state)
{
	struct parsed p;

	(void)state;
	parse_member(&p, "\"date\": \"2024-02-29T10:20:30+00:00\"");
	expect_ok(&p, "date");
	assert_string_equal(p.r.v[S_DATE].s, "2024-02-29");
	assert_ptr_equal(p.r.v[S_DATE].s, p.r.owned[S_DATE]);
	parsed_release(&p);

	expect_text("\"date\": \"2024-02-29 10:20:30\"", S_DATE, "2024-02-29");
	expect_text("\"date\": \"2024-02-29T10:20:30.123456Z\"", S_DATE,
		    "2024-02-29");
}

static void parse_date_rejects_bad(void **state)
{
	(void)state;
	expect_rejected("\"date\": \"2024-13-01\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2024-13-01'");
	expect_rejected("\"date\": \"2024-00-10\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2024-00-10'");
	expect_rejected("\"date\": \"2024-01-32\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2024-01-32'");
	expect_rejected("\"date\": \"2024-04-31\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2024-04-31'");
	expect_rejected("\"date\": \"2023-02-29\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2023-02-29'");
	expect_rejected("\"date\": \"1900-02-29\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '1900-02-29'");
	expect_rejected("\"date\": \"2024-1-01\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2024-1-01'");
	expect_rejected("\"date\": \"yesterday\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got 'yesterday'");
	expect_rejected("\"date\": \"2024-13-01T00:00:00\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2024-13-01T00:00:00'");
	expect_rejected("\"date\": \"2024-02-29X10:20:30\"",
			"invalid 'date' at /Sample/date: expected a date "
			"YYYY-MM-DD, got '2024-02-29X10:20:30'");
	expect_rejected("\"date\": 20240229",
			"invalid 'date' at /Sample/date: expected a string, "
			"got a number");
}

/* ---- codec_parse: null, empty strings, server fields, unknown keys ---- */

/* Null sets a nullable field to null and leaves any other field unset,
 * as if it were absent, since PyMISP drops nulls and MISP then applies
 * the default. */
static void parse_null_sets_null(void **state)
{
	struct parsed p;

	(void)state;
	parse_member(&p, "\"name\": null, \"count\": null, \"uuid\": null, "
			 "\"flag\": null, \"note\": null");
	expect_ok(&p, "nulls");
	assert_false(p.r.v[S_NAME].set);
	assert_string_equal(record_text(&p.r, S_NAME, "fallback"), "fallback");
	assert_false(p.r.v[S_COUNT].set);
	assert_int_equal(record_int(&p.r, S_COUNT, -1), -1);
	assert_false(p.r.v[S_UUID].set);
	assert_false(p.r.v[S_FLAG].set);
	assert_true(p.r.v[S_NOTE].set);
	assert_true(p.r.v[S_NOTE].null);
	assert_null(p.r.v[S_NOTE].s);
	assert_false(p.r.v[S_DATE].set);
	parsed_release(&p);
}

/* MISP writes unset ids and timestamps as "", and codec_parse() leaves
 * such fields unset.  Only text fields keep an empty string. */
static void parse_empty_string_unset(void **state)
{
	(void)state;
	expect_unset("\"count\": \"\"", S_COUNT);
	expect_unset("\"timestamp\": \"\"", S_TIMESTAMP);
	expect_unset("\"flag\": \"\"", S_FLAG);
	expect_unset("\"uuid\": \"\"", S_UUID);
	expect_unset("\"date\": \"\"", S_DATE);
	expect_text("\"note\": \"\"", S_NOTE, "");
}

static void parse_skips_server_fields(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_sample, "{\"id\": \"12\", \"count\": 3}", false,
		 "/Sample");
	expect_ok(&p, "id");
	assert_false(p.r.v[S_ID].set);
	assert_int_equal(record_int(&p.r, S_COUNT, 0), 3);
	parsed_release(&p);

	/* An F_SERVER field is skipped before its value is looked at. */
	parse_as(&p, &model_sample, "{\"id\": {}}", false, "/Sample");
	expect_ok(&p, "id");
	assert_false(p.r.v[S_ID].set);
	parsed_release(&p);

	parse_as(&p, &model_event,
		 "{\"id\": \"7\", \"orgc_id\": \"2\", \"org_id\": \"3\", "
		 "\"attribute_count\": \"99\", \"sighting_timestamp\": \"5\", "
		 "\"info\": \"x\"}",
		 false, "/Event");
	expect_ok(&p, "event");
	assert_false(p.r.v[EVENT_ID].set);
	assert_false(p.r.v[EVENT_ORGC_ID].set);
	assert_false(p.r.v[EVENT_ORG_ID].set);
	assert_false(p.r.v[EVENT_ATTRIBUTE_COUNT].set);
	assert_false(p.r.v[EVENT_SIGHTING_TIMESTAMP].set);
	assert_string_equal(record_text(&p.r, EVENT_INFO, ""), "x");
	parsed_release(&p);
}

static void parse_keeps_server_fields(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_sample, "{\"id\": \"12\"}", true, "/Sample");
	expect_ok(&p, "id");
	assert_true(p.r.v[S_ID].set);
	assert_int_equal(p.r.v[S_ID].i, 12);
	parsed_release(&p);

	parse_as(&p, &model_sample, "{\"id\": {}}", true, "/Sample");
	assert_int_equal(p.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&p.e.message),
			    "invalid 'id' at /Sample/id: expected an integer, "
			    "got an object");
	parsed_release(&p);
}

static void parse_ignores_unknown_keys(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_event,
		 "{\"info\": \"x\", \"Attribute\": [{\"value\": 1}], "
		 "\"Tag\": {}, \"Orgc\": {\"name\": \"o\"}, \"extra\": null, "
		 "\"Info\": 5}",
		 false, "/Event");
	expect_ok(&p, "unknown keys");
	for (int i = 0; i < EVENT_NFIELDS; i++) {
		if (i != EVENT_INFO && p.r.v[i].set) {
			fail_msg("field '%s' set from an unknown key",
				 model_event.fields[i].name);
		}
	}
	assert_string_equal(record_text(&p.r, EVENT_INFO, ""), "x");
	parsed_release(&p);
}

/* ---- codec_parse: error detail ---- */

static void parse_error_detail(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_event,
		 "{\"info\": \"x\", \"threat_level_id\": \"abc\"}", false,
		 "/Event");
	assert_int_equal(p.rc, CAIRN_EINVAL);
	assert_int_equal(p.e.code, CAIRN_EINVAL);
	assert_string_equal(buf_str(&p.e.message),
			    "invalid 'threat_level_id' at "
			    "/Event/threat_level_id: expected an integer, got "
			    "a string");
	assert_string_equal(buf_str(&p.e.pointer), "/Event/threat_level_id");
	assert_string_equal(buf_str(&p.e.field), "threat_level_id");
	parsed_release(&p);
}

static void parse_error_nested_pointer(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_attribute, "{\"uuid\": \"nope\"}", false,
		 "/Event/Attribute/3");
	assert_int_equal(p.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&p.e.message),
			    "invalid 'uuid' at /Event/Attribute/3/uuid: "
			    "expected a UUID, got 'nope'");
	assert_string_equal(buf_str(&p.e.pointer), "/Event/Attribute/3/uuid");
	assert_string_equal(buf_str(&p.e.field), "uuid");
	parsed_release(&p);
}

/* Fields are checked in table order, and the first failure is kept. */
static void parse_error_first_field(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_event, "{\"uuid\": \"bad\", \"info\": {}}", false,
		 "/Event");
	assert_int_equal(p.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&p.e.field), "info");
	assert_string_equal(buf_str(&p.e.pointer), "/Event/info");
	parsed_release(&p);
}

static void parse_rejects_non_object(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_event, "[1, 2]", false, "/Event");
	assert_int_equal(p.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&p.e.message),
			    "invalid Event at /Event: expected an object, got "
			    "an array");
	assert_string_equal(buf_str(&p.e.pointer), "/Event");
	assert_int_equal(p.e.field.len, 0);
	parsed_release(&p);

	parse_as(&p, &model_event, "\"text\"", false, "");
	assert_int_equal(p.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&p.e.message),
			    "invalid Event at /: expected an object, got a "
			    "string");
	assert_string_equal(buf_str(&p.e.pointer), "/");
	parsed_release(&p);
}

/* ---- codec_parse: bytes of strings ---- */

/* "café 😀" then CR LF: a 2-byte and a 4-byte UTF-8 sequence. */
#define UTF8_TEXT "caf\xc3\xa9 \xf0\x9f\x98\x80\r\nend"

static void parse_keeps_utf8_and_crlf(void **state)
{
	struct parsed p;

	(void)state;
	parse_member(&p, "\"name\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\\r\\nend\"");
	expect_ok(&p, "raw UTF-8");
	assert_int_equal(strlen(p.r.v[S_NAME].s), sizeof(UTF8_TEXT) - 1);
	assert_memory_equal(p.r.v[S_NAME].s, UTF8_TEXT, sizeof(UTF8_TEXT));
	parsed_release(&p);

	/* The same text with the emoji as a surrogate pair escape. */
	parse_member(&p, "\"name\": \"caf\\u00e9 \\ud83d\\ude00\\r\\nend\"");
	expect_ok(&p, "escaped UTF-8");
	assert_int_equal(strlen(p.r.v[S_NAME].s), sizeof(UTF8_TEXT) - 1);
	assert_memory_equal(p.r.v[S_NAME].s, UTF8_TEXT, sizeof(UTF8_TEXT));
	parsed_release(&p);
}

/* ---- codec_emit_record ---- */

static void print_to_buf(void *ctx, const char *s, size_t len)
{
	assert_int_equal(buf_add(ctx, s, len), 0);
}

/* Emits `r` through a yajl_gen and checks the text is `expected`. */
static void expect_emitted(const struct record *r, const char *expected)
{
	struct buf out = BUF_INIT;
	yajl_gen g = yajl_gen_alloc(NULL);

	assert_non_null(g);
	assert_true(yajl_gen_config(g, yajl_gen_print_callback, print_to_buf,
				    &out));
	assert_int_equal(codec_emit_record(g, r), 0);
	yajl_gen_free(g);
	assert_string_equal(buf_str(&out), expected);
	buf_release(&out);
}

static void emit_every_kind(void **state)
{
	struct record r;

	(void)state;
	record_init(&r, &model_sample);
	record_set_int(&r, S_ID, 12);
	record_set_int(&r, S_COUNT, 3);
	record_set_int(&r, S_SIZE, 5);
	record_set_int(&r, S_FLAG, 1);
	record_set_int(&r, S_TIMESTAMP, 1796390498);
	assert_int_equal(record_set_text(&r, S_NAME, "evil.example"), 0);
	assert_int_equal(record_set_text(&r, S_UUID, UUID_LOWER), 0);
	assert_int_equal(record_set_text(&r, S_DATE, "2024-02-29"), 0);
	assert_int_equal(record_set_text(&r, S_NOTE, "n"), 0);
	assert_int_equal(record_set_text(&r, S_DATA, "d"), 0);
	assert_int_equal(record_set_text(&r, S_LAST, "l"), 0);
	expect_emitted(&r, "{\"id\":\"12\",\"count\":\"3\",\"size\":5,"
			   "\"flag\":true,\"timestamp\":\"1796390498\","
			   "\"name\":\"evil.example\","
			   "\"uuid\":\"" UUID_LOWER "\","
			   "\"date\":\"2024-02-29\",\"note\":\"n\","
			   "\"data\":\"d\",\"last\":\"l\"}");
	record_release(&r);
}

static void emit_false_and_negative(void **state)
{
	struct record r;

	(void)state;
	record_init(&r, &model_sample);
	record_set_int(&r, S_COUNT, -7);
	record_set_int(&r, S_SIZE, -1);
	record_set_int(&r, S_FLAG, 0);
	record_set_int(&r, S_TIMESTAMP, 0);
	expect_emitted(&r, "{\"count\":\"-7\",\"size\":-1,\"flag\":false,"
			   "\"timestamp\":\"0\",\"note\":null}");
	record_release(&r);
}

/* Unset fields are absent, except F_NULLABLE ones, which are null unless
 * also F_OMIT. */
static void emit_unset_fields(void **state)
{
	struct record r;

	(void)state;
	record_init(&r, &model_sample);
	expect_emitted(&r, "{\"note\":null}");
	record_release(&r);
}

static void emit_null_fields(void **state)
{
	struct record r;

	(void)state;
	record_init(&r, &model_sample);
	record_set_null(&r, S_COUNT);
	record_set_null(&r, S_NAME);
	record_set_null(&r, S_NOTE);
	record_set_null(&r, S_DATA);
	record_set_null(&r, S_LAST);
	expect_emitted(&r, "{\"count\":null,\"name\":null,\"note\":null}");
	record_release(&r);
}

static void emit_escapes_control_bytes(void **state)
{
	struct record r;

	(void)state;
	record_init(&r, &model_sample);
	assert_int_equal(record_set_text(&r, S_NAME, UTF8_TEXT " \"q\" \\"), 0);
	expect_emitted(&r, "{\"name\":\"caf\xc3\xa9 \xf0\x9f\x98\x80"
			   "\\r\\nend \\\"q\\\" \\\\\",\"note\":null}");
	record_release(&r);
}

/* A MISP attribute as PyMISP sends it comes back in MISP's own shape. */
static void emit_parsed_attribute(void **state)
{
	struct parsed p;

	(void)state;
	parse_as(&p, &model_attribute,
		 "{\"id\": \"41\", \"value\": \"203.0.113.5\", "
		 "\"type\": \"ip-dst\", \"category\": \"Network activity\", "
		 "\"to_ids\": \"1\", \"uuid\": \"" UUID_UPPER "\", "
		 "\"timestamp\": \"1796390498.27\", \"distribution\": 5, "
		 "\"deleted\": 0, \"comment\": \"\", \"first_seen\": null}",
		 false, "/Attribute");
	expect_ok(&p, "attribute");
	expect_emitted(&p.r, "{\"type\":\"ip-dst\","
			     "\"category\":\"Network activity\","
			     "\"to_ids\":true,"
			     "\"uuid\":\"" UUID_LOWER "\","
			     "\"distribution\":\"5\","
			     "\"timestamp\":\"1796390498\","
			     "\"comment\":\"\","
			     "\"deleted\":false,"
			     "\"object_relation\":null,"
			     "\"first_seen\":null,"
			     "\"last_seen\":null,"
			     "\"value\":\"203.0.113.5\"}");
	parsed_release(&p);
}

static void emit_fields_into_open_map(void **state)
{
	struct buf out = BUF_INIT;
	yajl_gen g = yajl_gen_alloc(NULL);
	struct record r;

	(void)state;
	assert_non_null(g);
	assert_true(yajl_gen_config(g, yajl_gen_print_callback, print_to_buf,
				    &out));
	record_init(&r, &model_sample);
	record_set_int(&r, S_SIZE, 2);
	assert_int_equal(yajl_gen_map_open(g), yajl_gen_status_ok);
	assert_int_equal(codec_emit_key(g, "before"), 0);
	assert_int_equal(yajl_gen_integer(g, 1), yajl_gen_status_ok);
	assert_int_equal(codec_emit_fields(g, &r), 0);
	assert_int_equal(yajl_gen_map_close(g), yajl_gen_status_ok);
	yajl_gen_free(g);
	assert_string_equal(buf_str(&out),
			    "{\"before\":1,\"size\":2,\"note\":null}");
	record_release(&r);
	buf_release(&out);
}

static void emit_json_tree(void **state)
{
	struct buf out = BUF_INIT;
	yajl_gen g = yajl_gen_alloc(NULL);
	json_t *v = json_loads("{\"a\": [1, -2, 1.5, true, false, null], "
			       "\"b\": {\"c\": \"d\"}}",
			       JSON_PRESERVE_ORDER, NULL);

	(void)state;
	assert_non_null(g);
	assert_non_null(v);
	assert_true(yajl_gen_config(g, yajl_gen_print_callback, print_to_buf,
				    &out));
	assert_int_equal(codec_emit_json(g, v), 0);
	yajl_gen_free(g);
	assert_string_equal(buf_str(&out), "{\"a\":[1,-2,1.5,true,false,null],"
					   "\"b\":{\"c\":\"d\"}}");
	json_decref(v);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_int_number_and_string),
		cmocka_unit_test(parse_int_negative),
		cmocka_unit_test(parse_int_limits),
		cmocka_unit_test(parse_int_out_of_range),
		cmocka_unit_test(parse_int_rejects_non_integers),
		cmocka_unit_test(parse_time_truncates_fraction),
		cmocka_unit_test(parse_time_whole_seconds),
		cmocka_unit_test(parse_time_negative),
		cmocka_unit_test(parse_time_rejects_non_numbers),
		cmocka_unit_test(parse_bool_accepted_forms),
		cmocka_unit_test(parse_bool_rejected_forms),
		cmocka_unit_test(parse_text_borrows_string),
		cmocka_unit_test(parse_text_from_integer),
		cmocka_unit_test(parse_text_rejects_non_strings),
		cmocka_unit_test(parse_uuid_lower_cased),
		cmocka_unit_test(parse_uuid_rejects_malformed),
		cmocka_unit_test(is_uuid_forms),
		cmocka_unit_test(parse_date_plain),
		cmocka_unit_test(parse_date_from_iso_time),
		cmocka_unit_test(parse_date_rejects_bad),
		cmocka_unit_test(parse_null_sets_null),
		cmocka_unit_test(parse_empty_string_unset),
		cmocka_unit_test(parse_skips_server_fields),
		cmocka_unit_test(parse_keeps_server_fields),
		cmocka_unit_test(parse_ignores_unknown_keys),
		cmocka_unit_test(parse_error_detail),
		cmocka_unit_test(parse_error_nested_pointer),
		cmocka_unit_test(parse_error_first_field),
		cmocka_unit_test(parse_rejects_non_object),
		cmocka_unit_test(parse_keeps_utf8_and_crlf),
		cmocka_unit_test(emit_every_kind),
		cmocka_unit_test(emit_false_and_negative),
		cmocka_unit_test(emit_unset_fields),
		cmocka_unit_test(emit_null_fields),
		cmocka_unit_test(emit_escapes_control_bytes),
		cmocka_unit_test(emit_parsed_attribute),
		cmocka_unit_test(emit_fields_into_open_map),
		cmocka_unit_test(emit_json_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
