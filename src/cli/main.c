/* The `cairn` command: dispatches to one subcommand per table row. */
#include "cli/cli.h"
#include "core/log.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"init", cli_init,
	 "create a data directory, the admin user and an API key"},
	{"serve", cli_serve, "serve the MISP REST API (--init on first start)"},
	{"import", cli_import, "import MISP JSON files, folders and feeds"},
	{"export", cli_export, "write a restSearch result to stdout"},
	{"org", cli_org, "add an organisation"},
	{"user", cli_user, "add a user with an API key"},
	{"health", cli_health, "ask a running server whether it is ready"},
	{"config", cli_config,
	 "`config show`: print each setting and where it came from"},
	{"backup", cli_backup, "copy the database while the server runs"},
	{"restore", cli_restore, "replace the database with a backup"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: cairn COMMAND [options]\n\n"
		     "Cairn is a threat intelligence sharing platform that "
		     "speaks MISP's REST API.\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	}
	fprintf(out, "\n`cairn COMMAND --help` lists a command's options.  "
		     "Settings come from options,\nthe environment (CAIRN_*) "
		     "and DATA/cairn.conf, in that order of precedence.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (util_init() < 0) {
		fprintf(stderr, "error: libsodium failed to initialise\n");
		return 1;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			return commands[i].run(argc, argv);
		}
	}
	fprintf(stderr, "error: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
