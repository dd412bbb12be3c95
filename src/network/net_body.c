/* Request bodies and row writes of the Neutron resource engine (net_res.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/net_res.h"

static const char *col(const struct net_attr *a)
{
	return a->column != NULL ? a->column : a->name;
}

static bool in_list(const char *const *list, const char *s)
{
	for (; list != NULL && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* Converts in place what Neutron's converters accept (booleans as strings, integers as
 * strings) and checks the type; 400 with Neutron's "Invalid input for" words. */
static int check_value(json_t *item, const char *key, const struct net_attr *a,
		       struct err *err)
{
	json_t *v = json_object_get(item, key);
	int max = a->max_len ? a->max_len : 255;

	if (json_is_null(v)) {
		if (a->flags & (NAF_NULL | NAF_EMPTY_NULL))
			return 0;
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: 'None' is not a valid %s.", key,
			       a->type == NA_BOOL ? "boolean" : "value");
	}
	switch (a->type) {
	case NA_STR:
		if (!json_is_string(v))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for %s. Reason: '%s' is not a valid string.",
				       key, json_is_integer(v) ? "number" : "value");
		if ((int)jsonx_utf8_len(json_string_value(v)) > max)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for %s. Reason: '%.64s' exceeds maximum "
				       "length of %d.",
				       key, json_string_value(v), max);
		return 0;
	case NA_BOOL:
		if (json_is_boolean(v))
			return 0;
		if (json_is_string(v) && util_parse_bool(json_string_value(v)) >= 0) {
			json_object_set_new(item, key,
					    json_boolean(util_parse_bool(json_string_value(v))));
			return 0;
		}
		if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
			json_object_set_new(item, key, json_boolean(json_integer_value(v)));
			return 0;
		}
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: '%s' cannot be converted to "
			       "boolean.",
			       key, json_is_string(v) ? json_string_value(v) : "value");
	case NA_INT:
		if (json_is_integer(v))
			return 0;
		if (json_is_string(v)) {
			char *end;
			long long n = strtoll(json_string_value(v), &end, 10);
			if (*json_string_value(v) && *end == '\0') {
				json_object_set_new(item, key, json_integer(n));
				return 0;
			}
		}
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: '%s' is not an integer.", key,
			       json_is_string(v) ? json_string_value(v) : "value");
	case NA_JSON:
		if (json_is_array(v) || json_is_object(v))
			return 0;
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: '%s' is not a list.", key,
			       json_is_string(v) ? json_string_value(v) : "value");
	default:
		return err_set(err, ERR_BAD_REQUEST, "Attribute '%s' not allowed in POST",
			       key);
	}
}

int net_check_item(struct req *rq, const struct net_rdef *rd, json_t *item, bool create,
		   const char *const *extra, struct err *err)
{
	const char *key, *pid, *tid;
	json_t *v;
	char unknown[160] = "";

	if (!json_is_object(item))
		return err_set(err, ERR_BAD_REQUEST, "Invalid input for operation: '%s' must "
			       "be a dictionary.", rd->name);
	json_object_foreach(item, key, v) {
		const struct net_attr *a = net_attr_find(rd, key);
		bool owner = strcmp(key, "project_id") == 0 || strcmp(key, "tenant_id") == 0;

		if (in_list(extra, key))
			continue;
		if (owner) {
			if (!create)
				return err_set(err, ERR_BAD_REQUEST,
					       "Cannot update read-only attribute %s", key);
			if (!json_is_string(v))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for %s. Reason: it is not a valid "
					       "string.",
					       key);
			continue;
		}
		if (a == NULL) {
			if (strcmp(key, "id") == 0 || strcmp(key, "created_at") == 0 ||
			    strcmp(key, "updated_at") == 0 || strcmp(key, "revision_number") == 0 ||
			    strcmp(key, "tags") == 0)
				return err_set(err, ERR_BAD_REQUEST,
					       create ? "Attribute '%s' not allowed in POST"
						      : "Cannot update read-only attribute %s",
					       key);
			if (strlen(unknown) + strlen(key) + 3 < sizeof(unknown))
				snprintf(unknown + strlen(unknown),
					 sizeof(unknown) - strlen(unknown), "%s%s",
					 *unknown ? ", " : "", key);
			continue;
		}
		if (!(a->flags & (create ? NAF_POST : NAF_PUT)))
			return err_set(err, ERR_BAD_REQUEST,
				       create ? "Attribute '%s' not allowed in POST"
					      : "Cannot update read-only attribute %s",
				       key);
		if ((a->flags & NAF_ADMIN) && !net_is_admin(rq))
			return err_set(err, ERR_FORBIDDEN,
				       "(rule:%s_%s and rule:%s_%s:%s) is disallowed by policy",
				       create ? "create" : "update", rd->name,
				       create ? "create" : "update", rd->name, key);
		if (check_value(item, key, a, err) < 0)
			return -1;
	}
	if (*unknown)
		return err_set(err, ERR_BAD_REQUEST, "Unrecognized attribute(s) '%s'", unknown);
	pid = jsonx_str(item, "project_id");
	tid = jsonx_str(item, "tenant_id");
	if (pid != NULL && tid != NULL && strcmp(pid, tid) != 0)
		return err_set(err, ERR_BAD_REQUEST, "'project_id' and 'tenant_id' do not match");
	if (pid == NULL)
		pid = tid;
	if (pid != NULL && !net_is_admin(rq) && !net_caller_owns(rq, pid))
		return err_set(err, ERR_FORBIDDEN, "(rule:create_%s) is disallowed by policy",
			       rd->name);
	if (create) {
		/* the owner, always as project_id; an admin token without a project names
		 * it (Neutron's words), nothing is made for project '' */
		if (pid == NULL)
			pid = net_caller_project(rq);
		if (pid == NULL || *pid == '\0')
			return err_set(err, ERR_BAD_REQUEST,
				       "Running without keystone AuthN requires that tenant_id "
				       "is specified");
		json_object_set_new(item, "project_id", json_string(pid));
		json_object_del(item, "tenant_id");
	}
	return 0;
}

