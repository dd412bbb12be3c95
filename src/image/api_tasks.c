/* Image tasks: GET /v2/images/{id}/tasks (API v2.12), and the older tasks API
 * (GET/POST /v2/tasks, GET/DELETE /v2/tasks/{id}).
 *
 * Glance shows an image's tasks to whoever may see the image, in its database's own shape
 * (times without a zone, deleted/deleted_at). The tasks API is deprecated in Glance and
 * its default policy (tasks_api_access) lets only admins in; an admin sees every task.
 * Creating a task through it is refused: the legacy task-based import downloads from a
 * URI, which this cloud cannot do (see api_image_import.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "image"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/tasks_db.h"

/* ---- views ---- */

/* "2020-12-18T05:20:38.000000", as Glance's database rows serialize */
static json_t *db_time(const json_t *us)
{
	char buf[32];
	size_t n;

	if (!json_is_integer(us))
		return json_null();
	util_iso8601(json_integer_value(us), 6, buf);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == 'Z')
		buf[n - 1] = '\0';
	return json_string(buf);
}

/* "2016-06-29T16:13:07Z", as the tasks API shows times */
static json_t *api_time(const json_t *us)
{
	char buf[32];

	util_iso8601(json_integer_value(us), 0, buf);
	return json_string(buf);
}

/* Turns a task as stored into what GET /v2/images/{id}/tasks shows, in place. */
static void image_task_view(json_t *t)
{
	json_object_set_new(t, "created_at", db_time(json_object_get(t, "created_at")));
	json_object_set_new(t, "updated_at", db_time(json_object_get(t, "updated_at")));
	json_object_set_new(t, "expires_at", db_time(json_object_get(t, "expires_at")));
	json_object_set_new(t, "deleted_at", json_null());
	json_object_set_new(t, "deleted", json_false());
}

/* The task as GET /v2/tasks/{id} shows it (full) or as the list shows it (stub);
 * steals 't'. */
static json_t *api_task_view(struct req *rq, json_t *t, bool full)
{
	static const char *const stub_keys[] = { "id", "type", "status", "owner", NULL };
	static const char *const opt_keys[] = { "image_id", "request_id", "user_id", NULL };
	json_t *v = json_object(), *e;

	for (int i = 0; stub_keys[i]; i++)
		json_object_set(v, stub_keys[i], json_object_get(t, stub_keys[i]));
	json_object_set_new(v, "created_at", api_time(json_object_get(t, "created_at")));
	json_object_set_new(v, "updated_at", api_time(json_object_get(t, "updated_at")));
	if (json_is_integer(e = json_object_get(t, "expires_at")))
		json_object_set_new(v, "expires_at", api_time(e));
	json_object_set_new(v, "self",
			    json_string(req_printf(rq, "/v2/tasks/%s", jsonx_str(t, "id"))));
	json_object_set_new(v, "schema", json_string("/v2/schemas/task"));
	if (full) {
		json_object_set(v, "input", json_object_get(t, "input"));
		json_object_set(v, "result", json_object_get(t, "result"));
		json_object_set(v, "message", json_object_get(t, "message"));
		for (int i = 0; opt_keys[i]; i++)
			if (json_is_string(e = json_object_get(t, opt_keys[i])))
				json_object_set(v, opt_keys[i], e);
	}
	json_decref(t);
	return v;
}

/* ---- GET /v2/images/{image_id}/tasks ---- */

static int image_tasks(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	json_auto_t *img = NULL;
	const char *owner = rq->auth->project_id ? rq->auth->project_id : "";
	json_t *list, *t;
	size_t i;

	if (db == NULL)
		return -1;
	if ((img = image_find_visible(rq, db, id, err)) == NULL) {
		if (err->kind != ERR_NOT_FOUND)
			return -1;
		err_clear(err);
		return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
	}
	list = image_task_db_list_image(db, id, image_is_admin(rq) ? NULL : owner, err);
	if (list == NULL)
		return -1;
	json_array_foreach(list, i, t)
		image_task_view(t);
	reply_json(rq, 200, json_pack("{s:o}", "tasks", list));
	return 0;
}

/* ---- /v2/tasks ---- */

/* Glance's tasks_api_access: admin only by default. */
static bool uuid_like(const char *s)
{
	int hex = 0;

	for (; *s; s++) {
		if (isxdigit((unsigned char)*s))
			hex++;
		else if (*s != '-' && *s != '{' && *s != '}')
			return false;
	}
	return hex == 32;
}

