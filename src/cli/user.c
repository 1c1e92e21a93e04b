/*
 * `cairn user add`: creates a user of an organisation with a role and an
 * API key, and prints the user's id and the key, which is shown only
 * this once because the store keeps only its SHA-256.
 */
#include "cli/cli.h"
#include "core/util.h"
#include "model/misp.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_key_store(struct store *s, int64_t user_id, const char *key)
{
	char hash[SHA256_HEX_SIZE];
	char start[5], end[5];
	int64_t id;

	sha256_hex(key, strlen(key), hash);
	memcpy(start, key, 4);
	start[4] = '\0';
	memcpy(end, key + API_KEY_LENGTH - 4, 5);
	return store_authkey_add(s, user_id, hash, start, end, &id);
}

int cli_key_create(struct store *s, int64_t user_id,
		   char key[API_KEY_LENGTH + 1])
{
	api_key_generate(key);
	return cli_key_store(s, user_id, key);
}

static int user_usage(const struct cli_option *opts, size_t nopts)
{
	printf("usage: cairn user add --data DIR --org ID --role ID EMAIL\n\n"
	       "Creates a user and prints two lines on stdout: the user's id, "
	       "then the API key (shown once).\n\n");
	cli_print_options(opts, nopts);
	return 0;
}

/* Parses a positive row id; returns 0 for anything else. */
static int64_t parse_id(const char *text)
{
	char *end;
	long long v;

	if (!text || !*text) {
		return 0;
	}
	v = strtoll(text, &end, 10);
	return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

static int user_insert(struct store *s, int64_t org_id, int64_t role_id,
		       const char *email, int64_t *id)
{
	struct record user;
	int rc;

	record_init(&user, &model_user);
	record_set_int(&user, USER_ORG_ID, org_id);
	record_set_int(&user, USER_ROLE_ID, role_id);
	rc = record_set_text(&user, USER_EMAIL, email);
	record_set_int(&user, USER_DATE_CREATED, time_now());
	record_set_int(&user, USER_DATE_MODIFIED, time_now());
	record_set_int(&user, USER_TERMSACCEPTED, 1);
	if (rc == 0) {
		rc = store_insert(s, &user, id);
	}
	record_release(&user);
	return rc;
}

/* Checks that the organisation and the role exist, printing what is
 * missing. */
static int check_refs(struct store *s, int64_t org_id, int64_t role_id)
{
	int64_t count = 0;

	if (store_count(s, &model_org, "id", org_id, &count) < 0 ||
	    count == 0) {
		fprintf(stderr, "error: organisation %lld not found\n",
			(long long)org_id);
		return CAIRN_ENOTFOUND;
	}
	if (store_count(s, &model_role, "id", role_id, &count) < 0 ||
	    count == 0) {
		fprintf(stderr,
			"error: role %lld not found; the default roles are 1 "
			"(admin) to 6 (Read Only)\n",
			(long long)role_id);
		return CAIRN_ENOTFOUND;
	}
	return 0;
}

static int user_create(struct store *s, int64_t org_id, int64_t role_id,
		       const char *email)
{
	char key[API_KEY_LENGTH + 1];
	int64_t id = 0;
	int rc = check_refs(s, org_id, role_id);

	if (rc == 0) {
		rc = store_begin(s);
	}
	if (rc == 0) {
		rc = user_insert(s, org_id, role_id, email, &id);
		if (rc == CAIRN_EEXIST) {
			fprintf(stderr, "error: a user with e-mail '%s' exists "
					"already\n",
				email);
		}
	}
	if (rc == 0) {
		rc = cli_key_create(s, id, key);
	}
	rc = rc == 0 ? store_commit(s) : (store_rollback(s), rc);
	if (rc == 0) {
		printf("%lld\n%s\n", (long long)id, key);
	}
	return rc;
}

int cli_user(int argc, char **argv)
{
	const char *data = NULL, *org = NULL, *role = NULL, *positional[1];
	bool help = false;
	const struct cli_option opts[] = {
		{"--data", "DIR", "data directory", &data, NULL},
		{"--org", "ID", "id of the user's organisation", &org, NULL},
		{"--role", "ID", "id of the user's role", &role, NULL},
		{"--help", NULL, "show this help", NULL, &help},
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]), npos = 0;
	struct store *s;
	int rc;

	if (argc < 3 || strcmp(argv[2], "add") != 0) {
		if (argc >= 3 && strcmp(argv[2], "--help") == 0) {
			return user_usage(opts, nopts);
		}
		fprintf(stderr, "error: expected 'cairn user add'; "
				"`cairn user --help` shows the usage\n");
		return 2;
	}
	if (cli_parse(argc, argv, 3, opts, nopts, positional, 1, &npos) < 0) {
		return 2;
	}
	if (help) {
		return user_usage(opts, nopts);
	}
	if (!data || npos != 1 || !strchr(positional[0], '@')) {
		fprintf(stderr, "error: expected --data DIR and one EMAIL "
				"address\n");
		return 2;
	}
	if (!parse_id(org) || !parse_id(role)) {
		fprintf(stderr, "error: invalid --org '%s' or --role '%s': "
				"expected positive ids\n",
			org ? org : "", role ? role : "");
		return 2;
	}
	s = cli_open_store(data);
	if (!s) {
		return 1;
	}
	rc = user_create(s, parse_id(org), parse_id(role), positional[0]);
	if (rc < 0 && rc != CAIRN_ENOTFOUND && rc != CAIRN_EEXIST) {
		fprintf(stderr, "error: adding user '%s' failed\n",
			positional[0]);
	}
	store_close(s);
	return rc < 0 ? 1 : 0;
}
