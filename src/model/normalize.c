/*
 * Value normaliser: the type table and the families that are not about
 * networks (those are in normalize_net.c, times in normalize_time.c).
 *
 * Every MISP type maps to one row of `rules`; a type of the registry
 * without a row is free text and is stored exactly as received.  Values
 * of the other families lose surrounding blanks first, as MISP trims
 * them.  Where Cairn differs from MISP (AttributeValidationTool, MISP
 * 2.5):
 *  - 4-byte UTF-8 is kept; MISP replaces it with '?';
 *  - defanged values ("hxxp", "[.]") are not refanged;
 *  - a port may be 0, so that captured traffic to port 0 imports;
 *  - a bare IPv6 address and port ("2001:db8::1:80") is rejected as
 *    ambiguous, and IPv6 ports written with '.', 'p', '#' or " port "
 *    are not accepted: write "[2001:db8::1]:80" or "2001:db8::1|80";
 *  - domain and hostname names lose only the root dot at the end, are
 *    converted to punycode for hostnames too, and have label and length
 *    limits (63 and 253 octets).
 */
#include "model/normalize.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/normalize_internal.h"
#include "model/types.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Values are quoted in messages up to this many bytes. */
#define QUOTE_MAX 120

static int fail(const char **expectation, const char *reason)
{
	*expectation = reason;
	return CAIRN_EINVAL;
}

static int add_lower(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf_addc(out, (char)tolower((unsigned char)s[i])) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

static int add_upper(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf_addc(out, (char)toupper((unsigned char)s[i])) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

static bool all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return len > 0;
}

static bool all_digits(const char *s)
{
	if (!*s) {
		return false;
	}
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s)) {
			return false;
		}
	}
	return true;
}

/* ---- hashes ---- */

static const char *hex_expectation(int digits)
{
	switch (digits) {
	case 32:
		return "32 hexadecimal digits";
	case 40:
		return "40 hexadecimal digits";
	case 56:
		return "56 hexadecimal digits";
	case 62:
		return "62 hexadecimal digits";
	case 64:
		return "64 hexadecimal digits";
	case 96:
		return "96 hexadecimal digits";
	default:
		return "128 hexadecimal digits";
	}
}

/* A hash of exactly rule->arg hexadecimal digits, stored in lower case. */
static int norm_hash(const struct norm_rule *rule, const char *value,
		     struct buf *out, const char **expectation)
{
	size_t len = strlen(value);

	if (len != (size_t)rule->arg || !all_hex(value, len)) {
		return fail(expectation, hex_expectation(rule->arg));
	}
	return add_lower(out, value, len);
}

/* An X.509 fingerprint, with or without ':' between the bytes. */
static int norm_fingerprint(const struct norm_rule *rule, const char *value,
			    struct buf *out, const char **expectation)
{
	struct buf bare = BUF_INIT;
	int rc = 0;

	for (const char *p = value; *p && rc == 0; p++) {
		if (*p != ':') {
			rc = buf_addc(&bare, *p) < 0 ? CAIRN_ENOMEM : 0;
		}
	}
	if (rc == 0) {
		rc = norm_hash(rule, buf_str(&bare), out, expectation);
	}
	buf_release(&bare);
	return rc;
}

/* TLSH: at least 35 hexadecimal digits after an optional "T1" version. */
static int norm_tlsh(const struct norm_rule *rule, const char *value,
		     struct buf *out, const char **expectation)
{
	const char *digits = value;

	(void)rule;
	if (tolower((unsigned char)value[0]) == 't' && value[1] == '1') {
		digits += 2;
	}
	if (strlen(digits) < 35 || !all_hex(digits, strlen(digits))) {
		return fail(expectation, "at least 35 hexadecimal digits, optionally "
				 "after 'T1'");
	}
	return add_lower(out, value, strlen(value));
}

/* telfhash: a TLSH digest of 70 hexadecimal digits, or 72 with "T1". */
static int norm_telfhash(const struct norm_rule *rule, const char *value,
			 struct buf *out, const char **expectation)
{
	size_t len = strlen(value);
	const char *digits = value;

	(void)rule;
	if (len == 72 && tolower((unsigned char)value[0]) == 't' &&
	    value[1] == '1') {
		digits += 2;
	}
	if ((len != 70 && len != 72) || !all_hex(digits, strlen(digits))) {
		return fail(expectation, "70 hexadecimal digits, or 72 starting with "
				 "'T1'");
	}
	return add_lower(out, value, len);
}

