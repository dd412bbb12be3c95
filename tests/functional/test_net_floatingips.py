"""Floating IPs through the real openstack CLI, openstacksdk and raw requests: an address
of an external network held by a port no tenant lists, associated with a fixed IPv4
address behind a router whose gateway is on that network; list filters; and Neutron's
error bodies for what it refuses (nothing changed)."""
import ipaddress

import pytest
from conftest import Project

F = "/network/v2.0/floatingips"
PORTS = "/network/v2.0/ports"
EXT_CIDR = "172.24.60.0/24"


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


@pytest.fixture(scope="module")
def env(cloud):
    """An external network (admin) and, for project a, a network behind a router with its
    gateway there, two ports on it; project b has nothing."""
    ext = cloud.cli("network", "create", "--external", "--provider-network-type", "flat",
                    "--provider-physical-network", "fip-public", "fip-ext", "-f", "json")
    cloud.cli("subnet", "create", "--network", ext["id"], "--no-dhcp", "--subnet-range",
              EXT_CIDR, "fip-ext-sub", "-f", "json")
    a, b = Project(cloud, "fip-a"), Project(cloud, "fip-b")
    net = a.cli("network", "create", "fip-net", "-f", "json")
    sub = a.cli("subnet", "create", "--network", net["id"], "--subnet-range", "10.20.0.0/24",
                "fip-sub", "-f", "json")
    router = a.cli("router", "create", "--external-gateway", ext["id"], "fip-r", "-f", "json")
    a.cli("router", "add", "subnet", router["id"], sub["id"])
    p1 = a.cli("port", "create", "--network", net["id"], "fip-p1", "-f", "json")
    p2 = a.cli("port", "create", "--network", net["id"], "fip-p2", "-f", "json")
    return {"ext": ext, "a": a, "b": b, "net": net, "sub": sub, "router": router,
            "p1": p1, "p2": p2}


def fixed_ip(port):
    return port["fixed_ips"][0]["ip_address"]


def fips(p, query=""):
    status, _, body = p.req("GET", F + query)
    assert status == 200, body
    return body["floatingips"]


def fip_ports(cloud):
    status, _, body = cloud.request("GET", PORTS + "?device_owner=network:floatingip",
                                    cloud.token()[0])
    assert status == 200, body
    return body["ports"]


