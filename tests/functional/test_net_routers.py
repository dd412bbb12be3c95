"""Routers through the real openstack CLI, openstacksdk and raw requests: the external
gateway (a port no tenant lists, on an external network only), interfaces by subnet and
by port, extra routes (router set --route, router add/remove route), ownership between
projects, and Neutron's error bodies for what a router refuses (nothing changed)."""
import ipaddress

import pytest
from conftest import Project

R = "/network/v2.0/routers"
PORTS = "/network/v2.0/ports"


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


@pytest.fixture(scope="module")
def ext(cloud):
    """An external flat network of the admin with an IPv4 subnet: (network, subnet)."""
    net = cloud.cli("network", "create", "--external", "--provider-network-type", "flat",
                    "--provider-physical-network", "rt-public", "rt-ext", "-f", "json")
    sub = cloud.cli("subnet", "create", "--network", net["id"], "--no-dhcp",
                    "--subnet-range", "172.24.50.0/24", "rt-ext-sub", "-f", "json")
    return net, sub


@pytest.fixture(scope="module")
def two(cloud):
    return Project(cloud, "rt-a"), Project(cloud, "rt-b")


def tenant_net(p, name, cidr, *extra):
    net = p.cli("network", "create", name, "-f", "json")
    sub = p.cli("subnet", "create", "--network", net["id"], "--subnet-range", cidr,
                *extra, name + "-sub", "-f", "json")
    return net, sub


def ports_of(cloud_or_p, device_id, admin_tok=None):
    q = f"{PORTS}?device_id={device_id}"
    if admin_tok is not None:
        status, _, body = cloud_or_p.request("GET", q, admin_tok)
    else:
        status, _, body = cloud_or_p.req("GET", q)
    assert status == 200, body
    return body["ports"]


def show(p, rid):
    status, _, body = p.req("GET", f"{R}/{rid}")
    assert status == 200, body
    return body["router"]


def test_cli_gateway_and_subnet_interface(cloud, two, ext):
    a, _ = two
    extnet, extsub = ext
    net, sub = tenant_net(a, "rt-n1", "10.1.0.0/24")
    r = a.cli("router", "create", "--description", "edge", "rt-r1", "-f", "json")
    assert r["status"] == "ACTIVE" and r["admin_state_up"] is True
    assert r["description"] == "edge" and r["project_id"] == a.id
    assert r["external_gateway_info"] is None and r["routes"] == []
    assert r["revision_number"] == 0
    raw = show(a, r["id"])
    # Neutron's policy shows distributed/ha to the admin only
    assert "distributed" not in raw and "ha" not in raw
    status, _, adm = cloud.request("GET", f"{R}/{r['id']}", cloud.token()[0])
    assert adm["router"]["distributed"] is False and adm["router"]["ha"] is False

    a.cli("router", "set", "--external-gateway", extnet["id"], r["id"])
    gw = show(a, r["id"])["external_gateway_info"]
    assert gw["network_id"] == extnet["id"] and gw["enable_snat"] is True
    assert len(gw["external_fixed_ips"]) == 1
    fixed = gw["external_fixed_ips"][0]
    assert fixed["subnet_id"] == extsub["id"]
    assert ipaddress.ip_address(fixed["ip_address"]) in ipaddress.ip_network("172.24.50.0/24")
    # the gateway port belongs to no tenant: the admin sees it, the owner does not
    tok = cloud.token()[0]
    gw_ports = ports_of(cloud, r["id"], tok)
    assert [p["device_owner"] for p in gw_ports] == ["network:router_gateway"]
    assert gw_ports[0]["project_id"] == ""
    assert gw_ports[0]["fixed_ips"][0]["ip_address"] == fixed["ip_address"]
    assert ports_of(a, r["id"]) == []

    a.cli("router", "add", "subnet", r["id"], sub["id"])
    mine = ports_of(a, r["id"])
    assert len(mine) == 1 and mine[0]["device_owner"] == "network:router_interface"
    assert mine[0]["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.1.0.1"}]
    assert mine[0]["network_id"] == net["id"] and mine[0]["project_id"] == a.id
    shown = a.cli("router", "show", r["id"], "-f", "json")
    assert "10.1.0.1" in str(shown["interfaces_info"])

    # a router with interfaces cannot go; nothing changes
    status, _, body = a.req("DELETE", f"{R}/{r['id']}")
    assert neutron_error(body, status, 409) == f"Router {r['id']} still has ports"
    assert show(a, r["id"])["external_gateway_info"]["network_id"] == extnet["id"]
    # nor can the subnet it routes for
    status, _, body = a.req("DELETE", f"/network/v2.0/subnets/{sub['id']}")
    assert status == 409, body

    a.cli("router", "remove", "subnet", r["id"], sub["id"])
    assert ports_of(a, r["id"]) == []
    a.cli("router", "unset", "--external-gateway", r["id"])
    assert show(a, r["id"])["external_gateway_info"] is None
    assert ports_of(cloud, r["id"], tok) == []
    a.cli("router", "delete", r["id"])
    status, _, body = a.req("GET", f"{R}/{r['id']}")
    assert status == 404, body
    a.cli("network", "delete", net["id"])


