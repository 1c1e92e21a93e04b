/*
 * The audit log of the SQLite backend: the actor of a connection, the
 * rows that generic changes append, and the query behind
 * admin/audit_logs/index.
 *
 * Rows follow MISP's AuditLog: an add records {field: value} for every
 * field written with a value, an edit {field: [old, new]} for every field
 * that changed (or {field: new} when the old value was NULL), and a delete
 * {field: value} for every field the row had.  Fields that MISP skips
 * (timestamps, login times) are left out, and any field whose name marks
 * a secret is written as "*****", so no row carries a password, key or
 * token.  A change with nothing left to record appends no row.
 */
#include "store/internal.h"

#include "core/util.h"
#include "model/misp.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Longest X-Request-Id kept, as MISP's request_id column. */
#define REQUEST_ID_MAX 255

/* MISP's AuditLogBehavior leaves these out of every change. */
static const char *const skipped_fields[] = {
	"id",	       "lastpushedid", "timestamp",   "revision",
	"modified",    "date_modified", "current_login", "last_login",
	"newsread",    "proposal_email_lock",
};

/* Parts of column names that mark a secret. */
static const char *const secret_marks[] = {"password", "authkey", "token",
					   "hash", "secret"};

#define SECRET_MASK "*****"

/* The column that titles a row of each model, as MISP's modelInfo. */
static const struct {
	const struct model *model;
	const char *column;
} title_columns[] = {
	{&model_event, "info"},	 {&model_user, "email"},
	{&model_object, "name"}, {&model_report, "name"},
	{&model_role, "name"},	 {&model_tag, "name"},
	{&model_org, "name"},	 {&model_cluster, "value"},
};

/* -------- actor -------- */

void audit_state_release(struct audit_state *a)
{
	buf_release(&a->ip);
	buf_release(&a->request_id);
	memset(&a->actor, 0, sizeof(a->actor));
}

int store_set_actor(struct store *s, const struct store_actor *actor)
{
	struct audit_state *a = store_audit_state(s);
	const char *rid;
	int rc = 0;

	buf_clear(&a->ip);
	buf_clear(&a->request_id);
	memset(&a->actor, 0, sizeof(a->actor));
	a->paused = false;
	if (!actor) {
		return 0;
	}
	a->actor = *actor;
	a->actor.ip = NULL;
	a->actor.request_id = NULL;
	if (actor->ip && *actor->ip) {
		rc = buf_adds(&a->ip, actor->ip);
		a->actor.ip = buf_str(&a->ip);
	}
	rid = actor->request_id;
	if (rc == 0 && rid && *rid) {
		size_t len = strlen(rid);

		rc = buf_add(&a->request_id, rid,
			     len > REQUEST_ID_MAX ? REQUEST_ID_MAX : len);
		a->actor.request_id = buf_str(&a->request_id);
	}
	return rc < 0 ? CAIRN_ENOMEM : 0;
}

void store_audit_pause(struct store *s, bool paused)
{
	store_audit_state(s)->paused = paused;
}

bool audit_enabled(struct store *s)
{
	return !store_audit_state(s)->paused;
}

int audit_begin(struct store *s, bool *opened)
{
	int rc;

	*opened = false;
	if (!audit_enabled(s)) {
		return 0;
	}
	rc = store_begin(s);
	*opened = rc == 0;
	return rc;
}

int audit_end(struct store *s, bool opened, int rc)
{
	if (!opened) {
		return rc;
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s);
}

/* -------- appending -------- */

static int bind_optional_text(sqlite3_stmt *st, int param, const char *text)
{
	if (!text) {
		return sqlite3_bind_null(st, param);
	}
	return sqlite3_bind_text(st, param, text, -1, SQLITE_TRANSIENT);
}

static int bind_optional_id(sqlite3_stmt *st, int param, int64_t id)
{
	return id ? sqlite3_bind_int64(st, param, id)
		  : sqlite3_bind_null(st, param);
}

static int audit_insert_stmt(struct store *s, sqlite3_stmt **out)
{
	static const char sql[] =
		"INSERT INTO audit_logs (created, user_id, org_id, authkey_id,"
		" ip, request_type, request_id, action, model, model_id,"
		" model_title, event_id, change)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	struct audit_state *a = store_audit_state(s);

	if (!a->insert &&
	    sqlite3_prepare_v3(store_db(s), sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &a->insert, NULL) != SQLITE_OK) {
		return store_failed_db(s);
	}
	*out = a->insert;
	return 0;
}

