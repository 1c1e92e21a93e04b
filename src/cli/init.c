/*
 * `cairn init`: creates a data directory with the host organisation,
 * MISP's six default roles, the admin user and an API key printed once.
 * On a directory that is already initialised it changes nothing, unless
 * --new-key requests another admin key.
 */
#include "cli/cli.h"
#include "core/password.h"
#include "core/util.h"
#include "model/codec.h"
#include "model/misp.h"
#include "store/store.h"

#include <errno.h>
#include <sodium.h>
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
	{3, "User", "add modify modify_org delegate auth tagger sighting "
		    "galaxy_editor decaying",
	 true},
	{4, "Publisher",
	 "add modify modify_org publish delegate auth tagger sighting "
	 "galaxy_editor publish_zmq publish_kafka decaying",
	 false},
	{5, "Sync user",
	 "add modify modify_org publish delegate sync auth tagger "
	 "sharing_group tag_editor sighting galaxy_editor publish_zmq "
	 "publish_kafka",
	 false},
	{6, "Read Only", "auth", false},
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
	char key[API_KEY_LENGTH + 1], hash[SHA256_HEX_SIZE];
	char start[5], end[5];
	int64_t id;
	int rc;

	api_key_generate(key);
	sha256_hex(key, strlen(key), hash);
	memcpy(start, key, 4);
	start[4] = '\0';
	memcpy(end, key + API_KEY_LENGTH - 4, 5);
	rc = store_authkey_add(s, user_id, hash, start, end, &id);
	if (rc == 0) {
		printf("admin API key (shown once, keep it safe):\n%s\n", key);
	}
	return rc;
}

static int create_instance(struct store *s, const char *org_name,
			   const char *org_uuid, const char *email)
{
	struct record org, user;
	char uuid[UUID_TEXT_SIZE];
	int64_t org_id, user_id;
	int rc;

	record_init(&org, &model_org);
	record_set_int(&org, ORG_ID, 1);
	record_set_text(&org, ORG_NAME, org_name);
	if (!org_uuid) {
		uuid_generate(uuid);
		org_uuid = uuid;
	}
	record_set_text(&org, ORG_UUID, org_uuid);
	record_set_int(&org, ORG_LOCAL, 1);
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

/* Reads a password from stdin: everything up to EOF, without one final
 * newline (LF or CR LF), so that `echo` and `printf` both work.  Checks
 * it with password_check(); the password never goes in argv. */
static int read_password(FILE *in, struct buf *out)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	char chunk[256];
	size_t n;
	int rc = 0;

	out->max = PASSWORD_MAX_LENGTH + 2;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
		rc = buf_add(out, chunk, n);
	}
	sodium_memzero(chunk, sizeof(chunk));
	if (rc < 0) {
		fprintf(stderr, "error: password on stdin too long: expected at "
				"most %d bytes\n",
			PASSWORD_MAX_LENGTH);
		return -1;
	}
	if (out->len && out->data[out->len - 1] == '\n') {
		out->data[--out->len] = '\0';
	}
	if (out->len && out->data[out->len - 1] == '\r') {
		out->data[--out->len] = '\0';
	}
	rc = password_check(buf_str(out), out->len, &e);
	if (rc < 0) {
		fprintf(stderr, "error: invalid password on stdin: %s\n",
			buf_str(&e.message));
	}
	cairn_err_release(&e);
	return rc < 0 ? -1 : 0;
}

/* Sets the password of the user with `email`. */
static int set_password(struct store *s, const char *email,
			const struct buf *password)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf hash = BUF_INIT;
	int64_t user_id;
	int rc = store_find(s, &model_user, "email", email, &user_id);

	if (rc < 0) {
		fprintf(stderr, "error: no user '%s' to set the password of\n",
			email);
	}
	if (rc == 0) {
		rc = password_hash(password->data, password->len, &hash, &e);
	}
	if (rc == 0) {
		rc = store_user_password_set(s, user_id, buf_str(&hash), &e);
	}
	if (rc < 0 && e.message.len) {
		fprintf(stderr, "error: setting the password failed: %s\n",
			buf_str(&e.message));
	}
	if (rc == 0) {
		fprintf(stderr, "password of '%s' set\n", email);
	}
	sodium_memzero(hash.data, hash.len);
	buf_release(&hash);
	cairn_err_release(&e);
	return rc;
}

static void wipe(struct buf *b)
{
	sodium_memzero(b->data, b->len);
	buf_release(b);
}

int cli_init(int argc, char **argv)
{
	const char *data = NULL, *org_name = "ORGNAME", *org_uuid = NULL;
	const char *email = "admin@admin.test";
	bool new_key = false, help = false, password_stdin = false;
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
		{"--password-stdin", NULL,
		 "read the password of the --email user from stdin (at least "
		 "12 characters; one final newline is dropped)",
		 NULL, &password_stdin},
		{"--help", NULL, "show this help", NULL, &help},
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]), npos;
	struct buf password = BUF_INIT;
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
	if (password_stdin && read_password(stdin, &password) < 0) {
		wipe(&password);
		return 2;
	}
	if (mkdir(data, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "error: cannot create '%s': %s\n", data,
			strerror(errno));
		wipe(&password);
		return 1;
	}
	s = cli_open_store(data);
	if (!s) {
		wipe(&password);
		return 1;
	}
	rc = store_count(s, &model_org, "id", 1, &count);
	if (rc == 0 && count > 0) {
		fprintf(stderr, "data directory '%s' is already initialised; "
				"nothing changed%s\n",
			data, password_stdin ? " but the password" : "");
		rc = new_key ? add_key(s, 1) : 0;
		if (rc == 0 && password_stdin) {
			rc = set_password(s, email, &password);
		}
		store_close(s);
		wipe(&password);
		return rc < 0 ? 1 : 0;
	}
	rc = store_begin(s);
	if (rc == 0) {
		rc = create_instance(s, org_name, org_uuid, email);
	}
	if (rc == 0 && password_stdin) {
		rc = set_password(s, email, &password);
	}
	rc = rc == 0 ? store_commit(s) : (store_rollback(s), rc);
	if (rc < 0) {
		fprintf(stderr, "error: initialising '%s' failed\n", data);
	}
	store_close(s);
	wipe(&password);
	return rc < 0 ? 1 : 0;
}
