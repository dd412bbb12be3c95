"""Roles, implied roles and role assignments: the real CLI for what it covers, raw HTTP for
the exact Keystone bodies, policy, bad input that changes nothing, 404s and 409s, and the
effect of grants on tokens."""
import uuid


V3 = "/identity/v3"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def admin_token(cloud):
    return cloud.token("admin")[0]


def ids(cloud):
    """Ids of the bootstrap objects: users admin/demo, projects admin/demo."""
    if not hasattr(cloud, "_ids"):
        _, a = cloud.token("admin")
        _, d = cloud.token("demo", project="demo")
        cloud._ids = {
            "admin": a["token"]["user"]["id"], "demo": d["token"]["user"]["id"],
            "p_admin": a["token"]["project"]["id"], "p_demo": d["token"]["project"]["id"],
        }
    return cloud._ids


def create_role(cloud, tok, name=None, **attrs):
    body = {"role": {"name": name or uniq("role"), **attrs}}
    st, _, out = cloud.request("POST", f"{V3}/roles", token=tok, body=body)
    assert st == 201, out
    return out["role"]


def req(cloud, method, path, tok, body=None):
    st, _, out = cloud.request(method, V3 + path, token=tok, body=body)
    return st, out


def role_ids(body):
    return sorted(r["id"] for r in body["roles"])


def assignments(cloud, tok, query):
    st, out = req(cloud, "GET", "/role_assignments?" + query, tok)
    assert st == 200, out
    return out["role_assignments"]


# ---------------- roles ----------------

def test_role_crud_cli(cloud):
    name = uniq("role")
    out = cloud.cli("role", "create", "--description", "a test role", name, "-f", "json")
    assert out["name"] == name and out["description"] == "a test role"
    assert out["domain_id"] is None
    rid = out["id"]
    assert cloud.cli("role", "show", name, "-f", "json")["id"] == rid
    names = [r["Name"] for r in cloud.cli("role", "list", "-f", "json")]
    assert {"admin", "member", "reader", name} <= set(names)

    p = cloud.cli("role", "create", name, check=False)
    assert p.returncode != 0 and "409" in p.stderr

    new = uniq("renamed")
    cloud.cli("role", "set", "--name", new, "--description", "changed", rid)
    out = cloud.cli("role", "show", rid, "-f", "json")
    assert out["name"] == new and out["description"] == "changed"

    tok = admin_token(cloud)
    st, body = req(cloud, "GET", f"/roles/{rid}", tok)
    assert st == 200
    r = body["role"]
    assert r["options"] == {} and r["domain_id"] is None
    assert r["links"]["self"].endswith(f"/identity/v3/roles/{rid}")
    st, body = req(cloud, "GET", f"/roles?name={new}", tok)
    assert [x["id"] for x in body["roles"]] == [rid]
    assert body["links"]["next"] is None and body["links"]["previous"] is None

    cloud.cli("role", "delete", rid)
    st, body = req(cloud, "GET", f"/roles/{rid}", tok)
    assert st == 404
    assert body["error"]["message"] == f"Could not find role: {rid}."


def test_role_extra_attributes_and_options(cloud):
    tok = admin_token(cloud)
    r = create_role(cloud, tok, color="blue", options={"immutable": True})
    assert r["color"] == "blue" and r["options"] == {"immutable": True}
    assert r["description"] is None
    rid = r["id"]
    st, body = req(cloud, "DELETE", f"/roles/{rid}", tok)
    assert st == 403 and "immutable" in body["error"]["message"]
    st, body = req(cloud, "PATCH", f"/roles/{rid}", tok, {"role": {"name": "x"}})
    assert st == 403
    st, body = req(cloud, "PATCH", f"/roles/{rid}", tok,
                   {"role": {"options": {"immutable": False}}})
    assert st == 200 and body["role"]["options"] == {"immutable": False}
    st, body = req(cloud, "PATCH", f"/roles/{rid}", tok,
                   {"role": {"color": "red", "description": "d"}})
    assert st == 200
    assert body["role"]["color"] == "red" and body["role"]["description"] == "d"
    assert req(cloud, "DELETE", f"/roles/{rid}", tok)[0] == 204


