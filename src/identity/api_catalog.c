/* /v3/regions, /v3/services, /v3/endpoints: the service catalog as Keystone manages it.
 *
 * Regions form a tree (parent_region_id) and may be named by the client (POST with an id,
 * or PUT /v3/regions/{id}); deleting one deletes its sub-regions unless an endpoint still
 * uses any of them. Deleting a service deletes its endpoints. An endpoint names its region
 * by region_id (which must exist) or by the legacy 'region' attribute, which creates the
 * region when missing, as Keystone does for clients of the v2 era. What the catalog of a
 * token lists is tokens.c's ident_catalog over the same tables. */
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/catalog_db.h"
#include "identity/identity_int.h"

static int validation_error(struct err *err, const char *attribute, const char *target)
{
	return err_set(err, ERR_BAD_REQUEST,
		       "Expecting to find %s in %s. The server could not comply with the request "
		       "since it is either malformed or otherwise incorrect. The client is "
		       "assumed to be in error.",
		       attribute, target);
}

/* A PATCH body must say something and must not rename the resource. */
static int check_patch(const json_t *in, const char *key, const char *path_id,
		       struct err *err)
{
	const char *id = jsonx_str(in, "id");

	if (json_object_size(in) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field '%s': {} does not have enough properties",
			       key);
	if (id != NULL && strcmp(id, path_id) != 0)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change ID");
	return 0;
}

