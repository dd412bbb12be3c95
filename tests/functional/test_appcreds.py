"""Credentials (/v3/credentials and OS-EC2) and application credentials: CRUD with the real
CLI and raw requests, ownership, authentication with an application credential through
the CLI and openstacksdk, expiry, deletion ending its tokens, access rules, bad input, 403s,
404s, 409s."""
import datetime
import hashlib
import json
import time
import uuid

import pytest

V3 = "/identity/v3"
AUTH = V3 + "/auth/tokens"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def ids(cloud):
    """Tokens and ids of admin and demo."""
    admin, abody = cloud.token("admin")
    demo, dbody = cloud.token("demo", project="demo")
    return {
        "admin": admin, "demo": demo,
        "admin_id": abody["token"]["user"]["id"], "demo_id": dbody["token"]["user"]["id"],
        "admin_project": abody["token"]["project"]["id"],
        "demo_project": dbody["token"]["project"]["id"],
    }


def appcred_auth(cloud, ac_id, secret):
    body = {"auth": {"identity": {"methods": ["application_credential"],
                                  "application_credential": {"id": ac_id,
                                                             "secret": secret}}}}
    return cloud.request("POST", AUTH, body=body)


def ac_path(user_id, ac_id=None):
    p = f"{V3}/users/{user_id}/application_credentials"
    return p + (f"/{ac_id}" if ac_id else "")


def create_ac(cloud, token, user_id, **attrs):
    attrs.setdefault("name", uniq("ac"))
    return cloud.request("POST", ac_path(user_id), token=token,
                         body={"application_credential": attrs})


# ================= /v3/credentials =================

def test_credential_crud_ec2(cloud, ids):
    tok = ids["admin"]
    access = uuid.uuid4().hex
    blob = json.dumps({"access": access, "secret": "s3cr3t"})
    st, _, body = cloud.request("POST", f"{V3}/credentials", token=tok, body={"credential": {
        "user_id": ids["demo_id"], "project_id": ids["demo_project"], "type": "ec2",
        "blob": blob}})
    assert st == 201, body
    c = body["credential"]
    assert c["id"] == hashlib.sha256(access.encode()).hexdigest()
    assert c["blob"] == blob and c["type"] == "ec2"
    assert c["user_id"] == ids["demo_id"] and c["project_id"] == ids["demo_project"]
    assert c["links"]["self"].endswith(f"/identity/v3/credentials/{c['id']}")

    # list with filters, CLI list and show
    st, _, body = cloud.request("GET", f"{V3}/credentials?user_id={ids['demo_id']}&type=ec2",
                                token=tok)
    assert [x["id"] for x in body["credentials"]] == [c["id"]]
    st, _, body = cloud.request("GET", f"{V3}/credentials?type=cert", token=tok)
    assert c["id"] not in [x["id"] for x in body["credentials"]]
    assert c["id"] in [x["ID"] for x in cloud.cli("credential", "list", "-f", "json")]
    shown = cloud.cli("credential", "show", c["id"], "-f", "json")
    assert shown["blob"] == blob and shown["user_id"] == ids["demo_id"]

    # update the blob and the project; the id stays
    blob2 = json.dumps({"access": "new-access", "secret": "new-secret"})
    st, _, body = cloud.request("PATCH", f"{V3}/credentials/{c['id']}", token=tok, body={
        "credential": {"blob": blob2, "project_id": ids["admin_project"], "type": "ec2"}})
    assert st == 200, body
    assert body["credential"]["id"] == c["id"]
    assert json.loads(body["credential"]["blob"])["access"] == "new-access"
    assert body["credential"]["project_id"] == ids["admin_project"]
    st, _, body = cloud.request("GET", f"{V3}/credentials/{c['id']}", token=tok)
    assert body["credential"]["blob"] == blob2

    # the same access key twice: 409
    st, _, body = cloud.request("POST", f"{V3}/credentials", token=tok, body={"credential": {
        "user_id": ids["demo_id"], "project_id": ids["demo_project"], "type": "ec2",
        "blob": blob}})
    assert st == 409 and body["error"]["code"] == 409

    cloud.cli("credential", "delete", c["id"])
    st, _, body = cloud.request("GET", f"{V3}/credentials/{c['id']}", token=tok)
    assert st == 404
    assert body["error"]["message"] == f"Could not find credential: {c['id']}."
    assert cloud.request("DELETE", f"{V3}/credentials/{c['id']}", token=tok)[0] == 404


