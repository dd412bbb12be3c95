/* Tokens: the payload inside the Fernet envelope, validation against the database, the
 * token body, and the router's authenticator.
 *
 * Payload (binary, version 1):  version | methods | scope | id(user) | [id(scope)] |
 * [id(app credential)] | [id(trust)] | issued_us (8) | expires_us (8) | audit (16) |
 * has_parent (1) | [parent audit (16)].  An id is either 0x01 + 16 bytes (a 32-hex-digit
 * uuid, as Keystone makes them) or 0x02 + length + bytes; the trust id is there when
 * methods has METHOD_TRUST. issued_us has microseconds so that a token issued just after a
 * revocation event is not caught by it. */
#include <stdio.h>
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
#include "identity/appcred_db.h"
#include "identity/identity_int.h"
#include "identity/keys.h"
#include "identity/token_cache.h"
#include "identity/tokens.h"
#include "identity/trusts_db.h"

#define PAYLOAD_VERSION 1
#define MAX_PAYLOAD 512

static size_t put_id(unsigned char *p, const char *id)
{
	size_t len = strlen(id);

	if (len == 32 && util_is_hex(id, 32)) {
		p[0] = 1;
		for (int i = 0; i < 16; i++) {
			unsigned int v;
			sscanf(id + 2 * i, "%2x", &v);
			p[1 + i] = (unsigned char)v;
		}
		return 17;
	}
	BUG_ON(len > 64);
	p[0] = 2;
	p[1] = (unsigned char)len;
	memcpy(p + 2, id, len);
	return 2 + len;
}