def test_role_pagination(cloud):
    tok = admin_token(cloud)
    st, body = req(cloud, "GET", "/roles?limit=2", tok)
    assert st == 200 and len(body["roles"]) == 2
    assert body.get("truncated") is True and "marker=" in body["links"]["next"]
    marker = body["roles"][-1]["id"]
    st, body2 = req(cloud, "GET", f"/roles?limit=2&marker={marker}", tok)
    assert st == 200
    assert all(r["id"] > marker for r in body2["roles"])
    assert req(cloud, "GET", "/roles?limit=x", tok)[0] == 400


def test_domain_roles(cloud):
    tok = admin_token(cloud)
    name = uniq("drole")
    out = cloud.cli("role", "create", "--domain", "default", name, "-f", "json")
    assert out["domain_id"] == "default"
    drid = out["id"]
    # a global role may take the same name; the same domain may not
    g = create_role(cloud, tok, name)
    st, body = req(cloud, "POST", "/roles", tok, {"role": {"name": name, "domain_id": "default"}})
    assert st == 409
    assert body["error"]["message"] == (
        "Conflict occurred attempting to store role - Duplicate entry found with name "
        f"{name} at domain ID default.")

    st, body = req(cloud, "GET", "/roles?domain_id=default", tok)
    assert drid in role_ids(body) and g["id"] not in role_ids(body)
    st, body = req(cloud, "GET", "/roles", tok)
    assert g["id"] in role_ids(body) and drid not in role_ids(body)

    st, body = req(cloud, "PATCH", f"/roles/{drid}", tok, {"role": {"domain_id": None}})
    assert st == 400 and body["error"]["message"] == "Update of `domain_id` is not allowed."
    st, body = req(cloud, "POST", "/roles", tok, {"role": {"name": "x", "domain_id": "nope"}})
    assert st == 404 and body["error"]["message"] == "Could not find domain: nope."

    # a domain role is not for the system, and only for projects of its domain
    i = ids(cloud)
    st, body = req(cloud, "PUT", f"/system/users/{i['demo']}/roles/{drid}", tok)
    assert st == 400
    # a domain role serves only to imply: it never shows in effective lists or tokens
    st, _ = req(cloud, "PUT", f"/projects/{i['p_demo']}/users/{i['demo']}/roles/{drid}", tok)
    assert st == 204
    eff = assignments(cloud, tok, f"user.id={i['demo']}&scope.project.id={i['p_demo']}"
                                  "&effective")
    assert drid not in [a["role"]["id"] for a in eff]
    direct = assignments(cloud, tok, f"user.id={i['demo']}&scope.project.id={i['p_demo']}")
    assert drid in [a["role"]["id"] for a in direct]
    cloud.cli("role", "delete", drid)
    cloud.cli("role", "delete", g["id"])


def test_demo_refused(cloud):
    p = cloud.cli("role", "create", uniq("role"), cloud="ciel-demo", check=False)
    assert p.returncode != 0 and "403" in p.stderr
    dtok = cloud.token("demo", project="demo")[0]
    before = len(req(cloud, "GET", "/roles", admin_token(cloud))[1]["roles"])
    st, body = req(cloud, "POST", "/roles", dtok, {"role": {"name": uniq("r")}})
    assert st == 403
    assert body["error"]["message"] == (
        "You are not authorized to perform the requested action: identity:create_role.")
    assert len(req(cloud, "GET", "/roles", admin_token(cloud))[1]["roles"]) == before
    i = ids(cloud)
    rid = create_role(cloud, admin_token(cloud))["id"]
    for method, path in [
            ("PUT", f"/projects/{i['p_demo']}/users/{i['demo']}/roles/{rid}"),
            ("PUT", f"/roles/{rid}/implies/{rid}"),
            ("DELETE", f"/roles/{rid}"),
            ("PATCH", f"/roles/{rid}")]:
        st, _ = req(cloud, method, path, dtok, {"role": {"name": "x"}})
        assert st == 403, (method, path)
    # a user sees its own assignments, not others'
    mine = assignments(cloud, dtok, f"user.id={i['demo']}")
    assert mine and all(a["user"]["id"] == i["demo"] for a in mine)
    assert req(cloud, "GET", "/role_assignments", dtok)[0] == 403
    assert req(cloud, "GET", f"/role_assignments?user.id={i['admin']}", dtok)[0] == 403


