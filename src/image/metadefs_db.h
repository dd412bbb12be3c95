#ifndef CIEL_IMAGE_METADEFS_DB_H
#define CIEL_IMAGE_METADEFS_DB_H

/* The metadata definitions catalog's tables (Glance's metadefs).
 *
 * A namespace (metadef_namespace, keyed by its name) groups definitions of the metadata
 * other resources may carry: objects (a named group of property definitions), properties
 * (one JSON schema each), tags (names, unique without regard to case) and its associations
 * with resource types (OS::Glance::Image, OS::Nova::Flavor...), each with an optional key
 * prefix and properties target. Objects, properties and tags share one table shape
 * (metadef_object, metadef_property, metadef_tag): namespace, name, name_key (the name, or
 * its lower case for tags), the definition as JSON text ('body'), times. Renaming a
 * namespace moves its children; deleting it deletes them.
 *
 * Resource types (metadef_resource_type) are a flat list: a few well-known types are
 * seeded at start (protected), others appear when first associated.
 *
 * Returned objects are new references; times are ISO 8601 strings. Who may see or change
 * what is the caller's business (api_metadef_*.c); callers own the transaction. */

#include <jansson.h>
#include <stdbool.h>

struct db;
struct err;

/* Adds the well-known resource types missing from metadef_resource_type. */
int md_db_seed(struct db *db, struct err *err);

/* ---- namespaces: {namespace, display_name, description, visibility, protected, owner,
 * created_at, updated_at}; absent optional strings are left out ---- */

/* 404 "Metadata definition namespace=<name> was not found." when there is none. */
json_t *md_db_ns_find(struct db *db, const char *name, struct err *err);

struct md_ns_filter {
	const char *visible_to;     /* non-NULL: public ones, unowned ones, and this owner's */
	bool all;                   /* admin: every namespace (visible_to ignored) */
	const char *visibility;     /* "public", "private" or NULL */
	const char *resource_types; /* comma-separated names: associated with one, or NULL */
	const char *sort_key;       /* a column: namespace, created_at, updated_at... */
	bool desc;
	const char *marker;         /* a namespace name (must exist), or NULL */
	int limit;                  /* < 0: no limit */
};
/* The namespaces 'f' selects, in order. */
json_t *md_db_ns_list(struct db *db, const struct md_ns_filter *f, struct err *err);
/* Inserts 'ns' (the fields above but the times); 409 "The metadata definition
 * namespace=<name> already exists." */
int md_db_ns_insert(struct db *db, const json_t *ns, struct err *err);
/* Replaces the row of 'name' by 'ns' (which may rename it: children follow); 409 when the
 * new name is taken. */
int md_db_ns_update(struct db *db, const char *name, const json_t *ns, struct err *err);
/* Deletes the namespace and everything in it. */
int md_db_ns_delete(struct db *db, const char *name, struct err *err);

/* ---- resource types and associations ---- */

/* [{name, created_at, updated_at}...], oldest first. */
json_t *md_db_rt_list(struct db *db, struct err *err);
/* A namespace's associations: [{name, prefix?, properties_target?, created_at,
 * updated_at}...]. */
json_t *md_db_assoc_list(struct db *db, const char *ns, struct err *err);
/* Associates {name, prefix?, properties_target?} with 'ns', creating the resource type if
 * it is new; 409 when it is associated already. Returns the new association. */
json_t *md_db_assoc_insert(struct db *db, const char *ns, const json_t *assoc,
			   struct err *err);
/* 404 (Glance's words) when 'rt' does not exist or is not associated with 'ns'. */
int md_db_assoc_delete(struct db *db, const char *ns, const char *rt, struct err *err);

/* ---- objects, properties, tags ---- */

enum md_kind { MD_OBJECT, MD_PROPERTY, MD_TAG };

/* The items of 'ns', oldest first: each is 'body' with name, created_at, updated_at. */
json_t *md_db_item_list(struct db *db, enum md_kind kind, const char *ns, struct err *err);
/* 404 with Glance's words for the kind when there is none. */
json_t *md_db_item_find(struct db *db, enum md_kind kind, const char *ns, const char *name,
			struct err *err);
/* Inserts 'name' with 'body' (a JSON object; NULL: {}); 409 with Glance's words. */
int md_db_item_insert(struct db *db, enum md_kind kind, const char *ns, const char *name,
		      const json_t *body, struct err *err);
/* Renames and/or replaces the body of 'name'; 404 or 409 as above. */
int md_db_item_update(struct db *db, enum md_kind kind, const char *ns, const char *name,
		      const char *new_name, const json_t *body, struct err *err);
int md_db_item_delete(struct db *db, enum md_kind kind, const char *ns, const char *name,
		      struct err *err);
/* Deletes every item of that kind in 'ns'. */
int md_db_item_delete_all(struct db *db, enum md_kind kind, const char *ns, struct err *err);

#endif
