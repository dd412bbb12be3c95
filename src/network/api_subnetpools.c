/* Subnet pools: /v2.0/subnetpools (being written). */
#include "network/net_int.h"

static const struct net_attr subnetpool_attrs[] = { { "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 }, { NULL } };
const struct net_rdef net_subnetpool_rdef = { .name = "subnetpool", .plural = "subnetpools", .title = "Subnet pool", .table = "net_subnetpool", .attrs = subnetpool_attrs };
const struct route net_subnetpool_routes[] = { { 0 } };
