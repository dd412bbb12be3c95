/* /v3/OS-OAUTH1/consumers: the consumers of Keystone's OAuth 1.0a delegation extension. A
 * consumer is an application with an id (its oauth_consumer_key) and a secret that signs
 * its requests; an admin registers it, gets the generated secret once in the reply to
 * the create, and may later change only its description and free-form attributes.
 *
 * Only this registry is served. The OAuth1 flow itself (request_token, authorize,
 * access_token, the users' access tokens and OAuth-scoped Keystone tokens) is not: nothing
 * in ciel needs it yet, and Tempest's identity tests exercise the consumers alone. The
 * secret is encrypted with the credential keys (secrets.c), not hashed, because an OAuth1
 * HMAC-SHA1 signature can only be checked with the shared secret itself; it is never
 * shown again and never logged. */
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/oauth_db.h"

#define CONSUMERS "OS-OAUTH1/consumers"

/* Keystone's schema: a nullable description, anything else kept as extra attributes. */
static const struct jsonx_field consumer_fields[] = {
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static json_t *consumer_body(struct req *rq, json_t *c)
{
	ident_add_links(rq, c, CONSUMERS);
	return c;
}

/* A new secret: 128 random bits as 32 hex digits, the shape of Keystone's uuid4().hex. */
static void consumer_secret(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];

	util_random(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[32] = '\0';
}

static int consumers_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list, *c;
	size_t i;

	if (db == NULL || (list = ident_consumer_list(db, err)) == NULL)
		return -1;
	json_array_foreach(list, i, c) {
		consumer_body(rq, c);
	}
	reply_json(rq, 200,
		   json_pack("{s:o,s:o}", "consumers", list, "links", ident_collection_links(rq)));
	return 0;
}

static int consumer_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *c;

	if (db == NULL || (c = ident_consumer_find(db, req_param(rq, "consumer_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "consumer", consumer_body(rq, c)));
	return 0;
}

static int consumers_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *in;
	json_auto_t *c = NULL;
	char id[33], secret[33];

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "consumer", err)) == NULL ||
	    jsonx_validate(in, consumer_fields, true, err) < 0)
		return -1;
	/* As in Keystone, a client's id or secret is ignored: both are generated. */
	c = json_deep_copy(in);
	json_object_del(c, "links");
	json_object_del(c, "secret");
	if (json_object_get(c, "description") == NULL)
		json_object_set_new(c, "description", json_null());
	util_uuid_hex(id);
	json_object_set_new(c, "id", json_string(id));
	consumer_secret(secret);
	if (db_begin(db, err) < 0)
		return -1;
	if (ident_consumer_insert(db, c, secret, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	json_object_set_new(c, "secret", json_string(secret));
	reply_json(rq, 201, json_pack("{s:O}", "consumer", consumer_body(rq, c)));
	return 0;
}

static int consumer_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "consumer_id");
	json_t *body, *in;
	json_auto_t *cur = NULL;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (in = jsonx_member_object(body, "consumer", err)) == NULL ||
	    jsonx_validate(in, consumer_fields, true, err) < 0)
		return -1;
	if (json_object_size(in) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'consumer': {} does not have enough "
			       "properties");
	if (json_object_get(in, "secret") != NULL)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change consumer secret");
	if (jsonx_str(in, "id") != NULL && strcmp(jsonx_str(in, "id"), id) != 0)
		return err_set(err, ERR_BAD_REQUEST, "Cannot change ID");
	if (db_begin(db, err) < 0)
		return -1;
	if ((cur = ident_consumer_find(db, id, err)) == NULL)
		goto fail;
	json_object_update(cur, in);
	json_object_del(cur, "links");
	if (ident_consumer_update(db, cur, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	reply_json(rq, 200, json_pack("{s:O}", "consumer", consumer_body(rq, cur)));
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int consumer_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if (ident_consumer_delete(db, req_param(rq, "consumer_id"), err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_oauth_consumer_routes[] = {
	{ HTTP_GET, "/v3/" CONSUMERS, consumers_list, "identity:list_consumers" },
	{ HTTP_POST, "/v3/" CONSUMERS, consumers_create, "identity:create_consumer" },
	{ HTTP_GET, "/v3/" CONSUMERS "/{consumer_id}", consumer_show, "identity:get_consumer" },
	{ HTTP_PATCH, "/v3/" CONSUMERS "/{consumer_id}", consumer_update,
	  "identity:update_consumer" },
	{ HTTP_DELETE, "/v3/" CONSUMERS "/{consumer_id}", consumer_delete,
	  "identity:delete_consumer" },
	{ 0 },
};

/* Keystone's defaults: admins and system readers read, admins write. */
const struct policy ident_oauth_consumer_policies[] = {
	{ "identity:list_consumers", POL_READER },
	{ "identity:get_consumer", POL_READER },
	{ "identity:create_consumer", POL_ADMIN },
	{ "identity:update_consumer", POL_ADMIN },
	{ "identity:delete_consumer", POL_ADMIN },
	{ NULL, 0 },
};
