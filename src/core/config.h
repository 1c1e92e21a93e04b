/*
 * Settings: one table of names, environment variables, command-line
 * options and defaults, loaded from four sources.
 *
 * Precedence, highest first: command-line option, environment, the file
 * DIR/cairn.conf (`name = value` lines, `#` comments), default.  Each
 * value remembers where it came from, so errors and `cairn config show`
 * can name the source.  config_finish() validates every value once all
 * sources are loaded and fills the parsed fields; callers read only those
 * and config_get().  A struct config is passed explicitly, never global.
 */
#ifndef CAIRN_CONFIG_H
#define CAIRN_CONFIG_H

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"

#include <stdbool.h>
#include <stddef.h>

enum config_key {
	CFG_DATA,
	CFG_LISTEN,
	CFG_BASE_URL,
	CFG_THREADS,
	CFG_MAX_BODY,
	CFG_LOG_LEVEL,
	CFG_LIBRARY,
	CFG_TAXONOMIES,
	CFG_GALAXIES,
	CFG_WARNINGLISTS,
	CFG_OBJECT_TEMPLATES,
	CFG_TLS_CERT,
	CFG_TLS_KEY,
	CFG_HTTP_REDIRECT,
	CFG_ORG_NAME,
	CFG_ORG_UUID,
	CFG_ADMIN_EMAIL,
	CFG_ADMIN_PASSWORD,
	CFG_ADMIN_KEY,
	CFG_SESSION_IDLE,
	CFG_SESSION_LIFETIME,
	CFG_LOCKOUT_WINDOW,
	CFG_LOCKOUT_ATTEMPTS,
	CFG_CORRELATION_LIMIT,
	CFG_SSDEEP_THRESHOLD,
	CFG_TLSH_THRESHOLD,
	CFG_COUNT
};

/* In order of precedence, lowest first. */
enum config_source {
	CONFIG_DEFAULT,
	CONFIG_FILE,
	CONFIG_ENV,
	CONFIG_OPTION,
};

/* The name of the settings file inside the data directory. */
#define CONFIG_FILE_NAME "cairn.conf"

struct config {
	struct buf value[CFG_COUNT];
	bool set[CFG_COUNT]; /* false: no value from any source, no default */
	enum config_source source[CFG_COUNT];
	int line[CFG_COUNT]; /* line in cairn.conf, for CONFIG_FILE */
	struct buf file;     /* path of the loaded cairn.conf, or empty */

	/* Filled by config_finish(). */
	struct buf listen_host; /* numeric address, without brackets */
	int listen_port;
	struct buf redirect_host; /* when http_redirect is set */
	int redirect_port;
	long threads;
	size_t max_body;
	size_t correlation_limit;
	int ssdeep_threshold; /* 0..101; 101 turns ssdeep matching off */
	int tlsh_threshold;   /* -1..1000; -1 turns TLSH matching off */
	enum log_level log_level;
	bool tls; /* tls_cert and tls_key are both set */
};

/* Fills the defaults.  Release with config_release(). */
void config_init(struct config *c);
void config_release(struct config *c);

/* Looks a setting up by its name ("listen"); returns -1 when unknown. */
int config_key_find(const char *name);

/* The setting's name, environment variable, option ("--listen", or NULL
 * when it has none), the name of its value in help text, and help text. */
const char *config_name(enum config_key k);
const char *config_env_name(enum config_key k);
const char *config_option(enum config_key k);
const char *config_value_name(enum config_key k);
const char *config_help(enum config_key k);

/* Returns "default", "file", "environment" or "option". */
const char *config_source_name(enum config_source src);

/* Sets a value from `src`, unless a source of higher precedence has set
 * it already.  `line` is the cairn.conf line for CONFIG_FILE, else 0.
 * Returns 0 or CAIRN_ENOMEM. */
int config_set(struct config *c, enum config_key k, const char *value,
	       enum config_source src, int line);

/* Reads every setting's environment variable that is present and not
 * empty. */
int config_load_env(struct config *c, struct cairn_err *e);

/* Reads `path` when it exists (a missing file is not an error).  A line
 * with an unknown name, no '=' or the name `data` fails with CAIRN_EINVAL
 * naming the file and the line; `name =` with no value is skipped. */
int config_load_file(struct config *c, const char *path,
		     struct cairn_err *e);

/* Validates every value that is set and fills the parsed fields.  The
 * error names the setting, where its value came from and what is
 * expected. */
int config_finish(struct config *c, struct cairn_err *e);

/* Returns the value of a setting, or NULL when it has none. */
const char *config_get(const struct config *c, enum config_key k);

/* Appends a description of where the value of `k` came from, such as
 * "environment variable CAIRN_LISTEN" or "cairn.conf line 3". */
void config_describe_source(const struct config *c, enum config_key k,
			    struct buf *out);

/* Appends one `name = value (source)` line per setting.  admin_password
 * and admin_key print as (set) or (unset). */
int config_show(const struct config *c, struct buf *out);

#endif
