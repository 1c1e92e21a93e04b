/*
 * Helpers shared by the export format writers (export/format_*.c): the
 * parts of composite values, the fields of an item, JSON strings and
 * timestamps.  Nothing here allocates except into the caller's buffer.
 */
#ifndef CAIRN_FORMAT_UTIL_H
#define CAIRN_FORMAT_UTIL_H

#include "core/buf.h"
#include "export/format.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A slice of a string that is not NUL-terminated at `len`. */
struct span {
	const char *s;
	size_t len;
};

/* Returns whether MISP splits values of `type` into two parts at the
 * first '|': every type named "a|b" and malware-sample. */
bool export_type_is_composite(const char *type);

/* Stores the parts of `value` in `parts`: two for a composite type whose
 * value contains '|', else one (the whole value).  Returns the count. */
size_t export_value_parts(const char *type, const char *value,
			  struct span parts[2]);

/* Returns the text of attribute field `field` of `it`, or "" when unset. */
const char *export_attr_text(const struct export_item *it, int field);
int64_t export_attr_int(const struct export_item *it, int field);
const char *export_event_text(const struct export_item *it, int field);
int64_t export_event_int(const struct export_item *it, int field);

/* Appends `len` bytes of `s` as a quoted JSON string.  Control characters
 * are escaped and each byte that is not part of valid UTF-8 becomes
 * U+FFFD, so the output is always valid JSON. */
int export_json_string(struct buf *out, const char *s, size_t len);

/* Appends unix time `t` as RFC 3339 UTC with milliseconds
 * ("2024-01-31T12:00:00.000Z"), the form STIX timestamps take. */
int export_rfc3339(struct buf *out, int64_t t);

/* Appends `tags` joined by `sep`, from index `from` up to `to`. */
int export_join_tags(struct buf *out, const struct export_item *it, size_t from,
		     size_t to, const char *sep);

/* Returns whether `s` (of `len` bytes) is a DNS name that a zone file or
 * a rule can carry unquoted: dot-separated labels of letters, digits,
 * '-' and '_', each 1 to 63 bytes, at most 253 bytes in all. */
bool export_is_dns_name(const char *s, size_t len);

/* Returns whether `s` is 1 to 5 digits naming a port from 0 to 65535. */
bool export_is_port(const char *s, size_t len);

/* begin, end and release of writers that have nothing to do there. */
int export_begin_none(void *state, const struct export_options *o,
		      struct buf *out, struct cairn_err *e);
int export_end_none(void *state, struct buf *out, struct cairn_err *e);
void export_release_none(void *state);

#endif
