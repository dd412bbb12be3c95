/* Subnets: /v2.0/subnets. A subnet is a CIDR of a network with a gateway, allocation
 * pools (IPAM takes ports' addresses from them, ipam.c), DNS servers and host routes for
 * DHCP, and IPv6 modes; its prefix may come from a subnet pool. The checks of those
 * attributes are in subnet_check.c. A network with a DHCP-enabled subnet has a DHCP port
 * (net_dhcp_port_sync) holding an address on each of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "network/ipam_addr.h"
#include "network/net_int.h"
#include "network/subnet_check.h"

static const struct net_attr subnet_attrs[] = {
	{ "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "description", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0 },
	{ "network_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST, 0 },
	{ "ip_version", NULL, NA_INT, NAF_FILTER | NAF_SORT | NAF_POST, 0 },
	{ "cidr", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "gateway_ip", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ "enable_dhcp", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "ipv6_ra_mode", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "ipv6_address_mode", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "subnetpool_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "dns_nameservers", NULL, NA_JSON, NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ "host_routes", NULL, NA_JSON, NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ "allocation_pools", NULL, NA_JSON, NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ "service_types", NULL, NA_JSON, NAF_POST, 0 },
	{ "segment_id", NULL, NA_STR, NAF_FILTER | NAF_NULL, 0 },
	{ 0 },
};

/* keys of a create body the attribute table does not cover */
static const char *const create_extra[] = { "prefixlen", "use_default_subnetpool", "segment_id",
					    NULL };

const struct net_rdef net_subnet_rdef = {
	.name = "subnet",
	.plural = "subnets",
	.title = "Subnet",
	.table = "net_subnet",
	.attrs = subnet_attrs,
	/* the subnets of shared networks; those of external networks stay hidden, as
	 * Neutron's get_subnet policy */
	.also_visible = "r.network_id IN (SELECT n.id FROM net_network n WHERE n.shared = 1)",
};

/* ---- the DHCP port ---- */

/* The device_id of this host's DHCP port of a network, as Neutron's dhcp<host>-<net>. */
static const char *dhcp_device_id(struct req *rq, const char *network_id)
{
	char host[64] = "localhost";

	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	return req_printf(rq, "dhcp%s-%s", host, network_id);
}

/* The DHCP-enabled subnets of the network (ids, oldest first). */
static json_t *dhcp_subnets(struct db *db, const char *network_id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id FROM net_subnet WHERE network_id = ? AND"
				      " enable_dhcp = 1 ORDER BY created_at, id",
				      DBP(network_id));
	json_t *ids;

	if (res == NULL)
		return NULL;
	ids = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(ids, json_string(db_res_str(res, i, 0)));
	db_res_free(res);
	return ids;
}

/* Gives the existing DHCP port 'port' ('id', 'mac') an address on each subnet of 'want'
 * and none on others: its addresses are handed back to IPAM as they are and the missing
 * ones allocated (the first free pool address). */
static int dhcp_port_fix(struct req *rq, struct db *db, const char *network_id,
			 const char *port_id, const char *mac, const json_t *want,
			 struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT i.subnet_id, i.ip_address FROM net_ip i"
				      " JOIN net_subnet s ON s.id = i.subnet_id WHERE i.port_id = ?",
				      DBP(port_id));
	json_t *fixed = json_array(), *s, *got;
	bool changed = false;
	size_t i;

	if (res == NULL) {
		json_decref(fixed);
		return -1;
	}
	json_array_foreach(want, i, s) {
		bool has = false;
		for (int r = 0; r < db_res_rows(res); r++)
			if (str_eq(db_res_str(res, r, 0), json_string_value(s))) {
				has = true;
				json_array_append_new(fixed, json_pack("{s:s,s:s}", "subnet_id",
								       db_res_str(res, r, 0),
								       "ip_address",
								       db_res_str(res, r, 1)));
			}
		if (!has) {
			changed = true;
			json_array_append_new(fixed,
					      json_pack("{s:O}", "subnet_id", (json_t *)s));
		}
	}
	changed = changed || db_res_rows(res) != (int)json_array_size(fixed);
	db_res_free(res);
	if (!changed) {
		json_decref(fixed);
		return 0;
	}
	got = NULL;
	if (net_ipam_release(db, port_id, err) == 0)
		got = net_ipam_allocate(rq, db, network_id, port_id, mac, fixed, err);
	json_decref(fixed);
	if (got == NULL)
		return -1;
	json_decref(got);
	return net_update(db, &net_port_rdef, port_id, NULL, err);
}

