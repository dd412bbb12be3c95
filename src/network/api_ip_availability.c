/* Network IP availabilities: /v2.0/network-ip-availabilities (Neutron's
 * network-ip-availability extension). Per network and per subnet: total_ips, the size of
 * the subnet's allocation pools (the whole CIDR when it has none, as Neutron counts), and
 * used_ips, its rows of net_ip. Admin only: others get an empty list and 404s. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/net_int.h"

typedef unsigned __int128 u128;

/* An address as a 128-bit number (IPv4 in the low 32 bits); false when unparsable. */
static bool addr_num(const char *s, u128 *out)
{
	unsigned char b[16];
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		*out = ntohl(v4.s_addr);
		return true;
	}
	if (inet_pton(AF_INET6, s, b) != 1)
		return false;
	*out = 0;
	for (int i = 0; i < 16; i++)
		*out = (*out << 8) | b[i];
	return true;
}

/* Addresses of a subnet's pools (JSON [{"start", "end"}]); of the CIDR when no pool. */
static u128 subnet_total(const char *cidr, int version, const char *pools_text)
{
	json_t *pools = pools_text != NULL ? json_loads(pools_text, 0, NULL) : NULL;
	json_t *p;
	size_t i;
	u128 total = 0, a, b;
	const char *slash;
	int bits;

	if (json_is_array(pools) && json_array_size(pools) > 0) {
		json_array_foreach(pools, i, p) {
			const char *s = jsonx_str(p, "start"), *e = jsonx_str(p, "end");
			if (s != NULL && e != NULL && addr_num(s, &a) && addr_num(e, &b) && b >= a)
				total += b - a + 1;
		}
		json_decref(pools);
		return total;
	}
	json_decref(pools);
	slash = cidr != NULL ? strchr(cidr, '/') : NULL;
	bits = (version == 6 ? 128 : 32) - (slash != NULL ? atoi(slash + 1) : 0);
	if (bits <= 0)
		return 1;
	return bits >= 128 ? ~(u128)0 : (u128)1 << bits;
}

/* A count as JSON: an integer, or a real past what a JSON integer holds (large IPv6
 * pools; Python's clients read either). */
static json_t *count_json(u128 n)
{
	if (n <= (u128)INT64_MAX)
		return json_integer((json_int_t)n);
	return json_real((double)n);
}

struct avail_filter {
	struct req *rq;
	struct sqlb *sb;
	struct err *err;
	int rc;
};

/* network_id, network_name, project_id/tenant_id and ip_version, as Neutron filters. */
static int add_filter(void *ctx, const char *key, const char *val)
{
	struct avail_filter *f = ctx;

	if (val == NULL)
		val = "";
	if (strcmp(key, "network_id") == 0)
		sqlb_add(f->sb, " AND n.id = ?", val);
	else if (strcmp(key, "network_name") == 0)
		sqlb_add(f->sb, " AND n.name = ?", val);
	else if (strcmp(key, "project_id") == 0 || strcmp(key, "tenant_id") == 0)
		sqlb_add(f->sb, " AND n.project_id = ?", val);
	else if (strcmp(key, "ip_version") == 0) {
		if (strcmp(val, "4") != 0 && strcmp(val, "6") != 0) {
			f->rc = err_set(f->err, ERR_BAD_REQUEST,
					"Invalid input for ip_version. Reason: '%s' is not in "
					"[4, 6].",
					val);
			return 1;
		}
		sqlb_add(f->sb, " AND s.ip_version = ?", val);
	}
	return 0;
}

/* The availabilities of the networks the query selects ('network_id': that one only),
 * in network order. Caller owns. */
static json_t *availabilities(struct req *rq, struct db *db, const char *network_id,
			      struct err *err)
{
	struct sqlb sb;
	struct avail_filter f = { rq, &sb, err, 0 };
	struct db_res *res;
	json_t *list = json_array(), *net = NULL;
	u128 net_total = 0, net_used = 0;

