/*
 * MISP JSON codec for records: JSON object -> record, record -> JSON.
 *
 * Parsing is lenient where MISP and PyMISP are (numbers sent as strings,
 * float timestamps, 0/1 for booleans, unknown keys ignored, null taken
 * as "not given" except on nullable fields) and strict
 * about types that cannot be meant (an object where a string belongs, a
 * malformed UUID or date).  Emitting writes ids, timestamps and enums as
 * strings and booleans as booleans, as MISP does.
 */
#ifndef CAIRN_CODEC_H
#define CAIRN_CODEC_H

#include "core/err.h"
#include "model/record.h"

#include <jansson.h>
#include <yajl/yajl_gen.h>

/* Fills `r` (already initialised for `m`) from the JSON object `obj`.
 * Fields flagged F_SERVER are skipped unless `keep_server` is true.
 * Strings are borrowed from `obj`, except normalised ones (lower-cased
 * UUIDs), which the record owns.  On error returns CAIRN_EINVAL with the
 * message and `pointer`/field in `e`. */
int codec_parse(struct record *r, json_t *obj, bool keep_server,
		const char *pointer, struct cairn_err *e);

/* Writes the set fields of `r` as key/value pairs into the map that the
 * caller has opened in `g`; unset F_NULLABLE fields become null.  Returns
 * 0 or CAIRN_ENOMEM. */
int codec_emit_fields(yajl_gen g, const struct record *r);

/* Writes `r` as a complete JSON object. */
int codec_emit_record(yajl_gen g, const struct record *r);

/* Writes an arbitrary jansson value into `g`. */
int codec_emit_json(yajl_gen g, const json_t *v);

/* Writes a string key; a shorthand for yajl_gen_string on a C string. */
int codec_emit_key(yajl_gen g, const char *key);

/* Returns true when `s` is a UUID in 8-4-4-4-12 hex form. */
bool codec_is_uuid(const char *s);

#endif
