#ifndef CIEL_IDENTITY_ASSIGNMENTS_H
#define CIEL_IDENTITY_ASSIGNMENTS_H

/* Listing role assignments, as GET /v3/role_assignments does.
 *
 * Direct mode lists the rows as stored. Effective mode lists what actually reaches users,
 * the roles a token would carry: a group's assignment becomes one per member, an inherited
 * one becomes one per project below its target, implied roles are added (each remembering
 * its prior role), domain-specific roles are dropped (they only serve to imply others) and
 * system assignments are left out, as Keystone does. Each result remembers where it came
 * from (the group, the inherited-from project or domain, the prior role) so that its links
 * can point at the grant that made it. */

#include <stdbool.h>
#include <stddef.h>

#include "identity/assignments_db.h"

struct db;
struct err;
struct req;

struct ident_aquery {
	const char *user_id, *group_id, *role_id, *project_id, *domain_id;
	bool system;          /* scope.system=all */
	int inherited;        /* -1: either; 0: direct only; 1: inherited only */
	bool effective;
	bool include_subtree; /* with project_id: its subtree too */
};

/* One assignment. Strings live in the request arena. */
struct ident_aref {
	const char *user_id, *group_id; /* one of them */
	enum ident_asg_target target;
	const char *target_id; /* project or domain id; NULL for the system */
	const char *role_id;
	bool inherited; /* stored as inherited to projects */
	/* effective mode: where it came from */
	const char *via_group, *via_project, *via_domain, *via_role;
};

/* Lists the assignments 'q' asks for into *out (caller frees the array) and *n. */
int ident_assignments_list(struct db *db, struct req *rq, const struct ident_aquery *q,
			   struct ident_aref **out, size_t *n, struct err *err);

#endif
