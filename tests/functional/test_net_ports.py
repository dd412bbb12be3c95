"""Ports through the real openstack CLI, openstacksdk and raw requests: create, show,
update and delete; fixed IPs from IPAM (given, conflicting, exhausted, re-allocated on
update); MAC addresses (generated, given, in use, malformed); allowed address pairs;
port security and security groups; extra DHCP options; the binding attributes (the
admin's); bulk creates (all or nothing); list filters; ports on other projects'
networks; router-owned ports; and Neutron's error bodies with nothing changed."""
import ipaddress
import re

import pytest
from conftest import Project

NET = "/network/v2.0/networks"
SUB = "/network/v2.0/subnets"
PORTS = "/network/v2.0/ports"
SG = "/network/v2.0/security-groups"
MAC_RE = re.compile(r"^fa:16:3e(:[0-9a-f]{2}){3}$")


@pytest.fixture(scope="module")
def two(cloud):
    """(a, b): two projects that are not admin."""
    return Project(cloud, "port-a"), Project(cloud, "port-b")


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.token()[0]


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


def make_net(p, name, cidr, **subnet):
    """A network of project p with one IPv4 subnet, without DHCP unless asked (no DHCP
    port among the test's ports); returns (network id, subnet)."""
    status, _, net = p.req("POST", NET, body={"network": {"name": name}})
    assert status == 201, net
    body = {"network_id": net["network"]["id"], "ip_version": 4, "cidr": cidr,
            "name": name + "-sub", "enable_dhcp": False}
    body.update(subnet)
    status, _, sub = p.req("POST", SUB, body={"subnet": body})
    assert status == 201, sub
    return net["network"]["id"], sub["subnet"]


def create(p, **port):
    status, _, body = p.req("POST", PORTS, body={"port": port})
    assert status == 201, body
    return body["port"]


def show(p, port_id):
    status, _, body = p.req("GET", f"{PORTS}/{port_id}")
    assert status == 200, body
    return body["port"]


def port_ids(p, query=""):
    status, _, body = p.req("GET", PORTS + query)
    assert status == 200, body
    return [x["id"] for x in body["ports"]]


def count_ports(cloud, admin, network_id):
    status, _, body = cloud.request("GET", f"{PORTS}?network_id={network_id}", admin)
    assert status == 200, body
    return len(body["ports"])


def test_create_show_update_delete_with_cli(cloud, two):
    a, _ = two
    net = a.cli("network", "create", "cli-pnet", "-f", "json")["id"]
    sub = a.cli("subnet", "create", "--network", net, "--subnet-range", "10.40.0.0/24",
                "--no-dhcp", "cli-psub", "-f", "json")
    port = a.cli("port", "create", "--network", net, "--description", "first",
                 "--fixed-ip", f"subnet={sub['id']},ip-address=10.40.0.50", "cli-port",
                 "-f", "json")
    assert port["name"] == "cli-port" and port["description"] == "first"
    assert MAC_RE.match(port["mac_address"]), port["mac_address"]
    assert port["status"] == "DOWN" and port["admin_state_up"] is True
    assert port["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.40.0.50"}]
    assert port["project_id"] == a.id and port["network_id"] == net
    assert port["port_security_enabled"] is True and port["revision_number"] == 0
    # the project's default group, made on first use
    groups = a.cli("security", "group", "list", "-f", "json")
    default = [g["ID"] for g in groups if g["Name"] == "default"]
    assert port["security_group_ids"] == default and len(default) == 1
    # the binding attributes are the admin's to see
    raw = show(a, port["id"])
    assert "binding:host_id" not in raw and "binding:vif_type" not in raw
    assert raw["binding:vnic_type"] == "normal"
    assert raw["dns_assignment"][0]["ip_address"] == "10.40.0.50"
    admin_view = cloud.cli("port", "show", port["id"], "-f", "json")
    assert admin_view["binding_vif_type"] == "unbound"
    assert admin_view["binding_vif_details"] == {} and admin_view["binding_host_id"] == ""

    a.cli("port", "set", "--name", "renamed", "--disable", "--device", "dev-1",
          "--device-owner", "compute:nova", port["id"])
    after = a.cli("port", "show", port["id"], "-f", "json")
    assert after["name"] == "renamed" and after["admin_state_up"] is False
    assert after["device_id"] == "dev-1" and after["device_owner"] == "compute:nova"
    assert after["revision_number"] == 1 and after["mac_address"] == port["mac_address"]
    assert after["fixed_ips"] == port["fixed_ips"]

    listed = a.cli("port", "list", "--network", net, "-f", "json")
    assert [x["ID"] for x in listed] == [port["id"]]
    a.cli("port", "delete", port["id"])
    p = a.cli("port", "show", port["id"], check=False)
    assert p.returncode != 0 and "No Port found" in p.stderr
    # its address is free again
    again = create(a, network_id=net,
                   fixed_ips=[{"subnet_id": sub["id"], "ip_address": "10.40.0.50"}])
    assert again["fixed_ips"][0]["ip_address"] == "10.40.0.50"
    a.req("DELETE", f"{PORTS}/{again['id']}")


