#ifndef CIEL_IMAGE_MEMBERS_DB_H
#define CIEL_IMAGE_MEMBERS_DB_H

/* The image_member table: the projects a "shared" image is offered to, each with its own
 * answer (pending, accepted, rejected). One row per (image, project). A member travels as
 * Glance's body: image_id, member_id, status, created_at, updated_at and the schema link.
 * Callers own the transaction; returned objects are new references. Who may read or change
 * which row is the caller's business (api_members.c). */

#include <jansson.h>

struct db;
struct err;

/* The membership of 'member' in 'image_id'; NULL with ERR_NOT_FOUND "<member> not found in
 * the member list of the image <image_id>." when there is none. */
json_t *image_member_db_find(struct db *db, const char *image_id, const char *member,
			     struct err *err);
/* The members of 'image_id' as an array, oldest first; only the row of 'only' when it is
 * not NULL (a member sees its own membership, not the others'). */
json_t *image_member_db_list(struct db *db, const char *image_id, const char *only,
			     struct err *err);
/* How many members 'image_id' has, or -1. */
long image_member_db_count(struct db *db, const char *image_id, struct err *err);
/* Adds 'member' as pending; 409 "Member <m> is duplicated for image <i>" when present. */
int image_member_db_insert(struct db *db, const char *image_id, const char *member,
			   struct err *err);
/* Sets the status (one of pending, accepted, rejected: checked by the caller). */
int image_member_db_set_status(struct db *db, const char *image_id, const char *member,
			       const char *status, struct err *err);
int image_member_db_delete(struct db *db, const char *image_id, const char *member,
			   struct err *err);

#endif
