/* Folder listings and JSON files of the public MISP libraries. */
#include "model/libdir.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int name_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n >= k && strcmp(name + n - k, suffix) == 0;
}

int libdir_list(struct libdir_list *out, const char *dir, const char *suffix,
		struct cairn_err *e)
{
	DIR *folder = opendir(dir);
	struct dirent *d;
	size_t cap = 0;

	out->names = NULL;
	out->count = 0;
	if (!folder) {
		return cairn_err_set(e, CAIRN_EIO, "cannot open folder '%s'",
				     dir);
	}
	while ((d = readdir(folder)) != NULL) {
		char *name;

		if (d->d_name[0] == '.' ||
		    (suffix && !has_suffix(d->d_name, suffix))) {
			continue;
		}
		if (out->count == cap) {
			size_t grown = cap ? cap * 2 : 64;
			char **names = realloc(out->names,
					       grown * sizeof(*names));

			if (!names) {
				break;
			}
			out->names = names;
			cap = grown;
		}
		name = strdup(d->d_name);
		if (!name) {
			break;
		}
		out->names[out->count++] = name;
	}
	closedir(folder);
	if (d) {
		libdir_list_release(out);
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "out of memory listing '%s'", dir);
	}
	if (out->count) {
		qsort(out->names, out->count, sizeof(char *), name_compare);
	}
	return 0;
}

void libdir_list_release(struct libdir_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->names[i]);
	}
	free(list->names);
	list->names = NULL;
	list->count = 0;
}

int libdir_load_json(json_t **out, const char *path, struct cairn_err *e)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);

	*out = NULL;
	if (!doc) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid JSON in '%s' at line %d, column "
				     "%d: %s",
				     path, jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		return cairn_err_set(e, CAIRN_EINVAL,
				     "invalid '%s': expected a JSON object",
				     path);
	}
	*out = doc;
	return 0;
}

const char *libdir_string(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

char *libdir_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}
