/*
 * Tests of src/import/misp_reader: the document shapes it accepts, the
 * callbacks it makes (the same for any chunking of the input), and its
 * errors for malformed input and for a callback that fails.
 *
 * Each run writes a transcript, one line per callback, with the element's
 * JSON pointer and the header and element as compact JSON with sorted
 * keys, so that a failure shows the whole sequence.
 */
#include "core/buf.h"
#include "core/err.h"
#include "import/misp_reader.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

struct transcript {
	struct misp_reader *reader;
	struct buf log;
	int elements, events;
	int fail_element; /* fail at this element (1-based), 0 for never */
	int fail_event;   /* fail at this event's end (1-based) */
	int fail_code;
	json_t *last_header; /* copy of the header of the last event_end */
};

static void log_json(struct buf *log, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
					   JSON_ENCODE_ANY);

	assert_non_null(text);
	buf_adds(log, text);
	free(text);
}

static void log_pointer(struct transcript *t)
{
	struct buf at = BUF_INIT;

	misp_reader_pointer(t->reader, &at);
	buf_adds(&t->log, buf_str(&at));
	buf_release(&at);
}

static int on_element(void *ctx, enum misp_element kind, json_t *header,
		      json_t *element)
{
	struct transcript *t = ctx;

	t->elements++;
	buf_adds(&t->log, kind == MISP_ATTRIBUTE ? "attribute at "
						 : "object at ");
	log_pointer(t);
	buf_adds(&t->log, " header=");
	log_json(&t->log, header);
	buf_adds(&t->log, " element=");
	log_json(&t->log, element);
	buf_addc(&t->log, '\n');
	return t->elements == t->fail_element ? t->fail_code : 0;
}

static int on_event_end(void *ctx, json_t *header)
{
	struct transcript *t = ctx;

	t->events++;
	buf_adds(&t->log, "event at ");
	log_pointer(t);
	buf_adds(&t->log, " header=");
	log_json(&t->log, header);
	buf_addc(&t->log, '\n');
	json_decref(t->last_header);
	t->last_header = json_deep_copy(header);
	return t->events == t->fail_event ? t->fail_code : 0;
}

static const struct misp_reader_callbacks transcript_callbacks = {
	.element = on_element,
	.event_end = on_event_end,
};

static void transcript_init(struct transcript *t)
{
	memset(t, 0, sizeof(*t));
	t->reader = misp_reader_new(&transcript_callbacks, t);
	assert_non_null(t->reader);
}

static void transcript_release(struct transcript *t)
{
	misp_reader_free(t->reader);
	buf_release(&t->log);
	json_decref(t->last_header);
}

/* Feeds `len` bytes of `doc` in chunks of `chunk` bytes, then finishes
 * unless a feed failed.  Returns the first negative code, or 0. */
static int feed_chunked(struct transcript *t, const char *doc, size_t len,
			size_t chunk, struct cairn_err *e)
{
	for (size_t at = 0; at < len; at += chunk) {
		size_t n = len - at < chunk ? len - at : chunk;
		int rc = misp_reader_feed(t->reader, doc + at, n, e);

		if (rc < 0) {
			return rc;
		}
	}
	return misp_reader_finish(t->reader, e);
}

/* Reads `doc` whole, in 3-byte chunks and byte by byte, and checks that
 * each run succeeds with the transcript `expected`. */
static void expect_transcript(const char *doc, const char *expected)
{
	static const size_t chunks[] = {0, 3, 1};

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		size_t len = strlen(doc);
		size_t chunk = chunks[i] ? chunks[i] : len;
		struct cairn_err e = CAIRN_ERR_INIT;
		struct transcript t;
		int rc;

		transcript_init(&t);
		rc = feed_chunked(&t, doc, len, chunk, &e);
		if (rc != 0) {
			fail_msg("chunks of %zu: returned %d: %s", chunk, rc,
				 buf_str(&e.message));
		}
		if (strcmp(buf_str(&t.log), expected) != 0) {
			fail_msg("chunks of %zu: transcript\n%s\nexpected\n%s",
				 chunk, buf_str(&t.log), expected);
		}
		transcript_release(&t);
		cairn_err_release(&e);
	}
}

/* The result of reading a document that is expected to fail. */
struct failed_read {
	int rc;
	struct buf log;
	struct cairn_err e;
	size_t events;
};

