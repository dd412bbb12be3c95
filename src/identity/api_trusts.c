/* /v3/OS-TRUST/trusts: create, list, show and delete trusts, and the roles a trust
 * delegates (trusts_db.h has the model; tokens are issued by /v3/auth/tokens with scope
 * {"OS-TRUST:trust": {"id"}}).
 *
 * Who may do what follows Keystone's default policy: only the trustor creates a trust (and
 * only with roles it holds on the project; a token from an application credential, only
 * with the credential's roles); trustor and trustee read it; the trustor deletes it; a
 * trust-scoped token or one from a restricted application credential creates and deletes
 * none; admins and system readers read any, admins delete any. Listing without a
 * filter is for admins and system readers; a user may list the trusts it gave or got. */
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/credential_db.h"
#include "identity/identity_int.h"
#include "identity/trusts_db.h"

static int forbidden(struct err *err, const char *action)
{
	return err_set(err, ERR_FORBIDDEN,
		       "You are not authorized to perform the requested action: %s.", action);
}

static bool system_reader(struct req *rq)
{
	return ident_is_admin(rq) ||
	       (ident_caller(rq)->scope == SCOPE_SYSTEM && ident_has_role(rq, "reader"));
}

static void role_links(struct req *rq, json_t *roles)
{
	size_t i;
	json_t *r;

	json_array_foreach(roles, i, r) {
		ident_add_links(rq, r, "roles");
	}
}

/* The trust as Keystone shows it: times in ISO 8601, links; roles unless 'summary'. */
static json_t *trust_view(struct req *rq, json_t *t, bool summary)
{
	json_t *exp = json_object_get(t, "expires_at");
	const char *id = jsonx_str(t, "id");
	char when[32];

	if (json_is_integer(exp)) {
		util_iso8601(json_integer_value(exp), 6, when);
		json_object_set_new(t, "expires_at", json_string(when));
	}
	json_object_set_new(t, "links",
			    json_pack("{s:s}", "self",
				      ident_url(rq, req_printf(rq, "/OS-TRUST/trusts/%s", id))));
	if (summary) {
		json_object_del(t, "roles");
		return t;
	}
	role_links(rq, json_object_get(t, "roles"));
	json_object_set_new(
		t, "roles_links",
		json_pack("{s:s,s:n,s:n}", "self",
			  ident_url(rq, req_printf(rq, "/OS-TRUST/trusts/%s/roles", id)),
			  "previous", "next"));
	return t;
}

/* The trust of the path if the caller is its trustor or trustee (or a reader of all);
 * caller decrefs. 404 when there is no such trust, as in Keystone. */
static json_t *trust_for_reader(struct req *rq, struct db *db, const char *action,
				struct err *err)
{
	struct ident_token *caller = ident_caller(rq);
	json_t *t = ident_trust_get(db, req_param(rq, "trust_id"), err);

	if (t == NULL || system_reader(rq))
		return t;
	if (!str_eq(jsonx_str(t, "trustor_user_id"), caller->user_id) &&
	    !str_eq(jsonx_str(t, "trustee_user_id"), caller->user_id)) {
		json_decref(t);
		forbidden(err, action);
		return NULL;
	}
	return t;
}

