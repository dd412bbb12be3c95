/* Agents: /v2.0/agents (Neutron's agent extension). ciel's network agent runs in process
 * (or as `ciel agent` on each host) and does the work of Neutron's Linux bridge, DHCP, L3
 * and metadata agents; it registers one row per part and host, as those agents do, and
 * beats its heart periodically. An agent is alive when its last heartbeat is younger than
 * Neutron's default agent_down_time (75 s). Only the admin sees agents: others get an
 * empty list and 404s, as Neutron's admin_only policy gives them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/net_int.h"

#define AGENT_DOWN_US (75LL * 1000000) /* Neutron's agent_down_time */

struct agent_kind {
	const char *type, *binary, *topic;
	const char *zone;   /* availability_zone, NULL: none (as Neutron's L2/metadata) */
	const char *config; /* configurations, JSON */
};

static const struct agent_kind kinds[] = {
	{ "Linux bridge agent", "neutron-linuxbridge-agent", "N/A", NULL,
	  "{\"tunnel_types\": [\"vxlan\"], \"bridge_mappings\": {}, "
	  "\"interface_mappings\": {}, \"l2_population\": false, \"devices\": 0}" },
	{ "DHCP agent", "neutron-dhcp-agent", "dhcp_agent", "nova",
	  "{\"dhcp_driver\": \"dnsmasq\", \"dhcp_lease_duration\": 86400}" },
	{ "L3 agent", "neutron-l3-agent", "l3_agent", "nova",
	  "{\"agent_mode\": \"legacy\", \"handle_internal_only_routers\": true}" },
	{ "Metadata agent", "neutron-metadata-agent", "N/A", NULL, "{}" },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* The host this process registered as (set once at start, before any heartbeat). */
static char agent_host[256];

static const char *this_host(void)
{
	if (agent_host[0] == '\0' && gethostname(agent_host, sizeof(agent_host) - 1) < 0)
		snprintf(agent_host, sizeof(agent_host), "localhost");
	return agent_host;
}

int net_agents_register(struct db *db, const char *host, struct err *err)
{
	char now[24], id[37];

	if (host != NULL && *host)
		snprintf(agent_host, sizeof(agent_host), "%s", host);
	host = this_host();
	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	for (const struct agent_kind *k = kinds; k->type; k++) {
		int n = db_exec(db, err,
				"UPDATE net_agent SET started_at = ?, heartbeat_at = ?,"
				" binary_name = ?, topic = ? WHERE agent_type = ? AND host = ?",
				DBP(now, now, k->binary, k->topic, k->type, host));
		if (n < 0)
			return -1;
		if (n > 0)
			continue;
		util_uuid(id);
		if (db_exec(db, err,
			    "INSERT INTO net_agent (id, agent_type, binary_name, host, topic,"
			    " availability_zone, configurations, created_at, started_at,"
			    " heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    DBP(id, k->type, k->binary, host, k->topic, k->zone, k->config, now,
				now, now)) < 0)
			return -1;
	}
	return 0;
}

int net_agents_heartbeat(struct db *db, struct err *err)
{
	char now[24];

	snprintf(now, sizeof(now), "%lld", (long long)util_now_us());
	return db_exec(db, err, "UPDATE net_agent SET heartbeat_at = ? WHERE host = ?",
		       DBP(now, this_host())) < 0
		       ? -1
		       : 0;
}

/* "2017-09-12 19:40:08", the form Neutron shows agents' times in (UTC). */
static json_t *agent_time(const char *us)
{
	char buf[32];
	time_t t;
	struct tm tm;

	if (us == NULL)
		return json_null();
	t = (time_t)(strtoll(us, NULL, 10) / 1000000);
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	return json_string(buf);
}

#define AGENT_COLUMNS                                                                     \
	"SELECT id, agent_type, binary_name, host, topic, admin_state_up, description,"   \
	" availability_zone, configurations, created_at, started_at, heartbeat_at"        \
	" FROM net_agent"

