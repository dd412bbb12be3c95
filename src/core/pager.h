#ifndef CIEL_PAGER_H
#define CIEL_PAGER_H

/* limit/marker pagination and sort_key/sort_dir parsing, as the OpenStack list APIs take
 * them. Lists fetch limit+1 rows: the extra row says whether a 'next' link is due. */

#include <stdbool.h>

struct req;
struct err;

struct pager {
	int limit;          /* rows to return */
	const char *marker; /* id of the last row of the previous page, or NULL */
};

struct sort_key {
	const char *key;
	bool desc;
};

/* Reads ?limit= and ?marker=. A limit above 'max' is lowered to 'max'; a negative or
 * non-numeric one is a 400. 'def' applies when no limit is given. */
int pager_parse(struct req *rq, int def, int max, struct pager *pg, struct err *err);

/* Parses "sort_key"/"sort_dir" pairs (repeated or comma-separated) against the allowed
 * keys; returns how many keys were read (0..max) or -1 with a 400. */
int pager_parse_sort(const char *keys, const char *dirs, const char *const *allowed,
		     struct sort_key *out, int max, struct err *err);

/* Parses a decimal limit value; -1 if it is not a non-negative integer. */
int pager_parse_int(const char *s);

#endif
