/* Routers: /v2.0/routers with the external-gateway (ext-gw-mode), extraroute and
 * extraroute-atomic attributes, add/remove_router_interface.
 *
 * A router is a row; its legs are ports it made or took over, listed in net_router_port
 * (Neutron's routerports) and named by their device_id: one gateway port (device_owner
 * network:router_gateway, no project, so no tenant lists it, as Neutron) on an external
 * network, and interface ports (network:router_interface, the router's project) each
 * holding an address of the subnet they attach (the subnet's gateway IP when attached by
 * subnet). A port whose device_id names a router is no leg of it unless the router made
 * it one: the port API cannot attach a network to a router. The row remembers the gateway
 * port and network; the rest is read from the legs and their addresses. */
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
#include "network/router_int.h"

#define MAX_ROUTES 30 /* Neutron's max_routes default */

static const struct net_attr router_attrs[] = {
	{ "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "description", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0 },
	{ "admin_state_up", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "status", NULL, NA_STR, NAF_FILTER | NAF_SORT, 0 },
	{ "distributed", NULL, NA_BOOL, NAF_FILTER | NAF_POST | NAF_PUT | NAF_ADMIN, 0 },
	{ "ha", NULL, NA_BOOL, NAF_FILTER | NAF_POST | NAF_PUT | NAF_ADMIN, 0 },
	/* written by this file (routes checked here), never taken from a body as they are */
	{ "routes", NULL, NA_JSON, 0, 0 },
	/* internal: decorate turns them into external_gateway_info */
	{ "gw_network_id", NULL, NA_STR, NAF_NULL, 0 },
	{ "gw_port_id", NULL, NA_STR, NAF_NULL, 0 },
	{ "enable_snat", NULL, NA_BOOL, 0, 0 },
	{ 0 },
};

/* ---- addresses and prefixes (ipam_addr.h does the math) ---- */

/* 'ip' (text) lies in 'cidr' (text). */
bool net_router_cidr_has(const char *cidr, const char *ip)
{
	struct net_cidr c;
	struct net_addr a;

	return cidr != NULL && ip != NULL && net_cidr_parse(cidr, &c) == 0 &&
	       net_addr_parse(ip, &a) == 0 && net_cidr_contains(&c, &a);
}

/* ---- rows ---- */

static int router_load(struct req *rq, struct db *db, const char *id, struct router_row *r,
		       struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT project_id, gw_network_id, gw_port_id, enable_snat,"
				      " routes FROM net_router WHERE id = ?",
				      DBP(id));

	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return err_set(err, ERR_NOT_FOUND, "Router %s could not be found.", id);
	}
	r->id = req_strdup(rq, id);
	r->project_id = req_strdup(rq, db_res_str(res, 0, 0));
	r->gw_network_id = req_strdup(rq, db_res_str(res, 0, 1));
	r->gw_port_id = req_strdup(rq, db_res_str(res, 0, 2));
	r->enable_snat = db_res_bool(res, 0, 3);
	r->routes = req_strdup(rq, db_res_str(res, 0, 4));
	db_res_free(res);
	return 0;
}

/* The addresses of a router's legs, one row each: port id, device_owner, network_id,
 * subnet_id, ip_address, subnet cidr, subnet ip_version, port project_id. 'owner' NULL
 * means interfaces and gateway. */
struct db_res *net_router_legs(struct db *db, const char *router_id, const char *owner,
			       struct err *err)
{
	struct sqlb sb;
	struct db_res *res;

	sqlb_init(&sb, "SELECT p.id, rp.port_type, p.network_id, i.subnet_id, i.ip_address,"
		       " s.cidr, s.ip_version, p.project_id FROM net_router_port rp"
		       " JOIN net_port p ON p.id = rp.port_id"
		       " JOIN net_ip i ON i.port_id = p.id"
		       " JOIN net_subnet s ON s.id = i.subnet_id");
	sqlb_add(&sb, " WHERE rp.router_id = ?", router_id);
	if (owner != NULL)
		sqlb_add(&sb, " AND rp.port_type = ?", owner);
	sqlb_text(&sb, " ORDER BY p.created_at, p.id, s.ip_version, i.ip_address");
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	return res;
}

