#include "core/conf.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

struct conf conf;

enum conf_type { CT_STR, CT_INT };

struct conf_key {
	const char *section;
	const char *key;
	enum conf_type type;
	size_t offset;
	const char *def;
	long min, max;
	int secret;
};

#define S(sec, k, field, d) { sec, k, CT_STR, offsetof(struct conf, field), d, 0, 0, 0 }
#define I(sec, k, field, d, lo, hi) { sec, k, CT_INT, offsetof(struct conf, field), d, lo, hi, 0 }

static const struct conf_key keys[] = {
	S("DEFAULT", "state_dir", state_dir, "/var/lib/ciel"),
	S("DEFAULT", "listen", listen, "127.0.0.1:8080"),
	S("DEFAULT", "public_url", public_url, ""),
	S("DEFAULT", "log_level", log_level, "info"),
	S("DEFAULT", "log_file", log_file, ""),
	I("DEFAULT", "workers", workers, "8", 1, 256),
	I("DEFAULT", "max_request_body_size", max_request_body_size, "1048576", 1024,
	  1 << 30),
	S("DEFAULT", "region", region, "RegionOne"),
	S("database", "connection", db_connection, ""),
	I("identity", "token_expiration", token_expiration, "3600", 60, 31536000),
	I("identity", "password_hash_rounds", password_hash_rounds, "12", 4, 31),
	I("identity", "max_active_keys", max_active_keys, "3", 2, 100),
	I("identity", "list_limit", list_limit, "0", 0, 100000),
	{ "identity", "admin_password", CT_STR, offsetof(struct conf, admin_password),
	  "", 0, 0, 1 },
	{ "identity", "demo_password", CT_STR, offsetof(struct conf, demo_password),
	  "", 0, 0, 1 },
	I("security_compliance", "lockout_failure_attempts", lockout_failure_attempts, "0", 0,
	  1000000),
	I("security_compliance", "lockout_duration", lockout_duration, "1800", 0, 31536000),
	I("security_compliance", "unique_last_password_count", unique_last_password_count, "0",
	  0, 1000),
	I("security_compliance", "minimum_password_age", minimum_password_age, "0", 0, 36500),
	I("security_compliance", "password_expires_days", password_expires_days, "0", 0, 36500),
	S("security_compliance", "password_regex", password_regex, ""),
	S("security_compliance", "password_regex_description", password_regex_description, ""),
	I("image", "image_count_total", image_count_total, "-1", -1, INT_MAX),
	I("image", "image_count_uploading", image_count_uploading, "-1", -1, INT_MAX),
	I("image", "image_size_total", image_size_total, "-1", -1, INT_MAX),
	I("image", "image_stage_total", image_stage_total, "-1", -1, INT_MAX),
	S("image", "test_image_path", test_image_path, ""),
	S("network", "driver", net_driver, "linuxbridge"),
	S("network", "public_cidr", net_public_cidr, "172.24.4.0/24"),
	I("network", "vni_min", net_vni_min, "1", 1, 16777215),
	I("network", "vni_max", net_vni_max, "1000", 1, 16777215),
	{ "network", "metadata_proxy_shared_secret", CT_STR,
	  offsetof(struct conf, net_metadata_secret), "", 0, 0, 1 },
	I("network", "quota_network", net_quota_network, "100", -1, INT_MAX),
	I("network", "quota_subnet", net_quota_subnet, "100", -1, INT_MAX),
	I("network", "quota_port", net_quota_port, "500", -1, INT_MAX),
	I("network", "quota_router", net_quota_router, "10", -1, INT_MAX),
	I("network", "quota_floatingip", net_quota_floatingip, "50", -1, INT_MAX),
	I("network", "quota_security_group", net_quota_security_group, "10", -1, INT_MAX),
	I("network", "quota_security_group_rule", net_quota_security_group_rule, "100", -1,
	  INT_MAX),
	I("network", "quota_subnetpool", net_quota_subnetpool, "-1", -1, INT_MAX),
};

