/*
 * `cairn export`: writes the output of attributes/restSearch to stdout,
 * as the site admin, for cron jobs that feed firewalls and sensors.
 *
 * The filters are those of attributes/restSearch, read by the same code
 * (api/search_request.c): a JSON body file (--filters FILE) and any
 * number of --filter NAME=VALUE, where a repeated NAME makes a list and a
 * VALUE that starts with '[' or '{' is read as JSON.  The output is
 * written as it is produced, one row at a time.
 */
#include "api/library.h"
#include "api/search.h"
#include "cli/cli.h"
#include "core/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_MAX_ARGS 512

static const char usage_text[] =
    "cairn export --data DIR --format FMT [--filter NAME=VALUE]... "
    "[--filters FILE]";

/* Adds NAME=VALUE to `body`; a second value of NAME makes a list. */
static int add_filter(json_t *body, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name;
	json_t *value;
	json_t *old;
	int rc;

	if (!eq || eq == arg) {
		fprintf(stderr,
			"error: invalid --filter '%s': expected NAME=VALUE\n",
			arg);
		return -1;
	}
	name = strndup(arg, (size_t)(eq - arg));
	value = eq[1] == '[' || eq[1] == '{' ? json_loads(eq + 1, 0, NULL)
					     : json_string(eq + 1);
	if (!name || !value) {
		fprintf(stderr,
			"error: invalid --filter '%s': the value is not valid "
			"JSON\n",
			arg);
		free(name);
		json_decref(value);
		return -1;
	}
	old = json_object_get(body, name);
	if (old && json_is_array(old)) {
		rc = json_array_append_new(old, value);
	} else if (old) {
		rc = json_object_set_new(body, name,
					 json_pack("[Oo]", old, value));
	} else {
		rc = json_object_set_new(body, name, value);
	}
	free(name);
	return rc;
}

/* Moves the --filter options out of argv into `body`, leaving the rest in
 * `rest` for the option parser. */
static int take_filters(int argc, char **argv, json_t *body, char **rest,
			int *nrest)
{
	*nrest = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--filter") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "error: --filter needs "
						"NAME=VALUE\n");
				return -1;
			}
			if (add_filter(body, argv[++i]) < 0) {
				return -1;
			}
		} else if (strncmp(arg, "--filter=", 9) == 0) {
			if (add_filter(body, arg + 9) < 0) {
				return -1;
			}
		} else if (*nrest < EXPORT_MAX_ARGS) {
			rest[(*nrest)++] = argv[i];
		} else {
			fprintf(stderr, "error: too many arguments\n");
			return -1;
		}
	}
	return 0;
}

/* Reads --filters FILE, a JSON object, under the --filter options. */
static json_t *read_filter_file(const char *file, json_t *body)
{
	json_error_t jerr;
	json_t *loaded = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);

	if (!loaded || !json_is_object(loaded)) {
		fprintf(stderr,
			"error: invalid --filters file '%s' at line %d: %s\n",
			file, jerr.line,
			loaded ? "expected a JSON object of filters"
			       : jerr.text);
		json_decref(loaded);
		return NULL;
	}
	json_object_update(loaded, body);
	return loaded;
}

/* Writes the output to stdout as it is produced. */
static int write_output(struct search_output *out)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf chunk = BUF_INIT;
	int rc;

	do {
		rc = search_output_next(out, &chunk, &e);
		if (chunk.len &&
		    fwrite(chunk.data, 1, chunk.len, stdout) != chunk.len) {
			fprintf(stderr, "error: writing to stdout failed\n");
			rc = -1;
		}
		buf_clear(&chunk);
	} while (rc > 0);
	if (rc < 0 && e.code) {
		fprintf(stderr, "error: export failed after %lld rows: %s\n",
			(long long)search_output_rows(out),
			buf_str(&e.message));
	}
	buf_release(&chunk);
	cairn_err_release(&e);
	return rc < 0 || fflush(stdout) != 0 ? 1 : 0;
}