static void read_failing(struct failed_read *out, const char *doc,
			 size_t len, size_t chunk)
{
	struct transcript t;

	memset(out, 0, sizeof(*out));
	transcript_init(&t);
	out->rc = feed_chunked(&t, doc, len, chunk ? chunk : len, &out->e);
	out->events = misp_reader_events(t.reader);
	buf_adds(&out->log, buf_str(&t.log));
	transcript_release(&t);
}

static void failed_read_release(struct failed_read *f)
{
	buf_release(&f->log);
	cairn_err_release(&f->e);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- accepted shapes ---- */

static void reader_wrapped_event(void **state)
{
	(void)state;
	expect_transcript(
		"{\"Event\": {\"uuid\": \"u1\", \"info\": \"first\",\n"
		" \"Attribute\": [{\"type\": \"ip-dst\","
		" \"value\": \"1.2.3.4\"},"
		" {\"type\": \"domain\", \"value\": \"a.example\"}],\n"
		" \"date\": \"2024-01-01\",\n"
		" \"Object\": [{\"name\": \"file\", \"Attribute\": "
		"[{\"type\": \"md5\", \"value\": \"x\"}]}],\n"
		" \"Tag\": [{\"name\": \"tlp:white\"}]}}\n",
		"attribute at /Event/Attribute/0 "
		"header={\"info\":\"first\",\"uuid\":\"u1\"} "
		"element={\"type\":\"ip-dst\",\"value\":\"1.2.3.4\"}\n"
		"attribute at /Event/Attribute/1 "
		"header={\"info\":\"first\",\"uuid\":\"u1\"} "
		"element={\"type\":\"domain\",\"value\":\"a.example\"}\n"
		"object at /Event/Object/0 "
		"header={\"date\":\"2024-01-01\",\"info\":\"first\","
		"\"uuid\":\"u1\"} "
		"element={\"Attribute\":[{\"type\":\"md5\",\"value\":\"x\"}],"
		"\"name\":\"file\"}\n"
		"event at /Event "
		"header={\"Tag\":[{\"name\":\"tlp:white\"}],"
		"\"date\":\"2024-01-01\",\"info\":\"first\","
		"\"uuid\":\"u1\"}\n");
}

static void reader_bare_event(void **state)
{
	(void)state;
	expect_transcript(
		"{\"info\": \"bare\", \"Attribute\": [{\"value\": \"1\"}], "
		"\"uuid\": \"u2\", \"Object\": [{\"name\": \"o\"}, "
		"{\"name\": \"p\"}]}",
		"attribute at /Attribute/0 header={\"info\":\"bare\"} "
		"element={\"value\":\"1\"}\n"
		"object at /Object/0 "
		"header={\"info\":\"bare\",\"uuid\":\"u2\"} "
		"element={\"name\":\"o\"}\n"
		"object at /Object/1 "
		"header={\"info\":\"bare\",\"uuid\":\"u2\"} "
		"element={\"name\":\"p\"}\n"
		"event at / header={\"info\":\"bare\",\"uuid\":\"u2\"}\n");
}

static void reader_response_list(void **state)
{
	(void)state;
	expect_transcript(
		"{\"response\": [\n"
		" {\"Event\": {\"uuid\": \"u1\", \"info\": \"a\", "
		"\"Attribute\": [{\"value\": \"1\"}]}},\n"
		" {\"uuid\": \"u2\", \"info\": \"b\", "
		"\"Object\": [{\"name\": \"o\"}]}\n"
		"]}",
		"attribute at /response/0/Event/Attribute/0 "
		"header={\"info\":\"a\",\"uuid\":\"u1\"} "
		"element={\"value\":\"1\"}\n"
		"event at /response/0/Event "
		"header={\"info\":\"a\",\"uuid\":\"u1\"}\n"
		"object at /response/1/Object/0 "
		"header={\"info\":\"b\",\"uuid\":\"u2\"} "
		"element={\"name\":\"o\"}\n"
		"event at /response/1 "
		"header={\"info\":\"b\",\"uuid\":\"u2\"}\n");
}

static void reader_top_level_array(void **state)
{
	(void)state;
	expect_transcript(
		"[{\"Event\": {\"uuid\": \"u1\", \"Attribute\": []}},\n"
		" {\"uuid\": \"u2\", \"Attribute\": [{\"value\": \"2\"}]},\n"
		" {\"Event\": {\"uuid\": \"u3\"}}]",
		"event at /0/Event header={\"uuid\":\"u1\"}\n"
		"attribute at /1/Attribute/0 header={\"uuid\":\"u2\"} "
		"element={\"value\":\"2\"}\n"
		"event at /1 header={\"uuid\":\"u2\"}\n"
		"event at /2/Event header={\"uuid\":\"u3\"}\n");
}

/* Numbers, literals and escapes that a small chunk splits in two. */
static void reader_tokens_across_chunks(void **state)
{
	(void)state;
	expect_transcript(
		"{\"Event\": {\"timestamp\": 1796390498.27, \"n\": -12345678,"
		" \"t\": true, \"f\": false, \"z\": null,"
		" \"s\": \"caf\\u00e9 \\ud83d\\ude00 \xf0\x9f\x98\x80\\r\\n\","
		" \"Attribute\": [{\"value\": \"x\", \"to_ids\": false}]}}",
		"attribute at /Event/Attribute/0 "
		"header={\"f\":false,\"n\":-12345678,"
		"\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xf0\x9f\x98\x80\\r\\n\","
		"\"t\":true,\"timestamp\":1796390498.27,\"z\":null} "
		"element={\"to_ids\":false,\"value\":\"x\"}\n"
		"event at /Event header={\"f\":false,\"n\":-12345678,"
		"\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xf0\x9f\x98\x80\\r\\n\","
		"\"t\":true,\"timestamp\":1796390498.27,\"z\":null}\n");
}

static void reader_counts_events(void **state)
{
	static const char doc[] = "[{\"uuid\": \"a\"}, {\"uuid\": \"b\"}]";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct transcript t;

	(void)state;
	transcript_init(&t);
	assert_int_equal(misp_reader_events(t.reader), 0);
	assert_int_equal(feed_chunked(&t, doc, strlen(doc), 1, &e), 0);
	assert_int_equal(misp_reader_events(t.reader), 2);
	assert_int_equal(t.events, 2);
	transcript_release(&t);
	cairn_err_release(&e);
}

/* Only the event's own Attribute and Object arrays are streamed. */
static void reader_header_lacks_streamed(void **state)
{
	static const char doc[] =
		"{\"Event\": {\"uuid\": \"u1\", \"Attribute\": [], "
		"\"Object\": [{\"name\": \"o\", \"Attribute\": [{}]}], "
		"\"Orgc\": {\"Attribute\": [1]}, \"Tag\": []}}";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct transcript t;
	json_t *orgc;

	(void)state;
	transcript_init(&t);
	assert_int_equal(feed_chunked(&t, doc, strlen(doc), strlen(doc), &e),
			 0);
	assert_int_equal(t.events, 1);
	assert_int_equal(t.elements, 1);
	assert_non_null(t.last_header);
	assert_null(json_object_get(t.last_header, "Attribute"));
	assert_null(json_object_get(t.last_header, "Object"));
	assert_string_equal(json_string_value(json_object_get(t.last_header,
							      "uuid")),
			    "u1");
	assert_true(json_is_array(json_object_get(t.last_header, "Tag")));
	orgc = json_object_get(t.last_header, "Orgc");
	assert_true(json_is_array(json_object_get(orgc, "Attribute")));
	assert_int_equal(json_object_size(t.last_header), 3);
	transcript_release(&t);
	cairn_err_release(&e);
}

/* ---- malformed input ---- */

static void reader_trailing_comma_array(void **state)
{
	static const char doc[] = "{\"Event\": {\"uuid\": \"u1\", \"Tag\": "
				  "[{\"name\": \"a\"},]}}";
	static const size_t chunks[] = {0, 1};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct failed_read f;

		read_failing(&f, doc, strlen(doc), chunks[i]);
		assert_int_equal(f.rc, CAIRN_EINVAL);
		assert_int_equal(f.e.code, CAIRN_EINVAL);
		assert_string_equal(buf_str(&f.e.pointer), "/Event/Tag/1");
		assert_int_equal(f.e.field.len, 0);
		/* The offset counts from the start of the document, whatever
		 * the chunks.  Byte 48 is the "]" after the comma. */
		assert_string_equal(buf_str(&f.e.message),
				    "malformed JSON at /Event/Tag/1 (byte 48): "
				    "parse error: unallowed token at this "
				    "point in JSON text");
		assert_int_equal(f.events, 0);
		assert_string_equal(buf_str(&f.log), "");
		failed_read_release(&f);
	}
}

