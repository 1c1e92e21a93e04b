/* Unit tests of Argon2id password hashing (core/password.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/password.h"
#include "core/util.h"

#include <string.h>

static void hash_then_verify(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf hash = BUF_INIT;
	const char *pw = "correct horse battery";

	(void)state;
	assert_int_equal(password_hash(pw, strlen(pw), &hash, &e), 0);
	assert_true(strncmp(buf_str(&hash), "$argon2id$", 10) == 0);
	assert_true(password_verify(buf_str(&hash), pw, strlen(pw)));
	assert_false(password_verify(buf_str(&hash), "correct horse battery!",
				     strlen(pw) + 1));
	assert_false(password_verify(buf_str(&hash), pw, strlen(pw) - 1));
	buf_release(&hash);
	cairn_err_release(&e);
}

/* Two hashes of one password differ because each has its own salt. */
static void salts_differ(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;
	const char *pw = "the same password";

	(void)state;
	assert_int_equal(password_hash(pw, strlen(pw), &a, &e), 0);
	assert_int_equal(password_hash(pw, strlen(pw), &b, &e), 0);
	assert_string_not_equal(buf_str(&a), buf_str(&b));
	buf_release(&a);
	buf_release(&b);
	cairn_err_release(&e);
}

static void stored_value_must_be_argon2id(void **state)
{
	(void)state;
	assert_false(password_verify("", "anything at all", 15));
	assert_false(password_verify(NULL, "anything at all", 15));
	assert_false(password_verify("$argon2i$v=19$m=4096,t=3,p=1$x$y",
				     "anything at all", 15));
	assert_false(password_verify("$argon2id$garbage", "anything at all",
				     15));
}

static void length_rules(void **state)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	char nul[16] = "twelve chars";

	(void)state;
	assert_int_equal(password_check("short", 5, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "at least 12"));
	cairn_err_release(&e);
	assert_int_equal(password_check("exactly12chr", 12, &e), 0);
	assert_int_equal(password_check(nul, sizeof(nul), &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "NUL"));
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_then_verify),
		cmocka_unit_test(salts_differ),
		cmocka_unit_test(stored_value_must_be_argon2id),
		cmocka_unit_test(length_rules),
	};

	if (util_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
