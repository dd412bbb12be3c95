"""Trusts (OS-TRUST): CRUD with the real CLI and raw requests, trust-scoped tokens (with and
without impersonation, through the CLI too), the delegated roles, expiry, remaining uses,
deletion ending the tokens, bad input (400), 404s and 403s."""
import datetime
import uuid

import pytest

V3 = "/identity/v3"
AUTH = V3 + "/auth/tokens"
TRUSTS = V3 + "/OS-TRUST/trusts"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def env(cloud):
    """A trustor with two roles on its project; demo is the trustee."""
    admin, _ = cloud.token("admin")
    project = cloud.cli("project", "create", uniq("tp"), "-f", "json")["id"]
    password = uuid.uuid4().hex
    trustor = cloud.cli("user", "create", uniq("trustor"), "--password", password,
                        "--project", project, "-f", "json")["id"]
    roles = {}
    for r in ("delegated", "kept"):
        roles[r] = cloud.cli("role", "create", uniq(r), "-f", "json")
        cloud.cli("role", "add", "--project", project, "--user", trustor, roles[r]["id"])
    demo_tok, demo_body = cloud.token("demo", project="demo")
    st, hdrs, body = cloud.request("POST", AUTH, body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "id": trustor, "password": password}}},
        "scope": {"project": {"id": project}}}})
    assert st == 201, body
    return {"admin": admin, "project": project, "trustor": trustor, "password": password,
            "trustor_tok": hdrs["X-Subject-Token"], "roles": roles, "demo_tok": demo_tok,
            "demo": demo_body["token"]["user"]["id"],
            "demo_password": cloud.password("demo")}


def create(cloud, env, **over):
    trust = {"trustor_user_id": env["trustor"], "trustee_user_id": env["demo"],
             "project_id": env["project"], "impersonation": True,
             "roles": [{"name": env["roles"]["delegated"]["name"]}]}
    trust.update(over)
    return cloud.request("POST", TRUSTS, token=env["trustor_tok"], body={"trust": trust})


def trust_token(cloud, env, trust_id):
    return cloud.request("POST", AUTH, body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "id": env["demo"], "password": env["demo_password"]}}},
        "scope": {"OS-TRUST:trust": {"id": trust_id}}}})


def test_crud_raw(cloud, env):
    st, _, body = create(cloud, env)
    assert st == 201, body
    t = body["trust"]
    assert t["impersonation"] is True and t["expires_at"] is None
    assert t["remaining_uses"] is None and t["project_id"] == env["project"]
    assert [r["name"] for r in t["roles"]] == [env["roles"]["delegated"]["name"]]
    assert "/v3/OS-TRUST/trusts/" + t["id"] in t["links"]["self"]
    for tok in (env["trustor_tok"], env["demo_tok"], env["admin"]):
        st, _, got = cloud.request("GET", f"{TRUSTS}/{t['id']}", token=tok)
        assert st == 200 and got["trust"]["id"] == t["id"], got
    rid = env["roles"]["delegated"]["id"]
    st, _, got = cloud.request("GET", f"{TRUSTS}/{t['id']}/roles", token=env["demo_tok"])
    assert st == 200 and [r["id"] for r in got["roles"]] == [rid], got
    assert cloud.request("HEAD", f"{TRUSTS}/{t['id']}/roles/{rid}",
                         token=env["trustor_tok"])[0] == 200
    assert cloud.request("GET", f"{TRUSTS}/{t['id']}/roles/{env['roles']['kept']['id']}",
                         token=env["trustor_tok"])[0] == 404
    st, _, got = cloud.request("GET", f"{TRUSTS}?trustor_user_id={env['trustor']}",
                               token=env["trustor_tok"])
    assert st == 200 and t["id"] in [x["id"] for x in got["trusts"]], got
    st, _, got = cloud.request("GET", f"{TRUSTS}?trustee_user_id={env['demo']}",
                               token=env["demo_tok"])
    assert st == 200 and t["id"] in [x["id"] for x in got["trusts"]], got
    # only the trustor (or an admin) deletes
    assert cloud.request("DELETE", f"{TRUSTS}/{t['id']}", token=env["demo_tok"])[0] == 403
    assert cloud.request("DELETE", f"{TRUSTS}/{t['id']}", token=env["trustor_tok"])[0] == 204
    assert cloud.request("GET", f"{TRUSTS}/{t['id']}", token=env["trustor_tok"])[0] == 404
    assert cloud.request("DELETE", f"{TRUSTS}/{t['id']}", token=env["trustor_tok"])[0] == 404