static int get_id(const unsigned char *p, size_t avail, char out[65], size_t *used)
{
	if (avail < 2)
		return -1;
	if (p[0] == 1) {
		if (avail < 17)
			return -1;
		for (int i = 0; i < 16; i++)
			snprintf(out + 2 * i, 3, "%02x", p[1 + i]);
		*used = 17;
		return 0;
	}
	if (p[0] != 2 || p[1] > 64 || avail < 2u + p[1])
		return -1;
	memcpy(out, p + 2, p[1]);
	out[p[1]] = '\0';
	*used = 2u + p[1];
	return 0;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = (unsigned char)(v >> (i * 8));
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void audit_bytes(const char *audit, unsigned char out[16])
{
	if (util_b64url_decode(audit, strlen(audit), out, 16) != 16)
		memset(out, 0, 16);
}

size_t ident_token_pack(const struct ident_token *tok, unsigned char *out, size_t size)
{
	size_t n = 0;

	BUG_ON(size < MAX_PAYLOAD);
	out[n++] = PAYLOAD_VERSION;
	out[n++] = (unsigned char)tok->methods;
	out[n++] = (unsigned char)tok->scope;
	n += put_id(out + n, tok->user_id);
	if (tok->scope == SCOPE_PROJECT || tok->scope == SCOPE_DOMAIN)
		n += put_id(out + n, tok->scope_id);
	if (tok->methods & METHOD_APPCRED)
		n += put_id(out + n, tok->app_cred_id);
	if (tok->methods & METHOD_TRUST)
		n += put_id(out + n, tok->trust_id);
	put_u64(out + n, (uint64_t)tok->issued_us);
	n += 8;
	put_u64(out + n, (uint64_t)tok->expires_us);
	n += 8;
	audit_bytes(tok->audit_id, out + n);
	n += 16;
	out[n++] = tok->parent_audit_id[0] != '\0';
	if (tok->parent_audit_id[0] != '\0') {
		audit_bytes(tok->parent_audit_id, out + n);
		n += 16;
	}
	return n;
}

int ident_token_unpack(const unsigned char *p, size_t size, struct ident_token *tok)
{
	size_t n = 3, used;

	memset(tok, 0, sizeof(*tok));
	if (size < 3 || p[0] != PAYLOAD_VERSION || p[2] > SCOPE_SYSTEM)
		return -1;
	tok->methods = p[1];
	tok->scope = p[2];
	if (get_id(p + n, size - n, tok->user_id, &used) < 0)
		return -1;
	n += used;
	if (tok->scope == SCOPE_PROJECT || tok->scope == SCOPE_DOMAIN) {
		if (get_id(p + n, size - n, tok->scope_id, &used) < 0)
			return -1;
		n += used;
	}
	if (tok->methods & METHOD_APPCRED) {
		if (get_id(p + n, size - n, tok->app_cred_id, &used) < 0)
			return -1;
		n += used;
	}
	if (tok->methods & METHOD_TRUST) {
		if (get_id(p + n, size - n, tok->trust_id, &used) < 0)
			return -1;
		n += used;
	}
	if (size - n < 8 + 8 + 16 + 1)
		return -1;
	tok->issued_us = (int64_t)get_u64(p + n);
	tok->expires_us = (int64_t)get_u64(p + n + 8);
	util_b64url_encode(p + n + 16, 16, tok->audit_id, false);
	n += 32;
	if (p[n++]) {
		if (size - n < 16)
			return -1;
		util_b64url_encode(p + n, 16, tok->parent_audit_id, false);
		n += 16;
	}
	return n == size ? 0 : -1;
}

char *ident_token_encode(const struct ident_token *tok)
{
	unsigned char payload[MAX_PAYLOAD];
	size_t n = ident_token_pack(tok, payload, sizeof(payload));

	return ident_keys_encrypt(payload, n, (uint64_t)(tok->issued_us / 1000000));
}

int ident_token_decode(const char *token, struct ident_token *tok)
{
	unsigned char payload[MAX_PAYLOAD];
	uint64_t ts;
	long n = ident_keys_decrypt(token, payload, sizeof(payload), &ts);

	if (n < 0)
		return -1;
	return ident_token_unpack(payload, (size_t)n, tok);
}

void ident_token_clear(struct ident_token *tok)
{
	json_decref(tok->user);
	json_decref(tok->scope_obj);
	json_decref(tok->roles);
	json_decref(tok->app_cred);
	tok->user = tok->scope_obj = tok->roles = tok->app_cred = NULL;
}

static int not_found(struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Failed to validate token");
}

/* Is there a revocation event that covers this token? A user's event covers the tokens of
 * the trusts it gave or got too (Keystone matches user_id, trustor_id and trustee_id); a
 * domain's event (the domain was disabled) covers the tokens of its users and those scoped
 * to it or to its projects, as Keystone matches identity_domain_id and
 * assignment_domain_id. */
static int check_revoked(struct db *db, const struct ident_token *tok, struct err *err)
{
	const char *project = tok->scope == SCOPE_PROJECT ? tok->scope_id : "";
	const char *scope = tok->scope == SCOPE_PROJECT || tok->scope == SCOPE_DOMAIN
				    ? tok->scope_id
				    : "";
	const char *parent = tok->parent_audit_id[0] ? tok->parent_audit_id : tok->audit_id;
	char issued[24];
	struct db_res *res;
	int revoked;

	snprintf(issued, sizeof(issued), "%lld", (long long)tok->issued_us);
	res = db_query(db, err,
		       "SELECT 1 FROM revocation_event WHERE issued_before >= ? AND ("
		       " (audit_id IN (?, ?))"
		       " OR (user_id IN (?, (SELECT trustor_user_id FROM trust WHERE id = ?),"
		       "  (SELECT trustee_user_id FROM trust WHERE id = ?))"
		       "  AND ((project_id IS NULL AND audit_id IS NULL) OR project_id = ?))"
		       " OR (user_id IS NULL AND project_id = ?)"
		       " OR (user_id IS NULL AND project_id IS NULL AND audit_id IS NULL AND ("
		       "  domain_id IN (SELECT domain_id FROM users WHERE id = ?)"
		       "  OR domain_id IN (SELECT domain_id FROM project WHERE id = ?)"
		       "  OR domain_id = ?))) LIMIT 1",
		       DBP(issued, tok->audit_id, parent, tok->user_id, tok->trust_id,
			   tok->trust_id, project, project, tok->user_id, scope, scope));
	if (res == NULL)
		return -1;
	revoked = db_res_rows(res) > 0;
	db_res_free(res);
	return revoked ? not_found(err) : 0;
}

static json_t *domain_ref(const char *id, const char *name)
{
	return json_pack("{s:s,s:s}", "id", id, "name", name ? name : "");
}

static int load_user(struct db *db, struct ident_token *tok, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT u.name, u.domain_id, d.name, u.enabled, d.enabled, u.password_expires_at"
		" FROM users u JOIN project d ON d.id = u.domain_id WHERE u.id = ?",
		DBP(tok->user_id));
	char when[32];

	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0 || !db_res_bool(res, 0, 3) || !db_res_bool(res, 0, 4)) {
		db_res_free(res);
		return not_found(err);
	}
	tok->user = json_pack("{s:s,s:s,s:o,s:n}", "id", tok->user_id, "name",
			      db_res_str(res, 0, 0), "domain",
			      domain_ref(db_res_str(res, 0, 1), db_res_str(res, 0, 2)),
			      "password_expires_at");
	if (db_res_str(res, 0, 5) != NULL) {
		util_iso8601(db_res_int(res, 0, 5), 1, when);
		json_object_set_new(tok->user, "password_expires_at", json_string(when));
	}
	db_res_free(res);
	return 0;
}

