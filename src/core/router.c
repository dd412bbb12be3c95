/* The router: service by path prefix, route by method and pattern, then authentication
 * and the route's policy, then the handler. Errors become the service's error body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "http"
#include "core/err.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"

#define MAX_SERVICES 16

static const struct service *services[MAX_SERVICES];
static int nservices;
static http_authenticator authenticator;

void http_set_authenticator(http_authenticator fn)
{
	authenticator = fn;
}

static const char *method_names[] = { "", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
				      "OPTIONS" };

static const char *rule_names[] = {
	[POL_TOKEN] = "token",
	[POL_ADMIN] = "admin",
	[POL_READER] = "reader",
	[POL_ADMIN_OR_USER] = "admin_or_user",
	[POL_READER_OR_USER] = "reader_or_user",
	[POL_ADMIN_OR_PROJECT] = "admin_or_project",
	[POL_PROJECT_READER] = "project_reader",
	[POL_PROJECT_MEMBER] = "project_member",
	[POL_SYSTEM_READER_OR_USER] = "system_reader_or_user",
	[POL_SYSTEM_ADMIN_OR_USER] = "system_admin_or_user",
};

static enum policy_rule find_rule(const struct service *svc, const char *name)
{
	for (const struct policy *const *t = svc->policies; t && *t; t++)
		for (const struct policy *p = *t; p->name; p++)
			if (strcmp(p->name, name) == 0)
				return p->rule;
	return 0;
}

void http_register(const struct service *svc)
{
	for (int i = 0; i < nservices; i++)
		if (services[i] == svc)
			return;
	BUG_ON(nservices >= MAX_SERVICES);
	/* every policy a route names must exist: a typo would open or close a route */
	for (const struct route *const *t = svc->routes; *t; t++)
		for (const struct route *r = *t; r->pattern; r++)
			BUG_ON(r->policy != NULL && find_rule(svc, r->policy) == 0);
	services[nservices++] = svc;
}

void http_routes_json(const struct service *svc, json_t *into)
{
	const char *prefix = strcmp(svc->prefix, "/") == 0 ? "" : svc->prefix;

	for (const struct route *const *t = svc->routes; *t; t++)
		for (const struct route *r = *t; r->pattern; r++) {
			enum policy_rule rule = r->policy ? find_rule(svc, r->policy) : 0;
			char *path = xasprintf("%s%s", prefix, r->pattern);

			json_array_append_new(
				into, json_pack("{s:s,s:s,s:s,s:s?,s:s?}", "service", svc->name,
						"method", method_names[r->method], "path", path,
						"policy", r->policy, "rule",
						rule ? rule_names[rule] : NULL));
			free(path);
		}
}

static void render_plain_error(struct req *rq, const struct err *err)
{
	json_t *body = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", err_status(err->kind),
				 "title", err_title(err->kind), "message", err->msg);
	reply_json(rq, err_status(err->kind), body);
}

static const struct service *find_service(const char *path, const char **sub)
{
	const struct service *best = NULL;
	size_t best_len = 0;

	for (int i = 0; i < nservices; i++) {
		const char *p = services[i]->prefix;
		size_t n = strlen(p);
		if (strcmp(p, "/") == 0)
			n = 0;
		if (strncmp(path, p, n) != 0 || (path[n] != '\0' && path[n] != '/'))
			continue;
		if (best == NULL || n > best_len) {
			best = services[i];
			best_len = n;
		}
	}
	if (best != NULL)
		*sub = path + best_len;
	return best;
}

/* Matches 'path' against 'pattern'; on success stores captures in rq. */
static bool match(struct req *rq, const char *pattern, const char *path, bool capture)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t plen = pe ? (size_t)(pe - p) : strlen(p);
		size_t slen = se ? (size_t)(se - s) : strlen(s);
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (slen == 0)
				return false;
			if (capture) {
				BUG_ON(n >= (int)ARRAY_SIZE(rq->param_names));
				rq->param_names[n] =
					req_printf(rq, "%.*s", (int)(plen - 2), p + 1);
				rq->param_values[n] = xstrndup(s, slen);
				n++;
			}
		} else if (plen != slen || strncmp(p, s, plen) != 0) {
			return false;
		}
		p += plen;
		s += slen;
	}
	if (*p != '\0' || *s != '\0')
		return false;
	if (capture)
		rq->nparams = n;
	return true;
}

