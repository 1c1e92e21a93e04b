/*
 * The dashboard's widget endpoints: GET /dashboard/NAME, one per widget,
 * each answering {"widget": NAME, "rows": [...]} from one aggregate query
 * of store/dashboard.h, counted over what the user may read.
 *
 * Query arguments, all optional: from and to (event dates, YYYY-MM-DD),
 * bucket (year, month or day, for the timeline) and limit (1 to 100
 * rows for the top-N widgets, default 10).
 */
#include "api/api.h"
#include "api/library.h"
#include "store/dashboard.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	if (strlen(s) != sizeof(shape) - 1) {
		return false;
	}
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i])
				    : s[i] != shape[i]) {
			return false;
		}
	}
	return true;
}

/* Reads the query arguments; sends the error and returns -1 on a bad
 * one. */
static int read_params(struct api_ctx *c, struct store_dash_params *p)
{
	static const struct {
		const char *name;
		int len;
	} buckets[] = {{"year", 4}, {"month", 7}, {"day", 10}};
	const char *bucket = http_query(c->http, "bucket");
	const char *limit = http_query(c->http, "limit");
	char *end;

	p->from = http_query(c->http, "from");
	p->to = http_query(c->http, "to");
	if ((p->from && *p->from && !is_date(p->from)) ||
	    (p->to && *p->to && !is_date(p->to))) {
		api_error(c, 400,
			  "from and to must be dates of the form YYYY-MM-DD.",
			  NULL);
		return -1;
	}
	p->from = p->from && *p->from ? p->from : NULL;
	p->to = p->to && *p->to ? p->to : NULL;
	p->bucket_len = 7;
	if (bucket && *bucket) {
		p->bucket_len = 0;
		for (size_t i = 0; i < sizeof(buckets) / sizeof(buckets[0]);
		     i++) {
			if (strcmp(bucket, buckets[i].name) == 0) {
				p->bucket_len = buckets[i].len;
			}
		}
		if (!p->bucket_len) {
			api_error(c, 400,
				  "bucket must be year, month or day.", NULL);
			return -1;
		}
	}
	p->limit = 10;
	if (limit && *limit) {
		p->limit = strtoll(limit, &end, 10);
		if (*end || p->limit < 1 || p->limit > 100) {
			api_error(c, 400,
				  "limit must be a whole number from 1 to "
				  "100.",
				  NULL);
			return -1;
		}
	}
	return 0;
}

struct rows {
	json_t *rows;
	struct api_ctx *c;
	bool attack; /* the attack-pattern widget: add each row's tactics */
};

static bool is_technique_id(const char *s)
{
	return s && s[0] == 'T' && isdigit((unsigned char)s[1]);
}

/* The ATT&CK technique id of an attack pattern ("T1566", "T1566.001"):
 * the entry of meta.external_id (a string or a list) shaped like one,
 * else the id that ends the cluster's name ("Phishing - T1566").  Many
 * of MISP's mitre-attack-pattern clusters list a CAPEC id first, and
 * the copies stored with older events list only that.  Without either,
 * the first entry.  Borrowed from ext or name, or NULL. */
static const char *technique_id(json_t *ext, const char *name)
{
	const char *last = name ? strrchr(name, ' ') : NULL;
	size_t i;
	json_t *v;

	if (is_technique_id(json_string_value(ext))) {
		return json_string_value(ext);
	}
	json_array_foreach(ext, i, v)
	{
		if (is_technique_id(json_string_value(v))) {
			return json_string_value(v);
		}
	}
	if (last && is_technique_id(last + 1)) {
		return last + 1;
	}
	return json_is_string(ext) ? json_string_value(ext)
				   : json_string_value(json_array_get(ext, 0));
}

/* Appends the tactics of a cluster's meta.kill_chain ("mitre-attack:
 * initial-access" and the like) to the row, as tactic names, and its
 * technique id as external_id. */
static void add_tactics(json_t *row, json_t *meta)
{
	json_t *chain = json_object_get(meta, "kill_chain");
	json_t *tactics = json_array();
	const char *id =
	    technique_id(json_object_get(meta, "external_id"),
			 json_string_value(json_object_get(row, "name")));
	size_t i;
	json_t *v;

	json_array_foreach(chain, i, v)
	{
		const char *s = json_string_value(v);
		const char *colon = s ? strrchr(s, ':') : NULL;

		if (colon && colon[1]) {
			json_array_append_new(tactics, json_string(colon + 1));
		}
	}
	json_object_set_new(row, "tactics", tactics);
	if (id) {
		json_object_set_new(row, "external_id", json_string(id));
	}
}

