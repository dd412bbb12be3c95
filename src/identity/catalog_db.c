/* The catalog's SQL: regions, services, endpoints. */
#include "identity/catalog_db.h"

#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity_int.h"

/* Region trees are shallow; this bounds a walk over a (corrupt) cyclic table. */
#define MAX_REGION_DEPTH 1000
#define MAX_SUBTREE 10000

static const char *const region_known[] = { "id", "description", "parent_region_id", "links",
					    NULL };
static const char *const service_known[] = { "id",	    "type",  "name", "description",
					     "enabled", "links", NULL };
static const char *const endpoint_known[] = { "id",	     "interface", "service_id", "url",
					      "region_id", "region",    "enabled",    "links",
					      NULL };

static const char *bool_text(const json_t *obj, const char *key)
{
	return jsonx_bool(obj, key, true) ? "1" : "0";
}

/* 1 if 'sql' (one parameter) returns a row, 0 if not, -1 on error. */
static int row_exists(struct db *db, const char *sql, const char *param, struct err *err)
{
	struct db_res *res = db_query(db, err, sql, DBP(param));
	int found;

	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	return found;
}

/* ---- regions ---- */

#define REGION_COLS "SELECT id, description, parent_region_id, extra FROM region"

static json_t *region_row(const struct db_res *res, int i)
{
	json_t *r = json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0), "description",
			      db_res_str(res, i, 1) ? db_res_str(res, i, 1) : "");

	jsonx_set_str_or_null(r, "parent_region_id", db_res_str(res, i, 2));
	ident_merge_extra(r, db_res_str(res, i, 3));
	return r;
}

json_t *ident_region_find(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, REGION_COLS " WHERE id = ?", id, region_row, "region", err);
}

int ident_region_exists(struct db *db, const char *id, struct err *err)
{
	return row_exists(db, "SELECT 1 FROM region WHERE id = ?", id, err);
}

json_t *ident_region_list(struct db *db, const char *parent_id, struct err *err)
{
	struct sqlb sb;

	sqlb_init(&sb, REGION_COLS);
	if (parent_id != NULL)
		sqlb_add(&sb, " WHERE parent_region_id = ?", parent_id);
	sqlb_text(&sb, " ORDER BY id");
	return ident_list_rows(db, &sb, region_row, err);
}

int ident_region_check_parent(struct db *db, const char *id, const char *parent_id,
			      struct err *err)
{
	char *cur = xstrdup(parent_id);
	int rc = 0;

	for (int depth = 0; cur != NULL && rc == 0; depth++) {
		struct db_res *res;
		if (id != NULL && strcmp(cur, id) == 0) {
			rc = err_set(err, ERR_BAD_REQUEST,
				     "The specified parent region %s would create a circular "
				     "region hierarchy.",
				     parent_id);
			break;
		}
		if (depth >= MAX_REGION_DEPTH) {
			rc = err_set(err, ERR_INTERNAL, "region hierarchy too deep");
			break;
		}
		res = db_query(db, err, "SELECT parent_region_id FROM region WHERE id = ?",
			       DBP(cur));
		if (res == NULL) {
			rc = -1;
		} else if (db_res_rows(res) == 0) {
			/* only the direct parent can be missing; a broken chain above it is
			 * the table's problem, not the caller's */
			if (depth == 0)
				rc = err_set(err, ERR_NOT_FOUND, "Could not find region: %s.",
					     parent_id);
			free(cur);
			cur = NULL;
		} else {
			free(cur);
			cur = xstrdup(db_res_str(res, 0, 0));
		}
		db_res_free(res);
	}
	free(cur);
	return rc;
}

int ident_region_insert(struct db *db, const json_t *region, struct err *err)
{
	char *extra = ident_extra_from(region, region_known);
	const char *desc = jsonx_str(region, "description");
	int rc = db_exec(db, err,
			 "INSERT INTO region (id, description, parent_region_id, extra)"
			 " VALUES (?, ?, ?, ?)",
			 DBP(jsonx_str(region, "id"), desc ? desc : "",
			     jsonx_str(region, "parent_region_id"), extra));

	free(extra);
	return rc < 0 ? -1 : 0;
}

