/* A small data-plane model for the renderers' golden tests (test_nft_render.c,
 * test_dhcp_render.c), and the golden-file comparison they share.
 *
 * Golden files live in tests/unit/golden/ (GOLDEN_DIR, set by meson). With
 * CIEL_GOLDEN_UPDATE=1 in the environment a test rewrites its golden file instead of
 * comparing: the diff is then read and committed like code. */
#ifndef CIEL_TEST_NETDRV_FIXTURE_H
#define CIEL_TEST_NETDRV_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "network/netdrv.h"

#define NET_A "11111111-aaaa-4aaa-8aaa-000000000001"
#define NET_EXT "22222222-bbbb-4bbb-8bbb-000000000002"
#define SUB_A4 "33333333-cccc-4ccc-8ccc-000000000003"
#define SUB_A6 "44444444-dddd-4ddd-8ddd-000000000004"
#define SUB_EXT "55555555-eeee-4eee-8eee-000000000005"
#define SG_DEF "66666666-ffff-4fff-8fff-000000000006"
#define SG_WEB "77777777-0000-4000-8000-000000000007"
#define ROUTER "88888888-1111-4111-8111-000000000008"
#define P_DHCP "a0000000-0000-4000-8000-00000000000a"
#define P_VM1 "b0000000-0000-4000-8000-00000000000b"
#define P_VM2 "c0000000-0000-4000-8000-00000000000c"
#define P_VM3 "d0000000-0000-4000-8000-00000000000d"
#define P_RIF "e0000000-0000-4000-8000-00000000000e"
#define P_RGW "f0000000-0000-4000-8000-00000000000f"

static struct net_model_network fx_networks[] = {
	{ .id = NET_A, .type = "vxlan", .segmentation_id = 1001, .mtu = 1450, .admin_up = true },
	{ .id = NET_EXT, .type = "flat", .physnet = "public", .mtu = 1500, .external = true,
	  .admin_up = true },
};

static char fx_dns6[][46] = { "2001:db8::53" };
static struct net_model_route fx_routes_a4[] = { { "192.168.5.0/24", "10.0.0.254" } };

static struct net_model_subnet fx_subnets[] = {
	{ .id = SUB_A4, .network_id = NET_A, .ip_version = 4, .cidr = "10.0.0.0/24",
	  .gateway = "10.0.0.1", .enable_dhcp = true, .routes = fx_routes_a4, .nroutes = 1 },
	{ .id = SUB_A6, .network_id = NET_A, .ip_version = 6, .cidr = "fd00:1::/64",
	  .gateway = "fd00:1::1", .enable_dhcp = true, .ipv6_address_mode = "dhcpv6-stateful",
	  .ipv6_ra_mode = "dhcpv6-stateful", .dns = fx_dns6, .ndns = 1 },
	{ .id = SUB_EXT, .network_id = NET_EXT, .ip_version = 4, .cidr = "172.24.4.0/24",
	  .gateway = "172.24.4.1", .enable_dhcp = false },
};

static struct net_model_ip fx_ips_dhcp[] = { { SUB_A4, "10.0.0.2" }, { SUB_A6, "fd00:1::2" } };
static struct net_model_ip fx_ips_vm1[] = { { SUB_A4, "10.0.0.5" }, { SUB_A6, "fd00:1::5" } };
static struct net_model_ip fx_ips_vm2[] = { { SUB_A4, "10.0.0.6" } };
static struct net_model_ip fx_ips_vm3[] = { { SUB_A4, "10.0.0.7" } };
static struct net_model_ip fx_ips_rif[] = { { SUB_A4, "10.0.0.1" } };
static struct net_model_ip fx_ips_rgw[] = { { SUB_EXT, "172.24.4.10" } };
static char fx_sg_def[][37] = { SG_DEF };
static char fx_sg_web[][37] = { SG_WEB };
static struct net_model_pair fx_pairs_vm1[] = { { "10.0.0.100", "" },
						{ "10.0.1.0/24", "fa:16:3e:00:00:99" } };

static struct net_model_port fx_ports[] = {
	{ .id = P_DHCP, .network_id = NET_A, .mac = "fa:16:3e:00:00:0a",
	  .device_owner = "network:dhcp", .device_id = "dhcp", .admin_up = true,
	  .port_security = false, .ips = fx_ips_dhcp, .nips = 2 },
	{ .id = P_VM1, .network_id = NET_A, .mac = "fa:16:3e:00:00:0b",
	  .device_owner = "compute:nova", .device_id = "vm1", .hostname = "vm1", .admin_up = true,
	  .port_security = true, .ips = fx_ips_vm1, .nips = 2, .secgroups = fx_sg_def,
	  .nsecgroups = 1, .pairs = fx_pairs_vm1, .npairs = 2 },
	{ .id = P_VM2, .network_id = NET_A, .mac = "fa:16:3e:00:00:0c",
	  .device_owner = "compute:nova", .device_id = "vm2", .hostname = "host-10-0-0-6",
	  .admin_up = true, .port_security = true, .ips = fx_ips_vm2, .nips = 1,
	  .secgroups = fx_sg_web, .nsecgroups = 1 },
	{ .id = P_VM3, .network_id = NET_A, .mac = "fa:16:3e:00:00:0d", .device_owner = "",
	  .hostname = "host-10-0-0-7", .admin_up = true, .port_security = false,
	  .ips = fx_ips_vm3, .nips = 1 },
	{ .id = P_RIF, .network_id = NET_A, .mac = "fa:16:3e:00:00:0e",
	  .device_owner = "network:router_interface", .device_id = ROUTER,
	  .hostname = "host-10-0-0-1", .admin_up = true, .port_security = true,
	  .ips = fx_ips_rif, .nips = 1, .secgroups = fx_sg_def, .nsecgroups = 1 },
	{ .id = P_RGW, .network_id = NET_EXT, .mac = "fa:16:3e:00:00:0f",
	  .device_owner = "network:router_gateway", .device_id = ROUTER, .admin_up = true,
	  .port_security = false, .ips = fx_ips_rgw, .nips = 1 },
};

