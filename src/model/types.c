/* Lookups in the attribute type registry; see types.h. */
#include "model/types.h"
#include "core/err.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The types sorted by name, built once, so that a lookup is a binary
 * search: every attribute written looks its type up several times. */
static const struct attr_type **types_by_name;
static pthread_once_t types_by_name_once = PTHREAD_ONCE_INIT;

static int compare_type_names(const void *a, const void *b)
{
	const struct attr_type *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void sort_types(void)
{
	types_by_name = malloc(attr_types_count * sizeof(*types_by_name));
	if (!types_by_name) {
		return;
	}
	for (size_t i = 0; i < attr_types_count; i++) {
		types_by_name[i] = &attr_types[i];
	}
	qsort(types_by_name, attr_types_count, sizeof(*types_by_name),
	      compare_type_names);
}

const struct attr_type *attr_type_find(const char *name)
{
	struct attr_type key = {name, NULL, false};
	const struct attr_type *probe = &key, **found;

	pthread_once(&types_by_name_once, sort_types);
	if (!types_by_name) {
		for (size_t i = 0; i < attr_types_count; i++) {
			if (strcmp(attr_types[i].name, name) == 0) {
				return &attr_types[i];
			}
		}
		return NULL;
	}
	found = bsearch(&probe, types_by_name, attr_types_count,
			sizeof(*types_by_name), compare_type_names);
	return found ? *found : NULL;
}

static const struct attr_category_types *category_find(const char *category)
{
	for (size_t i = 0; i < attr_categories_count; i++) {
		if (strcmp(attr_category_types[i].category, category) == 0) {
			return &attr_category_types[i];
		}
	}
	return NULL;
}

bool attr_category_known(const char *category)
{
	return category_find(category) != NULL;
}

bool attr_category_allows(const char *category, const char *type)
{
	const struct attr_category_types *c = category_find(category);

	if (!c) {
		return false;
	}
	for (size_t i = 0; i < c->ntypes; i++) {
		if (strcmp(c->types[i], type) == 0) {
			return true;
		}
	}
	return false;
}

static bool gen_str(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s)) ==
	       yajl_gen_status_ok;
}

static bool describe_defaults(yajl_gen g)
{
	bool ok = gen_str(g, "sane_defaults") &&
		  yajl_gen_map_open(g) == yajl_gen_status_ok;

	for (size_t i = 0; ok && i < attr_types_count; i++) {
		ok = gen_str(g, attr_types[i].name) &&
		     yajl_gen_map_open(g) == yajl_gen_status_ok &&
		     gen_str(g, "default_category") &&
		     gen_str(g, attr_types[i].default_category) &&
		     gen_str(g, "to_ids") &&
		     yajl_gen_integer(g, attr_types[i].to_ids) ==
			     yajl_gen_status_ok &&
		     yajl_gen_map_close(g) == yajl_gen_status_ok;
	}
	return ok && yajl_gen_map_close(g) == yajl_gen_status_ok;
}

static bool describe_lists(yajl_gen g)
{
	bool ok = gen_str(g, "types") &&
		  yajl_gen_array_open(g) == yajl_gen_status_ok;

	for (size_t i = 0; ok && i < attr_types_count; i++) {
		ok = gen_str(g, attr_types[i].name);
	}
	ok = ok && yajl_gen_array_close(g) == yajl_gen_status_ok &&
	     gen_str(g, "categories") &&
	     yajl_gen_array_open(g) == yajl_gen_status_ok;
	for (size_t i = 0; ok && i < attr_categories_count; i++) {
		ok = gen_str(g, attr_categories[i]);
	}
	return ok && yajl_gen_array_close(g) == yajl_gen_status_ok;
}

static bool describe_mappings(yajl_gen g)
{
	bool ok = gen_str(g, "category_type_mappings") &&
		  yajl_gen_map_open(g) == yajl_gen_status_ok;

	for (size_t i = 0; ok && i < attr_categories_count; i++) {
		const struct attr_category_types *c = &attr_category_types[i];

		ok = gen_str(g, c->category) &&
		     yajl_gen_array_open(g) == yajl_gen_status_ok;
		for (size_t t = 0; ok && t < c->ntypes; t++) {
			ok = gen_str(g, c->types[t]);
		}
		ok = ok && yajl_gen_array_close(g) == yajl_gen_status_ok;
	}
	return ok && yajl_gen_map_close(g) == yajl_gen_status_ok;
}

int attr_types_describe(yajl_gen g)
{
	bool ok = yajl_gen_map_open(g) == yajl_gen_status_ok &&
		  gen_str(g, "result") &&
		  yajl_gen_map_open(g) == yajl_gen_status_ok &&
		  describe_defaults(g) && describe_lists(g) &&
		  describe_mappings(g) &&
		  yajl_gen_map_close(g) == yajl_gen_status_ok &&
		  yajl_gen_map_close(g) == yajl_gen_status_ok;

	return ok ? 0 : CAIRN_ENOMEM;
}
