/* IPAM: the fixed addresses of ports (net_int.h). One net_ip row per address; its
 * primary key (subnet_id, ip_address) makes a second holder a 409 from the database.
 *
 * A free address is found from the subnet's used addresses read once, sorted, and walked
 * along the allocation pools in order (ipam_addr.c): one query and one insert per
 * address, whatever the size of the subnet. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/ipam_addr.h"
#include "network/net_int.h"
#include "network/subnet_check.h"

#define MAX_WANTS 64

struct isub {
	const char *id; /* borrowed from the result of load_subnets */
	struct net_cidr cidr;
	bool has_gw;
	struct net_addr gw;
	struct net_range *pools;
	int npools;
	bool autoaddr; /* SLAAC or DHCPv6-stateless: addresses come from the MAC */
	uint64_t shape; /* hash of the pools and gateway (see the hints below) */
};

struct isubs {
	struct db_res *res;
	struct isub *s;
	int n;
};

/* One address to allocate: a given address on a subnet, any free address of one subnet,
 * or any free address of the first subnet of 'version' (not auto-address) with room. */
struct want {
	int sub;	/* index in isubs, -1: any of 'version' */
	int version;
	bool given;	/* 'addr' was asked for */
	bool eui64;
	struct net_addr addr;
	bool done;
};

static void isubs_free(struct isubs *ss)
{
	for (int i = 0; i < ss->n; i++)
		free(ss->s[i].pools);
	free(ss->s);
	db_res_free(ss->res);
}

/* Parses a pools JSON text ([{"start", "end"}]); NULL pools for bad text. */
static int parse_pools(const char *text, struct net_range **out)
{
	json_t *a = json_loads(text != NULL ? text : "[]", 0, NULL), *p;
	size_t i;
	int n = 0;

	*out = xcalloc(json_array_size(a) + 1, sizeof(**out));
	json_array_foreach(a, i, p) {
		struct net_range r;
		if (net_addr_parse(jsonx_str(p, "start"), &r.start) == 0 &&
		    net_addr_parse(jsonx_str(p, "end"), &r.end) == 0)
			(*out)[n++] = r;
	}
	json_decref(a);
	return n;
}

