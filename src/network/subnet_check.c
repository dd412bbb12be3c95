/* Checks of subnets' attributes (subnet_check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "network/ipam_addr.h"
#include "network/net_int.h"
#include "network/subnet_check.h"

#define MAX_DNS 5
#define MAX_ROUTES 20

bool net_subnet_autoaddr(const char *ra_mode, const char *address_mode)
{
	return str_eq(address_mode, "slaac") || str_eq(address_mode, "dhcpv6-stateless") ||
	       (address_mode == NULL &&
		(str_eq(ra_mode, "slaac") || str_eq(ra_mode, "dhcpv6-stateless")));
}

static int check_mode(const char *key, const json_t *v, struct err *err)
{
	const char *s = json_string_value(v);

	if (v == NULL || json_is_null(v))
		return 0;
	if (s != NULL && (strcmp(s, "slaac") == 0 || strcmp(s, "dhcpv6-stateful") == 0 ||
			  strcmp(s, "dhcpv6-stateless") == 0))
		return 0;
	return err_set(err, ERR_BAD_REQUEST,
		       "Invalid input for %s. Reason: '%s' is not in ['dhcpv6-stateful', "
		       "'dhcpv6-stateless', 'slaac', None].",
		       key, s != NULL ? s : "value");
}

/* Neutron's rules for the IPv6 modes of a subnet. */
static int check_modes(int version, const char *ra, const char *am, bool dhcp,
		       const struct net_cidr *c, struct err *err)
{
	char text[NET_CIDR_STRLEN];

	if (ra == NULL && am == NULL)
		return 0;
	if (version == 4)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: %s is not valid when ip_version is "
			       "4.",
			       ra != NULL ? "ipv6_ra_mode" : "ipv6_address_mode");
	if (!dhcp)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: ipv6_ra_mode or ipv6_address_mode "
			       "cannot be set when enable_dhcp is set to False.");
	if (ra != NULL && am != NULL && strcmp(ra, am) != 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: ipv6_ra_mode set to '%s' with "
			       "ipv6_address_mode set to '%s' is not valid. If both attributes "
			       "are set, they must be the same value.",
			       ra, am);
	if (net_subnet_autoaddr(ra, am) && c->prefixlen != 64) {
		net_cidr_format(c, text);
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: Invalid CIDR %s for IPv6 address "
			       "mode. OpenStack uses the EUI-64 address format, which requires "
			       "the prefix to be /64.",
			       text);
	}
	return 0;
}

/* A subnet that turns DHCP on (created with it, or updated from off to on) must leave
 * room for the DHCP port and be a unicast, non-loopback, non-link-local range, as
 * Neutron's _validate_subnet holds it: a tenant's /32 gave its only address to the DHCP
 * port, and 127.0.0.0/8, 169.254.0.0/16 (the metadata address), fe80::/10 or multicast
 * ranges would be served by dnsmasq in the network's namespace. */
static int check_dhcp_cidr(const struct net_cidr *c, struct err *err)
{
	static const struct {
		const char *cidr, *what;
	} banned[] = {
		{"224.0.0.0/4", "Multicast"},  {"ff00::/8", "Multicast"},
		{"127.0.0.0/8", "Loopback"},   {"::1/128", "Loopback"},
		{"169.254.0.0/16", "Link-local"}, {"fe80::/10", "Link-local"},
	};

	if ((c->base.version == 4 && c->prefixlen > 30) ||
	    (c->base.version == 6 && c->prefixlen > 126))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: Subnet has a prefix length that is "
			       "incompatible with DHCP service enabled.");
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		struct net_cidr b;
		if (net_cidr_parse(banned[i].cidr, &b) == 0 && b.base.version == c->base.version &&
		    net_cidr_within(c, &b))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: %s IP subnet is not supported "
				       "if enable_dhcp is True.",
				       banned[i].what);
	}
	return 0;
}

/* An address of the subnet's version; 'key' names it in messages. */
static int parse_ip(const char *key, const json_t *v, int version, struct net_addr *a,
		    struct err *err)
{
	const char *s = json_string_value(v);

	if (s == NULL || net_addr_parse(s, a) < 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: '%s' is not a valid IP address.", key,
			       s != NULL ? s : "value");
	if (a->version != version)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: %s '%s' does not match the "
			       "ip_version '%d'",
			       key, s, version);
	return 0;
}

