/* Networks: /v2.0/networks, with the provider, external-net, net-mtu and port-security
 * attributes. A tenant network is a VXLAN segment whose VNI comes from [network]
 * vni_min..vni_max; the admin may ask for flat/vlan/vxlan segments explicitly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "network"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/net_int.h"

static const struct net_attr network_attrs[] = {
	{ "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "description", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0 },
	{ "admin_state_up", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "status", NULL, NA_STR, NAF_FILTER | NAF_SORT, 0 },
	{ "shared", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT | NAF_ADMIN, 0 },
	{ "router:external", "external", NA_BOOL,
	  NAF_FILTER | NAF_POST | NAF_PUT | NAF_ADMIN, 0 },
	{ "is_default", NULL, NA_BOOL, NAF_FILTER | NAF_POST | NAF_PUT | NAF_ADMIN, 0 },
	{ "mtu", NULL, NA_INT, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "port_security_enabled", NULL, NA_BOOL, NAF_FILTER | NAF_POST | NAF_PUT, 0 },
	{ "provider:network_type", "network_type", NA_STR, NAF_FILTER | NAF_POST | NAF_ADMIN,
	  0 },
	{ "provider:physical_network", "physical_network", NA_STR,
	  NAF_FILTER | NAF_POST | NAF_ADMIN | NAF_EMPTY_NULL, 0 },
	{ "provider:segmentation_id", "segmentation_id", NA_INT,
	  NAF_FILTER | NAF_POST | NAF_ADMIN | NAF_NULL, 0 },
	{ 0 },
};

/* The network ids of a page, "?, ?, ..." bound in 'sb' (at most SQLB_MAX_PARAMS - 1). */
static int add_ids(struct sqlb *sb, json_t *items, size_t from, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sqlb_add(sb, i ? ", ?" : "?", jsonx_str(json_array_get(items, from + i), "id"));
	return (int)i;
}

/* subnets (ids), the fixed attributes Neutron shows and, for others than the admin, no
 * provider attributes (Neutron's policy hides them). */
static int decorate(struct req *rq, struct db *db, json_t *items, struct err *err)
{
	size_t i, n = json_array_size(items);
	bool admin = net_is_admin(rq);
	json_t *o;

	json_array_foreach(items, i, o) {
		json_object_set_new(o, "subnets", json_array());
		json_object_set_new(o, "availability_zone_hints", json_array());
		json_object_set_new(o, "availability_zones", json_pack("[s]", "nova"));
		json_object_set_new(o, "ipv4_address_scope", json_null());
		json_object_set_new(o, "ipv6_address_scope", json_null());
		json_object_set_new(o, "l2_adjacency", json_true());
		if (!admin) {
			json_object_del(o, "provider:network_type");
			json_object_del(o, "provider:physical_network");
			json_object_del(o, "provider:segmentation_id");
		}
	}
	for (size_t from = 0; from < n; from += 30) {
		struct sqlb sb;
		struct db_res *res;
		size_t chunk = n - from < 30 ? n - from : 30;

		sqlb_init(&sb, "SELECT network_id, id FROM net_subnet WHERE network_id IN (");
		add_ids(&sb, items, from, chunk);
		sqlb_text(&sb, ") ORDER BY created_at, id");
		res = db_query(db, err, sb.sql, sb.params, sb.n);
		sqlb_free(&sb);
		if (res == NULL)
			return -1;
		for (int r = 0; r < db_res_rows(res); r++)
			for (size_t j = from; j < from + chunk; j++) {
				o = json_array_get(items, j);
				if (strcmp(jsonx_str(o, "id"), db_res_str(res, r, 0)) == 0)
					json_array_append_new(json_object_get(o, "subnets"),
							      json_string(db_res_str(res, r, 1)));
			}
		db_res_free(res);
	}
	return 0;
}

const struct net_rdef net_network_rdef = {
	.name = "network",
	.plural = "networks",
	.title = "Network",
	.table = "net_network",
	.attrs = network_attrs,
	.also_visible = "(r.shared = 1 OR r.external = 1)",
	.decorate = decorate,
};

json_t *net_network_usable(struct req *rq, struct db *db, const char *id, bool external_ok,
			   struct err *err)
{
	json_t *net = net_find(rq, db, &net_network_rdef, id, err);

