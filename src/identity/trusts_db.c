/* The trust and trust_role tables' SQL, and what trust-scoped tokens read from them. */
#include "identity/trusts_db.h"

#include <stdio.h>
#include <string.h>

#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity_int.h"

#define TRUST_COLS                                                                        \
	"SELECT id, trustor_user_id, trustee_user_id, project_id, impersonation,"         \
	" expires_at, remaining_uses FROM trust"
/* usable: unexpired, uses left; the caller binds "now" */
#define USABLE                                                                            \
	" (expires_at IS NULL OR expires_at > ?)"                                         \
	" AND (remaining_uses IS NULL OR remaining_uses > 0)"

static json_t *trust_row(const struct db_res *res, int i)
{
	json_t *t = json_pack("{s:s,s:s,s:s,s:b}", "id", db_res_str(res, i, 0),
			      "trustor_user_id", db_res_str(res, i, 1), "trustee_user_id",
			      db_res_str(res, i, 2), "impersonation", db_res_bool(res, i, 4));

	jsonx_set_str_or_null(t, "project_id", db_res_str(res, i, 3));
	json_object_set_new(t, "expires_at", db_res_str(res, i, 5)
						     ? json_integer(db_res_int(res, i, 5))
						     : json_null());
	json_object_set_new(t, "remaining_uses", db_res_str(res, i, 6)
							 ? json_integer(db_res_int(res, i, 6))
							 : json_null());
	return t;
}

static json_t *trust_roles(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT r.id, r.name, r.domain_id FROM trust_role tr"
				      " JOIN role r ON r.id = tr.role_id WHERE tr.trust_id = ?"
				      " ORDER BY r.name",
				      DBP(id));
	json_t *roles;

	if (res == NULL)
		return NULL;
	roles = json_array();
	for (int i = 0; i < db_res_rows(res); i++) {
		const char *dom = db_res_str(res, i, 2);
		json_t *r = json_pack("{s:s,s:s}", "id", db_res_str(res, i, 0), "name",
				      db_res_str(res, i, 1));
		if (dom != NULL && strcmp(dom, ROLE_GLOBAL) != 0)
			json_object_set_new(r, "domain_id", json_string(dom));
		json_array_append_new(roles, r);
	}
	db_res_free(res);
	return roles;
}

/* The trust row, usable or not (tokens outlive a trust's last use); NULL + 404 if none. */
static json_t *trust_find(struct db *db, const char *id, bool usable, struct err *err)
{
	char now[24];
	struct db_res *res;
	json_t *t = NULL, *roles;

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	res = usable ? db_query(db, err, TRUST_COLS " WHERE id = ? AND" USABLE, DBP(id, now))
		     : db_query(db, err, TRUST_COLS " WHERE id = ?", DBP(id));
	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		err_set(err, ERR_NOT_FOUND, "Could not find trust: %s.", id);
	else
		t = trust_row(res, 0);
	db_res_free(res);
	if (t == NULL)
		return NULL;
	if ((roles = trust_roles(db, id, err)) == NULL) {
		json_decref(t);
		return NULL;
	}
	json_object_set_new(t, "roles", roles);
	return t;
}

json_t *ident_trust_get(struct db *db, const char *id, struct err *err)
{
	return trust_find(db, id, true, err);
}

json_t *ident_trust_list(struct db *db, const char *trustor, const char *trustee,
			 struct err *err)
{
	char now[24];
	struct sqlb sb;

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	sqlb_init(&sb, TRUST_COLS " WHERE");
	sqlb_add(&sb, USABLE, now);
	if (trustor != NULL)
		sqlb_add(&sb, " AND trustor_user_id = ?", trustor);
	if (trustee != NULL)
		sqlb_add(&sb, " AND trustee_user_id = ?", trustee);
	sqlb_text(&sb, " ORDER BY created_at, id");
	return ident_list_rows(db, &sb, trust_row, err);
}

/* A JSON integer member as decimal text in 'buf', or NULL when absent or null. */
static const char *int_text(const json_t *o, const char *key, char buf[24])
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
	return buf;
}

