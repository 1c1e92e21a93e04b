/*
 * Warninglist check rate: loads every list of a folder, enables them all,
 * then checks the (type, value) lines of a file against all of them at
 * once on one thread, repeating the file for at least two seconds.
 * Prints the load time, the matchers' memory, the hit rate and the number
 * of checks per second, with and without the types (without them every
 * list applies, as in MISP's checkValue endpoint).
 *
 * usage: warninglist_check LISTS_DIR VALUES_FILE
 * VALUES_FILE has one "type<TAB>value" per line.
 */
#include "correlate/warninglist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sample {
	char *type;
	char *value;
};

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t read_samples(const char *path, struct sample **out)
{
	FILE *f = fopen(path, "r");
	struct sample *v = NULL;
	size_t n = 0, cap = 0;
	char line[8192];

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		if (!tab) {
			continue;
		}
		*tab = '\0';
		line[strcspn(tab + 1, "\n") + (size_t)(tab + 1 - line)] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
			if (!v) {
				exit(1);
			}
		}
		v[n].type = strdup(line);
		v[n].value = strdup(tab + 1);
		n++;
	}
	fclose(f);
	*out = v;
	return n;
}

/* Checks every sample, repeating until `min_seconds` have passed; returns
 * checks per second and sets *hit_share to the share with any hit. */
static double run(struct warninglist_set *set, const struct sample *s,
		  size_t n, bool typed, double min_seconds, double *hit_share)
{
	size_t cap = warninglist_count(set), checks = 0, hit = 0;
	struct warninglist_hit *hits = malloc(cap * sizeof(*hits));
	double t0 = seconds(), t;

	do {
		for (size_t i = 0; i < n; i++) {
			hit += warninglist_check(set, typed ? s[i].type : NULL,
						 s[i].value, hits, cap) != 0;
		}
		checks += n;
		t = seconds() - t0;
	} while (t < min_seconds);
	free(hits);
	*hit_share = (double)hit / (double)checks;
	return (double)checks / t;
}

int main(int argc, char **argv)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct warninglist_set *set;
	struct sample *samples;
	double t0, load, rate, share;
	size_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: %s LISTS_DIR VALUES_FILE\n", argv[0]);
		return 2;
	}
	t0 = seconds();
	if (warninglist_set_load(&set, argv[1], &e) < 0) {
		fprintf(stderr, "error: %s\n", buf_str(&e.message));
		return 1;
	}
	load = seconds() - t0;
	for (size_t id = 1; id <= warninglist_count(set); id++) {
		warninglist_set_enabled(set, (int)id, true);
	}
	n = read_samples(argv[2], &samples);
	printf("loaded %zu lists, %zu entries in %.0f ms; matchers take "
	       "%.1f MB\n",
	       warninglist_count(set), warninglist_entry_total(set),
	       load * 1000, (double)warninglist_memory(set) / 1e6);
	printf("values: %zu from the feed, all lists enabled, one thread\n",
	       n);
	rate = run(set, samples, n, true, 2.0, &share);
	printf("with attribute types (matching_attributes applied): "
	       "%.0f checks/s, %.1f%% of values hit a list\n",
	       rate, share * 100);
	rate = run(set, samples, n, false, 2.0, &share);
	printf("without types (every list applies, as checkValue):  "
	       "%.0f checks/s, %.1f%% of values hit a list\n",
	       rate, share * 100);
	printf("target: 1000000 checks/s\n");
	for (size_t i = 0; i < n; i++) {
		free(samples[i].type);
		free(samples[i].value);
	}
	free(samples);
	warninglist_set_free(set);
	return 0;
}
