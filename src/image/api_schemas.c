/* /v2/schemas/{image,images,member,members}, /v2/schemas/{task,tasks} and the metadata
 * definitions' /v2/schemas/metadefs/...: the JSON schemas Glance publishes.
 *
 * Clients read them to validate and to tell core attributes from custom properties
 * (python-glanceclient builds its image model from /v2/schemas/image). The documents are
 * Glance's: its base image properties, the custom properties of its default
 * schema-image.json (marked "is_base": false), string-valued additional properties, and
 * the links a client expands. The format enums come from the lists images are checked
 * against, so the schema never promises what the API refuses. The documents do not
 * change while the process runs: each is rendered once and served as text. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/http.h"
#include "core/util.h"
#include "image/image_int.h"

#define UUID_PATTERN                                                                      \
	"^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"

/* Image properties, Glance's text; disk_format and container_format get their enums from
 * the accepted lists. */
static const char image_properties[] =
	"{"
	"\"id\": {\"type\": \"string\", \"description\": \"An identifier for the image\","
	" \"pattern\": \"" UUID_PATTERN "\"},"
	"\"name\": {\"type\": [\"null\", \"string\"],"
	" \"description\": \"Descriptive name for the image\", \"maxLength\": 255},"
	"\"status\": {\"type\": \"string\", \"readOnly\": true,"
	" \"description\": \"Status of the image\", \"enum\": [\"queued\", \"saving\","
	" \"active\", \"killed\", \"deleted\", \"uploading\", \"importing\","
	" \"pending_delete\", \"deactivated\"]},"
	"\"visibility\": {\"type\": \"string\", \"description\": \"Scope of image accessibility\","
	" \"enum\": [\"community\", \"public\", \"private\", \"shared\"]},"
	"\"protected\": {\"type\": \"boolean\","
	" \"description\": \"If true, image will not be deletable.\"},"
	"\"os_hidden\": {\"type\": \"boolean\", \"description\": \"If true, image will not appear"
	" in default image list response.\"},"
	"\"checksum\": {\"type\": [\"null\", \"string\"], \"readOnly\": true,"
	" \"description\": \"md5 hash of image contents.\", \"maxLength\": 32},"
	"\"os_hash_algo\": {\"type\": [\"null\", \"string\"], \"readOnly\": true,"
	" \"description\": \"Algorithm to calculate the os_hash_value\", \"maxLength\": 64},"
	"\"os_hash_value\": {\"type\": [\"null\", \"string\"], \"readOnly\": true,"
	" \"description\": \"Hexdigest of the image contents using the algorithm specified by"
	" the os_hash_algo\", \"maxLength\": 128},"
	"\"owner\": {\"type\": [\"null\", \"string\"], \"description\": \"Owner of the image\","
	" \"maxLength\": 255},"
	"\"size\": {\"type\": [\"null\", \"integer\"], \"readOnly\": true,"
	" \"description\": \"Size of image file in bytes\"},"
	"\"virtual_size\": {\"type\": [\"null\", \"integer\"], \"readOnly\": true,"
	" \"description\": \"Virtual size of image in bytes\"},"
	"\"container_format\": {\"type\": [\"null\", \"string\"],"
	" \"description\": \"Format of the container\"},"
	"\"disk_format\": {\"type\": [\"null\", \"string\"],"
	" \"description\": \"Format of the disk\"},"
	"\"created_at\": {\"type\": \"string\", \"readOnly\": true,"
	" \"description\": \"Date and time of image registration\"},"
	"\"updated_at\": {\"type\": \"string\", \"readOnly\": true,"
	" \"description\": \"Date and time of the last image modification\"},"
	"\"tags\": {\"type\": \"array\", \"description\": \"List of strings related to the"
	" image\", \"items\": {\"type\": \"string\", \"maxLength\": 255}},"
	"\"direct_url\": {\"type\": \"string\", \"readOnly\": true,"
	" \"description\": \"URL to access the image file kept in external store\"},"
	"\"min_ram\": {\"type\": \"integer\","
	" \"description\": \"Amount of ram (in MB) required to boot image.\"},"
	"\"min_disk\": {\"type\": \"integer\","
	" \"description\": \"Amount of disk space (in GB) required to boot image.\"},"
	"\"self\": {\"type\": \"string\", \"readOnly\": true,"
	" \"description\": \"An image self url\"},"
	"\"file\": {\"type\": \"string\", \"readOnly\": true,"
	" \"description\": \"An image file url\"},"
	"\"stores\": {\"type\": \"string\", \"readOnly\": true, \"description\": \"Store in which"
	" image data resides.  Only present when the operator has enabled multiple stores."
	"  May be a comma-separated list of store identifiers.\"},"
	"\"schema\": {\"type\": \"string\", \"readOnly\": true,"
	" \"description\": \"An image schema url\"},"
	"\"locations\": {\"type\": \"array\", \"description\": \"A set of URLs to access the"
	" image file kept in external store\", \"items\": {\"type\": \"object\","
	" \"properties\": {\"url\": {\"type\": \"string\", \"maxLength\": 255},"
	" \"metadata\": {\"type\": \"object\"},"
	" \"validation_data\": {\"description\": \"Values to be used to populate the"
	" corresponding image properties. If the image status is not 'queued', values must"
	" exactly match those already contained in the image properties.\","
	" \"type\": \"object\", \"writeOnly\": true, \"additionalProperties\": false,"
	" \"properties\": {\"checksum\": {\"type\": \"string\", \"minLength\": 32,"
	" \"maxLength\": 32}, \"os_hash_algo\": {\"type\": \"string\", \"maxLength\": 64},"
	" \"os_hash_value\": {\"type\": \"string\", \"maxLength\": 128}},"
	" \"required\": [\"os_hash_algo\", \"os_hash_value\"]}},"
	" \"required\": [\"url\", \"metadata\"]}},"
	/* the custom properties of Glance's default schema-image.json */
	"\"kernel_id\": {\"type\": [\"null\", \"string\"], \"pattern\": \"" UUID_PATTERN "\","
	" \"description\": \"ID of image stored in Glance that should be used as the kernel"
	" when booting an AMI-style image.\", \"is_base\": false},"
	"\"ramdisk_id\": {\"type\": [\"null\", \"string\"], \"pattern\": \"" UUID_PATTERN "\","
	" \"description\": \"ID of image stored in Glance that should be used as the ramdisk"
	" when booting an AMI-style image.\", \"is_base\": false},"
	"\"instance_uuid\": {\"type\": \"string\", \"description\": \"Metadata which can be used"
	" to record which instance this image is associated with. (Informational only, does"
	" not create an instance snapshot.)\", \"is_base\": false},"
	"\"architecture\": {\"type\": \"string\", \"description\": \"Operating system"
	" architecture as specified in"
	" https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html\","
	" \"is_base\": false},"
	"\"os_distro\": {\"type\": \"string\", \"description\": \"Common name of operating system"
	" distribution as specified in"
	" https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html\","
	" \"is_base\": false},"
	"\"os_version\": {\"type\": \"string\", \"description\": \"Operating system version as"
	" specified by the distributor.\", \"is_base\": false},"
	"\"description\": {\"type\": \"string\", \"description\": \"A human-readable string"
	" describing this image.\", \"is_base\": false},"
	"\"cinder_encryption_key_id\": {\"type\": \"string\", \"description\": \"Identifier in"
	" the OpenStack Key Management Service for the encryption key for the Block Storage"
	" Service to use when mounting a volume created from this image\","
	" \"is_base\": false},"
	"\"cinder_encryption_key_deletion_policy\": {\"type\": \"string\", \"description\":"
	" \"States the condition under which the Image Service will delete the object"
	" associated with the 'cinder_encryption_key_id' image property.  If this property is"
	" missing, the Image Service will take no action\", \"enum\": [\"on_image_deletion\","
	" \"do_not_delete\"], \"is_base\": false}"
	"}";