BAD_ROLES = [
    {},
    {"role": {}},
    {"role": {"name": ""}},
    {"role": {"name": "   "}},
    {"role": {"name": "x" * 256}},
    {"role": {"name": 5}},
    {"role": {"name": "x", "description": 5}},
    {"role": {"name": "x", "domain_id": "bad id!"}},
    {"role": {"name": "x", "options": {"color": True}}},
    {"role": {"name": "x", "options": {"immutable": "yes"}}},
    {"role": {"name": "x"}, "other": 1},
    {"role": "x"},
]


def test_bad_input_changes_nothing(cloud):
    tok = admin_token(cloud)
    before = req(cloud, "GET", "/roles", tok)[1]["roles"]
    for bad in BAD_ROLES:
        st, body = req(cloud, "POST", "/roles", tok, bad)
        assert st == 400, (bad, body)
        assert body["error"]["code"] == 400 and body["error"]["title"] == "Bad Request"
    st, _, body = cloud.request("POST", f"{V3}/roles", token=tok, raw=b"{not json")
    assert st == 400
    r = create_role(cloud, tok)
    for bad in [{"role": {}}, {"role": {"name": ""}}, {"role": {"id": "other"}},
                {"role": {"name": "x", "options": []}}]:
        st, body = req(cloud, "PATCH", f"/roles/{r['id']}", tok, bad)
        assert st == 400, (bad, body)
    assert req(cloud, "GET", f"/roles/{r['id']}", tok)[1]["role"]["name"] == r["name"]
    req(cloud, "DELETE", f"/roles/{r['id']}", tok)
    assert req(cloud, "GET", "/roles", tok)[1]["roles"] == before


# ---------------- implied roles ----------------

def test_implied_roles_cli(cloud):
    tok = admin_token(cloud)
    a, b, c = (create_role(cloud, tok) for _ in range(3))
    out = cloud.cli("implied", "role", "create", a["name"], "--implied-role", b["name"],
                    "-f", "json")
    assert out == {"prior_role": a["id"], "implies": b["id"]}
    cloud.cli("implied", "role", "create", a["id"], "--implied-role", c["id"])
    rows = cloud.cli("implied", "role", "list", "-f", "json")
    mine = sorted(r["Implied Role Name"] for r in rows if r["Prior Role ID"] == a["id"])
    assert mine == sorted([b["name"], c["name"]])

    st, body = req(cloud, "GET", f"/roles/{a['id']}/implies/{b['id']}", tok)
    assert st == 200
    inf = body["role_inference"]
    assert inf["prior_role"]["id"] == a["id"] and inf["prior_role"]["name"] == a["name"]
    assert inf["implies"]["id"] == b["id"]
    assert inf["implies"]["links"]["self"].endswith(f"/v3/roles/{b['id']}")
    assert body["links"]["self"].endswith(f"/v3/roles/{a['id']}/implies/{b['id']}")
    st, _, _ = cloud.request("HEAD", f"{V3}/roles/{a['id']}/implies/{b['id']}", token=tok)
    assert st == 204
    st, body = req(cloud, "GET", f"/roles/{a['id']}/implies", tok)
    assert sorted(x["id"] for x in body["role_inference"]["implies"]) == \
        sorted([b["id"], c["id"]])
    st, body = req(cloud, "GET", "/role_inferences", tok)
    rule = [r for r in body["role_inferences"] if r["prior_role"]["id"] == a["id"]]
    assert len(rule) == 1 and len(rule[0]["implies"]) == 2

    # again: 409; a cycle, itself, admin, global implying domain role: 403
    assert req(cloud, "PUT", f"/roles/{a['id']}/implies/{b['id']}", tok)[0] == 409
    st, body = req(cloud, "PUT", f"/roles/{b['id']}/implies/{a['id']}", tok)
    assert st == 403 and "cycle" in body["error"]["message"]
    assert req(cloud, "PUT", f"/roles/{a['id']}/implies/{a['id']}", tok)[0] == 403
    admin_id = cloud.cli("role", "show", "admin", "-f", "json")["id"]
    st, body = req(cloud, "PUT", f"/roles/{a['id']}/implies/{admin_id}", tok)
    assert st == 403 and body["error"]["message"] == f"{admin_id} cannot be an implied roles."
    d = create_role(cloud, tok, domain_id="default")
    st, body = req(cloud, "PUT", f"/roles/{a['id']}/implies/{d['id']}", tok)
    assert st == 403
    assert body["error"]["message"] == "Global role cannot imply a domain-specific role"
    st, _ = req(cloud, "PUT", f"/roles/{d['id']}/implies/{a['id']}", tok)
    assert st == 201

    cloud.cli("implied", "role", "delete", a["name"], "--implied-role", b["name"])
    st, body = req(cloud, "GET", f"/roles/{a['id']}/implies/{b['id']}", tok)
    assert st == 404
    assert body["error"]["message"] == f"{a['id']} does not imply {b['id']}."
    assert req(cloud, "DELETE", f"/roles/{a['id']}/implies/{b['id']}", tok)[0] == 404
    assert req(cloud, "PUT", f"/roles/{a['id']}/implies/nope", tok)[0] == 404
    assert req(cloud, "GET", "/roles/nope/implies", tok)[0] == 404

    # deleting a role takes its rules with it
    req(cloud, "DELETE", f"/roles/{c['id']}", tok)
    st, body = req(cloud, "GET", f"/roles/{a['id']}/implies", tok)
    assert body["role_inference"]["implies"] == []
    for r in (a, b, d):
        req(cloud, "DELETE", f"/roles/{r['id']}", tok)


