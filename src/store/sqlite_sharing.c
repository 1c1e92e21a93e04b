/*
 * The SQLite side of sharing groups and of the viewer: which sharing
 * groups an organisation may see, whether one row is visible, and the
 * member and server rows of a group.
 *
 * The sharing groups of a viewer are read once per request and passed to
 * every query as a bound JSON array (store/visibility.h), so the
 * visibility conditions need no join on the sharing group tables.
 */
#include "store/internal.h"
#include "store/visibility.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

const struct store_viewer store_viewer_system = {0, 0, true, NULL, 0, NULL};

/* The groups an organisation owns, is a member of, or is open to every
 * local organisation through this instance's server row. */
static int build_viewer_groups(struct buf *sql, const void *ctx)
{
	(void)ctx;
	return buf_adds(sql,
			"SELECT id FROM sharing_groups WHERE org_id = ?1"
			" UNION SELECT sharing_group_id FROM sharing_group_orgs"
			" WHERE org_id = ?1"
			" UNION SELECT g.sharing_group_id"
			" FROM sharing_group_servers g JOIN orgs o ON o.id = ?1"
			" WHERE g.server_id = 0 AND g.all_orgs = 1"
			" AND o.local = 1 ORDER BY 1");
}

static int build_admin_groups(struct buf *sql, const void *ctx)
{
	(void)ctx;
	return buf_adds(sql, "SELECT id FROM sharing_groups ORDER BY id");
}

static int viewer_add_group(struct store_viewer *v, size_t *cap, int64_t id)
{
	if (v->nsharing_groups == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		int64_t *grown = realloc(v->sharing_groups, n * sizeof(*grown));

		if (!grown) {
			return CAIRN_ENOMEM;
		}
		v->sharing_groups = grown;
		*cap = n;
	}
	v->sharing_groups[v->nsharing_groups++] = id;
	return 0;
}

static int viewer_format_list(struct store_viewer *v)
{
	struct buf list = BUF_INIT;
	int rc = buf_addc(&list, '[');

	for (size_t i = 0; rc == 0 && i < v->nsharing_groups; i++) {
		rc = buf_printf(&list, "%s%lld", i ? "," : "",
				(long long)v->sharing_groups[i]);
	}
	if (rc == 0) {
		rc = buf_addc(&list, ']');
	}
	if (rc < 0) {
		buf_release(&list);
		return CAIRN_ENOMEM;
	}
	v->sharing_group_list = buf_detach(&list);
	return 0;
}

int store_viewer_load(struct store *s, int64_t user_id, int64_t org_id,
		      bool site_admin, struct store_viewer *out)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = (struct store_viewer)STORE_VIEWER_INIT;
	out->org_id = org_id;
	out->user_id = user_id;
	out->site_admin = site_admin;
	rc = site_admin ? store_slot_stmt(s, STORE_SLOT_ADMIN_GROUPS,
					  build_admin_groups, NULL, &st)
			: store_slot_stmt(s, STORE_SLOT_VIEWER_GROUPS,
					  build_viewer_groups, NULL, &st);
	if (rc < 0) {
		return rc;
	}
	if (!site_admin && sqlite3_bind_int64(st, 1, org_id) != SQLITE_OK) {
		rc = store_fail_sqlite(s);
	}
	while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = viewer_add_group(out, &cap, sqlite3_column_int64(st, 0));
	}
	if (rc == SQLITE_DONE) {
		rc = viewer_format_list(out);
	} else if (rc > 0) {
		rc = store_fail_sqlite(s);
	}
	sqlite3_reset(st);
	if (rc < 0) {
		store_viewer_release(out);
	}
	return rc;
}

void store_viewer_release(struct store_viewer *v)
{
	free(v->sharing_groups);
	free(v->sharing_group_list);
	v->sharing_groups = NULL;
	v->sharing_group_list = NULL;
	v->nsharing_groups = 0;
}

bool store_viewer_has_group(const struct store_viewer *v, int64_t id)
{
	size_t lo = 0, hi = v->nsharing_groups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->sharing_groups[mid] == id) {
			return true;
		}
		if (v->sharing_groups[mid] < id) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return false;
}

/* -------- store_visible() -------- */

struct visible_text {
	enum store_kind kind;
	const struct store_viewer *v;
};

/* The row of each kind, and the condition that makes it visible, with the
 * SQL expression the condition takes (the alias, for a tag). */
