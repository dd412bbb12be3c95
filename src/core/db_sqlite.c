/* SQLite engine: WAL, a busy timeout so writers queue instead of failing, and a small
 * cache of prepared statements per connection (most SQL is a string literal run often). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "db"
#include "core/db.h"
#include "core/db_impl.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"

#define STMT_CACHE 128

struct stmt_slot {
	char *sql;
	sqlite3_stmt *stmt;
};

struct db {
	sqlite3 *h;
	struct stmt_slot cache[STMT_CACHE];
};

static int fail(struct db *db, struct err *err, int rc, const char *what)
{
	int ext = sqlite3_extended_errcode(db->h);

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return err_set(err, ERR_CONFLICT, "Conflict occurred attempting to store data");
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return err_set(err, ERR_UNAVAILABLE, "The database is busy, try again");
	log_error("sqlite %s: %s", what, sqlite3_errmsg(db->h));
	return err_set(err, ERR_INTERNAL, "An unexpected error prevented the server from "
					  "fulfilling your request.");
}

static struct db *sq_open(const char *path, struct err *err)
{
	struct db *db = xcalloc(1, sizeof(*db));
	int rc = sqlite3_open_v2(path, &db->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					 SQLITE_OPEN_NOMUTEX,
				 NULL);

	if (rc != SQLITE_OK) {
		log_error("cannot open %s: %s", path, db->h ? sqlite3_errmsg(db->h) : "?");
		err_set(err, ERR_INTERNAL, "cannot open the database");
		sqlite3_close(db->h);
		free(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, 30000);
	/* secure_delete: a deleted or rewritten row (a credential re-encrypted, a revoked
	 * secret) is zeroed in the file, not left in a free page */
	sqlite3_exec(db->h,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     " PRAGMA foreign_keys=OFF; PRAGMA secure_delete=ON;",
		     NULL, NULL, NULL);
	return db;
}

static void sq_close(struct db *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(db->cache[i].stmt);
		free(db->cache[i].sql);
	}
	sqlite3_close(db->h);
	free(db);
}

static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static sqlite3_stmt *prepare(struct db *db, struct err *err, const char *sql)
{
	struct stmt_slot *slot = &db->cache[hash(sql) % STMT_CACHE];
	sqlite3_stmt *stmt;
	int rc;

	if (slot->sql != NULL && strcmp(slot->sql, sql) == 0) {
		sqlite3_reset(slot->stmt);
		sqlite3_clear_bindings(slot->stmt);
		return slot->stmt;
	}
	rc = sqlite3_prepare_v2(db->h, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		fail(db, err, rc, "prepare");
		return NULL;
	}
	sqlite3_finalize(slot->stmt);
	free(slot->sql);
	slot->sql = xstrdup(sql);
	slot->stmt = stmt;
	return stmt;
}

/* Each row's cells are copied into the result's arena (db_res_push): no allocation per
 * cell. sqlite3_column_text before sqlite3_column_bytes, as SQLite asks: the size is
 * then that of the text (integers and reals converted). */
static int sq_run(struct db *db, struct err *err, const char *sql, const char *const *params,
		  int n, struct db_res **res)
{
	sqlite3_stmt *stmt = prepare(db, err, sql);
	struct db_res *r = NULL;
	int rc, changes, cols;

	if (stmt == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		if (params[i] == NULL)
			sqlite3_bind_null(stmt, i + 1);
		else
			sqlite3_bind_text(stmt, i + 1, params[i], -1, SQLITE_STATIC);
	}
	cols = sqlite3_column_count(stmt);
	if (res != NULL)
		r = db_res_new(cols);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (r == NULL)
			continue;
		for (int c = 0; c < cols; c++) {
			const char *v = (const char *)sqlite3_column_text(stmt, c);
			db_res_push(r, v, v != NULL ? (size_t)sqlite3_column_bytes(stmt, c) : 0);
		}
		r->rows++;
	}
	if (rc != SQLITE_DONE) {
		db_res_free(r);
		fail(db, err, rc, "step");
		sqlite3_reset(stmt);
		return -1;
	}
	changes = sqlite3_changes(db->h);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (res != NULL)
		*res = r;
	return changes;
}

static int sq_script(struct db *db, struct err *err, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		sqlite3_free(msg);
		return fail(db, err, rc, "exec");
	}
	return 0;
}

static bool sq_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->h);
}

const struct db_ops db_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.run = sq_run,
	.script = sq_script,
	.begin_sql = "BEGIN IMMEDIATE",
	.in_transaction = sq_in_transaction,
};
