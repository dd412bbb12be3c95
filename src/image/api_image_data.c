/* /v2/images/{id}/file: image data. PUT streams chunk by chunk to the store while MD5 and
 * SHA-512 run over the same bytes (image_ingest.c); GET is an fd-backed reply, whole or one
 * byte range. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* The size the client announces, as Glance reads it: x-openstack-image-size, else
 * Content-Length; 0 when neither (a chunked upload). */
static int announced_size(struct req *rq, int64_t *size, struct err *err)
{
	const char *h = req_header(rq, "x-openstack-image-size");
	char *end;

	*size = 0;
	if (h == NULL)
		h = req_header(rq, "Content-Length");
	if (h == NULL)
		return 0;
	errno = 0;
	long long v = strtoll(h, &end, 10);
	if (errno != 0 || end == h || *end != '\0' || v < 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid or missing image size in request headers.");
	*size = v;
	return 0;
}

static int upload_begin(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	const char *type = req_header(rq, "Content-Type");
	json_auto_t *img = NULL;
	struct image_ingest *in;
	int64_t size;

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
	if (announced_size(rq, &size, err) < 0 ||
	    (in = image_ingest_begin(db, id, "queued", err)) == NULL)
		return -1;
	if (image_ingest_expect(in, size, err) < 0) {
		image_ingest_abort(in);
		return -1;
	}
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

/* A number of a Range header; *p moves past it. UINT64_MAX when it overflows. */
static uint64_t range_num(const char **p, bool *some)
{
	uint64_t v = 0;

	*some = false;
	for (; isdigit((unsigned char)**p); (*p)++) {
		*some = true;
		unsigned d = (unsigned)(**p - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	return v;
}

static void skip_spaces(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* Glance's reading of a Range header (webob's single range: "bytes=A-B", "bytes=A-",
 * "bytes=-N") for an image of 'size' bytes. Returns 1 with the *off and *len to send and
 * the Content-Range to answer in 'cr', 0 when there is no Range, -1 with 400 (several
 * ranges) or 416. A suffix longer than the image, or an end past it, is cut to the image. */
static int parse_range(const char *h, uint64_t size, uint64_t *off, uint64_t *len,
		       char cr[80], struct err *err)
{
	const char *p = h;
	uint64_t a, b;
	bool has_a, has_b;

	if (h == NULL)
		return 0;
	if (strchr(h, ',') != NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Requests with multiple ranges are not supported in Glance. You "
			       "may make multiple single-range requests instead.");
	if (strncasecmp(p, "bytes", 5) != 0)
		goto invalid;
	p += 5;
	skip_spaces(&p);
	if (*p++ != '=')
		goto invalid;
	skip_spaces(&p);
	a = range_num(&p, &has_a);
	skip_spaces(&p);
	if (*p++ != '-')
		goto invalid;
	skip_spaces(&p);
	b = range_num(&p, &has_b);
	if (!has_a && !has_b)
		goto invalid;
	if (has_a && has_b && (b == UINT64_MAX || b + 1 <= a))
		goto invalid;
	if (size == 0)
		goto bad_start;
	if (!has_a) { /* the last b bytes */
		a = b > 0 && b < size ? size - b : 0;
		has_b = false;
	} else if (a >= size) {
		goto bad_start;
	}
	*off = a;
	*len = has_b && b + 1 < size ? b + 1 - a : size - a;
	snprintf(cr, 80, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, a, a + *len - 1, size);
	return 1;
invalid:
	return err_set(err, ERR_RANGE, "Invalid Range header.");
bad_start:
	return err_set(err, ERR_RANGE,
		       "Invalid start position in Range header. Start position MUST be in the "
		       "inclusive range [0, %" PRId64 "].", (int64_t)size - 1);
}

static int image_download(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	json_auto_t *img = NULL;
	uint64_t size, off = 0, len;
	char cr[80];
	int fd, ranged;

	if (db == NULL || (img = image_find_visible(rq, db, id, err)) == NULL)
		return -1;
	if (str_eq(jsonx_str(img, "status"), "deactivated") && !image_is_admin(rq))
		return err_set(err, ERR_FORBIDDEN, "The requested image has been deactivated. "
						   "Image data download is forbidden.");
	if (str_eq(jsonx_str(img, "status"), "queued")) {
		reply_empty(rq, 204);
		return 0;
	}
	if (!str_eq(jsonx_str(img, "status"), "active") &&
	    !str_eq(jsonx_str(img, "status"), "deactivated"))
		return err_set(err, ERR_FORBIDDEN, "The requested image is in status %s.",
			       jsonx_str(img, "status"));
	if (store_open_read(image_store(), id, &fd, &size, err) < 0)
		return -1;
	len = size;
	ranged = parse_range(req_header(rq, "Range"), size, &off, &len, cr, err);
	if (ranged < 0) {
		close(fd);
		return -1;
	}
	/* the whole range is about to be read in order: start reading it in now, so that
	 * sendfile finds it in the page cache instead of waiting on each piece */
	posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_WILLNEED);
	if (ranged)
		reply_header(rq, "Content-Range", req_strdup(rq, cr));
	/* Glance sends the whole image's MD5 with a range too */
	if (jsonx_str(img, "checksum") != NULL)
		reply_header(rq, "Content-MD5", req_strdup(rq, jsonx_str(img, "checksum")));
	reply_fd(rq, ranged ? 206 : 200, "application/octet-stream", fd, off, len);
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

/* Glance's defaults: upload_image is a member's of the owning project; download_image
 * needs the member role too ("role:member and (project_id:%(project_id)s or ...
 * visibility)"): a reader sees an image but does not fetch its data. The handlers check
 * the image (visible, owned). */
const struct policy image_data_policies[] = {
	{ "image:upload_image", POL_PROJECT_MEMBER },
	{ "image:download_image", POL_PROJECT_MEMBER },
	{ NULL, 0 },
};
