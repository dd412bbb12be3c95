/* Floating IPs (being written). */
#include "network/net_int.h"

static const struct net_attr fip_attrs[] = { { "description", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0 }, { NULL } };
const struct net_rdef net_fip_rdef = { .name = "floatingip", .plural = "floatingips", .title = "Floating IP", .table = "net_floatingip", .attrs = fip_attrs };
const struct route net_fip_routes[] = { { 0 } };
