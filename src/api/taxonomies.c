/*
 * Taxonomy endpoints: index, view, enable, disable and addTag, in the
 * shapes of MISP 2.5's TaxonomiesController.
 *
 * The taxonomies come from the library loaded at start and are
 * read-only; only their enabled flags change, in memory and in the
 * store.  Without a library every list is empty.
 */
#include "api/api.h"
#include "api/library.h"
#include "core/log.h"
#include "import/event_writer.h"
#include "import/library_checks.h"
#include "model/codec.h"
#include "model/misp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct taxonomy_set *taxonomies_of(struct api_ctx *c)
{
	return c->app->library ? c->app->library->taxonomies : NULL;
}

/* MISP sends its integer columns as strings. */
static json_t *number_text(int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	return json_string(text);
}

/* The columns of MISP's taxonomies table. */
static json_t *taxonomy_fields(const struct taxonomy *t)
{
	return json_pack("{s:o, s:s, s:s, s:o, s:b, s:b, s:b, s:b}", "id",
			 number_text(taxonomy_id(t)), "namespace",
			 taxonomy_namespace(t), "description",
			 taxonomy_description(t), "version",
			 number_text(taxonomy_version(t)), "enabled",
			 taxonomy_enabled(t), "exclusive",
			 taxonomy_exclusive(t),
			 "required", 0, "highlighted", 0);
}

/* Finds the taxonomy named by an id or a namespace. */
static const struct taxonomy *find_taxonomy(struct api_ctx *c)
{
	const struct taxonomy_set *set = taxonomies_of(c);
	const char *arg = c->arg ? c->arg : "";
	char *end;
	long long id = strtoll(arg, &end, 10);

	if (*arg && *end == '\0') {
		return taxonomy_by_id(set, id);
	}
	return taxonomy_find(set, arg);
}

/* Counts, per taxonomy, the stored tags that are its entries. */
static int count_existing(struct api_ctx *c, const struct taxonomy_set *set,
			  size_t *counts)
{
	struct store_cursor *cur;
	struct record tag;
	int rc = store_query(c->store, &c->viewer, Q_TAG_INDEX, 0, 0, &cur);

	if (rc < 0) {
		return rc;
	}
	while ((rc = store_cursor_next(cur, &tag)) == 1) {
		struct taxonomy_entry entry;
		const struct taxonomy *t = taxonomy_lookup(
			set, record_text(&tag, TAG_NAME, ""), &entry);

		for (size_t i = 0; t && i < taxonomy_count(set); i++) {
			if (taxonomy_at(set, i) == t &&
			    !record_int(&tag, TAG_HIDE_TAG, 0)) {
				counts[i]++;
			}
		}
	}
	store_cursor_close(cur);
	return rc;
}

int api_taxonomy_index(struct api_ctx *c)
{
	const struct taxonomy_set *set = taxonomies_of(c);
	size_t n = taxonomy_count(set);
	size_t *counts = calloc(n + 1, sizeof(*counts));
	json_t *list;

	if (!counts || count_existing(c, set, counts) < 0) {
		free(counts);
		return api_error(c, 500, "listing taxonomies failed", NULL);
	}
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct taxonomy *t = taxonomy_at(set, i);

		json_array_append_new(
			list, json_pack("{s:o, s:I, s:I}", "Taxonomy",
					taxonomy_fields(t), "total_count",
					(json_int_t)taxonomy_entry_count(t),
					"current_count",
					(json_int_t)counts[i]));
	}
	free(counts);
	return api_send_json(c, list);
}

/* Writes the stored tag of an entry as {"Tag": {...}}, or false. */
static void gen_existing_tag(struct api_ctx *c, const char *name)
{
	struct record tag;
	int64_t id;

	record_init(&tag, &model_tag);
	if (store_find(c->store, &model_tag, "name", name, &id) == 0 &&
	    store_get(c->store, &model_tag, id, &tag) == 0) {
		yajl_gen_map_open(c->gen);
		codec_emit_key(c->gen, "Tag");
		codec_emit_record(c->gen, &tag);
		yajl_gen_map_close(c->gen);
	} else {
		yajl_gen_bool(c->gen, 0);
	}
	record_release(&tag);
}

static json_t *entry_json(const struct taxonomy_entry *en)
{
	json_t *o = json_pack("{s:s, s:s}", "tag", en->tag, "expanded",
			      en->expanded);

	if (en->description) {
		json_object_set_new(o, "description",
				    json_string(en->description));
	}
	if (en->has_colour) {
		json_object_set_new(o, "colour", json_string(en->colour));
	}
	if (en->has_numerical_value) {
		json_object_set_new(o, "numerical_value",
				    json_integer(en->numerical_value));
	}
	if (en->is_value) {
		json_object_set_new(o, "exclusive_predicate",
				    json_boolean(en->exclusive_predicate));
	}
	return o;
}

