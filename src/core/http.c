/* libmicrohttpd glue: a thread pool on epoll; each connection's request is collected into
 * a 'struct req', dispatched when the body is complete, and its reply queued. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#define LOG_MODULE "http"
#include "core/conf.h"
#include "core/err.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"

static struct MHD_Daemon *daemon_handle;

/* The slow pool (struct slow_route in http.h): a FIFO of requests whose connection is suspended,
 * served by threads at a lower priority than the HTTP threads, so that the CPU they take
 * goes to them only when the HTTP threads have none to do. */
#define SLOW_MAX_THREADS 16
#define SLOW_NICE 10

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct req *head, *tail;
	pthread_t threads[SLOW_MAX_THREADS];
	int nthreads;
	bool running;
} slow = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void *slow_worker(void *arg)
{
	(void)arg;
	/* Linux: the nice value of this thread alone */
	setpriority(PRIO_PROCESS, 0, SLOW_NICE);
	pthread_mutex_lock(&slow.lock);
	for (;;) {
		struct req *rq = slow.head;

		if (rq == NULL) {
			if (!slow.running)
				break;
			pthread_cond_wait(&slow.cond, &slow.lock);
			continue;
		}
		slow.head = rq->slow_next;
		if (slow.head == NULL)
			slow.tail = NULL;
		pthread_mutex_unlock(&slow.lock);
		http_dispatch(rq);
		rq->slow_done = true;
		MHD_resume_connection(rq->conn); /* on_request runs again and sends the reply */
		pthread_mutex_lock(&slow.lock);
	}
	pthread_mutex_unlock(&slow.lock);
	return NULL;
}

/* Queues rq for the slow pool; false when the pool is stopped (the caller runs it). */
static bool slow_push(struct req *rq)
{
	bool queued;

	pthread_mutex_lock(&slow.lock);
	queued = slow.running;
	if (queued) {
		MHD_suspend_connection(rq->conn);
		rq->slow_next = NULL;
		if (slow.tail)
			slow.tail->slow_next = rq;
		else
			slow.head = rq;
		slow.tail = rq;
		pthread_cond_signal(&slow.cond);
	}
	pthread_mutex_unlock(&slow.lock);
	return queued;
}

static int slow_start(struct err *err)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* one CPU stays the HTTP threads' own: the scheduler lets a lower-priority thread
	 * finish its slice before a waking one runs, which a busy CPU adds to every call */
	int n = ncpu <= 2 ? 1 : ncpu > SLOW_MAX_THREADS + 1 ? SLOW_MAX_THREADS : (int)ncpu - 1;

	slow.running = true;
	for (slow.nthreads = 0; slow.nthreads < n; slow.nthreads++)
		if (pthread_create(&slow.threads[slow.nthreads], NULL, slow_worker, NULL) != 0)
			return err_set(err, ERR_INTERNAL, "cannot start the slow pool");
	return 0;
}

/* Runs what is queued, then stops the threads: no connection stays suspended. */
static void slow_stop(void)
{
	pthread_mutex_lock(&slow.lock);
	slow.running = false;
	pthread_cond_broadcast(&slow.cond);
	pthread_mutex_unlock(&slow.lock);
	for (int i = 0; i < slow.nthreads; i++)
		pthread_join(slow.threads[i], NULL);
	slow.nthreads = 0;
}

/* An fd reply's body is read with pread into a buffer of this size and sent with send,
 * not with MHD's sendfile (which, in its thread-pool modes, sends 128 KiB per call with
 * an epoll_wait between calls). Measured on loopback, 1 GiB from the page cache to
 * curl: sendfile ~1.6 GB/s, these 512 KiB blocks ~2.0-3.5 GB/s (256 KiB ~2.0, 1 MiB no
 * better), a python one-call sendfile server ~1.6-2.8; a larger SO_SNDBUF did not help.
 * The server spends more CPU copying, the receiver less. The buffer lives as long as
 * the response: one per download in progress. */
#define FD_BLOCK (512 * 1024)

struct fd_body {
	int fd;
	uint64_t offset; /* of the body's first byte in fd */
};