def test_credential_cli(cloud, ids):
    access = uuid.uuid4().hex
    blob = json.dumps({"access": access, "secret": "s"})
    out = cloud.cli("credential", "create", "--type", "ec2", "--project", "demo", "demo",
                    blob, "-f", "json")
    assert out["id"] == hashlib.sha256(access.encode()).hexdigest()
    assert out["user_id"] == ids["demo_id"] and out["project_id"] == ids["demo_project"]
    out2 = cloud.cli("credential", "create", "demo", "plain-blob", "-f", "json")
    assert out2["type"] == "cert" and len(out2["id"]) == 32
    cloud.cli("credential", "set", "--user", "demo", "--type", "cert", "--data", "changed",
              out2["id"])
    assert cloud.cli("credential", "show", out2["id"], "-f", "json")["blob"] == "changed"
    cloud.cli("credential", "delete", out["id"], out2["id"])
    listed = [c["ID"] for c in cloud.cli("credential", "list", "-f", "json")]
    assert out["id"] not in listed and out2["id"] not in listed


def test_credential_bad_input_changes_nothing(cloud, ids):
    tok = ids["admin"]
    st, _, body = cloud.request("GET", f"{V3}/credentials", token=tok)
    before = body["credentials"]
    good = {"user_id": ids["demo_id"], "project_id": ids["demo_project"], "type": "ec2",
            "blob": json.dumps({"access": uuid.uuid4().hex, "secret": "x"})}
    for bad in (
            {k: v for k, v in good.items() if k != "project_id"},  # ec2 needs a project
            {k: v for k, v in good.items() if k != "blob"},
            {k: v for k, v in good.items() if k != "type"},
            {k: v for k, v in good.items() if k != "user_id"},
            {**good, "blob": "not json"},
            {**good, "blob": "[1, 2]"},
            {**good, "blob": json.dumps({"secret": "no access"})},
            {**good, "blob": {"access": "x"}},
            {**good, "type": 5}):
        st, _, body = cloud.request("POST", f"{V3}/credentials", token=tok,
                                    body={"credential": bad})
        assert st == 400, (bad, body)
        assert body["error"]["title"] == "Bad Request"
    st, _, _ = cloud.request("POST", f"{V3}/credentials", token=tok, body={"credential": 3})
    assert st == 400
    st, _, body = cloud.request("GET", f"{V3}/credentials", token=tok)
    assert body["credentials"] == before

    # bad updates leave it as it was
    st, _, body = cloud.request("POST", f"{V3}/credentials", token=tok,
                                body={"credential": good})
    cred = body["credential"]
    for patch in ({}, {"blob": "not json"}, {"blob": json.dumps({"secret": "x"})},
                  {"id": "other"}, {"blob": json.dumps({"access": "a", "trust_id": "t"})}):
        st, _, body = cloud.request("PATCH", f"{V3}/credentials/{cred['id']}", token=tok,
                                    body={"credential": patch})
        assert st == 400, (patch, body)
    st, _, body = cloud.request("GET", f"{V3}/credentials/{cred['id']}", token=tok)
    assert body["credential"] == cred
    assert cloud.request("DELETE", f"{V3}/credentials/{cred['id']}", token=tok)[0] == 204


