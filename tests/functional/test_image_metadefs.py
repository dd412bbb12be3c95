"""The image service's metadata definitions catalog (Glance's metadefs): namespaces,
resource types and their associations, objects, properties, tags, the schemas, and the
refusals. Debian's openstackclient and openstacksdk have no metadef commands, so every
call is a raw request, as Tempest makes them."""
import urllib.parse

import pytest
from conftest import Project

JSON = {"Accept": "application/json"}
NS = "/image/v2/metadefs/namespaces"


@pytest.fixture(scope="module")
def admin(cloud):
    tok = cloud.token()[0]

    def req(method, path, **kw):
        kw.setdefault("headers", JSON)
        return cloud.request(method, path, tok, **kw)
    return req


@pytest.fixture(scope="module")
def member(cloud):
    return Project(cloud, "md-member", headers=JSON)


def q(name):
    return urllib.parse.quote(name, safe="")


def new_ns(admin, name, **body):
    body = dict({"namespace": name, "visibility": "public"}, **body)
    status, hdrs, ns = admin("POST", NS, body=body)
    assert status == 201, ns
    assert hdrs["Location"].endswith(f"/v2/metadefs/namespaces/{name}")
    return ns


def test_schemas_are_glance_documents(cloud, admin):
    names = {"namespace": "namespace", "namespaces": "namespaces",
             "resource_type": "resource_type_association",
             "resource_types": "resource_type_associations", "object": "object",
             "objects": "objects", "property": "property", "properties": "properties",
             "tag": "tag", "tags": "tags"}
    for path, name in names.items():
        status, _, doc = admin("GET", f"/image/v2/schemas/metadefs/{path}")
        assert status == 200 and doc["name"] == name, (path, doc)
    status, _, ns = admin("GET", "/image/v2/schemas/metadefs/namespace")
    assert ns["required"] == ["namespace"] and ns["additionalProperties"] is False
    assert ns["properties"]["visibility"]["enum"] == ["public", "private"]
    assert "property" in ns["definitions"]
    status, _, nss = admin("GET", "/image/v2/schemas/metadefs/namespaces")
    assert nss["properties"]["namespaces"]["items"]["name"] == "namespace"
    assert "definitions" in nss and "definitions" not in nss["properties"]["namespaces"]["items"]
    status, _, props = admin("GET", "/image/v2/schemas/metadefs/properties")
    assert props["properties"]["properties"]["additionalProperties"]["required"] == \
        ["type", "title"]
    status, _, task = admin("GET", "/image/v2/schemas/task")
    assert status == 200 and task["name"] == "task" and "input" in task["properties"]
    status, _, tasks = admin("GET", "/image/v2/schemas/tasks")
    assert tasks["name"] == "tasks" and "input" not in tasks["properties"]["tasks"]["items"]["properties"]
    # a schema needs a token, as every Glance call
    assert cloud.request("GET", "/image/v2/schemas/metadefs/tag")[0] == 401


def test_resource_types_are_seeded(admin, member):
    status, _, body = member.req("GET", "/image/v2/metadefs/resource_types")
    assert status == 200
    names = [r["name"] for r in body["resource_types"]]
    for rt in ("OS::Glance::Image", "OS::Cinder::Volume", "OS::Nova::Flavor",
               "OS::Nova::Server"):
        assert rt in names
    assert all("created_at" in r and "updated_at" in r for r in body["resource_types"])


