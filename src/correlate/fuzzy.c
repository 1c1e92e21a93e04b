/*
 * Fuzzy-hash similarity: ssdeep (libfuzzy's fuzzy_compare) and TLSH
 * (libtlsh, through tlsh_wrap.cc).
 *
 * Candidates come from an index, not from every stored hash.  ssdeep
 * compares two hashes only when their block sizes are equal or one is
 * double the other, so an ssdeep lookup reads three values of the index
 * attributes_ssdeep.  TLSH has no such rule, so a TLSH lookup reads every
 * tlsh attribute through the type index.
 * TODO: pre-filter ssdeep candidates by their 7-character substrings (a
 * score above 0 needs one in common), which needs an index with one row
 * per substring.
 */
#include "correlate/correlate_internal.h"
#include "correlate/tlsh_wrap.h"

#include <fuzzy.h>
#include <stdio.h>
#include <string.h>

/* Rows that another lookup finds are left out; see net_accept(). */
static bool other_row(struct key_scan *k, const struct store_match *m)
{
	return m->attribute_id != k->origin->attribute_id &&
	       !correlate_rows_share_key(k->origin, m) &&
	       !correlate_row_excluded(&k->extras, m);
}

static bool ssdeep_accept(struct key_scan *k, const struct store_match *m)
{
	return other_row(k, m) &&
	       fuzzy_compare(k->origin->value, m->value) >=
		       k->fuzzy->ssdeep_threshold;
}

static bool tlsh_accept(struct key_scan *k, const struct store_match *m)
{
	int distance;

	if (!other_row(k, m)) {
		return false;
	}
	distance = correlate_tlsh_distance(k->origin->value, m->value);
	return distance >= 0 && distance <= k->fuzzy->tlsh_threshold;
}

/* Reads one candidate query into `k` and hands it to `per_range`. */
static int scan_candidates(struct store *s, const struct store_viewer *v,
			   enum store_match_query q, const char *key,
			   struct key_scan *k,
			   int (*per_range)(void *ctx, struct key_scan *k),
			   void *ctx)
{
	int rc;

	k->n = 0;
	k->over = false;
	rc = correlate_scan_range(s, v, q, key, strlen(key), NULL, k);
	if (rc == 0 && per_range) {
		rc = per_range(ctx, k);
	}
	return rc;
}

static int scan_ssdeep(struct store *s, const struct store_viewer *v,
		       long block, struct key_scan *k,
		       int (*per_range)(void *ctx, struct key_scan *k),
		       void *ctx)
{
	const long blocks[] = {block % 2 == 0 ? block / 2 : 0, block,
			       block * 2};
	int rc = 0;

	k->accept = ssdeep_accept;
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		char text[24];

		if (blocks[i] <= 0) {
			continue;
		}
		snprintf(text, sizeof(text), "%ld", blocks[i]);
		rc = scan_candidates(s, v, STORE_MATCH_SSDEEP, text, k,
				     per_range, ctx);
	}
	return rc;
}

int correlate_scan_fuzzy(struct store *s, const struct store_viewer *v,
			 const struct store_match *m, struct key_scan *k,
			 int (*per_range)(void *ctx, struct key_scan *k),
			 void *ctx)
{
	long block = correlate_ssdeep_block(m->type, m->value);
	int rc = 0;

	if (correlate_row_excluded(&k->extras, m)) {
		return 0;
	}
	k->origin = m;
	if (block > 0 && k->fuzzy->ssdeep_threshold <= 100) {
		rc = scan_ssdeep(s, v, block, k, per_range, ctx);
	} else if (strcmp(m->type, "tlsh") == 0 &&
		   k->fuzzy->tlsh_threshold >= 0) {
		k->accept = tlsh_accept;
		rc = scan_candidates(s, v, STORE_MATCH_TYPE, "tlsh", k,
				     per_range, ctx);
	}
	k->accept = NULL;
	k->origin = NULL;
	return rc;
}