def test_credential_ownership(cloud, ids):
    admin, demo = ids["admin"], ids["demo"]
    # admin's own credential
    st, _, body = cloud.request("POST", f"{V3}/credentials", token=admin, body={"credential": {
        "user_id": ids["admin_id"], "type": "cert", "blob": "admin-secret"}})
    assert st == 201
    theirs = body["credential"]
    # demo manages its own
    st, _, body = cloud.request("POST", f"{V3}/credentials", token=demo, body={"credential": {
        "user_id": ids["demo_id"], "type": "cert", "blob": "demo-secret", "extra": "kept"}})
    assert st == 201, body
    mine = body["credential"]
    assert mine["project_id"] is None and mine["extra"] == "kept"
    st, _, body = cloud.request("PATCH", f"{V3}/credentials/{mine['id']}", token=demo,
                                body={"credential": {"blob": "demo-secret-2"}})
    assert st == 200 and body["credential"]["blob"] == "demo-secret-2"
    # ... sees only its own
    st, _, body = cloud.request("GET", f"{V3}/credentials", token=demo)
    assert st == 200
    assert {c["user_id"] for c in body["credentials"]} == {ids["demo_id"]}
    st, _, body = cloud.request("GET", f"{V3}/credentials?user_id={ids['admin_id']}",
                                token=demo)
    assert body["credentials"] == []
    listed = cloud.cli("credential", "list", "-f", "json", cloud="ciel-demo")
    assert [c["ID"] for c in listed] == [mine["id"]]
    # ... and cannot reach another's, nor hand its own to another user
    for method, body in (("GET", None), ("PATCH", {"credential": {"blob": "x"}}),
                         ("DELETE", None)):
        st, _, out = cloud.request(method, f"{V3}/credentials/{theirs['id']}", token=demo,
                                   body=body)
        assert st == 403, (method, out)
    st, _, _ = cloud.request("POST", f"{V3}/credentials", token=demo, body={"credential": {
        "user_id": ids["admin_id"], "type": "cert", "blob": "x"}})
    assert st == 403
    st, _, _ = cloud.request("PATCH", f"{V3}/credentials/{mine['id']}", token=demo,
                             body={"credential": {"user_id": ids["admin_id"]}})
    assert st == 403
    # a missing credential is a 403 to a non-admin (as Keystone) and a 404 to an admin
    assert cloud.request("GET", f"{V3}/credentials/nope", token=demo)[0] == 403
    assert cloud.request("GET", f"{V3}/credentials/nope", token=admin)[0] == 404
    # the admin sees both
    st, _, body = cloud.request("GET", f"{V3}/credentials", token=admin)
    got = [c["id"] for c in body["credentials"]]
    assert mine["id"] in got and theirs["id"] in got
    assert cloud.request("DELETE", f"{V3}/credentials/{mine['id']}", token=demo)[0] == 204
    assert cloud.request("DELETE", f"{V3}/credentials/{theirs['id']}", token=admin)[0] == 204
    assert cloud.request("GET", f"{V3}/credentials")[0] == 401


