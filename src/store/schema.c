/*
 * The SQLite schema, as numbered migrations.
 *
 * Migration N takes a database from PRAGMA user_version N-1 to N.  A
 * migration, once released, is never edited: a schema change is a new
 * entry at the end of `migrations`.  Column names and kinds follow the
 * field tables in model/misp.h (FIELD_ID, INT, NUM, BOOL and TIME are
 * INTEGER columns, TEXT, UUID and DATE are TEXT), and a unit test checks
 * that every stored field has its column.
 *
 * Integrity is kept by the schema, not by callers.  Rows that belong to an
 * event, attribute or object are removed with it.  ON DELETE CASCADE does
 * it where the parent id is never 0, and triggers do it where 0 means
 * "none" (attributes outside objects, proposals of new attributes).  Every
 * child column of a foreign key has an index, so that a cascade costs one
 * index lookup per parent row.
 */
#include "store/internal.h"

#include "core/buf.h"

#include <stddef.h>

#define UUID_COLUMN "uuid TEXT NOT NULL UNIQUE DEFAULT " STORE_UUID_V4 ",\n"

/* Distribution 5 is MISP's "inherit from the event".  Events themselves
 * default to 0 ("your organisation only"), the most restrictive level. */
static const char migration_1[] =
	"CREATE TABLE orgs (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" name TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	" " UUID_COLUMN
	" local INTEGER NOT NULL DEFAULT 0\n"
	");\n"

	"CREATE TABLE roles (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" name TEXT NOT NULL DEFAULT '',\n"
	" perm_add INTEGER NOT NULL DEFAULT 0,\n"
	" perm_modify INTEGER NOT NULL DEFAULT 0,\n"
	" perm_modify_org INTEGER NOT NULL DEFAULT 0,\n"
	" perm_publish INTEGER NOT NULL DEFAULT 0,\n"
	" perm_delegate INTEGER NOT NULL DEFAULT 0,\n"
	" perm_sync INTEGER NOT NULL DEFAULT 0,\n"
	" perm_admin INTEGER NOT NULL DEFAULT 0,\n"
	" perm_audit INTEGER NOT NULL DEFAULT 0,\n"
	" perm_auth INTEGER NOT NULL DEFAULT 0,\n"
	" perm_site_admin INTEGER NOT NULL DEFAULT 0,\n"
	" perm_regexp_access INTEGER NOT NULL DEFAULT 0,\n"
	" perm_tagger INTEGER NOT NULL DEFAULT 0,\n"
	" perm_template INTEGER NOT NULL DEFAULT 0,\n"
	" perm_sharing_group INTEGER NOT NULL DEFAULT 0,\n"
	" perm_tag_editor INTEGER NOT NULL DEFAULT 0,\n"
	" perm_sighting INTEGER NOT NULL DEFAULT 0,\n"
	" perm_object_template INTEGER NOT NULL DEFAULT 0,\n"
	" perm_galaxy_editor INTEGER NOT NULL DEFAULT 0,\n"
	" perm_warninglist INTEGER NOT NULL DEFAULT 0,\n"
	" perm_publish_zmq INTEGER NOT NULL DEFAULT 0,\n"
	" perm_publish_kafka INTEGER NOT NULL DEFAULT 0,\n"
	" perm_decaying INTEGER NOT NULL DEFAULT 0,\n"
	" default_role INTEGER NOT NULL DEFAULT 0,\n"
	" memory_limit TEXT NOT NULL DEFAULT '',\n"
	" max_execution_time TEXT NOT NULL DEFAULT '',\n"
	" restricted_to_site_admin INTEGER NOT NULL DEFAULT 0,\n"
	" enforce_rate_limit INTEGER NOT NULL DEFAULT 0,\n"
	" rate_limit_count INTEGER NOT NULL DEFAULT 0,\n"
	" created TEXT,\n"
	" modified TEXT\n"
	");\n"

	"CREATE TABLE users (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
	" role_id INTEGER NOT NULL REFERENCES roles(id),\n"
	" email TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	" autoalert INTEGER NOT NULL DEFAULT 0,\n"
	" disabled INTEGER NOT NULL DEFAULT 0,\n"
	" termsaccepted INTEGER NOT NULL DEFAULT 0,\n"
	" change_pw INTEGER NOT NULL DEFAULT 0,\n"
	" contactalert INTEGER NOT NULL DEFAULT 0,\n"
	" nids_sid INTEGER NOT NULL DEFAULT 0,\n"
	" invited_by INTEGER NOT NULL DEFAULT 0,\n"
	" date_created INTEGER NOT NULL DEFAULT 0,\n"
	" date_modified INTEGER NOT NULL DEFAULT 0,\n"
	" last_login INTEGER NOT NULL DEFAULT 0,\n"
	" current_login INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX users_org ON users(org_id);\n"
	"CREATE INDEX users_role ON users(role_id);\n"

	/* expiration is unix seconds, 0 for a key that never expires. */
	"CREATE TABLE auth_keys (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
	" hash TEXT NOT NULL UNIQUE,\n"
	" key_start TEXT NOT NULL,\n"
	" key_end TEXT NOT NULL,\n"
	" created INTEGER NOT NULL DEFAULT 0,\n"
	" expiration INTEGER NOT NULL DEFAULT 0,\n"
	" read_only INTEGER NOT NULL DEFAULT 0,\n"
	" allowed_ips TEXT,\n"
	" comment TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX auth_keys_user ON auth_keys(user_id);\n"

	"CREATE TABLE events (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" orgc_id INTEGER NOT NULL REFERENCES orgs(id),\n"
	" org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
	" date TEXT NOT NULL DEFAULT (date('now')),\n"
	" threat_level_id INTEGER NOT NULL DEFAULT 4,\n"
	" info TEXT NOT NULL DEFAULT '',\n"
	" published INTEGER NOT NULL DEFAULT 0,\n"
	" " UUID_COLUMN
	" attribute_count INTEGER NOT NULL DEFAULT 0,\n"
	" analysis INTEGER NOT NULL DEFAULT 0,\n"
	" timestamp INTEGER NOT NULL DEFAULT 0,\n"
	" distribution INTEGER NOT NULL DEFAULT 0,\n"
	" proposal_email_lock INTEGER NOT NULL DEFAULT 0,\n"
	" locked INTEGER NOT NULL DEFAULT 0,\n"
	" publish_timestamp INTEGER NOT NULL DEFAULT 0,\n"
	" sharing_group_id INTEGER NOT NULL DEFAULT 0,\n"
	" disable_correlation INTEGER NOT NULL DEFAULT 0,\n"
	" extends_uuid TEXT NOT NULL DEFAULT '',\n"
	" protected INTEGER,\n"
	" event_creator_email TEXT NOT NULL DEFAULT '',\n"
	" sighting_timestamp INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX events_org ON events(org_id);\n"
	"CREATE INDEX events_orgc ON events(orgc_id);\n"

	/* object_id is 0 for an attribute outside any object, so it carries
	 * no foreign key.  The objects_delete trigger removes the attributes
	 * of a deleted object. */
	"CREATE TABLE attributes (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" type TEXT NOT NULL,\n"
	" category TEXT NOT NULL DEFAULT '',\n"
	" to_ids INTEGER NOT NULL DEFAULT 0,\n"
	" " UUID_COLUMN
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" distribution INTEGER NOT NULL DEFAULT 5,\n"
	" timestamp INTEGER NOT NULL DEFAULT 0,\n"
	" comment TEXT NOT NULL DEFAULT '',\n"
	" sharing_group_id INTEGER NOT NULL DEFAULT 0,\n"
	" deleted INTEGER NOT NULL DEFAULT 0,\n"
	" disable_correlation INTEGER NOT NULL DEFAULT 0,\n"
	" object_id INTEGER NOT NULL DEFAULT 0,\n"
	" object_relation TEXT,\n"
	" first_seen TEXT,\n"
	" last_seen TEXT,\n"
	" value TEXT NOT NULL,\n"
	" data TEXT\n"
	");\n"
	/* The implicit trailing rowid orders each (event, object) run by id,
	 * which is the order every attribute query reads. */
	"CREATE INDEX attributes_event ON attributes(event_id, object_id);\n"
	"CREATE INDEX attributes_value ON attributes(value);\n"

	"CREATE TABLE objects (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" name TEXT NOT NULL DEFAULT '',\n"
	" meta_category TEXT NOT NULL DEFAULT '',\n"
	" description TEXT NOT NULL DEFAULT '',\n"
	" template_uuid TEXT NOT NULL DEFAULT '',\n"
	" template_version INTEGER NOT NULL DEFAULT 0,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" " UUID_COLUMN
	" timestamp INTEGER NOT NULL DEFAULT 0,\n"
	" distribution INTEGER NOT NULL DEFAULT 5,\n"
	" sharing_group_id INTEGER NOT NULL DEFAULT 0,\n"
	" comment TEXT NOT NULL DEFAULT '',\n"
	" deleted INTEGER NOT NULL DEFAULT 0,\n"
	" first_seen TEXT,\n"
	" last_seen TEXT\n"
	");\n"
	"CREATE INDEX objects_event ON objects(event_id);\n"
	"CREATE TRIGGER objects_delete AFTER DELETE ON objects BEGIN\n"
	" DELETE FROM attributes\n"
	"  WHERE event_id = OLD.event_id AND object_id = OLD.id;\n"
	"END;\n"

	/* referenced_type is 0 for an attribute and 1 for an object. */
	"CREATE TABLE object_references (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" " UUID_COLUMN
	" timestamp INTEGER NOT NULL DEFAULT 0,\n"
	" object_id INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,"
	"\n"
	" referenced_id INTEGER NOT NULL DEFAULT 0,\n"
	" referenced_uuid TEXT NOT NULL DEFAULT '',\n"
	" referenced_type INTEGER NOT NULL DEFAULT 0,\n"
	" relationship_type TEXT NOT NULL DEFAULT '',\n"
	" comment TEXT NOT NULL DEFAULT '',\n"
	" deleted INTEGER NOT NULL DEFAULT 0,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" object_uuid TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX object_references_event"
	" ON object_references(event_id, object_id);\n"
	"CREATE INDEX object_references_object"
	" ON object_references(object_id);\n"

	/* MISP looks tags up by name without regard to case. */
	"CREATE TABLE tags (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" name TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	" colour TEXT NOT NULL DEFAULT '',\n"
	" exportable INTEGER NOT NULL DEFAULT 1,\n"
	" org_id INTEGER NOT NULL DEFAULT 0,\n"
	" user_id INTEGER NOT NULL DEFAULT 0,\n"
	" hide_tag INTEGER NOT NULL DEFAULT 0,\n"
	" numerical_value TEXT,\n"
	" is_galaxy INTEGER NOT NULL DEFAULT 0,\n"
	" is_custom_galaxy INTEGER NOT NULL DEFAULT 0,\n"
	" local_only INTEGER NOT NULL DEFAULT 0\n"
	");\n"

	"CREATE TABLE event_tags (\n"
	" id INTEGER PRIMARY KEY,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,\n"
	" local INTEGER NOT NULL DEFAULT 0,\n"
	" relationship_type TEXT,\n"
	" UNIQUE (event_id, tag_id)\n"
	");\n"
	"CREATE INDEX event_tags_tag ON event_tags(tag_id);\n"

	/* event_id repeats the attribute's event, so that the tags of a whole
	 * event are one index range. */
	"CREATE TABLE attribute_tags (\n"
	" id INTEGER PRIMARY KEY,\n"
	" attribute_id INTEGER NOT NULL"
	" REFERENCES attributes(id) ON DELETE CASCADE,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,\n"
	" local INTEGER NOT NULL DEFAULT 0,\n"
	" relationship_type TEXT,\n"
	" UNIQUE (attribute_id, tag_id)\n"
	");\n"
	"CREATE INDEX attribute_tags_event ON attribute_tags(event_id);\n"
	"CREATE INDEX attribute_tags_tag ON attribute_tags(tag_id);\n"

	/* galaxy_json and cluster_json are the compact JSON received, passed
	 * through unchanged on export. */
	"CREATE TABLE galaxy_clusters (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" " UUID_COLUMN
	" type TEXT NOT NULL DEFAULT '',\n"
	" value TEXT NOT NULL DEFAULT '',\n"
	" tag_name TEXT NOT NULL DEFAULT '',\n"
	" galaxy_json TEXT NOT NULL DEFAULT '{}',\n"
	" cluster_json TEXT NOT NULL DEFAULT '{}'\n"
	");\n"
	"CREATE INDEX galaxy_clusters_tag_name ON galaxy_clusters(tag_name);\n"

	"CREATE TABLE event_clusters (\n"
	" id INTEGER PRIMARY KEY,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" cluster_id INTEGER NOT NULL"
	" REFERENCES galaxy_clusters(id) ON DELETE CASCADE,\n"
	" local INTEGER NOT NULL DEFAULT 0,\n"
	" UNIQUE (event_id, cluster_id)\n"
	");\n"
	"CREATE INDEX event_clusters_cluster ON event_clusters(cluster_id);\n"

	"CREATE TABLE attribute_clusters (\n"
	" id INTEGER PRIMARY KEY,\n"
	" attribute_id INTEGER NOT NULL"
	" REFERENCES attributes(id) ON DELETE CASCADE,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" cluster_id INTEGER NOT NULL"
	" REFERENCES galaxy_clusters(id) ON DELETE CASCADE,\n"
	" local INTEGER NOT NULL DEFAULT 0,\n"
	" UNIQUE (attribute_id, cluster_id)\n"
	");\n"
	"CREATE INDEX attribute_clusters_event"
	" ON attribute_clusters(event_id);\n"
	"CREATE INDEX attribute_clusters_cluster"
	" ON attribute_clusters(cluster_id);\n"

	/* type 0 is a sighting, 1 a false positive, 2 an expiration. */
	"CREATE TABLE sightings (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" attribute_id INTEGER NOT NULL"
	" REFERENCES attributes(id) ON DELETE CASCADE,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" org_id INTEGER NOT NULL DEFAULT 0,\n"
	" date_sighting INTEGER NOT NULL DEFAULT 0,\n"
	" " UUID_COLUMN
	" source TEXT NOT NULL DEFAULT '',\n"
	" type INTEGER NOT NULL DEFAULT 0,\n"
	" attribute_uuid TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX sightings_attribute ON sightings(attribute_id);\n"
	"CREATE INDEX sightings_event ON sightings(event_id);\n"

	/* old_id is the attribute a proposal changes, or 0 for a proposal to
	 * add one.  The attributes_delete trigger removes the proposals of a
	 * deleted attribute. */
	"CREATE TABLE shadow_attributes (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" old_id INTEGER NOT NULL DEFAULT 0,\n"
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" type TEXT NOT NULL,\n"
	" category TEXT NOT NULL DEFAULT '',\n"
	" value TEXT NOT NULL,\n"
	" to_ids INTEGER NOT NULL DEFAULT 0,\n"
	" " UUID_COLUMN
	" event_uuid TEXT NOT NULL DEFAULT '',\n"
	" deleted INTEGER NOT NULL DEFAULT 0,\n"
	" timestamp INTEGER NOT NULL DEFAULT 0,\n"
	" proposal_to_delete INTEGER NOT NULL DEFAULT 0,\n"
	" disable_correlation INTEGER NOT NULL DEFAULT 0,\n"
	" first_seen TEXT,\n"
	" last_seen TEXT,\n"
	" comment TEXT NOT NULL DEFAULT '',\n"
	" org_id INTEGER NOT NULL DEFAULT 0,\n"
	" email TEXT NOT NULL DEFAULT '',\n"
	" event_org_id INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX shadow_attributes_event ON shadow_attributes(event_id);\n"
	"CREATE INDEX shadow_attributes_old ON shadow_attributes(old_id);\n"
	"CREATE TRIGGER attributes_delete AFTER DELETE ON attributes BEGIN\n"
	" DELETE FROM shadow_attributes WHERE old_id = OLD.id;\n"
	"END;\n"

	"CREATE TABLE event_reports (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" " UUID_COLUMN
	" event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,\n"
	" name TEXT NOT NULL DEFAULT '',\n"
	" content TEXT NOT NULL DEFAULT '',\n"
	" distribution INTEGER NOT NULL DEFAULT 5,\n"
	" sharing_group_id INTEGER NOT NULL DEFAULT 0,\n"
	" timestamp INTEGER NOT NULL DEFAULT 0,\n"
	" deleted INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX event_reports_event ON event_reports(event_id);\n";