static const struct {
	const char *select;
	int (*visible)(struct buf *sql, const struct store_viewer *v,
		       const char *id);
	const char *id;
} visible_rows[] = {
	[STORE_KIND_EVENT] = {"SELECT 1 FROM events x WHERE x.id = ?1",
			      visibility_event_id, "x.id"},
	[STORE_KIND_ATTRIBUTE] = {"SELECT 1 FROM attributes x WHERE x.id = ?1",
				  visibility_attribute_id, "x.id"},
	[STORE_KIND_OBJECT] = {"SELECT 1 FROM objects x WHERE x.id = ?1",
			       visibility_object_id, "x.id"},
	[STORE_KIND_REPORT] = {"SELECT 1 FROM event_reports x WHERE x.id = ?1",
			       visibility_report_id, "x.id"},
	[STORE_KIND_REFERENCE] = {"SELECT 1 FROM object_references x"
				  " WHERE x.id = ?1",
				  visibility_object_id, "x.object_id"},
	[STORE_KIND_SHARING_GROUP] = {"SELECT 1 FROM sharing_groups x"
				      " WHERE x.id = ?1",
				      visibility_sharing_group_id, "x.id"},
	[STORE_KIND_TAG] = {"SELECT 1 FROM tags x WHERE x.id = ?1",
			    visibility_tag, "x"},
};

static int build_visible(struct buf *sql, const void *ctx)
{
	const struct visible_text *t = ctx;

	if (buf_adds(sql, visible_rows[t->kind].select) < 0) {
		return -1;
	}
	return visible_rows[t->kind].visible(sql, t->v,
					     visible_rows[t->kind].id);
}

int store_visible(struct store *s, const struct store_viewer *v,
		  enum store_kind k, int64_t id)
{
	struct visible_text t = {k, v};
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)k >= STORE_KIND_COUNT) {
		return store_failf(s, CAIRN_EINVAL, "invalid row kind %d",
				   (int)k);
	}
	rc = store_slot_stmt(s, STORE_SLOT_VISIBLE + 2 * k + v->site_admin,
			     build_visible, &t, &st);
	if (rc < 0) {
		return rc;
	}
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    visibility_bind(st, v) != SQLITE_OK) {
		rc = store_fail_sqlite(s);
	} else {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			rc = 0;
		} else if (rc == SQLITE_DONE) {
			rc = store_failf(s, CAIRN_ENOTFOUND,
					 "row %lld not found", (long long)id);
		} else {
			rc = store_fail_sqlite(s);
		}
	}
	sqlite3_reset(st);
	return rc;
}

/* -------- member and server rows -------- */

/* Lends the statement of `slot`, built from `text`, with ?1 and ?2 bound
 * to `a` and `b` where the text has them. */
static int bound_stmt(struct store *s, enum store_slot slot, const char *text,
		      int64_t a, int64_t b, sqlite3_stmt **st)
{
	int rc = store_slot_text(s, slot, text, st);

	if (rc < 0) {
		return rc;
	}
	if (sqlite3_bind_int64(*st, 1, a) != SQLITE_OK ||
	    (sqlite3_bind_parameter_count(*st) > 1 &&
	     sqlite3_bind_int64(*st, 2, b) != SQLITE_OK)) {
		sqlite3_reset(*st);
		return store_fail_sqlite(s);
	}
	return 0;
}

static const char *text_column(sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	return text ? text : "";
}

/* The callback of a member or server listing, with its context. */
struct row_visit {
	int (*member)(void *ctx, const struct store_sg_member *m);
	int (*server)(void *ctx, const struct store_sg_server *m);
	void *ctx;
};

static int visit_row(sqlite3_stmt *st, const struct row_visit *visit)
{
	if (visit->member) {
		struct store_sg_member m = {
			.id = sqlite3_column_int64(st, 0),
			.sharing_group_id = sqlite3_column_int64(st, 1),
			.org_id = sqlite3_column_int64(st, 2),
			.extend = sqlite3_column_int(st, 3) != 0,
			.org_name = text_column(st, 4),
			.org_uuid = text_column(st, 5),
			.org_local = sqlite3_column_int(st, 6) != 0,
		};

		return visit->member(visit->ctx, &m);
	}
	struct store_sg_server m = {
		.id = sqlite3_column_int64(st, 0),
		.sharing_group_id = sqlite3_column_int64(st, 1),
		.server_id = sqlite3_column_int64(st, 2),
		.all_orgs = sqlite3_column_int(st, 3) != 0,
	};

	return visit->server(visit->ctx, &m);
}

