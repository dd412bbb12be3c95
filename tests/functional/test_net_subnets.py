"""Subnets and IPAM through the real openstack CLI, openstacksdk and raw requests: defaults
(gateway, allocation pools), every attribute, Neutron's 400/403/404/409 bodies for bad
input with nothing changed, IPv6 modes and SLAAC (EUI-64) addresses, ports' addresses
taken in pool order, exhausted pools, the DHCP port that follows DHCP-enabled subnets,
delete refused while ports hold addresses, list filters, bulk create and the quota."""
import ipaddress
import time

import pytest
from conftest import Project

NET = "/network/v2.0/networks"
SUB = "/network/v2.0/subnets"
PORT = "/network/v2.0/ports"


@pytest.fixture(scope="module")
def two(cloud):
    """(a, b): two projects that are not admin."""
    return Project(cloud, "sub-a"), Project(cloud, "sub-b")


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


def new_net(p, name="n", **attrs):
    status, _, body = p.req("POST", NET, body={"network": dict(name=name, **attrs)})
    assert status == 201, body
    return body["network"]


def new_subnet(p, net, cidr, **attrs):
    body = {"subnet": dict(network_id=net["id"], cidr=cidr,
                           ip_version=ipaddress.ip_network(cidr).version, **attrs)}
    status, _, out = p.req("POST", SUB, body=body)
    assert status == 201, out
    return out["subnet"]


def subnets_of(p, net):
    status, _, body = p.req("GET", SUB + "?network_id=" + net["id"])
    assert status == 200, body
    return body["subnets"]


def ports_of(p, net, owner=None):
    q = "?network_id=" + net["id"] + (f"&device_owner={owner}" if owner else "")
    status, _, body = p.req("GET", PORT + q)
    assert status == 200, body
    return body["ports"]


def new_port(p, net, **attrs):
    status, _, body = p.req("POST", PORT, body={"port": dict(network_id=net["id"], **attrs)})
    assert status == 201, body
    return body["port"]


def eui64(cidr, mac):
    b = bytes(int(x, 16) for x in mac.split(":"))
    iid = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:]
    net = ipaddress.ip_network(cidr)
    return str(net.network_address + int.from_bytes(iid, "big"))


def test_cli_create_defaults_and_dhcp_port(cloud, two):
    a, _ = two
    net = a.cli("network", "create", "cli-sub-net", "-f", "json")
    sub = a.cli("subnet", "create", "--network", net["id"], "--subnet-range", "10.10.0.0/24",
                "cli-sub", "-f", "json")
    assert sub["cidr"] == "10.10.0.0/24" and sub["ip_version"] == 4
    assert sub["gateway_ip"] == "10.10.0.1" and sub["enable_dhcp"] is True
    assert sub["allocation_pools"] == [{"start": "10.10.0.2", "end": "10.10.0.254"}]
    assert sub["project_id"] == a.id and sub["revision_number"] == 0
    assert sub["ipv6_ra_mode"] is None and sub["subnetpool_id"] is None
    # the network lists it
    assert a.cli("network", "show", net["id"], "-f", "json")["subnets"] == [sub["id"]]
    # the DHCP port: owned by the network's project, first pool address
    dhcp = ports_of(a, net, "network:dhcp")
    assert len(dhcp) == 1, dhcp
    assert dhcp[0]["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.10.0.2"}]
    assert dhcp[0]["device_id"].startswith("dhcp") and net["id"] in dhcp[0]["device_id"]
    assert dhcp[0]["project_id"] == a.id
    # a port takes the next free address
    port = a.cli("port", "create", "--network", net["id"], "p1", "-f", "json")
    ips = port["fixed_ips"]
    if isinstance(ips, str):  # older clients print "ip_address='..', subnet_id='..'"
        assert "10.10.0.3" in ips
    else:
        assert ips == [{"subnet_id": sub["id"], "ip_address": "10.10.0.3"}]
    # delete refused while the port holds an address, the DHCP port does not count
    p = a.cli("subnet", "delete", sub["id"], check=False)
    assert p.returncode != 0 and "One or more ports have an IP allocation" in p.stderr
    a.cli("port", "delete", port["id"])
    a.cli("subnet", "delete", sub["id"])
    assert subnets_of(a, net) == []
    assert ports_of(a, net) == []  # the DHCP port went with the last DHCP subnet
    a.cli("network", "delete", net["id"])


