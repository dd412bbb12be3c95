/* /v3/users: create, list, show, update, delete; a user's own password change; the groups
 * and projects of a user. Passwords are hashed here, before any transaction opens (bcrypt
 * is slow), and never leave the server. Disabling a user, setting its password or deleting
 * it revokes its tokens. */
#include <limits.h>
#include <string.h>

#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/pager.h"
#include "core/util.h"
#include "identity/appcred_db.h"
#include "identity/identity_int.h"
#include "identity/users_db.h"

/* Members a client may not store as free-form attributes. */
static const char *const user_known[] = {
	"id",	   "name",     "domain_id", "enabled", "password", "password_expires_at",
	"default_project_id", "options", "links", "federated", NULL,
};

static const struct jsonx_field user_create_fields[] = {
	{ "name", JX_STRING, true, 255, 1 },
	{ "domain_id", JX_STRING, false, 64, 1 },
	{ "default_project_id", JX_STRING | JX_NULL, false, 64, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ "password", JX_STRING | JX_NULL, false, 0, 0 },
	{ "options", JX_OBJECT, false, 0, 0 },
	{ "federated", JX_ARRAY, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field user_update_fields[] = {
	{ "name", JX_STRING, false, 255, 1 },
	{ "domain_id", JX_STRING, false, 64, 1 },
	{ "default_project_id", JX_STRING | JX_NULL, false, 64, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ "password", JX_STRING | JX_NULL, false, 0, 0 },
	{ "options", JX_OBJECT, false, 0, 0 },
	{ "federated", JX_ARRAY, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field password_fields[] = {
	{ "original_password", JX_STRING, true, 0, 0 },
	{ "password", JX_STRING, true, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

/* ---- helpers shared with api_groups.c (users_db.h) ---- */

int ident_list_page(struct req *rq, struct ident_list_filter *f, struct err *err)
{
	struct pager pg;

	if (pager_parse(rq, conf.list_limit, conf.list_limit > 0 ? conf.list_limit : INT_MAX,
			&pg, err) < 0)
		return -1;
	f->limit = pg.limit;
	f->marker = pg.marker;
	return 0;
}

struct query_copy {
	struct req *rq;
	char *url;
};

static const char *url_escape(struct req *rq, const char *s)
{
	char *out = req_alloc(rq, strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~:", c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

static int copy_arg(void *ctx, const char *key, const char *val)
{
	struct query_copy *q = ctx;

	if (strcmp(key, "marker") != 0 && strcmp(key, "limit") != 0)
		q->url = req_printf(q->rq, "%s%s=%s&", q->url, url_escape(q->rq, key),
				    url_escape(q->rq, val ? val : ""));
	return 0;
}

void ident_list_reply(struct req *rq, const char *key, const char *collection, json_t *list,
		      const struct ident_list_filter *f)
{
	json_t *links = ident_collection_links(rq), *reply, *item;
	size_t i;

	json_array_foreach(list, i, item) {
		ident_add_links(rq, item, collection);
	}
	reply = json_pack("{s:o,s:o}", key, list, "links", links);
	if (f->more && json_array_size(list) > 0) {
		struct query_copy q = { rq, req_printf(rq, "%s%s?", conf.public_url, rq->path) };
		const char *last = jsonx_str(json_array_get(list, json_array_size(list) - 1), "id");
		req_query_each(rq, copy_arg, &q);
		json_object_set_new(links, "next",
				    json_string(req_printf(rq, "%slimit=%d&marker=%s", q.url,
							   f->limit, url_escape(rq, last))));
		json_object_set_new(reply, "truncated", json_true());
	}
	reply_json(rq, 200, reply);
}

const char *ident_new_domain(struct req *rq, const json_t *obj)
{
	struct ident_token *caller = ident_caller(rq);
	const char *domain_id = jsonx_str(obj, "domain_id");

	if (domain_id != NULL)
		return domain_id;
	return caller->scope == SCOPE_DOMAIN ? caller->scope_id : DEFAULT_DOMAIN;
}

bool ident_list_domain(struct req *rq, struct ident_list_filter *f)
{
	struct ident_token *caller = ident_caller(rq);

	f->domain_id = req_query(rq, "domain_id");
	if (caller->scope != SCOPE_DOMAIN)
		return true;
	if (f->domain_id != NULL && strcmp(f->domain_id, caller->scope_id) != 0)
		return false;
	f->domain_id = caller->scope_id;
	return true;
}

const char *ident_check_name(struct req *rq, const json_t *obj, struct err *err)
{
	const char *name = jsonx_str(obj, "name");
	size_t len;

	if (name == NULL)
		return NULL;
	while (*name == ' ' || (*name >= '\t' && *name <= '\r'))
		name++;
	len = strlen(name);
	while (len > 0 && (name[len - 1] == ' ' || (name[len - 1] >= '\t' && name[len - 1] <= '\r')))
		len--;
	if (len == 0) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for field 'name': must contain a non-space character");
		return NULL;
	}
	char *out = req_alloc(rq, len + 1);
	memcpy(out, name, len);
	out[len] = '\0';
	return out;
}

int ident_check_id_field(const json_t *obj, const char *field, struct err *err)
{
	const char *v = jsonx_str(obj, field);

	if (v == NULL)
		return 0;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field '%s': '%s' does not match "
				       "'^[a-zA-Z0-9-]+$'",
				       field, v);
	return 0;
}

/* ---- user options (Keystone's resource options) ---- */

static const char *const bool_options[] = {
	"ignore_change_password_upon_first_use",
	"ignore_password_expiry",
	"ignore_lockout_failure_attempts",
	"lock_password",
	"ignore_user_inactivity",
	"multi_factor_auth_enabled",
	NULL,
};

/* A list of non-empty lists of strings; no list twice, no string twice in a list. */
static bool mfa_rules_ok(const json_t *rules)
{
	size_t i, j, k;
	json_t *rule, *s;

	if (!json_is_array(rules))
		return false;
	json_array_foreach(rules, i, rule) {
		if (!json_is_array(rule) || json_array_size(rule) == 0)
			return false;
		for (k = 0; k < i; k++)
			if (json_equal(rule, json_array_get(rules, k)))
				return false;
		json_array_foreach(rule, j, s) {
			if (!json_is_string(s))
				return false;
			for (k = 0; k < j; k++)
				if (json_equal(s, json_array_get(rule, k)))
					return false;
		}
	}
	return true;
}

static int check_options(const json_t *options, struct err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)options, key, v) {
		const char *const *b = bool_options;
		while (*b && strcmp(*b, key) != 0)
			b++;
		if (*b != NULL) {
			if (!json_is_boolean(v) && !json_is_null(v))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for field 'options/%s': expected "
					       "boolean or null",
					       key);
		} else if (strcmp(key, "multi_factor_auth_rules") == 0) {
			if (!json_is_null(v) && !mfa_rules_ok(v))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for field 'options/%s': must be a "
					       "list of lists comprised of strings. Sub-lists may "
					       "not be duplicated. Strings in sub-lists may not be "
					       "duplicated.",
					       key);
		} else {
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'options': additional properties "
				       "are not allowed ('%s' was unexpected)",
				       key);
		}
	}
	return 0;
}

/* Applies 'changes' to the options object 'cur' (a null value removes the option) and
 * returns its text (caller frees). */
static char *merge_options(json_t *cur, const json_t *changes)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)changes, key, v) {
		if (json_is_null(v))
			json_object_del(cur, key);
		else
			json_object_set(cur, key, v);
	}
	return json_dumps(cur, JSON_COMPACT | JSON_SORT_KEYS);
}