/* Checks gateway_ip against the CIDR and replaces it with its canonical text. */
static int check_gateway(json_t *item, const struct net_cidr *c, struct net_addr *gw,
			 bool *has_gw, struct err *err)
{
	json_t *v = json_object_get(item, "gateway_ip");
	char text[NET_ADDR_STRLEN];
	struct net_addr f = net_cidr_first(c), l = net_cidr_last(c);

	*has_gw = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (parse_ip("gateway_ip", v, c->base.version, gw, err) < 0)
		return -1;
	/* outside the subnet is allowed (an on-link router), as Neutron; inside an IPv4
	 * subnet, not its network or broadcast address */
	if (c->base.version == 4 && net_cidr_contains(c, gw) && !net_cidr_host_ok(c, gw) &&
	    (gw->v == f.v || gw->v == l.v))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: Gateway is not valid on subnet.");
	*has_gw = true;
	net_addr_format(gw, text);
	json_object_set_new(item, "gateway_ip", json_string(text));
	return 0;
}

static void pool_text(const struct net_range *r, char out[2 * NET_ADDR_STRLEN + 2])
{
	char a[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN];

	net_addr_format(&r->start, a);
	net_addr_format(&r->end, b);
	snprintf(out, 2 * NET_ADDR_STRLEN + 2, "%s-%s", a, b);
}

static json_t *pools_json(const struct net_range *r, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		char s[NET_ADDR_STRLEN], e[NET_ADDR_STRLEN];
		net_addr_format(&r[i].start, s);
		net_addr_format(&r[i].end, e);
		json_array_append_new(a, json_pack("{s:s,s:s}", "start", s, "end", e));
	}
	return a;
}

/* Checks allocation_pools (given) or makes the default ones; sets the canonical list. */
static int check_pools(json_t *item, const struct net_cidr *c, const struct net_addr *gw,
		       struct err *err)
{
	json_t *v = json_object_get(item, "allocation_pools"), *p;
	struct net_range def[2], *r;
	struct net_addr lo = net_cidr_first(c), hi = net_cidr_last(c);
	char cidr[NET_CIDR_STRLEN], t1[2 * NET_ADDR_STRLEN + 2], t2[2 * NET_ADDR_STRLEN + 2];
	size_t i, n;
	int rc = -1;

	if (v == NULL || json_is_null(v)) {
		int k = net_default_pools(c, gw, def);
		json_object_set_new(item, "allocation_pools", pools_json(def, k));
		return 0;
	}
	if (!json_is_array(v))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for allocation_pools. Reason: Invalid data format "
			       "for IP pool: 'not a list'.");
	net_cidr_format(c, cidr);
	if (!(c->base.version == 4 && c->prefixlen >= 31) &&
	    !(c->base.version == 6 && c->prefixlen == 128)) {
		lo = net_addr_add(lo, 1);
		if (c->base.version == 4)
			hi = net_addr_add(hi, -1);
	}
	n = json_array_size(v);
	r = xcalloc(n + 1, sizeof(*r));
	json_array_foreach(v, i, p) {
		const char *s = jsonx_str(p, "start"), *e = jsonx_str(p, "end");
		if (!json_is_object(p) || s == NULL || e == NULL || json_object_size(p) != 2) {
			err_set(err, ERR_BAD_REQUEST,
				"Invalid input for allocation_pools. Reason: Invalid data format "
				"for IP pool: 'start and end are required'.");
			goto out;
		}
		if (net_addr_parse(s, &r[i].start) < 0 || net_addr_parse(e, &r[i].end) < 0 ||
		    r[i].start.version != c->base.version ||
		    r[i].end.version != c->base.version ||
		    net_addr_cmp(&r[i].start, &r[i].end) > 0) {
			err_set(err, ERR_BAD_REQUEST, "The allocation pool %s-%s is not valid.",
				s, e);
			goto out;
		}
		if (r[i].start.v < lo.v || r[i].end.v > hi.v) {
			pool_text(&r[i], t1);
			err_set(err, ERR_BAD_REQUEST,
				"The allocation pool %s spans beyond the subnet cidr %s.", t1, cidr);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (r[j].start.v <= r[i].end.v && r[i].start.v <= r[j].end.v) {
				pool_text(&r[j], t1);
				pool_text(&r[i], t2);
				err_set(err, ERR_BAD_REQUEST,
					"Found overlapping allocation pools: %s %s for subnet %s.",
					t1, t2, cidr);
				goto out;
			}
	}
	if (gw != NULL)
		for (i = 0; i < n; i++)
			if (gw->v >= r[i].start.v && gw->v <= r[i].end.v) {
				char g[NET_ADDR_STRLEN];
				net_addr_format(gw, g);
				pool_text(&r[i], t1);
				err_set(err, ERR_CONFLICT,
					"Gateway ip %s conflicts with allocation pool %s.", g, t1);
				goto out;
			}
	json_object_set_new(item, "allocation_pools", pools_json(r, (int)n));
	rc = 0;
out:
	free(r);
	return rc;
}

