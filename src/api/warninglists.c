/*
 * Warninglist endpoints: index, view, toggleEnable and checkValue, in the
 * shapes of MISP 2.5's WarninglistsController.
 *
 * The lists come from the library loaded at start and are read-only.  Only
 * their enabled flags change, in memory and in the store, so the state
 * survives a restart.  Without a library every list query is empty.
 */
#include "api/api.h"
#include "api/library.h"
#include "core/log.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct warninglist_set *lists_of(struct api_ctx *c)
{
	return c->app->library ? c->app->library->warninglists : NULL;
}

static void gen_string(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_key_string(yajl_gen g, const char *key, const char *value)
{
	gen_string(g, key);
	if (value) {
		gen_string(g, value);
	} else {
		yajl_gen_null(g);
	}
}

/* MISP sends its integer columns as strings. */
static void gen_key_number(yajl_gen g, const char *key, size_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%zu", value);
	gen_key_string(g, key, text);
}

static void gen_key_bool(yajl_gen g, const char *key, bool value)
{
	gen_string(g, key);
	yajl_gen_bool(g, value);
}

/* Writes the columns of the warninglists table. */
static void gen_list_fields(yajl_gen g, struct warninglist_set *set,
			    const struct warninglist *l)
{
	gen_key_number(g, "id", (size_t)warninglist_id(l));
	gen_key_string(g, "name", warninglist_name(l));
	gen_key_string(g, "type", warninglist_type_name(warninglist_type(l)));
	gen_key_string(g, "description", warninglist_description(l));
	gen_key_number(g, "version", (size_t)warninglist_version(l));
	gen_key_bool(g, "enabled", warninglist_enabled(set, warninglist_id(l)));
	gen_key_bool(g, "default", true);
	gen_key_string(g, "category", warninglist_category(l));
}

/* The "valid_attributes" of the index: the types joined by ", ", or
 * "ALL", which MISP stores for a list without matching_attributes. */
static void gen_valid_attributes(yajl_gen g, const struct warninglist *l)
{
	struct buf text = BUF_INIT;
	size_t n = warninglist_attribute_count(l);

	for (size_t i = 0; i < n; i++) {
		buf_printf(&text, "%s%s", i ? ", " : "",
			   warninglist_attribute(l, i));
	}
	gen_key_string(g, "valid_attributes", n ? buf_str(&text) : "ALL");
	buf_release(&text);
}

/* MISP's index filters: "value" matches a part of the name or
 * description, or the whole type; "enabled" the state. */
static bool index_keeps(struct api_ctx *c, struct warninglist_set *set,
			const struct warninglist *l)
{
	json_t *value = c->body ? json_object_get(c->body, "value") : NULL;
	json_t *enabled = c->body ? json_object_get(c->body, "enabled") : NULL;

	if (json_is_string(value) && *json_string_value(value)) {
		const char *v = json_string_value(value);

		if (!str_contains_nocase(warninglist_name(l), v) &&
		    !str_contains_nocase(warninglist_description(l), v) &&
		    strcasecmp(warninglist_type_name(warninglist_type(l)), v) !=
			    0) {
			return false;
		}
	}
	if (enabled && !json_is_null(enabled)) {
		bool want = api_json_flag(enabled);

		if (warninglist_enabled(set, warninglist_id(l)) != want) {
			return false;
		}
	}
	return true;
}

int api_warninglist_index(struct api_ctx *c)
{
	struct warninglist_set *set = lists_of(c);
	size_t n = set ? warninglist_count(set) : 0;
	yajl_gen g = c->gen;

	if (c->body && !json_is_object(c->body)) {
		return api_error(c, 400, "Invalid filter: expected a JSON object.",
				 NULL);
	}
	yajl_gen_map_open(g);
	gen_string(g, "Warninglists");
	yajl_gen_array_open(g);
	/* MISP orders the index by id, newest first. */
	for (size_t id = n; id >= 1; id--) {
		const struct warninglist *l = warninglist_get(set, (int)id);

		if (!index_keeps(c, set, l)) {
			continue;
		}
		yajl_gen_map_open(g);
		gen_string(g, "Warninglist");
		yajl_gen_map_open(g);
		gen_list_fields(g, set, l);
		gen_key_number(g, "warninglist_entry_count",
			       warninglist_entry_count(l));
		gen_valid_attributes(g, l);
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return 0;
}

static bool parse_id(const char *text, int *id)
{
	char *end;
	long n;

	if (!text || !*text || strspn(text, "0123456789") != strlen(text)) {
		return false;
	}
	n = strtol(text, &end, 10);
	*id = n > 0 && n < (1L << 30) ? (int)n : 0;
	return true;
}

int api_warninglist_view(struct api_ctx *c)
{
	struct warninglist_set *set = lists_of(c);
	const struct warninglist *l;
	yajl_gen g = c->gen;
	size_t first, n;
	int id;

	if (!parse_id(c->arg, &id)) {
		return api_error(c, 404, "Invalid ID.", NULL);
	}
	l = set ? warninglist_get(set, id) : NULL;
	if (!l) {
		return api_error(c, 404, "Warninglist not found.", NULL);
	}
	yajl_gen_map_open(g);
	gen_string(g, "Warninglist");
	yajl_gen_map_open(g);
	gen_list_fields(g, set, l);
	gen_string(g, "WarninglistEntry");
	yajl_gen_array_open(g);
	first = warninglist_first_entry_id(l);
	n = warninglist_entry_count(l);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_key_number(g, "id", first + i);
		gen_key_string(g, "value", warninglist_entry(l, i));
		gen_key_number(g, "warninglist_id", (size_t)id);
		gen_key_string(g, "comment", warninglist_entry_comment(l, i));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	gen_string(g, "WarninglistType");
	yajl_gen_array_open(g);
	n = warninglist_attribute_count(l);
	for (size_t i = 0; i < (n ? n : 1); i++) {
		yajl_gen_map_open(g);
		/* Type rows have no id of their own here; they are numbered
		 * within the list. */
		gen_key_number(g, "id", i + 1);
		gen_key_string(g, "type", n ? warninglist_attribute(l, i) : "ALL");
		gen_key_number(g, "warninglist_id", (size_t)id);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return 0;
}

/* Sends MISP's toggleEnable body, {"saved": ..., key: text}, with 200,
 * which MISP uses for its failures too. */
static int send_toggle(struct api_ctx *c, bool saved, const char *key,
		       const char *text)
{
	json_t *body = json_pack("{s:b, s:s}", "saved", saved, key, text);

	return api_send_json(c, body);
}

/* PHP's truthiness of a JSON value, which MISP applies to "enabled". */
static bool php_true(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_TRUE:
		return true;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_STRING:
		return json_string_length(v) != 0 &&
		       strcmp(json_string_value(v), "0") != 0;
	case JSON_ARRAY:
		return json_array_size(v) != 0;
	case JSON_OBJECT:
		return json_object_size(v) != 0;
	default:
		return false;
	}
}

/* Returns whether `text` matches the SQL LIKE `pattern` (% any run, _ one
 * character) without regard to ASCII case. */
static bool like_nocase(const char *text, const char *pattern)
{
	if (*pattern == '\0') {
		return *text == '\0';
	}
	if (*pattern == '%') {
		for (const char *t = text;; t++) {
			if (like_nocase(t, pattern + 1)) {
				return true;
			}
			if (*t == '\0') {
				return false;
			}
		}
	}
	if (*text == '\0') {
		return false;
	}
	if (*pattern != '_' && strncasecmp(text, pattern, 1) != 0) {
		return false;
	}
	return like_nocase(text + 1, pattern + 1);
}

/* Marks in `chosen` the list with the id in `v` (a number or a string
 * of digits); returns whether it exists. */
static bool choose_id(struct warninglist_set *set, const json_t *v,
		      bool *chosen)
{
	int id = 0;

	if (json_is_integer(v)) {
		id = json_integer_value(v) > 0 &&
				     json_integer_value(v) < (1 << 30)
			     ? (int)json_integer_value(v)
			     : 0;
	} else if (!json_is_string(v) || !parse_id(json_string_value(v), &id)) {
		return false;
	}
	if (!warninglist_get(set, id)) {
		return false;
	}
	chosen[id - 1] = true;
	return true;
}

/* Selects lists by "id" (one or a list) or, failing that, by "name" (LIKE
 * patterns).  Returns how many were named, found or not. */
static size_t choose_lists(struct api_ctx *c, struct warninglist_set *set,
			   bool *chosen, size_t *found)
{
	json_t *wrapped = json_object_get(c->body, "Warninglist");
	json_t *ids = json_object_get(wrapped ? wrapped : c->body,
				      wrapped ? "data" : "id");
	json_t *names = json_object_get(c->body, "name");
	size_t named = 0, i;
	json_t *v;

	*found = 0;
	if (ids && php_true(ids)) {
		if (!json_is_array(ids)) {
			*found += choose_id(set, ids, chosen);
			return 1;
		}
		json_array_foreach(ids, i, v)
		{
			*found += choose_id(set, v, chosen);
			named++;
		}
		return named;
	}
	if (!names || !php_true(names)) {
		return 0;
	}
	for (size_t id = 1; id <= warninglist_count(set); id++) {
		const char *name = warninglist_name(warninglist_get(set, (int)id));
		bool hit = false;

		if (json_is_string(names)) {
			hit = like_nocase(name, json_string_value(names));
		}
		json_array_foreach(names, i, v)
		{
			hit = hit || (json_is_string(v) &&
				      like_nocase(name, json_string_value(v)));
		}
		if (hit) {
			chosen[id - 1] = true;
			named++;
			(*found)++;
		}
	}
	return named;
}

/* Stores and applies the new state of every chosen list in one
 * transaction; returns the number changed and sets *message. */
static int apply_toggle(struct api_ctx *c, struct warninglist_set *set,
			const bool *chosen, const json_t *enabled,
			const char **message, struct cairn_err *e)
{
	size_t n = warninglist_count(set), count = 0;
	int rc = store_begin(c->store);

	for (size_t i = 0; i < n; i++) {
		count += chosen[i];
	}

	for (size_t id = 1; rc == 0 && id <= n; id++) {
		const struct warninglist *l = warninglist_get(set, (int)id);
		bool on = enabled ? php_true(enabled)
				  : !warninglist_enabled(set, (int)id);

		if (!chosen[id - 1]) {
			continue;
		}
		rc = store_warninglist_state_set(c->store, warninglist_name(l),
						 on, e);
		*message = on ? "enabled" : "disabled";
	}
	if (!enabled && count > 1) {
		*message = "toggled";
	}
	if (rc == 0) {
		rc = store_commit(c->store);
	}
	if (rc < 0) {
		store_rollback(c->store);
		return rc;
	}
	/* Memory follows the store only once the store has committed. */
	for (size_t id = 1; id <= n; id++) {
		if (chosen[id - 1]) {
			bool on = enabled ? php_true(enabled)
					  : !warninglist_enabled(set, (int)id);

			warninglist_set_enabled(set, (int)id, on);
		}
	}
	return (int)count;
}

int api_warninglist_toggle(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct warninglist_set *set = lists_of(c);
	const json_t *enabled;
	const char *message = "";
	char text[64];
	size_t named = 0, found = 0;
	bool *chosen;
	int rc;

	if (!json_is_object(c->body)) {
		return send_toggle(c, false, "errors", "Warninglist not found.");
	}
	chosen = set ? calloc(warninglist_count(set) + 1, sizeof(*chosen))
		     : NULL;
	if (set && !chosen) {
		return api_error(c, 500, "Out of memory.", NULL);
	}
	if (set) {
		named = choose_lists(c, set, chosen, &found);
	}
	if (named == 0) {
		free(chosen);
		return send_toggle(c, false, "errors", "Warninglist not found.");
	}
	if (found == 0) {
		free(chosen);
		return send_toggle(c, false, "errors",
				   "Warninglist(s) not found.");
	}
	enabled = json_object_get(c->body, "enabled");
	rc = apply_toggle(c, set, chosen, enabled, &message, &e);
	free(chosen);
	if (rc < 0) {
		log_error("saving warninglist state failed: %s",
			  buf_str(&e.message));
		cairn_err_release(&e);
		return send_toggle(c, false, "errors",
				   "Warninglist(s) could not be toggled.");
	}
	snprintf(text, sizeof(text), "%d warninglist(s) %s", rc, message);
	return send_toggle(c, true, "success", text);
}

/* Adds the hits of one value to `out` under its trimmed text. */
static int check_one(struct warninglist_set *set, const char *value,
		     struct warninglist_hit *hits, json_t *out)
{
	static const char space[] = " \t\n\r\v";
	size_t len, n, cap = warninglist_count(set);
	json_t *list;
	char *trimmed;

	value += strspn(value, space);
	len = strlen(value);
	while (len && (strchr(space, value[len - 1]))) {
		len--;
	}
	trimmed = strndup(value, len);
	if (!trimmed) {
		return CAIRN_ENOMEM;
	}
	n = warninglist_check(set, NULL, trimmed, hits, cap);
	if (n == 0) {
		free(trimmed);
		return 0;
	}
	/* A value sent twice is reported once. */
	if (json_object_get(out, trimmed)) {
		free(trimmed);
		return 0;
	}
	list = json_array();
	json_object_set_new(out, trimmed, list);
	for (size_t i = 0; i < n && i < cap; i++) {
		const struct warninglist *l = warninglist_get(set, hits[i].id);
		char id[16];

		snprintf(id, sizeof(id), "%d", hits[i].id);
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:s}", "id", id,
						"name", warninglist_name(l),
						"matched", hits[i].match));
	}
	free(trimmed);
	return 0;
}

