/*
 * Import of files, folders and feeds; see import.h.
 *
 * A file is read in 64 KiB chunks into the streaming reader, whose
 * callbacks drive an event writer.  When an event fails, the writer rolls
 * it back and the rest of that event's elements are skipped; the reader
 * goes on with the next event in the file.  A syntax error ends the file.
 */
#include "import/import.h"
#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IMPORT_CHUNK (64 * 1024)

/* The warnings of a batch, held until its transaction commits: a batch
 * that rolls back is imported again one event at a time, and that import
 * reports them. */
struct held_warnings {
	struct held_warning {
		char *path;
		struct cairn_err err;
	} *items;
	size_t n, cap;
};

struct file_import {
	struct import_job *job;
	struct held_warnings *held; /* set inside a batch transaction */
	struct import_stats *st;
	struct event_writer *writer;
	struct misp_reader *reader;
	const char *path;
	bool failed; /* the current event failed; skip to its end */
	bool fast;   /* inside a batch transaction: stop at the first failure */
	bool retry;  /* a fast import failed; the batch must be redone */
	int64_t attributes_mark, objects_mark; /* writer counts at last end */
	int64_t normalised_mark;
	size_t skipped_mark;
	struct buf at; /* the current element's JSON pointer */
	struct cairn_err err;
};

static void reject(struct file_import *fi, const struct cairn_err *e)
{
	if (fi->fast) {
		fi->retry = true;
		return;
	}
	fi->st->rejected++;
	if (fi->job->reject) {
		fi->job->reject(fi->job->ctx, fi->path, e);
	}
}

/* Keeps a warning until its batch commits, taking over `e`.  Returns
 * CAIRN_ENOMEM, leaving `e` to the caller, when there is no memory. */
static int hold_warning(struct held_warnings *h, const char *path,
			struct cairn_err *e)
{
	struct held_warning *item;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct held_warning *items =
			realloc(h->items, cap * sizeof(*items));

		if (!items) {
			return CAIRN_ENOMEM;
		}
		h->items = items;
		h->cap = cap;
	}
	item = &h->items[h->n];
	item->path = strdup(path);
	if (!item->path) {
		return CAIRN_ENOMEM;
	}
	item->err = *e;
	h->n++;
	return 0;
}

/* Reports the held warnings when `report` is true, and frees them. */
static void held_warnings_release(struct held_warnings *h,
				  const struct import_job *job, bool report)
{
	for (size_t i = 0; i < h->n; i++) {
		if (report && job->warn) {
			job->warn(job->ctx, h->items[i].path, &h->items[i].err);
		}
		free(h->items[i].path);
		cairn_err_release(&h->items[i].err);
	}
	free(h->items);
	h->items = NULL;
	h->n = h->cap = 0;
}

/* Counts and reports the attributes the writer left out of the event
 * that just ended; inside a batch, the reports wait for its commit. */
static void report_skipped(struct file_import *fi)
{
	size_t n = event_writer_skipped_count(fi->writer);

	for (size_t i = fi->skipped_mark; i < n; i++) {
		json_t *item = event_writer_skipped(fi->writer, i);
		struct cairn_err e = CAIRN_ERR_INIT;

		fi->st->skipped++;
		if (!fi->job->warn) {
			continue;
		}
		cairn_err_set(&e, CAIRN_EINVAL, "%s",
			      json_string_value(json_object_get(item,
								"message")));
		cairn_err_at(&e,
			     json_string_value(json_object_get(item, "pointer")),
			     json_string_value(json_object_get(item, "field")));
		if (!fi->held || hold_warning(fi->held, fi->path, &e) != 0) {
			fi->job->warn(fi->job->ctx, fi->path, &e);
			cairn_err_release(&e);
		}
	}
}

static int on_element(void *ctx, enum misp_element kind, json_t *header,
		      json_t *element)
{
	struct file_import *fi = ctx;
	int rc;

	if (fi->failed) {
		return 0;
	}
	/* The pointer locates a skipped attribute's warning, which a batch
	 * reports too. */
	buf_clear(&fi->at);
	misp_reader_pointer(fi->reader, &fi->at);
	rc = event_writer_element(fi->writer, kind, header, element,
				  buf_str(&fi->at), &fi->err);
	if (rc == CAIRN_ENOMEM) {
		return rc;
	}
	if (rc < 0) {
		event_writer_abort(fi->writer);
		fi->failed = true;
		if (fi->fast) {
			fi->retry = true;
			return CAIRN_EBUSY;
		}
	}
	return 0;
}

