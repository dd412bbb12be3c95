/* /v3/users/{user_id}/application_credentials: secrets a user hands to an application so
 * that it authenticates as the user, on one project, with a subset of the user's roles.
 *
 * The credential takes the project (or system) scope of the token that creates it and, by
 * default, every role of that token; roles asked for explicitly must all be held by the
 * token (their implied roles come along). The secret is shown once, in the create reply,
 * and stored as a bcrypt hash. A token made from a restricted application credential may
 * not create or delete application credentials. Deleting a credential ends its tokens:
 * validation (tokens.c) requires the credential to exist.
 *
 * Access rules ({"service","path","method"}, or {"id"} of a rule the user already has) are
 * stored per user, shared by the credentials that name them, shown in credential bodies
 * and under /v3/users/{user_id}/access_rules; a rule in use may not be deleted.
 * NOT ENFORCED YET: a token made from a credential with access rules is not limited to
 * them (Keystone has keystonemiddleware check them at each service); tokens carry the
 * credential's roles and scope as without rules. */
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/appcred_db.h"
#include "identity/identity_int.h"

/* 64 random bytes, url-safe base64 without padding: 86 characters, as Keystone. */
#define SECRET_BYTES 64

static int forbidden(struct err *err, const char *action)
{
	return err_set(err, ERR_FORBIDDEN,
		       "You are not authorized to perform the requested action: %s.", action);
}

static int invalid(struct err *err, const char *detail)
{
	return err_set(err, ERR_BAD_REQUEST, "Invalid application credential: %s", detail);
}

int ident_check_unrestricted(struct req *rq, const char *what, struct err *err)
{
	struct ident_token *tok = ident_caller(rq);

	if ((tok->methods & METHOD_APPCRED) &&
	    !json_is_false(json_object_get(tok->app_cred, "restricted")))
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to perform the requested action: Using "
			       "method 'application_credential' is not allowed for managing %s.",
			       what);
	return 0;
}

static json_t *appcred_body(struct req *rq, json_t *ac)
{
	json_object_set_new(
		ac, "links",
		json_pack("{s:s}", "self",
			  ident_url(rq, req_printf(rq, "/users/%s/application_credentials/%s",
						   jsonx_str(ac, "user_id"),
						   jsonx_str(ac, "id")))));
	return ac;
}

/* ---- request validation (Keystone's application_credential_create_request_body) ---- */

static const struct jsonx_field create_fields[] = {
	{ "id", JX_STRING, false, 0, 0 },
	{ "secret", JX_STRING | JX_NULL, false, 0, 0 },
	{ "name", JX_STRING, true, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "expires_at", JX_STRING | JX_NULL, false, 0, 0 },
	{ "project_id", JX_STRING, false, 0, 0 },
	{ "access_rules", JX_ARRAY, false, 0, 0 },
	{ "unrestricted", JX_BOOL | JX_NULL, false, 0, 0 },
	{ "system", JX_STRING | JX_NULL, false, 0, 0 },
	{ "roles", JX_ARRAY, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static bool id_string_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* Keystone's name: 1 to 255 characters, not only blanks. */
static bool name_ok(const char *s)
{
	if (jsonx_utf8_len(s) < 1 || jsonx_utf8_len(s) > 255)
		return false;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' &&
		    *s != '\v')
			return true;
	return false;
}

static int check_role_refs(const json_t *roles, struct err *err)
{
	size_t i;
	json_t *r;

	json_array_foreach(roles, i, r) {
		const char *id = jsonx_str(r, "id"), *name = jsonx_str(r, "name");
		if (!json_is_object(r) || json_object_size(r) != 1 ||
		    (id == NULL && name == NULL) || (id != NULL && !id_string_ok(id)) ||
		    (name != NULL && !name_ok(name)))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'roles': each role is {\"id\"} or "
				       "{\"name\"}");
	}
	return 0;
}

static bool method_ok(const char *s)
{
	static const char *const methods[] = { "POST", "GET", "HEAD", "PATCH", "PUT", "DELETE",
					       NULL };

	for (const char *const *m = methods; *m; m++)
		if (str_eq(s, *m))
			return true;
	return false;
}

static int bad_rule(struct err *err, const char *detail)
{
	return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'access_rules': %s",
		       detail);
}

