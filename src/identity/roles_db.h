#ifndef CIEL_IDENTITY_ROLES_DB_H
#define CIEL_IDENTITY_ROLES_DB_H

/* Roles and implied-role rules in the database (tables role, implied_role).
 *
 * A role is read as the JSON object Keystone shows, without links:
 *     {"id", "name", "domain_id" (null for a global role), "description" (or null),
 *      "options": {...}, <extra attributes>}
 * A global role is stored with domain_id ROLE_GLOBAL; this file is the only place that
 * knows it. Every function returns 0 / a new reference, or -1 / NULL with 'err' set. */

#include <jansson.h>
#include <stdbool.h>

struct db;
struct err;

/* What a role row holds; strings borrowed from the caller. 'domain_id' NULL: global. */
struct ident_role_row {
	const char *id, *name, *domain_id, *description;
	const char *options; /* JSON object text */
	const char *extra;   /* JSON object text */
};

struct ident_role_filter {
	const char *name;      /* exact name, or NULL */
	const char *domain_id; /* NULL: global roles only */
	const char *marker;    /* list after this id, or NULL */
	int limit;             /* rows wanted; the query reads limit + 1 */
};

/* The role 'id' (new reference), or NULL with ERR_NOT_FOUND "Could not find role: <id>.". */
json_t *ident_role_find(struct db *db, const char *id, struct err *err);
/* Roles matching 'f' ordered by id, at most f->limit + 1 of them (new array). */
json_t *ident_role_list(struct db *db, const struct ident_role_filter *f, struct err *err);
/* The roles whose ids are in 'ids' (a JSON array of id strings), ordered by name. */
json_t *ident_role_list_ids(struct db *db, const json_t *ids, struct err *err);

/* Removes from 'roles' ([{"id", ...}]) the domain-specific ones: they only serve to imply
 * global roles and never reach a token (Keystone's _strip_domain_roles). */
int ident_role_drop_domain_specific(struct db *db, json_t *roles, struct err *err);

/* Inserts a role; a name taken in that domain is a 409. */
int ident_role_insert(struct db *db, const struct ident_role_row *row, struct err *err);
/* Rewrites every column of role row->id; a name taken is a 409. */
int ident_role_update(struct db *db, const struct ident_role_row *row, struct err *err);
/* Deletes the role, its assignments, the rules naming it and its place in application
 * credentials. Runs inside the caller's transaction. */
int ident_role_delete(struct db *db, const char *id, struct err *err);

/* ---- implied roles ---- */
/* 0 if 'prior' implies 'implied' directly, else ERR_NOT_FOUND "<prior> does not imply
 * <implied>.". */
int ident_implied_check(struct db *db, const char *prior, const char *implied,
			struct err *err);
/* Adds the rule; an existing rule is a 409. */
int ident_implied_insert(struct db *db, const char *prior, const char *implied,
			 struct err *err);
int ident_implied_delete(struct db *db, const char *prior, const char *implied,
			 struct err *err);
/* Sets *found when 'to' is reachable from 'from' by following rules (from itself counts). */
int ident_implied_reaches(struct db *db, const char *from, const char *to, bool *found,
			  struct err *err);
/* The rules as [{"prior": {role}, "implied": {role}}] ordered by prior id, then implied
 * name; only those of 'prior' when it is not NULL. */
json_t *ident_implied_list(struct db *db, const char *prior, struct err *err);

#endif