/* The enabled state of each warninglist, by the list's name, because list
 * ids follow the order of the loaded folder and may change with it.  A
 * list without a row is disabled, as MISP installs lists disabled. */
static const char migration_2[] =
	"CREATE TABLE IF NOT EXISTS warninglist_state (\n"
	" name TEXT PRIMARY KEY,\n"
	" enabled INTEGER NOT NULL DEFAULT 0\n"
	");\n";

/* A user's password, as libsodium's Argon2id string ("$argon2id$..."),
 * or empty for a user who logs in with API keys only.  It is a column
 * outside model_user so that no user record ever carries it. */
static const char migration_3[] =
	"ALTER TABLE users ADD COLUMN password TEXT NOT NULL DEFAULT '';\n";

/* MISP's organisation and user columns that the admin API returns, and
 * the creating user of an event, which the rule "a user with perm_modify
 * may change the events it created" needs.  date_created and
 * date_modified of an organisation are MISP's "YYYY-MM-DD HH:MM:SS" text;
 * restricted_to_domain and allowed_ips hold JSON lists.  events.user_id
 * stays 0 for events that came from an import or before this migration. */
static const char migration_4[] =
	"ALTER TABLE orgs ADD COLUMN date_created TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE orgs ADD COLUMN date_modified TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE orgs ADD COLUMN description TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE orgs ADD COLUMN type TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE orgs ADD COLUMN nationality TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE orgs ADD COLUMN sector TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE orgs ADD COLUMN created_by INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE orgs ADD COLUMN contacts TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE orgs ADD COLUMN restricted_to_domain TEXT NOT NULL"
	" DEFAULT '[]';\n"
	"ALTER TABLE orgs ADD COLUMN landingpage TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE users ADD COLUMN gpgkey TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE users ADD COLUMN certif_public TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE users ADD COLUMN force_logout INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE users ADD COLUMN last_api_access INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE users ADD COLUMN last_pw_change INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE users ADD COLUMN notification_daily INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE users ADD COLUMN notification_weekly INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE users ADD COLUMN notification_monthly INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE events ADD COLUMN user_id INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE INDEX events_user ON events(user_id);\n";

