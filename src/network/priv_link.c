/* The helper's netlink work through libnl-route-3: links (bridge, VXLAN, veth),
 * addresses and routes, in the root namespace or inside one of ours (setns, a
 * socket made there, setns back: a netlink socket belongs to the namespace it
 * was created in). Every op is idempotent: "exists" and "absent" are the
 * answers the reconcile loop wants, not errors. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "network/priv_int.h"

#ifndef IFA_F_NODAD
#define IFA_F_NODAD 0x02
#endif

/* A netlink route socket in namespace 'ns' (entered; nl_done leaves it). */
static struct nl_sock *nl_begin(struct priv_ctx *c, const char *ns)
{
	struct nl_sock *sk;
	int e;

	if (priv_ns_enter(c, ns) < 0)
		return NULL;
	sk = nl_socket_alloc();
	if (sk == NULL) {
		priv_fail(c, ENOMEM, "netlink: no socket");
	} else if ((e = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		priv_fail(c, EIO, "netlink: %s", nl_geterror(e));
		nl_socket_free(sk);
		sk = NULL;
	}
	if (sk == NULL && ns[0] != '\0')
		priv_ns_leave(c);
	return sk;
}

static void nl_done(struct priv_ctx *c, const char *ns, struct nl_sock *sk)
{
	nl_socket_free(sk);
	if (ns[0] != '\0')
		priv_ns_leave(c);
}

static int nl_fail(struct priv_ctx *c, int e, const char *what, const char *name)
{
	int code = EIO;

	if (e == -NLE_EXIST)
		code = EEXIST;
	else if (e == -NLE_OBJ_NOTFOUND || e == -NLE_NODEV)
		code = ENOENT;
	else if (e == -NLE_PERM)
		code = EPERM;
	else if (e == -NLE_INVAL)
		code = EINVAL;
	return priv_fail(c, code, "%s %s: %s", what, name, nl_geterror(e));
}

static bool absent(int e)
{
	return e == -NLE_OBJ_NOTFOUND || e == -NLE_NODEV;
}

/* The kernel's link 'name' in '*link' (caller puts), 0 when absent, -1 on
 * failure. */
static int link_find(struct priv_ctx *c, struct nl_sock *sk, const char *name,
		     struct rtnl_link **link)
{
	int e = rtnl_link_get_kernel(sk, 0, name, link);

	if (e == 0)
		return 1;
	*link = NULL;
	if (absent(e))
		return 0;
	return nl_fail(c, e, "link", name);
}

/* Applies the changes in 'change' (owned by the caller) to link 'name'. */
static int link_change(struct priv_ctx *c, struct nl_sock *sk, const char *name,
		       struct rtnl_link *change)
{
	struct rtnl_link *link;
	int found = link_find(c, sk, name, &link), e;

	if (found <= 0)
		return found < 0 ? -1 : priv_fail(c, ENOENT, "link %s does not exist", name);
	e = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(link);
	return e < 0 ? nl_fail(c, e, "change link", name) : 0;
}

static int link_set_up(struct priv_ctx *c, struct nl_sock *sk, const char *name, bool up, int mtu)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int rc;

	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	if (mtu > 0)
		rtnl_link_set_mtu(change, (unsigned)mtu);
	rc = link_change(c, sk, name, change);
	rtnl_link_put(change);
	return rc;
}

/* Whether existing link 'name' is of 'kind': an existing link of another kind
 * is an error (we will not reuse a name someone else made). */
static int link_kind_is(struct priv_ctx *c, struct nl_sock *sk, const char *name, const char *kind)
{
	struct rtnl_link *link;
	int found = link_find(c, sk, name, &link), rc = 0;
	const char *type;

	if (found <= 0)
		return found < 0 ? -1 : priv_fail(c, ENOENT, "link %s vanished", name);
	type = rtnl_link_get_type(link);
	if (type == NULL || strcmp(type, kind) != 0)
		rc = priv_fail(c, EEXIST, "link %s exists and is a %s, not a %s", name,
			       type != NULL ? type : "device", kind);
	rtnl_link_put(link);
	return rc;
}

