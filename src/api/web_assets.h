/*
 * The web UI's files, embedded at build time by scripts/embed_web.c from
 * web/ into a generated source (build/gen/web_assets.c).
 */
#ifndef CAIRN_API_WEB_ASSETS_H
#define CAIRN_API_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path; /* relative to web/, such as "js/app.js" */
	const char *content_type;
	const unsigned char *data;
	size_t size;
};

extern const struct web_asset web_assets[];
extern const size_t web_asset_count;

#endif
