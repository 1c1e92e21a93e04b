/*
 * The streaming reader of misp-galaxy cluster files.
 *
 * Cluster files are most of the library (36 MB in misp-galaxy of August
 * 2026), and building a jansson tree of each costs several times the
 * parse.  So yajl's event parser reads a file in one pass, keeps the
 * scalar fields it needs, and takes each cluster's "meta" and "related"
 * members as their bytes in the file, with the white space outside
 * strings removed.  yajl has already checked that the bytes are valid
 * JSON when the closing bracket arrives.
 *
 * Positions: depth 1 is the file's object, 2 the "values" array, 3 one
 * cluster, 4 a member of the cluster (the "meta" object), 5 the synonym
 * list inside "meta".
 */
#include "core/buf.h"
#include "model/galaxy_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

enum member {
	M_OTHER,
	M_TYPE,
	M_UUID,
	M_SOURCE,
	M_VERSION,
	M_AUTHORS,
	M_VALUES,
	M_VALUE,
	M_DESCRIPTION,
	M_META,
	M_RELATED,
	M_SYNONYMS,
};

#define MAX_TRACKED_DEPTH 5

struct stream {
	struct galaxy_set *set;
	const char *path;
	struct cairn_err *e;
	yajl_handle yajl;
	const char *text;
	int depth;
	enum member keys[MAX_TRACKED_DEPTH + 1]; /* last key at each depth */
	size_t capture_start;
	int capture_depth; /* 0 when nothing is captured */
	char **capture_to;
	struct galaxy_cluster *cluster; /* the cluster being read, or NULL */
	char *type, *uuid, *source, *authors;
	int64_t version;
	size_t first_cluster;
	size_t synonyms_cap;
	int rc;
};

static enum member member_of(const unsigned char *key, size_t len, int depth)
{
	static const struct {
		int depth;
		const char *name;
		enum member member;
	} names[] = {
		{1, "type", M_TYPE},	       {1, "uuid", M_UUID},
		{1, "source", M_SOURCE},       {1, "version", M_VERSION},
		{1, "authors", M_AUTHORS},     {1, "values", M_VALUES},
		{3, "value", M_VALUE},	       {3, "uuid", M_UUID},
		{3, "description", M_DESCRIPTION}, {3, "meta", M_META},
		{3, "related", M_RELATED},     {4, "synonyms", M_SYNONYMS},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].depth == depth && strlen(names[i].name) == len &&
		    memcmp(names[i].name, key, len) == 0) {
			return names[i].member;
		}
	}
	return M_OTHER;
}

static int fail_memory(struct stream *st)
{
	st->rc = cairn_err_set(st->e, CAIRN_ENOMEM,
			       "out of memory loading '%s'", st->path);
	return 0; /* stops the parse */
}

static char *keep_span(struct stream *st, const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy) {
		return NULL;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	st->set->memory += len + 1;
	return copy;
}

/* JSON's four white-space characters (RFC 8259). */
static bool is_json_space(char ch)
{
	return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
}

/* Copies the JSON text [start, end) without the white space outside its
 * strings. */
static char *compact_span(struct stream *st, size_t start, size_t end)
{
	char *out = malloc(end - start + 1);
	bool in_string = false, escaped = false;
	size_t n = 0;

	if (!out) {
		return NULL;
	}
	for (size_t i = start; i < end; i++) {
		char ch = st->text[i];

		if (in_string) {
			in_string = escaped || ch != '"';
			escaped = !escaped && ch == '\\';
		} else if (is_json_space(ch)) {
			continue;
		} else {
			in_string = ch == '"';
		}
		out[n++] = ch;
	}
	out[n] = '\0';
	st->set->memory += n + 1;
	return out;
}

static size_t consumed(const struct stream *st)
{
	return yajl_get_bytes_consumed(st->yajl);
}

/* Starts capturing a container that opens at the current position. */
static void capture_begin(struct stream *st, char **to)
{
	st->capture_start = consumed(st) - 1;
	st->capture_depth = st->depth;
	st->capture_to = to;
}

static int capture_end(struct stream *st)
{
	if (st->capture_depth != st->depth) {
		return 1;
	}
	free(*st->capture_to);
	*st->capture_to = compact_span(st, st->capture_start, consumed(st));
	st->capture_depth = 0;
	return *st->capture_to ? 1 : fail_memory(st);
}

