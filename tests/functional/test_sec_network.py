"""Security findings of issue 9 in networking, each reproduced as reported and refused:
tokens without a project own nothing (#2), a port cannot make itself another project's
router leg (#3), the reader role only reads (#5), a marker the caller cannot see is a
missing one (#8), and a port's dns_name is a host name, never a line of dnsmasq's files
(#14). Every refusal leaves the cloud as it was."""
import pytest
from conftest import Project, neutron_error, ok

N = "/network/v2.0"
NET, SUB, PORTS, R, F = (f"{N}/networks", f"{N}/subnets", f"{N}/ports", f"{N}/routers",
                         f"{N}/floatingips")
SG, RULES, POOLS = f"{N}/security-groups", f"{N}/security-group-rules", f"{N}/subnetpools"
EXT_CIDR = "172.24.90.0/24"


def auth(cloud, user, password, scope=None):
    """A token of 'user' (Default domain) with 'scope' (None: unscoped)."""
    a = {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}}}
    if scope is not None:
        a["scope"] = scope
    status, hdrs, body = cloud.request("POST", "/identity/v3/auth/tokens",
                                       body={"auth": a})
    assert status == 201, body
    return hdrs["X-Subject-Token"]


def user(cloud, name, password):
    cloud.cli("user", "create", "--password", password, name, "-f", "json")


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.token()[0]


@pytest.fixture(scope="module")
def env(cloud, admin):
    """An external network (admin); project a with a network behind a router whose
    gateway is there, a port, and a floating IP of its own; project b with a network."""
    ext = ok(cloud.request("POST", NET, admin, body={"network": {
        "name": "sec-ext", "router:external": True}}), 201)["network"]
    ok(cloud.request("POST", SUB, admin, body={"subnet": {
        "network_id": ext["id"], "ip_version": 4, "cidr": EXT_CIDR,
        "enable_dhcp": False}}), 201)
    a, b = Project(cloud, "sec-a"), Project(cloud, "sec-b")
    nets = {}
    for p, cidr in ((a, "10.91.0.0/24"), (b, "10.92.0.0/24")):
        net = ok(p.req("POST", NET, body={"network": {"name": p.name + "-net"}}),
                 201)["network"]
        sub = ok(p.req("POST", SUB, body={"subnet": {
            "network_id": net["id"], "ip_version": 4, "cidr": cidr}}), 201)["subnet"]
        nets[p.name] = (net, sub)
    router = ok(a.req("POST", R, body={"router": {
        "name": "sec-ra", "external_gateway_info": {"network_id": ext["id"]}}}),
        201)["router"]
    ok(a.req("PUT", f"{R}/{router['id']}/add_router_interface",
             body={"subnet_id": nets["sec-a"][1]["id"]}))
    port = ok(a.req("POST", PORTS, body={"port": {
        "network_id": nets["sec-a"][0]["id"], "name": "sec-a-port"}}), 201)["port"]
    fip = ok(a.req("POST", F, body={"floatingip": {
        "floating_network_id": ext["id"], "port_id": port["id"]}}), 201)["floatingip"]
    return {"ext": ext, "a": a, "b": b, "nets": nets, "router": router, "port": port,
            "fip": fip}


def admin_show(cloud, admin, path):
    return ok(cloud.request("GET", path, admin))


def stable(port):
    """A port's body without the status the data plane writes on its own."""
    return {k: v for k, v in port.items() if k != "status"}


# ---- #2: a token without a project acts as no project ----

def projectless_tokens(cloud):
    """An unscoped token of a member, a token of a user with no role anywhere, and a
    domain-scoped token of a user with a role on the domain only."""
    user(cloud, "sec-norole", "pw-norole-1")
    user(cloud, "sec-domuser", "pw-domuser-1")
    cloud.cli("role", "add", "--user", "sec-domuser", "--domain", "Default", "member")
    return {
        "unscoped": auth(cloud, "user-sec-a", "pw-sec-a-1"),
        "no role": auth(cloud, "sec-norole", "pw-norole-1"),
        "domain": auth(cloud, "sec-domuser", "pw-domuser-1",
                       {"domain": {"id": "default"}}),
    }


