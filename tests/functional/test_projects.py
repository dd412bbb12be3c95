"""Domains, projects and project tags: CRUD through the real CLI and raw requests, filters,
hierarchy rules, conflicts, bad input that changes nothing, policy, token revocation."""
import uuid

import pytest

V3 = "/identity/v3"


def uid():
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.token("admin")[0]


@pytest.fixture(scope="module")
def demo(cloud):
    return cloud.token("demo", project="demo")[0]


def req(cloud, method, path, token, body=None):
    return cloud.request(method, V3 + path, token=token, body=body)


def create_project(cloud, token, **attrs):
    st, _, body = req(cloud, "POST", "/projects", token, {"project": attrs})
    assert st == 201, body
    return body["project"]


def create_domain(cloud, token, **attrs):
    st, _, body = req(cloud, "POST", "/domains", token, {"domain": attrs})
    assert st == 201, body
    return body["domain"]


def drop_domain(cloud, token, domain_id):
    req(cloud, "PATCH", f"/domains/{domain_id}", token, {"domain": {"enabled": False}})
    st, _, _ = req(cloud, "DELETE", f"/domains/{domain_id}", token)
    assert st in (204, 404)


def error(body):
    return body["error"]["message"]


def project_count(cloud, token):
    st, _, body = req(cloud, "GET", "/projects", token)
    assert st == 200
    return len(body["projects"])


# ---------------------------------------------------------------- domains

def test_default_domain(cloud, admin):
    st, _, body = req(cloud, "GET", "/domains/default", admin)
    assert st == 200
    d = body["domain"]
    assert d["id"] == "default" and d["name"] == "Default" and d["enabled"] is True
    assert d["tags"] == [] and d["options"] == {}
    assert d["links"]["self"] == cloud.auth_url + "/domains/default"
    assert not {"domain_id", "parent_id", "is_domain"} & d.keys()


def test_domain_crud_cli(cloud):
    name = "dom-" + uid()
    d = cloud.cli("domain", "create", name, "--description", "first", "-f", "json")
    assert d["name"] == name and d["description"] == "first" and d["enabled"] is True
    shown = cloud.cli("domain", "show", name, "-f", "json")
    assert shown["id"] == d["id"]
    names = [x["Name"] for x in cloud.cli("domain", "list", "-f", "json")]
    assert name in names and "Default" in names
    # an enabled domain cannot be deleted
    p = cloud.cli("domain", "delete", name, check=False)
    assert p.returncode != 0
    assert "Cannot delete a domain that is enabled, please disable it first." in p.stderr
    cloud.cli("domain", "set", name, "--disable", "--description", "second")
    shown = cloud.cli("domain", "show", d["id"], "-f", "json")
    assert shown["enabled"] is False and shown["description"] == "second"
    cloud.cli("domain", "delete", name)
    p = cloud.cli("domain", "show", d["id"], check=False)
    assert p.returncode != 0


