/* Subnet pools: /v2.0/subnetpools (Neutron's subnet_allocation extension). A pool holds
 * prefixes of one IP version; subnets created with subnetpool_id (or
 * use_default_subnetpool) and no cidr get the next free prefix of the asked length
 * (subnet_check.c). The version comes from the prefixes; prefix lengths default to
 * min 8 / max 32 (IPv4) or min 64 / max 128 (IPv6), the default length to the minimum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "network/ipam_addr.h"
#include "network/net_int.h"

static const struct net_attr subnetpool_attrs[] = {
	{ "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "description", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT, 0 },
	{ "ip_version", NULL, NA_INT, NAF_FILTER | NAF_SORT, 0 },
	{ "prefixes", NULL, NA_JSON, NAF_POST | NAF_PUT, 0 },
	{ "default_prefixlen", NULL, NA_INT, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "min_prefixlen", NULL, NA_INT, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "max_prefixlen", NULL, NA_INT, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "shared", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_ADMIN, 0 },
	{ "is_default", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT | NAF_ADMIN, 0 },
	{ "default_quota", NULL, NA_INT, NAF_FILTER | NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ "address_scope_id", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_PUT | NAF_NULL, 0 },
	{ 0 },
};

const struct net_rdef net_subnetpool_rdef = {
	.name = "subnetpool",
	.plural = "subnetpools",
	.title = "Subnet pool",
	.table = "net_subnetpool",
	.attrs = subnetpool_attrs,
	.also_visible = "r.shared = 1",
};

/* Parses the prefixes ('v', a list of CIDR strings) into canonical CIDRs of one version,
 * merging duplicates and prefixes held by others; sets *version. Caller frees *out. */
static int parse_prefixes(const json_t *v, struct net_cidr **out, int *n, int *version,
			  struct err *err)
{
	size_t i;
	json_t *p;

	*out = NULL;
	*n = 0;
	*version = 0;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for prefixes. Reason: a subnet pool needs at least "
			       "one prefix.");
	*out = xcalloc(json_array_size(v), sizeof(**out));
	json_array_foreach(v, i, p) {
		struct net_cidr c;
		const char *s = json_string_value(p);
		bool held = false;

		if (s == NULL || net_cidr_parse(s, &c) < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for prefixes. Reason: '%s' is not a valid IP "
				       "subnet.",
				       s ? s : "value");
		if (*version != 0 && c.base.version != *version)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: Cannot mix IPv4 and IPv6 "
				       "prefixes in a subnet pool.");
		*version = c.base.version;
		c.base = net_cidr_first(&c);
		for (int j = 0; j < *n && !held; j++)
			if (net_cidr_within(&c, &(*out)[j]))
				held = true;
			else if (net_cidr_within(&(*out)[j], &c))
				(*out)[j] = c, held = true;
		if (!held)
			(*out)[(*n)++] = c;
	}
	return 0;
}

static json_t *prefixes_json(const struct net_cidr *c, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		char t[NET_CIDR_STRLEN];
		net_cidr_format(&c[i], t);
		json_array_append_new(a, json_string(t));
	}
	return a;
}