int ident_trust_insert(struct db *db, const json_t *t, struct err *err)
{
	const char *id = jsonx_str(t, "id");
	char expires[24], uses[24], now[24];
	size_t i;
	json_t *r;

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	if (db_begin(db, err) < 0)
		return -1;
	if (db_exec(db, err,
		    "INSERT INTO trust (id, trustor_user_id, trustee_user_id, project_id,"
		    " impersonation, expires_at, remaining_uses, created_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    DBP(id, jsonx_str(t, "trustor_user_id"), jsonx_str(t, "trustee_user_id"),
			jsonx_str(t, "project_id"),
			jsonx_bool(t, "impersonation", false) ? "1" : "0",
			int_text(t, "expires_at", expires), int_text(t, "remaining_uses", uses),
			now)) < 0)
		goto fail;
	json_array_foreach(json_object_get(t, "roles"), i, r) {
		if (db_exec(db, err, "INSERT INTO trust_role (trust_id, role_id) VALUES (?, ?)",
			    DBP(id, jsonx_str(r, "id"))) < 0)
			goto fail;
	}
	if (db_commit(db, err) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int ident_trust_delete(struct db *db, const char *id, struct err *err)
{
	int rc;

	if (db_begin(db, err) < 0)
		return -1;
	rc = db_exec(db, err, "DELETE FROM trust WHERE id = ?", DBP(id));
	if (rc > 0)
		rc = db_exec(db, err, "DELETE FROM trust_role WHERE trust_id = ?", DBP(id));
	else if (rc == 0)
		rc = err_set(err, ERR_NOT_FOUND, "Could not find trust: %s.", id);
	if (rc < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static int copy_id(char dst[65], const char *src)
{
	return snprintf(dst, 65, "%s", src ? src : "") >= 65 ? -1 : 0;
}

int ident_trust_scope(struct db *db, const json_t *ref, struct ident_token *tok,
		      struct err *err)
{
	const char *id = jsonx_str(ref, "id");
	int64_t cap, trust_expires;
	json_t *t;
	int rc = 0;

	if (!json_is_object(ref) || id == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'OS-TRUST:trust'");
	if (tok->methods & METHOD_TRUST)
		return err_set(err, ERR_FORBIDDEN, "Cannot rescope a trust-scoped token.");
	if ((t = ident_trust_get(db, id, err)) == NULL)
		return -1;
	if (!str_eq(jsonx_str(t, "trustee_user_id"), tok->user_id)) {
		json_decref(t);
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to perform the requested action: the "
			       "authenticated user is not the trustee of trust %s.",
			       id);
	}
	if (copy_id(tok->trust_id, id) < 0 ||
	    copy_id(tok->trustee_id, jsonx_str(t, "trustee_user_id")) < 0 ||
	    copy_id(tok->trustor_id, jsonx_str(t, "trustor_user_id")) < 0) {
		json_decref(t);
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for field 'OS-TRUST:trust'");
	}
	tok->methods |= METHOD_TRUST;
	tok->impersonation = jsonx_bool(t, "impersonation", false);
	if (tok->impersonation)
		copy_id(tok->user_id, tok->trustor_id);
	if (jsonx_str(t, "project_id") != NULL) {
		tok->scope = SCOPE_PROJECT;
		copy_id(tok->scope_id, jsonx_str(t, "project_id"));
	} else {
		tok->scope = SCOPE_NONE;
	}
	cap = util_now_us() + (int64_t)conf.token_expiration * 1000000;
	if (tok->expires_us == 0 || tok->expires_us > cap)
		tok->expires_us = cap;
	trust_expires = json_integer_value(json_object_get(t, "expires_at"));
	if (json_is_integer(json_object_get(t, "expires_at")) && trust_expires < tok->expires_us)
		tok->expires_us = trust_expires;
	/* one use consumed per token; the condition keeps two racing issuers honest */
	if (json_is_integer(json_object_get(t, "remaining_uses"))) {
		rc = db_exec(db, err,
			     "UPDATE trust SET remaining_uses = remaining_uses - 1"
			     " WHERE id = ? AND remaining_uses > 0",
			     DBP(id));
		if (rc == 0)
			rc = err_set(err, ERR_NOT_FOUND, "Could not find trust: %s.", id);
	}
	json_decref(t);
	return rc < 0 ? -1 : 0;
}

int ident_trust_token_resolve(struct db *db, struct ident_token *tok, struct err *err)
{
	json_t *t, *held, *kept, *delegated, *r;
	struct db_res *res;
	size_t i, j;
	int enabled;

	if ((t = trust_find(db, tok->trust_id, false, err)) == NULL) {
		err_clear(err);
		return err_set(err, ERR_NOT_FOUND, "Failed to validate token");
	}
	copy_id(tok->trustor_id, jsonx_str(t, "trustor_user_id"));
	copy_id(tok->trustee_id, jsonx_str(t, "trustee_user_id"));
	tok->impersonation = jsonx_bool(t, "impersonation", false);
	if ((json_is_integer(json_object_get(t, "expires_at")) &&
	     json_integer_value(json_object_get(t, "expires_at")) <= util_now_us()) ||
	    !str_eq(tok->user_id, tok->impersonation ? tok->trustor_id : tok->trustee_id)) {
		json_decref(t);
		return err_set(err, ERR_NOT_FOUND, "Failed to validate token");
	}
	/* the token's user is checked by validation; the other one must be enabled too */
	res = db_query(db, err,
		       "SELECT 1 FROM users u JOIN project d ON d.id = u.domain_id"
		       " WHERE u.id = ? AND u.enabled = 1 AND d.enabled = 1",
		       DBP(tok->impersonation ? tok->trustee_id : tok->trustor_id));
	if (res == NULL) {
		json_decref(t);
		return -1;
	}
	enabled = db_res_rows(res) > 0;
	db_res_free(res);
	if (!enabled) {
		json_decref(t);
		return err_set(err, ERR_NOT_FOUND, "Failed to validate token");
	}
	/* a trust without a project delegates no role */
	held = tok->scope == SCOPE_PROJECT
		       ? ident_effective_roles(db, tok->trustor_id, tok->scope, tok->scope_id, err)
		       : json_array();
	delegated = json_array();
	json_array_foreach(json_object_get(t, "roles"), i, r) {
		json_array_append_new(delegated, json_pack("{s:s,s:s}", "id", jsonx_str(r, "id"),
							   "name", jsonx_str(r, "name")));
	}
	json_decref(t);
	if (held == NULL || ident_expand_implied(db, delegated, err) < 0) {
		json_decref(held);
		json_decref(delegated);
		return -1;
	}
	/* the delegated roles (and those they imply) that the trustor still holds */
	kept = json_array();
	json_array_foreach(delegated, i, r) {
		json_t *h;
		json_array_foreach(held, j, h) {
			if (str_eq(jsonx_str(h, "id"), jsonx_str(r, "id"))) {
				json_array_append(kept, r);
				break;
			}
		}
	}
	json_decref(held);
	json_decref(delegated);
	json_decref(tok->roles);
	tok->roles = kept;
	return 0;
}