def test_domain_api(cloud, admin):
    name = "dom-" + uid()
    d = create_domain(cloud, admin, name=name, description="x", tags=["t1"], color="red")
    assert d["tags"] == ["t1"] and d["color"] == "red" and d["options"] == {}
    # the representation is the same in create, show and list
    st, _, body = req(cloud, "GET", f"/domains/{d['id']}", admin)
    assert st == 200 and body["domain"] == d
    st, _, body = req(cloud, "GET", f"/domains?name={name}", admin)
    assert st == 200 and body["domains"] == [d]
    assert body["links"]["self"] == cloud.auth_url + "/domains"
    # update keeps what is not named
    st, _, body = req(cloud, "PATCH", f"/domains/{d['id']}", admin,
                      {"domain": {"name": name + "-b", "enabled": False}})
    assert st == 200
    u = body["domain"]
    assert u["name"] == name + "-b" and u["enabled"] is False and u["description"] == "x"
    assert u["color"] == "red" and u["tags"] == ["t1"]
    # filters
    st, _, body = req(cloud, "GET", "/domains?enabled=false", admin)
    assert d["id"] in [x["id"] for x in body["domains"]]
    assert all(x["enabled"] is False for x in body["domains"])
    st, _, body = req(cloud, "GET", "/domains?enabled=true", admin)
    assert d["id"] not in [x["id"] for x in body["domains"]]
    assert "default" in [x["id"] for x in body["domains"]]
    st, _, body = req(cloud, "GET", "/domains?name=nosuchdomain", admin)
    assert st == 200 and body["domains"] == []
    # the domain is a project acting as a domain
    st, _, body = req(cloud, "GET", f"/projects/{d['id']}", admin)
    assert st == 200 and body["project"]["is_domain"] is True
    assert body["project"]["domain_id"] is None and body["project"]["parent_id"] is None
    st, _, body = req(cloud, "GET", "/projects?is_domain=true", admin)
    assert {d["id"], "default"} <= {x["id"] for x in body["projects"]}
    st, _, _ = req(cloud, "DELETE", f"/domains/{d['id']}", admin)
    assert st == 204
    for path in (f"/domains/{d['id']}", f"/projects/{d['id']}"):
        st, _, body = req(cloud, "GET", path, admin)
        assert st == 404
    assert error(body) == f"Could not find project: {d['id']}."


def test_domain_errors(cloud, admin):
    name = "dom-" + uid()
    d = create_domain(cloud, admin, name=name)
    st, _, body = req(cloud, "POST", "/domains", admin, {"domain": {"name": name}})
    assert st == 409
    assert error(body) == ("Conflict occurred attempting to store project - it is not "
                           "permitted to have two projects acting as domains with the same "
                           f"name: {name}.")
    st, _, body = req(cloud, "DELETE", f"/domains/{d['id']}", admin)
    assert st == 403
    assert error(body) == "Cannot delete a domain that is enabled, please disable it first."
    missing = uuid.uuid4().hex
    for method, body in (("GET", None), ("DELETE", None),
                         ("PATCH", {"domain": {"description": "x"}})):
        st, _, b = req(cloud, method, f"/domains/{missing}", admin, body)
        assert st == 404 and error(b) == f"Could not find domain: {missing}."
    # a project is not a domain
    st, _, b = req(cloud, "GET", "/domains/" + create_project(cloud, admin, name=uid())["id"],
                   admin)
    assert st == 404
    st, _, before = req(cloud, "GET", "/domains", admin)
    bad = [
        {"domain": {"name": ""}},
        {"domain": {"name": "a" * 65}},
        {"domain": {"name": "   "}},
        {"domain": {"description": "no name"}},
        {"domain": {"name": uid(), "enabled": "yes"}},
        {"domain": {"name": uid(), "description": "d" * 256}},
        {"domain": {"name": uid(), "tags": ["a/b"]}},
        {"domain": {"name": uid(), "options": {"color": True}}},
        {"domain": {"name": uid(), "explicit_domain_id": "not-a-uuid"}},
        {"domain": {"name": uid(), "explicit_domain_id": uuid.uuid4().hex.upper()}},
        {"domain": {"name": uid()}, "other": 1},
        {"domain": "x"},
        {},
    ]
    for b in bad:
        st, _, body = req(cloud, "POST", "/domains", admin, b)
        assert st == 400, (b, body)
        assert body["error"]["code"] == 400 and body["error"]["title"] == "Bad Request"
    st, _, body = req(cloud, "PATCH", f"/domains/{d['id']}", admin, {"domain": {}})
    assert st == 400
    st, _, after = req(cloud, "GET", "/domains", admin)
    assert after["domains"] == before["domains"]
    # an explicit id in Keystone's form is kept
    explicit = uuid.uuid4().hex
    e = create_domain(cloud, admin, name=uid(), explicit_domain_id=explicit)
    assert e["id"] == explicit and "explicit_domain_id" not in e
    drop_domain(cloud, admin, explicit)
    drop_domain(cloud, admin, d["id"])


