#ifndef CIEL_IDENTITY_USERS_DB_H
#define CIEL_IDENTITY_USERS_DB_H

/* Users, groups and group membership in the database, and the rules Keystone calls security
 * compliance: account lockout after failed password authentications, password history,
 * minimum password age and password expiry ([security_compliance] in the config).
 *
 * A user row keeps the attributes Keystone indexes (name, domain_id, enabled,
 * default_project_id) and two JSON objects: 'extra' for the free-form attributes a client
 * sends (description, email, anything else) and 'options' for Keystone's user options.
 * Bodies returned here are the API's without "links": extra merged at the top level,
 * "options" and "password_expires_at" always present, never the password. Groups are the
 * same with a description column.
 *
 * Every function takes the caller's connection. Writes that must hold together run inside
 * the caller's transaction (db_begin/db_commit); none opens one itself. Unknown ids are
 * ERR_NOT_FOUND with Keystone's "Could not find user: <id>." message, duplicate names in a
 * domain ERR_CONFLICT. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct err;
struct req;

/* ---- users ---- */

/* The columns of a user as the API writes them. Strings are borrowed. */
struct ident_user_rec {
	const char *id, *name, *domain_id;
	const char *default_project_id; /* NULL: none */
	bool enabled;
	const char *extra;   /* JSON object text */
	const char *options; /* JSON object text */
};

/* A user list query; NULL strings and enabled = -1 do not filter. */
struct ident_list_filter {
	const char *name, *domain_id;
	int enabled;
	const char *group_id;      /* users: members of this group; */
	const char *user_id;       /* groups: groups this user belongs to */
	const char *expires_op;    /* SQL comparison on password_expires_at: "<", "<=", ... */
	int64_t expires_at;
	const char *marker;        /* the page starts after this id */
	int limit;                 /* 0: no limit */
	bool more;                 /* out: rows remain after the page */
};

/* The user's body (caller owns), or NULL with 404. */
json_t *ident_user_get(struct db *db, const char *id, struct err *err);
/* Users matching 'f', ordered by id, as an array of bodies (caller owns). */
json_t *ident_user_list(struct db *db, struct ident_list_filter *f, struct err *err);
/* Inserts a user without password; 409 "Conflict occurred attempting to store user..." */
int ident_user_insert(struct db *db, const struct ident_user_rec *u, struct err *err);
/* Rewrites name, enabled, default_project_id, extra and options of u->id. */
int ident_user_update(struct db *db, const struct ident_user_rec *u, struct err *err);
/* Deletes the user with its group memberships, role assignments, credentials, application
 * credentials and password history. 404 if there is no such user. */
int ident_user_delete(struct db *db, const char *id, struct err *err);
/* 0 if 'project_id' may be a default project (a domain may not: 400; an unknown id is
 * accepted, as Keystone does). */
int ident_user_check_default_project(struct db *db, const char *project_id, struct err *err);
/* The projects the user holds a role on, directly, through a group or inherited, as
 * project bodies without links (caller owns); 404 for an unknown user. */
json_t *ident_user_projects(struct db *db, const char *user_id, struct err *err);

/* ---- passwords and security compliance ---- */

/* Checks a new password against [security_compliance] password_regex and the maximum
 * length; 400 "Password validation error: ..." otherwise. */
int ident_password_validate(const char *password, struct err *err);

/* Password authentication of an existing user as Keystone does it, for POST /v3/auth/tokens
 * and for a password change:
 *   - a locked account (lockout_failure_attempts failures, the last one less than
 *     lockout_duration ago) is refused, 401 "The account is locked for user: <id>.",
 *     whatever the password; a lock that has run out is cleared;
 *   - a wrong password counts one failure (when lockout is on) and is refused with 401;
 *   - a disabled user is refused (401), and so is an expired password unless
 *     'allow_expired' (a user may still change an expired password);
 *   - success clears the failure count.
 * The option ignore_lockout_failure_attempts exempts a user from lockout and
 * ignore_password_expiry from expiry. Writes the counters itself (one statement each);
 * call it outside a transaction so that a failure is recorded even though the request
 * fails. */
int ident_user_authenticate(struct db *db, const char *user_id, const char *password,
			    bool allow_expired, struct err *err);

/* The self-service rules for a user changing its own password to 'password': the
 * lock_password option, minimum_password_age (when the current password was set by the
 * user) and unique_last_password_count (the new password differs from the current one and
 * those before it). 400 with Keystone's message when a rule refuses. Reads only. */
int ident_user_check_new_password(struct db *db, const char *user_id, const char *password,
				  struct err *err);

/* Sets the password hash of 'user_id' ('hash' from ident_hash_password; NULL removes the
 * password), keeps the replaced one in the history, sets the expiry from
 * password_expires_days (unless the user ignores expiry) and clears the failure count.
 * 'self_service': the user set it itself. */
int ident_user_set_password(struct db *db, const char *user_id, const char *hash,
			    bool self_service, struct err *err);

/* ---- groups ---- */

struct ident_group_rec {
	const char *id, *name, *domain_id, *description;
	const char *extra; /* JSON object text */
};

json_t *ident_group_get(struct db *db, const char *id, struct err *err);
/* Groups matching name, domain_id, user_id, marker and limit of 'f' (caller owns). */
json_t *ident_group_list(struct db *db, struct ident_list_filter *f, struct err *err);
int ident_group_insert(struct db *db, const struct ident_group_rec *g, struct err *err);
/* Rewrites name, description and extra of g->id. */
int ident_group_update(struct db *db, const struct ident_group_rec *g, struct err *err);
/* Deletes the group with its memberships and role assignments; '*had_roles' tells
 * whether any assignment went with it (its members' tokens then need revoking). */
int ident_group_delete(struct db *db, const char *id, bool *had_roles, struct err *err);

/* Adds a member (idempotent); 404 for an unknown group or user. */
int ident_group_add_user(struct db *db, const char *group_id, const char *user_id,
			 struct err *err);
/* 0 when the user is a member, else -1 with a 404 naming what is missing. */
int ident_group_check_user(struct db *db, const char *group_id, const char *user_id,
			   struct err *err);
int ident_group_remove_user(struct db *db, const char *group_id, const char *user_id,
			    struct err *err);

/* ---- request helpers shared by api_users.c and api_groups.c (defined in api_users.c) ---- */

/* The domain of a new user or group: its "domain_id", else the caller's domain scope, else
 * the default domain. Borrowed. */
const char *ident_new_domain(struct req *rq, const json_t *obj);
/* Reads ?domain_id= into f->domain_id; a domain-scoped caller sees only its domain (false:
 * the filter names another one, the list is empty). */
bool ident_list_domain(struct req *rq, struct ident_list_filter *f);
/* obj["name"] without surrounding white space (request arena); NULL with a 400 when only
 * white space remains, NULL without error when there is no name. */
const char *ident_check_name(struct req *rq, const json_t *obj, struct err *err);
/* 400 unless obj[field] is absent, null or an id ([a-zA-Z0-9-]+), as Keystone's id_string. */
int ident_check_id_field(const json_t *obj, const char *field, struct err *err);

/* Reads ?limit= and ?marker= into 'f' (limit bounded by [identity] list_limit). */
int ident_list_page(struct req *rq, struct ident_list_filter *f, struct err *err);
/* Replies {"<key>": list, "links": {...}} with a "next" link and "truncated" when the page
 * is full; every item gets its links under 'collection'. Steals 'list'. */
void ident_list_reply(struct req *rq, const char *key, const char *collection, json_t *list,
		      const struct ident_list_filter *f);

#endif
