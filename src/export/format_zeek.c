/*
 * The zeek format: an input file of Zeek's intelligence framework, with
 * the columns and type mapping of MISP's Bro/Zeek export.
 *
 * Fields are tab-separated.  Zeek's ASCII reader unescapes \xNN in
 * strings, so tabs, line breaks, backslashes and other control bytes are
 * written that way (MISP turns them into spaces and strips every byte
 * past ASCII, Cairn keeps UTF-8 text as it is).  An empty field is
 * "(empty)" and a field that is exactly "-" is written \x2d, since Zeek
 * reads "-" as unset.  A composite value gives one line per part that
 * has a Zeek type.
 */
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/misp.h"

#include <string.h>

struct zeek_type {
	const char *misp;
	const char *first;  /* Intel type of the value or its first part */
	const char *second; /* of the second part, NULL for none */
};

static const struct zeek_type zeek_types[] = {
    {"ip-dst", "ADDR", NULL},
    {"ip-src", "ADDR", NULL},
    {"ip-dst|port", "ADDR", NULL},
    {"ip-src|port", "ADDR", NULL},
    {"email", "EMAIL", NULL},
    {"email-src", "EMAIL", NULL},
    {"email-dst", "EMAIL", NULL},
    {"target-email", "EMAIL", NULL},
    {"email-attachment", "FILE_NAME", NULL},
    {"filename", "FILE_NAME", NULL},
    {"hostname", "DOMAIN", NULL},
    {"domain", "DOMAIN", NULL},
    {"domain|ip", "DOMAIN", "ADDR"},
    {"url", "URL", NULL},
    {"user-agent", "SOFTWARE", NULL},
    {"ja3-fingerprint-md5", "JA3", NULL},
    {"md5", "FILE_HASH", NULL},
    {"sha1", "FILE_HASH", NULL},
    {"sha256", "FILE_HASH", NULL},
    {"sha224", "FILE_HASH", NULL},
    {"sha384", "FILE_HASH", NULL},
    {"sha512", "FILE_HASH", NULL},
    {"sha512/224", "FILE_HASH", NULL},
    {"sha512/256", "FILE_HASH", NULL},
    {"authentihash", "FILE_HASH", NULL},
    {"ssdeep", "FILE_HASH", NULL},
    {"imphash", "FILE_HASH", NULL},
    {"pehash", "FILE_HASH", NULL},
    {"impfuzzy", "FILE_HASH", NULL},
    {"tlsh", "FILE_HASH", NULL},
    {"cdhash", "FILE_HASH", NULL},
    {"x509-fingerprint-sha1", "CERT_HASH", NULL},
    {"pdb", "FILE_NAME", NULL},
    {"malware-sample", "FILE_NAME", "FILE_HASH"},
};

struct zeek_state {
	struct buf base_url; /* a copy: the options may not outlive begin() */
};

static const struct zeek_type *find_type(const char *type)
{
	static const char *const filename_hashes[] = {
	    "md5",     "sha1",	     "sha256",	   "sha224",	   "sha384",
	    "sha512",  "sha512/224", "sha512/256", "authentihash", "ssdeep",
	    "imphash", "pehash",     "impfuzzy",   "tlsh",
	};
	static const struct zeek_type filename_hash = {"", "FILE_NAME",
						       "FILE_HASH"};

	for (size_t i = 0; i < sizeof(zeek_types) / sizeof(*zeek_types); i++) {
		if (strcmp(type, zeek_types[i].misp) == 0) {
			return &zeek_types[i];
		}
	}
	if (strncmp(type, "filename|", 9) == 0) {
		for (size_t i = 0;
		     i < sizeof(filename_hashes) / sizeof(*filename_hashes);
		     i++) {
			if (strcmp(type + 9, filename_hashes[i]) == 0) {
				return &filename_hash;
			}
		}
	}
	return NULL;
}

static int zeek_begin(void *state, const struct export_options *o,
		      struct buf *out, struct cairn_err *e)
{
	struct zeek_state *st = state;

	(void)e;
	if (o->base_url && buf_adds(&st->base_url, o->base_url) < 0) {
		return CAIRN_ENOMEM;
	}
	return buf_adds(out, "#fields\tindicator\tindicator_type\tmeta.source"
			     "\tmeta.desc\tmeta.url\tmeta.do_notice"
			     "\tmeta.if_in\n");
}

