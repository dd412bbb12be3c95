/* /v3/OS-EP-FILTER/endpoint_groups: named filters over the catalog's endpoints (by
 * service_id, region_id and/or interface), as Keystone's OS-EP-FILTER extension keeps
 * them, and the endpoints each one selects. Associating groups or endpoints with projects
 * (which would narrow a project token's catalog) is not served: every token carries the
 * whole catalog. */
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/catalog_db.h"
#include "identity/endpoint_groups_db.h"
#include "identity/identity_int.h"

#define GROUPS "OS-EP-FILTER/endpoint_groups"

static const struct jsonx_field create_fields[] = {
	{ "name", JX_STRING, true, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "filters", JX_OBJECT, true, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field update_fields[] = {
	{ "id", JX_STRING, false, 0, 0 },
	{ "name", JX_STRING, false, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "filters", JX_OBJECT, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

/* Keystone's name: not only blanks. */
static int check_name(const char *name, struct err *err)
{
	for (const char *s = name; s && *s; s++)
		if (strchr(" \t\n\r\f\v", *s) == NULL)
			return 0;
	return err_set(err, ERR_BAD_REQUEST,
		       "Invalid input for field 'name': does not match '[\\S]+'");
}

/* A filter names at least one of service_id, region_id, interface, each a string. */
static int check_filters(const json_t *filters, struct err *err)
{
	const char *key;
	json_t *v;

	if (json_object_size(filters) == 0)
		return err_set(err, ERR_BAD_REQUEST, "filters field is required and cannot be "
						     "empty");
	json_object_foreach((json_t *)filters, key, v) {
		if (!str_eq(key, "service_id") && !str_eq(key, "region_id") &&
		    !str_eq(key, "interface"))
			return err_set(err, ERR_BAD_REQUEST,
				       "Expecting to find service_id or region_id or interface "
				       "in endpoint_group. The server could not comply with the "
				       "request since it is either malformed or otherwise "
				       "incorrect. The client is assumed to be in error.");
		if (!json_is_string(v))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'filters': '%s' is not a string",
				       key);
	}
	return 0;
}

static json_t *group_body(struct req *rq, json_t *g)
{
	ident_add_links(rq, g, GROUPS);
	return g;
}

static int groups_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list, *g;
	size_t i;

	if (db == NULL ||
	    (list = ident_endpoint_group_list(db, req_query(rq, "name"), err)) == NULL)
		return -1;
	json_array_foreach(list, i, g) {
		group_body(rq, g);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "endpoint_groups", list, "links",
			     ident_collection_links(rq)));
	return 0;
}

/* GET and HEAD (the router sends HEAD here and drops the body). */
static int group_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *g;

	if (db == NULL ||
	    (g = ident_endpoint_group_find(db, req_param(rq, "endpoint_group_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "endpoint_group", group_body(rq, g)));
	return 0;
}

static int groups_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *in;
	json_auto_t *g = NULL;
	char id[33];

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "endpoint_group", err)) == NULL ||
	    jsonx_validate(in, create_fields, false, err) < 0 ||
	    check_name(jsonx_str(in, "name"), err) < 0 ||
	    check_filters(json_object_get(in, "filters"), err) < 0)
		return -1;
	util_uuid_hex(id);
	g = json_pack("{s:s,s:s,s:O}", "id", id, "name", jsonx_str(in, "name"), "filters",
		      json_object_get(in, "filters"));
	jsonx_set_str_or_null(g, "description", jsonx_str(in, "description"));
	if (db_begin(db, err) < 0)
		return -1;
	if (ident_endpoint_group_insert(db, g, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_json(rq, 201, json_pack("{s:O}", "endpoint_group", group_body(rq, g)));
	return 0;
}

static int group_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "endpoint_group_id");
	json_t *body, *in;
	json_auto_t *cur = NULL;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "endpoint_group", err)) == NULL ||
	    jsonx_validate(in, update_fields, false, err) < 0)
		return -1;
	if (json_object_size(in) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'endpoint_group': {} does not have enough "
			       "properties");
	if (jsonx_str(in, "id") != NULL && strcmp(jsonx_str(in, "id"), id) != 0)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change ID");
	if ((json_object_get(in, "name") && check_name(jsonx_str(in, "name"), err) < 0) ||
	    (json_object_get(in, "filters") &&
	     check_filters(json_object_get(in, "filters"), err) < 0))
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if ((cur = ident_endpoint_group_find(db, id, err)) == NULL)
		goto fail;
	json_object_update(cur, in);
	json_object_set_new(cur, "id", json_string(id));
	if (ident_endpoint_group_update(db, cur, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	reply_json(rq, 200, json_pack("{s:O}", "endpoint_group", group_body(rq, cur)));
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int group_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (ident_endpoint_group_delete(db, req_param(rq, "endpoint_group_id"), err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

/* The catalog endpoints the group's filters select. */
static int group_endpoints(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *g = NULL;
	json_t *filters, *list, *e;
	size_t i;

	if (db == NULL ||
	    (g = ident_endpoint_group_find(db, req_param(rq, "endpoint_group_id"), err)) == NULL)
		return -1;
	filters = json_object_get(g, "filters");
	if ((list = ident_endpoint_list(db, jsonx_str(filters, "interface"),
					jsonx_str(filters, "service_id"),
					jsonx_str(filters, "region_id"), err)) == NULL)
		return -1;
	json_array_foreach(list, i, e) {
		json_object_set(e, "region", json_object_get(e, "region_id"));
		ident_add_links(rq, e, "endpoints");
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "endpoints", list, "links", ident_collection_links(rq)));
	return 0;
}

const struct route ident_endpoint_group_routes[] = {
	{ HTTP_GET, "/v3/" GROUPS, groups_list, "identity:list_endpoint_groups" },
	{ HTTP_POST, "/v3/" GROUPS, groups_create, "identity:create_endpoint_group" },
	{ HTTP_GET, "/v3/" GROUPS "/{endpoint_group_id}", group_show,
	  "identity:get_endpoint_group" },
	{ HTTP_PATCH, "/v3/" GROUPS "/{endpoint_group_id}", group_update,
	  "identity:update_endpoint_group" },
	{ HTTP_DELETE, "/v3/" GROUPS "/{endpoint_group_id}", group_delete,
	  "identity:delete_endpoint_group" },
	{ HTTP_GET, "/v3/" GROUPS "/{endpoint_group_id}/endpoints", group_endpoints,
	  "identity:list_endpoints_associated_with_endpoint_group" },
	{ 0 },
};

/* Keystone's defaults: admins and system readers read, admins write. */
const struct policy ident_endpoint_group_policies[] = {
	{ "identity:list_endpoint_groups", POL_READER },
	{ "identity:get_endpoint_group", POL_READER },
	{ "identity:create_endpoint_group", POL_ADMIN },
	{ "identity:update_endpoint_group", POL_ADMIN },
	{ "identity:delete_endpoint_group", POL_ADMIN },
	{ "identity:list_endpoints_associated_with_endpoint_group", POL_READER },
	{ NULL, 0 },
};
