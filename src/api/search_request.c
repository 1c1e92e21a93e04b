/*
 * Filter parsing for every search endpoint; see search_request.h.
 *
 * `filters` lists each filter once with the endpoints that accept it, the
 * form of its value and the store field it becomes.  List values take
 * MISP's forms: one value, an array, or {"OR": [...], "AND": [...],
 * "NOT": [...]}, where a string starting with "!" is negated and, in a
 * named parameter, "&&" separates values.  An AND value becomes one
 * condition of its own, so every AND value must match.
 */
/* strptime() */
#define _XOPEN_SOURCE 700

#include "api/search_internal.h"

#include "core/buf.h"
#include "model/misp.h"
#include "model/normalize.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Endpoint sets. */
#define EP(x) (1u << (x))
#define E_ATTR EP(SEARCH_EP_ATTRIBUTES)
#define E_EVENT EP(SEARCH_EP_EVENTS)
#define E_OBJ EP(SEARCH_EP_OBJECTS)
#define E_SIGHT EP(SEARCH_EP_SIGHTINGS)
#define E_INDEX EP(SEARCH_EP_EVENT_INDEX)
#define E_AINDEX EP(SEARCH_EP_ATTRIBUTE_INDEX)
#define E_REST (E_ATTR | E_EVENT | E_OBJ)
#define E_PAGED (E_REST | E_SIGHT | E_INDEX | E_AINDEX)

/* Output switches, the `field` of FORM_OPTION rows. */
enum option {
	OPT_ENFORCE_WARNINGLIST,
	OPT_INCLUDE_EVENT_TAGS,
	OPT_INCLUDE_CONTEXT,
	OPT_INCLUDE_CORRELATIONS,
	OPT_INCLUDE_SIGHTINGS,
	OPT_INCLUDE_WARNINGLIST_HITS,
	OPT_HEADERLESS,
	OPT_METADATA,
	OPT_MINIMAL,
	OPT_INCLUDE_ATTRIBUTE,
	OPT_INCLUDE_EVENT,
};

