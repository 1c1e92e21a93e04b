/*
 * A bounded set of strings; see format_dedup.h.  Open addressing with
 * linear probing over FNV-1a hashes; the strings sit back to back in one
 * buffer, so each value costs its length plus a 16-byte slot.
 */
#include "export/format_dedup.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

#define DEDUP_MAX_SLOTS ((size_t)1 << 19)

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct dedup_slot *find(struct dedup_slot *slots, size_t nslots,
			       const struct buf *strings, uint64_t h,
			       const char *s, size_t len)
{
	size_t i = (size_t)h & (nslots - 1);

	for (;;) {
		struct dedup_slot *slot = &slots[i];
		const char *stored;

		if (!slot->used) {
			return slot;
		}
		stored = strings->data + slot->offset;
		if (slot->hash == h && strlen(stored) == len &&
		    memcmp(stored, s, len) == 0) {
			return slot;
		}
		i = (i + 1) & (nslots - 1);
	}
}

static int grow(struct dedup *d)
{
	size_t n = d->nslots ? d->nslots * 2 : 1024;
	struct dedup_slot *slots = calloc(n, sizeof(*slots));

	if (!slots) {
		return CAIRN_ENOMEM;
	}
	for (size_t i = 0; i < d->nslots; i++) {
		struct dedup_slot *old = &d->slots[i];

		if (old->used) {
			size_t j = (size_t)old->hash & (n - 1);

			while (slots[j].used) {
				j = (j + 1) & (n - 1);
			}
			slots[j] = *old;
		}
	}
	free(d->slots);
	d->slots = slots;
	d->nslots = n;
	return 0;
}

/* Returns whether one more value of `len` bytes fits the bounds. */
static bool has_room(struct dedup *d, size_t len)
{
	bool needs_growth = (d->count + 1) * 4 > d->nslots * 3;

	if (d->strings.len + len + 1 > DEDUP_MAX_BYTES ||
	    (needs_growth && d->nslots >= DEDUP_MAX_SLOTS)) {
		d->full = true;
	}
	return !d->full;
}

int dedup_add(struct dedup *d, const char *s, size_t len)
{
	uint64_t h = fnv1a(s, len);
	struct dedup_slot *slot;

	if (d->nslots > 0) {
		slot = find(d->slots, d->nslots, &d->strings, h, s, len);
		if (slot->used) {
			return 0;
		}
	}
	if (d->full || !has_room(d, len)) {
		return 1;
	}
	if ((d->count + 1) * 4 > d->nslots * 3 && grow(d) < 0) {
		return CAIRN_ENOMEM;
	}
	slot = find(d->slots, d->nslots, &d->strings, h, s, len);
	slot->hash = h;
	slot->offset = (uint32_t)d->strings.len;
	slot->used = 1;
	if (buf_add(&d->strings, s, len) < 0 || buf_addc(&d->strings, 0) < 0) {
		slot->used = 0;
		return CAIRN_ENOMEM;
	}
	d->count++;
	return 1;
}

bool dedup_full(const struct dedup *d)
{
	return d->full;
}

void dedup_release(struct dedup *d)
{
	free(d->slots);
	buf_release(&d->strings);
	memset(d, 0, sizeof(*d));
}
