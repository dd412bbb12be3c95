/* The privileged helper: malformed and out-of-allowlist requests are refused
 * before any work (priv_check directly, then the real server loop over a
 * socketpair), and, as root, a round trip through the client API on names of
 * our own with random suffixes. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "network/priv.h"

#define STATE "/var/lib/ciel-test"

/* Fields are compared whole: bytes after the NUL must be zero too. */
#define SET(f, s) (memset((f), 0, sizeof(f)), strcpy((f), (s)))

static void req_init(struct priv_req *r, enum priv_op op)
{
	memset(r, 0, sizeof(*r));
	r->magic = PRIV_MAGIC;
	r->op = op;
}

/* priv_check on a whole request; returns the answer's code (0 when accepted).
 */
static int check(const struct priv_req *r)
{
	struct priv_ans ans;
	int rc = priv_check(r, sizeof(*r), STATE, &ans);

	if (rc == 0) {
		assert_int_equal(ans.status, 0);
		return 0;
	}
	assert_int_equal(rc, -1);
	assert_int_equal(ans.status, -1);
	assert_int_not_equal(ans.code, 0);
	assert_true(ans.msg[0] != '\0');
	return ans.code;
}

static int check_ns(enum priv_op op, const char *ns)
{
	struct priv_req r;

	req_init(&r, op);
	snprintf(r.ns, sizeof(r.ns), "%s", ns);
	return check(&r);
}

static int check_link(const char *name)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_LINK_DEL);
	snprintf(r.link, sizeof(r.link), "%s", name);
	return check(&r);
}

static int check_path(enum priv_op op, const char *path)
{
	struct priv_req r;

	req_init(&r, op);
	snprintf(r.path2, sizeof(r.path2), "%s", path);
	return check(&r);
}

static int check_sysctl(const char *ns, const char *key, const char *value)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_SYSCTL);
	snprintf(r.ns, sizeof(r.ns), "%s", ns);
	snprintf(r.key, sizeof(r.key), "%s", key);
	snprintf(r.value, sizeof(r.value), "%s", value);
	return check(&r);
}

static void check_refuses_bad_shape(void **state)
{
	char buf[sizeof(struct priv_req) + 8];
	struct priv_req r;
	struct priv_ans ans;

	(void)state;
	req_init(&r, PRIV_OP_NETNS_LIST);
	assert_int_equal(check(&r), 0);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &r, sizeof(r));
	/* short and long */
	assert_int_equal(priv_check(buf, sizeof(r) - 1, STATE, &ans), -1);
	assert_int_equal(ans.code, EMSGSIZE);
	assert_int_equal(priv_check(buf, sizeof(r) + 1, STATE, &ans), -1);
	assert_int_equal(ans.code, EMSGSIZE);
	assert_int_equal(priv_check(buf, 0, STATE, &ans), -1);
	/* bad magic, unknown ops */
	r.magic = 0;
	assert_int_equal(check(&r), EPROTO);
	req_init(&r, PRIV_OP_NONE);
	assert_int_equal(check(&r), EOPNOTSUPP);
	req_init(&r, PRIV_OP_MAX);
	assert_int_equal(check(&r), EOPNOTSUPP);
	req_init(&r, 0x7fffffff);
	assert_int_equal(check(&r), EOPNOTSUPP);
	/* a name with no NUL inside its array */
	req_init(&r, PRIV_OP_NETNS_ADD);
	memset(r.ns, 'a', sizeof(r.ns));
	assert_int_equal(check(&r), EINVAL);
	req_init(&r, PRIV_OP_LINK_DEL);
	memset(r.link, 'a', sizeof(r.link));
	assert_int_equal(check(&r), EINVAL);
	/* bytes after the NUL */
	req_init(&r, PRIV_OP_NETNS_ADD);
	SET(r.ns, "qdhcp-1234");
	r.ns[40] = 'x';
	assert_int_equal(check(&r), EINVAL);
	/* a field the op does not use, a missing required one, a stray number */
	req_init(&r, PRIV_OP_NETNS_ADD);
	SET(r.ns, "qdhcp-1234");
	SET(r.link, "tap1234");
	assert_int_equal(check(&r), EINVAL);
	req_init(&r, PRIV_OP_NETNS_ADD);
	assert_int_equal(check(&r), EINVAL);
	req_init(&r, PRIV_OP_NETNS_ADD);
	SET(r.ns, "qdhcp-1234");
	r.num[3] = 1;
	assert_int_equal(check(&r), EINVAL);
	/* numbers out of range */
	req_init(&r, PRIV_OP_BRIDGE_ADD);
	SET(r.link, "brq0123456789a");
	r.num[0] = 1500;
	assert_int_equal(check(&r), 0);
	r.num[0] = 20;
	assert_int_equal(check(&r), EINVAL);
	req_init(&r, PRIV_OP_VXLAN_ADD);
	SET(r.link, "vxlan-100");
	r.num[1] = 1 << 24;
	assert_int_equal(check(&r), EINVAL);
	r.num[1] = 100;
	assert_int_equal(check(&r), 0);
}

