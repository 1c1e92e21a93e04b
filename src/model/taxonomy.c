/*
 * Taxonomies loaded from misp-taxonomies: parsing machinetag.json into
 * entries, tag-name lookups and the exclusivity check.
 *
 * Each taxonomy keeps its entries in MISP's order (the predicates in file
 * order, each predicate's values in file order, a predicate without
 * values as one entry), because taxonomies/view lists them so and the
 * palette colours follow that order.
 */
#include "model/taxonomy.h"
#include "core/buf.h"
#include "model/libdir.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct tax_predicate {
	char *value;
	bool exclusive;
};

struct tax_entry {
	char *tag, *expanded, *description, *colour;
	size_t predicate; /* index into predicates */
	const char *value; /* inside `tag`, NULL for a predicate tag */
	bool has_colour, has_numerical_value;
	int64_t numerical_value;
};

struct taxonomy {
	char *namespace_name, *description;
	int64_t version;
	bool exclusive;
	_Atomic int64_t id;
	_Atomic bool enabled;
	struct tax_predicate *predicates;
	size_t npredicates;
	struct tax_entry *entries;
	size_t nentries;
};

struct taxonomy_set {
	struct taxonomy *items;
	size_t count;
	size_t memory;
};

/* Parsing ---------------------------------------------------------- */

struct tag_parts {
	const char *ns, *predicate, *value;
	size_t ns_len, predicate_len, value_len; /* value_len 0: no value */
};

/* Splits a tag name the way MISP's Taxonomy::splitTagToComponents does:
 * namespace and predicate without ':', '=' or '"', then optionally ="value"
 * with a value without '"'.  Returns false for any other name. */
static bool split_tag(const char *tag, struct tag_parts *p)
{
	const char *s = tag;

	memset(p, 0, sizeof(*p));
	p->ns = s;
	while (*s && !strchr(":=\"", *s)) {
		s++;
	}
	p->ns_len = (size_t)(s - p->ns);
	if (*s != ':' || p->ns_len == 0) {
		return false;
	}
	p->predicate = ++s;
	while (*s && !strchr(":=\"", *s)) {
		s++;
	}
	p->predicate_len = (size_t)(s - p->predicate);
	if (p->predicate_len == 0) {
		return false;
	}
	if (*s == '\0') {
		return true;
	}
	if (s[0] != '=' || s[1] != '"') {
		return false;
	}
	p->value = s + 2;
	s = strchr(p->value, '"');
	if (!s || s == p->value || s[1] != '\0') {
		return false;
	}
	p->value_len = (size_t)(s - p->value);
	return true;
}

