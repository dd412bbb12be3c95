/* Address arithmetic (ipam_addr.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/ipam_addr.h"

typedef unsigned __int128 u128;

int net_addr_bits(int version)
{
	return version == 4 ? 32 : 128;
}

static u128 host_mask(int version, int prefixlen)
{
	int host = net_addr_bits(version) - prefixlen;

	if (host <= 0)
		return 0;
	if (host >= 128)
		return ~(u128)0;
	return ((u128)1 << host) - 1;
}

static u128 space_mask(int version)
{
	return version == 4 ? (u128)0xffffffffu : ~(u128)0;
}

int net_addr_parse(const char *s, struct net_addr *a)
{
	unsigned char b[16];

	if (s == NULL)
		return -1;
	if (strchr(s, ':') == NULL) {
		if (inet_pton(AF_INET, s, b) != 1)
			return -1;
		a->version = 4;
		a->v = ((u128)b[0] << 24) | ((u128)b[1] << 16) | ((u128)b[2] << 8) | b[3];
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) != 1)
		return -1;
	a->version = 6;
	a->v = 0;
	for (int i = 0; i < 16; i++)
		a->v = (a->v << 8) | b[i];
	return 0;
}

void net_addr_format(const struct net_addr *a, char out[NET_ADDR_STRLEN])
{
	unsigned char b[16];

	if (a->version == 4) {
		for (int i = 0; i < 4; i++)
			b[i] = (unsigned char)(a->v >> (24 - 8 * i));
		inet_ntop(AF_INET, b, out, NET_ADDR_STRLEN);
		return;
	}
	for (int i = 0; i < 16; i++)
		b[i] = (unsigned char)(a->v >> (120 - 8 * i));
	inet_ntop(AF_INET6, b, out, NET_ADDR_STRLEN);
}

struct net_addr net_addr_add(struct net_addr a, long long n)
{
	if (n >= 0)
		a.v += (u128)n;
	else
		a.v -= (u128)(-(n + 1)) + 1;
	a.v &= space_mask(a.version);
	return a;
}

int net_addr_cmp(const struct net_addr *a, const struct net_addr *b)
{
	if (a->version != b->version)
		return a->version < b->version ? -1 : 1;
	return a->v < b->v ? -1 : a->v > b->v ? 1 : 0;
}

int net_cidr_parse(const char *s, struct net_cidr *c)
{
	char buf[NET_CIDR_STRLEN + 8], *slash, *end;
	long len;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	len = strtol(slash + 1, &end, 10);
	if (*end != '\0' || net_addr_parse(buf, &c->base) < 0 ||
	    len > net_addr_bits(c->base.version))
		return -1;
	c->prefixlen = (int)len;
	return 0;
}

bool net_cidr_strict(const struct net_cidr *c)
{
	return (c->base.v & host_mask(c->base.version, c->prefixlen)) == 0;
}

struct net_addr net_cidr_first(const struct net_cidr *c)
{
	struct net_addr a = c->base;

	a.v &= ~host_mask(a.version, c->prefixlen);
	a.v &= space_mask(a.version);
	return a;
}

struct net_addr net_cidr_last(const struct net_cidr *c)
{
	struct net_addr a = net_cidr_first(c);

	a.v |= host_mask(a.version, c->prefixlen);
	return a;
}

void net_cidr_format(const struct net_cidr *c, char out[NET_CIDR_STRLEN])
{
	char a[NET_ADDR_STRLEN];
	struct net_addr first = net_cidr_first(c);

	net_addr_format(&first, a);
	snprintf(out, NET_CIDR_STRLEN, "%s/%d", a, c->prefixlen);
}

bool net_cidr_contains(const struct net_cidr *c, const struct net_addr *a)
{
	struct net_addr f = net_cidr_first(c), l = net_cidr_last(c);

	return a->version == c->base.version && a->v >= f.v && a->v <= l.v;
}

bool net_cidr_overlap(const struct net_cidr *a, const struct net_cidr *b)
{
	struct net_addr af = net_cidr_first(a), al = net_cidr_last(a);
	struct net_addr bf = net_cidr_first(b), bl = net_cidr_last(b);

	return a->base.version == b->base.version && af.v <= bl.v && bf.v <= al.v;
}

bool net_cidr_within(const struct net_cidr *a, const struct net_cidr *outer)
{
	struct net_addr f = net_cidr_first(a), l = net_cidr_last(a);

	return a->prefixlen >= outer->prefixlen && net_cidr_contains(outer, &f) &&
	       net_cidr_contains(outer, &l);
}

bool net_cidr_host_ok(const struct net_cidr *c, const struct net_addr *a)
{
	struct net_addr f = net_cidr_first(c), l = net_cidr_last(c);

	if (!net_cidr_contains(c, a))
		return false;
	if (c->base.version == 4 && c->prefixlen >= 31)
		return true;
	if (c->base.version == 6 && c->prefixlen == 128)
		return true;
	return a->v != f.v && (c->base.version == 6 || a->v != l.v);
}

int net_default_pools(const struct net_cidr *c, const struct net_addr *gw,
		      struct net_range out[2])
{
	struct net_addr lo = net_cidr_first(c), hi = net_cidr_last(c);
	int n = 0;

	if (c->base.version == 4 && c->prefixlen >= 31) {
		/* point-to-point: both addresses are hosts */
	} else if (c->base.version == 6 && c->prefixlen == 128) {
	} else {
		lo = net_addr_add(lo, 1);
		if (c->base.version == 4)
			hi = net_addr_add(hi, -1);
	}
	if (lo.v > hi.v)
		return 0;
	if (gw == NULL || gw->version != lo.version || gw->v < lo.v || gw->v > hi.v) {
		out[0] = (struct net_range){ lo, hi };
		return 1;
	}
	if (gw->v > lo.v)
		out[n++] = (struct net_range){ lo, net_addr_add(*gw, -1) };
	if (gw->v < hi.v)
		out[n++] = (struct net_range){ net_addr_add(*gw, 1), hi };
	return n;
}

