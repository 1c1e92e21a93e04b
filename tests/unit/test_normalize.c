/*
 * Tests of src/model/normalize: each type family's accepted spellings and
 * their canonical form, the values each family rejects, first_seen and
 * last_seen, and normalize_attribute() on records.
 *
 * Cases are tables of {type, input, expected output}; an expected output
 * of NULL means the value must be rejected with CAIRN_EINVAL and a message
 * that names the type.
 */
#include "core/buf.h"
#include "core/err.h"
#include "model/misp.h"
#include "model/normalize.h"
#include "model/record.h"
#include "model/types.h"

#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

struct norm_case {
	const char *type;
	const char *input;
	const char *expected; /* NULL: rejected */
};

static void run_cases(const struct norm_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct norm_case *c = &cases[i];
		struct cairn_err e = CAIRN_ERR_INIT;
		struct buf out = BUF_INIT;
		int rc = normalize_value(c->type, c->input, &out, &e);

		if (c->expected) {
			if (rc != 0) {
				print_error("%s '%s': %s\n", c->type, c->input,
					    buf_str(&e.message));
			}
			assert_int_equal(rc, 0);
			assert_string_equal(buf_str(&out), c->expected);
		} else {
			if (rc == 0) {
				print_error("%s '%s' accepted as '%s'\n",
					    c->type, c->input, buf_str(&out));
			}
			assert_int_equal(rc, CAIRN_EINVAL);
			assert_non_null(strstr(buf_str(&e.message), c->type));
		}
		buf_release(&out);
		cairn_err_release(&e);
	}
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void hashes(void **state)
{
	static const struct norm_case cases[] = {
		{"md5", "D41D8CD98F00B204E9800998ECF8427E",
		 "d41d8cd98f00b204e9800998ecf8427e"},
		{"md5", " d41d8cd98f00b204e9800998ecf8427e\n",
		 "d41d8cd98f00b204e9800998ecf8427e"},
		/* 'g' is not a hex digit */
		{"md5", "d41d8cd98f00b204e9800998ecf8427g", NULL},
		{"md5", "d41d8cd98f00b204e9800998ecf8427", NULL},
		{"sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
		 "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"sha256",
		 "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"sha256", "e3b0c44298fc1c149afbf4c8996fb924", NULL},
		{"sha512/256",
		 "C672B8D1EF56ED28AB87C3622C5114069BDD3AD7B8F9737498D0C01ECEF0967A",
		 "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a"},
		{"sha224", "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f",
		 "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"},
		{"imphash", "F34D5F2D4577ED6D9CEEC516C1F5A744",
		 "f34d5f2d4577ed6d9ceec516c1f5a744"},
		{"x509-fingerprint-sha1",
		 "DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09",
		 "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"tlsh",
		 "T1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4",
		 "t1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"},
		{"tlsh", "T1XYZ", NULL},
		{"cdhash", "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
		 "abcdef0123456789abcdef0123456789abcdef01"},
		{"cdhash", "abcdef", NULL},
		{"ssdeep", "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C",
		 "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"},
		{"ssdeep", "3:AXGB\nicFlg:AXGH", NULL},
		{"ssdeep", "x:abc:def", NULL},
		{"filename|md5", "Invoice.EXE|D41D8CD98F00B204E9800998ECF8427E",
		 "Invoice.EXE|d41d8cd98f00b204e9800998ecf8427e"},
		{"filename|sha256", "a|b.exe|E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		 "a|b.exe|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"filename|md5", "Invoice.exe|xyz", NULL},
		{"filename|md5", "|d41d8cd98f00b204e9800998ecf8427e", NULL},
	};

	(void)state;
	RUN(cases);
}

static void ip_addresses(void **state)
{
	static const struct norm_case cases[] = {
		{"ip-dst", "2001:0DB8:0000::0001", "2001:db8::1"},
		{"ip-src", "2001:db8:0:0:0:0:0:1", "2001:db8::1"},
		{"ip-dst", "192.0.2.7", "192.0.2.7"},
		{"ip-dst", "192.0.2.7/32", "192.0.2.7"},
		{"ip-dst", "2001:db8::1/128", "2001:db8::1"},
		{"ip-dst", "192.0.2.0/24", "192.0.2.0/24"},
		/* host bits set: kept, as MISP keeps it */
		{"ip-dst", "192.0.2.7/24", "192.0.2.7/24"},
		{"ip-dst", "2001:DB8:1::/48", "2001:db8:1::/48"},
		{"ip-dst", "::FFFF:192.0.2.1", "::ffff:192.0.2.1"},
		{"ip-dst", "::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120"},
		{"ip-dst", "192.0.2.0/33", NULL},
		{"ip-dst", "2001:db8::/129", NULL},
		{"ip-dst", "192.0.2.7/", NULL},
		{"ip-dst", "192.0.2.7/abc", NULL},
		{"ip-dst", "192.0.2.7/24x", NULL},
		{"ip-dst", "192.0.2.7/24/8", NULL},
		{"ip-dst", "192.0.2.256", NULL},
		{"ip-dst", "example.org", NULL},
		{"ip-dst|port", "[2001:0db8::0001]:443", "2001:db8::1|443"},
		{"ip-dst|port", "2001:db8::1|443", "2001:db8::1|443"},
		{"ip-src|port", "192.0.2.10:80", "192.0.2.10|80"},
		{"ip-src|port", "192.0.2.10|80", "192.0.2.10|80"},
		{"ip-src|port", "192.0.2.10|0", "192.0.2.10|0"},
		{"ip-src|port", "192.0.2.10|65536", NULL},
		{"ip-src|port", "192.0.2.10|http", NULL},
		{"ip-dst|port", "2001:db8::1:443", NULL},
		{"ip-dst|port", "192.0.2.0/24|80", NULL},
	};

	(void)state;
	RUN(cases);
}

static void domain_names(void **state)
{
	static const struct norm_case cases[] = {
		{"domain", "WWW.Example.ORG.", "www.example.org"},
		{"hostname", "Mail.Example.org", "mail.example.org"},
		{"domain", "bücher.example", "xn--bcher-kva.example"},
		{"domain", "BÜCHER.example", "xn--bcher-kva.example"},
		{"domain", "example.xn--p1ai", "example.xn--p1ai"},
		{"domain", "10.1.1.1", NULL},
		{"domain", "example.c0m", NULL},
		{"domain", "example.x", NULL},
		{"domain", "_dmarc.example.org", "_dmarc.example.org"},
		{"domain", "example", NULL},
		{"domain", "a..example.org", NULL},
		{"domain", "example.org..", NULL},
		{"domain", "exa mple.org", NULL},
		{"domain", "example.o_g", NULL},
		{"domain",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 ".example",
		 NULL},
		{"domain|ip", "Example.ORG|2001:DB8::1", "example.org|2001:db8::1"},
		{"domain|ip", "example.org|300.1.1.1", NULL},
		{"hostname|port", "Mail.Example.org:25", "mail.example.org|25"},
		{"hostname|port", "mail.example.org|25", "mail.example.org|25"},
		{"hostname|port", "mail.example.org|99999", NULL},
		{"hostname|port", "mail.example.org", NULL},
	};
	char longest[300];

	(void)state;
	RUN(cases);

	/* 253 characters is the limit: four labels of 63 and a dot each. */
	memset(longest, 'a', sizeof(longest));
	for (int i = 63; i < 253; i += 64) {
		longest[i] = '.';
	}
	longest[253] = '\0';
	{
		struct norm_case edge[] = {{"domain", longest, longest}};

		RUN(edge);
		longest[253] = 'a';
		longest[254] = '\0';
		edge[0].expected = NULL;
		RUN(edge);
	}
}

static void urls_and_email(void **state)
{
	static const struct norm_case cases[] = {
		{"url", "HTTPS://WWW.Example.ORG/Path?Q=A",
		 "https://www.example.org/Path?Q=A"},
		{"url", "http://bücher.example/Path", "http://xn--bcher-kva.example/Path"},
		{"url", "http://Ünï/x", "http://Ünï/x"},
		{"url", "http://User@EXAMPLE.org:8080/X",
		 "http://User@example.org:8080/X"},
		{"url", "Example.ORG/Login.php", "example.org/Login.php"},
		{"url", "http://192.0.2.1/report - (2018).zip",
		 "http://192.0.2.1/report - (2018).zip"},
		{"url", "http://example.org/\nx", NULL},
		{"uri", "/Admin/Login.php", "/Admin/Login.php"},
		{"link", "https://Example.org/Report", "https://example.org/Report"},
		{"link", "example.org/report", NULL},
		{"email-src", "Alice@Example.ORG", "alice@example.org"},
		{"email-dst", "bob@bücher.example", "bob@xn--bcher-kva.example"},
		{"target-email", "a b@example.org", NULL},
		{"email", "alice@@example.org", NULL},
		{"email", "example.org", NULL},
		{"whois-registrant-email", "@example.org", NULL},
		{"jabber-id", "Alice@Example.org/Phone", "Alice@Example.org/Phone"},
	};

	(void)state;
	RUN(cases);
}

static void identifiers(void **state)
{
	static const struct norm_case cases[] = {
		{"AS", "AS64496", "64496"},
		{"AS", "as64496", "64496"},
		{"AS", "64496", "64496"},
		{"AS", "1.10", "65546"},
		{"AS", "4294967295", "4294967295"},
		{"AS", "4294967296", NULL},
		{"AS", "ASX", NULL},
		{"port", "443", "443"},
		{"port", "0", "0"},
		{"port", "0080", "80"},
		{"port", "65536", NULL},
		{"port", "-1", NULL},
		{"vulnerability", "cve-2017-0199", "CVE-2017-0199"},
		{"vulnerability", "CVE\xe2\x80\x93" "2021\xe2\x80\x93" "44228",
		 "CVE-2021-44228"},
		{"vulnerability", "CVE-2017-019", NULL},
		{"vulnerability", "CVE-17-0199", NULL},
		{"weakness", "cwe-79", "CWE-79"},
		{"weakness", "CWE-", NULL},
		{"mac-address", "00-00-5E-00-53-01", "00:00:5e:00:53:01"},
		{"mac-address", "0000.5e00.5301", "00:00:5e:00:53:01"},
		{"mac-address", "00:00:5e:00:53", NULL},
		{"mac-eui-64", "02:00:5E:10:00:00:00:01",
		 "02:00:5e:10:00:00:00:01"},
		{"btc", "1GCaWA685Nj2PqqG7P2ZBACYZB8ZtpQuQ9",
		 "1GCaWA685Nj2PqqG7P2ZBACYZB8ZtpQuQ9"},
		{"btc", "1GCaWA685Nj2 PqqG7", NULL},
		{"xmr", "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx",
		 "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx"},
		{"iban", "de89 3704 0044 0532 0130 00", "DE89370400440532013000"},
		{"cc-number", "4111-1111-1111-1111", "4111111111111111"},
		{"phone-number", "0044 (0)20 7946 0000", "+442079460000"},
		{"size-in-bytes", "94208", "94208"},
		{"size-in-bytes", "-1", NULL},
		{"counter", "12a", NULL},
		{"integer", "-12", "-12"},
		{"float", "5.49321665686", "5.49321665686"},
		{"float", "1e3", "1e3"},
		{"float", "abc", NULL},
		{"boolean", "True", "1"},
		{"boolean", "0", "0"},
		{"boolean", "yes", NULL},
		{"hex", "deadBEEF", "DEADBEEF"},
		{"hex", "xyz", NULL},
		{"http-method", "post", "POST"},
		{"http-method", "FETCH", NULL},
		{"onion-address", "ExampleOnionAbcd.onion",
		 "exampleonionabcd.onion"},
		{"onion-address", "example.onion", NULL},
		{"uuid", "A8A2D9AC-4E35-4B9E-9B6C-4D6FD9D0E1F2",
		 "a8a2d9ac-4e35-4b9e-9b6c-4d6fd9d0e1f2"},
		{"uuid", "not-a-uuid", NULL},
		{"cortex", "{\"a\": 1}", "{\"a\": 1}"},
		{"cortex", "{a", NULL},
		{"windows-service-name", "Dhcp", "Dhcp"},
		{"windows-service-name", "C:\\svc", NULL},
	};

	(void)state;
	RUN(cases);
}

static void datetimes(void **state)
{
	static const struct norm_case cases[] = {
		{"datetime", "2019-02-22 20:12:18",
		 "2019-02-22T20:12:18.000000+0000"},
		{"datetime", "2019-02-22T20:12:18.5+02:00",
		 "2019-02-22T20:12:18.500000+0200"},
		{"datetime", "2019-02-22", "2019-02-22T00:00:00.000000+0000"},
		{"datetime", "2019-02-30T00:00:00Z", NULL},
		{"datetime", "yesterday", NULL},
	};

	(void)state;
	RUN(cases);
}

/* Text types are stored byte for byte, 4-byte UTF-8 included. */
static void text_unchanged(void **state)
{
	static const struct norm_case cases[] = {
		{"text", "Campaign \xf0\x9f\x90\x8d  notes\n", "Campaign "
							      "\xf0\x9f\x90\x8d"
							      "  notes\n"},
		{"comment", "  spaced  ", "  spaced  "},
		{"other", "MiXeD CaSe", "MiXeD CaSe"},
		{"filename", "Report \xf0\x9f\x93\x84.PDF",
		 "Report \xf0\x9f\x93\x84.PDF"},
		{"filename", "two\nlines", NULL},
		{"email-subject", "Hello \xf0\x9f\x91\x8b",
		 "Hello \xf0\x9f\x91\x8b"},
		{"yara", "rule a {\n condition: true\n}",
		 "rule a {\n condition: true\n}"},
	};

	(void)state;
	RUN(cases);
}

static void unknown_and_empty(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(normalize_value("ip", "192.0.2.1", &out, &e),
			 CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "'ip'"));
	cairn_err_clear(&e);
	assert_int_equal(normalize_value("md5", "   ", &out, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "non-empty"));
	buf_release(&out);
	cairn_err_release(&e);
}

