#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/db.h"
#include "core/err.h"
#include "core/util.h"
#include "db_fixture.h"
#include "identity/fernet.h"
#include "identity/identity.h"
#include "identity/identity_int.h"
#include "identity/keys.h"

static char dir[64];

static bool exists(int n)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%d", dir, n);
	return access(p, F_OK) == 0;
}

static void remove_dir(void)
{
	char p[128];

	for (int i = 0; i < 8; i++) {
		snprintf(p, sizeof(p), "%s/%d", dir, i);
		unlink(p);
	}
	rmdir(dir);
}

static void setup_and_rotate(void **state)
{
	struct err err = { 0 };
	struct stat st;
	char *text, p[128];
	unsigned char out[64];
	uint64_t ts;

	(void)state;
	strcpy(dir, "/tmp/ciel-keys-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ident_keys_setup(dir, &err), 0);
	assert_true(exists(0) && exists(1) && !exists(2));
	snprintf(p, sizeof(p), "%s/1", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = util_read_file(p, NULL);
	assert_int_equal(strlen(text), 44); /* base64url of 32 bytes, padded */
	free(text);
	/* setup again keeps the keys */
	assert_int_equal(ident_keys_setup(dir, &err), 0);
	assert_false(exists(2));

	assert_int_equal(ident_keys_load(dir, &err), 0);
	char *old = ident_keys_encrypt("abc", 3, 1);

	/* rotate: staged 0 becomes primary 2, new 0 staged, 1 stays as secondary */
	assert_int_equal(ident_keys_rotate(dir, 3, &err), 0);
	assert_true(exists(0) && exists(1) && exists(2));
	assert_int_equal(ident_keys_load(dir, &err), 0);
	assert_int_equal(ident_keys_decrypt(old, out, sizeof(out), &ts), 3);
	/* one more rotation with max 3 drops key 1: the old token stops validating */
	assert_int_equal(ident_keys_rotate(dir, 3, &err), 0);
	assert_true(exists(0) && !exists(1) && exists(2) && exists(3));
	assert_int_equal(ident_keys_load(dir, &err), 0);
	assert_int_equal(ident_keys_decrypt(old, out, sizeof(out), &ts), -1);
	/* a token made with the staged key before rotation validates after it */
	free(old);
	ident_keys_unload();
	remove_dir();
}

static void staged_key_validates_before_promotion(void **state)
{
	struct err err = { 0 };
	unsigned char out[64], staged[FERNET_KEY_SIZE];
	uint64_t ts;
	char p[128], *text, *tok;

	(void)state;
	strcpy(dir, "/tmp/ciel-keys-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ident_keys_setup(dir, &err), 0);
	assert_int_equal(ident_keys_load(dir, &err), 0);
	/* another node that already rotated signs with our staged key 0: we must accept it */
	snprintf(p, sizeof(p), "%s/0", dir);
	text = util_read_file(p, NULL);
	assert_int_equal(util_b64url_decode(text, strlen(text), staged, sizeof(staged)),
			 FERNET_KEY_SIZE);
	tok = fernet_encrypt(staged, "x", 1, 1);
	assert_int_equal(ident_keys_decrypt(tok, out, sizeof(out), &ts), 1);
	free(tok);
	free(text);
	ident_keys_unload();
	remove_dir();
}

static void empty_repository_refused(void **state)
{
	struct err err = { 0 };

	(void)state;
	strcpy(dir, "/tmp/ciel-keys-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ident_keys_load(dir, &err), -1);
	assert_int_equal(ident_keys_rotate(dir, 3, &err), -1);
	rmdir(dir);
}

/* The credential keys: encrypt with the primary, decrypt with any key, name the key. */
static void credential_encrypt_decrypt(void **state)
{
	struct err err = { 0 };
	char hash[IDENT_KEY_HASH_SIZE], hash2[IDENT_KEY_HASH_SIZE], primary[IDENT_KEY_HASH_SIZE];
	char *sealed, *plain, *big, *sealed_big, *other;
	size_t big_size = 200000;

	(void)state;
	strcpy(dir, "/tmp/ciel-ckeys-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ident_keys_setup(dir, &err), 0);
	assert_int_equal(ident_credential_keys_load(dir, &err), 0);

	sealed = ident_credential_encrypt("{\"access\":\"a\",\"secret\":\"s3cr3t\"}", hash);
	assert_null(strstr(sealed, "s3cr3t"));
	assert_int_equal(strlen(hash), 64);
	ident_credential_primary_hash(primary);
	assert_string_equal(hash, primary);
	plain = ident_credential_decrypt(sealed);
	assert_string_equal(plain, "{\"access\":\"a\",\"secret\":\"s3cr3t\"}");
	free(plain);
	/* the same text twice: two ciphertexts (random IV), one key */
	other = ident_credential_encrypt("{\"access\":\"a\",\"secret\":\"s3cr3t\"}", hash2);
	assert_string_not_equal(sealed, other);
	assert_string_equal(hash, hash2);
	free(other);
	/* blobs far larger than a token; the empty string */
	big = malloc(big_size + 1);
	memset(big, 'x', big_size);
	big[big_size] = '\0';
	sealed_big = ident_credential_encrypt(big, hash2);
	plain = ident_credential_decrypt(sealed_big);
	assert_non_null(plain);
	assert_int_equal(strlen(plain), big_size);
	free(plain);
	free(big);
	other = ident_credential_encrypt("", hash2);
	plain = ident_credential_decrypt(other);
	assert_string_equal(plain, "");
	free(plain);
	free(other);
	/* tampered, truncated, garbage: nothing */
	other = strdup(sealed);
	other[strlen(other) - 5] = other[strlen(other) - 5] == 'A' ? 'B' : 'A';
	assert_null(ident_credential_decrypt(other));
	other[40] = '\0';
	assert_null(ident_credential_decrypt(other));
	free(other);
	assert_null(ident_credential_decrypt(""));
	assert_null(ident_credential_decrypt("not a token at all"));

	/* rotation: the old value still decrypts, new ones use the new primary */
	assert_int_equal(ident_keys_promote(dir, &err), 0);
	assert_int_equal(ident_credential_keys_load(dir, &err), 0);
	plain = ident_credential_decrypt(sealed);
	assert_non_null(plain);
	free(plain);
	plain = ident_credential_decrypt(sealed_big);
	assert_non_null(plain);
	free(plain);
	other = ident_credential_encrypt("new", hash2);
	assert_string_not_equal(hash, hash2);
	ident_credential_primary_hash(primary);
	assert_string_equal(hash2, primary);
	free(other);
	/* once the key that encrypted it is pruned, a value no longer decrypts */
	assert_int_equal(ident_keys_promote(dir, &err), 0);
	ident_keys_prune(dir, 3);
	assert_false(exists(1));
	assert_true(exists(0) && exists(2) && exists(3));
	assert_int_equal(ident_credential_keys_load(dir, &err), 0);
	assert_null(ident_credential_decrypt(sealed));
	assert_null(ident_secret_open(sealed, hash, &err));
	assert_int_equal(err.kind, ERR_INTERNAL);
	assert_null(strstr(err.msg, sealed));
	err_clear(&err);
	/* a value without a key hash was stored in clear by an older ciel */
	plain = ident_secret_open("clear text", NULL, &err);
	assert_string_equal(plain, "clear text");
	free(plain);
	free(sealed);
	free(sealed_big);
	ident_credential_keys_unload();
	remove_dir();
}

/* ident_secrets_migrate encrypts clear values and those under an older key, once. */
static void secrets_migrate(void **state)
{
	struct err err = { 0 };
	char hash[IDENT_KEY_HASH_SIZE], primary[IDENT_KEY_HASH_SIZE];
	struct db_res *res;
	struct db *db;
	char *sealed, *plain;

	(void)state;
	assert_int_equal(db_fixture_open(ident_migrations), 0);
	assert_non_null(db = db_get(&err));
	strcpy(dir, "/tmp/ciel-ckeys-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ident_keys_setup(dir, &err), 0);
	assert_int_equal(ident_credential_keys_load(dir, &err), 0);
	sealed = ident_credential_encrypt("under the old key", hash);
	assert_int_equal(db_exec(db, &err,
				 "INSERT INTO credential (id, user_id, type, blob, key_hash)"
				 " VALUES ('c1', 'u', 'totp', 'CLEARSEED', NULL),"
				 " ('c2', 'u', 'totp', ?, ?)",
				 DBP(sealed, hash)),
			 2);
	assert_int_equal(db_exec(db, &err,
				 "INSERT INTO consumer (id, secret) VALUES ('k1', 'clearsecret')",
				 DBNONE),
			 1);
	assert_int_equal(ident_keys_promote(dir, &err), 0);
	assert_int_equal(ident_credential_keys_load(dir, &err), 0);
	ident_credential_primary_hash(primary);

	assert_int_equal(ident_secrets_migrate(db, &err), 3);
	assert_int_equal(ident_secrets_migrate(db, &err), 0);
	res = db_query(db, &err,
		       "SELECT blob, key_hash FROM credential UNION ALL"
		       " SELECT secret, key_hash FROM consumer ORDER BY 1",
		       DBNONE);
	assert_non_null(res);
	assert_int_equal(db_res_rows(res), 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(db_res_str(res, i, 1), primary);
		assert_null(strstr(db_res_str(res, i, 0), "CLEAR"));
		assert_null(strstr(db_res_str(res, i, 0), "clear"));
		plain = ident_secret_open(db_res_str(res, i, 0), db_res_str(res, i, 1), &err);
		assert_non_null(plain);
		assert_true(strcmp(plain, "CLEARSEED") == 0 ||
			    strcmp(plain, "under the old key") == 0 ||
			    strcmp(plain, "clearsecret") == 0);
		free(plain);
	}
	db_res_free(res);
	free(sealed);
	ident_credential_keys_unload();
	remove_dir();
	db_fixture_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(setup_and_rotate),
		cmocka_unit_test(staged_key_validates_before_promotion),
		cmocka_unit_test(empty_repository_refused),
		cmocka_unit_test(credential_encrypt_decrypt),
		cmocka_unit_test(secrets_migrate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