/* What jsonx_validate cannot say about a user body. */
static int check_user(const json_t *u, struct err *err)
{
	const json_t *fed = json_object_get(u, "federated");

	if (ident_check_id_field(u, "domain_id", err) < 0 ||
	    ident_check_id_field(u, "default_project_id", err) < 0)
		return -1;
	if (json_object_get(u, "options") && check_options(json_object_get(u, "options"), err) < 0)
		return -1;
	if (json_array_size(fed) > 0) {
		const char *idp = jsonx_str(json_array_get(fed, 0), "idp_id");
		return err_set(err, ERR_BAD_REQUEST, "Could not find Identity Provider: %s",
			       idp ? idp : "(null)");
	}
	return 0;
}

/* ---- handlers ---- */

static int reply_user(struct req *rq, struct db *db, const char *id, int status,
		      struct err *err)
{
	json_t *u = ident_user_get(db, id, err);

	if (u == NULL)
		return -1;
	ident_add_links(rq, u, "users");
	reply_json(rq, status, json_pack("{s:o}", "user", u));
	return 0;
}

static int users_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *u, *opts = NULL;
	struct ident_user_rec rec = { 0 };
	char id[33], *extra = NULL, *options = NULL, *hash = NULL;
	const char *password;
	int rc = -1;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (u = jsonx_member_object(body, "user", err)) == NULL ||
	    jsonx_validate(u, user_create_fields, true, err) < 0 || check_user(u, err) < 0 ||
	    (rec.name = ident_check_name(rq, u, err)) == NULL)
		return -1;
	password = jsonx_str(u, "password");
	if (ident_password_validate(password, err) < 0)
		return -1;
	if (password != NULL && (hash = ident_hash_password(password, err)) == NULL)
		return -1;
	util_uuid_hex(id);
	rec.id = id;
	rec.domain_id = ident_new_domain(rq, u);
	rec.default_project_id = jsonx_str(u, "default_project_id");
	rec.enabled = jsonx_bool(u, "enabled", true);
	rec.extra = extra = ident_extra_from(u, user_known);
	opts = json_object();
	rec.options = options = merge_options(opts, json_object_get(u, "options"));
	if (db_begin(db, err) < 0)
		goto out;
	if (ident_domain_check(db, rec.domain_id, err) < 0 ||
	    (rec.default_project_id &&
	     ident_user_check_default_project(db, rec.default_project_id, err) < 0) ||
	    ident_user_insert(db, &rec, err) < 0 ||
	    (hash && ident_user_set_password(db, id, hash, false, err) < 0) ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		goto out;
	}
	rc = reply_user(rq, db, id, 201, err);
