#ifndef CIEL_CONF_H
#define CIEL_CONF_H

/* Configuration: an INI file in oslo.config style ([DEFAULT], [database], [identity]...).
 * One keyword table (conf.c) drives parsing, defaults, bounds and `ciel config show`; every
 * key has a default so `ciel up` runs with no file at all. */

#include <stdio.h>

struct err;

struct conf {
	/* [DEFAULT] */
	char *state_dir;
	char *listen;       /* ADDR:PORT */
	char *public_url;   /* base URL in the catalog; empty: http://<listen> */
	char *log_level;
	char *log_file;     /* empty: <state_dir>/ciel.log; "-": stderr */
	int workers;        /* HTTP threads */
	int max_request_body_size;
	char *region;
	/* [database] */
	char *db_connection; /* empty: sqlite://<state_dir>/ciel.db */
	/* [identity] */
	int token_expiration;
	int password_hash_rounds;
	int max_active_keys;
	int list_limit;
	char *admin_password;
	char *demo_password;
	/* [security_compliance], as Keystone's: 0 (or empty) turns each rule off */
	int lockout_failure_attempts; /* failed password auths before the account locks */
	int lockout_duration;         /* seconds a lock lasts (0: until an admin unlocks) */
	int unique_last_password_count; /* a new password differs from the last N */
	int minimum_password_age;     /* days before a user may change its password again */
	int password_expires_days;    /* days a password is valid */
	char *password_regex;         /* POSIX extended regex new passwords must match */
	char *password_regex_description;
	/* [image] per-project quotas as Glance's unified limits name them (-1: unlimited) */
	int image_count_total;     /* images a project owns */
	int image_count_uploading; /* images being uploaded or imported at once */
	int image_size_total;      /* MiB of image data a project stores */
	int image_stage_total;     /* MiB of data a project has staged for import */
	char *test_image_path;     /* the test guest `ciel up` registers; empty: found */
	/* [network] */
	char *net_driver;          /* data plane: linuxbridge or noop */
	char *net_public_cidr;     /* subnet of the external network `ciel up` creates */
	int net_vni_min, net_vni_max; /* VXLAN ids of tenant networks */
	char *net_metadata_secret; /* metadata proxy -> handler; empty: random per process */
	/* Neutron's default quotas per project (-1: unlimited) */
	int net_quota_network, net_quota_subnet, net_quota_port, net_quota_router,
		net_quota_floatingip, net_quota_security_group, net_quota_security_group_rule,
		net_quota_subnetpool;
};

extern struct conf conf;

/* Fills 'conf' with defaults. */
void conf_defaults(void);
/* Reads 'path' over the current values; a missing file is not an error when 'optional'.
 * Errors read "file:line: message". */
int conf_load(const char *path, int optional, struct err *err);
/* Sets one key ("section.key" or "key" for DEFAULT) from a command-line value. */
int conf_set(const char *section, const char *key, const char *value, struct err *err);
/* Derives the values that depend on others (paths under state_dir, public_url). */
void conf_finish(void);
void conf_show(FILE *out);
void conf_free(void);

#endif
