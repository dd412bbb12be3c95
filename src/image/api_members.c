/* /v2/images/{id}/members: sharing an image with other projects (Glance's members).
 *
 * Only an image whose visibility is "shared" has members. Its owner (or admin) offers it to
 * a project, which starts "pending"; the member alone answers (accepted, rejected, or back
 * to pending). A member sees the image by id whatever its answer, and in its default list
 * once it accepted. A member sees its own membership only; the owner sees them all. */
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/members_db.h"

#define IMAGE_MEMBER_QUOTA 128 /* Glance's image_member_quota default */

static const char *const member_statuses[] = { "pending", "accepted", "rejected", NULL };

static bool is_shared(const json_t *img)
{
	return str_eq(jsonx_str(img, "visibility"), "shared");
}

/* The membership 'member' of the image as the caller may see it: the owner sees every
 * member, a member only itself; anyone else is told it does not exist. */
static json_t *find_member(struct req *rq, struct db *db, const json_t *img,
			   const char *member, struct err *err)
{
	const char *id = jsonx_str(img, "id");

	if (!image_can_modify(rq, img) && !str_eq(member, rq->auth->project_id)) {
		err_set(err, ERR_NOT_FOUND, "%s not found in the member list of the image %s.",
			member, id);
		return NULL;
	}
	return image_member_db_find(db, id, member, err);
}

/* Opens a transaction and finds the image 'id' whose members the caller means to 'verb'
 * (create, update, delete): 404 as image_find_sub, 403 when the image is not shared. On
 * failure the transaction is rolled back; on success the caller owns the image and commits
 * or rolls back. */
static json_t *begin_change(struct req *rq, struct db *db, const char *id, const char *verb,
			    struct err *err)
{
	json_t *img;

	if (db_begin(db, err) < 0)
		return NULL;
	if ((img = image_find_sub(rq, db, id, err)) != NULL && !is_shared(img)) {
		json_decref(img);
		img = NULL;
		err_set(err, ERR_FORBIDDEN, "Not allowed to %s members for image %s.", verb, id);
	}
	if (img == NULL)
		db_rollback(db);
	return img;
}

/* Commits the open transaction (rolled back if that fails) and answers 200 with the
 * membership as stored. */
static int commit_reply(struct req *rq, struct db *db, const char *id, const char *member,
			struct err *err)
{
	json_t *out;

	if (db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	if ((out = image_member_db_find(db, id, member, err)) == NULL)
		return -1;
	reply_json(rq, 200, out);
	return 0;
}

/* The request body as a JSON object; Glance's words when there is none or it is not. */
static json_t *body_object(struct req *rq, const char *form, struct err *err)
{
	json_t *body;

	if (rq->body == NULL || rq->body_size == 0) {
		err_set(err, ERR_BAD_REQUEST, "Body expected in request.");
		return NULL;
	}
	body = json_loadb(rq->body, rq->body_size, 0, NULL);
	if (body == NULL) {
		err_set(err, ERR_BAD_REQUEST, "Malformed JSON in request body.");
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		err_set(err, ERR_BAD_REQUEST, "Expected a %s in the form: %s", form,
			strcmp(form, "member") == 0 ? "{\"member\": \"image_id\"}"
						    : "{\"status\": \"status\"}");
		return NULL;
	}
	return body;
}

/* True for the values Python reads as false (Glance refuses them as "empty"). */
static bool falsy(const json_t *v)
{
	return json_is_null(v) || json_is_false(v) ||
	       (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_integer(v) && json_integer_value(v) == 0);
}

static int members_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id"), *member;
	json_auto_t *body = NULL, *img = NULL;
	json_t *v;
	long n;

	if (db == NULL || (body = body_object(rq, "member", err)) == NULL)
		return -1;
	if ((v = json_object_get(body, "member")) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Member to be added not specified");
	if (falsy(v))
		return err_set(err, ERR_BAD_REQUEST, "Member can't be empty");
	if (!json_is_string(v) || json_string_length(v) > 255)
		return err_set(err, ERR_BAD_REQUEST, "Expected a member in the form: "
						     "{\"member\": \"image_id\"} (a project id of "
						     "at most 255 characters)");
	member = json_string_value(v);
	if ((img = begin_change(rq, db, id, "create", err)) == NULL)
		return -1;
	if (!image_can_modify(rq, img)) {
		err_set(err, ERR_FORBIDDEN, "Not allowed to create members for image %s.", id);
		goto fail;
	}
	if ((n = image_member_db_count(db, id, err)) < 0)
		goto fail;
	if (n >= IMAGE_MEMBER_QUOTA) {
		err_set(err, ERR_TOO_LARGE,
			"Image member limit exceeded for image %s: The limit has been exceeded on "
			"the number of allowed image members for this image. Attempted: %ld, "
			"Maximum: %d:", id, n + 1, IMAGE_MEMBER_QUOTA);
		goto fail;
	}
	if (image_member_db_insert(db, id, member, err) < 0)
		goto fail;
	return commit_reply(rq, db, id, member, err);
fail:
	db_rollback(db);
	return -1;
}

static int members_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	json_auto_t *img = NULL;
	json_t *list;

