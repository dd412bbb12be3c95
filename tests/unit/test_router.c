#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/http.h"

static const char *token_header;
static const char *roles_admin[] = { "admin", "member", "reader" };
static const char *roles_member[] = { "member", "reader" };

static const char *fake_header(struct req *rq, const char *name)
{
	(void)rq;
	return strcmp(name, "X-Auth-Token") == 0 ? token_header : NULL;
}

/* "admin" and "member" are valid tokens (user ids u-admin / u-member) */
static int fake_auth(struct req *rq, const char *token, struct err *err)
{
	static struct auth admin = { .user_id = "u-admin", .project_id = "p1",
				     .roles = roles_admin, .nroles = 3 };
	static struct auth member = { .user_id = "u-member", .project_id = "p2",
				      .roles = roles_member, .nroles = 2 };

	if (strcmp(token, "admin") == 0)
		rq->auth = &admin;
	else if (strcmp(token, "member") == 0)
		rq->auth = &member;
	else
		return err_set(err, ERR_UNAUTHORIZED, "bad token");
	return 0;
}

static int show(struct req *rq, struct err *err)
{
	(void)err;
	reply_json(rq, 200, json_pack("{s:s?,s:s?}", "thing", req_param(rq, "thing_id"),
				      "user", req_param(rq, "user_id")));
	return 0;
}

static int conflict(struct req *rq, struct err *err)
{
	(void)rq;
	return err_set(err, ERR_CONFLICT, "already there");
}

static const struct route routes[] = {
	{ HTTP_GET, "/v1/things", show, NULL },
	{ HTTP_POST, "/v1/things", conflict, "test:create" },
	{ HTTP_GET, "/v1/things/{thing_id}", show, "test:get" },
	{ HTTP_DELETE, "/v1/things/{thing_id}", show, "test:admin" },
	{ HTTP_GET, "/v1/users/{user_id}/things", show, "test:own" },
	{ 0 },
};
static const struct policy policies[] = {
	{ "test:create", POL_TOKEN },
	{ "test:get", POL_TOKEN },
	{ "test:admin", POL_ADMIN },
	{ "test:own", POL_ADMIN_OR_USER },
	{ NULL, 0 },
};
/* a streamed upload: chunks are counted, the handler replies with the total */
static size_t streamed;
static int aborted;

static int up_begin(struct req *rq, struct err *err)
{
	(void)err;
	streamed = 0;
	rq->stream_ctx = &streamed;
	return 0;
}

static int up_data(struct req *rq, const char *buf, size_t size, struct err *err)
{
	(void)buf;
	if (size > 100)
		return err_set(err, ERR_TOO_LARGE, "chunk too big");
	*(size_t *)rq->stream_ctx += size;
	return 0;
}

static void up_abort(struct req *rq)
{
	(void)rq;
	aborted++;
}

static int up_done(struct req *rq, struct err *err)
{
	(void)err;
	reply_json(rq, 204, json_pack("{s:i}", "n", (int)streamed));
	return 0;
}

static const struct http_stream up_stream = { up_begin, up_data, up_abort };
static const struct route up_routes[] = {
	{ HTTP_PUT, "/v1/things/{thing_id}/file", up_done, "test:get" },
	{ 0 },
};
static const struct stream_route streams[] = {
	{ HTTP_PUT, "/v1/things/{thing_id}/file", &up_stream },
	{ 0 },
};
static const struct route *const tables[] = { routes, up_routes, NULL };
static const struct stream_route *const stables[] = { streams, NULL };
static const struct policy *const ptables[] = { policies, NULL };
static const struct service svc = {
	.name = "test", .prefix = "/svc", .routes = tables, .policies = ptables,
	.streams = stables,
};

static int setup(void **state)
{
	(void)state;
	http_register(&svc);
	http_set_authenticator(fake_auth);
	return 0;
}

static struct req *run(enum http_method m, const char *path, const char *token)
{
	struct req *rq = req_new(m, path);

	rq->test_header = fake_header;
	token_header = token;
	http_dispatch(rq);
	return rq;
}

static json_t *body(struct req *rq)
{
	return json_loadb(rq->reply_body, rq->reply_size, 0, NULL);
}

static void routing_and_captures(void **state)
{
	struct req *rq = run(HTTP_GET, "/svc/v1/things/abc/", "member");
	json_t *b = body(rq);

	(void)state;
	assert_int_equal(rq->status, 200);
	assert_string_equal(json_string_value(json_object_get(b, "thing")), "abc");
	json_decref(b);
	req_free(rq);
	rq = run(HTTP_GET, "/svc/v1/things", NULL); /* public route: no token needed */
	assert_int_equal(rq->status, 200);
	req_free(rq);
	rq = run(HTTP_HEAD, "/svc/v1/things", NULL); /* HEAD served by the GET route */
	assert_int_equal(rq->status, 200);
	req_free(rq);
}

