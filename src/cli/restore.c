/*
 * `cairn restore --data DIR FILE`: replaces DIR's database with the
 * backup FILE.  It holds DIR/cairn.lock throughout, so it refuses while a
 * server runs on DIR and no server starts while it works.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int restore(const char *data, const char *file)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf db = BUF_INIT;
	int from = 0, lock, rc;

	if (mkdir(data, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "error: cannot create '%s': %s\n", data,
			strerror(errno));
		return 1;
	}
	lock = cli_lock_data(data);
	if (lock < 0) {
		return 1;
	}
	buf_printf(&db, "%s/cairn.db", data);
	rc = store_restore(file, buf_str(&db), &from, &e);
	if (rc < 0) {
		fprintf(stderr, "error: restoring '%s' into '%s' failed: %s\n",
			file, buf_str(&db), buf_str(&e.message));
	} else if (from < store_schema_latest()) {
		log_info("restored '%s' into '%s' and migrated it from schema "
			 "version %d to %d",
			 file, buf_str(&db), from, store_schema_latest());
	} else {
		log_info("restored '%s' into '%s' (schema version %d)", file,
			 buf_str(&db), from);
	}
	close(lock);
	buf_release(&db);
	cairn_err_release(&e);
	return rc < 0 ? 1 : 0;
}

int cli_restore(int argc, char **argv)
{
	const char *file = NULL;
	struct config c;
	int rc;

	config_init(&c);
	rc = cli_load_data_file(
		argc, argv,
		"cairn restore --data DIR FILE\n\n"
		"Replaces DIR's database with the backup FILE after checking "
		"it; stop the\nserver on DIR first.  An older backup is "
		"migrated.",
		&file, &c);
	if (rc == 0) {
		rc = restore(config_get(&c, CFG_DATA), file);
	} else {
		rc = rc < 0 ? 2 : 0;
	}
	config_release(&c);
	return rc;
}
