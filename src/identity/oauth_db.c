/* The consumer table's SQL. */
#include "identity/oauth_db.h"

#include <stdlib.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "identity/identity_int.h"
#include "identity/keys.h"

/* The secret column is never selected: no reply after the create shows it. */
#define CONSUMER_COLS "SELECT id, description, extra FROM consumer"

static const char *const consumer_known[] = { "id", "description", "secret", "links", NULL };

static int consumer_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Could not find consumer: %s.", id);
}

static json_t *consumer_row(const struct db_res *res, int i)
{
	json_t *c = json_pack("{s:s}", "id", db_res_str(res, i, 0));

	jsonx_set_str_or_null(c, "description", db_res_str(res, i, 1));
	ident_merge_extra(c, db_res_str(res, i, 2));
	return c;
}

json_t *ident_consumer_find(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, CONSUMER_COLS " WHERE id = ?",
			      id, consumer_row, "consumer", err);
}

json_t *ident_consumer_list(struct db *db, struct err *err)
{
	struct db_res *res = db_query(db, err, CONSUMER_COLS " ORDER BY id", DBNONE);
	json_t *list;

	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, consumer_row(res, i));
	db_res_free(res);
	return list;
}

int ident_consumer_insert(struct db *db, const json_t *c, const char *secret, struct err *err)
{
	char hash[IDENT_KEY_HASH_SIZE];
	char *extra = ident_extra_from(c, consumer_known);
	char *sealed = ident_credential_encrypt(secret, hash);
	int rc = db_exec(db, err,
			 "INSERT INTO consumer (id, description, secret, key_hash, extra)"
			 " VALUES (?, ?, ?, ?, ?)",
			 DBP(jsonx_str(c, "id"), jsonx_str(c, "description"), sealed, hash,
			     extra));

	free(sealed);
	free(extra);
	return rc < 0 ? -1 : 0;
}

int ident_consumer_update(struct db *db, const json_t *c, struct err *err)
{
	char *extra = ident_extra_from(c, consumer_known);
	int rc = db_exec(db, err, "UPDATE consumer SET description = ?, extra = ? WHERE id = ?",
			 DBP(jsonx_str(c, "description"), extra, jsonx_str(c, "id")));

	free(extra);
	if (rc == 0)
		return consumer_missing(jsonx_str(c, "id"), err);
	return rc < 0 ? -1 : 0;
}

int ident_consumer_delete(struct db *db, const char *id, struct err *err)
{
	int rc = db_exec(db, err, "DELETE FROM consumer WHERE id = ?", DBP(id));

	if (rc == 0)
		return consumer_missing(id, err);
	return rc < 0 ? -1 : 0;
}