/* The addresses of one port: subnet_id, ip_address, cidr, ip_version. */
struct db_res *net_router_port_addrs(struct db *db, const char *port_id, struct err *err)
{
	return db_query(db, err,
			"SELECT i.subnet_id, i.ip_address, s.cidr, s.ip_version FROM net_ip i"
			" JOIN net_subnet s ON s.id = i.subnet_id WHERE i.port_id = ?"
			" ORDER BY s.ip_version, i.ip_address",
			DBP(port_id));
}

/* external_gateway_info, availability zones; distributed and ha only for the admin, as
 * Neutron's policy shows them. */
static int decorate(struct req *rq, struct db *db, json_t *items, struct err *err)
{
	bool admin = net_is_admin(rq);
	size_t i;
	json_t *o;

	json_array_foreach(items, i, o) {
		const char *gw_net = jsonx_str(o, "gw_network_id");
		const char *gw_port = jsonx_str(o, "gw_port_id");
		json_t *info = json_null();

		if (gw_net != NULL) {
			json_t *ips = json_array();
			if (gw_port != NULL) {
				struct db_res *res = net_router_port_addrs(db, gw_port, err);
				if (res == NULL) {
					json_decref(ips);
					return -1;
				}
				for (int r = 0; r < db_res_rows(res); r++)
					json_array_append_new(
						ips, json_pack("{s:s,s:s}", "subnet_id",
							       db_res_str(res, r, 0), "ip_address",
							       db_res_str(res, r, 1)));
				db_res_free(res);
			}
			info = json_pack("{s:s,s:O,s:o}", "network_id", gw_net, "enable_snat",
					 json_object_get(o, "enable_snat"), "external_fixed_ips",
					 ips);
		}
		json_object_set_new(o, "external_gateway_info", info);
		json_object_del(o, "gw_network_id");
		json_object_del(o, "gw_port_id");
		json_object_del(o, "enable_snat");
		json_object_set_new(o, "availability_zone_hints", json_array());
		json_object_set_new(o, "availability_zones", json_pack("[s]", "nova"));
		if (!admin) {
			json_object_del(o, "distributed");
			json_object_del(o, "ha");
		}
	}
	return 0;
}

const struct net_rdef net_router_rdef = {
	.name = "router",
	.plural = "routers",
	.title = "Router",
	.table = "net_router",
	.attrs = router_attrs,
	.decorate = decorate,
};

/* The router if the caller may change it (owner or admin): 404 when it cannot see it,
 * 403 when it can but does not own it (only the admin sees others'). Loads its row. */
int net_router_find_owned(struct req *rq, struct db *db, const char *id, const char *action,
			  struct router_row *r, struct err *err)
{
	json_t *body = net_find_owned(rq, db, &net_router_rdef, id, action, err);

	if (body == NULL)
		return -1;
	json_decref(body);
	return router_load(rq, db, id, r, err);
}

/* ---- the gateway ---- */

/* 409 when floating IPs go through the router's gateway. */
static int check_gw_unused(struct db *db, const struct router_row *r, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT COUNT(*) FROM net_floatingip WHERE router_id = ?",
				      DBP(r->id));
	long long n;

	if (res == NULL)
		return -1;
	n = db_res_int(res, 0, 0);
	db_res_free(res);
	if (n > 0)
		return err_set(err, ERR_CONFLICT,
			       "Gateway cannot be updated for router %s, since a gateway to "
			       "external network %s is required by one or more floating IPs.",
			       r->id, r->gw_network_id);
	return 0;
}

/* Checks external_gateway_info as Neutron's validators and policy do: {} or null (no
 * gateway) or {network_id, enable_snat?, external_fixed_ips?}, the last two the admin's. */
