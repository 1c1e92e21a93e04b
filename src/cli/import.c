/* `cairn import`: imports MISP JSON files, folders and feeds. */
#include "cli/cli.h"
#include "import/import.h"

#include <stdio.h>
#include <unistd.h>

#define IMPORT_MAX_PATHS 1024

struct import_report {
	bool tty; /* stderr is a terminal: show a progress line */
};

static void report_reject(void *ctx, const char *path,
			  const struct cairn_err *e)
{
	struct import_report *r = ctx;

	fprintf(stderr, "%srejected %s at %s: %s\n", r->tty ? "\r\033[K" : "",
		path, e->pointer.len ? buf_str(&e->pointer) : "/",
		e->message.len ? buf_str(&e->message) : cairn_code_name(e->code));
}

static void report_warning(void *ctx, const char *path,
			   const struct cairn_err *e)
{
	struct import_report *r = ctx;

	fprintf(stderr, "%swarning: skipped the attribute at %s in %s: %s\n",
		r->tty ? "\r\033[K" : "",
		e->pointer.len ? buf_str(&e->pointer) : "/", path,
		buf_str(&e->message));
}

static void report_progress(void *ctx, const struct import_stats *st)
{
	struct import_report *r = ctx;
	int64_t events = st->added + st->updated + st->unchanged + st->rejected;

	if (r->tty && events % 10 == 0) {
		fprintf(stderr, "\r%lld events, %lld attributes...",
			(long long)events, (long long)st->attributes);
	}
}

int cli_import(int argc, char **argv)
{
	const char *data = NULL;
	bool help = false;
	const struct cli_option opts[] = {
		{"--data", "DIR", "data directory made by cairn init", &data,
		 NULL},
		{"--help", NULL, "show this help", NULL, &help},
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]), npos;
	const char *paths[IMPORT_MAX_PATHS];
	struct import_report report = {isatty(STDERR_FILENO) == 1};
	struct import_stats st = {0};
	struct import_job job = {0};
	struct store *s;
	int failed = 0;

	if (cli_parse(argc, argv, 2, opts, nopts, paths, IMPORT_MAX_PATHS,
		      &npos) < 0) {
		return 2;
	}
	if (help) {
		printf("usage: cairn import --data DIR PATH...\n"
		       "PATH is a MISP event file, a folder of them, or a "
		       "MISP feed folder.\n");
		cli_print_options(opts, nopts);
		return 0;
	}
	if (!data || npos == 0) {
		fprintf(stderr, "error: usage: cairn import --data DIR PATH...\n");
		return 2;
	}
	s = cli_open_store(data);
	if (!s) {
		return 1;
	}
	job.store = s;
	job.options.mode = WRITE_IMPORT;
	job.options.org_id = 1;
	job.reject = report_reject;
	job.warn = report_warning;
	job.progress = report_progress;
	job.ctx = &report;
	job.batch_files = 16;
	for (size_t i = 0; i < npos; i++) {
		if (import_path(&job, paths[i], &st) < 0) {
			fprintf(stderr, "error: cannot read '%s'\n", paths[i]);
			failed++;
		}
	}
	if (report.tty) {
		fprintf(stderr, "\r\033[K");
	}
	printf("events: %lld added, %lld updated, %lld unchanged, %lld "
	       "rejected; attributes: %lld; objects: %lld; values normalised: "
	       "%lld; attributes skipped: %lld\n",
	       (long long)st.added, (long long)st.updated,
	       (long long)st.unchanged, (long long)st.rejected,
	       (long long)st.attributes, (long long)st.objects,
	       (long long)st.normalised, (long long)st.skipped);
	store_close(s);
	if (failed == (int)npos ||
	    (st.added + st.updated + st.unchanged == 0 && st.rejected > 0)) {
		return 1;
	}
	return 0;
}
