/* The metadata path: signature, head rewrite, the proxy end to end on loopback (a fake
 * handler upstream) and the /metadata handler through the router. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "db_fixture.h"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/util.h"
#include "network/metadata_proxy.h"
#include "network/network.h"
#include "network/priv.h"

#define N1 "11111111-1111-1111-1111-111111111111"
#define N2 "22222222-2222-2222-2222-222222222222"
#define P1 "bbbbbbbb-0000-0000-0000-000000000001"
#define P2 "bbbbbbbb-0000-0000-0000-000000000002"
#define PRI "bbbbbbbb-0000-0000-0000-00000000000a"
#define R1 "dddddddd-0000-0000-0000-000000000001"

/* HMAC-SHA256(key "secret", "vm-1"), from Python's hmac module */
#define SIG_VM1 "8d8df128f7f73330977b8bd71fc9442bf6c491ce9b938aa95d11265d36ce09f5"

static const struct net_mdproxy_who who = {
	.ip = "10.0.0.5",
	.port_id = P1,
	.network_id = N1,
	.project_id = "proj",
	.instance_id = "vm-1",
};

static void signature(void **state)
{
	char sig[65];

	(void)state;
	net_metadata_sign("secret", "vm-1", sig);
	assert_string_equal(sig, SIG_VM1);
	assert_true(net_metadata_check("secret", "vm-1", SIG_VM1));
	assert_false(net_metadata_check("secret", "vm-2", SIG_VM1));
	assert_false(net_metadata_check("other", "vm-1", SIG_VM1));
	assert_false(net_metadata_check("secret", "vm-1", NULL));
	assert_false(net_metadata_check("secret", "vm-1", ""));
	assert_false(net_metadata_check("secret", "vm-1", SIG_VM1 "00"));
	sig[0] = sig[0] == '8' ? '9' : '8';
	assert_false(net_metadata_check("secret", "vm-1", sig));
}

static void secret_fallback(void **state)
{
	const char *a, *b;

	(void)state;
	free(conf.net_metadata_secret);
	conf.net_metadata_secret = xstrdup("");
	a = net_metadata_secret();
	b = net_metadata_secret();
	assert_int_equal(strlen(a), 64);
	assert_true(util_is_hex(a, 64));
	assert_ptr_equal(a, b);
	free(conf.net_metadata_secret);
	conf.net_metadata_secret = xstrdup("configured");
	assert_string_equal(net_metadata_secret(), "configured");
}

static char *rewrite(const char *head, long long *body, struct err *err)
{
	size_t size = 0;
	char *out = net_mdproxy_rewrite(head, strlen(head), &who, "secret", &size, body, err);

	if (out != NULL)
		assert_int_equal(size, strlen(out));
	return out;
}

