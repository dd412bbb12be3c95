/* /v3/domains. A domain is a project acting as a domain (projects_db.h): this file shapes
 * requests and replies as Keystone's domain API does and leaves the rules to the project
 * code, which treats both alike. */
#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/projects_db.h"

/* Members of a project that a domain does not show (and ignores in requests). */
static const char *const project_only[] = { "domain_id", "parent_id", "is_domain" };

static json_t *as_domain(json_t *ref)
{
	for (size_t i = 0; i < ARRAY_SIZE(project_only); i++)
		json_object_del(ref, project_only[i]);
	return ref;
}

static int reply_domain(struct req *rq, int status, json_t *ref)
{
	as_domain(ref);
	ident_add_links(rq, ref, "domains");
	reply_json(rq, status, json_pack("{s:o}", "domain", ref));
	return 0;
}

/* The domain 'id' as a project reference (caller decrefs), or NULL with a 404. */
static json_t *domain_find(struct db *db, const char *id, struct err *err)
{
	json_t *ref = ident_project_get(db, id, err);

	if (ref == NULL && err->kind != ERR_NOT_FOUND)
		return NULL;
	if (ref == NULL || !jsonx_bool(ref, "is_domain", false)) {
		json_decref(ref);
		err_clear(err);
		err_set(err, ERR_NOT_FOUND, "Could not find domain: %s.", id);
		return NULL;
	}
	return ref;
}

/* Keystone's identity:get_domain: admins, system users, and tokens scoped to the domain or
 * to one of its projects. */
static bool may_read_domain(struct req *rq, const char *id)
{
	struct ident_token *t = ident_caller(rq);

	switch (t->scope) {
	case SCOPE_SYSTEM:
		return true;
	case SCOPE_DOMAIN:
		return ident_is_admin(rq) || str_eq(t->scope_id, id);
	case SCOPE_PROJECT:
		return ident_is_admin(rq) ||
		       str_eq(jsonx_str(json_object_get(t->scope_obj, "domain"), "id"), id);
	case SCOPE_NONE:
		break;
	}
	return ident_is_admin(rq);
}

static int domains_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token *caller = ident_caller(rq);
	struct ident_project_filter f = { .enabled = -1, .is_domain = 1 };
	json_t *list, *ref;
	size_t i;
	int page;

	if (db == NULL || ident_list_paging(rq, &f, &page, err) < 0 ||
	    !ident_bool_query(rq, "enabled", &f.enabled, err))
		return -1;
	f.name = req_query(rq, "name");
	if ((list = ident_project_list(db, &f, err)) == NULL)
		return -1;
	/* a domain-scoped token sees its own domain only, as in Keystone */
	for (i = json_array_size(list); caller->scope == SCOPE_DOMAIN && i-- > 0;)
		if (!str_eq(jsonx_str(json_array_get(list, i), "id"), caller->scope_id))
			json_array_remove(list, i);
	json_array_foreach(list, i, ref) {
		as_domain(ref);
	}
	reply_json(rq, 200, ident_list_body(rq, "domains", list, page));
	return 0;
}

static const struct jsonx_field domain_body[] = {
	{ "domain", JX_OBJECT, true, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field domain_fields[] = {
	{ "name", JX_STRING, false, 64, 1 },
	{ "description", JX_STRING | JX_NULL, false, 255, 0 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ "tags", JX_ARRAY, false, 0, 0 },
	{ "options", JX_OBJECT, false, 0, 0 },
	{ "explicit_domain_id", JX_STRING, false, 64, 1 },
	{ NULL, 0, false, 0, 0 },
};

/* A copy of the request's "domain" object without the members a domain ignores ("id",
 * "domain_id", "parent_id", "is_domain"), checked. Caller decrefs. */
static json_t *domain_input(struct req *rq, bool create, struct err *err)
{
	json_t *body = req_json(rq, err), *in;

	if (body == NULL || jsonx_validate(body, domain_body, false, err) < 0)
		return NULL;
	in = json_object_get(body, "domain");
	if (jsonx_validate(in, domain_fields, true, err) < 0)
		return NULL;
	if (create && json_object_get(in, "name") == NULL) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for field 'name': 'name' is a required property");
		return NULL;
	}
	if (!create && json_object_size(in) == 0) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for field 'domain': {} does not have enough properties");
		return NULL;
	}
	if (!create && json_object_get(in, "explicit_domain_id") != NULL) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for field 'explicit_domain_id': cannot be updated");
		return NULL;
	}
	in = json_deep_copy(in);
	json_object_del(in, "id");
	for (size_t i = 0; i < ARRAY_SIZE(project_only); i++)
		json_object_del(in, project_only[i]);
	if (ident_project_members_check(in, err) < 0) {
		json_decref(in);
		return NULL;
	}
	return in;
}