/* Sharing groups, after MISP's tables of the same names.  Names are unique
 * as MISP validates them.  server_id 0 in sharing_group_servers is this
 * instance, and there is no servers table yet, so it has no foreign key.
 *
 * The indexes serve the visibility conditions (store/visibility.h): the
 * groups of one organisation, and the attribute searches by type and by
 * sharing group. */
static const char migration_5[] =
	"CREATE TABLE IF NOT EXISTS sharing_groups (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" " UUID_COLUMN
	" name TEXT NOT NULL UNIQUE,\n"
	" releasability TEXT NOT NULL DEFAULT '',\n"
	" description TEXT NOT NULL DEFAULT '',\n"
	" organisation_uuid TEXT NOT NULL DEFAULT '',\n"
	" org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
	" sync_user_id INTEGER NOT NULL DEFAULT 0,\n"
	" active INTEGER NOT NULL DEFAULT 1,\n"
	" created TEXT NOT NULL DEFAULT (datetime('now')),\n"
	" modified TEXT NOT NULL DEFAULT (datetime('now')),\n"
	" local INTEGER NOT NULL DEFAULT 1,\n"
	" roaming INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS sharing_groups_org"
	" ON sharing_groups(org_id);\n"

	"CREATE TABLE IF NOT EXISTS sharing_group_orgs (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" sharing_group_id INTEGER NOT NULL"
	" REFERENCES sharing_groups(id) ON DELETE CASCADE,\n"
	" org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,\n"
	" extend INTEGER NOT NULL DEFAULT 0,\n"
	" UNIQUE (sharing_group_id, org_id)\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS sharing_group_orgs_org"
	" ON sharing_group_orgs(org_id);\n"

	"CREATE TABLE IF NOT EXISTS sharing_group_servers (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" sharing_group_id INTEGER NOT NULL"
	" REFERENCES sharing_groups(id) ON DELETE CASCADE,\n"
	" server_id INTEGER NOT NULL DEFAULT 0,\n"
	" all_orgs INTEGER NOT NULL DEFAULT 0,\n"
	" UNIQUE (sharing_group_id, server_id)\n"
	");\n"

	"CREATE INDEX IF NOT EXISTS attributes_type ON attributes(type);\n"
	"CREATE INDEX IF NOT EXISTS events_sharing_group"
	" ON events(sharing_group_id);\n"
	"CREATE INDEX IF NOT EXISTS attributes_sharing_group"
	" ON attributes(sharing_group_id);\n";

