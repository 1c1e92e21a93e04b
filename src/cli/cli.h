/*
 * The `cairn` subcommands and their shared argument parser.
 *
 * Options are described by a table; cli_parse() walks argv with it, so a
 * new option is a new row.  Data goes to stdout and diagnostics to stderr.
 */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

int cli_init(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_org(int argc, char **argv);
int cli_user(int argc, char **argv);

struct store;

/* Creates an API key for the user, stores its hash and writes the key
 * (40 letters and digits and a NUL) into `key`.  Returns 0 or a negative
 * CAIRN_E* code. */
int cli_key_create(struct store *s, int64_t user_id, char key[41]);

/* Opens the database of a data directory; prints the error and returns
 * NULL on failure. */
struct store *cli_open_store(const char *data_dir);

#endif
