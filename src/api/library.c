/*
 * Loading the library at start, and the stored enabled state of its
 * warninglists.  The other libraries load in library_refs.c, each from
 * the folder that library_open() names here.
 */
#include "api/library.h"
#include "api/library_refs.h"
#include "core/log.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static int apply_state(void *ctx, const char *name, bool enabled)
{
	struct warninglist_set *set = ctx;
	const struct warninglist *l = warninglist_find(set, name);

	/* A stored name whose list is gone from the folder is kept, so the
	 * state returns if the list does. */
	if (l) {
		warninglist_set_enabled(set, warninglist_id(l), enabled);
	}
	return 0;
}

static int load_warninglists(struct library *lib, const char *dir,
			     struct store *s, struct cairn_err *e)
{
	struct timespec start;
	size_t enabled = 0;
	int rc;

	if (!dir) {
		log_info("no warninglists folder is set; warninglists are "
			 "empty");
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = warninglist_set_load(&lib->warninglists, dir, e);
	if (rc == 0) {
		rc = store_warninglist_state_each(s, apply_state,
						  lib->warninglists, e);
	}
	if (rc < 0) {
		return rc;
	}
	for (size_t id = 1; id <= warninglist_count(lib->warninglists); id++) {
		enabled += warninglist_enabled(lib->warninglists, (int)id);
	}
	log_info("loaded %zu warninglists (%zu enabled) with %zu entries "
		 "from '%s' in %.0f ms; matchers take %.1f MB",
		 warninglist_count(lib->warninglists), enabled,
		 warninglist_entry_total(lib->warninglists), dir,
		 elapsed_ms(&start),
		 (double)warninglist_memory(lib->warninglists) / 1e6);
	return 0;
}

/* Uses `given` when set, else LIBRARY/SUB when that folder exists. */
static const char *pick_dir(const char *given, const char *library,
			    const char *sub, struct buf *scratch)
{
	struct stat st;

	if (given || !library) {
		return given;
	}
	buf_clear(scratch);
	buf_printf(scratch, "%s/%s", library, sub);
	if (stat(buf_str(scratch), &st) == 0 && S_ISDIR(st.st_mode)) {
		return buf_str(scratch);
	}
	log_warn("library '%s' has no %s folder; it stays empty", library,
		 sub);
	return NULL;
}

void library_dirs_from(struct library_dirs *dirs, const char *library,
		       const char *warninglists, const char *taxonomies,
		       const char *galaxies, const char *object_templates,
		       struct buf scratch[4])
{
	dirs->warninglists =
		pick_dir(warninglists, library, "warninglists", &scratch[0]);
	dirs->taxonomies =
		pick_dir(taxonomies, library, "taxonomies", &scratch[1]);
	dirs->galaxies = pick_dir(galaxies, library, "galaxies", &scratch[2]);
	dirs->object_templates =
		pick_dir(object_templates, library, "objects", &scratch[3]);
}

/* Loads `dir` with `load` when it is set. */
static int load_optional(struct library *lib, const char *dir,
			 struct store *s,
			 int (*load)(struct library *, const char *,
				     struct store *, struct cairn_err *),
			 struct cairn_err *e)
{
	return dir ? load(lib, dir, s, e) : 0;
}

int library_open(struct library **out, const struct library_dirs *dirs,
		 struct store *s, struct cairn_err *e)
{
	struct library *lib = calloc(1, sizeof(*lib));
	int rc;

	*out = NULL;
	if (!lib) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory loading the library");
	}
	rc = load_warninglists(lib, dirs->warninglists, s, e);
	if (rc == 0) {
		rc = load_optional(lib, dirs->taxonomies, s,
				   library_load_taxonomies, e);
	}
	if (rc == 0) {
		rc = load_optional(lib, dirs->galaxies, s,
				   library_load_galaxies, e);
	}
	if (rc == 0) {
		rc = load_optional(lib, dirs->object_templates, s,
				   library_load_object_templates, e);
	}
	if (rc < 0) {
		library_free(lib);
		return rc;
	}
	lib->writes.taxonomies = lib->taxonomies;
	lib->writes.galaxies = lib->galaxies;
	lib->writes.templates = lib->templates;
	*out = lib;
	return 0;
}

const struct event_library *library_writes(const struct library *lib)
{
	return lib ? &lib->writes : NULL;
}

void library_free(struct library *lib)
{
	if (!lib) {
		return;
	}
	warninglist_set_free(lib->warninglists);
	taxonomy_set_free(lib->taxonomies);
	galaxy_set_free(lib->galaxies);
	object_template_set_free(lib->templates);
	free(lib);
}
