/*
 * Settings; see config.h.  The table below is the one list of settings:
 * the CLI builds its options from it, the environment and the file are
 * read through it and `cairn config show` walks it.
 */
#include "core/config.h"
#include "core/password.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define THREADS_MAX 256
#define MAX_BODY_MAX (1L << 34)
#define FILE_LINE_MAX 4096
#define CORRELATION_LIMIT_MAX 1000000

/* The text config_show() prints for a value that is unset. */
enum show_rule { SHOW_VALUE, SHOW_SECRET, SHOW_GENERATED };

typedef int (*config_check)(struct config *c, enum config_key k,
			    struct cairn_err *e);

struct setting {
	const char *name;
	const char *env;
	const char *option;
	const char *value_name;
	const char *fallback; /* default value, or NULL for none */
	const char *help;
	config_check check; /* NULL accepts any value */
	enum show_rule show;
};

/* Whether `host` is a numeric IPv4 or IPv6 address (with an optional
 * scope), as the server binds it, so that a name fails here, before the
 * database is opened, rather than at bind time. */
static bool is_numeric_host(const char *host)
{
	struct addrinfo hints = {0};
	struct addrinfo *res = NULL;
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (res) {
		freeaddrinfo(res);
	}
	return rc == 0;
}

static int check_listen(struct config *c, enum config_key k,
			struct cairn_err *e);
static int check_url(struct config *c, enum config_key k,
		     struct cairn_err *e);
static int check_threads(struct config *c, enum config_key k,
			 struct cairn_err *e);
static int check_size(struct config *c, enum config_key k,
		      struct cairn_err *e);
static int check_level(struct config *c, enum config_key k,
		       struct cairn_err *e);
static int check_dir(struct config *c, enum config_key k,
		     struct cairn_err *e);
static int check_file(struct config *c, enum config_key k,
		      struct cairn_err *e);
static int check_text(struct config *c, enum config_key k,
		      struct cairn_err *e);
static int check_uuid(struct config *c, enum config_key k,
		      struct cairn_err *e);
static int check_email(struct config *c, enum config_key k,
		       struct cairn_err *e);
static int check_password(struct config *c, enum config_key k,
			  struct cairn_err *e);
static int check_seconds(struct config *c, enum config_key k,
			 struct cairn_err *e);
static int check_key(struct config *c, enum config_key k,
		     struct cairn_err *e);
static int check_correlation_limit(struct config *c, enum config_key k,
				   struct cairn_err *e);
static int check_ssdeep_threshold(struct config *c, enum config_key k,
				  struct cairn_err *e);
static int check_tlsh_threshold(struct config *c, enum config_key k,
				struct cairn_err *e);

