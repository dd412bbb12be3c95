/* The linuxbridge driver for real (src/network/netdrv_linux.c), as root: the whole test
 * runs in a network namespace of its own (the privileged helper forked from it takes it
 * as its root namespace), so the bridges it makes never meet the host's links; the
 * qdhcp-/qrouter- namespaces carry random ids. Namespaces made here stand in for
 * instances: a veth whose root end is named as Nova's tap would be.
 *
 * It checks what apply() converges (bridges, VXLAN, namespaces, dnsmasq, nftables), that
 * a second apply and a restarted driver change nothing (same ifindexes, same dnsmasq),
 * that traffic behaves (a DHCP lease, ping within the group, a group change blocks it,
 * anti-spoofing, SNAT and a floating IP from an outside namespace), that a port removal
 * only rewrites the hosts file, and that teardown leaves nothing. Skipped when not root. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <spawn.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/util.h"
#include "db_fixture.h"
#include "network/metadata_proxy.h"
#include "network/netdrv.h"
#include "network/network.h"
#include "network/priv.h"

static char state_dir[64];
static char net_a[37], net_e[37], sub_a[37], sub_e[37], sg_def[37], router[37];
static char p_dhcp[37], p_vm1[37], p_vm2[37], p_vm3[37], p_rif[37], p_rgw[37];
static int vni;
static char vm1_ns[32], vm2_ns[32], vm3_ns[32], out_ns[32];
static struct netdrv *drv; /* the driver under test, torn down by teardown() */

/* ---- running commands (argv, no shell) ----------------------------------------------- */

/* Runs argv; returns its exit status (-1 when it could not run). Output into 'out' (may
 * be NULL) up to 'size' bytes. */
