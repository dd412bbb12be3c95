/* /v3/auth: issue, validate, check and revoke tokens; the catalog, projects, domains and
 * system a token may be scoped to. */
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "identity"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/token_cache.h"
#include "identity/tokens.h"
#include "identity/trusts_db.h"
#include "identity/users_db.h"

static int unauthorized(struct err *err)
{
	return err_set(err, ERR_UNAUTHORIZED,
		       "The request you have made requires authentication.");
}

/* Finds a user from {"id"} or {"name", "domain": {"id"|"name"}}; fills id, hash. */
static int find_user(struct db *db, json_t *user, char id[65], char **hash,
		     struct err *err)
{
	const char *uid = jsonx_str(user, "id"), *name = jsonx_str(user, "name");
	json_t *dom = json_object_get(user, "domain");
	struct db_res *res;

	if (!json_is_object(user))
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'user'");
	if (uid != NULL) {
		res = db_query(db, err,
			       "SELECT u.id, u.password, u.enabled, d.enabled FROM users u"
			       " JOIN project d ON d.id = u.domain_id WHERE u.id = ?",
			       DBP(uid));
	} else if (name != NULL && json_is_object(dom) && jsonx_str(dom, "id")) {
		res = db_query(db, err,
			       "SELECT u.id, u.password, u.enabled, d.enabled FROM users u"
			       " JOIN project d ON d.id = u.domain_id"
			       " WHERE u.name = ? AND u.domain_id = ?",
			       DBP(name, jsonx_str(dom, "id")));
	} else if (name != NULL && json_is_object(dom) && jsonx_str(dom, "name")) {
		res = db_query(db, err,
			       "SELECT u.id, u.password, u.enabled, d.enabled FROM users u"
			       " JOIN project d ON d.id = u.domain_id"
			       " WHERE u.name = ? AND d.name = ? AND d.is_domain = 1",
			       DBP(name, jsonx_str(dom, "name")));
	} else {
		return err_set(err, ERR_BAD_REQUEST,
			       "Expecting to find domain in user. The server could not comply "
			       "with the request since it is either malformed or otherwise "
			       "incorrect. The client is assumed to be in error.");
	}
	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0 || !db_res_bool(res, 0, 2) || !db_res_bool(res, 0, 3)) {
		db_res_free(res);
		return unauthorized(err);
	}
	snprintf(id, 65, "%s", db_res_str(res, 0, 0));
	*hash = xstrdup(db_res_str(res, 0, 1));
	db_res_free(res);
	return 0;
}