static void reader_trailing_comma_object(void **state)
{
	static const char doc[] =
		"{\"Event\": {\"uuid\": \"u1\", \"Attribute\": "
		"[{\"value\": \"1\"}], \"info\": \"x\",}}";
	struct failed_read f;

	(void)state;
	read_failing(&f, doc, strlen(doc), 0);
	assert_int_equal(f.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&f.e.pointer), "/Event");
	assert_true(starts_with(buf_str(&f.e.message),
				"malformed JSON at /Event "));
	/* The attribute before the error was delivered, but the event was
	 * not. */
	assert_int_equal(f.events, 0);
	assert_true(starts_with(buf_str(&f.log),
				"attribute at /Event/Attribute/0 "));
	failed_read_release(&f);
}

static void reader_bad_utf8(void **state)
{
	static const char doc[] = "{\"Event\": {\"uuid\": \"u1\", "
				  "\"info\": \"a\xff"
				  "b\"}}";
	static const size_t chunks[] = {0, 1};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct failed_read f;

		read_failing(&f, doc, strlen(doc), chunks[i]);
		assert_int_equal(f.rc, CAIRN_EINVAL);
		assert_string_equal(buf_str(&f.e.pointer), "/Event/info");
		assert_true(starts_with(buf_str(&f.e.message),
					"malformed JSON at /Event/info "
					"(byte "));
		assert_non_null(strstr(buf_str(&f.e.message), "UTF8"));
		assert_int_equal(f.events, 0);
		failed_read_release(&f);
	}
}