static bool has_role(const struct auth *a, const char *role)
{
	for (int i = 0; i < a->nroles; i++)
		if (strcmp(a->roles[i], role) == 0)
			return true;
	return false;
}

static bool allowed(struct req *rq, enum policy_rule rule)
{
	const struct auth *a = rq->auth;
	bool admin = has_role(a, "admin");

	switch (rule) {
	case POL_TOKEN:
		return true;
	case POL_ADMIN:
		return admin;
	case POL_READER:
		return admin || (a->system && has_role(a, "reader"));
	case POL_ADMIN_OR_USER:
		return admin || str_eq(req_param(rq, "user_id"), a->user_id);
	case POL_READER_OR_USER:
		return admin || (a->system && has_role(a, "reader")) ||
		       str_eq(req_param(rq, "user_id"), a->user_id);
	case POL_ADMIN_OR_PROJECT:
		return admin || (a->system && has_role(a, "reader")) ||
		       (a->project_id && str_eq(req_param(rq, "project_id"), a->project_id));
	case POL_PROJECT_READER:
		return admin || (a->project_id != NULL && *a->project_id != '\0');
	case POL_PROJECT_MEMBER:
		return admin || (a->project_id != NULL && *a->project_id != '\0' &&
				 has_role(a, "member"));
	case POL_SYSTEM_READER_OR_USER:
		return (a->system && has_role(a, "reader")) ||
		       str_eq(req_param(rq, "user_id"), a->user_id);
	case POL_SYSTEM_ADMIN_OR_USER:
		return (a->system && admin) || str_eq(req_param(rq, "user_id"), a->user_id);
	}
	return false;
}


static int bad_utf8_arg(void *ctx, const char *key, const char *val)
{
	bool *ok = ctx;

	*ok = util_utf8_valid(key) && (val == NULL || util_utf8_valid(val));
	return !*ok;
}

static bool query_utf8(struct req *rq)
{
	bool ok = true;

	req_query_each(rq, bad_utf8_arg, &ok);
	return ok;
}

/* Finds the route for rq->method and rq->subpath and stores it with its captures. */
static int find_route(struct req *rq, struct err *err)
{
	const struct service *svc = rq->svc;
	const struct route *found = NULL;
	char allow[96] = "";
	size_t alen = 0;

	if (svc->strict_slash && rq->trailing_slash && *rq->subpath != '\0')
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	for (const struct route *const *t = svc->routes; *t; t++) {
		for (const struct route *r = *t; r->pattern; r++) {
			if (!match(rq, r->pattern, rq->subpath, false))
				continue;
			if (r->method == rq->method ||
			    (rq->method == HTTP_HEAD && r->method == HTTP_GET)) {
				if (found == NULL || r->method == rq->method)
					found = r;
			}
			if (!strstr(allow, method_names[r->method]) && alen + 10 < sizeof(allow))
				alen += (size_t)snprintf(allow + alen, sizeof(allow) - alen,
							 "%s%s", alen ? ", " : "",
							 method_names[r->method]);
		}
	}
	if (found == NULL && alen == 0)
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	if (found == NULL) {
		reply_header(rq, "Allow", allow);
		return err_set(err, ERR_METHOD, "The method is not allowed for the requested URL.");
	}
	rq->route = found;
	match(rq, found->pattern, rq->subpath, true);
	/* every stored name and id is UTF-8: other bytes name nothing (and PostgreSQL refuses
	 * them as parameters, where SQLite would match no row) */
	for (int i = 0; i < rq->nparams; i++)
		if (!util_utf8_valid(rq->param_values[i]))
			err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	if (!query_utf8(rq))
		err_set(err, ERR_BAD_REQUEST, "Query parameters must be valid UTF-8.");
	if (err->kind != ERR_NONE) {
		/* routed again once the body is in: the captures are made anew */
		for (int i = 0; i < rq->nparams; i++)
			free(rq->param_values[i]);
		rq->nparams = 0;
		rq->route = NULL;
		return -1;
	}
	for (int t = 0; svc->streams && svc->streams[t]; t++)
		for (const struct stream_route *sr = svc->streams[t]; sr->pattern; sr++)
			if (sr->method == found->method &&
			    strcmp(sr->pattern, found->pattern) == 0)
				rq->stream = sr->stream;
	for (const struct slow_route *sr = svc->slow; sr && sr->pattern; sr++)
		if (sr->method == found->method && strcmp(sr->pattern, found->pattern) == 0)
			rq->slow = true;
	return 0;
}

