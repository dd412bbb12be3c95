/* Router interfaces: PUT /v2.0/routers/{id}/add_router_interface and
 * .../remove_router_interface. An interface is a port of the router's project whose
 * device_id is the router, listed as its leg in net_router_port: made here with the subnet's gateway IP (by subnet), or a free
 * port of the caller taken over (by port). Removal deletes the port (or, for a port with
 * several subnets removed by subnet, only that address), unless floating IPs or extra
 * routes still go through the subnet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "network/ipam_addr.h"
#include "network/net_int.h"
#include "network/router_int.h"


static bool cidrs_overlap(const char *x, const char *y)
{
	struct net_cidr a, b;

	return net_cidr_parse(x, &a) == 0 && net_cidr_parse(y, &b) == 0 &&
	       net_cidr_overlap(&a, &b);
}



/* 400 when one of the new subnets is already on the router or overlaps one of its
 * interface subnets (Neutron's _check_for_dup_router_subnets). 'subnets' rows are
 * (subnet_id, cidr) at columns 'id_col' and 'cidr_col'. */
static int check_dup_subnets(struct db *db, const char *router_id, struct db_res *subnets,
			     int id_col, int cidr_col, struct err *err)
{
	struct db_res *legs = net_router_legs(db, router_id, NULL, err);
	int rc = 0;

	if (legs == NULL)
		return -1;
	for (int n = 0; n < db_res_rows(subnets) && rc == 0; n++) {
		const char *sid = db_res_str(subnets, n, id_col);
		const char *cidr = db_res_str(subnets, n, cidr_col);
		for (int l = 0; l < db_res_rows(legs) && rc == 0; l++) {
			if (str_eq(db_res_str(legs, l, 3), sid))
				rc = err_set(err, ERR_BAD_REQUEST,
					     "Bad router request: Router already has a port on "
					     "subnet %s.",
					     sid);
			else if (str_eq(db_res_str(legs, l, 1), NET_OWNER_IF) &&
				 cidrs_overlap(cidr, db_res_str(legs, l, 5)))
				rc = err_set(err, ERR_BAD_REQUEST,
					     "Bad router request: Cidr %s of subnet %s overlaps "
					     "with cidr %s of subnet %s.",
					     cidr, sid, db_res_str(legs, l, 5),
					     db_res_str(legs, l, 3));
		}
	}
	db_res_free(legs);
	return rc;
}

/* {"subnet_id"?, "port_id"?} of an interface body, both strings when given. */
static int interface_body(struct req *rq, const char **subnet_id, const char **port_id,
			  bool removal, struct err *err)
{
	json_t *body = req_json(rq, err), *s, *p;

	if (body == NULL)
		return -1;
	s = json_object_get(body, "subnet_id");
	p = json_object_get(body, "port_id");
	if (s == NULL && p == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad router request: Either subnet_id or port_id must be "
			       "specified.");
	if ((s != NULL && !json_is_string(s)) || (p != NULL && !json_is_string(p)))
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad router request: '%s' is not a valid UUID.",
			       s != NULL && !json_is_string(s) ? "subnet_id" : "port_id");
	if (!removal && s != NULL && p != NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Bad router request: Cannot specify both subnet-id and port-id.");
	*subnet_id = s != NULL ? json_string_value(s) : NULL;
	*port_id = p != NULL ? json_string_value(p) : NULL;
	return 0;
}

/* Neutron's answer to an interface change. 'subnets' is a JSON array of ids (stolen);
 * subnet_id is its first, null for a port without addresses. */
static void interface_reply(struct req *rq, const char *router_id, const char *port_id,
			    const char *project, const char *network_id, json_t *subnets)
{
	json_t *first = json_array_get(subnets, 0);

	reply_json(rq, 200,
		   json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", router_id, "tenant_id",
			     project, "project_id", project, "port_id", port_id, "network_id",
			     network_id, "subnet_id", first ? json_incref(first) : json_null(),
			     "subnet_ids", subnets));
}

/* Attaches subnet 'sid': a new port holding the subnet's gateway IP. Sets 'port_out'
 * to the port's body (caller owns). */
static int attach_subnet(struct req *rq, struct db *db, const struct router_row *r,
			 const char *sid, json_t **port_out, struct err *err)
{
	json_t *subnet = net_find(rq, db, &net_subnet_rdef, sid, err), *fixed;
	struct db_res *one = NULL;
	const char *gw;
	int rc = -1;

	if (subnet == NULL)
		return -1;
	gw = jsonx_str(subnet, "gateway_ip");
	if (gw == NULL) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad router request: Subnet for router interface must have a gateway "
			"IP.");
		goto out;
	}
	if (!net_is_admin(rq) &&
	    !net_caller_owns(rq, jsonx_str(subnet, "project_id"))) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad router request: Cannot add interface to router because subnet %s "
			"is not owned by project making the request.",
			sid);
		goto out;
	}
	one = db_query(db, err, "SELECT id, cidr FROM net_subnet WHERE id = ?", DBP(sid));
	if (one == NULL || check_dup_subnets(db, r->id, one, 0, 1, err) < 0)
		goto out;
	fixed = json_pack("[{s:s,s:s}]", "subnet_id", sid, "ip_address", gw);
	*port_out = net_router_leg_create(rq, db, r->id, r->project_id,
					  jsonx_str(subnet, "network_id"), NET_OWNER_IF, fixed, err);
	json_decref(fixed);
	rc = *port_out != NULL ? 0 : -1;
