/*
 * Observed-data of the stix2 writer: an attribute without to_ids is an
 * observation, not an indicator, so misp-stix writes it as observed-data
 * that refers to a cyber observable (an SCO) holding the value.  Both
 * objects carry the attribute's UUID in their ids.
 *
 * Only the observables whose schema the value can always satisfy are
 * written: domain names, addresses, file names and MD5/SHA-1/SHA-256/
 * SHA-512 hashes, mutexes, MAC addresses and AS numbers.  A value that
 * does not fit its observable (a hash of the wrong length, a domain with
 * a space) is left out, and so are the other types.  Registry keys are
 * left out because the schema rejects MISP's short hive names (HKLM).
 */
#include "core/cidr.h"
#include "export/format_stix2.h"
#include "export/format_util.h"
#include "model/misp.h"

#include <string.h>
#include <sys/socket.h>

enum sco_kind {
	SCO_TEXT,      /* `property` is the whole value */
	SCO_DOMAIN,    /* a DNS name */
	SCO_ADDRESS,   /* ipv4-addr or ipv6-addr, by address family */
	SCO_HASH,      /* file or certificate hashes: {`hash`: value} */
	SCO_FILE_HASH, /* file name and hash */
	SCO_MAC,       /* a MAC address, lower-case and colon-separated */
	SCO_NUMBER,    /* an AS number, with or without "AS" */
};

struct sco_type {
	const char *misp;
	enum sco_kind kind;
	const char *sco;      /* the SCO type */
	const char *property; /* the property that holds the value */
	const char *hash;     /* the hash algorithm, for the hash kinds */
};

static const struct sco_type sco_types[] = {
    {"domain", SCO_DOMAIN, "domain-name", "value", NULL},
    {"hostname", SCO_DOMAIN, "domain-name", "value", NULL},
    {"ip-src", SCO_ADDRESS, NULL, "value", NULL},
    {"ip-dst", SCO_ADDRESS, NULL, "value", NULL},
    {"filename", SCO_TEXT, "file", "name", NULL},
    {"mutex", SCO_TEXT, "mutex", "name", NULL},
    {"md5", SCO_HASH, "file", NULL, "MD5"},
    {"sha1", SCO_HASH, "file", NULL, "SHA-1"},
    {"sha256", SCO_HASH, "file", NULL, "SHA-256"},
    {"sha512", SCO_HASH, "file", NULL, "SHA-512"},
    {"filename|md5", SCO_FILE_HASH, "file", "name", "MD5"},
    {"filename|sha1", SCO_FILE_HASH, "file", "name", "SHA-1"},
    {"filename|sha256", SCO_FILE_HASH, "file", "name", "SHA-256"},
    {"filename|sha512", SCO_FILE_HASH, "file", "name", "SHA-512"},
    {"malware-sample", SCO_FILE_HASH, "file", "name", "MD5"},
    {"x509-fingerprint-md5", SCO_HASH, "x509-certificate", NULL, "MD5"},
    {"x509-fingerprint-sha1", SCO_HASH, "x509-certificate", NULL, "SHA-1"},
    {"x509-fingerprint-sha256", SCO_HASH, "x509-certificate", NULL, "SHA-256"},
    {"mac-address", SCO_MAC, "mac-addr", "value", NULL},
    {"AS", SCO_NUMBER, "autonomous-system", "number", NULL},
};

static const struct sco_type *find_sco_type(const char *type)
{
	for (size_t i = 0; i < sizeof(sco_types) / sizeof(*sco_types); i++) {
		if (strcmp(type, sco_types[i].misp) == 0) {
			return &sco_types[i];
		}
	}
	return NULL;
}

/* Returns whether `v` is the hex digest the STIX hashes schema demands
 * for `algorithm`. */
static bool is_digest(const char *algorithm, struct span v)
{
	static const struct {
		const char *name;
		size_t len;
	} lengths[] = {
	    {"MD5", 32}, {"SHA-1", 40}, {"SHA-256", 64}, {"SHA-512", 128}};

	for (size_t i = 0; i < sizeof(lengths) / sizeof(*lengths); i++) {
		if (strcmp(algorithm, lengths[i].name) == 0) {
			return v.len == lengths[i].len &&
			       strspn(v.s, "0123456789abcdefABCDEF") >= v.len;
		}
	}
	return false;
}

static bool is_mac(struct span v)
{
	if (v.len != 17) {
		return false;
	}
	for (size_t i = 0; i < 17; i++) {
		bool colon = i % 3 == 2;

		if (colon ? v.s[i] != ':'
			  : !strchr("0123456789abcdef", v.s[i]) || !v.s[i]) {
			return false;
		}
	}
	return true;
}

/* Returns the digits of an AS number ("AS64500" or "64500"), or an empty
 * span when `v` is none. */
