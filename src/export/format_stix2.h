/*
 * The parts of the stix2 writer (export/format_stix2.c) that its
 * observed-data file (export/format_stix2_observed.c) shares.
 */
#ifndef CAIRN_FORMAT_STIX2_H
#define CAIRN_FORMAT_STIX2_H

#include "core/util.h"
#include "export/format.h"

#include <stdbool.h>
#include <stdint.h>

struct stix2_state {
	uint64_t nobjects; /* written so far: all but the first take a comma */
	bool has_identity;
	char identity[UUID_TEXT_SIZE];
	struct buf pattern;
	struct buf text; /* scratch for a NUL-terminated part of a value */
};

/* Append ,"key":"value" (a JSON string) and ,"key":"<RFC 3339 time>". */
int stix2_key_string(struct buf *out, const char *key, const char *value);
int stix2_key_time(struct buf *out, const char *key, int64_t t);

/* Appends ,"labels":[...] with the attribute's MISP type, category and
 * to_ids, as misp-stix labels them. */
int stix2_write_labels(struct stix2_state *st, struct buf *out,
		       const struct export_item *it);

/* Writes an observed-data object and the cyber observable it refers to
 * for an attribute without to_ids, as misp-stix does.  Writes nothing
 * for a type or value that has no observable form here. */
int stix2_write_observed(struct stix2_state *st, struct buf *out,
			 const struct export_item *it);

#endif
