/*
 * The hashes format: the hash of each hash attribute on a line, as
 * MISP's hashes export writes it: the value of a hash type, the part
 * after '|' of a filename|hash type or of malware-sample.  Other types
 * are left out, and so is a hash part that holds a line break or a '|'.
 */
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/misp.h"

#include <string.h>

static const char *const simple_types[] = {
    "md5",
    "sha1",
    "sha256",
    "sha224",
    "sha384",
    "sha512",
    "sha512/224",
    "sha512/256",
    "sha3-224",
    "sha3-256",
    "sha3-384",
    "sha3-512",
    "ssdeep",
    "imphash",
    "tlsh",
    "x509-fingerprint-sha1",
    "x509-fingerprint-md5",
    "x509-fingerprint-sha256",
    "pehash",
    "authentihash",
    "impfuzzy",
};

static bool is_simple_hash(const char *type)
{
	for (size_t i = 0; i < sizeof(simple_types) / sizeof(*simple_types);
	     i++) {
		if (strcmp(type, simple_types[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* MISP's composite hash types: filename|<hash> for each hash type above
 * that a file has, and malware-sample (filename|md5). */
static bool is_composite_hash(const char *type)
{
	if (strcmp(type, "malware-sample") == 0) {
		return true;
	}
	return strncmp(type, "filename|", 9) == 0 && is_simple_hash(type + 9) &&
	       strncmp(type + 9, "x509-", 5) != 0;
}

static int hashes_item(void *state, const struct export_item *it,
		       struct buf *out, struct cairn_err *e)
{
	const char *type = export_attr_text(it, ATTR_TYPE);
	struct span parts[2];
	struct span hash;

	(void)state;
	(void)e;
	if (is_simple_hash(type)) {
		export_value_parts(type, export_attr_text(it, ATTR_VALUE),
				   parts);
		hash = parts[0];
	} else if (is_composite_hash(type) &&
		   export_value_parts(type, export_attr_text(it, ATTR_VALUE),
				      parts) == 2) {
		hash = parts[1];
	} else {
		return 0;
	}
	if (hash.len == 0 || memchr(hash.s, '\n', hash.len) ||
	    memchr(hash.s, '\r', hash.len) || memchr(hash.s, '|', hash.len)) {
		return 0;
	}
	if (buf_add(out, hash.s, hash.len) < 0 || buf_addc(out, '\n') < 0) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

const struct export_format export_format_hashes = {
    .name = "hashes",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = true,
    .state_size = 1,
    .begin = export_begin_none,
    .item = hashes_item,
    .end = export_end_none,
    .release = export_release_none,
};
