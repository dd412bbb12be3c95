/* Grants (/v3/{projects,domains}/{id}/{users,groups}/{id}/roles, /v3/system/..., their
 * OS-INHERIT forms) and GET /v3/role_assignments. */
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/appcred_db.h"
#include "identity/assignments.h"
#include "identity/assignments_db.h"
#include "identity/identity_int.h"
#include "identity/roles_db.h"

/* ---- grants ---- */

/* The grant a grant route names: the target from {project_id} or {domain_id} (else the
 * system), the actor from {user_id} or {group_id}, inherited from the OS-INHERIT suffix. */
static void grant_from_path(struct req *rq, struct ident_grant *g)
{
	const char *suffix = "/inherited_to_projects";
	size_t n = strlen(rq->path), s = strlen(suffix);

	memset(g, 0, sizeof(*g));
	if ((g->target_id = req_param(rq, "project_id")) != NULL)
		g->target = ASG_ON_PROJECT;
	else if ((g->target_id = req_param(rq, "domain_id")) != NULL)
		g->target = ASG_ON_DOMAIN;
	else
		g->target = ASG_ON_SYSTEM;
	g->group = req_param(rq, "group_id") != NULL;
	g->actor_id = g->group ? req_param(rq, "group_id") : req_param(rq, "user_id");
	g->role_id = req_param(rq, "role_id");
	g->inherited = n > s && strcmp(rq->path + n - s, suffix) == 0;
}

static int actor_check(struct db *db, const struct ident_grant *g, struct err *err)
{
	return g->group ? ident_asg_group_check(db, g->actor_id, err)
			: ident_asg_user_check(db, g->actor_id, err);
}

/* 404 unless the target exists; for a project, fills its domain. */
static int target_check(struct db *db, const struct ident_grant *g, char domain[65],
			struct err *err)
{
	domain[0] = '\0';
	switch (g->target) {
	case ASG_ON_PROJECT:
		return ident_asg_project_domain(db, g->target_id, domain, err);
	case ASG_ON_DOMAIN:
		return ident_domain_check(db, g->target_id, err);
	case ASG_ON_SYSTEM:
		break;
	}
	return 0;
}

static int grant_put(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_grant g;
	char domain[65];
	json_t *role;
	const char *role_domain;
	int rc = -1;

	grant_from_path(rq, &g);
	/* checks and insert in one transaction: nothing named can vanish in between */
	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((role = ident_role_find(db, g.role_id, err)) == NULL) {
		db_rollback(db);
		return -1;
	}
	role_domain = jsonx_str(role, "domain_id");
	if (actor_check(db, &g, err) < 0 || target_check(db, &g, domain, err) < 0)
		goto out;
	if (g.target == ASG_ON_PROJECT && role_domain && strcmp(role_domain, domain) != 0) {
		err_set(err, ERR_FORBIDDEN,
			"Project %s must be in the same domain as the role %s being assigned.",
			g.target_id, g.role_id);
		goto out;
	}
	if (g.target == ASG_ON_SYSTEM && role_domain) {
		err_set(err, ERR_BAD_REQUEST,
			"Role %s is a domain-specific role. Unable to use a domain-specific role "
			"in a system assignment.",
			g.role_id);
		goto out;
	}
	if (ident_grant_add(db, &g, err) < 0)
		goto out;
	rc = db_commit(db, err);
out:
	if (rc < 0)
		db_rollback(db);
	else
		reply_empty(rq, 204);
	json_decref(role);
	return rc;
}

