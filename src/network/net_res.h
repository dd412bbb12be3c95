#ifndef CIEL_NET_RES_H
#define CIEL_NET_RES_H

/* Neutron resources from one table each. Every Neutron collection behaves the same way:
 * a body {"<name>": {...}} (or {"<plural>": [...]} for a bulk create), attributes that may
 * be set on create, on update or by the admin only, lists with any filterable attribute as
 * a query argument (repeated: any of), `fields`, `sort_key`/`sort_dir`, `limit`/`marker`/
 * `page_reverse` with "<plural>_links", the standard attributes (project_id shown also as
 * tenant_id, revision_number, created_at, updated_at, description, tags) and the tags
 * sub-resource. A resource describes itself once in a struct net_rdef (an attribute table)
 * and this engine does the rest; its api_*.c file adds what is its own (IPAM for ports,
 * rules for security groups). */

#include <stdbool.h>
#include <jansson.h>

#include "core/http.h"

struct db;
struct db_res;
struct err;
struct sqlb;

enum net_atype {
	NA_STR = 1,
	NA_BOOL,
	NA_INT,
	NA_JSON, /* lists and objects stored as JSON text */
	NA_TIME, /* BIGINT microseconds shown as ISO 8601 */
};

enum {
	NAF_FILTER = 1 << 0, /* a list query argument filters on it */
	NAF_SORT = 1 << 1,   /* a sort_key */
	NAF_NULL = 1 << 2,   /* NULL in the table is null in the body */
	NAF_POST = 1 << 3,   /* may be given on create */
	NAF_PUT = 1 << 4,    /* may be given on update */
	NAF_ADMIN = 1 << 5,  /* only the admin may give it (create or update) */
	NAF_EMPTY_NULL = 1 << 6, /* '' in the table is null in the body */
};

struct net_attr {
	const char *name;   /* key in the body */
	const char *column; /* column of the table; NULL: same as name */
	enum net_atype type;
	unsigned int flags;
	int max_len;        /* NA_STR given by a client: characters; 0: 255 */
};

struct net_rdef {
	const char *name;   /* "network": the body key */
	const char *plural; /* "networks": the collection */
	const char *title;  /* "Network": in messages ("Network <id> could not be found.") */
	const char *table;  /* "net_network" */
	/* NULL-terminated; must not list project_id, created_at, updated_at,
	 * revision_number, tags: every resource has them */
	const struct net_attr *attrs;
	/* Who else may see a row: SQL OR-ed with "project_id = <caller's>" for a non-admin
	 * caller, on the table's alias r, e.g. "r.shared = 1"; NULL: only the owner (and the admin). */
	const char *also_visible;
	/* Adds keys computed from other tables to a page of bodies at once (the subnets of
	 * networks, the fixed_ips of ports); may be NULL. */
	int (*decorate)(struct req *rq, struct db *db, json_t *items, struct err *err);
	/* A list query argument the attribute table does not cover: appends its condition
	 * to 'sb' and returns 1, 0 when it is not the resource's, -1 on a bad value. May be
	 * NULL. */
	int (*filter)(struct req *rq, const char *key, const char *val, struct sqlb *sb,
		      struct err *err);
};

/* True when the caller holds the admin role. */
bool net_is_admin(const struct req *rq);
/* The caller's project; NULL when its token has none (unscoped, domain or system scope):
 * such a caller owns nothing, not even the rows of no project (''). */
const char *net_caller_project(const struct req *rq);
/* True when the caller's token is scoped to 'project_id' (false without a project). */
bool net_caller_owns(const struct req *rq, const char *project_id);

/* ---- handlers the resource files route to ---- */

/* GET /v2.0/<plural>: the whole list protocol above. */
int net_list(struct req *rq, const struct net_rdef *rd, struct err *err);
/* GET /v2.0/<plural>/{id}, honouring ?fields. */
int net_show(struct req *rq, const struct net_rdef *rd, struct err *err);

/* POST /v2.0/<plural>: one item or a bulk list, all or nothing in one transaction. Each
 * item is checked (net_check_item with 'extra') and handed to 'create_one', which makes
 * the row (and what goes with it) and returns its body (caller owns) or NULL with err set.
 * Replies 201 with the body or the list, then kicks the data plane. */
