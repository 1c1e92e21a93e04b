/*
 * Unit tests of the store's web sessions and failed-login counts.  Times
 * are given to the store explicitly, so no test waits.  Each test opens
 * a real database file in a fresh mkdtemp() directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "model/misp.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CSRF "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

#define T0 1700000000 /* login time of every session below */
#define IDLE 600
#define LIFETIME 3600

struct fixture {
	struct buf dir;
	struct buf path;
	struct store *s;
	int64_t user;
	struct cairn_err e;
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	struct record r;
	int64_t org;

	assert_non_null(f);
	buf_printf(&f->dir, "%s/cairn-session-XXXXXX",
		   tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir.data));
	buf_printf(&f->path, "%s/cairn.db", f->dir.data);
	assert_int_equal(store_open(&f->s, f->path.data, &f->e), 0);
	assert_int_equal(store_org_ensure(f->s, NULL, "ORGNAME", &org), 0);
	record_init(&r, &model_role);
	record_set_int(&r, ROLE_ID, 3);
	record_set_text(&r, ROLE_NAME, "User");
	assert_int_equal(store_insert(f->s, &r, NULL), 0);
	record_release(&r);
	record_init(&r, &model_user);
	record_set_int(&r, USER_ORG_ID, org);
	record_set_int(&r, USER_ROLE_ID, 3);
	record_set_text(&r, USER_EMAIL, "user@example.test");
	assert_int_equal(store_insert(f->s, &r, &f->user), 0);
	record_release(&r);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	const char *suffixes[] = {"", "-wal", "-shm"};

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
	cairn_err_release(&f->e);
	free(f);
	return 0;
}

static int64_t add_session(struct fixture *f, const char *hash)
{
	int64_t id = 0;

	assert_int_equal(store_session_add(f->s, hash, f->user, CSRF,
					   "127.0.0.1", T0, T0 + LIFETIME,
					   &id, &f->e),
			 0);
	assert_true(id > 0);
	return id;
}

static int find(struct fixture *f, const char *hash, int64_t now,
		struct store_session *out)
{
	cairn_err_clear(&f->e);
	return store_session_find(f->s, hash, now, IDLE, out, &f->e);
}

static void test_session_add_find(void **state)
{
	struct fixture *f = *state;
	struct store_session s;
	int64_t id = add_session(f, HASH_A);

	assert_int_equal(find(f, HASH_A, T0 + 10, &s), 0);
	assert_int_equal(s.id, id);
	assert_int_equal(s.user_id, f->user);
	assert_int_equal(s.created, T0);
	/* last_seen is written at most every IDLE / 10 seconds. */
	assert_int_equal(s.last_seen, T0);
	assert_int_equal(s.expires, T0 + LIFETIME);
	assert_string_equal(s.csrf_token, CSRF);
	assert_int_equal(find(f, HASH_A, T0 + IDLE / 10, &s), 0);
	assert_int_equal(s.last_seen, T0 + IDLE / 10);
	assert_int_equal(find(f, HASH_B, T0 + 10, &s), CAIRN_ENOTFOUND);
}

static void test_session_idle_expiry(void **state)
{
	struct fixture *f = *state;
	struct store_session s;

	add_session(f, HASH_A);
	/* Each use moves last_seen, so steady use keeps the session. */
	assert_int_equal(find(f, HASH_A, T0 + IDLE - 1, &s), 0);
	assert_int_equal(find(f, HASH_A, T0 + 2 * IDLE - 2, &s), 0);
	/* A whole idle period without use ends it, for good. */
	assert_int_equal(find(f, HASH_A, T0 + 3 * IDLE - 2, &s),
			 CAIRN_ENOTFOUND);
	assert_int_equal(find(f, HASH_A, T0 + 2 * IDLE - 1, &s),
			 CAIRN_ENOTFOUND);
}

static void test_session_absolute_expiry(void **state)
{
	struct fixture *f = *state;
	struct store_session s;
	int64_t now;

	add_session(f, HASH_A);
	for (now = T0 + IDLE / 2; now < T0 + LIFETIME; now += IDLE / 2) {
		assert_int_equal(find(f, HASH_A, now, &s), 0);
	}
	assert_int_equal(find(f, HASH_A, T0 + LIFETIME, &s), CAIRN_ENOTFOUND);
}