static json_t *request_body(struct req *rq, struct err *err)
{
	if (rq->body == NULL || rq->body_size == 0)
		return err_set(err, ERR_BAD_REQUEST, "Resource body required"), NULL;
	if (rq->json == NULL) {
		json_error_t je;
		rq->json = json_loadb(rq->body, rq->body_size, 0, &je);
		if (rq->json == NULL)
			return err_set(err, ERR_BAD_REQUEST, "Malformed request body"), NULL;
	}
	if (!json_is_object(rq->json))
		return err_set(err, ERR_BAD_REQUEST, "Malformed request body"), NULL;
	return rq->json;
}

json_t *net_body(struct req *rq, const struct net_rdef *rd, bool create,
		 const char *const *extra, struct err *err)
{
	json_t *body = request_body(rq, err), *item;

	if (body == NULL)
		return NULL;
	item = json_object_get(body, rd->name);
	if (item == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Unable to find '%s' in request body",
			       rd->name),
		       NULL;
	if (net_check_item(rq, rd, item, create, extra, err) < 0)
		return NULL;
	return item;
}

json_t *net_body_items(struct req *rq, const struct net_rdef *rd, struct err *err)
{
	json_t *body = request_body(rq, err), *one, *many, *arr;

	if (body == NULL)
		return NULL;
	one = json_object_get(body, rd->name);
	many = json_object_get(body, rd->plural);
	if (one != NULL) {
		arr = json_array();
		json_array_append(arr, one);
		/* kept alive by the request's body */
		json_object_set_new(body, "\x01items", arr);
		return arr;
	}
	if (json_is_array(many) && json_array_size(many) > 0)
		return many;
	return err_set(err, ERR_BAD_REQUEST, "Unable to find '%s' in request body", rd->name),
	       NULL;
}

/* The stored text of a value (caller frees): NULL for null. */
static char *db_text(const struct net_attr *a, const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return (a->flags & NAF_EMPTY_NULL) ? xstrdup("") : NULL;
	switch (a->type) {
	case NA_BOOL:
		return xstrdup(json_is_true(v) ? "1" : "0");
	case NA_INT:
		return xasprintf("%lld", (long long)json_integer_value(v));
	case NA_JSON:
		return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	default:
		return xstrdup(json_is_string(v) ? json_string_value(v) : "");
	}
}

const char *net_db_text(struct req *rq, const struct net_attr *a, const json_t *v)
{
	char *s = db_text(a, v), *r = s != NULL ? req_strdup(rq, s) : NULL;

	free(s);
	return r;
}

struct texts {
	char *s[SQLB_MAX_PARAMS];
	int n;
};

