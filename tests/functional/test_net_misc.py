"""The network service's smaller APIs through the real openstack CLI, openstacksdk and raw
requests: quotas (set/show/default/details/reset, the over-quota 409 that creates
nothing), agents, network IP availabilities, extensions, the version documents, and
Neutron's error bodies."""
import socket

import pytest
from conftest import Project

V2 = "/network/v2.0"


@pytest.fixture(scope="module")
def proj(cloud):
    return Project(cloud, "misc-a")


def admin_tok(cloud):
    return cloud.token()[0]


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


# ---- version documents and errors ----

def test_version_documents(cloud):
    status, _, body = cloud.request("GET", "/network/")
    assert status == 200, body
    (v,) = body["versions"]
    assert v["id"] == "v2.0" and v["status"] == "CURRENT"
    assert v["links"][0]["href"].endswith("/network/v2.0/")
    status, _, body = cloud.request("GET", "/network/v2.0")
    assert status == 200, body
    names = {r["name"]: r["collection"] for r in body["resources"]}
    for name, coll in (("network", "networks"), ("subnet", "subnets"), ("port", "ports"),
                       ("quota", "quotas"), ("agent", "agents"),
                       ("network_ip_availability", "network-ip-availabilities")):
        assert names.get(name) == coll, body


def test_error_bodies(cloud, proj):
    tok = admin_tok(cloud)
    bogus = "00000000-0000-0000-0000-000000000000"
    for path, msg in (("/networks/" + bogus, f"Network {bogus} could not be found."),
                      ("/agents/" + bogus, f"Agent {bogus} could not be found."),
                      ("/network-ip-availabilities/" + bogus,
                       f"Network {bogus} could not be found."),
                      ("/extensions/no-such-ext",
                       "Extension with alias no-such-ext does not exist")):
        status, _, body = cloud.request("GET", V2 + path, tok)
        assert neutron_error(body, status, 404) == msg
        assert body["NeutronError"]["type"] == "HTTPNotFound"
    # no token: 401 from the token check, with where to get one
    for path in ("/networks", "/quotas", "/agents", "/extensions"):
        status, hdrs, body = cloud.request("GET", V2 + path)
        assert status == 401, body
        assert body["error"]["code"] == 401
        assert hdrs["WWW-Authenticate"].startswith("Keystone uri=")
    status, _, body = cloud.request("GET", V2 + "/networks", "not-a-token")
    assert status == 401, body


# ---- extensions ----

def test_extensions(cloud, proj):
    status, _, body = proj.req("GET", V2 + "/extensions")
    assert status == 200, body
    exts = {e["alias"]: e for e in body["extensions"]}
    for alias in ("quotas", "quota_details", "agent", "network-ip-availability",
                  "router", "security-group", "external-net", "provider",
                  "standard-attr-tag", "project-id"):
        assert alias in exts, sorted(exts)
    # what ciel does not do is not claimed
    for alias in ("dhcp_agent_scheduler", "l3_agent_scheduler", "metering", "dvr",
                  "qos", "trunk"):
        assert alias not in exts
    for alias, e in exts.items():
        assert set(e) == {"alias", "name", "description", "updated", "links"}, e
        status, _, one = proj.req("GET", V2 + "/extensions/" + alias)
        assert status == 200 and one["extension"] == e, one
    assert exts["quotas"]["name"] == "Quota management support"
    # the clients read the same table
    cli = cloud.cli("extension", "list", "--network", "-f", "json")
    assert {e["Alias"] for e in cli} == set(exts)
    assert cloud.sdk().network.find_extension("agent") is not None
    assert cloud.sdk().network.find_extension("metering") is None


# ---- quotas ----

def has_compute(cloud):
    return any(e["Type"] == "compute" for e in cloud.cli("catalog", "list", "-f", "json"))


def quota_set(cloud, project, **limits):
    """`openstack quota set --networks N ...` once the catalog has compute (OSC 6 builds
    its compute client for any quota set/show); before, the same network request through
    the SDK OSC calls (PUT /v2.0/quotas/{project_id})."""
    if has_compute(cloud):
        args = []
        for k, v in limits.items():
            args += ["--" + k.replace("_", "-"), str(v)]
        cloud.cli("quota", "set", *args, project.name)
    else:
        cloud.sdk().network.update_quota(project.id, **limits)