/* A hash of rule->arg or more hexadecimal digits (cdhash). */
static int norm_long_hash(const struct norm_rule *rule, const char *value,
			  struct buf *out, const char **expectation)
{
	size_t len = strlen(value);

	if (len < (size_t)rule->arg || !all_hex(value, len)) {
		return fail(expectation, "40 or more hexadecimal digits");
	}
	return add_lower(out, value, len);
}

static bool ssdeep_part(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '/' &&
		    s[i] != '+') {
			return false;
		}
	}
	return true;
}

/* ssdeep "blocksize:hash:hash", and impfuzzy "imports:hash:hash"; both are
 * base64 text, so their case is kept. */
static int norm_ssdeep(const struct norm_rule *rule, const char *value,
		       struct buf *out, const char **expectation)
{
	const char *c1 = strchr(value, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	bool ok = c1 && c2 && c1 > value && !strchr(c2 + 1, ':');

	for (const char *p = value; ok && p < c1; p++) {
		ok = isdigit((unsigned char)*p) != 0;
	}
	ok = ok && ssdeep_part(c1 + 1, (size_t)(c2 - c1 - 1)) &&
	     ssdeep_part(c2 + 1, strlen(c2 + 1));
	if (!ok) {
		return fail(expectation, rule->arg ? "'imports:hash:hash'"
					   : "'blocksize:hash:hash'");
	}
	return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
}

/* vhash is free-form but stored lower case, as MISP does. */
static int norm_vhash(const struct norm_rule *rule, const char *value,
		      struct buf *out, const char **expectation)
{
	(void)rule;
	if (strpbrk(value, "\r\n")) {
		return fail(expectation, "a value on one line");
	}
	return add_lower(out, value, strlen(value));
}

static const struct norm_rule *rule_find(const char *type);

/* filename|<hash>: the file name is kept as given, the hash part is
 * normalised by the hash type's own rule.  The name may contain '|', the
 * hash never does, so the value splits at the last one. */
static int norm_filename_hash(const struct norm_rule *rule,
			      const char *value, struct buf *out,
			      const char **expectation)
{
	const char *bar = strrchr(value, '|');
	const struct norm_rule *hash = rule_find(rule->type + 9);

	if (!bar || bar == value) {
		return fail(expectation, "'filename|hash' with a file name");
	}
	if (memchr(value, '\n', (size_t)(bar - value))) {
		return fail(expectation, "a file name on one line");
	}
	if (buf_add(out, value, (size_t)(bar - value) + 1) < 0) {
		return CAIRN_ENOMEM;
	}
	return hash->fn(hash, bar + 1, out, expectation);
}

/* ---- identifiers and numbers ---- */

/* AS numbers are stored as digits, as MISP stores them: an "AS" prefix
 * is dropped and the asdot form "1.10" becomes 65546. */
static int norm_as(const struct norm_rule *rule, const char *value,
		   struct buf *out, const char **expectation)
{
	static const char expected[] =
		"an AS number from 0 to 4294967295, as '64496' or 'AS64496'";
	const char *digits = value, *dot;
	unsigned long long n;

	(void)rule;
	if (strncasecmp(value, "AS", 2) == 0) {
		digits += 2;
	}
	dot = strchr(digits, '.');
	if (dot) {
		char high[8];
		size_t len = (size_t)(dot - digits);

		if (len == 0 || len >= sizeof(high) || !all_digits(dot + 1) ||
		    strlen(dot + 1) > 5) {
			return fail(expectation, expected);
		}
		memcpy(high, digits, len);
		high[len] = '\0';
		if (!all_digits(high) || strtoul(high, NULL, 10) > 65535 ||
		    strtoul(dot + 1, NULL, 10) > 65535) {
			return fail(expectation, expected);
		}
		n = strtoull(high, NULL, 10) * 65536 +
		    strtoull(dot + 1, NULL, 10);
	} else {
		if (!all_digits(digits) || strlen(digits) > 10) {
			return fail(expectation, expected);
		}
		n = strtoull(digits, NULL, 10);
	}
	if (n > 4294967295ULL) {
		return fail(expectation, expected);
	}
	return buf_printf(out, "%llu", n) < 0 ? CAIRN_ENOMEM : 0;
}

static int norm_port(const struct norm_rule *rule, const char *value,
		     struct buf *out, const char **expectation)
{
	(void)rule;
	return norm_port_text(value, strlen(value), out, expectation);
}

/* CVE and CWE ids, upper-cased, with an en dash read as '-'.  rule->arg
 * is 1 for CVE ("CVE-2024-12345") and 0 for CWE ("CWE-79"). */
static int norm_weakness_id(const struct norm_rule *rule, const char *value,
			    struct buf *out, const char **expectation)
{
	const char *prefix = rule->arg ? "CVE-" : "CWE-";
	const char *p, *year_end;

