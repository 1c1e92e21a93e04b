/*
 * Import of MISP JSON from files and folders: a single event file, a
 * folder of them, or a MISP feed folder (manifest.json with <uuid>.json
 * beside it).  Each event is its own transaction, so a rejected event
 * changes nothing and the rest of the batch goes on.
 */
#ifndef CAIRN_IMPORT_H
#define CAIRN_IMPORT_H

#include "core/err.h"
#include "import/event_writer.h"
#include "store/store.h"

#include <stdint.h>

struct import_stats {
	int64_t added, updated, unchanged, rejected;
	int64_t attributes, objects; /* written, in added or updated events */
	int64_t normalised; /* attribute values rewritten into canonical form */
	int64_t skipped;    /* attributes left out: value failed normalisation */
	int64_t files;
};

struct import_job {
	struct store *store;
	struct event_writer_options options; /* mode is WRITE_IMPORT */
	/* Called for each rejected event or unreadable file, with the path
	 * and the error (its pointer locates the bad element). */
	void (*reject)(void *ctx, const char *path, const struct cairn_err *e);
	/* Called for each attribute left out of an imported event because
	 * its value, first_seen or last_seen failed normalisation.  The
	 * error's pointer locates the attribute.  May be NULL. */
	void (*warn)(void *ctx, const char *path, const struct cairn_err *e);
	/* Called after each event; may be NULL. */
	void (*progress)(void *ctx, const struct import_stats *st);
	void *ctx;
	/* Files imported in one transaction (0 or 1: each event commits
	 * alone).  When an event of a batch fails, the batch is rolled back
	 * and imported again one event per transaction, so that only the
	 * failed event is rejected. */
	int batch_files;
};

/* Imports what `path` names, adding to *st.  Returns 0 when the path could
 * be read (even if events in it were rejected), or a negative code when it
 * could not be opened at all. */
int import_path(struct import_job *job, const char *path,
		struct import_stats *st);

/* Imports one JSON document from a memory buffer, as if it were a file
 * named `name`. */
int import_buffer(struct import_job *job, const char *name, const char *data,
		  size_t len, struct import_stats *st);

#endif
