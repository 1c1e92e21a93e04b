/*
 * The web UI's static files and the security headers of every response.
 *
 * The files are the ones embedded at build time (api/web_assets.h): "/"
 * serves index.html and "/ui/PATH" the file PATH of web/.  They need no
 * login; every data call the pages make goes through the REST API with
 * the session cookie.
 */
#include "api/api.h"
#include "api/web_assets.h"

#include <string.h>

/* No inline script or style, nothing from another origin, no framing. */
#define WEB_CSP                                                                \
	"default-src 'self'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; "          \
	"object-src 'none'; base-uri 'none'; form-action 'self'; "             \
	"frame-ancestors 'none'"

int api_web_headers(struct http_response *rs)
{
	if (http_response_header(rs, "Content-Security-Policy", WEB_CSP) < 0 ||
	    http_response_header(rs, "X-Content-Type-Options", "nosniff") < 0 ||
	    http_response_header(rs, "X-Frame-Options", "DENY") < 0 ||
	    http_response_header(rs, "Referrer-Policy", "no-referrer") < 0) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

static const struct web_asset *asset_find(const char *path)
{
	for (size_t i = 0; i < web_asset_count; i++) {
		if (strcmp(web_assets[i].path, path) == 0) {
			return &web_assets[i];
		}
	}
	return NULL;
}

static int asset_send(struct api_ctx *c, const struct web_asset *a)
{
	c->rs->content_type = a->content_type;
	if (buf_add(&c->rs->body, (const char *)a->data, a->size) < 0 ||
	    http_response_header(c->rs, "Cache-Control", "no-cache") < 0) {
		return api_error(c, 500, "Out of memory.", NULL);
	}
	return 0;
}

int api_web_index(struct api_ctx *c)
{
	const struct web_asset *a = asset_find("index.html");

	if (!a) {
		return api_error(c, 404, "Not Found", NULL);
	}
	return asset_send(c, a);
}

int api_web_asset(struct api_ctx *c)
{
	struct buf path = BUF_INIT;
	const struct web_asset *a;
	int rc;

	/* The segments after "ui", joined again; an exact match against the
	 * embedded names, so "..", empty or encoded segments find nothing. */
	for (size_t i = 1; i < c->path.nsegments; i++) {
		if (buf_printf(&path, "%s%s", i > 1 ? "/" : "",
			       c->path.segments[i]) < 0) {
			buf_release(&path);
			return api_error(c, 500, "Out of memory.", NULL);
		}
	}
	a = c->path.nnamed == 0 ? asset_find(buf_str(&path)) : NULL;
	buf_release(&path);
	if (!a) {
		return api_error(c, 404, "Not Found", NULL);
	}
	rc = asset_send(c, a);
	return rc;
}
