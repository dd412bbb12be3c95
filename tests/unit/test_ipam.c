/* Address arithmetic of IPAM (src/network/ipam_addr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "network/ipam_addr.h"

static struct net_addr A(const char *s)
{
	struct net_addr a;

	assert_int_equal(net_addr_parse(s, &a), 0);
	return a;
}

static struct net_cidr C(const char *s)
{
	struct net_cidr c;

	assert_int_equal(net_cidr_parse(s, &c), 0);
	return c;
}

static void assert_addr(const struct net_addr *a, const char *want)
{
	char buf[NET_ADDR_STRLEN];

	net_addr_format(a, buf);
	assert_string_equal(buf, want);
}

static void parse_format(void **state)
{
	struct net_addr a;
	struct net_cidr c;
	char buf[NET_CIDR_STRLEN];

	(void)state;
	a = A("10.0.0.1");
	assert_int_equal(a.version, 4);
	assert_addr(&a, "10.0.0.1");
	a = A("2001:DB8:0:0::1");
	assert_int_equal(a.version, 6);
	assert_addr(&a, "2001:db8::1");
	assert_int_equal(net_addr_parse("10.0.0.256", &a), -1);
	assert_int_equal(net_addr_parse("10.0.0", &a), -1);
	assert_int_equal(net_addr_parse("2001:db8:::1", &a), -1);
	assert_int_equal(net_addr_parse("", &a), -1);
	assert_int_equal(net_cidr_parse("10.0.0.0/33", &c), -1);
	assert_int_equal(net_cidr_parse("10.0.0.0", &c), -1);
	assert_int_equal(net_cidr_parse("10.0.0.0/", &c), -1);
	assert_int_equal(net_cidr_parse("10.0.0.0/-1", &c), -1);
	assert_int_equal(net_cidr_parse("2001:db8::/129", &c), -1);
	c = C("10.0.0.5/24");
	assert_false(net_cidr_strict(&c));
	net_cidr_format(&c, buf);
	assert_string_equal(buf, "10.0.0.0/24");
	c = C("2001:db8:1::/64");
	assert_true(net_cidr_strict(&c));
	a = net_cidr_last(&c);
	assert_addr(&a, "2001:db8:1:0:ffff:ffff:ffff:ffff");
	c = C("0.0.0.0/0");
	a = net_cidr_last(&c);
	assert_addr(&a, "255.255.255.255");
	a = net_addr_add(A("10.0.0.255"), 1);
	assert_addr(&a, "10.0.1.0");
	a = net_addr_add(A("10.0.1.0"), -1);
	assert_addr(&a, "10.0.0.255");
	a = net_addr_add(A("::ffff:ffff:ffff:ffff"), 1);
	assert_addr(&a, "0:0:0:1::");
}

static void contain_overlap(void **state)
{
	struct net_cidr a = C("10.0.0.0/24"), b = C("10.0.0.128/25"), d = C("10.0.1.0/24");
	struct net_cidr v6 = C("::/0");
	struct net_addr x;

	(void)state;
	assert_true(net_cidr_overlap(&a, &b));
	assert_true(net_cidr_overlap(&b, &a));
	assert_false(net_cidr_overlap(&a, &d));
	assert_false(net_cidr_overlap(&a, &v6));
	assert_true(net_cidr_within(&b, &a));
	assert_false(net_cidr_within(&a, &b));
	x = A("10.0.0.0");
	assert_true(net_cidr_contains(&a, &x));
	assert_false(net_cidr_host_ok(&a, &x));
	x = A("10.0.0.255");
	assert_false(net_cidr_host_ok(&a, &x));
	x = A("10.0.0.254");
	assert_true(net_cidr_host_ok(&a, &x));
	x = A("10.0.1.1");
	assert_false(net_cidr_host_ok(&a, &x));
	x = A("2001:db8::ffff:ffff:ffff:ffff");
	a = C("2001:db8::/64");
	assert_true(net_cidr_host_ok(&a, &x)); /* no broadcast in IPv6 */
	x = A("2001:db8::");
	assert_false(net_cidr_host_ok(&a, &x));
	a = C("10.0.0.0/31");
	x = A("10.0.0.0");
	assert_true(net_cidr_host_ok(&a, &x));
}