static const struct conf_key *find_key(const char *section, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static int set_value(const struct conf_key *k, const char *value, const char **why)
{
	void *field = (char *)&conf + k->offset;

	if (k->type == CT_STR) {
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0') {
		*why = "not an integer";
		return -1;
	}
	if (v < k->min || v > k->max) {
		*why = "out of range";
		return -1;
	}
	*(int *)field = (int)v;
	return 0;
}

void conf_defaults(void)
{
	const char *why;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		BUG_ON(set_value(&keys[i], keys[i].def, &why) < 0);
}

/* inih reports the line of the first key the handler refused: the handler keeps the
 * reason, conf_load prefixes "file:line". */
struct load_ctx {
	char why[200];
};

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	const struct conf_key *k = find_key(section, name);
	const char *why = NULL;

	if (ctx->why[0] != '\0')
		return 1;
	if (k == NULL) {
		snprintf(ctx->why, sizeof(ctx->why), "unknown key [%s] %s", section, name);
		return 0;
	}
	if (set_value(k, value, &why) < 0) {
		snprintf(ctx->why, sizeof(ctx->why), "[%s] %s: %s", section, name, why);
		return 0;
	}
	return 1;
}

int conf_load(const char *path, int optional, struct err *err)
{
	struct load_ctx ctx = { "" };
	FILE *f = fopen(path, "re");
	int rc;

	if (f == NULL) {
		if (optional && errno == ENOENT)
			return 0;
		return err_set(err, ERR_BAD_REQUEST, "%s: %s", path, strerror(errno));
	}
	rc = ini_parse_file(f, on_key, &ctx);
	fclose(f);
	if (rc != 0)
		return err_set(err, ERR_BAD_REQUEST, "%s:%d: %s", path, rc,
			       ctx.why[0] ? ctx.why : "syntax error");
	return 0;
}

int conf_set(const char *section, const char *key, const char *value, struct err *err)
{
	const struct conf_key *k = find_key(section, key);
	const char *why = NULL;

	if (k == NULL)
		return err_set(err, ERR_BAD_REQUEST, "unknown key [%s] %s", section, key);
	if (set_value(k, value, &why) < 0)
		return err_set(err, ERR_BAD_REQUEST, "[%s] %s: %s", section, key, why);
	return 0;
}

void conf_finish(void)
{
	if (conf.db_connection[0] == '\0') {
		free(conf.db_connection);
		conf.db_connection = xasprintf("sqlite://%s/ciel.db", conf.state_dir);
	}
	if (conf.log_file[0] == '\0') {
		free(conf.log_file);
		conf.log_file = xasprintf("%s/ciel.log", conf.state_dir);
	}
	if (conf.public_url[0] == '\0') {
		free(conf.public_url);
		const char *l = conf.listen;
		if (strncmp(l, "0.0.0.0:", 8) == 0)
			conf.public_url = xasprintf("http://127.0.0.1:%s", l + 8);
		else
			conf.public_url = xasprintf("http://%s", l);
	}
	size_t n = strlen(conf.public_url);
	while (n > 0 && conf.public_url[n - 1] == '/')
		conf.public_url[--n] = '\0';
}

void conf_show(FILE *out)
{
	const char *section = "";

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct conf_key *k = &keys[i];
		void *field = (char *)&conf + k->offset;
		if (strcmp(section, k->section) != 0) {
			fprintf(out, "%s[%s]\n", i ? "\n" : "", k->section);
			section = k->section;
		}
		if (k->secret)
			fprintf(out, "%s = %s\n", k->key, **(char **)field ? "****" : "");
		else if (k->type == CT_STR)
			fprintf(out, "%s = %s\n", k->key, *(char **)field);
		else
			fprintf(out, "%s = %d\n", k->key, *(int *)field);
	}
}

void conf_free(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].type == CT_STR) {
			char **f = (char **)((char *)&conf + keys[i].offset);
			free(*f);
			*f = NULL;
		}
}