static void rewrite_head(void **state)
{
	struct err err = { 0 };
	long long body = -1;
	char *out;

	(void)state;
	out = rewrite("GET /openstack/latest/meta_data.json HTTP/1.1\r\n"
		      "Host: 169.254.169.254\r\n"
		      "X-Instance-ID: forged\r\n"
		      "x-instance-id-signature: forged\r\n"
		      "X-Forwarded-For: 1.2.3.4\r\n"
		      "X-Tenant-ID: other\r\n"
		      "X-Neutron-Port-ID: other\r\n"
		      "Connection: keep-alive\r\n"
		      "Accept: */*\r\n"
		      "\r\n",
		      &body, &err);
	assert_non_null(out);
	assert_int_equal(body, 0);
	assert_string_equal(out, "GET /metadata/openstack/latest/meta_data.json HTTP/1.1\r\n"
				 "Host: 169.254.169.254\r\n"
				 "Accept: */*\r\n"
				 "X-Forwarded-For: 10.0.0.5\r\n"
				 "X-Instance-ID: vm-1\r\n"
				 "X-Tenant-ID: proj\r\n"
				 "X-Neutron-Network-ID: " N1 "\r\n"
				 "X-Neutron-Port-ID: " P1 "\r\n"
				 "X-Instance-ID-Signature: " SIG_VM1 "\r\n"
				 "Connection: close\r\n\r\n");
	free(out);

	/* absolute form, bare LF lines, a body length */
	out = rewrite("POST http://169.254.169.254/openstack/2013-04-04/password HTTP/1.0\n"
		      "Content-Length: 12\n\n",
		      &body, &err);
	assert_non_null(out);
	assert_int_equal(body, 12);
	assert_non_null(strstr(out, "POST /metadata/openstack/2013-04-04/password HTTP/1.0\r\n"
				    "Content-Length: 12\r\n"));
	free(out);
	out = rewrite("GET http://169.254.169.254 HTTP/1.1\r\n\r\n", &body, &err);
	assert_non_null(out);
	assert_true(strncmp(out, "GET /metadata/ HTTP/1.1\r\n", 25) == 0);
	free(out);

	/* refused */
	static const char *const bad[] = {
		"GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET /x HTTP/1.1\r\nA: b\r\n c\r\n\r\n",	    /* folded */
		"GET /x HTTP/1.1\r\nno colon\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: a\r\n",		    /* no end */
		"GET /x HTTP/2\r\n\r\n",
		"GET x HTTP/1.1\r\n\r\n",
		"GET /x\r\n\r\n",
		"G(T /x HTTP/1.1\r\n\r\n",
		"GET /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"GET /x HTTP/1.1\r\nBad Name: x\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		out = rewrite(bad[i], &body, &err);
		if (out != NULL)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(err.kind, ERR_BAD_REQUEST);
	}
	/* a NUL inside */
	err_clear(&err);
	{
		size_t size;
		static const char nul[] = "GET /x HTTP/1.1\r\nA: \0b\r\n\r\n";

		assert_null(net_mdproxy_rewrite(nul, sizeof(nul) - 1, &who, "s", &size, &body,
						&err));
	}
}

