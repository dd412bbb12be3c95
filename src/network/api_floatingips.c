/* Floating IPs: /v2.0/floatingips (with fip-port-details).
 *
 * A floating IP is an IPv4 address of an external network held by a port of its own
 * (device_owner network:floatingip, device_id the floating IP, no project: no tenant
 * lists it, as Neutron), mapped 1:1 to a fixed IPv4 address of a port behind a router
 * that has its gateway on that external network and an interface on the fixed address's
 * subnet. The row records the association (port_id, fixed_ip_address, router_id); the
 * sync worker turns status ACTIVE once the data plane carries it. */
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
#include "network/net_int.h"

static const struct net_attr fip_attrs[] = {
	{ "floating_ip_address", NULL, NA_STR,
	  NAF_FILTER | NAF_SORT | NAF_POST | NAF_ADMIN, 0 },
	{ "floating_network_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST, 0 },
	{ "port_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ "fixed_ip_address", NULL, NA_STR,
	  NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ "router_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_NULL, 0 },
	{ "status", NULL, NA_STR, NAF_FILTER | NAF_SORT, 0 },
	{ "description", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0 },
	/* internal: the port holding the address */
	{ "floating_port_id", NULL, NA_STR, 0, 0 },
	{ 0 },
};

/* port_details of associated floating IPs (a query per 30 of a page), no
 * floating_port_id. */
static int decorate(struct req *rq, struct db *db, json_t *items, struct err *err)
{
	size_t i, n = json_array_size(items);
	json_t *o;

	(void)rq;
	json_array_foreach(items, i, o) {
		json_object_del(o, "floating_port_id");
		json_object_set_new(o, "port_details", json_null());
	}
	for (size_t from = 0; from < n; from += 30) {
		size_t chunk = n - from < 30 ? n - from : 30;
		struct sqlb sb;
		struct db_res *res;
		int nports = 0;

		sqlb_init(&sb, "SELECT id, name, network_id, mac_address, admin_state_up, status,"
			       " device_id, device_owner FROM net_port WHERE id IN (");
		for (size_t j = from; j < from + chunk; j++) {
			const char *port = jsonx_str(json_array_get(items, j), "port_id");
			if (port != NULL)
				sqlb_add(&sb, nports++ ? ", ?" : "?", port);
		}
		sqlb_text(&sb, ")");
		res = nports > 0 ? db_query(db, err, sb.sql, sb.params, sb.n) : NULL;
		sqlb_free(&sb);
		if (nports > 0 && res == NULL)
			return -1;
		for (int r = 0; res != NULL && r < db_res_rows(res); r++)
			for (size_t j = from; j < from + chunk; j++) {
				o = json_array_get(items, j);
				if (!str_eq(jsonx_str(o, "port_id"), db_res_str(res, r, 0)))
					continue;
				json_object_set_new(
					o, "port_details",
					json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "name",
						  db_res_str(res, r, 1), "network_id",
						  db_res_str(res, r, 2), "mac_address",
						  db_res_str(res, r, 3), "admin_state_up",
						  db_res_bool(res, r, 4), "status",
						  db_res_str(res, r, 5), "device_id",
						  db_res_str(res, r, 6), "device_owner",
						  db_res_str(res, r, 7)));
			}
		db_res_free(res);
	}
	return 0;
}

const struct net_rdef net_fip_rdef = {
	.name = "floatingip",
	.plural = "floatingips",
	.title = "Floating IP",
	.table = "net_floatingip",
	.attrs = fip_attrs,
	.decorate = decorate,
};

static bool is_v4(const char *ip)
{
	return ip != NULL && strchr(ip, ':') == NULL;
}

/* The association a floating IP of 'project' on 'ext_net' takes with port 'port_id'
 * (fixed address 'want', or the port's only IPv4 one when NULL): sets "port_id",
 * "fixed_ip_address" and "router_id" in 'vals'. 'fip_id' (NULL on create) is not counted
 * as a previous holder of the fixed address. Neutron's checks and words. */
static int associate(struct req *rq, struct db *db, const char *fip_id, const char *project,
		     const char *ext_net, const char *port_id, const char *want, json_t *vals,
		     struct err *err)
{
	struct db_res *port = NULL, *addrs = NULL, *routers = NULL, *dup = NULL;
	const char *fixed = NULL, *subnet = NULL, *gw = NULL, *router = NULL;
	int v4 = 0, rc = -1;

	port = db_query(db, err,
			"SELECT project_id, network_id, device_owner FROM net_port WHERE id = ?",
			DBP(port_id));
	if (port == NULL)
		goto out;
	if (db_res_rows(port) == 0 ||
	    (!net_is_admin(rq) && !net_caller_owns(rq, db_res_str(port, 0, 0)))) {
		err_set(err, ERR_NOT_FOUND, "Port %s could not be found.", port_id);
		goto out;
	}
	if (!str_eq(db_res_str(port, 0, 0), project) && !net_is_admin(rq)) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad floatingip request: Cannot process floating IP association with "
			"Port %s, since that port is owned by a different tenant.",
			port_id);
		goto out;
	}
	if (strncmp(db_res_str(port, 0, 2), "network:", 8) == 0) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad floatingip request: Port %s is unable to be assigned a floating IP.",
			port_id);
		goto out;
	}
	if (want != NULL && !is_v4(want)) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad floatingip request: Cannot process floating IP association with %s, "
			"since that is not an IPv4 address.",
			want);
		goto out;
	}
	addrs = db_query(db, err,
			 "SELECT i.ip_address, i.subnet_id, s.gateway_ip FROM net_ip i"
			 " JOIN net_subnet s ON s.id = i.subnet_id WHERE i.port_id = ?"
			 " ORDER BY i.ip_address",
			 DBP(port_id));
	if (addrs == NULL)
		goto out;
	for (int i = 0; i < db_res_rows(addrs); i++) {
		const char *ip = db_res_str(addrs, i, 0);
		if (!is_v4(ip) || (want != NULL && !str_eq(ip, want)))
			continue;
		v4++;
		fixed = ip;
		subnet = db_res_str(addrs, i, 1);
		gw = db_res_str(addrs, i, 2);
	}
	if (want != NULL && fixed == NULL) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad floatingip request: Port %s does not have fixed ip %s.", port_id,
			want);
		goto out;
	}
	if (v4 == 0 || v4 > 1) {
		err_set(err, ERR_BAD_REQUEST,
			v4 == 0 ? "Bad floatingip request: Cannot add floating IP to port %s that "
				  "has no fixed IPv4 addresses."
				: "Bad floatingip request: Port %s has multiple fixed IPv4 "
				  "addresses.  Must provide a specific IPv4 address when assigning "
				  "a floating IP.",
			port_id);
		goto out;
	}
	/* routers with an interface on the subnet and their gateway on the external
	 * network; the one whose interface is the subnet's gateway first */
	routers = db_query(db, err,
			   "SELECT rp.router_id, i.ip_address FROM net_router_port rp"
			   " JOIN net_port p ON p.id = rp.port_id"
			   " JOIN net_ip i ON i.port_id = p.id"
			   " JOIN net_router r ON r.id = rp.router_id"
			   " WHERE rp.port_type = 'network:router_interface' AND i.subnet_id = ?"
			   " AND p.network_id = ? AND r.gw_network_id = ?"
			   " ORDER BY r.created_at, r.id",
			   DBP(subnet, db_res_str(port, 0, 1), ext_net));
	if (routers == NULL)
		goto out;
	if (db_res_rows(routers) > 0)
		router = db_res_str(routers, 0, 0);
	for (int i = db_res_rows(routers) - 1; i >= 0; i--)
		if (str_eq(db_res_str(routers, i, 1), gw))
			router = db_res_str(routers, i, 0);
	if (router == NULL) {
		err_set(err, ERR_NOT_FOUND,
			"External network %s is not reachable from subnet %s.  Therefore, cannot "
			"associate Port %s with a Floating IP.",
			ext_net, subnet, port_id);
		goto out;
	}
	dup = db_query(db, err,
		       "SELECT id, floating_ip_address FROM net_floatingip WHERE port_id = ?"
		       " AND fixed_ip_address = ? AND floating_network_id = ? AND id <> ?",
		       DBP(port_id, fixed, ext_net, fip_id != NULL ? fip_id : ""));
	if (dup == NULL)
		goto out;
	if (db_res_rows(dup) > 0) {
		err_set(err, ERR_CONFLICT,
			"Cannot associate floating IP %s (%s) with port %s using fixed IP %s, as "
			"that fixed IP already has a floating IP on external network %s.",
			db_res_str(dup, 0, 1), db_res_str(dup, 0, 0), port_id, fixed, ext_net);
		goto out;
	}
	json_object_set_new(vals, "port_id", json_string(port_id));
	json_object_set_new(vals, "fixed_ip_address", json_string(fixed));
	json_object_set_new(vals, "router_id", json_string(router));
	rc = 0;