/* Steps `st` to its end, visiting each row; resets it. */
static int each_row(struct store *s, sqlite3_stmt *st,
		    const struct row_visit *visit)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = visit_row(st, visit);
		if (rc < 0) {
			break;
		}
	}
	if (rc == SQLITE_DONE) {
		rc = 0;
	} else if (rc > 0) {
		rc = store_fail_sqlite(s);
	}
	sqlite3_reset(st);
	return rc;
}

int store_sg_members_each(struct store *s, int64_t sg_id,
			  int (*fn)(void *ctx, const struct store_sg_member *m),
			  void *ctx)
{
	struct row_visit visit = {fn, NULL, ctx};
	sqlite3_stmt *st;
	int rc = bound_stmt(s, STORE_SLOT_SG_MEMBERS,
			    "SELECT m.id, m.sharing_group_id, m.org_id,"
			    " m.extend, o.name, o.uuid, o.local"
			    " FROM sharing_group_orgs m"
			    " JOIN orgs o ON o.id = m.org_id"
			    " WHERE m.sharing_group_id = ?1 ORDER BY m.id",
			    sg_id, 0, &st);

	return rc < 0 ? rc : each_row(s, st, &visit);
}

int store_sg_servers_each(struct store *s, int64_t sg_id,
			  int (*fn)(void *ctx, const struct store_sg_server *m),
			  void *ctx)
{
	struct row_visit visit = {NULL, fn, ctx};
	sqlite3_stmt *st;
	int rc = bound_stmt(s, STORE_SLOT_SG_SERVERS,
			    "SELECT id, sharing_group_id, server_id, all_orgs"
			    " FROM sharing_group_servers"
			    " WHERE sharing_group_id = ?1 ORDER BY id",
			    sg_id, 0, &st);

	return rc < 0 ? rc : each_row(s, st, &visit);
}

/* Reads the first row's id and flag from a bound lookup. */
static int find_flagged(struct store *s, sqlite3_stmt *st, int64_t *row_id,
			bool *flag)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		if (row_id) {
			*row_id = sqlite3_column_int64(st, 0);
		}
		if (flag) {
			*flag = sqlite3_column_int(st, 1) != 0;
		}
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = store_failf(s, CAIRN_ENOTFOUND,
				 "not in the sharing group");
	} else {
		rc = store_fail_sqlite(s);
	}
	sqlite3_reset(st);
	return rc;
}

int store_sg_member_find(struct store *s, int64_t sg_id, int64_t org_id,
			 int64_t *row_id, bool *extend)
{
	sqlite3_stmt *st;
	int rc = bound_stmt(s, STORE_SLOT_SG_MEMBER_FIND,
			    "SELECT id, extend FROM sharing_group_orgs"
			    " WHERE sharing_group_id = ?1 AND org_id = ?2",
			    sg_id, org_id, &st);

	return rc < 0 ? rc : find_flagged(s, st, row_id, extend);
}

int store_sg_server_find(struct store *s, int64_t sg_id, int64_t server_id,
			 int64_t *row_id, bool *all_orgs)
{
	sqlite3_stmt *st;
	int rc = bound_stmt(s, STORE_SLOT_SG_SERVER_FIND,
			    "SELECT id, all_orgs FROM sharing_group_servers"
			    " WHERE sharing_group_id = ?1 AND server_id = ?2",
			    sg_id, server_id, &st);

	return rc < 0 ? rc : find_flagged(s, st, row_id, all_orgs);
}

int store_sg_usage(struct store *s, int64_t sg_id, int64_t *count)
{
	sqlite3_stmt *st;
	int rc = bound_stmt(
		s, STORE_SLOT_SG_USAGE,
		"SELECT (SELECT count(*) FROM events"
		" WHERE sharing_group_id = ?1)"
		" + (SELECT count(*) FROM attributes"
		" WHERE sharing_group_id = ?1)"
		" + (SELECT count(*) FROM objects WHERE sharing_group_id = ?1)"
		" + (SELECT count(*) FROM event_reports"
		" WHERE sharing_group_id = ?1)",
		sg_id, 0, &st);

	if (rc < 0) {
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = store_fail_sqlite(s);
	}
	sqlite3_reset(st);
	return rc;
}
