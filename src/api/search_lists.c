/*
 * List filters of the search parser: MISP's one value, array or
 * {"OR": [...], "AND": [...], "NOT": [...]} forms, "!" negation, "&&"
 * in named parameters, % patterns, and the normalised forms of values.
 * An AND value becomes a condition of its own, so every AND value must
 * match.
 */
#include "api/search_internal.h"

#include "core/buf.h"
#include "model/misp.h"
#include "model/normalize.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The values of a list filter, split into the three MISP groups. */
struct groups {
	json_t *any;  /* OR: one must match */
	json_t *all;  /* AND: each must match */
	json_t *none; /* NOT: none may match */
};

static void groups_release(struct groups *g)
{
	json_decref(g->any);
	json_decref(g->all);
	json_decref(g->none);
}

static bool is_scalar(json_t *v)
{
	return json_is_string(v) || json_is_integer(v) || json_is_boolean(v);
}

/* Adds one scalar to `into` (or to `none` for a "!" string). */
static int group_item(struct parse *p, json_t *item, json_t *into,
		      struct groups *g)
{
	const char *text = json_string_value(item);

	if (!is_scalar(item)) {
		return -1;
	}
	if (text && text[0] == '!' && text[1]) {
		return json_array_append_new(g->none, json_string(text + 1));
	}
	if (text && !*text) {
		return 0;
	}
	if (text && p->from_path && strstr(text, "&&")) {
		char *copy = strdup(text);
		char *rest = copy;
		char *piece;
		int rc = 0;

		while (rc == 0 && copy && (piece = strsep(&rest, "&"))) {
			json_t *one;

			if (!*piece) {
				continue;
			}
			one = json_string(piece);
			rc = group_item(p, one, into, g);
			json_decref(one);
		}
		free(copy);
		return copy ? rc : -1;
	}
	return json_array_append(into, item);
}