def test_implied_role_in_token(cloud):
    tok = admin_token(cloud)
    i = ids(cloud)
    x, y, z = (create_role(cloud, tok) for _ in range(3))
    req(cloud, "PUT", f"/roles/{x['id']}/implies/{y['id']}", tok)
    req(cloud, "PUT", f"/roles/{y['id']}/implies/{z['id']}", tok)
    st, _ = req(cloud, "PUT", f"/projects/{i['p_demo']}/users/{i['demo']}/roles/{x['id']}",
                tok)
    assert st == 204
    _, body = cloud.token("demo", project="demo")
    names = {r["name"] for r in body["token"]["roles"]}
    assert {x["name"], y["name"], z["name"], "member", "reader"} <= names

    eff = assignments(cloud, tok, f"user.id={i['demo']}&scope.project.id={i['p_demo']}"
                                  "&effective")
    by_role = {a["role"]["id"]: a for a in eff}
    assert {x["id"], y["id"], z["id"]} <= set(by_role)
    assert "prior_role" in by_role[z["id"]]["links"]
    assert "prior_role" not in by_role[x["id"]]["links"]
    assert by_role[x["id"]]["links"]["assignment"].endswith(
        f"/projects/{i['p_demo']}/users/{i['demo']}/roles/{x['id']}")

    # the rule goes, the implied roles go from new tokens and the effective list
    req(cloud, "DELETE", f"/roles/{x['id']}/implies/{y['id']}", tok)
    _, body = cloud.token("demo", project="demo")
    names = {r["name"] for r in body["token"]["roles"]}
    assert x["name"] in names and y["name"] not in names and z["name"] not in names
    for r in (x, y, z):
        req(cloud, "DELETE", f"/roles/{r['id']}", tok)


# ---------------- grants ----------------