/* Runs the write 'fn' in a transaction: all or nothing. */
static int in_transaction(struct db *db, int (*fn)(struct db *, void *, struct err *),
			  void *arg, struct err *err)
{
	if (db_begin(db, err) < 0)
		return -1;
	if (fn(db, arg, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* ================= regions ================= */

static const struct jsonx_field region_create_fields[] = {
	{ "id", JX_STRING | JX_NULL, false, 255, 0 },
	{ "description", JX_STRING | JX_NULL, false, 255, 0 },
	{ "parent_region_id", JX_STRING | JX_NULL, false, 255, 1 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field region_update_fields[] = {
	{ "id", JX_STRING | JX_NULL, false, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 255, 0 },
	{ "parent_region_id", JX_STRING | JX_NULL, false, 255, 1 },
	{ NULL, 0, false, 0, 0 },
};

static json_t *region_body(struct req *rq, json_t *r)
{
	ident_add_links(rq, r, "regions");
	return r;
}

static int regions_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list;
	size_t i;
	json_t *r;

	if (db == NULL ||
	    (list = ident_region_list(db, req_query(rq, "parent_region_id"), err)) == NULL)
		return -1;
	json_array_foreach(list, i, r) {
		region_body(rq, r);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "regions", list, "links", ident_collection_links(rq)));
	return 0;
}

static int region_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *r;

	if (db == NULL || (r = ident_region_find(db, req_param(rq, "region_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "region", region_body(rq, r)));
	return 0;
}

static int region_create_tx(struct db *db, void *arg, struct err *err)
{
	json_t *r = arg;
	const char *id = jsonx_str(r, "id");
	int exists = ident_region_exists(db, id, err);

	if (exists < 0)
		return -1;
	if (exists)
		return err_set(err, ERR_CONFLICT,
			       "Conflict occurred attempting to store region - Duplicate ID, %s.",
			       id);
	if (ident_region_check_parent(db, id, jsonx_str(r, "parent_region_id"), err) < 0)
		return -1;
	return ident_region_insert(db, r, err);
}

/* POST /v3/regions (id optional) and PUT /v3/regions/{region_id}. */
static int region_create(struct req *rq, const char *path_id, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *in, *r;
	const char *id;
	char gen[33];

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "region", err)) == NULL ||
	    jsonx_validate(in, region_create_fields, true, err) < 0)
		return -1;
	id = jsonx_str(in, "id");
	if (path_id != NULL && id != NULL && strcmp(id, path_id) != 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Conflicting region IDs specified: \"%s\" != \"%s\"", path_id, id);
	if (path_id != NULL)
		id = path_id;
	if (id == NULL || *id == '\0') {
		util_uuid_hex(gen);
		id = gen;
	}
	r = json_deep_copy(in);
	json_object_set_new(r, "id", json_string(id));
	if (!json_is_string(json_object_get(r, "description")))
		json_object_set_new(r, "description", json_string(""));
	if (json_object_get(r, "parent_region_id") == NULL)
		json_object_set_new(r, "parent_region_id", json_null());
	if (in_transaction(db, region_create_tx, r, err) < 0) {
		json_decref(r);
		return -1;
	}
	reply_json(rq, 201, json_pack("{s:o}", "region", region_body(rq, r)));
	return 0;
}

static int regions_create(struct req *rq, struct err *err)
{
	return region_create(rq, NULL, err);
}

static int region_put(struct req *rq, struct err *err)
{
	return region_create(rq, req_param(rq, "region_id"), err);
}

struct region_update {
	const char *id;
	json_t *in;
	json_t *out; /* the updated region */
};

static int region_update_tx(struct db *db, void *arg, struct err *err)
{
	struct region_update *u = arg;
	json_t *cur = ident_region_find(db, u->id, err);

	if (cur == NULL)
		return -1;
	u->out = cur;
	json_object_update(cur, u->in);
	json_object_set_new(cur, "id", json_string(u->id));
	if (!json_is_string(json_object_get(cur, "description")))
		json_object_set_new(cur, "description", json_string(""));
	if (ident_region_check_parent(db, u->id, jsonx_str(cur, "parent_region_id"), err) < 0)
		return -1;
	return ident_region_update(db, cur, err);
}

static int region_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct region_update u = { .id = req_param(rq, "region_id") };
	json_t *body;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (u.in = jsonx_member_object(body, "region", err)) == NULL ||
	    jsonx_validate(u.in, region_update_fields, true, err) < 0 ||
	    check_patch(u.in, "region", u.id, err) < 0)
		return -1;
	if (in_transaction(db, region_update_tx, &u, err) < 0) {
		json_decref(u.out);
		return -1;
	}
	reply_json(rq, 200, json_pack("{s:o}", "region", region_body(rq, u.out)));
	return 0;
}

static int region_delete_tx(struct db *db, void *arg, struct err *err)
{
	return ident_region_delete(db, arg, err);
}

static int region_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL ||
	    in_transaction(db, region_delete_tx, (void *)req_param(rq, "region_id"), err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

/* ================= services ================= */

static const struct jsonx_field service_create_fields[] = {
	{ "type", JX_STRING, true, 255, 1 },
	{ "name", JX_STRING, false, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field service_update_fields[] = {
	{ "id", JX_STRING, false, 0, 0 },
	{ "type", JX_STRING, false, 255, 1 },
	{ "name", JX_STRING, false, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static json_t *service_body(struct req *rq, json_t *s)
{
	ident_add_links(rq, s, "services");
	return s;
}

static int services_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list;
	size_t i;
	json_t *s;

	if (db == NULL || (list = ident_service_list(db, req_query(rq, "type"),
						     req_query(rq, "name"), err)) == NULL)
		return -1;
	json_array_foreach(list, i, s) {
		service_body(rq, s);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "services", list, "links", ident_collection_links(rq)));
	return 0;
}

static int service_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *s;

	if (db == NULL ||
	    (s = ident_service_find(db, req_param(rq, "service_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "service", service_body(rq, s)));
	return 0;
}

static int service_insert_tx(struct db *db, void *arg, struct err *err)
{
	return ident_service_insert(db, arg, err);
}

static int services_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *in, *s;
	char id[33];

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "service", err)) == NULL ||
	    jsonx_validate(in, service_create_fields, true, err) < 0)
		return -1;
	s = json_deep_copy(in);
	util_uuid_hex(id);
	json_object_set_new(s, "id", json_string(id));
	if (json_object_get(s, "enabled") == NULL)
		json_object_set_new(s, "enabled", json_true());
	if (json_object_get(s, "name") == NULL)
		json_object_set_new(s, "name", json_string(""));
	if (json_is_null(json_object_get(s, "description")))
		json_object_del(s, "description");
	if (in_transaction(db, service_insert_tx, s, err) < 0) {
		json_decref(s);
		return -1;
	}
	reply_json(rq, 201, json_pack("{s:o}", "service", service_body(rq, s)));
	return 0;
}

struct patch {
	const char *id;
	json_t *in;
	json_t *out;
};

static int service_update_tx(struct db *db, void *arg, struct err *err)
{
	struct patch *u = arg;
	json_t *cur = ident_service_find(db, u->id, err);

	if (cur == NULL)
		return -1;
	u->out = cur;
	json_object_update(cur, u->in);
	json_object_set_new(cur, "id", json_string(u->id));
	if (json_is_null(json_object_get(cur, "description")))
		json_object_del(cur, "description");
	return ident_service_update(db, cur, err);
}

static int service_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct patch u = { .id = req_param(rq, "service_id") };
	json_t *body;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (u.in = jsonx_member_object(body, "service", err)) == NULL ||
	    jsonx_validate(u.in, service_update_fields, true, err) < 0 ||
	    check_patch(u.in, "service", u.id, err) < 0)
		return -1;
	if (in_transaction(db, service_update_tx, &u, err) < 0) {
		json_decref(u.out);
		return -1;
	}
	reply_json(rq, 200, json_pack("{s:o}", "service", service_body(rq, u.out)));
	return 0;
}

static int service_delete_tx(struct db *db, void *arg, struct err *err)
{
	return ident_service_delete(db, arg, err);
}

static int service_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL ||
	    in_transaction(db, service_delete_tx, (void *)req_param(rq, "service_id"), err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

/* ================= endpoints ================= */

static const struct jsonx_field endpoint_fields[] = {
	{ "id", JX_STRING, false, 0, 0 },
	{ "interface", JX_STRING, false, 0, 0 },
	{ "region_id", JX_STRING | JX_NULL, false, 0, 0 },
	{ "region", JX_STRING | JX_NULL, false, 0, 0 },
	{ "service_id", JX_STRING, false, 0, 0 },
	{ "url", JX_STRING, false, 225, 0 },
	{ "name", JX_STRING, false, 0, 0 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static bool interface_ok(const char *s)
{
	return str_eq(s, "public") || str_eq(s, "internal") || str_eq(s, "admin");
}

static int check_interface(const char *s, struct err *err)
{
	if (!interface_ok(s))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'interface': '%s' is not one of "
			       "['admin', 'internal', 'public']",
			       s);
	return 0;
}

/* Keystone's schema pattern ^[a-zA-Z0-9+.-]+:.+ and its check that every substitution
 * $(name)s (or %(name)s) names a known property; any other '%' but '%%' fails Python's
 * formatting there too. */
static int check_url(const char *url, struct err *err)
{
	static const char *const props[] = {
		"tenant_id",	   "project_id",      "user_id",	 "public_bind_host",
		"admin_bind_host", "compute_host",    "admin_port",	 "public_port",
		"public_endpoint", "admin_endpoint",  NULL,
	};
	const char *p = url;

	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '+' || *p == '.' || *p == '-')
		p++;
	if (p == url || *p != ':' || p[1] == '\0')
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'url': '%s' does not match "
			       "'^[a-zA-Z0-9+.-]+:.+'",
			       url);
	for (p = url; *p; p++) {
		const char *name, *end;
		bool known = false;
		if (*p == '%' && p[1] == '%') {
			p++;
			continue;
		}
		if (*p == '%' && p[1] != '(')
			goto bad;
		if ((*p != '$' && *p != '%') || p[1] != '(')
			continue;
		name = p + 2;
		end = strchr(name, ')');
		if (end == NULL || end[1] != 's')
			goto bad;
		for (const char *const *k = props; *k && !known; k++)
			known = strlen(*k) == (size_t)(end - name) &&
				strncmp(*k, name, (size_t)(end - name)) == 0;
		if (!known)
			goto bad;
		p = end + 1;
	}
	return 0;
bad:
	return err_set(err, ERR_BAD_REQUEST, "Cannot create an endpoint with an invalid URL: %s.",
		       url);
}

static json_t *endpoint_body(struct req *rq, json_t *e)
{
	json_object_set(e, "region", json_object_get(e, "region_id"));
	ident_add_links(rq, e, "endpoints");
	return e;
}

/* Resolves the legacy 'region' into region_id (creating the region when missing), then
 * checks that the region and the service exist, as Keystone's catalog manager does. */
static int endpoint_refs(struct db *db, json_t *e, bool new_service, struct err *err)
{
	const char *legacy = jsonx_str(e, "region");
	const char *rid;
	int found;

	if (jsonx_str(e, "region_id") == NULL && legacy != NULL) {
		found = ident_region_exists(db, legacy, err);
		if (found < 0)
			return -1;
		if (!found) {
			json_auto_t *r = json_pack("{s:s,s:s,s:n}", "id", legacy, "description",
						   "", "parent_region_id");
			if (ident_region_insert(db, r, err) < 0)
				return -1;
		}
		json_object_set_new(e, "region_id", json_string(legacy));
	}
	json_object_del(e, "region");
	if (json_object_get(e, "region_id") == NULL)
		json_object_set_new(e, "region_id", json_null());
	rid = jsonx_str(e, "region_id");
	if (rid != NULL) {
		found = ident_region_exists(db, rid, err);
		if (found <= 0)
			return found < 0 ? -1
					 : validation_error(err, "endpoint region_id", "region table");
	}
	if (new_service) {
		found = ident_service_exists(db, jsonx_str(e, "service_id"), err);
		if (found <= 0)
			return found < 0 ? -1
					 : validation_error(err, "endpoint service_id",
							    "service table");
	}
	return 0;
}

static int endpoints_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *iface = req_query(rq, "interface");
	json_t *list;
	size_t i;
	json_t *e;

	if (db == NULL || (iface != NULL && check_interface(iface, err) < 0) ||
	    (list = ident_endpoint_list(db, iface, req_query(rq, "service_id"),
					req_query(rq, "region_id"), err)) == NULL)
		return -1;
	json_array_foreach(list, i, e) {
		endpoint_body(rq, e);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "endpoints", list, "links", ident_collection_links(rq)));
	return 0;
}

