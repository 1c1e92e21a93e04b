/*
 * Loading warninglists and checking values against them.
 *
 * The set owns every list, the text blob of all entries, one merged
 * matcher per list type and the enabled flags.  Lists are held in id
 * order, so list index i has id i + 1.  Which lists may report for one
 * check is a bitmap: the enabled lists, narrowed to those whose
 * matching_attributes contain the value's type (or that have none).  A
 * matcher whose type has no list in that bitmap is skipped.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "correlate/warninglist_internal.h"
#include "core/log.h"

#include <dirent.h>
#include <jansson.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lists per set, so that the per-check bitmaps fit on the stack.  MISP's
 * own collection has about 140 lists. */
#define WL_MAX_LISTS 4096
#define WL_MAX_WORDS (WL_MAX_LISTS / 64)
#define WL_TYPE_COUNT 5

struct warninglist {
	int id;
	char *name;
	char *description;
	char *category;
	enum warninglist_type type;
	int version;
	uint32_t *entries;  /* offsets into the set's text blob */
	uint32_t *comments; /* offsets + 1, 0 for none; NULL when none at all */
	size_t nentries;
	size_t first_entry_id;
	char **attributes;
	size_t nattributes;
	const char *text; /* the set's blob, set once loading is done */
};

struct wl_regex {
	pcre2_code *code;
	uint32_t list, entry;
	int required;  /* a byte that every match contains, or -1 */
	int required2; /* its other case when the pattern ignores case */
};

/* An attribute type and the lists whose matching_attributes name it. */
struct wl_type_lists {
	char *type;
	uint64_t *lists;
};

struct warninglist_set {
	struct warninglist *lists;
	size_t nlists;
	size_t nentries;
	size_t words;   /* 64-bit words of a list bitmap */
	char *text;     /* entries and comments, NUL-terminated */
	size_t text_len;
	char *host_text; /* normalised hostname keys */
	size_t host_text_len;

	struct wl_cidr cidr;
	struct wl_hash strings;
	struct wl_hash hostnames;
	struct wl_automaton substrings;
	struct wl_regex *regexes;
	size_t nregexes;

	uint64_t *by_type[WL_TYPE_COUNT]; /* lists of each list type */
	uint64_t *all_types;              /* lists without matching_attributes */
	struct wl_type_lists *types;      /* sorted by type */
	size_t ntypes;

	pthread_rwlock_t lock; /* guards `enabled` */
	uint64_t *enabled;
};

static const char *const type_names[WL_TYPE_COUNT] = {
	[WARNINGLIST_CIDR] = "cidr",
	[WARNINGLIST_STRING] = "string",
	[WARNINGLIST_HOSTNAME] = "hostname",
	[WARNINGLIST_SUBSTRING] = "substring",
	[WARNINGLIST_REGEX] = "regex",
};

static void bit_set(uint64_t *bits, size_t i)
{
	bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static bool bit_get(const uint64_t *bits, size_t i)
{
	return (bits[i / 64] >> (i % 64)) & 1;
}

void wl_collect(struct wl_collector *c, uint32_t list, uint32_t entry)
{
	const struct warninglist *l;

	if (!bit_get(c->active, list) || bit_get(c->seen, list)) {
		return;
	}
	bit_set(c->seen, list);
	if (c->count < c->cap) {
		l = &c->set->lists[list];
		c->hits[c->count] = (struct warninglist_hit){
			l->id, l->text + l->entries[entry], c->part,
			c->part_len};
	}
	c->count++;
}

/* Loading ----------------------------------------------------------- */

struct loader {
	struct warninglist_set *set;
	struct buf text;
	struct buf host_text;
	size_t lists_cap;
	size_t skipped; /* entries that their type cannot use */
	struct cairn_err *e;
};

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d) {
		memcpy(d, s, n);
	}
	return d;
}

static int parse_type(json_t *type, const char *path,
		      enum warninglist_type *out, struct cairn_err *e)
{
	const char *name;