static void upstream(void **state)
{
	char host[46];
	int port;

	(void)state;
	assert_int_equal(net_mdproxy_upstream("0.0.0.0:5000", host, &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 5000);
	assert_int_equal(net_mdproxy_upstream("10.1.2.3:80", host, &port), 0);
	assert_string_equal(host, "10.1.2.3");
	assert_int_equal(net_mdproxy_upstream("[::]:8080", host, &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(net_mdproxy_upstream("[fd00::2]:8080", host, &port), 0);
	assert_string_equal(host, "fd00::2");
	assert_int_equal(net_mdproxy_upstream("nonsense", host, &port), -1);
	assert_int_equal(net_mdproxy_upstream("1.2.3.4:0", host, &port), -1);
	assert_int_equal(net_mdproxy_upstream("1.2.3.4:99999", host, &port), -1);
	assert_int_equal(net_mdproxy_upstream("[::1:80", host, &port), -1);
}

/* ---- end to end on loopback ---- */

static void sql(const char *s)
{
	struct err err = { 0 };

	if (db_exec_script(db_get(&err), &err, s) < 0)
		fail_msg("%s: %s", s, err.msg);
}

/* SQLite by default; CIEL_TEST_PG=postgresql://... runs the same on PostgreSQL (its
 * public schema is emptied first). */
static int setup_db(void **state)
{
	const char *pg = getenv("CIEL_TEST_PG");
	struct err err = { 0 };

	(void)state;
	if (pg == NULL || *pg == '\0') {
		if (db_fixture_open(net_migrations) < 0)
			return -1;
	} else if (db_init(pg, &err) < 0 ||
		   db_exec_script(db_get(&err), &err,
				  "DROP SCHEMA public CASCADE; CREATE SCHEMA public") < 0 ||
		   db_migrate(net_migrations, &err) < 0) {
		print_error("%s: %s\n", pg, err.msg);
		return -1;
	}
	/* the guest is 127.0.0.1 on N1, so that loopback connections find it */
	sql("INSERT INTO net_port (id, project_id, network_id, mac_address, device_id, name,"
	    " dns_name, created_at, updated_at) VALUES"
	    " ('" P1 "', 'proj', '" N1 "', 'fa:16:3e:00:00:01', 'vm-1', 'web-1', '', 1, 1),"
	    " ('" P2 "', 'proj', '" N2 "', 'fa:16:3e:00:00:02', '', '', 'db', 1, 1),"
	    " ('" PRI "', 'proj', '" N1 "', 'fa:16:3e:00:00:0a', '" R1 "', '', '', 1, 1);"
	    "UPDATE net_port SET device_owner = 'network:router_interface' WHERE id = '" PRI
	    "';"
	    "INSERT INTO net_router_port (port_id, router_id, port_type) VALUES"
	    " ('" PRI "', '" R1 "', 'network:router_interface');"
	    "INSERT INTO net_ip (subnet_id, ip_address, port_id, network_id) VALUES"
	    " ('s1', '127.0.0.1', '" P1 "', '" N1 "'),"
	    " ('s1', '127.0.0.254', '" PRI "', '" N1 "'),"
	    " ('s2', '10.0.0.7', '" P2 "', '" N2 "');");
	return 0;
}

static int teardown_db(void **state)
{
	const char *pg = getenv("CIEL_TEST_PG");

	(void)state;
	net_mdproxy_shutdown();
	if (pg == NULL || *pg == '\0')
		return db_fixture_close();
	db_close_all();
	return 0;
}

/* A listening loopback socket; its port in '*port'. */
static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* The fake handler: takes one connection, keeps what it read, answers "ok". */
struct fake_upstream {
	int fd;
	char got[8192];
	size_t size;
};

static void *upstream_main(void *arg)
{
	struct fake_upstream *u = arg;
	int c = accept(u->fd, NULL, NULL);
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				    "Connection: close\r\n\r\nok";

	if (c < 0)
		return NULL;
	while (u->size < sizeof(u->got) - 1) {
		ssize_t n = recv(c, u->got + u->size, sizeof(u->got) - 1 - u->size, 0);

		if (n <= 0)
			break;
		u->size += n;
		u->got[u->size] = '\0';
		if (strstr(u->got, "\r\n\r\n") &&
		    (strstr(u->got, "POST") == NULL || strstr(u->got, "hello")))
			break;
	}
	send(c, reply, sizeof(reply) - 1, MSG_NOSIGNAL);
	close(c);
	return NULL;
}

/* Sends 'req' to the proxy at 'port' and returns all it answered (caller frees). */
static char *ask(int port, const char *req)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char *buf = xcalloc(1, 8192);
	size_t got = 0;
	struct timeval tv = { .tv_sec = 10 };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	for (;;) {
		ssize_t n = recv(fd, buf + got, 8191 - got, 0);

		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	return buf;
}

static void proxy_end_to_end(void **state)
{
	struct fake_upstream u = { 0 };
	struct err err = { 0 };
	pthread_t t;
	int uport, pport, pfd, port2, fd2, port3, fd3;
	char *ans, listen_addr[32];

	(void)state;
	u.fd = listener(&uport);
	snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%d", uport);
	free(conf.listen);
	conf.listen = xstrdup(listen_addr);
	free(conf.net_metadata_secret);
	conf.net_metadata_secret = xstrdup("secret");

	pfd = listener(&pport);
	assert_false(net_mdproxy_has("qdhcp-" N1));
	assert_int_equal(net_mdproxy_add("qdhcp-" N1, pfd, &err), 0);
	assert_true(net_mdproxy_has("qdhcp-" N1));
	fd2 = listener(&port2);
	assert_int_equal(net_mdproxy_add("qdhcp-" N2, fd2, &err), 0);
	fd3 = listener(&port3);
	assert_int_equal(net_mdproxy_add("qrouter-" R1, fd3, &err), 0);
	assert_int_equal(net_mdproxy_add("eth0", dup(pfd), &err), -1);

	/* the guest on N1 (127.0.0.1): forwarded, signed, forged headers gone */
	assert_int_equal(pthread_create(&t, NULL, upstream_main, &u), 0);
	ans = ask(pport, "GET /openstack/latest/meta_data.json HTTP/1.1\r\n"
			 "Host: 169.254.169.254\r\nX-Instance-ID: evil\r\n\r\n");
	pthread_join(t, NULL);
	assert_non_null(strstr(ans, "200 OK"));
	assert_non_null(strstr(ans, "\r\n\r\nok"));
	free(ans);
	assert_non_null(strstr(u.got, "GET /metadata/openstack/latest/meta_data.json HTTP/1.1\r\n"));
	assert_non_null(strstr(u.got, "X-Instance-ID: vm-1\r\n"));
	assert_non_null(strstr(u.got, "X-Instance-ID-Signature: " SIG_VM1 "\r\n"));
	assert_non_null(strstr(u.got, "X-Forwarded-For: 127.0.0.1\r\n"));
	assert_non_null(strstr(u.got, "X-Neutron-Port-ID: " P1 "\r\n"));
	assert_non_null(strstr(u.got, "X-Tenant-ID: proj\r\n"));
	assert_null(strstr(u.got, "evil"));

	/* a body is relayed, up to its Content-Length */
	memset(&u.got, 0, sizeof(u.got));
	u.size = 0;
	assert_int_equal(pthread_create(&t, NULL, upstream_main, &u), 0);
	ans = ask(pport, "POST /openstack/latest/password HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
			 "helloEXTRA");
	pthread_join(t, NULL);
	assert_non_null(strstr(ans, "\r\n\r\nok"));
	free(ans);
	assert_non_null(strstr(u.got, "\r\n\r\nhello"));
	assert_null(strstr(u.got, "EXTRA"));

	/* through the router namespace: N1 is on one of its interfaces */
	memset(&u.got, 0, sizeof(u.got));
	u.size = 0;
	assert_int_equal(pthread_create(&t, NULL, upstream_main, &u), 0);
	ans = ask(port3, "GET /latest/meta-data/instance-id HTTP/1.0\r\n\r\n");
	pthread_join(t, NULL);
	assert_non_null(strstr(ans, "\r\n\r\nok"));
	free(ans);
	assert_non_null(strstr(u.got, "X-Neutron-Router-ID: " R1 "\r\n"));
	assert_non_null(strstr(u.got, "X-Neutron-Network-ID: " N1 "\r\n"));

	/* nobody holds 127.0.0.1 on N2: 404 from the proxy, nothing forwarded */
	ans = ask(port2, "GET /openstack HTTP/1.1\r\n\r\n");
	assert_true(strncmp(ans, "HTTP/1.1 404 ", 13) == 0);
	free(ans);

	/* a malformed head: 400 */
	ans = ask(pport, "GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_true(strncmp(ans, "HTTP/1.1 400 ", 13) == 0);
	free(ans);

	/* removed: the socket is closed, connections are refused */
	net_mdproxy_remove("qdhcp-" N2);
	assert_false(net_mdproxy_has("qdhcp-" N2));
	usleep(300000);
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port2) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
		close(fd);
	}
	close(u.fd);
}

/* ---- the handler ---- */

static const char *hdr_iid, *hdr_sig, *hdr_port;

static const char *fake_header(struct req *rq, const char *name)
{
	(void)rq;
	if (strcasecmp(name, "X-Instance-ID") == 0)
		return hdr_iid;
	if (strcasecmp(name, "X-Instance-ID-Signature") == 0)
		return hdr_sig;
	if (strcasecmp(name, "X-Neutron-Port-ID") == 0)
		return hdr_port;
	return NULL;
}

static struct req *get(const char *path)
{
	struct req *rq = req_new(HTTP_GET, path);

	rq->test_header = fake_header;
	http_dispatch(rq);
	return rq;
}

static char *body_of(struct req *rq)
{
	return xstrndup(rq->reply_body ? rq->reply_body : "", rq->reply_size);
}

static void register_once(void)
{
	static bool done;

	if (!done)
		net_metadata_register();
	done = true;
}

static void handler(void **state)
{
	static char sig[65], sig2[65];
	struct req *rq;
	char *b;
	json_t *j;

	(void)state;
	free(conf.net_metadata_secret);
	conf.net_metadata_secret = xstrdup("secret");
	register_once();
	net_metadata_sign("secret", "vm-1", sig);
	hdr_iid = "vm-1";
	hdr_sig = sig;
	hdr_port = P1;

	rq = get("/metadata/openstack/latest/meta_data.json");
	assert_int_equal(rq->status, 200);
	b = body_of(rq);
	j = json_loads(b, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "uuid")), "vm-1");
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "host-127-0-0-1");
	assert_string_equal(json_string_value(json_object_get(j, "name")), "web-1");
	assert_string_equal(json_string_value(json_object_get(j, "project_id")), "proj");
	assert_string_equal(json_string_value(json_object_get(j, "network_id")), N1);
	json_decref(j);
	free(b);
	req_free(rq);

	rq = get("/metadata/latest/meta-data");
	assert_int_equal(rq->status, 200);
	b = body_of(rq);
	assert_string_equal(b, "hostname\ninstance-id\nlocal-hostname\nlocal-ipv4\n");
	free(b);
	req_free(rq);
	rq = get("/metadata/2009-04-04/meta-data/local-ipv4");
	b = body_of(rq);
	assert_string_equal(b, "127.0.0.1");
	free(b);
	req_free(rq);
	rq = get("/metadata/latest/meta-data/instance-id");
	b = body_of(rq);
	assert_string_equal(b, "vm-1");
	free(b);
	req_free(rq);
	rq = get("/metadata/latest/meta-data/nothing-such");
	assert_int_equal(rq->status, 404);
	req_free(rq);
	rq = get("/metadata/openstack");
	assert_int_equal(rq->status, 200);
	b = body_of(rq);
	assert_string_equal(b, "latest\n");
	free(b);
	req_free(rq);
	rq = get("/metadata/nonsense/meta-data");
	assert_int_equal(rq->status, 404);
	req_free(rq);

	/* a port without device: its id is the instance id; dns_name is the hostname */
	net_metadata_sign("secret", P2, sig2);
	hdr_iid = P2;
	hdr_sig = sig2;
	hdr_port = P2;
	rq = get("/metadata/openstack/latest/meta_data.json");
	assert_int_equal(rq->status, 200);
	b = body_of(rq);
	j = json_loads(b, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "db");
	assert_string_equal(json_string_value(json_object_get(j, "uuid")), P2);
	json_decref(j);
	free(b);
	req_free(rq);

	/* the signature must match the secret and the instance */
	hdr_sig = sig;
	rq = get("/metadata/openstack/latest/meta_data.json");
	assert_int_equal(rq->status, 403);
	b = body_of(rq);
	assert_non_null(strstr(b, "403"));
	free(b);
	req_free(rq);
	hdr_sig = NULL;
	rq = get("/metadata/latest/meta-data/instance-id");
	assert_int_equal(rq->status, 403);
	req_free(rq);
	/* signed for vm-1, but names a port that is not vm-1's */
	hdr_iid = "vm-1";
	hdr_sig = sig;
	hdr_port = P2;
	rq = get("/metadata/latest/meta-data/instance-id");
	assert_int_equal(rq->status, 404);
	req_free(rq);
}