int priv_link_lo_up(struct priv_ctx *c)
{
	struct nl_sock *sk = nl_begin(c, "");
	int rc;

	if (sk == NULL)
		return -1;
	rc = link_set_up(c, sk, "lo", true, 0);
	nl_done(c, "", sk);
	return rc;
}

/* ---- links ------------------------------------------------------------------------------- */

int priv_op_link_list(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct nl_cache *cache = NULL;
	int e, rc = 0;

	if (sk == NULL)
		return -1;
	e = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (e < 0) {
		rc = nl_fail(c, e, "list links in", r->ns[0] != '\0' ? r->ns : "root");
		goto out;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o != NULL && rc == 0;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *link = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(link), *type = rtnl_link_get_type(link);
		struct priv_entry ent = { 0 };

		if (name == NULL || !priv_link_name_ok(name))
			continue;
		snprintf(ent.name, sizeof(ent.name), "%s", name);
		snprintf(ent.kind, sizeof(ent.kind), "%s", type != NULL ? type : "");
		if (rtnl_link_get_master(link) > 0)
			rtnl_link_i2name(cache, rtnl_link_get_master(link), ent.master,
					 sizeof(ent.master));
		ent.mtu = (int32_t)rtnl_link_get_mtu(link);
		ent.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
		rc = priv_add_entry(c, &ent);
	}
out:
	nl_cache_free(cache);
	nl_done(c, r->ns, sk);
	return rc;
}

/* Adds 'link' (CREATE|EXCL); an existing one of the same kind is success. Then
 * up+mtu. */
static int link_add(struct priv_ctx *c, struct nl_sock *sk, struct rtnl_link *link,
		    const char *name, const char *kind, int mtu)
{
	int e = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);

	if (e == -NLE_EXIST) {
		if (link_kind_is(c, sk, name, kind) < 0)
			return -1;
	} else if (e < 0) {
		return nl_fail(c, e, "add", name);
	}
	return link_set_up(c, sk, name, true, mtu);
}

int priv_op_bridge_add(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, "");
	struct rtnl_link *link;
	int rc;

	if (sk == NULL)
		return -1;
	link = rtnl_link_bridge_alloc();
	rtnl_link_set_name(link, r->link);
	if (r->num[0] > 0)
		rtnl_link_set_mtu(link, (unsigned)r->num[0]);
	rc = link_add(c, sk, link, r->link, "bridge", r->num[0]);
	rtnl_link_put(link);
	nl_done(c, "", sk);
	return rc;
}

/* Parses an IP address without prefix into '*a' (caller puts). */
static int parse_ip(struct priv_ctx *c, const char *s, int family, struct nl_addr **a)
{
	int e = nl_addr_parse(s, family, a);

	if (e < 0)
		return priv_fail(c, EINVAL, "bad address %s: %s", s, nl_geterror(e));
	return 0;
}

int priv_op_vxlan_add(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, "");
	struct rtnl_link *link, *dev = NULL;
	struct nl_addr *local = NULL, *group = NULL;
	int rc = 0;

	if (sk == NULL)
		return -1;
	link = rtnl_link_vxlan_alloc();
	rtnl_link_set_name(link, r->link);
	rtnl_link_vxlan_set_id(link, (uint32_t)r->num[1]);
	rtnl_link_vxlan_set_port(link, r->num[2] > 0 ? (uint32_t)r->num[2] : 4789);
	rtnl_link_vxlan_set_learning(link, r->num[3] != 0);
	if (r->num[0] > 0)
		rtnl_link_set_mtu(link, (unsigned)r->num[0]);
	if (r->addr[0] != '\0') {
		if (parse_ip(c, r->addr, AF_UNSPEC, &local) < 0)
			goto out;
		rtnl_link_vxlan_set_local(link, local);
	}
	if (r->addr2[0] != '\0') {
		if (parse_ip(c, r->addr2, AF_UNSPEC, &group) < 0)
			goto out;
		rtnl_link_vxlan_set_group(link, group);
	}
	if (r->link2[0] != '\0') {
		int found = link_find(c, sk, r->link2, &dev);

		if (found <= 0) {
			if (found == 0)
				priv_fail(c, ENOENT, "underlay %s does not exist", r->link2);
			goto out;
		}
		rtnl_link_vxlan_set_link(link, (uint32_t)rtnl_link_get_ifindex(dev));
	}
	rc = link_add(c, sk, link, r->link, "vxlan", r->num[0]);
