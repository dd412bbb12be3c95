/* The image list written as text (image_db_list_json) against the jansson path
 * (image_db_list + image_body): the same images, keys and values, over odd strings, the
 * calendar's corners and random times. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db_fixture.h"
#include "core/db.h"
#include "core/err.h"
#include "core/util.h"
#include "image/image.h"
#include "image/image_int.h"
#include "image/images_db.h"

static int setup(void **state)
{
	(void)state;
	return db_fixture_open(image_migrations);
}

static int teardown(void **state)
{
	(void)state;
	return db_fixture_close();
}

static void insert(struct db *db, int n, const char *name, long long created_us)
{
	struct err err = { 0 };
	char id[37], t[32];
	json_t *img;

	snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", n);
	img = json_pack("{s:s,s:s,s:s,s:i,s:i,s:b,s:b,s:[s,s],s:s,s:s}", "id", id, "owner",
			"p1", "visibility", n % 2 ? "public" : "private", "min_disk", n,
			"min_ram", 0, "protected", n % 3 == 0, "os_hidden", false, "tags", "a",
			name ? name : "none", "os_distro", "débian \"x\"", "k\\\x01\n", "v\t");
	if (name != NULL)
		json_object_set_new(img, "name", json_string(name));
	assert_int_equal(image_db_insert(db, img, &err), 0);
	snprintf(t, sizeof(t), "%lld", created_us);
	assert_int_equal(db_exec(db, &err, "UPDATE image SET created_at = ?, updated_at = ?"
					   " WHERE id = ?", DBP(t, t, id)),
			 1);
	if (n % 4 == 1)
		assert_int_equal(image_db_set_status(db, id, "queued", "saving", &err), 1);
	if (n % 4 == 1)
		assert_int_equal(image_db_set_data(db, id, 1234567890123ULL, n % 8 == 1 ? -1 : 42,
						   "md5", "sha", &err),
				 1);
	json_decref(img);
}

/* Lists every image both ways and compares them item by item. */
static void compare_all(struct db *db, int count)
{
	struct err err = { 0 };
	struct image_filter f = { .project = "p1", .member_status = "accepted",
				  .sort_key = "created_at", .desc = true };
	struct image_json out = { 0 };
	json_t *list, *text, *item;
	json_error_t jerr;
	char *next = NULL, *s;
	size_t i;

	f.limit = count + 1;
	list = image_db_list(db, &f, &err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), count);
	IMAGE_JSON_LIT(&out, "[");
	assert_int_equal(image_db_list_json(db, &f, count, &out, &next, &err), count);
	assert_null(next);
	IMAGE_JSON_LIT(&out, "]");
	s = image_json_take(&out);
	text = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	if (text == NULL)
		fail_msg("not JSON (%s): %.200s", jerr.text, s + jerr.position);
	assert_int_equal(json_array_size(text), count);
	json_array_foreach(list, i, item) {
		image_body(item);
		if (!json_equal(item, json_array_get(text, i))) {
			char *a = json_dumps(item, JSON_SORT_KEYS);
			char *b = json_dumps(json_array_get(text, i), JSON_SORT_KEYS);
			fail_msg("item %zu differs:\n%s\n%s", i, a, b);
		}
	}
	free(s);
	json_decref(text);
	json_decref(list);
}

static void list_text_equals_jansson(void **state)
{
	static const char *const names[] = {
		NULL, "plain", "q\"uo\"te", "back\\slash", "ctl\x01\x1f\n\t\b\f\r\x7f",
		"ünïcødé ✓ 𝄞 日本", "/slash/", "",
	};
	/* 1970, leap days, century years, the last second of 9999, and past it (years
	 * with five digits and times before 1970 take util_iso8601's way) */
	static const long long corners[] = {
		0LL, 999999LL, 951782400000000LL, 951868799999999LL, 4107542400000000LL,
		4102444799000000LL, 1709164800000000LL, 253402300799999999LL,
		253402300800000000LL, -1LL, -86400000001LL,
	};
	struct err err = { 0 };
	struct db *db = db_get(&err);
	int n = 0;

	(void)state;
	assert_non_null(db);
	for (size_t i = 0; i < ARRAY_SIZE(corners); i++, n++)
		insert(db, n, names[n % ARRAY_SIZE(names)], corners[i]);
	srand(42);
	for (int i = 0; i < 300; i++, n++) {
		long long us = ((long long)rand() << 31 | rand()) % 253402300800000000LL;
		insert(db, n, names[n % ARRAY_SIZE(names)], us);
	}
	compare_all(db, n);
}

static void list_json_pages(void **state)
{
	struct err err = { 0 };
	struct db *db = db_get(&err);
	struct image_filter f = { .project = "p1", .member_status = "accepted",
				  .sort_key = "created_at", .desc = true };
	struct image_json out = { 0 };
	char *next = NULL, *first;
	json_t *page;
	int total = 0;

	(void)state;
	assert_non_null(db);
	f.limit = 4;
	for (;;) {
		assert_true(image_db_list_json(db, &f, 3, &out, &next, &err) >= 0);
		first = image_json_take(&out);
		char *wrapped = xasprintf("[%s]", first); /* the items, separated by commas */
		page = json_loads(wrapped, JSON_REJECT_DUPLICATES, NULL);
		free(wrapped);
		assert_non_null(page);
		assert_true(json_array_size(page) <= 3);
		total += (int)json_array_size(page);
		json_decref(page);
		free(first);
		if (next == NULL)
			break;
		free((char *)f.marker);
		f.marker = next;
	}
	free((char *)f.marker);
	assert_int_equal(total, 11 + 300); /* what list_text_equals_jansson made */
	/* limit 0: nothing written, no next page */
	f.marker = NULL;
	f.limit = 1;
	assert_int_equal(image_db_list_json(db, &f, 0, &out, &next, &err), 0);
	assert_null(next);
	free(image_json_take(&out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_text_equals_jansson),
		cmocka_unit_test(list_json_pages),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
