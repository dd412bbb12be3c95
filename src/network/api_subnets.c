/* Subnets: /v2.0/subnets (being written). */
#include "network/net_int.h"

static const struct net_attr subnet_attrs[] = { { "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 }, { NULL } };
const struct net_rdef net_subnet_rdef = { .name = "subnet", .plural = "subnets", .title = "Subnet", .table = "net_subnet", .attrs = subnet_attrs };
const struct route net_subnet_routes[] = { { 0 } };