def test_namespace_lifecycle(admin, member):
    ns = new_ns(admin, "OS::Test::Life", display_name="Life", description="d",
                protected=True,
                resource_type_associations=[{"name": "OS::Glance::Image", "prefix": "hw_"}],
                # keys outside the property schema are dropped, as POST .../properties does
                properties={"cpu": {"title": "CPU", "type": "string", "enum": ["a", "b"],
                                    "bogus": 1}},
                objects=[{"name": "Limits", "required": ["q"],
                          "properties": {"q": {"title": "Q", "type": "integer"}}}],
                tags=[{"name": "t1"}, {"name": "t2"}])
    assert ns["self"] == "/v2/metadefs/namespaces/OS::Test::Life"
    assert ns["schema"] == "/v2/schemas/metadefs/namespace"
    assert isinstance(ns["owner"], str) and len(ns["owner"]) == 32  # the admin project
    status, _, got = admin("GET", NS + "/" + q("OS::Test::Life"))
    assert status == 200
    assert got["visibility"] == "public" and got["protected"] is True
    assert got["properties"]["cpu"] == {"title": "CPU", "type": "string", "enum": ["a", "b"]}
    status, _, prop = admin("GET", NS + "/" + q("OS::Test::Life") + "/properties/cpu")
    assert status == 200 and "bogus" not in prop and prop["title"] == "CPU"
    assert got["objects"][0]["name"] == "Limits"
    assert got["objects"][0]["self"].endswith("/objects/Limits")
    assert sorted(t["name"] for t in got["tags"]) == ["t1", "t2"]
    assert got["resource_type_associations"][0]["prefix"] == "hw_"
    # ?resource_type= shows the names with the association's prefix
    status, _, pre = admin("GET", NS + "/" + q("OS::Test::Life") +
                           "?resource_type=OS::Glance::Image")
    assert "hw_cpu" in pre["properties"] and pre["objects"][0]["required"] == ["hw_q"]
    # the list shows it with its associations
    status, _, lst = admin("GET", NS + "?limit=1000")
    item = [n for n in lst["namespaces"] if n["namespace"] == "OS::Test::Life"][0]
    assert item["resource_type_associations"][0]["name"] == "OS::Glance::Image"
    assert lst["schema"] == "/v2/schemas/metadefs/namespaces"
    # a duplicate is 409 and leaves the first alone
    status, _, body = admin("POST", NS, body={"namespace": "OS::Test::Life"})
    assert status == 409
    assert "The metadata definition namespace=OS::Test::Life already exists." in body["message"]
    # protected: no delete, nor of anything in it
    status, _, body = admin("DELETE", NS + "/" + q("OS::Test::Life"))
    assert status == 403 and "is protected and cannot be deleted" in body["message"]
    assert admin("DELETE", NS + "/" + q("OS::Test::Life") + "/tags")[0] == 403
    assert admin("DELETE", NS + "/" + q("OS::Test::Life") + "/objects/Limits")[0] == 403
    # update: rename, unprotect; children follow the new name
    status, _, up = admin("PUT", NS + "/" + q("OS::Test::Life"),
                          body={"namespace": "OS::Test::Life2", "visibility": "private",
                                "protected": False})
    assert status == 200, up
    assert up["namespace"] == "OS::Test::Life2" and up["visibility"] == "private"
    assert up["protected"] is False and "display_name" not in up
    assert admin("GET", NS + "/" + q("OS::Test::Life"))[0] == 404
    status, _, got = admin("GET", NS + "/" + q("OS::Test::Life2"))
    assert len(got["tags"]) == 2 and "cpu" in got["properties"]
    # private now: the member project does not see it
    assert member.req("GET", NS + "/" + q("OS::Test::Life2"))[0] == 404
    assert admin("DELETE", NS + "/" + q("OS::Test::Life2"))[0] == 204
    assert admin("GET", NS + "/" + q("OS::Test::Life2"))[0] == 404
    # its children went with it: a new namespace of that name starts empty
    new_ns(admin, "OS::Test::Life2")
    status, _, got = admin("GET", NS + "/" + q("OS::Test::Life2"))
    assert "tags" not in got and "properties" not in got and "objects" not in got
    assert admin("DELETE", NS + "/" + q("OS::Test::Life2"))[0] == 204


def test_namespace_bad_bodies_change_nothing(admin):
    cases = [
        ({}, "'namespace' is a required property"),
        ({"namespace": "x" * 81}, "is too long"),
        ({"namespace": "OS::Bad", "visibility": "shared"}, "allowed values"),
        ({"namespace": "OS::Bad", "protected": "yes"}, "is not of type 'boolean'"),
        ({"namespace": "OS::Bad", "color": "red"}, "Additional properties are not allowed"),
        ({"namespace": "OS::Bad", "properties": {"p": {"type": "string"}}},
         "'title' is a required property"),
        ({"namespace": "OS::Bad", "properties": {"p": {"title": "P", "type": "text"}}},
         "allowed values"),
    ]
    for body, words in cases:
        status, _, err = admin("POST", NS, body=body)
        assert status == 400 and words in err["message"], (body, err)
    status, _, err = admin("POST", NS, body={"namespace": "OS::Bad", "self": "x"})
    assert status == 403 and "Attribute 'self' is read-only." in err["message"]
    status, _, err = admin("POST", NS, raw=b"{not json")
    assert status == 400 and "Malformed JSON" in err["message"]
    status, _, err = admin("POST", NS, raw=b"")
    assert status == 400 and "Body expected in request." in err["message"]
    # a duplicate child rolls the whole create back
    status, _, err = admin("POST", NS, body={"namespace": "OS::Bad",
                                             "tags": [{"name": "a"}, {"name": "A"}]})
    assert status == 409 and "case insensitive" in err["message"]
    assert admin("GET", NS + "/OS::Bad")[0] == 404
    # list arguments
    assert admin("GET", NS + "?sort_dir=up")[2]["message"].startswith("Invalid sort direction")
    assert admin("GET", NS + "?visibility=shared")[0] == 400
    assert admin("GET", NS + "?limit=x")[0] == 400
    assert admin("GET", NS + "?limit=-1")[0] == 400