/* The enabled state of each taxonomy, by namespace, and the ids given to
 * library items (taxonomies by namespace, galaxies and clusters by uuid),
 * so that an id stays the same across restarts and library updates.  A
 * taxonomy without a row is disabled, as MISP installs taxonomies. */
static const char migration_6[] =
	"CREATE TABLE IF NOT EXISTS taxonomy_state (\n"
	" namespace TEXT PRIMARY KEY COLLATE NOCASE,\n"
	" enabled INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS library_ids (\n"
	" kind TEXT NOT NULL,\n"
	" key TEXT NOT NULL,\n"
	" id INTEGER NOT NULL,\n"
	" PRIMARY KEY (kind, key),\n"
	" UNIQUE (kind, id)\n"
	");\n";

/* Web sessions, failed logins and the audit log.
 *
 * A session row keeps the hex SHA-256 of the cookie's token, never the
 * token.  Times are unix seconds: `expires` is the absolute end, and the
 * idle limit is checked against `last_seen`.
 *
 * login_failures counts failed logins by e-mail (kind 0) and by peer
 * address (kind 1).  A count restarts when its last failure is older than
 * the lockout window.
 *
 * audit_logs has the columns of MISP's AuditLog.  `created` is unix
 * seconds, `ip` the peer address as text, and `change` a JSON object of
 * the changed fields. */
