/*
 * `cairn org add`: creates an organisation and prints its id.  A local
 * organisation has users on this instance; a remote one only owns data
 * received from elsewhere.
 */
#include "cli/cli.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int org_usage(const struct cli_option *opts, size_t nopts)
{
	printf("usage: cairn org add --data DIR NAME [--uuid UUID] "
	       "[--local|--remote]\n\nCreates an organisation and prints its "
	       "id on stdout.  Organisations are local unless --remote is "
	       "given.\n\n");
	cli_print_options(opts, nopts);
	return 0;
}

static int org_insert(struct store *s, const char *name, const char *uuid,
		      bool local, int64_t *id)
{
	struct record org;
	char generated[UUID_TEXT_SIZE];
	int rc;

	if (!uuid) {
		uuid_generate(generated);
		uuid = generated;
	}
	record_init(&org, &model_org);
	rc = record_set_text(&org, ORG_NAME, name);
	if (rc == 0) {
		rc = record_set_text(&org, ORG_UUID, uuid);
	}
	record_set_int(&org, ORG_LOCAL, local);
	if (rc == 0) {
		rc = store_insert(s, &org, id);
	}
	record_release(&org);
	return rc;
}

int cli_org(int argc, char **argv)
{
	const char *data = NULL, *uuid = NULL, *positional[1];
	bool local = false, remote = false, help = false;
	const struct cli_option opts[] = {
		{"--data", "DIR", "data directory", &data, NULL},
		{"--uuid", "UUID", "organisation UUID (default random)", &uuid,
		 NULL},
		{"--local", NULL, "an organisation of this instance (default)",
		 NULL, &local},
		{"--remote", NULL, "an organisation of another instance", NULL,
		 &remote},
		{"--help", NULL, "show this help", NULL, &help},
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]), npos = 0;
	struct store *s;
	int64_t id = 0;
	int rc;

	if (argc < 3 || strcmp(argv[2], "add") != 0) {
		if (argc >= 3 && strcmp(argv[2], "--help") == 0) {
			return org_usage(opts, nopts);
		}
		fprintf(stderr, "error: expected 'cairn org add'; "
				"`cairn org --help` shows the usage\n");
		return 2;
	}
	if (cli_parse(argc, argv, 3, opts, nopts, positional, 1, &npos) < 0) {
		return 2;
	}
	if (help) {
		return org_usage(opts, nopts);
	}
	if (!data || npos != 1 || !*positional[0]) {
		fprintf(stderr, "error: expected --data DIR and one non-empty "
				"organisation NAME\n");
		return 2;
	}
	if (local && remote) {
		fprintf(stderr, "error: --local and --remote exclude each "
				"other\n");
		return 2;
	}
	if (uuid && !codec_is_uuid(uuid)) {
		fprintf(stderr,
			"error: invalid --uuid '%s': expected a UUID such as "
			"5f4b0e3a-2c1d-4e8f-9a7b-6c5d4e3f2a1b\n",
			uuid);
		return 2;
	}
	s = cli_open_store(data);
	if (!s) {
		return 1;
	}
	rc = org_insert(s, positional[0], uuid, !remote, &id);
	if (rc == CAIRN_EEXIST) {
		fprintf(stderr,
			"error: an organisation named '%s' or with that UUID "
			"exists already\n",
			positional[0]);
	} else if (rc < 0) {
		fprintf(stderr, "error: adding organisation '%s' failed\n",
			positional[0]);
	} else {
		printf("%lld\n", (long long)id);
	}
	store_close(s);
	return rc < 0 ? 1 : 0;
}
