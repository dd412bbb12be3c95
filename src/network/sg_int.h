#ifndef CIEL_SG_INT_H
#define CIEL_SG_INT_H

/* Shared by api_secgroups.c (groups) and api_sg_rules.c (rules) only. */

#include <jansson.h>

struct db;
struct err;
struct req;

/* The group 'id' if the caller may see it, else NULL and 404 with Neutron's words
 * ("Security group <id> does not exist"). Caller owns. */
json_t *net_sg_find(struct req *rq, struct db *db, const char *id, struct err *err);

/* Inserts the two rules every new group starts with: egress to anywhere, IPv4 and IPv6. */
int net_sg_egress_rules(struct db *db, const char *project, const char *sg, struct err *err);

/* Makes the default group of the listed project exist, in a transaction of its own, as
 * Neutron's group and rule lists do: the project a project_id (or tenant_id) filter names
 * when it is the caller's or the caller is the admin, else the caller's. */
int net_sg_ensure_listed_default(struct req *rq, struct db *db, struct err *err);

/* The /v2.0/security-group-rules handlers (api_sg_rules.c). */
int net_sg_rules_list(struct req *rq, struct err *err);
int net_sg_rules_create(struct req *rq, struct err *err);
int net_sg_rule_show(struct req *rq, struct err *err);
int net_sg_rule_delete(struct req *rq, struct err *err);

#endif
