/* Roles and implied-role rules: the SQL behind api_roles.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/roles_db.h"

#define ROLE_COLS(p) p "id, " p "name, " p "domain_id, " p "description, " p "options, " p "extra"
#define NCOLS 6
#define MAX_WALK 1024

/* The role in columns col..col+5 of 'row' as Keystone shows it. */
static json_t *role_from_row(const struct db_res *res, int row, int col)
{
	const char *domain = db_res_str(res, row, col + 2);
	const char *options = db_res_str(res, row, col + 4);
	json_t *opts = options ? json_loads(options, 0, NULL) : NULL;
	json_t *r = json_pack("{s:s,s:s}", "id", db_res_str(res, row, col), "name",
			      db_res_str(res, row, col + 1));

	if (!json_is_object(opts)) {
		json_decref(opts);
		opts = json_object();
	}
	jsonx_set_str_or_null(r, "domain_id",
			      domain == NULL || strcmp(domain, ROLE_GLOBAL) == 0 ? NULL : domain);
	jsonx_set_str_or_null(r, "description", db_res_str(res, row, col + 3));
	json_object_set_new(r, "options", opts);
	ident_merge_extra(r, db_res_str(res, row, col + 5));
	return r;
}

static json_t *roles_from_res(const struct db_res *res)
{
	json_t *list = json_array();

	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, role_from_row(res, i, 0));
	return list;
}

json_t *ident_role_find(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err, "SELECT " ROLE_COLS("") " FROM role WHERE id = ?",
				      DBP(id));
	json_t *r = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		err_set(err, ERR_NOT_FOUND, "Could not find role: %s.", id);
	else
		r = role_from_row(res, 0, 0);
	db_res_free(res);
	return r;
}

json_t *ident_role_list(struct db *db, const struct ident_role_filter *f, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	char limit[16];
	json_t *list;

	sqlb_init(&sb, "SELECT " ROLE_COLS("") " FROM role WHERE domain_id = ?");
	sqlb_param(&sb, f->domain_id ? f->domain_id : ROLE_GLOBAL);
	if (f->name)
		sqlb_add(&sb, " AND name = ?", f->name);
	if (f->marker)
		sqlb_add(&sb, " AND id > ?", f->marker);
	snprintf(limit, sizeof(limit), "%d", f->limit + 1);
	sqlb_add(&sb, " ORDER BY id LIMIT ?", limit);
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL)
		return NULL;
	list = roles_from_res(res);
	db_res_free(res);
	return list;
}

json_t *ident_role_list_ids(struct db *db, const json_t *ids, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	size_t i, n = 0;
	json_t *v, *list = json_array();

	/* chunks keep each statement under the builder's parameter cap */
	while (n < json_array_size(ids)) {
		sqlb_init(&sb, "SELECT " ROLE_COLS("") " FROM role WHERE id IN (");
		for (i = 0; n < json_array_size(ids) && i < SQLB_MAX_PARAMS; i++, n++) {
			v = json_array_get(ids, n);
			sqlb_add(&sb, i ? ", ?" : "?", json_string_value(v));
		}
		sqlb_text(&sb, ") ORDER BY name");
		res = db_query(db, err, sb.sql, sb.params, sb.n);
		sqlb_free(&sb);
		if (res == NULL) {
			json_decref(list);
			return NULL;
		}
		for (int r = 0; r < db_res_rows(res); r++)
			json_array_append_new(list, role_from_row(res, r, 0));
		db_res_free(res);
	}
	return list;
}

int ident_role_drop_domain_specific(struct db *db, json_t *roles, struct err *err)
{
	struct db_res *res = db_query(db, err, "SELECT id FROM role WHERE domain_id <> ?",
				      DBP(ROLE_GLOBAL));

	if (res == NULL)
		return -1;
	for (size_t i = json_array_size(roles); i-- > 0;) {
		const char *id = json_string_value(json_object_get(json_array_get(roles, i), "id"));
		for (int k = 0; k < db_res_rows(res); k++)
			if (str_eq(db_res_str(res, k, 0), id)) {
				json_array_remove(roles, i);
				break;
			}
	}
	db_res_free(res);
	return 0;
}

/* Runs a role write, turning a unique-key violation into Keystone's conflict message. */
static int role_write(struct db *db, const char *sql, const char *const *params, int n,
		      const struct ident_role_row *row, struct err *err)
{
	struct err first = { 0 };
	int rc = db_exec(db, &first, sql, params, n);

	if (rc >= 0)
		return rc;
	if (first.kind == ERR_CONFLICT) {
		if (row->domain_id)
			return err_set(err, ERR_CONFLICT,
				       "Conflict occurred attempting to store role - Duplicate "
				       "entry found with name %s at domain ID %s.",
				       row->name, row->domain_id);
		return err_set(err, ERR_CONFLICT,
			       "Conflict occurred attempting to store role - Duplicate entry "
			       "found with name %s.",
			       row->name);
	}
	*err = first;
	return -1;
}

