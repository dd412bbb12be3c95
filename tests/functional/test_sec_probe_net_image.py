"""What an outside probe of networking and images found after issue 9, each as
reproduced and refused: on another project's shared network a member chose its port's
address, gave it allowed address pairs or turned port security off (the anti-spoofing
rules Neutron keeps for the network's owner and the admin), and a subnet with DHCP took
ranges dnsmasq cannot serve (a /32 whose only address went to the DHCP port; loopback,
link-local and multicast ranges). Every refusal leaves the cloud as it was."""
import pytest

from conftest import Project, neutron_error, ok

N = "/network/v2.0"
NET, SUB, PORTS = f"{N}/networks", f"{N}/subnets", f"{N}/ports"


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.token()[0]


@pytest.fixture(scope="module")
def shared(cloud, admin):
    """The admin's shared network with a subnet and a port of the admin (the victim);
    project a, a member of no project that owns the network."""
    net = ok(cloud.request("POST", NET, admin, body={"network": {
        "name": "probe-shared", "shared": True}}), 201)["network"]
    sub = ok(cloud.request("POST", SUB, admin, body={"subnet": {
        "network_id": net["id"], "ip_version": 4, "cidr": "10.93.0.0/24"}}),
        201)["subnet"]
    victim = ok(cloud.request("POST", PORTS, admin, body={"port": {
        "network_id": net["id"], "name": "victim"}}), 201)["port"]
    return {"net": net, "sub": sub, "victim": victim, "a": Project(cloud, "probe-a")}


def ports_of(cloud, admin, net_id):
    body = ok(cloud.request("GET", f"{PORTS}?network_id={net_id}", admin))
    return sorted((p["id"], p["mac_address"], str(p["fixed_ips"]),
                   str(p["allowed_address_pairs"]), p["port_security_enabled"])
                  for p in body["ports"])


def test_shared_network_keeps_anti_spoofing_to_its_owner(cloud, admin, shared):
    a, net, sub = shared["a"], shared["net"], shared["sub"]
    victim_ip = shared["victim"]["fixed_ips"][0]["ip_address"]
    before = ports_of(cloud, admin, net["id"])
    refused = {
        "fixed_ips:ip_address": {"fixed_ips": [{"subnet_id": sub["id"],
                                                "ip_address": "10.93.0.200"}]},
        "allowed_address_pairs": {"allowed_address_pairs": [{"ip_address": victim_ip}]},
        "port_security_enabled": {"port_security_enabled": False},
        "mac_address": {"mac_address": "fa:16:3e:00:93:01"},
    }
    for attr, extra in refused.items():
        st, _, body = a.req("POST", PORTS, body={"port": {"network_id": net["id"], **extra}})
        msg = neutron_error(body, st, 403)
        assert msg == (f"(rule:create_port and rule:create_port:{attr}) is disallowed "
                       "by policy"), msg
    assert ports_of(cloud, admin, net["id"]) == before
    # a port there, with the subnet named, is still the member's right (rule:shared)
    port = ok(a.req("POST", PORTS, body={"port": {
        "network_id": net["id"], "fixed_ips": [{"subnet_id": sub["id"]}]}}), 201)["port"]
    before = ports_of(cloud, admin, net["id"])
    for attr, extra in {
            "fixed_ips": {"fixed_ips": [{"subnet_id": sub["id"],
                                         "ip_address": "10.93.0.201"}]},
            "allowed_address_pairs": {"allowed_address_pairs": [
                {"ip_address": "0.0.0.0/0"}]},
            "port_security_enabled": {"port_security_enabled": False,
                                      "security_groups": []}}.items():
        st, _, body = a.req("PUT", f"{PORTS}/{port['id']}", body={"port": extra})
        msg = neutron_error(body, st, 403)
        assert msg == (f"(rule:update_port and rule:update_port:{attr}) is disallowed "
                       "by policy"), msg
    assert ports_of(cloud, admin, net["id"]) == before
    ok(a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {"name": "mine"}}))
    # the network's owner and the admin keep every one of them
    own = ok(a.req("POST", NET, body={"network": {"name": "probe-own"}}), 201)["network"]
    own_sub = ok(a.req("POST", SUB, body={"subnet": {
        "network_id": own["id"], "ip_version": 4, "cidr": "10.94.0.0/24"}}),
        201)["subnet"]
    mine = ok(a.req("POST", PORTS, body={"port": {
        "network_id": own["id"], "mac_address": "fa:16:3e:00:94:01",
        "fixed_ips": [{"subnet_id": own_sub["id"], "ip_address": "10.94.0.50"}],
        "allowed_address_pairs": [{"ip_address": "10.94.0.51"}]}}), 201)["port"]
    ok(a.req("PUT", f"{PORTS}/{mine['id']}", body={"port": {
        "fixed_ips": [{"subnet_id": own_sub["id"], "ip_address": "10.94.0.52"}],
        "allowed_address_pairs": [], "security_groups": [],
        "port_security_enabled": False}}))
    adm = ok(cloud.request("POST", PORTS, admin, body={"port": {
        "network_id": net["id"], "port_security_enabled": False,
        "fixed_ips": [{"subnet_id": sub["id"], "ip_address": "10.93.0.202"}]}}),
        201)["port"]
    assert adm["fixed_ips"][0]["ip_address"] == "10.93.0.202"


