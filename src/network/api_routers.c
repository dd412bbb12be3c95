/* Routers (being written). */
#include "network/net_int.h"

static const struct net_attr router_attrs[] = { { "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 }, { NULL } };
const struct net_rdef net_router_rdef = { .name = "router", .plural = "routers", .title = "Router", .table = "net_router", .attrs = router_attrs };
const struct route net_router_routes[] = { { 0 } };
