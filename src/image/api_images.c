/* /image (version discovery) and /v2/images: Glance's image metadata API, and the
 * version routes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "image"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/pager.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/images_db.h"
#include "image/staging.h"
#include "image/store.h"

const char *const image_disk_formats[] = { "ami", "ari",  "aki",   "vhd", "vhdx", "vmdk",
					  "raw", "qcow2", "vdi", "iso", "ploop", NULL };
const char *const image_container_formats[] = { "ami", "ari", "aki", "bare", "ovf",
					       "ova", "docker", "compressed", NULL };
static const char *const visibilities[] = { "public", "private", "shared", "community",
					    NULL };
/* Set by the service, never by a client. */
static const char *const read_only[] = { "status", "checksum", "os_hash_algo",
					 "os_hash_value", "size", "virtual_size", "created_at",
					 "updated_at", "self", "file", "schema", "direct_url",
					 "locations", "owner", "id", NULL };
static const char *const reserved[] = { "deleted", "deleted_at", "location", NULL };
/* Core attributes a PATCH may not remove. */
static const char *const core_attrs[] = { "name", "visibility", "disk_format",
					  "container_format", "min_disk", "min_ram",
					  "protected", "os_hidden", "tags", NULL };

bool image_in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static int schema_error(struct err *err, const char *what)
{
	return err_set(err, ERR_BAD_REQUEST, "Provided object does not match schema 'image': %s",
		       what);
}

static bool uuid_ok(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static int check_enum(const json_t *v, const char *key, const char *const *allowed,
		      bool nullable, struct err *err)
{
	if (nullable && json_is_null(v))
		return 0;
	if (!json_is_string(v) || !image_in_list(allowed, json_string_value(v)))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid value '%s' for parameter %s",
			       json_is_string(v) ? json_string_value(v) : "(not a string)", key);
	return 0;
}

/* Type checks of every client-settable attribute of 'img' (read-only ones are skipped:
 * the callers refuse them where the client supplies them). */
static int validate(json_t *img, struct err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(img, key, v) {
		if (image_in_list(read_only, key))
			continue;
		if (strcmp(key, "name") == 0) {
			if (!json_is_null(v) &&
			    (!json_is_string(v) || jsonx_utf8_len(json_string_value(v)) > 255))
				return schema_error(err, "'name' must be a string of at most 255 "
							 "characters");
		} else if (strcmp(key, "disk_format") == 0) {
			if (check_enum(v, key, image_disk_formats, true, err) < 0)
				return -1;
		} else if (strcmp(key, "container_format") == 0) {
			if (check_enum(v, key, image_container_formats, true, err) < 0)
				return -1;
		} else if (strcmp(key, "visibility") == 0) {
			if (check_enum(v, key, visibilities, false, err) < 0)
				return -1;
		} else if (strcmp(key, "min_disk") == 0 || strcmp(key, "min_ram") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 0x7fffffff)
				return schema_error(err, "'min_disk' and 'min_ram' must be integers >= 0");
		} else if (strcmp(key, "protected") == 0 || strcmp(key, "os_hidden") == 0) {
			if (!json_is_boolean(v))
				return schema_error(err, "'protected' and 'os_hidden' must be "
							 "booleans");
		} else if (strcmp(key, "tags") == 0) {
			size_t i;
			json_t *t;
			if (!json_is_array(v))
				return schema_error(err, "'tags' must be an array");
			json_array_foreach(v, i, t) {
				if (!json_is_string(t) || json_string_length(t) == 0 ||
				    jsonx_utf8_len(json_string_value(t)) > 255)
					return schema_error(err, "a tag must be a string of 1 to "
								 "255 characters");
			}
		} else if (image_in_list(reserved, key)) {
			return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is reserved.", key);
		} else {
			if (strlen(key) > 255)
				return schema_error(err, "property names have at most 255 "
							 "characters");
			if (!json_is_string(v))
				return schema_error(
					err, "additional properties must be strings");
			if (json_string_length(v) > 65535)
				return schema_error(err, "a property value has at most 65535 "
							 "characters");
		}
	}
	return 0;
}

static int check_publicize(struct req *rq, const json_t *img, struct err *err)
{
	if (str_eq(jsonx_str(img, "visibility"), "public") && !image_is_admin(rq))
		return err_set(err, ERR_FORBIDDEN,
			       "You are not authorized to complete publicize_image action.");
	return 0;
}

