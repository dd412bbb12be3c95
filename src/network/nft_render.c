/* nftables rulesets of the linuxbridge driver (nft_render.h): security groups and router
 * NAT, rendered whole from the model. Pure: no I/O but the memory stream. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "network/ipam_addr.h"
#include "network/netdrv.h"
#include "network/nft_render.h"

#define MARK_MAX 0xffff

void nft_link_name(char out[16], const char *prefix, const char *id)
{
	snprintf(out, 16, "%s%.11s", prefix, id);
}

bool nft_port_filtered(const struct net_model_port *p)
{
	return p->port_security && strncmp(p->device_owner, "network:", 8) != 0;
}

/* The id's hex digits (dashes dropped), for set names. */
static void id_hex(char out[40], const char *id)
{
	size_t n = 0;

	for (; *id != '\0' && n < 39; id++)
		if ((*id >= '0' && *id <= '9') || (*id >= 'a' && *id <= 'f') ||
		    (*id >= 'A' && *id <= 'F'))
			out[n++] = *id;
	out[n] = '\0';
}

/* A stable conntrack zone (1..65535) for a network: FNV-1a of its id. Zones only
 * separate networks whose addresses overlap, so a rare collision costs nothing more. */
static unsigned net_zone(const char *id)
{
	unsigned h = 2166136261u;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % 65535u + 1;
}

static int addr_version(const char *s)
{
	return strchr(s, ':') != NULL ? 6 : 4;
}

static bool has_group(const struct net_model_port *p, const char *sg)
{
	for (int i = 0; i < p->nsecgroups; i++)
		if (strcmp(p->secgroups[i], sg) == 0)
			return true;
	return false;
}

/* The ports' indexes in the mark: i-th filtered port of the model gets i + 1. */
static int *filter_marks(const struct net_model *m, int *count)
{
	int *marks = xcalloc((size_t)m->nports + 1, sizeof(*marks));
	int n = 0;

	for (int i = 0; i < m->nports; i++)
		if (nft_port_filtered(&m->ports[i]))
			marks[i] = ++n;
	*count = n;
	return marks;
}

/* True when some rule of a group of a filtered port names 'sg' as its remote group. */
static bool remote_group_used(const struct net_model *m, const char *sg)
{
	for (int r = 0; r < m->nrules; r++) {
		if (strcmp(m->rules[r].remote_group, sg) != 0)
			continue;
		for (int i = 0; i < m->nports; i++)
			if (nft_port_filtered(&m->ports[i]) &&
			    has_group(&m->ports[i], m->rules[r].secgroup_id))
				return true;
	}
	return false;
}

/* Named sets rg4_<hex>/rg6_<hex> of the addresses of each group used as a remote group.
 * auto-merge lets overlapping members (a pair's prefix holding a fixed address) in. */
static void render_sets(FILE *f, const struct net_model *m)
{
	for (int r = 0; r < m->nrules; r++) {
		const char *sg = m->rules[r].remote_group;
		bool seen = false;
		char hex[40];

		if (sg[0] == '\0')
			continue;
		for (int q = 0; q < r && !seen; q++)
			seen = strcmp(m->rules[q].remote_group, sg) == 0;
		if (seen || !remote_group_used(m, sg))
			continue;
		id_hex(hex, sg);
		for (int v = 4; v <= 6; v += 2) {
			bool first = true;

			fprintf(f, "\tset rg%d_%s {\n\t\ttype %s; flags interval; auto-merge;\n", v,
				hex, v == 4 ? "ipv4_addr" : "ipv6_addr");
			for (int i = 0; i < m->nports; i++) {
				const struct net_model_port *p = &m->ports[i];

				if (!has_group(p, sg))
					continue;
				for (int a = 0; a < p->nips + p->npairs; a++) {
					const char *ip = a < p->nips ? p->ips[a].address
								     : p->pairs[a - p->nips].ip;

					if (addr_version(ip) != v)
						continue;
					fputs(first ? "\t\telements = { " : ", ", f);
					fputs(ip, f);
					first = false;
				}
			}
			if (!first)
				fputs(" }\n", f);
			fputs("\t}\n", f);
		}
	}
}