static int auth_password(struct db *db, json_t *pw, struct ident_token *tok, struct err *err)
{
	json_t *user = json_object_get(pw, "user");
	const char *password = jsonx_str(user, "password");
	char *hash = NULL;

	if (!json_is_object(user) || password == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'password'");
	if (find_user(db, user, tok->user_id, &hash, err) < 0)
		return -1;
	free(hash);
	/* lockout, password and expiry, as Keystone checks them (users_db.h) */
	if (ident_user_authenticate(db, tok->user_id, password, false, err) < 0)
		return -1;
	tok->methods |= METHOD_PASSWORD;
	return 0;
}

/* Rescoping: the new token keeps the user, the expiry and the audit chain. */
static int auth_token(struct db *db, json_t *t, struct ident_token *tok, struct err *err)
{
	const char *id = jsonx_str(t, "id");
	struct ident_token old;

	if (id == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'token'");
	if (ident_token_validate(db, id, &old, err) < 0) {
		/* a genuine token that was revoked or expired is "not found" (404), as in
		 * Keystone; anything else is refused */
		if (err->kind == ERR_NOT_FOUND && ident_token_decode(id, &old) == 0)
			return -1;
		err_clear(err);
		return unauthorized(err);
	}
	if (old.methods & METHOD_APPCRED) {
		ident_token_clear(&old);
		return err_set(err, ERR_FORBIDDEN,
			       "Cannot rescope a token made from an application credential.");
	}
	if (old.methods & METHOD_TRUST) {
		ident_token_clear(&old);
		return err_set(err, ERR_FORBIDDEN, "Cannot rescope a trust-scoped token.");
	}
	memcpy(tok->user_id, old.user_id, sizeof(tok->user_id));
	tok->methods |= old.methods | METHOD_TOKEN;
	if (tok->expires_us == 0 || old.expires_us < tok->expires_us)
		tok->expires_us = old.expires_us;
	memcpy(tok->parent_audit_id, old.parent_audit_id[0] ? old.parent_audit_id : old.audit_id,
	       sizeof(tok->parent_audit_id));
	ident_token_clear(&old);
	return 0;
}

static int auth_app_cred(struct db *db, json_t *ac, struct ident_token *tok, struct err *err)
{
	const char *id = jsonx_str(ac, "id"), *name = jsonx_str(ac, "name"),
		   *secret = jsonx_str(ac, "secret");
	struct db_res *res;
	char uid[65] = "", *unused = NULL;

	if (secret == NULL || (id == NULL && name == NULL))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'application_credential'");
	if (id != NULL) {
		res = db_query(db, err,
			       "SELECT id, user_id, project_id, secret_hash, expires_at, system"
			       " FROM application_credential WHERE id = ?",
			       DBP(id));
	} else {
		if (find_user(db, json_object_get(ac, "user"), uid, &unused, err) < 0)
			return -1;
		free(unused);
		res = db_query(db, err,
			       "SELECT id, user_id, project_id, secret_hash, expires_at, system"
			       " FROM application_credential WHERE name = ? AND user_id = ?",
			       DBP(name, uid));
	}
	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0 || !ident_check_password(secret, db_res_str(res, 0, 3)) ||
	    (db_res_str(res, 0, 4) && db_res_int(res, 0, 4) < util_now_us())) {
		db_res_free(res);
		return unauthorized(err);
	}
	snprintf(tok->app_cred_id, sizeof(tok->app_cred_id), "%s", db_res_str(res, 0, 0));
	snprintf(tok->user_id, sizeof(tok->user_id), "%s", db_res_str(res, 0, 1));
	/* the token lives no longer than its credential (Keystone, CVE-2022-2447): a client
	 * or middleware caching it by its expires_at would otherwise trust it past then */
	if (db_res_str(res, 0, 4) != NULL) {
		if (tok->expires_us == 0)
			tok->expires_us = util_now_us() + (int64_t)conf.token_expiration * 1000000;
		if (db_res_int(res, 0, 4) < tok->expires_us)
			tok->expires_us = db_res_int(res, 0, 4);
	}
	if (db_res_str(res, 0, 2) != NULL) {
		tok->scope = SCOPE_PROJECT;
		snprintf(tok->scope_id, sizeof(tok->scope_id), "%s", db_res_str(res, 0, 2));
	} else if (db_res_str(res, 0, 5) != NULL) {
		tok->scope = SCOPE_SYSTEM;
	}
	db_res_free(res);
	tok->methods |= METHOD_APPCRED;
	/* the user must still be enabled */
	res = db_query(db, err, "SELECT enabled FROM users WHERE id = ?", DBP(tok->user_id));
	if (res == NULL)
		return -1;
	int enabled = db_res_rows(res) > 0 && db_res_bool(res, 0, 0);
	db_res_free(res);
	return enabled ? 0 : unauthorized(err);
}

/* Resolves {"id"} or {"name", "domain": {...}} of a project or {"id"}/{"name"} of a domain. */
static int find_target(struct db *db, json_t *o, bool domain, char out[65], struct err *err)
{
	const char *id = jsonx_str(o, "id"), *name = jsonx_str(o, "name");
	json_t *dom = json_object_get(o, "domain");
	struct db_res *res;

	if (!json_is_object(o))
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'scope'");
	if (id != NULL)
		res = db_query(db, err,
			       "SELECT id FROM project WHERE id = ? AND is_domain = ?",
			       DBP(id, domain ? "1" : "0"));
	else if (name != NULL && domain)
		res = db_query(db, err,
			       "SELECT id FROM project WHERE name = ? AND is_domain = 1",
			       DBP(name));
	else if (name != NULL && json_is_object(dom) && jsonx_str(dom, "id"))
		res = db_query(db, err,
			       "SELECT id FROM project WHERE name = ? AND domain_id = ?"
			       " AND is_domain = 0",
			       DBP(name, jsonx_str(dom, "id")));
	else if (name != NULL && json_is_object(dom) && jsonx_str(dom, "name"))
		res = db_query(db, err,
			       "SELECT p.id FROM project p JOIN project d ON d.id = p.domain_id"
			       " WHERE p.name = ? AND d.name = ? AND p.is_domain = 0",
			       DBP(name, jsonx_str(dom, "name")));
	else
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'scope'");
	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return unauthorized(err);
	}
	snprintf(out, 65, "%s", db_res_str(res, 0, 0));
	db_res_free(res);
	return 0;
}