	for (p = value; *p; p++) {
		if (strncmp(p, "\xe2\x80\x93", 3) == 0) {
			p += 2;
			if (buf_addc(out, '-') < 0) {
				return CAIRN_ENOMEM;
			}
		} else if (buf_addc(out, (char)toupper((unsigned char)*p)) <
			   0) {
			return CAIRN_ENOMEM;
		}
	}
	p = buf_str(out);
	if (strncmp(p, prefix, 4) != 0) {
		goto invalid;
	}
	p += 4;
	if (!rule->arg) {
		if (!all_digits(p)) {
			goto invalid;
		}
		return 0;
	}
	year_end = strchr(p, '-');
	if (!year_end || year_end - p != 4 || strlen(year_end + 1) < 4 ||
	    !all_digits(year_end + 1)) {
		goto invalid;
	}
	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)p[i])) {
			goto invalid;
		}
	}
	return 0;
invalid:
	return fail(expectation, rule->arg ? "a CVE id as 'CVE-YYYY-NNNN' (four or "
				     "more digits at the end)"
				   : "a CWE id as 'CWE-N'");
}

/* MAC addresses (rule->arg 6 bytes) and EUI-64 (8), in lower case with
 * ':' between bytes; '.', '-', ':' and spaces are accepted as input. */
static int norm_mac(const struct norm_rule *rule, const char *value,
		    struct buf *out, const char **expectation)
{
	char hex[16];
	size_t n = 0;

