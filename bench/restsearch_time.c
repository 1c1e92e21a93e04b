/*
 * Timer for the restSearch benchmark: the exact-value attribute search
 * as Cairn serves it (filters parsed and normalised, one statement with
 * the visibility conditions, MISP's JSON written row by row) against a
 * raw indexed SQLite SELECT of the same rows, in one process and one
 * run.  Both are prepared on every round, as a one-off request is.
 *
 * usage: restsearch_time DB VALUE ROUNDS [ORG_ID]
 * ORG_ID searches as a user of that organisation instead of the site
 * admin.  Prints the median of each and their ratio; it does not pass or
 * fail.
 */
#include "api/search.h"
#include "store/internal.h"
#include "store/search.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

/* One search as attributes/restSearch runs it; returns the rows. */
static int64_t cairn_search(struct store *s, const struct store_viewer *v,
			    json_t *body, size_t *bytes)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;
	struct search_output_config cfg;
	struct search_output *o = NULL;
	struct buf out = BUF_INIT;
	int64_t rows = -1;
	int rc = search_request_parse(&r, SEARCH_EP_ATTRIBUTES, body, NULL, s,
				      0, &e);

	if (rc == 0) {
		rc = search_prepare(&r, SEARCH_EP_ATTRIBUTES, NULL, &cfg, &e);
	}
	if (rc == 0) {
		cfg.store = s;
		cfg.viewer = v;
		rc = search_output_open(&o, &cfg);
	}
	while (rc == 0 && (rc = search_output_next(o, &out, &e)) == 1) {
		rc = 0;
	}
	if (rc == 0) {
		rows = search_output_rows(o);
		*bytes = out.len;
	} else {
		fprintf(stderr, "search failed: %s\n", buf_str(&e.message));
	}
	search_output_close(o);
	search_request_release(&r);
	buf_release(&out);
	cairn_err_release(&e);
	return rows;
}

/* The same rows read with a plain indexed SELECT of every column. */
static int64_t raw_select(sqlite3 *db, const char *value)
{
	sqlite3_stmt *st;
	int64_t rows = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT id, type, category, to_ids, uuid, "
			       "event_id, distribution, timestamp, comment, "
			       "sharing_group_id, deleted, "
			       "disable_correlation, object_id, "
			       "object_relation, first_seen, last_seen, value "
			       "FROM attributes WHERE value = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		return -1;
	}
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < 17; i++) {
			(void)sqlite3_column_text(st, i);
		}
		rows++;
	}
	sqlite3_finalize(st);
	return rows;
}

int main(int argc, char **argv)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store_viewer user = STORE_VIEWER_INIT;
	const struct store_viewer *viewer = &store_viewer_system;
	struct store *s;
	json_t *body;
	double *ours, *raw;
	int rounds;
	int64_t rows = 0, raw_rows = 0;
	size_t bytes = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: restsearch_time DB VALUE ROUNDS "
				"[ORG_ID]\n");
		return 2;
	}
	rounds = atoi(argv[3]);
	if (rounds < 1 || store_open(&s, argv[1], &e) < 0) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1],
			buf_str(&e.message));
		return 1;
	}
	if (argc > 4) {
		store_viewer_load(s, 0, atoll(argv[4]), false, &user);
		viewer = &user;
	}
	body = json_pack("{s:s}", "value", argv[2]);
	ours = calloc((size_t)rounds, sizeof(*ours));
	raw = calloc((size_t)rounds, sizeof(*raw));
	cairn_search(s, viewer, body, &bytes); /* warms the page cache */
	raw_select(store_db(s), argv[2]);
	for (int i = 0; i < rounds; i++) {
		double t0 = now_us();

		rows = cairn_search(s, viewer, body, &bytes);
		ours[i] = now_us() - t0;
		t0 = now_us();
		raw_rows = raw_select(store_db(s), argv[2]);
		raw[i] = now_us() - t0;
	}
	printf("rows %lld (raw %lld), json %zu bytes; cairn %.1f us, raw "
	       "select %.1f us, ratio %.2f (median of %d)\n",
	       (long long)rows, (long long)raw_rows, bytes,
	       median(ours, rounds), median(raw, rounds),
	       median(ours, rounds) / median(raw, rounds), rounds);
	free(ours);
	free(raw);
	json_decref(body);
	store_viewer_release(&user);
	store_close(s);
	cairn_err_release(&e);
	return 0;
}
