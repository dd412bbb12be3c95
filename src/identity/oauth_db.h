#ifndef CIEL_IDENTITY_OAUTH_DB_H
#define CIEL_IDENTITY_OAUTH_DB_H

/* The consumer table (see schema.c): OS-OAUTH1 consumers, the third-party applications
 * that may ask a user to delegate roles to them. A consumer travels as
 * {"id","description", extra...} without links and without its secret; free-form
 * attributes live in the 'extra' column. The secret is written once, at insert, and never
 * read back by these functions: Keystone shows it only in the reply to the create.
 *
 * Callers own the transaction; returned objects are new references. */

#include <jansson.h>

struct db;
struct err;

/* NULL with ERR_NOT_FOUND "Could not find consumer: <id>." when absent. */
json_t *ident_consumer_find(struct db *db, const char *id, struct err *err);
/* Every consumer, ordered by id. */
json_t *ident_consumer_list(struct db *db, struct err *err);
/* Inserts 'consumer' (its "id" and "description") with 'secret'. */
int ident_consumer_insert(struct db *db, const json_t *consumer, const char *secret,
			  struct err *err);
/* Writes description and extra of the whole object (the handler merges a PATCH first);
 * the secret stays. 404 when gone. */
int ident_consumer_update(struct db *db, const json_t *consumer, struct err *err);
int ident_consumer_delete(struct db *db, const char *id, struct err *err);

#endif
