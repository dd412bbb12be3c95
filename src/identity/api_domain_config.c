/* /v3/domains/{domain_id}/config: domain-specific configuration, as Keystone keeps it for
 * its domain-specific identity drivers. ciel has one identity driver (SQL), so a domain's
 * config is stored and served but drives nothing yet; the API, its rules and its messages
 * are Keystone's so that clients and tooling written for it work unchanged.
 *
 * Only the options of the table below may be set: Keystone's whitelist (identity driver
 * and list_limit, the ldap driver's options) plus its one sensitive option (ldap password),
 * which is stored but never shown. Anything else is an "Invalid domain specific
 * configuration" (403, as Keystone's InvalidDomainConfig). /v3/domains/config/default
 * shows each whitelisted option's default, and the security_compliance group of the
 * default domain shows the password rules any user needs to pick a password. */
#include <string.h>

#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "identity/domain_config_db.h"
#include "identity/identity_int.h"

/* One option a domain may set: group, option, Keystone's default (JSON text), and whether
 * it is sensitive (write-only, no default shown). */
struct config_opt {
	const char *group;
	const char *option;
	const char *def;
	bool sensitive;
};

static const struct config_opt config_opts[] = {
	{ "identity", "driver", "\"sql\"", false },
	{ "identity", "list_limit", "null", false },
	{ "ldap", "url", "\"ldap://localhost\"", false },
	{ "ldap", "user", "null", false },
	{ "ldap", "suffix", "\"cn=example,cn=com\"", false },
	{ "ldap", "query_scope", "\"one\"", false },
	{ "ldap", "page_size", "0", false },
	{ "ldap", "alias_dereferencing", "\"default\"", false },
	{ "ldap", "debug_level", "null", false },
	{ "ldap", "chase_referrals", "null", false },
	{ "ldap", "user_tree_dn", "null", false },
	{ "ldap", "user_filter", "null", false },
	{ "ldap", "user_objectclass", "\"inetOrgPerson\"", false },
	{ "ldap", "user_id_attribute", "\"cn\"", false },
	{ "ldap", "user_name_attribute", "\"sn\"", false },
	{ "ldap", "user_mail_attribute", "\"mail\"", false },
	{ "ldap", "user_description_attribute", "\"description\"", false },
	{ "ldap", "user_pass_attribute", "\"userPassword\"", false },
	{ "ldap", "user_enabled_attribute", "\"enabled\"", false },
	{ "ldap", "user_enabled_invert", "false", false },
	{ "ldap", "user_enabled_mask", "0", false },
	{ "ldap", "user_enabled_default", "\"True\"", false },
	{ "ldap", "user_attribute_ignore", "[\"default_project_id\"]", false },
	{ "ldap", "user_default_project_id_attribute", "null", false },
	{ "ldap", "user_enabled_emulation", "false", false },
	{ "ldap", "user_enabled_emulation_dn", "null", false },
	{ "ldap", "user_enabled_emulation_use_group_config", "false", false },
	{ "ldap", "user_additional_attribute_mapping", "[]", false },
	{ "ldap", "group_tree_dn", "null", false },
	{ "ldap", "group_filter", "null", false },
	{ "ldap", "group_objectclass", "\"groupOfNames\"", false },
	{ "ldap", "group_id_attribute", "\"cn\"", false },
	{ "ldap", "group_name_attribute", "\"ou\"", false },
	{ "ldap", "group_members_are_ids", "false", false },
	{ "ldap", "group_member_attribute", "\"member\"", false },
	{ "ldap", "group_desc_attribute", "\"description\"", false },
	{ "ldap", "group_attribute_ignore", "[]", false },
	{ "ldap", "group_additional_attribute_mapping", "[]", false },
	{ "ldap", "tls_cacertfile", "null", false },
	{ "ldap", "tls_cacertdir", "null", false },
	{ "ldap", "use_tls", "false", false },
	{ "ldap", "tls_req_cert", "\"demand\"", false },
	{ "ldap", "use_pool", "true", false },
	{ "ldap", "pool_size", "10", false },
	{ "ldap", "pool_retry_max", "3", false },
	{ "ldap", "pool_retry_delay", "0.1", false },
	{ "ldap", "pool_connection_timeout", "-1", false },
	{ "ldap", "pool_connection_lifetime", "600", false },
	{ "ldap", "use_auth_pool", "true", false },
	{ "ldap", "auth_pool_size", "100", false },
	{ "ldap", "auth_pool_connection_lifetime", "60", false },
	{ "ldap", "password", NULL, true },
};

