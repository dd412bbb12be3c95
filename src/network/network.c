/* The network service's registration, Neutron's error body and version documents. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MODULE "network"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"
#include "network/metadata_proxy.h"
#include "network/net_int.h"
#include "network/netdrv.h"
#include "network/priv.h"
#include "network/sync.h"
#include "network/network.h"

/* The collections /v2.0 lists, as Neutron's API root does. */
static const char *const resources[][2] = {
	{ "network", "networks" },   { "subnet", "subnets" },
	{ "subnetpool", "subnetpools" }, { "port", "ports" },
	{ "router", "routers" },     { "floatingip", "floatingips" },
	{ "security_group", "security_groups" },
	{ "security_group_rule", "security_group_rules" },
	{ "quota", "quotas" },       { "agent", "agents" },
	{ "network_ip_availability", "network-ip-availabilities" },
	{ NULL, NULL },
};

static json_t *version_link(struct req *rq)
{
	return json_pack("[{s:s,s:s}]", "href",
			 req_printf(rq, "%s/network/v2.0/", conf.public_url), "rel", "self");
}

static int versions(struct req *rq, struct err *err)
{
	(void)err;
	reply_json(rq, 200,
		   json_pack("{s:[{s:s,s:s,s:o}]}", "versions", "id", "v2.0", "status",
			     "CURRENT", "links", version_link(rq)));
	return 0;
}

static int v2_root(struct req *rq, struct err *err)
{
	json_t *list = json_array();

	(void)err;
	for (int i = 0; resources[i][0]; i++)
		json_array_append_new(
			list, json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "name", resources[i][0],
					"collection", resources[i][1], "links", "href",
					req_printf(rq, "%s/network/v2.0/%s", conf.public_url,
						   resources[i][1]),
					"rel", "self"));
	reply_json(rq, 200, json_pack("{s:o}", "resources", list));
	return 0;
}

static const struct route version_routes[] = {
	{ HTTP_GET, "", versions, NULL },
	{ HTTP_GET, "/v2.0", v2_root, NULL },
	{ 0 },
};

/* Neutron's default (secure RBAC) policies by their names: a project's readers read, its
 * members write, the admin does anything; a token without a project (unscoped, domain
 * scope) owns nothing in networking and is refused. Which project an object belongs to is
 * the handlers' check (net_find_owned: 404 unseen, 403 not owned). Agents and IP
 * availabilities are the admin's: the handlers hide them from others (empty lists, 404)
 * as Neutron's policy does; quotas of other projects the same. */
static const struct policy policies[] = {
	{ "network:get_extension", POL_TOKEN },
	{ "network:get_network", POL_PROJECT_READER },
	{ "network:create_network", POL_PROJECT_MEMBER },
	{ "network:update_network", POL_PROJECT_MEMBER },
	{ "network:delete_network", POL_PROJECT_MEMBER },
	{ "network:get_subnet", POL_PROJECT_READER },
	{ "network:create_subnet", POL_PROJECT_MEMBER },
	{ "network:update_subnet", POL_PROJECT_MEMBER },
	{ "network:delete_subnet", POL_PROJECT_MEMBER },
	{ "network:get_subnetpool", POL_PROJECT_READER },
	{ "network:create_subnetpool", POL_PROJECT_MEMBER },
	{ "network:update_subnetpool", POL_PROJECT_MEMBER },
	{ "network:delete_subnetpool", POL_PROJECT_MEMBER },
	{ "network:get_port", POL_PROJECT_READER },
	{ "network:create_port", POL_PROJECT_MEMBER },
	{ "network:update_port", POL_PROJECT_MEMBER },
	{ "network:delete_port", POL_PROJECT_MEMBER },
	{ "network:get_security_group", POL_PROJECT_READER },
	{ "network:create_security_group", POL_PROJECT_MEMBER },
	{ "network:update_security_group", POL_PROJECT_MEMBER },
	{ "network:delete_security_group", POL_PROJECT_MEMBER },
	{ "network:get_security_group_rule", POL_PROJECT_READER },
	{ "network:create_security_group_rule", POL_PROJECT_MEMBER },
	{ "network:delete_security_group_rule", POL_PROJECT_MEMBER },
	{ "network:get_router", POL_PROJECT_READER },
	{ "network:create_router", POL_PROJECT_MEMBER },
	{ "network:update_router", POL_PROJECT_MEMBER },
	{ "network:delete_router", POL_PROJECT_MEMBER },
	{ "network:add_router_interface", POL_PROJECT_MEMBER },
	{ "network:remove_router_interface", POL_PROJECT_MEMBER },
	{ "network:add_extraroutes", POL_PROJECT_MEMBER },
	{ "network:remove_extraroutes", POL_PROJECT_MEMBER },
	{ "network:get_floatingip", POL_PROJECT_READER },
	{ "network:create_floatingip", POL_PROJECT_MEMBER },
	{ "network:update_floatingip", POL_PROJECT_MEMBER },
	{ "network:delete_floatingip", POL_PROJECT_MEMBER },
	{ "network:get_tags", POL_PROJECT_READER },
	{ "network:get_tag", POL_PROJECT_READER },
	{ "network:update_tags", POL_PROJECT_MEMBER },
	{ "network:add_tag", POL_PROJECT_MEMBER },
	{ "network:delete_tags", POL_PROJECT_MEMBER },
	{ "network:delete_tag", POL_PROJECT_MEMBER },
	{ "network:get_quotas", POL_ADMIN },
	{ "network:get_quota", POL_PROJECT_READER },
	{ "network:update_quota", POL_ADMIN },
	{ "network:delete_quota", POL_ADMIN },
	/* the admin's; others get Neutron's 404 (agents hidden) from the handlers */
	{ "network:get_agent", POL_PROJECT_READER },
	{ "network:update_agent", POL_PROJECT_READER },
	{ "network:delete_agent", POL_PROJECT_READER },
	{ "network:get_network_ip_availability", POL_PROJECT_READER },
	{ NULL, 0 },
};
static const struct policy *const policy_tables[] = { policies, NULL };

