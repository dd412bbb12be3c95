"""The service catalog: regions, services and endpoints with the real CLI, the catalog of a
fresh token, policy, bad input that changes nothing, 404s and 409s."""
import uuid

V3 = "/identity/v3"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def admin_token(cloud):
    return cloud.token("admin")[0]


def count(cloud, tok, collection):
    st, _, body = cloud.request("GET", f"{V3}/{collection}", token=tok)
    assert st == 200, body
    return len(body[collection])


# ---------------- regions ----------------

def test_region_crud_cli(cloud):
    name = uniq("region")
    out = cloud.cli("region", "create", "--description", "a test region",
                    "--parent-region", "RegionOne", name, "-f", "json")
    assert out["region"] == name and out["parent_region"] == "RegionOne"
    out = cloud.cli("region", "show", name, "-f", "json")
    assert out["description"] == "a test region"
    ids = [r["Region"] for r in cloud.cli("region", "list", "-f", "json")]
    assert "RegionOne" in ids and name in ids
    cloud.cli("region", "set", "--description", "changed", name)
    assert cloud.cli("region", "show", name, "-f", "json")["description"] == "changed"

    tok = admin_token(cloud)
    st, _, body = cloud.request("GET", f"{V3}/regions?parent_region_id=RegionOne", token=tok)
    assert st == 200
    assert [r["id"] for r in body["regions"]] == [name]
    r = body["regions"][0]
    assert r["links"]["self"].endswith(f"/identity/v3/regions/{name}")
    assert r["parent_region_id"] == "RegionOne"

    cloud.cli("region", "delete", name)
    st, _, body = cloud.request("GET", f"{V3}/regions/{name}", token=tok)
    assert st == 404
    assert body["error"]["message"] == f"Could not find region: {name}."


def test_region_ids_put_conflict_and_tree(cloud):
    tok = admin_token(cloud)
    rid = uniq("put")
    st, _, body = cloud.request("PUT", f"{V3}/regions/{rid}", token=tok,
                                body={"region": {"description": "by put"}})
    assert st == 201 and body["region"]["id"] == rid
    assert body["region"]["parent_region_id"] is None
    # same id again, by PUT or by POST: 409
    st, _, body = cloud.request("PUT", f"{V3}/regions/{rid}", token=tok, body={"region": {}})
    assert st == 409 and body["error"]["code"] == 409
    st, _, _ = cloud.request("POST", f"{V3}/regions", token=tok, body={"region": {"id": rid}})
    assert st == 409
    # conflicting ids between path and body
    st, _, _ = cloud.request("PUT", f"{V3}/regions/{uniq('x')}", token=tok,
                             body={"region": {"id": "other"}})
    assert st == 400
    # no id: one is made
    st, _, body = cloud.request("POST", f"{V3}/regions", token=tok,
                                body={"region": {"description": "anon"}})
    assert st == 201 and len(body["region"]["id"]) == 32
    anon = body["region"]["id"]
    # a missing parent is a 404 naming it; nothing is created
    before = count(cloud, tok, "regions")
    st, _, body = cloud.request("POST", f"{V3}/regions", token=tok,
                                body={"region": {"id": uniq("orphan"),
                                                 "parent_region_id": "no-such-region"}})
    assert st == 404
    assert body["error"]["message"] == "Could not find region: no-such-region."
    assert count(cloud, tok, "regions") == before
    # child under rid, then a cycle is refused
    child = uniq("child")
    st, _, _ = cloud.request("POST", f"{V3}/regions", token=tok,
                             body={"region": {"id": child, "parent_region_id": rid}})
    assert st == 201
    st, _, body = cloud.request("PATCH", f"{V3}/regions/{rid}", token=tok,
                                body={"region": {"parent_region_id": child}})
    assert st == 400 and "circular" in body["error"]["message"]
    st, _, body = cloud.request("PATCH", f"{V3}/regions/{rid}", token=tok,
                                body={"region": {"parent_region_id": rid}})
    assert st == 400
    st, _, body = cloud.request("GET", f"{V3}/regions/{rid}", token=tok)
    assert body["region"]["parent_region_id"] is None
    # a PATCH may not rename, nor be empty
    st, _, _ = cloud.request("PATCH", f"{V3}/regions/{rid}", token=tok,
                             body={"region": {"id": "renamed"}})
    assert st == 400
    st, _, _ = cloud.request("PATCH", f"{V3}/regions/{rid}", token=tok, body={"region": {}})
    assert st == 400
    # deleting the parent deletes the child too (Keystone)
    st, _, _ = cloud.request("DELETE", f"{V3}/regions/{rid}", token=tok)
    assert st == 204
    st, _, _ = cloud.request("GET", f"{V3}/regions/{child}", token=tok)
    assert st == 404
    st, _, _ = cloud.request("DELETE", f"{V3}/regions/{rid}", token=tok)
    assert st == 404
    assert cloud.request("DELETE", f"{V3}/regions/{anon}", token=tok)[0] == 204


