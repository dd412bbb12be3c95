/* The Neutron resource engine (net_res.h): bodies, rows, lists, show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "network"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/pager.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/net_res.h"

#define NET_LIST_MAX 10000 /* rows one page may hold, whatever limit says */

bool net_is_admin(const struct req *rq)
{
	const struct auth *a = rq->auth;

	for (int i = 0; a != NULL && i < a->nroles; i++)
		if (strcmp(a->roles[i], "admin") == 0)
			return true;
	return false;
}

const char *net_caller_project(const struct req *rq)
{
	const struct auth *a = rq->auth;

	return a != NULL && a->project_id != NULL && *a->project_id != '\0' ? a->project_id
									  : NULL;
}

bool net_caller_owns(const struct req *rq, const char *project_id)
{
	const char *mine = net_caller_project(rq);

	return mine != NULL && project_id != NULL && strcmp(mine, project_id) == 0;
}

/* " AND (r.project_id = <caller's> OR <also_visible>)" for a caller who is not the admin:
 * the rows it may see. A caller without a project owns nothing: rows of no project
 * (project_id '', router gateways and floating IPs' ports) are the admin's alone. */
static void add_visible(struct req *rq, const struct net_rdef *rd, struct sqlb *sb)
{
	const char *project = net_caller_project(rq);

	if (net_is_admin(rq))
		return;
	if (project != NULL)
		sqlb_add(sb, " AND (r.project_id = ?", project);
	else
		sqlb_text(sb, " AND (1 = 0");
	if (rd->also_visible != NULL) {
		sqlb_text(sb, " OR ");
		sqlb_text(sb, rd->also_visible);
	}
	sqlb_text(sb, ")");
}

