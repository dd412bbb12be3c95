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
#include "image/image_quota.h"
#include "image/images_db.h"
#include "image/members_db.h"
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
					 "locations", "id", NULL };
static const char *const reserved[] = { "deleted", "deleted_at", "location", NULL };
/* Glance's _disallowed_properties beyond read_only: no create body names them (stores
 * would pass for the list of backends holding the data). */
static const char *const create_disallowed[] = { "stores", NULL };

/* Reserved names, and the os_glance_* namespace the service keeps for itself. */
static bool is_reserved(const char *key)
{
	return image_in_list(reserved, key) || strncmp(key, "os_glance", 9) == 0;
}
/* Core attributes a PATCH may not remove. */
static const char *const core_attrs[] = { "name", "visibility", "disk_format",
					  "container_format", "min_disk", "min_ram",
					  "protected", "os_hidden", "tags", "owner", NULL };

bool image_in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

#define IMAGE_TAG_QUOTA 128 /* Glance's image_tag_quota default */

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
			if (json_array_size(v) > IMAGE_TAG_QUOTA)
				return err_set(err, ERR_TOO_LARGE,
					       "The limit has been exceeded on the number of "
					       "allowed image tags. Attempted: %zu, Maximum: %d",
					       json_array_size(v), IMAGE_TAG_QUOTA);
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

/* The owner is the creator's project; only an admin gives an image to another one. */
static int check_owner(struct req *rq, const json_t *img, struct err *err)
{
	const json_t *v = json_object_get(img, "owner");

	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 255)
		return schema_error(err, "'owner' must be a string of 1 to 255 characters");
	if (!image_is_admin(rq) && !str_eq(json_string_value(v), rq->auth->project_id))
		return err_set(err, ERR_FORBIDDEN, "You are not permitted to create images "
						   "owned by '%s'.", json_string_value(v));
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

/* Glance's is_image_visible: admin, the owner, anyone for public and community images,
 * and the members of a shared image whatever their answer. 1, 0 or -1. */
static int can_see(struct req *rq, struct db *db, const json_t *img, struct err *err)
{
	const char *vis = jsonx_str(img, "visibility"), *project = rq->auth->project_id;
	json_t *m;

	if (image_is_admin(rq) || str_eq(jsonx_str(img, "owner"), project) ||
	    str_eq(vis, "public") || str_eq(vis, "community"))
		return 1;
	if (!str_eq(vis, "shared") || project == NULL)
		return 0;
	if ((m = image_member_db_find(db, jsonx_str(img, "id"), project, err)) != NULL) {
		json_decref(m);
		return 1;
	}
	if (err->kind != ERR_NOT_FOUND)
		return -1;
	err_clear(err);
	return 0;
}

bool image_can_modify(struct req *rq, const json_t *img)
{
	return image_is_admin(rq) || str_eq(jsonx_str(img, "owner"), rq->auth->project_id);
}

json_t *image_find_visible(struct req *rq, struct db *db, const char *id, struct err *err)
{
	json_t *img = image_db_find(db, id, err);
	int rc;

	if (img != NULL && (rc = can_see(rq, db, img, err)) <= 0) {
		json_decref(img);
		if (rc == 0)
			err_set(err, ERR_NOT_FOUND, "No image found with ID %s", id);
		return NULL;
	}
	return img;
}

json_t *image_find_sub(struct req *rq, struct db *db, const char *id, struct err *err)
{
	json_t *img = image_find_visible(rq, db, id, err);

	if (img == NULL && err->kind == ERR_NOT_FOUND) {
		err_clear(err);
		err_set(err, ERR_NOT_FOUND, "Image %s not found.", id);
	}
	return img;
}

/* Opens a transaction and finds the image 'id' the caller means to change: a 404 as
 * image_find_visible (image_find_sub's words when 'sub'), 403 'denied' when the caller may
 * not modify it. On failure the transaction is rolled back; on success the caller owns the
 * image and commits or rolls back. */
