/* Security groups and rules (being written). */
#include "network/net_int.h"

static const struct net_attr sg_attrs[] = { { "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 }, { NULL } };
const struct net_rdef net_secgroup_rdef = { .name = "security_group", .plural = "security_groups", .title = "Security group", .table = "net_secgroup", .attrs = sg_attrs };
const struct net_rdef net_sg_rule_rdef = { .name = "security_group_rule", .plural = "security_group_rules", .title = "Security group rule", .table = "net_sg_rule", .attrs = sg_attrs };
const struct route net_secgroup_routes[] = { { 0 } };
