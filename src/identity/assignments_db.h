#ifndef CIEL_IDENTITY_ASSIGNMENTS_DB_H
#define CIEL_IDENTITY_ASSIGNMENTS_DB_H

/* Role assignments in the database (table assignment), and the lookups the assignment API
 * needs about the actors and targets they name (users, groups, projects, domains).
 *
 * A row is (type, actor_id, target_id, role_id, inherited): type is one of UserProject,
 * GroupProject, UserDomain, GroupDomain, UserSystem, GroupSystem; target_id is "system" for
 * the system. 'inherited' rows apply to the projects below the target, not to the target.
 * Id lists are JSON arrays of strings (new references). Functions return 0 / a new
 * reference, or -1 / NULL with 'err' set. */

#include <jansson.h>
#include <stdbool.h>

struct db;
struct err;

enum ident_asg_target { ASG_ON_PROJECT, ASG_ON_DOMAIN, ASG_ON_SYSTEM };

/* One grant. 'role_id' is NULL when listing the roles of an actor on a target. */
struct ident_grant {
	bool group; /* the actor is a group, else a user */
	const char *actor_id;
	enum ident_asg_target target;
	const char *target_id; /* ignored for the system */
	const char *role_id;
	bool inherited;
};

/* Adds the grant; granting twice is not an error. */
int ident_grant_add(struct db *db, const struct ident_grant *g, struct err *err);
/* 0 if the grant exists, else ERR_NOT_FOUND in Keystone's words. */
int ident_grant_check(struct db *db, const struct ident_grant *g, struct err *err);
/* Removes the grant; ERR_NOT_FOUND if there was none. */
int ident_grant_remove(struct db *db, const struct ident_grant *g, struct err *err);
/* Ids of the roles the actor holds on the target (g->role_id is ignored). */
json_t *ident_grant_role_ids(struct db *db, const struct ident_grant *g, struct err *err);

/* A raw assignment row. */
struct ident_assignment {
	char type[16];
	char actor_id[65], target_id[65], role_id[65];
	bool inherited;
};

#define ASG_USER_PROJECT (1u << 0)
#define ASG_GROUP_PROJECT (1u << 1)
#define ASG_USER_DOMAIN (1u << 2)
#define ASG_GROUP_DOMAIN (1u << 3)
#define ASG_USER_SYSTEM (1u << 4)
#define ASG_GROUP_SYSTEM (1u << 5)

struct ident_assignment_filter {
	unsigned int types;   /* ASG_* mask; 0 means all */
	const char *role_id;  /* or NULL */
	const json_t *actors; /* id array, or NULL for any actor */
	const json_t *targets; /* id array, or NULL for any target */
	int inherited;        /* -1: either, 0, 1 */
};

/* Rows matching 'f'; *out (caller frees) holds *n rows. */
int ident_assignment_list(struct db *db, const struct ident_assignment_filter *f,
			  struct ident_assignment **out, int *n, struct err *err);

/* ---- what the assignments name ---- */
/* 0 if it exists, else ERR_NOT_FOUND "Could not find user: <id>." (group, project). */
int ident_asg_user_check(struct db *db, const char *user_id, struct err *err);
int ident_asg_group_check(struct db *db, const char *group_id, struct err *err);
/* The project's domain id into 'domain' (65 bytes); ERR_NOT_FOUND if no such project. */
int ident_asg_project_domain(struct db *db, const char *project_id, char domain[65],
			 struct err *err);
json_t *ident_asg_group_members(struct db *db, const char *group_id, struct err *err);
json_t *ident_asg_user_groups(struct db *db, const char *user_id, struct err *err);
/* The projects below 'project_id', at any depth, itself excluded. */
json_t *ident_asg_project_subtree(struct db *db, const char *project_id, struct err *err);
/* The projects above 'project_id' up to (not including) its domain. */
json_t *ident_asg_project_parents(struct db *db, const char *project_id, struct err *err);
/* Every project of the domain, at any depth. */
json_t *ident_asg_domain_projects(struct db *db, const char *domain_id, struct err *err);

/* Names for include_names. Each returns a new object or NULL with 'err' set; a missing
 * actor gives empty names, as Keystone does:
 *   user/group: {"id","name","domain":{"id","name"}}
 *   project:    {"id","name","domain":{"id","name"}}
 *   domain:     {"id","name"}
 *   role:       {"id","name"[,"domain":{"id","name"}]} */
json_t *ident_asg_actor_named(struct db *db, bool group, const char *id, struct err *err);
json_t *ident_asg_project_named(struct db *db, const char *id, struct err *err);
json_t *ident_asg_domain_named(struct db *db, const char *id, struct err *err);
json_t *ident_asg_role_named(struct db *db, const char *id, struct err *err);

#endif