int ident_region_update(struct db *db, const json_t *region, struct err *err)
{
	char *extra = ident_extra_from(region, region_known);
	const char *desc = jsonx_str(region, "description");
	int rc = db_exec(db, err,
			 "UPDATE region SET description = ?, parent_region_id = ?, extra = ?"
			 " WHERE id = ?",
			 DBP(desc ? desc : "", jsonx_str(region, "parent_region_id"), extra,
			     jsonx_str(region, "id")));

	free(extra);
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find region: %s.",
			       jsonx_str(region, "id"));
	return rc < 0 ? -1 : 0;
}

/* Appends the ids of the regions below ids[from..] to 'ids' (breadth first). */
static int collect_subtree(struct db *db, json_t *ids, struct err *err)
{
	for (size_t k = 0; k < json_array_size(ids); k++) {
		const char *id = json_string_value(json_array_get(ids, k));
		struct db_res *res = db_query(
			db, err, "SELECT id FROM region WHERE parent_region_id = ?", DBP(id));
		if (res == NULL)
			return -1;
		for (int i = 0; i < db_res_rows(res); i++) {
			const char *child = db_res_str(res, i, 0);
			bool seen = false;
			for (size_t j = 0; j < json_array_size(ids) && !seen; j++)
				seen = str_eq(json_string_value(json_array_get(ids, j)), child);
			if (!seen)
				json_array_append_new(ids, json_string(child));
		}
		db_res_free(res);
		if (json_array_size(ids) > MAX_SUBTREE)
			return err_set(err, ERR_INTERNAL, "region hierarchy too large");
	}
	return 0;
}

int ident_region_delete(struct db *db, const char *id, struct err *err)
{
	json_auto_t *ids = json_array();
	size_t k;
	json_t *v;
	int found = ident_region_exists(db, id, err);

	if (found <= 0)
		return found < 0 ? -1
				 : err_set(err, ERR_NOT_FOUND, "Could not find region: %s.", id);
	json_array_append_new(ids, json_string(id));
	if (collect_subtree(db, ids, err) < 0)
		return -1;
	json_array_foreach(ids, k, v) {
		int used = row_exists(db, "SELECT 1 FROM endpoint WHERE region_id = ?",
				      json_string_value(v), err);
		if (used < 0)
			return -1;
		if (used)
			return err_set(err, ERR_FORBIDDEN,
				       "Unable to delete region %s because it or its child regions "
				       "have associated endpoints.",
				       id);
	}
	json_array_foreach(ids, k, v) {
		if (db_exec(db, err, "DELETE FROM region WHERE id = ?",
			    DBP(json_string_value(v))) < 0)
			return -1;
	}
	return 0;
}

/* ---- services ---- */

#define SERVICE_COLS "SELECT id, type, name, description, enabled, extra FROM service"

static json_t *service_row(const struct db_res *res, int i)
{
	json_t *s = json_pack("{s:s,s:s,s:s,s:b}", "id", db_res_str(res, i, 0), "type",
			      db_res_str(res, i, 1), "name",
			      db_res_str(res, i, 2) ? db_res_str(res, i, 2) : "", "enabled",
			      db_res_bool(res, i, 4));

	/* Keystone keeps description among the extra attributes: absent unless set */
	if (db_res_str(res, i, 3) != NULL)
		json_object_set_new(s, "description", json_string(db_res_str(res, i, 3)));
	ident_merge_extra(s, db_res_str(res, i, 5));
	return s;
}

json_t *ident_service_find(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, SERVICE_COLS " WHERE id = ?",
			      id, service_row, "service", err);
}

int ident_service_exists(struct db *db, const char *id, struct err *err)
{
	return row_exists(db, "SELECT 1 FROM service WHERE id = ?", id, err);
}

json_t *ident_service_list(struct db *db, const char *type, const char *name,
			   struct err *err)
{
	struct sqlb sb;

	sqlb_init(&sb, SERVICE_COLS " WHERE 1 = 1");
	if (type != NULL)
		sqlb_add(&sb, " AND type = ?", type);
	if (name != NULL)
		sqlb_add(&sb, " AND name = ?", name);
	sqlb_text(&sb, " ORDER BY id");
	return ident_list_rows(db, &sb, service_row, err);
}

int ident_service_insert(struct db *db, const json_t *s, struct err *err)
{
	char *extra = ident_extra_from(s, service_known);
	const char *name = jsonx_str(s, "name");
	int rc = db_exec(db, err,
			 "INSERT INTO service (id, type, name, description, enabled, extra)"
			 " VALUES (?, ?, ?, ?, ?, ?)",
			 DBP(jsonx_str(s, "id"), jsonx_str(s, "type"), name ? name : "",
			     jsonx_str(s, "description"), bool_text(s, "enabled"), extra));

	free(extra);
	return rc < 0 ? -1 : 0;
}

