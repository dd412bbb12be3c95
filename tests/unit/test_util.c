#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "core/util.h"

static void b64_round_trip(void **state)
{
	unsigned char in[40], out[40];
	char text[64];

	(void)state;
	for (size_t n = 0; n < sizeof(in); n++) {
		util_random(in, n);
		util_b64url_encode(in, n, text, n % 2 == 0);
		assert_int_equal(util_b64url_decode(text, strlen(text), out, sizeof(out)), n);
		assert_memory_equal(in, out, n);
		assert_null(strchr(text, '+'));
		assert_null(strchr(text, '/'));
	}
}

static void b64_rejects_garbage(void **state)
{
	unsigned char out[16];

	(void)state;
	assert_int_equal(util_b64url_decode("ab$d", 4, out, sizeof(out)), -1);
	assert_int_equal(util_b64url_decode("abcde", 5, out, sizeof(out)), -1);
	/* output buffer too small */
	assert_int_equal(util_b64url_decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAA", 28, out, 4), -1);
}

static void iso8601(void **state)
{
	char s[32];
	int64_t us;

	(void)state;
	util_iso8601(1700000000123456LL, 1, s);
	assert_string_equal(s, "2023-11-14T22:13:20.123456Z");
	util_iso8601(1700000000123456LL, 0, s);
	assert_string_equal(s, "2023-11-14T22:13:20Z");
	assert_int_equal(util_parse_iso8601("2023-11-14T22:13:20.123456Z", &us), 0);
	assert_int_equal(us, 1700000000123456LL);
	assert_int_equal(util_parse_iso8601("2023-11-14T22:13:20", &us), 0);
	assert_int_equal(us, 1700000000000000LL);
	assert_int_equal(util_parse_iso8601("2023-11-14T22:13:20.5+00:00", &us), 0);
	assert_int_equal(us, 1700000000500000LL);
	assert_int_equal(util_parse_iso8601("yesterday", &us), -1);
	assert_int_equal(util_parse_iso8601("2023-11-14T22:13:20Zjunk", &us), -1);
}

static void uuid_shape(void **state)
{
	char a[33], b[33], c[37];

	(void)state;
	util_uuid_hex(a);
	util_uuid_hex(b);
	assert_int_equal(strlen(a), 32);
	assert_true(util_is_hex(a, 32));
	assert_string_not_equal(a, b);
	assert_int_equal(a[12], '4');
	util_uuid(c);
	assert_int_equal(strlen(c), 36);
	assert_int_equal(c[8], '-');
	char d[37], e[37];
	util_uuid_fast(d);
	util_uuid_fast(e);
	assert_int_equal(strlen(d), 36);
	assert_int_equal(d[14], '4');
	assert_true(d[8] == '-' && d[13] == '-' && d[18] == '-' && d[23] == '-');
	assert_string_not_equal(d, e);
}

static void parse_bool(void **state)
{
	(void)state;
	assert_int_equal(util_parse_bool("True"), 1);
	assert_int_equal(util_parse_bool("0"), 0);
	assert_int_equal(util_parse_bool("maybe"), -1);
	assert_int_equal(util_parse_bool(NULL), -1);
}

/* util_utf8_scrub: valid text untouched; bad bytes become '?'; a cut sequence goes */
static void utf8_scrub(void **state)
{
	static const struct {
		const char *in, *out;
		bool valid;
	} cases[] = {
		{ "plain ascii", "plain ascii", true },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", true },
		{ "id %\xff", "id %?", false },                /* a raw byte from a path */
		{ "\x80\xbfx", "??x", false },                  /* stray continuation bytes */
		{ "ab\xc3", "ab", false },                      /* cut after the lead byte */
		{ "ab\xe2\x82", "ab", false },                  /* cut inside a 3-byte sequence */
		{ "ab\xf0\x9f\x98", "ab", false },
		{ "\xc0\xafx", "??x", false },                  /* overlong '/' */
		{ "\xe0\x80\xafx", "???x", false },             /* overlong, 3 bytes */
		{ "\xed\xa0\x80x", "???x", false },             /* a UTF-16 surrogate */
		{ "\xf4\x90\x80\x80x", "????x", false },        /* above U+10FFFF */
		{ "\xc3(x", "?(x", false },                     /* lead byte, no continuation */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[64];
		json_t *j;

		strcpy(buf, cases[i].in);
		assert_int_equal(util_utf8_scrub(buf), cases[i].valid);
		assert_string_equal(buf, cases[i].out);
		j = json_string(buf); /* jansson agrees it is UTF-8 now */
		assert_non_null(j);
		json_decref(j);
	}
}

/* a message cut at 255 bytes in the middle of 'é' (the auth methods finding) */
static void err_set_cuts_cleanly(void **state)
{
	struct err err = { 0 };
	char big[400] = "";
	json_t *j;

	(void)state;
	for (int i = 0; i < 150; i++)
		strcat(big, "\xc3\xa9");
	err_set(&err, ERR_BAD_REQUEST, "x%s", big); /* 'x' shifts the cut into a sequence */
	j = json_string(err.msg);
	assert_non_null(j);
	json_decref(j);
	assert_int_equal(strlen(err.msg), 255);
	assert_int_equal(strlen(err.msg) % 2, 1);
	err_clear(&err);
	err_set(&err, ERR_NOT_FOUND, "No image found with ID %s", "\xff\xfe");
	assert_string_equal(err.msg, "No image found with ID ??");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64_round_trip), cmocka_unit_test(b64_rejects_garbage),
		cmocka_unit_test(iso8601),        cmocka_unit_test(uuid_shape),
		cmocka_unit_test(parse_bool),     cmocka_unit_test(utf8_scrub),
		cmocka_unit_test(err_set_cuts_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
