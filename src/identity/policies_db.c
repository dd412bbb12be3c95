/* The policy table's SQL. */
#include "identity/policies_db.h"

#include <stdlib.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "identity/identity_int.h"

#define POLICY_COLS "SELECT id, type, blob, extra FROM policy"

static const char *const policy_known[] = { "id", "type", "blob", "links", NULL };

static int policy_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Could not find policy: %s.", id);
}

static json_t *policy_row(const struct db_res *res, int i)
{
	json_t *p = json_pack("{s:s,s:s,s:s}", "id", db_res_str(res, i, 0), "type",
			      db_res_str(res, i, 1), "blob", db_res_str(res, i, 2));

	ident_merge_extra(p, db_res_str(res, i, 3));
	return p;
}

json_t *ident_policy_find(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, POLICY_COLS " WHERE id = ?", id, policy_row, "policy", err);
}

json_t *ident_policy_list(struct db *db, const char *type, struct err *err)
{
	struct sqlb sb;

	sqlb_init(&sb, POLICY_COLS);
	if (type != NULL)
		sqlb_add(&sb, " WHERE type = ?", type);
	sqlb_text(&sb, " ORDER BY id");
	return ident_list_rows(db, &sb, policy_row, err);
}

int ident_policy_insert(struct db *db, const json_t *p, struct err *err)
{
	char *extra = ident_extra_from(p, policy_known);
	int rc = db_exec(db, err, "INSERT INTO policy (id, type, blob, extra) VALUES (?, ?, ?, ?)",
			 DBP(jsonx_str(p, "id"), jsonx_str(p, "type"), jsonx_str(p, "blob"),
			     extra));

	free(extra);
	return rc < 0 ? -1 : 0;
}

int ident_policy_update(struct db *db, const json_t *p, struct err *err)
{
	char *extra = ident_extra_from(p, policy_known);
	int rc = db_exec(db, err, "UPDATE policy SET type = ?, blob = ?, extra = ? WHERE id = ?",
			 DBP(jsonx_str(p, "type"), jsonx_str(p, "blob"), extra,
			     jsonx_str(p, "id")));

	free(extra);
	if (rc == 0)
		return policy_missing(jsonx_str(p, "id"), err);
	return rc < 0 ? -1 : 0;
}

int ident_policy_delete(struct db *db, const char *id, struct err *err)
{
	int rc = db_exec(db, err, "DELETE FROM policy WHERE id = ?", DBP(id));

	if (rc == 0)
		return policy_missing(id, err);
	return rc < 0 ? -1 : 0;
}