def test_region_with_endpoints_cannot_be_deleted(cloud):
    tok = admin_token(cloud)
    parent, child = uniq("p"), uniq("c")
    cloud.cli("region", "create", parent)
    cloud.cli("region", "create", "--parent-region", parent, child)
    svc = cloud.cli("service", "create", "--name", uniq("svc"), uniq("type"),
                    "-f", "json")
    ep = cloud.cli("endpoint", "create", "--region", child, svc["id"], "public",
                   "http://example.com:1234/", "-f", "json")
    st, _, body = cloud.request("DELETE", f"{V3}/regions/{parent}", token=tok)
    assert st == 403
    assert "associated endpoints" in body["error"]["message"]
    assert cloud.request("GET", f"{V3}/regions/{child}", token=tok)[0] == 200
    cloud.cli("endpoint", "delete", ep["id"])
    cloud.cli("region", "delete", parent)
    assert cloud.request("GET", f"{V3}/regions/{child}", token=tok)[0] == 404
    cloud.cli("service", "delete", svc["id"])


# ---------------- services and endpoints ----------------

def test_service_endpoint_crud_cli(cloud):
    name, stype = uniq("nova"), uniq("compute")
    svc = cloud.cli("service", "create", "--name", name, "--description", "Compute",
                    stype, "-f", "json")
    assert svc["name"] == name and svc["type"] == stype and svc["enabled"] is True
    assert cloud.cli("service", "show", svc["id"], "-f", "json")["description"] == "Compute"
    cloud.cli("service", "set", "--description", "Compute 2", svc["id"])
    assert cloud.cli("service", "show", svc["id"], "-f", "json")["description"] == "Compute 2"
    listed = cloud.cli("service", "list", "-f", "json")
    assert svc["id"] in [s["ID"] for s in listed]

    url = "http://compute.example.com:8774/v2.1"
    eps = {}
    for iface in ("public", "internal", "admin"):
        eps[iface] = cloud.cli("endpoint", "create", "--region", "RegionOne", svc["id"],
                               iface, url, "-f", "json")
        assert eps[iface]["region"] == "RegionOne"
        assert eps[iface]["interface"] == iface and eps[iface]["url"] == url
    out = cloud.cli("endpoint", "list", "--service", svc["id"], "-f", "json")
    assert sorted(e["ID"] for e in out) == sorted(e["id"] for e in eps.values())
    out = cloud.cli("endpoint", "list", "--service", svc["id"], "--interface", "internal",
                    "-f", "json")
    assert [e["ID"] for e in out] == [eps["internal"]["id"]]
    shown = cloud.cli("endpoint", "show", eps["public"]["id"], "-f", "json")
    assert shown["service_id"] == svc["id"] and shown["enabled"] is True
    cloud.cli("endpoint", "set", "--disable", "--url", url + "/x", eps["admin"]["id"])
    shown = cloud.cli("endpoint", "show", eps["admin"]["id"], "-f", "json")
    assert shown["enabled"] is False and shown["url"] == url + "/x"

    # raw body: region and region_id both, links, filters
    tok = admin_token(cloud)
    st, _, body = cloud.request("GET", f"{V3}/endpoints/{eps['public']['id']}", token=tok)
    e = body["endpoint"]
    assert e["region"] == e["region_id"] == "RegionOne"
    assert e["links"]["self"].endswith("/identity/v3/endpoints/" + e["id"])
    st, _, body = cloud.request("GET", f"{V3}/services?type={stype}", token=tok)
    assert [s["id"] for s in body["services"]] == [svc["id"]]
    st, _, body = cloud.request("GET", f"{V3}/endpoints?region_id=RegionOne&interface=admin",
                                token=tok)
    assert eps["admin"]["id"] in [x["id"] for x in body["endpoints"]]

    # deleting the service deletes its endpoints
    cloud.cli("service", "delete", svc["id"])
    for e in eps.values():
        st, _, body = cloud.request("GET", f"{V3}/endpoints/{e['id']}", token=tok)
        assert st == 404
        assert body["error"]["message"] == f"Could not find endpoint: {e['id']}."
    st, _, body = cloud.request("GET", f"{V3}/services/{svc['id']}", token=tok)
    assert st == 404 and body["error"]["message"] == f"Could not find service: {svc['id']}."


