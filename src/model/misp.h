/*
 * MISP's model types as field tables.
 *
 * Each X-macro list below is the single description of one type: the JSON
 * key, the database column, the kind and the flags of every scalar field,
 * in the order MISP emits them.  The same list generates the field index
 * enum (EVENT_UUID, ATTR_VALUE, ...) and the table in misp.c.
 */
#ifndef CAIRN_MISP_H
#define CAIRN_MISP_H

#include "model/record.h"

#define ORG_FIELDS(X)                                                          \
	X(ORG_ID, "id", "id", FIELD_ID, F_SERVER)                              \
	X(ORG_NAME, "name", "name", FIELD_TEXT, 0)                             \
	X(ORG_UUID, "uuid", "uuid", FIELD_UUID, 0)                             \
	X(ORG_LOCAL, "local", "local", FIELD_BOOL, 0)

/* The whole organisation row, as organisations/view and the admin API
 * return it; ORG_FIELDS is the part that events embed. */
#define ORGANISATION_FIELDS(X)                                                 \
	X(ORGN_ID, "id", "id", FIELD_ID, F_SERVER)                             \
	X(ORGN_NAME, "name", "name", FIELD_TEXT, 0)                            \
	X(ORGN_DATE_CREATED, "date_created", "date_created", FIELD_TEXT,       \
	  F_SERVER)                                                            \
	X(ORGN_DATE_MODIFIED, "date_modified", "date_modified", FIELD_TEXT,    \
	  F_SERVER)                                                            \
	X(ORGN_DESCRIPTION, "description", "description", FIELD_TEXT, 0)      \
	X(ORGN_TYPE, "type", "type", FIELD_TEXT, 0)                            \
	X(ORGN_NATIONALITY, "nationality", "nationality", FIELD_TEXT, 0)      \
	X(ORGN_SECTOR, "sector", "sector", FIELD_TEXT, 0)                      \
	X(ORGN_CREATED_BY, "created_by", "created_by", FIELD_INT, F_SERVER)    \
	X(ORGN_UUID, "uuid", "uuid", FIELD_UUID, 0)                            \
	X(ORGN_CONTACTS, "contacts", "contacts", FIELD_TEXT, 0)                \
	X(ORGN_LOCAL, "local", "local", FIELD_BOOL, 0)                         \
	X(ORGN_RESTRICTED_TO_DOMAIN, "restricted_to_domain",                   \
	  "restricted_to_domain", FIELD_TEXT, F_SERVER)                        \
	X(ORGN_LANDINGPAGE, "landingpage", "landingpage", FIELD_TEXT, 0)

#define EVENT_FIELDS(X)                                                        \
	X(EVENT_ID, "id", "id", FIELD_ID, F_SERVER)                            \
	X(EVENT_ORGC_ID, "orgc_id", "orgc_id", FIELD_ID, F_SERVER)             \
	X(EVENT_ORG_ID, "org_id", "org_id", FIELD_ID, F_SERVER)                \
	X(EVENT_DATE, "date", "date", FIELD_DATE, 0)                           \
	X(EVENT_THREAT_LEVEL_ID, "threat_level_id", "threat_level_id",         \
	  FIELD_INT, 0)                                                        \
	X(EVENT_INFO, "info", "info", FIELD_TEXT, 0)                           \
	X(EVENT_PUBLISHED, "published", "published", FIELD_BOOL, 0)            \
	X(EVENT_UUID, "uuid", "uuid", FIELD_UUID, 0)                           \
	X(EVENT_ATTRIBUTE_COUNT, "attribute_count", "attribute_count",         \
	  FIELD_INT, F_SERVER)                                                 \
	X(EVENT_ANALYSIS, "analysis", "analysis", FIELD_INT, 0)                \
	X(EVENT_TIMESTAMP, "timestamp", "timestamp", FIELD_TIME, 0)            \
	X(EVENT_DISTRIBUTION, "distribution", "distribution", FIELD_INT, 0)    \
	X(EVENT_PROPOSAL_EMAIL_LOCK, "proposal_email_lock",                    \
	  "proposal_email_lock", FIELD_BOOL, 0)                                \
	X(EVENT_LOCKED, "locked", "locked", FIELD_BOOL, 0)                     \
	X(EVENT_PUBLISH_TIMESTAMP, "publish_timestamp", "publish_timestamp",   \
	  FIELD_TIME, 0)                                                       \
	X(EVENT_SHARING_GROUP_ID, "sharing_group_id", "sharing_group_id",      \
	  FIELD_INT, 0)                                                        \
	X(EVENT_DISABLE_CORRELATION, "disable_correlation",                    \
	  "disable_correlation", FIELD_BOOL, 0)                                \
	X(EVENT_EXTENDS_UUID, "extends_uuid", "extends_uuid", FIELD_TEXT, 0)   \
	X(EVENT_PROTECTED, "protected", "protected", FIELD_BOOL, F_NULLABLE)   \
	X(EVENT_CREATOR_EMAIL, "event_creator_email", "event_creator_email",   \
	  FIELD_TEXT, 0)                                                       \
	X(EVENT_SIGHTING_TIMESTAMP, "sighting_timestamp",                      \
	  "sighting_timestamp", FIELD_TIME, F_SERVER)

