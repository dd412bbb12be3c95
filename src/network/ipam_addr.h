#ifndef CIEL_NET_IPAM_ADDR_H
#define CIEL_NET_IPAM_ADDR_H

/* Address arithmetic for IPAM and subnets, IPv4 and IPv6 alike: an address is a 128-bit
 * number and its version; a CIDR is an address and a prefix length. Pure functions, no
 * database, no JSON: tests/unit/test_ipam.c covers them. */

#include <stdbool.h>

#define NET_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define NET_CIDR_STRLEN 50

struct net_addr {
	int version; /* 4 or 6 */
	unsigned __int128 v;
};

struct net_cidr {
	struct net_addr base; /* as written: host bits may be set (see net_cidr_strict) */
	int prefixlen;
};

/* An address range, both ends included (an allocation pool). */
struct net_range {
	struct net_addr start, end;
};

/* Parses a dotted IPv4 or an IPv6 address (inet_pton's syntax). 0 or -1. */
int net_addr_parse(const char *s, struct net_addr *a);
/* The canonical text (inet_ntop: IPv6 compressed, lower case) into 'out'. */
void net_addr_format(const struct net_addr *a, char out[NET_ADDR_STRLEN]);
/* The number of bits of the version: 32 or 128. */
int net_addr_bits(int version);
/* a + n within the version's space (wraps); n may be negative. */
struct net_addr net_addr_add(struct net_addr a, long long n);
int net_addr_cmp(const struct net_addr *a, const struct net_addr *b);

/* Parses "address/prefixlen" (the prefix length within the version's bits; a bare
 * address is not a CIDR). 0 or -1. */
int net_cidr_parse(const char *s, struct net_cidr *c);
/* True when the host bits of the base are zero. */
bool net_cidr_strict(const struct net_cidr *c);
/* "network/prefixlen" with the host bits cleared. */
void net_cidr_format(const struct net_cidr *c, char out[NET_CIDR_STRLEN]);
/* The first (network) and last (broadcast for IPv4) addresses. */
struct net_addr net_cidr_first(const struct net_cidr *c);
struct net_addr net_cidr_last(const struct net_cidr *c);
bool net_cidr_contains(const struct net_cidr *c, const struct net_addr *a);
/* True when the two CIDRs share an address (one holds the other). */
bool net_cidr_overlap(const struct net_cidr *a, const struct net_cidr *b);
/* True when 'a' lies inside 'outer'. */
bool net_cidr_within(const struct net_cidr *a, const struct net_cidr *outer);

/* Neutron's valid host address of a subnet: inside it, not its network address and, for
 * IPv4 subnets larger than /31, not its broadcast address. */
bool net_cidr_host_ok(const struct net_cidr *c, const struct net_addr *a);
/* The allocation pools Neutron gives a subnet by default: every host address but the
 * gateway ('gw' may be NULL), as one or two ranges. Returns how many (0..2). */
int net_default_pools(const struct net_cidr *c, const struct net_addr *gw,
		      struct net_range out[2]);

/* The SLAAC address (modified EUI-64) of 'mac' ("aa:bb:cc:dd:ee:ff") in the /64
 * 'prefix'. 0, or -1 when the MAC is malformed or the prefix is not IPv6. */
int net_addr_eui64(const struct net_cidr *prefix, const char *mac, struct net_addr *out);

/* The first address of 'pools' (in order) that is not the gateway 'gw' (may be NULL) and
 * not in 'used' (sorted ascending, 'nused' entries). false when all are taken. */
bool net_first_free(const struct net_range *pools, int npools, const struct net_addr *gw,
		    const struct net_addr *used, int nused, struct net_addr *out);
/* The first CIDR of length 'prefixlen' inside one of 'prefixes' (in order) that overlaps
 * none of 'used' (a subnet pool's next subnet). false when there is no room. */
bool net_first_free_prefix(const struct net_cidr *prefixes, int n, const struct net_cidr *used,
			   int nused, int prefixlen, struct net_cidr *out);
/* Sorts addresses ascending (for net_first_free). */
void net_addr_sort(struct net_addr *a, int n);

#endif
