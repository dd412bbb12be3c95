"""Networks through the real openstack CLI, openstacksdk and raw requests: create with
the provider, external and MTU attributes, sharing and ownership between projects, the
list protocol (filters, fields, sorting, paging links), tags, and Neutron's error bodies
for bad input (nothing changed)."""
import urllib.parse

import pytest
from conftest import Project

NET = "/network/v2.0/networks"


@pytest.fixture(scope="module")
def two(cloud):
    """(a, b): two projects that are not admin."""
    return Project(cloud, "net-a"), Project(cloud, "net-b")


def admin_tok(cloud):
    return cloud.token()[0]


def net_ids(p, query=""):
    status, _, body = p.req("GET", NET + query)
    assert status == 200, body
    return [n["id"] for n in body["networks"]]


def neutron_error(body, status, want_status):
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


def test_create_show_update_delete_with_cli(cloud, two):
    a, _ = two
    net = a.cli("network", "create", "--description", "first", "cli-net", "-f", "json")
    assert net["name"] == "cli-net" and net["description"] == "first"
    assert net["status"] == "ACTIVE" and net["admin_state_up"] is True
    assert net["mtu"] == 1450 and net["shared"] is False and net["router:external"] is False
    assert net["project_id"] == a.id and net["revision_number"] == 0
    # provider attributes are the admin's to see
    assert net.get("provider:network_type") is None
    shown = cloud.cli("network", "show", net["id"], "-f", "json")
    assert shown["provider:network_type"] == "vxlan"
    assert 1 <= shown["provider:segmentation_id"] <= 16777215

    a.cli("network", "set", "--name", "renamed", "--disable", "--mtu", "1400", net["id"])
    after = a.cli("network", "show", net["id"], "-f", "json")
    assert after["name"] == "renamed" and after["admin_state_up"] is False
    assert after["mtu"] == 1400 and after["revision_number"] == 1
    assert after["updated_at"] >= net["updated_at"]

    a.cli("network", "delete", net["id"])
    p = a.cli("network", "show", net["id"], check=False)
    assert p.returncode != 0 and "No Network found" in p.stderr


def test_tenant_networks_get_distinct_vnis(cloud, two):
    a, b = two
    n1 = a.cli("network", "create", "v1", "-f", "json")["id"]
    n2 = b.cli("network", "create", "v2", "-f", "json")["id"]
    s1 = cloud.cli("network", "show", n1, "-f", "json")["provider:segmentation_id"]
    s2 = cloud.cli("network", "show", n2, "-f", "json")["provider:segmentation_id"]
    assert s1 != s2
    a.cli("network", "delete", n1)
    b.cli("network", "delete", n2)


def test_admin_provider_networks(cloud):
    tok = admin_tok(cloud)
    flat = cloud.cli("network", "create", "--provider-network-type", "flat",
                     "--provider-physical-network", "physnet-t", "--external", "ext-flat",
                     "-f", "json")
    assert flat["provider:network_type"] == "flat"
    assert flat["provider:physical_network"] == "physnet-t"
    assert flat["provider:segmentation_id"] is None and flat["router:external"] is True
    assert flat["mtu"] == 1500
    vlan = cloud.cli("network", "create", "--provider-network-type", "vlan",
                     "--provider-physical-network", "physnet-t", "--provider-segment", "42",
                     "vlan-42", "-f", "json")
    assert vlan["provider:segmentation_id"] == 42
    # the same segment twice is a conflict and makes nothing
    before = len(cloud.cli("network", "list", "-f", "json"))
    status, _, body = cloud.request("POST", NET, tok, body={"network": {
        "name": "dup", "provider:network_type": "vlan",
        "provider:physical_network": "physnet-t", "provider:segmentation_id": 42}})
    assert "in use" in neutron_error(body, status, 409)
    assert len(cloud.cli("network", "list", "-f", "json")) == before
    # bad segments
    for bad, word in (({"provider:network_type": "vlan",
                        "provider:physical_network": "p", "provider:segmentation_id": 4095},
                       "out of range"),
                      ({"provider:network_type": "flat"}, "physical_network required"),
                      ({"provider:network_type": "gre"}, "not supported"),
                      ({"provider:network_type": "vxlan",
                        "provider:segmentation_id": 0}, "out of range")):
        status, _, body = cloud.request("POST", NET, tok, body={"network": bad})
        assert word in neutron_error(body, status, 400), bad
    for n in (flat, vlan):
        cloud.cli("network", "delete", n["id"])


