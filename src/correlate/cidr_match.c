/*
 * CIDR containment and correlation exclusions.
 *
 * Containment works on network keys (model/correlation.h), never on
 * text.  The blocks inside a block B, and the addresses in it, have keys
 * from B's own key to the key of B's last address, so one range of the
 * index attributes_net finds them all.  A block that contains B has the
 * key of B widened to its own prefix length.  So one seek per prefix
 * length that some stored block has finds them, and store_net_prefixes()
 * lists those lengths once per request.
 */
#include "correlate/correlate_internal.h"

#include "core/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* An IPv4 key (::ffff:0:0/96) is widened no further than /96, so that an
 * IPv4 address never falls in an IPv6 block such as ::/0. */
#define MAPPED_PREFIX 96

static const uint8_t mapped_head[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					0xff, 0xff};

int correlate_extras_load(struct store *s, struct correlate_extras *x)
{
	memset(x, 0, sizeof(*x));
	return store_exclusion_list(s, &x->exclusions, &x->exclusion_count);
}

void correlate_extras_release(struct correlate_extras *x)
{
	store_exclusions_free(x->exclusions, x->exclusion_count);
	x->exclusions = NULL;
	x->exclusion_count = 0;
}

/* The backtracking keeps the last "%" only, so the cost stays within
 * pattern length times text length. */
bool correlate_like(const char *pattern, const char *text, size_t len)
{
	const char *star = NULL;
	size_t i = 0, mark = 0;

	while (i < len) {
		if (*pattern == '%') {
			star = pattern++;
			mark = i;
		} else if (*pattern &&
			   tolower((unsigned char)*pattern) ==
				   tolower((unsigned char)text[i])) {
			pattern++;
			i++;
		} else if (star) {
			pattern = star + 1;
			i = ++mark;
		} else {
			return false;
		}
	}
	while (*pattern == '%') {
		pattern++;
	}
	return *pattern == '\0';
}

bool correlate_excluded(const struct correlate_extras *x,
			const struct correlate_key *key)
{
	for (size_t i = 0; i < x->exclusion_count; i++) {
		if (correlate_like(x->exclusions[i].value, key->text,
				   key->len)) {
			return true;
		}
	}
	return false;
}

bool correlate_rows_share_key(const struct store_match *a,
			      const struct store_match *b)
{
	struct correlate_key keys[2];
	size_t n = correlate_keys(a->type, a->value, keys);

	for (size_t i = 0; i < n; i++) {
		if (correlate_row_has_key(b, &keys[i])) {
			return true;
		}
	}
	return false;
}

bool correlate_row_excluded(const struct correlate_extras *x,
			    const struct store_match *m)
{
	struct correlate_key keys[2];
	size_t n = correlate_keys(m->type, m->value, keys);

	for (size_t i = 0; i < n; i++) {
		if (correlate_excluded(x, &keys[i])) {
			return true;
		}
	}
	return false;
}

static bool net_accept(struct key_scan *k, const struct store_match *m)
{
	uint8_t key[CORRELATE_NET_KEY_LEN];

	return correlate_net_key(m->type, m->value, key) &&
	       !correlate_rows_share_key(k->origin, m) && !correlate_row_excluded(&k->extras, m);
}

/* Reads one range of network keys, from `low` to `high`. */
static int scan_net_range(struct store *s, const struct store_viewer *v,
			  const uint8_t low[CORRELATE_NET_KEY_LEN],
			  const uint8_t high[CORRELATE_NET_KEY_LEN],
			  struct key_scan *k,
			  int (*per_range)(void *ctx, struct key_scan *k),
			  void *ctx)
{
	char bound[2 * CORRELATE_NET_KEY_LEN];
	int rc;

	memcpy(bound, low, CORRELATE_NET_KEY_LEN);
	memcpy(bound + CORRELATE_NET_KEY_LEN, high, CORRELATE_NET_KEY_LEN);
	k->n = 0;
	k->over = false;
	rc = correlate_scan_range(s, v, STORE_MATCH_NET, bound, sizeof(bound),
				  NULL, k);
	if (rc == 0 && per_range) {
		rc = per_range(ctx, k);
	}
	return rc;
}

int correlate_scan_net(struct store *s, const struct store_viewer *v,
		       const struct store_match *m, struct key_scan *k,
		       int (*per_range)(void *ctx, struct key_scan *k),
		       void *ctx)
{
	uint8_t key[CORRELATE_NET_KEY_LEN], other[CORRELATE_NET_KEY_LEN];
	unsigned prefix, floor = 0;
	int rc;

	if (!correlate_net_key(m->type, m->value, key) ||
	    correlate_row_excluded(&k->extras, m)) {
		return 0;
	}
	prefix = key[CORRELATE_NET_KEY_LEN - 1];
	if (memcmp(key, mapped_head, sizeof(mapped_head)) == 0 &&
	    prefix >= MAPPED_PREFIX) {
		floor = MAPPED_PREFIX;
	}
	k->accept = net_accept;
	k->origin = m;
	correlate_net_key_last(key, other);
	rc = scan_net_range(s, v, key, other, k, per_range, ctx);
	if (rc == 0 && !k->extras.prefixes_loaded) {
		rc = store_net_prefixes(s, k->extras.prefixes,
					&k->extras.prefix_count);
		k->extras.prefixes_loaded = rc == 0;
	}
	for (size_t i = 0; rc == 0 && i < k->extras.prefix_count; i++) {
		unsigned wider = k->extras.prefixes[i];

		if (wider >= prefix) {
			break;
		}
		if (wider < floor) {
			continue;
		}
		correlate_net_key_widen(key, wider, other);
		rc = scan_net_range(s, v, other, other, k, per_range, ctx);
	}
	k->accept = NULL;
	k->origin = NULL;
	return rc;
}
