#ifndef CIEL_IMAGE_INT_H
#define CIEL_IMAGE_INT_H

/* Shared inside src/image only. */

#include <stdbool.h>

#include "core/http.h"

struct req;
struct image_store;

extern const struct route image_routes[];
extern const struct policy image_policies[];
extern const struct stream_route image_streams[];

/* The store opened by image_init; borrowed. */
struct image_store *image_store(void);

/* True when the caller holds the admin role. */
bool image_is_admin(const struct req *rq);

#endif