#define ATTR_FIELDS(X)                                                         \
	X(ATTR_ID, "id", "id", FIELD_ID, F_SERVER)                             \
	X(ATTR_TYPE, "type", "type", FIELD_TEXT, 0)                            \
	X(ATTR_CATEGORY, "category", "category", FIELD_TEXT, 0)                \
	X(ATTR_TO_IDS, "to_ids", "to_ids", FIELD_BOOL, 0)                      \
	X(ATTR_UUID, "uuid", "uuid", FIELD_UUID, 0)                            \
	X(ATTR_EVENT_ID, "event_id", "event_id", FIELD_ID, F_SERVER)           \
	X(ATTR_DISTRIBUTION, "distribution", "distribution", FIELD_INT, 0)     \
	X(ATTR_TIMESTAMP, "timestamp", "timestamp", FIELD_TIME, 0)             \
	X(ATTR_COMMENT, "comment", "comment", FIELD_TEXT, 0)                   \
	X(ATTR_SHARING_GROUP_ID, "sharing_group_id", "sharing_group_id",       \
	  FIELD_INT, 0)                                                        \
	X(ATTR_DELETED, "deleted", "deleted", FIELD_BOOL, 0)                   \
	X(ATTR_DISABLE_CORRELATION, "disable_correlation",                     \
	  "disable_correlation", FIELD_BOOL, 0)                                \
	X(ATTR_OBJECT_ID, "object_id", "object_id", FIELD_ID, F_SERVER)        \
	X(ATTR_OBJECT_RELATION, "object_relation", "object_relation",          \
	  FIELD_TEXT, F_NULLABLE)                                              \
	X(ATTR_FIRST_SEEN, "first_seen", "first_seen", FIELD_TEXT, F_NULLABLE) \
	X(ATTR_LAST_SEEN, "last_seen", "last_seen", FIELD_TEXT, F_NULLABLE)    \
	X(ATTR_VALUE, "value", "value", FIELD_TEXT, 0)                         \
	X(ATTR_DATA, "data", "data", FIELD_TEXT, F_OMIT)

