/* Extensions: /v2.0/extensions. Clients (Tempest, Horizon, the SDK's feature checks) turn
 * behaviour on and off by these aliases, so the table lists only what ciel does; the
 * names, descriptions and dates are Neutron's. A resource file that implements one more
 * extension adds its row here (one place). */
#include <string.h>

#define LOG_MODULE "network"
#include "core/err.h"
#include "core/http.h"
#include "network/net_int.h"

struct net_extension {
	const char *alias, *name, *description, *updated;
};

static const struct net_extension extensions[] = {
	/* every resource (net_res.c, api_tags.c) */
	{ "standard-attr-description", "standard-attr-description",
	  "Extension to add descriptions to standard attributes",
	  "2016-02-10T10:00:00-00:00" },
	{ "standard-attr-revisions", "Resource revision numbers",
	  "This extension will display the revision number of neutron resources.",
	  "2016-04-11T10:00:00-00:00" },
	{ "standard-attr-timestamp", "Resource timestamps",
	  "Adds created_at and updated_at fields to all Neutron resources that have Neutron "
	  "standard attributes.",
	  "2016-09-12T10:00:00-00:00" },
	{ "standard-attr-tag",
	  "Tag support for resources with standard attribute: network, subnet, subnetpool, "
	  "port, router, floatingip, security_group",
	  "Enables to set tag on resources with standard attribute.",
	  "2017-01-01T00:00:00-00:00" },
	{ "project-id", "project_id field enabled",
	  "Extension that indicates that project_id field is enabled.",
	  "2016-09-09T09:09:09-09:09" },
	{ "sorting", "Sorting support", "Extension that indicates that sorting is enabled.",
	  "2016-06-12T00:00:00-00:00" },
	{ "pagination", "Pagination support",
	  "Extension that indicates that pagination is enabled.",
	  "2016-06-12T00:00:00-00:00" },
	/* networks (api_networks.c) */
	{ "provider", "Provider Network",
	  "Expose mapping of virtual networks to physical networks",
	  "2012-09-07T10:00:00-00:00" },
	{ "external-net", "Neutron external network",
	  "Adds external network attribute to network resource.",
	  "2013-01-14T10:00:00-00:00" },
	{ "net-mtu", "Network MTU", "Provides MTU attribute for a network resource.",
	  "2015-03-25T10:00:00-00:00" },
	{ "net-mtu-writable", "Network MTU (writable)",
	  "Provides a writable MTU attribute for a network resource.",
	  "2017-07-12T00:00:00-00:00" },
	{ "l2_adjacency", "L2 Adjacency", "Display L2 Adjacency for Neutron Networks.",
	  "2016-04-12T16:00:00-00:00" },
	{ "port-security", "Port Security", "Provides port security",
	  "2012-07-23T10:00:00-00:00" },
	/* subnets and subnet pools (api_subnets.c, api_subnetpools.c) */
	{ "subnet_allocation", "Subnet Allocation",
	  "Enables allocation of subnets from a subnet pool", "2015-03-30T10:00:00-00:00" },
	{ "default-subnetpools", "Default Subnetpools",
	  "Provides ability to mark and use a subnetpool as the default.",
	  "2016-02-18T18:00:00-00:00" },
	/* ports (api_ports.c) */
	{ "allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs",
	  "2013-07-23T10:00:00-00:00" },
	{ "binding", "Port Binding",
	  "Expose port bindings of a virtual port to external application",
	  "2014-02-03T10:00:00-00:00" },
	{ "extra_dhcp_opt", "Neutron Extra DHCP options",
	  "Extra options configuration for DHCP. For example PXE boot options to DHCP clients "
	  "can be specified (e.g. tftp-server, server-ip-address, bootfile-name)",
	  "2013-03-17T12:00:00-00:00" },
	{ "ip-substring-filtering", "IP address substring filtering",
	  "Provides IP address substring filtering when listing ports",
	  "2017-11-28T09:00:00-00:00" },
	/* security groups (api_secgroups.c) */
	{ "security-group", "security-group", "The security groups extension.",
	  "2012-10-05T10:00:00-00:00" },
	{ "stateful-security-group", "Stateful security group",
	  "Indicates if the security group is stateful or not", "2019-11-26T09:00:00-00:00" },
	/* routers and floating IPs (api_routers.c, api_floatingips.c) */
	{ "router", "Neutron L3 Router",
	  "Router abstraction for basic L3 forwarding between L2 Neutron networks and access "
	  "to external networks via a NAT gateway.",
	  "2012-07-20T10:00:00-00:00" },
	{ "extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router",
	  "2013-02-01T10:00:00-00:00" },
	{ "extraroute-atomic", "Atomically add/remove extra routes",
	  "Edit extra routes of a router on server side by atomically adding/removing extra "
	  "routes",
	  "2019-07-10T00:00:00+00:00" },
	{ "ext-gw-mode", "Neutron L3 Configurable external gateway mode",
	  "Extension of the router abstraction for specifying whether SNAT should occur on "
	  "the external gateway",
	  "2013-03-28T10:00:00-00:00" },
	{ "fip-port-details", "Floating IP Port Details Extension",
	  "Add port_details attribute to Floating IP resource", "2018-04-09T10:00:00-00:00" },
	/* this engineer's files */
	{ "quotas", "Quota management support",
	  "Expose functions for quotas management per project", "2012-07-29T10:00:00-00:00" },
	{ "quota_details", "Quota details management support",
	  "Expose functions for quotas usage statistics per project",
	  "2017-02-10T10:00:00-00:00" },
	{ "agent", "agent", "The agent management extension.", "2013-02-03T10:00:00-00:00" },
	{ "network-ip-availability", "Network IP Availability",
	  "Provides IP availability data for each network and subnet.",
	  "2015-09-24T00:00:00-00:00" },
	{ NULL, NULL, NULL, NULL },
};

static json_t *extension_json(const struct net_extension *e)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:[]}", "alias", e->alias, "name", e->name,
			 "description", e->description, "updated", e->updated, "links");
}

static int extensions_list(struct req *rq, struct err *err)
{
	json_t *list = json_array();

	(void)err;
	for (const struct net_extension *e = extensions; e->alias; e++)
		json_array_append_new(list, extension_json(e));
	reply_json(rq, 200, json_pack("{s:o}", "extensions", list));
	return 0;
}

static int extension_show(struct req *rq, struct err *err)
{
	const char *alias = req_param(rq, "alias");

	for (const struct net_extension *e = extensions; e->alias; e++)
		if (strcmp(e->alias, alias) == 0) {
			reply_json(rq, 200, json_pack("{s:o}", "extension", extension_json(e)));
			return 0;
		}
	return err_set(err, ERR_NOT_FOUND, "Extension with alias %s does not exist", alias);
}

const struct route net_ext_routes[] = {
	{ HTTP_GET, "/v2.0/extensions", extensions_list, "network:get_extension" },
	{ HTTP_GET, "/v2.0/extensions/{alias}", extension_show, "network:get_extension" },
	{ 0 },
};
