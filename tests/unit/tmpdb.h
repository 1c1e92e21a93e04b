/*
 * A database file in a fresh mkdtemp() directory, for the unit tests that
 * open a real store.  The directory is $TMPDIR (or /tmp) /cairn-NAME-XXXXXX
 * and the file is cairn.db inside it.
 */
#ifndef CAIRN_TEST_TMPDB_H
#define CAIRN_TEST_TMPDB_H

#include "core/buf.h"

#include <stdlib.h>
#include <unistd.h>

/* Fills `dir` and `path` (both empty) for a new directory named after
 * `name`, and creates the directory. */
static inline void tmpdb_make(struct buf *dir, struct buf *path,
			      const char *name)
{
	const char *root = getenv("TMPDIR");

	assert_int_equal(buf_printf(dir, "%s/cairn-%s-XXXXXX",
				    root && *root ? root : "/tmp", name),
			 0);
	assert_non_null(mkdtemp(dir->data));
	assert_int_equal(buf_printf(path, "%s/cairn.db", dir->data), 0);
}

/* Removes the database with its -wal and -shm files and the directory,
 * and releases both buffers. */
static inline void tmpdb_remove(struct buf *dir, struct buf *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		struct buf file = BUF_INIT;

		buf_printf(&file, "%s%s", path->data, suffixes[i]);
		unlink(file.data);
		buf_release(&file);
	}
	rmdir(dir->data);
	buf_release(dir);
	buf_release(path);
}

#endif
