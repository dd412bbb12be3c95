/* The helper's work other than netlink links/addresses/routes (priv_link.c) and dnsmasq
 * (priv_dnsmasq.c): namespaces, sysctls, nftables and listening sockets. Every op runs
 * on the helper's single thread after priv_check() accepted its request; entering a
 * namespace is setns() and back (priv_ns_enter / priv_ns_leave). */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "network/priv_int.h"

#define LOG_MODULE "priv"

#define NETNS_DIR "/run/netns"
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* ---- namespaces -------------------------------------------------------------------------- */

int priv_ns_open(struct priv_ctx *c, const char *ns)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		priv_fail(c, errno, "namespace %s: %s", ns, strerror(errno));
	return fd;
}

int priv_ns_enter(struct priv_ctx *c, const char *ns)
{
	int fd;

	if (ns[0] == '\0')
		return 0;
	fd = priv_ns_open(c, ns);
	if (fd < 0)
		return -1;
	if (setns(fd, CLONE_NEWNET) < 0) {
		priv_fail(c, errno, "enter namespace %s: %s", ns, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void priv_ns_leave(struct priv_ctx *c)
{
	if (setns(c->root_ns, CLONE_NEWNET) < 0) {
		log_error("cannot return to the root namespace: %s", strerror(errno));
		abort();
	}
}

static bool is_ns_mount(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && (unsigned long)fs.f_type == NSFS_MAGIC;
}

/* /run/netns exists and is a shared mount point, as `ip netns add` leaves it,
 * so that namespace mounts made here are seen in other mount namespaces. */
static int netns_dir_ready(struct priv_ctx *c)
{
	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return priv_fail(c, errno, "mkdir " NETNS_DIR ": %s", strerror(errno));
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return priv_fail(c, errno, "mount " NETNS_DIR ": %s", strerror(errno));
	if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return priv_fail(c, errno, "mount " NETNS_DIR ": %s", strerror(errno));
	return 0;
}

int priv_op_netns_add(struct priv_ctx *c, const struct priv_req *r)
{
	char path[128];
	int fd, rc;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", r->ns);
	if (is_ns_mount(path)) {
		/* there already; lo up again is harmless and heals a half-made one */
		if (priv_ns_enter(c, r->ns) < 0)
			return -1;
		rc = priv_link_lo_up(c);
		priv_ns_leave(c);
		return rc;
	}
	if (netns_dir_ready(c) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return priv_fail(c, errno, "create %s: %s", path, strerror(errno));
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		priv_fail(c, errno, "unshare: %s", strerror(errno));
		unlink(path);
		return -1;
	}
	rc = 0;
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
		rc = priv_fail(c, errno, "bind %s: %s", path, strerror(errno));
	else
		rc = priv_link_lo_up(c);
	priv_ns_leave(c);
	if (rc < 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	return rc;
}

int priv_op_netns_del(struct priv_ctx *c, const struct priv_req *r)
{
	char path[128];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", r->ns);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return priv_fail(c, errno, "umount %s: %s", path, strerror(errno));
	if (unlink(path) < 0 && errno != ENOENT)
		return priv_fail(c, errno, "unlink %s: %s", path, strerror(errno));
	return 0;
}

int priv_op_netns_list(struct priv_ctx *c, const struct priv_req *r)
{
	DIR *d = opendir(NETNS_DIR);
	struct dirent *e;
	int rc = 0;

	(void)r;
	if (d == NULL)
		return errno == ENOENT ? 0 : priv_fail(c, errno, NETNS_DIR ": %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		struct priv_entry ent = { 0 };

		if (strlen(e->d_name) >= sizeof(ent.name) || !priv_netns_name_ok(e->d_name))
			continue;
		memcpy(ent.name, e->d_name, strlen(e->d_name));
		if (priv_add_entry(c, &ent) < 0) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	return rc;
}

/* ---- files under the state dir ----------------------------------------------------------- */

int priv_path_check(struct priv_ctx *c, const char *path)
{
	char dir[PRIV_PATH_SIZE], *real;
	const char *slash = strrchr(path, '/');
	size_t dlen = strlen(c->state_dir);
	bool ok;

	if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
		return priv_fail(c, EPERM, "bad path");
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	real = realpath(dir, NULL);
	if (real == NULL)
		return priv_fail(c, errno, "%s: %s", dir, strerror(errno));
	ok = strncmp(real, c->state_dir, dlen) == 0 && (real[dlen] == '\0' || real[dlen] == '/');
	free(real);
	if (!ok)
		return priv_fail(c, EPERM, "%s leaves the state directory", path);
	return 0;
}

char *priv_read_file(struct priv_ctx *c, const char *path, size_t max, size_t *size)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd;

	if (priv_path_check(c, path) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		priv_fail(c, errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		priv_fail(c, EINVAL, "%s: not a regular file of at most %zu bytes", path, max);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (memchr(buf, '\0', got) != NULL) {
		priv_fail(c, EINVAL, "%s: holds a NUL byte", path);
		free(buf);
		return NULL;
	}
	if (size != NULL)
		*size = got;
	return buf;
}

/* ---- sysctl ------------------------------------------------------------------------------ */

int priv_op_sysctl(struct priv_ctx *c, const struct priv_req *r)
{
	char path[128];
	int fd, rc = 0;
	size_t i;

	if (snprintf(path, sizeof(path), "/proc/sys/%s", r->key) >= (int)sizeof(path))
		return priv_fail(c, EINVAL, "sysctl key too long");
	for (i = strlen("/proc/sys/"); path[i] != '\0'; i++)
		if (path[i] == '.')
			path[i] = '/';
	if (priv_ns_enter(c, r->ns) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = priv_fail(c, errno, "sysctl %s: %s", r->key, strerror(errno));
	} else {
		if (write(fd, r->value, strlen(r->value)) != (ssize_t)strlen(r->value))
			rc = priv_fail(c, errno, "sysctl %s: %s", r->key, strerror(errno));
		close(fd);
	}
	if (r->ns[0] != '\0')
		priv_ns_leave(c);
	return rc;
}

/* ---- nftables ---------------------------------------------------------------------------- */

#define NFT_MAX_SCRIPT (4u << 20)
#define NFT_WORDS 8

static bool nft_family(const char *w)
{
	static const char *const families[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev" };

	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		if (strcmp(w, families[i]) == 0)
			return true;
	return false;
}

/* Checks the table named by the words at 'w' ("[family] name"); "" when absent.
 */
static int nft_check_table(struct priv_ctx *c, char w[][64], int nw, int at)
{
	const char *family = "ip", *table;

	if (at < nw && nft_family(w[at]))
		family = w[at++];
	if (at >= nw)
		return priv_fail(c, EPERM, "nft: a command names no table");
	table = w[at];
	if (!priv_nft_table_ok(family, table))
		return priv_fail(c, EPERM, "nft: table %s %s is not ours", family, table);
	return 0;
}

/* One top-level command's first words: the table it touches must be ours. */
static int nft_check_command(struct priv_ctx *c, char w[][64], int nw)
{
	static const char *const verbs[] = { "add",   "create", "delete",  "destroy",
					     "flush", "insert", "replace", "reset" };
	static const char *const objects[] = { "table", "chain",   "rule",	"set",
					       "map",	"element", "flowtable", "counter",
					       "quota", "limit",   "secmark",	"synproxy" };
	bool known = false;
	int obj = 0;

	if (nw == 0 || strcmp(w[0], "define") == 0 || strcmp(w[0], "redefine") == 0 ||
	    strcmp(w[0], "undefine") == 0)
		return 0;
	/* "VERB OBJECT [family] table ..." or, an implicit add, "OBJECT [family] table ..." */
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(w[0], verbs[i]) == 0)
			obj = 1;
	if (obj >= nw)
		return priv_fail(c, EPERM, "nft: command \"%s\" is not allowed", w[0]);
	if (strcmp(w[obj], "ct") == 0) /* ct helper / timeout / expectation */
		return nft_check_table(c, w, nw, obj + 2);
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		known = known || strcmp(w[obj], objects[i]) == 0;
	if (!known)
		return priv_fail(c, EPERM, "nft: \"%s%s%s\" is not allowed", w[0],
				 obj > 0 ? " " : "", obj > 0 ? w[obj] : "");
	return nft_check_table(c, w, nw, obj + 1);
}

/* Reads the script's top-level commands (outside braces, split at newlines and
 * ';') and checks each; refuses "include" anywhere. Comments and quoted strings
 * are skipped. */
static int nft_check_script(struct priv_ctx *c, const char *s)
{
	char w[NFT_WORDS][64];
	int nw = 0, depth = 0;
	bool checked = false; /* the command's head was checked at its first '{' */

	for (const char *p = s;;) {
		char ch = *p;

		if (ch == '\0' || (depth == 0 && (ch == '\n' || ch == ';' || ch == '{'))) {
			if (depth == 0 && !checked && nft_check_command(c, w, nw) < 0)
				return -1;
			nw = 0;
			checked = ch == '{';
			if (ch == '\0')
				break;
			if (ch == '{')
				depth++;
			p++;
		} else if (ch == '{') {
			depth++;
			p++;
		} else if (ch == '}') {
			if (--depth < 0)
				return priv_fail(c, EINVAL, "nft: unbalanced braces");
			nw = 0;
			p++;
		} else if (ch == '#') {
			p += strcspn(p, "\n");
		} else if (ch == '\\' && p[1] == '\n') {
			p += 2;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ';') {
			p++;
		} else {
			/* a word, or a quoted string kept without its quotes */
			char word[64];
			size_t n = 0;

			if (ch == '"') {
				const char *end = strchr(p + 1, '"');

				if (end == NULL)
					return priv_fail(c, EINVAL, "nft: unterminated string");
				n = (size_t)(end - p - 1);
				snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), p + 1);
				p = end + 1;
			} else {
				n = strcspn(p, " \t\r\n;{}#\"");
				snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), p);
				p += n;
			}
			if (strcmp(word, "include") == 0)
				return priv_fail(c, EPERM, "nft: include is not allowed");
			if (depth == 0 && !checked && nw < NFT_WORDS)
				memcpy(w[nw++], word, sizeof(word));
		}
	}
	if (depth != 0)
		return priv_fail(c, EINVAL, "nft: unbalanced braces");
	return 0;
}

/* Runs 'script' in namespace 'ns' as one libnftables batch. */
static int nft_run(struct priv_ctx *c, const char *ns, const char *script)
{
	struct nft_ctx *nft;
	int rc = 0;

	if (priv_ns_enter(c, ns) < 0)
		return -1;
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (nft == NULL) {
		rc = priv_fail(c, ENOMEM, "nft: cannot make a context");
	} else {
		nft_ctx_buffer_output(nft);
		nft_ctx_buffer_error(nft);
		if (nft_run_cmd_from_buffer(nft, script) != 0) {
			const char *e = nft_ctx_get_error_buffer(nft);
			char msg[sizeof(c->ans->msg)];

			snprintf(msg, sizeof(msg), "%s", e != NULL ? e : "");
			for (char *q = msg; *q != '\0'; q++)
				if (*q == '\n' || *q == '\t')
					*q = ' ';
			rc = priv_fail(c, EINVAL, "nft: %s", msg);
		}
		nft_ctx_free(nft);
	}
	if (ns[0] != '\0')
		priv_ns_leave(c);
	return rc;
}

int priv_op_nft_apply(struct priv_ctx *c, const struct priv_req *r)
{
	char *script = priv_read_file(c, r->path, NFT_MAX_SCRIPT, NULL);
	int rc;

	if (script == NULL)
		return -1;
	rc = nft_check_script(c, script);
	if (rc == 0)
		rc = nft_run(c, r->ns, script);
	free(script);
	return rc;
}

int priv_op_nft_delete(struct priv_ctx *c, const struct priv_req *r)
{
	char script[256];

	/* add-then-delete in one batch: absent is not an error */
	snprintf(script, sizeof(script), "add table %s %s\ndelete table %s %s\n", r->key, r->value,
		 r->key, r->value);
	return nft_run(c, r->ns, script);
}

/* ---- listening sockets ------------------------------------------------------------------- */

int priv_op_listen(struct priv_ctx *c, const struct priv_req *r)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd = -1, one = 1;

	if (inet_pton(AF_INET, r->addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)r->num[0]);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		if (inet_pton(AF_INET6, r->addr, &sin6->sin6_addr) != 1)
			return priv_fail(c, EINVAL, "bad address");
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)r->num[0]);
		len = sizeof(*sin6);
	}
	if (priv_ns_enter(c, r->ns) < 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		priv_fail(c, errno, "socket: %s", strerror(errno));
	} else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		   setsockopt(fd, ss.ss_family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
			      ss.ss_family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND, &one,
			      sizeof(one)) < 0 ||
		   bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
		priv_fail(c, errno, "listen on %s port %d: %s", r->addr, r->num[0],
			  strerror(errno));
		close(fd);
		fd = -1;
	}
	priv_ns_leave(c);
	if (fd < 0)
		return -1;
	c->fd_out = fd;
	return 0;
}
