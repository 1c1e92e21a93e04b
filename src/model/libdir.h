/*
 * Reading the folders of MISP's public libraries (misp-taxonomies,
 * misp-galaxy, misp-objects): sorted folder listings and whole JSON files.
 */
#ifndef CAIRN_LIBDIR_H
#define CAIRN_LIBDIR_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>

struct libdir_list {
	char **names; /* sorted by strcmp, each owned */
	size_t count;
};

/* Lists the entries of `dir` whose names do not start with a dot, sorted,
 * so that every load of one folder numbers its items alike.  With a
 * non-NULL `suffix` only names that end with it are kept.  Fails with
 * CAIRN_EIO when the folder cannot be read.  Release with
 * libdir_list_release(). */
int libdir_list(struct libdir_list *out, const char *dir, const char *suffix,
		struct cairn_err *e);
void libdir_list_release(struct libdir_list *list);

/* Parses the JSON file at `path` into *out (owned by the caller), failing
 * with CAIRN_EINVAL and the file, line and column when it is not JSON or
 * its top level is not an object. */
int libdir_load_json(json_t **out, const char *path, struct cairn_err *e);

/* Returns the string member `key` of `obj`, or NULL when it is absent or
 * not a string. */
const char *libdir_string(const json_t *obj, const char *key);

/* Duplicates `s`, or returns NULL for NULL (and on allocation failure,
 * which the caller tells apart by a non-NULL `s`). */
char *libdir_strdup(const char *s);

#endif
