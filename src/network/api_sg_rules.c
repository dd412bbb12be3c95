/* Security group rules: /v2.0/security-group-rules. A rule belongs to one group and says
 * which traffic it lets in (ingress) or out (egress): an ethertype, a protocol (a name
 * of Neutron's list, a number 0-255 or any), a port range (for ICMP: type and code) and
 * a remote side (a prefix or the members of a group, not both). Rules have no update; a
 * rule's project is its group's unless the admin names one. The data plane applies a
 * change to live ports on its next sync (net_changed). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sqlb.h"
#include "core/util.h"
#include "network/net_int.h"
#include "network/sg_int.h"

static const struct net_attr rule_attrs[] = {
	{ "security_group_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST, 0 },
	{ "direction", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST, 0 },
	{ "ethertype", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST, 0 },
	{ "protocol", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "port_range_min", NULL, NA_INT, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "port_range_max", NULL, NA_INT, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "remote_ip_prefix", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "remote_group_id", NULL, NA_STR, NAF_FILTER | NAF_SORT | NAF_POST | NAF_NULL, 0 },
	{ "remote_address_group_id", NULL, NA_STR, NAF_FILTER | NAF_POST | NAF_NULL, 0 },
	{ "description", NULL, NA_STR, NAF_FILTER | NAF_POST, 0 },
	{ 0 },
};

/* Keys whose values this file converts and checks itself, with Neutron's own messages. */
static const char *const rule_own_keys[] = {
	"direction",	    "ethertype",	"protocol",	    "port_range_min",
	"port_range_max",   "remote_ip_prefix", "remote_group_id", "remote_address_group_id",
	"security_group_id", NULL,
};

/* Neutron's protocol names (neutron-lib's IP_PROTOCOL_MAP) and their numbers. */
static const struct {
	const char *name;
	int num;
} protocols[] = {
	{ "ah", 51 },	      { "dccp", 33 },	     { "egp", 8 },	    { "esp", 50 },
	{ "gre", 47 },	      { "hopopt", 0 },	     { "icmp", 1 },	    { "igmp", 2 },
	{ "ip", 0 },	      { "ipip", 4 },	     { "ipv6-encap", 41 },  { "ipv6-frag", 44 },
	{ "ipv6-icmp", 58 },  { "icmpv6", 58 },	     { "ipv6-nonxt", 59 },  { "ipv6-opts", 60 },
	{ "ipv6-route", 43 }, { "ospf", 89 },	     { "pgm", 113 },	    { "rsvp", 46 },
	{ "sctp", 132 },      { "tcp", 6 },	     { "udp", 17 },	    { "udplite", 136 },
	{ "vrrp", 112 },
};

#define NPROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

/* ---- prefixes ---- */

/* Parses "address[/length]" of either family. Fills 'canon' with the address as given
 * in canonical text and its length ("10.0.0.5/24"), 'net' with the network ("10.0.0.0/24").
 * Returns 4 or 6, or 0 when it is no prefix. */
static int parse_prefix(const char *s, char canon[64], char net[64])
{
	char buf[64], txt[INET6_ADDRSTRLEN];
	unsigned char a[16];
	char *slash, *end;
	long len;
	int af, max, bytes;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		af = AF_INET, max = 32, bytes = 4;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		af = AF_INET6, max = 128, bytes = 16;
	else
		return 0;
	len = max;
	if (slash != NULL) {
		if (*slash < '0' || *slash > '9')
			return 0;
		len = strtol(slash, &end, 10);
		if (*end != '\0' || len < 0 || len > max)
			return 0;
	}
	inet_ntop(af, a, txt, sizeof(txt));
	snprintf(canon, 64, "%.46s/%d", txt, (int)(len & 0xff));
	for (int i = 0; i < bytes; i++) {
		long keep = len - 8L * i;
		if (keep <= 0)
			a[i] = 0;
		else if (keep < 8)
			a[i] &= (unsigned char)(0xff << (8 - keep));
	}
	inet_ntop(af, a, txt, sizeof(txt));
	snprintf(net, 64, "%.46s/%d", txt, (int)(len & 0xff));
	return af == AF_INET ? 4 : 6;
}