out:
	if (c->ans->status != 0)
		rc = -1;
	nl_addr_put(local);
	nl_addr_put(group);
	if (dev != NULL)
		rtnl_link_put(dev);
	rtnl_link_put(link);
	nl_done(c, "", sk);
	return rc;
}

int priv_op_link_del(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct rtnl_link *link;
	int found, rc = 0;

	if (sk == NULL)
		return -1;
	found = link_find(c, sk, r->link, &link);
	if (found > 0) {
		int e = rtnl_link_delete(sk, link);

		if (e < 0 && !absent(e))
			rc = nl_fail(c, e, "delete", r->link);
		rtnl_link_put(link);
	} else if (found < 0) {
		rc = -1;
	}
	nl_done(c, r->ns, sk);
	return rc;
}

int priv_op_link_up(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	int rc;

	if (sk == NULL)
		return -1;
	rc = link_set_up(c, sk, r->link, r->num[0] != 0, 0);
	nl_done(c, r->ns, sk);
	return rc;
}

int priv_op_link_mtu(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct rtnl_link *change;
	int rc;

	if (sk == NULL)
		return -1;
	change = rtnl_link_alloc();
	rtnl_link_set_mtu(change, (unsigned)r->num[0]);
	rc = link_change(c, sk, r->link, change);
	rtnl_link_put(change);
	nl_done(c, r->ns, sk);
	return rc;
}

/* Enslaves 'name' to bridge 'master' ("" releases). */
static int link_master(struct priv_ctx *c, struct nl_sock *sk, const char *name, const char *master)
{
	struct rtnl_link *change = rtnl_link_alloc(), *br = NULL;
	int rc = 0;

	if (master[0] != '\0') {
		int found = link_find(c, sk, master, &br);

		if (found <= 0) {
			rc = found < 0 ? -1
				       : priv_fail(c, ENOENT, "bridge %s does not exist", master);
			goto out;
		}
		if (rtnl_link_get_type(br) == NULL ||
		    strcmp(rtnl_link_get_type(br), "bridge") != 0) {
			rc = priv_fail(c, EINVAL, "%s is not a bridge", master);
			goto out;
		}
		rtnl_link_set_master(change, rtnl_link_get_ifindex(br));
	} else {
		rtnl_link_set_master(change, 0);
	}
	rc = link_change(c, sk, name, change);
out:
	if (br != NULL)
		rtnl_link_put(br);
	rtnl_link_put(change);
	return rc;
}

int priv_op_link_master(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	int rc;

	if (sk == NULL)
		return -1;
	rc = link_master(c, sk, r->link, r->link2);
	nl_done(c, r->ns, sk);
	return rc;
}

/* Whether link 'name' exists in namespace 'ns': 1, 0, or -1 on failure. */
static int link_exists_in(struct priv_ctx *c, const char *ns, const char *name)
{
	struct nl_sock *sk = nl_begin(c, ns);
	struct rtnl_link *link;
	int found;

	if (sk == NULL)
		return -1;
	found = link_find(c, sk, name, &link);
	if (found > 0)
		rtnl_link_put(link);
	nl_done(c, ns, sk);
	return found;
}

int priv_op_link_netns(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk;
	struct rtnl_link *change;
	int fd, found, rc;

	found = link_exists_in(c, "", r->link);
	if (found < 0)
		return -1;
	if (found == 0) {
		found = link_exists_in(c, r->ns2, r->link);
		if (found != 0)
			return found < 0 ? -1 : 0; /* moved already */
		return priv_fail(c, ENOENT, "link %s does not exist", r->link);
	}
	fd = priv_ns_open(c, r->ns2);
	if (fd < 0)
		return -1;
	sk = nl_begin(c, "");
	if (sk == NULL) {
		close(fd);
		return -1;
	}
	change = rtnl_link_alloc();
	rtnl_link_set_ns_fd(change, fd);
	rc = link_change(c, sk, r->link, change);
	rtnl_link_put(change);
	nl_done(c, "", sk);
	close(fd);
	return rc;
}

