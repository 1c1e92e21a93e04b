/* Unit tests of CIDR parsing and matching (core/cidr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/cidr.h"
#include "core/err.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static struct sockaddr_in v4(const char *text)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6 v6(const char *text)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
	return a;
}

static bool contains4(const char *range, const char *address)
{
	struct cidr c;
	struct sockaddr_in a = v4(address);

	assert_int_equal(cidr_parse(range, &c), 0);
	return cidr_contains(&c, (const struct sockaddr *)&a);
}

static bool contains6(const char *range, const char *address)
{
	struct cidr c;
	struct sockaddr_in6 a = v6(address);

	assert_int_equal(cidr_parse(range, &c), 0);
	return cidr_contains(&c, (const struct sockaddr *)&a);
}

static void ipv4_ranges(void **state)
{
	(void)state;
	assert_true(contains4("10.0.0.0/8", "10.255.1.2"));
	assert_false(contains4("10.0.0.0/8", "11.0.0.1"));
	assert_true(contains4("192.0.2.0/25", "192.0.2.127"));
	assert_false(contains4("192.0.2.0/25", "192.0.2.128"));
	assert_true(contains4("0.0.0.0/0", "203.0.113.9"));
	assert_true(contains4("127.0.0.1", "127.0.0.1"));
	assert_false(contains4("127.0.0.1", "127.0.0.2"));
	/* Host bits past the prefix are ignored. */
	assert_true(contains4("10.1.2.3/8", "10.9.9.9"));
}

static void ipv6_ranges(void **state)
{
	(void)state;
	assert_true(contains6("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(contains6("2001:db8::/32", "2001:db9::1"));
	assert_true(contains6("::1/128", "::1"));
	assert_false(contains6("::1/128", "::2"));
	assert_true(contains6("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(contains6("2001:db8::/33", "2001:db8:8000::1"));
}

/* A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d. */
static void mapped_ipv4_peer(void **state)
{
	(void)state;
	assert_true(contains6("127.0.0.0/8", "::ffff:127.0.0.1"));
	assert_false(contains6("10.0.0.0/8", "::ffff:127.0.0.1"));
	assert_true(contains6("::ffff:0:0/96", "::ffff:127.0.0.1"));
}

static void families_do_not_mix(void **state)
{
	(void)state;
	assert_false(contains6("0.0.0.0/0", "2001:db8::1"));
	assert_false(contains4("::/0", "127.0.0.1"));
}

static void invalid_ranges(void **state)
{
	static const char *const bad[] = {
		"",	      "/8",	     "10.0.0.0/",   "10.0.0.0/33",
		"::/129",     "300.1.1.1/8", "10.0.0.0/8x", "10.0.0.0/-1",
		"example.com", "10.0.0/8",   "::1/1280",    "10.0.0.0/8/8",
	};
	struct cidr c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cidr_parse(bad[i], &c), CAIRN_EINVAL);
	}
}

static void null_peer_matches_nothing(void **state)
{
	struct cidr c;

	(void)state;
	assert_int_equal(cidr_parse("0.0.0.0/0", &c), 0);
	assert_false(cidr_contains(&c, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_ranges),
		cmocka_unit_test(ipv6_ranges),
		cmocka_unit_test(mapped_ipv4_peer),
		cmocka_unit_test(families_do_not_mix),
		cmocka_unit_test(invalid_ranges),
		cmocka_unit_test(null_peer_matches_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