static int endpoint_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *e;

	if (db == NULL ||
	    (e = ident_endpoint_find(db, req_param(rq, "endpoint_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "endpoint", endpoint_body(rq, e)));
	return 0;
}

static int endpoint_create_tx(struct db *db, void *arg, struct err *err)
{
	json_t *e = arg;

	if (endpoint_refs(db, e, true, err) < 0)
		return -1;
	return ident_endpoint_insert(db, e, err);
}

static int endpoints_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *in, *e;
	char id[33];

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "endpoint", err)) == NULL ||
	    jsonx_validate(in, endpoint_fields, true, err) < 0)
		return -1;
	for (const char *const *k = (const char *const[]){ "interface", "service_id", "url",
							   NULL };
	     *k; k++)
		if (json_object_get(in, *k) == NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field '%s': '%s' is a required property",
				       *k, *k);
	if (check_interface(jsonx_str(in, "interface"), err) < 0 ||
	    check_url(jsonx_str(in, "url"), err) < 0)
		return -1;
	e = json_deep_copy(in);
	util_uuid_hex(id);
	json_object_set_new(e, "id", json_string(id));
	if (json_object_get(e, "enabled") == NULL)
		json_object_set_new(e, "enabled", json_true());
	if (in_transaction(db, endpoint_create_tx, e, err) < 0) {
		json_decref(e);
		return -1;
	}
	reply_json(rq, 201, json_pack("{s:o}", "endpoint", endpoint_body(rq, e)));
	return 0;
}

