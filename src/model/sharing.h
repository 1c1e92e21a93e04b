/*
 * Sharing groups as field tables, in the shape of MISP's SharingGroup,
 * SharingGroupOrg and SharingGroupServer.
 *
 * A sharing group names the organisations (SharingGroupOrg rows) and the
 * instances (SharingGroupServer rows, server_id 0 for this one) that may
 * see data with distribution 4 and the group's id.  `extend` lets a member
 * organisation edit the group; `all_orgs` on the server-0 row opens the
 * group to every local organisation.
 */
#ifndef CAIRN_SHARING_H
#define CAIRN_SHARING_H

#include "model/record.h"

#define SHARING_GROUP_FIELDS(X)                                                \
	X(SG_ID, "id", "id", FIELD_ID, F_SERVER)                               \
	X(SG_UUID, "uuid", "uuid", FIELD_UUID, 0)                              \
	X(SG_NAME, "name", "name", FIELD_TEXT, 0)                              \
	X(SG_RELEASABILITY, "releasability", "releasability", FIELD_TEXT, 0)   \
	X(SG_DESCRIPTION, "description", "description", FIELD_TEXT, 0)         \
	X(SG_ORGANISATION_UUID, "organisation_uuid", "organisation_uuid",      \
	  FIELD_UUID, F_SERVER)                                                \
	X(SG_ORG_ID, "org_id", "org_id", FIELD_ID, F_SERVER)                   \
	X(SG_SYNC_USER_ID, "sync_user_id", "sync_user_id", FIELD_ID, F_SERVER) \
	X(SG_ACTIVE, "active", "active", FIELD_BOOL, 0)                        \
	X(SG_CREATED, "created", "created", FIELD_TEXT, F_SERVER)              \
	X(SG_MODIFIED, "modified", "modified", FIELD_TEXT, F_SERVER)           \
	X(SG_LOCAL, "local", "local", FIELD_BOOL, F_SERVER)                    \
	X(SG_ROAMING, "roaming", "roaming", FIELD_BOOL, 0)

#define SHARING_GROUP_ORG_FIELDS(X)                                            \
	X(SGO_ID, "id", "id", FIELD_ID, F_SERVER)                              \
	X(SGO_SHARING_GROUP_ID, "sharing_group_id", "sharing_group_id",        \
	  FIELD_ID, 0)                                                         \
	X(SGO_ORG_ID, "org_id", "org_id", FIELD_ID, 0)                         \
	X(SGO_EXTEND, "extend", "extend", FIELD_BOOL, 0)

#define SHARING_GROUP_SERVER_FIELDS(X)                                         \
	X(SGS_ID, "id", "id", FIELD_ID, F_SERVER)                              \
	X(SGS_SHARING_GROUP_ID, "sharing_group_id", "sharing_group_id",        \
	  FIELD_ID, 0)                                                         \
	X(SGS_SERVER_ID, "server_id", "server_id", FIELD_ID, 0)                \
	X(SGS_ALL_ORGS, "all_orgs", "all_orgs", FIELD_BOOL, 0)

#define CAIRN_FIELD_ENUM(id, name, column, kind, flags) id,
enum sharing_group_field { SHARING_GROUP_FIELDS(CAIRN_FIELD_ENUM) SG_NFIELDS };
enum sharing_group_org_field {
	SHARING_GROUP_ORG_FIELDS(CAIRN_FIELD_ENUM) SGO_NFIELDS
};
enum sharing_group_server_field {
	SHARING_GROUP_SERVER_FIELDS(CAIRN_FIELD_ENUM) SGS_NFIELDS
};
#undef CAIRN_FIELD_ENUM

extern const struct model model_sharing_group;
extern const struct model model_sharing_group_org;
extern const struct model model_sharing_group_server;

#endif