static int gw_info_check(struct req *rq, json_t *info, bool create, struct err *err)
{
	const char *key;
	json_t *v;

	if (info == NULL || json_is_null(info) ||
	    (json_is_object(info) && json_object_size(info) == 0))
		return 0;
	if (!json_is_object(info))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for external_gateway_info. Reason: It must be a "
			       "dictionary.");
	json_object_foreach(info, key, v) {
		if (strcmp(key, "network_id") == 0) {
			if (!json_is_string(v))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for external_gateway_info. Reason: "
					       "'%s' is not a valid UUID.",
					       json_is_null(v) ? "None" : "value");
		} else if (strcmp(key, "enable_snat") == 0) {
			if (!json_is_boolean(v))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for external_gateway_info. Reason: "
					       "enable_snat must be a boolean.");
		} else if (strcmp(key, "external_fixed_ips") == 0) {
			size_t i;
			json_t *ip;
			if (!json_is_array(v))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for external_gateway_info. Reason: "
					       "external_fixed_ips must be a list.");
			json_array_foreach(v, i, ip) {
				const char *k;
				json_t *x;
				if (!json_is_object(ip))
					return err_set(err, ERR_BAD_REQUEST,
						       "Invalid input for external_gateway_info. "
						       "Reason: external_fixed_ips must be a list "
						       "of dictionaries.");
				json_object_foreach(ip, k, x)
					if ((strcmp(k, "subnet_id") != 0 &&
					     strcmp(k, "ip_address") != 0) ||
					    !json_is_string(x))
						return err_set(err, ERR_BAD_REQUEST,
							       "Invalid input for "
							       "external_gateway_info. Reason: "
							       "invalid external_fixed_ips entry "
							       "'%s'.",
							       k);
			}
		} else {
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for external_gateway_info. Reason: "
				       "Unrecognized attribute(s) '%s'",
				       key);
		}
	}
	if (json_object_get(info, "network_id") == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for external_gateway_info. Reason: Validation of "
			       "dictionary's keys failed. Expected keys: {'network_id'}.");
	json_object_foreach(info, key, v)
		if (strcmp(key, "network_id") != 0 && !net_is_admin(rq))
			return err_set(err, ERR_FORBIDDEN,
				       "(rule:%s_router and "
				       "rule:%s_router:external_gateway_info:%s) is disallowed by "
				       "policy",
				       create ? "create" : "update", create ? "create" : "update",
				       key);
	return 0;
}

/* 400 when a requested external address is a subnet's gateway. */
static int check_ext_ips(struct db *db, const char *network_id, json_t *ext_ips,
			 struct err *err)
{
	struct db_res *res;
	size_t i;
	json_t *ip;
	int rc = 0;

	if (json_array_size(ext_ips) == 0)
		return 0;
	res = db_query(db, err,
		       "SELECT gateway_ip FROM net_subnet WHERE network_id = ?"
		       " AND gateway_ip IS NOT NULL",
		       DBP(network_id));
	if (res == NULL)
		return -1;
	json_array_foreach(ext_ips, i, ip)
		for (int r = 0; r < db_res_rows(res) && rc == 0; r++)
			if (str_eq(jsonx_str(ip, "ip_address"), db_res_str(res, r, 0)))
				rc = err_set(err, ERR_BAD_REQUEST,
					     "Bad router request: External IP %s is the same as "
					     "the gateway IP.",
					     db_res_str(res, r, 0));
	db_res_free(res);
	return rc;
}

/* A port of the router (a leg) made with the service's rights, as Neutron's elevated
 * context does: 'project' is its owner ("" for a gateway). 'fixed_ips' may be NULL
 * (default addresses), borrowed. Returns the port body (caller owns) or NULL. */
json_t *net_router_leg_create(struct req *rq, struct db *db, const char *router_id,
			      const char *project, const char *network_id, const char *owner,
			      json_t *fixed_ips, struct err *err)
{
	json_t *item = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "network_id", network_id,
				 "project_id", project, "device_id", router_id, "device_owner",
				 owner, "admin_state_up", 1, "name", "");
	json_t *port;

	if (fixed_ips != NULL)
		json_object_set(item, "fixed_ips", fixed_ips);
	port = net_port_create(rq, db, item, err);
	json_decref(item);
	if (port != NULL && net_router_port_add(db, router_id, jsonx_str(port, "id"), owner,
						err) < 0) {
		json_decref(port);
		return NULL;
	}
	return port;
}