static int run_export(const struct config *c, json_t *body)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct search_request r;
	struct search_output_config cfg;
	struct search_output *out = NULL;
	struct library *lib = NULL;
	struct library_dirs dirs;
	struct buf scratch[4] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
	struct store *s = cli_open_store(config_get(c, CFG_DATA));
	int rc;

	if (!s) {
		return 1;
	}
	library_dirs_from(&dirs, config_get(c, CFG_LIBRARY),
			  config_get(c, CFG_WARNINGLISTS), NULL, NULL, NULL,
			  scratch);
	dirs.taxonomies = dirs.galaxies = dirs.object_templates = NULL;
	rc = library_open(&lib, &dirs, s, &e);
	if (rc == 0) {
		rc = search_request_parse(&r, SEARCH_EP_ATTRIBUTES, body, NULL,
					  s, time_now(), &e);
	}
	if (rc == 0) {
		rc = search_prepare(&r, SEARCH_EP_ATTRIBUTES,
				    lib ? lib->warninglists : NULL, &cfg, &e);
	}
	if (rc == 0 &&
	    (r.o.enforce_warninglist || r.o.include_warninglist_hits) &&
	    !(lib && lib->warninglists)) {
		rc = cairn_err_set(&e, CAIRN_EINVAL,
				   "enforceWarninglist needs warninglists: "
				   "set --warninglists DIR or --library DIR");
	}
	if (rc == 0) {
		cfg.store = s;
		cfg.viewer = &store_viewer_system;
		rc = search_output_open(&out, &cfg);
	}
	if (rc < 0) {
		fprintf(stderr, "error: %s\n",
			e.code ? buf_str(&e.message) : cairn_code_name(rc));
		rc = rc == CAIRN_EINVAL ? 2 : 1;
	} else {
		rc = write_output(out);
	}
	search_output_close(out);
	search_request_release(&r);
	library_free(lib);
	for (size_t i = 0; i < 4; i++) {
		buf_release(&scratch[i]);
	}
	store_close(s);
	cairn_err_release(&e);
	return rc;
}

int cli_export(int argc, char **argv)
{
	static const enum config_key keys[] = {CFG_DATA, CFG_LIBRARY,
					       CFG_WARNINGLISTS, CFG_LOG_LEVEL};
	const char *format = NULL;
	const char *filter_file = NULL;
	const struct cli_option extra[] = {
	    {"--format", "FMT",
	     "returnFormat: json, or a format that restSearch lists", &format,
	     NULL},
	    {"--filters", "FILE",
	     "a JSON object of restSearch filters, as a request body",
	     &filter_file, NULL},
	};
	char *rest[EXPORT_MAX_ARGS];
	int nrest;
	json_t *body = json_object();
	struct config c;
	int rc;

	config_init(&c);
	rc = body ? take_filters(argc, argv, body, rest, &nrest) : -1;
	if (rc == 0) {
		rc = cli_load_settings(nrest, rest, usage_text, keys,
				       sizeof(keys) / sizeof(keys[0]), extra,
				       sizeof(extra) / sizeof(extra[0]), NULL,
				       0, NULL, &c);
	}
	if (rc == 1) {
		printf("--filter NAME=VALUE sets one restSearch filter; repeat "
		       "it, and repeat a NAME for a list.\n");
	} else if (rc == 0 && (!config_get(&c, CFG_DATA) || !format)) {
		fprintf(stderr, "error: usage: %s\n", usage_text);
		rc = -1;
	}
	if (rc == 0 && filter_file) {
		json_t *merged = read_filter_file(filter_file, body);

		json_decref(body);
		body = merged;
		rc = body ? 0 : -1;
	}
	if (rc == 0) {
		json_object_set_new(body, "returnFormat", json_string(format));
		rc = run_export(&c, body);
	} else {
		rc = rc == 1 ? 0 : 2;
	}
	json_decref(body);
	config_release(&c);
	return rc;
}