def test_cli(cloud, env):
    # the trustor is no admin: the CLI cannot look roles up by name, ids go through as is
    t = cloud.cli("trust", "create", "--project", env["project"], "--role",
                  env["roles"]["delegated"]["id"], "--impersonate", env["trustor"],
                  env["demo"], "-f", "json",
                  env={"OS_CLOUD": "", "OS_AUTH_URL": cloud.auth_url,
                       "OS_IDENTITY_API_VERSION": "3", "OS_USER_ID": env["trustor"],
                       "OS_PASSWORD": env["password"], "OS_PROJECT_ID": env["project"]},
                  cloud=None)
    assert t["impersonation"] is True and t["project_id"] == env["project"]
    shown = cloud.cli("trust", "show", t["id"], "-f", "json")
    assert shown["trustor_user_id"] == env["trustor"]
    assert t["id"] in [x["ID"] for x in cloud.cli("trust", "list", "-f", "json")]
    issued = cloud.cli("token", "issue", "-f", "json", cloud=None, env={
        "OS_AUTH_URL": cloud.auth_url, "OS_IDENTITY_API_VERSION": "3",
        "OS_USER_ID": env["demo"], "OS_PASSWORD": env["demo_password"],
        "OS_TRUST_ID": t["id"]})
    assert issued["user_id"] == env["trustor"] and issued["project_id"] == env["project"]
    cloud.cli("trust", "delete", t["id"])
    assert t["id"] not in [x["ID"] for x in cloud.cli("trust", "list", "-f", "json")]


@pytest.mark.parametrize("impersonation", [True, False])
def test_trust_scoped_token(cloud, env, impersonation):
    st, _, body = create(cloud, env, impersonation=impersonation)
    assert st == 201, body
    tid = body["trust"]["id"]
    st, hdrs, body = trust_token(cloud, env, tid)
    assert st == 201, body
    tok = body["token"]
    assert tok["OS-TRUST:trust"] == {
        "id": tid, "impersonation": impersonation,
        "trustor_user": {"id": env["trustor"]}, "trustee_user": {"id": env["demo"]}}
    assert tok["user"]["id"] == (env["trustor"] if impersonation else env["demo"])
    assert tok["project"]["id"] == env["project"]
    names = {r["name"] for r in tok["roles"]}
    assert env["roles"]["delegated"]["name"] in names
    assert env["roles"]["kept"]["name"] not in names
    # it validates with the same body, and it cannot be rescoped nor create trusts
    subject = hdrs["X-Subject-Token"]
    st, _, v = cloud.request("GET", AUTH, token=env["admin"],
                             headers={"X-Subject-Token": subject})
    assert st == 200 and v["token"]["OS-TRUST:trust"]["id"] == tid, v
    st, _, _ = cloud.request("POST", AUTH, body={"auth": {
        "identity": {"methods": ["token"], "token": {"id": subject}},
        "scope": {"project": {"id": env["project"]}}}})
    assert st == 403
    # deleting the trust ends its tokens
    assert cloud.request("DELETE", f"{TRUSTS}/{tid}", token=env["trustor_tok"])[0] == 204
    st, _, _ = cloud.request("GET", AUTH, token=env["admin"],
                             headers={"X-Subject-Token": subject})
    assert st == 404


def test_expiry_and_remaining_uses(cloud, env):
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5))
    expires = soon.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    st, _, body = create(cloud, env, expires_at=expires, remaining_uses=1)
    assert st == 201, body
    assert body["trust"]["expires_at"].startswith(expires[:-1])
    assert body["trust"]["remaining_uses"] == 1
    tid = body["trust"]["id"]
    st, _, tok = trust_token(cloud, env, tid)
    assert st == 201, tok
    # the token ends with the trust
    assert tok["token"]["expires_at"] <= body["trust"]["expires_at"]
    # the only use is spent
    assert trust_token(cloud, env, tid)[0] == 404
    assert cloud.request("GET", f"{TRUSTS}/{tid}", token=env["trustor_tok"])[0] == 404


