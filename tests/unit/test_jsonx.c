#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/jsonx.h"

static const struct jsonx_field fields[] = {
	{ "name", JX_STRING, true, 8, 1 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ "parent_id", JX_STRING | JX_NULL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static int check(const char *text, bool extra, struct err *err)
{
	json_t *o = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(o);
	err_clear(err);
	rc = jsonx_validate(o, fields, extra, err);
	json_decref(o);
	return rc;
}

static void validation(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(check("{\"name\":\"a\"}", false, &err), 0);
	assert_int_equal(check("{\"name\":\"a\",\"parent_id\":null,\"enabled\":true}", false,
			       &err),
			 0);
	assert_int_equal(check("{}", false, &err), -1);
	assert_non_null(strstr(err.msg, "'name' is a required property"));
	assert_int_equal(check("{\"name\":1}", false, &err), -1);
	assert_non_null(strstr(err.msg, "expected string"));
	assert_int_equal(check("{\"name\":\"\"}", false, &err), -1);
	assert_int_equal(check("{\"name\":\"123456789\"}", false, &err), -1);
	/* length counts characters, not bytes */
	assert_int_equal(check("{\"name\":\"\\u00e9\\u00e9\\u00e9\\u00e9\"}", false, &err), 0);
	assert_int_equal(check("{\"name\":\"a\",\"enabled\":\"yes\"}", false, &err), -1);
	assert_int_equal(check("{\"name\":\"a\",\"color\":\"red\"}", false, &err), -1);
	assert_non_null(strstr(err.msg, "color"));
	assert_int_equal(check("{\"name\":\"a\",\"color\":\"red\"}", true, &err), 0);
	assert_int_equal(err.kind, ERR_NONE);
}

static void getters(void **state)
{
	json_t *o = json_pack("{s:s,s:b,s:i}", "s", "v", "b", 0, "i", 3);

	(void)state;
	assert_string_equal(jsonx_str(o, "s"), "v");
	assert_null(jsonx_str(o, "i"));
	assert_false(jsonx_bool(o, "b", true));
	assert_true(jsonx_bool(o, "missing", true));
	jsonx_set_str_or_null(o, "n", NULL);
	assert_true(json_is_null(json_object_get(o, "n")));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validation),
		cmocka_unit_test(getters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
