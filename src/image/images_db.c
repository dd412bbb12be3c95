/* The image table's SQL. */
#include "image/images_db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/sqlb.h"
#include "core/util.h"

#define IMAGE_COLS                                                                       \
	"SELECT id, name, owner, status, visibility, disk_format, container_format, size,"  \
	" virtual_size, checksum, os_hash_algo, os_hash_value, min_disk, min_ram,"          \
	" protected, os_hidden, created_at, updated_at, props, tags FROM image"

/* Attributes kept in columns (and the computed ones): never custom properties. */
static const char *const core_keys[] = {
	"id",         "name",          "owner",    "status",       "visibility",
	"disk_format", "container_format", "size", "virtual_size", "checksum",
	"os_hash_algo", "os_hash_value", "min_disk", "min_ram",    "protected",
	"os_hidden",  "created_at",    "updated_at", "tags",       "self",
	"file",       "schema",        "locations", "direct_url",  NULL,
};

/* sort key -> SQL expression (NULLs folded so that keyset comparisons hold) */
static const struct {
	const char *key, *expr;
	bool numeric;
} sort_cols[] = {
	{ "created_at", "created_at", true },
	{ "updated_at", "updated_at", true },
	{ "name", "COALESCE(name, '')", false },
	{ "status", "status", false },
	{ "id", "id", false },
	{ "size", "COALESCE(size, -1)", true },
	{ "disk_format", "COALESCE(disk_format, '')", false },
	{ "container_format", "COALESCE(container_format, '')", false },
	{ "visibility", "visibility", false },
	{ "owner", "owner", false },
	{ "min_disk", "min_disk", true },
	{ "min_ram", "min_ram", true },
};

const char *const image_sort_keys[] = {
	"created_at", "updated_at", "name",  "status", "id",       "size",
	"disk_format", "container_format", "visibility", "owner", "min_disk", "min_ram",
	NULL,
};

static int image_missing(const char *id, struct err *err)
{
	return err_set(err, ERR_NOT_FOUND, "No image found with ID %s", id);
}