int net_router_port_add(struct db *db, const char *router_id, const char *port_id,
			const char *type, struct err *err)
{
	return db_exec(db, err,
		       "INSERT INTO net_router_port (port_id, router_id, port_type)"
		       " VALUES (?, ?, ?)",
		       DBP(port_id, router_id, type)) < 0
		       ? -1
		       : 0;
}

/* Applies a checked external_gateway_info to router 'r' and sets the gw_network_id,
 * gw_port_id and enable_snat values to store into 'vals'. */
static int gw_apply(struct req *rq, struct db *db, const struct router_row *r, json_t *info,
		    json_t *vals, struct err *err)
{
	const char *net_id = json_is_object(info) ? jsonx_str(info, "network_id") : NULL;
	json_t *ext_ips = net_id ? json_object_get(info, "external_fixed_ips") : NULL;
	json_t *snat = net_id ? json_object_get(info, "enable_snat") : NULL;
	json_t *net, *port;
	bool recreate;

	if (net_id != NULL) {
		if ((net = net_find(rq, db, &net_network_rdef, net_id, err)) == NULL)
			return -1;
		if (!json_is_true(json_object_get(net, "router:external"))) {
			json_decref(net);
			return err_set(err, ERR_BAD_REQUEST,
				       "Bad router request: Network %s is not an external "
				       "network.",
				       net_id);
		}
		json_decref(net);
		if (check_ext_ips(db, net_id, ext_ips, err) < 0)
			return -1;
	}
	/* keep the port when the network stays and no addresses are asked for */
	recreate = !str_eq(net_id, r->gw_network_id) || json_array_size(ext_ips) > 0;
	if (r->gw_port_id != NULL && recreate) {
		if (!str_eq(net_id, r->gw_network_id) && check_gw_unused(db, r, err) < 0)
			return -1;
		if (net_port_delete(db, r->gw_port_id, err) < 0)
			return -1;
	}
	if (net_id == NULL) {
		json_object_set_new(vals, "gw_network_id", json_null());
		json_object_set_new(vals, "gw_port_id", json_null());
		json_object_set_new(vals, "enable_snat", json_true());
		return 0;
	}
	json_object_set_new(vals, "gw_network_id", json_string(net_id));
	json_object_set_new(vals, "enable_snat",
			    json_boolean(snat != NULL ? json_is_true(snat)
				     : str_eq(net_id, r->gw_network_id) ? r->enable_snat
									 : true));
	if (!recreate && r->gw_port_id != NULL)
		return 0;
	port = net_router_leg_create(rq, db, r->id, "", net_id, NET_OWNER_GW,
			  json_array_size(ext_ips) > 0 ? ext_ips : NULL, err);
	if (port == NULL)
		return -1;
	json_object_set_new(vals, "gw_port_id", json_string(jsonx_str(port, "id")));
	json_decref(port);
	return 0;
}

/* ---- extra routes ---- */

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* Neutron's rendering of a routes list in its messages (a Python list of dicts). */
static const char *routes_text(struct req *rq, const json_t *routes)
{
	char *s = req_strdup(rq, "[");
	size_t i;
	json_t *rt;

	json_array_foreach(routes, i, rt)
		s = req_printf(rq, "%s%s{'destination': '%s', 'nexthop': '%s'}", s,
			       i ? ", " : "", or_empty(jsonx_str(rt, "destination")),
			       or_empty(jsonx_str(rt, "nexthop")));
	return req_printf(rq, "%s]", s);
}

/* Checks the form of a routes list (type:hostroutes): [{destination: CIDR, nexthop:
 * IP}], no duplicates, at most MAX_ROUTES; canonical as given. */
static int routes_check_form(const char *router_id, json_t *routes,
			     struct err *err)
{
	size_t i, j;
	json_t *rt;

