#ifndef CIEL_IMAGE_IMAGES_DB_H
#define CIEL_IMAGE_IMAGES_DB_H

/* The image table (see image.c). An image travels as Glance's body without its links:
 * core attributes under their Glance names, times as ISO 8601, custom properties as
 * top-level string keys (stored together in the 'props' column). Callers own the
 * transaction; returned objects are new references. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct err;

struct image_filter {
	const char *project;    /* the caller's project; NULL: admin, no visibility limit */
	const char *name, *visibility, *status, *owner; /* equality filters, NULL: any */
	const char *sort_key;   /* one of image_sort_keys */
	bool desc;
	int limit;
	const char *marker;     /* id of the last image of the previous page */
};

/* The keys a list may sort by. */
extern const char *const image_sort_keys[];

/* NULL with ERR_NOT_FOUND "No image found with ID <id>" when absent. Visibility is the
 * caller's business. */
json_t *image_db_find(struct db *db, const char *id, struct err *err);
/* Up to f->limit images after the marker (400 when the marker is unknown). */
json_t *image_db_list(struct db *db, const struct image_filter *f, struct err *err);
/* Inserts 'img' (created_at/updated_at now); 409 when the id exists. */
int image_db_insert(struct db *db, const json_t *img, struct err *err);
/* Writes the metadata of 'img' (not status or data attributes), updated_at now. */
int image_db_update(struct db *db, const json_t *img, struct err *err);
/* Moves 'id' from status 'from' to 'to'; returns 1 when it moved, 0 when it was not in
 * 'from' (or is gone), -1 on error. */
int image_db_set_status(struct db *db, const char *id, const char *from, const char *to,
			struct err *err);
/* saving -> active with the data's size and hashes; returns 1, 0 or -1 as above. */
int image_db_set_data(struct db *db, const char *id, uint64_t size, const char *md5,
		      const char *sha512, struct err *err);
int image_db_delete(struct db *db, const char *id, struct err *err);

#endif
