/* Bootstrap: the objects a fresh cloud needs, created once, found again on later runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "identity"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "identity/identity.h"
#include "identity/identity_int.h"

/* Finds the id of the row matching 'select' (one '?'=key2 or two params); inserts with a
 * new id through 'insert' when missing. 'id' receives the id. */
static int ensure(struct db *db, const char *select, const char *const *sp, int sn,
		  const char *insert, const char **ip, int in, char id[65], struct err *err)
{
	struct db_res *res = db_query(db, err, select, sp, sn);

	if (res == NULL)
		return -1;
	if (db_res_rows(res) > 0) {
		snprintf(id, 65, "%s", db_res_str(res, 0, 0));
		db_res_free(res);
		return 1;
	}
	db_res_free(res);
	if (id[0] == '\0')
		util_uuid_hex(id);
	ip[0] = id;
	return db_exec(db, err, insert, ip, in) < 0 ? -1 : 0;
}

static int ensure_project(struct db *db, const char *name, char id[65], struct err *err)
{
	char now[24];
	const char *ip[] = { NULL, name, DEFAULT_DOMAIN, DEFAULT_DOMAIN, now };

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	id[0] = '\0';
	return ensure(db, "SELECT id FROM project WHERE name = ? AND domain_id = ?",
		      DBP(name, DEFAULT_DOMAIN),
		      "INSERT INTO project (id, name, domain_id, parent_id, description,"
		      " enabled, is_domain, created_at) VALUES (?, ?, ?, ?, '', 1, 0, ?)",
		      ip, 5, id, err);
}

static int ensure_role(struct db *db, const char *name, char id[65], struct err *err)
{
	const char *ip[] = { NULL, name };

	id[0] = '\0';
	return ensure(db, "SELECT id FROM role WHERE name = ? AND domain_id = '<<null>>'",
		      DBP(name),
		      "INSERT INTO role (id, name, domain_id) VALUES (?, ?, '<<null>>')", ip, 2,
		      id, err);
}

/* Creates the user or, when it exists and 'reset' is set, sets its password. */
static int ensure_user(struct db *db, const char *name, const char *password, bool reset,
		       const char *project_id, char id[65], struct err *err)
{
	char now[24], *hash = ident_hash_password(password, err);
	const char *ip[] = { NULL, name, DEFAULT_DOMAIN, hash, now, project_id, now };
	int rc;

	if (hash == NULL)
		return -1;
	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	id[0] = '\0';
	rc = ensure(db, "SELECT id FROM users WHERE name = ? AND domain_id = ?",
		    DBP(name, DEFAULT_DOMAIN),
		    "INSERT INTO users (id, name, domain_id, enabled, password,"
		    " password_created_at, default_project_id, created_at)"
		    " VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
		    ip, 7, id, err);
	if (rc == 1 && reset)
		rc = db_exec(db, err, "UPDATE users SET password = ? WHERE id = ?",
			     DBP(hash, id));
	free(hash);
	return rc < 0 ? -1 : 0;
}

static int grant(struct db *db, const char *type, const char *actor, const char *target,
		 const char *role, struct err *err)
{
	return db_exec(db, err,
		       "INSERT INTO assignment (type, actor_id, target_id, role_id, inherited)"
		       " VALUES (?, ?, ?, ?, 0) ON CONFLICT DO NOTHING",
		       DBP(type, actor, target, role)) < 0
		       ? -1
		       : 0;
}

static int imply(struct db *db, const char *prior, const char *implied, struct err *err)
{
	return db_exec(db, err,
		       "INSERT INTO implied_role (prior_role_id, implied_role_id) VALUES (?, ?)"
		       " ON CONFLICT DO NOTHING",
		       DBP(prior, implied)) < 0
		       ? -1
		       : 0;
}

int ident_catalog_ensure(const char *type, const char *name, const char *url,
			 struct err *err)
{
	static const char *ifaces[] = { "public", "internal", "admin" };
	struct db *db = db_get(err);
	char sid[65] = "", eid[65];
	const char *ip[] = { NULL, type, name };