	/* MISP takes the first of a list of types and defaults to string. */
	if (json_is_array(type)) {
		type = json_array_get(type, 0);
	}
	if (!type) {
		*out = WARNINGLIST_STRING;
		return 0;
	}
	name = json_string_value(type);
	for (int t = 0; name && t < WL_TYPE_COUNT; t++) {
		if (strcmp(name, type_names[t]) == 0) {
			*out = (enum warninglist_type)t;
			return 0;
		}
	}
	return cairn_err_set(e, CAIRN_EINVAL,
			     "invalid warninglist '%s': \"type\" must be one "
			     "of cidr, string, hostname, substring or regex",
			     path);
}

static int add_text(struct buf *text, const char *s, uint32_t *offset)
{
	if (text->len > UINT32_MAX - strlen(s) - 1) {
		return CAIRN_ETOOBIG;
	}
	*offset = (uint32_t)text->len;
	return buf_add(text, s, strlen(s) + 1) < 0 ? CAIRN_ENOMEM : 0;
}

/* Stores the entries of "list", an array of values or, as MISP also
 * accepts, an object of value -> comment.  Empty values are skipped, as
 * MISP skips them. */
static int load_entries(struct loader *ld, struct warninglist *l,
			json_t *list, const char *path)
{
	size_t n = json_is_array(list) ? json_array_size(list)
				       : json_object_size(list);
	const char *key;
	json_t *value;
	size_t i;

	l->entries = malloc((n ? n : 1) * sizeof(*l->entries));
	if (!l->entries) {
		return CAIRN_ENOMEM;
	}
	if (json_is_object(list)) {
		l->comments = calloc(n ? n : 1, sizeof(*l->comments));
		if (!l->comments) {
			return CAIRN_ENOMEM;
		}
		json_object_foreach(list, key, value)
		{
			uint32_t off;

			if (!*key) {
				continue;
			}
			if (add_text(&ld->text, key, &l->entries[l->nentries]) <
			    0) {
				return CAIRN_ENOMEM;
			}
			if (json_is_string(value) &&
			    *json_string_value(value)) {
				if (add_text(&ld->text, json_string_value(value),
					     &off) < 0) {
					return CAIRN_ENOMEM;
				}
				l->comments[l->nentries] = off + 1;
			}
			l->nentries++;
		}
		return 0;
	}
	json_array_foreach(list, i, value)
	{
		if (!json_is_string(value)) {
			return cairn_err_set(ld->e, CAIRN_EINVAL,
					     "invalid warninglist '%s': entry "
					     "%zu of \"list\" is not a string",
					     path, i);
		}
		if (!*json_string_value(value)) {
			continue;
		}
		if (add_text(&ld->text, json_string_value(value),
			     &l->entries[l->nentries]) < 0) {
			return CAIRN_ENOMEM;
		}
		l->nentries++;
	}
	return 0;
}

static int load_attributes(struct warninglist *l, json_t *attributes,
			   const char *path, struct cairn_err *e)
{
	size_t i;
	json_t *v;

	if (!attributes) {
		return 0;
	}
	if (!json_is_array(attributes)) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid warninglist '%s': "
				     "\"matching_attributes\" is not an array",
				     path);
	}
	l->attributes = calloc(json_array_size(attributes) + 1,
			       sizeof(*l->attributes));
	if (!l->attributes) {
		return CAIRN_ENOMEM;
	}
	json_array_foreach(attributes, i, v)
	{
		if (!json_is_string(v)) {
			return cairn_err_set(e, CAIRN_EINVAL,
					     "invalid warninglist '%s': entry "
					     "%zu of \"matching_attributes\" is "
					     "not a string",
					     path, i);
		}
		/* MISP stores "ALL" for a list without types. */
		if (strcmp(json_string_value(v), "ALL") == 0) {
			continue;
		}
		l->attributes[l->nattributes] = dup_string(json_string_value(v));
		if (!l->attributes[l->nattributes]) {
			return CAIRN_ENOMEM;
		}
		l->nattributes++;
	}
	return 0;
}

