/* The domain_config table's SQL. */
#include "identity/domain_config_db.h"

#include <stdlib.h>

#include "core/db.h"
#include "core/err.h"
#include "core/sqlb.h"
#include "core/util.h"

/* WHERE clause for a domain narrowed to a group and an option. */
static void where(struct sqlb *sb, const char *domain_id, const char *group,
		  const char *option)
{
	sqlb_add(sb, " WHERE domain_id = ?", domain_id);
	if (group != NULL)
		sqlb_add(sb, " AND group_name = ?", group);
	if (option != NULL)
		sqlb_add(sb, " AND option_name = ?", option);
}

json_t *ident_domain_config_read(struct db *db, const char *domain_id, const char *group,
				 const char *option, bool sensitive, struct err *err)
{
	struct sqlb sb;
	struct db_res *res;
	json_t *config;

	sqlb_init(&sb, "SELECT group_name, option_name, value FROM domain_config");
	where(&sb, domain_id, group, option);
	if (!sensitive)
		sqlb_text(&sb, " AND sensitive = 0");
	sqlb_text(&sb, " ORDER BY group_name, option_name");
	res = db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL)
		return NULL;
	config = json_object();
	for (int i = 0; i < db_res_rows(res); i++) {
		const char *g = db_res_str(res, i, 0);
		json_t *grp = json_object_get(config, g);
		json_t *val = json_loads(db_res_str(res, i, 2), JSON_DECODE_ANY, NULL);

		if (grp == NULL) {
			grp = json_object();
			json_object_set_new(config, g, grp);
		}
		json_object_set_new(grp, db_res_str(res, i, 1), val ? val : json_null());
	}
	db_res_free(res);
	return config;
}

static int count_options(struct db *db, const char *domain_id, struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT COUNT(*) FROM domain_config WHERE domain_id = ?",
				      DBP(domain_id));
	int n;

	if (res == NULL)
		return -1;
	n = (int)db_res_int(res, 0, 0);
	db_res_free(res);
	return n;
}

static int put_option(struct db *db, const char *domain_id, const char *group,
		      const char *option, const json_t *value, bool sensitive, struct err *err)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc;

	rc = db_exec(db, err,
		     "DELETE FROM domain_config WHERE domain_id = ? AND group_name = ?"
		     " AND option_name = ?",
		     DBP(domain_id, group, option));
	if (rc >= 0)
		rc = db_exec(db, err,
			     "INSERT INTO domain_config"
			     " (domain_id, group_name, option_name, value, sensitive)"
			     " VALUES (?, ?, ?, ?, ?)",
			     DBP(domain_id, group, option, text, sensitive ? "1" : "0"));
	free(text);
	return rc < 0 ? -1 : 0;
}

int ident_domain_config_write(struct db *db, const char *domain_id, const json_t *config,
			      bool replace, bool (*is_sensitive)(const char *, const char *),
			      struct err *err)
{
	const char *group, *option;
	json_t *opts, *value;
	int before;

	if (db_begin(db, err) < 0)
		return -1;
	if ((before = count_options(db, domain_id, err)) < 0)
		goto fail;
	if (replace && db_exec(db, err, "DELETE FROM domain_config WHERE domain_id = ?",
			       DBP(domain_id)) < 0)
		goto fail;
	json_object_foreach((json_t *)config, group, opts) {
		json_object_foreach(opts, option, value) {
			if (put_option(db, domain_id, group, option, value,
				       is_sensitive(group, option), err) < 0)
				goto fail;
		}
	}
	if (db_commit(db, err) < 0)
		goto fail;
	return before;
fail:
	db_rollback(db);
	return -1;
}

int ident_domain_config_delete(struct db *db, const char *domain_id, const char *group,
			       const char *option, struct err *err)
{
	struct sqlb sb;
	int rc;

	sqlb_init(&sb, "DELETE FROM domain_config");
	where(&sb, domain_id, group, option);
	rc = db_exec(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	return rc;
}
