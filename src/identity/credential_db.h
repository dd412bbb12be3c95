#ifndef CIEL_IDENTITY_CREDENTIAL_DB_H
#define CIEL_IDENTITY_CREDENTIAL_DB_H

/* The credential table (/v3/credentials and the OS-EC2 view of it).
 *
 * A credential travels as {"id","user_id","project_id","type","blob", extra...}; 'blob' is
 * the client's string, stored encrypted with the credential keys and the hash of the key
 * that encrypted it (secrets.c), as Keystone does; the functions here take and return it
 * in clear. Returned objects are new references; callers own the transaction. */

#include <jansson.h>

struct db;
struct err;

/* NULL with ERR_NOT_FOUND "Could not find credential: <id>." when absent, ERR_INTERNAL when
 * no credential key decrypts its blob. */
json_t *ident_credential_find(struct db *db, const char *id, struct err *err);
/* Filters are ANDed; NULL ones are ignored. Ordered by id. */
json_t *ident_credential_list(struct db *db, const char *user_id, const char *type,
			      struct err *err);
/* 409 when the id is taken (an EC2 credential's id is the hash of its access key). */
int ident_credential_insert(struct db *db, const json_t *cred, struct err *err);
int ident_credential_update(struct db *db, const json_t *cred, struct err *err);
int ident_credential_delete(struct db *db, const char *id, struct err *err);
/* Deletes the credentials of 'user_id' and/or on 'project_id' (NULL: any), as Keystone
 * does when a user or a project is deleted. Returns how many went, or -1. */
int ident_credential_delete_for(struct db *db, const char *user_id, const char *project_id,
				struct err *err);

/* 0 if the user exists, else ERR_NOT_FOUND "Could not find user: <id>.". */
int ident_credential_user_check(struct db *db, const char *user_id, struct err *err);
/* 0 if the project exists, else ERR_NOT_FOUND "Could not find project: <id>.". */
int ident_credential_project_check(struct db *db, const char *project_id, struct err *err);

#endif