static int parse_scope(struct db *db, json_t *scope, struct ident_token *tok, struct err *err)
{
	json_t *sys;

	if (scope == NULL)
		return 0;
	if (json_is_string(scope) && strcmp(json_string_value(scope), "unscoped") == 0) {
		tok->scope = SCOPE_NONE;
		return 0;
	}
	if (!json_is_object(scope) || json_object_size(scope) != 1)
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'scope'");
	if (tok->methods & METHOD_APPCRED)
		return err_set(err, ERR_UNAUTHORIZED,
			       "Application credentials cannot request a scope.");
	if (json_object_get(scope, "project")) {
		tok->scope = SCOPE_PROJECT;
		return find_target(db, json_object_get(scope, "project"), false, tok->scope_id,
				   err);
	}
	if (json_object_get(scope, "domain")) {
		tok->scope = SCOPE_DOMAIN;
		return find_target(db, json_object_get(scope, "domain"), true, tok->scope_id,
				   err);
	}
	if (json_object_get(scope, "OS-TRUST:trust"))
		return ident_trust_scope(db, json_object_get(scope, "OS-TRUST:trust"), tok, err);
	sys = json_object_get(scope, "system");
	if (json_is_object(sys) && json_is_true(json_object_get(sys, "all"))) {
		tok->scope = SCOPE_SYSTEM;
		return 0;
	}
	return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'scope'");
}

/* No scope asked: a password token takes the user's default project when it has a role
 * there, as Keystone does. */
static void default_scope(struct db *db, struct ident_token *tok)
{
	struct err ignored = { 0 };
	struct db_res *res = db_query(db, &ignored,
				      "SELECT default_project_id FROM users WHERE id = ?",
				      DBP(tok->user_id));
	const char *dp = res && db_res_rows(res) ? db_res_str(res, 0, 0) : NULL;

	if (dp != NULL) {
		json_t *roles = ident_effective_roles(db, tok->user_id, SCOPE_PROJECT, dp,
						      &ignored);
		if (roles != NULL && json_array_size(roles) > 0) {
			tok->scope = SCOPE_PROJECT;
			snprintf(tok->scope_id, sizeof(tok->scope_id), "%s", dp);
		}
		json_decref(roles);
	}
	db_res_free(res);
}