def quota_show(cloud, project, default=False):
    """`openstack quota show [--default]`'s network part, keyed as OSC shows it."""
    if has_compute(cloud):
        return cloud.cli("quota", "show", *(["--default"] if default else []),
                         project.name, "-f", "json")
    net = cloud.sdk().network
    q = net.get_quota_default(project.id) if default else net.get_quota(project.id)
    return {"networks": q.networks, "ports": q.ports, "subnets": q.subnets,
            "routers": q.routers, "secgroups": q.security_groups,
            "floating-ips": q.floating_ips}


def test_quota_set_show_default_reset_with_cli(cloud):
    p = Project(cloud, "quota-cli")
    if not has_compute(cloud):
        r = cloud.cli("quota", "show", p.name, check=False)
        assert r.returncode != 0 and "compute" in r.stderr, r.stderr
    shown = quota_show(cloud, p)
    assert shown["networks"] == 100 and shown["ports"] == 500 and shown["routers"] == 10
    quota_set(cloud, p, networks=3, ports=7, subnets=-1)
    shown = quota_show(cloud, p)
    assert shown["networks"] == 3 and shown["ports"] == 7 and shown["subnets"] == -1
    assert shown["routers"] == 10
    default = quota_show(cloud, p, default=True)
    assert default["networks"] == 100 and default["ports"] == 500
    # `openstack quota list --network`: the projects with overrides
    listed = cloud.cli("quota", "list", "--network", "-f", "json")
    (row,) = [r for r in listed if r["Project ID"] == p.id]
    assert row["Networks"] == 3 and row["Ports"] == 7 and row["Routers"] == 10, row
    # the project itself reads its own limits
    status, _, body = p.req("GET", f"{V2}/quotas/{p.id}")
    assert status == 200 and body["quota"]["network"] == 3, body
    # the admin's list holds the projects with overrides, every limit filled in
    tok = admin_tok(cloud)
    status, _, body = cloud.request("GET", V2 + "/quotas", tok)
    assert status == 200, body
    (q,) = [q for q in body["quotas"] if q["project_id"] == p.id]
    assert q["network"] == 3 and q["router"] == 10 and q["tenant_id"] == p.id
    conn = cloud.sdk()
    assert conn.network.get_quota(p.id).networks == 3
    # reset: back to the defaults, gone from the list; a second reset finds nothing
    status, _, _ = cloud.request("DELETE", f"{V2}/quotas/{p.id}", tok)
    assert status == 204
    shown = quota_show(cloud, p)
    assert shown["networks"] == 100 and shown["ports"] == 500
    status, _, body = cloud.request("GET", V2 + "/quotas", tok)
    assert p.id not in [q["project_id"] for q in body["quotas"]]
    status, _, body = cloud.request("DELETE", f"{V2}/quotas/{p.id}", tok)
    assert neutron_error(body, status, 404) == f"Quota for tenant {p.id} could not be found."


def test_over_quota_is_409_and_creates_nothing(cloud):
    p = Project(cloud, "quota-over")
    quota_set(cloud, p, networks=2)
    p.cli("network", "create", "q1", "-f", "json")
    p.cli("network", "create", "q2", "-f", "json")
    status, _, body = p.req("POST", V2 + "/networks", body={"network": {"name": "q3"}})
    assert neutron_error(body, status, 409) == "Quota exceeded for resources: ['network']."
    # Neutron names the exception
    assert body["NeutronError"]["type"] == "OverQuota"
    # the CLI shows the same refusal
    r = p.cli("network", "create", "q9", check=False)
    assert r.returncode != 0 and "Quota exceeded" in r.stderr, r.stderr
    # a bulk create that would cross the limit creates none of its items
    quota_set(cloud, p, networks=3)
    status, _, body = p.req("POST", V2 + "/networks",
                            body={"networks": [{"name": "b1"}, {"name": "b2"}]})
    assert neutron_error(body, status, 409) == "Quota exceeded for resources: ['network']."
    status, _, body = p.req("GET", V2 + "/networks?project_id=" + p.id)
    assert sorted(n["name"] for n in body["networks"]) == ["q1", "q2"]
    # details: limit, used, reserved
    status, _, body = p.req("GET", f"{V2}/quotas/{p.id}/details")
    assert status == 200, body
    assert body["quota"]["network"] == {"limit": 3, "used": 2, "reserved": 0}
    assert body["quota"]["router"] == {"limit": 10, "used": 0, "reserved": 0}
    status, _, same = p.req("GET", f"{V2}/quotas/{p.id}/details.json")
    assert status == 200 and same == body, same
    detail = cloud.sdk().network.get_quota(p.id, details=True)
    assert detail.networks == {"limit": 3, "used": 2, "reserved": 0}
    # -1 is no limit
    quota_set(cloud, p, networks=-1)
    p.cli("network", "create", "q3", "-f", "json")
    p.cli("network", "create", "q4", "-f", "json")


