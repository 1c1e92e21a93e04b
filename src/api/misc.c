/* Instance endpoints: health, version, the current user, the heartbeat,
 * the type registry. */
#include "api/api.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/types.h"

#include <string.h>

#define CAIRN_MISP_VERSION "2.5.1"

int api_version(struct api_ctx *c)
{
	const struct record *role = &c->user.role;

	return api_send_json(
		c, json_pack("{s:s, s:s, s:b, s:b, s:b, s:b}", "version",
			     CAIRN_MISP_VERSION, "pymisp_recommended_version",
			     CAIRN_MISP_VERSION, "perm_sync",
			     (int)record_int(role, ROLE_PERM_SYNC, 0),
			     "perm_sighting",
			     (int)record_int(role, ROLE_PERM_SIGHTING, 0),
			     "perm_galaxy_editor",
			     (int)record_int(role, ROLE_PERM_GALAXY_EDITOR, 0),
			     "filter_sightings", 1));
}

/* GET /health, without a key: 200 when the database is reachable and its
 * schema is the newest this build knows, else 503.  A container's
 * healthcheck and load balancers call it. */
int api_health(struct api_ctx *c)
{
	int version = store_schema_version(c->store);
	int latest = store_schema_latest();
	const char *database = "ok";

	if (version < 0) {
		database = "unreachable";
	} else if (version < latest) {
		database = "migrations pending";
	} else if (version > latest) {
		database = "schema newer than this build";
	}
	c->rs->status = version == latest ? 200 : 503;
	return api_send_json(
		c, json_pack("{s:s, s:s, s:i, s:i}", "status",
			     version == latest ? "ok" : "unavailable",
			     "database", database, "schema_version",
			     version < 0 ? 0 : version, "schema_latest", latest));
}

/* MISP returns 200 and a JSON string, one of a few fixed messages, for
 * users/heartbeat.  Clients only check the status. */
int api_user_heartbeat(struct api_ctx *c)
{
	return api_send_json(c, json_string("Cairn is running."));
}

int api_describe_types(struct api_ctx *c)
{
	if (attr_types_describe(c->gen) < 0) {
		c->rs->status = 500;
	}
	return 0;
}