def test_bad_input_and_rules(cloud, env):
    before = cloud.request("GET", f"{TRUSTS}?trustor_user_id={env['trustor']}",
                           token=env["trustor_tok"])[2]["trusts"]
    for over, status in [({"expires_at": "bad.123Z"}, 400),
                         ({"impersonation": "yes"}, 400),
                         ({"roles": []}, 400),
                         ({"remaining_uses": 0}, 400),
                         ({"trustee_user_id": uuid.uuid4().hex}, 404),
                         ({"roles": [{"name": uniq("nope")}]}, 404),
                         ({"roles": [{"id": uuid.uuid4().hex}]}, 404),
                         ({"project_id": uuid.uuid4().hex}, 404),
                         ({"trustor_user_id": env["demo"]}, 403)]:
        st, _, body = create(cloud, env, **over)
        assert st == status, (over, body)
    # a role the trustor does not hold
    admin_role = cloud.cli("role", "show", "admin", "-f", "json")["id"]
    st, _, body = create(cloud, env, roles=[{"id": admin_role}])
    assert st == 403, body
    st, _, body = cloud.request("POST", TRUSTS, token=env["trustor_tok"], raw=b"nope")
    assert st == 400, body
    after = cloud.request("GET", f"{TRUSTS}?trustor_user_id={env['trustor']}",
                          token=env["trustor_tok"])[2]["trusts"]
    assert before == after


def test_access_rules(cloud, env):
    st, _, body = create(cloud, env)
    tid = body["trust"]["id"]
    # a user neither trustor nor trustee, without admin
    other_pw = uuid.uuid4().hex
    other = cloud.cli("user", "create", uniq("other"), "--password", other_pw,
                      "-f", "json")["id"]
    cloud.cli("role", "add", "--project", env["project"], "--user", other, "member")
    st, hdrs, _ = cloud.request("POST", AUTH, body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "id": other, "password": other_pw}}},
        "scope": {"project": {"id": env["project"]}}}})
    otok = hdrs["X-Subject-Token"]
    assert cloud.request("GET", f"{TRUSTS}/{tid}", token=otok)[0] == 403
    assert cloud.request("GET", f"{TRUSTS}/{tid}/roles", token=otok)[0] == 403
    assert cloud.request("DELETE", f"{TRUSTS}/{tid}", token=otok)[0] == 403
    assert cloud.request("GET", TRUSTS, token=otok)[0] == 403
    assert cloud.request("GET", f"{TRUSTS}?trustor_user_id={env['trustor']}",
                         token=otok)[0] == 403
    # only the trustee may use the trust
    st, _, body = cloud.request("POST", AUTH, body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "id": other, "password": other_pw}}},
        "scope": {"OS-TRUST:trust": {"id": tid}}}})
    assert st == 403, body
    assert trust_token(cloud, env, uuid.uuid4().hex)[0] == 404
    assert cloud.request("GET", f"{TRUSTS}/{uuid.uuid4().hex}", token=env["admin"])[0] == 404
    # admins list everything and delete any trust
    st, _, got = cloud.request("GET", TRUSTS, token=env["admin"])
    assert st == 200 and tid in [t["id"] for t in got["trusts"]]
    assert cloud.request("DELETE", f"{TRUSTS}/{tid}", token=env["admin"])[0] == 204


def test_user_delete_removes_its_trusts(cloud):
    """A trust dies with its trustee (or trustor): GET answers 404 afterwards."""
    admin, body = cloud.token("admin")
    admin_id = body["token"]["user"]["id"]
    project_id = body["token"]["project"]["id"]
    st, _, u = cloud.request("POST", "/identity/v3/users", token=admin, body={
        "user": {"name": "trustee-gone", "password": "pw-x-123", "domain_id": "default"}})
    assert st == 201
    st, _, t = cloud.request("POST", "/identity/v3/OS-TRUST/trusts", token=admin, body={
        "trust": {"trustor_user_id": admin_id, "trustee_user_id": u["user"]["id"],
                  "project_id": project_id, "impersonation": False,
                  "roles": [{"name": "member"}]}})
    assert st == 201, t
    tid = t["trust"]["id"]
    st, _, _ = cloud.request("DELETE", "/identity/v3/users/" + u["user"]["id"], token=admin)
    assert st == 204
    st, _, _ = cloud.request("GET", "/identity/v3/OS-TRUST/trusts/" + tid, token=admin)
    assert st == 404
