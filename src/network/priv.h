#ifndef CIEL_PRIV_H
#define CIEL_PRIV_H

/* The privileged helper of the network data plane, after OpenBSD vmd's privsep.
 *
 * Why. Bridges, VXLAN, veth, namespaces, addresses, routes, nftables and dnsmasq need root;
 * parsing HTTP, JSON and SQL does not. priv_start() forks a helper that keeps root and does
 * only the small set of operations below; the rest of ciel (the linuxbridge driver on its
 * worker thread) asks for them over a socketpair(AF_UNIX, SOCK_SEQPACKET). The helper
 * trusts nobody: a bug or a hostile request in the big process can at worst create or
 * delete *our* links, namespaces and tables, never touch eth0, the host's routes, the
 * host's nftables tables or files outside ciel's state directory, and never run a shell.
 *
 * Messages. One request is one struct priv_req datagram; SEQPACKET keeps boundaries, and
 * the helper refuses any datagram whose size is not exactly sizeof(struct priv_req) (it
 * reads with a buffer one byte longer, so a long one is seen, not truncated). Every field
 * is fixed size: names are char arrays that must hold a NUL inside the array, integers
 * are int32. Fields an op does not use must be zero (all-zero arrays), so a request means
 * one thing only. One request gets one struct priv_ans (status 0, or -1 with an errno-like
 * 'code' and a human 'msg'); the list ops answer with a series of priv_ans, each carrying
 * up to PRIV_ENTRIES entries, 'more' = 1 on all but the last. PRIV_OP_LISTEN's answer
 * carries a file descriptor (SCM_RIGHTS). The client holds a mutex from request to last
 * answer, so any thread may call the API.
 *
 * Allowlist (checked before any work; a refusal does nothing and answers EPERM/EINVAL):
 * - links: "brq" + up to 11 of [0-9a-f-] (bridges), or the prefixes "tap", "ns-", "qr-",
 *   "qg-", "vxlan-" followed by [a-z0-9-], 15 characters at most (IFNAMSIZ - 1);
 * - namespaces: "qdhcp-" or "qrouter-" followed by a UUID-ish [0-9a-f-]{1,36};
 *   an empty namespace means the root namespace (the host's), where the same link
 *   allowlist applies, so eth0 and lo there are out of reach;
 * - nftables: scripts may only name tables "ciel" (families inet, bridge) and "ciel-nat"
 *   (families ip, ip6, inet); "flush ruleset", "include" and other tables are refused
 *   (the helper reads each top-level command of the script to check this; what the
 *   rules inside our tables do is the driver's responsibility);
 * - files: absolute paths spelled under the state directory as given to priv_start(),
 *   no "." or ".." components; at use, the file's directory must resolve (realpath)
 *   inside the state dir and the file itself is opened with O_NOFOLLOW;
 * - sysctls: net.ipv4.ip_forward, net.ipv6.conf.{all,default}.forwarding,
 *   net.ipv6.conf.{all,default}.disable_ipv6, net.ipv4.conf.{all,default}.rp_filter (in
 *   one of our namespaces only), net.bridge.bridge-nf-call-{iptables,ip6tables,arptables}
 *   (root namespace only), net.ipv6.conf.<allowed link>.disable_ipv6 (anywhere);
 *   values "0", "1" or "2";
 * - dnsmasq: argv is built by the helper (/usr/sbin/dnsmasq --conf-file=F --pid-file=P
 *   --user=root: as nobody it could not read its hosts file inside the 0700 state dir),
 *   never a shell; the conf file may only use the options listed in priv_dnsmasq.c (DHCP,
 *   DNS-host and interface options; no dhcp-script, conf-dir, conf-file, user), and every
 *   option naming a file must name one under the state directory.
 *
 * Every op is idempotent: creating what exists (with the same kind) succeeds, deleting
 * what is absent succeeds. So the driver's reconcile may just say what it wants.
 *
 * Lifetime. priv_start() must run while ciel is still single-threaded (early in `ciel up`
 * / `serve`, before the HTTP daemon, the task-queue workers and the sync worker start),
 * because fork() in a threaded process copies locks in unknown states, and from the main
 * thread (PR_SET_PDEATHSIG fires when the forking *thread* ends). The helper exits
 * when its socket closes (priv_stop(), or ciel's death: EOF) and also has
 * PR_SET_PDEATHSIG; it leaves the terminal's process group and ignores SIGINT and SIGHUP,
 * so a Ctrl-C reaches ciel, whose exit then ends the helper. Programs it starts (dnsmasq)
 * get default signal dispositions and an empty signal mask. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

/* ---- client API (priv_client.c) ------------------------------------------------------- */