static const struct setting settings[CFG_COUNT] = {
	[CFG_DATA] = {"data", "CAIRN_DATA", "--data", "DIR", NULL,
		      "data directory (holds cairn.db and cairn.conf)", NULL,
		      SHOW_VALUE},
	[CFG_LISTEN] = {"listen", "CAIRN_LISTEN", "--listen", "HOST:PORT",
			"127.0.0.1:8080",
			"address to serve on (default 127.0.0.1:8080)",
			check_listen, SHOW_VALUE},
	[CFG_BASE_URL] = {"base_url", "CAIRN_BASE_URL", "--base-url", "URL",
			  NULL,
			  "URL clients reach the server at (default "
			  "http://LISTEN, https:// with TLS)",
			  check_url, SHOW_VALUE},
	[CFG_THREADS] = {"threads", "CAIRN_THREADS", "--threads", "N", NULL,
			 "worker threads, 1 to 256 (default: one per core)",
			 check_threads, SHOW_VALUE},
	[CFG_MAX_BODY] = {"max_body", "CAIRN_MAX_BODY", "--max-body", "BYTES",
			  "67108864",
			  "largest request body accepted, in bytes (default "
			  "64 MiB)",
			  check_size, SHOW_VALUE},
	[CFG_LOG_LEVEL] = {"log_level", "CAIRN_LOG_LEVEL", "--log-level",
			   "LEVEL", "info",
			   "debug, info, warn or error (default info)",
			   check_level, SHOW_VALUE},
	[CFG_LIBRARY] = {"library", "CAIRN_LIBRARY", "--library", "DIR", NULL,
			 "reference data folder; its warninglists/ subfolder "
			 "is loaded unless --warninglists is given",
			 check_dir, SHOW_VALUE},
	[CFG_TAXONOMIES] = {"taxonomies", "CAIRN_TAXONOMIES", "--taxonomies",
			    "DIR", NULL,
			    "misp-taxonomies folder",
			    check_dir, SHOW_VALUE},
	[CFG_GALAXIES] = {"galaxies", "CAIRN_GALAXIES", "--galaxies", "DIR",
			  NULL,
			  "misp-galaxy folder",
			  check_dir, SHOW_VALUE},
	[CFG_WARNINGLISTS] = {"warninglists", "CAIRN_WARNINGLISTS",
			      "--warninglists", "DIR", NULL,
			      "misp-warninglists lists/ folder", check_dir,
			      SHOW_VALUE},
	[CFG_OBJECT_TEMPLATES] = {"object_templates",
				  "CAIRN_OBJECT_TEMPLATES",
				  "--object-templates", "DIR", NULL,
				  "misp-objects objects/ folder",
				  check_dir, SHOW_VALUE},
	[CFG_TLS_CERT] = {"tls_cert", "CAIRN_TLS_CERT", "--tls-cert", "FILE",
			  NULL,
			  "PEM certificate chain; with --tls-key, serve HTTPS",
			  check_file, SHOW_VALUE},
	[CFG_TLS_KEY] = {"tls_key", "CAIRN_TLS_KEY", "--tls-key", "FILE",
			 NULL, "PEM private key of --tls-cert", check_file,
			 SHOW_VALUE},
	[CFG_HTTP_REDIRECT] = {"http_redirect", "CAIRN_HTTP_REDIRECT",
			       "--http-redirect", "HOST:PORT", NULL,
			       "with TLS, also serve plain HTTP here that "
			       "redirects to base_url",
			       check_listen, SHOW_VALUE},
	[CFG_ORG_NAME] = {"org_name", "CAIRN_ORG_NAME", "--org-name", "NAME",
			  "ORGNAME",
			  "host organisation, on first start (default "
			  "ORGNAME)",
			  check_text, SHOW_VALUE},
	[CFG_ORG_UUID] = {"org_uuid", "CAIRN_ORG_UUID", "--org-uuid", "UUID",
			  NULL,
			  "host organisation UUID, on first start (default "
			  "random)",
			  check_uuid, SHOW_GENERATED},
	[CFG_ADMIN_EMAIL] = {"admin_email", "CAIRN_ADMIN_EMAIL", "--email",
			     "EMAIL", "admin@admin.test",
			     "admin e-mail, on first start (default "
			     "admin@admin.test)",
			     check_email, SHOW_VALUE},
	[CFG_ADMIN_PASSWORD] = {"admin_password", "CAIRN_ADMIN_PASSWORD",
				NULL, NULL, NULL,
				"admin password, on first start (default: "
				"no password login)",
				check_password, SHOW_SECRET},
	[CFG_ADMIN_KEY] = {"admin_key", "CAIRN_ADMIN_KEY", NULL, NULL, NULL,
			   "admin API key, on first start (default: "
			   "generated and printed once)",
			   check_key, SHOW_SECRET},
	/* MISP's Session.timeout, Session.cookieTimeout and its brute-force
	 * defaults (5 failures, 300 s). */
	[CFG_SESSION_IDLE] = {"session_idle", "CAIRN_SESSION_IDLE",
			      "--session-idle", "SECONDS", "36000",
			      "end a web session unused this long (default "
			      "36000)",
			      check_seconds, SHOW_VALUE},
	[CFG_SESSION_LIFETIME] = {"session_lifetime", "CAIRN_SESSION_LIFETIME",
				  "--session-lifetime", "SECONDS", "216000",
				  "end a web session this long after login "
				  "(default 216000)",
				  check_seconds, SHOW_VALUE},
	[CFG_LOCKOUT_WINDOW] = {"lockout_window", "CAIRN_LOCKOUT_WINDOW",
				"--lockout-window", "SECONDS", "300",
				"lock an e-mail out this long after its last "
				"failed login (default 300)",
				check_seconds, SHOW_VALUE},
	[CFG_LOCKOUT_ATTEMPTS] = {"lockout_attempts", "CAIRN_LOCKOUT_ATTEMPTS",
				  "--lockout-attempts", "N", "5",
				  "failed logins that lock an e-mail out "
				  "(default 5)",
				  check_seconds, SHOW_VALUE},
	[CFG_CORRELATION_LIMIT] = {"correlation_limit",
				   "CAIRN_CORRELATION_LIMIT",
				   "--correlation-limit", "N", "20",
				   "a value found in more events than this "
				   "stops correlating (default 20)",
				   check_correlation_limit, SHOW_VALUE},
	[CFG_SSDEEP_THRESHOLD] = {"ssdeep_threshold", "CAIRN_SSDEEP_THRESHOLD",
				  "--ssdeep-threshold", "SCORE", "40",
				  "ssdeep hashes correlate from this "
				  "similarity score, 0 to 100, or 101 for "
				  "never (default 40)",
				  check_ssdeep_threshold, SHOW_VALUE},
	[CFG_TLSH_THRESHOLD] = {"tlsh_threshold", "CAIRN_TLSH_THRESHOLD",
				"--tlsh-threshold", "DISTANCE", "40",
				"TLSH hashes correlate up to this distance, 0 "
				"to 1000, or -1 for never (default 40)",
				check_tlsh_threshold, SHOW_VALUE},
};

