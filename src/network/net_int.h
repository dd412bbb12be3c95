#ifndef CIEL_NET_INT_H
#define CIEL_NET_INT_H

/* Shared inside src/network only: each api_*.c file's routes, the resource definitions
 * and the calls one resource makes on another (a router's legs and a floating IP are
 * ports; a DHCP-enabled subnet has a DHCP port; ports take addresses from IPAM). All
 * these run inside the caller's transaction and do not commit. */

#include <jansson.h>

#include "core/http.h"
#include "network/net_res.h"

struct db;
struct err;
struct req;

/* Route tables, one per api_*.c file; network.c lists them. Every route names its
 * Neutron policy ("network:create_port"), which network.c maps to a rule: project
 * readers read, members write (ownership is the handler's check, as Neutron's
 * admin_or_owner rules). */
extern const struct route net_network_routes[], net_subnet_routes[], net_subnetpool_routes[],
	net_port_routes[], net_secgroup_routes[], net_router_routes[], net_fip_routes[],
	net_quota_routes[], net_agent_routes[], net_ipavail_routes[], net_ext_routes[],
	net_tag_routes[];

extern const struct net_rdef net_network_rdef, net_subnet_rdef, net_subnetpool_rdef,
	net_port_rdef, net_secgroup_rdef, net_sg_rule_rdef, net_router_rdef, net_fip_rdef;

/* ---- api_networks.c ---- */
/* The network if the caller may use it to attach a port or subnet: its own, shared, or
 * any for the admin; external networks too when 'external_ok' (floating IPs, router
 * gateways). NULL with 404 (not visible) or 403 otherwise. Caller owns. */
json_t *net_network_usable(struct req *rq, struct db *db, const char *id, bool external_ok,
			   struct err *err);

/* ---- ipam.c (subnets' engineer) ---- */
/* Allocates the addresses of port 'port_id' on 'network_id' and inserts its net_ip rows.
 * 'fixed_ips' is the port body's list ([{"subnet_id"?, "ip_address"?}]) or NULL for
 * Neutron's default: one address from a subnet of each IP version (SLAAC subnets: from
 * the MAC). 'mac' is the port's MAC (EUI-64). Returns the port's fixed_ips as Neutron
 * shows them ([{"subnet_id", "ip_address"}], caller owns) or NULL: 400 for an address
 * outside its subnet or a subnet of another network, 409 "IP address X already allocated
 * in subnet Y" and 409 "No more IP addresses available on network X." */
json_t *net_ipam_allocate(struct req *rq, struct db *db, const char *network_id,
			  const char *port_id, const char *mac, const json_t *fixed_ips,
			  struct err *err);
/* Removes the net_ip rows of 'port_id'. */
int net_ipam_release(struct db *db, const char *port_id, struct err *err);
/* The fixed_ips lists of ports: sets "fixed_ips" in each body of 'ports' (an array of
 * port bodies with "id") from net_ip, in one query. */
int net_ipam_decorate(struct db *db, json_t *ports, struct err *err);

/* ---- api_subnets.c ---- */
/* Makes the network's DHCP port (device_owner network:dhcp, an address on each
 * DHCP-enabled subnet) exist when it has a DHCP-enabled subnet, and go when it has none. */
int net_dhcp_port_sync(struct req *rq, struct db *db, const char *network_id,
		       struct err *err);

/* ---- api_ports.c ---- */
/* Creates a port from a body already checked by net_check_item (network_id required;
 * fixed_ips, mac_address, device_owner, device_id... optional) with the caller's rights;
 * returns its body (caller owns). Routers, floating IPs and DHCP call it. */
json_t *net_port_create(struct req *rq, struct db *db, json_t *item, struct err *err);
/* Deletes a port, its addresses and groups without the in-use checks of the API. */
int net_port_delete(struct db *db, const char *id, struct err *err);

/* ---- api_secgroups.c ---- */
/* The id of project's "default" security group, made with Neutron's default rules (all
 * egress, ingress from the group itself, for IPv4 and IPv6) on first use. */
int net_default_sg(struct db *db, const char *project, char out[37], struct err *err);

/* ---- api_agents.c ---- */
/* Registers (or marks started) the rows of this process's agent parts on 'host' (NULL or
 * "": gethostname()) as Neutron's Linux bridge, DHCP, L3 and metadata agents; the sync
 * worker calls net_agents_heartbeat at least every 30 s so they stay alive (75 s). */
int net_agents_register(struct db *db, const char *host, struct err *err);
int net_agents_heartbeat(struct db *db, struct err *err);

/* ---- api_routers.c, router_ifaces.c ---- */
/* 409 when a router still routes for the subnet (a subnet or network delete asks). */
int net_router_check_subnet_unused(struct db *db, const char *subnet_id, struct err *err);

/* ---- api_floatingips.c ---- */
/* Deletes the floating IPs on external network 'network_id' that no port uses, and their
 * ports, as Neutron does when the network goes (associated ones keep it in use). */
int net_fip_delete_unassociated(struct db *db, const char *network_id, struct err *err);

#endif