/* Forks the helper; 'state_dir' (absolute, must exist) is the only tree its file ops may
 * touch. Call once, single-threaded (see above). Returns 0, or -1 with err set. */
int priv_start(const char *state_dir, struct err *err);
/* Closes the socket and reaps the helper. Safe to call when not started. */
void priv_stop(void);
/* True between a successful priv_start() and priv_stop() (and while the helper answers). */
bool priv_running(void);

/* In every call below, 'ns' NULL or "" means the root namespace; every name must pass the
 * allowlist above; each returns 0, or -1 with err set (ERR_BAD_REQUEST for a refusal,
 * ERR_NOT_FOUND when a namespace, link or process it needs is absent, ERR_INTERNAL for
 * another failure of the work, ERR_UNAVAILABLE when the helper is gone). */

/* Namespaces, as `ip netns add/del`: /run/netns/NAME bind-mounts a new net namespace. */
int priv_netns_add(const char *ns, struct err *err);
int priv_netns_del(const char *ns, struct err *err);
/* Names in /run/netns with our prefixes. '*names' (array of *n) is the caller's to free. */
int priv_netns_list(char (**names)[64], int *n, struct err *err);

struct priv_link {
	char name[16];
	char kind[16];	 /* "bridge", "vxlan", "veth", "tun", ... ("" when unknown) */
	char master[16]; /* bridge it is enslaved to, "" when none */
	int mtu;
	bool up;
};
/* Our links (names passing the allowlist) in 'ns'. '*links' is the caller's to free. */
int priv_link_list(const char *ns, struct priv_link **links, int *n, struct err *err);

/* A bridge in the root namespace, brought up; 'mtu' 0 keeps the default. Exists already
 * => 0 (up and mtu are applied again); a link of that name but another kind => -1. */
int priv_bridge_add(const char *name, int mtu, struct err *err);

struct priv_vxlan {
	char name[16];
	int vni;	/* 1 .. 16777215 */
	char local[46]; /* local IPv4/IPv6 address, "" for none */
	char group[46]; /* multicast group or remote, "" for none */
	char dev[16];	/* underlay device, "" for none (must pass the allowlist) */
	int dstport;	/* 0: 4789 */
	int mtu;	/* 0: default */
	bool learning;
};
/* A VXLAN link in the root namespace, brought up. Exists already => 0 (its vni and
 * addresses are not compared); a link of that name but another kind => -1. */
int priv_vxlan_add(const struct priv_vxlan *v, struct err *err);

/* Deletes link 'name' in 'ns'; absent => 0. (Deleting one end of a veth deletes both.) */
int priv_link_del(const char *ns, const char *name, struct err *err);
int priv_link_set_up(const char *ns, const char *name, bool up, struct err *err);
int priv_link_set_mtu(const char *ns, const char *name, int mtu, struct err *err);
/* Enslaves 'name' to bridge 'master' (both in 'ns'); 'master' NULL or "" releases it. */
int priv_link_set_master(const char *ns, const char *name, const char *master, struct err *err);
/* Moves root-namespace link 'name' into namespace 'to_ns' (already there => 0). */
int priv_link_set_netns(const char *name, const char *to_ns, struct err *err);

