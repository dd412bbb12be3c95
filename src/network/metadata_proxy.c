/* The metadata proxy (see metadata_proxy.h).
 *
 * Threads. One proxy thread polls an eventfd (control) and every listening socket. On a
 * connection it accepts, reads the peer address and looks the guest up in the database
 * (its own connection: db_get keeps one per thread, so the short-lived relay threads
 * never open one), then hands the socket and what it found to a detached relay thread,
 * at most MDP_MAX_CONNS at once. The relay thread reads the request head (bounded in size
 * and time), rewrites it, connects to ciel's listener and relays both ways with poll,
 * checking 'stopping' every half second.
 *
 * Sockets are closed only by the proxy thread while it runs (a socket removed by another
 * thread goes to 'dead' first), so poll never sees a number that was closed and reused. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "network"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "network/metadata_proxy.h"

#define MDP_MAX_CONNS 64
#define MDP_HEAD_MAX 8192
#define MDP_HEAD_TIMEOUT_MS 10000
#define MDP_IDLE_TIMEOUT_MS 30000
#define MDP_CONNECT_TIMEOUT_MS 5000

/* ---- secret and signature ---- */

static char random_secret[65];
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;

static void hex(const unsigned char *in, size_t size, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < size; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * size] = '\0';
}

static void make_secret(void)
{
	unsigned char b[32];

	util_random(b, sizeof(b));
	hex(b, sizeof(b), random_secret);
}

const char *net_metadata_secret(void)
{
	if (conf.net_metadata_secret != NULL && conf.net_metadata_secret[0] != '\0')
		return conf.net_metadata_secret;
	pthread_once(&secret_once, make_secret);
	return random_secret;
}

void net_metadata_sign(const char *secret, const char *instance_id, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)instance_id,
	     strlen(instance_id), md, &len);
	BUG_ON(len != 32);
	hex(md, len, out);
}

bool net_metadata_check(const char *secret, const char *instance_id, const char *sig)
{
	char want[65];

	if (sig == NULL || instance_id == NULL || strlen(sig) != 64)
		return false;
	net_metadata_sign(secret, instance_id, want);
	return CRYPTO_memcmp(want, sig, 64) == 0;
}

/* ---- head rewrite ---- */

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Headers the guest may not set: the proxy's own, and hop-by-hop ones. */
static bool dropped(const char *name, size_t len)
{
	static const char *const names[] = {
		"x-forwarded-for", "x-tenant-id",    "x-project-id",    "connection",
		"keep-alive",	   "proxy-connection", "x-auth-token",
	};

	if ((len >= 13 && strncasecmp(name, "x-instance-id", 13) == 0) ||
	    (len >= 10 && strncasecmp(name, "x-neutron-", 10) == 0))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (len == strlen(names[i]) && strncasecmp(name, names[i], len) == 0)
			return true;
	return false;
}

char *net_mdproxy_rewrite(const char *head, size_t size, const struct net_mdproxy_who *who,
			  const char *secret, size_t *out_size, long long *body_size,
			  struct err *err)
{
	const char *p = head, *end = head + size, *nl, *sp1, *sp2, *path, *ver;
	char *out = NULL, sig[65];
	size_t line_len, osize = 0;
	FILE *f;
	bool ended = false;

