#ifndef CIEL_IMAGE_STORE_H
#define CIEL_IMAGE_STORE_H

/* Where image bytes live. A store keeps one object per image id. Writing is a transaction:
 * open_write gives a writer, write appends chunks as they arrive from the client, commit
 * makes the object visible atomically (the file store: fsync + rename), abort throws the
 * partial object away. Nothing half-written is ever readable under the image's id.
 *
 * The filesystem store is the real one; a Ceph RBD store comes later behind the same
 * table. Functions fill 'err' on failure (a full disk is ERR_TOO_LARGE, "Image storage
 * media is full: ..." as Glance says it, and the partial object goes; other system errors are logged and reported as ERR_INTERNAL). */

#include <stddef.h>
#include <stdint.h>

struct err;
struct image_store;
struct store_writer;

struct image_store_ops {
	const char *name; /* "file" */
	/* A writer for a new object 'id'; freed by commit or abort. */
	struct store_writer *(*open_write)(struct image_store *st, const char *id,
					   struct err *err);
	int (*write)(struct store_writer *w, const void *buf, size_t size, struct err *err);
	/* Makes the object durable and visible, replacing any older one; frees 'w' either way
	 * (on failure the partial object is removed). */
	int (*commit)(struct store_writer *w, struct err *err);
	/* Removes the partial object and frees 'w'. NULL-safe. */
	void (*abort)(struct store_writer *w);
	/* Opens the object for reading: *fd (caller closes) and its *size. */
	int (*open_read)(struct image_store *st, const char *id, int *fd, uint64_t *size,
			 struct err *err);
	/* Removes the object; one already gone is not an error. */
	int (*remove)(struct image_store *st, const char *id, struct err *err);
	/* Removes the partial objects of writes that never ended (a crash mid-upload); only
	 * at start, when no writer is open. Returns how many went, or -1. */
	int (*sweep)(struct image_store *st, struct err *err);
	void (*free)(struct image_store *st);
};

struct image_store {
	const struct image_store_ops *ops;
};

/* The filesystem store under 'dir' (created 0700 when missing). */
struct image_store *store_file_new(const char *dir, struct err *err);

static inline struct store_writer *store_open_write(struct image_store *st, const char *id,
						    struct err *err)
{
	return st->ops->open_write(st, id, err);
}

static inline int store_write(struct image_store *st, struct store_writer *w,
			      const void *buf, size_t size, struct err *err)
{
	return st->ops->write(w, buf, size, err);
}

static inline int store_commit(struct image_store *st, struct store_writer *w,
			       struct err *err)
{
	return st->ops->commit(w, err);
}

static inline void store_abort(struct image_store *st, struct store_writer *w)
{
	st->ops->abort(w);
}

static inline int store_open_read(struct image_store *st, const char *id, int *fd,
				  uint64_t *size, struct err *err)
{
	return st->ops->open_read(st, id, fd, size, err);
}

static inline int store_remove(struct image_store *st, const char *id, struct err *err)
{
	return st->ops->remove(st, id, err);
}

static inline int store_sweep(struct image_store *st, struct err *err)
{
	return st->ops->sweep(st, err);
}

static inline void store_free(struct image_store *st)
{
	if (st != NULL)
		st->ops->free(st);
}

#endif
