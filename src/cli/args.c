/* Table-driven option parsing for the subcommands; see cli.h. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Options of settings plus a command's own; more than any command has. */
#define MAX_OPTIONS 40

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

static int print_error(const struct cairn_err *e)
{
	fprintf(stderr, "error: %s\n", buf_str(&e->message));
	return -1;
}

/* Loads DIR/cairn.conf when the data setting names a directory. */
static int load_data_file(struct config *c, struct cairn_err *e)
{
	const char *data = config_get(c, CFG_DATA);
	struct buf path = BUF_INIT;
	int rc;

	if (!data) {
		return 0;
	}
	buf_printf(&path, "%s/%s", data, CONFIG_FILE_NAME);
	rc = config_load_file(c, buf_str(&path), e);
	buf_release(&path);
	return rc;
}

int cli_load_settings(int argc, char **argv, const char *usage,
		      const enum config_key *keys, size_t nkeys,
		      const struct cli_option *extra, size_t nextra,
		      const char **positional, size_t max_positional,
		      size_t *npositional, struct config *c)
{
	struct cli_option opts[MAX_OPTIONS];
	const char *texts[CFG_COUNT] = {NULL};
	struct cairn_err e = CAIRN_ERR_INIT;
	bool help = false;
	size_t nopts = 0, unused;
	int rc;

	if (!npositional) {
		npositional = &unused;
	}
	if (!keys) {
		nkeys = CFG_COUNT;
	}
	for (size_t i = 0; i < nkeys && nopts < MAX_OPTIONS; i++) {
		enum config_key k = keys ? keys[i] : (enum config_key)i;

		if (config_option(k)) {
			opts[nopts++] = (struct cli_option){
				config_option(k), config_value_name(k),
				config_help(k), &texts[k], NULL};
		}
	}
	for (size_t i = 0; i < nextra && nopts < MAX_OPTIONS; i++) {
		opts[nopts++] = extra[i];
	}
	if (nopts < MAX_OPTIONS) {
		opts[nopts++] = (struct cli_option){
			"--help", NULL, "show this help", NULL, &help};
	}
	if (cli_parse(argc, argv, 2, opts, nopts, positional, max_positional,
		      npositional) < 0) {
		return -1;
	}
	if (help) {
		printf("usage: %s\n", usage);
		cli_print_options(opts, nopts);
		return 1;
	}
	rc = config_load_env(c, &e);
	for (int k = 0; rc == 0 && k < CFG_COUNT; k++) {
		if (texts[k]) {
			rc = config_set(c, (enum config_key)k, texts[k],
					CONFIG_OPTION, 0);
		}
	}
	if (rc == 0) {
		rc = load_data_file(c, &e);
	}
	if (rc == 0) {
		rc = config_finish(c, &e);
	}
	if (rc < 0) {
		print_error(&e);
	}
	cairn_err_release(&e);
	return rc < 0 ? -1 : 0;
}

int cli_load_data_file(int argc, char **argv, const char *usage,
		       const char **file, struct config *c)
{
	static const enum config_key data_key[] = {CFG_DATA};
	size_t npos = 0;
	int rc = cli_load_settings(argc, argv, usage, data_key, 1, NULL, 0,
				   file, 1, &npos, c);

	if (rc == 0 && (!config_get(c, CFG_DATA) || npos != 1)) {
		fprintf(stderr, "error: expected `%.*s`\n",
			(int)strcspn(usage, "\n"), usage);
		rc = -1;
	}
	return rc;
}

bool cli_database_exists(const char *data_dir)
{
	struct buf path = BUF_INIT;
	bool exists;

	buf_printf(&path, "%s/cairn.db", data_dir);
	exists = access(buf_str(&path), F_OK) == 0;
	buf_release(&path);
	return exists;
}

int cli_lock_data(const char *data_dir)
{
	struct buf path = BUF_INIT;
	int fd;

	buf_printf(&path, "%s/cairn.lock", data_dir);
	fd = open(buf_str(&path), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "error: cannot open '%s': %s\n",
			buf_str(&path), strerror(errno));
		buf_release(&path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			fprintf(stderr,
				"error: data directory '%s' is in use: "
				"another cairn process (a running cairn serve "
				"or cairn restore) holds '%s'\n",
				data_dir, buf_str(&path));
		} else {
			fprintf(stderr, "error: cannot lock '%s': %s\n",
				buf_str(&path), strerror(errno));
		}
		close(fd);
		fd = -1;
	}
	buf_release(&path);
	return fd;
}
