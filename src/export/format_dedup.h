/*
 * A bounded set of strings for writers that print each value once, as
 * MISP's text export does.  It stores up to DEDUP_MAX_BYTES of values;
 * once full it stops adding, so a value first seen after that may be
 * printed again.  It never reports a value as seen that was not.
 */
#ifndef CAIRN_FORMAT_DEDUP_H
#define CAIRN_FORMAT_DEDUP_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEDUP_MAX_BYTES ((size_t)8 << 20)

struct dedup_slot {
	uint64_t hash;
	uint32_t offset; /* into `strings`; the value is NUL-terminated */
	uint32_t used;
};

struct dedup {
	struct dedup_slot *slots;
	size_t nslots; /* a power of two, or 0 */
	size_t count;
	struct buf strings;
	bool full;
};

/* Returns 0 when the set holds `s`, else 1, after adding `s` while
 * there is room; CAIRN_ENOMEM when memory runs out. */
int dedup_add(struct dedup *d, const char *s, size_t len);

/* Returns whether the set stopped adding values. */
bool dedup_full(const struct dedup *d);

void dedup_release(struct dedup *d);

#endif
