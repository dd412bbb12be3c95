/* The linuxbridge data plane (netdrv.h): bridges, VXLAN, namespaces, dnsmasq, nftables.
 *
 * Names. Everything this driver makes is named from an id, so that the host itself says
 * what exists and a restart needs no memory of its own:
 *   brq<net id:11>       the network's bridge (root namespace), mtu of the network
 *   vxlan-<vni>          a vxlan network's VXLAN link (learning, no peers on one host),
 *                        enslaved to the bridge; flat/vlan/local networks are the bridge
 *                        alone (physnet "public" and any other: an isolated bridge)
 *   tap<port id:11>      the root end of a port: an instance's tap (made by the hypervisor
 *                        or a test, plugged here into its network's bridge) or the root
 *                        end of one of our veths
 *   qdhcp-<net id>       the DHCP namespace, with ns-<dhcp port id:11> (the DHCP port's
 *                        MAC and addresses, and 169.254.169.254/32), one dnsmasq, and
 *                        the metadata listener (priv_listen_tcp, served by
 *                        metadata_proxy.c; DHCP's option 121 routes guests to it)
 *   qrouter-<router id>  a router: qr-<port:11> per interface (the port's MAC, the subnet
 *                        gateway address), qg-<port:11> on the external network's bridge
 *                        (gateway address and floating IPs), default route, ip_forward,
 *                        and nftables table inet ciel-nat
 *   table bridge/inet ciel   security groups of all instance ports (root namespace)
 *
 * What lives where. nft_render.c and dhcp_render.c turn the model into text and do
 * nothing else; this file decides what to change and asks the privileged helper
 * (priv.h) for every privileged step: it never runs ip, nft or dnsmasq itself. Files live
 * under the state directory: dhcp/<net id>/{conf,host,opts,leases,pid} and
 * nft/{filter,qrouter-<id>}.nft (written here, read by the helper and dnsmasq).
 *
 * How a change flows. The API writes the database and kicks the sync worker; it loads the
 * whole model and calls apply(). apply() computes, per part, a signature of everything
 * the part depends on (a network's type/VNI/mtu; a DHCP network's three rendered files
 * and its port; a router's legs, routes and rendered NAT; the rendered filter), and
 * touches only parts whose signature differs from the last converged one or whose
 * namespace/bridge vanished from the host; every ~25 s an apply also re-walks DHCP and
 * routers and re-applies the filter, so a dead dnsmasq or a flushed table heals without
 * a change in the model. A port create on a host with 200 networks thus
 * rewrites one hosts file (temp + rename, then SIGHUP to that network's dnsmasq; only a
 * conf change restarts dnsmasq) and the filter table (one atomic nft batch). The first
 * apply after start has no signatures: it walks everything, every step idempotent, and
 * compares the files on disk, so a settled host sees no restart; orphans (our names that
 * the model lacks) are removed on every apply. A part that fails keeps no signature and
 * is retried by the next apply; its ports are not reported up.
 *
 * Instance taps appear after their port is created (the hypervisor makes them), so a
 * watcher thread listens for link events (rtnetlink, no privilege needed to listen) and
 * plugs a known tap into its bridge at once, through the helper. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "network"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "network/dhcp_render.h"
#include "network/ipam_addr.h"
#include "network/metadata_proxy.h"
#include "network/netdrv.h"
#include "network/nft_render.h"
#include "network/priv.h"

#define DEEP_CHECK_MS 25000 /* how often an apply re-checks that unchanged parts still run */

/* ---- a small sorted string map: id -> signature ---------------------------------------- */

struct kv {
	char *key, *val;
};

struct kvmap {
	struct kv *v;
	int n, cap;
};

static void kv_put(struct kvmap *m, const char *key, char *val)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 32;
		m->v = xrealloc(m->v, (size_t)m->cap * sizeof(*m->v));
	}
	m->v[m->n].key = xstrdup(key);
	m->v[m->n].val = val;
	m->n++;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static void kv_sort(struct kvmap *m)
{
	if (m->n > 1)
		qsort(m->v, (size_t)m->n, sizeof(*m->v), kv_cmp);
}

static const struct kv *kv_find(const struct kvmap *m, const char *key)
{
	struct kv k = { .key = (char *)key };

	return m->n ? bsearch(&k, m->v, (size_t)m->n, sizeof(*m->v), kv_cmp) : NULL;
}

/* The value of 'key' (borrowed), or NULL. The map must be sorted. */
static const char *kv_get(const struct kvmap *m, const char *key)
{
	const struct kv *hit = kv_find(m, key);

	return hit != NULL ? hit->val : NULL;
}

/* True when 'key' is in the (sorted) map, whatever its value. */
static bool kv_has(const struct kvmap *m, const char *key)
{
	return kv_find(m, key) != NULL;
}

static void kv_free(struct kvmap *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].val);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- the driver -------------------------------------------------------------------------- */

struct plug {
	char tap[16], bridge[16];
	bool up;
};

struct linux_drv {
	struct netdrv base;
	char *state_dir;
	bool applied;          /* an apply ran since start: signatures are meaningful */
	bool sysctls_done;     /* bridge-nf-call-ip{,6}tables set */
	int64_t last_deep_ms;  /* last apply that re-checked unchanged parts */
	struct kvmap nets;     /* network id -> signature, converged */
	struct kvmap dhcp;     /* network id -> signature of its DHCP, converged */
	struct kvmap routers;  /* router id -> signature, converged */
	struct kvmap rroutes;  /* router id -> its static routes as applied ("dst nh\n"...) */
	char *filter;          /* the filter script last applied */