def test_domain_delete_cascades(cloud, admin):
    d = create_domain(cloud, admin, name="dom-" + uid())
    top = create_project(cloud, admin, name="top", domain_id=d["id"], tags=["x"])
    child = create_project(cloud, admin, name="child", parent_id=top["id"],
                           domain_id=d["id"])
    # users and groups, when their APIs are there
    st, _, user = req(cloud, "POST", "/users", admin,
                      {"user": {"name": "u-" + uid(), "domain_id": d["id"],
                                "password": "secret-pw"}})
    st_g, _, group = req(cloud, "POST", "/groups", admin,
                         {"group": {"name": "g-" + uid(), "domain_id": d["id"]}})
    drop_domain(cloud, admin, d["id"])
    for p in (top, child):
        st2, _, body = req(cloud, "GET", f"/projects/{p['id']}", admin)
        assert st2 == 404
    st2, _, body = req(cloud, "GET", f"/projects?domain_id={d['id']}", admin)
    assert body["projects"] == []
    if st == 201:
        st2, _, _ = req(cloud, "GET", f"/users/{user['user']['id']}", admin)
        assert st2 == 404
    if st_g == 201:
        st2, _, _ = req(cloud, "GET", f"/groups/{group['group']['id']}", admin)
        assert st2 == 404


# ---------------------------------------------------------------- projects

def test_project_crud_cli(cloud):
    name = "proj-" + uid()
    p = cloud.cli("project", "create", name, "--description", "hello", "--tag", "b",
                  "--tag", "a", "--property", "color=blue", "-f", "json")
    assert p["name"] == name and p["description"] == "hello"
    assert p["domain_id"] == "default" and p["parent_id"] == "default"
    assert p["is_domain"] is False and p["enabled"] is True
    assert sorted(p["tags"]) == ["a", "b"] and p["color"] == "blue"
    shown = cloud.cli("project", "show", name, "-f", "json")
    assert shown["id"] == p["id"] and shown["color"] == "blue"
    listed = cloud.cli("project", "list", "-f", "json")
    assert name in [x["Name"] for x in listed]
    cloud.cli("project", "set", name, "--name", name + "-2", "--description", "bye",
              "--disable", "--property", "size=big")
    shown = cloud.cli("project", "show", p["id"], "-f", "json")
    assert shown["name"] == name + "-2" and shown["description"] == "bye"
    assert shown["enabled"] is False and shown["size"] == "big" and shown["color"] == "blue"
    cloud.cli("project", "set", p["id"], "--enable")
    assert cloud.cli("project", "show", p["id"], "-f", "json")["enabled"] is True
    # the same name in another domain is fine; in the same domain it is a conflict
    d = cloud.cli("domain", "create", "dom-" + uid(), "-f", "json")
    q = cloud.cli("project", "create", name + "-2", "--domain", d["id"], "-f", "json")
    assert q["domain_id"] == d["id"] and q["parent_id"] == d["id"]
    r = cloud.cli("project", "create", name + "-2", check=False)
    assert r.returncode != 0 and "HTTP 409" in r.stderr
    cloud.cli("project", "delete", p["id"])
    r = cloud.cli("project", "show", p["id"], check=False)
    assert r.returncode != 0
    cloud.cli("project", "delete", q["id"])
    cloud.cli("domain", "set", d["id"], "--disable")
    cloud.cli("domain", "delete", d["id"])


def test_project_show_equals_list(cloud, admin):
    p = create_project(cloud, admin, name=uid(), tags=["a", "c", "b"], extra_field=[1, 2])
    st, _, shown = req(cloud, "GET", f"/projects/{p['id']}", admin)
    assert st == 200 and shown["project"] == p
    assert p["links"]["self"] == cloud.auth_url + "/projects/" + p["id"]
    assert p["extra_field"] == [1, 2]
    st, _, listed = req(cloud, "GET", "/projects", admin)
    assert p in listed["projects"]
    assert all(x["is_domain"] is False for x in listed["projects"])
    assert listed["links"] == {"self": cloud.auth_url + "/projects", "previous": None,
                               "next": None}


