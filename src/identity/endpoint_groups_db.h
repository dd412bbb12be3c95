#ifndef CIEL_IDENTITY_ENDPOINT_GROUPS_DB_H
#define CIEL_IDENTITY_ENDPOINT_GROUPS_DB_H

/* The endpoint_group table (see schema.c): OS-EP-FILTER endpoint groups, named sets of
 * catalog endpoints given by a filter on service_id, region_id and interface.
 *
 * A group travels as {"id","name","description","filters":{...}} without links; the
 * filters object is stored as JSON text. Callers own the transaction; returned objects
 * are new references. */

#include <jansson.h>

struct db;
struct err;

/* NULL with ERR_NOT_FOUND "Could not find Endpoint Group: <id>." when absent. */
json_t *ident_endpoint_group_find(struct db *db, const char *id, struct err *err);
/* Every group (named 'name' when not NULL), ordered by id. */
json_t *ident_endpoint_group_list(struct db *db, const char *name, struct err *err);
int ident_endpoint_group_insert(struct db *db, const json_t *group, struct err *err);
/* Writes the whole object (the handler merges a PATCH first); 404 when gone. */
int ident_endpoint_group_update(struct db *db, const json_t *group, struct err *err);
int ident_endpoint_group_delete(struct db *db, const char *id, struct err *err);

#endif