static void check_refuses_names_outside_allowlist(void **state)
{
	(void)state;
	/* links */
	assert_int_equal(check_link("tap0123456789a"), 0);
	assert_int_equal(check_link("brq0123456789a"), 0);
	assert_int_equal(check_link("ns-0123456789a"), 0);
	assert_int_equal(check_link("qr-0123456789a"), 0);
	assert_int_equal(check_link("qg-0123456789a"), 0);
	assert_int_equal(check_link("vxlan-16777215"), 0);
	assert_int_equal(check_link("eth0"), EPERM);
	assert_int_equal(check_link("lo"), EPERM);
	assert_int_equal(check_link("docker0"), EPERM);
	assert_int_equal(check_link("tap"), EPERM);		/* prefix alone */
	assert_int_equal(check_link("brq0123456789ab"), EPERM); /* 12 after brq */
	assert_int_equal(check_link("brqxyz"), EPERM);		/* not hex */
	assert_int_equal(check_link("tapABC"), EPERM);		/* upper case */
	assert_int_equal(check_link("tap/../x"), EPERM);
	assert_int_equal(check_link("tap 1"), EPERM);
	/* namespaces */
	assert_int_equal(check_ns(PRIV_OP_NETNS_ADD, "qdhcp-0b7e8f5c-1f2a-4c3d-9e8f-0a1b2c3d4e5f"),
			 0);
	assert_int_equal(check_ns(PRIV_OP_NETNS_DEL, "qrouter-0b7e8f5c"), 0);
	assert_int_equal(check_ns(PRIV_OP_NETNS_ADD, "foo"), EPERM);
	assert_int_equal(check_ns(PRIV_OP_NETNS_ADD, "qdhcp-"), EPERM);
	assert_int_equal(check_ns(PRIV_OP_NETNS_ADD, "qdhcp-zzz"), EPERM);
	assert_int_equal(check_ns(PRIV_OP_NETNS_ADD, "qdhcp-../../etc"), EPERM);
	assert_int_equal(check_ns(PRIV_OP_NETNS_ADD, "xqdhcp-1234"), EPERM);
	assert_int_equal(check_ns(PRIV_OP_LINK_LIST, "default"), EPERM);
	assert_int_equal(check_ns(PRIV_OP_LINK_LIST, ""), 0); /* the root namespace */
	/* namespace-only ops refuse the root namespace */
	assert_int_equal(check_ns(PRIV_OP_NETNS_ADD, ""), EINVAL);
	/* paths */
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE "/dhcp/x.pid"), 0);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE "/../etc/passwd"), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE "/dhcp/../../x"), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE "/./x"), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE "//x"), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE "x/y"), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, "/etc/passwd"), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, "../x"), EPERM);
	assert_int_equal(check_path(PRIV_OP_DNSMASQ_RUNNING, STATE "/a\nb"), EPERM);
	/* sysctls */
	assert_int_equal(check_sysctl("qrouter-1234", "net.ipv4.ip_forward", "1"), 0);
	assert_int_equal(check_sysctl("qrouter-1234", "net.ipv6.conf.all.forwarding", "1"), 0);
	assert_int_equal(check_sysctl("qrouter-1234", "net.ipv6.conf.qg-1234.disable_ipv6", "1"),
			 0);
	assert_int_equal(check_sysctl("", "net.bridge.bridge-nf-call-iptables", "1"), 0);
	assert_int_equal(check_sysctl("", "net.ipv4.ip_forward", "1"), EPERM); /* host */
	assert_int_equal(check_sysctl("", "net.ipv6.conf.brq1234.disable_ipv6", "1"), 0);
	assert_int_equal(check_sysctl("", "net.ipv6.conf.eth0.disable_ipv6", "1"), EPERM);
	assert_int_equal(check_sysctl("", "net.ipv6.conf.all.disable_ipv6", "1"), EPERM);
	assert_int_equal(check_sysctl("qrouter-1234", "net.bridge.bridge-nf-call-iptables", "1"),
			 EPERM);
	assert_int_equal(check_sysctl("qrouter-1234", "kernel.core_pattern", "1"), EPERM);
	assert_int_equal(check_sysctl("qrouter-1234", "net.ipv6.conf.eth0.disable_ipv6", "1"),
			 EPERM);
	assert_int_equal(check_sysctl("qrouter-1234", "net.ipv4.ip_forward", "1 "), EPERM);
	/* nftables tables */
	{
		struct priv_req r;

		req_init(&r, PRIV_OP_NFT_DELETE);
		SET(r.key, "inet");
		SET(r.value, "ciel");
		assert_int_equal(check(&r), 0);
		SET(r.value, "filter");
		assert_int_equal(check(&r), EPERM);
		SET(r.key, "ip");
		SET(r.value, "ciel-nat");
		assert_int_equal(check(&r), 0);
		SET(r.key, "netdev");
		assert_int_equal(check(&r), EPERM);
	}
	/* addresses */
	{
		struct priv_req r;

		req_init(&r, PRIV_OP_ADDR_ADD);
		SET(r.link, "tap1234");
		SET(r.addr, "10.0.0.1/24");
		assert_int_equal(check(&r), 0);
		SET(r.addr, "fd00::1/64");
		assert_int_equal(check(&r), 0);
		SET(r.addr, "10.0.0.1");
		assert_int_equal(check(&r), EINVAL);
		SET(r.addr, "10.0.0.1/33");
		assert_int_equal(check(&r), EINVAL);
		SET(r.addr, "10.0.0.1/24 dev eth0");
		assert_int_equal(check(&r), EINVAL);
		req_init(&r, PRIV_OP_VETH_ADD);
		SET(r.link, "tap1234");
		SET(r.link2, "ns-1234");
		SET(r.mac, "fa:16:3e:00:00:01");
		assert_int_equal(check(&r), 0);
		SET(r.mac, "ff:ff:ff:ff:ff:ff"); /* multicast */
		assert_int_equal(check(&r), EINVAL);
	}
}