out:
	json_decref(opts);
	free(extra);
	free(options);
	free(hash);
	return rc;
}

/* ?password_expires_at={lt,lte,gt,gte,eq,neq}:<timestamp> (eq when no operator). */
static int parse_expires(struct req *rq, struct ident_list_filter *f, struct err *err)
{
	static const char *const ops[][2] = {
		{ "lt", "<" }, { "lte", "<=" }, { "gt", ">" },
		{ "gte", ">=" }, { "eq", "=" },	 { "neq", "<>" },
	};
	const char *v = req_query(rq, "password_expires_at"), *colon;

	if (v == NULL)
		return 0;
	f->expires_op = "=";
	colon = strchr(v, ':');
	for (size_t i = 0; colon && i < ARRAY_SIZE(ops); i++)
		if (strlen(ops[i][0]) == (size_t)(colon - v) &&
		    strncmp(v, ops[i][0], (size_t)(colon - v)) == 0) {
			f->expires_op = ops[i][1];
			v = colon + 1;
			break;
		}
	if (util_parse_iso8601(v, &f->expires_at) < 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for password_expires_at: timestamp not in expected "
			       "format (YYYY-MM-DDTHH:mm:ssZ).");
	return 0;
}

/* Filters common to /v3/users and /v3/groups/{group_id}/users. */
static int user_filters(struct req *rq, struct ident_list_filter *f, struct err *err)
{
	f->name = req_query(rq, "name");
	if (!ident_bool_query(rq, "enabled", &f->enabled, err) || parse_expires(rq, f, err) < 0)
		return -1;
	return ident_list_page(rq, f, err);
}

