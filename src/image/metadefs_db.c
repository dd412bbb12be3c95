/* The metadata definitions tables' SQL (metadefs_db.h). */
#include "image/metadefs_db.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"

/* The resource types a Glance deployment lists from the start (its shipped catalog's). */
static const char *const seeded_types[] = { "OS::Glance::Image",   "OS::Cinder::Volume",
					    "OS::Nova::Flavor",    "OS::Nova::Aggregate",
					    "OS::Nova::Server",    NULL };

static char *now_text(void)
{
	return xasprintf("%" PRId64, util_now_us());
}

static json_t *iso(long long us)
{
	char buf[32];

	util_iso8601(us, 0, buf);
	return json_string(buf);
}

/* 'key': the cell as a string, left out when NULL. */
static void set_opt(json_t *obj, const char *key, const char *val)
{
	if (val != NULL)
		json_object_set_new(obj, key, json_string(val));
}

int md_db_seed(struct db *db, struct err *err)
{
	int rc = 0;

	/* one insert at a time, each skipped when present: no engine-specific upsert */
	for (int i = 0; rc >= 0 && seeded_types[i] != NULL; i++) {
		char *at = xasprintf("%" PRId64, util_now_us() + i); /* keeps the seeded order */

		rc = db_exec(db, err,
			     "INSERT INTO metadef_resource_type (name, protected, created_at,"
			     " updated_at) SELECT ?, 1, ?, ? WHERE NOT EXISTS (SELECT 1 FROM"
			     " metadef_resource_type WHERE name = ?)",
			     DBP(seeded_types[i], at, at, seeded_types[i]));
		free(at);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- namespaces ---- */

#define NS_COLS                                                                           \
	"SELECT namespace, display_name, description, visibility, protected, owner,"     \
	" created_at, updated_at FROM metadef_namespace"

static json_t *ns_row(const struct db_res *res, int i)
{
	json_t *ns = json_pack("{s:s}", "namespace", db_res_str(res, i, 0));

	set_opt(ns, "display_name", db_res_str(res, i, 1));
	set_opt(ns, "description", db_res_str(res, i, 2));
	json_object_set_new(ns, "visibility", json_string(db_res_str(res, i, 3)));
	json_object_set_new(ns, "protected", json_boolean(db_res_bool(res, i, 4)));
	set_opt(ns, "owner", db_res_str(res, i, 5));
	json_object_set_new(ns, "created_at", iso(db_res_int(res, i, 6)));
	json_object_set_new(ns, "updated_at", iso(db_res_int(res, i, 7)));
	return ns;
}

static int ns_missing(const char *name, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "Metadata definition namespace=%s was not found.",
		       name);
}

json_t *md_db_ns_find(struct db *db, const char *name, struct err *err)
{
	struct db_res *res = db_query(db, err, NS_COLS " WHERE namespace = ?", DBP(name));
	json_t *ns = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		ns_missing(name, err);
	else
		ns = ns_row(res, 0);
	db_res_free(res);
	return ns;
}

/* "a,b,c" as an IN list of parameters, each a copy kept in 'owned' (freed by caller). */
static void add_in_list(struct sqlb *sb, const char *csv, char **owned, int max)
{
	char *copy = xstrdup(csv), *save = NULL, *tok;
	int n = 0;

	owned[0] = copy;
	sqlb_text(sb, " AND namespace IN (SELECT namespace FROM metadef_rt_assoc WHERE"
		      " resource_type IN (");
	for (tok = strtok_r(copy, ",", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, ",", &save), n++)
		sqlb_add(sb, n == 0 ? "?" : ", ?", tok);
	if (n == 0)
		sqlb_text(sb, "NULL");
	sqlb_text(sb, "))");
}

json_t *md_db_ns_list(struct db *db, const struct md_ns_filter *f, struct err *err)
{
	static const char *const keys[] = { "namespace", "created_at", "updated_at", NULL };
	const char *key = "created_at", *op = f->desc ? "<" : ">", *dir = f->desc ? "DESC" : "ASC";
	char *owned[1] = { NULL }, *limit = NULL, *mkey = NULL, buf[160];
	json_t *list = NULL;
	struct db_res *res = NULL;
	struct sqlb sb;

	for (int i = 0; keys[i] != NULL; i++)
		if (str_eq(f->sort_key, keys[i]))
			key = keys[i];
	if (f->marker != NULL) {
		/* the marker's sort value, read before the query binds it */
		char *sql = xasprintf("SELECT %s FROM metadef_namespace WHERE namespace = ?", key);

		res = db_query(db, err, sql, DBP(f->marker));
		free(sql);
		if (res == NULL)
			return NULL;
		if (db_res_rows(res) == 0) {
			db_res_free(res);
			ns_missing(f->marker, err);
			return NULL;
		}
		mkey = xstrdup(db_res_str(res, 0, 0));
		db_res_free(res);
		res = NULL;
	}
	sqlb_init(&sb, NS_COLS " WHERE 1 = 1");
	if (!f->all && f->visible_to != NULL)
		sqlb_add(&sb, " AND (visibility = 'public' OR owner IS NULL OR owner = ?)",
			 f->visible_to);
	else if (!f->all)
		sqlb_text(&sb, " AND (visibility = 'public' OR owner IS NULL)");
	if (f->visibility != NULL)
		sqlb_add(&sb, " AND visibility = ?", f->visibility);
	if (f->resource_types != NULL)
		add_in_list(&sb, f->resource_types, owned, SQLB_MAX_PARAMS - 8);
	if (mkey != NULL) {
		/* keyset: after the marker in (key, namespace) order */
		snprintf(buf, sizeof(buf), " AND (%s %s ? OR (%s = ? AND namespace %s ?))", key,
			 op, key, op);
		sqlb_text(&sb, buf);
		sqlb_param(&sb, mkey);
		sqlb_param(&sb, mkey);
		sqlb_param(&sb, f->marker);
	}
	snprintf(buf, sizeof(buf), " ORDER BY %s %s, namespace %s", key, dir, dir);
	sqlb_text(&sb, buf);
	if (f->limit >= 0) {
		limit = xasprintf(" LIMIT %d", f->limit); /* an int, not client text */
		sqlb_text(&sb, limit);
	}
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	if (res != NULL) {
		list = json_array();
		for (int i = 0; i < db_res_rows(res); i++)
			json_array_append_new(list, ns_row(res, i));
	}
	db_res_free(res);
	sqlb_free(&sb);
	free(owned[0]);
	free(limit);
	free(mkey);
	return list;
}

int md_db_ns_insert(struct db *db, const json_t *ns, struct err *err)
{
	const char *name = jsonx_str(ns, "namespace");
	char *now = now_text();
	int rc = db_exec(db, err,
			 "INSERT INTO metadef_namespace (namespace, display_name, description,"
			 " visibility, protected, owner, created_at, updated_at)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			 DBP(name, jsonx_str(ns, "display_name"),
			     jsonx_str(ns, "description"), jsonx_str(ns, "visibility"),
			     jsonx_bool(ns, "protected", false) ? "1" : "0",
			     jsonx_str(ns, "owner"), now, now));

	free(now);
	if (rc < 0 && err->kind == ERR_CONFLICT) {
		err_clear(err);
		err_set(err, ERR_CONFLICT, "The metadata definition namespace=%s already exists.",
			name);
	}
	return rc < 0 ? -1 : 0;
}

