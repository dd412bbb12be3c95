#ifndef CIEL_NET_ROUTER_INT_H
#define CIEL_NET_ROUTER_INT_H

/* Shared by the two files of routers only: api_routers.c (the resource, its gateway and
 * extra routes) and router_ifaces.c (add/remove_router_interface). */

#include <stdbool.h>
#include <jansson.h>

struct db;
struct db_res;
struct err;
struct req;

#define NET_OWNER_IF "network:router_interface"
#define NET_OWNER_GW "network:router_gateway"

/* What a handler needs of the router row beyond its body (strings in the request's
 * arena; NULL for SQL NULL). */
struct router_row {
	const char *id, *project_id, *gw_network_id, *gw_port_id, *routes;
	bool enable_snat;
};

/* Loads router 'id' if the caller may change it (owner or admin): 404 when it cannot see
 * it, 403 when it can but does not own it. 'action' names the policy in the 403. */
int net_router_find_owned(struct req *rq, struct db *db, const char *id, const char *action,
			  struct router_row *r, struct err *err);
/* The addresses of a router's legs, one row each: port id, device_owner, network_id,
 * subnet_id, ip_address, subnet cidr, subnet ip_version, port project_id; 'owner' NULL
 * means interfaces and gateway. Caller frees. */
struct db_res *net_router_legs(struct db *db, const char *router_id, const char *owner,
			       struct err *err);
/* The addresses of one port: subnet_id, ip_address, cidr, ip_version. Caller frees. */
struct db_res *net_router_port_addrs(struct db *db, const char *port_id, struct err *err);
/* A port of the router (a leg) made with the service's rights: 'project' its owner (""
 * for a gateway), 'fixed_ips' NULL for default addresses (borrowed). Caller owns. */
json_t *net_router_leg_create(struct req *rq, struct db *db, const char *router_id,
			      const char *project, const char *network_id, const char *owner,
			      json_t *fixed_ips, struct err *err);
/* Records port 'port_id' as a leg of router 'router_id' of 'type' (NET_OWNER_IF or
 * NET_OWNER_GW): the router's own list of its legs. */
int net_router_port_add(struct db *db, const char *router_id, const char *port_id,
			const char *type, struct err *err);
/* True when the address 'ip' lies in 'cidr' (both text; false when either is bad). */
bool net_router_cidr_has(const char *cidr, const char *ip);

/* PUT /v2.0/routers/{id}/add_router_interface and .../remove_router_interface. */
int net_router_add_interface(struct req *rq, struct err *err);
int net_router_remove_interface(struct req *rq, struct err *err);

#endif