	if (!json_is_array(routes))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for routes. Reason: Invalid data format for "
			       "hostroute: '%s'.",
			       json_is_string(routes) ? json_string_value(routes) : "value");
	json_array_foreach(routes, i, rt) {
		const char *dst = jsonx_str(rt, "destination"), *hop = jsonx_str(rt, "nexthop");
		struct net_cidr d;
		struct net_addr h;
		char canon[NET_CIDR_STRLEN];

		if (!json_is_object(rt) || json_object_size(rt) != 2 || dst == NULL ||
		    hop == NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for routes. Reason: Validation of "
				       "dictionary's keys failed. Expected keys: {'destination', "
				       "'nexthop'}.");
		if (net_cidr_parse(dst, &d) < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for routes. Reason: '%s' is not a valid IP "
				       "subnet.",
				       dst);
		net_cidr_format(&d, canon);
		if (d.base.version == 4 && strcmp(canon, dst) != 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for routes. Reason: '%s' isn't a recognized "
				       "IP subnet cidr, '%s' is recommended.",
				       dst, canon);
		if (net_addr_parse(hop, &h) < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for routes. Reason: '%s' is not a valid IP "
				       "address.",
				       hop);
		for (j = 0; j < i; j++) {
			json_t *o = json_array_get(routes, j);
			if (str_eq(jsonx_str(o, "destination"), dst) &&
			    str_eq(jsonx_str(o, "nexthop"), hop))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for routes. Reason: Duplicate "
					       "hostroute '{'destination': '%s', 'nexthop': "
					       "'%s'}'.",
					       dst, hop);
		}
	}
	if (json_array_size(routes) > MAX_ROUTES)
		return err_set(err, ERR_BAD_REQUEST,
			       "Unable to complete operation for %s. The number of routes "
			       "exceeds the maximum %d.",
			       router_id, MAX_ROUTES);
	return 0;
}

/* Each nexthop must lie on a subnet of the router's legs and not be one of its own
 * addresses (extraroute). */
static int routes_check_nexthops(struct req *rq, struct db *db, const char *router_id,
				 json_t *routes, struct err *err)
{
	struct db_res *legs;
	size_t i;
	json_t *rt;
	int rc = 0;

	if (json_array_size(routes) == 0)
		return 0;
	if ((legs = net_router_legs(db, router_id, NULL, err)) == NULL)
		return -1;
	json_array_foreach(routes, i, rt) {
		const char *hop = jsonx_str(rt, "nexthop");
		bool connected = false, own = false;

		for (int r = 0; r < db_res_rows(legs); r++) {
			connected = connected || net_router_cidr_has(db_res_str(legs, r, 5), hop);
			own = own || str_eq(db_res_str(legs, r, 4), hop);
		}
		if (!connected || own) {
			rc = err_set(err, ERR_BAD_REQUEST, "Invalid format for routes: %s, %s",
				     routes_text(rq, routes),
				     own ? "the nexthop is used by router"
					 : "the nexthop is not connected with router");
			break;
		}
	}
	db_res_free(legs);
	return rc;
}

/* ---- create, update, delete ---- */

/* 400 for distributed or ha routers: the data plane runs legacy routers only. */
static int check_mode(const json_t *item, struct err *err)
{
	if (json_is_true(json_object_get(item, "distributed")) ||
	    json_is_true(json_object_get(item, "ha")))
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad router request: distributed and HA routers are not "
			       "supported.");
	return 0;
}

/* An address IPAM chose for a gateway was taken by a concurrent request between its
 * read and the insert (PostgreSQL fails the transaction on the unique key): another try
 * reads again. An address asked for fails the same way each time, a few tries later. */
static bool address_race(const struct err *err)
{
	return err->kind == ERR_CONFLICT && strstr(err->msg, "already allocated in subnet");
}

/* One try of a create in its own transaction: the router committed (caller owns) or
 * NULL, rolled back. 'given' is the checked body item (not changed). */
static json_t *create_once(struct req *rq, struct db *db, const json_t *given, struct err *err)
{
	json_t *item = json_deep_copy(given), *out = NULL;
	json_t *info = json_object_get(item, "external_gateway_info");
	struct router_row r = { .enable_snat = true };
	char id[37];

	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	r.id = id;
	r.project_id = jsonx_str(item, "project_id");
	if (db_begin(db, err) < 0)
		goto out;
	/* the gateway port first: its id is a column of the new row */
	if (net_quota_check(db, r.project_id, "router", 1, err) < 0 ||
	    (info != NULL && gw_apply(rq, db, &r, info, item, err) < 0) ||
	    net_insert(db, &net_router_rdef, item, err) < 0 ||
	    (out = net_get(rq, db, &net_router_rdef, id, err)) == NULL || db_commit(db, err) < 0) {
		json_decref(out);
		out = NULL;
		db_rollback(db);
	}
out:
	json_decref(item);
	return out;
}

