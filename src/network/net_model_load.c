/* The desired data plane from the database: one query per table, joined in memory.
 *
 * Ports are sorted by id once and every child row (addresses, groups) finds its port by
 * binary search, so the cost is O(rows log ports) whatever the number of networks, and no
 * query runs per row. Children are placed with a counting pass, which keeps the order of
 * the query (addresses IPv4 first, then by subnet age, as the API lists fixed_ips). The
 * whole load runs inside one read snapshot so that the model is the state of one moment. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "network/netdrv.h"
#include "network/sync.h"

/* Copies 's' (NULL: "") into 'dst' of 'size' bytes; false when it had to be cut. */
static bool cpy(char *dst, size_t size, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= size) {
		memcpy(dst, s, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, s ? s : "", n + 1);
	return true;
}

#define CPY(dst, s) cpy((dst), sizeof(dst), (s))

void net_model_free(struct net_model *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < m->nsubnets; i++) {
		free(m->subnets[i].dns);
		free(m->subnets[i].routes);
	}
	for (int i = 0; i < m->nports; i++) {
		free(m->ports[i].ips);
		free(m->ports[i].secgroups);
		free(m->ports[i].pairs);
	}
	for (int i = 0; i < m->nrouters; i++) {
		free(m->routers[i].interfaces);
		free(m->routers[i].routes);
	}
	free(m->networks);
	free(m->subnets);
	free(m->ports);
	free(m->rules);
	free(m->routers);
	free(m->fips);
	memset(m, 0, sizeof(*m));
}

const struct net_model_network *net_model_network(const struct net_model *m, const char *id)
{
	for (int i = 0; i < m->nnetworks; i++)
		if (strcmp(m->networks[i].id, id) == 0)
			return &m->networks[i];
	return NULL;
}

const struct net_model_subnet *net_model_subnet(const struct net_model *m, const char *id)
{
	for (int i = 0; i < m->nsubnets; i++)
		if (strcmp(m->subnets[i].id, id) == 0)
			return &m->subnets[i];
	return NULL;
}

const struct net_model_port *net_model_port(const struct net_model *m, const char *id)
{
	for (int i = 0; i < m->nports; i++)
		if (strcmp(m->ports[i].id, id) == 0)
			return &m->ports[i];
	return NULL;
}

static const struct {
	const char *name;
	int number;
} proto_names[] = {
	/* the names Neutron's API accepts, with their IANA numbers */
	{ "ah", 51 },	     { "dccp", 33 },	    { "egp", 8 },	  { "esp", 50 },
	{ "gre", 47 },	     { "hopopt", 0 },	    { "icmp", 1 },	  { "igmp", 2 },
	{ "ipip", 4 },	     { "ipv6-encap", 41 },  { "ipv6-frag", 44 },  { "ipv6-icmp", 58 },
	{ "icmpv6", 58 },    { "ipv6-nonxt", 59 },  { "ipv6-opts", 60 },  { "ipv6-route", 43 },
	{ "ospf", 89 },	     { "pgm", 113 },	    { "rsvp", 46 },	  { "sctp", 132 },
	{ "tcp", 6 },	     { "udp", 17 },	    { "udplite", 136 },	  { "vrrp", 112 },
};

int net_proto_number(const char *proto, int ip_version)
{
	int n = -2;

	if (proto == NULL || *proto == '\0' || strcasecmp(proto, "any") == 0)
		return -1;
	if (strspn(proto, "0123456789") == strlen(proto)) {
		if (strlen(proto) > 3 || (n = atoi(proto)) > 255)
			return -2;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(proto_names); i++)
			if (strcasecmp(proto, proto_names[i].name) == 0)
				n = proto_names[i].number;
	}
	/* Neutron's firewall reads ICMP in an IPv6 rule as ICMPv6 */
	if (n == 1 && ip_version == 6)
		n = 58;
	return n;
}

