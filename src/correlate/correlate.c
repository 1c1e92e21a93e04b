/*
 * Exact-value correlation; see correlate.h for the rules.
 *
 * Each correlating value ("key") is looked up with at most two ranges of
 * the value index: attributes whose whole value is the key, and
 * composite attributes whose value starts with the key and "|".  A row
 * from either range counts only when the key is one of that row's own
 * correlating values, so both sides of a match obey the same type rules.
 * While it reads the rows, a scan keeps the distinct events that contain
 * the key, and gives up on the key as over-correlating once they outnumber
 * the limit.
 */
#include "correlate/correlate.h"
#include "correlate/correlate_internal.h"

#include "core/buf.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct correlate_config correlate_config_default = {
	.max_events = CORRELATE_MAX_EVENTS_DEFAULT,
	.page_size = CORRELATE_PAGE_SIZE_DEFAULT,
	.ssdeep_threshold = CORRELATE_SSDEEP_THRESHOLD_DEFAULT,
	.tlsh_threshold = CORRELATE_TLSH_THRESHOLD_DEFAULT,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Correlating values scanned recently for one event, so that attributes
 * with the same value (adjacent, because the event's attributes are read
 * by value) are looked up once. */
#define RECENT_KEYS 2

static bool key_equal(const struct correlate_key *a,
		      const struct correlate_key *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

bool correlate_row_has_key(const struct store_match *m,
			   const struct correlate_key *key)
{
	struct correlate_key keys[2];
	size_t n = correlate_keys(m->type, m->value, keys);

	for (size_t i = 0; i < n; i++) {
		if (key_equal(&keys[i], key)) {
			return true;
		}
	}
	return false;
}

/* -------- one key -------- */

/* Adds the row's event unless it is counted already.  Returns false when
 * that makes the key over-correlating. */
static bool scan_count_event(struct key_scan *k, const struct store_match *m)
{
	struct correlate_event *ev;

	for (size_t i = 0; i < k->n; i++) {
		if (k->list[i].id == m->event_id) {
			return true;
		}
	}
	if (k->n == k->max_events) {
		k->over = true;
		return false;
	}
	ev = &k->list[k->n++];
	ev->id = m->event_id;
	snprintf(ev->date, sizeof(ev->date), "%s", m->event_date);
	return true;
}

int correlate_scan_range(struct store *s, const struct store_viewer *v,
			 enum store_match_query q, const char *bound,
			 size_t bound_len, const struct correlate_key *key,
			 struct key_scan *k)
{
	struct store_match_cursor *c;
	struct store_match m;
	int rc = store_match_open(s, v, q, 0, bound, bound_len, &c);

	if (rc < 0) {
		return rc;
	}
	while ((rc = store_match_next(c, &m)) == 1) {
		rc = 0;
		if (key ? !correlate_row_has_key(&m, key) : !k->accept(k, &m)) {
			continue;
		}
		if (!scan_count_event(k, &m)) {
			break;
		}
		if (k->fn) {
			rc = k->fn(k->ctx, &m, key);
			if (rc < 0) {
				break;
			}
		}
	}
	store_match_close(c);
	return rc < 0 ? rc : 0;
}

/* A key with "|" in it cannot be the first half of a composite value, so
 * it needs no prefix range. */
int correlate_scan_key(struct store *s, const struct store_viewer *v,
		       const struct correlate_key *key, struct key_scan *k)
{
	int rc;

	k->n = 0;
	k->over = false;
	if (correlate_excluded(&k->extras, key)) {
		return 0;
	}
	rc = correlate_scan_range(s, v, STORE_MATCH_VALUE, key->text, key->len,
				  key, k);
	if (rc == 0 && !k->over && !memchr(key->text, '|', key->len)) {
		rc = correlate_scan_range(s, v, STORE_MATCH_PREFIX, key->text,
					  key->len, key, k);
	}
	if (rc == 0 && !k->over) {
		rc = correlate_scan_range(s, v, STORE_MATCH_SECOND, key->text,
					  key->len, key, k);
	}
	return rc;
}

const struct correlate_config *
correlate_config_for(const struct correlate_config *cfg,
		     const struct store_viewer *v)
{
	if (cfg) {
		return cfg;
	}
	return v->correlation ? v->correlation : &correlate_config_default;
}

int correlate_scan_init(struct key_scan *k, struct store *s,
			const struct correlate_config *cfg)
{
	memset(k, 0, sizeof(*k));
	k->max_events = cfg->max_events;
	k->fuzzy = cfg;
	k->list = calloc(cfg->max_events + 1, sizeof(*k->list));
	if (!k->list) {
		return CAIRN_ENOMEM;
	}
	return correlate_extras_load(s, &k->extras);
}

void correlate_scan_release(struct key_scan *k)
{
	free(k->list);
	k->list = NULL;
	correlate_extras_release(&k->extras);
}

/* -------- related events -------- */

/* A growing list of events, kept free of repeated ids by compacting it
 * whenever it fills up. */
struct event_set {
	struct correlate_event *list;
	size_t n;
	size_t cap;
	int64_t event_id; /* the requesting event, which is left out */
};

static int event_compare_id(const void *pa, const void *pb)
{
	const struct correlate_event *a = pa, *b = pb;

	return (a->id > b->id) - (a->id < b->id);
}

/* Newest date first; the same date by highest id first. */
static int event_compare_date(const void *pa, const void *pb)
{
	const struct correlate_event *a = pa, *b = pb;
	int by_date = strcmp(b->date, a->date);

	return by_date ? by_date : (b->id > a->id) - (b->id < a->id);
}

static void event_set_compact(struct event_set *set)
{
	size_t kept = 0;

	if (set->n == 0) {
		return;
	}
	qsort(set->list, set->n, sizeof(*set->list), event_compare_id);
	for (size_t i = 1; i < set->n; i++) {
		if (set->list[i].id != set->list[kept].id) {
			set->list[++kept] = set->list[i];
		}
	}
	set->n = kept + 1;
}

static int event_set_add(struct event_set *set,
			 const struct correlate_event *ev)
{
	if (set->n == set->cap) {
		event_set_compact(set);
		/* It grows when compacting freed less than half of it. */
		if (set->n * 2 >= set->cap) {
			size_t cap = set->cap ? set->cap * 2 : 64;
			void *list = realloc(set->list,
					     cap * sizeof(*set->list));

			if (!list) {
				return CAIRN_ENOMEM;
			}
			set->list = list;
			set->cap = cap;
		}
	}
	set->list[set->n++] = *ev;
	return 0;
}

/* Keys already scanned for this event; see RECENT_KEYS. */
struct recent_keys {
	struct buf key[RECENT_KEYS];
	size_t next;
};

static bool recent_has(const struct recent_keys *r,
		       const struct correlate_key *key)
{
	for (size_t i = 0; i < RECENT_KEYS; i++) {
		const struct buf *b = &r->key[i];

		if (b->data && b->len == key->len &&
		    memcmp(b->data, key->text, key->len) == 0) {
			return true;
		}
	}
	return false;
}

static int recent_put(struct recent_keys *r, const struct correlate_key *key)
{
	struct buf *b = &r->key[r->next];

	r->next = (r->next + 1) % RECENT_KEYS;
	buf_clear(b);
	return buf_add(b, key->text, key->len) < 0 ? CAIRN_ENOMEM : 0;
}

/* Adds to `set` the other events of one key, unless it over-correlates. */
static int related_events_of_key(struct store *s, const struct store_viewer *v,
				 const struct correlate_key *key,
				 int64_t event_id, struct key_scan *k,
				 struct event_set *set)
{
	int rc = correlate_scan_key(s, v, key, k);

	for (size_t i = 0; rc == 0 && !k->over && i < k->n; i++) {
		if (k->list[i].id != event_id) {
			rc = event_set_add(set, &k->list[i]);
		}
	}
	return rc;
}

/* Adds the events of one CIDR or fuzzy-hash range to the set, unless it
 * over-correlates. */
static int related_events_of_range(void *ctx, struct key_scan *k)
{
	struct event_set *set = ctx;
	int rc = 0;

	for (size_t i = 0; rc == 0 && !k->over && i < k->n; i++) {
		if (k->list[i].id != set->event_id) {
			rc = event_set_add(set, &k->list[i]);
		}
	}
	return rc;
}

static int related_events_scan(struct store *s, const struct store_viewer *v,
			       int64_t event_id, struct key_scan *k,
			       struct event_set *set)
{
	struct recent_keys recent = {{BUF_INIT, BUF_INIT}, 0};
	struct store_match_cursor *c;
	struct store_match m;
	int rc = store_match_open(s, v, STORE_MATCH_EVENT, event_id, NULL, 0,
				  &c);

	if (rc < 0) {
		return rc;
	}
	while ((rc = store_match_next(c, &m)) == 1) {
		struct correlate_key keys[2];
		size_t n = correlate_keys(m.type, m.value, keys);

		rc = 0;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (recent_has(&recent, &keys[i])) {
				continue;
			}
			rc = related_events_of_key(s, v, &keys[i], event_id, k,
						   set);
			if (rc == 0) {
				rc = recent_put(&recent, &keys[i]);
			}
		}
		if (rc == 0) {
			rc = correlate_scan_net(s, v, &m, k,
						related_events_of_range, set);
		}
		if (rc == 0) {
			rc = correlate_scan_fuzzy(s, v, &m, k,
						  related_events_of_range, set);
		}
		if (rc < 0) {
			break;
		}
	}
	store_match_close(c);
	for (size_t i = 0; i < RECENT_KEYS; i++) {
		buf_release(&recent.key[i]);
	}
	return rc < 0 ? rc : 0;
}