def test_ec2_credentials_cli(cloud, ids):
    out = cloud.cli("ec2", "credentials", "create", "-f", "json", cloud="ciel-demo")
    access = out["access"]
    assert out["user_id"] == ids["demo_id"] and out["project_id"] == ids["demo_project"]
    assert len(out["secret"]) == 32
    listed = cloud.cli("ec2", "credentials", "list", "-f", "json", cloud="ciel-demo")
    assert access in [c["Access"] for c in listed]
    shown = cloud.cli("ec2", "credentials", "show", access, "-f", "json", cloud="ciel-demo")
    assert shown["secret"] == out["secret"]
    # the same credential in /v3/credentials, id = sha256(access)
    cid = hashlib.sha256(access.encode()).hexdigest()
    st, _, body = cloud.request("GET", f"{V3}/credentials/{cid}", token=ids["demo"])
    assert st == 200 and json.loads(body["credential"]["blob"])["access"] == access
    # raw OS-EC2 body
    path = f"{V3}/users/{ids['demo_id']}/credentials/OS-EC2"
    st, _, body = cloud.request("GET", f"{path}/{access}", token=ids["demo"])
    assert st == 200
    c = body["credential"]
    assert c["tenant_id"] == ids["demo_project"] and c["trust_id"] is None
    assert c["links"]["self"].endswith(f"/users/{ids['demo_id']}/credentials/OS-EC2/{access}")
    # another user's OS-EC2 collection is not demo's business
    other = f"{V3}/users/{ids['admin_id']}/credentials/OS-EC2"
    assert cloud.request("GET", other, token=ids["demo"])[0] == 403
    st, _, _ = cloud.request("POST", other, token=ids["demo"],
                             body={"tenant_id": ids["demo_project"]})
    assert st == 403
    # bad project, unknown user
    st, _, body = cloud.request("POST", path, token=ids["demo"], body={"tenant_id": "nope"})
    assert st == 404 and body["error"]["message"] == "Could not find project: nope."
    st, _, body = cloud.request("GET", f"{V3}/users/nope/credentials/OS-EC2", token=ids["admin"])
    assert st == 404 and body["error"]["message"] == "Could not find user: nope."
    cloud.cli("ec2", "credentials", "delete", access, cloud="ciel-demo")
    assert cloud.request("GET", f"{path}/{access}", token=ids["demo"])[0] == 404
    assert cloud.request("DELETE", f"{path}/{access}", token=ids["demo"])[0] == 404
    p = cloud.cli("ec2", "credentials", "show", access, cloud="ciel-demo", check=False)
    assert p.returncode != 0


# ================= application credentials =================

def test_appcred_cli_and_sdk(cloud, ids):
    name = uniq("app")
    out = cloud.cli("application", "credential", "create", "--description", "for the app",
                    name, "-f", "json", cloud="ciel-demo")
    ac_id, secret = out["id"], out["secret"]
    assert len(secret) == 86
    assert out["project_id"] == ids["demo_project"] and out["unrestricted"] is False
    assert set(out["roles"].split()) == {"member", "reader"}
    listed = cloud.cli("application", "credential", "list", "-f", "json", cloud="ciel-demo")
    assert ac_id in [a["ID"] for a in listed]
    shown = cloud.cli("application", "credential", "show", name, "-f", "json",
                      cloud="ciel-demo")
    assert shown["id"] == ac_id and "secret" not in shown
    st, _, body = cloud.request("GET", ac_path(ids["demo_id"], ac_id), token=ids["demo"])
    assert st == 200 and "secret" not in body["application_credential"]
    assert body["application_credential"]["links"]["self"].endswith(
        f"/users/{ids['demo_id']}/application_credentials/{ac_id}")

    # authenticate with it: the real CLI ...
    p = cloud.cli("--os-auth-type", "v3applicationcredential", "--os-auth-url",
                  cloud.auth_url, "--os-application-credential-id", ac_id,
                  "--os-application-credential-secret=" + secret, "token", "issue",
                  "-f", "json", cloud=None)
    assert p["project_id"] == ids["demo_project"] and p["user_id"] == ids["demo_id"]
    # ... openstacksdk ...
    conn = cloud.sdk(auth_type="v3applicationcredential", application_credential_id=ac_id,
                     application_credential_secret=secret)
    assert conn.current_project_id == ids["demo_project"]
    names = [a.name for a in conn.identity.application_credentials(user=ids["demo_id"])]
    assert name in names
    # ... and by name with the user
    st, hdrs, body = cloud.request("POST", AUTH, body={"auth": {"identity": {
        "methods": ["application_credential"], "application_credential": {
            "name": name, "secret": secret,
            "user": {"name": "demo", "domain": {"name": "Default"}}}}}})
    assert st == 201, body
    t = body["token"]
    assert t["methods"] == ["application_credential"]
    assert t["application_credential"] == {"id": ac_id, "name": name, "restricted": True}
    assert {r["name"] for r in t["roles"]} == {"member", "reader"}
    ac_token = hdrs["X-Subject-Token"]
    assert appcred_auth(cloud, ac_id, "wrong")[0] == 401

    # a restricted app-cred token may not make or delete app creds, nor EC2 credentials
    st, _, body = create_ac(cloud, ac_token, ids["demo_id"])
    assert st == 403, body
    assert cloud.request("DELETE", ac_path(ids["demo_id"], ac_id), token=ac_token)[0] == 403
    st, _, _ = cloud.request("POST", f"{V3}/users/{ids['demo_id']}/credentials/OS-EC2",
                             token=ac_token, body={"tenant_id": ids["demo_project"]})
    assert st == 403

    # delete: authentication fails and tokens made from it stop working
    cloud.cli("application", "credential", "delete", name, cloud="ciel-demo")
    assert appcred_auth(cloud, ac_id, secret)[0] == 401
    st, _, _ = cloud.request("GET", AUTH, token=ids["admin"],
                             headers={"X-Subject-Token": ac_token})
    assert st == 404
    assert cloud.request("GET", f"{V3}/auth/catalog", token=ac_token)[0] == 401
    p = cloud.cli("--os-auth-type", "v3applicationcredential", "--os-auth-url",
                  cloud.auth_url, "--os-application-credential-id", ac_id,
                  "--os-application-credential-secret=" + secret, "token", "issue",
                  cloud=None, check=False)
    assert p.returncode != 0
    st, _, body = cloud.request("GET", ac_path(ids["demo_id"], ac_id), token=ids["demo"])
    assert st == 404
    assert body["error"]["message"] == f"Could not find Application Credential: {ac_id}."