def test_sdk_interface_by_port(cloud, two):
    a, _ = two
    conn = cloud.sdk(username=a.user, password=a.password,
                     project_name=a.name, user_domain_name="Default",
                     project_domain_name="Default")
    net = conn.network.create_network(name="rt-sdk")
    sub = conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.2.0.0/24")
    port = conn.network.create_port(network_id=net.id, name="rt-sdk-port")
    router = conn.network.create_router(name="rt-sdk-r", admin_state_up=False)
    assert router.is_admin_state_up is False
    info = conn.network.add_interface_to_router(router, port_id=port.id)
    assert info["port_id"] == port.id and info["subnet_id"] == sub.id
    assert info["subnet_ids"] == [sub.id] and info["network_id"] == net.id
    after = conn.network.get_port(port.id)
    assert after.device_id == router.id and after.device_owner == "network:router_interface"
    # a port in use cannot be attached again (to this or another router)
    other = conn.network.create_router(name="rt-sdk-r2")
    status, _, body = a.req("PUT", f"{R}/{other.id}/add_router_interface",
                            body={"port_id": port.id})
    msg = neutron_error(body, status, 409)
    assert "Port already has an attached device" in msg
    # removing by port deletes the port, as Neutron does
    info = conn.network.remove_interface_from_router(router, port_id=port.id)
    assert info["port_id"] == port.id
    assert conn.network.find_port(port.id) is None
    conn.network.update_router(router, admin_state_up=True, name="rt-sdk-r1")
    r = conn.network.get_router(router.id)
    assert r.is_admin_state_up is True and r.name == "rt-sdk-r1" and r.revision_number >= 1
    for rid in (router.id, other.id):
        conn.network.delete_router(rid)
    conn.network.delete_network(net.id)


