/* The privileged helper's side of the socketpair: the loop that reads one
 * fixed-size request at a time, the checks every request passes before anything
 * is done (size, magic, op, every field NUL-terminated, zero where unused,
 * allowlisted where used) and the dispatch to the ops (priv_ops.c,
 * priv_link.c). See priv.h for the why. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "network/priv_int.h"

#define LOG_MODULE "priv"

_Static_assert(sizeof(struct priv_req) % 4 == 0, "priv_req has no tail padding");
_Static_assert(offsetof(struct priv_req, num) == offsetof(struct priv_req, path2) + PRIV_PATH_SIZE,
	       "priv_req has no padding before num");

/* Request fields, for the op table. */
enum {
	F_NS = 1 << 0,
	F_NS2 = 1 << 1,
	F_LINK = 1 << 2,
	F_LINK2 = 1 << 3,
	F_LINK3 = 1 << 4,
	F_MAC = 1 << 5,
	F_ADDR = 1 << 6,
	F_ADDR2 = 1 << 7,
	F_KEY = 1 << 8,
	F_VALUE = 1 << 9,
	F_PATH = 1 << 10,
	F_PATH2 = 1 << 11,
};

/* What 'addr' holds for an op. */
enum addr_kind { A_NONE, A_IP, A_CIDR, A_ROUTE };

struct op_spec {
	const char *name;
	unsigned used;	   /* fields the op reads; all others must be zero */
	unsigned required; /* fields that must be non-empty */
	int nnum;	   /* num[0 .. nnum-1] used, the rest zero */
	enum addr_kind addr;
	int (*run)(struct priv_ctx *c, const struct priv_req *r);
};

static const struct op_spec op_specs[PRIV_OP_MAX] = {
	[PRIV_OP_NETNS_ADD] = { "netns add", F_NS, F_NS, 0, A_NONE, priv_op_netns_add },
	[PRIV_OP_NETNS_DEL] = { "netns del", F_NS, F_NS, 0, A_NONE, priv_op_netns_del },
	[PRIV_OP_NETNS_LIST] = { "netns list", 0, 0, 0, A_NONE, priv_op_netns_list },
	[PRIV_OP_LINK_LIST] = { "link list", F_NS, 0, 0, A_NONE, priv_op_link_list },
	[PRIV_OP_BRIDGE_ADD] = { "bridge add", F_LINK, F_LINK, 1, A_NONE, priv_op_bridge_add },
	[PRIV_OP_VXLAN_ADD] = { "vxlan add", F_LINK | F_LINK2 | F_ADDR | F_ADDR2, F_LINK, 4, A_IP,
				priv_op_vxlan_add },
	[PRIV_OP_LINK_DEL] = { "link del", F_NS | F_LINK, F_LINK, 0, A_NONE, priv_op_link_del },
	[PRIV_OP_LINK_UP] = { "link up", F_NS | F_LINK, F_LINK, 1, A_NONE, priv_op_link_up },
	[PRIV_OP_LINK_MTU] = { "link mtu", F_NS | F_LINK, F_LINK, 1, A_NONE, priv_op_link_mtu },
	[PRIV_OP_LINK_MASTER] = { "link master", F_NS | F_LINK | F_LINK2, F_LINK, 0, A_NONE,
				  priv_op_link_master },
	[PRIV_OP_LINK_NETNS] = { "link netns", F_LINK | F_NS2, F_LINK | F_NS2, 0, A_NONE,
				 priv_op_link_netns },
	[PRIV_OP_VETH_ADD] = { "veth add", F_LINK | F_LINK2 | F_LINK3 | F_NS2 | F_MAC,
			       F_LINK | F_LINK2, 1, A_NONE, priv_op_veth_add },
	[PRIV_OP_ADDR_ADD] = { "addr add", F_NS | F_LINK | F_ADDR, F_LINK | F_ADDR, 0, A_CIDR,
			       priv_op_addr_add },
	[PRIV_OP_ADDR_DEL] = { "addr del", F_NS | F_LINK | F_ADDR, F_LINK | F_ADDR, 0, A_CIDR,
			       priv_op_addr_del },
	[PRIV_OP_ADDR_FLUSH] = { "addr flush", F_NS | F_LINK, F_LINK, 1, A_NONE,
				 priv_op_addr_flush },
	[PRIV_OP_ADDR_LIST] = { "addr list", F_NS | F_LINK, F_LINK, 0, A_NONE, priv_op_addr_list },
	[PRIV_OP_ROUTE_REPLACE] = { "route replace", F_NS | F_ADDR | F_ADDR2 | F_LINK,
				    F_NS | F_ADDR, 0, A_ROUTE, priv_op_route_replace },
	[PRIV_OP_ROUTE_DEL] = { "route del", F_NS | F_ADDR, F_NS | F_ADDR, 0, A_ROUTE,
				priv_op_route_del },
	[PRIV_OP_SYSCTL] = { "sysctl", F_NS | F_KEY | F_VALUE, F_KEY | F_VALUE, 0, A_NONE,
			     priv_op_sysctl },
	[PRIV_OP_NFT_APPLY] = { "nft apply", F_NS | F_PATH, F_PATH, 0, A_NONE, priv_op_nft_apply },
	[PRIV_OP_NFT_DELETE] = { "nft delete", F_NS | F_KEY | F_VALUE, F_KEY | F_VALUE, 0, A_NONE,
				 priv_op_nft_delete },
	[PRIV_OP_DNSMASQ_START] = { "dnsmasq start", F_NS | F_PATH | F_PATH2,
				    F_NS | F_PATH | F_PATH2, 0, A_NONE, priv_op_dnsmasq_start },
	[PRIV_OP_DNSMASQ_HUP] = { "dnsmasq hup", F_PATH2, F_PATH2, 0, A_NONE, priv_op_dnsmasq_hup },
	[PRIV_OP_DNSMASQ_STOP] = { "dnsmasq stop", F_PATH2, F_PATH2, 0, A_NONE,
				   priv_op_dnsmasq_stop },
	[PRIV_OP_DNSMASQ_RUNNING] = { "dnsmasq running", F_PATH2, F_PATH2, 0, A_NONE,
				      priv_op_dnsmasq_running },
	[PRIV_OP_LISTEN] = { "listen", F_NS | F_ADDR, F_NS | F_ADDR, 1, A_IP, priv_op_listen },
};

