/* Role assignments and the actor/target lookups around them: the SQL behind
 * api_assignments.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/assignments_db.h"
#include "identity/identity_int.h"

#define MAX_DEPTH 16
/* Longer id lists are filtered in memory rather than bound one by one. */
#define MAX_IN 12

static const char *const type_names[] = { "UserProject", "GroupProject", "UserDomain",
					  "GroupDomain", "UserSystem",  "GroupSystem" };

static const char *grant_type(const struct ident_grant *g)
{
	return type_names[g->target * 2 + (g->group ? 1 : 0)];
}

static const char *grant_target(const struct ident_grant *g)
{
	return g->target == ASG_ON_SYSTEM ? "system" : g->target_id;
}

int ident_grant_add(struct db *db, const struct ident_grant *g, struct err *err)
{
	return db_exec(db, err,
		       "INSERT INTO assignment (type, actor_id, target_id, role_id, inherited)"
		       " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		       DBP(grant_type(g), g->actor_id, grant_target(g), g->role_id,
			   g->inherited ? "1" : "0")) < 0
		       ? -1
		       : 0;
}

static int grant_not_found(const struct ident_grant *g, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND,
		       "Could not find role assignment with role: %s, user or group: %s, "
		       "project, domain, or system: %s.",
		       g->role_id, g->actor_id, grant_target(g));
}

int ident_grant_check(struct db *db, const struct ident_grant *g, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT 1 FROM assignment WHERE type = ? AND actor_id = ?"
				      " AND target_id = ? AND role_id = ? AND inherited = ?",
				      DBP(grant_type(g), g->actor_id, grant_target(g), g->role_id,
					  g->inherited ? "1" : "0"));
	int found;

	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	return found ? 0 : grant_not_found(g, err);
}

int ident_grant_remove(struct db *db, const struct ident_grant *g, struct err *err)
{
	int rc = db_exec(db, err,
			 "DELETE FROM assignment WHERE type = ? AND actor_id = ? AND target_id = ?"
			 " AND role_id = ? AND inherited = ?",
			 DBP(grant_type(g), g->actor_id, grant_target(g), g->role_id,
			     g->inherited ? "1" : "0"));

	if (rc == 0)
		return grant_not_found(g, err);
	return rc < 0 ? -1 : 0;
}

/* The first column of every row as a JSON array of strings. */
static json_t *ids_from(struct db_res *res)
{
	json_t *ids;

	if (res == NULL)
		return NULL;
	ids = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(ids, json_string(db_res_str(res, i, 0)));
	db_res_free(res);
	return ids;
}

json_t *ident_grant_role_ids(struct db *db, const struct ident_grant *g, struct err *err)
{
	return ids_from(db_query(db, err,
				 "SELECT role_id FROM assignment WHERE type = ? AND actor_id = ?"
				 " AND target_id = ? AND inherited = ? ORDER BY role_id",
				 DBP(grant_type(g), g->actor_id, grant_target(g),
				     g->inherited ? "1" : "0")));
}

static bool in_ids(const json_t *ids, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v) {
		if (str_eq(json_string_value(v), id))
			return true;
	}
	return false;
}

/* Adds " AND col IN (...)" when the list is short enough to bind; longer lists are left
 * to the caller's filter. Returns whether the clause was added. */
static bool add_in(struct sqlb *sb, const char *col, const json_t *ids)
{
	size_t i;
	json_t *v;

	if (ids == NULL || json_array_size(ids) > MAX_IN)
		return false;
	if (json_array_size(ids) == 0) {
		sqlb_text(sb, " AND 1 = 0");
		return true;
	}
	sqlb_text(sb, " AND ");
	sqlb_text(sb, col);
	json_array_foreach(ids, i, v) {
		sqlb_add(sb, i ? ", ?" : " IN (?", json_string_value(v));
	}
	sqlb_text(sb, ")");
	return true;
}

