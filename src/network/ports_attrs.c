/* A port's own attributes (ports_attrs.h): the checks Neutron's validators make
 * on MAC addresses, allowed address pairs, extra DHCP options, vNIC types,
 * fixed_ips shapes and security group lists, with Neutron's words. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/err.h"
#include "core/http.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "network/net_res.h"
#include "network/ports_attrs.h"

#define MAX_ADDRESS_PAIRS 10 /* Neutron's max_allowed_address_pair default */

int net_port_mac_parse(const char *mac, char out[18], struct err *err)
{
	unsigned int b[6];
	int i, n = 0;
	char sep;

	if (mac == NULL || strlen(mac) != 17)
		goto bad;
	sep = mac[2];
	if (sep != ':' && sep != '-')
		goto bad;
	for (i = 0; i < 6; i++) {
		const char *p = mac + i * 3;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != sep))
			goto bad;
		sscanf(p, "%2x", &b[i]);
		n += b[i] == 0 ? 0 : b[i] == 0xff ? 1000 : 1;
	}
	if (n == 0 || n == 6000)
		goto bad;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
bad:
	return err_set(err, ERR_BAD_REQUEST,
		       "Invalid input for mac_address. Reason: '%.40s' is not a valid MAC "
		       "address.",
		       mac != NULL ? mac : "None");
}

/* 1 when 'mac' is used on 'network_id' by another port than 'except', 0 if not,
 * -1. */
static int mac_used(struct db *db, const char *network_id, const char *mac, const char *except,
		    struct err *err)
{
	struct db_res *res = db_query(db, err,
				      "SELECT id FROM net_port WHERE network_id = ?"
				      " AND mac_address = ? AND id <> ?",
				      DBP(network_id, mac, except != NULL ? except : ""));
	int n;

	if (res == NULL)
		return -1;
	n = db_res_rows(res) > 0;
	db_res_free(res);
	return n;
}

int net_port_mac_generate(struct db *db, const char *network_id, char out[18], struct err *err)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned char b[3];
		int used;

		util_random(b, sizeof(b));
		snprintf(out, 18, "fa:16:3e:%02x:%02x:%02x", b[0], b[1], b[2]);
		if ((used = mac_used(db, network_id, out, NULL, err)) < 0)
			return -1;
		if (!used)
			return 0;
	}
	return err_set(err, ERR_UNAVAILABLE, "Unable to generate unique mac on network %s.",
		       network_id);
}

int net_port_mac_free(struct db *db, const char *network_id, const char *mac, const char *except,
		      struct err *err)
{
	int used = mac_used(db, network_id, mac, except, err);

	if (used < 0)
		return -1;
	if (used)
		return err_set(err, ERR_CONFLICT,
			       "Unable to complete operation for network %s. The mac address %s "
			       "is in use.",
			       network_id, mac);
	return 0;
}

/* An IP address or a CIDR (host bits may be set, as Neutron accepts them). */
static bool ip_or_cidr(const char *s)
{
	unsigned char buf[16];
	char ip[64];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int v4, v6;

	if (n == 0 || n >= sizeof(ip))
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	v4 = inet_pton(AF_INET, ip, buf) == 1;
	v6 = !v4 && inet_pton(AF_INET6, ip, buf) == 1;
	if (!v4 && !v6)
		return false;
	if (slash != NULL) {
		char *end;
		long len = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || len < 0 || len > (v4 ? 32 : 128))
			return false;
	}
	return true;
}