def test_sdk(cloud, two):
    a, _ = two
    net, sub = make_net(a, "sdk-pnet", "10.41.0.0/24")
    conn = cloud.sdk(username=a.user, password=a.password,
                     project_name=a.name, user_domain_name="Default",
                     project_domain_name="Default")
    port = conn.network.create_port(network_id=net, name="sdk-port")
    assert port.name == "sdk-port" and len(port.fixed_ips) == 1
    assert ipaddress.ip_address(port.fixed_ips[0]["ip_address"]) in \
        ipaddress.ip_network("10.41.0.0/24")
    assert port.fixed_ips[0]["ip_address"] != "10.41.0.1"  # the gateway
    got = conn.network.get_port(port.id)
    assert got.mac_address == port.mac_address and got.status == "DOWN"
    listed = [x.id for x in conn.network.ports(network_id=net)]
    assert listed == [port.id]
    upd = conn.network.update_port(port, name="sdk-renamed", description="d")
    assert upd.name == "sdk-renamed" and upd.description == "d"
    assert upd.revision_number == 1
    conn.network.delete_port(port)
    assert conn.network.find_port(port.id) is None
    conn.close()


def test_given_ip_conflict_and_exhausted_pool(cloud, two, admin):
    a, _ = two
    net, sub = make_net(a, "pool-net", "10.42.0.0/24",
                        allocation_pools=[{"start": "10.42.0.10", "end": "10.42.0.11"}])
    p1 = create(a, network_id=net,
                fixed_ips=[{"subnet_id": sub["id"], "ip_address": "10.42.0.10"}])
    assert p1["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.42.0.10"}]
    # the same address again: 409, nothing created
    status, _, body = a.req("POST", PORTS, body={"port": {
        "network_id": net, "name": "dup",
        "fixed_ips": [{"subnet_id": sub["id"], "ip_address": "10.42.0.10"}]}})
    msg = neutron_error(body, status, 409)
    assert msg == f"IP address 10.42.0.10 already allocated in subnet {sub['id']}", msg
    assert count_ports(cloud, admin, net) == 1
    p2 = create(a, network_id=net)
    assert p2["fixed_ips"][0]["ip_address"] == "10.42.0.11"
    status, _, body = a.req("POST", PORTS, body={"port": {"network_id": net}})
    msg = neutron_error(body, status, 409)
    assert msg == f"No more IP addresses available on network {net}.", msg
    assert count_ports(cloud, admin, net) == 2
    # an address outside the subnet: 400
    status, _, body = a.req("POST", PORTS, body={"port": {
        "network_id": net, "fixed_ips": [{"subnet_id": sub["id"],
                                          "ip_address": "10.99.0.5"}]}})
    neutron_error(body, status, 400)
    # releasing one makes room
    assert a.req("DELETE", f"{PORTS}/{p1['id']}")[0] == 204
    p3 = create(a, network_id=net)
    assert p3["fixed_ips"][0]["ip_address"] == "10.42.0.10"
    # no address at all when asked
    p4 = create(a, network_id=net, fixed_ips=[])
    assert p4["fixed_ips"] == []
    for p in (p2, p3, p4):
        assert a.req("DELETE", f"{PORTS}/{p['id']}")[0] == 204


