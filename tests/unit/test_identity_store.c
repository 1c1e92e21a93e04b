/* Unit tests of the store's identity functions (store/sqlite_identity.c)
 * on a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/util.h"
#include "model/misp.h"
#include "store/identity.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
	struct buf dir;
	struct buf path;
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *tmp = getenv("TMPDIR");

	assert_non_null(f);
	buf_printf(&f->dir, "%s/cairn-identity-XXXXXX",
		   tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir.data));
	buf_printf(&f->path, "%s/cairn.db", f->dir.data);
	assert_int_equal(store_open(&f->s, f->path.data, &e), 0);
	cairn_err_release(&e);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const suffixes[] = {"", "-wal", "-shm"};

	store_close(f->s);
	for (size_t i = 0; i < 3; i++) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s%s", f->path.data, suffixes[i]);
		unlink(b.data);
		buf_release(&b);
	}
	rmdir(f->dir.data);
	buf_release(&f->dir);
	buf_release(&f->path);
	free(f);
	return 0;
}

static int64_t add_org(struct fixture *f, const char *name, bool local,
		       const char *sector)
{
	struct record r;
	int64_t id;

	record_init(&r, &model_organisation);
	record_set_text(&r, ORGN_NAME, name);
	record_set_int(&r, ORGN_LOCAL, local);
	record_set_text(&r, ORGN_SECTOR, sector);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_role(struct fixture *f, const char *name, bool is_default)
{
	struct record r;
	int64_t id;

	record_init(&r, &model_role);
	record_set_text(&r, ROLE_NAME, name);
	record_set_int(&r, ROLE_DEFAULT, is_default);
	record_set_text(&r, ROLE_MEMORY_LIMIT, "");
	record_set_text(&r, ROLE_MAX_EXECUTION_TIME, "");
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

static int64_t add_user(struct fixture *f, int64_t org, int64_t role,
			const char *email)
{
	struct record r;
	int64_t id;

	record_init(&r, &model_user);
	record_set_int(&r, USER_ORG_ID, org);
	record_set_int(&r, USER_ROLE_ID, role);
	record_set_text(&r, USER_EMAIL, email);
	assert_int_equal(store_insert(f->s, &r, &id), 0);
	record_release(&r);
	return id;
}

struct ids {
	int64_t id[16];
	size_t n;
};

static int collect(void *ctx, int64_t id)
{
	struct ids *l = ctx;

	assert_true(l->n < 16);
	l->id[l->n++] = id;
	return 0;
}

static struct ids list(struct fixture *f, enum store_id_list which,
		       int64_t org, int64_t user, const char *search)
{
	struct ids l = {{0}, 0};

	assert_int_equal(store_list_ids(f->s, which, org, user, search,
					collect, &l),
			 0);
	return l;
}

static void org_lists(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_org(f, "Alpha CERT", true, "Finance");
	int64_t b = add_org(f, "Beta", false, "100% energy");
	struct ids l;

	l = list(f, STORE_LIST_ORGS, 0, 0, NULL);
	assert_int_equal(l.n, 2);
	l = list(f, STORE_LIST_ORGS_LOCAL, 0, 0, NULL);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.id[0], a);
	l = list(f, STORE_LIST_ORGS_EXTERNAL, 0, 0, NULL);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.id[0], b);
	l = list(f, STORE_LIST_ORGS, 0, 0, "cert");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.id[0], a);
	/* '%' and '_' are plain characters in a search. */
	l = list(f, STORE_LIST_ORGS, 0, 0, "0% e");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.id[0], b);
	l = list(f, STORE_LIST_ORGS, 0, 0, "_");
	assert_int_equal(l.n, 0);
}

static void user_and_key_lists(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_org(f, "A", true, "");
	int64_t b = add_org(f, "B", true, "");
	int64_t role = add_role(f, "r", false);
	int64_t ua = add_user(f, a, role, "one@a.test");
	int64_t ub = add_user(f, b, role, "two@b.test");
	struct ids l;

	assert_int_equal(store_authkey_add(f->s, ua, "aa", "s", "e", NULL), 0);
	assert_int_equal(store_authkey_add(f->s, ub, "bb", "s", "e", NULL), 0);
	assert_int_equal(store_authkey_add(f->s, ub, "cc", "s", "e", NULL), 0);

	l = list(f, STORE_LIST_USERS, 0, 0, NULL);
	assert_int_equal(l.n, 2);
	l = list(f, STORE_LIST_USERS, b, 0, NULL);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.id[0], ub);
	l = list(f, STORE_LIST_USERS, 0, 0, "ONE@");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.id[0], ua);
	l = list(f, STORE_LIST_AUTHKEYS, 0, 0, NULL);
	assert_int_equal(l.n, 3);
	l = list(f, STORE_LIST_AUTHKEYS, a, 0, NULL);
	assert_int_equal(l.n, 1);
	l = list(f, STORE_LIST_AUTHKEYS, 0, ub, NULL);
	assert_int_equal(l.n, 2);
	l = list(f, STORE_LIST_AUTHKEYS, a, ub, NULL);
	assert_int_equal(l.n, 0);
}

