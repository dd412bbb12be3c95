/* /v2/metadefs/namespaces and /v2/metadefs/resource_types: the metadata definitions
 * catalog's namespaces (Glance's metadefs), and the helpers its other files share.
 *
 * Who may do what follows Glance's default policy: any project reads the public
 * namespaces, the unowned ones and its own; only an admin creates, changes or deletes
 * anything. A namespace the caller may not see is answered 404, as if it did not exist;
 * a write to one it sees but may not change is 403. A protected namespace cannot be
 * deleted, nor can anything in it. */
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/pager.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/metadefs_db.h"

#define MD_LIMIT_DEFAULT 25 /* Glance's limit_param_default */
#define MD_LIMIT_MAX 1000   /* Glance's api_limit_max */

/* ---- shared with api_metadefs.c ---- */

int md_require_admin(struct req *rq, const char *action, struct err *err)
{
	if (image_is_admin(rq))
		return 0;
	return err_set(err, ERR_FORBIDDEN, "You are not authorized to complete %s action.",
		       action);
}

static bool ns_visible(struct req *rq, const json_t *ns)
{
	const char *owner = jsonx_str(ns, "owner");

	return image_is_admin(rq) || owner == NULL ||
	       str_eq(jsonx_str(ns, "visibility"), "public") ||
	       str_eq(owner, rq->auth->project_id);
}

json_t *md_ns_find(struct req *rq, struct db *db, const char *name, struct err *err)
{
	json_t *ns = md_db_ns_find(db, name, err);

	if (ns != NULL && !ns_visible(rq, ns)) {
		json_decref(ns);
		err_set(err, ERR_NOT_FOUND, "Namespace %s not found", name);
		return NULL;
	}
	return ns;
}

int md_ns_check_protected(const json_t *ns, struct err *err)
{
	if (jsonx_bool(ns, "protected", false))
		return err_set(err, ERR_FORBIDDEN,
			       "Metadata definition namespace %s is protected and cannot be"
			       " deleted.", jsonx_str(ns, "namespace"));
	return 0;
}

json_t *md_body(struct req *rq, const char *const *read_only, struct err *err)
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
		err_set(err, ERR_BAD_REQUEST, "Body expected in request.");
		return NULL;
	}
	for (; read_only != NULL && *read_only != NULL; read_only++)
		if (json_object_get(body, *read_only) != NULL) {
			json_decref(body);
			err_set(err, ERR_FORBIDDEN, "Attribute '%s' is read-only.", *read_only);
			return NULL;
		}
	return body;
}

const char *const md_read_only[] = { "self", "schema", "created_at", "updated_at", NULL };

static const char *type_name(unsigned int t)
{
	return t & MDF_STRING ? "string" : t & MDF_BOOL ? "boolean" : t & MDF_ARRAY ? "array"
				       : t & MDF_OBJECT ? "object" : t & MDF_NUMBER ? "number"
										: "integer";
}

static bool type_ok(const json_t *v, unsigned int t)
{
	return ((t & MDF_STRING) && json_is_string(v)) || ((t & MDF_BOOL) && json_is_boolean(v)) ||
	       ((t & MDF_ARRAY) && json_is_array(v)) || ((t & MDF_OBJECT) && json_is_object(v)) ||
	       ((t & MDF_INT) && json_is_integer(v)) || ((t & MDF_NUMBER) && json_is_number(v)) ||
	       ((t & MDF_NULL) && json_is_null(v));
}

