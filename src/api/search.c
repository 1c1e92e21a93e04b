/*
 * The search endpoints: attributes, events, objects and sightings
 * restSearch, events/index and attributes/index.
 *
 * A handler parses the filters (api/search_request.c), checks the return
 * format, and hands a struct search_stream to the HTTP server, which
 * pulls the body from it with chunked transfer after the handler has
 * returned.  The stream owns a store connection of its own
 * (store_pool_get_stream()), a copy of the viewer and the parsed
 * request, so nothing of the request context outlives the handler.  The
 * first piece of output is produced before the handler returns, so that
 * a failure to open the search is still an ordinary error response.
 */
#include "api/api.h"
#include "api/library.h"
#include "api/search.h"
#include "core/log.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Bytes produced ahead of the client before the producer pauses. */
#define STREAM_CHUNK 16384

struct search_stream {
	struct store_pool *pool;
	struct store *store;
	struct store_viewer viewer;
	struct search_request req;
	struct search_output *output;
	struct buf pending;
	size_t sent; /* bytes of `pending` already sent */
	bool done;
	int64_t user_id;
};

int search_prepare(struct search_request *r, enum search_endpoint ep,
		   struct warninglist_set *warninglists,
		   struct search_output_config *cfg, struct cairn_err *e)
{
	static const enum search_shape shapes[] = {
	    [SEARCH_EP_ATTRIBUTES] = SHAPE_ATTRIBUTES,
	    [SEARCH_EP_EVENTS] = SHAPE_EVENTS,
	    [SEARCH_EP_OBJECTS] = SHAPE_OBJECTS,
	    [SEARCH_EP_SIGHTINGS] = SHAPE_SIGHTINGS,
	    [SEARCH_EP_EVENT_INDEX] = SHAPE_EVENT_INDEX,
	    [SEARCH_EP_ATTRIBUTE_INDEX] = SHAPE_ATTRIBUTE_INDEX,
	};
	const struct search_options *o = &r->o;

	memset(cfg, 0, sizeof(*cfg));
	cfg->shape = shapes[ep];
	cfg->q = &r->q;
	if (strcasecmp(o->return_format, "json") != 0) {
		struct buf names = BUF_INIT;

		cfg->format = export_format_find(o->return_format);
		if (!cfg->format || ep == SEARCH_EP_SIGHTINGS ||
		    ep == SEARCH_EP_OBJECTS) {
			export_format_names(&names);
			cairn_err_set(e, CAIRN_EINVAL,
				      "invalid filter 'returnFormat' value "
				      "\"%s\": expected json%s%s",
				      o->return_format,
				      names.len && ep != SEARCH_EP_SIGHTINGS &&
					      ep != SEARCH_EP_OBJECTS
					  ? ", "
					  : "",
				      ep != SEARCH_EP_SIGHTINGS &&
					      ep != SEARCH_EP_OBJECTS
					  ? buf_str(&names)
					  : "");
			cairn_err_at(e, "", "returnFormat");
			buf_release(&names);
			return CAIRN_EINVAL;
		}
	}
	/* Text and rule formats export only what a sensor should act on,
	 * unless the request filters on those itself, as MISP does. */
	if (cfg->format && cfg->format->ids_published_default) {
		if (!o->filters_to_ids &&
		    store_search_add(&r->q, SEARCH_TO_IDS, SEARCH_IN, "[1]", 0,
				     NULL) < 0) {
			return CAIRN_ETOOBIG;
		}
		if (!o->filters_published &&
		    store_search_add(&r->q, SEARCH_PUBLISHED, SEARCH_IN, "[1]",
				     0, NULL) < 0) {
			return CAIRN_ETOOBIG;
		}
	}
	cfg->export.headerless = o->headerless;
	cfg->export.columns = o->columns;
	cfg->export.ncolumns = o->ncolumns;
	cfg->export.now = time_now();
	cfg->warninglists = warninglists;
	cfg->enforce_warninglist = o->enforce_warninglist;
	cfg->include_warninglist_hits = o->include_warninglist_hits;
	cfg->include_event_tags = o->include_event_tags;
	cfg->include_context = o->include_context;
	cfg->include_correlations = o->include_correlations;
	cfg->include_sightings = o->include_sightings;
	cfg->metadata = o->metadata;
	cfg->minimal = o->minimal;
	cfg->include_attribute = o->include_attribute;
	cfg->include_event = o->include_event;
	return 0;
}

static enum store_search_kind count_kind(enum search_shape shape,
					 bool formatted)
{
	if (formatted) {
		return SEARCH_ATTRIBUTES;
	}
	switch (shape) {
	case SHAPE_EVENTS:
	case SHAPE_EVENT_INDEX:
		return SEARCH_EVENTS;
	case SHAPE_OBJECTS:
		return SEARCH_OBJECTS;
	case SHAPE_SIGHTINGS:
		return SEARCH_SIGHTINGS;
	default:
		return SEARCH_ATTRIBUTES;
	}
}

/* Produces output into `pending` until it contains `want` bytes or the
 * output ends.  Returns 0, or a negative code after logging it. */