static json_t *agent_json(const struct db_res *res, int r, long long now)
{
	json_t *conf = json_loads(db_res_str(res, r, 8), 0, NULL);
	long long beat = db_res_int(res, r, 11);
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(db_res_str(res, r, 0)));
	json_object_set_new(o, "agent_type", json_string(db_res_str(res, r, 1)));
	json_object_set_new(o, "binary", json_string(db_res_str(res, r, 2)));
	json_object_set_new(o, "host", json_string(db_res_str(res, r, 3)));
	json_object_set_new(o, "topic", json_string(db_res_str(res, r, 4)));
	json_object_set_new(o, "admin_state_up", json_boolean(db_res_bool(res, r, 5)));
	jsonx_set_str_or_null(o, "description", db_res_str(res, r, 6));
	jsonx_set_str_or_null(o, "availability_zone", db_res_str(res, r, 7));
	json_object_set_new(o, "configurations", conf != NULL ? conf : json_object());
	json_object_set_new(o, "created_at", agent_time(db_res_str(res, r, 9)));
	json_object_set_new(o, "started_at", agent_time(db_res_str(res, r, 10)));
	json_object_set_new(o, "heartbeat_timestamp", agent_time(db_res_str(res, r, 11)));
	json_object_set_new(o, "alive", json_boolean(now - beat < AGENT_DOWN_US));
	json_object_set_new(o, "resources_synced", json_null());
	return o;
}

/* Keeps the keys ?fields= names (all when none). */
static void keep_fields(struct req *rq, json_t *o)
{
	json_t *one = json_pack("[O]", o);

	net_keep_fields(rq, one);
	json_decref(one);
}

/* List filters: attribute -> column (NULL: handled apart). */
static const char *const filters[][2] = {
	{ "id", "id" },
	{ "agent_type", "agent_type" },
	{ "binary", "binary_name" },
	{ "host", "host" },
	{ "topic", "topic" },
	{ "availability_zone", "availability_zone" },
	{ "description", "description" },
	{ "admin_state_up", "admin_state_up" },
	{ "alive", NULL },
	{ NULL, NULL },
};

struct list_ctx {
	struct req *rq;
	struct sqlb *sb;
	struct err *err;
	int rc;
};

static int add_filter(void *ctx, const char *key, const char *val)
{
	struct list_ctx *c = ctx;
	int b;

	if (val == NULL)
		val = "";
	for (int i = 0; filters[i][0]; i++) {
		if (strcmp(filters[i][0], key) != 0)
			continue;
		if (strcmp(key, "alive") == 0 || strcmp(key, "admin_state_up") == 0) {
			if ((b = util_parse_bool(val)) < 0) {
				c->rc = err_set(c->err, ERR_BAD_REQUEST,
						"Invalid input for %s. Reason: '%s' cannot be "
						"converted to boolean.",
						key, val);
				return 1;
			}
			if (strcmp(key, "alive") == 0)
				sqlb_add(c->sb,
					 b ? " AND heartbeat_at > ?" : " AND heartbeat_at <= ?",
					 req_printf(c->rq, "%lld",
						    (long long)util_now_us() - AGENT_DOWN_US));
			else
				sqlb_add(c->sb, " AND admin_state_up = ?", b ? "1" : "0");
			return 0;
		}
		sqlb_text(c->sb, " AND ");
		sqlb_text(c->sb, filters[i][1]);
		sqlb_add(c->sb, " = ?", val);
		return 0;
	}
	return 0;
}

/* GET /v2.0/agents: the admin's; filters are ANDed (a repeated key: each must hold). */
static int agents_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	struct sqlb sb;
	struct list_ctx c = { rq, &sb, err, 0 };
	struct db_res *res;
	json_t *list = json_array();
	long long now = util_now_us();

	if (db == NULL) {
		json_decref(list);
		return -1;
	}
	if (!net_is_admin(rq)) {
		reply_json(rq, 200, json_pack("{s:o}", "agents", list));
		return 0;
	}
	sqlb_init(&sb, AGENT_COLUMNS " WHERE 1 = 1");
	req_query_each(rq, add_filter, &c);
	sqlb_text(&sb, " ORDER BY host, agent_type");
	res = c.rc < 0 ? NULL : db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL) {
		json_decref(list);
		return -1;
	}
	for (int r = 0; r < db_res_rows(res); r++) {
		json_t *o = agent_json(res, r, now);
		keep_fields(rq, o);
		json_array_append_new(list, o);
	}
	db_res_free(res);
	reply_json(rq, 200, json_pack("{s:o}", "agents", list));
	return 0;
}