def test_project_errors(cloud, admin):
    name = "proj-" + uid()
    p = create_project(cloud, admin, name=name, description="keep")
    st, _, body = req(cloud, "POST", "/projects", admin, {"project": {"name": name}})
    assert st == 409
    assert error(body).startswith(
        "Conflict occurred attempting to store project - it is not permitted to have two "
        f"projects with either the same name or same id in the same domain: name is {name},")
    other = create_project(cloud, admin, name=name + "-o")
    st, _, body = req(cloud, "PATCH", f"/projects/{other['id']}", admin,
                      {"project": {"name": name}})
    assert st == 409
    missing = uuid.uuid4().hex
    for method, b in (("GET", None), ("DELETE", None),
                      ("PATCH", {"project": {"description": "x"}})):
        st, _, body = req(cloud, method, f"/projects/{missing}", admin, b)
        assert st == 404 and error(body) == f"Could not find project: {missing}."
    n = project_count(cloud, admin)
    bad = [
        {"project": {}},
        {"project": {"name": ""}},
        {"project": {"name": "a" * 65}},
        {"project": {"name": " \t "}},
        {"project": {"name": 5}},
        {"project": {"name": uid(), "enabled": "true"}},
        {"project": {"name": uid(), "description": 7}},
        {"project": {"name": uid(), "tags": ["ok", "no/slash"]}},
        {"project": {"name": uid(), "tags": ["a,b"]}},
        {"project": {"name": uid(), "tags": ["dup", "dup"]}},
        {"project": {"name": uid(), "tags": ["t%d" % i for i in range(81)]}},
        {"project": {"name": uid(), "tags": ["x" * 256]}},
        {"project": {"name": uid(), "domain_id": "bad id!"}},
        {"project": {"name": uid(), "domain_id": uuid.uuid4().hex}},
        {"project": {"name": uid(), "parent_id": uuid.uuid4().hex}},
        {"project": {"name": uid(), "options": {"nope": 1}}},
        {"project": {"name": uid(), "is_domain": True, "parent_id": p["id"]}},
        {"project": {"name": uid()}, "junk": True},
        ["not", "an", "object"],
    ]
    for b in bad:
        st, _, body = req(cloud, "POST", "/projects", admin, b)
        assert st == 400, (b, body)
    st, _, body = cloud.request("POST", V3 + "/projects", token=admin, raw=b"{not json")
    assert st == 400
    assert project_count(cloud, admin) == n
    # a bad update changes nothing, not even its valid members
    for b in ({"project": {"name": "new-" + uid(), "tags": ["a/b"]}},
              {"project": {"name": "new-" + uid(), "enabled": 1}},
              {"project": {"name": ""}},
              {"project": {"id": uuid.uuid4().hex}},
              {"project": {"domain_id": uuid.uuid4().hex}},
              {"project": {"is_domain": True}}):
        st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin, b)
        assert st == 400, (b, body)
    st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                      {"project": {"parent_id": other["id"]}})
    assert st == 403 and error(body) == "Update of `parent_id` is not allowed."
    st, _, body = req(cloud, "GET", f"/projects/{p['id']}", admin)
    assert body["project"] == p
    # the unchanged values of the fixed members are accepted
    st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                      {"project": {"id": p["id"], "domain_id": "default",
                                   "parent_id": "default", "is_domain": False,
                                   "description": None}})
    assert st == 200 and body["project"]["description"] == ""