	pthread_mutex_t lock;  /* guards plugs, nplugs, stop */
	struct plug *plugs;    /* instance taps and their bridges, for the watcher */
	int nplugs;
	bool stop;
	int wake_fd;           /* eventfd: wakes the watcher to stop */
	int nl_fd;             /* rtnetlink link events, -1 when unavailable */
	pthread_t watcher;
	bool watcher_started;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A path under the state dir into 'out' (PRIV_PATH_SIZE); -1 with err when too long. */
static int state_path(const struct linux_drv *d, char out[PRIV_PATH_SIZE], struct err *err,
		      const char *fmt, const char *a, const char *b)
{
	char rel[PRIV_PATH_SIZE];

	if ((size_t)snprintf(rel, sizeof(rel), fmt, a, b) >= sizeof(rel) ||
	    (size_t)snprintf(out, PRIV_PATH_SIZE, "%s/%s", d->state_dir, rel) >= PRIV_PATH_SIZE)
		return err_set(err, ERR_INTERNAL, "path under %s too long", d->state_dir);
	return 0;
}

/* Writes 'text' to 'path' (temp + rename) unless the file holds it already. Sets
 * '*changed' when it wrote. */
static int file_sync(const char *path, const char *text, bool *changed, struct err *err)
{
	size_t size = 0;
	char *old = util_read_file(path, &size);
	bool same = old != NULL && size == strlen(text) && memcmp(old, text, size) == 0;

	free(old);
	*changed = !same;
	if (same)
		return 0;
	if (util_write_file(path, text, strlen(text), 0644) < 0)
		return err_set(err, ERR_INTERNAL, "write %s: %s", path, strerror(errno));
	return 0;
}

static bool port_is_leg(const struct net_model_port *p)
{
	return strncmp(p->device_owner, "network:dhcp", 12) == 0 ||
	       strncmp(p->device_owner, "network:router_", 15) == 0;
}

/* ---- host state: links and namespaces present ------------------------------------------ */

struct host {
	struct priv_link *links; /* root namespace, ours */
	int nlinks;
	char (*ns)[64];
	int nns;
};

static const struct priv_link *host_link(const struct host *h, const char *name)
{
	for (int i = 0; i < h->nlinks; i++)
		if (strcmp(h->links[i].name, name) == 0)
			return &h->links[i];
	return NULL;
}

static bool host_has_ns(const struct host *h, const char *ns)
{
	for (int i = 0; i < h->nns; i++)
		if (strcmp(h->ns[i], ns) == 0)
			return true;
	return false;
}

/* ---- networks ------------------------------------------------------------------------- */

static char *net_signature(const struct net_model_network *n)
{
	return xasprintf("%s|%d|%d|%s", n->type, n->segmentation_id, n->mtu, n->physnet);
}

static bool net_is_vxlan(const struct net_model_network *n)
{
	return strcmp(n->type, "vxlan") == 0 && n->segmentation_id > 0;
}

/* The bridge of 'n', its VXLAN link when it has one, all up. Idempotent. */
static int network_ensure(const struct net_model_network *n, struct err *err)
{
	char br[16], key[64];

	nft_link_name(br, "brq", n->id);
	if (priv_bridge_add(br, n->mtu, err) < 0)
		return -1;
	snprintf(key, sizeof(key), "net.ipv6.conf.%s.disable_ipv6", br);
	if (priv_sysctl_set(NULL, key, "1", err) < 0)
		return -1;
	if (net_is_vxlan(n)) {
		struct priv_vxlan vx = { .vni = n->segmentation_id, .mtu = n->mtu,
					 .learning = true };

		/* VNIs have 24 bits: at most 8 digits */
		snprintf(vx.name, sizeof(vx.name), "vxlan-%u",
			 (unsigned int)n->segmentation_id % 100000000u);
		if (priv_vxlan_add(&vx, err) < 0 || priv_link_set_mtu(NULL, vx.name, n->mtu, err) < 0 ||
		    priv_link_set_master(NULL, vx.name, br, err) < 0 ||
		    priv_link_set_up(NULL, vx.name, true, err) < 0)
			return -1;
	}
	return priv_link_set_up(NULL, br, true, err);
}

/* ---- legs: a veth from a bridge into a namespace, with the port's MAC and addresses --- */

/* Makes the leg of port 'p' ('prefix' names the namespace end) into 'ns' on the bridge of
 * the port's network, with the port's addresses (prefix length from their subnets) plus
 * 'extra' (n_extra CIDRs); removes other global addresses from the namespace end. */
static int leg_ensure(const struct net_model *m, const char *ns, const struct net_model_port *p,
		      const char *prefix, char (*extra)[NET_CIDR_STRLEN], int n_extra,
		      struct err *err)
{
	const struct net_model_network *n = net_model_network(m, p->network_id);
	struct priv_veth v = { 0 };
	char (*want)[NET_CIDR_STRLEN] = xcalloc((size_t)(p->nips + n_extra) + 1, sizeof(*want));
	char (*have)[50] = NULL;
	int nwant = 0, nhave = 0, rc = -1;

