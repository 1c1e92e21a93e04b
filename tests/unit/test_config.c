/*
 * Unit tests of the settings (core/config.c): precedence of the four
 * sources, cairn.conf parsing, validation messages and `config show`.
 * Each test clears the CAIRN_* variables it may set, so the tests do not
 * depend on the environment they run in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A data directory with a cairn.conf, removed by teardown. */
struct fixture {
	char dir[64];
	char conf[96];
	char cert[96];
};

static void clear_env(void)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		unsetenv(config_env_name((enum config_key)k));
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/cairn-config-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof(f->conf), "%s/cairn.conf", f->dir);
	snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
	clear_env();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->conf);
	unlink(f->cert);
	rmdir(f->dir);
	clear_env();
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *out = fopen(path, "w");

	assert_non_null(out);
	assert_int_equal(fputs(text, out) >= 0, 1);
	assert_int_equal(fclose(out), 0);
}

/* Loads file, environment and finish, as the CLI does, and returns the
 * result of the first step that fails. */
static int load(struct config *c, const char *conf, struct cairn_err *e)
{
	int rc = config_load_env(c, e);

	if (rc == 0) {
		rc = config_load_file(c, conf, e);
	}
	return rc == 0 ? config_finish(c, e) : rc;
}

static void defaults_when_nothing_set(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), 0);
	assert_string_equal(config_get(&c, CFG_LISTEN), "127.0.0.1:8080");
	assert_int_equal(c.source[CFG_LISTEN], CONFIG_DEFAULT);
	assert_string_equal(buf_str(&c.listen_host), "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	assert_string_equal(config_get(&c, CFG_BASE_URL),
			    "http://127.0.0.1:8080");
	assert_int_equal(c.max_body, 67108864);
	assert_int_equal(c.log_level, LOG_INFO);
	assert_true(c.threads >= 1);
	assert_string_equal(config_get(&c, CFG_ORG_NAME), "ORGNAME");
	assert_string_equal(config_get(&c, CFG_ADMIN_EMAIL),
			    "admin@admin.test");
	assert_null(config_get(&c, CFG_ORG_UUID));
	assert_null(config_get(&c, CFG_ADMIN_KEY));
	assert_null(config_get(&c, CFG_LIBRARY));
	assert_false(c.tls);
	config_release(&c);
	cairn_err_release(&e);
}

/* option > environment > file > default, whatever the loading order. */
static void precedence_of_sources(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	write_file(f->conf, "# comment\n\n  listen = 127.0.0.1:1001 \n"
			    "threads = 3\nlog_level = warn\n"
			    "org_name = From File\n");
	setenv("CAIRN_LISTEN", "127.0.0.1:1002", 1);
	setenv("CAIRN_THREADS", "4", 1);
	config_init(&c);
	assert_int_equal(config_set(&c, CFG_LISTEN, "127.0.0.1:1003",
				    CONFIG_OPTION, 0),
			 0);
	assert_int_equal(load(&c, f->conf, &e), 0);

	assert_string_equal(config_get(&c, CFG_LISTEN), "127.0.0.1:1003");
	assert_int_equal(c.source[CFG_LISTEN], CONFIG_OPTION);
	assert_int_equal(c.listen_port, 1003);
	assert_string_equal(config_get(&c, CFG_THREADS), "4");
	assert_int_equal(c.source[CFG_THREADS], CONFIG_ENV);
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.source[CFG_LOG_LEVEL], CONFIG_FILE);
	assert_int_equal(c.log_level, LOG_WARN);
	assert_string_equal(config_get(&c, CFG_ORG_NAME), "From File");
	assert_int_equal(c.line[CFG_ORG_NAME], 6);
	assert_int_equal(c.source[CFG_MAX_BODY], CONFIG_DEFAULT);
	config_release(&c);
	cairn_err_release(&e);
}

static void missing_file_is_not_error(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	config_init(&c);
	assert_int_equal(config_load_file(&c, f->conf, &e), 0);
	assert_int_equal(c.file.len, 0);
	config_release(&c);
	cairn_err_release(&e);
}

static void unknown_name_names_line(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	write_file(f->conf, "listen = 127.0.0.1:1\n\nlisen = 127.0.0.1:2\n");
	config_init(&c);
	assert_int_equal(config_load_file(&c, f->conf, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "line 3"));
	assert_non_null(strstr(buf_str(&e.message), "unknown setting 'lisen'"));
	assert_non_null(strstr(buf_str(&e.message), f->conf));
	config_release(&c);
	cairn_err_release(&e);
}

