/* The SQL of users, groups and membership, and the security compliance rules on passwords
 * (see users_db.h). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "identity"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "identity/appcred_db.h"
#include "identity/credential_db.h"
#include "identity/identity_int.h"
#include "identity/users_db.h"

#define US_PER_DAY (86400LL * 1000000)
#define HISTORY_KEEP 24 /* passwords kept per user, at least unique_last_password_count */
#define MAX_PASSWORD_LEN 4096 /* Keystone's [identity] max_password_length */

#define USER_COLS                                                                         \
	"u.id, u.name, u.domain_id, u.enabled, u.password_expires_at,"                    \
	" u.default_project_id, u.extra, u.options"
#define GROUP_COLS "g.id, g.name, g.domain_id, g.description, g.extra"

static const char *fmt_i64(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

/* Keystone writes password_expires_at without a zone: "2016-11-06T15:32:17.000000". */
static json_t *time_or_null(const struct db_res *res, int row, int col)
{
	char when[32];

	if (db_res_str(res, row, col) == NULL)
		return json_null();
	util_iso8601(db_res_int(res, row, col), 1, when);
	when[strcspn(when, "Z")] = '\0';
	return json_string(when);
}

static json_t *object_or_empty(const char *text)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
}

/* A row of USER_COLS as the API's body. */
static json_t *user_body(const struct db_res *res, int i)
{
	json_t *u = json_pack("{s:s,s:s,s:s,s:b,s:o,s:o}", "id", db_res_str(res, i, 0), "name",
			      db_res_str(res, i, 1), "domain_id", db_res_str(res, i, 2),
			      "enabled", db_res_bool(res, i, 3), "password_expires_at",
			      time_or_null(res, i, 4), "options",
			      object_or_empty(db_res_str(res, i, 7)));

	if (db_res_str(res, i, 5) != NULL)
		json_object_set_new(u, "default_project_id", json_string(db_res_str(res, i, 5)));
	ident_merge_extra(u, db_res_str(res, i, 6));
	return u;
}

static json_t *group_body(const struct db_res *res, int i)
{
	json_t *g = json_pack("{s:s,s:s,s:s,s:s}", "id", db_res_str(res, i, 0), "name",
			      db_res_str(res, i, 1), "domain_id", db_res_str(res, i, 2),
			      "description", db_res_str(res, i, 3) ? db_res_str(res, i, 3) : "");

	ident_merge_extra(g, db_res_str(res, i, 4));
	return g;
}

static int user_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Could not find user: %s.", id);
}

static int group_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Could not find group: %s.", id);
}

/* 1 if 'sql' (one parameter) returns a row, 0 if not, -1 on error. */
static int exists(struct db *db, const char *sql, const char *param, struct err *err)
{
	struct db_res *res = db_query(db, err, sql, DBP(param));
	int found;

	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	return found;
}

static int user_exists(struct db *db, const char *id, struct err *err)
{
	int rc = exists(db, "SELECT 1 FROM users WHERE id = ?", id, err);

	return rc < 0 ? -1 : rc == 0 ? user_missing(id, err) : 0;
}

static int group_exists(struct db *db, const char *id, struct err *err)
{
	int rc = exists(db, "SELECT 1 FROM groups WHERE id = ?", id, err);

	return rc < 0 ? -1 : rc == 0 ? group_missing(id, err) : 0;
}

/* Names are unique per domain: the check gives Keystone's message and keeps PostgreSQL's
 * transaction usable (a violated constraint would abort it). */
static int name_free(struct db *db, const char *table, const char *what,
		     const char *name, const char *domain_id, const char *self,
		     struct err *err)
{
	char sql[96];
	struct db_res *res;
	bool taken;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE domain_id = ? AND name = ?", table);
	res = db_query(db, err, sql, DBP(domain_id, name));
	if (res == NULL)
		return -1;
	taken = db_res_rows(res) > 0 && !str_eq(db_res_str(res, 0, 0), self);
	db_res_free(res);
	if (taken)
		return err_set(err, ERR_CONFLICT,
			       "Conflict occurred attempting to store %s - Duplicate entry found "
			       "with name %s at domain ID %s.",
			       what, name, domain_id);
	return 0;
}

/* Appends the page clauses and runs a list query; keeps at most f->limit rows. */
static struct db_res *run_page(struct db *db, struct sqlb *sb, const char *id_col,
			       struct ident_list_filter *f, struct err *err)
{
	char tail[64];
	struct db_res *res;

