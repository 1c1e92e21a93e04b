/*
 * The plain-HTTP listener beside HTTPS: every request gets 301 Moved
 * Permanently to the same path and query on the HTTPS base URL.
 */
#include "http/server.h"

#include <string.h>

void http_redirect_handler(void *ctx, const struct http_request *rq,
			   struct http_response *rs)
{
	const char *base = ctx;
	struct buf location = BUF_INIT;
	int rc;

	rc = buf_printf(&location, "%s%s%s%s", base, rq->path,
			rq->query[0] ? "?" : "", rq->query);
	if (rc == 0) {
		rc = http_response_header(rs, "Location", buf_str(&location));
	}
	if (rc == 0) {
		rs->status = 301;
		rs->content_type = "text/plain";
		rc = buf_printf(&rs->body, "Moved to %s\n",
				buf_str(&location));
	}
	if (rc < 0) {
		rs->status = 500;
	}
	buf_release(&location);
}
