/* Quotas: /v2.0/quotas (Neutron's quotas and quota_details extensions) and the check
 * every create makes through net_quota_check. A limit is the project's row of net_quota
 * or the [network] quota_* default; -1 is no limit. Usage is counted from the resource's
 * own table at the time of the check (no reservations: 'reserved' is always 0). */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "network"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "network/net_int.h"

struct quota_res {
	const char *name;  /* Neutron's quota key */
	const char *table; /* rows counted, by project_id */
	size_t conf_off;   /* offset of the int default in struct conf */
};

static const struct quota_res quota_res[] = {
	{ "floatingip", "net_floatingip", offsetof(struct conf, net_quota_floatingip) },
	{ "network", "net_network", offsetof(struct conf, net_quota_network) },
	{ "port", "net_port", offsetof(struct conf, net_quota_port) },
	{ "router", "net_router", offsetof(struct conf, net_quota_router) },
	{ "security_group", "net_secgroup", offsetof(struct conf, net_quota_security_group) },
	{ "security_group_rule", "net_sg_rule",
	  offsetof(struct conf, net_quota_security_group_rule) },
	{ "subnet", "net_subnet", offsetof(struct conf, net_quota_subnet) },
	{ "subnetpool", "net_subnetpool", offsetof(struct conf, net_quota_subnetpool) },
	{ NULL, NULL, 0 },
};

static const struct quota_res *quota_res_find(const char *name)
{
	for (const struct quota_res *q = quota_res; q->name; q++)
		if (strcmp(q->name, name) == 0)
			return q;
	return NULL;
}

static int quota_default(const struct quota_res *q)
{
	return *(const int *)((const char *)&conf + q->conf_off);
}

/* The limits of 'project' as Neutron shows them ({"network": 100, ...}): the defaults
 * overridden by its rows ('defaults_only': the defaults alone). Caller owns. */
static json_t *limits(struct db *db, const char *project, bool defaults_only,
		      struct err *err)
{
	json_t *o = json_object();
	struct db_res *res;

	for (const struct quota_res *q = quota_res; q->name; q++)
		json_object_set_new(o, q->name, json_integer(quota_default(q)));
	if (defaults_only)
		return o;
	res = db_query(db, err, "SELECT resource, hard_limit FROM net_quota WHERE project_id = ?",
		       DBP(project));
	if (res == NULL) {
		json_decref(o);
		return NULL;
	}
	for (int i = 0; i < db_res_rows(res); i++)
		if (quota_res_find(db_res_str(res, i, 0)) != NULL)
			json_object_set_new(o, db_res_str(res, i, 0),
					    json_integer(db_res_int(res, i, 1)));
	db_res_free(res);
	return o;
}

/* Rows of 'q' the project holds now; -1 on a database error. */
static long long usage(struct db *db, const struct quota_res *q, const char *project,
		       struct err *err)
{
	char sql[128];
	struct db_res *res;
	long long n;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE project_id = ?", q->table);
	if ((res = db_query(db, err, sql, DBP(project))) == NULL)
		return -1;
	n = db_res_int(res, 0, 0);
	db_res_free(res);
	return n;
}

int net_quota_check(struct db *db, const char *project, const char *resource, int adding,
		    struct err *err)
{
	const struct quota_res *q = quota_res_find(resource);
	struct db_res *res;
	long long limit, used;

	BUG_ON(q == NULL);
	/* the network's own rows of no project (router gateways, floating IPs' ports) count
	 * against nobody's quota */
	if (project == NULL || *project == '\0')
		return 0;
	res = db_query(db, err,
		       "SELECT hard_limit FROM net_quota WHERE project_id = ? AND resource = ?",
		       DBP(project, resource));
	if (res == NULL)
		return -1;
	limit = db_res_rows(res) > 0 ? db_res_int(res, 0, 0) : quota_default(q);
	db_res_free(res);
	if (limit < 0 || adding <= 0)
		return 0;
	if ((used = usage(db, q, project, err)) < 0)
		return -1;
	if (used + adding > limit)
		return err_set(err, ERR_CONFLICT, "Quota exceeded for resources: ['%s'].",
			       resource);
	return 0;
}