/* ---- as root: a guest namespace asks 169.254.169.254 through a qdhcp- namespace, the
 * privileged helper's socket, the proxy and the real HTTP server ---- */

static char root_state[64];
static char nsd[64], nsg[64]; /* the DHCP side and the guest */

/* Whatever the test got to make goes, even after a failed assertion. */
static int teardown_ns(void **state)
{
	struct err err = { 0 };

	net_mdproxy_shutdown();
	http_stop();
	if (nsg[0] != '\0')
		priv_netns_del(nsg, &err);
	if (nsd[0] != '\0')
		priv_netns_del(nsd, &err);
	return teardown_db(state);
}

static int up_lo(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	strcpy(ifr.ifr_name, "lo");
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (s >= 0)
		close(s);
	return rc;
}

/* A TCP socket made inside namespace 'ns' (the thread returns to its own after). */
static int socket_in(const char *ns)
{
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), there, fd = -1;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	there = open(path, O_RDONLY | O_CLOEXEC);
	if (self >= 0 && there >= 0 && setns(there, CLONE_NEWNET) == 0) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (setns(self, CLONE_NEWNET) != 0)
			abort(); /* the test cannot go on in the wrong namespace */
	}
	if (self >= 0)
		close(self);
	if (there >= 0)
		close(there);
	return fd;
}