/* ---- veth -------------------------------------------------------------------------------- */

/* Creates the pair 'r->link' <-> 'r->link2' with the peer born in namespace
 * 'nsfd' (or the root one when -1). */
static int veth_create(struct priv_ctx *c, struct nl_sock *sk, const struct priv_req *r, int nsfd)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	struct nl_addr *mac = NULL;
	int e, rc = 0;

	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, r->link);
	rtnl_link_set_name(peer, r->link2);
	if (r->num[0] > 0) {
		rtnl_link_set_mtu(link, (unsigned)r->num[0]);
		rtnl_link_set_mtu(peer, (unsigned)r->num[0]);
	}
	if (r->mac[0] != '\0') {
		if ((e = nl_addr_parse(r->mac, AF_LLC, &mac)) < 0) {
			rc = priv_fail(c, EINVAL, "bad mac %s", r->mac);
			goto out;
		}
		rtnl_link_set_addr(peer, mac);
	}
	if (nsfd >= 0)
		rtnl_link_set_ns_fd(peer, nsfd);
	e = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (e < 0)
		rc = nl_fail(c, e, "add veth", r->link);
out:
	nl_addr_put(mac);
	rtnl_link_put(peer);
	rtnl_link_veth_release(link);
	return rc;
}

/* Peer side, inside its namespace: MAC (for a pair that existed), mtu, up. */
static int veth_peer_settle(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns2);
	struct rtnl_link *change;
	struct nl_addr *mac = NULL;
	int rc;

	if (sk == NULL)
		return -1;
	change = rtnl_link_alloc();
	rtnl_link_set_flags(change, IFF_UP);
	if (r->num[0] > 0)
		rtnl_link_set_mtu(change, (unsigned)r->num[0]);
	if (r->mac[0] != '\0' && nl_addr_parse(r->mac, AF_LLC, &mac) == 0)
		rtnl_link_set_addr(change, mac);
	rc = link_change(c, sk, r->link2, change);
	nl_addr_put(mac);
	rtnl_link_put(change);
	nl_done(c, r->ns2, sk);
	return rc;
}

/* Root side of a veth add: (re)creates the pair when needed, then master and up.
 * 'root_end'/'peer_end': whether each end exists already. */
static int veth_root_side(struct priv_ctx *c, const struct priv_req *r, int nsfd, int root_end,
			  int peer_end)
{
	struct nl_sock *sk = nl_begin(c, "");
	int rc = -1;

	if (sk == NULL)
		return -1;
	if (root_end > 0 && link_kind_is(c, sk, r->link, "veth") < 0)
		goto out;
	if (root_end > 0 && peer_end == 0) {
		/* half a pair (the peer went elsewhere): remake it */
		struct rtnl_link *link;

		if (link_find(c, sk, r->link, &link) > 0) {
			rtnl_link_delete(sk, link);
			rtnl_link_put(link);
		}
		root_end = 0;
	}
	if (root_end == 0 && veth_create(c, sk, r, nsfd) < 0)
		goto out;
	if (r->link3[0] != '\0' && link_master(c, sk, r->link, r->link3) < 0)
		goto out;
	rc = link_set_up(c, sk, r->link, true, r->num[0]);
out:
	nl_done(c, "", sk);
	return rc;
}

int priv_op_veth_add(struct priv_ctx *c, const struct priv_req *r)
{
	int nsfd = -1, rc, root_end, peer_end = 0;

	root_end = link_exists_in(c, "", r->link);
	if (root_end < 0)
		return -1;
	if (root_end > 0) {
		peer_end = link_exists_in(c, r->ns2, r->link2);
		if (peer_end < 0)
			return -1;
	}
	if (r->ns2[0] != '\0' && (nsfd = priv_ns_open(c, r->ns2)) < 0)
		return -1;
	rc = veth_root_side(c, r, nsfd, root_end, peer_end);
	if (nsfd >= 0)
		close(nsfd);
	if (rc == 0)
		rc = veth_peer_settle(c, r);
	return rc;
}

/* ---- addresses --------------------------------------------------------------------------- */

