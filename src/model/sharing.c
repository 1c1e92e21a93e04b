/* Field tables of sharing groups, generated from the lists in sharing.h. */
#include "model/sharing.h"

CAIRN_MODEL(model_sharing_group, "SharingGroup", "sharing_groups",
	    SHARING_GROUP_FIELDS)
CAIRN_MODEL(model_sharing_group_org, "SharingGroupOrg", "sharing_group_orgs",
	    SHARING_GROUP_ORG_FIELDS)
CAIRN_MODEL(model_sharing_group_server, "SharingGroupServer",
	    "sharing_group_servers", SHARING_GROUP_SERVER_FIELDS)