int net_create(struct req *rq, const struct net_rdef *rd, const char *const *extra,
	       json_t *(*create_one)(struct req *rq, struct db *db, json_t *item,
				     struct err *err),
	       struct err *err);

/* ---- building blocks ---- */

/* The row 'id' if the caller may change it: the owner or the admin. 404 when the caller
 * cannot see it, 403 "(rule:<action>_<name>) is disallowed by policy" when it can but does
 * not own it. Caller owns. */
json_t *net_find_owned(struct req *rq, struct db *db, const struct net_rdef *rd,
		       const char *id, const char *action, struct err *err);

/* The row 'id' as a body, or NULL with 404 "<Title> <id> could not be found." when it
 * does not exist or the caller may not see it (caller owns). Decorated. */
json_t *net_find(struct req *rq, struct db *db, const struct net_rdef *rd, const char *id,
		 struct err *err);
/* The same without the visibility check (internal lookups); NULL and 404 when absent. */
json_t *net_get(struct req *rq, struct db *db, const struct net_rdef *rd, const char *id,
		struct err *err);
/* Keeps in each object of 'items' only the keys ?fields= names (all when none); the
 * engine's lists and shows use it, and so do the resources it does not drive (agents, IP
 * availabilities). */
void net_keep_fields(struct req *rq, json_t *items);
/* Replies {"<name>": body} with 'status', the fields the caller asked for; steals 'body'. */
void net_reply_one(struct req *rq, const struct net_rdef *rd, int status, json_t *body);

/* The request body's {"<name>": {...}} checked against the table: unknown keys (400
 * "Unrecognized attribute(s) 'x'"), keys not settable now ('create' picks NAF_POST or
 * NAF_PUT), admin-only keys from others (403), types (NA_BOOL also takes "true"/"false"
 * strings and gives a bool). 'extra' lists further keys the resource handles itself
 * (NULL-terminated, may be NULL). Borrowed from the request. */
json_t *net_body(struct req *rq, const struct net_rdef *rd, bool create,
		 const char *const *extra, struct err *err);
/* The items of a create body: {"<name>": {...}} gives one, {"<plural>": [...]} (bulk)
 * gives each; returns a JSON array borrowed from the request (400 when neither). */
json_t *net_body_items(struct req *rq, const struct net_rdef *rd, struct err *err);
/* Checks one item as net_body does (for bulk creates). */
int net_check_item(struct req *rq, const struct net_rdef *rd, json_t *item, bool create,
		   const char *const *extra, struct err *err);

/* Inserts a row: 'vals' maps attribute names (of the table, plus "id" and "project_id")
 * to values; absent ones take the column's default. Sets created_at, updated_at and
 * revision_number 0. Conflicts are 409 from the database. */
int net_insert(struct db *db, const struct net_rdef *rd, const json_t *vals, struct err *err);
/* Updates the attributes in 'vals' of row 'id' and bumps revision_number and updated_at
 * (even when 'vals' is empty: the resource changed through a sub-resource). */
int net_update(struct db *db, const struct net_rdef *rd, const char *id, const json_t *vals,
	       struct err *err);
/* Deletes row 'id' and its tags. Returns rows deleted (0 or 1) or -1. */
int net_delete_row(struct db *db, const struct net_rdef *rd, const char *id,
		   struct err *err);

/* The text a value is stored as (arena of rq): NULL for null, "1"/"0" for booleans. */
const char *net_db_text(struct req *rq, const struct net_attr *a, const json_t *v);
/* The attribute named 'name', or NULL. */
const struct net_attr *net_attr_find(const struct net_rdef *rd, const char *name);

/* Tags: GET/PUT/DELETE /v2.0/<plural>/{id}/tags[/{tag}] for every resource with tags.
 * 'rdefs' is NULL-terminated; the routes are in net_tag_routes (api_tags.c). */
extern const struct net_rdef *const net_tagged[];

/* 409 with Neutron's words when the request asks to create or change something the quota
 * of 'project' for 'resource' ("network", "port"...) does not leave room for: 'adding'
 * more than the count the table holds for the project. */
int net_quota_check(struct db *db, const char *project, const char *resource, int adding,
		    struct err *err);

/* The sync worker's kick: the data plane has something to converge (cheap). */
void net_changed(void);

#endif
