/* net_model_load from a fixture database, and the sync worker with a fake driver. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db_fixture.h"
#include "core/db.h"
#include "core/err.h"
#include "core/util.h"
#include "network/netdrv.h"
#include "network/network.h"
#include "network/sync.h"

#define N1 "11111111-1111-1111-1111-111111111111"
#define N2 "22222222-2222-2222-2222-222222222222"
#define S1 "aaaaaaaa-0000-0000-0000-000000000001"
#define S6 "aaaaaaaa-0000-0000-0000-000000000006"
#define S2 "aaaaaaaa-0000-0000-0000-000000000002"
#define P1 "bbbbbbbb-0000-0000-0000-000000000001"
#define P2 "bbbbbbbb-0000-0000-0000-000000000002"
#define PRI "bbbbbbbb-0000-0000-0000-00000000000a" /* router interface */
#define PGW "bbbbbbbb-0000-0000-0000-00000000000b" /* router gateway */
#define PFIP "bbbbbbbb-0000-0000-0000-00000000000c"
#define PDOWN "bbbbbbbb-0000-0000-0000-00000000000d"
#define G1 "cccccccc-0000-0000-0000-000000000001"
#define G2 "cccccccc-0000-0000-0000-000000000002"
#define GUNUSED "cccccccc-0000-0000-0000-000000000009"
#define R1 "dddddddd-0000-0000-0000-000000000001"
#define F1 "eeeeeeee-0000-0000-0000-000000000001"
#define F2 "eeeeeeee-0000-0000-0000-000000000002"

static void sql(const char *s)
{
	struct err err = { 0 };

	if (db_exec_script(db_get(&err), &err, s) < 0)
		fail_msg("%s: %s", s, err.msg);
}