/* Every registry type has a rule: normalize_value() does not call any of
 * them unknown. */
static void registry_covered(void **state)
{
	(void)state;
	for (size_t i = 0; i < attr_types_count; i++) {
		struct cairn_err e = CAIRN_ERR_INIT;
		struct buf out = BUF_INIT;

		normalize_value(attr_types[i].name, "x", &out, &e);
		if (strstr(buf_str(&e.message), "is not a MISP attribute type")) {
			print_error("type %s has no rule\n", attr_types[i].name);
			fail();
		}
		buf_release(&out);
		cairn_err_release(&e);
	}
}

static void seen_times(void **state)
{
	static const struct {
		const char *input, *expected;
		int64_t usec;
	} cases[] = {
		{"2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000000+00:00",
		 1714564800000000},
		{"2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00.000000+00:00",
		 1714564800000000},
		{"2024-05-01T12:00:00", "2024-05-01T12:00:00.000000+00:00",
		 1714564800000000},
		{"2024-05-01 12:00:00.123456-0130",
		 "2024-05-01T13:30:00.123456+00:00", 1714570200123456},
		{"2024-05-01", "2024-05-01T00:00:00.000000+00:00",
		 1714521600000000},
		{"2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00.000000+00:00",
		 1704065400000000},
	};
	static const char *const bad[] = {
		"2024-13-01", "2024-05-01T25:00:00", "2024-05-01T12:00:00+2",
		"May 1 2024", "", "2024-05-01T12:00:00.Z",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cairn_err e = CAIRN_ERR_INIT;
		struct buf out = BUF_INIT;
		int64_t usec = 0;

		assert_int_equal(normalize_seen(cases[i].input, &out, &usec, &e),
				 0);
		assert_string_equal(buf_str(&out), cases[i].expected);
		assert_int_equal(usec, cases[i].usec);
		buf_release(&out);
		cairn_err_release(&e);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cairn_err e = CAIRN_ERR_INIT;
		struct buf out = BUF_INIT;

		assert_int_equal(normalize_seen(bad[i], &out, NULL, &e),
				 CAIRN_EINVAL);
		buf_release(&out);
		cairn_err_release(&e);
	}
}