static int load_fields(struct loader *ld, struct warninglist *l, json_t *doc,
		       const char *path)
{
	json_t *name = json_object_get(doc, "name");
	json_t *description = json_object_get(doc, "description");
	json_t *category = json_object_get(doc, "category");
	json_t *version = json_object_get(doc, "version");
	json_t *list = json_object_get(doc, "list");
	int rc;

	if (!json_is_string(name) || !*json_string_value(name)) {
		return cairn_err_set(ld->e, CAIRN_EINVAL,
				     "invalid warninglist '%s': missing "
				     "\"name\"",
				     path);
	}
	if (!json_is_array(list) && !json_is_object(list)) {
		return cairn_err_set(ld->e, CAIRN_EINVAL,
				     "invalid warninglist '%s': \"list\" must "
				     "be an array of values",
				     path);
	}
	rc = parse_type(json_object_get(doc, "type"), path, &l->type, ld->e);
	if (rc < 0) {
		return rc;
	}
	l->version = json_is_integer(version) ? (int)json_integer_value(version)
					      : 1;
	l->name = dup_string(json_string_value(name));
	l->description = dup_string(json_is_string(description)
					    ? json_string_value(description)
					    : "");
	l->category = dup_string(json_is_string(category)
					 ? json_string_value(category)
					 : "false_positive");
	if (!l->name || !l->description || !l->category) {
		return CAIRN_ENOMEM;
	}
	rc = load_attributes(l, json_object_get(doc, "matching_attributes"),
			     path, ld->e);
	return rc < 0 ? rc : load_entries(ld, l, list, path);
}

static void list_release(struct warninglist *l)
{
	free(l->name);
	free(l->description);
	free(l->category);
	free(l->entries);
	free(l->comments);
	for (size_t i = 0; l->attributes && l->attributes[i]; i++) {
		free(l->attributes[i]);
	}
	free(l->attributes);
}

static int load_file(struct loader *ld, const char *path)
{
	struct warninglist_set *set = ld->set;
	struct warninglist *l;
	json_error_t jerr;
	json_t *doc;
	int rc;

	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		return cairn_err_set(ld->e, CAIRN_EINVAL,
				     "cannot read warninglist '%s': line %d: "
				     "%s",
				     path, jerr.line, jerr.text);
	}
	if (set->nlists == WL_MAX_LISTS) {
		json_decref(doc);
		return cairn_err_set(ld->e, CAIRN_ETOOBIG,
				     "too many warninglists: at most %d are "
				     "loaded",
				     WL_MAX_LISTS);
	}
	if (set->nlists == ld->lists_cap) {
		size_t cap = ld->lists_cap ? ld->lists_cap * 2 : 64;
		struct warninglist *v =
			realloc(set->lists, cap * sizeof(*v));

		if (!v) {
			json_decref(doc);
			return CAIRN_ENOMEM;
		}
		set->lists = v;
		ld->lists_cap = cap;
	}
	l = &set->lists[set->nlists++];
	memset(l, 0, sizeof(*l));
	rc = json_is_object(doc) ? load_fields(ld, l, doc, path)
				 : cairn_err_set(ld->e, CAIRN_EINVAL,
						 "invalid warninglist '%s': "
						 "not a JSON object",
						 path);
	json_decref(doc);
	return rc;
}

static int name_compare(const void *a, const void *b)
{
	return strcmp(((const struct warninglist *)a)->name,
		      ((const struct warninglist *)b)->name);
}