def test_gateway_refusals(cloud, two, ext):
    a, _ = two
    extnet, _ = ext
    net, _ = tenant_net(a, "rt-n3", "10.3.0.0/24")
    r = a.cli("router", "create", "rt-r3", "-f", "json")
    url = f"{R}/{r['id']}"
    # a network that is not external
    status, _, body = a.req("PUT", url, body={"router": {
        "external_gateway_info": {"network_id": net["id"]}}})
    assert neutron_error(body, status, 400) == (
        f"Bad router request: Network {net['id']} is not an external network.")
    # a network that does not exist
    status, _, body = a.req("PUT", url, body={"router": {
        "external_gateway_info": {"network_id": r["id"]}}})
    assert neutron_error(body, status, 404) == f"Network {r['id']} could not be found."
    # SNAT and fixed addresses are the admin's to choose (ext-gw-mode policy)
    status, _, body = a.req("PUT", url, body={"router": {"external_gateway_info": {
        "network_id": extnet["id"], "enable_snat": False}}})
    assert "is disallowed by policy" in neutron_error(body, status, 403)
    status, _, body = a.req("POST", R, body={"router": {"name": "x", "external_gateway_info": {
        "network_id": extnet["id"], "external_fixed_ips": [{"ip_address": "172.24.50.9"}]}}})
    assert "is disallowed by policy" in neutron_error(body, status, 403)
    status, _, body = a.req("PUT", url, body={"router": {
        "external_gateway_info": {"enable_snat": True}}})
    assert neutron_error(body, status, 400).startswith("Invalid input for external_gateway_info")
    # distributed and ha are admin-only; routes are not accepted on create
    status, _, body = a.req("POST", R, body={"router": {"distributed": True}})
    assert neutron_error(body, status, 403).endswith("is disallowed by policy")
    status, _, body = a.req("POST", R, body={"router": {"routes": []}})
    assert neutron_error(body, status, 400) == "Attribute 'routes' not allowed in POST"
    assert show(a, r["id"])["external_gateway_info"] is None
    assert show(a, r["id"])["revision_number"] == 0
    status, _, body = a.req("GET", R + "?name=x")
    assert body["routers"] == []

    # the admin may choose the address and turn SNAT off
    tok = cloud.token()[0]
    status, _, body = cloud.request("PUT", url, tok, body={"router": {"external_gateway_info": {
        "network_id": extnet["id"], "enable_snat": False,
        "external_fixed_ips": [{"ip_address": "172.24.50.77"}]}}})
    assert status == 200, body
    gw = body["router"]["external_gateway_info"]
    assert gw["enable_snat"] is False
    assert [f["ip_address"] for f in gw["external_fixed_ips"]] == ["172.24.50.77"]
    # the gateway address of the external subnet is not for a router
    status, _, body = cloud.request("PUT", url, tok, body={"router": {"external_gateway_info": {
        "network_id": extnet["id"], "external_fixed_ips": [{"ip_address": "172.24.50.1"}]}}})
    assert "is the same as the gateway IP" in neutron_error(body, status, 400)
    assert show(a, r["id"])["external_gateway_info"]["external_fixed_ips"][0][
        "ip_address"] == "172.24.50.77"
    # the same network again keeps the port, the address and SNAT off
    a.cli("router", "set", "--external-gateway", extnet["id"], r["id"])
    gw = show(a, r["id"])["external_gateway_info"]
    assert gw["enable_snat"] is False
    assert gw["external_fixed_ips"][0]["ip_address"] == "172.24.50.77"
    # deleting the router takes its gateway port along
    a.cli("router", "delete", r["id"])
    assert ports_of(cloud, r["id"], tok) == []
    a.cli("network", "delete", net["id"])


