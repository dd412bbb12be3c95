/* dnsmasq conf, hosts and opts files of one network (dhcp_render.h). Pure. Every value
 * written is checked against the characters its field may hold (nft_token_ok): a comma,
 * newline or anything else that would end a field or a line of dnsmasq's files leaves the
 * value out, whatever the API and the database let through. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "network/dhcp_render.h"
#include "network/ipam_addr.h"
#include "network/netdrv.h"
#include "network/nft_render.h"

#define LEASE_TIME "86400s"
#define LEASE_MAX 65536

/* The characters of the fields dnsmasq reads from us (besides letters and digits). */
#define ADDR_CHARS ".:"       /* an IPv4 or IPv6 address */
#define CIDR_CHARS ".:/"      /* a prefix */
#define MAC_CHARS ":"
#define ID_CHARS "-"          /* our UUIDs */
#define HOST_CHARS "-."       /* a host name (dns_name: RFC 1123 labels) */

/* True when dnsmasq serves subnet 's': DHCP enabled, IPv4 or a DHCPv6 address mode. */
static bool subnet_served(const struct net_model_subnet *s)
{
	if (!s->enable_dhcp || !nft_token_ok(s->id, ID_CHARS))
		return false;
	return s->ip_version == 4 || strcmp(s->ipv6_address_mode, "dhcpv6-stateful") == 0 ||
	       strcmp(s->ipv6_address_mode, "dhcpv6-stateless") == 0;
}

/* True when dnsmasq hands out addresses of 's' (IPv4 or DHCPv6 stateful). */
static bool subnet_addresses(const struct net_model_subnet *s)
{
	return subnet_served(s) &&
	       (s->ip_version == 4 || strcmp(s->ipv6_address_mode, "dhcpv6-stateful") == 0);
}

bool dhcp_network_served(const struct net_model *m, const struct net_model_network *n)
{
	for (int i = 0; i < m->nsubnets; i++)
		if (strcmp(m->subnets[i].network_id, n->id) == 0 && subnet_served(&m->subnets[i]))
			return true;
	return false;
}

static void netmask4(int prefixlen, char out[16])
{
	unsigned mask = prefixlen <= 0 ? 0 : 0xffffffffu << (32 - prefixlen);

	snprintf(out, 16, "%u.%u.%u.%u", mask >> 24, (mask >> 16) & 0xff, (mask >> 8) & 0xff,
		 mask & 0xff);
}

char *dhcp_render_conf(const struct net_model *m, const struct net_model_network *n,
		       const struct net_model_port *dhcp_port, const char *dir)
{
	char *text = NULL, ifname[16];
	size_t size = 0;
	long long lease_max = 0;
	FILE *f = open_memstream(&text, &size);

	BUG_ON(f == NULL);
	nft_link_name(ifname, "ns-", dhcp_port->id);
	fprintf(f, "# ciel DHCP of network %s: generated, do not edit\n"
		   "no-hosts\n"
		   "no-resolv\n"
		   "interface=%s\n"
		   "bind-interfaces\n",
		nft_token_ok(n->id, ID_CHARS) ? n->id : "?", ifname);
	for (int i = 0; i < m->nsubnets; i++) {
		const struct net_model_subnet *s = &m->subnets[i];
		struct net_cidr c;
		char base[NET_CIDR_STRLEN], mask[16];

		if (strcmp(s->network_id, n->id) != 0 || !subnet_served(s) ||
		    net_cidr_parse(s->cidr, &c) < 0)
			continue;
		net_cidr_format(&c, base);
		base[strcspn(base, "/")] = '\0';
		if (c.base.version == 4) {
			netmask4(c.prefixlen, mask);
			lease_max += 1ll << (32 - c.prefixlen);
		} else {
			snprintf(mask, sizeof(mask), "%d", c.prefixlen);
			lease_max += LEASE_MAX;
		}
		fprintf(f, "dhcp-range=set:subnet-%s,%s,static,%s,%s\n", s->id, base, mask,
			LEASE_TIME);
	}
	fprintf(f, "dhcp-lease-max=%lld\n"
		   "dhcp-hostsfile=%s/host\n"
		   "dhcp-optsfile=%s/opts\n"
		   "dhcp-leasefile=%s/leases\n",
		lease_max < LEASE_MAX ? lease_max : LEASE_MAX, dir, dir, dir);
	fclose(f);
	return text;
}

