/* ciel up (all-in-one) and ciel serve (API only): load config, open the database, start
 * the services and wait for SIGINT/SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "main"
#include "cmd/cmd.h"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/health.h"
#include "core/http.h"
#include "core/log.h"
#include "core/util.h"
#include "identity/identity.h"
#include "image/image.h"
#include "network/network.h"

struct up_opts {
	const char *overrides[3 * 8 + 1];
	int n;
	const char *admin_password;
};

static void add(struct up_opts *o, const char *section, const char *key, const char *value)
{
	BUG_ON(o->n + 3 >= (int)ARRAY_SIZE(o->overrides));
	o->overrides[o->n++] = section;
	o->overrides[o->n++] = key;
	o->overrides[o->n++] = value;
	o->overrides[o->n] = NULL;
}

static int parse(int argc, char **argv, struct up_opts *o)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "admin-password", required_argument, NULL, 'p' },
		{ "log-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:l:p:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			add(o, "DEFAULT", "state_dir", optarg);
			break;
		case 'l':
			add(o, "DEFAULT", "listen", optarg);
			break;
		case 'p':
			o->admin_password = optarg;
			break;
		case 'f':
			add(o, "DEFAULT", "log_file", optarg);
			break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: ciel %s [--state-dir DIR] [--listen ADDR:PORT]"
				" [--admin-password P] [--log-file PATH|-]\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ciel %s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return 2;
	}
	return -1;
}

static char *random_password(void)
{
	unsigned char b[18];
	char *s = xmalloc(32);

	util_random(b, sizeof(b));
	util_b64url_encode(b, sizeof(b), s, false);
	return s;
}

/* First run: generate the admin and demo passwords and keep them in the state directory's
 * ciel.conf (mode 0600) so later runs reuse them. */