/* Keystone takes an explicit domain id only in its own form: a uuid4 in 32 lowercase hex
 * digits. */
static bool is_uuid_hex(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 32;
}

static int domains_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ref, *out;
	const char *explicit_id;
	char id[33];
	int rc;

	if (db == NULL || (ref = domain_input(rq, true, err)) == NULL)
		return -1;
	explicit_id = jsonx_str(ref, "explicit_domain_id");
	if (explicit_id != NULL && !is_uuid_hex(explicit_id)) {
		json_decref(ref);
		return err_set(err, ERR_BAD_REQUEST,
			       "Domain ID does not conform to required UUID format.");
	}
	if (explicit_id != NULL)
		snprintf(id, sizeof(id), "%s", explicit_id);
	else
		util_uuid_hex(id);
	json_object_del(ref, "explicit_domain_id");
	json_object_set_new(ref, "id", json_string(id));
	json_object_set_new(ref, "is_domain", json_true());
	json_object_set_new(ref, "domain_id", json_null());
	json_object_set_new(ref, "parent_id", json_null());
	rc = ident_project_create(db, ref, err);
	json_decref(ref);
	if (rc < 0 || (out = ident_project_get(db, id, err)) == NULL)
		return -1;
	return reply_domain(rq, 201, out);
}

static int domain_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "domain_id");
	json_t *ref;

	if (!may_read_domain(rq, id))
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to perform the requested action: "
			       "identity:get_domain.");
	if (db == NULL || (ref = domain_find(db, id, err)) == NULL)
		return -1;
	return reply_domain(rq, 200, ref);
}

static int domain_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *in, *orig = NULL, *out = NULL;

	if (db == NULL || (in = domain_input(rq, false, err)) == NULL)
		return -1;
	if ((orig = domain_find(db, req_param(rq, "domain_id"), err)) != NULL)
		out = ident_project_patch(db, orig, in, err);
	json_decref(in);
	json_decref(orig);
	if (out == NULL)
		return -1;
	return reply_domain(rq, 200, out);
}

static int domain_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ref;
	int rc;

	if (db == NULL || (ref = domain_find(db, req_param(rq, "domain_id"), err)) == NULL)
		return -1;
	rc = ident_project_remove(db, ref, err);
	json_decref(ref);
	if (rc < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_domain_routes[] = {
	{ HTTP_GET, "/v3/domains", domains_list, "identity:list_domains" },
	{ HTTP_POST, "/v3/domains", domains_create, "identity:create_domain" },
	{ HTTP_GET, "/v3/domains/{domain_id}", domain_show, "identity:get_domain" },
	{ HTTP_PATCH, "/v3/domains/{domain_id}", domain_update, "identity:update_domain" },
	{ HTTP_DELETE, "/v3/domains/{domain_id}", domain_delete, "identity:delete_domain" },
	{ 0 },
};

/* get_domain is checked in its handler (the token's domain or project domain decides). */
const struct policy ident_domain_policies[] = {
	{ "identity:list_domains", POL_READER },
	{ "identity:create_domain", POL_ADMIN },
	{ "identity:get_domain", POL_TOKEN },
	{ "identity:update_domain", POL_ADMIN },
	{ "identity:delete_domain", POL_ADMIN },
	{ NULL, 0 },
};