	if (f->marker != NULL) {
		snprintf(tail, sizeof(tail), " AND %s > ?", id_col);
		sqlb_add(sb, tail, f->marker);
	}
	snprintf(tail, sizeof(tail), " ORDER BY %s", id_col);
	sqlb_text(sb, tail);
	if (f->limit > 0) {
		snprintf(tail, sizeof(tail), " LIMIT %d", f->limit + 1);
		sqlb_text(sb, tail);
	}
	res = db_query(db, err, sb->sql, sb->params, sb->n);
	sqlb_free(sb);
	f->more = res != NULL && f->limit > 0 && db_res_rows(res) > f->limit;
	return res;
}

/* ---- users ---- */

json_t *ident_user_get(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, "SELECT " USER_COLS " FROM users u WHERE u.id = ?",
			      id, user_body, "user", err);
}

json_t *ident_user_list(struct db *db, struct ident_list_filter *f, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	char at[24], where[48];
	json_t *list;

	sqlb_init(&sb, "SELECT " USER_COLS " FROM users u");
	if (f->group_id != NULL)
		sqlb_add(&sb, " JOIN user_group m ON m.user_id = u.id AND m.group_id = ?",
			 f->group_id);
	sqlb_text(&sb, " WHERE 1 = 1");
	if (f->name != NULL)
		sqlb_add(&sb, " AND u.name = ?", f->name);
	if (f->domain_id != NULL)
		sqlb_add(&sb, " AND u.domain_id = ?", f->domain_id);
	if (f->enabled >= 0)
		sqlb_add(&sb, " AND u.enabled = ?", f->enabled ? "1" : "0");
	if (f->expires_op != NULL) {
		snprintf(where, sizeof(where), " AND u.password_expires_at %s ?", f->expires_op);
		sqlb_add(&sb, where, fmt_i64(at, f->expires_at));
	}
	res = run_page(db, &sb, "u.id", f, err);
	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res) && (f->limit == 0 || i < f->limit); i++)
		json_array_append_new(list, user_body(res, i));
	db_res_free(res);
	return list;
}

int ident_user_insert(struct db *db, const struct ident_user_rec *u, struct err *err)
{
	char now[24];

	if (name_free(db, "users", "user", u->name, u->domain_id, NULL, err) < 0)
		return -1;
	return db_exec(db, err,
		       "INSERT INTO users (id, name, domain_id, enabled, default_project_id,"
		       " extra, options, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		       DBP(u->id, u->name, u->domain_id, u->enabled ? "1" : "0",
			   u->default_project_id, u->extra, u->options,
			   fmt_i64(now, util_now_us()))) < 0
		       ? -1
		       : 0;
}

/* Enabling a user (which every update of an enabled user does, as in Keystone) clears
 * its failed authentications: it is how an admin unlocks an account. */
int ident_user_update(struct db *db, const struct ident_user_rec *u, struct err *err)
{
	int n;

	if (name_free(db, "users", "user", u->name, u->domain_id, u->id, err) < 0)
		return -1;
	n = db_exec(db, err,
		    u->enabled ? "UPDATE users SET name = ?, enabled = ?, default_project_id = ?,"
				 " extra = ?, options = ?, failed_auth_count = 0,"
				 " failed_auth_at = NULL WHERE id = ?"
			       : "UPDATE users SET name = ?, enabled = ?, default_project_id = ?,"
				 " extra = ?, options = ? WHERE id = ?",
		    DBP(u->name, u->enabled ? "1" : "0", u->default_project_id, u->extra,
			u->options, u->id));
	if (n < 0)
		return -1;
	return n == 0 ? user_missing(u->id, err) : 0;
}

int ident_user_delete(struct db *db, const char *id, struct err *err)
{
	static const char *const cascade[] = {
		"DELETE FROM user_group WHERE user_id = ?",
		"DELETE FROM assignment WHERE actor_id = ?"
		" AND type IN ('UserProject', 'UserDomain', 'UserSystem')",
		"DELETE FROM password_history WHERE user_id = ?",
		"DELETE FROM trust_role WHERE trust_id IN (SELECT id FROM trust"
		" WHERE ? IN (trustor_user_id, trustee_user_id))",
		"DELETE FROM trust WHERE ? IN (trustor_user_id, trustee_user_id)",
		"DELETE FROM users WHERE id = ?",
	};

	if (user_exists(db, id, err) < 0 || ident_credential_delete_for(db, id, NULL, err) < 0 ||
	    ident_appcred_delete_for(db, id, NULL, err) < 0 ||
	    ident_access_rule_delete_for_user(db, id, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cascade); i++)
		if (db_exec(db, err, cascade[i], DBP(id)) < 0)
			return -1;
	return 0;
}