static int on_event_end(void *ctx, json_t *header)
{
	struct file_import *fi = ctx;
	enum event_write_result result;
	struct buf at = BUF_INIT;
	int64_t id;
	int rc = 0;

	if (!fi->failed) {
		misp_reader_pointer(fi->reader, &at);
		rc = event_writer_end(fi->writer, header, buf_str(&at),
				      &result, &id, &fi->err);
		buf_release(&at);
	}
	if (fi->failed || rc < 0) {
		event_writer_abort(fi->writer);
		reject(fi, &fi->err);
		if (fi->fast) {
			return CAIRN_EBUSY;
		}
	} else if (result == EVENT_UNCHANGED) {
		fi->st->unchanged++;
	} else {
		if (result == EVENT_ADDED) {
			fi->st->added++;
		} else {
			fi->st->updated++;
		}
		fi->st->attributes += event_writer_attributes(fi->writer) -
				      fi->attributes_mark;
		fi->st->objects += event_writer_objects(fi->writer) -
				   fi->objects_mark;
		fi->st->normalised += event_writer_normalised(fi->writer) -
				      fi->normalised_mark;
		report_skipped(fi);
	}
	fi->attributes_mark = event_writer_attributes(fi->writer);
	fi->objects_mark = event_writer_objects(fi->writer);
	fi->normalised_mark = event_writer_normalised(fi->writer);
	fi->skipped_mark = event_writer_skipped_count(fi->writer);
	fi->failed = false;
	cairn_err_clear(&fi->err);
	if (fi->job->progress && !fi->fast) {
		fi->job->progress(fi->job->ctx, fi->st);
	}
	return rc == CAIRN_ENOMEM ? rc : 0;
}

static const struct misp_reader_callbacks import_callbacks = {
	.element = on_element,
	.event_end = on_event_end,
};

/* Starts a file; `held` is set inside a batch transaction. */
static int file_import_begin(struct file_import *fi, struct import_job *job,
			     const char *path, struct import_stats *st,
			     struct held_warnings *held)
{
	struct event_writer_options o = job->options;

	memset(fi, 0, sizeof(*fi));
	fi->job = job;
	fi->st = st;
	fi->path = path;
	fi->held = held;
	fi->fast = held != NULL;
	o.caller_transaction = fi->fast;
	fi->writer = event_writer_new(job->store, &o);
	fi->reader = misp_reader_new(&import_callbacks, fi);
	if (!fi->writer || !fi->reader) {
		event_writer_free(fi->writer);
		misp_reader_free(fi->reader);
		return CAIRN_ENOMEM;
	}
	st->files++;
	return 0;
}

/* Ends a document: a syntax error or a truncated file rejects the event
 * in progress. */
static void file_import_end(struct file_import *fi, int rc)
{
	if (rc == 0) {
		rc = misp_reader_finish(fi->reader, &fi->err);
	}
	if (rc < 0) {
		event_writer_abort(fi->writer);
		reject(fi, &fi->err);
	}
	event_writer_free(fi->writer);
	misp_reader_free(fi->reader);
	buf_release(&fi->at);
	cairn_err_release(&fi->err);
}

int import_buffer(struct import_job *job, const char *name, const char *data,
		  size_t len, struct import_stats *st)
{
	struct file_import fi;
	int rc = file_import_begin(&fi, job, name, st, NULL);

	if (rc < 0) {
		return rc;
	}
	rc = misp_reader_feed(fi.reader, data, len, &fi.err);
	file_import_end(&fi, rc);
	return 0;
}

/* Imports one file.  With `held`, the caller has a transaction open and
 * the file's warnings go to `held`.  The first failure then stops the file
 * and returns 1, so that the caller can redo the batch.  Without it, each
 * event commits alone, failures are reported, and it returns 0. */
static int import_file(struct import_job *job, const char *path,
		       struct import_stats *st, struct held_warnings *held)
{
	struct file_import fi;
	char *chunk;
	FILE *f;
	int rc;

	f = fopen(path, "rb");
	if (!f && held) {
		return 1;
	}
	if (!f) {
		struct cairn_err e = CAIRN_ERR_INIT;

		cairn_err_set(&e, CAIRN_EIO, "cannot open '%s': %s", path,
			      strerror(errno));
		st->rejected++;
		if (job->reject) {
			job->reject(job->ctx, path, &e);
		}
		cairn_err_release(&e);
		return 0;
	}
	chunk = malloc(IMPORT_CHUNK);
	rc = chunk ? file_import_begin(&fi, job, path, st, held)
		   : CAIRN_ENOMEM;
	if (rc < 0) {
		free(chunk);
		fclose(f);
		return rc;
	}
	for (;;) {
		size_t n = fread(chunk, 1, IMPORT_CHUNK, f);

		if (n == 0) {
			break;
		}
		rc = misp_reader_feed(fi.reader, chunk, n, &fi.err);
		if (rc < 0) {
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		rc = cairn_err_set(&fi.err, CAIRN_EIO, "read of '%s' failed",
				   path);
	}
	file_import_end(&fi, rc);
	free(chunk);
	fclose(f);
	return fi.retry ? 1 : 0;
}

static void stats_add(struct import_stats *to, const struct import_stats *from)
{
	to->added += from->added;
	to->updated += from->updated;
	to->unchanged += from->unchanged;
	to->rejected += from->rejected;
	to->attributes += from->attributes;
	to->objects += from->objects;
	to->normalised += from->normalised;
	to->skipped += from->skipped;
	to->files += from->files;
}

/* Imports files in one transaction; returns false, with nothing written
 * and nothing reported, when any event fails or the commit does. */
static bool import_batch(struct import_job *job, char *const *paths, size_t n,
			 struct import_stats *st)
{
	struct import_stats batch = {0};
	struct held_warnings held = {0};
	bool ok = true;