	nft_link_name(v.name, "tap", p->id);
	if (n != NULL)
		nft_link_name(v.bridge, "brq", n->id);
	snprintf(v.ns, sizeof(v.ns), "%s", ns);
	nft_link_name(v.peer, prefix, p->id);
	snprintf(v.peer_mac, sizeof(v.peer_mac), "%s", p->mac);
	v.mtu = n != NULL ? n->mtu : 0;
	if (priv_veth_add(&v, err) < 0)
		goto out;
	for (int a = 0; a < p->nips; a++) {
		const struct net_model_subnet *s = net_model_subnet(m, p->ips[a].subnet_id);
		struct net_cidr c;

		if (s == NULL || net_cidr_parse(s->cidr, &c) < 0)
			continue;
		snprintf(want[nwant++], NET_CIDR_STRLEN, "%s/%d", p->ips[a].address, c.prefixlen);
	}
	for (int e = 0; e < n_extra; e++)
		snprintf(want[nwant++], NET_CIDR_STRLEN, "%s", extra[e]);
	if (priv_addr_list(ns, v.peer, &have, &nhave, err) < 0)
		goto out;
	for (int h = 0; h < nhave; h++) {
		bool keep = false;

		for (int w = 0; w < nwant && !keep; w++)
			keep = strcmp(have[h], want[w]) == 0;
		if (!keep && priv_addr_del(ns, v.peer, have[h], err) < 0)
			goto out;
	}
	for (int w = 0; w < nwant; w++) {
		bool there = false;

		for (int h = 0; h < nhave && !there; h++)
			there = strcmp(have[h], want[w]) == 0;
		if (!there && priv_addr_add(ns, v.peer, want[w], err) < 0)
			goto out;
	}
	rc = 0;
out:
	free(want);
	free(have);
	return rc;
}

/* Deletes the links of 'ns' named with 'prefixes' that 'keep' (nkeep names) lacks. */
static int legs_prune(const char *ns, const char *const *prefixes, int nprefixes,
		      char (*keep)[16], int nkeep, struct err *err)
{
	struct priv_link *links = NULL;
	int n = 0, rc = 0;

	if (priv_link_list(ns, &links, &n, err) < 0)
		return -1;
	for (int i = 0; i < n && rc == 0; i++) {
		bool ours = false, wanted = false;

		for (int p = 0; p < nprefixes && !ours; p++)
			ours = strncmp(links[i].name, prefixes[p], strlen(prefixes[p])) == 0;
		for (int k = 0; k < nkeep && !wanted; k++)
			wanted = strcmp(links[i].name, keep[k]) == 0;
		if (ours && !wanted)
			rc = priv_link_del(ns, links[i].name, err);
	}
	free(links);
	return rc;
}

/* ---- DHCP ----------------------------------------------------------------------------- */

static const struct net_model_port *dhcp_port_of(const struct net_model *m,
						  const struct net_model_network *n)
{
	for (int i = 0; i < m->nports; i++)
		if (strcmp(m->ports[i].network_id, n->id) == 0 &&
		    strcmp(m->ports[i].device_owner, "network:dhcp") == 0)
			return &m->ports[i];
	return NULL;
}

/* The metadata listener of namespace 'ns' (169.254.169.254:80, made by the helper and
 * served by metadata_proxy.c), unless the proxy serves it already. */
static int metadata_ensure(const char *ns, struct err *err)
{
	int fd;

	if (net_mdproxy_has(ns))
		return 0;
	if (priv_listen_tcp(ns, DHCP_METADATA_IP, 80, &fd, err) < 0)
		return -1;
	return net_mdproxy_add(ns, fd, err);
}

struct dhcp_files {
	char *conf, *hosts, *opts;
};

static void dhcp_files_free(struct dhcp_files *f)
{
	free(f->conf);
	free(f->hosts);
	free(f->opts);
}

/* Converges the DHCP of network 'n': namespace, leg, metadata listener, files, dnsmasq.
 * Files are compared with what is on disk, so a running dnsmasq whose conf is unchanged
 * is kept (a restart of ciel restarts nothing); it is signalled when its hosts or opts
 * changed, or when 'changed' (the model changed since the last converged apply: a
 * signal that failed then is sent again). Sets '*started' when it started dnsmasq: the
 * start is not confirmed (the helper answers before dnsmasq is ready, so that starts
 * overlap), and dhcp_confirm() must follow. */
static int dhcp_ensure(struct linux_drv *d, const struct net_model *m,
		       const struct net_model_network *n, const struct net_model_port *dp,
		       const struct dhcp_files *files, bool changed, bool *started,
		       struct err *err)
{
	char ns[64], dir[PRIV_PATH_SIZE], conf[PRIV_PATH_SIZE], host[PRIV_PATH_SIZE];
	char opts[PRIV_PATH_SIZE], pid[PRIV_PATH_SIZE];
	char md[1][NET_CIDR_STRLEN] = { DHCP_METADATA_IP "/32" };
	bool conf_changed, hosts_changed, opts_changed, running = false;