static const char fixture[] =
	"INSERT INTO net_network (id, project_id, network_type, physical_network,"
	" segmentation_id, mtu, external, admin_state_up, created_at, updated_at) VALUES"
	" ('" N1 "', 'p', 'vxlan', '', 100, 1450, 0, 1, 1, 1),"
	" ('" N2 "', 'admin', 'flat', 'public', NULL, 1500, 1, 0, 2, 2);"
	"INSERT INTO net_subnet (id, project_id, network_id, ip_version, cidr, gateway_ip,"
	" enable_dhcp, ipv6_address_mode, ipv6_ra_mode, dns_nameservers, host_routes,"
	" created_at, updated_at) VALUES"
	" ('" S1 "', 'p', '" N1 "', 4, '10.0.0.0/24', '10.0.0.1', 1, NULL, NULL,"
	"  '[\"8.8.8.8\", \"1.1.1.1\"]',"
	"  '[{\"destination\": \"192.168.0.0/16\", \"nexthop\": \"10.0.0.254\"}]', 1, 1),"
	" ('" S6 "', 'p', '" N1 "', 6, 'fd00::/64', 'fd00::1', 1, 'slaac', 'slaac', '[]',"
	"  '[]', 0, 0),"
	" ('" S2 "', 'admin', '" N2 "', 4, '172.24.4.0/24', NULL, 0, NULL, NULL, '[]', '[]',"
	"  3, 3);"
	"INSERT INTO net_port (id, project_id, network_id, mac_address, device_owner,"
	" device_id, dns_name, admin_state_up, port_security_enabled, allowed_address_pairs,"
	" created_at, updated_at) VALUES"
	" ('" P2 "', 'p', '" N1 "', 'fa:16:3e:00:00:02', 'compute:nova', 'vm-2', 'web', 1, 0,"
	"  '[]', 1, 1),"
	" ('" P1 "', 'p', '" N1 "', 'fa:16:3e:00:00:01', 'compute:nova', 'vm-1', '', 1, 1,"
	"  '[{\"ip_address\": \"10.0.0.100\"},"
	"    {\"ip_address\": \"10.0.1.0/24\", \"mac_address\": \"fa:16:3e:99:99:99\"}]', 1, 1),"
	" ('" PRI "', 'p', '" N1 "', 'fa:16:3e:00:00:0a', 'network:router_interface', '" R1
	"', '', 1, 0, '[]', 1, 1),"
	" ('" PGW "', '', '" N2 "', 'fa:16:3e:00:00:0b', 'network:router_gateway', '" R1
	"', '', 1, 0, '[]', 1, 1),"
	" ('" PFIP "', '', '" N2 "', 'fa:16:3e:00:00:0c', 'network:floatingip', '" F1
	"', '', 1, 0, '[]', 1, 1),"
	" ('" PDOWN "', 'p', '" N1 "', 'fa:16:3e:00:00:0d', '', '', '', 0, 1, '[]', 1, 1);"
	"UPDATE net_port SET status = 'ACTIVE' WHERE id = '" PDOWN "';"
	"UPDATE net_port SET binding_host_id = 'h1' WHERE id = '" P1 "';"
	"INSERT INTO net_ip (subnet_id, ip_address, port_id, network_id) VALUES"
	" ('" S6 "', 'fd00::5', '" P1 "', '" N1 "'),"
	" ('" S1 "', '10.0.0.5', '" P1 "', '" N1 "'),"
	" ('" S1 "', '10.0.0.6', '" P2 "', '" N1 "'),"
	" ('" S1 "', '10.0.0.1', '" PRI "', '" N1 "'),"
	" ('" S2 "', '172.24.4.10', '" PGW "', '" N2 "'),"
	" ('" S2 "', '172.24.4.11', '" PFIP "', '" N2 "'),"
	" ('" S6 "', 'fd00::d', '" PDOWN "', '" N1 "');"
	"INSERT INTO net_port_sg (port_id, secgroup_id) VALUES"
	" ('" P1 "', '" G1 "'), ('" P1 "', '" G2 "'), ('" P2 "', '" G1 "');"
	"INSERT INTO net_sg_rule (id, project_id, security_group_id, direction, ethertype,"
	" protocol, port_range_min, port_range_max, remote_ip_prefix, remote_group_id,"
	" created_at, updated_at) VALUES"
	" ('r1', 'p', '" G1 "', 'ingress', 'IPv4', 'tcp', 22, 22, '0.0.0.0/0', NULL, 1, 1),"
	" ('r2', 'p', '" G1 "', 'ingress', 'IPv6', 'icmp', 128, NULL, NULL, NULL, 2, 2),"
	" ('r3', 'p', '" G1 "', 'egress', 'IPv4', NULL, NULL, NULL, NULL, NULL, 3, 3),"
	" ('r4', 'p', '" G2 "', 'ingress', 'IPv4', '17', 53, 53, NULL, '" G1 "', 4, 4),"
	" ('r5', 'p', '" G2 "', 'ingress', 'IPv4', 'bogus', NULL, NULL, NULL, NULL, 5, 5),"
	" ('r6', 'p', '" GUNUSED "', 'ingress', 'IPv4', 'tcp', 80, 80, NULL, NULL, 6, 6);"
	"INSERT INTO net_router (id, project_id, admin_state_up, gw_network_id, gw_port_id,"
	" enable_snat, routes, created_at, updated_at) VALUES"
	" ('" R1 "', 'p', 1, '" N2 "', '" PGW "', 0,"
	"  '[{\"destination\": \"10.9.0.0/16\", \"nexthop\": \"10.0.0.9\"}]', 1, 1);"
	"INSERT INTO net_router_port (port_id, router_id, port_type) VALUES"
	" ('" PRI "', '" R1 "', 'network:router_interface'),"
	" ('" PGW "', '" R1 "', 'network:router_gateway');"
	"INSERT INTO net_floatingip (id, project_id, floating_network_id, floating_ip_address,"
	" floating_port_id, port_id, fixed_ip_address, router_id, status, created_at,"
	" updated_at) VALUES"
	" ('" F1 "', 'p', '" N2 "', '172.24.4.11', '" PFIP "', '" P1 "', '10.0.0.5', '" R1
	"', 'DOWN', 1, 1),"
	" ('" F2 "', 'p', '" N2 "', '172.24.4.12', '" PFIP "', NULL, NULL, NULL, 'ACTIVE', 1,"
	" 1);";

/* SQLite by default; CIEL_TEST_PG=postgresql://... runs the same on PostgreSQL (its
 * public schema is emptied first). */
static int setup(void **state)
{
	const char *pg = getenv("CIEL_TEST_PG");
	struct err err = { 0 };

	(void)state;
	if (pg == NULL || *pg == '\0') {
		if (db_fixture_open(net_migrations) < 0)
			return -1;
	} else if (db_init(pg, &err) < 0 ||
		   db_exec_script(db_get(&err), &err,
				  "DROP SCHEMA public CASCADE; CREATE SCHEMA public") < 0 ||
		   db_migrate(net_migrations, &err) < 0) {
		print_error("%s: %s\n", pg, err.msg);
		return -1;
	}
	sql(fixture);
	return 0;
}