json_t *net_port_pairs(const json_t *pairs, const char *port_mac, struct err *err)
{
	json_t *out, *p;
	size_t i;

	if (!json_is_array(pairs))
		return err_set(err, ERR_BAD_REQUEST, "Allowed address pairs must be a list."), NULL;
	if (json_array_size(pairs) > MAX_ADDRESS_PAIRS)
		return err_set(err, ERR_BAD_REQUEST,
			       "The number of allowed address pair exceeds the maximum %d.",
			       MAX_ADDRESS_PAIRS),
		       NULL;
	out = json_array();
	json_array_foreach(pairs, i, p) {
		const char *ip = jsonx_str(p, "ip_address"), *mac = jsonx_str(p, "mac_address");
		const char *k;
		json_t *v, *q;
		char norm[18];
		size_t j;

		if (!json_is_object(p)) {
			err_set(err, ERR_BAD_REQUEST, "Allowed address pairs must be a list.");
			goto fail;
		}
		json_object_foreach((json_t *)p, k, v)
			if (strcmp(k, "ip_address") != 0 && strcmp(k, "mac_address") != 0) {
				err_set(err, ERR_BAD_REQUEST, "Unrecognized attribute(s) '%s'", k);
				goto fail;
			}
		if (ip == NULL) {
			err_set(err, ERR_BAD_REQUEST, "AllowedAddressPair must contain ip_address");
			goto fail;
		}
		if (!ip_or_cidr(ip)) {
			err_set(err, ERR_BAD_REQUEST,
				"'%.64s' is not a valid IP address or subnet.", ip);
			goto fail;
		}
		if (json_object_get(p, "mac_address") != NULL &&
		    !json_is_null(json_object_get(p, "mac_address"))) {
			if (net_port_mac_parse(mac, norm, err) < 0)
				goto fail;
			mac = norm;
		} else
			mac = port_mac;
		json_array_foreach(out, j, q)
			if (str_eq(jsonx_str(q, "ip_address"), ip) &&
			    str_eq(jsonx_str(q, "mac_address"), mac)) {
				err_set(err, ERR_BAD_REQUEST,
					"Request contains duplicate address pair: mac_address %s "
					"ip_address %s.",
					mac, ip);
				goto fail;
			}
		json_array_append_new(out,
				      json_pack("{s:s,s:s}", "ip_address", ip, "mac_address", mac));
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* The IP version of an option: 4 unless it says 6. */
static int opt_version(const json_t *o)
{
	json_t *v = json_object_get(o, "ip_version");

	if (json_is_integer(v))
		return (int)json_integer_value(v);
	if (json_is_string(v))
		return atoi(json_string_value(v));
	return 4;
}

/* True when 's' holds a control character (a newline, a NUL cannot be in a JSON
 * string we keep): no DHCP option or name may carry one into a dnsmasq file. */
static bool has_control(const char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Why 'name' (not empty, ending '.' trimmed to 'len') is no valid PQDN or FQDN, or NULL. */
static const char *dns_name_fault(const char *name, size_t len, char *buf, size_t size)
{
	const char *label = name, *end = name + len;
	bool numeric = true;
	int labels = 0;

	if (len > 255)
		return "it exceeds the 255 character FQDN limit";
	while (label <= end) {
		const char *dot = memchr(label, '.', (size_t)(end - label));
		size_t n = (size_t)((dot != NULL ? dot : end) - label);

		labels++;
		if (n == 0)
			return "Encountered an empty component";
		if (label[0] == '-' || label[n - 1] == '-') {
			snprintf(buf, size, "Name '%.*s' must not start or end with a hyphen",
				 (int)(n < 63 ? n : 63), label);
			return buf;
		}
		numeric = true;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)label[i];
			if (!isascii(c) || (!isalnum(c) && c != '-') || n > 63) {
				snprintf(buf, size,
					 "Name '%.*s' must be 1-63 characters long, each of which "
					 "can only be alphanumeric or a hyphen",
					 (int)(n < 63 ? n : 63), label);
				return buf;
			}
			numeric = numeric && isdigit(c);
		}
		if (labels > 1 && numeric && dot == NULL) {
			snprintf(buf, size, "TLD '%.*s' must not be all numeric", (int)n, label);
			return buf;
		}
		label += n + 1;
	}
	return NULL;
}

int net_port_dns_name_check(json_t *v, struct err *err)
{
	const char *name = json_string_value(v), *why;
	char buf[160], *lower;
	size_t len;

	if (name == NULL || *name == '\0')
		return 0;
	len = strlen(name);
	why = dns_name_fault(name, name[len - 1] == '.' ? len - 1 : len, buf, sizeof(buf));
	if (why != NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for dns_name. Reason: '%.64s' not a valid PQDN or "
			       "FQDN. Reason: %s",
			       name, why);
	lower = xstrdup(name);
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	json_string_set(v, lower);
	free(lower);
	return 0;
}

static int check_opt(json_t *o, struct err *err)
{
	const char *k;
	json_t *v, *val;
	int ver;

	if (!json_is_object(o))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for extra_dhcp_opts. Reason: Invalid data format "
			       "for extra-dhcp-opt.");
	json_object_foreach(o, k, v)
		if (strcmp(k, "opt_name") != 0 && strcmp(k, "opt_value") != 0 &&
		    strcmp(k, "ip_version") != 0)
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for extra_dhcp_opts. "
				       "Reason: Invalid data "
				       "format for extra-dhcp-opt: %s.",
				       k);
	if (!json_is_string(json_object_get(o, "opt_name")) || !*jsonx_str(o, "opt_name") ||
	    strlen(jsonx_str(o, "opt_name")) > 255)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for extra_dhcp_opts. Reason: opt_name must be a "
			       "non-empty string.");
	val = json_object_get(o, "opt_value");
	if (val != NULL && !json_is_null(val) &&
	    (!json_is_string(val) || strlen(json_string_value(val)) > 255))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for extra_dhcp_opts. Reason: opt_value must be a "
			       "string.");
	if (val == NULL)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for extra_dhcp_opts. Reason: opt_value is "
			       "missing.");
	if (has_control(jsonx_str(o, "opt_name")) || has_control(json_string_value(val)))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for extra_dhcp_opts. Reason: opt_name and opt_value "
			       "must not contain control characters.");
	ver = opt_version(o);
	if (ver != 4 && ver != 6)
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for extra_dhcp_opts. Reason: ip_version must be 4 "
			       "or 6.");
	return 0;
}

