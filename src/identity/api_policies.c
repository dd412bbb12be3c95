/* /v3/policies: Keystone's policy store. A policy is an opaque blob (any string, usually a
 * JSON or YAML rule file) with a type (a MIME type such as "application/json"); clients
 * store, fetch and replace them. ciel keeps them as Keystone does and never interprets
 * them: what each route needs is its service's policy table. The OS-ENDPOINT-POLICY
 * associations of policies with endpoints are not served. */
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/policies_db.h"

static const struct jsonx_field create_fields[] = {
	{ "blob", JX_STRING, true, 0, 0 },
	{ "type", JX_STRING, true, 255, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field update_fields[] = {
	{ "id", JX_STRING, false, 0, 0 },
	{ "blob", JX_STRING, false, 0, 0 },
	{ "type", JX_STRING, false, 255, 0 },
	{ NULL, 0, false, 0, 0 },
};

static json_t *policy_body(struct req *rq, json_t *p)
{
	ident_add_links(rq, p, "policies");
	return p;
}

static int policies_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list, *p;
	size_t i;

	if (db == NULL || (list = ident_policy_list(db, req_query(rq, "type"), err)) == NULL)
		return -1;
	json_array_foreach(list, i, p) {
		policy_body(rq, p);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "policies", list, "links", ident_collection_links(rq)));
	return 0;
}

static int policy_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *p;

	if (db == NULL || (p = ident_policy_find(db, req_param(rq, "policy_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "policy", policy_body(rq, p)));
	return 0;
}

static int policies_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *in;
	json_auto_t *p = NULL;
	char id[33];

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "policy", err)) == NULL ||
	    jsonx_validate(in, create_fields, true, err) < 0)
		return -1;
	p = json_deep_copy(in);
	json_object_del(p, "links");
	util_uuid_hex(id);
	json_object_set_new(p, "id", json_string(id));
	if (db_begin(db, err) < 0)
		return -1;
	if (ident_policy_insert(db, p, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_json(rq, 201, json_pack("{s:O}", "policy", policy_body(rq, p)));
	return 0;
}

static int policy_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "policy_id");
	json_t *body, *in;
	json_auto_t *cur = NULL;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "policy", err)) == NULL ||
	    jsonx_validate(in, update_fields, true, err) < 0)
		return -1;
	if (json_object_size(in) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'policy': {} does not have enough "
			       "properties");
	if (jsonx_str(in, "id") != NULL && strcmp(jsonx_str(in, "id"), id) != 0)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change ID");
	if (db_begin(db, err) < 0)
		return -1;
	if ((cur = ident_policy_find(db, id, err)) == NULL)
		goto fail;
	json_object_update(cur, in);
	json_object_del(cur, "links");
	if (ident_policy_update(db, cur, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	reply_json(rq, 200, json_pack("{s:O}", "policy", policy_body(rq, cur)));
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int policy_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (ident_policy_delete(db, req_param(rq, "policy_id"), err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_policy_routes[] = {
	{ HTTP_GET, "/v3/policies", policies_list, "identity:list_policies" },
	{ HTTP_POST, "/v3/policies", policies_create, "identity:create_policy" },
	{ HTTP_GET, "/v3/policies/{policy_id}", policy_show, "identity:get_policy" },
	{ HTTP_PATCH, "/v3/policies/{policy_id}", policy_update, "identity:update_policy" },
	{ HTTP_DELETE, "/v3/policies/{policy_id}", policy_delete, "identity:delete_policy" },
	{ 0 },
};

/* Keystone's defaults: admins and system readers read, admins write. */
const struct policy ident_policy_policies[] = {
	{ "identity:list_policies", POL_READER },
	{ "identity:get_policy", POL_READER },
	{ "identity:create_policy", POL_ADMIN },
	{ "identity:update_policy", POL_ADMIN },
	{ "identity:delete_policy", POL_ADMIN },
	{ NULL, 0 },
};
