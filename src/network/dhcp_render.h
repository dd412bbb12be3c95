#ifndef CIEL_NET_DHCP_RENDER_H
#define CIEL_NET_DHCP_RENDER_H

/* dnsmasq files of the linuxbridge driver, one dnsmasq per network (as Neutron runs it):
 * pure renderers (model -> text), golden-tested (tests/unit/test_dhcp_render.c).
 *
 * - conf: read once at start (a change restarts dnsmasq): the interface in the qdhcp
 *   namespace (bind-interfaces), one static dhcp-range per DHCP-enabled subnet tagged
 *   "subnet-<id>" (IPv4, and IPv6 subnets in a DHCPv6 address mode), lease time 86400 s,
 *   the lease, hosts and opts files under the network's directory, no-resolv and no
 *   server line: it answers for its hosts and forwards nothing upstream.
 * - hosts (dhcp-hostsfile): "MAC,IP,hostname" per address of a port on a DHCP-enabled
 *   subnet ("[addr]" for IPv6); the DHCP port itself is left out.
 * - opts (dhcp-optsfile): per subnet, the router (empty when the subnet has no gateway, so
 *   that none is offered), DNS servers (the subnet's, else the DHCP port's own address),
 *   the network MTU (IPv4), and classless static routes (121 and Microsoft's 249): the
 *   metadata address 169.254.169.254 via the DHCP port (the namespace serves metadata,
 *   as Neutron's isolated metadata does), the host routes, and the default route via the
 *   gateway.
 * Hosts and opts are re-read on SIGHUP: a port change rewrites them and signals. */

#include <stdbool.h>

/* The metadata service's address, served in each qdhcp namespace. */
#define DHCP_METADATA_IP "169.254.169.254"

struct net_model;
struct net_model_network;
struct net_model_port;

/* True when 'n' has a subnet with DHCP enabled that dnsmasq serves. */
bool dhcp_network_served(const struct net_model *m, const struct net_model_network *n);

/* The conf file for network 'n' whose DHCP port is 'dhcp_port', its files in directory
 * 'dir' (absolute, no trailing slash). Caller frees each result; never NULL. */
char *dhcp_render_conf(const struct net_model *m, const struct net_model_network *n,
		       const struct net_model_port *dhcp_port, const char *dir);
char *dhcp_render_hosts(const struct net_model *m, const struct net_model_network *n,
			const struct net_model_port *dhcp_port);
char *dhcp_render_opts(const struct net_model *m, const struct net_model_network *n,
		       const struct net_model_port *dhcp_port);

#endif