def test_quota_rights_and_validation(cloud, proj):
    tok = admin_tok(cloud)
    admin_project = cloud.token()[1]["token"]["project"]["id"]
    # others' quotas and the list are the admin's
    status, _, body = proj.req("GET", f"{V2}/quotas/{admin_project}")
    assert status == 403, body
    assert "NeutronError" in body
    status, _, body = proj.req("GET", V2 + "/quotas")
    assert status == 403, body
    status, _, body = proj.req("PUT", f"{V2}/quotas/{proj.id}",
                               body={"quota": {"network": 1000}})
    assert status == 403, body
    status, _, body = proj.req("DELETE", f"{V2}/quotas/{proj.id}")
    assert status == 403, body
    status, _, body = proj.req("GET", f"{V2}/quotas/{proj.id}/default")
    assert status == 200 and body["quota"]["port"] == 500, body
    # bad limits and keys: 400, nothing stored
    for q in ({"network": -2}, {"network": "many"}, {"bogus": 1}, {"port": 1.5},
              {"network": 2 ** 40}):
        status, _, body = cloud.request("PUT", f"{V2}/quotas/{proj.id}", tok,
                                        body={"quota": q})
        assert status == 400 and "NeutronError" in body, (q, body)
    status, _, body = cloud.request("PUT", f"{V2}/quotas/{proj.id}", tok,
                                    body={"network": 5})
    assert status == 400, body
    status, _, body = cloud.request("GET", V2 + "/quotas", tok)
    assert proj.id not in [q["project_id"] for q in body["quotas"]]
    # a numeric string is taken, as Neutron's converter does; a limit under the usage
    # is refused unless forced (as Neutron since 2025.1)
    status, _, body = cloud.request("PUT", f"{V2}/quotas/{proj.id}", tok,
                                    body={"quota": {"network": "4"}})
    assert status == 200 and body["quota"]["network"] == 4, body
    proj.cli("network", "create", "lim1", "-f", "json")
    proj.cli("network", "create", "lim2", "-f", "json")
    for q in ({"network": 1}, {"network": 1, "check_limit": True},
              {"network": 1, "force": False}):
        status, _, body = cloud.request("PUT", f"{V2}/quotas/{proj.id}", tok,
                                        body={"quota": q})
        assert neutron_error(body, status, 400) == \
            "Quota limit 1 for network must be greater than or equal to already used 2"
    status, _, body = cloud.request("GET", f"{V2}/quotas/{proj.id}", tok)
    assert body["quota"]["network"] == 4
    status, _, body = cloud.request("PUT", f"{V2}/quotas/{proj.id}", tok,
                                    body={"quota": {"network": 1, "force": True}})
    assert status == 200 and body["quota"]["network"] == 1, body
    status, _, body = cloud.request("PUT", f"{V2}/quotas/{proj.id}", tok,
                                    body={"quota": {"network": -1, "port": 0}})
    assert status == 200 and body["quota"]["network"] == -1, body
    status, _, body = cloud.request("DELETE", f"{V2}/quotas/{proj.id}", tok)
    assert status == 204


# ---- agents ----

AGENTS = {"Linux bridge agent": "neutron-linuxbridge-agent",
          "DHCP agent": "neutron-dhcp-agent", "L3 agent": "neutron-l3-agent",
          "Metadata agent": "neutron-metadata-agent"}


