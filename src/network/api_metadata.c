/* The metadata handler behind the proxies, at /metadata on ciel's listener.
 *
 * No token: a request is believed only when X-Instance-ID-Signature is the HMAC of
 * X-Instance-ID under the shared secret (403 otherwise, as Nova's metadata API), and
 * the port it names (X-Neutron-Port-ID) must belong to that instance. Until compute
 * exists the answers are what the network knows of the port: its device (or its own
 * id) as the instance uuid, its DHCP hostname, its name, project and network. */
#include <string.h>

#define LOG_MODULE "metadata"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"
#include "network/metadata_proxy.h"

struct guest {
	struct net_mdproxy_who who;
	char hostname[64];
	char name[256];
};

/* "latest" or a dated version as Nova lists them (YYYY-MM-DD, or EC2's 1.0). */
static bool version_ok(const char *v)
{
	if (v == NULL)
		return false;
	if (strcmp(v, "latest") == 0 || strcmp(v, "1.0") == 0)
		return true;
	return strlen(v) == 10 && strspn(v, "0123456789-") == 10 && v[4] == '-' && v[7] == '-';
}

/* The signed caller and its port; 403 when the signature is wrong or missing, 404 when
 * the port is not the instance's. */
static int identify(struct req *rq, struct guest *g, struct err *err)
{
	const char *iid = req_header(rq, "X-Instance-ID");
	const char *sig = req_header(rq, "X-Instance-ID-Signature");
	const char *port = req_header(rq, "X-Neutron-Port-ID");
	const char *tenant = req_header(rq, "X-Tenant-ID");
	struct db *db;

	if (iid == NULL || !net_metadata_check(net_metadata_secret(), iid, sig)) {
		LOGM(LOG_WARN, rq->request_id, "metadata request with %s signature",
		     sig ? "a wrong" : "no");
		return err_set(err, ERR_FORBIDDEN, "Invalid proxy request signature.");
	}
	if (port == NULL || (db = db_get(err)) == NULL)
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	if (net_mdproxy_port(db, port, &g->who, g->hostname, g->name, err) < 0)
		return -1;
	if (strcmp(g->who.instance_id, iid) != 0 ||
	    (tenant != NULL && strcmp(g->who.project_id, tenant) != 0))
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	return 0;
}

static int root(struct req *rq, struct err *err)
{
	(void)err;
	reply_text(rq, 200, "text/plain", "latest\n");
	return 0;
}

static int os_versions(struct req *rq, struct err *err)
{
	(void)err;
	reply_text(rq, 200, "text/plain", "latest\n");
	return 0;
}

static int os_index(struct req *rq, struct err *err)
{
	if (!version_ok(req_param(rq, "version")))
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	reply_text(rq, 200, "text/plain", "meta_data.json\n");
	return 0;
}

static int os_meta_data(struct req *rq, struct err *err)
{
	struct guest g;

	if (!version_ok(req_param(rq, "version")))
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	if (identify(rq, &g, err) < 0)
		return -1;
	reply_json(rq, 200,
		   json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:{},s:{}}", "uuid", g.who.instance_id,
			     "hostname", g.hostname, "name", g.name[0] ? g.name : g.hostname,
			     "project_id", g.who.project_id, "network_id", g.who.network_id,
			     "launch_index", 0, "availability_zone", "nova", "meta",
			     "public_keys"));
	return 0;
}

/* The EC2 meta-data keys we know and their values for 'g' (NULL: none to give). */
static const char *ec2_value(const struct guest *g, const char *key)
{
	if (strcmp(key, "instance-id") == 0)
		return g->who.instance_id;
	if (strcmp(key, "hostname") == 0 || strcmp(key, "local-hostname") == 0)
		return g->hostname;
	if (strcmp(key, "local-ipv4") == 0)
		return g->who.ip[0] && strchr(g->who.ip, ':') == NULL ? g->who.ip : NULL;
	return NULL;
}

static int ec2_index(struct req *rq, struct err *err)
{
	static const char *const keys[] = { "hostname", "instance-id", "local-hostname",
					    "local-ipv4" };
	struct guest g;
	char buf[128] = "";

	if (!version_ok(req_param(rq, "version")))
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	if (identify(rq, &g, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (ec2_value(&g, keys[i]) != NULL) {
			strcat(buf, keys[i]);
			strcat(buf, "\n");
		}
	reply_text(rq, 200, "text/plain", buf);
	return 0;
}

static int ec2_key(struct req *rq, struct err *err)
{
	struct guest g;
	const char *v;

	if (!version_ok(req_param(rq, "version")))
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	if (identify(rq, &g, err) < 0)
		return -1;
	v = ec2_value(&g, req_param(rq, "key"));
	if (v == NULL)
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	reply_text(rq, 200, "text/plain", v);
	return 0;
}

static const struct route md_routes[] = {
	{ HTTP_GET, "", root, NULL },
	{ HTTP_GET, "/openstack", os_versions, NULL },
	{ HTTP_GET, "/openstack/{version}", os_index, NULL },
	{ HTTP_GET, "/openstack/{version}/meta_data.json", os_meta_data, NULL },
	{ HTTP_GET, "/{version}/meta-data", ec2_index, NULL },
	{ HTTP_GET, "/{version}/meta-data/{key}", ec2_key, NULL },
	{ 0 },
};

static const struct route *const routes[] = { md_routes, NULL };

/* Plain text, as Nova's metadata API (webob) answers errors. */
static void render_error(struct req *rq, const struct err *err)
{
	int status = err_status(err->kind);

	reply_text(rq, status, "text/plain",
		   req_printf(rq, "%d %s\n\n%s\n", status, err_title(err->kind), err->msg));
}

static const struct service md_service = {
	.name = "metadata",
	.prefix = "/metadata",
	.routes = routes,
	.render_error = render_error,
};

const struct service *net_metadata_http_service(void)
{
	return &md_service;
}

void net_metadata_register(void)
{
	http_register(&md_service);
}