int correlate_related_events(struct store *s, const struct store_viewer *v,
			     const struct correlate_config *cfg,
			     int64_t event_id, struct correlate_event **out,
			     size_t *n)
{
	struct event_set set = {NULL, 0, 0, event_id};
	struct key_scan k;
	int rc;

	*out = NULL;
	*n = 0;
	cfg = correlate_config_for(cfg, v);
	rc = correlate_scan_init(&k, s, cfg);
	if (rc == 0) {
		rc = related_events_scan(s, v, event_id, &k, &set);
	}
	correlate_scan_release(&k);
	if (rc < 0) {
		free(set.list);
		return rc;
	}
	if (set.n > 0) {
		event_set_compact(&set);
		qsort(set.list, set.n, sizeof(*set.list), event_compare_date);
	}
	*out = set.list;
	*n = set.n < cfg->page_size ? set.n : cfg->page_size;
	return 0;
}

/* -------- related attributes -------- */

struct attribute_list {
	struct correlate_attribute *list;
	size_t n;
	size_t page_size;
	int64_t event_id; /* the requesting event, whose rows are left out */
	size_t mark;      /* entries before the current CIDR range */
};

static void attribute_release(struct correlate_attribute *a)
{
	free(a->value);
	free(a->event_info);
	free(a->event_date);
}