static ssize_t fd_body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct fd_body *b = cls;
	ssize_t n = pread(b->fd, buf, max, (off_t)(b->offset + pos));

	/* a file shorter than announced (or an I/O error) cuts the connection: the client
	 * sees a short body, never bytes that are not the object's */
	return n > 0 ? n : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void fd_body_free(void *cls)
{
	struct fd_body *b = cls;

	close(b->fd);
	free(b);
}

/* The response for rq's fd reply; takes the fd (it is closed with the response). */
static struct MHD_Response *fd_response(struct req *rq)
{
	struct fd_body *b;
	struct MHD_Response *resp;

	if (rq->reply_fd_size == 0) {
		close(rq->reply_fd);
		rq->reply_fd = -1;
		return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	b = xcalloc(1, sizeof(*b));
	b->fd = rq->reply_fd;
	b->offset = rq->reply_fd_offset;
	rq->reply_fd = -1;
	resp = MHD_create_response_from_callback(
		rq->reply_fd_size,
		rq->reply_fd_size < FD_BLOCK ? (size_t)rq->reply_fd_size : FD_BLOCK,
		fd_body_read, b, fd_body_free);
	if (resp == NULL)
		fd_body_free(b);
	return resp;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct req *rq)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (rq->reply_fd >= 0) {
		resp = fd_response(rq); /* the response owns the fd from here */
	} else {
		resp = MHD_create_response_from_buffer(rq->reply_size, rq->reply_body,
						       MHD_RESPMEM_MUST_FREE);
		rq->reply_body = NULL;
	}
	BUG_ON(resp == NULL);
	if (rq->content_type)
		MHD_add_response_header(resp, "Content-Type", rq->content_type);
	MHD_add_response_header(resp, "x-openstack-request-id", rq->request_id);
	for (int i = 0; i < rq->nheaders; i++)
		MHD_add_response_header(resp, rq->headers[i].name, rq->headers[i].value);
	ret = MHD_queue_response(conn, (unsigned int)rq->status, resp);
	MHD_destroy_response(resp);
	LOGM(LOG_INFO, rq->request_id, "%s %s %d %.1fms", rq->method_name, rq->path,
	     rq->status, (double)(util_now_us() - rq->start_us) / 1000.0);
	return ret;
}

/* A reply made here, before any service has the request (Keystone's error body). */
static enum MHD_Result reply_early(struct MHD_Connection *conn, struct req *rq,
				   enum err_kind kind, const char *msg)
{
	reply_json(rq, err_status(kind),
		   json_pack("{s:{s:i,s:s,s:s}}", "error", "code", err_status(kind), "title",
			     err_title(kind), "message", msg));
	return send_reply(conn, rq);
}

struct framing {
	int content_length, transfer_encoding;
	bool chunked; /* the (one) Transfer-Encoding is exactly "chunked" */
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0)
		f->content_length++;
	if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->transfer_encoding++;
		f->chunked = strcasecmp(value, "chunked") == 0;
	}
	return MHD_YES;
}

/* RFC 9112, 6.1 and 6.3: a request whose body length two parties could read differently
 * (Content-Length with Transfer-Encoding, several lengths, a coding other than chunked) is
 * refused and its connection closed: behind a proxy that reads the other header, the
 * rest of its body would be taken for a second request (request smuggling). */
static bool ambiguous_framing(struct MHD_Connection *conn)
{
	struct framing f = { 0 };

	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
	return f.content_length > 1 || f.transfer_encoding > 1 ||
	       (f.transfer_encoding == 1 && (f.content_length > 0 || !f.chunked));
}

