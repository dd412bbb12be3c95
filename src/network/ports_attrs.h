#ifndef CIEL_PORTS_ATTRS_H
#define CIEL_PORTS_ATTRS_H

/* The checks of a port's own attributes (ports_attrs.c), for api_ports.c: MAC
 * addresses, allowed address pairs, extra DHCP options, vNIC types and security
 * group lists. Each returns 0, or -1 with Neutron's 400/404/409 in 'err'. */

#include <jansson.h>
#include <stdbool.h>

struct db;
struct err;
struct req;

/* Normalizes 'mac' ("FA:16:3E:..." or "fa-16-3e-...") to lower-case colon form
 * in 'out'; refuses anything else and the all-zero and broadcast addresses. */
int net_port_mac_parse(const char *mac, char out[18], struct err *err);
/* A fresh fa:16:3e:xx:xx:xx MAC not used on 'network_id'. */
int net_port_mac_generate(struct db *db, const char *network_id, char out[18], struct err *err);
/* 409 when 'mac' is in use on 'network_id' by another port than 'except' (may
 * be NULL). */
int net_port_mac_free(struct db *db, const char *network_id, const char *mac, const char *except,
		      struct err *err);

/* Checks an allowed_address_pairs list and gives the stored form (caller owns):
 * each pair
 * {"ip_address", "mac_address"}, the MAC defaulting to 'port_mac'. */
json_t *net_port_pairs(const json_t *pairs, const char *port_mac, struct err *err);

/* Checks an extra_dhcp_opts list and merges it into 'old' (NULL on create): an
 * option of the same name and IP version is replaced, one with opt_value null
 * removed. Returns the stored list [{"opt_name", "opt_value", "ip_version"}]
 * (caller owns). */
json_t *net_port_dhcp_opts(const json_t *opts, const json_t *old, struct err *err);

/* Checks a dns_name as neutron-lib's validate_dns_name does (a PQDN or FQDN of at
 * most 255 characters, labels of 1-63 letters, digits and hyphens, not starting or
 * ending with one, a TLD not all digits; "" is no name) and stores it lower-case as
 * Neutron's case-insensitive converter does. 'v' is the body's value, changed in
 * place. */
int net_port_dns_name_check(json_t *v, struct err *err);

/* 400 unless 'vnic' is one of Neutron's vNIC types. */
int net_port_vnic_check(const char *vnic, struct err *err);

/* Checks a security_groups list (ids of groups the caller may use for a port of
 * 'project'): returns the ids, deduplicated (caller owns), or NULL with
 * 400/404. */
json_t *net_port_sg_check(struct req *rq, struct db *db, const json_t *groups, const char *project,
			  struct err *err);

/* Checks a fixed_ips list's shape ([{"subnet_id"?, "ip_address"?}]). */
int net_port_fixed_ips_check(const json_t *fixed_ips, struct err *err);

#endif