void correlate_attributes_free(struct correlate_attribute *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++) {
		attribute_release(&list[i]);
	}
	free(list);
}

static int attribute_collect(void *ctx, const struct store_match *m,
			     const struct correlate_key *key)
{
	struct attribute_list *out = ctx;
	struct correlate_attribute *a;

	if (m->event_id == out->event_id || out->n == out->page_size) {
		return 0;
	}
	a = &out->list[out->n];
	a->attribute_id = m->attribute_id;
	a->event_id = m->event_id;
	a->event_orgc_id = m->event_orgc_id;
	a->value = key ? strndup(key->text, key->len) : strdup(m->value);
	a->event_info = strdup(m->event_info);
	a->event_date = strdup(m->event_date);
	out->n++;
	if (!a->value || !a->event_info || !a->event_date) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

static void attributes_drop_to(struct attribute_list *out, size_t before)
{
	while (out->n > before) {
		attribute_release(&out->list[--out->n]);
	}
}

/* Drops the matches of a CIDR or fuzzy-hash range that over-correlates. */
static int attributes_of_range(void *ctx, struct key_scan *k)
{
	struct attribute_list *out = ctx;

	if (k->over) {
		attributes_drop_to(out, out->mark);
	}
	out->mark = out->n;
	return 0;
}

/* Collects the matches of each key of row `m`, and then its CIDR and
 * fuzzy-hash matches, dropping those of a key or range that proves
 * over-correlating. */
static int related_attributes_of_row(struct store *s,
				     const struct store_viewer *v,
				     const struct store_match *m,
				     struct key_scan *k,
				     struct attribute_list *out)
{
	struct correlate_key keys[2];
	size_t nkeys = correlate_keys(m->type, m->value, keys);
	int rc = 0;

	k->fn = attribute_collect;
	k->ctx = out;
	for (size_t i = 0; rc == 0 && i < nkeys; i++) {
		size_t before = out->n;

		rc = correlate_scan_key(s, v, &keys[i], k);
		if (rc == 0 && k->over) {
			attributes_drop_to(out, before);
		}
	}
	out->mark = out->n;
	if (rc == 0) {
		rc = correlate_scan_net(s, v, m, k, attributes_of_range, out);
	}
	if (rc == 0) {
		rc = correlate_scan_fuzzy(s, v, m, k, attributes_of_range, out);
	}
	return rc;
}

int correlate_related_attributes(struct store *s, const struct store_viewer *v,
				 const struct correlate_config *cfg,
				 int64_t attribute_id,
				 struct correlate_attribute **out, size_t *n)
{
	struct attribute_list list = {NULL, 0, 0, 0, 0};
	struct store_match_cursor *c = NULL;
	struct store_match m;
	struct key_scan k = {NULL};
	int rc;

	*out = NULL;
	*n = 0;
	cfg = correlate_config_for(cfg, v);
	list.page_size = cfg->page_size;
	list.list = calloc(cfg->page_size + 1, sizeof(*list.list));
	rc = list.list ? correlate_scan_init(&k, s, cfg) : CAIRN_ENOMEM;
	if (rc == 0) {
		rc = store_match_open(s, v, STORE_MATCH_ATTRIBUTE, attribute_id,
				      NULL, 0, &c);
	}
	if (rc == 0) {
		rc = store_match_next(c, &m);
	}
	if (rc == 1) {
		list.event_id = m.event_id;
		rc = related_attributes_of_row(s, v, &m, &k, &list);
	}
	store_match_close(c);
	correlate_scan_release(&k);
	if (rc < 0) {
		correlate_attributes_free(list.list, list.n);
		return rc;
	}
	*out = list.list;
	*n = list.n;
	return 0;
}