static const char member_properties[] =
	"{"
	"\"member_id\": {\"type\": \"string\","
	" \"description\": \"An identifier for the image member (tenantId)\"},"
	"\"image_id\": {\"type\": \"string\", \"description\": \"An identifier for the image\","
	" \"pattern\": \"" UUID_PATTERN "\"},"
	"\"created_at\": {\"type\": \"string\","
	" \"description\": \"Date and time of image member creation\"},"
	"\"updated_at\": {\"type\": \"string\","
	" \"description\": \"Date and time of last modification of image member\"},"
	"\"status\": {\"type\": \"string\", \"description\": \"The status of this image member\","
	" \"enum\": [\"pending\", \"accepted\", \"rejected\"]},"
	"\"schema\": {\"readOnly\": true, \"type\": \"string\"}"
	"}";

/* [null, formats...] */
static json_t *format_enum(const char *const *list)
{
	json_t *e = json_array();

	json_array_append_new(e, json_null());
	for (; *list; list++)
		json_array_append_new(e, json_string(*list));
	return e;
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	BUG_ON(!json_is_object(v)); /* a literal of this file */
	return v;
}

/* The image schema: Glance's permissive schema (extra properties are strings). */
static json_t *image_schema(void)
{
	json_t *props = parse(image_properties);

	json_object_set_new(json_object_get(props, "disk_format"), "enum",
			    format_enum(image_disk_formats));
	json_object_set_new(json_object_get(props, "container_format"), "enum",
			    format_enum(image_container_formats));
	return json_pack("{s:s,s:o,s:{s:s},s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}", "name",
			 "image", "properties", props, "additionalProperties", "type", "string",
			 "links", "rel", "self", "href", "{self}", "rel", "enclosure", "href",
			 "{file}", "rel", "describedby", "href", "{schema}");
}