def test_visibility_and_policy(admin, member):
    new_ns(admin, "OS::Test::Pub")
    new_ns(admin, "OS::Test::Priv", visibility="private")
    own = member.id
    new_ns(admin, "OS::Test::Theirs", visibility="private", owner=own)
    status, _, lst = member.req("GET", NS + "?limit=1000")
    names = [n["namespace"] for n in lst["namespaces"]]
    assert "OS::Test::Pub" in names and "OS::Test::Theirs" in names
    assert "OS::Test::Priv" not in names
    status, _, err = member.req("GET", NS + "/OS::Test::Priv")
    assert status == 404
    assert member.req("GET", NS + "/OS::Test::Priv/objects")[0] == 404
    assert member.req("GET", NS + "/OS::Test::Theirs")[0] == 200
    # ?visibility= filters
    status, _, lst = admin("GET", NS + "?visibility=private&limit=1000")
    assert {n["visibility"] for n in lst["namespaces"]} == {"private"}
    # writes are the admin's: 403 on what the member sees, 404 on what it does not
    status, _, err = member.req("POST", NS, body={"namespace": "OS::Mine"})
    assert status == 403
    assert "You are not authorized to complete add_metadef_namespace action." in err["message"]
    assert member.req("PUT", NS + "/OS::Test::Pub", body={"namespace": "OS::Test::Pub"})[0] == 403
    assert member.req("DELETE", NS + "/OS::Test::Pub")[0] == 403
    assert member.req("POST", NS + "/OS::Test::Pub/objects", body={"name": "o"})[0] == 403
    assert member.req("POST", NS + "/OS::Test::Pub/tags/x")[0] == 403
    assert member.req("POST", NS + "/OS::Test::Pub/resource_types",
                      body={"name": "OS::Nova::Flavor"})[0] == 403
    assert member.req("DELETE", NS + "/OS::Test::Priv")[0] == 404
    assert admin("GET", NS + "/OS::Test::Pub")[0] == 200
    for n in ("OS::Test::Pub", "OS::Test::Priv", "OS::Test::Theirs"):
        assert admin("DELETE", NS + "/" + n)[0] == 204


def test_list_pages(admin):
    for i in range(3):
        new_ns(admin, f"OS::Page::{i}")
    status, _, page = admin("GET", NS + "?limit=2&sort_key=namespace&sort_dir=asc")
    assert status == 200 and len(page["namespaces"]) == 2
    seen = [n["namespace"] for n in page["namespaces"]]
    assert "next" in page and "marker=" in page["next"]
    while "next" in page:
        status, _, page = admin("GET", "/image" + page["next"])
        assert status == 200
        seen += [n["namespace"] for n in page["namespaces"]]
    assert seen == sorted(seen) and {f"OS::Page::{i}" for i in range(3)} <= set(seen)
    assert admin("GET", NS + "?marker=OS::Nope")[0] == 404
    # resource_types= picks the namespaces associated with one of them
    admin("POST", NS + "/OS::Page::1/resource_types", body={"name": "OS::Nova::Flavor"})
    status, _, lst = admin("GET", NS + "?resource_types=OS::Nova::Flavor,OS::X")
    assert [n["namespace"] for n in lst["namespaces"]] == ["OS::Page::1"]
    # the links carry the query percent-encoded: a value with '&' and ' ' survives them
    admin("POST", NS + "/OS::Page::2/resource_types", body={"name": "OS::Nova::Flavor"})
    status, _, page = admin("GET", NS + "?limit=1&sort_key=namespace&sort_dir=asc"
                            "&resource_types=OS::Nova::Flavor,x%26y%20z")
    assert status == 200
    assert "resource_types=OS%3A%3ANova%3A%3AFlavor%2Cx%26y%20z" in page["first"]
    assert "marker=OS%3A%3APage%3A%3A1" in page["next"]
    seen = [n["namespace"] for n in page["namespaces"]]
    status, _, page = admin("GET", "/image" + page["next"])
    assert status == 200
    seen += [n["namespace"] for n in page["namespaces"]]
    assert seen == ["OS::Page::1", "OS::Page::2"]
    for i in range(3):
        assert admin("DELETE", NS + f"/OS::Page::{i}")[0] == 204