/* Anti-spoofing of port 'p' with mark index 'n': what it may send, by MAC and source. */
static void render_out_chain(FILE *f, const struct net_model_port *p, int n)
{
	int nmacs = 1 + p->npairs;
	const char **macs = xcalloc((size_t)nmacs, sizeof(*macs));
	int k = 0;

	macs[k++] = p->mac;
	for (int a = 0; a < p->npairs; a++) {
		const char *mac = p->pairs[a].mac[0] != '\0' ? p->pairs[a].mac : p->mac;
		bool dup = false;

		for (int j = 0; j < k && !dup; j++)
			dup = strcmp(macs[j], mac) == 0;
		if (!dup)
			macs[k++] = mac;
	}
	fprintf(f, "\tchain out_%d {\n", n);
	fprintf(f, "\t\tmeta mark set meta mark | 0x%08x\n", (unsigned)n);
	for (int j = 0; j < k; j++) {
		struct net_cidr ll;
		struct net_addr lla;
		char buf[NET_ADDR_STRLEN];

		if (!nft_token_ok(macs[j], ":"))
			continue;
		fprintf(f, "\t\tether saddr %s ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 "
			   "udp dport 67 return\n",
			macs[j]);
		fprintf(f, "\t\tether saddr %s arp saddr ip 0.0.0.0 return\n", macs[j]);
		fprintf(f, "\t\tether saddr %s ip6 saddr :: icmpv6 type { nd-neighbor-solicit, "
			   "mld2-listener-report, mld-listener-report } return\n",
			macs[j]);
		if (net_cidr_parse("fe80::/64", &ll) == 0 &&
		    net_addr_eui64(&ll, macs[j], &lla) == 0) {
			net_addr_format(&lla, buf);
			fprintf(f, "\t\tether saddr %s ip6 saddr %s return\n", macs[j], buf);
		}
	}
	for (int a = 0; a < p->nips; a++) {
		const char *ip = p->ips[a].address;

		if (!nft_token_ok(ip, ".:") || !nft_token_ok(p->mac, ":"))
			continue;
		if (addr_version(ip) == 4) {
			fprintf(f, "\t\tether saddr %s ip saddr %s return\n", p->mac, ip);
			fprintf(f, "\t\tether saddr %s arp saddr ip %s return\n", p->mac, ip);
		} else {
			fprintf(f, "\t\tether saddr %s ip6 saddr %s return\n", p->mac, ip);
		}
	}
	for (int a = 0; a < p->npairs; a++) {
		const char *mac = p->pairs[a].mac[0] != '\0' ? p->pairs[a].mac : p->mac;
		const char *ip = p->pairs[a].ip;

		if (!nft_token_ok(ip, ".:/") || !nft_token_ok(mac, ":"))
			continue;
		if (addr_version(ip) == 4) {
			fprintf(f, "\t\tether saddr %s ip saddr %s return\n", mac, ip);
			fprintf(f, "\t\tether saddr %s arp saddr ip %s return\n", mac, ip);
		} else {
			fprintf(f, "\t\tether saddr %s ip6 saddr %s return\n", mac, ip);
		}
	}
	fputs("\t\tdrop\n\t}\n", f);
	free(macs);
}

bool nft_token_ok(const char *s, const char *extra)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!isascii((unsigned char)*s) ||
		    (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL))
			return false;
	return true;
}

/* One security group rule as an nft rule ending in 'verdict'. A remote prefix that is no
 * address leaves the rule out: it must not widen it, nor reach the ruleset. */