/* Keystone's schema: each rule an object of id, service (id strings), path ('/...', at
 * most 225 characters) and method (an HTTP verb). A rule without an id must say all
 * three: Keystone would store a rule that matches nothing. */
static int check_access_rules(const json_t *rules, struct err *err)
{
	static const struct jsonx_field rule_fields[] = {
		{ "id", JX_STRING, false, 0, 0 },
		{ "service", JX_STRING, false, 0, 0 },
		{ "path", JX_STRING, false, 225, 0 },
		{ "method", JX_STRING, false, 0, 0 },
		{ NULL, 0, false, 0, 0 },
	};
	size_t i;
	json_t *r;

	json_array_foreach(rules, i, r) {
		const char *id = jsonx_str(r, "id"), *service = jsonx_str(r, "service"),
			   *path = jsonx_str(r, "path"), *method = jsonx_str(r, "method");
		if (!json_is_object(r))
			return bad_rule(err, "each rule is an object");
		if (jsonx_validate(r, rule_fields, false, err) < 0)
			return -1;
		if (id != NULL && !id_string_ok(id))
			return bad_rule(err, "'id' does not match '^[a-zA-Z0-9-]+$'");
		if (service != NULL && !id_string_ok(service))
			return bad_rule(err, "'service' does not match '^[a-zA-Z0-9-]+$'");
		if (path != NULL && path[0] != '/')
			return bad_rule(err, "'path' does not match '^\\/.*'");
		if (method != NULL && !method_ok(method))
			return bad_rule(err, "'method' does not match "
					     "'^(POST|GET|HEAD|PATCH|PUT|DELETE)$'");
		if (id == NULL && (service == NULL || path == NULL || method == NULL))
			return bad_rule(err, "a rule without an 'id' needs 'service', 'path' "
					     "and 'method'");
	}
	return 0;
}

static bool has_role_id(const json_t *roles, const char *id)
{
	size_t i;
	json_t *r;

	json_array_foreach(roles, i, r) {
		if (str_eq(jsonx_str(r, "id"), id))
			return true;
	}
	return false;
}

/* The roles of the new credential: those asked for with the roles they imply, each held
 * by the caller's token; or, when none are asked for, every role of the token. */
static json_t *resolve_roles(struct req *rq, struct db *db, const json_t *asked,
			     struct err *err)
{
	const json_t *held = ident_caller(rq)->roles;
	json_t *roles, *r;
	size_t i;

	if (json_array_size(asked) == 0)
		return json_deep_copy(held);
	roles = json_array();
	json_array_foreach(asked, i, r) {
		json_t *role;
		if (jsonx_str(r, "id") != NULL)
			role = json_pack("{s:s}", "id", jsonx_str(r, "id"));
		else if ((role = ident_appcred_role_by_name(db, jsonx_str(r, "name"), err)) ==
			 NULL)
			goto fail;
		if (!has_role_id(roles, jsonx_str(role, "id")))
			json_array_append(roles, role);
		json_decref(role);
	}
	if (ident_expand_implied(db, roles, err) < 0)
		goto fail;
	json_array_foreach(roles, i, r) {
		if (!has_role_id(held, jsonx_str(r, "id"))) {
			invalid(err, "Cannot create an application credential with unassigned "
				     "role");
			goto fail;
		}
	}
	return roles;
fail:
	json_decref(roles);
	return NULL;
}

static char *new_secret(void)
{
	unsigned char raw[SECRET_BYTES];
	char *s = xmalloc(4 * ((SECRET_BYTES + 2) / 3) + 1);

	util_random(raw, sizeof(raw));
	util_b64url_encode(raw, sizeof(raw), s, false);
	explicit_bzero(raw, sizeof(raw));
	return s;
}

/* ================= handlers ================= */

static int appcreds_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list, *ac;
	size_t i;

	if (db == NULL || (list = ident_appcred_list(db, req_param(rq, "user_id"),
						     req_query(rq, "name"), err)) == NULL)
		return -1;
	json_array_foreach(list, i, ac) {
		appcred_body(rq, ac);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "application_credentials", list, "links",
			     ident_collection_links(rq)));
	return 0;
}