	*body_size = 0;
	if (memchr(head, '\0', size) != NULL)
		return err_set(err, ERR_BAD_REQUEST, "NUL in the request head"), NULL;
	/* request line: METHOD SP target SP HTTP/1.x */
	nl = memchr(p, '\n', end - p);
	if (nl == NULL)
		return err_set(err, ERR_BAD_REQUEST, "no request line"), NULL;
	line_len = nl - p - (nl > p && nl[-1] == '\r');
	sp1 = memchr(p, ' ', line_len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', p + line_len - sp1 - 1) : NULL;
	if (sp1 == NULL || sp2 == NULL || sp1 == p)
		return err_set(err, ERR_BAD_REQUEST, "malformed request line"), NULL;
	for (const char *c = p; c < sp1; c++)
		if (!is_tchar(*c))
			return err_set(err, ERR_BAD_REQUEST, "malformed method"), NULL;
	ver = sp2 + 1;
	if (p + line_len - ver != 8 || strncmp(ver, "HTTP/1.", 7) != 0 ||
	    (ver[7] != '0' && ver[7] != '1'))
		return err_set(err, ERR_BAD_REQUEST, "not HTTP/1.x"), NULL;
	path = sp1 + 1;
	for (const char *c = path; c < sp2; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return err_set(err, ERR_BAD_REQUEST, "malformed target"), NULL;
	if (sp2 - path >= 7 && strncasecmp(path, "http://", 7) == 0) {
		/* absolute form: drop scheme and authority */
		const char *slash = memchr(path + 7, '/', sp2 - path - 7);

		path = slash ? slash : sp2;
	}
	f = open_memstream(&out, &osize);
	if (path == sp2)
		fprintf(f, "%.*s /metadata/ %.8s\r\n", (int)(sp1 - p), p, ver);
	else if (*path != '/') {
		fclose(f);
		free(out);
		return err_set(err, ERR_BAD_REQUEST, "target is not a path"), NULL;
	} else
		fprintf(f, "%.*s /metadata%.*s %.8s\r\n", (int)(sp1 - p), p, (int)(sp2 - path),
			path, ver);
	/* header lines up to the empty line */
	for (p = nl + 1; p < end; p = nl + 1) {
		const char *colon;

		nl = memchr(p, '\n', end - p);
		if (nl == NULL)
			break;
		line_len = nl - p - (nl > p && nl[-1] == '\r');
		if (line_len == 0) {
			ended = true;
			break;
		}
		colon = memchr(p, ':', line_len);
		if (*p == ' ' || *p == '\t' || colon == NULL || colon == p ||
		    memchr(p, '\r', line_len) != NULL)
			goto bad;
		for (const char *c = p; c < colon; c++)
			if (!is_tchar(*c))
				goto bad;
		if (colon - p == 17 && strncasecmp(p, "transfer-encoding", 17) == 0) {
			fclose(f);
			free(out);
			return err_set(err, ERR_BAD_REQUEST,
				       "Transfer-Encoding is not relayed"),
			       NULL;
		}
		if (colon - p == 14 && strncasecmp(p, "content-length", 14) == 0) {
			const char *v = colon + 1, *vend = p + line_len;
			long long n = 0;

			while (v < vend && (*v == ' ' || *v == '\t'))
				v++;
			while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
				vend--;
			if (v == vend || vend - v > 12)
				goto bad;
			for (; v < vend; v++) {
				if (*v < '0' || *v > '9')
					goto bad;
				n = n * 10 + (*v - '0');
			}
			if (*body_size != 0 && *body_size != n)
				goto bad;
			*body_size = n;
		}
		if (!dropped(p, colon - p))
			fprintf(f, "%.*s\r\n", (int)line_len, p);
	}
	if (!ended)
		goto bad;
	net_metadata_sign(secret, who->instance_id, sig);
	fprintf(f, "X-Forwarded-For: %s\r\nX-Instance-ID: %s\r\nX-Tenant-ID: %s\r\n", who->ip,
		who->instance_id, who->project_id);
	fprintf(f, "X-Neutron-Network-ID: %s\r\nX-Neutron-Port-ID: %s\r\n", who->network_id,
		who->port_id);
	if (who->router_id[0] != '\0')
		fprintf(f, "X-Neutron-Router-ID: %s\r\n", who->router_id);
	fprintf(f, "X-Instance-ID-Signature: %s\r\nConnection: close\r\n\r\n", sig);
	fclose(f);
	*out_size = osize;
	return out;
bad:
	fclose(f);
	free(out);
	return err_set(err, ERR_BAD_REQUEST, "malformed header line"), NULL;
}

int net_mdproxy_upstream(const char *listen, char host[46], int *port)
{
	const char *colon, *h;
	size_t hlen;
	char buf[46];
	unsigned char a[16];
	char *endp;
	long n;

	if (listen == NULL)
		return -1;
	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');

		if (rb == NULL || rb[1] != ':')
			return -1;
		h = listen + 1;
		hlen = rb - h;
		colon = rb + 1;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL)
			return -1;
		h = listen;
		hlen = colon - listen;
	}
	n = strtol(colon + 1, &endp, 10);
	if (*endp != '\0' || n < 1 || n > 65535 || hlen >= sizeof(buf))
		return -1;
	memcpy(buf, h, hlen);
	buf[hlen] = '\0';
	if (hlen == 0 || strcmp(buf, "0.0.0.0") == 0 || strcmp(buf, "localhost") == 0)
		strcpy(buf, "127.0.0.1");
	else if (strcmp(buf, "::") == 0)
		strcpy(buf, "::1");
	if (inet_pton(strchr(buf, ':') ? AF_INET6 : AF_INET, buf, a) != 1)
		return -1;
	strcpy(host, buf);
	*port = (int)n;
	return 0;
}