static const char *const child_tables[] = { "metadef_object", "metadef_property",
					    "metadef_tag", "metadef_rt_assoc", NULL };

int md_db_ns_update(struct db *db, const char *name, const json_t *ns, struct err *err)
{
	const char *new_name = jsonx_str(ns, "namespace");
	char *now = now_text();
	int rc = db_exec(db, err,
			 "UPDATE metadef_namespace SET namespace = ?, display_name = ?,"
			 " description = ?, visibility = ?, protected = ?, owner = ?,"
			 " updated_at = ? WHERE namespace = ?",
			 DBP(new_name, jsonx_str(ns, "display_name"),
			     jsonx_str(ns, "description"), jsonx_str(ns, "visibility"),
			     jsonx_bool(ns, "protected", false) ? "1" : "0",
			     jsonx_str(ns, "owner"), now, name));

	free(now);
	if (rc < 0 && err->kind == ERR_CONFLICT) {
		err_clear(err);
		return err_set(err, ERR_CONFLICT,
			       "Invalid update. It would result in a duplicate metadata definition"
			       " namespace with the same name of %s", new_name);
	}
	if (rc == 0)
		return ns_missing(name, err);
	for (int i = 0; rc > 0 && !str_eq(name, new_name) && child_tables[i] != NULL; i++) {
		char *sql = xasprintf("UPDATE %s SET namespace = ? WHERE namespace = ?",
				      child_tables[i]);

		if (db_exec(db, err, sql, DBP(new_name, name)) < 0)
			rc = -1;
		free(sql);
	}
	return rc < 0 ? -1 : 0;
}

int md_db_ns_delete(struct db *db, const char *name, struct err *err)
{
	int rc;

	for (int i = 0; child_tables[i] != NULL; i++) {
		char *sql = xasprintf("DELETE FROM %s WHERE namespace = ?", child_tables[i]);

		rc = db_exec(db, err, sql, DBP(name));
		free(sql);
		if (rc < 0)
			return -1;
	}
	rc = db_exec(db, err, "DELETE FROM metadef_namespace WHERE namespace = ?", DBP(name));
	if (rc == 0)
		return ns_missing(name, err);
	return rc < 0 ? -1 : 0;
}