static int check_dns(json_t *item, struct err *err)
{
	json_t *v = json_object_get(item, "dns_nameservers"), *d;
	size_t i;

	if (v == NULL)
		return 0;
	if (json_is_null(v)) {
		json_object_set_new(item, "dns_nameservers", json_array());
		return 0;
	}
	if (!json_is_array(v))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for dns_nameservers. Reason: '%s' is not a list.",
			       "value");
	if (json_array_size(v) > MAX_DNS)
		return err_set(err, ERR_BAD_REQUEST,
			       "Unable to complete operation for %s. The number of DNS "
			       "nameservers exceeds the limit %d.",
			       jsonx_str(item, "id") ? jsonx_str(item, "id") : "subnet", MAX_DNS);
	json_array_foreach(v, i, d) {
		struct net_addr a;
		const char *s = json_string_value(d);
		if (s == NULL || net_addr_parse(s, &a) < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for dns_nameservers. Reason: '%s' is not a "
				       "valid nameserver. '%s' is not a valid IP address.",
				       s ? s : "value", s ? s : "value");
		for (size_t j = 0; j < i; j++)
			if (str_eq(json_string_value(json_array_get(v, j)), s))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for dns_nameservers. Reason: "
					       "Duplicate nameserver '%s'.",
					       s);
	}
	return 0;
}

static int check_routes(json_t *item, int version, struct err *err)
{
	json_t *v = json_object_get(item, "host_routes"), *r, *out;
	size_t i;

	if (v == NULL)
		return 0;
	if (json_is_null(v)) {
		json_object_set_new(item, "host_routes", json_array());
		return 0;
	}
	if (!json_is_array(v))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for host_routes. Reason: Invalid data format for "
			       "hostroute: 'not a list'.");
	if (json_array_size(v) > MAX_ROUTES)
		return err_set(err, ERR_BAD_REQUEST,
			       "Unable to complete operation for %s. The number of host routes "
			       "exceeds the limit %d.",
			       jsonx_str(item, "id") ? jsonx_str(item, "id") : "subnet",
			       MAX_ROUTES);
	out = json_array();
	json_array_foreach(v, i, r) {
		const char *d = jsonx_str(r, "destination"), *h = jsonx_str(r, "nexthop");
		struct net_cidr c;
		struct net_addr a;
		char ct[NET_CIDR_STRLEN], at[NET_ADDR_STRLEN];
		json_t *o;
		size_t j;

		if (!json_is_object(r) || d == NULL || h == NULL || json_object_size(r) != 2) {
			json_decref(out);
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for host_routes. Reason: Invalid data "
				       "format for hostroute: 'destination and nexthop are "
				       "required'.");
		}
		if (net_cidr_parse(d, &c) < 0 || net_addr_parse(h, &a) < 0) {
			json_decref(out);
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for host_routes. Reason: Invalid data "
				       "format for hostroute: '%s via %s'.",
				       d, h);
		}
		if (c.base.version != version || a.version != version) {
			json_decref(out);
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: Host route %s via %s does "
				       "not match the ip_version '%d'.",
				       d, h, version);
		}
		net_cidr_format(&c, ct);
		net_addr_format(&a, at);
		o = json_pack("{s:s,s:s}", "destination", ct, "nexthop", at);
		json_array_foreach(out, j, r)
			if (json_equal(r, o)) {
				json_decref(o);
				json_decref(out);
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for host_routes. Reason: Duplicate "
					       "hostroute '%s via %s'.",
					       ct, at);
			}
		json_array_append_new(out, o);
	}
	json_object_set_new(item, "host_routes", out);
	return 0;
}

/* ---- subnet pools ---- */

/* The pool the new subnet takes its prefix from (subnetpool_id, or the default pool of
 * the version for use_default_subnetpool), or NULL with *none true. */
