#ifndef CIEL_IDENTITY_CATALOG_DB_H
#define CIEL_IDENTITY_CATALOG_DB_H

/* The catalog's tables: regions, services and endpoints (see schema.c).
 *
 * Resources travel as JSON objects in Keystone's shape without links: a region is
 * {"id","description","parent_region_id", extra...}, a service {"id","type","name",
 * ["description"],"enabled", extra...}, an endpoint {"id","interface","service_id","url",
 * "region_id","enabled", extra...}. Free-form attributes are kept in the 'extra' column,
 * as Keystone keeps them. Writers take the whole object (the handler merges a PATCH into
 * the current object first); callers own the transaction. Returned objects are new
 * references (caller decrefs). */

#include <jansson.h>
#include <stdbool.h>

struct db;
struct err;

/* ---- regions ---- */
/* NULL with ERR_NOT_FOUND "Could not find region: <id>." when absent. */
json_t *ident_region_find(struct db *db, const char *id, struct err *err);
/* 1 if the region exists, 0 if not, -1 on error. */
int ident_region_exists(struct db *db, const char *id, struct err *err);
/* Every region, or those under 'parent_id' when not NULL; ordered by id. */
json_t *ident_region_list(struct db *db, const char *parent_id, struct err *err);
/* A parent must exist (404 naming it) and must not be 'id' or below it (400), as
 * Keystone's CircularRegionHierarchyError. NULL parent: 0. */
int ident_region_check_parent(struct db *db, const char *id, const char *parent_id,
			      struct err *err);
int ident_region_insert(struct db *db, const json_t *region, struct err *err);
int ident_region_update(struct db *db, const json_t *region, struct err *err);
/* Deletes the region and its sub-regions; 403 when any of them has endpoints. */
int ident_region_delete(struct db *db, const char *id, struct err *err);

/* ---- services ---- */
json_t *ident_service_find(struct db *db, const char *id, struct err *err);
int ident_service_exists(struct db *db, const char *id, struct err *err);
/* Filters are ANDed; NULL ones are ignored. */
json_t *ident_service_list(struct db *db, const char *type, const char *name,
			   struct err *err);
int ident_service_insert(struct db *db, const json_t *service, struct err *err);
int ident_service_update(struct db *db, const json_t *service, struct err *err);
/* Deletes the service and its endpoints. */
int ident_service_delete(struct db *db, const char *id, struct err *err);

/* ---- endpoints ---- */
json_t *ident_endpoint_find(struct db *db, const char *id, struct err *err);
json_t *ident_endpoint_list(struct db *db, const char *interface, const char *service_id,
			    const char *region_id, struct err *err);
int ident_endpoint_insert(struct db *db, const json_t *endpoint, struct err *err);
int ident_endpoint_update(struct db *db, const json_t *endpoint, struct err *err);
int ident_endpoint_delete(struct db *db, const char *id, struct err *err);

#endif