def test_cli_all_attributes_and_update(cloud, two):
    a, _ = two
    net = new_net(a, "attrs")
    sub = a.cli("subnet", "create", "--network", net["id"], "--subnet-range", "10.11.0.0/24",
                "--gateway", "10.11.0.1", "--allocation-pool", "start=10.11.0.3,end=10.11.0.7",
                "--dns-nameserver", "8.8.4.4", "--dns-nameserver", "8.8.8.8",
                "--host-route", "destination=10.20.0.0/32,gateway=10.100.1.1",
                "--description", "d1", "--no-dhcp", "attrs-sub", "-f", "json")
    assert sub["allocation_pools"] == [{"start": "10.11.0.3", "end": "10.11.0.7"}]
    assert sub["dns_nameservers"] == ["8.8.4.4", "8.8.8.8"]
    assert sub["host_routes"] == [{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}]
    assert sub["description"] == "d1" and sub["enable_dhcp"] is False
    assert ports_of(a, net, "network:dhcp") == []  # no DHCP subnet, no DHCP port
    a.cli("subnet", "set", "--name", "renamed", "--gateway", "10.11.0.2", "--dhcp",
          "--no-dns-nameservers", "--dns-nameserver", "7.8.8.8",
          "--no-host-route", "--host-route", "destination=10.20.0.0/32,gateway=10.100.1.2",
          sub["id"])
    after = a.cli("subnet", "show", sub["id"], "-f", "json")
    assert after["name"] == "renamed" and after["gateway_ip"] == "10.11.0.2"
    assert after["enable_dhcp"] is True and after["dns_nameservers"] == ["7.8.8.8"]
    assert after["host_routes"] == [{"destination": "10.20.0.0/32", "nexthop": "10.100.1.2"}]
    assert after["revision_number"] > sub["revision_number"]
    # enabling DHCP made the DHCP port, on the first pool address
    dhcp = ports_of(a, net, "network:dhcp")
    assert [ip["ip_address"] for ip in dhcp[0]["fixed_ips"]] == ["10.11.0.3"]
    # disabling it removes the port again
    a.cli("subnet", "set", "--no-dhcp", sub["id"])
    assert ports_of(a, net, "network:dhcp") == []
    # no gateway
    sub2 = a.cli("subnet", "create", "--network", net["id"], "--subnet-range", "10.12.0.0/28",
                 "--gateway", "none", "nogw", "-f", "json")
    assert sub2["gateway_ip"] is None
    assert sub2["allocation_pools"] == [{"start": "10.12.0.1", "end": "10.12.0.14"}]


def test_sdk_ipv6_modes_and_eui64(cloud):
    conn = cloud.sdk()
    net = conn.network.create_network(name="v6")
    slaac = conn.network.create_subnet(network_id=net.id, ip_version=6, cidr="2001:db8:1::/64",
                                       ipv6_ra_mode="slaac", ipv6_address_mode="slaac")
    assert slaac.gateway_ip == "2001:db8:1::1"
    assert slaac.allocation_pools == [{"start": "2001:db8:1::2",
                                       "end": "2001:db8:1:0:ffff:ffff:ffff:ffff"}]
    mac = "fa:16:3e:12:34:56"
    port = conn.network.create_port(network_id=net.id, mac_address=mac)
    assert [ip["ip_address"] for ip in port.fixed_ips] == [eui64("2001:db8:1::/64", mac)]
    # a stateful subnet next to it: the port of a new port gets both
    stateful = conn.network.create_subnet(network_id=net.id, ip_version=6,
                                          cidr="2001:db8:2::/64",
                                          ipv6_address_mode="dhcpv6-stateful")
    p2 = conn.network.create_port(network_id=net.id, mac_address="fa:16:3e:00:00:01")
    got = {ip["subnet_id"]: ip["ip_address"] for ip in p2.fixed_ips}
    assert got[slaac.id] == eui64("2001:db8:1::/64", "fa:16:3e:00:00:01")
    assert ipaddress.ip_address(got[stateful.id]) in ipaddress.ip_network("2001:db8:2::/64")
    # a new SLAAC subnet gives existing ports their EUI-64 address
    slaac2 = conn.network.create_subnet(network_id=net.id, ip_version=6,
                                        cidr="2001:db8:3::/64",
                                        ipv6_ra_mode="dhcpv6-stateless",
                                        ipv6_address_mode="dhcpv6-stateless")
    port = conn.network.get_port(port.id)
    assert {"subnet_id": slaac2.id, "ip_address": eui64("2001:db8:3::/64", mac)} in \
        [dict(subnet_id=i["subnet_id"], ip_address=i["ip_address"]) for i in port.fixed_ips]
    # SLAAC subnets may be deleted under ports: they lose the address
    conn.network.delete_subnet(slaac2.id)
    port = conn.network.get_port(port.id)
    assert [i["subnet_id"] for i in port.fixed_ips] == [slaac.id]
    # an address given on a SLAAC subnet is refused
    tok = cloud.token()[0]
    status, _, body = cloud.request("POST", PORT, tok, body={"port": {
        "network_id": net.id, "fixed_ips": [{"subnet_id": slaac.id,
                                             "ip_address": "2001:db8:1::99"}]}})
    assert "automatic addresses" in neutron_error(body, status, 400)


