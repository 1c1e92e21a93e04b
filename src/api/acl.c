/* The object rules of acl.h, as comparisons of user, role and event. */
#include "api/acl.h"
#include "model/misp.h"

#include <string.h>

static bool has(const struct api_user *u, int perm)
{
	return record_int(&u->role, perm, 0) != 0;
}

static bool site_admin(const struct api_user *u)
{
	return has(u, ROLE_PERM_SITE_ADMIN);
}

static bool may_modify(const struct api_user *u, const struct acl_event *ev)
{
	int64_t org = record_int(&u->user, USER_ORG_ID, 0);
	int64_t user = record_int(&u->user, USER_ID, 0);

	if (site_admin(u)) {
		return true;
	}
	if (has(u, ROLE_PERM_MODIFY_ORG) && ev->orgc_id == org) {
		return true;
	}
	return has(u, ROLE_PERM_MODIFY) && ev->user_id != 0 &&
	       ev->user_id == user;
}

static bool may_tag(const struct api_user *u, const struct acl_event *ev,
		    bool local)
{
	if (site_admin(u)) {
		return true;
	}
	if (!has(u, ROLE_PERM_TAGGER) && !has(u, ROLE_PERM_SYNC)) {
		return false;
	}
	if (may_modify(u, ev)) {
		return true;
	}
	return local && record_int(&u->user, USER_ORG_ID, 0) == ACL_HOST_ORG_ID;
}

bool acl_event_allows(const struct api_user *u, const struct acl_event *ev,
		      enum acl_action action)
{
	switch (action) {
	case ACL_MODIFY:
		return may_modify(u, ev);
	case ACL_PUBLISH:
		return site_admin(u) ||
		       (has(u, ROLE_PERM_PUBLISH) &&
			ev->orgc_id == record_int(&u->user, USER_ORG_ID, 0));
	case ACL_TAG:
		return may_tag(u, ev, false);
	case ACL_TAG_LOCAL:
		return may_tag(u, ev, true);
	}
	return false;
}

bool acl_may_create_tag(const struct api_user *u)
{
	return site_admin(u) || has(u, ROLE_PERM_TAG_EDITOR);
}

bool acl_role_within(const struct api_user *admin, const struct record *role)
{
	if (site_admin(admin)) {
		return true;
	}
	for (size_t i = 0; i < model_role.nfields; i++) {
		if (strncmp(model_role.fields[i].name, "perm_", 5) != 0) {
			continue;
		}
		if (record_int(role, (int)i, 0) && !has(admin, (int)i)) {
			return false;
		}
	}
	return true;
}

bool acl_may_manage_org_users(const struct api_user *admin, int64_t org_id)
{
	if (site_admin(admin)) {
		return true;
	}
	return has(admin, ROLE_PERM_ADMIN) &&
	       org_id == record_int(&admin->user, USER_ORG_ID, 0);
}

bool acl_may_manage_user(const struct api_user *admin, int64_t org_id,
			 const struct record *role)
{
	return acl_may_manage_org_users(admin, org_id) &&
	       acl_role_within(admin, role);
}
