/* /v3/credentials and /v3/users/{user_id}/credentials/OS-EC2: opaque secrets users keep
 * in the identity service (EC2 access/secret pairs above all).
 *
 * Who may do what follows Keystone's default policy: a user manages its own credentials,
 * admins any, system readers read any. Those checks need the credential itself, so the
 * routes only ask for a token and the handlers decide; a caller without rights on a
 * credential that does not exist gets the same 403 as on one that does, as in Keystone.
 * A token made from an application credential is delegated: it reaches only credentials of
 * its own project, and a restricted one may not create EC2 credentials.
 *
 * An EC2 credential's blob is JSON {"access", "secret", ...} and its id is the SHA-256 of
 * the access key, so that /v3/ec2tokens can find it by access key. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/credential_db.h"
#include "identity/identity_int.h"

static int validation_error(struct err *err, const char *attribute, const char *target)
{
	return err_set(err, ERR_BAD_REQUEST,
		       "Expecting to find %s in %s. The server could not comply with the request "
		       "since it is either malformed or otherwise incorrect. The client is "
		       "assumed to be in error.",
		       attribute, target);
}

static int forbidden(struct err *err, const char *action)
{
	return err_set(err, ERR_FORBIDDEN,
		       "You are not authorized to perform the requested action: %s.", action);
}

/* ---- who may touch a credential ---- */

static bool system_reader(struct req *rq)
{
	return ident_caller(rq)->scope == SCOPE_SYSTEM && ident_has_role(rq, "reader");
}

static bool may_read(struct req *rq, const char *owner)
{
	return ident_is_admin(rq) || system_reader(rq) ||
	       str_eq(owner, ident_caller(rq)->user_id);
}

static bool may_write(struct req *rq, const char *owner)
{
	return ident_is_admin(rq) || str_eq(owner, ident_caller(rq)->user_id);
}

static bool delegated(struct req *rq)
{
	return ident_caller(rq)->methods & METHOD_APPCRED;
}

/* A delegated token reaches only credentials of the project it is scoped to. */
static int check_delegation(struct req *rq, const char *project_id, const char *what,
			    struct err *err)
{
	struct ident_token *tok = ident_caller(rq);

	if (!delegated(rq))
		return 0;
	if (project_id == NULL || tok->scope != SCOPE_PROJECT ||
	    strcmp(project_id, tok->scope_id) != 0)
		return forbidden(err, req_printf(rq, "%s project does not match the project "
						     "scope of the delegated token",
						 what));
	return 0;
}

/* Finds a credential the caller may read (write: change). With 'hide', a caller who could
 * not see it anyway gets 403 whether or not it exists (/v3/credentials); without, a
 * missing one is a 404 (OS-EC2, where the path already names the caller). */