int md_validate(const json_t *obj, const char *schema, const struct md_field *fields,
		bool strict, struct err *err)
{
	const char *key;
	json_t *v;

	for (const struct md_field *f = fields; f->name != NULL; f++) {
		v = json_object_get(obj, f->name);
		if (v == NULL) {
			if (f->required)
				return err_set(err, ERR_BAD_REQUEST,
					       "Provided object does not match schema '%s': '%s' is"
					       " a required property", schema, f->name);
			continue;
		}
		if (!type_ok(v, f->types))
			return err_set(err, ERR_BAD_REQUEST,
				       "Provided object does not match schema '%s': %s is not of"
				       " type '%s'", schema, f->name, type_name(f->types));
		if (json_is_string(v) && f->max_len > 0 &&
		    jsonx_utf8_len(json_string_value(v)) > (size_t)f->max_len)
			return err_set(err, ERR_BAD_REQUEST,
				       "Provided object does not match schema '%s': '%s' is too"
				       " long", schema, json_string_value(v));
		if (json_is_string(v) && f->allowed != NULL &&
		    !image_in_list(f->allowed, json_string_value(v)))
			return err_set(err, ERR_BAD_REQUEST,
				       "Provided object does not match schema '%s': '%s' is not"
				       " one of the allowed values", schema, json_string_value(v));
	}
	if (!strict)
		return 0;
	json_object_foreach((json_t *)obj, key, v) {
		const struct md_field *f = fields;

		while (f->name != NULL && strcmp(f->name, key) != 0)
			f++;
		if (f->name == NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Provided object does not match schema '%s': Additional"
				       " properties are not allowed ('%s' was unexpected)", schema,
				       key);
	}
	return 0;
}

/* What a property definition may say, as Glance's PropertyType. */
static const char *const property_types[] = { "array",	"boolean", "integer", "number",
					      "object", "string",  NULL };
static const struct md_field property_fields[] = {
	{ "name", MDF_STRING, false, 255, NULL },
	{ "title", MDF_STRING, true, 0, NULL },
	{ "type", MDF_STRING, true, 0, property_types },
	{ "description", MDF_STRING, false, 0, NULL },
	{ "operators", MDF_ARRAY, false, 0, NULL },
	{ "default", MDF_ANY, false, 0, NULL },
	{ "readonly", MDF_BOOL, false, 0, NULL },
	{ "minimum", MDF_NUMBER, false, 0, NULL },
	{ "maximum", MDF_NUMBER, false, 0, NULL },
	{ "enum", MDF_ARRAY, false, 0, NULL },
	{ "pattern", MDF_STRING, false, 0, NULL },
	{ "minLength", MDF_INT, false, 0, NULL },
	{ "maxLength", MDF_INT, false, 0, NULL },
	{ "confidential", MDF_BOOL, false, 0, NULL },
	{ "items", MDF_OBJECT, false, 0, NULL },
	{ "uniqueItems", MDF_BOOL, false, 0, NULL },
	{ "minItems", MDF_INT, false, 0, NULL },
	{ "maxItems", MDF_INT, false, 0, NULL },
	{ "additionalItems", MDF_BOOL, false, 0, NULL },
	{ NULL, 0, false, 0, NULL },
};

json_t *md_property_def(const json_t *v, bool need_name, struct err *err)
{
	const struct md_field *f;
	json_t *out;

	if (!json_is_object(v)) {
		err_set(err, ERR_BAD_REQUEST, "Provided object does not match schema 'property':"
					      " a property definition is an object");
		return NULL;
	}
	if (md_validate(v, "property", property_fields, false, err) < 0)
		return NULL;
	if (need_name && jsonx_str(v, "name") == NULL) {
		err_set(err, ERR_BAD_REQUEST, "Provided object does not match schema 'property':"
					      " 'name' is a required property");
		return NULL;
	}
	out = json_object();
	for (f = property_fields + 1; f->name != NULL; f++) /* the name is the key */
		if (json_object_get(v, f->name) != NULL)
			json_object_set(out, f->name, json_object_get(v, f->name));
	return out;
}

json_t *md_property_map(const json_t *v, struct err *err)
{
	const char *key;
	json_t *def, *out = json_object();

	if (!json_is_object(v)) {
		json_decref(out);
		err_set(err, ERR_BAD_REQUEST,
			"Provided object does not match schema 'property': properties is not of"
			" type 'object'");
		return NULL;
	}
	json_object_foreach((json_t *)v, key, def) {
		json_t *one = md_property_def(def, false, err);

		if (one == NULL) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, key, one);
	}
	return out;
}

/* ---- namespaces ---- */

static const char *const visibilities[] = { "public", "private", NULL };