/* ---- allowlists -------------------------------------------------------------------------- */

static bool chars_in(const char *s, const char *set)
{
	return s[0] != '\0' && strspn(s, set) == strlen(s);
}

bool priv_link_name_ok(const char *name)
{
	static const char *const prefixes[] = { "tap", "ns-", "qr-", "qg-", "vxlan-" };
	size_t len = strlen(name);

	if (len > 15)
		return false;
	if (strncmp(name, "brq", 3) == 0)
		return len <= 14 && chars_in(name + 3, "0123456789abcdef-");
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t plen = strlen(prefixes[i]);

		if (strncmp(name, prefixes[i], plen) == 0)
			return chars_in(name + plen, "abcdefghijklmnopqrstuvwxyz0123456789-");
	}
	return false;
}

bool priv_netns_name_ok(const char *name)
{
	static const char *const prefixes[] = { "qdhcp-", "qrouter-" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t plen = strlen(prefixes[i]);

		if (strncmp(name, prefixes[i], plen) == 0)
			return strlen(name + plen) <= 36 &&
			       chars_in(name + plen, "0123456789abcdef-");
	}
	return false;
}

/* Lexical check: 'path' is 'dir' + "/" + components, none empty, "." or "..",
 * printable. */
bool priv_path_under(const char *path, const char *dir)
{
	size_t dlen = strlen(dir);
	const char *p;

	if (dlen == 0 || strncmp(path, dir, dlen) != 0 || path[dlen] != '/')
		return false;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	p = path + dlen;
	while (*p == '/') {
		const char *start = ++p;
		size_t n = strcspn(start, "/");

		if (n == 0 || (n == 1 && start[0] == '.') ||
		    (n == 2 && start[0] == '.' && start[1] == '.'))
			return false;
		p = start + n;
	}
	return true;
}

static bool mac_ok(const char *s)
{
	unsigned int b[6];
	char tail;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
				      &b[4], &b[5], &tail) != 6)
		return false;
	if (!chars_in(s, "0123456789abcdefABCDEF:"))
		return false;
	return (b[0] & 1) == 0; /* unicast */
}

/* An IPv4/IPv6 address, with a "/prefix" when 'prefix' (required then). */
static bool ip_ok(const char *s, bool prefix)
{
	char buf[64];
	unsigned char bin[16];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int family;

	if (n >= sizeof(buf) || (slash != NULL) != prefix)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, buf, bin) == 1)
		family = 6;
	else
		return false;
	if (prefix) {
		const char *d = slash + 1;
		char *end;
		long len;

		if (!chars_in(d, "0123456789") || strlen(d) > 3)
			return false;
		len = strtol(d, &end, 10);
		if (len < 0 || len > (family == 4 ? 32 : 128))
			return false;
	}
	return true;
}