/* A collection of 'item' (stolen) named 'name', as Glance wraps its item schemas; the
 * full form (pages) for images, the minimal one for members. */
static json_t *collection(const char *name, json_t *item, bool pages)
{
	json_t *props = json_pack("{s:{s:s,s:o},s:{s:s}}", name, "type", "array", "items",
				  item, "schema", "type", "string");

	if (!pages)
		return json_pack("{s:s,s:o,s:[{s:s,s:s}]}", "name", name, "properties", props,
				 "links", "rel", "describedby", "href", "{schema}");
	json_object_set_new(props, "first", json_pack("{s:s}", "type", "string"));
	json_object_set_new(props, "next", json_pack("{s:s}", "type", "string"));
	return json_pack("{s:s,s:o,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}", "name", name,
			 "properties", props, "links", "rel", "first", "href", "{first}", "rel",
			 "next", "href", "{next}", "rel", "describedby", "href", "{schema}");
}

static json_t *member_schema(void)
{
	return json_pack("{s:s,s:o}", "name", "member", "properties", parse(member_properties));
}


/* ---- tasks ---- */

static const char task_properties[] =
	"{"
	"\"id\": {\"type\": \"string\", \"description\": \"An identifier for the task\","
	" \"pattern\": \"" UUID_PATTERN "\"},"
	"\"type\": {\"type\": \"string\", \"description\": \"The type of task represented by"
	" this content\", \"enum\": [\"import\"]},"
	"\"status\": {\"type\": \"string\", \"description\": \"The current status of this"
	" task\", \"enum\": [\"pending\", \"processing\", \"success\", \"failure\"]},"
	"\"input\": {\"type\": [\"null\", \"object\"],"
	" \"description\": \"The parameters required by task, JSON blob\"},"
	"\"result\": {\"type\": [\"null\", \"object\"],"
	" \"description\": \"The result of current task, JSON blob\"},"
	"\"owner\": {\"type\": \"string\","
	" \"description\": \"An identifier for the owner of this task\"},"
	"\"message\": {\"type\": \"string\", \"description\": \"Human-readable informative"
	" message only included when appropriate (usually on failure)\"},"
	"\"expires_at\": {\"type\": [\"null\", \"string\"],"
	" \"description\": \"Datetime when this resource would be subject to removal\"},"
	"\"created_at\": {\"type\": \"string\","
	" \"description\": \"Datetime when this resource was created\"},"
	"\"updated_at\": {\"type\": \"string\","
	" \"description\": \"Datetime when this resource was updated\"},"
	"\"self\": {\"readOnly\": true, \"type\": \"string\"},"
	"\"schema\": {\"readOnly\": true, \"type\": \"string\"}"
	"}";