def test_unrestricted_appcred_may_create_another(cloud, ids):
    st, _, body = create_ac(cloud, ids["demo"], ids["demo_id"], unrestricted=True,
                            secret="my-own-secret")
    assert st == 201 and body["application_credential"]["secret"] == "my-own-secret"
    ac = body["application_credential"]
    st, hdrs, body = appcred_auth(cloud, ac["id"], "my-own-secret")
    assert st == 201 and body["token"]["application_credential"]["restricted"] is False
    tok = hdrs["X-Subject-Token"]
    st, _, body = create_ac(cloud, tok, ids["demo_id"])
    assert st == 201, body
    child = body["application_credential"]
    assert cloud.request("DELETE", ac_path(ids["demo_id"], child["id"]), token=tok)[0] == 204
    assert cloud.request("DELETE", ac_path(ids["demo_id"], ac["id"]),
                         token=ids["demo"])[0] == 204


def test_appcred_roles_and_expiry(cloud, ids):
    demo, uid = ids["demo"], ids["demo_id"]
    # an explicit role, with what it implies
    st, _, body = create_ac(cloud, demo, uid, roles=[{"name": "member"}])
    assert st == 201
    assert {r["name"] for r in body["application_credential"]["roles"]} == {"member",
                                                                          "reader"}
    st, _, body = create_ac(cloud, demo, uid, roles=[{"name": "reader"}])
    assert st == 201, body
    ac = body["application_credential"]
    assert [r["name"] for r in ac["roles"]] == ["reader"]
    st, _, body = appcred_auth(cloud, ac["id"], ac["secret"])
    assert st == 201 and [r["name"] for r in body["token"]["roles"]] == ["reader"]

    # expiry: the Keystone format comes back as given, then the credential stops working
    soon = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + \
        datetime.timedelta(seconds=2)
    st, _, body = create_ac(cloud, demo, uid, expires_at=soon.isoformat())
    assert st == 201, body
    ac = body["application_credential"]
    assert ac["expires_at"] == soon.strftime("%Y-%m-%dT%H:%M:%S.%f")
    st, hdrs, _ = appcred_auth(cloud, ac["id"], ac["secret"])
    assert st == 201
    tok = hdrs["X-Subject-Token"]
    time.sleep(2.5)
    assert appcred_auth(cloud, ac["id"], ac["secret"])[0] == 401
    assert cloud.request("GET", f"{V3}/auth/catalog", token=tok)[0] == 401


