/* The network service's tables. Times are BIGINT microseconds; lists and objects that are
 * only ever read whole (dns_nameservers, host_routes, allocation_pools, allowed address
 * pairs, router routes, binding profile) are JSON text. Booleans are INTEGER 0/1. */
#include "network/network.h"

const struct db_migration net_migrations[] = {
	{ "network", 1,
	  /* provider attributes: network_type flat/vlan/vxlan/local; physical_network is ''
	   * when there is none so that the unique key refuses a second user of a segment */
	  "CREATE TABLE net_network ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	  " description TEXT NOT NULL DEFAULT '', admin_state_up INTEGER NOT NULL DEFAULT 1,"
	  " status TEXT NOT NULL DEFAULT 'ACTIVE', shared INTEGER NOT NULL DEFAULT 0,"
	  " external INTEGER NOT NULL DEFAULT 0, is_default INTEGER NOT NULL DEFAULT 0,"
	  " mtu INTEGER NOT NULL DEFAULT 1450, port_security_enabled INTEGER NOT NULL DEFAULT 1,"
	  " network_type TEXT NOT NULL, physical_network TEXT NOT NULL DEFAULT '',"
	  " segmentation_id INTEGER, dns_domain TEXT NOT NULL DEFAULT '',"
	  " revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE UNIQUE INDEX net_network_segment ON net_network"
	  " (network_type, physical_network, segmentation_id);"
	  "CREATE INDEX net_network_project ON net_network (project_id);"
	  "CREATE TABLE net_subnetpool ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	  " description TEXT NOT NULL DEFAULT '', ip_version INTEGER NOT NULL,"
	  " prefixes TEXT NOT NULL DEFAULT '[]', default_prefixlen INTEGER NOT NULL,"
	  " min_prefixlen INTEGER NOT NULL, max_prefixlen INTEGER NOT NULL,"
	  " shared INTEGER NOT NULL DEFAULT 0, is_default INTEGER NOT NULL DEFAULT 0,"
	  " default_quota INTEGER, address_scope_id TEXT,"
	  " revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE TABLE net_subnet ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, network_id TEXT NOT NULL,"
	  " name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',"
	  " ip_version INTEGER NOT NULL, cidr TEXT NOT NULL, gateway_ip TEXT,"
	  " enable_dhcp INTEGER NOT NULL DEFAULT 1, ipv6_ra_mode TEXT, ipv6_address_mode TEXT,"
	  " subnetpool_id TEXT, dns_nameservers TEXT NOT NULL DEFAULT '[]',"
	  " host_routes TEXT NOT NULL DEFAULT '[]', allocation_pools TEXT NOT NULL DEFAULT '[]',"
	  " service_types TEXT NOT NULL DEFAULT '[]', segment_id TEXT,"
	  " revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE INDEX net_subnet_network ON net_subnet (network_id);"
	  "CREATE TABLE net_port ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, network_id TEXT NOT NULL,"
	  " name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',"
	  " mac_address TEXT NOT NULL, admin_state_up INTEGER NOT NULL DEFAULT 1,"
	  " status TEXT NOT NULL DEFAULT 'DOWN', device_id TEXT NOT NULL DEFAULT '',"
	  " device_owner TEXT NOT NULL DEFAULT '', port_security_enabled INTEGER NOT NULL"
	  " DEFAULT 1, allowed_address_pairs TEXT NOT NULL DEFAULT '[]',"
	  " extra_dhcp_opts TEXT NOT NULL DEFAULT '[]', binding_host_id TEXT NOT NULL"
	  " DEFAULT '', binding_vnic_type TEXT NOT NULL DEFAULT 'normal',"
	  " binding_profile TEXT NOT NULL DEFAULT '{}', binding_vif_type TEXT NOT NULL"
	  " DEFAULT 'unbound', dns_name TEXT NOT NULL DEFAULT '',"
	  " revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE UNIQUE INDEX net_port_mac ON net_port (network_id, mac_address);"
	  "CREATE INDEX net_port_device ON net_port (device_id);"
	  "CREATE INDEX net_port_project ON net_port (project_id);"
	  /* one row per fixed address; the key refuses a second holder of an address */
	  "CREATE TABLE net_ip ("
	  " subnet_id TEXT NOT NULL, ip_address TEXT NOT NULL, port_id TEXT NOT NULL,"
	  " network_id TEXT NOT NULL, PRIMARY KEY (subnet_id, ip_address));"
	  "CREATE INDEX net_ip_port ON net_ip (port_id);"
	  "CREATE TABLE net_secgroup ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	  " description TEXT NOT NULL DEFAULT '', stateful INTEGER NOT NULL DEFAULT 1,"
	  " revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE INDEX net_secgroup_project ON net_secgroup (project_id);"
	  /* a project's 'default' group: one per project, made on first use */
	  "CREATE TABLE net_default_sg ("
	  " project_id TEXT PRIMARY KEY, secgroup_id TEXT NOT NULL);"
	  "CREATE TABLE net_sg_rule ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, security_group_id TEXT NOT NULL,"
	  " direction TEXT NOT NULL, ethertype TEXT NOT NULL, protocol TEXT,"
	  " port_range_min INTEGER, port_range_max INTEGER, remote_ip_prefix TEXT,"
	  " remote_group_id TEXT, remote_address_group_id TEXT,"
	  " description TEXT NOT NULL DEFAULT '', revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE INDEX net_sg_rule_group ON net_sg_rule (security_group_id);"
	  "CREATE TABLE net_port_sg ("
	  " port_id TEXT NOT NULL, secgroup_id TEXT NOT NULL,"
	  " PRIMARY KEY (port_id, secgroup_id));"
	  "CREATE INDEX net_port_sg_group ON net_port_sg (secgroup_id);"
	  /* routers: the gateway is a port on gw_network_id; interfaces are ports whose
	   * device_id is the router (their link is net_router_port since version 6) */
	  "CREATE TABLE net_router ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	  " description TEXT NOT NULL DEFAULT '', admin_state_up INTEGER NOT NULL DEFAULT 1,"
	  " status TEXT NOT NULL DEFAULT 'ACTIVE', gw_network_id TEXT, gw_port_id TEXT,"
	  " enable_snat INTEGER NOT NULL DEFAULT 1, routes TEXT NOT NULL DEFAULT '[]',"
	  " distributed INTEGER NOT NULL DEFAULT 0, ha INTEGER NOT NULL DEFAULT 0,"
	  " revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE INDEX net_router_project ON net_router (project_id);"
	  "CREATE TABLE net_floatingip ("
	  " id TEXT PRIMARY KEY, project_id TEXT NOT NULL, floating_network_id TEXT NOT NULL,"
	  " floating_ip_address TEXT NOT NULL, floating_port_id TEXT NOT NULL,"
	  " port_id TEXT, fixed_ip_address TEXT, router_id TEXT,"
	  " status TEXT NOT NULL DEFAULT 'DOWN', description TEXT NOT NULL DEFAULT '',"
	  " dns_name TEXT NOT NULL DEFAULT '', dns_domain TEXT NOT NULL DEFAULT '',"
	  " revision_number INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE INDEX net_floatingip_port ON net_floatingip (port_id);"
	  /* tags of any resource (ids are UUIDs, unique across kinds) */
	  "CREATE TABLE net_tag ("
	  " resource_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (resource_id, tag));"
	  "CREATE INDEX net_tag_tag ON net_tag (tag);"
	  /* per-project quota overrides; absent rows take [network] defaults */
	  "CREATE TABLE net_quota ("
	  " project_id TEXT NOT NULL, resource TEXT NOT NULL, hard_limit INTEGER NOT NULL,"
	  " PRIMARY KEY (project_id, resource));"
	  /* agents as Neutron lists them: the in-process agent registers its parts per host */
	  "CREATE TABLE net_agent ("
	  " id TEXT PRIMARY KEY, agent_type TEXT NOT NULL, binary_name TEXT NOT NULL,"
	  " host TEXT NOT NULL, topic TEXT NOT NULL, admin_state_up INTEGER NOT NULL DEFAULT 1,"
	  " description TEXT, availability_zone TEXT, configurations TEXT NOT NULL DEFAULT"
	  " '{}', created_at BIGINT NOT NULL, started_at BIGINT NOT NULL,"
	  " heartbeat_at BIGINT NOT NULL);"
	  "CREATE UNIQUE INDEX net_agent_host ON net_agent (agent_type, host);" },
	/* one floating IP per fixed address and external network, also between concurrent
	 * requests (unassociated rows hold NULLs, which never collide) */
	{ "network", 5,
	  "CREATE UNIQUE INDEX net_floatingip_fixed ON net_floatingip"
	  " (floating_network_id, port_id, fixed_ip_address);" },
	/* a router's legs, as Neutron's routerports: only the router makes them (its gateway,
	 * add_router_interface), so a port naming a router as its device is no leg of it.
	 * Legs made before: interfaces of the router's project, and its gateway. */
	{ "network", 6,
	  "CREATE TABLE net_router_port ("
	  " port_id TEXT PRIMARY KEY, router_id TEXT NOT NULL, port_type TEXT NOT NULL);"
	  "CREATE INDEX net_router_port_router ON net_router_port (router_id);"
	  "INSERT INTO net_router_port (port_id, router_id, port_type)"
	  " SELECT p.id, r.id, p.device_owner FROM net_port p JOIN net_router r"
	  " ON r.id = p.device_id WHERE (p.device_owner = 'network:router_interface'"
	  " AND p.project_id = r.project_id) OR (p.device_owner = 'network:router_gateway'"
	  " AND p.id = r.gw_port_id);" },
	{ 0 },
};
