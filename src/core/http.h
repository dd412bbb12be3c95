#ifndef CIEL_HTTP_H
#define CIEL_HTTP_H

/* The HTTP layer: one libmicrohttpd listener (thread pool + epoll) serving every service
 * under its path prefix. A request is read whole (JSON bodies, capped by
 * conf.max_request_body_size, 413 beyond), routed by method and path pattern, authenticated
 * and authorized by the route's policy, then handed to the handler, which fills the reply.
 *
 * Handlers have the shape  int handler(struct req *rq, struct err *err):  they return 0
 * after setting a reply (reply_json, reply_empty...), or -1 with 'err' set; the service's
 * error renderer then writes the error body its clients expect. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct auth;
struct MHD_Connection;

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
};

struct req;
typedef int (*http_handler)(struct req *rq, struct err *err);

/* A route whose body is streamed (image data): 'begin' runs once the headers are in and
 * the token and policy passed; 'data' gets each chunk as it arrives (nothing is buffered);
 * the route's handler runs when the body is complete and sets the reply. 'abort' runs
 * instead when the client goes away, or after 'data' or the handler failed, so that
 * half-written data can be removed. rq->stream_ctx is the route's to use. */
struct http_stream {
	int (*begin)(struct req *rq, struct err *err);
	int (*data)(struct req *rq, const char *buf, size_t size, struct err *err);
	void (*abort)(struct req *rq);
};

/* One route: method, pattern relative to the service prefix ('{name}' captures one
 * segment), handler, policy name (NULL: no token needed). Its body is read whole, capped
 * at max_request_body_size, unless the service lists the route among its streams. */
struct route {
	enum http_method method;
	const char *pattern;
	http_handler handler;
	const char *policy;
};

/* A route (same method and pattern as in the route table) whose handler spends CPU time a
 * client can ask for, even without a token (a bcrypt password hash): it runs on the slow
 * pool, a few low-priority threads, while its connection waits suspended, so that a flood
 * of logins cannot take the HTTP threads every other API call needs. */
struct slow_route {
	enum http_method method;
	const char *pattern;
};

/* A route (same method and pattern as in the route table) whose body streams. */
struct stream_route {
	enum http_method method;
	const char *pattern;
	const struct http_stream *stream;
};

/* A policy rule names who may call a route. The route carries a policy name; each service
 * maps its names to rules in a table (as Keystone's policy file maps them). */
enum policy_rule {
	POL_TOKEN = 1,     /* any valid token */
	POL_ADMIN,         /* the admin role, any scope */
	POL_READER,        /* admin, or reader on the system scope */
	POL_ADMIN_OR_USER, /* admin, or the path's {user_id} is the caller */
	POL_READER_OR_USER, /* admin, reader on the system scope, or {user_id} is the caller */
	POL_ADMIN_OR_PROJECT, /* admin, or the path's {project_id} is the token's project */
	/* The project-scoped rules of the services' secure-RBAC defaults: a token scoped to a
	 * project (or admin). Which project the object belongs to is the handler's check. */
	POL_PROJECT_READER, /* admin, or any role on a project (member implies reader) */
	POL_PROJECT_MEMBER, /* admin, or the member role on a project: readers only read */
	/* Keystone's rules that a project's admin does not pass: the system scope, or the
	 * path's {user_id} is the caller (access rules) */
	POL_SYSTEM_READER_OR_USER,
	POL_SYSTEM_ADMIN_OR_USER,
};

struct policy {
	const char *name;
	enum policy_rule rule;
};

struct service {
	const char *name;   /* "identity" */
	const char *prefix; /* "/identity" */
	const struct route *const *routes;     /* NULL-terminated list of route tables */
	const struct policy *const *policies; /* NULL-terminated list of policy tables */
	const struct stream_route *const *streams; /* NULL-terminated list of tables, or NULL */
	const struct slow_route *slow; /* a table ended by { 0 }, or NULL */
	/* A trailing '/' below the prefix names no resource (404), as Glance's routes: an
	 * empty id in /v2/images/{id} must not fall back to the list. */
	bool strict_slash;
	/* The message of a 403 for a route its policy refuses: a format with one %s, the
	 * policy's name after its "service:" prefix, in the service's own words (Glance's
	 * "You are not authorized to complete %s action."). NULL: Keystone's, with the whole
	 * policy name. */
	const char *policy_denied;
	/* Writes the service-shaped error body for 'err' into the reply. */
	void (*render_error)(struct req *rq, const struct err *err);
};

/* An application credential's access rule, as Keystone stores it: the service type, the
 * method, and a path template below the service's endpoint where '{name}' and '*' match one
 * segment and '**' any number of them. */
struct access_rule {
	const char *service, *method, *path;
};

/* Who is calling, as established from the token by the authenticator. */
struct auth {
	const char *user_id;
	const char *user_domain_id;
	const char *project_id; /* project scope, else NULL */
	const char *domain_id;  /* domain scope, else NULL */
	bool system;            /* system scope */
	const char *const *roles; /* role names, effective (implied roles included) */
	int nroles;
	void *token;            /* the authenticator's own token structure */
	/* When the token comes from an application credential with access rules, a request
	 * must match one of them (401 otherwise), whatever its roles allow. */
	const struct access_rule *access_rules;
	int naccess_rules;
};