static int produce(struct search_stream *st, size_t want)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int rc = 1;

	while (!st->done && st->pending.len - st->sent < want) {
		rc = search_output_next(st->output, &st->pending, &e);
		if (rc <= 0) {
			st->done = true;
		}
	}
	if (rc < 0) {
		log_error("search: output for user %lld failed after %lld "
			  "rows: %s",
			  (long long)st->user_id,
			  (long long)search_output_rows(st->output),
			  buf_str(&e.message));
	}
	cairn_err_release(&e);
	return rc < 0 ? rc : 0;
}

static ssize_t stream_read(void *ctx, char *out, size_t max)
{
	struct search_stream *st = ctx;
	size_t n;

	if (st->sent == st->pending.len) {
		buf_clear(&st->pending);
		st->sent = 0;
		if (produce(st, max < STREAM_CHUNK ? max : STREAM_CHUNK) < 0) {
			return -1;
		}
	}
	n = st->pending.len - st->sent;
	if (n == 0) {
		/* The output ended, maybe before any byte, and then `pending`
		 * has no data to copy from. */
		return 0;
	}
	if (n > max) {
		n = max;
	}
	memcpy(out, st->pending.data + st->sent, n);
	st->sent += n;
	return (ssize_t)n;
}

static void stream_free(void *ctx)
{
	struct search_stream *st = ctx;

	search_output_close(st->output);
	if (st->store) {
		store_pool_put_stream(st->pool, st->store);
	}
	store_viewer_release(&st->viewer);
	search_request_release(&st->req);
	buf_release(&st->pending);
	free(st);
}

/* Sets X-Result-Count to the number of rows the filters select without
 * the page, when the request names a page size. */
static int add_count(struct api_ctx *c, struct search_stream *st,
		     const struct search_output_config *cfg)
{
	char text[24];
	int64_t count;
	int rc;

	if (st->req.q.limit <= 0) {
		return 0;
	}
	rc = store_search_count(st->store, &st->viewer,
				count_kind(cfg->shape, cfg->format != NULL),
				&st->req.q, &count);
	if (rc < 0) {
		return rc;
	}
	snprintf(text, sizeof(text), "%lld", (long long)count);
	return http_response_header(c->rs, "X-Result-Count", text);
}

/* Opens the stream's connection and output and produces its first
 * piece, or sends the error. */
static int start_stream(struct api_ctx *c, struct search_stream *st,
			struct search_output_config *cfg)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int rc = store_pool_get_stream(c->app->pool, &st->store, &e);

	if (rc == 0) {
		cfg->store = st->store;
		cfg->viewer = &st->viewer;
		cfg->export.base_url = NULL;
		rc = add_count(c, st, cfg);
		if (rc < 0) {
			store_error(st->store, &e);
		}
	}
	if (rc == 0) {
		rc = search_output_open(&st->output, cfg);
	}
	if (rc == 0) {
		rc = produce(st, 1);
	}
	if (rc < 0) {
		api_error(c, 500,
			  e.code ? buf_str(&e.message)
				 : "writing the search result failed",
			  NULL);
	}
	cairn_err_release(&e);
	return rc;
}

static int search_endpoint(struct api_ctx *c, enum search_endpoint ep)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_output_config cfg;
	struct search_stream *st = calloc(1, sizeof(*st));
	int rc;

	if (!st) {
		return api_error(c, 500, "out of memory", NULL);
	}
	st->pool = c->app->pool;
	st->user_id = c->rs->user_id;
	rc = search_request_parse(&st->req, ep, c->body, &c->path, c->store,
				  time_now(), &e);
	if (rc == 0) {
		rc = search_prepare(
		    &st->req, ep,
		    c->app->library ? c->app->library->warninglists : NULL,
		    &cfg, &e);
	}
	if (rc < 0) {
		api_error_rc(c, rc, &e);
		cairn_err_release(&e);
		stream_free(st);
		return 0;
	}
	cairn_err_release(&e);
	/* The stream takes the viewer; the context's copy is left empty. */
	st->viewer = c->viewer;
	c->viewer = (struct store_viewer)STORE_VIEWER_INIT;
	if (start_stream(c, st, &cfg) < 0) {
		stream_free(st);
		return 0;
	}
	c->rs->content_type =
	    cfg.format ? cfg.format->content_type : "application/json";
	c->rs->stream = stream_read;
	c->rs->stream_ctx = st;
	c->rs->stream_free = stream_free;
	return 0;
}

int api_attribute_search(struct api_ctx *c)
{
	return search_endpoint(c, SEARCH_EP_ATTRIBUTES);
}

int api_event_search(struct api_ctx *c)
{
	return search_endpoint(c, SEARCH_EP_EVENTS);
}

int api_object_search(struct api_ctx *c)
{
	return search_endpoint(c, SEARCH_EP_OBJECTS);
}

int api_sighting_search(struct api_ctx *c)
{
	return search_endpoint(c, SEARCH_EP_SIGHTINGS);
}

int api_event_index(struct api_ctx *c)
{
	return search_endpoint(c, SEARCH_EP_EVENT_INDEX);
}

int api_attribute_index(struct api_ctx *c)
{
	return search_endpoint(c, SEARCH_EP_ATTRIBUTE_INDEX);
}