#define OBJECT_FIELDS(X)                                                       \
	X(OBJ_ID, "id", "id", FIELD_ID, F_SERVER)                              \
	X(OBJ_NAME, "name", "name", FIELD_TEXT, 0)                             \
	X(OBJ_META_CATEGORY, "meta-category", "meta_category", FIELD_TEXT, 0)  \
	X(OBJ_DESCRIPTION, "description", "description", FIELD_TEXT, 0)        \
	X(OBJ_TEMPLATE_UUID, "template_uuid", "template_uuid", FIELD_TEXT, 0)  \
	X(OBJ_TEMPLATE_VERSION, "template_version", "template_version",        \
	  FIELD_INT, 0)                                                        \
	X(OBJ_EVENT_ID, "event_id", "event_id", FIELD_ID, F_SERVER)            \
	X(OBJ_UUID, "uuid", "uuid", FIELD_UUID, 0)                             \
	X(OBJ_TIMESTAMP, "timestamp", "timestamp", FIELD_TIME, 0)              \
	X(OBJ_DISTRIBUTION, "distribution", "distribution", FIELD_INT, 0)      \
	X(OBJ_SHARING_GROUP_ID, "sharing_group_id", "sharing_group_id",        \
	  FIELD_INT, 0)                                                        \
	X(OBJ_COMMENT, "comment", "comment", FIELD_TEXT, 0)                    \
	X(OBJ_DELETED, "deleted", "deleted", FIELD_BOOL, 0)                    \
	X(OBJ_FIRST_SEEN, "first_seen", "first_seen", FIELD_TEXT, F_NULLABLE)  \
	X(OBJ_LAST_SEEN, "last_seen", "last_seen", FIELD_TEXT, F_NULLABLE)

/* referenced_type is 0 for an attribute and 1 for an object. */
#define REF_FIELDS(X)                                                          \
	X(REF_ID, "id", "id", FIELD_ID, F_SERVER)                              \
	X(REF_UUID, "uuid", "uuid", FIELD_UUID, 0)                             \
	X(REF_TIMESTAMP, "timestamp", "timestamp", FIELD_TIME, 0)              \
	X(REF_OBJECT_ID, "object_id", "object_id", FIELD_ID, F_SERVER)         \
	X(REF_REFERENCED_ID, "referenced_id", "referenced_id", FIELD_ID,       \
	  F_SERVER)                                                            \
	X(REF_REFERENCED_UUID, "referenced_uuid", "referenced_uuid",           \
	  FIELD_UUID, 0)                                                       \
	X(REF_REFERENCED_TYPE, "referenced_type", "referenced_type",           \
	  FIELD_INT, F_SERVER)                                                 \
	X(REF_RELATIONSHIP_TYPE, "relationship_type", "relationship_type",     \
	  FIELD_TEXT, 0)                                                       \
	X(REF_COMMENT, "comment", "comment", FIELD_TEXT, 0)                    \
	X(REF_DELETED, "deleted", "deleted", FIELD_BOOL, 0)                    \
	X(REF_EVENT_ID, "event_id", "event_id", FIELD_ID, F_SERVER)            \
	X(REF_OBJECT_UUID, "object_uuid", "object_uuid", FIELD_UUID, 0)

/* The last three fields describe the link of a tag to an event or an
 * attribute, not the tag itself. */
#define TAG_FIELDS(X)                                                          \
	X(TAG_ID, "id", "id", FIELD_ID, F_SERVER)                              \
	X(TAG_NAME, "name", "name", FIELD_TEXT, 0)                             \
	X(TAG_COLOUR, "colour", "colour", FIELD_TEXT, 0)                       \
	X(TAG_EXPORTABLE, "exportable", "exportable", FIELD_BOOL, 0)           \
	X(TAG_ORG_ID, "org_id", "org_id", FIELD_INT, 0)                        \
	X(TAG_USER_ID, "user_id", "user_id", FIELD_INT, 0)                     \
	X(TAG_HIDE_TAG, "hide_tag", "hide_tag", FIELD_BOOL, 0)                 \
	X(TAG_NUMERICAL_VALUE, "numerical_value", "numerical_value",           \
	  FIELD_TEXT, F_NULLABLE)                                              \
	X(TAG_IS_GALAXY, "is_galaxy", "is_galaxy", FIELD_BOOL, 0)              \
	X(TAG_IS_CUSTOM_GALAXY, "is_custom_galaxy", "is_custom_galaxy",        \
	  FIELD_BOOL, 0)                                                       \
	X(TAG_LOCAL_ONLY, "local_only", "local_only", FIELD_BOOL, 0)           \
	X(TAG_LOCAL, "local", "local", FIELD_BOOL, F_LINK)                     \
	X(TAG_RELATIONSHIP_TYPE, "relationship_type", "relationship_type",     \
	  FIELD_TEXT, F_LINK | F_NULLABLE)