static void namespace_end_to_end(void **state)
{
	struct err err = { 0 };
	char nid[37], gid[37], hex[33], tap[16], peer[16], q[512];
	char listen_addr[32], buf[4096] = "";
	struct priv_veth v = { 0 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct timeval tv = { .tv_sec = 10 };
	int fd, port, got = 0;
	static const char req[] = "GET /openstack/latest/meta_data.json HTTP/1.1\r\n"
				  "Host: 169.254.169.254\r\n\r\n";

	(void)state;
	if (root_state[0] == '\0')
		skip();
	util_uuid(nid);
	util_uuid(gid);
	util_uuid_hex(hex);
	snprintf(nsd, sizeof(nsd), "qdhcp-%s", nid);
	snprintf(nsg, sizeof(nsg), "qdhcp-%s", gid); /* the guest's: a name the helper allows */
	snprintf(tap, sizeof(tap), "tap%.11s", hex);
	snprintf(peer, sizeof(peer), "ns-%.11s", hex);
	snprintf(q, sizeof(q),
		 "INSERT INTO net_port (id, project_id, network_id, mac_address, device_id,"
		 " created_at, updated_at) VALUES ('p-ns', 'proj', '%s', 'fa:16:3e:00:00:99',"
		 " 'vm-ns', 1, 1); INSERT INTO net_ip VALUES ('s', '10.78.0.5', 'p-ns', '%s')",
		 nid, nid);
	sql(q);

	assert_int_equal(priv_netns_add(nsd, &err), 0);
	assert_int_equal(priv_netns_add(nsg, &err), 0);
	snprintf(v.name, sizeof(v.name), "%s", tap);
	snprintf(v.ns, sizeof(v.ns), "%s", nsd);
	snprintf(v.peer, sizeof(v.peer), "%s", peer);
	if (priv_veth_add(&v, &err) < 0 || priv_link_set_netns(tap, nsg, &err) < 0 ||
	    priv_link_set_up(nsg, tap, true, &err) < 0 ||
	    priv_addr_add(nsd, peer, "10.78.0.2/24", &err) < 0 ||
	    priv_addr_add(nsd, peer, "169.254.169.254/32", &err) < 0 ||
	    priv_addr_add(nsg, tap, "10.78.0.5/24", &err) < 0 ||
	    priv_route_replace(nsg, "169.254.169.254/32", "10.78.0.2", NULL, &err) < 0)
		fail_msg("plumbing: %s", err.msg);

	/* ciel's listener on loopback, the handler behind it */
	fd = listener(&port);
	close(fd);
	snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%d", port);
	free(conf.listen);
	conf.listen = xstrdup(listen_addr);
	register_once();
	assert_int_equal(http_start(conf.listen, 2, &err), 0);

	assert_int_equal(priv_listen_tcp(nsd, "169.254.169.254", 80, &fd, &err), 0);
	assert_int_equal(net_mdproxy_add(nsd, fd, &err), 0);

	fd = socket_in(nsg);
	assert_true(fd >= 0);
	a.sin_addr.s_addr = inet_addr("169.254.169.254");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL), sizeof(req) - 1);
	for (;;) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	assert_true(strncmp(buf, "HTTP/1.1 200 ", 13) == 0);
	assert_non_null(strstr(buf, "\"uuid\":\"vm-ns\""));
	assert_non_null(strstr(buf, "\"hostname\":\"host-10-78-0-5\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature),
		cmocka_unit_test(secret_fallback),
		cmocka_unit_test(rewrite_head),
		cmocka_unit_test(upstream),
		cmocka_unit_test_setup_teardown(proxy_end_to_end, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(handler, setup_db, teardown_db),
	};

	const struct CMUnitTest root_tests[] = {
		cmocka_unit_test_setup_teardown(namespace_end_to_end, setup_db, teardown_ns),
	};
	struct err err = { 0 };
	int failed;

	conf_defaults();
	signal(SIGPIPE, SIG_IGN);
	/* as root: a private network namespace of our own (loopback up) for the helper,
	 * which must start while the process has one thread */
	if (geteuid() == 0) {
		strcpy(root_state, "/tmp/ciel-mdp-XXXXXX");
		if (unshare(CLONE_NEWNET) < 0 || up_lo() < 0 || mkdtemp(root_state) == NULL ||
		    priv_start(root_state, &err) < 0) {
			fprintf(stderr, "test_metadata: no private namespace or helper: %s\n",
				err.msg);
			return 1;
		}
	}
	failed = cmocka_run_group_tests_name("metadata", tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("metadata in namespaces", root_tests, NULL, NULL);
	if (root_state[0] != '\0') {
		priv_stop();
		rmdir(root_state);
	}
	return failed;
}
