/*
 * The `cairn` subcommands and their shared argument parser.
 *
 * Options are described by a table; cli_parse() walks argv with it, so a
 * new option is a new row.  Data goes to stdout and diagnostics to stderr.
 */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct cli_option {
	const char *name;  /* long form, with the leading "--" */
	const char *value; /* name of the value in help text, or NULL for a
			      flag */
	const char *help;
	const char **text; /* receives the value; for options with a value */
	bool *flag;        /* set to true when present; for flags */
};

/* Parses argv[first..argc) against `opts`; positional arguments are
 * collected into `positional` (up to `max_positional`), their count into
 * *npositional.  Accepts "--name value" and "--name=value".  Returns 0, or
 * -1 after printing the reason to stderr. */
int cli_parse(int argc, char **argv, int first, const struct cli_option *opts,
	      size_t nopts, const char **positional, size_t max_positional,
	      size_t *npositional);

/* Prints the options table as help text to stdout. */
void cli_print_options(const struct cli_option *opts, size_t nopts);

/* Loads a subcommand's settings into `c` (initialised by the caller):
 * the options of the settings in `keys` and the command's own `extra`
 * options from argv, then the environment, then DIR/cairn.conf when the
 * data setting is known, and validates them (config_finish()).  --help
 * prints `usage` and the options.  Returns 0, 1 after printing the help,
 * or -1 after printing the reason to stderr.  `keys` NULL means every
 * setting. */
int cli_load_settings(int argc, char **argv, const char *usage,
		      const enum config_key *keys, size_t nkeys,
		      const struct cli_option *extra, size_t nextra,
		      const char **positional, size_t max_positional,
		      size_t *npositional, struct config *c);

/* cli_load_settings() for `cairn COMMAND --data DIR FILE`, which also
 * fails unless the data setting and FILE are both given.  The first line
 * of `usage` is the expected command line. */
int cli_load_data_file(int argc, char **argv, const char *usage,
		       const char **file, struct config *c);

/* Creates the host organisation, the default roles, the admin user (with
 * the admin_password setting's hash when set) and the admin key in one
 * transaction, from the org_* and admin_* settings.  A generated key is
 * printed once on stdout; a given admin_key is stored hashed and not
 * printed.  Returns 0 or a negative code with `e` filled. */
int cli_init_instance(struct store *s, const struct config *c,
		      struct cairn_err *e);

/* Returns true when the database of the data directory exists. */
bool cli_database_exists(const char *data_dir);

int cli_init(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_org(int argc, char **argv);
int cli_user(int argc, char **argv);

struct store;

/* Creates an API key for the user, stores its hash and writes the key
 * (40 letters and digits and a NUL) into `key`.  Returns 0 or a negative
 * CAIRN_E* code. */
int cli_key_create(struct store *s, int64_t user_id, char key[41]);

/* Stores the hash of a given key (API_KEY_LENGTH letters and digits) as
 * a key of the user. */
int cli_key_store(struct store *s, int64_t user_id, const char *key);
int cli_health(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);

/* Opens the database of a data directory; prints the error and returns
 * NULL on failure. */
struct store *cli_open_store(const char *data_dir);

/* Takes the exclusive lock DIR/cairn.lock without waiting, which `cairn
 * serve` holds while it runs.  Returns the lock's descriptor (closing it
 * releases the lock), or -1 after printing why: another process holds it,
 * or the file cannot be opened. */
int cli_lock_data(const char *data_dir);

#endif