def test_sharing_and_ownership(cloud, two):
    a, b = two
    private = a.cli("network", "create", "a-private", "-f", "json")["id"]
    shared = cloud.cli("network", "create", "--share", "shared-net", "-f", "json")["id"]
    assert private in net_ids(a) and private not in net_ids(b)
    assert shared in net_ids(a) and shared in net_ids(b)
    # another project's private network is not there for b
    status, _, body = b.req("GET", f"{NET}/{private}")
    assert "could not be found" in neutron_error(body, status, 404)
    status, _, body = b.req("PUT", f"{NET}/{private}", body={"network": {"name": "x"}})
    neutron_error(body, status, 404)
    status, _, body = b.req("DELETE", f"{NET}/{private}")
    neutron_error(body, status, 404)
    # a shared network is visible but not b's to change or delete
    status, _, body = b.req("PUT", f"{NET}/{shared}", body={"network": {"name": "x"}})
    neutron_error(body, status, 403)
    status, _, body = b.req("DELETE", f"{NET}/{shared}")
    neutron_error(body, status, 403)
    assert a.req("GET", f"{NET}/{shared}")[2]["network"]["name"] == "shared-net"
    # sharing and external are the admin's: nothing is made
    n = len(net_ids(a))
    status, _, body = a.req("POST", NET, body={"network": {"name": "s", "shared": True}})
    assert "disallowed by policy" in neutron_error(body, status, 403)
    status, _, body = a.req("POST", NET, body={"network": {"name": "e",
                                                           "router:external": True}})
    neutron_error(body, status, 403)
    status, _, body = a.req("POST", NET, body={"network": {"name": "o",
                                                           "project_id": b.id}})
    neutron_error(body, status, 403)
    assert len(net_ids(a)) == n
    # the admin sees all and may create for another project
    assert private in net_ids_admin(cloud)
    status, _, body = cloud.request("POST", NET, admin_tok(cloud),
                                    body={"network": {"name": "for-b", "tenant_id": b.id}})
    assert status == 201 and body["network"]["project_id"] == b.id
    assert body["network"]["id"] in net_ids(b)
    cloud.request("DELETE", f"{NET}/{body['network']['id']}", admin_tok(cloud))
    a.cli("network", "delete", private)
    cloud.cli("network", "delete", shared)


def net_ids_admin(cloud):
    return [n["ID"] for n in cloud.cli("network", "list", "-f", "json")]


def test_list_filters_fields_sort_and_pages(cloud, two):
    a, _ = two
    made = [a.cli("network", "create", f"page-{i}", "-f", "json")["id"] for i in range(5)]
    a.cli("network", "set", "--disable", made[0])
    assert net_ids(a, "?name=page-3") == [made[3]]
    assert sorted(net_ids(a, "?name=page-1&name=page-2")) == sorted(made[1:3])
    assert net_ids(a, "?admin_state_up=false") == [made[0]]
    status, _, body = a.req("GET", NET + "?admin_state_up=maybe")
    assert "boolean" in neutron_error(body, status, 400)
    # fields
    status, _, body = a.req("GET", NET + "?name=page-4&fields=id&fields=name")
    assert body["networks"] == [{"id": made[4], "name": "page-4"}]
    status, _, body = a.req("GET", f"{NET}/{made[4]}?fields=mtu")
    assert body == {"network": {"mtu": 1450}}
    # sorting both ways
    names = lambda q: [n["name"] for n in a.req("GET", NET + q)[2]["networks"]]
    up = names("?sort_key=name&sort_dir=asc")
    assert up == sorted(up) and names("?sort_key=name&sort_dir=desc") == up[::-1]
    status, _, body = a.req("GET", NET + "?sort_key=subnets")
    neutron_error(body, status, 400)
    # pages of 2 following the next links reach every network exactly once
    seen, url = [], NET + "?sort_key=name&sort_dir=asc&limit=2"
    while url:
        status, _, body = a.req("GET", url)
        assert status == 200 and len(body["networks"]) <= 2, body
        seen += [n["name"] for n in body["networks"]]
        nxt = [l["href"] for l in body["networks_links"] if l["rel"] == "next"]
        url = None
        if nxt:
            u = urllib.parse.urlsplit(nxt[0])
            url = u.path + "?" + u.query
    assert seen == up
    # the SDK pages too
    sdk = a_sdk(cloud, a)
    assert sorted(n.id for n in sdk.network.networks(name="page-2")) == [made[2]]
    for n in made:
        a.cli("network", "delete", n)


def a_sdk(cloud, p):
    return cloud.sdk(username=p.user, password=p.password, project_name=p.name,
                     user_domain_name="Default", project_domain_name="Default")


