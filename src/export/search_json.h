/*
 * MISP JSON writers for search results: the attribute list of
 * attributes/restSearch, each attribute with its event's summary and its
 * tags, read from a store cursor as it is written.
 */
#ifndef CAIRN_SEARCH_JSON_H
#define CAIRN_SEARCH_JSON_H

#include "store/store.h"

#include <yajl/yajl_gen.h>

/* Writes {"response": {"Attribute": [...]}} from cursor `c` (a
 * store_search_attributes() cursor, which the caller closes).  Each
 * attribute carries "Event" {org_id, distribution, id, info, orgc_id,
 * uuid} and, when it has any that `v` may see, "Tag". */
int search_json_attributes(struct store *s, const struct store_viewer *v,
			   struct store_cursor *c, yajl_gen g);

#endif