struct create {
	json_t *ac;
	const char *hash;
	int64_t expires_us;
};

static int create_tx(struct db *db, struct create *c, struct err *err)
{
	json_t *stored;

	if (db_begin(db, err) < 0)
		return -1;
	if (ident_appcred_insert(db, c->ac, c->hash, c->expires_us, err) < 0 ||
	    (stored = ident_appcred_find(db, jsonx_str(c->ac, "id"), err)) == NULL) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db, err) < 0) {
		json_decref(stored);
		return -1;
	}
	json_decref(c->ac);
	c->ac = stored;
	return 0;
}

static int appcreds_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token *tok = ident_caller(rq);
	const char *uid = req_param(rq, "user_id"), *expires;
	struct create c = { 0 };
	json_t *body, *in, *roles;
	char id[33], *secret = NULL, *hash = NULL;
	int rc = -1;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "application_credential", err)) == NULL ||
	    jsonx_validate(in, create_fields, false, err) < 0 ||
	    check_role_refs(json_object_get(in, "roles"), err) < 0 ||
	    check_access_rules(json_object_get(in, "access_rules"), err) < 0)
		return -1;
	if (!name_ok(jsonx_str(in, "name")))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'name': does not match '[\\S]+'");
	if (ident_check_unrestricted(rq, "additional application credentials", err) < 0)
		return -1;
	if (strcmp(tok->user_id, uid) != 0)
		return forbidden(err, "Cannot create an application credential for another user");
	if (tok->scope != SCOPE_PROJECT && tok->scope != SCOPE_SYSTEM)
		return invalid(err, "a project-scoped or system-scoped token is required.");
	expires = jsonx_str(in, "expires_at");
	if (expires != NULL) {
		if (util_parse_iso8601(expires, &c.expires_us) < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Timestamp not in expected format. The server could not "
				       "comply with the request since it is either malformed or "
				       "otherwise incorrect. The client is assumed to be in error.");
		if (c.expires_us < util_now_us())
			return err_set(err, ERR_BAD_REQUEST,
				       "The 'expires_at' must not be before now. The server could "
				       "not comply with the request since it is either malformed or "
				       "otherwise incorrect. The client is assumed to be in error.");
	}
	if ((roles = resolve_roles(rq, db, json_object_get(in, "roles"), err)) == NULL)
		return -1;
	util_uuid_hex(id);
	c.ac = json_pack("{s:s,s:s,s:s,s:o,s:b}", "id", id, "name", jsonx_str(in, "name"),
			 "user_id", uid, "roles", roles, "unrestricted",
			 jsonx_bool(in, "unrestricted", false));
	jsonx_set_str_or_null(c.ac, "description", jsonx_str(in, "description"));
	if (json_array_size(json_object_get(in, "access_rules")) > 0)
		json_object_set(c.ac, "access_rules", json_object_get(in, "access_rules"));
	jsonx_set_str_or_null(c.ac, "project_id",
			      tok->scope == SCOPE_PROJECT ? tok->scope_id : NULL);
	jsonx_set_str_or_null(c.ac, "system", tok->scope == SCOPE_SYSTEM ? "all" : NULL);
	secret = jsonx_str(in, "secret") && *jsonx_str(in, "secret")
			 ? xstrdup(jsonx_str(in, "secret"))
			 : new_secret();
	if ((hash = ident_hash_password(secret, err)) == NULL)
		goto out;
	c.hash = hash;
	if (create_tx(db, &c, err) < 0)
		goto out;
	json_object_set_new(c.ac, "secret", json_string(secret));
	reply_json(rq, 201, json_pack("{s:o}", "application_credential", appcred_body(rq, c.ac)));
	c.ac = NULL;
	rc = 0;
out:
	json_decref(c.ac);
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	free(hash);
	return rc;
}

/* The credential at the path, if the caller may see it (admin or its owner). */
static json_t *find_allowed(struct req *rq, struct db *db, const char *action,
			    struct err *err)
{
	const char *id = req_param(rq, "application_credential_id");
	json_t *ac = ident_appcred_find(db, id, err);