	for (const char *p = value; *p; p++) {
		if (strchr(".:- ", *p)) {
			continue;
		}
		if (!isxdigit((unsigned char)*p) || n == 2 * (size_t)rule->arg) {
			n = 0;
			break;
		}
		hex[n++] = (char)tolower((unsigned char)*p);
	}
	if (n != 2 * (size_t)rule->arg) {
		return fail(expectation, rule->arg == 6
					 ? "a MAC address of 6 bytes, such as "
					   "'00:00:5e:00:53:01'"
					 : "an EUI-64 of 8 bytes, such as "
					   "'02:00:5e:10:00:00:00:01'");
	}
	for (size_t i = 0; i < n; i += 2) {
		if ((i && buf_addc(out, ':') < 0) || buf_add(out, hex + i, 2)) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

/* Wallet addresses (btc, dash, xmr): letters and digits, case kept
 * because base58 is case-sensitive. */
static int norm_alnum(const struct norm_rule *rule, const char *value,
		      struct buf *out, const char **expectation)
{
	(void)rule;
	for (const char *p = value; *p; p++) {
		if (!isalnum((unsigned char)*p)) {
			return fail(expectation, "letters and digits only");
		}
	}
	return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
}

/* IBAN and BIC: upper case, with spaces and punctuation removed. */
static int norm_bank_code(const struct norm_rule *rule, const char *value,
			  struct buf *out, const char **expectation)
{
	(void)rule;
	for (const char *p = value; *p; p++) {
		if (isalnum((unsigned char)*p) &&
		    buf_addc(out, (char)toupper((unsigned char)*p)) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return out->len ? 0 : fail(expectation, "letters and digits");
}

/* Card and bank identification numbers: the digits, separators
 * removed. */
static int norm_card_number(const struct norm_rule *rule, const char *value,
			    struct buf *out, const char **expectation)
{
	(void)rule;
	for (const char *p = value; *p; p++) {
		if (isdigit((unsigned char)*p) && buf_addc(out, *p) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return out->len ? 0 : fail(expectation, "a number of digits");
}

/* Phone numbers: "00" becomes '+', "(0)" and separators are removed. */
static int norm_phone(const struct norm_rule *rule, const char *value,
		      struct buf *out, const char **expectation)
{
	const char *p = value;

	(void)rule;
	if (strncmp(p, "00", 2) == 0) {
		p += 2;
		if (buf_addc(out, '+') < 0) {
			return CAIRN_ENOMEM;
		}
	}
	for (; *p; p++) {
		if (strncmp(p, "(0)", 3) == 0) {
			p += 2;
			continue;
		}
		if ((isdigit((unsigned char)*p) || (*p == '+' && out->len == 0)) &&
		    buf_addc(out, *p) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	if (out->len == 0 || strcmp(buf_str(out), "+") == 0) {
		return fail(expectation, "a phone number of digits, optionally after "
				 "'+'");
	}
	return 0;
}

/* A decimal number as PHP's is_numeric reads it: sign, digits, fraction,
 * exponent. */
static bool numeric(const char *s)
{
	char *end;

	if (!*s || isspace((unsigned char)*s) || strpbrk(s, "xXnNiI")) {
		return false;
	}
	strtod(s, &end);
	return *end == '\0';
}

static int norm_numeric(const struct norm_rule *rule, const char *value,
			struct buf *out, const char **expectation)
{
	(void)rule;
	if (!numeric(value)) {
		return fail(expectation, "a number such as '12' or '1.5'");
	}
	return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
}

/* Whole numbers: rule->arg 0 for 0 and more (size-in-bytes, counter),
 * 1 for a signed integer. */
static int norm_whole(const struct norm_rule *rule, const char *value,
		      struct buf *out, const char **expectation)
{
	const char *digits = value;

	if (rule->arg && (*digits == '-' || *digits == '+')) {
		digits++;
	}
	if (!all_digits(digits)) {
		return fail(expectation, rule->arg ? "an integer"
					   : "a whole number, 0 or more");
	}
	return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
}

static int norm_boolean(const struct norm_rule *rule, const char *value,
			struct buf *out, const char **expectation)
{
	(void)rule;
	if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0) {
		return buf_adds(out, "1") < 0 ? CAIRN_ENOMEM : 0;
	}
	if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0) {
		return buf_adds(out, "0") < 0 ? CAIRN_ENOMEM : 0;
	}
	return fail(expectation, "'1', '0', 'true' or 'false'");
}

static int norm_hex(const struct norm_rule *rule, const char *value,
		    struct buf *out, const char **expectation)
{
	(void)rule;
	if (!all_hex(value, strlen(value))) {
		return fail(expectation, "hexadecimal digits");
	}
	return add_upper(out, value, strlen(value));
}

static int norm_http_method(const struct norm_rule *rule, const char *value,
			    struct buf *out, const char **expectation)
{
	static const char *const methods[] = {
		"ACL", "BASELINE-CONTROL", "CHECKIN", "CHECKOUT", "CONNECT",
		"COPY", "DELETE", "GET", "HEAD", "LABEL", "LOCK", "MERGE",
		"MKACTIVITY", "MKCOL", "MKWORKSPACE", "MOVE", "OPTIONS",
		"ORDERPATCH", "PATCH", "POST", "PROPFIND", "PROPPATCH", "PUT",
		"REPORT", "SEARCH", "TRACE", "UNCHECKOUT", "UNLOCK", "UPDATE",
		"VERSION-CONTROL",
	};
	int rc = add_upper(out, value, strlen(value));

	(void)rule;
	for (size_t i = 0; rc == 0 && i < sizeof(methods) / sizeof(*methods);
	     i++) {
		if (strcmp(buf_str(out), methods[i]) == 0) {
			return 0;
		}
	}
	return rc < 0 ? rc : fail(expectation, "an HTTP method such as 'GET'");
}

static int norm_onion(const struct norm_rule *rule, const char *value,
		      struct buf *out, const char **expectation)
{
	size_t len = strlen(value), name;
	int rc = add_lower(out, value, len);
	const char *s = buf_str(out);

	(void)rule;
	name = len > 6 ? len - 6 : 0;
	if (rc < 0) {
		return rc;
	}
	if ((name != 16 && name != 56) || strcmp(s + name, ".onion") != 0) {
		goto invalid;
	}
	for (size_t i = 0; i < name; i++) {
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= '2' && s[i] <= '7')) {
			goto invalid;
		}
	}
	return 0;
invalid:
	return fail(expectation, "16 or 56 base32 characters and '.onion'");
}

static int norm_uuid(const struct norm_rule *rule, const char *value,
		     struct buf *out, const char **expectation)
{
	(void)rule;
	if (!codec_is_uuid(value)) {
		return fail(expectation, "a UUID such as "
				 "'a8a2d9ac-4e35-4b9e-9b6c-4d6fd9d0e1f2'");
	}
	return add_lower(out, value, strlen(value));
}

/* SSH key fingerprints: "SHA256:" and 43 base64 characters (32 bytes), or
 * an MD5 of 32 hexadecimal digits, with or without "MD5:" and ':'. */
static int norm_ssh_fingerprint(const struct norm_rule *rule,
				const char *value, struct buf *out,
				const char **expectation)
{
	static const char expected[] =
		"'SHA256:' and 43 base64 characters, or an MD5 fingerprint";
	struct norm_rule md5 = {"md5", norm_fingerprint, 32};
	struct buf scratch = BUF_INIT;
	const char *hex = value;
	int rc;

	(void)rule;
	if (strncmp(value, "SHA256:", 7) == 0) {
		const char *b = value + 7;
		size_t len = strlen(b);

		if (len == 44 && b[43] == '=') {
			len = 43;
		}
		for (size_t i = 0; i < len; i++) {
			if (!isalnum((unsigned char)b[i]) && b[i] != '+' &&
			    b[i] != '/') {
				return fail(expectation, expected);
			}
		}
		if (len != 43) {
			return fail(expectation, expected);
		}
		return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
	}
	if (strncmp(value, "MD5:", 4) == 0) {
		hex += 4;
	}
	rc = norm_fingerprint(&md5, hex, &scratch, expectation);
	buf_release(&scratch);
	if (rc == CAIRN_EINVAL) {
		return fail(expectation, expected);
	}
	if (rc == 0 && buf_adds(out, value) < 0) {
		rc = CAIRN_ENOMEM;
	}
	return rc;
}

static int norm_json(const struct norm_rule *rule, const char *value,
		     struct buf *out, const char **expectation)
{
	json_t *doc = json_loads(value, JSON_DECODE_ANY, NULL);

	(void)rule;
	if (!doc) {
		return fail(expectation, "a JSON document");
	}
	json_decref(doc);
	return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
}

static int norm_service_name(const struct norm_rule *rule, const char *value,
			     struct buf *out, const char **expectation)
{
	(void)rule;
	if (strlen(value) > 256 || strpbrk(value, "/\\")) {
		return fail(expectation, "at most 256 characters without '/' or '\\'");
	}
	return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
}

/* anonymised values are lower-cased by MISP. */
static int norm_lower(const struct norm_rule *rule, const char *value,
		      struct buf *out, const char **expectation)
{
	(void)rule;
	(void)expectation;
	return add_lower(out, value, strlen(value));
}

/* ---- text ---- */

/* Free text: stored byte for byte. */
static int norm_text(const struct norm_rule *rule, const char *value,
		     struct buf *out, const char **expectation)
{
	(void)rule;
	(void)expectation;
	return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
}

/* One-line text (names, registry keys, identifiers): MISP rejects a line
 * break, and nothing else is changed. */
static int norm_line(const struct norm_rule *rule, const char *value,
		     struct buf *out, const char **expectation)
{
	if (strchr(value, '\n')) {
		return fail(expectation, "a value on one line");
	}
	return norm_text(rule, value, out, expectation);
}

/* Types not listed are free text (norm_text). */
static const struct norm_rule rules[] = {
	{"md5", norm_hash, 32},
	{"sha1", norm_hash, 40},
	{"sha224", norm_hash, 56},
	{"sha256", norm_hash, 64},
	{"sha384", norm_hash, 96},
	{"sha512", norm_hash, 128},
	{"sha512/224", norm_hash, 56},
	{"sha512/256", norm_hash, 64},
	{"sha3-224", norm_hash, 56},
	{"sha3-256", norm_hash, 64},
	{"sha3-384", norm_hash, 96},
	{"sha3-512", norm_hash, 128},
	{"imphash", norm_hash, 32},
	{"authentihash", norm_hash, 64},
	{"pehash", norm_hash, 40},
	{"git-commit-id", norm_hash, 40},
	{"ja3-fingerprint-md5", norm_hash, 32},
	{"jarm-fingerprint", norm_hash, 62},
	{"hassh-md5", norm_hash, 32},
	{"hasshserver-md5", norm_hash, 32},
	{"dom-hash", norm_hash, 32},
	{"x509-fingerprint-md5", norm_fingerprint, 32},
	{"x509-fingerprint-sha1", norm_fingerprint, 40},
	{"x509-fingerprint-sha256", norm_fingerprint, 64},
	{"tlsh", norm_tlsh, 0},
	{"telfhash", norm_telfhash, 0},
	{"cdhash", norm_long_hash, 40},
	{"vhash", norm_vhash, 0},
	{"ssdeep", norm_ssdeep, 0},
	{"impfuzzy", norm_ssdeep, 1},
	{"filename|md5", norm_filename_hash, 0},
	{"filename|sha1", norm_filename_hash, 0},
	{"filename|sha224", norm_filename_hash, 0},
	{"filename|sha256", norm_filename_hash, 0},
	{"filename|sha384", norm_filename_hash, 0},
	{"filename|sha512", norm_filename_hash, 0},
	{"filename|sha512/224", norm_filename_hash, 0},
	{"filename|sha512/256", norm_filename_hash, 0},
	{"filename|sha3-224", norm_filename_hash, 0},
	{"filename|sha3-256", norm_filename_hash, 0},
	{"filename|sha3-384", norm_filename_hash, 0},
	{"filename|sha3-512", norm_filename_hash, 0},
	{"filename|imphash", norm_filename_hash, 0},
	{"filename|authentihash", norm_filename_hash, 0},
	{"filename|pehash", norm_filename_hash, 0},
	{"filename|vhash", norm_filename_hash, 0},
	{"filename|tlsh", norm_filename_hash, 0},
	{"filename|ssdeep", norm_filename_hash, 0},
	{"filename|impfuzzy", norm_filename_hash, 0},
	{"ip-src", norm_ip, 0},
	{"ip-dst", norm_ip, 0},
	{"ip-src|port", norm_ip_port, 0},
	{"ip-dst|port", norm_ip_port, 0},
	{"domain", norm_domain, 0},
	{"hostname", norm_domain, 0},
	{"domain|ip", norm_domain_ip, 0},
	{"hostname|port", norm_hostname_port, 0},
	{"url", norm_url, 0},
	{"uri", norm_url, 0},
	{"link", norm_link, 0},
	{"email", norm_email, 1},
	{"email-src", norm_email, 1},
	{"email-dst", norm_email, 1},
	{"target-email", norm_email, 1},
	{"whois-registrant-email", norm_email, 1},
	{"eppn", norm_email, 0},
	{"dns-soa-email", norm_email, 0},
	{"jabber-id", norm_email, 0},
	{"AS", norm_as, 0},
	{"port", norm_port, 0},
	{"vulnerability", norm_weakness_id, 1},
	{"weakness", norm_weakness_id, 0},
	{"mac-address", norm_mac, 6},
	{"mac-eui-64", norm_mac, 8},
	{"btc", norm_alnum, 0},
	{"dash", norm_alnum, 0},
	{"xmr", norm_alnum, 0},
	{"iban", norm_bank_code, 0},
	{"bic", norm_bank_code, 0},
	{"cc-number", norm_card_number, 0},
	{"bin", norm_card_number, 0},
	{"prtn", norm_phone, 0},
	{"phone-number", norm_phone, 0},
	{"whois-registrant-phone", norm_phone, 0},
	{"float", norm_numeric, 0},
	{"bank-account-nr", norm_numeric, 0},
	{"aba-rtn", norm_numeric, 0},
	{"size-in-bytes", norm_whole, 0},
	{"counter", norm_whole, 0},
	{"integer", norm_whole, 1},
	{"boolean", norm_boolean, 0},
	{"datetime", norm_datetime, 0},
	{"hex", norm_hex, 0},
	{"http-method", norm_http_method, 0},
	{"onion-address", norm_onion, 0},
	{"uuid", norm_uuid, 0},
	{"ssh-fingerprint", norm_ssh_fingerprint, 0},
	{"cortex", norm_json, 0},
	{"windows-service-name", norm_service_name, 0},
	{"windows-service-displayname", norm_service_name, 0},
	{"anonymised", norm_lower, 0},
	/* MISP's one-line types. */
	{"target-user", norm_line, 0},
	{"campaign-name", norm_line, 0},
	{"campaign-id", norm_line, 0},
	{"threat-actor", norm_line, 0},
	{"target-machine", norm_line, 0},
	{"target-org", norm_line, 0},
	{"target-location", norm_line, 0},
	{"target-external", norm_line, 0},
	{"email-subject", norm_line, 0},
	{"malware-type", norm_line, 0},
	{"user-agent", norm_line, 0},
	{"regkey", norm_line, 0},
	{"regkey|value", norm_line, 0},
	{"filename", norm_line, 0},
	{"pdb", norm_line, 0},
	{"windows-scheduled-task", norm_line, 0},
	{"whois-registrant-name", norm_line, 0},
	{"whois-registrant-org", norm_line, 0},
	{"whois-registrar", norm_line, 0},
	{"whois-creation-date", norm_line, 0},
	{"date-of-birth", norm_line, 0},
	{"place-of-birth", norm_line, 0},
	{"gender", norm_line, 0},
	{"passport-number", norm_line, 0},
	{"passport-country", norm_line, 0},
	{"passport-expiration", norm_line, 0},
	{"redress-number", norm_line, 0},
	{"nationality", norm_line, 0},
	{"visa-number", norm_line, 0},
	{"issue-date-of-the-visa", norm_line, 0},
	{"primary-residence", norm_line, 0},
	{"country-of-residence", norm_line, 0},
	{"special-service-request", norm_line, 0},
	{"frequent-flyer-number", norm_line, 0},
	{"travel-details", norm_line, 0},
	{"payment-details", norm_line, 0},
	{"place-port-of-original-embarkation", norm_line, 0},
	{"place-port-of-clearance", norm_line, 0},
	{"place-port-of-onward-foreign-destination", norm_line, 0},
	{"passenger-name-record-locator-number", norm_line, 0},
	{"email-dst-display-name", norm_line, 0},
	{"email-src-display-name", norm_line, 0},
	{"email-reply-to", norm_line, 0},
	{"email-x-mailer", norm_line, 0},
	{"email-mime-boundary", norm_line, 0},
	{"email-thread-index", norm_line, 0},
	{"email-message-id", norm_line, 0},
	{"github-username", norm_line, 0},
	{"github-repository", norm_line, 0},
	{"github-organisation", norm_line, 0},
	{"twitter-id", norm_line, 0},
	{"dkim", norm_line, 0},
	{"dkim-signature", norm_line, 0},
	{"favicon-mmh3", norm_line, 0},
	{"chrome-extension-id", norm_line, 0},
	{"mobile-application-id", norm_line, 0},
	{"azure-application-id", norm_line, 0},
	{"named pipe", norm_line, 0},
};

static const struct norm_rule text_rule = {"text", norm_text, 0};

static const struct norm_rule *rule_find(const char *type)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (strcmp(rules[i].type, type) == 0) {
			return &rules[i];
		}
	}
	return attr_type_find(type) ? &text_rule : NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

/* Writes at most QUOTE_MAX bytes of `value`, cut at a character
 * boundary, with "..." when it was cut. */
static void quote_value(struct buf *q, const char *value)
{
	size_t len = strlen(value);

	if (len <= QUOTE_MAX) {
		buf_adds(q, value);
		return;
	}
	len = QUOTE_MAX;
	while (len > 0 && ((unsigned char)value[len] & 0xc0) == 0x80) {
		len--;
	}
	buf_add(q, value, len);
	buf_adds(q, "...");
}

/* Runs `rule` on `value`, trimmed unless the rule keeps blanks. */
static int apply_rule(const struct norm_rule *rule, const char *value,
		      struct buf *out, const char **expectation)
{
	struct buf trimmed = BUF_INIT;
	const char *start = value;
	size_t len;
	int rc;

	if (rule->fn != norm_text && rule->fn != norm_line) {
		while (is_blank(*start)) {
			start++;
		}
		len = strlen(start);
		while (len > 0 && is_blank(start[len - 1])) {
			len--;
		}
		if (buf_add(&trimmed, start, len) < 0) {
			return CAIRN_ENOMEM;
		}
		start = buf_str(&trimmed);
	}
	rc = *start ? rule->fn(rule, start, out, expectation)
		    : (*expectation = "a non-empty value", CAIRN_EINVAL);
	buf_release(&trimmed);
	return rc;
}

int normalize_value(const char *type, const char *value, struct buf *out,
		    struct cairn_err *e)
{
	const struct norm_rule *rule = rule_find(type);
	const char *expectation = "a valid value";
	struct buf q = BUF_INIT;
	int rc;

	buf_clear(out);
	if (!rule) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "'%s' is not a MISP attribute type", type);
	}
	rc = apply_rule(rule, value, out, &expectation);
	if (rc == CAIRN_EINVAL) {
		quote_value(&q, value);
		cairn_err_set(e, CAIRN_EINVAL,
			      "'%s' is not a valid %s value: expected %s",
			      buf_str(&q), type, expectation);
		buf_release(&q);
		buf_clear(out);
	}
	return rc;
}

/* Whether an earlier row of `rules` has the same function and argument,
 * and so gives every value the same form. */
static bool rule_repeats(size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (rules[j].fn == rules[i].fn && rules[j].arg == rules[i].arg) {
			return true;
		}
	}
	return false;
}