static bool is_core(const char *key)
{
	for (int i = 0; core_keys[i]; i++)
		if (strcmp(core_keys[i], key) == 0)
			return true;
	return false;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *int_or_null(const struct db_res *res, int i, int col)
{
	return db_res_str(res, i, col) ? json_integer(db_res_int(res, i, col)) : json_null();
}

static json_t *iso(long long us)
{
	char buf[32];

	util_iso8601(us, 0, buf);
	return json_string(buf);
}

static json_t *image_row(const struct db_res *res, int i)
{
	json_t *img = json_object(), *props, *tags;

	json_object_set_new(img, "id", json_string(db_res_str(res, i, 0)));
	json_object_set_new(img, "name", str_or_null(db_res_str(res, i, 1)));
	json_object_set_new(img, "owner", json_string(db_res_str(res, i, 2)));
	json_object_set_new(img, "status", json_string(db_res_str(res, i, 3)));
	json_object_set_new(img, "visibility", json_string(db_res_str(res, i, 4)));
	json_object_set_new(img, "disk_format", str_or_null(db_res_str(res, i, 5)));
	json_object_set_new(img, "container_format", str_or_null(db_res_str(res, i, 6)));
	json_object_set_new(img, "size", int_or_null(res, i, 7));
	json_object_set_new(img, "virtual_size", int_or_null(res, i, 8));
	json_object_set_new(img, "checksum", str_or_null(db_res_str(res, i, 9)));
	json_object_set_new(img, "os_hash_algo", str_or_null(db_res_str(res, i, 10)));
	json_object_set_new(img, "os_hash_value", str_or_null(db_res_str(res, i, 11)));
	json_object_set_new(img, "min_disk", json_integer(db_res_int(res, i, 12)));
	json_object_set_new(img, "min_ram", json_integer(db_res_int(res, i, 13)));
	json_object_set_new(img, "protected", json_boolean(db_res_bool(res, i, 14)));
	json_object_set_new(img, "os_hidden", json_boolean(db_res_bool(res, i, 15)));
	json_object_set_new(img, "created_at", iso(db_res_int(res, i, 16)));
	json_object_set_new(img, "updated_at", iso(db_res_int(res, i, 17)));
	props = json_loads(db_res_str(res, i, 18), 0, NULL);
	if (json_is_object(props))
		json_object_update_missing(img, props);
	json_decref(props);
	tags = json_loads(db_res_str(res, i, 19), 0, NULL);
	json_object_set_new(img, "tags", json_is_array(tags) ? tags : json_array());
	if (!json_is_array(tags))
		json_decref(tags);
	return img;
}

json_t *image_db_find(struct db *db, const char *id, struct err *err)
{
	struct db_res *res = db_query(db, err, IMAGE_COLS " WHERE id = ?", DBP(id));
	json_t *img = NULL;

	if (res == NULL)
		return NULL;
	if (db_res_rows(res) == 0)
		image_missing(id, err);
	else
		img = image_row(res, 0);
	db_res_free(res);
	return img;
}

/* The custom properties and tags of 'img' as JSON text (caller frees). */
static char *props_text(const json_t *img)
{
	json_t *props = json_object(), *v;
	const char *key;
	char *s;

	json_object_foreach((json_t *)img, key, v) {
		if (!is_core(key))
			json_object_set(props, key, v);
	}
	s = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(props);
	return s;
}

static char *tags_text(const json_t *img)
{
	const json_t *t = json_object_get(img, "tags");

	return json_is_array(t) ? json_dumps(t, JSON_COMPACT) : xstrdup("[]");
}

static const char *bool_text(const json_t *img, const char *key)
{
	return json_is_true(json_object_get(img, key)) ? "1" : "0";
}

static char *int_text(const json_t *img, const char *key)
{
	return xasprintf("%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(img, key)));
}

/* The columns image_db_insert and image_db_update both write, as the text bound to SQL;
 * row_text_destroy frees them. */
struct row_text {
	char *props, *tags, *min_disk, *min_ram, *now;
};

static void row_text_init(struct row_text *r, const json_t *img)
{
	r->props = props_text(img);
	r->tags = tags_text(img);
	r->min_disk = int_text(img, "min_disk");
	r->min_ram = int_text(img, "min_ram");
	r->now = xasprintf("%" PRId64, util_now_us());
}

static void row_text_destroy(struct row_text *r)
{
	free(r->props);
	free(r->tags);
	free(r->min_disk);
	free(r->min_ram);
	free(r->now);
}

int image_db_insert(struct db *db, const json_t *img, struct err *err)
{
	struct row_text r;
	int rc;

	row_text_init(&r, img);
	rc = db_exec(db, err,
		     "INSERT INTO image (id, name, owner, status, visibility, disk_format,"
		     " container_format, min_disk, min_ram, protected, os_hidden,"
		     " created_at, updated_at, props, tags)"
		     " VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		     DBP(jsonx_str(img, "id"), jsonx_str(img, "name"),
		         jsonx_str(img, "owner"), jsonx_str(img, "visibility"),
		         jsonx_str(img, "disk_format"), jsonx_str(img, "container_format"),
		         r.min_disk, r.min_ram, bool_text(img, "protected"),
		         bool_text(img, "os_hidden"), r.now, r.now, r.props, r.tags));

	/* the id is taken for good, even once the image is deleted (OSSN-0075): the
	 * primary key of image_id_used refuses it, concurrent creates and deletes included */
	if (rc >= 0)
		rc = db_exec(db, err, "INSERT INTO image_id_used (id, created_at) VALUES (?, ?)",
			     DBP(jsonx_str(img, "id"), r.now));
	if (rc < 0 && err->kind == ERR_CONFLICT) {
		err_clear(err);
		err_set(err, ERR_CONFLICT, "Image with identifier %s already exists!",
			jsonx_str(img, "id"));
	}
	row_text_destroy(&r);
	return rc < 0 ? -1 : 0;
}

int image_db_update(struct db *db, const json_t *img, struct err *err)
{
	struct row_text r;
	int rc;

	row_text_init(&r, img);
	rc = db_exec(db, err,
		     "UPDATE image SET name = ?, owner = ?, visibility = ?, disk_format = ?,"
		     " container_format = ?, min_disk = ?, min_ram = ?, protected = ?,"
		     " os_hidden = ?, updated_at = ?, props = ?, tags = ? WHERE id = ?",
		     DBP(jsonx_str(img, "name"), jsonx_str(img, "owner"),
		         jsonx_str(img, "visibility"),
		         jsonx_str(img, "disk_format"), jsonx_str(img, "container_format"),
		         r.min_disk, r.min_ram, bool_text(img, "protected"),
		         bool_text(img, "os_hidden"), r.now, r.props, r.tags,
		         jsonx_str(img, "id")));
	row_text_destroy(&r);
	if (rc == 0)
		return image_missing(jsonx_str(img, "id"), err);
	return rc < 0 ? -1 : 0;
}

int image_db_set_status(struct db *db, const char *id, const char *from, const char *to,
			struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	/* a queued image has no data, staged or stored: no size */
	int rc = db_exec(db, err,
			 str_eq(to, "queued")
				 ? "UPDATE image SET status = ?, size = NULL, updated_at = ?"
				   " WHERE id = ? AND status = ?"
				 : "UPDATE image SET status = ?, updated_at = ? WHERE id = ? AND"
				   " status = ?",
			 DBP(to, now, id, from));

	free(now);
	return rc < 0 ? -1 : rc > 0;
}

int image_db_set_staged(struct db *db, const char *id, uint64_t size, struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	char *sz = xasprintf("%" PRIu64, size);
	int rc = db_exec(db, err,
			 "UPDATE image SET size = ?, updated_at = ? WHERE id = ?"
			 " AND status = 'uploading'",
			 DBP(sz, now, id));

	free(now);
	free(sz);
	return rc < 0 ? -1 : rc > 0;
}

int image_db_set_data(struct db *db, const char *id, uint64_t size, int64_t virtual_size,
		      const char *md5, const char *sha512, struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	char *sz = xasprintf("%" PRIu64, size);
	char *vs = virtual_size < 0 ? NULL : xasprintf("%" PRId64, virtual_size);
	int rc = db_exec(db, err,
			 "UPDATE image SET status = 'active', size = ?, virtual_size = ?,"
			 " checksum = ?, os_hash_algo = 'sha512', os_hash_value = ?,"
			 " updated_at = ? WHERE id = ? AND status = 'saving'",
			 DBP(sz, vs, md5, sha512, now, id));

	free(now);
	free(sz);
	free(vs);
	return rc < 0 ? -1 : rc > 0;
}

int image_db_usage(struct db *db, const char *owner, const char *except_id,
		   struct image_usage *u, struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT COUNT(*),"
		" COALESCE(SUM(CASE WHEN size > 0 AND id <> ?"
		" AND status NOT IN ('uploading', 'importing') THEN size ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN status IN ('saving', 'uploading', 'importing')"
		" THEN 1 ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN size > 0 AND status IN ('uploading', 'importing')"
		" THEN size ELSE 0 END), 0)"
		" FROM image WHERE owner = ? AND status NOT IN ('killed', 'deleted',"
		" 'pending_delete')",
		DBP(except_id ? except_id : "", owner));

	if (res == NULL)
		return -1;
	u->count = db_res_int(res, 0, 0);
	u->size = db_res_int(res, 0, 1);
	u->uploading = db_res_int(res, 0, 2);
	u->staged = db_res_int(res, 0, 3);
	db_res_free(res);
	return 0;
}

