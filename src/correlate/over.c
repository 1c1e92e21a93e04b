/*
 * The list of over-correlating values; see correlate_over_values() in
 * correlate.h.
 */
#include "correlate/correlate_internal.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

struct over_list {
	struct correlate_over *list;
	size_t n;
	size_t cap;
};

void correlate_over_free(struct correlate_over *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++) {
		free(list[i].value);
	}
	free(list);
}

/* Adds a candidate, or adds its count to the same value seen before in
 * the other index. */
static int candidate_add(void *ctx, const char *value, size_t len,
			 int64_t count)
{
	struct over_list *o = ctx;
	struct correlate_over *entry;

	for (size_t i = 0; i < o->n; i++) {
		if (strlen(o->list[i].value) == len &&
		    memcmp(o->list[i].value, value, len) == 0) {
			o->list[i].occurrence += count;
			return 0;
		}
	}
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		void *list = realloc(o->list, cap * sizeof(*o->list));

		if (!list) {
			return CAIRN_ENOMEM;
		}
		o->list = list;
		o->cap = cap;
	}
	entry = &o->list[o->n];
	entry->value = strndup(value, len);
	entry->occurrence = count;
	entry->excluded = false;
	if (!entry->value) {
		return CAIRN_ENOMEM;
	}
	o->n++;
	return 0;
}

static int occurrence_compare(const void *pa, const void *pb)
{
	const struct correlate_over *a = pa, *b = pb;

	if (a->occurrence != b->occurrence) {
		return a->occurrence < b->occurrence ? 1 : -1;
	}
	return strcmp(a->value, b->value);
}

/* Keeps the candidates that over-correlate for `v`.  The exclusions are
 * set aside while scanning, so that an excluded value is still listed,
 * flagged, as MISP lists it. */
static int confirm(struct store *s, const struct store_viewer *v,
		   struct key_scan *k, struct over_list *o)
{
	struct correlate_extras extras = k->extras;
	size_t kept = 0;
	int rc = 0;

	memset(&k->extras, 0, sizeof(k->extras));
	for (size_t i = 0; i < o->n; i++) {
		struct correlate_over *entry = &o->list[i];
		struct correlate_key key = {entry->value, strlen(entry->value)};

		if (rc == 0) {
			rc = correlate_scan_key(s, v, &key, k);
		}
		if (rc == 0 && k->over) {
			entry->excluded = correlate_excluded(&extras, &key);
			o->list[kept++] = *entry;
		} else {
			free(entry->value);
		}
	}
	o->n = kept;
	k->extras = extras;
	return rc;
}

int correlate_over_values(struct store *s, const struct store_viewer *v,
			  const struct correlate_config *cfg,
			  struct correlate_over **out, size_t *n)
{
	struct over_list o = {NULL, 0, 0};
	struct key_scan k;
	int rc;

	*out = NULL;
	*n = 0;
	cfg = correlate_config_for(cfg, v);
	rc = correlate_scan_init(&k, s, cfg);
	if (rc == 0) {
		rc = store_frequent_values(s, (int64_t)cfg->max_events,
					   candidate_add, &o);
	}
	if (rc == 0) {
		rc = confirm(s, v, &k, &o);
	}
	correlate_scan_release(&k);
	if (rc < 0) {
		correlate_over_free(o.list, o.n);
		return rc;
	}
	if (o.n > 1) {
		qsort(o.list, o.n, sizeof(*o.list), occurrence_compare);
	}
	*out = o.list;
	*n = o.n;
	return 0;
}
