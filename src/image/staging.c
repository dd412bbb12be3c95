/* The staging area and the import worker; see staging.h for the model. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MODULE "image"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "image/image_int.h"
#include "image/images_db.h"
#include "image/staging.h"
#include "image/store.h"
#include "image/tasks_db.h"

#define CHUNK_SIZE (256 * 1024)

struct job {
	struct job *next;
	char *id;
};

static struct image_store *staging;
static char *staging_dir;
static pthread_t worker;
static bool worker_started;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct job *head, **tail = &head;
static bool stopping; /* under 'lock'; read without it (atomically) between chunks */

struct image_store *image_staging_store(void)
{
	return staging;
}

static bool should_stop(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);
}

void image_staging_enqueue(const char *id)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->id = xstrdup(id);
	pthread_mutex_lock(&lock);
	*tail = j;
	tail = &j->next;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

/* Moves the image's unfinished import task on (see tasks_db.h); a task that cannot be
 * updated is logged, the import goes on. */
static void task_progress(struct db *db, const char *id, const char *status,
			  const char *message)
{
	struct err err = { 0 };
	json_auto_t *result = NULL;

	if (db == NULL)
		return;
	if (str_eq(status, "success"))
		result = json_pack("{s:s}", "image_id", id);
	if (image_task_db_progress(db, id, status, result, message, &err) < 0)
		log_warn("image %s: task: %s", id, err.msg);
}

/* The import failed for good: the image goes back to queued (when it is still importing)
 * and its staged file goes. */
static void import_failed(struct db *db, const char *id, const struct err *why)
{
	struct err err = { 0 };

	log_warn("image %s: import failed: %s", id, why->msg);
	if (db != NULL && image_db_set_status(db, id, "importing", "queued", &err) < 0)
		log_warn("image %s: %s", id, err.msg);
	err_clear(&err);
	task_progress(db, id, "failure", why->msg);
	err_clear(&err);
	if (store_remove(staging, id, &err) < 0)
		log_warn("image %s: %s", id, err.msg);
}

/* Copies the staged file of 'id' into the image store through the ingest (importing ->
 * saving -> active). */
static void run_import(const char *id, char *buf)
{
	struct err err = { 0 };
	struct image_ingest *in = NULL;
	struct db *db;
	uint64_t size, left;
	int fd = -1;

	if ((db = db_get(&err)) == NULL) {
		/* the image stays importing: the next start takes it up again */
		log_warn("image %s: import postponed: %s", id, err.msg);
		return;
	}
	task_progress(db, id, "processing", NULL);
	if (store_open_read(staging, id, &fd, &size, &err) < 0 ||
	    (in = image_ingest_begin(db, id, "importing", &err)) == NULL ||
	    image_ingest_expect(in, (int64_t)size, &err) < 0)
		goto fail;
	for (left = size; left > 0;) {
		ssize_t n = read(fd, buf, left < CHUNK_SIZE ? left : CHUNK_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				log_error("image %s: read staged data: %s", id, strerror(errno));
			err_set(&err, ERR_INTERNAL, "The staged data could not be read.");
			goto fail;
		}
		if (should_stop()) {
			/* back to importing, staged file kept: resumed at the next start */
			image_ingest_abort(in);
			close(fd);
			log_info("image %s: import interrupted by shutdown", id);
			return;
		}
		if (image_ingest_data(in, buf, (size_t)n, &err) < 0)
			goto fail;
		left -= (uint64_t)n;
	}
	close(fd);
	fd = -1;
	/* finish frees the ingest, and aborts it (back to importing) when it fails */
	struct image_ingest *done = in;
	in = NULL;
	if (image_ingest_finish(done, &err) < 0)
		goto fail;
	task_progress(db, id, "success", NULL);
	err_clear(&err);
	if (store_remove(staging, id, &err) < 0)
		log_warn("image %s: %s", id, err.msg);
	log_info("image %s: imported %llu bytes", id, (unsigned long long)size);
	return;
fail:
	if (fd >= 0)
		close(fd);
	image_ingest_abort(in);
	import_failed(db, id, &err);
}

static void *worker_main(void *arg)
{
	char *buf = xmalloc(CHUNK_SIZE);

	(void)arg;
	for (;;) {
		struct job *j;

		pthread_mutex_lock(&lock);
		while (!stopping && head == NULL)
			pthread_cond_wait(&wake, &lock);
		if (stopping) {
			pthread_mutex_unlock(&lock);
			break;
		}
		j = head;
		head = j->next;
		if (head == NULL)
			tail = &head;
		pthread_mutex_unlock(&lock);
		run_import(j->id, buf);
		free(j->id);
		free(j);
	}
	free(buf);
	return NULL;
}