def test_projectless_tokens_reach_nothing(cloud, admin, env):
    fip = env["fip"]
    # the floating IP's own port: of no project
    listed = ok(cloud.request("GET", f"{PORTS}?device_owner=network:floatingip", admin))
    fip_port = [p for p in listed["ports"] if p["device_id"] == fip["id"]][0]
    assert fip_port["project_id"] == ""
    before = admin_show(cloud, admin, f"{PORTS}/{fip_port['id']}")["port"]
    net_a = env["nets"]["sec-a"][0]
    for what, tok in projectless_tokens(cloud).items():
        # the report: list, rename, re-own, delete the floating IP's port
        for method, path, body in (
                ("GET", PORTS, None),
                ("GET", f"{PORTS}?device_owner=network:floatingip", None),
                ("GET", f"{PORTS}/{fip_port['id']}", None),
                ("PUT", f"{PORTS}/{fip_port['id']}", {"port": {"name": "mine"}}),
                ("PUT", f"{PORTS}/{fip_port['id']}", {"port": {"device_owner": ""}}),
                ("DELETE", f"{PORTS}/{fip_port['id']}", None),
                ("GET", NET, None),
                ("GET", f"{NET}/{net_a['id']}", None),
                ("POST", NET, {"network": {"name": "orphan"}}),
                ("POST", PORTS, {"port": {"network_id": env["ext"]["id"],
                                          "device_owner": "network:floatingip"}}),
                ("GET", F, None),
                ("DELETE", f"{F}/{fip['id']}", None)):
            status, _, got = cloud.request(method, path, tok, body=body)
            neutron_error(got, status, 403)
            assert fip_port["id"] not in str(got), (what, method, path)
        # the extension list needs no project
        assert cloud.request("GET", f"{N}/extensions", tok)[0] == 200
    after = admin_show(cloud, admin, f"{PORTS}/{fip_port['id']}")["port"]
    assert stable(after) == stable(before)
    # nothing of project '' was made
    nets = admin_show(cloud, admin, f"{NET}?name=orphan")["networks"]
    assert nets == []
    # the address is still the floating IP's: no other project is given it
    status, _, got = cloud.request("POST", F, admin, body={"floatingip": {
        "floating_network_id": env["ext"]["id"], "project_id": env["b"].id,
        "floating_ip_address": fip["floating_ip_address"]}})
    neutron_error(got, status, 409)
    owned = admin_show(cloud, admin, f"{F}?floating_ip_address="
                       f"{fip['floating_ip_address']}")["floatingips"]
    assert [f["id"] for f in owned] == [fip["id"]]


def test_ports_of_no_project_are_the_admins(cloud, admin, env):
    a, b = env["a"], env["b"]
    gw = env["router"]["external_gateway_info"]["external_fixed_ips"][0]["ip_address"]
    noproj = [p for p in admin_show(cloud, admin, PORTS)["ports"] if p["project_id"] == ""]
    assert {p["device_owner"] for p in noproj} >= {"network:floatingip",
                                                   "network:router_gateway"}
    assert any(i["ip_address"] == gw for p in noproj for i in p["fixed_ips"])
    for p in (a, b):
        mine = ok(p.req("GET", PORTS))["ports"]
        assert all(x["project_id"] == p.id for x in mine), mine
        for port in noproj:
            for method, body in (("GET", None), ("PUT", {"port": {"name": "x"}}),
                                 ("DELETE", None)):
                status, _, got = p.req(method, f"{PORTS}/{port['id']}", body=body)
                neutron_error(got, status, 404)
    for port in noproj:
        assert stable(admin_show(cloud, admin, f"{PORTS}/{port['id']}")["port"]) == \
            stable(port)
    # an admin token of no project names the owner of what it makes
    dom_admin = auth(cloud, "admin", cloud.password("admin"), {"domain": {"id": "default"}})
    status, _, got = cloud.request("POST", NET, dom_admin, body={"network": {
        "name": "sec-dom-admin"}})
    msg = neutron_error(got, status, 400)
    assert "tenant_id is specified" in msg, msg
    assert admin_show(cloud, admin, f"{NET}?name=sec-dom-admin")["networks"] == []
    made = ok(cloud.request("POST", NET, dom_admin, body={"network": {
        "name": "sec-dom-admin", "project_id": b.id}}), 201)["network"]
    assert made["project_id"] == b.id
    ok(cloud.request("DELETE", f"{NET}/{made['id']}", admin), 204)


# ---- #3: a port cannot attach a network to another project's router ----