static int load_scope(struct db *db, struct ident_token *tok, struct err *err)
{
	struct db_res *res;

	if (tok->scope != SCOPE_PROJECT && tok->scope != SCOPE_DOMAIN)
		return 0;
	res = db_query(db, err,
		       "SELECT p.name, p.enabled, p.is_domain, p.domain_id, d.name, d.enabled"
		       " FROM project p LEFT JOIN project d ON d.id = p.domain_id"
		       " WHERE p.id = ?",
		       DBP(tok->scope_id));
	if (res == NULL)
		return -1;
	bool is_domain = db_res_rows(res) > 0 && db_res_bool(res, 0, 2);
	if (db_res_rows(res) == 0 || !db_res_bool(res, 0, 1) ||
	    (tok->scope == SCOPE_DOMAIN) != is_domain ||
	    (!is_domain && !db_res_bool(res, 0, 5))) {
		db_res_free(res);
		return not_found(err);
	}
	if (tok->scope == SCOPE_DOMAIN)
		tok->scope_obj = domain_ref(tok->scope_id, db_res_str(res, 0, 0));
	else
		tok->scope_obj = json_pack("{s:s,s:s,s:o}", "id", tok->scope_id, "name",
					   db_res_str(res, 0, 0), "domain",
					   domain_ref(db_res_str(res, 0, 3), db_res_str(res, 0, 4)));
	db_res_free(res);
	return 0;
}

/* An application credential token carries the credential's roles that the user still
 * holds; the credential must still exist and be unexpired. */
static int load_app_cred(struct db *db, struct ident_token *tok, struct err *err)
{
	struct db_res *res, *roles;
	json_t *kept, *rules;
	size_t i;
	json_t *r;

	res = db_query(db, err,
		       "SELECT name, unrestricted, expires_at FROM application_credential"
		       " WHERE id = ? AND user_id = ?",
		       DBP(tok->app_cred_id, tok->user_id));
	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0 ||
	    (db_res_str(res, 0, 2) && db_res_int(res, 0, 2) < util_now_us())) {
		db_res_free(res);
		return not_found(err);
	}
	tok->app_cred = json_pack("{s:s,s:s,s:b}", "id", tok->app_cred_id, "name",
				  db_res_str(res, 0, 0), "restricted", !db_res_bool(res, 0, 1));
	db_res_free(res);
	/* the token shows them, and the router enforces them on every service */
	rules = ident_appcred_access_rules(db, tok->app_cred_id, err);
	if (rules == NULL)
		return -1;
	if (json_array_size(rules) > 0)
		json_object_set_new(tok->app_cred, "access_rules", rules);
	else
		json_decref(rules);
	roles = db_query(db, err,
			 "SELECT role_id FROM application_credential_role"
			 " WHERE application_credential_id = ?",
			 DBP(tok->app_cred_id));
	if (roles == NULL)
		return -1;
	kept = json_array();
	for (int k = 0; k < db_res_rows(roles); k++)
		json_array_foreach(tok->roles, i, r) {
			if (str_eq(json_string_value(json_object_get(r, "id")),
				   db_res_str(roles, k, 0)))
				json_array_append(kept, r);
		}
	db_res_free(roles);
	json_decref(tok->roles);
	tok->roles = kept;
	return ident_expand_implied(db, tok->roles, err);
}

int ident_token_resolve(struct db *db, struct ident_token *tok, struct err *err)
{
	if (tok->expires_us <= util_now_us())
		return not_found(err);
	if (check_revoked(db, tok, err) < 0 || load_user(db, tok, err) < 0 ||
	    load_scope(db, tok, err) < 0)
		return -1;
	tok->roles = ident_effective_roles(db, tok->user_id, tok->scope,
					   tok->scope == SCOPE_SYSTEM ? "system" : tok->scope_id,
					   err);
	if (tok->roles == NULL)
		return -1;
	if ((tok->methods & METHOD_APPCRED) && load_app_cred(db, tok, err) < 0)
		return -1;
	if ((tok->methods & METHOD_TRUST) && ident_trust_token_resolve(db, tok, err) < 0)
		return -1;
	/* a scoped token whose user lost every role on the scope is no longer valid */
	if (tok->scope != SCOPE_NONE && json_array_size(tok->roles) == 0)
		return not_found(err);
	tok->resolved = true;
	return 0;
}