/* The project of the path if the caller may read its quotas: the admin, or that
 * project's own members (403 otherwise, as Neutron). */
static const char *readable_project(struct req *rq, struct err *err)
{
	const char *project = req_param(rq, "project_id");

	if (net_is_admin(rq) || net_caller_owns(rq, project))
		return project;
	err_set(err, ERR_FORBIDDEN,
		"User does not have admin privileges: Only admin is authorized to access quotas "
		"for another tenant.");
	return NULL;
}

/* GET /v2.0/quotas: the projects that have at least one override, with all their
 * limits. */
static int quotas_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct db_res *res;
	json_t *list = json_array();

	if (db == NULL ||
	    (res = db_query(db, err,
			    "SELECT DISTINCT project_id FROM net_quota ORDER BY project_id",
			    DBNONE)) == NULL) {
		json_decref(list);
		return -1;
	}
	for (int i = 0; i < db_res_rows(res); i++) {
		const char *project = db_res_str(res, i, 0);
		json_t *o = limits(db, project, false, err);
		if (o == NULL) {
			db_res_free(res);
			json_decref(list);
			return -1;
		}
		json_object_set_new(o, "project_id", json_string(project));
		json_object_set_new(o, "tenant_id", json_string(project));
		json_array_append_new(list, o);
	}
	db_res_free(res);
	reply_json(rq, 200, json_pack("{s:o}", "quotas", list));
	return 0;
}

static int quota_show_common(struct req *rq, bool defaults, struct err *err)
{
	struct db *db = db_get(err);
	const char *project = readable_project(rq, err);
	json_t *o;

	if (db == NULL || project == NULL || (o = limits(db, project, defaults, err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "quota", o));
	return 0;
}

static int quota_show(struct req *rq, struct err *err)
{
	return quota_show_common(rq, false, err);
}

static int quota_default_show(struct req *rq, struct err *err)
{
	return quota_show_common(rq, true, err);
}

/* GET /v2.0/quotas/{project_id}/details: limit, used and reserved per resource. */
static int quota_details(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *project = readable_project(rq, err);
	json_t *lim, *out;

	if (db == NULL || project == NULL || (lim = limits(db, project, false, err)) == NULL)
		return -1;
	out = json_object();
	for (const struct quota_res *q = quota_res; q->name; q++) {
		long long used = usage(db, q, project, err);
		if (used < 0) {
			json_decref(lim);
			json_decref(out);
			return -1;
		}
		json_object_set_new(out, q->name,
				    json_pack("{s:O,s:I,s:i}", "limit",
					      json_object_get(lim, q->name), "used",
					      (json_int_t)used, "reserved", 0));
	}
	json_decref(lim);
	reply_json(rq, 200, json_pack("{s:o}", "quota", out));
	return 0;
}

/* A limit as Neutron's converter takes it: an integer or a string of one, in
 * [-1, INT_MAX]. */
static int parse_limit(const char *key, const json_t *v, long long *out, struct err *err)
{
	char *end;

	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (json_is_string(v) && *json_string_value(v) != '\0') {
		*out = strtoll(json_string_value(v), &end, 10);
		if (*end != '\0')
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for operation: '%s' is not an integer.",
				       json_string_value(v));
	} else {
		char *text = json_dumps(v, JSON_ENCODE_ANY);
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for %s. Reason: '%s' is not an integer.", key,
			text != NULL ? text : "");
		free(text);
		return -1;
	}
	if (*out < -1)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: '%lld' is too small - must be at "
			       "least '-1'.",
			       key, *out);
	if (*out > INT_MAX)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: '%lld' is too large - must be no "
			       "more than '%d'.",
			       key, *out, INT_MAX);
	return 0;
}

/* Checks the body of a PUT: every key a quota resource (or one of the flags
 * check_limit, force, project_id, tenant_id), every limit valid. */