	if (net == NULL || net_is_admin(rq) ||
	    net_caller_owns(rq, jsonx_str(net, "project_id")) ||
	    json_is_true(json_object_get(net, "shared")) ||
	    (external_ok && json_is_true(json_object_get(net, "router:external"))))
		return net;
	json_decref(net);
	err_set(err, ERR_FORBIDDEN, "Network %s is not owned by the caller's project.", id);
	return NULL;
}

/* The smallest free VNI of [vni_min, vni_max]: 503 as Neutron when none is left. */
static int allocate_vni(struct db *db, int *vni, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT segmentation_id FROM net_network WHERE network_type = 'vxlan'"
		" AND segmentation_id IS NOT NULL ORDER BY segmentation_id",
		DBNONE);
	int next = conf.net_vni_min;

	if (res == NULL)
		return -1;
	for (int i = 0; i < db_res_rows(res); i++) {
		long long v = db_res_int(res, i, 0);
		if (v == next)
			next++;
		else if (v > next)
			break;
	}
	db_res_free(res);
	if (next > conf.net_vni_max)
		return err_set(err, ERR_UNAVAILABLE,
			       "Unable to create the network. No tenant network is available for "
			       "allocation.");
	*vni = next;
	return 0;
}

/* Checks and completes the provider attributes of a new network. */
static int segment(struct db *db, json_t *item, struct err *err)
{
	const char *type = jsonx_str(item, "provider:network_type");
	const char *phys = jsonx_str(item, "provider:physical_network");
	json_t *seg = json_object_get(item, "provider:segmentation_id");
	long long id = json_is_integer(seg) ? json_integer_value(seg) : 0;
	int vni = 0;

	if (type == NULL) {
		type = json_is_true(json_object_get(item, "router:external")) && phys != NULL
			       ? "flat"
			       : "vxlan";
		json_object_set_new(item, "provider:network_type", json_string(type));
	}
	if (strcmp(type, "vxlan") == 0 || strcmp(type, "local") == 0) {
		if (phys != NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: provider:physical_network "
				       "specified for %s network.",
				       type);
		if (strcmp(type, "local") == 0)
			return 0;
		if (json_is_integer(seg)) {
			if (id < 1 || id > 16777215)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for operation: segmentation_id out "
					       "of range (1 through 16777215).");
			return 0;
		}
		if (allocate_vni(db, &vni, err) < 0)
			return -1;
		json_object_set_new(item, "provider:segmentation_id", json_integer(vni));
		return 0;
	}
	if (strcmp(type, "flat") != 0 && strcmp(type, "vlan") != 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: network_type value '%s' not "
			       "supported.",
			       type);
	if (phys == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: physical_network required for %s "
			       "provider network.",
			       type);
	if (strcmp(type, "flat") == 0) {
		if (json_is_integer(seg))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: segmentation_id specified "
				       "for flat network.");
		json_object_set_new(item, "provider:segmentation_id", json_null());
		return 0;
	}
	if (!json_is_integer(seg) || id < 1 || id > 4094)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: segmentation_id out of range (1 "
			       "through 4094).");
	return 0;
}

static json_t *create_one(struct req *rq, struct db *db, json_t *item, struct err *err)
{
	char id[37];
	const char *type;

	if (net_quota_check(db, jsonx_str(item, "project_id"), "network", 1, err) < 0 ||
	    segment(db, item, err) < 0)
		return NULL;
	type = jsonx_str(item, "provider:network_type");
	if (json_object_get(item, "mtu") == NULL)
		json_object_set_new(item, "mtu",
				    json_integer(strcmp(type, "vxlan") == 0 ? 1450 : 1500));
	else if (json_integer_value(json_object_get(item, "mtu")) < 68 ||
		 json_integer_value(json_object_get(item, "mtu")) > 9000)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for mtu. Reason: '%lld' is not in range 68 "
			       "through 9000.",
			       (long long)json_integer_value(json_object_get(item, "mtu"))),
		       NULL;
	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	if (net_insert(db, &net_network_rdef, item, err) < 0) {
		if (err->kind == ERR_CONFLICT) {
			err_clear(err);
			err_set(err, ERR_CONFLICT,
				"Unable to create the network. The %s %lld on physical network "
				"%s is in use.",
				type,
				(long long)json_integer_value(
					json_object_get(item, "provider:segmentation_id")),
				jsonx_str(item, "provider:physical_network")
					? jsonx_str(item, "provider:physical_network")
					: "");
		}
		return NULL;
	}
	return net_get(rq, db, &net_network_rdef, id, err);
}