@pytest.mark.parametrize("ra,am", [("dhcpv6-stateless", "dhcpv6-stateful"),
                                   ("dhcpv6-stateless", "slaac"),
                                   ("slaac", "dhcpv6-stateful"),
                                   ("dhcpv6-stateful", "dhcpv6-stateless")])
def test_invalid_ipv6_mode_pairs(cloud, two, ra, am):
    a, _ = two
    net = new_net(a, "modes")
    status, _, body = a.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "cidr": "2001:db8:9::/64", "ip_version": 6,
        "ipv6_ra_mode": ra, "ipv6_address_mode": am}})
    assert "must be the same value" in neutron_error(body, status, 400)
    assert subnets_of(a, net) == []


BAD = [
    ({"cidr": "10.0.0.0/33"}, 400, "is not a valid IP subnet"),
    ({"cidr": "banana"}, 400, "is not a valid IP subnet"),
    ({"cidr": "10.0.0.5/24"}, 400, "'10.0.0.0/24' is recommended"),
    ({"cidr": "10.0.0.0/24", "ip_version": 6}, 400, "does not match the ip_version"),
    ({"cidr": "10.0.0.0/24", "ip_version": 5}, 400, "is not in [4, 6]"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.0"}, 400, "Gateway is not valid"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.255"}, 400, "Gateway is not valid"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "nope"}, 400, "not a valid IP address"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.5", "end": "10.0.1.5"}]},
     400, "spans beyond the subnet cidr 10.0.0.0/24"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.9", "end": "10.0.0.5"}]},
     400, "The allocation pool 10.0.0.9-10.0.0.5 is not valid."),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.2", "end": "10.0.0.9"},
                                                  {"start": "10.0.0.8", "end": "10.0.0.20"}]},
     400, "Found overlapping allocation pools: 10.0.0.2-10.0.0.9 10.0.0.8-10.0.0.20"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.5",
      "allocation_pools": [{"start": "10.0.0.2", "end": "10.0.0.9"}]},
     409, "Gateway ip 10.0.0.5 conflicts with allocation pool 10.0.0.2-10.0.0.9."),
    ({"cidr": "10.0.0.0/24", "dns_nameservers": ["1.1.1.1", "1.1.1.1"]}, 400,
     "Duplicate nameserver '1.1.1.1'"),
    ({"cidr": "10.0.0.0/24", "dns_nameservers": ["x"]}, 400, "is not a valid nameserver"),
    ({"cidr": "10.0.0.0/24", "host_routes": [{"destination": "x", "nexthop": "1.1.1.1"}]},
     400, "hostroute"),
    ({"cidr": "10.0.0.0/24", "ipv6_ra_mode": "slaac"}, 400, "when ip_version is 4"),
    ({"cidr": "2001:db8::/48", "ip_version": 6, "ipv6_address_mode": "slaac"}, 400,
     "requires the prefix to be /64"),
    ({"cidr": "2001:db8::/64", "ip_version": 6, "ipv6_address_mode": "slaac",
      "enable_dhcp": False}, 400, "cannot be set when enable_dhcp is set to False"),
    ({"ip_version": 4}, 400, "a subnetpool must be specified in the absence of a cidr"),
    ({"cidr": "10.0.0.0/24", "bogus": 1}, 400, "Unrecognized attribute(s) 'bogus'"),
    ({"cidr": "10.0.0.0/24", "subnetpool_id": "00000000-0000-0000-0000-000000000000"}, 404,
     "could not be found"),
]


