/*
 * Tests of cli_parse(), the table-driven option parser of the subcommands.
 * Each parse runs with stderr redirected to a temporary file, so that the
 * message printed for a bad command line can be checked word for word.
 */
#include "cli/cli.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define MAX_POSITIONAL 4

/* The values one parse fills in, and what it printed to stderr. */
struct parsed {
	const char *data;
	const char *listen;
	bool verbose;
	bool help;
	const char *positional[MAX_POSITIONAL];
	size_t npositional;
	int rc;
	struct buf err;
};

/* Parses argv[2..argc), as the subcommands do after "cairn NAME", and
 * accepts at most `max_positional` positional arguments. */
static void parse(struct parsed *p, int argc, char **argv,
		  size_t max_positional)
{
	const struct cli_option opts[] = {
		{"--data", "DIR", "data directory", &p->data, NULL},
		{"--listen", "ADDR", "address to listen on", &p->listen, NULL},
		{"--verbose", NULL, "log more", NULL, &p->verbose},
		{"--help", NULL, "show this help", NULL, &p->help},
	};
	char text[512];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_true(max_positional <= MAX_POSITIONAL);
	memset(p, 0, sizeof(*p));
	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	p->rc = cli_parse(argc, argv, 2, opts, sizeof(opts) / sizeof(opts[0]),
			  p->positional, max_positional, &p->npositional);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);

	rewind(tmp);
	n = fread(text, 1, sizeof(text), tmp);
	fclose(tmp);
	assert_int_equal(buf_add(&p->err, text, n), 0);
}

#define ARGC(argv) ((int)(sizeof(argv) / sizeof((argv)[0])))

/* ---- options with values ---- */

static void value_as_next_argument(void **state)
{
	char *argv[] = {"cairn", "serve", "--data", "/srv/cairn", "--listen",
			"127.0.0.1:8080"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.data, "/srv/cairn");
	assert_string_equal(p.listen, "127.0.0.1:8080");
	assert_int_equal(p.npositional, 0);
	assert_string_equal(buf_str(&p.err), "");
	buf_release(&p.err);
}

static void value_after_equals(void **state)
{
	char *argv[] = {"cairn", "serve", "--data=/srv/cairn",
			"--listen=[::1]:8080"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.data, "/srv/cairn");
	assert_string_equal(p.listen, "[::1]:8080");
	assert_string_equal(buf_str(&p.err), "");
	buf_release(&p.err);
}

/* Only the first "=" separates the name from the value, and the value
 * may be empty. */
static void value_equals_edge_cases(void **state)
{
	char *argv[] = {"cairn", "serve", "--data=a=b", "--listen="};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.data, "a=b");
	assert_string_equal(p.listen, "");
	buf_release(&p.err);
}

static void value_given_twice_last_wins(void **state)
{
	char *argv[] = {"cairn", "serve", "--data", "one", "--data=two"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.data, "two");
	buf_release(&p.err);
}

/* As with getopt_long(), the next argument is the value even when it
 * looks like an option. */
static void value_may_start_with_dash(void **state)
{
	char *argv[] = {"cairn", "serve", "--data", "--verbose"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.data, "--verbose");
	assert_false(p.verbose);
	buf_release(&p.err);
}

static void value_missing(void **state)
{
	char *argv[] = {"cairn", "serve", "--listen", "x", "--data"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, -1);
	assert_string_equal(buf_str(&p.err),
			    "error: option '--data' requires a DIR\n");
	buf_release(&p.err);
}

/* ---- flags ---- */

static void flag_sets_true(void **state)
{
	char *argv[] = {"cairn", "serve", "--verbose"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, 0);
	assert_true(p.verbose);
	assert_false(p.help);
	assert_null(p.data);
	assert_string_equal(buf_str(&p.err), "");
	buf_release(&p.err);
}

static void flag_absent_stays_false(void **state)
{
	char *argv[] = {"cairn", "serve"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, 0);
	assert_false(p.verbose);
	assert_false(p.help);
	assert_int_equal(p.npositional, 0);
	buf_release(&p.err);
}

static void flag_given_value(void **state)
{
	char *argv[] = {"cairn", "serve", "--verbose=1"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, -1);
	assert_false(p.verbose);
	assert_string_equal(buf_str(&p.err),
			    "error: option '--verbose' takes no value\n");
	buf_release(&p.err);
}

/* ---- unknown options ---- */

static void unknown_option(void **state)
{
	char *argv[] = {"cairn", "serve", "--port", "80"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, -1);
	assert_string_equal(buf_str(&p.err),
			    "error: unknown option '--port' (--help lists the "
			    "options)\n");
	buf_release(&p.err);
}