json_t *net_port_dhcp_opts(const json_t *opts, const json_t *old, struct err *err)
{
	json_t *out, *o;
	size_t i;

	if (!json_is_array(opts))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for extra_dhcp_opts. Reason: '%s' is not a list.",
			       json_is_string(opts) ? json_string_value(opts) : "value"),
		       NULL;
	out = old != NULL ? json_deep_copy(old) : json_array();
	json_array_foreach(opts, i, o) {
		const char *name;
		int ver;
		size_t j;
		json_t *q;

		if (check_opt(o, err) < 0) {
			json_decref(out);
			return NULL;
		}
		name = jsonx_str(o, "opt_name");
		ver = opt_version(o);
		for (j = 0; j < json_array_size(out); j++) {
			q = json_array_get(out, j);
			if (str_eq(jsonx_str(q, "opt_name"), name) && opt_version(q) == ver) {
				json_array_remove(out, j);
				break;
			}
		}
		if (!json_is_null(json_object_get(o, "opt_value")))
			json_array_append_new(out, json_pack("{s:s,s:s,s:i}", "opt_name", name,
							     "opt_value", jsonx_str(o, "opt_value"),
							     "ip_version", ver));
	}
	return out;
}

int net_port_vnic_check(const char *vnic, struct err *err)
{
	static const char *const types[] = {"normal",
					    "direct",
					    "macvtap",
					    "baremetal",
					    "direct-physical",
					    "virtio-forwarder",
					    "smart-nic",
					    "vdpa",
					    "accelerator-direct",
					    "accelerator-direct-physical",
					    "remote-managed",
					    NULL};

	for (int i = 0; vnic != NULL && types[i]; i++)
		if (strcmp(types[i], vnic) == 0)
			return 0;
	return err_set(err, ERR_BAD_REQUEST,
		       "Invalid input for binding:vnic_type. Reason: '%.40s' is not in "
		       "['normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', "
		       "'virtio-forwarder', 'smart-nic', 'vdpa', 'remote-managed'].",
		       vnic != NULL ? vnic : "None");
}

json_t *net_port_sg_check(struct req *rq, struct db *db, const json_t *groups, const char *project,
			  struct err *err)
{
	json_t *out, *g;
	size_t i;

	if (!json_is_array(groups))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for security_groups. Reason: '%s' is not a list.",
			       json_is_string(groups) ? json_string_value(groups) : "value"),
		       NULL;
	out = json_array();
	json_array_foreach(groups, i, g) {
		struct db_res *res;
		const char *id = json_string_value(g);
		bool dup = false;
		size_t j;
		json_t *q;

		if (id == NULL || strlen(id) > 36) {
			err_set(err, ERR_BAD_REQUEST,
				"Invalid input for security_groups. Reason: '%.40s' is not a "
				"valid UUID.",
				id != NULL ? id : "value");
			goto fail;
		}
		json_array_foreach(out, j, q)
			dup = dup || str_eq(json_string_value(q), id);
		if (dup)
			continue;
		/* the admin may use any group; others only their own or the port's
		 * project's */
		res = net_is_admin(rq)
			      ? db_query(db, err, "SELECT id FROM net_secgroup WHERE id = ?",
					 DBP(id))
			      : db_query(db, err,
					 "SELECT id FROM net_secgroup WHERE id = ?"
					 " AND project_id IN (?, ?)",
					 DBP(id, net_caller_project(rq), project));
		if (res == NULL)
			goto fail;
		if (db_res_rows(res) == 0) {
			db_res_free(res);
			err_set(err, ERR_NOT_FOUND, "Security group %s does not exist", id);
			goto fail;
		}
		db_res_free(res);
		json_array_append_new(out, json_string(id));
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

int net_port_fixed_ips_check(const json_t *fixed_ips, struct err *err)
{
	json_t *f;
	size_t i;

	if (!json_is_array(fixed_ips))
		return err_set(err, ERR_BAD_REQUEST,
			       "Invalid input for fixed_ips. Reason: Invalid data format for "
			       "fixed IP: '%s'.",
			       json_is_string(fixed_ips) ? json_string_value(fixed_ips) : "value");
	json_array_foreach(fixed_ips, i, f) {
		const char *k;
		json_t *v;

		if (!json_is_object(f))
			return err_set(err, ERR_BAD_REQUEST,
				       "Invalid input for fixed_ips. Reason: Invalid data format "
				       "for fixed IP.");
		json_object_foreach(f, k, v) {
			if (strcmp(k, "subnet_id") != 0 && strcmp(k, "ip_address") != 0)
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for fixed_ips. Reason: Invalid data "
					       "format for fixed IP: '%s'.",
					       k);
			if (!json_is_string(v))
				return err_set(err, ERR_BAD_REQUEST,
					       "Invalid input for fixed_ips. Reason: %s must be a "
					       "string.",
					       k);
		}
	}
	return 0;
}
