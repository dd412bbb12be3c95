/* Ingest: image bytes from any source (an upload, a staged file, a file at `ciel up`) into
 * the store, with the checksums. See image_int.h for the contract.
 *
 * MD5, SHA-512 and the store write each cost as much as receiving the data or more, so
 * none runs on the caller's thread. The caller copies incoming chunks into one of a few
 * large buffers; a full buffer is published to three workers of the ingest's own (MD5,
 * SHA-512, store write), which take the buffers in order, so the write and both digests
 * overlap with each other and with the receiving. A buffer holds a count of the workers
 * still reading it; the caller reuses it once the count is back to zero, and waits for that
 * when all buffers are busy: memory stays at NBUF buffers per ingest whatever the image's
 * size, and a slow worker slows the upload down instead of queueing data. A store error
 * (a full disk) is seen by the caller at its next chunk or at finish. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define LOG_MODULE "image"
#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "image/image.h"
#include "image/image_int.h"
#include "image/image_quota.h"
#include "image/images_db.h"
#include "image/qcow2.h"
#include "image/store.h"

#define BUF_SIZE (1u << 20) /* a multiple of the page size: the store may write it direct */
#define BUF_ALIGN 4096
#define NBUF 4

enum work { WORK_MD5, WORK_SHA512, WORK_WRITE, NWORK };

struct ingest_buf {
	unsigned char *data;
	size_t size;
	int refs; /* workers still reading it; 0: free to fill */
};

struct worker {
	struct image_ingest *in;
	enum work work;
	pthread_t thread;
	bool started;
	EVP_MD_CTX *ctx; /* the digests */
	uint64_t next;   /* sequence number of the next buffer to take */
	bool failed;     /* then the rest is only released */
	struct err err;
};

enum sniff { SNIFF_NONE, SNIFF_RAW, SNIFF_QCOW2 };

struct image_ingest {
	char *id;
	char *from;  /* the status the image goes back to on abort */
	char *owner;
	struct store_writer *w;
	uint64_t size;
	/* the pipeline; 'mu' guards refs, published, done, cancel and failed */
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	struct ingest_buf bufs[NBUF];
	struct ingest_buf *cur; /* being filled by the caller, not yet published */
	uint64_t published;     /* buffers published so far */
	bool done, cancel;
	struct worker *failed;  /* the first worker that failed */
	struct worker work[NWORK];
	/* virtual_size from the first bytes */
	enum sniff sniff;
	unsigned char head[QCOW2_HEADER_SIZE];
	size_t head_size;
	/* image_size_total: bytes the owner stores besides this image, limit (-1: none) */
	int64_t quota_used, quota_limit;
};

static int work_on(struct worker *wk, const struct ingest_buf *b)
{
	if (wk->work == WORK_WRITE)
		return store_write(image_store(), wk->in->w, b->data, b->size, &wk->err);
	if (!EVP_DigestUpdate(wk->ctx, b->data, b->size))
		return err_set(&wk->err, ERR_INTERNAL, "Cannot compute image checksums.");
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct image_ingest *in = wk->in;

	pthread_mutex_lock(&in->mu);
	for (;;) {
		while (wk->next == in->published && !in->done && !in->cancel)
			pthread_cond_wait(&in->filled, &in->mu);
		if (in->cancel || wk->next == in->published)
			break;
		struct ingest_buf *b = &in->bufs[wk->next % NBUF];
		bool skip = wk->failed;
		pthread_mutex_unlock(&in->mu);
		int rc = skip ? 0 : work_on(wk, b);
		pthread_mutex_lock(&in->mu);
		if (rc < 0) {
			wk->failed = true;
			if (in->failed == NULL)
				in->failed = wk;
		}
		wk->next++;
		if (--b->refs == 0)
			pthread_cond_signal(&in->freed);
	}
	pthread_mutex_unlock(&in->mu);
	return NULL;
}

/* Stops and joins the workers: after what was published when 'finish', else at once. */
static void workers_stop(struct image_ingest *in, bool finish)
{
	pthread_mutex_lock(&in->mu);
	if (finish)
		in->done = true;
	else
		in->cancel = true;
	pthread_cond_broadcast(&in->filled);
	pthread_mutex_unlock(&in->mu);
	for (int i = 0; i < NWORK; i++)
		if (in->work[i].started) {
			pthread_join(in->work[i].thread, NULL);
			in->work[i].started = false;
		}
}

/* The first worker's failure into 'err'; -1 if one failed, else 0. */
static int worker_failure(struct image_ingest *in, struct err *err)
{
	struct worker *wk;

	pthread_mutex_lock(&in->mu);
	wk = in->failed;
	pthread_mutex_unlock(&in->mu);
	if (wk == NULL)
		return 0;
	return err_set(err, wk->err.kind, "%s", wk->err.msg);
}

