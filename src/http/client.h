/*
 * A minimal HTTP/1.1 client for `cairn health`: one GET to a numeric
 * address, over plain TCP or TLS, returning the status code.
 */
#ifndef CAIRN_HTTP_CLIENT_H
#define CAIRN_HTTP_CLIENT_H

#include "core/err.h"

#include <stdbool.h>

/* Sends `GET path` to host:port and stores the response's status code in
 * *status.  With `tls` the connection uses TLS without checking the
 * server's certificate.  Every step gives up after `timeout_ms`.  Returns
 * 0, or CAIRN_EIO with `e` naming what failed. */
int http_get_status(const char *host, int port, bool tls, const char *path,
		    int timeout_ms, int *status, struct cairn_err *e);

#endif
