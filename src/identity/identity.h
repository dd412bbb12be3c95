#ifndef CIEL_IDENTITY_H
#define CIEL_IDENTITY_H

/* The identity service (Keystone v3 under /identity).
 *
 * Model. Domains own projects, users, groups and (domain-specific) roles; a domain is
 * stored as a project with is_domain set, as Keystone does. A role assignment grants a role
 * to a user or group on a project, a domain or the system; "inherited" assignments flow down
 * the project tree. Roles may imply others (admin => member => reader). A token is a Fernet
 * token: the identity of the caller and its scope, encrypted and signed with the key
 * repository's keys, never stored; validation decrypts it and re-reads the caller's roles,
 * so a role removed is a role gone. Revocation events (user, project, audit id, issued
 * before T) end tokens early.
 *
 * Other services reach identity only through this header: the catalog entries they add at
 * start, and the caller identity in 'struct auth' that the router fills. */

#include "core/db.h"

struct err;
struct service;

extern const struct db_migration ident_migrations[];

/* Loads the token keys from <state_dir>/fernet-keys and the credential keys from
 * <state_dir>/credential-keys (creating either when empty), encrypts the stored secrets
 * not encrypted with the primary credential key, installs the token authenticator and
 * registers the /identity routes. */
int ident_init(struct err *err);
/* The /identity service's routes and policies (registered by ident_init). */
const struct service *ident_http_service(void);
void ident_shutdown(void);

/* Creates what a fresh cloud needs: domain Default, roles admin/member/reader/service
 * (admin implies member implies reader), project and user admin, project and user demo,
 * the identity service and its endpoints. Idempotent: existing objects are kept, the admin
 * password is reset to 'admin_password' when given. */
int ident_bootstrap(const char *admin_password, const char *demo_password, struct err *err);

/* The id of project 'name' in domain Default (e.g. "admin" after bootstrap); 0, or -1 with
 * ERR_NOT_FOUND when there is none. */
int ident_project_id(const char *name, char id[65], struct err *err);

/* Adds (or updates the URL of) a service and its public/internal/admin endpoints in the
 * region conf.region. */
int ident_catalog_ensure(const char *type, const char *name, const char *url,
			 struct err *err);

/* Key repository maintenance (ciel keys setup|rotate); setup serves both repositories. */
int ident_keys_setup(const char *dir, struct err *err);
int ident_keys_rotate(const char *dir, int max_active, struct err *err);
/* Rotates the credential keys in 'dir' (ciel keys credential-rotate): the staged key
 * becomes the primary, every stored secret is encrypted again with it, then the oldest
 * keys go (at least three stay: a server that has not reloaded them yet still encrypts
 * with the previous primary). Needs the database (db_init and migrations done). */
int ident_credential_keys_rotate(const char *dir, int max_active, struct err *err);

#endif