static int users_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_list_filter f = { .enabled = -1 };
	json_t *list;

	if (db == NULL || user_filters(rq, &f, err) < 0)
		return -1;
	if (!ident_list_domain(rq, &f))
		list = json_array();
	else if ((list = ident_user_list(db, &f, err)) == NULL)
		return -1;
	ident_list_reply(rq, "users", "users", list, &f);
	return 0;
}

static int users_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	return db == NULL ? -1 : reply_user(rq, db, req_param(rq, "user_id"), 200, err);
}

/* Applies a PATCH body to the current user 'cur' and fills 'rec' from the result. */
static int apply_update(struct req *rq, json_t *cur, const json_t *u, struct ident_user_rec *rec,
			char **extra, char **options, struct err *err)
{
	static const char *const fixed[] = { "id", "password", "password_expires_at", "links",
					     "domain_id", "options", "federated", NULL };
	const char *key, *dom = jsonx_str(u, "domain_id");
	json_t *v;

	if (dom != NULL && strcmp(dom, jsonx_str(cur, "domain_id")) != 0)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change Domain ID");
	json_object_foreach((json_t *)u, key, v) {
		const char *const *k = fixed;
		while (*k && strcmp(*k, key) != 0)
			k++;
		if (*k == NULL)
			json_object_set(cur, key, v);
	}
	if ((rec->name = ident_check_name(rq, cur, err)) == NULL)
		return -1;
	rec->id = jsonx_str(cur, "id");
	rec->domain_id = jsonx_str(cur, "domain_id");
	rec->enabled = jsonx_bool(cur, "enabled", true);
	rec->default_project_id = jsonx_str(cur, "default_project_id");
	*options = merge_options(json_object_get(cur, "options"), json_object_get(u, "options"));
	*extra = ident_extra_from(cur, user_known);
	rec->options = *options;
	rec->extra = *extra;
	return 0;
}

static int users_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id"), *password, *sent_id;
	json_t *body, *u, *cur = NULL;
	struct ident_user_rec rec = { 0 };
	char *extra = NULL, *options = NULL, *hash = NULL;
	bool set_password, was_enabled;
	int rc = -1;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (u = jsonx_member_object(body, "user", err)) == NULL ||
	    jsonx_validate(u, user_update_fields, true, err) < 0 || check_user(u, err) < 0)
		return -1;
	if (json_object_size(u) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'user': {} does not have enough "
			       "properties");
	sent_id = jsonx_str(u, "id");
	if (json_object_get(u, "id") && !str_eq(sent_id, uid))
		return err_set(err, ERR_BAD_REQUEST, "Cannot change user ID");
	set_password = json_object_get(u, "password") != NULL;
	password = jsonx_str(u, "password");
	if (ident_password_validate(password, err) < 0)
		return -1;
	if (password != NULL && (hash = ident_hash_password(password, err)) == NULL)
		return -1;
	if (db_begin(db, err) < 0)
		goto out;
	if ((cur = ident_user_get(db, uid, err)) == NULL)
		goto fail;
	was_enabled = jsonx_bool(cur, "enabled", true);
	if (apply_update(rq, cur, u, &rec, &extra, &options, err) < 0 ||
	    (jsonx_str(u, "default_project_id") &&
	     ident_user_check_default_project(db, rec.default_project_id, err) < 0) ||
	    ident_user_update(db, &rec, err) < 0 ||
	    (set_password && ident_user_set_password(db, uid, hash, false, err) < 0))
		goto fail;
	if ((hash != NULL || (was_enabled && !rec.enabled)) &&
	    ident_revoke(db, &(struct ident_revoke){ .user_id = uid }, err) < 0)
		goto fail;
	/* a disabled user's application credentials go for good, as in Keystone */
	if (was_enabled && !rec.enabled && ident_appcred_delete_for(db, uid, NULL, err) < 0)
		goto fail;
	if (db_commit(db, err) < 0)
		goto fail;
	rc = reply_user(rq, db, uid, 200, err);
	goto out;