static int endpoint_update_tx(struct db *db, void *arg, struct err *err)
{
	struct patch *u = arg;
	json_t *cur = ident_endpoint_find(db, u->id, err);
	bool legacy = jsonx_str(u->in, "region_id") == NULL && jsonx_str(u->in, "region");

	if (cur == NULL)
		return -1;
	u->out = cur;
	json_object_update(cur, u->in);
	json_object_set_new(cur, "id", json_string(u->id));
	if (legacy)
		json_object_del(cur, "region_id");
	if (endpoint_refs(db, cur, json_object_get(u->in, "service_id") != NULL, err) < 0)
		return -1;
	return ident_endpoint_update(db, cur, err);
}

static int endpoint_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct patch u = { .id = req_param(rq, "endpoint_id") };
	json_t *body;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (u.in = jsonx_member_object(body, "endpoint", err)) == NULL ||
	    jsonx_validate(u.in, endpoint_fields, true, err) < 0 ||
	    check_patch(u.in, "endpoint", u.id, err) < 0)
		return -1;
	if ((json_object_get(u.in, "interface") &&
	     check_interface(jsonx_str(u.in, "interface"), err) < 0) ||
	    (json_object_get(u.in, "url") && check_url(jsonx_str(u.in, "url"), err) < 0))
		return -1;
	if (in_transaction(db, endpoint_update_tx, &u, err) < 0) {
		json_decref(u.out);
		return -1;
	}
	reply_json(rq, 200, json_pack("{s:o}", "endpoint", endpoint_body(rq, u.out)));
	return 0;
}