struct priv_veth {
	char name[16];	   /* root-namespace end, e.g. "tap" + port id[:11] */
	char bridge[16];   /* bridge the root end joins, "" for none */
	char ns[64];	   /* namespace the peer goes to, "" to leave it in the root ns */
	char peer[16];	   /* peer name, e.g. "ns-..." / "qr-..." / "qg-..." */
	char peer_mac[18]; /* "aa:bb:cc:dd:ee:ff" or "" to keep the kernel's */
	int mtu;	   /* both ends; 0: default */
};
/* Creates the pair, attaches 'name' to 'bridge', moves 'peer' into 'ns', sets the peer's
 * MAC and mtu and brings both ends up. When the pair exists already (peer found in 'ns')
 * it only re-applies master, MAC, mtu and up. */
int priv_veth_add(const struct priv_veth *v, struct err *err);

/* Adds 'cidr' ("10.0.0.2/24", "fd00::1/64") to link 'dev' in 'ns'; present => 0. */
int priv_addr_add(const char *ns, const char *dev, const char *cidr, struct err *err);
/* Removes 'cidr' from 'dev'; absent => 0. */
int priv_addr_del(const char *ns, const char *dev, const char *cidr, struct err *err);
/* Removes every global address of 'family' (4, 6, or 0 for both) from 'dev'. */
int priv_addr_flush(const char *ns, const char *dev, int family, struct err *err);
/* The global-scope addresses of 'dev' as "addr/prefix" strings; caller frees '*cidrs'. */
int priv_addr_list(const char *ns, const char *dev, char (**cidrs)[50], int *n, struct err *err);

/* As `ip route replace DST [via GW] [dev DEV]` in 'ns' (which must be a namespace, not
 * the root). 'dst' is "default", "default6" (IPv6 default) or a CIDR; 'gateway' and 'dev'
 * may be NULL/"" (not both). */
int priv_route_replace(const char *ns, const char *dst, const char *gateway, const char *dev,
		       struct err *err);
/* Deletes the route to 'dst' in 'ns'; absent => 0. */
int priv_route_del(const char *ns, const char *dst, struct err *err);

/* Writes 'value' to an allowlisted sysctl (dotted form) in 'ns' (root for the bridge-nf
 * ones). */
int priv_sysctl_set(const char *ns, const char *key, const char *value, struct err *err);

/* Runs the nftables script in file 'path' (under the state dir, written by the caller;
 * up to 4 MiB) in 'ns' through libnftables, as one atomic batch. The script should start
 * with "add table F T" + "flush table F T" (or "delete table") so that it replaces our
 * table whole. Error text from nft comes back in err (first 200 bytes). */
int priv_nft_apply(const char *ns, const char *path, struct err *err);
/* Deletes table 'table' of 'family' in 'ns'; absent => 0. */
int priv_nft_delete(const char *ns, const char *family, const char *table, struct err *err);

/* Starts dnsmasq in namespace 'ns' with conf file 'conf' and pid file 'pid' (both under
 * the state dir). Already running (pid file names a live dnsmasq) => 0, nothing done. The
 * call returns when dnsmasq has daemonized (its startup errors come back in err) and waits
 * in its event loop, so a priv_dnsmasq_hup() right after is not lost. */
int priv_dnsmasq_start(const char *ns, const char *conf, const char *pid, struct err *err);
/* Sends SIGHUP (re-read hosts/opts files) to the dnsmasq of pid file 'pid'; not running
 * => -1 with ERR_NOT_FOUND. */
int priv_dnsmasq_hup(const char *pid, struct err *err);
/* Stops it (SIGTERM, then SIGKILL after 2 s) and removes the pid file; not running => 0. */
int priv_dnsmasq_stop(const char *pid, struct err *err);
/* Sets '*running' to whether the pid file names a live dnsmasq. */
int priv_dnsmasq_running(const char *pid, bool *running, struct err *err);

/* Creates a TCP socket inside namespace 'ns' (not the root), bound to 'addr':'port' (e.g.
 * "169.254.169.254", 80; IP_FREEBIND, so the address may be added later) and listening,
 * and returns it in '*fd' (the caller's to close; accept() on it from any namespace). */
