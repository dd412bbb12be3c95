"""Security groups and rules through the real openstack CLI, openstacksdk and raw
requests: each project's default group (made on first list, once even when requests race,
with Neutron's default rules), the group life cycle, rules with their ports, ICMP types,
protocols and remotes, list filters, ownership between projects, and Neutron's error
bodies for the bad input Tempest sends (nothing changed)."""
import threading
import uuid

import pytest
from conftest import Project

SG = "/network/v2.0/security-groups"
RULES = "/network/v2.0/security-group-rules"


@pytest.fixture(scope="module")
def two(cloud):
    """(a, b): two projects that are not admin."""
    return Project(cloud, "sg-a"), Project(cloud, "sg-b")


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


def groups(p, query=""):
    status, _, body = p.req("GET", SG + query)
    assert status == 200, body
    return body["security_groups"]


def new_group(p, name):
    status, _, body = p.req("POST", SG, body={"security_group": {"name": name}})
    assert status == 201, body
    return body["security_group"]


def rule_shape(r):
    return (r["direction"], r["ethertype"], r["protocol"], r["port_range_min"],
            r["port_range_max"], r["remote_ip_prefix"], r["remote_group_id"])


def group_rules(p, sg_id):
    status, _, body = p.req("GET", RULES + "?security_group_id=" + sg_id)
    assert status == 200, body
    return body["security_group_rules"]


def test_default_group_made_on_first_list(cloud, two):
    a, _ = two
    listed = a.cli("security group", "list", "-f", "json")
    defaults = [g for g in listed if g["Name"] == "default"]
    assert len(defaults) == 1, listed
    sg_id = defaults[0]["ID"]
    # listing again makes no second one
    assert [g["id"] for g in groups(a) if g["name"] == "default"] == [sg_id]
    status, _, body = a.req("GET", SG + "/" + sg_id)
    assert status == 200, body
    sg = body["security_group"]
    assert sg["project_id"] == a.id and sg["tenant_id"] == a.id
    assert sg["description"] == "Default security group" and sg["stateful"] is True
    assert sorted(rule_shape(r) for r in sg["security_group_rules"]) == sorted([
        ("egress", "IPv4", None, None, None, None, None),
        ("egress", "IPv6", None, None, None, None, None),
        ("ingress", "IPv4", None, None, None, None, sg_id),
        ("ingress", "IPv6", None, None, None, None, sg_id),
    ])
    assert all(r["project_id"] == a.id and r["security_group_id"] == sg_id
               for r in sg["security_group_rules"])
    # the rules list shows the same rules
    assert sorted(r["id"] for r in group_rules(a, sg_id)) == \
        sorted(r["id"] for r in sg["security_group_rules"])


def test_default_group_made_once_under_racing_requests(cloud):
    p = Project(cloud, "sg-race")
    results, lock = [], threading.Lock()

    def one():
        status, _, body = p.req("GET", SG)
        with lock:
            results.append((status, body))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = set()
    for status, body in results:
        assert status == 200, body
        ids |= {g["id"] for g in body["security_groups"] if g["name"] == "default"}
    assert len(ids) == 1, results
    assert len([g for g in groups(p) if g["name"] == "default"]) == 1
    assert len(group_rules(p, ids.pop())) == 4


def test_group_life_cycle_with_cli(cloud, two):
    a, _ = two
    sg = a.cli("security group", "create", "--description", "web tier", "web", "-f",
               "json")
    assert sg["name"] == "web" and sg["description"] == "web tier"
    assert sg["project_id"] == a.id and sg["stateful"] is True
    # a new group lets everything out and nothing in
    assert sorted(rule_shape(r) for r in group_rules(a, sg["id"])) == [
        ("egress", "IPv4", None, None, None, None, None),
        ("egress", "IPv6", None, None, None, None, None),
    ]
    assert sg["id"] in [g["ID"] for g in a.cli("security group", "list", "-f", "json")]

    a.cli("security group", "set", "--name", "web2", "--description", "changed", sg["id"])
    shown = a.cli("security group", "show", sg["id"], "-f", "json")
    assert shown["name"] == "web2" and shown["description"] == "changed"
    assert shown["revision_number"] > sg["revision_number"]

    a.cli("security group", "delete", sg["id"])
    p = a.cli("security group", "show", sg["id"], check=False)
    assert p.returncode != 0
    status, _, body = a.req("GET", SG + "/" + sg["id"])
    assert "does not exist" in neutron_error(body, status, 404)
    # its rules went with it
    assert group_rules(a, sg["id"]) == []


