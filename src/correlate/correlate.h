/*
 * Correlation, computed when it is read.
 *
 * Two attributes of different events correlate when they share a
 * correlating value, or when the address of one lies in the CIDR block of
 * the other.  Nothing is stored per pair: each lookup reads indexes of the
 * attributes table (store_match_open(): the value index, the index of
 * composite second halves, and the index of network keys), so adding an
 * attribute costs nothing here and there is nothing to rebuild.
 *
 * The rules follow MISP 2.5 (app/Model/MispAttribute.php and
 * app/Model/Correlation.php):
 * - the type rules of model/correlation.h decide which values correlate:
 *   the whole value, or each half of a composite one except for the
 *   port types, which correlate on the address or host only;
 * - ip-src, ip-dst, the address of ip-src|port and ip-dst|port and the
 *   address of domain|ip correlate by CIDR containment both ways, by
 *   prefix arithmetic on the address bytes.  An IPv4 address is taken as
 *   IPv4-mapped IPv6, but never falls in an IPv6 block wider than /96;
 * - soft-deleted attributes, attributes in soft-deleted objects, and
 *   attributes or events with disable_correlation set never correlate;
 * - a value that matches a correlation exclusion never correlates, and
 *   neither does an address whose attribute has an excluded value;
 * - a value (or a CIDR range) found in more events than the
 *   over-correlation limit stops correlating.  MISP's limit
 *   (MISP.correlation_limit, default 20) counts the matching attributes
 *   of other events, but this one counts events, the requesting event
 *   included;
 * - only attributes that the reader `v` may see are read (store.h's
 *   store_match_open()), so an invisible event or attribute neither
 *   appears in a result nor counts towards the limit.
 */
#ifndef CAIRN_CORRELATE_H
#define CAIRN_CORRELATE_H

#include "model/correlation.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct correlate_config {
	/* Over-correlation limit: a value found in more events than this
	 * does not correlate. */
	size_t max_events;
	/* Maximum entries of one list of related events or attributes. */
	size_t page_size;
	/* Two ssdeep hashes correlate when fuzzy_compare() scores them at
	 * least this (0 to 100; above 100 turns ssdeep matching off). */
	int ssdeep_threshold;
	/* Two TLSH hashes correlate when their distance is at most this
	 * (0 and up; below 0 turns TLSH matching off). */
	int tlsh_threshold;
};

#define CORRELATE_MAX_EVENTS_DEFAULT 20
#define CORRELATE_PAGE_SIZE_DEFAULT 100
/* NOTE: both defaults are estimates chosen here, not taken from MISP or
 * tuned on data. */
#define CORRELATE_SSDEEP_THRESHOLD_DEFAULT 40
#define CORRELATE_TLSH_THRESHOLD_DEFAULT 40

extern const struct correlate_config correlate_config_default;

/* An event related to another, for RelatedEvent. */
struct correlate_event {
	int64_t id;
	char date[16]; /* YYYY-MM-DD */
};

/* Finds the other events that share a correlating value with event
 * `event_id`, newest date first (then highest id), at most
 * cfg->page_size of them.  *out is allocated (free() it) and *n set; a
 * NULL `cfg` means correlate_config_default. */
int correlate_related_events(struct store *s, const struct store_viewer *v,
			     const struct correlate_config *cfg,
			     int64_t event_id, struct correlate_event **out,
			     size_t *n);

/* An attribute of another event that correlates with a given one, for
 * RelatedAttribute.  The strings are owned by the array. */
struct correlate_attribute {
	int64_t attribute_id;
	int64_t event_id;
	int64_t event_orgc_id;
	char *value; /* the shared correlating value */
	char *event_info;
	char *event_date;
};

/* Finds the attributes of other events that correlate with attribute
 * `attribute_id`, at most cfg->page_size of them, in the order of the
 * value index.  An attribute that may not correlate gets an empty list.
 * Free the result with correlate_attributes_free(). */
int correlate_related_attributes(struct store *s, const struct store_viewer *v,
				 const struct correlate_config *cfg,
				 int64_t attribute_id,
				 struct correlate_attribute **out, size_t *n);

void correlate_attributes_free(struct correlate_attribute *list, size_t n);

/* A value that stopped correlating, for MISP's over-correlating list. */
struct correlate_over {
	char *value;
	int64_t occurrence; /* attributes with the value, as MISP counts */
	bool excluded;      /* it matches a correlation exclusion too */
};

/* Finds the values that more than cfg->max_events events that `v` may
 * see contain, most frequent first.  Candidates come from one pass over
 * the value indexes (store_frequent_values()), and each is confirmed
 * with the lookups of a correlation.  Free the result with
 * correlate_over_free().
 * NOTE: a value found mostly as the first half of composite values is
 * not a candidate, because no index contains first halves alone. */
int correlate_over_values(struct store *s, const struct store_viewer *v,
			  const struct correlate_config *cfg,
			  struct correlate_over **out, size_t *n);

void correlate_over_free(struct correlate_over *list, size_t n);

/* Returns true when `len` bytes of `text` match `pattern`, the value of a
 * correlation exclusion: "%" matches any run of characters, and letters
 * match in either case, as MySQL's LIKE does in MISP's default
 * collation. */
bool correlate_like(const char *pattern, const char *text, size_t len);

#endif