static bool expects_continue(struct MHD_Connection *conn)
{
	const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");

	return expect != NULL && strcasecmp(expect, "100-continue") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct req *rq = *con_cls;
	size_t max = (size_t)conf.max_request_body_size;

	(void)cls;
	(void)version;
	if (rq == NULL) {
		int m = http_method_parse(method);
		rq = req_new(m < 0 ? 0 : (enum http_method)m, url);
		rq->conn = conn;
		rq->method_name = method;
		*con_cls = rq;
		if (m < 0)
			return reply_early(conn, rq, ERR_METHOD, "The method is not allowed.");
		if (ambiguous_framing(conn)) {
			reply_header(rq, "Connection", "close");
			return reply_early(conn, rq, ERR_BAD_REQUEST,
					   "The request's body length is ambiguous.");
		}
		if (http_begin(rq)) {
			if (rq->status == 0)
				return MHD_YES;
			/* refused before its body (401, 403, 404, 409, 413 on an announced
			 * size...): a client that asked "Expect: 100-continue" gets the answer
			 * now and sends nothing; any other is writing the body already and would
			 * see its connection reset before the answer, so the body is read and
			 * dropped and the answer goes at its end */
			if (expects_continue(conn))
				return send_reply(conn, rq);
			rq->reply_held = true;
			return MHD_YES;
		}
		/* an announced oversized body is still read (and dropped) before the 413, so
		 * that clients which write the whole body first see the answer */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > max) {
			rq->body_too_large = true;
			/* ...except from a client that waits for "100 Continue": it gets the
			 * 413 now and sends nothing (it was told to go on, and the whole
			 * announced size was read and dropped) */
			if (expects_continue(conn)) {
				http_dispatch(rq);
				return send_reply(conn, rq);
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (rq->status != 0) {
			/* already answered (413, or a refusal held until the body's end):
			 * drop the rest */
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (rq->streaming) {
			int rc = http_stream_data(rq, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return rc < 0 ? send_reply(conn, rq) : MHD_YES;
		}
		if (rq->body_too_large || rq->body_size + *upload_data_size > max) {
			rq->body_too_large = true;
		} else {
			rq->body = xrealloc(rq->body, rq->body_size + *upload_data_size + 1);
			memcpy(rq->body + rq->body_size, upload_data, *upload_data_size);
			rq->body_size += *upload_data_size;
			rq->body[rq->body_size] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->reply_held) {
		rq->reply_held = false;
		return send_reply(conn, rq);
	}
	if (rq->slow_done) /* resumed: the slow pool ran the handler */
		return send_reply(conn, rq);
	if (rq->status != 0)
		return MHD_YES;
	if (rq->slow && slow_push(rq))
		return MHD_YES;
	http_dispatch(rq);
	return send_reply(conn, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq != NULL)
		http_stream_abort(rq); /* a streamed body cut off before its end */
	req_free(rq);
	*con_cls = NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* MHD's %HH decoding of the path and the query, but "%00" stays as it is: decoded, it cut
 * the path short at the NUL, so /v3/users/%00x was GET /v3/users (the list) and a query
 * value "admin%00x" filtered as "admin", a request that a proxy in front reads as another.
 * Kept, it names no object (404) and matches no filter. */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)conn;
	while (*r != '\0') {
		int hi = r[0] == '%' ? hex_value(r[1]) : -1, lo = hi >= 0 ? hex_value(r[2]) : -1;

		if (lo >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("microhttpd: %s", msg);
}

int http_start(const char *listen, int threads, struct err *err)
{
	struct sockaddr_storage ss = { 0 };
	char host[128];
	const char *colon = strrchr(listen, ':');
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	long port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return err_set(err, ERR_BAD_REQUEST, "listen: expected ADDR:PORT, got '%s'",
			       listen);
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535)
		return err_set(err, ERR_BAD_REQUEST, "listen: bad port in '%s'", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return err_set(err, ERR_BAD_REQUEST, "listen: bad address '%s'", listen);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return err_set(err, ERR_BAD_REQUEST, "listen: bad address '%s'", listen);
	}
	daemon_handle = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4096,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, NULL, MHD_OPTION_END);
	if (daemon_handle == NULL)
		return err_set(err, ERR_UNAVAILABLE, "cannot listen on %s", listen);
	return slow_start(err);
}

void http_stop(void)
{
	slow_stop();
	if (daemon_handle != NULL)
		MHD_stop_daemon(daemon_handle);
	daemon_handle = NULL;
}
