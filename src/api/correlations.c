/*
 * MISP's /correlations/overCorrelations for site admins: the values that
 * stopped correlating because more events than correlation_limit have
 * them, most frequent first, paged with the named parameters limit
 * (default 50) and page, and filtered with scope (over_correlating,
 * not_over_correlating or all).
 */
#include "api/api.h"
#include "correlate/correlate.h"

#include <stdlib.h>
#include <string.h>

#define OVER_PAGE_DEFAULT 50
#define OVER_PAGE_MAX 100000

/* Reads a positive named parameter; returns false after sending 400. */
static bool named_count(struct api_ctx *c, const char *key, long fallback,
			long *out)
{
	const char *text = path_named(&c->path, key);
	char *end = NULL;
	long value;

	*out = fallback;
	if (!text) {
		return true;
	}
	value = strtol(text, &end, 10);
	if (!*text || *end || value < 1 || value > OVER_PAGE_MAX) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg,
			   "invalid %s '%s': expected a whole number from 1 "
			   "to 100000",
			   key, text);
		api_error(c, 400, buf_str(&msg), NULL);
		buf_release(&msg);
		return false;
	}
	*out = value;
	return true;
}

static json_t *over_json(const struct correlate_over *o)
{
	return json_pack("{s:{s:s, s:I}, s:b}", "OverCorrelatingValue",
			 "value", o->value, "occurrence",
			 (json_int_t)o->occurrence, "excluded", o->excluded);
}

int api_correlation_over(struct api_ctx *c)
{
	const char *scope = path_named(&c->path, "scope");
	struct correlate_over *list = NULL;
	json_t *out;
	long limit, page;
	size_t n = 0, first;
	int rc;

	if (scope && strcmp(scope, "over_correlating") != 0 &&
	    strcmp(scope, "not_over_correlating") != 0 &&
	    strcmp(scope, "all") != 0) {
		return api_error(c, 400,
				 "invalid scope: expected over_correlating, "
				 "not_over_correlating or all",
				 NULL);
	}
	if (!named_count(c, "limit", OVER_PAGE_DEFAULT, &limit) ||
	    !named_count(c, "page", 1, &page)) {
		return 0;
	}
	out = json_array();
	/* Every listed value over-correlates, so the other scope is empty. */
	if (scope && strcmp(scope, "not_over_correlating") == 0) {
		return api_send_json(c, out);
	}
	rc = correlate_over_values(c->store, &c->viewer, &c->app->correlation,
				   &list, &n);
	if (rc < 0) {
		json_decref(out);
		return api_error_rc(c, rc, NULL);
	}
	first = (size_t)(page - 1) * (size_t)limit;
	for (size_t i = first; out && i < n && i < first + (size_t)limit; i++) {
		if (json_array_append_new(out, over_json(&list[i])) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	correlate_over_free(list, n);
	if (!out) {
		return api_error(c, 500, "out of memory", NULL);
	}
	return api_send_json(c, out);
}
