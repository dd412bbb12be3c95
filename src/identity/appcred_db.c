/* The application credential tables' SQL. */
#include "identity/appcred_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity_int.h"

#define APPCRED_COLS                                                                        \
	"SELECT id, name, description, user_id, project_id, system, expires_at,"          \
	" unrestricted FROM application_credential"

/* Keystone renders datetimes without a zone: "2026-01-31T10:00:00.000000". */
static json_t *keystone_time(int64_t us)
{
	char buf[32];
	size_t n;

	util_iso8601(us, 6, buf);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == 'Z')
		buf[n - 1] = '\0';
	return json_string(buf);
}

static json_t *load_roles(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT r.id, r.name, r.domain_id FROM application_credential_role a"
		" JOIN role r ON r.id = a.role_id WHERE a.application_credential_id = ?"
		" ORDER BY r.name",
		DBP(id));
	json_t *roles;

	if (res == NULL)
		return NULL;
	roles = json_array();
	for (int i = 0; i < db_res_rows(res); i++) {
		const char *dom = db_res_str(res, i, 2);
		json_t *r = json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0), "name",
				      db_res_str(res, i, 1));
		jsonx_set_str_or_null(r, "domain_id", str_eq(dom, ROLE_GLOBAL) ? NULL : dom);
		json_array_append_new(roles, r);
	}
	db_res_free(res);
	return roles;
}

static json_t *appcred_row(struct db *db, const struct db_res *res, int i, struct err *err)
{
	json_t *ac = json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0), "name",
			       db_res_str(res, i, 1));
	json_t *roles;

	jsonx_set_str_or_null(ac, "description", db_res_str(res, i, 2));
	json_object_set_new(ac, "user_id", json_string(db_res_str(res, i, 3)));
	jsonx_set_str_or_null(ac, "project_id", db_res_str(res, i, 4));
	jsonx_set_str_or_null(ac, "system", db_res_str(res, i, 5));
	json_object_set_new(ac, "expires_at", db_res_str(res, i, 6)
						      ? keystone_time(db_res_int(res, i, 6))
						      : json_null());
	json_object_set_new(ac, "unrestricted", json_boolean(db_res_bool(res, i, 7)));
	if ((roles = load_roles(db, db_res_str(res, i, 0), err)) == NULL) {
		json_decref(ac);
		return NULL;
	}
	json_object_set_new(ac, "roles", roles);
	return ac;
}

json_t *ident_appcred_find(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err, APPCRED_COLS " WHERE id = ?", DBP(id));
	json_t *ac = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		err_set(err, ERR_NOT_FOUND, "Could not find Application Credential: %s.", id);
	else
		ac = appcred_row(db, res, 0, err);
	db_res_free(res);
	return ac;
}

json_t *ident_appcred_list(struct db *db, const char *user_id, const char *name,
			   struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	json_t *list;

	sqlb_init(&sb, APPCRED_COLS);
	sqlb_add(&sb, " WHERE user_id = ?", user_id);
	if (name != NULL)
		sqlb_add(&sb, " AND name = ?", name);
	sqlb_text(&sb, " ORDER BY name");
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++) {
		json_t *ac = appcred_row(db, res, i, err);
		if (ac == NULL) {
			json_decref(list);
			list = NULL;
			break;
		}
		json_array_append_new(list, ac);
	}
	db_res_free(res);
	return list;
}

int ident_appcred_insert(struct db *db, const json_t *ac, const char *secret_hash,
			 int64_t expires_us, struct err *err)
{
	const char *id = jsonx_str(ac, "id"), *name = jsonx_str(ac, "name"),
		   *user_id = jsonx_str(ac, "user_id");
	struct db_res *res;
	char expires[24], now[24];
	size_t i;
	json_t *r;
	int taken;

	res = db_query(db, err,
		       "SELECT 1 FROM application_credential WHERE user_id = ? AND name = ?",
		       DBP(user_id, name));
	if (res == NULL)
		return -1;
	taken = db_res_rows(res) > 0;
	db_res_free(res);
	if (taken)
		return err_set(err, ERR_CONFLICT,
			       "Conflict occurred attempting to store application_credential - "
			       "Duplicate entry found with name %s.",
			       name);
	snprintf(expires, sizeof(expires), "%lld", (long long)expires_us);
	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	if (db_exec(db, err,
		    "INSERT INTO application_credential (id, name, user_id, project_id,"
		    " secret_hash, description, expires_at, unrestricted, system, created_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBP(id, name, user_id, jsonx_str(ac, "project_id"), secret_hash,
			jsonx_str(ac, "description"), expires_us ? expires : NULL,
			jsonx_bool(ac, "unrestricted", false) ? "1" : "0",
			jsonx_str(ac, "system"), now)) < 0)
		return -1;
	json_array_foreach(json_object_get(ac, "roles"), i, r) {
		if (db_exec(db, err,
			    "INSERT INTO application_credential_role (application_credential_id,"
			    " role_id) VALUES (?, ?)",
			    DBP(id, jsonx_str(r, "id"))) < 0)
			return -1;
	}
	return 0;
}

int ident_appcred_delete(struct db *db, const char *id, struct err *err)
{
	int rc;

	if (db_exec(db, err,
		    "DELETE FROM application_credential_role WHERE application_credential_id = ?",
		    DBP(id)) < 0)
		return -1;
	rc = db_exec(db, err, "DELETE FROM application_credential WHERE id = ?", DBP(id));
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find Application Credential: %s.",
			       id);
	return rc < 0 ? -1 : 0;
}

int ident_appcred_delete_for(struct db *db, const char *user_id, const char *project_id,
			     struct err *err)
{
	struct sqlb sb;
	int rc;

	BUG_ON(user_id == NULL && project_id == NULL);
	sqlb_init(&sb, "DELETE FROM application_credential_role WHERE application_credential_id"
		       " IN (SELECT id FROM application_credential WHERE 1 = 1");
	if (user_id != NULL)
		sqlb_add(&sb, " AND user_id = ?", user_id);
	if (project_id != NULL)
		sqlb_add(&sb, " AND project_id = ?", project_id);
	sqlb_text(&sb, ")");
	rc = db_exec(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (rc < 0)
		return -1;
	sqlb_init(&sb, "DELETE FROM application_credential WHERE 1 = 1");
	if (user_id != NULL)
		sqlb_add(&sb, " AND user_id = ?", user_id);
	if (project_id != NULL)
		sqlb_add(&sb, " AND project_id = ?", project_id);
	rc = db_exec(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	return rc;
}

json_t *ident_appcred_role_by_name(struct db *db, const char *name, struct err *err)
{
	struct db_res *res = db_query(db, err, "SELECT id, name FROM role WHERE name = ?",
				      DBP(name));
	json_t *r = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) != 1)
		err_set(err, ERR_NOT_FOUND, "Could not find role: %s.", name);
	else
		r = json_pack("{s:s,s:s}", "id", db_res_str(res, 0, 0), "name",
			      db_res_str(res, 0, 1));
	db_res_free(res);
	return r;
}
