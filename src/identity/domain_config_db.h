#ifndef CIEL_IDENTITY_DOMAIN_CONFIG_DB_H
#define CIEL_IDENTITY_DOMAIN_CONFIG_DB_H

/* The domain_config table: a domain's own values for the identity-driver options Keystone
 * lets a domain override (api_domain_config.c knows which). One row per (domain, group,
 * option); the value is kept as JSON text so that numbers and lists come back as given.
 * Sensitive options (ldap password) are stored with 'sensitive' set and never read back
 * through the API.
 *
 * A config travels as {"<group>": {"<option>": value, ...}, ...}. Returned objects are new
 * references; the write functions open and close their own transaction. */

#include <jansson.h>
#include <stdbool.h>

struct db;
struct err;

/* The domain's options, narrowed to 'group' and 'option' when not NULL, as a config
 * object ({} when none); sensitive ones only when 'sensitive'. NULL on error. */
json_t *ident_domain_config_read(struct db *db, const char *domain_id, const char *group,
				 const char *option, bool sensitive, struct err *err);

/* Stores every option of 'config' (validated by the caller), each flagged by
 * is_sensitive(group, option). With 'replace' the domain's previous options all go first.
 * Returns how many options the domain had before (any kind), or -1. */
int ident_domain_config_write(struct db *db, const char *domain_id, const json_t *config,
			      bool replace, bool (*is_sensitive)(const char *, const char *),
			      struct err *err);

/* Deletes the domain's options, narrowed to 'group' and 'option' when not NULL. Returns
 * how many went, or -1. */
int ident_domain_config_delete(struct db *db, const char *domain_id, const char *group,
			       const char *option, struct err *err);

#endif