def test_resource_type_associations(admin):
    new_ns(admin, "OS::Test::RT")
    url = NS + "/OS::Test::RT/resource_types"
    status, _, a = admin("POST", url, body={"name": "OS::Cinder::Volume", "prefix": "hw_",
                                            "properties_target": "image"})
    assert status == 201, a
    assert a["name"] == "OS::Cinder::Volume" and a["prefix"] == "hw_"
    assert a["properties_target"] == "image" and "created_at" in a
    status, _, err = admin("POST", url, body={"name": "OS::Cinder::Volume"})
    assert status == 409 and "already exists" in err["message"]
    # a new type appears in the list when first associated
    assert admin("POST", url, body={"name": "OS::Test::Thing"})[0] == 201
    names = [r["name"] for r in admin("GET", "/image/v2/metadefs/resource_types")[2]
             ["resource_types"]]
    assert "OS::Test::Thing" in names
    assert admin("POST", url, body={"prefix": "x"})[0] == 400
    status, _, lst = admin("GET", url)
    assert {r["name"] for r in lst["resource_type_associations"]} == \
        {"OS::Cinder::Volume", "OS::Test::Thing"}
    assert admin("DELETE", url + "/OS::Cinder::Volume")[0] == 204
    status, _, err = admin("DELETE", url + "/OS::Cinder::Volume")
    assert status == 404 and "was not found" in err["message"]
    assert admin("DELETE", url + "/OS::Never::Seen")[0] == 404
    assert admin("GET", NS + "/OS::Nope/resource_types")[0] == 404
    assert admin("DELETE", NS + "/OS::Test::RT")[0] == 204


def test_objects(admin, member):
    new_ns(admin, "OS::Test::Obj")
    url = NS + "/OS::Test::Obj/objects"
    status, _, obj = admin("POST", url, body={
        "name": "CPU Limits", "description": "d",
        "properties": {"quota:cpu_period": {"title": "P", "type": "integer",
                                            "minimum": 1000}}})
    assert status == 201, obj
    assert obj["self"] == "/v2/metadefs/namespaces/OS::Test::Obj/objects/CPU Limits"
    assert obj["schema"] == "/v2/schemas/metadefs/object" and obj["required"] == []
    assert obj["properties"]["quota:cpu_period"]["minimum"] == 1000
    assert admin("POST", url, body={"name": "CPU Limits"})[0] == 409
    assert admin("POST", url, body={"description": "no name"})[0] == 400
    assert admin("POST", url, body={"name": "o", "properties": {"p": {"title": "x"}}})[0] == 400
    status, _, got = member.req("GET", url + "/" + q("CPU Limits"))
    assert status == 200 and got["description"] == "d"
    status, _, lst = member.req("GET", url)
    assert [o["name"] for o in lst["objects"]] == ["CPU Limits"]
    status, _, up = admin("PUT", url + "/" + q("CPU Limits"), body={"name": "Renamed"})
    assert status == 200 and up["name"] == "Renamed" and up["properties"] == {}
    status, _, err = admin("GET", url + "/" + q("CPU Limits"))
    assert status == 404
    assert "The metadata definition object with name=CPU Limits was not found in" \
        " namespace=OS::Test::Obj." in err["message"]
    assert member.req("DELETE", url + "/Renamed")[0] == 403
    assert admin("DELETE", url + "/Renamed")[0] == 204
    assert admin("DELETE", url + "/Renamed")[0] == 404
    admin("POST", url, body={"name": "a"})
    assert admin("DELETE", url)[0] == 204
    assert admin("GET", url)[2]["objects"] == []
    assert admin("DELETE", NS + "/OS::Test::Obj")[0] == 204