static int open_container(struct stream *st, bool is_map)
{
	st->depth++;
	if (st->depth <= MAX_TRACKED_DEPTH) {
		st->keys[st->depth] = M_OTHER;
	}
	if (st->capture_depth) {
		return 1;
	}
	if (is_map && st->depth == 3 && st->keys[1] == M_VALUES) {
		if (galaxy_grow_clusters(st->set, 1) < 0) {
			return fail_memory(st);
		}
		st->cluster = &st->set->clusters[st->set->nclusters];
		memset(st->cluster, 0, sizeof(*st->cluster));
		st->synonyms_cap = 0;
		return 1;
	}
	if (st->depth == 2 && st->keys[1] == M_AUTHORS && !is_map) {
		capture_begin(st, &st->authors);
	} else if (st->depth == 4 && st->cluster && st->keys[3] == M_META &&
		   is_map) {
		capture_begin(st, &st->cluster->meta);
	} else if (st->depth == 4 && st->cluster &&
		   st->keys[3] == M_RELATED) {
		capture_begin(st, &st->cluster->related);
	}
	return 1;
}

static int finish_cluster(struct stream *st)
{
	struct galaxy_cluster *c = st->cluster;
	size_t index = st->set->nclusters - st->first_cluster;

	/* On failure st->cluster stays set, so release_partial() frees it. */
	if (!c->value || !*c->value || !c->uuid) {
		st->rc = cairn_err_set(st->e, CAIRN_EINVAL,
				       "invalid cluster %zu in '%s': expected "
				       "'value' and 'uuid'",
				       index, st->path);
		return 0;
	}
	c->description = c->description ? c->description : keep_span(st, "", 0);
	if (!c->description) {
		return fail_memory(st);
	}
	st->cluster = NULL;
	st->set->nclusters++;
	return 1;
}

static int close_container(struct stream *st)
{
	int ok = st->capture_depth ? capture_end(st) : 1;

	if (ok && st->depth == 3 && st->cluster && !st->capture_depth) {
		ok = finish_cluster(st);
	}
	st->depth--;
	return ok;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, true);
}

static int on_end_map(void *ctx)
{
	return close_container(ctx);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, false);
}

static int on_end_array(void *ctx)
{
	return close_container(ctx);
}

static int on_key(void *ctx, const unsigned char *key, size_t len)
{
	struct stream *st = ctx;

	if (st->depth <= MAX_TRACKED_DEPTH && !st->capture_depth) {
		st->keys[st->depth] = member_of(key, len, st->depth);
	} else if (st->depth == 4 && st->capture_depth == 4) {
		/* Inside "meta": only "synonyms" is read as well. */
		st->keys[4] = member_of(key, len, 4);
	}
	return 1;
}

static int add_synonym(struct stream *st, const char *s, size_t len)
{
	struct galaxy_cluster *c = st->cluster;

	if (c->nsynonyms == st->synonyms_cap) {
		size_t cap = st->synonyms_cap ? st->synonyms_cap * 2 : 8;
		char **grown = realloc(c->synonyms, cap * sizeof(char *));

		if (!grown) {
			return fail_memory(st);
		}
		st->set->memory += (cap - st->synonyms_cap) * sizeof(char *);
		c->synonyms = grown;
		st->synonyms_cap = cap;
	}
	c->synonyms[c->nsynonyms] = keep_span(st, s, len);
	if (!c->synonyms[c->nsynonyms]) {
		return fail_memory(st);
	}
	c->nsynonyms++;
	return 1;
}

/* Stores a string into *to, replacing an earlier one. */
static int keep_into(struct stream *st, char **to, const char *s, size_t len)
{
	free(*to);
	*to = keep_span(st, s, len);
	return *to ? 1 : fail_memory(st);
}

static int on_string(void *ctx, const unsigned char *value, size_t len)
{
	struct stream *st = ctx;
	const char *s = (const char *)value;

	if (st->depth == 1) {
		switch (st->keys[1]) {
		case M_TYPE:
			return keep_into(st, &st->type, s, len);
		case M_UUID:
			return keep_into(st, &st->uuid, s, len);
		case M_SOURCE:
			return keep_into(st, &st->source, s, len);
		case M_VERSION:
			st->version = strtoll(s, NULL, 10);
			return 1;
		default:
			return 1;
		}
	}
	if (st->depth == 3 && st->cluster && !st->capture_depth) {
		switch (st->keys[3]) {
		case M_VALUE:
			return keep_into(st, &st->cluster->value, s, len);
		case M_UUID:
			return keep_into(st, &st->cluster->uuid, s, len);
		case M_DESCRIPTION:
			return keep_into(st, &st->cluster->description, s, len);
		default:
			return 1;
		}
	}
	if (st->depth == 5 && st->cluster && st->capture_depth == 4 &&
	    st->keys[4] == M_SYNONYMS) {
		return add_synonym(st, s, len);
	}
	return 1;
}

static int on_integer(void *ctx, long long value)
{
	struct stream *st = ctx;

	if (st->depth == 1 && st->keys[1] == M_VERSION) {
		st->version = value;
	}
	return 1;
}

