/* PostgreSQL engine through libpq: '?' placeholders become $1..$n, every value travels as
 * text and PostgreSQL infers its type from the column. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "db"
#include "core/db_impl.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"

struct db {
	PGconn *h;
};

static int fail(struct err *err, PGresult *r, PGconn *h, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (state != NULL && strcmp(state, "23505") == 0)
		return err_set(err, ERR_CONFLICT, "Conflict occurred attempting to store data");
	if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return err_set(err, ERR_UNAVAILABLE, "The database is busy, try again");
	log_error("postgresql %s: %s", what, PQerrorMessage(h));
	return err_set(err, ERR_INTERNAL, "An unexpected error prevented the server from "
					  "fulfilling your request.");
}

static struct db *pg_open(const char *conninfo, struct err *err)
{
	struct db *db = xcalloc(1, sizeof(*db));

	db->h = PQconnectdb(conninfo);
	if (PQstatus(db->h) != CONNECTION_OK) {
		log_error("cannot connect to postgresql: %s", PQerrorMessage(db->h));
		err_set(err, ERR_UNAVAILABLE, "cannot connect to the database");
		PQfinish(db->h);
		free(db);
		return NULL;
	}
	PQclear(PQexec(db->h, "SET client_min_messages TO warning"));
	return db;
}

static void pg_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->h);
	free(db);
}

/* '?' outside quotes becomes $n. */
static char *convert(const char *sql)
{
	size_t len = strlen(sql);
	char *out = xmalloc(len * 4 + 1);
	char *o = out;
	int n = 0;
	char quote = 0;

	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			*o++ = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			*o++ = *p;
		} else if (*p == '?') {
			o += sprintf(o, "$%d", ++n);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static int pg_run(struct db *db, struct err *err, const char *sql, const char *const *params,
		  int n, struct db_res **res)
{
	char *q = convert(sql);
	PGresult *r = PQexecParams(db->h, q, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int changes = 0;

	free(q);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		fail(err, r, db->h, "query");
		PQclear(r);
		return -1;
	}
	if (res != NULL) {
		int rows = PQntuples(r), cols = PQnfields(r);
		size_t bytes = 0;

		/* Sized first, so the arena and the index are allocated once. */
		for (int i = 0; i < rows; i++)
			for (int c = 0; c < cols; c++)
				if (!PQgetisnull(r, i, c))
					bytes += (size_t)PQgetlength(r, i, c) + 1;
		*res = db_res_new(cols);
		db_res_reserve(*res, (size_t)rows * (size_t)cols, bytes);
		for (int i = 0; i < rows; i++) {
			for (int c = 0; c < cols; c++) {
				if (PQgetisnull(r, i, c))
					db_res_push(*res, NULL, 0);
				else
					db_res_push(*res, PQgetvalue(r, i, c),
						    (size_t)PQgetlength(r, i, c));
			}
			(*res)->rows++;
		}
	}
	const char *t = PQcmdTuples(r);
	if (t && *t)
		changes = atoi(t);
	PQclear(r);
	return changes;
}

static int pg_script(struct db *db, struct err *err, const char *sql)
{
	PGresult *r = PQexec(db->h, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		fail(err, r, db->h, "exec");
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static bool pg_in_transaction(struct db *db)
{
	return PQtransactionStatus(db->h) != PQTRANS_IDLE;
}

const struct db_ops db_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.run = pg_run,
	.script = pg_script,
	.begin_sql = "BEGIN",
	.in_transaction = pg_in_transaction,
};
