/* Interoperable image import: /v2/images/{id}/stage, /v2/images/{id}/import and the
 * /v2/info/import and /v2/info/stores discovery documents.
 *
 * Only glance-direct is enabled: web-download, glance-download and copy-image need
 * outbound HTTP or several stores, which this cloud does not have, and Glance answers a
 * method it has not enabled as an unknown one. With a single store Glance serves no
 * store list (/v2/info/stores is a 404), and clients then wait for "active" alone. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "image"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/image_quota.h"
#include "image/images_db.h"
#include "image/staging.h"
#include "image/store.h"
#include "image/tasks_db.h"

static const char *const import_methods[] = { "glance-direct", NULL };
const char image_import_methods_header[] = "glance-direct"; /* the same, joined by ',' */

/* ---- stage ---- */

struct stage {
	char *id, *owner;
	struct store_writer *w;
	/* image_stage_total: bytes the owner has staged for other images, limit (-1: none),
	 * and the bytes of this stage so far */
	int64_t quota_used, quota_limit;
	uint64_t size;
};

/* The stage did not complete: the partial file goes, the image goes back to queued. */
static void stage_abort(struct req *rq)
{
	struct stage *st = rq->stream_ctx;
	struct err err = { 0 };
	struct db *db;

	if (st == NULL)
		return;
	rq->stream_ctx = NULL;
	if (st->w != NULL)
		store_abort(image_staging_store(), st->w);
	if ((db = db_get(&err)) == NULL ||
	    image_db_set_status(db, st->id, "uploading", "queued", &err) < 0)
		LOGM(LOG_WARN, rq->request_id, "image %s: %s", st->id, err.msg);
}

static void stage_free(void *arg)
{
	stage_abort(arg);
}

/* The size the client announces (Content-Length); 0 when it does not (chunked). */
static int announced_size(struct req *rq, int64_t *size, struct err *err)
{
	const char *h = req_header(rq, "Content-Length");
	char *end;
	long long v;

	*size = 0;
	if (h == NULL)
		return 0;
	errno = 0;
	v = strtoll(h, &end, 10);
	if (errno != 0 || end == h || *end != '\0' || v < 0)
		return err_set(err, ERR_BAD_REQUEST, "Invalid Content-Length");
	*size = v;
	return 0;
}

/* Glance's order: the staging quota with the announced size, then the move to
 * uploading, then the count of images uploading (which now includes this one). The
 * staging quota is checked again as the bytes arrive (stage_data): a chunked stage
 * announces nothing. */
static int stage_begin(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	const char *type = req_header(rq, "Content-Type");
	json_auto_t *img = NULL;
	const char *owner;
	struct stage *st;
	int64_t size, used, limit;
	int moved;

	if (db == NULL)
		return -1;
	if (type != NULL && *type != '\0' && strncmp(type, "application/octet-stream", 24) != 0)
		return err_set(err, ERR_UNSUPPORTED_MEDIA, "Unsupported Content-Type");
	if ((img = image_find_visible(rq, db, id, err)) == NULL)
		return -1;
	owner = jsonx_str(img, "owner");
	if (!image_can_modify(rq, img))
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to complete modify_image action.");
	if (announced_size(rq, &size, err) < 0 ||
	    image_quota_stage_usage(db, owner, &used, &limit, err) < 0 ||
	    image_quota_check_stage(owner, used, size, limit, err) < 0)
		return -1;
	if ((moved = image_db_set_status(db, id, "queued", "uploading", err)) < 0)
		return -1;
	if (moved == 0)
		return err_set(err, ERR_CONFLICT,
			       "Image status transition from %s to uploading is not allowed",
			       jsonx_str(img, "status"));
	st = req_alloc(rq, sizeof(*st));
	*st = (struct stage){ .id = req_strdup(rq, id), .owner = req_strdup(rq, owner),
			      .quota_used = used, .quota_limit = limit };
	rq->stream_ctx = st;
	req_on_free(rq, stage_free, rq);
	if (image_quota_check_uploading(db, owner, err) < 0 ||
	    (st->w = store_open_write(image_staging_store(), id, err)) == NULL) {
		stage_abort(rq);
		return -1;
	}
	return 0;
}

static int stage_data(struct req *rq, const char *buf, size_t size, struct err *err)
{
	struct stage *st = rq->stream_ctx;

	st->size += size;
	if (image_quota_check_stage(st->owner, st->quota_used, (int64_t)st->size,
				    st->quota_limit, err) < 0)
		return -1; /* the stream's abort removes what was written */
	return store_write(image_staging_store(), st->w, buf, size, err);
}

/* The whole body is in: the staged file becomes visible; the image stays uploading until
 * the import, its size the staged bytes (they count against image_stage_total). */
static int stage_finish(struct req *rq, struct err *err)
{
	struct stage *st = rq->stream_ctx;
	struct store_writer *w;
	struct db *db;

	BUG_ON(st == NULL);
	w = st->w;
	st->w = NULL;
	if (store_commit(image_staging_store(), w, err) < 0)
		return -1; /* the handler's failure runs stage_abort: back to queued */
	if ((db = db_get(err)) == NULL || image_db_set_staged(db, st->id, st->size, err) < 0) {
		struct err serr = { 0 };
		if (store_remove(image_staging_store(), st->id, &serr) < 0)
			LOGM(LOG_WARN, rq->request_id, "image %s: %s", st->id, serr.msg);
		return -1; /* stage_abort: back to queued */
	}
	rq->stream_ctx = NULL;
	reply_empty(rq, 204);
	return 0;
}

static const struct http_stream stage_stream = {
	.begin = stage_begin,
	.data = stage_data,
	.abort = stage_abort,
};

/* ---- import ---- */

