/* Direct and effective role assignment lists (see assignments.h), following Keystone's
 * assignment manager step by step so that both list the same things. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/http.h"
#include "core/util.h"
#include "identity/assignments.h"
#include "identity/assignments_db.h"
#include "identity/roles_db.h"

/* A bound on effective expansion: past it the answer is refused rather than computed. */
#define MAX_REFS 100000

struct alist {
	struct ident_aref *v;
	size_t n, cap;
};

static int push(struct alist *l, const struct ident_aref *r, struct err *err)
{
	if (l->n >= MAX_REFS)
		return err_set(err, ERR_OVER_LIMIT,
			       "Too many role assignments to list; add filters.");
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *r;
	return 0;
}

static unsigned int types_for(bool users, bool groups, bool project, bool domain, bool system)
{
	unsigned int t = 0;

	if (users && project)
		t |= ASG_USER_PROJECT;
	if (groups && project)
		t |= ASG_GROUP_PROJECT;
	if (users && domain)
		t |= ASG_USER_DOMAIN;
	if (groups && domain)
		t |= ASG_GROUP_DOMAIN;
	if (users && system)
		t |= ASG_USER_SYSTEM;
	if (groups && system)
		t |= ASG_GROUP_SYSTEM;
	return t;
}

/* Runs one filtered listing and appends the rows as refs. */
static int fetch(struct db *db, struct req *rq, const struct ident_assignment_filter *f,
		 struct alist *out, struct err *err)
{
	struct ident_assignment *rows;
	int n;

	if (ident_assignment_list(db, f, &rows, &n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct ident_aref r = { 0 };
		const char *t = rows[i].type;
		const char *actor = req_strdup(rq, rows[i].actor_id);
		if (strncmp(t, "User", 4) == 0)
			r.user_id = actor;
		else
			r.group_id = actor;
		if (strstr(t, "Project"))
			r.target = ASG_ON_PROJECT;
		else if (strstr(t, "Domain"))
			r.target = ASG_ON_DOMAIN;
		else
			r.target = ASG_ON_SYSTEM;
		r.target_id = r.target == ASG_ON_SYSTEM ? NULL : req_strdup(rq, rows[i].target_id);
		r.role_id = req_strdup(rq, rows[i].role_id);
		r.inherited = rows[i].inherited;
		if (push(out, &r, err) < 0) {
			free(rows);
			return -1;
		}
	}
	free(rows);
	return 0;
}

/* ---- direct mode ---- */

static int list_direct(struct db *db, struct req *rq, const struct ident_aquery *q,
		       const json_t *projects, struct alist *out, struct err *err)
{
	json_t *actors = NULL, *targets = NULL;
	bool users = q->group_id == NULL, groups = q->user_id == NULL;
	int rc = 0;

	if (q->user_id || q->group_id)
		actors = json_pack("[s]", q->user_id ? q->user_id : q->group_id);
	if (!q->system) {
		struct ident_assignment_filter f = { 0 };
		if (q->domain_id)
			targets = json_pack("[s]", q->domain_id);
		f.types = types_for(users, groups, q->domain_id == NULL, q->project_id == NULL,
				    false);
		f.role_id = q->role_id;
		f.actors = actors;
		f.targets = q->project_id ? projects : targets;
		f.inherited = q->inherited;
		rc = fetch(db, rq, &f, out, err);
	}
	if (rc == 0 && (q->system || (!q->project_id && !q->domain_id))) {
		struct ident_assignment_filter f = { 0 };
		f.types = types_for(users, groups, false, false, true);
		f.role_id = q->role_id;
		f.actors = actors;
		f.inherited = -1;
		rc = fetch(db, rq, &f, out, err);
	}
	json_decref(actors);
	json_decref(targets);
	return rc;
}

/* ---- effective mode ---- */

/* The assignments that could reach the projects of interest (or anything, when there are
 * none), for the given actors: Keystone's list_role_assignments_for_actor. */
static int for_actors(struct db *db, struct req *rq, const struct ident_aquery *q,
		      const json_t *actors, bool groups, const json_t *projects, int inherited,
		      struct alist *out, struct err *err)
{
	bool users = !groups || actors == NULL;
	bool any_groups = groups || actors == NULL;
	json_t *targets = NULL, *sources = NULL;
	int rc = 0;