static const struct filter filters[] = {
    {"value", E_REST | E_SIGHT, FORM_VALUES, SEARCH_VALUE},
    {"type", E_REST, FORM_TEXTS, SEARCH_TYPE},
    {"category", E_REST, FORM_TEXTS, SEARCH_CATEGORY},
    {"org", E_REST | E_INDEX, FORM_ORGS, SEARCH_ORG},
    {"tags", E_REST | E_INDEX, FORM_TAGS, SEARCH_TAG},
    {"tag", E_INDEX, FORM_TAGS, SEARCH_TAG},
    {"eventid", E_REST | E_SIGHT | E_INDEX, FORM_INTS, SEARCH_EVENT_ID},
    {"uuid", E_REST | E_SIGHT, FORM_TEXTS, SEARCH_UUID},
    {"eventinfo", E_REST | E_INDEX, FORM_CONTAINS, SEARCH_EVENT_INFO},
    {"from", E_REST, FORM_DATE_FROM, SEARCH_DATE},
    {"to", E_REST, FORM_DATE_TO, SEARCH_DATE},
    {"datefrom", E_INDEX, FORM_DATE_FROM, SEARCH_DATE},
    {"dateuntil", E_INDEX, FORM_DATE_TO, SEARCH_DATE},
    {"last", E_REST, FORM_LAST, SEARCH_PUBLISH_TIMESTAMP},
    {"timestamp", E_REST | E_INDEX, FORM_TIME, SEARCH_TIMESTAMP},
    {"publish_timestamp", E_REST | E_INDEX, FORM_TIME,
     SEARCH_PUBLISH_TIMESTAMP},
    {"publishtimestamp", E_INDEX, FORM_TIME, SEARCH_PUBLISH_TIMESTAMP},
    {"event_timestamp", E_REST, FORM_TIME, SEARCH_EVENT_TIMESTAMP},
    {"first_seen", E_ATTR | E_OBJ | E_EVENT, FORM_SEEN_FROM, SEARCH_FIRST_SEEN},
    {"last_seen", E_ATTR | E_OBJ | E_EVENT, FORM_SEEN_TO, SEARCH_LAST_SEEN},
    {"published", E_REST | E_INDEX, FORM_BOOL, SEARCH_PUBLISHED},
    {"to_ids", E_REST, FORM_BOOL, SEARCH_TO_IDS},
    {"deleted", E_REST, FORM_DELETED, 0},
    {"threat_level_id", E_REST, FORM_INTS, SEARCH_THREAT_LEVEL},
    {"threatlevel", E_INDEX, FORM_INTS, SEARCH_THREAT_LEVEL},
    {"analysis", E_REST | E_INDEX, FORM_INTS, SEARCH_ANALYSIS},
    {"distribution", E_REST | E_INDEX, FORM_INTS, SEARCH_DISTRIBUTION},
    {"sharinggroup", E_REST | E_INDEX, FORM_INTS, SEARCH_SHARING_GROUP},
    {"object_relation", E_ATTR | E_OBJ | E_EVENT, FORM_TEXTS,
     SEARCH_OBJECT_RELATION},
    {"searchall", E_REST | E_INDEX, FORM_SEARCHALL, SEARCH_SEARCHALL},
    {"attribute", E_INDEX, FORM_SEARCHALL, SEARCH_VALUE},
    {"enforceWarninglist", E_REST, FORM_OPTION, OPT_ENFORCE_WARNINGLIST},
    {"includeEventTags", E_ATTR, FORM_OPTION, OPT_INCLUDE_EVENT_TAGS},
    {"includeContext", E_ATTR, FORM_OPTION, OPT_INCLUDE_CONTEXT},
    {"includeCorrelations", E_ATTR, FORM_OPTION, OPT_INCLUDE_CORRELATIONS},
    {"includeSightings", E_ATTR, FORM_OPTION, OPT_INCLUDE_SIGHTINGS},
    {"includeWarninglistHits", E_ATTR | E_EVENT, FORM_OPTION,
     OPT_INCLUDE_WARNINGLIST_HITS},
    {"headerless", E_REST, FORM_OPTION, OPT_HEADERLESS},
    {"metadata", E_EVENT, FORM_OPTION, OPT_METADATA},
    {"minimal", E_INDEX, FORM_OPTION, OPT_MINIMAL},
    {"requested_attributes", E_REST, FORM_COLUMNS, 0},
    {"returnFormat", E_REST | E_SIGHT, FORM_FORMAT, 0},
    {"limit", E_PAGED, FORM_LIMIT, 0},
    {"page", E_PAGED, FORM_PAGE, 0},
    {"sort", E_INDEX, FORM_SORT, 0},
    {"direction", E_INDEX, FORM_DIRECTION, 0},
    /* sightings/restSearch: its own meaning of type, from, to, org_id. */
    {"context", E_SIGHT, FORM_CONTEXT, 0},
    {"id", E_SIGHT, FORM_CONTEXT_ID, 0},
    {"type", E_SIGHT, FORM_INTS, SEARCH_SIGHTING_TYPE},
    {"source", E_SIGHT, FORM_TEXTS, SEARCH_SIGHTING_SOURCE},
    {"org_id", E_SIGHT, FORM_INTS, SEARCH_SIGHTING_ORG},
    {"from", E_SIGHT, FORM_TIME_FROM, SEARCH_SIGHTING_DATE},
    {"to", E_SIGHT, FORM_TIME_TO, SEARCH_SIGHTING_DATE},
    {"last", E_SIGHT, FORM_LAST, SEARCH_SIGHTING_DATE},
    {"includeAttribute", E_SIGHT, FORM_OPTION, OPT_INCLUDE_ATTRIBUTE},
    {"includeEvent", E_SIGHT, FORM_OPTION, OPT_INCLUDE_EVENT},
};

#define NFILTERS (sizeof(filters) / sizeof(filters[0]))

