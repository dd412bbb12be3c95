/* Projects and domains in SQL: table project (is_domain marks a domain) and project_tag.
 * Every statement about them is here; the rules are in api_projects.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/projects_db.h"

#define COLUMNS                                                                           \
	"SELECT p.id, p.name, p.domain_id, p.parent_id, p.description, p.enabled,"        \
	" p.is_domain, p.extra, p.options FROM project p"
#define IN_CHUNK 100  /* ids per "IN (...)" list */
#define MAX_WALK 64   /* a parent chain longer than this is broken */

/* The members of a reference that are columns (or tags); the rest is 'extra'. */
static const char *const known_keys[] = { "id",	   "name",	"domain_id", "description",
					  "enabled",   "parent_id", "is_domain", "tags",
					  "options",   "links",	NULL };

/* A query whose number of parameters is not known in advance (sqlb holds at most 32):
 * sqlb keeps the text, 'params' grows as needed. Parameters are borrowed. */
struct query {
	struct sqlb sb;
	const char **params;
	int n, cap;
};

static void query_init(struct query *q, const char *head)
{
	sqlb_init(&q->sb, head);
	q->params = NULL;
	q->n = q->cap = 0;
}

static void query_add(struct query *q, const char *text, const char *param)
{
	sqlb_text(&q->sb, text);
	if (param == NULL)
		return;
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 16;
		q->params = xrealloc(q->params, (size_t)q->cap * sizeof(*q->params));
	}
	q->params[q->n++] = param;
}

static struct db_res *query_run(struct db *db, struct query *q, struct err *err)
{
	struct db_res *res = db_query(db, err, q->sb.sql, q->params, q->n);

	sqlb_free(&q->sb);
	free(q->params);
	q->params = NULL;
	return res;
}

/* One row of COLUMNS as a reference, tags still empty. */
static json_t *row_ref(const struct db_res *res, int i)
{
	bool is_domain = db_res_bool(res, i, 6);
	const char *desc = db_res_str(res, i, 4), *options = db_res_str(res, i, 8);
	json_t *o = json_object(), *opts = options ? json_loads(options, 0, NULL) : NULL;

	json_object_set_new(o, "id", json_string(db_res_str(res, i, 0)));
	json_object_set_new(o, "name", json_string(db_res_str(res, i, 1)));
	jsonx_set_str_or_null(o, "domain_id", is_domain ? NULL : db_res_str(res, i, 2));
	json_object_set_new(o, "description", json_string(desc ? desc : ""));
	json_object_set_new(o, "enabled", json_boolean(db_res_bool(res, i, 5)));
	jsonx_set_str_or_null(o, "parent_id", db_res_str(res, i, 3));
	json_object_set_new(o, "is_domain", json_boolean(is_domain));
	json_object_set_new(o, "tags", json_array());
	if (!json_is_object(opts)) {
		json_decref(opts);
		opts = json_object();
	}
	json_object_set_new(o, "options", opts);
	ident_merge_extra(o, db_res_str(res, i, 7));
	return o;
}

static json_t *rows_refs(const struct db_res *res, json_t *into)
{
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(into, row_ref(res, i));
	return into;
}

/* Reads the tags of every reference of 'refs' in a few queries. */
static int fill_tags(struct db *db, json_t *refs, struct err *err)
{
	size_t n = json_array_size(refs);
	json_t *index = json_object();
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		json_t *ref = json_array_get(refs, i);
		json_object_set(index, jsonx_str(ref, "id"), ref);
	}
	for (size_t start = 0; start < n && rc == 0; start += IN_CHUNK) {
		size_t end = start + IN_CHUNK < n ? start + IN_CHUNK : n;
		struct query q;
		struct db_res *res;

		query_init(&q, "SELECT project_id, name FROM project_tag WHERE project_id IN (");
		for (size_t i = start; i < end; i++)
			query_add(&q, i > start ? ", ?" : "?",
				  jsonx_str(json_array_get(refs, i), "id"));
		query_add(&q, ") ORDER BY project_id, name", NULL);
		res = query_run(db, &q, err);
		if (res == NULL) {
			rc = -1;
			break;
		}
		for (int r = 0; r < db_res_rows(res); r++) {
			json_t *ref = json_object_get(index, db_res_str(res, r, 0));
			if (ref != NULL)
				json_array_append_new(json_object_get(ref, "tags"),
						      json_string(db_res_str(res, r, 1)));
		}
		db_res_free(res);
	}
	json_decref(index);
	return rc;
}

