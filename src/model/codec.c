/*
 * MISP JSON codec for records; see codec.h.
 *
 * Input coercion follows what MISP's PHP accepts from its clients: an
 * integer may arrive as a JSON number or a string of digits, a timestamp
 * also as a float or a float string (the fraction is dropped), a boolean
 * as true/false, 0/1 or their string forms.  Text fields take strings and,
 * for numbers such as port or AS values, JSON numbers written back in
 * decimal.  Anything else is a type error naming the field and pointer.
 */
#include "model/codec.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "an unknown value";
}

/* Parses a whole string as a decimal integer, or as a decimal fraction
 * when `allow_fraction` is set, truncating toward zero. */
static int parse_int_text(const char *s, bool allow_fraction, int64_t *out)
{
	char *end;
	long long n;
	bool digits;

	while (isspace((unsigned char)*s)) {
		s++;
	}
	if (*s == '\0') {
		return -1;
	}
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno == ERANGE) {
		return -1;
	}
	digits = end != s;
	if (*end == '.' && allow_fraction) {
		end++;
		while (isdigit((unsigned char)*end)) {
			end++;
			digits = true;
		}
	}
	while (isspace((unsigned char)*end)) {
		end++;
	}
	/* A lone "." has no digit on either side and is not a number. */
	if (*end != '\0' || !digits) {
		return -1;
	}
	*out = n;
	return 0;
}

static int coerce_int(const json_t *v, bool allow_fraction, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (!isfinite(d) || fabs(d) > 9.0e18 ||
		    (!allow_fraction && d != floor(d))) {
			return -1;
		}
		*out = (int64_t)d;
		return 0;
	}
	if (json_is_string(v)) {
		return parse_int_text(json_string_value(v), allow_fraction,
				      out);
	}
	return -1;
}

static int coerce_bool(const json_t *v, int64_t *out)
{
	const char *s;

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 ||
				   json_integer_value(v) == 1)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v)) {
		return -1;
	}
	s = json_string_value(v);
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || *s == '\0') {
		*out = 0;
		return 0;
	}
	return -1;
}

