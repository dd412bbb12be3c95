/* The noop data plane (netdrv.h): API-only runs and control-plane benchmarks. It makes
 * nothing and reports every port of the model up, so that ports turn ACTIVE as they
 * would on a host whose data plane keeps up. */
#include <stdlib.h>

#include "core/util.h"
#include "network/netdrv.h"

static int noop_apply(struct netdrv *d, const struct net_model *m,
		      void (*port_up)(const char *port_id, void *ctx), void *ctx,
		      struct err *err)
{
	(void)d;
	(void)err;
	for (int i = 0; port_up != NULL && i < m->nports; i++)
		port_up(m->ports[i].id, ctx);
	return 0;
}

static int noop_teardown(struct netdrv *d, struct err *err)
{
	(void)d;
	(void)err;
	return 0;
}

static void noop_free(struct netdrv *d)
{
	free(d);
}

static const struct netdrv_ops noop_ops = {
	.name = "noop",
	.apply = noop_apply,
	.teardown = noop_teardown,
	.free = noop_free,
};

struct netdrv *netdrv_noop_new(void)
{
	struct netdrv *d = xcalloc(1, sizeof(*d));

	d->ops = &noop_ops;
	return d;
}
