/*
 * The csv format: one RFC 4180 record per attribute, with MISP's default
 * columns and header names, or the columns of requested_attributes.
 *
 * Text, UUID and date fields are always quoted, with inner quotes doubled
 * and commas and line breaks kept inside the quotes; ids, integers and
 * timestamps are bare, and booleans are 0 or 1, as MISP writes them.  A
 * column the attribute has no value for is written as "", as MISP does.
 * Lines end in LF, as MISP's do.
 */
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/misp.h"

#include <string.h>

#define CSV_MAX_COLUMNS 64

enum csv_source {
	CSV_NONE,	/* no such field: always "" */
	CSV_ATTRIBUTE,	/* a field of the attribute */
	CSV_EVENT,	/* event_<field> */
	CSV_OBJECT,	/* object_<field> */
	CSV_ATTR_TAGS,	/* attribute_tag: its own tags */
	CSV_EVENT_TAGS, /* event_tag: its event's tags */
	CSV_ORG,	/* event_member_org */
	CSV_ORGC,	/* event_source_org */
	CSV_VALUE1,	/* the first part of a composite value */
	CSV_VALUE2,	/* the second part, or "" */
};

struct csv_column {
	enum csv_source source;
	int field;
};

struct csv_state {
	size_t ncolumns;
	struct csv_column columns[CSV_MAX_COLUMNS];
	struct buf cell;
};

static const char *const default_columns[] = {
    "uuid",	     "event_id",  "category",
    "type",	     "value",	  "comment",
    "to_ids",	     "timestamp", "object_relation",
    "attribute_tag",
};

static const char *const object_columns[] = {
    "object_uuid",
    "object_name",
    "object_meta-category",
};

static const char *const context_columns[] = {
    "event_info",
    "event_member_org",
    "event_source_org",
    "event_distribution",
    "event_threat_level_id",
    "event_analysis",
    "event_date",
    "event_tag",
    "event_timestamp",
};

static struct csv_column resolve_column(const char *name)
{
	static const struct {
		const char *name;
		enum csv_source source;
	} named[] = {
	    {"attribute_tag", CSV_ATTR_TAGS}, {"event_tag", CSV_EVENT_TAGS},
	    {"event_member_org", CSV_ORG},    {"event_source_org", CSV_ORGC},
	    {"value1", CSV_VALUE1},	      {"value2", CSV_VALUE2},
	};
	int i;

	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		if (strcmp(name, named[k].name) == 0) {
			return (struct csv_column){named[k].source, 0};
		}
	}
	if ((i = model_field_index(&model_attribute, name)) >= 0) {
		return (struct csv_column){CSV_ATTRIBUTE, i};
	}
	if (strncmp(name, "event_", 6) == 0 &&
	    (i = model_field_index(&model_event, name + 6)) >= 0) {
		return (struct csv_column){CSV_EVENT, i};
	}
	if (strncmp(name, "object_", 7) == 0 &&
	    (i = model_field_index(&model_object, name + 7)) >= 0) {
		return (struct csv_column){CSV_OBJECT, i};
	}
	return (struct csv_column){CSV_NONE, 0};
}

/* Writes MISP's header name of column `name`: '-' becomes '_' and
 * timestamp is called date. */
