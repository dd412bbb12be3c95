/* The image_task table's SQL. */
#include "image/tasks_db.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/sqlb.h"
#include "core/util.h"

#define TASK_COLS                                                                        \
	"SELECT id, type, status, owner, image_id, request_id, user_id, input, result,"    \
	" message, expires_at, created_at, updated_at FROM image_task"

/* A task is gone once it expired (Glance soft-deletes it then). */
#define UNEXPIRED " (expires_at IS NULL OR expires_at > CAST(? AS BIGINT))"

static const struct {
	const char *key, *expr;
	bool numeric;
} sort_cols[] = {
	{ "created_at", "created_at", true }, { "updated_at", "updated_at", true },
	{ "id", "id", false },                { "status", "status", false },
	{ "type", "type", false },            { "owner", "COALESCE(owner, '')", false },
};

const char *const image_task_sort_keys[] = { "created_at", "updated_at", "id", "status",
					     "type",       "owner",      NULL };

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A JSON column: the object it holds, else null. */
static json_t *blob(const char *s)
{
	json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;

	if (json_is_object(v))
		return v;
	json_decref(v);
	return json_null();
}

static json_t *task_row(const struct db_res *res, int i)
{
	const char *msg = db_res_str(res, i, 9);

	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:I,s:I}", "id",
			 db_res_str(res, i, 0), "type", db_res_str(res, i, 1), "status",
			 db_res_str(res, i, 2), "owner", str_or_null(db_res_str(res, i, 3)),
			 "image_id", str_or_null(db_res_str(res, i, 4)), "request_id",
			 str_or_null(db_res_str(res, i, 5)), "user_id",
			 str_or_null(db_res_str(res, i, 6)), "input", blob(db_res_str(res, i, 7)),
			 "result", blob(db_res_str(res, i, 8)), "message", msg ? msg : "",
			 "expires_at",
			 db_res_str(res, i, 10) ? json_integer(db_res_int(res, i, 10))
						: json_null(),
			 "created_at", (json_int_t)db_res_int(res, i, 11), "updated_at",
			 (json_int_t)db_res_int(res, i, 12));
}

static json_t *task_rows(struct db_res *res)
{
	json_t *list = json_array();

	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, task_row(res, i));
	db_res_free(res);
	return list;
}

int image_task_db_insert(struct db *db, const struct image_task_new *t, struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	char *input = t->input ? json_dumps(t->input, JSON_COMPACT) : NULL;
	int rc;

	/* the sweep Glance does as it lists: expired tasks go */
	rc = db_exec(db, err,
		     "DELETE FROM image_task WHERE expires_at IS NOT NULL AND"
		     " expires_at <= CAST(? AS BIGINT)",
		     DBP(now));
	if (rc >= 0)
		rc = db_exec(db, err,
			     "INSERT INTO image_task (id, type, status, owner, image_id,"
			     " request_id, user_id, input, message, created_at, updated_at)"
			     " VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, '', ?, ?)",
			     DBP(t->id, t->type, t->owner, t->image_id, t->request_id, t->user_id,
				 input, now, now));
	free(input);
	free(now);
	return rc < 0 ? -1 : 0;
}

int image_task_db_progress(struct db *db, const char *image_id, const char *status,
			   const json_t *result, const char *message, struct err *err)
{
	int64_t us = util_now_us();
	char *now = xasprintf("%" PRId64, us);
	char *expires = NULL, *res = NULL;
	int rc;

	if (strcmp(status, "success") == 0 || strcmp(status, "failure") == 0) {
		expires = xasprintf("%" PRId64, (int64_t)(us + IMAGE_TASK_TTL_US));
		res = result ? json_dumps(result, JSON_COMPACT) : NULL;
		rc = db_exec(db, err,
			     "UPDATE image_task SET status = ?, result = ?, message = ?,"
			     " expires_at = ?, updated_at = ? WHERE image_id = ? AND"
			     " status IN ('pending', 'processing')",
			     DBP(status, res, message ? message : "", expires, now, image_id));
	} else {
		rc = db_exec(db, err,
			     "UPDATE image_task SET status = ?, updated_at = ? WHERE image_id = ?"
			     " AND status IN ('pending', 'processing')",
			     DBP(status, now, image_id));
	}
	free(res);
	free(expires);
	free(now);
	return rc;
}