	if (store_begin(job->store) < 0) {
		return false;
	}
	for (size_t i = 0; ok && i < n; i++) {
		ok = import_file(job, paths[i], &batch, &held) == 0;
	}
	if (ok && store_commit(job->store) < 0) {
		log_warn("committing an import batch failed; importing its "
			 "files one event at a time");
		ok = false;
	}
	if (!ok) {
		store_rollback(job->store);
	}
	held_warnings_release(&held, job, ok);
	if (!ok) {
		return false;
	}
	stats_add(st, &batch);
	if (job->progress) {
		job->progress(job->ctx, st);
	}
	return true;
}

/* Imports files in batches of job->batch_files; a batch that fails is
 * imported again one event per transaction, which reports the failures. */
static void import_files(struct import_job *job, char *const *paths, size_t n,
			 struct import_stats *st)
{
	size_t group = job->batch_files > 1 ? (size_t)job->batch_files : 1;

	for (size_t i = 0; i < n; i += group) {
		size_t count = n - i < group ? n - i : group;

		if (group > 1 && import_batch(job, paths + i, count, st)) {
			continue;
		}
		for (size_t k = i; k < i + count; k++) {
			import_file(job, paths[k], st, NULL);
		}
	}
}

struct path_list {
	char **paths;
	size_t n, cap;
};

static void path_list_add(struct path_list *l, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->paths, cap * sizeof(*p));

		if (!p) {
			return;
		}
		l->paths = p;
		l->cap = cap;
	}
	l->paths[l->n] = strdup(path);
	if (l->paths[l->n]) {
		l->n++;
	}
}

/* Imports the listed files and empties the list. */
static void path_list_flush(struct import_job *job, struct path_list *l,
			    struct import_stats *st)
{
	import_files(job, l->paths, l->n, st);
	for (size_t i = 0; i < l->n; i++) {
		free(l->paths[i]);
	}
	l->n = 0;
}

static void path_list_release(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->paths[i]);
	}
	free(l->paths);
	memset(l, 0, sizeof(*l));
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_json_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Imports the events a feed's manifest.json lists, from <uuid>.json. */
static int import_feed(struct import_job *job, const char *dir,
		       const char *manifest, struct import_stats *st)
{
	json_error_t jerr;
	json_t *root = json_load_file(manifest, 0, &jerr);
	struct buf path = BUF_INIT;
	struct path_list files = {0};
	const char *uuid;
	json_t *entry;

	if (!json_is_object(root)) {
		struct cairn_err e = CAIRN_ERR_INIT;

		cairn_err_set(&e, CAIRN_EINVAL,
			      "invalid feed manifest '%s' at line %d: %s",
			      manifest, jerr.line,
			      root ? "expected an object of event UUIDs"
				   : jerr.text);
		st->rejected++;
		if (job->reject) {
			job->reject(job->ctx, manifest, &e);
		}
		cairn_err_release(&e);
		json_decref(root);
		return 0;
	}
	json_object_foreach(root, uuid, entry) {
		buf_clear(&path);
		buf_printf(&path, "%s/%s.json", dir, uuid);
		path_list_add(&files, buf_str(&path));
	}
	path_list_flush(job, &files, st);
	path_list_release(&files);
	buf_release(&path);
	json_decref(root);
	return 0;
}

static int import_dir(struct import_job *job, const char *dir,
		      struct import_stats *st)
{
	struct buf path = BUF_INIT;
	struct path_list files = {0};
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	struct stat sb;
	DIR *dh;

	buf_printf(&path, "%s/manifest.json", dir);
	if (stat(buf_str(&path), &sb) == 0) {
		int rc = import_feed(job, dir, buf_str(&path), st);

		buf_release(&path);
		return rc;
	}
	dh = opendir(dir);
	if (!dh) {
		buf_release(&path);
		return CAIRN_EIO;
	}
	while ((d = readdir(dh))) {
		if (d->d_name[0] == '.') {
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof(*p));

			if (!p) {
				break;
			}
			names = p;
		}
		names[n] = strdup(d->d_name);
		if (names[n]) {
			n++;
		}
	}
	closedir(dh);
	qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		buf_clear(&path);
		buf_printf(&path, "%s/%s", dir, names[i]);
		if (stat(buf_str(&path), &sb) == 0 && S_ISDIR(sb.st_mode)) {
			path_list_flush(job, &files, st);
			import_dir(job, buf_str(&path), st);
		} else if (has_json_suffix(names[i])) {
			path_list_add(&files, buf_str(&path));
		}
		free(names[i]);
	}
	path_list_flush(job, &files, st);
	path_list_release(&files);
	free(names);
	buf_release(&path);
	return 0;
}

int import_path(struct import_job *job, const char *path,
		struct import_stats *st)
{
	struct stat sb;

	if (stat(path, &sb) < 0) {
		return CAIRN_ENOTFOUND;
	}
	if (S_ISDIR(sb.st_mode)) {
		return import_dir(job, path, st);
	}
	import_files(job, (char *const *)&path, 1, st);
	return 0;
}