static const char *const source_names[] = {"default", "file",
					   "environment", "option"};

void config_init(struct config *c)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(c, 0, sizeof(*c));
	for (int k = 0; k < CFG_COUNT; k++) {
		if (settings[k].fallback) {
			buf_adds(&c->value[k], settings[k].fallback);
			c->set[k] = true;
		}
	}
	/* Two threads when the system reports no core count. */
	if (cores < 1) {
		cores = 2;
	}
	buf_printf(&c->value[CFG_THREADS], "%ld",
		   cores < THREADS_MAX ? cores : THREADS_MAX);
	c->set[CFG_THREADS] = true;
	c->log_level = LOG_INFO;
}

void config_release(struct config *c)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		buf_release(&c->value[k]);
	}
	buf_release(&c->file);
	buf_release(&c->listen_host);
	buf_release(&c->redirect_host);
}

int config_key_find(const char *name)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		if (strcmp(settings[k].name, name) == 0) {
			return k;
		}
	}
	return -1;
}

const char *config_name(enum config_key k)
{
	return settings[k].name;
}

const char *config_env_name(enum config_key k)
{
	return settings[k].env;
}

const char *config_option(enum config_key k)
{
	return settings[k].option;
}

const char *config_value_name(enum config_key k)
{
	return settings[k].value_name;
}

const char *config_help(enum config_key k)
{
	return settings[k].help;
}

const char *config_source_name(enum config_source src)
{
	return source_names[src];
}

int config_set(struct config *c, enum config_key k, const char *value,
	       enum config_source src, int line)
{
	if (c->set[k] && c->source[k] > src) {
		return 0;
	}
	buf_clear(&c->value[k]);
	if (buf_adds(&c->value[k], value) < 0) {
		return CAIRN_ENOMEM;
	}
	c->set[k] = true;
	c->source[k] = src;
	c->line[k] = src == CONFIG_FILE ? line : 0;
	return 0;
}

int config_load_env(struct config *c, struct cairn_err *e)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		const char *v = getenv(settings[k].env);

		/* Empty counts as unset, as compose files pass
		 * CAIRN_ADMIN_KEY= to mean "generate one". */
		if (v && *v && config_set(c, (enum config_key)k, v, CONFIG_ENV, 0) <
				 0) {
			return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static void trim(char **start, char **end)
{
	while (*start < *end && isspace((unsigned char)**start)) {
		(*start)++;
	}
	while (*end > *start && isspace((unsigned char)(*end)[-1])) {
		(*end)--;
	}
}

/* Parses one line of cairn.conf; blank lines and `#` comments pass. */
static int load_line(struct config *c, const char *path, int n, char *line,
		     struct cairn_err *e)
{
	char *start = line, *end = line + strlen(line);
	char *eq, *name_end, *value;
	int k;

	trim(&start, &end);
	if (start == end || *start == '#') {
		return 0;
	}
	*end = '\0';
	eq = strchr(start, '=');
	if (!eq) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "%s line %d: expected `name = value`",
				     path, n);
	}
	name_end = eq;
	trim(&start, &name_end);
	*name_end = '\0';
	value = eq + 1;
	trim(&value, &end);
	*end = '\0';
	k = config_key_find(start);
	if (k < 0) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "%s line %d: unknown setting '%s' (cairn "
				     "config show lists the settings)",
				     path, n, start);
	}
	if (k == CFG_DATA) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "%s line %d: 'data' cannot be set in the "
				     "file inside the data directory; use "
				     "--data or CAIRN_DATA",
				     path, n);
	}
	if (*value &&
	    config_set(c, (enum config_key)k, value, CONFIG_FILE, n) < 0) {
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	return 0;
}

