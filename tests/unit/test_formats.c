/*
 * Tests of the export format writers (src/export/format_*.c): each writer
 * is driven through the table of export/format.h with items built from
 * records, many of them holding hostile values (quotes, commas, line
 * breaks, semicolons, backslashes, pipes, non-ASCII text and emoji), and
 * its output is compared byte for byte.
 */
#include "core/buf.h"
#include "core/err.h"
#include "export/format.h"
#include "export/format_dedup.h"
#include "export/format_util.h"
#include "model/misp.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define ATTR_UUID_TEXT "5f0a1b2c-0000-4000-8000-00000000000a"
#define EVENT_UUID_TEXT "e0e0e0e0-0000-4000-8000-000000000003"
#define HOSTILE "Re: \"pay\"; now|0x\\ ünï 😀"
#define REF " reference:url,https://misp.example/events/view/3;"

/* An attribute of event 3 with two tags: one of its own and one of its
 * event's, the second full of rule syntax. */
struct fixture {
	struct record event;
	struct record attribute;
	struct record object;
	const char *tags[2];
	struct export_item item;
};

static void fixture_set(struct fixture *f, int64_t id, const char *type,
			const char *value)
{
	record_release(&f->attribute);
	record_init(&f->attribute, &model_attribute);
	record_set_int(&f->attribute, ATTR_ID, id);
	assert_int_equal(
	    record_set_text(&f->attribute, ATTR_UUID, ATTR_UUID_TEXT), 0);
	record_set_int(&f->attribute, ATTR_EVENT_ID, 3);
	assert_int_equal(record_set_text(&f->attribute, ATTR_TYPE, type), 0);
	assert_int_equal(
	    record_set_text(&f->attribute, ATTR_CATEGORY, "Network activity"),
	    0);
	record_set_int(&f->attribute, ATTR_TO_IDS, 1);
	record_set_int(&f->attribute, ATTR_TIMESTAMP, 1700000000);
	assert_int_equal(record_set_text(&f->attribute, ATTR_COMMENT, ""), 0);
	assert_int_equal(record_set_text(&f->attribute, ATTR_VALUE, value), 0);
	record_set_null(&f->attribute, ATTR_OBJECT_RELATION);
}

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	record_init(&f->event, &model_event);
	record_set_int(&f->event, EVENT_ID, 3);
	assert_int_equal(
	    record_set_text(&f->event, EVENT_UUID, EVENT_UUID_TEXT), 0);
	assert_int_equal(
	    record_set_text(&f->event, EVENT_INFO, "Info \"q\";, and\ttab ü"),
	    0);
	record_set_int(&f->event, EVENT_THREAT_LEVEL_ID, 2);
	assert_int_equal(record_set_text(&f->event, EVENT_DATE, "2023-11-14"),
			 0);
	record_init(&f->object, &model_object);
	assert_int_equal(
	    record_set_text(&f->object, OBJ_UUID,
			    "0b0b0b0b-0000-4000-8000-00000000000b"),
	    0);
	assert_int_equal(record_set_text(&f->object, OBJ_NAME, "file"), 0);
	assert_int_equal(record_set_text(&f->object, OBJ_META_CATEGORY, "file"),
			 0);
	f->tags[0] = "tlp:white";
	f->tags[1] = "x:y=\"a;b|c\\d\"";
	f->item.attribute = &f->attribute;
	f->item.event = &f->event;
	f->item.tags = f->tags;
	f->item.ntags = 2;
	f->item.nattribute_tags = 1;
	f->item.org_name = "Org, A";
	f->item.orgc_name = "Org \"C\"";
	fixture_set(f, 7, "ip-dst", "198.51.100.7");
}

static void fixture_release(struct fixture *f)
{
	record_release(&f->event);
	record_release(&f->attribute);
	record_release(&f->object);
}

static struct export_options default_options(void)
{
	struct export_options o = {0};

	o.now = 1700000000;
	o.base_url = "https://misp.example";
	o.instance_uuid = "ABCDEF00-0000-4000-8000-000000000001";
	return o;
}

/* Runs format `name` over `n` items and returns its output, which the
 * caller frees. */
static char *run_items(const char *name, const struct export_item *items,
		       size_t n, const struct export_options *o)
{
	const struct export_format *f = export_format_find(name);
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf out = BUF_INIT;
	void *state;

	assert_non_null(f);
	state = calloc(1, f->state_size);
	assert_non_null(state);
	assert_int_equal(f->begin(state, o, &out, &e), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f->item(state, &items[i], &out, &e), 0);
	}
	assert_int_equal(f->end(state, &out, &e), 0);
	f->release(state);
	free(state);
	cairn_err_release(&e);
	return buf_detach(&out);
}

