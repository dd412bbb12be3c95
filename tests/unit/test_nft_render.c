/* nftables renderers of the linuxbridge driver (src/network/nft_render.c), against golden
 * files in tests/unit/golden/ and by properties that must hold whatever the layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "network/nft_render.h"
#include "netdrv_fixture.h"

static void test_filter_golden(void **state)
{
	struct net_model m = fx_model();
	struct err err = { 0 };
	char *text = nft_render_filter(&m, &err);

	(void)state;
	assert_non_null(text);
	assert_int_equal(golden_check("filter.nft", text), 0);
	free(text);
}

/* Only instance ports with port security are marked: not the DHCP port, not the router
 * leg (port_security set, but network:*), not vm3 (port security off). */
static void test_filter_which_ports(void **state)
{
	struct net_model m = fx_model();
	struct err err = { 0 };
	char *text = nft_render_filter(&m, &err);

	(void)state;
	assert_non_null(text);
	assert_non_null(strstr(text, "\"tapb0000000-00\" : jump out_1"));
	assert_non_null(strstr(text, "\"tapc0000000-00\" : jump out_2"));
	assert_null(strstr(text, "tapa0000000-00"));
	assert_null(strstr(text, "tapd0000000-00"));
	assert_null(strstr(text, "tape0000000-00"));
	assert_null(strstr(text, "out_3"));
	/* the remote group set holds vm1's addresses and pairs, not vm2's (other group) */
	assert_non_null(strstr(text, "elements = { 10.0.0.5, 10.0.0.100, 10.0.1.0/24, 10.0.0.1 }"));
	assert_non_null(strstr(text, "elements = { fd00:1::5 }"));
	free(text);
}

/* No instance port: the tables still exist (so the replace is uniform), with no vmap
 * (an empty vmap is a syntax error). */
static void test_filter_empty(void **state)
{
	struct net_model m = { 0 };
	struct err err = { 0 };
	char *text = nft_render_filter(&m, &err);

	(void)state;
	assert_non_null(text);
	assert_int_equal(golden_check("filter_empty.nft", text), 0);
	assert_null(strstr(text, "vmap"));
	free(text);
}

/* A port leaving its groups: its chains change, the rest of the ruleset does not move. */
static void test_filter_follows_groups(void **state)
{
	struct net_model m = fx_model();
	struct err err = { 0 };
	char *before = nft_render_filter(&m, &err), *after;
	int saved = fx_ports[2].nsecgroups;

	(void)state;
	fx_ports[2].nsecgroups = 0;
	after = nft_render_filter(&m, &err);
	fx_ports[2].nsecgroups = saved;
	assert_non_null(before);
	assert_non_null(after);
	assert_non_null(strstr(before, "tcp dport 8000-8080 accept"));
	assert_null(strstr(after, "tcp dport 8000-8080 accept"));
	/* vm2 still has its chains, now only the defaults and the final drop */
	assert_non_null(strstr(after, "\tchain i_2 {\n"
				      "\t\tmeta nfproto ipv4 udp sport 67 udp dport 68 accept\n"
				      "\t\tmeta nfproto ipv6 udp sport 547 udp dport 546 accept\n"
				      "\t\tdrop\n"));
	free(before);
	free(after);
}

static void test_filter_too_many_ports(void **state)
{
	struct net_model m = { 0 };
	struct err err = { 0 };

	(void)state;
	m.nports = 65536;
	m.ports = calloc((size_t)m.nports, sizeof(*m.ports));
	assert_non_null(m.ports);
	for (int i = 0; i < m.nports; i++) {
		snprintf(m.ports[i].id, sizeof(m.ports[i].id), "%08x-0000-4000-8000-000000000000", i);
		m.ports[i].port_security = true;
	}
	assert_null(nft_render_filter(&m, &err));
	assert_int_equal(err.kind, ERR_INTERNAL);
	assert_non_null(strstr(err.msg, "65536"));
	free(m.ports);
}

static void test_nat_golden(void **state)
{
	struct net_model m = fx_model();
	char *text = nft_render_nat(&m, &m.routers[0]);

	(void)state;
	assert_int_equal(golden_check("nat.nft", text), 0);
	/* fip2 has no fixed address: no rule names it */
	assert_null(strstr(text, "172.24.4.21"));
	free(text);
}

static void test_nat_without_snat_or_gateway(void **state)
{
	struct net_model m = fx_model();
	char *text;

	(void)state;
	fx_routers[0].enable_snat = false;
	text = nft_render_nat(&m, &m.routers[0]);
	fx_routers[0].enable_snat = true;
	assert_null(strstr(text, "ip saddr { 10.0.0.0/24 } snat"));
	assert_non_null(strstr(text, "ip daddr 172.24.4.20 dnat ip to 10.0.0.5"));
	assert_non_null(strstr(text, "iifname != \"qg-f0000000-00\" ct status dnat snat ip to "
				     "172.24.4.10\n"));
	assert_non_null(strstr(text, "oifname \"qg-f0000000-00\" ip saddr 10.0.0.5 snat ip to 172.24.4.20"));
	free(text);

	fx_routers[0].gw_port_id[0] = '\0';
	text = nft_render_nat(&m, &m.routers[0]);
	snprintf(fx_routers[0].gw_port_id, sizeof(fx_routers[0].gw_port_id), "%s", P_RGW);
	assert_null(strstr(text, "dnat"));
	assert_null(strstr(text, "snat"));
	assert_non_null(strstr(text, "delete table inet ciel-nat\n"));
	free(text);
}

static void test_link_names(void **state)
{
	char name[16];

	(void)state;
	nft_link_name(name, "brq", NET_A);
	assert_string_equal(name, "brq11111111-aa");
	nft_link_name(name, "qr-", P_RIF);
	assert_string_equal(name, "qr-e0000000-00");
	nft_link_name(name, "tap", "short");
	assert_string_equal(name, "tapshort");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_golden),
		cmocka_unit_test(test_filter_which_ports),
		cmocka_unit_test(test_filter_empty),
		cmocka_unit_test(test_filter_follows_groups),
		cmocka_unit_test(test_filter_too_many_ports),
		cmocka_unit_test(test_nat_golden),
		cmocka_unit_test(test_nat_without_snat_or_gateway),
		cmocka_unit_test(test_link_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
