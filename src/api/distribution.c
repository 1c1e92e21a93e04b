/*
 * The sharing-group check of writes: an event, attribute, object or event
 * report with distribution 4 must name a sharing group that the user's
 * organisation may see (store_viewer_has_group()), because otherwise the
 * writer could hide data from itself or attach it to a group it does not
 * belong to.  A site admin may use every group that exists.
 */
#include "api/api.h"
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

/* Reads an integer given as a JSON number or a string of digits, as MISP
 * clients send ids.  Returns false for anything else. */
static bool json_id(json_t *value, int64_t *out)
{
	const char *text = json_string_value(value);
	char *end;

	if (json_is_integer(value)) {
		*out = json_integer_value(value);
		return true;
	}
	if (!text || !*text) {
		return false;
	}
	*out = strtoll(text, &end, 10);
	return *end == '\0';
}

static int check_one(struct api_ctx *c, json_t *obj, const char *pointer,
		     struct cairn_err *e)
{
	json_t *dist = json_object_get(obj, "distribution");
	json_t *group = json_object_get(obj, "sharing_group_id");
	int64_t level = -1, id = 0;

	if (dist && !json_id(dist, &level)) {
		return 0; /* the model's validation reports the bad value */
	}
	if (level != 4) {
		return 0;
	}
	if (!group || !json_id(group, &id) || id <= 0) {
		cairn_err_set(e, CAIRN_EINVAL,
			      "missing 'sharing_group_id' at %s: distribution "
			      "4 needs the id of a sharing group",
			      *pointer ? pointer : "/");
		cairn_err_at(e, pointer, "sharing_group_id");
		return CAIRN_EINVAL;
	}
	if (!store_viewer_has_group(&c->viewer, id)) {
		cairn_err_set(e, CAIRN_EINVAL,
			      "invalid 'sharing_group_id' %lld at %s: no "
			      "sharing group with that id that you may use; "
			      "expected an id from sharing_groups/index",
			      (long long)id, *pointer ? pointer : "/");
		cairn_err_at(e, pointer, "sharing_group_id");
		return CAIRN_EINVAL;
	}
	return 0;
}

static int check_list(struct api_ctx *c, json_t *obj, const char *key,
		      const char *pointer, struct cairn_err *e)
{
	json_t *list = json_object_get(obj, key);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
		struct buf at = BUF_INIT;

		if (buf_printf(&at, "%s/%s/%zu", pointer, key, i) < 0) {
			return CAIRN_ENOMEM;
		}
		rc = api_check_distribution(c, json_array_get(list, i),
					    buf_str(&at), e);
		buf_release(&at);
	}
	return rc;
}

int api_check_distribution(struct api_ctx *c, json_t *obj,
			   const char *pointer, struct cairn_err *e)
{
	int rc;

	if (!json_is_object(obj)) {
		return 0;
	}
	rc = check_one(c, obj, pointer, e);
	if (rc == 0) {
		rc = check_list(c, obj, "Attribute", pointer, e);
	}
	if (rc == 0) {
		rc = check_list(c, obj, "Object", pointer, e);
	}
	if (rc == 0) {
		rc = check_list(c, obj, "EventReport", pointer, e);
	}
	return rc;
}