char *dhcp_render_hosts(const struct net_model *m, const struct net_model_network *n,
			const struct net_model_port *dhcp_port)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	BUG_ON(f == NULL);
	for (int i = 0; i < m->nports; i++) {
		const struct net_model_port *p = &m->ports[i];

		if (strcmp(p->network_id, n->id) != 0 || p == dhcp_port ||
		    strcmp(p->id, dhcp_port->id) == 0)
			continue;
		for (int a = 0; a < p->nips; a++) {
			const struct net_model_subnet *s = net_model_subnet(m, p->ips[a].subnet_id);
			const char *addr = p->ips[a].address;
			/* a name that is no host name is no name: the address stays */
			bool named = nft_token_ok(p->hostname, HOST_CHARS);

			if (s == NULL || !subnet_addresses(s) || !nft_token_ok(p->mac, MAC_CHARS) ||
			    !nft_token_ok(addr, ADDR_CHARS))
				continue;
			fprintf(f, s->ip_version == 6 ? "%s,[%s]%s%s\n" : "%s,%s%s%s\n", p->mac,
				addr, named ? "," : "", named ? p->hostname : "");
		}
	}
	fclose(f);
	return text;
}

/* The DHCP port's address on subnet 's', or NULL. */
static const char *port_addr_on(const struct net_model_port *p, const struct net_model_subnet *s)
{
	for (int a = 0; a < p->nips; a++)
		if (strcmp(p->ips[a].subnet_id, s->id) == 0)
			return nft_token_ok(p->ips[a].address, ADDR_CHARS) ? p->ips[a].address
									  : NULL;
	return NULL;
}

/* The subnet's gateway if it is an address dnsmasq may read, else "" (none offered). */
static const char *gateway_of(const struct net_model_subnet *s)
{
	return nft_token_ok(s->gateway, ADDR_CHARS) ? s->gateway : "";
}

/* The DNS servers of 's' dnsmasq may read. */
static int dns_count(const struct net_model_subnet *s)
{
	int n = 0;

	for (int d = 0; d < s->ndns; d++)
		n += nft_token_ok(s->dns[d], ADDR_CHARS);
	return n;
}

/* Option 121 (or 249) as 'option' + "dst,nexthop,...": the metadata address via the
 * DHCP port ('self', may be NULL), the subnet's IPv4 host routes, and the default route via
 * the gateway (a client that gets 121 ignores the router option). Nothing when the list
 * would hold only the default route. */
static void render_routes(FILE *f, const struct net_model_subnet *s, const char *self,
			  const char *option)
{
	bool any = false;

	if (self != NULL) {
		fprintf(f, "%s%s/32,%s", option, DHCP_METADATA_IP, self);
		any = true;
	}
	for (int r = 0; r < s->nroutes; r++) {
		if (strchr(s->routes[r].destination, ':') != NULL ||
		    !nft_token_ok(s->routes[r].destination, CIDR_CHARS) ||
		    !nft_token_ok(s->routes[r].nexthop, ADDR_CHARS))
			continue;
		fprintf(f, "%s%s,%s", any ? "," : option, s->routes[r].destination,
			s->routes[r].nexthop);
		any = true;
	}
	if (!any)
		return;
	if (*gateway_of(s) != '\0')
		fprintf(f, ",0.0.0.0/0,%s", gateway_of(s));
	fputc('\n', f);
}

char *dhcp_render_opts(const struct net_model *m, const struct net_model_network *n,
		       const struct net_model_port *dhcp_port)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	BUG_ON(f == NULL);
	for (int i = 0; i < m->nsubnets; i++) {
		const struct net_model_subnet *s = &m->subnets[i];
		const char *self = port_addr_on(dhcp_port, s);
		char tag[48], opt[96];

		if (strcmp(s->network_id, n->id) != 0 || !subnet_served(s))
			continue;
		snprintf(tag, sizeof(tag), "tag:subnet-%s", s->id);
		if (s->ip_version == 6) {
			if (dns_count(s) > 0) {
				fprintf(f, "%s,option6:dns-server", tag);
				for (int d = 0; d < s->ndns; d++)
					if (nft_token_ok(s->dns[d], ADDR_CHARS))
						fprintf(f, ",[%s]", s->dns[d]);
				fputc('\n', f);
			} else if (self != NULL) {
				fprintf(f, "%s,option6:dns-server,[%s]\n", tag, self);
			}
			continue;
		}
		if (*gateway_of(s) != '\0')
			fprintf(f, "%s,option:router,%s\n", tag, gateway_of(s));
		else
			fprintf(f, "%s,option:router\n", tag);
		if (dns_count(s) > 0) {
			fprintf(f, "%s,option:dns-server", tag);
			for (int d = 0; d < s->ndns; d++)
				if (nft_token_ok(s->dns[d], ADDR_CHARS))
					fprintf(f, ",%s", s->dns[d]);
			fputc('\n', f);
		} else if (self != NULL) {
			fprintf(f, "%s,option:dns-server,%s\n", tag, self);
		}
		if (n->mtu > 0)
			fprintf(f, "%s,option:mtu,%d\n", tag, n->mtu);
		snprintf(opt, sizeof(opt), "%s,option:classless-static-route,", tag);
		render_routes(f, s, self, opt);
		snprintf(opt, sizeof(opt), "%s,249,", tag);
		render_routes(f, s, self, opt);
	}
	fclose(f);
	return text;
}