	snprintf(ns, sizeof(ns), "qdhcp-%s", n->id);
	if (state_path(d, dir, err, "dhcp/%s%s", n->id, "") < 0 ||
	    state_path(d, conf, err, "dhcp/%s/%s", n->id, "conf") < 0 ||
	    state_path(d, host, err, "dhcp/%s/%s", n->id, "host") < 0 ||
	    state_path(d, opts, err, "dhcp/%s/%s", n->id, "opts") < 0 ||
	    state_path(d, pid, err, "dhcp/%s/%s", n->id, "pid") < 0)
		return -1;
	if (util_mkdir_p(dir, 0755) < 0)
		return err_set(err, ERR_INTERNAL, "mkdir %s: %s", dir, strerror(errno));
	if (priv_netns_add(ns, err) < 0 || leg_ensure(m, ns, dp, "ns-", md, 1, err) < 0 ||
	    metadata_ensure(ns, err) < 0)
		return -1;
	if (file_sync(host, files->hosts, &hosts_changed, err) < 0 ||
	    file_sync(opts, files->opts, &opts_changed, err) < 0 ||
	    file_sync(conf, files->conf, &conf_changed, err) < 0)
		return -1;
	if (priv_dnsmasq_running(pid, &running, err) < 0)
		return -1;
	if (running && conf_changed) {
		log_info("dhcp %s: conf changed, restarting dnsmasq", n->id);
		if (priv_dnsmasq_stop(pid, err) < 0)
			return -1;
		running = false;
	}
	if (!running) {
		if (priv_dnsmasq_start(ns, conf, pid, err) < 0)
			return -1;
		*started = true;
		return 0;
	}
	if (hosts_changed || opts_changed || changed)
		return priv_dnsmasq_hup(pid, err);
	return 0;
}

/* Whether the dnsmasq that dhcp_ensure() started for network 'id' runs: waits for its
 * start; -1 with err when it failed. */
static int dhcp_confirm(struct linux_drv *d, const char *id, struct err *err)
{
	char pid[PRIV_PATH_SIZE];
	bool running = false;

	if (state_path(d, pid, err, "dhcp/%s/%s", id, "pid") < 0 ||
	    priv_dnsmasq_running(pid, &running, err) < 0)
		return -1;
	return running ? 0 : err_set(err, ERR_INTERNAL, "dnsmasq did not start");
}

/* Stops the dnsmasq of network 'id' and removes its namespace and files. */
static int dhcp_remove(struct linux_drv *d, const char *id, struct err *err)
{
	static const char *const files[] = { "conf", "host", "opts", "leases", "pid" };
	char ns[64], path[PRIV_PATH_SIZE];

	if (state_path(d, path, err, "dhcp/%s/%s", id, "pid") < 0)
		return -1;
	/* no directory: no dnsmasq of ours (the namespace came from elsewhere) */
	if (access(path, F_OK) == 0 && priv_dnsmasq_stop(path, err) < 0)
		return -1;
	snprintf(ns, sizeof(ns), "qdhcp-%s", id);
	net_mdproxy_remove(ns);
	if (priv_netns_del(ns, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (state_path(d, path, err, "dhcp/%s/%s", id, files[i]) == 0)
			unlink(path);
	if (state_path(d, path, err, "dhcp/%s%s", id, "") == 0)
		rmdir(path);
	return 0;
}

/* ---- routers -------------------------------------------------------------------------- */

/* The floating IPs of router 'r' as "a.b.c.d/32" (caller frees). */
static char (*router_fips(const struct net_model *m, const struct net_model_router *r,
			  int *n))[NET_CIDR_STRLEN]
{
	char (*out)[NET_CIDR_STRLEN] = xcalloc((size_t)m->nfips + 1, sizeof(*out));

	*n = 0;
	for (int i = 0; i < m->nfips; i++)
		if (strcmp(m->fips[i].router_id, r->id) == 0 && m->fips[i].fixed_ip[0] != '\0' &&
		    strchr(m->fips[i].floating_ip, ':') == NULL)
			snprintf(out[(*n)++], NET_CIDR_STRLEN, "%s/32", m->fips[i].floating_ip);
	return out;
}

/* Everything router 'r' depends on, in one string (with its rendered NAT 'nat'). */
static char *router_signature(const struct net_model *m, const struct net_model_router *r,
			      const char *nat)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	const struct net_model_port *gw = r->gw_port_id[0] ? net_model_port(m, r->gw_port_id) : NULL;

	BUG_ON(f == NULL);
	for (int i = -1; i < r->ninterfaces; i++) {
		const struct net_model_port *p = i < 0 ? gw : net_model_port(m, r->interfaces[i]);
		const struct net_model_network *n = p != NULL ? net_model_network(m, p->network_id) : NULL;

		if (p == NULL)
			continue;
		fprintf(f, "leg %s %s %s %d", p->id, p->mac, p->network_id, n ? n->mtu : 0);
		for (int a = 0; a < p->nips; a++) {
			const struct net_model_subnet *s = net_model_subnet(m, p->ips[a].subnet_id);

			fprintf(f, " %s@%s/%s", p->ips[a].address, s ? s->cidr : "",
				s ? s->gateway : "");
		}
		fputc('\n', f);
	}
	for (int i = 0; i < r->nroutes; i++)
		fprintf(f, "route %s %s\n", r->routes[i].destination, r->routes[i].nexthop);
	fputs(nat, f);
	fclose(f);
	return text;
}

static int router_routes(const struct linux_drv *d, const char *ns,
			 const struct net_model_router *r, const struct net_model *m,
			 const struct net_model_port *gw, struct err *err)
{
	const char *old = kv_get(&d->rroutes, r->id);
	bool def4 = false, def6 = false;
	char qg[16];

	if (gw != NULL) {
		nft_link_name(qg, "qg-", gw->id);
		for (int a = 0; a < gw->nips; a++) {
			const struct net_model_subnet *s = net_model_subnet(m, gw->ips[a].subnet_id);
			bool v6;

			if (s == NULL || s->gateway[0] == '\0')
				continue;
			v6 = s->ip_version == 6;
			if ((v6 && def6) || (!v6 && def4))
				continue;
			if (priv_route_replace(ns, v6 ? "default6" : "default", s->gateway, qg,
					       err) < 0)
				return -1;
			*(v6 ? &def6 : &def4) = true;
		}
	}
	if (!def4 && priv_route_del(ns, "default", err) < 0)
		return -1;
	if (!def6 && priv_route_del(ns, "default6", err) < 0)
		return -1;
	/* routes applied before and gone now */
	for (const char *line = old; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		char dst[64];
		bool kept = false;

		if (sscanf(line, "%63s", dst) == 1) {
			for (int i = 0; i < r->nroutes && !kept; i++)
				kept = strcmp(r->routes[i].destination, dst) == 0;
			if (!kept && priv_route_del(ns, dst, err) < 0)
				return -1;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	for (int i = 0; i < r->nroutes; i++)
		if (priv_route_replace(ns, r->routes[i].destination, r->routes[i].nexthop, NULL,
				       err) < 0)
			return -1;
	return 0;
}

static char *routes_text(const struct net_model_router *r)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	BUG_ON(f == NULL);
	for (int i = 0; i < r->nroutes; i++)
		fprintf(f, "%s %s\n", r->routes[i].destination, r->routes[i].nexthop);
	fclose(f);
	return text;
}

/* Converges router 'r': namespace, forwarding, legs (stale ones removed), routes, NAT. */
static int router_ensure(struct linux_drv *d, const struct net_model *m,
			 const struct net_model_router *r, const char *nat, struct err *err)
{
	static const char *const leg_prefixes[] = { "qr-", "qg-" };
	const struct net_model_port *gw = r->gw_port_id[0] ? net_model_port(m, r->gw_port_id) : NULL;
	char ns[64], path[PRIV_PATH_SIZE];
	char (*keep)[16] = xcalloc((size_t)r->ninterfaces + 1, sizeof(*keep));
	char (*fips)[NET_CIDR_STRLEN] = NULL;
	int nkeep = 0, nfips = 0, rc = -1;
	bool changed;

	snprintf(ns, sizeof(ns), "qrouter-%s", r->id);
	if (priv_netns_add(ns, err) < 0 ||
	    priv_sysctl_set(ns, "net.ipv4.ip_forward", "1", err) < 0 ||
	    priv_sysctl_set(ns, "net.ipv6.conf.all.forwarding", "1", err) < 0)
		goto out;
	for (int i = 0; i < r->ninterfaces; i++) {
		const struct net_model_port *p = net_model_port(m, r->interfaces[i]);

		if (p == NULL)
			continue;
		if (leg_ensure(m, ns, p, "qr-", NULL, 0, err) < 0)
			goto out;
		nft_link_name(keep[nkeep++], "qr-", p->id);
	}
	if (gw != NULL) {
		fips = router_fips(m, r, &nfips);
		if (leg_ensure(m, ns, gw, "qg-", fips, nfips, err) < 0)
			goto out;
		nft_link_name(keep[nkeep++], "qg-", gw->id);
	}
	if (legs_prune(ns, leg_prefixes, 2, keep, nkeep, err) < 0 ||
	    router_routes(d, ns, r, m, gw, err) < 0)
		goto out;
	if (state_path(d, path, err, "nft/qrouter-%s.nft%s", r->id, "") < 0 ||
	    file_sync(path, nat, &changed, err) < 0 || priv_nft_apply(ns, path, err) < 0)
		goto out;
	rc = 0;
out:
	free(keep);
	free(fips);
	return rc;
}

static int router_remove(struct linux_drv *d, const char *id, struct err *err)
{
	char ns[64], path[PRIV_PATH_SIZE];

	snprintf(ns, sizeof(ns), "qrouter-%s", id);
	if (priv_netns_del(ns, err) < 0)
		return -1;
	if (state_path(d, path, err, "nft/qrouter-%s.nft%s", id, "") == 0)
		unlink(path);
	return 0;
}

/* ---- orphans ------------------------------------------------------------------------- */

/* Removes namespaces, links, dnsmasqs and files of ours that 'm' does not want. */
static int orphans_remove(struct linux_drv *d, const struct net_model *m,
			  const struct host *h, const struct kvmap *want_dhcp,
			  const struct kvmap *want_routers, struct err *err)
{
	struct kvmap links = { 0 };
	char path[PRIV_PATH_SIZE];
	DIR *dir;
	int rc = 0;

	for (int i = 0; i < h->nns; i++) {
		const char *ns = h->ns[i];

		if (strncmp(ns, "qdhcp-", 6) == 0 && !kv_has(want_dhcp, ns + 6)) {
			log_info("dhcp %s: not in the model, removing", ns + 6);
			if (dhcp_remove(d, ns + 6, err) < 0)
				rc = -1;
		} else if (strncmp(ns, "qrouter-", 8) == 0 && !kv_has(want_routers, ns + 8)) {
			log_info("router %s: not in the model, removing", ns + 8);
			if (router_remove(d, ns + 8, err) < 0)
				rc = -1;
		}
	}
	/* dnsmasq directories without a namespace (a crash between the two) */
	if (state_path(d, path, err, "dhcp%s%s", "", "") == 0 && (dir = opendir(path)) != NULL) {
		struct dirent *e;
		char ns[80];

		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.' || strlen(e->d_name) > 36)
				continue;
			snprintf(ns, sizeof(ns), "qdhcp-%s", e->d_name);
			if (!kv_has(want_dhcp, e->d_name) && !host_has_ns(h, ns) &&
			    dhcp_remove(d, e->d_name, err) < 0)
				rc = -1;
		}
		closedir(dir);
	}
	/* bridges and VXLAN links: the names the model's networks give */
	for (int k = 0; k < m->nnetworks; k++) {
		char name[24];

		nft_link_name(name, "brq", m->networks[k].id);
		kv_put(&links, name, NULL);
		if (net_is_vxlan(&m->networks[k])) {
			snprintf(name, sizeof(name), "vxlan-%d", m->networks[k].segmentation_id);
			kv_put(&links, name, NULL);
		}
	}
	kv_sort(&links);
	for (int i = 0; i < h->nlinks; i++) {
		const char *name = h->links[i].name;

		if (strncmp(name, "brq", 3) != 0 && strncmp(name, "vxlan-", 6) != 0)
			continue;
		if (!kv_has(&links, name)) {
			log_info("link %s: not in the model, removing", name);
			if (priv_link_del(NULL, name, err) < 0)
				rc = -1;
		}
	}
	kv_free(&links);
	return rc;
}

/* ---- instance taps --------------------------------------------------------------------- */

/* Plugs every tap of 'plugs' present in 'links' into its bridge (and sets it up/down). */
static void plugs_apply(const struct plug *plugs, int nplugs, const struct priv_link *links,
			int nlinks, struct err *err)
{
	for (int i = 0; i < nplugs; i++) {
		const struct priv_link *l = NULL;

		for (int k = 0; k < nlinks && l == NULL; k++)
			if (strcmp(links[k].name, plugs[i].tap) == 0)
				l = &links[k];
		if (l == NULL || strcmp(l->kind, "bridge") == 0)
			continue;
		if (strcmp(l->master, plugs[i].bridge) != 0) {
			log_info("tap %s: plugging into %s", plugs[i].tap, plugs[i].bridge);
			if (priv_link_set_master(NULL, plugs[i].tap, plugs[i].bridge, err) < 0)
				continue;
		}
		if (l->up != plugs[i].up)
			priv_link_set_up(NULL, plugs[i].tap, plugs[i].up, err);
	}
}

/* The link an RTM_NEWLINK or RTM_DELLINK message 'nh' describes (name, kind, master, up)
 * into 'l'; false when it is no such message or names no link. */
static bool link_of_event(const struct nlmsghdr *nh, struct priv_link *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

	memset(l, 0, sizeof(*l));
	if ((nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK) || len < 0)
		return false;
	l->up = (ifi->ifi_flags & IFF_UP) != 0;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME) {
			snprintf(l->name, sizeof(l->name), "%.*s", (int)RTA_PAYLOAD(a),
				 (const char *)RTA_DATA(a));
		} else if (a->rta_type == IFLA_MASTER && RTA_PAYLOAD(a) >= sizeof(uint32_t)) {
			uint32_t idx;
			char name[IF_NAMESIZE];

			memcpy(&idx, RTA_DATA(a), sizeof(idx));
			if (idx != 0 && if_indextoname(idx, name) != NULL)
				snprintf(l->master, sizeof(l->master), "%s", name);
		} else if (a->rta_type == IFLA_LINKINFO) {
			int ilen = (int)RTA_PAYLOAD(a);

			for (const struct rtattr *i = RTA_DATA(a); RTA_OK(i, ilen);
			     i = RTA_NEXT(i, ilen))
				if (i->rta_type == IFLA_INFO_KIND)
					snprintf(l->kind, sizeof(l->kind), "%.*s",
						 (int)RTA_PAYLOAD(i), (const char *)RTA_DATA(i));
		}
	}
	return l->name[0] != '\0';
}

