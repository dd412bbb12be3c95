#ifndef CIEL_IMAGE_H
#define CIEL_IMAGE_H

/* The image service (Glance v2 under /image).
 *
 * Model. An image is a row of metadata and, once uploaded, one object in the image store.
 * Its core attributes (name, disk and container format, visibility, min_disk, min_ram,
 * protected, tags) are columns; the free-form properties users add ("os_distro": "debian")
 * are a JSON object of strings kept beside them and shown as top-level keys, as Glance
 * shows them. The owner is the project of the token that created it.
 *
 * Status follows Glance: queued (no data) -> saving (an upload is streaming) -> active.
 * An upload streams straight to the store (temp file, fsync, rename) while MD5 and SHA-512
 * are computed over the same bytes; only when the store committed does the row turn
 * active with size, checksum and os_hash_value. An upload cut off midway removes its temp
 * file and puts the image back to queued. Deleting an image removes the row, then the
 * stored object.
 *
 * Visibility: a project sees the images it owns and the public ones (shared and community
 * come with members); a token with the admin role sees all and alone may publicize.
 *
 * Other services reach images only through this header. */

#include "core/db.h"

struct err;

extern const struct db_migration image_migrations[];

/* Opens the store under <state_dir>/images and registers the /image routes. The schema
 * migrations run with the others when the database is opened. */
int image_init(struct err *err);
void image_shutdown(void);

/* Registers the file at 'path' as a public bare image 'name' of 'disk_format' owned by
 * project 'owner', unless that owner has an image of that name already (one left queued
 * by a failed attempt is filled). Returns 1 when it ingested the file, 0 when there was
 * nothing to do, -1 on error. */
int image_ensure_file(const char *name, const char *owner, const char *disk_format,
		      const char *path, struct err *err);

#endif
