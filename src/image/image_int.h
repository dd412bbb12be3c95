#ifndef CIEL_IMAGE_INT_H
#define CIEL_IMAGE_INT_H

/* Shared inside src/image only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/http.h"

struct req;
struct image_store;
struct db;
struct err;

/* Each api_*.c file has its routes, policies and streamed routes; image.c lists them. */
extern const struct route image_routes[], image_data_routes[], image_member_routes[],
	image_schema_routes[], image_import_routes[];
extern const struct policy image_policies[], image_data_policies[], image_member_policies[],
	image_schema_policies[], image_import_policies[];
extern const struct stream_route image_data_streams[], image_import_streams[];
extern const struct route image_task_routes[];   /* api_tasks.c */
extern const struct policy image_task_policies[];
/* The metadata definitions catalog (api_metadef_namespaces.c, api_metadefs.c). */
extern const struct route image_metadef_ns_routes[], image_metadef_routes[];
extern const struct policy image_metadef_policies[];

/* The store opened by image_init; borrowed. */
struct image_store *image_store(void);

/* True when the caller holds the admin role. */
bool image_is_admin(const struct req *rq);

/* The disk and container formats an image may declare (NULL-terminated); the image
 * schema publishes the same lists. */
extern const char *const image_disk_formats[], *const image_container_formats[];

/* The enabled import methods, comma-separated, as the OpenStack-image-import-methods
 * header of a created image announces them (api_image_import.c). */
extern const char image_import_methods_header[];

/* True when 's' is one of the NULL-terminated 'list'. */
bool image_in_list(const char *const *list, const char *s);
/* The image if the caller may see it, else NULL with a 404 as if it did not exist
 * (caller owns the result). */
json_t *image_find_visible(struct req *rq, struct db *db, const char *id, struct err *err);
/* image_find_visible for a sub-resource (tags, members): Glance's 404 words for those,
 * "Image <id> not found." (caller owns the result). */
json_t *image_find_sub(struct req *rq, struct db *db, const char *id, struct err *err);
/* True when the caller owns the image or is admin. */
bool image_can_modify(struct req *rq, const json_t *img);
/* Adds the links Glance shows (self, file, schema); returns 'img'. */
json_t *image_body(json_t *img);

/* Ingest (image_ingest.c): bytes from any source into the store for image 'id', MD5 and
 * SHA-512 over the same bytes. begin moves the image from status 'from' to saving (409 when
 * it is not in 'from') and opens a store writer; data appends; finish commits the object
 * and makes the image active with size and hashes; abort throws the partial object away
 * and puts the image back to 'from'. finish and abort free the ingest (finish aborts it
 * when it fails); abort is NULL-safe. */
struct image_ingest;
struct image_ingest *image_ingest_begin(struct db *db, const char *id, const char *from,
					struct err *err);
int image_ingest_data(struct image_ingest *in, const void *buf, size_t size, struct err *err);
int image_ingest_finish(struct image_ingest *in, struct err *err);
void image_ingest_abort(struct image_ingest *in);
/* MD5, SHA-512 and the store write run on three threads of the ingest's own, so 'data'
 * returns as soon as the bytes are copied (it waits only when a few MiB are still being
 * worked on). begin also checks the owner's image_count_uploading quota and data its
 * image_size_total as bytes arrive (413, see image_quota.h); a store full is 413 "Image
 * storage media is full"; on any of these the caller aborts. finish records virtual_size:
 * the qcow2 header's for a bare qcow2 image, the size for a bare raw one, else null. */
/* The size the source announced (Content-Length): a 413 before any byte when it cannot fit
 * the owner's image_size_total. size <= 0: unknown, nothing checked. */
int image_ingest_expect(struct image_ingest *in, int64_t size, struct err *err);
/* begin + data + finish from the file at 'path' (no HTTP); the image must be queued. */
int image_ingest_file(struct db *db, const char *id, const char *path, struct err *err);

/* ---- metadata definitions (api_metadef_namespaces.c), shared with api_metadefs.c ---- */

/* 403 "You are not authorized to complete <action> action." unless the caller is admin. */
int md_require_admin(struct req *rq, const char *action, struct err *err);
/* The namespace if the caller may see it, else 404 (caller owns the result). */
json_t *md_ns_find(struct req *rq, struct db *db, const char *name, struct err *err);
/* 403 with Glance's words when the namespace is protected. */
int md_ns_check_protected(const json_t *ns, struct err *err);
/* The body as a JSON object (400 "Body expected in request." / malformed), 403 "Attribute
 * '<k>' is read-only." for any key of the NULL-terminated 'read_only'. Caller owns. */
json_t *md_body(struct req *rq, const char *const *read_only, struct err *err);
extern const char *const md_read_only[]; /* self, schema, created_at, updated_at */

/* A body field as Glance's metadef schemas declare it. */
enum {
	MDF_STRING = 1 << 0,
	MDF_BOOL = 1 << 1,
	MDF_INT = 1 << 2,
	MDF_NUMBER = 1 << 3,
	MDF_OBJECT = 1 << 4,
	MDF_ARRAY = 1 << 5,
	MDF_NULL = 1 << 6,
	MDF_ANY = 0x7f,
};
struct md_field {
	const char *name;
	unsigned int types;
	bool required;
	int max_len;                /* strings, characters; 0: none */
	const char *const *allowed; /* strings: NULL-terminated enum, or NULL */
};
/* Checks 'obj' against 'fields' (NULL-terminated); 'strict' refuses other keys. 400
 * "Provided object does not match schema '<schema>': ..." */
int md_validate(const json_t *obj, const char *schema, const struct md_field *fields,
		bool strict, struct err *err);
/* A checked property definition without its name (caller owns); 'need_name' asks for a
 * "name" in 'v'. */
json_t *md_property_def(const json_t *v, bool need_name, struct err *err);
/* A checked {name: definition} map (caller owns). */
json_t *md_property_map(const json_t *v, struct err *err);
/* A checked object definition: {description?, required?, properties?} (caller owns). */
json_t *md_object_def(const json_t *v, struct err *err);
/* Adds to an object as stored the defaults, self and schema Glance shows; returns it. */
json_t *md_object_body(const char *ns, json_t *obj);

#endif