static const struct route *const routes[] = {
	version_routes,	   net_network_routes, net_subnet_routes,  net_subnetpool_routes,
	net_port_routes,   net_secgroup_routes, net_router_routes, net_fip_routes,
	net_quota_routes,  net_agent_routes,   net_ipavail_routes, net_ext_routes,
	net_tag_routes,	   NULL,
};

/* Neutron's type names for the kinds this service reports. */
static const char *error_type(enum err_kind kind)
{
	switch (kind) {
	case ERR_BAD_REQUEST: return "HTTPBadRequest";
	case ERR_UNAUTHORIZED: return "HTTPUnauthorized";
	case ERR_FORBIDDEN: return "HTTPForbidden";
	case ERR_NOT_FOUND: return "HTTPNotFound";
	case ERR_METHOD: return "HTTPMethodNotAllowed";
	case ERR_CONFLICT: return "HTTPConflict";
	case ERR_TOO_LARGE: return "HTTPRequestEntityTooLarge";
	case ERR_UNAVAILABLE: return "HTTPServiceUnavailable";
	case ERR_NOT_IMPLEMENTED: return "HTTPNotImplemented";
	default: return "HTTPInternalServerError";
	}
}

/* Neutron's exception names that clients match on (Tempest looks for
 * IpAddressAlreadyAllocated), found by their message; other errors keep the kind's name. */
