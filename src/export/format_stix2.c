/*
 * The stix2 format: a STIX 2.1 bundle, streamed: begin() opens the bundle
 * and its object list, each attribute adds one object, end() closes both.
 *
 * An attribute with to_ids set and a type that has a STIX pattern becomes
 * an indicator whose id carries the attribute's UUID, labelled with its
 * MISP type, category and to_ids as misp-stix labels them.  Pattern
 * literals escape \ and ', a composite value ("a|b") becomes an AND of
 * its parts on one object type, and an address or CIDR range is typed
 * ipv4-addr or ipv6-addr by its address family.  When the instance has
 * a UUID, an identity for it opens the bundle and every indicator names
 * it as its creator.  An attribute without to_ids becomes observed-data
 * instead (format_stix2_observed.c).
 */
#include "core/cidr.h"
#include "core/util.h"
#include "export/format_stix2.h"
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/codec.h"
#include "model/misp.h"

#include <string.h>
#include <sys/socket.h>

enum pattern_kind {
	PAT_VALUE,	  /* "<path> = '<value>'" on the whole value */
	PAT_IP,		  /* network-traffic ref typed by address family */
	PAT_IP_PORT,	  /* the same and a port */
	PAT_HOST_PORT,	  /* network-traffic to a domain name and a port */
	PAT_DOMAIN_IP,	  /* a domain name resolving to an address */
	PAT_FILE_HASH,	  /* file name and hash */
	PAT_REGKEY_VALUE, /* registry key and value data */
	PAT_AS,		  /* autonomous-system number */
};

struct pattern_type {
	const char *type;
	enum pattern_kind kind;
	const char *path; /* the object path, or for PAT_IP* "src"/"dst" */
};

static const struct pattern_type pattern_types[] = {
    {"ip-src", PAT_IP, "src"},
    {"ip-dst", PAT_IP, "dst"},
    {"ip-src|port", PAT_IP_PORT, "src"},
    {"ip-dst|port", PAT_IP_PORT, "dst"},
    {"hostname|port", PAT_HOST_PORT, NULL},
    {"domain|ip", PAT_DOMAIN_IP, NULL},
    {"domain", PAT_VALUE, "domain-name:value"},
    {"hostname", PAT_VALUE, "domain-name:value"},
    {"url", PAT_VALUE, "url:value"},
    {"uri", PAT_VALUE, "url:value"},
    {"link", PAT_VALUE, "url:value"},
    {"email", PAT_VALUE, "email-addr:value"},
    {"email-src", PAT_VALUE, "email-message:from_ref.value"},
    {"email-dst", PAT_VALUE, "email-message:to_refs[*].value"},
    {"email-subject", PAT_VALUE, "email-message:subject"},
    {"email-reply-to", PAT_VALUE,
     "email-message:additional_header_fields.reply_to"},
    {"filename", PAT_VALUE, "file:name"},
    {"md5", PAT_VALUE, "file:hashes.MD5"},
    {"sha1", PAT_VALUE, "file:hashes.'SHA-1'"},
    {"sha224", PAT_VALUE, "file:hashes.'SHA-224'"},
    {"sha256", PAT_VALUE, "file:hashes.'SHA-256'"},
    {"sha384", PAT_VALUE, "file:hashes.'SHA-384'"},
    {"sha512", PAT_VALUE, "file:hashes.'SHA-512'"},
    {"sha3-256", PAT_VALUE, "file:hashes.'SHA3-256'"},
    {"sha3-512", PAT_VALUE, "file:hashes.'SHA3-512'"},
    {"ssdeep", PAT_VALUE, "file:hashes.SSDEEP"},
    {"tlsh", PAT_VALUE, "file:hashes.TLSH"},
    {"filename|md5", PAT_FILE_HASH, "file:hashes.MD5"},
    {"malware-sample", PAT_FILE_HASH, "file:hashes.MD5"},
    {"filename|sha1", PAT_FILE_HASH, "file:hashes.'SHA-1'"},
    {"filename|sha224", PAT_FILE_HASH, "file:hashes.'SHA-224'"},
    {"filename|sha256", PAT_FILE_HASH, "file:hashes.'SHA-256'"},
    {"filename|sha384", PAT_FILE_HASH, "file:hashes.'SHA-384'"},
    {"filename|sha512", PAT_FILE_HASH, "file:hashes.'SHA-512'"},
    {"filename|sha3-256", PAT_FILE_HASH, "file:hashes.'SHA3-256'"},
    {"filename|sha3-512", PAT_FILE_HASH, "file:hashes.'SHA3-512'"},
    {"filename|ssdeep", PAT_FILE_HASH, "file:hashes.SSDEEP"},
    {"filename|tlsh", PAT_FILE_HASH, "file:hashes.TLSH"},
    {"x509-fingerprint-md5", PAT_VALUE, "x509-certificate:hashes.MD5"},
    {"x509-fingerprint-sha1", PAT_VALUE, "x509-certificate:hashes.'SHA-1'"},
    {"x509-fingerprint-sha256", PAT_VALUE, "x509-certificate:hashes.'SHA-256'"},
    {"mutex", PAT_VALUE, "mutex:name"},
    {"regkey", PAT_VALUE, "windows-registry-key:key"},
    {"regkey|value", PAT_REGKEY_VALUE, NULL},
    {"mac-address", PAT_VALUE, "mac-addr:value"},
    {"AS", PAT_AS, NULL},
    {"user-agent", PAT_VALUE,
     "network-traffic:extensions.'http-request-ext'.request_header."
     "'User-Agent'"},
};

