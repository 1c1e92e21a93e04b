/*
 * MISP's object rules: who may change, publish or tag an event, who may
 * create tags, and which roles and users an administrator may manage.
 * The acl_* functions only compare records, so they need no store.
 * api_acl_check() loads a route's target and applies them; the router
 * calls it once per request, before the handler runs.
 */
#ifndef CAIRN_ACL_H
#define CAIRN_ACL_H

#include "api/api.h"

#include <stdbool.h>
#include <stdint.h>

/* The owner fields of an event that the rules read. */
struct acl_event {
	int64_t orgc_id; /* creating organisation */
	int64_t user_id; /* creating user on this instance, 0 when unknown */
};

enum acl_action {
	ACL_MODIFY,    /* edit or delete the event or anything in it */
	ACL_PUBLISH,   /* publish or unpublish */
	ACL_TAG,       /* attach or remove a global tag */
	ACL_TAG_LOCAL, /* attach or remove a local tag */
};

/* The organisation that runs this instance (`cairn init` creates it). */
#define ACL_HOST_ORG_ID 1

/* Returns true when `u` may do `action` on `ev`:
 *  - modify: site admin, or perm_modify_org and the user's organisation
 *    created the event, or perm_modify and the user created it;
 *  - publish: site admin, or perm_publish and the user's organisation
 *    created the event;
 *  - tag: site admin, or perm_tagger (or perm_sync) with the right to
 *    modify the event.  Any tagger of the host organisation may also add
 *    a local tag. */
bool acl_event_allows(const struct api_user *u, const struct acl_event *ev,
		      enum acl_action action);

/* Returns true when `u` may create a tag that does not exist yet. */
bool acl_may_create_tag(const struct api_user *u);

/* Returns true when every permission flag set in `role` is also set in
 * the administrator's own role, so that an org admin cannot hand out
 * more than it has.  A site admin may give any role. */
bool acl_role_within(const struct api_user *admin, const struct record *role);

/* Returns true when `admin` may manage users of organisation `org_id`:
 * a site admin any, an org admin (perm_admin) its own. */
bool acl_may_manage_org_users(const struct api_user *admin, int64_t org_id);

/* Returns true when `admin` may edit or delete a user of organisation
 * `org_id` with role `role`, or manage its keys.  It must manage the
 * organisation's users, and the user's role must not be above its own,
 * so that an org admin cannot take over a site admin of its
 * organisation. */
bool acl_may_manage_user(const struct api_user *admin, int64_t org_id,
			 const struct record *role);

/* The object rule of a route: which target it resolves and what it
 * does to the target's event. */
enum api_acl_rule {
	RULE_NONE,
	RULE_EVENT_MODIFY,     /* the argument is an event */
	RULE_EVENT_PUBLISH,    /* the argument is an event */
	RULE_ATTRIBUTE_MODIFY, /* the argument is an attribute */
	RULE_OBJECT_MODIFY,    /* the argument (if any) is an object */
	RULE_REFERENCE_MODIFY, /* the argument is an object reference */
	RULE_TAG_TARGET,       /* the body's "uuid" is an event or attribute;
				* "local" picks ACL_TAG or ACL_TAG_LOCAL */
	RULE_CLUSTER_TARGET,   /* ID/event or ID/attribute after the action;
				* local:1 picks ACL_TAG_LOCAL */
};

/* Applies `rule` to the request's target.  A target that does not exist
 * passes, so that the handler sends its own "Invalid ..." 404.  On
 * refusal it sends 403 "You do not have permission to do that." and
 * returns CAIRN_EDENIED. */
int api_acl_check(struct api_ctx *c, enum api_acl_rule rule);

/* Returns true when the request's user may do `action` on the stored
 * event `event_id`; false also when the event cannot be read.  For the
 * handlers whose rule depends on what they find, such as the locality of
 * a tag link that a removal names. */
bool api_event_allows(struct api_ctx *c, int64_t event_id,
		      enum acl_action action);

/* Sends MISP's 403 "You do not have permission to do that." */
int api_not_allowed(struct api_ctx *c);

#endif