/* A template compiled to steps: '{x}' and '*' become SEG_ONE SEG_MORE, '**' ANY. */
enum path_step { STEP_BYTE, STEP_SEG_ONE, STEP_SEG_MORE, STEP_ANY };

struct path_step_def {
	enum path_step kind;
	char byte; /* STEP_BYTE */
};

/* Fills 'out' (room for 2 * strlen(tmpl) steps) and returns the number of steps. */
static size_t compile_template(const char *tmpl, struct path_step_def *out)
{
	size_t n = 0;

	while (*tmpl != '\0') {
		if (tmpl[0] == '*' && tmpl[1] == '*') {
			out[n++] = (struct path_step_def){ STEP_ANY, 0 };
			tmpl += 2;
		} else if ((tmpl[0] == '{' && strchr(tmpl, '}') != NULL) || tmpl[0] == '*') {
			out[n++] = (struct path_step_def){ STEP_SEG_ONE, 0 };
			out[n++] = (struct path_step_def){ STEP_SEG_MORE, 0 };
			tmpl = tmpl[0] == '{' ? strchr(tmpl, '}') + 1 : tmpl + 1;
		} else {
			out[n++] = (struct path_step_def){ STEP_BYTE, *tmpl++ };
		}
	}
	return n;
}

/* The steps that may be skipped (SEG_MORE and ANY match nothing too) join the set. */
static void skip_empty(const struct path_step_def *steps, size_t n, bool *set)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] && (steps[i].kind == STEP_SEG_MORE || steps[i].kind == STEP_ANY))
			set[i + 1] = true;
}

/* The template is run as an automaton over the set of steps reached, one path byte at a
 * time: time is bounded by path length x template length. A backtracking matcher took
 * exponential time on a template a user writes (5 '**' against a 150-byte path: 5 s of
 * an HTTP thread; 6: minutes). */
bool http_path_matches(const char *path, const char *tmpl)
{
	size_t len = strlen(tmpl), n;
	struct path_step_def *steps = xmalloc((2 * len + 1) * sizeof(*steps));
	bool *cur = xcalloc(2 * len + 2, sizeof(*cur)), *next = xcalloc(2 * len + 2, sizeof(*next));
	bool matched;

	n = compile_template(tmpl, steps);
	cur[0] = true;
	skip_empty(steps, n, cur);
	for (const char *p = path; *p != '\0'; p++) {
		bool alive = false;
		bool *swap;

		memset(next, 0, (n + 1) * sizeof(*next));
		for (size_t i = 0; i < n; i++) {
			if (!cur[i])
				continue;
			switch (steps[i].kind) {
			case STEP_BYTE:
				next[i + 1] = next[i + 1] || *p == steps[i].byte;
				break;
			case STEP_SEG_ONE:
				next[i + 1] = next[i + 1] || *p != '/';
				break;
			case STEP_SEG_MORE:
				next[i] = next[i] || *p != '/';
				break;
			case STEP_ANY:
				next[i] = true;
				break;
			}
		}
		skip_empty(steps, n, next);
		for (size_t i = 0; i <= n; i++)
			alive = alive || next[i];
		swap = cur;
		cur = next;
		next = swap;
		if (!alive)
			break;
	}
	matched = cur[n];
	free(steps);
	free(cur);
	free(next);
	return matched;
}

/* keystonemiddleware's check of an access-ruled application credential: the service (by
 * its type, which is the service's name here), the method and the path below the prefix. */