static const char migration_7[] =
	"CREATE TABLE IF NOT EXISTS sessions (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" token_hash TEXT NOT NULL UNIQUE,\n"
	" user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
	" csrf_token TEXT NOT NULL,\n"
	" ip TEXT NOT NULL DEFAULT '',\n"
	" created INTEGER NOT NULL,\n"
	" last_seen INTEGER NOT NULL,\n"
	" expires INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);\n"

	"CREATE TABLE IF NOT EXISTS login_failures (\n"
	" kind INTEGER NOT NULL,\n"
	" name TEXT NOT NULL COLLATE NOCASE,\n"
	" count INTEGER NOT NULL DEFAULT 0,\n"
	" last_failure INTEGER NOT NULL DEFAULT 0,\n"
	" PRIMARY KEY (kind, name)\n"
	");\n"

	"CREATE TABLE IF NOT EXISTS audit_logs (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" created INTEGER NOT NULL,\n"
	" user_id INTEGER NOT NULL DEFAULT 0,\n"
	" org_id INTEGER NOT NULL DEFAULT 0,\n"
	" authkey_id INTEGER,\n"
	" ip TEXT,\n"
	" request_type INTEGER NOT NULL DEFAULT 0,\n"
	" request_id TEXT,\n"
	" action TEXT NOT NULL,\n"
	" model TEXT NOT NULL,\n"
	" model_id INTEGER NOT NULL DEFAULT 0,\n"
	" model_title TEXT,\n"
	" event_id INTEGER,\n"
	" change TEXT\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS audit_logs_model ON audit_logs(model, model_id);\n"
	"CREATE INDEX IF NOT EXISTS audit_logs_event ON audit_logs(event_id);\n";

