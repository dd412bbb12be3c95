#ifndef CIEL_IMAGE_TASKS_DB_H
#define CIEL_IMAGE_TASKS_DB_H

/* The image_task table: one row per interoperable import, as Glance records its
 * "api_image_import" tasks. A task is created pending by POST /v2/images/{id}/import, in
 * the same transaction that moves the image to importing; the import worker moves it to
 * processing, then to success (result {"image_id"}) or failure (with a message). A
 * finished task expires IMAGE_TASK_TTL_US after it finished: expired tasks are never
 * returned and are swept when a new task is recorded. Deleting an image leaves its tasks
 * until they expire, as Glance does.
 *
 * A task travels as a JSON object of its raw fields: id, type, status, owner, image_id,
 * request_id, user_id (strings or null), input and result (objects or null), message
 * (string, "" when none), and created_at, updated_at, expires_at as integer microseconds
 * (expires_at null while the task runs). The API renders Glance's views from it. Callers
 * own the transaction; returned objects are new references. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct err;

/* Glance's task_time_to_live default: 48 hours. */
#define IMAGE_TASK_TTL_US (48LL * 3600 * 1000000)

/* A new task (status pending). 'input' is borrowed; the strings may be NULL. */
struct image_task_new {
	const char *id, *type, *owner, *image_id, *request_id, *user_id;
	const json_t *input;
};
int image_task_db_insert(struct db *db, const struct image_task_new *t, struct err *err);

/* Moves every unfinished (pending or processing) task of 'image_id' to 'status':
 * processing, or success/failure, which also record 'result' (borrowed, may be NULL),
 * 'message' (may be NULL) and the expiry. Returns how many moved, or -1. */
int image_task_db_progress(struct db *db, const char *image_id, const char *status,
			   const json_t *result, const char *message, struct err *err);

/* The unexpired task 'id'; NULL with ERR_NOT_FOUND "Task with identifier <id> not found"
 * when there is none. */
json_t *image_task_db_find(struct db *db, const char *id, struct err *err);
/* The unexpired tasks of 'image_id', oldest first; only those of 'owner' when it is not
 * NULL. */
json_t *image_task_db_list_image(struct db *db, const char *image_id, const char *owner,
				 struct err *err);

/* Which tasks GET /v2/tasks returns. */
struct image_task_filter {
	const char *status, *type; /* NULL: any */
	const char *sort_key;      /* one of image_task_sort_keys */
	bool desc;
	int limit;
	const char *marker;        /* id of the last task of the previous page */
};
extern const char *const image_task_sort_keys[];
/* Up to f->limit tasks after the marker (400 when the marker is unknown). */
json_t *image_task_db_list(struct db *db, const struct image_task_filter *f, struct err *err);

#endif