#define SIGHTING_FIELDS(X)                                                     \
	X(SIGHT_ID, "id", "id", FIELD_ID, F_SERVER)                            \
	X(SIGHT_ATTRIBUTE_ID, "attribute_id", "attribute_id", FIELD_ID,        \
	  F_SERVER)                                                            \
	X(SIGHT_EVENT_ID, "event_id", "event_id", FIELD_ID, F_SERVER)          \
	X(SIGHT_ORG_ID, "org_id", "org_id", FIELD_ID, F_SERVER)                \
	X(SIGHT_DATE_SIGHTING, "date_sighting", "date_sighting", FIELD_TIME,   \
	  0)                                                                   \
	X(SIGHT_UUID, "uuid", "uuid", FIELD_UUID, 0)                           \
	X(SIGHT_SOURCE, "source", "source", FIELD_TEXT, 0)                     \
	X(SIGHT_TYPE, "type", "type", FIELD_INT, 0)                            \
	X(SIGHT_ATTRIBUTE_UUID, "attribute_uuid", "attribute_uuid",            \
	  FIELD_UUID, F_SERVER)

#define REPORT_FIELDS(X)                                                       \
	X(REPORT_ID, "id", "id", FIELD_ID, F_SERVER)                           \
	X(REPORT_UUID, "uuid", "uuid", FIELD_UUID, 0)                          \
	X(REPORT_EVENT_ID, "event_id", "event_id", FIELD_ID, F_SERVER)         \
	X(REPORT_NAME, "name", "name", FIELD_TEXT, 0)                          \
	X(REPORT_CONTENT, "content", "content", FIELD_TEXT, 0)                 \
	X(REPORT_DISTRIBUTION, "distribution", "distribution", FIELD_INT, 0)   \
	X(REPORT_SHARING_GROUP_ID, "sharing_group_id", "sharing_group_id",     \
	  FIELD_INT, 0)                                                        \
	X(REPORT_TIMESTAMP, "timestamp", "timestamp", FIELD_TIME, 0)           \
	X(REPORT_DELETED, "deleted", "deleted", FIELD_BOOL, 0)

/* A proposal to change or delete an attribute. */
#define SHADOW_FIELDS(X)                                                       \
	X(SHADOW_ID, "id", "id", FIELD_ID, F_SERVER)                           \
	X(SHADOW_OLD_ID, "old_id", "old_id", FIELD_ID, F_SERVER)               \
	X(SHADOW_EVENT_ID, "event_id", "event_id", FIELD_ID, F_SERVER)         \
	X(SHADOW_TYPE, "type", "type", FIELD_TEXT, 0)                          \
	X(SHADOW_CATEGORY, "category", "category", FIELD_TEXT, 0)              \
	X(SHADOW_VALUE, "value", "value", FIELD_TEXT, 0)                       \
	X(SHADOW_TO_IDS, "to_ids", "to_ids", FIELD_BOOL, 0)                    \
	X(SHADOW_UUID, "uuid", "uuid", FIELD_UUID, 0)                          \
	X(SHADOW_EVENT_UUID, "event_uuid", "event_uuid", FIELD_UUID, F_SERVER) \
	X(SHADOW_DELETED, "deleted", "deleted", FIELD_BOOL, 0)                 \
	X(SHADOW_TIMESTAMP, "timestamp", "timestamp", FIELD_TIME, 0)           \
	X(SHADOW_PROPOSAL_TO_DELETE, "proposal_to_delete",                     \
	  "proposal_to_delete", FIELD_BOOL, 0)                                 \
	X(SHADOW_DISABLE_CORRELATION, "disable_correlation",                   \
	  "disable_correlation", FIELD_BOOL, 0)                                \
	X(SHADOW_FIRST_SEEN, "first_seen", "first_seen", FIELD_TEXT,           \
	  F_NULLABLE | F_OMIT)                                                 \
	X(SHADOW_LAST_SEEN, "last_seen", "last_seen", FIELD_TEXT,              \
	  F_NULLABLE | F_OMIT)                                                 \
	X(SHADOW_COMMENT, "comment", "comment", FIELD_TEXT, 0)                 \
	X(SHADOW_ORG_ID, "org_id", "org_id", FIELD_ID, F_SERVER)               \
	X(SHADOW_EMAIL, "email", "email", FIELD_TEXT, F_OMIT)                  \
	X(SHADOW_EVENT_ORG_ID, "event_org_id", "event_org_id", FIELD_ID,       \
	  F_SERVER | F_OMIT)