def test_port_cannot_join_another_projects_router(cloud, admin, env):
    a, b = env["a"], env["b"]
    rid = env["router"]["id"]
    net_b, sub_b = env["nets"]["sec-b"]
    legs_before = admin_show(cloud, admin, f"{PORTS}?device_id={rid}")["ports"]
    router_before = admin_show(cloud, admin, f"{R}/{rid}")["router"]
    ports_b = ok(b.req("GET", PORTS))["ports"]
    # the report: a port of b naming a's router, on create and by PUT
    for owner in ("network:router_interface", "network:router_gateway",
                  "network:router_interface_distributed"):
        status, _, got = b.req("POST", PORTS, body={"port": {
            "network_id": net_b["id"], "device_owner": owner, "device_id": rid}})
        msg = neutron_error(got, status, 409)
        assert msg == (f"The following device_id {rid} is not owned by your tenant or "
                       "matches another tenants router."), msg
    assert [stable(x) for x in ok(b.req("GET", PORTS))["ports"]] == \
        [stable(x) for x in ports_b]
    plain = ok(b.req("POST", PORTS, body={"port": {"network_id": net_b["id"]}}),
               201)["port"]
    for body in ({"device_owner": "network:router_interface", "device_id": rid},
                 {"device_id": rid, "device_owner": "network:router_gateway"}):
        status, _, got = b.req("PUT", f"{PORTS}/{plain['id']}", body={"port": body})
        neutron_error(got, status, 409)
    # a router device owner with no router of another project behind it is b's to set;
    # naming a's router afterwards is refused all the same
    own = ok(b.req("POST", PORTS, body={"port": {
        "network_id": net_b["id"], "device_owner": "network:router_interface",
        "device_id": "no-such-router"}}), 201)["port"]
    status, _, got = b.req("PUT", f"{PORTS}/{own['id']}", body={"port": {"device_id": rid}})
    neutron_error(got, status, 409)
    assert ok(b.req("GET", f"{PORTS}/{own['id']}"))["port"]["device_id"] == "no-such-router"
    # even a port the admin points at the router is no leg of it: a router's legs are
    # its own doing (add_router_interface)
    forged = ok(cloud.request("POST", PORTS, admin, body={"port": {
        "network_id": net_b["id"], "project_id": b.id,
        "device_owner": "network:router_interface", "device_id": rid}}), 201)["port"]
    hop = forged["fixed_ips"][0]["ip_address"]
    nexthop = str(hop).rsplit(".", 1)[0] + ".77"
    status, _, got = a.req("PUT", f"{R}/{rid}/add_extraroutes", body={"router": {
        "routes": [{"destination": "10.200.0.0/16", "nexthop": nexthop}]}})
    msg = neutron_error(got, status, 400)
    assert "not connected" in msg, msg
    # b's floating IP cannot go through a's router
    status, _, got = b.req("POST", F, body={"floatingip": {
        "floating_network_id": env["ext"]["id"], "port_id": plain["id"]}})
    neutron_error(got, status, 404)
    assert admin_show(cloud, admin, f"{R}/{rid}")["router"] == router_before
    legs = admin_show(cloud, admin, f"{PORTS}?device_id={rid}")["ports"]
    assert {p["id"] for p in legs} - {p["id"] for p in legs_before} == {forged["id"]}
    # the owner still takes its router apart (a's interface, floating IP, router)
    ok(a.req("DELETE", f"{F}/{env['fip']['id']}"), 204)
    ok(a.req("PUT", f"{R}/{rid}/remove_router_interface",
             body={"subnet_id": env["nets"]["sec-a"][1]["id"]}))
    ok(a.req("DELETE", f"{R}/{rid}"), 204)
    for p in (forged, own):
        ok(cloud.request("PUT", f"{PORTS}/{p['id']}", admin,
                         body={"port": {"device_owner": ""}}))
        ok(cloud.request("DELETE", f"{PORTS}/{p['id']}", admin), 204)
    ok(b.req("DELETE", f"{PORTS}/{plain['id']}"), 204)


# ---- #5: the reader role reads, and only reads ----

def reader_of(cloud, p):
    """A token of a user holding only the reader role on project 'p'."""
    name = f"{p.name}-reader"
    user(cloud, name, "pw-reader-1")
    cloud.cli("role", "add", "--user", name, "--project", p.name, "reader")
    return auth(cloud, name, "pw-reader-1", {"project": {"id": p.id}})