static json_t *begin_modify(struct req *rq, struct db *db, const char *id, bool sub,
			    const char *denied, struct err *err)
{
	json_t *img;

	if (db_begin(db, err) < 0)
		return NULL;
	img = sub ? image_find_sub(rq, db, id, err) : image_find_visible(rq, db, id, err);
	if (img != NULL && !image_can_modify(rq, img)) {
		json_decref(img);
		img = NULL;
		err_set(err, ERR_FORBIDDEN, "%s", denied);
	}
	if (img == NULL)
		db_rollback(db);
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
		if ((strcmp(key, "id") != 0 && image_in_list(read_only, key)) ||
		    image_in_list(create_disallowed, key))
			return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is read-only.", key);
		if (is_reserved(key))
			return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is reserved.", key);
	}
	img = json_deep_copy(body);
	if ((v = json_object_get(img, "id")) != NULL) {
		if (!json_is_string(v) || !uuid_ok(json_string_value(v)))
			return schema_error(err, "'id' must be a UUID");
	} else {
		util_uuid(id);
		json_object_set_new(img, "id", json_string(id));
	}
	/* Glance's default: shareable with members, seen by no one else until then */
	if (json_object_get(img, "visibility") == NULL)
		json_object_set_new(img, "visibility", json_string("shared"));
	if (json_object_get(img, "min_disk") == NULL)
		json_object_set_new(img, "min_disk", json_integer(0));
	if (json_object_get(img, "min_ram") == NULL)
		json_object_set_new(img, "min_ram", json_integer(0));
	if ((v = json_object_get(img, "owner")) == NULL || json_is_null(v))
		json_object_set_new(img, "owner", json_string(rq->auth->project_id));
	if (check_owner(rq, img, err) < 0)
		return -1;
	if (validate(img, err) < 0 || check_publicize(rq, img, err) < 0)
		return -1;
	/* the count is read in the transaction that adds the image: on SQLite, whose writers
	 * take turns from BEGIN, two creates cannot both take the last place */
	if (db_begin(db, err) < 0)
		return -1;
	if (image_quota_check_count(db, rq->auth->project_id, err) < 0 ||
	    image_db_insert(db, img, err) < 0 || db_commit(db, err) < 0) {
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

/* ---- list filters, as Glance reads them ---- */

/* Filters on a column: the query key, the column, how it compares. */
enum filter_kind {
	FK_OP,      /* "value", "eq:value" or "in:a,b,\"c,d\"" */
	FK_EQ,      /* the value as it is */
	FK_INT,     /* an integer, equal */
	FK_MIN,     /* an integer, column >= */
	FK_MAX,     /* an integer, column <= */
	FK_TIME,    /* "[op:]ISO 8601" with op one of eq neq lt lte gt gte */
};

static const struct {
	const char *key, *column;
	enum filter_kind kind;
} filter_cols[] = {
	{ "name", "name", FK_OP },
	{ "id", "id", FK_OP },
	{ "status", "status", FK_OP },
	{ "container_format", "container_format", FK_OP },
	{ "disk_format", "disk_format", FK_OP },
	{ "owner", "owner", FK_EQ },
	{ "checksum", "checksum", FK_EQ },
	{ "os_hash_value", "os_hash_value", FK_EQ },
	{ "size", "size", FK_INT },
	{ "virtual_size", "virtual_size", FK_INT },
	{ "min_ram", "min_ram", FK_INT },
	{ "min_disk", "min_disk", FK_INT },
	{ "size_min", "size", FK_MIN },
	{ "size_max", "size", FK_MAX },
	{ "virtual_size_min", "virtual_size", FK_MIN },
	{ "virtual_size_max", "virtual_size", FK_MAX },
	{ "min_ram_min", "min_ram", FK_MIN },
	{ "min_ram_max", "min_ram", FK_MAX },
	{ "min_disk_min", "min_disk", FK_MIN },
	{ "min_disk_max", "min_disk", FK_MAX },
	{ "created_at", "created_at", FK_TIME },
	{ "updated_at", "updated_at", FK_TIME },
};

/* Query keys that are not filters, or that images_list reads itself. */
static const char *const not_filters[] = { "limit", "marker", "sort", "sort_key", "sort_dir",
					   "visibility", "member_status", "deleted", NULL };

static int too_many(struct err *err)
{
	return err_set(err, ERR_BAD_REQUEST, "Too many filters in one request.");
}

/* Splits "a,\"b,c\",d" into 'c' values (quotes keep commas; copies in the arena). */
static int split_in(struct req *rq, const char *list, struct image_cond *c, int *budget,
		    struct err *err)
{
	char *buf = req_strdup(rq, list), *o = buf, *start = buf;
	bool quoted = false;

	for (const char *p = list;; p++) {
		if (*p == '"' && (p == list || p[-1] != '\\')) {
			quoted = !quoted;
			continue;
		}
		if (*p == '\0' || (*p == ',' && !quoted)) {
			if (*p == '\0' && quoted)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid filter value %s. The quote is not closed.",
					       list);
			*o++ = '\0';
			if (c->nvalues == IMAGE_VALUES_MAX || --*budget < 0)
				return too_many(err);
			c->values[c->nvalues++] = start;
			start = o;
			if (*p == '\0')
				return 0;
			continue;
		}
		*o++ = *p;
	}
}