json_t *ident_project_get(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err, COLUMNS " WHERE p.id = ?", DBP(id));
	json_t *list, *ref;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		err_set(err, ERR_NOT_FOUND, "Could not find project: %s.", id);
		return NULL;
	}
	list = rows_refs(res, json_array());
	db_res_free(res);
	if (fill_tags(db, list, err) < 0) {
		json_decref(list);
		return NULL;
	}
	ref = json_incref(json_array_get(list, 0));
	json_decref(list);
	return ref;
}

/* Splits a comma-separated list in place; returns the number of items (at least one). */
static int split_commas(char *s, const char ***out)
{
	int n = 1, i = 0;

	for (const char *p = s; *p; p++)
		n += *p == ',';
	*out = xcalloc((size_t)n, sizeof(**out));
	(*out)[i++] = s;
	for (char *p = s; *p; p++)
		if (*p == ',') {
			*p = '\0';
			(*out)[i++] = p + 1;
		}
	return n;
}

#define TAG_EXISTS "EXISTS (SELECT 1 FROM project_tag t WHERE t.project_id = p.id AND t.name"

/* "has every tag" (or, negated, "lacks at least one"). */
static void where_all_tags(struct query *q, const char *const *tags, int n, bool negate)
{
	query_add(q, negate ? " AND NOT (" : " AND (", NULL);
	for (int i = 0; i < n; i++)
		query_add(q, i ? " AND " TAG_EXISTS " = ?)" : TAG_EXISTS " = ?)", tags[i]);
	query_add(q, ")", NULL);
}

/* "has one of the tags" (or, negated, "has none of them"). */
static void where_any_tag(struct query *q, const char *const *tags, int n, bool negate)
{
	query_add(q, negate ? " AND NOT " TAG_EXISTS " IN (" : " AND " TAG_EXISTS " IN (", NULL);
	for (int i = 0; i < n; i++)
		query_add(q, i ? ", ?" : "?", tags[i]);
	query_add(q, "))", NULL);
}

json_t *ident_project_list(struct db *db, const struct ident_project_filter *f,
			   struct err *err)
{
	const char *tag_lists[4] = { f->tags, f->tags_any, f->not_tags, f->not_tags_any };
	char *copies[4] = { NULL };
	const char **items[4] = { NULL };
	struct query q;
	struct db_res *res;
	json_t *list = NULL;
	char limit[32];

