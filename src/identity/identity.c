/* The identity service's registration, its error body, and helpers the resources share. */
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity.h"
#include "identity/identity_int.h"
#include "identity/keys.h"
#include "identity/token_cache.h"
#include "identity/tokens.h"

static const struct route *const routes[] = {
	ident_version_routes, ident_auth_routes,       ident_domain_routes,
	ident_project_routes, ident_user_routes,       ident_group_routes,
	ident_role_routes,    ident_assignment_routes, ident_catalog_routes,
	ident_credential_routes, ident_appcred_routes, ident_domain_config_routes,
	ident_trust_routes,
	ident_policy_routes, ident_endpoint_group_routes,
	ident_oauth_consumer_routes, NULL,
};

static const struct policy *const policies[] = {
	ident_auth_policies,       ident_domain_policies,     ident_project_policies,
	ident_user_policies,       ident_group_policies,      ident_role_policies,
	ident_assignment_policies, ident_catalog_policies,    ident_credential_policies,
	ident_appcred_policies,    ident_domain_config_policies, ident_trust_policies,
	ident_policy_policies, ident_endpoint_group_policies,
	ident_oauth_consumer_policies, NULL,
};

/* What hashes a password (bcrypt) runs on the slow pool: token issue (passwords and
 * application-credential secrets), user create and update, the self-service password
 * change, application-credential create. */
static const struct slow_route slow_routes[] = {
	{ HTTP_POST, "/v3/auth/tokens" },
	{ HTTP_POST, "/v3/users" },
	{ HTTP_PATCH, "/v3/users/{user_id}" },
	{ HTTP_POST, "/v3/users/{user_id}/password" },
	{ HTTP_POST, "/v3/users/{user_id}/application_credentials" },
	{ 0 },
};

/* Keystone's error body: {"error": {"code": 404, "title": "Not Found", "message": "..."}} */
static void render_error(struct req *rq, const struct err *err)
{
	int status = err_status(err->kind);
	json_t *body = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", status, "title",
				 err_title(err->kind), "message", err->msg);

	reply_json(rq, status, body);
	if (err->kind == ERR_UNAUTHORIZED)
		reply_header(rq, "WWW-Authenticate",
			     req_printf(rq, "Keystone uri=\"%s/identity\"", conf.public_url));
}

const struct service ident_service = {
	.name = "identity",
	.prefix = "/identity",
	.routes = routes,
	.policies = policies,
	.render_error = render_error,
	.slow = slow_routes,
};

struct ident_token *ident_caller(struct req *rq)
{
	struct ident_token *tok;

	BUG_ON(rq->auth == NULL);
	tok = rq->auth->token;
	ident_token_load(tok);
	return tok;
}

bool ident_has_role(struct req *rq, const char *role)
{
	if (rq->auth == NULL)
		return false;
	for (int i = 0; i < rq->auth->nroles; i++)
		if (strcmp(rq->auth->roles[i], role) == 0)
			return true;
	return false;
}

bool ident_is_admin(struct req *rq)
{
	return ident_has_role(rq, "admin");
}

const char *ident_url(struct req *rq, const char *path)
{
	return req_printf(rq, "%s/identity/v3%s", conf.public_url, path);
}

void ident_add_links(struct req *rq, json_t *obj, const char *collection)
{
	const char *id = jsonx_str(obj, "id");

	json_object_set_new(obj, "links",
			    json_pack("{s:s}", "self",
				      req_printf(rq, "%s/identity/v3/%s/%s", conf.public_url,
						 collection, id ? id : "")));
}

json_t *ident_collection_links(struct req *rq)
{
	return json_pack("{s:s,s:n,s:n}", "self",
			 req_printf(rq, "%s%s", conf.public_url, rq->path), "previous", "next");
}

void ident_merge_extra(json_t *obj, const char *extra)
{
	json_t *e;

	if (extra == NULL || *extra == '\0')
		return;
	e = json_loads(extra, 0, NULL);
	if (json_is_object(e))
		json_object_update_missing(obj, e);
	json_decref(e);
}

char *ident_extra_from(const json_t *obj, const char *const *known)
{
	json_t *extra = json_object();
	const char *key;
	json_t *v;
	char *s;

	json_object_foreach((json_t *)obj, key, v) {
		const char *const *k = known;
		while (*k && strcmp(*k, key) != 0)
			k++;
		if (*k == NULL)
			json_object_set(extra, key, v);
	}
	s = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(extra);
	return s;
}

bool ident_bool_query(struct req *rq, const char *name, int *out, struct err *err)
{
	const char *v = req_query(rq, name);

	*out = -1;
	if (v == NULL)
		return true;
	if (*v == '\0') {
		*out = 1;
		return true;
	}
	*out = util_parse_bool(v);
	if (*out < 0) {
		err_set(err, ERR_BAD_REQUEST, "Invalid input for %s: expected a boolean", name);
		return false;
	}
	return true;
}

json_t *ident_list_rows(struct db *db, struct sqlb *sb,
			json_t *(*row)(const struct db_res *res, int i), struct err *err)
{
	struct db_res *res = db_query(db, err, sb->sql, sb->params, sb->n);
	json_t *list;

	sqlb_free(sb);
	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, row(res, i));
	db_res_free(res);
	return list;
}

json_t *ident_find_row(struct db *db, const char *sql, const char *id,
		       json_t *(*row)(const struct db_res *res, int i), const char *what,
		       struct err *err)
{
	struct db_res *res = db_query(db, err, sql, DBP(id));
	json_t *out = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		err_set(err, ERR_NOT_FOUND, "Could not find %s: %s.", what, id);
	else
		out = row(res, 0);
	db_res_free(res);
	return out;
}

int ident_domain_check(struct db *db, const char *domain_id, struct err *err)
{
	struct db_res *res;
	int found;

	if (domain_id == NULL)
		return err_set(err, ERR_NOT_FOUND, "Could not find domain: (null).");
	res = db_query(db, err, "SELECT 1 FROM project WHERE id = ? AND is_domain = 1",
		       DBP(domain_id));
	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	if (!found)
		return err_set(err, ERR_NOT_FOUND, "Could not find domain: %s.", domain_id);
	return 0;
}

char *ident_domain_name(struct db *db, const char *domain_id)
{
	struct err err = { 0 };
	struct db_res *res;
	char *name = NULL;

	res = db_query(db, &err, "SELECT name FROM project WHERE id = ? AND is_domain = 1",
		       DBP(domain_id));
	if (res != NULL && db_res_rows(res) > 0)
		name = xstrdup(db_res_str(res, 0, 0));
	db_res_free(res);
	return name;
}

const struct service *ident_http_service(void)
{
	return &ident_service;
}

int ident_init(struct err *err)
{
	char *dir = xasprintf("%s/fernet-keys", conf.state_dir);
	char *cred_dir = xasprintf("%s/credential-keys", conf.state_dir);
	struct db *db;
	int rc = ident_keys_setup(dir, err);

	if (rc == 0)
		rc = ident_keys_load(dir, err);
	if (rc == 0)
		rc = ident_keys_setup(cred_dir, err);
	if (rc == 0)
		rc = ident_credential_keys_load(cred_dir, err);
	if (rc == 0)
		rc = (db = db_get(err)) == NULL || ident_secrets_migrate(db, err) < 0 ? -1 : 0;
	free(cred_dir);
	free(dir);
	if (rc < 0)
		return -1;
	http_set_authenticator(ident_authenticate);
	http_register(&ident_service);
	return 0;
}

void ident_shutdown(void)
{
	ident_token_cache_clear();
	ident_keys_unload();
	ident_credential_keys_unload();
}