/* Runs format `name` over the fixture's one item. */
static char *run_one(const char *name, struct fixture *f,
		     const struct export_options *o)
{
	return run_items(name, &f->item, 1, o);
}

/* Returns the output of `name` for one attribute without the format's
 * header, which begin() writes for an empty result. */
static char *run_body(const char *name, struct fixture *f,
		      const struct export_options *o)
{
	char *empty = run_items(name, NULL, 0, o);
	char *all = run_one(name, f, o);
	size_t skip = strlen(empty);
	char *body;

	assert_memory_equal(all, empty, skip);
	body = strdup(all + skip);
	free(empty);
	free(all);
	return body;
}

static void table_finds_formats(void **state)
{
	struct buf names = BUF_INIT;

	(void)state;
	assert_non_null(export_format_find("csv"));
	assert_non_null(export_format_find("STIX2"));
	assert_null(export_format_find("stix3"));
	assert_int_equal(export_format_names(&names), 0);
	assert_non_null(strstr(buf_str(&names), "cache, count, csv"));
	assert_non_null(strstr(buf_str(&names), "yara, zeek"));
	assert_true(export_format_find("suricata")->ids_published_default);
	assert_true(export_format_find("text")->ids_published_default);
	assert_false(export_format_find("csv")->ids_published_default);
	assert_false(export_format_find("count")->ids_published_default);
	buf_release(&names);
}

static void csv_default_columns(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "email-subject", HOSTILE ",\nsecond line");
	assert_int_equal(
	    record_set_text(&f.attribute, ATTR_COMMENT, "say \"hi\", ok;"), 0);
	assert_int_equal(
	    record_set_text(&f.attribute, ATTR_OBJECT_RELATION, "subject"), 0);
	f.item.object = &f.object;
	out = run_one("csv", &f, &o);
	assert_string_equal(
	    out,
	    "uuid,event_id,category,type,value,comment,to_ids,date,"
	    "object_relation,attribute_tag,object_uuid,object_name,"
	    "object_meta_category\n"
	    "\"" ATTR_UUID_TEXT "\",3,\"Network activity\","
	    "\"email-subject\",\"Re: \"\"pay\"\"; now|0x\\ ünï 😀,\n"
	    "second line\",\"say \"\"hi\"\", ok;\",1,1700000000,"
	    "\"subject\",\"tlp:white\","
	    "\"0b0b0b0b-0000-4000-8000-00000000000b\",\"file\",\"file\"\n");
	free(out);
	fixture_release(&f);
}

static void csv_requested_columns(void **state)
{
	static const char *const columns[] = {"value",	    "value2",
					      "event_info", "event_tag",
					      "nonsense",   "object_name"};
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "filename|md5",
		    "a,b\"c.exe|d41d8cd98f00b204e9800998ecf8427e");
	o.columns = columns;
	o.ncolumns = 6;
	o.headerless = true;
	out = run_one("csv", &f, &o);
	assert_string_equal(out,
			    "\"a,b\"\"c.exe|d41d8cd98f00b204e9800998ecf8427e\","
			    "\"d41d8cd98f00b204e9800998ecf8427e\","
			    "\"Info \"\"q\"\";, and\ttab ü\","
			    "\"x:y=\"\"a;b|c\\d\"\"\",\"\",\"\"\n");
	free(out);
	fixture_release(&f);
}

static void csv_context_columns(void **state)
{
	static const char *const columns[] = {"uuid"};
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	o.columns = columns;
	o.ncolumns = 1;
	o.include_context = true;
	out = run_one("csv", &f, &o);
	assert_string_equal(
	    out, "uuid,event_info,event_member_org,event_source_org,"
		 "event_distribution,event_threat_level_id,event_analysis,"
		 "event_date,event_tag,event_timestamp\n"
		 "\"" ATTR_UUID_TEXT "\",\"Info \"\"q\"\";, and\ttab ü\","
		 "\"Org, A\",\"Org \"\"C\"\"\",\"\",2,\"\",\"2023-11-14\","
		 "\"x:y=\"\"a;b|c\\d\"\"\",\"\"\n");
	free(out);
	fixture_release(&f);
}

static void csv_rejects_too_many_columns(void **state)
{
	const char *columns[65];
	struct export_options o = default_options();
	const struct export_format *f = export_format_find("csv");
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf out = BUF_INIT;
	void *st = calloc(1, f->state_size);

	(void)state;
	for (size_t i = 0; i < 65; i++) {
		columns[i] = "value";
	}
	o.columns = columns;
	o.ncolumns = 65;
	assert_int_equal(f->begin(st, &o, &out, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "at most 64"));
	f->release(st);
	free(st);
	buf_release(&out);
	cairn_err_release(&e);
}