def test_appcred_bad_input_conflict_and_policy(cloud, ids):
    demo, admin, uid = ids["demo"], ids["admin"], ids["demo_id"]
    st, _, body = cloud.request("GET", ac_path(uid), token=demo)
    before = body["application_credentials"]
    past = "2001-01-01T00:00:00"
    for bad in ({"description": "no name"}, {"name": ""}, {"name": "   "}, {"name": 5},
                {"name": "x", "expires_at": past}, {"name": "x", "expires_at": "tomorrow"},
                {"name": "x", "roles": [{"name": "admin"}]},
                {"name": "x", "roles": [{"id": "no-such-role"}]},
                {"name": "x", "roles": [{"id": "a", "name": "b"}]},
                {"name": "x", "roles": "member"},
                {"name": "x", "unrestricted": "yes"},
                {"name": "x", "access_rules": "GET /v2.1/servers"},
                {"name": "x", "access_rules": ["GET /v2.1/servers"]},
                {"name": "x", "access_rules": [{"path": "/v2.1/servers", "method": "FETCH",
                                                "service": "compute"}]},
                {"name": "x", "access_rules": [{"path": "v2.1/servers", "method": "GET",
                                                "service": "compute"}]},
                {"name": "x", "access_rules": [{"path": "/v2.1/servers", "method": "GET",
                                                "service": "com pute"}]},
                {"name": "x", "access_rules": [{"path": "/" + "x" * 225, "method": "GET",
                                                "service": "compute"}]},
                {"name": "x", "access_rules": [{"path": "/v2.1/servers", "method": "GET"}]},
                {"name": "x", "access_rules": [{"path": "/v2.1/servers", "method": "GET",
                                                "service": "compute", "extra": 1}]},
                {"name": "x", "access_rules": [{"id": "not/an/id"}]},
                {"name": "x", "bogus": 1}):
        st, _, body = cloud.request("POST", ac_path(uid), token=demo,
                                    body={"application_credential": bad})
        assert st == 400, (bad, body)
        assert body["error"]["title"] == "Bad Request"
    st, _, body = create_ac(cloud, demo, uid, name="x", roles=[{"name": "no-such-role"}])
    assert st == 404 and body["error"]["message"] == "Could not find role: no-such-role."
    st, _, body = cloud.request("POST", ac_path(uid), token=demo, raw=b"{")
    assert st == 400
    st, _, body = cloud.request("GET", ac_path(uid), token=demo)
    assert body["application_credentials"] == before

    # names are unique per user
    name = uniq("dup")
    st, _, body = create_ac(cloud, demo, uid, name=name)
    assert st == 201
    mine = body["application_credential"]
    st, _, body = create_ac(cloud, demo, uid, name=name)
    assert st == 409 and body["error"]["code"] == 409
    st, _, body = create_ac(cloud, admin, ids["admin_id"], name=name)
    assert st == 201
    theirs = body["application_credential"]
    st, _, body = cloud.request("GET", f"{ac_path(uid)}?name={name}", token=demo)
    assert [a["id"] for a in body["application_credentials"]] == [mine["id"]]

    # a user manages only its own; an admin cannot create one for someone else
    admin_path = ac_path(ids["admin_id"])
    assert cloud.request("GET", admin_path, token=demo)[0] == 403
    assert create_ac(cloud, demo, ids["admin_id"])[0] == 403
    assert cloud.request("GET", f"{admin_path}/{theirs['id']}", token=demo)[0] == 403
    assert cloud.request("GET", ac_path(uid, theirs["id"]), token=demo)[0] == 403
    assert cloud.request("DELETE", ac_path(uid, theirs["id"]), token=demo)[0] == 403
    st, _, body = create_ac(cloud, admin, uid)
    assert st == 403
    # the admin may read and delete the demo user's
    assert cloud.request("GET", ac_path(uid, mine["id"]), token=admin)[0] == 200
    assert cloud.request("GET", ac_path(uid), token=admin)[0] == 200
    assert cloud.request("DELETE", ac_path(uid, mine["id"]), token=admin)[0] == 204
    st, _, body = cloud.request("GET", ac_path(uid, "nope"), token=demo)
    assert st == 404
    assert body["error"]["message"] == "Could not find Application Credential: nope."
    assert cloud.request("DELETE", ac_path(uid, "nope"), token=demo)[0] == 404
    assert cloud.request("DELETE", f"{admin_path}/{theirs['id']}", token=admin)[0] == 204