/* Reads every pending link event of 'fd' into 'ev' (the latest state per tap name; *nev
 * entries, 'cap' at most). Returns true when events were lost or 'ev' is full: the
 * caller must then look at the whole host instead. */
static bool link_events_read(int fd, struct priv_link *ev, int *nev, int cap)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool lost = false;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		unsigned int len = (unsigned int)n; /* NLMSG_OK compares it with __u32 fields */

		if (n < 0) {
			if (errno == EINTR)
				continue;
			lost = lost || errno == ENOBUFS;
			break;
		}
		for (const struct nlmsghdr *nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct priv_link l;
			int k = 0;

			if (!link_of_event(nh, &l) || strncmp(l.name, "tap", 3) != 0)
				continue;
			while (k < *nev && strcmp(ev[k].name, l.name) != 0)
				k++;
			if (nh->nlmsg_type == RTM_DELLINK) {
				/* gone: its last states (released, down) need no plugging */
				if (k < *nev)
					ev[k] = ev[--(*nev)];
				continue;
			}
			if (k == cap) {
				lost = true;
				continue;
			}
			ev[k] = l;
			if (k == *nev)
				(*nev)++;
		}
	}
	/* a tap being deleted says "released, down" before it goes: skip those gone now */
	for (int k = 0; k < *nev;)
		if (if_nametoindex(ev[k].name) == 0)
			ev[k] = ev[--(*nev)];
		else
			k++;
	return lost;
}