static int runv(char *out, size_t size, char *const argv[])
{
	int pfd[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((r = read(pfd[0], out ? out + n : (char[256]){ 0 },
			 out ? size - 1 - n : 256)) > 0)
		if (out != NULL)
			n += (size_t)r;
	close(pfd[0]);
	if (out != NULL)
		out[n] = '\0';
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define RUN(...) runv(NULL, 0, (char *const[]){ __VA_ARGS__, NULL })
#define RUN_OUT(buf, ...) runv((buf), sizeof(buf), (char *const[]){ __VA_ARGS__, NULL })

static bool ping(const char *ns, const char *src, const char *dst)
{
	if (src != NULL)
		return RUN("ip", "netns", "exec", (char *)ns, "busybox", "ping", "-c", "1", "-W", "1", "-I",
			   (char *)src, (char *)dst) == 0;
	return RUN("ip", "netns", "exec", (char *)ns, "busybox", "ping", "-c", "1", "-W", "1",
		   (char *)dst) == 0;
}

/* 'fn' true within 'ms' milliseconds. */
static bool until(bool (*fn)(const void *), const void *arg, int ms)
{
	for (int t = 0; t <= ms; t += 100) {
		if (fn(arg))
			return true;
		usleep(100000);
	}
	return false;
}

/* ---- the model ----------------------------------------------------------------------- */

static struct net_model_ip *ip1(const char *subnet, const char *addr)
{
	struct net_model_ip *ip = xcalloc(1, sizeof(*ip));

	snprintf(ip->subnet_id, sizeof(ip->subnet_id), "%s", subnet);
	snprintf(ip->address, sizeof(ip->address), "%s", addr);
	return ip;
}

static void port_init(struct net_model_port *p, const char *id, const char *net,
		      const char *mac, const char *owner, const char *device, const char *host,
		      const char *subnet, const char *addr, bool security)
{
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->network_id, sizeof(p->network_id), "%s", net);
	snprintf(p->mac, sizeof(p->mac), "%s", mac);
	snprintf(p->device_owner, sizeof(p->device_owner), "%s", owner);
	snprintf(p->device_id, sizeof(p->device_id), "%s", device);
	snprintf(p->hostname, sizeof(p->hostname), "%s", host);
	p->admin_up = true;
	p->port_security = security;
	p->ips = ip1(subnet, addr);
	p->nips = 1;
	if (security) {
		p->secgroups = xcalloc(1, sizeof(*p->secgroups));
		snprintf(p->secgroups[0], sizeof(p->secgroups[0]), "%s", sg_def);
		p->nsecgroups = 1;
	}
}

/* The test's desired state: network A (VXLAN) with DHCP, two instance ports in the
 * default group, a router to the external flat network "public", a floating IP. */
static struct net_model *model_new(void)
{
	struct net_model *m = xcalloc(1, sizeof(*m));
	struct net_model_rule *r;

	m->networks = xcalloc(2, sizeof(*m->networks));
	m->nnetworks = 2;
	snprintf(m->networks[0].id, 37, "%s", net_a);
	snprintf(m->networks[0].type, 8, "vxlan");
	m->networks[0].segmentation_id = vni;
	m->networks[0].mtu = 1450;
	m->networks[0].admin_up = true;
	snprintf(m->networks[1].id, 37, "%s", net_e);
	snprintf(m->networks[1].type, 8, "flat");
	snprintf(m->networks[1].physnet, 64, "public");
	m->networks[1].mtu = 1500;
	m->networks[1].external = m->networks[1].admin_up = true;

	m->subnets = xcalloc(2, sizeof(*m->subnets));
	m->nsubnets = 2;
	snprintf(m->subnets[0].id, 37, "%s", sub_a);
	snprintf(m->subnets[0].network_id, 37, "%s", net_a);
	m->subnets[0].ip_version = 4;
	snprintf(m->subnets[0].cidr, 50, "10.77.0.0/24");
	snprintf(m->subnets[0].gateway, 46, "10.77.0.1");
	m->subnets[0].enable_dhcp = true;
	snprintf(m->subnets[1].id, 37, "%s", sub_e);
	snprintf(m->subnets[1].network_id, 37, "%s", net_e);
	m->subnets[1].ip_version = 4;
	snprintf(m->subnets[1].cidr, 50, "172.31.77.0/24");
	snprintf(m->subnets[1].gateway, 46, "172.31.77.1");

	m->ports = xcalloc(5, sizeof(*m->ports));
	m->nports = 5;
	port_init(&m->ports[0], p_dhcp, net_a, "fa:16:3e:77:00:02", "network:dhcp", "dhcp", "",
		  sub_a, "10.77.0.2", false);
	port_init(&m->ports[1], p_vm1, net_a, "fa:16:3e:77:00:05", "compute:nova", "vm1", "vm1",
		  sub_a, "10.77.0.5", true);
	port_init(&m->ports[2], p_vm2, net_a, "fa:16:3e:77:00:06", "compute:nova", "vm2", "vm2",
		  sub_a, "10.77.0.6", true);
	port_init(&m->ports[3], p_rif, net_a, "fa:16:3e:77:00:01", "network:router_interface",
		  router, "", sub_a, "10.77.0.1", false);
	port_init(&m->ports[4], p_rgw, net_e, "fa:16:3e:77:01:0a", "network:router_gateway",
		  router, "", sub_e, "172.31.77.10", false);

	/* default group: ingress from the group, ICMP from anywhere, egress anything */
	m->rules = r = xcalloc(3, sizeof(*m->rules));
	m->nrules = 3;
	for (int i = 0; i < 3; i++) {
		snprintf(r[i].secgroup_id, 37, "%s", sg_def);
		r[i].ip_version = 4;
		r[i].protocol = r[i].port_min = r[i].port_max = -1;
	}
	r[0].ingress = true;
	snprintf(r[0].remote_group, 37, "%s", sg_def);
	r[1].ingress = true;
	r[1].protocol = 1;

	m->routers = xcalloc(1, sizeof(*m->routers));
	m->nrouters = 1;
	snprintf(m->routers[0].id, 37, "%s", router);
	m->routers[0].admin_up = m->routers[0].enable_snat = true;
	snprintf(m->routers[0].gw_port_id, 37, "%s", p_rgw);
	m->routers[0].interfaces = xcalloc(1, sizeof(*m->routers[0].interfaces));
	snprintf(m->routers[0].interfaces[0], 37, "%s", p_rif);
	m->routers[0].ninterfaces = 1;

	m->fips = xcalloc(1, sizeof(*m->fips));
	m->nfips = 1;
	snprintf(m->fips[0].router_id, 37, "%s", router);
	snprintf(m->fips[0].floating_ip, 46, "172.31.77.20");
	snprintf(m->fips[0].fixed_ip, 46, "10.77.0.5");
	return m;
}

static void model_free(struct net_model *m)
{
	net_model_free(m);
	free(m);
}

struct ups {
	int n;
	char ids[16][37];
};

static void on_up(const char *id, void *ctx)
{
	struct ups *u = ctx;

	if (u->n < 16)
		snprintf(u->ids[u->n++], 37, "%s", id);
}

static bool was_up(const struct ups *u, const char *id)
{
	for (int i = 0; i < u->n; i++)
		if (strcmp(u->ids[i], id) == 0)
			return true;
	return false;
}

static int apply(struct netdrv *d, const struct net_model *m, struct ups *u)
{
	struct err err = { 0 };
	int rc;

	memset(u, 0, sizeof(*u));
	rc = netdrv_apply(d, m, on_up, u, &err);
	if (rc < 0)
		fprintf(stderr, "apply: %s\n", err.msg);
	return rc;
}

/* ---- host probes --------------------------------------------------------------------- */

static char *name_of(const char *prefix, const char *id)
{
	static char buf[4][16];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], 16, "%s%.11s", prefix, id);
	return buf[k];
}