def test_update_fixed_ips(cloud, two):
    a, _ = two
    net, s1 = make_net(a, "upd-net", "10.43.0.0/24")
    status, _, s2 = a.req("POST", SUB, body={"subnet": {
        "network_id": net, "ip_version": 4, "cidr": "10.43.1.0/24", "enable_dhcp": False}})
    assert status == 201, s2
    s2 = s2["subnet"]
    port = create(a, network_id=net, fixed_ips=[
        {"subnet_id": s1["id"], "ip_address": "10.43.0.20"}, {"subnet_id": s2["id"]}])
    assert sorted(f["subnet_id"] for f in port["fixed_ips"]) == sorted([s1["id"], s2["id"]])
    other = create(a, network_id=net, fixed_ips=[
        {"subnet_id": s1["id"], "ip_address": "10.43.0.30"}])
    # keep the first address, drop the second subnet's
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "fixed_ips": [{"subnet_id": s1["id"], "ip_address": "10.43.0.20"}]}})
    assert status == 200, body
    assert body["port"]["fixed_ips"] == [{"subnet_id": s1["id"], "ip_address": "10.43.0.20"}]
    # an address another port holds: 409 and the port keeps what it had
    before = show(a, port["id"])
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "name": "never", "fixed_ips": [{"subnet_id": s1["id"], "ip_address": "10.43.0.30"}]}})
    msg = neutron_error(body, status, 409)
    assert "10.43.0.30" in msg and "already allocated" in msg, msg
    after = show(a, port["id"])
    assert after["fixed_ips"] == before["fixed_ips"] and after["name"] == before["name"]
    assert after["revision_number"] == before["revision_number"]
    # add an address by address only (IPAM finds its subnet) next to the kept one
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "fixed_ips": [{"ip_address": "10.43.0.20"}, {"ip_address": "10.43.1.77"}]}})
    assert status == 200, body
    assert sorted(f["ip_address"] for f in body["port"]["fixed_ips"]) == \
        ["10.43.0.20", "10.43.1.77"]
    # malformed fixed_ips: 400
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "fixed_ips": [{"subnet": s1["id"]}]}})
    neutron_error(body, status, 400)
    for p in (port, other):
        assert a.req("DELETE", f"{PORTS}/{p['id']}")[0] == 204


def test_mac_addresses(cloud, two, admin):
    a, _ = two
    net, _ = make_net(a, "mac-net", "10.44.0.0/24")
    net2, _ = make_net(a, "mac-net2", "10.45.0.0/24")
    p1 = create(a, network_id=net, mac_address="FA:16:3E:AA:BB:CC")
    assert p1["mac_address"] == "fa:16:3e:aa:bb:cc"
    status, _, body = a.req("POST", PORTS, body={"port": {
        "network_id": net, "mac_address": "fa:16:3e:aa:bb:cc"}})
    msg = neutron_error(body, status, 409)
    assert msg == (f"Unable to complete operation for network {net}. "
                   "The mac address fa:16:3e:aa:bb:cc is in use."), msg
    assert count_ports(cloud, admin, net) == 1
    # another network may use it
    p2 = create(a, network_id=net2, mac_address="fa:16:3e:aa:bb:cc")
    for bad in ("fa:16:3e:aa:bb", "zz:16:3e:aa:bb:cc", "00:00:00:00:00:00",
                "ff:ff:ff:ff:ff:ff", 12):
        status, _, body = a.req("POST", PORTS, body={"port": {
            "network_id": net, "mac_address": bad}})
        neutron_error(body, status, 400)
    # generated ones differ
    gen = [create(a, network_id=net) for _ in range(3)]
    macs = {g["mac_address"] for g in gen}
    assert len(macs) == 3 and all(MAC_RE.match(m) for m in macs)
    # the MAC changes by the admin only, and not to one in use
    status, _, body = a.req("PUT", f"{PORTS}/{gen[0]['id']}", body={"port": {
        "mac_address": "fa:16:3e:00:00:01"}})
    neutron_error(body, status, 403)
    status, _, body = cloud.request("PUT", f"{PORTS}/{gen[0]['id']}", admin, body={"port": {
        "mac_address": "fa:16:3e:aa:bb:cc"}})
    neutron_error(body, status, 409)
    status, _, body = cloud.request("PUT", f"{PORTS}/{gen[0]['id']}", admin, body={"port": {
        "mac_address": "fa:16:3e:00:00:01"}})
    assert status == 200 and body["port"]["mac_address"] == "fa:16:3e:00:00:01", body
    # a bound port keeps its MAC
    status, _, body = cloud.request("PUT", f"{PORTS}/{gen[1]['id']}", admin, body={"port": {
        "binding:host_id": "host-1"}})
    assert status == 200 and body["port"]["binding:vif_type"] == "bridge", body
    status, _, body = cloud.request("PUT", f"{PORTS}/{gen[1]['id']}", admin, body={"port": {
        "mac_address": "fa:16:3e:00:00:02"}})
    neutron_error(body, status, 409)
    for p in [p1, p2] + gen:
        assert a.req("DELETE", f"{PORTS}/{p['id']}")[0] == 204