int image_db_reset_saving(struct db *db, struct err *err)
{
	char *now = xasprintf("%" PRId64, util_now_us());
	int rc = db_exec(db, err,
			 "UPDATE image SET status = 'queued', size = NULL, updated_at = ?"
			 " WHERE status = 'saving'",
			 DBP(now));

	free(now);
	return rc;
}

int image_db_delete(struct db *db, const char *id, struct err *err)
{
	int rc = db_exec(db, err, "DELETE FROM image WHERE id = ?", DBP(id));

	if (rc == 0)
		return image_missing(id, err);
	if (rc < 0 || db_exec(db, err, "DELETE FROM image_member WHERE image_id = ?",
			      DBP(id)) < 0)
		return -1;
	return 0;
}

/* Adds the keyset condition "after the marker row" for the sort expression. The marker
 * must be an image the caller may see (Glance's is_image_visible: admin, owner, public,
 * community, or a member of a shared image whatever its answer); any other is answered
 * as a missing one, or its sort value would leak through the page it selects. */
static int add_marker(struct db *db, struct sqlb *sb, const struct image_filter *f,
		      const char *expr, bool numeric, const char *marker, char **val,
		      struct err *err)
{
	bool hide = f->project != NULL && !f->admin;
	char *sql = xasprintf(
		"SELECT %s FROM image WHERE id = ?%s", expr,
		hide ? " AND (visibility IN ('public', 'community') OR owner = ?"
		       " OR (visibility = 'shared' AND EXISTS (SELECT 1 FROM image_member m"
		       " WHERE m.image_id = image.id AND m.member = ?)))"
		     : "");
	struct db_res *res = hide ? db_query(db, err, sql, DBP(marker, f->project, f->project))
				  : db_query(db, err, sql, DBP(marker));
	const char *op = f->desc ? "<" : ">";
	char *cond;