/* normalized_cidr: the network of remote_ip_prefix; belongs_to_default_sg. */
static int rule_decorate(struct req *rq, struct db *db, json_t *items, struct err *err)
{
	size_t i, n = json_array_size(items);
	json_t *o;

	(void)rq;
	for (size_t from = 0; from < n; from += 30) {
		size_t chunk = n - from < 30 ? n - from : 30;
		struct sqlb sb;
		struct db_res *res;

		sqlb_init(&sb, "SELECT secgroup_id FROM net_default_sg WHERE secgroup_id IN (");
		for (size_t j = 0; j < chunk; j++)
			sqlb_add(&sb, j ? ", ?" : "?",
				 jsonx_str(json_array_get(items, from + j), "security_group_id"));
		sqlb_text(&sb, ")");
		res = db_query(db, err, sb.sql, sb.params, sb.n);
		sqlb_free(&sb);
		if (res == NULL)
			return -1;
		for (size_t j = from; j < from + chunk; j++) {
			bool def = false;
			o = json_array_get(items, j);
			for (int r = 0; r < db_res_rows(res) && !def; r++)
				def = str_eq(db_res_str(res, r, 0),
					     jsonx_str(o, "security_group_id"));
			json_object_set_new(o, "belongs_to_default_sg", json_boolean(def));
		}
		db_res_free(res);
	}
	json_array_foreach(items, i, o) {
		char canon[64], net[64];
		const char *p = jsonx_str(o, "remote_ip_prefix");

		json_object_set_new(o, "normalized_cidr",
				    p != NULL && parse_prefix(p, canon, net) ? json_string(net)
									     : json_null());
	}
	return 0;
}

const struct net_rdef net_sg_rule_rdef = {
	.name = "security_group_rule",
	.plural = "security_group_rules",
	.title = "Security group rule",
	.table = "net_sg_rule",
	.attrs = rule_attrs,
	.decorate = rule_decorate,
};

/* ---- checks (Neutron's API converters, then its database-layer checks) ---- */

/* A string attribute that may be given or null; 400 for another type. */
static int opt_string(const json_t *item, const char *key, const char **out, struct err *err)
{
	json_t *v = json_object_get(item, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for %s. Reason: '%s' is not a valid string.", key,
			       json_is_integer(v) ? "number" : "value");
	*out = json_string_value(v);
	return 0;
}

/* protocol: null and "any" are any (null); a number 0-255 is kept as its text; a name of
 * the list in lower case. Sets the stored value in 'item'. */
static int convert_protocol(json_t *item, struct err *err)
{
	json_t *v = json_object_get(item, "protocol");
	char text[32];
	const char *s;

	if (v == NULL || json_is_null(v)) {
		json_object_set_new(item, "protocol", json_null());
		return 0;
	}
	if (json_is_integer(v)) {
		long long n = json_integer_value(v);
		if (n >= 0 && n <= 255) {
			snprintf(text, sizeof(text), "%lld", n);
			json_object_set_new(item, "protocol", json_string(text));
			return 0;
		}
		snprintf(text, sizeof(text), "%lld", n);
		s = text;
	} else if (json_is_string(v)) {
		char *end;
		long n;

		s = json_string_value(v);
		if (strcasecmp(s, "any") == 0) {
			json_object_set_new(item, "protocol", json_null());
			return 0;
		}
		n = strtol(s, &end, 10);
		if (*s != '\0' && *end == '\0' && n >= 0 && n <= 255 && ((*s >= '0' && *s <= '9') || *s == '+')) {
			snprintf(text, sizeof(text), "%ld", n);
			json_object_set_new(item, "protocol", json_string(text));
			return 0;
		}
		for (size_t i = 0; i < NPROTOCOLS; i++)
			if (strcasecmp(s, protocols[i].name) == 0) {
				json_object_set_new(item, "protocol",
						    json_string(protocols[i].name));
				return 0;
			}
	} else
		s = "value";
	return err_set(err, ERR_BAD_REQUEST,
		       "Security group rule protocol %s not supported. Only protocol values "
		       "(None, 'any', 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', "
		       "'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', "
		       "'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', "
		       "'tcp', 'udp', 'udplite', 'vrrp') and integer representations [0 to 255] are "
		       "supported.",
		       s);
}