	sqlb_init(&sb, "SELECT n.id, n.name, n.project_id, s.id, s.name, s.ip_version, s.cidr,"
		       " s.allocation_pools, (SELECT COUNT(*) FROM net_ip i"
		       " WHERE i.subnet_id = s.id) FROM net_network n"
		       " LEFT JOIN net_subnet s ON s.network_id = n.id WHERE 1 = 1");
	if (network_id != NULL)
		sqlb_add(&sb, " AND n.id = ?", network_id);
	else
		req_query_each(rq, add_filter, &f);
	sqlb_text(&sb, " ORDER BY n.id, s.created_at, s.id");
	res = f.rc < 0 ? NULL : db_query(db, err, sb.sql, sb.params, sb.n);
	sqlb_free(&sb);
	if (res == NULL) {
		json_decref(list);
		return NULL;
	}
	for (int r = 0; r < db_res_rows(res); r++) {
		const char *nid = db_res_str(res, r, 0);
		if (net == NULL || strcmp(jsonx_str(net, "network_id"), nid) != 0) {
			if (net != NULL) {
				json_object_set_new(net, "total_ips", count_json(net_total));
				json_object_set_new(net, "used_ips", count_json(net_used));
			}
			net = json_pack("{s:s,s:s,s:s,s:s,s:[]}", "network_id", nid,
					"network_name", db_res_str(res, r, 1), "project_id",
					db_res_str(res, r, 2), "tenant_id", db_res_str(res, r, 2),
					"subnet_ip_availability");
			json_array_append_new(list, net);
			net_total = net_used = 0;
		}
		if (db_res_str(res, r, 3) != NULL) {
			int version = (int)db_res_int(res, r, 5);
			u128 total = subnet_total(db_res_str(res, r, 6), version,
						  db_res_str(res, r, 7));
			u128 used = (u128)db_res_int(res, r, 8);
			json_array_append_new(
				json_object_get(net, "subnet_ip_availability"),
				json_pack("{s:s,s:s,s:i,s:s,s:o,s:o}", "subnet_id",
					  db_res_str(res, r, 3), "subnet_name",
					  db_res_str(res, r, 4), "ip_version", version, "cidr",
					  db_res_str(res, r, 6), "total_ips", count_json(total),
					  "used_ips", count_json(used)));
			net_total += total;
			net_used += used;
		}
	}
	if (net != NULL) {
		json_object_set_new(net, "total_ips", count_json(net_total));
		json_object_set_new(net, "used_ips", count_json(net_used));
	}
	db_res_free(res);
	return list;
}

static int avail_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *list;

	if (db == NULL)
		return -1;
	if (!net_is_admin(rq))
		list = json_array();
	else if ((list = availabilities(rq, db, NULL, err)) == NULL)
		return -1;
	net_keep_fields(rq, list);
	reply_json(rq, 200, json_pack("{s:o}", "network_ip_availabilities", list));
	return 0;
}

static int avail_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "network_id");
	json_t *list;

	if (db == NULL)
		return -1;
	if (!net_is_admin(rq))
		return err_set(err, ERR_NOT_FOUND, "Network %s could not be found.", id);
	if ((list = availabilities(rq, db, id, err)) == NULL)
		return -1;
	if (json_array_size(list) == 0) {
		json_decref(list);
		return err_set(err, ERR_NOT_FOUND, "Network %s could not be found.", id);
	}
	net_keep_fields(rq, list);
	reply_json(rq, 200,
		   json_pack("{s:O}", "network_ip_availability", json_array_get(list, 0)));
	json_decref(list);
	return 0;
}

const struct route net_ipavail_routes[] = {
	{ HTTP_GET, "/v2.0/network-ip-availabilities", avail_list, "network:get_network_ip_availability" },
	{ HTTP_GET, "/v2.0/network-ip-availabilities/{network_id}", avail_show,
	  "network:get_network_ip_availability" },
	{ 0 },
};