fail:
	db_rollback(db);
out:
	json_decref(cur);
	free(extra);
	free(options);
	free(hash);
	return rc;
}

static int users_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id");

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (ident_user_delete(db, uid, err) < 0 ||
	    ident_revoke(db, &(struct ident_revoke){ .user_id = uid }, err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

/* A user changes its own password; the original password is the proof, so no token is
 * needed (as in Keystone: a user whose password expired can still change it). Lockout
 * applies: a wrong original password counts as a failed authentication. */
static int users_password(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *uid = req_param(rq, "user_id"), *password;
	json_t *body, *u;
	char *hash;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (u = jsonx_member_object(body, "user", err)) == NULL ||
	    jsonx_validate(u, password_fields, false, err) < 0)
		return -1;
	password = jsonx_str(u, "password");
	if (ident_user_authenticate(db, uid, jsonx_str(u, "original_password"), true, err) < 0 ||
	    ident_password_validate(password, err) < 0 ||
	    ident_user_check_new_password(db, uid, password, err) < 0 ||
	    (hash = ident_hash_password(password, err)) == NULL)
		return -1;
	if (db_begin(db, err) < 0 || ident_user_set_password(db, uid, hash, true, err) < 0 ||
	    ident_revoke(db, &(struct ident_revoke){ .user_id = uid }, err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		free(hash);
		return -1;
	}
	free(hash);
	reply_empty(rq, 204);
	return 0;
}

static int users_groups(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_list_filter f = { .enabled = -1 };
	json_t *user, *list;

	if (db == NULL || ident_list_page(rq, &f, err) < 0)
		return -1;
	f.user_id = req_param(rq, "user_id");
	f.name = req_query(rq, "name");
	if ((user = ident_user_get(db, f.user_id, err)) == NULL)
		return -1;
	json_decref(user);
	if ((list = ident_group_list(db, &f, err)) == NULL)
		return -1;
	ident_list_reply(rq, "groups", "groups", list, &f);
	return 0;
}

static int users_projects(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_list_filter f = { .enabled = -1 };
	json_t *list;

	if (db == NULL ||
	    (list = ident_user_projects(db, req_param(rq, "user_id"), err)) == NULL)
		return -1;
	ident_list_reply(rq, "projects", "projects", list, &f);
	return 0;
}

const struct route ident_user_routes[] = {
	{ HTTP_GET, "/v3/users", users_list, "identity:list_users" },
	{ HTTP_POST, "/v3/users", users_create, "identity:create_user" },
	{ HTTP_GET, "/v3/users/{user_id}", users_show, "identity:get_user" },
	{ HTTP_PATCH, "/v3/users/{user_id}", users_update, "identity:update_user" },
	{ HTTP_DELETE, "/v3/users/{user_id}", users_delete, "identity:delete_user" },
	{ HTTP_POST, "/v3/users/{user_id}/password", users_password, NULL },
	{ HTTP_GET, "/v3/users/{user_id}/groups", users_groups, "identity:list_groups_for_user" },
	{ HTTP_GET, "/v3/users/{user_id}/projects", users_projects,
	  "identity:list_user_projects" },
	{ 0 },
};

const struct policy ident_user_policies[] = {
	{ "identity:list_users", POL_READER },
	{ "identity:create_user", POL_ADMIN },
	{ "identity:get_user", POL_READER_OR_USER },
	{ "identity:update_user", POL_ADMIN },
	{ "identity:delete_user", POL_ADMIN },
	{ "identity:list_groups_for_user", POL_READER_OR_USER },
	{ "identity:list_user_projects", POL_READER_OR_USER },
	{ NULL, 0 },
};
