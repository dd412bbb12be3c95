#ifndef CIEL_NET_METADATA_PROXY_H
#define CIEL_NET_METADATA_PROXY_H

/* The metadata path, as Neutron's metadata agent and Nova's metadata API share it.
 *
 * A guest asks http://169.254.169.254/... . In its network's qdhcp- namespace (or its
 * router's qrouter- namespace) the privileged helper made a listening socket at that
 * address (priv_listen_tcp) and passed it back; the driver hands it to the proxy with
 * net_mdproxy_add. The proxy (one thread polling every listening socket; a small thread
 * per guest connection for the relay, so neither HTTP threads nor the sync worker ever
 * block on a guest) finds the guest's port by (network, source address) in the
 * database, rewrites the request head: path /metadata<path>, Neutron's headers
 * (X-Forwarded-For, X-Instance-ID, X-Tenant-ID, X-Neutron-Network-ID or -Router-ID,
 * X-Neutron-Port-ID, X-Instance-ID-Signature = hex HMAC-SHA256(secret, instance id)),
 * whatever the guest sent under those names dropped, and relays it to ciel's own
 * listener, where api_metadata.c checks the signature and answers. An unknown source gets
 * a 404 from the proxy itself.
 *
 * The instance id is the port's device_id (the server's uuid once compute sets it), or
 * the port's id when the port has no device. */

#include <stdbool.h>
#include <stddef.h>

struct err;

/* ---- the shared secret and the signature (pure) ---- */

/* [network] metadata_proxy_shared_secret, or when that is empty a random secret made once
 * per process (proxy and handler then agree inside one all-in-one process). Borrowed,
 * lives until exit. Never log it. */
const char *net_metadata_secret(void);

/* out = lowercase hex HMAC-SHA256('secret', 'instance_id'). */
void net_metadata_sign(const char *secret, const char *instance_id, char out[65]);

/* True when 'sig' is the signature of 'instance_id' under 'secret' (constant time in the
 * signature's content; NULL sig: false). */
bool net_metadata_check(const char *secret, const char *instance_id, const char *sig);

/* ---- the guest's identity and the head rewrite (pure) ---- */

/* What the proxy knows of the guest that connected (filled from the database). */
struct net_mdproxy_who {
	char ip[46];          /* the guest's address (X-Forwarded-For) */
	char port_id[37];
	char network_id[37];
	char router_id[37];   /* "" unless reached through a router namespace */
	char project_id[65];
	char instance_id[256]; /* device_id, or the port id when it has none */
};

/* Rewrites one request head 'head' ('size' bytes, the request line to the empty line
 * included, "\r\n" or "\n" line ends) for the metadata handler: the target (origin form
 * or absolute form) becomes "/metadata" + path, the guest's own X-Forwarded-For,
 * X-Instance-ID*, X-Tenant-ID, X-Project-ID, X-Neutron-*, X-Auth-Token, Connection,
 * Keep-Alive and Proxy-Connection headers go, Neutron's headers from 'who' signed with 'secret' and "Connection: close"
 * come in. Returns the new head (caller frees; its length in '*out_size'), or NULL with
 * err set (ERR_BAD_REQUEST: not a request head we relay: no path, folded or NUL-bearing
 * lines, Transfer-Encoding (only Content-Length bodies are relayed)). '*body_size' gets
 * the request's Content-Length (0 when none). */
char *net_mdproxy_rewrite(const char *head, size_t size, const struct net_mdproxy_who *who,
			  const char *secret, size_t *out_size, long long *body_size,
			  struct err *err);

/* The address the proxy connects to for ciel's listener 'listen' ("ADDR:PORT",
 * "[V6]:PORT"; a wildcard address means loopback): fills 'host' (46 bytes) and '*port'.
 * Returns 0, or -1 when 'listen' is not of that form. */
int net_mdproxy_upstream(const char *listen, char host[46], int *port);

/* ---- the database lookups ---- */

struct db;

/* The guest at address 'ip' on network 'network_id', or, when 'router_id' is set, on any
 * network one of that router's interfaces is on. Returns 0, or -1 with err set (404 when
 * no port holds that address there). */
int net_mdproxy_find(struct db *db, const char *network_id, const char *router_id,
		     const char *ip, struct net_mdproxy_who *who, struct err *err);

/* The port 'port_id' (as the handler learns it from X-Neutron-Port-ID), with its first
 * address in who->ip and its DHCP hostname (dns_name or host-<ip>) in 'hostname' and name
 * in 'name' (64 bytes each). 404 when absent. */
int net_mdproxy_port(struct db *db, const char *port_id, struct net_mdproxy_who *who,
		     char hostname[64], char name[256], struct err *err);

/* ---- the proxy's lifecycle (the driver calls these from its apply) ---- */

/* Serves the listening socket 'fd' of namespace 'ns' ("qdhcp-<network id>" or
 * "qrouter-<router id>": the id is read from the name). Steals 'fd' (closed on error
 * too). When 'ns' is served already its old socket is replaced. Starts the proxy thread
 * on first use. Returns 0, or -1 with err set (a name of neither form). */
int net_mdproxy_add(const char *ns, int fd, struct err *err);

/* True when namespace 'ns' has a socket served (so the driver need not make one). */
bool net_mdproxy_has(const char *ns);

/* Stops serving 'ns' and closes its socket (connections in flight finish). Absent: no-op. */
void net_mdproxy_remove(const char *ns);

/* Removes every namespace, stops the proxy thread and waits (2 s at most) for relays in
 * flight. The lead calls it from net_shutdown. */
void net_mdproxy_shutdown(void);

/* ---- api_metadata.c ---- */

/* Registers the /metadata service (no token; signed requests only). net_init calls it. */
void net_metadata_register(void);

#endif
