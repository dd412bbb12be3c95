/* libFuzzer target: the request path. Each input is  <method byte> <path> '\n' <token>
 * '\n' <body>  and goes through the router, authentication (token decoding), policy,
 * JSON parsing and validation of the real identity and image services on a real SQLite
 * database and image store. The token "admin" or "demo" stands for a valid project-scoped
 * token of that user (issued at start), so that inputs reach past authentication; a
 * streamed route (image data) gets its body in two chunks as from the network. A '?' in
 * the path starts a query string of key=value pairs separated by '&' (not decoded). The
 * method byte also picks the Accept header (none, JSON, HTML, plain text), so that every
 * form of every service's error renderer is reached; a reply that says it is JSON must
 * parse as JSON, whatever bytes the input held (invalid UTF-8, cut multi-byte strings). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/health.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"
#include "identity/identity.h"
#include "image/image.h"
#include "network/network.h"

static const char *fuzz_token, *fuzz_accept;
static char *admin_token, *demo_token;

static const char *fuzz_header(struct req *rq, const char *name)
{
	if (strcmp(name, "X-Auth-Token") == 0 || strcmp(name, "X-Subject-Token") == 0)
		return fuzz_token;
	if (strcmp(name, "Accept") == 0)
		return fuzz_accept;
	if (strcmp(name, "Content-Type") == 0 && rq->method == HTTP_PATCH)
		return "application/openstack-images-v2.1-json-patch";
	return NULL;
}

/* The current input's query arguments. */
static char *qkeys[16], *qvals[16];
static int nq;

static void parse_query(char *q)
{
	nq = 0;
	while (q != NULL && *q && nq < 16) {
		char *next = strchr(q, '&'), *eq;
		if (next != NULL)
			*next++ = '\0';
		eq = strchr(q, '=');
		if (eq != NULL)
			*eq++ = '\0';
		qkeys[nq] = q;
		qvals[nq++] = eq; /* "key" alone: a NULL value, as libmicrohttpd gives */
		q = next;
	}
}

static const char *fuzz_query(struct req *rq, const char *name)
{
	(void)rq;
	for (int i = 0; i < nq; i++)
		if (strcmp(qkeys[i], name) == 0)
			return qvals[i];
	return NULL;
}

static void fuzz_query_each(struct req *rq,
			    int (*fn)(void *ctx, const char *key, const char *val), void *ctx)
{
	(void)rq;
	for (int i = 0; i < nq; i++)
		if (fn(ctx, qkeys[i], qvals[i]) != 0)
			return;
}

/* A project-scoped token for 'user' (password 'pw', project of the same name). */
static char *issue_token(const char *user, const char *pw)
{
	struct req *rq = req_new(HTTP_POST, "/identity/v3/auth/tokens");
	char *tok = NULL;

	rq->method_name = "POST";
	rq->test_header = fuzz_header;
	rq->test_query = fuzz_query;
	rq->test_query_each = fuzz_query_each;
	fuzz_token = NULL;
	rq->body = xasprintf("{\"auth\":{\"identity\":{\"methods\":[\"password\"],"
			     "\"password\":{\"user\":{\"name\":\"%s\",\"domain\":{\"id\":"
			     "\"default\"},\"password\":\"%s\"}}},\"scope\":{\"project\":{"
			     "\"name\":\"%s\",\"domain\":{\"id\":\"default\"}}}}}",
			     user, pw, user);
	rq->body_size = strlen(rq->body);
	http_dispatch(rq);
	for (int i = 0; i < rq->nheaders; i++)
		if (strcmp(rq->headers[i].name, "X-Subject-Token") == 0)
			tok = xstrdup(rq->headers[i].value);
	if (tok == NULL) {
		fprintf(stderr, "fuzz init: no token for %s (%d)\n", user, rq->status);
		abort();
	}
	req_free(rq);
	return tok;
}

static void init(void)
{
	static char dir[] = "/tmp/ciel-fuzz-XXXXXX";
	struct err err = { 0 };

	if (mkdtemp(dir) == NULL)
		abort();
	conf_defaults();
	struct err e2 = { 0 };
	conf_set("DEFAULT", "state_dir", dir, &e2);
	conf_set("identity", "password_hash_rounds", "4", &e2);
	conf_set("network", "driver", "noop", &e2); /* the API only: no host changes */
	conf_finish();
	log_init(LOG_ERROR, NULL);
	if (db_init(conf.db_connection, &err) < 0 || db_migrate(ident_migrations, &err) < 0 ||
	    ident_init(&err) < 0 || ident_bootstrap("adminpw", "demopw", &err) < 0 ||
	    image_init(&err) < 0 || db_migrate(net_migrations, &err) < 0 || net_init(&err) < 0) {
		fprintf(stderr, "fuzz init: %s\n", err.msg);
		abort();
	}
	health_register();
	admin_token = issue_token("admin", "adminpw");
	demo_token = issue_token("demo", "demopw");
}

/* The streamed routes as the server drives them: begin, the body in two chunks, then the
 * handler; a failure anywhere has already set the reply. */
static void dispatch(struct req *rq, const char *body, size_t size)
{
	if (!http_begin(rq)) {
		if (size > 0) {
			rq->body = xmalloc(size + 1);
			memcpy(rq->body, body, size);
			rq->body[size] = '\0';
			rq->body_size = size;
		}
		http_dispatch(rq);
		return;
	}
	if (rq->status != 0)
		return;
	size_t half = size / 2;
	if (half > 0 && http_stream_data(rq, body, half) < 0)
		return;
	if (size > half && http_stream_data(rq, body + half, size - half) < 0)
		return;
	http_dispatch(rq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *copy, *path, *token, *body;
	struct req *rq;

	if (!ready) {
		init();
		ready = 1;
	}
	if (size < 2 || size > 65536)
		return 0;
	copy = xmalloc(size + 1);
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	path = copy;
	token = strchr(path, '\n');
	if (token == NULL || path[0] != '/') {
		free(copy);
		return 0;
	}
	*token++ = '\0';
	body = strchr(token, '\n');
	if (body != NULL)
		*body++ = '\0';
	char *q = strchr(path, '?');
	if (q != NULL)
		*q++ = '\0';
	parse_query(q);
	static const char *accepts[] = { NULL, "application/json", "text/html", "text/plain" };
	fuzz_accept = accepts[(data[0] / 7) % 4];
	rq = req_new((enum http_method)(1 + data[0] % 7), path);
	rq->method_name = "FUZZ";
	rq->test_header = fuzz_header;
	rq->test_query = fuzz_query;
	rq->test_query_each = fuzz_query_each;
	fuzz_token = strcmp(token, "admin") == 0  ? admin_token
		     : strcmp(token, "demo") == 0 ? demo_token
		     : *token			  ? token
						  : NULL;
	dispatch(rq, body ? body : "", body ? strlen(body) : 0);
	http_stream_abort(rq); /* as the server does when the connection ends */
	if (rq->status < 200 || rq->status > 599)
		abort();
	if (rq->reply_body != NULL && rq->content_type != NULL &&
	    strcmp(rq->content_type, "application/json") == 0) {
		json_t *j = json_loadb(rq->reply_body, rq->reply_size, 0, NULL);
		if (j == NULL)
			abort();
		json_decref(j);
	}
	req_free(rq);
	free(copy);
	return 0;
}