static struct span as_number(struct span v)
{
	if (v.len > 2 && strncasecmp(v.s, "AS", 2) == 0) {
		v = (struct span){v.s + 2, v.len - 2};
	}
	if (v.len == 0 || v.len > 10 || strspn(v.s, "0123456789") < v.len) {
		return (struct span){v.s, 0};
	}
	return v;
}

/* Returns the SCO type for the value, or NULL when the value does not
 * fit the observable of its MISP type. */
static const char *check_value(struct stix2_state *st, const struct sco_type *t,
			       const struct span *parts, size_t n)
{
	struct cidr c;

	switch (t->kind) {
	case SCO_DOMAIN:
		return export_is_dns_name(parts[0].s, parts[0].len) ? t->sco
								    : NULL;
	case SCO_ADDRESS:
		buf_clear(&st->text);
		if (parts[0].len == 0 ||
		    buf_add(&st->text, parts[0].s, parts[0].len) < 0 ||
		    cidr_parse(buf_str(&st->text), &c) < 0) {
			return NULL;
		}
		return c.family == AF_INET ? "ipv4-addr" : "ipv6-addr";
	case SCO_HASH:
		return is_digest(t->hash, parts[0]) ? t->sco : NULL;
	case SCO_FILE_HASH:
		return n == 2 && parts[0].len > 0 &&
			       is_digest(t->hash, parts[1])
			   ? t->sco
			   : NULL;
	case SCO_MAC:
		return is_mac(parts[0]) ? t->sco : NULL;
	case SCO_NUMBER:
		return as_number(parts[0]).len > 0 ? t->sco : NULL;
	default:
		return parts[0].len > 0 ? t->sco : NULL;
	}
}

static int write_string_property(struct buf *out, const char *name,
				 struct span v)
{
	int rc = buf_printf(out, ",\"%s\":", name);

	return rc ? rc : export_json_string(out, v.s, v.len);
}

/* Writes the properties of the SCO after its id. */
static int write_sco_value(struct buf *out, const struct sco_type *t,
			   const struct span *parts)
{
	struct span number;
	int rc;

	switch (t->kind) {
	case SCO_HASH:
		return buf_printf(out, ",\"hashes\":{\"%s\":\"%.*s\"}", t->hash,
				  (int)parts[0].len, parts[0].s);
	case SCO_FILE_HASH:
		rc = write_string_property(out, t->property, parts[0]);
		return rc ? rc
			  : buf_printf(out, ",\"hashes\":{\"%s\":\"%.*s\"}",
				       t->hash, (int)parts[1].len, parts[1].s);
	case SCO_NUMBER:
		number = as_number(parts[0]);
		return buf_printf(out, ",\"number\":%.*s", (int)number.len,
				  number.s);
	default:
		return write_string_property(out, t->property, parts[0]);
	}
}

int stix2_write_observed(struct stix2_state *st, struct buf *out,
			 const struct export_item *it)
{
	const char *type = export_attr_text(it, ATTR_TYPE);
	const char *uuid = export_attr_text(it, ATTR_UUID);
	const struct sco_type *t = find_sco_type(type);
	int64_t ts = export_attr_int(it, ATTR_TIMESTAMP);
	struct span parts[2];
	const char *sco;
	size_t n;
	int rc;

	if (!t) {
		return 0;
	}
	n = export_value_parts(type, export_attr_text(it, ATTR_VALUE), parts);
	if (!(sco = check_value(st, t, parts, n))) {
		return 0;
	}
	rc =
	    buf_printf(out,
		       "%s{\"type\":\"observed-data\",\"spec_version\":\"2.1\","
		       "\"id\":\"observed-data--%s\"",
		       st->nobjects > 0 ? "," : "", uuid);
	if (rc == 0 && st->has_identity) {
		rc = buf_printf(out, ",\"created_by_ref\":\"identity--%s\"",
				st->identity);
	}
	rc = rc ? rc : stix2_key_time(out, "created", ts);
	rc = rc ? rc : stix2_key_time(out, "modified", ts);
	rc = rc ? rc : stix2_key_time(out, "first_observed", ts);
	rc = rc ? rc : stix2_key_time(out, "last_observed", ts);
	rc = rc ? rc
		: buf_printf(out,
			     ",\"number_observed\":1,\"object_refs\":"
			     "[\"%s--%s\"]",
			     sco, uuid);
	rc = rc ? rc : stix2_write_labels(st, out, it);
	rc = rc ? rc
		: buf_printf(out,
			     "},{\"type\":\"%s\",\"spec_version\":\"2.1\","
			     "\"id\":\"%s--%s\"",
			     sco, sco, uuid);
	rc = rc ? rc : write_sco_value(out, t, parts);
	st->nobjects += 2;
	return rc ? rc : buf_addc(out, '}');
}