static int write_header_name(struct buf *out, const char *name)
{
	if (strcmp(name, "timestamp") == 0) {
		return buf_adds(out, "date");
	}
	for (const char *p = name; *p; p++) {
		if (buf_addc(out, *p == '-' ? '_' : *p) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

static int add_column(struct csv_state *st, const char *name, bool header,
		      struct buf *out, struct cairn_err *e)
{
	if (st->ncolumns == CSV_MAX_COLUMNS) {
		return cairn_err_set(
		    e, CAIRN_EINVAL,
		    "too many csv columns in "
		    "requested_attributes: expected at most %d",
		    CSV_MAX_COLUMNS);
	}
	st->columns[st->ncolumns++] = resolve_column(name);
	if (!header) {
		return 0;
	}
	if (st->ncolumns > 1 && buf_addc(out, ',') < 0) {
		return CAIRN_ENOMEM;
	}
	return write_header_name(out, name);
}

static int add_columns(struct csv_state *st, const char *const *names, size_t n,
		       bool header, struct buf *out, struct cairn_err *e)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = add_column(st, names[i], header, out, e);
	}
	return rc;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int csv_begin(void *state, const struct export_options *o,
		     struct buf *out, struct cairn_err *e)
{
	struct csv_state *st = state;
	bool header = !o->headerless;
	int rc;

	if (o->columns && o->ncolumns > 0) {
		rc = add_columns(st, o->columns, o->ncolumns, header, out, e);
	} else {
		rc = add_columns(st, default_columns, COUNT(default_columns),
				 header, out, e);
		if (rc == 0) {
			rc = add_columns(st, object_columns,
					 COUNT(object_columns), header, out, e);
		}
	}
	if (rc == 0 && o->include_context) {
		rc = add_columns(st, context_columns, COUNT(context_columns),
				 header, out, e);
	}
	if (rc == 0 && header) {
		rc = buf_addc(out, '\n');
	}
	return rc;
}

static int write_quoted(struct buf *out, const char *s, size_t len)
{
	int rc = buf_addc(out, '"');

	for (size_t i = 0; rc == 0 && i < len; i++) {
		rc = s[i] == '"' ? buf_adds(out, "\"\"") : buf_addc(out, s[i]);
	}
	return rc == 0 ? buf_addc(out, '"') : rc;
}

/* Writes field `field` of `r` as MISP does: numbers bare, booleans 0 or
 * 1, everything else quoted; "" when `r` is NULL or the field unset. */
static int write_field(struct buf *out, const struct record *r, int field)
{
	const struct value *v;

	if (!r || !r->v[field].set || r->v[field].null) {
		return buf_adds(out, "\"\"");
	}
	v = &r->v[field];
	switch (r->model->fields[field].kind) {
	case FIELD_ID:
	case FIELD_INT:
	case FIELD_NUM:
	case FIELD_TIME:
		return buf_printf(out, "%lld", (long long)v->i);
	case FIELD_BOOL:
		return buf_addc(out, v->i ? '1' : '0');
	default:
		return write_quoted(out, v->s, strlen(v->s));
	}
}

static int write_text(struct buf *out, const char *s)
{
	return write_quoted(out, s ? s : "", s ? strlen(s) : 0);
}

static int write_tags(struct csv_state *st, struct buf *out,
		      const struct export_item *it, size_t from, size_t to)
{
	buf_clear(&st->cell);
	if (export_join_tags(&st->cell, it, from, to, ",") < 0) {
		return CAIRN_ENOMEM;
	}
	return write_quoted(out, buf_str(&st->cell), st->cell.len);
}

static int write_part(struct buf *out, const struct export_item *it,
		      size_t which)
{
	struct span parts[2];
	const char *type = export_attr_text(it, ATTR_TYPE);
	size_t n =
	    export_value_parts(type, export_attr_text(it, ATTR_VALUE), parts);

	if (which >= n) {
		return buf_adds(out, "\"\"");
	}
	return write_quoted(out, parts[which].s, parts[which].len);
}

static int write_cell(struct csv_state *st, struct buf *out,
		      const struct export_item *it, struct csv_column c)
{
	switch (c.source) {
	case CSV_ATTRIBUTE:
		return write_field(out, it->attribute, c.field);
	case CSV_EVENT:
		return write_field(out, it->event, c.field);
	case CSV_OBJECT:
		return write_field(out, it->object, c.field);
	case CSV_ATTR_TAGS:
		return write_tags(st, out, it, 0, it->nattribute_tags);
	case CSV_EVENT_TAGS:
		return write_tags(st, out, it, it->nattribute_tags, it->ntags);
	case CSV_ORG:
		return write_text(out, it->org_name);
	case CSV_ORGC:
		return write_text(out, it->orgc_name);
	case CSV_VALUE1:
		return write_part(out, it, 0);
	case CSV_VALUE2:
		return write_part(out, it, 1);
	default:
		return buf_adds(out, "\"\"");
	}
}

static int csv_item(void *state, const struct export_item *it, struct buf *out,
		    struct cairn_err *e)
{
	struct csv_state *st = state;
	int rc = 0;

	(void)e;
	for (size_t i = 0; rc == 0 && i < st->ncolumns; i++) {
		if (i > 0) {
			rc = buf_addc(out, ',');
		}
		if (rc == 0) {
			rc = write_cell(st, out, it, st->columns[i]);
		}
	}
	return rc == 0 ? buf_addc(out, '\n') : CAIRN_ENOMEM;
}

static void csv_release(void *state)
{
	struct csv_state *st = state;

	buf_release(&st->cell);
}

const struct export_format export_format_csv = {
    .name = "csv",
    .content_type = "text/csv; charset=UTF-8",
    .ids_published_default = false,
    .state_size = sizeof(struct csv_state),
    .begin = csv_begin,
    .item = csv_item,
    .end = export_end_none,
    .release = csv_release,
};