static const struct jsonx_field identity_fields[] = {
	{ "methods", JX_ARRAY, true, 0, 0 },
	{ "password", JX_OBJECT, false, 0, 0 },
	{ "token", JX_OBJECT, false, 0, 0 },
	{ "application_credential", JX_OBJECT, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

/* Keystone's multi-factor rules (options.multi_factor_auth_rules, on unless
 * multi_factor_auth_enabled is false): the methods that succeeded must hold every method of
 * one rule, counting only the methods Keystone offers by default (a rule naming totp asks
 * nothing more of a password, as in Keystone). Else 401 and no token. */
static int check_mfa_rules(struct db *db, const struct ident_token *tok, struct err *err)
{
	static const char *const offered[] = { "external", "password", "token", "oauth1",
					       "mapped", "application_credential", NULL };
	static const struct {
		const char *name;
		unsigned int bit;
	} used[] = { { "password", METHOD_PASSWORD },
		     { "token", METHOD_TOKEN },
		     { "application_credential", METHOD_APPCRED } };
	json_auto_t *user = ident_user_get(db, tok->user_id, err);
	json_t *options, *rules, *rule, *m;
	size_t i, j;

	if (user == NULL)
		return -1;
	options = json_object_get(user, "options");
	rules = json_object_get(options, "multi_factor_auth_rules");
	if (json_array_size(rules) == 0 ||
	    json_is_false(json_object_get(options, "multi_factor_auth_enabled")))
		return 0;
	json_array_foreach(rules, i, rule) {
		bool met = true;
		json_array_foreach(rule, j, m) {
			const char *name = json_string_value(m);
			bool is_offered = false, was_used = false;
			for (const char *const *o = offered; *o && name; o++)
				is_offered = is_offered || strcmp(*o, name) == 0;
			for (size_t k = 0; k < sizeof(used) / sizeof(used[0]) && name; k++)
				was_used = was_used || (strcmp(used[k].name, name) == 0 &&
							(tok->methods & used[k].bit));
			met = met && (!is_offered || was_used);
		}
		if (met)
			return 0;
	}
	return err_set(err, ERR_UNAUTHORIZED,
		       "Insufficient auth methods received for %s: the user's multi-factor "
		       "rules ask for more.",
		       tok->user_id);
}

static int tokens_issue(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *auth, *identity, *methods, *m, *reply;
	struct ident_token tok;
	size_t i;
	char *token, user[65] = "";

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (auth = jsonx_member_object(body, "auth", err)) == NULL ||
	    (identity = jsonx_member_object(auth, "identity", err)) == NULL ||
	    jsonx_validate(identity, identity_fields, true, err) < 0)
		return -1;
	memset(&tok, 0, sizeof(tok));
	methods = json_object_get(identity, "methods");
	if (json_array_size(methods) == 0)
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'methods'");
	json_array_foreach(methods, i, m) {
		const char *name = json_string_value(m);
		json_t *data = name ? json_object_get(identity, name) : NULL;
		int rc;
		if (name == NULL)
			return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'methods'");
		if (!json_is_object(data))
			return err_set(err, ERR_BAD_REQUEST,
				       "Expecting to find %s in identity.", name);
		if (strcmp(name, "password") == 0)
			rc = auth_password(db, data, &tok, err);
		else if (strcmp(name, "token") == 0)
			rc = auth_token(db, data, &tok, err);
		else if (strcmp(name, "application_credential") == 0)
			rc = auth_app_cred(db, data, &tok, err);
		else
			rc = err_set(err, ERR_UNAUTHORIZED, "Unsupported authentication method: %s",
				     name);
		if (rc < 0)
			return -1;
		/* every method must name the same user, as Keystone's AuthContext holds: a
		 * password of one user and a token of another made a token for the latter */
		if (user[0] != '\0' && strcmp(user, tok.user_id) != 0)
			return err_set(err, ERR_UNAUTHORIZED,
				       "Unable to reconcile identity attribute user_id as it has "
				       "conflicting values %s and %s",
				       tok.user_id, user);
		memcpy(user, tok.user_id, sizeof(user));
	}
	if (check_mfa_rules(db, &tok, err) < 0)
		return -1;
	if (parse_scope(db, json_object_get(auth, "scope"), &tok, err) < 0)
		return -1;
	if (json_object_get(auth, "scope") == NULL && !(tok.methods & METHOD_APPCRED) &&
	    !(tok.methods & METHOD_TOKEN))
		default_scope(db, &tok);
	tok.issued_us = util_now_us();
	if (tok.expires_us == 0)
		tok.expires_us = tok.issued_us + (int64_t)conf.token_expiration * 1000000;
	{
		unsigned char a[16];
		util_random(a, sizeof(a));
		util_b64url_encode(a, sizeof(a), tok.audit_id, false);
	}
	if (ident_token_resolve(db, &tok, err) < 0) {
		ident_token_clear(&tok);
		err_clear(err);
		if (tok.scope == SCOPE_PROJECT || tok.scope == SCOPE_DOMAIN)
			return err_set(err, ERR_UNAUTHORIZED,
				       "User %s has no access to %s %s", tok.user_id,
				       tok.scope == SCOPE_PROJECT ? "project" : "domain",
				       tok.scope_id);
		if (tok.scope == SCOPE_SYSTEM)
			return err_set(err, ERR_UNAUTHORIZED,
				       "User %s has no access to the system", tok.user_id);
		return unauthorized(err);
	}
	reply = ident_token_body(db, rq, &tok, req_query(rq, "nocatalog") == NULL, err);
	if (reply == NULL) {
		ident_token_clear(&tok);
		return -1;
	}
	token = ident_token_encode(&tok);
	reply_header(rq, "X-Subject-Token", token);
	free(token);
	ident_token_clear(&tok);
	reply_json(rq, 201, reply);
	return 0;
}

/* Who may look at a subject token: admins, system readers, services and its own user. */
static bool may_see(struct req *rq, const struct ident_token *subject)
{
	const struct auth *caller = rq->auth;

	return ident_is_admin(rq) || (caller->system && ident_has_role(rq, "reader")) ||
	       ident_has_role(rq, "service") || strcmp(caller->user_id, subject->user_id) == 0;
}

static int subject_token(struct req *rq, struct db *db, struct ident_token *tok,
			 struct err *err)
{
	const char *subject = req_header(rq, "X-Subject-Token");

	if (subject == NULL)
		return err_set(err, ERR_BAD_REQUEST, "X-Subject-Token is required.");
	if (ident_token_validate(db, subject, tok, err) < 0)
		return -1;
	if (!may_see(rq, tok)) {
		ident_token_clear(tok);
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to perform the requested action: "
			       "identity:validate_token.");
	}
	return 0;
}