/* ---- database lookups ---- */

static bool fill(char *dst, size_t size, const char *s)
{
	return snprintf(dst, size, "%s", s ? s : "") < (int)size;
}

static void hostname_of(const char *dns_name, const char *ip, char out[64])
{
	if (dns_name != NULL && *dns_name) {
		snprintf(out, 64, "%s", dns_name);
		return;
	}
	snprintf(out, 64, "host-%s", ip);
	for (char *c = out; *c; c++)
		if (*c == '.' || *c == ':')
			*c = '-';
}

/* Fills 'who' from a row (port id, device id, project, network); false if it cannot. */
static bool fill_who(struct net_mdproxy_who *who, const struct db_res *res)
{
	const char *dev = db_res_str(res, 0, 1);

	return fill(who->port_id, sizeof(who->port_id), db_res_str(res, 0, 0)) &&
	       fill(who->instance_id, sizeof(who->instance_id),
		    dev && *dev ? dev : db_res_str(res, 0, 0)) &&
	       fill(who->project_id, sizeof(who->project_id), db_res_str(res, 0, 2)) &&
	       fill(who->network_id, sizeof(who->network_id), db_res_str(res, 0, 3));
}

int net_mdproxy_find(struct db *db, const char *network_id, const char *router_id,
		     const char *ip, struct net_mdproxy_who *who, struct err *err)
{
	struct db_res *res;
	bool ok;

	memset(who, 0, sizeof(*who));
	if (router_id != NULL && *router_id)
		res = db_query(db, err,
			       "SELECT p.id, p.device_id, p.project_id, p.network_id"
			       " FROM net_ip i JOIN net_port p ON p.id = i.port_id"
			       " WHERE i.ip_address = ? AND i.network_id IN"
			       " (SELECT l.network_id FROM net_router_port rp"
			       " JOIN net_port l ON l.id = rp.port_id"
			       " WHERE rp.port_type = 'network:router_interface'"
			       " AND rp.router_id = ?) ORDER BY p.id LIMIT 1",
			       DBP(ip, router_id));
	else
		res = db_query(db, err,
			       "SELECT p.id, p.device_id, p.project_id, p.network_id"
			       " FROM net_ip i JOIN net_port p ON p.id = i.port_id"
			       " WHERE i.network_id = ? AND i.ip_address = ?"
			       " ORDER BY p.id LIMIT 1",
			       DBP(network_id, ip));
	if (res == NULL)
		return -1;
	ok = db_res_rows(res) > 0 && fill_who(who, res) && fill(who->ip, sizeof(who->ip), ip) &&
	     fill(who->router_id, sizeof(who->router_id), router_id);
	db_res_free(res);
	if (!ok)
		return err_set(err, ERR_NOT_FOUND, "no port has address %s there", ip);
	return 0;
}

int net_mdproxy_port(struct db *db, const char *port_id, struct net_mdproxy_who *who,
		     char hostname[64], char name[256], struct err *err)
{
	struct db_res *res, *ips = NULL;
	int rc = -1;

	memset(who, 0, sizeof(*who));
	res = db_query(db, err,
		       "SELECT id, device_id, project_id, network_id, dns_name, name"
		       " FROM net_port WHERE id = ?",
		       DBP(port_id));
	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0 || !fill_who(who, res)) {
		err_set(err, ERR_NOT_FOUND, "port %s not found", port_id);
		goto out;
	}
	ips = db_query(db, err,
		       "SELECT i.ip_address FROM net_ip i"
		       " LEFT JOIN net_subnet s ON s.id = i.subnet_id WHERE i.port_id = ?"
		       " ORDER BY s.ip_version, s.created_at, i.subnet_id, length(i.ip_address),"
		       " i.ip_address LIMIT 1",
		       DBP(port_id));
	if (ips == NULL)
		goto out;
	if (db_res_rows(ips) > 0)
		fill(who->ip, sizeof(who->ip), db_res_str(ips, 0, 0));
	hostname_of(db_res_str(res, 0, 4), who->ip, hostname);
	fill(name, 256, db_res_str(res, 0, 5));
	rc = 0;
out:
	db_res_free(ips);
	db_res_free(res);
	return rc;
}

