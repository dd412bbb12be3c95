/* The request object: arena memory, header/query/path accessors, reply builders. */
#include <ctype.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LOG_MODULE "http"
#include "core/err.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_BLOCK 8192

struct req *req_new(enum http_method method, const char *path)
{
	struct req *rq = xcalloc(1, sizeof(*rq));
	size_t len = strlen(path);
	char id[37];

	rq->method = method;
	rq->path = xstrdup(path);
	while (len > 1 && rq->path[len - 1] == '/') {
		rq->path[--len] = '\0';
		rq->trailing_slash = true;
	}
	rq->subpath = rq->path;
	util_uuid_fast(id);
	snprintf(rq->request_id, sizeof(rq->request_id), "req-%s", id);
	rq->start_us = util_now_us();
	rq->reply_fd = -1;
	return rq;
}

void req_free(struct req *rq)
{
	if (rq == NULL)
		return;
	for (int i = rq->ncleanups - 1; i >= 0; i--)
		rq->cleanups[i].fn(rq->cleanups[i].arg);
	while (rq->arena != NULL) {
		struct arena_block *b = rq->arena;
		rq->arena = b->next;
		free(b);
	}
	for (int i = 0; i < rq->nheaders; i++) {
		free(rq->headers[i].name);
		free(rq->headers[i].value);
	}
	for (int i = 0; i < rq->nparams; i++)
		free(rq->param_values[i]);
	json_decref(rq->json);
	if (rq->reply_fd >= 0)
		close(rq->reply_fd);
	free(rq->reply_body);
	free(rq->body);
	free(rq->path);
	free(rq);
}