def test_cli_create_set_unset_delete(cloud, env):
    a, ext, p1 = env["a"], env["ext"], env["p1"]
    fip = a.cli("floating ip", "create", ext["id"], "--description", "web", "-f", "json")
    assert fip["status"] == "DOWN" and fip["description"] == "web"
    assert fip["port_id"] is None and fip["fixed_ip_address"] is None
    assert fip["router_id"] is None and fip["project_id"] == a.id
    addr = fip["floating_ip_address"]
    assert ipaddress.ip_address(addr) in ipaddress.ip_network(EXT_CIDR)
    # the address is held by a port of no tenant, pointing at the floating IP
    held = [p for p in fip_ports(cloud) if p["device_id"] == fip["id"]]
    assert len(held) == 1 and held[0]["project_id"] == ""
    assert held[0]["fixed_ips"][0]["ip_address"] == addr
    status, _, body = a.req("GET", PORTS)
    assert held[0]["id"] not in [p["id"] for p in body["ports"]]

    a.cli("floating ip", "set", "--port", p1["id"], fip["id"])
    shown = a.cli("floating ip", "show", fip["id"], "-f", "json")
    assert shown["port_id"] == p1["id"] and shown["fixed_ip_address"] == fixed_ip(p1)
    assert shown["router_id"] == env["router"]["id"]
    assert shown["floating_ip_address"] == addr
    status, _, body = a.req("GET", f"{F}/{fip['id']}")
    details = body["floatingip"]["port_details"]
    assert details["network_id"] == env["net"]["id"] and details["name"] == "fip-p1"

    listed = fips(a, "?port_id=" + p1["id"])
    assert [f["id"] for f in listed] == [fip["id"]]
    assert listed[0]["port_details"]["name"] == "fip-p1"
    assert listed[0]["port_details"]["device_owner"] == ""
    assert "floating_port_id" not in listed[0]
    assert [f["id"] for f in fips(a, "?router_id=" + env["router"]["id"])] == [fip["id"]]
    assert [f["id"] for f in fips(a, "?floating_ip_address=" + addr)] == [fip["id"]]
    assert [f["id"] for f in fips(a, "?fixed_ip_address=" + fixed_ip(p1))] == [fip["id"]]
    assert [f["id"] for f in fips(a, "?floating_network_id=" + ext["id"])] == [fip["id"]]
    # the sync worker turns an associated floating IP ACTIVE once the data plane has it
    status = a.cli("floating ip", "show", fip["id"], "-f", "json")["status"]
    assert status in ("DOWN", "ACTIVE")
    assert [f["id"] for f in fips(a, "?description=web&status=" + status)] == [fip["id"]]
    assert fips(a, "?description=web&status=ERROR") == []
    assert fips(a, "?port_id=" + env["p2"]["id"]) == []
    listed = a.cli("floating ip", "list", "--port", p1["id"], "-f", "json")
    assert [f["ID"] for f in listed] == [fip["id"]]

    # the interface its port sits behind stays while it is associated
    status, _, body = a.req("PUT", f"/network/v2.0/routers/{env['router']['id']}"
                                   "/remove_router_interface",
                            body={"subnet_id": env["sub"]["id"]})
    assert neutron_error(body, status, 409) == (
        f"Router interface for subnet {env['sub']['id']} on router {env['router']['id']} "
        "cannot be deleted, as it is required by one or more floating IPs.")
    # so does the router's gateway
    status, _, body = a.req("PUT", f"/network/v2.0/routers/{env['router']['id']}",
                            body={"router": {"external_gateway_info": {}}})
    assert neutron_error(body, status, 409).startswith(
        f"Gateway cannot be updated for router {env['router']['id']}")

    a.cli("floating ip", "unset", "--port", fip["id"])
    shown = a.cli("floating ip", "show", fip["id"], "-f", "json")
    assert shown["port_id"] is None and shown["fixed_ip_address"] is None
    assert shown["router_id"] is None

    a.cli("floating ip", "delete", fip["id"])
    assert fips(a) == []
    assert [p for p in fip_ports(cloud) if p["device_id"] == fip["id"]] == []


def test_sdk_associate_at_create_and_move(cloud, env):
    a = env["a"]
    conn = cloud.sdk(username=a.user, password=a.password,
                     project_name=a.name, user_domain_name="Default",
                     project_domain_name="Default")
    port = conn.network.create_port(network_id=env["net"]["id"], fixed_ips=[
        {"subnet_id": env["sub"]["id"], "ip_address": "10.20.0.50"},
        {"subnet_id": env["sub"]["id"], "ip_address": "10.20.0.51"}])
    # two IPv4 addresses: which one must be said
    status, _, body = a.req("POST", F, body={"floatingip": {
        "floating_network_id": env["ext"]["id"], "port_id": port.id}})
    assert "has multiple fixed IPv4 addresses" in neutron_error(body, status, 400)
    fip = conn.network.create_ip(floating_network_id=env["ext"]["id"], port_id=port.id,
                                 fixed_ip_address="10.20.0.50")
    assert fip.port_id == port.id and fip.fixed_ip_address == "10.20.0.50"
    assert fip.router_id == env["router"]["id"]
    fip = conn.network.update_ip(fip.id, port_id=port.id, fixed_ip_address="10.20.0.51")
    assert fip.fixed_ip_address == "10.20.0.51"
    # one floating IP per fixed address
    status, _, body = a.req("POST", F, body={"floatingip": {
        "floating_network_id": env["ext"]["id"], "port_id": port.id,
        "fixed_ip_address": "10.20.0.51"}})
    assert "already has a floating IP on external network" in neutron_error(body, status, 409)
    # an address the port does not have
    status, _, body = a.req("PUT", f"{F}/{fip.id}", body={"floatingip": {
        "port_id": port.id, "fixed_ip_address": "10.20.0.99"}})
    assert neutron_error(body, status, 400) == (
        f"Bad floatingip request: Port {port.id} does not have fixed ip 10.20.0.99.")
    assert conn.network.get_ip(fip.id).fixed_ip_address == "10.20.0.51"
    # a description change keeps the association
    fip = conn.network.update_ip(fip.id, description="kept")
    assert fip.port_id == port.id and fip.description == "kept"
    # deleting the port lets the floating IP go free
    conn.network.delete_port(port.id)
    after = conn.network.get_ip(fip.id)
    assert after.port_id is None and after.fixed_ip_address is None and after.router_id is None
    conn.network.delete_ip(fip.id)