/* Appends "path = 'v'" with \ and ' escaped in the literal. */
static int compare_text(struct buf *b, const char *path, struct span v)
{
	int rc = buf_printf(b, "%s = '", path);

	for (size_t i = 0; rc == 0 && i < v.len; i++) {
		if (v.s[i] == '\\' || v.s[i] == '\'') {
			rc = buf_addc(b, '\\');
		}
		if (rc == 0) {
			rc = buf_addc(b, v.s[i]);
		}
	}
	return rc == 0 ? buf_addc(b, '\'') : rc;
}

/* Returns "ipv4-addr" or "ipv6-addr" for an address or CIDR range, or
 * NULL for anything else. */
static const char *address_type(struct stix2_state *st, struct span v)
{
	struct cidr c;

	buf_clear(&st->text);
	if (v.len == 0 || buf_add(&st->text, v.s, v.len) < 0 ||
	    cidr_parse(buf_str(&st->text), &c) < 0) {
		return NULL;
	}
	return c.family == AF_INET ? "ipv4-addr" : "ipv6-addr";
}

/* Appends the comparisons of a network-traffic reference `ref` ("src" or
 * "dst") to an object of type `type` with value `v`. */
static int compare_ref(struct buf *b, const char *ref, const char *type,
		       struct span v)
{
	int rc =
	    buf_printf(b, "network-traffic:%s_ref.type = '%s' AND ", ref, type);

	if (rc == 0) {
		rc = buf_printf(b, "network-traffic:%s_ref.value", ref);
	}
	if (rc == 0) {
		/* the path is written above, so only " = '...'" follows */
		rc = compare_text(b, "", v);
	}
	return rc;
}

static int compare_port(struct buf *b, const char *ref, struct span port)
{
	if (!export_is_port(port.s, port.len)) {
		return CAIRN_EINVAL;
	}
	return buf_printf(b, " AND network-traffic:%s_port = %.*s", ref,
			  (int)port.len, port.s);
}

/* Builds the pattern of a value into st->pattern.  Returns 0, or
 * CAIRN_EINVAL when the value does not fit its type's pattern. */