int config_load_file(struct config *c, const char *path,
		     struct cairn_err *e)
{
	char line[FILE_LINE_MAX];
	FILE *f = fopen(path, "r");
	int n = 0, rc = 0;

	if (!f) {
		if (errno == ENOENT) {
			return 0;
		}
		return cairn_err_set(e, CAIRN_EIO, "cannot read '%s': %s",
				     path, strerror(errno));
	}
	buf_clear(&c->file);
	buf_adds(&c->file, path);
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = cairn_err_set(e, CAIRN_EINVAL,
					   "%s line %d: longer than %d bytes",
					   path, n, FILE_LINE_MAX - 2);
			break;
		}
		rc = load_line(c, path, n, line, e);
	}
	if (rc == 0 && ferror(f)) {
		rc = cairn_err_set(e, CAIRN_EIO, "cannot read '%s'", path);
	}
	fclose(f);
	return rc;
}

const char *config_get(const struct config *c, enum config_key k)
{
	return c->set[k] ? buf_str(&c->value[k]) : NULL;
}

void config_describe_source(const struct config *c, enum config_key k,
			    struct buf *out)
{
	switch (c->source[k]) {
	case CONFIG_DEFAULT:
		buf_adds(out, "the default");
		break;
	case CONFIG_FILE:
		buf_printf(out, "%s line %d",
			   c->file.len ? buf_str(&c->file) : CONFIG_FILE_NAME,
			   c->line[k]);
		break;
	case CONFIG_ENV:
		buf_printf(out, "environment variable %s", settings[k].env);
		break;
	case CONFIG_OPTION:
		buf_printf(out, "option %s", settings[k].option);
		break;
	}
}

/* Fails with "invalid NAME 'VALUE' from SOURCE: expected ...".  Secrets
 * are not quoted. */
static int invalid(struct config *c, enum config_key k, struct cairn_err *e,
		   const char *expected)
{
	struct buf source = BUF_INIT;
	int rc;

	config_describe_source(c, k, &source);
	if (settings[k].show == SHOW_SECRET) {
		rc = cairn_err_set(e, CAIRN_EINVAL, "invalid %s from %s: %s",
				   settings[k].name, buf_str(&source),
				   expected);
	} else {
		rc = cairn_err_set(e, CAIRN_EINVAL,
				   "invalid %s '%s' from %s: expected %s",
				   settings[k].name, buf_str(&c->value[k]),
				   buf_str(&source), expected);
	}
	buf_release(&source);
	return rc;
}

/* Splits "HOST:PORT" or "[V6]:PORT" into its parts. */
static int split_address(const char *text, struct buf *host, int *port)
{
	const char *colon;
	char *end;
	long n;

	buf_clear(host);
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':') {
			return -1;
		}
		buf_add(host, text + 1, (size_t)(close - text - 1));
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon || memchr(text, ':', (size_t)(colon - text))) {
			return -1;
		}
		buf_add(host, text, (size_t)(colon - text));
	}
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || errno || n < 0 || n > 65535) {
		return -1;
	}
	*port = (int)n;
	return host->len ? 0 : -1;
}

static int check_listen(struct config *c, enum config_key k,
			struct cairn_err *e)
{
	bool redirect = k == CFG_HTTP_REDIRECT;
	struct buf *host = redirect ? &c->redirect_host : &c->listen_host;
	int *port = redirect ? &c->redirect_port : &c->listen_port;

	if (split_address(buf_str(&c->value[k]), host, port) < 0 ||
	    !is_numeric_host(buf_str(host))) {
		return invalid(c, k, e,
			       "HOST:PORT with a numeric address, for example "
			       "127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080");
	}
	return 0;
}

static bool has_control_or_space(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f) {
			return true;
		}
	}
	return false;
}

/* Accepts http:// or https:// and a host; drops a final '/' so that
 * base_url + path never doubles it. */