int store_audit_append(struct store *s, const struct store_audit_entry *entry)
{
	const struct store_actor *actor = &store_audit_state(s)->actor;
	sqlite3_stmt *st = NULL;
	int rc = audit_insert_stmt(s, &st);

	if (rc < 0) {
		return rc;
	}
	rc = sqlite3_bind_int64(st, 1, time_now());
	rc = rc ? rc : sqlite3_bind_int64(st, 2, actor->user_id);
	rc = rc ? rc : sqlite3_bind_int64(st, 3, actor->org_id);
	rc = rc ? rc : bind_optional_id(st, 4, actor->authkey_id);
	rc = rc ? rc : bind_optional_text(st, 5, actor->ip);
	rc = rc ? rc : sqlite3_bind_int(st, 6, (int)actor->request_type);
	rc = rc ? rc : bind_optional_text(st, 7, actor->request_id);
	rc = rc ? rc : bind_optional_text(st, 8, entry->action);
	rc = rc ? rc : bind_optional_text(st, 9, entry->model);
	rc = rc ? rc : sqlite3_bind_int64(st, 10, entry->model_id);
	rc = rc ? rc : bind_optional_text(st, 11, entry->model_title);
	rc = rc ? rc : bind_optional_id(st, 12, entry->event_id);
	rc = rc ? rc : bind_optional_text(st, 13, entry->change);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
	}
	rc = rc == SQLITE_DONE ? 0 : store_failed_db(s);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Appends `entry` with `change`, which it takes, as its JSON text; a NULL
 * `change` is a failed allocation. */
static int append_change(struct store *s, struct store_audit_entry *entry,
			 json_t *change)
{
	char *text = change ? json_dumps(change, JSON_COMPACT) : NULL;
	int rc;

	if (!text) {
		rc = store_failed_code(s, CAIRN_ENOMEM,
				       "out of memory writing an audit row");
	} else {
		entry->change = text;
		rc = store_audit_append(s, entry);
	}
	free(text);
	json_decref(change);
	return rc;
}

/* -------- changes of records -------- */

static bool field_skipped(const char *column)
{
	for (size_t i = 0; i < sizeof(skipped_fields) / sizeof(*skipped_fields);
	     i++) {
		if (strcmp(column, skipped_fields[i]) == 0) {
			return true;
		}
	}
	return false;
}

static bool field_secret(const char *column)
{
	for (size_t i = 0; i < sizeof(secret_marks) / sizeof(*secret_marks);
	     i++) {
		if (strstr(column, secret_marks[i])) {
			return true;
		}
	}
	return false;
}

static bool kind_integer(enum field_kind kind)
{
	return kind == FIELD_ID || kind == FIELD_INT || kind == FIELD_NUM ||
	       kind == FIELD_BOOL || kind == FIELD_TIME;
}

/* Returns true for a value MISP treats as empty: unset, NULL, "" or 0. */
static bool value_empty(const struct field *f, const struct value *v)
{
	if (!v || !v->set || v->null) {
		return true;
	}
	return kind_integer(f->kind) ? v->i == 0 : !v->s || !*v->s;
}

static bool values_equal(const struct field *f, const struct value *a,
			 const struct value *b)
{
	if (value_empty(f, a) || value_empty(f, b)) {
		return value_empty(f, a) && value_empty(f, b);
	}
	return kind_integer(f->kind) ? a->i == b->i : strcmp(a->s, b->s) == 0;
}

static json_t *value_json(const struct field *f, const struct value *v)
{
	if (field_secret(f->column)) {
		return json_string(SECRET_MASK);
	}
	if (value_empty(f, v) && (!v || !v->set || v->null)) {
		return json_null();
	}
	if (kind_integer(f->kind)) {
		return json_integer(v->i);
	}
	return json_string(v->s ? v->s : "");
}

/* Returns true when the field is a column of the model's own row. */
static bool field_audited(const struct field *f)
{
	return !(f->flags & (F_LINK | F_NOSTORE)) && !field_skipped(f->column);
}

/* Adds the field's entry to `change`, or nothing when it did not change. */
static int change_field(json_t *change, enum audit_op op, const struct field *f,
			const struct value *now, const struct value *old)
{
	json_t *entry;

	if (op == AUDIT_EDIT && (!now || !now->set)) {
		return 0;
	}
	if (op == AUDIT_EDIT && values_equal(f, now, old)) {
		return 0;
	}
	if (op != AUDIT_EDIT && value_empty(f, op == AUDIT_ADD ? now : old)) {
		return 0;
	}
	if (op == AUDIT_ADD) {
		entry = value_json(f, now);
	} else if (op == AUDIT_DELETE) {
		entry = value_json(f, old);
	} else if (value_empty(f, old) && (!old->set || old->null)) {
		entry = value_json(f, now);
	} else {
		entry = json_pack("[oo]", value_json(f, old), value_json(f, now));
	}
	return entry && json_object_set_new(change, f->column, entry) == 0
		       ? 0
		       : CAIRN_ENOMEM;
}