static const char *keep(struct texts *t, char *s)
{
	if (t->n < SQLB_MAX_PARAMS)
		t->s[t->n++] = s;
	return s;
}

static void texts_free(struct texts *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->s[i]);
}

int net_insert(struct db *db, const struct net_rdef *rd, const json_t *vals, struct err *err)
{
	struct sqlb sb;
	struct texts t = { .n = 0 };
	char now[24];
	int rc, n = 0;

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	sqlb_init(&sb, "INSERT INTO ");
	sqlb_text(&sb, rd->table);
	sqlb_text(&sb, " (id, project_id, created_at, updated_at, revision_number");
	for (const struct net_attr *a = rd->attrs; a->name; a++)
		if (json_object_get(vals, a->name) != NULL && a->type != NA_TIME) {
			sqlb_text(&sb, ", ");
			sqlb_text(&sb, col(a));
		}
	sqlb_text(&sb, ") VALUES (?, ?, ?, ?, 0");
	sqlb_param(&sb, jsonx_str(vals, "id"));
	sqlb_param(&sb, jsonx_str(vals, "project_id"));
	sqlb_param(&sb, now);
	sqlb_param(&sb, now);
	for (const struct net_attr *a = rd->attrs; a->name; a++)
		if (json_object_get(vals, a->name) != NULL && a->type != NA_TIME) {
			const char *v = keep(&t, db_text(a, json_object_get(vals, a->name)));
			/* sqlb binds no NULL: SQL's own NULL then */
			sqlb_add(&sb, v != NULL ? ", ?" : ", NULL", v);
			n++;
		}
	sqlb_text(&sb, ")");
	BUG_ON(n + 4 > SQLB_MAX_PARAMS);
	rc = db_exec(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	texts_free(&t);
	return rc < 0 ? -1 : 0;
}

int net_update(struct db *db, const struct net_rdef *rd, const char *id, const json_t *vals,
	       struct err *err)
{
	struct sqlb sb;
	struct texts t = { .n = 0 };
	char now[24];
	int rc;

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	sqlb_init(&sb, "UPDATE ");
	sqlb_text(&sb, rd->table);
	sqlb_add(&sb, " SET revision_number = revision_number + 1, updated_at = ?", now);
	for (const struct net_attr *a = rd->attrs; a->name; a++) {
		const char *v;

		if (json_object_get(vals, a->name) == NULL || a->type == NA_TIME)
			continue;
		sqlb_text(&sb, ", ");
		sqlb_text(&sb, col(a));
		v = keep(&t, db_text(a, json_object_get(vals, a->name)));
		sqlb_add(&sb, v != NULL ? " = ?" : " = NULL", v);
	}
	sqlb_add(&sb, " WHERE id = ?", id);
	rc = db_exec(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	texts_free(&t);
	return rc < 0 ? -1 : 0;
}

int net_delete_row(struct db *db, const struct net_rdef *rd, const char *id, struct err *err)
{
	char *sql = xasprintf("DELETE FROM %s WHERE id = ?", rd->table);
	int rc = db_exec(db, err, sql, DBP(id));

	free(sql);
	if (rc >= 0 && db_exec(db, err, "DELETE FROM net_tag WHERE resource_id = ?", DBP(id)) < 0)
		return -1;
	return rc;
}

int net_create(struct req *rq, const struct net_rdef *rd, const char *const *extra,
	       json_t *(*create_one)(struct req *rq, struct db *db, json_t *item,
				     struct err *err),
	       struct err *err)
{
	struct db *db = db_get(err);
	json_t *items = NULL, *out = json_array(), *item;
	size_t i;

	if (db == NULL || (items = net_body_items(rq, rd, err)) == NULL || db_begin(db, err) < 0)
		goto fail;
	json_array_foreach(items, i, item) {
		json_t *o;
		if (net_check_item(rq, rd, item, true, extra, err) < 0 ||
		    (o = create_one(rq, db, item, err)) == NULL)
			goto fail;
		json_array_append_new(out, o);
	}
	if (db_commit(db, err) < 0)
		goto fail;
	if (json_object_get(rq->json, rd->plural) != NULL) {
		reply_json(rq, 201, json_pack("{s:o}", rd->plural, out));
	} else {
		net_reply_one(rq, rd, 201, json_incref(json_array_get(out, 0)));
		json_decref(out);
	}
	net_changed();
	return 0;
fail:
	if (db != NULL)
		db_rollback(db);
	json_decref(out);
	return -1;
}
