/* libFuzzer target: the request path. Each input is  <method byte> <path> '\n' <token>
 * '\n' <body>  and goes through the router, authentication (token decoding), policy,
 * JSON parsing and validation of the real identity service on a real SQLite database. */
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

static const char *fuzz_token;

static const char *fuzz_header(struct req *rq, const char *name)
{
	(void)rq;
	return strcmp(name, "X-Auth-Token") == 0 || strcmp(name, "X-Subject-Token") == 0
		       ? fuzz_token
		       : NULL;
}

static const char *no_query(struct req *rq, const char *name)
{
	(void)rq;
	(void)name;
	return NULL;
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
	conf_finish();
	log_init(LOG_ERROR, NULL);
	if (db_init(conf.db_connection, &err) < 0 || db_migrate(ident_migrations, &err) < 0 ||
	    ident_init(&err) < 0 || ident_bootstrap("adminpw", "demopw", &err) < 0) {
		fprintf(stderr, "fuzz init: %s\n", err.msg);
		abort();
	}
	health_register();
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
	rq = req_new((enum http_method)(1 + data[0] % 7), path);
	rq->method_name = "FUZZ";
	rq->test_header = fuzz_header;
	rq->test_query = no_query;
	fuzz_token = *token ? token : NULL;
	if (body != NULL && *body) {
		rq->body = xstrdup(body);
		rq->body_size = strlen(body);
	}
	http_dispatch(rq);
	if (rq->status < 200 || rq->status > 599)
		abort();
	req_free(rq);
	free(copy);
	return 0;
}