int net_dhcp_port_sync(struct req *rq, struct db *db, const char *network_id,
		       struct err *err)
{
	json_t *want = dhcp_subnets(db, network_id, err), *item, *port, *net;
	struct db_res *res = NULL;
	size_t i;
	json_t *s;
	int rc = -1;

	if (want == NULL)
		return -1;
	res = db_query(db, err,
		       "SELECT id, mac_address FROM net_port WHERE network_id = ? AND"
		       " device_owner = 'network:dhcp' ORDER BY created_at",
		       DBP(network_id));
	if (res == NULL)
		goto out;
	if (db_res_rows(res) > 0) {
		if (json_array_size(want) == 0)
			rc = net_port_delete(db, db_res_str(res, 0, 0), err);
		else
			rc = dhcp_port_fix(rq, db, network_id, db_res_str(res, 0, 0),
					   db_res_str(res, 0, 1), want, err);
		goto out;
	}
	if (json_array_size(want) == 0) {
		rc = 0;
		goto out;
	}
	if ((net = net_get(rq, db, &net_network_rdef, network_id, err)) == NULL)
		goto out;
	item = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[]}", "network_id", network_id, "device_owner",
			 "network:dhcp", "device_id", dhcp_device_id(rq, network_id), "project_id",
			 jsonx_str(net, "project_id"), "name", "", "fixed_ips");
	json_decref(net);
	json_array_foreach(want, i, s)
		json_array_append_new(json_object_get(item, "fixed_ips"),
				      json_pack("{s:O}", "subnet_id", s));
	port = net_port_create(rq, db, item, err);
	json_decref(item);
	if (port != NULL) {
		json_decref(port);
		rc = 0;
	}
out:
	db_res_free(res);
	json_decref(want);
	return rc;
}

/* ---- create ---- */

/* A new SLAAC or DHCPv6-stateless subnet gives each port of the network but routers'
 * legs its EUI-64 address, as Neutron. */
static int add_auto_addresses(struct db *db, const json_t *subnet, struct err *err)
{
	struct net_cidr c;
	struct db_res *res;

	if (!net_subnet_autoaddr(jsonx_str(subnet, "ipv6_ra_mode"),
				 jsonx_str(subnet, "ipv6_address_mode")) ||
	    net_cidr_parse(jsonx_str(subnet, "cidr"), &c) < 0)
		return 0;
	res = db_query(db, err,
		       "SELECT id, mac_address FROM net_port WHERE network_id = ? AND device_owner"
		       " NOT IN ('network:router_interface', 'network:router_interface_distributed',"
		       " 'network:ha_router_replicated_interface', 'network:router_centralized_snat')",
		       DBP(jsonx_str(subnet, "network_id")));
	if (res == NULL)
		return -1;
	for (int i = 0; i < db_res_rows(res); i++) {
		struct net_addr a;
		char text[NET_ADDR_STRLEN];
		if (net_addr_eui64(&c, db_res_str(res, i, 1), &a) < 0)
			continue;
		net_addr_format(&a, text);
		if (db_exec(db, err,
			    "INSERT INTO net_ip (subnet_id, ip_address, port_id, network_id)"
			    " VALUES (?, ?, ?, ?)",
			    DBP(jsonx_str(subnet, "id"), text, db_res_str(res, i, 0),
				jsonx_str(subnet, "network_id"))) < 0) {
			db_res_free(res);
			return -1;
		}
	}
	db_res_free(res);
	return 0;
}

/* The network a subnet is made on, if the caller owns it (or is the admin): 404 when it
 * cannot see it, 403 when it sees but does not own it (Neutron's admin_or_network_owner). */
static json_t *owned_network(struct req *rq, struct db *db, const char *id, struct err *err)
{
	json_t *net = net_find(rq, db, &net_network_rdef, id, err);

	if (net == NULL || net_is_admin(rq) ||
	    net_caller_owns(rq, jsonx_str(net, "project_id")))
		return net;
	json_decref(net);
	err_set(err, ERR_FORBIDDEN, "(rule:create_subnet) is disallowed by policy");
	return NULL;
}

static json_t *create_one(struct req *rq, struct db *db, json_t *item, struct err *err)
{
	const char *network_id = jsonx_str(item, "network_id");
	json_t *net, *subnet;
	char id[37];

	if (network_id == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Failed to parse request. Required attribute 'network_id' not "
			       "specified"),
		       NULL;
	if ((net = owned_network(rq, db, network_id, err)) == NULL)
		return NULL;
	json_decref(net);
	if (net_quota_check(db, jsonx_str(item, "project_id"), "subnet", 1, err) < 0 ||
	    net_subnet_check_new(rq, db, item, err) < 0)
		return NULL;
	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	if (net_insert(db, &net_subnet_rdef, item, err) < 0 ||
	    (subnet = net_get(rq, db, &net_subnet_rdef, id, err)) == NULL)
		return NULL;
	if (add_auto_addresses(db, subnet, err) < 0 ||
	    net_dhcp_port_sync(rq, db, network_id, err) < 0) {
		json_decref(subnet);
		return NULL;
	}
	return subnet;
}