static void text_prints_values_once(void **state)
{
	static const char *const values[] = {
	    HOSTILE, "a|b", HOSTILE, "two\nlines", "", "a|b", "c"};
	struct export_options o = default_options();
	struct fixture f[7];
	struct export_item items[7];
	char *out;

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		fixture_init(&f[i]);
		fixture_set(&f[i], (int64_t)i, "text", values[i]);
		items[i] = f[i].item;
	}
	out = run_items("text", items, 7, &o);
	assert_string_equal(out, HOSTILE "\na|b\nc\n");
	free(out);
	for (size_t i = 0; i < 7; i++) {
		fixture_release(&f[i]);
	}
}

static void hashes_prints_hash_parts(void **state)
{
	static const char *const rows[][2] = {
	    {"md5", "d41d8cd98f00b204e9800998ecf8427e"},
	    {"filename|sha1",
	     "a|b.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	    {"malware-sample", "x.exe|0cc175b9c0f1b6a831c399e269772661"},
	    {"ip-dst", "198.51.100.7"},
	    {"filename|md5", "no-hash-part"},
	};
	struct export_options o = default_options();
	struct fixture f[5];
	struct export_item items[5];
	char *out;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		fixture_init(&f[i]);
		fixture_set(&f[i], (int64_t)i, rows[i][0], rows[i][1]);
		items[i] = f[i].item;
	}
	out = run_items("hashes", items, 5, &o);
	/* the value splits at its first '|', as MISP's value1/value2 do, so
	 * "b.exe|da39..." is no hash and is left out */
	assert_string_equal(out, "d41d8cd98f00b204e9800998ecf8427e\n"
				 "0cc175b9c0f1b6a831c399e269772661\n");
	free(out);
	for (size_t i = 0; i < 5; i++) {
		fixture_release(&f[i]);
	}
}

static void count_prints_bare_number(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	struct export_item items[3];
	char *out;

	(void)state;
	fixture_init(&f);
	items[0] = items[1] = items[2] = f.item;
	out = run_items("count", items, 3, &o);
	assert_string_equal(out, "3");
	free(out);
	out = run_items("count", items, 0, &o);
	assert_string_equal(out, "0");
	free(out);
	fixture_release(&f);
}

static void cache_hashes_each_part(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "domain|ip", "a|b");
	out = run_one("cache", &f, &o);
	assert_string_equal(
	    out, "0cc175b9c0f1b6a831c399e269772661," EVENT_UUID_TEXT
		 "\n92eb5ffee6ae2fec3ad71c777531578f," EVENT_UUID_TEXT "\n");
	free(out);
	/* a pipe in a type that is not composite is part of the value */
	fixture_set(&f, 7, "text", "a|b");
	out = run_one("cache", &f, &o);
	assert_string_equal(
	    out, "d0726241020676b14aa6298ce6a18b21," EVENT_UUID_TEXT "\n");
	free(out);
	fixture_release(&f);
}

static void rpz_writes_triggers(void **state)
{
	static const char *const rows[][2] = {
	    {"ip-dst", "198.51.100.7"},
	    {"ip-src", "10.1.2.3/8"},
	    {"ip-dst", "2001:db8:0:0:1::/80"},
	    {"domain", "evil.example"},
	    {"hostname", "www.evil.example"},
	    {"domain|ip", "c.example|192.0.2.1"},
	    {"domain", "bad;name.example"},
	    {"hostname", "sp ace.example"},
	    {"ip-dst", "not an address"},
	    {"url", "http://evil.example/"},
	};
	struct export_options o = default_options();
	struct fixture f[10];
	struct export_item items[10];
	char *out;

	(void)state;
	for (size_t i = 0; i < 10; i++) {
		fixture_init(&f[i]);
		fixture_set(&f[i], (int64_t)i, rows[i][0], rows[i][1]);
		items[i] = f[i].item;
	}
	out = run_items("rpz", items, 10, &o);
	assert_string_equal(
	    out,
	    "$TTL 1w;\n"
	    "@               SOA localhost. root.localhost "
	    "(2023111400 2h 30m 30d 1h)\n"
	    "                NS localhost.\n\n"
	    "; The following IP addresses, domain names with all of their "
	    "sub-domains, and hostnames will\n"
	    "; return NXDOMAIN (name does not exist) irrespective of actual "
	    "result received.\n"
	    "32.7.100.51.198.rpz-ip CNAME .\n"
	    "8.0.0.0.10.rpz-ip CNAME .\n"
	    "80.zz.1.0.0.db8.2001.rpz-ip CNAME .\n"
	    "evil.example CNAME .\n"
	    "*.evil.example CNAME .\n"
	    "www.evil.example CNAME .\n"
	    "c.example CNAME .\n"
	    "*.c.example CNAME .\n"
	    "32.1.2.0.192.rpz-ip CNAME .\n");
	free(out);
	for (size_t i = 0; i < 10; i++) {
		fixture_release(&f[i]);
	}
}