def test_rules_with_cli(cloud, two):
    a, _ = two
    sg = a.cli("security group", "create", "ssh", "-f", "json")
    rule = a.cli("security group rule", "create", "--protocol", "tcp", "--dst-port",
                 "22:23", "--remote-ip", "10.1.2.3/24", sg["id"], "-f", "json")
    # the CLI shows ethertype as ether_type
    assert rule["direction"] == "ingress" and rule["ether_type"] == "IPv4"
    assert rule["protocol"] == "tcp"
    assert (rule["port_range_min"], rule["port_range_max"]) == (22, 23)
    assert rule["remote_ip_prefix"] == "10.1.2.3/24"
    assert rule["security_group_id"] == sg["id"] and rule["project_id"] == a.id

    status, _, body = a.req("GET", RULES + "/" + rule["id"])
    assert status == 200 and body["security_group_rule"]["normalized_cidr"] == "10.1.2.0/24"
    listed = a.cli("security group rule", "list", sg["id"], "-f", "json")
    assert rule["id"] in [r["ID"] for r in listed] and len(listed) == 3
    shown = a.cli("security group", "show", sg["id"], "-f", "json")
    assert shown["revision_number"] >= 1
    status, _, body = a.req("GET", SG + "/" + sg["id"])
    assert rule["id"] in [r["id"] for r in body["security_group"]["security_group_rules"]]

    a.cli("security group rule", "delete", rule["id"])
    status, _, body = a.req("GET", RULES + "/" + rule["id"])
    assert "Security group rule %s does not exist" % rule["id"] in \
        neutron_error(body, status, 404)
    assert len(group_rules(a, sg["id"])) == 2
    a.cli("security group", "delete", sg["id"])


def a_sdk(cloud, p):
    return cloud.sdk(username=p.user, password=p.password, project_name=p.name,
                     user_domain_name="Default", project_domain_name="Default")


def test_rules_with_sdk(cloud, two):
    a, _ = two
    conn = a_sdk(cloud, a)
    sg = conn.network.create_security_group(name="sdk-sg", description="d")
    other = conn.network.create_security_group(name="sdk-peer")
    icmp = conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", ethertype="IPv4", protocol="icmp",
        port_range_min=8, port_range_max=0)
    assert (icmp.protocol, icmp.port_range_min, icmp.port_range_max) == ("icmp", 8, 0)
    v6 = conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", ethertype="IPv6",
        protocol="ipv6-icmp", port_range_min=11)
    assert v6.port_range_max is None
    num = conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="egress", protocol=17)
    assert num.protocol == "17" and num.ether_type == "IPv4"
    peer = conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", ethertype="IPv6", protocol="udp",
        port_range_min=50, port_range_max=55, remote_group_id=other.id)
    assert peer.remote_group_id == other.id and peer.remote_ip_prefix is None

    # list filters
    ids = lambda **f: sorted(r.id for r in conn.network.security_group_rules(**f))
    assert ids(security_group_id=sg.id, direction="egress") == sorted(
        r["id"] for r in group_rules(a, sg.id) if r["direction"] == "egress")
    assert ids(security_group_id=sg.id, protocol="icmp") == [icmp.id]
    assert ids(security_group_id=sg.id, ethertype="IPv6", direction="ingress") == \
        sorted([v6.id, peer.id])
    assert ids(remote_group_id=other.id) == [peer.id]
    assert [g.id for g in conn.network.security_groups(name="sdk-sg")] == [sg.id]
    got = conn.network.get_security_group(sg.id)
    assert len(got.security_group_rules) == 6

    # deleting the peer group removes the rules that name it as remote
    conn.network.delete_security_group(other.id)
    assert ids(security_group_id=sg.id, ethertype="IPv6", direction="ingress") == [v6.id]
    conn.network.delete_security_group_rule(icmp.id)
    assert icmp.id not in ids(security_group_id=sg.id)
    conn.network.update_security_group(sg.id, stateful=False)
    assert conn.network.get_security_group(sg.id).stateful is False
    conn.network.delete_security_group(sg.id)
    assert ids(security_group_id=sg.id) == []


def post_rule(p, **rule):
    return p.req("POST", RULES, body={"security_group_rule": rule})