def test_project_hierarchy(cloud, admin):
    d = create_domain(cloud, admin, name="dom-" + uid())
    top = create_project(cloud, admin, name="top", domain_id=d["id"])
    assert top["parent_id"] == d["id"]
    mid = create_project(cloud, admin, name="mid", domain_id=d["id"], parent_id=top["id"])
    leaf = create_project(cloud, admin, name="leaf", domain_id=d["id"], parent_id=mid["id"])
    assert mid["parent_id"] == top["id"] and leaf["domain_id"] == d["id"]

    st, _, body = req(cloud, "GET", f"/projects/{leaf['id']}?parents_as_ids", admin)
    assert body["project"]["parents"] == {mid["id"]: {top["id"]: {d["id"]: None}}}
    st, _, body = req(cloud, "GET", f"/projects/{top['id']}?subtree_as_ids", admin)
    assert body["project"]["subtree"] == {mid["id"]: {leaf["id"]: None}}
    st, _, body = req(cloud, "GET", f"/projects/{leaf['id']}?subtree_as_ids", admin)
    assert body["project"]["subtree"] is None
    st, _, body = req(cloud, "GET", f"/projects/{top['id']}?subtree_as_ids=0", admin)
    assert "subtree" not in body["project"]
    st, _, body = req(cloud, "GET", f"/projects/{top['id']}?subtree_as_ids&subtree_as_list",
                      admin)
    assert st == 400
    # the lists show only projects the caller has a role on: none here
    st, _, body = req(cloud, "GET", f"/projects/{leaf['id']}?parents_as_list", admin)
    assert st == 200 and body["project"]["parents"] == []
    st, _, body = req(cloud, "GET", f"/projects/{top['id']}?subtree_as_list", admin)
    assert st == 200 and body["project"]["subtree"] == []

    st, _, body = req(cloud, "GET", f"/projects?parent_id={top['id']}", admin)
    assert [x["id"] for x in body["projects"]] == [mid["id"]]

    # a parent in another domain, a missing domain or parent
    st, _, body = req(cloud, "POST", "/projects", admin,
                      {"project": {"name": "x", "parent_id": top["id"]}})
    assert st == 400 and "specifies a parent in a different domain" in error(body)
    st, _, body = req(cloud, "POST", "/projects", admin,
                      {"project": {"name": "x", "domain_id": d["id"], "parent_id": "default"}})
    assert st == 400 and "is acting as a domain" in error(body)

    # not a leaf: cannot be deleted; enabled children: cannot be disabled
    st, _, body = req(cloud, "DELETE", f"/projects/{mid['id']}", admin)
    assert st == 403 and "is not a leaf in the hierarchy" in error(body)
    st, _, body = req(cloud, "PATCH", f"/projects/{top['id']}", admin,
                      {"project": {"enabled": False}})
    assert st == 403 and "subtree contains enabled projects" in error(body)
    for p in (leaf, mid, top):
        st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                          {"project": {"enabled": False}})
        assert st == 200 and body["project"]["enabled"] is False
    # no new project under a disabled one; no enabling under a disabled parent
    st, _, body = req(cloud, "POST", "/projects", admin,
                      {"project": {"name": "x", "domain_id": d["id"], "parent_id": mid["id"]}})
    assert st == 400 and "branch containing a disabled project" in error(body)
    st, _, body = req(cloud, "PATCH", f"/projects/{leaf['id']}", admin,
                      {"project": {"enabled": True}})
    assert st == 403 and "has disabled parents" in error(body)
    for p in (top, mid, leaf):
        st, _, _ = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                       {"project": {"enabled": True}})
        assert st == 200

    # at most 5 levels of projects below a domain
    parent = leaf["id"]
    for level in (4, 5):
        parent = create_project(cloud, admin, name=f"l{level}", domain_id=d["id"],
                                parent_id=parent)["id"]
    st, _, body = req(cloud, "POST", "/projects", admin,
                      {"project": {"name": "l6", "domain_id": d["id"], "parent_id": parent}})
    assert st == 403 and error(body) == f"Max hierarchy depth reached for {parent} branch."
    drop_domain(cloud, admin, d["id"])