/* ---- resource types ---- */

json_t *md_db_rt_list(struct db *db, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT name, created_at, updated_at FROM"
				      " metadef_resource_type ORDER BY created_at, name",
				      DBNONE);
	json_t *list;

	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, json_pack("{s:s,s:o,s:o}", "name",
						      db_res_str(res, i, 0), "created_at",
						      iso(db_res_int(res, i, 1)), "updated_at",
						      iso(db_res_int(res, i, 2))));
	db_res_free(res);
	return list;
}

#define ASSOC_COLS                                                                        \
	"SELECT resource_type, prefix, properties_target, created_at, updated_at"        \
	" FROM metadef_rt_assoc"

static json_t *assoc_row(const struct db_res *res, int i)
{
	json_t *a = json_pack("{s:s}", "name", db_res_str(res, i, 0));

	set_opt(a, "prefix", db_res_str(res, i, 1));
	set_opt(a, "properties_target", db_res_str(res, i, 2));
	json_object_set_new(a, "created_at", iso(db_res_int(res, i, 3)));
	json_object_set_new(a, "updated_at", iso(db_res_int(res, i, 4)));
	return a;
}

json_t *md_db_assoc_list(struct db *db, const char *ns, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      ASSOC_COLS " WHERE namespace = ? ORDER BY created_at,"
						 " resource_type",
				      DBP(ns));
	json_t *list;

	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, assoc_row(res, i));
	db_res_free(res);
	return list;
}

json_t *md_db_assoc_insert(struct db *db, const char *ns, const json_t *assoc,
			   struct err *err)
{
	const char *rt = jsonx_str(assoc, "name");
	char *now = now_text();
	struct db_res *res = NULL;
	json_t *out = NULL;
	int rc;

	rc = db_exec(db, err,
		     "INSERT INTO metadef_resource_type (name, protected, created_at, updated_at)"
		     " SELECT ?, 0, ?, ? WHERE NOT EXISTS (SELECT 1 FROM metadef_resource_type"
		     " WHERE name = ?)",
		     DBP(rt, now, now, rt));
	if (rc >= 0)
		rc = db_exec(db, err,
			     "INSERT INTO metadef_rt_assoc (namespace, resource_type, prefix,"
			     " properties_target, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			     DBP(ns, rt, jsonx_str(assoc, "prefix"),
				 jsonx_str(assoc, "properties_target"), now, now));
	free(now);
	if (rc < 0) {
		if (err->kind == ERR_CONFLICT) {
			err_clear(err);
			err_set(err, ERR_CONFLICT,
				"The metadata definition resource-type association of"
				" resource-type=%s to namespace=%s already exists.", rt, ns);
		}
		return NULL;
	}
	res = db_query(db, err, ASSOC_COLS " WHERE namespace = ? AND resource_type = ?",
		       DBP(ns, rt));
	if (res != NULL && db_res_rows(res) == 1)
		out = assoc_row(res, 0);
	else if (res != NULL)
		err_set(err, ERR_INTERNAL, "The association vanished.");
	db_res_free(res);
	return out;
}

int md_db_assoc_delete(struct db *db, const char *ns, const char *rt, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT 1 FROM metadef_resource_type WHERE name = ?", DBP(rt));
	int rc, known;

	if (res == NULL)
		return -1;
	known = db_res_rows(res);
	db_res_free(res);
	if (!known)
		return err_set(err, ERR_NOT_FOUND,
			       "Failed to find resource type %s to delete", rt);
	rc = db_exec(db, err,
		     "DELETE FROM metadef_rt_assoc WHERE namespace = ? AND resource_type = ?",
		     DBP(ns, rt));
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND,
			       "The metadata definition resource-type association of"
			       " resource-type=%s to namespace=%s, was not found.", rt, ns);
	return rc < 0 ? -1 : 0;
}

/* ---- objects, properties, tags ---- */

