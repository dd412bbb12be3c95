#include "core/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_impl.h"
#include "core/err.h"
#include "core/util.h"

static const struct db_ops *ops;
static char *target;
static enum db_kind engine;

/* Every open connection, so db_close_all can close those of finished threads too. */
struct conn {
	struct db *db;
	struct conn *next;
};
static struct conn *conns;
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct db *thread_db;
static uint64_t write_generation;

static void wrote(void)
{
	__atomic_add_fetch(&write_generation, 1, __ATOMIC_RELEASE);
}

uint64_t db_generation(struct db *db)
{
	(void)db;
	return __atomic_load_n(&write_generation, __ATOMIC_ACQUIRE);
}

int db_init(const char *url, struct err *err)
{
	struct db *db;

	free(target);
	target = NULL;
	if (strncmp(url, "sqlite://", 9) == 0) {
		ops = &db_sqlite_ops;
		engine = DB_SQLITE;
		target = xstrdup(url + 9);
	} else if (strncmp(url, "postgres", 8) == 0) {
		ops = &db_pg_ops;
		engine = DB_PG;
		target = xstrdup(url);
	} else {
		return err_set(err, ERR_BAD_REQUEST, "unsupported database URL");
	}
	db = db_get(err);
	return db ? 0 : -1;
}

enum db_kind db_engine(void)
{
	return engine;
}

struct db *db_get(struct err *err)
{
	struct conn *c;

	if (thread_db != NULL)
		return thread_db;
	BUG_ON(ops == NULL);
	thread_db = ops->open(target, err);
	if (thread_db == NULL)
		return NULL;
	c = xmalloc(sizeof(*c));
	c->db = thread_db;
	pthread_mutex_lock(&conns_lock);
	c->next = conns;
	conns = c;
	pthread_mutex_unlock(&conns_lock);
	return thread_db;
}

void db_close_all(void)
{
	pthread_mutex_lock(&conns_lock);
	while (conns != NULL) {
		struct conn *c = conns;
		conns = c->next;
		ops->close(c->db);
		free(c);
	}
	pthread_mutex_unlock(&conns_lock);
	thread_db = NULL;
	free(target);
	target = NULL;
}

int db_exec(struct db *db, struct err *err, const char *sql, const char *const *params,
	    int n)
{
	int changes = ops->run(db, err, sql, params, n, NULL);

	if (changes > 0)
		wrote();
	return changes;
}

struct db_res *db_query(struct db *db, struct err *err, const char *sql,
			const char *const *params, int n)
{
	struct db_res *res = NULL;

	if (ops->run(db, err, sql, params, n, &res) < 0)
		return NULL;
	return res;
}

int db_exec_script(struct db *db, struct err *err, const char *sql)
{
	int rc = ops->script(db, err, sql);

	wrote();
	return rc;
}

int db_begin(struct db *db, struct err *err)
{
	return ops->script(db, err, ops->begin_sql);
}

int db_commit(struct db *db, struct err *err)
{
	int rc = ops->script(db, err, "COMMIT");

	wrote();
	return rc;
}

void db_rollback(struct db *db)
{
	struct err ignored = { 0 };

	if (db != NULL && ops->in_transaction(db)) /* none open: nothing to undo, no noise */
		ops->script(db, &ignored, "ROLLBACK");
}

struct db_res *db_res_new(int cols)
{
	struct db_res *res = xcalloc(1, sizeof(*res));

	res->cols = cols;
	return res;
}

static size_t grown(size_t have, size_t need, size_t first)
{
	size_t cap = have ? have : first;

	while (cap < need)
		cap *= 2;
	return cap;
}

void db_res_reserve(struct db_res *res, size_t cells, size_t bytes)
{
	if (res->cap - res->n < cells) {
		res->cap = grown(res->cap, res->n + cells, 64);
		res->off = xrealloc(res->off, res->cap * sizeof(*res->off));
	}
	if (res->size - res->used < bytes) {
		res->size = grown(res->size, res->used + bytes, 1024);
		res->arena = xrealloc(res->arena, res->size);
	}
}

int db_res_rows(const struct db_res *res)
{
	return res->rows;
}

int db_res_cols(const struct db_res *res)
{
	return res->cols;
}

const char *db_res_str(const struct db_res *res, int row, int col)
{
	size_t off;

	BUG_ON(row < 0 || row >= res->rows || col < 0 || col >= res->cols);
	off = res->off[(size_t)row * (size_t)res->cols + (size_t)col];
	return off == DB_RES_NULL ? NULL : res->arena + off;
}

long long db_res_int(const struct db_res *res, int row, int col)
{
	const char *s = db_res_str(res, row, col);
	return s ? strtoll(s, NULL, 10) : 0;
}

bool db_res_bool(const struct db_res *res, int row, int col)
{
	const char *s = db_res_str(res, row, col);
	return s && (s[0] == '1' || s[0] == 't' || s[0] == 'T');
}

void db_res_free(struct db_res *res)
{
	if (res == NULL)
		return;
	free(res->off);
	free(res->arena);
	free(res);
}

int db_migrate(const struct db_migration *list, struct err *err)
{
	struct db *db = db_get(err);
	char ver[16];

	if (db == NULL)
		return -1;
	if (db_exec_script(db, err,
			   "CREATE TABLE IF NOT EXISTS schema_migrations ("
			   " component TEXT NOT NULL, version INTEGER NOT NULL,"
			   " PRIMARY KEY (component, version))") < 0)
		return -1;
	for (const struct db_migration *m = list; m->component != NULL; m++) {
		snprintf(ver, sizeof(ver), "%d", m->version);
		if (db_begin(db, err) < 0)
			return -1;
		struct db_res *res = db_query(
			db, err,
			"SELECT 1 FROM schema_migrations WHERE component = ? AND version = ?",
			DBP(m->component, ver));
		if (res == NULL)
			goto fail;
		int done = db_res_rows(res) > 0;
		db_res_free(res);
		if (!done) {
			if (db_exec_script(db, err, m->sql) < 0)
				goto fail;
			if (db_exec(db, err,
				    "INSERT INTO schema_migrations (component, version) "
				    "VALUES (?, ?)",
				    DBP(m->component, ver)) < 0)
				goto fail;
		}
		if (db_commit(db, err) < 0)
			goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	return -1;
}
