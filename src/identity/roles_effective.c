/* Effective roles: what a user holds on a project, domain or the system, counting its
 * groups, inherited assignments from the project's ancestors and domain, and implied roles. */
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/roles_db.h"

#define MAX_ACTORS 24
#define MAX_DEPTH 12

static bool has_id(json_t *roles, const char *id)
{
	size_t i;
	json_t *r;

	json_array_foreach(roles, i, r) {
		if (str_eq(json_string_value(json_object_get(r, "id")), id))
			return true;
	}
	return false;
}

int ident_expand_implied(struct db *db, json_t *roles, struct err *err)
{
	size_t done = 0;

	/* breadth first over the role list itself: each new role is examined once */
	while (done < json_array_size(roles)) {
		const char *id = json_string_value(
			json_object_get(json_array_get(roles, done), "id"));
		struct db_res *res = db_query(
			db, err,
			"SELECT r.id, r.name FROM implied_role i JOIN role r"
			" ON r.id = i.implied_role_id WHERE i.prior_role_id = ?",
			DBP(id));
		if (res == NULL)
			return -1;
		for (int i = 0; i < db_res_rows(res); i++)
			if (!has_id(roles, db_res_str(res, i, 0)))
				json_array_append_new(
					roles, json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0),
							 "name", db_res_str(res, i, 1)));
		db_res_free(res);
		done++;
	}
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	const json_t *const *x = a, *const *y = b;
	return strcmp(json_string_value(json_object_get(*x, "name")),
		      json_string_value(json_object_get(*y, "name")));
}

static void sort_by_name(json_t *roles)
{
	size_t n = json_array_size(roles);
	json_t **v = xcalloc(n, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(roles, i));
	qsort(v, n, sizeof(*v), cmp_name);
	json_array_clear(roles);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(roles, v[i]);
	free(v);
}

json_t *ident_effective_roles(struct db *db, const char *user_id, enum ident_scope scope,
			      const char *target_id, struct err *err)
{
	struct db_res *groups = NULL, *chain[MAX_DEPTH] = { 0 }, *res = NULL;
	const char *ancestors[MAX_DEPTH];
	int nanc = 0;
	struct sqlb sb;
	json_t *roles = NULL;

	if (scope == SCOPE_NONE)
		return json_array();
	groups = db_query(db, err, "SELECT group_id FROM user_group WHERE user_id = ?",
			  DBP(user_id));
	if (groups == NULL)
		return NULL;
	if (scope == SCOPE_PROJECT) {
		/* walk up: parent projects, then the domain (parent_id of a top project) */
		const char *cur = target_id;
		for (int d = 0; d < MAX_DEPTH; d++) {
			chain[d] = db_query(db, err,
					    "SELECT parent_id, domain_id FROM project WHERE id = ?",
					    DBP(cur));
			if (chain[d] == NULL)
				goto out;
			if (db_res_rows(chain[d]) == 0)
				break;
			const char *parent = db_res_str(chain[d], 0, 0);
			if (parent == NULL)
				parent = db_res_str(chain[d], 0, 1);
			if (parent == NULL || strcmp(parent, DOMAIN_ROOT) == 0)
				break;
			ancestors[nanc++] = parent;
			cur = parent;
		}
	}

	sqlb_init(&sb, "SELECT DISTINCT r.id, r.name FROM assignment a JOIN role r"
		       " ON r.id = a.role_id WHERE a.actor_id IN (?");
	sqlb_param(&sb, user_id);
	for (int i = 0; i < db_res_rows(groups) && i < MAX_ACTORS; i++)
		sqlb_add(&sb, ", ?", db_res_str(groups, i, 0));
	if (scope == SCOPE_SYSTEM) {
		sqlb_text(&sb, ") AND a.target_id = 'system' AND a.type IN "
			       "('UserSystem', 'GroupSystem')");
	} else {
		sqlb_add(&sb, ") AND ((a.target_id = ? AND a.inherited = 0", target_id);
		sqlb_text(&sb, scope == SCOPE_PROJECT
				       ? " AND a.type IN ('UserProject', 'GroupProject'))"
				       : " AND a.type IN ('UserDomain', 'GroupDomain'))");
		if (nanc > 0) {
			sqlb_add(&sb, " OR (a.inherited = 1 AND a.target_id IN (?", ancestors[0]);
			for (int i = 1; i < nanc; i++)
				sqlb_add(&sb, ", ?", ancestors[i]);
			sqlb_text(&sb, "))");
		}
		sqlb_text(&sb, ")");
	}
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL)
		goto out;
	roles = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(roles, json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0),
						       "name", db_res_str(res, i, 1)));
	/* domain-specific roles only ever imply global ones: they never reach a token */
	if (ident_expand_implied(db, roles, err) < 0 ||
	    ident_role_drop_domain_specific(db, roles, err) < 0) {
		json_decref(roles);
		roles = NULL;
		goto out;
	}
	sort_by_name(roles);
out:
	db_res_free(res);
	db_res_free(groups);
	for (int d = 0; d < MAX_DEPTH; d++)
		db_res_free(chain[d]);
	return roles;
}