static int routers_create(struct req *rq, struct err *err)
{
	static const char *const extra[] = { "external_gateway_info", NULL };
	struct db *db = db_get(err);
	json_t *item, *out = NULL;

	if (db == NULL || (item = net_body(rq, &net_router_rdef, true, extra, err)) == NULL ||
	    gw_info_check(rq, json_object_get(item, "external_gateway_info"), true, err) < 0 ||
	    check_mode(item, err) < 0)
		return -1;
	for (int tries = 0; tries < 4 && out == NULL; tries++) {
		if (tries > 0) {
			if (!address_race(err))
				break;
			err_clear(err);
		}
		out = create_once(rq, db, item, err);
	}
	if (out == NULL)
		return -1;
	net_reply_one(rq, &net_router_rdef, 201, out);
	net_changed();
	return 0;
}

/* One try of an update in its own transaction, as create_once. */
static json_t *update_once(struct req *rq, struct db *db, const char *id, const json_t *given,
			   struct err *err)
{
	json_t *item = json_deep_copy(given), *out = NULL;
	json_t *info = json_object_get(item, "external_gateway_info");
	json_t *routes = json_object_get(item, "routes");
	struct router_row r;

	if (db_begin(db, err) < 0)
		goto out;
	if (net_router_find_owned(rq, db, id, "update", &r, err) < 0 ||
	    (info != NULL && gw_apply(rq, db, &r, info, item, err) < 0) ||
	    (routes != NULL && routes_check_nexthops(rq, db, id, routes, err) < 0) ||
	    net_update(db, &net_router_rdef, id, item, err) < 0 ||
	    (out = net_get(rq, db, &net_router_rdef, id, err)) == NULL || db_commit(db, err) < 0) {
		json_decref(out);
		out = NULL;
		db_rollback(db);
	}
out:
	json_decref(item);
	return out;
}

static int router_update(struct req *rq, struct err *err)
{
	static const char *const extra[] = { "external_gateway_info", "routes", NULL };
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *item, *info, *routes, *out = NULL;

	if (db == NULL || (item = net_body(rq, &net_router_rdef, false, extra, err)) == NULL)
		return -1;
	info = json_object_get(item, "external_gateway_info");
	routes = json_object_get(item, "routes");
	if (json_is_null(routes)) {
		routes = json_array();
		json_object_set_new(item, "routes", routes);
	}
	if ((info != NULL && gw_info_check(rq, info, false, err) < 0) ||
	    (routes != NULL && routes_check_form(id, routes, err) < 0) ||
	    check_mode(item, err) < 0)
		return -1;
	for (int tries = 0; tries < 4 && out == NULL; tries++) {
		if (tries > 0) {
			if (!address_race(err))
				break;
			err_clear(err);
		}
		out = update_once(rq, db, id, item, err);
	}
	if (out == NULL)
		return -1;
	net_reply_one(rq, &net_router_rdef, 200, out);
	net_changed();
	return 0;
}

