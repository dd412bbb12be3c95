"""/v3/policies and OS-EP-FILTER endpoint groups: CRUD with the real CLI and raw requests,
HEAD on a group, the endpoints a group selects, bad input (400, nothing changed), 404s and
non-admin 403s."""
import json
import uuid

import pytest

V3 = "/identity/v3"
POLICIES = V3 + "/policies"
GROUPS = V3 + "/OS-EP-FILTER/endpoint_groups"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def toks(cloud):
    admin, _ = cloud.token("admin")
    demo, _ = cloud.token("demo", project="demo")
    return {"admin": admin, "demo": demo}


# ================= /v3/policies =================

def test_policy_cli(cloud, tmp_path):
    rules = tmp_path / "policy.json"
    rules.write_text(json.dumps({"default": "rule:admin_required"}))
    p = cloud.cli("policy", "create", "--type", "application/json", str(rules), "-f", "json")
    assert p["type"] == "application/json"
    assert json.loads(p["rules"]) == {"default": "rule:admin_required"}
    listed = cloud.cli("policy", "list", "--long", "-f", "json")
    assert [x["Type"] for x in listed if x["ID"] == p["id"]] == ["application/json"]
    rules.write_text("default: rule:admin_required\n")
    cloud.cli("policy", "set", "--type", "application/x-yaml", "--rules", str(rules), p["id"])
    shown = cloud.cli("policy", "show", p["id"], "-f", "json")
    assert shown["type"] == "application/x-yaml"
    assert shown["rules"].strip() == "default: rule:admin_required"
    cloud.cli("policy", "delete", p["id"])
    assert cloud.cli("policy", "show", p["id"], check=False).returncode != 0


def test_policy_api(cloud, toks):
    tok = toks["admin"]
    st, _, body = cloud.request("POST", POLICIES, token=tok, body={"policy": {
        "blob": '{"a": "b"}', "type": "application/json", "note": {"k": 1}}})
    assert st == 201, body
    p = body["policy"]
    assert p["blob"] == '{"a": "b"}' and p["type"] == "application/json"
    assert p["note"] == {"k": 1}
    assert p["links"]["self"].endswith(f"/identity/v3/policies/{p['id']}")
    st, _, body = cloud.request("GET", f"{POLICIES}/{p['id']}", token=tok)
    assert st == 200 and body["policy"] == p

    # a second one of another type; ?type= filters
    st, _, body = cloud.request("POST", POLICIES, token=tok, body={"policy": {
        "blob": "x: y", "type": "application/x-yaml"}})
    assert st == 201
    q = body["policy"]
    st, _, body = cloud.request("GET", POLICIES + "?type=application/x-yaml", token=tok)
    assert st == 200 and [x["id"] for x in body["policies"]] == [q["id"]]
    assert body["links"]["self"].endswith("/identity/v3/policies")
    st, _, body = cloud.request("GET", POLICIES, token=tok)
    assert {p["id"], q["id"]} <= {x["id"] for x in body["policies"]}

    # PATCH: only what is given changes
    st, _, body = cloud.request("PATCH", f"{POLICIES}/{p['id']}", token=tok,
                                body={"policy": {"blob": "new"}})
    assert st == 200, body
    assert body["policy"]["blob"] == "new" and body["policy"]["type"] == "application/json"
    assert body["policy"]["note"] == {"k": 1}
    st, _, body = cloud.request("PATCH", f"{POLICIES}/{p['id']}", token=tok,
                                body={"policy": {"id": p["id"], "type": "text/plain"}})
    assert st == 200 and body["policy"]["type"] == "text/plain"

    for pid in (p["id"], q["id"]):
        assert cloud.request("DELETE", f"{POLICIES}/{pid}", token=tok)[0] == 204
    st, _, body = cloud.request("GET", f"{POLICIES}/{p['id']}", token=tok)
    assert st == 404 and body["error"]["message"] == f"Could not find policy: {p['id']}."