	free(sql);
	if (res == NULL)
		return -1;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return err_set(err, ERR_BAD_REQUEST, "Invalid marker. Image %s could not be found.",
			       marker);
	}
	*val = xstrdup(db_res_str(res, 0, 0));
	db_res_free(res);
	if (numeric)
		cond = xasprintf(" AND (%s %s CAST(? AS BIGINT) OR (%s = CAST(? AS BIGINT)"
				 " AND id %s ?))",
				 expr, op, expr, op);
	else
		cond = xasprintf(" AND (%s %s ? OR (%s = ? AND id %s ?))", expr, op, expr, op);
	sqlb_text(sb, cond);
	sqlb_param(sb, *val);
	sqlb_param(sb, *val);
	sqlb_param(sb, marker);
	free(cond);
	return 0;
}

static const char *const op_sql[] = {
	[IMAGE_EQ] = " = ", [IMAGE_NEQ] = " <> ", [IMAGE_LT] = " < ",
	[IMAGE_LTE] = " <= ", [IMAGE_GT] = " > ",  [IMAGE_GTE] = " >= ",
};

/* Room for 'n' more parameters in 'sb' (the marker's three are kept in reserve). */
static bool room(const struct sqlb *sb, int n)
{
	return sb->n + n + 3 <= SQLB_MAX_PARAMS;
}

/* Who sees what, as Glance's image_get_all (see struct image_filter). */
static void add_visibility(struct sqlb *sb, const struct image_filter *f)
{
	if (f->project == NULL)
		return;
	if (!f->admin) {
		sqlb_add(sb, " AND (visibility IN ('public', 'community') OR owner = ?",
			 f->project);
		sqlb_add(sb, " OR (visibility = 'shared' AND EXISTS (SELECT 1 FROM image_member m"
			     " WHERE m.image_id = image.id AND m.member = ?", f->project);
		if (!str_eq(f->member_status, "all"))
			sqlb_add(sb, " AND m.status = ?", f->member_status);
		sqlb_text(sb, ")))");
	}
	if (f->visibility != NULL) {
		if (strcmp(f->visibility, "all") != 0)
			sqlb_add(sb, " AND visibility = ?", f->visibility);
	} else {
		sqlb_add(sb, " AND (owner = ? OR visibility <> 'community')", f->project);
	}
}