int normalize_forms(const char *value,
		    int (*fn)(void *ctx, const char *form), void *ctx)
{
	struct buf form = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; rc >= 0 && i < sizeof(rules) / sizeof(rules[0]);
	     i++) {
		const char *expectation = NULL;

		if (rule_repeats(i)) {
			continue;
		}
		buf_clear(&form);
		rc = apply_rule(&rules[i], value, &form, &expectation);
		if (rc == 0 && strcmp(buf_str(&form), value) != 0) {
			rc = fn(ctx, buf_str(&form));
		} else if (rc == CAIRN_EINVAL) {
			rc = 0;
		}
	}
	buf_release(&form);
	return rc < 0 ? rc : 0;
}

/* Records an error on field `i` of the attribute at `pointer`. */
static int field_error(struct record *rec, int i, const char *pointer,
		       const struct cairn_err *detail, struct cairn_err *e)
{
	const char *name = rec->model->fields[i].name;
	struct buf at = BUF_INIT;

	buf_printf(&at, "%s/%s", pointer, name);
	cairn_err_set(e, CAIRN_EINVAL, "invalid '%s' at %s: %s", name,
		      buf_str(&at), buf_str(&detail->message));
	cairn_err_at(e, buf_str(&at), name);
	buf_release(&at);
	return CAIRN_EINVAL;
}

