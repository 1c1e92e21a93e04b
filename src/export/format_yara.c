/*
 * The yara format: one rule per attribute, as MISP's YARA export
 * generates them from attributes of other types ("MISP_ATTRIBUTE_<uuid>"
 * tagged generated, with MISP's meta fields): hash attributes become a
 * hash or pe module condition, text-like attributes an ascii wide string
 * (both parts of domain|ip and regkey|value, the address or host of a
 * value with a port).  Types without a YARA form are left out.
 *
 * Strings escape \ " and control bytes (\n, \t, \r, \xNN) and keep
 * UTF-8 text as it is.  Hash values must be hex, and hex strings pairs
 * of hex digits or ?, so that every rule compiles.  MISP also passes
 * yara attributes through after repairing them with a YARA parser; Cairn
 * leaves them out, because it cannot check that they compile.
 */
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/misp.h"

#include <string.h>

/* YARA 4 reads a string literal into an 8 KiB buffer (YR_LEX_BUF_SIZE)
 * and rejects the rule past it, so longer values are left out and longer
 * meta text is cut, at a UTF-8 character boundary. */
#define YARA_MAX_TEXT 4096

enum yara_kind {
	YARA_STRING, /* the first part as a text string */
	YARA_BOTH,   /* both parts as text strings */
	YARA_HEX,    /* the value as a hex string */
	YARA_MD5,    /* hash.md5 of the file equals the last part */
	YARA_SHA1,
	YARA_SHA256,
	YARA_IMPHASH, /* pe.imphash() equals the last part */
};

static const struct {
	const char *type;
	enum yara_kind kind;
} yara_types[] = {
    {"md5", YARA_MD5},
    {"sha1", YARA_SHA1},
    {"sha256", YARA_SHA256},
    {"filename|md5", YARA_MD5},
    {"filename|sha1", YARA_SHA1},
    {"filename|sha256", YARA_SHA256},
    {"imphash", YARA_IMPHASH},
    {"filename|imphash", YARA_IMPHASH},
    {"hex", YARA_HEX},
    {"domain|ip", YARA_BOTH},
    {"regkey|value", YARA_BOTH},
    {"ip-src", YARA_STRING},
    {"ip-dst", YARA_STRING},
    {"ip-src|port", YARA_STRING},
    {"ip-dst|port", YARA_STRING},
    {"hostname", YARA_STRING},
    {"hostname|port", YARA_STRING},
    {"domain", YARA_STRING},
    {"email-src", YARA_STRING},
    {"email-dst", YARA_STRING},
    {"email-subject", YARA_STRING},
    {"email-body", YARA_STRING},
    {"email-dst-display-name", YARA_STRING},
    {"email-src-display-name", YARA_STRING},
    {"email-header", YARA_STRING},
    {"email-reply-to", YARA_STRING},
    {"email-x-mailer", YARA_STRING},
    {"email-mime-boundary", YARA_STRING},
    {"email-thread-index", YARA_STRING},
    {"email-message-id", YARA_STRING},
    {"url", YARA_STRING},
    {"uri", YARA_STRING},
    {"regkey", YARA_STRING},
    {"pattern-in-file", YARA_STRING},
    {"pattern-in-traffic", YARA_STRING},
    {"pattern-in-memory", YARA_STRING},
    {"cookie", YARA_STRING},
    {"vulnerability", YARA_STRING},
    {"text", YARA_STRING},
    {"named pipe", YARA_STRING},
    {"mutex", YARA_STRING},
    {"btc", YARA_STRING},
    {"xmr", YARA_STRING},
    {"windows-scheduled-task", YARA_STRING},
    {"windows-service-name", YARA_STRING},
    {"windows-service-displayname", YARA_STRING},
    {"github-username", YARA_STRING},
    {"github-repository", YARA_STRING},
    {"github-organisation", YARA_STRING},
    {"mobile-application-id", YARA_STRING},
    {"user-agent", YARA_STRING},
};