static int ensure_passwords(const char *admin_override)
{
	char *path, *old, *text, *admin = NULL, *demo = NULL;
	int rc = 0;

	if (conf.admin_password[0] != '\0' && conf.demo_password[0] != '\0' &&
	    (admin_override == NULL || strcmp(admin_override, conf.admin_password) == 0))
		return 0;
	admin = admin_override ? xstrdup(admin_override)
			       : conf.admin_password[0] ? xstrdup(conf.admin_password)
							: random_password();
	demo = conf.demo_password[0] ? xstrdup(conf.demo_password) : random_password();
	path = xasprintf("%s/ciel.conf", conf.state_dir);
	old = util_read_file(path, NULL);
	text = xasprintf("%s%s[identity]\nadmin_password = %s\ndemo_password = %s\n",
			 old ? old : "", old && *old ? "\n" : "", admin, demo);
	if (util_write_file(path, text, strlen(text), 0600) < 0) {
		fprintf(stderr, "ciel: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	struct err err = { 0 };
	conf_set("identity", "admin_password", admin, &err);
	conf_set("identity", "demo_password", demo, &err);
	explicit_bzero(text, strlen(text));
	free(text);
	free(old);
	free(path);
	free(admin);
	free(demo);
	return rc;
}

static int write_clouds_yaml(void)
{
	char *path = xasprintf("%s/clouds.yaml", conf.state_dir);
	char *text = xasprintf(
		"clouds:\n"
		"  ciel-admin:\n"
		"    auth:\n"
		"      auth_url: %s/identity/v3\n"
		"      username: admin\n"
		"      password: \"%s\"\n"
		"      project_name: admin\n"
		"      user_domain_name: Default\n"
		"      project_domain_name: Default\n"
		"    region_name: %s\n"
		"    interface: public\n"
		"    identity_api_version: 3\n"
		"  ciel-demo:\n"
		"    auth:\n"
		"      auth_url: %s/identity/v3\n"
		"      username: demo\n"
		"      password: \"%s\"\n"
		"      project_name: demo\n"
		"      user_domain_name: Default\n"
		"      project_domain_name: Default\n"
		"    region_name: %s\n"
		"    interface: public\n"
		"    identity_api_version: 3\n",
		conf.public_url, conf.admin_password, conf.region, conf.public_url,
		conf.demo_password, conf.region);
	int rc = util_write_file(path, text, strlen(text), 0600);

	if (rc < 0)
		fprintf(stderr, "ciel: cannot write %s: %s\n", path, strerror(errno));
	explicit_bzero(text, strlen(text));
	free(text);
	free(path);
	return rc;
}

static void setup_log(void)
{
	int level = log_parse_level(conf.log_level);

	log_init(level < 0 ? LOG_INFO : (enum log_level)level,
		 strcmp(conf.log_file, "-") == 0 ? NULL : conf.log_file);
}

/* The catalog entries of the services other than identity (bootstrap adds its own). */
static int catalog_services(struct err *err)
{
	char *url = xasprintf("%s/image", conf.public_url);
	int rc = ident_catalog_ensure("image", "glance", url, err);

	free(url);
	if (rc < 0)
		return -1;
	url = xasprintf("%s/network", conf.public_url);
	rc = ident_catalog_ensure("network", "neutron", url, err);
	free(url);
	return rc;
}

/* The test guest (tools/mkimage): [image] test_image_path, else build/images/ in the
 * source tree the binary was built in (<repo>/<build dir>/ciel). */
static char *test_image_path(void)
{
	char exe[4096], *slash;
	ssize_t n;

	if (conf.test_image_path[0] != '\0')
		return xstrdup(conf.test_image_path);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int i = 0; i < 2 && (slash = strrchr(exe, '/')) != NULL; i++)
		*slash = '\0';
	char *path = xasprintf("%s/build/images/ciel-test.qcow2", exe);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* Registers the test guest once as the public image "ciel-test" of project admin, as
 * DevStack registers CirrOS; a cloud without it still comes up. */
static void register_test_guest(void)
{
	struct err err = { 0 };
	char *path = test_image_path(), admin[65];
	int rc;

	if (path == NULL)
		return;
	if (ident_project_id("admin", admin, &err) < 0 ||
	    (rc = image_ensure_file("ciel-test", admin, "qcow2", path, &err)) < 0)
		log_warn("test image %s not registered: %s", path, err.msg);
	else if (rc > 0)
		log_info("test image %s registered as ciel-test", path);
	free(path);
}

/* The external network `public` of the all-in-one cloud (project admin). */
static int make_public_network(struct err *err)
{
	char admin[65];

	if (ident_project_id("admin", admin, err) < 0)
		return -1;
	return net_ensure_public(admin, err);
}

/* The state directory holds the database (credentials, and in its WAL recent writes of any
 * row), keys and the log: 0700, its files 0600, also when an older version made them with
 * wider modes. The process umask (077, set in main) covers what is created from now on. */
static void private_state(void)
{
	static const char *const files[] = { "ciel.db", "ciel.db-wal", "ciel.db-shm", "ciel.log",
					     "ciel.conf", "clouds.yaml" };

	if (chmod(conf.state_dir, 0700) < 0)
		log_warn("cannot make %s private: %s", conf.state_dir, strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = xasprintf("%s/%s", conf.state_dir, files[i]);
		if (chmod(path, 0600) < 0 && errno != ENOENT)
			log_warn("cannot make %s private: %s", path, strerror(errno));
		free(path);
	}
}

static int run(int argc, char **argv, bool all_in_one)
{
	struct up_opts o;
	struct err err = { 0 };
	sigset_t set;
	int rc = parse(argc, argv, &o), sig = 0;

	if (rc >= 0)
		return rc;
	if (cmd_load_config(o.overrides) < 0)
		return 1;
	if (util_mkdir_p(conf.state_dir, 0700) < 0) {
		fprintf(stderr, "ciel: cannot create %s: %s\n", conf.state_dir, strerror(errno));
		return 1;
	}
	private_state();
	setup_log();
	/* threads started from here on inherit the blocked set; main waits for the signal */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = 1;
	if (all_in_one && ensure_passwords(o.admin_password) < 0)
		goto out;
	if (net_prepare(&err) < 0) /* forks the network helper: before any thread starts */
		goto fail;
	if (cmd_open_db() < 0)
		goto out;
	health_register();
	if (ident_init(&err) < 0 || image_init(&err) < 0 || net_init(&err) < 0)
		goto fail;
	if (all_in_one) {
		if (ident_bootstrap(conf.admin_password, conf.demo_password, &err) < 0 ||
		    catalog_services(&err) < 0 || make_public_network(&err) < 0)
			goto fail;
		if (write_clouds_yaml() < 0)
			goto out;
		register_test_guest();
	}
	if (http_start(conf.listen, conf.workers, &err) < 0)
		goto fail;
	log_info("ciel %s listening on %s (state %s)", CIEL_VERSION, conf.listen,
		 conf.state_dir);
	printf("ciel %s is up at %s/identity/v3 (state in %s)\n", CIEL_VERSION,
	       conf.public_url, conf.state_dir);
	if (all_in_one)
		printf("  export OS_CLIENT_CONFIG_FILE=%s/clouds.yaml\n"
		       "  openstack --os-cloud ciel-admin token issue\n",
		       conf.state_dir);
	fflush(stdout);
	sigwait(&set, &sig);
	log_info("signal %d: stopping", sig);
	http_stop();
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "ciel: %s\n", err.msg);
out:
	net_shutdown();
	image_shutdown();
	ident_shutdown();
	db_close_all();
	log_close();
	conf_free();
	return rc;
}

int cmd_up(int argc, char **argv)
{
	return run(argc, argv, true);
}

int cmd_serve(int argc, char **argv)
{
	return run(argc, argv, false);
}