/* Correlation indexes and exclusions.  The SQL functions come from
 * store_sql_functions() (model/correlation.h has the rules):
 * - attributes_second contains the second half of composite values, so
 *   that an ip-dst finds the domain|ip with its address;
 * - attributes_net contains the 17-byte network key of addresses and
 *   CIDR blocks, so that containment is an index range;
 * - attributes_net_block contains the prefix lengths of the blocks only,
 *   so that the distinct lengths cost one seek each;
 * - attributes_ssdeep contains the block size of ssdeep hashes, because
 *   only hashes of equal, double or half block size can be similar.
 * The partial indexes leave out the rows without such a value, and
 * creating them fills them from the existing rows.  attributes_value is
 * rebuilt with the other columns that the correlation lookups and the
 * visibility conditions read, so that a matching row costs no read of the
 * table (docs/benchmarks.md has the measurement).  A correlation
 * exclusion's value may hold "%" wildcards, as in MISP. */
static const char migration_8[] =
	"DROP INDEX IF EXISTS attributes_value;\n"
	"CREATE INDEX attributes_value ON attributes(value, event_id, type,"
	" deleted, disable_correlation, object_id, distribution,"
	" sharing_group_id);\n"
	"CREATE INDEX IF NOT EXISTS attributes_second"
	" ON attributes(cairn_second(type, value))"
	" WHERE cairn_second(type, value) IS NOT NULL;\n"
	"CREATE INDEX IF NOT EXISTS attributes_net"
	" ON attributes(cairn_net(type, value))"
	" WHERE cairn_net(type, value) IS NOT NULL;\n"
	"CREATE INDEX IF NOT EXISTS attributes_net_block"
	" ON attributes(cairn_net_prefix(type, value))"
	" WHERE cairn_net_prefix(type, value) < 128;\n"
	"CREATE INDEX IF NOT EXISTS attributes_ssdeep"
	" ON attributes(cairn_ssdeep_block(type, value))"
	" WHERE cairn_ssdeep_block(type, value) IS NOT NULL;\n"
	"CREATE TABLE IF NOT EXISTS correlation_exclusions (\n"
	" id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	" value TEXT NOT NULL UNIQUE,\n"
	" from_json INTEGER NOT NULL DEFAULT 0,\n"
	" comment TEXT NOT NULL DEFAULT ''\n"
	");\n";

/* Indexes of the searches (store/sqlite_search.c).  attributes_value2
 * indexes the second half of each composite value ("ip-dst|port",
 * "filename|md5"), so a value search finds either half by index; the
 * expression must stay the same as the search's.  The event columns are
 * the time filters and sort orders of restSearch and events/index. */
static const char migration_9[] =
	"CREATE INDEX IF NOT EXISTS attributes_value2 ON attributes"
	"(substr(value, instr(value, '|') + 1)) WHERE instr(type, '|') > 0;\n"
	"CREATE INDEX IF NOT EXISTS attributes_timestamp"
	" ON attributes(timestamp);\n"
	"CREATE INDEX IF NOT EXISTS events_publish_timestamp"
	" ON events(publish_timestamp);\n"
	"CREATE INDEX IF NOT EXISTS events_timestamp ON events(timestamp);\n"
	"CREATE INDEX IF NOT EXISTS events_date ON events(date);\n";

/* The index of the dashboard's recent sightings, which reads the newest
 * rows first.  The latest events and the timeline use the event time
 * indexes of migration 9. */
static const char migration_10[] =
	"CREATE INDEX IF NOT EXISTS sightings_date"
	" ON sightings(date_sighting);\n";

/* The class columns that migration 11's three tables share, and the
 * generated o_id of the two count tables. */
#define MIGRATION_11_CLASS                                                     \
	" e_org_id INTEGER NOT NULL,\n"                                         \
	" e_published INTEGER NOT NULL,\n"                                      \
	" e_distribution INTEGER NOT NULL,\n"                                   \
	" e_sharing_group_id INTEGER NOT NULL,\n"                               \
	" a_distribution INTEGER NOT NULL,\n"                                   \
	" a_sharing_group_id INTEGER NOT NULL,\n"                               \
	" o_distribution INTEGER NOT NULL,\n"                                   \
	" o_sharing_group_id INTEGER NOT NULL,\n"
#define MIGRATION_11_OBJECT_ID                                                 \
	" o_id INTEGER GENERATED ALWAYS AS\n"                                   \
	"  (CASE WHEN o_distribution >= 0 THEN 1 END) VIRTUAL,\n"

