#ifndef CIEL_IMAGE_QUOTA_H
#define CIEL_IMAGE_QUOTA_H

/* Per-project image quotas, as Glance's unified limits name them, one limit for every
 * project from the [image] section of the config (-1: unlimited):
 *   image_count_total      images a project owns (any status but deleted)
 *   image_count_uploading  images being uploaded or imported at once
 *   image_size_total       MiB of image data a project stores
 *   image_stage_total      MiB of data a project has staged for import
 * Usage is counted from the image table at each check, as Glance does; a check fails
 * with ERR_TOO_LARGE (413) and oslo.limit's message ("Project P is over a limit for
 * [Resource R is over limit of L due to current usage U and delta D]"). Sizes compare in
 * whole MiB, rounded down, as Glance compares them. */

#include <stdint.h>

struct db;
struct err;

/* Before a new image is created for 'owner' (delta 1). */
int image_quota_check_count(struct db *db, const char *owner, struct err *err);
/* Once image 'id' counts as uploading (delta 0: it is counted already). */
int image_quota_check_uploading(struct db *db, const char *owner, struct err *err);
/* The stored bytes of 'owner' other than image 'id', into *used; -1 and err on failure.
 * *limit gets image_size_total in bytes, or -1 when unlimited. */
int image_quota_size_usage(struct db *db, const char *owner, const char *id, int64_t *used,
			   int64_t *limit, struct err *err);
/* Whether 'used' stored bytes plus 'delta' more fit 'limit' (bytes, -1: unlimited);
 * fills 'err' for 'owner' when not. */
int image_quota_check_size(const char *owner, int64_t used, int64_t delta, int64_t limit,
			   struct err *err);
/* The same for staged data ([image] image_stage_total): the bytes 'owner' has staged
 * (images uploading or importing) into *used, the limit in bytes (-1: unlimited) into
 * *limit; then whether 'delta' more fit, checked before a stage with the size it announces
 * and again as its bytes arrive. */
int image_quota_stage_usage(struct db *db, const char *owner, int64_t *used, int64_t *limit,
			    struct err *err);
int image_quota_check_stage(const char *owner, int64_t used, int64_t delta, int64_t limit,
			    struct err *err);

#endif