static bool ns_exists(const char *ns)
{
	char path[128];

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	return access(path, F_OK) == 0;
}

static pid_t dnsmasq_pid(void)
{
	char path[256];
	size_t size;
	char *text;
	long pid;

	snprintf(path, sizeof(path), "%s/dhcp/%s/pid", state_dir, net_a);
	text = util_read_file(path, &size);
	if (text == NULL)
		return 0;
	pid = strtol(text, NULL, 10);
	free(text);
	return pid > 1 && kill((pid_t)pid, 0) == 0 ? (pid_t)pid : 0;
}

static bool master_is(const void *arg)
{
	const char *const *ab = arg;
	char path[128], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", ab[0]);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(strrchr(link, '/') + 1, ab[1]) == 0;
}

static bool link_gone(const void *name)
{
	return if_nametoindex(name) == 0;
}

/* An "instance": namespace 'ns' with eth0 (MAC 'mac') whose peer in the test's root is
 * 'tap'. */
static void vm_make(const char *ns, const char *tap, const char *mac)
{
	assert_int_equal(RUN("ip", "netns", "add", (char *)ns), 0);
	assert_int_equal(RUN("ip", "link", "add", (char *)tap, "type", "veth", "peer", "name",
			     "eth0", "netns", (char *)ns),
			 0);
	assert_int_equal(RUN("ip", "netns", "exec", (char *)ns, "ip", "link", "set", "eth0",
			     "address", (char *)mac),
			 0);
	assert_int_equal(RUN("ip", "netns", "exec", (char *)ns, "ip", "link", "set", "eth0", "up"),
			 0);
	assert_int_equal(RUN("ip", "netns", "exec", (char *)ns, "ip", "link", "set", "lo", "up"),
			 0);
	assert_int_equal(RUN("ip", "link", "set", (char *)tap, "up"), 0);
}

static void vm_addr(const char *ns, const char *cidr, const char *gw)
{
	assert_int_equal(RUN("ip", "netns", "exec", (char *)ns, "ip", "addr", "add", (char *)cidr,
			     "dev", "eth0"),
			 0);
	if (gw != NULL)
		assert_int_equal(RUN("ip", "netns", "exec", (char *)ns, "ip", "route", "add",
				     "default", "via", (char *)gw),
				 0);
}

/* ---- the test ------------------------------------------------------------------------- */

