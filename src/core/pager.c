#include "core/pager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/http.h"

int pager_parse_int(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < 0 || v > 1000000000)
		return -1;
	return (int)v;
}

int pager_parse(struct req *rq, int def, int max, struct pager *pg, struct err *err)
{
	const char *l = req_query(rq, "limit");

	pg->limit = def;
	pg->marker = req_query(rq, "marker");
	if (l != NULL) {
		int v = pager_parse_int(l);
		if (v < 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "limit must be a non-negative integer");
		pg->limit = v;
	}
	if (pg->limit > max)
		pg->limit = max;
	return 0;
}

static int next_token(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n;

	if (s == NULL || *s == '\0')
		return 0;
	n = strcspn(s, ",");
	if (n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s[n] ? s + n + 1 : s + n;
	return 1;
}

int pager_parse_sort(const char *keys, const char *dirs, const char *const *allowed,
		     struct sort_key *out, int max, struct err *err)
{
	char key[64], dir[16];
	int n = 0, r;

	while ((r = next_token(&keys, key, sizeof(key))) > 0) {
		const char *const *a = allowed;
		if (n >= max)
			return err_set(err, ERR_BAD_REQUEST, "Too many sort keys");
		while (*a && strcmp(*a, key) != 0)
			a++;
		if (*a == NULL)
			return err_set(err, ERR_BAD_REQUEST, "Invalid sort key: %s", key);
		out[n].key = *a;
		out[n].desc = false;
		int d = next_token(&dirs, dir, sizeof(dir));
		if (d < 0)
			return err_set(err, ERR_BAD_REQUEST, "Invalid sort direction");
		if (d > 0) {
			if (strcmp(dir, "desc") == 0)
				out[n].desc = true;
			else if (strcmp(dir, "asc") != 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid sort direction: %s", dir);
		} else if (n > 0) {
			out[n].desc = out[n - 1].desc;
		}
		n++;
	}
	if (r < 0)
		return err_set(err, ERR_BAD_REQUEST, "Invalid sort key");
	return n;
}
