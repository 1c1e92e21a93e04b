/*
 * Range and consistency checks; see validate.h.
 *
 * The ranges are MISP's: threat levels 1 (high) to 4 (undefined),
 * analysis 0 (initial) to 2 (complete), distribution 0 (your
 * organisation) to 4 (sharing group) on events and to 5 (inherit) on what
 * is inside them.
 */
#include "model/validate.h"
#include "model/codec.h"
#include "model/misp.h"
#include "model/types.h"

#include <ctype.h>
#include <string.h>

struct int_range {
	const struct model *model;
	int field;
	int64_t min, max;
	const char *expected;
};

static const struct int_range int_ranges[] = {
	{&model_event, EVENT_THREAT_LEVEL_ID, 1, 4,
	 "1 (high), 2 (medium), 3 (low) or 4 (undefined)"},
	{&model_event, EVENT_ANALYSIS, 0, 2,
	 "0 (initial), 1 (ongoing) or 2 (complete)"},
	{&model_event, EVENT_DISTRIBUTION, 0, 4, "a distribution from 0 to 4"},
	{&model_event, EVENT_SHARING_GROUP_ID, 0, INT64_MAX,
	 "a sharing group id, 0 or more"},
	{&model_event, EVENT_TIMESTAMP, 0, INT64_MAX, "a unix time, 0 or more"},
	{&model_event, EVENT_PUBLISH_TIMESTAMP, 0, INT64_MAX,
	 "a unix time, 0 or more"},
	{&model_attribute, ATTR_DISTRIBUTION, 0, 5,
	 "a distribution from 0 to 5"},
	{&model_attribute, ATTR_SHARING_GROUP_ID, 0, INT64_MAX,
	 "a sharing group id, 0 or more"},
	{&model_attribute, ATTR_TIMESTAMP, 0, INT64_MAX,
	 "a unix time, 0 or more"},
	{&model_object, OBJ_DISTRIBUTION, 0, 5, "a distribution from 0 to 5"},
	{&model_object, OBJ_SHARING_GROUP_ID, 0, INT64_MAX,
	 "a sharing group id, 0 or more"},
	{&model_object, OBJ_TIMESTAMP, 0, INT64_MAX, "a unix time, 0 or more"},
	{&model_report, REPORT_DISTRIBUTION, 0, 5,
	 "a distribution from 0 to 5"},
	{&model_sighting, SIGHT_TYPE, 0, 2,
	 "0 (sighting), 1 (false positive) or 2 (expiration)"},
};

static int invalid(const struct record *r, int field, const char *pointer,
		   const char *got, const char *expected,
		   struct cairn_err *e)
{
	const char *name = r->model->fields[field].name;
	struct buf at = BUF_INIT;

	buf_printf(&at, "%s/%s", pointer, name);
	cairn_err_set(e, CAIRN_EINVAL, "invalid '%s' at %s: expected %s, got %s",
		      name, buf_str(&at), expected, got);
	cairn_err_at(e, buf_str(&at), name);
	buf_release(&at);
	return CAIRN_EINVAL;
}

static bool is_set(const struct record *r, int field)
{
	return r->v[field].set && !r->v[field].null;
}

static int check_ranges(const struct record *r, const char *pointer,
			struct cairn_err *e)
{
	for (size_t i = 0; i < sizeof(int_ranges) / sizeof(int_ranges[0]);
	     i++) {
		const struct int_range *c = &int_ranges[i];
		char got[32];

		if (c->model != r->model || !is_set(r, c->field)) {
			continue;
		}
		if (r->v[c->field].i >= c->min && r->v[c->field].i <= c->max) {
			continue;
		}
		snprintf(got, sizeof(got), "%lld", (long long)r->v[c->field].i);
		return invalid(r, c->field, pointer, got, c->expected, e);
	}
	return 0;
}

static bool blank(const char *s)
{
	for (; *s; s++) {
		if (!isspace((unsigned char)*s)) {
			return false;
		}
	}
	return true;
}

static int check_event(const struct record *r, const char *pointer,
		       struct cairn_err *e)
{
	const char *extends = record_text(r, EVENT_EXTENDS_UUID, NULL);
	const char *info = record_text(r, EVENT_INFO, NULL);

	if (extends && *extends && !codec_is_uuid(extends)) {
		return invalid(r, EVENT_EXTENDS_UUID, pointer, extends,
			       "the UUID of the extended event, or empty", e);
	}
	if (info && blank(info)) {
		return invalid(r, EVENT_INFO, pointer, "a blank text",
			       "a description of the event", e);
	}
	return 0;
}

/* Returns true for the composite types whose value may also be written
 * "host:port"; the normaliser rewrites it to "host|port". */
static bool port_composite(const char *type)
{
	return strcmp(type, "ip-src|port") == 0 ||
	       strcmp(type, "ip-dst|port") == 0 ||
	       strcmp(type, "hostname|port") == 0;
}

static int check_attribute(const struct record *r, const char *pointer,
			   struct cairn_err *e)
{
	const char *type = record_text(r, ATTR_TYPE, NULL);
	const char *category = record_text(r, ATTR_CATEGORY, NULL);
	const char *value = record_text(r, ATTR_VALUE, NULL);

	if (type && !attr_type_find(type)) {
		return invalid(r, ATTR_TYPE, pointer, type,
			       "a MISP attribute type (GET "
			       "/attributes/describeTypes.json lists them)",
			       e);
	}
	if (category && !attr_category_known(category)) {
		return invalid(r, ATTR_CATEGORY, pointer, category,
			       "a MISP category", e);
	}
	if (type && category && !attr_category_allows(category, type)) {
		return invalid(r, ATTR_CATEGORY, pointer, category,
			       "a category that allows the attribute's type "
			       "(category_type_mappings in "
			       "describeTypes.json)",
			       e);
	}
	if (r->v[ATTR_VALUE].set && (!value || !*value)) {
		return invalid(r, ATTR_VALUE, pointer, "an empty value",
			       "a non-empty value", e);
	}
	if (value && type && strchr(type, '|') && !strchr(value, '|') &&
	    !port_composite(type)) {
		return invalid(r, ATTR_VALUE, pointer, value,
			       "two values joined by '|' for a composite type",
			       e);
	}
	return 0;
}

static int check_tag(const struct record *r, const char *pointer,
		     struct cairn_err *e)
{
	const char *colour = record_text(r, TAG_COLOUR, NULL);
	bool ok = colour && strlen(colour) == 7 && colour[0] == '#';

	for (int i = 1; ok && i < 7; i++) {
		ok = isxdigit((unsigned char)colour[i]) != 0;
	}
	if (colour && !ok) {
		return invalid(r, TAG_COLOUR, pointer, colour,
			       "a colour as #rrggbb", e);
	}
	return 0;
}

int misp_validate(const struct record *r, const char *pointer,
		  struct cairn_err *e)
{
	int rc = check_ranges(r, pointer, e);

	if (rc < 0) {
		return rc;
	}
	if (r->model == &model_event) {
		return check_event(r, pointer, e);
	}
	if (r->model == &model_attribute) {
		return check_attribute(r, pointer, e);
	}
	if (r->model == &model_tag) {
		return check_tag(r, pointer, e);
	}
	return 0;
}
