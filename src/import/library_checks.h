/*
 * Library rules for write paths: the exclusivity rule and the
 * colours of taxonomies, clusters attached through their galaxy tags, and
 * the check of objects against their templates.
 *
 * Every function does nothing (and returns 0) when `lib`, or the set it
 * needs, is NULL, so a write without a library behaves as before.
 */
#ifndef CAIRN_LIBRARY_CHECKS_H
#define CAIRN_LIBRARY_CHECKS_H

#include "import/event_writer.h"

struct galaxy_cluster;

/* Checks the tags of a JSON array of Tag objects, together with the tags
 * stored on the target already, against the exclusive taxonomies and
 * predicates.  A conflict fails with CAIRN_EINVAL naming both tags and
 * the taxonomy, at the pointer of the incoming tag. */
int event_check_tags(struct store *s, const struct event_library *lib,
		     enum store_target t, int64_t target_id, json_t *tags,
		     const char *pointer, struct cairn_err *e);

/* Writes the colour of a new tag named `name`: its taxonomy entry's when
 * the tag is a known machine tag, else event_tag_colour()'s. */
void event_tag_default_colour(const struct event_library *lib,
			      const char *name, char out[8]);

/* Attaches to the target the loaded cluster of each misp-galaxy tag in
 * `tags`, unless `owner` (the event or attribute JSON, may be NULL)
 * carries it in its own "Galaxy" array or the target has a cluster of
 * that tag name already.  A galaxy tag naming no loaded cluster stays a
 * plain tag. */
int event_attach_tag_clusters(struct store *s,
			      const struct event_library *lib,
			      enum store_target t, int64_t target_id,
			      json_t *tags, json_t *owner, const char *pointer,
			      struct cairn_err *e);

/* Attaches a loaded cluster to the target: its tag (created when new,
 * with is_galaxy set) and the cluster itself, stored in MISP's shape so
 * that views show it in the "Galaxy" list.  Attaching twice, or to a
 * target with a received copy of the cluster, adds no second cluster. */
int event_attach_cluster(struct store *s, const struct event_library *lib,
			 enum store_target t, int64_t target_id,
			 const struct galaxy_cluster *c, bool local,
			 struct cairn_err *e);

/* Checks an Object element against its template when the template is
 * known (by template_uuid, else by name); unknown templates pass, as
 * MISP accepts them.  A failure is CAIRN_EINVAL at the pointer of the
 * offending attribute, or of the object. */
int event_check_object(const struct event_library *lib, json_t *obj,
		       const char *pointer, struct cairn_err *e);

#endif