json_t *image_body(json_t *img)
{
	const char *id = jsonx_str(img, "id");
	char *s = xasprintf("/v2/images/%s", id), *f = xasprintf("/v2/images/%s/file", id);

	json_object_set_new(img, "self", json_string(s));
	json_object_set_new(img, "file", json_string(f));
	json_object_set_new(img, "schema", json_string("/v2/schemas/image"));
	free(s);
	free(f);
	return img;
}

static bool can_see(struct req *rq, const json_t *img)
{
	const char *vis = jsonx_str(img, "visibility");

	return image_is_admin(rq) || str_eq(jsonx_str(img, "owner"), rq->auth->project_id) ||
	       str_eq(vis, "public") || str_eq(vis, "community");
}

bool image_can_modify(struct req *rq, const json_t *img)
{
	return image_is_admin(rq) || str_eq(jsonx_str(img, "owner"), rq->auth->project_id);
}

json_t *image_find_visible(struct req *rq, struct db *db, const char *id, struct err *err)
{
	json_t *img = image_db_find(db, id, err);

	if (img != NULL && !can_see(rq, img)) {
		json_decref(img);
		err_set(err, ERR_NOT_FOUND, "No image found with ID %s", id);
		return NULL;
	}
	return img;
}

/* ---- version discovery ---- */

static json_t *versions_body(void)
{
	static const char *const ids[] = { "v2.16", "v2.15", "v2.14", "v2.13", "v2.12",
					   "v2.11", "v2.10", "v2.9",  "v2.8",  "v2.7",
					   "v2.6",  "v2.5",  "v2.4",  "v2.3",  "v2.2",
					   "v2.1",  "v2.0",  NULL };
	json_t *list = json_array();
	char *href = xasprintf("%s/image/v2/", conf.public_url);

	for (int i = 0; ids[i]; i++)
		json_array_append_new(
			list, json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "id", ids[i], "status",
					i == 0 ? "CURRENT" : "SUPPORTED", "links", "rel", "self",
					"href", href));
	free(href);
	return json_pack("{s:o}", "versions", list);
}

static int versions_root(struct req *rq, struct err *err)
{
	(void)err;
	reply_json(rq, 300, versions_body());
	return 0;
}

static int versions_list(struct req *rq, struct err *err)
{
	(void)err;
	reply_json(rq, 200, versions_body());
	return 0;
}

/* ---- metadata ---- */

