/*
 * api_acl_check(): finds the event that a write route touches and applies
 * the object rules of acl.c to it.  It is the only caller of
 * acl_event_allows() for requests, so every write route gets the same
 * rule from its row in the route table.
 */
#include "api/acl.h"
#include "model/misp.h"
#include "store/identity.h"

#include <string.h>

#define NOT_ALLOWED "You do not have permission to do that."

/* Finds the event of a row of `m` (the row itself for an event);
 * CAIRN_ENOTFOUND when the row does not exist. */
static int event_of(struct api_ctx *c, const struct model *m, int event_field,
		    const char *arg, int64_t *event_id)
{
	struct record r;
	int64_t id;
	int rc = api_resolve(c, m, arg, &id);

	if (rc < 0 || m == &model_event) {
		*event_id = id;
		return rc;
	}
	record_init(&r, m);
	rc = store_get(c->store, m, id, &r);
	*event_id = record_int(&r, event_field, 0);
	record_release(&r);
	return rc;
}

/* The event that the body's "uuid" (an event or an attribute) names. */
static int tag_target_event(struct api_ctx *c, bool *local, int64_t *event_id)
{
	json_t *body = api_body_object(c, "Tag");
	const char *uuid = json_string_value(json_object_get(body, "uuid"));

	*local = api_json_flag(json_object_get(body, "local"));
	if (!uuid) {
		return CAIRN_ENOTFOUND;
	}
	if (event_of(c, &model_event, 0, uuid, event_id) == 0) {
		return 0;
	}
	return event_of(c, &model_attribute, ATTR_EVENT_ID, uuid, event_id);
}

/* The event of galaxies/attachCluster/ID/KIND: KIND, the segment after
 * the argument, says whether ID is an event or an attribute. */
static int cluster_target_event(struct api_ctx *c, bool *local,
				int64_t *event_id)
{
	const char *flag = path_named(&c->path, "local");
	const char *kind = NULL;

	*local = flag && strcmp(flag, "0") != 0;
	for (size_t i = 0; i + 1 < c->path.nsegments; i++) {
		if (c->path.segments[i] == c->arg) {
			kind = c->path.segments[i + 1];
		}
	}
	if (kind && strcmp(kind, "attribute") == 0) {
		return event_of(c, &model_attribute, ATTR_EVENT_ID, c->arg,
				event_id);
	}
	return event_of(c, &model_event, 0, c->arg, event_id);
}

static int target_event(struct api_ctx *c, enum api_acl_rule rule,
			enum acl_action *action, int64_t *event_id)
{
	bool local = false;
	int rc;

	*action = ACL_MODIFY;
	switch (rule) {
	case RULE_NONE:
		return CAIRN_ENOTFOUND;
	case RULE_EVENT_PUBLISH:
		*action = ACL_PUBLISH;
		return event_of(c, &model_event, 0, c->arg, event_id);
	case RULE_EVENT_MODIFY:
		return event_of(c, &model_event, 0, c->arg, event_id);
	case RULE_ATTRIBUTE_MODIFY:
		return event_of(c, &model_attribute, ATTR_EVENT_ID, c->arg,
				event_id);
	case RULE_OBJECT_MODIFY:
		/* TODO: objectReferences/add without an id in the path names
		 * its object in the body, which is not checked here. */
		return event_of(c, &model_object, OBJ_EVENT_ID, c->arg,
				event_id);
	case RULE_REFERENCE_MODIFY:
		return event_of(c, &model_reference, REF_EVENT_ID, c->arg,
				event_id);
	case RULE_TAG_TARGET:
		rc = tag_target_event(c, &local, event_id);
		*action = local ? ACL_TAG_LOCAL : ACL_TAG;
		return rc;
	case RULE_CLUSTER_TARGET:
		rc = cluster_target_event(c, &local, event_id);
		*action = local ? ACL_TAG_LOCAL : ACL_TAG;
		return rc;
	}
	return CAIRN_ENOTFOUND;
}

/* Loads the owner fields of event `event_id`; CAIRN_ENOTFOUND when it
 * is not stored. */
static int load_event(struct api_ctx *c, int64_t event_id,
		      struct acl_event *ev)
{
	struct record event;
	int rc;

	record_init(&event, &model_event);
	rc = store_get(c->store, &model_event, event_id, &event);
	ev->orgc_id = record_int(&event, EVENT_ORGC_ID, 0);
	record_release(&event);
	if (rc < 0) {
		return rc;
	}
	if (store_event_creator(c->store, event_id, &ev->user_id) < 0) {
		ev->user_id = 0;
	}
	return 0;
}

bool api_event_allows(struct api_ctx *c, int64_t event_id,
		      enum acl_action action)
{
	struct acl_event ev = {0, 0};

	return load_event(c, event_id, &ev) == 0 &&
	       acl_event_allows(&c->user, &ev, action);
}

int api_not_allowed(struct api_ctx *c)
{
	api_error(c, 403, NOT_ALLOWED, NULL);
	return CAIRN_EDENIED;
}

int api_acl_check(struct api_ctx *c, enum api_acl_rule rule)
{
	struct acl_event ev = {0, 0};
	enum acl_action action;
	int64_t event_id;

	if (target_event(c, rule, &action, &event_id) < 0 ||
	    load_event(c, event_id, &ev) < 0) {
		return 0;
	}
	if (acl_event_allows(&c->user, &ev, action)) {
		return 0;
	}
	return api_not_allowed(c);
}