static int subnets_create(struct req *rq, struct err *err)
{
	return net_create(rq, &net_subnet_rdef, create_extra, create_one, err);
}

/* ---- update, delete ---- */

static int subnet_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *item, *old = NULL, *s = NULL;

	if (db == NULL || (item = net_body(rq, &net_subnet_rdef, false, NULL, err)) == NULL ||
	    db_begin(db, err) < 0)
		return -1;
	if ((old = net_find_owned(rq, db, &net_subnet_rdef, id, "update", err)) == NULL ||
	    net_subnet_check_update(old, item, err) < 0 ||
	    net_update(db, &net_subnet_rdef, id, item, err) < 0)
		goto fail;
	if (json_object_get(item, "enable_dhcp") != NULL &&
	    net_dhcp_port_sync(rq, db, jsonx_str(old, "network_id"), err) < 0)
		goto fail;
	if ((s = net_get(rq, db, &net_subnet_rdef, id, err)) == NULL || db_commit(db, err) < 0)
		goto fail;
	json_decref(old);
	net_reply_one(rq, &net_subnet_rdef, 200, s);
	net_changed();
	return 0;
fail:
	json_decref(old);
	json_decref(s);
	db_rollback(db);
	return -1;
}

/* 409 when ports other than the network's own hold addresses of the subnet (on an
 * auto-address subnet only routers' legs count: other ports lose their address). */
static int check_unused(struct db *db, const json_t *s, struct err *err)
{
	bool autoaddr = net_subnet_autoaddr(jsonx_str(s, "ipv6_ra_mode"),
					    jsonx_str(s, "ipv6_address_mode"));
	struct db_res *res = db_query(
		db, err,
		autoaddr ? "SELECT COUNT(*) FROM net_ip i JOIN net_port p ON p.id = i.port_id"
			   " WHERE i.subnet_id = ? AND p.device_owner LIKE 'network:router%'"
			 : "SELECT COUNT(*) FROM net_ip i JOIN net_port p ON p.id = i.port_id"
			   " WHERE i.subnet_id = ? AND p.device_owner <> 'network:dhcp'",
		DBP(jsonx_str(s, "id")));
	long long n;

	if (res == NULL)
		return -1;
	n = db_res_int(res, 0, 0);
	db_res_free(res);
	if (n > 0)
		return err_set(err, ERR_CONFLICT,
			       "Unable to complete operation on subnet %s: One or more ports have "
			       "an IP allocation from this subnet.",
			       jsonx_str(s, "id"));
	return 0;
}

static int subnet_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *s = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((s = net_find_owned(rq, db, &net_subnet_rdef, id, "delete", err)) == NULL || check_unused(db, s, err) < 0 ||
	    net_router_check_subnet_unused(db, id, err) < 0)
		goto fail;
	/* the ports that lose an address change */
	if (db_exec(db, err,
		    "UPDATE net_port SET revision_number = revision_number + 1 WHERE id IN"
		    " (SELECT port_id FROM net_ip WHERE subnet_id = ?)",
		    DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_ip WHERE subnet_id = ?", DBP(id)) < 0 ||
	    net_delete_row(db, &net_subnet_rdef, id, err) < 0 ||
	    net_dhcp_port_sync(rq, db, jsonx_str(s, "network_id"), err) < 0 ||
	    db_commit(db, err) < 0)
		goto fail;
	json_decref(s);
	reply_empty(rq, 204);
	net_changed();
	return 0;
fail:
	json_decref(s);
	db_rollback(db);
	return -1;
}

static int subnets_list(struct req *rq, struct err *err)
{
	return net_list(rq, &net_subnet_rdef, err);
}

static int subnet_show(struct req *rq, struct err *err)
{
	return net_show(rq, &net_subnet_rdef, err);
}

const struct route net_subnet_routes[] = {
	{ HTTP_GET, "/v2.0/subnets", subnets_list, "network:get_subnet" },
	{ HTTP_POST, "/v2.0/subnets", subnets_create, "network:create_subnet" },
	{ HTTP_GET, "/v2.0/subnets/{id}", subnet_show, "network:get_subnet" },
	{ HTTP_PUT, "/v2.0/subnets/{id}", subnet_update, "network:update_subnet" },
	{ HTTP_DELETE, "/v2.0/subnets/{id}", subnet_delete, "network:delete_subnet" },
	{ 0 },
};
