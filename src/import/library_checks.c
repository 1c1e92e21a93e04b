/*
 * Write-time uses of the library: taxonomy exclusivity and colours,
 * galaxy clusters named by tags, and object template checks.
 */
#include "import/library_checks.h"
#include "core/buf.h"
#include "model/galaxy.h"
#include "model/misp.h"
#include "model/object_template.h"
#include "model/taxonomy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GALAXY_TAG_PREFIX "misp-galaxy:"

/* The elements of a child list, which some exports send as a lone
 * object instead of an array. */
static size_t list_count(const json_t *list)
{
	if (json_is_array(list)) {
		return json_array_size(list);
	}
	return json_is_object(list) ? 1 : 0;
}

static json_t *list_at(json_t *list, size_t i)
{
	return json_is_array(list) ? json_array_get(list, i) : list;
}

static const char *tag_name_of(json_t *tag)
{
	return json_string_value(json_object_get(tag, "name"));
}

/* Appends the names of the tags stored on the target to `names`. */
static int stored_names(struct store *s, enum store_target t,
			int64_t target_id, json_t *names)
{
	struct store_cursor *cur;
	struct record tag;
	int rc = store_query(s, &store_viewer_system,
			     t == STORE_EVENT ? Q_EVENT_TAGS : Q_ATTRIBUTE_TAGS,
			     target_id, 0, &cur);

	if (rc < 0) {
		return rc;
	}
	while ((rc = store_cursor_next(cur, &tag)) == 1) {
		json_array_append_new(
			names, json_string(record_text(&tag, TAG_NAME, "")));
	}
	store_cursor_close(cur);
	return rc;
}

/* Whether one of the tags belongs to a loaded taxonomy; without one there
 * is nothing to check, and no need to read the stored tags. */
static bool any_taxonomy_tag(const struct event_library *lib, json_t *tags,
			     size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const char *name = tag_name_of(list_at(tags, i));

		if (name && taxonomy_namespace_known(lib->taxonomies, name)) {
			return true;
		}
	}
	return false;
}

int event_check_tags(struct store *s, const struct event_library *lib,
		     enum store_target t, int64_t target_id, json_t *tags,
		     const char *pointer, struct cairn_err *e)
{
	size_t count = list_count(tags), nstored, first, second;
	const char **list;
	json_t *names;
	int rc = 0;

	if (!lib || !lib->taxonomies || !any_taxonomy_tag(lib, tags, count)) {
		return 0;
	}
	names = json_array();
	if (target_id > 0) {
		rc = stored_names(s, t, target_id, names);
	}
	nstored = json_array_size(names);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		const char *name = tag_name_of(list_at(tags, i));

		json_array_append_new(names, json_string(name ? name : ""));
	}
	list = calloc(json_array_size(names) + 1, sizeof(*list));
	if (rc < 0 || !list) {
		free(list);
		json_decref(names);
		return rc < 0 ? store_error(s, e)
			      : cairn_err_set(e, CAIRN_ENOMEM,
					      "out of memory checking tags");
	}
	for (size_t i = 0; i < json_array_size(names); i++) {
		list[i] = json_string_value(json_array_get(names, i));
	}
	rc = taxonomy_check_exclusive(lib->taxonomies, list,
				      json_array_size(names), nstored, &first,
				      &second, e);
	if (rc < 0) {
		struct buf at = BUF_INIT;

		buf_printf(&at, "%s/Tag/%zu", pointer, second - nstored);
		cairn_err_at(e, buf_str(&at), "name");
		buf_release(&at);
	}
	(void)first;
	free(list);
	json_decref(names);
	return rc;
}

void event_tag_default_colour(const struct event_library *lib,
			      const char *name, char out[8])
{
	struct taxonomy_entry entry;

	if (lib && taxonomy_lookup(lib->taxonomies, name, &entry) &&
	    strlen(entry.colour) == 7) {
		memcpy(out, entry.colour, 8);
		return;
	}
	event_tag_colour(name, out);
}

/* Whether owner's "Galaxy" array contains a cluster with this tag name. */
static bool carries_cluster(json_t *owner, const char *tag_name)
{
	json_t *galaxies = json_object_get(owner, "Galaxy");

	for (size_t i = 0; i < list_count(galaxies); i++) {
		json_t *clusters =
			json_object_get(list_at(galaxies, i), "GalaxyCluster");

		for (size_t k = 0; k < list_count(clusters); k++) {
			const char *name = json_string_value(json_object_get(
				list_at(clusters, k), "tag_name"));

			if (name && strcasecmp(name, tag_name) == 0) {
				return true;
			}
		}
	}
	return false;
}

/* Whether a cluster with this tag name is attached to the target already,
 * as a copy received in an earlier event or edit. */
static bool has_stored_cluster(struct store *s, enum store_target t,
			       int64_t target_id, const char *tag_name)
{
	struct store_cursor *cur;
	struct record cluster;
	bool found = false;

	if (store_query(s, &store_viewer_system,
			t == STORE_EVENT ? Q_EVENT_CLUSTERS
					 : Q_ATTRIBUTE_CLUSTERS,
			target_id, 0, &cur) < 0) {
		return false;
	}
	while (!found && store_cursor_next(cur, &cluster) == 1) {
		found = strcasecmp(record_text(&cluster, CLUSTER_TAG_NAME, ""),
				   tag_name) == 0;
	}
	store_cursor_close(cur);
	return found;
}

