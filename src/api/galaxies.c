/*
 * Galaxy endpoints: galaxies/index (and the search by "value"),
 * galaxies/view, galaxies/attachCluster, galaxy_clusters/view and
 * galaxy_clusters/index (with "searchall"), in the shapes of MISP 2.5's
 * GalaxiesController and GalaxyClustersController.
 *
 * The galaxies come from the library loaded at start and are read-only.
 * Attaching a cluster stores its tag and a copy of the cluster on the
 * event or attribute, as a cluster received inside an event is stored.
 */
#include "api/api.h"
#include "api/library.h"
#include "import/library_checks.h"
#include "model/misp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct galaxy_set *galaxies_of(struct api_ctx *c)
{
	return c->app->library ? c->app->library->galaxies : NULL;
}

/* Returns the string member `key` of the body, or of its `envelope`
 * object when it has one, or NULL. */
static const char *body_string(struct api_ctx *c, const char *envelope,
			       const char *key)
{
	json_t *body = api_body_object(c, envelope);

	return body ? json_string_value(json_object_get(body, key)) : NULL;
}

/* Parses a whole decimal id; false for anything else. */
static bool parse_id(const char *text, int64_t *id)
{
	char *end;

	if (!text || !*text || strspn(text, "0123456789") != strlen(text) ||
	    strlen(text) > 18) {
		return false;
	}
	*id = strtoll(text, &end, 10);
	return true;
}

static const struct galaxy *find_galaxy(const struct galaxy_set *set,
					const char *arg)
{
	int64_t id;

	if (parse_id(arg, &id)) {
		return galaxy_by_id(set, id);
	}
	for (size_t i = 0; arg && i < galaxy_count(set); i++) {
		if (strcasecmp(galaxy_uuid(galaxy_at(set, i)), arg) == 0) {
			return galaxy_at(set, i);
		}
	}
	return NULL;
}

static const struct galaxy_cluster *find_cluster(const struct galaxy_set *set,
						 const char *arg)
{
	int64_t id;

	if (parse_id(arg, &id)) {
		return galaxy_cluster_by_id(set, id);
	}
	return galaxy_cluster_by_uuid(set, arg);
}

int api_galaxy_index(struct api_ctx *c)
{
	const struct galaxy_set *set = galaxies_of(c);
	const char *value = body_string(c, "Galaxy", "value");
	json_t *list = json_array();

	for (size_t i = 0; i < galaxy_count(set); i++) {
		const struct galaxy *g = galaxy_at(set, i);

		if (value && *value && !galaxy_matches(g, value)) {
			continue;
		}
		json_array_append_new(
			list, json_pack("{s:o}", "Galaxy", galaxy_json(g)));
	}
	return api_send_json(c, list);
}

int api_galaxy_view(struct api_ctx *c)
{
	const struct galaxy_set *set = galaxies_of(c);
	const struct galaxy *g = find_galaxy(set, c->arg);
	json_t *clusters;

	if (!g) {
		return api_error(c, 404, "Invalid galaxy.", NULL);
	}
	clusters = json_array();
	for (size_t i = 0; i < galaxy_cluster_total(set); i++) {
		const struct galaxy_cluster *cl = galaxy_cluster_at(set, i);

		if (galaxy_of(set, cl) == g) {
			json_array_append_new(
				clusters,
				galaxy_cluster_json(set, cl,
						    GALAXY_PART_ELEMENTS));
		}
	}
	return api_send_json(c, json_pack("{s:o, s:o}", "Galaxy",
					  galaxy_json(g), "GalaxyCluster",
					  clusters));
}

/* Writes the id of the stored tag named `name` into `cluster` as
 * "tag_id", when there is one. */
static void add_tag_id(struct api_ctx *c, json_t *cluster, const char *name)
{
	char text[24];
	int64_t id;

	if (store_find(c->store, &model_tag, "name", name, &id) == 0) {
		snprintf(text, sizeof(text), "%lld", (long long)id);
		json_object_set_new(cluster, "tag_id", json_string(text));
	}
}

int api_cluster_view(struct api_ctx *c)
{
	const struct galaxy_set *set = galaxies_of(c);
	const struct galaxy_cluster *cl = find_cluster(set, c->arg);
	json_t *body;

	if (!cl) {
		return api_error(c, 404, "Invalid galaxy cluster.", NULL);
	}
	body = galaxy_cluster_json(set, cl,
				   GALAXY_PART_ELEMENTS |
					   GALAXY_PART_RELATIONS |
					   GALAXY_PART_GALAXY |
					   GALAXY_PART_ORGS);
	add_tag_id(c, body, galaxy_cluster_tag_name(cl));
	return api_send_json(c, json_pack("{s:o}", "GalaxyCluster", body));
}