static json_t *find_pool(struct req *rq, struct db *db, json_t *item, int version, bool *none,
			 struct err *err)
{
	json_t *id = json_object_get(item, "subnetpool_id");
	json_t *use = json_object_get(item, "use_default_subnetpool");
	struct db_res *res;
	json_t *pool;

	*none = false;
	if (json_is_string(id))
		return net_find(rq, db, &net_subnetpool_rdef, json_string_value(id), err);
	if (!(json_is_true(use) ||
	      (json_is_string(use) && util_parse_bool(json_string_value(use)) == 1))) {
		*none = true;
		return NULL;
	}
	if (version == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Failed to parse request. Required attribute 'ip_version' not "
			       "specified"),
		       NULL;
	res = db_query(db, err,
		       "SELECT id FROM net_subnetpool WHERE is_default = 1 AND ip_version = ?"
		       " ORDER BY created_at LIMIT 1",
		       DBP(version == 4 ? "4" : "6"));
	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad subnets request: No default subnetpool found for IPv%d.",
			       version),
		       NULL;
	}
	pool = net_get(rq, db, &net_subnetpool_rdef, db_res_str(res, 0, 0), err);
	db_res_free(res);
	if (pool != NULL)
		json_object_set_new(item, "subnetpool_id", json_string(jsonx_str(pool, "id")));
	return pool;
}

/* The pool's prefixes parsed; returns how many (caller frees *out). */
static int pool_prefixes(const json_t *pool, struct net_cidr **out)
{
	json_t *a = json_object_get(pool, "prefixes"), *p;
	size_t i;
	int n = 0;

	*out = xcalloc(json_array_size(a) + 1, sizeof(**out));
	json_array_foreach(a, i, p)
		if (net_cidr_parse(json_string_value(p), &(*out)[n]) == 0)
			n++;
	return n;
}

/* The subnets already cut from the pool (caller frees *out). */
static int pool_used(struct db *db, const char *pool_id, struct net_cidr **out, int *n,
		     struct err *err)
{
	struct db_res *res = db_query(db, err, "SELECT cidr FROM net_subnet WHERE subnetpool_id = ?",
				      DBP(pool_id));

	if (res == NULL)
		return -1;
	*out = xcalloc((size_t)db_res_rows(res) + 1, sizeof(**out));
	*n = 0;
	for (int i = 0; i < db_res_rows(res); i++)
		if (net_cidr_parse(db_res_str(res, i, 0), &(*out)[*n]) == 0)
			(*n)++;
	db_res_free(res);
	return 0;
}

/* Checks a given CIDR against the pool, or cuts the next free prefix of 'prefixlen'. */
static int from_pool(struct db *db, const json_t *pool, json_t *item, struct net_cidr *c,
		     bool have_cidr, struct err *err)
{
	struct net_cidr *pre = NULL, *used = NULL;
	int npre = pool_prefixes(pool, &pre), nused = 0, rc = -1;
	long long minl = json_integer_value(json_object_get(pool, "min_prefixlen"));
	long long maxl = json_integer_value(json_object_get(pool, "max_prefixlen"));
	json_t *pl = json_object_get(item, "prefixlen");
	long long len = json_integer_value(json_object_get(pool, "default_prefixlen"));
	char text[NET_CIDR_STRLEN];

	if (have_cidr)
		len = c->prefixlen;
	else if (pl != NULL && !json_is_null(pl)) {
		if (json_is_integer(pl))
			len = json_integer_value(pl);
		else if (json_is_string(pl) && *json_string_value(pl))
			len = strtoll(json_string_value(pl), NULL, 10);
		else {
			err_set(err, ERR_BAD_REQUEST,
				"Invalid input for prefixlen. Reason: it is not an integer.");
			goto out;
		}
	}
	if (len > maxl) {
		err_set(err, ERR_BAD_REQUEST,
			"Unable to allocate subnet with prefix length %lld, maximum allowed "
			"prefix is %lld.",
			len, maxl);
		goto out;
	}
	if (len < minl) {
		err_set(err, ERR_BAD_REQUEST,
			"Unable to allocate subnet with prefix length %lld, minimum allowed "
			"prefix is %lld.",
			len, minl);
		goto out;
	}
	if (pool_used(db, jsonx_str(pool, "id"), &used, &nused, err) < 0)
		goto out;
	if (have_cidr) {
		bool inside = false;
		for (int i = 0; i < npre && !inside; i++)
			inside = net_cidr_within(c, &pre[i]);
		net_cidr_format(c, text);
		if (!inside) {
			err_set(err, ERR_BAD_REQUEST,
				"Bad subnets request: Cidr %s is not within the prefixes of "
				"subnet pool %s.",
				text, jsonx_str(pool, "id"));
			goto out;
		}
		for (int i = 0; i < nused; i++)
			if (net_cidr_overlap(c, &used[i])) {
				err_set(err, ERR_BAD_REQUEST,
					"Invalid input for operation: Requested subnet with cidr: %s "
					"for network: %s overlaps with another subnet.",
					text, jsonx_str(item, "network_id"));
				goto out;
			}
	} else if (!net_first_free_prefix(pre, npre, used, nused, (int)len, c)) {
		err_set(err, ERR_CONFLICT,
			"Failed to allocate subnet: Insufficient prefix space to allocate subnet "
			"size /%lld.",
			len);
		goto out;
	}
	rc = 0;
out:
	free(pre);
	free(used);
	return rc;
}

