/*
 * Object templates: the definitions of MISP's misp-objects folder,
 * objects/NAME/definition.json, and the check of an object's attributes
 * against its template.
 *
 * The check covers what MISP 2.5's ObjectTemplate::checkTemplateConformity
 * covers (every "required" relation present, at least one of
 * "requiredOneOf", no repeated relation unless "multiple"), and also the
 * attribute type of each relation the template defines, which MISP does
 * not check.  Relations that the template does not define are accepted,
 * as MISP accepts them.
 *
 * After object_template_set_load() the set is read-only except for the
 * ids, which are atomic, so worker threads share it.
 */
#ifndef CAIRN_OBJECT_TEMPLATE_H
#define CAIRN_OBJECT_TEMPLATE_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct object_template_set;
struct object_template;

/* One attribute of an object, as the check reads it. */
struct object_attribute_ref {
	const char *relation; /* object_relation, may be NULL */
	const char *type;     /* may be NULL */
};

/* Loads DIR/objects/NAME/definition.json for every NAME, in folder-name
 * order, with ids 1, 2, ... until object_template_set_id() gives stored
 * ones.  A definition that is not valid JSON or lacks its name, uuid or
 * attributes fails the load with the file named.  The caller frees *out. */
int object_template_set_load(struct object_template_set **out,
			     const char *dir, struct cairn_err *e);
void object_template_set_free(struct object_template_set *set);

size_t object_template_count(const struct object_template_set *set);
const struct object_template *
object_template_at(const struct object_template_set *set, size_t index);
/* Finds a template by uuid (any case), then by name. */
const struct object_template *
object_template_find(const struct object_template_set *set,
		     const char *uuid, const char *name);
const struct object_template *
object_template_by_id(const struct object_template_set *set, int64_t id);

const char *object_template_name(const struct object_template *t);
const char *object_template_uuid(const struct object_template *t);
int64_t object_template_version(const struct object_template *t);
int64_t object_template_id(const struct object_template *t);
void object_template_set_id(const struct object_template *t, int64_t id);
/* The definition.json text as loaded, compact. */
const char *object_template_json(const struct object_template *t);

/* Checks an object's `count` attributes against the template.  On the
 * first failure returns CAIRN_EINVAL with a message naming the relation
 * and what the template expects, and sets *index to the offending
 * attribute, or to `count` when the failure is about the object as a
 * whole (a missing relation). */
int object_template_validate(const struct object_template *t,
			     const struct object_attribute_ref *attrs,
			     size_t count, size_t *index,
			     struct cairn_err *e);

size_t object_template_memory(const struct object_template_set *set);

#endif
