/*
 * The attribute type registry: MISP's attribute types and categories with
 * their defaults, from MISP's describeTypes.json (generated into
 * types_data.c by scripts/gen-types.py).
 */
#ifndef CAIRN_TYPES_H
#define CAIRN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

struct attr_type {
	const char *name;
	const char *default_category;
	bool to_ids; /* default to_ids flag */
};

struct attr_category_types {
	const char *category;
	const char *const *types; /* types allowed in the category */
	size_t ntypes;
};

/* In describeTypes.json order. */
extern const struct attr_type attr_types[];
extern const size_t attr_types_count;
extern const char *const attr_categories[];
extern const size_t attr_categories_count;
extern const struct attr_category_types attr_category_types[];

/* Returns the type named `name`, or NULL. */
const struct attr_type *attr_type_find(const char *name);

/* Returns true when `category` is a known category. */
bool attr_category_known(const char *category);

/* Returns true when `category` may hold attributes of `type`. */
bool attr_category_allows(const char *category, const char *type);

/* Writes {"result": {...}} in the shape of MISP's describeTypes.json. */
int attr_types_describe(yajl_gen g);

#endif