static const struct md_field namespace_fields[] = {
	{ "namespace", MDF_STRING, true, 80, NULL },
	{ "display_name", MDF_STRING, false, 80, NULL },
	{ "description", MDF_STRING, false, 500, NULL },
	{ "visibility", MDF_STRING, false, 0, visibilities },
	{ "protected", MDF_BOOL, false, 0, NULL },
	{ "owner", MDF_STRING, false, 255, NULL },
	{ "resource_type_associations", MDF_ARRAY, false, 0, NULL },
	{ "properties", MDF_OBJECT, false, 0, NULL },
	{ "objects", MDF_ARRAY, false, 0, NULL },
	{ "tags", MDF_ARRAY, false, 0, NULL },
	{ NULL, 0, false, 0, NULL },
};

static const struct md_field assoc_fields[] = {
	{ "name", MDF_STRING, true, 80, NULL },
	{ "prefix", MDF_STRING, false, 80, NULL },
	{ "properties_target", MDF_STRING, false, 80, NULL },
	{ NULL, 0, false, 0, NULL },
};

static const struct md_field object_fields[] = {
	{ "name", MDF_STRING, true, 255, NULL },
	{ "description", MDF_STRING, false, 0, NULL },
	{ "required", MDF_ARRAY, false, 0, NULL },
	{ "properties", MDF_OBJECT, false, 0, NULL },
	{ NULL, 0, false, 0, NULL },
};

static const struct md_field tag_fields[] = {
	{ "name", MDF_STRING, true, 255, NULL },
	{ NULL, 0, false, 0, NULL },
};

json_t *md_object_def(const json_t *v, struct err *err)
{
	json_t *out, *props;

	if (!json_is_object(v)) {
		err_set(err, ERR_BAD_REQUEST,
			"Provided object does not match schema 'object': an object is an object");
		return NULL;
	}
	if (md_validate(v, "object", object_fields, false, err) < 0)
		return NULL;
	out = json_object();
	if (jsonx_str(v, "description") != NULL)
		json_object_set(out, "description", json_object_get(v, "description"));
	if (json_object_get(v, "required") != NULL) {
		size_t i;
		json_t *r;

		json_array_foreach(json_object_get(v, "required"), i, r)
			if (!json_is_string(r)) {
				json_decref(out);
				err_set(err, ERR_BAD_REQUEST,
					"Provided object does not match schema 'object': required"
					" is an array of strings");
				return NULL;
			}
		json_object_set(out, "required", json_object_get(v, "required"));
	}
	if (json_object_get(v, "properties") != NULL) {
		if ((props = md_property_map(json_object_get(v, "properties"), err)) == NULL) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, "properties", props);
	}
	return out;
}

json_t *md_object_body(const char *ns, json_t *obj)
{
	const char *name = jsonx_str(obj, "name");

	if (json_object_get(obj, "required") == NULL)
		json_object_set_new(obj, "required", json_array());
	if (json_object_get(obj, "properties") == NULL)
		json_object_set_new(obj, "properties", json_object());
	json_object_set_new(obj, "self",
			    json_sprintf("/v2/metadefs/namespaces/%s/objects/%s", ns, name));
	json_object_set_new(obj, "schema", json_string("/v2/schemas/metadefs/object"));
	return obj;
}

static json_t *ns_body(json_t *ns)
{
	json_object_set_new(ns, "self", json_sprintf("/v2/metadefs/namespaces/%s",
						     jsonx_str(ns, "namespace")));
	json_object_set_new(ns, "schema", json_string("/v2/schemas/metadefs/namespace"));
	return ns;
}

/* Adds the namespace's associations when it has any (the list shows them too). */
static int add_assocs(struct db *db, json_t *ns, struct err *err)
{
	json_t *list = md_db_assoc_list(db, jsonx_str(ns, "namespace"), err);

	if (list == NULL)
		return -1;
	if (json_array_size(list) > 0)
		json_object_set_new(ns, "resource_type_associations", list);
	else
		json_decref(list);
	return 0;
}

/* 'prefix' before every key of the object 'map'. */
static void prefix_keys(json_t *obj, const char *key, const char *prefix)
{
	json_t *map = json_object_get(obj, key), *out = json_object(), *v;
	const char *k;

	json_object_foreach(map, k, v) {
		char *name = xasprintf("%s%s", prefix, k);

		json_object_set(out, name, v);
		free(name);
	}
	json_object_set_new(obj, key, out);
}

/* The namespace with its associations, properties, objects and tags, as GET shows it;
 * with ?resource_type=, property names get that association's prefix. */