static const struct filter *find_filter(enum search_endpoint ep,
					const char *name)
{
	for (size_t i = 0; i < NFILTERS; i++) {
		if ((filters[i].endpoints & EP(ep)) &&
		    strcmp(filters[i].name, name) == 0) {
			return &filters[i];
		}
	}
	return NULL;
}

int search_bad_value(struct parse *p, const char *name, const char *expected,
		     json_t *v)
{
	char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	cairn_err_set(p->e, CAIRN_EINVAL,
		      "invalid filter '%s' value %s: expected %s", name,
		      text ? text : "", expected);
	cairn_err_at(p->e, "", name);
	free(text);
	return CAIRN_EINVAL;
}

/* Takes `text` (malloc'ed) into the request and returns it. */
const char *search_keep(struct parse *p, char *text)
{
	struct search_request *r = p->r;

	if (!text) {
		return NULL;
	}
	if (r->nowned == r->owned_cap) {
		size_t cap = r->owned_cap ? r->owned_cap * 2 : 16;
		char **grown = realloc(r->owned, cap * sizeof(*grown));

		if (!grown) {
			free(text);
			return NULL;
		}
		r->owned = grown;
		r->owned_cap = cap;
	}
	r->owned[r->nowned++] = text;
	return text;
}

const char *search_keep_json(struct parse *p, json_t *list)
{
	return search_keep(p, json_dumps(list, JSON_COMPACT));
}

int search_add_cond(struct parse *p, const char *name, int field,
		    enum store_search_op op, const char *list, int64_t number,
		    const char *text)
{
	if ((op != SEARCH_GE && op != SEARCH_LE && !list &&
	     field != SEARCH_SEARCHALL) ||
	    (field == SEARCH_SEARCHALL && !text)) {
		return cairn_err_set(p->e, CAIRN_ENOMEM, "out of memory");
	}
	if (store_search_add(&p->r->q, (enum store_search_field)field, op, list,
			     number, text) < 0) {
		cairn_err_set(p->e, CAIRN_ETOOBIG,
			      "too many filter values at '%s': at most %d "
			      "conditions",
			      name, STORE_SEARCH_MAX_CONDS);
		cairn_err_at(p->e, "", name);
		return CAIRN_ETOOBIG;
	}
	return 0;
}

/* ---- scalars ---- */

static bool read_bool(json_t *v, bool *out)
{
	const char *text = json_string_value(v);

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
	} else if (json_is_integer(v) &&
		   (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = json_integer_value(v) == 1;
	} else if (text && (strcmp(text, "0") == 0 || strcmp(text, "1") == 0 ||
			    strcasecmp(text, "true") == 0 ||
			    strcasecmp(text, "false") == 0)) {
		*out = text[0] == '1' || text[0] == 't' || text[0] == 'T';
	} else {
		return false;
	}
	return true;
}

/* Reads a whole number given as a JSON integer or a string of digits. */
static bool read_int(json_t *v, int64_t *out)
{
	const char *text = json_string_value(v);
	char *end;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!text || !*text ||
	    !(isdigit((unsigned char)text[0]) || (text[0] == '-' && text[1]))) {
		return false;
	}
	*out = strtoll(text, &end, 10);
	return *end == '\0';
}