static json_t *find_allowed(struct req *rq, struct db *db, const char *id, bool write,
			    bool hide, const char *action, struct err *err)
{
	json_t *c = ident_credential_find(db, id, err);

	if (c == NULL) {
		if (hide && err->kind == ERR_NOT_FOUND && !ident_is_admin(rq) &&
		    !(system_reader(rq) && !write)) {
			err_clear(err);
			forbidden(err, action);
		}
		return NULL;
	}
	if (!(write ? may_write(rq, jsonx_str(c, "user_id"))
		    : may_read(rq, jsonx_str(c, "user_id")))) {
		json_decref(c);
		forbidden(err, action);
		return NULL;
	}
	if (check_delegation(rq, jsonx_str(c, "project_id"), "Credential", err) < 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* ---- EC2 blobs ---- */

static void sha256_hex(const char *s, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	BUG_ON(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) != 1 || n != 32);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Parses an EC2 blob: a JSON object with a non-null "access". New reference. */
static json_t *ec2_blob(const char *blob, struct err *err)
{
	json_t *b = blob ? json_loads(blob, JSON_DECODE_ANY, NULL) : NULL;

	if (b == NULL) {
		err_set(err, ERR_BAD_REQUEST, "Invalid blob in credential");
		return NULL;
	}
	if (!json_is_object(b) || json_object_size(b) == 0) {
		json_decref(b);
		validation_error(err, "blob", "credential");
		return NULL;
	}
	if (json_object_get(b, "access") == NULL || json_is_null(json_object_get(b, "access"))) {
		json_decref(b);
		validation_error(err, "access", "credential");
		return NULL;
	}
	return b;
}

static bool is_ec2(const char *type)
{
	return type != NULL && strcasecmp(type, "ec2") == 0;
}

/* Runs the write 'fn' in a transaction: all or nothing. */
static int in_transaction(struct db *db, int (*fn)(struct db *, const json_t *, struct err *),
			  const json_t *arg, struct err *err)
{
	if (db_begin(db, err) < 0)
		return -1;
	if (fn(db, arg, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static json_t *credential_body(struct req *rq, json_t *c)
{
	ident_add_links(rq, c, "credentials");
	return c;
}

/* ================= /v3/credentials ================= */

static const struct jsonx_field create_fields[] = {
	{ "id", JX_STRING, false, 0, 0 },
	{ "blob", JX_STRING, true, 0, 0 },
	{ "project_id", JX_STRING | JX_NULL, false, 0, 0 },
	{ "type", JX_STRING, true, 0, 0 },
	{ "user_id", JX_STRING, true, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field update_fields[] = {
	{ "id", JX_STRING, false, 0, 0 },
	{ "blob", JX_STRING, false, 0, 0 },
	{ "project_id", JX_STRING | JX_NULL, false, 0, 0 },
	{ "type", JX_STRING, false, 0, 0 },
	{ "user_id", JX_STRING, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static int credentials_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list, *out, *c;
	size_t i;

	if (db == NULL || (list = ident_credential_list(db, req_query(rq, "user_id"),
							req_query(rq, "type"), err)) == NULL)
		return -1;
	out = json_array();
	json_array_foreach(list, i, c) {
		struct err ignored = { 0 };
		if (may_read(rq, jsonx_str(c, "user_id")) &&
		    check_delegation(rq, jsonx_str(c, "project_id"), "Credential", &ignored) == 0)
			json_array_append(out, credential_body(rq, c));
	}
	json_decref(list);
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "credentials", out, "links", ident_collection_links(rq)));
	return 0;
}

static int credential_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *c;

	if (db == NULL || (c = find_allowed(rq, db, req_param(rq, "credential_id"), false,
					    true, "identity:get_credential", err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "credential", credential_body(rq, c)));
	return 0;
}

static int credentials_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *in;
	json_auto_t *c = NULL;
	const char *type;
	char id[65];

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "credential", err)) == NULL ||
	    jsonx_validate(in, create_fields, true, err) < 0)
		return -1;
	type = jsonx_str(in, "type");
	if (strcmp(type, "ec2") == 0 && json_object_get(in, "project_id") == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'project_id': 'project_id' is a required "
			       "property");
	if (!may_write(rq, jsonx_str(in, "user_id")))
		return forbidden(err, "identity:create_credential");
	if ((is_ec2(type) && ident_check_unrestricted(rq, "additional credentials", err) < 0) ||
	    check_delegation(rq, jsonx_str(in, "project_id"), "Credential", err) < 0)
		return -1;
	c = json_deep_copy(in);
	if (is_ec2(type)) {
		json_auto_t *blob = ec2_blob(jsonx_str(in, "blob"), err);
		if (blob == NULL)
			return -1;
		if (!json_is_string(json_object_get(blob, "access")))
			return validation_error(err, "access", "credential");
		sha256_hex(jsonx_str(blob, "access"), id);
		if (delegated(rq)) {
			/* an EC2 token made from this credential stays as delegated */
			char *s;
			json_object_set_new(blob, "app_cred_id",
					    json_string(ident_caller(rq)->app_cred_id));
			s = json_dumps(blob, JSON_COMPACT);
			json_object_set_new(c, "blob", json_string(s));
			free(s);
		}
	} else {
		util_uuid_hex(id);
	}
	json_object_set_new(c, "id", json_string(id));
	if (json_object_get(c, "project_id") == NULL)
		json_object_set_new(c, "project_id", json_null());
	if (in_transaction(db, ident_credential_insert, c, err) < 0)
		return -1;
	reply_json(rq, 201, json_pack("{s:O}", "credential", credential_body(rq, c)));
	return 0;
}

/* An EC2 credential keeps its delegation and access id: a new blob may not change them. */
static int check_blob_update(const json_t *cur, const json_t *in, struct err *err)
{
	static const char *const fixed[] = { "trust_id", "app_cred_id", "access_token_id",
					     "access_id", NULL };
	json_auto_t *old = NULL, *new = NULL;

	if (!is_ec2(jsonx_str(cur, "type")) || json_object_get(in, "blob") == NULL)
		return 0;
	if ((new = ec2_blob(jsonx_str(in, "blob"), err)) == NULL)
		return -1;
	old = json_loads(jsonx_str(cur, "blob"), JSON_DECODE_ANY, NULL);
	for (const char *const *k = fixed; *k; k++) {
		json_t *a = json_object_get(old, *k), *b = json_object_get(new, *k);
		if (json_is_null(a))
			a = NULL;
		if (json_is_null(b))
			b = NULL;
		if ((a == NULL) != (b == NULL) || (a && !json_equal(a, b)))
			return err_set(err, ERR_BAD_REQUEST, "%s can not be updated for credential",
				       *k);
	}
	return 0;
}

static int credential_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "credential_id");
	json_t *body, *in;
	json_auto_t *c = NULL;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "credential", err)) == NULL ||
	    jsonx_validate(in, update_fields, true, err) < 0)
		return -1;
	if (json_object_size(in) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'credential': {} does not have enough "
			       "properties");
	if ((c = find_allowed(rq, db, id, true, true, "identity:update_credential", err)) == NULL ||
	    check_blob_update(c, in, err) < 0)
		return -1;
	if (jsonx_str(in, "id") != NULL && strcmp(jsonx_str(in, "id"), id) != 0)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change ID");
	json_object_update(c, in);
	/* the owner after the change must be one the caller may write for */
	if (!may_write(rq, jsonx_str(c, "user_id")))
		return forbidden(err, "identity:update_credential");
	if (check_delegation(rq, jsonx_str(c, "project_id"), "Credential", err) < 0)
		return -1;
	if (is_ec2(jsonx_str(in, "type")) && jsonx_str(c, "project_id") == NULL)
		return validation_error(err, "project_id", "credential");
	if (in_transaction(db, ident_credential_update, c, err) < 0)
		return -1;
	reply_json(rq, 200, json_pack("{s:O}", "credential", credential_body(rq, c)));
	return 0;
}

