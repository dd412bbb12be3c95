/* The unprivileged side of the privileged helper: priv_start() forks it, each
 * priv_*() call fills one struct priv_req, sends it and reads the answer(s)
 * under one mutex. The client checks nothing the helper would not check again;
 * it only refuses what it cannot encode (a name longer than its field). See
 * priv.h. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/util.h"
#include "network/priv.h"

static pthread_mutex_t priv_lock = PTHREAD_MUTEX_INITIALIZER;
static int priv_sock = -1;
static pid_t priv_pid = -1;

/* The helper child: keep only stdio and the socket (as fd 3), serve, exit. */
/* The helper child: serve on 'sock' until EOF, then exit. It keeps the descriptors it
 * inherited (stdio and ciel's log file, whose FILE it goes on using: closing or reusing
 * that descriptor would send log lines down the socket); they are close-on-exec, and
 * dnsmasq's child closes everything above stderr before its execve. */
static void __attribute__((noreturn))
helper_main(int sock, int other, const char *state_dir, pid_t parent)
{
	sigset_t none;
	int rc;

	close(other);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	/* out of the terminal's process group: a Ctrl-C stops ciel, which closes the socket,
	 * and the helper follows at EOF (after the answer it is writing) */
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir("/") < 0)
		_exit(1);
	rc = priv_serve(sock, state_dir);
	/* _exit: no atexit handlers (the parent's) and no leak report of the parent's heap */
	_exit(rc == 0 ? 0 : 1);
}

int priv_start(const char *state_dir, struct err *err)
{
	int sv[2];
	pid_t parent = getpid(), pid;
	char *dir, *real;
	size_t len;

	if (priv_sock >= 0)
		return 0;
	if (priv_pid > 0) {
		/* a helper that died or was dropped: its socket is closed, so it exits */
		while (waitpid(priv_pid, NULL, 0) < 0 && errno == EINTR)
			;
		priv_pid = -1;
	}
	if (state_dir == NULL || state_dir[0] != '/')
		return err_set(err, ERR_INTERNAL, "priv: the state dir must be an absolute path");
	/* paths are later checked against this spelling, at use against its realpath */
	dir = xstrdup(state_dir);
	for (len = strlen(dir); len > 1 && dir[len - 1] == '/';)
		dir[--len] = '\0';
	real = realpath(dir, NULL);
	if (real == NULL || strcmp(real, "/") == 0) {
		err_set(err, ERR_INTERNAL, "priv: state dir %s: %s", state_dir,
			real == NULL ? strerror(errno) : "the root directory");
		free(real);
		free(dir);
		return -1;
	}
	free(real);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free(dir);
		return err_set(err, ERR_INTERNAL, "priv: socketpair: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		free(dir);
		return err_set(err, ERR_INTERNAL, "priv: fork: %s", strerror(errno));
	}
	if (pid == 0)
		helper_main(sv[1], sv[0], dir, parent);
	close(sv[1]);
	free(dir);
	priv_sock = sv[0];
	priv_pid = pid;
	return 0;
}

void priv_stop(void)
{
	pthread_mutex_lock(&priv_lock);
	if (priv_sock >= 0) {
		close(priv_sock);
		priv_sock = -1;
	}
	if (priv_pid > 0) {
		while (waitpid(priv_pid, NULL, 0) < 0 && errno == EINTR)
			;
		priv_pid = -1;
	}
	pthread_mutex_unlock(&priv_lock);
}

bool priv_running(void)
{
	bool running;

	pthread_mutex_lock(&priv_lock);
	running = priv_sock >= 0;
	pthread_mutex_unlock(&priv_lock);
	return running;
}

/* The helper died or spoke nonsense: stop talking to it (priv_stop() still reaps it).
 * Called locked. */
static void helper_gone(void)
{
	if (priv_sock >= 0)
		close(priv_sock);
	priv_sock = -1;
}

/* Copies 's' (NULL = "") into field 'dst'; -1 with err set when it does not
 * fit. */
static int put(char *dst, size_t size, const char *s, const char *what, struct err *err)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len >= size)
		return err_set(err, ERR_BAD_REQUEST, "priv: %s \"%.40s\" is too long", what, s);
	memcpy(dst, s != NULL ? s : "", len);
	return 0;
}

static void req_init(struct priv_req *r, enum priv_op op)
{
	memset(r, 0, sizeof(*r));
	r->magic = PRIV_MAGIC;
	r->op = op;
}

