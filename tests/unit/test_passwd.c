#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/conf.h"
#include "core/err.h"
#include "identity/identity_int.h"

static void bcrypt_round_trip(void **state)
{
	struct err err = { 0 };
	char *h, *h2;

	(void)state;
	conf_defaults();
	conf.password_hash_rounds = 4;
	h = ident_hash_password("s3cret", &err);
	assert_non_null(h);
	assert_true(strncmp(h, "$2b$04$", 7) == 0);
	assert_true(ident_check_password("s3cret", h));
	assert_false(ident_check_password("s3cret ", h));
	assert_false(ident_check_password("", h));
	/* salted: the same password hashes differently */
	h2 = ident_hash_password("s3cret", &err);
	assert_string_not_equal(h, h2);
	assert_true(ident_check_password("s3cret", h2));
	free(h);
	free(h2);
	conf_free();
}

static void default_cost_is_keystones(void **state)
{
	struct err err = { 0 };
	char *h;

	(void)state;
	conf_defaults();
	assert_int_equal(conf.password_hash_rounds, 12);
	h = ident_hash_password("pw", &err);
	assert_true(strncmp(h, "$2b$12$", 7) == 0);
	free(h);
	conf_free();
}

static void refuses_non_bcrypt(void **state)
{
	(void)state;
	assert_false(ident_check_password("pw", NULL));
	assert_false(ident_check_password("pw", "plain"));
	assert_false(ident_check_password("pw", "$6$salt$abc"));
	assert_false(ident_check_password(NULL, "$2b$04$abc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bcrypt_round_trip),
		cmocka_unit_test(default_cost_is_keystones),
		cmocka_unit_test(refuses_non_bcrypt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
