/* The credential table's SQL. */
#include "identity/credential_db.h"

#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/keys.h"

static const char *const credential_known[] = { "id",	"user_id", "project_id", "type",
						"blob", "links",   NULL };

#define CREDENTIAL_COLS                                                                  \
	"SELECT id, user_id, project_id, type, blob, extra, key_hash FROM credential"

/* The credentials the query finds, their blobs decrypted. New array, or NULL. */
static json_t *credential_rows(struct db *db, const char *sql, const char *const *params,
			       int n, struct err *err)
{
	struct db_res *res = db_query(db, err, sql, params, n);
	json_t *list;

	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++) {
		char *blob = ident_secret_open(db_res_str(res, i, 4), db_res_str(res, i, 6), err);
		json_t *c;

		if (blob == NULL) {
			json_decref(list);
			list = NULL;
			break;
		}
		c = json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0), "user_id",
			      db_res_str(res, i, 1));
		jsonx_set_str_or_null(c, "project_id", db_res_str(res, i, 2));
		json_object_set_new(c, "type", json_string(db_res_str(res, i, 3)));
		json_object_set_new(c, "blob", json_string(blob));
		ident_merge_extra(c, db_res_str(res, i, 5));
		json_array_append_new(list, c);
		explicit_bzero(blob, strlen(blob));
		free(blob);
	}
	db_res_free(res);
	return list;
}

json_t *ident_credential_find(struct db *db, const char *id, struct err *err)
{
	json_t *list = credential_rows(db, CREDENTIAL_COLS " WHERE id = ?", DBP(id), err);
	json_t *c;

	if (list == NULL)
		return NULL;
	c = json_incref(json_array_get(list, 0));
	json_decref(list);
	if (c == NULL)
		err_set(err, ERR_NOT_FOUND, "Could not find credential: %s.", id);
	return c;
}

json_t *ident_credential_list(struct db *db, const char *user_id, const char *type,
			      struct err *err)
{
	struct sqlb sb;
	json_t *list;

	sqlb_init(&sb, CREDENTIAL_COLS " WHERE 1 = 1");
	if (user_id != NULL)
		sqlb_add(&sb, " AND user_id = ?", user_id);
	if (type != NULL)
		sqlb_add(&sb, " AND type = ?", type);
	sqlb_text(&sb, " ORDER BY id");
	list = credential_rows(db, sb.sql, sb.params, sb.n, err);
	sqlb_free(&sb);
	return list;
}

int ident_credential_insert(struct db *db, const json_t *c, struct err *err)
{
	const char *id = jsonx_str(c, "id");
	struct db_res *res = db_query(db, err, "SELECT 1 FROM credential WHERE id = ?", DBP(id));
	char hash[IDENT_KEY_HASH_SIZE], *extra, *blob;
	int rc;

	if (res == NULL)
		return -1;
	rc = db_res_rows(res);
	db_res_free(res);
	if (rc > 0)
		return err_set(err, ERR_CONFLICT,
			       "Conflict occurred attempting to store credential - Duplicate ID, "
			       "%s.",
			       id);
	extra = ident_extra_from(c, credential_known);
	blob = ident_credential_encrypt(jsonx_str(c, "blob"), hash);
	rc = db_exec(db, err,
		     "INSERT INTO credential (id, user_id, project_id, type, blob, key_hash, extra)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?)",
		     DBP(id, jsonx_str(c, "user_id"), jsonx_str(c, "project_id"),
			 jsonx_str(c, "type"), blob, hash, extra));
	free(blob);
	free(extra);
	return rc < 0 ? -1 : 0;
}

int ident_credential_update(struct db *db, const json_t *c, struct err *err)
{
	char hash[IDENT_KEY_HASH_SIZE];
	char *extra = ident_extra_from(c, credential_known);
	char *blob = ident_credential_encrypt(jsonx_str(c, "blob"), hash);
	int rc = db_exec(db, err,
			 "UPDATE credential SET user_id = ?, project_id = ?, type = ?, blob = ?,"
			 " key_hash = ?, extra = ? WHERE id = ?",
			 DBP(jsonx_str(c, "user_id"), jsonx_str(c, "project_id"),
			     jsonx_str(c, "type"), blob, hash, extra, jsonx_str(c, "id")));

	free(blob);
	free(extra);
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find credential: %s.",
			       jsonx_str(c, "id"));
	return rc < 0 ? -1 : 0;
}

int ident_credential_delete(struct db *db, const char *id, struct err *err)
{
	int rc = db_exec(db, err, "DELETE FROM credential WHERE id = ?", DBP(id));

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find credential: %s.", id);
	return rc < 0 ? -1 : 0;
}

int ident_credential_delete_for(struct db *db, const char *user_id, const char *project_id,
				struct err *err)
{
	struct sqlb sb;
	int rc;

	BUG_ON(user_id == NULL && project_id == NULL);
	sqlb_init(&sb, "DELETE FROM credential WHERE 1 = 1");
	if (user_id != NULL)
		sqlb_add(&sb, " AND user_id = ?", user_id);
	if (project_id != NULL)
		sqlb_add(&sb, " AND project_id = ?", project_id);
	rc = db_exec(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	return rc;
}

static int check(struct db *db, const char *sql, const char *what, const char *id,
		 struct err *err)
{
	struct db_res *res;
	int found;

	if (id == NULL)
		return err_set(err, ERR_NOT_FOUND, "Could not find %s: None.", what);
	res = db_query(db, err, sql, DBP(id));
	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	return found ? 0 : err_set(err, ERR_NOT_FOUND, "Could not find %s: %s.", what, id);
}

int ident_credential_user_check(struct db *db, const char *user_id, struct err *err)
{
	return check(db, "SELECT 1 FROM users WHERE id = ?", "user", user_id, err);
}

int ident_credential_project_check(struct db *db, const char *project_id, struct err *err)
{
	return check(db, "SELECT 1 FROM project WHERE id = ? AND is_domain = 0", "project",
		     project_id, err);
}