def test_allowed_address_pairs(cloud, two):
    a, _ = two
    net, _ = make_net(a, "aap-net", "10.46.0.0/24")
    port = a.cli("port", "create", "--network", net,
                 "--allowed-address", "ip-address=10.46.0.200",
                 "--allowed-address", "ip-address=192.168.0.0/24,mac-address=fa:16:3e:01:02:03",
                 "aap", "-f", "json")
    pairs = port["allowed_address_pairs"]
    assert {"ip_address": "10.46.0.200", "mac_address": port["mac_address"]} in pairs
    assert {"ip_address": "192.168.0.0/24", "mac_address": "fa:16:3e:01:02:03"} in pairs
    assert len(pairs) == 2
    for bad in ([{"ip_address": "10.46.0.300"}], [{"mac_address": "fa:16:3e:01:02:03"}],
                [{"ip_address": "10.0.0.1", "mac_address": "nope"}],
                [{"ip_address": "10.0.0.1", "x": 1}],
                [{"ip_address": "10.0.0.1"}, {"ip_address": "10.0.0.1"}],
                [{"ip_address": "10.0.0.0/33"}], "10.0.0.1"):
        status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
            "allowed_address_pairs": bad}})
        neutron_error(body, status, 400)
    assert show(a, port["id"])["allowed_address_pairs"] == pairs
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "allowed_address_pairs": [{"ip_address": "2001:db8::/64"}]}})
    assert status == 200, body
    assert body["port"]["allowed_address_pairs"] == [
        {"ip_address": "2001:db8::/64", "mac_address": port["mac_address"]}]
    # the stored pair carries the MAC, so the CLI needs it to find the pair
    a.cli("port", "unset", "--allowed-address",
          f"ip-address=2001:db8::/64,mac-address={port['mac_address']}", port["id"])
    assert show(a, port["id"])["allowed_address_pairs"] == []
    a.cli("port", "delete", port["id"])


def test_port_security_and_security_groups(cloud, two):
    a, b = two
    net, _ = make_net(a, "ps-net", "10.47.0.0/24")
    sg1 = a.cli("security", "group", "create", "ps-sg1", "-f", "json")["id"]
    sg2 = a.cli("security", "group", "create", "ps-sg2", "-f", "json")["id"]
    sg_b = b.cli("security", "group", "create", "b-sg", "-f", "json")["id"]
    # no port security: no groups
    off = a.cli("port", "create", "--network", net, "--disable-port-security", "off",
                "-f", "json")
    assert off["port_security_enabled"] is False and off["security_group_ids"] == []
    status, _, body = a.req("POST", PORTS, body={"port": {
        "network_id": net, "port_security_enabled": False, "security_groups": [sg1]}})
    neutron_error(body, status, 400)
    status, _, body = a.req("POST", PORTS, body={"port": {
        "network_id": net, "port_security_enabled": False,
        "allowed_address_pairs": [{"ip_address": "10.0.0.1"}]}})
    neutron_error(body, status, 409)
    # explicit groups, none, another project's, a missing one
    port = create(a, network_id=net, security_groups=[sg1, sg2, sg1])
    assert sorted(port["security_groups"]) == sorted([sg1, sg2])
    none = create(a, network_id=net, security_groups=[])
    assert none["security_groups"] == []
    for bad, code in (([sg_b], 404), (["00000000-0000-0000-0000-000000000000"], 404),
                      ("x", 400)):
        status, _, body = a.req("POST", PORTS, body={"port": {
            "network_id": net, "security_groups": bad}})
        neutron_error(body, status, code)
    # filter by group
    assert port_ids(a, f"?security_groups={sg2}") == [port["id"]]
    # disabling port security with groups attached: 409, nothing changed
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "port_security_enabled": False}})
    msg = neutron_error(body, status, 409)
    assert msg == ("Port has security group associated. Cannot disable port security or "
                   "ip address until security group is removed"), msg
    assert show(a, port["id"])["port_security_enabled"] is True
    # with the groups removed in the same request it works; then groups refused
    a.cli("port", "set", "--no-security-group", "--disable-port-security", port["id"])
    after = show(a, port["id"])
    assert after["port_security_enabled"] is False and after["security_groups"] == []
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "security_groups": [sg1]}})
    neutron_error(body, status, 400)
    a.cli("port", "set", "--enable-port-security", "--security-group", sg2, port["id"])
    assert show(a, port["id"])["security_groups"] == [sg2]
    # a network without port security gives its ports none by default
    status, _, body = a.req("POST", NET, body={"network": {
        "name": "nops", "port_security_enabled": False}})
    assert status == 201, body
    nops = create(a, network_id=body["network"]["id"])
    assert nops["port_security_enabled"] is False and nops["security_groups"] == []
    for p in (off, port, none, nops):
        assert a.req("DELETE", f"{PORTS}/{p['id']}")[0] == 204


