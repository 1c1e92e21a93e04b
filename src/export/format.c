/*
 * The table of export formats.  Each format's writer lives in its own
 * file (export/format_<name>.c) and adds one row here.
 */
#include "export/format.h"
#include "export/format_writers.h"

#include <strings.h>

static const struct export_format *const formats[] = {
    &export_format_cache,  &export_format_count,    &export_format_csv,
    &export_format_hashes, &export_format_rpz,	    &export_format_snort,
    &export_format_stix2,  &export_format_suricata, &export_format_text,
    &export_format_yara,   &export_format_zeek,
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const struct export_format *export_format_find(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (formats[i] && strcasecmp(formats[i]->name, name) == 0) {
			return formats[i];
		}
	}
	return NULL;
}

int export_format_names(struct buf *out)
{
	const char *sep = "";

	buf_clear(out);
	for (size_t i = 0; i < NFORMATS; i++) {
		if (!formats[i]) {
			continue;
		}
		if (buf_printf(out, "%s%s", sep, formats[i]->name) < 0) {
			return CAIRN_ENOMEM;
		}
		sep = ", ";
	}
	return 0;
}