static void linuxbridge(void **state)
{
	struct err err = { 0 };
	struct net_model_port gone;
	struct net_model *m = model_new();
	struct ups u;
	char out[8192], hosts_path[256], nsname[64];
	char br_a[16], br_e[16], vx[16], orphan[37];
	unsigned idx_br, idx_vx, idx_leg;
	pid_t pid, web;
	int rc;
	size_t size;
	char *hosts;

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	snprintf(vx, sizeof(vx), "vxlan-%d", vni);
	snprintf(br_a, sizeof(br_a), "brq%.11s", net_a);
	snprintf(br_e, sizeof(br_e), "brq%.11s", net_e);
	drv = netdrv_linux_new(state_dir, &err);
	assert_non_null(drv);
	assert_string_equal(drv->ops->name, "linuxbridge");

	/* leftovers of a previous run (our names, not in the model) */
	util_uuid(orphan);
	snprintf(nsname, sizeof(nsname), "qrouter-%s", orphan);
	assert_int_equal(RUN("ip", "netns", "add", nsname), 0);
	assert_int_equal(RUN("ip", "link", "add", "brq0ddba11-00", "type", "bridge"), 0);
	assert_int_equal(RUN("ip", "link", "add", "vxlan-7", "type", "vxlan", "id", "7",
			     "dstport", "4789"),
			 0);

	/* first apply converges everything, reports every port up, removes the orphans */
	assert_int_equal(apply(drv, m, &u), 0);
	assert_false(ns_exists(nsname));
	assert_int_equal(if_nametoindex("brq0ddba11-00"), 0);
	assert_int_equal(if_nametoindex("vxlan-7"), 0);
	assert_int_equal(u.n, 5);
	assert_true(was_up(&u, p_vm1) && was_up(&u, p_dhcp) && was_up(&u, p_rgw));
	idx_br = if_nametoindex(br_a);
	idx_vx = if_nametoindex(vx);
	idx_leg = if_nametoindex(name_of("tap", p_dhcp));
	assert_true(idx_br > 0);
	assert_true(idx_vx > 0);
	assert_true(idx_leg > 0);
	assert_true(if_nametoindex(br_e) > 0);
	assert_true(master_is((const char *[]){ vx, br_a }));
	assert_true(master_is((const char *[]){ name_of("tap", p_rif), br_a }));
	assert_true(master_is((const char *[]){ name_of("tap", p_rgw), br_e }));
	{
		char ns[64];

		snprintf(ns, sizeof(ns), "qdhcp-%s", net_a);
		assert_true(ns_exists(ns));
		snprintf(ns, sizeof(ns), "qrouter-%s", router);
		assert_true(ns_exists(ns));
		assert_int_equal(RUN_OUT(out, "ip", "netns", "exec", ns, "ip", "-o", "addr"), 0);
		assert_non_null(strstr(out, "10.77.0.1/24"));
		assert_non_null(strstr(out, "172.31.77.10/24"));
		assert_non_null(strstr(out, "172.31.77.20/32"));
		assert_int_equal(RUN_OUT(out, "ip", "netns", "exec", ns, "nft", "list", "ruleset"), 0);
		assert_non_null(strstr(out, "snat ip to 172.31.77.10"));
	}
	pid = dnsmasq_pid();
	assert_true(pid > 0);
	assert_int_equal(RUN_OUT(out, "nft", "list", "tables"), 0);
	assert_non_null(strstr(out, "table bridge ciel"));
	assert_non_null(strstr(out, "table inet ciel"));

	/* a second apply and a restarted driver change nothing */
	assert_int_equal(apply(drv, m, &u), 0);
	assert_int_equal(u.n, 5);
	netdrv_free(drv);
	drv = netdrv_linux_new(state_dir, &err);
	assert_non_null(drv);
	assert_int_equal(apply(drv, m, &u), 0);
	assert_int_equal(u.n, 5);
	assert_int_equal(if_nametoindex(br_a), idx_br);
	assert_int_equal(if_nametoindex(vx), idx_vx);
	assert_int_equal(if_nametoindex(name_of("tap", p_dhcp)), idx_leg);
	assert_int_equal(dnsmasq_pid(), pid);

	/* instances: the watcher plugs their taps; vm1 gets its lease from dnsmasq */
	vm_make(vm1_ns, name_of("tap", p_vm1), "fa:16:3e:77:00:05");
	vm_make(vm2_ns, name_of("tap", p_vm2), "fa:16:3e:77:00:06");
	assert_true(until(master_is, (const char *[]){ name_of("tap", p_vm1), br_a }, 3000));
	assert_true(until(master_is, (const char *[]){ name_of("tap", p_vm2), br_a }, 3000));
	assert_int_equal(RUN_OUT(out, "ip", "netns", "exec", vm1_ns, "busybox", "udhcpc", "-i",
				 "eth0", "-n", "-q", "-f", "-t", "10", "-T", "1", "-s", "/bin/true"),
			 0);
	assert_non_null(strstr(out, "10.77.0.5"));
	vm_addr(vm1_ns, "10.77.0.5/24", "10.77.0.1");
	vm_addr(vm2_ns, "10.77.0.6/24", "10.77.0.1");

	/* the qdhcp namespace serves metadata: the proxy answers a guest it does not know
	 * (this test's database has no ports) with its own 404 */
	assert_int_equal(RUN("ip", "netns", "exec", vm1_ns, "ip", "route", "add",
			     "169.254.169.254/32", "via", "10.77.0.2"),
			 0);
	assert_int_equal(RUN_OUT(out, "ip", "netns", "exec", vm1_ns, "curl", "-s", "-m", "3", "-o",
				 "/dev/null", "-w", "%{http_code}",
				 "http://169.254.169.254/openstack/latest/meta_data.json"),
			 0);
	assert_string_equal(out, "404");

	/* the group lets vm1 and vm2 talk; vm2 out of its group: dropped both ways */
	assert_true(ping(vm1_ns, NULL, "10.77.0.6"));
	m->ports[2].nsecgroups = 0;
	assert_int_equal(apply(drv, m, &u), 0);
	assert_false(ping(vm1_ns, NULL, "10.77.0.6"));
	m->ports[2].nsecgroups = 1;
	assert_int_equal(apply(drv, m, &u), 0);
	assert_true(ping(vm1_ns, NULL, "10.77.0.6"));

	/* anti-spoofing: an address that is not vm1's is dropped */
	assert_int_equal(RUN("ip", "netns", "exec", vm1_ns, "ip", "addr", "add", "10.77.0.99/24",
			     "dev", "eth0"),
			 0);
	assert_false(ping(vm1_ns, "10.77.0.99", "10.77.0.6"));

	/* the outside, on the external bridge: SNAT towards it, the floating IP from it */
	vm_make(out_ns, "ciel-t-out", "fa:16:3e:77:02:32");
	assert_int_equal(RUN("ip", "link", "set", "ciel-t-out", "master", (char *)br_e), 0);
	vm_addr(out_ns, "172.31.77.50/24", NULL);
	assert_true(ping(vm1_ns, NULL, "172.31.77.50"));
	assert_true(ping(out_ns, NULL, "172.31.77.20"));
	assert_false(ping(out_ns, NULL, "10.77.0.5")); /* no route, no NAT the other way */

	/* hairpin: vm2 reaches vm1's floating IP over TCP (the reply must return through the
	 * router, or vm2 sees it come from 10.77.0.5 and resets it) */
	m->rules = xrealloc(m->rules, 4 * sizeof(*m->rules));
	m->rules[3] = (struct net_model_rule){ .ingress = true, .ip_version = 4, .protocol = 6,
					      .port_min = 8000, .port_max = 8000 };
	snprintf(m->rules[3].secgroup_id, 37, "%s", sg_def);
	m->nrules = 4;
	assert_int_equal(apply(drv, m, &u), 0);
	{
		/* posix_spawn, not fork: the driver's and the proxy's threads are running */
		char *argv[] = { "ip", "netns", "exec", vm1_ns, "busybox", "httpd", "-f", "-p",
				 "10.77.0.5:8000", "-h", "/", NULL };
		posix_spawn_file_actions_t fa;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
		assert_int_equal(posix_spawnp(&web, "ip", &fa, NULL, argv, environ), 0);
		posix_spawn_file_actions_destroy(&fa);
	}
	for (int i = 0; i < 50 && RUN("ip", "netns", "exec", vm1_ns, "curl", "-s", "-o",
				       "/dev/null", "http://10.77.0.5:8000/nonexistent-ciel") != 0; i++)
		usleep(100000);
	rc = RUN_OUT(out, "ip", "netns", "exec", vm2_ns, "curl", "-s", "-m", "3", "-o", "/dev/null",
		     "-w", "%{http_code}", "http://172.31.77.20:8000/nonexistent-ciel");
	kill(web, SIGTERM);
	waitpid(web, NULL, 0);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "404");

	/* a router's extra route comes and goes with the model */
	snprintf(nsname, sizeof(nsname), "qrouter-%s", router);
	m->routers[0].routes = xcalloc(1, sizeof(*m->routers[0].routes));
	snprintf(m->routers[0].routes[0].destination, 50, "192.168.77.0/24");
	snprintf(m->routers[0].routes[0].nexthop, 46, "10.77.0.6");
	m->routers[0].nroutes = 1;
	assert_int_equal(apply(drv, m, &u), 0);
	assert_int_equal(RUN_OUT(out, "ip", "netns", "exec", nsname, "ip", "route"), 0);
	assert_non_null(strstr(out, "192.168.77.0/24 via 10.77.0.6"));
	assert_non_null(strstr(out, "default via 172.31.77.1"));
	m->routers[0].nroutes = 0;
	assert_int_equal(apply(drv, m, &u), 0);
	assert_int_equal(RUN_OUT(out, "ip", "netns", "exec", nsname, "ip", "route"), 0);
	assert_null(strstr(out, "192.168.77.0/24"));

	/* a router namespace deleted behind the driver's back comes back at the next apply */
	snprintf(nsname, sizeof(nsname), "qrouter-%s", router);
	assert_int_equal(RUN("ip", "netns", "del", nsname), 0);
	/* the kernel frees a namespace (and the veths in it) asynchronously */
	assert_true(until(link_gone, name_of("tap", p_rgw), 5000));
	assert_false(ping(out_ns, NULL, "172.31.77.20"));
	assert_int_equal(apply(drv, m, &u), 0);
	assert_true(ns_exists(nsname));
	assert_true(ping(out_ns, NULL, "172.31.77.20"));

	/* a port added later: its host entry reaches the running dnsmasq (SIGHUP) */
	m->ports = xrealloc(m->ports, 6 * sizeof(*m->ports));
	memset(&m->ports[5], 0, sizeof(m->ports[5]));
	port_init(&m->ports[5], p_vm3, net_a, "fa:16:3e:77:00:07", "compute:nova", "vm3", "vm3",
		  sub_a, "10.77.0.7", true);
	m->nports = 6;
	assert_int_equal(apply(drv, m, &u), 0);
	assert_int_equal(u.n, 6);
	assert_int_equal(dnsmasq_pid(), pid);
	vm_make(vm3_ns, name_of("tap", p_vm3), "fa:16:3e:77:00:07");
	assert_true(until(master_is, (const char *[]){ name_of("tap", p_vm3), br_a }, 3000));
	assert_int_equal(RUN_OUT(out, "ip", "netns", "exec", vm3_ns, "busybox", "udhcpc", "-i",
				 "eth0", "-n", "-q", "-f", "-t", "10", "-T", "1", "-s", "/bin/true"),
			 0);
	assert_non_null(strstr(out, "10.77.0.7"));

	/* removing vm2's port rewrites the hosts file (dnsmasq kept) and the filter */
	gone = m->ports[2];
	m->ports[2] = m->ports[5];
	m->nports = 5;
	assert_int_equal(apply(drv, m, &u), 0);
	snprintf(hosts_path, sizeof(hosts_path), "%s/dhcp/%s/host", state_dir, net_a);
	hosts = util_read_file(hosts_path, &size);
	assert_non_null(hosts);
	assert_non_null(strstr(hosts, "fa:16:3e:77:00:05,10.77.0.5,vm1\n"));
	assert_null(strstr(hosts, "fa:16:3e:77:00:06"));
	free(hosts);
	assert_int_equal(dnsmasq_pid(), pid);
	assert_int_equal(RUN_OUT(out, "nft", "list", "ruleset"), 0);
	assert_null(strstr(out, name_of("tap", p_vm2)));
	assert_non_null(strstr(out, name_of("tap", p_vm1)));
	free(gone.ips);
	free(gone.secgroups);

	/* teardown leaves nothing of ours */
	assert_int_equal(drv->ops->teardown(drv, &err), 0);
	assert_int_equal(if_nametoindex(br_a), 0);
	assert_int_equal(if_nametoindex(br_e), 0);
	assert_int_equal(if_nametoindex(vx), 0);
	snprintf(nsname, sizeof(nsname), "qdhcp-%s", net_a);
	assert_false(ns_exists(nsname));
	snprintf(nsname, sizeof(nsname), "qrouter-%s", router);
	assert_false(ns_exists(nsname));
	assert_true(kill(pid, 0) < 0);
	assert_int_equal(RUN_OUT(out, "nft", "list", "tables"), 0);
	assert_null(strstr(out, "ciel"));
	netdrv_free(drv);
	drv = NULL;
	model_free(m);
}

