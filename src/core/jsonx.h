#ifndef CIEL_JSONX_H
#define CIEL_JSONX_H

/* JSON helpers on top of jansson: declarative validation of request objects and a few
 * typed getters. Messages follow the OpenStack services' "Invalid input for field" form. */

#include <jansson.h>
#include <stdbool.h>

struct err;

enum jsonx_type {
	JX_STRING = 1 << 0,
	JX_BOOL = 1 << 1,
	JX_INT = 1 << 2,
	JX_OBJECT = 1 << 3,
	JX_ARRAY = 1 << 4,
	JX_NULL = 1 << 5, /* null allowed */
};

struct jsonx_field {
	const char *name;
	unsigned int types;   /* JX_* mask */
	bool required;
	int max_len;          /* strings: max characters (0: no limit) */
	int min_len;          /* strings: min characters */
};

/* Checks 'obj' against 'fields'. Unknown keys are refused unless 'allow_extra'.
 * Returns 0, or -1 with a 400 in err. */
int jsonx_validate(const json_t *obj, const struct jsonx_field *fields, bool allow_extra,
		   struct err *err);

/* The object under 'key' of the body ({"project": {...}}), 400 if missing or not an
 * object. Borrowed. */
json_t *jsonx_member_object(json_t *body, const char *key, struct err *err);

/* Borrowed string at 'key', NULL if absent or not a string. */
const char *jsonx_str(const json_t *obj, const char *key);
/* Boolean at 'key', 'def' if absent. */
bool jsonx_bool(const json_t *obj, const char *key, bool def);

/* Adds 'key': string or null. */
void jsonx_set_str_or_null(json_t *obj, const char *key, const char *val);

/* Counts UTF-8 characters. */
size_t jsonx_utf8_len(const char *s);

#endif
