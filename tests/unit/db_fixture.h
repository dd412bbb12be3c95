/* A throwaway SQLite database for a cmocka group: db_fixture_open makes a temporary
 * directory, opens sqlite://<dir>/t.db and applies 'migrations'; db_fixture_close closes
 * every connection and removes the database, its WAL files and the directory. */
#ifndef CIEL_TESTS_DB_FIXTURE_H
#define CIEL_TESTS_DB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "core/err.h"

static char db_fixture_dir[64];

/* Returns 0, or -1 when the directory or the database cannot be made. */
static inline int db_fixture_open(const struct db_migration *migrations)
{
	struct err err = { 0 };
	char url[128];

	strcpy(db_fixture_dir, "/tmp/ciel-db-XXXXXX");
	if (mkdtemp(db_fixture_dir) == NULL)
		return -1;
	snprintf(url, sizeof(url), "sqlite://%s/t.db", db_fixture_dir);
	if (db_init(url, &err) < 0 || db_migrate(migrations, &err) < 0)
		return -1;
	return 0;
}

static inline int db_fixture_close(void)
{
	char p[128];

	db_close_all();
	for (const char *s = "t.db\0t.db-wal\0t.db-shm\0"; *s; s += strlen(s) + 1) {
		snprintf(p, sizeof(p), "%s/%s", db_fixture_dir, s);
		unlink(p);
	}
	rmdir(db_fixture_dir);
	return 0;
}

#endif