out:
	db_res_free(dup);
	db_res_free(routers);
	db_res_free(addrs);
	db_res_free(port);
	return rc;
}

static void disassociate(json_t *vals)
{
	json_object_set_new(vals, "port_id", json_null());
	json_object_set_new(vals, "fixed_ip_address", json_null());
	json_object_set_new(vals, "router_id", json_null());
	json_object_set_new(vals, "status", json_string("DOWN"));
}

/* A unique-key conflict of a write that set an association (a concurrent request took
 * the fixed address first) in Neutron's words; other errors pass. */
static int assoc_conflict(const json_t *fip, const char *id, struct err *err)
{
	if (err->kind != ERR_CONFLICT || jsonx_str(fip, "port_id") == NULL)
		return -1;
	err_clear(err);
	return err_set(err, ERR_CONFLICT,
		       "Cannot associate floating IP %s (%s) with port %s using fixed IP %s, as "
		       "that fixed IP already has a floating IP on external network %s.",
		       jsonx_str(fip, "floating_ip_address"), id, jsonx_str(fip, "port_id"),
		       jsonx_str(fip, "fixed_ip_address"), jsonx_str(fip, "floating_network_id"));
}

/* The floating IP's own port on 'net_id' with the address asked for (or any IPv4 one):
 * sets "floating_port_id" and "floating_ip_address" in 'item'. */