static int group_list(struct parse *p, json_t *v, json_t *into,
		      struct groups *g)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v)) {
		return group_item(p, v, into, g);
	}
	json_array_foreach(v, i, item)
	{
		if (group_item(p, item, into, g) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Reads a list filter into groups.  Returns -1 for a malformed value. */
static int read_groups(struct parse *p, json_t *v, struct groups *g)
{
	const char *key;
	json_t *part;

	g->any = json_array();
	g->all = json_array();
	g->none = json_array();
	if (!g->any || !g->all || !g->none) {
		return -1;
	}
	if (!json_is_object(v)) {
		return group_list(p, v, g->any, g);
	}
	json_object_foreach(v, key, part)
	{
		json_t *into = strcasecmp(key, "OR") == 0    ? g->any
			       : strcasecmp(key, "AND") == 0 ? g->all
			       : strcasecmp(key, "NOT") == 0 ? g->none
							     : NULL;

		if (!into || group_list(p, part, into, g) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Converts each item of `list` to what the field compares: integers for
 * FORM_INTS, strings otherwise.  Returns -1 for an item that is not. */
static int convert_items(struct parse *p, const struct filter *f, json_t *list)
{
	size_t i;
	json_t *item;

	json_array_foreach(list, i, item)
	{
		const char *text = json_string_value(item);
		json_t *to = NULL;

		if (f->form == FORM_INTS) {
			char *end = NULL;
			long long n = 0;

			if (json_is_integer(item)) {
				continue;
			}
			if (text && *text) {
				n = strtoll(text, &end, 10);
			}
			if (!end || *end) {
				return -1;
			}
			to = json_integer(n);
		} else if (f->form == FORM_ORGS) {
			int64_t id = -1;

			if (json_is_integer(item)) {
				continue;
			}
			if (text && *text &&
			    strspn(text, "0123456789") == strlen(text)) {
				id = strtoll(text, NULL, 10);
			} else if (text && p->s &&
				   store_find(p->s, &model_org, "uuid", text,
					      &id) < 0 &&
				   store_find(p->s, &model_org, "name", text,
					      &id) < 0) {
				id = -1; /* an unknown organisation matches
					  * nothing */
			}
			to = json_integer(id);
		} else if (json_is_string(item)) {
			continue;
		} else if (json_is_integer(item)) {
			to = json_sprintf("%lld",
					  (long long)json_integer_value(item));
		} else {
			return -1;
		}
		if (!to || json_array_set_new(list, i, to) < 0) {
			return -1;
		}
	}
	return 0;
}

static bool has_wildcard(json_t *list)
{
	size_t i;
	json_t *item;

	json_array_foreach(list, i, item)
	{
		const char *text = json_string_value(item);

		if (text && strchr(text, '%')) {
			return true;
		}
	}
	return false;
}

/* Splits `list` into the items with a % (LIKE patterns) and without. */
static void split_wildcards(json_t *list, json_t *exact, json_t *patterns)
{
	size_t i;
	json_t *item;

	json_array_foreach(list, i, item)
	{
		const char *text = json_string_value(item);

		json_array_append(text && strchr(text, '%') ? patterns : exact,
				  item);
	}
}

/* The forms collected for one list: `out` in order, and `seen` as a set
 * of the same strings, so that a list of many values is deduplicated in
 * linear time. */
struct forms {
	json_t *out;
	json_t *seen;
};

/* Appends `form` to the forms unless it is there already. */
static int add_form(void *ctx, const char *form)
{
	struct forms *f = ctx;

	if (json_object_get(f->seen, form)) {
		return 0;
	}
	if (json_object_set_new(f->seen, form, json_true()) < 0) {
		return CAIRN_ENOMEM;
	}
	return json_array_append_new(f->out, json_string(form));
}

/* Adds `value` and every distinct canonical form of it to `out`: the
 * forms it takes as each type of the type filter, or as any type when
 * there is none, so that a search finds a value however it was written. */
static int add_normalised(struct parse *p, const char *value,
			  struct forms *out)
{
	struct buf form = BUF_INIT;
	struct cairn_err ignored = CAIRN_ERR_INIT;
	json_t *types = p->r->types;
	size_t i;
	json_t *type;
	int rc = add_form(out, value);

	if (!types) {
		return rc < 0 ? rc : normalize_forms(value, add_form, out);
	}
	json_array_foreach(types, i, type)
	{
		if (rc == 0 && normalize_value(json_string_value(type), value,
					       &form, &ignored) == 0) {
			rc = add_form(out, buf_str(&form));
		}
		cairn_err_clear(&ignored);
	}
	buf_release(&form);
	cairn_err_release(&ignored);
	return rc;
}

static json_t *normalised_list(struct parse *p, json_t *list)
{
	struct forms f = {json_array(), json_object()};
	size_t i;
	json_t *item;

	if (!f.out || !f.seen) {
		json_decref(f.out);
		json_decref(f.seen);
		return NULL;
	}
	json_array_foreach(list, i, item)
	{
		if (add_normalised(p, json_string_value(item), &f) < 0) {
			json_decref(f.out);
			json_decref(f.seen);
			return NULL;
		}
	}
	json_decref(f.seen);
	return f.out;
}

/* Adds the conditions of one group, `positive` or not, of `list`. */
static int add_group(struct parse *p, const struct filter *f, json_t *list,
		     bool positive)
{
	json_t *exact = json_array();
	json_t *patterns = json_array();
	int rc = 0;

	if (!exact || !patterns) {
		rc = cairn_err_set(p->e, CAIRN_ENOMEM, "out of memory");
	} else if (f->form == FORM_LIKE) {
		json_array_extend(patterns, list);
	} else if (f->form == FORM_CONTAINS) {
		size_t i;
		json_t *item;

		json_array_foreach(list, i, item)
		{
			const char *text = json_string_value(item);

			json_array_append_new(
			    patterns, strchr(text, '%')
					  ? json_string(text)
					  : json_sprintf("%%%s%%", text));
		}
	} else if (f->form == FORM_TAGS || f->form == FORM_INTS ||
		   f->form == FORM_ORGS) {
		json_array_extend(exact, list);
	} else {
		split_wildcards(list, exact, patterns);
	}
	if (rc == 0 && f->form == FORM_VALUES && json_array_size(exact)) {
		json_t *forms = normalised_list(p, exact);

		json_decref(exact);
		exact = forms;
	}
	if (rc == 0 && exact && json_array_size(exact)) {
		rc = search_add_cond(p, f->name, f->field,
				     positive ? SEARCH_IN : SEARCH_NOT_IN,
				     search_keep_json(p, exact), 0, NULL);
	}
	if (rc == 0 && json_array_size(patterns)) {
		rc = search_add_cond(p, f->name, f->field,
				     positive ? SEARCH_LIKE : SEARCH_NOT_LIKE,
				     search_keep_json(p, patterns), 0, NULL);
	}
	json_decref(exact);
	json_decref(patterns);
	return rc;
}

/* An OR group of exact values and patterns cannot be two conditions,
 * because a row matching either must pass.  So it becomes LIKE patterns
 * alone, where a value without % matches itself without ASCII case. */
static int add_any(struct parse *p, const struct filter *f, json_t *list)
{
	if (f->form == FORM_TEXTS && has_wildcard(list)) {
		struct filter like = *f;

		like.form = FORM_LIKE;
		return add_group(p, &like, list, true);
	}
	if (f->form == FORM_VALUES && has_wildcard(list)) {
		struct filter like = *f;
		struct forms forms = {json_array(), json_object()};
		size_t i;
		json_t *item;
		int rc;

		json_array_foreach(list, i, item)
		{
			const char *text = json_string_value(item);

			if (strchr(text, '%')) {
				json_array_append(forms.out, item);
			} else {
				add_normalised(p, text, &forms);
			}
		}
		like.form = FORM_LIKE;
		rc = add_group(p, &like, forms.out, true);
		json_decref(forms.out);
		json_decref(forms.seen);
		return rc;
	}
	return add_group(p, f, list, true);
}

int search_parse_list(struct parse *p, const struct filter *f, json_t *v)
{
	struct groups g = {0};
	int rc = 0;
	size_t i;
	json_t *item;

	if (read_groups(p, v, &g) < 0 || convert_items(p, f, g.any) < 0 ||
	    convert_items(p, f, g.all) < 0 || convert_items(p, f, g.none) < 0) {
		groups_release(&g);
		return search_bad_value(
		    p, f->name,
		    f->form == FORM_INTS ? "an integer, a list of them or "
					   "{\"OR\", \"AND\", \"NOT\"} lists"
					 : "a string, a list of strings or "
					   "{\"OR\", \"AND\", \"NOT\"} lists",
		    v);
	}
	if (f->field == SEARCH_TYPE && json_array_size(g.any) &&
	    !has_wildcard(g.any)) {
		json_decref(p->r->types);
		p->r->types = json_deep_copy(g.any);
	}
	if (json_array_size(g.any)) {
		rc = add_any(p, f, g.any);
	}
	json_array_foreach(g.all, i, item)
	{
		json_t *one = json_array();

		if (rc == 0) {
			json_array_append(one, item);
			rc = add_group(p, f, one, true);
		}
		json_decref(one);
	}
	if (rc == 0 && json_array_size(g.none)) {
		rc = add_group(p, f, g.none, false);
	}
	groups_release(&g);
	return rc;
}
