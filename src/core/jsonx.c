#include "core/jsonx.h"

#include <string.h>

#include "core/err.h"

static const char *type_name(unsigned int types)
{
	if (types & JX_STRING)
		return "string";
	if (types & JX_BOOL)
		return "boolean";
	if (types & JX_INT)
		return "integer";
	if (types & JX_OBJECT)
		return "object";
	if (types & JX_ARRAY)
		return "array";
	return "null";
}

static bool type_ok(const json_t *v, unsigned int types)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return types & JX_STRING;
	case JSON_TRUE:
	case JSON_FALSE:
		return types & JX_BOOL;
	case JSON_INTEGER:
		return types & JX_INT;
	case JSON_OBJECT:
		return types & JX_OBJECT;
	case JSON_ARRAY:
		return types & JX_ARRAY;
	case JSON_NULL:
		return types & JX_NULL;
	default:
		return false;
	}
}

size_t jsonx_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int jsonx_validate(const json_t *obj, const struct jsonx_field *fields, bool allow_extra,
		   struct err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return err_set(err, ERR_BAD_REQUEST, "Invalid input: expected an object.");
	for (const struct jsonx_field *f = fields; f->name; f++) {
		v = json_object_get(obj, f->name);
		if (v == NULL) {
			if (f->required)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for field '%s': '%s' is a "
					       "required property",
					       f->name, f->name);
			continue;
		}
		if (!type_ok(v, f->types))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field '%s': expected %s%s", f->name,
				       type_name(f->types), f->types & JX_NULL ? " or null" : "");
		if (json_is_string(v)) {
			size_t len = jsonx_utf8_len(json_string_value(v));
			if (f->max_len && len > (size_t)f->max_len)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for field '%s': is too long "
					       "(at most %d characters)",
					       f->name, f->max_len);
			if (len < (size_t)f->min_len)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for field '%s': is too short", f->name);
		}
	}
	if (allow_extra)
		return 0;
	json_object_foreach((json_t *)obj, key, v) {
		const struct jsonx_field *f = fields;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		if (f->name == NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field '%s': additional properties are "
				       "not allowed",
				       key);
	}
	return 0;
}

json_t *jsonx_member_object(json_t *body, const char *key, struct err *err)
{
	json_t *o = json_object_get(body, key);

	if (!json_is_object(o)) {
		err_set(err, ERR_BAD_REQUEST,
			"Invalid input for field '%s': '%s' is a required property", key, key);
		return NULL;
	}
	return o;
}

const char *jsonx_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

bool jsonx_bool(const json_t *obj, const char *key, bool def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

void jsonx_set_str_or_null(json_t *obj, const char *key, const char *val)
{
	json_object_set_new(obj, key, val ? json_string(val) : json_null());
}