/* ---- the proxy ---- */

struct slot {
	char ns[64];
	char network_id[37], router_id[37];
	int fd;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conns_done = PTHREAD_COND_INITIALIZER;
static struct slot *slots;
static int nslots;
static int *dead; /* sockets the proxy thread is to close */
static int ndead;
static int efd = -1;
static pthread_t thread;
static bool running, stopping;
static int nconns;

struct conn {
	int fd;
	int status; /* 0: 'who' found; else the status to answer */
	struct net_mdproxy_who who;
};

static void wake_thread(void)
{
	uint64_t one = 1;

	if (efd >= 0 && write(efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("metadata proxy: wake: %s", strerror(errno));
}

/* Sends all of buf; false when the peer is gone. */
static bool send_all(int fd, const char *buf, size_t size)
{
	while (size > 0) {
		ssize_t n = send(fd, buf, size, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		size -= n;
	}
	return true;
}

static void answer(int fd, int status, const char *reason)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%d %s\n",
			 status, reason, strlen(reason) + 5, status, reason);

	send_all(fd, buf, n);
}

static bool is_stopping(void)
{
	bool s;

	pthread_mutex_lock(&lock);
	s = stopping;
	pthread_mutex_unlock(&lock);
	return s;
}

/* Reads until the end of the head; returns its size (the bytes past it are in buf up to
 * '*got'), 0 when the guest went away, -1 on timeout, -2 when it is too large. */
static long read_head(int fd, char *buf, size_t cap, size_t *got)
{
	int64_t spent = 0;

	*got = 0;
	while (spent < MDP_HEAD_TIMEOUT_MS) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t n;
		char *e;

		if (is_stopping())
			return -1;
		if (poll(&pf, 1, 500) == 0) {
			spent += 500;
			continue;
		}
		n = recv(fd, buf + *got, cap - 1 - *got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		*got += n;
		buf[*got] = '\0';
		if ((e = memmem(buf, *got, "\r\n\r\n", 4)) != NULL)
			return e + 4 - buf;
		if ((e = memmem(buf, *got, "\n\n", 2)) != NULL)
			return e + 2 - buf;
		if (*got >= cap - 1)
			return -2;
	}
	return -1;
}

static int connect_upstream(void)
{
	char host[46];
	int port, fd, soerr = 0;
	struct sockaddr_storage ss = { 0 };
	socklen_t len, elen = sizeof(soerr);
	struct pollfd pf;

	if (net_mdproxy_upstream(conf.listen, host, &port) < 0)
		return -1;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &a->sin6_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, host, &a->sin_addr);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
		goto fail;
	pf = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pf, 1, MDP_CONNECT_TIMEOUT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) < 0 || soerr != 0)
		goto fail;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Both ways until the handler closes (the head asked it to); the guest's side carries
 * at most 'body_left' more bytes. */
