/*
 * The audit log query of admin/audit_logs/index: rows newest first, with
 * the user's e-mail and the organisation joined in.  The WHERE clause is
 * built from the fixed conditions below, one per filter that is set, and
 * every value is bound.
 */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

struct store_audit_cursor {
	struct store *s;
	sqlite3_stmt *stmt;
	struct buf like; /* the model_title pattern, bound without a copy */
};

enum bind_kind { BIND_TEXT, BIND_INT };

/* One bound value of the query, in parameter order. */
struct bound {
	enum bind_kind kind;
	const char *text;
	int64_t number;
};

#define MAX_BOUND 16

struct query {
	struct buf sql;
	struct bound values[MAX_BOUND];
	int count;
	int rc;
};

/* Appends " AND <condition> ?N<suffix>" and records the value of ?N. */
static void add_condition(struct query *q, const char *condition,
			  const char *suffix, enum bind_kind kind,
			  const char *text, int64_t number)
{
	if (q->rc == 0 && q->count == MAX_BOUND) {
		q->rc = CAIRN_ETOOBIG;
	}
	if (q->rc == 0 &&
	    buf_printf(&q->sql, " AND %s ?%d%s", condition, q->count + 1,
		       suffix) < 0) {
		q->rc = CAIRN_ENOMEM;
	}
	if (q->rc == 0) {
		q->values[q->count++] = (struct bound){kind, text, number};
	}
}

static void add_text(struct query *q, const char *condition, const char *v)
{
	if (v) {
		add_condition(q, condition, "", BIND_TEXT, v, 0);
	}
}

static void add_int(struct query *q, const char *condition, const int64_t *v)
{
	if (v) {
		add_condition(q, condition, "", BIND_INT, NULL, *v);
	}
}

static void build_where(struct query *q, const struct store_audit_filter *f,
			const char *like)
{
	add_text(q, "a.model =", f->model);
	add_text(q, "a.action =", f->action);
	add_text(q, "a.ip =", f->ip);
	add_text(q, "a.request_id =", f->request_id);
	if (like) {
		add_condition(q, "a.model_title LIKE", " ESCAPE '\\'",
			      BIND_TEXT, like, 0);
	}
	add_int(q, "a.model_id =", f->model_id);
	add_int(q, "a.user_id =", f->user_id);
	add_int(q, "a.org_id =", f->org_id);
	add_int(q, "a.event_id =", f->event_id);
	add_int(q, "a.authkey_id =", f->authkey_id);
	add_int(q, "a.request_type =", f->request_type);
	if (f->created_from) {
		add_condition(q, "a.created >=", "", BIND_INT, NULL,
			      f->created_from);
	}
	if (f->created_to) {
		add_condition(q, "a.created <=", "", BIND_INT, NULL,
			      f->created_to);
	}
}

/* Escapes LIKE's wildcards in `title` and wraps it in %...%. */
static int like_pattern(const char *title, struct buf *out)
{
	int rc = buf_addc(out, '%');

	for (const char *p = title; rc == 0 && *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\') {
			rc = buf_addc(out, '\\');
		}
		rc = rc ? rc : buf_addc(out, *p);
	}
	return rc ? rc : buf_addc(out, '%');
}

static int bind_all(sqlite3_stmt *st, const struct query *q)
{
	int rc = SQLITE_OK;

	for (int i = 0; i < q->count && rc == SQLITE_OK; i++) {
		const struct bound *b = &q->values[i];

		rc = b->kind == BIND_TEXT
			     ? sqlite3_bind_text(st, i + 1, b->text, -1,
						 SQLITE_STATIC)
			     : sqlite3_bind_int64(st, i + 1, b->number);
	}
	return rc;
}

int store_audit_query(struct store *s, const struct store_audit_filter *f,
		      struct store_audit_cursor **out, struct cairn_err *e)
{
	struct query q = {BUF_INIT, {{0}}, 0, 0};
	struct store_audit_cursor *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c) {
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	c->s = s;
	if (f->model_title && like_pattern(f->model_title, &c->like) < 0) {
		q.rc = CAIRN_ENOMEM;
	}
	if (q.rc == 0 &&
	    buf_adds(&q.sql,
		     "SELECT a.id, a.created, a.user_id, a.org_id,"
		     " a.authkey_id, a.request_type, a.model_id, a.event_id,"
		     " a.ip, a.request_id, a.action, a.model, a.model_title,"
		     " a.change, u.email, u.org_id, o.name, o.uuid"
		     " FROM audit_logs a"
		     " LEFT JOIN users u ON u.id = a.user_id"
		     " LEFT JOIN orgs o ON o.id = a.org_id WHERE 1") < 0) {
		q.rc = CAIRN_ENOMEM;
	}
	build_where(&q, f, f->model_title ? buf_str(&c->like) : NULL);
	/* LIMIT -1 is SQLite's "no limit". */
	if (q.rc == 0 && buf_printf(&q.sql,
				    " ORDER BY a.id DESC LIMIT ?%d OFFSET ?%d",
				    q.count + 1, q.count + 2) < 0) {
		q.rc = CAIRN_ENOMEM;
	}
	if (q.rc < 0) {
		rc = cairn_err_set(e, q.rc, "building the audit log query "
					    "failed: too many filters or out "
					    "of memory");
	} else if (sqlite3_prepare_v2(store_db(s), buf_str(&q.sql), -1,
				      &c->stmt, NULL) != SQLITE_OK ||
		   bind_all(c->stmt, &q) != SQLITE_OK ||
		   sqlite3_bind_int64(c->stmt, q.count + 1,
				      f->limit > 0 ? f->limit : -1) !=
			   SQLITE_OK ||
		   sqlite3_bind_int64(c->stmt, q.count + 2,
				      f->offset > 0 ? f->offset : 0) !=
			   SQLITE_OK) {
		rc = cairn_err_set(e, CAIRN_ESTORE,
				   "reading the audit log failed: %s",
				   sqlite3_errmsg(store_db(s)));
	} else {
		rc = 0;
	}
	buf_release(&q.sql);
	if (rc < 0) {
		store_audit_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

int store_audit_next(struct store_audit_cursor *c, struct store_audit_row *r,
		     struct cairn_err *e)
{
	sqlite3_stmt *st = c->stmt;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE) {
		return 0;
	}
	if (rc != SQLITE_ROW) {
		return cairn_err_set(e, CAIRN_ESTORE,
				     "reading the audit log failed: %s",
				     sqlite3_errmsg(store_db(c->s)));
	}
	r->id = sqlite3_column_int64(st, 0);
	r->created = sqlite3_column_int64(st, 1);
	r->user_id = sqlite3_column_int64(st, 2);
	r->org_id = sqlite3_column_int64(st, 3);
	r->authkey_id = sqlite3_column_int64(st, 4);
	r->request_type = sqlite3_column_int64(st, 5);
	r->model_id = sqlite3_column_int64(st, 6);
	r->event_id = sqlite3_column_int64(st, 7);
	r->ip = column_text(st, 8);
	r->request_id = column_text(st, 9);
	r->action = column_text(st, 10);
	r->model = column_text(st, 11);
	r->model_title = column_text(st, 12);
	r->change = column_text(st, 13);
	r->user_email = column_text(st, 14);
	r->user_org_id = sqlite3_column_int64(st, 15);
	r->org_name = column_text(st, 16);
	r->org_uuid = column_text(st, 17);
	return 1;
}

void store_audit_close(struct store_audit_cursor *c)
{
	if (!c) {
		return;
	}
	sqlite3_finalize(c->stmt);
	buf_release(&c->like);
	free(c);
}