	if (ac == NULL)
		return NULL;
	/* the owner is the credential's user, not the path's (Keystone's loophole fix) */
	if (!ident_is_admin(rq) && !str_eq(jsonx_str(ac, "user_id"), ident_caller(rq)->user_id)) {
		json_decref(ac);
		forbidden(err, action);
		return NULL;
	}
	if (!str_eq(jsonx_str(ac, "user_id"), req_param(rq, "user_id"))) {
		json_decref(ac);
		err_set(err, ERR_NOT_FOUND, "Could not find Application Credential: %s.", id);
		return NULL;
	}
	return ac;
}

static int appcred_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ac;

	if (db == NULL ||
	    (ac = find_allowed(rq, db, "identity:get_application_credential", err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "application_credential", appcred_body(rq, ac)));
	return 0;
}

static int appcred_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *ac = NULL;

	if (db == NULL ||
	    ident_check_unrestricted(rq, "additional application credentials", err) < 0 ||
	    (ac = find_allowed(rq, db, "identity:delete_application_credential", err)) == NULL)
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if (ident_appcred_delete(db, jsonx_str(ac, "id"), err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

/* ================= access rules ================= */

static json_t *rule_body(struct req *rq, const char *user_id, json_t *rule)
{
	/* Keystone links /v3/access_rules/{id}, a path it does not serve; link the rule's
	 * real address instead */
	json_object_set_new(rule, "links",
			    json_pack("{s:s}", "self",
				      ident_url(rq, req_printf(rq, "/users/%s/access_rules/%s",
							       user_id, jsonx_str(rule, "id")))));
	return rule;
}

static int access_rules_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id");
	json_t *list, *rule;
	size_t i;

	if (db == NULL ||
	    (list = ident_access_rule_list(db, uid, req_query(rq, "service"),
					   req_query(rq, "path"), req_query(rq, "method"),
					   err)) == NULL)
		return -1;
	json_array_foreach(list, i, rule) {
		rule_body(rq, uid, rule);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "access_rules", list, "links",
			     ident_collection_links(rq)));
	return 0;
}

static int access_rule_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id");
	json_t *rule;

	if (db == NULL ||
	    (rule = ident_access_rule_find(db, uid, req_param(rq, "access_rule_id"), err)) ==
		    NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "access_rule", rule_body(rq, uid, rule)));
	return 0;
}

static int access_rule_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (ident_access_rule_delete(db, req_param(rq, "user_id"),
				     req_param(rq, "access_rule_id"), err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_appcred_routes[] = {
	{ HTTP_GET, "/v3/users/{user_id}/application_credentials", appcreds_list,
	  "identity:list_application_credentials" },
	{ HTTP_POST, "/v3/users/{user_id}/application_credentials", appcreds_create,
	  "identity:create_application_credential" },
	{ HTTP_GET, "/v3/users/{user_id}/application_credentials/{application_credential_id}",
	  appcred_show, "identity:get_application_credential" },
	{ HTTP_DELETE, "/v3/users/{user_id}/application_credentials/{application_credential_id}",
	  appcred_delete, "identity:delete_application_credential" },
	{ HTTP_GET, "/v3/users/{user_id}/access_rules", access_rules_list,
	  "identity:list_access_rules" },
	{ HTTP_GET, "/v3/users/{user_id}/access_rules/{access_rule_id}", access_rule_show,
	  "identity:get_access_rule" },
	{ HTTP_DELETE, "/v3/users/{user_id}/access_rules/{access_rule_id}", access_rule_delete,
	  "identity:delete_access_rule" },
	{ 0 },
};

const struct policy ident_appcred_policies[] = {
	{ "identity:list_application_credentials", POL_ADMIN_OR_USER },
	{ "identity:create_application_credential", POL_ADMIN_OR_USER },
	{ "identity:get_application_credential", POL_ADMIN_OR_USER },
	{ "identity:delete_application_credential", POL_ADMIN_OR_USER },
	/* Keystone: system readers may read a user's rules; the owner may also delete */
	{ "identity:list_access_rules", POL_SYSTEM_READER_OR_USER },
	{ "identity:get_access_rule", POL_SYSTEM_READER_OR_USER },
	{ "identity:delete_access_rule", POL_SYSTEM_ADMIN_OR_USER },
	{ NULL, 0 },
};