static json_t *ns_full(struct req *rq, struct db *db, json_t *ns, struct err *err)
{
	const char *name = jsonx_str(ns, "namespace"), *rt = req_query(rq, "resource_type");
	json_auto_t *props = NULL, *objs = NULL, *tags = NULL;
	const char *prefix = NULL;
	size_t i;
	json_t *v;

	if (add_assocs(db, ns, err) < 0 ||
	    (props = md_db_item_list(db, MD_PROPERTY, name, err)) == NULL ||
	    (objs = md_db_item_list(db, MD_OBJECT, name, err)) == NULL ||
	    (tags = md_db_item_list(db, MD_TAG, name, err)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(ns, "resource_type_associations"), i, v)
		if (rt != NULL && str_eq(jsonx_str(v, "name"), rt))
			prefix = jsonx_str(v, "prefix");
	if (json_array_size(props) > 0) {
		json_t *map = json_object();

		json_array_foreach(props, i, v) {
			json_t *def = json_deep_copy(v);

			json_object_del(def, "name");
			json_object_del(def, "created_at");
			json_object_del(def, "updated_at");
			json_object_set_new(map, jsonx_str(v, "name"), def);
		}
		json_object_set_new(ns, "properties", map);
		if (prefix != NULL)
			prefix_keys(ns, "properties", prefix);
	}
	if (json_array_size(objs) > 0) {
		json_array_foreach(objs, i, v) {
			md_object_body(name, v);
			if (prefix != NULL) {
				size_t j;
				json_t *r, *req = json_array();

				prefix_keys(v, "properties", prefix);
				json_array_foreach(json_object_get(v, "required"), j, r)
					json_array_append_new(req, json_sprintf("%s%s", prefix,
									    json_string_value(r)));
				json_object_set_new(v, "required", req);
			}
		}
		json_object_set(ns, "objects", objs);
	}
	if (json_array_size(tags) > 0) {
		json_t *list = json_array();

		json_array_foreach(tags, i, v)
			json_array_append_new(list, json_pack("{s:O}", "name",
							      json_object_get(v, "name")));
		json_object_set_new(ns, "tags", list);
	}
	return ns_body(ns);
}

static int ns_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ns;

	if (db == NULL || (ns = md_ns_find(rq, db, req_param(rq, "namespace"), err)) == NULL)
		return -1;
	if (ns_full(rq, db, ns, err) == NULL) {
		json_decref(ns);
		return -1;
	}
	reply_json(rq, 200, ns);
	return 0;
}

/* Inserts the children a create body carries (checked already). */
static int ns_insert_children(struct db *db, const char *name, const json_t *body,
			      struct err *err)
{
	json_auto_t *props = NULL;
	const char *key;
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(body, "resource_type_associations"), i, v) {
		json_t *a = md_db_assoc_insert(db, name, v, err);

		if (a == NULL)
			return -1;
		json_decref(a);
	}
	/* stored as POST .../properties stores them: reduced to the keys Glance knows */
	if (json_object_get(body, "properties") != NULL &&
	    (props = md_property_map(json_object_get(body, "properties"), err)) == NULL)
		return -1;
	json_object_foreach(props, key, v)
		if (md_db_item_insert(db, MD_PROPERTY, name, key, v, err) < 0)
			return -1;
	json_array_foreach(json_object_get(body, "objects"), i, v) {
		json_auto_t *def = md_object_def(v, err);

		if (def == NULL ||
		    md_db_item_insert(db, MD_OBJECT, name, jsonx_str(v, "name"), def, err) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(body, "tags"), i, v)
		if (md_db_item_insert(db, MD_TAG, name, jsonx_str(v, "name"), NULL, err) < 0)
			return -1;
	return 0;
}

