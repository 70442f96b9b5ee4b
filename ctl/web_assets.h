/* The dashboard's page, script and style, built into urlctl from ctl/web/
 * (build/gen/web_assets.c, made by ctl/web/embed.sh): no CDN, works offline. */
#ifndef UE_WEB_ASSETS_H
#define UE_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;           /* "/", "/app.js", ... */
	const char *type;           /* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

#endif