static void render_rule(FILE *f, const struct net_model_rule *r, const char *verdict)
{
	int v = r->ip_version == 6 ? 6 : 4;
	const char *ipkw = v == 6 ? "ip6" : "ip";
	const char *dir = r->ingress ? "saddr" : "daddr";
	int proto = r->protocol;
	struct net_cidr any;
	struct net_addr host;

	if (r->remote_prefix[0] != '\0' && net_cidr_parse(r->remote_prefix, &any) < 0 &&
	    (net_addr_parse(r->remote_prefix, &host) < 0 || !nft_token_ok(r->remote_prefix, ".:")))
		return;
	fprintf(f, "\t\tmeta nfproto %s", v == 6 ? "ipv6" : "ipv4");
	if (r->remote_prefix[0] != '\0') {
		struct net_cidr c;
		char buf[NET_CIDR_STRLEN];

		if (net_cidr_parse(r->remote_prefix, &c) == 0) {
			if (c.prefixlen > 0) {
				net_cidr_format(&c, buf);
				fprintf(f, " %s %s %s", c.base.version == 6 ? "ip6" : "ip", dir,
					buf);
			}
		} else {
			/* a bare address: a host prefix */
			fprintf(f, " %s %s %s", addr_version(r->remote_prefix) == 6 ? "ip6" : "ip",
				dir, r->remote_prefix);
		}
	}
	if (r->remote_group[0] != '\0') {
		char hex[40];

		id_hex(hex, r->remote_group);
		fprintf(f, " %s %s @rg%d_%s", ipkw, dir, v, hex);
	}
	if (v == 6 && proto == 1)
		proto = 58; /* "icmp" with IPv6 means ICMPv6, as in Neutron */
	if (proto == 6 || proto == 17 || proto == 132 || proto == 33) {
		const char *name = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 132 ? "sctp"
											   : "dccp";
		int lo = r->port_min, hi = r->port_max;

		if (lo < 0 && hi >= 0)
			lo = hi;
		if (lo >= 0 && hi < lo)
			hi = lo;
		if (lo < 0 || (lo <= 1 && hi >= 65535))
			fprintf(f, " meta l4proto %s", name);
		else if (lo == hi)
			fprintf(f, " %s dport %d", name, lo);
		else
			fprintf(f, " %s dport %d-%d", name, lo, hi);
	} else if ((proto == 1 && v == 4) || (proto == 58 && v == 6)) {
		const char *name = v == 4 ? "icmp" : "icmpv6";

		fprintf(f, " meta l4proto %s", v == 4 ? "icmp" : "ipv6-icmp");
		if (r->port_min >= 0) {
			fprintf(f, " %s type %d", name, r->port_min);
			if (r->port_max >= 0)
				fprintf(f, " %s code %d", name, r->port_max);
		}
	} else if (proto >= 0) {
		fprintf(f, " meta l4proto %d", proto);
	}
	fprintf(f, " %s\n", verdict);
}

static void render_port_chains(FILE *f, const struct net_model *m,
			       const struct net_model_port *p, int n)
{
	fprintf(f, "\tchain e_%d {\n", n);
	fputs("\t\tmeta nfproto ipv4 udp sport 68 udp dport 67 return\n"
	      "\t\tmeta nfproto ipv6 udp sport 546 udp dport 547 return\n"
	      "\t\tudp sport 67 udp dport 68 drop\n"
	      "\t\tudp sport 547 udp dport 546 drop\n",
	      f);
	for (int r = 0; r < m->nrules; r++)
		if (!m->rules[r].ingress && has_group(p, m->rules[r].secgroup_id))
			render_rule(f, &m->rules[r], "return");
	fputs("\t\tdrop\n\t}\n", f);

	fprintf(f, "\tchain i_%d {\n", n);
	fputs("\t\tmeta nfproto ipv4 udp sport 67 udp dport 68 accept\n"
	      "\t\tmeta nfproto ipv6 udp sport 547 udp dport 546 accept\n",
	      f);
	for (int r = 0; r < m->nrules; r++)
		if (m->rules[r].ingress && has_group(p, m->rules[r].secgroup_id))
			render_rule(f, &m->rules[r], "accept");
	fputs("\t\tdrop\n\t}\n", f);
}

