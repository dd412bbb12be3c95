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

/* Each line of 'text' starts with 'prefix' and holds at most 'commas' commas: no field
 * ended early, no line added. */
static void assert_lines(const char *text, const char *prefix, int commas)
{
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		int n = 0;

		assert_non_null(nl);
		assert_int_equal(strncmp(l, prefix, strlen(prefix)), 0);
		for (const char *c = l; c < nl; c++)
			n += *c == ',';
		assert_true(n <= commas);
		l = nl + 1;
	}
}

/* Tenant-controlled host fields that would break the hosts file (a newline, a comma, a
 * NUL-less control character) are left out whatever the API let through: a bad name
 * leaves the address without a name, a bad MAC or address leaves the line out. */
static void test_hosts_refuse_hostile(void **state)
{
	struct net_model m = fx_model();
	struct net_model_port saved1 = fx_ports[1], saved2 = fx_ports[2];
	struct net_model_ip saved_ip = fx_ips_vm3[0];
	char *text;

	(void)state;
	snprintf(fx_ports[1].hostname, sizeof(fx_ports[1].hostname), "%s",
		 "vm1\ndhcp-option=3,6.6.6.6");
	snprintf(fx_ports[2].mac, sizeof(fx_ports[2].mac), "%s", "fa:16:3e,00\n0:0c");
	snprintf(fx_ips_vm3[0].address, sizeof(fx_ips_vm3[0].address), "%s", "10.0.0.7\nx");
	text = dhcp_render_hosts(&m, &m.networks[0], &fx_ports[0]);
	assert_null(strstr(text, "dhcp-option"));
	assert_null(strstr(text, "6.6.6.6"));
	assert_null(strstr(text, "10.0.0.7"));
	assert_null(strstr(text, "fa:16:3e,00"));
	assert_non_null(strstr(text, "fa:16:3e:00:00:0b,10.0.0.5\n"));
	assert_non_null(strstr(text, "fa:16:3e:00:00:0b,[fd00:1::5]\n"));
	assert_lines(text, "fa:16:3e:", 2);
	free(text);
	for (const char *bad = "a,b\0a b\0a\tb\0a\rb\0"; *bad; bad += strlen(bad) + 1) {
		snprintf(fx_ports[1].hostname, sizeof(fx_ports[1].hostname), "%s", bad);
		text = dhcp_render_hosts(&m, &m.networks[0], &fx_ports[0]);
		assert_non_null(strstr(text, "fa:16:3e:00:00:0b,10.0.0.5\n"));
		assert_null(strstr(text, bad));
		assert_lines(text, "fa:16:3e:", 2);
		free(text);
	}
	fx_ports[1] = saved1;
	fx_ports[2] = saved2;
	fx_ips_vm3[0] = saved_ip;
}

/* The same for the options file: a gateway, DNS server or host route that is no address
 * is left out (no router offered for a bad gateway), never written as a line. */
static void test_opts_refuse_hostile(void **state)
{
	struct net_model m = fx_model();
	struct net_model_subnet saved = fx_subnets[0];
	struct net_model_route saved_route = fx_routes_a4[0];
	char dns[][46] = { "8.8.8.8\nserver=1.2.3.4", "9.9.9.9" };
	char *text;

	(void)state;
	snprintf(fx_subnets[0].gateway, sizeof(fx_subnets[0].gateway), "%s",
		 "10.0.0.1\nserver=6.6.6.6");
	fx_subnets[0].dns = dns;
	fx_subnets[0].ndns = 2;
	snprintf(fx_routes_a4[0].destination, sizeof(fx_routes_a4[0].destination), "%s",
		 "192.168.5.0/24,6");
	text = dhcp_render_opts(&m, &m.networks[0], &fx_ports[0]);
	assert_null(strstr(text, "server="));
	assert_null(strstr(text, "192.168.5.0"));
	assert_non_null(strstr(text, "tag:subnet-" SUB_A4 ",option:router\n"));
	assert_non_null(strstr(text, "tag:subnet-" SUB_A4 ",option:dns-server,9.9.9.9\n"));
	assert_non_null(strstr(text, "classless-static-route,169.254.169.254/32,10.0.0.2\n"));
	assert_lines(text, "tag:subnet-", 8);
	free(text);
	fx_subnets[0] = saved;
	fx_routes_a4[0] = saved_route;
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
		cmocka_unit_test(test_hosts_refuse_hostile),
		cmocka_unit_test(test_opts_refuse_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