/* Stores the cluster in MISP's Galaxy shape and links it. */
static int store_library_cluster(struct store *s,
				 const struct galaxy_set *set,
				 enum store_target t, int64_t target_id,
				 const struct galaxy_cluster *c, bool local,
				 struct cairn_err *e)
{
	json_t *galaxy = galaxy_json(galaxy_of(set, c));
	json_t *cluster = galaxy_cluster_json(set, c, GALAXY_PART_META);
	json_t *owner;
	int rc;

	json_object_set_new(cluster, "local", json_boolean(local));
	json_object_set_new(galaxy, "GalaxyCluster", json_pack("[o]", cluster));
	owner = json_pack("{s:[o]}", "Galaxy", galaxy);
	rc = owner ? event_write_galaxies(s, t, target_id, owner, "", e)
		   : cairn_err_set(e, CAIRN_ENOMEM,
				   "out of memory attaching a cluster");
	json_decref(owner);
	return rc;
}

int event_attach_tag_clusters(struct store *s,
			      const struct event_library *lib,
			      enum store_target t, int64_t target_id,
			      json_t *tags, json_t *owner, const char *pointer,
			      struct cairn_err *e)
{
	int rc = 0;

	(void)pointer;
	if (!lib || !lib->galaxies) {
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < list_count(tags); i++) {
		json_t *tag = list_at(tags, i);
		const char *name = tag_name_of(tag);
		json_t *local = json_object_get(tag, "local");
		const struct galaxy_cluster *c;

		if (!name || strncasecmp(name, GALAXY_TAG_PREFIX,
					 strlen(GALAXY_TAG_PREFIX)) != 0 ||
		    carries_cluster(owner, name)) {
			continue;
		}
		c = galaxy_cluster_by_tag(lib->galaxies, name);
		if (c && !has_stored_cluster(s, t, target_id, name)) {
			rc = store_library_cluster(
				s, lib->galaxies, t, target_id, c,
				json_is_true(local) ||
					(json_is_integer(local) &&
					 json_integer_value(local)),
				e);
		}
	}
	return rc;
}

int event_attach_cluster(struct store *s, const struct event_library *lib,
			 enum store_target t, int64_t target_id,
			 const struct galaxy_cluster *c, bool local,
			 struct cairn_err *e)
{
	struct record tag;
	char colour[8];
	int64_t tag_id;
	int rc;

	if (!lib || !lib->galaxies) {
		return 0;
	}
	record_init(&tag, &model_tag);
	record_set_text(&tag, TAG_NAME, galaxy_cluster_tag_name(c));
	event_tag_default_colour(lib, galaxy_cluster_tag_name(c), colour);
	record_set_text(&tag, TAG_COLOUR, colour);
	record_set_int(&tag, TAG_EXPORTABLE, 1);
	record_set_int(&tag, TAG_IS_GALAXY, 1);
	rc = store_tag_ensure(s, &tag, &tag_id);
	record_release(&tag);
	if (rc == 0) {
		rc = store_tag_link(s, t, target_id, tag_id, local, NULL);
	}
	if (rc < 0) {
		return store_error(s, e);
	}
	if (has_stored_cluster(s, t, target_id, galaxy_cluster_tag_name(c))) {
		return 0;
	}
	return store_library_cluster(s, lib->galaxies, t, target_id, c, local,
				     e);
}

int event_check_object(const struct event_library *lib, json_t *obj,
		       const char *pointer, struct cairn_err *e)
{
	const struct object_template *tpl;
	struct object_attribute_ref *refs;
	json_t *attrs = json_object_get(obj, "Attribute");
	struct cairn_err why = CAIRN_ERR_INIT;
	size_t n = list_count(attrs), index;
	int rc;

	if (!lib || !lib->templates) {
		return 0;
	}
	tpl = object_template_find(
		lib->templates,
		json_string_value(json_object_get(obj, "template_uuid")),
		json_string_value(json_object_get(obj, "name")));
	if (!tpl) {
		return 0;
	}
	refs = calloc(n + 1, sizeof(*refs));
	if (!refs) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory checking an object");
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a = list_at(attrs, i);

		refs[i].relation = json_string_value(
			json_object_get(a, "object_relation"));
		refs[i].type = json_string_value(json_object_get(a, "type"));
	}
	rc = object_template_validate(tpl, refs, n, &index, &why);
	if (rc < 0) {
		struct buf at = BUF_INIT;

		cairn_err_set(e, rc, "invalid object at %s: %s", pointer,
			      buf_str(&why.message));

		if (index < n) {
			buf_printf(&at, "%s/Attribute/%zu", pointer, index);
			cairn_err_at(e, buf_str(&at), "object_relation");
		} else {
			cairn_err_at(e, pointer, "Attribute");
		}
		buf_release(&at);
	}
	cairn_err_release(&why);
	free(refs);
	return rc;
}