/* The dashboard's attribute counts (store/sqlite_counts.c): the number
 * of live attributes (not deleted, in a live object or none) per
 * visibility class, type, category and event date.  A widget then sums
 * rows bounded by the classes and dimensions in use, not by the
 * attributes.  The class columns are the columns the visibility
 * conditions read (store/visibility.h), named with an e_, a_ or o_
 * prefix; o_distribution is -1 for an attribute outside any object, and
 * o_id, NULL then, stands for the object row of a LEFT JOIN.  The store
 * keeps the rows on every write; a class whose attributes are gone keeps
 * n = 0.  The table is rebuilt from the rows, so that running the
 * migration again (test_backup rewinds to version 4) counts once. */
static const char migration_11[] =
	"CREATE TABLE IF NOT EXISTS attribute_counts (\n"
	MIGRATION_11_CLASS
	MIGRATION_11_OBJECT_ID
	" type TEXT NOT NULL,\n"
	" category TEXT NOT NULL,\n"
	" day TEXT NOT NULL,\n"
	" n INTEGER NOT NULL,\n"
	" PRIMARY KEY (" STORE_COUNTS_KEY ")\n"
	") WITHOUT ROWID;\n"
	"DELETE FROM attribute_counts;\n"
	"INSERT INTO attribute_counts (" STORE_COUNTS_KEY ", n)\n"
	" SELECT e.org_id, e.published, e.distribution, e.sharing_group_id,\n"
	" a.distribution, a.sharing_group_id, coalesce(o.distribution, -1),\n"
	" coalesce(o.sharing_group_id, 0), a.type, a.category, e.date,\n"
	" count(*)\n"
	" FROM attributes a JOIN events e ON e.id = a.event_id\n"
	" LEFT JOIN objects o ON o.id = a.object_id\n"
	" WHERE a.deleted = 0 AND coalesce(o.deleted, 0) = 0\n"
	" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;\n"
	/* The values that two events or more share (store/sqlite_shared.c):
	 * a row per value and event, with the event's class and one class
	 * that stands for the event's live, correlating attributes with
	 * the value, or exact = 0 when no single class does; and their sum
	 * per value, type and class.  A value has a row for every event
	 * that contains it, or none. */
	"CREATE TABLE IF NOT EXISTS shared_values (\n"
	" value TEXT NOT NULL,\n"
	" event_id INTEGER NOT NULL,\n"
	" type TEXT NOT NULL,\n"
	MIGRATION_11_CLASS
	" exact INTEGER NOT NULL,\n"
	" PRIMARY KEY (value, event_id)\n"
	") WITHOUT ROWID;\n"
	/* The few rows without a class, which the widget reads one by one. */
	"CREATE INDEX IF NOT EXISTS shared_values_inexact"
	" ON shared_values(value, event_id) WHERE exact = 0;\n"
	"CREATE TABLE IF NOT EXISTS shared_counts (\n"
	" value TEXT NOT NULL,\n"
	" type TEXT NOT NULL,\n"
	MIGRATION_11_CLASS
	MIGRATION_11_OBJECT_ID
	" n INTEGER NOT NULL,\n"
	" PRIMARY KEY (" STORE_SHARED_KEY ")\n"
	") WITHOUT ROWID;\n"
	"DELETE FROM shared_values;\n"
	"DELETE FROM shared_counts;\n"
	/* One class is exact when the attributes share it.  It is also
	 * exact when one attribute is readable by whoever reads the event
	 * and has the smallest type, and then it is written as distribution
	 * 5 outside any object.  Any other row is inexact, and the widget
	 * reads its attributes. */
	"INSERT INTO shared_values SELECT value, event_id, min(type),\n"
	" e_org_id, e_published, e_distribution, e_sharing_group_id,\n"
	" CASE WHEN max(open) = 1 THEN 5 ELSE min(ad) END,\n"
	" CASE WHEN max(open) = 1 THEN 0 ELSE min(ag) END,\n"
	" CASE WHEN max(open) = 1 THEN -1 ELSE min(od) END,\n"
	" CASE WHEN max(open) = 1 THEN 0 ELSE min(og) END,\n"
	" count(DISTINCT cls) = 1 OR (max(open) = 1\n"
	"  AND min(CASE WHEN open THEN type END) = min(type))\n"
	" FROM (SELECT a.value AS value, a.event_id AS event_id,\n"
	" a.type AS type, e.org_id AS e_org_id, e.published AS e_published,\n"
	" e.distribution AS e_distribution,\n"
	" e.sharing_group_id AS e_sharing_group_id,\n"
	" a.distribution AS ad, a.sharing_group_id AS ag,\n"
	" coalesce(o.distribution, -1) AS od,\n"
	" coalesce(o.sharing_group_id, 0) AS og,\n"
	" a.distribution || ',' || a.sharing_group_id || ',' ||\n"
	" coalesce(o.distribution, -1) || ',' || coalesce(o.sharing_group_id,"
	" 0) AS cls,\n"
	" a.distribution IN (1, 2, 3, 5)\n"
	" AND coalesce(o.distribution, 5) IN (1, 2, 3, 5) AS open\n"
	" FROM attributes a JOIN events e ON e.id = a.event_id\n"
	" LEFT JOIN objects o ON o.id = a.object_id\n"
	" WHERE a.deleted = 0 AND a.disable_correlation = 0\n"
	" AND coalesce(o.deleted, 0) = 0 AND e.disable_correlation = 0\n"
	" AND a.value IN (SELECT b.value FROM attributes b\n"
	"  JOIN events f ON f.id = b.event_id\n"
	"  LEFT JOIN objects p ON p.id = b.object_id\n"
	"  WHERE b.deleted = 0 AND b.disable_correlation = 0\n"
	"  AND coalesce(p.deleted, 0) = 0 AND f.disable_correlation = 0\n"
	"  GROUP BY b.value HAVING count(DISTINCT b.event_id) > 1))\n"
	" GROUP BY value, event_id;\n"
	"INSERT INTO shared_counts (" STORE_SHARED_KEY ", n)\n"
	" SELECT " STORE_SHARED_KEY ", count(*) FROM shared_values\n"
	" WHERE exact = 1 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;\n";