/* Plugs taps as they appear. A link event names the link, its master and its state, so
 * only a tap of a known port costs a helper call; the whole host is listed only when
 * events were lost and every 2 s (a safety net), never per event: while an apply makes
 * hundreds of links, a list per event would keep the helper busy. */
static void *watcher_main(void *arg)
{
	enum { MAX_EVENTS = 64 };
	struct linux_drv *d = arg;
	struct priv_link ev[MAX_EVENTS];

	for (;;) {
		struct pollfd pfd[2] = { { .fd = d->wake_fd, .events = POLLIN },
					 { .fd = d->nl_fd, .events = POLLIN } };
		struct priv_link *links = NULL;
		struct plug *plugs;
		struct err err = { 0 };
		int nplugs, nlinks = 0, nev = 0, rc;
		bool full;

		rc = poll(pfd, d->nl_fd >= 0 ? 2 : 1, 2000);
		if (rc < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&d->lock);
		if (d->stop) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		pthread_mutex_unlock(&d->lock);
		full = rc == 0;
		if (d->nl_fd >= 0 && (pfd[1].revents & POLLIN))
			full = link_events_read(d->nl_fd, ev, &nev, MAX_EVENTS) || full;
		if (!full && nev == 0)
			continue;
		pthread_mutex_lock(&d->lock);
		nplugs = d->nplugs;
		plugs = nplugs ? xmalloc((size_t)nplugs * sizeof(*plugs)) : NULL;
		if (nplugs)
			memcpy(plugs, d->plugs, (size_t)nplugs * sizeof(*plugs));
		pthread_mutex_unlock(&d->lock);
		if (nplugs > 0 && priv_running()) {
			if (!full)
				plugs_apply(plugs, nplugs, ev, nev, &err);
			else if (priv_link_list(NULL, &links, &nlinks, &err) == 0)
				plugs_apply(plugs, nplugs, links, nlinks, &err);
		}
		if (err.kind != ERR_NONE)
			log_debug("tap watcher: %s", err.msg);
		free(links);
		free(plugs);
	}
	return NULL;
}

/* ---- apply ---------------------------------------------------------------------------- */

static void first_err(struct err *err, const struct err *e, const char *what, const char *id)
{
	log_warn("%s %s: %s", what, id, e->msg);
	err_set(err, e->kind ? e->kind : ERR_INTERNAL, "%s %s: %s", what, id, e->msg);
}

/* True when the model has a port of an instance (not the network's own: DHCP, router
 * legs, floating IPs), the only ports security groups filter. */
static bool has_instance_ports(const struct net_model *m)
{
	for (int i = 0; i < m->nports; i++)
		if (strncmp(m->ports[i].device_owner, "network:", 8) != 0)
			return true;
	return false;
}

static int linux_apply(struct netdrv *base, const struct net_model *m,
		       void (*port_up)(const char *port_id, void *ctx), void *ctx,
		       struct err *err)
{
	struct linux_drv *d = (struct linux_drv *)base;
	struct kvmap nets = { 0 }, dhcp = { 0 }, routers = { 0 }, rroutes = { 0 };
	struct kvmap want_dhcp = { 0 }, want_routers = { 0 }, started = { 0 };
	struct host h = { 0 };
	struct plug *plugs;
	int64_t now = mono_ms();
	bool deep = !d->applied || now - d->last_deep_ms >= DEEP_CHECK_MS;
	int nplugs = 0, rc = 0;
	char *filter;
	struct err e = { 0 };

	if (!d->sysctls_done) {
		/* bridged IP through the inet family: the filter's conntrack needs it */
		static const char *const nf[] = { "net.bridge.bridge-nf-call-iptables",
						  "net.bridge.bridge-nf-call-ip6tables" };

		d->sysctls_done = true;
		for (size_t i = 0; i < sizeof(nf) / sizeof(nf[0]); i++) {
			err_clear(&e);
			if (priv_sysctl_set(NULL, nf[i], "1", &e) < 0) {
				first_err(err, &e, "sysctl", nf[i]);
				d->sysctls_done = false;
				rc = -1;
			}
		}
	}
	err_clear(&e);
	if (priv_link_list(NULL, &h.links, &h.nlinks, &e) < 0 ||
	    priv_netns_list(&h.ns, &h.nns, &e) < 0) {
		first_err(err, &e, "host", "state");
		free(h.links);
		return -1;
	}

