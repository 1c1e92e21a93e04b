/*
 * The cache format: the lines of a MISP feed's hashes.csv, which MISP
 * reads to fill its feed and server caches.  Each line is the MD5 of one
 * value, a comma and the UUID of the attribute's event.  A composite
 * value ("a|b") gives one line for each part, as MISP's feed generator
 * writes them and as MISP looks values up.
 */
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/misp.h"

#include <gnutls/crypto.h>

#define MD5_BYTES 16

static int write_line(struct buf *out, struct span part, const char *event_uuid)
{
	unsigned char digest[MD5_BYTES];

	if (gnutls_hash_fast(GNUTLS_DIG_MD5, part.s, part.len, digest) < 0) {
		return CAIRN_ENOMEM;
	}
	for (size_t i = 0; i < MD5_BYTES; i++) {
		if (buf_printf(out, "%02x", digest[i]) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return buf_printf(out, ",%s\n", event_uuid);
}

static int cache_item(void *state, const struct export_item *it,
		      struct buf *out, struct cairn_err *e)
{
	struct span parts[2];
	const char *event_uuid = export_event_text(it, EVENT_UUID);
	size_t n = export_value_parts(export_attr_text(it, ATTR_TYPE),
				      export_attr_text(it, ATTR_VALUE), parts);
	int rc = 0;

	(void)state;
	(void)e;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = write_line(out, parts[i], event_uuid);
	}
	return rc;
}

const struct export_format export_format_cache = {
    .name = "cache",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = false,
    .state_size = 1,
    .begin = export_begin_none,
    .item = cache_item,
    .end = export_end_none,
    .release = export_release_none,
};