def test_interface_refusals(cloud, two):
    a, b = two
    n1, s1 = tenant_net(a, "rt-n4", "10.4.0.0/24")
    n2, s2 = tenant_net(a, "rt-n5", "10.4.0.0/25")
    n3, s3 = tenant_net(a, "rt-n6", "10.6.0.0/24", "--gateway", "none")
    r = a.cli("router", "create", "rt-r4", "-f", "json")
    add, rem = f"{R}/{r['id']}/add_router_interface", f"{R}/{r['id']}/remove_router_interface"

    status, _, body = a.req("PUT", add, body={"subnet_id": s1["id"]})
    assert status == 200 and body["subnet_id"] == s1["id"] and body["id"] == r["id"], body
    assert body["project_id"] == a.id and body["tenant_id"] == a.id
    msgs = {
        "again": a.req("PUT", add, body={"subnet_id": s1["id"]}),
        "overlap": a.req("PUT", add, body={"subnet_id": s2["id"]}),
        "nogw": a.req("PUT", add, body={"subnet_id": s3["id"]}),
        "neither": a.req("PUT", add, body={}),
        "both": a.req("PUT", add, body={"subnet_id": s2["id"], "port_id": s2["id"]}),
    }
    assert neutron_error(msgs["again"][2], msgs["again"][0], 400) == (
        f"Bad router request: Router already has a port on subnet {s1['id']}.")
    assert neutron_error(msgs["overlap"][2], msgs["overlap"][0], 400) == (
        f"Bad router request: Cidr 10.4.0.0/25 of subnet {s2['id']} overlaps with cidr "
        f"10.4.0.0/24 of subnet {s1['id']}.")
    assert neutron_error(msgs["nogw"][2], msgs["nogw"][0], 400) == (
        "Bad router request: Subnet for router interface must have a gateway IP.")
    assert neutron_error(msgs["neither"][2], msgs["neither"][0], 400) == (
        "Bad router request: Either subnet_id or port_id must be specified.")
    assert neutron_error(msgs["both"][2], msgs["both"][0], 400) == (
        "Bad router request: Cannot specify both subnet-id and port-id.")
    assert len(ports_of(a, r["id"])) == 1
    # a port without addresses
    bare = a.cli("network", "create", "rt-bare", "-f", "json")
    bare_port = a.cli("port", "create", "--network", bare["id"], "rt-bare-p", "-f", "json")
    status, _, body = a.req("PUT", add, body={"port_id": bare_port["id"]})
    assert neutron_error(body, status, 400) == (
        "Bad router request: Router port must have at least one fixed IP.")
    status, _, body = a.req("GET", f"{PORTS}/{bare_port['id']}")
    assert body["port"]["device_id"] == "" and body["port"]["device_owner"] == ""
    a.cli("port", "delete", bare_port["id"])
    a.cli("network", "delete", bare["id"])
    # a subnet that does not exist; one not attached; a port that is no interface
    status, _, body = a.req("PUT", add, body={"subnet_id": r["id"]})
    assert neutron_error(body, status, 404) == f"Subnet {r['id']} could not be found."
    status, _, body = a.req("PUT", rem, body={"subnet_id": s2["id"]})
    assert neutron_error(body, status, 404) == (
        f"Router {r['id']} has no interface on subnet {s2['id']}")
    status, _, body = a.req("PUT", rem, body={"port_id": s2["id"]})
    assert neutron_error(body, status, 404) == (
        f"Router {r['id']} does not have an interface with id {s2['id']}")

    # another project neither sees nor touches the router
    for method, path, b_body in (("GET", f"{R}/{r['id']}", None),
                                 ("PUT", f"{R}/{r['id']}", {"router": {"name": "x"}}),
                                 ("DELETE", f"{R}/{r['id']}", None),
                                 ("PUT", add, {"subnet_id": s2["id"]})):
        status, _, body = b.req(method, path, body=b_body)
        assert neutron_error(body, status, 404) == f"Router {r['id']} could not be found."
    status, _, body = b.req("GET", R)
    assert r["id"] not in [x["id"] for x in body["routers"]]
    assert show(a, r["id"])["name"] == "rt-r4"

    status, _, body = a.req("PUT", rem, body={"subnet_id": s1["id"]})
    assert status == 200 and body["subnet_ids"] == [s1["id"]], body
    a.cli("router", "delete", r["id"])
    for n in (n1, n2, n3):
        a.cli("network", "delete", n["id"])