def test_legacy_region_attribute_creates_region(cloud):
    """tempest creates endpoints with 'region' only: Keystone creates the region."""
    tok = admin_token(cloud)
    svc = cloud.cli("service", "create", uniq("type"), "-f", "json")
    region = uniq("legacy")
    st, _, body = cloud.request("POST", f"{V3}/endpoints", token=tok, body={"endpoint": {
        "service_id": svc["id"], "interface": "public", "url": "http://a.example/",
        "region": region, "enabled": True}})
    assert st == 201, body
    assert body["endpoint"]["region"] == region == body["endpoint"]["region_id"]
    assert cloud.request("GET", f"{V3}/regions/{region}", token=tok)[0] == 200
    epid = body["endpoint"]["id"]
    region2 = uniq("legacy2")
    st, _, body = cloud.request("PATCH", f"{V3}/endpoints/{epid}", token=tok, body={
        "endpoint": {"region": region2, "interface": "internal", "enabled": False}})
    assert st == 200, body
    assert body["endpoint"]["region_id"] == region2 and body["endpoint"]["enabled"] is False
    cloud.cli("service", "delete", svc["id"])
    cloud.cli("region", "delete", region)
    cloud.cli("region", "delete", region2)


def test_fresh_token_catalog_lists_new_endpoint(cloud):
    stype = uniq("image")
    svc = cloud.cli("service", "create", "--name", "glance-" + stype, stype, "-f", "json")
    url = "http://image.example.com:9292"
    ep = cloud.cli("endpoint", "create", "--region", "RegionOne", svc["id"], "public", url,
                   "-f", "json")
    _, body = cloud.token("demo", project="demo")
    entry = [s for s in body["token"]["catalog"] if s["type"] == stype]
    assert len(entry) == 1 and entry[0]["name"] == "glance-" + stype
    assert [(e["id"], e["interface"], e["url"], e["region_id"])
            for e in entry[0]["endpoints"]] == [(ep["id"], "public", url, "RegionOne")]
    out = cloud.cli("catalog", "list", "-f", "json", cloud="ciel-demo")
    assert stype in [s["Type"] for s in out]
    # a disabled endpoint leaves the catalog, a disabled service takes its endpoints along
    cloud.cli("endpoint", "set", "--disable", ep["id"])
    _, body = cloud.token("demo", project="demo")
    entry = [s for s in body["token"]["catalog"] if s["type"] == stype]
    assert entry == [] or entry[0]["endpoints"] == []
    cloud.cli("service", "delete", svc["id"])
    _, body = cloud.token("demo", project="demo")
    assert stype not in [s["type"] for s in body["token"]["catalog"]]


# ---------------- policy ----------------

def test_demo_user_is_refused(cloud):
    p = cloud.cli("service", "create", "--name", "nope", "nope", cloud="ciel-demo",
                  check=False)
    assert p.returncode != 0 and "403" in p.stderr
    p = cloud.cli("endpoint", "list", cloud="ciel-demo", check=False)
    assert p.returncode != 0 and "403" in p.stderr
    demo, _ = cloud.token("demo", project="demo")
    tok = admin_token(cloud)
    before = count(cloud, tok, "services")
    for method, path, body in (
            ("POST", "/services", {"service": {"type": "x"}}),
            ("POST", "/regions", {"region": {"id": uniq("r")}}),
            ("PUT", "/regions/" + uniq("r"), {"region": {}}),
            ("POST", "/endpoints", {"endpoint": {"service_id": "x", "interface": "public",
                                                 "url": "http://x/"}}),
            ("GET", "/services", None),
            ("GET", "/endpoints", None),
            ("DELETE", "/regions/RegionOne", None)):
        st, _, out = cloud.request(method, V3 + path, token=demo, body=body)
        assert st == 403, (method, path, out)
        assert out["error"]["code"] == 403
    assert count(cloud, tok, "services") == before
    # regions are readable by anyone with a token, as in Keystone
    st, _, body = cloud.request("GET", f"{V3}/regions", token=demo)
    assert st == 200 and "RegionOne" in [r["id"] for r in body["regions"]]
    assert cloud.request("GET", f"{V3}/regions/RegionOne", token=demo)[0] == 200
    assert cloud.request("GET", f"{V3}/regions")[0] == 401


# ---------------- bad input ----------------

