#ifndef CIEL_PRIV_INT_H
#define CIEL_PRIV_INT_H

/* Inside the privileged helper: what the server loop (priv_server.c) hands to
 * the ops (priv_ops.c: namespaces, sysctl, nftables, dnsmasq, sockets;
 * priv_link.c: netlink). Ops run on the helper's single thread after
 * priv_check() accepted the request, so every name and path they read is
 * allowlisted and NUL-terminated. */

#include <stdbool.h>
#include <stddef.h>

#include "network/priv.h"

/* One request being answered. */
struct priv_ctx {
	int sock;		/* the socketpair end */
	const char *state_dir;	/* realpath of the state dir, no trailing '/' */
	const char *state_name; /* the state dir as priv_start() was given it */
	int root_ns;		/* fd of the helper's own (root) net namespace */
	struct priv_ans *ans;	/* the answer being filled */
	int fd_out;		/* fd passed with the final answer, -1 for none */
	bool send_failed;
};

/* Sets 'ans' to a failure with errno-like 'code'; returns -1. The first failure
 * wins. */
int priv_fail(struct priv_ctx *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends an entry to the answer; a full answer is sent with more = 1 first.
 * Returns 0, or -1 (send failed: the op should stop). */
int priv_add_entry(struct priv_ctx *c, const struct priv_entry *e);

/* Sends 'ans' (and 'fd' when >= 0) on 'sock'. Returns 0 or -1. */
int priv_send_ans(int sock, const struct priv_ans *ans, int fd);

/* Enters namespace 'ns' ("" = stay in the root one). Returns 0, or -1 with the
 * failure in 'c' (ENOENT when the namespace does not exist). Every successful
 * enter must be paired with priv_ns_leave(), which returns to the root
 * namespace (and aborts if it cannot: a helper stuck in a guest namespace must
 * not go on). */
int priv_ns_enter(struct priv_ctx *c, const char *ns);
void priv_ns_leave(struct priv_ctx *c);
/* Opens /run/netns/NS (O_RDONLY | O_CLOEXEC); -1 with the failure set in 'c'.
 */
int priv_ns_open(struct priv_ctx *c, const char *ns);

/* Allowlists (priv_server.c). */
bool priv_link_name_ok(const char *name);
bool priv_netns_name_ok(const char *name);
/* Lexical: 'path' is 'dir' + "/" + components, none empty, "." or "..", no
 * control chars. */
bool priv_path_under(const char *path, const char *dir);
/* Whether nft scripts may name table 'table' of 'family'. */
bool priv_nft_table_ok(const char *family, const char *table);

/* Path checks at use time: the parent directory of 'path' must resolve
 * (realpath) to the state dir or below. Returns 0 or -1 with the failure set.
 */
int priv_path_check(struct priv_ctx *c, const char *path);
/* Reads a whole regular file under the state dir (O_NOFOLLOW) of at most 'max'
 * bytes, NUL-terminated; caller frees. NULL with the failure set. */
char *priv_read_file(struct priv_ctx *c, const char *path, size_t max, size_t *size);

/* The ops: each takes the checked request and fills c->ans; returns 0 or -1. */
int priv_op_netns_add(struct priv_ctx *c, const struct priv_req *r);
int priv_op_netns_del(struct priv_ctx *c, const struct priv_req *r);
int priv_op_netns_list(struct priv_ctx *c, const struct priv_req *r);
int priv_op_sysctl(struct priv_ctx *c, const struct priv_req *r);
int priv_op_nft_apply(struct priv_ctx *c, const struct priv_req *r);
int priv_op_nft_delete(struct priv_ctx *c, const struct priv_req *r);
int priv_op_dnsmasq_start(struct priv_ctx *c, const struct priv_req *r);
int priv_op_dnsmasq_hup(struct priv_ctx *c, const struct priv_req *r);
int priv_op_dnsmasq_stop(struct priv_ctx *c, const struct priv_req *r);
int priv_op_dnsmasq_running(struct priv_ctx *c, const struct priv_req *r);
/* Reaps the first processes of dnsmasq starts in flight that exited, keeping their
 * status (priv_dnsmasq.c); the server calls it before it reaps other children. */
void priv_dnsmasq_collect(void);
int priv_op_listen(struct priv_ctx *c, const struct priv_req *r);

int priv_op_link_list(struct priv_ctx *c, const struct priv_req *r);
int priv_op_bridge_add(struct priv_ctx *c, const struct priv_req *r);
int priv_op_vxlan_add(struct priv_ctx *c, const struct priv_req *r);
int priv_op_link_del(struct priv_ctx *c, const struct priv_req *r);
int priv_op_link_up(struct priv_ctx *c, const struct priv_req *r);
int priv_op_link_mtu(struct priv_ctx *c, const struct priv_req *r);
int priv_op_link_master(struct priv_ctx *c, const struct priv_req *r);
int priv_op_link_netns(struct priv_ctx *c, const struct priv_req *r);
int priv_op_veth_add(struct priv_ctx *c, const struct priv_req *r);
int priv_op_addr_add(struct priv_ctx *c, const struct priv_req *r);
int priv_op_addr_del(struct priv_ctx *c, const struct priv_req *r);
int priv_op_addr_flush(struct priv_ctx *c, const struct priv_req *r);
int priv_op_addr_list(struct priv_ctx *c, const struct priv_req *r);
int priv_op_route_replace(struct priv_ctx *c, const struct priv_req *r);
int priv_op_route_del(struct priv_ctx *c, const struct priv_req *r);

/* Brings "lo" up in the current namespace (after a netns add). */
int priv_link_lo_up(struct priv_ctx *c);

/* Request field usage (num[] per op):
 *  BRIDGE_ADD  num[0] mtu
 *  VXLAN_ADD   num[0] mtu, num[1] vni, num[2] dstport, num[3] learning (0/1)
 *  LINK_UP     num[0] 1 up / 0 down
 *  LINK_MTU    num[0] mtu
 *  VETH_ADD    num[0] mtu
 *  ADDR_FLUSH  num[0] family 0/4/6
 *  LISTEN      num[0] port */

#endif