def test_project_filters_and_paging(cloud, admin):
    d = create_domain(cloud, admin, name="dom-" + uid())
    mk = lambda name, tags, **kw: create_project(cloud, admin, name=name, domain_id=d["id"],
                                                 tags=tags, **kw)["id"]
    ids = {
        "ab": mk("ab", ["a", "b"]),
        "a": mk("a", ["a"]),
        "bc": mk("bc", ["b", "c"]),
        "none": mk("none", [], enabled=False),
    }

    def names(query):
        st, _, body = req(cloud, "GET", f"/projects?domain_id={d['id']}&{query}", admin)
        assert st == 200, body
        return sorted(k for k, v in ids.items() if v in [x["id"] for x in body["projects"]])

    assert names("") == ["a", "ab", "bc", "none"]
    assert names("name=ab") == ["ab"]
    assert names("enabled=false") == ["none"]
    assert names("enabled=True") == ["a", "ab", "bc"]
    assert names("tags=a") == ["a", "ab"]
    assert names("tags=a,b") == ["ab"]
    assert names("tags-any=a,c") == ["a", "ab", "bc"]
    assert names("not-tags=a,b") == ["a", "bc", "none"]
    assert names("not-tags-any=a,c") == ["none"]
    assert names("tags=b&not-tags-any=c") == ["ab"]
    assert names("tags=zzz") == []
    st, _, body = req(cloud, "GET", "/projects?enabled=maybe", admin)
    assert st == 400
    st, _, body = req(cloud, "GET", f"/projects?domain_id={uuid.uuid4().hex}", admin)
    assert st == 200 and body["projects"] == []

    # paging: limit and marker, a next link while more follow
    seen, url = [], f"/projects?domain_id={d['id']}&limit=3"
    while url:
        st, _, body = req(cloud, "GET", url, admin)
        assert st == 200 and len(body["projects"]) <= 3
        seen += [x["id"] for x in body["projects"]]
        nxt = body["links"]["next"]
        assert (nxt is not None) == bool(body.get("truncated"))
        url = nxt[len(cloud.auth_url):] if nxt else None
    assert sorted(seen) == sorted(ids.values())
    st, _, body = req(cloud, "GET", "/projects?limit=-1", admin)
    assert st == 400
    drop_domain(cloud, admin, d["id"])


def test_is_domain_project(cloud, admin):
    p = create_project(cloud, admin, name="pd-" + uid(), domain_id=None, is_domain=True)
    assert p["is_domain"] is True and p["domain_id"] is None and p["parent_id"] is None
    st, _, body = req(cloud, "GET", "/domains", admin)
    assert p["id"] in [x["id"] for x in body["domains"]]
    # a project may live in it
    q = create_project(cloud, admin, name="inside", domain_id=p["id"])
    assert q["parent_id"] == p["id"]
    st, _, body = req(cloud, "DELETE", f"/projects/{p['id']}", admin)
    assert st == 403
    st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                      {"project": {"enabled": False}})
    assert st == 200
    st, _, _ = req(cloud, "DELETE", f"/projects/{p['id']}", admin)
    assert st == 204
    st, _, _ = req(cloud, "GET", f"/projects/{q['id']}", admin)
    assert st == 404


def test_immutable_option(cloud, admin):
    p = create_project(cloud, admin, name=uid(), options={"immutable": True})
    assert p["options"] == {"immutable": True}
    st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                      {"project": {"description": "x"}})
    assert st == 403 and "Unable to update immutable project resource" in error(body)
    st, _, body = req(cloud, "DELETE", f"/projects/{p['id']}", admin)
    assert st == 403
    st, _, body = req(cloud, "PUT", f"/projects/{p['id']}/tags/t", admin)
    assert st == 403
    st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                      {"project": {"options": {"immutable": False}}})
    assert st == 200 and body["project"]["options"] == {"immutable": False}
    st, _, body = req(cloud, "PATCH", f"/projects/{p['id']}", admin,
                      {"project": {"options": {"immutable": None}}})
    assert st == 200 and body["project"]["options"] == {}
    st, _, _ = req(cloud, "DELETE", f"/projects/{p['id']}", admin)
    assert st == 204


# ---------------------------------------------------------------- tags