/* Glance's split_filter_op: "op:value", except that a bare ISO 8601 time stays whole. */
static const char *split_op(struct req *rq, const char *val, const char **op)
{
	const char *colon = strchr(val, ':');
	int64_t us;

	if (colon == NULL || util_parse_iso8601(val, &us) == 0) {
		*op = "eq";
		return val;
	}
	*op = req_printf(rq, "%.*s", (int)(colon - val), val);
	return colon + 1;
}

static int unknown_op(const char *op, struct err *err)
{
	return err_set(err, ERR_BAD_REQUEST, "Unable to filter by unknown operator '%s'.", op);
}

static bool is_int(const char *s)
{
	char *end;

	if (*s == '\0')
		return false;
	(void)strtoll(s, &end, 10);
	return *end == '\0';
}

static int column_filter(struct req *rq, struct image_filter *f, int col, const char *val,
			 int *budget, struct err *err)
{
	static const char *const ops[] = { "eq", "neq", "lt", "lte", "gt", "gte", NULL };
	struct image_cond *c;
	const char *op, *v;
	int64_t us;

	if (f->nconds == IMAGE_FILTER_MAX || *budget <= 0)
		return too_many(err);
	c = &f->conds[f->nconds];
	memset(c, 0, sizeof(*c));
	c->column = filter_cols[col].column;
	c->op = IMAGE_EQ;
	switch (filter_cols[col].kind) {
	case FK_OP:
		v = split_op(rq, val, &op);
		if (strcmp(op, "in") == 0) {
			c->op = IMAGE_IN;
			if (split_in(rq, v, c, budget, err) < 0)
				return -1;
			break;
		}
		if (strcmp(op, "eq") != 0)
			return unknown_op(op, err);
		c->values[c->nvalues++] = v;
		--*budget;
		break;
	case FK_EQ:
		c->values[c->nvalues++] = val;
		--*budget;
		break;
	case FK_INT:
	case FK_MIN:
	case FK_MAX:
		if (!is_int(val))
			return err_set(err, ERR_BAD_REQUEST, "Unable to filter on a range "
							     "with a non-numeric value.");
		c->numeric = true;
		c->op = filter_cols[col].kind == FK_MIN ? IMAGE_GTE :
			filter_cols[col].kind == FK_MAX ? IMAGE_LTE : IMAGE_EQ;
		c->values[c->nvalues++] = val;
		--*budget;
		break;
	case FK_TIME:
		v = split_op(rq, val, &op);
		int i = 0;
		while (ops[i] && strcmp(ops[i], op) != 0)
			i++;
		if (ops[i] == NULL)
			return unknown_op(op, err);
		if (util_parse_iso8601(v, &us) < 0)
			return err_set(err, ERR_BAD_REQUEST, "Bad \"%s\" query filter format. "
				       "Use ISO 8601 DateTime notation.", filter_cols[col].key);
		c->numeric = true;
		c->op = (enum image_op[]){ IMAGE_EQ, IMAGE_NEQ, IMAGE_LT, IMAGE_LTE, IMAGE_GT,
					   IMAGE_GTE }[i];
		c->values[c->nvalues++] = req_printf(rq, "%lld", (long long)us);
		--*budget;
		break;
	}
	f->nconds++;
	return 0;
}