	/* networks: bridges and VXLAN */
	for (int i = 0; i < m->nnetworks; i++) {
		const struct net_model_network *n = &m->networks[i];
		char *sig = net_signature(n), br[16], vx[16];
		const char *old = kv_get(&d->nets, n->id);

		nft_link_name(br, "brq", n->id);
		snprintf(vx, sizeof(vx), "vxlan-%d", n->segmentation_id);
		err_clear(&e);
		if (old != NULL && strcmp(old, sig) == 0 && host_link(&h, br) != NULL &&
		    (!net_is_vxlan(n) || host_link(&h, vx) != NULL)) {
			kv_put(&nets, n->id, sig);
		} else if (network_ensure(n, &e) == 0) {
			kv_put(&nets, n->id, sig);
		} else {
			first_err(err, &e, "network", n->id);
			free(sig);
			rc = -1;
		}
	}
	kv_sort(&nets);

	/* instance taps: plugged now if present, and by the watcher when they appear */
	plugs = xcalloc((size_t)m->nports + 1, sizeof(*plugs));
	for (int i = 0; i < m->nports; i++) {
		const struct net_model_port *p = &m->ports[i];

		if (port_is_leg(p) || kv_get(&nets, p->network_id) == NULL)
			continue;
		nft_link_name(plugs[nplugs].tap, "tap", p->id);
		nft_link_name(plugs[nplugs].bridge, "brq", p->network_id);
		plugs[nplugs].up = p->admin_up;
		nplugs++;
	}
	err_clear(&e);
	plugs_apply(plugs, nplugs, h.links, h.nlinks, &e);
	if (e.kind != ERR_NONE)
		log_warn("plugging taps: %s", e.msg);
	pthread_mutex_lock(&d->lock);
	free(d->plugs);
	d->plugs = plugs;
	d->nplugs = nplugs;
	pthread_mutex_unlock(&d->lock);

	/* DHCP */
	for (int i = 0; i < m->nnetworks; i++) {
		const struct net_model_network *n = &m->networks[i];
		const struct net_model_port *dp;
		struct dhcp_files files;
		char dir[PRIV_PATH_SIZE], ns[64], *sig;
		const char *old;
		bool start = false;

		if (!dhcp_network_served(m, n) || (dp = dhcp_port_of(m, n)) == NULL ||
		    kv_get(&nets, n->id) == NULL)
			continue;
		err_clear(&e);
		if (state_path(d, dir, &e, "dhcp/%s%s", n->id, "") < 0) {
			first_err(err, &e, "dhcp", n->id);
			rc = -1;
			continue;
		}
		files.conf = dhcp_render_conf(m, n, dp, dir);
		files.hosts = dhcp_render_hosts(m, n, dp);
		files.opts = dhcp_render_opts(m, n, dp);
		sig = xasprintf("%s %s %d\n%s--\n%s--\n%s", dp->id, dp->mac, dp->nips, files.conf,
				files.hosts, files.opts);
		for (int a = 0; a < dp->nips; a++) {
			char *s2 = xasprintf("%s %s", sig, dp->ips[a].address);

			free(sig);
			sig = s2;
		}
		old = kv_get(&d->dhcp, n->id);
		snprintf(ns, sizeof(ns), "qdhcp-%s", n->id);
		if (!deep && old != NULL && strcmp(old, sig) == 0 && host_has_ns(&h, ns)) {
			kv_put(&dhcp, n->id, sig);
		} else if (dhcp_ensure(d, m, n, dp, &files, old != NULL && strcmp(old, sig) != 0,
				       &start, &e) == 0) {
			kv_put(&dhcp, n->id, sig);
			if (start)
				kv_put(&started, n->id, NULL);
		} else {
			first_err(err, &e, "dhcp", n->id);
			free(sig);
			rc = -1;
		}
		dhcp_files_free(&files);
	}
	kv_sort(&dhcp);
	/* the dnsmasqs started above came up side by side; one that failed is not converged
	 * (no signature: retried by the next apply, its ports not up) */
	for (int i = 0; i < started.n; i++) {
		struct kv *kv = (struct kv *)kv_find(&dhcp, started.v[i].key);

		err_clear(&e);
		if (dhcp_confirm(d, started.v[i].key, &e) < 0 && kv != NULL) {
			first_err(err, &e, "dhcp", kv->key);
			free(kv->val);
			kv->val = NULL;
			rc = -1;
		}
	}
	kv_free(&started);

	/* routers */
	for (int i = 0; i < m->nrouters; i++) {
		const struct net_model_router *r = &m->routers[i];
		char *nat = nft_render_nat(m, r), *sig = router_signature(m, r, nat), ns[64];
		const char *old = kv_get(&d->routers, r->id);

		snprintf(ns, sizeof(ns), "qrouter-%s", r->id);
		err_clear(&e);
		if (!deep && old != NULL && strcmp(old, sig) == 0 && host_has_ns(&h, ns)) {
			kv_put(&routers, r->id, sig);
			kv_put(&rroutes, r->id, routes_text(r));
		} else if (router_ensure(d, m, r, nat, &e) == 0) {
			kv_put(&routers, r->id, sig);
			kv_put(&rroutes, r->id, routes_text(r));
		} else {
			/* the routes on the host are still the ones applied before */
			const char *applied = kv_get(&d->rroutes, r->id);

			first_err(err, &e, "router", r->id);
			free(sig);
			if (applied != NULL)
				kv_put(&rroutes, r->id, xstrdup(applied));
			rc = -1;
		}
		free(nat);
	}
	kv_sort(&routers);
	kv_sort(&rroutes);

	/* security groups: only while some instance port exists; without one the tables go,
	 * so that a host with no instance keeps no rule of ours in its forward path */
	err_clear(&e);
	filter = has_instance_ports(m) ? nft_render_filter(m, &e) : xstrdup("");
	if (filter != NULL && *filter == '\0') {
		if (deep || d->filter == NULL || *d->filter != '\0') {
			if (priv_nft_delete(NULL, "bridge", "ciel", &e) < 0 ||
			    priv_nft_delete(NULL, "inet", "ciel", &e) < 0) {
				first_err(err, &e, "filter", "ruleset");
				free(filter);
				filter = NULL;
				rc = -1;
			}
		}
		free(d->filter);
		d->filter = filter;
	} else if (filter == NULL) {
		first_err(err, &e, "filter", "ruleset");
		rc = -1;
	} else if (deep || d->filter == NULL || strcmp(d->filter, filter) != 0) {
		char path[PRIV_PATH_SIZE];
		bool changed;

		if (state_path(d, path, &e, "nft/filter.nft%s%s", "", "") < 0 ||
		    file_sync(path, filter, &changed, &e) < 0 || priv_nft_apply(NULL, path, &e) < 0) {
			first_err(err, &e, "filter", "ruleset");
			free(filter);
			free(d->filter);
			d->filter = NULL;
			rc = -1;
		} else {
			free(d->filter);
			d->filter = filter;
		}
	} else {
		free(filter);
	}

