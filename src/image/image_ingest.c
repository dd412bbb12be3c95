/* Ingest: image bytes from any source (an upload, a staged file, a file at `ciel up`) into
 * the store, with the checksums. See image_int.h for the contract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define LOG_MODULE "image"
#include "core/db.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/images_db.h"
#include "image/store.h"

struct image_ingest {
	char *id;
	char *from;             /* the status the image goes back to on abort */
	struct store_writer *w;
	EVP_MD_CTX *md5, *sha512;
	uint64_t size;
};

static void ingest_free(struct image_ingest *in)
{
	if (in->w != NULL)
		store_abort(image_store(), in->w);
	EVP_MD_CTX_free(in->md5);
	EVP_MD_CTX_free(in->sha512);
	free(in->from);
	free(in->id);
	free(in);
}

struct image_ingest *image_ingest_begin(struct db *db, const char *id, const char *from,
					struct err *err)
{
	struct image_ingest *in;
	int moved;

	if ((moved = image_db_set_status(db, id, from, "saving", err)) < 0)
		return NULL;
	if (moved == 0) {
		err_set(err, ERR_CONFLICT, "Image status transition to saving is not allowed");
		return NULL;
	}
	in = xcalloc(1, sizeof(*in));
	in->id = xstrdup(id);
	in->from = xstrdup(from);
	in->md5 = EVP_MD_CTX_new();
	in->sha512 = EVP_MD_CTX_new();
	if (in->md5 == NULL || in->sha512 == NULL ||
	    !EVP_DigestInit_ex(in->md5, EVP_md5(), NULL) ||
	    !EVP_DigestInit_ex(in->sha512, EVP_sha512(), NULL)) {
		err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
		goto fail;
	}
	if ((in->w = store_open_write(image_store(), id, err)) == NULL)
		goto fail;
	return in;
fail:
	image_db_set_status(db, id, "saving", from, err);
	ingest_free(in);
	return NULL;
}

int image_ingest_data(struct image_ingest *in, const void *buf, size_t size, struct err *err)
{
	if (!EVP_DigestUpdate(in->md5, buf, size) || !EVP_DigestUpdate(in->sha512, buf, size))
		return err_set(err, ERR_INTERNAL, "Cannot compute image checksums.");
	if (store_write(image_store(), in->w, buf, size, err) < 0)
		return -1;
	in->size += size;
	return 0;
}

void image_ingest_abort(struct image_ingest *in)
{
	struct err err = { 0 };
	struct db *db;

	if (in == NULL)
		return;
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

int image_ingest_finish(struct image_ingest *in, struct err *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	char md5[33], sha[129];
	unsigned int n;
	struct db *db;
	int moved;

	if (!EVP_DigestFinal_ex(in->md5, d, &n) || n != 16)
		goto hash_fail;
	hex(d, n, md5);
	if (!EVP_DigestFinal_ex(in->sha512, d, &n) || n != 64)
		goto hash_fail;
	hex(d, n, sha);
	struct store_writer *w = in->w;
	in->w = NULL;
	if (store_commit(image_store(), w, err) < 0 || (db = db_get(err)) == NULL)
		goto fail;
	moved = image_db_set_data(db, in->id, in->size, md5, sha, err);
	if (moved <= 0) {
		struct err serr = { 0 };
		store_remove(image_store(), in->id, &serr);
		if (moved == 0)
			err_set(err, ERR_CONFLICT,
				"Image %s could not be found after upload. The image may have "
				"been deleted during the upload.", in->id);
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
