/* Field tables of MISP's model types, generated from the lists in misp.h. */
#include "model/misp.h"

CAIRN_MODEL(model_org, "Organisation", "orgs", ORG_FIELDS)
CAIRN_MODEL(model_event, "Event", "events", EVENT_FIELDS)
CAIRN_MODEL(model_attribute, "Attribute", "attributes", ATTR_FIELDS)
CAIRN_MODEL(model_object, "Object", "objects", OBJECT_FIELDS)
CAIRN_MODEL(model_reference, "ObjectReference", "object_references",
	    REF_FIELDS)
CAIRN_MODEL(model_tag, "Tag", "tags", TAG_FIELDS)
CAIRN_MODEL(model_sighting, "Sighting", "sightings", SIGHTING_FIELDS)
CAIRN_MODEL(model_report, "EventReport", "event_reports", REPORT_FIELDS)
CAIRN_MODEL(model_shadow, "ShadowAttribute", "shadow_attributes",
	    SHADOW_FIELDS)
CAIRN_MODEL(model_cluster, "GalaxyCluster", "galaxy_clusters",
	    CLUSTER_FIELDS)
CAIRN_MODEL(model_role, "Role", "roles", ROLE_FIELDS)
CAIRN_MODEL(model_user, "User", "users", USER_FIELDS)
CAIRN_MODEL(model_organisation, "Organisation", "orgs", ORGANISATION_FIELDS)
CAIRN_MODEL(model_authkey, "AuthKey", "auth_keys", AUTHKEY_FIELDS)

_Static_assert(EVENT_NFIELDS <= RECORD_MAX_FIELDS, "event has too many fields");
_Static_assert(ROLE_NFIELDS <= RECORD_MAX_FIELDS, "role has too many fields");
_Static_assert(SHADOW_NFIELDS <= RECORD_MAX_FIELDS, "shadow has too many");
