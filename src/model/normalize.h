/*
 * Validation and canonical form of attribute values, by MISP type.
 *
 * Each attribute type belongs to a family: hashes, IP addresses, domain
 * names, URLs, e-mail addresses, numbers, dates, free text and a few more.
 * One function per family checks a value and rewrites it into the form
 * that is stored, searched and correlated, so that two spellings of one
 * indicator meet.  The rules follow MISP's attribute validation (MISP
 * 2.4/2.5, AttributeValidationTool), with the exceptions listed in
 * normalize.c.  Text types are never altered, and 4-byte UTF-8 is kept.
 */
#ifndef CAIRN_NORMALIZE_H
#define CAIRN_NORMALIZE_H

#include "core/buf.h"
#include "core/err.h"
#include "model/record.h"

#include <stdbool.h>
#include <stdint.h>

/* Validates `value` for the MISP attribute type `type` and writes its
 * canonical form (or the value itself) into `out`, which is cleared
 * first.  Returns 0, CAIRN_EINVAL with a message naming the value, the
 * type and what is expected, or CAIRN_ENOMEM.  An unknown type is
 * CAIRN_EINVAL. */
int normalize_value(const char *type, const char *value, struct buf *out,
		    struct cairn_err *e);

/* Calls `fn` with each canonical form that `value` takes as some type
 * and that differs from `value`, once per distinct rule of the type
 * table (a form may repeat when two rules agree on it).  Stops at the
 * first negative return of `fn`, which it returns. */
int normalize_forms(const char *value,
		    int (*fn)(void *ctx, const char *form), void *ctx);

/* Parses a first_seen or last_seen time in ISO 8601: a date, or a date
 * and time with optional fraction and zone, where a time without a zone
 * is UTC.  Writes it in MISP's output form, UTC with microseconds, as
 * "2024-05-01T12:00:00.000000+00:00".  Sets *usec to the instant in
 * microseconds since 1970 when `usec` is not NULL.  Returns 0 or
 * CAIRN_EINVAL. */
int normalize_seen(const char *value, struct buf *out, int64_t *usec,
		   struct cairn_err *e);

/* Normalises an attribute record in place: its value for its type (when
 * both are set) and its first_seen and last_seen, and rejects a
 * last_seen before first_seen.  `pointer` locates the attribute in the
 * input for the message.  Sets *changed, when not NULL, to whether the
 * value was rewritten.  Returns 0, CAIRN_EINVAL or CAIRN_ENOMEM. */
int normalize_attribute(struct record *rec, const char *pointer,
			bool *changed, struct cairn_err *e);

#endif
