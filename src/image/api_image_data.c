/* /v2/images/{id}/file: image data. PUT streams chunk by chunk to the store while MD5 and
 * SHA-512 run over the same bytes; GET is an fd-backed reply. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

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

struct upload {
	char *id;
	struct store_writer *w;
	EVP_MD_CTX *md5, *sha512;
	uint64_t size;
};

static void upload_free(void *arg)
{
	struct upload *up = arg;

	if (up->w != NULL)
		store_abort(image_store(), up->w);
	EVP_MD_CTX_free(up->md5);
	EVP_MD_CTX_free(up->sha512);
	free(up->id);
	free(up);
}

static int upload_begin(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	const char *type = req_header(rq, "Content-Type");
	json_auto_t *img = NULL;
	struct upload *up;
	int moved;

	if (db == NULL)
		return -1;
	if (type != NULL && strncmp(type, "application/octet-stream", 24) != 0)
		return err_set(err, ERR_UNSUPPORTED_MEDIA, "Unsupported Content-Type");
	if ((img = image_find_visible(rq, db, id, err)) == NULL)
		return -1;
	if (!image_can_modify(rq, img))
		return err_set(err, ERR_FORBIDDEN, "You are not permitted to upload data to "
						   "this image.");
	if ((moved = image_db_set_status(db, id, "queued", "saving", err)) < 0)
		return -1;
	if (moved == 0)
		return err_set(err, ERR_CONFLICT,
			       "Image status transition from %s to saving is not allowed",
			       jsonx_str(img, "status"));
	up = xcalloc(1, sizeof(*up));
	up->id = xstrdup(id);
	up->md5 = EVP_MD_CTX_new();
	up->sha512 = EVP_MD_CTX_new();
	if (up->md5 == NULL || up->sha512 == NULL ||
	    !EVP_DigestInit_ex(up->md5, EVP_md5(), NULL) ||
	    !EVP_DigestInit_ex(up->sha512, EVP_sha512(), NULL)) {
		err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
		goto fail;
	}
	if ((up->w = store_open_write(image_store(), id, err)) == NULL)
		goto fail;
	rq->stream_ctx = up;
	req_on_free(rq, upload_free, up);
	return 0;
fail:
	upload_free(up);
	image_db_set_status(db, id, "saving", "queued", err);
	return -1;
}

static int upload_data(struct req *rq, const char *buf, size_t size, struct err *err)
{
	struct upload *up = rq->stream_ctx;

	if (!EVP_DigestUpdate(up->md5, buf, size) || !EVP_DigestUpdate(up->sha512, buf, size))
		return err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
	if (store_write(image_store(), up->w, buf, size, err) < 0)
		return -1;
	up->size += size;
	return 0;
}

/* The upload did not complete: drop the partial object, the image goes back to queued. */
static void upload_abort(struct req *rq)
{
	struct upload *up = rq->stream_ctx;
	struct err err = { 0 };
	struct db *db;

	if (up == NULL)
		return;
	if (up->w != NULL) {
		store_abort(image_store(), up->w);
		up->w = NULL;
	}
	if ((db = db_get(&err)) == NULL ||
	    image_db_set_status(db, up->id, "saving", "queued", &err) < 0)
		LOGM(LOG_WARN, rq->request_id, "image %s: %s", up->id, err.msg);
}

static void hex(const unsigned char *d, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	out[2 * n] = '\0';
}

int image_upload_finish(struct req *rq, struct err *err)
{
	struct upload *up = rq->stream_ctx;
	unsigned char d[EVP_MAX_MD_SIZE];
	char md5[33], sha[129];
	unsigned int n;
	struct db *db;
	int moved;

	BUG_ON(up == NULL);
	if (!EVP_DigestFinal_ex(up->md5, d, &n) || n != 16)
		return err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
	hex(d, n, md5);
	if (!EVP_DigestFinal_ex(up->sha512, d, &n) || n != 64)
		return err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
	hex(d, n, sha);
	struct store_writer *w = up->w;
	up->w = NULL;
	if (store_commit(image_store(), w, err) < 0 || (db = db_get(err)) == NULL)
		return -1;
	moved = image_db_set_data(db, up->id, up->size, md5, sha, err);
	if (moved <= 0) {
		struct err serr = { 0 };
		store_remove(image_store(), up->id, &serr);
		if (moved == 0)
			err_set(err, ERR_CONFLICT,
				"Image %s could not be found after upload. The image may have "
				"been deleted during the upload.", up->id);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

const struct http_stream image_upload_stream = {
	.begin = upload_begin,
	.data = upload_data,
	.abort = upload_abort,
};

int image_download(struct req *rq, struct err *err)
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
