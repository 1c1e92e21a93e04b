/* Records and field tables; see record.h. */
#include "model/record.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

void record_init(struct record *r, const struct model *m)
{
	memset(r, 0, sizeof(*r));
	r->model = m;
}

void record_release(struct record *r)
{
	const struct model *m = r->model;

	for (size_t i = 0; i < RECORD_MAX_FIELDS; i++) {
		free(r->owned[i]);
	}
	record_init(r, m);
}

int model_field_index(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nfields; i++) {
		if (strcmp(m->fields[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

void record_set_int(struct record *r, int i, int64_t value)
{
	r->v[i].set = true;
	r->v[i].null = false;
	r->v[i].i = value;
}

int record_set_text(struct record *r, int i, const char *s)
{
	char *copy = strdup(s);

	if (!copy) {
		return CAIRN_ENOMEM;
	}
	free(r->owned[i]);
	r->owned[i] = copy;
	r->v[i].set = true;
	r->v[i].null = false;
	r->v[i].s = copy;
	return 0;
}

void record_set_null(struct record *r, int i)
{
	r->v[i].set = true;
	r->v[i].null = true;
	r->v[i].s = NULL;
}

int record_own(struct record *r)
{
	for (size_t i = 0; i < r->model->nfields; i++) {
		struct value *v = &r->v[i];

		if (!v->set || v->null || !v->s || v->s == r->owned[i]) {
			continue;
		}
		if (record_set_text(r, (int)i, v->s) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

int64_t record_int(const struct record *r, int i, int64_t fallback)
{
	const struct value *v = &r->v[i];

	return v->set && !v->null ? v->i : fallback;
}

const char *record_text(const struct record *r, int i, const char *fallback)
{
	const struct value *v = &r->v[i];

	return v->set && !v->null && v->s ? v->s : fallback;
}
