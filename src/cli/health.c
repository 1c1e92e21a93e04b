/*
 * `cairn health`: requests /health from the server that the same settings
 * would start and exits 0 when it returns 200, else 1 with one line on
 * stderr.  It is a container's healthcheck command, so it needs no curl.
 */
#include "cli/cli.h"
#include "http/client.h"

#include <stdio.h>
#include <string.h>

#define HEALTH_TIMEOUT_MS 5000

static const enum config_key health_keys[] = {
	CFG_DATA, CFG_LISTEN, CFG_TLS_CERT, CFG_TLS_KEY,
};

/* A server listening on every address is reached on loopback. */
static const char *connect_host(const char *listen_host)
{
	if (strcmp(listen_host, "0.0.0.0") == 0) {
		return "127.0.0.1";
	}
	if (strcmp(listen_host, "::") == 0) {
		return "::1";
	}
	return listen_host;
}

int cli_health(int argc, char **argv)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	struct config c;
	const char *host;
	int status = 0;
	int rc;

	config_init(&c);
	rc = cli_load_settings(
		argc, argv,
		"cairn health [options]\n\n"
		"Exits 0 when GET /health on the listen address returns 200.",
		health_keys, sizeof(health_keys) / sizeof(health_keys[0]),
		NULL, 0, NULL, 0, NULL, &c);
	if (rc != 0) {
		config_release(&c);
		return rc < 0 ? 1 : 0;
	}
	host = connect_host(buf_str(&c.listen_host));
	rc = http_get_status(host, c.listen_port, c.tls, "/health",
			     HEALTH_TIMEOUT_MS, &status, &e);
	if (rc < 0) {
		fprintf(stderr, "unhealthy: %s\n", buf_str(&e.message));
	} else if (status != 200) {
		fprintf(stderr, "unhealthy: GET /health on %s returned %d\n",
			config_get(&c, CFG_LISTEN), status);
		rc = -1;
	}
	cairn_err_release(&e);
	config_release(&c);
	return rc < 0 ? 1 : 0;
}