static bool sysctl_ok(const char *key, const char *value, bool root)
{
	static const char *const root_keys[] = {
		"net.bridge.bridge-nf-call-iptables",
		"net.bridge.bridge-nf-call-ip6tables",
		"net.bridge.bridge-nf-call-arptables",
	};
	static const char *const ns_keys[] = {
		"net.ipv4.ip_forward",
		"net.ipv6.conf.all.forwarding",
		"net.ipv6.conf.default.forwarding",
		"net.ipv6.conf.all.disable_ipv6",
		"net.ipv6.conf.default.disable_ipv6",
		"net.ipv4.conf.all.rp_filter",
		"net.ipv4.conf.default.rp_filter",
	};
	static const char prefix[] = "net.ipv6.conf.";
	static const char suffix[] = ".disable_ipv6";
	size_t klen = strlen(key);

	if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0 && strcmp(value, "2") != 0)
		return false;
	if (root) {
		for (size_t i = 0; i < ARRAY_SIZE(root_keys); i++)
			if (strcmp(key, root_keys[i]) == 0)
				return true;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(ns_keys); i++)
			if (strcmp(key, ns_keys[i]) == 0)
				return true;
	}
	/* net.ipv6.conf.<our link>.disable_ipv6, in any namespace (our links only) */
	if (klen > sizeof(prefix) - 1 + sizeof(suffix) - 1 &&
	    strncmp(key, prefix, sizeof(prefix) - 1) == 0 &&
	    strcmp(key + klen - (sizeof(suffix) - 1), suffix) == 0) {
		char link[32];
		size_t n = klen - (sizeof(prefix) - 1) - (sizeof(suffix) - 1);

		if (n >= sizeof(link))
			return false;
		memcpy(link, key + sizeof(prefix) - 1, n);
		link[n] = '\0';
		return priv_link_name_ok(link);
	}
	return false;
}