int ident_token_validate(struct db *db, const char *token, struct ident_token *tok,
			 struct err *err)
{
	/* read the generation before the database: a write landing meanwhile retires the
	 * entry this validation is about to cache */
	uint64_t generation = db_generation(db);

	if (ident_token_decode(token, tok) < 0)
		return not_found(err);
	if (ident_token_cache_get(token, generation, tok)) {
		if (tok->expires_us > util_now_us())
			return 0;
		ident_token_clear(tok);
		return not_found(err);
	}
	if (ident_token_resolve(db, tok, err) < 0) {
		ident_token_clear(tok);
		return -1;
	}
	ident_token_cache_put(token, generation, tok);
	return 0;
}

json_t *ident_catalog(struct db *db, struct err *err)
{
	uint64_t generation = db_generation(db);
	json_t *cached = ident_catalog_cache_get(generation);

	if (cached != NULL)
		return cached;
	struct db_res *res = db_query(
		db, err,
		"SELECT s.id, s.type, s.name, e.id, e.interface, e.url, e.region_id"
		" FROM service s LEFT JOIN endpoint e ON e.service_id = s.id AND e.enabled = 1"
		" WHERE s.enabled = 1 ORDER BY s.id, e.id",
		DBNONE);
	json_t *catalog, *svc = NULL;

	if (res == NULL)
		return NULL;
	catalog = json_array();
	for (int i = 0; i < db_res_rows(res); i++) {
		const char *sid = db_res_str(res, i, 0);
		if (svc == NULL || !str_eq(json_string_value(json_object_get(svc, "id")), sid)) {
			svc = json_pack("{s:s,s:s,s:s,s:[]}", "id", sid, "type",
					db_res_str(res, i, 1), "name",
					db_res_str(res, i, 2) ? db_res_str(res, i, 2) : "",
					"endpoints");
			json_array_append_new(catalog, svc);
		}
		if (db_res_str(res, i, 3) == NULL)
			continue;
		json_t *ep = json_pack("{s:s,s:s,s:s}", "id", db_res_str(res, i, 3), "interface",
				       db_res_str(res, i, 4), "url", db_res_str(res, i, 5));
		jsonx_set_str_or_null(ep, "region_id", db_res_str(res, i, 6));
		jsonx_set_str_or_null(ep, "region", db_res_str(res, i, 6));
		json_array_append_new(json_object_get(svc, "endpoints"), ep);
	}
	db_res_free(res);
	ident_catalog_cache_put(generation, catalog);
	return catalog;
}

json_t *ident_token_body(struct db *db, struct req *rq, const struct ident_token *tok,
			 bool with_catalog, struct err *err)
{
	static const char *names[] = { "password", "token", "application_credential" };
	char issued[32], expires[32];
	json_t *t, *methods = json_array(), *audit = json_array();

	(void)rq;
	for (int i = 0; i < 3; i++)
		if (tok->methods & (1u << i))
			json_array_append_new(methods, json_string(names[i]));
	json_array_append_new(audit, json_string(tok->audit_id));
	if (tok->parent_audit_id[0])
		json_array_append_new(audit, json_string(tok->parent_audit_id));
	util_iso8601(tok->issued_us, 1, issued);
	util_iso8601(tok->expires_us - tok->expires_us % 1000000, 1, expires);
	t = json_pack("{s:o,s:O,s:o,s:s,s:s}", "methods", methods, "user", tok->user,
		      "audit_ids", audit, "issued_at", issued, "expires_at", expires);
	switch (tok->scope) {
	case SCOPE_PROJECT:
		json_object_set(t, "project", tok->scope_obj);
		json_object_set_new(t, "is_domain", json_false());
		break;
	case SCOPE_DOMAIN:
		json_object_set(t, "domain", tok->scope_obj);
		break;
	case SCOPE_SYSTEM:
		json_object_set_new(t, "system", json_pack("{s:b}", "all", 1));
		break;
	case SCOPE_NONE:
		break;
	}
	if (tok->scope != SCOPE_NONE) {
		json_object_set(t, "roles", tok->roles);
		if (with_catalog) {
			json_t *cat = ident_catalog(db, err);
			if (cat == NULL) {
				json_decref(t);
				return NULL;
			}
			json_object_set_new(t, "catalog", cat);
		}
	}
	if (tok->app_cred)
		json_object_set(t, "application_credential", tok->app_cred);
	if (tok->methods & METHOD_TRUST)
		json_object_set_new(t, "OS-TRUST:trust",
				    json_pack("{s:s,s:b,s:{s:s},s:{s:s}}", "id", tok->trust_id,
					      "impersonation", tok->impersonation, "trustee_user",
					      "id", tok->trustee_id, "trustor_user", "id",
					      tok->trustor_id));
	return json_pack("{s:o}", "token", t);
}

