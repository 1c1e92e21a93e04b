/*
 * attributes/restSearch and events/restSearch.
 *
 * The filters of the body and of the path's named parameters are read
 * through one table, `search_filters`, into a struct store_search, which
 * the store turns into SQL together with the visibility conditions
 * (store/store.h).  A filter not in the table is
 * rejected with a 400 that names it, so that a client never receives
 * unfiltered results for a filter Cairn does not know yet.
 */
#include "api/api.h"
#include "export/event_json.h"
#include "export/search_json.h"

#include <stdlib.h>
#include <string.h>

/* Parsed filters; the list filters own their JSON array texts. */
struct search_request {
	struct store_search q;
	char *lists[4];
};

enum filter_parse { PARSE_TEXTS, PARSE_IDS, PARSE_BOOL, PARSE_COUNT,
		    PARSE_FORMAT };

struct search_filter {
	const char *name;
	enum filter_parse parse;
	int slot; /* index of the list (texts, ids) or of the count */
};

enum { LIST_VALUE, LIST_TYPE, LIST_UUID, LIST_EVENT_ID };
enum { COUNT_LIMIT, COUNT_PAGE };

static const struct search_filter search_filters[] = {
	{"value", PARSE_TEXTS, LIST_VALUE},
	{"type", PARSE_TEXTS, LIST_TYPE},
	{"uuid", PARSE_TEXTS, LIST_UUID},
	{"eventid", PARSE_IDS, LIST_EVENT_ID},
	{"published", PARSE_BOOL, 0},
	{"limit", PARSE_COUNT, COUNT_LIMIT},
	{"page", PARSE_COUNT, COUNT_PAGE},
	{"returnFormat", PARSE_FORMAT, 0},
};

#define NSEARCH_FILTERS (sizeof(search_filters) / sizeof(search_filters[0]))

static const struct search_filter *find_filter(const char *name)
{
	for (size_t i = 0; i < NSEARCH_FILTERS; i++) {
		if (strcmp(search_filters[i].name, name) == 0) {
			return &search_filters[i];
		}
	}
	return NULL;
}

static int bad_filter(struct cairn_err *e, const char *name,
		      const char *expected)
{
	cairn_err_set(e, CAIRN_EINVAL, "invalid filter '%s': expected %s",
		      name, expected);
	cairn_err_at(e, "", name);
	return CAIRN_EINVAL;
}

/* Reads a positive integer given as a JSON number or a string of digits. */
static bool read_count(json_t *v, int64_t *out)
{
	const char *text = json_string_value(v);
	char *end;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
	} else if (text && *text) {
		*out = strtoll(text, &end, 10);
		if (*end) {
			return false;
		}
	} else {
		return false;
	}
	return *out > 0;
}

/* Turns a string, a number (for ids) or an array of them into a JSON
 * array text: strings for PARSE_TEXTS, integers for PARSE_IDS. */
static int parse_list(const struct search_filter *f, json_t *v, char **out,
		      struct cairn_err *e)
{
	json_t *list = json_array();
	json_t *items = json_is_array(v) ? v : NULL;
	size_t n = items ? json_array_size(items) : 1;

	for (size_t i = 0; i < n; i++) {
		json_t *item = items ? json_array_get(items, i) : v;
		int64_t id;

		if (f->parse == PARSE_IDS && read_count(item, &id)) {
			json_array_append_new(list, json_integer(id));
		} else if (f->parse == PARSE_TEXTS && json_is_string(item)) {
			json_array_append(list, item);
		} else {
			json_decref(list);
			return bad_filter(e, f->name,
					  f->parse == PARSE_IDS
						  ? "an event id or a list of "
						    "them"
						  : "a string or a list of "
						    "strings");
		}
	}
	if (n == 0) {
		json_decref(list);
		return bad_filter(e, f->name, "a non-empty list");
	}
	*out = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	return *out ? 0 : CAIRN_ENOMEM;
}

static int parse_bool(const struct search_filter *f, json_t *v, int *out,
		      struct cairn_err *e)
{
	const char *text = json_string_value(v);

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
	} else if (json_is_integer(v) && (json_integer_value(v) == 0 ||
					   json_integer_value(v) == 1)) {
		*out = (int)json_integer_value(v);
	} else if (text && (strcmp(text, "0") == 0 || strcmp(text, "1") == 0 ||
			    strcmp(text, "true") == 0 ||
			    strcmp(text, "false") == 0)) {
		*out = text[0] == '1' || text[0] == 't';
	} else {
		return bad_filter(e, f->name, "true, false, 0 or 1");
	}
	return 0;
}