def test_agents(cloud, proj):
    # a fresh start registers the agents (alive: a heartbeat younger than 75 s; the
    # periodic heartbeat belongs to the sync worker)
    cloud.restart()
    tok = admin_tok(cloud)
    status, _, body = cloud.request("GET", V2 + "/agents", tok)
    assert status == 200, body
    agents = body["agents"]
    assert {a["agent_type"]: a["binary"] for a in agents} == AGENTS
    for a in agents:
        assert a["host"] == socket.gethostname()
        assert a["alive"] is True and a["admin_state_up"] is True, a
        assert len(a["heartbeat_timestamp"]) == 19 and a["heartbeat_timestamp"][10] == " "
        assert isinstance(a["configurations"], dict)
    dhcp = [a for a in agents if a["agent_type"] == "DHCP agent"][0]
    assert dhcp["topic"] == "dhcp_agent" and dhcp["availability_zone"] == "nova"
    # the CLI and the SDK list the same
    cli = cloud.cli("network", "agent", "list", "-f", "json")
    assert sorted(a["Agent Type"] for a in cli) == sorted(AGENTS)
    assert all(a["Alive"] in (True, ":-)") for a in cli), cli
    cli = cloud.cli("network", "agent", "list", "--agent-type", "dhcp", "-f", "json")
    assert [a["ID"] for a in cli] == [dhcp["id"]]
    assert len(list(cloud.sdk().network.agents(binary="neutron-l3-agent"))) == 1
    # filters and fields
    status, _, body = cloud.request("GET", V2 + "/agents?alive=false", tok)
    assert body["agents"] == []
    status, _, body = cloud.request("GET", V2 + "/agents?alive=maybe", tok)
    assert status == 400, body
    status, _, body = cloud.request("GET", f"{V2}/agents?host=nohost", tok)
    assert body["agents"] == []
    status, _, body = cloud.request("GET", f"{V2}/agents?fields=id&fields=alive", tok)
    assert all(set(a) == {"id", "alive"} for a in body["agents"]), body
    # update: description and admin_state_up only
    cloud.cli("network", "agent", "set", "--description", "the dhcp part", "--disable",
              dhcp["id"])
    shown = cloud.cli("network", "agent", "show", dhcp["id"], "-f", "json")
    assert shown["description"] == "the dhcp part"
    assert shown["admin_state_up"] in (False, "DOWN")
    status, _, body = cloud.request("PUT", f"{V2}/agents/{dhcp['id']}", tok,
                                    body={"agent": {"host": "elsewhere"}})
    assert status == 400, body
    status, _, body = cloud.request("GET", f"{V2}/agents/{dhcp['id']}", tok)
    assert body["agent"]["host"] == socket.gethostname()
    assert body["agent"]["admin_state_up"] is False
    # not the admin: an empty list and 404s, as Neutron's admin_only policy
    status, _, body = proj.req("GET", V2 + "/agents")
    assert status == 200 and body["agents"] == [], body
    for method, b in (("GET", None), ("PUT", {"agent": {"description": "x"}}),
                      ("DELETE", None)):
        status, _, body = proj.req(method, f"{V2}/agents/{dhcp['id']}", body=b)
        assert neutron_error(body, status, 404) == f"Agent {dhcp['id']} could not be found."
    status, _, body = cloud.request("GET", f"{V2}/agents/{dhcp['id']}", tok)
    assert body["agent"]["description"] == "the dhcp part"
    # delete; the agent registers again when ciel starts
    cloud.cli("network", "agent", "delete", dhcp["id"])
    status, _, body = cloud.request("GET", f"{V2}/agents/{dhcp['id']}", tok)
    assert status == 404
    status, _, body = cloud.request("DELETE", f"{V2}/agents/{dhcp['id']}", tok)
    assert status == 404
    cloud.restart()
    tok = admin_tok(cloud)
    status, _, body = cloud.request("GET", V2 + "/agents", tok)
    assert sorted(a["agent_type"] for a in body["agents"]) == sorted(AGENTS)
    # the others kept their ids and were not duplicated
    assert {a["id"] for a in agents if a["id"] != dhcp["id"]} < \
        {a["id"] for a in body["agents"]}


# ---- network IP availability ----