static int hold_address(struct req *rq, struct db *db, const char *fip_id, const char *net_id,
			json_t *item, struct err *err)
{
	json_t *want = json_object(), *port_item, *port;
	struct db_res *res = NULL;
	const char *addr = NULL;
	int rc = -1;

	if (jsonx_str(item, "subnet_id") != NULL)
		json_object_set_new(want, "subnet_id", json_string(jsonx_str(item, "subnet_id")));
	if (jsonx_str(item, "floating_ip_address") != NULL)
		json_object_set_new(want, "ip_address",
				    json_string(jsonx_str(item, "floating_ip_address")));
	port_item = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "network_id", net_id, "project_id",
			      "", "device_id", fip_id, "device_owner", "network:floatingip",
			      "admin_state_up", 1, "name", "");
	if (json_object_size(want) > 0)
		json_object_set_new(port_item, "fixed_ips", json_pack("[O]", want));
	port = net_port_create(rq, db, port_item, err);
	json_decref(port_item);
	if (port == NULL) {
		if (err->kind == ERR_CONFLICT && strstr(err->msg, "No more IP") != NULL) {
			err_clear(err);
			err_set(err, ERR_BAD_REQUEST,
				"Unable to find any IP address on external network %s.", net_id);
		}
		goto out;
	}
	res = db_query(db, err, "SELECT ip_address FROM net_ip WHERE port_id = ?"
				" ORDER BY ip_address",
		       DBP(jsonx_str(port, "id")));
	if (res == NULL)
		goto out;
	for (int i = 0; i < db_res_rows(res) && addr == NULL; i++)
		if (is_v4(db_res_str(res, i, 0)))
			addr = db_res_str(res, i, 0);
	if (addr == NULL) {
		err_set(err, ERR_BAD_REQUEST,
			"Unable to find any IP address on external network %s.", net_id);
		goto out;
	}
	json_object_set_new(item, "floating_port_id", json_string(jsonx_str(port, "id")));
	json_object_set_new(item, "floating_ip_address", json_string(addr));
	rc = 0;