static void add_cond(struct sqlb *sb, const struct image_cond *c)
{
	sqlb_text(sb, " AND ");
	sqlb_text(sb, c->column);
	if (c->op == IMAGE_IN) {
		sqlb_text(sb, " IN (");
		for (int i = 0; i < c->nvalues; i++)
			sqlb_add(sb, i ? ", ?" : "?", c->values[i]);
		sqlb_text(sb, ")");
		return;
	}
	sqlb_text(sb, op_sql[c->op]);
	sqlb_add(sb, c->numeric ? "CAST(? AS BIGINT)" : "?", c->values[0]);
}

/* A LIKE pattern (escape '!') finding the JSON text 'json' anywhere (caller frees). */
static char *like_pattern(const char *json)
{
	char *out = xmalloc(2 * strlen(json) + 3), *o = out;

	*o++ = '%';
	for (; *json; json++) {
		if (*json == '%' || *json == '_' || *json == '!')
			*o++ = '!';
		*o++ = *json;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

/* The JSON encoding of the string 's', quotes included, as props_text and tags_text write
 * it (caller frees). */
static char *json_text(const char *s)
{
	json_t *j = json_string(s);
	char *out = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);

	json_decref(j);
	return out;
}

/* Tag and property filters narrow the query with LIKE on the stored JSON (a superset: the
 * exact test is post_match); 'pats' keeps the patterns alive until the query ran. */
static void add_json_prefilters(struct sqlb *sb, const struct image_filter *f, char **pats,
				int *npats)
{
	for (int i = 0; i < f->ntags && room(sb, 1); i++) {
		char *t = json_text(f->tags[i]);
		pats[*npats] = like_pattern(t);
		free(t);
		sqlb_add(sb, " AND tags LIKE ? ESCAPE '!'", pats[(*npats)++]);
	}
	for (int i = 0; i < f->nprops && room(sb, 1); i++) {
		char *k = json_text(f->prop_keys[i]), *v = json_text(f->prop_values[i]);
		char *kv = xasprintf("%s:%s", k, v);
		pats[*npats] = like_pattern(kv);
		free(k);
		free(v);
		free(kv);
		sqlb_add(sb, " AND props LIKE ? ESCAPE '!'", pats[(*npats)++]);
	}
}

static bool post_match(const json_t *img, const struct image_filter *f)
{
	const json_t *tags = json_object_get(img, "tags"), *t;
	size_t j;

	for (int i = 0; i < f->ntags; i++) {
		bool found = false;
		json_array_foreach(tags, j, t) {
			if (str_eq(json_string_value(t), f->tags[i]))
				found = true;
		}
		if (!found)
			return false;
	}
	for (int i = 0; i < f->nprops; i++)
		if (!str_eq(jsonx_str(img, f->prop_keys[i]), f->prop_values[i]))
			return false;
	return true;
}

/* Runs the list's query for one page of rows after 'marker' (NULL: from the start):
 * f->limit rows at most, in the sort order; the tag and property filters only narrow it
 * (see add_json_prefilters). Caller frees the result. */
static struct db_res *list_query(struct db *db, const struct image_filter *f,
				 const char *marker, struct err *err)
{
	const char *expr = "created_at";
	bool numeric = true;
	struct sqlb sb;
	struct db_res *res = NULL;
	char *marker_val = NULL, *order, *lim, *pats[2 * IMAGE_TAGS_MAX];
	int npats = 0;

	for (size_t i = 0; i < sizeof(sort_cols) / sizeof(sort_cols[0]); i++)
		if (str_eq(sort_cols[i].key, f->sort_key)) {
			expr = sort_cols[i].expr;
			numeric = sort_cols[i].numeric;
		}
	sqlb_init(&sb, IMAGE_COLS);
	sqlb_text(&sb, f->hidden ? " WHERE os_hidden = 1" : " WHERE os_hidden = 0");
	add_visibility(&sb, f);
	if (f->name != NULL)
		sqlb_add(&sb, " AND name = ?", f->name);
	if (f->status != NULL)
		sqlb_add(&sb, " AND status = ?", f->status);
	if (f->owner != NULL)
		sqlb_add(&sb, " AND owner = ?", f->owner);
	for (int i = 0; i < f->nconds; i++) {
		BUG_ON(!room(&sb, f->conds[i].nvalues));
		add_cond(&sb, &f->conds[i]);
	}
	add_json_prefilters(&sb, f, pats, &npats);
	if (marker != NULL &&
	    add_marker(db, &sb, f, expr, numeric, marker, &marker_val, err) < 0)
		goto out;
	order = xasprintf(" ORDER BY %s %s, id %s", expr, f->desc ? "DESC" : "ASC",
			  f->desc ? "DESC" : "ASC");
	sqlb_text(&sb, order);
	free(order);
	lim = xasprintf(" LIMIT %d", f->limit); /* an int, not client text */
	sqlb_text(&sb, lim);
	free(lim);
	res = db_query(db, err, sb.sql, sb.params, sb.n);
out:
	for (int i = 0; i < npats; i++)
		free(pats[i]);
	sqlb_free(&sb);
	free(marker_val);
	return res;
}

/* One page of rows after 'marker'; appends to 'list' the images that pass post_match, up
 * to f->limit in all. Returns the rows the database gave (a full page means there may be
 * more), -1 on error; '*last' is the id of the last row seen. */
static int list_page(struct db *db, const struct image_filter *f, const char *marker,
		     json_t *list, char **last, struct err *err)
{
	struct db_res *res = list_query(db, f, marker, err);
	int rows;

	if (res == NULL)
		return -1;
	rows = db_res_rows(res);
	for (int i = 0; i < rows && json_array_size(list) < (size_t)f->limit; i++) {
		json_t *img = image_row(res, i);
		if (post_match(img, f))
			json_array_append_new(list, img);
		else
			json_decref(img);
	}
	if (rows > 0) {
		free(*last);
		*last = xstrdup(db_res_str(res, rows - 1, 0));
	}
	db_res_free(res);
	return rows;
}

json_t *image_db_list(struct db *db, const struct image_filter *f, struct err *err)
{
	json_t *list = json_array();
	char *last = NULL;
	const char *marker = f->marker;
	int rows;

	/* only the tag and property filters drop rows after the query: then page on from
	 * the last row until the list is full or the table is done */
	for (;;) {
		rows = list_page(db, f, marker, list, &last, err);
		if (rows < 0) {
			json_decref(list);
			list = NULL;
			break;
		}
		if (rows < f->limit || json_array_size(list) >= (size_t)f->limit)
			break;
		marker = last;
	}
	free(last);
	return list;
}

/* ---- the list as JSON text ----
 *
 * The list is the service's hottest read: building a jansson object per row (and parsing
 * the props and tags columns into more of them) only to dump it all again cost most of
 * its time. So the list writes its text straight from the rows. jansson has no public
 * string escaper, hence the small one below. */

void image_json_grow(struct image_json *j, size_t size)
{
	size_t cap = j->cap ? j->cap : 4096;

	while (cap - j->size < size)
		cap *= 2;
	j->s = xrealloc(j->s, cap);
	j->cap = cap;
}

char *image_json_take(struct image_json *j)
{
	char *s;

	image_json_add(j, "", 1);
	s = j->s;
	*j = (struct image_json){ 0 };
	return s;
}

/* The characters of the JSON string for 's', without quotes: '"', '\' and the control
 * characters escaped; other bytes (UTF-8, validated when the data came in) pass through. */
static void json_chars(struct image_json *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		image_json_add(j, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			image_json_add(j, esc, 2);
		} else {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			image_json_add(j, esc, 6);
		}
	}
	image_json_add(j, run, (size_t)(s - run));
}