static int images_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *v;
	json_auto_t *img = NULL;
	const char *key;
	char id[37];

	if (db == NULL || (body = req_json(rq, err)) == NULL)
		return -1;
	if (rq->auth->project_id == NULL)
		return err_set(err, ERR_FORBIDDEN, "Creating an image needs a project-scoped "
						   "token.");
	json_object_foreach(body, key, v) {
		if (strcmp(key, "id") != 0 && image_in_list(read_only, key))
			return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is read-only.", key);
	}
	img = json_deep_copy(body);
	if ((v = json_object_get(img, "id")) != NULL) {
		if (!json_is_string(v) || !uuid_ok(json_string_value(v)))
			return schema_error(err, "'id' must be a UUID");
	} else {
		util_uuid(id);
		json_object_set_new(img, "id", json_string(id));
	}
	if (json_object_get(img, "visibility") == NULL)
		json_object_set_new(img, "visibility", json_string("private"));
	if (json_object_get(img, "min_disk") == NULL)
		json_object_set_new(img, "min_disk", json_integer(0));
	if (json_object_get(img, "min_ram") == NULL)
		json_object_set_new(img, "min_ram", json_integer(0));
	json_object_set_new(img, "owner", json_string(rq->auth->project_id));
	if (validate(img, err) < 0 || check_publicize(rq, img, err) < 0)
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if (image_db_insert(db, img, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	json_t *out = image_db_find(db, jsonx_str(img, "id"), err);
	if (out == NULL)
		return -1;
	reply_header(rq, "Location",
		     req_printf(rq, "%s/image/v2/images/%s", conf.public_url,
				jsonx_str(img, "id")));
	reply_header(rq, "OpenStack-image-import-methods", image_import_methods_header);
	reply_json(rq, 201, image_body(out));
	return 0;
}

/* Percent-encodes 'in' for a query string (caller frees). */
static char *url_escape(const char *in)
{
	size_t n = strlen(in);
	char *out = xmalloc(3 * n + 1), *o = out;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;
		if (isalnum(c) || strchr("-._~", c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

struct next_ctx {
	struct req *rq;
	char *q;
};

static int add_query(void *ctx, const char *key, const char *val)
{
	struct next_ctx *n = ctx;
	char *k, *v;

	if (strcmp(key, "marker") == 0)
		return 0;
	k = url_escape(key);
	v = url_escape(val ? val : "");
	n->q = req_printf(n->rq, "%s%s=%s&", n->q, k, v);
	free(k);
	free(v);
	return 0;
}

static int images_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct image_filter f = { 0 };
	struct pager pg;
	struct sort_key sk[4];
	const char *sort = req_query(rq, "sort"), *keys = req_query(rq, "sort_key");
	const char *dirs = req_query(rq, "sort_dir");
	char *keybuf = NULL;
	json_t *list, *img;
	size_t i;
	int n;

	if (db == NULL || pager_parse(rq, 25, 1000, &pg, err) < 0)
		return -1;
	if (sort != NULL && keys == NULL) {
		/* sort=name:asc,created_at:desc; the first key orders the page */
		keybuf = req_strdup(rq, sort);
		keybuf[strcspn(keybuf, ",")] = '\0';
		char *colon = strchr(keybuf, ':');
		if (colon != NULL) {
			*colon = '\0';
			dirs = colon + 1;
		}
		keys = keybuf;
	}
	n = pager_parse_sort(keys ? keys : "created_at", dirs ? dirs : "desc",
			     image_sort_keys, sk, 4, err);
	if (n < 0)
		return -1;
	f.sort_key = n > 0 ? sk[0].key : "created_at";
	f.desc = n > 0 ? sk[0].desc : true;
	f.project = image_is_admin(rq) ? NULL : rq->auth->project_id;
	if (f.project == NULL && !image_is_admin(rq))
		f.project = "";
	f.name = req_query(rq, "name");
	f.status = req_query(rq, "status");
	f.owner = req_query(rq, "owner");
	f.visibility = req_query(rq, "visibility");
	if (f.visibility != NULL && strcmp(f.visibility, "all") == 0)
		f.visibility = NULL;
	if (f.visibility != NULL && !image_in_list(visibilities, f.visibility))
		return err_set(err, ERR_BAD_REQUEST, "Invalid visibility value: %s",
			       f.visibility);
	f.marker = pg.marker;
	f.limit = pg.limit + 1;
	if ((list = image_db_list(db, &f, err)) == NULL)
		return -1;
	json_t *body = json_pack("{s:s,s:s}", "schema", "/v2/schemas/images", "first",
				 "/v2/images");
	if (json_array_size(list) > (size_t)pg.limit) {
		json_array_remove(list, (size_t)pg.limit);
		struct next_ctx nc = { rq, "" };
		req_query_each(rq, add_query, &nc);
		const char *last = jsonx_str(json_array_get(list, (size_t)pg.limit - 1), "id");
		char *m = url_escape(last);
		json_object_set_new(body, "next",
				    json_string(req_printf(rq, "/v2/images?%smarker=%s", nc.q,
							   m)));
		free(m);
	}
	json_array_foreach(list, i, img) {
		image_body(img);
	}
	json_object_set_new(body, "images", list);
	reply_json(rq, 200, body);
	return 0;
}

static int image_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *img;

	if (db == NULL || (img = image_find_visible(rq, db, req_param(rq, "image_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, image_body(img));
	return 0;
}

/* The attribute a JSON pointer names: "/" then one segment, ~1 and ~0 decoded. NULL with
 * a 400 otherwise. */
static char *patch_attr(struct req *rq, const char *path, struct err *err)
{
	char *a, *o;

	if (path == NULL || path[0] != '/' || path[1] == '\0' || strchr(path + 1, '/')) {
		err_set(err, ERR_BAD_REQUEST, "Invalid JSON pointer for this resource: '%s'",
			path ? path : "");
		return NULL;
	}
	a = o = req_strdup(rq, path + 1);
	for (const char *p = path + 1; *p; p++) {
		if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
			*o++ = p[1] == '0' ? '~' : '/';
			p++;
		} else if (*p == '~') {
			err_set(err, ERR_BAD_REQUEST, "Invalid JSON pointer for this resource: "
						      "'%s'", path);
			return NULL;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return a;
}

/* Applies one change to 'img' (a working copy). */
static int patch_one(struct req *rq, json_t *img, const json_t *change, struct err *err)
{
	const char *op = jsonx_str(change, "op");
	json_t *value = json_object_get(change, "value");
	char *attr;

	if (!json_is_object(change) || op == NULL ||
	    (strcmp(op, "add") != 0 && strcmp(op, "replace") != 0 && strcmp(op, "remove") != 0))
		return err_set(err, ERR_BAD_REQUEST,
			       "Operation objects must contain exactly one member named "
			       "\"add\", \"remove\", or \"replace\".");
	if ((attr = patch_attr(rq, jsonx_str(change, "path"), err)) == NULL)
		return -1;
	if (image_in_list(read_only, attr))
		return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is read-only.", attr);
	if (image_in_list(reserved, attr))
		return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is reserved.", attr);
	if ((strcmp(attr, "disk_format") == 0 || strcmp(attr, "container_format") == 0) &&
	    !str_eq(jsonx_str(img, "status"), "queued"))
		return err_set(err, ERR_FORBIDDEN,
			       "Attribute %s can be only replaced for a queued image.", attr);
	if (strcmp(op, "remove") == 0) {
		if (image_in_list(core_attrs, attr))
			return err_set(err, ERR_FORBIDDEN, "Attribute '%s' cannot be removed.",
				       attr);
		if (json_object_get(img, attr) == NULL)
			return err_set(err, ERR_CONFLICT, "Property %s does not exist.", attr);
		json_object_del(img, attr);
		return 0;
	}
	if (value == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Operation \"%s\" requires a member named "
						     "\"value\".", op);
	if (strcmp(op, "replace") == 0 && json_object_get(img, attr) == NULL)
		return err_set(err, ERR_CONFLICT, "Property %s does not exist.", attr);
	json_object_set(img, attr, value);
	return 0;
}

static int image_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	const char *type = req_header(rq, "Content-Type");
	json_auto_t *ops = NULL, *img = NULL;
	json_t *change;
	size_t i;

	if (db == NULL)
		return -1;
	if (type == NULL ||
	    (strncmp(type, "application/openstack-images-v2.1-json-patch", 44) != 0 &&
	     strncmp(type, "application/openstack-images-v2.0-json-patch", 44) != 0))
		return err_set(err, ERR_UNSUPPORTED_MEDIA, "Unsupported Content-Type");
	ops = json_loadb(rq->body ? rq->body : "", rq->body_size, 0, NULL);
	if (!json_is_array(ops))
		return err_set(err, ERR_BAD_REQUEST,
			       "Request body must be a JSON array of operation objects.");
	if (db_begin(db, err) < 0)
		return -1;
	if ((img = image_find_visible(rq, db, id, err)) == NULL)
		goto fail;
	if (!image_can_modify(rq, img)) {
		err_set(err, ERR_FORBIDDEN, "You are not permitted to modify this image.");
		goto fail;
	}
	json_array_foreach(ops, i, change) {
		if (patch_one(rq, img, change, err) < 0)
			goto fail;
	}
	if (validate(img, err) < 0 || check_publicize(rq, img, err) < 0 ||
	    image_db_update(db, img, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	json_t *out = image_db_find(db, id, err);
	if (out == NULL)
		return -1;
	reply_json(rq, 200, image_body(out));
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int image_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id");
	json_auto_t *img = NULL;
	struct err serr = { 0 };

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((img = image_find_visible(rq, db, id, err)) == NULL)
		goto fail;
	if (!image_can_modify(rq, img)) {
		err_set(err, ERR_FORBIDDEN, "You are not permitted to delete this image.");
		goto fail;
	}
	if (json_is_true(json_object_get(img, "protected"))) {
		err_set(err, ERR_FORBIDDEN, "Image %s is protected and cannot be deleted.", id);
		goto fail;
	}
	if (image_db_delete(db, id, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	/* the row is gone: a store that fails here leaves an orphan object, not a lie */
	if (store_remove(image_store(), id, &serr) < 0 ||
	    store_remove(image_staging_store(), id, &serr) < 0)
		LOGM(LOG_WARN, rq->request_id, "image %s: %s", id, serr.msg);
	reply_empty(rq, 204);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

const struct route image_routes[] = {
	{ HTTP_GET, "", versions_root, NULL },
	{ HTTP_GET, "/versions", versions_list, NULL },
	{ HTTP_GET, "/v2/images", images_list, "image:get_images" },
	{ HTTP_POST, "/v2/images", images_create, "image:add_image" },
	{ HTTP_GET, "/v2/images/{image_id}", image_show, "image:get_image" },
	{ HTTP_PATCH, "/v2/images/{image_id}", image_update, "image:modify_image" },
	{ HTTP_DELETE, "/v2/images/{image_id}", image_delete, "image:delete_image" },
	{ 0 },
};


/* Glance's defaults: any project member works with its own images; who may see or change
 * one is decided per image (owner, visibility, admin), and publicizing needs admin. */
const struct policy image_policies[] = {
	{ "image:get_images", POL_TOKEN },
	{ "image:add_image", POL_TOKEN },
	{ "image:get_image", POL_TOKEN },
	{ "image:modify_image", POL_TOKEN },
	{ "image:delete_image", POL_TOKEN },
	{ NULL, 0 },
};