out:
	db_res_free(res);
	json_decref(port);
	json_decref(want);
	return rc;
}

/* 400 unless 'net_id' is an external network with an IPv4 subnet. */
static int check_external(struct req *rq, struct db *db, const char *net_id, struct err *err)
{
	json_t *net = net_get(rq, db, &net_network_rdef, net_id, err);
	struct db_res *res;
	bool external = net != NULL && json_is_true(json_object_get(net, "router:external"));
	long long v4;

	json_decref(net);
	if (!external) {
		err_clear(err);
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad floatingip request: Network %s is not a valid external "
			       "network.",
			       net_id);
	}
	res = db_query(db, err,
		       "SELECT COUNT(*) FROM net_subnet WHERE network_id = ? AND ip_version = 4",
		       DBP(net_id));
	if (res == NULL)
		return -1;
	v4 = db_res_int(res, 0, 0);
	db_res_free(res);
	if (v4 == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad floatingip request: Network %s does not contain any IPv4 "
			       "subnet.",
			       net_id);
	return 0;
}

/* An address IPAM chose was taken by a concurrent request between its read and the
 * insert (PostgreSQL fails the transaction on the unique key): another try reads again.
 * An address asked for fails the same way each time, a few tries later. */
static bool address_race(const struct err *err)
{
	return err->kind == ERR_CONFLICT && strstr(err->msg, "already allocated in subnet");
}

/* One try of a create, in its own transaction: the floating IP committed (caller owns)
 * or NULL, rolled back. 'given' is the checked body item (not changed). */
static json_t *create_once(struct req *rq, struct db *db, const json_t *given, struct err *err)
{
	json_t *item = json_deep_copy(given), *out = NULL;
	const char *net_id = jsonx_str(item, "floating_network_id");
	const char *port_id = jsonx_str(item, "port_id"), *project = jsonx_str(item, "project_id");
	char id[37];

	if (db_begin(db, err) < 0)
		goto out;
	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	json_object_set_new(item, "status", json_string("DOWN"));
	if (check_external(rq, db, net_id, err) < 0 ||
	    net_quota_check(db, project, "floatingip", 1, err) < 0 ||
	    hold_address(rq, db, id, net_id, item, err) < 0)
		goto fail;
	if (port_id != NULL) {
		if (associate(rq, db, NULL, project, net_id, port_id,
			      jsonx_str(item, "fixed_ip_address"), item, err) < 0)
			goto fail;
	} else {
		disassociate(item);
	}
	if (net_insert(db, &net_fip_rdef, item, err) < 0) {
		assoc_conflict(item, id, err);
		goto fail;
	}
	if ((out = net_get(rq, db, &net_fip_rdef, id, err)) == NULL || db_commit(db, err) < 0)
		goto fail;
	goto out;
fail:
	json_decref(out);
	out = NULL;
	db_rollback(db);
out:
	json_decref(item);
	return out;
}

static int fips_create(struct req *rq, struct err *err)
{
	static const char *const extra[] = { "subnet_id", NULL };
	struct db *db = db_get(err);
	json_t *item, *out = NULL;

	if (db == NULL || (item = net_body(rq, &net_fip_rdef, true, extra, err)) == NULL)
		return -1;
	if (jsonx_str(item, "floating_network_id") == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Failed to parse request. Required attribute 'floating_network_id' "
			       "not specified");
	if (json_object_get(item, "subnet_id") != NULL &&
	    !json_is_string(json_object_get(item, "subnet_id")))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for subnet_id. Reason: it is not a valid UUID.");
	if (jsonx_str(item, "fixed_ip_address") != NULL && jsonx_str(item, "port_id") == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad floatingip request: fixed_ip_address cannot be specified "
			       "without a port_id.");
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
	net_reply_one(rq, &net_fip_rdef, 201, out);
	net_changed();
	return 0;
}

/* The floating IP if the caller may change it (owner or admin; others never see it:
 * 404). Caller owns. */
static json_t *find_owned(struct req *rq, struct db *db, const char *id, struct err *err)
{
	return net_find(rq, db, &net_fip_rdef, id, err);
}