int http_method_parse(const char *s)
{
	static const char *names[] = { NULL,    "GET",    "HEAD",   "POST",
				       "PUT",   "PATCH",  "DELETE", "OPTIONS" };

	for (int i = 1; i < (int)ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void *req_alloc(struct req *rq, size_t size)
{
	struct arena_block *b = rq->arena;

	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (b == NULL || b->cap - b->used < size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = rq->arena;
		rq->arena = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += size;
	return p;
}

char *req_strdup(struct req *rq, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = req_alloc(rq, n);
	memcpy(d, s, n);
	return d;
}

char *req_printf(struct req *rq, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	BUG_ON(n < 0);
	char *out = req_alloc(rq, (size_t)n + 1);
	if ((size_t)n < sizeof(small)) {
		memcpy(out, small, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(out, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return out;
}

void req_on_free(struct req *rq, void (*fn)(void *arg), void *arg)
{
	BUG_ON(rq->ncleanups >= (int)ARRAY_SIZE(rq->cleanups));
	rq->cleanups[rq->ncleanups].fn = fn;
	rq->cleanups[rq->ncleanups].arg = arg;
	rq->ncleanups++;
}

const char *req_header(struct req *rq, const char *name)
{
	if (rq->test_header)
		return rq->test_header(rq, name);
	if (rq->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct req *rq, const char *name)
{
	if (rq->test_query)
		return rq->test_query(rq, name);
	const char *value = NULL;

	if (rq->conn == NULL)
		return NULL;
	/* "?nocatalog" (a key without '=') reads as "", not as absent */
	if (MHD_lookup_connection_value_n(rq->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name),
					  &value, NULL) != MHD_YES)
		return NULL;
	return value ? value : "";
}

struct each_ctx {
	int (*fn)(void *ctx, const char *key, const char *val);
	void *ctx;
};

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct each_ctx *e = cls;

	(void)kind;
	return e->fn(e->ctx, key, value ? value : "") ? MHD_NO : MHD_YES;
}

void req_query_each(struct req *rq, int (*fn)(void *ctx, const char *key, const char *val),
		    void *ctx)
{
	struct each_ctx e = { fn, ctx };

	if (rq->test_query_each)
		rq->test_query_each(rq, fn, ctx);
	else if (rq->conn != NULL)
		MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, each_arg, &e);
}

char *req_url_escape(struct req *rq, const char *s)
{
	char *out = req_alloc(rq, 3 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

struct query_except {
	struct req *rq;
	const char *skip;
	char *text;
};

static int add_arg(void *ctx, const char *key, const char *val)
{
	struct query_except *q = ctx;

	if (strcmp(key, q->skip) != 0)
		q->text = req_printf(q->rq, "%s%s%s=%s", q->text, *q->text ? "&" : "",
				     req_url_escape(q->rq, key),
				     req_url_escape(q->rq, val ? val : ""));
	return 0;
}

char *req_query_except(struct req *rq, const char *skip)
{
	struct query_except q = { rq, skip, "" };

	req_query_each(rq, add_arg, &q);
	return q.text;
}

const char *req_param(struct req *rq, const char *name)
{
	for (int i = 0; i < rq->nparams; i++)
		if (strcmp(rq->param_names[i], name) == 0)
			return rq->param_values[i];
	return NULL;
}

json_t *req_json(struct req *rq, struct err *err)
{
	json_error_t jerr;

	if (rq->json != NULL)
		return rq->json;
	if (rq->body == NULL || rq->body_size == 0) {
		err_set(err, ERR_BAD_REQUEST, "Expecting a JSON request body.");
		return NULL;
	}
	rq->json = json_loadb(rq->body, rq->body_size, JSON_REJECT_DUPLICATES, &jerr);
	if (rq->json == NULL) {
		err_set(err, ERR_BAD_REQUEST, "Malformed JSON in request body: %s", jerr.text);
		return NULL;
	}
	if (!json_is_object(rq->json)) {
		err_set(err, ERR_BAD_REQUEST, "The request body must be a JSON object.");
		return NULL;
	}
	return rq->json;
}

void reply_json(struct req *rq, int status, json_t *body)
{
	free(rq->reply_body);
	rq->status = status;
	/* NULL when a json_pack() building 'body' met a string that is not UTF-8: a bug, but
	 * one request's, answered with a 500 instead of taking every API down */
	rq->reply_body = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	if (rq->reply_body == NULL) {
		LOGM(LOG_ERROR, rq->request_id, "%s %s: a reply body could not be built",
		     rq->method_name, rq->path);
		rq->status = 500;
		rq->reply_body = xstrdup("{\"error\": {\"code\": 500, \"title\": \"Internal Server "
				       "Error\", \"message\": \"An unexpected error occurred.\"}}");
	}
	rq->reply_size = strlen(rq->reply_body);
	rq->content_type = "application/json";
	json_decref(body);
}

void reply_json_text(struct req *rq, int status, char *text)
{
	free(rq->reply_body);
	rq->status = status;
	rq->reply_body = text;
	rq->reply_size = strlen(text);
	rq->content_type = "application/json";
}

void reply_fd(struct req *rq, int status, const char *type, int fd, uint64_t offset,
	      uint64_t size)
{
	reply_empty(rq, status);
	if (rq->reply_fd >= 0)
		close(rq->reply_fd);
	rq->reply_fd = fd;
	rq->reply_fd_offset = offset;
	rq->reply_fd_size = size;
	rq->content_type = type;
}

void reply_empty(struct req *rq, int status)
{
	free(rq->reply_body);
	rq->reply_body = NULL;
	rq->reply_size = 0;
	rq->status = status;
	rq->content_type = NULL;
}

void reply_text(struct req *rq, int status, const char *type, const char *text)
{
	free(rq->reply_body);
	rq->status = status;
	rq->reply_body = xstrdup(text);
	rq->reply_size = strlen(text);
	rq->content_type = type;
}

void reply_header(struct req *rq, const char *name, const char *value)
{
	for (int i = 0; i < rq->nheaders; i++)
		if (strcasecmp(rq->headers[i].name, name) == 0) {
			free(rq->headers[i].value);
			rq->headers[i].value = xstrdup(value);
			return;
		}
	BUG_ON(rq->nheaders >= (int)ARRAY_SIZE(rq->headers));
	rq->headers[rq->nheaders].name = xstrdup(name);
	rq->headers[rq->nheaders].value = xstrdup(value);
	rq->nheaders++;
}
