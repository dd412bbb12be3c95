/* ciel: one binary, one subcommand per job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/util.h"
#include "identity/identity.h"
#include "image/image.h"
#include "network/network.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "up", cmd_up, "run the all-in-one cloud in the foreground" },
	{ "serve", cmd_serve, "run the API services (control plane)" },
	{ "db", cmd_db, "db migrate: apply the schema migrations" },
	{ "bootstrap", cmd_bootstrap, "create the admin/demo users, roles and catalog" },
	{ "keys", cmd_keys, "keys setup|rotate|credential-rotate: manage the key repositories" },
	{ "config", cmd_config, "config show: print the effective configuration" },
	{ "routes", cmd_routes, "print every route with its policy, as JSON" },
};

static void usage(FILE *out)
{
	fputs("usage: ciel <command> [options]\n\ncommands:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("  version    print the version\n", out);
}

int cmd_load_config(const char *const *overrides)
{
	struct err err = { 0 };
	const char *path = getenv("CIEL_CONFIG");
	char *local;
	int rc;

	conf_defaults();
	if (conf_load(path ? path : "/etc/ciel/ciel.conf", path == NULL, &err) < 0)
		goto fail;
	for (const char *const *o = overrides; o && *o; o += 3)
		if (conf_set(o[0], o[1], o[2], &err) < 0)
			goto fail;
	local = xasprintf("%s/ciel.conf", conf.state_dir);
	rc = conf_load(local, 1, &err);
	free(local);
	if (rc < 0)
		goto fail;
	/* the command line wins over the state directory's file too */
	for (const char *const *o = overrides; o && *o; o += 3)
		if (conf_set(o[0], o[1], o[2], &err) < 0)
			goto fail;
	conf_finish();
	return 0;
fail:
	fprintf(stderr, "ciel: %s\n", err.msg);
	return -1;
}

int cmd_open_db(void)
{
	struct err err = { 0 };

	if (db_init(conf.db_connection, &err) < 0 || db_migrate(ident_migrations, &err) < 0 ||
	    db_migrate(image_migrations, &err) < 0 || db_migrate(net_migrations, &err) < 0) {
		fprintf(stderr, "ciel: database: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* state, keys, logs and sockets are ciel's alone: files 0600, directories 0700 */
	umask(077);
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("ciel %s\n", CIEL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ciel: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