/* An expired key is still found, so that the caller can say it expired. */
static void authkey_lookup_by_hash(void **state)
{
	struct fixture *f = *state;
	int64_t org = add_org(f, "A", true, "");
	int64_t user = add_user(f, org, add_role(f, "r", false), "u@a.test");
	char hash[SHA256_HEX_SIZE];
	struct buf stored = BUF_INIT;
	struct record key;
	int64_t id, key_id = 0, found = 0;

	sha256_hex("k", 1, hash);
	assert_int_equal(store_authkey_add(f->s, user, hash, "k", "k", &id), 0);
	record_init(&key, &model_authkey);
	record_set_int(&key, AUTHKEY_EXPIRATION, 1);
	assert_int_equal(store_update(f->s, &key, id), 0);
	record_release(&key);

	assert_int_equal(store_authkey_lookup(f->s, hash, &key_id, &found,
					      &stored),
			 0);
	assert_int_equal(key_id, id);
	assert_int_equal(found, user);
	assert_string_equal(buf_str(&stored), hash);
	hash[0] = hash[0] == 'a' ? 'b' : 'a';
	assert_int_equal(store_authkey_lookup(f->s, hash, &key_id, &found,
					      &stored),
			 CAIRN_ENOTFOUND);
	buf_release(&stored);
}

static void default_role(void **state)
{
	struct fixture *f = *state;
	int64_t first = add_role(f, "first", true);
	int64_t second = add_role(f, "second", false);
	int64_t id = 0;

	assert_int_equal(store_role_default(f->s, &id), 0);
	assert_int_equal(id, first);
	assert_int_equal(store_role_set_default(f->s, second), 0);
	assert_int_equal(store_role_default(f->s, &id), 0);
	assert_int_equal(id, second);
	assert_int_equal(store_role_set_default(f->s, second + 10),
			 CAIRN_ENOTFOUND);
	assert_int_equal(store_role_default(f->s, &id), 0);
	assert_int_equal(id, second);
}

static void event_creator(void **state)
{
	struct fixture *f = *state;
	int64_t org = add_org(f, "A", true, "");
	struct record ev;
	int64_t event, creator = -1;

	record_init(&ev, &model_event);
	record_set_int(&ev, EVENT_ORG_ID, org);
	record_set_int(&ev, EVENT_ORGC_ID, org);
	record_set_text(&ev, EVENT_INFO, "x");
	assert_int_equal(store_insert(f->s, &ev, &event), 0);
	record_release(&ev);

	assert_int_equal(store_event_creator(f->s, event, &creator), 0);
	assert_int_equal(creator, 0);
	assert_int_equal(store_event_creator_set(f->s, event, 42), 0);
	assert_int_equal(store_event_creator(f->s, event, &creator), 0);
	assert_int_equal(creator, 42);
	assert_int_equal(store_event_creator_set(f->s, event + 1, 42),
			 CAIRN_ENOTFOUND);
}

static void tag_creation_switch(void **state)
{
	struct fixture *f = *state;
	struct record tag;
	int64_t id = 0, again = 0;

	record_init(&tag, &model_tag);
	record_set_text(&tag, TAG_NAME, "tlp:clear");
	record_set_text(&tag, TAG_COLOUR, "#ffffff");
	store_tag_creation_set(f->s, false);
	assert_int_equal(store_tag_ensure(f->s, &tag, &id), CAIRN_EDENIED);
	store_tag_creation_set(f->s, true);
	assert_int_equal(store_tag_ensure(f->s, &tag, &id), 0);
	/* An existing tag is found whatever the switch says. */
	store_tag_creation_set(f->s, false);
	assert_int_equal(store_tag_ensure(f->s, &tag, &again), 0);
	assert_int_equal(again, id);
	store_tag_creation_set(f->s, true);
	record_release(&tag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(org_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(user_and_key_lists, setup,
						teardown),
		cmocka_unit_test_setup_teardown(authkey_lookup_by_hash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(default_role, setup, teardown),
		cmocka_unit_test_setup_teardown(event_creator, setup, teardown),
		cmocka_unit_test_setup_teardown(tag_creation_switch, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