/* Does 'path' match the access rule template 'tmpl' (struct access_rule)? */
bool http_path_matches(const char *path, const char *tmpl);

/* The authenticator validates X-Auth-Token and fills rq->auth (identity installs it). */
typedef int (*http_authenticator)(struct req *rq, const char *token, struct err *err);

void http_set_authenticator(http_authenticator fn);
/* Appends one object per route of 'svc' to the array 'into': {"service", "method", "path"
 * (prefix + pattern), "policy" (null: no token), "rule" (the policy's rule by name)}. */
void http_routes_json(const struct service *svc, json_t *into);
void http_register(const struct service *svc);
/* Routes one request whose body is complete and runs its handler (the server calls it;
 * unit tests call it directly). */
void http_dispatch(struct req *rq);
/* Called once the headers are in: true when the route streams its body; then the token,
 * the policy and stream->begin ran already, and an error reply may be set (rq->status). */
bool http_begin(struct req *rq);
/* One chunk of a streamed body; -1 when the route refused it (an error reply is set). */
int http_stream_data(struct req *rq, const char *data, size_t size);
/* The client went away in the middle of a streamed body. */
void http_stream_abort(struct req *rq);

/* Server lifecycle. ADDR:PORT, IPv4 or [IPv6]; 'threads' serve connections, and one
 * slow-pool thread fewer than the host has CPUs (at least one) runs the slow routes'
 * handlers. */
int http_start(const char *listen, int threads, struct err *err);
void http_stop(void);

/* ---- the request ---- */
struct req_header {
	char *name, *value;
};

struct req {
	struct MHD_Connection *conn;
	enum http_method method;
	const char *method_name;
	char *path;               /* URL path, trailing '/' removed */
	bool trailing_slash;      /* ... and there was one */
	const char *subpath;      /* path below the service prefix */
	char request_id[48];
	char *body;
	size_t body_size;
	bool body_too_large;
	json_t *json;
	const struct service *svc;
	const struct route *route;
	const struct http_stream *stream; /* the route's, when its body streams */
	bool slow;                /* the route is among its service's slow routes */
	int nparams;
	const char *param_names[8];
	char *param_values[8];
	struct auth *auth;
	bool authorized;
	bool streaming, stream_done;
	bool reply_held;          /* answered; the reply goes once the body is read */
	bool slow_done;           /* the slow pool ran the handler */
	struct req *slow_next;    /* the slow pool's queue */
	void *stream_ctx;
	int64_t start_us;
	/* reply */
	int status;
	char *reply_body;
	size_t reply_size;
	const char *content_type;
	int reply_fd; /* >= 0: the body is reply_fd_size bytes of this fd from reply_fd_offset */
	uint64_t reply_fd_offset, reply_fd_size;
	struct req_header headers[12];
	int nheaders;
	/* request arena and cleanups run by req_free */
	struct arena_block *arena;
	struct {
		void (*fn)(void *arg);
		void *arg;
	} cleanups[4];
	int ncleanups;
	/* test hooks: header and query lookups when there is no connection */
	const char *(*test_header)(struct req *rq, const char *name);
	const char *(*test_query)(struct req *rq, const char *name);
	void (*test_query_each)(struct req *rq,
				int (*fn)(void *ctx, const char *key, const char *val), void *ctx);
};

/* Creates a request (used by the server and by tests). */
struct req *req_new(enum http_method method, const char *path);
void req_free(struct req *rq);
int http_method_parse(const char *s);

/* Request-arena memory: freed when the request ends. */
void *req_alloc(struct req *rq, size_t size);
char *req_strdup(struct req *rq, const char *s);
char *req_printf(struct req *rq, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs fn(arg) when the request ends (at most 4 per request). */
void req_on_free(struct req *rq, void (*fn)(void *arg), void *arg);

const char *req_header(struct req *rq, const char *name);
const char *req_query(struct req *rq, const char *name);
/* Calls fn for every query argument, in order; stops when fn returns nonzero. */
void req_query_each(struct req *rq, int (*fn)(void *ctx, const char *key, const char *val),
		    void *ctx);
/* 's' percent-encoded for a URL query (RFC 3986 unreserved characters kept); in the
 * request's arena. */
char *req_url_escape(struct req *rq, const char *s);
/* The request's query arguments but those named 'skip', percent-encoded, "k=v" joined by
 * '&' ("" when none): the start of a paging link; in the request's arena. */
char *req_query_except(struct req *rq, const char *skip);
/* A path capture by name ("project_id"); NULL if the route has none. */
const char *req_param(struct req *rq, const char *name);
/* The body parsed as a JSON object; borrowed until the request ends. 400 if it is not one. */
json_t *req_json(struct req *rq, struct err *err);

/* ---- the reply ---- */
void reply_json(struct req *rq, int status, json_t *body); /* steals 'body' */
/* A body already serialized as JSON; steals 'text' (malloc'd). */
void reply_json_text(struct req *rq, int status, char *text);
void reply_empty(struct req *rq, int status);
/* 'size' bytes of 'fd' from 'offset', read as they are sent (never whole in memory);
 * steals 'fd'. */
void reply_fd(struct req *rq, int status, const char *type, int fd, uint64_t offset,
	      uint64_t size);
void reply_text(struct req *rq, int status, const char *type, const char *text);
void reply_header(struct req *rq, const char *name, const char *value);

#endif