static void test_session_delete(void **state)
{
	struct fixture *f = *state;
	struct store_session s;
	int64_t id = add_session(f, HASH_A);

	assert_int_equal(store_session_delete(f->s, id, &f->e), 0);
	assert_int_equal(find(f, HASH_A, T0 + 1, &s), CAIRN_ENOTFOUND);
	cairn_err_clear(&f->e);
	assert_int_equal(store_session_delete(f->s, id, &f->e),
			 CAIRN_ENOTFOUND);
}

static void test_session_purge(void **state)
{
	struct fixture *f = *state;
	struct store_session s;
	int64_t count = -1;

	add_session(f, HASH_A);
	add_session(f, HASH_B);
	assert_int_equal(find(f, HASH_B, T0 + IDLE - 1, &s), 0);
	assert_int_equal(store_session_purge(f->s, T0 + IDLE + 1, IDLE, &count,
					     &f->e),
			 0);
	assert_int_equal(count, 1);
	assert_int_equal(find(f, HASH_B, T0 + IDLE + 2, &s), 0);
}

static void test_session_user_delete_cascades(void **state)
{
	struct fixture *f = *state;
	struct store_session s;

	add_session(f, HASH_A);
	assert_int_equal(store_delete(f->s, &model_user, f->user), 0);
	assert_int_equal(find(f, HASH_A, T0 + 1, &s), CAIRN_ENOTFOUND);
}

static void test_password_change_ends_sessions(void **state)
{
	struct fixture *f = *state;
	struct store_session s;

	add_session(f, HASH_A);
	assert_int_equal(store_user_password_set(f->s, f->user,
						 "$argon2id$v=19$new", &f->e),
			 0);
	assert_int_equal(find(f, HASH_A, T0 + 1, &s), CAIRN_ENOTFOUND);
}

static int64_t failures(struct fixture *f, enum store_login_key key,
			const char *name, int64_t now, int64_t *last)
{
	int64_t count = -1, when = -1;

	assert_int_equal(store_login_failures(f->s, key, name, now, 300,
					      &count, &when, &f->e),
			 0);
	if (last) {
		*last = when;
	}
	return count;
}

static void test_failures_count_and_window(void **state)
{
	struct fixture *f = *state;
	int64_t last;

	assert_int_equal(failures(f, STORE_LOGIN_EMAIL, "a@x.test", T0, &last),
			 0);
	assert_int_equal(last, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_login_failure_add(f->s, STORE_LOGIN_EMAIL,
							 "a@x.test", T0 + i * 100,
							 300, &f->e),
				 0);
	}
	assert_int_equal(failures(f, STORE_LOGIN_EMAIL, "a@x.test", T0 + 250,
				  &last),
			 3);
	assert_int_equal(last, T0 + 200);
	/* E-mails compare without case. */
	assert_int_equal(failures(f, STORE_LOGIN_EMAIL, "A@X.TEST", T0 + 250,
				  NULL),
			 3);
	/* The other key is counted apart. */
	assert_int_equal(failures(f, STORE_LOGIN_IP, "a@x.test", T0 + 250,
				  NULL),
			 0);
	/* A whole window after the last failure the count is gone, and the
	 * next failure starts again at 1. */
	assert_int_equal(failures(f, STORE_LOGIN_EMAIL, "a@x.test", T0 + 500,
				  NULL),
			 0);
	assert_int_equal(store_login_failure_add(f->s, STORE_LOGIN_EMAIL,
						 "a@x.test", T0 + 500, 300,
						 &f->e),
			 0);
	assert_int_equal(failures(f, STORE_LOGIN_EMAIL, "a@x.test", T0 + 501,
				  NULL),
			 1);
}

static void test_failures_clear(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_login_failure_add(f->s, STORE_LOGIN_IP,
						 "192.0.2.1", T0, 300, &f->e),
			 0);
	assert_int_equal(store_login_failure_add(f->s, STORE_LOGIN_EMAIL,
						 "192.0.2.1", T0, 300, &f->e),
			 0);
	assert_int_equal(store_login_failures_clear(f->s, STORE_LOGIN_IP,
						    "192.0.2.1", &f->e),
			 0);
	assert_int_equal(failures(f, STORE_LOGIN_IP, "192.0.2.1", T0 + 1,
				  NULL),
			 0);
	assert_int_equal(failures(f, STORE_LOGIN_EMAIL, "192.0.2.1", T0 + 1,
				  NULL),
			 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup,         \
						fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_session_add_find),
		T(test_session_idle_expiry),
		T(test_session_absolute_expiry),
		T(test_session_delete),
		T(test_session_purge),
		T(test_session_user_delete_cascades),
		T(test_password_change_ends_sessions),
		T(test_failures_count_and_window),
		T(test_failures_clear),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