static json_t *task_schema(void)
{
	return json_pack("{s:s,s:o}", "name", "task", "properties", parse(task_properties));
}

/* The list shows tasks without input, result and message, as Glance's. */
static json_t *tasks_schema(void)
{
	json_t *item = task_schema(), *props = json_object_get(item, "properties");

	json_object_del(props, "input");
	json_object_del(props, "result");
	json_object_del(props, "message");
	return collection("tasks", item, false);
}

/* ---- metadata definitions ---- */

/* The definitions the metadef documents share ("property" is added where it is used). */
static const char md_definitions[] =
	"{"
	"\"positiveInteger\": {\"type\": \"integer\", \"minimum\": 0},"
	"\"positiveIntegerDefault0\": {\"allOf\": [{\"$ref\": \"#/definitions/positiveInteger\"},"
	" {\"default\": 0}]},"
	"\"stringArray\": {\"type\": \"array\", \"items\": {\"type\": \"string\"},"
	" \"uniqueItems\": true}"
	"}";

#define MD_TYPE_ENUM                                                                      \
	"{\"type\": \"string\", \"enum\": [\"array\", \"boolean\", \"integer\", \"number\","   \
	" \"object\", \"string\", null]}"

/* What a property definition may say (a JSON schema of one value). */
static const char md_property_properties[] =
	"{"
	"\"name\": {\"type\": \"string\", \"maxLength\": 255},"
	"\"title\": {\"type\": \"string\"},"
	"\"description\": {\"type\": \"string\"},"
	"\"operators\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
	"\"type\": " MD_TYPE_ENUM ","
	"\"required\": {\"$ref\": \"#/definitions/stringArray\"},"
	"\"minimum\": {\"type\": \"number\"},"
	"\"maximum\": {\"type\": \"number\"},"
	"\"maxLength\": {\"$ref\": \"#/definitions/positiveInteger\"},"
	"\"minLength\": {\"$ref\": \"#/definitions/positiveIntegerDefault0\"},"
	"\"pattern\": {\"type\": \"string\", \"format\": \"regex\"},"
	"\"enum\": {\"type\": \"array\"},"
	"\"readonly\": {\"type\": \"boolean\"},"
	"\"default\": {},"
	"\"items\": {\"type\": \"object\", \"properties\": {\"type\": " MD_TYPE_ENUM ","
	" \"enum\": {\"type\": \"array\"}}},"
	"\"maxItems\": {\"$ref\": \"#/definitions/positiveInteger\"},"
	"\"minItems\": {\"$ref\": \"#/definitions/positiveIntegerDefault0\"},"
	"\"uniqueItems\": {\"type\": \"boolean\", \"default\": false},"
	"\"additionalItems\": {\"type\": \"boolean\"}"
	"}";

#define MD_TIME(what, desc)                                                               \
	"\"" what "\": {\"type\": \"string\", \"readOnly\": true, \"description\": \"" desc   \
	"\", \"format\": \"date-time\"}"

