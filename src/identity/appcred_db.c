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

#define RULE_COLS "r.id, r.service, r.path, r.method"

static json_t *rule_row(const struct db_res *res, int i)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "id", db_res_str(res, i, 0), "service",
			 db_res_str(res, i, 1), "path", db_res_str(res, i, 2), "method",
			 db_res_str(res, i, 3));
}

/* The access rules of credential 'id', in the order its creator gave them. */
static json_t *load_access_rules(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT " RULE_COLS " FROM application_credential_access_rule a"
		" JOIN access_rule r ON r.id = a.access_rule_id"
		" WHERE a.application_credential_id = ? ORDER BY a.seq, r.id",
		DBP(id));
	json_t *rules;

	if (res == NULL)
		return NULL;
	rules = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(rules, rule_row(res, i));
	db_res_free(res);
	return rules;
}

json_t *ident_appcred_access_rules(struct db *db, const char *id, struct err *err)
{
	return load_access_rules(db, id, err);
}

static json_t *appcred_row(struct db *db, const struct db_res *res, int i, struct err *err)
{
	json_t *ac = json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0), "name",
			       db_res_str(res, i, 1));
	json_t *roles, *rules;

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
	if ((rules = load_access_rules(db, db_res_str(res, i, 0), err)) == NULL) {
		json_decref(ac);
		return NULL;
	}
	/* Keystone shows the member only when there are rules */
	if (json_array_size(rules) > 0)
		json_object_set_new(ac, "access_rules", rules);
	else
		json_decref(rules);
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

static int rule_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Could not find Access Rule: %s.", id);
}

/* Copies into 'out' the id of the rule of 'user_id' with the service, path and method of
 * 'rule', or "" when the user has none such; -1 on error. */
static int rule_by_fields(struct db *db, const char *user_id, const json_t *rule, char out[65],
			  struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id FROM access_rule WHERE user_id = ? AND"
				      " service = ? AND path = ? AND method = ?",
				      DBP(user_id, jsonx_str(rule, "service"),
					  jsonx_str(rule, "path"), jsonx_str(rule, "method")));

	if (res == NULL)
		return -1;
	out[0] = '\0';
	if (db_res_rows(res) > 0)
		snprintf(out, 65, "%s", db_res_str(res, 0, 0));
	db_res_free(res);
	return 0;
}

/* Resolves one requested rule ({"id"}, {"service","path","method"} or both) to a rule
 * of 'user_id', creating it when new, as Keystone does: a known id is used as is (its
 * fields must agree when given); a rule equal to one the user has reuses that one; else
 * the rule is stored under the id given or a new one. Then links it to credential
 * 'ac_id' at position 'seq'. */
static int link_access_rule(struct db *db, const char *ac_id, const char *user_id,
			    const json_t *rule, int seq, struct err *err)
{
	const char *want = jsonx_str(rule, "id");
	bool full = jsonx_str(rule, "service") && jsonx_str(rule, "path") &&
		    jsonx_str(rule, "method");
	char id[65] = "", seqs[16];
	struct db_res *res;
	int linked;

	if (want != NULL) {
		res = db_query(db, err,
			       "SELECT r.id, r.service, r.path, r.method, r.user_id"
			       " FROM access_rule r WHERE r.id = ?",
			       DBP(want));
		if (res == NULL)
			return -1;
		if (db_res_rows(res) > 0) {
			bool mine = str_eq(db_res_str(res, 0, 4), user_id);
			bool same = mine;
			static const char *const keys[] = { "service", "path", "method" };
			for (int k = 0; k < 3 && same; k++)
				same = jsonx_str(rule, keys[k]) == NULL ||
				       str_eq(jsonx_str(rule, keys[k]), db_res_str(res, 0, k + 1));
			db_res_free(res);
			if (!mine)
				return rule_missing(want, err);
			if (!same)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for field 'access_rules': access rule "
					       "%s has another service, path or method",
					       want);
			snprintf(id, sizeof(id), "%s", want);
		} else {
			db_res_free(res);
			if (!full)
				return rule_missing(want, err);
		}
	}
	if (id[0] == '\0') {
		if (rule_by_fields(db, user_id, rule, id, err) < 0)
			return -1;
	}
	if (id[0] == '\0') {
		if (want != NULL)
			snprintf(id, sizeof(id), "%s", want);
		else
			util_uuid_hex(id);
		if (db_exec(db, err,
			    "INSERT INTO access_rule (id, user_id, service, path, method)"
			    " VALUES (?, ?, ?, ?, ?)",
			    DBP(id, user_id, jsonx_str(rule, "service"), jsonx_str(rule, "path"),
				jsonx_str(rule, "method"))) < 0)
			return -1;
	}
	res = db_query(db, err,
		       "SELECT 1 FROM application_credential_access_rule"
		       " WHERE application_credential_id = ? AND access_rule_id = ?",
		       DBP(ac_id, id));
	if (res == NULL)
		return -1;
	linked = db_res_rows(res) > 0;
	db_res_free(res);
	if (linked) /* the same rule twice in one request */
		return 0;
	snprintf(seqs, sizeof(seqs), "%d", seq);
	return db_exec(db, err,
		       "INSERT INTO application_credential_access_rule"
		       " (application_credential_id, access_rule_id, seq) VALUES (?, ?, ?)",
		       DBP(ac_id, id, seqs)) < 0
		       ? -1
		       : 0;
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
	json_array_foreach(json_object_get(ac, "access_rules"), i, r) {
		if (link_access_rule(db, id, user_id, r, (int)i, err) < 0)
			return -1;
	}
	return 0;
}