/* FNV-1a of the pools and gateway texts: a hint is good for one shape of the subnet. */
static uint64_t shape_of(const char *pools, const char *gw)
{
	uint64_t h = 14695981039346656037ull;

	for (const char *p = pools ? pools : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ '|') * 1099511628211ull;
	for (const char *p = gw ? gw : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static int load_subnets(struct db *db, const char *network_id, struct isubs *ss,
			struct err *err)
{
	ss->res = db_query(db, err,
			   "SELECT id, cidr, gateway_ip, allocation_pools, ipv6_address_mode,"
			   " ipv6_ra_mode"
			   " FROM net_subnet WHERE network_id = ? ORDER BY created_at, id",
			   DBP(network_id));
	ss->s = NULL;
	ss->n = 0;
	if (ss->res == NULL)
		return -1;
	ss->s = xcalloc((size_t)db_res_rows(ss->res) + 1, sizeof(*ss->s));
	for (int r = 0; r < db_res_rows(ss->res); r++) {
		struct isub *s = &ss->s[ss->n];
		const char *mode = db_res_str(ss->res, r, 4);

		if (net_cidr_parse(db_res_str(ss->res, r, 1), &s->cidr) < 0)
			continue; /* cannot happen: subnets are checked on create */
		s->id = db_res_str(ss->res, r, 0);
		s->has_gw = net_addr_parse(db_res_str(ss->res, r, 2), &s->gw) == 0;
		s->npools = parse_pools(db_res_str(ss->res, r, 3), &s->pools);
		s->autoaddr = net_subnet_autoaddr(db_res_str(ss->res, r, 5), mode);
		s->shape = shape_of(db_res_str(ss->res, r, 3), db_res_str(ss->res, r, 2));
		ss->n++;
	}
	return 0;
}

/* The used addresses of a subnet, sorted; caller frees. */
static struct net_addr *used_addrs(struct db *db, const char *subnet_id, int *n,
				   struct err *err)
{
	struct db_res *res = db_query(db, err, "SELECT ip_address FROM net_ip WHERE subnet_id = ?",
				      DBP(subnet_id));
	struct net_addr *a;

	if (res == NULL)
		return NULL;
	a = xcalloc((size_t)db_res_rows(res) + 1, sizeof(*a));
	*n = 0;
	for (int i = 0; i < db_res_rows(res); i++)
		if (net_addr_parse(db_res_str(res, i, 0), &a[*n]) == 0)
			(*n)++;
	db_res_free(res);
	net_addr_sort(a, *n);
	return a;
}

/* Inserts the row; a taken address is Neutron's 409. */
static int store(struct db *db, const char *network_id, const char *port_id,
		 const struct isub *s, const struct net_addr *a, struct err *err)
{
	char text[NET_ADDR_STRLEN];
	struct err e2 = { 0 };

	net_addr_format(a, text);
	if (db_exec(db, &e2, "INSERT INTO net_ip (subnet_id, ip_address, port_id, network_id)"
			     " VALUES (?, ?, ?, ?)",
		    DBP(s->id, text, port_id, network_id)) >= 0)
		return 0;
	if (e2.kind == ERR_CONFLICT)
		return err_set(err, ERR_CONFLICT, "IP address %s already allocated in subnet %s",
			       text, s->id);
	return err_set(err, e2.kind, "%s", e2.msg);
}

/* ---- where to look first ----
 * Each process remembers, per subnet, the first position (pool, address) that may be free:
 * every pool address before it is believed taken. An allocation moves it past its address,
 * a release moves it back. The database stays the judge: an insert that finds the address
 * taken moves on, and after a few misses (or with no hint, or at the end of the pools) the
 * used addresses are read whole and the first free one taken. So a port create costs one
 * insert, not a read of the subnet's addresses, and "first free in pool order" holds. */
#define HINT_SLOTS 128
#define HINT_MISSES 8

struct hint {
	char subnet[37];
	uint64_t shape;
	int pool;
	struct net_addr next;
	uint64_t used_at; /* for eviction: the least recently used slot goes */
};

static struct hint hints[HINT_SLOTS];
static uint64_t hint_clock;
static pthread_mutex_t hint_lock = PTHREAD_MUTEX_INITIALIZER;

static struct hint *hint_slot(const char *subnet, uint64_t shape)
{
	for (int i = 0; i < HINT_SLOTS; i++)
		if (hints[i].used_at != 0 && strcmp(hints[i].subnet, subnet) == 0 &&
		    hints[i].shape == shape)
			return &hints[i];
	return NULL;
}

static bool hint_get(const struct isub *s, int *pool, struct net_addr *next)
{
	struct hint *h;
	bool ok = false;

	pthread_mutex_lock(&hint_lock);
	if ((h = hint_slot(s->id, s->shape)) != NULL) {
		*pool = h->pool;
		*next = h->next;
		h->used_at = ++hint_clock;
		ok = true;
	}
	pthread_mutex_unlock(&hint_lock);
	return ok;
}

/* Sets the hint; 'lower_only' keeps a hint that is already before (pool, next). */
static void hint_put(const char *subnet, uint64_t shape, int pool, struct net_addr next,
		     bool lower_only)
{
	struct hint *h;

	pthread_mutex_lock(&hint_lock);
	h = hint_slot(subnet, shape);
	if (h == NULL && lower_only) {
		pthread_mutex_unlock(&hint_lock);
		return;
	}
	if (h == NULL) {
		h = &hints[0];
		for (int i = 1; i < HINT_SLOTS; i++)
			if (hints[i].used_at < h->used_at)
				h = &hints[i];
		snprintf(h->subnet, sizeof(h->subnet), "%s", subnet);
		h->shape = shape;
	} else if (lower_only && (h->pool < pool || (h->pool == pool && h->next.v <= next.v))) {
		pthread_mutex_unlock(&hint_lock);
		return;
	}
	h->pool = pool;
	h->next = next;
	h->used_at = ++hint_clock;
	pthread_mutex_unlock(&hint_lock);
}

/* The index of the first pool holding 'a', or -1. */
static int pool_of(const struct net_range *pools, int n, const struct net_addr *a)
{
	for (int i = 0; i < n; i++)
		if (pools[i].start.version == a->version && a->v >= pools[i].start.v &&
		    a->v <= pools[i].end.v)
			return i;
	return -1;
}

/* Moves (pool, c) to the first pool position at or after it that is not the gateway;
 * false past the last pool. */
static bool pos_fix(const struct isub *s, int *pool, struct net_addr *c)
{
	while (*pool < s->npools) {
		const struct net_range *r = &s->pools[*pool];
		if (c->v < r->start.v || c->version != r->start.version)
			*c = r->start;
		if (c->v > r->end.v) {
			(*pool)++;
			continue;
		}
		if (s->has_gw && s->gw.v == c->v && s->gw.version == c->version) {
			if (c->v == r->end.v) {
				(*pool)++;
				continue;
			}
			*c = net_addr_add(*c, 1);
			continue;
		}
		return true;
	}
	return false;
}

/* The position after (pool, c). */
static void pos_step(const struct isub *s, int *pool, struct net_addr *c)
{
	if (c->v == s->pools[*pool].end.v) {
		(*pool)++;
		if (*pool < s->npools)
			*c = s->pools[*pool].start;
	} else
		*c = net_addr_add(*c, 1);
}

/* Inserts the row unless the address is taken: 1 inserted, 0 taken, -1 error. */
static int try_store(struct db *db, const char *network_id, const char *port_id,
		     const struct isub *s, const struct net_addr *a, struct err *err)
{
	char text[NET_ADDR_STRLEN];

	net_addr_format(a, text);
	return db_exec(db, err,
		       "INSERT INTO net_ip (subnet_id, ip_address, port_id, network_id)"
		       " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		       DBP(s->id, text, port_id, network_id));
}

/* Allocates any free pool address of subnet 's' to the port: 0 with *found false when
 * the pools are full. From the hint (or, without one, after HINT_MISSES taken addresses
 * in a row or past the last pool, from a read of the used addresses) it walks the pools
 * in order; an address another transaction holds is simply passed. */
static int pick_free(struct db *db, const char *network_id, const char *port_id,
		     const struct isub *s, bool *found, struct net_addr *out, struct err *err)
{
	struct net_addr c;
	int pool = 0, rc, misses = 0, scans = 0;
	bool have = hint_get(s, &pool, &c);

	*found = false;
	for (int probes = 0; probes < 512; probes++) {
		if (!have || misses == HINT_MISSES || !pos_fix(s, &pool, &c)) {
			int n = 0;
			struct net_addr *used;
			bool any;

			if (scans++ == 4)
				break;
			if ((used = used_addrs(db, s->id, &n, err)) == NULL)
				return -1;
			any = net_first_free(s->pools, s->npools, s->has_gw ? &s->gw : NULL, used,
					     n, &c);
			free(used);
			if (!any)
				return 0;
			pool = pool_of(s->pools, s->npools, &c);
			have = true;
			misses = 0;
		}
		if ((rc = try_store(db, network_id, port_id, s, &c, err)) < 0)
			return -1;
		if (rc > 0)
			goto stored;
		misses++;
		pos_step(s, &pool, &c);
	}
	return 0;
stored:
	*found = true;
	*out = c;
	pos_step(s, &pool, &c);
	hint_put(s->id, s->shape, pool, c, false);
	return 0;
}

static int find_subnet(const struct isubs *ss, const char *id)
{
	for (int i = 0; i < ss->n; i++)
		if (strcmp(ss->s[i].id, id) == 0)
			return i;
	return -1;
}

/* 404 when the subnet does not exist at all, 400 when it is on another network. */
static int foreign_subnet(struct db *db, const char *network_id, const char *subnet_id,
			  struct err *err)
{
	struct db_res *res = db_query(db, err, "SELECT 1 FROM net_subnet WHERE id = ?",
				      DBP(subnet_id));
	bool exists;

	if (res == NULL)
		return -1;
	exists = db_res_rows(res) > 0;
	db_res_free(res);
	if (!exists)
		return err_set(err, ERR_NOT_FOUND, "Subnet %s could not be found.", subnet_id);
	return err_set(err, ERR_BAD_REQUEST,
		       "Invalid input for operation: Failed to create port on network %s, "
		       "because fixed_ips included invalid subnet %s.",
		       network_id, subnet_id);
}

/* True when the port is a router's leg (no automatic SLAAC addresses, as Neutron). */
static bool is_router_port(struct db *db, const char *port_id)
{
	struct err e = { 0 };
	struct db_res *res = db_query(db, &e, "SELECT device_owner FROM net_port WHERE id = ?",
				      DBP(port_id));
	bool r = false;

	if (res != NULL && db_res_rows(res) > 0) {
		const char *o = db_res_str(res, 0, 0);
		r = o != NULL && (strcmp(o, "network:router_interface") == 0 ||
				  strcmp(o, "network:router_interface_distributed") == 0 ||
				  strcmp(o, "network:ha_router_replicated_interface") == 0 ||
				  strcmp(o, "network:router_centralized_snat") == 0);
	}
	db_res_free(res);
	return r;
}

/* Turns the body's fixed_ips into wants; 400/404 for what Neutron refuses. */
static int plan_given(struct db *db, const char *network_id, const struct isubs *ss,
		      const json_t *fixed_ips, const char *mac, bool router, struct want *w,
		      int *nw, struct err *err)
{
	size_t i;
	json_t *f;

	if (!json_is_array(fixed_ips))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for fixed_ips. Reason: Invalid data format for "
			       "fixed IP: '%s'.",
			       "not a list");
	json_array_foreach(fixed_ips, i, f) {
		const char *sid = jsonx_str(f, "subnet_id"), *ip = jsonx_str(f, "ip_address");
		struct want x = { .sub = -1 };
		const char *k;
		json_t *v;

		if (!json_is_object(f))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for fixed_ips. Reason: Invalid data format "
				       "for fixed IP: 'not a dict'.");
		json_object_foreach((json_t *)f, k, v)
			if (strcmp(k, "subnet_id") != 0 && strcmp(k, "ip_address") != 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for fixed_ips. Reason: Invalid "
					       "data format for fixed IP: '%s'.",
					       k);
		if (sid == NULL && ip == NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for fixed_ips. Reason: Invalid data format "
				       "for fixed IP: 'neither subnet_id nor ip_address'.");
		if (ip != NULL) {
			if (net_addr_parse(ip, &x.addr) < 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for fixed_ips. Reason: '%s' is not a "
					       "valid IP address.",
					       ip);
			x.given = true;
		}
		if (sid != NULL) {
			if ((x.sub = find_subnet(ss, sid)) < 0)
				return foreign_subnet(db, network_id, sid, err);
			if (ip != NULL && !net_cidr_host_ok(&ss->s[x.sub].cidr, &x.addr))
				return err_set(err, ERR_BAD_REQUEST,
					       "IP address %s is not a valid IP for the specified "
					       "subnet.",
					       ip);
		} else {
			for (int j = 0; j < ss->n && x.sub < 0; j++)
				if (net_cidr_host_ok(&ss->s[j].cidr, &x.addr))
					x.sub = j;
			if (x.sub < 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "IP address %s is not a valid IP for any of the "
					       "subnets on the specified network.",
					       ip);
		}
		x.version = ss->s[x.sub].cidr.base.version;
		if (ss->s[x.sub].autoaddr && !router) {
			struct net_addr e;
			/* the address of the MAC: asked for by subnet, or given back as it
			 * is (a port update lists the addresses it keeps) */
			if (x.given && (net_addr_eui64(&ss->s[x.sub].cidr, mac, &e) < 0 ||
					net_addr_cmp(&e, &x.addr) != 0))
				return err_set(err, ERR_BAD_REQUEST,
					       "IPv6 address %s cannot be directly assigned to a "
					       "port on subnet %s as the subnet is configured for "
					       "automatic addresses",
					       ip, ss->s[x.sub].id);
			x.given = false;
			x.eui64 = true;
			for (int j = 0; j < *nw; j++)
				if (w[j].eui64 && w[j].sub == x.sub)
					x.eui64 = false; /* listed twice: once is enough */
			if (!x.eui64)
				continue;
		}
		if (*nw == MAX_WANTS)
			return err_set(err, ERR_BAD_REQUEST,
				       "Exceeded maximum amount of fixed ips per port.");
		w[(*nw)++] = x;
	}
	return 0;
}

/* Allocates one want. */
static int allocate_one(struct db *db, const char *network_id, const char *port_id,
			const struct isubs *ss, const char *mac, struct want *w,
			struct err *err)
{
	bool found = false;

	if (w->given)
		return store(db, network_id, port_id, &ss->s[w->sub], &w->addr, err);
	if (w->eui64) {
		if (net_addr_eui64(&ss->s[w->sub].cidr, mac, &w->addr) < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: cannot derive an EUI-64 "
				       "address from MAC %s on subnet %s.",
				       mac ? mac : "", ss->s[w->sub].id);
		return store(db, network_id, port_id, &ss->s[w->sub], &w->addr, err);
	}
	for (int i = 0; i < ss->n && !found; i++) {
		if (w->sub >= 0 ? i != w->sub
				: (ss->s[i].cidr.base.version != w->version || ss->s[i].autoaddr))
			continue;
		if (pick_free(db, network_id, port_id, &ss->s[i], &found, &w->addr, err) < 0)
			return -1;
		if (found)
			w->sub = i;
	}
	if (!found)
		return err_set(err, ERR_CONFLICT, "No more IP addresses available on network %s.",
			       network_id);
	return 0;
}

json_t *net_ipam_allocate(struct req *rq, struct db *db, const char *network_id,
			  const char *port_id, const char *mac, const json_t *fixed_ips,
			  struct err *err)
{
	struct isubs ss;
	struct want w[MAX_WANTS + 1];
	int nw = 0;
	bool router = false; /* only looked up when the network has auto-address subnets */
	json_t *out = NULL;

	(void)rq;
	memset(w, 0, sizeof(w));
	if (load_subnets(db, network_id, &ss, err) < 0)
		return NULL;
	for (int i = 0; i < ss.n; i++)
		if (ss.s[i].autoaddr) {
			router = is_router_port(db, port_id);
			break;
		}
	if (fixed_ips != NULL && !json_is_null(fixed_ips)) {
		if (plan_given(db, network_id, &ss, fixed_ips, mac, router, w, &nw, err) < 0)
			goto out;
	} else {
		/* Neutron's default: an address of the first IPv4 subnet with room and of the
		 * first stateful IPv6 subnet with room */
		for (int v = 4; v <= 6; v += 2)
			for (int i = 0; i < ss.n; i++)
				if (ss.s[i].cidr.base.version == v && !ss.s[i].autoaddr) {
					w[nw++] = (struct want){ .sub = -1, .version = v };
					break;
				}
	}
	for (int i = 0; i < ss.n && !router; i++) {
		bool listed = false;
		for (int j = 0; j < nw; j++)
			listed = listed || (w[j].eui64 && w[j].sub == i);
		if (ss.s[i].autoaddr && !listed && nw < MAX_WANTS)
			w[nw++] = (struct want){ .sub = i, .version = 6, .eui64 = true };
	}
	/* given addresses first, so that a free pick never takes one asked for */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nw; i++)
			if ((w[i].given || w[i].eui64) == (pass == 0) &&
			    allocate_one(db, network_id, port_id, &ss, mac, &w[i], err) < 0)
				goto out;
	out = json_array();
	for (int i = 0; i < nw; i++) {
		char text[NET_ADDR_STRLEN];
		net_addr_format(&w[i].addr, text);
		json_array_append_new(out, json_pack("{s:s,s:s}", "subnet_id", ss.s[w[i].sub].id,
						     "ip_address", text));
	}
out:
	isubs_free(&ss);
	return out;
}

