/*
 * The writers of the export format table (export/format.c), one per
 * export/format_<name>.c file.
 */
#ifndef CAIRN_FORMAT_WRITERS_H
#define CAIRN_FORMAT_WRITERS_H

#include "export/format.h"

extern const struct export_format export_format_cache;
extern const struct export_format export_format_count;
extern const struct export_format export_format_csv;
extern const struct export_format export_format_hashes;
extern const struct export_format export_format_rpz;
extern const struct export_format export_format_snort;
extern const struct export_format export_format_stix2;
extern const struct export_format export_format_suricata;
extern const struct export_format export_format_text;
extern const struct export_format export_format_yara;
extern const struct export_format export_format_zeek;

#endif