/* The protocol's number: -1 for any. */
static int protocol_number(const char *p)
{
	if (p == NULL)
		return -1;
	for (size_t i = 0; i < NPROTOCOLS; i++)
		if (strcmp(p, protocols[i].name) == 0)
			return protocols[i].num;
	return atoi(p);
}

/* A port: null, or 0-65535 as a number or a numeric string. */
static int convert_port(json_t *item, const char *key, struct err *err)
{
	json_t *v = json_object_get(item, key);
	long long n;
	char text[64];

	if (v == NULL || json_is_null(v)) {
		json_object_set_new(item, key, json_null());
		return 0;
	}
	if (json_is_integer(v)) {
		n = json_integer_value(v);
		snprintf(text, sizeof(text), "%lld", n);
	} else if (json_is_string(v)) {
		char *end;
		const char *s = json_string_value(v);
		n = strtoll(s, &end, 10);
		snprintf(text, sizeof(text), "%.40s", s);
		if (*s == '\0' || *end != '\0')
			n = -1;
	} else {
		n = -1;
		snprintf(text, sizeof(text), "%s", json_is_true(v) || json_is_false(v)
							   ? (json_is_true(v) ? "True" : "False")
							   : "value");
	}
	if (n < 0 || n > 65535)
		return err_set(err, ERR_BAD_REQUEST, "Invalid value for port %s", text);
	json_object_set_new(item, key, json_integer(n));
	return 0;
}

static const char *const ipv6_only_protocols[] = {
	"ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt", "ipv6-opts",
	"ipv6-route", "41", "44", "58", "59", "60", "43", NULL,
};

/* The port range against the protocol, as Neutron's _validate_port_range. */
static int check_ports(const json_t *item, struct err *err)
{
	json_t *vmin = json_object_get(item, "port_range_min");
	json_t *vmax = json_object_get(item, "port_range_max");
	const char *proto = jsonx_str(item, "protocol");
	long long min = json_integer_value(vmin), max = json_integer_value(vmax);
	bool has_min = json_is_integer(vmin), has_max = json_is_integer(vmax);
	int num;

	if (!has_min && !has_max)
		return 0;
	if (proto == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Must also specify protocol if port range is given.");
	num = protocol_number(proto);
	if (num == 6 || num == 17 || num == 33 || num == 132 || num == 136) {
		if ((has_min && min == 0) || (has_max && max == 0))
			return err_set(err, ERR_BAD_REQUEST, "Invalid value for port 0");
		if (has_min && has_max && min <= max)
			return 0;
		return err_set(err, ERR_BAD_REQUEST,
			       "For TCP/UDP protocols, port_range_min must be <= port_range_max");
	}
	if (num == 1 || num == 58) {
		if (has_min && min > 255)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid value for ICMP type (port_range_min) %lld. It "
				       "must be 0 to 255.",
				       min);
		if (has_max && max > 255)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid value for ICMP code (port_range_max) %lld. It "
				       "must be 0 to 255.",
				       max);
		if (!has_min && has_max)
			return err_set(err, ERR_BAD_REQUEST,
				       "ICMP code (port-range-max) %lld is provided but ICMP "
				       "type (port-range-min) is missing.",
				       max);
		return 0;
	}
	return err_set(err, ERR_BAD_REQUEST,
		       "Ports cannot be specified for protocol %d. Ports are only supported "
		       "for DCCP, SCTP, TCP, UDP, UDPLITE.",
		       num);
}

/* Converts and checks a rule body already through net_check_item; the database checks
 * (groups exist, duplicates) come after. */