/* A galaxy cluster attached to an event or attribute.  Only the keys Cairn
 * looks up are columns; the whole cluster and its galaxy are kept as the
 * JSON text received, because they describe reference data that Cairn
 * passes through unchanged. */
#define CLUSTER_FIELDS(X)                                                      \
	X(CLUSTER_ID, "id", "id", FIELD_ID, F_SERVER)                          \
	X(CLUSTER_UUID, "uuid", "uuid", FIELD_UUID, 0)                         \
	X(CLUSTER_TYPE, "type", "type", FIELD_TEXT, 0)                         \
	X(CLUSTER_VALUE, "value", "value", FIELD_TEXT, 0)                      \
	X(CLUSTER_TAG_NAME, "tag_name", "tag_name", FIELD_TEXT, 0)             \
	X(CLUSTER_GALAXY_UUID, "galaxy_uuid", "galaxy_uuid", FIELD_TEXT,       \
	  F_NOSTORE)                                                           \
	X(CLUSTER_LOCAL, "local", "local", FIELD_BOOL, F_LINK)

#define ROLE_FIELDS(X)                                                         \
	X(ROLE_ID, "id", "id", FIELD_ID, 0)                                    \
	X(ROLE_NAME, "name", "name", FIELD_TEXT, 0)                            \
	X(ROLE_PERM_ADD, "perm_add", "perm_add", FIELD_BOOL, 0)                \
	X(ROLE_PERM_MODIFY, "perm_modify", "perm_modify", FIELD_BOOL, 0)       \
	X(ROLE_PERM_MODIFY_ORG, "perm_modify_org", "perm_modify_org",          \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_PUBLISH, "perm_publish", "perm_publish", FIELD_BOOL, 0)    \
	X(ROLE_PERM_DELEGATE, "perm_delegate", "perm_delegate", FIELD_BOOL, 0) \
	X(ROLE_PERM_SYNC, "perm_sync", "perm_sync", FIELD_BOOL, 0)             \
	X(ROLE_PERM_ADMIN, "perm_admin", "perm_admin", FIELD_BOOL, 0)          \
	X(ROLE_PERM_AUDIT, "perm_audit", "perm_audit", FIELD_BOOL, 0)          \
	X(ROLE_PERM_AUTH, "perm_auth", "perm_auth", FIELD_BOOL, 0)             \
	X(ROLE_PERM_SITE_ADMIN, "perm_site_admin", "perm_site_admin",          \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_REGEXP_ACCESS, "perm_regexp_access", "perm_regexp_access", \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_TAGGER, "perm_tagger", "perm_tagger", FIELD_BOOL, 0)       \
	X(ROLE_PERM_TEMPLATE, "perm_template", "perm_template", FIELD_BOOL, 0) \
	X(ROLE_PERM_SHARING_GROUP, "perm_sharing_group", "perm_sharing_group", \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_TAG_EDITOR, "perm_tag_editor", "perm_tag_editor",          \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_SIGHTING, "perm_sighting", "perm_sighting", FIELD_BOOL, 0) \
	X(ROLE_PERM_OBJECT_TEMPLATE, "perm_object_template",                   \
	  "perm_object_template", FIELD_BOOL, 0)                               \
	X(ROLE_PERM_GALAXY_EDITOR, "perm_galaxy_editor", "perm_galaxy_editor", \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_WARNINGLIST, "perm_warninglist", "perm_warninglist",       \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_PUBLISH_ZMQ, "perm_publish_zmq", "perm_publish_zmq",       \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_PUBLISH_KAFKA, "perm_publish_kafka", "perm_publish_kafka", \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_PERM_DECAYING, "perm_decaying", "perm_decaying", FIELD_BOOL, 0) \
	X(ROLE_DEFAULT, "default_role", "default_role", FIELD_BOOL, 0)         \
	X(ROLE_MEMORY_LIMIT, "memory_limit", "memory_limit", FIELD_TEXT, 0)    \
	X(ROLE_MAX_EXECUTION_TIME, "max_execution_time", "max_execution_time", \
	  FIELD_TEXT, 0)                                                       \
	X(ROLE_RESTRICTED_TO_SITE_ADMIN, "restricted_to_site_admin",           \
	  "restricted_to_site_admin", FIELD_BOOL, 0)                           \
	X(ROLE_ENFORCE_RATE_LIMIT, "enforce_rate_limit", "enforce_rate_limit", \
	  FIELD_BOOL, 0)                                                       \
	X(ROLE_RATE_LIMIT_COUNT, "rate_limit_count", "rate_limit_count",       \
	  FIELD_INT, 0)                                                        \
	X(ROLE_CREATED, "created", "created", FIELD_TEXT, F_NULLABLE)          \
	X(ROLE_MODIFIED, "modified", "modified", FIELD_TEXT, F_NULLABLE)

