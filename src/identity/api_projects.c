/* /v3/projects and /v3/projects/{id}/tags, and the rules projects and domains share
 * (Keystone's resource manager): where a project may sit in the tree, when it may be enabled,
 * disabled or deleted, what an immutable resource refuses. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/pager.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/projects_db.h"

#define MAX_TAGS 80
#define MAX_TAG_LEN 255
#define MAX_TREE_DEPTH 5 /* Keystone's max_project_tree_depth: projects below a domain */
#define MAX_LIMIT 1000   /* Keystone's max_db_limit */

/* ---- checks ---- */

static bool has_nonblank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

static bool is_id_string(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static int tags_check(const json_t *tags, struct err *err)
{
	size_t i, j;
	json_t *t;

	if (!json_is_array(tags))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'tags': expected array");
	if (json_array_size(tags) > MAX_TAGS)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'tags': is too long (at most %d tags)",
			       MAX_TAGS);
	json_array_foreach(tags, i, t) {
		const char *s = json_string_value(t);
		size_t len;
		if (s == NULL || strlen(s) != json_string_length(t))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'tags/%zu': expected string", i);
		len = jsonx_utf8_len(s);
		if (len < 1 || len > MAX_TAG_LEN)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'tags/%zu': a tag has 1 to %d "
				       "characters",
				       i, MAX_TAG_LEN);
		if (strpbrk(s, ",/") != NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'tags/%zu': '%s' does not match "
				       "'^[^,/]*$'",
				       i, s);
		for (j = 0; j < i; j++)
			if (str_eq(s, json_string_value(json_array_get(tags, j))))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for field 'tags': has non-unique "
					       "elements");
	}
	return 0;
}

static int options_check(const json_t *options, struct err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(options))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'options': expected object");
	json_object_foreach((json_t *)options, key, v) {
		if (strcmp(key, "immutable") != 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'options': additional properties "
				       "are not allowed ('%s' was unexpected)",
				       key);
		if (!json_is_boolean(v) && !json_is_null(v))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field 'options/immutable': expected "
				       "boolean or null");
	}
	return 0;
}

int ident_project_members_check(const json_t *obj, struct err *err)
{
	static const char *const ids[] = { "domain_id", "parent_id" };
	const char *name = jsonx_str(obj, "name");
	json_t *v;

	if (name != NULL && !has_nonblank(name))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for field 'name': '%s' does not match '[\\S]+'",
			       name);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const char *id = jsonx_str(obj, ids[i]);
		if (id != NULL && !is_id_string(id))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for field '%s': '%s' does not match "
				       "'^[a-zA-Z0-9-]+$'",
				       ids[i], id);
	}
	if ((v = json_object_get(obj, "tags")) != NULL && tags_check(v, err) < 0)
		return -1;
	if ((v = json_object_get(obj, "options")) != NULL && options_check(v, err) < 0)
		return -1;
	return 0;
}

/* ---- rules ---- */

static bool immutable(const json_t *ref)
{
	return json_is_true(json_object_get(json_object_get(ref, "options"), "immutable"));
}

static const char *kind_name(const json_t *ref)
{
	return jsonx_bool(ref, "is_domain", false) ? "domain" : "project";
}

/* 'name' without leading and trailing blanks, as Keystone strips names and tags. */
static json_t *stripped(const char *name)
{
	size_t len = strlen(name);

	while (len > 0 && isspace((unsigned char)*name)) {
		name++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)name[len - 1]))
		len--;
	return json_stringn(name, len);
}

/* Applies 'in' (an options object from a request) over 'options': null removes a key. */
static void merge_options(json_t *options, const json_t *in)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)in, key, v) {
		if (json_is_null(v))
			json_object_del(options, key);
		else
			json_object_set(options, key, v);
	}
}

/* Replaces a unique-key failure by Keystone's message about 'ref'. */
static int name_conflict(const json_t *ref, struct err *err)
{
	if (err->kind != ERR_CONFLICT)
		return -1;
	err_clear(err);
	if (jsonx_bool(ref, "is_domain", false))
		return err_set(err, ERR_CONFLICT,
			       "Conflict occurred attempting to store project - it is not "
			       "permitted to have two projects acting as domains with the same "
			       "name: %s.",
			       jsonx_str(ref, "name"));
	return err_set(err, ERR_CONFLICT,
		       "Conflict occurred attempting to store project - it is not permitted "
		       "to have two projects with either the same name or same id in the "
		       "same domain: name is %s, project id %s.",
		       jsonx_str(ref, "name"), jsonx_str(ref, "id"));
}

