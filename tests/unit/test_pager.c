#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/http.h"
#include "core/pager.h"

static const char *q_limit, *q_marker;

static const char *fake_query(struct req *rq, const char *name)
{
	(void)rq;
	if (strcmp(name, "limit") == 0)
		return q_limit;
	if (strcmp(name, "marker") == 0)
		return q_marker;
	return NULL;
}

static int parse(const char *limit, const char *marker, struct pager *pg, struct err *err)
{
	struct req *rq = req_new(HTTP_GET, "/x");
	int rc;

	rq->test_query = fake_query;
	q_limit = limit;
	q_marker = marker;
	rc = pager_parse(rq, 25, 100, pg, err);
	req_free(rq);
	return rc;
}

static void limits(void **state)
{
	struct pager pg;
	struct err err = { 0 };

	(void)state;
	assert_int_equal(parse(NULL, NULL, &pg, &err), 0);
	assert_int_equal(pg.limit, 25);
	assert_null(pg.marker);
	assert_int_equal(parse("7", "abc", &pg, &err), 0);
	assert_int_equal(pg.limit, 7);
	assert_string_equal(pg.marker, "abc");
	assert_int_equal(parse("5000", NULL, &pg, &err), 0);
	assert_int_equal(pg.limit, 100);
	assert_int_equal(parse("-1", NULL, &pg, &err), -1);
	assert_int_equal(err.kind, ERR_BAD_REQUEST);
	err_clear(&err);
	assert_int_equal(parse("ten", NULL, &pg, &err), -1);
	err_clear(&err);
	assert_int_equal(parse("", NULL, &pg, &err), -1);
}

static void sorting(void **state)
{
	static const char *const allowed[] = { "name", "created_at", "id", NULL };
	struct sort_key keys[4];
	struct err err = { 0 };

	(void)state;
	assert_int_equal(pager_parse_sort("name,created_at", "desc", allowed, keys, 4, &err), 2);
	assert_string_equal(keys[0].key, "name");
	assert_true(keys[0].desc);
	assert_true(keys[1].desc); /* inherits the previous direction */
	assert_int_equal(pager_parse_sort("id", "asc", allowed, keys, 4, &err), 1);
	assert_false(keys[0].desc);
	assert_int_equal(pager_parse_sort(NULL, NULL, allowed, keys, 4, &err), 0);
	assert_int_equal(pager_parse_sort("password", NULL, allowed, keys, 4, &err), -1);
	assert_int_equal(err.kind, ERR_BAD_REQUEST);
	err_clear(&err);
	assert_int_equal(pager_parse_sort("id", "sideways", allowed, keys, 4, &err), -1);
	err_clear(&err);
	assert_int_equal(pager_parse_sort("id,id,id,id,id", NULL, allowed, keys, 4, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limits),
		cmocka_unit_test(sorting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