def test_extra_routes(cloud, two):
    a, _ = two
    net, sub = tenant_net(a, "rt-n7", "10.7.0.0/24")
    r = a.cli("router", "create", "rt-r7", "-f", "json")
    url = f"{R}/{r['id']}"
    # nothing is connected yet
    status, _, body = a.req("PUT", url, body={"router": {"routes": [
        {"destination": "192.168.5.0/24", "nexthop": "10.7.0.5"}]}})
    assert neutron_error(body, status, 400) == (
        "Invalid format for routes: [{'destination': '192.168.5.0/24', 'nexthop': "
        "'10.7.0.5'}], the nexthop is not connected with router")
    a.cli("router", "add", "subnet", r["id"], sub["id"])

    a.cli("router", "set", "--route", "destination=192.168.5.0/24,gateway=10.7.0.5",
          r["id"])
    assert show(a, r["id"])["routes"] == [{"destination": "192.168.5.0/24",
                                           "nexthop": "10.7.0.5"}]
    a.cli("router", "add", "route", "--route", "destination=192.168.6.0/24,gateway=10.7.0.6",
          r["id"])
    routes = sorted(show(a, r["id"])["routes"], key=lambda x: x["destination"])
    assert routes == [{"destination": "192.168.5.0/24", "nexthop": "10.7.0.5"},
                      {"destination": "192.168.6.0/24", "nexthop": "10.7.0.6"}]
    a.cli("router", "remove", "route", "--route",
          "destination=192.168.5.0/24,gateway=10.7.0.5", r["id"])
    assert show(a, r["id"])["routes"] == [{"destination": "192.168.6.0/24",
                                           "nexthop": "10.7.0.6"}]

    bad = {
        "own": ({"destination": "192.168.9.0/24", "nexthop": "10.7.0.1"},
                "the nexthop is used by router"),
        "far": ({"destination": "192.168.9.0/24", "nexthop": "10.9.9.9"},
                "the nexthop is not connected with router"),
    }
    for route, reason in bad.values():
        status, _, body = a.req("PUT", url, body={"router": {"routes": [route]}})
        assert neutron_error(body, status, 400).endswith(reason)
    status, _, body = a.req("PUT", url, body={"router": {"routes": [
        {"destination": "192.168.9.1/24", "nexthop": "10.7.0.9"}]}})
    assert neutron_error(body, status, 400) == (
        "Invalid input for routes. Reason: '192.168.9.1/24' isn't a recognized IP subnet "
        "cidr, '192.168.9.0/24' is recommended.")
    status, _, body = a.req("PUT", url, body={"router": {"routes": [{"nexthop": "10.7.0.9"}]}})
    assert neutron_error(body, status, 400).startswith("Invalid input for routes.")
    # the interface a route goes through stays
    status, _, body = a.req("PUT", url + "/remove_router_interface",
                            body={"subnet_id": sub["id"]})
    assert neutron_error(body, status, 409) == (
        f"Router interface for subnet {sub['id']} on router {r['id']} cannot be deleted, "
        "as it is required by one or more routes.")
    assert show(a, r["id"])["routes"] == [{"destination": "192.168.6.0/24",
                                           "nexthop": "10.7.0.6"}]
    # routes: null clears them (Tempest's cleanup does that)
    status, _, body = a.req("PUT", url, body={"router": {"routes": None}})
    assert status == 200 and body["router"]["routes"] == [], body
    a.cli("router", "remove", "subnet", r["id"], sub["id"])
    a.cli("router", "delete", r["id"])
    a.cli("network", "delete", net["id"])


def test_list_filters_and_fields(cloud, two, ext):
    a, _ = two
    extnet, _ = ext
    r1 = a.cli("router", "create", "rt-l1", "--external-gateway", extnet["id"], "-f", "json")
    r2 = a.cli("router", "create", "rt-l2", "--disable", "-f", "json")
    status, _, body = a.req("GET", R + "?name=rt-l1")
    assert [x["id"] for x in body["routers"]] == [r1["id"]]
    status, _, body = a.req("GET", R + "?admin_state_up=false")
    assert [x["id"] for x in body["routers"]] == [r2["id"]]
    status, _, body = a.req("GET", R + "?fields=id&fields=external_gateway_info&name=rt-l1")
    assert set(body["routers"][0]) == {"id", "external_gateway_info"}
    assert body["routers"][0]["external_gateway_info"]["network_id"] == extnet["id"]
    status, _, body = a.req(
        "GET", R + "?sort_key=name&sort_dir=desc&limit=1&name=rt-l1&name=rt-l2")
    assert [x["name"] for x in body["routers"]] == ["rt-l2"]
    assert body["routers_links"][0]["rel"] == "next"
    for r in (r1, r2):
        a.cli("router", "delete", r["id"])


def test_concurrent_gateways_get_distinct_addresses(cloud, two, ext):
    """Six routers with a gateway on the same external network at once: all made, each
    with its own address (a taken address is retried, not a 409)."""
    import concurrent.futures
    a, _ = two
    extnet, _ = ext
    body = {"router": {"external_gateway_info": {"network_id": extnet["id"]}}}
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        got = list(pool.map(lambda _: a.req("POST", R, body=body), range(6)))
    assert [s for s, _, _ in got] == [201] * 6, got
    addrs = [b["router"]["external_gateway_info"]["external_fixed_ips"][0]["ip_address"]
             for _, _, b in got]
    assert len(set(addrs)) == 6, addrs
    for _, _, b in got:
        status, _, body = a.req("DELETE", f"{R}/{b['router']['id']}")
        assert status == 204, body