static int check_url(struct config *c, enum config_key k,
		     struct cairn_err *e)
{
	struct buf *v = &c->value[k];
	const char *s = buf_str(v);
	size_t scheme = strncmp(s, "https://", 8) == 0	 ? 8
			: strncmp(s, "http://", 7) == 0 ? 7
							 : 0;

	while (v->len > scheme && v->data[v->len - 1] == '/') {
		v->data[--v->len] = '\0';
	}
	if (!scheme || v->len == scheme || has_control_or_space(s) ||
	    strchr(s, '?') || strchr(s, '#')) {
		return invalid(c, k, e,
			       "an http:// or https:// URL without query or "
			       "fragment, for example https://misp.example.org");
	}
	return 0;
}

static int parse_positive(const char *text, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (*end != '\0' || end == text || errno || n < 1 || n > max) {
		return -1;
	}
	*out = n;
	return 0;
}

static int check_threads(struct config *c, enum config_key k,
			 struct cairn_err *e)
{
	if (parse_positive(buf_str(&c->value[k]), THREADS_MAX, &c->threads) <
	    0) {
		return invalid(c, k, e, "a whole number from 1 to 256");
	}
	return 0;
}

static int check_size(struct config *c, enum config_key k,
		      struct cairn_err *e)
{
	long n;

	if (parse_positive(buf_str(&c->value[k]), MAX_BODY_MAX, &n) < 0) {
		return invalid(c, k, e,
			       "a positive number of bytes up to 17179869184");
	}
	c->max_body = (size_t)n;
	return 0;
}

/* A positive whole number of at most ten years in seconds, which also
 * bounds the login attempt count. */
static int check_seconds(struct config *c, enum config_key k,
			 struct cairn_err *e)
{
	long n;

	if (parse_positive(buf_str(&c->value[k]), 10L * 366 * 86400, &n) <
	    0) {
		return invalid(c, k, e, "a positive whole number");
	}
	return 0;
}

static int check_correlation_limit(struct config *c, enum config_key k,
				   struct cairn_err *e)
{
	long n;

	if (parse_positive(buf_str(&c->value[k]), CORRELATION_LIMIT_MAX, &n) <
	    0) {
		return invalid(c, k, e, "a whole number from 1 to 1000000");
	}
	c->correlation_limit = (size_t)n;
	return 0;
}

/* Parses a whole number from `low` to `high` into *out. */
static int parse_range(const char *text, long low, long high, int *out)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (!*text || *end || errno || n < low || n > high) {
		return CAIRN_EINVAL;
	}
	*out = (int)n;
	return 0;
}

static int check_ssdeep_threshold(struct config *c, enum config_key k,
				  struct cairn_err *e)
{
	if (parse_range(buf_str(&c->value[k]), 0, 101,
			&c->ssdeep_threshold) < 0) {
		return invalid(c, k, e, "a whole number from 0 to 101");
	}
	return 0;
}

static int check_tlsh_threshold(struct config *c, enum config_key k,
				struct cairn_err *e)
{
	if (parse_range(buf_str(&c->value[k]), -1, 1000,
			&c->tlsh_threshold) < 0) {
		return invalid(c, k, e, "a whole number from -1 to 1000");
	}
	return 0;
}

static int check_level(struct config *c, enum config_key k,
		       struct cairn_err *e)
{
	int level = log_level_parse(buf_str(&c->value[k]));

	if (level < 0) {
		return invalid(c, k, e, "debug, info, warn or error");
	}
	c->log_level = (enum log_level)level;
	return 0;
}

static int check_dir(struct config *c, enum config_key k,
		     struct cairn_err *e)
{
	struct stat st;

	if (stat(buf_str(&c->value[k]), &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(buf_str(&c->value[k]), R_OK | X_OK) < 0) {
		return invalid(c, k, e, "a readable folder that exists");
	}
	return 0;
}

static int check_file(struct config *c, enum config_key k,
		      struct cairn_err *e)
{
	struct stat st;

	if (stat(buf_str(&c->value[k]), &st) < 0 || !S_ISREG(st.st_mode) ||
	    access(buf_str(&c->value[k]), R_OK) < 0) {
		return invalid(c, k, e, "a readable PEM file that exists");
	}
	return 0;
}

static int check_text(struct config *c, enum config_key k,
		      struct cairn_err *e)
{
	const struct buf *v = &c->value[k];

	if (v->len == 0 || v->len > 255 || strchr(buf_str(v), '\n')) {
		return invalid(c, k, e, "1 to 255 characters on one line");
	}
	return 0;
}

static bool is_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return s[36] == '\0';
}

