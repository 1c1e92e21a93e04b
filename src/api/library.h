/*
 * The library: read-only reference data that `cairn serve --library DIR`
 * loads once at start.  DIR/warninglists is a misp-warninglists folder;
 * taxonomies/, galaxies/ and objects/ are its other subfolders.
 */
#ifndef CAIRN_LIBRARY_H
#define CAIRN_LIBRARY_H

#include "core/err.h"
#include "correlate/warninglist.h"
#include "store/store.h"

struct library {
	struct warninglist_set *warninglists; /* NULL without a folder */
};

/* Loads the subfolders of `dir` that exist, and applies the warninglist
 * state kept in `s` (lists start disabled).  Logs what it loaded and how
 * long it took.  The caller frees *out with library_free(). */
int library_open(struct library **out, const char *dir, struct store *s,
		 struct cairn_err *e);
void library_free(struct library *lib);

#endif
