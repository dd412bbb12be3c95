#ifndef CIEL_NETWORK_H
#define CIEL_NETWORK_H

/* The network service (Neutron v2.0 under /network).
 *
 * Model. Networks hold subnets (a CIDR, a gateway, allocation pools); ports plug into a
 * network and take addresses from its subnets (net_ip: one row per address, unique per
 * subnet, so a duplicate is a 409 from the database itself). Routers are rows whose legs
 * are ports (device_owner network:router_interface / network:router_gateway); a floating IP
 * is an address on an external network held by a port of its own and mapped 1:1 to a fixed
 * address behind a router. Security groups and their rules hang off ports (net_port_sg).
 * Every resource carries Neutron's standard attributes: project_id, description,
 * revision_number (bumped on each update), created_at, updated_at and tags (net_tag).
 *
 * The API writes only the database. A sync worker (sync.c) notices the change, loads the
 * desired data plane (a struct net_model) and hands it whole to the driver (netdrv.h), which
 * converges bridges, namespaces, dnsmasq and nftables to it, idempotently; at start the
 * same call reconciles whatever a previous run left.
 *
 * Other services reach networks only through this header. */

#include "core/db.h"

struct err;
struct service;

extern const struct db_migration net_migrations[];

/* Starts the data plane's privileged helper when the linuxbridge driver is configured and
 * ciel runs as root (else the noop driver is used, with a warning). It forks: call it while
 * the process is still single-threaded, before any other service starts threads. */
int net_prepare(struct err *err);

/* Registers the /network routes, seeds the agents and starts the sync worker with the
 * configured driver ([network] driver). Migrations run when the database is opened. */
int net_init(struct err *err);
/* The /network and /metadata services' routes and policies (registered by net_init). */
const struct service *net_http_service(void);
const struct service *net_metadata_http_service(void);
void net_shutdown(void);

/* Creates, once, the external network 'public' of the admin project 'admin_project' with
 * its subnet ([network] public_cidr), as `ciel up` offers it. */
int net_ensure_public(const char *admin_project, struct err *err);

#endif
