/* Unit tests of MISP's object rules (api/acl.c) for each default role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/acl.h"
#include "model/misp.h"

#include <string.h>

/* The user under test is user 7 of organisation 2. */
#define USER_ID_SELF 7
#define ORG_SELF 2
#define ORG_OTHER 3

static void make_user(struct api_user *u, const char *perms, int64_t org)
{
	record_init(&u->user, &model_user);
	record_init(&u->role, &model_role);
	record_init(&u->org, &model_org);
	record_set_int(&u->user, USER_ID, USER_ID_SELF);
	record_set_int(&u->user, USER_ORG_ID, org);
	for (size_t i = 0; i < model_role.nfields; i++) {
		const char *name = model_role.fields[i].name;

		if (strncmp(name, "perm_", 5) == 0) {
			char word[64];

			snprintf(word, sizeof(word), " %s ", name + 5);
			record_set_int(&u->role, (int)i,
				       strstr(perms, word) != NULL);
		}
	}
}

static const char ADMIN[] = " add modify modify_org publish sync admin "
			    "site_admin tagger tag_editor ";
static const char ORG_ADMIN[] = " add modify modify_org publish admin "
				"tagger tag_editor ";
static const char USER[] = " add modify modify_org tagger ";
static const char PUBLISHER[] = " add modify modify_org publish tagger ";
static const char SYNC[] = " add modify modify_org publish sync tagger "
			   "tag_editor ";
static const char READ_ONLY[] = " auth ";

static bool allows(const char *perms, int64_t orgc, int64_t creator,
		   enum acl_action action)
{
	struct api_user u;
	struct acl_event ev = {orgc, creator};

	make_user(&u, perms, ORG_SELF);
	return acl_event_allows(&u, &ev, action);
}

static void modify_rules(void **state)
{
	(void)state;
	assert_true(allows(ADMIN, ORG_OTHER, 0, ACL_MODIFY));
	assert_true(allows(USER, ORG_SELF, 0, ACL_MODIFY));
	assert_false(allows(USER, ORG_OTHER, 0, ACL_MODIFY));
	assert_false(allows(ORG_ADMIN, ORG_OTHER, 0, ACL_MODIFY));
	assert_false(allows(READ_ONLY, ORG_SELF, USER_ID_SELF, ACL_MODIFY));
	/* perm_modify alone covers the events the user created. */
	assert_true(allows(" modify ", ORG_OTHER, USER_ID_SELF, ACL_MODIFY));
	assert_false(allows(" modify ", ORG_SELF, 99, ACL_MODIFY));
	assert_false(allows(" modify ", ORG_SELF, 0, ACL_MODIFY));
}

static void publish_rules(void **state)
{
	(void)state;
	assert_true(allows(ADMIN, ORG_OTHER, 0, ACL_PUBLISH));
	assert_true(allows(PUBLISHER, ORG_SELF, 0, ACL_PUBLISH));
	assert_true(allows(ORG_ADMIN, ORG_SELF, 0, ACL_PUBLISH));
	assert_true(allows(SYNC, ORG_SELF, 0, ACL_PUBLISH));
	assert_false(allows(PUBLISHER, ORG_OTHER, 0, ACL_PUBLISH));
	assert_false(allows(USER, ORG_SELF, USER_ID_SELF, ACL_PUBLISH));
	assert_false(allows(READ_ONLY, ORG_SELF, 0, ACL_PUBLISH));
}

static void tag_rules(void **state)
{
	struct api_user host;
	struct acl_event other = {ORG_OTHER, 0};

	(void)state;
	assert_true(allows(USER, ORG_SELF, 0, ACL_TAG));
	assert_false(allows(USER, ORG_OTHER, 0, ACL_TAG));
	assert_false(allows(USER, ORG_OTHER, 0, ACL_TAG_LOCAL));
	assert_false(allows(READ_ONLY, ORG_SELF, 0, ACL_TAG));
	assert_true(allows(ADMIN, ORG_OTHER, 0, ACL_TAG));
	/* A tagger of the host organisation may tag any event locally. */
	make_user(&host, USER, ACL_HOST_ORG_ID);
	assert_true(acl_event_allows(&host, &other, ACL_TAG_LOCAL));
	assert_false(acl_event_allows(&host, &other, ACL_TAG));
}

static void tag_creation(void **state)
{
	struct api_user u;

	(void)state;
	make_user(&u, ADMIN, ORG_SELF);
	assert_true(acl_may_create_tag(&u));
	make_user(&u, ORG_ADMIN, ORG_SELF);
	assert_true(acl_may_create_tag(&u));
	make_user(&u, SYNC, ORG_SELF);
	assert_true(acl_may_create_tag(&u));
	make_user(&u, USER, ORG_SELF);
	assert_false(acl_may_create_tag(&u));
	make_user(&u, PUBLISHER, ORG_SELF);
	assert_false(acl_may_create_tag(&u));
	make_user(&u, READ_ONLY, ORG_SELF);
	assert_false(acl_may_create_tag(&u));
}

static void role_ceiling(void **state)
{
	struct api_user org_admin, site_admin, target;

	(void)state;
	make_user(&org_admin, ORG_ADMIN, ORG_SELF);
	make_user(&site_admin, ADMIN, ORG_SELF);
	make_user(&target, USER, ORG_SELF);
	assert_true(acl_role_within(&org_admin, &target.role));
	make_user(&target, ADMIN, ORG_SELF);
	assert_false(acl_role_within(&org_admin, &target.role));
	assert_true(acl_role_within(&site_admin, &target.role));
	make_user(&target, SYNC, ORG_SELF);
	assert_false(acl_role_within(&org_admin, &target.role));
}

static void user_management(void **state)
{
	struct api_user u;

	(void)state;
	make_user(&u, ORG_ADMIN, ORG_SELF);
	assert_true(acl_may_manage_org_users(&u, ORG_SELF));
	assert_false(acl_may_manage_org_users(&u, ORG_OTHER));
	make_user(&u, ADMIN, ORG_SELF);
	assert_true(acl_may_manage_org_users(&u, ORG_OTHER));
	make_user(&u, PUBLISHER, ORG_SELF);
	assert_false(acl_may_manage_org_users(&u, ORG_SELF));
}

/* An org admin may not change a site admin of its own organisation. */
static void user_above_admin(void **state)
{
	struct api_user org_admin, site_admin, user;

	(void)state;
	make_user(&org_admin, ORG_ADMIN, ORG_SELF);
	make_user(&site_admin, ADMIN, ORG_SELF);
	make_user(&user, USER, ORG_SELF);
	assert_true(acl_may_manage_user(&org_admin, ORG_SELF, &user.role));
	assert_false(
		acl_may_manage_user(&org_admin, ORG_SELF, &site_admin.role));
	assert_false(acl_may_manage_user(&org_admin, ORG_OTHER, &user.role));
	assert_true(acl_may_manage_user(&site_admin, ORG_OTHER,
					&site_admin.role));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modify_rules),	  cmocka_unit_test(publish_rules),
		cmocka_unit_test(tag_rules),	  cmocka_unit_test(tag_creation),
		cmocka_unit_test(role_ceiling),	  cmocka_unit_test(user_management),
		cmocka_unit_test(user_above_admin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
