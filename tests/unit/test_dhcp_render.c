/* dnsmasq renderers of the linuxbridge driver (src/network/dhcp_render.c), against golden
 * files in tests/unit/golden/ and by properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "network/dhcp_render.h"
#include "netdrv_fixture.h"

#define DIR "/var/lib/ciel/dhcp/" NET_A

static void test_conf_golden(void **state)
{
	struct net_model m = fx_model();
	char *text = dhcp_render_conf(&m, &m.networks[0], &fx_ports[0], DIR);

	(void)state;
	assert_int_equal(golden_check("dnsmasq.conf", text), 0);
	/* nothing upstream */
	assert_non_null(strstr(text, "no-resolv\n"));
	assert_null(strstr(text, "server="));
	free(text);
}

static void test_hosts_golden(void **state)
{
	struct net_model m = fx_model();
	char *text = dhcp_render_hosts(&m, &m.networks[0], &fx_ports[0]);

	(void)state;
	assert_int_equal(golden_check("dnsmasq_hosts.conf", text), 0);
	assert_null(strstr(text, "fa:16:3e:00:00:0a")); /* the DHCP port itself */
	assert_null(strstr(text, "172.24.4.10"));       /* another network's port */
	free(text);
}

static void test_opts_golden(void **state)
{
	struct net_model m = fx_model();
	char *text = dhcp_render_opts(&m, &m.networks[0], &fx_ports[0]);

	(void)state;
	assert_int_equal(golden_check("dnsmasq_opts.conf", text), 0);
	free(text);
}

/* A port change touches the hosts file only: dnsmasq gets a SIGHUP, not a restart. */
static void test_port_change_leaves_conf(void **state)
{
	struct net_model m = fx_model();
	char *conf1 = dhcp_render_conf(&m, &m.networks[0], &fx_ports[0], DIR);
	char *hosts1 = dhcp_render_hosts(&m, &m.networks[0], &fx_ports[0]);
	char *conf2, *hosts2;

	(void)state;
	m.nports = 2; /* only the DHCP port and vm1 remain */
	conf2 = dhcp_render_conf(&m, &m.networks[0], &fx_ports[0], DIR);
	hosts2 = dhcp_render_hosts(&m, &m.networks[0], &fx_ports[0]);
	assert_string_equal(conf1, conf2);
	assert_string_not_equal(hosts1, hosts2);
	assert_string_equal(hosts2, "fa:16:3e:00:00:0b,10.0.0.5,vm1\n"
				    "fa:16:3e:00:00:0b,[fd00:1::5],vm1\n");
	free(conf1);
	free(conf2);
	free(hosts1);
	free(hosts2);
}

/* No gateway: an empty router option (so none is offered), no default in option 121;
 * no DNS server configured: the DHCP port's own address. */
static void test_opts_no_gateway(void **state)
{
	struct net_model m = fx_model();
	char *text;

	(void)state;
	fx_subnets[0].gateway[0] = '\0';
	text = dhcp_render_opts(&m, &m.networks[0], &fx_ports[0]);
	snprintf(fx_subnets[0].gateway, sizeof(fx_subnets[0].gateway), "10.0.0.1");
	assert_non_null(strstr(text, "tag:subnet-" SUB_A4 ",option:router\n"));
	assert_non_null(strstr(text, "classless-static-route,169.254.169.254/32,10.0.0.2,"
				   "192.168.5.0/24,10.0.0.254\n"));
	assert_null(strstr(text, "0.0.0.0/0"));
	assert_non_null(strstr(text, "tag:subnet-" SUB_A4 ",option:dns-server,10.0.0.2\n"));
	free(text);
}

static void test_served(void **state)
{
	struct net_model m = fx_model();

	(void)state;
	assert_true(dhcp_network_served(&m, &m.networks[0]));
	assert_false(dhcp_network_served(&m, &m.networks[1])); /* DHCP off on ext */
	fx_subnets[0].enable_dhcp = false;
	/* the IPv6 subnet is DHCPv6-stateful: still served */
	assert_true(dhcp_network_served(&m, &m.networks[0]));
	snprintf(fx_subnets[1].ipv6_address_mode, sizeof(fx_subnets[1].ipv6_address_mode), "slaac");
	assert_false(dhcp_network_served(&m, &m.networks[0]));
	fx_subnets[0].enable_dhcp = true;
	snprintf(fx_subnets[1].ipv6_address_mode, sizeof(fx_subnets[1].ipv6_address_mode),
		 "dhcpv6-stateful");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_golden),
		cmocka_unit_test(test_hosts_golden),
		cmocka_unit_test(test_opts_golden),
		cmocka_unit_test(test_port_change_leaves_conf),
		cmocka_unit_test(test_opts_no_gateway),
		cmocka_unit_test(test_served),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
