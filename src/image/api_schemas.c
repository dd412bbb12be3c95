/* /v2/schemas/{image,images,member,members}: the JSON schemas Glance publishes.
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

enum { SCHEMA_IMAGE, SCHEMA_IMAGES, SCHEMA_MEMBER, SCHEMA_MEMBERS, SCHEMA_COUNT };

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
}

static int reply_schema(struct req *rq, int which)
{
	pthread_once(&render_once, render_all);
	reply_json_text(rq, 200, xstrdup(rendered[which]));
	return 0;
}

static int schema_image(struct req *rq, struct err *err)
{
	(void)err;
	return reply_schema(rq, SCHEMA_IMAGE);
}

static int schema_images(struct req *rq, struct err *err)
{
	(void)err;
	return reply_schema(rq, SCHEMA_IMAGES);
}

static int schema_member(struct req *rq, struct err *err)
{
	(void)err;
	return reply_schema(rq, SCHEMA_MEMBER);
}

static int schema_members(struct req *rq, struct err *err)
{
	(void)err;
	return reply_schema(rq, SCHEMA_MEMBERS);
}

const struct route image_schema_routes[] = {
	{ HTTP_GET, "/v2/schemas/image", schema_image, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/images", schema_images, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/member", schema_member, "image:get_schema" },
	{ HTTP_GET, "/v2/schemas/members", schema_members, "image:get_schema" },
	{ 0 },
};

/* Glance serves its schemas to any authenticated caller. */
const struct policy image_schema_policies[] = {
	{ "image:get_schema", POL_TOKEN },
	{ NULL, 0 },
};