void image_json_str(struct image_json *j, const char *s)
{
	IMAGE_JSON_LIT(j, "\"");
	json_chars(j, s);
	IMAGE_JSON_LIT(j, "\"");
}

/* ', "key": ' for a literal key: the text and its size, as image_json_add takes them */
#define KEY(k) ", \"" k "\": ", sizeof(", \"" k "\": ") - 1

static void json_str_or_null(struct image_json *j, const char *key, size_t size,
			     const char *s)
{
	image_json_add(j, key, size);
	if (s != NULL)
		image_json_str(j, s);
	else
		IMAGE_JSON_LIT(j, "null");
}

static void json_int(struct image_json *j, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	image_json_add(j, p, (size_t)(buf + sizeof(buf) - p));
}

/* An integer column: its text as it is when it is a JSON integer of at most 18 digits
 * (what both engines give), else through db_res_int as image_row reads it. */
static void json_int_col(struct image_json *j, const struct db_res *res, int i, int col)
{
	const char *v = db_res_str(res, i, col), *p = v + (v[0] == '-');
	size_t n = 0;

	while (p[n] >= '0' && p[n] <= '9')
		n++;
	if (p[n] == '\0' && n > 0 && n <= 18 && (p[0] != '0' || n == 1))
		image_json_add(j, v, (size_t)(p - v) + n);
	else
		json_int(j, db_res_int(res, i, col));
}