static const struct jsonx_field trust_fields[] = {
	{ "trustor_user_id", JX_STRING, true, 64, 1 },
	{ "trustee_user_id", JX_STRING, true, 64, 1 },
	{ "impersonation", JX_BOOL, true, 0, 0 },
	{ "project_id", JX_STRING | JX_NULL, false, 64, 0 },
	{ "roles", JX_ARRAY, false, 0, 0 },
	{ "expires_at", JX_STRING | JX_NULL, false, 64, 0 },
	{ "remaining_uses", JX_INT | JX_NULL, false, 0, 0 },
	{ "allow_redelegation", JX_BOOL | JX_NULL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

/* Resolves each {"id"} or {"name"} of 'roles' to a role (global roles by name), as
 * [{"id","name"}] (caller decrefs). */
static json_t *normalize_roles(struct db *db, const json_t *roles, struct err *err)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(roles, i, r) {
		const char *id = jsonx_str(r, "id"), *name = jsonx_str(r, "name");
		struct db_res *res;

		if (!json_is_object(r) || (id == NULL && name == NULL)) {
			err_set(err, ERR_BAD_REQUEST,
				"Invalid input for field 'roles': each role needs an id or a name");
			goto fail;
		}
		res = id ? db_query(db, err, "SELECT id, name FROM role WHERE id = ?", DBP(id))
			 : db_query(db, err,
				    "SELECT id, name FROM role WHERE name = ? AND domain_id = ?",
				    DBP(name, ROLE_GLOBAL));
		if (res == NULL)
			goto fail;
		if (db_res_rows(res) == 0) {
			db_res_free(res);
			if (id)
				err_set(err, ERR_NOT_FOUND, "Could not find role: %s.", id);
			else
				err_set(err, ERR_NOT_FOUND, "Role %s is not defined", name);
			goto fail;
		}
		json_array_append_new(out, json_pack("{s:s,s:s}", "id", db_res_str(res, 0, 0),
						     "name", db_res_str(res, 0, 1)));
		db_res_free(res);
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* Keystone's _require_trustor_has_role_in_project, held to the creating token when it is
 * delegated: a token made from an application credential passes on no more than the
 * credential's roles on its own project, whatever else its user holds. */
static int check_trustor_roles(struct req *rq, struct db *db, const json_t *t,
			       const json_t *roles, struct err *err)
{
	struct ident_token *caller = ident_caller(rq);
	const char *trustor = jsonx_str(t, "trustor_user_id"), *project = jsonx_str(t, "project_id");
	json_t *held, *r, *h;
	size_t i, j;
	int rc = 0;

	if (json_array_size(roles) == 0)
		return 0;
	if (caller->methods & METHOD_APPCRED) {
		if (caller->scope != SCOPE_PROJECT || !str_eq(caller->scope_id, project))
			return forbidden(err, "a trust made with an application credential must "
					      "be on the credential's project");
		held = json_incref(caller->roles);
	} else {
		held = ident_effective_roles(db, trustor, SCOPE_PROJECT, project, err);
	}
	if (held == NULL)
		return -1;
	json_array_foreach(roles, i, r) {
		bool found = false;
		json_array_foreach(held, j, h) {
			found = found || str_eq(jsonx_str(h, "id"), jsonx_str(r, "id"));
		}
		if (!found) {
			rc = err_set(err, ERR_FORBIDDEN,
				     "You are not authorized to perform the requested action: user "
				     "%s does not have role %s in project %s.",
				     trustor, jsonx_str(r, "id"), project);
			break;
		}
	}
	json_decref(held);
	return rc;
}

static int trusts_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token *caller = ident_caller(rq);
	json_t *body, *in, *t = NULL, *roles = NULL, *out;
	const char *exp, *project;
	int64_t expires_us;
	char id[33];
	int rc = -1;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "trust", err)) == NULL ||
	    jsonx_validate(in, trust_fields, true, err) < 0)
		return -1;
	project = jsonx_str(in, "project_id");
	if (project != NULL && json_array_size(json_object_get(in, "roles")) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Expecting to find roles in At least one role should be specified. "
			       "The server could not comply with the request since it is either "
			       "malformed or otherwise incorrect. The client is assumed to be in "
			       "error.");
	if (json_is_integer(json_object_get(in, "remaining_uses")) &&
	    json_integer_value(json_object_get(in, "remaining_uses")) <= 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "remaining_uses must be a positive integer or null.");
	exp = jsonx_str(in, "expires_at");
	if (exp != NULL && util_parse_iso8601(exp, &expires_us) < 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Timestamp not in expected format. The server could not comply with "
			       "the request since it is either malformed or otherwise incorrect. "
			       "The client is assumed to be in error.");
	if (!str_eq(caller->user_id, jsonx_str(in, "trustor_user_id")))
		return forbidden(err, "The authenticated user should match the trustor");
	if (caller->methods & METHOD_TRUST)
		return forbidden(err, "a trust-scoped token cannot create a trust");
	if (ident_check_unrestricted(rq, "trusts", err) < 0)
		return -1;
	if (ident_credential_user_check(db, jsonx_str(in, "trustee_user_id"), err) < 0)
		return -1;
	if (project != NULL && ident_credential_project_check(db, project, err) < 0)
		return -1;
	if ((roles = normalize_roles(db, json_object_get(in, "roles"), err)) == NULL)
		return -1;
	if (project != NULL && check_trustor_roles(rq, db, in, roles, err) < 0)
		goto out;
	util_uuid_hex(id);
	t = json_pack("{s:s,s:s,s:s,s:b,s:O}", "id", id, "trustor_user_id",
		      jsonx_str(in, "trustor_user_id"), "trustee_user_id",
		      jsonx_str(in, "trustee_user_id"), "impersonation",
		      jsonx_bool(in, "impersonation", false), "roles", roles);
	jsonx_set_str_or_null(t, "project_id", project);
	if (exp != NULL)
		json_object_set_new(t, "expires_at", json_integer(expires_us));
	if (json_is_integer(json_object_get(in, "remaining_uses")))
		json_object_set(t, "remaining_uses", json_object_get(in, "remaining_uses"));
	if (ident_trust_insert(db, t, err) < 0 || (out = ident_trust_get(db, id, err)) == NULL)
		goto out;
	reply_json(rq, 201, json_pack("{s:o}", "trust", trust_view(rq, out, false)));
	rc = 0;
