/*
 * Declarations shared by correlate.c, cidr_match.c, fuzzy.c and over.c.
 * Nothing outside src/correlate/ and tests/unit/ includes this header.
 */
#ifndef CAIRN_CORRELATE_INTERNAL_H
#define CAIRN_CORRELATE_INTERNAL_H

#include "correlate/correlate.h"

/* State read once per correlation request: the exclusion list and the
 * prefix lengths of the stored CIDR blocks (read when first needed). */
struct correlate_extras {
	struct store_exclusion *exclusions;
	size_t exclusion_count;
	uint8_t prefixes[CORRELATE_NET_FULL + 1];
	size_t prefix_count;
	bool prefixes_loaded;
};

struct key_scan;

/* Called for each matching row once its event is counted.  `key` is the
 * shared value, or NULL for a CIDR or fuzzy-hash match. */
typedef int (*match_fn)(void *ctx, const struct store_match *m,
			const struct correlate_key *key);

/* The distinct events that contain one key (or one network range).
 * `list` has room for max_events entries. */
struct key_scan {
	struct correlate_event *list;
	size_t n;
	size_t max_events;
	bool over;
	match_fn fn;
	void *ctx;
	/* For a scan without a key: whether row `m` counts. */
	bool (*accept)(struct key_scan *k, const struct store_match *m);
	const struct store_match *origin; /* the row whose network or fuzzy
					   * hash is looked up */
	const struct correlate_config *fuzzy; /* the similarity thresholds */
	struct correlate_extras extras;
};

/* Returns true when `key` is one of the correlating values of row `m`. */
bool correlate_row_has_key(const struct store_match *m,
			   const struct correlate_key *key);

/* Reads the rows of one match query into `k`, stopping when the key
 * proves over-correlating.  A row counts when `key` is one of its
 * correlating values, or, with a NULL `key`, when k->accept() returns
 * true. */
int correlate_scan_range(struct store *s, const struct store_viewer *v,
			 enum store_match_query q, const char *bound,
			 size_t bound_len, const struct correlate_key *key,
			 struct key_scan *k);

/* Reads every attribute that has `key` into `k` (its events), unless the
 * key is excluded or proves over-correlating first (k->over). */
int correlate_scan_key(struct store *s, const struct store_viewer *v,
		       const struct correlate_key *key, struct key_scan *k);

/* Sets up `k` for `cfg` and loads the exclusion list; release with
 * correlate_scan_release() whatever it returns. */
int correlate_scan_init(struct key_scan *k, struct store *s,
			const struct correlate_config *cfg);
void correlate_scan_release(struct key_scan *k);

/* Returns `cfg`, or without one the viewer's settings, or the
 * defaults. */
const struct correlate_config *
correlate_config_for(const struct correlate_config *cfg,
		     const struct store_viewer *v);

int correlate_extras_load(struct store *s, struct correlate_extras *x);
void correlate_extras_release(struct correlate_extras *x);

/* Returns true when `key` matches an exclusion (see correlate_like()). */
bool correlate_excluded(const struct correlate_extras *x,
			const struct correlate_key *key);

/* Returns true when rows `a` and `b` share a correlating value. */
bool correlate_rows_share_key(const struct store_match *a,
			      const struct store_match *b);

/* Returns true when one of the row's own values is excluded. */
bool correlate_row_excluded(const struct correlate_extras *x,
			    const struct store_match *m);

/* As correlate_scan_net(), for the ssdeep or tlsh hash of row `m`: the
 * attributes whose hash is similar above the thresholds of k->fuzzy
 * (fuzzy.c). */
int correlate_scan_fuzzy(struct store *s, const struct store_viewer *v,
			 const struct store_match *m, struct key_scan *k,
			 int (*per_range)(void *ctx, struct key_scan *k),
			 void *ctx);

/* Calls k->fn for each attribute of another block in a CIDR relation
 * with the address of row `m` (model/correlation.h's network key): the
 * addresses and blocks inside it, and the blocks that contain it.  Rows
 * that share an exact correlating value with `m` are left out, because
 * the exact lookups find them.  `per_range` runs after each range with
 * the events counted in k.  When k->over is set, the range
 * over-correlated and `per_range` drops its matches. */
int correlate_scan_net(struct store *s, const struct store_viewer *v,
		       const struct store_match *m, struct key_scan *k,
		       int (*per_range)(void *ctx, struct key_scan *k),
		       void *ctx);

#endif