	if (inherited != 1) {
		struct ident_assignment_filter f = { 0 };
		if (q->domain_id)
			targets = json_pack("[s]", q->domain_id);
		f.types = types_for(users, any_groups, q->domain_id == NULL,
				    q->project_id == NULL, false);
		f.actors = actors;
		f.targets = q->domain_id ? targets : projects;
		f.inherited = 0;
		rc = fetch(db, rq, &f, out, err);
	}
	if (rc == 0 && inherited != 0) {
		struct ident_assignment_filter f = { 0 };
		f.actors = actors;
		f.inherited = 1;
		if (q->project_id) {
			char domain[65];
			json_decref(targets);
			targets = NULL;
			if (ident_asg_project_domain(db, q->project_id, domain, err) < 0) {
				rc = -1;
				goto out;
			}
			targets = json_pack("[s]", domain);
			f.types = types_for(users, any_groups, false, true, false);
			f.targets = targets;
			if ((rc = fetch(db, rq, &f, out, err)) < 0)
				goto out;
			/* from the parents, and from inside the subtree when it is listed */
			sources = ident_asg_project_parents(db, q->project_id, err);
			if (sources == NULL) {
				rc = -1;
				goto out;
			}
			if (q->include_subtree)
				json_array_extend(sources, (json_t *)projects);
			if (json_array_size(sources) > 0) {
				f.types = types_for(users, any_groups, true, false, false);
				f.targets = sources;
				rc = fetch(db, rq, &f, out, err);
			}
		} else {
			f.types = types_for(users, any_groups, true, true, false);
			rc = fetch(db, rq, &f, out, err);
		}
	}
out:
	json_decref(targets);
	json_decref(sources);
	return rc;
}

static bool has_id(const json_t *ids, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v) {
		if (str_eq(json_string_value(v), id))
			return true;
	}
	return false;
}

/* The users a group ref stands for: the one asked about, or every member. */
static json_t *members_for(struct db *db, const struct ident_aquery *q, const char *group,
			   struct err *err)
{
	return q->user_id ? json_pack("[s]", q->user_id) : ident_asg_group_members(db, group, err);
}

/* The projects an inherited ref applies to, among those of interest. */
static json_t *inherited_targets(struct db *db, const struct ident_aquery *q,
				 const struct ident_aref *r, const json_t *projects,
				 struct err *err)
{
	if (q->project_id) {
		if (q->include_subtree && r->target == ASG_ON_PROJECT &&
		    has_id(projects, r->target_id))
			return ident_asg_project_subtree(db, r->target_id, err);
		return json_deep_copy(projects);
	}
	if (r->target == ASG_ON_DOMAIN)
		return ident_asg_domain_projects(db, r->target_id, err);
	return ident_asg_project_subtree(db, r->target_id, err);
}

/* Group refs become one per user, inherited refs one per project below their target. */
static int expand(struct db *db, struct req *rq, const struct ident_aquery *q,
		  const struct ident_aref *r, const json_t *projects, struct alist *out,
		  struct err *err)
{
	json_t *users = NULL, *pids = NULL;
	size_t i, j;
	int rc = 0;

	if (!r->inherited && r->group_id == NULL)
		return push(out, r, err);
	if (r->group_id && (users = members_for(db, q, r->group_id, err)) == NULL)
		return -1;
	if (r->inherited && (pids = inherited_targets(db, q, r, projects, err)) == NULL) {
		json_decref(users);
		return -1;
	}
	for (i = 0; rc == 0 && i < (users ? json_array_size(users) : 1); i++) {
		struct ident_aref e = *r;
		if (users) {
			e.user_id = req_strdup(rq, json_string_value(json_array_get(users, i)));
			e.group_id = NULL;
			e.via_group = r->group_id;
		}
		if (!r->inherited) {
			rc = push(out, &e, err);
			continue;
		}
		e.inherited = false;
		if (r->target == ASG_ON_DOMAIN)
			e.via_domain = r->target_id;
		else
			e.via_project = r->target_id;
		e.target = ASG_ON_PROJECT;
		for (j = 0; rc == 0 && j < json_array_size(pids); j++) {
			e.target_id = req_strdup(rq, json_string_value(json_array_get(pids, j)));
			rc = push(out, &e, err);
		}
	}
	json_decref(users);
	json_decref(pids);
	return rc;
}

static bool same(const struct ident_aref *a, const struct ident_aref *b)
{
	return str_eq(a->user_id, b->user_id) && str_eq(a->group_id, b->group_id) &&
	       a->target == b->target && str_eq(a->target_id, b->target_id) &&
	       str_eq(a->role_id, b->role_id) && a->inherited == b->inherited &&
	       str_eq(a->via_group, b->via_group) && str_eq(a->via_project, b->via_project) &&
	       str_eq(a->via_domain, b->via_domain) && str_eq(a->via_role, b->via_role);
}

/* Keystone's add_implied_roles: a copy of the ref per role its role implies, transitively,
 * each naming the role it came from. */