	if (db == NULL || (img = image_find_sub(rq, db, id, err)) == NULL)
		return -1;
	if (!is_shared(img))
		return err_set(err, ERR_FORBIDDEN, "Not allowed to list members for image %s: "
						   "Only shared images have members.", id);
	list = image_member_db_list(db, id,
				    image_can_modify(rq, img) ? NULL : rq->auth->project_id, err);
	if (list == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o,s:s}", "members", list, "schema",
				      "/v2/schemas/members"));
	return 0;
}

static int member_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	json_auto_t *img = NULL;
	json_t *m;

	if (db == NULL || (img = image_find_sub(rq, db, id, err)) == NULL)
		return -1;
	/* Glance answers 404 rather than 403 here, not to tell what exists */
	if (!is_shared(img))
		return err_set(err, ERR_NOT_FOUND, "Only shared images have members.");
	if ((m = find_member(rq, db, img, req_param(rq, "member_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, m);
	return 0;
}

static int member_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id"), *member = req_param(rq, "member_id");
	json_auto_t *body = NULL, *img = NULL, *m = NULL;
	json_t *status;

	if (db == NULL || (body = body_object(rq, "status", err)) == NULL)
		return -1;
	if ((status = json_object_get(body, "status")) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Status not specified");
	if ((img = begin_change(rq, db, id, "update", err)) == NULL)
		return -1;
	if ((m = find_member(rq, db, img, member, err)) == NULL)
		goto fail;
	/* the answer is the member's own: the owner cannot accept for it */
	if (!image_is_admin(rq) && !str_eq(member, rq->auth->project_id)) {
		err_set(err, ERR_FORBIDDEN, "Not allowed to update members for image %s.", id);
		goto fail;
	}
	if (!json_is_string(status) ||
	    !image_in_list(member_statuses, json_string_value(status))) {
		err_set(err, ERR_BAD_REQUEST, "Incorrect request: Status must be \"pending\", "
					      "\"accepted\" or \"rejected\".");
		goto fail;
	}
	if (image_member_db_set_status(db, id, member, json_string_value(status), err) < 0)
		goto fail;
	return commit_reply(rq, db, id, member, err);
fail:
	db_rollback(db);
	return -1;
}

static int member_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id"), *member = req_param(rq, "member_id");
	json_auto_t *img = NULL, *m = NULL;

	if (db == NULL || (img = begin_change(rq, db, id, "delete", err)) == NULL)
		return -1;
	if ((m = find_member(rq, db, img, member, err)) == NULL)
		goto fail;
	if (!image_can_modify(rq, img)) {
		err_set(err, ERR_FORBIDDEN, "Not allowed to delete members for image %s.", id);
		goto fail;
	}
	if (image_member_db_delete(db, id, member, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	reply_empty(rq, 204);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

const struct route image_member_routes[] = {
	{ HTTP_POST, "/v2/images/{image_id}/members", members_create, "image:add_member" },
	{ HTTP_GET, "/v2/images/{image_id}/members", members_list, "image:get_members" },
	{ HTTP_GET, "/v2/images/{image_id}/members/{member_id}", member_show,
	  "image:get_member" },
	{ HTTP_PUT, "/v2/images/{image_id}/members/{member_id}", member_update,
	  "image:modify_member" },
	{ HTTP_DELETE, "/v2/images/{image_id}/members/{member_id}", member_delete,
	  "image:delete_member" },
	{ 0 },
};

/* Glance's secure-RBAC defaults: the owner's members add and delete members, readers of
 * the owner or of the member project read them, and only a member of the member project
 * answers for it ("role:member and project_id:%(member_id)s"). The route checks the role,
 * the handlers above whose project it is (owner, member, admin). */
const struct policy image_member_policies[] = {
	{ "image:add_member", POL_PROJECT_MEMBER },
	{ "image:get_members", POL_PROJECT_READER },
	{ "image:get_member", POL_PROJECT_READER },
	{ "image:modify_member", POL_PROJECT_MEMBER },
	{ "image:delete_member", POL_PROJECT_MEMBER },
	{ NULL, 0 },
};
