#ifndef CIEL_NET_SUBNET_CHECK_H
#define CIEL_NET_SUBNET_CHECK_H

/* The checks of a subnet's attributes, shared by api_subnets.c only: CIDR (or a prefix
 * from a subnet pool), gateway, allocation pools, DNS servers, host routes and the IPv6
 * modes, with Neutron's messages. Each completes the item in place with the canonical
 * values to store. */

#include <stdbool.h>
#include <jansson.h>

struct db;
struct err;
struct req;

/* A new subnet's item (checked by net_check_item): fills ip_version, cidr, gateway_ip,
 * allocation_pools, dns_nameservers, host_routes, subnetpool_id, enable_dhcp; removes the
 * request-only keys (prefixlen, use_default_subnetpool, segment_id). 400/404/409. */
int net_subnet_check_new(struct req *rq, struct db *db, json_t *item, struct err *err);

/* An update of subnet 'old' (its body): checks and canonicalizes gateway_ip,
 * allocation_pools, dns_nameservers, host_routes and enable_dhcp in 'item'. */
int net_subnet_check_update(const json_t *old, json_t *item, struct err *err);

/* True when addresses of the subnet come from the MAC (SLAAC or DHCPv6-stateless). */
bool net_subnet_autoaddr(const char *ra_mode, const char *address_mode);

#endif