static void zeek_escapes_fields(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "filename|md5",
		    "a\tb\\c\n.exe|d41d8cd98f00b204e9800998ecf8427e");
	assert_int_equal(record_set_text(&f.attribute, ATTR_COMMENT, "-"), 0);
	out = run_body("zeek", &f, &o);
	assert_string_equal(
	    out,
	    "a\\x09b\\x5cc\\x0a.exe\tIntel::FILE_NAME\tCairn (" EVENT_UUID_TEXT
	    ") - Org \"C\"\tInfo \"q\";, and\\x09tab ü. -\t"
	    "https://misp.example/events/view/3\tT\t-\n"
	    "d41d8cd98f00b204e9800998ecf8427e\tIntel::FILE_HASH\tCairn "
	    "(" EVENT_UUID_TEXT ") - Org \"C\"\tInfo \"q\";, and\\x09tab ü. -\t"
	    "https://misp.example/events/view/3\tT\t-\n");
	free(out);
	fixture_set(&f, 7, "url", "https://evil.example/a?b=1");
	out = run_body("zeek", &f, &o);
	assert_true(strncmp(out, "evil.example/a?b=1\tIntel::URL\t", 30) == 0);
	free(out);
	fixture_set(&f, 7, "ip-src", "10.0.0.0/8");
	out = run_body("zeek", &f, &o);
	assert_true(strncmp(out, "10.0.0.0/8\tIntel::SUBNET\t", 25) == 0);
	free(out);
	fixture_set(&f, 7, "-", "-");
	out = run_body("zeek", &f, &o);
	assert_string_equal(out, "");
	free(out);
	fixture_release(&f);
}

#define MSG_START "(msg:\"MISP e3 [tlp:white,x:y=\\\"a\\;b|c\\\\d\\\"] "

static void suricata_escapes_content(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "email-subject", HOSTILE);
	out = run_body("suricata", &f, &o);
	assert_string_equal(
	    out,
	    "alert tcp $EXTERNAL_NET any -> $SMTP_SERVERS 25 " MSG_START
	    "Bad Email Subject: Re: \\\"pay\\\"\\; now|0x\\\\ ünï 😀\"; "
	    "flow:established,to_server; content:\"Subject|3a|\"; nocase; "
	    "content:\"Re|3a| |22|pay|22 3b| now|7c|0x|5c| |c3 bc|n|c3 af| "
	    "|f0 9f 98 80|\"; fast_pattern; nocase; "
	    "content:\"|0D 0A 0D 0A|\"; within:8192; "
	    "tag:session,600,seconds; classtype:trojan-activity; "
	    "sid:4000071; rev:1; priority:2;" REF ")\n");
	free(out);
	fixture_release(&f);
}

static void suricata_anchors_hosts(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "domain", "Evil.example");
	out = run_body("suricata", &f, &o);
	assert_string_equal(
	    out,
	    "alert dns any any -> any any " MSG_START "Domain Evil.example\"; "
	    "dns.query; dotprefix; content:\".evil.example\"; nocase; "
	    "endswith; "
	    "classtype:trojan-activity; sid:4000071; rev:1; priority:2;" REF
	    ")\n"
	    "alert http $HOME_NET any -> $EXTERNAL_NET any " MSG_START
	    "Outgoing HTTP Domain Evil.example\"; "
	    "flow:to_server,established; http.host; dotprefix; "
	    "content:\".evil.example\"; endswith; tag:session,600,seconds; "
	    "classtype:trojan-activity; sid:4000072; rev:1; priority:2;" REF
	    ")\n");
	free(out);
	fixture_set(&f, 8, "hostname", "www.evil.example");
	out = run_body("suricata", &f, &o);
	assert_non_null(strstr(out, "dns.query; bsize:16; "
				    "content:\"www.evil.example\"; nocase; "
				    "classtype:trojan-activity; sid:4000081;"));
	assert_non_null(strstr(out, "http.host; bsize:16; "
				    "content:\"www.evil.example\"; tag:"));
	free(out);
	fixture_set(&f, 9, "domain", "bad;name.example");
	out = run_body("suricata", &f, &o);
	assert_string_equal(out, "");
	free(out);
	fixture_release(&f);
}