static enum err_kind kind_of(int code)
{
	switch (code) {
	case EPERM:
	case EINVAL:
	case EMSGSIZE:
	case EOPNOTSUPP:
	case EPROTO:
		return ERR_BAD_REQUEST;
	case ENOENT:
	case ESRCH:
		return ERR_NOT_FOUND;
	default:
		return ERR_INTERNAL;
	}
}

/* Receives one answer (and a passed fd, closed unless 'fd' wants it). Called
 * locked. */
static int recv_ans(struct priv_ans *ans, int *fd, struct err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = ans, .iov_len = sizeof(*ans) };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	int got = -1;
	ssize_t n;

	do
		n = recvmsg(priv_sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return err_set(err, ERR_UNAVAILABLE, "priv: the helper is gone%s%s",
			       n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&got, CMSG_DATA(cm), sizeof(int));
	if (got >= 0) {
		if (fd != NULL && *fd < 0)
			*fd = got;
		else
			close(got);
	}
	if ((size_t)n != sizeof(*ans) || (msg.msg_flags & MSG_TRUNC) || ans->magic != PRIV_MAGIC)
		return err_set(err, ERR_INTERNAL, "priv: malformed answer");
	ans->msg[sizeof(ans->msg) - 1] = '\0';
	if (ans->nentries < 0 || ans->nentries > PRIV_ENTRIES)
		return err_set(err, ERR_INTERNAL, "priv: malformed answer");
	return 0;
}

/* Sends 'r' and reads its answers: entries go to 'entry' (may be NULL), the
 * last answer's num[] to 'num' (may be NULL), a passed fd to '*fd' (may be
 * NULL). */
static int call(const struct priv_req *r, void (*entry)(const struct priv_entry *, void *),
		void *ctx, int32_t num[4], int *fd, struct err *err)
{
	struct priv_ans ans;
	ssize_t n;
	int rc = 0;

	if (fd != NULL)
		*fd = -1;
	pthread_mutex_lock(&priv_lock);
	if (priv_sock < 0) {
		pthread_mutex_unlock(&priv_lock);
		return err_set(err, ERR_UNAVAILABLE, "priv: the helper is not running");
	}
	do
		n = send(priv_sock, r, sizeof(*r), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*r)) {
		rc = err_set(err, ERR_UNAVAILABLE, "priv: the helper is gone");
		helper_gone();
		goto out;
	}
	do {
		if (recv_ans(&ans, fd, err) < 0) {
			/* a lost or garbled conversation cannot be resynchronised */
			helper_gone();
			rc = -1;
			goto out;
		}
		if (ans.op != r->op) {
			helper_gone();
			rc = err_set(err, ERR_INTERNAL, "priv: answer to another op");
			goto out;
		}
		for (int i = 0; entry != NULL && i < ans.nentries; i++) {
			ans.entries[i].name[sizeof(ans.entries[i].name) - 1] = '\0';
			ans.entries[i].kind[sizeof(ans.entries[i].kind) - 1] = '\0';
			ans.entries[i].master[sizeof(ans.entries[i].master) - 1] = '\0';
			entry(&ans.entries[i], ctx);
		}
	} while (ans.more);
	if (ans.status != 0)
		rc = err_set(err, kind_of(ans.code), "%s", ans.msg);
	else if (num != NULL)
		memcpy(num, ans.num, sizeof(ans.num));