static int teardown(void **state)
{
	const char *pg = getenv("CIEL_TEST_PG");

	(void)state;
	if (pg == NULL || *pg == '\0')
		return db_fixture_close();
	db_close_all();
	return 0;
}

static const struct net_model_port *port(const struct net_model *m, const char *id)
{
	for (int i = 0; i < m->nports; i++)
		if (strcmp(m->ports[i].id, id) == 0)
			return &m->ports[i];
	fail_msg("port %s not in the model", id);
	return NULL;
}

static const struct net_model_rule *rule(const struct net_model *m, const char *id)
{
	for (int i = 0; i < m->nrules; i++)
		if (strcmp(m->rules[i].id, id) == 0)
			return &m->rules[i];
	return NULL;
}

static void protocols(void **state)
{
	(void)state;
	assert_int_equal(net_proto_number("tcp", 4), 6);
	assert_int_equal(net_proto_number("UDP", 4), 17);
	assert_int_equal(net_proto_number("icmp", 4), 1);
	assert_int_equal(net_proto_number("icmp", 6), 58);
	assert_int_equal(net_proto_number("ipv6-icmp", 6), 58);
	assert_int_equal(net_proto_number("1", 6), 58);
	assert_int_equal(net_proto_number("132", 4), 132);
	assert_int_equal(net_proto_number(NULL, 4), -1);
	assert_int_equal(net_proto_number("", 4), -1);
	assert_int_equal(net_proto_number("any", 4), -1);
	assert_int_equal(net_proto_number("256", 4), -2);
	assert_int_equal(net_proto_number("1234", 4), -2);
	assert_int_equal(net_proto_number("tcpx", 4), -2);
}

static void load_fixture(void **state)
{
	struct err err = { 0 };
	struct net_model m;
	const struct net_model_port *p;
	const struct net_model_rule *r;

	(void)state;
	assert_int_equal(net_model_load(db_get(&err), &m, &err), 0);

	assert_int_equal(m.nnetworks, 2);
	for (int i = 0; i < 2; i++) {
		const struct net_model_network *n = &m.networks[i];

		if (strcmp(n->id, N1) == 0) {
			assert_string_equal(n->type, "vxlan");
			assert_int_equal(n->segmentation_id, 100);
			assert_int_equal(n->mtu, 1450);
			assert_false(n->external);
			assert_true(n->admin_up);
		} else {
			assert_string_equal(n->id, N2);
			assert_string_equal(n->physnet, "public");
			assert_int_equal(n->segmentation_id, 0);
			assert_true(n->external);
			assert_false(n->admin_up);
		}
	}

	assert_int_equal(m.nsubnets, 3);
	assert_string_equal(m.subnets[0].id, S6); /* oldest first */
	assert_string_equal(m.subnets[0].ipv6_address_mode, "slaac");
	assert_string_equal(m.subnets[1].id, S1);
	assert_int_equal(m.subnets[1].ndns, 2);
	assert_string_equal(m.subnets[1].dns[1], "1.1.1.1");
	assert_int_equal(m.subnets[1].nroutes, 1);
	assert_string_equal(m.subnets[1].routes[0].nexthop, "10.0.0.254");
	assert_string_equal(m.subnets[2].gateway, "");
	assert_false(m.subnets[2].enable_dhcp);

	assert_int_equal(m.nports, 6);
	p = port(&m, P1);
	assert_int_equal(p->nips, 2);
	assert_string_equal(p->ips[0].address, "10.0.0.5"); /* IPv4 first */
	assert_string_equal(p->ips[0].subnet_id, S1);
	assert_string_equal(p->ips[1].address, "fd00::5");
	assert_string_equal(p->hostname, "host-10-0-0-5");
	assert_string_equal(p->device_id, "vm-1");
	assert_true(p->port_security);
	assert_int_equal(p->nsecgroups, 2);
	assert_string_equal(p->secgroups[0], G1);
	assert_string_equal(p->secgroups[1], G2);
	assert_int_equal(p->npairs, 2);
	assert_string_equal(p->pairs[0].ip, "10.0.0.100");
	assert_string_equal(p->pairs[0].mac, "fa:16:3e:00:00:01"); /* the port's */
	assert_string_equal(p->pairs[1].mac, "fa:16:3e:99:99:99");
	p = port(&m, P2);
	assert_string_equal(p->hostname, "web");
	assert_false(p->port_security);
	assert_int_equal(p->nsecgroups, 1);
	p = port(&m, PDOWN);
	assert_false(p->admin_up);
	assert_string_equal(p->hostname, "host-fd00--d");

	/* rules of used groups only; the unknown protocol left out */
	assert_int_equal(m.nrules, 4);
	assert_null(rule(&m, "r5"));
	assert_null(rule(&m, "r6"));
	r = rule(&m, "r1");
	assert_non_null(r);
	assert_true(r->ingress);
	assert_int_equal(r->ip_version, 4);
	assert_int_equal(r->protocol, 6);
	assert_int_equal(r->port_min, 22);
	assert_string_equal(r->remote_prefix, "0.0.0.0/0");
	r = rule(&m, "r2");
	assert_int_equal(r->ip_version, 6);
	assert_int_equal(r->protocol, 58);
	assert_int_equal(r->port_min, 128);
	assert_int_equal(r->port_max, -1);
	r = rule(&m, "r3");
	assert_false(r->ingress);
	assert_int_equal(r->protocol, -1);
	r = rule(&m, "r4");
	assert_int_equal(r->protocol, 17);
	assert_string_equal(r->remote_group, G1);

	assert_int_equal(m.nrouters, 1);
	assert_string_equal(m.routers[0].gw_port_id, PGW);
	assert_false(m.routers[0].enable_snat);
	assert_int_equal(m.routers[0].ninterfaces, 1);
	assert_string_equal(m.routers[0].interfaces[0], PRI);
	assert_int_equal(m.routers[0].nroutes, 1);
	assert_string_equal(m.routers[0].routes[0].destination, "10.9.0.0/16");

	assert_int_equal(m.nfips, 1);
	assert_string_equal(m.fips[0].id, F1);
	assert_string_equal(m.fips[0].router_id, R1);
	assert_string_equal(m.fips[0].floating_ip, "172.24.4.11");
	assert_string_equal(m.fips[0].fixed_ip, "10.0.0.5");
	net_model_free(&m);
	assert_int_equal(m.nports, 0);
	assert_null(m.ports);
}