@pytest.mark.parametrize("attrs,code,words", BAD)
def test_bad_input_changes_nothing(cloud, two, attrs, code, words):
    a, _ = two
    net = new_net(a, "bad")
    body = {"subnet": dict({"network_id": net["id"], "ip_version": 4}, **attrs)}
    status, _, out = a.req("POST", SUB, body=body)
    assert words in neutron_error(out, status, code)
    assert subnets_of(a, net) == []
    assert ports_of(a, net) == []


def test_overlap_and_other_projects(cloud, two):
    a, b = two
    net = new_net(a, "ov")
    new_subnet(a, net, "10.30.0.0/24")
    status, _, body = a.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "cidr": "10.30.0.128/25", "ip_version": 4}})
    msg = neutron_error(body, status, 400)
    assert msg == ("Invalid input for operation: Requested subnet with cidr: 10.30.0.128/25 "
                   f"for network: {net['id']} overlaps with another subnet.")
    # the same range on another network is fine
    other = new_net(a, "ov2")
    new_subnet(a, other, "10.30.0.0/24")
    # b cannot see a's private network: 404; a shared one it sees but does not own: 403
    status, _, body = b.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "cidr": "10.31.0.0/24", "ip_version": 4}})
    assert "could not be found" in neutron_error(body, status, 404)
    tok = cloud.token()[0]
    shared = cloud.request("POST", NET, tok, body={"network": {"name": "sh", "shared": True}})
    shared = shared[2]["network"]
    status, _, body = b.req("POST", SUB, body={"subnet": {
        "network_id": shared["id"], "cidr": "10.32.0.0/24", "ip_version": 4}})
    neutron_error(body, status, 403)
    sub = new_subnet(cloud_admin(cloud), shared, "10.32.0.0/24")
    # b sees the subnet of the shared network, not a's private ones; cannot change it
    status, _, body = b.req("GET", SUB)
    ids = [s["id"] for s in body["subnets"]]
    assert sub["id"] in ids and not any(s["network_id"] == net["id"] for s in body["subnets"])
    status, _, body = b.req("PUT", f"{SUB}/{sub['id']}", body={"subnet": {"name": "x"}})
    neutron_error(body, status, 403)
    status, _, body = b.req("DELETE", f"{SUB}/{sub['id']}")
    neutron_error(body, status, 403)
    a_sub = subnets_of(a, net)[0]
    status, _, body = b.req("GET", f"{SUB}/{a_sub['id']}")
    assert neutron_error(body, status, 404) == f"Subnet {a_sub['id']} could not be found."


class cloud_admin:
    """The admin as a Project-like requester."""

    def __init__(self, cloud):
        self.cloud, self.tok = cloud, cloud.token()[0]

    def req(self, method, path, **kw):
        return self.cloud.request(method, path, self.tok, **kw)


def test_update_errors_change_nothing(cloud, two):
    a, _ = two
    net = new_net(a, "upd")
    sub = new_subnet(a, net, "10.40.0.0/24",
                     allocation_pools=[{"start": "10.40.0.10", "end": "10.40.0.20"}])
    for attrs, code, words in [
            ({"gateway_ip": "10.40.0.15"}, 409, "conflicts with allocation pool"),
            ({"allocation_pools": [{"start": "10.40.0.1", "end": "10.40.0.5"}]}, 409,
             "Gateway ip 10.40.0.1 conflicts"),
            ({"cidr": "10.41.0.0/24"}, 400, "Cannot update read-only attribute cidr"),
            ({"ip_version": 6}, 400, "Cannot update read-only attribute ip_version"),
            ({"dns_nameservers": ["a", "b"]}, 400, "not a valid nameserver")]:
        status, _, body = a.req("PUT", f"{SUB}/{sub['id']}", body={"subnet": attrs})
        assert words in neutron_error(body, status, code), attrs
    status, _, now = a.req("GET", f"{SUB}/{sub['id']}")
    assert now["subnet"] == sub
    # a good pools update
    status, _, body = a.req("PUT", f"{SUB}/{sub['id']}", body={"subnet": {
        "allocation_pools": [{"start": "10.40.0.100", "end": "10.40.0.110"},
                             {"start": "10.40.0.2", "end": "10.40.0.3"}]}})
    assert status == 200, body
    assert body["subnet"]["allocation_pools"][0] == {"start": "10.40.0.100",
                                                     "end": "10.40.0.110"}
    status, _, body = a.req("PUT", f"{SUB}/{sub['id']}", body={"subnet": {"gateway_ip": None}})
    assert status == 200 and body["subnet"]["gateway_ip"] is None, body
    status, _, body = a.req("PUT", f"{SUB}/{sub['id']}", body={"subnet": {
        "allocation_pools": None}})
    assert status == 200, body
    assert body["subnet"]["allocation_pools"] == [{"start": "10.40.0.1", "end": "10.40.0.254"}]