static const char *neutron_type(const struct err *err)
{
	static const struct {
		const char *words, *type;
	} known[] = {
		{ " already allocated in subnet ", "IpAddressAlreadyAllocated" },
		{ "No more IP addresses available on network ", "IpAddressGenerationFailure" },
		{ "Quota exceeded for resources: ", "OverQuota" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(err->msg, known[i].words) != NULL)
			return known[i].type;
	return error_type(err->kind);
}

/* {"NeutronError": {"type", "message", "detail"}}; 401 is Keystone middleware's. */
static void render_error(struct req *rq, const struct err *err)
{
	int status = err_status(err->kind);

	if (err->kind == ERR_UNAUTHORIZED) {
		reply_json(rq, status,
			   json_pack("{s:{s:i,s:s,s:s}}", "error", "code", status, "title",
				     err_title(err->kind), "message", err->msg));
		reply_header(rq, "WWW-Authenticate",
			     req_printf(rq, "Keystone uri=\"%s/identity\"", conf.public_url));
		return;
	}
	reply_json(rq, status,
		   json_pack("{s:{s:s,s:s,s:s}}", "NeutronError", "type", neutron_type(err),
			     "message", err->msg, "detail", ""));
}

static const struct service net_service = {
	.name = "network",
	.prefix = "/network",
	.routes = routes,
	.policies = policy_tables,
	.policy_denied = "(rule:%s) is disallowed by policy", /* Neutron's words */
	.render_error = render_error,
};

/* The external network `ciel up` offers: flat on physical network "public", which the
 * linuxbridge driver maps to an isolated bridge of its own (nothing of the host's is
 * attached or routed), with one IPv4 subnet without DHCP: the gateway is its first
 * address, the pool the rest, as DevStack's public subnet. */
int net_ensure_public(const char *admin_project, struct err *err)
{
	struct db *db = db_get(err);
	struct db_res *res = NULL;
	struct in_addr a;
	char cidr[64], *slash, id[37], sid[37], gw[16], lo[16], hi[16], text[80];
	uint32_t base, mask;
	int plen, rc = -1;
	json_t *net = NULL, *sub = NULL;

	if (db == NULL)
		return -1;
	if (snprintf(cidr, sizeof(cidr), "%s", conf.net_public_cidr) >= (int)sizeof(cidr) ||
	    (slash = strchr(cidr, '/')) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "[network] public_cidr: not a CIDR: %s",
			       conf.net_public_cidr);
	*slash = '\0';
	plen = atoi(slash + 1);
	if (inet_pton(AF_INET, cidr, &a) != 1 || plen < 8 || plen > 29)
		return err_set(err, ERR_BAD_REQUEST,
			       "[network] public_cidr: an IPv4 /8 to /29 is needed: %s",
			       conf.net_public_cidr);
	mask = 0xffffffffu << (32 - plen);
	base = ntohl(a.s_addr) & mask;
	if (db_begin(db, err) < 0)
		return -1;
	res = db_query(db, err,
		       "SELECT id FROM net_network WHERE name = 'public' AND external = 1"
		       " AND project_id = ?",
		       DBP(admin_project));
	if (res == NULL)
		goto out;
	if (db_res_rows(res) > 0) {
		rc = 0;
		goto out;
	}
	util_uuid(id);
	util_uuid(sid);
	net = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:s,s:s,s:n,s:i}", "id", id, "project_id",
			admin_project, "name", "public", "description",
			"external network of the all-in-one cloud", "router:external", 1,
			"shared", 0, "provider:network_type", "flat",
			"provider:physical_network", "public", "provider:segmentation_id", "mtu",
			1500);
	a.s_addr = htonl(base + 1);
	inet_ntop(AF_INET, &a, gw, sizeof(gw));
	a.s_addr = htonl(base + 2);
	inet_ntop(AF_INET, &a, lo, sizeof(lo));
	a.s_addr = htonl((base | ~mask) - 1);
	inet_ntop(AF_INET, &a, hi, sizeof(hi));
	a.s_addr = htonl(base);
	inet_ntop(AF_INET, &a, cidr, sizeof(cidr));
	snprintf(text, sizeof(text), "%s/%d", cidr, plen);
	sub = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:b,s:[{s:s,s:s}]}", "id", sid,
			"project_id", admin_project, "name", "public-subnet", "network_id", id,
			"ip_version", 4, "cidr", text, "gateway_ip", gw,
			"enable_dhcp", 0, "allocation_pools", "start", lo, "end", hi);
	if (net_insert(db, &net_network_rdef, net, err) < 0 ||
	    net_insert(db, &net_subnet_rdef, sub, err) < 0 || db_commit(db, err) < 0)
		goto out;
	log_info("external network public (%s) with subnet %s made", id, conf.net_public_cidr);
	net_changed();
	rc = 0;
out:
	db_rollback(db); /* ends the read-only look when nothing was made; no-op after commit */
	db_res_free(res);
	json_decref(net);
	json_decref(sub);
	return rc;
}

static struct netdrv *driver;

void net_changed(void)
{
	net_sync_kick();
}

int net_prepare(struct err *err)
{
	if (strcmp(conf.net_driver, "linuxbridge") != 0)
		return 0;
	if (geteuid() != 0) {
		log_warn("the linuxbridge data plane needs root for its helper: running with "
			 "the noop driver (API only)");
		return 0;
	}
	return priv_start(conf.state_dir, err);
}

/* The configured driver; linuxbridge needs the helper net_prepare started. */
static struct netdrv *new_driver(struct err *err)
{
	if (strcmp(conf.net_driver, "noop") == 0 || !priv_running())
		return netdrv_noop_new();
	if (strcmp(conf.net_driver, "linuxbridge") == 0)
		return netdrv_linux_new(conf.state_dir, err);
	err_set(err, ERR_BAD_REQUEST, "[network] driver: unknown driver %s", conf.net_driver);
	return NULL;
}

const struct service *net_http_service(void)
{
	return &net_service;
}

int net_init(struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || net_agents_register(db, NULL, err) < 0 ||
	    (driver = new_driver(err)) == NULL)
		return -1;
	net_metadata_register();
	http_register(&net_service);
	log_info("network data plane: %s", driver->ops->name);
	return net_sync_start(driver, err);
}

void net_shutdown(void)
{
	net_sync_stop();
	net_mdproxy_shutdown();
	netdrv_free(driver);
	driver = NULL;
	priv_stop();
}
