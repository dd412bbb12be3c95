#ifndef CIEL_IDENTITY_APPCRED_DB_H
#define CIEL_IDENTITY_APPCRED_DB_H

/* The application_credential tables (see schema.c).
 *
 * An application credential travels as {"id","name","description","user_id","project_id",
 * "system","expires_at","unrestricted","roles":[{"id","name","domain_id"}]}, expires_at
 * in Keystone's "2026-01-31T10:00:00.000000" form or null, plus "access_rules":
 * [{"id","service","path","method"}] when it has any. The secret is never stored,
 * only its bcrypt hash. Returned objects are new references; callers own the transaction.
 * Token validation (tokens.c) reads the same tables: a credential deleted or expired stops
 * its tokens from validating. */

#include <jansson.h>
#include <stdint.h>

struct db;
struct err;

/* NULL with ERR_NOT_FOUND "Could not find Application Credential: <id>." when absent. */
json_t *ident_appcred_find(struct db *db, const char *id, struct err *err);
/* The credentials of 'user_id' (named 'name' when not NULL), ordered by name. */
json_t *ident_appcred_list(struct db *db, const char *user_id, const char *name,
			   struct err *err);
/* Stores 'ac' (its id, name, description, user_id, project_id, system, unrestricted, the
 * ids of its roles and its "access_rules" as requested: each {"id"}, {"service","path",
 * "method"} or both, already validated) with 'secret_hash' and 'expires_us' (0: never).
 * Requested rules resolve to the user's existing rules (by id, else by equal fields) or
 * become new ones. 409 when the user already has a credential of that name; 404 for a
 * rule id the user does not have. */
int ident_appcred_insert(struct db *db, const json_t *ac, const char *secret_hash,
			 int64_t expires_us, struct err *err);
int ident_appcred_delete(struct db *db, const char *id, struct err *err);
/* Deletes the application credentials of 'user_id' and/or on 'project_id' (NULL: any), as
 * Keystone does when a user is deleted or disabled, or loses its roles on a project.
 * Returns how many went, or -1. */
int ident_appcred_delete_for(struct db *db, const char *user_id, const char *project_id,
			     struct err *err);

/* ---- access rules: a user's, shared by its credentials ----
 * A rule travels as {"id","service","path","method"}. */
/* The rule 'id' of 'user_id'; 404 "Could not find Access Rule: <id>." otherwise. */
json_t *ident_access_rule_find(struct db *db, const char *user_id, const char *id,
			       struct err *err);
/* The rules of 'user_id', filtered by the non-NULL arguments. */
json_t *ident_access_rule_list(struct db *db, const char *user_id, const char *service,
			       const char *path, const char *method, struct err *err);
/* Deletes the rule; 404 as _find, 403 while a credential uses it. */
int ident_access_rule_delete(struct db *db, const char *user_id, const char *id,
			     struct err *err);
/* The rules of credential 'id' in its creator's order (an empty array when it has none);
 * new reference, NULL on a database error. */
json_t *ident_appcred_access_rules(struct db *db, const char *id, struct err *err);
/* Deletes every rule of 'user_id' (when the user is deleted). Rows changed or -1. */
int ident_access_rule_delete_for_user(struct db *db, const char *user_id, struct err *err);

/* The role named 'name' as {"id","name"}; 404 "Could not find role: <name>." unless
 * exactly one role has that name, as Keystone's get_unique_role_by_name. */
json_t *ident_appcred_role_by_name(struct db *db, const char *name, struct err *err);

#endif