const struct net_attr *net_attr_find(const struct net_rdef *rd, const char *name)
{
	for (const struct net_attr *a = rd->attrs; a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static const char *col(const struct net_attr *a)
{
	return a->column != NULL ? a->column : a->name;
}

/* ---- rows ---- */

/* The tag list as one text cell: ',' never appears in a tag (net_tag_valid). */
static const char *tags_column(void)
{
	return db_engine() == DB_PG
		       ? "(SELECT string_agg(tag, ',' ORDER BY tag) FROM net_tag t"
			 " WHERE t.resource_id = r.id)"
		       : "(SELECT group_concat(tag, ',') FROM (SELECT tag FROM net_tag t"
			 " WHERE t.resource_id = r.id ORDER BY tag))";
}

/* "SELECT r.id, r.project_id, r.created_at, r.updated_at, r.revision_number, <tags>,
 * <attrs> FROM <table> r": the order row_json reads. */
static void select_head(struct sqlb *sb, const struct net_rdef *rd)
{
	sqlb_init(sb, "SELECT r.id, r.project_id, r.created_at, r.updated_at,"
		      " r.revision_number, ");
	sqlb_text(sb, tags_column());
	for (const struct net_attr *a = rd->attrs; a->name; a++) {
		sqlb_text(sb, ", r.");
		sqlb_text(sb, col(a));
	}
	sqlb_text(sb, " FROM ");
	sqlb_text(sb, rd->table);
	sqlb_text(sb, " r");
}

static json_t *time_json(const char *s)
{
	char buf[32];

	if (s == NULL)
		return json_null();
	util_iso8601(strtoll(s, NULL, 10), 0, buf);
	return json_string(buf);
}

static json_t *tags_json(const char *s)
{
	json_t *tags = json_array();

	while (s != NULL && *s) {
		size_t n = strcspn(s, ",");
		json_array_append_new(tags, json_stringn(s, n));
		s += n + (s[n] == ',');
	}
	return tags;
}

static json_t *value_json(const struct net_attr *a, const char *s)
{
	json_t *v;

	if (s == NULL || ((a->flags & NAF_EMPTY_NULL) && *s == '\0'))
		return json_null();
	switch (a->type) {
	case NA_BOOL:
		return json_boolean(strcmp(s, "0") != 0 && strcmp(s, "f") != 0);
	case NA_INT:
		return json_integer(strtoll(s, NULL, 10));
	case NA_JSON:
		v = json_loads(s, JSON_DECODE_ANY, NULL);
		return v != NULL ? v : json_null();
	case NA_TIME:
		return time_json(s);
	case NA_STR:
	default:
		return json_string(s);
	}
}

static json_t *row_json(const struct net_rdef *rd, const struct db_res *res, int row)
{
	json_t *o = json_object();
	int c = 6;

	json_object_set_new(o, "id", json_string(db_res_str(res, row, 0)));
	json_object_set_new(o, "project_id", json_string(db_res_str(res, row, 1)));
	json_object_set_new(o, "tenant_id", json_string(db_res_str(res, row, 1)));
	json_object_set_new(o, "created_at", time_json(db_res_str(res, row, 2)));
	json_object_set_new(o, "updated_at", time_json(db_res_str(res, row, 3)));
	json_object_set_new(o, "revision_number", json_integer(db_res_int(res, row, 4)));
	json_object_set_new(o, "tags", tags_json(db_res_str(res, row, 5)));
	for (const struct net_attr *a = rd->attrs; a->name; a++, c++)
		json_object_set_new(o, a->name, value_json(a, db_res_str(res, row, c)));
	return o;
}

/* ---- fields ---- */

struct fields_ctx {
	const char *list[64];
	int n;
};

static int collect_fields(void *ctx, const char *key, const char *val)
{
	struct fields_ctx *f = ctx;

	if (strcmp(key, "fields") == 0 && val != NULL && *val && f->n < 64)
		f->list[f->n++] = val;
	return 0;
}

void net_keep_fields(struct req *rq, json_t *items)
{
	struct fields_ctx f = { .n = 0 };
	size_t i;
	json_t *o;

	req_query_each(rq, collect_fields, &f);
	if (f.n == 0)
		return;
	json_array_foreach(items, i, o) {
		const char *k;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(o, tmp, k, v) {
			bool keep = false;
			for (int j = 0; j < f.n && !keep; j++)
				keep = strcmp(f.list[j], k) == 0;
			if (!keep)
				json_object_del(o, k);
		}
	}
}

void net_reply_one(struct req *rq, const struct net_rdef *rd, int status, json_t *body)
{
	json_t *one = json_pack("[o]", body);

	net_keep_fields(rq, one);
	reply_json(rq, status, json_pack("{s:O}", rd->name, json_array_get(one, 0)));
	json_decref(one);
}

/* ---- find ---- */

static json_t *fetch_one(struct req *rq, struct db *db, const struct net_rdef *rd,
			 const char *id, bool check_visible, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	json_t *items, *o = NULL;

	select_head(&sb, rd);
	sqlb_add(&sb, " WHERE r.id = ?", id);
	if (check_visible)
		add_visible(rq, rd, &sb);
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		err_set(err, ERR_NOT_FOUND, "%s %s could not be found.", rd->title, id);
		return NULL;
	}
	items = json_array();
	json_array_append_new(items, row_json(rd, res, 0));
	db_res_free(res);
	if (rd->decorate != NULL && rd->decorate(rq, db, items, err) < 0) {
		json_decref(items);
		return NULL;
	}
	o = json_incref(json_array_get(items, 0));
	json_decref(items);
	return o;
}

json_t *net_find(struct req *rq, struct db *db, const struct net_rdef *rd, const char *id,
		 struct err *err)
{
	return fetch_one(rq, db, rd, id, true, err);
}

json_t *net_get(struct req *rq, struct db *db, const struct net_rdef *rd, const char *id,
		struct err *err)
{
	return fetch_one(rq, db, rd, id, false, err);
}

json_t *net_find_owned(struct req *rq, struct db *db, const struct net_rdef *rd,
		       const char *id, const char *action, struct err *err)
{
	json_t *o = net_find(rq, db, rd, id, err);

	if (o == NULL || net_is_admin(rq) || net_caller_owns(rq, jsonx_str(o, "project_id")))
		return o;
	json_decref(o);
	err_set(err, ERR_FORBIDDEN, "(rule:%s_%s) is disallowed by policy", action, rd->name);
	return NULL;
}

int net_show(struct req *rq, const struct net_rdef *rd, struct err *err)
{
	struct db *db = db_get(err);
	json_t *o;

	if (db == NULL || (o = net_find(rq, db, rd, req_param(rq, "id"), err)) == NULL)
		return -1;
	net_reply_one(rq, rd, 200, o);
	return 0;
}

/* ---- lists ---- */

#define MAX_FILTER_KEYS 24
#define MAX_FILTER_VALS 16

struct filter {
	const char *key;
	const char *vals[MAX_FILTER_VALS];
	int n;
};

struct list_query {
	struct filter f[MAX_FILTER_KEYS];
	int n;
	const char *sort_keys[8], *sort_dirs[8];
	int nkeys, ndirs;
	bool overflow;
};

static int collect_query(void *ctx, const char *key, const char *val)
{
	struct list_query *q = ctx;
	struct filter *f = NULL;

	if (val == NULL)
		val = "";
	if (strcmp(key, "sort_key") == 0) {
		if (q->nkeys < 8)
			q->sort_keys[q->nkeys++] = val;
		return 0;
	}
	if (strcmp(key, "sort_dir") == 0) {
		if (q->ndirs < 8)
			q->sort_dirs[q->ndirs++] = val;
		return 0;
	}
	if (strcmp(key, "fields") == 0 || strcmp(key, "limit") == 0 ||
	    strcmp(key, "marker") == 0 || strcmp(key, "page_reverse") == 0)
		return 0;
	for (int i = 0; i < q->n && f == NULL; i++)
		if (strcmp(q->f[i].key, key) == 0)
			f = &q->f[i];
	if (f == NULL) {
		if (q->n == MAX_FILTER_KEYS) {
			q->overflow = true;
			return 0;
		}
		f = &q->f[q->n++];
		f->key = key;
	}
	if (f->n < MAX_FILTER_VALS)
		f->vals[f->n++] = val;
	else
		q->overflow = true;
	return 0;
}

/* " AND r.<column> IN (?, ...)" with the values converted to what the column stores. */
static int add_in(struct req *rq, struct sqlb *sb, const char *column,
		  const struct net_attr *a, const struct filter *f, struct err *err)
{
	sqlb_text(sb, " AND r.");
	sqlb_text(sb, column);
	sqlb_text(sb, " IN (");
	for (int i = 0; i < f->n; i++) {
		const char *v = f->vals[i];
		if (a != NULL && a->type == NA_BOOL) {
			int b = util_parse_bool(v);
			if (b < 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for %s. Reason: '%s' cannot be "
					       "converted to boolean.",
					       f->key, v);
			v = b ? "1" : "0";
		} else if (a != NULL && a->type == NA_INT) {
			char *end;
			long long n = strtoll(v, &end, 10);
			if (*v == '\0' || *end != '\0')
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for %s. Reason: '%s' is not an "
					       "integer.",
					       f->key, v);
			v = req_printf(rq, "%lld", n);
		} else if (a != NULL && (a->flags & NAF_EMPTY_NULL) && *v == '\0') {
			v = "";
		}
		sqlb_add(sb, i ? ", ?" : "?", v);
	}
	sqlb_text(sb, ")");
	return 0;
}

