#include <pthread.h>
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
#include "identity/identity.h"

static const struct db_migration migrations[] = {
	{ "test", 1, "CREATE TABLE item (id TEXT PRIMARY KEY, n INTEGER NOT NULL)" },
	{ "test", 2, "ALTER TABLE item ADD COLUMN note TEXT" },
	{ 0 },
};

static int setup(void **state)
{
	(void)state;
	return db_fixture_open(migrations);
}

static int teardown(void **state)
{
	(void)state;
	return db_fixture_close();
}

static void migrations_idempotent(void **state)
{
	struct err err = { 0 };
	struct db *db = db_get(&err);
	struct db_res *res;

	(void)state;
	assert_int_equal(db_migrate(migrations, &err), 0);
	assert_int_equal(db_migrate(ident_migrations, &err), 0);
	assert_int_equal(db_migrate(ident_migrations, &err), 0);
	res = db_query(db, &err, "SELECT count(*) FROM schema_migrations", DBNONE);
	assert_non_null(res);
	assert_true(db_res_int(res, 0, 0) >= 3);
	db_res_free(res);
}

static void query_params_and_nulls(void **state)
{
	struct err err = { 0 };
	struct db *db = db_get(&err);
	struct db_res *res;

	(void)state;
	assert_int_equal(db_exec(db, &err, "INSERT INTO item (id, n, note) VALUES (?, ?, ?)",
				 DBP("a", "1", NULL)),
			 1);
	assert_int_equal(db_exec(db, &err, "INSERT INTO item (id, n, note) VALUES (?, ?, ?)",
				 DBP("b'; DROP TABLE item; --", "2", "x")),
			 1);
	res = db_query(db, &err, "SELECT id, n, note FROM item ORDER BY n", DBNONE);
	assert_int_equal(db_res_rows(res), 2);
	assert_int_equal(db_res_cols(res), 3);
	assert_string_equal(db_res_str(res, 0, 0), "a");
	assert_int_equal(db_res_int(res, 0, 1), 1);
	assert_null(db_res_str(res, 0, 2));
	assert_string_equal(db_res_str(res, 1, 0), "b'; DROP TABLE item; --");
	db_res_free(res);
	/* unique violation is a conflict */
	assert_int_equal(db_exec(db, &err, "INSERT INTO item (id, n) VALUES (?, ?)",
				 DBP("a", "3")),
			 -1);
	assert_int_equal(err.kind, ERR_CONFLICT);
	/* a syntax error is internal, not a crash */
	err_clear(&err);
	assert_null(db_query(db, &err, "SELEKT nonsense", DBNONE));
	assert_int_equal(err.kind, ERR_INTERNAL);
}

static void rollback(void **state)
{
	struct err err = { 0 };
	struct db *db = db_get(&err);
	struct db_res *res;

	(void)state;
	assert_int_equal(db_begin(db, &err), 0);
	db_exec(db, &err, "INSERT INTO item (id, n) VALUES ('r', 9)", DBNONE);
	db_rollback(db);
	res = db_query(db, &err, "SELECT count(*) FROM item WHERE id = 'r'", DBNONE);
	assert_int_equal(db_res_int(res, 0, 0), 0);
	db_res_free(res);
}

#define WRITERS 8
#define PER_WRITER 150

static void *writer(void *arg)
{
	int w = (int)(intptr_t)arg;
	struct err err = { 0 };
	struct db *db = db_get(&err);
	char id[32];
	long failures = 0;

	for (int i = 0; i < PER_WRITER; i++) {
		snprintf(id, sizeof(id), "w%d-%d", w, i);
		/* read-modify-write in a transaction: a lost update would show in the sum */
		if (db_begin(db, &err) < 0 ||
		    db_exec(db, &err, "INSERT INTO item (id, n) VALUES (?, 1)", DBP(id)) < 0 ||
		    db_exec(db, &err, "UPDATE item SET n = n + 1 WHERE id = 'counter'", DBNONE) < 0 ||
		    db_commit(db, &err) < 0) {
			db_rollback(db);
			failures++;
			err_clear(&err);
		}
	}
	return (void *)failures;
}

static void concurrent_writers_lose_nothing(void **state)
{
	struct err err = { 0 };
	struct db *db = db_get(&err);
	pthread_t t[WRITERS];
	struct db_res *res;
	long failures = 0;

	(void)state;
	assert_int_equal(db_exec(db, &err, "INSERT INTO item (id, n) VALUES ('counter', 0)",
				 DBNONE),
			 1);
	for (int i = 0; i < WRITERS; i++)
		pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
	for (int i = 0; i < WRITERS; i++) {
		void *r;
		pthread_join(t[i], &r);
		failures += (long)r;
	}
	assert_int_equal(failures, 0);
	res = db_query(db, &err, "SELECT count(*) FROM item WHERE id LIKE 'w%'", DBNONE);
	assert_int_equal(db_res_int(res, 0, 0), WRITERS * PER_WRITER);
	db_res_free(res);
	res = db_query(db, &err, "SELECT n FROM item WHERE id = 'counter'", DBNONE);
	assert_int_equal(db_res_int(res, 0, 0), WRITERS * PER_WRITER);
	db_res_free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrations_idempotent),
		cmocka_unit_test(query_params_and_nulls),
		cmocka_unit_test(rollback),
		cmocka_unit_test(concurrent_writers_lose_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
