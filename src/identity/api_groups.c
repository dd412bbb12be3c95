/* /v3/groups: create, list, show, update, delete, and membership
 * (/v3/groups/{group_id}/users[/{user_id}]). A group's roles reach its members: removing a
 * member, or deleting a group that held roles, revokes the tokens of the users concerned. */
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/users_db.h"

static const char *const group_known[] = { "id", "name", "domain_id", "description", "links",
					   NULL };

static const struct jsonx_field group_create_fields[] = {
	{ "name", JX_STRING, true, 255, 1 },
	{ "domain_id", JX_STRING, false, 64, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field group_update_fields[] = {
	{ "name", JX_STRING, false, 255, 1 },
	{ "domain_id", JX_STRING, false, 64, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static int reply_group(struct req *rq, struct db *db, const char *id, int status,
		       struct err *err)
{
	json_t *g = ident_group_get(db, id, err);

	if (g == NULL)
		return -1;
	ident_add_links(rq, g, "groups");
	reply_json(rq, status, json_pack("{s:o}", "group", g));
	return 0;
}

static int groups_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *g;
	struct ident_group_rec rec = { 0 };
	char id[33], *extra;
	int rc;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (g = jsonx_member_object(body, "group", err)) == NULL ||
	    jsonx_validate(g, group_create_fields, true, err) < 0 ||
	    ident_check_id_field(g, "domain_id", err) < 0 ||
	    (rec.name = ident_check_name(rq, g, err)) == NULL)
		return -1;
	util_uuid_hex(id);
	rec.id = id;
	rec.domain_id = ident_new_domain(rq, g);
	rec.description = jsonx_str(g, "description");
	if (db_begin(db, err) < 0)
		return -1;
	rec.extra = extra = ident_extra_from(g, group_known);
	rc = ident_domain_check(db, rec.domain_id, err) < 0 ||
		     ident_group_insert(db, &rec, err) < 0 || db_commit(db, err) < 0
		     ? -1
		     : 0;
	free(extra);
	if (rc < 0) {
		db_rollback(db);
		return -1;
	}
	return reply_group(rq, db, id, 201, err);
}

static int groups_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_list_filter f = { .enabled = -1 };
	json_t *list;

	if (db == NULL || ident_list_page(rq, &f, err) < 0)
		return -1;
	f.name = req_query(rq, "name");
	if (!ident_list_domain(rq, &f))
		list = json_array();
	else if ((list = ident_group_list(db, &f, err)) == NULL)
		return -1;
	ident_list_reply(rq, "groups", "groups", list, &f);
	return 0;
}

static int groups_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	return db == NULL ? -1 : reply_group(rq, db, req_param(rq, "group_id"), 200, err);
}

/* Applies a PATCH body to the current group 'cur' and fills 'rec' from the result. */
static int apply_update(struct req *rq, json_t *cur, json_t *g, struct ident_group_rec *rec,
			char **extra, struct err *err)
{
	const char *key, *dom = jsonx_str(g, "domain_id");
	json_t *v;

	if (dom != NULL && strcmp(dom, jsonx_str(cur, "domain_id")) != 0)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change Domain ID");
	json_object_foreach(g, key, v) {
		if (strcmp(key, "id") != 0 && strcmp(key, "domain_id") != 0 &&
		    strcmp(key, "links") != 0)
			json_object_set(cur, key, v);
	}
	if ((rec->name = ident_check_name(rq, cur, err)) == NULL)
		return -1;
	rec->id = jsonx_str(cur, "id");
	rec->domain_id = jsonx_str(cur, "domain_id");
	rec->description = jsonx_str(cur, "description");
	rec->extra = *extra = ident_extra_from(cur, group_known);
	return 0;
}

static int groups_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *gid = req_param(rq, "group_id");
	json_t *body, *g, *cur = NULL;
	struct ident_group_rec rec = { 0 };
	char *extra = NULL;
	int rc = -1;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (g = jsonx_member_object(body, "group", err)) == NULL ||
	    jsonx_validate(g, group_update_fields, true, err) < 0 ||
	    ident_check_id_field(g, "domain_id", err) < 0)
		return -1;
	if (json_object_size(g) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'group': {} does not have enough "
			       "properties");
	if (json_object_get(g, "id") && !str_eq(jsonx_str(g, "id"), gid))
		return err_set(err, ERR_BAD_REQUEST, "Cannot change group ID");
	if (db_begin(db, err) < 0)
		return -1;
	if ((cur = ident_group_get(db, gid, err)) == NULL ||
	    apply_update(rq, cur, g, &rec, &extra, err) < 0 ||
	    ident_group_update(db, &rec, err) < 0 || db_commit(db, err) < 0)
		db_rollback(db);
	else
		rc = reply_group(rq, db, gid, 200, err);
	json_decref(cur);
	free(extra);
	return rc;
}