/* A lookup for a create (domain or parent) that finds nothing is the client's error. */
static int not_found_is_bad_request(struct err *err)
{
	if (err->kind == ERR_NOT_FOUND)
		err->kind = ERR_BAD_REQUEST;
	return -1;
}

/* Where a regular project may go: in an existing domain, under an existing parent of the
 * same domain, in a branch that is enabled and not too deep. */
static int check_placement(struct db *db, const json_t *ref, struct err *err)
{
	const char *domain = jsonx_str(ref, "domain_id"), *parent_id = jsonx_str(ref, "parent_id");
	json_t *parent = NULL, *chain = NULL, *p;
	size_t i;
	int rc = -1;

	if (ident_domain_check(db, domain, err) < 0)
		return not_found_is_bad_request(err);
	if ((parent = ident_project_get(db, parent_id, err)) == NULL)
		return not_found_is_bad_request(err);
	if (jsonx_bool(parent, "is_domain", false) && !str_eq(parent_id, domain)) {
		err_set(err, ERR_BAD_REQUEST,
			"Cannot create project, the parent (%s) is acting as a domain, but this "
			"project's domain id (%s) does not match the parent's id.",
			parent_id, domain);
		goto out;
	}
	if (!jsonx_bool(parent, "is_domain", false) &&
	    !str_eq(jsonx_str(parent, "domain_id"), domain)) {
		err_set(err, ERR_BAD_REQUEST,
			"Cannot create project, since it specifies its domain_id %s, but "
			"specifies a parent in a different domain (%s).",
			domain, jsonx_str(parent, "domain_id"));
		goto out;
	}
	if ((chain = ident_project_parents(db, parent_id, err)) == NULL)
		goto out;
	json_array_append(chain, parent);
	json_array_foreach(chain, i, p) {
		if (!jsonx_bool(p, "enabled", true)) {
			err_set(err, ERR_BAD_REQUEST,
				"cannot create a project in a branch containing a disabled "
				"project: %s",
				jsonx_str(p, "id"));
			goto out;
		}
	}
	/* the domain counts as a level, as in Keystone */
	if (json_array_size(chain) + 1 > MAX_TREE_DEPTH + 1) {
		err_set(err, ERR_FORBIDDEN, "Max hierarchy depth reached for %s branch.",
			parent_id);
		goto out;
	}
	rc = 0;
out:
	json_decref(parent);
	json_decref(chain);
	return rc;
}