out:
	pthread_mutex_unlock(&priv_lock);
	if (rc < 0 && fd != NULL && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* ---- namespaces -------------------------------------------------------------------------- */

static int ns_op(enum priv_op op, const char *ns, struct err *err)
{
	struct priv_req r;

	req_init(&r, op);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_netns_add(const char *ns, struct err *err)
{
	return ns_op(PRIV_OP_NETNS_ADD, ns, err);
}

int priv_netns_del(const char *ns, struct err *err)
{
	return ns_op(PRIV_OP_NETNS_DEL, ns, err);
}

struct name_list {
	char (*names)[64];
	int n;
};

static void add_name(const struct priv_entry *e, void *ctx)
{
	struct name_list *l = ctx;

	l->names = xrealloc(l->names, (size_t)(l->n + 1) * sizeof(*l->names));
	memcpy(l->names[l->n++], e->name, sizeof(l->names[0]));
}

int priv_netns_list(char (**names)[64], int *n, struct err *err)
{
	struct priv_req r;
	struct name_list l = { 0 };

	req_init(&r, PRIV_OP_NETNS_LIST);
	if (call(&r, add_name, &l, NULL, NULL, err) < 0) {
		free(l.names);
		return -1;
	}
	*names = l.names;
	*n = l.n;
	return 0;
}

/* ---- links ------------------------------------------------------------------------------- */

struct link_list {
	struct priv_link *links;
	int n;
};

static void add_link(const struct priv_entry *e, void *ctx)
{
	struct link_list *l = ctx;
	struct priv_link *k;

	l->links = xrealloc(l->links, (size_t)(l->n + 1) * sizeof(*l->links));
	k = &l->links[l->n++];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%.15s", e->name);
	snprintf(k->kind, sizeof(k->kind), "%s", e->kind);
	snprintf(k->master, sizeof(k->master), "%s", e->master);
	k->mtu = e->mtu;
	k->up = e->up != 0;
}

int priv_link_list(const char *ns, struct priv_link **links, int *n, struct err *err)
{
	struct priv_req r;
	struct link_list l = { 0 };

	req_init(&r, PRIV_OP_LINK_LIST);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0)
		return -1;
	if (call(&r, add_link, &l, NULL, NULL, err) < 0) {
		free(l.links);
		return -1;
	}
	*links = l.links;
	*n = l.n;
	return 0;
}

int priv_bridge_add(const char *name, int mtu, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_BRIDGE_ADD);
	if (put(r.link, sizeof(r.link), name, "link", err) < 0)
		return -1;
	r.num[0] = mtu;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_vxlan_add(const struct priv_vxlan *v, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_VXLAN_ADD);
	if (put(r.link, sizeof(r.link), v->name, "link", err) < 0 ||
	    put(r.link2, sizeof(r.link2), v->dev, "link", err) < 0 ||
	    put(r.addr, sizeof(r.addr), v->local, "address", err) < 0 ||
	    put(r.addr2, sizeof(r.addr2), v->group, "address", err) < 0)
		return -1;
	r.num[0] = v->mtu;
	r.num[1] = v->vni;
	r.num[2] = v->dstport;
	r.num[3] = v->learning ? 1 : 0;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

/* A request about link 'name' in 'ns'. */
static int link_req(struct priv_req *r, enum priv_op op, const char *ns, const char *name,
		    struct err *err)
{
	req_init(r, op);
	if (put(r->ns, sizeof(r->ns), ns, "namespace", err) < 0 ||
	    put(r->link, sizeof(r->link), name, "link", err) < 0)
		return -1;
	return 0;
}

int priv_link_del(const char *ns, const char *name, struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_LINK_DEL, ns, name, err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_link_set_up(const char *ns, const char *name, bool up, struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_LINK_UP, ns, name, err) < 0)
		return -1;
	r.num[0] = up ? 1 : 0;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_link_set_mtu(const char *ns, const char *name, int mtu, struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_LINK_MTU, ns, name, err) < 0)
		return -1;
	r.num[0] = mtu;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_link_set_master(const char *ns, const char *name, const char *master, struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_LINK_MASTER, ns, name, err) < 0 ||
	    put(r.link2, sizeof(r.link2), master, "link", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_link_set_netns(const char *name, const char *to_ns, struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_LINK_NETNS, NULL, name, err) < 0 ||
	    put(r.ns2, sizeof(r.ns2), to_ns, "namespace", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_veth_add(const struct priv_veth *v, struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_VETH_ADD, NULL, v->name, err) < 0 ||
	    put(r.link2, sizeof(r.link2), v->peer, "link", err) < 0 ||
	    put(r.link3, sizeof(r.link3), v->bridge, "link", err) < 0 ||
	    put(r.ns2, sizeof(r.ns2), v->ns, "namespace", err) < 0 ||
	    put(r.mac, sizeof(r.mac), v->peer_mac, "mac", err) < 0)
		return -1;
	r.num[0] = v->mtu;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

/* ---- addresses and routes ---------------------------------------------------------------- */

static int addr_op(enum priv_op op, const char *ns, const char *dev, const char *cidr,
		   struct err *err)
{
	struct priv_req r;

	if (link_req(&r, op, ns, dev, err) < 0 ||
	    put(r.addr, sizeof(r.addr), cidr, "address", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_addr_add(const char *ns, const char *dev, const char *cidr, struct err *err)
{
	return addr_op(PRIV_OP_ADDR_ADD, ns, dev, cidr, err);
}

int priv_addr_del(const char *ns, const char *dev, const char *cidr, struct err *err)
{
	return addr_op(PRIV_OP_ADDR_DEL, ns, dev, cidr, err);
}

int priv_addr_flush(const char *ns, const char *dev, int family, struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_ADDR_FLUSH, ns, dev, err) < 0)
		return -1;
	r.num[0] = family;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

struct cidr_list {
	char (*cidrs)[50];
	int n;
};

static void add_cidr(const struct priv_entry *e, void *ctx)
{
	struct cidr_list *l = ctx;

	l->cidrs = xrealloc(l->cidrs, (size_t)(l->n + 1) * sizeof(*l->cidrs));
	snprintf(l->cidrs[l->n++], sizeof(l->cidrs[0]), "%.49s", e->name);
}

int priv_addr_list(const char *ns, const char *dev, char (**cidrs)[50], int *n, struct err *err)
{
	struct priv_req r;
	struct cidr_list l = { 0 };

	if (link_req(&r, PRIV_OP_ADDR_LIST, ns, dev, err) < 0)
		return -1;
	if (call(&r, add_cidr, &l, NULL, NULL, err) < 0) {
		free(l.cidrs);
		return -1;
	}
	*cidrs = l.cidrs;
	*n = l.n;
	return 0;
}

int priv_route_replace(const char *ns, const char *dst, const char *gateway, const char *dev,
		       struct err *err)
{
	struct priv_req r;

	if (link_req(&r, PRIV_OP_ROUTE_REPLACE, ns, dev, err) < 0 ||
	    put(r.addr, sizeof(r.addr), dst, "destination", err) < 0 ||
	    put(r.addr2, sizeof(r.addr2), gateway, "gateway", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_route_del(const char *ns, const char *dst, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_ROUTE_DEL);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0 ||
	    put(r.addr, sizeof(r.addr), dst, "destination", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_sysctl_set(const char *ns, const char *key, const char *value, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_SYSCTL);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0 ||
	    put(r.key, sizeof(r.key), key, "sysctl", err) < 0 ||
	    put(r.value, sizeof(r.value), value, "value", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

/* ---- nftables ---------------------------------------------------------------------------- */

int priv_nft_apply(const char *ns, const char *path, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_NFT_APPLY);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0 ||
	    put(r.path, sizeof(r.path), path, "path", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

int priv_nft_delete(const char *ns, const char *family, const char *table, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_NFT_DELETE);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0 ||
	    put(r.key, sizeof(r.key), family, "family", err) < 0 ||
	    put(r.value, sizeof(r.value), table, "table", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

/* ---- dnsmasq ----------------------------------------------------------------------------- */

int priv_dnsmasq_start(const char *ns, const char *conf, const char *pid, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_DNSMASQ_START);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0 ||
	    put(r.path, sizeof(r.path), conf, "path", err) < 0 ||
	    put(r.path2, sizeof(r.path2), pid, "path", err) < 0)
		return -1;
	return call(&r, NULL, NULL, NULL, NULL, err);
}

static int pid_op(enum priv_op op, const char *pid, int32_t num[4], struct err *err)
{
	struct priv_req r;

	req_init(&r, op);
	if (put(r.path2, sizeof(r.path2), pid, "path", err) < 0)
		return -1;
	return call(&r, NULL, NULL, num, NULL, err);
}

int priv_dnsmasq_hup(const char *pid, struct err *err)
{
	return pid_op(PRIV_OP_DNSMASQ_HUP, pid, NULL, err);
}

int priv_dnsmasq_stop(const char *pid, struct err *err)
{
	return pid_op(PRIV_OP_DNSMASQ_STOP, pid, NULL, err);
}

int priv_dnsmasq_running(const char *pid, bool *running, struct err *err)
{
	int32_t num[4] = { 0 };

	if (pid_op(PRIV_OP_DNSMASQ_RUNNING, pid, num, err) < 0)
		return -1;
	*running = num[0] == 1;
	return 0;
}

/* ---- sockets ----------------------------------------------------------------------------- */

int priv_listen_tcp(const char *ns, const char *addr, int port, int *fd, struct err *err)
{
	struct priv_req r;

	req_init(&r, PRIV_OP_LISTEN);
	if (put(r.ns, sizeof(r.ns), ns, "namespace", err) < 0 ||
	    put(r.addr, sizeof(r.addr), addr, "address", err) < 0)
		return -1;
	r.num[0] = port;
	if (call(&r, NULL, NULL, NULL, fd, err) < 0)
		return -1;
	if (*fd < 0)
		return err_set(err, ERR_INTERNAL, "priv: listen: no descriptor came back");
	return 0;
}