# ================= access rules =================

def rules_path(user_id, rule_id=None):
    p = f"{V3}/users/{user_id}/access_rules"
    return p + (f"/{rule_id}" if rule_id else "")


def test_access_rules_cli(cloud, ids):
    rules = [{"service": "compute", "method": "GET", "path": "/v2.1/servers/*/ips"}]
    out = cloud.cli("application", "credential", "create", "--access-rules",
                    json.dumps(rules), uniq("ar"), "-f", "json", cloud="ciel-demo")
    got = out["access_rules"]
    assert len(got) == 1 and {k: got[0][k] for k in ("service", "method", "path")} == rules[0]
    rid = got[0]["id"]
    listed = cloud.cli("access", "rule", "list", "-f", "json", cloud="ciel-demo")
    assert rid in [r["ID"] for r in listed]
    shown = cloud.cli("access", "rule", "show", rid, "-f", "json", cloud="ciel-demo")
    assert shown["path"] == "/v2.1/servers/*/ips" and shown["service"] == "compute"
    # in use: refused; once the credential is gone it may go
    p = cloud.cli("access", "rule", "delete", rid, cloud="ciel-demo", check=False)
    assert p.returncode != 0 and "403" in p.stderr
    # tokens from such a credential still work (rules are not enforced yet)
    st, _, body = appcred_auth(cloud, out["id"], out["secret"])
    assert st == 201, body
    cloud.cli("application", "credential", "delete", out["id"], cloud="ciel-demo")
    cloud.cli("access", "rule", "delete", rid, cloud="ciel-demo")
    listed = cloud.cli("access", "rule", "list", "-f", "json", cloud="ciel-demo")
    assert rid not in [r["ID"] for r in listed]