/* An rtnl_addr for 'cidr' on link 'dev' (found in 'sk''s namespace); NULL on
 * failure. */
static struct rtnl_addr *addr_make(struct priv_ctx *c, struct nl_sock *sk, const char *dev,
				   const char *cidr)
{
	struct rtnl_link *link;
	struct rtnl_addr *addr;
	struct nl_addr *local;
	int found = link_find(c, sk, dev, &link), e;

	if (found <= 0) {
		if (found == 0)
			priv_fail(c, ENOENT, "link %s does not exist", dev);
		return NULL;
	}
	if ((e = nl_addr_parse(cidr, AF_UNSPEC, &local)) < 0) {
		priv_fail(c, EINVAL, "bad address %s: %s", cidr, nl_geterror(e));
		rtnl_link_put(link);
		return NULL;
	}
	addr = rtnl_addr_alloc();
	rtnl_addr_set_ifindex(addr, rtnl_link_get_ifindex(link));
	rtnl_addr_set_local(addr, local);
	rtnl_addr_set_prefixlen(addr, (int)nl_addr_get_prefixlen(local));
	if (nl_addr_get_family(local) == AF_INET6)
		rtnl_addr_set_flags(addr, IFA_F_NODAD);
	nl_addr_put(local);
	rtnl_link_put(link);
	return addr;
}

int priv_op_addr_add(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct rtnl_addr *addr;
	int rc = -1, e;

	if (sk == NULL)
		return -1;
	addr = addr_make(c, sk, r->link, r->addr);
	if (addr != NULL) {
		e = rtnl_addr_add(sk, addr, 0);
		rc = e < 0 && e != -NLE_EXIST ? nl_fail(c, e, "add address", r->addr) : 0;
		rtnl_addr_put(addr);
	}
	nl_done(c, r->ns, sk);
	return rc;
}

int priv_op_addr_del(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct rtnl_addr *addr;
	int rc = -1, e;

	if (sk == NULL)
		return -1;
	addr = addr_make(c, sk, r->link, r->addr);
	if (addr == NULL && c->ans->code == ENOENT) {
		/* no link, no address */
		c->ans->status = 0;
		c->ans->code = 0;
		c->ans->msg[0] = '\0';
		rc = 0;
	} else if (addr != NULL) {
		e = rtnl_addr_delete(sk, addr, 0);
		rc = e < 0 && e != -NLE_NOADDR && !absent(e)
			     ? nl_fail(c, e, "delete address", r->addr)
			     : 0;
		rtnl_addr_put(addr);
	}
	nl_done(c, r->ns, sk);
	return rc;
}

/* Calls 'each' for every global address of link 'dev' (of 'family' 0/4/6). */
static int addr_walk(struct priv_ctx *c, const struct priv_req *r, int family,
		     int (*each)(struct priv_ctx *, struct nl_sock *, struct rtnl_addr *))
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct nl_cache *cache = NULL;
	struct rtnl_link *link = NULL;
	int found, e, rc = 0;

	if (sk == NULL)
		return -1;
	found = link_find(c, sk, r->link, &link);
	if (found <= 0) {
		rc = found < 0 ? -1 : priv_fail(c, ENOENT, "link %s does not exist", r->link);
		goto out;
	}
	if ((e = rtnl_addr_alloc_cache(sk, &cache)) < 0) {
		rc = nl_fail(c, e, "list addresses of", r->link);
		goto out;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o != NULL && rc == 0;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		int fam = rtnl_addr_get_family(a);

		if (rtnl_addr_get_ifindex(a) != rtnl_link_get_ifindex(link) ||
		    rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE ||
		    (family == 4 && fam != AF_INET) || (family == 6 && fam != AF_INET6))
			continue;
		rc = each(c, sk, a);
	}
out:
	nl_cache_free(cache);
	if (link != NULL)
		rtnl_link_put(link);
	nl_done(c, r->ns, sk);
	return rc;
}

static int addr_flush_one(struct priv_ctx *c, struct nl_sock *sk, struct rtnl_addr *a)
{
	int e = rtnl_addr_delete(sk, a, 0);

	return e < 0 && e != -NLE_NOADDR ? nl_fail(c, e, "flush", "address") : 0;
}

