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
	struct buf path = BUF_INIT;
	struct timespec start;
	struct stat st;
	size_t enabled = 0;
	int rc;

	buf_printf(&path, "%s/warninglists", dir);
	if (stat(buf_str(&path), &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_warn("library '%s' has no warninglists folder; "
			 "warninglists are empty",
			 dir);
		buf_release(&path);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = warninglist_set_load(&lib->warninglists, buf_str(&path), e);
	if (rc == 0) {
		rc = store_warninglist_state_each(s, apply_state,
						  lib->warninglists, e);
	}
	if (rc < 0) {
		buf_release(&path);
		return rc;
	}
	for (size_t id = 1; id <= warninglist_count(lib->warninglists); id++) {
		enabled += warninglist_enabled(lib->warninglists, (int)id);
	}
	log_info("loaded %zu warninglists (%zu enabled) with %zu entries "
		 "from '%s' in %.0f ms; matchers take %.1f MB",
		 warninglist_count(lib->warninglists), enabled,
		 warninglist_entry_total(lib->warninglists), buf_str(&path),
		 elapsed_ms(&start),
		 (double)warninglist_memory(lib->warninglists) / 1e6);
	buf_release(&path);
	return 0;
}

/* Loads DIR/SUB with `load` when the folder exists, else warns. */
static int load_optional(struct library *lib, const char *dir,
			 const char *sub, struct store *s,
			 int (*load)(struct library *, const char *,
				     struct store *, struct cairn_err *),
			 struct cairn_err *e)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int rc = 0;

	buf_printf(&path, "%s/%s", dir, sub);
	if (stat(buf_str(&path), &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_warn("library '%s' has no %s folder; it stays empty", dir,
			 sub);
	} else {
		rc = load(lib, buf_str(&path), s, e);
	}
	buf_release(&path);
	return rc;
}

int library_open(struct library **out, const char *dir, struct store *s,
		 struct cairn_err *e)
{
	struct library *lib = calloc(1, sizeof(*lib));
	int rc;

	*out = NULL;
	if (!lib) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory loading the library");
	}
	rc = load_warninglists(lib, dir, s, e);
	if (rc == 0) {
		rc = load_optional(lib, dir, "taxonomies", s,
				   library_load_taxonomies, e);
	}
	if (rc == 0) {
		rc = load_optional(lib, dir, "galaxies", s,
				   library_load_galaxies, e);
	}
	if (rc == 0) {
		rc = load_optional(lib, dir, "objects", s,
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