#define SECURITY_COMPLIANCE "security_compliance"

static int invalid(struct err *err, const char *reason)
{
	return err_set(err, ERR_FORBIDDEN, "Invalid domain specific configuration: %s.", reason);
}

static bool group_known(const char *group)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_opts); i++)
		if (strcmp(config_opts[i].group, group) == 0)
			return true;
	return false;
}

static const struct config_opt *opt_find(const char *group, const char *option)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_opts); i++)
		if (strcmp(config_opts[i].group, group) == 0 &&
		    strcmp(config_opts[i].option, option) == 0)
			return &config_opts[i];
	return NULL;
}

static bool opt_sensitive(const char *group, const char *option)
{
	const struct config_opt *o = opt_find(group, option);

	return o != NULL && o->sensitive;
}

/* Keystone's _assert_valid_group_and_option: a supported group, and option within it. */
static int check_group_option(struct req *rq, const char *group, const char *option,
			      struct err *err)
{
	if (group == NULL)
		return 0;
	if (!group_known(group))
		return invalid(err, req_printf(rq, "Group %s is not supported for domain "
						   "specific configurations",
					       group));
	if (option != NULL && opt_find(group, option) == NULL)
		return invalid(err, req_printf(rq, "Option %s in group %s is not supported "
						   "for domain specific configurations",
					       option, group));
	return 0;
}

/* Keystone's _assert_valid_config: something given, each group a non-empty object of
 * supported options. */
static int check_config(struct req *rq, const json_t *config, struct err *err)
{
	const char *group, *option;
	json_t *opts, *value;

	if (json_object_size(config) == 0)
		return invalid(err, "No options specified");
	json_object_foreach((json_t *)config, group, opts) {
		if (!json_is_object(opts) || json_object_size(opts) == 0)
			return invalid(err, req_printf(rq, "The value of group %s specified in "
							   "the config should be a dictionary "
							   "of options",
						       group));
		json_object_foreach(opts, option, value) {
			if (check_group_option(rq, group, option, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* The request's "config" object (borrowed), 400 when the body or it is not an object. */
static json_t *config_input(struct req *rq, struct err *err)
{
	json_t *body = req_json(rq, err), *config;

	if (body == NULL)
		return NULL;
	config = json_object_get(body, "config");
	if (config == NULL) {
		invalid(err, "No options specified");
		return NULL;
	}
	if (!json_is_object(config)) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for field 'config': not of type 'object'");
		return NULL;
	}
	return config;
}

static int not_found(struct err *err, const char *domain_id, const char *group,
		     const char *option)
{
	if (option != NULL)
		return err_set(err, ERR_NOT_FOUND,
			       "Could not find option %s in group %s in domain configuration "
			       "for domain %s.",
			       option, group, domain_id);
	if (group != NULL)
		return err_set(err, ERR_NOT_FOUND,
			       "Could not find group %s in domain configuration for domain %s.",
			       group, domain_id);
	return err_set(err, ERR_NOT_FOUND,
		       "Could not find any options in domain configuration for domain %s.",
		       domain_id);
}

/* {"config": <config>} or, for one option, {"config": {"<option>": value}}. */
static void reply_config(struct req *rq, int status, json_t *config, const char *group,
			 const char *option)
{
	json_t *out = config;

	if (option != NULL) {
		out = json_pack("{s:O}", option,
				json_object_get(json_object_get(config, group), option));
		json_decref(config);
	}
	reply_json(rq, status, json_pack("{s:o}", "config", out));
}

/* GET .../config/security_compliance[/{option}]: the default domain's password rules,
 * readable with any token (users need them to choose a password). */
static int security_compliance(struct req *rq, const char *domain_id, const char *option,
			       struct err *err)
{
	json_t *group;

	if (!str_eq(domain_id, DEFAULT_DOMAIN))
		return invalid(err, "Reading security compliance information for any domain "
				    "other than the default domain is not allowed or supported");
	if (option != NULL && !str_eq(option, "password_regex") &&
	    !str_eq(option, "password_regex_description"))
		return invalid(err, "Reading security compliance values other than "
				    "password_regex and password_regex_description is not "
				    "allowed");
	group = json_object();
	if (option == NULL || str_eq(option, "password_regex"))
		jsonx_set_str_or_null(group, "password_regex", conf.password_regex);
	if (option == NULL || str_eq(option, "password_regex_description"))
		jsonx_set_str_or_null(group, "password_regex_description",
				      conf.password_regex_description);
	if (option != NULL) {
		reply_json(rq, 200, json_pack("{s:{s:O}}", "config", option,
					      json_object_get(group, option)));
		json_decref(group);
		return 0;
	}
	reply_json(rq, 200, json_pack("{s:{s:o}}", "config", SECURITY_COMPLIANCE, group));
	return 0;
}

static const char *forbidden_msg = "You are not authorized to perform the requested "
				   "action: identity:get_domain_config.";

static int config_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "domain_id");
	const char *group = req_param(rq, "group"), *option = req_param(rq, "option");
	json_t *config;

	if (db == NULL)
		return -1;
	if (str_eq(group, SECURITY_COMPLIANCE)) {
		if (ident_domain_check(db, id, err) < 0)
			return -1;
		return security_compliance(rq, id, option, err);
	}
	/* the route asks only for a token (for security_compliance); the rest is for
	 * admins and system readers */
	if (!ident_is_admin(rq) &&
	    !(ident_caller(rq)->scope == SCOPE_SYSTEM && ident_has_role(rq, "reader")))
		return err_set(err, ERR_FORBIDDEN, "%s", forbidden_msg);
	if (ident_domain_check(db, id, err) < 0 ||
	    check_group_option(rq, group, option, err) < 0)
		return -1;
	if ((config = ident_domain_config_read(db, id, group, option, false, err)) == NULL)
		return -1;
	if (json_object_size(config) == 0) {
		json_decref(config);
		return not_found(err, id, group, option);
	}
	reply_config(rq, 200, config, group, option);
	return 0;
}

/* PUT /v3/domains/{domain_id}/config: replaces the whole config; 201 when the domain had
 * none, 200 when it replaced one. */
static int config_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "domain_id");
	json_t *config, *out;
	int before;

	if (db == NULL || ident_domain_check(db, id, err) < 0 ||
	    (config = config_input(rq, err)) == NULL || check_config(rq, config, err) < 0)
		return -1;
	before = ident_domain_config_write(db, id, config, true, opt_sensitive, err);
	if (before < 0 || (out = ident_domain_config_read(db, id, NULL, NULL, false, err)) == NULL)
		return -1;
	reply_config(rq, before > 0 ? 200 : 201, out, NULL, NULL);
	return 0;
}