static int build_pattern(struct stix2_state *st, const struct pattern_type *t,
			 const struct span *p, size_t n)
{
	struct buf *b = &st->pattern;
	const char *family;
	int rc;

	buf_clear(b);
	rc = buf_addc(b, '[');
	switch (t->kind) {
	case PAT_VALUE:
		rc = rc ? rc : compare_text(b, t->path, p[0]);
		break;
	case PAT_IP:
	case PAT_IP_PORT:
		if (!(family = address_type(st, p[0])) ||
		    (t->kind == PAT_IP_PORT && n != 2)) {
			return CAIRN_EINVAL;
		}
		rc = rc ? rc : compare_ref(b, t->path, family, p[0]);
		if (rc == 0 && t->kind == PAT_IP_PORT) {
			rc = compare_port(b, t->path, p[1]);
		}
		break;
	case PAT_HOST_PORT:
		if (n != 2) {
			return CAIRN_EINVAL;
		}
		rc = rc ? rc : compare_ref(b, "dst", "domain-name", p[0]);
		rc = rc ? rc : compare_port(b, "dst", p[1]);
		break;
	case PAT_DOMAIN_IP:
		if (n != 2 || !address_type(st, p[1])) {
			return CAIRN_EINVAL;
		}
		rc = rc ? rc : compare_text(b, "domain-name:value", p[0]);
		rc = rc ? rc : buf_adds(b, " AND ");
		rc = rc ? rc
			: compare_text(
			      b, "domain-name:resolves_to_refs[*].value", p[1]);
		break;
	case PAT_FILE_HASH:
		if (n != 2) {
			return CAIRN_EINVAL;
		}
		rc = rc ? rc : compare_text(b, "file:name", p[0]);
		rc = rc ? rc : buf_adds(b, " AND ");
		rc = rc ? rc : compare_text(b, t->path, p[1]);
		break;
	case PAT_REGKEY_VALUE:
		if (n != 2) {
			return CAIRN_EINVAL;
		}
		rc =
		    rc ? rc : compare_text(b, "windows-registry-key:key", p[0]);
		rc = rc ? rc : buf_adds(b, " AND ");
		rc = rc ? rc
			: compare_text(b, "windows-registry-key:values[*].data",
				       p[1]);
		break;
	case PAT_AS: {
		struct span num = p[0];

		if (num.len > 2 && strncasecmp(num.s, "AS", 2) == 0) {
			num = (struct span){num.s + 2, num.len - 2};
		}
		if (num.len == 0 || num.len > 10 ||
		    strspn(num.s, "0123456789") < num.len) {
			return CAIRN_EINVAL;
		}
		rc = rc ? rc
			: buf_printf(b, "autonomous-system:number = %.*s",
				     (int)num.len, num.s);
		break;
	}
	}
	return rc == 0 ? buf_addc(b, ']') : rc;
}

int stix2_key_string(struct buf *out, const char *key, const char *value)
{
	int rc = buf_printf(out, ",\"%s\":", key);

	return rc == 0 ? export_json_string(out, value, strlen(value)) : rc;
}

int stix2_key_time(struct buf *out, const char *key, int64_t t)
{
	int rc = buf_printf(out, ",\"%s\":\"", key);

	rc = rc ? rc : export_rfc3339(out, t);
	return rc ? rc : buf_addc(out, '"');
}

static int write_identity(struct stix2_state *st,
			  const struct export_options *o, struct buf *out)
{
	int rc = buf_printf(out,
			    "{\"type\":\"identity\",\"spec_version\":"
			    "\"2.1\",\"id\":\"identity--%s\"",
			    st->identity);

	rc = rc ? rc : stix2_key_time(out, "created", o->now);
	rc = rc ? rc : stix2_key_time(out, "modified", o->now);
	rc = rc ? rc
		: stix2_key_string(out, "name",
				   o->base_url && *o->base_url ? o->base_url
							       : "Cairn");
	return rc ? rc : buf_adds(out, ",\"identity_class\":\"system\"}");
}

static int stix2_begin(void *state, const struct export_options *o,
		       struct buf *out, struct cairn_err *e)
{
	struct stix2_state *st = state;
	char bundle[UUID_TEXT_SIZE];
	int rc;

	(void)e;
	uuid_generate(bundle);
	rc = buf_printf(out,
			"{\"type\":\"bundle\",\"id\":\"bundle--%s\","
			"\"objects\":[",
			bundle);
	if (rc == 0 && o->instance_uuid && codec_is_uuid(o->instance_uuid)) {
		for (size_t i = 0; i + 1 < UUID_TEXT_SIZE; i++) {
			char c = o->instance_uuid[i];

			st->identity[i] =
			    c >= 'A' && c <= 'F' ? (char)(c + 32) : c;
		}
		st->has_identity = true;
		st->nobjects++;
		rc = write_identity(st, o, out);
	}
	return rc;
}

static const struct pattern_type *find_pattern_type(const char *type)
{
	for (size_t i = 0; i < sizeof(pattern_types) / sizeof(*pattern_types);
	     i++) {
		if (strcmp(type, pattern_types[i].type) == 0) {
			return &pattern_types[i];
		}
	}
	return NULL;
}