def test_grants_project_domain_system_http(cloud):
    tok = admin_token(cloud)
    i = ids(cloud)
    r = create_role(cloud, tok)
    rid, u, p = r["id"], i["demo"], i["p_demo"]
    for base in (f"/projects/{p}/users/{u}/roles", f"/domains/default/users/{u}/roles",
                 f"/system/users/{u}/roles"):
        assert req(cloud, "GET", f"{base}/{rid}", tok)[0] == 404
        assert req(cloud, "PUT", f"{base}/{rid}", tok)[0] == 204
        assert req(cloud, "PUT", f"{base}/{rid}", tok)[0] == 204  # twice is fine
        assert req(cloud, "GET", f"{base}/{rid}", tok)[0] == 204
        st, _, _ = cloud.request("HEAD", f"{V3}{base}/{rid}", token=tok)
        assert st == 204
        st, body = req(cloud, "GET", base, tok)
        assert st == 200 and rid in role_ids(body)
        got = [x for x in body["roles"] if x["id"] == rid][0]
        assert got["name"] == r["name"]
        assert got["links"]["self"].endswith(f"/v3/roles/{rid}")
        assert body["links"]["self"].endswith(f"/identity/v3{base}")

    direct = assignments(cloud, tok, f"user.id={u}&role.id={rid}")
    scopes = sorted(next(iter(a["scope"])) for a in direct)
    assert scopes == ["domain", "project", "system"]
    sys_a = [a for a in direct if "system" in a["scope"]][0]
    assert sys_a["scope"]["system"] == {"all": True}
    assert sys_a["links"]["assignment"].endswith(f"/v3/system/users/{u}/roles/{rid}")
    assert [a["role"]["id"] for a in
            assignments(cloud, tok, f"scope.system=all&role.id={rid}")] == [rid]
    assert [a["scope"] for a in
            assignments(cloud, tok, f"scope.domain.id=default&role.id={rid}")] == \
        [{"domain": {"id": "default"}}]

    for base in (f"/projects/{p}/users/{u}/roles", f"/domains/default/users/{u}/roles",
                 f"/system/users/{u}/roles"):
        assert req(cloud, "DELETE", f"{base}/{rid}", tok)[0] == 204
        st, body = req(cloud, "DELETE", f"{base}/{rid}", tok)
        assert st == 404
        assert body["error"]["message"].startswith(
            f"Could not find role assignment with role: {rid}, user or group: {u}")
    assert assignments(cloud, tok, f"role.id={rid}") == []
    req(cloud, "DELETE", f"/roles/{rid}", tok)


def test_grant_404s(cloud):
    tok = admin_token(cloud)
    i = ids(cloud)
    rid = create_role(cloud, tok)["id"]
    u, p = i["demo"], i["p_demo"]
    cases = [
        (f"/projects/{p}/users/{u}/roles/nope", "Could not find role: nope."),
        (f"/projects/{p}/users/nope/roles/{rid}", "Could not find user: nope."),
        (f"/projects/nope/users/{u}/roles/{rid}", "Could not find project: nope."),
        (f"/domains/nope/users/{u}/roles/{rid}", "Could not find domain: nope."),
        (f"/projects/{p}/groups/nope/roles/{rid}", "Could not find group: nope."),
        (f"/system/users/nope/roles/{rid}", "Could not find user: nope."),
        (f"/OS-INHERIT/domains/nope/users/{u}/roles/{rid}/inherited_to_projects",
         "Could not find domain: nope."),
    ]
    for path, msg in cases:
        st, body = req(cloud, "PUT", path, tok)
        assert st == 404, path
        assert body["error"]["message"] == msg, path
    assert req(cloud, "GET", f"/projects/nope/users/{u}/roles", tok)[0] == 404
    assert assignments(cloud, tok, f"role.id={rid}") == []
    req(cloud, "DELETE", f"/roles/{rid}", tok)