@pytest.mark.parametrize("cidr,why", [
    ("10.95.0.0/32", "Subnet has a prefix length that is incompatible with DHCP "
                     "service enabled."),
    ("10.95.0.0/31", "Subnet has a prefix length that is incompatible with DHCP "
                     "service enabled."),
    ("2001:db8:95::/127", "Subnet has a prefix length that is incompatible with DHCP "
                          "service enabled."),
    ("127.0.0.0/8", "Loopback IP subnet is not supported if enable_dhcp is True."),
    ("169.254.169.0/24", "Link-local IP subnet is not supported if enable_dhcp is True."),
    ("fe80::/64", "Link-local IP subnet is not supported if enable_dhcp is True."),
    ("224.0.0.0/4", "Multicast IP subnet is not supported if enable_dhcp is True."),
    ("ff00::/8", "Multicast IP subnet is not supported if enable_dhcp is True."),
])
def test_dhcp_subnet_ranges(cloud, shared, cidr, why):
    a = shared["a"]
    net = ok(a.req("POST", NET, body={"network": {"name": "probe-dhcp"}}), 201)["network"]
    try:
        version = 6 if ":" in cidr else 4
        st, _, body = a.req("POST", SUB, body={"subnet": {
            "network_id": net["id"], "ip_version": version, "cidr": cidr}})
        msg = neutron_error(body, st, 400)
        assert msg == "Invalid input for operation: " + why, msg
        assert ok(a.req("GET", f"{SUB}?network_id={net['id']}"))["subnets"] == []
        assert ok(a.req("GET", f"{PORTS}?network_id={net['id']}"))["ports"] == []
        # without DHCP the range is the owner's business, as in Neutron; turning DHCP
        # on later is refused alike and changes nothing
        sub = ok(a.req("POST", SUB, body={"subnet": {
            "network_id": net["id"], "ip_version": version, "cidr": cidr,
            "enable_dhcp": False, "gateway_ip": None}}), 201)["subnet"]
        st, _, body = a.req("PUT", f"{SUB}/{sub['id']}", body={"subnet": {
            "enable_dhcp": True}})
        msg = neutron_error(body, st, 400)
        assert msg == "Invalid input for operation: " + why, msg
        after = ok(a.req("GET", f"{SUB}/{sub['id']}"))["subnet"]
        assert after["enable_dhcp"] is False
        assert after["revision_number"] == sub["revision_number"]
        assert ok(a.req("GET", f"{PORTS}?network_id={net['id']}"))["ports"] == []
        ok(a.req("DELETE", f"{SUB}/{sub['id']}"), 204)
    finally:
        ok(a.req("DELETE", f"{NET}/{net['id']}"), 204)


def test_dhcp_subnet_ranges_still_served(cloud, shared):
    """The smallest ranges DHCP can serve, and ranges that merely contain a banned one."""
    a = shared["a"]
    net = ok(a.req("POST", NET, body={"network": {"name": "probe-dhcp-ok"}}), 201)["network"]
    for cidr in ("10.96.0.0/30", "2001:db8:96::/126", "192.0.0.0/2"):
        ok(a.req("POST", SUB, body={"subnet": {
            "network_id": net["id"], "ip_version": 6 if ":" in cidr else 4,
            "cidr": cidr}}), 201)


def test_image_create_refuses_stores(cloud, shared):
    """Glance's _disallowed_properties: 'stores' names the backends holding the data, so
    no create body sets it (403, read-only), and no image is made."""
    a = shared["a"]
    before = ok(a.req("GET", "/image/v2/images",
                      headers={"Accept": "application/json"}))["images"]
    status, _, body = a.req("POST", "/image/v2/images", headers={
        "Accept": "application/json"}, body={"name": "probe-stores", "stores": "file"})
    assert status == 403, body
    assert body["message"].startswith("Attribute 'stores' is read-only."), body
    after = ok(a.req("GET", "/image/v2/images",
                     headers={"Accept": "application/json"}))["images"]
    assert after == before