/* tags (all of), tags-any, not-tags (not all of), not-tags-any: comma-separated. */
static void add_tags(struct req *rq, struct sqlb *sb, const char *key, const char *val)
{
	bool any = strstr(key, "any") != NULL, negate = strncmp(key, "not-", 4) == 0;
	char *list = req_strdup(rq, val), *save = NULL;
	int n = 0;

	sqlb_text(sb, negate ? " AND NOT (" : " AND (");
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		sqlb_text(sb, n++ ? (any ? " OR " : " AND ") : "");
		sqlb_add(sb, "EXISTS (SELECT 1 FROM net_tag t WHERE t.resource_id = r.id"
			     " AND t.tag = ?)",
			 t);
	}
	sqlb_text(sb, n ? ")" : "1 = 1)");
}

static int add_filters(struct req *rq, const struct net_rdef *rd, struct list_query *q,
		       struct sqlb *sb, struct err *err)
{
	for (int i = 0; i < q->n; i++) {
		struct filter *f = &q->f[i];
		const struct net_attr *a = net_attr_find(rd, f->key);
		int rc;

		if (strcmp(f->key, "id") == 0 || strcmp(f->key, "project_id") == 0 ||
		    strcmp(f->key, "tenant_id") == 0) {
			if (add_in(rq, sb, strcmp(f->key, "id") ? "project_id" : "id", NULL, f,
				   err) < 0)
				return -1;
		} else if (strcmp(f->key, "revision_number") == 0) {
			static const struct net_attr rev = { "revision_number", NULL, NA_INT, 0,
							     0 };
			if (add_in(rq, sb, "revision_number", &rev, f, err) < 0)
				return -1;
		} else if (strcmp(f->key, "tags") == 0 || strcmp(f->key, "tags-any") == 0 ||
			   strcmp(f->key, "not-tags") == 0 ||
			   strcmp(f->key, "not-tags-any") == 0) {
			for (int j = 0; j < f->n; j++)
				add_tags(rq, sb, f->key, f->vals[j]);
		} else if (a != NULL && (a->flags & NAF_FILTER)) {
			if (add_in(rq, sb, col(a), a, f, err) < 0)
				return -1;
		} else if (rd->filter != NULL) {
			for (int j = 0; j < f->n; j++)
				if ((rc = rd->filter(rq, f->key, f->vals[j], sb, err)) < 0)
					return -1;
		}
		/* anything else is ignored, as Neutron ignores filters on attributes a
		 * resource does not have */
	}
	return 0;
}

