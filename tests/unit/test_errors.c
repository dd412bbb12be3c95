/* Every error kind of every service rendered with hostile messages: invalid UTF-8, a
 * multi-byte string cut at the message's size, markup, quotes, control characters, and
 * each Accept a client may send. A reply must always be built, with the kind's status, and
 * JSON bodies must parse; HTML must not carry the markup unescaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/conf.h"
#include "core/err.h"
#include "core/health.h"
#include "core/http.h"
#include "core/util.h"
#include "identity/identity.h"
#include "image/image.h"
#include "network/network.h"

static const char *accept_header;

static const char *fake_header(struct req *rq, const char *name)
{
	(void)rq;
	return strcasecmp(name, "Accept") == 0 ? accept_header : NULL;
}

static const char *hostile[] = {
	"\xff\xfe\xfd",                              /* raw bytes from a path: GET .../%FF */
	"<script>alert(1)</script> & \"quoted\" 'single'",
	"line\nbreak\r\n\ttab \x01\x1f",
	"\xc3\x28 \xe2\x82 \xf0\x9f\x98 \xed\xa0\x80", /* broken sequences, a surrogate */
	"%s%n%x",
	"",
};

/* A message of 'n' copies of 'é' after 'lead': cut at 255 bytes inside a sequence when the
 * lead is odd-sized. */
static void long_message(char *buf, size_t size, const char *lead)
{
	snprintf(buf, size, "%s", lead);
	while (strlen(buf) + 2 < size)
		strcat(buf, "\xc3\xa9");
}

static void check_reply(struct req *rq, const struct err *err)
{
	assert_non_null(rq->reply_body);
	assert_int_equal(rq->status, err_status(err->kind));
	if (rq->content_type != NULL && strstr(rq->content_type, "json") != NULL) {
		json_t *j = json_loadb(rq->reply_body, rq->reply_size, 0, NULL);
		assert_non_null(j);
		json_decref(j);
	}
	if (rq->content_type != NULL && strstr(rq->content_type, "html") != NULL)
		assert_null(strstr(rq->reply_body, "<script"));
}

static void render_all(const struct service *svc)
{
	static const char *accepts[] = { NULL, "", "application/json", "text/html", "*/*",
					 "text/plain", "application/xml" };
	char big[600];

	if (svc->render_error == NULL)
		return; /* the router's plain renderer, exercised through those that have one */
	for (int kind = ERR_BAD_REQUEST; kind <= ERR_INTERNAL; kind++)
		for (size_t a = 0; a < ARRAY_SIZE(accepts); a++)
			for (size_t m = 0; m < ARRAY_SIZE(hostile) + 2; m++) {
				struct err err = { 0 };
				struct req *rq = req_new(HTTP_GET, "/x/%ff");

				rq->test_header = fake_header;
				accept_header = accepts[a];
				if (m < ARRAY_SIZE(hostile))
					snprintf(big, sizeof(big), "%s", hostile[m]);
				else
					long_message(big, sizeof(big), m % 2 ? "x" : "");
				err_set(&err, kind, "Invalid input for field '%s': %s", big, big);
				svc->render_error(rq, &err);
				check_reply(rq, &err);
				req_free(rq);
			}
}

static void identity_errors(void **state)
{
	(void)state;
	render_all(ident_http_service());
}

static void image_errors(void **state)
{
	(void)state;
	render_all(image_http_service());
}

static void network_errors(void **state)
{
	(void)state;
	render_all(net_http_service());
	render_all(net_metadata_http_service());
}

/* a body that cannot be built (a string jansson refuses) is a 500, not an abort */
static void reply_json_never_fails(void **state)
{
	struct req *rq = req_new(HTTP_GET, "/x");

	(void)state;
	reply_json(rq, 400, json_pack("{s:s}", "message", "\xff"));
	assert_int_equal(rq->status, 500);
	assert_non_null(rq->reply_body);
	req_free(rq);
}

static int setup(void **state)
{
	(void)state;
	conf_defaults();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identity_errors),
		cmocka_unit_test(image_errors),
		cmocka_unit_test(network_errors),
		cmocka_unit_test(reply_json_never_fails),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