/* PATCH .../config[/{group}[/{option}]]: merges options into the config. With a group (an
 * option) in the path, the body holds that group (option) only, and it must already be
 * set, as an update in Keystone's sense. */
static int config_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "domain_id");
	const char *group = req_param(rq, "group"), *option = req_param(rq, "option");
	json_t *config, *update, *current, *out;
	int rc;

	if (db == NULL || ident_domain_check(db, id, err) < 0 ||
	    (config = config_input(rq, err)) == NULL)
		return -1;
	update = option != NULL ? json_pack("{s:O}", group, config) : json_incref(config);
	rc = check_config(rq, update, err);
	if (rc == 0)
		rc = check_group_option(rq, group, option, err);
	if (rc == 0 && group != NULL) {
		json_t *g = json_object_get(update, group);
		if (json_object_size(update) != 1 ||
		    (option != NULL && json_object_size(g) != 1)) {
			rc = option != NULL
				     ? invalid(err, req_printf(rq, "Trying to update option %s in "
								   "group %s, so that, and only "
								   "that, option must be "
								   "specified  in the config",
							       option, group))
				     : invalid(err, req_printf(rq, "Trying to update group %s, so "
								   "that, and only that, group "
								   "must be specified in the "
								   "config",
							       group));
		} else if (g == NULL) {
			void *it = json_object_iter(update);
			rc = invalid(err, req_printf(rq, "request to update group %s, but config "
							 "provided contains group %s instead",
						     group, json_object_iter_key(it)));
		} else if (option != NULL && json_object_get(g, option) == NULL) {
			void *it = json_object_iter(g);
			rc = invalid(err, req_printf(rq, "Trying to update option %s in group "
							 "%s, but config provided contains "
							 "option %s instead",
						     option, group, json_object_iter_key(it)));
		}
	}
	if (rc == 0 && group != NULL) {
		current = ident_domain_config_read(db, id, group, option, true, err);
		if (current == NULL)
			rc = -1;
		else if (json_object_size(current) == 0)
			rc = not_found(err, id, group, option);
		json_decref(current);
	}
	if (rc == 0 && ident_domain_config_write(db, id, update, false, opt_sensitive, err) < 0)
		rc = -1;
	json_decref(update);
	if (rc < 0 || (out = ident_domain_config_read(db, id, NULL, NULL, false, err)) == NULL)
		return -1;
	if (json_object_size(out) == 0) {
		json_decref(out);
		return not_found(err, id, NULL, NULL);
	}
	reply_config(rq, 200, out, NULL, NULL);
	return 0;
}