/* Parses 'text' as JSON (NULL when absent or not of 'type'); caller decrefs. */
static json_t *parse(const char *text, json_type type)
{
	json_t *j;

	if (text == NULL)
		return NULL;
	j = json_loads(text, JSON_DECODE_ANY, NULL);
	if (j != NULL && json_typeof(j) != type) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* [{"destination", "nexthop"}] into a routes array; returns the count. */
static int load_routes(const char *text, struct net_model_route **out)
{
	json_t *list = parse(text, JSON_ARRAY), *r;
	size_t i;
	int n = 0;

	*out = NULL;
	if (list == NULL || json_array_size(list) == 0)
		goto out;
	*out = xcalloc(json_array_size(list), sizeof(**out));
	json_array_foreach (list, i, r) {
		const char *d = json_string_value(json_object_get(r, "destination"));
		const char *h = json_string_value(json_object_get(r, "nexthop"));

		if (d && h && CPY((*out)[n].destination, d) && CPY((*out)[n].nexthop, h))
			n++;
	}
out:
	json_decref(list);
	return n;
}

static int load_networks(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id, network_type, physical_network, segmentation_id,"
				      " mtu, external, admin_state_up FROM net_network",
				      DBNONE);

	if (res == NULL)
		return -1;
	m->networks = xcalloc(db_res_rows(res) + 1, sizeof(*m->networks));
	for (int r = 0; r < db_res_rows(res); r++) {
		struct net_model_network *n = &m->networks[m->nnetworks];

		if (!CPY(n->id, db_res_str(res, r, 0)) || !CPY(n->type, db_res_str(res, r, 1)) ||
		    !CPY(n->physnet, db_res_str(res, r, 2))) {
			log_warn("network %s: a field too long for the data plane; left out",
				 db_res_str(res, r, 0));
			continue;
		}
		n->segmentation_id = (int)db_res_int(res, r, 3);
		n->mtu = (int)db_res_int(res, r, 4);
		n->external = db_res_bool(res, r, 5);
		n->admin_up = db_res_bool(res, r, 6);
		m->nnetworks++;
	}
	db_res_free(res);
	return 0;
}

static int load_subnets(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT id, network_id, ip_version, cidr, gateway_ip, enable_dhcp,"
		" ipv6_address_mode, ipv6_ra_mode, dns_nameservers, host_routes FROM net_subnet"
		" ORDER BY created_at, id",
		DBNONE);

	if (res == NULL)
		return -1;
	m->subnets = xcalloc(db_res_rows(res) + 1, sizeof(*m->subnets));
	for (int r = 0; r < db_res_rows(res); r++) {
		struct net_model_subnet *s = &m->subnets[m->nsubnets];
		json_t *dns;
		size_t i;
		json_t *v;

		if (!CPY(s->id, db_res_str(res, r, 0)) ||
		    !CPY(s->network_id, db_res_str(res, r, 1)) ||
		    !CPY(s->cidr, db_res_str(res, r, 3)) ||
		    !CPY(s->gateway, db_res_str(res, r, 4)) ||
		    !CPY(s->ipv6_address_mode, db_res_str(res, r, 6)) ||
		    !CPY(s->ipv6_ra_mode, db_res_str(res, r, 7))) {
			log_warn("subnet %s: a field too long for the data plane; left out",
				 db_res_str(res, r, 0));
			continue;
		}
		s->ip_version = (int)db_res_int(res, r, 2);
		s->enable_dhcp = db_res_bool(res, r, 5);
		dns = parse(db_res_str(res, r, 8), JSON_ARRAY);
		if (dns != NULL && json_array_size(dns) > 0) {
			s->dns = xcalloc(json_array_size(dns), sizeof(*s->dns));
			json_array_foreach (dns, i, v)
				if (json_is_string(v) && CPY(s->dns[s->ndns], json_string_value(v)))
					s->ndns++;
		}
		json_decref(dns);
		s->nroutes = load_routes(db_res_str(res, r, 9), &s->routes);
		m->nsubnets++;
	}
	db_res_free(res);
	return 0;
}

static int port_cmp(const void *a, const void *b)
{
	return strcmp(((const struct net_model_port *)a)->id,
		      ((const struct net_model_port *)b)->id);
}