int ident_user_check_default_project(struct db *db, const char *project_id, struct err *err)
{
	int rc = exists(db, "SELECT 1 FROM project WHERE id = ? AND is_domain = 1", project_id,
			err);

	if (rc > 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "User's default project ID cannot be a domain ID: %s", project_id);
	return rc;
}

#define PROJECT_COLS                                                                      \
	"p.id, p.name, p.domain_id, p.description, p.enabled, p.parent_id, p.extra,"      \
	" p.options"

static json_t *project_body(struct db *db, const struct db_res *res, int i, struct err *err)
{
	const char *id = db_res_str(res, i, 0);
	json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:o,s:[]}", "id", id, "name",
			      db_res_str(res, i, 1), "domain_id", db_res_str(res, i, 2),
			      "description", db_res_str(res, i, 3) ? db_res_str(res, i, 3) : "",
			      "enabled", db_res_bool(res, i, 4), "is_domain", 0, "options",
			      object_or_empty(db_res_str(res, i, 7)), "tags");
	struct db_res *tags;

	jsonx_set_str_or_null(p, "parent_id", db_res_str(res, i, 5));
	ident_merge_extra(p, db_res_str(res, i, 6));
	tags = db_query(db, err, "SELECT name FROM project_tag WHERE project_id = ? ORDER BY name",
			DBP(id));
	if (tags == NULL) {
		json_decref(p);
		return NULL;
	}
	for (int t = 0; t < db_res_rows(tags); t++)
		json_array_append_new(json_object_get(p, "tags"),
				      json_string(db_res_str(tags, t, 0)));
	db_res_free(tags);
	return p;
}

/* Direct assignments (the user's or its groups') name the projects in one query; an
 * inherited assignment reaches a whole subtree or domain, and then each project is asked
 * through ident_effective_roles, as token scoping does. */
json_t *ident_user_projects(struct db *db, const char *user_id, struct err *err)
{
	struct db_res *res = NULL;
	json_t *list = NULL;
	int inherited;

	if (user_exists(db, user_id, err) < 0)
		return NULL;
	res = db_query(db, err,
		       "SELECT 1 FROM assignment WHERE inherited = 1 AND (actor_id = ?"
		       " OR actor_id IN (SELECT group_id FROM user_group WHERE user_id = ?)) LIMIT 1",
		       DBP(user_id, user_id));
	if (res == NULL)
		return NULL;
	inherited = db_res_rows(res) > 0;
	db_res_free(res);
	if (inherited)
		res = db_query(db, err,
			       "SELECT " PROJECT_COLS " FROM project p WHERE p.is_domain = 0"
			       " ORDER BY p.name, p.id",
			       DBNONE);
	else
		res = db_query(db, err,
			       "SELECT " PROJECT_COLS " FROM project p WHERE p.is_domain = 0"
			       " AND p.id IN (SELECT a.target_id FROM assignment a"
			       " WHERE a.type IN ('UserProject', 'GroupProject')"
			       " AND (a.actor_id = ? OR a.actor_id IN"
			       " (SELECT group_id FROM user_group WHERE user_id = ?)))"
			       " ORDER BY p.name, p.id",
			       DBP(user_id, user_id));
	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++) {
		json_t *p;
		if (inherited) {
			json_t *roles = ident_effective_roles(db, user_id, SCOPE_PROJECT,
							      db_res_str(res, i, 0), err);
			if (roles == NULL)
				goto fail;
			size_t n = json_array_size(roles);
			json_decref(roles);
			if (n == 0)
				continue;
		}
		if ((p = project_body(db, res, i, err)) == NULL)
			goto fail;
		json_array_append_new(list, p);
	}
	db_res_free(res);
	return list;
fail:
	db_res_free(res);
	json_decref(list);
	return NULL;
}

/* ---- passwords and security compliance ---- */