def test_reader_only_reads(cloud, admin, env):
    a = Project(cloud, "sec-r")
    reader = reader_of(cloud, a)
    net = ok(a.req("POST", NET, body={"network": {"name": "r-net"}}), 201)["network"]
    sub = ok(a.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "ip_version": 4, "cidr": "10.93.0.0/24"}}), 201)["subnet"]
    port = ok(a.req("POST", PORTS, body={"port": {"network_id": net["id"]}}), 201)["port"]
    router = ok(a.req("POST", R, body={"router": {"name": "r-r"}}), 201)["router"]
    sg = ok(a.req("POST", SG, body={"security_group": {"name": "r-sg"}}),
            201)["security_group"]
    rule = ok(a.req("POST", RULES, body={"security_group_rule": {
        "security_group_id": sg["id"], "direction": "ingress", "protocol": "tcp",
        "port_range_min": 22, "port_range_max": 22}}), 201)["security_group_rule"]
    pool = ok(a.req("POST", POOLS, body={"subnetpool": {
        "name": "r-pool", "prefixes": ["10.94.0.0/16"], "default_prefixlen": 24}}),
        201)["subnetpool"]
    fip = ok(a.req("POST", F, body={"floatingip": {
        "floating_network_id": env["ext"]["id"]}}), 201)["floatingip"]
    ok(a.req("PUT", f"{NET}/{net['id']}/tags/keep"), 201)
    shows = [f"{NET}/{net['id']}", f"{SUB}/{sub['id']}", f"{PORTS}/{port['id']}",
             f"{R}/{router['id']}", f"{SG}/{sg['id']}", f"{RULES}/{rule['id']}",
             f"{POOLS}/{pool['id']}", f"{F}/{fip['id']}", f"{NET}/{net['id']}/tags",
             f"{N}/quotas/{a.id}"]
    lists = [NET, SUB, PORTS, R, SG, RULES, POOLS, F]

    def state():
        return ([ok(a.req("GET", u)) for u in shows],
                [sorted(x["id"] for x in next(iter(ok(a.req("GET", u)).values())))
                 for u in lists])

    before = state()
    # reads work
    for u in shows + lists:
        status, _, got = cloud.request("GET", u, reader)
        assert status == 200, (u, got)
    assert any(x["id"] == net["id"] for x in
               ok(cloud.request("GET", NET, reader))["networks"])
    rid = router["id"]
    writes = [
        ("POST", NET, {"network": {"name": "x"}}),
        ("PUT", f"{NET}/{net['id']}", {"network": {"name": "x"}}),
        ("DELETE", f"{NET}/{net['id']}", None),
        ("POST", SUB, {"subnet": {"network_id": net["id"], "ip_version": 4,
                                  "cidr": "10.95.0.0/24"}}),
        ("PUT", f"{SUB}/{sub['id']}", {"subnet": {"name": "x"}}),
        ("DELETE", f"{SUB}/{sub['id']}", None),
        ("POST", POOLS, {"subnetpool": {"name": "x", "prefixes": ["10.96.0.0/16"]}}),
        ("PUT", f"{POOLS}/{pool['id']}", {"subnetpool": {"name": "x"}}),
        ("DELETE", f"{POOLS}/{pool['id']}", None),
        ("POST", PORTS, {"port": {"network_id": net["id"]}}),
        ("PUT", f"{PORTS}/{port['id']}", {"port": {"name": "x"}}),
        ("DELETE", f"{PORTS}/{port['id']}", None),
        ("POST", R, {"router": {"name": "x"}}),
        ("PUT", f"{R}/{rid}", {"router": {"name": "x"}}),
        ("DELETE", f"{R}/{rid}", None),
        ("PUT", f"{R}/{rid}/add_router_interface", {"subnet_id": sub["id"]}),
        ("PUT", f"{R}/{rid}/remove_router_interface", {"subnet_id": sub["id"]}),
        ("PUT", f"{R}/{rid}/add_extraroutes", {"router": {"routes": []}}),
        ("PUT", f"{R}/{rid}/remove_extraroutes", {"router": {"routes": []}}),
        ("POST", F, {"floatingip": {"floating_network_id": env["ext"]["id"]}}),
        ("PUT", f"{F}/{fip['id']}", {"floatingip": {"description": "x"}}),
        ("DELETE", f"{F}/{fip['id']}", None),
        ("POST", SG, {"security_group": {"name": "x"}}),
        ("PUT", f"{SG}/{sg['id']}", {"security_group": {"name": "x"}}),
        ("DELETE", f"{SG}/{sg['id']}", None),
        ("POST", RULES, {"security_group_rule": {"security_group_id": sg["id"],
                                                 "direction": "egress"}}),
        ("DELETE", f"{RULES}/{rule['id']}", None),
        ("PUT", f"{NET}/{net['id']}/tags", {"tags": ["x"]}),
        ("PUT", f"{NET}/{net['id']}/tags/x", None),
        ("DELETE", f"{NET}/{net['id']}/tags/keep", None),
        ("DELETE", f"{NET}/{net['id']}/tags", None),
        ("PUT", f"{N}/quotas/{a.id}", {"quota": {"network": 1}}),
        ("DELETE", f"{N}/quotas/{a.id}", None),
    ]
    for method, path, body in writes:
        status, _, got = cloud.request(method, path, reader, body=body)
        assert neutron_error(got, status, 403).endswith(") is disallowed by policy"), got
    # the route's policy, in Neutron's words
    status, _, got = cloud.request("POST", NET, reader, body={"network": {"name": "x"}})
    assert neutron_error(got, status, 403) == "(rule:create_network) is disallowed by policy"
    assert state() == before
    # the member still writes
    ok(a.req("PUT", f"{NET}/{net['id']}", body={"network": {"name": "r-net2"}}))
    ok(a.req("DELETE", f"{F}/{fip['id']}"), 204)


