/*
 * Object templates loaded from misp-objects, and the template check.
 *
 * Each template keeps its relations sorted by name for the check, and the
 * definition itself as compact JSON text, which the API renders.
 */
#include "model/object_template.h"
#include "core/buf.h"
#include "model/libdir.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct template_relation {
	char *name, *type;
	bool multiple;
};

struct object_template {
	char *name, *uuid, *json;
	int64_t version;
	_Atomic int64_t id;
	struct template_relation *relations; /* sorted by name */
	size_t nrelations;
	char **required, **required_one_of;
	size_t nrequired, nrequired_one_of;
};

struct object_template_set {
	struct object_template *items;
	size_t count;
	size_t memory;
};

struct loader {
	struct object_template_set *set;
	const char *path;
	struct cairn_err *e;
};

static int no_memory(struct loader *ld)
{
	return cairn_err_set(ld->e, CAIRN_ENOMEM, "out of memory loading '%s'",
			     ld->path);
}

static char *keep(struct loader *ld, const char *s)
{
	char *copy = libdir_strdup(s);

	if (copy) {
		ld->set->memory += strlen(copy) + 1;
	}
	return copy;
}

static int relation_compare(const void *a, const void *b)
{
	return strcmp(((const struct template_relation *)a)->name,
		      ((const struct template_relation *)b)->name);
}

static int load_relations(struct loader *ld, struct object_template *t,
			  const json_t *attributes)
{
	const char *key;
	const json_t *value;

	t->relations = calloc(json_object_size(attributes) + 1,
			      sizeof(*t->relations));
	if (!t->relations) {
		return no_memory(ld);
	}
	ld->set->memory +=
		(json_object_size(attributes) + 1) * sizeof(*t->relations);
	json_object_foreach((json_t *)attributes, key, value) {
		struct template_relation *r = &t->relations[t->nrelations];
		const char *type = libdir_string(value, "misp-attribute");

		if (!type) {
			return cairn_err_set(ld->e, CAIRN_EINVAL,
					     "invalid object template '%s': "
					     "relation '%s' lacks its "
					     "'misp-attribute'",
					     ld->path, key);
		}
		r->name = keep(ld, key);
		r->type = keep(ld, type);
		r->multiple = json_is_true(json_object_get(value, "multiple"));
		if (!r->name || !r->type) {
			return no_memory(ld);
		}
		t->nrelations++;
	}
	qsort(t->relations, t->nrelations, sizeof(*t->relations),
	      relation_compare);
	return 0;
}

/* Copies a JSON array of relation names into *out. */
static int load_names(struct loader *ld, const json_t *list, char ***out,
		      size_t *count)
{
	size_t i;
	const json_t *v;

	*out = calloc(json_array_size(list) + 1, sizeof(char *));
	if (!*out) {
		return no_memory(ld);
	}
	json_array_foreach(list, i, v) {
		if (!json_is_string(v)) {
			return cairn_err_set(ld->e, CAIRN_EINVAL,
					     "invalid object template '%s': "
					     "expected relation names in "
					     "'required' and 'requiredOneOf'",
					     ld->path);
		}
		(*out)[*count] = keep(ld, json_string_value(v));
		if (!(*out)[*count]) {
			return no_memory(ld);
		}
		(*count)++;
	}
	return 0;
}

static int load_template(struct loader *ld, struct object_template *t,
			 const json_t *doc)
{
	const char *name = libdir_string(doc, "name");
	const char *uuid = libdir_string(doc, "uuid");
	const json_t *attributes = json_object_get(doc, "attributes");
	const json_t *version = json_object_get(doc, "version");
	int rc;

	if (!name || !*name || !uuid || !json_is_object(attributes)) {
		return cairn_err_set(ld->e, CAIRN_EINVAL,
				     "invalid object template '%s': expected "
				     "'name', 'uuid' and an 'attributes' "
				     "object",
				     ld->path);
	}
	t->name = keep(ld, name);
	t->uuid = keep(ld, uuid);
	t->json = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!t->name || !t->uuid || !t->json) {
		return no_memory(ld);
	}
	ld->set->memory += strlen(t->json) + 1;
	t->version = json_is_integer(version) ? json_integer_value(version) : 1;
	rc = load_relations(ld, t, attributes);
	if (rc == 0) {
		rc = load_names(ld, json_object_get(doc, "required"),
				&t->required, &t->nrequired);
	}
	if (rc == 0) {
		rc = load_names(ld, json_object_get(doc, "requiredOneOf"),
				&t->required_one_of, &t->nrequired_one_of);
	}
	return rc;
}