static bool span_equal(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

/* Writes a palette colour for entry `k` of `count`: hues spread evenly
 * around the wheel from a start that the namespace picks, at HSV
 * saturation 0.6 and value 0.8, so that taxonomies without colours of
 * their own look distinct.  This is not MISP's ColourPaletteTool, whose
 * exact colours Cairn does not reproduce. */
static void palette_colour(const char *ns, size_t k, size_t count,
			   char out[8])
{
	const double v = 0.8, s = 0.6;
	uint32_t h = 2166136261u;
	double hue, f;
	int sector;

	for (const char *c = ns; *c; c++) {
		h = (h ^ (unsigned char)*c) * 16777619u;
	}
	hue = (double)(h % 360) +
	      360.0 * (double)k / (double)(count ? count : 1);
	while (hue >= 360.0) {
		hue -= 360.0;
	}
	sector = (int)(hue / 60.0);
	f = hue / 60.0 - sector;

	double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
	const double rgb[6][3] = {{v, t, p}, {q, v, p}, {p, v, t},
				  {p, q, v}, {t, p, v}, {v, p, q}};

	snprintf(out, 8, "#%02x%02x%02x", (int)(rgb[sector][0] * 255.0),
		 (int)(rgb[sector][1] * 255.0), (int)(rgb[sector][2] * 255.0));
}

struct loader {
	struct taxonomy_set *set;
	const char *path;
	struct cairn_err *e;
};

static char *keep(struct loader *ld, const char *s)
{
	char *copy = libdir_strdup(s);

	if (copy) {
		ld->set->memory += strlen(copy) + 1;
	}
	return copy;
}

static int invalid(struct loader *ld, const char *what)
{
	return cairn_err_set(ld->e, CAIRN_EINVAL, "invalid taxonomy '%s': %s",
			     ld->path, what);
}

static bool json_truthy(const json_t *v)
{
	return json_is_true(v) || (json_is_integer(v) && json_integer_value(v));
}

/* Fills the fields that entries of both kinds share. */
static int entry_common(struct loader *ld, struct tax_entry *en,
			const json_t *src, const char *tag,
			const char *expanded)
{
	const json_t *num = json_object_get(src, "numerical_value");
	const char *colour = libdir_string(src, "colour");

	en->tag = keep(ld, tag);
	en->expanded = keep(ld, expanded);
	en->description = keep(ld, libdir_string(src, "description"));
	if (colour && *colour) {
		en->colour = keep(ld, colour);
		en->has_colour = true;
	}
	if (json_is_integer(num)) {
		en->has_numerical_value = true;
		en->numerical_value = json_integer_value(num);
	}
	if (!en->tag || !en->expanded ||
	    (libdir_string(src, "description") && !en->description) ||
	    (en->has_colour && !en->colour)) {
		return cairn_err_set(ld->e, CAIRN_ENOMEM,
				     "out of memory loading '%s'", ld->path);
	}
	return 0;
}

static int add_entry(struct loader *ld, struct taxonomy *t, size_t pred,
		     const json_t *src, const json_t *value_json)
{
	const struct tax_predicate *p = &t->predicates[pred];
	struct tax_entry *en = &t->entries[t->nentries];
	struct buf tag = BUF_INIT, expanded = BUF_INIT;
	const char *pexp;
	int rc;

	memset(en, 0, sizeof(*en));
	en->predicate = pred;
	pexp = libdir_string(src, "expanded");
	if (value_json) {
		const char *value = libdir_string(value_json, "value");
		const char *vexp = libdir_string(value_json, "expanded");

		if (!value || !*value) {
			return invalid(ld, "a value entry lacks its 'value'");
		}
		buf_printf(&tag, "%s:%s=\"%s\"", t->namespace_name, p->value,
			   value);
		buf_printf(&expanded, "%s: %s",
			   pexp && *pexp ? pexp : p->value,
			   vexp && *vexp ? vexp : value);
		rc = entry_common(ld, en, value_json, buf_str(&tag),
				  buf_str(&expanded));
		if (rc == 0) {
			en->value = strchr(en->tag, '=') + 2;
		}
	} else {
		buf_printf(&tag, "%s:%s", t->namespace_name, p->value);
		rc = entry_common(ld, en, src, buf_str(&tag),
				  pexp && *pexp ? pexp : p->value);
	}
	buf_release(&tag);
	buf_release(&expanded);
	if (rc == 0) {
		t->nentries++;
	}
	return rc;
}

static size_t find_predicate(const struct taxonomy *t, const char *value,
			     size_t len)
{
	for (size_t i = 0; i < t->npredicates; i++) {
		if (span_equal(value, len, t->predicates[i].value)) {
			return i;
		}
	}
	return t->npredicates;
}

/* Finds the "values" element of predicate `value`, or NULL. */
static const json_t *values_of(const json_t *values, const char *predicate)
{
	size_t i;
	const json_t *v;

	json_array_foreach(values, i, v) {
		const char *p = libdir_string(v, "predicate");

		if (p && strcmp(p, predicate) == 0) {
			return v;
		}
	}
	return NULL;
}

static size_t count_entries(const json_t *predicates, const json_t *values)
{
	size_t n = 0, i;
	const json_t *p;

	json_array_foreach(predicates, i, p) {
		const json_t *v = values_of(values,
					    libdir_string(p, "value") ?: "");
		size_t k = json_array_size(json_object_get(v, "entry"));

		n += k ? k : 1;
	}
	return n;
}

static int load_predicates(struct loader *ld, struct taxonomy *t,
			   const json_t *predicates, const json_t *values)
{
	size_t i, n = json_array_size(predicates);
	const json_t *p;

	t->predicates = calloc(n ? n : 1, sizeof(*t->predicates));
	t->entries = calloc(count_entries(predicates, values) + 1,
			    sizeof(*t->entries));
	if (!t->predicates || !t->entries) {
		return cairn_err_set(ld->e, CAIRN_ENOMEM,
				     "out of memory loading '%s'", ld->path);
	}
	ld->set->memory += n * sizeof(*t->predicates) +
			   (count_entries(predicates, values) + 1) *
				   sizeof(*t->entries);
	json_array_foreach(predicates, i, p) {
		const char *value = libdir_string(p, "value");
		const json_t *v, *entries, *entry;
		size_t k;
		int rc = 0;

		if (!value || !*value) {
			return invalid(ld, "a predicate lacks its 'value'");
		}
		t->predicates[i].value = keep(ld, value);
		if (!t->predicates[i].value) {
			return cairn_err_set(ld->e, CAIRN_ENOMEM,
					     "out of memory loading '%s'",
					     ld->path);
		}
		t->predicates[i].exclusive =
			json_truthy(json_object_get(p, "exclusive"));
		t->npredicates++;
		v = values_of(values, value);
		entries = json_object_get(v, "entry");
		if (json_array_size(entries) == 0) {
			rc = add_entry(ld, t, i, p, NULL);
		}
		json_array_foreach(entries, k, entry) {
			if (rc == 0) {
				rc = add_entry(ld, t, i, p, entry);
			}
		}
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

/* Gives palette colours to the entries without their own. */
static int fill_colours(struct loader *ld, struct taxonomy *t)
{
	for (size_t k = 0; k < t->nentries; k++) {
		char colour[8];

		if (t->entries[k].colour) {
			continue;
		}
		palette_colour(t->namespace_name, k, t->nentries, colour);
		t->entries[k].colour = keep(ld, colour);
		if (!t->entries[k].colour) {
			return cairn_err_set(ld->e, CAIRN_ENOMEM,
					     "out of memory loading '%s'",
					     ld->path);
		}
	}
	return 0;
}

static int load_taxonomy(struct loader *ld, struct taxonomy *t,
			 const json_t *doc)
{
	const char *ns = libdir_string(doc, "namespace");
	const json_t *predicates = json_object_get(doc, "predicates");
	const json_t *values = json_object_get(doc, "values");
	const json_t *version = json_object_get(doc, "version");
	int rc;

	if (!ns || !*ns || strpbrk(ns, ":=\"")) {
		return invalid(ld, "expected a 'namespace' without ':', '=' "
				   "or '\"'");
	}
	if (!json_is_array(predicates)) {
		return invalid(ld, "expected a 'predicates' array");
	}
	if (values && !json_is_array(values)) {
		return invalid(ld, "expected 'values' to be an array");
	}
	t->namespace_name = keep(ld, ns);
	t->description = keep(ld, libdir_string(doc, "description") ?: "");
	if (!t->namespace_name || !t->description) {
		return cairn_err_set(ld->e, CAIRN_ENOMEM,
				     "out of memory loading '%s'", ld->path);
	}
	t->version = json_is_integer(version) ? json_integer_value(version) : 1;
	t->exclusive = json_truthy(json_object_get(doc, "exclusive"));
	rc = load_predicates(ld, t, predicates, values);
	return rc < 0 ? rc : fill_colours(ld, t);
}

static void taxonomy_release(struct taxonomy *t)
{
	for (size_t i = 0; i < t->npredicates; i++) {
		free(t->predicates[i].value);
	}
	for (size_t i = 0; i < t->nentries; i++) {
		free(t->entries[i].tag);
		free(t->entries[i].expanded);
		free(t->entries[i].description);
		free(t->entries[i].colour);
	}
	free(t->predicates);
	free(t->entries);
	free(t->namespace_name);
	free(t->description);
}

static int namespace_compare(const void *a, const void *b)
{
	return strcasecmp(((const struct taxonomy *)a)->namespace_name,
			  ((const struct taxonomy *)b)->namespace_name);
}

static int load_folder(struct taxonomy_set *set, const char *dir,
		       struct cairn_err *e)
{
	struct libdir_list names;
	struct buf path = BUF_INIT;
	int rc = libdir_list(&names, dir, NULL, e);

	if (rc < 0) {
		return rc;
	}
	set->items = calloc(names.count + 1, sizeof(*set->items));
	if (!set->items) {
		rc = cairn_err_set(e, CAIRN_ENOMEM,
				   "out of memory loading taxonomies");
	}
	for (size_t i = 0; rc == 0 && i < names.count; i++) {
		struct loader ld = {set, NULL, e};
		json_t *doc;

		buf_clear(&path);
		buf_printf(&path, "%s/%s/machinetag.json", dir, names.names[i]);
		if (access(buf_str(&path), R_OK) < 0) {
			continue; /* MANIFEST.json, schema files, tools */
		}
		ld.path = buf_str(&path);
		rc = libdir_load_json(&doc, ld.path, e);
		if (rc == 0) {
			struct taxonomy *t = &set->items[set->count++];

			rc = load_taxonomy(&ld, t, doc);
			json_decref(doc);
		}
	}
	buf_release(&path);
	libdir_list_release(&names);
	return rc;
}

/* Rejects two files of one namespace, which lookups could not tell
 * apart. */
static int check_unique(struct taxonomy_set *set, struct cairn_err *e)
{
	for (size_t i = 1; i < set->count; i++) {
		if (strcasecmp(set->items[i - 1].namespace_name,
			       set->items[i].namespace_name) == 0) {
			return cairn_err_set(e, CAIRN_EINVAL,
					     "taxonomy namespace '%s' is "
					     "defined twice",
					     set->items[i].namespace_name);
		}
	}
	return 0;
}

int taxonomy_set_load(struct taxonomy_set **out, const char *dir,
		      struct cairn_err *e)
{
	struct taxonomy_set *set = calloc(1, sizeof(*set));
	int rc;

	*out = NULL;
	if (!set) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory loading taxonomies");
	}
	rc = load_folder(set, dir, e);
	if (rc == 0) {
		qsort(set->items, set->count, sizeof(*set->items),
		      namespace_compare);
		rc = check_unique(set, e);
	}
	if (rc < 0) {
		taxonomy_set_free(set);
		return rc;
	}
	for (size_t i = 0; i < set->count; i++) {
		atomic_store(&set->items[i].id, (int64_t)i + 1);
	}
	*out = set;
	return 0;
}

void taxonomy_set_free(struct taxonomy_set *set)
{
	if (!set) {
		return;
	}
	for (size_t i = 0; i < set->count; i++) {
		taxonomy_release(&set->items[i]);
	}
	free(set->items);
	free(set);
}

/* Accessors -------------------------------------------------------- */

size_t taxonomy_count(const struct taxonomy_set *set)
{
	return set ? set->count : 0;
}

const struct taxonomy *taxonomy_at(const struct taxonomy_set *set,
				   size_t index)
{
	return set && index < set->count ? &set->items[index] : NULL;
}

static const struct taxonomy *find_span(const struct taxonomy_set *set,
					const char *ns, size_t len)
{
	size_t lo = 0, hi = set ? set->count : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = set->items[mid].namespace_name;
		int cmp = strncasecmp(ns, name, len);

		if (cmp == 0 && name[len] != '\0') {
			cmp = -1; /* `ns` is a proper prefix of `name` */
		}
		if (cmp == 0) {
			return &set->items[mid];
		}
		if (cmp < 0) {
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}
	return NULL;
}

const struct taxonomy *taxonomy_find(const struct taxonomy_set *set,
				     const char *namespace_name)
{
	return find_span(set, namespace_name, strlen(namespace_name));
}

const struct taxonomy *taxonomy_by_id(const struct taxonomy_set *set,
				      int64_t id)
{
	for (size_t i = 0; i < taxonomy_count(set); i++) {
		if (atomic_load(&set->items[i].id) == id) {
			return &set->items[i];
		}
	}
	return NULL;
}

const char *taxonomy_namespace(const struct taxonomy *t)
{
	return t->namespace_name;
}

const char *taxonomy_description(const struct taxonomy *t)
{
	return t->description;
}

int64_t taxonomy_version(const struct taxonomy *t)
{
	return t->version;
}

bool taxonomy_exclusive(const struct taxonomy *t)
{
	return t->exclusive;
}

int64_t taxonomy_id(const struct taxonomy *t)
{
	return atomic_load(&t->id);
}

void taxonomy_set_id(const struct taxonomy *t, int64_t id)
{
	atomic_store(&((struct taxonomy *)t)->id, id);
}

bool taxonomy_enabled(const struct taxonomy *t)
{
	return atomic_load(&t->enabled);
}

void taxonomy_set_enabled(const struct taxonomy *t, bool enabled)
{
	atomic_store(&((struct taxonomy *)t)->enabled, enabled);
}

size_t taxonomy_entry_count(const struct taxonomy *t)
{
	return t->nentries;
}

void taxonomy_entry_get(const struct taxonomy *t, size_t i,
			struct taxonomy_entry *out)
{
	const struct tax_entry *en = &t->entries[i];

	out->tag = en->tag;
	out->expanded = en->expanded;
	out->description = en->description;
	out->colour = en->colour;
	out->has_colour = en->has_colour;
	out->has_numerical_value = en->has_numerical_value;
	out->numerical_value = en->numerical_value;
	out->is_value = en->value != NULL;
	out->exclusive_predicate =
		en->value && t->predicates[en->predicate].exclusive;
}

const struct taxonomy *taxonomy_lookup(const struct taxonomy_set *set,
				       const char *tag,
				       struct taxonomy_entry *entry)
{
	const char *colon = strchr(tag, ':');
	const struct taxonomy *t;

	/* The whole name is compared, not its split parts, because some
	 * predicates (tlp:ex:chr) contain a colon. */
	if (!colon || !(t = find_span(set, tag, (size_t)(colon - tag)))) {
		return NULL;
	}
	for (size_t i = 0; i < t->nentries; i++) {
		if (strcasecmp(t->entries[i].tag, tag) == 0) {
			taxonomy_entry_get(t, i, entry);
			return t;
		}
	}
	return NULL;
}

bool taxonomy_namespace_known(const struct taxonomy_set *set,
			      const char *tag)
{
	const char *colon = strchr(tag, ':');

	return colon && find_span(set, tag, (size_t)(colon - tag)) != NULL;
}

/* Exclusivity ------------------------------------------------------ */

/* Whether two tags share the part that MISP compares: namespace and
 * predicate for value tags, the namespace for predicate tags. */
static bool same_prefix(const struct tag_parts *a, const struct tag_parts *b)
{
	if ((a->value_len != 0) != (b->value_len != 0) ||
	    a->ns_len != b->ns_len ||
	    strncasecmp(a->ns, b->ns, a->ns_len) != 0) {
		return false;
	}
	return a->value_len == 0 ||
	       (a->predicate_len == b->predicate_len &&
		strncasecmp(a->predicate, b->predicate, a->predicate_len) == 0);
}

static bool tlp_white_and_clear(const char *a, const char *b)
{
	return (strcasecmp(a, "tlp:white") == 0 &&
		strcasecmp(b, "tlp:clear") == 0) ||
	       (strcasecmp(a, "tlp:clear") == 0 &&
		strcasecmp(b, "tlp:white") == 0);
}

/* Sets `e` and returns CAIRN_EINVAL when tags `a` and `b`, which share
 * their prefix, break an exclusivity rule; returns 0 when they do not. */
static int conflict_of(const struct taxonomy_set *set, const char *a,
		       const char *b, const struct tag_parts *pb,
		       struct cairn_err *e)
{
	const struct taxonomy *t = find_span(set, pb->ns, pb->ns_len);
	size_t pred;

	if (!t || strcasecmp(a, b) == 0 || tlp_white_and_clear(a, b)) {
		return 0;
	}
	if (t->exclusive) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "tags '%s' and '%s' conflict: taxonomy "
				     "'%s' is exclusive, so only one of its "
				     "tags may be attached",
				     a, b, t->namespace_name);
	}
	pred = find_predicate(t, pb->predicate, pb->predicate_len);
	if (pred < t->npredicates && t->predicates[pred].exclusive) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "tags '%s' and '%s' conflict: predicate "
				     "'%s' of taxonomy '%s' is exclusive, so "
				     "only one of its values may be attached",
				     a, b, t->predicates[pred].value,
				     t->namespace_name);
	}
	return 0;
}

int taxonomy_check_exclusive(const struct taxonomy_set *set,
			     const char *const *names, size_t count,
			     size_t from, size_t *first, size_t *second,
			     struct cairn_err *e)
{
	for (size_t j = from > 1 ? from : 1; set && j < count; j++) {
		struct tag_parts pj;

		if (!split_tag(names[j], &pj)) {
			continue;
		}
		for (size_t i = 0; i < j; i++) {
			struct tag_parts pi;
			int rc;

			if (!split_tag(names[i], &pi) ||
			    !same_prefix(&pi, &pj)) {
				continue;
			}
			rc = conflict_of(set, names[i], names[j], &pj, e);
			if (rc < 0) {
				*first = i;
				*second = j;
				return rc;
			}
		}
	}
	return 0;
}

size_t taxonomy_entry_total(const struct taxonomy_set *set)
{
	size_t n = 0;

	for (size_t i = 0; i < taxonomy_count(set); i++) {
		n += set->items[i].nentries;
	}
	return n;
}

size_t taxonomy_memory(const struct taxonomy_set *set)
{
	return set ? set->memory + set->count * sizeof(*set->items) : 0;
}