static void json_int_or_null(struct image_json *j, const char *key, size_t size,
			     const struct db_res *res, int i, int col)
{
	image_json_add(j, key, size);
	if (db_res_str(res, i, col) != NULL)
		json_int_col(j, res, i, col);
	else
		IMAGE_JSON_LIT(j, "null");
}

static void json_bool(struct image_json *j, const char *key, size_t size, bool v)
{
	image_json_add(j, key, size);
	if (v)
		IMAGE_JSON_LIT(j, "true");
	else
		IMAGE_JSON_LIT(j, "false");
}

/* "YYYY-MM-DDTHH:MM:SSZ" as util_iso8601(us, 0) writes it, by arithmetic on the civil
 * calendar: gmtime_r takes glibc's time zone lock, which the list's threads would share
 * twice per row. Times outside years 1970 to 9999 go to util_iso8601. */
static void json_time(struct image_json *j, const char *key, size_t size, long long us)
{
	long long s = us / 1000000, z, era, doe, yoe, doy, mp, y, m, d, sec;
	char buf[32] = "\"0000-00-00T00:00:00Z\"";

	image_json_add(j, key, size);
	if (s < 0 || s >= 253402300800LL) {
		util_iso8601(us, 0, buf);
		image_json_str(j, buf);
		return;
	}
	sec = s % 86400;
	z = s / 86400 + 719468; /* days since 0000-03-01 */
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	buf[1] = (char)('0' + y / 1000);
	buf[2] = (char)('0' + y / 100 % 10);
	buf[3] = (char)('0' + y / 10 % 10);
	buf[4] = (char)('0' + y % 10);
	buf[6] = (char)('0' + m / 10);
	buf[7] = (char)('0' + m % 10);
	buf[9] = (char)('0' + d / 10);
	buf[10] = (char)('0' + d % 10);
	buf[12] = (char)('0' + sec / 36000);
	buf[13] = (char)('0' + sec / 3600 % 10);
	buf[15] = (char)('0' + sec % 3600 / 600);
	buf[16] = (char)('0' + sec % 3600 / 60 % 10);
	buf[18] = (char)('0' + sec % 60 / 10);
	buf[19] = (char)('0' + sec % 10);
	image_json_add(j, buf, 22);
}

