#ifndef CIEL_IMAGE_STAGING_H
#define CIEL_IMAGE_STAGING_H

/* The staging area and the import worker (interoperable image import, glance-direct).
 *
 * A client stages an image's bytes first (PUT /v2/images/{id}/stage: queued ->
 * uploading); they land in a second file store under <state_dir>/images/staging, with the
 * same temp + fsync + rename discipline as the image store, so a staged file is whole or
 * absent. Then it asks for the import (POST /v2/images/{id}/import: uploading ->
 * importing, 202). One worker thread carries imports out in order: it ingests the staged
 * file into the image store (importing -> saving -> active, with size and checksums) and
 * removes it. A failed import puts the image back to queued, with nothing staged.
 *
 * The database is the queue: an image in status importing is work to do. At start the
 * worker takes up every such image (a stop or a crash in the middle leaves it importing,
 * its staged file intact), and staged files that belong to no image in uploading or
 * importing are removed. At stop the worker finishes nothing new: an ingest in progress
 * is abandoned (the image goes back to importing) and resumed at the next start. */

struct err;
struct image_store;

/* Opens the staging store, cleans it, starts the worker and queues the images left in
 * importing. */
int image_staging_init(struct err *err);
/* Stops the worker and waits for it. Safe when init did not run or failed. */
void image_staging_shutdown(void);

/* The staging store; borrowed. */
struct image_store *image_staging_store(void);

/* Queues the import of image 'id' (already moved to importing). */
void image_staging_enqueue(const char *id);

#endif