static int addr_list_one(struct priv_ctx *c, struct nl_sock *sk, struct rtnl_addr *a)
{
	struct nl_addr *local = rtnl_addr_get_local(a);
	struct priv_entry ent = { 0 };
	char text[INET6_ADDRSTRLEN];

	(void)sk;
	if (local == NULL || inet_ntop(nl_addr_get_family(local), nl_addr_get_binary_addr(local),
				       text, sizeof(text)) == NULL)
		return 0;
	snprintf(ent.name, sizeof(ent.name), "%s/%d", text, rtnl_addr_get_prefixlen(a));
	snprintf(ent.kind, sizeof(ent.kind), "%s",
		 nl_addr_get_family(local) == AF_INET ? "inet" : "inet6");
	return priv_add_entry(c, &ent);
}

int priv_op_addr_flush(struct priv_ctx *c, const struct priv_req *r)
{
	return addr_walk(c, r, r->num[0], addr_flush_one);
}

int priv_op_addr_list(struct priv_ctx *c, const struct priv_req *r)
{
	return addr_walk(c, r, 0, addr_list_one);
}

/* ---- routes ------------------------------------------------------------------------------ */

/* An rtnl_route for destination 'dst' ("default", "default6" or a CIDR), main
 * table. */
static struct rtnl_route *route_make(struct priv_ctx *c, const char *dst)
{
	struct rtnl_route *route;
	struct nl_addr *d;
	int e;

	if (strcmp(dst, "default") == 0)
		e = nl_addr_parse("0.0.0.0/0", AF_INET, &d);
	else if (strcmp(dst, "default6") == 0)
		e = nl_addr_parse("::/0", AF_INET6, &d);
	else
		e = nl_addr_parse(dst, AF_UNSPEC, &d);
	if (e < 0) {
		priv_fail(c, EINVAL, "bad destination %s: %s", dst, nl_geterror(e));
		return NULL;
	}
	route = rtnl_route_alloc();
	rtnl_route_set_family(route, (uint8_t)nl_addr_get_family(d));
	rtnl_route_set_dst(route, d);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	nl_addr_put(d);
	return route;
}

int priv_op_route_replace(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct rtnl_route *route = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *gw = NULL;
	int rc = -1, e;

	if (sk == NULL)
		return -1;
	route = route_make(c, r->addr);
	if (route == NULL)
		goto out;
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_scope(route, r->addr2[0] != '\0' ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	nh = rtnl_route_nh_alloc();
	rtnl_route_add_nexthop(route, nh); /* the route owns it from here */
	if (r->addr2[0] != '\0') {
		if (parse_ip(c, r->addr2, rtnl_route_get_family(route), &gw) < 0)
			goto out;
		rtnl_route_nh_set_gateway(nh, gw);
	}
	if (r->link[0] != '\0') {
		struct rtnl_link *link;
		int found = link_find(c, sk, r->link, &link);

		if (found <= 0) {
			if (found == 0)
				priv_fail(c, ENOENT, "link %s does not exist", r->link);
			goto out;
		}
		rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(link));
		rtnl_link_put(link);
	}
	e = rtnl_route_add(sk, route, NLM_F_REPLACE);
	rc = e < 0 ? nl_fail(c, e, "replace route", r->addr) : 0;
out:
	nl_addr_put(gw);
	if (route != NULL)
		rtnl_route_put(route);
	nl_done(c, r->ns, sk);
	return rc;
}

int priv_op_route_del(struct priv_ctx *c, const struct priv_req *r)
{
	struct nl_sock *sk = nl_begin(c, r->ns);
	struct rtnl_route *route;
	int rc = -1, e;

	if (sk == NULL)
		return -1;
	route = route_make(c, r->addr);
	if (route != NULL) {
		rtnl_route_set_scope(route, RT_SCOPE_NOWHERE);
		e = rtnl_route_delete(sk, route, 0);
		rc = e < 0 && !absent(e) && e != -NLE_NOADDR
			     ? nl_fail(c, e, "delete route", r->addr)
			     : 0;
		rtnl_route_put(route);
	}
	nl_done(c, r->ns, sk);
	return rc;
}