/* Writes one entry of taxonomies/view, with its stored tag. */
static void gen_entry(struct api_ctx *c, const struct taxonomy_entry *en)
{
	json_t *fields = entry_json(en);
	const char *key;
	json_t *value;

	yajl_gen_map_open(c->gen);
	json_object_foreach(fields, key, value) {
		codec_emit_key(c->gen, key);
		codec_emit_json(c->gen, value);
	}
	codec_emit_key(c->gen, "existing_tag");
	gen_existing_tag(c, en->tag);
	yajl_gen_map_close(c->gen);
	json_decref(fields);
}

int api_taxonomy_view(struct api_ctx *c)
{
	const struct taxonomy *t = find_taxonomy(c);
	json_t *fields;

	if (!t) {
		return api_error(c, 404, "Taxonomy not found.", NULL);
	}
	fields = taxonomy_fields(t);
	yajl_gen_map_open(c->gen);
	codec_emit_key(c->gen, "Taxonomy");
	codec_emit_json(c->gen, fields);
	json_decref(fields);
	codec_emit_key(c->gen, "entries");
	yajl_gen_array_open(c->gen);
	for (size_t i = 0; i < taxonomy_entry_count(t); i++) {
		struct taxonomy_entry en;

		taxonomy_entry_get(t, i, &en);
		gen_entry(c, &en);
	}
	yajl_gen_array_close(c->gen);
	yajl_gen_map_close(c->gen);
	return 0;
}

static int set_enabled(struct api_ctx *c, bool enabled)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	const struct taxonomy *t = find_taxonomy(c);
	int rc;

	if (!t) {
		return api_error(c, 404, "Invalid taxonomy.", NULL);
	}
	rc = store_taxonomy_state_set(c->store, taxonomy_namespace(t), enabled,
				      &e);
	if (rc < 0) {
		api_error_rc(c, rc, &e);
		cairn_err_release(&e);
		return 0;
	}
	taxonomy_set_enabled(t, enabled);
	log_info("taxonomy '%s' (id %lld) %s by user %lld",
		 taxonomy_namespace(t), (long long)taxonomy_id(t),
		 enabled ? "enabled" : "disabled",
		 (long long)record_int(&c->user.user, USER_ID, 0));
	return api_success(c, enabled ? "Taxonomy enabled"
				      : "Taxonomy disabled");
}

int api_taxonomy_enable(struct api_ctx *c)
{
	return set_enabled(c, true);
}

int api_taxonomy_disable(struct api_ctx *c)
{
	return set_enabled(c, false);
}

/* Creates the tag of one entry with the taxonomy's colour. */
static int add_entry_tag(struct api_ctx *c, const struct taxonomy_entry *en)
{
	struct record tag;
	char colour[8];
	int64_t id;
	int rc;

	record_init(&tag, &model_tag);
	record_set_text(&tag, TAG_NAME, en->tag);
	event_tag_default_colour(library_writes(c->app->library), en->tag,
				 colour);
	record_set_text(&tag, TAG_COLOUR, colour);
	record_set_int(&tag, TAG_EXPORTABLE, 1);
	if (en->has_numerical_value) {
		char text[24];

		snprintf(text, sizeof(text), "%lld",
			 (long long)en->numerical_value);
		record_set_text(&tag, TAG_NUMERICAL_VALUE, text);
	}
	rc = store_tag_ensure(c->store, &tag, &id);
	record_release(&tag);
	return rc;
}

int api_taxonomy_add_tag(struct api_ctx *c)
{
	const struct taxonomy *t = find_taxonomy(c);
	int rc = 0;

	if (!t) {
		return api_error(c, 404, "Invalid taxonomy.", NULL);
	}
	if (store_begin(c->store) < 0) {
		return api_error(c, 500, "saving the tags failed", NULL);
	}
	for (size_t i = 0; rc == 0 && i < taxonomy_entry_count(t); i++) {
		struct taxonomy_entry en;

		taxonomy_entry_get(t, i, &en);
		rc = add_entry_tag(c, &en);
	}
	if (rc < 0 || store_commit(c->store) < 0) {
		store_rollback(c->store);
		return api_error(c, 500, "saving the tags failed", NULL);
	}
	return api_success(c, "The tag(s) has been saved.");
}