	if (db == NULL)
		return -1;
	if (db_exec(db, err,
		    "INSERT INTO region (id, description) VALUES (?, '') ON CONFLICT DO NOTHING",
		    DBP(conf.region)) < 0)
		return -1;
	if (ensure(db, "SELECT id FROM service WHERE type = ? AND name = ?", DBP(type, name),
		   "INSERT INTO service (id, type, name, description, enabled)"
		   " VALUES (?, ?, ?, '', 1)",
		   ip, 3, sid, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(ifaces); i++) {
		const char *eip[] = { NULL, sid, ifaces[i], url, conf.region };
		eid[0] = '\0';
		int rc = ensure(db,
				"SELECT id FROM endpoint WHERE service_id = ? AND interface = ?",
				DBP(sid, ifaces[i]),
				"INSERT INTO endpoint (id, service_id, interface, url, region_id,"
				" enabled) VALUES (?, ?, ?, ?, ?, 1)",
				eip, 5, eid, err);
		if (rc < 0)
			return -1;
		if (rc == 1 && db_exec(db, err, "UPDATE endpoint SET url = ? WHERE id = ?",
				       DBP(url, eid)) < 0)
			return -1;
	}
	return 0;
}

int ident_project_id(const char *name, char id[65], struct err *err)
{
	struct db *db = db_get(err);
	struct db_res *res;
	int rc = 0;

	if (db == NULL ||
	    (res = db_query(db, err, "SELECT id FROM project WHERE name = ? AND domain_id = ?"
				     " AND is_domain = 0",
			    DBP(name, DEFAULT_DOMAIN))) == NULL)
		return -1;
	if (db_res_rows(res) == 0)
		rc = err_set(err, ERR_NOT_FOUND, "Could not find project: %s.", name);
	else
		snprintf(id, 65, "%s", db_res_str(res, 0, 0));
	db_res_free(res);
	return rc;
}

int ident_bootstrap(const char *admin_password, const char *demo_password, struct err *err)
{
	struct db *db = db_get(err);
	char admin[65], member[65], reader[65], service[65], padmin[65], pdemo[65], uadmin[65],
		udemo[65], now[24];
	char *url;

	if (db == NULL)
		return -1;
	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	if (db_begin(db, err) < 0)
		return -1;
	if (db_exec(db, err,
		    "INSERT INTO project (id, name, domain_id, parent_id, description, enabled,"
		    " is_domain, created_at) VALUES ('default', 'Default', ?, NULL,"
		    " 'The default domain', 1, 1, ?) ON CONFLICT DO NOTHING",
		    DBP(DOMAIN_ROOT, now)) < 0 ||
	    ensure_role(db, "admin", admin, err) < 0 ||
	    ensure_role(db, "member", member, err) < 0 ||
	    ensure_role(db, "reader", reader, err) < 0 ||
	    ensure_role(db, "service", service, err) < 0 || imply(db, admin, member, err) < 0 ||
	    imply(db, member, reader, err) < 0 || ensure_project(db, "admin", padmin, err) < 0 ||
	    ensure_project(db, "demo", pdemo, err) < 0 ||
	    ensure_user(db, "admin", admin_password, true, padmin, uadmin, err) < 0 ||
	    ensure_user(db, "demo", demo_password, true, pdemo, udemo, err) < 0 ||
	    grant(db, "UserProject", uadmin, padmin, admin, err) < 0 ||
	    grant(db, "UserSystem", uadmin, "system", admin, err) < 0 ||
	    grant(db, "UserDomain", uadmin, DEFAULT_DOMAIN, admin, err) < 0 ||
	    grant(db, "UserProject", udemo, pdemo, member, err) < 0) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db, err) < 0)
		return -1;
	url = xasprintf("%s/identity", conf.public_url);
	int rc = ident_catalog_ensure("identity", "keystone", url, err);
	free(url);
	return rc;
}
