"""Users and groups end to end: CRUD with the openstack CLI and openstacksdk, membership,
a user's groups and projects, self-service password change, disabled users, policy, bad
input that changes nothing, 404 and 409, and Keystone's security compliance (lockout,
password history)."""
import time
import uuid

import pytest

V3 = "/identity/v3"
AUTH = V3 + "/auth/tokens"


def uname(prefix="u"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def auth_body(password, user_id=None, name=None, domain="default", scope=None):
    user = {"password": password}
    if user_id:
        user["id"] = user_id
    else:
        user.update(name=name, domain={"id": domain})
    auth = {"identity": {"methods": ["password"], "password": {"user": user}}}
    if scope:
        auth["scope"] = scope
    return {"auth": auth}


def password_token(cloud, user_id, password):
    """(status, token or None, body) of a password authentication by user id."""
    st, hdrs, body = cloud.request("POST", AUTH, body=auth_body(password, user_id=user_id))
    return st, hdrs.get("X-Subject-Token") if st == 201 else None, body


def token_valid(cloud, admin, token):
    st, _, _ = cloud.request("GET", AUTH, token=admin, headers={"X-Subject-Token": token})
    return st == 200


@pytest.fixture(scope="module")
def admin(cloud):
    return cloud.token("admin")[0]


def create_user(cloud, admin, **fields):
    fields.setdefault("name", uname())
    st, _, body = cloud.request("POST", V3 + "/users", token=admin, body={"user": fields})
    assert st == 201, body
    return body["user"]


def test_user_crud_cli(cloud):
    name = uname("cli")
    u = cloud.cli("user", "create", "--password", "pw-1", "--email", "a@example.com",
                  "--description", "first", name, "-f", "json")
    assert u["name"] == name and u["domain_id"] == "default" and u["enabled"] is True
    assert u["email"] == "a@example.com" and u["description"] == "first"
    assert u["options"] == {} and u["password_expires_at"] is None
    assert "password" not in u
    shown = cloud.cli("user", "show", name, "-f", "json")
    assert shown["id"] == u["id"] and shown["email"] == "a@example.com"
    listed = cloud.cli("user", "list", "--domain", "default", "--long", "-f", "json")
    row = [r for r in listed if r["ID"] == u["id"]][0]
    assert row["Email"] == "a@example.com" and row["Enabled"] is True
    cloud.cli("user", "set", "--name", name + "-2", "--email", "b@example.com",
              "--disable", name)
    shown = cloud.cli("user", "show", u["id"], "-f", "json")
    assert shown["name"] == name + "-2" and shown["email"] == "b@example.com"
    assert shown["enabled"] is False and shown["description"] == "first"
    cloud.cli("user", "delete", name + "-2")
    p = cloud.cli("user", "show", u["id"], check=False)
    assert p.returncode != 0 and "No user with a name or ID" in p.stderr


def test_user_body_and_filters(cloud, admin):
    u = create_user(cloud, admin, password="pw", email="e@example.com", enabled=False,
                    tenantId="t-1", description=None)
    assert u["links"]["self"] == f"{cloud.url}{V3}/users/{u['id']}"
    assert u["tenantId"] == "t-1" and u["description"] is None
    assert "default_project_id" not in u
    st, _, body = cloud.request("GET", V3 + "/users/" + u["id"], token=admin)
    assert st == 200 and body["user"] == u
    st, _, body = cloud.request("GET", V3 + "/users?enabled=false", token=admin)
    assert u in body["users"] and all(not x["enabled"] for x in body["users"])
    st, _, body = cloud.request("GET", V3 + "/users?name=" + u["name"], token=admin)
    assert body["users"] == [u]
    st, _, body = cloud.request("GET", V3 + "/users?domain_id=nope", token=admin)
    assert st == 200 and body["users"] == []
    st, _, body = cloud.request("GET", V3 + "/users?password_expires_at=lt:2000-01-01T00:00:00Z",
                                token=admin)
    assert st == 200 and body["users"] == []
    st, _, body = cloud.request("GET", V3 + "/users?password_expires_at=lt:yesterday",
                                token=admin)
    assert st == 400
    # pages: limit, a next link with the marker, every user once
    seen, path = [], V3 + "/users?limit=1"
    while path:
        st, _, body = cloud.request("GET", path, token=admin)
        assert st == 200 and len(body["users"]) <= 1
        seen += [x["id"] for x in body["users"]]
        nxt = body["links"]["next"]
        path = nxt[len(cloud.url):] if nxt else None
    st, _, body = cloud.request("GET", V3 + "/users", token=admin)
    assert sorted(seen) == sorted(x["id"] for x in body["users"])
    assert len(seen) == len(set(seen))


def test_user_sdk(cloud):
    conn = cloud.sdk()
    name = uname("sdk")
    u = conn.identity.create_user(name=name, password="pw-sdk", email="s@example.com",
                                  description="from the sdk")
    assert u.name == name and u.is_enabled and u.domain_id == "default"
    assert conn.identity.find_user(name).id == u.id
    u2 = conn.identity.update_user(u, description="changed", is_enabled=False)
    assert u2.description == "changed" and not u2.is_enabled
    assert u.id in [x.id for x in conn.identity.users(domain_id="default")]
    g = conn.identity.create_group(name=uname("sdkg"), description="g")
    conn.identity.add_user_to_group(u, g)
    assert conn.identity.check_user_in_group(u, g)
    assert [x.id for x in conn.identity.groups(name=g.name)] == [g.id]
    assert list(conn.identity.user_projects(u)) == []
    conn.identity.remove_user_from_group(u, g)
    assert not conn.identity.check_user_in_group(u, g)
    conn.identity.delete_group(g)
    conn.identity.delete_user(u)
    assert conn.identity.find_user(name) is None


def test_group_crud_and_membership_cli(cloud, admin):
    user = create_user(cloud, admin, password="pw")
    gname = uname("grp")
    g = cloud.cli("group", "create", "--description", "devs", gname, "-f", "json")
    assert g["name"] == gname and g["description"] == "devs" and g["domain_id"] == "default"
    cloud.cli("group", "set", "--name", gname + "-x", "--description", "ops", gname)
    shown = cloud.cli("group", "show", g["id"], "-f", "json")
    assert shown["name"] == gname + "-x" and shown["description"] == "ops"
    assert g["id"] in [r["ID"] for r in cloud.cli("group", "list", "-f", "json")]
    cloud.cli("group", "add", "user", g["id"], user["id"])
    cloud.cli("group", "add", "user", g["id"], user["id"])  # idempotent
    out = cloud.cli("group", "contains", "user", g["id"], user["id"]).stdout
    assert "in group" in out and "not in" not in out
    assert [r["ID"] for r in cloud.cli("group", "list", "--user", user["id"], "-f", "json")] \
        == [g["id"]]
    assert [r["ID"] for r in cloud.cli("user", "list", "--group", g["id"], "-f", "json")] \
        == [user["id"]]
    st, _, _ = cloud.request("HEAD", f"{V3}/groups/{g['id']}/users/{user['id']}", token=admin)
    assert st == 204
    # the member list shows the same bodies as the user API
    st, _, body = cloud.request("GET", f"{V3}/groups/{g['id']}/users", token=admin)
    st2, _, one = cloud.request("GET", f"{V3}/users/{user['id']}", token=admin)
    assert body["users"] == [one["user"]]
    cloud.cli("group", "remove", "user", g["id"], user["id"])
    p = cloud.cli("group", "contains", "user", g["id"], user["id"], check=False)
    assert "not in group" in p.stdout + p.stderr
    st, _, body = cloud.request("DELETE", f"{V3}/groups/{g['id']}/users/{user['id']}",
                                token=admin)
    assert st == 404
    assert body["error"]["message"] == f"User '{user['id']}' not found in group '{g['id']}'"
    # deleting a group removes its memberships
    cloud.cli("group", "add", "user", g["id"], user["id"])
    cloud.cli("group", "delete", g["id"])
    st, _, body = cloud.request("GET", f"{V3}/users/{user['id']}/groups", token=admin)
    assert st == 200 and body["groups"] == []
    st, _, body = cloud.request("GET", f"{V3}/groups/{g['id']}", token=admin)
    assert st == 404 and body["error"]["message"] == f"Could not find group: {g['id']}."


def test_deleting_user_removes_memberships(cloud, admin):
    user = create_user(cloud, admin, password="pw")
    st, _, g = cloud.request("POST", V3 + "/groups", token=admin,
                             body={"group": {"name": uname("g")}})
    gid = g["group"]["id"]
    assert cloud.request("PUT", f"{V3}/groups/{gid}/users/{user['id']}", token=admin)[0] == 204
    # a credential, an application credential and a role go with the user
    cloud.cli("role", "add", "--user", user["id"], "--project", "demo", "member")
    cred = cloud.cli("credential", "create", user["id"], '{"k": "v"}', "-f", "json")
    st, hdrs, _ = cloud.request("POST", AUTH, body=auth_body(
        "pw", user_id=user["id"], scope={"project": {"name": "demo",
                                                     "domain": {"id": "default"}}}))
    utok = hdrs["X-Subject-Token"]
    st, _, ac = cloud.request("POST", f"{V3}/users/{user['id']}/application_credentials",
                              token=utok, body={"application_credential": {"name": "ac"}})
    assert st == 201, ac
    ac = ac["application_credential"]
    assert cloud.request("DELETE", f"{V3}/users/{user['id']}", token=admin)[0] == 204
    st, _, body = cloud.request("GET", f"{V3}/groups/{gid}/users", token=admin)
    assert st == 200 and body["users"] == []
    assert not token_valid(cloud, admin, utok)
    st, _, _ = cloud.request("GET", f"{V3}/credentials/{cred['id']}", token=admin)
    assert st == 404
    st, _, _ = cloud.request("POST", AUTH, body={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": ac["id"], "secret": ac["secret"]}}}})
    assert st == 401
    st, _, body = cloud.request("GET", f"{V3}/role_assignments?user.id={user['id']}",
                                token=admin)
    assert st == 200 and body["role_assignments"] == []
    st, _, body = cloud.request("DELETE", f"{V3}/users/{user['id']}", token=admin)
    assert st == 404 and body["error"]["message"] == f"Could not find user: {user['id']}."


def test_user_projects_and_own_access(cloud, admin):
    conn = cloud.sdk()
    demo = conn.identity.find_user("demo")
    st, _, body = cloud.request("GET", f"{V3}/users/{demo.id}/projects", token=admin)
    assert st == 200 and [p["name"] for p in body["projects"]] == ["demo"]
    p = body["projects"][0]
    assert p["domain_id"] == "default" and p["enabled"] is True
    assert p["links"]["self"].endswith("/v3/projects/" + p["id"])
    demo_tok, _ = cloud.token("demo", project="demo")
    # a user may read itself, its groups and its projects, nobody else's
    for path in ("", "/projects", "/groups"):
        st, _, _ = cloud.request("GET", f"{V3}/users/{demo.id}{path}", token=demo_tok)
        assert st == 200, path
    admin_id = conn.identity.find_user("admin").id
    for path in ("", "/projects", "/groups"):
        st, _, body = cloud.request("GET", f"{V3}/users/{admin_id}{path}", token=demo_tok)
        assert st == 403, path
    st, _, _ = cloud.request("GET", V3 + "/users", token=demo_tok)
    assert st == 403
    st, _, _ = cloud.request("GET", V3 + "/groups", token=demo_tok)
    assert st == 403


def test_member_cannot_write(cloud, admin):
    demo_tok, _ = cloud.token("demo", project="demo")
    st, _, body = cloud.request("POST", V3 + "/users", token=demo_tok,
                                body={"user": {"name": uname()}})
    assert st == 403 and body["error"]["code"] == 403
    p = cloud.cli("user", "create", uname("denied"), cloud="ciel-demo", check=False)
    assert p.returncode != 0 and "403" in p.stderr
    st, _, _ = cloud.request("POST", V3 + "/groups", token=demo_tok,
                             body={"group": {"name": uname()}})
    assert st == 403
    st, _, _ = cloud.request("GET", V3 + "/users", token=None)
    assert st == 401


def test_password_change_by_the_user(cloud, admin):
    """The real CLI as the demo user: old tokens stop working, the new password works and
    the old one is refused; a token issued right after the change is valid."""
    old = cloud.password("demo")
    old_tok, _ = cloud.token("demo", project="demo")
    p = cloud.cli("user", "password", "set", "--original-password", "wrong",
                  "--password", "new-pw-1", cloud="ciel-demo", check=False)
    assert p.returncode != 0 and "401" in p.stderr
    cloud.cli("user", "password", "set", "--original-password", old, "--password",
              "new-pw-1", cloud="ciel-demo")
    new_tok, _ = cloud.token("demo", "new-pw-1", project="demo")
    assert token_valid(cloud, admin, new_tok)
    assert not token_valid(cloud, admin, old_tok)
    st, _, _ = cloud.request("GET", V3 + "/users?name=demo", token=old_tok)
    assert st == 401
    # rescoping a revoked token: not found, as Keystone answers (Tempest checks it)
    st, _, _ = cloud.request("POST", AUTH, body={"auth": {"identity": {
        "methods": ["token"], "token": {"id": old_tok}}}})
    assert st == 404
    demo_id = cloud.sdk().identity.find_user("demo").id
    assert password_token(cloud, demo_id, old)[0] == 401
    assert password_token(cloud, demo_id, "new-pw-1")[0] == 201
    # an admin resets it (no history rule on that path) and the user's tokens go
    st, _, _ = cloud.request("PATCH", f"{V3}/users/{demo_id}", token=admin,
                             body={"user": {"password": old}})
    assert st == 200
    assert not token_valid(cloud, admin, new_tok)
    assert password_token(cloud, demo_id, old)[0] == 201
    # self-service with a raw request, and its bad inputs
    path = f"{V3}/users/{demo_id}/password"
    for bad in ({"user": {"password": "x"}}, {"user": {"original_password": old}},
                {"user": {"original_password": old, "password": 1}},
                {"user": {"original_password": old, "password": "x", "extra": 1}}):
        st, _, body = cloud.request("POST", path, body=bad)
        assert st == 400, bad
    assert cloud.request("GET", path, token=admin)[0] == 405
    assert password_token(cloud, demo_id, old)[0] == 201


def test_disabled_user_cannot_authenticate(cloud, admin):
    user = create_user(cloud, admin, password="pw-d")
    st, tok, _ = password_token(cloud, user["id"], "pw-d")
    assert st == 201
    cloud.cli("user", "set", "--disable", user["id"])
    assert password_token(cloud, user["id"], "pw-d")[0] == 401
    st, _, _ = cloud.request("POST", AUTH, body=auth_body("pw-d", name=user["name"]))
    assert st == 401
    assert not token_valid(cloud, admin, tok)
    cloud.cli("user", "set", "--enable", user["id"])
    assert password_token(cloud, user["id"], "pw-d")[0] == 201


def test_bad_input_changes_nothing(cloud, admin):
    user = create_user(cloud, admin, password="pw", email="keep@example.com")
    other = create_user(cloud, admin)
    before = cloud.request("GET", V3 + "/users", token=admin)[2]["users"]
    creates = [
        {},
        {"user": {}},
        {"user": {"name": ""}},
        {"user": {"name": "   "}},
        {"user": {"name": "x" * 256}},
        {"user": {"name": 5}},
        {"user": {"name": uname(), "enabled": "yes"}},
        {"user": {"name": uname(), "password": 7}},
        {"user": {"name": uname(), "domain_id": "bad id!"}},
        {"user": {"name": uname(), "options": {"unknown": True}}},
        {"user": {"name": uname(), "options": {"lock_password": "yes"}}},
        {"user": {"name": uname(), "options": {"multi_factor_auth_rules": [[]]}}},
        {"user": {"name": uname(), "default_project_id": "default"}},
        {"user": {"name": uname(), "federated": [{"idp_id": "x", "protocols": []}]}},
    ]
    for body in creates:
        st, _, reply = cloud.request("POST", V3 + "/users", token=admin, body=body)
        assert st == 400, (body, reply)
        assert reply["error"]["code"] == 400 and reply["error"]["title"] == "Bad Request"
    st, _, reply = cloud.request("POST", V3 + "/users", token=admin, raw=b"{not json")
    assert st == 400
    updates = [
        {"user": {}},
        {"user": {"enabled": "no", "email": "changed@example.com"}},
        {"user": {"id": "other", "email": "changed@example.com"}},
        {"user": {"domain_id": "elsewhere", "email": "changed@example.com"}},
        {"user": {"name": " ", "email": "changed@example.com"}},
        {"user": {"options": {"nope": 1}, "email": "changed@example.com"}},
    ]
    for body in updates:
        st, _, reply = cloud.request("PATCH", f"{V3}/users/{user['id']}", token=admin,
                                     body=body)
        assert st == 400, (body, reply)
    # a conflicting rename fails whole: the other change of the request is not kept
    st, _, reply = cloud.request("PATCH", f"{V3}/users/{user['id']}", token=admin,
                                 body={"user": {"name": other["name"],
                                                "email": "changed@example.com"}})
    assert st == 409
    after = cloud.request("GET", V3 + "/users", token=admin)[2]["users"]
    assert after == before
    st, _, body = cloud.request("GET", f"{V3}/users/{user['id']}", token=admin)
    assert body["user"]["email"] == "keep@example.com"
    # groups
    gbefore = cloud.request("GET", V3 + "/groups", token=admin)[2]["groups"]
    for body in ({}, {"group": {}}, {"group": {"name": ""}},
                 {"group": {"name": uname(), "description": 3}},
                 {"group": {"name": uname(), "domain_id": "a b"}}):
        st, _, reply = cloud.request("POST", V3 + "/groups", token=admin, body=body)
        assert st == 400, (body, reply)
    assert cloud.request("GET", V3 + "/groups", token=admin)[2]["groups"] == gbefore


def test_not_found_and_conflict(cloud, admin):
    missing = uuid.uuid4().hex
    for method, path, body in (
            ("GET", f"/users/{missing}", None),
            ("PATCH", f"/users/{missing}", {"user": {"email": "x@example.com"}}),
            ("DELETE", f"/users/{missing}", None),
            ("GET", f"/users/{missing}/groups", None),
            ("GET", f"/users/{missing}/projects", None)):
        st, _, reply = cloud.request(method, V3 + path, token=admin, body=body)
        assert st == 404, path
        assert reply["error"]["message"] == f"Could not find user: {missing}."
    for method, path, body in (
            ("GET", f"/groups/{missing}", None),
            ("PATCH", f"/groups/{missing}", {"group": {"name": "x"}}),
            ("DELETE", f"/groups/{missing}", None),
            ("GET", f"/groups/{missing}/users", None)):
        st, _, reply = cloud.request(method, V3 + path, token=admin, body=body)
        assert st == 404, path
        assert reply["error"]["message"] == f"Could not find group: {missing}."
    user = create_user(cloud, admin)
    st, _, g = cloud.request("POST", V3 + "/groups", token=admin,
                             body={"group": {"name": uname("g")}})
    gid = g["group"]["id"]
    st, _, reply = cloud.request("PUT", f"{V3}/groups/{gid}/users/{missing}", token=admin)
    assert st == 404 and reply["error"]["message"] == f"Could not find user: {missing}."
    st, _, reply = cloud.request("PUT", f"{V3}/groups/{missing}/users/{user['id']}",
                                 token=admin)
    assert st == 404 and reply["error"]["message"] == f"Could not find group: {missing}."
    st, _, reply = cloud.request("POST", V3 + "/users", token=admin,
                                 body={"user": {"name": user["name"]}})
    assert st == 409 and reply["error"]["message"] == (
        "Conflict occurred attempting to store user - Duplicate entry found with name "
        f"{user['name']} at domain ID default.")
    st, _, reply = cloud.request("POST", V3 + "/groups", token=admin,
                                 body={"group": {"name": g["group"]["name"]}})
    assert st == 409
    st, _, reply = cloud.request("POST", V3 + "/users", token=admin,
                                 body={"user": {"name": uname(), "domain_id": missing}})
    assert st == 404 and reply["error"]["message"] == f"Could not find domain: {missing}."
    p = cloud.cli("user", "create", user["name"], check=False)
    assert p.returncode != 0 and "409" in p.stderr


@pytest.fixture
def compliance(cloud):
    """The cloud restarted with Keystone's security compliance on, as Tempest's run uses
    it; put back afterwards."""
    with open(cloud.conf) as f:
        saved = f.read()
    with open(cloud.conf, "a") as f:
        f.write("[security_compliance]\nlockout_failure_attempts = 2\nlockout_duration = 2\n"
                "unique_last_password_count = 2\nminimum_password_age = 0\n"
                "password_expires_days = 1\npassword_regex = pw-[0-9]+$\n"
                "password_regex_description = pw- then digits\n")
    cloud.restart()
    yield
    with open(cloud.conf, "w") as f:
        f.write(saved)
    cloud.restart()


def test_lockout_and_password_history(cloud, compliance):
    admin, _ = cloud.token("admin")
    user = create_user(cloud, admin, password="pw-0")
    uid = user["id"]
    path = f"{V3}/users/{uid}/password"

    def change(orig, new):
        return cloud.request("POST", path, body={"user": {"original_password": orig,
                                                          "password": new}})
    # history: the current password and the one before cannot come back
    assert change("pw-0", "pw-1")[0] == 204
    st, _, body = change("pw-1", "pw-1")
    assert st == 400 and "identical to a previous password" in body["error"]["message"]
    assert change("pw-1", "pw-0")[0] == 400
    assert change("pw-1", "pw-2")[0] == 204
    assert change("pw-2", "pw-0")[0] == 204
    # an admin reset is not bound by the history
    assert cloud.request("PATCH", f"{V3}/users/{uid}", token=admin,
                         body={"user": {"password": "pw-0"}})[0] == 200
    # lockout: two failures lock the account, even against the right password
    assert password_token(cloud, uid, "pw-0")[0] == 201
    assert password_token(cloud, uid, "bad")[0] == 401
    assert password_token(cloud, uid, "bad")[0] == 401
    st, _, body = password_token(cloud, uid, "pw-0")
    assert st == 401 and body["error"]["message"] == f"The account is locked for user: {uid}."
    assert change("pw-0", "pw-9")[0] == 401
    time.sleep(2.5)
    assert password_token(cloud, uid, "pw-0")[0] == 201
    # a success clears the count: one more failure does not lock
    assert password_token(cloud, uid, "bad")[0] == 401
    assert password_token(cloud, uid, "pw-0")[0] == 201
    # an admin unlocks by enabling the user; ignore_lockout_failure_attempts exempts
    for _ in range(2):
        password_token(cloud, uid, "bad")
    assert password_token(cloud, uid, "pw-0")[0] == 401
    assert cloud.request("PATCH", f"{V3}/users/{uid}", token=admin,
                         body={"user": {"enabled": True,
                                        "options": {"ignore_lockout_failure_attempts": True}}}
                         )[0] == 200
    for _ in range(3):
        assert password_token(cloud, uid, "bad")[0] == 401
    assert password_token(cloud, uid, "pw-0")[0] == 201
    # password_regex and password_expires_days (ignore_password_expiry exempts)
    st, _, body = cloud.request("POST", V3 + "/users", token=admin,
                                body={"user": {"name": uname(), "password": "nope"}})
    assert st == 400 and body["error"]["message"] == (
        "The password does not match the requirements: pw- then digits.")
    st, _, body = change("pw-0", "nope")
    assert st == 400
    other = create_user(cloud, admin, password="pw-7")
    expires = other["password_expires_at"]
    assert expires is not None and not expires.endswith("Z")
    st, _, body = cloud.request("GET", V3 + "/users?password_expires_at=gt:"
                                + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                token=admin)
    assert other["id"] in [x["id"] for x in body["users"]]
    st, _, body = cloud.request("POST", AUTH, body=auth_body("pw-7", user_id=other["id"]))
    assert st == 201 and body["token"]["user"]["password_expires_at"] is not None
    exempt = create_user(cloud, admin, password="pw-8",
                         options={"ignore_password_expiry": True})
    assert exempt["password_expires_at"] is None
    # lock_password refuses self-service changes
    st, _, body = cloud.request("PATCH", f"{V3}/users/{uid}", token=admin,
                                body={"user": {"options": {"lock_password": True}}})
    assert st == 200 and body["user"]["options"] == {
        "ignore_lockout_failure_attempts": True, "lock_password": True}
    assert change("pw-0", "pw-5")[0] == 400


def test_group_roles_reach_members(cloud, admin):
    """A group's role gives its members the project (tokens and /users/{id}/projects);
    leaving the group, or the group going away, revokes their tokens."""
    user = create_user(cloud, admin, password="pw-g")
    uid = user["id"]
    g = cloud.cli("group", "create", uname("rg"), "-f", "json")
    proj = cloud.cli("project", "create", uname("p"), "-f", "json")
    cloud.cli("role", "add", "--group", g["id"], "--project", proj["id"], "member")
    scope = {"project": {"id": proj["id"]}}
    st, _, _ = cloud.request("POST", AUTH, body=auth_body("pw-g", user_id=uid, scope=scope))
    assert st == 401
    cloud.cli("group", "add", "user", g["id"], uid)
    st, _, body = cloud.request("GET", f"{V3}/users/{uid}/projects", token=admin)
    assert [p["id"] for p in body["projects"]] == [proj["id"]]
    st, hdrs, _ = cloud.request("POST", AUTH, body=auth_body("pw-g", user_id=uid, scope=scope))
    assert st == 201
    tok = hdrs["X-Subject-Token"]
    # the user lists its own projects with its own token
    st, _, body = cloud.request("GET", f"{V3}/users/{uid}/projects", token=tok)
    assert st == 200 and [p["id"] for p in body["projects"]] == [proj["id"]]
    cloud.cli("group", "remove", "user", g["id"], uid)
    assert not token_valid(cloud, admin, tok)
    st, _, body = cloud.request("GET", f"{V3}/users/{uid}/projects", token=admin)
    assert body["projects"] == []
    # an inherited domain role reaches every project of the domain
    cloud.cli("group", "add", "user", g["id"], uid)
    cloud.cli("role", "add", "--group", g["id"], "--domain", "default", "--inherited",
              "reader")
    st, _, body = cloud.request("GET", f"{V3}/users/{uid}/projects", token=admin)
    names = {p["name"] for p in body["projects"]}
    assert {"admin", "demo", proj["name"]} <= names
    st, hdrs, _ = cloud.request("POST", AUTH, body=auth_body("pw-g", user_id=uid, scope=scope))
    tok = hdrs["X-Subject-Token"]
    cloud.cli("group", "delete", g["id"])
    assert not token_valid(cloud, admin, tok)
    st, _, body = cloud.request("GET", f"{V3}/users/{uid}/projects", token=admin)
    assert body["projects"] == []
    st, _, body = cloud.request("GET", f"{V3}/role_assignments?group.id={g['id']}",
                                token=admin)
    assert st == 200 and body["role_assignments"] == []


def test_default_project_and_domain_users(cloud, admin):
    """A user made in another domain with a default project gets a token scoped to it;
    filters by domain; names are unique per domain only."""
    dom = cloud.cli("domain", "create", uname("dom"), "-f", "json")
    proj = cloud.cli("project", "create", "--domain", dom["id"], uname("p"), "-f", "json")
    name = uname("du")
    u = cloud.cli("user", "create", "--domain", dom["id"], "--project", proj["id"],
                  "--password", "pw-dom", name, "-f", "json")
    assert u["domain_id"] == dom["id"] and u["default_project_id"] == proj["id"]
    twin = cloud.cli("user", "create", name, "-f", "json")  # same name, default domain
    assert twin["domain_id"] == "default"
    cloud.cli("role", "add", "--user", u["id"], "--project", proj["id"], "member")
    st, _, body = cloud.request("POST", AUTH, body=auth_body("pw-dom", name=name,
                                                             domain=dom["id"]))
    assert st == 201 and body["token"]["project"]["id"] == proj["id"]
    listed = cloud.cli("user", "list", "--domain", dom["id"], "-f", "json")
    assert [r["ID"] for r in listed] == [u["id"]]
    st, _, body = cloud.request("GET", f"{V3}/users?name={name}", token=admin)
    assert {x["id"] for x in body["users"]} == {u["id"], twin["id"]}
    # a domain cannot be a default project
    st, _, body = cloud.request("PATCH", f"{V3}/users/{u['id']}", token=admin,
                                body={"user": {"default_project_id": dom["id"]}})
    assert st == 400
    st, _, body = cloud.request("PATCH", f"{V3}/users/{u['id']}", token=admin,
                                body={"user": {"default_project_id": None}})
    assert st == 200 and "default_project_id" not in body["user"]
