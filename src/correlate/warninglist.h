/*
 * Warninglists: lists of well-known values (public resolvers, cloud
 * ranges, top domains, empty-file hashes) that mark an indicator as a
 * likely false positive.  The format is MISP's misp-warninglists folder:
 * lists/NAME/list.json with "name", "type", "list" and optional
 * "matching_attributes".
 *
 * warninglist_set_load() compiles every list of a folder into shared
 * matchers, one per list type, so that one check costs the same however
 * many lists are loaded:
 *
 *   cidr       an address, or a block inside a listed block, is a hit; a
 *              broader block than the listed one is not.  IPv4 and IPv6
 *              are separate: ::ffff:192.0.2.1 does not hit 192.0.2.0/24.
 *   string     exact, case-sensitive equality, as MISP compares them.
 *   hostname   the name itself or any subdomain of it; a URL is reduced
 *              to its host first (scheme, user, port and path removed),
 *              and names compare without regard to ASCII case.
 *   substring  the entry occurs anywhere in the value (case-sensitive).
 *   regex      a PCRE2 match of the PHP-style pattern "/body/flags".
 *
 * A list applies to the attribute types in its matching_attributes, or to
 * every type when it has none.  Composite values ("a|b", and
 * malware-sample) are checked half by half, as MISP does.
 *
 * After loading, the set is read-only except for the enabled flags, which
 * a read-write lock guards, so any number of threads may check values
 * while one toggles lists.  Lists start disabled, as MISP installs them.
 */
#ifndef CAIRN_WARNINGLIST_H
#define CAIRN_WARNINGLIST_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

struct warninglist_set;
struct warninglist;

enum warninglist_type {
	WARNINGLIST_CIDR,
	WARNINGLIST_STRING,
	WARNINGLIST_HOSTNAME,
	WARNINGLIST_SUBSTRING,
	WARNINGLIST_REGEX,
};

/* One list that matched a value. */
struct warninglist_hit {
	int id;               /* the list's id, see warninglist_get() */
	const char *match;    /* the list entry that matched, as listed */
	const char *value;    /* the part of the value that matched */
	size_t value_len;     /* its length; it is not NUL-terminated */
};

/* Loads every DIR/lists/NAME/list.json.  Lists get ids 1..n in the order
 * of their names (strcmp), so an id stays the same as long as the folder
 * contains the same lists.  A file that is not valid JSON or lacks "name" or
 * "list", or two lists with one name, fail the load with the file in `e`.
 * An entry that its type cannot use (a bad CIDR, a regex that does not
 * compile) is skipped with a warning in the log, as MISP skips it.  The
 * caller frees *out with warninglist_set_free(). */
int warninglist_set_load(struct warninglist_set **out, const char *dir,
			 struct cairn_err *e);
void warninglist_set_free(struct warninglist_set *set);

/* Returns the number of lists, and of entries in all of them. */
size_t warninglist_count(const struct warninglist_set *set);
size_t warninglist_entry_total(const struct warninglist_set *set);

/* Returns the list with this id (1-based), or NULL. */
const struct warninglist *warninglist_get(const struct warninglist_set *set,
					  int id);

/* Returns the list named exactly `name`, or NULL. */
const struct warninglist *
warninglist_find(const struct warninglist_set *set, const char *name);

/* Properties of a list.  Strings live as long as the set. */
int warninglist_id(const struct warninglist *l);
const char *warninglist_name(const struct warninglist *l);
const char *warninglist_description(const struct warninglist *l);
enum warninglist_type warninglist_type(const struct warninglist *l);
const char *warninglist_type_name(enum warninglist_type t);
int warninglist_version(const struct warninglist *l);
/* "false_positive" unless the file gives a "category". */
const char *warninglist_category(const struct warninglist *l);
size_t warninglist_entry_count(const struct warninglist *l);
const char *warninglist_entry(const struct warninglist *l, size_t i);
/* The entry's comment, from a "list" given as {value: comment}, or NULL. */
const char *warninglist_entry_comment(const struct warninglist *l, size_t i);
/* Entry ids run on from list to list, 1-based, as rows of one table. */
size_t warninglist_first_entry_id(const struct warninglist *l);
/* The matching_attributes; a list with none applies to every type. */
size_t warninglist_attribute_count(const struct warninglist *l);
const char *warninglist_attribute(const struct warninglist *l, size_t i);

/* Enabled flags.  warninglist_set_enabled() returns CAIRN_ENOTFOUND for an
 * unknown id. */
bool warninglist_enabled(struct warninglist_set *set, int id);
int warninglist_set_enabled(struct warninglist_set *set, int id,
			    bool enabled);

/* Checks `value`, an attribute of type `type`, against every enabled list
 * that applies to that type.  A NULL `type` applies every enabled list and
 * never splits the value, as MISP's checkValue endpoint does.  Returns how
 * many lists matched and writes one hit per list, sorted by id, when that
 * count fits in `cap`.  Past `cap`, the hits written are the first found,
 * so a `cap` of warninglist_count() is the one that never loses a hit. */
size_t warninglist_check(struct warninglist_set *set, const char *type,
			 const char *value, struct warninglist_hit *hits,
			 size_t cap);

/* Returns the bytes that the compiled matchers take, an estimate that
 * counts allocations but not the allocator's overhead. */
size_t warninglist_memory(const struct warninglist_set *set);

#endif
