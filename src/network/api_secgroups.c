/* Security groups: /v2.0/security-groups (security-group, stateful-security-group). A
 * group holds rules (api_sg_rules.c) and is attached to ports (net_port_sg). Each project
 * has one group named "default", made on first use (listing groups, creating a group or a
 * port) with Neutron's default rules; net_default_sg records it so that two requests
 * racing to make it agree on one. No other group may be named "default", and the default
 * group keeps its name. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/net_int.h"
#include "network/sg_int.h"

static const struct net_attr sg_attrs[] = {
	{ "name", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "description", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ "stateful", NULL, NA_BOOL, NAF_FILTER | NAF_SORT | NAF_POST | NAF_PUT, 0 },
	{ 0 },
};

/* security_group_rules (whole rule bodies, as Neutron embeds them) and shared. */
static int sg_decorate(struct req *rq, struct db *db, json_t *items, struct err *err)
{
	size_t i, n = json_array_size(items);
	json_t *o;

	json_array_foreach(items, i, o) {
		json_object_set_new(o, "security_group_rules", json_array());
		json_object_set_new(o, "shared", json_false());
	}
	for (size_t from = 0; from < n; from += 30) {
		size_t chunk = n - from < 30 ? n - from : 30;
		struct sqlb sb;
		struct db_res *res;
		int rc = 0;

		sqlb_init(&sb, "SELECT security_group_id, id FROM net_sg_rule"
			       " WHERE security_group_id IN (");
		for (size_t j = 0; j < chunk; j++)
			sqlb_add(&sb, j ? ", ?" : "?",
				 jsonx_str(json_array_get(items, from + j), "id"));
		sqlb_text(&sb, ") ORDER BY created_at, id");
		res = db_query(db, err, sb.sql, sb.params, sb.n);
		sqlb_free(&sb);
		if (res == NULL)
			return -1;
		for (int r = 0; r < db_res_rows(res) && rc == 0; r++) {
			json_t *rule = net_get(rq, db, &net_sg_rule_rdef, db_res_str(res, r, 1), err);
			if (rule == NULL) {
				rc = -1;
				break;
			}
			for (size_t j = from; j < from + chunk; j++) {
				o = json_array_get(items, j);
				if (str_eq(jsonx_str(o, "id"), db_res_str(res, r, 0)))
					json_array_append(json_object_get(o, "security_group_rules"),
							  rule);
			}
			json_decref(rule);
		}
		db_res_free(res);
		if (rc < 0)
			return -1;
	}
	return 0;
}

const struct net_rdef net_secgroup_rdef = {
	.name = "security_group",
	.plural = "security_groups",
	.title = "Security group",
	.table = "net_secgroup",
	.attrs = sg_attrs,
	.decorate = sg_decorate,
};

/* ---- the default group ---- */

/* Inserts a rule of Neutron's default set: any protocol, no port, 'remote_group' or no
 * remote. */
static int default_rule(struct db *db, const char *project, const char *sg, const char *dir,
			const char *ethertype, const char *remote_group, struct err *err)
{
	char id[37];
	json_t *vals;
	int rc;

	util_uuid(id);
	vals = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "project_id", project,
			 "security_group_id", sg, "direction", dir, "ethertype", ethertype);
	if (remote_group != NULL)
		json_object_set_new(vals, "remote_group_id", json_string(remote_group));
	rc = net_insert(db, &net_sg_rule_rdef, vals, err);
	json_decref(vals);
	return rc;
}

int net_sg_egress_rules(struct db *db, const char *project, const char *sg, struct err *err)
{
	if (default_rule(db, project, sg, "egress", "IPv4", NULL, err) < 0 ||
	    default_rule(db, project, sg, "egress", "IPv6", NULL, err) < 0)
		return -1;
	return 0;
}