def test_tags(cloud, two):
    a, b = two
    n = a.cli("network", "create", "--tag", "red", "--tag", "blue", "tagged",
              "-f", "json")
    assert sorted(n["tags"]) == ["blue", "red"]
    other = a.cli("network", "create", "untagged", "-f", "json")
    assert net_ids(a, "?tags=red") == [n["id"]]
    assert net_ids(a, "?tags=red,blue") == [n["id"]]
    assert net_ids(a, "?tags=red,green") == []
    assert net_ids(a, "?tags-any=green,blue") == [n["id"]]
    assert n["id"] not in net_ids(a, "?not-tags=red")
    assert other["id"] in net_ids(a, "?not-tags-any=red")
    base = f"{NET}/{n['id']}/tags"
    assert a.req("PUT", base + "/green")[0] == 201
    assert a.req("GET", base + "/green")[0] == 204
    assert a.req("GET", base + "/nope")[0] == 404
    assert sorted(a.req("GET", base)[2]["tags"]) == ["blue", "green", "red"]
    status, _, body = a.req("PUT", base, body={"tags": ["one"]})
    assert status == 200 and body["tags"] == ["one"]
    assert a.req("DELETE", base + "/one")[0] == 204
    assert a.req("DELETE", base + "/one")[0] == 404
    status, _, body = a.req("PUT", base, body={"tags": ["a,b"]})
    neutron_error(body, status, 400)
    # b cannot see a's network, hence nor its tags
    assert b.req("PUT", base + "/x")[0] == 404
    sdk = a_sdk(cloud, a)
    net = sdk.network.get_network(n["id"])
    sdk.network.set_tags(net, ["sdk-1", "sdk-2"])
    assert sorted(sdk.network.get_network(n["id"]).tags) == ["sdk-1", "sdk-2"]
    a.cli("network", "unset", "--all-tag", n["id"])
    assert a.cli("network", "show", n["id"], "-f", "json")["tags"] == []
    a.cli("network", "delete", n["id"], other["id"])


def test_bad_input_changes_nothing(cloud, two):
    a, _ = two
    before = net_ids(a)
    cases = [
        ({"network": {"name": "x", "bogus": 1}}, "Unrecognized attribute"),
        ({"network": {"name": 5}}, "not a valid string"),
        ({"network": {"name": "x" * 256}}, "exceeds maximum length"),
        ({"network": {"admin_state_up": "perhaps"}}, "boolean"),
        ({"network": {"mtu": 10}}, "not in range"),
        ({"network": {"id": "abc"}}, "not allowed in POST"),
        ({"network": {"status": "DOWN"}}, "not allowed in POST"),
        ({"network": "string"}, "dictionary"),
        ({"net": {}}, "Unable to find 'network'"),
    ]
    for body, word in cases:
        status, _, resp = a.req("POST", NET, body=body)
        assert word in neutron_error(resp, status, 400), (body, resp)
    status, _, resp = a.req("POST", NET, raw=b"{not json")
    assert "Malformed" in neutron_error(resp, status, 400)
    assert net_ids(a) == before
    n = a.cli("network", "create", "stay", "-f", "json")
    status, _, resp = a.req("PUT", f"{NET}/{n['id']}", body={"network": {"status": "DOWN"}})
    assert "read-only" in neutron_error(resp, status, 400)
    status, _, resp = a.req("PUT", f"{NET}/{n['id']}",
                            body={"network": {"provider:network_type": "flat"}})
    assert status in (400, 403), resp
    assert a.cli("network", "show", n["id"], "-f", "json")["revision_number"] == 0
    status, _, resp = a.req("GET", f"{NET}/no-such-id")
    assert "could not be found" in neutron_error(resp, status, 404)
    status, _, resp = cloud.request("GET", NET)
    assert status == 401
    a.cli("network", "delete", n["id"])


def test_bulk_create_is_all_or_nothing(cloud, two):
    a, _ = two
    status, _, body = a.req("POST", NET, body={"networks": [{"name": "bulk-1"},
                                                            {"name": "bulk-2"}]})
    assert status == 201 and [n["name"] for n in body["networks"]] == ["bulk-1", "bulk-2"]
    before = net_ids(a)
    status, _, resp = a.req("POST", NET, body={"networks": [{"name": "bulk-3"},
                                                            {"name": 7}]})
    neutron_error(resp, status, 400)
    assert net_ids(a) == before
    for n in body["networks"]:
        a.cli("network", "delete", n["id"])


def test_versions(cloud):
    status, _, body = cloud.request("GET", "/network/")
    assert status == 200 and body["versions"][0]["id"] == "v2.0"
    status, _, body = cloud.request("GET", "/network/v2.0")
    assert status == 200
    assert "networks" in [r["collection"] for r in body["resources"]]
    # the catalog points clients at the service
    cat = cloud.cli("catalog", "show", "network", "-f", "json")
    assert "/network" in str(cat["endpoints"])