/* Revokes the tokens of every user in 'members' (an array of user bodies). */
static int revoke_members(struct db *db, json_t *members, struct err *err)
{
	size_t i;
	json_t *m;

	json_array_foreach(members, i, m) {
		if (ident_revoke(db, &(struct ident_revoke){ .user_id = jsonx_str(m, "id") },
				 err) < 0)
			return -1;
	}
	return 0;
}

static int groups_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_list_filter f = { .enabled = -1 };
	json_t *members = NULL;
	bool had_roles = false;

	f.group_id = req_param(rq, "group_id");
	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((members = ident_user_list(db, &f, err)) == NULL ||
	    ident_group_delete(db, f.group_id, &had_roles, err) < 0 ||
	    (had_roles && revoke_members(db, members, err) < 0) || db_commit(db, err) < 0) {
		db_rollback(db);
		json_decref(members);
		return -1;
	}
	json_decref(members);
	reply_empty(rq, 204);
	return 0;
}

static int groups_users(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_list_filter f = { .enabled = -1 };
	json_t *group, *list;

	if (db == NULL || ident_list_page(rq, &f, err) < 0 ||
	    !ident_bool_query(rq, "enabled", &f.enabled, err))
		return -1;
	f.group_id = req_param(rq, "group_id");
	f.name = req_query(rq, "name");
	f.domain_id = req_query(rq, "domain_id");
	if ((group = ident_group_get(db, f.group_id, err)) == NULL)
		return -1;
	json_decref(group);
	if ((list = ident_user_list(db, &f, err)) == NULL)
		return -1;
	ident_list_reply(rq, "users", "users", list, &f);
	return 0;
}

static int members_add(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (ident_group_add_user(db, req_param(rq, "group_id"), req_param(rq, "user_id"),
				 err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

static int members_check(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL ||
	    ident_group_check_user(db, req_param(rq, "group_id"), req_param(rq, "user_id"),
				   err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

static int members_remove(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id");

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (ident_group_remove_user(db, req_param(rq, "group_id"), uid, err) < 0 ||
	    ident_revoke(db, &(struct ident_revoke){ .user_id = uid }, err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_group_routes[] = {
	{ HTTP_GET, "/v3/groups", groups_list, "identity:list_groups" },
	{ HTTP_POST, "/v3/groups", groups_create, "identity:create_group" },
	{ HTTP_GET, "/v3/groups/{group_id}", groups_show, "identity:get_group" },
	{ HTTP_PATCH, "/v3/groups/{group_id}", groups_update, "identity:update_group" },
	{ HTTP_DELETE, "/v3/groups/{group_id}", groups_delete, "identity:delete_group" },
	{ HTTP_GET, "/v3/groups/{group_id}/users", groups_users,
	  "identity:list_users_in_group" },
	{ HTTP_PUT, "/v3/groups/{group_id}/users/{user_id}", members_add,
	  "identity:add_user_to_group" },
	{ HTTP_GET, "/v3/groups/{group_id}/users/{user_id}", members_check,
	  "identity:check_user_in_group" },
	{ HTTP_DELETE, "/v3/groups/{group_id}/users/{user_id}", members_remove,
	  "identity:remove_user_from_group" },
	{ 0 },
};

const struct policy ident_group_policies[] = {
	{ "identity:list_groups", POL_READER },
	{ "identity:create_group", POL_ADMIN },
	{ "identity:get_group", POL_READER },
	{ "identity:update_group", POL_ADMIN },
	{ "identity:delete_group", POL_ADMIN },
	{ "identity:list_users_in_group", POL_READER },
	{ "identity:add_user_to_group", POL_ADMIN },
	{ "identity:check_user_in_group", POL_READER },
	{ "identity:remove_user_from_group", POL_ADMIN },
	{ NULL, 0 },
};
