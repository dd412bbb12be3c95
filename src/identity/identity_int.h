#ifndef CIEL_IDENTITY_INT_H
#define CIEL_IDENTITY_INT_H

/* Private to src/identity: what the identity files share. Route tables are listed in
 * identity.c; each api_*.c exports its routes and the policies they name. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/http.h"

struct db;
struct err;

#define DOMAIN_ROOT "<<keystone.domain.root>>" /* domain_id of a domain's own row */
#define ROLE_GLOBAL "<<null>>"                 /* domain_id of a global role */
#define DEFAULT_DOMAIN "default"

/* ---- route tables (one pair per api_*.c) ---- */
extern const struct route ident_version_routes[];
extern const struct route ident_auth_routes[];
extern const struct policy ident_auth_policies[];
extern const struct route ident_domain_routes[];
extern const struct policy ident_domain_policies[];
extern const struct route ident_project_routes[];
extern const struct policy ident_project_policies[];
extern const struct route ident_user_routes[];
extern const struct policy ident_user_policies[];
extern const struct route ident_group_routes[];
extern const struct policy ident_group_policies[];
extern const struct route ident_role_routes[];
extern const struct policy ident_role_policies[];
extern const struct route ident_assignment_routes[];
extern const struct policy ident_assignment_policies[];
extern const struct route ident_catalog_routes[];
extern const struct policy ident_catalog_policies[];
extern const struct route ident_credential_routes[];
extern const struct policy ident_credential_policies[];
extern const struct route ident_appcred_routes[];
extern const struct policy ident_appcred_policies[];
extern const struct route ident_domain_config_routes[];
extern const struct policy ident_domain_config_policies[];
extern const struct route ident_trust_routes[];
extern const struct policy ident_trust_policies[];
extern const struct route ident_policy_routes[];
extern const struct policy ident_policy_policies[];
extern const struct route ident_endpoint_group_routes[];
extern const struct policy ident_endpoint_group_policies[];
extern const struct route ident_oauth_consumer_routes[];
extern const struct policy ident_oauth_consumer_policies[];

/* ---- tokens ---- */
/* METHOD_TRUST is not an authentication method: it marks a trust-scoped token (OS-TRUST),
 * whose payload then carries the trust id. */
enum ident_method {
	METHOD_PASSWORD = 1,
	METHOD_TOKEN = 2,
	METHOD_APPCRED = 4,
	METHOD_TRUST = 8,
};
enum ident_scope { SCOPE_NONE, SCOPE_PROJECT, SCOPE_DOMAIN, SCOPE_SYSTEM };

/* A validated token: what the Fernet payload says, plus what validation read from the
 * database (user, scope, roles). Lives in the request arena. */
struct ident_token {
	struct auth auth; /* what the router and other services see */
	unsigned int methods;
	enum ident_scope scope;
	char user_id[65];
	char scope_id[65];    /* project or domain id */
	char app_cred_id[65]; /* when METHOD_APPCRED */
	char trust_id[65];    /* when METHOD_TRUST */
	int64_t issued_us, expires_us;
	char audit_id[24];
	char parent_audit_id[24]; /* "" unless rescoped from another token */
	/* filled by validation; a token served from the cache to the router has them only
	 * once ident_caller() loaded them (resolved) */
	bool resolved;
	json_t *user;  /* {"id","name","domain":{"id","name"},"password_expires_at"} */
	json_t *scope_obj; /* {"id","name","domain":{..}} for project, {"id","name"} for domain */
	json_t *roles; /* [{"id","name"}] */
	json_t *app_cred; /* {"id","name","restricted"} */
	char trustor_id[65], trustee_id[65]; /* METHOD_TRUST: the trust's users */
	bool impersonation;
};

/* Key repository (keys.c): loads every key of 'dir'; the highest-numbered is primary. */
int ident_keys_load(const char *dir, struct err *err);
void ident_keys_unload(void);
/* The router's authenticator (tokens.c): validates the token and fills rq->auth. */
int ident_authenticate(struct req *rq, const char *token, struct err *err);

/* The caller's token (the route's policy made sure there is one), with its user, scope
 * and roles loaded. Borrowed until the request ends. */