static void default_pools(void **state)
{
	struct net_range r[2];
	struct net_cidr c = C("10.0.0.0/24");
	struct net_addr gw = A("10.0.0.1");

	(void)state;
	assert_int_equal(net_default_pools(&c, &gw, r), 1);
	assert_addr(&r[0].start, "10.0.0.2");
	assert_addr(&r[0].end, "10.0.0.254");
	gw = A("10.0.0.100");
	assert_int_equal(net_default_pools(&c, &gw, r), 2);
	assert_addr(&r[0].end, "10.0.0.99");
	assert_addr(&r[1].start, "10.0.0.101");
	assert_int_equal(net_default_pools(&c, NULL, r), 1);
	assert_addr(&r[0].start, "10.0.0.1");
	c = C("2001:db8::/64");
	gw = A("2001:db8::1");
	assert_int_equal(net_default_pools(&c, &gw, r), 1);
	assert_addr(&r[0].start, "2001:db8::2");
	assert_addr(&r[0].end, "2001:db8::ffff:ffff:ffff:ffff");
	c = C("10.0.0.0/30");
	gw = A("10.0.0.1");
	assert_int_equal(net_default_pools(&c, &gw, r), 1);
	assert_addr(&r[0].start, "10.0.0.2");
	assert_addr(&r[0].end, "10.0.0.2");
	c = C("10.0.0.0/32");
	gw = A("10.0.0.0");
	assert_int_equal(net_default_pools(&c, &gw, r), 0);
}

static void eui64(void **state)
{
	struct net_cidr c = C("2001:db8::/64");
	struct net_addr a;

	(void)state;
	assert_int_equal(net_addr_eui64(&c, "fa:16:3e:12:34:56", &a), 0);
	assert_addr(&a, "2001:db8::f816:3eff:fe12:3456");
	assert_int_equal(net_addr_eui64(&c, "fa:16:3e:12:34", &a), -1);
	c = C("10.0.0.0/24");
	assert_int_equal(net_addr_eui64(&c, "fa:16:3e:12:34:56", &a), -1);
}

static void first_free(void **state)
{
	struct net_range pools[2] = { { A("10.0.0.2"), A("10.0.0.4") },
				      { A("10.0.0.10"), A("10.0.0.11") } };
	struct net_addr used[4] = { A("10.0.0.3"), A("10.0.0.2"), A("10.0.0.4"), A("10.0.0.1") };
	struct net_addr gw = A("10.0.0.10"), out;

	(void)state;
	assert_true(net_first_free(pools, 2, &gw, used, 0, &out));
	assert_addr(&out, "10.0.0.2");
	net_addr_sort(used, 4);
	assert_addr(&used[0], "10.0.0.1");
	assert_true(net_first_free(pools, 2, &gw, used, 2, &out)); /* .1 and .2 used */
	assert_addr(&out, "10.0.0.3");
	assert_true(net_first_free(pools, 2, &gw, used, 4, &out));
	assert_addr(&out, "10.0.0.11"); /* .10 is the gateway */
	used[0] = A("10.0.0.11");
	net_addr_sort(used, 4);
	assert_false(net_first_free(pools, 2, &gw, used, 4, &out));
	/* the top of the IPv6 space does not wrap */
	pools[0] = (struct net_range){ A("::fffe"), A("::ffff") };
	used[0] = A("::fffe");
	assert_true(net_first_free(pools, 1, NULL, used, 1, &out));
	assert_addr(&out, "::ffff");
	pools[0] = (struct net_range){ A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
				       A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") };
	used[0] = pools[0].start;
	assert_false(net_first_free(pools, 1, NULL, used, 1, &out));
}

static void first_free_prefix(void **state)
{
	struct net_cidr pr[2] = { C("10.0.0.0/23"), C("192.168.0.0/16") };
	struct net_cidr used[3] = { C("10.0.0.0/25"), C("10.0.0.128/26"), C("10.0.1.0/24") };
	struct net_cidr out, v6 = C("2001:db8::/48"), u6 = C("2001:db8::/64");
	char buf[NET_CIDR_STRLEN];

	(void)state;
	assert_true(net_first_free_prefix(pr, 2, used, 0, 24, &out));
	net_cidr_format(&out, buf);
	assert_string_equal(buf, "10.0.0.0/24");
	assert_true(net_first_free_prefix(pr, 2, used, 3, 26, &out));
	net_cidr_format(&out, buf);
	assert_string_equal(buf, "10.0.0.192/26");
	assert_true(net_first_free_prefix(pr, 2, used, 3, 24, &out));
	net_cidr_format(&out, buf);
	assert_string_equal(buf, "192.168.0.0/24");
	assert_false(net_first_free_prefix(pr, 1, used, 3, 25, &out));
	assert_false(net_first_free_prefix(pr, 2, used, 3, 15, &out)); /* larger than both */
	assert_true(net_first_free_prefix(&v6, 1, &u6, 1, 64, &out));
	net_cidr_format(&out, buf);
	assert_string_equal(buf, "2001:db8:0:1::/64");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_format),	 cmocka_unit_test(contain_overlap),
		cmocka_unit_test(default_pools), cmocka_unit_test(eui64),
		cmocka_unit_test(first_free),	 cmocka_unit_test(first_free_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