out:
	json_decref(roles);
	json_decref(t);
	return rc;
}

static int trusts_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token *caller = ident_caller(rq);
	const char *trustor = req_query(rq, "trustor_user_id");
	const char *trustee = req_query(rq, "trustee_user_id");
	json_t *list, *t;
	size_t i;

	if (db == NULL)
		return -1;
	if (!system_reader(rq)) {
		if (trustor == NULL && trustee == NULL)
			return forbidden(err, "identity:list_trusts");
		if (trustor != NULL && !str_eq(trustor, caller->user_id))
			return forbidden(err, "identity:list_trusts_for_trustor");
		if (trustee != NULL && !str_eq(trustee, caller->user_id))
			return forbidden(err, "identity:list_trusts_for_trustee");
	}
	if ((list = ident_trust_list(db, trustor, trustee, err)) == NULL)
		return -1;
	json_array_foreach(list, i, t) {
		trust_view(rq, t, true);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "trusts", list, "links", ident_collection_links(rq)));
	return 0;
}

static int trust_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *t;

	if (db == NULL || (t = trust_for_reader(rq, db, "identity:get_trust", err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "trust", trust_view(rq, t, false)));
	return 0;
}

static int trust_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "trust_id");
	json_t *t;
	bool owner;

	if (db == NULL)
		return -1;
	if ((t = ident_trust_get(db, id, err)) == NULL)
		return -1;
	if (ident_check_unrestricted(rq, "trusts", err) < 0) {
		json_decref(t);
		return -1;
	}
	owner = str_eq(jsonx_str(t, "trustor_user_id"), ident_caller(rq)->user_id);
	json_decref(t);
	if (!ident_is_admin(rq) && !owner)
		return forbidden(err, "identity:delete_trust");
	if (ident_trust_delete(db, id, err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

static int trust_roles_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *t, *roles;

	if (db == NULL ||
	    (t = trust_for_reader(rq, db, "identity:list_roles_for_trust", err)) == NULL)
		return -1;
	roles = json_incref(json_object_get(t, "roles"));
	json_decref(t);
	role_links(rq, roles);
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "roles", roles, "links", ident_collection_links(rq)));
	return 0;
}

static int trust_role_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *role_id = req_param(rq, "role_id");
	json_t *t, *r, *found = NULL;
	size_t i;

	if (db == NULL ||
	    (t = trust_for_reader(rq, db, "identity:get_role_for_trust", err)) == NULL)
		return -1;
	json_array_foreach(json_object_get(t, "roles"), i, r) {
		if (str_eq(jsonx_str(r, "id"), role_id))
			found = json_incref(r);
	}
	json_decref(t);
	if (found == NULL)
		return err_set(err, ERR_NOT_FOUND, "Could not find role: %s.", role_id);
	ident_add_links(rq, found, "roles");
	reply_json(rq, 200, json_pack("{s:o}", "role", found));
	return 0;
}

const struct route ident_trust_routes[] = {
	{ HTTP_POST, "/v3/OS-TRUST/trusts", trusts_create, "identity:create_trust" },
	{ HTTP_GET, "/v3/OS-TRUST/trusts", trusts_list, "identity:list_trusts" },
	{ HTTP_GET, "/v3/OS-TRUST/trusts/{trust_id}", trust_show, "identity:get_trust" },
	{ HTTP_DELETE, "/v3/OS-TRUST/trusts/{trust_id}", trust_delete,
	  "identity:delete_trust" },
	{ HTTP_GET, "/v3/OS-TRUST/trusts/{trust_id}/roles", trust_roles_list,
	  "identity:list_roles_for_trust" },
	{ HTTP_GET, "/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}", trust_role_show,
	  "identity:get_role_for_trust" },
	{ 0 },
};

/* Every rule needs the trust or the query: the handlers decide past "a valid token". */
const struct policy ident_trust_policies[] = {
	{ "identity:create_trust", POL_TOKEN },
	{ "identity:list_trusts", POL_TOKEN },
	{ "identity:get_trust", POL_TOKEN },
	{ "identity:delete_trust", POL_TOKEN },
	{ "identity:list_roles_for_trust", POL_TOKEN },
	{ "identity:get_role_for_trust", POL_TOKEN },
	{ NULL, 0 },
};