static int delete_by_id(struct db *db, const json_t *c, struct err *err)
{
	return ident_credential_delete(db, jsonx_str(c, "id"), err);
}

static int credential_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *c = NULL;

	if (db == NULL || (c = find_allowed(rq, db, req_param(rq, "credential_id"), true,
					    true, "identity:delete_credential", err)) == NULL ||
	    in_transaction(db, delete_by_id, c, err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

/* ================= /v3/users/{user_id}/credentials/OS-EC2 ================= */

/* The EC2 view of a credential: {"user_id","tenant_id","access","secret","trust_id"}. */
static json_t *ec2_body(struct req *rq, const json_t *c)
{
	json_auto_t *blob = json_loads(jsonx_str(c, "blob"), JSON_DECODE_ANY, NULL);
	const char *uid = jsonx_str(c, "user_id"), *access = jsonx_str(blob, "access");
	json_t *o = json_pack("{s:s}", "user_id", uid);

	jsonx_set_str_or_null(o, "tenant_id", jsonx_str(c, "project_id"));
	jsonx_set_str_or_null(o, "access", access);
	jsonx_set_str_or_null(o, "secret", jsonx_str(blob, "secret"));
	jsonx_set_str_or_null(o, "trust_id", jsonx_str(blob, "trust_id"));
	json_object_set_new(
		o, "links",
		json_pack("{s:s}", "self",
			  ident_url(rq, req_printf(rq, "/users/%s/credentials/OS-EC2/%s", uid,
						   access ? access : ""))));
	return o;
}

static int ec2_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id");
	json_t *list, *out, *c;
	size_t i;

	if (db == NULL || ident_credential_user_check(db, uid, err) < 0 ||
	    (list = ident_credential_list(db, uid, "ec2", err)) == NULL)
		return -1;
	out = json_array();
	json_array_foreach(list, i, c) {
		struct err ignored = { 0 };
		if (check_delegation(rq, jsonx_str(c, "project_id"), "EC2 credential",
				     &ignored) == 0)
			json_array_append_new(out, ec2_body(rq, c));
	}
	json_decref(list);
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "credentials", out, "links", ident_collection_links(rq)));
	return 0;
}