static void reader_truncated(void **state)
{
	static const char doc[] = "{\"Event\": {\"uuid\": \"u1\", "
				  "\"Attribute\": [{\"value\": \"1\"}";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct transcript t;

	(void)state;
	transcript_init(&t);
	assert_int_equal(misp_reader_feed(t.reader, doc, strlen(doc), &e), 0);
	assert_int_equal(t.elements, 1);
	assert_int_equal(misp_reader_finish(t.reader, &e), CAIRN_EINVAL);
	assert_int_equal(e.code, CAIRN_EINVAL);
	assert_string_equal(buf_str(&e.pointer), "/Event/Attribute/1");
	assert_string_equal(buf_str(&e.message),
			    "malformed JSON at /Event/Attribute/1 (end of "
			    "document): parse error: premature EOF");
	assert_int_equal(t.events, 0);
	transcript_release(&t);
	cairn_err_release(&e);
}

static void reader_scalar_document(void **state)
{
	static const char *const docs[] = {"42", "\"text\"", "true", "null",
					   " 1.5 "};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct failed_read f;

		read_failing(&f, docs[i], strlen(docs[i]), 0);
		if (f.rc != CAIRN_EINVAL) {
			fail_msg("%s: returned %d, expected CAIRN_EINVAL",
				 docs[i], f.rc);
		}
		assert_string_equal(buf_str(&f.e.message),
				    "invalid document at /: expected an "
				    "object or an array");
		assert_string_equal(buf_str(&f.e.pointer), "/");
		failed_read_release(&f);
	}
}

static void reader_no_event(void **state)
{
	static const struct {
		const char *doc;
		const char *message_start;
	} cases[] = {
		{"[]", "no MISP event found"},
		{"{\"response\": []}", "no MISP event found"},
		{"[[]]", "no MISP event found"},
		{"", "malformed JSON at / (end of document)"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *doc = cases[i].doc;
		struct failed_read f;

		read_failing(&f, doc, strlen(doc), 0);
		if (f.rc != CAIRN_EINVAL) {
			fail_msg("'%s': returned %d, expected CAIRN_EINVAL",
				 doc, f.rc);
		}
		if (!starts_with(buf_str(&f.e.message),
				 cases[i].message_start)) {
			fail_msg("'%s': message \"%s\"", doc,
				 buf_str(&f.e.message));
		}
		assert_int_equal(f.events, 0);
		assert_string_equal(buf_str(&f.e.pointer), "/");
		failed_read_release(&f);
	}
}

static void reader_element_not_object(void **state)
{
	static const char doc[] = "{\"Event\": {\"Attribute\": [1]}}";
	struct failed_read f;

	(void)state;
	read_failing(&f, doc, strlen(doc), 0);
	assert_int_equal(f.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&f.e.message),
			    "invalid document at /Event/Attribute/0: expected "
			    "an attribute object");
	assert_string_equal(buf_str(&f.e.pointer), "/Event/Attribute/0");
	failed_read_release(&f);
}