static int grant_check(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_grant g;
	char domain[65];
	json_t *role;

	grant_from_path(rq, &g);
	if (db == NULL || (role = ident_role_find(db, g.role_id, err)) == NULL)
		return -1;
	json_decref(role);
	if (actor_check(db, &g, err) < 0 || target_check(db, &g, domain, err) < 0 ||
	    ident_grant_check(db, &g, err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

/* Tokens of the users who lost a role on a project stop validating now, and a user who
 * loses a role there loses its application credentials on that project, as Keystone's
 * REMOVE_APP_CREDS_FOR_USER (granting the role again brings none back). Grants on domains,
 * and inherited ones, are left to validation, which re-reads the roles of every token. */
static int revoke_for(struct db *db, const struct ident_grant *g, struct err *err)
{
	json_t *users;
	size_t i;
	json_t *u;
	int rc = 0;

	if (g->target != ASG_ON_PROJECT || g->inherited)
		return 0;
	if (!g->group) {
		if (ident_appcred_delete_for(db, g->actor_id, g->target_id, err) < 0)
			return -1;
		return ident_revoke(db, &(struct ident_revoke){ .user_id = g->actor_id,
								 .project_id = g->target_id },
				    err);
	}
	if ((users = ident_asg_group_members(db, g->actor_id, err)) == NULL)
		return -1;
	json_array_foreach(users, i, u) {
		if (rc == 0)
			rc = ident_revoke(db,
					  &(struct ident_revoke){ .user_id = json_string_value(u),
								  .project_id = g->target_id },
					  err);
	}
	json_decref(users);
	return rc;
}

static int grant_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_grant g;
	char domain[65];
	json_t *role;

	grant_from_path(rq, &g);
	/* the actor may be gone already: its leftover grants can still be removed */
	if (db == NULL || (role = ident_role_find(db, g.role_id, err)) == NULL)
		return -1;
	json_decref(role);
	if (target_check(db, &g, domain, err) < 0 || db_begin(db, err) < 0)
		return -1;
	if (ident_grant_remove(db, &g, err) < 0 || revoke_for(db, &g, err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

static int grant_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_grant g;
	char domain[65];
	json_t *ids, *roles;
	size_t i;
	json_t *r;

	grant_from_path(rq, &g);
	if (db == NULL || target_check(db, &g, domain, err) < 0 || actor_check(db, &g, err) < 0)
		return -1;
	if ((ids = ident_grant_role_ids(db, &g, err)) == NULL)
		return -1;
	roles = ident_role_list_ids(db, ids, err);
	json_decref(ids);
	if (roles == NULL)
		return -1;
	json_array_foreach(roles, i, r) {
		ident_add_links(rq, r, "roles");
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "roles", roles, "links", ident_collection_links(rq)));
	return 0;
}

/* ---- GET /v3/role_assignments ---- */

struct ra_args {
	const char *user_id, *group_id, *role_id, *project_id, *domain_id, *system,
		*inherited_to;
	bool effective, include_names, include_subtree;
	bool has_inherited_to;
};

/* Keystone's reading of a flag: present and not "0". */
static bool flag(const char *v)
{
	return v != NULL && strcmp(v, "0") != 0;
}

static const char *nonempty(const char *v)
{
	return v != NULL && *v != '\0' ? v : NULL;
}

static int read_arg(void *ctx, const char *key, const char *val)
{
	struct ra_args *a = ctx;

	if (strcmp(key, "user.id") == 0)
		a->user_id = nonempty(val);
	else if (strcmp(key, "group.id") == 0)
		a->group_id = nonempty(val);
	else if (strcmp(key, "role.id") == 0)
		a->role_id = nonempty(val);
	else if (strcmp(key, "scope.project.id") == 0)
		a->project_id = nonempty(val);
	else if (strcmp(key, "scope.domain.id") == 0)
		a->domain_id = nonempty(val);
	else if (strcmp(key, "scope.system") == 0)
		a->system = nonempty(val);
	else if (strcmp(key, "scope.OS-INHERIT:inherited_to") == 0) {
		a->inherited_to = val;
		a->has_inherited_to = true;
	} else if (strcmp(key, "effective") == 0)
		a->effective = flag(val);
	else if (strcmp(key, "include_names") == 0)
		a->include_names = flag(val);
	else if (strcmp(key, "include_subtree") == 0)
		a->include_subtree = flag(val);
	return 0;
}

static int check_args(const struct ra_args *a, struct err *err)
{
	if (a->domain_id && a->project_id)
		return err_set(err, ERR_BAD_REQUEST, "Specify a domain or project, not both");
	if (a->domain_id && a->system)
		return err_set(err, ERR_BAD_REQUEST, "Specify system or domain, not both");
	if (a->project_id && a->system)
		return err_set(err, ERR_BAD_REQUEST, "Specify system or project, not both");
	if (a->user_id && a->group_id)
		return err_set(err, ERR_BAD_REQUEST, "Specify a user or group, not both");
	if (a->effective && a->group_id)
		return err_set(err, ERR_BAD_REQUEST,
			       "Combining effective and group filter will always result in an "
			       "empty list.");
	if (a->effective && a->has_inherited_to && str_eq(a->inherited_to, "projects") &&
	    a->domain_id)
		return err_set(err, ERR_BAD_REQUEST,
			       "Combining effective, domain and inherited filters will always "
			       "result in an empty list.");
	if (a->include_subtree && a->project_id == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "scope.project.id must be specified if include_subtree is also "
			       "specified");
	return 0;
}

/* Who may list: admins and system readers see everything, anyone sees their own. */
static int ra_allowed(struct req *rq, const struct ra_args *a, struct err *err)
{
	struct ident_token *caller = ident_caller(rq);

	if (ident_is_admin(rq) || (caller->scope == SCOPE_SYSTEM && ident_has_role(rq, "reader")))
		return 0;
	if (a->user_id != NULL && strcmp(a->user_id, caller->user_id) == 0)
		return 0;
	return err_set(err, ERR_FORBIDDEN,
		       "You are not authorized to perform the requested action: "
		       "identity:list_role_assignments.");
}

/* Names looked up once per id for include_names. */
struct names {
	struct db *db;
	json_t *cache; /* "<kind>:<id>" -> named object */
};

static json_t *named(struct names *nm, char kind, const char *id, struct err *err)
{
	char *key = xasprintf("%c:%s", kind, id);
	json_t *o = json_object_get(nm->cache, key);

	if (o == NULL) {
		switch (kind) {
		case 'u':
		case 'g':
			o = ident_asg_actor_named(nm->db, kind == 'g', id, err);
			break;
		case 'p':
			o = ident_asg_project_named(nm->db, id, err);
			break;
		case 'd':
			o = ident_asg_domain_named(nm->db, id, err);
			break;
		default:
			o = ident_asg_role_named(nm->db, id, err);
			break;
		}
		if (o != NULL)
			json_object_set_new(nm->cache, key, o);
	}
	free(key);
	return o == NULL ? NULL : json_deep_copy(o);
}

/* {"id": id}, or the named form when names are wanted. New reference or NULL. */
static json_t *entity(struct names *nm, char kind, const char *id, struct err *err)
{
	return nm ? named(nm, kind, id, err) : json_pack("{s:s}", "id", id);
}

/* One assignment as Keystone formats it (keystone/api/role_assignments.py). */
static json_t *format_ref(struct req *rq, const struct ident_aref *r, struct names *nm,
			  struct err *err)
{
	json_t *out = json_object(), *scope = json_object(), *links = json_object(), *e;
	bool inherited = r->inherited || r->via_project || r->via_domain;
	char *link;

	json_object_set_new(out, "scope", scope);
	json_object_set_new(out, "links", links);
	switch (r->target) {
	case ASG_ON_PROJECT:
		e = entity(nm, 'p', r->target_id, err);
		if (r->via_domain)
			link = req_printf(rq, "/domains/%s", r->via_domain);
		else if (r->via_project)
			link = req_printf(rq, "/projects/%s", r->via_project);
		else
			link = req_printf(rq, "/projects/%s", r->target_id);
		json_object_set_new(scope, "project", e);
		break;
	case ASG_ON_DOMAIN:
		e = entity(nm, 'd', r->target_id, err);
		link = req_printf(rq, "/domains/%s", r->target_id);
		json_object_set_new(scope, "domain", e);
		break;
	default:
		e = json_pack("{s:b}", "all", 1);
		link = req_strdup(rq, "/system");
		json_object_set_new(scope, "system", e);
		break;
	}
	if (e == NULL)
		goto fail;
	if (r->user_id) {
		if ((e = entity(nm, 'u', r->user_id, err)) == NULL)
			goto fail;
		json_object_set_new(out, "user", e);
		if (r->via_group) {
			json_object_set_new(links, "membership",
					    json_string(ident_url(
						    rq, req_printf(rq, "/groups/%s/users/%s",
								   r->via_group, r->user_id))));
			link = req_printf(rq, "%s/groups/%s", link, r->via_group);
		} else {
			link = req_printf(rq, "%s/users/%s", link, r->user_id);
		}
	} else {
		if ((e = entity(nm, 'g', r->group_id, err)) == NULL)
			goto fail;
		json_object_set_new(out, "group", e);
		link = req_printf(rq, "%s/groups/%s", link, r->group_id);
	}
	if ((e = entity(nm, 'r', r->role_id, err)) == NULL)
		goto fail;
	json_object_set_new(out, "role", e);
	/* as Keystone: an implied role links to the grant of its prior role */
	link = req_printf(rq, "%s/roles/%s", link, r->via_role ? r->via_role : r->role_id);
	if (r->via_role)
		json_object_set_new(links, "prior_role",
				    json_string(ident_url(
					    rq, req_printf(rq, "/prior_role/%s/implies/%s",
							   r->role_id, r->via_role))));
	if (inherited) {
		json_object_set_new(scope, "OS-INHERIT:inherited_to", json_string("projects"));
		link = req_printf(rq, "/OS-INHERIT%s/inherited_to_projects", link);
	}
	json_object_set_new(links, "assignment", json_string(ident_url(rq, link)));
	return out;
fail:
	json_decref(out);
	return NULL;
}

static int role_assignments_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ra_args a = { 0 };
	struct ident_aquery q = { 0 };
	struct ident_aref *refs = NULL;
	struct names nm = { 0 };
	json_t *list;
	size_t n;
	int rc = -1;

	if (db == NULL)
		return -1;
	req_query_each(rq, read_arg, &a);
	if (check_args(&a, err) < 0 || ra_allowed(rq, &a, err) < 0)
		return -1;
	q.user_id = a.user_id;
	q.group_id = a.group_id;
	q.role_id = a.role_id;
	q.project_id = a.project_id;
	q.domain_id = a.domain_id;
	q.system = str_eq(a.system, "all");
	q.inherited = a.has_inherited_to ? str_eq(a.inherited_to, "projects") : -1;
	q.effective = a.effective;
	q.include_subtree = a.include_subtree;
	if (q.include_subtree) {
		char domain[65];
		if (ident_asg_project_domain(db, q.project_id, domain, err) < 0)
			return -1;
	}
	if (ident_assignments_list(db, rq, &q, &refs, &n, err) < 0)
		return -1;
	nm.db = db;
	nm.cache = json_object();
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = format_ref(rq, &refs[i], a.include_names ? &nm : NULL, err);
		if (o == NULL)
			goto out;
		json_array_append_new(list, o);
	}
	reply_json(rq, 200,
		   json_pack("{s:O,s:o}", "role_assignments", list, "links",
			     ident_collection_links(rq)));
	rc = 0;
out:
	json_decref(list);
	json_decref(nm.cache);
	free(refs);
	return rc;
}

#define GRANT_ROUTES(prefix, actor)                                                      \
	{ HTTP_GET, prefix "/" actor "/roles", grant_list, "identity:list_grants" },      \
	{ HTTP_GET, prefix "/" actor "/roles/{role_id}", grant_check,                     \
	  "identity:check_grant" },                                                       \
	{ HTTP_PUT, prefix "/" actor "/roles/{role_id}", grant_put,                       \
	  "identity:create_grant" },                                                      \
	{ HTTP_DELETE, prefix "/" actor "/roles/{role_id}", grant_delete,                 \
	  "identity:revoke_grant" }

#define INHERIT_ROUTES(prefix, actor)                                                    \
	{ HTTP_GET, "/v3/OS-INHERIT" prefix "/" actor "/roles/{role_id}/inherited_to_projects", \
	  grant_check, "identity:check_grant" },                                         \
	{ HTTP_PUT, "/v3/OS-INHERIT" prefix "/" actor "/roles/{role_id}/inherited_to_projects", \
	  grant_put, "identity:create_grant" },                                          \
	{ HTTP_DELETE,                                                                    \
	  "/v3/OS-INHERIT" prefix "/" actor "/roles/{role_id}/inherited_to_projects",     \
	  grant_delete, "identity:revoke_grant" }

const struct route ident_assignment_routes[] = {
	GRANT_ROUTES("/v3/projects/{project_id}", "users/{user_id}"),
	GRANT_ROUTES("/v3/projects/{project_id}", "groups/{group_id}"),
	GRANT_ROUTES("/v3/domains/{domain_id}", "users/{user_id}"),
	GRANT_ROUTES("/v3/domains/{domain_id}", "groups/{group_id}"),
	GRANT_ROUTES("/v3/system", "users/{user_id}"),
	GRANT_ROUTES("/v3/system", "groups/{group_id}"),
	INHERIT_ROUTES("/domains/{domain_id}", "users/{user_id}"),
	INHERIT_ROUTES("/domains/{domain_id}", "groups/{group_id}"),
	INHERIT_ROUTES("/projects/{project_id}", "users/{user_id}"),
	INHERIT_ROUTES("/projects/{project_id}", "groups/{group_id}"),
	{ HTTP_GET, "/v3/OS-INHERIT/domains/{domain_id}/users/{user_id}/roles/inherited_to_projects",
	  grant_list, "identity:list_grants" },
	{ HTTP_GET,
	  "/v3/OS-INHERIT/domains/{domain_id}/groups/{group_id}/roles/inherited_to_projects",
	  grant_list, "identity:list_grants" },
	{ HTTP_GET, "/v3/role_assignments", role_assignments_list,
	  "identity:list_role_assignments" },
	{ 0 },
};

const struct policy ident_assignment_policies[] = {
	{ "identity:list_grants", POL_READER },
	{ "identity:check_grant", POL_READER },
	{ "identity:create_grant", POL_ADMIN },
	{ "identity:revoke_grant", POL_ADMIN },
	/* checked again in the handler: a user may list its own assignments */
	{ "identity:list_role_assignments", POL_TOKEN },
	{ NULL, 0 },
};