/* The message names the option without its value. */
static void unknown_option_with_value(void **state)
{
	char *argv[] = {"cairn", "serve", "--port=80"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, -1);
	assert_string_equal(buf_str(&p.err),
			    "error: unknown option '--port' (--help lists the "
			    "options)\n");
	buf_release(&p.err);
}

/* Options are matched whole: no abbreviations, no short forms. */
static void unknown_prefix_and_short(void **state)
{
	char *prefix[] = {"cairn", "serve", "--dat", "x"};
	char *longer[] = {"cairn", "serve", "--database", "x"};
	char *shortopt[] = {"cairn", "serve", "-v"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(prefix), prefix, 0);
	assert_int_equal(p.rc, -1);
	assert_null(p.data);
	assert_string_equal(buf_str(&p.err),
			    "error: unknown option '--dat' (--help lists the "
			    "options)\n");
	buf_release(&p.err);

	parse(&p, ARGC(longer), longer, 0);
	assert_int_equal(p.rc, -1);
	assert_null(p.data);
	buf_release(&p.err);

	parse(&p, ARGC(shortopt), shortopt, 0);
	assert_int_equal(p.rc, -1);
	assert_false(p.verbose);
	assert_string_equal(buf_str(&p.err),
			    "error: unknown option '-v' (--help lists the "
			    "options)\n");
	buf_release(&p.err);
}

/* ---- positional arguments ---- */

static void positional_in_order(void **state)
{
	char *argv[] = {"cairn", "import", "a.json", "--data", "d", "dir/",
			"--verbose", "b.json"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, MAX_POSITIONAL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.npositional, 3);
	assert_string_equal(p.positional[0], "a.json");
	assert_string_equal(p.positional[1], "dir/");
	assert_string_equal(p.positional[2], "b.json");
	assert_string_equal(p.data, "d");
	assert_true(p.verbose);
	buf_release(&p.err);
}

/* Arguments before `first` (the program and subcommand) are not read. */
static void positional_skips_before_first(void **state)
{
	char *argv[] = {"cairn", "--bogus", "x"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, MAX_POSITIONAL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.npositional, 1);
	assert_string_equal(p.positional[0], "x");
	buf_release(&p.err);
}

/* "-" alone names stdin by convention and is a positional argument. */
static void positional_single_dash(void **state)
{
	char *argv[] = {"cairn", "import", "-"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, MAX_POSITIONAL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.npositional, 1);
	assert_string_equal(p.positional[0], "-");
	buf_release(&p.err);
}

static void separator_ends_options(void **state)
{
	char *argv[] = {"cairn", "import", "--verbose", "--", "--data",
			"-x.json", "--"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, MAX_POSITIONAL);
	assert_int_equal(p.rc, 0);
	assert_true(p.verbose);
	assert_null(p.data);
	assert_int_equal(p.npositional, 3);
	assert_string_equal(p.positional[0], "--data");
	assert_string_equal(p.positional[1], "-x.json");
	assert_string_equal(p.positional[2], "--");
	assert_string_equal(buf_str(&p.err), "");
	buf_release(&p.err);
}

static void too_many_positional(void **state)
{
	char *argv[] = {"cairn", "import", "a.json", "b.json"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 1);
	assert_int_equal(p.rc, -1);
	assert_int_equal(p.npositional, 1);
	assert_string_equal(buf_str(&p.err),
			    "error: unexpected argument 'b.json'\n");
	buf_release(&p.err);
}

static void positional_when_none_allowed(void **state)
{
	char *argv[] = {"cairn", "serve", "--", "x"};
	struct parsed p;

	(void)state;
	parse(&p, ARGC(argv), argv, 0);
	assert_int_equal(p.rc, -1);
	assert_int_equal(p.npositional, 0);
	assert_string_equal(buf_str(&p.err),
			    "error: unexpected argument 'x'\n");
	buf_release(&p.err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(value_as_next_argument),
		cmocka_unit_test(value_after_equals),
		cmocka_unit_test(value_equals_edge_cases),
		cmocka_unit_test(value_given_twice_last_wins),
		cmocka_unit_test(value_may_start_with_dash),
		cmocka_unit_test(value_missing),
		cmocka_unit_test(flag_sets_true),
		cmocka_unit_test(flag_absent_stays_false),
		cmocka_unit_test(flag_given_value),
		cmocka_unit_test(unknown_option),
		cmocka_unit_test(unknown_option_with_value),
		cmocka_unit_test(unknown_prefix_and_short),
		cmocka_unit_test(positional_in_order),
		cmocka_unit_test(positional_skips_before_first),
		cmocka_unit_test(positional_single_dash),
		cmocka_unit_test(separator_ends_options),
		cmocka_unit_test(too_many_positional),
		cmocka_unit_test(positional_when_none_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
