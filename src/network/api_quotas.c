/* Quotas (being written). */
#include "network/net_int.h"

const struct route net_quota_routes[] = { { 0 } };

int net_quota_check(struct db *db, const char *project, const char *resource, int adding, struct err *err)
{
	(void)db; (void)project; (void)resource; (void)adding; (void)err;
	return 0;
}