int net_default_sg(struct db *db, const char *project, char out[37], struct err *err)
{
	char id[37];
	struct db_res *res;
	json_t *vals;
	int n, rc;

	/* the claim first: a racing request waits on the key (PostgreSQL) or the write lock
	 * (SQLite), then finds the row and makes nothing */
	util_uuid(id);
	n = db_exec(db, err,
		    "INSERT INTO net_default_sg (project_id, secgroup_id) VALUES (?, ?)"
		    " ON CONFLICT DO NOTHING",
		    DBP(project, id));
	if (n < 0)
		return -1;
	if (n == 0) {
		res = db_query(db, err, "SELECT secgroup_id FROM net_default_sg WHERE project_id = ?",
			       DBP(project));
		if (res == NULL)
			return -1;
		if (db_res_rows(res) == 0) {
			db_res_free(res);
			return err_set(err, ERR_UNAVAILABLE,
				       "The default security group is being changed; retry.");
		}
		snprintf(out, 37, "%s", db_res_str(res, 0, 0));
		db_res_free(res);
		return 0;
	}
	vals = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "project_id", project, "name", "default",
			 "description", "Default security group");
	rc = net_insert(db, &net_secgroup_rdef, vals, err);
	json_decref(vals);
	if (rc < 0 || net_sg_egress_rules(db, project, id, err) < 0 ||
	    default_rule(db, project, id, "ingress", "IPv4", id, err) < 0 ||
	    default_rule(db, project, id, "ingress", "IPv6", id, err) < 0)
		return -1;
	snprintf(out, 37, "%s", id);
	return 0;
}

/* True when 'id' is some project's default group; -1 on error. */
static int is_default(struct db *db, const char *id, struct err *err)
{
	struct db_res *res =
		db_query(db, err, "SELECT 1 FROM net_default_sg WHERE secgroup_id = ?", DBP(id));
	int rc;

	if (res == NULL)
		return -1;
	rc = db_res_rows(res) > 0;
	db_res_free(res);
	return rc;
}

struct owner_filter {
	const char *project;
	int n;
};

static int collect_owner(void *ctx, const char *key, const char *val)
{
	struct owner_filter *f = ctx;

	if ((strcmp(key, "project_id") == 0 || strcmp(key, "tenant_id") == 0) && val != NULL) {
		f->project = val;
		f->n++;
	}
	return 0;
}

int net_sg_ensure_listed_default(struct req *rq, struct db *db, struct err *err)
{
	struct owner_filter f = { .project = NULL, .n = 0 };
	const char *project = net_caller_project(rq);
	char id[37];

	req_query_each(rq, collect_owner, &f);
	if (f.n == 1 && *f.project && (net_is_admin(rq) || net_caller_owns(rq, f.project)))
		project = f.project;
	if (project == NULL)
		return 0;
	if (db_begin(db, err) < 0)
		return -1;
	if (net_default_sg(db, project, id, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* ---- handlers ---- */

/* The group if the caller may see it: Neutron's words for a 404. Caller owns. */
json_t *net_sg_find(struct req *rq, struct db *db, const char *id, struct err *err)
{
	json_t *sg = net_find(rq, db, &net_secgroup_rdef, id, err);

	if (sg == NULL && err->kind == ERR_NOT_FOUND) {
		err_clear(err);
		err_set(err, ERR_NOT_FOUND, "Security group %s does not exist", id);
	}
	return sg;
}

/* The group if the caller may change it: 404 when it cannot see it, 403 when it can but
 * does not own it. Caller owns. */
static json_t *find_owned(struct req *rq, struct db *db, const char *id, const char *action,
			  struct err *err)
{
	json_t *sg = net_sg_find(rq, db, id, err);

	if (sg == NULL || net_is_admin(rq) ||
	    net_caller_owns(rq, jsonx_str(sg, "project_id")))
		return sg;
	json_decref(sg);
	err_set(err, ERR_FORBIDDEN, "(rule:%s_security_group) is disallowed by policy", action);
	return NULL;
}

/* 409 for a name Neutron keeps for the default group (any case). */
static int check_name(const json_t *item, struct err *err)
{
	const char *name = jsonx_str(item, "name");

	if (name != NULL && strcasecmp(name, "default") == 0)
		return err_set(err, ERR_CONFLICT, "Default security group already exists.");
	return 0;
}

/* Ports using the group; -1 on error. */
static long long ports_using(struct db *db, const char *id, struct err *err)
{
	struct db_res *res =
		db_query(db, err, "SELECT COUNT(*) FROM net_port_sg WHERE secgroup_id = ?", DBP(id));
	long long n;

	if (res == NULL)
		return -1;
	n = db_res_int(res, 0, 0);
	db_res_free(res);
	return n;
}

static json_t *create_one(struct req *rq, struct db *db, json_t *item, struct err *err)
{
	const char *project = jsonx_str(item, "project_id");
	char id[37], def[37];

	/* the group and the two rules it starts with, as Neutron counts them */
	if (check_name(item, err) < 0 || net_default_sg(db, project, def, err) < 0 ||
	    net_quota_check(db, project, "security_group", 1, err) < 0 ||
	    net_quota_check(db, project, "security_group_rule", 2, err) < 0)
		return NULL;
	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	if (net_insert(db, &net_secgroup_rdef, item, err) < 0 ||
	    net_sg_egress_rules(db, project, id, err) < 0)
		return NULL;
	return net_get(rq, db, &net_secgroup_rdef, id, err);
}

static int groups_create(struct req *rq, struct err *err)
{
	return net_create(rq, &net_secgroup_rdef, NULL, create_one, err);
}

static int groups_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	if (db == NULL || net_sg_ensure_listed_default(rq, db, err) < 0)
		return -1;
	return net_list(rq, &net_secgroup_rdef, err);
}

static int group_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *sg;

	if (db == NULL || (sg = net_sg_find(rq, db, req_param(rq, "id"), err)) == NULL)
		return -1;
	net_reply_one(rq, &net_secgroup_rdef, 200, sg);
	return 0;
}

static int group_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *item, *sg = NULL, *stateful;
	int def;

	if (db == NULL || (item = net_body(rq, &net_secgroup_rdef, false, NULL, err)) == NULL ||
	    check_name(item, err) < 0 || db_begin(db, err) < 0)
		return -1;
	if ((sg = find_owned(rq, db, id, "update", err)) == NULL ||
	    (def = is_default(db, id, err)) < 0)
		goto fail;
	if (json_object_get(item, "name") != NULL &&
	    (def || str_eq(jsonx_str(sg, "name"), "default"))) {
		err_set(err, ERR_CONFLICT, "Updating default security group not allowed.");
		goto fail;
	}
	stateful = json_object_get(item, "stateful");
	if (stateful != NULL &&
	    json_is_true(stateful) != json_is_true(json_object_get(sg, "stateful"))) {
		long long n = ports_using(db, id, err);
		if (n < 0)
			goto fail;
		if (n > 0) {
			err_set(err, ERR_CONFLICT, "Security Group %s in use.", id);
			goto fail;
		}
	}
	json_decref(sg);
	if (net_update(db, &net_secgroup_rdef, id, item, err) < 0 ||
	    (sg = net_get(rq, db, &net_secgroup_rdef, id, err)) == NULL ||
	    db_commit(db, err) < 0)
		goto fail;
	net_reply_one(rq, &net_secgroup_rdef, 200, sg);
	net_changed();
	return 0;
fail:
	json_decref(sg);
	db_rollback(db);
	return -1;
}