/* 200 networks with a subnet and 10 ports each load with a handful of queries. */
static void load_many(void **state)
{
	struct err err = { 0 };
	struct db *db = db_get(&err);
	struct net_model m;
	struct timespec t0, t1;
	double ms;

	(void)state;
	assert_int_equal(db_begin(db, &err), 0);
	for (int n = 0; n < 200; n++) {
		char nid[37], sid[37], q[1024];

		snprintf(nid, sizeof(nid), "f0000000-0000-0000-0000-%012d", n);
		snprintf(sid, sizeof(sid), "f1000000-0000-0000-0000-%012d", n);
		snprintf(q, sizeof(q),
			 "INSERT INTO net_network (id, project_id, network_type, segmentation_id,"
			 " created_at, updated_at) VALUES ('%s', 'p', 'vxlan', %d, 1, 1);"
			 "INSERT INTO net_subnet (id, project_id, network_id, ip_version, cidr,"
			 " created_at, updated_at) VALUES ('%s', 'p', '%s', 4, '10.%d.%d.0/24', 1, 1)",
			 nid, 1000 + n, sid, nid, n / 256, n % 256);
		sql(q);
		for (int i = 0; i < 10; i++) {
			char pid[37];

			snprintf(pid, sizeof(pid), "f2000000-0000-0000-%04d-%012d", i, n);
			snprintf(q, sizeof(q),
				 "INSERT INTO net_port (id, project_id, network_id, mac_address,"
				 " created_at, updated_at) VALUES ('%s', 'p', '%s',"
				 " 'fa:16:3e:00:%02x:%02x', 1, 1);"
				 "INSERT INTO net_ip VALUES ('%s', '10.%d.%d.%d', '%s', '%s');"
				 "INSERT INTO net_port_sg VALUES ('%s', '" G1 "')",
				 pid, nid, n % 256, i, sid, n / 256, n % 256, i + 10, pid, nid, pid);
			sql(q);
		}
	}
	assert_int_equal(db_commit(db, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(net_model_load(db, &m, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("loaded %d networks, %d ports in %.1f ms\n", m.nnetworks, m.nports, ms);
	assert_int_equal(m.nnetworks, 202);
	assert_int_equal(m.nports, 2006);
	for (int i = 0; i < m.nports; i++)
		if (strncmp(m.ports[i].id, "f2", 2) == 0) {
			assert_int_equal(m.ports[i].nips, 1);
			assert_int_equal(m.ports[i].nsecgroups, 1);
		}
	assert_true(ms < 2000);
	net_model_free(&m);
}

/* ---- the sync worker with a fake driver ---- */

struct fake {
	struct netdrv base;
	pthread_mutex_t lock;
	int applies;
	int fail; /* applies left to fail */
	int last_nports;
};

static int fake_apply(struct netdrv *d, const struct net_model *m,
		      void (*port_up)(const char *, void *), void *ctx, struct err *err)
{
	struct fake *f = (struct fake *)d;
	int fail;

	pthread_mutex_lock(&f->lock);
	f->applies++;
	f->last_nports = m->nports;
	fail = f->fail > 0 ? f->fail-- : 0;
	pthread_mutex_unlock(&f->lock);
	if (fail)
		return err_set(err, ERR_INTERNAL, "fake failure");
	for (int i = 0; i < m->nports; i++)
		if (m->ports[i].admin_up)
			port_up(m->ports[i].id, ctx);
	return 0;
}

static void fake_free(struct netdrv *d)
{
	(void)d;
}

static const struct netdrv_ops fake_ops = { .name = "fake", .apply = fake_apply,
					    .free = fake_free };

static int applies(struct fake *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->applies;
	pthread_mutex_unlock(&f->lock);
	return n;
}

static const char *status_of(const char *table, const char *id)
{
	static char buf[16];
	struct err err = { 0 };
	char q[128];
	struct db_res *res;

	snprintf(q, sizeof(q), "SELECT status FROM %s WHERE id = ?", table);
	res = db_query(db_get(&err), &err, q, DBP(id));
	assert_non_null(res);
	assert_int_equal(db_res_rows(res), 1);
	snprintf(buf, sizeof(buf), "%s", db_res_str(res, 0, 0));
	db_res_free(res);
	return buf;
}

static void sync_worker(void **state)
{
	struct fake f = { .base.ops = &fake_ops, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct err err = { 0 };
	int before;

	(void)state;
	assert_int_equal(net_sync_wait_idle(10), -1); /* not running */
	assert_int_equal(net_sync_start(&f.base, &err), 0);
	assert_int_equal(net_sync_start(&f.base, &err), -1);
	assert_int_equal(net_sync_wait_idle(5000), 0);
	assert_true(applies(&f) >= 1);
	assert_int_equal(f.last_nports, 6);
	/* reported up and bound (or the network's own): ACTIVE; unbound: still DOWN; admin
	 * down: DOWN; floating IPs by their port */
	assert_string_equal(status_of("net_port", P1), "ACTIVE");
	assert_string_equal(status_of("net_port", P2), "DOWN");
	assert_string_equal(status_of("net_port", PGW), "ACTIVE");
	assert_string_equal(status_of("net_port", PDOWN), "DOWN");
	assert_string_equal(status_of("net_floatingip", F1), "ACTIVE");
	assert_string_equal(status_of("net_floatingip", F2), "DOWN");

	/* a burst of kicks coalesces */
	before = applies(&f);
	for (int i = 0; i < 100; i++)
		net_sync_kick();
	assert_int_equal(net_sync_wait_idle(5000), 0);
	print_message("100 kicks: %d applies\n", applies(&f) - before);
	assert_true(applies(&f) - before >= 1);
	assert_true(applies(&f) - before <= 3);

	/* a change is seen by the next apply */
	sql("UPDATE net_port SET admin_state_up = 0 WHERE id = '" P1 "'");
	net_sync_kick();
	assert_int_equal(net_sync_wait_idle(5000), 0);
	assert_string_equal(status_of("net_port", P1), "DOWN");

	/* a failing apply is retried after a backoff */
	pthread_mutex_lock(&f.lock);
	f.fail = 1;
	pthread_mutex_unlock(&f.lock);
	sql("UPDATE net_port SET admin_state_up = 1 WHERE id = '" P1 "'");
	before = applies(&f);
	assert_int_equal(net_sync_wait_idle(5000), 0);
	assert_true(applies(&f) - before >= 2);
	assert_string_equal(status_of("net_port", P1), "ACTIVE");

	net_sync_stop();
	net_sync_stop();
	before = applies(&f);
	net_sync_kick(); /* nothing runs */
	usleep(100000);
	assert_int_equal(applies(&f), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(protocols),
		cmocka_unit_test_setup_teardown(load_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(sync_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(load_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
