/* The identity schema. Times are BIGINT microseconds since the epoch; booleans INTEGER 0/1;
 * 'extra' holds a JSON object of the free-form attributes Keystone keeps per resource.
 * Global roles have domain_id '<<null>>' and domains have domain_id '<<keystone.domain.root>>',
 * as in Keystone, so that the unique keys hold. */
#include "core/db.h"
#include "identity/identity.h"

const struct db_migration ident_migrations[] = {
	{ "identity", 1,
	  "CREATE TABLE project ("
	  " id TEXT PRIMARY KEY, name TEXT NOT NULL, domain_id TEXT NOT NULL,"
	  " parent_id TEXT, description TEXT NOT NULL DEFAULT '',"
	  " enabled INTEGER NOT NULL DEFAULT 1, is_domain INTEGER NOT NULL DEFAULT 0,"
	  " extra TEXT NOT NULL DEFAULT '{}', options TEXT NOT NULL DEFAULT '{}',"
	  " created_at BIGINT NOT NULL DEFAULT 0,"
	  " UNIQUE (domain_id, name));"
	  "CREATE INDEX project_parent ON project (parent_id);"
	  "CREATE TABLE project_tag ("
	  " project_id TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (project_id, name));"
	  "CREATE TABLE users ("
	  " id TEXT PRIMARY KEY, name TEXT NOT NULL, domain_id TEXT NOT NULL,"
	  " enabled INTEGER NOT NULL DEFAULT 1, password TEXT,"
	  " password_created_at BIGINT, password_expires_at BIGINT,"
	  " default_project_id TEXT, extra TEXT NOT NULL DEFAULT '{}',"
	  " options TEXT NOT NULL DEFAULT '{}', created_at BIGINT NOT NULL DEFAULT 0,"
	  " last_active_at BIGINT,"
	  " UNIQUE (domain_id, name));"
	  "CREATE TABLE groups ("
	  " id TEXT PRIMARY KEY, name TEXT NOT NULL, domain_id TEXT NOT NULL,"
	  " description TEXT NOT NULL DEFAULT '', extra TEXT NOT NULL DEFAULT '{}',"
	  " UNIQUE (domain_id, name));"
	  "CREATE TABLE user_group ("
	  " user_id TEXT NOT NULL, group_id TEXT NOT NULL, PRIMARY KEY (user_id, group_id));"
	  "CREATE INDEX user_group_group ON user_group (group_id);"
	  "CREATE TABLE role ("
	  " id TEXT PRIMARY KEY, name TEXT NOT NULL, domain_id TEXT NOT NULL DEFAULT '<<null>>',"
	  " description TEXT, options TEXT NOT NULL DEFAULT '{}',"
	  " extra TEXT NOT NULL DEFAULT '{}', UNIQUE (domain_id, name));"
	  "CREATE TABLE implied_role ("
	  " prior_role_id TEXT NOT NULL, implied_role_id TEXT NOT NULL,"
	  " PRIMARY KEY (prior_role_id, implied_role_id));"
	  /* type: UserProject GroupProject UserDomain GroupDomain UserSystem GroupSystem;
	   * target_id 'system' for the system scope */
	  "CREATE TABLE assignment ("
	  " type TEXT NOT NULL, actor_id TEXT NOT NULL, target_id TEXT NOT NULL,"
	  " role_id TEXT NOT NULL, inherited INTEGER NOT NULL DEFAULT 0,"
	  " PRIMARY KEY (type, actor_id, target_id, role_id, inherited));"
	  "CREATE INDEX assignment_actor ON assignment (actor_id);"
	  "CREATE INDEX assignment_target ON assignment (target_id);"
	  "CREATE INDEX assignment_role ON assignment (role_id);"
	  "CREATE TABLE region ("
	  " id TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '',"
	  " parent_region_id TEXT, extra TEXT NOT NULL DEFAULT '{}');"
	  "CREATE TABLE service ("
	  " id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT, description TEXT,"
	  " enabled INTEGER NOT NULL DEFAULT 1, extra TEXT NOT NULL DEFAULT '{}');"
	  "CREATE TABLE endpoint ("
	  " id TEXT PRIMARY KEY, service_id TEXT NOT NULL, interface TEXT NOT NULL,"
	  " url TEXT NOT NULL, region_id TEXT, enabled INTEGER NOT NULL DEFAULT 1,"
	  " extra TEXT NOT NULL DEFAULT '{}');"
	  "CREATE TABLE credential ("
	  " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, project_id TEXT, type TEXT NOT NULL,"
	  " blob TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}');"
	  "CREATE INDEX credential_user ON credential (user_id);"
	  "CREATE TABLE application_credential ("
	  " id TEXT PRIMARY KEY, name TEXT NOT NULL, user_id TEXT NOT NULL, project_id TEXT,"
	  " secret_hash TEXT NOT NULL, description TEXT, expires_at BIGINT,"
	  " unrestricted INTEGER NOT NULL DEFAULT 0, system TEXT,"
	  " created_at BIGINT NOT NULL DEFAULT 0, UNIQUE (user_id, name));"
	  "CREATE TABLE application_credential_role ("
	  " application_credential_id TEXT NOT NULL, role_id TEXT NOT NULL,"
	  " PRIMARY KEY (application_credential_id, role_id));"
	  "CREATE TABLE revocation_event ("
	  " id TEXT PRIMARY KEY, user_id TEXT, project_id TEXT, domain_id TEXT,"
	  " audit_id TEXT, issued_before BIGINT NOT NULL, revoked_at BIGINT NOT NULL);"
	  "CREATE INDEX revocation_user ON revocation_event (user_id);"
	  "CREATE INDEX revocation_project ON revocation_event (project_id);"
	  "CREATE INDEX revocation_audit ON revocation_event (audit_id);" },
	/* security compliance: failed password authentications (lockout), whether the
	 * current password was set by its user (minimum age), and the passwords a user had
	 * before the current one (history) */
	{ "identity", 2,
	  "ALTER TABLE users ADD COLUMN failed_auth_count INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE users ADD COLUMN failed_auth_at BIGINT;"
	  "ALTER TABLE users ADD COLUMN password_self_service INTEGER NOT NULL DEFAULT 0;"
	  "CREATE TABLE password_history ("
	  " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, hash TEXT NOT NULL,"
	  " created_at BIGINT NOT NULL);"
	  "CREATE INDEX password_history_user ON password_history (user_id, created_at);" },
	/* application credential access rules (a user's, shared by its credentials), the
	 * policy blobs of /v3/policies, and OS-EP-FILTER endpoint groups */
	{ "identity", 3,
	  "CREATE TABLE access_rule ("
	  " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, service TEXT NOT NULL,"
	  " path TEXT NOT NULL, method TEXT NOT NULL,"
	  " UNIQUE (user_id, service, path, method));"
	  "CREATE TABLE application_credential_access_rule ("
	  " application_credential_id TEXT NOT NULL, access_rule_id TEXT NOT NULL,"
	  " seq INTEGER NOT NULL DEFAULT 0,"
	  " PRIMARY KEY (application_credential_id, access_rule_id));"
	  "CREATE INDEX appcred_access_rule_rule ON application_credential_access_rule"
	  " (access_rule_id);"
	  "CREATE TABLE policy ("
	  " id TEXT PRIMARY KEY, type TEXT NOT NULL, blob TEXT NOT NULL,"
	  " extra TEXT NOT NULL DEFAULT '{}');"
	  "CREATE TABLE endpoint_group ("
	  " id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT,"
	  " filters TEXT NOT NULL DEFAULT '{}');" },
	/* domain-specific configuration: a domain's identity driver options */
	{ "identity", 4,
	  "CREATE TABLE domain_config ("
	  " domain_id TEXT NOT NULL, group_name TEXT NOT NULL, option_name TEXT NOT NULL,"
	  " value TEXT NOT NULL, sensitive INTEGER NOT NULL DEFAULT 0,"
	  " PRIMARY KEY (domain_id, group_name, option_name));" },
	/* OS-TRUST: trusts and the roles they delegate */
	{ "identity", 5,
	  "CREATE TABLE trust ("
	  " id TEXT PRIMARY KEY, trustor_user_id TEXT NOT NULL, trustee_user_id TEXT NOT NULL,"
	  " project_id TEXT, impersonation INTEGER NOT NULL DEFAULT 0, expires_at BIGINT,"
	  " remaining_uses INTEGER, created_at BIGINT NOT NULL DEFAULT 0);"
	  "CREATE INDEX trust_trustor ON trust (trustor_user_id);"
	  "CREATE INDEX trust_trustee ON trust (trustee_user_id);"
	  "CREATE TABLE trust_role ("
	  " trust_id TEXT NOT NULL, role_id TEXT NOT NULL, PRIMARY KEY (trust_id, role_id));" },
	/* OS-OAUTH1 consumers; the secret as issued (an OAuth1 signature needs it) */
	{ "identity", 6,
	  "CREATE TABLE consumer ("
	  " id TEXT PRIMARY KEY, description TEXT, secret TEXT NOT NULL,"
	  " extra TEXT NOT NULL DEFAULT '{}');" },
	/* secrets at rest (secrets.c): the hash of the credential key that encrypted the
	 * value; NULL for a value stored in clear before, which the start encrypts */
	{ "identity", 7,
	  "ALTER TABLE credential ADD COLUMN key_hash TEXT;"
	  "ALTER TABLE consumer ADD COLUMN key_hash TEXT;" },
	{ 0 },
};
