#ifndef CIEL_DB_IMPL_H
#define CIEL_DB_IMPL_H

/* Private to the database layer: the engine vtable and the result set. */

struct err;
struct db;

struct db_res {
	int rows, cols;
	char **cells; /* rows * cols, NULL for SQL NULL */
};

struct db_ops {
	const char *name;
	struct db *(*open)(const char *target, struct err *err);
	void (*close)(struct db *db);
	/* Runs 'sql' with text params; fills *res when res != NULL; returns changes or -1. */
	int (*run)(struct db *db, struct err *err, const char *sql, const char *const *params,
		   int n, struct db_res **res);
	int (*script)(struct db *db, struct err *err, const char *sql);
	const char *begin_sql;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

struct db_res *db_res_new(int rows, int cols);

#endif