/* Keys in the pointer are escaped as RFC 6901 specifies: "~" as "~0" and
 * "/" as "~1". */
static void reader_pointer_escapes_keys(void **state)
{
	static const char doc[] = "{\"Event\": {\"a/b\": {\"c~d\": [1,]}}}";
	struct failed_read f;

	(void)state;
	read_failing(&f, doc, strlen(doc), 0);
	assert_int_equal(f.rc, CAIRN_EINVAL);
	assert_string_equal(buf_str(&f.e.pointer), "/Event/a~1b/c~0d/1");
	failed_read_release(&f);
}

static void reader_depth_limit(void **state)
{
	struct buf doc = BUF_INIT;
	struct failed_read f;

	(void)state;
	buf_adds(&doc, "{\"Event\": {\"deep\": ");
	for (int i = 0; i < 600; i++) {
		buf_addc(&doc, '[');
	}
	read_failing(&f, doc.data, doc.len, 0);
	assert_int_equal(f.rc, CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&f.e.message), "nested too deeply"));
	failed_read_release(&f);
	buf_release(&doc);
}

/* ---- callback errors ---- */

static void reader_element_error_stops(void **state)
{
	static const char doc[] =
		"{\"Event\": {\"uuid\": \"u1\", \"Attribute\": "
		"[{\"value\": \"1\"}, {\"value\": \"2\"},"
		" {\"value\": \"3\"}]}}";
	static const size_t chunks[] = {0, 1};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct cairn_err e = CAIRN_ERR_INIT;
		struct transcript t;
		size_t len = strlen(doc);

		transcript_init(&t);
		t.fail_element = 2;
		t.fail_code = CAIRN_EDENIED;
		assert_int_equal(feed_chunked(&t, doc, len,
					      chunks[i] ? chunks[i] : len, &e),
				 CAIRN_EDENIED);
		assert_int_equal(t.elements, 2);
		assert_int_equal(t.events, 0);
		/* The reader stays stopped with the callback's code. */
		assert_int_equal(misp_reader_feed(t.reader, "]", 1, &e),
				 CAIRN_EDENIED);
		assert_int_equal(misp_reader_finish(t.reader, &e),
				 CAIRN_EDENIED);
		assert_int_equal(t.elements, 2);
		transcript_release(&t);
		cairn_err_release(&e);
	}
}

static void reader_event_error_stops(void **state)
{
	static const char doc[] =
		"{\"response\": [{\"Event\": {\"uuid\": \"u1\"}}, "
		"{\"Event\": {\"uuid\": \"u2\", \"Attribute\": [{}]}}]}";
	struct cairn_err e = CAIRN_ERR_INIT;
	struct transcript t;

	(void)state;
	transcript_init(&t);
	t.fail_event = 1;
	t.fail_code = CAIRN_ESTORE;
	assert_int_equal(feed_chunked(&t, doc, strlen(doc), strlen(doc), &e),
			 CAIRN_ESTORE);
	assert_int_equal(t.events, 1);
	assert_int_equal(t.elements, 0);
	assert_string_equal(buf_str(&t.log), "event at /response/0/Event "
					     "header={\"uuid\":\"u1\"}\n");
	assert_int_equal(misp_reader_finish(t.reader, &e), CAIRN_ESTORE);
	transcript_release(&t);
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reader_wrapped_event),
		cmocka_unit_test(reader_bare_event),
		cmocka_unit_test(reader_response_list),
		cmocka_unit_test(reader_top_level_array),
		cmocka_unit_test(reader_tokens_across_chunks),
		cmocka_unit_test(reader_counts_events),
		cmocka_unit_test(reader_header_lacks_streamed),
		cmocka_unit_test(reader_trailing_comma_array),
		cmocka_unit_test(reader_trailing_comma_object),
		cmocka_unit_test(reader_bad_utf8),
		cmocka_unit_test(reader_truncated),
		cmocka_unit_test(reader_scalar_document),
		cmocka_unit_test(reader_no_event),
		cmocka_unit_test(reader_element_not_object),
		cmocka_unit_test(reader_pointer_escapes_keys),
		cmocka_unit_test(reader_depth_limit),
		cmocka_unit_test(reader_element_error_stops),
		cmocka_unit_test(reader_event_error_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