/* The agent 'id' as a body; 404 for others than the admin. Caller owns. */
static json_t *agent_find(struct req *rq, struct db *db, const char *id, struct err *err)
{
	struct db_res *res;
	json_t *o;

	if (!net_is_admin(rq))
		return err_set(err, ERR_NOT_FOUND, "Agent %s could not be found.", id), NULL;
	if ((res = db_query(db, err, AGENT_COLUMNS " WHERE id = ?", DBP(id))) == NULL)
		return NULL;
	if (db_res_rows(res) == 0) {
		db_res_free(res);
		return err_set(err, ERR_NOT_FOUND, "Agent %s could not be found.", id), NULL;
	}
	o = agent_json(res, 0, util_now_us());
	db_res_free(res);
	return o;
}

static void reply_agent(struct req *rq, int status, json_t *o)
{
	keep_fields(rq, o);
	reply_json(rq, status, json_pack("{s:o}", "agent", o));
}

static int agent_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *o;

	if (db == NULL || (o = agent_find(rq, db, req_param(rq, "id"), err)) == NULL)
		return -1;
	reply_agent(rq, 200, o);
	return 0;
}

/* PUT /v2.0/agents/{id}: admin_state_up and description only. */
static int agent_update(struct req *rq, struct err *err)
{
	static const struct jsonx_field fields[] = {
		{ "admin_state_up", JX_BOOL, false, 0, 0 },
		{ "description", JX_STRING | JX_NULL, false, 255, 0 },
		{ NULL, 0, false, 0, 0 },
	};
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *body, *a, *o = NULL, *v;

	if (db == NULL || (body = req_json(rq, err)) == NULL ||
	    (a = jsonx_member_object(body, "agent", err)) == NULL)
		return -1;
	if ((o = agent_find(rq, db, id, err)) == NULL)
		return -1;
	json_decref(o);
	o = NULL;
	if (jsonx_validate(a, fields, false, err) < 0)
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if ((v = json_object_get(a, "admin_state_up")) != NULL &&
	    db_exec(db, err, "UPDATE net_agent SET admin_state_up = ? WHERE id = ?",
		    DBP(json_is_true(v) ? "1" : "0", id)) < 0)
		goto fail;
	if ((v = json_object_get(a, "description")) != NULL &&
	    db_exec(db, err, "UPDATE net_agent SET description = ? WHERE id = ?",
		    DBP(json_string_value(v), id)) < 0)
		goto fail;
	if ((o = agent_find(rq, db, id, err)) == NULL || db_commit(db, err) < 0)
		goto fail;
	reply_agent(rq, 200, o);
	net_changed();
	return 0;
fail:
	json_decref(o);
	db_rollback(db);
	return -1;
}

/* DELETE /v2.0/agents/{id}: the row goes; a running agent registers again at its next
 * start. */
static int agent_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	int n;

	if (db == NULL)
		return -1;
	if (!net_is_admin(rq))
		return err_set(err, ERR_NOT_FOUND, "Agent %s could not be found.", id);
	if ((n = db_exec(db, err, "DELETE FROM net_agent WHERE id = ?", DBP(id))) < 0)
		return -1;
	if (n == 0)
		return err_set(err, ERR_NOT_FOUND, "Agent %s could not be found.", id);
	reply_empty(rq, 204);
	return 0;
}

const struct route net_agent_routes[] = {
	{ HTTP_GET, "/v2.0/agents", agents_list, "network:get_agent" },
	{ HTTP_GET, "/v2.0/agents/{id}", agent_show, "network:get_agent" },
	{ HTTP_PUT, "/v2.0/agents/{id}", agent_update, "network:update_agent" },
	{ HTTP_DELETE, "/v2.0/agents/{id}", agent_delete, "network:delete_agent" },
	{ 0 },
};