int priv_listen_tcp(const char *ns, const char *addr, int port, int *fd, struct err *err);

/* ---- protocol (shared by both sides) -------------------------------------------------- */

enum priv_op {
	PRIV_OP_NONE,
	PRIV_OP_NETNS_ADD,
	PRIV_OP_NETNS_DEL,
	PRIV_OP_NETNS_LIST,
	PRIV_OP_LINK_LIST,
	PRIV_OP_BRIDGE_ADD,
	PRIV_OP_VXLAN_ADD,
	PRIV_OP_LINK_DEL,
	PRIV_OP_LINK_UP,
	PRIV_OP_LINK_MTU,
	PRIV_OP_LINK_MASTER,
	PRIV_OP_LINK_NETNS,
	PRIV_OP_VETH_ADD,
	PRIV_OP_ADDR_ADD,
	PRIV_OP_ADDR_DEL,
	PRIV_OP_ADDR_FLUSH,
	PRIV_OP_ADDR_LIST,
	PRIV_OP_ROUTE_REPLACE,
	PRIV_OP_ROUTE_DEL,
	PRIV_OP_SYSCTL,
	PRIV_OP_NFT_APPLY,
	PRIV_OP_NFT_DELETE,
	PRIV_OP_DNSMASQ_START,
	PRIV_OP_DNSMASQ_HUP,
	PRIV_OP_DNSMASQ_STOP,
	PRIV_OP_DNSMASQ_RUNNING,
	PRIV_OP_LISTEN,
	PRIV_OP_MAX,
};

#define PRIV_MAGIC 0x63696c31u /* "cil1": bumped when the layout changes */
#define PRIV_PATH_SIZE 256
#define PRIV_ENTRIES 16

/* One request. Which fields an op uses is in priv_server.c's op table; unused = zero. */
struct priv_req {
	uint32_t magic;
	uint32_t op;		    /* enum priv_op */
	char ns[64];		    /* namespace ("" = root) */
	char ns2[64];		    /* target namespace (link netns move, veth peer) */
	char link[16];		    /* link the op is about */
	char link2[16];		    /* peer / master / underlay dev */
	char link3[16];		    /* bridge of a veth */
	char mac[20];		    /* "aa:bb:cc:dd:ee:ff" */
	char addr[50];		    /* CIDR, IP, route destination */
	char addr2[50];		    /* gateway, vxlan group */
	char key[64];		    /* sysctl key, nft family */
	char value[16];		    /* sysctl value, nft table */
	char path[PRIV_PATH_SIZE];  /* file under the state dir */
	char path2[PRIV_PATH_SIZE]; /* second file (dnsmasq pid file) */
	int32_t num[4];		    /* mtu, vni, port, flags / family, per op */
};

struct priv_entry {
	char name[64]; /* link name, netns name or "addr/prefix" */
	char kind[16];
	char master[16];
	int32_t mtu;
	int32_t up;
};

/* One answer. */
struct priv_ans {
	uint32_t magic;
	uint32_t op;	/* echo of the request's op */
	int32_t status; /* 0 or -1 */
	int32_t code;	/* errno-like cause when status is -1 (EPERM: refused) */
	int32_t more;	/* list ops: another answer follows */
	int32_t nentries;
	int32_t num[4]; /* op results (e.g. dnsmasq running: num[0] = 1) */
	struct priv_entry entries[PRIV_ENTRIES];
	char msg[200];
};

/* ---- helper side (priv_server.c), exposed for the unit test ------------------------- */

/* Checks a received datagram of 'size' bytes: size, magic, op, termination and allowlist
 * of every field the op uses, zero of the others. Returns 0, or -1 with 'ans' filled as
 * the refusal (status -1, code, msg). 'state_dir' is the file root. Does no work. */
int priv_check(const void *buf, size_t size, const char *state_dir, struct priv_ans *ans);

/* The helper's loop: reads requests from 'fd', checks, runs and answers each until EOF.
 * Returns 0 at EOF, -1 on a socket error. */
int priv_serve(int fd, const char *state_dir);

#endif