def test_rule_errors(cloud, two):
    a, _ = two
    sg = new_group(a, "neg")
    peer = new_group(a, "neg-peer")
    before = sorted(r["id"] for r in group_rules(a, sg["id"]))
    base = {"security_group_id": sg["id"], "direction": "ingress"}
    cases = [
        (dict(protocol="bad_protocol_name"), 400,
         "Security group rule protocol bad_protocol_name not supported"),
        (dict(protocol=256), 400, "Security group rule protocol 256 not supported"),
        (dict(ethertype="bad_ethertype", protocol="udp"), 400,
         "Security group rule for ethertype 'bad_ethertype' not supported. Allowed values "
         "are ['IPv4', 'IPv6']."),
        (dict(direction="sideways"), 400,
         "Invalid input for direction. Reason: 'sideways' is not in ['ingress', 'egress']."),
        (dict(protocol="tcp", port_range_min=-16, port_range_max=80), 400,
         "Invalid value for port -16"),
        (dict(protocol="tcp", port_range_min=80, port_range_max=79), 400,
         "For TCP/UDP protocols, port_range_min must be <= port_range_max"),
        (dict(protocol="tcp", port_range_min=80, port_range_max=65536), 400,
         "Invalid value for port 65536"),
        (dict(protocol="tcp", port_range_min=None, port_range_max=6), 400,
         "port_range_min must be <= port_range_max"),
        (dict(protocol="icmp", port_range_min=1, port_range_max=256), 400,
         "Invalid value for ICMP code (port_range_max) 256. It must be 0 to 255."),
        (dict(protocol="icmp", port_range_min=-1, port_range_max=25), 400,
         "Invalid value for port -1"),
        (dict(protocol="icmp", port_range_min=None, port_range_max=6), 400,
         "ICMP code (port-range-max) 6 is provided but ICMP type (port-range-min) is "
         "missing."),
        (dict(protocol="icmp", port_range_min=300, port_range_max=1), 400,
         "Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255."),
        (dict(port_range_min=22, port_range_max=22), 400,
         "Must also specify protocol if port range is given."),
        (dict(protocol="gre", port_range_min=1, port_range_max=2), 400,
         "Ports cannot be specified for protocol 47. Ports are only supported for DCCP, "
         "SCTP, TCP, UDP, UDPLITE."),
        (dict(protocol=""), 400, "Security group rule protocol  not supported"),
        (dict(protocol="ipv6-icmp", ethertype="IPv4"), 400,
         "Invalid ethertype IPv4 for protocol ipv6-icmp."),
        (dict(ethertype="IPv6", remote_ip_prefix="10.0.0.0/24"), 400,
         "Conflicting value ethertype IPv6 for CIDR 10.0.0.0/24"),
        (dict(ethertype="IPv4", remote_ip_prefix="2001:db8::/64"), 400,
         "Conflicting value ethertype IPv4 for CIDR 2001:db8::/64"),
        (dict(remote_ip_prefix="10.0.0.0/24", remote_group_id=peer["id"]), 400,
         "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may "
         "be provided."),
        (dict(remote_group_id="bad_group_id"), 404,
         "Security group bad_group_id does not exist"),
        (dict(remote_group_id=str(uuid.uuid4())), 404, "does not exist"),
        (dict(bogus=1), 400, "Unrecognized attribute(s) 'bogus'"),
    ]
    for prefix in ("192.168.1./24", "192.168.1.1/33", "bad_prefix", "256"):
        cases.append((dict(protocol="tcp", remote_ip_prefix=prefix), 400,
                      "Invalid CIDR %s given as IP prefix." % prefix))
    for extra, want_status, want in cases:
        status, _, body = post_rule(a, **dict(base, **extra))
        assert want in neutron_error(body, status, want_status), (extra, body)

    status, _, body = post_rule(a, security_group_id=sg["id"])
    assert "Required attribute 'direction' not specified" in \
        neutron_error(body, status, 400)
    missing = str(uuid.uuid4())
    status, _, body = post_rule(a, security_group_id=missing, direction="ingress")
    assert neutron_error(body, status, 404) == "Security group %s does not exist" % missing
    assert sorted(r["id"] for r in group_rules(a, sg["id"])) == before

    # duplicates, protocols compared by number, prefixes as Neutron keeps them
    status, _, body = post_rule(a, **base, protocol="tcp", port_range_min=66,
                                port_range_max=67, remote_ip_prefix="10.9.0.0/16")
    assert status == 201, body
    first = body["security_group_rule"]["id"]
    for dup in (dict(protocol="tcp"), dict(protocol="6"), dict(protocol=6)):
        status, _, body = post_rule(a, **base, **dup, port_range_min=66, port_range_max=67,
                                    remote_ip_prefix="10.9.0.0/16")
        assert neutron_error(body, status, 409) == \
            "Security group rule already exists. Rule id is %s." % first
    # the same network written from another address is another rule (normalized_cidr
    # tells they are the same network)
    status, _, body = post_rule(a, **base, protocol="tcp", port_range_min=66,
                                port_range_max=67, remote_ip_prefix="10.9.1.1/16")
    assert status == 201, body
    assert body["security_group_rule"]["remote_ip_prefix"] == "10.9.1.1/16"
    assert body["security_group_rule"]["normalized_cidr"] == "10.9.0.0/16"
    # 0.0.0.0/0 is the same as no prefix
    status, _, body = post_rule(a, **base, protocol="sctp")
    assert status == 201, body
    sctp = body["security_group_rule"]["id"]
    status, _, body = post_rule(a, **base, protocol="sctp", remote_ip_prefix="0.0.0.0/0")
    assert neutron_error(body, status, 409) == \
        "Security group rule already exists. Rule id is %s." % sctp
    # the whole port range is no range; protocol 0 is kept as "0"
    status, _, body = post_rule(a, **base, protocol="udp", port_range_min=1,
                                port_range_max=65535)
    assert status == 201, body
    r = body["security_group_rule"]
    assert (r["port_range_min"], r["port_range_max"]) == (None, None)
    assert r["belongs_to_default_sg"] is False
    status, _, body = post_rule(a, **base, protocol=0)
    assert status == 201 and body["security_group_rule"]["protocol"] == "0", body
    # protocol names are case-insensitive, ethertype too; 'any' is no protocol
    status, _, body = post_rule(a, **base, protocol="UDP", ethertype="ipv6")
    assert status == 201 and body["security_group_rule"]["protocol"] == "udp"
    assert body["security_group_rule"]["ethertype"] == "IPv6"
    status, _, body = post_rule(a, **base, protocol="any", remote_ip_prefix="10.0.0.1")
    assert status == 201 and body["security_group_rule"]["protocol"] is None
    assert body["security_group_rule"]["remote_ip_prefix"] == "10.0.0.1/32"
    # IPv6 ICMP under a legacy name is stored as ipv6-icmp
    status, _, body = post_rule(a, **base, protocol="icmpv6", ethertype="IPv6")
    assert status == 201 and body["security_group_rule"]["protocol"] == "ipv6-icmp"
    assert len(group_rules(a, sg["id"])) == len(before) + 8