static void line_without_equals(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	write_file(f->conf, "threads 4\n");
	config_init(&c);
	assert_int_equal(config_load_file(&c, f->conf, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "line 1"));
	assert_non_null(strstr(buf_str(&e.message), "name = value"));
	config_release(&c);
	cairn_err_release(&e);
}

static void data_rejected_in_file(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	write_file(f->conf, "data = /elsewhere\n");
	config_init(&c);
	assert_int_equal(config_load_file(&c, f->conf, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "'data'"));
	config_release(&c);
	cairn_err_release(&e);
}

/* Each case: setting, bad value, the words the message must contain. */
static const struct {
	enum config_key key;
	const char *value;
	const char *expected;
} bad_values[] = {
	{CFG_LISTEN, "8080", "HOST:PORT"},
	{CFG_LISTEN, "127.0.0.1:70000", "HOST:PORT"},
	{CFG_LISTEN, ":8080", "HOST:PORT"},
	{CFG_LISTEN, "::1:8080", "HOST:PORT"},
	/* A name is refused here, not only when the server binds. */
	{CFG_LISTEN, "localhost:8080", "numeric address"},
	{CFG_HTTP_REDIRECT, "example.org:80", "numeric address"},
	{CFG_BASE_URL, "misp.example.org", "http:// or https://"},
	{CFG_BASE_URL, "https://x.org/?a=1", "without query"},
	{CFG_THREADS, "0", "1 to 256"},
	{CFG_THREADS, "257", "1 to 256"},
	{CFG_THREADS, "2x", "1 to 256"},
	{CFG_MAX_BODY, "-5", "positive number of bytes"},
	{CFG_LOG_LEVEL, "verbose", "debug, info, warn or error"},
	{CFG_LIBRARY, "/nonexistent/library", "readable folder"},
	{CFG_WARNINGLISTS, "/nonexistent/lists", "readable folder"},
	{CFG_TAXONOMIES, "/nonexistent/t", "readable folder"},
	{CFG_GALAXIES, "/nonexistent/g", "readable folder"},
	{CFG_OBJECT_TEMPLATES, "/nonexistent/o", "readable folder"},
	{CFG_TLS_CERT, "/nonexistent/cert.pem", "readable PEM file"},
	{CFG_ORG_NAME, "two\nlines", "1 to 255 characters"},
	{CFG_ORG_UUID, "not-a-uuid", "a UUID"},
	{CFG_ADMIN_EMAIL, "admin", "e-mail address"},
	{CFG_ADMIN_EMAIL, "a@b@c", "e-mail address"},
	{CFG_ADMIN_KEY, "short", "40 letters and digits"},
	{CFG_ADMIN_KEY, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
	 "40 letters and digits"},
	{CFG_ADMIN_PASSWORD, "short", "12"},
};

static void invalid_values_named(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]);
	     i++) {
		const char *env = config_env_name(bad_values[i].key);
		struct cairn_err e = CAIRN_ERR_INIT;
		struct config c;
		const char *m;

		clear_env();
		setenv(env, bad_values[i].value, 1);
		config_init(&c);
		assert_int_equal(load(&c, f->conf, &e), CAIRN_EINVAL);
		m = buf_str(&e.message);
		print_message("%s=%s: %s\n", env, bad_values[i].value, m);
		assert_non_null(strstr(m, config_name(bad_values[i].key)));
		assert_non_null(strstr(m, env));
		assert_non_null(strstr(m, bad_values[i].expected));
		config_release(&c);
		cairn_err_release(&e);
	}
}

/* Secrets never appear in their error message. */
static void secret_not_in_message(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	setenv("CAIRN_ADMIN_PASSWORD", "tooshort", 1);
	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), CAIRN_EINVAL);
	assert_null(strstr(buf_str(&e.message), "tooshort"));
	config_release(&c);
	cairn_err_release(&e);
}

static void file_source_in_message(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	write_file(f->conf, "\nthreads = many\n");
	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "invalid threads 'many'"));
	assert_non_null(strstr(buf_str(&e.message), "cairn.conf line 2"));
	config_release(&c);
	cairn_err_release(&e);
}

/* An empty variable counts as unset, so CAIRN_ADMIN_KEY= generates one. */
static void empty_env_is_unset(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	setenv("CAIRN_ADMIN_KEY", "", 1);
	setenv("CAIRN_LISTEN", "", 1);
	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), 0);
	assert_null(config_get(&c, CFG_ADMIN_KEY));
	assert_string_equal(config_get(&c, CFG_LISTEN), "127.0.0.1:8080");
	assert_int_equal(c.source[CFG_LISTEN], CONFIG_DEFAULT);
	config_release(&c);
	cairn_err_release(&e);
}

