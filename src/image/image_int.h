#ifndef CIEL_IMAGE_INT_H
#define CIEL_IMAGE_INT_H

/* Shared inside src/image only. */

#include <stdbool.h>

#include <jansson.h>

#include "core/http.h"

struct req;
struct image_store;
struct db;
struct err;

extern const struct route image_routes[];
extern const struct policy image_policies[];
extern const struct stream_route image_streams[];

/* The store opened by image_init; borrowed. */
struct image_store *image_store(void);

/* True when the caller holds the admin role. */
bool image_is_admin(const struct req *rq);

/* True when 's' is one of the NULL-terminated 'list'. */
bool image_in_list(const char *const *list, const char *s);
/* The image if the caller may see it, else NULL with a 404 as if it did not exist
 * (caller owns the result). */
json_t *image_find_visible(struct req *rq, struct db *db, const char *id, struct err *err);
/* True when the caller owns the image or is admin. */
bool image_can_modify(struct req *rq, const json_t *img);
/* Adds the links Glance shows (self, file, schema); returns 'img'. */
json_t *image_body(json_t *img);

/* api_image_data.c */
extern const struct http_stream image_upload_stream;
int image_upload_finish(struct req *rq, struct err *err);
int image_download(struct req *rq, struct err *err);

#endif