def test_group_errors(cloud, two):
    a, _ = two
    sg = new_group(a, "named")
    for name in ("default", "Default"):
        status, _, body = a.req("POST", SG, body={"security_group": {"name": name}})
        assert neutron_error(body, status, 409) == "Default security group already exists."
        status, _, body = a.req("PUT", SG + "/" + sg["id"],
                                body={"security_group": {"name": name}})
        assert neutron_error(body, status, 409) == "Default security group already exists."
    default = [g for g in groups(a) if g["name"] == "default"][0]
    status, _, body = a.req("PUT", SG + "/" + default["id"],
                            body={"security_group": {"name": "renamed"}})
    assert neutron_error(body, status, 409) == "Updating default security group not allowed."
    # its description may change
    status, _, body = a.req("PUT", SG + "/" + default["id"],
                            body={"security_group": {"description": "mine"}})
    assert status == 200 and body["security_group"]["description"] == "mine"
    status, _, body = a.req("DELETE", SG + "/" + default["id"])
    assert neutron_error(body, status, 409) == \
        "Insufficient rights for removing default security group."
    status, _, body = a.req("PUT", SG + "/" + sg["id"],
                            body={"security_group": {"id": "x"}})
    neutron_error(body, status, 400)
    status, _, body = a.req("PUT", SG + "/" + sg["id"],
                            body={"security_group": {"stateful": "maybe"}})
    neutron_error(body, status, 400)
    missing = str(uuid.uuid4())
    for method in ("GET", "DELETE"):
        status, _, body = a.req(method, SG + "/" + missing)
        assert neutron_error(body, status, 404) == \
            "Security group %s does not exist" % missing
    status, _, body = a.req("DELETE", RULES + "/" + missing)
    assert neutron_error(body, status, 404) == \
        "Security group rule %s does not exist" % missing
    assert [g["name"] for g in groups(a, "?id=" + sg["id"])] == ["named"]
    assert [g["name"] for g in groups(a, "?id=" + default["id"])] == ["default"]


