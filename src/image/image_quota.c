/* Per-project image quotas: see image_quota.h. */
#include "image/image_quota.h"

#include <inttypes.h>

#include "core/conf.h"
#include "core/err.h"
#include "image/images_db.h"

#define MIB (1024 * 1024)

static int over(struct err *err, const char *owner, const char *resource, int64_t limit,
		int64_t usage, int64_t delta)
{
	return err_set(err, ERR_TOO_LARGE,
		       "Project %s is over a limit for [Resource %s is over limit of %" PRId64
		       " due to current usage %" PRId64 " and delta %" PRId64 "]",
		       owner, resource, limit, usage, delta);
}

static int check(struct err *err, const char *owner, const char *resource, int limit,
		 int64_t usage, int64_t delta)
{
	if (limit < 0 || usage + delta <= limit)
		return 0;
	return over(err, owner, resource, limit, usage, delta);
}

int image_quota_check_count(struct db *db, const char *owner, struct err *err)
{
	struct image_usage u;

	if (conf.image_count_total < 0)
		return 0;
	if (image_db_usage(db, owner, NULL, &u, err) < 0)
		return -1;
	return check(err, owner, "image_count_total", conf.image_count_total, u.count, 1);
}

int image_quota_check_uploading(struct db *db, const char *owner, struct err *err)
{
	struct image_usage u;

	if (conf.image_count_uploading < 0)
		return 0;
	if (image_db_usage(db, owner, NULL, &u, err) < 0)
		return -1;
	return check(err, owner, "image_count_uploading", conf.image_count_uploading,
		     u.uploading, 0);
}

int image_quota_size_usage(struct db *db, const char *owner, const char *id, int64_t *used,
			   int64_t *limit, struct err *err)
{
	struct image_usage u;

	*used = 0;
	*limit = conf.image_size_total < 0 ? -1 : (int64_t)conf.image_size_total * MIB;
	if (*limit < 0)
		return 0;
	if (image_db_usage(db, owner, id, &u, err) < 0)
		return -1;
	*used = u.size;
	return 0;
}

/* 'used' bytes plus 'delta' more against 'limit' bytes (-1: none), compared in whole MiB
 * as Glance compares them. */
static int check_bytes(struct err *err, const char *owner, const char *resource,
		       int64_t used, int64_t delta, int64_t limit)
{
	if (limit < 0 || used / MIB + delta / MIB <= limit / MIB)
		return 0;
	return over(err, owner, resource, limit / MIB, used / MIB, delta / MIB);
}

int image_quota_check_size(const char *owner, int64_t used, int64_t delta, int64_t limit,
			   struct err *err)
{
	return check_bytes(err, owner, "image_size_total", used, delta, limit);
}

int image_quota_stage_usage(struct db *db, const char *owner, int64_t *used, int64_t *limit,
			    struct err *err)
{
	struct image_usage u;

	*used = 0;
	*limit = conf.image_stage_total < 0 ? -1 : (int64_t)conf.image_stage_total * MIB;
	if (*limit < 0)
		return 0;
	if (image_db_usage(db, owner, NULL, &u, err) < 0)
		return -1;
	*used = u.staged;
	return 0;
}

int image_quota_check_stage(const char *owner, int64_t used, int64_t delta, int64_t limit,
			    struct err *err)
{
	return check_bytes(err, owner, "image_stage_total", used, delta, limit);
}