def test_policy_bad_input_404_403(cloud, toks):
    tok, demo = toks["admin"], toks["demo"]
    st, _, body = cloud.request("POST", POLICIES, token=tok, body={"policy": {
        "blob": "b", "type": "t"}})
    assert st == 201
    p = body["policy"]
    before = cloud.request("GET", POLICIES, token=tok)[2]["policies"]
    for bad in ({"type": "t"}, {"blob": "b"}, {"blob": 5, "type": "t"},
                {"blob": "b", "type": None}, {"blob": "b", "type": "x" * 256}):
        st, _, body = cloud.request("POST", POLICIES, token=tok, body={"policy": bad})
        assert st == 400, (bad, body)
        assert body["error"]["title"] == "Bad Request"
    assert cloud.request("POST", POLICIES, token=tok, body={"policy": "x"})[0] == 400
    assert cloud.request("POST", POLICIES, token=tok, raw=b"{")[0] == 400
    for bad in ({}, {"blob": 1}, {"type": "x" * 256}, {"id": "other"}):
        st, _, body = cloud.request("PATCH", f"{POLICIES}/{p['id']}", token=tok,
                                    body={"policy": bad})
        assert st == 400, (bad, body)
    assert cloud.request("GET", POLICIES, token=tok)[2]["policies"] == before

    for method, body in (("GET", None), ("PATCH", {"policy": {"blob": "x"}}),
                         ("DELETE", None)):
        st, _, b = cloud.request(method, f"{POLICIES}/nope", token=tok, body=body)
        assert st == 404 and b["error"]["message"] == "Could not find policy: nope."

    # a project member may neither read nor write policies
    assert cloud.request("GET", POLICIES, token=demo)[0] == 403
    assert cloud.request("GET", f"{POLICIES}/{p['id']}", token=demo)[0] == 403
    assert cloud.request("POST", POLICIES, token=demo,
                         body={"policy": {"blob": "b", "type": "t"}})[0] == 403
    assert cloud.request("PATCH", f"{POLICIES}/{p['id']}", token=demo,
                         body={"policy": {"blob": "x"}})[0] == 403
    assert cloud.request("DELETE", f"{POLICIES}/{p['id']}", token=demo)[0] == 403
    assert cloud.request("GET", POLICIES)[0] == 401
    assert cloud.request("GET", POLICIES, token=tok)[2]["policies"] == before
    assert cloud.request("DELETE", f"{POLICIES}/{p['id']}", token=tok)[0] == 204


# ================= OS-EP-FILTER endpoint groups =================

@pytest.fixture(scope="module")
def identity_service(cloud, toks):
    st, _, body = cloud.request("GET", V3 + "/services?type=identity", token=toks["admin"])
    assert st == 200 and body["services"]
    sid = body["services"][0]["id"]
    st, _, body = cloud.request("GET", f"{V3}/endpoints?service_id={sid}", token=toks["admin"])
    return sid, body["endpoints"]


def test_endpoint_group_cli(cloud, tmp_path, identity_service):
    sid, _ = identity_service
    filters = tmp_path / "filters.json"
    filters.write_text(json.dumps({"service_id": sid, "interface": "public"}))
    name = uniq("eg")
    g = cloud.cli("endpoint", "group", "create", "--description", "public identity", name,
                  str(filters), "-f", "json")
    assert g["name"] == name and g["description"] == "public identity"
    assert g["filters"] == {"service_id": sid, "interface": "public"}
    assert g["id"] in [x["ID"] for x in cloud.cli("endpoint", "group", "list", "-f", "json")]
    cloud.cli("endpoint", "group", "set", "--name", name + "-2", g["id"])
    shown = cloud.cli("endpoint", "group", "show", g["id"], "-f", "json")
    assert shown["name"] == name + "-2" and shown["filters"]["service_id"] == sid
    cloud.cli("endpoint", "group", "delete", g["id"])
    assert cloud.cli("endpoint", "group", "show", g["id"], check=False).returncode != 0