static int networks_create(struct req *rq, struct err *err)
{
	return net_create(rq, &net_network_rdef, NULL, create_one, err);
}

/* 409 when turning sharing off would strand other projects' ports. */
static int check_unshare(struct db *db, const json_t *net, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT COUNT(*) FROM net_port WHERE network_id = ? AND project_id <> ?"
		" AND device_owner NOT LIKE 'network:%'",
		DBP(jsonx_str(net, "id"), jsonx_str(net, "project_id")));
	long long n;

	if (res == NULL)
		return -1;
	n = db_res_int(res, 0, 0);
	db_res_free(res);
	if (n > 0)
		return err_set(err, ERR_CONFLICT,
			       "Unable to reconfigure sharing settings for network %s. Multiple "
			       "tenants are using it.",
			       jsonx_str(net, "id"));
	return 0;
}

static int network_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *item, *net = NULL, *mtu;

	if (db == NULL || (item = net_body(rq, &net_network_rdef, false, NULL, err)) == NULL ||
	    db_begin(db, err) < 0)
		return -1;
	if ((net = net_find_owned(rq, db, &net_network_rdef, id, "update", err)) == NULL)
		goto fail;
	mtu = json_object_get(item, "mtu");
	if (mtu != NULL && (json_integer_value(mtu) < 68 || json_integer_value(mtu) > 9000)) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for mtu. Reason: '%lld' is not in range 68 through 9000.",
			(long long)json_integer_value(mtu));
		goto fail;
	}
	if (json_is_false(json_object_get(item, "shared")) &&
	    json_is_true(json_object_get(net, "shared")) && check_unshare(db, net, err) < 0)
		goto fail;
	json_decref(net);
	if (net_update(db, &net_network_rdef, id, item, err) < 0 ||
	    (net = net_get(rq, db, &net_network_rdef, id, err)) == NULL ||
	    db_commit(db, err) < 0)
		goto fail;
	net_reply_one(rq, &net_network_rdef, 200, net);
	net_changed();
	return 0;
fail:
	json_decref(net);
	db_rollback(db);
	return -1;
}

static int network_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	struct db_res *res = NULL;
	json_t *net = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((net = net_find_owned(rq, db, &net_network_rdef, id, "delete", err)) == NULL)
		goto fail;
	/* only the network's own DHCP port may remain: Neutron removes it with the network,
	 * and the floating IPs no port uses */
	if (net_fip_delete_unassociated(db, id, err) < 0)
		goto fail;
	res = db_query(db, err,
		       "SELECT COUNT(*) FROM net_port WHERE network_id = ?"
		       " AND device_owner <> 'network:dhcp'",
		       DBP(id));
	if (res == NULL)
		goto fail;
	if (db_res_int(res, 0, 0) > 0) {
		err_set(err, ERR_CONFLICT,
			"Unable to complete operation on network %s. There are one or more ports "
			"still in use on the network.",
			id);
		goto fail;
	}
	if (db_exec(db, err, "DELETE FROM net_port_sg WHERE port_id IN"
			     " (SELECT id FROM net_port WHERE network_id = ?)",
		    DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_ip WHERE network_id = ?", DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_tag WHERE resource_id IN"
			     " (SELECT id FROM net_port WHERE network_id = ?"
			     " UNION SELECT id FROM net_subnet WHERE network_id = ?)",
		    DBP(id, id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_port WHERE network_id = ?", DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_subnet WHERE network_id = ?", DBP(id)) < 0 ||
	    net_delete_row(db, &net_network_rdef, id, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	db_res_free(res);
	json_decref(net);
	reply_empty(rq, 204);
	net_changed();
	return 0;
fail:
	db_res_free(res);
	json_decref(net);
	db_rollback(db);
	return -1;
}

static int networks_list(struct req *rq, struct err *err)
{
	return net_list(rq, &net_network_rdef, err);
}

static int network_show(struct req *rq, struct err *err)
{
	return net_show(rq, &net_network_rdef, err);
}

const struct route net_network_routes[] = {
	{ HTTP_GET, "/v2.0/networks", networks_list, "network:get_network" },
	{ HTTP_POST, "/v2.0/networks", networks_create, "network:create_network" },
	{ HTTP_GET, "/v2.0/networks/{id}", network_show, "network:get_network" },
	{ HTTP_PUT, "/v2.0/networks/{id}", network_update, "network:update_network" },
	{ HTTP_DELETE, "/v2.0/networks/{id}", network_delete, "network:delete_network" },
	{ 0 },
};