static void suricata_url_keeps_query(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "url",
		    "http://evil.example:8080/a;b?q=\"x\"|y\\é#f");
	out = run_body("suricata", &f, &o);
	assert_string_equal(
	    out,
	    "alert http $HOME_NET any -> $EXTERNAL_NET 8080 " MSG_START
	    "Outgoing URL http://evil.example:8080/a\\;b?q=\\\"x\\\"|y\\\\é#f"
	    "\"; flow:to_server,established; http.host; bsize:12; "
	    "content:\"evil.example\"; http.uri; "
	    "content:\"/a|3b|b?q=|22|x|22 7c|y|5c c3 a9|\"; depth:15; "
	    "tag:session,600,seconds; classtype:trojan-activity; "
	    "sid:4000071; rev:1; priority:2;" REF ")\n");
	free(out);
	fixture_set(&f, 7, "url", "https://evil.example/p");
	out = run_body("suricata", &f, &o);
	assert_non_null(strstr(out, "alert tls $HOME_NET any -> "
				    "$EXTERNAL_NET 443 "));
	assert_non_null(strstr(out, "tls.sni; bsize:12; "
				    "content:\"evil.example\"; nocase; tag:"));
	free(out);
	fixture_set(&f, 7, "url", "ftp://evil.example/p");
	out = run_body("suricata", &f, &o);
	assert_string_equal(out, "");
	free(out);
	fixture_release(&f);
}

static void nids_sids_stable_unique(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 12, "domain|ip", "evil.example|192.0.2.1");
	o.nids_sid = 9000000;
	o.base_url = NULL;
	out = run_body("suricata", &f, &o);
	assert_non_null(strstr(out, "sid:9000121; rev:1; priority:2;)\n"));
	assert_non_null(strstr(out, "sid:9000122; rev:1; priority:2;)\n"));
	assert_non_null(
	    strstr(out, "alert ip $HOME_NET any -> 192.0.2.1 any "));
	assert_non_null(strstr(out, "sid:9000123; rev:1; priority:2;)\n"));
	assert_non_null(
	    strstr(out, "alert ip 192.0.2.1 any -> $HOME_NET any "));
	assert_non_null(strstr(out, "sid:9000124; rev:1; priority:2;)\n"));
	assert_null(strstr(out, "sid:9000125"));
	assert_null(strstr(out, "reference:"));
	free(out);
	fixture_set(&f, 13, "ip-dst|port", "2001:db8::1|443");
	out = run_body("snort", &f, &o);
	assert_string_equal(
	    out, "alert tcp $HOME_NET any -> 2001:db8::1 443 " MSG_START
		 "Outgoing To IP: 2001:db8::1\"; classtype:trojan-activity; "
		 "sid:9000131; rev:1; priority:2;)\n"
		 "alert udp $HOME_NET any -> 2001:db8::1 443 " MSG_START
		 "Outgoing To IP: 2001:db8::1\"; classtype:trojan-activity; "
		 "sid:9000132; rev:1; priority:2;)\n");
	free(out);
	fixture_set(&f, 14, "ip-dst|port", "192.0.2.1|99999");
	out = run_body("snort", &f, &o);
	assert_string_equal(out, "");
	free(out);
	fixture_release(&f);
}

static void snort_anchors_hosts(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "hostname", "www.evil.example");
	out = run_body("snort", &f, &o);
	assert_string_equal(
	    out,
	    "alert udp any any -> any 53 " MSG_START
	    "Hostname: www.evil.example\"; "
	    "content:\"|01 00 00 01 00 00 00 00 00 01|\"; depth:10; "
	    "offset:2; content:\"|03|www|04|evil|07|example|00|\"; "
	    "offset:12; depth:18; nocase; classtype:trojan-activity; "
	    "sid:4000071; rev:1; priority:2;" REF ")\n"
	    "alert tcp any any -> any 53 " MSG_START
	    "Hostname: www.evil.example\"; flow:established; "
	    "content:\"|01 00 00 01 00 00 00 00 00 01|\"; depth:10; "
	    "offset:4; content:\"|03|www|04|evil|07|example|00|\"; "
	    "offset:14; depth:18; nocase; classtype:trojan-activity; "
	    "sid:4000072; rev:1; priority:2;" REF ")\n"
	    "alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS " MSG_START
	    "Outgoing HTTP Hostname: www.evil.example\"; "
	    "flow:to_server,established; content:\"www.evil.example\"; "
	    "fast_pattern; nocase; http_header; "
	    "pcre:\"/^Host\\x3a\\x20www\\x2eevil\\x2eexample"
	    "(?:\\x3a\\d+)?\\r?$/Hmi\"; tag:session,600,seconds; "
	    "classtype:trojan-activity; sid:4000073; rev:1; priority:2;" REF
	    ")\n");
	free(out);
	fixture_set(&f, 7, "domain", "evil.example");
	out = run_body("snort", &f, &o);
	assert_non_null(strstr(out, "content:\"|04|evil|07|example|00|\"; "
				    "nocase; classtype"));
	assert_non_null(strstr(out, "pcre:\"/^Host\\x3a\\x20(?:[^\\r\\n]*"
				    "\\x2e)?evil\\x2eexample(?:\\x3a\\d+)?"
				    "\\r?$/Hmi\";"));
	free(out);
	fixture_release(&f);
}