static int setup(void **state)
{
	char uuid[37];

	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(state_dir, sizeof(state_dir), "/tmp/ciel-lb-XXXXXX");
	if (mkdtemp(state_dir) == NULL)
		return -1;
	util_uuid(net_a);
	util_uuid(net_e);
	util_uuid(sub_a);
	util_uuid(sub_e);
	util_uuid(sg_def);
	util_uuid(router);
	util_uuid(p_dhcp);
	util_uuid(p_vm1);
	util_uuid(p_vm2);
	util_uuid(p_vm3);
	util_uuid(p_rif);
	util_uuid(p_rgw);
	vni = 100000 + (int)(getpid() % 50000);
	/* the metadata proxy looks guests up in the database */
	if (db_fixture_open(net_migrations) < 0)
		return -1;
	util_uuid(uuid);
	snprintf(vm1_ns, sizeof(vm1_ns), "ciel-t-%.8s", uuid);
	util_uuid(uuid);
	snprintf(vm2_ns, sizeof(vm2_ns), "ciel-t-%.8s", uuid);
	util_uuid(uuid);
	snprintf(out_ns, sizeof(out_ns), "ciel-t-%.8s", uuid);
	util_uuid(uuid);
	snprintf(vm3_ns, sizeof(vm3_ns), "ciel-t-%.8s", uuid);
	{
		struct err err = { 0 };

		if (priv_start(state_dir, &err) < 0) {
			fprintf(stderr, "priv_start: %s\n", err.msg);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd_ns[4][32];

	(void)state;
	if (geteuid() != 0)
		return 0;
	if (drv != NULL) {
		struct err err = { 0 };

		drv->ops->teardown(drv, &err);
		netdrv_free(drv);
		drv = NULL;
	}
	memcpy(cmd_ns[0], vm1_ns, 32);
	memcpy(cmd_ns[1], vm2_ns, 32);
	memcpy(cmd_ns[2], out_ns, 32);
	memcpy(cmd_ns[3], vm3_ns, 32);
	for (int i = 0; i < 4; i++)
		RUN("ip", "netns", "del", cmd_ns[i]);
	net_mdproxy_shutdown();
	priv_stop();
	db_fixture_close();
	RUN("rm", "-rf", state_dir);
	return 0;
}

/* A network namespace and a mount namespace of the test's own, with an empty /run/netns:
 * the driver removes every qdhcp-/qrouter- namespace its model lacks, and on a shared
 * host those may be another cloud's. */
static int sandbox(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	mkdir("/run/netns", 0755);
	if (mount("tmpfs", "/run/netns", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return -1;
	/* /sys/class/net shows the links of the namespace that mounted it */
	return mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linuxbridge),
	};

	signal(SIGPIPE, SIG_IGN);
	if (geteuid() == 0 && sandbox() < 0) {
		fprintf(stderr, "test_netdrv_linux: cannot make a private sandbox: %s\n",
			strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