static int load_folder(struct loader *ld, const char *dir)
{
	struct buf path = BUF_INIT;
	struct dirent *d;
	DIR *folder;
	int rc = 0;

	buf_printf(&path, "%s/lists", dir);
	folder = opendir(buf_str(&path));
	if (!folder) {
		rc = cairn_err_set(ld->e, CAIRN_EIO,
				   "cannot open warninglist folder '%s'",
				   buf_str(&path));
		buf_release(&path);
		return rc;
	}
	while (rc == 0 && (d = readdir(folder)) != NULL) {
		if (d->d_name[0] == '.') {
			continue;
		}
		buf_clear(&path);
		buf_printf(&path, "%s/lists/%s/list.json", dir, d->d_name);
		if (access(buf_str(&path), R_OK) < 0) {
			continue; /* not a list folder */
		}
		rc = load_file(ld, buf_str(&path));
	}
	closedir(folder);
	buf_release(&path);
	return rc;
}

/* Compiling -------------------------------------------------------- */

/* Compiles a PHP preg pattern: a delimiter, the body, the same delimiter
 * (or the closing bracket of an opening one) and flags.  PHP rejects a
 * "g" flag; it is accepted here and ignored, because a yes-or-no match
 * has no use for it and some lists carry it. */
static pcre2_code *compile_php_regex(const char *pattern)
{
	static const char open[] = "([{<", close[] = ")]}>";
	size_t len = strlen(pattern), end;
	uint32_t options = 0;
	const char *bracket;
	pcre2_code *code;
	char delimiter;
	PCRE2_SIZE erroff;
	int err;

	if (len < 2) {
		return NULL;
	}
	delimiter = pattern[0];
	bracket = strchr(open, delimiter);
	if (bracket && *bracket) {
		delimiter = close[bracket - open];
	}
	for (end = len - 1; end > 0 && pattern[end] != delimiter; end--) {
	}
	if (end == 0) {
		return NULL;
	}
	for (size_t i = end + 1; i < len; i++) {
		switch (pattern[i]) {
		case 'i': options |= PCRE2_CASELESS; break;
		case 'm': options |= PCRE2_MULTILINE; break;
		case 's': options |= PCRE2_DOTALL; break;
		case 'x': options |= PCRE2_EXTENDED; break;
		case 'u': options |= PCRE2_UTF | PCRE2_UCP; break;
		case 'D': options |= PCRE2_DOLLAR_ENDONLY; break;
		case 'U': options |= PCRE2_UNGREEDY; break;
		case 'A': options |= PCRE2_ANCHORED; break;
		case 'n': options |= PCRE2_NO_AUTO_CAPTURE; break;
		case 'g': break;
		default: return NULL;
		}
	}
	code = pcre2_compile((PCRE2_SPTR)pattern + 1, end - 1, options, &err,
			     &erroff, NULL);
	if (code) {
		/* Without JIT support pcre2_match() interprets; same results. */
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	}
	return code;
}

/* Records the last byte that PCRE2 found every match must contain, so
 * that a value without it skips the pattern without a call into PCRE2.
 * A letter is looked for in both cases, because an inline (?i) can make
 * it caseless. */
static void required_byte(struct wl_regex *r)
{
	uint32_t type = 0, unit = 0;

	if (pcre2_pattern_info(r->code, PCRE2_INFO_LASTCODETYPE, &type) != 0 ||
	    type != 1 ||
	    pcre2_pattern_info(r->code, PCRE2_INFO_LASTCODEUNIT, &unit) != 0 ||
	    unit > 0x7f) {
		return;
	}
	r->required = (int)unit;
	r->required2 = unit >= 'a' && unit <= 'z'   ? (int)unit - 32
		       : unit >= 'A' && unit <= 'Z' ? (int)unit + 32
						    : (int)unit;
}

static int add_regex(struct warninglist_set *set, const char *pattern,
		     uint32_t list, uint32_t entry)
{
	pcre2_code *code = compile_php_regex(pattern);
	struct wl_regex *v;

	if (!code) {
		return CAIRN_EINVAL;
	}
	v = realloc(set->regexes, (set->nregexes + 1) * sizeof(*v));
	if (!v) {
		pcre2_code_free(code);
		return CAIRN_ENOMEM;
	}
	set->regexes = v;
	v[set->nregexes] = (struct wl_regex){code, list, entry, -1, -1};
	required_byte(&v[set->nregexes]);
	set->nregexes++;
	return 0;
}

