/* Ports: /v2.0/ports (being written). */
#include "network/net_int.h"

static const struct net_attr port_attrs[] = { { "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 }, { NULL } };
const struct net_rdef net_port_rdef = { .name = "port", .plural = "ports", .title = "Port", .table = "net_port", .attrs = port_attrs };
const struct route net_port_routes[] = { { 0 } };
