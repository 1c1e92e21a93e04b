/*
 * Streaming reader of MISP JSON documents.
 *
 * Accepts the shapes MISP and its feeds produce: {"Event": {...}}, a bare
 * event object, {"response": [...]} with wrapped or bare events, and a
 * top-level array of events.  The reader builds a jansson tree of each
 * event's header (every key except its attribute and object lists) and
 * hands over each element of the event's "Attribute" and "Object" arrays
 * as soon as it is complete, then frees it, so that memory stays bounded
 * by the largest single attribute or object rather than by the event.
 *
 * Parsing is strict JSON: no comments, no trailing commas, valid UTF-8.
 */
#ifndef CAIRN_MISP_READER_H
#define CAIRN_MISP_READER_H

#include "core/buf.h"
#include "core/err.h"

#include <jansson.h>
#include <stddef.h>

struct misp_reader;

enum misp_element { MISP_ATTRIBUTE, MISP_OBJECT };

struct misp_reader_callbacks {
	/* An element of an event's Attribute or Object array.  `header` is
	 * the event's header as read so far (keys after the array are not
	 * in it yet).  The reader frees `element` after the call. */
	int (*element)(void *ctx, enum misp_element kind, json_t *header,
		       json_t *element);
	/* The end of an event; `header` now has every key but the two
	 * streamed arrays.  The reader frees it after the call. */
	int (*event_end)(void *ctx, json_t *header);
};

/* A callback returning a negative code stops the parse with that code. */
struct misp_reader *misp_reader_new(const struct misp_reader_callbacks *cb,
				    void *ctx);
void misp_reader_free(struct misp_reader *r);

/* Feeds the next `len` bytes of the document.  Returns 0, a callback's
 * negative code, or CAIRN_EINVAL for malformed JSON or an unexpected
 * shape, with the JSON pointer and the reason in `e`. */
int misp_reader_feed(struct misp_reader *r, const char *data, size_t len,
		     struct cairn_err *e);

/* Ends the document; CAIRN_EINVAL when it was truncated or held no event. */
int misp_reader_finish(struct misp_reader *r, struct cairn_err *e);

/* Writes the JSON pointer of the value being parsed into `out`. */
void misp_reader_pointer(const struct misp_reader *r, struct buf *out);

/* Returns the number of events read so far. */
size_t misp_reader_events(const struct misp_reader *r);

#endif