struct filter_ctx {
	struct req *rq;
	struct image_filter *f;
	struct err *err;
	int budget; /* values left for column conditions */
};

static int bool_filter(const char *key, const char *val, bool *out, struct err *err)
{
	if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0)
		return err_set(err, ERR_BAD_REQUEST, "Invalid value '%s' for '%s' filter. Valid "
			       "values are 'true' or 'false'.", val, key);
	*out = strcmp(val, "true") == 0;
	return 0;
}

static int one_filter(void *ctx, const char *key, const char *val)
{
	struct filter_ctx *fc = ctx;
	struct image_filter *f = fc->f;

	val = val ? val : "";
	if (image_in_list(not_filters, key))
		return 0;
	if (strcmp(key, "changes-since") == 0)
		return -err_set(fc->err, ERR_BAD_REQUEST, "The \"changes-since\" filter is no "
				"longer available on v2.");
	if (strcmp(key, "tag") == 0) {
		if (f->ntags == IMAGE_TAGS_MAX)
			return -too_many(fc->err);
		f->tags[f->ntags++] = val;
		return 0;
	}
	if (strcmp(key, "os_hidden") == 0) {
		char *low = req_strdup(fc->rq, val);
		for (char *p = low; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (strcmp(low, "true") != 0 && strcmp(low, "false") != 0)
			return -err_set(fc->err, ERR_BAD_REQUEST, "Invalid value '%s' for "
					"'os_hidden' filter. Valid values are 'true' or 'false'.",
					low);
		f->hidden = strcmp(low, "true") == 0;
		return 0;
	}
	if (strcmp(key, "protected") == 0) {
		bool b = false;
		if (bool_filter(key, val, &b, fc->err) < 0)
			return 1;
		if (f->nconds == IMAGE_FILTER_MAX || fc->budget-- <= 0)
			return -too_many(fc->err);
		struct image_cond *c = &f->conds[f->nconds++];
		memset(c, 0, sizeof(*c));
		*c = (struct image_cond){ .column = "protected", .op = IMAGE_EQ, .numeric = true,
					  .nvalues = 1 };
		c->values[0] = b ? "1" : "0";
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(filter_cols); i++)
		if (strcmp(key, filter_cols[i].key) == 0)
			return column_filter(fc->rq, f, (int)i, val, &fc->budget, fc->err) < 0;
	/* anything else names a custom property, as in Glance */
	if (f->nprops == IMAGE_TAGS_MAX)
		return -too_many(fc->err);
	f->prop_keys[f->nprops] = key;
	f->prop_values[f->nprops++] = val;
	return 0;
}

static int parse_filters(struct req *rq, struct image_filter *f, struct err *err)
{
	struct filter_ctx fc = { rq, f, err, IMAGE_VALUES_MAX };
	const char *ms = req_query(rq, "member_status");

	f->visibility = req_query(rq, "visibility");
	if (f->visibility != NULL && strcmp(f->visibility, "all") != 0 &&
	    !image_in_list(visibilities, f->visibility))
		return err_set(err, ERR_BAD_REQUEST, "Invalid visibility value: %s",
			       f->visibility);
	f->member_status = ms ? ms : "accepted";
	if (!image_in_list((const char *const[]){ "pending", "accepted", "rejected", "all",
						  NULL },
			   f->member_status))
		return err_set(err, ERR_BAD_REQUEST, "Invalid status: %s", f->member_status);
	req_query_each(rq, one_filter, &fc);
	return err->kind != ERR_NONE ? -1 : 0;
}

/* The link to the page after the image 'last': the request's query with its marker
 * replaced (in the request's arena). */
static const char *next_link(struct req *rq, const char *last)
{
	const char *q = req_query_except(rq, "marker");

	return req_printf(rq, "/v2/images?%s%smarker=%s", q, *q ? "&" : "",
			  req_url_escape(rq, last));
}

/* The list without tag or property filters (the common one): its text is written straight
 * from the rows (image_db_list_json), no jansson objects on the way. */
static int images_list_text(struct req *rq, struct db *db, const struct image_filter *f,
			    int max, struct err *err)
{
	struct image_json out = { 0 };
	char *next = NULL;

	IMAGE_JSON_LIT(&out, "{\"images\": [");
	if (image_db_list_json(db, f, max, &out, &next, err) < 0) {
		free(out.s);
		return -1;
	}
	IMAGE_JSON_LIT(&out, "], \"schema\": \"/v2/schemas/images\", \"first\": \"/v2/images\"");
	if (next != NULL) {
		IMAGE_JSON_LIT(&out, ", \"next\": ");
		image_json_str(&out, next_link(rq, next));
		free(next);
	}
	IMAGE_JSON_LIT(&out, "}");
	reply_json_text(rq, 200, image_json_take(&out));
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
	f.project = rq->auth->project_id ? rq->auth->project_id : "";
	f.admin = image_is_admin(rq);
	if (parse_filters(rq, &f, err) < 0)
		return -1;
	f.marker = pg.marker;
	f.limit = pg.limit + 1;
	if (f.ntags == 0 && f.nprops == 0)
		return images_list_text(rq, db, &f, pg.limit, err);
	if ((list = image_db_list(db, &f, err)) == NULL)
		return -1;
	json_t *body = json_pack("{s:s,s:s}", "schema", "/v2/schemas/images", "first",
				 "/v2/images");
	if (json_array_size(list) > (size_t)pg.limit) {
		json_array_remove(list, (size_t)pg.limit);
		/* limit=0: an empty page and no next link, as Glance */
		if (pg.limit > 0) {
			img = json_array_get(list, (size_t)pg.limit - 1);
			json_object_set_new(body, "next",
					    json_string(next_link(rq, jsonx_str(img, "id"))));
		}
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
static const char *const patch_ops[] = { "add", "remove", "replace", NULL };

/* The operation and path of one change: {"op": "replace", "path": "/x"} for the v2.1
 * media type (JSON patch draft 10), {"replace": "/x"} for v2.0 (draft 4), as Glance. */
static int patch_op_path(const json_t *change, bool d4, const char **op, const char **path,
			 struct err *err)
{
	if (!json_is_object(change))
		return err_set(err, ERR_BAD_REQUEST, "Operations must be JSON objects.");
	if (d4) {
		*op = NULL;
		for (int i = 0; patch_ops[i]; i++) {
			if (json_object_get(change, patch_ops[i]) == NULL)
				continue;
			if (*op != NULL)
				return err_set(err, ERR_BAD_REQUEST,
					       "Operation objects must contain only one member "
					       "named \"add\", \"remove\", or \"replace\".");
			*op = patch_ops[i];
		}
		if (*op == NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Operation objects must contain exactly one member named "
				       "\"add\", \"remove\", or \"replace\".");
		*path = jsonx_str(change, *op);
		return 0;
	}
	if ((*op = jsonx_str(change, "op")) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Unable to find `op` in JSON Schema change. "
						     "It must be one of the following: add, "
						     "remove, replace.");
	if (!image_in_list(patch_ops, *op))
		return err_set(err, ERR_BAD_REQUEST, "Invalid operation: `%s`. It must be one of "
			       "the following: add, remove, replace.", *op);
	if ((*path = jsonx_str(change, "path")) == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Unable to find 'path' in JSON Schema "
						     "change");
	return 0;
}

static int patch_one(struct req *rq, json_t *img, const json_t *change, bool d4,
		     struct err *err)
{
	const char *op = NULL, *path = NULL;
	json_t *value = json_object_get(change, "value");
	char *attr;

	if (patch_op_path(change, d4, &op, &path, err) < 0 ||
	    (attr = patch_attr(rq, path, err)) == NULL)
		return -1;
	if (image_in_list(read_only, attr))
		return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is read-only.", attr);
	if (is_reserved(attr))
		return err_set(err, ERR_FORBIDDEN, "Attribute '%s' is reserved.", attr);
	if (strcmp(attr, "owner") == 0 && !image_is_admin(rq))
		return err_set(err, ERR_FORBIDDEN, "You are not permitted to modify 'owner' on "
						   "this image.");
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
	bool d4;

	if (db == NULL)
		return -1;
	if (type == NULL ||
	    (strncmp(type, "application/openstack-images-v2.1-json-patch", 44) != 0 &&
	     strncmp(type, "application/openstack-images-v2.0-json-patch", 44) != 0))
		return err_set(err, ERR_UNSUPPORTED_MEDIA, "Unsupported Content-Type");
	d4 = strncmp(type, "application/openstack-images-v2.0-json-patch", 44) == 0;
	ops = json_loadb(rq->body ? rq->body : "", rq->body_size, 0, NULL);
	if (!json_is_array(ops))
		return err_set(err, ERR_BAD_REQUEST,
			       "Request body must be a JSON array of operation objects.");
	if ((img = begin_modify(rq, db, id, false,
				"You are not permitted to modify this image.", err)) == NULL)
		return -1;
	json_array_foreach(ops, i, change) {
		if (patch_one(rq, img, change, d4, err) < 0)
			goto fail;
	}
	if (validate(img, err) < 0 || check_owner(rq, img, err) < 0 ||
	    check_publicize(rq, img, err) < 0 || image_db_update(db, img, err) < 0 || db_commit(db, err) < 0)
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

	if (db == NULL || (img = begin_modify(rq, db, id, false,
					      "You are not permitted to delete this image.",
					      err)) == NULL)
		return -1;
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

/* ---- tags: /v2/images/{id}/tags/{tag} ---- */

static bool has_tag(const json_t *tags, const char *tag)
{
	const json_t *t;
	size_t i;

	json_array_foreach(tags, i, t) {
		if (str_eq(json_string_value(t), tag))
			return true;
	}
	return false;
}

static int tag_put(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id"), *tag = req_param(rq, "tag");
	json_auto_t *img = NULL;
	json_t *tags;

	if (db == NULL)
		return -1;
	if (jsonx_utf8_len(tag) > 255)
		return schema_error(err, "a tag must be a string of 1 to 255 characters");
	if ((img = begin_modify(rq, db, id, true,
				req_printf(rq, "Not allowed to update tags for image %s.", id),
				err)) == NULL)
		return -1;
	tags = json_object_get(img, "tags");
	if (has_tag(tags, tag)) {
		db_rollback(db);
		reply_empty(rq, 204);
		return 0;
	}
	if (json_array_size(tags) >= IMAGE_TAG_QUOTA) {
		err_set(err, ERR_TOO_LARGE,
			"Image tag limit exceeded for image %s: The limit has been exceeded on the "
			"number of allowed image tags. Attempted: %zu, Maximum: %d:",
			id, json_array_size(tags) + 1, IMAGE_TAG_QUOTA);
		goto fail;
	}
	json_array_append_new(tags, json_string(tag));
	if (image_db_update(db, img, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	reply_empty(rq, 204);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int tag_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id"), *tag = req_param(rq, "tag");
	json_auto_t *img = NULL;
	json_t *tags, *t;
	size_t i;

	if (db == NULL ||
	    (img = begin_modify(rq, db, id, true,
				req_printf(rq, "Not allowed to delete tags for image %s.", id),
				err)) == NULL)
		return -1;
	tags = json_object_get(img, "tags");
	json_array_foreach(tags, i, t) {
		if (str_eq(json_string_value(t), tag))
			break;
	}
	if (i == json_array_size(tags)) {
		/* Glance's bare 404 here carries webob's default words */
		err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
		goto fail;
	}
	json_array_remove(tags, i);
	if (image_db_update(db, img, err) < 0 || db_commit(db, err) < 0)
		goto fail;
	reply_empty(rq, 204);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* ---- actions: deactivate, reactivate ---- */

/* Moves the image between active and 'other' (deactivated); asking for the state it is
 * already in is a no-op, as in Glance. Admin or owner (Glance's default policy). */
static int image_action(struct req *rq, const char *action, const char *from, const char *to,
			struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "image_id"), *status;
	json_auto_t *img = NULL;

	if (db == NULL ||
	    (img = begin_modify(rq, db, id, false,
				req_printf(rq, "You are not authorized to complete %s action.",
					   action),
				err)) == NULL)
		return -1;
	status = jsonx_str(img, "status");
	if (str_eq(status, from)) {
		if (image_db_set_status(db, id, from, to, err) < 0)
			goto fail;
	} else if (!str_eq(status, to)) {
		err_set(err, ERR_FORBIDDEN, "Not allowed to %s image in status '%s'", action,
			status);
		goto fail;
	}
	if (db_commit(db, err) < 0)
		goto fail;
	LOGM(LOG_INFO, rq->request_id, "image %s: %s", id, to);
	reply_empty(rq, 204);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

static int image_deactivate(struct req *rq, struct err *err)
{
	return image_action(rq, "deactivate", "active", "deactivated", err);
}

static int image_reactivate(struct req *rq, struct err *err)
{
	return image_action(rq, "reactivate", "deactivated", "active", err);
}

const struct route image_routes[] = {
	{ HTTP_GET, "", versions_root, NULL },
	{ HTTP_GET, "/versions", versions_list, NULL },
	{ HTTP_GET, "/v2/images", images_list, "image:get_images" },
	{ HTTP_POST, "/v2/images", images_create, "image:add_image" },
	{ HTTP_GET, "/v2/images/{image_id}", image_show, "image:get_image" },
	{ HTTP_PATCH, "/v2/images/{image_id}", image_update, "image:modify_image" },
	{ HTTP_DELETE, "/v2/images/{image_id}", image_delete, "image:delete_image" },
	{ HTTP_PUT, "/v2/images/{image_id}/tags/{tag}", tag_put, "image:modify_image" },
	{ HTTP_DELETE, "/v2/images/{image_id}/tags/{tag}", tag_delete, "image:modify_image" },
	{ HTTP_POST, "/v2/images/{image_id}/actions/deactivate", image_deactivate,
	  "image:deactivate" },
	{ HTTP_POST, "/v2/images/{image_id}/actions/reactivate", image_reactivate,
	  "image:reactivate" },
	{ 0 },
};


/* Glance's secure-RBAC defaults (glance/policies/image.py): readers of a project read
 * ("role:reader and project_id:%(project_id)s"), its members write ("role:member and
 * project_id:%(project_id)s"), admin does both; a token without a project has no role
 * there and gets nothing. The route checks the role; which project the image belongs to
 * is the handler's check (image_find_visible, then image_can_modify: the owner, or
 * check_owner for a new image), and publicizing needs admin (check_publicize). Tags and
 * the data staged or imported are modify_image too, as in Glance. */
const struct policy image_policies[] = {
	{ "image:get_images", POL_PROJECT_READER },
	{ "image:add_image", POL_PROJECT_MEMBER },
	{ "image:get_image", POL_PROJECT_READER },
	{ "image:modify_image", POL_PROJECT_MEMBER },
	{ "image:delete_image", POL_PROJECT_MEMBER },
	{ "image:deactivate", POL_PROJECT_MEMBER },
	{ "image:reactivate", POL_PROJECT_MEMBER },
	{ NULL, 0 },
};
