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

#include "core/err.h"
#include "core/util.h"
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
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%d", dir, i);
		unlink(p);
	}
	rmdir(dir);
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
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%d", dir, i);
		unlink(p);
	}
	rmdir(dir);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(setup_and_rotate),
		cmocka_unit_test(staged_key_validates_before_promotion),
		cmocka_unit_test(empty_repository_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
