/* Instance endpoints: version and the type registry. */
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

int api_describe_types(struct api_ctx *c)
{
	if (attr_types_describe(c->gen) < 0) {
		c->rs->status = 500;
	}
	return 0;
}