struct sort {
	const char *column[9];
	bool desc[9];
	int n;
};

static int parse_sort(const struct net_rdef *rd, const struct list_query *q, bool reverse,
		      struct sort *s, struct err *err)
{
	if (q->nkeys != q->ndirs && q->ndirs != 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "The number of sort_keys and sort_dirs must be same");
	s->n = 0;
	for (int i = 0; i < q->nkeys; i++) {
		const struct net_attr *a = net_attr_find(rd, q->sort_keys[i]);
		const char *k = q->sort_keys[i], *c;
		bool desc = q->ndirs ? strcmp(q->sort_dirs[i], "desc") == 0 : false;

		if (q->ndirs && !desc && strcmp(q->sort_dirs[i], "asc") != 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "%s is an invalid value for sort_dir, valid values are "
				       "'asc' and 'desc'",
				       q->sort_dirs[i]);
		if (strcmp(k, "id") == 0 || strcmp(k, "project_id") == 0 ||
		    strcmp(k, "tenant_id") == 0 || strcmp(k, "created_at") == 0 ||
		    strcmp(k, "updated_at") == 0 || strcmp(k, "revision_number") == 0)
			c = strcmp(k, "tenant_id") == 0 ? "project_id" : k;
		else if (a != NULL && a->type != NA_JSON)
			c = col(a);
		else
			return err_set(err, ERR_BAD_REQUEST,
				       "%s is an invalid attribute for sort_keys", k);
		s->column[s->n] = c;
		s->desc[s->n++] = desc != reverse;
		if (strcmp(c, "id") == 0)
			return 0;
	}
	s->column[s->n] = "id";
	s->desc[s->n] = s->n > 0 ? s->desc[0] : reverse;
	s->n++;
	return 0;
}

/* One term of the marker condition on column 'c' against the marker's value 'v' (NULL:
 * SQL NULL): equal, or after it in the order (ascending puts NULLs first, descending
 * last, on both engines: see the ORDER BY). */
static void marker_term(struct sqlb *sb, const char *c, const char *v, bool after, bool desc)
{
	sqlb_text(sb, "(r.");
	sqlb_text(sb, c);
	if (!after)
		sqlb_add(sb, v != NULL ? " = ?) AND " : " IS NULL) AND ", v);
	else if (v == NULL)
		sqlb_text(sb, desc ? " IS NULL AND 1 = 0)" : " IS NOT NULL)");
	else if (desc) {
		sqlb_add(sb, " < ? OR r.", v);
		sqlb_text(sb, c);
		sqlb_text(sb, " IS NULL)");
	} else
		sqlb_add(sb, " > ?)", v);
}

/* The rows after the marker in the sort order: (c1 > m1) OR (c1 = m1 AND c2 > m2) ...
 * A marker the caller may not see is a missing one (404): its sort keys must not leak. */
static int add_marker(struct req *rq, struct db *db, const struct net_rdef *rd,
		      const char *marker, const struct sort *s, struct sqlb *sb,
		      struct db_res **keep, struct err *err)
{
	struct sqlb mq;
	struct db_res *res;

	sqlb_init(&mq, "SELECT ");
	for (int i = 0; i < s->n; i++) {
		sqlb_text(&mq, i ? ", r." : "r.");
		sqlb_text(&mq, s->column[i]);
	}
	sqlb_text(&mq, " FROM ");
	sqlb_text(&mq, rd->table);
	sqlb_add(&mq, " r WHERE r.id = ?", marker);
	add_visible(rq, rd, &mq);
	res = db_query(db, err, mq.sql, mq.params, mq.n);
	sqlb_free(&mq);
	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return err_set(err, ERR_NOT_FOUND, "%s %s could not be found.", rd->title,
			       marker);
	}
	sqlb_text(sb, " AND (");
	for (int i = 0; i < s->n; i++) {
		sqlb_text(sb, i ? " OR (" : "(");
		for (int j = 0; j < i; j++)
			marker_term(sb, s->column[j], db_res_str(res, 0, j), false, false);
		marker_term(sb, s->column[i], db_res_str(res, 0, i), true, s->desc[i]);
		sqlb_text(sb, ")");
	}
	sqlb_text(sb, ")");
	*keep = res; /* 'sb' borrows its values until the page query ran */
	return 0;
}