/* Glance's checks of the request body, with its messages. Returns the method name
 * (borrowed from 'body'). */
static const char *import_method(json_t *body, struct err *err)
{
	json_t *method = json_is_object(body) ? json_object_get(body, "method") : NULL;
	json_t *name, *v;

	if (method == NULL) {
		err_set(err, ERR_BAD_REQUEST, "Import request requires a 'method' field.");
		return NULL;
	}
	name = json_is_object(method) ? json_object_get(method, "name") : NULL;
	if (name == NULL) {
		err_set(err, ERR_BAD_REQUEST, "Import request requires a 'name' field.");
		return NULL;
	}
	if (!json_is_string(name) || !image_in_list(import_methods, json_string_value(name))) {
		char *s = json_dumps(name, JSON_ENCODE_ANY);
		err_set(err, ERR_BAD_REQUEST, "Unknown import method name '%s'.",
			json_is_string(name) ? json_string_value(name) : s ? s : "");
		free(s);
		return NULL;
	}
	if ((v = json_object_get(body, "all_stores_must_succeed")) != NULL &&
	    !json_is_boolean(v)) {
		err_set(err, ERR_BAD_REQUEST, "'all_stores_must_succeed' must be boolean value "
					      "only");
		return NULL;
	}
	if ((v = json_object_get(body, "all_stores")) != NULL && !json_is_boolean(v)) {
		err_set(err, ERR_BAD_REQUEST, "'all_stores' must be boolean value only");
		return NULL;
	}
	return json_string_value(name);
}

static int image_import(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	json_auto_t *body = NULL, *img = NULL, *input = NULL;
	const char *method, *status;
	struct image_task_new task;
	char task_id[37];
	int moved = -1;

	if (db == NULL)
		return -1;
	if (rq->body_size == 0)
		return err_set(err, ERR_BAD_REQUEST, "Body expected in request.");
	if ((body = json_loadb(rq->body, rq->body_size, 0, NULL)) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Malformed JSON in request body.");
	if (!json_is_object(body) && !json_is_array(body))
		return err_set(err, ERR_BAD_REQUEST, "Unexpected body type. Expected list/dict.");
	if ((method = import_method(body, err)) == NULL)
		return -1;
	if ((img = image_find_visible(rq, db, id, err)) == NULL)
		return -1;
	status = jsonx_str(img, "status");
	if (str_eq(status, "active"))
		return err_set(err, ERR_CONFLICT,
			       "Image with status active cannot be target for import");
	if (!str_eq(status, "uploading"))
		return err_set(err, ERR_CONFLICT, "Image needs to be staged before '%s' method "
						  "can be used", method);
	if (jsonx_str(img, "container_format") == NULL)
		return err_set(err, ERR_CONFLICT,
			       "'container_format' needs to be set before import");
	if (jsonx_str(img, "disk_format") == NULL)
		return err_set(err, ERR_CONFLICT, "'disk_format' needs to be set before import");
	if (!image_can_modify(rq, img))
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to complete modify_image action.");
	if (json_is_false(json_object_get(body, "all_stores_must_succeed")))
		return err_set(err, ERR_BAD_REQUEST,
			       "All_stores_must_succeed can only be set with enabled_backends %s",
			       "None");
	/* the move is the lock: of two imports racing, one finds the image importing; the
	 * task is recorded with it or not at all */
	util_uuid(task_id);
	input = json_pack("{s:s,s:O,s:[n]}", "image_id", id, "import_req", body, "backend");
	task = (struct image_task_new){ .id = task_id, .type = "api_image_import",
					.owner = rq->auth->project_id, .image_id = id,
					.request_id = rq->request_id,
					.user_id = rq->auth->user_id, .input = input };
	if (db_begin(db, err) < 0)
		return -1;
	if ((moved = image_db_set_status(db, id, "uploading", "importing", err)) <= 0 ||
	    image_task_db_insert(db, &task, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		if (moved != 0)
			return -1;
		return err_set(err, ERR_CONFLICT, "Image needs to be staged before '%s' method "
						  "can be used", method);
	}
	image_staging_enqueue(id);
	reply_empty(rq, 202);
	return 0;
}

/* ---- discovery ---- */

static int info_import(struct req *rq, struct err *err)
{
	json_t *list = json_array();

	(void)err;
	for (const char *const *m = import_methods; *m; m++)
		json_array_append_new(list, json_string(*m));
	reply_json(rq, 200,
		   json_pack("{s:{s:s,s:s,s:o}}", "import-methods", "description",
			     "Import methods available.", "type", "array", "value", list));
	return 0;
}

static int info_stores(struct req *rq, struct err *err)
{
	(void)rq;
	return err_set(err, ERR_NOT_FOUND, "Multi backend is not supported at this site.");
}

/* Glance has no policy of their own for stage and import: both are modify_image (see
 * api_images.c), a member of the owning project (ownership is checked per image);
 * copy-image, admin's in Glance, is not enabled. Discovery has no policy: any token. */
const struct route image_import_routes[] = {
	{ HTTP_PUT, "/v2/images/{image_id}/stage", stage_finish, "image:modify_image" },
	{ HTTP_POST, "/v2/images/{image_id}/import", image_import, "image:modify_image" },
	{ HTTP_GET, "/v2/info/import", info_import, "image:get_info" },
	{ HTTP_GET, "/v2/info/stores", info_stores, "image:get_info" },
	{ 0 },
};

const struct policy image_import_policies[] = {
	{ "image:get_info", POL_TOKEN },
	{ NULL, 0 },
};

const struct stream_route image_import_streams[] = {
	{ HTTP_PUT, "/v2/images/{image_id}/stage", &stage_stream },
	{ 0 },
};
