#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/util.h"
#include "identity/identity.h"
#include "identity/identity_int.h"
#include "identity/tokens.h"

static char dir[64];

static int setup(void **state)
{
	struct err err = { 0 };

	(void)state;
	strcpy(dir, "/tmp/ciel-tok-XXXXXX");
	if (mkdtemp(dir) == NULL || ident_keys_setup(dir, &err) < 0 ||
	    ident_keys_load(dir, &err) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char p[128];

	(void)state;
	ident_keys_unload();
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%d", dir, i);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static void sample(struct ident_token *t)
{
	unsigned char a[16];

	memset(t, 0, sizeof(*t));
	util_uuid_hex(t->user_id);
	t->methods = METHOD_PASSWORD | METHOD_TOKEN;
	t->scope = SCOPE_PROJECT;
	util_uuid_hex(t->scope_id);
	t->issued_us = 1700000000123456LL;
	t->expires_us = t->issued_us + 3600000000LL;
	util_random(a, sizeof(a));
	util_b64url_encode(a, sizeof(a), t->audit_id, false);
}

static void round_trip(void **state)
{
	struct ident_token t, u;
	char *s;

	(void)state;
	sample(&t);
	s = ident_token_encode(&t);
	assert_true(strlen(s) < 255); /* fits where clients expect a Keystone token */
	assert_int_equal(ident_token_decode(s, &u), 0);
	assert_string_equal(u.user_id, t.user_id);
	assert_string_equal(u.scope_id, t.scope_id);
	assert_int_equal(u.scope, SCOPE_PROJECT);
	assert_int_equal(u.methods, t.methods);
	assert_int_equal(u.issued_us, t.issued_us);
	assert_int_equal(u.expires_us, t.expires_us);
	assert_string_equal(u.audit_id, t.audit_id);
	assert_string_equal(u.parent_audit_id, "");
	free(s);
}

static void non_uuid_ids_and_parent(void **state)
{
	struct ident_token t, u;
	unsigned char a[16];
	char *s;

	(void)state;
	sample(&t);
	t.scope = SCOPE_DOMAIN;
	strcpy(t.scope_id, "default");
	t.methods = METHOD_APPCRED;
	strcpy(t.app_cred_id, "0123456789abcdef0123456789ABCDEF"); /* not lowercase hex */
	util_random(a, sizeof(a));
	util_b64url_encode(a, sizeof(a), t.parent_audit_id, false);
	s = ident_token_encode(&t);
	assert_int_equal(ident_token_decode(s, &u), 0);
	assert_string_equal(u.scope_id, "default");
	assert_string_equal(u.app_cred_id, t.app_cred_id);
	assert_string_equal(u.parent_audit_id, t.parent_audit_id);
	free(s);
}

static void tampered_and_truncated(void **state)
{
	struct ident_token t, u;
	unsigned char payload[512];
	size_t n;
	char *s;

	(void)state;
	sample(&t);
	s = ident_token_encode(&t);
	s[40] = s[40] == 'x' ? 'y' : 'x';
	assert_int_equal(ident_token_decode(s, &u), -1);
	free(s);
	/* every truncation of a valid payload is refused by the unpacker */
	n = ident_token_pack(&t, payload, sizeof(payload));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ident_token_unpack(payload, i, &u), -1);
	assert_int_equal(ident_token_unpack(payload, n, &u), 0);
	payload[0] = 99; /* unknown version */
	assert_int_equal(ident_token_unpack(payload, n, &u), -1);
}

static void expired_is_refused(void **state)
{
	struct ident_token t;
	struct err err = { 0 };

	(void)state;
	sample(&t);
	t.expires_us = util_now_us() - 1;
	/* resolve checks expiry before touching the database */
	assert_int_equal(ident_token_resolve(NULL, &t, &err), -1);
	assert_int_equal(err.kind, ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(non_uuid_ids_and_parent),
		cmocka_unit_test(tampered_and_truncated),
		cmocka_unit_test(expired_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