bool search_parse_delta(const char *text, int64_t *seconds)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {
	    {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	size_t digits = text ? strspn(text, "0123456789") : 0;

	if (digits == 0 || digits > 9 || text[digits] == '\0' ||
	    text[digits + 1] != '\0') {
		return false;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (text[digits] == units[i].unit) {
			*seconds = strtoll(text, NULL, 10) * units[i].seconds;
			return true;
		}
	}
	return false;
}

/* Parses "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (or with a T) as UTC.
 * A day the month does not have (2017-02-30) is refused: timegm() would
 * roll it over into the next month. */
static bool read_datetime(const char *text, int64_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(text, "%Y-%m-%d", &tm);
	int mday, mon;

	if (end && (*end == ' ' || *end == 'T')) {
		end = strptime(end + 1, "%H:%M:%S", &tm);
	}
	if (!end || *end) {
		return false;
	}
	mday = tm.tm_mday;
	mon = tm.tm_mon;
	*out = (int64_t)timegm(&tm);
	return tm.tm_mday == mday && tm.tm_mon == mon;
}

/* A point in time: unix seconds, a relative time back from now, or a
 * date and time. */
static bool read_time(struct parse *p, json_t *v, int64_t *out)
{
	const char *text = json_string_value(v);
	int64_t delta;

	if (read_int(v, out)) {
		return *out >= 0;
	}
	if (text && search_parse_delta(text, &delta)) {
		*out = p->now - delta;
		return true;
	}
	return text && read_datetime(text, out);
}

static int add_bound(struct parse *p, const struct filter *f,
		     enum store_search_op op, int64_t n, const char *text)
{
	return search_add_cond(p, f->name, f->field, op, NULL, n, text);
}

/* timestamp, publish_timestamp, event_timestamp: one time (at least) or
 * a [from, to] pair, both inclusive; an empty end is open. */
static int parse_time(struct parse *p, const struct filter *f, json_t *v)
{
	static const char expected[] =
	    "unix seconds, a relative time such as 7d, 12h or 30m, a "
	    "date, or a [from, to] pair of them";
	int64_t t;

	if (json_is_array(v) && json_array_size(v) == 2) {
		json_t *from = json_array_get(v, 0);
		json_t *to = json_array_get(v, 1);
		bool open_from =
		    json_is_null(from) ||
		    (json_is_string(from) && !*json_string_value(from));
		bool open_to = json_is_null(to) ||
			       (json_is_string(to) && !*json_string_value(to));
		int rc = 0;

		if (!open_from && !read_time(p, from, &t)) {
			return search_bad_value(p, f->name, expected, v);
		}
		if (!open_from) {
			rc = add_bound(p, f, SEARCH_GE, t, NULL);
		}
		if (!open_to && !read_time(p, to, &t)) {
			return search_bad_value(p, f->name, expected, v);
		}
		if (rc == 0 && !open_to) {
			rc = add_bound(p, f, SEARCH_LE, t, NULL);
		}
		return rc;
	}
	if (!read_time(p, v, &t)) {
		return search_bad_value(p, f->name, expected, v);
	}
	return add_bound(p, f, SEARCH_GE, t, NULL);
}

static int parse_last(struct parse *p, const struct filter *f, json_t *v)
{
	const char *text = json_string_value(v);
	int64_t delta;

	if (read_int(v, &delta) && delta >= 0) {
		/* A bare number is seconds, as MISP reads it. */
	} else if (!text || !search_parse_delta(text, &delta)) {
		return search_bad_value(
		    p, f->name, "a relative time such as 7d, 12h or 30m", v);
	}
	return add_bound(p, f, SEARCH_GE, p->now - delta, NULL);
}

/* from, to: the event date, as YYYY-MM-DD, unix seconds or a relative
 * time. */
static int parse_date(struct parse *p, const struct filter *f, json_t *v)
{
	const char *text = json_string_value(v);
	struct tm tm;
	time_t t;
	int64_t when;
	char date[16];

	if (text && strlen(text) == 10 && read_datetime(text, &when)) {
		t = (time_t)when;
	} else if (read_time(p, v, &when)) {
		t = (time_t)when;
	} else {
		return search_bad_value(
		    p, f->name,
		    "a date YYYY-MM-DD, unix seconds or a relative "
		    "time such as 7d",
		    v);
	}
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	return add_bound(p, f,
			 f->form == FORM_DATE_FROM ? SEARCH_GE : SEARCH_LE, 0,
			 search_keep(p, strdup(date)));
}

/* first_seen (at least), last_seen (at most): ISO 8601 or unix seconds,
 * compared in the stored form. */
static int parse_seen(struct parse *p, const struct filter *f, json_t *v)
{
	struct buf form = BUF_INIT;
	struct buf iso = BUF_INIT;
	struct cairn_err ignored = CAIRN_ERR_INIT;
	const char *text = json_string_value(v);
	int64_t t;
	int rc;

	if (read_int(v, &t)) {
		time_t tt = (time_t)t;
		struct tm tm;
		char stamp[32];

		gmtime_r(&tt, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		buf_adds(&iso, stamp);
		text = buf_str(&iso);
	}
	rc = text ? normalize_seen(text, &form, NULL, &ignored) : -1;
	buf_release(&iso);
	cairn_err_release(&ignored);
	if (rc < 0) {
		buf_release(&form);
		return search_bad_value(p, f->name,
					"an ISO 8601 time or unix seconds", v);
	}
	return add_bound(p, f,
			 f->form == FORM_SEEN_FROM ? SEARCH_GE : SEARCH_LE, 0,
			 search_keep(p, buf_detach(&form)));
}

/* sightings from and to: unix seconds, a relative time or a date. */
static int parse_time_bound(struct parse *p, const struct filter *f, json_t *v)
{
	int64_t t;

	if (!read_time(p, v, &t)) {
		return search_bad_value(
		    p, f->name, "unix seconds, a relative time or a date", v);
	}
	return add_bound(
	    p, f, f->form == FORM_TIME_FROM ? SEARCH_GE : SEARCH_LE, t, NULL);
}

static int parse_bool_filter(struct parse *p, const struct filter *f, json_t *v)
{
	bool b;
	json_t *list;
	int rc;

	if (!read_bool(v, &b)) {
		return search_bad_value(p, f->name, "true, false, 0 or 1", v);
	}
	if (f->field == SEARCH_TO_IDS) {
		p->r->o.filters_to_ids = true;
	} else if (f->field == SEARCH_PUBLISHED) {
		p->r->o.filters_published = true;
	}
	list = json_pack("[i]", b ? 1 : 0);
	rc = search_add_cond(p, f->name, f->field, SEARCH_IN,
			     search_keep_json(p, list), 0, NULL);
	json_decref(list);
	return rc;
}

static int parse_searchall(struct parse *p, const struct filter *f, json_t *v)
{
	const char *text = json_string_value(v);
	struct buf pattern = BUF_INIT;

	if (json_is_integer(v)) {
		buf_printf(&pattern, "%%%lld%%",
			   (long long)json_integer_value(v));
	} else if (text && strchr(text, '%')) {
		buf_adds(&pattern, text);
	} else if (text) {
		buf_printf(&pattern, "%%%s%%", text);
	} else {
		return search_bad_value(p, f->name, "a string", v);
	}
	if (f->field == SEARCH_VALUE) {
		/* events/index "attribute": a value that contains the text. */
		json_t *list = json_pack("[s]", buf_str(&pattern));
		int rc = search_add_cond(p, f->name, SEARCH_VALUE, SEARCH_LIKE,
					 search_keep_json(p, list), 0, NULL);

		json_decref(list);
		buf_release(&pattern);
		return rc;
	}
	return search_add_cond(p, f->name, SEARCH_SEARCHALL, SEARCH_LIKE, NULL,
			       0, search_keep(p, buf_detach(&pattern)));
}

static int parse_deleted(struct parse *p, const struct filter *f, json_t *v)
{
	const char *text = json_string_value(v);
	bool b;

	if (json_is_array(v)) {
		bool live = false, deleted = false;
		size_t i;
		json_t *item;

		json_array_foreach(v, i, item)
		{
			if (!read_bool(item, &b)) {
				return search_bad_value(
				    p, f->name, "0, 1, [0, 1] or \"both\"", v);
			}
			*(b ? &deleted : &live) = true;
		}
		p->r->q.deleted = live && deleted ? SEARCH_DELETED_BOTH
				  : deleted	  ? SEARCH_DELETED_ONLY
						  : SEARCH_LIVE;
		return 0;
	}
	if (text && strcasecmp(text, "both") == 0) {
		p->r->q.deleted = SEARCH_DELETED_BOTH;
		return 0;
	}
	if (!read_bool(v, &b)) {
		return search_bad_value(p, f->name, "0, 1, [0, 1] or \"both\"",
					v);
	}
	p->r->q.deleted = b ? SEARCH_DELETED_ONLY : SEARCH_LIVE;
	return 0;
}

static int parse_option(struct parse *p, const struct filter *f, json_t *v)
{
	struct search_options *o = &p->r->o;
	bool *flags[] = {
	    [OPT_ENFORCE_WARNINGLIST] = &o->enforce_warninglist,
	    [OPT_INCLUDE_EVENT_TAGS] = &o->include_event_tags,
	    [OPT_INCLUDE_CONTEXT] = &o->include_context,
	    [OPT_INCLUDE_CORRELATIONS] = &o->include_correlations,
	    [OPT_INCLUDE_SIGHTINGS] = &o->include_sightings,
	    [OPT_INCLUDE_WARNINGLIST_HITS] = &o->include_warninglist_hits,
	    [OPT_HEADERLESS] = &o->headerless,
	    [OPT_METADATA] = &o->metadata,
	    [OPT_MINIMAL] = &o->minimal,
	    [OPT_INCLUDE_ATTRIBUTE] = &o->include_attribute,
	    [OPT_INCLUDE_EVENT] = &o->include_event,
	};

	if (!read_bool(v, flags[f->field])) {
		return search_bad_value(p, f->name, "true, false, 0 or 1", v);
	}
	return 0;
}

static int parse_columns(struct parse *p, const struct filter *f, json_t *v)
{
	json_t *list = json_is_array(v) ? v : NULL;
	size_t n = list ? json_array_size(list) : 1;

	free(p->r->columns);
	p->r->columns = calloc(n + 1, sizeof(*p->r->columns));
	if (!p->r->columns) {
		return cairn_err_set(p->e, CAIRN_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		json_t *item = list ? json_array_get(list, i) : v;
		const char *text = json_string_value(item);

		if (!text || !*text) {
			return search_bad_value(
			    p, f->name, "a column name or a list of them", v);
		}
		p->r->columns[i] = search_keep(p, strdup(text));
	}
	p->r->o.columns = p->r->columns;
	p->r->o.ncolumns = n;
	return 0;
}

static int parse_count(struct parse *p, const struct filter *f, json_t *v)
{
	int64_t n;

	if (!read_int(v, &n) || n <= 0) {
		return search_bad_value(p, f->name, "a positive integer", v);
	}
	*(f->form == FORM_LIMIT ? &p->r->q.limit : &p->r->q.page) = n;
	return 0;
}

static int parse_sort(struct parse *p, const struct filter *f, json_t *v)
{
	static const struct {
		const char *name;
		enum store_search_sort sort;
	} sorts[] = {
	    {"id", SEARCH_SORT_ID},
	    {"date", SEARCH_SORT_DATE},
	    {"timestamp", SEARCH_SORT_TIMESTAMP},
	    {"publish_timestamp", SEARCH_SORT_PUBLISH_TIMESTAMP},
	    {"info", SEARCH_SORT_INFO},
	    {"threat_level_id", SEARCH_SORT_THREAT_LEVEL},
	    {"analysis", SEARCH_SORT_ANALYSIS},
	    {"distribution", SEARCH_SORT_DISTRIBUTION},
	    {"attribute_count", SEARCH_SORT_ATTRIBUTE_COUNT},
	    {"orgc_id", SEARCH_SORT_ORGC},
	    {"org", SEARCH_SORT_ORGC},
	    {"published", SEARCH_SORT_PUBLISHED},
	    {"uuid", SEARCH_SORT_UUID},
	};
	const char *text = json_string_value(v);

	for (size_t i = 0; text && i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		if (strcmp(text, sorts[i].name) == 0) {
			p->r->q.sort = sorts[i].sort;
			return 0;
		}
	}
	return search_bad_value(
	    p, f->name,
	    "one of id, date, timestamp, publish_timestamp, info, "
	    "threat_level_id, analysis, distribution, attribute_count, "
	    "org, orgc_id, published, uuid",
	    v);
}

static int parse_direction(struct parse *p, const struct filter *f, json_t *v)
{
	const char *text = json_string_value(v);

	if (text &&
	    (strcasecmp(text, "asc") == 0 || strcasecmp(text, "desc") == 0)) {
		p->r->q.descending = strcasecmp(text, "desc") == 0;
		return 0;
	}
	return search_bad_value(p, f->name, "\"asc\" or \"desc\"", v);
}

static int parse_format(struct parse *p, const struct filter *f, json_t *v)
{
	const char *text = json_string_value(v);

	if (!text || !*text) {
		return search_bad_value(p, f->name, "a format name", v);
	}
	p->r->o.return_format = search_keep(p, strdup(text));
	return 0;
}

static int parse_context(struct parse *p, const struct filter *f, json_t *v)
{
	const char *text = json_string_value(v);

	if (!text || (strcmp(text, "attribute") != 0 &&
		      strcmp(text, "event") != 0 && *text)) {
		return search_bad_value(p, f->name,
					"\"attribute\", \"event\" or \"\"", v);
	}
	p->context = search_keep(p, strdup(text));
	return 0;
}

static int parse_value(struct parse *p, const struct filter *f, json_t *v)
{
	switch (f->form) {
	case FORM_TEXTS:
	case FORM_LIKE:
	case FORM_CONTAINS:
	case FORM_INTS:
	case FORM_ORGS:
	case FORM_VALUES:
	case FORM_TAGS:
		return search_parse_list(p, f, v);
	case FORM_BOOL:
		return parse_bool_filter(p, f, v);
	case FORM_TIME:
		return parse_time(p, f, v);
	case FORM_LAST:
		return parse_last(p, f, v);
	case FORM_DATE_FROM:
	case FORM_DATE_TO:
		return parse_date(p, f, v);
	case FORM_SEEN_FROM:
	case FORM_SEEN_TO:
		return parse_seen(p, f, v);
	case FORM_TIME_FROM:
	case FORM_TIME_TO:
		return parse_time_bound(p, f, v);
	case FORM_SEARCHALL:
		return parse_searchall(p, f, v);
	case FORM_DELETED:
		return parse_deleted(p, f, v);
	case FORM_OPTION:
		return parse_option(p, f, v);
	case FORM_COLUMNS:
		return parse_columns(p, f, v);
	case FORM_FORMAT:
		return parse_format(p, f, v);
	case FORM_LIMIT:
	case FORM_PAGE:
		return parse_count(p, f, v);
	case FORM_SORT:
		return parse_sort(p, f, v);
	case FORM_DIRECTION:
		return parse_direction(p, f, v);
	case FORM_CONTEXT:
		return parse_context(p, f, v);
	case FORM_CONTEXT_ID:
		json_decref(p->context_id);
		p->context_id = json_incref(v);
		return 0;
	}
	return 0;
}

/* Whether a value leaves the filter unset: null, "" or []. */
static bool is_unset(json_t *v)
{
	return json_is_null(v) ||
	       (json_is_string(v) && !*json_string_value(v)) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static void list_known(struct buf *out, enum search_endpoint ep)
{
	for (size_t i = 0; i < NFILTERS; i++) {
		bool repeated = false;

		if (!(filters[i].endpoints & EP(ep))) {
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if ((filters[j].endpoints & EP(ep)) &&
			    strcmp(filters[j].name, filters[i].name) == 0) {
				repeated = true;
			}
		}
		if (!repeated) {
			buf_printf(out, "%s%s", out->len ? ", " : "",
				   filters[i].name);
		}
	}
}

/* Parses one filter `key`: `v`.  "value" is parsed after the others,
 * because its normalisation depends on the type filter. */
static int parse_key(struct parse *p, const char *key, json_t *v,
		     bool values_pass)
{
	char name[64];
	size_t len = strlen(key);
	const struct filter *f;

	/* A named parameter "deleted[]" is the list form of "deleted". */
	if (len > 2 && len < sizeof(name) && strcmp(key + len - 2, "[]") == 0) {
		memcpy(name, key, len - 2);
		name[len - 2] = '\0';
		key = name;
	}
	f = find_filter(p->ep, key);
	if (!f) {
		struct buf known = BUF_INIT;

		list_known(&known, p->ep);
		cairn_err_set(p->e, CAIRN_EINVAL,
			      "unknown filter '%s': this endpoint accepts %s",
			      key, buf_str(&known));
		cairn_err_at(p->e, "", key);
		buf_release(&known);
		return CAIRN_EINVAL;
	}
	if ((f->form == FORM_VALUES) != values_pass || is_unset(v)) {
		return 0;
	}
	return parse_value(p, f, v);
}

/* Applies the sightings context: `id` names an attribute (the default)
 * or, with context "event", an event; an id or a uuid. */
static int apply_context(struct parse *p)
{
	bool event = p->context && strcmp(p->context, "event") == 0;
	json_t *id = p->context_id;
	const char *text = json_string_value(id);
	struct filter f = {"id", 0, FORM_INTS,
			   event ? SEARCH_EVENT_ID : SEARCH_ATTRIBUTE_ID};
	json_t *list;
	int rc;

	if (!id || is_unset(id)) {
		return 0;
	}
	if (text && strchr(text, '-')) {
		f.form = FORM_TEXTS;
		f.field = SEARCH_UUID;
		return search_parse_list(p, &f, id);
	}
	if (!json_is_integer(id) &&
	    !(text && strspn(text, "0123456789") == strlen(text))) {
		return search_bad_value(p, "id", "an id or a uuid", id);
	}
	list = json_pack("[I]", json_is_integer(id)
				    ? (json_int_t)json_integer_value(id)
				    : (json_int_t)strtoll(text, NULL, 10));
	rc = search_add_cond(p, "id", f.field, SEARCH_IN,
			     search_keep_json(p, list), 0, NULL);
	json_decref(list);
	return rc;
}

static int parse_pass(struct parse *p, json_t *body, const struct path *path,
		      bool values_pass)
{
	const char *key;
	json_t *v;
	int rc = 0;

	for (size_t i = 0; rc == 0 && path && i < path->nnamed; i++) {
		const struct path_param *pp = &path->named[i];

		if (json_object_get(body, pp->key)) {
			continue;
		}
		v = json_string(pp->value);
		p->from_path = true;
		rc = v ? parse_key(p, pp->key, v, values_pass)
		       : cairn_err_set(p->e, CAIRN_ENOMEM, "out of memory");
		p->from_path = false;
		json_decref(v);
	}
	json_object_foreach(body, key, v)
	{
		if (rc == 0) {
			rc = parse_key(p, key, v, values_pass);
		}
	}
	return rc;
}

int search_request_parse(struct search_request *r, enum search_endpoint ep,
			 json_t *body, const struct path *path, struct store *s,
			 int64_t now, struct cairn_err *e)
{
	struct parse p = {r, ep, s, now, e, NULL, NULL, false};
	int rc;

	memset(r, 0, sizeof(*r));
	r->o.return_format = "json";
	if (body && !json_is_object(body)) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid request body: expected a JSON "
				     "object of filters");
	}
	/* MISP's bodies may wrap the filters in {"request": {...}}. */
	if (json_is_object(json_object_get(body, "request")) &&
	    json_object_size(body) == 1) {
		body = json_object_get(body, "request");
	}
	rc = parse_pass(&p, body, path, false);
	if (rc == 0) {
		rc = parse_pass(&p, body, path, true);
	}
	if (rc == 0 && ep == SEARCH_EP_SIGHTINGS) {
		rc = apply_context(&p);
	}
	json_decref(p.context_id);
	return rc;
}

void search_request_release(struct search_request *r)
{
	for (size_t i = 0; i < r->nowned; i++) {
		free(r->owned[i]);
	}
	free(r->owned);
	free(r->columns);
	json_decref(r->types);
	memset(r, 0, sizeof(*r));
}