static void tls_needs_both_files(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	write_file(f->cert, "-----BEGIN CERTIFICATE-----\n");
	setenv("CAIRN_TLS_CERT", f->cert, 1);
	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "tls_key is not"));
	config_release(&c);
	cairn_err_release(&e);
}

static void tls_sets_https_base_url(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	write_file(f->cert, "-----BEGIN CERTIFICATE-----\n");
	setenv("CAIRN_TLS_CERT", f->cert, 1);
	setenv("CAIRN_TLS_KEY", f->cert, 1);
	setenv("CAIRN_LISTEN", "[::1]:8443", 1);
	setenv("CAIRN_HTTP_REDIRECT", "0.0.0.0:8080", 1);
	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), 0);
	assert_true(c.tls);
	assert_string_equal(buf_str(&c.listen_host), "::1");
	assert_string_equal(config_get(&c, CFG_BASE_URL), "https://[::1]:8443");
	assert_string_equal(buf_str(&c.redirect_host), "0.0.0.0");
	assert_int_equal(c.redirect_port, 8080);
	config_release(&c);
	cairn_err_release(&e);
}

static void redirect_needs_tls(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	setenv("CAIRN_HTTP_REDIRECT", "127.0.0.1:8080", 1);
	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), CAIRN_EINVAL);
	assert_non_null(strstr(buf_str(&e.message), "http_redirect"));
	config_release(&c);
	cairn_err_release(&e);
}

static void base_url_final_slash_dropped(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;

	setenv("CAIRN_BASE_URL", "https://misp.example.org/", 1);
	config_init(&c);
	assert_int_equal(load(&c, f->conf, &e), 0);
	assert_string_equal(config_get(&c, CFG_BASE_URL),
			    "https://misp.example.org");
	assert_int_equal(c.source[CFG_BASE_URL], CONFIG_ENV);
	config_release(&c);
	cairn_err_release(&e);
}

static void show_lists_every_setting(void **state)
{
	struct fixture *f = *state;
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf out = BUF_INIT;
	struct config c;
	int lines = 0;

	write_file(f->conf, "org_name = Example\n");
	setenv("CAIRN_ADMIN_KEY", "abcdefghijABCDEFGHIJ0123456789abcdefghij",
	       1);
	config_init(&c);
	assert_int_equal(config_set(&c, CFG_THREADS, "2", CONFIG_OPTION, 0),
			 0);
	assert_int_equal(load(&c, f->conf, &e), 0);
	assert_int_equal(config_show(&c, &out), 0);
	for (size_t i = 0; i < out.len; i++) {
		lines += out.data[i] == '\n';
	}
	assert_int_equal(lines, CFG_COUNT);
	assert_non_null(strstr(buf_str(&out), "org_name = Example (file)\n"));
	assert_non_null(strstr(buf_str(&out), "threads = 2 (option)\n"));
	assert_non_null(strstr(buf_str(&out),
			       "listen = 127.0.0.1:8080 (default)\n"));
	assert_non_null(strstr(buf_str(&out),
			       "admin_key = (set) (environment)\n"));
	assert_non_null(strstr(buf_str(&out),
			       "admin_password = (unset) (default)\n"));
	assert_non_null(strstr(buf_str(&out),
			       "org_uuid = (generated) (default)\n"));
	assert_null(strstr(buf_str(&out), "abcdefghij"));
	buf_release(&out);
	config_release(&c);
	cairn_err_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(defaults_when_nothing_set,
						setup, teardown),
		cmocka_unit_test_setup_teardown(precedence_of_sources, setup,
						teardown),
		cmocka_unit_test_setup_teardown(missing_file_is_not_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_name_names_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(line_without_equals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(data_rejected_in_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(invalid_values_named, setup,
						teardown),
		cmocka_unit_test_setup_teardown(secret_not_in_message, setup,
						teardown),
		cmocka_unit_test_setup_teardown(file_source_in_message, setup,
						teardown),
		cmocka_unit_test_setup_teardown(empty_env_is_unset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tls_needs_both_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tls_sets_https_base_url, setup,
						teardown),
		cmocka_unit_test_setup_teardown(redirect_needs_tls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(base_url_final_slash_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(show_lists_every_setting, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
