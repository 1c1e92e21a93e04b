/*
 * The health client; see client.h.  It reads only the status line, so it
 * never needs more than the first bytes of the response.
 */
#include "http/client.h"
#include "core/buf.h"

#include <gnutls/gnutls.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Bytes read while looking for the end of the status line. */
#define STATUS_LINE_MAX 256

struct conn {
	int fd;
	gnutls_session_t tls; /* NULL for plain TCP */
	gnutls_certificate_credentials_t cred;
};

static int connect_to(struct conn *c, const char *host, int port,
		      int timeout_ms, struct cairn_err *e)
{
	struct addrinfo hints = {0}, *res = NULL;
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	char service[16];
	int rc;

	snprintf(service, sizeof(service), "%d", port);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		return cairn_err_set(e, CAIRN_EIO,
				     "invalid address '%s': %s", host,
				     gai_strerror(rc));
	}
	c->fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd >= 0) {
		/* On Linux SO_SNDTIMEO also bounds connect(). */
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (c->fd < 0 || connect(c->fd, res->ai_addr, res->ai_addrlen) < 0) {
		rc = cairn_err_set(e, CAIRN_EIO,
				   "cannot connect to %s port %d: %s", host,
				   port, strerror(errno));
		freeaddrinfo(res);
		return rc;
	}
	freeaddrinfo(res);
	return 0;
}

/* The health check only talks to the server's own listen address, so it
 * skips certificate verification: a self-signed certificate, or one
 * issued for a public name, must not fail it. */
static int start_tls(struct conn *c, int timeout_ms, struct cairn_err *e)
{
	int rc = gnutls_certificate_allocate_credentials(&c->cred);

	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_init(&c->tls, GNUTLS_CLIENT);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_set_default_priority(c->tls);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE,
					    c->cred);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		gnutls_transport_set_int(c->tls, c->fd);
		gnutls_handshake_set_timeout(c->tls, (unsigned)timeout_ms);
		do {
			rc = gnutls_handshake(c->tls);
		} while (rc < 0 && !gnutls_error_is_fatal(rc));
	}
	if (rc < 0) {
		return cairn_err_set(e, CAIRN_EIO, "TLS handshake failed: %s",
				     gnutls_strerror(rc));
	}
	return 0;
}

static ssize_t conn_send(struct conn *c, const char *data, size_t len)
{
	if (c->tls) {
		return gnutls_record_send(c->tls, data, len);
	}
	return send(c->fd, data, len, MSG_NOSIGNAL);
}

static ssize_t conn_recv(struct conn *c, char *data, size_t len)
{
	ssize_t n;

	if (!c->tls) {
		return recv(c->fd, data, len, 0);
	}
	do {
		n = gnutls_record_recv(c->tls, data, len);
	} while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
	return n;
}

static void conn_close(struct conn *c)
{
	if (c->tls) {
		gnutls_deinit(c->tls);
	}
	if (c->cred) {
		gnutls_certificate_free_credentials(c->cred);
	}
	if (c->fd >= 0) {
		close(c->fd);
	}
}

static int send_request(struct conn *c, const char *host, int port,
			const char *path, struct cairn_err *e)
{
	struct buf rq = BUF_INIT;
	bool v6 = strchr(host, ':') != NULL;
	size_t done = 0;
	int rc = 0;

	buf_printf(&rq,
		   "GET %s HTTP/1.1\r\nHost: %s%s%s:%d\r\n"
		   "Accept: application/json\r\nConnection: close\r\n\r\n",
		   path, v6 ? "[" : "", host, v6 ? "]" : "", port);
	while (done < rq.len) {
		ssize_t n = conn_send(c, rq.data + done, rq.len - done);

		if (n <= 0) {
			rc = cairn_err_set(e, CAIRN_EIO,
					   "sending the request failed");
			break;
		}
		done += (size_t)n;
	}
	buf_release(&rq);
	return rc;
}

/* Reads up to the end of the status line, "HTTP/1.1 200 OK". */
static int read_status(struct conn *c, int *status, struct cairn_err *e)
{
	char line[STATUS_LINE_MAX + 1];
	size_t len = 0;
	int code;

	while (len < STATUS_LINE_MAX && !memchr(line, '\n', len)) {
		ssize_t n = conn_recv(c, line + len, STATUS_LINE_MAX - len);

		if (n <= 0) {
			break;
		}
		len += (size_t)n;
	}
	line[len] = '\0';
	if (sscanf(line, "HTTP/1.%*1[01] %3d", &code) != 1) {
		return cairn_err_set(e, CAIRN_EIO,
				     len ? "the response has no HTTP status "
					   "line"
					 : "no response (timed out or the "
					   "connection closed)");
	}
	*status = code;
	return 0;
}

int http_get_status(const char *host, int port, bool tls, const char *path,
		    int timeout_ms, int *status, struct cairn_err *e)
{
	struct conn c = {.fd = -1};
	int rc = connect_to(&c, host, port, timeout_ms, e);

	if (rc == 0 && tls) {
		rc = start_tls(&c, timeout_ms, e);
	}
	if (rc == 0) {
		rc = send_request(&c, host, port, path, e);
	}
	if (rc == 0) {
		rc = read_status(&c, status, e);
	}
	conn_close(&c);
	return rc;
}