def test_grants_cli(cloud):
    name = uniq("role")
    cloud.cli("role", "create", name)
    cloud.cli("role", "add", "--user", "demo", "--project", "demo", name)
    cloud.cli("role", "add", "--user", "demo", "--domain", "default", name)
    cloud.cli("role", "add", "--user", "demo", "--system", "all", name)
    rows = cloud.cli("role", "assignment", "list", "--user", "demo", "--names",
                     "--role", name, "-f", "json")
    got = sorted((r["Project"], r["Domain"], r["System"]) for r in rows)
    assert got == sorted([("demo@Default", "", ""), ("", "Default", ""), ("", "", "all")])
    assert all(r["User"] == "demo@Default" and r["Role"] == name for r in rows)

    rows = cloud.cli("role", "assignment", "list", "--user", "demo", "--project", "demo",
                     "--effective", "--names", "-f", "json")
    assert {name, "member", "reader"} <= {r["Role"] for r in rows}

    cloud.cli("role", "remove", "--user", "demo", "--project", "demo", name)
    cloud.cli("role", "remove", "--user", "demo", "--domain", "default", name)
    cloud.cli("role", "remove", "--user", "demo", "--system", "all", name)
    assert cloud.cli("role", "assignment", "list", "--role", name, "-f", "json") == []
    p = cloud.cli("role", "remove", "--user", "demo", "--project", "demo", name,
                  check=False)
    assert p.returncode != 0 and "404" in p.stderr
    cloud.cli("role", "delete", name)


def test_group_grants(cloud):
    tok = admin_token(cloud)
    st, body = req(cloud, "POST", "/groups", tok, {"group": {"name": uniq("grp")}})
    assert st == 201, body
    gid = body["group"]["id"]
    i = ids(cloud)
    u, p = i["demo"], i["p_demo"]
    assert req(cloud, "PUT", f"/groups/{gid}/users/{u}", tok)[0] == 204
    r = create_role(cloud, tok)
    rid = r["id"]
    for base in (f"/projects/{p}/groups/{gid}/roles", f"/domains/default/groups/{gid}/roles",
                 f"/system/groups/{gid}/roles"):
        assert req(cloud, "PUT", f"{base}/{rid}", tok)[0] == 204
        assert req(cloud, "GET", f"{base}/{rid}", tok)[0] == 204
        assert rid in role_ids(req(cloud, "GET", base, tok)[1])
    direct = assignments(cloud, tok, f"group.id={gid}")
    assert len(direct) == 3 and all(a["group"] == {"id": gid} for a in direct)
    assert req(cloud, "GET", f"/role_assignments?group.id={gid}&effective", tok)[0] == 400

    # the group's role reaches its member's token and the effective list
    _, body = cloud.token("demo", project="demo")
    assert r["name"] in {x["name"] for x in body["token"]["roles"]}
    eff = assignments(cloud, tok, f"user.id={u}&scope.project.id={p}&effective")
    via = [a for a in eff if a["role"]["id"] == rid]
    assert len(via) == 1
    assert via[0]["links"]["membership"].endswith(f"/v3/groups/{gid}/users/{u}")
    assert via[0]["links"]["assignment"].endswith(f"/projects/{p}/groups/{gid}/roles/{rid}")

    # removing the group grant ends the member's project token
    dtok, _ = cloud.token("demo", project="demo")
    assert req(cloud, "DELETE", f"/projects/{p}/groups/{gid}/roles/{rid}", tok)[0] == 204
    st, _, _ = cloud.request("GET", f"{V3}/auth/tokens", token=tok,
                             headers={"X-Subject-Token": dtok})
    assert st == 404
    for base in (f"/domains/default/groups/{gid}/roles", f"/system/groups/{gid}/roles"):
        assert req(cloud, "DELETE", f"{base}/{rid}", tok)[0] == 204
    req(cloud, "DELETE", f"/roles/{rid}", tok)
    req(cloud, "DELETE", f"/groups/{gid}", tok)