int ident_password_validate(const char *password, struct err *err)
{
	regex_t re;
	char *anchored;
	int rc;

	if (password == NULL)
		return 0;
	if (jsonx_utf8_len(password) > MAX_PASSWORD_LEN)
		return err_set(err, ERR_BAD_REQUEST,
			       "Password validation error: the password is longer than %d "
			       "characters.",
			       MAX_PASSWORD_LEN);
	if (conf.password_regex == NULL || conf.password_regex[0] == '\0')
		return 0;
	/* Keystone matches from the start of the password (Python's re.match) */
	anchored = xasprintf("^(%s)", conf.password_regex);
	rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
	free(anchored);
	if (rc != 0)
		return err_set(err, ERR_INTERNAL, "[security_compliance] password_regex is invalid");
	rc = regexec(&re, password, 0, NULL, 0);
	regfree(&re);
	if (rc != 0)
		return err_set(err, ERR_BAD_REQUEST,
			       "The password does not match the requirements: %s.",
			       conf.password_regex_description[0] ? conf.password_regex_description
								  : conf.password_regex);
	return 0;
}

static bool option_true(const char *options, const char *name)
{
	json_t *o = object_or_empty(options);
	bool on = json_is_true(json_object_get(o, name));

	json_decref(o);
	return on;
}

/* The failure counters are bookkeeping beside the answer: a write that fails is logged and
 * does not change what the client is told. */
static void set_failures(struct db *db, const char *user_id, bool failed)
{
	struct err e = { 0 };
	char now[24];
	int n;

	if (failed)
		n = db_exec(db, &e,
			    "UPDATE users SET failed_auth_count = failed_auth_count + 1,"
			    " failed_auth_at = ? WHERE id = ?",
			    DBP(fmt_i64(now, util_now_us()), user_id));
	else
		n = db_exec(db, &e,
			    "UPDATE users SET failed_auth_count = 0, failed_auth_at = NULL"
			    " WHERE id = ?",
			    DBP(user_id));
	if (n < 0)
		log_warn("cannot record the authentication result of user %s: %s", user_id,
			 e.msg);
}

static int bad_credentials(struct err *err)
{
	return err_set(err, ERR_UNAUTHORIZED,
		       "The request you have made requires authentication.");
}

int ident_user_authenticate(struct db *db, const char *user_id, const char *password,
			    bool allow_expired, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT password, enabled, password_expires_at,"
				      " failed_auth_count, failed_auth_at, options"
				      " FROM users WHERE id = ?",
				      DBP(user_id));
	int64_t now = util_now_us(), failed_at, expires;
	int failures, rc = 0;
	bool enabled, ok, no_lockout, no_expiry;

	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return bad_credentials(err);
	}
	enabled = db_res_bool(res, 0, 1);
	expires = db_res_str(res, 0, 2) ? db_res_int(res, 0, 2) : 0;
	failures = (int)db_res_int(res, 0, 3);
	failed_at = db_res_str(res, 0, 4) ? db_res_int(res, 0, 4) : 0;
	no_lockout = option_true(db_res_str(res, 0, 5), "ignore_lockout_failure_attempts");
	no_expiry = option_true(db_res_str(res, 0, 5), "ignore_password_expiry");

	if (conf.lockout_failure_attempts > 0 && !no_lockout &&
	    failures >= conf.lockout_failure_attempts) {
		if (conf.lockout_duration == 0 ||
		    failed_at + (int64_t)conf.lockout_duration * 1000000 > now) {
			db_res_free(res);
			return err_set(err, ERR_UNAUTHORIZED,
				       "The account is locked for user: %s.", user_id);
		}
		set_failures(db, user_id, false);
		failures = 0;
	}
	ok = ident_check_password(password, db_res_str(res, 0, 0));
	db_res_free(res);
	if (!ok) {
		if (conf.lockout_failure_attempts > 0 && !no_lockout)
			set_failures(db, user_id, true);
		return bad_credentials(err);
	}
	if (!enabled)
		rc = err_set(err, ERR_UNAUTHORIZED, "The account is disabled for user: %s.",
			     user_id);
	else if (!allow_expired && !no_expiry && expires != 0 && expires <= now)
		rc = err_set(err, ERR_UNAUTHORIZED,
			     "The password is expired and needs to be changed for user: %s.",
			     user_id);
	else if (failures > 0)
		set_failures(db, user_id, false);
	return rc;
}

