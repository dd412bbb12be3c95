/* ciel keys setup|rotate, ciel config show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/conf.h"
#include "core/err.h"
#include "core/util.h"
#include "identity/identity.h"

static int load(int argc, char **argv)
{
	const char *ov[4] = { NULL };

	if (argc == 4 && strcmp(argv[2], "--state-dir") == 0) {
		ov[0] = "DEFAULT";
		ov[1] = "state_dir";
		ov[2] = argv[3];
	} else if (argc != 2) {
		return -1;
	}
	return cmd_load_config(ov);
}

int cmd_keys(int argc, char **argv)
{
	struct err err = { 0 };
	char *dir;
	int rc;

	if (argc < 2 || (strcmp(argv[1], "setup") && strcmp(argv[1], "rotate")) ||
	    load(argc, argv) < 0) {
		fprintf(stderr, "usage: ciel keys setup|rotate [--state-dir DIR]\n");
		return 2;
	}
	dir = xasprintf("%s/fernet-keys", conf.state_dir);
	if (strcmp(argv[1], "setup") == 0)
		rc = ident_keys_setup(dir, &err);
	else
		rc = ident_keys_rotate(dir, conf.max_active_keys, &err);
	if (rc < 0)
		fprintf(stderr, "ciel: keys %s: %s\n", argv[1], err.msg);
	free(dir);
	conf_free();
	return rc < 0 ? 1 : 0;
}

int cmd_config(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "show") != 0 || load(argc, argv) < 0) {
		fprintf(stderr, "usage: ciel config show [--state-dir DIR]\n");
		return 2;
	}
	conf_show(stdout);
	conf_free();
	return 0;
}
