/* The slow pool on a real listener: a slow route's handler runs on a slow-pool thread (at
 * its lower priority), and while it is busy the one HTTP thread still answers other
 * requests. With the handler on the HTTP thread (as before the pool), the second request
 * would wait for the first: the test would fail on its receive timeout. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/conf.h"
#include "core/err.h"
#include "core/http.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool slow_started, slow_release;
static int port;

/* Waits (at most 10 s) until the test releases it; replies with its thread's nice value. */
static int slow(struct req *rq, struct err *err)
{
	struct timespec until;

	(void)err;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&lock);
	slow_started = true;
	pthread_cond_broadcast(&cond);
	while (!slow_release && pthread_cond_timedwait(&cond, &lock, &until) == 0)
		;
	pthread_mutex_unlock(&lock);
	reply_text(rq, 200, "text/plain", req_printf(rq, "nice %d", getpriority(PRIO_PROCESS, 0)));
	return 0;
}

static int fast(struct req *rq, struct err *err)
{
	(void)err;
	reply_text(rq, 200, "text/plain", "fast");
	return 0;
}

static const struct route routes[] = {
	{ HTTP_GET, "/slow", slow, NULL },
	{ HTTP_GET, "/fast", fast, NULL },
	{ 0 },
};
static const struct route *const tables[] = { routes, NULL };
static const struct slow_route slow_routes[] = { { HTTP_GET, "/slow" }, { 0 } };
static const struct service svc = {
	.name = "t", .prefix = "/t", .routes = tables, .slow = slow_routes,
};

/* GET 'path' on a new connection; the reply (status line and body) in 'out'; the socket
 * gives up after 5 s without data. */
static void get(const char *path, char *out, size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 5 };
	char req[128];
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		 path);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (got + 1 < size && (n = read(fd, out + got, size - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
}

static void *slow_client(void *arg)
{
	get("/t/slow", arg, 512);
	return NULL;
}

static void slow_route_leaves_the_http_thread_free(void **state)
{
	char slow_reply[512] = "", fast_reply[512] = "";
	struct timespec until;
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, slow_client, slow_reply), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&lock);
	while (!slow_started && pthread_cond_timedwait(&cond, &lock, &until) == 0)
		;
	pthread_mutex_unlock(&lock);
	assert_true(slow_started);

	/* the slow handler holds its thread: the HTTP thread answers anyway */
	get("/t/fast", fast_reply, sizeof(fast_reply));
	assert_non_null(strstr(fast_reply, "HTTP/1.1 200"));
	assert_non_null(strstr(fast_reply, "fast"));

	pthread_mutex_lock(&lock);
	slow_release = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	assert_non_null(strstr(slow_reply, "HTTP/1.1 200"));
	assert_non_null(strstr(slow_reply, "nice 10")); /* the slow pool's thread */
}

static int setup(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct err err = { 0 };
	char listen[32];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	/* a free port: bound, read, released */
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	port = ntohs(sa.sin_port);
	close(fd);
	conf_defaults();
	http_register(&svc);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	return http_start(listen, 1, &err) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	http_stop();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slow_route_leaves_the_http_thread_free),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