#define USER_FIELDS(X)                                                         \
	X(USER_ID, "id", "id", FIELD_ID, F_SERVER)                             \
	X(USER_ORG_ID, "org_id", "org_id", FIELD_ID, 0)                        \
	X(USER_ROLE_ID, "role_id", "role_id", FIELD_ID, 0)                     \
	X(USER_EMAIL, "email", "email", FIELD_TEXT, 0)                         \
	X(USER_AUTOALERT, "autoalert", "autoalert", FIELD_BOOL, 0)             \
	X(USER_DISABLED, "disabled", "disabled", FIELD_BOOL, 0)                \
	X(USER_TERMSACCEPTED, "termsaccepted", "termsaccepted", FIELD_BOOL, 0) \
	X(USER_CHANGE_PW, "change_pw", "change_pw", FIELD_BOOL, 0)             \
	X(USER_CONTACTALERT, "contactalert", "contactalert", FIELD_BOOL, 0)    \
	X(USER_NIDS_SID, "nids_sid", "nids_sid", FIELD_INT, 0)                 \
	X(USER_INVITED_BY, "invited_by", "invited_by", FIELD_INT, 0)           \
	X(USER_DATE_CREATED, "date_created", "date_created", FIELD_TIME, 0)    \
	X(USER_DATE_MODIFIED, "date_modified", "date_modified", FIELD_TIME, 0) \
	X(USER_LAST_LOGIN, "last_login", "last_login", FIELD_TIME, 0)          \
	X(USER_CURRENT_LOGIN, "current_login", "current_login", FIELD_TIME, 0) \
	X(USER_GPGKEY, "gpgkey", "gpgkey", FIELD_TEXT, 0)                      \
	X(USER_CERTIF_PUBLIC, "certif_public", "certif_public", FIELD_TEXT, 0) \
	X(USER_FORCE_LOGOUT, "force_logout", "force_logout", FIELD_BOOL, 0)    \
	X(USER_LAST_API_ACCESS, "last_api_access", "last_api_access",          \
	  FIELD_TIME, F_SERVER)                                                \
	X(USER_LAST_PW_CHANGE, "last_pw_change", "last_pw_change", FIELD_TIME, \
	  F_SERVER)                                                            \
	X(USER_NOTIFICATION_DAILY, "notification_daily", "notification_daily", \
	  FIELD_BOOL, 0)                                                       \
	X(USER_NOTIFICATION_WEEKLY, "notification_weekly",                     \
	  "notification_weekly", FIELD_BOOL, 0)                                \
	X(USER_NOTIFICATION_MONTHLY, "notification_monthly",                   \
	  "notification_monthly", FIELD_BOOL, 0)

