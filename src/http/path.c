/* URL path splitting; see path.h for the rules. */
#include "http/path.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char json_suffix[] = ".json";
#define JSON_SUFFIX_LEN (sizeof(json_suffix) - 1)

static int hex_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static bool is_identifier_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Percent-decodes s[0..len) into a new string stored in *out.  `segment`
 * and `segment_len` name the whole raw segment for error messages. */
static int decode(const char *s, size_t len, const char *segment,
		  size_t segment_len, char **out, struct cairn_err *e)
{
	struct buf b = BUF_INIT;
	int high, low;
	char c;

	for (size_t i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			high = i + 2 < len ? hex_value(s[i + 1]) : -1;
			low = high >= 0 ? hex_value(s[i + 2]) : -1;
			if (high < 0 || low < 0) {
				buf_release(&b);
				return cairn_err_set(
					e, CAIRN_EINVAL,
					"invalid percent-encoding in URL path "
					"segment '%.*s': '%%' must be followed "
					"by two hex digits",
					(int)segment_len, segment);
			}
			c = (char)(high * 16 + low);
			if (c == '\0') {
				buf_release(&b);
				return cairn_err_set(
					e, CAIRN_EINVAL,
					"URL path segment '%.*s' contains an "
					"encoded NUL byte",
					(int)segment_len, segment);
			}
			i += 2;
		}
		if (buf_addc(&b, c) < 0) {
			buf_release(&b);
			return cairn_err_set(e, CAIRN_ENOMEM,
					     "out of memory decoding URL path");
		}
	}
	*out = buf_detach(&b);
	if (!*out) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory decoding URL path");
	}
	return 0;
}

/* Returns `array` grown to hold `count` + 1 elements of `size` bytes,
 * updating *cap, or NULL when memory runs out (then `array` is intact). */
static void *grow(void *array, size_t *cap, size_t count, size_t size)
{
	size_t new_cap = *cap ? *cap * 2 : 8;
	void *p;

	if (count < *cap) {
		return array;
	}
	p = realloc(array, new_cap * size);
	if (p) {
		*cap = new_cap;
	}
	return p;
}

static int add_positional(struct path *p, const char *s, size_t len,
			  struct cairn_err *e)
{
	char **segments;
	char *value;
	int rc;

	rc = decode(s, len, s, len, &value, e);
	if (rc < 0) {
		return rc;
	}
	segments = grow(p->segments, &p->segments_cap, p->nsegments,
			sizeof(*p->segments));
	if (!segments) {
		free(value);
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory splitting URL path");
	}
	p->segments = segments;
	p->segments[p->nsegments++] = value;
	return 0;
}

static int add_named(struct path *p, const char *s, size_t len,
		     size_t key_len, struct cairn_err *e)
{
	struct path_param param = {NULL, NULL};
	struct path_param *named;
	struct buf key = BUF_INIT;
	int rc;

	rc = decode(s + key_len + 1, len - key_len - 1, s, len, &param.value,
		    e);
	if (rc < 0) {
		return rc;
	}
	named = grow(p->named, &p->named_cap, p->nnamed, sizeof(*p->named));
	if (named) {
		p->named = named;
	}
	/* The key is kept as sent, except that a list marker reads "[]". */
	if (key_len >= 6 && strncasecmp(s + key_len - 6, "%5B%5D", 6) == 0) {
		key_len -= 6;
		rc = buf_add(&key, s, key_len) < 0 || buf_adds(&key, "[]") < 0;
	} else {
		rc = buf_add(&key, s, key_len) < 0;
	}
	if (!named || rc) {
		free(param.value);
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory splitting URL path");
	}
	param.key = buf_detach(&key);
	p->named[p->nnamed++] = param;
	return 0;
}

/* Returns the length of a list marker "[]", sent plain or as "%5B%5D",
 * at `s`, or 0.  MISP peers send list parameters as "deleted[]:1". */
static size_t list_marker_len(const char *s, size_t len)
{
	if (len >= 2 && s[0] == '[' && s[1] == ']') {
		return 2;
	}
	if (len >= 6 && strncasecmp(s, "%5B%5D", 6) == 0) {
		return 6;
	}
	return 0;
}

/* Returns the length of the identifier (with an optional list marker)
 * before the first ':' of the segment, or 0 when the segment is not a
 * named parameter. */
static size_t named_key_len(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_identifier_char(s[i])) {
		i++;
	}
	if (i > 0) {
		i += list_marker_len(s + i, len - i);
	}
	return i > 0 && i < len && s[i] == ':' ? i : 0;
}

static int add_segment(struct path *p, const char *s, size_t len,
		       struct cairn_err *e)
{
	size_t key_len;

	if (p->nsegments + p->nnamed >= PATH_MAX_SEGMENTS) {
		return cairn_err_set(e, CAIRN_ETOOBIG,
				     "URL path has more than %d segments",
				     PATH_MAX_SEGMENTS);
	}
	key_len = named_key_len(s, len);
	if (key_len > 0) {
		return add_named(p, s, len, key_len, e);
	}
	return add_positional(p, s, len, e);
}

int path_parse(struct path *p, const char *raw, struct cairn_err *e)
{
	const char *query = strchr(raw, '?');
	size_t end = query ? (size_t)(query - raw) : strlen(raw);
	size_t last_end = end;
	size_t start, stop;
	int rc;

	while (last_end > 0 && raw[last_end - 1] == '/') {
		last_end--;
	}

	for (start = 0; start < end; start = stop + 1) {
		stop = start;
		while (stop < end && raw[stop] != '/') {
			stop++;
		}
		size_t len = stop - start;

		if (stop == last_end && len >= JSON_SUFFIX_LEN &&
		    memcmp(raw + stop - JSON_SUFFIX_LEN, json_suffix,
			   JSON_SUFFIX_LEN) == 0) {
			len -= JSON_SUFFIX_LEN;
		}
		if (len == 0) {
			continue;
		}
		rc = add_segment(p, raw + start, len, e);
		if (rc < 0) {
			path_release(p);
			return rc;
		}
	}
	return 0;
}

void path_release(struct path *p)
{
	for (size_t i = 0; i < p->nsegments; i++) {
		free(p->segments[i]);
	}
	for (size_t i = 0; i < p->nnamed; i++) {
		free(p->named[i].key);
		free(p->named[i].value);
	}
	free(p->segments);
	free(p->named);
	p->segments = NULL;
	p->nsegments = 0;
	p->named = NULL;
	p->nnamed = 0;
	p->segments_cap = 0;
	p->named_cap = 0;
}

const char *path_named(const struct path *p, const char *key)
{
	for (size_t i = p->nnamed; i > 0; i--) {
		if (strcmp(p->named[i - 1].key, key) == 0) {
			return p->named[i - 1].value;
		}
	}
	return NULL;
}