static int add_entry(struct loader *ld, uint32_t list, uint32_t entry)
{
	struct warninglist_set *set = ld->set;
	struct warninglist *l = &set->lists[list];
	uint32_t off = l->entries[entry];
	const char *text = ld->text.data + off;

	switch (l->type) {
	case WARNINGLIST_CIDR:
		return wl_cidr_add(&set->cidr, text, list, entry);
	case WARNINGLIST_STRING:
		return wl_hash_add(&set->strings, ld->text.data, off,
				   (uint32_t)strlen(text), list, entry);
	case WARNINGLIST_HOSTNAME:
		return wl_hostname_add(&set->hostnames, &ld->host_text, text,
				       list, entry);
	case WARNINGLIST_SUBSTRING:
		return wl_ac_add(&set->substrings, text, strlen(text), list,
				 entry);
	case WARNINGLIST_REGEX:
		return add_regex(set, text, list, entry);
	}
	return CAIRN_EINVAL;
}

static int compile_list(struct loader *ld, uint32_t list)
{
	struct warninglist *l = &ld->set->lists[list];
	size_t skipped = 0;

	for (uint32_t i = 0; i < l->nentries; i++) {
		int rc = add_entry(ld, list, i);

		if (rc == CAIRN_EINVAL) {
			skipped++; /* MISP skips such entries too */
		} else if (rc < 0) {
			return rc;
		}
	}
	if (skipped) {
		log_warn("warninglist '%s': skipped %zu of %zu entries that are "
			 "not valid %s entries",
			 l->name, skipped, l->nentries, type_names[l->type]);
		ld->skipped += skipped;
	}
	return 0;
}

static int type_compare(const void *a, const void *b)
{
	return strcmp(((const struct wl_type_lists *)a)->type,
		      ((const struct wl_type_lists *)b)->type);
}

static struct wl_type_lists *find_type(const struct warninglist_set *set,
				       const char *type)
{
	struct wl_type_lists key = {(char *)type, NULL};

	if (set->ntypes == 0) {
		return NULL;
	}
	return bsearch(&key, set->types, set->ntypes, sizeof(key),
		       type_compare);
}

/* Builds the bitmaps of lists by list type and by attribute type. */
static int index_types(struct warninglist_set *set)
{
	size_t cap = 0;

	for (int t = 0; t < WL_TYPE_COUNT; t++) {
		set->by_type[t] = calloc(set->words, sizeof(uint64_t));
		if (!set->by_type[t]) {
			return CAIRN_ENOMEM;
		}
	}
	set->all_types = calloc(set->words, sizeof(uint64_t));
	set->enabled = calloc(set->words, sizeof(uint64_t));
	if (!set->all_types || !set->enabled) {
		return CAIRN_ENOMEM;
	}
	for (size_t i = 0; i < set->nlists; i++) {
		const struct warninglist *l = &set->lists[i];

		bit_set(set->by_type[l->type], i);
		if (l->nattributes == 0) {
			bit_set(set->all_types, i);
		}
		for (size_t a = 0; a < l->nattributes; a++) {
			struct wl_type_lists *t = find_type(set, l->attributes[a]);

			if (!t) {
				if (set->ntypes == cap) {
					size_t n = cap ? cap * 2 : 32;
					void *v = realloc(set->types,
							  n * sizeof(*t));

					if (!v) {
						return CAIRN_ENOMEM;
					}
					set->types = v;
					cap = n;
				}
				t = &set->types[set->ntypes];
				t->type = l->attributes[a];
				t->lists = calloc(set->words, sizeof(uint64_t));
				if (!t->lists) {
					return CAIRN_ENOMEM;
				}
				set->ntypes++;
				qsort(set->types, set->ntypes, sizeof(*t),
				      type_compare);
				t = find_type(set, l->attributes[a]);
			}
			bit_set(t->lists, i);
		}
	}
	return 0;
}