def test_project_tags(cloud, admin):
    p = create_project(cloud, admin, name=uid())
    base = f"/projects/{p['id']}/tags"
    st, hdrs, body = req(cloud, "PUT", base + "/first", admin, {})
    assert st == 201 and body is None
    assert hdrs["Location"] == cloud.auth_url + base + "/first"
    st, _, _ = req(cloud, "GET", base + "/first", admin)
    assert st == 204
    st, _, _ = req(cloud, "HEAD", base + "/first", admin)
    assert st == 204
    st, _, body = req(cloud, "GET", base + "/nope", admin)
    assert st == 404 and error(body) == "Could not find project tag: nope."
    st, _, body = req(cloud, "PUT", base + "/first", admin)
    assert st == 400  # already there
    st, _, body = req(cloud, "PUT", base + "/a,b", admin)
    assert st == 400
    st, _, body = req(cloud, "PUT", base + "/" + "x" * 256, admin)
    assert st == 400
    st, _, body = req(cloud, "PUT", base + "/with%20space", admin)
    assert st == 201
    st, _, body = req(cloud, "GET", base, admin)
    assert st == 200 and sorted(body["tags"]) == ["first", "with space"]
    assert body["links"]["self"] == cloud.auth_url + base
    st, _, body = req(cloud, "PUT", base, admin, {"tags": ["x", "y", "z"]})
    assert st == 200 and sorted(body["tags"]) == ["x", "y", "z"]
    for b in ({"tags": ["ok", "bad/"]}, {"tags": "x"}, {}, {"tags": ["a"], "more": 1},
              {"tags": ["t%d" % i for i in range(81)]}):
        st, _, _ = req(cloud, "PUT", base, admin, b)
        assert st == 400
    st, _, body = req(cloud, "GET", f"/projects/{p['id']}", admin)
    assert sorted(body["project"]["tags"]) == ["x", "y", "z"]
    # 80 tags are fine, one more is not
    st, _, _ = req(cloud, "PUT", base, admin, {"tags": ["t%d" % i for i in range(80)]})
    assert st == 200
    st, _, _ = req(cloud, "PUT", base + "/t80", admin)
    assert st == 400
    st, _, _ = req(cloud, "PUT", base, admin, {"tags": ["x", "y"]})
    st, _, _ = req(cloud, "DELETE", base + "/x", admin)
    assert st == 204
    st, _, body = req(cloud, "DELETE", base + "/x", admin)
    assert st == 404
    st, _, body = req(cloud, "GET", base, admin)
    assert body["tags"] == ["y"]
    st, _, _ = req(cloud, "DELETE", base, admin)
    assert st == 204
    st, _, body = req(cloud, "GET", base, admin)
    assert body["tags"] == []
    missing = uuid.uuid4().hex
    st, _, body = req(cloud, "GET", f"/projects/{missing}/tags", admin)
    assert st == 404 and error(body) == f"Could not find project: {missing}."
    # tags through the CLI
    cloud.cli("project", "set", p["id"], "--tag", "cli1", "--tag", "cli2")
    shown = cloud.cli("project", "show", p["id"], "-f", "json")
    assert sorted(shown["tags"]) == ["cli1", "cli2"]
    listed = cloud.cli("project", "list", "--tags", "cli1", "-f", "json")
    assert [x["ID"] for x in listed] == [p["id"]]


# ---------------------------------------------------------------- policy and tokens