static int check_rule(json_t *item, struct err *err)
{
	const char *dir, *eth, *prefix, *rg, *sgid, *ag;
	char canon[64], net[64];

	if (json_object_get(item, "security_group_id") == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Failed to parse request. Required "
						     "attribute 'security_group_id' not "
						     "specified");
	if (json_object_get(item, "direction") == NULL)
		return err_set(err, ERR_BAD_REQUEST, "Failed to parse request. Required "
						     "attribute 'direction' not specified");
	if (json_is_string(json_object_get(item, "remote_ip_prefix")) &&
	    *jsonx_str(item, "remote_ip_prefix") == '\0')
		json_object_set_new(item, "remote_ip_prefix", json_null());
	if (opt_string(item, "security_group_id", &sgid, err) < 0 ||
	    opt_string(item, "direction", &dir, err) < 0 ||
	    opt_string(item, "remote_group_id", &rg, err) < 0 ||
	    opt_string(item, "remote_address_group_id", &ag, err) < 0 ||
	    opt_string(item, "remote_ip_prefix", &prefix, err) < 0)
		return -1;
	if (sgid == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for security_group_id. Reason: 'None' is not a "
			       "valid value.");
	if (dir == NULL || (strcmp(dir, "ingress") != 0 && strcmp(dir, "egress") != 0))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for direction. Reason: '%s' is not in ['ingress', "
			       "'egress'].",
			       dir != NULL ? dir : "None");
	if (convert_protocol(item, err) < 0 || convert_port(item, "port_range_min", err) < 0 ||
	    convert_port(item, "port_range_max", err) < 0)
		return -1;
	/* ethertype: case-insensitive, IPv4 by default */
	if (json_object_get(item, "ethertype") == NULL)
		eth = "IPv4";
	else {
		const char *e = jsonx_str(item, "ethertype");
		eth = e != NULL && strcasecmp(e, "IPv4") == 0	? "IPv4"
		      : e != NULL && strcasecmp(e, "IPv6") == 0 ? "IPv6"
								: NULL;
		if (eth == NULL)
			return err_set(err, ERR_BAD_REQUEST,
				       "Security group rule for ethertype '%s' not supported. "
				       "Allowed values are ['IPv4', 'IPv6'].",
				       e != NULL ? e : "None");
	}
	json_object_set_new(item, "ethertype", json_string(eth));
	if (prefix != NULL) {
		int v = parse_prefix(prefix, canon, net);
		if (v == 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid CIDR %s given as IP prefix.", prefix);
	}
	/* IPv6 ICMP under its legacy names (or number) becomes ipv6-icmp (58) */
	if (strcmp(eth, "IPv6") == 0 &&
	    (str_eq(jsonx_str(item, "protocol"), "icmp") ||
	     str_eq(jsonx_str(item, "protocol"), "icmpv6")))
		json_object_set_new(item, "protocol", json_string("ipv6-icmp"));
	if (strcmp(eth, "IPv6") == 0 && str_eq(jsonx_str(item, "protocol"), "1"))
		json_object_set_new(item, "protocol", json_string("58"));
	/* the whole range 1-65535 is no range */
	if (json_integer_value(json_object_get(item, "port_range_min")) == 1 &&
	    json_integer_value(json_object_get(item, "port_range_max")) == 65535) {
		json_object_set_new(item, "port_range_min", json_null());
		json_object_set_new(item, "port_range_max", json_null());
	}
	if (check_ports(item, err) < 0)
		return -1;
	if (prefix != NULL) {
		int v = parse_prefix(prefix, canon, net);
		if ((v == 4) != (strcmp(eth, "IPv4") == 0))
			return err_set(err, ERR_BAD_REQUEST,
				       "Conflicting value ethertype %s for CIDR %s", eth, prefix);
		/* 'prefix' is freed with the value it replaces */
		json_object_set_new(item, "remote_ip_prefix", json_string(canon));
		prefix = jsonx_str(item, "remote_ip_prefix");
	}
	if (strcmp(eth, "IPv4") == 0 && jsonx_str(item, "protocol") != NULL)
		for (int i = 0; ipv6_only_protocols[i]; i++)
			if (strcmp(jsonx_str(item, "protocol"), ipv6_only_protocols[i]) == 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid ethertype %s for protocol %s.", eth,
					       ipv6_only_protocols[i]);
	if ((prefix != NULL) + (rg != NULL) + (ag != NULL) > 1)
		return err_set(err, ERR_BAD_REQUEST,
			       "Only one of remote_ip_prefix or remote_group_id or "
			       "remote_address_group_id may be provided.");
	if (ag != NULL)
		return err_set(err, ERR_NOT_FOUND, "Address group %s could not be found.", ag);
	return 0;
}

/* A remote_ip_prefix as Neutron's duplicate check sees it: the any-address prefixes are
 * no prefix (NULL). */
static const char *prefix_key(const char *p)
{
	return p == NULL || strcmp(p, "0.0.0.0/0") == 0 || strcmp(p, "::/0") == 0 ? NULL : p;
}

/* The id of a rule of the same group that matches 'item' in every attribute that makes
 * traffic, as Neutron compares them (protocols by number, prefixes as text with the
 * any-address ones as none), or NULL; "" on error. Borrowed from rq. */
static const char *duplicate(struct req *rq, struct db *db, const json_t *item,
			     struct err *err)
{
	struct db_res *res = db_query(
		db, err,
		"SELECT id, protocol, port_range_min, port_range_max, remote_ip_prefix,"
		" remote_group_id FROM net_sg_rule WHERE security_group_id = ?"
		" AND direction = ? AND ethertype = ?",
		DBP(jsonx_str(item, "security_group_id"), jsonx_str(item, "direction"),
		    jsonx_str(item, "ethertype")));
	const char *found = NULL;
	int want = protocol_number(jsonx_str(item, "protocol"));
	json_t *pmin = json_object_get(item, "port_range_min");
	json_t *pmax = json_object_get(item, "port_range_max");

	if (res == NULL)
		return "";
	for (int r = 0; r < db_res_rows(res) && found == NULL; r++) {
		if (protocol_number(db_res_str(res, r, 1)) != want ||
		    (db_res_str(res, r, 2) == NULL) != !json_is_integer(pmin) ||
		    (json_is_integer(pmin) &&
		     db_res_int(res, r, 2) != json_integer_value(pmin)) ||
		    (db_res_str(res, r, 3) == NULL) != !json_is_integer(pmax) ||
		    (json_is_integer(pmax) &&
		     db_res_int(res, r, 3) != json_integer_value(pmax)) ||
		    !str_eq(db_res_str(res, r, 5), jsonx_str(item, "remote_group_id")) ||
		    !str_eq(prefix_key(db_res_str(res, r, 4)),
			    prefix_key(jsonx_str(item, "remote_ip_prefix"))))
			continue;
		found = req_strdup(rq, db_res_str(res, r, 0));
	}
	db_res_free(res);
	return found;
}

/* 'given_owner': the body named the rule's project; 'made': the rules this request made
 * before (a bulk create), whose repetition Neutron words apart. */
static json_t *create_one(struct req *rq, struct db *db, json_t *item, bool given_owner,
			  const json_t *made, struct err *err)
{
	const char *sgid, *rg, *dup;
	json_t *sg = NULL, *remote;
	char id[37];

	if (check_rule(item, err) < 0)
		return NULL;
	rg = jsonx_str(item, "remote_group_id");
	if (rg != NULL) {
		if ((remote = net_sg_find(rq, db, rg, err)) == NULL)
			return NULL;
		json_decref(remote);
	}
	sgid = jsonx_str(item, "security_group_id");
	if ((sg = net_sg_find(rq, db, sgid, err)) == NULL)
		return NULL;
	if (!net_is_admin(rq) && !net_caller_owns(rq, jsonx_str(sg, "project_id"))) {
		json_decref(sg);
		return err_set(err, ERR_FORBIDDEN,
			       "(rule:create_security_group_rule) is disallowed by policy"),
		       NULL;
	}
	/* the rule is the group's project's unless the admin named another */
	if (!given_owner || !net_is_admin(rq))
		json_object_set_new(item, "project_id",
				    json_string(jsonx_str(sg, "project_id")));
	json_decref(sg);
	if (net_quota_check(db, jsonx_str(item, "project_id"), "security_group_rule", 1, err) <
	    0)
		return NULL;
	dup = duplicate(rq, db, item, err);
	if (dup != NULL) {
		size_t i;
		json_t *o;

		if (*dup == '\0')
			return NULL;
		json_array_foreach(made, i, o)
			if (str_eq(jsonx_str(o, "id"), dup))
				return err_set(err, ERR_CONFLICT,
					       "Duplicate Security Group Rule in POST."),
				       NULL;
		return err_set(err, ERR_CONFLICT,
			       "Security group rule already exists. Rule id is %s.", dup),
		       NULL;
	}
	util_uuid(id);
	json_object_set_new(item, "id", json_string(id));
	if (net_insert(db, &net_sg_rule_rdef, item, err) < 0 ||
	    net_update(db, &net_secgroup_rdef, sgid, NULL, err) < 0)
		return NULL;
	return net_get(rq, db, &net_sg_rule_rdef, id, err);
}

/* 400 when the items of a bulk create name more than one group, as Neutron. */
static int check_single_group(const json_t *items, struct err *err)
{
	const char *first = NULL;
	size_t i;
	json_t *item;

	json_array_foreach(items, i, item) {
		const char *sg = jsonx_str(item, "security_group_id");
		if (sg == NULL)
			continue;
		if (first != NULL && strcmp(first, sg) != 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Only allowed to update rules for one security profile at "
				       "a time");
		first = sg;
	}
	return 0;
}

int net_sg_rules_create(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *items = NULL, *out = json_array(), *item;
	size_t i;

	if (db == NULL || (items = net_body_items(rq, &net_sg_rule_rdef, err)) == NULL ||
	    check_single_group(items, err) < 0 || db_begin(db, err) < 0)
		goto fail;
	json_array_foreach(items, i, item) {
		json_t *o;
		bool owner = json_is_object(item) &&
			     (json_object_get(item, "project_id") != NULL ||
			      json_object_get(item, "tenant_id") != NULL);
		if (net_check_item(rq, &net_sg_rule_rdef, item, true, rule_own_keys, err) < 0 ||
		    (o = create_one(rq, db, item, owner, out, err)) == NULL)
			goto fail;
		json_array_append_new(out, o);
		if (!str_eq(jsonx_str(o, "project_id"),
			    jsonx_str(json_array_get(out, 0), "project_id"))) {
			err_set(err, ERR_BAD_REQUEST,
				"Multiple project_ids in bulk security group rule create not "
				"allowed");
			goto fail;
		}
	}
	if (db_commit(db, err) < 0)
		goto fail;
	if (json_object_get(rq->json, "security_group_rules") != NULL)
		reply_json(rq, 201, json_pack("{s:o}", "security_group_rules", out));
	else {
		net_reply_one(rq, &net_sg_rule_rdef, 201, json_incref(json_array_get(out, 0)));
		json_decref(out);
	}
	net_changed();
	return 0;
fail:
	if (db != NULL)
		db_rollback(db);
	json_decref(out);
	return -1;
}

/* The rule if the caller may see it, Neutron's words for a 404. Caller owns. */
static json_t *find_rule(struct req *rq, struct db *db, const char *id, struct err *err)
{
	json_t *rule = net_find(rq, db, &net_sg_rule_rdef, id, err);

	if (rule == NULL && err->kind == ERR_NOT_FOUND) {
		err_clear(err);
		err_set(err, ERR_NOT_FOUND, "Security group rule %s does not exist", id);
	}
	return rule;
}

int net_sg_rules_list(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);

	/* as Neutron's, the list makes the listed project's default group first */
	if (db == NULL || net_sg_ensure_listed_default(rq, db, err) < 0)
		return -1;
	return net_list(rq, &net_sg_rule_rdef, err);
}

int net_sg_rule_show(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	json_t *rule;

	if (db == NULL || (rule = find_rule(rq, db, req_param(rq, "id"), err)) == NULL)
		return -1;
	net_reply_one(rq, &net_sg_rule_rdef, 200, rule);
	return 0;
}

int net_sg_rule_delete(struct req *rq, struct err *err)
{
	struct db *db = db_get(err);
	const char *id = req_param(rq, "id");
	json_t *rule = NULL;

	if (db == NULL || db_begin(db, err) < 0)
		return -1;
	if ((rule = find_rule(rq, db, id, err)) == NULL)
		goto fail;
	if (net_delete_row(db, &net_sg_rule_rdef, id, err) < 0 ||
	    net_update(db, &net_secgroup_rdef, jsonx_str(rule, "security_group_id"), NULL,
		       err) < 0 ||
	    db_commit(db, err) < 0)
		goto fail;
	json_decref(rule);
	reply_empty(rq, 204);
	net_changed();
	return 0;
fail:
	json_decref(rule);
	db_rollback(db);
	return -1;
}