/* Normalises first_seen or last_seen when set; an empty string is null,
 * as MISP reads it. */
static int normalize_seen_field(struct record *rec, int i,
				const char *pointer, int64_t *usec,
				bool *present, struct cairn_err *e)
{
	struct cairn_err detail = CAIRN_ERR_INIT;
	struct buf out = BUF_INIT;
	const char *s = record_text(rec, i, NULL);
	int rc;

	*present = false;
	if (!rec->v[i].set || rec->v[i].null || !s) {
		return 0;
	}
	if (!*s) {
		record_set_null(rec, i);
		return 0;
	}
	rc = normalize_seen(s, &out, usec, &detail);
	if (rc == CAIRN_EINVAL) {
		rc = field_error(rec, i, pointer, &detail, e);
	} else if (rc == 0) {
		*present = true;
		rc = strcmp(s, buf_str(&out)) == 0
			     ? 0
			     : record_set_text(rec, i, buf_str(&out));
	}
	cairn_err_release(&detail);
	buf_release(&out);
	return rc;
}

int normalize_attribute(struct record *rec, const char *pointer,
			bool *changed, struct cairn_err *e)
{
	const char *type = record_text(rec, ATTR_TYPE, NULL);
	const char *value = record_text(rec, ATTR_VALUE, NULL);
	struct cairn_err detail = CAIRN_ERR_INIT;
	struct buf out = BUF_INIT;
	int64_t first = 0, last = 0;
	bool has_first, has_last;
	int rc = 0;

	if (changed) {
		*changed = false;
	}
	if (type && value && rec->v[ATTR_VALUE].set) {
		rc = normalize_value(type, value, &out, &detail);
		if (rc == CAIRN_EINVAL) {
			rc = field_error(rec, ATTR_VALUE, pointer, &detail, e);
		} else if (rc == 0 && strcmp(value, buf_str(&out)) != 0) {
			rc = record_set_text(rec, ATTR_VALUE, buf_str(&out));
			if (changed) {
				*changed = true;
			}
		}
	}
	if (rc == 0) {
		rc = normalize_seen_field(rec, ATTR_FIRST_SEEN, pointer, &first,
					  &has_first, e);
	}
	if (rc == 0) {
		rc = normalize_seen_field(rec, ATTR_LAST_SEEN, pointer, &last,
					  &has_last, e);
	}
	if (rc == 0 && has_first && has_last && last < first) {
		cairn_err_clear(&detail);
		cairn_err_set(&detail, CAIRN_EINVAL,
			      "last_seen %s is before first_seen %s",
			      record_text(rec, ATTR_LAST_SEEN, ""),
			      record_text(rec, ATTR_FIRST_SEEN, ""));
		rc = field_error(rec, ATTR_LAST_SEEN, pointer, &detail, e);
	}
	cairn_err_release(&detail);
	buf_release(&out);
	return rc;
}
