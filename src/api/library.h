/*
 * The library: read-only reference data that `cairn serve` loads once at
 * start, from the folders the library, warninglists, taxonomies, galaxies
 * and object_templates settings name.
 */
#ifndef CAIRN_LIBRARY_H
#define CAIRN_LIBRARY_H

#include "core/err.h"
#include "correlate/warninglist.h"
#include "store/store.h"

struct library {
	struct warninglist_set *warninglists; /* NULL without a folder */
};

/* Folders of reference data; NULL for none. */
struct library_dirs {
	const char *warninglists;     /* misp-warninglists lists/ layout */
	const char *taxonomies;       /* misp-taxonomies */
	const char *galaxies;         /* misp-galaxy */
	const char *object_templates; /* misp-objects objects/ */
};

/* Fills `dirs` from the settings: a folder setting is used as given, and
 * warninglists falls back to LIBRARY/warninglists when that exists. */
void library_dirs_from(struct library_dirs *dirs, const char *library,
		       const char *warninglists, const char *taxonomies,
		       const char *galaxies, const char *object_templates,
		       struct buf *scratch);

/* Loads the folders that `dirs` names, and applies the warninglist state
 * kept in `s` (lists start disabled).  Logs what it loaded and how long
 * it took.  The caller frees *out with library_free(). */
int library_open(struct library **out, const struct library_dirs *dirs,
		 struct store *s, struct cairn_err *e);
void library_free(struct library *lib);

#endif
