/* The image_member table's SQL. */
#include "image/members_db.h"

#include <inttypes.h>
#include <stdlib.h>

#include "core/db.h"
#include "core/err.h"
#include "core/util.h"

#define MEMBER_COLS "SELECT image_id, member, status, created_at, updated_at FROM image_member"

static int member_missing(const char *image_id, const char *member, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "%s not found in the member list of the image %s.",
		       member, image_id);
}

static json_t *iso(long long us)
{
	char buf[32];

	util_iso8601(us, 0, buf);
	return json_string(buf);
}

static json_t *member_row(const struct db_res *res, int i)
{
	return json_pack("{s:o,s:o,s:s,s:s,s:s,s:s}", "created_at", iso(db_res_int(res, i, 3)),
			 "updated_at", iso(db_res_int(res, i, 4)), "image_id",
			 db_res_str(res, i, 0), "member_id", db_res_str(res, i, 1), "status",
			 db_res_str(res, i, 2), "schema", "/v2/schemas/member");
}

json_t *image_member_db_find(struct db *db, const char *image_id, const char *member,
			     struct err *err)
{
	struct db_res *res = db_query(db, err, MEMBER_COLS " WHERE image_id = ? AND member = ?",
				      DBP(image_id, member));
	json_t *m = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		member_missing(image_id, member, err);
	else
		m = member_row(res, 0);
	db_res_free(res);
	return m;
}

json_t *image_member_db_list(struct db *db, const char *image_id, const char *only,
			     struct err *err)
{
	struct db_res *res;
	json_t *list;

	if (only != NULL)
		res = db_query(db, err,
			       MEMBER_COLS " WHERE image_id = ? AND member = ? ORDER BY created_at",
			       DBP(image_id, only));
	else
		res = db_query(db, err, MEMBER_COLS " WHERE image_id = ? ORDER BY created_at, member",
			       DBP(image_id));
	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, member_row(res, i));
	db_res_free(res);
	return list;
}

long image_member_db_count(struct db *db, const char *image_id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT COUNT(*) FROM image_member WHERE image_id = ?",
				      DBP(image_id));
	long n;

	if (res == NULL)
		return -1;
	n = (long)db_res_int(res, 0, 0);
	db_res_free(res);
	return n;
}

int image_member_db_insert(struct db *db, const char *image_id, const char *member,
			   struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	int rc = db_exec(db, err,
			 "INSERT INTO image_member (image_id, member, status, created_at,"
			 " updated_at) VALUES (?, ?, 'pending', ?, ?)",
			 DBP(image_id, member, now, now));

	free(now);
	if (rc < 0 && err->kind == ERR_CONFLICT) {
		err_clear(err);
		err_set(err, ERR_CONFLICT, "Member %s is duplicated for image %s", member,
			image_id);
	}
	return rc < 0 ? -1 : 0;
}

int image_member_db_set_status(struct db *db, const char *image_id, const char *member,
			       const char *status, struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	int rc = db_exec(db, err,
			 "UPDATE image_member SET status = ?, updated_at = ?"
			 " WHERE image_id = ? AND member = ?",
			 DBP(status, now, image_id, member));

	free(now);
	if (rc == 0)
		return member_missing(image_id, member, err);
	return rc < 0 ? -1 : 0;
}

int image_member_db_delete(struct db *db, const char *image_id, const char *member,
			   struct err *err)
{
	int rc = db_exec(db, err, "DELETE FROM image_member WHERE image_id = ? AND member = ?",
			 DBP(image_id, member));

	if (rc == 0)
		return member_missing(image_id, member, err);
	return rc < 0 ? -1 : 0;
}
