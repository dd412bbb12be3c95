#ifndef CIEL_NET_NFT_RENDER_H
#define CIEL_NET_NFT_RENDER_H

/* nftables rulesets of the linuxbridge driver, rendered whole from the model: pure
 * functions (model -> text), no I/O, golden-tested (tests/unit/test_nft_render.c). Each
 * script begins by creating then deleting the tables it defines, so that `nft -f` of it is
 * one atomic batch that replaces them whole (and works whether they existed or not).
 *
 * Security groups (root namespace; table "ciel" in families bridge and inet). The kernel
 * has no bridge-family conntrack, so the work is split:
 * - bridge ciel, chain port_mark (forward hook, priority -200): frames from an instance
 *   tap jump to out_N, which sets bits 0-15 of the packet mark to N and drops what the
 *   port may not send (anti-spoofing: its MAC with its IPs or allowed address pairs, ARP
 *   alike, its EUI-64 link-local, DHCP/DAD from the unspecified address); frames to an
 *   instance tap set bits 16-31 to N.
 * - inet ciel (bridge-nf-call-iptables=1 sends bridged IP through it), chain filter_fwd:
 *   unmarked packets pass (router and DHCP legs, ports without port security); marked
 *   ones pass ICMPv6 neighbour discovery, drop invalid, accept established/related, then
 *   egress chain e_N of the sender (rules 'return', the end drops) and ingress chain i_N of
 *   the receiver (rules 'accept', the end drops). Chain ct_zones puts each network's
 *   bridge in its own conntrack zone, since tenants' addresses may overlap.
 * - A remote group is a named set per group and family (rg4_/rg6_ + the id's hex) of the
 *   fixed and allowed-pair addresses of the group's ports.
 * "Instance ports" are the model's ports with port_security whose device_owner does not
 * begin with "network:"; at most 65535 of them (the mark's half).
 *
 * NAT (one per router, inside qrouter-<id>; table inet ciel-nat): floating IPs DNAT in
 * prerouting and SNAT out of the gateway leg; with enable_snat, the IPv4 interface subnets
 * are SNATed to the gateway's address out of the gateway leg; DNATed traffic that did not
 * come in through the gateway leg (an instance reaching a floating IP of the same router)
 * is SNATed to the gateway's address, so that the reply returns through the router. */

#include <stdbool.h>

struct net_model;
struct net_model_port;
struct net_model_router;
struct err;

/* The root-namespace ruleset for all instance ports of 'm'. Returns a string the caller
 * frees, or NULL with err set when 'm' has more instance ports than marks allow. */
char *nft_render_filter(const struct net_model *m, struct err *err);

/* The NAT ruleset of router 'r' (one of m->routers). Caller frees; never NULL. */
char *nft_render_nat(const struct net_model *m, const struct net_model_router *r);

/* True when port 'p' is an instance port (see above) whose traffic the filter checks. */
bool nft_port_filtered(const struct net_model_port *p);

/* Link names from ids (Neutron's scheme): 'prefix' + the first 11 characters of 'id'. */
void nft_link_name(char out[16], const char *prefix, const char *id);
/* True when 's' is not empty and holds only ASCII letters, digits and the characters of
 * 'extra': what a renderer writes into a file of another program's syntax (nftables,
 * dnsmasq) must be, whatever the API let through; anything else is left out. */
bool nft_token_ok(const char *s, const char *extra);

#endif
