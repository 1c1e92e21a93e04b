/*
 * `cairn backup --data DIR FILE`: writes a consistent copy of DIR's
 * database to FILE, while a server may be running on DIR.
 */
#include "cli/cli.h"
#include "core/log.h"
#include "store/store.h"

#include <stdio.h>
#include <time.h>

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int cli_backup(int argc, char **argv)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf db = BUF_INIT;
	const char *file = NULL;
	struct timespec start;
	struct config c;
	int rc;

	config_init(&c);
	rc = cli_load_data_file(
		argc, argv,
		"cairn backup --data DIR FILE\n\n"
		"Copies DIR's database to FILE (replaced when it exists) "
		"while a server may\nrun; the copy holds every transaction "
		"committed before the backup started.",
		&file, &c);
	if (rc != 0) {
		config_release(&c);
		return rc < 0 ? 2 : 0;
	}
	buf_printf(&db, "%s/cairn.db", config_get(&c, CFG_DATA));
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = store_backup(buf_str(&db), file, &e);
	if (rc < 0) {
		fprintf(stderr, "error: backup of '%s' failed: %s\n",
			buf_str(&db), buf_str(&e.message));
	} else {
		log_info("backed up '%s' to '%s' in %.1f s", buf_str(&db),
			 file, seconds_since(&start));
	}
	buf_release(&db);
	cairn_err_release(&e);
	config_release(&c);
	return rc < 0 ? 1 : 0;
}
