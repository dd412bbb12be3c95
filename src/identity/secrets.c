/* Secrets at rest. What identity must read back (credential blobs, EC2 secrets and TOTP
 * seeds among them; OAuth1 consumer secrets, which sign requests) is stored encrypted with
 * the credential keys (<state_dir>/credential-keys, a Fernet repository apart from the
 * token keys), next to the hash of the key that encrypted it, as Keystone's credential
 * provider does. A NULL key hash marks a value an older ciel stored in clear: it is read
 * as is until ident_secrets_migrate, run at start and after each rotation, rewrites it.
 * Passwords and application-credential secrets are never read back: they stay bcrypt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "identity"
#include "core/db.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/keys.h"

/* Every encrypted column: a table with a TEXT primary key 'id' and a 'key_hash' column. */
static const struct {
	const char *table, *column;
} secret_columns[] = {
	{ "credential", "blob" },
	{ "consumer", "secret" },
};

char *ident_secret_open(const char *stored, const char *key_hash, struct err *err)
{
	char *plain;

	if (key_hash == NULL)
		return xstrdup(stored);
	plain = ident_credential_decrypt(stored);
	if (plain == NULL)
		err_set(err, ERR_INTERNAL,
			"A stored secret cannot be decrypted with the credential keys.");
	return plain;
}

/* Rewrites the values of one column not encrypted with the primary key; returns how many
 * it rewrote. A value no key opens is left as it is (its key is gone: nothing reads it). */
static int migrate_column(struct db *db, const char *table, const char *column,
			  const char *primary, struct err *err)
{
	char *sql = xasprintf("SELECT id, %s, key_hash FROM %s"
			      " WHERE key_hash IS NULL OR key_hash <> ?",
			      column, table);
	char *update = xasprintf("UPDATE %s SET %s = ?, key_hash = ? WHERE id = ?", table,
				 column);
	struct db_res *res = db_query(db, err, sql, DBP(primary));
	int done = 0, rc;

	for (int i = 0; res != NULL && i < db_res_rows(res); i++) {
		char hash[IDENT_KEY_HASH_SIZE], *plain, *sealed;
		const char *was = db_res_str(res, i, 2);

		plain = was ? ident_credential_decrypt(db_res_str(res, i, 1))
			    : xstrdup(db_res_str(res, i, 1));
		if (plain == NULL) {
			log_warn("%s %s: no credential key decrypts it", table,
				 db_res_str(res, i, 0));
			continue;
		}
		sealed = ident_credential_encrypt(plain, hash);
		explicit_bzero(plain, strlen(plain));
		free(plain);
		rc = db_exec(db, err, update, DBP(sealed, hash, db_res_str(res, i, 0)));
		free(sealed);
		if (rc < 0) {
			done = -1;
			break;
		}
		done++;
	}
	if (res == NULL)
		done = -1;
	db_res_free(res);
	free(update);
	free(sql);
	return done;
}

int ident_secrets_migrate(struct db *db, struct err *err)
{
	char primary[IDENT_KEY_HASH_SIZE];
	int total = 0, n;

	ident_credential_primary_hash(primary);
	if (db_begin(db, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(secret_columns); i++) {
		n = migrate_column(db, secret_columns[i].table, secret_columns[i].column, primary,
				   err);
		if (n < 0) {
			db_rollback(db);
			return -1;
		}
		total += n;
	}
	if (db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	if (total > 0)
		log_info("encrypted %d stored secrets with the primary credential key", total);
	return total;
}

int ident_credential_keys_rotate(const char *dir, int max_active, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || ident_keys_promote(dir, err) < 0 ||
	    ident_credential_keys_load(dir, err) < 0 || ident_secrets_migrate(db, err) < 0)
		return -1;
	/* a server that has not reloaded the keys yet still encrypts with the previous
	 * primary: it stays */
	ident_keys_prune(dir, max_active < 3 ? 3 : max_active);
	return 0;
}