def test_ip_availability(cloud):
    tok = admin_tok(cloud)
    proj = Project(cloud, "misc-avail")
    net = proj.cli("network", "create", "avail-net", "-f", "json")
    sub4 = proj.cli("subnet", "create", "--network", net["id"], "--subnet-range",
                    "10.77.0.0/24", "--allocation-pool", "start=10.77.0.10,end=10.77.0.29",
                    "--no-dhcp", "avail-v4", "-f", "json")
    sub6 = proj.cli("subnet", "create", "--network", net["id"], "--ip-version", "6",
                    "--subnet-range", "fd00:77::/120", "--no-dhcp", "avail-v6",
                    "-f", "json")
    empty = proj.cli("network", "create", "avail-empty", "-f", "json")
    status, _, body = cloud.request("GET", f"{V2}/network-ip-availabilities/{net['id']}", tok)
    assert status == 200, body
    a = body["network_ip_availability"]
    assert a["network_id"] == net["id"] and a["network_name"] == "avail-net"
    assert a["project_id"] == proj.id and a["tenant_id"] == proj.id
    subs = {s["subnet_id"]: s for s in a["subnet_ip_availability"]}
    v4 = subs[sub4["id"]]
    assert v4 == {"subnet_id": sub4["id"], "subnet_name": "avail-v4", "ip_version": 4,
                  "cidr": "10.77.0.0/24", "total_ips": 20, "used_ips": 0}
    pools6 = sub6["allocation_pools"]
    assert subs[sub6["id"]]["total_ips"] > 0 and subs[sub6["id"]]["used_ips"] == 0, pools6
    assert a["total_ips"] == 20 + subs[sub6["id"]]["total_ips"] and a["used_ips"] == 0
    # ports take addresses: counted per subnet and summed per network
    proj.cli("port", "create", "--network", net["id"], "--fixed-ip",
             f"subnet={sub4['id']},ip-address=10.77.0.12", "p1", "-f", "json")
    proj.cli("port", "create", "--network", net["id"], "--fixed-ip",
             f"subnet={sub4['id']}", "p2", "-f", "json")
    shown = cloud.cli("ip", "availability", "show", net["id"], "-f", "json")
    assert shown["used_ips"] == 2 and shown["total_ips"] == a["total_ips"], shown
    # the list: filters by network, project and IP version; networks without subnets too
    status, _, body = cloud.request("GET", V2 + "/network-ip-availabilities?project_id="
                                    + proj.id, tok)
    by_id = {x["network_id"]: x for x in body["network_ip_availabilities"]}
    assert set(by_id) == {net["id"], empty["id"]}
    assert by_id[empty["id"]]["total_ips"] == 0 and \
        by_id[empty["id"]]["subnet_ip_availability"] == []
    status, _, body = cloud.request(
        "GET", f"{V2}/network-ip-availabilities?network_id={net['id']}&ip_version=4", tok)
    (x,) = body["network_ip_availabilities"]
    assert [s["subnet_id"] for s in x["subnet_ip_availability"]] == [sub4["id"]]
    assert x["used_ips"] == 2 and x["total_ips"] == 20
    status, _, body = cloud.request(
        "GET", f"{V2}/network-ip-availabilities?network_name=avail-net&fields=used_ips", tok)
    assert body["network_ip_availabilities"] == [{"used_ips": 2}], body
    status, _, body = cloud.request("GET", V2 + "/network-ip-availabilities?ip_version=5",
                                    tok)
    assert status == 400, body
    # OSC lists IPv4 by default: a network without subnets has none
    cli = cloud.cli("ip", "availability", "list", "--project", proj.name, "-f", "json")
    assert [x["Network ID"] for x in cli] == [net["id"]]
    assert cli[0]["Total IPs"] == 20 and cli[0]["Used IPs"] == 2, cli
    # others than the admin see nothing, as Neutron's policy
    status, _, body = proj.req("GET", V2 + "/network-ip-availabilities")
    assert status == 200 and body["network_ip_availabilities"] == [], body
    status, _, body = proj.req("GET", f"{V2}/network-ip-availabilities/{net['id']}")
    assert neutron_error(body, status, 404) == f"Network {net['id']} could not be found."