bool codec_is_uuid(const char *s)
{
	static const int dash_at[] = {8, 13, 18, 23};
	size_t d = 0;

	if (strlen(s) != 36) {
		return false;
	}
	for (int i = 0; i < 36; i++) {
		if (d < 4 && i == dash_at[d]) {
			if (s[i] != '-') {
				return false;
			}
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

/* Returns the number written by the `n` decimal digits at `s`. */
static int decimal_value(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* Returns true for a calendar date in YYYY-MM-DD form. */
static bool is_date(const char *s)
{
	int year, month, day;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
		return false;
	}
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) {
			return false;
		}
	}
	year = decimal_value(s, 4);
	month = decimal_value(s + 5, 2);
	day = decimal_value(s + 8, 2);
	if (month < 1 || month > 12) {
		return false;
	}
	return day >= 1 && day <= days_in_month(year, month);
}

static int fail(struct cairn_err *e, const char *pointer, const char *key,
		const char *expected, const json_t *v)
{
	struct buf at = BUF_INIT;

	buf_printf(&at, "%s/%s", pointer, key);
	cairn_err_set(e, CAIRN_EINVAL, "invalid '%s' at %s: expected %s, got %s",
		      key, buf_str(&at), expected, json_type_name(v));
	cairn_err_at(e, buf_str(&at), key);
	buf_release(&at);
	return CAIRN_EINVAL;
}

static int fail_text(struct cairn_err *e, const char *pointer,
		     const char *key, const char *expected, const char *got)
{
	struct buf at = BUF_INIT;

	buf_printf(&at, "%s/%s", pointer, key);
	cairn_err_set(e, CAIRN_EINVAL, "invalid '%s' at %s: expected %s, got '%s'",
		      key, buf_str(&at), expected, got);
	cairn_err_at(e, buf_str(&at), key);
	buf_release(&at);
	return CAIRN_EINVAL;
}

/* Stores a text-like JSON value into field `i`, copying when it must be
 * rewritten (numbers, lower-cased UUIDs). */
static int parse_text(struct record *r, int i, const json_t *v,
		      const char *pointer, struct cairn_err *e)
{
	const struct field *f = &r->model->fields[i];
	char number[32];

	if (json_is_integer(v) && f->kind == FIELD_TEXT) {
		snprintf(number, sizeof(number), "%" PRId64,
			 (int64_t)json_integer_value(v));
		return record_set_text(r, i, number);
	}
	if (!json_is_string(v)) {
		return fail(e, pointer, f->name, "a string", v);
	}
	if (f->kind == FIELD_UUID) {
		const char *s = json_string_value(v);
		char *lower;

		if (!codec_is_uuid(s)) {
			return fail_text(e, pointer, f->name, "a UUID", s);
		}
		if (record_set_text(r, i, s) < 0) {
			return CAIRN_ENOMEM;
		}
		lower = r->owned[i];
		for (char *p = lower; *p; p++) {
			*p = (char)tolower((unsigned char)*p);
		}
		return 0;
	}
	if (f->kind == FIELD_DATE && !is_date(json_string_value(v))) {
		const char *s = json_string_value(v);

		/* MISP also sends full ISO 8601 times in date fields. */
		if (strlen(s) > 10 && (s[10] == 'T' || s[10] == ' ')) {
			char day[11];

			memcpy(day, s, 10);
			day[10] = '\0';
			if (is_date(day)) {
				return record_set_text(r, i, day);
			}
		}
		return fail_text(e, pointer, f->name, "a date YYYY-MM-DD", s);
	}
	r->v[i].set = true;
	r->v[i].null = false;
	r->v[i].s = json_string_value(v);
	return 0;
}

static int parse_field(struct record *r, int i, const json_t *v,
		       const char *pointer, struct cairn_err *e)
{
	const struct field *f = &r->model->fields[i];
	int64_t n;

	/* Null clears a nullable field; elsewhere it means "not given". */
	if (json_is_null(v)) {
		if (f->flags & F_NULLABLE) {
			record_set_null(r, i);
		}
		return 0;
	}
	switch (f->kind) {
	case FIELD_ID:
	case FIELD_INT:
	case FIELD_NUM:
		if (coerce_int(v, false, &n) < 0) {
			return fail(e, pointer, f->name, "an integer", v);
		}
		record_set_int(r, i, n);
		return 0;
	case FIELD_TIME:
		if (coerce_int(v, true, &n) < 0) {
			return fail(e, pointer, f->name,
				    "a unix timestamp", v);
		}
		record_set_int(r, i, n);
		return 0;
	case FIELD_BOOL:
		if (coerce_bool(v, &n) < 0) {
			return fail(e, pointer, f->name, "a boolean", v);
		}
		record_set_int(r, i, n);
		return 0;
	case FIELD_TEXT:
	case FIELD_UUID:
	case FIELD_DATE:
		return parse_text(r, i, v, pointer, e);
	}
	return 0;
}

/* Sorts the object's members into `values` by field index in one pass
 * over the members, which is cheaper than one hash lookup per field:
 * inputs carry fewer members than the model has fields. */
static void collect_fields(const struct model *m, json_t *obj,
			   json_t *values[RECORD_MAX_FIELDS])
{
	const char *key;
	json_t *v;

	memset(values, 0, RECORD_MAX_FIELDS * sizeof(*values));
	json_object_foreach(obj, key, v) {
		for (size_t i = 0; i < m->nfields; i++) {
			const char *name = m->fields[i].name;

			if (name[0] == key[0] && strcmp(name, key) == 0) {
				values[i] = v;
				break;
			}
		}
	}
}

int codec_parse(struct record *r, json_t *obj, bool keep_server,
		const char *pointer, struct cairn_err *e)
{
	const struct model *m = r->model;
	json_t *values[RECORD_MAX_FIELDS];

	if (!json_is_object(obj)) {
		cairn_err_set(e, CAIRN_EINVAL,
			      "invalid %s at %s: expected an object, got %s",
			      m->name, *pointer ? pointer : "/",
			      json_type_name(obj));
		cairn_err_at(e, *pointer ? pointer : "/", NULL);
		return CAIRN_EINVAL;
	}
	collect_fields(m, obj, values);
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		json_t *v = values[i];
		int rc;

		if (!v || ((f->flags & F_SERVER) && !keep_server)) {
			continue;
		}
		/* MISP writes unset timestamps and ids as "" in places. */
		if (json_is_string(v) && json_string_length(v) == 0 &&
		    f->kind != FIELD_TEXT) {
			continue;
		}
		rc = parse_field(r, (int)i, v, pointer, e);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

int codec_emit_key(yajl_gen g, const char *key)
{
	return yajl_gen_string(g, (const unsigned char *)key, strlen(key)) ==
			       yajl_gen_status_ok
		       ? 0
		       : CAIRN_ENOMEM;
}

static int emit_string(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s)) ==
			       yajl_gen_status_ok
		       ? 0
		       : CAIRN_ENOMEM;
}