static void relay(int cfd, int ufd, long long body_left)
{
	char buf[16384];
	int64_t idle = 0;

	while (idle < MDP_IDLE_TIMEOUT_MS && !is_stopping()) {
		struct pollfd pf[2] = { { .fd = ufd, .events = POLLIN },
					{ .fd = cfd, .events = POLLIN } };
		int n = poll(pf, body_left > 0 ? 2 : 1, 500);
		ssize_t got;

		if (n == 0) {
			idle += 500;
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		idle = 0;
		if (pf[0].revents) {
			got = recv(ufd, buf, sizeof(buf), 0);
			if (got <= 0 || !send_all(cfd, buf, got))
				return;
		}
		if (body_left > 0 && pf[1].revents) {
			size_t want = body_left < (long long)sizeof(buf) ? (size_t)body_left
									 : sizeof(buf);

			got = recv(cfd, buf, want, 0);
			if (got <= 0 || !send_all(ufd, buf, got))
				return;
			body_left -= got;
		}
	}
}

static void serve(struct conn *c)
{
	char head[MDP_HEAD_MAX], *out = NULL;
	size_t got, out_size;
	long long body_size;
	long hsize;
	struct err err = { 0 };
	int ufd = -1;

	hsize = read_head(c->fd, head, sizeof(head), &got);
	if (hsize == 0 || hsize == -1)
		return;
	if (hsize == -2) {
		answer(c->fd, 431, "Request Header Fields Too Large");
		return;
	}
	if (c->status == 404) {
		answer(c->fd, 404, "Not Found");
		return;
	}
	if (c->status != 0) {
		answer(c->fd, 500, "Internal Server Error");
		return;
	}
	out = net_mdproxy_rewrite(head, hsize, &c->who, net_metadata_secret(), &out_size,
				  &body_size, &err);
	if (out == NULL) {
		answer(c->fd, 400, "Bad Request");
		return;
	}
	ufd = connect_upstream();
	if (ufd < 0) {
		log_warn("metadata proxy: cannot reach the metadata handler at %s", conf.listen);
		answer(c->fd, 502, "Bad Gateway");
		goto out;
	}
	if ((long long)(got - hsize) > body_size)
		got = hsize + body_size; /* pipelined extra bytes are not relayed */
	if (!send_all(ufd, out, out_size) || !send_all(ufd, head + hsize, got - hsize))
		goto out;
	relay(c->fd, ufd, body_size - (long long)(got - hsize));
out:
	if (ufd >= 0)
		close(ufd);
	free(out);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;

	serve(c);
	close(c->fd);
	free(c);
	pthread_mutex_lock(&lock);
	if (--nconns == 0)
		pthread_cond_broadcast(&conns_done);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* The guest's address as text (IPv4-mapped IPv6 as IPv4). */
static int peer_ip(int fd, char out[46])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, 46) ? 0
											 : -1;
	if (ss.ss_family == AF_INET6) {
		struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a))
			return inet_ntop(AF_INET, &a->s6_addr[12], out, 46) ? 0 : -1;
		return inet_ntop(AF_INET6, a, out, 46) ? 0 : -1;
	}
	return -1;
}

static void accept_one(struct db *db, const struct slot *s)
{
	struct conn *c;
	struct err err = { 0 };
	pthread_attr_t attr;
	pthread_t t;
	char ip[46];
	int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	pthread_mutex_lock(&lock);
	if (nconns >= MDP_MAX_CONNS) {
		pthread_mutex_unlock(&lock);
		log_warn("metadata proxy: %d connections at once; one refused", MDP_MAX_CONNS);
		close(fd);
		return;
	}
	nconns++;
	pthread_mutex_unlock(&lock);
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	if (db == NULL) /* none at start: try again */
		db = db_get(&err);
	if (peer_ip(fd, ip) < 0)
		c->status = 500;
	else if (db == NULL ||
		 net_mdproxy_find(db, s->network_id, s->router_id, ip, &c->who, &err) < 0) {
		c->status = err.kind == ERR_NOT_FOUND ? 404 : 500;
		log_info("metadata proxy: %s from %s: %s", s->ns, ip,
			 err.msg[0] ? err.msg : "no database");
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, conn_main, c) != 0) {
		close(fd);
		free(c);
		pthread_mutex_lock(&lock);
		if (--nconns == 0)
			pthread_cond_broadcast(&conns_done);
		pthread_mutex_unlock(&lock);
	}
	pthread_attr_destroy(&attr);
}