/* Is 'password' the current one or one of the 'count' - 1 before it? */
static int reused(struct db *db, const char *user_id, const char *current,
		  const char *password, int count, struct err *err)
{
	struct db_res *res;
	char sql[160];
	bool found;

	if (count <= 0)
		return 0;
	if (ident_check_password(password, current))
		return 1;
	if (count == 1)
		return 0;
	snprintf(sql, sizeof(sql),
		 "SELECT hash FROM password_history WHERE user_id = ?"
		 " ORDER BY created_at DESC LIMIT %d",
		 count - 1);
	res = db_query(db, err, sql, DBP(user_id));
	if (res == NULL)
		return -1;
	found = false;
	for (int i = 0; i < db_res_rows(res) && !found; i++)
		found = ident_check_password(password, db_res_str(res, i, 0));
	db_res_free(res);
	return found;
}

int ident_user_check_new_password(struct db *db, const char *user_id, const char *password,
				  struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT password, password_created_at, password_self_service,"
				      " options FROM users WHERE id = ?",
				      DBP(user_id));
	int64_t now = util_now_us();
	int rc = 0;

	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return user_missing(user_id, err);
	}
	if (option_true(db_res_str(res, 0, 3), "lock_password")) {
		rc = err_set(err, ERR_BAD_REQUEST,
			     "You cannot change your password at this time due to password "
			     "policy disallowing password changes. Please contact your "
			     "administrator to reset your password.");
	} else if (conf.minimum_password_age > 0 && db_res_bool(res, 0, 2) &&
		   db_res_str(res, 0, 1) != NULL &&
		   db_res_int(res, 0, 1) + conf.minimum_password_age * US_PER_DAY > now) {
		int64_t left = db_res_int(res, 0, 1) + conf.minimum_password_age * US_PER_DAY -
			       now;
		rc = err_set(err, ERR_BAD_REQUEST,
			     "You cannot change your password at this time due to the minimum "
			     "password age. Once you change your password, it must be used for "
			     "%d day(s) before it can be changed. Please try again in %d day(s) "
			     "or contact your administrator to reset your password.",
			     conf.minimum_password_age, (int)(left / US_PER_DAY));
	} else {
		rc = reused(db, user_id, db_res_str(res, 0, 0), password,
			    conf.unique_last_password_count, err);
		if (rc > 0)
			rc = err_set(err, ERR_BAD_REQUEST,
				     "The new password cannot be identical to a previous password. "
				     "The total number which includes the new password must be "
				     "unique is %d.",
				     conf.unique_last_password_count);
	}
	db_res_free(res);
	return rc;
}

int ident_user_set_password(struct db *db, const char *user_id, const char *hash,
			    bool self_service, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT password, password_created_at, options"
				      " FROM users WHERE id = ?",
				      DBP(user_id));
	char now[24], created[24], expires[24], hid[33], sql[224];
	int64_t t = util_now_us();
	const char *exp = NULL;
	int keep = conf.unique_last_password_count > HISTORY_KEEP
			   ? conf.unique_last_password_count
			   : HISTORY_KEEP;
	int rc = 0;

	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return user_missing(user_id, err);
	}
	if (db_res_str(res, 0, 0) != NULL) {
		util_uuid_hex(hid);
		snprintf(sql, sizeof(sql),
			 "DELETE FROM password_history WHERE user_id = ? AND id NOT IN"
			 " (SELECT id FROM password_history WHERE user_id = ?"
			 " ORDER BY created_at DESC LIMIT %d)",
			 keep - 1);
		if (db_exec(db, err,
			    "INSERT INTO password_history (id, user_id, hash, created_at)"
			    " VALUES (?, ?, ?, ?)",
			    DBP(hid, user_id, db_res_str(res, 0, 0),
				db_res_str(res, 0, 1) ? db_res_str(res, 0, 1)
						      : fmt_i64(created, t))) < 0 ||
		    db_exec(db, err, sql, DBP(user_id, user_id)) < 0)
			rc = -1;
	}
	if (rc == 0 && hash != NULL && conf.password_expires_days > 0 &&
	    !option_true(db_res_str(res, 0, 2), "ignore_password_expiry"))
		exp = fmt_i64(expires, t + conf.password_expires_days * US_PER_DAY);
	db_res_free(res);
	if (rc < 0)
		return -1;
	return db_exec(db, err,
		       "UPDATE users SET password = ?, password_created_at = ?,"
		       " password_expires_at = ?, password_self_service = ?,"
		       " failed_auth_count = 0, failed_auth_at = NULL WHERE id = ?",
		       DBP(hash, hash ? fmt_i64(now, t) : NULL, exp, self_service ? "1" : "0",
			   user_id)) < 0
		       ? -1
		       : 0;
}