static bool access_permitted(struct req *rq)
{
	const struct auth *a = rq->auth;

	if (a->naccess_rules == 0)
		return true;
	for (int i = 0; i < a->naccess_rules; i++) {
		const struct access_rule *r = &a->access_rules[i];
		if (str_eq(r->service, rq->svc->name) && str_eq(r->method, method_names[rq->method]) &&
		    http_path_matches(*rq->subpath ? rq->subpath : "/", r->path))
			return true;
	}
	return false;
}

/* The token and the route's policy. */
static int authorize(struct req *rq, struct err *err)
{
	const struct route *r = rq->route;
	const char *token, *colon;

	if (r->policy == NULL)
		return 0;
	token = req_header(rq, "X-Auth-Token");
	if (token == NULL || *token == '\0')
		return err_set(err, ERR_UNAUTHORIZED,
			       "The request you have made requires authentication.");
	if (authenticator == NULL || authenticator(rq, token, err) < 0)
		return err_set(err, ERR_UNAUTHORIZED,
			       "The request you have made requires authentication.");
	if (!access_permitted(rq))
		return err_set(err, ERR_UNAUTHORIZED,
			       "The request you have made requires authentication.");
	if (allowed(rq, find_rule(rq->svc, r->policy)))
		return 0;
	if (rq->svc->policy_denied == NULL)
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to perform the requested action: %s.",
			       r->policy);
	colon = strchr(r->policy, ':');
	return err_set(err, ERR_FORBIDDEN, rq->svc->policy_denied, colon ? colon + 1 : r->policy);
}

/* Service, route, then (once) token and policy. */
static int prepare(struct req *rq, struct err *err)
{
	const char *sub = NULL;

	if (rq->route == NULL) {
		rq->svc = find_service(rq->path, &sub);
		if (rq->svc == NULL)
			return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
		rq->subpath = sub;
		if (find_route(rq, err) < 0)
			return -1;
	}
	if (!rq->stream && rq->body_too_large)
		return err_set(err, ERR_TOO_LARGE, "Request is too large.");
	if (!rq->authorized) {
		if (authorize(rq, err) < 0)
			return -1;
		rq->authorized = true;
	}
	return 0;
}

static void render(struct req *rq, struct err *err)
{
	if (err->kind == ERR_NONE)
		err_set(err, ERR_INTERNAL, "An unexpected error occurred.");
	if (err->kind == ERR_INTERNAL)
		LOGM(LOG_ERROR, rq->request_id, "%s %s: %s", rq->method_name, rq->path, err->msg);
	if (rq->svc != NULL && rq->svc->render_error)
		rq->svc->render_error(rq, err);
	else
		render_plain_error(rq, err);
}

bool http_begin(struct req *rq)
{
	struct err err = { 0 };
	const char *sub = NULL;

	rq->svc = find_service(rq->path, &sub);
	if (rq->svc == NULL)
		return false;
	rq->subpath = sub;
	if (find_route(rq, &err) < 0) {
		/* answered by http_dispatch once the body is read */
		rq->route = NULL;
		for (int i = 0; i < rq->nheaders; i++) {
			free(rq->headers[i].name);
			free(rq->headers[i].value);
		}
		rq->nheaders = 0;
		return false;
	}
	if (rq->stream == NULL)
		return false;
	rq->streaming = true;
	if (prepare(rq, &err) < 0 || rq->stream->begin(rq, &err) < 0) {
		rq->stream_done = true; /* nothing began: nothing to abort */
		render(rq, &err);
	}
	return true;
}

void http_stream_abort(struct req *rq)
{
	if (rq->streaming && !rq->stream_done && rq->stream->abort)
		rq->stream->abort(rq);
	rq->stream_done = true;
}

int http_stream_data(struct req *rq, const char *data, size_t size)
{
	struct err err = { 0 };

	if (rq->stream->data(rq, data, size, &err) == 0)
		return 0;
	render(rq, &err);
	http_stream_abort(rq);
	return -1;
}

void http_dispatch(struct req *rq)
{
	struct err err = { 0 };

	if (prepare(rq, &err) < 0 || rq->route->handler(rq, &err) < 0) {
		/* a streaming route's handler failing at the end discards what was written */
		http_stream_abort(rq);
		render(rq, &err);
		return;
	}
	rq->stream_done = true;
	if (rq->status == 0)
		reply_empty(rq, 204);
}
