"""Subnet pools through the real openstack CLI and raw requests: create/show/list/update/
delete, the version from the prefixes, prefix length defaults and bounds, subnets cut
from a pool (prefixlen, default pool), sharing and the admin-only attributes, Neutron's
error bodies with nothing changed."""
import pytest
from conftest import Project

POOL = "/network/v2.0/subnetpools"
SUB = "/network/v2.0/subnets"
NET = "/network/v2.0/networks"


@pytest.fixture(scope="module")
def two(cloud):
    return Project(cloud, "pool-a"), Project(cloud, "pool-b")


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


def new_pool(p, **attrs):
    status, _, body = p.req("POST", POOL, body={"subnetpool": attrs})
    assert status == 201, body
    return body["subnetpool"]


def pool_names(p):
    status, _, body = p.req("GET", POOL)
    assert status == 200, body
    return sorted(x["name"] for x in body["subnetpools"])


def test_cli_lifecycle(cloud, two):
    a, _ = two
    pool = a.cli("subnet", "pool", "create", "--pool-prefix", "10.100.0.0/16",
                 "--pool-prefix", "10.101.0.0/16", "--default-prefix-length", "24",
                 "cli-pool", "-f", "json")
    assert pool["ip_version"] == 4 and pool["default_prefixlen"] == 24
    assert pool["min_prefixlen"] == 8 and pool["max_prefixlen"] == 32
    assert sorted(pool["prefixes"]) == ["10.100.0.0/16", "10.101.0.0/16"]
    assert pool["shared"] is False and pool["is_default"] is False
    assert pool["project_id"] == a.id
    shown = a.cli("subnet", "pool", "show", pool["id"], "-f", "json")
    assert shown["name"] == "cli-pool"
    a.cli("subnet", "pool", "set", "--name", "renamed", "--pool-prefix", "10.102.0.0/16",
          pool["id"])
    after = a.cli("subnet", "pool", "show", pool["id"], "-f", "json")
    assert after["name"] == "renamed" and "10.102.0.0/16" in after["prefixes"]
    assert after["revision_number"] == pool["revision_number"] + 1
    names = [p["Name"] for p in a.cli("subnet", "pool", "list", "-f", "json")]
    assert "renamed" in names
    a.cli("subnet", "pool", "delete", pool["id"])
    p = a.cli("subnet", "pool", "show", pool["id"], check=False)
    assert p.returncode != 0


def test_subnets_from_pool(cloud, two):
    a, _ = two
    pool = new_pool(a, name="cut", prefixes=["10.110.0.0/23"], default_prefixlen=25,
                    min_prefixlen=24, max_prefixlen=28)
    status, _, body = a.req("POST", NET, body={"network": {"name": "pooled"}})
    net = body["network"]
    cut = []
    for plen in (None, 24, 28):
        sub = {"network_id": net["id"], "ip_version": 4, "subnetpool_id": pool["id"]}
        if plen:
            sub["prefixlen"] = plen
        status, _, body = a.req("POST", SUB, body={"subnet": sub})
        assert status == 201, body
        assert body["subnet"]["subnetpool_id"] == pool["id"]
        cut.append(body["subnet"]["cidr"])
    assert cut == ["10.110.0.0/25", "10.110.1.0/24", "10.110.0.128/28"]
    # bounds and room
    for plen, words in [(29, "maximum allowed prefix is 28"),
                        (23, "minimum allowed prefix is 24"),
                        (24, "Insufficient prefix space")]:
        status, _, body = a.req("POST", SUB, body={"subnet": {
            "network_id": net["id"], "ip_version": 4, "subnetpool_id": pool["id"],
            "prefixlen": plen}})
        assert words in neutron_error(body, status, 400 if plen != 24 else 409), plen
    # a given cidr must be inside the pool
    status, _, body = a.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "ip_version": 4, "subnetpool_id": pool["id"],
        "cidr": "10.120.0.0/24"}})
    neutron_error(body, status, 400)
    # version mismatch
    status, _, body = a.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "ip_version": 6, "subnetpool_id": pool["id"]}})
    assert "Cannot allocate IPv6 subnet from IPv4 subnet pool" in \
        neutron_error(body, status, 400)
    status, _, body = a.req("GET", SUB + "?subnetpool_id=" + pool["id"])
    assert len(body["subnets"]) == 3
    # in use: no delete
    status, _, body = a.req("DELETE", f"{POOL}/{pool['id']}")
    neutron_error(body, status, 409)


