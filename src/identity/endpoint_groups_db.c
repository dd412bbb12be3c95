/* The endpoint_group table's SQL. */
#include "identity/endpoint_groups_db.h"

#include <stdlib.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "identity/identity_int.h"

#define GROUP_COLS "SELECT id, name, description, filters FROM endpoint_group"

static int group_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Could not find Endpoint Group: %s.", id);
}

static json_t *group_row(const struct db_res *res, int i)
{
	json_t *g = json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0), "name",
			      db_res_str(res, i, 1));
	json_t *filters = json_loads(db_res_str(res, i, 3), 0, NULL);

	jsonx_set_str_or_null(g, "description", db_res_str(res, i, 2));
	if (!json_is_object(filters)) {
		json_decref(filters);
		filters = json_object();
	}
	json_object_set_new(g, "filters", filters);
	return g;
}

json_t *ident_endpoint_group_find(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, GROUP_COLS " WHERE id = ?",
			      id, group_row, "Endpoint Group", err);
}

json_t *ident_endpoint_group_list(struct db *db, const char *name, struct err *err)
{
	struct sqlb sb;

	sqlb_init(&sb, GROUP_COLS);
	if (name != NULL)
		sqlb_add(&sb, " WHERE name = ?", name);
	sqlb_text(&sb, " ORDER BY id");
	return ident_list_rows(db, &sb, group_row, err);
}

int ident_endpoint_group_insert(struct db *db, const json_t *g, struct err *err)
{
	char *filters = json_dumps(json_object_get(g, "filters"), JSON_COMPACT | JSON_SORT_KEYS);
	int rc = db_exec(db, err,
			 "INSERT INTO endpoint_group (id, name, description, filters)"
			 " VALUES (?, ?, ?, ?)",
			 DBP(jsonx_str(g, "id"), jsonx_str(g, "name"),
			     jsonx_str(g, "description"), filters));

	free(filters);
	return rc < 0 ? -1 : 0;
}

int ident_endpoint_group_update(struct db *db, const json_t *g, struct err *err)
{
	char *filters = json_dumps(json_object_get(g, "filters"), JSON_COMPACT | JSON_SORT_KEYS);
	int rc = db_exec(db, err,
			 "UPDATE endpoint_group SET name = ?, description = ?, filters = ?"
			 " WHERE id = ?",
			 DBP(jsonx_str(g, "name"), jsonx_str(g, "description"), filters,
			     jsonx_str(g, "id")));

	free(filters);
	if (rc == 0)
		return group_missing(jsonx_str(g, "id"), err);
	return rc < 0 ? -1 : 0;
}

int ident_endpoint_group_delete(struct db *db, const char *id, struct err *err)
{
	int rc = db_exec(db, err, "DELETE FROM endpoint_group WHERE id = ?", DBP(id));

	if (rc == 0)
		return group_missing(id, err);
	return rc < 0 ? -1 : 0;
}