static json_t *page_link(struct req *rq, const char *rel, const char *marker, bool reverse)
{
	const char *rest = req_query_except(rq, "marker");
	char *q = req_printf(rq, "%s%smarker=%s", rest, *rest ? "&" : "",
			     req_url_escape(rq, marker));

	if (reverse && strstr(q, "page_reverse=") == NULL)
		q = req_printf(rq, "%s&page_reverse=True", q);
	return json_pack("{s:s,s:s}", "rel", rel, "href",
			 req_printf(rq, "%s%s?%s", conf.public_url, rq->path, q));
}

int net_list(struct req *rq, const struct net_rdef *rd, struct err *err)
{
	struct db *db = db_get(err);
	struct list_query q = { .n = 0 };
	struct pager pg;
	struct sort s;
	struct sqlb sb;
	struct db_res *res = NULL, *mres = NULL;
	const char *pr = req_query(rq, "page_reverse");
	bool reverse = pr != NULL && util_parse_bool(pr) == 1, more;
	json_t *items = NULL, *body;
	int rc = -1, rows;

	if (db == NULL || pager_parse(rq, NET_LIST_MAX, NET_LIST_MAX, &pg, err) < 0)
		return -1;
	req_query_each(rq, collect_query, &q);
	if (q.overflow)
		return err_set(err, ERR_BAD_REQUEST, "Too many filters");
	if (parse_sort(rd, &q, reverse, &s, err) < 0)
		return -1;
	select_head(&sb, rd);
	sqlb_text(&sb, " WHERE 1 = 1");
	add_visible(rq, rd, &sb);
	if (add_filters(rq, rd, &q, &sb, err) < 0)
		goto out;
	if (pg.marker != NULL && *pg.marker &&
	    add_marker(rq, db, rd, pg.marker, &s, &sb, &mres, err) < 0)
		goto out;
	sqlb_text(&sb, " ORDER BY ");
	for (int i = 0; i < s.n; i++) {
		sqlb_text(&sb, i ? ", r." : "r.");
		sqlb_text(&sb, s.column[i]);
		sqlb_text(&sb, s.desc[i] ? " DESC NULLS LAST" : " ASC NULLS FIRST");
	}
	if (pg.limit > 0)
		sqlb_text(&sb, req_printf(rq, " LIMIT %d", pg.limit + 1));
	if ((res = db_query(db, err, sb.sql, sb.params, sb.n)) == NULL)
		goto out;
	rows = db_res_rows(res);
	more = pg.limit > 0 && rows > pg.limit;
	if (more)
		rows = pg.limit;
	items = json_array();
	for (int i = 0; i < rows; i++) {
		json_t *o = row_json(rd, res, reverse ? rows - 1 - i : i);
		json_array_append_new(items, o);
	}
	if (rd->decorate != NULL && rows > 0 && rd->decorate(rq, db, items, err) < 0)
		goto out;
	body = json_object();
	if (req_query(rq, "limit") != NULL && pg.limit > 0) {
		json_t *links = json_array();
		size_t n = json_array_size(items);
		if (n > 0 && (reverse ? (pg.marker != NULL) : more))
			json_array_append_new(
				links, page_link(rq, "next",
						 jsonx_str(json_array_get(items, n - 1), "id"),
						 false));
		if (n > 0 && (reverse ? more : pg.marker != NULL))
			json_array_append_new(
				links, page_link(rq, "previous",
						 jsonx_str(json_array_get(items, 0), "id"), true));
		json_object_set_new(body, req_printf(rq, "%s_links", rd->plural), links);
	}
	net_keep_fields(rq, items);
	json_object_set_new(body, rd->plural, items);
	items = NULL;
	reply_json(rq, 200, body);
	rc = 0;
out:
	json_decref(items);
	db_res_free(res);
	db_res_free(mres);
	sqlb_free(&sb);
	return rc;
}