/* Every image in 'status' (hidden ones too), oldest first; fn(db, img) for each. */
static int each_image(struct db *db, const char *status,
		      void (*fn)(struct db *db, const json_t *img), struct err *err)
{
	for (int hidden = 0; hidden < 2; hidden++) {
		struct image_filter f = { .project = "", .admin = true, .visibility = "all",
					  .hidden = hidden, .sort_key = "created_at",
					  .limit = 500 };
		char *marker = NULL;

		f.conds[0] = (struct image_cond){ .column = "status", .op = IMAGE_EQ,
						  .values = { status }, .nvalues = 1 };
		f.nconds = 1;
		do {
			json_t *list, *img;
			size_t i, n;

			f.marker = marker;
			list = image_db_list(db, &f, err);
			free(marker);
			marker = NULL;
			if (list == NULL)
				return -1;
			json_array_foreach(list, i, img) {
				fn(db, img);
			}
			n = json_array_size(list);
			if (n == (size_t)f.limit)
				marker = xstrdup(jsonx_str(json_array_get(list, n - 1), "id"));
			json_decref(list);
		} while (marker != NULL);
	}
	return 0;
}

static bool staged(const char *id)
{
	struct err err = { 0 };
	uint64_t size;
	int fd;

	if (store_open_read(staging, id, &fd, &size, &err) < 0)
		return false;
	close(fd);
	return true;
}

/* An image left uploading by a stage that never completed, or importing with nothing
 * staged, goes back to queued. */
static void unstick(struct db *db, const json_t *img)
{
	const char *id = jsonx_str(img, "id");
	struct err err = { 0 };

	if (staged(id))
		return;
	log_info("image %s: nothing staged, back to queued", id);
	if (image_db_set_status(db, id, jsonx_str(img, "status"), "queued", &err) < 0)
		log_warn("image %s: %s", id, err.msg);
	task_progress(db, id, "failure", "The staged data is gone.");
}

/* Removes staged files that belong to no image waiting for an import (deleted, or
 * already imported); queues the import of those whose image is importing. Temp files of
 * stages cut off by a stop are the store's (store_sweep), left alone here. */
static void clean_dir(struct db *db)
{
	DIR *d = opendir(staging_dir);
	struct dirent *e;

	if (d == NULL) {
		log_warn("%s: %s", staging_dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct err err = { 0 };
		bool keep = false;
		json_t *img;

		if (e->d_name[0] == '.')
			continue;
		if ((img = image_db_find(db, e->d_name, &err)) != NULL) {
			const char *status = jsonx_str(img, "status");
			keep = str_eq(status, "uploading") || str_eq(status, "importing");
			if (str_eq(status, "importing")) {
				log_info("image %s: resuming its import", e->d_name);
				image_staging_enqueue(e->d_name);
			}
			json_decref(img);
		} else if (err.kind != ERR_NOT_FOUND) {
			keep = true; /* the database could not tell: keep it */
		}
		if (!keep) {
			char *path = xasprintf("%s/%s", staging_dir, e->d_name);
			if (unlink(path) < 0 && errno != ENOENT)
				log_warn("%s: %s", path, strerror(errno));
			free(path);
		}
	}
	closedir(d);
}

int image_staging_init(struct err *err)
{
	struct db *db;
	int rc;

	staging_dir = xasprintf("%s/images/staging", conf.state_dir);
	if ((staging = store_file_new(staging_dir, err)) == NULL)
		return -1;
	if ((db = db_get(err)) == NULL || store_sweep(staging, err) < 0)
		return -1;
	clean_dir(db);
	if (each_image(db, "uploading", unstick, err) < 0 ||
	    each_image(db, "importing", unstick, err) < 0)
		return -1;
	stopping = false;
	if ((rc = pthread_create(&worker, NULL, worker_main, NULL)) != 0)
		return err_set(err, ERR_INTERNAL, "Cannot start the image import worker: %s",
			       strerror(rc));
	worker_started = true;
	return 0;
}

void image_staging_shutdown(void)
{
	pthread_mutex_lock(&lock);
	__atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	if (worker_started)
		pthread_join(worker, NULL);
	worker_started = false;
	/* queued jobs stay importing in the database: the next start takes them up */
	while (head != NULL) {
		struct job *j = head;
		head = j->next;
		free(j->id);
		free(j);
	}
	tail = &head;
	store_free(staging);
	staging = NULL;
	free(staging_dir);
	staging_dir = NULL;
}