static void token_cleanup(void *arg)
{
	ident_token_clear(arg);
}

/* The access rules of an application-credential token (resolved), in the request's arena. */
static void fill_access_rules(struct req *rq, struct ident_token *tok)
{
	json_t *rules = json_object_get(tok->app_cred, "access_rules"), *r;
	struct access_rule *out;
	size_t i;

	tok->auth.access_rules = NULL;
	tok->auth.naccess_rules = 0;
	if (json_array_size(rules) == 0)
		return;
	out = req_alloc(rq, json_array_size(rules) * sizeof(*out));
	json_array_foreach(rules, i, r) {
		out[i].service = req_strdup(rq, jsonx_str(r, "service"));
		out[i].method = req_strdup(rq, jsonx_str(r, "method"));
		out[i].path = req_strdup(rq, jsonx_str(r, "path"));
	}
	tok->auth.access_rules = out;
	tok->auth.naccess_rules = (int)json_array_size(rules);
}

/* The caller identity the router and other services see (roles and user domain set). */
static int fill_auth(struct req *rq, struct ident_token *tok)
{
	fill_access_rules(rq, tok);
	tok->auth.user_id = tok->user_id;
	tok->auth.project_id = tok->scope == SCOPE_PROJECT ? tok->scope_id : NULL;
	tok->auth.domain_id = tok->scope == SCOPE_DOMAIN ? tok->scope_id : NULL;
	tok->auth.system = tok->scope == SCOPE_SYSTEM;
	tok->auth.token = tok;
	rq->auth = &tok->auth;
	return 0;
}

int ident_authenticate(struct req *rq, const char *token, struct err *err)
{
	struct ident_token *tok = req_alloc(rq, sizeof(*tok));
	struct db *db = db_get(err);
	const char **roles;
	size_t i;
	json_t *r;

	if (db == NULL)
		return -1;
	/* fast path: the same token string was validated at this generation (its HMAC was
	 * checked then), so neither decryption nor the database is needed */
	if (ident_token_cache_get_auth(rq, token, db_generation(db), tok) &&
	    tok->expires_us > util_now_us()) {
		req_on_free(rq, token_cleanup, tok);
		/* an application credential's access rules are not in the cache's flat copy */
		if ((tok->methods & METHOD_APPCRED) && ident_token_load(tok) < 0)
			return err_set(err, ERR_UNAUTHORIZED,
				       "The request you have made requires authentication.");
		return fill_auth(rq, tok);
	}
	memset(tok, 0, sizeof(*tok));
	if (ident_token_validate(db, token, tok, err) < 0) {
		if (err->kind == ERR_NOT_FOUND) {
			err_clear(err);
			return err_set(err, ERR_UNAUTHORIZED,
				       "The request you have made requires authentication.");
		}
		return -1;
	}
	req_on_free(rq, token_cleanup, tok);
	roles = req_alloc(rq, (json_array_size(tok->roles) + 1) * sizeof(*roles));
	json_array_foreach(tok->roles, i, r) {
		roles[i] = json_string_value(json_object_get(r, "name"));
	}
	tok->auth.roles = roles;
	tok->auth.nroles = (int)json_array_size(tok->roles);
	tok->auth.user_domain_id =
		json_string_value(json_object_get(json_object_get(tok->user, "domain"), "id"));
	return fill_auth(rq, tok);
}

int ident_token_load(struct ident_token *tok)
{
	struct err err = { 0 };
	struct db *db;

	if (tok->resolved)
		return 0;
	db = db_get(&err);
	if (db == NULL || ident_token_resolve(db, tok, &err) < 0) {
		/* revoked since the router let it in: answer with what is left */
		ident_token_clear(tok);
		tok->user = json_pack("{s:s,s:{s:s?}}", "id", tok->user_id, "domain", "id",
				      tok->auth.user_domain_id);
		tok->roles = json_array();
		tok->resolved = true;
		return -1;
	}
	return 0;
}