/* ---- groups ---- */

json_t *ident_group_get(struct db *db, const char *id, struct err *err)
{
	return ident_find_row(db, "SELECT " GROUP_COLS " FROM groups g WHERE g.id = ?",
			      id, group_body, "group", err);
}

json_t *ident_group_list(struct db *db, struct ident_list_filter *f, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	json_t *list;

	sqlb_init(&sb, "SELECT " GROUP_COLS " FROM groups g");
	if (f->user_id != NULL)
		sqlb_add(&sb, " JOIN user_group m ON m.group_id = g.id AND m.user_id = ?",
			 f->user_id);
	sqlb_text(&sb, " WHERE 1 = 1");
	if (f->name != NULL)
		sqlb_add(&sb, " AND g.name = ?", f->name);
	if (f->domain_id != NULL)
		sqlb_add(&sb, " AND g.domain_id = ?", f->domain_id);
	res = run_page(db, &sb, "g.id", f, err);
	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res) && (f->limit == 0 || i < f->limit); i++)
		json_array_append_new(list, group_body(res, i));
	db_res_free(res);
	return list;
}

int ident_group_insert(struct db *db, const struct ident_group_rec *g, struct err *err)
{
	if (name_free(db, "groups", "group", g->name, g->domain_id, NULL, err) < 0)
		return -1;
	return db_exec(db, err,
		       "INSERT INTO groups (id, name, domain_id, description, extra)"
		       " VALUES (?, ?, ?, ?, ?)",
		       DBP(g->id, g->name, g->domain_id, g->description ? g->description : "",
			   g->extra)) < 0
		       ? -1
		       : 0;
}

int ident_group_update(struct db *db, const struct ident_group_rec *g, struct err *err)
{
	int n;

	if (name_free(db, "groups", "group", g->name, g->domain_id, g->id, err) < 0)
		return -1;
	n = db_exec(db, err,
		    "UPDATE groups SET name = ?, description = ?, extra = ? WHERE id = ?",
		    DBP(g->name, g->description ? g->description : "", g->extra, g->id));
	if (n < 0)
		return -1;
	return n == 0 ? group_missing(g->id, err) : 0;
}

int ident_group_delete(struct db *db, const char *id, bool *had_roles, struct err *err)
{
	int n;

	if (group_exists(db, id, err) < 0)
		return -1;
	n = db_exec(db, err,
		    "DELETE FROM assignment WHERE actor_id = ?"
		    " AND type IN ('GroupProject', 'GroupDomain', 'GroupSystem')",
		    DBP(id));
	if (n < 0)
		return -1;
	*had_roles = n > 0;
	if (db_exec(db, err, "DELETE FROM user_group WHERE group_id = ?", DBP(id)) < 0 ||
	    db_exec(db, err, "DELETE FROM groups WHERE id = ?", DBP(id)) < 0)
		return -1;
	return 0;
}

int ident_group_add_user(struct db *db, const char *group_id, const char *user_id,
			 struct err *err)
{
	if (group_exists(db, group_id, err) < 0 || user_exists(db, user_id, err) < 0)
		return -1;
	return db_exec(db, err,
		       "INSERT INTO user_group (user_id, group_id) VALUES (?, ?)"
		       " ON CONFLICT DO NOTHING",
		       DBP(user_id, group_id)) < 0
		       ? -1
		       : 0;
}

static int not_member(struct db *db, const char *group_id, const char *user_id,
		      struct err *err)
{
	if (group_exists(db, group_id, err) < 0 || user_exists(db, user_id, err) < 0)
		return -1;
	return err_set(err, ERR_NOT_FOUND, "User '%s' not found in group '%s'", user_id,
		       group_id);
}

int ident_group_check_user(struct db *db, const char *group_id, const char *user_id,
			   struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT 1 FROM user_group WHERE user_id = ? AND group_id = ?",
				      DBP(user_id, group_id));
	int found;

	if (res == NULL)
		return -1;
	found = db_res_rows(res) > 0;
	db_res_free(res);
	return found ? 0 : not_member(db, group_id, user_id, err);
}

int ident_group_remove_user(struct db *db, const char *group_id, const char *user_id,
			    struct err *err)
{
	int n = db_exec(db, err, "DELETE FROM user_group WHERE user_id = ? AND group_id = ?",
			DBP(user_id, group_id));

	if (n < 0)
		return -1;
	return n > 0 ? 0 : not_member(db, group_id, user_id, err);
}
