/*
 * Range and consistency checks of MISP records, applied on every write
 * path (import, events/add and edit, attributes, objects, tags) after
 * parsing and before storing.  Only fields that are set are checked, so
 * the same checks serve a full record and a partial edit.
 */
#ifndef CAIRN_VALIDATE_H
#define CAIRN_VALIDATE_H

#include "core/err.h"
#include "model/record.h"

/* Returns 0, or CAIRN_EINVAL with the field, its pointer (`pointer` is
 * the record's own) and the expected values in `e`. */
int misp_validate(const struct record *r, const char *pointer,
		  struct cairn_err *e);

#endif