/* Index in m->ports (sorted by id) of port 'id', or -1. */
static int port_find(const struct net_model *m, const char *id)
{
	struct net_model_port key;
	struct net_model_port *p;

	if (id == NULL || !CPY(key.id, id))
		return -1;
	p = m->nports > 0 ? bsearch(&key, m->ports, m->nports, sizeof(*m->ports), port_cmp)
			  : NULL; /* no array at all when empty */
	return p ? (int)(p - m->ports) : -1;
}

static void load_pairs(struct net_model_port *p, const char *text)
{
	json_t *list = parse(text, JSON_ARRAY), *o;
	size_t i;

	if (list != NULL && json_array_size(list) > 0) {
		p->pairs = xcalloc(json_array_size(list), sizeof(*p->pairs));
		json_array_foreach (list, i, o) {
			const char *ip = json_string_value(json_object_get(o, "ip_address"));
			const char *mac = json_string_value(json_object_get(o, "mac_address"));

			if (ip && CPY(p->pairs[p->npairs].ip, ip) &&
			    CPY(p->pairs[p->npairs].mac, mac ? mac : p->mac))
				p->npairs++;
		}
	}
	json_decref(list);
}

static int load_ports(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id, network_id, mac_address, device_owner, device_id,"
				      " dns_name, admin_state_up, port_security_enabled,"
				      " allowed_address_pairs FROM net_port",
				      DBNONE);

	if (res == NULL)
		return -1;
	m->ports = xcalloc(db_res_rows(res) + 1, sizeof(*m->ports));
	for (int r = 0; r < db_res_rows(res); r++) {
		struct net_model_port *p = &m->ports[m->nports];

		if (!CPY(p->id, db_res_str(res, r, 0)) ||
		    !CPY(p->network_id, db_res_str(res, r, 1)) ||
		    !CPY(p->mac, db_res_str(res, r, 2))) {
			log_warn("port %s: a field too long for the data plane; left out",
				 db_res_str(res, r, 0));
			continue;
		}
		/* device_id may be longer than the model keeps: drivers only use the
		 * router ids (36) it holds; the metadata proxy reads the database */
		CPY(p->device_owner, db_res_str(res, r, 3));
		CPY(p->device_id, db_res_str(res, r, 4));
		CPY(p->hostname, db_res_str(res, r, 5));
		p->admin_up = db_res_bool(res, r, 6);
		p->port_security = db_res_bool(res, r, 7);
		load_pairs(p, db_res_str(res, r, 8));
		m->nports++;
	}
	db_res_free(res);
	if (m->nports > 1)
		qsort(m->ports, m->nports, sizeof(*m->ports), port_cmp);
	return 0;
}

/* Addresses: count per port, allocate, fill in query order. */
static int load_ips(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT i.port_id, i.subnet_id, i.ip_address FROM net_ip i"
		" LEFT JOIN net_subnet s ON s.id = i.subnet_id"
		" ORDER BY s.ip_version, s.created_at, i.subnet_id, length(i.ip_address),"
		" i.ip_address",
		DBNONE);
	int rows, *idx;

	if (res == NULL)
		return -1;
	rows = db_res_rows(res);
	idx = xcalloc(rows + 1, sizeof(*idx));
	for (int r = 0; r < rows; r++) {
		idx[r] = port_find(m, db_res_str(res, r, 0));
		if (idx[r] >= 0)
			m->ports[idx[r]].nips++;
	}
	for (int i = 0; i < m->nports; i++) {
		if (m->ports[i].nips > 0)
			m->ports[i].ips = xcalloc(m->ports[i].nips, sizeof(*m->ports[i].ips));
		m->ports[i].nips = 0;
	}
	for (int r = 0; r < rows; r++) {
		struct net_model_port *p;
		struct net_model_ip *ip;

		if (idx[r] < 0)
			continue;
		p = &m->ports[idx[r]];
		ip = &p->ips[p->nips];
		if (CPY(ip->subnet_id, db_res_str(res, r, 1)) &&
		    CPY(ip->address, db_res_str(res, r, 2)))
			p->nips++;
	}
	free(idx);
	db_res_free(res);
	/* the DHCP host name: dns_name, else host-<first address> with '-' for '.'/':' */
	for (int i = 0; i < m->nports; i++) {
		struct net_model_port *p = &m->ports[i];

		if (p->hostname[0] != '\0' || p->nips == 0)
			continue;
		snprintf(p->hostname, sizeof(p->hostname), "host-%s", p->ips[0].address);
		for (char *c = p->hostname; *c; c++)
			if (*c == '.' || *c == ':')
				*c = '-';
	}
	return 0;
}

