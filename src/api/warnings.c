/*
 * Warninglists applied to requests: whether a request sets them
 * (enforceWarninglist, includeWarninglistHits), and whether a value is
 * on an enabled list.
 */
#include "api/api.h"
#include "api/library.h"

#include <string.h>

bool api_request_flag(struct api_ctx *c, json_t *object, const char *name)
{
	const char *named = path_named(&c->path, name);

	if (named) {
		return strcmp(named, "0") != 0 && strcmp(named, "false") != 0;
	}
	if (object && api_json_flag(json_object_get(object, name))) {
		return true;
	}
	return json_is_object(c->body) &&
	       api_json_flag(json_object_get(c->body, name));
}

struct warninglist_set *api_warninglists(struct api_ctx *c)
{
	return c->app->library ? c->app->library->warninglists : NULL;
}

bool api_on_warninglist(struct api_ctx *c, json_t *attr)
{
	struct warninglist_set *set = api_warninglists(c);
	const char *type = json_string_value(json_object_get(attr, "type"));
	const char *value = json_string_value(json_object_get(attr, "value"));
	struct warninglist_hit hit;

	if (!set || !type || !value) {
		return false;
	}
	return warninglist_check(set, type, value, &hit, 1) > 0;
}
