/*
 * Taxonomies: the machine-tag vocabularies of MISP's misp-taxonomies
 * folder, one NAME/machinetag.json per taxonomy.
 *
 * A taxonomy has a namespace, predicates and, under some predicates,
 * values.  Its tags are "namespace:predicate" for a predicate without
 * values and "namespace:predicate=\"value\"" for each value.
 *
 * Exclusivity follows MISP 2.5's Taxonomy::getTagConflicts.  Two value
 * tags that share namespace and predicate, or two predicate tags that
 * share the namespace, conflict when the taxonomy is exclusive or when
 * their predicate is.  tlp:white and tlp:clear never conflict.
 *
 * After taxonomy_set_load() the set is read-only except for the enabled
 * flags and ids, which are atomic, so worker threads share it.
 */
#ifndef CAIRN_TAXONOMY_H
#define CAIRN_TAXONOMY_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct taxonomy_set;
struct taxonomy;

/* One tag of a taxonomy, as MISP's taxonomies/view lists it.  The strings
 * belong to the set. */
struct taxonomy_entry {
	const char *tag;         /* the full tag name */
	const char *expanded;    /* "predicate: value", expanded names */
	const char *description; /* NULL when the file has none */
	const char *colour;      /* the file's colour, else the palette's */
	bool has_colour;         /* the file gave the colour */
	bool has_numerical_value;
	int64_t numerical_value;
	bool exclusive_predicate; /* value tags only */
	bool is_value;            /* a value tag (else a predicate tag) */
};

/* Loads every DIR/NAME/machinetag.json, in folder-name order, with ids
 * 1, 2, ... in that order until taxonomy_set_id() gives stored ones.  A
 * file that is not valid JSON, or lacks its namespace or predicates, fails
 * the load with the file named.  The caller frees *out. */
int taxonomy_set_load(struct taxonomy_set **out, const char *dir,
		      struct cairn_err *e);
void taxonomy_set_free(struct taxonomy_set *set);

size_t taxonomy_count(const struct taxonomy_set *set);
/* The taxonomy at `index` (0-based, in namespace order), or NULL. */
const struct taxonomy *taxonomy_at(const struct taxonomy_set *set,
				   size_t index);
/* Finds a taxonomy by namespace, without regard to ASCII case. */
const struct taxonomy *taxonomy_find(const struct taxonomy_set *set,
				     const char *namespace_name);
/* Finds a taxonomy by id, or NULL. */
const struct taxonomy *taxonomy_by_id(const struct taxonomy_set *set,
				      int64_t id);

const char *taxonomy_namespace(const struct taxonomy *t);
const char *taxonomy_description(const struct taxonomy *t);
int64_t taxonomy_version(const struct taxonomy *t);
bool taxonomy_exclusive(const struct taxonomy *t);
int64_t taxonomy_id(const struct taxonomy *t);
void taxonomy_set_id(const struct taxonomy *t, int64_t id);
bool taxonomy_enabled(const struct taxonomy *t);
void taxonomy_set_enabled(const struct taxonomy *t, bool enabled);

size_t taxonomy_entry_count(const struct taxonomy *t);
/* Fills `out` with entry `i` (0-based) of the taxonomy. */
void taxonomy_entry_get(const struct taxonomy *t, size_t i,
			struct taxonomy_entry *out);

/* Looks up a tag name such as "tlp:amber" or
 * "admiralty-scale:source-reliability=\"a\"" (namespace, predicate and
 * value compared without regard to ASCII case).  Returns the taxonomy
 * and fills `entry` when the tag is one of its entries, else NULL. */
const struct taxonomy *taxonomy_lookup(const struct taxonomy_set *set,
				       const char *tag,
				       struct taxonomy_entry *entry);

/* Returns whether the namespace of `tag` (the part before its first ':')
 * is a loaded taxonomy's. */
bool taxonomy_namespace_known(const struct taxonomy_set *set,
			      const char *tag);

/* Checks a list of tag names for exclusivity conflicts, skipping pairs
 * of two names before index `from` (tags attached already, whose
 * conflicts an import may have brought in).  On the first conflict
 * returns CAIRN_EINVAL with a message that names both tags and the
 * taxonomy, and sets *first and *second to their indexes, *second being
 * at least `from`. */
int taxonomy_check_exclusive(const struct taxonomy_set *set,
			     const char *const *names, size_t count,
			     size_t from, size_t *first, size_t *second,
			     struct cairn_err *e);

/* Total entries over all taxonomies, and an estimate of the bytes the set
 * allocated (strings and arrays). */
size_t taxonomy_entry_total(const struct taxonomy_set *set);
size_t taxonomy_memory(const struct taxonomy_set *set);

#endif