static void ingest_free(struct image_ingest *in)
{
	workers_stop(in, false);
	if (in->w != NULL)
		store_abort(image_store(), in->w);
	for (int i = 0; i < NWORK; i++)
		EVP_MD_CTX_free(in->work[i].ctx);
	for (int i = 0; i < NBUF; i++)
		free(in->bufs[i].data);
	pthread_cond_destroy(&in->filled);
	pthread_cond_destroy(&in->freed);
	pthread_mutex_destroy(&in->mu);
	free(in->owner);
	free(in->from);
	free(in->id);
	free(in);
}

static struct image_ingest *ingest_new(const char *id, const char *from, const json_t *img)
{
	struct image_ingest *in = xcalloc(1, sizeof(*in));

	in->id = xstrdup(id);
	in->from = xstrdup(from);
	in->owner = xstrdup(jsonx_str(img, "owner"));
	in->quota_limit = -1;
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->filled, NULL);
	pthread_cond_init(&in->freed, NULL);
	for (int i = 0; i < NBUF; i++)
		if (posix_memalign((void **)&in->bufs[i].data, BUF_ALIGN, BUF_SIZE) != 0)
			abort();
	/* Glance inspects bare images only, and takes a size from the data only when the
	 * declared disk format is what it finds there (raw: the size itself) */
	if (str_eq(jsonx_str(img, "container_format"), "bare")) {
		if (str_eq(jsonx_str(img, "disk_format"), "qcow2"))
			in->sniff = SNIFF_QCOW2;
		else if (str_eq(jsonx_str(img, "disk_format"), "raw"))
			in->sniff = SNIFF_RAW;
	}
	return in;
}

static int workers_start(struct image_ingest *in, struct err *err)
{
	for (int i = 0; i < NWORK; i++) {
		struct worker *wk = &in->work[i];
		wk->in = in;
		wk->work = (enum work)i;
		if (i != WORK_WRITE) {
			wk->ctx = EVP_MD_CTX_new();
			if (wk->ctx == NULL ||
			    !EVP_DigestInit_ex(wk->ctx, i == WORK_MD5 ? EVP_md5() : EVP_sha512(),
					       NULL))
				return err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
		}
		int rc = pthread_create(&wk->thread, NULL, worker_main, wk);
		if (rc != 0) {
			log_error("image %s: ingest thread: %s", in->id, strerror(rc));
			return err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
		}
		wk->started = true;
	}
	return 0;
}

struct image_ingest *image_ingest_begin(struct db *db, const char *id, const char *from,
					struct err *err)
{
	json_auto_t *img = NULL;
	struct image_ingest *in;
	int moved;

	if ((img = image_db_find(db, id, err)) == NULL)
		return NULL;
	if ((moved = image_db_set_status(db, id, from, "saving", err)) < 0)
		return NULL;
	if (moved == 0) {
		err_set(err, ERR_CONFLICT, "Image status transition to saving is not allowed");
		return NULL;
	}
	in = ingest_new(id, from, img);
	if (image_quota_check_uploading(db, in->owner, err) < 0 ||
	    image_quota_size_usage(db, in->owner, id, &in->quota_used, &in->quota_limit,
				   err) < 0 ||
	    (in->w = store_open_write(image_store(), id, err)) == NULL ||
	    workers_start(in, err) < 0)
		goto fail;
	return in;
fail:
	image_db_set_status(db, id, "saving", from, err);
	ingest_free(in);
	return NULL;
}

int image_ingest_expect(struct image_ingest *in, int64_t size, struct err *err)
{
	if (size <= 0)
		return 0;
	return image_quota_check_size(in->owner, in->quota_used, size, in->quota_limit, err);
}

/* Publishes the buffer being filled to the workers. */
static void publish(struct image_ingest *in)
{
	struct ingest_buf *b = in->cur;

	in->cur = NULL;
	pthread_mutex_lock(&in->mu);
	b->refs = NWORK;
	in->published++;
	pthread_cond_broadcast(&in->filled);
	pthread_mutex_unlock(&in->mu);
}

/* The next buffer to fill, once every holder let go of it. */
static struct ingest_buf *next_buf(struct image_ingest *in)
{
	struct ingest_buf *b = &in->bufs[in->published % NBUF];

	pthread_mutex_lock(&in->mu);
	while (b->refs > 0)
		pthread_cond_wait(&in->freed, &in->mu);
	pthread_mutex_unlock(&in->mu);
	b->size = 0;
	return b;
}

int image_ingest_data(struct image_ingest *in, const void *buf, size_t size, struct err *err)
{
	const unsigned char *p = buf;

	if (in->head_size < sizeof(in->head)) {
		size_t n = sizeof(in->head) - in->head_size;
		if (n > size)
			n = size;
		memcpy(in->head + in->head_size, p, n);
		in->head_size += n;
	}
	in->size += size;
	if (worker_failure(in, err) < 0)
		return -1;
	if (image_quota_check_size(in->owner, in->quota_used, (int64_t)in->size,
				   in->quota_limit, err) < 0)
		return -1;
	while (size > 0) {
		if (in->cur == NULL)
			in->cur = next_buf(in);
		size_t n = BUF_SIZE - in->cur->size;
		if (n > size)
			n = size;
		memcpy(in->cur->data + in->cur->size, p, n);
		in->cur->size += n;
		p += n;
		size -= n;
		if (in->cur->size == BUF_SIZE)
			publish(in);
	}
	return 0;
}

