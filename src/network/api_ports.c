/* Ports: /v2.0/ports, with the port-security, allowed-address-pairs, binding,
 * extra_dhcp_opt, security-group and dns-integration attributes. A port plugs
 * into a network, takes its addresses from IPAM (net_ip rows), its MAC from
 * fa:16:3e plus three random bytes unless given, and its security groups from
 * the project's default group unless given. Its status stays DOWN until the
 * data plane says otherwise. */
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
#include "network/ports_attrs.h"

static const struct net_attr port_attrs[] = {
	{"name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0},
	{"description", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0},
	{"network_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST, 0},
	{"admin_state_up", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0},
	{"mac_address", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0},
	{"status", NULL, NA_STR, NAF_FILTER | NAF_SORT, 0},
	{"device_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0},
	{"device_owner", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0},
	{"port_security_enabled", NULL, NA_BOOL, NAF_FILTER | NAF_POST | NAF_PUT, 0},
	{"allowed_address_pairs", NULL, NA_JSON, NAF_POST | NAF_PUT, 0},
	{"extra_dhcp_opts", NULL, NA_JSON, NAF_POST | NAF_PUT, 0},
	{"binding:host_id", "binding_host_id", NA_STR, NAF_FILTER | NAF_POST | NAF_PUT | NAF_ADMIN,
	 0},
	{"binding:vnic_type", "binding_vnic_type", NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0},
	{"binding:profile", "binding_profile", NA_JSON, NAF_POST | NAF_PUT | NAF_ADMIN, 0},
	{"binding:vif_type", "binding_vif_type", NA_STR, NAF_FILTER, 0},
	{"dns_name", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0},
	{ 0 },
};

/* Keys of a port body the attribute table does not hold. */
static const char *const port_extra[] = {"fixed_ips", "security_groups", NULL};

/* The device owners of a router's legs: their ports are deleted through the
 * router. */
static const char *const l3_owners[] = {"network:router_interface",
					"network:router_gateway",
					"network:router_interface_distributed",
					"network:ha_router_replicated_interface",
					"network:floatingip",
					NULL};

/* security_groups of a page of ports from net_port_sg, in chunks of 30 ids. */
static int add_groups(struct db *db, json_t *items, struct err *err)
{
	size_t n = json_array_size(items);

	for (size_t from = 0; from < n; from += 30) {
		size_t chunk = n - from < 30 ? n - from : 30;
		struct sqlb sb;
		struct db_res *res;

		sqlb_init(&sb, "SELECT port_id, secgroup_id FROM net_port_sg WHERE port_id IN (");
		for (size_t i = 0; i < chunk; i++)
			sqlb_add(&sb, i ? ", ?" : "?",
				 jsonx_str(json_array_get(items, from + i), "id"));
		sqlb_text(&sb, ") ORDER BY secgroup_id");
		res = db_query(db, err, sb.sql, sb.params, sb.n);
		sqlb_free(&sb);
		if (res == NULL)
			return -1;
		for (int r = 0; r < db_res_rows(res); r++)
			for (size_t j = from; j < from + chunk; j++) {
				json_t *o = json_array_get(items, j);
				if (strcmp(jsonx_str(o, "id"), db_res_str(res, r, 0)) == 0)
					json_array_append_new(json_object_get(o, "security_groups"),
							      json_string(db_res_str(res, r, 1)));
			}
		db_res_free(res);
	}
	return 0;
}

/* dns_assignment as Neutron's dns-integration shows it: a name per fixed
 * address. */
static json_t *dns_assignment(const json_t *port)
{
	json_t *out = json_array(), *ip;
	const char *name = jsonx_str(port, "dns_name");
	size_t i;

	json_array_foreach(json_object_get(port, "fixed_ips"), i, ip) {
		const char *addr = jsonx_str(ip, "ip_address");
		char host[80];

		if (addr == NULL)
			continue;
		if (name != NULL && *name)
			snprintf(host, sizeof(host), "%s", name);
		else {
			snprintf(host, sizeof(host), "host-%s", addr);
			for (char *c = host; *c; c++)
				if (*c == '.' || *c == ':')
					*c = '-';
		}
		json_array_append_new(out,
				      json_pack("{s:s,s:s,s:s+}", "hostname", host, "ip_address",
						addr, "fqdn", host, ".openstacklocal."));
	}
	return out;
}

/* fixed_ips (IPAM), security_groups, binding:vif_details and dns_assignment;
 * without the binding attributes Neutron's policy shows only to the admin. */
static int decorate(struct req *rq, struct db *db, json_t *items, struct err *err)
{
	bool admin = net_is_admin(rq);
	json_t *o;
	size_t i;

	json_array_foreach(items, i, o) {
		json_object_set_new(o, "fixed_ips", json_array());
		json_object_set_new(o, "security_groups", json_array());
		json_object_set_new(o, "binding:vif_details", json_object());
	}
	if (net_ipam_decorate(db, items, err) < 0 || add_groups(db, items, err) < 0)
		return -1;
	json_array_foreach(items, i, o) {
		json_object_set_new(o, "dns_assignment", dns_assignment(o));
		if (!admin) {
			json_object_del(o, "binding:host_id");
			json_object_del(o, "binding:profile");
			json_object_del(o, "binding:vif_type");
			json_object_del(o, "binding:vif_details");
		}
	}
	return 0;
}

/* fixed_ips=ip_address=X, subnet_id=Y, ip_address_substr=Z (each value one more
 * condition on the same port) and security_groups=<id>. */
static int filter(struct req *rq, const char *key, const char *val, struct sqlb *sb,
		  struct err *err)
{
	const char *eq;

	if (strcmp(key, "security_groups") == 0) {
		sqlb_add(sb,
			 " AND EXISTS (SELECT 1 FROM net_port_sg g WHERE g.port_id = r.id"
			 " AND g.secgroup_id = ?)",
			 val);
		return 1;
	}
	if (strcmp(key, "fixed_ips") != 0)
		return 0;
	eq = strchr(val, '=');
	if (eq == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for fixed_ips. Reason: '%.64s' is not of the form "
			       "key=value.",
			       val);
	if (strncmp(val, "ip_address=", 11) == 0)
		sqlb_add(sb,
			 " AND EXISTS (SELECT 1 FROM net_ip i WHERE i.port_id = r.id"
			 " AND i.ip_address = ?)",
			 eq + 1);
	else if (strncmp(val, "subnet_id=", 10) == 0)
		sqlb_add(sb,
			 " AND EXISTS (SELECT 1 FROM net_ip i WHERE i.port_id = r.id"
			 " AND i.subnet_id = ?)",
			 eq + 1);
	else if (strncmp(val, "ip_address_substr=", 18) == 0) {
		/* LIKE with its wildcards escaped: the substring is literal */
		const char *sub = eq + 1;
		char *pat = req_alloc(rq, 2 * strlen(sub) + 3); /* each escaped, %...%, NUL */
		size_t k = 0;

		pat[k++] = '%';
		for (const char *c = sub; *c; c++) {
			if (*c == '%' || *c == '_' || *c == '!')
				pat[k++] = '!';
			pat[k++] = *c;
		}
		pat[k++] = '%';
		pat[k] = '\0';
		sqlb_add(sb,
			 " AND EXISTS (SELECT 1 FROM net_ip i WHERE i.port_id = r.id"
			 " AND i.ip_address LIKE ? ESCAPE '!')",
			 pat);
	} else
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for fixed_ips. Reason: '%.64s' is not a valid "
			       "fixed IP filter: ip_address, subnet_id or ip_address_substr.",
			       val);
	return 1;
}

const struct net_rdef net_port_rdef = {
	.name = "port",
	.plural = "ports",
	.title = "Port",
	.table = "net_port",
	.attrs = port_attrs,
	.decorate = decorate,
	.filter = filter,
};

static bool in_list(const char *const *list, const char *s)
{
	for (; s != NULL && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool is_network_owner(const char *owner)
{
	return owner != NULL && strncmp(owner, "network:", 8) == 0;
}

/* The device owners of a router's ports (Neutron's ROUTER_INTERFACE_OWNERS, and the
 * gateway's): with one of them, device_id names a router. */
static const char *const router_owners[] = {"network:router_interface",
					    "network:router_interface_distributed",
					    "network:ha_router_replicated_interface",
					    "network:router_ha_interface",
					    "network:router_centralized_snat",
					    "network:router_gateway",
					    NULL};

/* 409 when a port of 'project' would name another project's router as its device
 * (Neutron's DeviceIDNotOwnedByTenant); the admin may. Such a port is no leg of that
 * router anyway (net_router_port), but it would claim it in every listing. */
static int check_device_id(struct req *rq, struct db *db, const char *owner,
			   const char *device_id, const char *project, struct err *err)
{
	struct db_res *res;
	bool other;

	if (net_is_admin(rq) || !in_list(router_owners, owner) || device_id == NULL ||
	    *device_id == '\0')
		return 0;
	res = db_query(db, err, "SELECT project_id FROM net_router WHERE id = ?", DBP(device_id));
	if (res == NULL)
		return -1;
	other = db_res_rows(res) > 0 && !str_eq(db_res_str(res, 0, 0), project);
	db_res_free(res);
	if (other)
		return err_set(err, ERR_CONFLICT,
			       "The following device_id %s is not owned by your tenant or matches "
			       "another tenants router.",
			       device_id);
	return 0;
}

/* Replaces the security groups of 'port_id' with 'groups' (ids). */
static int set_groups(struct db *db, const char *port_id, const json_t *groups, struct err *err)
{
	json_t *g;
	size_t i;

	if (db_exec(db, err, "DELETE FROM net_port_sg WHERE port_id = ?", DBP(port_id)) < 0)
		return -1;
	json_array_foreach(groups, i, g)
		if (db_exec(db, err, "INSERT INTO net_port_sg (port_id, secgroup_id) VALUES (?, ?)",
			    DBP(port_id, json_string_value(g))) < 0)
			return -1;
	return 0;
}

/* binding:vif_type follows binding:host_id: "bridge" once bound, "unbound"
 * before. */
static void set_vif_type(json_t *item)
{
	const char *host = jsonx_str(item, "binding:host_id");

	if (json_object_get(item, "binding:host_id") != NULL)
		json_object_set_new(item, "binding:vif_type",
				    json_string(host != NULL && *host ? "bridge" : "unbound"));
}

/* The MAC of a new port, given (checked, free on the network) or generated. */
static int new_mac(struct db *db, json_t *item, const char *network_id, struct err *err)
{
	char mac[18];

	if (json_is_string(json_object_get(item, "mac_address"))) {
		if (net_port_mac_parse(jsonx_str(item, "mac_address"), mac, err) < 0 ||
		    net_port_mac_free(db, network_id, mac, NULL, err) < 0)
			return -1;
	} else if (net_port_mac_generate(db, network_id, mac, err) < 0)
		return -1;
	json_object_set_new(item, "mac_address", json_string(mac));
	return 0;
}

/* Security groups and port security of a new port: the groups given or the
 * project's default group (none for the network's own devices and without port
 * security). */
static json_t *new_groups(struct req *rq, struct db *db, json_t *item, bool port_sec,
			  struct err *err)
{
	json_t *given = json_object_get(item, "security_groups");
	const char *project = jsonx_str(item, "project_id");
	char sg[37];

	if (given != NULL && !json_is_null(given)) {
		json_t *ids = net_port_sg_check(rq, db, given, project, err);
		if (ids != NULL && json_array_size(ids) > 0 && !port_sec) {
			json_decref(ids);
			return err_set(err, ERR_BAD_REQUEST,
				       "Port security must be enabled and port must have an IP "
				       "address in order to use security groups."),
			       NULL;
		}
		return ids;
	}
	if (!port_sec || is_network_owner(jsonx_str(item, "device_owner")))
		return json_array();
	if (net_default_sg(db, project, sg, err) < 0)
		return NULL;
	return json_pack("[s]", sg);
}

json_t *net_port_create(struct req *rq, struct db *db, json_t *item, struct err *err)
{
	const char *network_id = jsonx_str(item, "network_id");
	const char *owner = jsonx_str(item, "device_owner");
	json_t *net = NULL, *groups = NULL, *ips = NULL, *v, *port = NULL;
	bool port_sec;
	char id[37];

	if (network_id == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Failed to parse request. Required attribute 'network_id' not "
			       "specified"),
		       NULL;
	/* the network's own devices (router gateways, floating IPs) may sit on
	 * external networks; the API refuses device_owner network:* to those who may
	 * not set it */
	if ((net = net_network_usable(rq, db, network_id, is_network_owner(owner), err)) == NULL)
		return NULL;
	if (net_quota_check(db, jsonx_str(item, "project_id"), "port", 1, err) < 0 ||
	    new_mac(db, item, network_id, err) < 0)
		goto out;
	v = json_object_get(item, "port_security_enabled");
	if (v == NULL || json_is_null(v)) {
		v = json_object_get(net, "port_security_enabled");
		json_object_set_new(item, "port_security_enabled",
				    json_boolean(v == NULL || json_is_true(v)));
	}
	port_sec = json_is_true(json_object_get(item, "port_security_enabled"));
	if ((v = json_object_get(item, "allowed_address_pairs")) != NULL) {
		json_t *pairs = net_port_pairs(v, jsonx_str(item, "mac_address"), err);
		if (pairs == NULL)
			goto out;
		if (json_array_size(pairs) > 0 && !port_sec) {
			json_decref(pairs);
			err_set(err, ERR_CONFLICT,
				"Port Security must be enabled in order to have allowed address "
				"pairs on a port.");
			goto out;
		}
		json_object_set_new(item, "allowed_address_pairs", pairs);
	}
	if ((v = json_object_get(item, "extra_dhcp_opts")) != NULL) {
		json_t *opts = net_port_dhcp_opts(v, NULL, err);
		if (opts == NULL)
			goto out;
		json_object_set_new(item, "extra_dhcp_opts", opts);
	}
	if (json_object_get(item, "binding:vnic_type") != NULL &&
	    net_port_vnic_check(jsonx_str(item, "binding:vnic_type"), err) < 0)
		goto out;
	if ((v = json_object_get(item, "dns_name")) != NULL &&
	    net_port_dns_name_check(v, err) < 0)
		goto out;
	if ((v = json_object_get(item, "binding:profile")) != NULL && !json_is_object(v)) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for binding:profile. Reason: It is not a dictionary.");
		goto out;
	}
	set_vif_type(item);
	v = json_object_get(item, "fixed_ips");
	if (v != NULL && net_port_fixed_ips_check(v, err) < 0)
		goto out;
	if ((groups = new_groups(rq, db, item, port_sec, err)) == NULL)
		goto out;
	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	if (net_insert(db, &net_port_rdef, item, err) < 0)
		goto out;
	ips = net_ipam_allocate(rq, db, network_id, id, jsonx_str(item, "mac_address"),
				json_object_get(item, "fixed_ips"), err);
	if (ips == NULL || set_groups(db, id, groups, err) < 0)
		goto out;
	port = net_get(rq, db, &net_port_rdef, id, err);
out:
	json_decref(net);
	json_decref(groups);
	json_decref(ips);
	return port;
}

int net_port_delete(struct db *db, const char *id, struct err *err)
{
	if (db_exec(db, err,
		    "UPDATE net_floatingip SET port_id = NULL, fixed_ip_address = NULL,"
		    " router_id = NULL WHERE port_id = ?",
		    DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_port_sg WHERE port_id = ?", DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_router_port WHERE port_id = ?", DBP(id)) < 0 ||
	    net_ipam_release(db, id, err) < 0 || net_delete_row(db, &net_port_rdef, id, err) < 0)
		return -1;
	return 0;
}

/* device_owner network:* is the network's own (DHCP, routers, floating IPs):
 * only the admin or the network's owner may set it (Neutron's network_device
 * rule). */
static int check_device_owner(struct req *rq, struct db *db, const char *owner,
			      const char *network_id, struct err *err)
{
	json_t *net;
	bool ok;

	if (!is_network_owner(owner) || net_is_admin(rq))
		return 0;
	if ((net = net_find(rq, db, &net_network_rdef, network_id, err)) == NULL)
		return -1;
	ok = net_caller_owns(rq, jsonx_str(net, "project_id"));
	json_decref(net);
	if (!ok)
		return err_set(err, ERR_FORBIDDEN,
			       "(rule:create_port and rule:create_port:device_owner) is "
			       "disallowed by policy");
	return 0;
}

/* The attributes Neutron's policy gives only to the admin and the network's owner
 * (create_port:mac_address, :fixed_ips:ip_address, :port_security_enabled,
 * :allowed_address_pairs; on update all of fixed_ips): on another project's shared
 * network a port would otherwise take the address it likes, or turn off the
 * anti-spoofing rules that protect the network's other ports. 'create' picks the
 * action named in the 403. */
static int check_owner_attrs(struct req *rq, struct db *db, const char *network_id,
			     const json_t *item, bool create, struct err *err)
{
	const char *action = create ? "create_port" : "update_port", *attr = NULL;
	json_t *net, *v, *ip;
	bool ok;
	size_t i;

	if (create && json_is_string(json_object_get(item, "mac_address")))
		attr = "mac_address";
	v = json_object_get(item, "fixed_ips");
	if (attr == NULL && v != NULL && !create)
		attr = "fixed_ips";
	else if (attr == NULL && create)
		json_array_foreach(v, i, ip)
			if (json_is_object(ip) && json_object_get(ip, "ip_address") != NULL)
				attr = "fixed_ips:ip_address";
	v = json_object_get(item, "port_security_enabled");
	if (attr == NULL && v != NULL && !json_is_null(v))
		attr = "port_security_enabled";
	v = json_object_get(item, "allowed_address_pairs");
	if (attr == NULL && v != NULL && !json_is_null(v))
		attr = "allowed_address_pairs";
	if (attr == NULL || net_is_admin(rq))
		return 0;
	if ((net = net_find(rq, db, &net_network_rdef, network_id, err)) == NULL)
		return -1;
	ok = net_caller_owns(rq, jsonx_str(net, "project_id"));
	json_decref(net);
	if (!ok)
		return err_set(err, ERR_FORBIDDEN, "(rule:%s and rule:%s:%s) is disallowed by policy",
			       action, action, attr);
	return 0;
}

/* A new fixed_ips list: addresses the port keeps are given back to IPAM as they
 * are, the others released; IPAM allocates the rest. Returns 0 or -1 (409 on a
 * taken address, nothing changed: the caller rolls back). */
static int update_ips(struct req *rq, struct db *db, const json_t *port, const json_t *ips,
		      struct err *err)
{
	json_t *got;

	if (net_port_fixed_ips_check(ips, err) < 0 ||
	    net_ipam_release(db, jsonx_str(port, "id"), err) < 0)
		return -1;
	got = net_ipam_allocate(rq, db, jsonx_str(port, "network_id"), jsonx_str(port, "id"),
				jsonx_str(port, "mac_address"), ips, err);
	if (got == NULL)
		return -1;
	json_decref(got);
	return 0;
}

/* The update's rules on port security, groups, pairs and the MAC; fills
 * 'groups' with the new group ids when the update sets them (caller owns). */
static int update_checks(struct req *rq, struct db *db, const json_t *old, json_t *item,
			 json_t **groups, struct err *err)
{
	json_t *v = json_object_get(item, "port_security_enabled");
	bool port_sec = v != NULL ? json_is_true(v)
				  : json_is_true(json_object_get(old, "port_security_enabled"));
	const char *mac = jsonx_str(old, "mac_address");
	const json_t *pairs;
	size_t ngroups;

	if ((v = json_object_get(item, "mac_address")) != NULL) {
		char norm[18];
		const char *host = jsonx_str(old, "binding:host_id");
		if (!net_is_admin(rq))
			return err_set(err, ERR_FORBIDDEN,
				       "(rule:update_port and rule:update_port:mac_address) is "
				       "disallowed by policy");
		if (net_port_mac_parse(json_string_value(v), norm, err) < 0)
			return -1;
		if (host != NULL && *host && strcmp(norm, mac) != 0)
			return err_set(err, ERR_CONFLICT,
				       "Unable to complete operation on port %s, port is already "
				       "bound, port type: %s, old_mac %s, new_mac %s.",
				       jsonx_str(old, "id"), jsonx_str(old, "binding:vif_type"),
				       mac, norm);
		if (net_port_mac_free(db, jsonx_str(old, "network_id"), norm, jsonx_str(old, "id"),
				      err) < 0)
			return -1;
		json_object_set_new(item, "mac_address", json_string(norm));
		mac = jsonx_str(item, "mac_address");
	}
	if ((v = json_object_get(item, "security_groups")) != NULL) {
		if (json_is_null(v))
			*groups = json_array();
		else if ((*groups = net_port_sg_check(rq, db, v, jsonx_str(old, "project_id"),
						      err)) == NULL)
			return -1;
		ngroups = json_array_size(*groups);
	} else
		ngroups = json_array_size(json_object_get(old, "security_groups"));
	if (!port_sec && ngroups > 0)
		return err_set(err,
			       json_object_get(item, "security_groups") != NULL ? ERR_BAD_REQUEST
										: ERR_CONFLICT,
			       json_object_get(item, "security_groups") != NULL
				       ? "Port security must be enabled and port must have an IP "
					 "address in order to use security groups."
				       : "Port has security group associated. Cannot disable port "
					 "security or ip address until security group is removed");
	if ((v = json_object_get(item, "allowed_address_pairs")) != NULL) {
		json_t *p = json_is_null(v) ? json_array() : net_port_pairs(v, mac, err);
		if (p == NULL)
			return -1;
		json_object_set_new(item, "allowed_address_pairs", p);
	}
	pairs = json_object_get(item, "allowed_address_pairs");
	if (pairs == NULL)
		pairs = json_object_get(old, "allowed_address_pairs");
	if (!port_sec && json_array_size(pairs) > 0)
		return err_set(err, ERR_CONFLICT,
			       "Port Security must be enabled in order to have allowed address "
			       "pairs on a port.");
	if ((v = json_object_get(item, "extra_dhcp_opts")) != NULL) {
		json_t *o = json_is_null(v)
				    ? json_array()
				    : net_port_dhcp_opts(v, json_object_get(old, "extra_dhcp_opts"),
							 err);
		if (o == NULL)
			return -1;
		json_object_set_new(item, "extra_dhcp_opts", o);
	}
	if (json_object_get(item, "binding:vnic_type") != NULL &&
	    net_port_vnic_check(jsonx_str(item, "binding:vnic_type"), err) < 0)
		return -1;
	if ((v = json_object_get(item, "dns_name")) != NULL &&
	    net_port_dns_name_check(v, err) < 0)
		return -1;
	if ((v = json_object_get(item, "binding:profile")) != NULL && !json_is_object(v))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for binding:profile. Reason: It is not a "
			       "dictionary.");
	set_vif_type(item);
	return 0;
}

/* One port of a create request: the API's checks beyond net_port_create's (who may set
 * a device owner, a MAC, an address or the anti-spoofing attributes), then the port. */
static json_t *create_one(struct req *rq, struct db *db, json_t *item, struct err *err)
{
	const char *net_id = jsonx_str(item, "network_id");

	if (net_id != NULL &&
	    (check_device_owner(rq, db, jsonx_str(item, "device_owner"), net_id, err) < 0 ||
	     check_device_id(rq, db, jsonx_str(item, "device_owner"),
			     jsonx_str(item, "device_id"), jsonx_str(item, "project_id"),
			     err) < 0 ||
	     check_owner_attrs(rq, db, net_id, item, true, err) < 0))
		return NULL;
	return net_port_create(rq, db, item, err);
}

static int ports_create(struct req *rq, struct err *err)
{
	return net_create(rq, &net_port_rdef, port_extra, create_one, err);
}

/* The update's value of 'key', else the port's. */
static const char *or_old(const json_t *item, const json_t *old, const char *key)
{
	return json_object_get(item, key) != NULL ? jsonx_str(item, key) : jsonx_str(old, key);
}

static int port_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *item, *port = NULL, *old = NULL, *groups = NULL, *ips;

	if (db == NULL || (item = net_body(rq, &net_port_rdef, false, port_extra, err)) == NULL ||
	    db_begin(db, err) < 0)
		return -1;
	/* mac_address updates (which read binding:host_id) are the admin's, who sees
	 * it */
	if ((old = net_find_owned(rq, db, &net_port_rdef, id, "update", err)) == NULL)
		goto fail;
	if (json_object_get(item, "device_owner") != NULL &&
	    check_device_owner(rq, db, jsonx_str(item, "device_owner"),
			       jsonx_str(old, "network_id"), err) < 0)
		goto fail;
	if ((json_object_get(item, "device_owner") != NULL ||
	     json_object_get(item, "device_id") != NULL) &&
	    check_device_id(rq, db, or_old(item, old, "device_owner"),
			    or_old(item, old, "device_id"), jsonx_str(old, "project_id"),
			    err) < 0)
		goto fail;
	if (check_owner_attrs(rq, db, jsonx_str(old, "network_id"), item, false, err) < 0 ||
	    update_checks(rq, db, old, item, &groups, err) < 0)
		goto fail;
	ips = json_object_get(item, "fixed_ips");
	if (ips != NULL && update_ips(rq, db, old, ips, err) < 0)
		goto fail;
	if (groups != NULL && set_groups(db, id, groups, err) < 0)
		goto fail;
	json_decref(port);
	if (net_update(db, &net_port_rdef, id, item, err) < 0 ||
	    (port = net_get(rq, db, &net_port_rdef, id, err)) == NULL || db_commit(db, err) < 0)
		goto fail;
	net_reply_one(rq, &net_port_rdef, 200, port);
	json_decref(old);
	json_decref(groups);
	net_changed();
	return 0;
fail:
	json_decref(port);
	json_decref(old);
	json_decref(groups);
	db_rollback(db);
	return -1;
}

static int port_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *port = NULL;
	const char *owner;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((port = net_find_owned(rq, db, &net_port_rdef, id, "delete", err)) == NULL)
		goto fail;
	owner = jsonx_str(port, "device_owner");
	if (in_list(l3_owners, owner)) {
		err_set(err, ERR_CONFLICT,
			"Port %s cannot be deleted directly via the port API: has device owner "
			"%s.",
			id, owner);
		goto fail;
	}
	if (net_port_delete(db, id, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	json_decref(port);
	reply_empty(rq, 204);
	net_changed();
	return 0;
fail:
	json_decref(port);
	db_rollback(db);
	return -1;
}

static int ports_list(struct req *rq, struct err *err)
{
	return net_list(rq, &net_port_rdef, err);
}

static int port_show(struct req *rq, struct err *err)
{
	return net_show(rq, &net_port_rdef, err);
}

const struct route net_port_routes[] = {
	{HTTP_GET, "/v2.0/ports", ports_list, "network:get_port"},
	{HTTP_POST, "/v2.0/ports", ports_create, "network:create_port"},
	{HTTP_GET, "/v2.0/ports/{id}", port_show, "network:get_port"},
	{HTTP_PUT, "/v2.0/ports/{id}", port_update, "network:update_port"},
	{HTTP_DELETE, "/v2.0/ports/{id}", port_delete, "network:delete_port"},
	{0},
};
