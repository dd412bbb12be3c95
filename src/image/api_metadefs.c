/* /v2/metadefs/namespaces/{namespace}/{objects,properties,tags}: what a namespace defines.
 *
 * Each lives inside one namespace: the caller must see the namespace (else 404), reads
 * are then open, writes are the admin's (403), and nothing in a protected namespace is
 * deleted. Objects and properties keep their definitions as given (checked against
 * Glance's schemas and reduced to the keys those know); tags are bare names, unique
 * without regard to case. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/metadefs_db.h"

static const char *const tag_read_only[] = { "created_at", "updated_at", NULL };

/* The namespace named in the path, when the caller sees it and, for a write ('action'
 * not NULL), holds the admin role. Caller owns. */
static json_t *find_ns(struct req *rq, struct db *db, const char *action, struct err *err)
{
	json_t *ns = md_ns_find(rq, db, req_param(rq, "namespace"), err);

	if (ns != NULL && action != NULL && md_require_admin(rq, action, err) < 0) {
		json_decref(ns);
		return NULL;
	}
	return ns;
}

/* Refuses a delete in a protected namespace, with Glance's words for the kind. */
static int check_item_protected(const json_t *ns, const char *what, const char *name,
				struct err *err)
{
	if (!jsonx_bool(ns, "protected", false))
		return 0;
	return err_set(err, ERR_FORBIDDEN,
		       "Metadata definition %s %s is protected and cannot be deleted.", what,
		       name);
}

/* A property as stored, shown as Glance's PropertyType: the definition and its name. */
static json_t *property_body(json_t *p)
{
	json_object_del(p, "created_at");
	json_object_del(p, "updated_at");
	return p;
}

/* POST (item == NULL) or PUT of an object or a property: checks the body against its
 * schema, stores it and replies with it as stored. */
static int item_write(struct req *rq, enum md_kind kind, const char *item, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace"), *new_name, *action;
	json_auto_t *ns = NULL, *body = NULL, *def = NULL;
	json_t *stored;
	int rc;

	if (kind == MD_OBJECT)
		action = item ? "modify_metadef_object" : "add_metadef_object";
	else
		action = item ? "modify_metadef_property" : "add_metadef_property";
	if (db == NULL || (body = md_body(rq, md_read_only, err)) == NULL)
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if ((ns = find_ns(rq, db, action, err)) == NULL ||
	    (def = kind == MD_OBJECT ? md_object_def(body, err)
				     : md_property_def(body, true, err)) == NULL)
		goto fail;
	new_name = jsonx_str(body, "name");
	rc = item ? md_db_item_update(db, kind, name, item, new_name, def, err)
		  : md_db_item_insert(db, kind, name, new_name, def, err);
	if (rc < 0 || db_commit(db, err) < 0)
		goto fail;
	if ((stored = md_db_item_find(db, kind, name, new_name, err)) == NULL)
		return -1;
	reply_json(rq, item ? 200 : 201,
		   kind == MD_OBJECT ? md_object_body(name, stored) : property_body(stored));
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* DELETE of an object, a property or a tag ('what', Glance's word for it and the name of
 * the path parameter), unless its namespace is protected. */
static int item_delete(struct req *rq, enum md_kind kind, const char *what,
		       const char *action, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace"), *item = req_param(rq, what);
	json_auto_t *ns = NULL, *found = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((ns = find_ns(rq, db, action, err)) == NULL ||
	    (found = md_db_item_find(db, kind, name, item, err)) == NULL ||
	    check_item_protected(ns, what, item, err) < 0 ||
	    md_db_item_delete(db, kind, name, item, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

/* ---- objects ---- */

static int objects_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL;
	json_t *list, *v;
	size_t i;

	if (db == NULL || (ns = find_ns(rq, db, NULL, err)) == NULL ||
	    (list = md_db_item_list(db, MD_OBJECT, name, err)) == NULL)
		return -1;
	json_array_foreach(list, i, v)
		md_object_body(name, v);
	reply_json(rq, 200, json_pack("{s:o,s:s}", "objects", list, "schema",
				      "v2/schemas/metadefs/objects"));
	return 0;
}

static int object_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL;
	json_t *obj;

	if (db == NULL || (ns = find_ns(rq, db, NULL, err)) == NULL ||
	    (obj = md_db_item_find(db, MD_OBJECT, name, req_param(rq, "object"), err)) == NULL)
		return -1;
	reply_json(rq, 200, md_object_body(name, obj));
	return 0;
}

static int object_create(struct req *rq, struct err *err)
{
	return item_write(rq, MD_OBJECT, NULL, err);
}

static int object_update(struct req *rq, struct err *err)
{
	return item_write(rq, MD_OBJECT, req_param(rq, "object"), err);
}

static int object_delete(struct req *rq, struct err *err)
{
	return item_delete(rq, MD_OBJECT, "object", "delete_metadef_object", err);
}

/* ---- properties ---- */

static int properties_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL, *list = NULL;
	json_t *map, *v;
	size_t i;

	if (db == NULL || (ns = find_ns(rq, db, NULL, err)) == NULL ||
	    (list = md_db_item_list(db, MD_PROPERTY, name, err)) == NULL)
		return -1;
	map = json_object();
	json_array_foreach(list, i, v) {
		json_t *def = property_body(json_deep_copy(v));

		json_object_del(def, "name");
		json_object_set_new(map, jsonx_str(v, "name"), def);
	}
	reply_json(rq, 200, json_pack("{s:o}", "properties", map));
	return 0;
}

/* The stored name of the path's property: with ?resource_type=, the path names it with
 * that association's prefix, which must be there. */
static const char *property_name(struct req *rq, struct db *db, struct err *err)
{
	const char *prop = req_param(rq, "property"), *rt = req_query(rq, "resource_type");
	const char *prefix = NULL;
	json_auto_t *assocs = NULL;
	size_t i;
	json_t *v;

	if (rt == NULL || *rt == '\0')
		return prop;
	if ((assocs = md_db_assoc_list(db, req_param(rq, "namespace"), err)) == NULL)
		return NULL;
	json_array_foreach(assocs, i, v)
		if (str_eq(jsonx_str(v, "name"), rt))
			prefix = jsonx_str(v, "prefix") ? jsonx_str(v, "prefix") : "";
	if (prefix == NULL) {
		err_set(err, ERR_NOT_FOUND,
			"The metadata definition resource-type association of resource-type=%s to"
			" namespace=%s, was not found.", rt, req_param(rq, "namespace"));
		return NULL;
	}
	if (*prefix == '\0' || strncmp(prop, prefix, strlen(prefix)) != 0) {
		err_set(err, ERR_NOT_FOUND,
			"Property %s does not start with the expected resource type association"
			" prefix of '%s'.", prop, prefix);
		return NULL;
	}
	return prop + strlen(prefix);
}

static int property_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace"), *prop;
	json_auto_t *ns = NULL;
	json_t *p;

	if (db == NULL || (ns = find_ns(rq, db, NULL, err)) == NULL ||
	    (prop = property_name(rq, db, err)) == NULL ||
	    (p = md_db_item_find(db, MD_PROPERTY, name, prop, err)) == NULL)
		return -1;
	reply_json(rq, 200, property_body(p));
	return 0;
}