def test_refusals(cloud, env):
    a, b, ext, p1 = env["a"], env["b"], env["ext"], env["p1"]
    before = len(fip_ports(cloud))
    # not an external network
    status, _, body = a.req("POST", F, body={"floatingip": {
        "floating_network_id": env["net"]["id"], "port_id": p1["id"]}})
    assert neutron_error(body, status, 400) == (
        f"Bad floatingip request: Network {env['net']['id']} is not a valid external "
        "network.")
    status, _, body = a.req("POST", F, body={"floatingip": {}})
    assert neutron_error(body, status, 400).endswith(
        "Required attribute 'floating_network_id' not specified")
    # an address without a port
    status, _, body = a.req("POST", F, body={"floatingip": {
        "floating_network_id": ext["id"], "fixed_ip_address": fixed_ip(p1)}})
    assert neutron_error(body, status, 400) == (
        "Bad floatingip request: fixed_ip_address cannot be specified without a port_id.")
    # the address itself is the admin's to choose
    status, _, body = a.req("POST", F, body={"floatingip": {
        "floating_network_id": ext["id"], "floating_ip_address": "172.24.60.200"}})
    assert "is disallowed by policy" in neutron_error(body, status, 403)
    # a port that no router connects to the external network
    lone = a.cli("network", "create", "fip-lone", "-f", "json")
    lsub = a.cli("subnet", "create", "--network", lone["id"], "--subnet-range",
                 "10.21.0.0/24", "fip-lone-sub", "-f", "json")
    lport = a.cli("port", "create", "--network", lone["id"], "fip-lone-p", "-f", "json")
    status, _, body = a.req("POST", F, body={"floatingip": {
        "floating_network_id": ext["id"], "port_id": lport["id"]}})
    assert neutron_error(body, status, 404) == (
        f"External network {ext['id']} is not reachable from subnet {lsub['id']}.  "
        f"Therefore, cannot associate Port {lport['id']} with a Floating IP.")
    # another project's port is not found
    status, _, body = b.req("POST", F, body={"floatingip": {
        "floating_network_id": ext["id"], "port_id": p1["id"]}})
    assert neutron_error(body, status, 404) == f"Port {p1['id']} could not be found."
    assert fips(a) == [] and fips(b) == []
    assert len(fip_ports(cloud)) == before

    # one of a's: b neither sees nor changes it
    fip = a.cli("floating ip", "create", ext["id"], "-f", "json")
    status, _, body = a.req("PUT", f"{F}/{fip['id']}", body={"floatingip": {
        "port_id": lport["id"]}})
    assert neutron_error(body, status, 404).startswith(f"External network {ext['id']} is "
                                                       "not reachable")
    for method, b_body in (("GET", None), ("PUT", {"floatingip": {"description": "x"}}),
                           ("DELETE", None)):
        status, _, body = b.req(method, f"{F}/{fip['id']}", body=b_body)
        assert neutron_error(body, status, 404) == (
            f"Floating IP {fip['id']} could not be found.")
    assert fips(b) == []
    status, _, body = a.req("PUT", f"{F}/{fip['id']}", body={"floatingip": {
        "floating_network_id": env["net"]["id"]}})
    assert neutron_error(body, status, 400) == (
        "Cannot update read-only attribute floating_network_id")
    shown = a.cli("floating ip", "show", fip["id"], "-f", "json")
    assert shown["port_id"] is None and shown["revision_number"] == 0

    # the admin may pick the address; twice is a conflict
    tok = cloud.token()[0]
    status, _, body = cloud.request("POST", F, tok, body={"floatingip": {
        "floating_network_id": ext["id"], "floating_ip_address": "172.24.60.200"}})
    assert status == 201 and body["floatingip"]["floating_ip_address"] == "172.24.60.200", body
    picked = body["floatingip"]["id"]
    status, _, body = cloud.request("POST", F, tok, body={"floatingip": {
        "floating_network_id": ext["id"], "floating_ip_address": "172.24.60.200"}})
    assert status == 409, body
    for fid, tk in ((picked, tok), (fip["id"], a.tok)):
        status, _, body = cloud.request("DELETE", f"{F}/{fid}", tk)
        assert status == 204, body
    a.cli("port", "delete", lport["id"])
    a.cli("network", "delete", lone["id"])