static const char md_namespace_properties[] =
	"{"
	"\"namespace\": {\"type\": \"string\", \"description\": \"The unique namespace text.\","
	" \"maxLength\": 80},"
	"\"display_name\": {\"type\": \"string\", \"description\": \"The user friendly name for"
	" the namespace. Used by UI if available.\", \"maxLength\": 80},"
	"\"description\": {\"type\": \"string\", \"description\": \"Provides a user friendly"
	" description of the namespace.\", \"maxLength\": 500},"
	"\"visibility\": {\"type\": \"string\", \"description\": \"Scope of namespace"
	" accessibility.\", \"enum\": [\"public\", \"private\"]},"
	"\"protected\": {\"type\": \"boolean\","
	" \"description\": \"If true, namespace will not be deletable.\"},"
	"\"owner\": {\"type\": \"string\", \"description\": \"Owner of the namespace.\","
	" \"maxLength\": 255},"
	MD_TIME("created_at", "Date and time of namespace creation") ","
	MD_TIME("updated_at", "Date and time of the last namespace modification") ","
	"\"schema\": {\"readOnly\": true, \"type\": \"string\"},"
	"\"self\": {\"readOnly\": true, \"type\": \"string\"},"
	"\"resource_type_associations\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
	" \"properties\": {\"name\": {\"type\": \"string\"}, \"prefix\": {\"type\": \"string\"},"
	" \"properties_target\": {\"type\": \"string\"}}}},"
	"\"properties\": {\"$ref\": \"#/definitions/property\"},"
	"\"objects\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\":"
	" {\"name\": {\"type\": \"string\"}, \"description\": {\"type\": \"string\"},"
	" \"required\": {\"$ref\": \"#/definitions/stringArray\"},"
	" \"properties\": {\"$ref\": \"#/definitions/property\"}}}},"
	"\"tags\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
	" \"properties\": {\"name\": {\"type\": \"string\"}}}}"
	"}";

static const char md_object_properties[] =
	"{"
	"\"name\": {\"type\": \"string\", \"maxLength\": 255},"
	"\"description\": {\"type\": \"string\"},"
	"\"required\": {\"$ref\": \"#/definitions/stringArray\"},"
	"\"properties\": {\"$ref\": \"#/definitions/property\"},"
	"\"schema\": {\"readOnly\": true, \"type\": \"string\"},"
	"\"self\": {\"readOnly\": true, \"type\": \"string\"},"
	MD_TIME("created_at", "Date and time of object creation") ","
	MD_TIME("updated_at", "Date and time of the last object modification")
	"}";

static const char md_resource_type_properties[] =
	"{"
	"\"name\": {\"type\": \"string\", \"description\": \"Resource type names should be"
	" aligned with Heat resource types whenever possible:"
	" https://docs.openstack.org/heat/latest/template_guide/openstack.html\","
	" \"maxLength\": 80},"
	"\"prefix\": {\"type\": \"string\", \"description\": \"Specifies the prefix to use for"
	" the given resource type. Any properties in the namespace should be prefixed with this"
	" prefix when being applied to the specified resource type. Must include prefix"
	" separator (e.g. a colon :).\", \"maxLength\": 80},"
	"\"properties_target\": {\"type\": \"string\", \"description\": \"Some resource types"
	" allow more than one key / value pair per instance.  For example, Cinder allows user"
	" and image metadata on volumes. Only the image properties metadata is evaluated by"
	" Nova (scheduling or drivers). This property allows a namespace target to remove the"
	" ambiguity.\", \"maxLength\": 80},"
	MD_TIME("created_at", "Date and time of resource type association") ","
	MD_TIME("updated_at", "Date and time of the last resource type association"
			      " modification")
	"}";

static const char md_tag_properties[] =
	"{"
	"\"name\": {\"type\": \"string\", \"maxLength\": 255},"
	MD_TIME("created_at", "Date and time of tag creation") ","
	MD_TIME("updated_at", "Date and time of the last tag modification")
	"}";

/* The shared definitions, with "property" (a map of property definitions) when asked. */
static json_t *md_defs(bool with_property)
{
	json_t *defs = parse(md_definitions);

	if (with_property)
		json_object_set_new(defs, "property",
				    json_pack("{s:s,s:{s:s,s:[ss],s:o}}", "type", "object",
					      "additionalProperties", "type", "object",
					      "required", "title", "type", "properties",
					      parse(md_property_properties)));
	return defs;
}