def test_extra_dhcp_opts(cloud, two):
    a, _ = two
    net, _ = make_net(a, "dhcp-net", "10.48.0.0/24")
    port = create(a, network_id=net, extra_dhcp_opts=[
        {"opt_name": "bootfile-name", "opt_value": "pxelinux.0"},
        {"opt_name": "tftp-server", "opt_value": "10.0.0.9"}])
    opts = {o["opt_name"]: o for o in port["extra_dhcp_opts"]}
    assert opts["bootfile-name"]["opt_value"] == "pxelinux.0"
    assert opts["bootfile-name"]["ip_version"] == 4
    # update merges: replace one, remove one (null), add one
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "extra_dhcp_opts": [{"opt_name": "bootfile-name", "opt_value": "grub.efi"},
                            {"opt_name": "tftp-server", "opt_value": None},
                            {"opt_name": "mtu", "opt_value": "1400", "ip_version": 6}]}})
    assert status == 200, body
    got = sorted((o["opt_name"], o["opt_value"], o["ip_version"])
                 for o in body["port"]["extra_dhcp_opts"])
    assert got == [("bootfile-name", "grub.efi", 4), ("mtu", "1400", 6)]
    for bad in ([{"opt_value": "x"}], [{"opt_name": "a", "opt_value": "b", "z": 1}],
                [{"opt_name": "a", "opt_value": "b", "ip_version": 5}]):
        status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
            "extra_dhcp_opts": bad}})
        neutron_error(body, status, 400)
    a.req("DELETE", f"{PORTS}/{port['id']}")


def test_binding_is_the_admins(cloud, two, admin):
    a, _ = two
    net, _ = make_net(a, "bind-net", "10.49.0.0/24")
    status, _, body = a.req("POST", PORTS, body={"port": {
        "network_id": net, "binding:host_id": "h1"}})
    neutron_error(body, status, 403)
    status, _, body = cloud.request("POST", PORTS, admin, body={"port": {
        "network_id": net, "binding:host_id": "h1", "binding:vnic_type": "direct",
        "binding:profile": {"k": "v"}, "project_id": a.id}})
    assert status == 201, body
    port = body["port"]
    assert port["binding:host_id"] == "h1" and port["binding:vif_type"] == "bridge"
    assert port["binding:profile"] == {"k": "v"} and port["project_id"] == a.id
    own = show(a, port["id"])
    assert own["binding:vnic_type"] == "direct" and "binding:profile" not in own
    status, _, body = cloud.request("GET", f"{PORTS}?binding:host_id=h1", admin)
    assert [x["id"] for x in body["ports"]] == [port["id"]]
    status, _, body = cloud.request("PUT", f"{PORTS}/{port['id']}", admin, body={"port": {
        "binding:host_id": ""}})
    assert status == 200 and body["port"]["binding:vif_type"] == "unbound", body
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "binding:vnic_type": "bogus"}})
    neutron_error(body, status, 400)
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
        "binding:vif_type": "ovs"}})
    neutron_error(body, status, 400)
    a.req("DELETE", f"{PORTS}/{port['id']}")


def test_bulk_create_is_all_or_nothing(cloud, two, admin):
    a, _ = two
    net, _ = make_net(a, "bulk-net", "10.50.0.0/24")
    status, _, body = a.req("POST", PORTS, body={"ports": [
        {"network_id": net, "name": "b1"}, {"network_id": net, "name": "b2"}]})
    assert status == 201, body
    assert [p["name"] for p in body["ports"]] == ["b1", "b2"]
    ips = {p["fixed_ips"][0]["ip_address"] for p in body["ports"]}
    assert len(ips) == 2
    status, _, bad = a.req("POST", PORTS, body={"ports": [
        {"network_id": net, "name": "b3"}, {"network_id": net, "mac_address": "bad"}]})
    neutron_error(bad, status, 400)
    assert count_ports(cloud, admin, net) == 2
    for p in body["ports"]:
        a.req("DELETE", f"{PORTS}/{p['id']}")