static const struct jsonx_field ec2_create_fields[] = {
	{ "tenant_id", JX_STRING | JX_NULL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static int ec2_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id"), *tenant;
	json_t *body;
	json_auto_t *c = NULL;
	char access[33], secret[33], id[65], *blob;
	json_auto_t *b = NULL;

	if (db == NULL || ident_check_unrestricted(rq, "additional credentials", err) < 0 ||
	    (body = req_json(rq, err)) == NULL ||
	    jsonx_validate(body, ec2_create_fields, true, err) < 0)
		return -1;
	tenant = jsonx_str(body, "tenant_id");
	if (ident_credential_user_check(db, uid, err) < 0 ||
	    ident_credential_project_check(db, tenant, err) < 0 ||
	    check_delegation(rq, tenant, "EC2 credential", err) < 0)
		return -1;
	util_uuid_hex(access);
	util_uuid_hex(secret);
	sha256_hex(access, id);
	b = json_pack("{s:s,s:s,s:n}", "access", access, "secret", secret, "trust_id");
	blob = json_dumps(b, JSON_COMPACT);
	c = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "user_id", uid, "project_id", tenant,
		      "type", "ec2", "blob", blob);
	free(blob);
	if (in_transaction(db, ident_credential_insert, c, err) < 0)
		return -1;
	reply_json(rq, 201, json_pack("{s:o}", "credential", ec2_body(rq, c)));
	return 0;
}

/* The EC2 credential of the path's user with access key {credential_id}. */
static json_t *ec2_find(struct req *rq, struct db *db, bool write, const char *action,
			struct err *err)
{
	const char *uid = req_param(rq, "user_id"), *access = req_param(rq, "credential_id");
	char id[65];
	json_t *c;

	if (ident_credential_user_check(db, uid, err) < 0)
		return NULL;
	sha256_hex(access, id);
	if ((c = find_allowed(rq, db, id, write, false, action, err)) == NULL)
		return NULL;
	if (!str_eq(jsonx_str(c, "user_id"), uid) || !is_ec2(jsonx_str(c, "type"))) {
		json_decref(c);
		err_set(err, ERR_NOT_FOUND, "Could not find credential: %s.", id);
		return NULL;
	}
	return c;
}

static int ec2_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *c = NULL;

	if (db == NULL || (c = ec2_find(rq, db, false, "identity:ec2_get_credential", err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "credential", ec2_body(rq, c)));
	return 0;
}

static int ec2_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *c = NULL;

	if (db == NULL || ident_check_unrestricted(rq, "additional credentials", err) < 0 ||
	    (c = ec2_find(rq, db, true, "identity:ec2_delete_credential", err)) == NULL ||
	    in_transaction(db, delete_by_id, c, err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_credential_routes[] = {
	{ HTTP_GET, "/v3/credentials", credentials_list, "identity:list_credentials" },
	{ HTTP_POST, "/v3/credentials", credentials_create, "identity:create_credential" },
	{ HTTP_GET, "/v3/credentials/{credential_id}", credential_show,
	  "identity:get_credential" },
	{ HTTP_PATCH, "/v3/credentials/{credential_id}", credential_update,
	  "identity:update_credential" },
	{ HTTP_DELETE, "/v3/credentials/{credential_id}", credential_delete,
	  "identity:delete_credential" },
	{ HTTP_GET, "/v3/users/{user_id}/credentials/OS-EC2", ec2_list,
	  "identity:ec2_list_credentials" },
	{ HTTP_POST, "/v3/users/{user_id}/credentials/OS-EC2", ec2_create,
	  "identity:ec2_create_credential" },
	{ HTTP_GET, "/v3/users/{user_id}/credentials/OS-EC2/{credential_id}", ec2_show,
	  "identity:ec2_get_credential" },
	{ HTTP_DELETE, "/v3/users/{user_id}/credentials/OS-EC2/{credential_id}", ec2_delete,
	  "identity:ec2_delete_credential" },
	{ 0 },
};

/* The owner checks need the credential, so the handlers make them (see the top). */
const struct policy ident_credential_policies[] = {
	{ "identity:list_credentials", POL_TOKEN },
	{ "identity:create_credential", POL_TOKEN },
	{ "identity:get_credential", POL_TOKEN },
	{ "identity:update_credential", POL_TOKEN },
	{ "identity:delete_credential", POL_TOKEN },
	{ "identity:ec2_list_credentials", POL_ADMIN_OR_USER },
	{ "identity:ec2_create_credential", POL_ADMIN_OR_USER },
	{ "identity:ec2_get_credential", POL_ADMIN_OR_USER },
	{ "identity:ec2_delete_credential", POL_ADMIN_OR_USER },
	{ NULL, 0 },
};
