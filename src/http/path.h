/*
 * URL path splitting for the router.
 *
 * path_parse() splits a request path such as
 * "/attributes/restSearch/returnFormat:csv/type:ip-dst.json" into its
 * positional segments ("attributes", "restSearch") and its CakePHP named
 * parameters (returnFormat=csv, type=ip-dst), which MISP accepts in place
 * of query arguments.  Each segment is percent-decoded on its own, so an
 * encoded "%2F" stays inside its segment instead of splitting it.
 *
 * Rules, in the order they apply:
 * - The path ends at the first '?'; empty segments (from a leading,
 *   trailing or doubled '/') are skipped.
 * - A trailing ".json" is stripped from the last segment, so that
 *   "/events/view/12.json" routes like "/events/view/12".
 * - A segment is a named parameter when it contains ':' and the bytes
 *   before the first ':' are a non-empty identifier ([A-Za-z0-9_]+, not
 *   percent-encoded).  The value is everything after that ':', decoded,
 *   so "last:7d" and "timestamp:1d:2d" are named and a UUID is not.
 *   An encoded colon ("%3A") never makes a segment named.  The identifier
 *   may end in a list marker, "[]" or "%5B%5D", which the key keeps as
 *   "[]" ("deleted[]:1" has the key "deleted[]").
 * - '+' is kept as is, because it means a space only in query strings.
 * - An invalid escape (a '%' not followed by two hex digits) or an escape
 *   that decodes to a NUL byte makes the whole path invalid.
 */
#ifndef CAIRN_HTTP_PATH_H
#define CAIRN_HTTP_PATH_H

#include "core/err.h"

#include <stddef.h>

/* Positional and named segments together may not exceed this count, so a
 * path of thousands of slashes cannot make the parser allocate for each. */
#define PATH_MAX_SEGMENTS 64

struct path_param {
	char *key;   /* as sent, never empty */
	char *value; /* decoded, possibly empty ("limit:") */
};

struct path {
	char **segments; /* positional segments, decoded, in request order */
	size_t nsegments;
	struct path_param *named; /* named parameters in request order */
	size_t nnamed;
	size_t segments_cap; /* allocated elements of each array */
	size_t named_cap;
};

#define PATH_INIT {NULL, 0, NULL, 0, 0, 0}

/* Parses `raw` into `p`, which must be empty (PATH_INIT or released).  The
 * struct owns every string; free them with path_release().  Returns 0,
 * CAIRN_EINVAL for a bad escape or an escaped NUL, CAIRN_ETOOBIG past
 * PATH_MAX_SEGMENTS, or CAIRN_ENOMEM, with the message in `e` (which may
 * be NULL).  On failure `p` is left empty. */
int path_parse(struct path *p, const char *raw, struct cairn_err *e);

/* Frees the strings and arrays of `p` and leaves it empty. */
void path_release(struct path *p);

/* Returns the value of named parameter `key` (compared exactly), or NULL
 * when the path has none.  When a key repeats, the last value wins. */
const char *path_named(const struct path *p, const char *key);

#endif