static int check_update(const json_t *q, bool *force, struct err *err)
{
	const char *key;
	json_t *v;
	long long n;

	json_object_foreach((json_t *)q, key, v) {
		if (strcmp(key, "check_limit") == 0 || strcmp(key, "force") == 0) {
			int b = json_is_boolean(v) ? json_is_true(v)
				: json_is_string(v) ? util_parse_bool(json_string_value(v))
						    : -1;
			if (b < 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for %s. Reason: cannot be converted "
					       "to boolean.",
					       key);
			if (strcmp(key, "force") == 0)
				*force = b == 1;
		} else if (strcmp(key, "project_id") == 0 || strcmp(key, "tenant_id") == 0) {
			continue;
		} else if (quota_res_find(key) == NULL) {
			return err_set(err, ERR_BAD_REQUEST, "Unrecognized attribute(s) '%s'",
				       key);
		} else if (parse_limit(key, v, &n, err) < 0)
			return -1;
	}
	return 0;
}

/* PUT /v2.0/quotas/{project_id} (admin): stores the given limits. A limit under the
 * current usage is refused unless "force" is true (Neutron since 2025.1; check_limit, the
 * older way to ask for that check, is taken and changes nothing). Answers all the
 * project's limits. */
static int quota_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *project = req_param(rq, "project_id");
	bool force = false;
	json_t *body, *q, *v, *out;
	const char *key;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (q = jsonx_member_object(body, "quota", err)) == NULL ||
	    check_update(q, &force, err) < 0 || db_begin(db, err) < 0)
		return -1;
	json_object_foreach(q, key, v) {
		const struct quota_res *r = quota_res_find(key);
		long long n, used;
		if (r == NULL)
			continue;
		parse_limit(key, v, &n, err); /* checked above */
		if (!force && n >= 0) {
			if ((used = usage(db, r, project, err)) < 0)
				goto fail;
			if (n < used) {
				err_set(err, ERR_BAD_REQUEST,
					"Quota limit %lld for %s must be greater than or equal to "
					"already used %lld",
					n, key, used);
				goto fail;
			}
		}
		if (db_exec(db, err, "DELETE FROM net_quota WHERE project_id = ? AND resource = ?",
			    DBP(project, key)) < 0 ||
		    db_exec(db, err,
			    "INSERT INTO net_quota (project_id, resource, hard_limit)"
			    " VALUES (?, ?, ?)",
			    DBP(project, key, req_printf(rq, "%lld", n))) < 0)
			goto fail;
	}
	if ((out = limits(db, project, false, err)) == NULL)
		goto fail;
	if (db_commit(db, err) < 0) {
		json_decref(out);
		goto fail;
	}
	reply_json(rq, 200, json_pack("{s:o}", "quota", out));
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* DELETE /v2.0/quotas/{project_id} (admin): back to the defaults; 404 when it had no
 * override, as Neutron. */
static int quota_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *project = req_param(rq, "project_id");
	int n;

	if (db == NULL ||
	    (n = db_exec(db, err, "DELETE FROM net_quota WHERE project_id = ?", DBP(project))) < 0)
		return -1;
	if (n == 0)
		return err_set(err, ERR_NOT_FOUND, "Quota for tenant %s could not be found.",
			       project);
	reply_empty(rq, 204);
	return 0;
}

const struct route net_quota_routes[] = {
	{ HTTP_GET, "/v2.0/quotas", quotas_list, "network:get_quotas" },
	{ HTTP_GET, "/v2.0/quotas/{project_id}", quota_show, "network:get_quota" },
	{ HTTP_GET, "/v2.0/quotas/{project_id}/default", quota_default_show, "network:get_quota" },
	{ HTTP_GET, "/v2.0/quotas/{project_id}/details", quota_details, "network:get_quota" },
	/* Neutron takes a format suffix; Tempest's quotas client asks details this way */
	{ HTTP_GET, "/v2.0/quotas/{project_id}/details.json", quota_details, "network:get_quota" },
	{ HTTP_PUT, "/v2.0/quotas/{project_id}", quota_update, "network:update_quota" },
	{ HTTP_DELETE, "/v2.0/quotas/{project_id}", quota_delete, "network:delete_quota" },
	{ 0 },
};