struct ident_token *ident_caller(struct req *rq);
bool ident_has_role(struct req *rq, const char *role);
/* Caller holds the admin role (in any scope, Keystone's legacy admin). */
bool ident_is_admin(struct req *rq);
/* 0, or -1 with a 403 when the caller's token comes from a restricted application
 * credential, which may not manage 'what' (e.g. "trusts"): Keystone's
 * _check_unrestricted_application_credential. */
int ident_check_unrestricted(struct req *rq, const char *what, struct err *err);

/* ---- URLs and bodies ---- */
/* "<public_url>/identity/v3<path>" in the request arena. */
const char *ident_url(struct req *rq, const char *path);
/* Sets obj["links"] = {"self": ".../v3/<collection>/<obj.id>"}. */
void ident_add_links(struct req *rq, json_t *obj, const char *collection);
/* {"self": <request URL>, "previous": null, "next": null} for a collection reply. */
json_t *ident_collection_links(struct req *rq);
/* Merges the JSON object text 'extra' (a column) into 'obj'; ignores garbage. */
void ident_merge_extra(json_t *obj, const char *extra);
/* Returns the members of 'obj' not in 'known' (NULL-terminated) as JSON text (caller frees). */
char *ident_extra_from(const json_t *obj, const char *const *known);
/* Reads boolean query parameter 'name' into *out (1/0, or -1 when absent); false with a
 * 400 in err when it is not a boolean. */
bool ident_bool_query(struct req *rq, const char *name, int *out, struct err *err);

/* ---- passwords (bcrypt via libxcrypt, cost conf.password_hash_rounds) ---- */
/* Hashes 'password' into a new string (caller frees). */
char *ident_hash_password(const char *password, struct err *err);
bool ident_check_password(const char *password, const char *hash);

/* ---- secrets at rest (secrets.c) ---- */
/* The clear text of a stored secret (caller frees): decrypted with the credential keys,
 * or 'stored' itself when 'key_hash' is NULL (stored in clear by an older ciel). NULL
 * with ERR_INTERNAL when no key decrypts it. */
char *ident_secret_open(const char *stored, const char *key_hash, struct err *err);
/* Encrypts with the primary credential key every stored secret not encrypted with it
 * (Keystone's credential_migrate), in one transaction; returns how many, or -1. */
int ident_secrets_migrate(struct db *db, struct err *err);

/* ---- revocation ---- */
struct ident_revoke {
	const char *user_id, *project_id, *domain_id, *audit_id;
	int64_t issued_before; /* 0: now */
};
/* Records an event: tokens matching every non-NULL field and issued at or before
 * 'issued_before' stop validating. */
int ident_revoke(struct db *db, const struct ident_revoke *ev, struct err *err);

/* ---- lookups shared by the resources ---- */
struct sqlb;
struct db_res;
/* Runs the query built in 'sb' (and frees 'sb'), mapping each row to JSON with 'row'.
 * Returns a new array, or NULL with err set. */
json_t *ident_list_rows(struct db *db, struct sqlb *sb,
			json_t *(*row)(const struct db_res *res, int i), struct err *err);
/* Runs 'sql' (one '?' bound to 'id') and maps its first row with 'row'. NULL with
 * ERR_NOT_FOUND "Could not find <what>: <id>." when there is none, as Keystone says it. */
json_t *ident_find_row(struct db *db, const char *sql, const char *id,
		       json_t *(*row)(const struct db_res *res, int i), const char *what,
		       struct err *err);
/* 0 if the domain exists, else -1 with ERR_NOT_FOUND "Could not find domain: <id>.". */
int ident_domain_check(struct db *db, const char *domain_id, struct err *err);
/* Domain name for an id (caller frees), NULL if none. */
char *ident_domain_name(struct db *db, const char *domain_id);
/* The roles 'user_id' holds on the target, implied roles included, each once, as
 * [{"id","name"}] sorted by name; includes group and inherited assignments. NULL on error. */
json_t *ident_effective_roles(struct db *db, const char *user_id, enum ident_scope scope,
			      const char *target_id, struct err *err);
/* Adds the roles implied (transitively) by the role ids in 'roles' ([{"id","name"}]). */
int ident_expand_implied(struct db *db, json_t *roles, struct err *err);

#endif