static int parse_filter(struct search_request *r, const struct search_filter *f,
			json_t *v, struct cairn_err *e)
{
	const char *text = json_string_value(v);
	int64_t *counts[] = {&r->q.limit, &r->q.page};

	switch (f->parse) {
	case PARSE_TEXTS:
	case PARSE_IDS:
		return parse_list(f, v, &r->lists[f->slot], e);
	case PARSE_BOOL:
		return parse_bool(f, v, &r->q.published, e);
	case PARSE_COUNT:
		return read_count(v, counts[f->slot])
			       ? 0
			       : bad_filter(e, f->name, "a positive integer");
	case PARSE_FORMAT:
		/* TODO: the other return formats, with the export writers. */
		return text && strcmp(text, "json") == 0
			       ? 0
			       : bad_filter(e, f->name,
					    "\"json\", the only format this "
					    "version exports");
	}
	return 0;
}

static void request_release(struct search_request *r)
{
	for (size_t i = 0; i < sizeof(r->lists) / sizeof(r->lists[0]); i++) {
		free(r->lists[i]);
	}
}

/* Parses one filter given as `key`: `v`, from the body or from a named
 * parameter of the path. */
static int parse_key(struct search_request *r, const char *key, json_t *v,
		     struct cairn_err *e)
{
	const struct search_filter *f = find_filter(key);

	if (!f) {
		cairn_err_set(e, CAIRN_EINVAL,
			      "unknown filter '%s': this version supports "
			      "value, type, uuid, eventid, published, limit, "
			      "page and returnFormat",
			      key);
		cairn_err_at(e, "", key);
		return CAIRN_EINVAL;
	}
	return json_is_null(v) ? 0 : parse_filter(r, f, v, e);
}

/* Reads the filters of the body and of the path's named parameters
 * (/attributes/restSearch/type:ip-dst) into `r`.  A body filter wins over
 * a named parameter of the same key.  Returns 0 or CAIRN_EINVAL with the
 * detail in `e`. */
static int parse_request(struct api_ctx *c, struct search_request *r,
			 struct cairn_err *e)
{
	json_t *body = api_body_object(c, "request");
	const char *key;
	json_t *v;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->q = (struct store_search)STORE_SEARCH_INIT;
	if (c->body && !json_is_object(c->body)) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid request body: expected a JSON "
				     "object of filters");
	}
	for (size_t i = 0; rc == 0 && i < c->path.nnamed; i++) {
		const struct path_param *p = &c->path.named[i];

		if (json_object_get(body, p->key)) {
			continue;
		}
		v = json_string(p->value);
		rc = v ? parse_key(r, p->key, v, e) : CAIRN_ENOMEM;
		json_decref(v);
	}
	json_object_foreach(body, key, v) {
		if (rc == 0) {
			rc = parse_key(r, key, v, e);
		}
	}
	if (rc < 0) {
		return rc;
	}
	r->q.values = r->lists[LIST_VALUE];
	r->q.types = r->lists[LIST_TYPE];
	r->q.uuids = r->lists[LIST_UUID];
	r->q.event_ids = r->lists[LIST_EVENT_ID];
	return 0;
}

int api_attribute_search(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;
	struct store_cursor *cur = NULL;
	int rc = parse_request(c, &r, &e);

	if (rc == 0) {
		rc = store_search_attributes(c->store, &c->viewer, &r.q, &cur);
	}
	if (rc == 0) {
		rc = search_json_attributes(c->store, &c->viewer, cur, c->gen);
		if (rc < 0) {
			api_error(c, 500, "writing the search result failed",
				  NULL);
		}
	} else {
		api_error_rc(c, rc, &e);
	}
	store_cursor_close(cur);
	request_release(&r);
	cairn_err_release(&e);
	return 0;
}

static int write_found_event(void *ctx, int64_t event_id)
{
	struct api_ctx *c = ctx;

	return event_json_write(c->store, &c->viewer, event_id, 0, c->gen);
}

int api_event_search(struct api_ctx *c)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;
	int rc = parse_request(c, &r, &e);

	if (rc < 0) {
		api_error_rc(c, rc, &e);
	} else if (yajl_gen_map_open(c->gen) != yajl_gen_status_ok ||
		   yajl_gen_string(c->gen, (const unsigned char *)"response",
				   8) != yajl_gen_status_ok ||
		   yajl_gen_array_open(c->gen) != yajl_gen_status_ok ||
		   store_search_events(c->store, &c->viewer, &r.q,
				       write_found_event, c) < 0 ||
		   yajl_gen_array_close(c->gen) != yajl_gen_status_ok ||
		   yajl_gen_map_close(c->gen) != yajl_gen_status_ok) {
		api_error(c, 500, "writing the search result failed", NULL);
	}
	request_release(&r);
	cairn_err_release(&e);
	return 0;
}