int net_ipam_release(struct db *db, const char *port_id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT i.subnet_id, i.ip_address, s.allocation_pools,"
				      " s.gateway_ip FROM net_ip i JOIN net_subnet s"
				      " ON s.id = i.subnet_id WHERE i.port_id = ?",
				      DBP(port_id));

	if (res == NULL)
		return -1;
	/* the released addresses are the first candidates again */
	for (int r = 0; r < db_res_rows(res); r++) {
		struct net_range *pools;
		struct net_addr a;
		int n = parse_pools(db_res_str(res, r, 2), &pools), pool;

		if (net_addr_parse(db_res_str(res, r, 1), &a) == 0 &&
		    (pool = pool_of(pools, n, &a)) >= 0)
			hint_put(db_res_str(res, r, 0),
				 shape_of(db_res_str(res, r, 2), db_res_str(res, r, 3)), pool, a,
				 true);
		free(pools);
	}
	db_res_free(res);
	return db_exec(db, err, "DELETE FROM net_ip WHERE port_id = ?", DBP(port_id)) < 0 ? -1
											   : 0;
}

int net_ipam_decorate(struct db *db, json_t *ports, struct err *err)
{
	size_t i, n = json_array_size(ports);
	json_t *o;

	json_array_foreach(ports, i, o)
		json_object_set_new(o, "fixed_ips", json_array());
	for (size_t from = 0; from < n; from += 30) {
		struct sqlb sb;
		struct db_res *res;
		size_t chunk = n - from < 30 ? n - from : 30;

		sqlb_init(&sb, "SELECT i.port_id, i.subnet_id, i.ip_address FROM net_ip i"
			       " LEFT JOIN net_subnet s ON s.id = i.subnet_id WHERE i.port_id IN (");
		for (size_t j = 0; j < chunk; j++)
			sqlb_add(&sb, j ? ", ?" : "?",
				 jsonx_str(json_array_get(ports, from + j), "id"));
		sqlb_text(&sb, ") ORDER BY s.ip_version, s.created_at, i.subnet_id,"
			       " length(i.ip_address), i.ip_address");
		res = db_query(db, err, sb.sql, sb.params, sb.n);
		sqlb_free(&sb);
		if (res == NULL)
			return -1;
		for (int r = 0; r < db_res_rows(res); r++)
			for (size_t j = from; j < from + chunk; j++) {
				o = json_array_get(ports, j);
				if (str_eq(jsonx_str(o, "id"), db_res_str(res, r, 0)))
					json_array_append_new(
						json_object_get(o, "fixed_ips"),
						json_pack("{s:s,s:s}", "subnet_id",
							  db_res_str(res, r, 1), "ip_address",
							  db_res_str(res, r, 2)));
			}
		db_res_free(res);
	}
	return 0;
}