int ident_service_update(struct db *db, const json_t *s, struct err *err)
{
	char *extra = ident_extra_from(s, service_known);
	const char *name = jsonx_str(s, "name");
	int rc = db_exec(db, err,
			 "UPDATE service SET type = ?, name = ?, description = ?, enabled = ?,"
			 " extra = ? WHERE id = ?",
			 DBP(jsonx_str(s, "type"), name ? name : "", jsonx_str(s, "description"),
			     bool_text(s, "enabled"), extra, jsonx_str(s, "id")));

	free(extra);
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find service: %s.",
			       jsonx_str(s, "id"));
	return rc < 0 ? -1 : 0;
}

int ident_service_delete(struct db *db, const char *id, struct err *err)
{
	int rc;

	if (db_exec(db, err, "DELETE FROM endpoint WHERE service_id = ?", DBP(id)) < 0)
		return -1;
	rc = db_exec(db, err, "DELETE FROM service WHERE id = ?", DBP(id));
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find service: %s.", id);
	return rc < 0 ? -1 : 0;
}

/* ---- endpoints ---- */

#define ENDPOINT_COLS                                                                      \
	"SELECT id, interface, service_id, url, region_id, enabled, extra FROM endpoint"

static json_t *endpoint_row(const struct db_res *res, int i)
{
	json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", db_res_str(res, i, 0), "interface",
			      db_res_str(res, i, 1), "service_id", db_res_str(res, i, 2), "url",
			      db_res_str(res, i, 3), "enabled", db_res_bool(res, i, 5));

	jsonx_set_str_or_null(e, "region_id", db_res_str(res, i, 4));
	ident_merge_extra(e, db_res_str(res, i, 6));
	return e;
}

json_t *ident_endpoint_find(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, ENDPOINT_COLS " WHERE id = ?",
			      id, endpoint_row, "endpoint", err);
}

json_t *ident_endpoint_list(struct db *db, const char *interface, const char *service_id,
			    const char *region_id, struct err *err)
{
	struct sqlb sb;

	sqlb_init(&sb, ENDPOINT_COLS " WHERE 1 = 1");
	if (interface != NULL)
		sqlb_add(&sb, " AND interface = ?", interface);
	if (service_id != NULL)
		sqlb_add(&sb, " AND service_id = ?", service_id);
	if (region_id != NULL)
		sqlb_add(&sb, " AND region_id = ?", region_id);
	sqlb_text(&sb, " ORDER BY id");
	return ident_list_rows(db, &sb, endpoint_row, err);
}

int ident_endpoint_insert(struct db *db, const json_t *e, struct err *err)
{
	char *extra = ident_extra_from(e, endpoint_known);
	int rc = db_exec(db, err,
			 "INSERT INTO endpoint (id, service_id, interface, url, region_id,"
			 " enabled, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
			 DBP(jsonx_str(e, "id"), jsonx_str(e, "service_id"),
			     jsonx_str(e, "interface"), jsonx_str(e, "url"),
			     jsonx_str(e, "region_id"), bool_text(e, "enabled"), extra));

	free(extra);
	return rc < 0 ? -1 : 0;
}

int ident_endpoint_update(struct db *db, const json_t *e, struct err *err)
{
	char *extra = ident_extra_from(e, endpoint_known);
	int rc = db_exec(db, err,
			 "UPDATE endpoint SET service_id = ?, interface = ?, url = ?,"
			 " region_id = ?, enabled = ?, extra = ? WHERE id = ?",
			 DBP(jsonx_str(e, "service_id"), jsonx_str(e, "interface"),
			     jsonx_str(e, "url"), jsonx_str(e, "region_id"),
			     bool_text(e, "enabled"), extra, jsonx_str(e, "id")));

	free(extra);
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find endpoint: %s.",
			       jsonx_str(e, "id"));
	return rc < 0 ? -1 : 0;
}

int ident_endpoint_delete(struct db *db, const char *id, struct err *err)
{
	int rc = db_exec(db, err, "DELETE FROM endpoint WHERE id = ?", DBP(id));

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find endpoint: %s.", id);
	return rc < 0 ? -1 : 0;
}