static int yara_begin(void *state, const struct export_options *o,
		      struct buf *out, struct cairn_err *e)
{
	(void)state;
	(void)o;
	(void)e;
	return buf_adds(out, "import \"hash\"\nimport \"pe\"\n");
}

static int add_yara_escaped(struct buf *out, struct span v)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < v.len; i++) {
		unsigned char c = (unsigned char)v.s[i];

		switch (c) {
		case '\\':
			rc = buf_adds(out, "\\\\");
			break;
		case '"':
			rc = buf_adds(out, "\\\"");
			break;
		case '\n':
			rc = buf_adds(out, "\\n");
			break;
		case '\t':
			rc = buf_adds(out, "\\t");
			break;
		case '\r':
			rc = buf_adds(out, "\\r");
			break;
		default:
			rc = c < 0x20 || c == 0x7f
				 ? buf_printf(out, "\\x%02x", c)
				 : buf_addc(out, (char)c);
		}
	}
	return rc;
}

static int add_yara_text(struct buf *out, struct span v)
{
	int rc = buf_addc(out, '"');

	if (rc == 0) {
		rc = add_yara_escaped(out, v);
	}
	return rc == 0 ? buf_addc(out, '"') : rc;
}

static bool is_hex(struct span v, size_t want)
{
	if (v.len == 0 || (want && v.len != want)) {
		return false;
	}
	for (size_t i = 0; i < v.len; i++) {
		if (!strchr("0123456789abcdefABCDEF", v.s[i]) || !v.s[i]) {
			return false;
		}
	}
	return true;
}

/* Returns whether `v` is a hex string YARA accepts: pairs of hex digits
 * or '?' wildcards, spaces between them allowed. */
static bool is_hex_string(struct span v)
{
	size_t digits = 0;

	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] == ' ') {
			continue;
		}
		if (!v.s[i] || !strchr("0123456789abcdefABCDEF?", v.s[i])) {
			return false;
		}
		digits++;
	}
	return digits > 0 && digits % 2 == 0;
}

static int write_meta(struct buf *out, const char *key, struct span v)
{
	int rc = buf_printf(out, "\t\t%s = ", key);

	if (v.len > YARA_MAX_TEXT) {
		v.len = YARA_MAX_TEXT;
		while (v.len > 0 &&
		       ((unsigned char)v.s[v.len] & 0xc0) == 0x80) {
			v.len--;
		}
	}
	if (rc == 0) {
		rc = add_yara_text(out, v);
	}
	return rc == 0 ? buf_addc(out, '\n') : rc;
}

static int write_header(struct buf *out, const struct export_item *it)
{
	const char *uuid = export_attr_text(it, ATTR_UUID);
	const char *event_uuid = export_event_text(it, EVENT_UUID);
	int rc = buf_adds(out, "\nrule MISP_ATTRIBUTE_");

	if (rc == 0 && !*uuid) {
		rc = buf_printf(out, "ID_%lld",
				(long long)export_attr_int(it, ATTR_ID));
	}
	for (const char *p = uuid; rc == 0 && *p; p++) {
		rc = buf_addc(out, (*p >= 'a' && *p <= 'z') ||
					   (*p >= 'A' && *p <= 'Z') ||
					   (*p >= '0' && *p <= '9')
				       ? *p
				       : '_');
	}
	if (rc == 0) {
		rc = buf_adds(out, " : generated\n{\n\tmeta:\n");
	}
	if (rc == 0) {
		struct span info = {export_event_text(it, EVENT_INFO),
				    strlen(export_event_text(it, EVENT_INFO))};

		rc = write_meta(out, "MISP_EVENT_INFO", info);
	}
	if (rc == 0) {
		rc = write_meta(out, "MISP_EVENT_UUID",
				(struct span){event_uuid, strlen(event_uuid)});
	}
	if (rc == 0) {
		rc = buf_adds(out, "\t\tMISP_ORIGIN = \"Automatically "
				   "generated from non-Yara attribute(s)\"\n");
	}
	if (rc == 0) {
		rc = buf_adds(out, "\t\tMISP_UUID = \"");
	}
	if (rc == 0) {
		rc = add_yara_escaped(out, (struct span){uuid, strlen(uuid)});
	}
	if (rc == 0) {
		rc = buf_adds(out, " (");
	}
	if (rc == 0) {
		struct span type = {export_attr_text(it, ATTR_TYPE),
				    strlen(export_attr_text(it, ATTR_TYPE))};

		rc = add_yara_escaped(out, type);
	}
	return rc == 0 ? buf_adds(out, ")\"\n") : rc;
}