/* Writes a misp-stix label such as misp:type="ip-dst". */
static int write_label(struct stix2_state *st, struct buf *out,
		       const char *name, const char *value, bool first)
{
	buf_clear(&st->text);
	if (buf_printf(&st->text, "misp:%s=\"%s\"", name, value) < 0) {
		return CAIRN_ENOMEM;
	}
	if (!first && buf_addc(out, ',') < 0) {
		return CAIRN_ENOMEM;
	}
	return export_json_string(out, st->text.data, st->text.len);
}

int stix2_write_labels(struct stix2_state *st, struct buf *out,
		       const struct export_item *it)
{
	int rc = buf_adds(out, ",\"labels\":[");

	rc = rc ? rc
		: write_label(st, out, "type", export_attr_text(it, ATTR_TYPE),
			      true);
	rc = rc ? rc
		: write_label(st, out, "category",
			      export_attr_text(it, ATTR_CATEGORY), false);
	rc = rc ? rc
		: write_label(st, out, "to_ids",
			      export_attr_int(it, ATTR_TO_IDS) ? "True"
							       : "False",
			      false);
	return rc ? rc : buf_addc(out, ']');
}

static int write_indicator(struct stix2_state *st, struct buf *out,
			   const struct export_item *it)
{
	int64_t ts = export_attr_int(it, ATTR_TIMESTAMP);
	const char *comment = export_attr_text(it, ATTR_COMMENT);
	int rc = buf_printf(out,
			    "%s{\"type\":\"indicator\",\"spec_version\":"
			    "\"2.1\",\"id\":\"indicator--%s\"",
			    st->nobjects > 0 ? "," : "",
			    export_attr_text(it, ATTR_UUID));

	if (rc == 0 && st->has_identity) {
		rc = buf_printf(out, ",\"created_by_ref\":\"identity--%s\"",
				st->identity);
	}
	rc = rc ? rc : stix2_key_time(out, "created", ts);
	rc = rc ? rc : stix2_key_time(out, "modified", ts);
	if (rc == 0 && *comment) {
		rc = stix2_key_string(out, "description", comment);
	}
	rc = rc ? rc : stix2_key_string(out, "pattern", buf_str(&st->pattern));
	rc = rc ? rc
		: buf_adds(out, ",\"pattern_type\":\"stix\","
				"\"pattern_version\":\"2.1\"");
	rc = rc ? rc : stix2_key_time(out, "valid_from", ts);
	rc = rc ? rc
		: buf_adds(out, ",\"kill_chain_phases\":[{\"kill_chain_name\":"
				"\"misp-category\",\"phase_name\":");
	rc = rc ? rc
		: export_json_string(
		      out, export_attr_text(it, ATTR_CATEGORY),
		      strlen(export_attr_text(it, ATTR_CATEGORY)));
	rc = rc ? rc : buf_adds(out, "}]");
	rc = rc ? rc : stix2_write_labels(st, out, it);
	st->nobjects++;
	return rc ? rc : buf_addc(out, '}');
}

static int stix2_item(void *state, const struct export_item *it,
		      struct buf *out, struct cairn_err *e)
{
	struct stix2_state *st = state;
	const char *type = export_attr_text(it, ATTR_TYPE);
	const struct pattern_type *t = find_pattern_type(type);
	struct span parts[2];
	size_t n;
	int rc;

	(void)e;
	if (!codec_is_uuid(export_attr_text(it, ATTR_UUID))) {
		return 0;
	}
	if (!export_attr_int(it, ATTR_TO_IDS)) {
		return stix2_write_observed(st, out, it);
	}
	if (!t) {
		return 0;
	}
	n = export_value_parts(type, export_attr_text(it, ATTR_VALUE), parts);
	rc = build_pattern(st, t, parts, n);
	if (rc == CAIRN_EINVAL) {
		return 0;
	}
	return rc ? rc : write_indicator(st, out, it);
}

static int stix2_end(void *state, struct buf *out, struct cairn_err *e)
{
	(void)state;
	(void)e;
	return buf_adds(out, "]}\n");
}

static void stix2_release(void *state)
{
	struct stix2_state *st = state;

	buf_release(&st->pattern);
	buf_release(&st->text);
}

const struct export_format export_format_stix2 = {
    .name = "stix2",
    .content_type = "application/json; charset=UTF-8",
    .ids_published_default = false,
    .state_size = sizeof(struct stix2_state),
    .begin = stix2_begin,
    .item = stix2_item,
    .end = stix2_end,
    .release = stix2_release,
};