#define YARA_META                                                              \
	"\tmeta:\n"                                                            \
	"\t\tMISP_EVENT_INFO = \"Info \\\"q\\\";, and\\ttab ü\"\n"            \
	"\t\tMISP_EVENT_UUID = \"" EVENT_UUID_TEXT "\"\n"                      \
	"\t\tMISP_ORIGIN = \"Automatically generated from non-Yara "           \
	"attribute(s)\"\n"

static void yara_escapes_strings(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "regkey|value", "HKLM\\Soft\"ware|da\x01ta\nx");
	out = run_one("yara", &f, &o);
	assert_string_equal(
	    out, "import \"hash\"\nimport \"pe\"\n\n"
		 "rule MISP_ATTRIBUTE_5f0a1b2c_0000_4000_8000_00000000000a"
		 " : generated\n{\n" YARA_META
		 "\t\tMISP_UUID = \"" ATTR_UUID_TEXT " (regkey|value)\"\n"
		 "\tstrings:\n"
		 "\t\t$ = \"HKLM\\\\Soft\\\"ware\" ascii wide\n"
		 "\t\t$ = \"da\\x01ta\\nx\" ascii wide\n"
		 "\tcondition:\n\t\tany of them\n}\n");
	free(out);
	fixture_release(&f);
}

static void yara_hash_conditions(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "filename|sha256",
		    "a.exe|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4"
		    "95991b7852b855");
	out = run_body("yara", &f, &o);
	assert_non_null(strstr(out,
			       "\tcondition:\n\t\thash.sha256(0, "
			       "filesize) == \"e3b0c44298fc1c149afbf4c8996"
			       "fb92427ae41e4649b934ca495991b7852b855\"\n}\n"));
	free(out);
	fixture_set(&f, 7, "md5", "d41d8cd98f00b204e9800998ecf8427\"");
	out = run_body("yara", &f, &o);
	assert_string_equal(out, "");
	free(out);
	fixture_set(&f, 7, "hex", "4d 5a } rule x {");
	out = run_body("yara", &f, &o);
	assert_string_equal(out, "");
	free(out);
	fixture_set(&f, 7, "hex", "4D 5a ??");
	out = run_body("yara", &f, &o);
	assert_non_null(strstr(out, "\t\t$ = { 4D 5a ?? }\n"));
	free(out);
	fixture_set(&f, 7, "yara", "rule x { condition: true }");
	out = run_body("yara", &f, &o);
	assert_string_equal(out, "");
	free(out);
	fixture_release(&f);
}

#define STIX_HEAD                                                              \
	"{\"type\":\"indicator\",\"spec_version\":\"2.1\","                    \
	"\"id\":\"indicator--" ATTR_UUID_TEXT "\","                            \
	"\"created_by_ref\":\"identity--abcdef00-0000-4000-8000-"              \
	"000000000001\","                                                      \
	"\"created\":\"2023-11-14T22:13:20.000Z\","                            \
	"\"modified\":\"2023-11-14T22:13:20.000Z\","