/* Checks the create/update body; returns the namespace row to write (caller owns). */
static json_t *ns_from_body(struct req *rq, const json_t *body, struct err *err)
{
	json_t *ns, *v;
	size_t i;

	if (md_validate(body, "namespace", namespace_fields, true, err) < 0)
		return NULL;
	json_array_foreach(json_object_get(body, "resource_type_associations"), i, v)
		if (!json_is_object(v) ||
		    md_validate(v, "namespace", assoc_fields, false, err) < 0) {
			err_set(err, ERR_BAD_REQUEST, "Provided object does not match schema"
						      " 'namespace': an association is {\"name\": ...}");
			return NULL;
		}
	json_array_foreach(json_object_get(body, "tags"), i, v)
		if (!json_is_object(v) || md_validate(v, "namespace", tag_fields, false, err) < 0) {
			err_set(err, ERR_BAD_REQUEST, "Provided object does not match schema"
						      " 'namespace': a tag is {\"name\": ...}");
			return NULL;
		}
	json_array_foreach(json_object_get(body, "objects"), i, v) {
		json_t *def = md_object_def(v, err);

		if (def == NULL)
			return NULL;
		json_decref(def);
	}
	if (json_object_get(body, "properties") != NULL) {
		json_t *map = md_property_map(json_object_get(body, "properties"), err);

		if (map == NULL)
			return NULL;
		json_decref(map);
	}
	ns = json_pack("{s:s,s:s,s:b}", "namespace", jsonx_str(body, "namespace"),
		       "visibility", jsonx_str(body, "visibility") ? jsonx_str(body, "visibility")
								   : "private",
		       "protected", jsonx_bool(body, "protected", false));
	jsonx_set_str_or_null(ns, "display_name", jsonx_str(body, "display_name"));
	jsonx_set_str_or_null(ns, "description", jsonx_str(body, "description"));
	jsonx_set_str_or_null(ns, "owner", jsonx_str(body, "owner") ? jsonx_str(body, "owner")
								    : rq->auth->project_id);
	return ns;
}

