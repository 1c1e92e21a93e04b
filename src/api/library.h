/*
 * The library: read-only reference data that `cairn serve` loads once at
 * start, from the folders the library, warninglists, taxonomies, galaxies
 * and object_templates settings name.
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

/* Folders of reference data; NULL for none. */
struct library_dirs {
	const char *warninglists;     /* misp-warninglists lists/ layout */
	const char *taxonomies;       /* misp-taxonomies */
	const char *galaxies;         /* misp-galaxy */
	const char *object_templates; /* misp-objects objects/ */
};

/* Fills `dirs` from the settings: a folder setting is used as given, and
 * each unset one falls back to its subfolder of LIBRARY (warninglists/,
 * taxonomies/, galaxies/, objects/) when that exists.  `scratch` holds
 * the built paths and must outlive `dirs`. */
void library_dirs_from(struct library_dirs *dirs, const char *library,
		       const char *warninglists, const char *taxonomies,
		       const char *galaxies, const char *object_templates,
		       struct buf scratch[4]);

/* Loads the folders that `dirs` names, and applies the state kept in `s`
 * (warninglists and taxonomies start disabled).  Logs what it loaded and
 * how long it took.  The caller frees *out with library_free(). */
int library_open(struct library **out, const struct library_dirs *dirs,
		 struct store *s, struct cairn_err *e);
void library_free(struct library *lib);

#endif