/* One metadef document: Glance's strict Schema (no other keys) requiring 'required'
 * (a NULL-terminated list); 'defs' stolen, may be NULL. */
static json_t *md_item(const char *name, const char *props, const char *const *required,
		       json_t *defs)
{
	json_t *doc = json_pack("{s:s,s:o,s:b}", "name", name, "properties", parse(props),
				"additionalProperties", 0), *req = json_array();

	for (; *required; required++)
		json_array_append_new(req, json_string(*required));
	json_object_set_new(doc, "required", req);
	if (defs != NULL)
		json_object_set_new(doc, "definitions", defs);
	return doc;
}

/* Glance's collection of an item document (stolen): the items in an array (or, for
 * properties, an object keyed by name), first/next/schema, and the item's definitions
 * moved up to the collection. */
static json_t *md_collection(const char *name, json_t *item, bool keyed)
{
	json_t *defs = json_object_get(item, "definitions"), *doc, *props;

	json_incref(defs);
	json_object_del(item, "definitions");
	props = json_pack("{s:o,s:{s:s},s:{s:s},s:{s:s}}", name,
			  keyed ? json_pack("{s:s,s:o}", "type", "object", "additionalProperties",
					    item)
				: json_pack("{s:s,s:o}", "type", "array", "items", item),
			  "first", "type", "string", "next", "type", "string", "schema", "type",
			  "string");
	doc = json_pack("{s:s,s:o,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}", "name", name,
			"properties", props, "links", "rel", "first", "href", "{first}", "rel",
			"next", "href", "{next}", "rel", "describedby", "href", "{schema}");
	if (defs != NULL)
		json_object_set_new(doc, "definitions", defs);
	return doc;
}

static const char *const req_namespace[] = { "namespace", NULL };
static const char *const req_name[] = { "name", NULL };
static const char *const req_property[] = { "type", "title", "name", NULL };
static const char *const req_property_in_map[] = { "type", "title", NULL };

static json_t *md_namespace(void)
{
	return md_item("namespace", md_namespace_properties, req_namespace, md_defs(true));
}

static json_t *md_object(void)
{
	return md_item("object", md_object_properties, req_name, md_defs(true));
}

static json_t *md_resource_type(void)
{
	return md_item("resource_type_association", md_resource_type_properties, req_name,
		       NULL);
}

static json_t *md_tag(void)
{
	return md_item("tag", md_tag_properties, req_name, NULL);
}

/* A single property requires its name; in the properties map the name is the key. Its
 * stringArray asks for one item at least, as Glance's property documents say. */
static json_t *md_property(const char *const *required)
{
	json_t *defs = md_defs(false);

	json_object_set_new(json_object_get(defs, "stringArray"), "minItems",
			    json_integer(1));
	return md_item("property", md_property_properties, required, defs);
}

enum {
	SCHEMA_IMAGE,
	SCHEMA_IMAGES,
	SCHEMA_MEMBER,
	SCHEMA_MEMBERS,
	SCHEMA_TASK,
	SCHEMA_TASKS,
	SCHEMA_MD_NAMESPACE,
	SCHEMA_MD_NAMESPACES,
	SCHEMA_MD_RESOURCE_TYPE,
	SCHEMA_MD_RESOURCE_TYPES,
	SCHEMA_MD_OBJECT,
	SCHEMA_MD_OBJECTS,
	SCHEMA_MD_PROPERTY,
	SCHEMA_MD_PROPERTIES,
	SCHEMA_MD_TAG,
	SCHEMA_MD_TAGS,
	SCHEMA_COUNT
};

static char *rendered[SCHEMA_COUNT];
static pthread_once_t render_once = PTHREAD_ONCE_INIT;

static char *dump(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);

	BUG_ON(text == NULL);
	json_decref(doc);
	return text;
}