static int write_strings(struct buf *out, const struct span *parts, size_t n,
			 bool hex)
{
	int rc = buf_adds(out, "\tstrings:\n");

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = buf_adds(out, "\t\t$ = ");
		if (rc == 0 && hex) {
			rc = buf_printf(out, "{ %.*s }\n", (int)parts[i].len,
					parts[i].s);
		} else if (rc == 0) {
			rc = add_yara_text(out, parts[i]);
			if (rc == 0) {
				rc = buf_adds(out, " ascii wide\n");
			}
		}
	}
	return rc == 0 ? buf_adds(out, "\tcondition:\n\t\tany of them\n}\n")
		       : rc;
}

static int write_hash_condition(struct buf *out, enum yara_kind kind,
				struct span hash)
{
	static const char *const calls[] = {
	    [YARA_MD5] = "hash.md5(0, filesize)",
	    [YARA_SHA1] = "hash.sha1(0, filesize)",
	    [YARA_SHA256] = "hash.sha256(0, filesize)",
	    [YARA_IMPHASH] = "pe.imphash()",
	};

	return buf_printf(out, "\tcondition:\n\t\t%s == \"%.*s\"\n}\n",
			  calls[kind], (int)hash.len, hash.s);
}

/* Returns whether the parts of the value make a rule that compiles, and
 * narrows `parts`/`n` to what the rule uses. */
static bool usable(enum yara_kind kind, struct span *parts, size_t *n)
{
	static const size_t hash_len[] = {
	    [YARA_MD5] = 32,
	    [YARA_SHA1] = 40,
	    [YARA_SHA256] = 64,
	    [YARA_IMPHASH] = 32,
	};

	switch (kind) {
	case YARA_STRING:
		*n = 1;
		return parts[0].len > 0 && parts[0].len <= YARA_MAX_TEXT;
	case YARA_BOTH:
		return *n == 2 && parts[0].len > 0 && parts[1].len > 0 &&
		       parts[0].len <= YARA_MAX_TEXT &&
		       parts[1].len <= YARA_MAX_TEXT;
	case YARA_HEX:
		*n = 1;
		return parts[0].len <= YARA_MAX_TEXT && is_hex_string(parts[0]);
	default:
		parts[0] = parts[*n - 1];
		*n = 1;
		return is_hex(parts[0], hash_len[kind]);
	}
}

static int yara_item(void *state, const struct export_item *it, struct buf *out,
		     struct cairn_err *e)
{
	const char *type = export_attr_text(it, ATTR_TYPE);
	struct span parts[2];
	size_t n;
	int rc;

	(void)state;
	(void)e;
	for (size_t i = 0; i < sizeof(yara_types) / sizeof(*yara_types); i++) {
		enum yara_kind kind = yara_types[i].kind;

		if (strcmp(type, yara_types[i].type) != 0) {
			continue;
		}
		n = export_value_parts(type, export_attr_text(it, ATTR_VALUE),
				       parts);
		if (!usable(kind, parts, &n)) {
			return 0;
		}
		rc = write_header(out, it);
		if (rc == 0 && kind >= YARA_MD5) {
			return write_hash_condition(out, kind, parts[0]);
		}
		return rc == 0 ? write_strings(out, parts, n, kind == YARA_HEX)
			       : rc;
	}
	return 0;
}

const struct export_format export_format_yara = {
    .name = "yara",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = false,
    .state_size = 1,
    .begin = yara_begin,
    .item = yara_item,
    .end = export_end_none,
    .release = export_release_none,
};