int ident_appcred_delete(struct db *db, const char *id, struct err *err)
{
	int rc;

	if (db_exec(db, err,
		    "DELETE FROM application_credential_role WHERE application_credential_id = ?",
		    DBP(id)) < 0 ||
	    db_exec(db, err,
		    "DELETE FROM application_credential_access_rule"
		    " WHERE application_credential_id = ?",
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
	for (int t = 0; t < 2; t++) {
		sqlb_init(&sb, t == 0 ? "DELETE FROM application_credential_role WHERE"
					" application_credential_id IN (SELECT id FROM"
					" application_credential WHERE 1 = 1"
				      : "DELETE FROM application_credential_access_rule WHERE"
					" application_credential_id IN (SELECT id FROM"
					" application_credential WHERE 1 = 1");
		if (user_id != NULL)
			sqlb_add(&sb, " AND user_id = ?", user_id);
		if (project_id != NULL)
			sqlb_add(&sb, " AND project_id = ?", project_id);
		sqlb_text(&sb, ")");
		rc = db_exec(db, err, sb.sql, sb.params, sb.n);
		sqlb_free(&sb);
		if (rc < 0)
			return -1;
	}
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

/* ---- access rules ---- */

json_t *ident_access_rule_find(struct db *db, const char *user_id, const char *id,
			       struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT " RULE_COLS " FROM access_rule r"
				      " WHERE r.id = ? AND r.user_id = ?",
				      DBP(id, user_id));
	json_t *rule = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		rule_missing(id, err);
	else
		rule = rule_row(res, 0);
	db_res_free(res);
	return rule;
}

json_t *ident_access_rule_list(struct db *db, const char *user_id, const char *service,
			       const char *path, const char *method, struct err *err)
{
	struct sqlb sb;

	sqlb_init(&sb, "SELECT " RULE_COLS " FROM access_rule r");
	sqlb_add(&sb, " WHERE r.user_id = ?", user_id);
	if (service != NULL)
		sqlb_add(&sb, " AND r.service = ?", service);
	if (path != NULL)
		sqlb_add(&sb, " AND r.path = ?", path);
	if (method != NULL)
		sqlb_add(&sb, " AND r.method = ?", method);
	sqlb_text(&sb, " ORDER BY r.service, r.path, r.method, r.id");
	return ident_list_rows(db, &sb, rule_row, err);
}

int ident_access_rule_delete(struct db *db, const char *user_id, const char *id,
			     struct err *err)
{
	struct db_res *res;
	int used;
	json_t *rule = ident_access_rule_find(db, user_id, id, err);

	if (rule == NULL)
		return -1;
	json_decref(rule);
	/* links whose credential is gone (other files delete credentials by project or
	 * domain without knowing about rules) do not count */
	res = db_query(db, err,
		       "SELECT 1 FROM application_credential_access_rule a"
		       " JOIN application_credential c ON c.id = a.application_credential_id"
		       " WHERE a.access_rule_id = ?",
		       DBP(id));
	if (res == NULL)
		return -1;
	used = db_res_rows(res) > 0;
	db_res_free(res);
	if (used)
		return err_set(err, ERR_FORBIDDEN, "May not delete access rule in use");
	if (db_exec(db, err, "DELETE FROM application_credential_access_rule"
			     " WHERE access_rule_id = ?",
		    DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM access_rule WHERE id = ?", DBP(id)) < 0)
		return -1;
	return 0;
}

int ident_access_rule_delete_for_user(struct db *db, const char *user_id, struct err *err)
{
	if (db_exec(db, err,
		    "DELETE FROM application_credential_access_rule WHERE access_rule_id IN"
		    " (SELECT id FROM access_rule WHERE user_id = ?)",
		    DBP(user_id)) < 0)
		return -1;
	return db_exec(db, err, "DELETE FROM access_rule WHERE user_id = ?", DBP(user_id));
}