static int tokens_validate(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *subject = req_header(rq, "X-Subject-Token");
	bool with_catalog = req_query(rq, "nocatalog") == NULL;
	struct ident_token tok;
	uint64_t generation;
	json_t *body;
	char *text;

	if (db == NULL)
		return -1;
	generation = db_generation(db);
	if (subject != NULL &&
	    (text = ident_token_cache_get_body(subject, generation, with_catalog)) != NULL) {
		/* the entry holds the subject's payload: check expiry and who may see it */
		if (ident_token_cache_get_auth(rq, subject, generation, &tok) &&
		    tok.expires_us > util_now_us() && may_see(rq, &tok)) {
			reply_header(rq, "X-Subject-Token", subject);
			reply_json_text(rq, 200, text);
			return 0;
		}
		free(text);
	}
	if (subject_token(rq, db, &tok, err) < 0)
		return -1;
	body = ident_token_body(db, rq, &tok, with_catalog, err);
	ident_token_clear(&tok);
	if (body == NULL)
		return -1;
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	ident_token_cache_put_body(subject, generation, with_catalog, text);
	reply_header(rq, "X-Subject-Token", subject);
	reply_json_text(rq, 200, text);
	return 0;
}

static int tokens_revoke(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token tok;
	struct ident_revoke ev = { 0 };

	if (db == NULL || subject_token(rq, db, &tok, err) < 0)
		return -1;
	ev.audit_id = tok.audit_id;
	ev.issued_before = tok.issued_us;
	ident_token_clear(&tok);
	if (ident_revoke(db, &ev, err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

static int auth_catalog(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *cat;

	if (ident_caller(rq)->scope == SCOPE_NONE)
		return err_set(err, ERR_FORBIDDEN,
			       "A scoped token is required to get the catalog.");
	if (db == NULL || (cat = ident_catalog(db, err)) == NULL)
		return -1;
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "catalog", cat, "links", ident_collection_links(rq)));
	return 0;
}

/* Projects (or domains) the caller holds any role on, directly, by group or inherited. */
static int auth_targets(struct req *rq, bool domains, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token *caller = ident_caller(rq);
	struct db_res *res;
	json_t *list;

	if (db == NULL)
		return -1;
	res = db_query(db, err,
		       domains ? "SELECT id, name, description, enabled FROM project"
				 " WHERE is_domain = 1 AND enabled = 1 ORDER BY name"
			       : "SELECT id, name, description, enabled, domain_id, parent_id"
				 " FROM project WHERE is_domain = 0 AND enabled = 1 ORDER BY name",
		       DBNONE);
	if (res == NULL)
		return -1;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++) {
		json_t *roles = ident_effective_roles(db, caller->user_id,
						      domains ? SCOPE_DOMAIN : SCOPE_PROJECT,
						      db_res_str(res, i, 0), err);
		if (roles == NULL) {
			db_res_free(res);
			json_decref(list);
			return -1;
		}
		if (json_array_size(roles) > 0) {
			json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "id", db_res_str(res, i, 0),
					      "name", db_res_str(res, i, 1), "description",
					      db_res_str(res, i, 2), "enabled", 1);
			if (!domains) {
				json_object_set_new(o, "domain_id",
						    json_string(db_res_str(res, i, 4)));
				jsonx_set_str_or_null(o, "parent_id", db_res_str(res, i, 5));
				json_object_set_new(o, "is_domain", json_false());
			}
			ident_add_links(rq, o, domains ? "domains" : "projects");
			json_array_append_new(list, o);
		}
		json_decref(roles);
	}
	db_res_free(res);
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", domains ? "domains" : "projects", list, "links",
			     ident_collection_links(rq)));
	return 0;
}

