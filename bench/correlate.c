/*
 * Correlation benchmark: the rate of inserting attributes and computing
 * their correlations, measured with 10,000, 100,000 and 1,000,000
 * attributes already stored.  Values are drawn from real feed values
 * (type and value pairs read from a TSV file), so correlations occur as
 * often as in the data.  Each size runs STEPS steps one after the other
 * and prints their mean rate, so that a step whose commit also runs a
 * checkpoint counts as much as one whose commit does not.  Prints
 * figures; it does not pass or fail.
 *
 * usage: correlate DATA_DIR VALUES.tsv
 */
#include "core/util.h"
#include "correlate/correlate.h"
#include "model/misp.h"
#include "store/store.h"
#include "values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Insert-and-correlate steps measured at each size. */
#define STEPS 5

static int64_t add_event(struct store *s, int64_t n)
{
	struct record ev;
	char uuid[UUID_TEXT_SIZE];
	int64_t id = 0;

	record_init(&ev, &model_event);
	uuid_generate(uuid);
	record_set_text(&ev, EVENT_UUID, uuid);
	record_set_text(&ev, EVENT_INFO, "bench");
	record_set_text(&ev, EVENT_DATE, "2026-12-04");
	record_set_int(&ev, EVENT_ORG_ID, 1);
	record_set_int(&ev, EVENT_ORGC_ID, 1);
	record_set_int(&ev, EVENT_TIMESTAMP, n);
	store_insert(s, &ev, &id);
	record_release(&ev);
	return id;
}

/* Adds one attribute; `unique` makes its value new, so that only part of
 * the stored values repeat, as in real data. */
static int add_attribute(struct store *s, int64_t event_id,
			 const struct pair *p, bool unique, int64_t n,
			 int64_t *id)
{
	struct record a;
	char uuid[UUID_TEXT_SIZE], value[4200];
	int rc;

	record_init(&a, &model_attribute);
	uuid_generate(uuid);
	snprintf(value, sizeof(value), unique ? "%s-%lld" : "%s", p->value,
		 (long long)n);
	record_set_text(&a, ATTR_UUID, uuid);
	record_set_text(&a, ATTR_TYPE, p->type);
	record_set_text(&a, ATTR_CATEGORY, "Network activity");
	record_set_text(&a, ATTR_VALUE, value);
	record_set_int(&a, ATTR_EVENT_ID, event_id);
	record_set_int(&a, ATTR_TIMESTAMP, n);
	rc = store_insert(s, &a, id);
	record_release(&a);
	return rc;
}

/* Grows the store to `target` attributes, 500 per event. */
static void fill(struct store *s, const struct pair *pairs, size_t npairs,
		 int64_t *stored, int64_t target)
{
	int64_t event = 0, id;

	store_begin(s);
	while (*stored < target) {
		if (*stored % 500 == 0) {
			event = add_event(s, *stored);
		}
		add_attribute(s, event, &pairs[rand() % npairs],
			      rand() % 2 == 0, *stored, &id);
		(*stored)++;
		if (*stored % 50000 == 0) {
			store_commit(s);
			store_begin(s);
		}
	}
	store_commit(s);
}

/* Inserts one event of `count` real values and computes the correlations
 * of each attribute and of the event.  Returns the seconds it took.  It
 * adds the related attributes found to *found, and the seconds spent in
 * the lookups to *lookup. */
static double insert_and_correlate(struct store *s, const struct pair *pairs,
				   size_t npairs, int64_t *stored, int count,
				   size_t *found, double *lookup)
{
	struct correlate_attribute *related;
	struct correlate_event *events;
	double start = now(), looking = 0, t;
	int64_t event, id;
	size_t n;

	store_begin(s);
	event = add_event(s, *stored);
	for (int i = 0; i < count; i++) {
		add_attribute(s, event, &pairs[rand() % npairs], false,
			      *stored, &id);
		(*stored)++;
		t = now();
		if (correlate_related_attributes(s, &store_viewer_system,
						 &correlate_config_default,
						 id, &related, &n) == 0) {
			*found += n;
			correlate_attributes_free(related, n);
		}
		looking += now() - t;
	}
	store_commit(s);
	t = now();
	if (correlate_related_events(s, &store_viewer_system,
				     &correlate_config_default, event,
				     &events, &n) == 0) {
		free(events);
	}
	looking += now() - t;
	*lookup += looking;
	return now() - start;
}

int main(int argc, char **argv)
{
	static const int64_t sizes[] = {10000, 100000, 1000000};
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store *s;
	struct pair *pairs;
	size_t npairs, found;
	int64_t stored = 0;
	double first = 0, lookup = 0;
	char path[4096];

	if (argc != 3) {
		fprintf(stderr, "usage: correlate DATA_DIR VALUES.tsv\n");
		return 2;
	}
	util_init();
	srand(42);
	pairs = load_pairs(argv[2], &npairs);
	snprintf(path, sizeof(path), "%s/cairn.db", argv[1]);
	if (npairs == 0 || store_open(&s, path, &e) < 0) {
		fprintf(stderr, "cannot read values or open %s\n", path);
		return 1;
	}
	printf("%zu real values to draw from\n", npairs);
	for (size_t i = 0; i < 3; i++) {
		double seconds = 0, rate;

		fill(s, pairs, npairs, &stored, sizes[i]);
		found = 0;
		lookup = 0;
		for (int step = 0; step < STEPS; step++) {
			seconds += insert_and_correlate(s, pairs, npairs,
							&stored, 2000, &found,
							&lookup);
		}
		rate = STEPS * 2000 / seconds;
		if (i == 0) {
			first = rate;
		}
		printf("%8lld stored: %7.0f attributes/s inserted and "
		       "correlated (%zu related attributes found per step, "
		       "%.0f%% of the time in lookups), %.0f%% of the rate at "
		       "10,000\n",
		       (long long)sizes[i], rate, found / STEPS,
		       100 * lookup / seconds, 100 * rate / first);
	}
	store_close(s);
	return 0;
}