static json_t *change_json(enum audit_op op, const struct model *m,
			   const struct record *now, const struct record *old)
{
	json_t *change = json_object();

	for (size_t i = 0; change && i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if (!field_audited(f)) {
			continue;
		}
		if (change_field(change, op, f, now ? &now->v[i] : NULL,
				 old ? &old->v[i] : NULL) < 0) {
			json_decref(change);
			return NULL;
		}
	}
	return change;
}

/* Returns the value of the column in `now`, or else in `old`. */
static const struct value *pick(const struct model *m, const char *column,
				const struct record *now,
				const struct record *old, int *index)
{
	int i = model_field_index(m, column);

	*index = i;
	if (i < 0) {
		return NULL;
	}
	if (now && now->v[i].set && !now->v[i].null) {
		return &now->v[i];
	}
	if (old && old->v[i].set && !old->v[i].null) {
		return &old->v[i];
	}
	return NULL;
}

static const char *pick_text(const struct model *m, const char *column,
			     const struct record *now,
			     const struct record *old)
{
	int i;
	const struct value *v = pick(m, column, now, old, &i);

	return v && !kind_integer(m->fields[i].kind) ? v->s : NULL;
}

/* Writes MISP's title of the row into `out`: the title column, or
 * "category/type value" for attributes and proposals. */
static int model_title(const struct model *m, const struct record *now,
		       const struct record *old, struct buf *out)
{
	const char *text;

	if (m == &model_attribute || m == &model_shadow) {
		const char *category = pick_text(m, "category", now, old);
		const char *type = pick_text(m, "type", now, old);
		const char *value = pick_text(m, "value", now, old);

		return buf_printf(out, "%s/%s %s", category ? category : "",
				  type ? type : "", value ? value : "");
	}
	for (size_t i = 0; i < sizeof(title_columns) / sizeof(*title_columns);
	     i++) {
		if (title_columns[i].model == m) {
			text = pick_text(m, title_columns[i].column, now, old);
			return text ? buf_adds(out, text) : 0;
		}
	}
	return 0;
}

static int64_t event_of(const struct model *m, const struct record *now,
			const struct record *old, int64_t id)
{
	const struct value *v;
	int i;

	if (m == &model_event) {
		return id;
	}
	v = pick(m, "event_id", now, old, &i);
	return v && kind_integer(m->fields[i].kind) ? v->i : 0;
}

static bool flag_turned(const struct model *m, const char *column,
			const struct record *now, const struct record *old,
			int64_t to)
{
	int i = model_field_index(m, column);

	return i >= 0 && now && now->v[i].set && !now->v[i].null &&
	       now->v[i].i == to && old && old->v[i].set &&
	       old->v[i].i != to;
}

static const char *edit_action(const struct model *m, const struct record *now,
			       const struct record *old)
{
	if (flag_turned(m, "deleted", now, old, 1)) {
		return "soft_delete";
	}
	if (flag_turned(m, "deleted", now, old, 0)) {
		return "undelete";
	}
	if (m == &model_event && flag_turned(m, "published", now, old, 1)) {
		return "publish";
	}
	return "edit";
}

int audit_record(struct store *s, enum audit_op op, const struct model *m,
		 const struct record *now, const struct record *old,
		 int64_t id)
{
	static const char *const actions[] = {
		[AUDIT_ADD] = "add", [AUDIT_EDIT] = "edit",
		[AUDIT_DELETE] = "delete"};
	struct store_audit_entry entry = {actions[op], m->name, id, NULL, 0,
					  NULL};
	struct buf title = BUF_INIT;
	json_t *change = change_json(op, m, now, old);
	int rc;

	if (change && json_object_size(change) == 0) {
		json_decref(change);
		return 0;
	}
	if (op == AUDIT_EDIT) {
		entry.action = edit_action(m, now, old);
	}
	if (model_title(m, now, old, &title) < 0) {
		json_decref(change);
		change = NULL;
	}
	entry.model_title = title.len ? buf_str(&title) : NULL;
	entry.event_id = event_of(m, now, old, id);
	rc = append_change(s, &entry, change);
	buf_release(&title);
	return rc;
}

/* -------- tag links -------- */

/* What the audit row of a link shows: the linked tag's name and galaxy
 * flag (or a cluster's value), and the event of the target. */