def test_inherited_grants(cloud):
    tok = admin_token(cloud)
    i = ids(cloud)
    u, p = i["demo"], i["p_demo"]
    r = create_role(cloud, tok)
    rid = r["id"]
    path = f"/OS-INHERIT/domains/default/users/{u}/roles/{rid}/inherited_to_projects"
    assert req(cloud, "GET", path, tok)[0] == 404
    assert req(cloud, "PUT", path, tok)[0] == 204
    assert req(cloud, "GET", path, tok)[0] == 204
    st, body = req(cloud, "GET",
                   f"/OS-INHERIT/domains/default/users/{u}/roles/inherited_to_projects", tok)
    assert st == 200 and role_ids(body) == [rid]
    # not a domain role: the plain list on the domain does not show it
    assert rid not in role_ids(req(cloud, "GET", f"/domains/default/users/{u}/roles", tok)[1])

    direct = assignments(cloud, tok, f"user.id={u}&role.id={rid}")
    assert len(direct) == 1
    assert direct[0]["scope"] == {"domain": {"id": "default"},
                                  "OS-INHERIT:inherited_to": "projects"}
    assert direct[0]["links"]["assignment"].endswith(path)
    assert assignments(cloud, tok, f"user.id={u}&role.id={rid}"
                                   "&scope.OS-INHERIT:inherited_to=projects") == direct
    eff = assignments(cloud, tok, f"user.id={u}&scope.project.id={p}&effective&role.id={rid}")
    assert len(eff) == 1
    assert eff[0]["scope"] == {"project": {"id": p}, "OS-INHERIT:inherited_to": "projects"}
    assert eff[0]["links"]["assignment"].endswith(path)
    # every project of the domain gets it
    eff = assignments(cloud, tok, f"user.id={u}&effective&role.id={rid}")
    assert {i["p_admin"], p} <= {a["scope"]["project"]["id"] for a in eff}
    _, body = cloud.token("demo", project="demo")
    assert r["name"] in {x["name"] for x in body["token"]["roles"]}

    assert req(cloud, "GET", "/role_assignments?scope.domain.id=default&effective"
                             "&scope.OS-INHERIT:inherited_to=projects", tok)[0] == 400
    assert req(cloud, "DELETE", path, tok)[0] == 204
    assert req(cloud, "DELETE", path, tok)[0] == 404
    _, body = cloud.token("demo", project="demo")
    assert r["name"] not in {x["name"] for x in body["token"]["roles"]}

    # inherited on a project: for its children only
    ppath = f"/OS-INHERIT/projects/{p}/users/{u}/roles/{rid}/inherited_to_projects"
    assert req(cloud, "PUT", ppath, tok)[0] == 204
    assert req(cloud, "GET", ppath, tok)[0] == 204
    assert assignments(cloud, tok, f"user.id={u}&scope.project.id={p}&effective"
                                   f"&role.id={rid}") == []
    assert req(cloud, "DELETE", ppath, tok)[0] == 204
    req(cloud, "DELETE", f"/roles/{rid}", tok)


# ---------------- role assignment listing ----------------

def test_role_assignment_list_cli_names(cloud):
    rows = cloud.cli("role", "assignment", "list", "--names", "-f", "json")
    got = {(r["Role"], r["User"], r["Project"], r["Domain"], r["System"]) for r in rows}
    assert ("admin", "admin@Default", "admin@Default", "", "") in got
    assert ("admin", "admin@Default", "", "Default", "") in got
    assert ("admin", "admin@Default", "", "", "all") in got
    assert ("member", "demo@Default", "demo@Default", "", "") in got
    rows = cloud.cli("role", "assignment", "list", "--effective", "--names", "-f", "json")
    got = {(r["Role"], r["User"], r["Project"]) for r in rows}
    assert ("reader", "demo@Default", "demo@Default") in got  # member implies reader
    assert ("member", "admin@Default", "admin@Default") in got

    tok = admin_token(cloud)
    i = ids(cloud)
    st, body = req(cloud, "GET", f"/role_assignments?user.id={i['demo']}&include_names", tok)
    a = [x for x in body["role_assignments"] if x["role"].get("name") == "member"][0]
    assert a["user"] == {"id": i["demo"], "name": "demo",
                         "domain": {"id": "default", "name": "Default"}}
    assert a["scope"]["project"] == {"id": i["p_demo"], "name": "demo",
                                     "domain": {"id": "default", "name": "Default"}}
    assert body["links"]["self"].endswith("/identity/v3/role_assignments")