json_t *image_task_db_find(struct db *db, const char *id, struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	struct db_res *res = db_query(db, err, TASK_COLS " WHERE id = ? AND" UNEXPIRED,
				      DBP(id, now));
	json_t *t = NULL;

	free(now);
	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		err_set(err, ERR_NOT_FOUND, "Task with the given id %s was not found", id);
	else
		t = task_row(res, 0);
	db_res_free(res);
	return t;
}

json_t *image_task_db_list_image(struct db *db, const char *image_id, const char *owner,
				 struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	struct db_res *res;

	if (owner != NULL)
		res = db_query(db, err,
			       TASK_COLS " WHERE image_id = ? AND (owner IS NULL OR owner = ?) AND"
			       UNEXPIRED " ORDER BY created_at, id",
			       DBP(image_id, owner, now));
	else
		res = db_query(db, err,
			       TASK_COLS " WHERE image_id = ? AND" UNEXPIRED
			       " ORDER BY created_at, id",
			       DBP(image_id, now));
	free(now);
	return res ? task_rows(res) : NULL;
}

json_t *image_task_db_list(struct db *db, const struct image_task_filter *f, struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	const char *expr = NULL, *op = f->desc ? "<" : ">";
	bool numeric = false;
	char *mval = NULL, *text, limit[16];
	struct db_res *res = NULL;
	struct sqlb sb;

	for (size_t i = 0; i < sizeof(sort_cols) / sizeof(sort_cols[0]); i++)
		if (strcmp(sort_cols[i].key, f->sort_key) == 0) {
			expr = sort_cols[i].expr;
			numeric = sort_cols[i].numeric;
		}
	if (expr == NULL) {
		free(now);
		err_set(err, ERR_BAD_REQUEST, "Sort key supplied was not valid.");
		return NULL;
	}
	sqlb_init(&sb, TASK_COLS " WHERE" UNEXPIRED);
	sqlb_param(&sb, now);
	if (f->status)
		sqlb_add(&sb, " AND status = ?", f->status);
	if (f->type)
		sqlb_add(&sb, " AND type = ?", f->type);
	if (f->marker) {
		text = xasprintf("SELECT %s FROM image_task WHERE id = ? AND" UNEXPIRED, expr);
		res = db_query(db, err, text, DBP(f->marker, now));
		free(text);
		if (res == NULL)
			goto out;
		if (db_res_rows(res) == 0) {
			err_set(err, ERR_BAD_REQUEST, "Task with the given id %s was not found",
				f->marker);
			db_res_free(res);
			res = NULL;
			goto out;
		}
		mval = xstrdup(db_res_str(res, 0, 0));
		db_res_free(res);
		res = NULL;
		if (numeric)
			text = xasprintf(" AND (%s %s CAST(? AS BIGINT) OR (%s = CAST(? AS BIGINT)"
					 " AND id %s ?))",
					 expr, op, expr, op);
		else
			text = xasprintf(" AND (%s %s ? OR (%s = ? AND id %s ?))", expr, op, expr,
					 op);
		sqlb_text(&sb, text);
		free(text);
		sqlb_param(&sb, mval);
		sqlb_param(&sb, mval);
		sqlb_param(&sb, f->marker);
	}
	text = xasprintf(" ORDER BY %s %s, id %s LIMIT ", expr, f->desc ? "DESC" : "ASC",
			 f->desc ? "DESC" : "ASC");
	sqlb_text(&sb, text);
	free(text);
	snprintf(limit, sizeof(limit), "%d", f->limit);
	sqlb_text(&sb, limit);
	res = db_query(db, err, sb.sql, sb.params, sb.n);
out:
	sqlb_free(&sb);
	free(mval);
	free(now);
	return res ? task_rows(res) : NULL;
}