out:
	db_res_free(one);
	json_decref(subnet);
	return rc;
}

/* Attaches port 'pid' of the caller: free (no device), with addresses, at most one IPv4
 * subnet, none already on the router. Sets 'port_out' (caller owns). */
static int attach_port(struct req *rq, struct db *db, const struct router_row *r,
		       const char *pid, json_t **port_out, struct err *err)
{
	json_t *port = net_find(rq, db, &net_port_rdef, pid, err), *vals = NULL;
	struct db_res *addrs = NULL;
	int v4 = 0, rc = -1;

	if (port == NULL)
		return -1;
	if (jsonx_str(port, "device_id") != NULL && *jsonx_str(port, "device_id")) {
		err_set(err, ERR_CONFLICT,
			"Unable to complete operation on port %s for network %s. Port already "
			"has an attached device %s.",
			pid, jsonx_str(port, "network_id"), jsonx_str(port, "device_id"));
		goto out;
	}
	if ((addrs = net_router_port_addrs(db, pid, err)) == NULL)
		goto out;
	if (db_res_rows(addrs) == 0) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad router request: Router port must have at least one fixed IP.");
		goto out;
	}
	if (check_dup_subnets(db, r->id, addrs, 0, 2, err) < 0)
		goto out;
	for (int i = 0; i < db_res_rows(addrs); i++)
		v4 += db_res_int(addrs, i, 3) == 4;
	if (v4 > 1) {
		err_set(err, ERR_BAD_REQUEST,
			"Bad router request: Cannot have multiple IPv4 subnets on router port.");
		goto out;
	}
	vals = json_pack("{s:s,s:s}", "device_id", r->id, "device_owner", NET_OWNER_IF);
	if (net_update(db, &net_port_rdef, pid, vals, err) < 0 ||
	    net_router_port_add(db, r->id, pid, NET_OWNER_IF, err) < 0)
		goto out;
	*port_out = json_incref(port);
	rc = 0;
out:
	json_decref(vals);
	db_res_free(addrs);
	json_decref(port);
	return rc;
}