static void template_release(struct object_template *t)
{
	for (size_t i = 0; i < t->nrelations; i++) {
		free(t->relations[i].name);
		free(t->relations[i].type);
	}
	for (size_t i = 0; i < t->nrequired; i++) {
		free(t->required[i]);
	}
	for (size_t i = 0; i < t->nrequired_one_of; i++) {
		free(t->required_one_of[i]);
	}
	free(t->relations);
	free(t->required);
	free(t->required_one_of);
	free(t->name);
	free(t->uuid);
	free(t->json);
}

static int load_folder(struct object_template_set *set, const char *dir,
		       struct cairn_err *e)
{
	struct libdir_list names;
	struct buf path = BUF_INIT;
	int rc;

	buf_printf(&path, "%s/objects", dir);
	rc = libdir_list(&names, buf_str(&path), NULL, e);
	if (rc < 0) {
		buf_release(&path);
		return rc;
	}
	set->items = calloc(names.count + 1, sizeof(*set->items));
	if (!set->items) {
		rc = cairn_err_set(e, CAIRN_ENOMEM,
				   "out of memory loading object templates");
	}
	for (size_t i = 0; rc == 0 && i < names.count; i++) {
		struct loader ld = {set, NULL, e};
		json_t *doc;

		buf_clear(&path);
		buf_printf(&path, "%s/objects/%s/definition.json", dir,
			   names.names[i]);
		if (access(buf_str(&path), R_OK) < 0) {
			continue;
		}
		ld.path = buf_str(&path);
		rc = libdir_load_json(&doc, ld.path, e);
		if (rc == 0) {
			struct object_template *t = &set->items[set->count++];

			rc = load_template(&ld, t, doc);
			json_decref(doc);
		}
	}
	buf_release(&path);
	libdir_list_release(&names);
	return rc;
}

int object_template_set_load(struct object_template_set **out,
			     const char *dir, struct cairn_err *e)
{
	struct object_template_set *set = calloc(1, sizeof(*set));
	int rc;

	*out = NULL;
	if (!set) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory loading object templates");
	}
	rc = load_folder(set, dir, e);
	if (rc < 0) {
		object_template_set_free(set);
		return rc;
	}
	for (size_t i = 0; i < set->count; i++) {
		atomic_store(&set->items[i].id, (int64_t)i + 1);
	}
	*out = set;
	return 0;
}

void object_template_set_free(struct object_template_set *set)
{
	if (!set) {
		return;
	}
	for (size_t i = 0; i < set->count; i++) {
		template_release(&set->items[i]);
	}
	free(set->items);
	free(set);
}

size_t object_template_count(const struct object_template_set *set)
{
	return set ? set->count : 0;
}

const struct object_template *
object_template_at(const struct object_template_set *set, size_t index)
{
	return set && index < set->count ? &set->items[index] : NULL;
}

const struct object_template *
object_template_find(const struct object_template_set *set,
		     const char *uuid, const char *name)
{
	for (size_t i = 0; uuid && i < object_template_count(set); i++) {
		if (strcasecmp(set->items[i].uuid, uuid) == 0) {
			return &set->items[i];
		}
	}
	for (size_t i = 0; name && i < object_template_count(set); i++) {
		if (strcmp(set->items[i].name, name) == 0) {
			return &set->items[i];
		}
	}
	return NULL;
}

const struct object_template *
object_template_by_id(const struct object_template_set *set, int64_t id)
{
	for (size_t i = 0; i < object_template_count(set); i++) {
		if (atomic_load(&set->items[i].id) == id) {
			return &set->items[i];
		}
	}
	return NULL;
}