static int tasks_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct image_task_filter f = { .sort_key = "created_at", .desc = true, .limit = 25 };
	const char *v;
	const char *q;
	json_t *list, *out, *t, *body;
	size_t i;

	if (db == NULL)
		return -1;
	if ((v = req_query(rq, "sort_dir")) != NULL) {
		if (strcmp(v, "asc") != 0 && strcmp(v, "desc") != 0)
			return err_set(err, ERR_BAD_REQUEST, "Invalid sort direction: %s", v);
		f.desc = strcmp(v, "desc") == 0;
	}
	if ((v = req_query(rq, "sort_key")) != NULL)
		f.sort_key = v;
	if ((v = req_query(rq, "status")) != NULL && *v != '\0') {
		static const char *const statuses[] = { "pending", "processing", "success",
							"failure", NULL };
		if (!image_in_list(statuses, v))
			return err_set(err, ERR_BAD_REQUEST, "Invalid status value: %s", v);
		f.status = v;
	}
	if ((v = req_query(rq, "type")) != NULL && *v != '\0') {
		/* Glance's filter knows the legacy type only */
		if (strcmp(v, "import") != 0)
			return err_set(err, ERR_BAD_REQUEST, "Invalid type value: %s", v);
		f.type = v;
	}
	if ((v = req_query(rq, "marker")) != NULL) {
		if (*v != '\0' && !uuid_like(v))
			return err_set(err, ERR_BAD_REQUEST, "Invalid marker format");
		f.marker = *v ? v : NULL;
	}
	if ((v = req_query(rq, "limit")) != NULL) {
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (errno != 0 || end == v || *end != '\0')
			return err_set(err, ERR_BAD_REQUEST, "limit param must be an integer");
		if (n < 0)
			return err_set(err, ERR_BAD_REQUEST, "limit param must be positive");
		f.limit = n > 1000 ? 1000 : (int)n;
	}
	if ((list = image_task_db_list(db, &f, err)) == NULL)
		return -1;
	q = req_query_except(rq, "marker");
	body = json_pack("{s:s,s:s}", "first",
			 *q ? req_printf(rq, "/v2/tasks?%s", q) : "/v2/tasks", "schema",
			 "/v2/schemas/tasks");
	if (f.limit > 0 && json_array_size(list) == (size_t)f.limit) {
		const char *last = jsonx_str(json_array_get(list, (size_t)f.limit - 1), "id");
		json_object_set_new(body, "next",
				    json_string(req_printf(rq, "/v2/tasks?%s%smarker=%s", q,
							   *q ? "&" : "",
							   req_url_escape(rq, last))));
	}
	out = json_array();
	json_array_foreach(list, i, t) {
		json_array_append_new(out, api_task_view(rq, json_incref(t), false));
	}
	json_decref(list);
	json_object_set_new(body, "tasks", out);
	reply_json(rq, 200, body);
	return 0;
}

static int task_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *t;

	if (db == NULL)
		return -1;
	if ((t = image_task_db_find(db, req_param(rq, "task_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, api_task_view(rq, t, true));
	return 0;
}

/* Glance checks the body before it would create the task. */
static int task_create(struct req *rq, struct err *err)
{
	static const char *const types[] = { "import", "api_image_import", "location_import",
					     NULL };
	json_auto_t *body = NULL;
	json_t *type, *input;

	if (rq->body_size == 0)
		return err_set(err, ERR_BAD_REQUEST, "Body expected in request.");
	if ((body = json_loadb(rq->body, rq->body_size, 0, NULL)) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Malformed JSON in request body.");
	if (!json_is_object(body))
		return err_set(err, ERR_BAD_REQUEST, "Unexpected body type. Expected list/dict.");
	if ((type = json_object_get(body, "type")) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Task 'type' is required");
	if ((input = json_object_get(body, "input")) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Task 'input' is required");
	if (!json_is_string(type) || !image_in_list(types, json_string_value(type)))
		return err_set(err, ERR_BAD_REQUEST,
			       "Provided object does not match schema 'task': '%s' is not one "
			       "of ['import', 'api_image_import', 'location_import']",
			       json_is_string(type) ? json_string_value(type) : "type");
	if (!json_is_object(input) && !json_is_null(input))
		return err_set(err, ERR_BAD_REQUEST,
			       "Provided object does not match schema 'task': input is not of "
			       "type 'null', 'object'");
	return err_set(err, ERR_BAD_REQUEST,
		       "Task-based import is not supported by this cloud: use the image import "
		       "API (POST /v2/images/{image_id}/import).");
}

static int task_delete(struct req *rq, struct err *err)
{
	reply_header(rq, "Allow", "GET");
	return err_set(err, ERR_METHOD,
		       "This operation is currently not permitted on Glance Tasks. They are auto "
		       "deleted after reaching the time based on their expires_at property.");
}

/* An image's tasks are get_image's (api_images.c: a reader, then the image's
 * visibility). Every call of the tasks API passes Glance's tasks_api_access (admin) on top
 * of its own rule (get_tasks, add_task, get_task, modify_task: open by default), so that
 * is the rule the routes name; the error body reads "You are not authorized to complete
 * tasks_api_access action." as Glance's (image.c). */
const struct route image_task_routes[] = {
	{ HTTP_GET, "/v2/images/{image_id}/tasks", image_tasks, "image:get_image" },
	{ HTTP_GET, "/v2/tasks", tasks_list, "image:tasks_api_access" },
	{ HTTP_POST, "/v2/tasks", task_create, "image:tasks_api_access" },
	{ HTTP_GET, "/v2/tasks/{task_id}", task_show, "image:tasks_api_access" },
	{ HTTP_DELETE, "/v2/tasks/{task_id}", task_delete, "image:tasks_api_access" },
	{ 0 },
};

const struct policy image_task_policies[] = {
	{ "image:tasks_api_access", POL_ADMIN },
	{ NULL, 0 },
};