static int property_create(struct req *rq, struct err *err)
{
	return item_write(rq, MD_PROPERTY, NULL, err);
}

static int property_update(struct req *rq, struct err *err)
{
	return item_write(rq, MD_PROPERTY, req_param(rq, "property"), err);
}

static int property_delete(struct req *rq, struct err *err)
{
	return item_delete(rq, MD_PROPERTY, "property", "remove_metadef_property", err);
}

/* ---- tags ---- */

static int tags_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *ns = NULL;
	json_t *list;

	if (db == NULL || (ns = find_ns(rq, db, NULL, err)) == NULL ||
	    (list = md_db_item_list(db, MD_TAG, req_param(rq, "namespace"), err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "tags", list));
	return 0;
}

static int tag_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *ns = NULL;
	json_t *t;

	if (db == NULL || (ns = find_ns(rq, db, NULL, err)) == NULL ||
	    (t = md_db_item_find(db, MD_TAG, req_param(rq, "namespace"), req_param(rq, "tag"),
				 err)) == NULL)
		return -1;
	reply_json(rq, 200, t);
	return 0;
}

static bool tag_name_ok(const char *name, struct err *err)
{
	if (name == NULL || *name == '\0' || jsonx_utf8_len(name) > 255) {
		err_set(err, ERR_BAD_REQUEST, "Provided object does not match schema 'tag': a tag"
					      " name is 1 to 255 characters");
		return false;
	}
	return true;
}