static const char *const tag_facts_sql[] = {
	[STORE_EVENT] = "SELECT name, is_galaxy, ?2 FROM tags WHERE id = ?1",
	[STORE_ATTRIBUTE] = "SELECT name, is_galaxy, (SELECT event_id"
			    " FROM attributes WHERE id = ?2)"
			    " FROM tags WHERE id = ?1",
};
static const char *const cluster_facts_sql[] = {
	[STORE_EVENT] = "SELECT value, 1, ?2 FROM galaxy_clusters"
			" WHERE id = ?1",
	[STORE_ATTRIBUTE] = "SELECT value, 1, (SELECT event_id"
			    " FROM attributes WHERE id = ?2)"
			    " FROM galaxy_clusters WHERE id = ?1",
};

/* Runs one of the queries above for the linked row `linked_id`. */
static int link_facts(struct store *s, const char *sql, int64_t target_id,
		      int64_t linked_id, struct buf *name, bool *galaxy,
		      int64_t *event_id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		return store_failed_db(s);
	}
	sqlite3_bind_int64(st, 1, linked_id);
	sqlite3_bind_int64(st, 2, target_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);

		*galaxy = sqlite3_column_int(st, 1) != 0;
		*event_id = sqlite3_column_int64(st, 2);
		rc = buf_adds(name, text ? text : "") < 0 ? CAIRN_ENOMEM : 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : store_failed_db(s);
	}
	sqlite3_finalize(st);
	return rc;
}

int audit_tag_local(struct store *s, enum store_target t, int64_t target_id,
		    int64_t tag_id, bool *local)
{
	static const char *const sql[] = {
		[STORE_EVENT] = "SELECT local FROM event_tags"
				" WHERE event_id = ?1 AND tag_id = ?2",
		[STORE_ATTRIBUTE] = "SELECT local FROM attribute_tags"
				    " WHERE attribute_id = ?1 AND tag_id = ?2",
	};
	sqlite3_stmt *st = NULL;
	int rc;

	*local = false;
	if (sqlite3_prepare_v2(store_db(s), sql[t], -1, &st, NULL) !=
	    SQLITE_OK) {
		return store_failed_db(s);
	}
	sqlite3_bind_int64(st, 1, target_id);
	sqlite3_bind_int64(st, 2, tag_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*local = sqlite3_column_int(st, 0) != 0;
		rc = SQLITE_DONE;
	}
	rc = rc == SQLITE_DONE ? 0 : store_failed_db(s);
	sqlite3_finalize(st);
	return rc;
}

int audit_tag(struct store *s, bool attach, enum store_target t,
	      int64_t target_id, int64_t tag_id, bool local,
	      const char *relationship_type)
{
	struct store_audit_entry entry = {NULL, NULL, target_id, NULL, 0, NULL};
	struct buf name = BUF_INIT;
	bool galaxy = false;
	json_t *change;
	int rc;

	if (!audit_enabled(s)) {
		return 0;
	}
	rc = link_facts(s, tag_facts_sql[t], target_id, tag_id, &name, &galaxy,
			&entry.event_id);
	if (rc < 0) {
		buf_release(&name);
		return rc;
	}
	/* MISP's actions: tag, tag_local, remove_tag, remove_local_tag, and
	 * the galaxy ones for tags of galaxy clusters. */
	entry.action = attach ? (local ? "tag_local" : "tag")
			      : (local ? "remove_local_tag" : "remove_tag");
	if (galaxy) {
		entry.action = attach ? (local ? "galaxy_local" : "galaxy")
				      : (local ? "remove_local_galaxy"
					       : "remove_galaxy");
	}
	entry.model = t == STORE_EVENT ? "Event" : "Attribute";
	entry.model_title = buf_str(&name);
	change = json_pack("{sIsi}", "tag_id", (json_int_t)tag_id, "local",
			   (int)local);
	if (change && relationship_type) {
		json_object_set_new(change, "relationship_type",
				    json_string(relationship_type));
	}
	rc = append_change(s, &entry, change);
	buf_release(&name);
	return rc;
}

int audit_cluster(struct store *s, enum store_target t, int64_t target_id,
		  int64_t cluster_id, bool local)
{
	struct store_audit_entry entry = {local ? "galaxy_local" : "galaxy",
					  t == STORE_EVENT ? "Event"
							   : "Attribute",
					  target_id, NULL, 0, NULL};
	struct buf value = BUF_INIT;
	bool galaxy;
	int rc;

	if (!audit_enabled(s)) {
		return 0;
	}
	rc = link_facts(s, cluster_facts_sql[t], target_id, cluster_id, &value,
			&galaxy, &entry.event_id);
	if (rc == 0) {
		entry.model_title = buf_str(&value);
		rc = append_change(s, &entry,
				   json_pack("{sIsi}", "galaxy_cluster_id",
					     (json_int_t)cluster_id, "local",
					     (int)local));
	}
	buf_release(&value);
	return rc;
}