int ident_assignment_list(struct db *db, const struct ident_assignment_filter *f,
			  struct ident_assignment **out, int *n, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	bool actors_done, targets_done;
	int k = 0;

	*out = NULL;
	*n = 0;
	sqlb_init(&sb, "SELECT type, actor_id, target_id, role_id, inherited FROM assignment"
		       " WHERE 1 = 1");
	if (f->types != 0) {
		int first = 1;
		sqlb_text(&sb, " AND type IN (");
		for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
			if (f->types & (1u << i)) {
				sqlb_add(&sb, first ? "?" : ", ?", type_names[i]);
				first = 0;
			}
		sqlb_text(&sb, ")");
	}
	if (f->role_id)
		sqlb_add(&sb, " AND role_id = ?", f->role_id);
	if (f->inherited >= 0)
		sqlb_add(&sb, " AND inherited = ?", f->inherited ? "1" : "0");
	actors_done = f->actors == NULL || add_in(&sb, "actor_id", f->actors);
	targets_done = f->targets == NULL || add_in(&sb, "target_id", f->targets);
	sqlb_text(&sb, " ORDER BY type, actor_id, target_id, role_id, inherited");
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL)
		return -1;
	*out = xcalloc((size_t)db_res_rows(res) + 1, sizeof(**out));
	for (int i = 0; i < db_res_rows(res); i++) {
		struct ident_assignment *a = &(*out)[k];
		if (!actors_done && !in_ids(f->actors, db_res_str(res, i, 1)))
			continue;
		if (!targets_done && !in_ids(f->targets, db_res_str(res, i, 2)))
			continue;
		if (snprintf(a->type, sizeof(a->type), "%s", db_res_str(res, i, 0)) >=
			    (int)sizeof(a->type) ||
		    snprintf(a->actor_id, sizeof(a->actor_id), "%s", db_res_str(res, i, 1)) >=
			    (int)sizeof(a->actor_id) ||
		    snprintf(a->target_id, sizeof(a->target_id), "%s", db_res_str(res, i, 2)) >=
			    (int)sizeof(a->target_id) ||
		    snprintf(a->role_id, sizeof(a->role_id), "%s", db_res_str(res, i, 3)) >=
			    (int)sizeof(a->role_id))
			continue; /* ids are at most 64 characters: no such row is ours */
		a->inherited = db_res_bool(res, i, 4);
		k++;
	}
	db_res_free(res);
	*n = k;
	return 0;
}

/* ---- lookups ---- */

static int exists(struct db *db, const char *sql, const char *id, const char *what,
		  struct err *err)
{
	struct db_res *res = db_query(db, err, sql, DBP(id));
	int found;

	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	return found ? 0 : err_set(err, ERR_NOT_FOUND, "Could not find %s: %s.", what, id);
}

int ident_asg_user_check(struct db *db, const char *user_id, struct err *err)
{
	return exists(db, "SELECT 1 FROM users WHERE id = ?", user_id, "user", err);
}

int ident_asg_group_check(struct db *db, const char *group_id, struct err *err)
{
	return exists(db, "SELECT 1 FROM groups WHERE id = ?", group_id, "group", err);
}

int ident_asg_project_domain(struct db *db, const char *project_id, char domain[65],
			     struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT domain_id FROM project WHERE id = ? AND is_domain = 0",
				      DBP(project_id));
	int rc = 0;

	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0)
		rc = err_set(err, ERR_NOT_FOUND, "Could not find project: %s.", project_id);
	else
		snprintf(domain, 65, "%s", db_res_str(res, 0, 0));
	db_res_free(res);
	return rc;
}

json_t *ident_asg_group_members(struct db *db, const char *group_id, struct err *err)
{
	return ids_from(db_query(db, err,
				 "SELECT user_id FROM user_group WHERE group_id = ? ORDER BY user_id",
				 DBP(group_id)));
}

json_t *ident_asg_user_groups(struct db *db, const char *user_id, struct err *err)
{
	return ids_from(db_query(db, err,
				 "SELECT group_id FROM user_group WHERE user_id = ?"
				 " ORDER BY group_id",
				 DBP(user_id)));
}

json_t *ident_asg_project_subtree(struct db *db, const char *project_id, struct err *err)
{
	/* the projects of one domain are few: read them all, then walk down in memory */
	struct db_res *res = db_query(db, err,
				      "SELECT id, parent_id FROM project WHERE is_domain = 0 AND"
				      " domain_id = (SELECT domain_id FROM project WHERE id = ?)",
				      DBP(project_id));
	json_t *out;
	size_t done = 0;

	if (res == NULL)
		return NULL;
	out = json_array();
	json_array_append_new(out, json_string(project_id));
	while (done < json_array_size(out)) {
		const char *cur = json_string_value(json_array_get(out, done++));
		for (int i = 0; i < db_res_rows(res); i++)
			if (str_eq(db_res_str(res, i, 1), cur) &&
			    !in_ids(out, db_res_str(res, i, 0)))
				json_array_append_new(out, json_string(db_res_str(res, i, 0)));
	}
	db_res_free(res);
	json_array_remove(out, 0);
	return out;
}