static int endpoint_delete_tx(struct db *db, void *arg, struct err *err)
{
	return ident_endpoint_delete(db, arg, err);
}

static int endpoint_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL ||
	    in_transaction(db, endpoint_delete_tx, (void *)req_param(rq, "endpoint_id"), err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_catalog_routes[] = {
	{ HTTP_GET, "/v3/regions", regions_list, "identity:list_regions" },
	{ HTTP_POST, "/v3/regions", regions_create, "identity:create_region" },
	{ HTTP_GET, "/v3/regions/{region_id}", region_show, "identity:get_region" },
	{ HTTP_PUT, "/v3/regions/{region_id}", region_put, "identity:create_region" },
	{ HTTP_PATCH, "/v3/regions/{region_id}", region_update, "identity:update_region" },
	{ HTTP_DELETE, "/v3/regions/{region_id}", region_delete, "identity:delete_region" },
	{ HTTP_GET, "/v3/services", services_list, "identity:list_services" },
	{ HTTP_POST, "/v3/services", services_create, "identity:create_service" },
	{ HTTP_GET, "/v3/services/{service_id}", service_show, "identity:get_service" },
	{ HTTP_PATCH, "/v3/services/{service_id}", service_update, "identity:update_service" },
	{ HTTP_DELETE, "/v3/services/{service_id}", service_delete, "identity:delete_service" },
	{ HTTP_GET, "/v3/endpoints", endpoints_list, "identity:list_endpoints" },
	{ HTTP_POST, "/v3/endpoints", endpoints_create, "identity:create_endpoint" },
	{ HTTP_GET, "/v3/endpoints/{endpoint_id}", endpoint_show, "identity:get_endpoint" },
	{ HTTP_PATCH, "/v3/endpoints/{endpoint_id}", endpoint_update,
	  "identity:update_endpoint" },
	{ HTTP_DELETE, "/v3/endpoints/{endpoint_id}", endpoint_delete,
	  "identity:delete_endpoint" },
	{ 0 },
};

/* Keystone's defaults: anyone with a token may read regions; services and endpoints are
 * for admins and system readers; writes for admins. */
const struct policy ident_catalog_policies[] = {
	{ "identity:list_regions", POL_TOKEN },
	{ "identity:get_region", POL_TOKEN },
	{ "identity:create_region", POL_ADMIN },
	{ "identity:update_region", POL_ADMIN },
	{ "identity:delete_region", POL_ADMIN },
	{ "identity:list_services", POL_READER },
	{ "identity:get_service", POL_READER },
	{ "identity:create_service", POL_ADMIN },
	{ "identity:update_service", POL_ADMIN },
	{ "identity:delete_service", POL_ADMIN },
	{ "identity:list_endpoints", POL_READER },
	{ "identity:get_endpoint", POL_READER },
	{ "identity:create_endpoint", POL_ADMIN },
	{ "identity:update_endpoint", POL_ADMIN },
	{ "identity:delete_endpoint", POL_ADMIN },
	{ NULL, 0 },
};