int ident_project_create(struct db *db, json_t *ref, struct err *err)
{
	json_t *opts = json_object();
	const char *desc = jsonx_str(ref, "description");

	json_object_set_new(ref, "name", stripped(jsonx_str(ref, "name")));
	json_object_set_new(ref, "description", json_string(desc ? desc : ""));
	if (!json_is_boolean(json_object_get(ref, "enabled")))
		json_object_set_new(ref, "enabled", json_true());
	if (json_object_get(ref, "tags") == NULL)
		json_object_set_new(ref, "tags", json_array());
	if (json_is_object(json_object_get(ref, "options")))
		merge_options(opts, json_object_get(ref, "options"));
	json_object_set_new(ref, "options", opts);

	if (db_begin(db, err) < 0)
		return -1;
	if (jsonx_bool(ref, "is_domain", false)) {
		if (jsonx_str(ref, "parent_id") != NULL) {
			err_set(err, ERR_BAD_REQUEST,
				"only root projects are allowed to act as domains.");
			goto fail;
		}
		json_object_set_new(ref, "domain_id", json_null());
	} else if (check_placement(db, ref, err) < 0) {
		goto fail;
	}
	if (ident_project_insert(db, ref, err) < 0) {
		name_conflict(ref, err);
		goto fail;
	}
	if (db_commit(db, err) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* An immutable resource accepts one change only: {"options": {"immutable": false|null}}. */
static bool unlocks(const json_t *patch)
{
	json_t *opts = json_object_get(patch, "options"), *v;

	if (json_object_size(patch) != 1 || !json_is_object(opts))
		return false;
	v = json_object_get(opts, "immutable");
	return v != NULL && (json_is_false(v) || json_is_null(v));
}

static bool any_enabled(const json_t *refs, bool want)
{
	size_t i;
	json_t *p;

	json_array_foreach(refs, i, p) {
		if (jsonx_bool(p, "enabled", true) == want)
			return true;
	}
	return false;
}

/* Enabling needs every parent enabled; disabling a project needs its subtree disabled (a
 * domain disables its projects with it, as in Keystone). */
static int check_enabling(struct db *db, const json_t *orig, bool now, struct err *err)
{
	const char *id = jsonx_str(orig, "id");
	bool was = jsonx_bool(orig, "enabled", true);
	json_t *refs;
	int rc = 0;

	if (!was && now) {
		if ((refs = ident_project_parents(db, id, err)) == NULL)
			return -1;
		if (any_enabled(refs, false))
			rc = err_set(err, ERR_FORBIDDEN,
				     "Cannot enable project %s since it has disabled parents", id);
		json_decref(refs);
	} else if (was && !now && !jsonx_bool(orig, "is_domain", false)) {
		if ((refs = ident_project_subtree(db, id, err)) == NULL)
			return -1;
		if (any_enabled(refs, true))
			rc = err_set(err, ERR_FORBIDDEN,
				     "Cannot disable project %s since its subtree contains "
				     "enabled projects.",
				     id);
		json_decref(refs);
	}
	return rc;
}

json_t *ident_project_patch(struct db *db, const json_t *orig, const json_t *patch,
			    struct err *err)
{
	static const char *const fixed[] = { "id", "domain_id", "parent_id", "is_domain",
					     "links", NULL };
	const char *id = jsonx_str(orig, "id"), *key;
	bool is_domain = jsonx_bool(orig, "is_domain", false), disabling;
	json_t *v, *ref;

	v = json_object_get(patch, "domain_id");
	if (v != NULL && !json_equal(v, json_object_get(orig, "domain_id"))) {
		err_set(err, ERR_BAD_REQUEST, "Cannot change Domain ID");
		return NULL;
	}
	if (immutable(orig) && !unlocks(patch)) {
		err_set(err, ERR_FORBIDDEN,
			"Unable to update immutable %s resource: `%s. Set resource option "
			"\"immutable\" to false first.",
			kind_name(orig), id);
		return NULL;
	}
	v = json_object_get(patch, "parent_id");
	if (v != NULL && !json_equal(v, json_object_get(orig, "parent_id"))) {
		err_set(err, ERR_FORBIDDEN, "Update of `parent_id` is not allowed.");
		return NULL;
	}
	v = json_object_get(patch, "is_domain");
	if (v != NULL && !json_equal(v, json_object_get(orig, "is_domain"))) {
		err_set(err, ERR_BAD_REQUEST, "Update of `is_domain` is not allowed.");
		return NULL;
	}

	ref = json_deep_copy(orig);
	json_object_foreach((json_t *)patch, key, v) {
		const char *const *k = fixed;
		while (*k && strcmp(*k, key) != 0)
			k++;
		if (*k != NULL)
			continue;
		if (strcmp(key, "options") == 0)
			merge_options(json_object_get(ref, "options"), v);
		else if (strcmp(key, "name") == 0)
			json_object_set_new(ref, "name", stripped(json_string_value(v)));
		else if (strcmp(key, "description") == 0 && json_is_null(v))
			json_object_set_new(ref, "description", json_string(""));
		else
			json_object_set(ref, key, v);
	}
	disabling = jsonx_bool(orig, "enabled", true) && !jsonx_bool(ref, "enabled", true);
	if (db_begin(db, err) < 0)
		goto fail;
	if (check_enabling(db, orig, jsonx_bool(ref, "enabled", true), err) < 0)
		goto rollback;
	if (ident_project_update(db, ref, err) < 0) {
		name_conflict(ref, err);
		goto rollback;
	}
	/* validation refuses the tokens of a disabled project or domain while it is so; the
	 * event ends them for good, as Keystone's revoke_by_project and revoke_by_domain */
	if (disabling &&
	    ident_revoke(db,
			 &(struct ident_revoke){ .project_id = is_domain ? NULL : id,
						 .domain_id = is_domain ? id : NULL },
			 err) < 0)
		goto rollback;
	if (db_commit(db, err) < 0)
		goto rollback;
	json_decref(ref);
	return ident_project_get(db, id, err);
rollback:
	db_rollback(db);
fail:
	json_decref(ref);
	return NULL;
}

int ident_project_remove(struct db *db, const json_t *ref, struct err *err)
{
	const char *id = jsonx_str(ref, "id");
	bool is_domain = jsonx_bool(ref, "is_domain", false);
	int children;

	if (immutable(ref))
		return err_set(err, ERR_FORBIDDEN,
			       "Unable to delete immutable %s resource: `%s. Set resource option "
			       "\"immutable\" to false first.",
			       kind_name(ref), id);
	if (is_domain && jsonx_bool(ref, "enabled", true))
		return err_set(err, ERR_FORBIDDEN,
			       "Cannot delete a domain that is enabled, please disable it first.");
	if (db_begin(db, err) < 0)
		return -1;
	if (!is_domain) {
		if ((children = ident_project_has_children(db, id, err)) < 0)
			goto fail;
		if (children) {
			err_set(err, ERR_FORBIDDEN,
				"Cannot delete the project %s since it is not a leaf in the "
				"hierarchy. Use the cascade option if you want to delete a whole "
				"subtree.",
				id);
			goto fail;
		}
	}
	if ((is_domain ? ident_domain_delete(db, id, err) : ident_project_delete(db, id, err)) <
		    0 ||
	    (!is_domain &&
	     ident_revoke(db, &(struct ident_revoke){ .project_id = id }, err) < 0) ||
	    db_commit(db, err) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* ---- lists ---- */

static void put_encoded(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

static int put_arg(void *ctx, const char *key, const char *val)
{
	FILE *f = ctx;

	if (strcmp(key, "limit") == 0 || strcmp(key, "marker") == 0)
		return 0;
	put_encoded(f, key);
	fputc('=', f);
	put_encoded(f, val);
	fputc('&', f);
	return 0;
}

/* The request URL with the same filters, 'limit' and 'marker'. */
static const char *next_url(struct req *rq, int limit, const char *marker)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	const char *url;

	BUG_ON(f == NULL);
	fprintf(f, "%s%s?", conf.public_url, rq->path);
	req_query_each(rq, put_arg, f);
	fprintf(f, "limit=%d&marker=", limit);
	put_encoded(f, marker);
	fclose(f);
	url = req_strdup(rq, buf);
	free(buf);
	return url;
}

json_t *ident_list_body(struct req *rq, const char *key, json_t *list, int limit)
{
	json_t *links = ident_collection_links(rq), *body, *ref;
	bool more = limit > 0 && json_array_size(list) > (size_t)limit;
	size_t i;

	while (more && json_array_size(list) > (size_t)limit)
		json_array_remove(list, json_array_size(list) - 1);
	json_array_foreach(list, i, ref) {
		ident_add_links(rq, ref, key);
	}
	if (more)
		json_object_set_new(
			links, "next",
			json_string(next_url(rq, limit,
					     jsonx_str(json_array_get(list, (size_t)limit - 1),
						       "id"))));
	body = json_pack("{s:o,s:o}", key, list, "links", links);
	if (more)
		json_object_set_new(body, "truncated", json_true());
	return body;
}

int ident_list_paging(struct req *rq, struct ident_project_filter *f, int *page,
		      struct err *err)
{
	struct pager pg;

	if (pager_parse(rq, conf.list_limit, MAX_LIMIT, &pg, err) < 0)
		return -1;
	*page = pg.limit;
	f->marker = pg.marker;
	f->limit = pg.limit > 0 ? pg.limit + 1 : 0;
	return 0;
}

/* ---- /v3/projects ---- */

static int projects_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token *caller = ident_caller(rq);
	struct ident_project_filter f = { .enabled = -1, .is_domain = 0 };
	json_t *list;
	int page;

	if (db == NULL || ident_list_paging(rq, &f, &page, err) < 0 ||
	    !ident_bool_query(rq, "enabled", &f.enabled, err) ||
	    !ident_bool_query(rq, "is_domain", &f.is_domain, err))
		return -1;
	if (f.is_domain < 0)
		f.is_domain = 0;
	f.name = req_query(rq, "name");
	f.domain_id = req_query(rq, "domain_id");
	f.parent_id = req_query(rq, "parent_id");
	f.tags = req_query(rq, "tags");
	f.tags_any = req_query(rq, "tags-any");
	f.not_tags = req_query(rq, "not-tags");
	f.not_tags_any = req_query(rq, "not-tags-any");
	/* a domain-scoped token sees its domain's projects only, as in Keystone */
	if (caller->scope == SCOPE_DOMAIN) {
		if (f.domain_id != NULL && strcmp(f.domain_id, caller->scope_id) != 0) {
			reply_json(rq, 200,
				   ident_list_body(rq, "projects", json_array(), page));
			return 0;
		}
		f.domain_id = caller->scope_id;
	}
	if ((list = ident_project_list(db, &f, err)) == NULL)
		return -1;
	reply_json(rq, 200, ident_list_body(rq, "projects", list, page));
	return 0;
}

static const struct jsonx_field project_body[] = {
	{ "project", JX_OBJECT, true, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field project_create_fields[] = {
	{ "name", JX_STRING, true, 64, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "domain_id", JX_STRING | JX_NULL, false, 64, 1 },
	{ "parent_id", JX_STRING | JX_NULL, false, 64, 1 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ "is_domain", JX_BOOL, false, 0, 0 },
	{ "tags", JX_ARRAY, false, 0, 0 },
	{ "options", JX_OBJECT, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonx_field project_update_fields[] = {
	{ "name", JX_STRING, false, 64, 1 },
	{ "description", JX_STRING | JX_NULL, false, 0, 0 },
	{ "enabled", JX_BOOL, false, 0, 0 },
	{ "tags", JX_ARRAY, false, 0, 0 },
	{ "options", JX_OBJECT, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

/* The project's "project" member of a request body, validated against 'fields'. */
static json_t *project_input(struct req *rq, const struct jsonx_field *fields,
			     struct err *err)
{
	json_t *body = req_json(rq, err), *in;

	if (body == NULL || jsonx_validate(body, project_body, false, err) < 0)
		return NULL;
	in = json_object_get(body, "project");
	if (jsonx_validate(in, fields, true, err) < 0 ||
	    ident_project_members_check(in, err) < 0)
		return NULL;
	return in;
}

static int reply_project(struct req *rq, int status, json_t *ref)
{
	ident_add_links(rq, ref, "projects");
	reply_json(rq, status, json_pack("{s:o}", "project", ref));
	return 0;
}

static int projects_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct ident_token *caller = ident_caller(rq);
	json_t *in, *ref, *out;
	char id[33];
	int rc;

	if (db == NULL || (in = project_input(rq, project_create_fields, err)) == NULL)
		return -1;
	ref = json_deep_copy(in);
	util_uuid_hex(id);
	json_object_set_new(ref, "id", json_string(id));
	json_object_set_new(ref, "is_domain", json_boolean(jsonx_bool(in, "is_domain", false)));
	if (!jsonx_bool(in, "is_domain", false) && jsonx_str(in, "domain_id") == NULL)
		/* Keystone: the domain of a domain-scoped token, else the default domain */
		json_object_set_new(ref, "domain_id",
				    json_string(caller->scope == SCOPE_DOMAIN ? caller->scope_id
									      : DEFAULT_DOMAIN));
	if (jsonx_str(ref, "parent_id") == NULL)
		json_object_set(ref, "parent_id",
				json_object_get(ref, "domain_id") ? json_object_get(ref, "domain_id")
								  : json_null());
	rc = ident_project_create(db, ref, err);
	json_decref(ref);
	if (rc < 0 || (out = ident_project_get(db, id, err)) == NULL)
		return -1;
	return reply_project(rq, 201, out);
}

struct flag {
	const char *name;
	bool found, value;
};

static int find_flag(void *ctx, const char *key, const char *val)
{
	struct flag *f = ctx;

	if (strcmp(key, f->name) != 0)
		return 0;
	f->found = true;
	f->value = strcmp(val, "0") != 0;
	return 1;
}

/* Keystone's query_filter_is_true: present and not "0" (a bare "?name" counts). */
static bool query_flag(struct req *rq, const char *name)
{
	struct flag f = { name, false, false };

	req_query_each(rq, find_flag, &f);
	return f.found && f.value;
}

/* Keeps the projects of 'refs' on which the caller holds a role, each wrapped as
 * {"project": ...}, as Keystone's parents_as_list and subtree_as_list show them. */
static json_t *visible_wrapped(struct req *rq, struct db *db, json_t *refs, struct err *err)
{
	const char *user = ident_caller(rq)->user_id;
	json_t *out = json_array(), *ref;
	size_t i;

	json_array_foreach(refs, i, ref) {
		json_t *roles = ident_effective_roles(db, user, SCOPE_PROJECT,
						      jsonx_str(ref, "id"), err);
		if (roles == NULL) {
			json_decref(out);
			return NULL;
		}
		if (json_array_size(roles) > 0) {
			ident_add_links(rq, ref, "projects");
			json_array_append_new(out, json_pack("{s:O}", "project", ref));
		}
		json_decref(roles);
	}
	return out;
}

/* {parent: {grandparent: ... {domain: null}}} from the parents, nearest first. */
static json_t *parents_as_ids(const json_t *parents)
{
	json_t *tree = json_null();

	for (size_t i = json_array_size(parents); i-- > 0;)
		tree = json_pack("{s:o}", jsonx_str(json_array_get(parents, i), "id"), tree);
	return tree;
}

/* {child: {grandchild: null, ...}, ...} for the children of 'id' found in 'subtree'. */
static json_t *subtree_as_ids(const json_t *subtree, const char *id, int depth)
{
	json_t *tree = NULL, *ref;
	size_t i;

	if (depth > 64)
		return json_null();
	json_array_foreach(subtree, i, ref) {
		if (!str_eq(jsonx_str(ref, "parent_id"), id))
			continue;
		if (tree == NULL)
			tree = json_object();
		json_object_set_new(tree, jsonx_str(ref, "id"),
				    subtree_as_ids(subtree, jsonx_str(ref, "id"), depth + 1));
	}
	return tree ? tree : json_null();
}

/* ?parents_as_list, ?parents_as_ids, ?subtree_as_list, ?subtree_as_ids on GET. */
static int expand(struct req *rq, struct db *db, json_t *ref, struct err *err)
{
	bool pl = query_flag(rq, "parents_as_list"), pi = query_flag(rq, "parents_as_ids");
	bool sl = query_flag(rq, "subtree_as_list"), si = query_flag(rq, "subtree_as_ids");
	const char *id = jsonx_str(ref, "id");
	json_t *refs;

	if (pl && pi)
		return err_set(err, ERR_BAD_REQUEST,
			       "Cannot use parents_as_list and parents_as_ids query params at the "
			       "same time.");
	if (sl && si)
		return err_set(err, ERR_BAD_REQUEST,
			       "Cannot use subtree_as_list and subtree_as_ids query params at the "
			       "same time.");
	if (pl || pi) {
		if ((refs = ident_project_parents(db, id, err)) == NULL)
			return -1;
		json_t *v = pl ? visible_wrapped(rq, db, refs, err) : parents_as_ids(refs);
		json_decref(refs);
		if (v == NULL)
			return -1;
		json_object_set_new(ref, "parents", v);
	}
	if (sl || si) {
		if ((refs = ident_project_subtree(db, id, err)) == NULL)
			return -1;
		json_t *v = sl ? visible_wrapped(rq, db, refs, err) : subtree_as_ids(refs, id, 0);
		json_decref(refs);
		if (v == NULL)
			return -1;
		json_object_set_new(ref, "subtree", v);
	}
	return 0;
}

static int project_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ref;

	if (db == NULL || (ref = ident_project_get(db, req_param(rq, "project_id"), err)) == NULL)
		return -1;
	if (expand(rq, db, ref, err) < 0) {
		json_decref(ref);
		return -1;
	}
	return reply_project(rq, 200, ref);
}

static int project_update(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "project_id");
	json_t *in, *orig, *out, *v;

	if (db == NULL || (in = project_input(rq, project_update_fields, err)) == NULL)
		return -1;
	v = json_object_get(in, "id");
	if (v != NULL && !json_is_null(v) && !str_eq(json_string_value(v), id))
		return err_set(err, ERR_BAD_REQUEST, "Cannot change ID");
	if ((orig = ident_project_get(db, id, err)) == NULL)
		return -1;
	out = ident_project_patch(db, orig, in, err);
	json_decref(orig);
	if (out == NULL)
		return -1;
	return reply_project(rq, 200, out);
}

static int project_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ref;
	int rc;

	if (db == NULL || (ref = ident_project_get(db, req_param(rq, "project_id"), err)) == NULL)
		return -1;
	rc = ident_project_remove(db, ref, err);
	json_decref(ref);
	if (rc < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

/* ---- /v3/projects/{project_id}/tags ---- */

static json_t *tags_body(struct req *rq, json_t *tags)
{
	return json_pack("{s:o,s:{s:s}}", "tags", tags, "links", "self",
			 req_printf(rq, "%s%s", conf.public_url, rq->path));
}

/* Stores 'tags' as the project's tags in a transaction. */
static int store_tags(struct db *db, const char *id, const json_t *tags, struct err *err)
{
	if (db_begin(db, err) < 0)
		return -1;
	if (ident_project_set_tags(db, id, tags, err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* The project of the path, refused with 403 when it is immutable ('verb': create, update,
 * delete). Caller decrefs. */
static json_t *mutable_project(struct db *db, struct req *rq, const char *verb,
			       struct err *err)
{
	json_t *ref = ident_project_get(db, req_param(rq, "project_id"), err);

	if (ref != NULL && immutable(ref)) {
		err_set(err, ERR_FORBIDDEN,
			"Cannot %s project tags for %s, project is immutable. Set \"immutable\" "
			"option to false before creating project tags.",
			verb, jsonx_str(ref, "id"));
		json_decref(ref);
		return NULL;
	}
	return ref;
}

/* The tags without leading and trailing blanks (new array). */
static json_t *stripped_tags(const json_t *tags)
{
	json_t *list = json_array(), *t;
	size_t i;

	json_array_foreach(tags, i, t) {
		json_array_append_new(list, stripped(json_string_value(t)));
	}
	return list;
}

static int tags_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ref;

	if (db == NULL || (ref = ident_project_get(db, req_param(rq, "project_id"), err)) == NULL)
		return -1;
	reply_json(rq, 200, tags_body(rq, json_incref(json_object_get(ref, "tags"))));
	json_decref(ref);
	return 0;
}

static const struct jsonx_field tags_fields[] = {
	{ "tags", JX_ARRAY, true, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static int tags_replace(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *body, *ref, *tags;
	int rc;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    jsonx_validate(body, tags_fields, false, err) < 0 ||
	    tags_check(json_object_get(body, "tags"), err) < 0 ||
	    (ref = mutable_project(db, rq, "update", err)) == NULL)
		return -1;
	tags = stripped_tags(json_object_get(body, "tags"));
	rc = store_tags(db, jsonx_str(ref, "id"), tags, err);
	json_decref(ref);
	if (rc < 0) {
		json_decref(tags);
		return -1;
	}
	reply_json(rq, 200, tags_body(rq, tags));
	return 0;
}

static int tags_clear(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *ref, *none = json_array();
	int rc = -1;

	if (db != NULL && (ref = mutable_project(db, rq, "update", err)) != NULL) {
		rc = store_tags(db, jsonx_str(ref, "id"), none, err);
		json_decref(ref);
	}
	json_decref(none);
	if (rc < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

/* Index of 'tag' in the project's tags, -1 if absent. */
static long tag_index(const json_t *ref, const char *tag)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(ref, "tags"), i, t) {
		if (str_eq(json_string_value(t), tag))
			return (long)i;
	}
	return -1;
}

static int tag_check(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *tag = req_param(rq, "tag");
	json_t *ref;
	long found;

	if (db == NULL || (ref = ident_project_get(db, req_param(rq, "project_id"), err)) == NULL)
		return -1;
	found = tag_index(ref, tag);
	json_decref(ref);
	if (found < 0)
		return err_set(err, ERR_NOT_FOUND, "Could not find project tag: %s.", tag);
	reply_empty(rq, 204);
	return 0;
}

static int tag_add(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *tag = req_param(rq, "tag");
	json_t *one = json_pack("[s]", tag), *ref = NULL, *tags = NULL, *stored = NULL;
	int rc = -1;

	if (db == NULL || tags_check(one, err) < 0 ||
	    (ref = ident_project_get(db, req_param(rq, "project_id"), err)) == NULL)
		goto out;
	/* the new list must still be valid: at most 80 tags, no duplicate */
	tags = json_deep_copy(json_object_get(ref, "tags"));
	json_array_append_new(tags, json_string(tag));
	if (tags_check(tags, err) < 0)
		goto out;
	if (immutable(ref)) {
		err_set(err, ERR_FORBIDDEN,
			"Cannot create project tags for %s, project is immutable. Set "
			"\"immutable\" option to false before creating project tags.",
			jsonx_str(ref, "id"));
		goto out;
	}
	stored = stripped_tags(tags);
	if (store_tags(db, jsonx_str(ref, "id"), stored, err) < 0)
		goto out;
	reply_header(rq, "Location",
		     ident_url(rq, req_printf(rq, "/projects/%s/tags/%s", jsonx_str(ref, "id"),
					      tag)));
	reply_empty(rq, 201);
	rc = 0;
out:
	json_decref(one);
	json_decref(ref);
	json_decref(tags);
	json_decref(stored);
	return rc;
}

static int tag_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *tag = req_param(rq, "tag");
	json_t *ref, *tags;
	long found;
	int rc;

	if (db == NULL || (ref = mutable_project(db, rq, "delete", err)) == NULL)
		return -1;
	if ((found = tag_index(ref, tag)) < 0) {
		json_decref(ref);
		return err_set(err, ERR_NOT_FOUND, "Could not find project tag: %s.", tag);
	}
	tags = json_object_get(ref, "tags");
	json_array_remove(tags, (size_t)found);
	rc = store_tags(db, jsonx_str(ref, "id"), tags, err);
	json_decref(ref);
	if (rc < 0)
		return -1;
	reply_empty(rq, 204);
	return 0;
}

const struct route ident_project_routes[] = {
	{ HTTP_GET, "/v3/projects", projects_list, "identity:list_projects" },
	{ HTTP_POST, "/v3/projects", projects_create, "identity:create_project" },
	{ HTTP_GET, "/v3/projects/{project_id}", project_show, "identity:get_project" },
	{ HTTP_PATCH, "/v3/projects/{project_id}", project_update, "identity:update_project" },
	{ HTTP_DELETE, "/v3/projects/{project_id}", project_delete, "identity:delete_project" },
	{ HTTP_GET, "/v3/projects/{project_id}/tags", tags_list, "identity:list_project_tags" },
	{ HTTP_PUT, "/v3/projects/{project_id}/tags", tags_replace,
	  "identity:update_project_tags" },
	{ HTTP_DELETE, "/v3/projects/{project_id}/tags", tags_clear,
	  "identity:delete_project_tags" },
	{ HTTP_GET, "/v3/projects/{project_id}/tags/{tag}", tag_check,
	  "identity:get_project_tag" },
	{ HTTP_PUT, "/v3/projects/{project_id}/tags/{tag}", tag_add,
	  "identity:create_project_tag" },
	{ HTTP_DELETE, "/v3/projects/{project_id}/tags/{tag}", tag_delete,
	  "identity:delete_project_tag" },
	{ 0 },
};

const struct policy ident_project_policies[] = {
	{ "identity:list_projects", POL_READER },
	{ "identity:create_project", POL_ADMIN },
	{ "identity:get_project", POL_ADMIN_OR_PROJECT },
	{ "identity:update_project", POL_ADMIN },
	{ "identity:delete_project", POL_ADMIN },
	{ "identity:list_project_tags", POL_ADMIN_OR_PROJECT },
	{ "identity:update_project_tags", POL_ADMIN },
	{ "identity:delete_project_tags", POL_ADMIN },
	{ "identity:get_project_tag", POL_ADMIN_OR_PROJECT },
	{ "identity:create_project_tag", POL_ADMIN },
	{ "identity:delete_project_tag", POL_ADMIN },
	{ NULL, 0 },
};