/* The CIDR (given or from a pool) and the version. */
static int check_cidr(struct req *rq, struct db *db, json_t *item, struct net_cidr *c,
		      struct err *err)
{
	json_t *v = json_object_get(item, "cidr"), *iv = json_object_get(item, "ip_version");
	int version = 0;
	json_t *pool = NULL;
	bool have = v != NULL && !json_is_null(v), none;
	char text[NET_CIDR_STRLEN];

	if (iv != NULL && !json_is_null(iv)) {
		version = (int)json_integer_value(iv);
		if (version != 4 && version != 6)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for ip_version. Reason: %lld is not in [4, 6].",
				       (long long)json_integer_value(iv));
	}
	if (have) {
		const char *s = json_string_value(v);
		if (s == NULL || net_cidr_parse(s, c) < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for cidr. Reason: '%s' is not a valid IP "
				       "subnet.",
				       s != NULL ? s : "value");
		net_cidr_format(c, text);
		if (!net_cidr_strict(c))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for cidr. Reason: '%s' isn't a recognized "
				       "IP subnet cidr, '%s' is recommended.",
				       s, text);
		if (version == 0)
			version = c->base.version;
		if (c->base.version != version)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: cidr '%s' does not match the "
				       "ip_version '%d'",
				       s, version);
		if (c->prefixlen == 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: 0 is not allowed as CIDR "
				       "prefix length.");
	}
	pool = find_pool(rq, db, item, version, &none, err);
	if (pool == NULL && !none)
		return -1;
	if (pool == NULL && !have)
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad subnets request: a subnetpool must be specified in the "
			       "absence of a cidr.");
	if (pool != NULL) {
		int pv = (int)json_integer_value(json_object_get(pool, "ip_version"));
		if (version == 0)
			version = pv;
		if (version != pv) {
			json_decref(pool);
			return err_set(err, ERR_BAD_REQUEST,
				       "Cannot allocate IPv%d subnet from IPv%d subnet pool",
				       version, pv);
		}
		if (from_pool(db, pool, item, c, have, err) < 0) {
			json_decref(pool);
			return -1;
		}
		json_decref(pool);
	}
	if (version == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Failed to parse request. Required attribute 'ip_version' not "
			       "specified");
	net_cidr_format(c, text);
	json_object_set_new(item, "cidr", json_string(text));
	json_object_set_new(item, "ip_version", json_integer(version));
	return 0;
}

/* 400 when the CIDR overlaps another subnet of the network. */
static int check_overlap(struct db *db, const json_t *item, const struct net_cidr *c,
			 struct err *err)
{
	const char *net = jsonx_str(item, "network_id");
	struct db_res *res = db_query(db, err, "SELECT cidr FROM net_subnet WHERE network_id = ?",
				      DBP(net));
	char text[NET_CIDR_STRLEN];
	int rc = 0;

	if (res == NULL)
		return -1;
	net_cidr_format(c, text);
	for (int i = 0; i < db_res_rows(res) && rc == 0; i++) {
		struct net_cidr o;
		if (net_cidr_parse(db_res_str(res, i, 0), &o) == 0 && net_cidr_overlap(c, &o))
			rc = err_set(err, ERR_BAD_REQUEST,
				     "Invalid input for operation: Requested subnet with cidr: %s "
				     "for network: %s overlaps with another subnet.",
				     text, net);
	}
	db_res_free(res);
	return rc;
}