static void *proxy_main(void *arg)
{
	struct err err = { 0 };
	struct db *db = db_get(&err);
	struct pollfd *pf = NULL;
	struct slot *snap = NULL;
	int n = 0;

	(void)arg;
	if (db == NULL)
		log_error("metadata proxy: no database connection: %s", err.msg);
	for (;;) {
		pthread_mutex_lock(&lock);
		for (int i = 0; i < ndead; i++)
			close(dead[i]);
		ndead = 0;
		if (stopping) {
			pthread_mutex_unlock(&lock);
			break;
		}
		n = nslots;
		pf = xrealloc(pf, (n + 1) * sizeof(*pf));
		snap = xrealloc(snap, (n + 1) * sizeof(*snap));
		if (n > 0)
			memcpy(snap, slots, n * sizeof(*snap));
		pthread_mutex_unlock(&lock);
		pf[0] = (struct pollfd){ .fd = efd, .events = POLLIN };
		for (int i = 0; i < n; i++)
			pf[i + 1] = (struct pollfd){ .fd = snap[i].fd, .events = POLLIN };
		if (poll(pf, n + 1, 1000) <= 0)
			continue;
		if (pf[0].revents) {
			uint64_t v;

			if (read(efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				log_warn("metadata proxy: eventfd: %s", strerror(errno));
			continue; /* the sockets may have changed */
		}
		for (int i = 0; i < n; i++)
			if (pf[i + 1].revents & POLLIN)
				accept_one(db, &snap[i]);
	}
	free(pf);
	free(snap);
	return NULL;
}

/* Reads "qdhcp-<id>" / "qrouter-<id>" into 's'; false for other names. */
static bool parse_ns(const char *ns, struct slot *s)
{
	const char *id;
	char *dst;

	memset(s, 0, sizeof(*s));
	if (ns == NULL || strlen(ns) >= sizeof(s->ns))
		return false;
	if (strncmp(ns, "qdhcp-", 6) == 0) {
		id = ns + 6;
		dst = s->network_id;
	} else if (strncmp(ns, "qrouter-", 8) == 0) {
		id = ns + 8;
		dst = s->router_id;
	} else {
		return false;
	}
	if (*id == '\0' || strlen(id) > 36 || strspn(id, "0123456789abcdef-") != strlen(id))
		return false;
	strcpy(dst, id);
	strcpy(s->ns, ns);
	return true;
}

static int find_slot(const char *ns)
{
	for (int i = 0; i < nslots; i++)
		if (strcmp(slots[i].ns, ns) == 0)
			return i;
	return -1;
}

/* Hands 'fd' to the proxy thread to close (or closes it when no thread runs). Locked. */
static void retire(int fd)
{
	if (!running) {
		close(fd);
		return;
	}
	dead = xrealloc(dead, (ndead + 1) * sizeof(*dead));
	dead[ndead++] = fd;
}

int net_mdproxy_add(const char *ns, int fd, struct err *err)
{
	struct slot s;
	int i, rc;

	if (!parse_ns(ns, &s)) {
		close(fd);
		return err_set(err, ERR_BAD_REQUEST, "metadata proxy: not a namespace of ours: %s",
			       ns ? ns : "(null)");
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		rc = errno;
		close(fd);
		return err_set(err, ERR_INTERNAL, "metadata proxy: socket: %s", strerror(rc));
	}
	s.fd = fd;
	pthread_mutex_lock(&lock);
	if (!running) {
		stopping = false;
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		rc = efd < 0 ? errno : pthread_create(&thread, NULL, proxy_main, NULL);
		if (rc != 0) {
			if (efd >= 0)
				close(efd);
			efd = -1;
			pthread_mutex_unlock(&lock);
			close(fd);
			return err_set(err, ERR_INTERNAL, "metadata proxy: %s", strerror(rc));
		}
		running = true;
	}
	i = find_slot(ns);
	if (i >= 0) {
		retire(slots[i].fd);
		slots[i] = s;
	} else {
		slots = xrealloc(slots, (nslots + 1) * sizeof(*slots));
		slots[nslots++] = s;
	}
	wake_thread();
	pthread_mutex_unlock(&lock);
	log_info("metadata proxy: serving %s", ns);
	return 0;
}

bool net_mdproxy_has(const char *ns)
{
	bool has;

	pthread_mutex_lock(&lock);
	has = ns != NULL && find_slot(ns) >= 0;
	pthread_mutex_unlock(&lock);
	return has;
}

void net_mdproxy_remove(const char *ns)
{
	int i;

	pthread_mutex_lock(&lock);
	i = ns ? find_slot(ns) : -1;
	if (i >= 0) {
		retire(slots[i].fd);
		slots[i] = slots[--nslots];
		wake_thread();
	}
	pthread_mutex_unlock(&lock);
	if (i >= 0)
		log_info("metadata proxy: %s no longer served", ns);
}

void net_mdproxy_shutdown(void)
{
	struct timespec ts;
	bool was_running;

	pthread_mutex_lock(&lock);
	was_running = running;
	stopping = true;
	wake_thread();
	pthread_mutex_unlock(&lock);
	if (was_running)
		pthread_join(thread, NULL);
	pthread_mutex_lock(&lock);
	running = false;
	for (int i = 0; i < nslots; i++)
		close(slots[i].fd);
	for (int i = 0; i < ndead; i++)
		close(dead[i]);
	free(slots);
	free(dead);
	slots = NULL;
	dead = NULL;
	nslots = ndead = 0;
	if (efd >= 0)
		close(efd);
	efd = -1;
	/* relays check 'stopping' every half second */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	while (nconns > 0 && pthread_cond_timedwait(&conns_done, &lock, &ts) == 0)
		;
	if (nconns > 0)
		log_warn("metadata proxy: %d relays still running at shutdown", nconns);
	pthread_mutex_unlock(&lock);
}