def test_ownership(cloud, two):
    a, b = two
    sg = new_group(a, "private")
    rule_id = group_rules(a, sg["id"])[0]["id"]
    assert sg["id"] not in [g["id"] for g in groups(b)]
    assert rule_id not in [r["id"] for r in b.req("GET", RULES)[2]["security_group_rules"]]
    for method, path, body in (("GET", SG + "/" + sg["id"], None),
                               ("PUT", SG + "/" + sg["id"],
                                {"security_group": {"name": "mine"}}),
                               ("DELETE", SG + "/" + sg["id"], None),
                               ("GET", RULES + "/" + rule_id, None),
                               ("DELETE", RULES + "/" + rule_id, None)):
        status, _, got = b.req(method, path, body=body)
        neutron_error(got, status, 404)
    # b may not add a rule to a's group, nor name it as a remote group
    status, _, got = post_rule(b, security_group_id=sg["id"], direction="ingress")
    neutron_error(got, status, 404)
    mine = new_group(b, "b-own")
    status, _, got = post_rule(b, security_group_id=mine["id"], direction="ingress",
                               remote_group_id=sg["id"])
    neutron_error(got, status, 404)
    # nor claim another project
    status, _, got = a.req("POST", SG, body={"security_group": {"name": "x",
                                                                "project_id": b.id}})
    neutron_error(got, status, 403)
    assert len(group_rules(a, sg["id"])) == 2

    # the admin sees all, may add rules to a's group (they stay a's) and may remove a's
    # default group; a's next list makes a new one
    admin = cloud.token()[0]
    status, _, got = cloud.request("POST", RULES, admin, body={"security_group_rule": {
        "security_group_id": sg["id"], "direction": "ingress", "protocol": "tcp"}})
    assert status == 201 and got["security_group_rule"]["project_id"] == a.id
    default = [g["id"] for g in groups(a) if g["name"] == "default"][0]
    status, _, got = cloud.request("DELETE", SG + "/" + default, admin)
    assert status == 204, got
    again = [g["id"] for g in groups(a) if g["name"] == "default"]
    assert len(again) == 1 and again[0] != default
    assert len(group_rules(a, again[0])) == 4


def test_quota(cloud):
    p = Project(cloud, "sg-quota")
    admin = cloud.token()[0]
    groups(p)  # the default group, not counted against what follows
    status, _, body = cloud.request("PUT", "/network/v2.0/quotas/" + p.id, admin, body={
        "quota": {"security_group": 2, "security_group_rule": 7}})
    assert status == 200, body
    sg = new_group(p, "q1")  # 2 groups, 6 rules
    status, _, body = p.req("POST", SG, body={"security_group": {"name": "q2"}})
    assert "Quota exceeded for resources: ['security_group']" in \
        neutron_error(body, status, 409)
    status, _, body = post_rule(p, security_group_id=sg["id"], direction="ingress")
    assert status == 201, body
    status, _, body = post_rule(p, security_group_id=sg["id"], direction="ingress",
                                protocol="tcp")
    assert "Quota exceeded for resources: ['security_group_rule']" in \
        neutron_error(body, status, 409)
    assert len(groups(p)) == 2
    # a new group needs room for its two egress rules too
    status, _, body = cloud.request("PUT", "/network/v2.0/quotas/" + p.id, admin, body={
        "quota": {"security_group": 3, "security_group_rule": 8}})
    assert status == 200, body
    status, _, body = p.req("POST", SG, body={"security_group": {"name": "q3"}})
    assert "Quota exceeded for resources: ['security_group_rule']" in \
        neutron_error(body, status, 409)
    assert len(groups(p)) == 2