static bool nft_table_ok(const char *family, const char *table)
{
	static const struct {
		const char *family, *table;
	} tables[] = {
		{ "inet", "ciel" },    { "bridge", "ciel" },   { "ip", "ciel-nat" },
		{ "ip6", "ciel-nat" }, { "inet", "ciel-nat" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
		if (strcmp(family, tables[i].family) == 0 && strcmp(table, tables[i].table) == 0)
			return true;
	return false;
}

/* ---- the check --------------------------------------------------------------------------- */

static int refuse(struct priv_ans *ans, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct priv_ans *ans, int code, const char *fmt, ...)
{
	va_list ap;

	ans->status = -1;
	ans->code = code;
	va_start(ap, fmt);
	vsnprintf(ans->msg, sizeof(ans->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A char array field: NUL inside, zero after the NUL; empty when the op does
 * not use it, non-empty when it requires it. */
static int check_array(struct priv_ans *ans, const char *field, const char *a, size_t size,
		       unsigned bit, const struct op_spec *spec)
{
	const char *nul = memchr(a, '\0', size);

	if (nul == NULL)
		return refuse(ans, EINVAL, "%s: %s is not NUL-terminated", spec->name, field);
	for (const char *p = nul; p < a + size; p++)
		if (*p != '\0')
			return refuse(ans, EINVAL, "%s: %s has bytes after its NUL", spec->name,
				      field);
	if (!(spec->used & bit) && a[0] != '\0')
		return refuse(ans, EINVAL, "%s: %s must be empty", spec->name, field);
	if ((spec->required & bit) && a[0] == '\0')
		return refuse(ans, EINVAL, "%s: %s is required", spec->name, field);
	return 0;
}

static int check_num(struct priv_ans *ans, const struct op_spec *spec, uint32_t op,
		     const int32_t *num)
{
	for (int i = spec->nnum; i < 4; i++)
		if (num[i] != 0)
			return refuse(ans, EINVAL, "%s: num[%d] must be 0", spec->name, i);
	switch (op) {
	case PRIV_OP_BRIDGE_ADD:
	case PRIV_OP_LINK_MTU:
	case PRIV_OP_VETH_ADD:
	case PRIV_OP_VXLAN_ADD:
		if (num[0] != 0 && (num[0] < 68 || num[0] > 65535))
			return refuse(ans, EINVAL, "%s: mtu %d out of range", spec->name, num[0]);
		if (op == PRIV_OP_LINK_MTU && num[0] == 0)
			return refuse(ans, EINVAL, "%s: mtu is required", spec->name);
		if (op == PRIV_OP_VXLAN_ADD && (num[1] < 1 || num[1] > 0xffffff || num[2] < 0 ||
						num[2] > 65535 || (num[3] != 0 && num[3] != 1)))
			return refuse(ans, EINVAL, "%s: bad vni, dstport or learning", spec->name);
		break;
	case PRIV_OP_LINK_UP:
		if (num[0] != 0 && num[0] != 1)
			return refuse(ans, EINVAL, "%s: up is 0 or 1", spec->name);
		break;
	case PRIV_OP_ADDR_FLUSH:
		if (num[0] != 0 && num[0] != 4 && num[0] != 6)
			return refuse(ans, EINVAL, "%s: family is 0, 4 or 6", spec->name);
		break;
	case PRIV_OP_LISTEN:
		if (num[0] < 1 || num[0] > 65535)
			return refuse(ans, EINVAL, "%s: port out of range", spec->name);
		break;
	default:
		break;
	}
	return 0;
}

static int check_names(struct priv_ans *ans, const struct op_spec *spec, const struct priv_req *r,
		       const char *state_dir)
{
	const struct {
		const char *field, *value;
		unsigned bit;
		bool (*ok)(const char *);
	} names[] = {
		{ "ns", r->ns, F_NS, priv_netns_name_ok },
		{ "ns2", r->ns2, F_NS2, priv_netns_name_ok },
		{ "link", r->link, F_LINK, priv_link_name_ok },
		{ "link2", r->link2, F_LINK2, priv_link_name_ok },
		{ "link3", r->link3, F_LINK3, priv_link_name_ok },
		{ "mac", r->mac, F_MAC, mac_ok },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].value[0] != '\0' && !names[i].ok(names[i].value))
			return refuse(ans, names[i].bit == F_MAC ? EINVAL : EPERM,
				      "%s: %s \"%s\" is not allowed", spec->name, names[i].field,
				      names[i].value);

	if (r->addr[0] != '\0') {
		bool ok;

		if (spec->addr == A_ROUTE)
			ok = strcmp(r->addr, "default") == 0 || strcmp(r->addr, "default6") == 0 ||
			     ip_ok(r->addr, true);
		else
			ok = ip_ok(r->addr, spec->addr == A_CIDR);
		if (!ok)
			return refuse(ans, EINVAL, "%s: bad address \"%s\"", spec->name, r->addr);
	}
	if (r->addr2[0] != '\0' && !ip_ok(r->addr2, false))
		return refuse(ans, EINVAL, "%s: bad address \"%s\"", spec->name, r->addr2);
	if (r->path[0] != '\0' && !priv_path_under(r->path, state_dir))
		return refuse(ans, EPERM, "%s: path is not under the state directory", spec->name);
	if (r->path2[0] != '\0' && !priv_path_under(r->path2, state_dir))
		return refuse(ans, EPERM, "%s: path is not under the state directory", spec->name);
	return 0;
}

int priv_check(const void *buf, size_t size, const char *state_dir, struct priv_ans *ans)
{
	struct priv_req r;
	const struct op_spec *spec;

	memset(ans, 0, sizeof(*ans));
	ans->magic = PRIV_MAGIC;
	if (size != sizeof(r))
		return refuse(ans, EMSGSIZE, "request of %zu bytes, want %zu", size, sizeof(r));
	memcpy(&r, buf, sizeof(r));
	ans->op = r.op;
	if (r.magic != PRIV_MAGIC)
		return refuse(ans, EPROTO, "bad magic");
	if (r.op <= PRIV_OP_NONE || r.op >= PRIV_OP_MAX || op_specs[r.op].run == NULL)
		return refuse(ans, EOPNOTSUPP, "unknown op %u", r.op);
	spec = &op_specs[r.op];

#define CHECK_ARRAY(f, bit)                                                                        \
	do {                                                                                       \
		if (check_array(ans, #f, r.f, sizeof(r.f), (bit), spec) < 0)                       \
			return -1;                                                                 \
	} while (0)
	CHECK_ARRAY(ns, F_NS);
	CHECK_ARRAY(ns2, F_NS2);
	CHECK_ARRAY(link, F_LINK);
	CHECK_ARRAY(link2, F_LINK2);
	CHECK_ARRAY(link3, F_LINK3);
	CHECK_ARRAY(mac, F_MAC);
	CHECK_ARRAY(addr, F_ADDR);
	CHECK_ARRAY(addr2, F_ADDR2);
	CHECK_ARRAY(key, F_KEY);
	CHECK_ARRAY(value, F_VALUE);
	CHECK_ARRAY(path, F_PATH);
	CHECK_ARRAY(path2, F_PATH2);
#undef CHECK_ARRAY
	if (check_num(ans, spec, r.op, r.num) < 0 || check_names(ans, spec, &r, state_dir) < 0)
		return -1;

	switch (r.op) {
	case PRIV_OP_SYSCTL:
		if (!sysctl_ok(r.key, r.value, r.ns[0] == '\0'))
			return refuse(ans, EPERM, "sysctl: %s=%s is not allowed%s", r.key, r.value,
				      r.ns[0] == '\0' ? " in the root namespace" : "");
		break;
	case PRIV_OP_NFT_DELETE:
		if (!nft_table_ok(r.key, r.value))
			return refuse(ans, EPERM, "nft delete: table %s %s is not ours", r.key,
				      r.value);
		break;
	case PRIV_OP_ROUTE_REPLACE:
		if (r.addr2[0] == '\0' && r.link[0] == '\0')
			return refuse(ans, EINVAL,
				      "route replace: a gateway or a device is needed");
		break;
	default:
		break;
	}
	return 0;
}

bool priv_nft_table_ok(const char *family, const char *table)
{
	return nft_table_ok(family, table);
}

/* ---- answers and the loop ---------------------------------------------------------------- */

int priv_fail(struct priv_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->ans->status != 0)
		return -1;
	c->ans->status = -1;
	c->ans->code = code;
	va_start(ap, fmt);
	vsnprintf(c->ans->msg, sizeof(c->ans->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int priv_send_ans(int sock, const struct priv_ans *ans, int fd)
{
	struct iovec iov = { .iov_base = (void *)ans, .iov_len = sizeof(*ans) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*ans) ? 0 : -1;
}

int priv_add_entry(struct priv_ctx *c, const struct priv_entry *e)
{
	struct priv_ans *ans = c->ans;

	if (c->send_failed)
		return -1;
	if (ans->nentries == PRIV_ENTRIES) {
		ans->more = 1;
		if (priv_send_ans(c->sock, ans, -1) < 0) {
			c->send_failed = true;
			return -1;
		}
		ans->more = 0;
		ans->nentries = 0;
		memset(ans->entries, 0, sizeof(ans->entries));
	}
	ans->entries[ans->nentries++] = *e;
	return 0;
}

int priv_serve(int fd, const char *state_dir)
{
	union {
		struct priv_req req;
		char buf[sizeof(struct priv_req) + 1];
	} in;
	struct priv_ans ans;
	char *dir = realpath(state_dir, NULL);
	int root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int rc = -1;

	/* dnsmasq daemonizes: its daemon is reparented here, and reaped below, rather
	 * than left a zombie under an init that may not reap */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (dir == NULL || root_ns < 0) {
		log_error("cannot open the state dir or the root namespace: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		struct priv_ctx c = { .sock = fd,
				      .state_dir = dir,
				      .state_name = state_dir,
				      .root_ns = root_ns,
				      .ans = &ans,
				      .fd_out = -1 };
		ssize_t n = recv(fd, in.buf, sizeof(in.buf), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("recv: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			rc = 0;
			break;
		}
		if (priv_check(in.buf, (size_t)n, state_dir, &ans) < 0) {
			log_warn("refused: %s", ans.msg);
		} else {
			const struct op_spec *spec = &op_specs[in.req.op];

			if (spec->run(&c, &in.req) < 0 && ans.status == 0)
				priv_fail(&c, EIO, "%s failed", spec->name);
			if (ans.status != 0)
				log_warn("%s: %s", spec->name, ans.msg);
		}
		if (c.send_failed)
			break;
		ans.more = 0;
		if (priv_send_ans(fd, &ans, ans.status == 0 ? c.fd_out : -1) < 0) {
			log_error("send: %s", strerror(errno));
			if (c.fd_out >= 0)
				close(c.fd_out);
			break;
		}
		if (c.fd_out >= 0)
			close(c.fd_out);
		priv_dnsmasq_collect();
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
out:
	if (root_ns >= 0)
		close(root_ns);
	free(dir);
	return rc;
}