	/* orphans: what the model does not want (a part that failed above is still wanted,
	 * and kept for the next apply to retry) */
	for (int i = 0; i < m->nnetworks; i++)
		if (dhcp_network_served(m, &m->networks[i]) &&
		    dhcp_port_of(m, &m->networks[i]) != NULL)
			kv_put(&want_dhcp, m->networks[i].id, NULL);
	for (int i = 0; i < m->nrouters; i++)
		kv_put(&want_routers, m->routers[i].id, NULL);
	kv_sort(&want_dhcp);
	kv_sort(&want_routers);
	err_clear(&e);
	if (orphans_remove(d, m, &h, &want_dhcp, &want_routers, &e) < 0) {
		first_err(err, &e, "orphans", "cleanup");
		rc = -1;
	}
	kv_free(&want_dhcp);
	kv_free(&want_routers);

	/* ports up: legs with their namespace, the others with their network (and the
	 * filter: a port whose rules are not in place is not up) */
	for (int i = 0; port_up != NULL && i < m->nports; i++) {
		const struct net_model_port *p = &m->ports[i];
		bool up;

		if (strcmp(p->device_owner, "network:dhcp") == 0)
			up = kv_get(&dhcp, p->network_id) != NULL;
		else if (strncmp(p->device_owner, "network:router_", 15) == 0)
			up = kv_get(&routers, p->device_id) != NULL;
		else
			up = kv_get(&nets, p->network_id) != NULL &&
			     (d->filter != NULL || !nft_port_filtered(p));
		if (up)
			port_up(p->id, ctx);
	}

	kv_free(&d->nets);
	kv_free(&d->dhcp);
	kv_free(&d->routers);
	kv_free(&d->rroutes);
	d->nets = nets;
	d->dhcp = dhcp;
	d->routers = routers;
	d->rroutes = rroutes;
	d->applied = true;
	if (deep)
		d->last_deep_ms = now;
	free(h.links);
	free(h.ns);
	return rc;
}

/* ---- teardown, lifetime --------------------------------------------------------------- */

static int linux_teardown(struct netdrv *base, struct err *err)
{
	struct linux_drv *d = (struct linux_drv *)base;
	struct net_model empty = { 0 };
	struct kvmap none = { 0 };
	struct host h = { 0 };
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	free(d->plugs);
	d->plugs = NULL;
	d->nplugs = 0;
	pthread_mutex_unlock(&d->lock);
	if (priv_link_list(NULL, &h.links, &h.nlinks, err) < 0 ||
	    priv_netns_list(&h.ns, &h.nns, err) < 0) {
		free(h.links);
		return -1;
	}
	if (orphans_remove(d, &empty, &h, &none, &none, err) < 0)
		rc = -1;
	if (priv_nft_delete(NULL, "inet", "ciel", err) < 0 ||
	    priv_nft_delete(NULL, "bridge", "ciel", err) < 0)
		rc = -1;
	kv_free(&d->nets);
	kv_free(&d->dhcp);
	kv_free(&d->routers);
	kv_free(&d->rroutes);
	free(d->filter);
	d->filter = NULL;
	d->applied = false;
	free(h.links);
	free(h.ns);
	return rc;
}

static void linux_free(struct netdrv *base)
{
	struct linux_drv *d = (struct linux_drv *)base;
	uint64_t one = 1;

	if (d->watcher_started) {
		pthread_mutex_lock(&d->lock);
		d->stop = true;
		pthread_mutex_unlock(&d->lock);
		if (write(d->wake_fd, &one, sizeof(one)) < 0)
			log_warn("tap watcher: wake: %s", strerror(errno));
		pthread_join(d->watcher, NULL);
	}
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	if (d->nl_fd >= 0)
		close(d->nl_fd);
	kv_free(&d->nets);
	kv_free(&d->dhcp);
	kv_free(&d->routers);
	kv_free(&d->rroutes);
	free(d->filter);
	free(d->plugs);
	free(d->state_dir);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static const struct netdrv_ops linux_ops = {
	.name = "linuxbridge",
	.apply = linux_apply,
	.teardown = linux_teardown,
	.free = linux_free,
};

/* An rtnetlink socket subscribed to link events, or -1. */
static int link_events_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct netdrv *netdrv_linux_new(const char *state_dir, struct err *err)
{
	struct linux_drv *d;
	char *dhcp, *nft;
	int rc;

	if (state_dir == NULL || state_dir[0] != '/')
		return err_set(err, ERR_INTERNAL, "linuxbridge: state dir must be absolute"),
		       NULL;
	if (strlen(state_dir) > PRIV_PATH_SIZE - 64)
		return err_set(err, ERR_INTERNAL, "linuxbridge: state dir %s too long", state_dir),
		       NULL;
	if (!priv_running())
		return err_set(err, ERR_UNAVAILABLE,
			       "linuxbridge: the privileged helper is not running"),
		       NULL;
	dhcp = xasprintf("%s/dhcp", state_dir);
	nft = xasprintf("%s/nft", state_dir);
	rc = util_mkdir_p(dhcp, 0755) < 0 || util_mkdir_p(nft, 0755) < 0 ? -1 : 0;
	if (rc < 0)
		err_set(err, ERR_INTERNAL, "linuxbridge: mkdir under %s: %s", state_dir,
			strerror(errno));
	free(dhcp);
	free(nft);
	if (rc < 0)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->base.ops = &linux_ops;
	d->state_dir = xstrdup(state_dir);
	pthread_mutex_init(&d->lock, NULL);
	d->nl_fd = link_events_open();
	d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->wake_fd >= 0 && pthread_create(&d->watcher, NULL, watcher_main, d) == 0)
		d->watcher_started = true;
	else
		log_warn("linuxbridge: no tap watcher: taps are plugged on each apply only");
	return &d->base;
}
