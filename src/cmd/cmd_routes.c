/* ciel routes: every route of every service with its policy, as JSON, for the policy matrix
 * test (a route without rows in its table fails it) and for operators reviewing access. */
#include <jansson.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "core/health.h"
#include "core/http.h"
#include "identity/identity.h"
#include "image/image.h"
#include "network/network.h"

int cmd_routes(int argc, char **argv)
{
	const struct service *svcs[] = { health_http_service(), ident_http_service(),
					 image_http_service(), net_http_service(),
					 net_metadata_http_service() };
	json_t *all = json_array();

	(void)argv;
	if (argc > 1) {
		fputs("usage: ciel routes\n", stderr);
		json_decref(all);
		return 2;
	}
	for (size_t i = 0; i < sizeof(svcs) / sizeof(svcs[0]); i++)
		http_routes_json(svcs[i], all);
	json_dumpf(all, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(all);
	return 0;
}