/* "vmap { k1 : jump c1, k2 : jump c2 }" lines, one element per line. */
static void render_vmap_elem(FILE *f, bool *first, const char *key, const char *chain, int n)
{
	fprintf(f, "%s\t\t\t%s : jump %s_%d", *first ? "" : ",\n", key, chain, n);
	*first = false;
}

char *nft_render_filter(const struct net_model *m, struct err *err)
{
	char *text = NULL;
	size_t size = 0;
	int nmarks;
	int *marks = filter_marks(m, &nmarks);
	FILE *f;
	bool first;

	if (nmarks > MARK_MAX) {
		free(marks);
		err_set(err, ERR_INTERNAL, "%d ports with port security: at most %d per host",
			nmarks, MARK_MAX);
		return NULL;
	}
	f = open_memstream(&text, &size);
	BUG_ON(f == NULL);
	fputs("# ciel security groups: generated, do not edit\n"
	      "add table bridge ciel\n"
	      "delete table bridge ciel\n"
	      "add table inet ciel\n"
	      "delete table inet ciel\n\n",
	      f);

	fputs("table bridge ciel {\n", f);
	for (int i = 0; i < m->nports; i++) {
		if (marks[i] == 0)
			continue;
		render_out_chain(f, &m->ports[i], marks[i]);
		fprintf(f, "\tchain in_%d {\n\t\tmeta mark set meta mark | 0x%08x\n\t}\n",
			marks[i], (unsigned)marks[i] << 16);
	}
	fputs("\tchain port_mark {\n"
	      "\t\ttype filter hook forward priority -200; policy accept;\n"
	      "\t\tmeta mark set 0x00000000\n",
	      f);
	for (int pass = 0; pass < 2 && nmarks > 0; pass++) {
		fprintf(f, "\t\t%s vmap {\n", pass == 0 ? "iifname" : "oifname");
		first = true;
		for (int i = 0; i < m->nports; i++) {
			char tap[16], key[24];

			if (marks[i] == 0)
				continue;
			nft_link_name(tap, "tap", m->ports[i].id);
			snprintf(key, sizeof(key), "\"%s\"", tap);
			render_vmap_elem(f, &first, key, pass == 0 ? "out" : "in", marks[i]);
		}
		fputs("\n\t\t}\n", f);
	}
	fputs("\t}\n}\n\n", f);

	fputs("table inet ciel {\n", f);
	render_sets(f, m);
	fputs("\tchain ct_zones {\n"
	      "\t\ttype filter hook prerouting priority -300; policy accept;\n",
	      f);
	for (int i = 0; i < m->nnetworks; i++) {
		char br[16];

		nft_link_name(br, "brq", m->networks[i].id);
		fprintf(f, "\t\tiifname \"%s\" ct zone set %u\n", br, net_zone(m->networks[i].id));
	}
	fputs("\t}\n", f);
	for (int i = 0; i < m->nports; i++)
		if (marks[i] != 0)
			render_port_chains(f, m, &m->ports[i], marks[i]);
	fputs("\tchain filter_fwd {\n"
	      "\t\ttype filter hook forward priority 0; policy accept;\n"
	      "\t\tmeta mark 0x00000000 accept\n"
	      "\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, "
	      "mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } "
	      "accept\n"
	      "\t\ticmpv6 type nd-router-advert meta mark & 0x0000ffff != 0x00000000 drop\n"
	      "\t\ticmpv6 type nd-router-advert accept\n"
	      "\t\tct state invalid drop\n"
	      "\t\tct state established,related accept\n",
	      f);
	for (int pass = 0; pass < 2 && nmarks > 0; pass++) {
		fprintf(f, "\t\tmeta mark & 0x%s vmap {\n", pass == 0 ? "0000ffff" : "ffff0000");
		first = true;
		for (int i = 0; i < m->nports; i++) {
			char key[16];

			if (marks[i] == 0)
				continue;
			snprintf(key, sizeof(key), "0x%08x",
				 pass == 0 ? (unsigned)marks[i] : (unsigned)marks[i] << 16);
			render_vmap_elem(f, &first, key, pass == 0 ? "e" : "i", marks[i]);
		}
		fputs("\n\t\t}\n", f);
	}
	fputs("\t}\n}\n", f);
	fclose(f);
	free(marks);
	return text;
}