int api_warninglist_check(struct api_ctx *c)
{
	struct warninglist_set *set = lists_of(c);
	json_t *data = c->body, *out, *v;
	struct warninglist_hit *hits;
	const char *key;
	size_t i;

	if (!data || (json_is_array(data) && json_array_size(data) == 0) ||
	    (json_is_object(data) && json_object_size(data) == 0)) {
		return api_error(c, 404, "No valid data received.", NULL);
	}
	if (json_is_object(data) && json_object_get(data, "Warninglist")) {
		data = json_object_get(data, "Warninglist");
	}
	if (json_is_object(data) && json_object_get(data, "[]")) {
		data = json_object_get(data, "[]");
	}
	/* MISP returns a PHP array, which is [] when nothing hit. */
	out = json_object();
	hits = set ? calloc(warninglist_count(set) + 1, sizeof(*hits)) : NULL;
	if (!out || (set && !hits)) {
		json_decref(out);
		free(hits);
		return api_error(c, 500, "Out of memory.", NULL);
	}
	if (set && json_is_string(data)) {
		check_one(set, json_string_value(data), hits, out);
	} else if (set && json_is_array(data)) {
		json_array_foreach(data, i, v)
		{
			if (json_is_string(v)) {
				check_one(set, json_string_value(v), hits, out);
			}
		}
	} else if (set && json_is_object(data)) {
		json_object_foreach(data, key, v)
		{
			if (json_is_string(v)) {
				check_one(set, json_string_value(v), hits, out);
			}
		}
	}
	free(hits);
	if (json_object_size(out) == 0) {
		json_decref(out);
		return api_send_json(c, json_array());
	}
	return api_send_json(c, out);
}
