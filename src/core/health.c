/* GET /healthcheck: the trivial route (oslo.middleware's healthcheck answers the same), also
 * the HTTP floor the benchmarks compare every API call with. */
#include <stddef.h>

#include "core/err.h"
#include "core/health.h"
#include "core/http.h"

static int healthcheck(struct req *rq, struct err *err)
{
	(void)err;
	reply_text(rq, 200, "text/plain", "OK");
	return 0;
}

static const struct route routes[] = {
	{ HTTP_GET, "", healthcheck, NULL },
	{ 0 },
};

static const struct route *const tables[] = { routes, NULL };

static const struct service health_service = {
	.name = "health",
	.prefix = "/healthcheck",
	.routes = tables,
};

const struct service *health_http_service(void)
{
	return &health_service;
}

void health_register(void)
{
	http_register(&health_service);
}
