/* Field tables of sharing groups, generated from the lists in sharing.h. */
#include "model/sharing.h"

#define CAIRN_FIELD_ROW(id, name, column, kind, flags)                         \
	{name, column, kind, flags},

#define CAIRN_MODEL(var, json, table, LIST)                                    \
	static const struct field var##_fields[] = {LIST(CAIRN_FIELD_ROW)};    \
	const struct model var = {json, table, var##_fields,                   \
				  sizeof(var##_fields) / sizeof(struct field)};

CAIRN_MODEL(model_sharing_group, "SharingGroup", "sharing_groups",
	    SHARING_GROUP_FIELDS)
CAIRN_MODEL(model_sharing_group_org, "SharingGroupOrg", "sharing_group_orgs",
	    SHARING_GROUP_ORG_FIELDS)
CAIRN_MODEL(model_sharing_group_server, "SharingGroupServer",
	    "sharing_group_servers", SHARING_GROUP_SERVER_FIELDS)