static void stix2_writes_indicator(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out;
	char *body;

	(void)state;
	fixture_init(&f);
	fixture_set(&f, 7, "regkey|value", "HKLM\\So'ft|da'ta\\ \"ü\" 😀");
	assert_int_equal(record_set_text(&f.attribute, ATTR_COMMENT,
					 "bad\x01utf8 \xff end\n"),
			 0);
	out = run_one("stix2", &f, &o);
	assert_true(
	    strncmp(out, "{\"type\":\"bundle\",\"id\":\"bundle--", 31) == 0);
	body = strstr(out, "\"objects\":[{\"type\":\"identity\",");
	assert_non_null(body);
	assert_non_null(strstr(body,
			       "\"id\":\"identity--abcdef00-0000-4000-8000-"
			       "000000000001\",\"created\":\"2023-11-14T"
			       "22:13:20.000Z\",\"modified\":\"2023-11-14"
			       "T22:13:20.000Z\",\"name\":\"https://misp"
			       ".example\",\"identity_class\":\"system\"},"));
	body = strstr(out, "},{\"type\":\"indicator\"");
	assert_non_null(body);
	assert_string_equal(
	    body + 2, STIX_HEAD
	    "\"description\":\"bad\\u0001utf8 \\ufffd end\\n\","
	    "\"pattern\":\"[windows-registry-key:key = 'HKLM\\\\\\\\So"
	    "\\\\'ft' AND windows-registry-key:values[*].data = "
	    "'da\\\\'ta\\\\\\\\ \\\"ü\\\" 😀']\","
	    "\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\","
	    "\"valid_from\":\"2023-11-14T22:13:20.000Z\","
	    "\"kill_chain_phases\":[{\"kill_chain_name\":"
	    "\"misp-category\",\"phase_name\":\"Network activity\"}],"
	    "\"labels\":[\"misp:type=\\\"regkey|value\\\"\","
	    "\"misp:category=\\\"Network activity\\\"\","
	    "\"misp:to_ids=\\\"True\\\"\"]}]}\n");
	free(out);
	fixture_release(&f);
}

/* Returns the pattern of the one indicator that the fixture gives. */
static char *stix2_pattern(struct fixture *f)
{
	struct export_options o = default_options();
	char *out, *start, *end, *pattern;

	o.instance_uuid = NULL;
	out = run_one("stix2", f, &o);
	start = strstr(out, "\"pattern\":\"");
	if (!start) {
		free(out);
		return strdup("");
	}
	start += 11;
	end = strstr(start, "\",\"pattern_type\"");
	assert_non_null(end);
	pattern = strndup(start, (size_t)(end - start));
	free(out);
	return pattern;
}

static void stix2_types_addresses(void **state)
{
	static const char *const rows[][3] = {
	    {"ip-dst", "10.0.0.0/8",
	     "[network-traffic:dst_ref.type = 'ipv4-addr' AND "
	     "network-traffic:dst_ref.value = '10.0.0.0/8']"},
	    {"ip-src", "2001:db8::/32",
	     "[network-traffic:src_ref.type = 'ipv6-addr' AND "
	     "network-traffic:src_ref.value = '2001:db8::/32']"},
	    {"ip-dst|port", "192.0.2.1|443",
	     "[network-traffic:dst_ref.type = 'ipv4-addr' AND "
	     "network-traffic:dst_ref.value = '192.0.2.1' AND "
	     "network-traffic:dst_port = 443]"},
	    {"domain|ip", "evil.example|2001:db8::1",
	     "[domain-name:value = 'evil.example' AND "
	     "domain-name:resolves_to_refs[*].value = '2001:db8::1']"},
	    {"filename|sha256", "a.exe|ab",
	     "[file:name = 'a.exe' AND file:hashes.'SHA-256' = 'ab']"},
	    {"AS", "AS64500", "[autonomous-system:number = 64500]"},
	    {"ip-dst", "not an address", ""},
	    {"ip-dst|port", "192.0.2.1|http", ""},
	    {"AS", "AS12a", ""},
	    {"comment", "no pattern", ""},
	};
	struct fixture f;

	(void)state;
	fixture_init(&f);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *pattern;

		fixture_set(&f, 7, rows[i][0], rows[i][1]);
		pattern = stix2_pattern(&f);
		assert_string_equal(pattern, rows[i][2]);
		free(pattern);
	}
	fixture_set(&f, 7, "domain", "evil.example");
	record_set_int(&f.attribute, ATTR_TO_IDS, 0);
	{
		char *pattern = stix2_pattern(&f);

		assert_string_equal(pattern, "");
		free(pattern);
	}
	fixture_release(&f);
}