def test_role_assignment_list_bad_filters(cloud):
    tok = admin_token(cloud)
    i = ids(cloud)
    for q in ["scope.project.id=a&scope.domain.id=b", "scope.system=all&scope.domain.id=b",
              "scope.system=all&scope.project.id=a", f"user.id={i['demo']}&group.id=g",
              "group.id=g&effective", "include_subtree"]:
        st, body = req(cloud, "GET", "/role_assignments?" + q, tok)
        assert st == 400, q
    assert req(cloud, "GET", "/role_assignments?scope.project.id=nope&include_subtree=1",
               tok)[0] == 404
    st, body = req(cloud, "GET", f"/role_assignments?scope.project.id={i['p_demo']}"
                                 "&include_subtree=true", tok)
    assert st == 200 and body["role_assignments"]


# ---------------- grants and tokens ----------------

def test_unassignment_invalidates_token(cloud):
    tok = admin_token(cloud)
    i = ids(cloud)
    rid = create_role(cloud, tok)["id"]
    base = f"/projects/{i['p_admin']}/users/{i['demo']}/roles/{rid}"
    assert req(cloud, "PUT", base, tok)[0] == 204
    dtok, body = cloud.token("demo", project="admin")
    assert [r["id"] for r in body["token"]["roles"]] == [rid]
    hdr = {"X-Subject-Token": dtok}
    assert cloud.request("GET", f"{V3}/auth/tokens", token=tok, headers=hdr)[0] == 200
    assert req(cloud, "GET", f"/roles/{rid}", dtok)[0] in (200, 403)

    assert req(cloud, "DELETE", base, tok)[0] == 204
    assert cloud.request("GET", f"{V3}/auth/tokens", token=tok, headers=hdr)[0] == 404
    assert req(cloud, "GET", "/auth/projects", dtok)[0] == 401
    st, _, body = cloud.request("POST", f"{V3}/auth/tokens", body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "demo", "domain": {"id": "default"}, "password": cloud.password("demo")}}},
        "scope": {"project": {"id": i["p_admin"]}}}})
    assert st == 401
    req(cloud, "DELETE", f"/roles/{rid}", tok)


def test_role_delete_removes_assignments(cloud):
    tok = admin_token(cloud)
    i = ids(cloud)
    r = create_role(cloud, tok)
    rid = r["id"]
    base = f"/projects/{i['p_admin']}/users/{i['demo']}/roles/{rid}"
    req(cloud, "PUT", base, tok)
    req(cloud, "PUT", f"/system/users/{i['demo']}/roles/{rid}", tok)
    dtok, _ = cloud.token("demo", project="admin")
    assert req(cloud, "DELETE", f"/roles/{rid}", tok)[0] == 204
    assert assignments(cloud, tok, f"role.id={rid}") == []
    assert cloud.request("GET", f"{V3}/auth/tokens", token=tok,
                         headers={"X-Subject-Token": dtok})[0] == 404
    assert req(cloud, "GET", base, tok)[0] == 404
    assert req(cloud, "DELETE", f"/roles/{rid}", tok)[0] == 404
    # demo still holds its own project
    _, body = cloud.token("demo", project="demo")
    assert "member" in {x["name"] for x in body["token"]["roles"]}


def test_domain_role_never_in_token(cloud):
    """A domain-specific role only implies: a domain role named 'admin' grants nothing."""
    tok = admin_token(cloud)
    i = ids(cloud)
    d = create_role(cloud, tok, "admin", domain_id="default")
    g = create_role(cloud, tok)
    req(cloud, "PUT", f"/roles/{d['id']}/implies/{g['id']}", tok)
    assert req(cloud, "PUT", f"/projects/{i['p_demo']}/users/{i['demo']}/roles/{d['id']}",
               tok)[0] == 204
    try:
        dtok, body = cloud.token("demo", project="demo")
        got = {r["id"] for r in body["token"]["roles"]}
        assert g["id"] in got and d["id"] not in got
        assert req(cloud, "POST", "/roles", dtok, {"role": {"name": uniq("r")}})[0] == 403
    finally:
        req(cloud, "DELETE", f"/roles/{d['id']}", tok)
        req(cloud, "DELETE", f"/roles/{g['id']}", tok)