int api_cluster_index(struct api_ctx *c)
{
	const struct galaxy_set *set = galaxies_of(c);
	const struct galaxy *g = NULL;
	const char *text = body_string(c, "GalaxyCluster", "searchall");
	json_t *list;

	if (c->arg && !(g = find_galaxy(set, c->arg))) {
		return api_error(c, 404, "Invalid galaxy.", NULL);
	}
	if (!text) {
		text = path_named(&c->path, "searchall");
	}
	list = json_array();
	for (size_t i = 0; i < galaxy_cluster_total(set); i++) {
		const struct galaxy_cluster *cl = galaxy_cluster_at(set, i);

		if ((g && galaxy_of(set, cl) != g) ||
		    (text && *text && !galaxy_cluster_matches(cl, text))) {
			continue;
		}
		json_array_append_new(
			list, json_pack("{s:o}", "GalaxyCluster",
					galaxy_cluster_json(set, cl,
							    GALAXY_PART_META)));
	}
	return api_send_json(c, list);
}

/* Finds the target of attachCluster: an event or an attribute, by id or
 * uuid, and the event it belongs to. */
static int find_attach_target(struct api_ctx *c, const char *kind,
			      enum store_target *t, int64_t *id,
			      int64_t *event_id)
{
	struct record attr;

	if (strcmp(kind, "event") == 0) {
		*t = STORE_EVENT;
		if (api_resolve(c, &model_event, c->arg, id) < 0) {
			return CAIRN_ENOTFOUND;
		}
		*event_id = *id;
		return 0;
	}
	if (strcmp(kind, "attribute") != 0) {
		return CAIRN_EINVAL;
	}
	*t = STORE_ATTRIBUTE;
	if (api_resolve(c, &model_attribute, c->arg, id) < 0) {
		return CAIRN_ENOTFOUND;
	}
	record_init(&attr, &model_attribute);
	store_get(c->store, &model_attribute, *id, &attr);
	*event_id = record_int(&attr, ATTR_EVENT_ID, 0);
	record_release(&attr);
	return 0;
}

/* The cluster named by the body's Galaxy.target_id (a number or a
 * string, an id or a uuid). */
static const struct galaxy_cluster *body_cluster(struct api_ctx *c)
{
	json_t *body = api_body_object(c, "Galaxy");
	json_t *target = body ? json_object_get(body, "target_id") : NULL;
	char text[24];

	if (json_is_integer(target)) {
		snprintf(text, sizeof(text), "%lld",
			 (long long)json_integer_value(target));
		return find_cluster(galaxies_of(c), text);
	}
	return json_is_string(target)
		       ? find_cluster(galaxies_of(c), json_string_value(target))
		       : NULL;
}

int api_galaxy_attach(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *kind = c->path.nsegments > 3 ? c->path.segments[3] : "";
	const char *local_arg = path_named(&c->path, "local");
	bool local = local_arg && strcmp(local_arg, "0") != 0;
	const struct galaxy_cluster *cl = body_cluster(c);
	enum store_target t;
	int64_t target, event_id;
	int rc = find_attach_target(c, kind, &t, &target, &event_id);

	if (rc == CAIRN_EINVAL) {
		return api_error(c, 400,
				 "Invalid target type: expected 'event' or "
				 "'attribute'.",
				 NULL);
	}
	if (rc < 0) {
		return api_error(c, 404, "Invalid target.", NULL);
	}
	if (!cl) {
		return api_error(c, 404, "Invalid cluster.",
				 json_pack("{s:[s]}", "target_id",
					   "expected the id or uuid of a "
					   "loaded galaxy cluster"));
	}
	rc = store_begin(c->store);
	if (rc == 0) {
		rc = event_attach_cluster(c->store,
					  library_writes(c->app->library), t,
					  target, cl, local, &e);
	}
	if (rc == 0 && !local) {
		rc = api_touch_event(c, event_id);
	}
	if (rc == 0) {
		rc = store_commit(c->store);
	}
	if (rc < 0) {
		store_rollback(c->store);
		api_error_rc(c, rc, &e);
		cairn_err_release(&e);
		return 0;
	}
	return api_send_json(c, json_pack("{s:b, s:s, s:b}", "saved", 1,
					  "success", "Cluster attached.",
					  "check_publish", 1));
}
