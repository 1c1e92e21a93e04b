/*
 * CIDR warninglists: every listed prefix of every list in one sorted
 * array per address family.
 *
 * A lookup of address A with prefix length L (L is 32 or 128 for a plain
 * address) hits every listed prefix P that contains A with len(P) <= L,
 * because a prefix that contains a block's first address and is no longer
 * than the block contains the whole block.  The innermost prefix that
 * contains A is found by binary search: the last prefix that starts at or
 * before A is either it, or lies inside it, so climbing `parent` from
 * there reaches it.  Climbing further visits every other prefix that
 * contains A.  A lookup thus costs one binary search plus the nesting
 * depth, which is a handful of steps in real lists.
 */
#include "correlate/warninglist_internal.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* The deepest possible nesting: one prefix per length 0..128. */
#define MAX_DEPTH 129

static wl_u128 prefix_mask(int len)
{
	if (len <= 0) {
		return 0;
	}
	return ~(wl_u128)0 << (128 - len);
}

static wl_u128 bytes_to_u128(const unsigned char *b, size_t n)
{
	wl_u128 v = 0;

	for (size_t i = 0; i < 16; i++) {
		v = (v << 8) | (i < n ? b[i] : 0);
	}
	return v;
}

/* Parses a decimal prefix length of at most `max` with no sign or spaces. */
static int parse_length(const char *text, size_t len, int max, int *out)
{
	int n = 0;

	if (len == 0 || len > 3) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9') {
			return -1;
		}
		n = n * 10 + (text[i] - '0');
	}
	if (n > max) {
		return -1;
	}
	*out = n;
	return 0;
}

int wl_cidr_parse(const char *text, size_t len, wl_u128 *net, int *plen,
		  bool *is_v6)
{
	const char *slash = memchr(text, '/', len);
	size_t addr_len = slash ? (size_t)(slash - text) : len;
	unsigned char bytes[16];
	char addr[INET6_ADDRSTRLEN + 1];
	int max;

	if (addr_len == 0 || addr_len >= sizeof(addr)) {
		return -1;
	}
	memcpy(addr, text, addr_len);
	addr[addr_len] = '\0';
	if (inet_pton(AF_INET, addr, bytes) == 1) {
		*is_v6 = false;
		max = 32;
		*net = bytes_to_u128(bytes, 4);
	} else if (inet_pton(AF_INET6, addr, bytes) == 1) {
		*is_v6 = true;
		max = 128;
		*net = bytes_to_u128(bytes, 16);
	} else {
		return -1;
	}
	*plen = max;
	if (slash && parse_length(slash + 1, len - addr_len - 1, max, plen) <
			     0) {
		return -1;
	}
	*net &= prefix_mask(*plen);
	return 0;
}

int wl_cidr_add(struct wl_cidr *t, const char *entry, uint32_t list,
		uint32_t entry_index)
{
	struct wl_prefix_set *s;
	wl_u128 net;
	bool is_v6;
	int len;
	uint32_t owner;

	if (wl_cidr_parse(entry, strlen(entry), &net, &len, &is_v6) < 0) {
		return CAIRN_EINVAL;
	}
	s = is_v6 ? &t->v6 : &t->v4;
	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct wl_prefix *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			return CAIRN_ENOMEM;
		}
		s->v = v;
		s->cap = cap;
	}
	owner = wl_owner_add(&s->owners, list, entry_index, 0);
	if (!owner) {
		return CAIRN_ENOMEM;
	}
	s->v[s->len++] = (struct wl_prefix){net, 0, owner, (uint8_t)len};
	return 0;
}

static int prefix_compare(const void *a, const void *b)
{
	const struct wl_prefix *x = a, *y = b;

	if (x->net != y->net) {
		return x->net < y->net ? -1 : 1;
	}
	if (x->len != y->len) {
		return x->len < y->len ? -1 : 1;
	}
	/* Equal prefixes keep the order of their lists and entries. */
	return x->owners < y->owners ? -1 : x->owners > y->owners;
}