def test_properties(admin):
    new_ns(admin, "OS::Test::Prop")
    url = NS + "/OS::Test::Prop/properties"
    body = {"name": "hypervisor_type", "title": "Hypervisor", "type": "string",
            "enum": ["kvm", "qemu"], "bogus": 1}
    status, _, p = admin("POST", url, body=body)
    assert status == 201, p
    assert p == {"name": "hypervisor_type", "title": "Hypervisor", "type": "string",
                 "enum": ["kvm", "qemu"]}
    assert admin("POST", url, body=body)[0] == 409
    status, _, err = admin("POST", url, body={"title": "T", "type": "string"})
    assert status == 400 and "'name' is a required property" in err["message"]
    status, _, lst = admin("GET", url)
    assert lst["properties"] == {"hypervisor_type": {"title": "Hypervisor", "type": "string",
                                                     "enum": ["kvm", "qemu"]}}
    # with ?resource_type= the name carries the association's prefix
    admin("POST", NS + "/OS::Test::Prop/resource_types",
          body={"name": "OS::Glance::Image", "prefix": "hw_"})
    status, _, p = admin("GET", url + "/hw_hypervisor_type?resource_type=OS::Glance::Image")
    assert status == 200 and p["name"] == "hypervisor_type"
    status, _, err = admin("GET", url + "/hypervisor_type?resource_type=OS::Glance::Image")
    assert status == 404 and "does not start with the expected resource type" in err["message"]
    status, _, up = admin("PUT", url + "/hypervisor_type",
                          body={"name": "hv", "title": "HV", "type": "string"})
    assert status == 200 and up == {"name": "hv", "title": "HV", "type": "string"}
    assert admin("GET", url + "/hypervisor_type")[0] == 404
    assert admin("DELETE", url + "/hv")[0] == 204
    status, _, err = admin("DELETE", url + "/hv")
    assert status == 404 and "property with name=hv was not found" in err["message"]
    assert admin("DELETE", NS + "/OS::Test::Prop")[0] == 204


def test_tags(admin, member):
    new_ns(admin, "OS::Test::Tags")
    url = NS + "/OS::Test::Tags/tags"
    status, _, body = admin("POST", url, body={"tags": [{"name": "a"}, {"name": "b"}]})
    assert status == 201 and body == {"tags": [{"name": "a"}, {"name": "b"}]}
    # without X-Openstack-Append the list replaces; with it, adds
    admin("POST", url, body={"tags": [{"name": "c"}]})
    assert [t["name"] for t in admin("GET", url)[2]["tags"]] == ["c"]
    admin("POST", url, body={"tags": [{"name": "d"}]},
          headers=dict(JSON, **{"X-Openstack-Append": "True"}))
    assert sorted(t["name"] for t in admin("GET", url)[2]["tags"]) == ["c", "d"]
    status, _, err = admin("POST", url, body={"tags": [{"name": "C"}]},
                           headers=dict(JSON, **{"X-Openstack-Append": "true"}))
    assert status == 409 and "case insensitive" in err["message"]
    assert sorted(t["name"] for t in admin("GET", url)[2]["tags"]) == ["c", "d"]
    status, _, t = admin("POST", url + "/single")
    assert status == 201 and t["name"] == "single" and "created_at" in t
    assert admin("POST", url + "/SINGLE")[0] == 409
    status, _, t = member.req("GET", url + "/single")
    assert status == 200 and t["name"] == "single"
    status, _, t = admin("PUT", url + "/single", body={"name": "renamed"})
    assert status == 200 and t["name"] == "renamed"
    assert admin("PUT", url + "/renamed", body={"name": "c"})[0] == 409
    assert admin("PUT", url + "/renamed", body={})[0] == 400
    status, _, err = admin("GET", url + "/single")
    assert status == 404
    assert "The metadata definition tag with name=single was not found in" in err["message"]
    assert admin("DELETE", url + "/renamed")[0] == 204
    assert member.req("DELETE", url)[0] == 403
    assert admin("POST", url, body={"tags": "x"})[0] == 400
    assert admin("DELETE", url)[0] == 204
    assert admin("GET", url)[2]["tags"] == []
    assert admin("GET", NS + "/OS::Nope/tags")[0] == 404
    assert admin("DELETE", NS + "/OS::Test::Tags")[0] == 204
