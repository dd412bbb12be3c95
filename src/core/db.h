#ifndef CIEL_DB_H
#define CIEL_DB_H

/* Database access, the same for SQLite (embedded default, WAL) and PostgreSQL (libpq).
 *
 * SQL is written once with '?' placeholders and types both engines share (TEXT, INTEGER,
 * BIGINT; booleans are INTEGER 0/1). Parameters are always text (NULL is SQL NULL); the
 * engine converts them to the column's type. Results are read whole into a 'struct
 * db_res' of text cells: the tables of a control plane are small and this keeps callers
 * simple and the two engines identical.
 *
 * Each thread gets its own connection (db_get), opened on first use and closed by
 * db_close_all at shutdown. A unique-key violation is reported as ERR_CONFLICT, a timeout
 * on a locked database as ERR_UNAVAILABLE, anything else as ERR_INTERNAL (logged). */

#include <stdbool.h>
#include <stdint.h>

struct err;
struct db;
struct db_res;

enum db_kind { DB_SQLITE, DB_PG };

/* Remembers the connection URL ("sqlite:///abs/path", "sqlite://rel/path",
 * "postgresql://..." or any libpq conninfo starting with "postgres") and opens a first
 * connection to prove it works. */
int db_init(const char *url, struct err *err);
void db_close_all(void);
enum db_kind db_engine(void);

/* The calling thread's connection, opened on first use; NULL with err set on failure. */
struct db *db_get(struct err *err);

/* Runs one statement; returns rows changed (>= 0) or -1. */
int db_exec(struct db *db, struct err *err, const char *sql, const char *const *params,
	    int n);
/* Runs one query; returns the whole result (caller frees with db_res_free) or NULL. */
struct db_res *db_query(struct db *db, struct err *err, const char *sql,
			const char *const *params, int n);
/* Runs several ';'-separated statements without parameters (migrations). */
int db_exec_script(struct db *db, struct err *err, const char *sql);

/* Write transactions. SQLite takes the write lock at BEGIN (IMMEDIATE) so concurrent
 * writers wait for each other instead of failing midway. db_rollback is safe to call when
 * no transaction is open. */
int db_begin(struct db *db, struct err *err);
int db_commit(struct db *db, struct err *err);
void db_rollback(struct db *db);

/* A number that changes whenever this process writes to the database (any connection).
 * Caches of database-derived values compare it to know they are still good. Writes by
 * other processes or hosts are not seen: such caches also need a short TTL. (SQLite's
 * PRAGMA data_version would see other processes, but costs file locks on every call.) */
uint64_t db_generation(struct db *db);

int db_res_rows(const struct db_res *res);
int db_res_cols(const struct db_res *res);
/* Borrowed until db_res_free; NULL for SQL NULL. */
const char *db_res_str(const struct db_res *res, int row, int col);
long long db_res_int(const struct db_res *res, int row, int col);
bool db_res_bool(const struct db_res *res, int row, int col);
void db_res_free(struct db_res *res);

/* Parameter list helper: db_query(db, err, sql, DBP(a, b, c)). */
#define DBP(...)                                                                          \
	(const char *const[]){ __VA_ARGS__ },                                             \
		(int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
#define DBNONE NULL, 0

/* Versioned schema migrations, applied in order per component, each in a transaction. */
struct db_migration {
	const char *component;
	int version;
	const char *sql;
};
int db_migrate(const struct db_migration *list, struct err *err);

#endif
