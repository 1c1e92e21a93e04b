/*
 * Object template endpoints: objectTemplates/index, view and getRaw, in
 * the shapes of MISP 2.5's ObjectTemplatesController.  The templates come
 * from the library loaded at start and are read-only.
 */
#include "api/api.h"
#include "api/library.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct object_template_set *templates_of(struct api_ctx *c)
{
	return c->app->library ? c->app->library->templates : NULL;
}

static json_t *number_text(int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	return json_string(text);
}

/* Finds a template by id, uuid or name. */
static const struct object_template *find_template(struct api_ctx *c)
{
	const struct object_template_set *set = templates_of(c);
	const char *arg = c->arg ? c->arg : "";

	if (*arg && strspn(arg, "0123456789") == strlen(arg) &&
	    strlen(arg) < 19) {
		return object_template_by_id(set, strtoll(arg, NULL, 10));
	}
	return object_template_find(set, arg, arg);
}

static json_t *string_list(json_t *v)
{
	return json_is_array(v) ? json_incref(v) : json_array();
}

/* The columns of MISP's object_templates table, from the definition. */
static json_t *template_fields(const struct object_template *t, json_t *def)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", number_text(object_template_id(t)));
	json_object_set_new(o, "user_id", json_string("0"));
	json_object_set_new(o, "org_id", json_string("0"));
	json_object_set_new(o, "uuid", json_string(object_template_uuid(t)));
	json_object_set_new(o, "name", json_string(object_template_name(t)));
	json_object_set(o, "meta-category",
			json_object_get(def, "meta-category") ?: json_null());
	json_object_set(o, "description",
			json_object_get(def, "description") ?: json_null());
	json_object_set_new(o, "version",
			    number_text(object_template_version(t)));
	json_object_set_new(
		o, "requirements",
		json_pack("{s:o, s:o}", "required",
			  string_list(json_object_get(def, "required")),
			  "requiredOneOf",
			  string_list(json_object_get(def, "requiredOneOf"))));
	json_object_set_new(o, "fixed", json_true());
	json_object_set_new(o, "active", json_true());
	return o;
}

/* One ObjectTemplateElement, as MISP stores the template's relations. */
static json_t *element_json(const struct object_template *t, size_t index,
			    const char *relation, json_t *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", number_text((int64_t)index + 1));
	json_object_set_new(o, "object_template_id",
			    number_text(object_template_id(t)));
	json_object_set_new(o, "object_relation", json_string(relation));
	json_object_set(o, "type",
			json_object_get(a, "misp-attribute") ?: json_null());
	json_object_set_new(
		o, "ui-priority",
		number_text(json_integer_value(
			json_object_get(a, "ui-priority"))));
	json_object_set_new(o, "categories",
			    string_list(json_object_get(a, "categories")));
	json_object_set_new(o, "sane_default",
			    string_list(json_object_get(a, "sane_default")));
	json_object_set_new(o, "values_list",
			    string_list(json_object_get(a, "values_list")));
	json_object_set(o, "description",
			json_object_get(a, "description") ?: json_string(""));
	json_object_set_new(o, "disable_correlation",
			    json_boolean(json_is_true(json_object_get(
				    a, "disable_correlation"))));
	json_object_set_new(o, "multiple",
			    json_boolean(json_is_true(
				    json_object_get(a, "multiple"))));
	return o;
}

static json_t *definition(const struct object_template *t)
{
	return json_loads(object_template_json(t), 0, NULL);
}

int api_template_index(struct api_ctx *c)
{
	const struct object_template_set *set = templates_of(c);
	json_t *list = json_array();

	for (size_t i = 0; i < object_template_count(set); i++) {
		const struct object_template *t = object_template_at(set, i);
		json_t *def = definition(t);

		json_array_append_new(
			list, json_pack("{s:o}", "ObjectTemplate",
					template_fields(t, def)));
		json_decref(def);
	}
	return api_send_json(c, list);
}

int api_template_view(struct api_ctx *c)
{
	const struct object_template *t = find_template(c);
	json_t *def, *elements;
	const char *key;
	json_t *value;
	size_t i = 0;

	if (!t) {
		return api_error(c, 404, "Invalid object template.", NULL);
	}
	def = definition(t);
	elements = json_array();
	json_object_foreach(json_object_get(def, "attributes"), key, value) {
		json_array_append_new(elements,
				      element_json(t, i++, key, value));
	}
	json_t *body = json_pack("{s:o, s:o}", "ObjectTemplate",
				 template_fields(t, def),
				 "ObjectTemplateElement", elements);
	json_decref(def);
	return api_send_json(c, body);
}

int api_template_raw(struct api_ctx *c)
{
	const struct object_template *t = find_template(c);

	if (!t) {
		return api_error(c, 404, "Invalid object template.", NULL);
	}
	return api_send_json(c, definition(t));
}