static int load_port_groups(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT port_id, secgroup_id FROM net_port_sg"
				      " ORDER BY secgroup_id",
				      DBNONE);
	int rows, *idx;

	if (res == NULL)
		return -1;
	rows = db_res_rows(res);
	idx = xcalloc(rows + 1, sizeof(*idx));
	for (int r = 0; r < rows; r++) {
		idx[r] = port_find(m, db_res_str(res, r, 0));
		if (idx[r] >= 0)
			m->ports[idx[r]].nsecgroups++;
	}
	for (int i = 0; i < m->nports; i++) {
		if (m->ports[i].nsecgroups > 0)
			m->ports[i].secgroups =
				xcalloc(m->ports[i].nsecgroups, sizeof(*m->ports[i].secgroups));
		m->ports[i].nsecgroups = 0;
	}
	for (int r = 0; r < rows; r++) {
		struct net_model_port *p;

		if (idx[r] < 0)
			continue;
		p = &m->ports[idx[r]];
		if (CPY(p->secgroups[p->nsecgroups], db_res_str(res, r, 1)))
			p->nsecgroups++;
	}
	free(idx);
	db_res_free(res);
	return 0;
}

static int load_rules(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT id, security_group_id, direction, ethertype, protocol, port_range_min,"
		" port_range_max, remote_ip_prefix, remote_group_id FROM net_sg_rule"
		" WHERE security_group_id IN (SELECT secgroup_id FROM net_port_sg)"
		" ORDER BY security_group_id, created_at, id",
		DBNONE);

	if (res == NULL)
		return -1;
	m->rules = xcalloc(db_res_rows(res) + 1, sizeof(*m->rules));
	for (int r = 0; r < db_res_rows(res); r++) {
		struct net_model_rule *u = &m->rules[m->nrules];
		const char *eth = db_res_str(res, r, 3);

		if (!CPY(u->id, db_res_str(res, r, 0)) ||
		    !CPY(u->secgroup_id, db_res_str(res, r, 1)) ||
		    !CPY(u->remote_prefix, db_res_str(res, r, 7)) ||
		    !CPY(u->remote_group, db_res_str(res, r, 8)))
			continue;
		u->ingress = str_eq(db_res_str(res, r, 2), "ingress");
		u->ip_version = str_eq(eth, "IPv6") ? 6 : 4;
		u->protocol = net_proto_number(db_res_str(res, r, 4), u->ip_version);
		if (u->protocol == -2) {
			/* left out, so the rule allows nothing rather than everything */
			log_warn("security group rule %s: protocol %s unknown; left out", u->id,
				 db_res_str(res, r, 4));
			continue;
		}
		u->port_min = db_res_str(res, r, 5) ? (int)db_res_int(res, r, 5) : -1;
		u->port_max = db_res_str(res, r, 6) ? (int)db_res_int(res, r, 6) : -1;
		m->nrules++;
	}
	db_res_free(res);
	return 0;
}

static int router_cmp(const void *a, const void *b)
{
	return strcmp(((const struct net_model_router *)a)->id,
		      ((const struct net_model_router *)b)->id);
}

/* Routers; their interfaces are the ports (already loaded) net_router_port lists as their
 * legs (a port naming a router as its device is no leg of it), in the ports' order. */