def test_list_filters(cloud, two):
    a, _ = two
    net, sub = make_net(a, "flt-net", "10.51.0.0/24")
    net2, sub2 = make_net(a, "flt-net2", "10.51.1.0/24")
    p1 = create(a, network_id=net, name="f1", device_id="vm-1", device_owner="compute:nova",
                fixed_ips=[{"subnet_id": sub["id"], "ip_address": "10.51.0.15"}])
    p2 = create(a, network_id=net, name="f2", admin_state_up=False,
                fixed_ips=[{"subnet_id": sub["id"], "ip_address": "10.51.0.150"}])
    p3 = create(a, network_id=net2, name="f3",
                fixed_ips=[{"subnet_id": sub2["id"], "ip_address": "10.51.1.15"}])
    assert sorted(port_ids(a, f"?network_id={net}")) == sorted([p1["id"], p2["id"]])
    assert port_ids(a, "?device_id=vm-1") == [p1["id"]]
    assert port_ids(a, "?device_owner=compute:nova") == [p1["id"]]
    assert port_ids(a, f"?mac_address={p2['mac_address']}") == [p2["id"]]
    assert port_ids(a, "?name=f3") == [p3["id"]]
    assert port_ids(a, f"?admin_state_up=false&network_id={net}") == [p2["id"]]
    # the sync worker may have made them ACTIVE by now: filter on what they show
    st = show(a, p1["id"])["status"]
    assert p1["id"] in port_ids(a, f"?status={st}")
    assert p1["id"] not in port_ids(a, "?status=" + ("DOWN" if st == "ACTIVE" else "ACTIVE"))
    assert port_ids(a, "?fixed_ips=ip_address%3D10.51.0.15") == [p1["id"]]
    assert sorted(port_ids(a, f"?fixed_ips=subnet_id%3D{sub['id']}")) == \
        sorted([p1["id"], p2["id"]])
    # substring: "10.51.0.15" is in .15 and .150, not in 10.51.1.15
    assert sorted(port_ids(a, "?fixed_ips=ip_address_substr%3D10.51.0.15")) == \
        sorted([p1["id"], p2["id"]])
    assert sorted(port_ids(a, "?fixed_ips=ip_address_substr%3D.15")) == \
        sorted([p1["id"], p2["id"], p3["id"]])
    # both conditions on one port
    assert port_ids(a, f"?fixed_ips=subnet_id%3D{sub2['id']}"
                       "&fixed_ips=ip_address%3D10.51.0.15") == []
    status, _, body = a.req("GET", PORTS + "?fixed_ips=bogus%3D1")
    neutron_error(body, status, 400)
    # the CLI's --fixed-ip
    got = a.cli("port", "list", "--fixed-ip", "ip-address=10.51.1.15", "-f", "json")
    assert [x["ID"] for x in got] == [p3["id"]]
    got = a.cli("port", "list", "--fixed-ip", "ip-substring=10.51.0.1", "-f", "json")
    assert sorted(x["ID"] for x in got) == sorted([p1["id"], p2["id"]])
    got = a.cli("port", "list", "--fixed-ip", f"subnet={sub2['id']}", "-f", "json")
    assert [x["ID"] for x in got] == [p3["id"]]
    # fields
    status, _, body = a.req("GET", f"{PORTS}?network_id={net2}&fields=id&fields=fixed_ips")
    assert body["ports"] == [{"id": p3["id"], "fixed_ips": p3["fixed_ips"]}], body
    for p in (p1, p2, p3):
        a.req("DELETE", f"{PORTS}/{p['id']}")