static int auth_projects(struct req *rq, struct err *err)
{
	return auth_targets(rq, false, err);
}

static int auth_domains(struct req *rq, struct err *err)
{
	return auth_targets(rq, true, err);
}

static int auth_system(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *roles, *list = json_array();

	if (db == NULL ||
	    (roles = ident_effective_roles(db, ident_caller(rq)->user_id, SCOPE_SYSTEM, "system",
					   err)) == NULL) {
		json_decref(list);
		return -1;
	}
	if (json_array_size(roles) > 0)
		json_array_append_new(list, json_pack("{s:b}", "all", 1));
	json_decref(roles);
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "system", list, "links", ident_collection_links(rq)));
	return 0;
}

const struct route ident_auth_routes[] = {
	{ HTTP_POST, "/v3/auth/tokens", tokens_issue, NULL },
	{ HTTP_GET, "/v3/auth/tokens", tokens_validate, "identity:validate_token" },
	{ HTTP_DELETE, "/v3/auth/tokens", tokens_revoke, "identity:revoke_token" },
	{ HTTP_GET, "/v3/auth/catalog", auth_catalog, "identity:get_auth_catalog" },
	{ HTTP_GET, "/v3/auth/projects", auth_projects, "identity:get_auth_projects" },
	{ HTTP_GET, "/v3/auth/domains", auth_domains, "identity:get_auth_domains" },
	{ HTTP_GET, "/v3/auth/system", auth_system, "identity:get_auth_system" },
	{ 0 },
};

const struct policy ident_auth_policies[] = {
	{ "identity:validate_token", POL_TOKEN },
	{ "identity:revoke_token", POL_TOKEN },
	{ "identity:get_auth_catalog", POL_TOKEN },
	{ "identity:get_auth_projects", POL_TOKEN },
	{ "identity:get_auth_domains", POL_TOKEN },
	{ "identity:get_auth_system", POL_TOKEN },
	{ NULL, 0 },
};