static int compile_all(struct loader *ld)
{
	struct warninglist_set *set = ld->set;
	size_t next_entry = 1;
	int rc;

	qsort(set->lists, set->nlists, sizeof(set->lists[0]), name_compare);
	for (size_t i = 0; i < set->nlists; i++) {
		struct warninglist *l = &set->lists[i];

		if (i && strcmp(set->lists[i - 1].name, l->name) == 0) {
			return cairn_err_set(ld->e, CAIRN_EINVAL,
					     "two warninglists are named '%s'",
					     l->name);
		}
		l->id = (int)i + 1;
		l->first_entry_id = next_entry;
		next_entry += l->nentries;
		set->nentries += l->nentries;
	}
	set->words = set->nlists ? (set->nlists + 63) / 64 : 1;
	rc = wl_ac_init(&set->substrings);
	for (uint32_t i = 0; rc == 0 && i < set->nlists; i++) {
		rc = compile_list(ld, i);
	}
	if (rc == 0) {
		rc = wl_cidr_compile(&set->cidr);
	}
	if (rc == 0) {
		rc = wl_ac_compile(&set->substrings);
	}
	return rc == 0 ? index_types(set) : rc;
}

int warninglist_set_load(struct warninglist_set **out, const char *dir,
			 struct cairn_err *e)
{
	struct warninglist_set *set = calloc(1, sizeof(*set));
	struct loader ld = {set, BUF_INIT, BUF_INIT, 0, 0, e};
	int rc;