static struct net_model_rule fx_rules[] = {
	/* default: Neutron's default group */
	{ .id = "r1", .secgroup_id = SG_DEF, .ingress = true, .ip_version = 4, .protocol = -1,
	  .port_min = -1, .port_max = -1, .remote_group = SG_DEF },
	{ .id = "r2", .secgroup_id = SG_DEF, .ingress = true, .ip_version = 6, .protocol = -1,
	  .port_min = -1, .port_max = -1, .remote_group = SG_DEF },
	{ .id = "r3", .secgroup_id = SG_DEF, .ingress = false, .ip_version = 4, .protocol = -1,
	  .port_min = -1, .port_max = -1 },
	{ .id = "r4", .secgroup_id = SG_DEF, .ingress = false, .ip_version = 6, .protocol = -1,
	  .port_min = -1, .port_max = -1 },
	/* web: ports, ranges, ICMP type/code, prefixes, another protocol */
	{ .id = "r5", .secgroup_id = SG_WEB, .ingress = true, .ip_version = 4, .protocol = 6,
	  .port_min = 80, .port_max = 80, .remote_prefix = "0.0.0.0/0" },
	{ .id = "r6", .secgroup_id = SG_WEB, .ingress = true, .ip_version = 4, .protocol = 6,
	  .port_min = 8000, .port_max = 8080, .remote_prefix = "192.168.0.0/16" },
	{ .id = "r7", .secgroup_id = SG_WEB, .ingress = true, .ip_version = 4, .protocol = 1,
	  .port_min = 8, .port_max = 0, .remote_prefix = "10.0.0.0/8" },
	{ .id = "r8", .secgroup_id = SG_WEB, .ingress = true, .ip_version = 6, .protocol = 1,
	  .port_min = -1, .port_max = -1 },
	{ .id = "r9", .secgroup_id = SG_WEB, .ingress = true, .ip_version = 4, .protocol = 17,
	  .port_min = -1, .port_max = -1, .remote_group = SG_DEF },
	{ .id = "r10", .secgroup_id = SG_WEB, .ingress = false, .ip_version = 4, .protocol = 47,
	  .port_min = -1, .port_max = -1, .remote_prefix = "203.0.113.7/32" },
};

static char fx_r_ifaces[][37] = { P_RIF };
static struct net_model_route fx_r_routes[] = { { "192.168.5.0/24", "10.0.0.254" } };

static struct net_model_router fx_routers[] = {
	{ .id = ROUTER, .admin_up = true, .enable_snat = true, .gw_port_id = P_RGW,
	  .interfaces = fx_r_ifaces, .ninterfaces = 1, .routes = fx_r_routes, .nroutes = 1 },
};

static struct net_model_fip fx_fips[] = {
	{ .id = "fip1", .router_id = ROUTER, .floating_ip = "172.24.4.20", .fixed_ip = "10.0.0.5" },
	{ .id = "fip2", .router_id = ROUTER, .floating_ip = "172.24.4.21", .fixed_ip = "" },
};

/* The fixture as a model (arrays borrowed from the statics above: do not free). */
static inline struct net_model fx_model(void)
{
	struct net_model m = {
		.networks = fx_networks, .nnetworks = 2, .subnets = fx_subnets, .nsubnets = 3,
		.ports = fx_ports, .nports = 6, .rules = fx_rules, .nrules = 10,
		.routers = fx_routers, .nrouters = 1, .fips = fx_fips, .nfips = 2,
	};

	return m;
}

/* 0 when 'text' equals golden file 'name' (or when it was rewritten, under
 * CIEL_GOLDEN_UPDATE=1); else prints both and returns -1. */
static inline int golden_check(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", GOLDEN_DIR, name);
	const char *update = getenv("CIEL_GOLDEN_UPDATE");
	size_t size = 0;
	char *want;
	int rc = 0;

	if (update != NULL && strcmp(update, "1") == 0) {
		rc = util_write_file(path, text, strlen(text), 0644);
		free(path);
		return rc;
	}
	want = util_read_file(path, &size);
	if (want == NULL || size != strlen(text) || memcmp(want, text, size) != 0) {
		fprintf(stderr, "golden %s differs; got:\n%s\n--- want:\n%s\n", path, text,
			want != NULL ? want : "(unreadable)");
		rc = -1;
	}
	free(want);
	free(path);
	return rc;
}

#endif