/* The cluster's meta: from the loaded galaxies when they hold it, else
 * from the copy stored with the event.  New reference or NULL. */
static json_t *cluster_meta(struct api_ctx *c, const char *uuid,
			    const char *stored)
{
	const struct galaxy_set *set =
		c->app->library ? c->app->library->galaxies : NULL;
	const struct galaxy_cluster *gc =
		set && uuid ? galaxy_cluster_by_uuid(set, uuid) : NULL;
	json_t *doc, *meta;

	if (gc) {
		doc = galaxy_cluster_json(set, gc, GALAXY_PART_META);
	} else {
		doc = stored ? json_loads(stored, 0, NULL) : NULL;
	}
	meta = json_incref(json_object_get(doc, "meta"));
	json_decref(doc);
	return meta;
}

static int add_row(void *ctx, const struct store_dash_cell *cells, int n)
{
	struct rows *r = ctx;
	json_t *row = json_object();
	const char *uuid = NULL, *stored = NULL;

	for (int i = 0; row && i < n; i++) {
		json_t *v = cells[i].is_int ? json_integer(cells[i].num)
			    : cells[i].text ? json_string(cells[i].text)
					    : json_null();

		if (r->attack && strcmp(cells[i].name, "cluster") == 0) {
			stored = cells[i].text;
			json_decref(v);
			continue;
		}
		if (r->attack && strcmp(cells[i].name, "uuid") == 0) {
			uuid = cells[i].text;
		}
		json_object_set_new(row, cells[i].name, v ? v : json_null());
	}
	if (!row) {
		return CAIRN_ENOMEM;
	}
	if (r->attack) {
		json_t *meta = cluster_meta(r->c, uuid, stored);

		add_tactics(row, meta);
		json_decref(meta);
	}
	return json_array_append_new(r->rows, row) < 0 ? CAIRN_ENOMEM : 0;
}

static int widget(struct api_ctx *c, enum store_dash_widget w,
		  const char *name)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct store_dash_params p;
	struct rows r = {json_array(), c, w == DASH_ATTACK_PATTERNS};
	int rc;

	if (read_params(c, &p) < 0) {
		json_decref(r.rows);
		return 0;
	}
	rc = store_dashboard(c->store, &c->viewer, w, &p, add_row, &r, &e);
	if (rc < 0) {
		json_decref(r.rows);
		api_error_rc(c, rc, &e);
		cairn_err_release(&e);
		return 0;
	}
	return api_send_json(c, json_pack("{s:s, s:o}", "widget", name, "rows",
					  r.rows));
}

#define WIDGET(fn, id, name)                                                   \
	int fn(struct api_ctx *c)                                              \
	{                                                                      \
		return widget(c, id, name);                                    \
	}

WIDGET(api_dash_totals, DASH_TOTALS, "totals")
WIDGET(api_dash_timeline, DASH_TIMELINE, "timeline")
WIDGET(api_dash_attribute_types, DASH_ATTRIBUTE_TYPES, "attribute_types")
WIDGET(api_dash_attribute_categories, DASH_ATTRIBUTE_CATEGORIES,
       "attribute_categories")
WIDGET(api_dash_threat_levels, DASH_THREAT_LEVELS, "threat_levels")
WIDGET(api_dash_analysis, DASH_ANALYSIS, "analysis")
WIDGET(api_dash_top_tags, DASH_TOP_TAGS, "top_tags")
WIDGET(api_dash_top_taxonomies, DASH_TOP_TAXONOMIES, "top_taxonomies")
WIDGET(api_dash_top_orgs, DASH_TOP_ORGS, "top_orgs")
WIDGET(api_dash_correlated_values, DASH_CORRELATED_VALUES,
       "correlated_values")
WIDGET(api_dash_recent_sightings, DASH_RECENT_SIGHTINGS, "recent_sightings")
WIDGET(api_dash_attack_patterns, DASH_ATTACK_PATTERNS, "attack_patterns")
WIDGET(api_dash_latest_events, DASH_LATEST_EVENTS, "latest_events")
