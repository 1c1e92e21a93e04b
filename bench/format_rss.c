/*
 * Peak RSS and rate of each export format writer over N generated
 * attributes (default 1,000,000), each format in a child process of its
 * own so that every peak is measured alone.  Output goes to /dev/null,
 * drained after every attribute as the HTTP layer drains it.  Prints
 * figures; it does not pass or fail.
 *
 * usage: format_rss [N]
 */
#include "core/buf.h"
#include "core/err.h"
#include "export/format.h"
#include "model/misp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const types[] = {
    "ip-dst", "domain", "url", "md5", "filename|sha256", "email-subject"};

static void make_value(struct buf *v, const char *type, long i)
{
	buf_clear(v);
	if (strcmp(type, "ip-dst") == 0) {
		buf_printf(v, "10.%ld.%ld.%ld", (i >> 16) & 255, (i >> 8) & 255,
			   i & 255);
	} else if (strcmp(type, "domain") == 0) {
		buf_printf(v, "host-%ld.example.com", i);
	} else if (strcmp(type, "url") == 0) {
		buf_printf(v, "http://evil-%ld.example/p?q=%ld", i, i);
	} else if (strcmp(type, "md5") == 0) {
		buf_printf(v, "%032lx", i);
	} else if (strcmp(type, "filename|sha256") == 0) {
		buf_printf(v, "file-%ld.exe|%064lx", i, i);
	} else {
		buf_printf(v, "Re: \"invoice %ld\"; ünï", i);
	}
}

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int run_format(const char *name, long n)
{
	const struct export_format *f = export_format_find(name);
	struct export_options o = {0};
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf out = BUF_INIT, value = BUF_INIT, uuid = BUF_INIT;
	struct record ev, at;
	const char *tags[] = {"tlp:white"};
	FILE *sink = fopen("/dev/null", "w");
	void *state = calloc(1, f->state_size);
	double t0 = seconds();

	o.now = 1700000000;
	o.base_url = "https://misp.example";
	o.instance_uuid = "5e1f0000-0000-4000-8000-00000000cafe";
	record_init(&ev, &model_event);
	record_set_int(&ev, EVENT_ID, 1);
	record_set_text(&ev, EVENT_UUID,
			"e0e0e0e0-0000-4000-8000-000000000001");
	record_set_text(&ev, EVENT_INFO, "Generated event");
	if (f->begin(state, &o, &out, &e) < 0) {
		return 1;
	}
	for (long i = 0; i < n; i++) {
		const char *type = types[i % 6];
		struct export_item it = {&at, &ev, NULL, tags,
					 1,   1,   NULL, NULL};

		record_init(&at, &model_attribute);
		record_set_int(&at, ATTR_ID, i + 1);
		buf_clear(&uuid);
		buf_printf(&uuid, "a0000000-0000-4000-8000-%012lx", i);
		record_set_text(&at, ATTR_UUID, buf_str(&uuid));
		record_set_text(&at, ATTR_TYPE, type);
		record_set_text(&at, ATTR_CATEGORY, "Network activity");
		record_set_int(&at, ATTR_TO_IDS, 1);
		record_set_int(&at, ATTR_TIMESTAMP, 1700000000 + i);
		make_value(&value, type, i);
		record_set_text(&at, ATTR_VALUE, buf_str(&value));
		if (f->item(state, &it, &out, &e) < 0) {
			return 1;
		}
		if (out.len > 0) {
			fwrite(out.data, 1, out.len, sink);
		}
		buf_clear(&out);
		record_release(&at);
	}
	f->end(state, &out, &e);
	if (out.len > 0) {
		fwrite(out.data, 1, out.len, sink);
	}
	f->release(state);
	{
		struct rusage ru;
		double dt = seconds() - t0;

		getrusage(RUSAGE_SELF, &ru);
		printf("%-9s %8.1f MB peak RSS %10.0f attributes/s\n", name,
		       (double)ru.ru_maxrss / 1024.0, (double)n / dt);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct buf names = BUF_INIT;
	char *list, *name, *save;

	export_format_names(&names);
	list = buf_detach(&names);
	printf("%ld generated attributes, output to /dev/null\n", n);
	fflush(stdout);
	for (name = strtok_r(list, ", ", &save); name;
	     name = strtok_r(NULL, ", ", &save)) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			int rc = run_format(name, n);

			fflush(stdout);
			_exit(rc);
		}
		waitpid(pid, &status, 0);
		fflush(stdout);
	}
	free(list);
	return 0;
}