def test_endpoint_group_api(cloud, toks, identity_service):
    tok = toks["admin"]
    sid, endpoints = identity_service
    name = uniq("eg")
    st, _, body = cloud.request("POST", GROUPS, token=tok, body={"endpoint_group": {
        "name": name, "filters": {"service_id": sid}}})
    assert st == 201, body
    g = body["endpoint_group"]
    assert g["name"] == name and g["description"] is None
    assert g["filters"] == {"service_id": sid}
    assert g["links"]["self"].endswith(f"/identity/v3/OS-EP-FILTER/endpoint_groups/{g['id']}")
    st, _, body = cloud.request("GET", f"{GROUPS}/{g['id']}", token=tok)
    assert st == 200 and body["endpoint_group"] == g
    st, _, body = cloud.request("HEAD", f"{GROUPS}/{g['id']}", token=tok)
    assert st == 200 and not body
    assert cloud.request("HEAD", f"{GROUPS}/nope", token=tok)[0] == 404
    st, _, body = cloud.request("GET", f"{GROUPS}?name={name}", token=tok)
    assert st == 200 and body["endpoint_groups"] == [g]

    # the endpoints it selects: the service's, then narrowed by interface
    st, _, body = cloud.request("GET", f"{GROUPS}/{g['id']}/endpoints", token=tok)
    assert st == 200
    assert sorted(e["id"] for e in body["endpoints"]) == sorted(e["id"] for e in endpoints)
    st, _, body = cloud.request("PATCH", f"{GROUPS}/{g['id']}", token=tok, body={
        "endpoint_group": {"description": "admin side",
                           "filters": {"service_id": sid, "interface": "admin"}}})
    assert st == 200, body
    g2 = body["endpoint_group"]
    assert g2["name"] == name and g2["description"] == "admin side"
    assert g2["filters"] == {"service_id": sid, "interface": "admin"}
    st, _, body = cloud.request("GET", f"{GROUPS}/{g['id']}/endpoints", token=tok)
    assert sorted(e["id"] for e in body["endpoints"]) == sorted(
        e["id"] for e in endpoints if e["interface"] == "admin")
    assert all(e["links"]["self"].endswith(f"/v3/endpoints/{e['id']}")
               for e in body["endpoints"])

    assert cloud.request("DELETE", f"{GROUPS}/{g['id']}", token=tok)[0] == 204
    st, _, body = cloud.request("GET", f"{GROUPS}/{g['id']}", token=tok)
    assert st == 404
    assert body["error"]["message"] == f"Could not find Endpoint Group: {g['id']}."


def test_endpoint_group_bad_input_404_403(cloud, toks, identity_service):
    tok, demo = toks["admin"], toks["demo"]
    sid, _ = identity_service
    st, _, body = cloud.request("POST", GROUPS, token=tok, body={"endpoint_group": {
        "name": uniq("eg"), "description": "d", "filters": {"interface": "public"}}})
    assert st == 201
    g = body["endpoint_group"]
    before = cloud.request("GET", GROUPS, token=tok)[2]["endpoint_groups"]
    for bad in ({"filters": {"service_id": sid}}, {"name": "x"},
                {"name": "", "filters": {"service_id": sid}},
                {"name": "  ", "filters": {"service_id": sid}},
                {"name": 5, "filters": {"service_id": sid}},
                {"name": "x", "filters": {}}, {"name": "x", "filters": "service_id"},
                {"name": "x", "filters": {"project_id": "p"}},
                {"name": "x", "filters": {"service_id": 5}},
                {"name": "x", "filters": {"service_id": sid}, "bogus": 1}):
        st, _, body = cloud.request("POST", GROUPS, token=tok, body={"endpoint_group": bad})
        assert st == 400, (bad, body)
        assert body["error"]["title"] == "Bad Request"
    assert cloud.request("POST", GROUPS, token=tok, raw=b"[]")[0] == 400
    for bad in ({}, {"name": ""}, {"filters": {}}, {"filters": {"nope": "x"}},
                {"id": "other"}, {"bogus": 1}):
        st, _, body = cloud.request("PATCH", f"{GROUPS}/{g['id']}", token=tok,
                                    body={"endpoint_group": bad})
        assert st == 400, (bad, body)
    assert cloud.request("GET", GROUPS, token=tok)[2]["endpoint_groups"] == before

    for method, path, body in (("GET", "nope", None), ("GET", "nope/endpoints", None),
                               ("PATCH", "nope", {"endpoint_group": {"name": "x"}}),
                               ("DELETE", "nope", None)):
        st, _, b = cloud.request(method, f"{GROUPS}/{path}", token=tok, body=body)
        assert st == 404, (method, path, b)
        assert b["error"]["message"] == "Could not find Endpoint Group: nope."

    assert cloud.request("GET", GROUPS, token=demo)[0] == 403
    assert cloud.request("GET", f"{GROUPS}/{g['id']}", token=demo)[0] == 403
    assert cloud.request("HEAD", f"{GROUPS}/{g['id']}", token=demo)[0] == 403
    assert cloud.request("GET", f"{GROUPS}/{g['id']}/endpoints", token=demo)[0] == 403
    assert cloud.request("POST", GROUPS, token=demo, body={"endpoint_group": {
        "name": "x", "filters": {"service_id": sid}}})[0] == 403
    assert cloud.request("PATCH", f"{GROUPS}/{g['id']}", token=demo,
                         body={"endpoint_group": {"name": "x"}})[0] == 403
    assert cloud.request("DELETE", f"{GROUPS}/{g['id']}", token=demo)[0] == 403
    assert cloud.request("GET", GROUPS, token=tok)[2]["endpoint_groups"] == before
    assert cloud.request("DELETE", f"{GROUPS}/{g['id']}", token=tok)[0] == 204