json_t *ident_asg_project_parents(struct db *db, const char *project_id, struct err *err)
{
	json_t *out = json_array();
	char cur[65];

	snprintf(cur, sizeof(cur), "%s", project_id);
	for (int d = 0; d < MAX_DEPTH; d++) {
		struct db_res *res = db_query(db, err,
					      "SELECT p.parent_id, q.is_domain FROM project p"
					      " LEFT JOIN project q ON q.id = p.parent_id"
					      " WHERE p.id = ?",
					      DBP(cur));
		if (res == NULL) {
			json_decref(out);
			return NULL;
		}
		const char *parent = db_res_rows(res) ? db_res_str(res, 0, 0) : NULL;
		bool stop = parent == NULL || db_res_str(res, 0, 1) == NULL ||
			    db_res_bool(res, 0, 1) || in_ids(out, parent) ||
			    strlen(parent) >= sizeof(cur);
		if (!stop) {
			json_array_append_new(out, json_string(parent));
			snprintf(cur, sizeof(cur), "%s", parent);
		}
		db_res_free(res);
		if (stop)
			break;
	}
	return out;
}

json_t *ident_asg_domain_projects(struct db *db, const char *domain_id, struct err *err)
{
	return ids_from(db_query(db, err,
				 "SELECT id FROM project WHERE domain_id = ? AND is_domain = 0"
				 " ORDER BY id",
				 DBP(domain_id)));
}

/* {"id", "name"} from the first two columns, empty names when there is no row. */
static json_t *named(struct db_res *res, const char *id)
{
	json_t *o = json_pack("{s:s,s:s}", "id", id, "name",
			      db_res_rows(res) && db_res_str(res, 0, 0) ? db_res_str(res, 0, 0)
									 : "");

	return o;
}

/* Adds "domain": {"id", "name"} from columns 1 and 2 (empty when missing). */
static void add_domain(json_t *o, struct db_res *res)
{
	const char *id = db_res_rows(res) ? db_res_str(res, 0, 1) : NULL;
	const char *name = db_res_rows(res) ? db_res_str(res, 0, 2) : NULL;

	json_object_set_new(o, "domain", json_pack("{s:s,s:s}", "id", id ? id : "", "name",
						   name ? name : ""));
}

json_t *ident_asg_actor_named(struct db *db, bool group, const char *id, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		group ? "SELECT g.name, g.domain_id, d.name FROM groups g"
			" LEFT JOIN project d ON d.id = g.domain_id WHERE g.id = ?"
		      : "SELECT u.name, u.domain_id, d.name FROM users u"
			" LEFT JOIN project d ON d.id = u.domain_id WHERE u.id = ?",
		DBP(id));
	json_t *o;

	if (res == NULL)
		return NULL;
	o = named(res, id);
	add_domain(o, res);
	db_res_free(res);
	return o;
}

json_t *ident_asg_project_named(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT p.name, p.domain_id, d.name FROM project p"
				      " LEFT JOIN project d ON d.id = p.domain_id WHERE p.id = ?",
				      DBP(id));
	json_t *o;

	if (res == NULL)
		return NULL;
	o = named(res, id);
	add_domain(o, res);
	db_res_free(res);
	return o;
}

json_t *ident_asg_domain_named(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT name FROM project WHERE id = ? AND is_domain = 1",
				      DBP(id));
	json_t *o;

	if (res == NULL)
		return NULL;
	o = named(res, id);
	db_res_free(res);
	return o;
}

json_t *ident_asg_role_named(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT r.name, r.domain_id, d.name FROM role r"
				      " LEFT JOIN project d ON d.id = r.domain_id WHERE r.id = ?",
				      DBP(id));
	json_t *o;

	if (res == NULL)
		return NULL;
	o = named(res, id);
	if (db_res_rows(res) && !str_eq(db_res_str(res, 0, 1), ROLE_GLOBAL))
		add_domain(o, res);
	db_res_free(res);
	return o;
}
