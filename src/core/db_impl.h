#ifndef CIEL_DB_IMPL_H
#define CIEL_DB_IMPL_H

/* Private to the database layer: the engine vtable and the result set. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct err;
struct db;

/* A result keeps all its cells in one arena: their text back to back, each NUL-terminated,
 * and an index of offsets into it, row-major. A whole result is three allocations (this
 * struct, the index, the arena) however many cells it has; db_res_free frees those. */
#define DB_RES_NULL SIZE_MAX /* the offset of an SQL NULL cell */

struct db_res {
	int rows, cols;
	size_t *off;	   /* one per cell pushed; DB_RES_NULL for SQL NULL */
	size_t n, cap;	   /* cells pushed, room in 'off' */
	char *arena;	   /* the cells' text */
	size_t used, size; /* bytes used, room in 'arena' */
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
	/* True while a transaction is open on 'db'. */
	bool (*in_transaction)(struct db *db);
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

/* An empty result of 'cols' columns and no rows; the engine pushes each row's cells in
 * order (db_res_push) and counts the row in 'rows'. */
struct db_res *db_res_new(int cols);
/* Makes room for at least 'cells' more cells and 'bytes' more bytes of text (NULs
 * included), so that pushes within that room do not reallocate. */
void db_res_reserve(struct db_res *res, size_t cells, size_t bytes);

/* Appends one cell: 'size' bytes of 'v' and a NUL, or SQL NULL when v == NULL. */
static inline void db_res_push(struct db_res *res, const char *v, size_t size)
{
	if (res->n == res->cap || (v != NULL && res->size - res->used <= size))
		db_res_reserve(res, 1, v != NULL ? size + 1 : 0);
	if (v == NULL) {
		res->off[res->n++] = DB_RES_NULL;
		return;
	}
	memcpy(res->arena + res->used, v, size);
	res->arena[res->used + size] = '\0';
	res->off[res->n++] = res->used;
	res->used += size + 1;
}

#endif
