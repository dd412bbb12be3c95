#ifndef CIEL_SQLB_H
#define CIEL_SQLB_H

/* A small SQL builder for list queries whose WHERE clause depends on the filters given:
 *     struct sqlb sb;
 *     sqlb_init(&sb, "SELECT id, name FROM project WHERE is_domain = 0");
 *     if (name) sqlb_add(&sb, " AND name = ?", name);
 *     sqlb_add(&sb, " ORDER BY id", NULL);   (a NULL param adds text only)
 *     res = db_query(db, err, sb.sql, sb.params, sb.n);
 *     sqlb_free(&sb);
 * Values are always bound as parameters, never pasted into the text. Parameter strings are
 * borrowed: they must outlive the query. */

#include <stddef.h>

#define SQLB_MAX_PARAMS 32

struct sqlb {
	char *sql;
	size_t len, cap;
	const char *params[SQLB_MAX_PARAMS];
	int n;
};

void sqlb_init(struct sqlb *sb, const char *head);
/* Appends 'text'; when 'param' is not NULL it binds it to the one '?' in 'text'. */
void sqlb_add(struct sqlb *sb, const char *text, const char *param);
/* Appends 'text' that has no placeholder. */
void sqlb_text(struct sqlb *sb, const char *text);
/* Binds one more parameter (for a 'text' with several '?'). */
void sqlb_param(struct sqlb *sb, const char *param);
void sqlb_free(struct sqlb *sb);

#endif
