/*
 * The feed values that bench/correlate and bench/raw_step draw from: a
 * TSV file of type and value pairs, one to a line, that the bench script
 * writes from the feed's events.
 */
#ifndef CAIRN_BENCH_VALUES_H
#define CAIRN_BENCH_VALUES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pair {
	char *type;
	char *value;
};

static inline double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads the pairs of `path` into a new array of *n pairs. */
static inline struct pair *load_pairs(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct pair *pairs = NULL;
	size_t cap = 0;
	char line[4096];

	*n = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');

		if (!tab || !nl) {
			continue;
		}
		*tab = *nl = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			pairs = realloc(pairs, cap * sizeof(*pairs));
		}
		pairs[*n].type = strdup(line);
		pairs[(*n)++].value = strdup(tab + 1);
	}
	if (f) {
		fclose(f);
	}
	return pairs;
}

#endif