static void not_found_and_method(void **state)
{
	struct req *rq = run(HTTP_GET, "/svc/v1/nothing", "admin");

	(void)state;
	assert_int_equal(rq->status, 404);
	req_free(rq);
	rq = run(HTTP_GET, "/other", "admin");
	assert_int_equal(rq->status, 404);
	req_free(rq);
	rq = run(HTTP_GET, "/svcx/v1/things", "admin"); /* prefix must end at a '/' */
	assert_int_equal(rq->status, 404);
	req_free(rq);
	rq = run(HTTP_PUT, "/svc/v1/things/abc", "admin");
	assert_int_equal(rq->status, 405);
	int found = 0;
	for (int i = 0; i < rq->nheaders; i++)
		if (strcmp(rq->headers[i].name, "Allow") == 0) {
			assert_string_equal(rq->headers[i].value, "GET, DELETE");
			found = 1;
		}
	assert_true(found);
	req_free(rq);
}

static void authn_and_policy(void **state)
{
	struct req *rq = run(HTTP_GET, "/svc/v1/things/abc", NULL);

	(void)state;
	assert_int_equal(rq->status, 401);
	req_free(rq);
	rq = run(HTTP_GET, "/svc/v1/things/abc", "garbage");
	assert_int_equal(rq->status, 401);
	req_free(rq);
	rq = run(HTTP_DELETE, "/svc/v1/things/abc", "member");
	assert_int_equal(rq->status, 403);
	json_t *b = body(rq);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(b, "error"),
								  "message")),
			       "test:admin"));
	json_decref(b);
	req_free(rq);
	rq = run(HTTP_DELETE, "/svc/v1/things/abc", "admin");
	assert_int_equal(rq->status, 200);
	req_free(rq);
	rq = run(HTTP_GET, "/svc/v1/users/u-member/things", "member");
	assert_int_equal(rq->status, 200);
	req_free(rq);
	rq = run(HTTP_GET, "/svc/v1/users/u-admin/things", "member");
	assert_int_equal(rq->status, 403);
	req_free(rq);
}

static void handler_error_and_size(void **state)
{
	struct req *rq = run(HTTP_POST, "/svc/v1/things", "member");
	json_t *b = body(rq);

	(void)state;
	assert_int_equal(rq->status, 409);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "error"), "code")),
			 409);
	json_decref(b);
	req_free(rq);
	rq = req_new(HTTP_POST, "/svc/v1/things");
	rq->test_header = fake_header;
	token_header = "member";
	rq->body_too_large = true;
	http_dispatch(rq);
	assert_int_equal(rq->status, 413);
	req_free(rq);
}

static void json_body(void **state)
{
	struct req *rq = req_new(HTTP_POST, "/x");
	struct err err = { 0 };

	(void)state;
	assert_null(req_json(rq, &err));
	assert_int_equal(err.kind, ERR_BAD_REQUEST);
	rq->body = strdup("{\"a\": 1, \"a\": 2}");
	rq->body_size = strlen(rq->body);
	err_clear(&err);
	assert_null(req_json(rq, &err)); /* duplicate keys refused */
	free(rq->body);
	rq->body = strdup("[1]");
	rq->body_size = 3;
	err_clear(&err);
	assert_null(req_json(rq, &err));
	json_decref(rq->json);
	rq->json = NULL;
	free(rq->body);
	rq->body = strdup("{\"a\": 1}");
	rq->body_size = strlen(rq->body);
	err_clear(&err);
	assert_non_null(req_json(rq, &err));
	req_free(rq);
}