/* POST /tags/{tag} (no body) or PUT /tags/{tag} {"name": new}. */
static int tag_write(struct req *rq, bool rename, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace"), *tag = req_param(rq, "tag");
	const char *new_name = tag;
	json_auto_t *ns = NULL, *body = NULL;
	json_t *t;
	int rc;

	if (db == NULL)
		return -1;
	if (rename) {
		static const struct md_field fields[] = { { "name", MDF_STRING, true, 255, NULL },
							  { NULL, 0, false, 0, NULL } };

		if ((body = md_body(rq, tag_read_only, err)) == NULL ||
		    md_validate(body, "tag", fields, false, err) < 0)
			return -1;
		new_name = jsonx_str(body, "name");
	}
	if (!tag_name_ok(new_name, err) || db_begin(db, err) < 0)
		return -1;
	if ((ns = find_ns(rq, db, rename ? "modify_metadef_tag" : "add_metadef_tag", err)) ==
	    NULL)
		goto fail;
	rc = rename ? md_db_item_update(db, MD_TAG, name, tag, new_name, NULL, err)
		    : md_db_item_insert(db, MD_TAG, name, tag, NULL, err);
	if (rc < 0 || db_commit(db, err) < 0)
		goto fail;
	if ((t = md_db_item_find(db, MD_TAG, name, new_name, err)) == NULL)
		return -1;
	reply_json(rq, rename ? 200 : 201, t);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int tag_create(struct req *rq, struct err *err)
{
	return tag_write(rq, false, err);
}

static int tag_update(struct req *rq, struct err *err)
{
	return tag_write(rq, true, err);
}

/* True for what oslo's bool_from_string reads as true. */
static bool truthy(const char *s)
{
	static const char *const yes[] = { "1", "t", "true", "on", "y", "yes", NULL };

	for (int i = 0; s != NULL && yes[i] != NULL; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return true;
	return false;
}

/* POST /tags {"tags": [{"name": ...}...]}: replaces the namespace's tags, or adds to them
 * with X-Openstack-Append: true; a name twice (in any case) is 409 and nothing changes. */
static int tags_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL, *body = NULL;
	json_t *tags, *v, *out;
	size_t i;

	if (db == NULL || (body = md_body(rq, tag_read_only, err)) == NULL)
		return -1;
	tags = json_object_get(body, "tags");
	if (!json_is_array(tags))
		return err_set(err, ERR_BAD_REQUEST, "Provided object does not match schema "
						     "'tags': 'tags' is a required property");
	json_array_foreach(tags, i, v)
		if (!json_is_object(v) || !tag_name_ok(jsonx_str(v, "name"), err))
			return err_set(err, ERR_BAD_REQUEST,
				       "Provided object does not match schema 'tags': each tag is "
				       "{\"name\": ...}");
	if (db_begin(db, err) < 0)
		return -1;
	if ((ns = find_ns(rq, db, "add_metadef_tags", err)) == NULL)
		goto fail;
	if (!truthy(req_header(rq, "X-Openstack-Append")) &&
	    md_db_item_delete_all(db, MD_TAG, name, err) < 0)
		goto fail;
	json_array_foreach(tags, i, v)
		if (md_db_item_insert(db, MD_TAG, name, jsonx_str(v, "name"), NULL, err) < 0)
			goto fail;
	if (db_commit(db, err) < 0)
		goto fail;
	out = json_array();
	json_array_foreach(tags, i, v)
		json_array_append_new(out, json_pack("{s:s}", "name", jsonx_str(v, "name")));
	reply_json(rq, 201, json_pack("{s:o}", "tags", out));
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int tag_delete(struct req *rq, struct err *err)
{
	return item_delete(rq, MD_TAG, "tag", "delete_metadef_tag", err);
}

/* Glance's names; their rules are in api_metadef_namespaces.c (writes: admin, checked by
 * the handlers once the namespace is found). */
const struct route image_metadef_routes[] = {
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}/objects", objects_list,
	  "image:get_metadef_objects" },
	{ HTTP_POST, "/v2/metadefs/namespaces/{namespace}/objects", object_create,
	  "image:add_metadef_object" },
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}/objects/{object}", object_show,
	  "image:get_metadef_object" },
	{ HTTP_PUT, "/v2/metadefs/namespaces/{namespace}/objects/{object}", object_update,
	  "image:modify_metadef_object" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}/objects/{object}", object_delete,
	  "image:delete_metadef_object" },
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}/properties", properties_list,
	  "image:get_metadef_properties" },
	{ HTTP_POST, "/v2/metadefs/namespaces/{namespace}/properties", property_create,
	  "image:add_metadef_property" },
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}/properties/{property}",
	  property_show, "image:get_metadef_property" },
	{ HTTP_PUT, "/v2/metadefs/namespaces/{namespace}/properties/{property}",
	  property_update, "image:modify_metadef_property" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}/properties/{property}",
	  property_delete, "image:remove_metadef_property" },
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}/tags", tags_list,
	  "image:get_metadef_tags" },
	{ HTTP_POST, "/v2/metadefs/namespaces/{namespace}/tags", tags_create,
	  "image:add_metadef_tags" },
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}/tags/{tag}", tag_show,
	  "image:get_metadef_tag" },
	{ HTTP_POST, "/v2/metadefs/namespaces/{namespace}/tags/{tag}", tag_create,
	  "image:add_metadef_tag" },
	{ HTTP_PUT, "/v2/metadefs/namespaces/{namespace}/tags/{tag}", tag_update,
	  "image:modify_metadef_tag" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}/tags/{tag}", tag_delete,
	  "image:delete_metadef_tag" },
	{ 0 },
};