static int load_routers(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id, admin_state_up, enable_snat, gw_port_id, routes"
				      " FROM net_router",
				      DBNONE);
	const char **leg_of; /* the router id of each port that is an interface */

	if (res == NULL)
		return -1;
	m->routers = xcalloc(db_res_rows(res) + 1, sizeof(*m->routers));
	for (int r = 0; r < db_res_rows(res); r++) {
		struct net_model_router *t = &m->routers[m->nrouters];

		if (!CPY(t->id, db_res_str(res, r, 0)) ||
		    !CPY(t->gw_port_id, db_res_str(res, r, 3)))
			continue;
		/* a gateway whose port is gone (deleted meanwhile) is no gateway */
		if (t->gw_port_id[0] != '\0' && port_find(m, t->gw_port_id) < 0)
			t->gw_port_id[0] = '\0';
		t->admin_up = db_res_bool(res, r, 1);
		t->enable_snat = db_res_bool(res, r, 2);
		t->nroutes = load_routes(db_res_str(res, r, 4), &t->routes);
		m->nrouters++;
	}
	db_res_free(res);
	if (m->nrouters > 1)
		qsort(m->routers, m->nrouters, sizeof(*m->routers), router_cmp);
	res = db_query(db, err,
		       "SELECT port_id, router_id FROM net_router_port"
		       " WHERE port_type = 'network:router_interface'",
		       DBNONE);
	if (res == NULL)
		return -1;
	leg_of = xcalloc(m->nports + 1, sizeof(*leg_of));
	for (int r = 0; r < db_res_rows(res); r++) {
		int i = port_find(m, db_res_str(res, r, 0));
		if (i >= 0)
			leg_of[i] = db_res_str(res, r, 1);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < m->nports; i++) {
			const struct net_model_port *p = &m->ports[i];
			struct net_model_router key, *t;

			if (leg_of[i] == NULL || !CPY(key.id, leg_of[i]))
				continue;
			t = m->nrouters > 0 ? bsearch(&key, m->routers, m->nrouters,
						      sizeof(*m->routers), router_cmp)
					    : NULL;
			if (t == NULL)
				continue;
			if (pass == 1)
				memcpy(t->interfaces[t->ninterfaces], p->id, sizeof(p->id));
			t->ninterfaces++;
		}
		for (int i = 0; pass == 0 && i < m->nrouters; i++) {
			struct net_model_router *t = &m->routers[i];

			if (t->ninterfaces > 0)
				t->interfaces = xcalloc(t->ninterfaces, sizeof(*t->interfaces));
			t->ninterfaces = 0;
		}
	}
	free(leg_of);
	db_res_free(res);
	return 0;
}

static int load_fips(struct db *db, struct net_model *m, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id, router_id, floating_ip_address, fixed_ip_address"
				      " FROM net_floatingip WHERE port_id IS NOT NULL"
				      " AND router_id IS NOT NULL AND fixed_ip_address IS NOT NULL",
				      DBNONE);

	if (res == NULL)
		return -1;
	m->fips = xcalloc(db_res_rows(res) + 1, sizeof(*m->fips));
	for (int r = 0; r < db_res_rows(res); r++) {
		struct net_model_fip *f = &m->fips[m->nfips];

		if (CPY(f->id, db_res_str(res, r, 0)) && CPY(f->router_id, db_res_str(res, r, 1)) &&
		    CPY(f->floating_ip, db_res_str(res, r, 2)) &&
		    CPY(f->fixed_ip, db_res_str(res, r, 3)))
			m->nfips++;
	}
	db_res_free(res);
	return 0;
}

/* A read snapshot: SQLite's deferred BEGIN holds one from the first read (and takes no
 * write lock, unlike db_begin's IMMEDIATE); PostgreSQL needs REPEATABLE READ for one.
 * Through db_query, which (unlike db_exec_script) does not count as a write: caches
 * keyed on db_generation stay good. */
static int begin_read(struct db *db, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      db_engine() == DB_PG
					      ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
					      : "BEGIN",
				      DBNONE);

	if (res == NULL)
		return -1;
	db_res_free(res);
	return 0;
}

int net_model_load(struct db *db, struct net_model *m, struct err *err)
{
	int rc;

	memset(m, 0, sizeof(*m));
	if (begin_read(db, err) < 0)
		return -1;
	rc = (load_networks(db, m, err) < 0 || load_subnets(db, m, err) < 0 ||
	      load_ports(db, m, err) < 0 || load_ips(db, m, err) < 0 ||
	      load_port_groups(db, m, err) < 0 || load_rules(db, m, err) < 0 ||
	      load_routers(db, m, err) < 0 || load_fips(db, m, err) < 0)
		     ? -1
		     : 0;
	db_rollback(db); /* read only: ends the snapshot */
	if (rc < 0)
		net_model_free(m);
	return rc;
}
