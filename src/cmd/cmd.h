#ifndef CIEL_CMD_H
#define CIEL_CMD_H

/* Subcommands of the ciel binary; each returns the process exit status. */

int cmd_up(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_bootstrap(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_routes(int argc, char **argv);

/* Shared by the subcommands: reads /etc/ciel/ciel.conf (or $CIEL_CONFIG), then
 * <state_dir>/ciel.conf, then the command line's overrides ("section", "key", "value"
 * triplets, NULL-terminated), and derives the rest. */
int cmd_load_config(const char *const *overrides);
int cmd_open_db(void);

#endif