int net_router_add_interface(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id"), *sid, *pid;
	struct router_row r;
	struct db_res *addrs = NULL;
	json_t *port = NULL, *subnets = json_array();

	if (db == NULL || interface_body(rq, &sid, &pid, false, err) < 0 ||
	    db_begin(db, err) < 0)
		goto fail;
	if (net_router_find_owned(rq, db, id, "add_router_interface", &r, err) < 0 ||
	    (pid != NULL ? attach_port(rq, db, &r, pid, &port, err)
			 : attach_subnet(rq, db, &r, sid, &port, err)) < 0 ||
	    (addrs = net_router_port_addrs(db, jsonx_str(port, "id"), err)) == NULL ||
	    net_update(db, &net_router_rdef, id, NULL, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	for (int i = 0; i < db_res_rows(addrs); i++)
		json_array_append_new(subnets, json_string(db_res_str(addrs, i, 0)));
	interface_reply(rq, id, jsonx_str(port, "id"), jsonx_str(port, "project_id"),
			jsonx_str(port, "network_id"), subnets);
	db_res_free(addrs);
	json_decref(port);
	net_changed();
	return 0;
fail:
	db_res_free(addrs);
	json_decref(port);
	json_decref(subnets);
	if (db != NULL)
		db_rollback(db);
	return -1;
}

/* 409 when floating IPs or extra routes of the router go through subnet 'cidr'. */
static int check_interface_unused(struct db *db, const struct router_row *r,
				  const char *subnet_id, const char *cidr, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT fixed_ip_address FROM net_floatingip"
				      " WHERE router_id = ? AND fixed_ip_address IS NOT NULL",
				      DBP(r->id));
	json_t *routes, *rt;
	size_t i;
	int rc = 0;

	if (res == NULL)
		return -1;
	for (int n = 0; n < db_res_rows(res) && rc == 0; n++)
		if (net_router_cidr_has(cidr, db_res_str(res, n, 0)))
			rc = err_set(err, ERR_CONFLICT,
				     "Router interface for subnet %s on router %s cannot be "
				     "deleted, as it is required by one or more floating IPs.",
				     subnet_id, r->id);
	db_res_free(res);
	if (rc < 0)
		return -1;
	routes = json_loads(r->routes ? r->routes : "[]", 0, NULL);
	json_array_foreach(routes, i, rt)
		if (rc == 0 && net_router_cidr_has(cidr, jsonx_str(rt, "nexthop")))
			rc = err_set(err, ERR_CONFLICT,
				     "Router interface for subnet %s on router %s cannot be "
				     "deleted, as it is required by one or more routes.",
				     subnet_id, r->id);
	json_decref(routes);
	return rc;
}

/* The interface port of the router holding an address on 'subnet_id' (or being
 * 'port_id'), its subnets checked unused and detached: the port goes, or only the
 * address when the port has others. Sets the reply's values. */
static int detach(struct req *rq, struct db *db, const struct router_row *r,
		  const char *subnet_id, const char *port_id, const char **pid_out,
		  const char **net_out, const char **proj_out, json_t *subnets, struct err *err)
{
	struct db_res *legs = net_router_legs(db, r->id, NET_OWNER_IF, err), *addrs = NULL;
	const char *pid = NULL;
	bool only_address = false;
	int rc = -1, n = 0;

	if (legs == NULL)
		return -1;
	for (int l = 0; l < db_res_rows(legs) && pid == NULL; l++)
		if (port_id != NULL ? str_eq(db_res_str(legs, l, 0), port_id)
				    : str_eq(db_res_str(legs, l, 3), subnet_id)) {
			pid = req_strdup(rq, db_res_str(legs, l, 0));
			*net_out = req_strdup(rq, db_res_str(legs, l, 2));
			*proj_out = req_strdup(rq, db_res_str(legs, l, 7));
		}
	if (pid == NULL && port_id != NULL) {
		/* an interface without addresses still counts */
		db_res_free(legs);
		legs = db_query(db, err,
				"SELECT p.network_id, p.project_id FROM net_router_port rp"
				" JOIN net_port p ON p.id = rp.port_id WHERE rp.port_id = ?"
				" AND rp.router_id = ? AND rp.port_type = '" NET_OWNER_IF "'",
				DBP(port_id, r->id));
		if (legs == NULL)
			return -1;
		if (db_res_rows(legs) > 0) {
			pid = port_id;
			*net_out = req_strdup(rq, db_res_str(legs, 0, 0));
			*proj_out = req_strdup(rq, db_res_str(legs, 0, 1));
		}
	}
	if (pid == NULL) {
		if (port_id != NULL)
			err_set(err, ERR_NOT_FOUND,
				"Router %s does not have an interface with id %s", r->id,
				port_id);
		else
			err_set(err, ERR_NOT_FOUND, "Router %s has no interface on subnet %s",
				r->id, subnet_id);
		goto out;
	}
	if ((addrs = net_router_port_addrs(db, pid, err)) == NULL)
		goto out;
	for (int a = 0; a < db_res_rows(addrs); a++) {
		const char *sid = db_res_str(addrs, a, 0);
		if (subnet_id != NULL && !str_eq(sid, subnet_id))
			continue;
		n++;
		if (check_interface_unused(db, r, sid, db_res_str(addrs, a, 2), err) < 0)
			goto out;
		json_array_append_new(subnets, json_string(sid));
	}
	if (subnet_id != NULL && n == 0) {
		err_set(err, ERR_BAD_REQUEST,
			"Subnet on port %s does not match the requested subnet %s.", pid,
			subnet_id);
		goto out;
	}
	only_address = port_id == NULL && db_res_rows(addrs) > 1;
	if (only_address ? db_exec(db, err,
				   "DELETE FROM net_ip WHERE port_id = ? AND subnet_id = ?",
				   DBP(pid, subnet_id)) < 0
			 : net_port_delete(db, pid, err) < 0)
		goto out;
	*pid_out = pid;
	rc = 0;
out:
	db_res_free(addrs);
	db_res_free(legs);
	return rc;
}

int net_router_remove_interface(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id"), *sid, *pid, *port = NULL, *net = NULL,
		   *proj = NULL;
	struct router_row r;
	json_t *subnets = json_array();

	if (db == NULL || interface_body(rq, &sid, &pid, true, err) < 0 ||
	    db_begin(db, err) < 0)
		goto fail;
	if (net_router_find_owned(rq, db, id, "remove_router_interface", &r, err) < 0)
		goto fail;
	if (pid == NULL) {
		json_t *subnet = net_get(rq, db, &net_subnet_rdef, sid, err);
		if (subnet == NULL)
			goto fail;
		json_decref(subnet);
	}
	if (detach(rq, db, &r, sid, pid, &port, &net, &proj, subnets, err) < 0 ||
	    net_update(db, &net_router_rdef, id, NULL, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	interface_reply(rq, id, port, proj, net, subnets);
	net_changed();
	return 0;
fail:
	json_decref(subnets);
	if (db != NULL)
		db_rollback(db);
	return -1;
}

int net_router_check_subnet_unused(struct db *db, const char *subnet_id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT COUNT(*) FROM net_ip i"
				      " JOIN net_port p ON p.id = i.port_id"
				      " WHERE i.subnet_id = ? AND p.device_owner IN ('" NET_OWNER_IF
				      "', '" NET_OWNER_GW "')",
				      DBP(subnet_id));
	long long n;

	if (res == NULL)
		return -1;
	n = db_res_int(res, 0, 0);
	db_res_free(res);
	if (n > 0)
		return err_set(err, ERR_CONFLICT,
			       "Unable to complete operation on subnet %s: One or more ports "
			       "have an IP allocation from this subnet.",
			       subnet_id);
	return 0;
}