static const struct {
	const char *list_sql, *find_sql, *insert_sql, *update_sql, *delete_sql, *delete_all;
	const char *missing, *dup; /* formats: name, namespace */
} kinds[] = {
#define KIND_SQL(t)                                                                       \
	"SELECT name, body, created_at, updated_at FROM " t " WHERE namespace = ?"       \
	" ORDER BY created_at, name",                                                     \
		"SELECT name, body, created_at, updated_at FROM " t                       \
		" WHERE namespace = ? AND name_key = ?",                                  \
		"INSERT INTO " t " (namespace, name, name_key, body, created_at, updated_at)" \
		" VALUES (?, ?, ?, ?, ?, ?)",                                             \
		"UPDATE " t " SET name = ?, name_key = ?, body = ?, updated_at = ?"       \
		" WHERE namespace = ? AND name_key = ?",                                  \
		"DELETE FROM " t " WHERE namespace = ? AND name_key = ?",                 \
		"DELETE FROM " t " WHERE namespace = ?"
	[MD_OBJECT] = { KIND_SQL("metadef_object"),
			"The metadata definition object with name=%s was not found in"
			" namespace=%s.",
			"A metadata definition object with name=%s already exists in"
			" namespace=%s." },
	[MD_PROPERTY] = { KIND_SQL("metadef_property"),
			  "The metadata definition property with name=%s was not found in"
			  " namespace=%s.",
			  "A metadata definition property with name=%s already exists in"
			  " namespace=%s." },
	[MD_TAG] = { KIND_SQL("metadef_tag"),
		     "The metadata definition tag with name=%s was not found in"
		     " namespace=%s.",
		     "A metadata tag with name=%s already exists in namespace=%s. (Please note"
		     " that metadata tag names are case insensitive)." },
#undef KIND_SQL
};

/* The uniqueness key of a name: tags compare without regard to (ASCII) case. Caller
 * frees. */
static char *name_key(enum md_kind kind, const char *name)
{
	char *k = xstrdup(name);

	if (kind == MD_TAG)
		for (char *p = k; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return k;
}

static json_t *item_row(const struct db_res *res, int i)
{
	const char *body = db_res_str(res, i, 1);
	json_t *it = body ? json_loads(body, 0, NULL) : NULL;

	if (!json_is_object(it)) {
		json_decref(it);
		it = json_object();
	}
	json_object_set_new(it, "name", json_string(db_res_str(res, i, 0)));
	json_object_set_new(it, "created_at", iso(db_res_int(res, i, 2)));
	json_object_set_new(it, "updated_at", iso(db_res_int(res, i, 3)));
	return it;
}

json_t *md_db_item_list(struct db *db, enum md_kind kind, const char *ns, struct err *err)
{
	struct db_res *res = db_query(db, err, kinds[kind].list_sql, DBP(ns));
	json_t *list;

	if (res == NULL)
		return NULL;
	list = json_array();
	for (int i = 0; i < db_res_rows(res); i++)
		json_array_append_new(list, item_row(res, i));
	db_res_free(res);
	return list;
}

json_t *md_db_item_find(struct db *db, enum md_kind kind, const char *ns, const char *name,
			struct err *err)
{
	char *key = name_key(kind, name);
	struct db_res *res = db_query(db, err, kinds[kind].find_sql, DBP(ns, key));
	json_t *it = NULL;

	free(key);
	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		err_set(err, ERR_NOT_FOUND, kinds[kind].missing, name, ns);
	else
		it = item_row(res, 0);
	db_res_free(res);
	return it;
}

static char *body_text(const json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");

	BUG_ON(text == NULL);
	return text;
}

int md_db_item_insert(struct db *db, enum md_kind kind, const char *ns, const char *name,
		      const json_t *body, struct err *err)
{
	char *key = name_key(kind, name), *text = body_text(body), *now = now_text();
	int rc = db_exec(db, err, kinds[kind].insert_sql, DBP(ns, name, key, text, now, now));

	free(key);
	free(text);
	free(now);
	if (rc < 0 && err->kind == ERR_CONFLICT) {
		err_clear(err);
		err_set(err, ERR_CONFLICT, kinds[kind].dup, name, ns);
	}
	return rc < 0 ? -1 : 0;
}

int md_db_item_update(struct db *db, enum md_kind kind, const char *ns, const char *name,
		      const char *new_name, const json_t *body, struct err *err)
{
	char *key = name_key(kind, name), *new_key = name_key(kind, new_name);
	char *text = body_text(body), *now = now_text();
	int rc = db_exec(db, err, kinds[kind].update_sql,
			 DBP(new_name, new_key, text, now, ns, key));

	free(key);
	free(new_key);
	free(text);
	free(now);
	if (rc < 0 && err->kind == ERR_CONFLICT) {
		err_clear(err);
		return err_set(err, ERR_CONFLICT, kinds[kind].dup, new_name, ns);
	}
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, kinds[kind].missing, name, ns);
	return rc < 0 ? -1 : 0;
}

int md_db_item_delete(struct db *db, enum md_kind kind, const char *ns, const char *name,
		      struct err *err)
{
	char *key = name_key(kind, name);
	int rc = db_exec(db, err, kinds[kind].delete_sql, DBP(ns, key));

	free(key);
	if (rc == 0)
		return err_set(err, ERR_NOT_FOUND, kinds[kind].missing, name, ns);
	return rc < 0 ? -1 : 0;
}

int md_db_item_delete_all(struct db *db, enum md_kind kind, const char *ns, struct err *err)
{
	return db_exec(db, err, kinds[kind].delete_all, DBP(ns)) < 0 ? -1 : 0;
}