static long long int_or(const json_t *item, const char *key, long long def)
{
	json_t *v = json_object_get(item, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* Checks the prefix lengths of the pool as it will be ('item' over 'old'). */
static int check_lengths(json_t *item, const json_t *old, int version, struct err *err)
{
	int bits = net_addr_bits(version);
	long long minl = int_or(item, "min_prefixlen",
				int_or(old, "min_prefixlen", version == 4 ? 8 : 64));
	long long maxl = int_or(item, "max_prefixlen", int_or(old, "max_prefixlen", bits));
	long long defl = int_or(item, "default_prefixlen", int_or(old, "default_prefixlen", minl));

	if (minl < 0 || minl > bits)
		return err_set(err, ERR_BAD_REQUEST,
			       "Illegal prefix bounds: min_prefixlen=%lld, max_prefixlen=%d.",
			       minl, bits);
	if (maxl > bits || maxl < minl)
		return err_set(err, ERR_BAD_REQUEST,
			       "Illegal prefix bounds: max_prefixlen=%lld, min_prefixlen=%lld.",
			       maxl, minl);
	if (defl < minl || defl > maxl)
		return err_set(err, ERR_BAD_REQUEST,
			       "Illegal prefix bounds: default_prefixlen=%lld, "
			       "min_prefixlen=%lld, max_prefixlen=%lld.",
			       defl, minl, maxl);
	json_object_set_new(item, "min_prefixlen", json_integer(minl));
	json_object_set_new(item, "max_prefixlen", json_integer(maxl));
	json_object_set_new(item, "default_prefixlen", json_integer(defl));
	return 0;
}

/* 400 when another pool of the version is already the default. */
static int check_default(struct db *db, const json_t *item, int version, const char *self,
			 struct err *err)
{
	struct db_res *res;
	long long n;

	if (!json_is_true(json_object_get(item, "is_default")))
		return 0;
	res = db_query(db, err,
		       "SELECT COUNT(*) FROM net_subnetpool WHERE is_default = 1 AND"
		       " ip_version = ? AND id <> ?",
		       DBP(version == 4 ? "4" : "6", self ? self : ""));
	if (res == NULL)
		return -1;
	n = db_res_int(res, 0, 0);
	db_res_free(res);
	if (n > 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: A default subnetpool for this IP "
			       "family has already been set. Only one default may exist per IP "
			       "family.");
	return 0;
}

static int check_scope(const json_t *item, struct err *err)
{
	json_t *v = json_object_get(item, "address_scope_id");

	if (v != NULL && !json_is_null(v))
		return err_set(err, ERR_NOT_FOUND, "Address scope %s could not be found.",
			       json_is_string(v) ? json_string_value(v) : "");
	return 0;
}

static json_t *create_one(struct req *rq, struct db *db, json_t *item, struct err *err)
{
	struct net_cidr *pre = NULL;
	int n, version;
	char id[37];
	json_t *out = NULL;

	if (json_object_get(item, "prefixes") == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Failed to parse request. Required attribute 'prefixes' not "
			       "specified"),
		       NULL;
	if (parse_prefixes(json_object_get(item, "prefixes"), &pre, &n, &version, err) < 0 ||
	    check_lengths(item, NULL, version, err) < 0 ||
	    check_default(db, item, version, NULL, err) < 0 || check_scope(item, err) < 0 ||
	    net_quota_check(db, jsonx_str(item, "project_id"), "subnetpool", 1, err) < 0)
		goto out;
	json_object_set_new(item, "prefixes", prefixes_json(pre, n));
	json_object_set_new(item, "ip_version", json_integer(version));
	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	if (net_insert(db, &net_subnetpool_rdef, item, err) < 0)
		goto out;
	out = net_get(rq, db, &net_subnetpool_rdef, id, err);
out:
	free(pre);
	return out;
}

static int subnetpools_create(struct req *rq, struct err *err)
{
	return net_create(rq, &net_subnetpool_rdef, NULL, create_one, err);
}

/* New prefixes may only add to the pool: each old prefix must lie inside a new one. */
static int check_new_prefixes(json_t *item, const json_t *old, int version, struct err *err)
{
	struct net_cidr *pre = NULL, *was = NULL;
	int n, nw, v2, rc = -1;
	json_t *v = json_object_get(item, "prefixes");

	if (v == NULL)
		return 0;
	if (parse_prefixes(v, &pre, &n, &v2, err) < 0 ||
	    parse_prefixes(json_object_get(old, "prefixes"), &was, &nw, &v2, err) < 0)
		goto out;
	if (pre[0].base.version != version) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for operation: Cannot mix IPv4 and IPv6 prefixes in a "
			"subnet pool.");
		goto out;
	}
	for (int i = 0; i < nw; i++) {
		bool kept = false;
		for (int j = 0; j < n && !kept; j++)
			kept = net_cidr_within(&was[i], &pre[j]);
		if (!kept) {
			err_set(err, ERR_BAD_REQUEST,
				"Illegal update to prefixes: Existing prefixes must be a subset of "
				"the new prefixes.");
			goto out;
		}
	}
	json_object_set_new(item, "prefixes", prefixes_json(pre, n));
	rc = 0;
out:
	free(pre);
	free(was);
	return rc;
}

static int subnetpool_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *item, *old = NULL, *p = NULL;
	int version;

	if (db == NULL ||
	    (item = net_body(rq, &net_subnetpool_rdef, false, NULL, err)) == NULL ||
	    db_begin(db, err) < 0)
		return -1;
	if ((old = net_find_owned(rq, db, &net_subnetpool_rdef, id, "update", err)) == NULL)
		goto fail;
	version = (int)json_integer_value(json_object_get(old, "ip_version"));
	if (check_new_prefixes(item, old, version, err) < 0 ||
	    check_lengths(item, old, version, err) < 0 ||
	    check_default(db, item, version, id, err) < 0 || check_scope(item, err) < 0 ||
	    net_update(db, &net_subnetpool_rdef, id, item, err) < 0 ||
	    (p = net_get(rq, db, &net_subnetpool_rdef, id, err)) == NULL ||
	    db_commit(db, err) < 0)
		goto fail;
	json_decref(old);
	net_reply_one(rq, &net_subnetpool_rdef, 200, p);
	return 0;
fail:
	json_decref(old);
	json_decref(p);
	db_rollback(db);
	return -1;
}

static int subnetpool_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	struct db_res *res = NULL;
	json_t *p = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((p = net_find_owned(rq, db, &net_subnetpool_rdef, id, "delete", err)) == NULL)
		goto fail;
	res = db_query(db, err, "SELECT COUNT(*) FROM net_subnet WHERE subnetpool_id = ?",
		       DBP(id));
	if (res == NULL)
		goto fail;
	if (db_res_int(res, 0, 0) > 0) {
		err_set(err, ERR_CONFLICT,
			"Unable to complete operation on subnet pool %s. Subnets are still "
			"allocated from it.",
			id);
		goto fail;
	}
	if (net_delete_row(db, &net_subnetpool_rdef, id, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	db_res_free(res);
	json_decref(p);
	reply_empty(rq, 204);
	return 0;
fail:
	db_res_free(res);
	json_decref(p);
	db_rollback(db);
	return -1;
}

static int subnetpools_list(struct req *rq, struct err *err)
{
	return net_list(rq, &net_subnetpool_rdef, err);
}

static int subnetpool_show(struct req *rq, struct err *err)
{
	return net_show(rq, &net_subnetpool_rdef, err);
}

const struct route net_subnetpool_routes[] = {
	{ HTTP_GET, "/v2.0/subnetpools", subnetpools_list, "network:get_subnetpool" },
	{ HTTP_POST, "/v2.0/subnetpools", subnetpools_create, "network:create_subnetpool" },
	{ HTTP_GET, "/v2.0/subnetpools/{id}", subnetpool_show, "network:get_subnetpool" },
	{ HTTP_PUT, "/v2.0/subnetpools/{id}", subnetpool_update, "network:update_subnetpool" },
	{ HTTP_DELETE, "/v2.0/subnetpools/{id}", subnetpool_delete, "network:delete_subnetpool" },
	{ 0 },
};
