/* /v3/roles, /v3/roles/{id}/implies and /v3/role_inferences: roles (global or owned by a
 * domain) and the rules by which one role implies another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/pager.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/roles_db.h"

#define MAX_LIST 10000

/* Role names that may never be implied (Keystone's prohibited_implied_role default). */
static const char *const prohibited_implied[] = { "admin", NULL };

/* Attributes with a column of their own; the rest of a role body goes to 'extra'. */
static const char *const role_known[] = { "id",      "name",  "domain_id", "description",
					  "options", "links", NULL };

static const struct jsonx_field role_body_fields[] = {
	{ "role", JX_OBJECT, true, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field role_create_fields[] = {
	{ "name", JX_STRING, true, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "domain_id", JX_STRING | JX_NULL, false, 64, 1 },
	{ "options", JX_OBJECT, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field role_update_fields[] = {
	{ "name", JX_STRING, false, 255, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "domain_id", JX_STRING | JX_NULL, false, 64, 1 },
	{ "options", JX_OBJECT, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

/* The checks jsonx_validate does not express: name pattern [\S]+, domain_id pattern
 * ^[a-zA-Z0-9-]+$, options {"immutable": bool|null} only. */
static int check_role_fields(const json_t *role, struct err *err)
{
	const char *name = jsonx_str(role, "name"), *domain = jsonx_str(role, "domain_id");
	json_t *opts = json_object_get(role, "options"), *v;
	const char *key;

	if (name != NULL && name[strspn(name, " \t\r\n\f\v")] == '\0')
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'name': '%s' does not match '[\\S]+'",
			       name);
	if (domain != NULL && domain[strspn(domain, "abcdefghijklmnopqrstuvwxyz"
					       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")] != '\0')
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'domain_id': '%s' does not match "
			       "'^[a-zA-Z0-9-]+$'",
			       domain);
	json_object_foreach(opts, key, v) {
		if (strcmp(key, "immutable") != 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'options': additional properties "
				       "are not allowed ('%s' was unexpected)",
				       key);
		if (!json_is_boolean(v) && !json_is_null(v))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'options/immutable': expected "
				       "boolean or null");
	}
	return 0;
}

/* The "role" member of the body, checked against 'fields'. Borrowed. */
static json_t *role_body(struct req *rq, const struct jsonx_field *fields, struct err *err)
{
	json_t *body = req_json(rq, err), *role;

	if (body == NULL || jsonx_validate(body, role_body_fields, false, err) < 0)
		return NULL;
	role = json_object_get(body, "role");
	if (jsonx_validate(role, fields, true, err) < 0 || check_role_fields(role, err) < 0)
		return NULL;
	return role;
}

/* Options as stored: a null value removes the option. Caller frees. */
static char *options_text(const json_t *current, const json_t *update)
{
	json_t *o = current ? json_deep_copy(current) : json_object(), *v;
	const char *key;
	char *s;

	json_object_foreach((json_t *)update, key, v) {
		if (json_is_null(v))
			json_object_del(o, key);
		else
			json_object_set(o, key, v);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

static bool role_immutable(const json_t *role)
{
	return json_is_true(json_object_get(json_object_get(role, "options"), "immutable"));
}

/* The role with its self link, as a reply member. Steals 'role'. */
static json_t *role_out(struct req *rq, json_t *role)
{
	ident_add_links(rq, role, "roles");
	return role;
}

static const char *url_escape(struct req *rq, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = req_alloc(rq, strlen(s) * 3 + 1), *p = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c)) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

static int roles_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_role_filter f = { 0 };
	struct pager pg;
	json_t *list, *links, *reply;
	bool more;

	if (db == NULL ||
	    pager_parse(rq, conf.list_limit > 0 ? conf.list_limit : MAX_LIST, MAX_LIST, &pg,
			err) < 0)
		return -1;
	f.name = req_query(rq, "name");
	f.domain_id = req_query(rq, "domain_id");
	if (f.domain_id != NULL && *f.domain_id == '\0')
		f.domain_id = NULL;
	f.marker = pg.marker;
	f.limit = pg.limit;
	list = ident_role_list(db, &f, err);
	if (list == NULL)
		return -1;
	more = json_array_size(list) > (size_t)pg.limit;
	if (more)
		json_array_remove(list, (size_t)pg.limit);
	for (size_t i = 0; i < json_array_size(list); i++)
		ident_add_links(rq, json_array_get(list, i), "roles");
	links = ident_collection_links(rq);
	if (more && pg.limit > 0) {
		const char *last = jsonx_str(json_array_get(list, (size_t)pg.limit - 1), "id");
		const char *query = "";
		if (f.name)
			query = req_printf(rq, "name=%s&", url_escape(rq, f.name));
		if (f.domain_id)
			query = req_printf(rq, "%sdomain_id=%s&", query, url_escape(rq, f.domain_id));
		query = req_printf(rq, "%slimit=%d&marker=%s", query, pg.limit,
				   url_escape(rq, last));
		json_object_set_new(links, "next",
				    json_string(ident_url(rq, req_printf(rq, "/roles?%s", query))));
	}
	reply = json_pack("{s:o,s:o}", "roles", list, "links", links);
	if (more)
		json_object_set_new(reply, "truncated", json_true());
	reply_json(rq, 200, reply);
	return 0;
}

static int roles_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *role, *created;
	struct ident_role_row row = { 0 };
	char id[33], *options = NULL, *extra = NULL;
	int rc = -1;

	if (db == NULL || (role = role_body(rq, role_create_fields, err)) == NULL)
		return -1;
	row.name = jsonx_str(role, "name");
	row.domain_id = jsonx_str(role, "domain_id");
	row.description = jsonx_str(role, "description");
	if (row.domain_id != NULL && ident_domain_check(db, row.domain_id, err) < 0)
		return -1;
	util_uuid_hex(id);
	row.id = id;
	options = options_text(NULL, json_object_get(role, "options"));
	extra = ident_extra_from(role, role_known);
	row.options = options;
	row.extra = extra;
	if (ident_role_insert(db, &row, err) == 0 &&
	    (created = ident_role_find(db, id, err)) != NULL) {
		reply_json(rq, 201, json_pack("{s:o}", "role", role_out(rq, created)));
		rc = 0;
	}
	free(options);
	free(extra);
	return rc;
}

static int roles_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *role;

	if (db == NULL || (role = ident_role_find(db, req_param(rq, "role_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "role", role_out(rq, role)));
	return 0;
}

/* Keystone's rule for an immutable role: the only update allowed is the one that clears
 * the option, alone. */
static int check_immutable_update(const char *id, const json_t *cur, const json_t *upd,
				  struct err *err)
{
	json_t *opts = json_object_get(upd, "options"), *imm;

	if (!role_immutable(cur))
		return 0;
	imm = json_object_get(opts, "immutable");
	if (json_object_size(upd) > 1 || imm == NULL || !(json_is_false(imm) || json_is_null(imm)))
		return err_set(err, ERR_FORBIDDEN,
			       "Unable to update immutable role resource: `%s. Set resource "
			       "option \"immutable\" to false first.",
			       id);
	return 0;
}

static int roles_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "role_id");
	json_t *upd, *cur = NULL, *merged = NULL, *updated;
	json_t *dom;
	struct ident_role_row row = { 0 };
	char *options = NULL, *extra = NULL;
	int rc = -1;

	if (db == NULL || (cur = ident_role_find(db, id, err)) == NULL)
		return -1;
	if ((upd = role_body(rq, role_update_fields, err)) == NULL)
		goto out;
	if (json_object_size(upd) == 0) {
		err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'role': {} does not have "
					      "enough properties");
		goto out;
	}
	if (jsonx_str(upd, "id") != NULL && strcmp(jsonx_str(upd, "id"), id) != 0) {
		err_set(err, ERR_BAD_REQUEST, "Cannot change ID");
		goto out;
	}
	dom = json_object_get(upd, "domain_id");
	if (dom != NULL && !str_eq(json_string_value(dom), jsonx_str(cur, "domain_id"))) {
		err_set(err, ERR_BAD_REQUEST, "Update of `domain_id` is not allowed.");
		goto out;
	}
	if (check_immutable_update(id, cur, upd, err) < 0)
		goto out;
	merged = json_deep_copy(cur);
	json_object_update(merged, upd);
	json_object_set(merged, "domain_id", json_object_get(cur, "domain_id"));
	options = options_text(json_object_get(cur, "options"), json_object_get(upd, "options"));
	extra = ident_extra_from(merged, role_known);
	row.id = id;
	row.name = jsonx_str(merged, "name");
	row.domain_id = jsonx_str(cur, "domain_id");
	row.description = jsonx_str(merged, "description");
	row.options = options;
	row.extra = extra;
	if (ident_role_update(db, &row, err) < 0 || (updated = ident_role_find(db, id, err)) == NULL)
		goto out;
	reply_json(rq, 200, json_pack("{s:o}", "role", role_out(rq, updated)));
	rc = 0;
out:
	json_decref(cur);
	json_decref(merged);
	free(options);
	free(extra);
	return rc;
}

static int roles_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "role_id");
	json_t *role;
	bool immutable;

	if (db == NULL || (role = ident_role_find(db, id, err)) == NULL)
		return -1;
	immutable = role_immutable(role);
	json_decref(role);
	if (immutable)
		return err_set(err, ERR_FORBIDDEN,
			       "Unable to delete immutable role resource: `%s. Set resource "
			       "option \"immutable\" to false first.",
			       id);
	/* tokens re-read their roles at each validation: the role vanishes from them now */
	if (db_begin(db, err) < 0)
		return -1;
	if (ident_role_delete(db, id, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

/* ---- implied roles ---- */

/* {"id", "links", "name"} of a role, as the inference bodies show it. */
static json_t *role_ref(struct req *rq, const json_t *role)
{
	json_t *r = json_pack("{s:s,s:s}", "id", jsonx_str(role, "id"), "name",
			      jsonx_str(role, "name"));

	ident_add_links(rq, r, "roles");
	return r;
}

/* Reads both roles of a rule; 404 if either is missing. Caller frees both. */
static int rule_roles(struct db *db, struct req *rq, json_t **prior, json_t **implied,
		      struct err *err)
{
	*implied = NULL;
	*prior = ident_role_find(db, req_param(rq, "prior_role_id"), err);
	if (*prior == NULL)
		return -1;
	*implied = ident_role_find(db, req_param(rq, "implied_role_id"), err);
	if (*implied == NULL) {
		json_decref(*prior);
		*prior = NULL;
		return -1;
	}
	return 0;
}

static json_t *rule_body(struct req *rq, const json_t *prior, const json_t *implied)
{
	return json_pack("{s:{s:o,s:o},s:{s:s}}", "role_inference", "prior_role",
			 role_ref(rq, prior), "implies", role_ref(rq, implied), "links", "self",
			 ident_url(rq, req_printf(rq, "/roles/%s/implies/%s",
						  jsonx_str(prior, "id"),
						  jsonx_str(implied, "id"))));
}

static int implied_get(struct req *rq, bool head, struct err *err)
{
	struct db *db = db_get(err);
	json_t *prior, *implied;

	if (db == NULL || rule_roles(db, rq, &prior, &implied, err) < 0)
		return -1;
	if (ident_implied_check(db, jsonx_str(prior, "id"), jsonx_str(implied, "id"), err) == 0) {
		if (head)
			reply_empty(rq, 204);
		else
			reply_json(rq, 200, rule_body(rq, prior, implied));
	}
	json_decref(prior);
	json_decref(implied);
	return err->kind == ERR_NONE ? 0 : -1;
}

static int implied_show(struct req *rq, struct err *err)
{
	return implied_get(rq, false, err);
}

static int implied_check(struct req *rq, struct err *err)
{
	return implied_get(rq, true, err);
}

/* Keystone's rules for a new inference, plus one of ours: no cycles, since a cycle makes
 * two roles the same role under two names. */
static int check_new_rule(struct db *db, const json_t *prior, const json_t *implied,
			  struct err *err)
{
	const char *pid = jsonx_str(prior, "id"), *iid = jsonx_str(implied, "id");
	bool cycle;

	for (const char *const *p = prohibited_implied; *p; p++)
		if (strcmp(jsonx_str(implied, "name"), *p) == 0)
			return err_set(err, ERR_FORBIDDEN, "%s cannot be an implied roles.", iid);
	if (jsonx_str(prior, "domain_id") == NULL && jsonx_str(implied, "domain_id") != NULL)
		return err_set(err, ERR_FORBIDDEN, "Global role cannot imply a domain-specific role");
	if (strcmp(pid, iid) == 0)
		return err_set(err, ERR_FORBIDDEN, "%s cannot be an implied roles: a role "
						   "cannot imply itself.", iid);
	if (ident_implied_reaches(db, iid, pid, &cycle, err) < 0)
		return -1;
	if (cycle)
		return err_set(err, ERR_FORBIDDEN,
			       "%s cannot be an implied roles: it implies %s already, and the "
			       "rule would make a cycle.",
			       iid, pid);
	return 0;
}

static int implied_put(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *prior, *implied;
	int rc = -1;

	if (db == NULL || rule_roles(db, rq, &prior, &implied, err) < 0)
		return -1;
	if (db_begin(db, err) == 0) {
		if (check_new_rule(db, prior, implied, err) < 0 ||
		    ident_implied_insert(db, jsonx_str(prior, "id"), jsonx_str(implied, "id"),
					 err) < 0 ||
		    db_commit(db, err) < 0) {
			db_rollback(db);
		} else {
			reply_json(rq, 201, rule_body(rq, prior, implied));
			rc = 0;
		}
	}
	json_decref(prior);
	json_decref(implied);
	return rc;
}

static int implied_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *prior, *implied;
	int rc;

	if (db == NULL || rule_roles(db, rq, &prior, &implied, err) < 0)
		return -1;
	rc = ident_implied_delete(db, jsonx_str(prior, "id"), jsonx_str(implied, "id"), err);
	json_decref(prior);
	json_decref(implied);
	if (rc < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

static int implied_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "prior_role_id");
	json_t *prior, *rules, *implies, *rule;
	size_t i;

	if (db == NULL || (prior = ident_role_find(db, id, err)) == NULL)
		return -1;
	if ((rules = ident_implied_list(db, id, err)) == NULL) {
		json_decref(prior);
		return -1;
	}
	implies = json_array();
	json_array_foreach(rules, i, rule) {
		json_array_append_new(implies, role_ref(rq, json_object_get(rule, "implied")));
	}
	reply_json(rq, 200,
		   json_pack("{s:{s:o,s:o},s:{s:s}}", "role_inference", "prior_role",
			     role_ref(rq, prior), "implies", implies, "links", "self",
			     ident_url(rq, req_printf(rq, "/roles/%s/implies", id))));
	json_decref(prior);
	json_decref(rules);
	return 0;
}

static int role_inferences(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *rules, *list, *cur = NULL, *rule;
	size_t i;

	if (db == NULL || (rules = ident_implied_list(db, NULL, err)) == NULL)
		return -1;
	/* rules come grouped by prior role: one inference per prior role */
	list = json_array();
	json_array_foreach(rules, i, rule) {
		json_t *prior = json_object_get(rule, "prior");
		if (cur == NULL ||
		    !str_eq(jsonx_str(json_object_get(cur, "prior_role"), "id"),
			    jsonx_str(prior, "id"))) {
			cur = json_pack("{s:o,s:[]}", "prior_role", role_ref(rq, prior), "implies");
			json_array_append_new(list, cur);
		}
		json_array_append_new(json_object_get(cur, "implies"),
				      role_ref(rq, json_object_get(rule, "implied")));
	}
	json_decref(rules);
	reply_json(rq, 200,
		   json_pack("{s:o,s:{s:s}}", "role_inferences", list, "links", "self",
			     ident_url(rq, "/role_inferences")));
	return 0;
}

const struct route ident_role_routes[] = {
	{ HTTP_GET, "/v3/roles", roles_list, "identity:list_roles" },
	{ HTTP_POST, "/v3/roles", roles_create, "identity:create_role" },
	{ HTTP_GET, "/v3/roles/{role_id}", roles_show, "identity:get_role" },
	{ HTTP_PATCH, "/v3/roles/{role_id}", roles_update, "identity:update_role" },
	{ HTTP_DELETE, "/v3/roles/{role_id}", roles_delete, "identity:delete_role" },
	{ HTTP_GET, "/v3/roles/{prior_role_id}/implies", implied_list,
	  "identity:list_implied_roles" },
	{ HTTP_GET, "/v3/roles/{prior_role_id}/implies/{implied_role_id}", implied_show,
	  "identity:get_implied_role" },
	{ HTTP_HEAD, "/v3/roles/{prior_role_id}/implies/{implied_role_id}", implied_check,
	  "identity:check_implied_role" },
	{ HTTP_PUT, "/v3/roles/{prior_role_id}/implies/{implied_role_id}", implied_put,
	  "identity:create_implied_role" },
	{ HTTP_DELETE, "/v3/roles/{prior_role_id}/implies/{implied_role_id}", implied_delete,
	  "identity:delete_implied_role" },
	{ HTTP_GET, "/v3/role_inferences", role_inferences, "identity:list_role_inference_rules" },
	{ 0 },
};

const struct policy ident_role_policies[] = {
	{ "identity:list_roles", POL_READER },
	{ "identity:get_role", POL_READER },
	{ "identity:create_role", POL_ADMIN },
	{ "identity:update_role", POL_ADMIN },
	{ "identity:delete_role", POL_ADMIN },
	{ "identity:list_implied_roles", POL_READER },
	{ "identity:get_implied_role", POL_READER },
	{ "identity:check_implied_role", POL_READER },
	{ "identity:create_implied_role", POL_ADMIN },
	{ "identity:delete_implied_role", POL_ADMIN },
	{ "identity:list_role_inference_rules", POL_READER },
	{ NULL, 0 },
};