def test_default_pool_and_admin_attributes(cloud, two):
    a, b = two
    tok = cloud.token()[0]
    # non-admins may not share or make default
    for attrs in ({"shared": True}, {"is_default": True}):
        status, _, body = a.req("POST", POOL, body={"subnetpool": dict(
            name="x", prefixes=["10.130.0.0/16"], **attrs)})
        neutron_error(body, status, 403)
    assert "x" not in pool_names(a)
    status, _, body = cloud.request("POST", POOL, tok, body={"subnetpool": {
        "name": "default-v6", "prefixes": ["2001:db8:aa::/48"], "is_default": True,
        "shared": True}})
    assert status == 201, body
    pool = body["subnetpool"]
    assert pool["ip_version"] == 6 and pool["min_prefixlen"] == 64
    assert pool["max_prefixlen"] == 128 and pool["default_prefixlen"] == 64
    status, _, body = cloud.request("POST", POOL, tok, body={"subnetpool": {
        "name": "second-default", "prefixes": ["2001:db8:bb::/48"], "is_default": True}})
    assert "Only one default" in neutron_error(body, status, 400)
    # b sees the shared pool, may use it, may not change it
    assert "default-v6" in pool_names(b)
    status, _, body = b.req("PUT", f"{POOL}/{pool['id']}", body={"subnetpool": {"name": "y"}})
    neutron_error(body, status, 403)
    status, _, body = b.req("POST", NET, body={"network": {"name": "dflt"}})
    net = body["network"]
    status, _, body = b.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "ip_version": 6, "use_default_subnetpool": True}})
    assert status == 201, body
    assert body["subnet"]["cidr"] == "2001:db8:aa::/64"
    assert body["subnet"]["subnetpool_id"] == pool["id"]
    status, _, body = b.req("POST", SUB, body={"subnet": {
        "network_id": net["id"], "ip_version": 4, "use_default_subnetpool": True}})
    assert "No default subnetpool found for IPv4" in neutron_error(body, status, 400)


@pytest.mark.parametrize("attrs,words", [
    ({}, "Required attribute 'prefixes'"),
    ({"prefixes": []}, "at least one prefix"),
    ({"prefixes": ["10.0.0.0/33"]}, "not a valid IP subnet"),
    ({"prefixes": ["10.0.0.0/16", "2001:db8::/48"]}, "Cannot mix IPv4 and IPv6"),
    ({"prefixes": ["10.0.0.0/16"], "min_prefixlen": 24, "default_prefixlen": 16},
     "Illegal prefix bounds"),
    ({"prefixes": ["10.0.0.0/16"], "max_prefixlen": 33}, "Illegal prefix bounds"),
    ({"prefixes": ["10.0.0.0/16"], "default_prefixlen": "x"}, "is not an integer"),
])
def test_bad_pools_change_nothing(cloud, two, attrs, words):
    a, _ = two
    before = pool_names(a)
    status, _, body = a.req("POST", POOL, body={"subnetpool": dict(name="bad", **attrs)})
    assert words in neutron_error(body, status, 400)
    assert pool_names(a) == before


def test_update_may_only_grow(cloud, two):
    a, b = two
    pool = new_pool(a, name="grow", prefixes=["10.140.0.0/16"])
    status, _, body = a.req("PUT", f"{POOL}/{pool['id']}", body={"subnetpool": {
        "prefixes": ["10.141.0.0/16"]}})
    assert "Existing prefixes must be a subset" in neutron_error(body, status, 400)
    status, _, body = a.req("PUT", f"{POOL}/{pool['id']}", body={"subnetpool": {
        "prefixes": ["10.140.0.0/15"]}})
    assert status == 200 and body["subnetpool"]["prefixes"] == ["10.140.0.0/15"], body
    status, _, body = a.req("PUT", f"{POOL}/{pool['id']}", body={"subnetpool": {
        "ip_version": 6}})
    neutron_error(body, status, 400)
    # b cannot see a's private pool
    status, _, body = b.req("GET", f"{POOL}/{pool['id']}")
    assert neutron_error(body, status, 404) == f"Subnet pool {pool['id']} could not be found."
    status, _, body = a.req("DELETE", f"{POOL}/{pool['id']}")
    assert status == 204
