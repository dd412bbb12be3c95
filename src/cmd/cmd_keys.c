/* ciel keys setup|rotate|credential-rotate, ciel config show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/conf.h"
#include "core/db.h"
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

/* The token keys (fernet-keys) rotate often; the credential keys (credential-keys) encrypt
 * the secrets stored in the database, so their rotation encrypts those again. */
int cmd_keys(int argc, char **argv)
{
	struct err err = { 0 };
	char *dir, *cred_dir;
	int rc;

	if (argc < 2 ||
	    (strcmp(argv[1], "setup") && strcmp(argv[1], "rotate") &&
	     strcmp(argv[1], "credential-rotate")) ||
	    load(argc, argv) < 0) {
		fprintf(stderr,
			"usage: ciel keys setup|rotate|credential-rotate [--state-dir DIR]\n");
		return 2;
	}
	dir = xasprintf("%s/fernet-keys", conf.state_dir);
	cred_dir = xasprintf("%s/credential-keys", conf.state_dir);
	if (strcmp(argv[1], "setup") == 0) {
		rc = ident_keys_setup(dir, &err);
		if (rc == 0)
			rc = ident_keys_setup(cred_dir, &err);
	} else if (strcmp(argv[1], "rotate") == 0) {
		rc = ident_keys_rotate(dir, conf.max_active_keys, &err);
	} else {
		rc = cmd_open_db();
		if (rc == 0)
			rc = ident_credential_keys_rotate(cred_dir, conf.max_active_keys, &err);
		db_close_all();
	}
	if (rc < 0 && err.msg[0] != '\0')
		fprintf(stderr, "ciel: keys %s: %s\n", argv[1], err.msg);
	free(cred_dir);
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