static const yajl_callbacks stream_callbacks = {
	.yajl_integer = on_integer,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_end_map,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end_array,
};

static int read_file(const char *path, struct buf *out, struct cairn_err *e)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		return cairn_err_set(e, CAIRN_EIO, "cannot open '%s'", path);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(out, chunk, n) < 0) {
			fclose(f);
			return cairn_err_set(e, CAIRN_ENOMEM,
					     "out of memory reading '%s'",
					     path);
		}
	}
	n = (size_t)ferror(f);
	fclose(f);
	return n ? cairn_err_set(e, CAIRN_EIO, "cannot read '%s'", path) : 0;
}

static int parse_error(struct stream *st, const struct buf *text)
{
	unsigned char *detail = yajl_get_error(
		st->yajl, 0, (const unsigned char *)text->data, text->len);
	int rc = cairn_err_set(st->e, CAIRN_EINVAL,
			       "invalid JSON in '%s' near byte %zu: %s",
			       st->path, consumed(st), (const char *)detail);

	yajl_free_error(st->yajl, detail);
	return rc;
}

/* Fills the collection of the file and the tag names and keys of its
 * clusters, which need the file's type. */
static int finish_file(struct stream *st)
{
	struct galaxy_set *set = st->set;
	size_t galaxy = st->type ? galaxy_type_index(set, st->type)
				 : set->ngalaxies;
	struct collection *col = &set->collections[set->ncollections];
	struct buf text = BUF_INIT;

	if (galaxy == set->ngalaxies) {
		return cairn_err_set(st->e, CAIRN_EINVAL,
				     "invalid cluster file '%s': expected a "
				     "'type' that a galaxy defines",
				     st->path);
	}
	col->uuid = st->uuid ? st->uuid : keep_span(st, "", 0);
	col->source = st->source ? st->source : keep_span(st, "", 0);
	col->authors = st->authors;
	col->version = st->version;
	col->galaxy = galaxy;
	st->uuid = st->source = st->authors = NULL;
	for (size_t i = st->first_cluster; i < set->nclusters; i++) {
		struct galaxy_cluster *c = &set->clusters[i];

		c->collection = set->ncollections;
		c->id = (int64_t)i + 1;
		buf_clear(&text);
		buf_printf(&text, "misp-galaxy:%s=\"%s\"", st->type, c->value);
		c->tag_name = keep_span(st, text.data, text.len);
		buf_clear(&text);
		buf_printf(&text, "%s/%s", st->type, c->uuid);
		c->key = keep_span(st, text.data, text.len);
		if (!c->tag_name || !c->key) {
			buf_release(&text);
			fail_memory(st);
			return st->rc;
		}
	}
	buf_release(&text);
	set->ncollections++;
	return col->uuid && col->source ? 0 : (fail_memory(st), st->rc);
}

/* Frees what a failed parse left: the strings of the file and of a
 * cluster that was not finished. */
static void release_partial(struct stream *st)
{
	if (st->cluster) {
		free(st->cluster->value);
		free(st->cluster->uuid);
		free(st->cluster->description);
		free(st->cluster->meta);
		free(st->cluster->related);
		for (size_t i = 0; i < st->cluster->nsynonyms; i++) {
			free(st->cluster->synonyms[i]);
		}
		free(st->cluster->synonyms);
		memset(st->cluster, 0, sizeof(*st->cluster));
	}
	free(st->type);
	free(st->uuid);
	free(st->source);
	free(st->authors);
}

int galaxy_load_cluster_file(struct galaxy_set *set, const char *path,
			     struct cairn_err *e)
{
	struct stream st = {.set = set, .path = path, .e = e, .version = 1};
	struct buf text = BUF_INIT;
	int rc = read_file(path, &text, e);

	st.first_cluster = set->nclusters;
	if (rc == 0) {
		st.text = text.data ? text.data : "";
		st.yajl = yajl_alloc(&stream_callbacks, NULL, &st);
		rc = st.yajl ? 0
			     : cairn_err_set(e, CAIRN_ENOMEM,
					     "out of memory loading '%s'",
					     path);
	}
	if (rc == 0) {
		yajl_status status = yajl_parse(
			st.yajl, (const unsigned char *)st.text, text.len);

		if (status == yajl_status_ok) {
			status = yajl_complete_parse(st.yajl);
		}
		if (st.rc < 0) {
			rc = st.rc;
		} else if (status != yajl_status_ok) {
			rc = parse_error(&st, &text);
		}
	}
	if (rc == 0) {
		rc = finish_file(&st);
	}
	if (st.yajl) {
		yajl_free(st.yajl);
	}
	release_partial(&st);
	buf_release(&text);
	return rc;
}