def test_group_in_use_by_a_port(cloud, two):
    a, _ = two
    sg = new_group(a, "used")
    net = a.cli("network", "create", "sg-net", "-f", "json")
    port = a.cli("port", "create", "--network", net["id"], "--security-group", sg["id"],
                 "sg-port", "-f", "json")
    assert port["security_group_ids"] == [sg["id"]]
    status, _, body = a.req("DELETE", SG + "/" + sg["id"])
    assert neutron_error(body, status, 409) == "Security Group %s in use." % sg["id"]
    status, _, body = a.req("PUT", SG + "/" + sg["id"],
                            body={"security_group": {"stateful": False}})
    assert neutron_error(body, status, 409) == "Security Group %s in use." % sg["id"]
    # a port without groups gets the project's default group
    plain = a.cli("port", "create", "--network", net["id"], "plain", "-f", "json")
    default = [g["id"] for g in groups(a) if g["name"] == "default"]
    assert plain["security_group_ids"] == default
    a.cli("port", "delete", port["id"], plain["id"])
    status, _, body = a.req("DELETE", SG + "/" + sg["id"])
    assert status == 204, body
    a.cli("network", "delete", net["id"])


def test_bulk_rules(cloud, two):
    a, _ = two
    sg = new_group(a, "bulk")
    one = {"security_group_id": sg["id"], "direction": "ingress", "protocol": "tcp",
           "port_range_min": 80, "port_range_max": 80}
    status, _, body = a.req("POST", RULES, body={"security_group_rules": [one, one]})
    assert neutron_error(body, status, 409) == "Duplicate Security Group Rule in POST."
    assert len(group_rules(a, sg["id"])) == 2
    two_rules = [one, dict(one, port_range_min=443, port_range_max=443)]
    status, _, body = a.req("POST", RULES, body={"security_group_rules": two_rules})
    assert status == 201, body
    assert sorted(r["port_range_min"] for r in body["security_group_rules"]) == [80, 443]
    assert len(group_rules(a, sg["id"])) == 4
    # one bad item and none is made
    status, _, body = a.req("POST", RULES, body={"security_group_rules": [
        dict(one, port_range_min=8080, port_range_max=8080), dict(one, protocol="nope")]})
    neutron_error(body, status, 400)
    assert len(group_rules(a, sg["id"])) == 4
    # one group per bulk create
    other = new_group(a, "bulk-2")
    status, _, body = a.req("POST", RULES, body={"security_group_rules": [
        dict(one, port_range_min=8080, port_range_max=8080),
        dict(one, security_group_id=other["id"])]})
    assert neutron_error(body, status, 400) == \
        "Only allowed to update rules for one security profile at a time"
    assert len(group_rules(a, sg["id"])) == 4 and len(group_rules(a, other["id"])) == 2


def test_admin_list_of_a_project_makes_its_default(cloud):
    p = Project(cloud, "sg-listed")
    admin = cloud.token()[0]
    status, _, body = cloud.request("GET", SG + "?project_id=%s&name=default" % p.id, admin)
    assert status == 200 and len(body["security_groups"]) == 1, body
    made = body["security_groups"][0]
    assert made["project_id"] == p.id and len(made["security_group_rules"]) == 4
    assert [g["id"] for g in groups(p) if g["name"] == "default"] == [made["id"]]
    # another project's filter from a non-admin makes nothing
    q = Project(cloud, "sg-nosy")
    other = Project(cloud, "sg-other")
    status, _, body = q.req("GET", SG + "?project_id=" + other.id)
    assert status == 200 and body["security_groups"] == []
    status, _, body = q.req("GET", RULES + "?project_id=" + other.id)
    assert status == 200 and body["security_group_rules"] == []
    status, _, body = cloud.request("GET", RULES, admin)
    assert status == 200
    assert [r for r in body["security_group_rules"] if r["project_id"] == other.id] == []
    assert len([r for r in body["security_group_rules"] if r["project_id"] == q.id]) == 4
    # the rules list makes the default group too, as Neutron's
    status, _, body = cloud.request("GET", RULES + "?project_id=" + other.id, admin)
    assert status == 200 and len(body["security_group_rules"]) == 4
    assert all(r["belongs_to_default_sg"] is True for r in body["security_group_rules"])


def test_group_tags(cloud, two):
    a, _ = two
    sg = new_group(a, "tagged")
    status, _, body = a.req("PUT", SG + "/" + sg["id"] + "/tags/red")
    assert status == 201, body
    assert groups(a, "?tags=red") and [g["id"] for g in groups(a, "?tags=red")] == [sg["id"]]
