#ifndef CIEL_IMAGE_H
#define CIEL_IMAGE_H

/* The image service (Glance v2 under /image).
 *
 * Model. An image is a row of metadata and, once it has data, one object in the image
 * store. Its core attributes (name, owner, disk and container format, visibility, min_disk,
 * min_ram, protected, os_hidden, tags) are columns; the free-form properties users add
 * ("os_distro": "debian") are a JSON object of strings kept beside them and shown as
 * top-level keys, as Glance shows them. The owner is the creator's project (an admin may
 * give an image to another). Members (image_member) are the projects an image is shared
 * with, each with its own pending/accepted/rejected answer.
 *
 * Status follows Glance: queued (no data) -> saving (bytes are streaming into the store)
 * -> active <-> deactivated; with import, queued -> uploading (staged) -> importing ->
 * active. Every source of bytes (an upload, a staged file, a file registered at start)
 * goes through one ingest (image_ingest.c): MD5, SHA-512 and the store write on worker
 * threads over the same buffers, the qcow2 header read for virtual_size, quotas checked
 * as bytes arrive. Only when the store committed (temp file, fsync, rename) does the row
 * turn active with size, checksum and os_hash_value; a cut-off or failed ingest removes
 * its temp file and puts the image back where it was. Deleting an image removes the row
 * and its members, then the stored object; its id stays taken (image_id_used): a create
 * with it is a 409, as Glance, whose deleted rows keep their ids (OSSN-0075).
 *
 * Visibility (Glance's): private, the owner; shared, the owner and its members (in a
 * member's list once accepted); community, anyone by id or with visibility=community;
 * public, anyone, and only an admin publicizes. A token with the admin role sees all.
 *
 * Other services reach images only through this header. */

#include "core/db.h"

struct err;
struct service;

extern const struct db_migration image_migrations[];

/* Opens the store under <state_dir>/images and registers the /image routes. The schema
 * migrations run with the others when the database is opened. */
int image_init(struct err *err);
/* The /image service's routes and policies (registered by image_init). */
const struct service *image_http_service(void);
void image_shutdown(void);

/* Registers the file at 'path' as a public bare image 'name' of 'disk_format' owned by
 * project 'owner', unless that owner has an image of that name already (one left queued
 * by a failed attempt is filled). Returns 1 when it ingested the file, 0 when there was
 * nothing to do, -1 on error. */
int image_ensure_file(const char *name, const char *owner, const char *disk_format,
		      const char *path, struct err *err);

#endif
