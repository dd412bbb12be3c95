#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "identity/fernet.h"

static unsigned char keys[3][FERNET_KEY_SIZE];

static int setup(void **state)
{
	(void)state;
	util_random(keys, sizeof(keys));
	return 0;
}

static void round_trip(void **state)
{
	const char msg[] = "the payload";
	unsigned char out[64];
	uint64_t ts = 0;
	char *tok;

	(void)state;
	tok = fernet_encrypt(keys[0], msg, sizeof(msg), 1700000000);
	assert_non_null(tok);
	assert_true(strncmp(tok, "gAAAAA", 6) == 0);
	assert_int_equal(fernet_decrypt(keys, 3, tok, out, sizeof(out), &ts), sizeof(msg));
	assert_memory_equal(out, msg, sizeof(msg));
	assert_int_equal(ts, 1700000000);
	free(tok);
}

static void secondary_key_validates(void **state)
{
	unsigned char out[64];
	uint64_t ts;
	char *tok = fernet_encrypt(keys[2], "x", 1, 1);

	(void)state;
	assert_int_equal(fernet_decrypt(keys, 3, tok, out, sizeof(out), &ts), 1);
	/* a repository without that key refuses it */
	assert_int_equal(fernet_decrypt(keys, 2, tok, out, sizeof(out), &ts), -1);
	free(tok);
}

static void tampering_detected(void **state)
{
	unsigned char out[64];
	uint64_t ts;
	char *tok = fernet_encrypt(keys[0], "payload", 7, 1);
	size_t len = strlen(tok);

	(void)state;
	for (size_t i = 10; i < len; i += 7) {
		char saved = tok[i];
		tok[i] = saved == 'A' ? 'B' : 'A';
		assert_int_equal(fernet_decrypt(keys, 3, tok, out, sizeof(out), &ts), -1);
		tok[i] = saved;
	}
	tok[len - 3] = '\0';
	assert_int_equal(fernet_decrypt(keys, 3, tok, out, sizeof(out), &ts), -1);
	assert_int_equal(fernet_decrypt(keys, 3, "", out, sizeof(out), &ts), -1);
	assert_int_equal(fernet_decrypt(keys, 3, "not a token at all", out, sizeof(out), &ts),
			 -1);
	free(tok);
}

static void output_too_small(void **state)
{
	unsigned char out[4];
	uint64_t ts;
	char *tok = fernet_encrypt(keys[0], "0123456789abcdef0123", 20, 1);

	(void)state;
	assert_int_equal(fernet_decrypt(keys, 3, tok, out, sizeof(out), &ts), -1);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(secondary_key_validates),
		cmocka_unit_test(tampering_detected),
		cmocka_unit_test(output_too_small),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
