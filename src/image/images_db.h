#ifndef CIEL_IMAGE_IMAGES_DB_H
#define CIEL_IMAGE_IMAGES_DB_H

/* The image table (see image.c). An image travels as Glance's body without its links:
 * core attributes under their Glance names, times as ISO 8601, custom properties as
 * top-level string keys (stored together in the 'props' column). Callers own the
 * transaction; returned objects are new references. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct db;
struct err;

/* One condition on a column of the image table. */
enum image_op { IMAGE_EQ, IMAGE_NEQ, IMAGE_LT, IMAGE_LTE, IMAGE_GT, IMAGE_GTE, IMAGE_IN };

#define IMAGE_FILTER_MAX 12  /* column conditions */
#define IMAGE_VALUES_MAX 16  /* values over all conditions */
#define IMAGE_TAGS_MAX 8     /* tag and property filters each */

struct image_cond {
	const char *column;  /* a column name from the caller's fixed table, never client text */
	enum image_op op;
	const char *values[IMAGE_VALUES_MAX]; /* one, or several for IMAGE_IN */
	int nvalues;
	bool numeric;        /* compare as BIGINT (sizes, times in microseconds) */
};

/* Which images a list returns. Visibility as Glance: a project sees its own images, the
 * public and community ones, and the shared ones it is a member of with 'member_status';
 * without a visibility filter, community images of other projects are left out. Admin
 * sees every image (the same community rule applies). */
struct image_filter {
	const char *project;    /* the caller's project ("" when none); NULL: no visibility
				 * limit at all (the service's own lookups) */
	bool admin;
	const char *name, *status, *owner; /* equality filters for the service's own lookups,
					    * NULL: any (the API uses 'conds') */
	const char *visibility; /* NULL: the default list; "all": any */
	const char *member_status; /* "accepted", "pending", "rejected" or "all" */
	bool hidden;            /* os_hidden images only (else they are left out) */
	struct image_cond conds[IMAGE_FILTER_MAX];
	int nconds;
	const char *tags[IMAGE_TAGS_MAX];  /* every one must be among the image's tags */
	int ntags;
	const char *prop_keys[IMAGE_TAGS_MAX], *prop_values[IMAGE_TAGS_MAX]; /* custom
						 properties that must have these values */
	int nprops;
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
/* Up to f->limit images after the marker (400 when the marker is unknown, or is an image
 * f->project may not see). */
json_t *image_db_list(struct db *db, const struct image_filter *f, struct err *err);
/* A growing buffer of JSON text (the list's body): add to it, then take the text. */
struct image_json {
	char *s;
	size_t size, cap;
};
void image_json_grow(struct image_json *j, size_t size); /* room for 'size' more bytes */
static inline void image_json_add(struct image_json *j, const char *s, size_t size)
{
	if (j->cap - j->size < size)
		image_json_grow(j, size);
	memcpy(j->s + j->size, s, size);
	j->size += size;
}
#define IMAGE_JSON_LIT(j, lit) image_json_add((j), (lit), sizeof(lit) - 1)
/* The text, NUL-terminated (caller frees); 'j' is empty again. */
char *image_json_take(struct image_json *j);
/* Adds the JSON string for 's' (valid UTF-8), quotes included. */
void image_json_str(struct image_json *j, const char *s);
/* The list's hot path, for filters without tags or properties (rows are not filtered
 * after the query, BUG_ON otherwise): appends to 'out' the page's images as JSON objects
 * separated by commas, with their links, at most 'max' of them (f->limit must be max + 1:
 * the extra row tells that there is a next page). The objects are written straight from
 * the rows, the same keys and values as image_db_list + image_body would give. '*next' is
 * the id of the last image written when there is a next page (caller frees), else NULL.
 * Returns how many images were written, or -1. */
int image_db_list_json(struct db *db, const struct image_filter *f, int max,
		       struct image_json *out, char **next, struct err *err);
/* Inserts 'img' (created_at/updated_at now); 409 when the id exists or was ever used by
 * an image, deleted ones included (an id names one image's data for good). */
int image_db_insert(struct db *db, const json_t *img, struct err *err);
/* Writes the metadata of 'img' (not status or data attributes), updated_at now. */
int image_db_update(struct db *db, const json_t *img, struct err *err);
/* Moves 'id' from status 'from' to 'to' (to queued: its size goes); returns 1 when it
 * moved, 0 when it was not in 'from' (or is gone), -1 on error. */
int image_db_set_status(struct db *db, const char *id, const char *from, const char *to,
			struct err *err);
/* Records the size of the data staged for 'id' (status uploading), which then counts
 * against image_stage_total; returns 1, 0 or -1 as above. Moving an image back to queued
 * clears it. */
int image_db_set_staged(struct db *db, const char *id, uint64_t size, struct err *err);
/* saving -> active with the data's size, virtual size (< 0: null) and hashes; returns 1,
 * 0 or -1 as above. */
int image_db_set_data(struct db *db, const char *id, uint64_t size, int64_t virtual_size,
		      const char *md5, const char *sha512, struct err *err);
/* What a project holds, as Glance's quotas count it: images not deleted, the bytes of
 * their data (images with data, other than 'except_id'; staged bytes are not stored
 * ones), images being uploaded (saving, uploading, importing) and the bytes staged
 * (uploading, importing). */
struct image_usage {
	int64_t count, size, uploading, staged;
};
int image_db_usage(struct db *db, const char *owner, const char *except_id,
		   struct image_usage *u, struct err *err);
/* Puts every image left in 'saving' (an upload cut off by a stop or a crash) back to
 * 'queued'; returns how many moved, or -1. */
int image_db_reset_saving(struct db *db, struct err *err);
/* Deletes the image and its members. */
int image_db_delete(struct db *db, const char *id, struct err *err);

#endif
