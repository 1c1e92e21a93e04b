/*
 * The library: read-only reference data that `cairn serve --library DIR`
 * loads once at start.  DIR/warninglists is a misp-warninglists folder;
 * taxonomies/, galaxies/ and objects/ are its other subfolders.
 */
#ifndef CAIRN_LIBRARY_H
#define CAIRN_LIBRARY_H

#include "core/err.h"
#include "correlate/warninglist.h"
#include "import/event_writer.h"
#include "model/galaxy.h"
#include "model/object_template.h"
#include "model/taxonomy.h"
#include "store/store.h"

/* Each set is NULL when its folder is missing. */
struct library {
	struct warninglist_set *warninglists;
	struct taxonomy_set *taxonomies;
	struct galaxy_set *galaxies;
	struct object_template_set *templates;
	struct event_library writes; /* the three sets above, for writers */
};

/* Returns the sets that write paths check against, or NULL without a
 * library. */
const struct event_library *library_writes(const struct library *lib);

/* Loads the subfolders of `dir` that exist (warninglists/, taxonomies/,
 * galaxies/ and objects/), and applies the state kept in `s` (lists and
 * taxonomies start disabled).  Logs what it loaded and how
 * long it took.  The caller frees *out with library_free(). */
int library_open(struct library **out, const char *dir, struct store *s,
		 struct cairn_err *e);
void library_free(struct library *lib);

#endif