static int write_escaped(struct buf *out, const char *s, size_t len)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			rc = buf_printf(out, "\\x%02x", c);
		} else {
			rc = buf_addc(out, (char)c);
		}
	}
	return rc;
}

/* Writes one field: "(empty)" for nothing, \x2d for a lone "-". */
static int write_field(struct buf *out, const char *s, size_t len)
{
	if (len == 0) {
		return buf_adds(out, "(empty)");
	}
	if (len == 1 && s[0] == '-') {
		return buf_adds(out, "\\x2d");
	}
	return write_escaped(out, s, len);
}

static int write_meta(struct zeek_state *st, struct buf *out,
		      const struct export_item *it)
{
	const char *orgc = it->orgc_name ? it->orgc_name : "";
	const char *info = export_event_text(it, EVENT_INFO);
	const char *comment = export_attr_text(it, ATTR_COMMENT);
	int rc;

	rc = buf_adds(out, "\tCairn (");
	if (rc == 0) {
		rc = write_escaped(out, export_event_text(it, EVENT_UUID),
				   strlen(export_event_text(it, EVENT_UUID)));
	}
	if (rc == 0) {
		rc = buf_adds(out, ") - ");
	}
	if (rc == 0) {
		rc = write_escaped(out, orgc, strlen(orgc));
	}
	if (rc == 0) {
		rc = buf_addc(out, '\t');
	}
	if (rc == 0) {
		rc = write_escaped(out, info, strlen(info));
	}
	if (rc == 0) {
		rc = buf_adds(out, ". ");
	}
	if (rc == 0) {
		rc = write_escaped(out, comment, strlen(comment));
	}
	if (rc == 0 && st->base_url.len > 0) {
		rc = buf_addc(out, '\t');
		if (rc == 0) {
			rc = write_escaped(out, st->base_url.data,
					   st->base_url.len);
		}
		if (rc == 0) {
			rc = buf_printf(
			    out, "/events/view/%lld",
			    (long long)export_event_int(it, EVENT_ID));
		}
	} else if (rc == 0) {
		rc = buf_adds(out, "\t-");
	}
	return rc == 0 ? buf_adds(out, "\tT\t-\n") : rc;
}

/* Drops the scheme of an http or https URL, as Zeek's URL indicators
 * have none. */
static struct span strip_scheme(struct span url)
{
	static const char *const schemes[] = {"http://", "https://"};

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(schemes[i]);

		if (url.len >= n && strncmp(url.s, schemes[i], n) == 0) {
			return (struct span){url.s + n, url.len - n};
		}
	}
	return url;
}

static int write_line(struct zeek_state *st, struct buf *out,
		      const struct export_item *it, struct span value,
		      const char *intel_type)
{
	int rc;

	if (strcmp(intel_type, "ADDR") == 0 &&
	    memchr(value.s, '/', value.len)) {
		intel_type = "SUBNET";
	}
	if (strcmp(intel_type, "URL") == 0) {
		value = strip_scheme(value);
	}
	if (value.len == 0) {
		return 0;
	}
	rc = write_field(out, value.s, value.len);
	if (rc == 0) {
		rc = buf_printf(out, "\tIntel::%s", intel_type);
	}
	return rc == 0 ? write_meta(st, out, it) : rc;
}

static int zeek_item(void *state, const struct export_item *it, struct buf *out,
		     struct cairn_err *e)
{
	const char *type = export_attr_text(it, ATTR_TYPE);
	const struct zeek_type *z = find_type(type);
	struct span parts[2];
	size_t n;
	int rc;

	(void)e;
	if (!z) {
		return 0;
	}
	n = export_value_parts(type, export_attr_text(it, ATTR_VALUE), parts);
	rc = write_line(state, out, it, parts[0], z->first);
	if (rc == 0 && n == 2 && z->second) {
		rc = write_line(state, out, it, parts[1], z->second);
	}
	return rc;
}

static void zeek_release(void *state)
{
	struct zeek_state *st = state;

	buf_release(&st->base_url);
}

const struct export_format export_format_zeek = {
    .name = "zeek",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = true,
    .state_size = sizeof(struct zeek_state),
    .begin = zeek_begin,
    .item = zeek_item,
    .end = export_end_none,
    .release = zeek_release,
};
