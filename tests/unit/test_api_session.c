/*
 * Unit tests of the session cookie parsing and the login defaults
 * (api/session.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/session.h"
#include "core/buf.h"

static void test_cookie_value_found(void **state)
{
	struct buf v = BUF_INIT;

	(void)state;
	assert_int_equal(api_cookie_value("cairn_session=abc", "cairn_session",
					  &v),
			 0);
	assert_string_equal(buf_str(&v), "abc");
	assert_int_equal(api_cookie_value("a=1; cairn_session=def;b=2",
					  "cairn_session", &v),
			 0);
	assert_string_equal(buf_str(&v), "def");
	assert_int_equal(api_cookie_value("a=1;\tcairn_session=", "cairn_session",
					  &v),
			 0);
	assert_string_equal(buf_str(&v), "");
	buf_release(&v);
}

static void test_cookie_value_missing(void **state)
{
	struct buf v = BUF_INIT;

	(void)state;
	assert_int_equal(api_cookie_value(NULL, "cairn_session", &v),
			 CAIRN_ENOTFOUND);
	assert_int_equal(api_cookie_value("", "cairn_session", &v),
			 CAIRN_ENOTFOUND);
	/* A longer name that starts with the same letters is another
	 * cookie. */
	assert_int_equal(api_cookie_value("cairn_session2=x; xcairn_session=y",
					  "cairn_session", &v),
			 CAIRN_ENOTFOUND);
	assert_int_equal(api_cookie_value("cairn_session", "cairn_session", &v),
			 CAIRN_ENOTFOUND);
	buf_release(&v);
}

static void test_login_defaults(void **state)
{
	struct api_login_config none = {0};
	struct api_login_config set = {5, 6, 7, 8};

	(void)state;
	assert_int_equal(api_login_setting(&none, LOGIN_SESSION_IDLE), 36000);
	assert_int_equal(api_login_setting(&none, LOGIN_SESSION_LIFETIME),
			 216000);
	assert_int_equal(api_login_setting(&none, LOGIN_LOCKOUT_WINDOW), 300);
	assert_int_equal(api_login_setting(&none, LOGIN_LOCKOUT_ATTEMPTS), 5);
	assert_int_equal(api_login_setting(&set, LOGIN_SESSION_IDLE), 5);
	assert_int_equal(api_login_setting(&set, LOGIN_SESSION_LIFETIME), 6);
	assert_int_equal(api_login_setting(&set, LOGIN_LOCKOUT_WINDOW), 7);
	assert_int_equal(api_login_setting(&set, LOGIN_LOCKOUT_ATTEMPTS), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_value_found),
		cmocka_unit_test(test_cookie_value_missing),
		cmocka_unit_test(test_login_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