/* Row 'i' as image_row + image_body would give it. The props column is a JSON object of
 * the custom properties and the tags column a JSON array of strings, both written by
 * props_text and tags_text (which leave the core keys out of props): their text is
 * spliced in as it is. */
static void row_json(struct image_json *j, const struct db_res *res, int i)
{
	const char *id = db_res_str(res, i, 0), *props = db_res_str(res, i, 18);
	const char *tags = db_res_str(res, i, 19);
	size_t n;

	IMAGE_JSON_LIT(j, "{\"id\": ");
	image_json_str(j, id);
	json_str_or_null(j, KEY("name"), db_res_str(res, i, 1));
	json_str_or_null(j, KEY("owner"), db_res_str(res, i, 2));
	json_str_or_null(j, KEY("status"), db_res_str(res, i, 3));
	json_str_or_null(j, KEY("visibility"), db_res_str(res, i, 4));
	json_str_or_null(j, KEY("disk_format"), db_res_str(res, i, 5));
	json_str_or_null(j, KEY("container_format"), db_res_str(res, i, 6));
	json_int_or_null(j, KEY("size"), res, i, 7);
	json_int_or_null(j, KEY("virtual_size"), res, i, 8);
	json_str_or_null(j, KEY("checksum"), db_res_str(res, i, 9));
	json_str_or_null(j, KEY("os_hash_algo"), db_res_str(res, i, 10));
	json_str_or_null(j, KEY("os_hash_value"), db_res_str(res, i, 11));
	json_int_or_null(j, KEY("min_disk"), res, i, 12);
	json_int_or_null(j, KEY("min_ram"), res, i, 13);
	json_bool(j, KEY("protected"), db_res_bool(res, i, 14));
	json_bool(j, KEY("os_hidden"), db_res_bool(res, i, 15));
	json_time(j, KEY("created_at"), db_res_int(res, i, 16));
	json_time(j, KEY("updated_at"), db_res_int(res, i, 17));
	image_json_add(j, KEY("tags"));
	n = tags ? strlen(tags) : 0;
	if (n >= 2 && tags[0] == '[' && tags[n - 1] == ']')
		image_json_add(j, tags, n);
	else
		IMAGE_JSON_LIT(j, "[]");
	/* the object's members without its braces: "{}" adds nothing */
	n = props ? strlen(props) : 0;
	if (n > 2 && props[0] == '{' && props[n - 1] == '}') {
		IMAGE_JSON_LIT(j, ", ");
		image_json_add(j, props + 1, n - 2);
	}
	IMAGE_JSON_LIT(j, ", \"self\": \"/v2/images/");
	json_chars(j, id);
	IMAGE_JSON_LIT(j, "\", \"file\": \"/v2/images/");
	json_chars(j, id);
	IMAGE_JSON_LIT(j, "/file\", \"schema\": \"/v2/schemas/image\"}");
}

int image_db_list_json(struct db *db, const struct image_filter *f, int max,
		       struct image_json *out, char **next, struct err *err)
{
	struct db_res *res;
	int rows, n;

	BUG_ON(f->ntags > 0 || f->nprops > 0 || f->limit != max + 1);
	*next = NULL;
	if ((res = list_query(db, f, f->marker, err)) == NULL)
		return -1;
	rows = db_res_rows(res);
	n = rows < max ? rows : max;
	image_json_grow(out, (size_t)n * 1024); /* a typical image, links and all */
	for (int i = 0; i < n; i++) {
		if (i > 0)
			IMAGE_JSON_LIT(out, ", ");
		row_json(out, res, i);
	}
	if (rows > max && n > 0)
		*next = xstrdup(db_res_str(res, n - 1, 0));
	db_res_free(res);
	return n;
}