static void streamed_body(void **state)
{
	struct req *rq = req_new(HTTP_PUT, "/svc/v1/things/t1/file");

	(void)state;
	rq->test_header = fake_header;
	token_header = "member";
	assert_true(http_begin(rq));
	assert_int_equal(rq->status, 0);
	assert_int_equal(http_stream_data(rq, "abcdef", 6), 0);
	assert_int_equal(http_stream_data(rq, "ghij", 4), 0);
	http_dispatch(rq);
	assert_int_equal(rq->status, 204);
	assert_int_equal(streamed, 10);
	http_stream_abort(rq); /* completed: no abort */
	assert_int_equal(aborted, 0);
	req_free(rq);

	/* cut off midway: abort runs once */
	rq = req_new(HTTP_PUT, "/svc/v1/things/t1/file");
	rq->test_header = fake_header;
	assert_true(http_begin(rq));
	assert_int_equal(http_stream_data(rq, "abc", 3), 0);
	http_stream_abort(rq);
	http_stream_abort(rq);
	assert_int_equal(aborted, 1);
	req_free(rq);

	/* a refused chunk: error reply, abort */
	rq = req_new(HTTP_PUT, "/svc/v1/things/t1/file");
	rq->test_header = fake_header;
	assert_true(http_begin(rq));
	char big[200] = { 0 };
	assert_int_equal(http_stream_data(rq, big, sizeof(big)), -1);
	assert_int_equal(rq->status, 413);
	assert_int_equal(aborted, 2);
	req_free(rq);

	/* no token: refused before any data, nothing to abort */
	rq = req_new(HTTP_PUT, "/svc/v1/things/t1/file");
	rq->test_header = fake_header;
	token_header = NULL;
	assert_true(http_begin(rq));
	assert_int_equal(rq->status, 401);
	http_stream_abort(rq);
	assert_int_equal(aborted, 2);
	req_free(rq);

	/* a buffered route is not streamed */
	rq = req_new(HTTP_POST, "/svc/v1/things");
	assert_false(http_begin(rq));
	req_free(rq);
}

/* Access rule templates as keystonemiddleware reads them: '{x}' and '*' match one segment
 * (one character at least), '**' anything, slashes included. */
static void access_rule_paths(void **state)
{
	static const struct {
		const char *path, *tmpl;
		bool match;
	} cases[] = {
		{ "/v2.0/networks", "/v2.0/networks", true },
		{ "/v2.0/networks/abc", "/v2.0/networks", false },
		{ "/v2.0/networks", "/v2.0/networks/{network_id}", false },
		{ "/v2.0/networks/abc", "/v2.0/networks/{network_id}", true },
		{ "/v2.0/networks/abc/tags", "/v2.0/networks/{network_id}", false },
		{ "/v2.0/networks/abc/tags", "/v2.0/networks/*/tags", true },
		{ "/v2.0/networks//tags", "/v2.0/networks/*/tags", false },
		{ "/v2.0/networks/abc/tags/x", "/v2.0/networks/**", true },
		{ "/v2.0/networks/", "/v2.0/networks/**", true },
		{ "/v2.0/ports/abc", "/v2.0/networks/**", false },
		{ "/v3/users/u1/projects", "/v3/users/{user_id}/projects", true },
		{ "/v3/users/u1/projects", "/v3/**/projects", true },
		{ "/v3/projects", "/v3/**/projects", false },
		{ "/v3/a/b/projects", "/v3/**/projects", true },
		{ "/v2/images", "**", true },
		{ "/", "/", true },
		{ "/v3/a", "/v3/a**", true },
		{ "/v3/a", "/v3/*a", false },
		{ "/v3/ab", "/v3/*b", true },
		{ "/v3/a/b", "/v3/***", true },
		{ "/v3/a/b", "/v3/{x}{y}", false },
		{ "/v3/ab", "/v3/{x}{y}", true },
		{ "/v3/{x", "/v3/{x", true },
		{ "", "", true },
		{ "", "**", true },
		{ "", "*", false },
	};
	char path[4096], tmpl[226];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (http_path_matches(cases[i].path, cases[i].tmpl) != cases[i].match)
			fail_msg("%s against %s: expected %d", cases[i].path, cases[i].tmpl,
				 cases[i].match);
	}
	/* a template its user writes cannot make the match slow: 100 '**' (or 50 '{x}')
	 * that fail only at the end of a long path took exponential time to refuse */
	path[0] = '/';
	memset(path + 1, 'a', sizeof(path) - 2);
	path[sizeof(path) - 1] = '\0';
	tmpl[0] = '/';
	memset(tmpl + 1, '*', 200);
	strcpy(tmpl + 201, "z");
	assert_false(http_path_matches(path, tmpl));
	strcpy(tmpl + 201, "a");
	assert_true(http_path_matches(path, tmpl));
	for (int i = 0; i < 50; i++)
		memcpy(tmpl + 1 + 3 * i, "{x}", 3);
	strcpy(tmpl + 151, "z");
	assert_false(http_path_matches(path, tmpl));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routing_and_captures),
		cmocka_unit_test(not_found_and_method),
		cmocka_unit_test(authn_and_policy),
		cmocka_unit_test(handler_error_and_size),
		cmocka_unit_test(json_body),
		cmocka_unit_test(streamed_body),
		cmocka_unit_test(access_rule_paths),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
