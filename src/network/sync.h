#ifndef CIEL_NET_SYNC_H
#define CIEL_NET_SYNC_H

/* The sync worker: the one thread that turns the database into the data plane.
 *
 * API handlers only write the database; after a commit they call net_sync_kick(), which
 * costs a mutex and a condition signal. The worker wakes, lets a short burst of kicks
 * settle (so 100 kicks give one or two applies, not 100), loads the whole desired state
 * (net_model_load, a handful of queries inside one read snapshot) and hands it to the
 * driver's apply(). A kick that arrives during an apply causes exactly one more apply.
 * Every 30 s it applies anyway (periodic reconcile) and heartbeats the agents; the first
 * apply after start is the reconcile of whatever a previous run left. A failed apply is
 * logged and retried after a backoff (1 s doubling to 30 s).
 *
 * After a successful apply it writes the statuses the driver reported: ports reported up
 * become ACTIVE when they are bound to a host or owned by the network (as Neutron leaves
 * an unbound port DOWN), admin-down ports become DOWN; floating IPs with a port are ACTIVE, those
 * without DOWN. Only rows whose status changes are written, and nothing else of the row
 * (no revision bump). */

#include <stdbool.h>

struct db;
struct err;
struct net_model;
struct netdrv;

/* Loads the whole desired data plane from the net_* tables into 'm' (zeroed first; on
 * success the caller frees it with net_model_free). One query per table, in one read
 * snapshot. Returns 0, or -1 with err set and 'm' left empty. Rules are those of every
 * security group some port uses; floating IPs are those with a port and a router. */
int net_model_load(struct db *db, struct net_model *m, struct err *err);

/* IP protocol number of a security group rule's protocol as the API stores it (a name
 * such as "tcp", "udp", "icmp", "ipv6-icmp", or a number 0..255) for 'ip_version'
 * (ICMP in an IPv6 rule means ICMPv6). NULL, "" or "any": -1. Unknown: -2. */
int net_proto_number(const char *proto, int ip_version);

/* Starts the worker with driver 'd' (borrowed: it must outlive net_sync_stop). The first
 * apply (the reconcile) starts at once, in the worker. Returns 0, or -1 with err set
 * (already running, or the thread could not start). */
int net_sync_start(struct netdrv *d, struct err *err);

/* Asks for an apply soon. Cheap, never blocks on the worker, safe from any thread and
 * before start (then it does nothing). */
void net_sync_kick(void);

/* Stops the worker: waits for an apply in progress to finish, then joins the thread.
 * Safe to call when not running. */
void net_sync_stop(void);

/* Waits until an apply that began after this call (so it saw every change committed
 * before it) has succeeded, or 'timeout_ms' passed. Returns 0, or -1 on timeout or when
 * the worker is not running. For tests and benchmarks. */
int net_sync_wait_idle(int timeout_ms);

/* Applies so far (successful or not), for tests and benchmarks. */
unsigned long net_sync_applies(void);

#endif