	*out = NULL;
	if (!set) {
		return CAIRN_ENOMEM;
	}
	pthread_rwlock_init(&set->lock, NULL);
	rc = load_folder(&ld, dir);
	if (rc == 0) {
		rc = compile_all(&ld);
	}
	set->text_len = ld.text.len;
	set->text = buf_detach(&ld.text);
	set->host_text_len = ld.host_text.len;
	set->host_text = buf_detach(&ld.host_text);
	for (size_t i = 0; i < set->nlists; i++) {
		set->lists[i].text = set->text;
	}
	if (rc < 0) {
		if (rc == CAIRN_ENOMEM) {
			cairn_err_set(e, rc, "out of memory loading "
					     "warninglists from '%s'",
				      dir);
		}
		warninglist_set_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

void warninglist_set_free(struct warninglist_set *set)
{
	if (!set) {
		return;
	}
	for (size_t i = 0; i < set->nlists; i++) {
		list_release(&set->lists[i]);
	}
	free(set->lists);
	free(set->text);
	free(set->host_text);
	wl_cidr_release(&set->cidr);
	wl_hash_release(&set->strings);
	wl_hash_release(&set->hostnames);
	wl_ac_release(&set->substrings);
	for (size_t i = 0; i < set->nregexes; i++) {
		pcre2_code_free(set->regexes[i].code);
	}
	free(set->regexes);
	for (int t = 0; t < WL_TYPE_COUNT; t++) {
		free(set->by_type[t]);
	}
	free(set->all_types);
	for (size_t i = 0; i < set->ntypes; i++) {
		free(set->types[i].lists); /* the names belong to the lists */
	}
	free(set->types);
	free(set->enabled);
	pthread_rwlock_destroy(&set->lock);
	free(set);
}

/* Properties -------------------------------------------------------- */

size_t warninglist_count(const struct warninglist_set *set)
{
	return set->nlists;
}

size_t warninglist_entry_total(const struct warninglist_set *set)
{
	return set->nentries;
}

const struct warninglist *warninglist_get(const struct warninglist_set *set,
					  int id)
{
	if (id < 1 || (size_t)id > set->nlists) {
		return NULL;
	}
	return &set->lists[id - 1];
}

const struct warninglist *
warninglist_find(const struct warninglist_set *set, const char *name)
{
	struct warninglist key = {.name = (char *)name};

	if (set->nlists == 0) {
		return NULL;
	}
	return bsearch(&key, set->lists, set->nlists, sizeof(key),
		       name_compare);
}

int warninglist_id(const struct warninglist *l)
{
	return l->id;
}

const char *warninglist_name(const struct warninglist *l)
{
	return l->name;
}

const char *warninglist_description(const struct warninglist *l)
{
	return l->description;
}

enum warninglist_type warninglist_type(const struct warninglist *l)
{
	return l->type;
}

const char *warninglist_type_name(enum warninglist_type t)
{
	return (unsigned)t < WL_TYPE_COUNT ? type_names[t] : "";
}

int warninglist_version(const struct warninglist *l)
{
	return l->version;
}

const char *warninglist_category(const struct warninglist *l)
{
	return l->category;
}

size_t warninglist_entry_count(const struct warninglist *l)
{
	return l->nentries;
}

const char *warninglist_entry(const struct warninglist *l, size_t i)
{
	return i < l->nentries ? l->text + l->entries[i] : NULL;
}

const char *warninglist_entry_comment(const struct warninglist *l, size_t i)
{
	if (i >= l->nentries || !l->comments || !l->comments[i]) {
		return NULL;
	}
	return l->text + l->comments[i] - 1;
}

size_t warninglist_first_entry_id(const struct warninglist *l)
{
	return l->first_entry_id;
}

size_t warninglist_attribute_count(const struct warninglist *l)
{
	return l->nattributes;
}

const char *warninglist_attribute(const struct warninglist *l, size_t i)
{
	return i < l->nattributes ? l->attributes[i] : NULL;
}

bool warninglist_enabled(struct warninglist_set *set, int id)
{
	bool on;

	if (id < 1 || (size_t)id > set->nlists) {
		return false;
	}
	pthread_rwlock_rdlock(&set->lock);
	on = bit_get(set->enabled, (size_t)id - 1);
	pthread_rwlock_unlock(&set->lock);
	return on;
}

int warninglist_set_enabled(struct warninglist_set *set, int id,
			    bool enabled)
{
	size_t i = (size_t)id - 1;

	if (id < 1 || (size_t)id > set->nlists) {
		return CAIRN_ENOTFOUND;
	}
	pthread_rwlock_wrlock(&set->lock);
	if (enabled) {
		bit_set(set->enabled, i);
	} else {
		set->enabled[i / 64] &= ~((uint64_t)1 << (i % 64));
	}
	pthread_rwlock_unlock(&set->lock);
	return 0;
}

size_t warninglist_memory(const struct warninglist_set *set)
{
	size_t n = sizeof(*set) + set->nlists * sizeof(set->lists[0]) +
		   set->text_len + set->host_text_len;

	for (size_t i = 0; i < set->nlists; i++) {
		const struct warninglist *l = &set->lists[i];

		n += l->nentries * sizeof(uint32_t) * (l->comments ? 2 : 1);
		n += strlen(l->name) + strlen(l->description) +
		     strlen(l->category) + 3;
	}
	n += wl_cidr_memory(&set->cidr) + wl_hash_memory(&set->strings) +
	     wl_hash_memory(&set->hostnames) + wl_ac_memory(&set->substrings);
	n += set->nregexes * sizeof(set->regexes[0]);
	for (size_t i = 0; i < set->nregexes; i++) {
		size_t size = 0;

		pcre2_pattern_info(set->regexes[i].code, PCRE2_INFO_SIZE,
				   &size);
		n += size;
	}
	n += (WL_TYPE_COUNT + 2 + set->ntypes) * set->words * sizeof(uint64_t);
	return n;
}

/* Checking ------------------------------------------------------------ */

static bool any_bit(const uint64_t *a, const uint64_t *b, size_t words)
{
	for (size_t w = 0; w < words; w++) {
		if (a[w] & b[w]) {
			return true;
		}
	}
	return false;
}

static void check_regexes(const struct warninglist_set *set,
			  struct wl_collector *c)
{
	pcre2_match_data *md = NULL;

	for (size_t i = 0; i < set->nregexes; i++) {
		const struct wl_regex *r = &set->regexes[i];

		if (!bit_get(c->active, r->list) || bit_get(c->seen, r->list)) {
			continue;
		}
		if (r->required >= 0 &&
		    !memchr(c->part, r->required, c->part_len) &&
		    !memchr(c->part, r->required2, c->part_len)) {
			continue;
		}
		if (!md) {
			md = pcre2_match_data_create(1, NULL);
			if (!md) {
				return;
			}
		}
		if (pcre2_match(r->code, (PCRE2_SPTR)c->part, c->part_len, 0, 0,
				md, NULL) >= 0) {
			wl_collect(c, r->list, r->entry);
		}
	}
	pcre2_match_data_free(md);
}

static void check_part(const struct warninglist_set *set,
		       struct wl_collector *c)
{
	const uint64_t *active = c->active;
	size_t words = set->words;

	if (any_bit(active, set->by_type[WARNINGLIST_CIDR], words)) {
		wl_cidr_lookup(&set->cidr, c->part, c->part_len, c);
	}
	if (any_bit(active, set->by_type[WARNINGLIST_STRING], words)) {
		wl_collect_chain(c, &set->strings.owners,
				 wl_hash_find(&set->strings, set->text,
					      c->part, c->part_len));
	}
	if (any_bit(active, set->by_type[WARNINGLIST_HOSTNAME], words)) {
		wl_hostname_lookup(&set->hostnames, set->host_text, c->part,
				   c->part_len, c);
	}
	if (any_bit(active, set->by_type[WARNINGLIST_SUBSTRING], words)) {
		wl_ac_lookup(&set->substrings, c->part, c->part_len, c);
	}
	if (any_bit(active, set->by_type[WARNINGLIST_REGEX], words)) {
		check_regexes(set, c);
	}
}

/* Writes into `active` the lists that may report for a value of `type`
 * and returns whether there is any. */
static bool active_lists(struct warninglist_set *set, const char *type,
			 uint64_t *active)
{
	const struct wl_type_lists *t = type ? find_type(set, type) : NULL;
	uint64_t any = 0;

	pthread_rwlock_rdlock(&set->lock);
	memcpy(active, set->enabled, set->words * sizeof(uint64_t));
	pthread_rwlock_unlock(&set->lock);
	for (size_t w = 0; w < set->words; w++) {
		if (type) {
			active[w] &= set->all_types[w] | (t ? t->lists[w] : 0);
		}
		any |= active[w];
	}
	return any != 0;
}

static void sort_hits(struct warninglist_hit *hits, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct warninglist_hit h = hits[i];
		size_t j = i;

		while (j && hits[j - 1].id > h.id) {
			hits[j] = hits[j - 1];
			j--;
		}
		hits[j] = h;
	}
}

size_t warninglist_check(struct warninglist_set *set, const char *type,
			 const char *value, struct warninglist_hit *hits,
			 size_t cap)
{
	uint64_t active[WL_MAX_WORDS], seen[WL_MAX_WORDS];
	struct wl_collector c = {set, active, seen, hits, cap, 0, value, 0};
	size_t len = strlen(value);
	const char *bar;

	if (set->nlists == 0 || !active_lists(set, type, active)) {
		return 0;
	}
	memset(seen, 0, set->words * sizeof(uint64_t));
	bar = type && (strchr(type, '|') || strcmp(type, "malware-sample") == 0)
		      ? strchr(value, '|')
		      : NULL;
	c.part_len = bar ? (size_t)(bar - value) : len;
	check_part(set, &c);
	if (bar) {
		c.part = bar + 1;
		c.part_len = len - c.part_len - 1;
		check_part(set, &c);
	}
	sort_hits(hits, c.count < cap ? c.count : cap);
	return c.count;
}
