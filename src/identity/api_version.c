/* Version discovery at /identity and /identity/v3, as Keystone serves it. */
#include "core/conf.h"
#include "core/err.h"
#include "core/http.h"
#include "identity/identity_int.h"

static json_t *version(struct req *rq)
{
	return json_pack("{s:s,s:s,s:s,s:[{s:s,s:s}],s:[{s:s,s:s}]}", "id", "v3.14", "status",
			 "stable", "updated", "2020-04-07T00:00:00Z", "links", "rel", "self",
			 "href", req_printf(rq, "%s/identity/v3/", conf.public_url),
			 "media-types", "base", "application/json", "type",
			 "application/vnd.openstack.identity-v3+json");
}

static int versions(struct req *rq, struct err *err)
{
	(void)err;
	reply_json(rq, 300,
		   json_pack("{s:{s:[o]}}", "versions", "values", version(rq)));
	return 0;
}

static int v3(struct req *rq, struct err *err)
{
	(void)err;
	reply_json(rq, 200, json_pack("{s:o}", "version", version(rq)));
	return 0;
}

const struct route ident_version_routes[] = {
	{ HTTP_GET, "", versions, NULL },
	{ HTTP_GET, "/v3", v3, NULL },
	{ 0 },
};