int net_subnet_check_new(struct req *rq, struct db *db, json_t *item, struct err *err)
{
	struct net_cidr c;
	struct net_addr gw;
	bool has_gw;
	json_t *v;

	if (json_object_get(item, "network_id") == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Failed to parse request. Required attribute 'network_id' not "
			       "specified");
	v = json_object_get(item, "segment_id");
	if (v != NULL && !json_is_null(v))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: segment_id: this cloud has no "
			       "routed network segments.");
	if (check_mode("ipv6_ra_mode", json_object_get(item, "ipv6_ra_mode"), err) < 0 ||
	    check_mode("ipv6_address_mode", json_object_get(item, "ipv6_address_mode"), err) < 0 ||
	    check_cidr(rq, db, item, &c, err) < 0)
		return -1;
	if (json_object_get(item, "enable_dhcp") == NULL)
		json_object_set_new(item, "enable_dhcp", json_true());
	if (check_modes(c.base.version, jsonx_str(item, "ipv6_ra_mode"),
			jsonx_str(item, "ipv6_address_mode"),
			json_is_true(json_object_get(item, "enable_dhcp")), &c, err) < 0 ||
	    (json_is_true(json_object_get(item, "enable_dhcp")) && check_dhcp_cidr(&c, err) < 0) ||
	    check_overlap(db, item, &c, err) < 0)
		return -1;
	if (json_object_get(item, "gateway_ip") == NULL) {
		/* Neutron's default: the first address after the network's */
		struct net_addr first = net_addr_add(net_cidr_first(&c), 1);
		char text[NET_ADDR_STRLEN];
		if (net_cidr_host_ok(&c, &first) && first.v != net_cidr_first(&c).v) {
			net_addr_format(&first, text);
			json_object_set_new(item, "gateway_ip", json_string(text));
		} else
			json_object_set_new(item, "gateway_ip", json_null());
	}
	if (check_gateway(item, &c, &gw, &has_gw, err) < 0 ||
	    check_pools(item, &c, has_gw ? &gw : NULL, err) < 0 || check_dns(item, err) < 0 ||
	    check_routes(item, c.base.version, err) < 0)
		return -1;
	v = json_object_get(item, "service_types");
	if (v != NULL && (!json_is_array(v) || json_array_size(v) > 0))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: service_types: this cloud has no "
			       "subnet service types.");
	json_object_del(item, "prefixlen");
	json_object_del(item, "use_default_subnetpool");
	json_object_del(item, "segment_id");
	return 0;
}

int net_subnet_check_update(const json_t *old, json_t *item, struct err *err)
{
	struct net_cidr c;
	struct net_addr gw;
	bool has_gw = false;
	json_t *pools;

	if (net_cidr_parse(jsonx_str(old, "cidr"), &c) < 0)
		return err_set(err, ERR_INTERNAL, "subnet %s has a bad cidr",
			       jsonx_str(old, "id"));
	if (json_object_get(item, "gateway_ip") != NULL) {
		if (check_gateway(item, &c, &gw, &has_gw, err) < 0)
			return -1;
	} else
		has_gw = net_addr_parse(jsonx_str(old, "gateway_ip"), &gw) == 0;
	if (json_object_get(item, "enable_dhcp") != NULL &&
	    check_modes(c.base.version, jsonx_str(old, "ipv6_ra_mode"),
			jsonx_str(old, "ipv6_address_mode"),
			json_is_true(json_object_get(item, "enable_dhcp")), &c, err) < 0)
		return -1;
	if (json_is_true(json_object_get(item, "enable_dhcp")) &&
	    !json_is_true(json_object_get(old, "enable_dhcp")) && check_dhcp_cidr(&c, err) < 0)
		return -1;
	/* the pools, given or kept, must still leave the gateway out */
	if (json_object_get(item, "allocation_pools") != NULL) { /* null: the defaults */
		if (check_pools(item, &c, has_gw ? &gw : NULL, err) < 0)
			return -1;
	} else if (json_object_get(item, "gateway_ip") != NULL) {
		pools = json_deep_copy(json_object_get(old, "allocation_pools"));
		json_object_set_new(item, "allocation_pools", pools);
		if (check_pools(item, &c, has_gw ? &gw : NULL, err) < 0)
			return -1;
		json_object_del(item, "allocation_pools");
	}
	json_object_set_new((json_t *)item, "id", json_string(jsonx_str(old, "id")));
	if (check_dns(item, err) < 0 || check_routes(item, c.base.version, err) < 0)
		return -1;
	json_object_del(item, "id");
	return 0;
}