const char *object_template_name(const struct object_template *t)
{
	return t->name;
}

const char *object_template_uuid(const struct object_template *t)
{
	return t->uuid;
}

int64_t object_template_version(const struct object_template *t)
{
	return t->version;
}

int64_t object_template_id(const struct object_template *t)
{
	return atomic_load(&t->id);
}

void object_template_set_id(const struct object_template *t, int64_t id)
{
	atomic_store(&((struct object_template *)t)->id, id);
}

const char *object_template_json(const struct object_template *t)
{
	return t->json;
}

size_t object_template_memory(const struct object_template_set *set)
{
	return set ? set->memory + set->count * sizeof(*set->items) : 0;
}

/* Validation ------------------------------------------------------- */

static const struct template_relation *
relation_find(const struct object_template *t, const char *name)
{
	struct template_relation key = {(char *)name, NULL, false};

	return name ? bsearch(&key, t->relations, t->nrelations,
			      sizeof(*t->relations), relation_compare)
		    : NULL;
}

static bool has_relation(const struct object_attribute_ref *attrs,
			 size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++) {
		if (attrs[i].relation && strcmp(attrs[i].relation, name) == 0) {
			return true;
		}
	}
	return false;
}

static int check_required(const struct object_template *t,
			  const struct object_attribute_ref *attrs,
			  size_t count, struct cairn_err *e)
{
	struct buf list = BUF_INIT;
	bool found = t->nrequired_one_of == 0;
	int rc;

	for (size_t i = 0; i < t->nrequired; i++) {
		if (!has_relation(attrs, count, t->required[i])) {
			return cairn_err_set(e, CAIRN_EINVAL,
					     "object '%s' lacks the required "
					     "relation '%s'",
					     t->name, t->required[i]);
		}
	}
	for (size_t i = 0; !found && i < t->nrequired_one_of; i++) {
		found = has_relation(attrs, count, t->required_one_of[i]);
	}
	if (found) {
		return 0;
	}
	for (size_t i = 0; i < t->nrequired_one_of; i++) {
		buf_printf(&list, "%s'%s'", i ? ", " : "",
			   t->required_one_of[i]);
	}
	rc = cairn_err_set(e, CAIRN_EINVAL,
			   "object '%s' needs at least one attribute with one "
			   "of the relations %s",
			   t->name, buf_str(&list));
	buf_release(&list);
	return rc;
}

/* Checks the type of each attribute and that a relation without
 * "multiple" appears once. */
static int check_attributes(const struct object_template *t,
			    const struct object_attribute_ref *attrs,
			    size_t count, size_t *index, struct cairn_err *e)
{
	for (size_t i = 0; i < count; i++) {
		const struct template_relation *r =
			relation_find(t, attrs[i].relation);

		if (!r) {
			continue;
		}
		*index = i;
		if (!attrs[i].type || strcmp(attrs[i].type, r->type) != 0) {
			return cairn_err_set(e, CAIRN_EINVAL,
					     "relation '%s' of object '%s' "
					     "takes type '%s', not '%s'",
					     r->name, t->name, r->type,
					     attrs[i].type ? attrs[i].type
							   : "(none)");
		}
		for (size_t j = 0; !r->multiple && j < i; j++) {
			if (attrs[j].relation &&
			    strcmp(attrs[j].relation, r->name) == 0) {
				return cairn_err_set(
					e, CAIRN_EINVAL,
					"relation '%s' of object '%s' takes "
					"one attribute, because the template "
					"does not mark it multiple",
					r->name, t->name);
			}
		}
	}
	return 0;
}

int object_template_validate(const struct object_template *t,
			     const struct object_attribute_ref *attrs,
			     size_t count, size_t *index,
			     struct cairn_err *e)
{
	int rc = check_attributes(t, attrs, count, index, e);

	if (rc < 0) {
		return rc;
	}
	*index = count;
	return check_required(t, attrs, count, e);
}
