/*
 * Loading the library at start, and the stored enabled state of its
 * warninglists.
 */
#include "api/library.h"
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

void library_dirs_from(struct library_dirs *dirs, const char *library,
		       const char *warninglists, const char *taxonomies,
		       const char *galaxies, const char *object_templates,
		       struct buf *scratch)
{
	struct stat st;

	*dirs = (struct library_dirs){warninglists, taxonomies, galaxies,
				      object_templates};
	if (warninglists || !library) {
		return;
	}
	buf_clear(scratch);
	buf_printf(scratch, "%s/warninglists", library);
	if (stat(buf_str(scratch), &st) == 0 && S_ISDIR(st.st_mode)) {
		dirs->warninglists = buf_str(scratch);
	} else {
		log_warn("library '%s' has no warninglists folder; "
			 "warninglists are empty",
			 library);
	}
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
	/* TODO: load dirs->taxonomies, dirs->galaxies and
	 * dirs->object_templates; the settings are validated but unused. */
	if (rc < 0) {
		library_free(lib);
		return rc;
	}
	*out = lib;
	return 0;
}

void library_free(struct library *lib)
{
	if (!lib) {
		return;
	}
	warninglist_set_free(lib->warninglists);
	free(lib);
}