static void attribute_record(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct record rec;
	bool changed = false;

	(void)state;
	record_init(&rec, &model_attribute);
	record_set_text(&rec, ATTR_TYPE, "ip-dst");
	record_set_text(&rec, ATTR_VALUE, "2001:0DB8:0000::0001");
	record_set_text(&rec, ATTR_FIRST_SEEN, "2024-05-01T14:00:00+02:00");
	record_set_text(&rec, ATTR_LAST_SEEN, "2024-05-02");
	assert_int_equal(normalize_attribute(&rec, "/Attribute/0", &changed,
					     &e),
			 0);
	assert_true(changed);
	assert_string_equal(record_text(&rec, ATTR_VALUE, ""), "2001:db8::1");
	assert_string_equal(record_text(&rec, ATTR_FIRST_SEEN, ""),
			    "2024-05-01T12:00:00.000000+00:00");
	assert_string_equal(record_text(&rec, ATTR_LAST_SEEN, ""),
			    "2024-05-02T00:00:00.000000+00:00");

	/* last_seen before first_seen */
	record_set_text(&rec, ATTR_LAST_SEEN, "2024-04-30T00:00:00Z");
	assert_int_equal(normalize_attribute(&rec, "/Attribute/0", NULL, &e),
			 CAIRN_EINVAL);
	assert_string_equal(buf_str(&e.field), "last_seen");
	assert_string_equal(buf_str(&e.pointer), "/Attribute/0/last_seen");
	cairn_err_clear(&e);

	/* an invalid value names the value, its type and the pointer */
	record_set_null(&rec, ATTR_LAST_SEEN);
	record_set_text(&rec, ATTR_TYPE, "md5");
	record_set_text(&rec, ATTR_VALUE, "xyz");
	assert_int_equal(normalize_attribute(&rec, "/Attribute/3", NULL, &e),
			 CAIRN_EINVAL);
	assert_string_equal(buf_str(&e.field), "value");
	assert_non_null(strstr(buf_str(&e.message), "'xyz'"));
	assert_non_null(strstr(buf_str(&e.message), "md5"));
	assert_non_null(strstr(buf_str(&e.message), "/Attribute/3/value"));
	cairn_err_clear(&e);

	/* an empty first_seen is null, as MISP reads it */
	record_set_text(&rec, ATTR_VALUE, "d41d8cd98f00b204e9800998ecf8427e");
	record_set_text(&rec, ATTR_FIRST_SEEN, "");
	assert_int_equal(normalize_attribute(&rec, "", &changed, &e), 0);
	assert_false(changed);
	assert_true(rec.v[ATTR_FIRST_SEEN].null);
	record_release(&rec);
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hashes),
		cmocka_unit_test(ip_addresses),
		cmocka_unit_test(domain_names),
		cmocka_unit_test(urls_and_email),
		cmocka_unit_test(identifiers),
		cmocka_unit_test(datetimes),
		cmocka_unit_test(text_unchanged),
		cmocka_unit_test(unknown_and_empty),
		cmocka_unit_test(registry_covered),
		cmocka_unit_test(seen_times),
		cmocka_unit_test(attribute_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