static void render_all(void)
{
	rendered[SCHEMA_IMAGE] = dump(image_schema());
	rendered[SCHEMA_IMAGES] = dump(collection("images", image_schema(), true));
	rendered[SCHEMA_MEMBER] = dump(member_schema());
	rendered[SCHEMA_MEMBERS] = dump(collection("members", member_schema(), false));
	rendered[SCHEMA_TASK] = dump(task_schema());
	rendered[SCHEMA_TASKS] = dump(tasks_schema());
	rendered[SCHEMA_MD_NAMESPACE] = dump(md_namespace());
	rendered[SCHEMA_MD_NAMESPACES] = dump(md_collection("namespaces", md_namespace(), false));
	rendered[SCHEMA_MD_RESOURCE_TYPE] = dump(md_resource_type());
	rendered[SCHEMA_MD_RESOURCE_TYPES] =
		dump(md_collection("resource_type_associations", md_resource_type(), false));
	rendered[SCHEMA_MD_OBJECT] = dump(md_object());
	rendered[SCHEMA_MD_OBJECTS] = dump(md_collection("objects", md_object(), false));
	rendered[SCHEMA_MD_PROPERTY] = dump(md_property(req_property));
	rendered[SCHEMA_MD_PROPERTIES] =
		dump(md_collection("properties", md_property(req_property_in_map), true));
	rendered[SCHEMA_MD_TAG] = dump(md_tag());
	rendered[SCHEMA_MD_TAGS] = dump(md_collection("tags", md_tag(), false));
}

static int reply_schema(struct req *rq, int which)
{
	pthread_once(&render_once, render_all);
	reply_json_text(rq, 200, xstrdup(rendered[which]));
	return 0;
}

/* The route's pattern names its document. */
static const struct {
	const char *path;
	int which;
} documents[] = {
	{ "/v2/schemas/image", SCHEMA_IMAGE },
	{ "/v2/schemas/images", SCHEMA_IMAGES },
	{ "/v2/schemas/member", SCHEMA_MEMBER },
	{ "/v2/schemas/members", SCHEMA_MEMBERS },
	{ "/v2/schemas/task", SCHEMA_TASK },
	{ "/v2/schemas/tasks", SCHEMA_TASKS },
	{ "/v2/schemas/metadefs/namespace", SCHEMA_MD_NAMESPACE },
	{ "/v2/schemas/metadefs/namespaces", SCHEMA_MD_NAMESPACES },
	{ "/v2/schemas/metadefs/resource_type", SCHEMA_MD_RESOURCE_TYPE },
	{ "/v2/schemas/metadefs/resource_types", SCHEMA_MD_RESOURCE_TYPES },
	{ "/v2/schemas/metadefs/object", SCHEMA_MD_OBJECT },
	{ "/v2/schemas/metadefs/objects", SCHEMA_MD_OBJECTS },
	{ "/v2/schemas/metadefs/property", SCHEMA_MD_PROPERTY },
	{ "/v2/schemas/metadefs/properties", SCHEMA_MD_PROPERTIES },
	{ "/v2/schemas/metadefs/tag", SCHEMA_MD_TAG },
	{ "/v2/schemas/metadefs/tags", SCHEMA_MD_TAGS },
};

static int schema_show(struct req *rq, struct err *err)
{
	for (size_t i = 0; i < sizeof(documents) / sizeof(documents[0]); i++)
		if (strcmp(rq->route->pattern, documents[i].path) == 0)
			return reply_schema(rq, documents[i].which);
	return err_set(err, ERR_NOT_FOUND, "The resource could not be found.");
}

const struct route image_schema_routes[] = {
	{ HTTP_GET, "/v2/schemas/image", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/images", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/member", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/members", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/task", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/tasks", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/namespace", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/namespaces", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/resource_type", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/resource_types", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/object", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/objects", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/property", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/properties", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/tag", schema_show, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/metadefs/tags", schema_show, "image:get_schema" },
	{ 0 },
};

/* Glance serves its schemas to any authenticated caller. */
const struct policy image_schema_policies[] = {
	{ "image:get_schema", POL_TOKEN },
	{ NULL, 0 },
};
