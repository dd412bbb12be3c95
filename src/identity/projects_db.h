#ifndef CIEL_IDENTITY_PROJECTS_DB_H
#define CIEL_IDENTITY_PROJECTS_DB_H

/* Projects and domains.
 *
 * Model. As in Keystone, a domain is a project acting as a domain: a row of table project
 * with is_domain = 1, domain_id = DOMAIN_ROOT and no parent. A regular project belongs to
 * exactly one domain and sits in a tree under it: a top-level project's parent_id is its
 * domain's id, so every project's chain of parents ends at its domain. Names are unique per
 * domain (domains among themselves form one namespace, under DOMAIN_ROOT). Tags live in
 * project_tag; attributes Keystone does not know are kept verbatim in the 'extra' column
 * and returned as top-level members.
 *
 * A project travels between the layers as Keystone's drivers pass it, a JSON "reference":
 *     {"id", "name", "domain_id" (null for a domain), "description", "enabled",
 *      "parent_id", "is_domain", "tags": [sorted], "options": {}, <extra members>...}
 *
 * Two layers share this header. projects_db.c holds every SQL statement and no rules: it
 * reads and writes references. The rules (hierarchy constraints, enable/disable, immutable
 * resources, what deleting takes with it) live in api_projects.c, which both the project and
 * the domain handlers call. Functions that write several statements expect the caller to
 * hold a transaction (db_begin) so that a failure changes nothing. */

#include <jansson.h>
#include <stdbool.h>

struct db;
struct err;
struct req;

/* ---- storage (projects_db.c) ---- */

/* List filters; NULL or -1 means "any". Tag filters are comma-separated tag lists:
 * tags (has all), tags_any (has one), not_tags (lacks one), not_tags_any (has none). */
struct ident_project_filter {
	const char *name, *domain_id, *parent_id;
	int enabled, is_domain;
	const char *tags, *tags_any, *not_tags, *not_tags_any;
	const char *marker; /* ids sort; rows after this id */
	int limit;          /* at most this many rows, 0: all */
};

/* The project (or domain) 'id' as a new reference (caller decrefs); NULL with ERR_NOT_FOUND
 * "Could not find project: <id>." when there is none. */
json_t *ident_project_get(struct db *db, const char *id, struct err *err);
/* The projects matching 'f', sorted by id, as a new array of references. */
json_t *ident_project_list(struct db *db, const struct ident_project_filter *f,
			   struct err *err);
/* The ancestors of 'id', nearest first, its domain last (new array; a broken or circular
 * chain ends the walk). */
json_t *ident_project_parents(struct db *db, const char *id, struct err *err);
/* The descendants of 'id', level by level (new array). */
json_t *ident_project_subtree(struct db *db, const char *id, struct err *err);
/* 1 if some project has 'id' as its parent, 0 if none, -1 on error. */
int ident_project_has_children(struct db *db, const char *id, struct err *err);

/* Inserts 'ref' and its tags. A taken name (or id) is ERR_CONFLICT from the database. */
int ident_project_insert(struct db *db, const json_t *ref, struct err *err);
/* Writes name, description, enabled, options, extra and the tags of 'ref' to its row. */
int ident_project_update(struct db *db, const json_t *ref, struct err *err);
/* Replaces the tags of project 'id' with the strings of 'tags'. */
int ident_project_set_tags(struct db *db, const char *id, const json_t *tags,
			   struct err *err);
/* Deletes project 'id' and what hangs off it: its tags, the role assignments on it, the
 * credentials and application credentials scoped to it; users whose default project it
 * was lose their default project. */
int ident_project_delete(struct db *db, const char *id, struct err *err);
/* Deletes domain 'id' and everything it owns: its projects (as above), its users and groups
 * with their memberships, assignments, credentials and application credentials, its
 * domain-specific roles with their assignments and implications, then the domain itself. */
int ident_domain_delete(struct db *db, const char *id, struct err *err);

/* ---- rules shared by the project and domain handlers (api_projects.c) ---- */

/* Checks the members of a project or domain object that jsonx_validate cannot: a name needs
 * a non-blank character, domain_id and parent_id look like ids, tags follow Keystone's tag
 * rules (at most 80 distinct tags of 1..255 characters without ',' or '/'), options holds
 * only "immutable" (boolean or null). 400 otherwise. */
int ident_project_members_check(const json_t *obj, struct err *err);

/* Creates a project or domain from the request object 'ref' (validated, "id" and
 * "is_domain" set; for a project "domain_id" and "parent_id" set) after Keystone's checks: a
 * domain must be a root; a project's domain must exist, its parent must exist in the same
 * domain, its branch must be enabled and not too deep. Fills in the defaults and strips the
 * name in 'ref'. A taken name is a 409 with Keystone's message. Takes its own transaction. */
int ident_project_create(struct db *db, json_t *ref, struct err *err);
/* Applies 'patch' (a validated request object) to the project or domain 'orig' after
 * Keystone's checks (immutable resources, domain_id, parent_id and is_domain unchanged, no
 * enabling under a disabled parent, no disabling over enabled children). Revokes the tokens
 * scoped to a project being disabled. Returns the stored result (caller decrefs) or NULL.
 * Takes its own transaction. */
json_t *ident_project_patch(struct db *db, const json_t *orig, const json_t *patch,
			    struct err *err);
/* Deletes the project or domain 'ref': a domain must be disabled first, a project must be a
 * leaf; neither may be immutable. Revokes the tokens scoped to a deleted project. Takes its
 * own transaction. */
int ident_project_remove(struct db *db, const json_t *ref, struct err *err);

/* The body of a list reply: {key: list, "links": {...}} where 'list' was read with one row
 * more than 'limit' (0: no limit): the extra row is dropped and announces a "next" link and
 * "truncated": true, as Keystone pages. Steals 'list'. */
json_t *ident_list_body(struct req *rq, const char *key, json_t *list, int limit);
/* Reads list paging (?limit, ?marker; conf.list_limit by default) into 'f'; the limit in 'f'
 * is one more than the page size so that ident_list_body can tell whether more follow. */
int ident_list_paging(struct req *rq, struct ident_project_filter *f, int *page,
		      struct err *err);

#endif
