/* Tags of any resource: /v2.0/<plural>/{id}/tags[/{tag}] (standard-attr-tag). A tag is at
 * most 60 characters without ','; the list filters tags, tags-any, not-tags, not-tags-any
 * split a query value on ','. */
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "network/net_int.h"

const struct net_rdef *const net_tagged[] = {
	&net_network_rdef, &net_subnet_rdef, &net_subnetpool_rdef, &net_port_rdef,
	&net_secgroup_rdef, &net_router_rdef, &net_fip_rdef, NULL,
};

/* The resource whose collection path is 'path' ("security-groups" is the collection
 * security_groups). */
static const struct net_rdef *tagged(const char *path)
{
	for (int i = 0; net_tagged[i]; i++) {
		const char *p = net_tagged[i]->plural, *s = path;
		while (*p && (*p == *s || (*p == '_' && *s == '-'))) {
			p++;
			s++;
		}
		if (*p == '\0' && *s == '\0')
			return net_tagged[i];
	}
	return NULL;
}

static int check_tag(const json_t *t, struct err *err)
{
	const char *s = json_string_value(t);

	if (s == NULL || *s == '\0' || jsonx_utf8_len(s) > 60 || strchr(s, ',') != NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: '%s' is not a valid tag.",
			       s != NULL ? s : "value");
	return 0;
}

/* The resource of the path if the caller may see it ('modify': and change it); NULL with
 * 404/403 otherwise. Caller owns. */
static json_t *target(struct req *rq, struct db *db, bool modify, struct err *err)
{
	const struct net_rdef *rd = tagged(req_param(rq, "res"));
	json_t *o;

	if (rd == NULL)
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found."), NULL;
	o = net_find(rq, db, rd, req_param(rq, "id"), err);
	if (o != NULL && modify && !net_is_admin(rq) &&
	    !net_caller_owns(rq, jsonx_str(o, "project_id"))) {
		json_decref(o);
		return err_set(err, ERR_FORBIDDEN, "(rule:update_%s:tags) is disallowed by policy",
			       rd->name),
		       NULL;
	}
	return o;
}

static int tags_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *o;

	if (db == NULL || (o = target(rq, db, false, err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:O}", "tags", json_object_get(o, "tags")));
	json_decref(o);
	return 0;
}

static int tag_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *tag = req_param(rq, "tag");
	bool found = false;
	size_t i;
	json_t *o, *t;

	if (db == NULL || (o = target(rq, db, false, err)) == NULL)
		return -1;
	json_array_foreach(json_object_get(o, "tags"), i, t)
		found = found || str_eq(json_string_value(t), tag);
	json_decref(o);
	if (!found)
		return err_set(err, ERR_NOT_FOUND, "Tag %s could not be found.", tag);
	reply_empty(rq, 204);
	return 0;
}

/* Runs 'sql' (resource id, then maybe a tag) and bumps the resource's revision. */
static int change(struct req *rq, struct db *db, const json_t *o, const char *sql,
		  const char *tag, struct err *err)
{
	const struct net_rdef *rd = tagged(req_param(rq, "res"));
	const char *id = jsonx_str(o, "id");
	int rc = tag != NULL ? db_exec(db, err, sql, DBP(id, tag)) : db_exec(db, err, sql, DBP(id));

	if (rc < 0 || net_update(db, rd, id, NULL, err) < 0)
		return -1;
	return rc;
}

static int tags_replace(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body = req_json(rq, err), *tags, *o = NULL, *t;
	size_t i;

	if (db == NULL || body == NULL)
		return -1;
	tags = json_object_get(body, "tags");
	if (!json_is_array(tags))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for operation: 'tags' must be a list.");
	json_array_foreach(tags, i, t)
		if (check_tag(t, err) < 0)
			return -1;
	if (db_begin(db, err) < 0 || (o = target(rq, db, true, err)) == NULL ||
	    change(rq, db, o, "DELETE FROM net_tag WHERE resource_id = ?", NULL, err) < 0)
		goto fail;
	json_array_foreach(tags, i, t)
		if (db_exec(db, err,
			    db_engine() == DB_PG
				    ? "INSERT INTO net_tag (resource_id, tag) VALUES (?, ?)"
				      " ON CONFLICT DO NOTHING"
				    : "INSERT OR IGNORE INTO net_tag (resource_id, tag)"
				      " VALUES (?, ?)",
			    DBP(jsonx_str(o, "id"), json_string_value(t))) < 0)
			goto fail;
	if (db_commit(db, err) < 0)
		goto fail;
	json_decref(o);
	reply_json(rq, 200, json_pack("{s:O}", "tags", tags));
	return 0;
fail:
	json_decref(o);
	db_rollback(db);
	return -1;
}

static int tag_add(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *o = NULL, *t = json_string(req_param(rq, "tag"));

	if (db == NULL || check_tag(t, err) < 0 || db_begin(db, err) < 0 ||
	    (o = target(rq, db, true, err)) == NULL ||
	    change(rq, db, o,
		   db_engine() == DB_PG ? "INSERT INTO net_tag (resource_id, tag) VALUES (?, ?)"
					  " ON CONFLICT DO NOTHING"
					: "INSERT OR IGNORE INTO net_tag (resource_id, tag)"
					  " VALUES (?, ?)",
		   json_string_value(t), err) < 0 ||
	    db_commit(db, err) < 0)
		goto fail;
	json_decref(o);
	json_decref(t);
	reply_empty(rq, 201);
	return 0;
fail:
	json_decref(o);
	json_decref(t);
	if (db != NULL)
		db_rollback(db);
	return -1;
}

static int tags_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *o = NULL;

	if (db == NULL || db_begin(db, err) < 0 || (o = target(rq, db, true, err)) == NULL ||
	    change(rq, db, o, "DELETE FROM net_tag WHERE resource_id = ?", NULL, err) < 0 ||
	    db_commit(db, err) < 0)
		goto fail;
	json_decref(o);
	reply_empty(rq, 204);
	return 0;
fail:
	json_decref(o);
	if (db != NULL)
		db_rollback(db);
	return -1;
}

static int tag_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *tag = req_param(rq, "tag");
	json_t *o = NULL;
	int n;

	if (db == NULL || db_begin(db, err) < 0 || (o = target(rq, db, true, err)) == NULL ||
	    (n = change(rq, db, o, "DELETE FROM net_tag WHERE resource_id = ? AND tag = ?", tag,
			err)) < 0)
		goto fail;
	if (n == 0) {
		err_set(err, ERR_NOT_FOUND, "Tag %s could not be found.", tag);
		goto fail;
	}
	if (db_commit(db, err) < 0)
		goto fail;
	json_decref(o);
	reply_empty(rq, 204);
	return 0;
fail:
	json_decref(o);
	if (db != NULL)
		db_rollback(db);
	return -1;
}

const struct route net_tag_routes[] = {
	{ HTTP_GET, "/v2.0/{res}/{id}/tags", tags_show, "network:get_tags" },
	{ HTTP_PUT, "/v2.0/{res}/{id}/tags", tags_replace, "network:update_tags" },
	{ HTTP_DELETE, "/v2.0/{res}/{id}/tags", tags_delete, "network:delete_tags" },
	{ HTTP_GET, "/v2.0/{res}/{id}/tags/{tag}", tag_show, "network:get_tag" },
	{ HTTP_PUT, "/v2.0/{res}/{id}/tags/{tag}", tag_add, "network:add_tag" },
	{ HTTP_DELETE, "/v2.0/{res}/{id}/tags/{tag}", tag_delete, "network:delete_tag" },
	{ 0 },
};