/* The port holding a floating IP's address (floating_port_id is not in the body). */
static const char *floating_port(struct req *rq, struct db *db, const char *id,
				 struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT floating_port_id FROM net_floatingip WHERE id = ?",
				      DBP(id));
	const char *port = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) > 0)
		port = req_strdup(rq, db_res_str(res, 0, 0));
	else
		err_set(err, ERR_NOT_FOUND, "Floating IP %s could not be found.", id);
	db_res_free(res);
	return port;
}

static int fip_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *item, *fip = NULL, *out = NULL, *port;
	const char *want;

	if (db == NULL || (item = net_body(rq, &net_fip_rdef, false, NULL, err)) == NULL)
		return -1;
	port = json_object_get(item, "port_id");
	want = jsonx_str(item, "fixed_ip_address");
	if (want != NULL && !json_is_string(port))
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad floatingip request: fixed_ip_address cannot be specified "
			       "without a port_id.");
	if (db_begin(db, err) < 0)
		return -1;
	if ((fip = find_owned(rq, db, id, err)) == NULL)
		goto fail;
	if (json_is_string(port)) {
		const char *cur = jsonx_str(fip, "port_id");
		/* the same port without an address keeps its address */
		if (want == NULL && str_eq(cur, json_string_value(port)))
			want = jsonx_str(fip, "fixed_ip_address");
		if (associate(rq, db, id, jsonx_str(fip, "project_id"),
			      jsonx_str(fip, "floating_network_id"), json_string_value(port),
			      want, item, err) < 0)
			goto fail;
		if (!str_eq(cur, json_string_value(port)))
			json_object_set_new(item, "status", json_string("DOWN"));
	} else if (port != NULL) {
		disassociate(item);
	}
	if (net_update(db, &net_fip_rdef, id, item, err) < 0) {
		json_object_update_missing(item, fip);
		assoc_conflict(item, id, err);
		goto fail;
	}
	if ((out = net_get(rq, db, &net_fip_rdef, id, err)) == NULL || db_commit(db, err) < 0)
		goto fail;
	json_decref(fip);
	net_reply_one(rq, &net_fip_rdef, 200, out);
	net_changed();
	return 0;
fail:
	json_decref(fip);
	json_decref(out);
	db_rollback(db);
	return -1;
}

static int fip_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id"), *port;
	json_t *fip;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((fip = find_owned(rq, db, id, err)) == NULL)
		goto fail;
	json_decref(fip);
	if ((port = floating_port(rq, db, id, err)) == NULL ||
	    net_port_delete(db, port, err) < 0 || net_delete_row(db, &net_fip_rdef, id, err) < 0 ||
	    db_commit(db, err) < 0)
		goto fail;
	reply_empty(rq, 204);
	net_changed();
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int net_fip_delete_unassociated(struct db *db, const char *network_id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id, floating_port_id FROM net_floatingip"
				      " WHERE floating_network_id = ? AND port_id IS NULL",
				      DBP(network_id));
	int rc = 0;

	if (res == NULL)
		return -1;
	for (int i = 0; i < db_res_rows(res) && rc == 0; i++)
		if (net_port_delete(db, db_res_str(res, i, 1), err) < 0 ||
		    net_delete_row(db, &net_fip_rdef, db_res_str(res, i, 0), err) < 0)
			rc = -1;
	db_res_free(res);
	return rc;
}

static int fips_list(struct req *rq, struct err *err)
{
	return net_list(rq, &net_fip_rdef, err);
}

static int fip_show(struct req *rq, struct err *err)
{
	return net_show(rq, &net_fip_rdef, err);
}

const struct route net_fip_routes[] = {
	{ HTTP_GET, "/v2.0/floatingips", fips_list, "network:get_floatingip" },
	{ HTTP_POST, "/v2.0/floatingips", fips_create, "network:create_floatingip" },
	{ HTTP_GET, "/v2.0/floatingips/{id}", fip_show, "network:get_floatingip" },
	{ HTTP_PUT, "/v2.0/floatingips/{id}", fip_update, "network:update_floatingip" },
	{ HTTP_DELETE, "/v2.0/floatingips/{id}", fip_delete, "network:delete_floatingip" },
	{ 0 },
};