def test_bad_input_changes_nothing(cloud):
    tok = admin_token(cloud)
    svc = cloud.cli("service", "create", uniq("type"), "-f", "json")
    n_ep, n_svc, n_reg = (count(cloud, tok, c) for c in ("endpoints", "services", "regions"))
    good = {"service_id": svc["id"], "interface": "public", "url": "http://x.example/",
            "region_id": "RegionOne"}
    bad_endpoints = [
        {**good, "interface": "private"},
        {**good, "url": "not a url"},
        {**good, "url": "http://x.example/$(bogus)s"},
        {**good, "url": "http://x.example/%zz"},
        {**good, "url": "http://x.example/$(project_id)d"},
        {**good, "url": "http://x.example/" + "a" * 300},
        {**good, "enabled": "True"},
        {**good, "enabled": "False"},
        {**good, "service_id": "no-such-service"},
        {**good, "region_id": "no-such-region"},
        {k: v for k, v in good.items() if k != "url"},
        {k: v for k, v in good.items() if k != "interface"},
        {k: v for k, v in good.items() if k != "service_id"},
    ]
    for ep in bad_endpoints:
        st, _, body = cloud.request("POST", f"{V3}/endpoints", token=tok, body={"endpoint": ep})
        assert st == 400, (ep, body)
        assert body["error"]["code"] == 400 and body["error"]["title"] == "Bad Request"
    st, _, body = cloud.request("POST", f"{V3}/endpoints", token=tok,
                                body={"endpoint": {**good, "region_id": "no-such-region"}})
    assert "region_id" in body["error"]["message"]
    for sv in ({}, {"type": ""}, {"type": 5}, {"type": "x", "enabled": "yes"},
               {"type": "x", "name": ""}):
        st, _, body = cloud.request("POST", f"{V3}/services", token=tok, body={"service": sv})
        assert st == 400, (sv, body)
    for rg in ({"description": "x" * 256}, {"parent_region_id": 5}, {"id": "x" * 256}):
        st, _, body = cloud.request("POST", f"{V3}/regions", token=tok, body={"region": rg})
        assert st == 400, (rg, body)
    for raw in (b"{", b"[]", b'{"endpoint": 3}'):
        st, _, _ = cloud.request("POST", f"{V3}/endpoints", token=tok, raw=raw)
        assert st == 400
    assert (n_ep, n_svc, n_reg) == tuple(
        count(cloud, tok, c) for c in ("endpoints", "services", "regions"))

    # Keystone's substitutions are fine
    for url in ("http://x.example/v2.1/$(project_id)s", "http://x.example/%(tenant_id)s",
                "http://x.example/a%%b"):
        st, _, body = cloud.request("POST", f"{V3}/endpoints", token=tok,
                                    body={"endpoint": {**good, "url": url}})
        assert st == 201 and body["endpoint"]["url"] == url, body
        cloud.request("DELETE", f"{V3}/endpoints/{body['endpoint']['id']}", token=tok)

    # bad updates leave the endpoint as it was
    st, _, body = cloud.request("POST", f"{V3}/endpoints", token=tok, body={"endpoint": good})
    assert st == 201
    ep = body["endpoint"]
    for patch in ({"enabled": "True"}, {"interface": "x"}, {"service_id": "nope"},
                  {"region_id": "nope"}, {}, {"id": "other"}, {"url": "nope"}):
        st, _, body = cloud.request("PATCH", f"{V3}/endpoints/{ep['id']}", token=tok,
                                    body={"endpoint": patch})
        assert st == 400, (patch, body)
    st, _, body = cloud.request("GET", f"{V3}/endpoints/{ep['id']}", token=tok)
    assert body["endpoint"] == ep
    cloud.cli("service", "delete", svc["id"])


def test_not_found(cloud):
    tok = admin_token(cloud)
    for method, path, body, msg in (
            ("GET", "/regions/nope", None, "Could not find region: nope."),
            ("PATCH", "/regions/nope", {"region": {"description": "x"}},
             "Could not find region: nope."),
            ("DELETE", "/regions/nope", None, "Could not find region: nope."),
            ("GET", "/services/nope", None, "Could not find service: nope."),
            ("PATCH", "/services/nope", {"service": {"name": "x"}},
             "Could not find service: nope."),
            ("DELETE", "/services/nope", None, "Could not find service: nope."),
            ("GET", "/endpoints/nope", None, "Could not find endpoint: nope."),
            ("PATCH", "/endpoints/nope", {"endpoint": {"url": "http://x/"}},
             "Could not find endpoint: nope."),
            ("DELETE", "/endpoints/nope", None, "Could not find endpoint: nope.")):
        st, _, out = cloud.request(method, V3 + path, token=tok, body=body)
        assert st == 404, (method, path, out)
        assert out["error"] == {"code": 404, "title": "Not Found", "message": msg}