static int group_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *sg = NULL;
	long long used;
	int def;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((sg = find_owned(rq, db, id, "delete", err)) == NULL ||
	    (def = is_default(db, id, err)) < 0)
		goto fail;
	if (def && !net_is_admin(rq)) {
		err_set(err, ERR_CONFLICT, "Insufficient rights for removing default security "
					   "group.");
		goto fail;
	}
	if ((used = ports_using(db, id, err)) < 0)
		goto fail;
	if (used > 0) {
		err_set(err, ERR_CONFLICT, "Security Group %s in use.", id);
		goto fail;
	}
	/* its rules, and the rules of other groups that name it as their remote group */
	if (db_exec(db, err,
		    "DELETE FROM net_sg_rule WHERE security_group_id = ? OR remote_group_id = ?",
		    DBP(id, id)) < 0 ||
	    db_exec(db, err, "DELETE FROM net_default_sg WHERE secgroup_id = ?", DBP(id)) < 0 ||
	    net_delete_row(db, &net_secgroup_rdef, id, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	json_decref(sg);
	reply_empty(rq, 204);
	net_changed();
	return 0;
fail:
	json_decref(sg);
	db_rollback(db);
	return -1;
}

const struct route net_secgroup_routes[] = {
	{ HTTP_GET, "/v2.0/security-groups", groups_list, "network:get_security_group" },
	{ HTTP_POST, "/v2.0/security-groups", groups_create, "network:create_security_group" },
	{ HTTP_GET, "/v2.0/security-groups/{id}", group_show, "network:get_security_group" },
	{ HTTP_PUT, "/v2.0/security-groups/{id}", group_update, "network:update_security_group" },
	{ HTTP_DELETE, "/v2.0/security-groups/{id}", group_delete, "network:delete_security_group" },
	{ HTTP_GET, "/v2.0/security-group-rules", net_sg_rules_list, "network:get_security_group_rule" },
	{ HTTP_POST, "/v2.0/security-group-rules", net_sg_rules_create, "network:create_security_group_rule" },
	{ HTTP_GET, "/v2.0/security-group-rules/{id}", net_sg_rule_show, "network:get_security_group_rule" },
	{ HTTP_DELETE, "/v2.0/security-group-rules/{id}", net_sg_rule_delete, "network:delete_security_group_rule" },
	{ 0 },
};