int net_addr_eui64(const struct net_cidr *prefix, const char *mac, struct net_addr *out)
{
	unsigned int m[6];
	char tail;
	u128 iid;

	if (prefix->base.version != 6 || prefix->prefixlen > 64 || mac == NULL ||
	    sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &tail) != 6)
		return -1;
	iid = ((u128)(m[0] ^ 0x02) << 56) | ((u128)m[1] << 48) | ((u128)m[2] << 40) |
	      ((u128)0xfffe << 24) | ((u128)m[3] << 16) | ((u128)m[4] << 8) | m[5];
	*out = net_cidr_first(prefix);
	out->v |= iid;
	return 0;
}

bool net_first_free(const struct net_range *pools, int npools, const struct net_addr *gw,
		    const struct net_addr *used, int nused, struct net_addr *out)
{
	for (int p = 0; p < npools; p++) {
		u128 c = pools[p].start.v, end = pools[p].end.v;
		int lo = 0, hi = nused;

		/* the first used address >= c */
		while (lo < hi) {
			int mid = lo + (hi - lo) / 2;
			if (used[mid].v < c)
				lo = mid + 1;
			else
				hi = mid;
		}
		while (c <= end) {
			if (gw != NULL && gw->version == pools[p].start.version && gw->v == c) {
			} else if (lo < nused && used[lo].v == c) {
				lo++;
			} else {
				out->version = pools[p].start.version;
				out->v = c;
				return true;
			}
			if (c == end)
				break;
			c++;
			while (lo < nused && used[lo].v < c)
				lo++;
		}
	}
	return false;
}

static int cmp_addr(const void *a, const void *b)
{
	return net_addr_cmp(a, b);
}

void net_addr_sort(struct net_addr *a, int n)
{
	if (n > 1)
		qsort(a, (size_t)n, sizeof(*a), cmp_addr);
}

/* The start of the first block of 2^(bits - len) addresses at or after 'v' (aligned). */
static bool align_up(u128 v, int host_bits, u128 *out)
{
	u128 mask;

	if (host_bits >= 128) {
		*out = 0;
		return v == 0;
	}
	mask = ((u128)1 << host_bits) - 1;
	if ((v & mask) == 0) {
		*out = v;
		return true;
	}
	*out = (v | mask) + 1;
	return *out != 0; /* wrapped past the top */
}

bool net_first_free_prefix(const struct net_cidr *prefixes, int n, const struct net_cidr *used,
			   int nused, int prefixlen, struct net_cidr *out)
{
	for (int p = 0; p < n; p++) {
		const struct net_cidr *pr = &prefixes[p];
		int bits = net_addr_bits(pr->base.version), host = bits - prefixlen;
		struct net_addr first = net_cidr_first(pr), last = net_cidr_last(pr);
		u128 c = first.v;

		if (prefixlen < pr->prefixlen || prefixlen > bits)
			continue;
		for (;;) {
			struct net_cidr cand = { { pr->base.version, c }, prefixlen };
			struct net_addr cl = net_cidr_last(&cand);
			int hit = -1;

			if (c > last.v || cl.v > last.v)
				break;
			for (int u = 0; u < nused && hit < 0; u++)
				if (net_cidr_overlap(&cand, &used[u]))
					hit = u;
			if (hit < 0) {
				*out = cand;
				return true;
			}
			cl = net_cidr_last(&used[hit]);
			if (cl.v >= last.v || !align_up(cl.v + 1, host, &c))
				break;
		}
	}
	return false;
}
