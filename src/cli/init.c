/*
 * `cairn init`: creates a data directory with the host organisation,
 * MISP's six default roles, the admin user and an API key printed once.
 * On a directory that is already initialised it changes nothing, unless
 * --new-key requests another admin key.  `cairn serve --init` calls
 * cli_init_instance() for the same work.
 */
#include "cli/cli.h"
#include "core/password.h"
#include "core/util.h"
#include "store/store.h"

#include <sodium.h>
#include "model/codec.h"
#include "model/misp.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		fflush(stdout);
	}
	return rc;
}

static int insert_org(struct store *s, const struct config *c,
		      int64_t *org_id)
{
	const char *org_uuid = config_get(c, CFG_ORG_UUID);
	char uuid[UUID_TEXT_SIZE], now[DATETIME_TEXT_SIZE];
	struct record org;
	int rc;

	record_init(&org, &model_organisation);
	record_set_int(&org, ORGN_ID, 1);
	record_set_text(&org, ORGN_NAME, config_get(c, CFG_ORG_NAME));
	if (!org_uuid) {
		uuid_generate(uuid);
		org_uuid = uuid;
	}
	record_set_text(&org, ORGN_UUID, org_uuid);
	record_set_int(&org, ORGN_LOCAL, 1);
	datetime_now(now);
	record_set_text(&org, ORGN_DATE_CREATED, now);
	record_set_text(&org, ORGN_DATE_MODIFIED, now);
	rc = store_insert(s, &org, org_id);
	record_release(&org);
	return rc;
}

static int insert_admin(struct store *s, const struct config *c,
			int64_t org_id, int64_t *user_id)
{
	struct record user;
	int rc;

	record_init(&user, &model_user);
	record_set_int(&user, USER_ORG_ID, org_id);
	record_set_int(&user, USER_ROLE_ID, 1);
	record_set_text(&user, USER_EMAIL, config_get(c, CFG_ADMIN_EMAIL));
	record_set_int(&user, USER_DATE_CREATED, time_now());
	record_set_int(&user, USER_DATE_MODIFIED, time_now());
	record_set_int(&user, USER_TERMSACCEPTED, 1);
	rc = store_insert(s, &user, user_id);
	record_release(&user);
	return rc;
}

/* Stores the Argon2id hash of the admin_password setting, when set. */
static int set_password(struct store *s, const struct config *c,
			int64_t user_id, struct cairn_err *e)
{
	const char *password = config_get(c, CFG_ADMIN_PASSWORD);
	struct buf hash = BUF_INIT;
	int rc;

	if (!password) {
		return 0;
	}
	rc = password_hash(password, strlen(password), &hash, e);
	if (rc == 0) {
		rc = store_user_password_set(s, user_id, buf_str(&hash), e);
	}
	buf_release(&hash);
	return rc;
}

static int create_instance(struct store *s, const struct config *c,
			   struct cairn_err *e)
{
	const char *key = config_get(c, CFG_ADMIN_KEY);
	int64_t org_id, user_id;
	int rc;

	rc = insert_org(s, c, &org_id);
	if (rc == 0) {
		rc = insert_roles(s);
	}
	if (rc == 0) {
		rc = insert_admin(s, c, org_id, &user_id);
	}
	if (rc == 0) {
		rc = set_password(s, c, user_id, e);
	}
	if (rc == 0) {
		rc = key ? cli_key_store(s, user_id, key) : 0;
	}
	if (rc < 0) {
		store_error(s, e);
		return rc;
	}
	/* Printed last, so a key is never shown for a failed start. */
	return key ? 0 : add_key(s, user_id);
}

int cli_init_instance(struct store *s, const struct config *c,
		      struct cairn_err *e)
{
	int rc = store_begin(s);

	if (rc == 0) {
		rc = create_instance(s, c, e);
	}
	if (rc == 0) {
		rc = store_commit(s);
	} else {
		store_rollback(s);
	}
	if (rc < 0) {
		store_error(s, e);
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
static int set_stdin_password(struct store *s, const char *email,
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
	if (b->data) {
		sodium_memzero(b->data, b->len);
	}
	buf_release(b);
}

static const enum config_key init_keys[] = {
	CFG_DATA, CFG_ORG_NAME, CFG_ORG_UUID, CFG_ADMIN_EMAIL,
	CFG_ADMIN_PASSWORD, CFG_ADMIN_KEY,
};

int cli_init(int argc, char **argv)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;
	bool new_key = false, password_stdin = false;
	const struct cli_option extra[] = {
		{"--new-key", NULL,
		 "on an existing directory, print a new admin key", NULL,
		 &new_key},
		{"--password-stdin", NULL,
		 "read the password of the --email user from stdin (at least "
		 "12 characters; one final newline is dropped)",
		 NULL, &password_stdin},
	};
	struct buf password = BUF_INIT;
	const char *data;
	struct store *s;
	int64_t count = 0;
	int rc, lock;

	config_init(&c);
	rc = cli_load_settings(
		argc, argv,
		"cairn init --data DIR [options]\n\n"
		"Also reads CAIRN_ADMIN_PASSWORD (checked, stored as an "
		"Argon2id hash)\nand CAIRN_ADMIN_KEY (40 letters and digits; "
		"generated when unset).",
		init_keys, sizeof(init_keys) / sizeof(init_keys[0]), extra, 2,
		NULL, 0, NULL, &c);
	data = config_get(&c, CFG_DATA);
	if (rc == 0 && !data) {
		fprintf(stderr, "error: missing --data DIR\n");
		rc = -1;
	}
	if (rc != 0) {
		config_release(&c);
		return rc < 0 ? 2 : 0;
	}
	if (password_stdin && read_password(stdin, &password) < 0) {
		wipe(&password);
		config_release(&c);
		return 2;
	}
	if (mkdir(data, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "error: cannot create '%s': %s\n", data,
			strerror(errno));
		config_release(&c);
		return 1;
	}
	/* A server that holds the lock has an initialised directory, which
	 * only --new-key changes, so init goes on without the lock then. */
	lock = cli_database_exists(data) ? -1 : cli_lock_data(data);
	if (!cli_database_exists(data) && lock < 0) {
		config_release(&c);
		return 1;
	}
	s = cli_open_store(data);
	if (!s) {
		rc = -1;
	} else {
		rc = store_count(s, &model_org, "id", 1, &count);
	}
	if (s && rc == 0 && count > 0) {
		/* --new-key and --password-stdin still change what they
		 * name, so the message says only what was left alone. */
		fprintf(stderr,
			"data directory '%s' is already initialised; %s\n",
			data,
			new_key || password_stdin
				? "its organisation and users are kept"
				: "nothing changed");
		rc = new_key ? add_key(s, 1) : 0;
	} else if (s && rc == 0) {
		rc = cli_init_instance(s, &c, &e);
		if (rc < 0) {
			fprintf(stderr, "error: initialising '%s' failed: %s\n",
				data, buf_str(&e.message));
		}
	}
	if (s && rc == 0 && password_stdin) {
		rc = set_stdin_password(s, config_get(&c, CFG_ADMIN_EMAIL),
					&password);
	}
	wipe(&password);
	store_close(s);
	if (lock >= 0) {
		close(lock);
	}
	cairn_err_release(&e);
	config_release(&c);
	return rc < 0 ? 1 : 0;
}