/* Index i contains the script that raises user_version from i to i + 1. */
static const char *const migrations[] = {
	migration_1,
	migration_2,
	migration_3,
	migration_4,
	migration_5,
	migration_6,
	migration_7,
	migration_8,
	migration_9,
	migration_10,
	migration_11,
};

#define MIGRATION_COUNT ((int)(sizeof(migrations) / sizeof(migrations[0])))

int schema_latest(void)
{
	return MIGRATION_COUNT;
}

static int schema_fail(sqlite3 *db, struct cairn_err *e, const char *what)
{
	return cairn_err_set(e, CAIRN_ESTORE, "%s failed: %s", what,
			     sqlite3_errmsg(db));
}

static int schema_read_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Runs migration `version` + 1 and records it in user_version, inside the
 * transaction that the caller opened. */
static int schema_apply(sqlite3 *db, int version, struct cairn_err *e)
{
	struct buf pragma = BUF_INIT;
	int rc;

	rc = sqlite3_exec(db, migrations[version], NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		return cairn_err_set(e, CAIRN_ESTORE,
				     "schema migration %d failed: %s",
				     version + 1, sqlite3_errmsg(db));
	}
	/* PRAGMA takes no parameters, so the number is formatted into the
	 * text.  It comes from the migration count, never from input. */
	if (buf_printf(&pragma, "PRAGMA user_version = %d", version + 1) < 0) {
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	rc = sqlite3_exec(db, buf_str(&pragma), NULL, NULL, NULL);
	buf_release(&pragma);
	if (rc != SQLITE_OK) {
		return schema_fail(db, e, "setting the schema version");
	}
	return 0;
}

/* Runs the next pending migration in its own transaction.  Returns 1 when
 * one ran, 0 when none was pending. */
static int schema_step(sqlite3 *db, struct cairn_err *e)
{
	int version = 0;
	int rc;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		return schema_fail(db, e, "starting a schema migration");
	}
	/* Read again under the write lock, because another process may have
	 * migrated the file since the first read. */
	if (schema_read_version(db, &version) != SQLITE_OK) {
		rc = schema_fail(db, e, "reading the schema version");
	} else if (version >= MIGRATION_COUNT) {
		rc = 0;
	} else {
		rc = schema_apply(db, version, e);
		if (rc == 0) {
			rc = 1;
		}
	}
	if (rc < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = schema_fail(db, e, "committing a schema migration");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

int schema_migrate(sqlite3 *db, int *applied, struct cairn_err *e)
{
	int version = 0;
	int count = 0;
	int rc;

	if (applied) {
		*applied = 0;
	}
	/* The indexes of migration 8 are built on these functions, and every
	 * later write to attributes evaluates them. */
	if (store_sql_functions(db) != SQLITE_OK) {
		return schema_fail(db, e, "registering the SQL functions");
	}
	if (schema_read_version(db, &version) != SQLITE_OK) {
		return schema_fail(db, e, "reading the schema version");
	}
	if (version > MIGRATION_COUNT) {
		return cairn_err_set(e, CAIRN_ESTORE,
				     "database schema version %d is newer than "
				     "this build of cairn supports (%d); "
				     "upgrade cairn",
				     version, MIGRATION_COUNT);
	}
	while (version + count < MIGRATION_COUNT) {
		rc = schema_step(db, e);
		if (rc < 0) {
			return rc;
		}
		if (rc == 0) {
			break;
		}
		count++;
	}
	if (applied) {
		*applied = count;
	}
	return 0;
}