/* The IPv4 subnets of the router's interfaces as "a/n, b/m" (caller frees; "" if none). */
static char *inside_subnets(const struct net_model *m, const struct net_model_router *r)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	bool first = true;

	BUG_ON(f == NULL);
	for (int i = 0; i < r->ninterfaces; i++) {
		const struct net_model_port *p = net_model_port(m, r->interfaces[i]);

		for (int a = 0; p != NULL && a < p->nips; a++) {
			const struct net_model_subnet *s = net_model_subnet(m, p->ips[a].subnet_id);

			if (s == NULL || s->ip_version != 4)
				continue;
			fprintf(f, "%s%s", first ? "" : ", ", s->cidr);
			first = false;
		}
	}
	fclose(f);
	return text;
}

char *nft_render_nat(const struct net_model *m, const struct net_model_router *r)
{
	const struct net_model_port *gw = r->gw_port_id[0] ? net_model_port(m, r->gw_port_id) : NULL;
	const char *gw_ip = NULL;
	char qg[16], *inside;
	int nfips = 0;
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	BUG_ON(f == NULL);
	if (gw != NULL) {
		nft_link_name(qg, "qg-", gw->id);
		for (int a = 0; a < gw->nips && gw_ip == NULL; a++)
			if (addr_version(gw->ips[a].address) == 4)
				gw_ip = gw->ips[a].address;
	}
	fprintf(f, "# ciel router %s NAT: generated, do not edit\n"
		   "add table inet ciel-nat\n"
		   "delete table inet ciel-nat\n\n"
		   "table inet ciel-nat {\n"
		   "\tchain nat_pre {\n"
		   "\t\ttype nat hook prerouting priority -100; policy accept;\n",
		r->id);
	for (int i = 0; i < m->nfips && gw != NULL; i++) {
		const struct net_model_fip *fip = &m->fips[i];

		if (strcmp(fip->router_id, r->id) == 0 && fip->fixed_ip[0] != '\0' &&
		    addr_version(fip->floating_ip) == 4)
			fprintf(f, "\t\tip daddr %s dnat ip to %s\n", fip->floating_ip,
				fip->fixed_ip);
	}
	fputs("\t}\n"
	      "\tchain nat_post {\n"
	      "\t\ttype nat hook postrouting priority 100; policy accept;\n",
	      f);
	for (int i = 0; i < m->nfips && gw != NULL; i++) {
		const struct net_model_fip *fip = &m->fips[i];

		if (strcmp(fip->router_id, r->id) == 0 && fip->fixed_ip[0] != '\0' &&
		    addr_version(fip->floating_ip) == 4) {
			fprintf(f, "\t\toifname \"%s\" ip saddr %s snat ip to %s\n", qg,
				fip->fixed_ip, fip->floating_ip);
			nfips++;
		}
	}
	inside = inside_subnets(m, r);
	if (gw_ip != NULL && nfips > 0)
		/* an instance reaching a floating IP of this router (hairpin): the reply must
		 * come back through the router to be un-DNATed, so the source becomes the
		 * gateway's address, as Neutron's routers do */
		fprintf(f, "\t\tiifname != \"%s\" ct status dnat snat ip to %s\n", qg, gw_ip);
	if (gw_ip != NULL && r->enable_snat && inside[0] != '\0')
		fprintf(f, "\t\toifname \"%s\" ip saddr { %s } snat ip to %s\n", qg, inside, gw_ip);
	free(inside);
	fputs("\t}\n}\n", f);
	fclose(f);
	return text;
}
