"""Application-credential access rules are enforced on every service (issue 9, finding 6):
a token from a credential with rules reaches only what a rule names (service type, method,
path template), as keystonemiddleware enforces them; anything else is 401 and changes
nothing. The CLI and openstacksdk use such a credential for what it allows."""

import pytest

from conftest import Project

V3 = "/identity/v3"


def ruled_token(cloud, p, rules):
    """A token of an application credential of p's user with 'rules'; the credential."""
    body, tok, ac = p.appcred_token(access_rules=rules)
    assert body["application_credential"]["access_rules"][0]["path"] == rules[0]["path"]
    return tok, ac


@pytest.fixture(scope="module")
def proj(cloud):
    p = Project(cloud, "ruled")
    st, _, net = p.req("POST", "/network/v2.0/networks", body={"network": {"name": "n1"}})
    assert st == 201, net
    p.net = net["network"]
    return p


def test_only_the_named_route_is_reachable(cloud, proj):
    tok, _ = ruled_token(cloud, proj, [
        {"service": "network", "method": "GET", "path": "/v2.0/networks"}])
    st, _, body = cloud.request("GET", "/network/v2.0/networks", tok)
    assert st == 200 and proj.net["id"] in [n["id"] for n in body["networks"]]
    net = proj.net["id"]
    refused = [
        ("GET", f"/network/v2.0/networks/{net}", None),        # one segment more
        ("PUT", f"/network/v2.0/networks/{net}", {"network": {"name": "renamed"}}),
        ("POST", "/network/v2.0/networks", {"network": {"name": "sneaky"}}),
        ("GET", "/network/v2.0/ports", None),
        ("GET", "/image/v2/images", None),                     # another service
        ("GET", V3 + "/projects", None),                       # identity itself
    ]
    for method, path, body in refused:
        st, _, reply = cloud.request(method, path, tok, body=body)
        assert st == 401, (method, path, st, reply)
    # nothing changed
    st, _, body = proj.req("GET", f"/network/v2.0/networks/{net}")
    assert body["network"]["name"] == "n1"
    st, _, body = proj.req("GET", "/network/v2.0/networks?name=sneaky")
    assert body["networks"] == []


def test_templates_and_wildcards(cloud, proj):
    net = proj.net["id"]
    tok, _ = ruled_token(cloud, proj, [
        {"service": "network", "method": "GET", "path": "/v2.0/networks/{network_id}"},
        {"service": "image", "method": "GET", "path": "/v2/**"}])
    assert cloud.request("GET", f"/network/v2.0/networks/{net}", tok)[0] == 200
    assert cloud.request("GET", "/network/v2.0/networks", tok)[0] == 401
    assert cloud.request("DELETE", f"/network/v2.0/networks/{net}", tok)[0] == 401
    assert cloud.request("GET", "/image/v2/images", tok)[0] == 200
    assert cloud.request("GET", "/image/v2/schemas/image", tok)[0] == 200
    assert cloud.request("POST", "/image/v2/images", tok, body={"name": "x"})[0] == 401
    st, _, body = proj.req("GET", f"/network/v2.0/networks/{net}")
    assert st == 200


def test_rules_hold_for_a_cached_token(cloud, proj):
    """The same token used twice: the second use (validation cache) is checked too."""
    tok, _ = ruled_token(cloud, proj, [
        {"service": "network", "method": "GET", "path": "/v2.0/networks"}])
    for _ in range(3):
        assert cloud.request("GET", "/network/v2.0/networks", tok)[0] == 200
        assert cloud.request("GET", "/network/v2.0/subnets", tok)[0] == 401


def test_cli_with_a_ruled_credential(cloud, proj):
    _, ac = ruled_token(cloud, proj, [
        {"service": "network", "method": "GET", "path": "/v2.0/networks"}])
    env = {"OS_AUTH_URL": cloud.auth_url, "OS_AUTH_TYPE": "v3applicationcredential",
           "OS_APPLICATION_CREDENTIAL_ID": ac["id"],
           "OS_APPLICATION_CREDENTIAL_SECRET": ac["secret"],
           "OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": "RegionOne"}
    nets = cloud.cli("network", "list", "-f", "json", cloud=None, env=env)
    assert proj.net["id"] in [n["ID"] for n in nets]
    p = cloud.cli("subnet", "list", cloud=None, env=env, check=False)
    assert p.returncode != 0