/* An API key without its hash: only the first and last four characters
 * of a key are ever stored in clear.  allowed_ips is a JSON list of CIDR
 * ranges, or NULL for any address; expiration is 0 for never. */
#define AUTHKEY_FIELDS(X)                                                      \
	X(AUTHKEY_ID, "id", "id", FIELD_ID, F_SERVER)                          \
	X(AUTHKEY_START, "authkey_start", "key_start", FIELD_TEXT, F_SERVER)   \
	X(AUTHKEY_END, "authkey_end", "key_end", FIELD_TEXT, F_SERVER)         \
	X(AUTHKEY_CREATED, "created", "created", FIELD_TIME, F_SERVER)         \
	X(AUTHKEY_EXPIRATION, "expiration", "expiration", FIELD_TIME, 0)       \
	X(AUTHKEY_READ_ONLY, "read_only", "read_only", FIELD_BOOL, 0)          \
	X(AUTHKEY_USER_ID, "user_id", "user_id", FIELD_ID, F_SERVER)           \
	X(AUTHKEY_COMMENT, "comment", "comment", FIELD_TEXT, 0)                \
	X(AUTHKEY_ALLOWED_IPS, "allowed_ips", "allowed_ips", FIELD_TEXT,       \
	  F_SERVER)

#define CAIRN_FIELD_ENUM(id, name, column, kind, flags) id,
enum org_field { ORG_FIELDS(CAIRN_FIELD_ENUM) ORG_NFIELDS };
enum organisation_field { ORGANISATION_FIELDS(CAIRN_FIELD_ENUM) ORGN_NFIELDS };
enum event_field { EVENT_FIELDS(CAIRN_FIELD_ENUM) EVENT_NFIELDS };
enum attr_field { ATTR_FIELDS(CAIRN_FIELD_ENUM) ATTR_NFIELDS };
enum object_field { OBJECT_FIELDS(CAIRN_FIELD_ENUM) OBJ_NFIELDS };
enum ref_field { REF_FIELDS(CAIRN_FIELD_ENUM) REF_NFIELDS };
enum tag_field { TAG_FIELDS(CAIRN_FIELD_ENUM) TAG_NFIELDS };
enum sighting_field { SIGHTING_FIELDS(CAIRN_FIELD_ENUM) SIGHT_NFIELDS };
enum report_field { REPORT_FIELDS(CAIRN_FIELD_ENUM) REPORT_NFIELDS };
enum shadow_field { SHADOW_FIELDS(CAIRN_FIELD_ENUM) SHADOW_NFIELDS };
enum cluster_field { CLUSTER_FIELDS(CAIRN_FIELD_ENUM) CLUSTER_NFIELDS };
enum role_field { ROLE_FIELDS(CAIRN_FIELD_ENUM) ROLE_NFIELDS };
enum user_field { USER_FIELDS(CAIRN_FIELD_ENUM) USER_NFIELDS };
enum authkey_field { AUTHKEY_FIELDS(CAIRN_FIELD_ENUM) AUTHKEY_NFIELDS };
#undef CAIRN_FIELD_ENUM

extern const struct model model_org;
extern const struct model model_event;
extern const struct model model_attribute;
extern const struct model model_object;
extern const struct model model_reference;
extern const struct model model_tag;
extern const struct model model_sighting;
extern const struct model model_report;
extern const struct model model_shadow;
extern const struct model model_cluster;
extern const struct model model_role;
extern const struct model model_user;
extern const struct model model_organisation;
extern const struct model model_authkey;

#endif