static int router_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	struct router_row r;
	struct db_res *res = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (net_router_find_owned(rq, db, id, "delete", &r, err) < 0)
		goto fail;
	res = db_query(db, err,
		       "SELECT COUNT(*) FROM net_router_port WHERE router_id = ?"
		       " AND port_type = '" NET_OWNER_IF "'",
		       DBP(id));
	if (res == NULL)
		goto fail;
	if (db_res_int(res, 0, 0) > 0) {
		err_set(err, ERR_CONFLICT, "Router %s still has ports", id);
		goto fail;
	}
	if ((r.gw_port_id != NULL && (check_gw_unused(db, &r, err) < 0 ||
				      net_port_delete(db, r.gw_port_id, err) < 0)) ||
	    db_exec(db, err, "DELETE FROM net_router_port WHERE router_id = ?", DBP(id)) < 0 ||
	    net_delete_row(db, &net_router_rdef, id, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	db_res_free(res);
	reply_empty(rq, 204);
	net_changed();
	return 0;
fail:
	db_res_free(res);
	db_rollback(db);
	return -1;
}

/* PUT .../add_extraroutes and .../remove_extraroutes (extraroute-atomic): the routes of
 * {"router": {"routes": [...]}} added to (or taken from) the router's. */
static int change_routes(struct req *rq, bool add, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	struct router_row r;
	json_t *body = req_json(rq, err), *given, *cur = NULL, *next = NULL, *vals = NULL,
	       *out = NULL;
	size_t i, j;

	if (db == NULL || body == NULL)
		return -1;
	given = json_object_get(json_object_get(body, "router"), "routes");
	if (given == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Unable to find 'router' in request body");
	if (routes_check_form(id, given, err) < 0 || db_begin(db, err) < 0)
		return -1;
	if (net_router_find_owned(rq, db, id, "update", &r, err) < 0)
		goto fail;
	cur = json_loads(r.routes ? r.routes : "[]", 0, NULL);
	next = json_array();
	for (i = 0; i < json_array_size(cur); i++) {
		bool listed = false;
		for (j = 0; j < json_array_size(given); j++)
			listed = listed || json_equal(json_array_get(given, j),
						      json_array_get(cur, i));
		if (add || !listed)
			json_array_append(next, json_array_get(cur, i));
	}
	for (i = 0; add && i < json_array_size(given); i++) {
		bool have = false;
		for (j = 0; j < json_array_size(cur); j++)
			have = have || json_equal(json_array_get(given, i), json_array_get(cur, j));
		if (!have)
			json_array_append(next, json_array_get(given, i));
	}
	vals = json_pack("{s:O}", "routes", next);
	if (routes_check_form(id, next, err) < 0 ||
	    (add && routes_check_nexthops(rq, db, id, given, err) < 0) ||
	    net_update(db, &net_router_rdef, id, vals, err) < 0 ||
	    (out = net_get(rq, db, &net_router_rdef, id, err)) == NULL || db_commit(db, err) < 0)
		goto fail;
	json_decref(cur);
	json_decref(next);
	json_decref(vals);
	net_reply_one(rq, &net_router_rdef, 200, out);
	net_changed();
	return 0;
fail:
	json_decref(cur);
	json_decref(next);
	json_decref(vals);
	json_decref(out);
	db_rollback(db);
	return -1;
}

static int add_extraroutes(struct req *rq, struct err *err)
{
	return change_routes(rq, true, err);
}

static int remove_extraroutes(struct req *rq, struct err *err)
{
	return change_routes(rq, false, err);
}

static int routers_list(struct req *rq, struct err *err)
{
	return net_list(rq, &net_router_rdef, err);
}

static int router_show(struct req *rq, struct err *err)
{
	return net_show(rq, &net_router_rdef, err);
}

const struct route net_router_routes[] = {
	{ HTTP_GET, "/v2.0/routers", routers_list, "network:get_router" },
	{ HTTP_POST, "/v2.0/routers", routers_create, "network:create_router" },
	{ HTTP_GET, "/v2.0/routers/{id}", router_show, "network:get_router" },
	{ HTTP_PUT, "/v2.0/routers/{id}", router_update, "network:update_router" },
	{ HTTP_DELETE, "/v2.0/routers/{id}", router_delete, "network:delete_router" },
	{ HTTP_PUT, "/v2.0/routers/{id}/add_router_interface", net_router_add_interface,
	  "network:add_router_interface" },
	{ HTTP_PUT, "/v2.0/routers/{id}/remove_router_interface", net_router_remove_interface,
	  "network:remove_router_interface" },
	{ HTTP_PUT, "/v2.0/routers/{id}/add_extraroutes", add_extraroutes, "network:add_extraroutes" },
	{ HTTP_PUT, "/v2.0/routers/{id}/remove_extraroutes", remove_extraroutes,
	  "network:remove_extraroutes" },
	{ 0 },
};