static int emit_value(yajl_gen g, const struct field *f, const struct value *v)
{
	char number[32];

	if (!v->set || v->null) {
		return yajl_gen_null(g) == yajl_gen_status_ok ? 0
							      : CAIRN_ENOMEM;
	}
	switch (f->kind) {
	case FIELD_BOOL:
		return yajl_gen_bool(g, v->i != 0) == yajl_gen_status_ok
			       ? 0
			       : CAIRN_ENOMEM;
	case FIELD_NUM:
		return yajl_gen_integer(g, v->i) == yajl_gen_status_ok
			       ? 0
			       : CAIRN_ENOMEM;
	case FIELD_ID:
	case FIELD_INT:
	case FIELD_TIME:
		snprintf(number, sizeof(number), "%" PRId64, v->i);
		return emit_string(g, number);
	case FIELD_TEXT:
	case FIELD_UUID:
	case FIELD_DATE:
		return emit_string(g, v->s ? v->s : "");
	}
	return 0;
}

int codec_emit_fields(yajl_gen g, const struct record *r)
{
	const struct model *m = r->model;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		const struct value *v = &r->v[i];

		if (!v->set && !(f->flags & F_NULLABLE)) {
			continue;
		}
		if ((f->flags & F_OMIT) && (!v->set || v->null)) {
			continue;
		}
		if (codec_emit_key(g, f->name) < 0 || emit_value(g, f, v) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

int codec_emit_record(yajl_gen g, const struct record *r)
{
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    codec_emit_fields(g, r) < 0 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

int codec_emit_json(yajl_gen g, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	yajl_gen_status st = yajl_gen_status_ok;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (yajl_gen_map_open(g) != yajl_gen_status_ok) {
			return CAIRN_ENOMEM;
		}
		json_object_foreach((json_t *)v, key, item) {
			if (codec_emit_key(g, key) < 0 ||
			    codec_emit_json(g, item) < 0) {
				return CAIRN_ENOMEM;
			}
		}
		st = yajl_gen_map_close(g);
		break;
	case JSON_ARRAY:
		if (yajl_gen_array_open(g) != yajl_gen_status_ok) {
			return CAIRN_ENOMEM;
		}
		json_array_foreach(v, i, item) {
			if (codec_emit_json(g, item) < 0) {
				return CAIRN_ENOMEM;
			}
		}
		st = yajl_gen_array_close(g);
		break;
	case JSON_STRING:
		st = yajl_gen_string(g,
				     (const unsigned char *)json_string_value(v),
				     json_string_length(v));
		break;
	case JSON_INTEGER:
		st = yajl_gen_integer(g, json_integer_value(v));
		break;
	case JSON_REAL:
		st = yajl_gen_double(g, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		st = yajl_gen_bool(g, json_is_true(v));
		break;
	case JSON_NULL:
		st = yajl_gen_null(g);
		break;
	}
	return st == yajl_gen_status_ok ? 0 : CAIRN_ENOMEM;
}