static int add_implied(struct db *db, struct req *rq, struct alist *refs, struct err *err)
{
	json_t *rules = ident_implied_list(db, NULL, err), *map, *rule;
	struct alist todo = { 0 }, checked = { 0 };
	size_t i;
	int rc = 0;

	if (rules == NULL)
		return -1;
	map = json_object();
	json_array_foreach(rules, i, rule) {
		const char *prior = json_string_value(
			json_object_get(json_object_get(rule, "prior"), "id"));
		json_t *l = json_object_get(map, prior);
		if (l == NULL)
			json_object_set_new(map, prior, l = json_array());
		json_array_append(l, json_object_get(json_object_get(rule, "implied"), "id"));
	}
	json_decref(rules);
	if (json_object_size(map) == 0)
		goto out;
	for (i = 0; rc == 0 && i < refs->n; i++)
		rc = push(&todo, &refs->v[i], err);
	while (rc == 0 && todo.n > 0) {
		struct ident_aref next = todo.v[--todo.n];
		json_t *implied = json_object_get(map, next.role_id), *v;
		size_t k;
		rc = push(&checked, &next, err);
		json_array_foreach(implied, k, v) {
			struct ident_aref copy = next;
			bool seen = false;
			if (rc < 0)
				break;
			copy.role_id = req_strdup(rq, json_string_value(v));
			copy.via_role = next.role_id;
			for (size_t c = 0; c < checked.n && !seen; c++)
				seen = same(&checked.v[c], &copy);
			if (seen)
				continue;
			rc = push(refs, &copy, err);
			if (rc == 0)
				rc = push(&todo, &copy, err);
		}
	}
out:
	free(todo.v);
	free(checked.v);
	json_decref(map);
	return rc;
}

/* Drops refs whose role is domain-specific (Keystone's _strip_domain_roles) and, when asked,
 * those of another role; keeps the order. */
static int keep_global_roles(struct db *db, const char *role_id, struct alist *refs,
			     struct err *err)
{
	json_t *global = json_object();
	size_t k = 0;

	for (size_t i = 0; i < refs->n; i++) {
		const char *id = refs->v[i].role_id;
		json_t *g = json_object_get(global, id);
		if (g == NULL) {
			json_t *role = ident_role_find(db, id, err);
			if (role == NULL && err->kind != ERR_NOT_FOUND) {
				json_decref(global);
				return -1;
			}
			err_clear(err);
			g = json_boolean(role && json_is_null(json_object_get(role, "domain_id")));
			json_object_set_new(global, id, g);
			json_decref(role);
		}
		if (json_is_true(g) && (role_id == NULL || strcmp(role_id, id) == 0))
			refs->v[k++] = refs->v[i];
	}
	refs->n = k;
	json_decref(global);
	return 0;
}

static int list_effective(struct db *db, struct req *rq, const struct ident_aquery *q,
			  const json_t *projects, struct alist *out, struct err *err)
{
	struct alist found = { 0 };
	json_t *actors = NULL, *groups = NULL;
	int inherited = q->domain_id ? 0 : q->inherited;
	int rc;

	/* a group filter or inherited domain assignments never survive expansion */
	if (q->group_id || (q->domain_id && q->inherited == 1))
		return 0;
	if (q->user_id)
		actors = json_pack("[s]", q->user_id);
	rc = for_actors(db, rq, q, actors, false, projects, inherited, &found, err);
	if (rc == 0 && q->user_id) {
		groups = ident_asg_user_groups(db, q->user_id, err);
		if (groups == NULL)
			rc = -1;
		else if (json_array_size(groups) > 0)
			rc = for_actors(db, rq, q, groups, true, projects, inherited, &found,
					err);
	}
	for (size_t i = 0; rc == 0 && i < found.n; i++)
		rc = expand(db, rq, q, &found.v[i], projects, out, err);
	if (rc == 0)
		rc = add_implied(db, rq, out, err);
	if (rc == 0)
		rc = keep_global_roles(db, q->role_id, out, err);
	free(found.v);
	json_decref(actors);
	json_decref(groups);
	return rc;
}

int ident_assignments_list(struct db *db, struct req *rq, const struct ident_aquery *q,
			   struct ident_aref **out, size_t *n, struct err *err)
{
	struct alist l = { 0 };
	json_t *projects = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (q->project_id) {
		projects = q->include_subtree ? ident_asg_project_subtree(db, q->project_id, err)
					      : json_array();
		if (projects == NULL)
			return -1;
		json_array_insert_new(projects, 0, json_string(q->project_id));
	}
	rc = q->effective ? list_effective(db, rq, q, projects, &l, err)
			  : list_direct(db, rq, q, projects, &l, err);
	json_decref(projects);
	if (rc < 0) {
		free(l.v);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