# ---- #8: a marker the caller cannot see is a missing marker ----

def test_invisible_marker_is_missing(cloud, admin, env):
    a, b = env["a"], env["b"]
    secret = ok(a.req("POST", NET, body={"network": {"name": "m-secret"}}), 201)["network"]
    missing = "00000000-0000-4000-8000-000000000000"
    for query in ("limit=1&marker={}", "limit=1&sort_key=name&sort_dir=asc&marker={}",
                  "limit=2&sort_key=name&sort_dir=desc&page_reverse=True&marker={}"):
        s1, _, hidden = b.req("GET", f"{NET}?" + query.format(secret["id"]))
        s2, _, absent = b.req("GET", f"{NET}?" + query.format(missing))
        assert s1 == s2 == 404, (hidden, absent)
        assert hidden == {"NeutronError": {
            k: (v.replace(missing, secret["id"]) if k == "message" else v)
            for k, v in absent["NeutronError"].items()}}
        assert neutron_error(hidden, s1, 404) == f"Network {secret['id']} could not be found."
    # the owner pages with it; shared and external networks are everyone's markers
    ok(a.req("GET", f"{NET}?limit=1&marker={secret['id']}"))
    ok(b.req("GET", f"{NET}?limit=1&marker={env['ext']['id']}"))
    for path in (PORTS, SUB, R, F, SG):
        status, _, got = b.req("GET", f"{path}?limit=1&marker={env['port']['id']}")
        neutron_error(got, status, 404)
    ok(a.req("DELETE", f"{NET}/{secret['id']}"), 204)


# ---- #14: dns_name is a host name ----

def test_dns_name_is_validated(cloud, admin, env):
    a = env["a"]
    net = env["nets"]["sec-a"][0]
    before = ok(a.req("GET", PORTS))["ports"]
    bad = ["web\nlocal", "web\n", "a,b", "a b", "-web", "web-", "a..b", ".web",
           "web_1", "x" * 64, "a." + "b" * 64, "host.123", "w\u00e9b", "a\tb",
           ".".join(["abcdefgh"] * 29)]
    for name in bad:
        status, _, got = a.req("POST", PORTS, body={"port": {
            "network_id": net["id"], "dns_name": name}})
        msg = neutron_error(got, status, 400)
        assert msg.startswith("Invalid input for dns_name. Reason: "), msg
    assert [stable(x) for x in ok(a.req("GET", PORTS))["ports"]] == \
        [stable(x) for x in before]
    port = ok(a.req("POST", PORTS, body={"port": {
        "network_id": net["id"], "dns_name": "Web-1.example.org."}}), 201)["port"]
    assert port["dns_name"] == "web-1.example.org."
    for name in ("evil\ndhcp-option=3,6.6.6.6", "a,b"):
        status, _, got = a.req("PUT", f"{PORTS}/{port['id']}",
                               body={"port": {"dns_name": name}})
        neutron_error(got, status, 400)
    assert stable(ok(a.req("GET", f"{PORTS}/{port['id']}"))["port"]) == stable(port)
    # DHCP options never carry a line break either
    for opt in ({"opt_name": "bootfile-name", "opt_value": "pxe\ndhcp-boot=x"},
                {"opt_name": "tftp\nserver", "opt_value": "1.2.3.4"}):
        status, _, got = a.req("PUT", f"{PORTS}/{port['id']}",
                               body={"port": {"extra_dhcp_opts": [opt]}})
        neutron_error(got, status, 400)
    assert stable(ok(a.req("GET", f"{PORTS}/{port['id']}"))["port"]) == stable(port)
    ok(a.req("PUT", f"{PORTS}/{port['id']}", body={"port": {"dns_name": ""}}))
    ok(a.req("DELETE", f"{PORTS}/{port['id']}"), 204)