def test_ipam_order_given_taken_exhausted(cloud, two):
    a, _ = two
    net = new_net(a, "ipam")
    sub = new_subnet(a, net, "10.50.0.0/29", enable_dhcp=False)  # .2-.6 free
    got = [new_port(a, net)["fixed_ips"][0]["ip_address"] for _ in range(3)]
    assert got == ["10.50.0.2", "10.50.0.3", "10.50.0.4"]
    # a given address, by subnet and address, then by address alone
    p = new_port(a, net, fixed_ips=[{"subnet_id": sub["id"], "ip_address": "10.50.0.6"}])
    assert p["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.50.0.6"}]
    status, _, body = a.req("POST", PORT, body={"port": {
        "network_id": net["id"], "fixed_ips": [{"ip_address": "10.50.0.6"}]}})
    assert neutron_error(body, status, 409) == \
        f"IP address 10.50.0.6 already allocated in subnet {sub['id']}"
    assert body["NeutronError"]["type"] == "IpAddressAlreadyAllocated"  # Tempest matches it
    # outside the subnet, a subnet of another network
    status, _, body = a.req("POST", PORT, body={"port": {
        "network_id": net["id"], "fixed_ips": [{"subnet_id": sub["id"],
                                                "ip_address": "10.50.1.1"}]}})
    assert "is not a valid IP for the specified subnet" in neutron_error(body, status, 400)
    other = new_net(a, "ipam2")
    osub = new_subnet(a, other, "10.51.0.0/24")
    status, _, body = a.req("POST", PORT, body={"port": {
        "network_id": net["id"], "fixed_ips": [{"subnet_id": osub["id"]}]}})
    assert "invalid subnet" in neutron_error(body, status, 400)
    # the last one, then none
    assert new_port(a, net)["fixed_ips"][0]["ip_address"] == "10.50.0.5"
    n_ports = len(ports_of(a, net))
    status, _, body = a.req("POST", PORT, body={"port": {"network_id": net["id"]}})
    assert neutron_error(body, status, 409) == \
        f"No more IP addresses available on network {net['id']}."
    assert body["NeutronError"]["type"] == "IpAddressGenerationFailure"
    assert len(ports_of(a, net)) == n_ports
    # a released address is taken again first
    victim = [p for p in ports_of(a, net)
              if p["fixed_ips"][0]["ip_address"] == "10.50.0.3"][0]
    a.req("DELETE", f"{PORT}/{victim['id']}")
    assert new_port(a, net)["fixed_ips"][0]["ip_address"] == "10.50.0.3"


def test_list_filters_fields_bulk(cloud, two):
    a, _ = two
    net = new_net(a, "lst")
    status, _, body = a.req("POST", SUB, body={"subnets": [
        {"network_id": net["id"], "cidr": "10.60.0.0/24", "ip_version": 4, "name": "l4"},
        {"network_id": net["id"], "cidr": "2001:db8:60::/64", "ip_version": 6,
         "enable_dhcp": False}]})
    assert status == 201 and len(body["subnets"]) == 2, body
    s4, s6 = body["subnets"]
    base = SUB + "?network_id=" + net["id"]
    for q, want in [("&ip_version=6", [s6["id"]]), ("&cidr=10.60.0.0/24", [s4["id"]]),
                    ("&enable_dhcp=false", [s6["id"]]), ("&name=l4", [s4["id"]]),
                    ("&gateway_ip=10.60.0.1", [s4["id"]]), ("&ip_version=4&ip_version=6",
                                                             sorted([s4["id"], s6["id"]]))]:
        status, _, body = a.req("GET", base + q)
        assert status == 200 and sorted(s["id"] for s in body["subnets"]) == sorted(want), q
    # tags, as on every resource
    status, _, _ = a.req("PUT", f"{SUB}/{s6['id']}/tags/red")
    assert status == 201
    status, _, body = a.req("GET", base + "&tags=red")
    assert [s["id"] for s in body["subnets"]] == [s6["id"]]
    assert body["subnets"][0]["tags"] == ["red"]
    status, _, body = a.req("GET", base + "&fields=id&fields=cidr")
    assert all(set(s) == {"id", "cidr"} for s in body["subnets"]), body
    # a bulk with one bad item creates nothing
    status, _, body = a.req("POST", SUB, body={"subnets": [
        {"network_id": net["id"], "cidr": "10.61.0.0/24", "ip_version": 4},
        {"network_id": net["id"], "cidr": "10.61.0.0/25", "ip_version": 4}]})
    assert "overlaps" in neutron_error(body, status, 400)
    assert len(subnets_of(a, net)) == 2


