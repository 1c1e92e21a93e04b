/*
 * Records: one row of a MISP model type, described by a field table.
 *
 * Each model type (event, attribute, object, tag, ...) is described once,
 * as a table of fields with their JSON name, database column and kind.  The
 * codec parses JSON into a record and emits a record as JSON; the store binds
 * a record's values to SQL parameters and reads rows back into records.
 * Nested lists (an event's attributes, an attribute's tags) are not fields:
 * the importer and the exporters walk them.
 *
 * A record does not own the strings it points to unless record_own() copied
 * them; borrowed strings live in the JSON document or database row they came
 * from.  record_release() frees the owned copies.
 */
#ifndef CAIRN_RECORD_H
#define CAIRN_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum field_kind {
	FIELD_ID,   /* row id; emitted as a string */
	FIELD_INT,  /* integer; emitted as a string, as MISP does */
	FIELD_NUM,  /* integer; emitted as a JSON number */
	FIELD_BOOL, /* accepts true/false, 0/1, "0"/"1", "true"/"false" */
	FIELD_TIME, /* unix seconds; accepts strings and floats */
	FIELD_TEXT, /* UTF-8 string */
	FIELD_UUID, /* RFC 4122 text form, stored lower case */
	FIELD_DATE, /* YYYY-MM-DD */
};

enum field_flag {
	F_NULLABLE = 1 << 0, /* emitted as null when unset */
	F_SERVER = 1 << 1,   /* assigned by the server; ignored on input */
	F_OMIT = 1 << 2,     /* emitted only when set */
	F_LINK = 1 << 3,     /* stored on the link row, not the model's table */
	F_NOSTORE = 1 << 4,  /* parsed and emitted but never stored */
};

struct field {
	const char *name;   /* JSON key */
	const char *column; /* database column */
	enum field_kind kind;
	unsigned flags;
};

struct model {
	const char *name;  /* JSON envelope key: "Event", "Attribute", ... */
	const char *table; /* database table */
	const struct field *fields;
	size_t nfields;
};

/* Defines `const struct model var` from an X-macro field list such as
 * those of model/misp.h; each list row is (enum id, JSON key, column,
 * kind, flags). */
#define CAIRN_FIELD_ROW(id, name, column, kind, flags)                         \
	{name, column, kind, flags},

#define CAIRN_MODEL(var, json, table, LIST)                                    \
	static const struct field var##_fields[] = {LIST(CAIRN_FIELD_ROW)};    \
	const struct model var = {json, table, var##_fields,                   \
				  sizeof(var##_fields) / sizeof(struct field)};

#define RECORD_MAX_FIELDS 40

struct value {
	bool set;     /* present in the input or the row */
	bool null;    /* present and null */
	int64_t i;    /* ID, INT, NUM, BOOL and TIME kinds */
	const char *s; /* TEXT, UUID and DATE kinds; NUL-terminated */
};

struct record {
	const struct model *model;
	struct value v[RECORD_MAX_FIELDS];
	char *owned[RECORD_MAX_FIELDS]; /* copies made by record_own() */
};

void record_init(struct record *r, const struct model *m);

/* Frees the strings the record owns and resets it to empty. */
void record_release(struct record *r);

/* Returns the index of the field named `name`, or -1. */
int model_field_index(const struct model *m, const char *name);

/* Sets field `i` to an integer, a copied string or null.  The record owns
 * the copy; record_set_text() returns 0 or CAIRN_ENOMEM. */
void record_set_int(struct record *r, int i, int64_t value);
int record_set_text(struct record *r, int i, const char *s);
void record_set_null(struct record *r, int i);

/* Makes the record own every string it borrows, so that it outlives the
 * document or row it was read from.  Returns 0 or CAIRN_ENOMEM. */
int record_own(struct record *r);

/* Accessors that return a default for an unset or null field. */
int64_t record_int(const struct record *r, int i, int64_t fallback);
const char *record_text(const struct record *r, int i, const char *fallback);

#endif