	query_init(&q, COLUMNS " WHERE 1 = 1");
	if (f->name != NULL)
		query_add(&q, " AND p.name = ?", f->name);
	if (f->domain_id != NULL)
		query_add(&q, " AND p.domain_id = ?", f->domain_id);
	if (f->parent_id != NULL)
		query_add(&q, " AND p.parent_id = ?", f->parent_id);
	if (f->enabled >= 0)
		query_add(&q, " AND p.enabled = ?", f->enabled ? "1" : "0");
	if (f->is_domain >= 0)
		query_add(&q, " AND p.is_domain = ?", f->is_domain ? "1" : "0");
	for (int k = 0; k < 4; k++) {
		if (tag_lists[k] == NULL)
			continue;
		copies[k] = xstrdup(tag_lists[k]);
		int n = split_commas(copies[k], &items[k]);
		if (k % 2 == 0)
			where_all_tags(&q, items[k], n, k == 2);
		else
			where_any_tag(&q, items[k], n, k == 3);
	}
	if (f->marker != NULL)
		query_add(&q, " AND p.id > ?", f->marker);
	query_add(&q, " ORDER BY p.id", NULL);
	if (f->limit > 0) {
		snprintf(limit, sizeof(limit), " LIMIT %d", f->limit);
		query_add(&q, limit, NULL);
	}
	res = query_run(db, &q, err);
	for (int k = 0; k < 4; k++) {
		free(copies[k]);
		free(items[k]);
	}
	if (res == NULL)
		return NULL;
	list = rows_refs(res, json_array());
	db_res_free(res);
	if (fill_tags(db, list, err) < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *ident_project_parents(struct db *db, const char *id, struct err *err)
{
	json_t *out = json_array(), *seen = json_object();
	json_t *cur = ident_project_get(db, id, err);
	const char *parent;

	if (cur == NULL)
		goto fail;
	json_object_set_new(seen, id, json_true());
	for (int d = 0; d < MAX_WALK; d++) {
		parent = jsonx_str(cur, "parent_id");
		if (parent == NULL || json_object_get(seen, parent) != NULL)
			break;
		json_object_set_new(seen, parent, json_true());
		json_t *next = ident_project_get(db, parent, err);
		if (next == NULL) {
			if (err->kind != ERR_NOT_FOUND)
				goto fail;
			err_clear(err); /* a dangling parent ends the chain */
			break;
		}
		json_array_append(out, next);
		json_decref(cur);
		cur = next;
	}
	json_decref(cur);
	json_decref(seen);
	return out;
fail:
	json_decref(cur);
	json_decref(seen);
	json_decref(out);
	return NULL;
}

/* Appends to 'out' the unseen children of the ids in 'parents', and their ids to 'next'. */
static int children_of(struct db *db, const json_t *parents, json_t *seen, json_t *out,
		       json_t *next, struct err *err)
{
	size_t n = json_array_size(parents);

	for (size_t start = 0; start < n; start += IN_CHUNK) {
		size_t end = start + IN_CHUNK < n ? start + IN_CHUNK : n;
		struct query q;
		struct db_res *res;

		query_init(&q, COLUMNS " WHERE p.parent_id IN (");
		for (size_t i = start; i < end; i++)
			query_add(&q, i > start ? ", ?" : "?",
				  json_string_value(json_array_get(parents, i)));
		query_add(&q, ") ORDER BY p.id", NULL);
		res = query_run(db, &q, err);
		if (res == NULL)
			return -1;
		for (int r = 0; r < db_res_rows(res); r++) {
			const char *child = db_res_str(res, r, 0);
			if (json_object_get(seen, child) != NULL)
				continue;
			json_object_set_new(seen, child, json_true());
			json_array_append_new(out, row_ref(res, r));
			json_array_append_new(next, json_string(child));
		}
		db_res_free(res);
	}
	return 0;
}

json_t *ident_project_subtree(struct db *db, const char *id, struct err *err)
{
	json_t *out = json_array(), *seen = json_object(), *level = json_pack("[s]", id);
	int rc = 0;

	json_object_set_new(seen, id, json_true());
	for (int d = 0; d < MAX_WALK && rc == 0 && json_array_size(level) > 0; d++) {
		json_t *next = json_array();
		rc = children_of(db, level, seen, out, next, err);
		json_decref(level);
		level = next;
	}
	json_decref(level);
	json_decref(seen);
	if (rc < 0 || fill_tags(db, out, err) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

int ident_project_has_children(struct db *db, const char *id, struct err *err)
{
	struct db_res *res =
		db_query(db, err, "SELECT 1 FROM project WHERE parent_id = ? LIMIT 1", DBP(id));
	int found;

	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	return found;
}

int ident_project_set_tags(struct db *db, const char *id, const json_t *tags,
			   struct err *err)
{
	size_t i;
	json_t *t;

	if (db_exec(db, err, "DELETE FROM project_tag WHERE project_id = ?", DBP(id)) < 0)
		return -1;
	json_array_foreach(tags, i, t) {
		if (db_exec(db, err,
			    "INSERT INTO project_tag (project_id, name) VALUES (?, ?)"
			    " ON CONFLICT DO NOTHING",
			    DBP(id, json_string_value(t))) < 0)
			return -1;
	}
	return 0;
}

/* The text of the 'options' and 'extra' columns for 'ref' (caller frees both). */
static void ref_columns(const json_t *ref, char **options, char **extra)
{
	json_t *o = json_object_get(ref, "options");

	*options = json_is_object(o) ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)
				     : xstrdup("{}");
	*extra = ident_extra_from(ref, known_keys);
}

int ident_project_insert(struct db *db, const json_t *ref, struct err *err)
{
	const char *id = jsonx_str(ref, "id"), *domain = jsonx_str(ref, "domain_id");
	const char *desc = jsonx_str(ref, "description");
	char *options, *extra, now[24];
	int rc;

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	ref_columns(ref, &options, &extra);
	rc = db_exec(db, err,
		     "INSERT INTO project (id, name, domain_id, parent_id, description, enabled,"
		     " is_domain, extra, options, created_at)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		     DBP(id, jsonx_str(ref, "name"), domain ? domain : DOMAIN_ROOT,
			 jsonx_str(ref, "parent_id"), desc ? desc : "",
			 jsonx_bool(ref, "enabled", true) ? "1" : "0",
			 jsonx_bool(ref, "is_domain", false) ? "1" : "0", extra, options, now));
	free(options);
	free(extra);
	if (rc < 0)
		return -1;
	return ident_project_set_tags(db, id, json_object_get(ref, "tags"), err);
}

int ident_project_update(struct db *db, const json_t *ref, struct err *err)
{
	const char *id = jsonx_str(ref, "id"), *desc = jsonx_str(ref, "description");
	char *options, *extra;
	int rc;

	ref_columns(ref, &options, &extra);
	rc = db_exec(db, err,
		     "UPDATE project SET name = ?, description = ?, enabled = ?, extra = ?,"
		     " options = ? WHERE id = ?",
		     DBP(jsonx_str(ref, "name"), desc ? desc : "",
			 jsonx_bool(ref, "enabled", true) ? "1" : "0", extra, options, id));
	free(options);
	free(extra);
	if (rc < 0)
		return -1;
	return ident_project_set_tags(db, id, json_object_get(ref, "tags"), err);
}

/* Runs each statement of 'sql' with the one parameter 'id'. */
static int exec_each(struct db *db, const char *const *sql, size_t n, const char *id,
		     struct err *err)
{
	for (size_t i = 0; i < n; i++)
		if (db_exec(db, err, sql[i], DBP(id)) < 0)
			return -1;
	return 0;
}

static const char *const project_cleanup[] = {
	"DELETE FROM project_tag WHERE project_id = ?",
	"DELETE FROM assignment WHERE target_id = ?",
	"DELETE FROM credential WHERE project_id = ?",
	"DELETE FROM application_credential_role WHERE application_credential_id IN"
	" (SELECT id FROM application_credential WHERE project_id = ?)",
	"DELETE FROM application_credential WHERE project_id = ?",
	"UPDATE users SET default_project_id = NULL WHERE default_project_id = ?",
	"DELETE FROM project WHERE id = ?",
};

int ident_project_delete(struct db *db, const char *id, struct err *err)
{
	return exec_each(db, project_cleanup, ARRAY_SIZE(project_cleanup), id, err);
}

#define DOMAIN_PROJECTS "(SELECT id FROM project WHERE domain_id = ? AND is_domain = 0)"
#define DOMAIN_USERS "(SELECT id FROM users WHERE domain_id = ?)"
#define DOMAIN_GROUPS "(SELECT id FROM groups WHERE domain_id = ?)"
#define DOMAIN_ROLES "(SELECT id FROM role WHERE domain_id = ?)"

/* Set-based: what a domain owns, outermost dependents first. */
static const char *const domain_cleanup[] = {
	/* its projects */
	"DELETE FROM project_tag WHERE project_id IN " DOMAIN_PROJECTS,
	"DELETE FROM assignment WHERE target_id IN " DOMAIN_PROJECTS,
	"DELETE FROM credential WHERE project_id IN " DOMAIN_PROJECTS,
	"DELETE FROM application_credential_role WHERE application_credential_id IN"
	" (SELECT id FROM application_credential WHERE project_id IN " DOMAIN_PROJECTS ")",
	"DELETE FROM application_credential WHERE project_id IN " DOMAIN_PROJECTS,
	"UPDATE users SET default_project_id = NULL WHERE default_project_id IN "
		DOMAIN_PROJECTS,
	"DELETE FROM project WHERE domain_id = ? AND is_domain = 0",
	/* its groups */
	"DELETE FROM assignment WHERE actor_id IN " DOMAIN_GROUPS,
	"DELETE FROM user_group WHERE group_id IN " DOMAIN_GROUPS,
	"DELETE FROM groups WHERE domain_id = ?",
	/* its users */
	"DELETE FROM assignment WHERE actor_id IN " DOMAIN_USERS,
	"DELETE FROM user_group WHERE user_id IN " DOMAIN_USERS,
	"DELETE FROM password_history WHERE user_id IN " DOMAIN_USERS,
	"DELETE FROM credential WHERE user_id IN " DOMAIN_USERS,
	"DELETE FROM application_credential_role WHERE application_credential_id IN"
	" (SELECT id FROM application_credential WHERE user_id IN " DOMAIN_USERS ")",
	"DELETE FROM application_credential WHERE user_id IN " DOMAIN_USERS,
	"DELETE FROM users WHERE domain_id = ?",
	/* its roles */
	"DELETE FROM assignment WHERE role_id IN " DOMAIN_ROLES,
	"DELETE FROM application_credential_role WHERE role_id IN " DOMAIN_ROLES,
	"DELETE FROM implied_role WHERE prior_role_id IN " DOMAIN_ROLES,
	"DELETE FROM implied_role WHERE implied_role_id IN " DOMAIN_ROLES,
	"DELETE FROM role WHERE domain_id = ?",
	/* its configuration */
	"DELETE FROM domain_config WHERE domain_id = ?",
};

int ident_domain_delete(struct db *db, const char *id, struct err *err)
{
	if (exec_each(db, domain_cleanup, ARRAY_SIZE(domain_cleanup), id, err) < 0)
		return -1;
	return ident_project_delete(db, id, err);
}
