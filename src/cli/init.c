/*
 * `cairn init`: creates a data directory with the host organisation,
 * MISP's six default roles, the admin user and an API key printed once.
 * On a directory that is already initialised it changes nothing, unless
 * --new-key requests another admin key.
 */
#include "cli/cli.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* MISP's default roles; each string lists the permissions set to true. */
static const struct {
	int id;
	const char *name;
	const char *perms;
	bool is_default;
} default_roles[] = {
	{1, "admin",
	 "add modify modify_org publish delegate sync admin audit auth "
	 "site_admin regexp_access tagger template sharing_group tag_editor "
	 "sighting object_template galaxy_editor warninglist publish_zmq "
	 "publish_kafka decaying",
	 false},
	{2, "Org Admin",
	 "add modify modify_org publish delegate admin audit auth tagger "
	 "template sharing_group tag_editor sighting galaxy_editor "
	 "publish_zmq publish_kafka decaying",
	 false},
	{3, "User", "add modify modify_org delegate audit auth tagger "
		    "sighting galaxy_editor decaying",
	 true},
	{4, "Publisher",
	 "add modify modify_org publish delegate audit auth tagger sighting "
	 "galaxy_editor publish_zmq publish_kafka decaying",
	 false},
	{5, "Sync user",
	 "add modify modify_org publish delegate sync audit auth tagger "
	 "sharing_group tag_editor sighting galaxy_editor publish_zmq "
	 "publish_kafka",
	 false},
	{6, "Read Only", "audit auth", false},
};

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n) {
		bool starts = p == list || p[-1] == ' ';
		bool ends = p[n] == '\0' || p[n] == ' ';

		if (starts && ends) {
			return true;
		}
	}
	return false;
}

static int insert_roles(struct store *s)
{
	for (size_t r = 0; r < sizeof(default_roles) / sizeof(default_roles[0]);
	     r++) {
		struct record role;
		int64_t id;
		int rc;

		record_init(&role, &model_role);
		record_set_int(&role, ROLE_ID, default_roles[r].id);
		record_set_text(&role, ROLE_NAME, default_roles[r].name);
		for (size_t i = 0; i < model_role.nfields; i++) {
			const char *col = model_role.fields[i].name;

			if (strncmp(col, "perm_", 5) == 0) {
				record_set_int(&role, (int)i,
					       has_word(default_roles[r].perms,
							col + 5));
			}
		}
		record_set_int(&role, ROLE_DEFAULT, default_roles[r].is_default);
		record_set_text(&role, ROLE_MEMORY_LIMIT, "");
		record_set_text(&role, ROLE_MAX_EXECUTION_TIME, "");
		rc = store_insert(s, &role, &id);
		record_release(&role);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

/* Creates a key for the user, stores its hash and prints it once. */
static int add_key(struct store *s, int64_t user_id)
{
	char key[API_KEY_LENGTH + 1];
	int rc = cli_key_create(s, user_id, key);

	if (rc == 0) {
		printf("admin API key (shown once, keep it safe):\n%s\n", key);
	}
	return rc;
}

static int create_instance(struct store *s, const char *org_name,
			   const char *org_uuid, const char *email)
{
	struct record org, user;
	char uuid[UUID_TEXT_SIZE], now[DATETIME_TEXT_SIZE];
	int64_t org_id, user_id;
	int rc;

	record_init(&org, &model_organisation);
	record_set_int(&org, ORGN_ID, 1);
	record_set_text(&org, ORGN_NAME, org_name);
	if (!org_uuid) {
		uuid_generate(uuid);
		org_uuid = uuid;
	}
	record_set_text(&org, ORGN_UUID, org_uuid);
	record_set_int(&org, ORGN_LOCAL, 1);
	datetime_now(now);
	record_set_text(&org, ORGN_DATE_CREATED, now);
	record_set_text(&org, ORGN_DATE_MODIFIED, now);
	rc = store_insert(s, &org, &org_id);
	record_release(&org);
	if (rc == 0) {
		rc = insert_roles(s);
	}
	if (rc == 0) {
		record_init(&user, &model_user);
		record_set_int(&user, USER_ORG_ID, org_id);
		record_set_int(&user, USER_ROLE_ID, 1);
		record_set_text(&user, USER_EMAIL, email);
		record_set_int(&user, USER_DATE_CREATED, time_now());
		record_set_int(&user, USER_DATE_MODIFIED, time_now());
		record_set_int(&user, USER_TERMSACCEPTED, 1);
		rc = store_insert(s, &user, &user_id);
		record_release(&user);
	}
	if (rc == 0) {
		rc = add_key(s, user_id);
	}
	return rc;
}

int cli_init(int argc, char **argv)
{
	const char *data = NULL, *org_name = "ORGNAME", *org_uuid = NULL;
	const char *email = "admin@admin.test";
	bool new_key = false, help = false;
	const struct cli_option opts[] = {
		{"--data", "DIR", "data directory to create", &data, NULL},
		{"--org-name", "NAME", "host organisation (default ORGNAME)",
		 &org_name, NULL},
		{"--org-uuid", "UUID", "host organisation UUID (default random)",
		 &org_uuid, NULL},
		{"--email", "EMAIL", "admin e-mail (default admin@admin.test)",
		 &email, NULL},
		{"--new-key", NULL,
		 "on an existing directory, print a new admin key", NULL,
		 &new_key},
		{"--help", NULL, "show this help", NULL, &help},
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]), npos;
	struct store *s;
	int64_t count = 0;
	int rc;

	if (cli_parse(argc, argv, 2, opts, nopts, NULL, 0, &npos) < 0) {
		return 2;
	}
	if (help) {
		printf("usage: cairn init --data DIR [options]\n");
		cli_print_options(opts, nopts);
		return 0;
	}
	if (!data) {
		fprintf(stderr, "error: missing --data DIR\n");
		return 2;
	}
	if (org_uuid && !codec_is_uuid(org_uuid)) {
		fprintf(stderr,
			"error: invalid --org-uuid '%s': expected a UUID such "
			"as 5f4b0e3a-2c1d-4e8f-9a7b-6c5d4e3f2a1b\n",
			org_uuid);
		return 2;
	}
	if (!*org_name || !strchr(email, '@')) {
		fprintf(stderr, "error: --org-name must not be empty and "
				"--email must be an e-mail address\n");
		return 2;
	}
	if (mkdir(data, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "error: cannot create '%s': %s\n", data,
			strerror(errno));
		return 1;
	}
	s = cli_open_store(data);
	if (!s) {
		return 1;
	}
	rc = store_count(s, &model_org, "id", 1, &count);
	if (rc == 0 && count > 0) {
		fprintf(stderr, "data directory '%s' is already initialised; "
				"nothing changed\n",
			data);
		rc = new_key ? add_key(s, 1) : 0;
		store_close(s);
		return rc < 0 ? 1 : 0;
	}
	rc = store_begin(s);
	if (rc == 0) {
		rc = create_instance(s, org_name, org_uuid, email);
	}
	rc = rc == 0 ? store_commit(s) : (store_rollback(s), rc);
	if (rc < 0) {
		fprintf(stderr, "error: initialising '%s' failed\n", data);
	}
	store_close(s);
	return rc < 0 ? 1 : 0;
}