/* ---- the server loop over a socketpair --------------------------------------------------- */

struct loop {
	int sock;
	pid_t pid;
};

static void loop_start(struct loop *l)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	l->pid = fork();
	assert_true(l->pid >= 0);
	if (l->pid == 0) {
		close(sv[0]);
		_exit(priv_serve(sv[1], "/tmp") == 0 ? 0 : 1);
	}
	close(sv[1]);
	l->sock = sv[0];
}

static void loop_stop(struct loop *l)
{
	int status;

	close(l->sock);
	assert_int_equal(waitpid(l->pid, &status, 0), l->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Sends 'size' bytes, reads one answer. */
static void loop_call(struct loop *l, const void *buf, size_t size, struct priv_ans *ans)
{
	assert_int_equal(send(l->sock, buf, size, 0), (ssize_t)size);
	assert_int_equal(recv(l->sock, ans, sizeof(*ans), 0), (ssize_t)sizeof(*ans));
	assert_int_equal(ans->magic, PRIV_MAGIC);
}

static void server_refuses_and_does_nothing(void **state)
{
	char big[sizeof(struct priv_req) + 100];
	struct priv_req r;
	struct priv_ans ans;
	struct stat st;
	struct loop l;

	(void)state;
	loop_start(&l);
	req_init(&r, PRIV_OP_NETNS_ADD);
	SET(r.ns, "qdhcp-zzzz");
	loop_call(&l, &r, sizeof(r), &ans);
	assert_int_equal(ans.status, -1);
	assert_int_equal(ans.code, EPERM);
	assert_int_equal(stat("/run/netns/qdhcp-zzzz", &st), -1);

	/* short, long, unknown op */
	loop_call(&l, &r, 10, &ans);
	assert_int_equal(ans.status, -1);
	assert_int_equal(ans.code, EMSGSIZE);
	memset(big, 0, sizeof(big));
	memcpy(big, &r, sizeof(r));
	loop_call(&l, big, sizeof(big), &ans);
	assert_int_equal(ans.status, -1);
	assert_int_equal(ans.code, EMSGSIZE);
	req_init(&r, 4242);
	loop_call(&l, &r, sizeof(r), &ans);
	assert_int_equal(ans.code, EOPNOTSUPP);
	assert_int_equal(ans.op, 4242);

	/* a link outside the allowlist: refused, and the link is still there */
	{
		/* as root, eth0 is the sandbox's decoy (see main); else the refusal is all */
		const char *host = geteuid() == 0 ? "eth0" : "eth-not-there";
		unsigned idx = if_nametoindex(host);

		req_init(&r, PRIV_OP_LINK_DEL);
		SET(r.link, host);
		loop_call(&l, &r, sizeof(r), &ans);
		assert_int_equal(ans.status, -1);
		assert_int_equal(ans.code, EPERM);
		assert_int_equal(if_nametoindex(host), idx);
	}
	req_init(&r, PRIV_OP_LINK_UP);
	SET(r.link, "lo");
	loop_call(&l, &r, sizeof(r), &ans);
	assert_int_equal(ans.code, EPERM);

	/* a path outside the state dir (/tmp here) */
	req_init(&r, PRIV_OP_DNSMASQ_STOP);
	SET(r.path2, "/tmp/../etc/passwd");
	loop_call(&l, &r, sizeof(r), &ans);
	assert_int_equal(ans.code, EPERM);
	assert_int_equal(stat("/etc/passwd", &st), 0);

	/* and the loop still answers a good request after all of that */
	req_init(&r, PRIV_OP_DNSMASQ_RUNNING);
	SET(r.path2, "/tmp/ciel-priv-test-none.pid");
	loop_call(&l, &r, sizeof(r), &ans);
	assert_int_equal(ans.status, 0);
	assert_int_equal(ans.num[0], 0);
	loop_stop(&l);
}

/* ---- as root: a real round trip ---------------------------------------------------------- */

static char state_dir[64], logpath[96], ns[64], br[16], tap[16], peer[16], ns2[64];

static void rand_hex(char *out, size_t n)
{
	unsigned char b[32];

	util_random(b, sizeof(b));
	for (size_t i = 0; i < n; i++)
		out[i] = "0123456789abcdef"[b[i] & 15];
	out[n] = '\0';
}

static int root_setup(void **state)
{
	char hex[16], uuid[37];
	struct err err = { 0 };
	sigset_t set;

	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(state_dir, sizeof(state_dir), "/tmp/ciel-priv-XXXXXX");
	if (mkdtemp(state_dir) == NULL)
		return -1;
	util_uuid(uuid);
	snprintf(ns, sizeof(ns), "qdhcp-%s", uuid);
	util_uuid(uuid);
	snprintf(ns2, sizeof(ns2), "qrouter-%s", uuid);
	rand_hex(hex, 11);
	snprintf(br, sizeof(br), "brq%.11s", hex);
	snprintf(tap, sizeof(tap), "tap%.11s", hex);
	snprintf(peer, sizeof(peer), "ns-%.11s", hex);
	/* as `ciel up` does before it starts threads: the helper and dnsmasq must not
	 * inherit this (dnsmasq stop below would then wait for its SIGKILL fallback) */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* as `ciel up` with a log file: the helper inherits it and logs there */
	snprintf(logpath, sizeof(logpath), "%s/ciel.log", state_dir);
	log_init(LOG_INFO, logpath);
	if (priv_start(state_dir, &err) < 0) {
		fprintf(stderr, "priv_start: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int root_teardown(void **state)
{
	struct err err = { 0 };
	char path[128];

	(void)state;
	if (geteuid() != 0)
		return 0;
	if (!priv_running()) {
		/* a failed test may have left the helper dropped: a new one cleans up */
		priv_stop();
		priv_start(state_dir, &err);
	}
	snprintf(path, sizeof(path), "%s/dhcp.pid", state_dir);
	priv_dnsmasq_stop(path, &err);
	priv_link_del(NULL, tap, &err);
	priv_link_del(NULL, br, &err);
	priv_netns_del(ns, &err);
	priv_netns_del(ns2, &err);
	priv_stop();
	log_close();
	unlink(logpath);
	/* the state dir's few files */
	const char *files[] = { "nft.conf", "bad.nft", "dnsmasq.conf", "evil.conf",
				"dhcp.pid", "leases",  "hosts",	       "dnsmasq.log" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", state_dir, files[i]);
		unlink(path);
	}
	rmdir(state_dir);
	return 0;
}

static bool has_link(const struct priv_link *links, int n, const char *name,
		     const struct priv_link **found)
{
	for (int i = 0; i < n; i++)
		if (strcmp(links[i].name, name) == 0) {
			if (found != NULL)
				*found = &links[i];
			return true;
		}
	return false;
}

static bool has_ns(const char *name)
{
	char(*names)[64] = NULL;
	int n = 0;
	bool found = false;
	struct err err = { 0 };

	assert_int_equal(priv_netns_list(&names, &n, &err), 0);
	for (int i = 0; i < n; i++)
		found = found || strcmp(names[i], name) == 0;
	free(names);
	return found;
}

static bool ns_mounted(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

static void write_file(const char *name, const char *text, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", state_dir, name);
	assert_int_equal(util_write_file(path, text, strlen(text), 0644), 0);
}

/* Forks a child that enters namespace 'netns', connects to 169.254.169.254:80 and
 * writes "hi"; accepts on 'lfd' here and reads it. Returns 0 when "hi" arrived. */
static int connect_in_ns_and_accept(const char *netns, int lfd)
{
	char path[128], buf[8] = { 0 };
	int status, cfd, rc = -1;
	pid_t pid;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
		int nsfd = open(path, O_RDONLY), s;

		inet_pton(AF_INET, "169.254.169.254", &sin.sin_addr);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
			_exit(2);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    write(s, "hi", 2) != 2)
			_exit(3);
		close(s);
		_exit(0);
	}
	cfd = accept(lfd, NULL, NULL);
	if (cfd >= 0) {
		if (read(cfd, buf, 2) == 2 && strcmp(buf, "hi") == 0)
			rc = 0;
		close(cfd);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = -1;
	return rc;
}

/* The value of /proc/sys/'path' as seen from namespace 'netns' ("" = this one), read in a
 * child that enters it; -1 when unreadable. */
static int sysctl_in_ns(const char *netns, const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char file[160], buf[16] = { 0 };
		int fd;

		if (netns[0] != '\0') {
			snprintf(file, sizeof(file), "/run/netns/%s", netns);
			fd = open(file, O_RDONLY);
			if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
				_exit(255);
		}
		snprintf(file, sizeof(file), "/proc/sys/%s", path);
		fd = open(file, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
			_exit(255);
		_exit(atoi(buf));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

/* How often dnsmasq's log (in the state dir) says it read 'path', waiting up to 2 s for
 * the second time; -1 when it says it could not. */
static int log_count(const char *path)
{
	char log[128], want[160];
	int count = 0;

	snprintf(log, sizeof(log), "%s/dnsmasq.log", state_dir);
	snprintf(want, sizeof(want), "read %s", path);
	for (int i = 0; i < 200 && count < 2; i++) {
		char *text = util_read_file(log, NULL);

		count = 0;
		for (const char *p = text; p != NULL && (p = strstr(p, want)) != NULL; p++)
			count++;
		if (text != NULL && strstr(text, "cannot read") != NULL)
			count = -1;
		free(text);
		if (count < 0)
			break;
		usleep(10000);
	}
	return count;
}

/* A thread asking the helper for lists many times; counts its failures. */
static void *hammer(void *arg)
{
	intptr_t failures = 0;

	(void)arg;
	for (int i = 0; i < 50; i++) {
		struct err err = { 0 };
		struct priv_link *links = NULL;
		char(*names)[64] = NULL;
		int n = 0, m = 0;

		if (priv_link_list(i % 2 ? ns : NULL, &links, &n, &err) < 0 ||
		    priv_netns_list(&names, &m, &err) < 0 || m < 1)
			failures++;
		free(links);
		free(names);
	}
	return (void *)failures;
}

static void round_trip(void **state)
{
	struct err err = { 0 };
	struct priv_link *links = NULL;
	const struct priv_link *l = NULL;
	char(*cidrs)[50] = NULL;
	int n = 0;
	struct priv_veth v = { 0 };

	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	/* netns add, twice (idempotent) */
	assert_int_equal(priv_netns_add(ns, &err), 0);
	assert_int_equal(priv_netns_add(ns, &err), 0);
	assert_true(has_ns(ns));
	assert_true(ns_mounted(ns));

	/* bridge + veth: tap on the bridge, peer in the namespace with our MAC */
	assert_int_equal(priv_bridge_add(br, 1450, &err), 0);
	assert_int_equal(priv_bridge_add(br, 1450, &err), 0);
	snprintf(v.name, sizeof(v.name), "%s", tap);
	snprintf(v.bridge, sizeof(v.bridge), "%s", br);
	snprintf(v.ns, sizeof(v.ns), "%s", ns);
	snprintf(v.peer, sizeof(v.peer), "%s", peer);
	snprintf(v.peer_mac, sizeof(v.peer_mac), "fa:16:3e:12:34:56");
	v.mtu = 1450;
	if (priv_veth_add(&v, &err) < 0)
		fail_msg("veth add: %s", err.msg);
	assert_int_equal(priv_veth_add(&v, &err), 0);

	/* an address inside the namespace, twice */
	assert_int_equal(priv_addr_add(ns, peer, "10.99.0.2/24", &err), 0);
	assert_int_equal(priv_addr_add(ns, peer, "10.99.0.2/24", &err), 0);
	assert_int_equal(priv_addr_add(ns, peer, "fd99::2/64", &err), 0);
	assert_int_equal(priv_addr_list(ns, peer, &cidrs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_true(strcmp(cidrs[0], "10.99.0.2/24") == 0 || strcmp(cidrs[1], "10.99.0.2/24") == 0);
	assert_true(strcmp(cidrs[0], "fd99::2/64") == 0 || strcmp(cidrs[1], "fd99::2/64") == 0);
	free(cidrs);

	/* link list: root has the bridge and the tap on it; the namespace has the
	 * peer, up */
	assert_int_equal(priv_link_list(NULL, &links, &n, &err), 0);
	assert_true(has_link(links, n, br, &l));
	assert_string_equal(l->kind, "bridge");
	assert_true(has_link(links, n, tap, &l));
	assert_string_equal(l->kind, "veth");
	assert_string_equal(l->master, br);
	assert_int_equal(l->mtu, 1450);
	assert_true(l->up);
	assert_false(has_link(links, n, peer, NULL));
	assert_false(has_link(links, n, "eth0", NULL)); /* only ours are listed */
	assert_false(has_link(links, n, "lo", NULL));
	free(links);
	assert_int_equal(priv_link_list(ns, &links, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(links[0].name, peer);
	assert_true(links[0].up);
	free(links);

	/* several threads at once: each request gets its own answers */
	{
		pthread_t t[4];
		void *failures;

		for (int i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
		for (int i = 0; i < 4; i++) {
			assert_int_equal(pthread_join(t[i], &failures), 0);
			assert_int_equal((intptr_t)failures, 0);
		}
	}

	/* default route and a sysctl inside the namespace */
	assert_int_equal(priv_route_replace(ns, "default", "10.99.0.1", peer, &err), 0);
	assert_int_equal(priv_route_replace(ns, "default", "10.99.0.254", NULL, &err), 0);
	assert_int_equal(priv_route_del(ns, "default", &err), 0);
	assert_int_equal(priv_route_del(ns, "default", &err), 0);
	assert_int_equal(priv_sysctl_set(ns, "net.ipv4.ip_forward", "1", &err), 0);
	assert_int_equal(sysctl_in_ns(ns, "net/ipv4/ip_forward"), 1);
	assert_int_equal(sysctl_in_ns("", "net/ipv4/ip_forward"), 0); /* not the sandbox's */
	/* the root-namespace ones (the sandbox's, see main) */
	assert_int_equal(priv_sysctl_set(NULL, "net.bridge.bridge-nf-call-iptables", "0", &err), 0);
	assert_int_equal(sysctl_in_ns("", "net/bridge/bridge-nf-call-iptables"), 0);
	assert_int_equal(priv_sysctl_set(NULL, "net.bridge.bridge-nf-call-iptables", "1", &err), 0);
	assert_int_equal(sysctl_in_ns("", "net/bridge/bridge-nf-call-iptables"), 1);
	{
		char key[64], path[64];

		snprintf(key, sizeof(key), "net.ipv6.conf.%s.disable_ipv6", br);
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/disable_ipv6", br);
		assert_int_equal(priv_sysctl_set(NULL, key, "1", &err), 0);
		assert_int_equal(sysctl_in_ns("", path), 1);
	}

	/* nftables in the namespace: our table applies, others are refused unrun */
	{
		char path[128];

		write_file("nft.conf",
			   "add table ip ciel-nat\nflush table ip ciel-nat\n"
			   "table ip ciel-nat {\n  chain post {\n"
			   "    type nat hook postrouting priority 100; policy accept;\n"
			   "    ip saddr 10.99.0.0/24 oifname \"qg-x\" masquerade # a comment\n"
			   "  }\n}\n"
			   "add set ip ciel-nat s { type ipv4_addr; }\n"
			   "add rule ip ciel-nat post ip daddr { 10.99.0.7, 10.99.0.8 } accept; "
			   "add element ip ciel-nat s { 10.99.0.9 }\n"
			   "chain ip ciel-nat extra\nelement ip ciel-nat s { 10.99.0.10 }\n",
			   path, sizeof(path));
		if (priv_nft_apply(ns, path, &err) < 0)
			fail_msg("nft apply: %s", err.msg);
		assert_int_equal(priv_nft_apply(ns, path, &err), 0);
		write_file("bad.nft", "flush ruleset\n", path, sizeof(path));
		assert_int_equal(priv_nft_apply(ns, path, &err), -1);
		assert_int_equal(err.kind, ERR_BAD_REQUEST);
		err_clear(&err);
		write_file("bad.nft", "add table inet ciel\nadd table ip filter\n", path,
			   sizeof(path));
		assert_int_equal(priv_nft_apply(ns, path, &err), -1);
		err_clear(&err);
		write_file("bad.nft",
			   "add table ip ciel-nat\nadd rule ip ciel-nat post ip daddr { 1.2.3.4 } "
			   "accept; delete table ip filter\n",
			   path, sizeof(path));
		assert_int_equal(priv_nft_apply(ns, path, &err), -1);
		assert_non_null(strstr(err.msg, "filter"));
		err_clear(&err);
		write_file("bad.nft", "chain ip filter input { }\n", path, sizeof(path));
		assert_int_equal(priv_nft_apply(ns, path, &err), -1);
		assert_non_null(strstr(err.msg, "filter"));
		err_clear(&err);
		write_file("bad.nft", "list ruleset\n", path, sizeof(path));
		assert_int_equal(priv_nft_apply(ns, path, &err), -1);
		err_clear(&err);
		write_file("bad.nft", "define t = filter\nadd table ip $t\n", path, sizeof(path));
		assert_int_equal(priv_nft_apply(ns, path, &err), -1);
		err_clear(&err);
		write_file("bad.nft", "include \"/etc/nftables.conf\"\n", path, sizeof(path));
		assert_int_equal(priv_nft_apply(ns, path, &err), -1);
		err_clear(&err);
		assert_int_equal(priv_nft_apply(ns, "/etc/nftables.conf", &err), -1);
		err_clear(&err);
		/* the helper's warnings went to the log file it inherited */
		{
			char *text = util_read_file(logpath, NULL);

			assert_non_null(text);
			assert_non_null(
				strstr(text, "priv [-] nft apply: nft: include is not allowed"));
			free(text);
		}
		assert_int_equal(priv_nft_delete(ns, "ip", "ciel-nat", &err), 0);
		assert_int_equal(priv_nft_delete(ns, "ip", "ciel-nat", &err), 0);
	}

	/* dnsmasq in the namespace */
	{
		char conf[128], pid[128], leases[128], hosts[128], text[512];
		bool running = true;
		int64_t t0;

		snprintf(leases, sizeof(leases), "%s/leases", state_dir);
		write_file("hosts", "", hosts, sizeof(hosts));
		snprintf(text, sizeof(text),
			 "no-hosts\nno-resolv\nbind-interfaces\ninterface=%s\nport=0\n"
			 "dhcp-range=10.99.0.10,10.99.0.20,255.255.255.0,1h\n"
			 "dhcp-leasefile=%s\ndhcp-hostsfile=%s\nlog-facility=%s/dnsmasq.log\n",
			 peer, leases, hosts, state_dir);
		write_file("dnsmasq.conf", text, conf, sizeof(conf));
		snprintf(pid, sizeof(pid), "%s/dhcp.pid", state_dir);
		assert_int_equal(priv_dnsmasq_running(pid, &running, &err), 0);
		assert_false(running);
		if (priv_dnsmasq_start(ns, conf, pid, &err) < 0)
			fail_msg("dnsmasq start: %s", err.msg);
		assert_int_equal(priv_dnsmasq_running(pid, &running, &err), 0);
		assert_true(running);
		assert_int_equal(priv_dnsmasq_start(ns, conf, pid, &err), 0);
		write_file("hosts", "fa:16:3e:00:00:01,10.99.0.15\n", hosts, sizeof(hosts));
		assert_int_equal(priv_dnsmasq_hup(pid, &err), 0);
		/* dnsmasq could read the hosts file at start and again at SIGHUP */
		assert_int_equal(log_count(hosts), 2);
		t0 = util_now_us();
		assert_int_equal(priv_dnsmasq_stop(pid, &err), 0);
		assert_true(util_now_us() - t0 < 1000000); /* SIGTERM worked, no SIGKILL wait */
		assert_int_equal(priv_dnsmasq_running(pid, &running, &err), 0);
		assert_false(running);
		assert_int_equal(priv_dnsmasq_stop(pid, &err), 0);
		assert_int_equal(priv_dnsmasq_hup(pid, &err), -1);
		assert_int_equal(err.kind, ERR_NOT_FOUND);
		err_clear(&err);
		/* a conf that would run a script as root is refused */
		write_file("evil.conf", "dhcp-script=/bin/sh\n", conf, sizeof(conf));
		assert_int_equal(priv_dnsmasq_start(ns, conf, pid, &err), -1);
		assert_int_equal(err.kind, ERR_BAD_REQUEST);
		err_clear(&err);
		write_file("evil.conf", "dhcp-leasefile=/etc/passwd\n", conf, sizeof(conf));
		assert_int_equal(priv_dnsmasq_start(ns, conf, pid, &err), -1);
		err_clear(&err);
	}

	/* a listening socket made inside the namespace, accepted on from here */
	{
		int fd = -1, one = 0;
		socklen_t len = sizeof(one);

		if (priv_listen_tcp(ns, "169.254.169.254", 80, &fd, &err) < 0)
			fail_msg("listen: %s", err.msg);
		assert_true(fd >= 0);
		assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &one, &len), 0);
		assert_int_equal(one, 1);
		/* the address on a link in the namespace; a client there connects, we accept */
		assert_int_equal(priv_addr_add(ns, peer, "169.254.169.254/32", &err), 0);
		assert_int_equal(connect_in_ns_and_accept(ns, fd), 0);
		close(fd);
		assert_int_equal(priv_listen_tcp(NULL, "127.0.0.1", 8080, &fd, &err), -1);
		err_clear(&err);
	}

	/* a second pair left in the root namespace, then moved, re-mastered, changed
	 */
	assert_int_equal(priv_netns_add(ns2, &err), 0);
	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "qr-%s", tap + 3);
	snprintf(v.peer, sizeof(v.peer), "qg-%s", tap + 3);
	assert_int_equal(priv_veth_add(&v, &err), 0);
	assert_int_equal(priv_link_set_netns(v.peer, ns2, &err), 0);
	assert_int_equal(priv_link_set_netns(v.peer, ns2, &err), 0);
	assert_int_equal(priv_link_set_mtu(ns2, v.peer, 1400, &err), 0);
	assert_int_equal(priv_link_set_up(ns2, v.peer, false, &err), 0);
	assert_int_equal(priv_link_list(ns2, &links, &n, &err), 0);
	assert_true(has_link(links, n, v.peer, &l));
	assert_int_equal(l->mtu, 1400);
	assert_false(l->up);
	free(links);
	assert_int_equal(priv_link_set_master(NULL, v.name, br, &err), 0);
	assert_int_equal(priv_link_list(NULL, &links, &n, &err), 0);
	assert_true(has_link(links, n, v.name, &l));
	assert_string_equal(l->master, br);
	assert_false(has_link(links, n, v.peer, NULL));
	free(links);
	assert_int_equal(priv_link_set_master(NULL, v.name, NULL, &err), 0);
	assert_int_equal(priv_link_list(NULL, &links, &n, &err), 0);
	assert_true(has_link(links, n, v.name, &l));
	assert_string_equal(l->master, "");
	free(links);
	assert_int_equal(priv_addr_add(ns2, v.peer, "10.98.0.1/24", &err), 0);
	assert_int_equal(priv_addr_flush(ns2, v.peer, 4, &err), 0);
	assert_int_equal(priv_addr_list(ns2, v.peer, &cidrs, &n, &err), 0);
	assert_int_equal(n, 0);
	free(cidrs);
	assert_int_equal(priv_sysctl_set(ns2, "net.ipv6.conf.all.forwarding", "1", &err), 0);
	assert_int_equal(priv_link_del(NULL, v.name, &err), 0);

	/* a VXLAN link */
	{
		struct priv_vxlan x = { .vni = 4242, .learning = false, .mtu = 1450 };
		char name[16];

		snprintf(x.name, sizeof(x.name), "vxlan-%s", tap + 6);
		snprintf(x.local, sizeof(x.local), "127.0.0.1");
		snprintf(name, sizeof(name), "%s", x.name);
		if (priv_vxlan_add(&x, &err) < 0)
			fail_msg("vxlan add: %s", err.msg);
		assert_int_equal(priv_vxlan_add(&x, &err), 0);
		assert_int_equal(priv_link_list(NULL, &links, &n, &err), 0);
		assert_true(has_link(links, n, name, &l));
		assert_string_equal(l->kind, "vxlan");
		free(links);
		/* a name taken by a link of another kind is refused, not reused */
		assert_int_equal(priv_bridge_add(name, 0, &err), -1);
		assert_non_null(strstr(err.msg, "vxlan"));
		err_clear(&err);
		assert_int_equal(priv_link_del(NULL, name, &err), 0);
	}

	/* delete everything: gone, and again => 0 */
	assert_int_equal(priv_link_del(ns, peer, &err), 0); /* takes the tap with it */
	assert_int_equal(priv_link_del(ns, peer, &err), 0);
	assert_int_equal(priv_link_del(NULL, tap, &err), 0);
	assert_int_equal(priv_link_del(NULL, br, &err), 0);
	assert_int_equal(priv_link_list(NULL, &links, &n, &err), 0);
	assert_false(has_link(links, n, br, NULL));
	assert_false(has_link(links, n, tap, NULL));
	free(links);
	assert_int_equal(priv_netns_del(ns, &err), 0);
	assert_int_equal(priv_netns_del(ns, &err), 0);
	assert_int_equal(priv_netns_del(ns2, &err), 0);
	assert_false(has_ns(ns));
	assert_false(has_ns(ns2));
	assert_false(ns_mounted(ns));
	assert_int_equal(err.kind, ERR_NONE);
}

/* As root, the whole test runs in a network namespace of its own (the helper forked
 * from it inherits it as its "root" namespace): a bug in the allowlist can then only hit
 * the decoy "eth0" made here (a veth, as the kernel may lack the dummy driver), never the
 * host's links, and the bridges the round trip makes vanish with the process. */
static int sandbox(void)
{
	struct nl_sock *sk;
	int rc = -1;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	sk = nl_socket_alloc();
	if (sk != NULL && nl_connect(sk, NETLINK_ROUTE) == 0 &&
	    rtnl_link_veth_add(sk, "eth0", "eth1", getpid()) == 0)
		rc = 0;
	nl_socket_free(sk);
	return rc;
}

int main(void)
{
	const struct CMUnitTest checks[] = {
		cmocka_unit_test(check_refuses_bad_shape),
		cmocka_unit_test(check_refuses_names_outside_allowlist),
		cmocka_unit_test(server_refuses_and_does_nothing),
	};
	const struct CMUnitTest root[] = {
		cmocka_unit_test(round_trip),
	};
	int failed;

	signal(SIGPIPE, SIG_IGN);
	if (geteuid() == 0 && sandbox() < 0) {
		fprintf(stderr, "test_priv: cannot make a private network namespace\n");
		return 1;
	}
	failed = cmocka_run_group_tests_name("priv checks", checks, NULL, NULL);
	failed += cmocka_run_group_tests_name("priv as root", root, root_setup, root_teardown);
	return failed;
}
