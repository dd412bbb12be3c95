/* /v2/images/{id}/file: image data. PUT streams chunk by chunk to the store while MD5 and
 * SHA-512 run over the same bytes; GET is an fd-backed reply. */
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
#include "image/images_db.h"
#include "image/store.h"

/* At the end of the request: an ingest neither finished nor aborted is aborted. */
static void upload_free(void *arg)
{
	struct req *rq = arg;

	image_ingest_abort(rq->stream_ctx);
	rq->stream_ctx = NULL;
}

static int upload_begin(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	const char *type = req_header(rq, "Content-Type");
	json_auto_t *img = NULL;
	struct image_ingest *in;

	if (db == NULL)
		return -1;
	if (type != NULL && strncmp(type, "application/octet-stream", 24) != 0)
		return err_set(err, ERR_UNSUPPORTED_MEDIA, "Unsupported Content-Type");
	if ((img = image_find_visible(rq, db, id, err)) == NULL)
		return -1;
	if (!image_can_modify(rq, img))
		return err_set(err, ERR_FORBIDDEN, "You are not permitted to upload data to "
						   "this image.");
	if (!str_eq(jsonx_str(img, "status"), "queued"))
		return err_set(err, ERR_CONFLICT,
			       "Image status transition from %s to saving is not allowed",
			       jsonx_str(img, "status"));
	if ((in = image_ingest_begin(db, id, "queued", err)) == NULL)
		return -1;
	rq->stream_ctx = in;
	req_on_free(rq, upload_free, rq);
	return 0;
}

static int upload_data(struct req *rq, const char *buf, size_t size, struct err *err)
{
	return image_ingest_data(rq->stream_ctx, buf, size, err);
}

/* The upload did not complete: the partial object goes, the image goes back to queued. */
static void upload_abort(struct req *rq)
{
	image_ingest_abort(rq->stream_ctx);
	rq->stream_ctx = NULL;
}

static int upload_finish(struct req *rq, struct err *err)
{
	struct image_ingest *in = rq->stream_ctx;

	BUG_ON(in == NULL);
	rq->stream_ctx = NULL;
	if (image_ingest_finish(in, err) < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

static const struct http_stream upload_stream = {
	.begin = upload_begin,
	.data = upload_data,
	.abort = upload_abort,
};

static int image_download(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	json_auto_t *img = NULL;
	uint64_t size;
	int fd;

	if (db == NULL || (img = image_find_visible(rq, db, id, err)) == NULL)
		return -1;
	if (str_eq(jsonx_str(img, "status"), "queued")) {
		reply_empty(rq, 204);
		return 0;
	}
	if (!str_eq(jsonx_str(img, "status"), "active"))
		return err_set(err, ERR_FORBIDDEN, "The requested image is in status %s.",
			       jsonx_str(img, "status"));
	if (store_open_read(image_store(), id, &fd, &size, err) < 0)
		return -1;
	if (jsonx_str(img, "checksum") != NULL)
		reply_header(rq, "Content-MD5", req_strdup(rq, jsonx_str(img, "checksum")));
	reply_fd(rq, 200, "application/octet-stream", fd, 0, size);
	return 0;
}

const struct route image_data_routes[] = {
	{ HTTP_PUT, "/v2/images/{image_id}/file", upload_finish, "image:upload_image" },
	{ HTTP_GET, "/v2/images/{image_id}/file", image_download, "image:download_image" },
	{ 0 },
};

const struct stream_route image_data_streams[] = {
	{ HTTP_PUT, "/v2/images/{image_id}/file", &upload_stream },
	{ 0 },
};

const struct policy image_data_policies[] = {
	{ "image:upload_image", POL_TOKEN },
	{ "image:download_image", POL_TOKEN },
	{ NULL, 0 },
};
