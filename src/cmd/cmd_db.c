/* ciel db migrate, ciel bootstrap: the control plane's setup steps for multi-host. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "identity/identity.h"

static int state_opts(int argc, char **argv, const char *overrides[4], int first)
{
	overrides[0] = NULL;
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc) {
			overrides[0] = "DEFAULT";
			overrides[1] = "state_dir";
			overrides[2] = argv[++i];
			overrides[3] = NULL;
		} else {
			fprintf(stderr, "ciel: unexpected argument '%s'\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

int cmd_db(int argc, char **argv)
{
	const char *ov[4];

	if (argc < 2 || strcmp(argv[1], "migrate") != 0) {
		fprintf(stderr, "usage: ciel db migrate [--state-dir DIR]\n");
		return 2;
	}
	if (state_opts(argc, argv, ov, 2) < 0 || cmd_load_config(ov) < 0 || cmd_open_db() < 0)
		return 1;
	db_close_all();
	conf_free();
	printf("database is up to date\n");
	return 0;
}

int cmd_bootstrap(int argc, char **argv)
{
	const char *ov[4];
	struct err err = { 0 };
	int rc = 1;

	if (state_opts(argc, argv, ov, 1) < 0 || cmd_load_config(ov) < 0 || cmd_open_db() < 0)
		return 1;
	if (conf.admin_password[0] == '\0' || conf.demo_password[0] == '\0')
		fprintf(stderr, "ciel: set [identity] admin_password and demo_password first\n");
	else if (ident_bootstrap(conf.admin_password, conf.demo_password, &err) < 0)
		fprintf(stderr, "ciel: bootstrap: %s\n", err.msg);
	else
		rc = 0;
	db_close_all();
	conf_free();
	return rc;
}
