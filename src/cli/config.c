/* `cairn config show`: prints each effective setting and its source. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_config(int argc, char **argv)
{
	struct buf out = BUF_INIT;
	struct config c;
	int rc;

	if (argc < 3 || strcmp(argv[2], "show") != 0) {
		if (argc >= 3 && (strcmp(argv[2], "--help") == 0 ||
				  strcmp(argv[2], "-h") == 0)) {
			printf("usage: cairn config show [--data DIR] "
			       "[options]\n");
			return 0;
		}
		fprintf(stderr, "error: expected `cairn config show [--data "
				"DIR] [options]`\n");
		return 2;
	}
	config_init(&c);
	/* Every setting's option is accepted, so that a command line can be
	 * tried out.  Parsing starts after "show". */
	rc = cli_load_settings(
		argc - 1, argv + 1,
		"cairn config show [--data DIR] [options]\n\n"
		"Prints `name = value (source)` for every setting, with the "
		"source one of\ndefault, file (DIR/cairn.conf), environment "
		"or option.",
		NULL, 0, NULL, 0, NULL, 0, NULL, &c);
	if (rc == 0 && config_show(&c, &out) == 0) {
		fputs(buf_str(&out), stdout);
	}
	buf_release(&out);
	config_release(&c);
	return rc < 0 ? 2 : 0;
}