def test_quota(cloud):
    p = Project(cloud, "sub-quota")
    status, _, body = cloud.request("PUT", f"/network/v2.0/quotas/{p.id}", cloud.token()[0],
                                    body={"quota": {"subnet": 1}})
    assert status == 200, body
    net = new_net(p, "q")
    new_subnet(p, net, "10.70.0.0/24")
    status, _, body = p.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "cidr": "10.71.0.0/24", "ip_version": 4}})
    assert "Quota exceeded for resources: ['subnet']" in neutron_error(body, status, 409)
    assert len(subnets_of(p, net)) == 1


def test_network_delete_takes_subnets(cloud, two):
    a, _ = two
    net = new_net(a, "del")
    sub = new_subnet(a, net, "10.80.0.0/24")
    assert len(ports_of(a, net, "network:dhcp")) == 1
    status, _, _ = a.req("DELETE", f"{NET}/{net['id']}")
    assert status == 204
    status, _, body = a.req("GET", f"{SUB}/{sub['id']}")
    neutron_error(body, status, 404)


def test_port_create_rate(cloud, two):
    """IPAM is no bottleneck: ports on one subnet are created quickly (loose bound)."""
    a, _ = two
    net = new_net(a, "rate")
    new_subnet(a, net, "10.90.0.0/22", enable_dhcp=False)
    t = time.time()
    n = 200
    for _ in range(n):
        new_port(a, net)
    rate = n / (time.time() - t)
    ips = [p["fixed_ips"][0]["ip_address"] for p in ports_of(a, net)]
    assert len(set(ips)) == n
    assert rate > 20, rate  # over HTTP with a sanitized build; the bench measures the rest


def test_gateway_outside_subnet_is_allowed(cloud, two):
    """As Neutron since force_gateway_on_subnet went: an on-link router outside the CIDR
    (the pools then cover every host address); an IPv6 link-local gateway too."""
    a, _ = two
    net = new_net(a, "gw")
    sub = new_subnet(a, net, "10.98.0.0/24", gateway_ip="10.99.0.1")
    assert sub["gateway_ip"] == "10.99.0.1"
    assert sub["allocation_pools"] == [{"start": "10.98.0.1", "end": "10.98.0.254"}]
    sub6 = new_subnet(a, net, "2001:db8:98::/64", gateway_ip="fe80::1")
    assert sub6["gateway_ip"] == "fe80::1"
    assert sub6["allocation_pools"][0]["start"] == "2001:db8:98::1"


def test_concurrent_port_creates_get_distinct_addresses(cloud, two):
    """Threads creating ports on one subnet at once: every create succeeds, no address is
    given twice, and they fill the pool from its start."""
    import threading
    a, _ = two
    net = new_net(a, "conc")
    sub = new_subnet(a, net, "10.97.0.0/24", enable_dhcp=False)
    results = []

    def worker():
        for _ in range(10):
            status, _, body = a.req("POST", PORT, body={"port": {"network_id": net["id"]}})
            results.append((status, body))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s == 201 for s, _ in results), [b for s, b in results if s != 201][:3]
    ips = [b["port"]["fixed_ips"][0]["ip_address"] for _, b in results]
    assert len(set(ips)) == 80
    assert all(b["port"]["fixed_ips"][0]["subnet_id"] == sub["id"] for _, b in results)
    assert sorted(ips, key=ipaddress.ip_address) == [f"10.97.0.{i}" for i in range(2, 82)]
