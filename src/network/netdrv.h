#ifndef CIEL_NETDRV_H
#define CIEL_NETDRV_H

/* The network data plane behind a vtable. The sync worker (sync.c) loads the whole desired
 * state from the database into a struct net_model and calls apply(); the driver converges
 * the host to it: creates what is missing, changes what differs, removes what it owns and
 * the model no longer lists (orphans of a previous run included). apply() is idempotent:
 * a second call on a settled host changes nothing. Drivers: "linuxbridge" (netdrv_linux.c,
 * the real one: bridges, VXLAN, namespaces, dnsmasq, nftables, through the privileged
 * helper) and "noop" (netdrv_noop.c: API-only runs and control-plane benchmarks).
 *
 * Names a driver makes from ids (Neutron's own scheme, 14 characters max for links):
 * bridge "brq" + first 11 of the network id, tap/veth "tap" + first 11 of the port id,
 * namespaces "qdhcp-<network id>" and "qrouter-<router id>". */

#include <stdbool.h>
#include <stdint.h>

struct err;

struct net_model_ip {
	char subnet_id[37];
	char address[46]; /* text form */
};

struct net_model_port {
	char id[37], network_id[37], mac[18];
	char device_owner[64], device_id[64];
	char hostname[64];          /* for the DHCP host entry: dns_name or host-<ip> */
	bool admin_up, port_security;
	struct net_model_ip *ips;
	int nips;
	char (*secgroups)[37]; /* ids */
	int nsecgroups;
	struct net_model_pair { char ip[50]; char mac[18]; } *pairs; /* allowed address pairs */
	int npairs;
};

struct net_model_subnet {
	char id[37], network_id[37];
	int ip_version;
	char cidr[50], gateway[46];  /* gateway "" when none */
	bool enable_dhcp;
	char ipv6_address_mode[20], ipv6_ra_mode[20];
	char (*dns)[46];
	int ndns;
	struct net_model_route { char destination[50], nexthop[46]; } *routes;
	int nroutes;
};

struct net_model_network {
	char id[37];
	char type[8];          /* flat, vlan, vxlan, local */
	char physnet[64];      /* flat/vlan: the configured physical network */
	int segmentation_id;   /* VNI or VLAN id; 0 when none */
	int mtu;
	bool external, admin_up;
};

struct net_model_rule {
	char id[37], secgroup_id[37];
	bool ingress;          /* else egress */
	int ip_version;        /* 4 or 6 */
	int protocol;          /* IP protocol number; -1: any */
	int port_min, port_max; /* -1: any; ICMP: type and code */
	char remote_prefix[50]; /* "" when none */
	char remote_group[37];  /* "" when none */
};

struct net_model_fip {
	char id[37], router_id[37];
	char floating_ip[46], fixed_ip[46];
};

struct net_model_router {
	char id[37];
	bool admin_up, enable_snat;
	char gw_port_id[37];   /* "" when no gateway: the gateway port is in ports[] */
	char (*interfaces)[37]; /* port ids (in ports[]) of the router's subnet legs */
	int ninterfaces;
	struct net_model_route *routes; /* static routes */
	int nroutes;
};

/* The desired data plane, whole. Arrays are owned by the model (net_model_free). */
struct net_model {
	struct net_model_network *networks;
	int nnetworks;
	struct net_model_subnet *subnets;
	int nsubnets;
	struct net_model_port *ports;
	int nports;
	struct net_model_rule *rules;
	int nrules;
	struct net_model_router *routers;
	int nrouters;
	struct net_model_fip *fips;
	int nfips;
};

void net_model_free(struct net_model *m);
/* The network, subnet or port of the model with id 'id', or NULL (borrowed; linear: the
 * model's arrays need not be sorted). */
const struct net_model_network *net_model_network(const struct net_model *m, const char *id);
const struct net_model_subnet *net_model_subnet(const struct net_model *m, const char *id);
const struct net_model_port *net_model_port(const struct net_model *m, const char *id);

struct netdrv;
struct netdrv_ops {
	const char *name;
	/* Converges the host to 'm' (see above). Returns 0, or -1 with err set (the worker
	 * logs it and tries again later). Ports it brought up are reported through
	 * 'port_up' (may be NULL) so that their status turns ACTIVE. */
	int (*apply)(struct netdrv *d, const struct net_model *m,
		     void (*port_up)(const char *port_id, void *ctx), void *ctx,
		     struct err *err);
	/* Removes everything the driver made (used by tests and `ciel down`); may be NULL. */
	int (*teardown)(struct netdrv *d, struct err *err);
	void (*free)(struct netdrv *d);
};

struct netdrv {
	const struct netdrv_ops *ops;
};

struct netdrv *netdrv_noop_new(void);
/* The linuxbridge driver; state (dnsmasq files, pid files) under 'state_dir'. */
struct netdrv *netdrv_linux_new(const char *state_dir, struct err *err);

static inline int netdrv_apply(struct netdrv *d, const struct net_model *m,
			       void (*port_up)(const char *port_id, void *ctx), void *ctx,
			       struct err *err)
{
	return d->ops->apply(d, m, port_up, ctx, err);
}

static inline void netdrv_free(struct netdrv *d)
{
	if (d != NULL)
		d->ops->free(d);
}

#endif