static int ns_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_auto_t *body = NULL, *row = NULL;
	const char *name;
	json_t *ns;

	if (db == NULL || md_require_admin(rq, "add_metadef_namespace", err) < 0 ||
	    (body = md_body(rq, md_read_only, err)) == NULL ||
	    (row = ns_from_body(rq, body, err)) == NULL)
		return -1;
	name = jsonx_str(row, "namespace");
	if (db_begin(db, err) < 0)
		return -1;
	if (md_db_ns_insert(db, row, err) < 0 || ns_insert_children(db, name, body, err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	if ((ns = md_db_ns_find(db, name, err)) == NULL)
		return -1;
	if (ns_full(rq, db, ns, err) == NULL) {
		json_decref(ns);
		return -1;
	}
	reply_header(rq, "Location", req_printf(rq, "/v2/metadefs/namespaces/%s", name));
	reply_json(rq, 201, ns);
	return 0;
}

static int ns_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *body = NULL, *row = NULL, *old = NULL;
	json_t *ns;

	if (db == NULL || (body = md_body(rq, md_read_only, err)) == NULL)
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if ((old = md_ns_find(rq, db, name, err)) == NULL ||
	    md_require_admin(rq, "modify_metadef_namespace", err) < 0 ||
	    (row = ns_from_body(rq, body, err)) == NULL ||
	    md_db_ns_update(db, name, row, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	if ((ns = md_db_ns_find(db, jsonx_str(row, "namespace"), err)) == NULL)
		return -1;
	reply_json(rq, 200, ns_body(ns));
	return 0;
}

static int ns_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((ns = md_ns_find(rq, db, name, err)) == NULL ||
	    md_require_admin(rq, "delete_metadef_namespace", err) < 0 ||
	    md_ns_check_protected(ns, err) < 0 || md_db_ns_delete(db, name, err) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

/* DELETE /v2/metadefs/namespaces/{namespace}/{objects,properties,tags}: everything of one
 * kind; Glance refuses it in a protected namespace with the namespace's words. */
static int ns_delete_kind(struct req *rq, enum md_kind kind, const char *action,
			  struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((ns = md_ns_find(rq, db, name, err)) == NULL ||
	    md_require_admin(rq, action, err) < 0 || md_ns_check_protected(ns, err) < 0 ||
	    md_db_item_delete_all(db, kind, name, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	reply_empty(rq, 204);
	return 0;
}

static int ns_delete_objects(struct req *rq, struct err *err)
{
	return ns_delete_kind(rq, MD_OBJECT, "delete_metadef_namespace", err);
}

static int ns_delete_properties(struct req *rq, struct err *err)
{
	return ns_delete_kind(rq, MD_PROPERTY, "delete_metadef_namespace", err);
}

static int ns_delete_tags(struct req *rq, struct err *err)
{
	return ns_delete_kind(rq, MD_TAG, "delete_metadef_tags", err);
}

static int ns_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *dir = req_query(rq, "sort_dir"), *vis = req_query(rq, "visibility");
	const char *lim = req_query(rq, "limit");
	struct md_ns_filter f = { 0 };
	const char *q;
	json_t *list, *out;
	size_t i;
	json_t *v;
	int limit = MD_LIMIT_DEFAULT;

	if (db == NULL)
		return -1;
	if (dir != NULL && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
		return err_set(err, ERR_BAD_REQUEST, "Invalid sort direction: %s", dir);
	if (vis != NULL && *vis != '\0' && !image_in_list(visibilities, vis))
		return err_set(err, ERR_BAD_REQUEST, "Invalid visibility value: %s", vis);
	if (lim != NULL) {
		char *end;
		long n = strtol(lim, &end, 10);

		if (*lim == '\0' || *end != '\0')
			return err_set(err, ERR_BAD_REQUEST, "limit param must be an integer");
		if (n < 0)
			return err_set(err, ERR_BAD_REQUEST, "limit param must be positive");
		limit = n > MD_LIMIT_MAX ? MD_LIMIT_MAX : (int)n;
	}
	f.all = image_is_admin(rq);
	f.visible_to = rq->auth->project_id;
	f.visibility = vis != NULL && *vis != '\0' ? vis : NULL;
	f.resource_types = req_query(rq, "resource_types");
	f.sort_key = req_query(rq, "sort_key") ? req_query(rq, "sort_key") : "created_at";
	f.desc = dir == NULL || strcmp(dir, "desc") == 0;
	f.marker = req_query(rq, "marker");
	f.limit = limit;
	if (f.marker != NULL) {
		json_t *m = md_ns_find(rq, db, f.marker, err);

		if (m == NULL)
			return -1;
		json_decref(m);
	}
	if ((list = md_db_ns_list(db, &f, err)) == NULL)
		return -1;
	json_array_foreach(list, i, v)
		if (add_assocs(db, ns_body(v), err) < 0) {
			json_decref(list);
			return -1;
		}
	q = req_query_except(rq, "marker");
	out = json_pack("{s:o,s:s,s:s}", "namespaces", list, "schema",
			"/v2/schemas/metadefs/namespaces", "first",
			*q ? req_printf(rq, "/v2/metadefs/namespaces?%s", q)
			   : "/v2/metadefs/namespaces");
	if (limit > 0 && json_array_size(list) == (size_t)limit)
		json_object_set_new(out, "next",
				    json_sprintf("/v2/metadefs/namespaces?%s%smarker=%s", q,
						 *q ? "&" : "",
						 req_url_escape(rq,
								jsonx_str(json_array_get(
										  list, limit - 1),
									  "namespace"))));
	reply_json(rq, 200, out);
	return 0;
}

/* ---- resource types ---- */

static int rt_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list;

	if (db == NULL || (list = md_db_rt_list(db, err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "resource_types", list));
	return 0;
}

static int assoc_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL;
	json_t *list;

	if (db == NULL || (ns = md_ns_find(rq, db, name, err)) == NULL ||
	    (list = md_db_assoc_list(db, name, err)) == NULL)
		return -1;
	reply_json(rq, 200, json_pack("{s:o}", "resource_type_associations", list));
	return 0;
}

static int assoc_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace");
	json_auto_t *ns = NULL, *body = NULL;
	json_t *a = NULL;

	if (db == NULL || (body = md_body(rq, md_read_only, err)) == NULL)
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if ((ns = md_ns_find(rq, db, name, err)) == NULL ||
	    md_require_admin(rq, "add_metadef_resource_type_association", err) < 0 ||
	    md_validate(body, "resource_type_association", assoc_fields, true, err) < 0 ||
	    (a = md_db_assoc_insert(db, name, body, err)) == NULL || db_commit(db, err) < 0) {
		json_decref(a);
		db_rollback(db);
		return -1;
	}
	reply_json(rq, 201, a);
	return 0;
}

static int assoc_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *name = req_param(rq, "namespace"), *rt = req_param(rq, "resource_type");
	json_auto_t *ns = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((ns = md_ns_find(rq, db, name, err)) == NULL ||
	    md_require_admin(rq, "remove_metadef_resource_type_association", err) < 0)
		goto fail;
	if (jsonx_bool(ns, "protected", false)) {
		err_set(err, ERR_FORBIDDEN,
			"Metadata definition resource-type-association %s is protected and cannot"
			" be deleted.", rt);
		goto fail;
	}
	if (md_db_assoc_delete(db, name, rt, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	reply_empty(rq, 204);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* Glance's names. Reads are a project reader's (then the namespace's visibility), writes
 * the admin's (metadef_admin). A write on an existing namespace checks admin in its
 * handler, after the namespace is found: a namespace the caller cannot see is a 404, one
 * it sees a 403 (Glance's order), so its route lets a reader through to that check. */
const struct route image_metadef_ns_routes[] = {
	{ HTTP_GET, "/v2/metadefs/namespaces", ns_list, "image:get_metadef_namespaces" },
	{ HTTP_POST, "/v2/metadefs/namespaces", ns_create, "image:add_metadef_namespace" },
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}", ns_show,
	  "image:get_metadef_namespace" },
	{ HTTP_PUT, "/v2/metadefs/namespaces/{namespace}", ns_update,
	  "image:modify_metadef_namespace" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}", ns_delete,
	  "image:delete_metadef_namespace" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}/objects", ns_delete_objects,
	  "image:delete_metadef_namespace" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}/properties", ns_delete_properties,
	  "image:delete_metadef_namespace" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}/tags", ns_delete_tags,
	  "image:delete_metadef_tags" },
	{ HTTP_GET, "/v2/metadefs/resource_types", rt_list,
	  "image:list_metadef_resource_types" },
	{ HTTP_GET, "/v2/metadefs/namespaces/{namespace}/resource_types", assoc_list,
	  "image:get_metadef_resource_type" },
	{ HTTP_POST, "/v2/metadefs/namespaces/{namespace}/resource_types", assoc_create,
	  "image:add_metadef_resource_type_association" },
	{ HTTP_DELETE, "/v2/metadefs/namespaces/{namespace}/resource_types/{resource_type}",
	  assoc_delete, "image:remove_metadef_resource_type_association" },
	{ 0 },
};

/* For this file's routes and api_metadefs.c's. */
const struct policy image_metadef_policies[] = {
	{ "image:get_metadef_namespaces", POL_PROJECT_READER },
	{ "image:get_metadef_namespace", POL_PROJECT_READER },
	{ "image:add_metadef_namespace", POL_ADMIN },
	{ "image:modify_metadef_namespace", POL_PROJECT_READER },
	{ "image:delete_metadef_namespace", POL_PROJECT_READER },
	{ "image:list_metadef_resource_types", POL_PROJECT_READER },
	{ "image:get_metadef_resource_type", POL_PROJECT_READER },
	{ "image:add_metadef_resource_type_association", POL_PROJECT_READER },
	{ "image:remove_metadef_resource_type_association", POL_PROJECT_READER },
	{ "image:get_metadef_objects", POL_PROJECT_READER },
	{ "image:get_metadef_object", POL_PROJECT_READER },
	{ "image:add_metadef_object", POL_PROJECT_READER },
	{ "image:modify_metadef_object", POL_PROJECT_READER },
	{ "image:delete_metadef_object", POL_PROJECT_READER },
	{ "image:get_metadef_properties", POL_PROJECT_READER },
	{ "image:get_metadef_property", POL_PROJECT_READER },
	{ "image:add_metadef_property", POL_PROJECT_READER },
	{ "image:modify_metadef_property", POL_PROJECT_READER },
	{ "image:remove_metadef_property", POL_PROJECT_READER },
	{ "image:get_metadef_tags", POL_PROJECT_READER },
	{ "image:get_metadef_tag", POL_PROJECT_READER },
	{ "image:add_metadef_tags", POL_PROJECT_READER },
	{ "image:add_metadef_tag", POL_PROJECT_READER },
	{ "image:modify_metadef_tag", POL_PROJECT_READER },
	{ "image:delete_metadef_tags", POL_PROJECT_READER },
	{ "image:delete_metadef_tag", POL_PROJECT_READER },
	{ NULL, 0 },
};
