/* Table-driven option parsing for the subcommands; see cli.h. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static const struct cli_option *find_option(const struct cli_option *opts,
					    size_t nopts, const char *arg,
					    size_t len)
{
	for (size_t i = 0; i < nopts; i++) {
		if (strlen(opts[i].name) == len &&
		    strncmp(opts[i].name, arg, len) == 0) {
			return &opts[i];
		}
	}
	return NULL;
}

int cli_parse(int argc, char **argv, int first, const struct cli_option *opts,
	      size_t nopts, const char **positional, size_t max_positional,
	      size_t *npositional)
{
	bool options_done = false;

	*npositional = 0;
	for (int i = first; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct cli_option *o;

		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (*npositional == max_positional) {
				fprintf(stderr,
					"error: unexpected argument '%s'\n",
					arg);
				return -1;
			}
			positional[(*npositional)++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		o = find_option(opts, nopts, arg, len);
		if (!o) {
			fprintf(stderr,
				"error: unknown option '%.*s' (--help lists "
				"the options)\n",
				(int)len, arg);
			return -1;
		}
		if (!o->value) {
			if (eq) {
				fprintf(stderr,
					"error: option '%s' takes no value\n",
					o->name);
				return -1;
			}
			*o->flag = true;
			continue;
		}
		if (eq) {
			*o->text = eq + 1;
		} else if (i + 1 < argc) {
			*o->text = argv[++i];
		} else {
			fprintf(stderr, "error: option '%s' requires a %s\n",
				o->name, o->value);
			return -1;
		}
	}
	return 0;
}

void cli_print_options(const struct cli_option *opts, size_t nopts)
{
	for (size_t i = 0; i < nopts; i++) {
		struct buf left = BUF_INIT;

		buf_printf(&left, "%s%s%s", opts[i].name,
			   opts[i].value ? " " : "",
			   opts[i].value ? opts[i].value : "");
		printf("  %-24s %s\n", buf_str(&left), opts[i].help);
		buf_release(&left);
	}
}

struct store *cli_open_store(const char *data_dir)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct buf path = BUF_INIT;
	struct store_actor actor = {.request_type = STORE_REQUEST_CLI};
	struct store *s = NULL;

	buf_printf(&path, "%s/cairn.db", data_dir);
	if (store_open(&s, buf_str(&path), &e) < 0) {
		fprintf(stderr, "error: cannot open database '%s': %s\n",
			buf_str(&path), buf_str(&e.message));
		s = NULL;
	}
	/* Changes made by a command are audited as MISP's CLI requests,
	 * without a user. */
	if (s && store_set_actor(s, &actor) < 0) {
		store_close(s);
		s = NULL;
	}
	buf_release(&path);
	cairn_err_release(&e);
	return s;
}