/* DELETE .../config[/{group}[/{option}]]: the whole config (even none), or a group or
 * option that must be set. */
static int config_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "domain_id");
	const char *group = req_param(rq, "group"), *option = req_param(rq, "option");
	int rc;

	if (db == NULL || ident_domain_check(db, id, err) < 0 ||
	    check_group_option(rq, group, option, err) < 0)
		return -1;
	if ((rc = ident_domain_config_delete(db, id, group, option, err)) < 0)
		return -1;
	if (rc == 0 && group != NULL)
		return not_found(err, id, group, option);
	reply_empty(rq, 204);
	return 0;
}

/* GET /v3/domains/config[/{group}[/{option}]]/default: Keystone's defaults of the options
 * a domain may set (sensitive ones have none to show). */
static int config_default(struct req *rq, struct err *err)
{
	const char *group = req_param(rq, "group"), *option = req_param(rq, "option");
	const struct config_opt *o;
	json_t *config;

	if (check_group_option(rq, group, option, err) < 0)
		return -1;
	if (option != NULL) {
		o = opt_find(group, option);
		if (o->sensitive)
			return invalid(err, req_printf(rq, "Reading the default for option %s "
							   "in group %s is not supported",
						       option, group));
		reply_json(rq, 200,
			   json_pack("{s:{s:o}}", "config", option,
				     json_loads(o->def, JSON_DECODE_ANY, NULL)));
		return 0;
	}
	config = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(config_opts); i++) {
		json_t *g;

		o = &config_opts[i];
		if (o->sensitive || (group != NULL && strcmp(o->group, group) != 0))
			continue;
		if ((g = json_object_get(config, o->group)) == NULL) {
			g = json_object();
			json_object_set_new(config, o->group, g);
		}
		json_object_set_new(g, o->option, json_loads(o->def, JSON_DECODE_ANY, NULL));
	}
	reply_json(rq, 200, json_pack("{s:o}", "config", config));
	return 0;
}

const struct route ident_domain_config_routes[] = {
	{ HTTP_GET, "/v3/domains/config/default", config_default,
	  "identity:get_domain_config_default" },
	{ HTTP_GET, "/v3/domains/config/{group}/default", config_default,
	  "identity:get_domain_config_default" },
	{ HTTP_GET, "/v3/domains/config/{group}/{option}/default", config_default,
	  "identity:get_domain_config_default" },
	{ HTTP_PUT, "/v3/domains/{domain_id}/config", config_create,
	  "identity:create_domain_config" },
	{ HTTP_GET, "/v3/domains/{domain_id}/config", config_show,
	  "identity:get_domain_config" },
	{ HTTP_PATCH, "/v3/domains/{domain_id}/config", config_update,
	  "identity:update_domain_config" },
	{ HTTP_DELETE, "/v3/domains/{domain_id}/config", config_delete,
	  "identity:delete_domain_config" },
	{ HTTP_GET, "/v3/domains/{domain_id}/config/{group}", config_show,
	  "identity:get_domain_config_group" },
	{ HTTP_PATCH, "/v3/domains/{domain_id}/config/{group}", config_update,
	  "identity:update_domain_config" },
	{ HTTP_DELETE, "/v3/domains/{domain_id}/config/{group}", config_delete,
	  "identity:delete_domain_config" },
	{ HTTP_GET, "/v3/domains/{domain_id}/config/{group}/{option}", config_show,
	  "identity:get_domain_config_group" },
	{ HTTP_PATCH, "/v3/domains/{domain_id}/config/{group}/{option}", config_update,
	  "identity:update_domain_config" },
	{ HTTP_DELETE, "/v3/domains/{domain_id}/config/{group}/{option}", config_delete,
	  "identity:delete_domain_config" },
	{ 0 },
};

/* identity:get_domain_config_group stands for Keystone's get_domain_config and
 * get_security_compliance_domain_config, which share these paths: config_show decides. */
const struct policy ident_domain_config_policies[] = {
	{ "identity:get_domain_config_default", POL_READER },
	{ "identity:create_domain_config", POL_ADMIN },
	{ "identity:get_domain_config", POL_READER },
	{ "identity:get_domain_config_group", POL_TOKEN },
	{ "identity:update_domain_config", POL_ADMIN },
	{ "identity:delete_domain_config", POL_ADMIN },
	{ NULL, 0 },
};