static int check_uuid(struct config *c, enum config_key k,
		      struct cairn_err *e)
{
	if (!is_uuid(buf_str(&c->value[k]))) {
		return invalid(c, k, e,
			       "a UUID such as "
			       "5f4b0e3a-2c1d-4e8f-9a7b-6c5d4e3f2a1b");
	}
	return 0;
}

static int check_email(struct config *c, enum config_key k,
		       struct cairn_err *e)
{
	const char *s = buf_str(&c->value[k]);
	const char *at = strchr(s, '@');

	if (!at || at == s || !at[1] || strchr(at + 1, '@') ||
	    c->value[k].len > 254 || has_control_or_space(s)) {
		return invalid(c, k, e,
			       "an e-mail address such as admin@example.org");
	}
	return 0;
}

static int check_password(struct config *c, enum config_key k,
			  struct cairn_err *e)
{
	struct cairn_err rule = CAIRN_ERR_INIT;
	int rc = 0;

	if (password_check(buf_str(&c->value[k]), c->value[k].len, &rule) <
	    0) {
		rc = invalid(c, k, e, buf_str(&rule.message));
	}
	cairn_err_release(&rule);
	return rc;
}

static int check_key(struct config *c, enum config_key k,
		     struct cairn_err *e)
{
	const struct buf *v = &c->value[k];
	bool ok = v->len == API_KEY_LENGTH;

	for (size_t i = 0; ok && i < v->len; i++) {
		ok = isalnum((unsigned char)v->data[i]) &&
		     (unsigned char)v->data[i] < 0x80;
	}
	if (!ok) {
		return invalid(c, k, e,
			       "expected 40 letters and digits (A-Z, a-z, "
			       "0-9), for example the output of `openssl "
			       "rand -hex 20`");
	}
	return 0;
}

/* Checks that go across settings; run after each value passed its own. */
static int check_together(struct config *c, struct cairn_err *e)
{
	bool cert = c->set[CFG_TLS_CERT], key = c->set[CFG_TLS_KEY];

	if (cert != key) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "%s is set but %s is not: HTTPS needs "
				     "both a certificate and its key",
				     cert ? "tls_cert" : "tls_key",
				     cert ? "tls_key" : "tls_cert");
	}
	c->tls = cert && key;
	if (c->set[CFG_HTTP_REDIRECT] && !c->tls) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "http_redirect is set without tls_cert "
				     "and tls_key: the redirect leads to the "
				     "HTTPS listener, so set both");
	}
	return 0;
}

/* The default base_url follows listen and TLS. */
static void default_base_url(struct config *c)
{
	const char *host = buf_str(&c->listen_host);
	bool v6 = strchr(host, ':') != NULL;

	if (c->set[CFG_BASE_URL]) {
		return;
	}
	buf_clear(&c->value[CFG_BASE_URL]);
	buf_printf(&c->value[CFG_BASE_URL], "%s://%s%s%s:%d",
		   c->tls ? "https" : "http", v6 ? "[" : "", host,
		   v6 ? "]" : "", c->listen_port);
	c->set[CFG_BASE_URL] = true;
	c->source[CFG_BASE_URL] = CONFIG_DEFAULT;
}

int config_finish(struct config *c, struct cairn_err *e)
{
	int rc;

	for (int k = 0; k < CFG_COUNT; k++) {
		if (!c->set[k] || !settings[k].check) {
			continue;
		}
		rc = settings[k].check(c, (enum config_key)k, e);
		if (rc < 0) {
			return rc;
		}
	}
	rc = check_together(c, e);
	if (rc == 0) {
		default_base_url(c);
	}
	return rc;
}

int config_show(const struct config *c, struct buf *out)
{
	int rc = 0;

	for (int k = 0; k < CFG_COUNT && rc == 0; k++) {
		const char *value = buf_str(&c->value[k]);

		if (settings[k].show == SHOW_SECRET) {
			value = c->set[k] ? "(set)" : "(unset)";
		} else if (!c->set[k]) {
			value = settings[k].show == SHOW_GENERATED
					? "(generated)"
					: "(none)";
		}
		rc = buf_printf(out, "%s = %s (%s)\n", settings[k].name, value,
				source_names[c->source[k]]);
	}
	return rc < 0 ? CAIRN_ENOMEM : 0;
}
