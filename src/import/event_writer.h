/*
 * Writes one MISP event, and everything inside it, to the store in one
 * transaction.
 *
 * The writer is fed the way misp_reader produces an event: each element of
 * the Attribute and Object arrays, then the event header.  It opens the
 * transaction at the first element whose header already names the event's
 * uuid (elements that come before are kept until it can), and commits at
 * the end.  Any error rolls the whole event back.
 *
 * Modes:
 *  - import: an event is identified by its uuid; a stored copy is replaced
 *    only when the incoming timestamp is newer, else left unchanged;
 *  - add: a new event; an existing uuid is an error;
 *  - edit: merges into a given event: attributes and objects are matched
 *    by uuid and updated or added, tags are added, the timestamp moves to
 *    now unless given, and the event is unpublished unless the input sets
 *    published.
 */
#ifndef CAIRN_EVENT_WRITER_H
#define CAIRN_EVENT_WRITER_H

#include "core/err.h"
#include "import/misp_reader.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum event_write_mode { WRITE_IMPORT, WRITE_ADD, WRITE_EDIT };

struct taxonomy_set;
struct galaxy_set;
struct object_template_set;

/* The reference sets that a write checks against (see
 * import/library_checks.h); any of them may be NULL. */
struct event_library {
	const struct taxonomy_set *taxonomies;
	const struct galaxy_set *galaxies;
	const struct object_template_set *templates;
};

enum event_write_result {
	EVENT_ADDED,
	EVENT_UPDATED,
	EVENT_UNCHANGED,
};

struct event_writer_options {
	enum event_write_mode mode;
	int64_t org_id;         /* organisation that owns the written event */
	int64_t user_id;        /* acting user; 0 for the CLI */
	const char *user_email; /* event_creator_email for new events */
	/* Taxonomy, galaxy and template checks; NULL for none, as in
	 * `cairn import`, which takes feeds as MISP's feed import does. */
	const struct event_library *library;
	int64_t event_id;       /* the event to edit, for WRITE_EDIT */
	/* For a user without perm_sync, as MISP's events/add and edit: the
	 * creator organisation is the writer's own on an add and stays as
	 * stored on an edit, whatever Orgc or orgc_id the body names. */
	bool own_orgc;
	/* For a user who may not publish the event: it is written
	 * unpublished, whatever "published" the body holds. */
	bool no_publish;
	/* The caller has opened a transaction around several events and rolls it
	 * back itself when one fails; the writer then neither commits nor
	 * rolls back. */
	bool caller_transaction;
};

struct event_writer;

struct event_writer *event_writer_new(struct store *s,
				      const struct event_writer_options *o);

/* Frees the writer, rolling back an event still open. */
void event_writer_free(struct event_writer *w);

/* Writes one Attribute or Object element; `pointer` locates it in the
 * input for error messages. */
int event_writer_element(struct event_writer *w, enum misp_element kind,
			 json_t *header, json_t *element, const char *pointer,
			 struct cairn_err *e);

/* Finishes the event whose complete header is `header` (at `pointer`) and
 * commits.  Sets *result and *event_id.  After it returns, the writer is
 * ready for the next event. */
int event_writer_end(struct event_writer *w, json_t *header,
		     const char *pointer, enum event_write_result *result,
		     int64_t *event_id, struct cairn_err *e);

/* Rolls back the event in progress, if any, and readies the writer for the
 * next one. */
void event_writer_abort(struct event_writer *w);

/* Attributes and objects written, counted over every event the writer
 * has been fed (including events rolled back later). */
int64_t event_writer_attributes(const struct event_writer *w);
int64_t event_writer_objects(const struct event_writer *w);

/* Attribute values that normalisation rewrote, counted the same way. */
int64_t event_writer_normalised(const struct event_writer *w);

/* Attributes left out of their events, counted the same way.  Add mode
 * leaves out attributes with an invalid type, category or value, and
 * import mode those whose value, first_seen or last_seen failed
 * normalisation.  Any other invalid element, a field of the wrong JSON
 * type, and any invalid attribute in edit mode still fail the event.
 * Entry `i` is a borrowed {"pointer", "field", "message"} object, or NULL
 * past the end. */
size_t event_writer_skipped_count(const struct event_writer *w);
json_t *event_writer_skipped(const struct event_writer *w, size_t i);

/* Writes a whole event held as a tree, with its arrays in place.
 * `event` is the bare event object. */
int event_write_tree(struct store *s, const struct event_writer_options *o,
		     json_t *event, enum event_write_result *result,
		     int64_t *event_id, struct cairn_err *e);

/* Writes one attribute (with its tags, clusters, sightings and proposals)
 * into an event, outside or inside an object (object_id 0 for outside),
 * inside the caller's transaction.  Sets *attribute_id. */
int event_write_attribute(struct store *s, const struct event_library *lib,
			  int64_t org_id, int64_t event_id,
			  const char *event_uuid, int64_t object_id,
			  json_t *attr, const char *pointer,
			  int64_t *attribute_id, struct cairn_err *e);

/* Checks a partial attribute against the stored one (id), filling in the
 * stored type, category or value where the change needs them to be
 * checked together. */
int event_validate_attribute_change(struct store *s, struct record *rec,
				    int64_t id, const char *pointer,
				    struct cairn_err *e);

/* Writes a stable "#rrggbb" colour for a tag that arrives without one. */
void event_tag_colour(const char *name, char out[8]);

/* Writes tags from a JSON array of Tag objects onto a target of the
 * event `event_id`, after checking them with event_check_tags(). */
int event_write_tags(struct store *s, const struct event_library *lib,
		     enum store_target t, int64_t target_id, int64_t event_id,
		     json_t *tags, const char *pointer, struct cairn_err *e);

/* Stores the clusters of each element of owner's "Galaxy" array and
 * attaches them to the target. */
int event_write_galaxies(struct store *s, enum store_target t,
			 int64_t target_id, json_t *owner, const char *pointer,
			 struct cairn_err *e);

#endif