void image_ingest_abort(struct image_ingest *in)
{
	struct err err = { 0 };
	struct db *db;

	if (in == NULL)
		return;
	workers_stop(in, false);
	if (in->w != NULL) {
		store_abort(image_store(), in->w);
		in->w = NULL;
	}
	if ((db = db_get(&err)) == NULL ||
	    image_db_set_status(db, in->id, "saving", in->from, &err) < 0)
		log_warn("image %s: %s", in->id, err.msg);
	ingest_free(in);
}

static void hex(const unsigned char *d, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	out[2 * n] = '\0';
}

static int64_t virtual_size(const struct image_ingest *in)
{
	switch (in->sniff) {
	case SNIFF_RAW:
		return (int64_t)in->size;
	case SNIFF_QCOW2:
		return qcow2_virtual_size(in->head, in->head_size);
	default:
		return -1;
	}
}

int image_ingest_finish(struct image_ingest *in, struct err *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	char md5[33], sha[129];
	unsigned int n;
	struct db *db;
	int moved;

	if (in->cur != NULL && in->cur->size > 0)
		publish(in);
	workers_stop(in, true);
	if (worker_failure(in, err) < 0)
		goto fail;
	if (!EVP_DigestFinal_ex(in->work[WORK_MD5].ctx, d, &n) || n != 16)
		goto hash_fail;
	hex(d, n, md5);
	if (!EVP_DigestFinal_ex(in->work[WORK_SHA512].ctx, d, &n) || n != 64)
		goto hash_fail;
	hex(d, n, sha);
	struct store_writer *w = in->w;
	in->w = NULL;
	if (store_commit(image_store(), w, err) < 0 || (db = db_get(err)) == NULL)
		goto fail;
	moved = image_db_set_data(db, in->id, in->size, virtual_size(in), md5, sha, err);
	if (moved <= 0) {
		struct err serr = { 0 };
		store_remove(image_store(), in->id, &serr);
		if (moved == 0)
			err_set(err, ERR_GONE,
				"Image %s could not be found after upload. The image may have "
				"been deleted during the upload, cleaning up the chunks "
				"uploaded.", in->id);
		goto fail;
	}
	ingest_free(in);
	return 0;
hash_fail:
	err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
fail:
	image_ingest_abort(in);
	return -1;
}

/* ---- a file on this host (ciel up's test guest) ---- */

int image_ingest_file(struct db *db, const char *id, const char *path, struct err *err)
{
	struct image_ingest *in;
	unsigned char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(err, ERR_NOT_FOUND, "%s: %s", path, strerror(errno));
	if ((in = image_ingest_begin(db, id, "queued", err)) == NULL) {
		close(fd);
		return -1;
	}
	buf = xmalloc(BUF_SIZE);
	while ((n = read(fd, buf, BUF_SIZE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, ERR_INTERNAL, "%s: %s", path, strerror(errno));
			break;
		}
		if (image_ingest_data(in, buf, (size_t)n, err) < 0)
			break;
	}
	free(buf);
	close(fd);
	if (n != 0) {
		image_ingest_abort(in);
		return -1;
	}
	return image_ingest_finish(in, err);
}

int image_ensure_file(const char *name, const char *owner, const char *disk_format,
		      const char *path, struct err *err)
{
	struct db *db = db_get(err);
	struct image_filter f = { .name = name, .owner = owner, .sort_key = "created_at",
				  .limit = 1 };
	json_auto_t *list = NULL, *img = NULL;
	char id[37];

	if (db == NULL || (list = image_db_list(db, &f, err)) == NULL)
		return -1;
	if (json_array_size(list) > 0) {
		json_t *old = json_array_get(list, 0);
		if (!str_eq(jsonx_str(old, "status"), "queued"))
			return 0; /* there already (active, or being written) */
		snprintf(id, sizeof(id), "%s", jsonx_str(old, "id"));
	} else {
		util_uuid(id);
		img = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:b,s:b,s:[]}", "id", id,
				"name", name, "owner", owner, "visibility", "public",
				"disk_format", disk_format, "container_format", "bare",
				"min_disk", 0, "min_ram", 0, "protected", 0, "os_hidden", 0,
				"tags");
		if (db_begin(db, err) < 0)
			return -1;
		if (image_db_insert(db, img, err) < 0 || db_commit(db, err) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return image_ingest_file(db, id, path, err) < 0 ? -1 : 1;
}