def test_concurrent_association_one_winner(cloud, env):
    """Eight requests for a floating IP on the same fixed address at once: one wins, the
    others get Neutron's 409 and leave no floating IP or port behind."""
    import concurrent.futures
    a, ext, p2 = env["a"], env["ext"], env["p2"]
    before = len(fip_ports(cloud))
    body = {"floatingip": {"floating_network_id": ext["id"], "port_id": p2["id"],
                           "fixed_ip_address": fixed_ip(p2)}}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: a.req("POST", F, body=body), range(8)))
    won = [b for s, _, b in got if s == 201]
    lost = [(s, b) for s, _, b in got if s != 201]
    assert len(won) == 1, got
    for status, b in lost:
        assert "already has a floating IP on external network" in neutron_error(b, status, 409)
    assert [f["id"] for f in fips(a, "?port_id=" + p2["id"])] == [won[0]["floatingip"]["id"]]
    assert len(fip_ports(cloud)) == before + 1
    status, _, b = a.req("DELETE", f"{F}/{won[0]['floatingip']['id']}")
    assert status == 204, b
    assert len(fip_ports(cloud)) == before


def test_external_network_delete_takes_free_floating_ips(cloud, env):
    """Deleting an external network deletes the floating IPs no port uses, with their
    ports (as Neutron); while a router's gateway sits there it is a 409 and they stay."""
    a = env["a"]
    tok = cloud.token()[0]
    net = cloud.cli("network", "create", "--external", "--provider-network-type", "flat",
                    "--provider-physical-network", "fip-gone", "fip-ext2", "-f", "json")
    cloud.cli("subnet", "create", "--network", net["id"], "--no-dhcp", "--subnet-range",
              "172.24.61.0/24", "fip-ext2-sub", "-f", "json")
    fip = a.cli("floating ip", "create", net["id"], "-f", "json")
    r = a.cli("router", "create", "--external-gateway", net["id"], "fip-r2", "-f", "json")
    status, _, body = cloud.request("DELETE", f"/network/v2.0/networks/{net['id']}", tok)
    assert status == 409, body
    assert [f["id"] for f in fips(a, "?floating_network_id=" + net["id"])] == [fip["id"]]
    a.cli("router", "delete", r["id"])
    status, _, body = cloud.request("DELETE", f"/network/v2.0/networks/{net['id']}", tok)
    assert status == 204, body
    assert fips(a, "?floating_network_id=" + net["id"]) == []
    assert [p for p in fip_ports(cloud) if p["device_id"] == fip["id"]] == []
