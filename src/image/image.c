/* The image service's registration, schema, store and Glance's error body. */
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "image"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"
#include "image/image.h"
#include "image/image_int.h"
#include "image/images_db.h"
#include "image/metadefs_db.h"
#include "image/staging.h"
#include "image/store.h"

/* Times are BIGINT microseconds; 'props' is a JSON object of the custom (string)
 * properties, 'tags' a JSON array of strings. */
const struct db_migration image_migrations[] = {
	{ "image", 1,
	  "CREATE TABLE image ("
	  " id TEXT PRIMARY KEY, name TEXT, owner TEXT NOT NULL, status TEXT NOT NULL,"
	  " visibility TEXT NOT NULL, disk_format TEXT, container_format TEXT,"
	  " size BIGINT, virtual_size BIGINT, checksum TEXT, os_hash_algo TEXT,"
	  " os_hash_value TEXT, min_disk INTEGER NOT NULL DEFAULT 0,"
	  " min_ram INTEGER NOT NULL DEFAULT 0, protected INTEGER NOT NULL DEFAULT 0,"
	  " os_hidden INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
	  " props TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL DEFAULT '[]');"
	  "CREATE INDEX image_owner ON image (owner);"
	  "CREATE INDEX image_created ON image (created_at, id);" },
	/* members of shared images; the primary key answers "is P a member of I" for the
	 * list's EXISTS, the second index "what is shared with P" */
	{ "image", 2,
	  "CREATE TABLE image_member ("
	  " image_id TEXT NOT NULL, member TEXT NOT NULL, status TEXT NOT NULL,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
	  " PRIMARY KEY (image_id, member));"
	  "CREATE INDEX image_member_member ON image_member (member, status);" },
	/* import tasks (tasks_db.h); kept after their image is deleted, until they expire */
	{ "image", 3,
	  "CREATE TABLE image_task ("
	  " id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, owner TEXT,"
	  " image_id TEXT, request_id TEXT, user_id TEXT, input TEXT, result TEXT,"
	  " message TEXT NOT NULL DEFAULT '', expires_at BIGINT,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE INDEX image_task_image ON image_task (image_id, created_at);"
	  "CREATE INDEX image_task_created ON image_task (created_at, id);" },
	/* the metadata definitions catalog (metadefs_db.h); objects, properties and tags share
	 * one shape, the definition as JSON text in 'body' */
	{ "image", 4,
	  "CREATE TABLE metadef_namespace ("
	  " namespace TEXT PRIMARY KEY, display_name TEXT, description TEXT,"
	  " visibility TEXT NOT NULL, protected INTEGER NOT NULL DEFAULT 0, owner TEXT,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE INDEX metadef_namespace_created ON metadef_namespace (created_at, namespace);"
	  "CREATE TABLE metadef_resource_type ("
	  " name TEXT PRIMARY KEY, protected INTEGER NOT NULL DEFAULT 0,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	  "CREATE TABLE metadef_rt_assoc ("
	  " namespace TEXT NOT NULL, resource_type TEXT NOT NULL, prefix TEXT,"
	  " properties_target TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
	  " PRIMARY KEY (namespace, resource_type));"
	  "CREATE INDEX metadef_rt_assoc_type ON metadef_rt_assoc (resource_type);"
	  "CREATE TABLE metadef_object ("
	  " namespace TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL,"
	  " body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
	  " PRIMARY KEY (namespace, name_key));"
	  "CREATE TABLE metadef_property ("
	  " namespace TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL,"
	  " body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
	  " PRIMARY KEY (namespace, name_key));"
	  "CREATE TABLE metadef_tag ("
	  " namespace TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL,"
	  " body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
	  " PRIMARY KEY (namespace, name_key));" },
	/* every id an image was ever given, kept when the image is deleted: Glance keeps its
	 * deleted rows so that an id never names other data later (OSSN-0075); here the
	 * image row goes and its id stays taken in this table */
	{ "image", 5,
	  "CREATE TABLE image_id_used (id TEXT PRIMARY KEY, created_at BIGINT NOT NULL);"
	  "INSERT INTO image_id_used (id, created_at) SELECT id, created_at FROM image;" },
	{ 0 },
};

static const struct route *const routes[] = { image_routes,	     image_data_routes,
					       image_member_routes,  image_schema_routes,
					       image_import_routes,
					       image_task_routes,    image_metadef_ns_routes,
					       image_metadef_routes, NULL };
static const struct policy *const policies[] = { image_policies, image_data_policies,
						 image_member_policies, image_schema_policies,
						 image_import_policies,
						 image_task_policies, image_metadef_policies,
						 NULL };
static const struct stream_route *const streams[] = { image_data_streams,
						      image_import_streams, NULL };

static struct image_store *store;

struct image_store *image_store(void)
{
	return store;
}

bool image_is_admin(const struct req *rq)
{
	const struct auth *a = rq->auth;

	for (int i = 0; a != NULL && i < a->nroles; i++)
		if (strcmp(a->roles[i], "admin") == 0)
			return true;
	return false;
}

/* 's' with the characters HTML gives a meaning escaped (webob escapes its error pages'
 * text the same way); in the request's arena. */
static char *html_escape(struct req *rq, const char *s)
{
	size_t size = 1;
	char *out, *o;

	for (const char *p = s; *p; p++)
		size += strchr("<>&\"'", *p) != NULL ? 6 : 1;
	out = o = req_alloc(rq, size);
	for (; *s; s++) {
		const char *e = *s == '<'  ? "&lt;"
				: *s == '>'  ? "&gt;"
				: *s == '&'  ? "&amp;"
				: *s == '"'  ? "&quot;"
				: *s == '\'' ? "&#x27;"
					     : NULL;
		if (e == NULL) {
			*o++ = *s;
		} else {
			memcpy(o, e, strlen(e));
			o += strlen(e);
		}
	}
	*o = '\0';
	return out;
}

/* Glance's errors are webob's: the status line, then the message, as HTML by default,
 * as {"message", "code", "title"} when the client accepts JSON, or as plain text. */
static void render_error(struct req *rq, const struct err *err)
{
	int status = err_status(err->kind);
	const char *title = err_title(err->kind);
	const char *accept = req_header(rq, "Accept");
	char *code = req_printf(rq, "%d %s", status, title);
	if (accept != NULL && strstr(accept, "json") != NULL) {
		reply_json(rq, status,
			   json_pack("{s:s,s:s,s:s}", "message",
				     req_printf(rq, "%s<br /><br />\n\n\n", err->msg), "code",
				     code, "title", title));
	} else if (accept == NULL || *accept == '\0' || strstr(accept, "html") != NULL ||
		   strstr(accept, "*/*") != NULL) {
		reply_text(rq, status, "text/html; charset=UTF-8",
			   req_printf(rq,
				      "<html>\n <head>\n  <title>%s</title>\n </head>\n"
				      " <body>\n  <h1>%s</h1>\n  %s<br /><br />\n\n\n\n"
				      " </body>\n</html>",
				      code, code, html_escape(rq, err->msg)));
	} else {
		reply_text(rq, status, "text/plain; charset=UTF-8",
			   req_printf(rq, "%s\n\n%s\n\n\n   ", code, err->msg));
	}
	if (err->kind == ERR_UNAUTHORIZED)
		reply_header(rq, "WWW-Authenticate",
			     req_printf(rq, "Keystone uri=\"%s/identity\"", conf.public_url));
}

static const struct service image_service = {
	.name = "image",
	.prefix = "/image",
	.routes = routes,
	.policies = policies,
	.streams = streams,
	.policy_denied = "You are not authorized to complete %s action.",
	.render_error = render_error,
	.strict_slash = true,
};

/* Uploads cut off by a crash or a stop left images in 'saving' and temp files in the
 * store: as Glance restores an upload that failed, they go back to queued (the client
 * uploads again) and the partial data goes. Nothing else writes yet at this point. */
static int recover_uploads(struct err *err)
{
	struct db *db = db_get(err);
	int n, files;

	if (db == NULL || (n = image_db_reset_saving(db, err)) < 0 ||
	    (files = store_sweep(store, err)) < 0)
		return -1;
	if (n > 0 || files > 0)
		log_info("%d image(s) cut off while saving put back to queued, %d partial "
			 "file(s) removed", n, files);
	return 0;
}

/* The well-known resource types the metadefs catalog lists from the start. */
static int seed_metadefs(struct err *err)
{
	struct db *db = db_get(err);

	return db == NULL ? -1 : md_db_seed(db, err);
}

const struct service *image_http_service(void)
{
	return &image_service;
}

int image_init(struct err *err)
{
	char *dir;

	if (db_migrate(image_migrations, err) < 0 || seed_metadefs(err) < 0)
		return -1;
	dir = xasprintf("%s/images", conf.state_dir);
	store = store_file_new(dir, err);
	free(dir);
	if (store == NULL || recover_uploads(err) < 0 || image_staging_init(err) < 0)
		return -1;
	http_register(&image_service);
	return 0;
}

void image_shutdown(void)
{
	image_staging_shutdown(); /* the import worker writes to the store */
	store_free(store);
	store = NULL;
}