def test_other_projects_networks_and_ports(cloud, two, admin):
    a, b = two
    net, _ = make_net(a, "priv-net", "10.52.0.0/24")
    status, _, body = b.req("POST", PORTS, body={"port": {"network_id": net}})
    msg = neutron_error(body, status, 404)
    assert msg == f"Network {net} could not be found.", msg
    mine = create(a, network_id=net)
    # b neither sees nor changes a's port
    assert mine["id"] not in port_ids(b)
    for method, body in (("GET", None), ("PUT", {"port": {"name": "x"}}), ("DELETE", None)):
        status, _, got = b.req(method, f"{PORTS}/{mine['id']}", body=body)
        neutron_error(got, status, 404)
    assert show(a, mine["id"])["name"] == ""
    # a network device owner is the network owner's (or the admin's) to set
    status, _, got = b.req("POST", PORTS, body={"port": {
        "network_id": net, "device_owner": "network:dhcp"}})
    assert status in (403, 404), got
    # a shared network takes b's ports; b may not set a MAC there
    status, _, shared = cloud.request("POST", NET, admin, body={"network": {
        "name": "shared-pnet", "shared": True}})
    assert status == 201, shared
    sid = shared["network"]["id"]
    status, _, sub = cloud.request("POST", SUB, admin, body={"subnet": {
        "network_id": sid, "ip_version": 4, "cidr": "10.53.0.0/24"}})
    assert status == 201, sub
    theirs = create(b, network_id=sid)
    assert theirs["project_id"] == b.id and len(theirs["fixed_ips"]) == 1
    # the network's DHCP port is its owner's (the admin's), not b's to see
    status, _, got = cloud.request("GET", f"{PORTS}?network_id={sid}", admin)
    owners = sorted(x["device_owner"] for x in got["ports"])
    assert owners == ["", "network:dhcp"], owners
    assert port_ids(b, f"?network_id={sid}") == [theirs["id"]]
    status, _, got = b.req("POST", PORTS, body={"port": {
        "network_id": sid, "mac_address": "fa:16:3e:12:34:56"}})
    neutron_error(got, status, 403)
    status, _, got = b.req("POST", PORTS, body={"port": {
        "network_id": sid, "device_owner": "network:router_interface"}})
    neutron_error(got, status, 403)
    assert theirs["id"] not in port_ids(a)
    # the network owner cannot delete the network under b's port
    status, _, got = cloud.request("DELETE", f"{NET}/{sid}", admin)
    neutron_error(got, status, 409)
    assert b.req("DELETE", f"{PORTS}/{theirs['id']}")[0] == 204
    assert a.req("DELETE", f"{PORTS}/{mine['id']}")[0] == 204
    # missing network_id / unknown network / unknown attribute
    status, _, got = a.req("POST", PORTS, body={"port": {"name": "x"}})
    neutron_error(got, status, 400)
    status, _, got = a.req("POST", PORTS, body={"port": {
        "network_id": "00000000-0000-0000-0000-000000000000"}})
    neutron_error(got, status, 404)
    status, _, got = a.req("POST", PORTS, body={"port": {"network_id": net, "bogus": 1}})
    neutron_error(got, status, 400)


def test_router_owned_ports_are_not_deleted_directly(cloud, two, admin):
    a, _ = two
    net, _ = make_net(a, "rtr-net", "10.54.0.0/24")
    for owner in ("network:router_interface", "network:router_gateway"):
        port = create(a, network_id=net, device_owner=owner, device_id="r-1")
        assert port["security_groups"] == []  # the network's own devices get none
        status, _, body = a.req("DELETE", f"{PORTS}/{port['id']}")
        msg = neutron_error(body, status, 409)
        assert msg == (f"Port {port['id']} cannot be deleted directly via the port API: "
                       f"has device owner {owner}."), msg
        assert show(a, port["id"])["id"] == port["id"]
        # freed for the test's cleanup the way a router would: owner changed
        status, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {
            "device_owner": ""}})
        assert status == 200, body
        assert a.req("DELETE", f"{PORTS}/{port['id']}")[0] == 204


def test_tags_and_sorting(cloud, two):
    a, _ = two
    net, _ = make_net(a, "tag-net", "10.55.0.0/24")
    p1 = create(a, network_id=net, name="zz")
    p2 = create(a, network_id=net, name="aa")
    status, _, _ = a.req("PUT", f"{PORTS}/{p1['id']}/tags/red")
    assert status == 201
    assert port_ids(a, "?tags=red") == [p1["id"]]
    assert port_ids(a, f"?network_id={net}&sort_key=name&sort_dir=asc") == [p2["id"], p1["id"]]
    status, _, body = a.req("GET", f"{PORTS}?network_id={net}&limit=1")
    assert len(body["ports"]) == 1 and body["ports_links"][0]["rel"] == "next"
    for p in (p1, p2):
        a.req("DELETE", f"{PORTS}/{p['id']}")


