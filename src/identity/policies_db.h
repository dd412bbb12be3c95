#ifndef CIEL_IDENTITY_POLICIES_DB_H
#define CIEL_IDENTITY_POLICIES_DB_H

/* The policy table (see schema.c): Keystone's /v3/policies, opaque blobs of a given type
 * that a deployment may hand to its services. ciel stores and serves them; nothing reads
 * them to decide anything (each service's rules are its policy tables).
 *
 * A policy travels as {"id","type","blob", extra...} without links; free-form attributes
 * live in the 'extra' column. Callers own the transaction; returned objects are new
 * references. */

#include <jansson.h>

struct db;
struct err;

/* NULL with ERR_NOT_FOUND "Could not find policy: <id>." when absent. */
json_t *ident_policy_find(struct db *db, const char *id, struct err *err);
/* Every policy (of 'type' when not NULL), ordered by id. */
json_t *ident_policy_list(struct db *db, const char *type, struct err *err);
int ident_policy_insert(struct db *db, const json_t *policy, struct err *err);
/* Writes the whole object (the handler merges a PATCH first); 404 when gone. */
int ident_policy_update(struct db *db, const json_t *policy, struct err *err);
int ident_policy_delete(struct db *db, const char *id, struct err *err);

#endif