int ident_role_insert(struct db *db, const struct ident_role_row *row, struct err *err)
{
	return role_write(db,
			  "INSERT INTO role (id, name, domain_id, description, options, extra)"
			  " VALUES (?, ?, ?, ?, ?, ?)",
			  DBP(row->id, row->name, row->domain_id ? row->domain_id : ROLE_GLOBAL,
			      row->description, row->options ? row->options : "{}",
			      row->extra ? row->extra : "{}"),
			  row, err) < 0
		       ? -1
		       : 0;
}

int ident_role_update(struct db *db, const struct ident_role_row *row, struct err *err)
{
	int rc = role_write(db,
			    "UPDATE role SET name = ?, description = ?, options = ?, extra = ?"
			    " WHERE id = ?",
			    DBP(row->name, row->description, row->options ? row->options : "{}",
				row->extra ? row->extra : "{}", row->id),
			    row, err);

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find role: %s.", row->id);
	return rc < 0 ? -1 : 0;
}

int ident_role_delete(struct db *db, const char *id, struct err *err)
{
	static const char *const sql[] = {
		"DELETE FROM assignment WHERE role_id = ?",
		"DELETE FROM implied_role WHERE prior_role_id = ? OR implied_role_id = ?",
		"DELETE FROM application_credential_role WHERE role_id = ?",
	};
	const char *two[] = { id, id };
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(sql); i++)
		if (db_exec(db, err, sql[i], two, i == 1 ? 2 : 1) < 0)
			return -1;
	rc = db_exec(db, err, "DELETE FROM role WHERE id = ?", DBP(id));
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find role: %s.", id);
	return rc < 0 ? -1 : 0;
}

int ident_implied_check(struct db *db, const char *prior, const char *implied,
			struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT 1 FROM implied_role WHERE prior_role_id = ?"
				      " AND implied_role_id = ?",
				      DBP(prior, implied));
	int found;

	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	if (!found)
		return err_set(err, ERR_NOT_FOUND, "%s does not imply %s.", prior, implied);
	return 0;
}

int ident_implied_insert(struct db *db, const char *prior, const char *implied,
			 struct err *err)
{
	struct err first = { 0 };

	if (db_exec(db, &first,
		    "INSERT INTO implied_role (prior_role_id, implied_role_id) VALUES (?, ?)",
		    DBP(prior, implied)) >= 0)
		return 0;
	if (first.kind == ERR_CONFLICT)
		return err_set(err, ERR_CONFLICT,
			       "Conflict occurred attempting to store implied_role - Duplicate "
			       "entry.");
	*err = first;
	return -1;
}

int ident_implied_delete(struct db *db, const char *prior, const char *implied,
			 struct err *err)
{
	int rc = db_exec(db, err,
			 "DELETE FROM implied_role WHERE prior_role_id = ? AND implied_role_id = ?",
			 DBP(prior, implied));

	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, "%s does not imply %s.", prior, implied);
	return rc < 0 ? -1 : 0;
}

int ident_implied_reaches(struct db *db, const char *from, const char *to, bool *found,
			  struct err *err)
{
	/* the rule set is small: read it once, then walk it breadth first */
	struct db_res *res = db_query(db, err,
				      "SELECT prior_role_id, implied_role_id FROM implied_role",
				      DBNONE);
	const char **queue;
	size_t head = 0, tail = 0, cap;

	if (res == NULL)
		return -1;
	*found = false;
	cap = (size_t)db_res_rows(res) + 1;
	queue = xcalloc(cap, sizeof(*queue));
	queue[tail++] = from;
	while (head < tail && !*found) {
		const char *cur = queue[head++];
		if (strcmp(cur, to) == 0) {
			*found = true;
			break;
		}
		for (int i = 0; i < db_res_rows(res); i++) {
			const char *next = db_res_str(res, i, 1);
			bool seen = false;
			if (strcmp(db_res_str(res, i, 0), cur) != 0)
				continue;
			for (size_t k = 0; k < tail && !seen; k++)
				seen = strcmp(queue[k], next) == 0;
			if (!seen && tail < cap && tail < MAX_WALK)
				queue[tail++] = next;
		}
	}
	free(queue);
	db_res_free(res);
	return 0;
}

json_t *ident_implied_list(struct db *db, const char *prior, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	json_t *list;

	sqlb_init(&sb, "SELECT " ROLE_COLS("p.") ", " ROLE_COLS("r.") " FROM implied_role i"
		       " JOIN role p ON p.id = i.prior_role_id"
		       " JOIN role r ON r.id = i.implied_role_id");
	if (prior)
		sqlb_add(&sb, " WHERE i.prior_role_id = ?", prior);
	sqlb_text(&sb, " ORDER BY p.id, r.name, r.id");
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, json_pack("{s:o,s:o}", "prior",
						      role_from_row(res, i, 0), "implied",
						      role_from_row(res, i, NCOLS)));
	db_res_free(res);
	return list;
}