static void stix2_writes_observed_data(void **state)
{
	struct export_options o = default_options();
	struct fixture f;
	char *out, *body;

	(void)state;
	o.instance_uuid = NULL;
	fixture_init(&f);
	fixture_set(&f, 7, "filename|md5",
		    "a \"b\".exe|d41d8cd98f00b204e9800998ecf8427e");
	record_set_int(&f.attribute, ATTR_TO_IDS, 0);
	out = run_one("stix2", &f, &o);
	body = strstr(out, "\"objects\":[");
	assert_non_null(body);
	assert_string_equal(
	    body,
	    "\"objects\":[{\"type\":\"observed-data\",\"spec_version\":"
	    "\"2.1\",\"id\":\"observed-data--" ATTR_UUID_TEXT "\","
	    "\"created\":\"2023-11-14T22:13:20.000Z\","
	    "\"modified\":\"2023-11-14T22:13:20.000Z\","
	    "\"first_observed\":\"2023-11-14T22:13:20.000Z\","
	    "\"last_observed\":\"2023-11-14T22:13:20.000Z\","
	    "\"number_observed\":1,\"object_refs\":[\"file--" ATTR_UUID_TEXT
	    "\"],\"labels\":[\"misp:type=\\\"filename|md5\\\"\","
	    "\"misp:category=\\\"Network activity\\\"\","
	    "\"misp:to_ids=\\\"False\\\"\"]},"
	    "{\"type\":\"file\",\"spec_version\":\"2.1\",\"id\":\"file-"
	    "-" ATTR_UUID_TEXT
	    "\",\"name\":\"a \\\"b\\\".exe\",\"hashes\":{\"MD5\":"
	    "\"d41d8cd98f00b204e9800998ecf8427e\"}}]}\n");
	free(out);
	fixture_set(&f, 7, "md5", "d41d8cd98f00b204e9800998ecf8427");
	record_set_int(&f.attribute, ATTR_TO_IDS, 0);
	out = run_one("stix2", &f, &o);
	assert_non_null(strstr(out, "\"objects\":[]}"));
	free(out);
	fixture_set(&f, 7, "ip-src", "2001:db8::1");
	record_set_int(&f.attribute, ATTR_TO_IDS, 0);
	out = run_one("stix2", &f, &o);
	assert_non_null(strstr(out,
			       "{\"type\":\"ipv6-addr\",\"spec_version\":"
			       "\"2.1\",\"id\":\"ipv6-addr--" ATTR_UUID_TEXT
			       "\",\"value\":\"2001:db8::1\"}]}"));
	free(out);
	fixture_release(&f);
}

static void stix2_empty_bundle(void **state)
{
	struct export_options o = default_options();
	char *out;

	(void)state;
	o.instance_uuid = NULL;
	out = run_items("stix2", NULL, 0, &o);
	assert_int_equal(strlen(out), 31 + 36 + 16);
	assert_string_equal(out + 31 + 36, "\",\"objects\":[]}\n");
	free(out);
}

static void json_string_escapes(void **state)
{
	struct buf b = BUF_INIT;
	const char in[] =
	    "\"\\\n\t\x1f\x7f é \xc3\x28 \xed\xa0\x80 \xf0\x9f\x98";

	(void)state;
	assert_int_equal(export_json_string(&b, in, sizeof(in) - 1), 0);
	assert_string_equal(buf_str(&b), "\"\\\"\\\\\\n\\t\\u001f\\u007f é "
					 "\\ufffd( \\ufffd\\ufffd\\ufffd "
					 "\\ufffd\\ufffd\\ufffd\"");
	buf_release(&b);
}

static void dedup_keeps_distinct(void **state)
{
	struct dedup d = {0};
	struct buf v = BUF_INIT;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		buf_clear(&v);
		assert_int_equal(buf_printf(&v, "value-%d", i), 0);
		assert_int_equal(dedup_add(&d, v.data, v.len), 1);
	}
	for (int i = 0; i < 5000; i += 7) {
		buf_clear(&v);
		assert_int_equal(buf_printf(&v, "value-%d", i), 0);
		assert_int_equal(dedup_add(&d, v.data, v.len), 0);
	}
	assert_int_equal(dedup_add(&d, "value-", 6), 1);
	assert_false(dedup_full(&d));
	dedup_release(&d);
	buf_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table_finds_formats),
	    cmocka_unit_test(csv_default_columns),
	    cmocka_unit_test(csv_requested_columns),
	    cmocka_unit_test(csv_context_columns),
	    cmocka_unit_test(csv_rejects_too_many_columns),
	    cmocka_unit_test(text_prints_values_once),
	    cmocka_unit_test(hashes_prints_hash_parts),
	    cmocka_unit_test(count_prints_bare_number),
	    cmocka_unit_test(cache_hashes_each_part),
	    cmocka_unit_test(rpz_writes_triggers),
	    cmocka_unit_test(zeek_escapes_fields),
	    cmocka_unit_test(suricata_escapes_content),
	    cmocka_unit_test(suricata_anchors_hosts),
	    cmocka_unit_test(suricata_url_keeps_query),
	    cmocka_unit_test(nids_sids_stable_unique),
	    cmocka_unit_test(snort_anchors_hosts),
	    cmocka_unit_test(yara_escapes_strings),
	    cmocka_unit_test(yara_hash_conditions),
	    cmocka_unit_test(stix2_writes_indicator),
	    cmocka_unit_test(stix2_types_addresses),
	    cmocka_unit_test(stix2_writes_observed_data),
	    cmocka_unit_test(stix2_empty_bundle),
	    cmocka_unit_test(json_string_escapes),
	    cmocka_unit_test(dedup_keeps_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
