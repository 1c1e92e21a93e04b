/*
 * Loading the taxonomies, galaxies and object templates of the library,
 * each from its own folder, with the ids and taxonomy state kept in the
 * store.  Each function logs one line with what it loaded, how long it
 * took and the memory the set holds.
 */
#ifndef CAIRN_LIBRARY_REFS_H
#define CAIRN_LIBRARY_REFS_H

#include "api/library.h"

/* `dir` is a misp-taxonomies folder (NAME/machinetag.json). */
int library_load_taxonomies(struct library *lib, const char *dir,
			    struct store *s, struct cairn_err *e);
/* `dir` is a misp-galaxy folder (galaxies/ and clusters/). */
int library_load_galaxies(struct library *lib, const char *dir,
			  struct store *s, struct cairn_err *e);
/* `dir` is a misp-objects folder (objects/NAME/definition.json). */
int library_load_object_templates(struct library *lib, const char *dir,
				  struct store *s, struct cairn_err *e);

#endif