def test_non_admin(cloud, admin, demo):
    st, _, body = req(cloud, "GET", "/projects?name=demo", admin)
    demo_project = body["projects"][0]
    other = create_project(cloud, admin, name=uid())
    r = cloud.cli("project", "create", "by-demo-" + uid(), cloud="ciel-demo", check=False)
    assert r.returncode != 0 and "HTTP 403" in r.stderr
    for method, path, body in (
            ("POST", "/projects", {"project": {"name": uid()}}),
            ("GET", "/projects", None),
            ("GET", f"/projects/{other['id']}", None),
            ("PATCH", f"/projects/{demo_project['id']}", {"project": {"description": "x"}}),
            ("DELETE", f"/projects/{other['id']}", None),
            ("PUT", f"/projects/{demo_project['id']}/tags/t", None),
            ("POST", "/domains", {"domain": {"name": uid()}}),
            ("GET", "/domains", None),
            ("DELETE", "/domains/default", None)):
        st, _, b = req(cloud, method, path, demo, body)
        assert st == 403, (method, path, b)
        assert b["error"]["code"] == 403
    # its own project and its domain are readable
    st, _, body = req(cloud, "GET", f"/projects/{demo_project['id']}", demo)
    assert st == 200 and body["project"]["name"] == "demo"
    st, _, body = req(cloud, "GET", f"/projects/{demo_project['id']}/tags", demo)
    assert st == 200
    st, _, body = req(cloud, "GET", "/domains/default", demo)
    assert st == 200 and body["domain"]["enabled"] is True
    d = create_domain(cloud, admin, name="dom-" + uid())
    st, _, body = req(cloud, "GET", f"/domains/{d['id']}", demo)
    assert st == 403
    st, _, _ = req(cloud, "GET", "/projects", None)
    assert st == 401
    drop_domain(cloud, admin, d["id"])


def test_disable_and_delete_revoke_tokens(cloud, admin):
    st, _, body = req(cloud, "GET", "/projects?name=demo", admin)
    demo_project = body["projects"][0]["id"]
    old = cloud.token("demo", project="demo")[0]
    st, _, _ = req(cloud, "GET", f"/projects/{demo_project}", old)
    assert st == 200
    st, _, _ = req(cloud, "PATCH", f"/projects/{demo_project}", admin,
                   {"project": {"enabled": False}})
    assert st == 200
    st, _, _ = req(cloud, "GET", f"/projects/{demo_project}", old)
    assert st == 401
    st, _, _ = req(cloud, "PATCH", f"/projects/{demo_project}", admin,
                   {"project": {"enabled": True}})
    assert st == 200
    # the old token stays revoked; a new one works
    st, _, _ = req(cloud, "GET", f"/projects/{demo_project}", old)
    assert st == 401
    new = cloud.token("demo", project="demo")[0]
    st, _, _ = req(cloud, "GET", f"/projects/{demo_project}", new)
    assert st == 200

    # a project of another domain, a token scoped to it: disabling the domain ends it,
    # deleting the project ends it for good (needs role assignments)
    d = create_domain(cloud, admin, name="dom-" + uid())
    p = create_project(cloud, admin, name="p", domain_id=d["id"])
    st, _, body = req(cloud, "GET", "/users?name=admin", admin)
    assert st == 200 and body["users"], body
    admin_id = body["users"][0]["id"]
    st, _, body = req(cloud, "GET", "/roles?name=member", admin)
    assert st == 200 and body["roles"], body
    member = body["roles"][0]["id"]
    st, _, _ = req(cloud, "PUT", f"/projects/{p['id']}/users/{admin_id}/roles/{member}", admin)
    assert st == 204
    scoped = cloud.request("POST", V3 + "/auth/tokens", body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"},
            "password": cloud.password("admin")}}},
        "scope": {"project": {"id": p["id"]}}}})
    assert scoped[0] == 201
    tok = scoped[1]["X-Subject-Token"]
    st, _, _ = req(cloud, "GET", f"/projects/{p['id']}", tok)
    assert st == 200
    st, _, _ = req(cloud, "PATCH", f"/domains/{d['id']}", admin, {"domain": {"enabled": False}})
    assert st == 200
    st, _, _ = req(cloud, "GET", f"/projects/{p['id']}", tok)
    assert st == 401
    st, _, _ = req(cloud, "PATCH", f"/domains/{d['id']}", admin, {"domain": {"enabled": True}})
    st, _, _ = req(cloud, "DELETE", f"/projects/{p['id']}", admin)
    assert st == 204
    st, _, _ = req(cloud, "GET", "/domains/default", tok)
    assert st == 401
    drop_domain(cloud, admin, d["id"])