def test_access_rules_api(cloud, ids):
    demo, admin, uid = ids["demo"], ids["admin"], ids["demo_id"]
    r1 = {"service": "compute", "method": "GET", "path": "/v2.1/servers"}
    r2 = {"service": "image", "method": "POST", "path": "/v2/images"}
    st, _, body = create_ac(cloud, demo, uid, access_rules=[r1, r2, dict(r1)])
    assert st == 201, body
    ac1 = body["application_credential"]
    got = ac1["access_rules"]
    assert [{k: r[k] for k in ("service", "method", "path")} for r in got] == [r1, r2]
    id1, id2 = got[0]["id"], got[1]["id"]
    st, _, body = cloud.request("GET", ac_path(uid, ac1["id"]), token=demo)
    assert body["application_credential"]["access_rules"] == got
    # a credential without rules has no access_rules member, as Keystone
    st, _, body = create_ac(cloud, demo, uid)
    assert st == 201 and "access_rules" not in body["application_credential"]
    plain = body["application_credential"]

    # reuse: by id, and by equal fields (no new rule either way)
    st, _, body = create_ac(cloud, demo, uid, access_rules=[{"id": id2}, dict(r1)])
    assert st == 201, body
    ac2 = body["application_credential"]
    assert [r["id"] for r in ac2["access_rules"]] == [id2, id1]
    st, _, body = cloud.request("GET", rules_path(uid), token=demo)
    assert st == 200 and sorted(r["id"] for r in body["access_rules"]) == sorted([id1, id2])
    assert body["links"]["self"].endswith(f"/users/{uid}/access_rules")
    st, _, body = cloud.request("GET", rules_path(uid) + "?service=image", token=demo)
    assert [r["id"] for r in body["access_rules"]] == [id2]
    st, _, body = cloud.request("GET", rules_path(uid) + "?method=GET&path=/v2.1/servers",
                                token=demo)
    assert [r["id"] for r in body["access_rules"]] == [id1]
    st, _, body = cloud.request("GET", rules_path(uid, id1), token=demo)
    assert st == 200
    assert {k: body["access_rule"][k] for k in ("id", "service", "method", "path")} == \
        dict(r1, id=id1)
    assert body["access_rule"]["links"]["self"].endswith(f"/users/{uid}/access_rules/{id1}")

    # an unknown id, or another user's, is not found; fields that disagree are refused;
    # nothing is created by a failed request
    st, _, arule = create_ac(cloud, admin, ids["admin_id"], access_rules=[r1])
    assert st == 201
    admin_ac = arule["application_credential"]
    admin_rule = admin_ac["access_rules"][0]["id"]
    assert admin_rule not in (id1, id2)
    for refs, code in (([{"id": "nope"}], 404), ([{"id": admin_rule}], 404),
                       ([dict(r2, id=id1)], 400),
                       ([{"service": "net", "method": "GET", "path": "/v2.0/ports"},
                         {"id": "nope"}], 404)):
        st, _, body = create_ac(cloud, demo, uid, access_rules=refs)
        assert st == code, (refs, body)
    st, _, body = create_ac(cloud, demo, uid, access_rules=[{"id": "nope"}])
    assert body["error"]["message"] == "Could not find Access Rule: nope."
    st, _, body = cloud.request("GET", rules_path(uid), token=demo)
    assert sorted(r["id"] for r in body["access_rules"]) == sorted([id1, id2])

    # a new rule may carry a client-chosen id
    mine = {"id": uniq("rule"), "service": "volume", "method": "DELETE", "path": "/v3/**"}
    st, _, body = create_ac(cloud, demo, uid, access_rules=[mine])
    assert st == 201, body
    ac3 = body["application_credential"]
    assert ac3["access_rules"] == [mine]

    # ownership: 404 under another user's path, 403 for another user's list
    assert cloud.request("GET", rules_path(ids["admin_id"], id1), token=admin)[0] == 404
    assert cloud.request("GET", rules_path(ids["admin_id"]), token=demo)[0] == 403
    assert cloud.request("GET", rules_path(ids["admin_id"], admin_rule),
                         token=demo)[0] == 403
    assert cloud.request("DELETE", rules_path(ids["admin_id"], admin_rule),
                         token=demo)[0] == 403
    # a project's admin is no system reader: another user's rules are not its to read
    assert cloud.request("GET", rules_path(uid), token=admin)[0] == 403
    st, _, body = cloud.request("GET", rules_path(uid, "nope"), token=demo)
    assert st == 404 and body["error"]["message"] == "Could not find Access Rule: nope."
    assert cloud.request("DELETE", rules_path(uid, "nope"), token=demo)[0] == 404

    # in use: 403 until every credential naming it is gone
    st, _, body = cloud.request("DELETE", rules_path(uid, id1), token=demo)
    assert st == 403 and body["error"]["message"] == "May not delete access rule in use"
    assert cloud.request("DELETE", ac_path(uid, ac1["id"]), token=demo)[0] == 204
    assert cloud.request("DELETE", rules_path(uid, id1), token=demo)[0] == 403
    assert cloud.request("DELETE", ac_path(uid, ac2["id"]), token=demo)[0] == 204
    for rid in (id1, id2):
        assert cloud.request("DELETE", rules_path(uid, rid), token=demo)[0] == 204
    assert cloud.request("GET", rules_path(uid, id1), token=demo)[0] == 404
    st, _, body = cloud.request("GET", rules_path(uid), token=demo)
    assert [r["id"] for r in body["access_rules"]] == [mine["id"]]
    for ac in (ac3, plain):
        assert cloud.request("DELETE", ac_path(uid, ac["id"]), token=demo)[0] == 204
    assert cloud.request("DELETE", rules_path(uid, mine["id"]), token=demo)[0] == 204
    assert cloud.request("DELETE", ac_path(ids["admin_id"], admin_ac["id"]),
                         token=admin)[0] == 204
    assert cloud.request("DELETE", rules_path(ids["admin_id"], admin_rule),
                         token=admin)[0] == 204