static bool prefix_contains(const struct wl_prefix *p, wl_u128 addr)
{
	return (addr & prefix_mask(p->len)) == p->net;
}

/* Merges runs of equal prefixes into one, chaining their owners in the
 * sorted order. */
static void merge_equal(struct wl_prefix_set *s)
{
	size_t out = 0;

	for (size_t i = 0; i < s->len; i++) {
		struct wl_prefix *last = out ? &s->v[out - 1] : NULL;

		if (last && last->net == s->v[i].net &&
		    last->len == s->v[i].len) {
			uint32_t tail = last->owners;

			while (s->owners.v[tail - 1].next) {
				tail = s->owners.v[tail - 1].next;
			}
			s->owners.v[tail - 1].next = s->v[i].owners;
			continue;
		}
		s->v[out++] = s->v[i];
	}
	s->len = out;
}

static void link_parents(struct wl_prefix_set *s)
{
	uint32_t stack[MAX_DEPTH];
	size_t depth = 0;

	for (size_t i = 0; i < s->len; i++) {
		while (depth &&
		       !prefix_contains(&s->v[stack[depth - 1]], s->v[i].net)) {
			depth--;
		}
		s->v[i].parent = depth ? stack[depth - 1] + 1 : 0;
		/* Strictly nested prefixes have distinct lengths, so the
		 * stack never contains more than MAX_DEPTH of them. */
		stack[depth++] = (uint32_t)i;
	}
}

static void compile_set(struct wl_prefix_set *s)
{
	if (s->len == 0) {
		return;
	}
	qsort(s->v, s->len, sizeof(s->v[0]), prefix_compare);
	merge_equal(s);
	link_parents(s);
}

int wl_cidr_compile(struct wl_cidr *t)
{
	compile_set(&t->v4);
	compile_set(&t->v6);
	return 0;
}

/* Returns the index + 1 of the innermost prefix that contains `addr`, or
 * 0 when none does. */
static uint32_t innermost(const struct wl_prefix_set *s, wl_u128 addr)
{
	size_t lo = 0, hi = s->len;
	uint32_t i;

	/* Find the first prefix whose network is above addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].net <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo == 0) {
		return 0;
	}
	i = (uint32_t)lo;
	while (i && !prefix_contains(&s->v[i - 1], addr)) {
		i = s->v[i - 1].parent;
	}
	return i;
}

void wl_cidr_lookup(const struct wl_cidr *t, const char *value, size_t len,
		    struct wl_collector *c)
{
	const struct wl_prefix_set *s;
	uint32_t chain[MAX_DEPTH];
	size_t depth = 0;
	wl_u128 addr;
	bool is_v6;
	int plen;

	if (wl_cidr_parse(value, len, &addr, &plen, &is_v6) < 0) {
		return;
	}
	s = is_v6 ? &t->v6 : &t->v4;
	for (uint32_t i = innermost(s, addr); i && depth < MAX_DEPTH;
	     i = s->v[i - 1].parent) {
		if (s->v[i - 1].len <= plen) {
			chain[depth++] = i;
		}
	}
	/* Outermost first, so a list with nested entries reports the
	 * broadest one, as MISP does for IPv4. */
	while (depth) {
		wl_collect_chain(c, &s->owners, s->v[chain[--depth] - 1].owners);
	}
}

static void release_set(struct wl_prefix_set *s)
{
	free(s->v);
	free(s->owners.v);
	memset(s, 0, sizeof(*s));
}

void wl_cidr_release(struct wl_cidr *t)
{
	release_set(&t->v4);
	release_set(&t->v6);
}

size_t wl_cidr_memory(const struct wl_cidr *t)
{
	return (t->v4.cap + t->v6.cap) * sizeof(struct wl_prefix) +
	       (t->v4.owners.cap + t->v6.owners.cap) * sizeof(struct wl_owner);
}