def test_deleting_a_port_disassociates_its_floating_ip(cloud, two, admin):
    a, _ = two
    status, _, ext = cloud.request("POST", NET, admin, body={"network": {
        "name": "port-ext", "router:external": True}})
    assert status == 201, ext
    ext_id = ext["network"]["id"]
    status, _, body = cloud.request("POST", SUB, admin, body={"subnet": {
        "network_id": ext_id, "ip_version": 4, "cidr": "172.24.70.0/24",
        "enable_dhcp": False}})
    assert status == 201, body
    net, sub = make_net(a, "fip-pnet", "10.56.0.0/24")
    status, _, router = a.req("POST", "/network/v2.0/routers", body={"router": {
        "name": "port-r", "external_gateway_info": {"network_id": ext_id}}})
    assert status == 201, router
    rid = router["router"]["id"]
    status, _, body = a.req("PUT", f"/network/v2.0/routers/{rid}/add_router_interface",
                            body={"subnet_id": sub["id"]})
    assert status == 200, body
    # the router's leg is not the port API's to delete
    legs = [p for p in show_all(a, net) if p["device_owner"] == "network:router_interface"]
    assert len(legs) == 1
    status, _, body = a.req("DELETE", f"{PORTS}/{legs[0]['id']}")
    neutron_error(body, status, 409)
    port = create(a, network_id=net)
    status, _, fip = a.req("POST", "/network/v2.0/floatingips", body={"floatingip": {
        "floating_network_id": ext_id, "port_id": port["id"]}})
    assert status == 201, fip
    fip = fip["floatingip"]
    assert fip["port_id"] == port["id"] and fip["router_id"] == rid
    assert a.req("DELETE", f"{PORTS}/{port['id']}")[0] == 204
    status, _, body = a.req("GET", f"/network/v2.0/floatingips/{fip['id']}")
    assert status == 200, body
    got = body["floatingip"]
    assert got["port_id"] is None and got["fixed_ip_address"] is None
    assert got["router_id"] is None
    a.req("DELETE", f"/network/v2.0/floatingips/{fip['id']}")
    a.req("PUT", f"/network/v2.0/routers/{rid}/remove_router_interface",
          body={"subnet_id": sub["id"]})
    a.req("DELETE", f"/network/v2.0/routers/{rid}")


def show_all(p, network_id):
    status, _, body = p.req("GET", f"{PORTS}?network_id={network_id}")
    assert status == 200, body
    return body["ports"]


def test_port_quota(cloud, admin):
    q = Project(cloud, "port-q")
    status, _, body = cloud.request("PUT", f"/network/v2.0/quotas/{q.id}", admin,
                                    body={"quota": {"port": 2}})
    assert status == 200, body
    net, _ = make_net(q, "q-net", "10.57.0.0/24")
    create(q, network_id=net)
    status, _, body = q.req("POST", PORTS, body={"ports": [
        {"network_id": net}, {"network_id": net}]})
    msg = neutron_error(body, status, 409)
    assert "Quota exceeded for resources: ['port']" in msg, msg
    assert len(show_all(q, net)) == 1
    create(q, network_id=net)
    status, _, body = q.req("POST", PORTS, body={"port": {"network_id": net}})
    neutron_error(body, status, 409)
    assert len(show_all(q, net)) == 2


def test_status_follows_binding(cloud, two, admin):
    """As in Neutron: a port stays DOWN until it is bound to a host; then the data plane
    (here the noop driver, which has everything up at once) makes it ACTIVE."""
    import time
    a, _ = two
    net, _ = make_net(a, "status-net", "10.48.0.0/24")
    port = create(a, network_id=net)
    time.sleep(1.5)  # a few sync rounds
    assert show(a, port["id"])["status"] == "DOWN"
    status, _, body = cloud.request("PUT", f"{PORTS}/{port['id']}", admin,
                                    body={"port": {"binding:host_id": "h1"}})
    assert status == 200, body
    deadline = time.time() + 10
    while show(a, port["id"])["status"] != "ACTIVE" and time.time() < deadline:
        time.sleep(0.2)
    assert show(a, port["id"])["status"] == "ACTIVE"
    a.cli("network", "set", "--disable", net)  # the port's own admin state counts
    status, _, body = a.req("PUT", f"{PORTS}/{port['id']}",
                            body={"port": {"admin_state_up": False}})
    deadline = time.time() + 10
    while show(a, port["id"])["status"] != "DOWN" and time.time() < deadline:
        time.sleep(0.2)
    assert show(a, port["id"])["status"] == "DOWN"
    a.req("DELETE", f"{PORTS}/{port['id']}")
