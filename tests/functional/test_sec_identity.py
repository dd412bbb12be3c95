"""Security findings of issue 9 in identity: trusts and application credentials may not
raise a delegated token above its roles (#4), disabling a domain, a project or a user ends
its tokens for good (#12), and credential blobs are encrypted at rest with a rotatable
credential key repository (#10)."""
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import CIEL

V3 = "/identity/v3"
AUTH = V3 + "/auth/tokens"
TRUSTS = V3 + "/OS-TRUST/trusts"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ok(result, status):
    st, _, body = result
    assert st == status, body
    return body


def forbidden(result, words):
    """A Keystone 403 whose message says 'words'."""
    st, _, body = result
    assert st == 403, body
    assert body["error"]["code"] == 403 and body["error"]["title"] == "Forbidden", body
    assert words in body["error"]["message"], body


def role_id(cloud, admin, name):
    roles = ok(cloud.request("GET", f"{V3}/roles?name={name}", token=admin), 200)["roles"]
    assert len(roles) == 1, roles
    return roles[0]["id"]


def new_user(cloud, admin, domain="default"):
    password = uuid.uuid4().hex
    user = ok(cloud.request("POST", f"{V3}/users", token=admin, body={"user": {
        "name": uniq("u"), "password": password, "domain_id": domain}}), 201)["user"]
    return user["id"], password


def new_project(cloud, admin, domain="default"):
    return ok(cloud.request("POST", f"{V3}/projects", token=admin, body={"project": {
        "name": uniq("p"), "domain_id": domain}}), 201)["project"]["id"]


def grant(cloud, admin, project, user, role):
    ok(cloud.request("PUT", f"{V3}/projects/{project}/users/{user}/roles/{role}",
                     token=admin), 204)


def password_token(cloud, user, password, project=None, domain=None):
    auth = {"identity": {"methods": ["password"], "password": {"user": {
        "id": user, "password": password}}}}
    if project:
        auth["scope"] = {"project": {"id": project}}
    if domain:
        auth["scope"] = {"domain": {"id": domain}}
    st, hdrs, body = cloud.request("POST", AUTH, body={"auth": auth})
    assert st == 201, body
    return hdrs["X-Subject-Token"]


def appcred_token(cloud, ac):
    st, hdrs, body = cloud.request("POST", AUTH, body={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": ac["id"], "secret": ac["secret"]}}}})
    assert st == 201, body
    return hdrs["X-Subject-Token"], body["token"]


def create_appcred(cloud, token, user, **attrs):
    attrs.setdefault("name", uniq("ac"))
    return cloud.request("POST", f"{V3}/users/{user}/application_credentials", token=token,
                         body={"application_credential": attrs})


def assignments(cloud, admin, user):
    body = ok(cloud.request("GET", f"{V3}/role_assignments?user.id={user}&effective",
                            token=admin), 200)
    return [(a.get("scope"), a["role"]["id"]) for a in body["role_assignments"]]


# ================= #4: delegation may not raise privileges =================

@pytest.fixture(scope="module")
def chain(cloud):
    """The report's setting: 'owner' holds admin on a project and hands a restricted and an
    unrestricted application credential with roles [reader] to an application; 'mallory'
    (member of another project) is who the application would like to make admin."""
    admin, _ = cloud.token("admin")
    project = new_project(cloud, admin)
    owner, owner_pw = new_user(cloud, admin)
    grant(cloud, admin, project, owner, role_id(cloud, admin, "admin"))
    mallory, mallory_pw = new_user(cloud, admin)
    other = new_project(cloud, admin)
    grant(cloud, admin, other, mallory, role_id(cloud, admin, "member"))
    owner_tok = password_token(cloud, owner, owner_pw, project=project)
    acs = {}
    for kind, unrestricted in (("restricted", False), ("unrestricted", True)):
        acs[kind] = ok(create_appcred(cloud, owner_tok, owner, roles=[{"name": "reader"}],
                                      unrestricted=unrestricted), 201)["application_credential"]
    return {"admin": admin, "project": project, "owner": owner, "owner_tok": owner_tok,
            "mallory": mallory, "mallory_pw": mallory_pw, "other": other, "acs": acs,
            "roles": {r: role_id(cloud, admin, r) for r in ("admin", "member", "reader")}}


def trust_body(chain, roles, **over):
    t = {"trustor_user_id": chain["owner"], "trustee_user_id": chain["mallory"],
         "project_id": chain["project"], "impersonation": False,
         "roles": [{"name": r} for r in roles]}
    t.update(over)
    return {"trust": t}


def trusts_of(cloud, chain, user):
    body = ok(cloud.request("GET", f"{TRUSTS}?trustee_user_id={user}", token=chain["admin"]),
              200)
    return body["trusts"]


def test_report_chain_restricted_appcred_cannot_delegate_admin(cloud, chain):
    """#4 end to end: a restricted application credential with roles [reader] gives admin
    to another user through a trust, who then grants itself admin. Each step is refused
    and no admin assignment appears."""
    tok, body = appcred_token(cloud, chain["acs"]["restricted"])
    assert [r["name"] for r in body["roles"]] == ["reader"]
    # 1. the trust: refused (a restricted credential manages no trust), nothing stored
    forbidden(cloud.request("POST", TRUSTS, token=tok, body=trust_body(chain, ["admin"])),
              "not allowed for managing trusts")
    forbidden(cloud.request("POST", TRUSTS, token=tok, body=trust_body(chain, ["reader"])),
              "not allowed for managing trusts")
    assert trusts_of(cloud, chain, chain["mallory"]) == []
    # 2. so mallory has no trust to be admin through; its own token is a member's
    mtok = password_token(cloud, chain["mallory"], chain["mallory_pw"], project=chain["other"])
    # 3. and it cannot grant itself admin, on the owner's project or on its own
    for project in (chain["project"], chain["other"]):
        st, _, body = cloud.request(
            "PUT", f"{V3}/projects/{project}/users/{chain['mallory']}/roles/"
            f"{chain['roles']['admin']}", token=mtok)
        assert st == 403, body
    # 4. no admin assignment appeared anywhere
    held = assignments(cloud, chain["admin"], chain["mallory"])
    assert all(role != chain["roles"]["admin"] for _, role in held), held
    assert not any(s.get("project", {}).get("id") == chain["project"] for s, _ in held), held


def test_unrestricted_appcred_delegates_only_its_own_roles(cloud, chain):
    """An unrestricted credential may create trusts (as in Keystone), but a trust's roles
    are checked against the token's roles: reader only, on the credential's project."""
    tok, _ = appcred_token(cloud, chain["acs"]["unrestricted"])
    for roles in (["admin"], ["member"], ["reader", "admin"]):
        forbidden(cloud.request("POST", TRUSTS, token=tok, body=trust_body(chain, roles)),
                  "does not have role")
    # another project of the owner is out of the credential's reach
    admin = chain["admin"]
    elsewhere = new_project(cloud, admin)
    grant(cloud, admin, elsewhere, chain["owner"], chain["roles"]["admin"])
    forbidden(cloud.request("POST", TRUSTS, token=tok,
                            body=trust_body(chain, ["reader"], project_id=elsewhere)),
              "credential's project")
    assert trusts_of(cloud, chain, chain["mallory"]) == []
    # what it holds it may hand on; the trustee gets reader and nothing more
    trust = ok(cloud.request("POST", TRUSTS, token=tok, body=trust_body(chain, ["reader"])),
               201)["trust"]
    assert [r["name"] for r in trust["roles"]] == ["reader"]
    st, hdrs, body = cloud.request("POST", AUTH, body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "id": chain["mallory"], "password": chain["mallory_pw"]}}},
        "scope": {"OS-TRUST:trust": {"id": trust["id"]}}}})
    assert st == 201, body
    assert [r["name"] for r in body["token"]["roles"]] == ["reader"]
    ttok = hdrs["X-Subject-Token"]
    # a trust-scoped token creates no trust (no redelegation) and grants nothing
    forbidden(cloud.request("POST", TRUSTS, token=ttok, body=trust_body(
        chain, ["reader"], trustor_user_id=chain["mallory"], trustee_user_id=chain["owner"])),
        "trust")
    st, _, body = cloud.request(
        "PUT", f"{V3}/projects/{chain['project']}/users/{chain['mallory']}/roles/"
        f"{chain['roles']['admin']}", token=ttok)
    assert st == 403, body
    assert [t["id"] for t in trusts_of(cloud, chain, chain["mallory"])] == [trust["id"]]
    assert trusts_of(cloud, chain, chain["owner"]) == []
    ok(cloud.request("DELETE", f"{TRUSTS}/{trust['id']}", token=tok), 204)


def test_restricted_appcred_cannot_delete_trusts(cloud, chain):
    trust = ok(cloud.request("POST", TRUSTS, token=chain["owner_tok"],
                             body=trust_body(chain, ["member"])), 201)["trust"]
    tok, _ = appcred_token(cloud, chain["acs"]["restricted"])
    forbidden(cloud.request("DELETE", f"{TRUSTS}/{trust['id']}", token=tok),
              "not allowed for managing trusts")
    ok(cloud.request("GET", f"{TRUSTS}/{trust['id']}", token=chain["admin"]), 200)
    ok(cloud.request("DELETE", f"{TRUSTS}/{trust['id']}", token=chain["owner_tok"]), 204)


def test_appcred_cannot_make_appcreds_beyond_its_roles(cloud, chain):
    owner = chain["owner"]
    tok, _ = appcred_token(cloud, chain["acs"]["restricted"])
    forbidden(create_appcred(cloud, tok, owner, roles=[{"name": "reader"}]),
              "not allowed for managing additional application credentials")
    tok, _ = appcred_token(cloud, chain["acs"]["unrestricted"])
    st, _, body = create_appcred(cloud, tok, owner, roles=[{"name": "admin"}])
    assert st == 400 and "unassigned role" in body["error"]["message"], body
    made = ok(create_appcred(cloud, tok, owner), 201)["application_credential"]
    assert [r["name"] for r in made["roles"]] == ["reader"]
    names = [a["name"] for a in ok(cloud.request(
        "GET", f"{V3}/users/{owner}/application_credentials", token=chain["owner_tok"]),
        200)["application_credentials"]]
    assert sorted(names) == sorted([chain["acs"]["restricted"]["name"],
                                    chain["acs"]["unrestricted"]["name"], made["name"]])


# ================= #12: disabling ends tokens for good =================

def validate(cloud, admin, token):
    return cloud.request("GET", AUTH, token=admin, headers={"X-Subject-Token": token})[0]


def use(cloud, token):
    return cloud.request("GET", f"{V3}/auth/projects", token=token)[0]


def assert_dead(cloud, admin, tokens):
    for t in tokens:
        assert validate(cloud, admin, t) == 404
        assert use(cloud, t) == 401


def set_enabled(cloud, admin, path, member, enabled):
    ok(cloud.request("PATCH", path, token=admin, body={member: {"enabled": enabled}}), 200)


def test_disabled_domain_tokens_stay_revoked(cloud):
    admin, _ = cloud.token("admin")
    domain = ok(cloud.request("POST", f"{V3}/domains", token=admin, body={"domain": {
        "name": uniq("d")}}), 201)["domain"]["id"]
    project = new_project(cloud, admin, domain)
    user, pw = new_user(cloud, admin, domain)
    member = role_id(cloud, admin, "member")
    grant(cloud, admin, project, user, member)
    ok(cloud.request("PUT", f"{V3}/domains/{domain}/users/{user}/roles/{member}",
                     token=admin), 204)
    # a Default-domain user with a role on the domain's project
    outsider, opw = new_user(cloud, admin)
    grant(cloud, admin, project, outsider, member)
    bystander = password_token(cloud, outsider, opw)
    tokens = [password_token(cloud, user, pw, project=project),
              password_token(cloud, user, pw, domain=domain),
              password_token(cloud, user, pw),
              password_token(cloud, outsider, opw, project=project)]
    for t in tokens:
        assert validate(cloud, admin, t) == 200 and use(cloud, t) == 200

    set_enabled(cloud, admin, f"{V3}/domains/{domain}", "domain", False)
    assert_dead(cloud, admin, tokens)
    set_enabled(cloud, admin, f"{V3}/domains/{domain}", "domain", True)
    assert_dead(cloud, admin, tokens)
    # the outsider's unscoped token never named the domain: it lives on
    assert validate(cloud, admin, bystander) == 200
    # tokens issued after re-enabling work
    for t in (password_token(cloud, user, pw, project=project),
              password_token(cloud, user, pw, domain=domain),
              password_token(cloud, outsider, opw, project=project)):
        assert validate(cloud, admin, t) == 200 and use(cloud, t) == 200


@pytest.mark.parametrize("what", ["project", "user"])
def test_disabled_project_or_user_tokens_stay_revoked(cloud, what):
    admin, _ = cloud.token("admin")
    project = new_project(cloud, admin)
    user, pw = new_user(cloud, admin)
    grant(cloud, admin, project, user, role_id(cloud, admin, "member"))
    tokens = [password_token(cloud, user, pw, project=project)]
    if what == "user":
        tokens.append(password_token(cloud, user, pw))
    path = f"{V3}/{what}s/{project if what == 'project' else user}"
    set_enabled(cloud, admin, path, what, False)
    assert_dead(cloud, admin, tokens)
    set_enabled(cloud, admin, path, what, True)
    assert_dead(cloud, admin, tokens)
    fresh = password_token(cloud, user, pw, project=project)
    assert validate(cloud, admin, fresh) == 200 and use(cloud, fresh) == 200


@pytest.mark.parametrize("impersonation", [False, True])
def test_disabled_trustor_or_trustee_ends_trust_tokens_for_good(cloud, impersonation):
    """A user's revocation event covers the tokens of the trusts it gave or got, whoever the
    token names (Keystone matches trustor_id and trustee_id): a trust token issued before
    its trustor or trustee was disabled stays invalid once they are enabled again."""
    admin, _ = cloud.token("admin")
    project = new_project(cloud, admin)
    trustor, trustor_pw = new_user(cloud, admin)
    trustee, trustee_pw = new_user(cloud, admin)
    grant(cloud, admin, project, trustor, role_id(cloud, admin, "member"))
    trust = ok(cloud.request("POST", TRUSTS,
                             token=password_token(cloud, trustor, trustor_pw, project=project),
                             body={"trust": {
                                 "trustor_user_id": trustor, "trustee_user_id": trustee,
                                 "project_id": project, "impersonation": impersonation,
                                 "roles": [{"name": "member"}]}}), 201)["trust"]

    def trust_token():
        st, hdrs, body = cloud.request("POST", AUTH, body={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "id": trustee, "password": trustee_pw}}},
            "scope": {"OS-TRUST:trust": {"id": trust["id"]}}}})
        assert st == 201, body
        return hdrs["X-Subject-Token"]

    for who in (trustor, trustee):
        tok = trust_token()
        assert validate(cloud, admin, tok) == 200 and use(cloud, tok) == 200
        set_enabled(cloud, admin, f"{V3}/users/{who}", "user", False)
        assert_dead(cloud, admin, [tok])
        set_enabled(cloud, admin, f"{V3}/users/{who}", "user", True)
        assert_dead(cloud, admin, [tok])
        fresh = trust_token()
        assert validate(cloud, admin, fresh) == 200 and use(cloud, fresh) == 200


def appcred_auth_status(cloud, ac):
    return cloud.request("POST", AUTH, body={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": ac["id"], "secret": ac["secret"]}}}})[0]


@pytest.mark.parametrize("how", ["disable user", "remove a role"])
def test_application_credentials_end_with_the_user_or_its_roles(cloud, how):
    """As in Keystone, disabling a user deletes its application credentials, and removing
    a user's role on a project deletes its credentials there: enabling the user or
    granting the role again brings none back."""
    admin, _ = cloud.token("admin")
    project = new_project(cloud, admin)
    user, pw = new_user(cloud, admin)
    member, reader = role_id(cloud, admin, "member"), role_id(cloud, admin, "reader")
    grant(cloud, admin, project, user, member)
    grant(cloud, admin, project, user, reader)
    elsewhere = new_project(cloud, admin)
    grant(cloud, admin, elsewhere, user, member)
    ac = ok(create_appcred(cloud, password_token(cloud, user, pw, project=project), user,
                           roles=[{"name": "reader"}]), 201)["application_credential"]
    other = ok(create_appcred(cloud, password_token(cloud, user, pw, project=elsewhere), user),
               201)["application_credential"]
    tok, _ = appcred_token(cloud, ac)
    if how == "disable user":
        set_enabled(cloud, admin, f"{V3}/users/{user}", "user", False)
        set_enabled(cloud, admin, f"{V3}/users/{user}", "user", True)
        gone = [ac, other]
    else:
        path = f"{V3}/projects/{project}/users/{user}/roles/{member}"
        ok(cloud.request("DELETE", path, token=admin), 204)
        ok(cloud.request("PUT", path, token=admin), 204)
        gone = [ac]
    assert_dead(cloud, admin, [tok])
    for c in gone:
        assert appcred_auth_status(cloud, c) == 401
        st, _, body = cloud.request(
            "GET", f"{V3}/users/{user}/application_credentials/{c['id']}", token=admin)
        assert st == 404 and body["error"]["code"] == 404, body
    if how == "remove a role":
        assert appcred_auth_status(cloud, other) == 201


# ================= #10: secrets encrypted at rest =================

def db_url(cloud):
    with open(cloud.conf) as f:
        for line in f:
            if line.startswith("connection = "):
                return line.split(" = ", 1)[1].strip()
    return None


def sql(cloud, statement, *params):
    """Runs one statement on the cloud's database; returns the rows (lists of strings)."""
    if cloud.backend == "sqlite":
        import sqlite3
        con = sqlite3.connect(os.path.join(cloud.state, "ciel.db"), timeout=10)
        try:
            rows = con.execute(statement, params).fetchall()
            con.commit()
        finally:
            con.close()
        return [[None if v is None else str(v) for v in r] for r in rows]
    for p in params:  # psql has no bind parameters: our values are hex and words
        statement = statement.replace("?", "'" + p.replace("'", "''") + "'", 1)
    out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          db_url(cloud), "-c", statement],
                         capture_output=True, text=True, check=True).stdout
    return [[None if v == "" else v for v in line.split("\t")]
            for line in out.splitlines() if line]


def stored_bytes(cloud, request):
    """Every byte the database keeps on disk: SQLite's file, WAL and shm, or the whole
    PostgreSQL data directory (heap, WAL)."""
    if cloud.backend == "sqlite":
        root, names = cloud.state, [n for n in os.listdir(cloud.state)
                                    if n.startswith("ciel.db")]
        paths = [os.path.join(root, n) for n in names]
        assert any(p.endswith("-wal") for p in paths), names
    else:
        data = request.getfixturevalue("postgres").data
        paths = [os.path.join(d, n) for d, _, ns in os.walk(data) for n in ns]
    blob = bytearray()
    for p in paths:
        try:
            with open(p, "rb") as f:
                blob += f.read()
        except OSError:
            pass
    return bytes(blob)


def primary_hash(cloud):
    import base64
    import hashlib
    d = os.path.join(cloud.state, "credential-keys")
    with open(os.path.join(d, str(max(int(n) for n in os.listdir(d))))) as f:
        return hashlib.sha256(base64.urlsafe_b64decode(f.read().strip())).hexdigest()


def rotate_credential_keys(cloud):
    p = subprocess.run([CIEL, "keys", "credential-rotate", "--state-dir", cloud.state],
                       env=cloud.env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr


@pytest.fixture(scope="module")
def secrets(cloud):
    """A credential of each kind with a recognisable secret, and an OAuth1 consumer."""
    admin, body = cloud.token("admin")
    me, project = body["token"]["user"]["id"], body["token"]["project"]["id"]
    tag = uuid.uuid4().hex
    s = {"admin": admin, "me": me, "ec2_secret": f"ec2-secret-{tag}",
         "totp_seed": f"TOTPSEED{tag.upper()}"}
    ec2 = {"access": f"access-{tag}", "secret": s["ec2_secret"]}
    s["ec2"] = ok(cloud.request("POST", f"{V3}/credentials", token=admin, body={"credential": {
        "user_id": me, "project_id": project, "type": "ec2", "blob": json.dumps(ec2)}}),
        201)["credential"]
    s["totp"] = ok(cloud.request("POST", f"{V3}/credentials", token=admin, body={"credential": {
        "user_id": me, "type": "totp", "blob": s["totp_seed"]}}), 201)["credential"]
    s["os_ec2"] = ok(cloud.request("POST", f"{V3}/users/{me}/credentials/OS-EC2", token=admin,
                                   body={"tenant_id": project}), 201)["credential"]
    s["consumer"] = ok(cloud.request("POST", f"{V3}/OS-OAUTH1/consumers", token=admin,
                                     body={"consumer": {"description": tag}}), 201)["consumer"]
    s["clear"] = [s["ec2_secret"], s["totp_seed"], s["os_ec2"]["secret"],
                  s["consumer"]["secret"]]
    return s


def assert_reads_back(cloud, s):
    c = ok(cloud.request("GET", f"{V3}/credentials/{s['ec2']['id']}", token=s["admin"]),
           200)["credential"]
    assert json.loads(c["blob"])["secret"] == s["ec2_secret"]
    c = ok(cloud.request("GET", f"{V3}/credentials/{s['totp']['id']}", token=s["admin"]),
           200)["credential"]
    assert c["blob"] == s["totp_seed"]
    listed = ok(cloud.request("GET", f"{V3}/credentials?user_id={s['me']}", token=s["admin"]),
                200)["credentials"]
    assert {c["id"]: c["blob"] for c in listed}[s["totp"]["id"]] == s["totp_seed"]
    c = ok(cloud.request("GET", f"{V3}/users/{s['me']}/credentials/OS-EC2/"
                                f"{s['os_ec2']['access']}", token=s["admin"]), 200)
    assert c["credential"]["secret"] == s["os_ec2"]["secret"]


def assert_encrypted(cloud, request, s):
    on_disk = stored_bytes(cloud, request)
    for secret in s["clear"]:
        assert secret.encode() not in on_disk, secret
    want = primary_hash(cloud)
    for table in ("credential", "consumer"):
        rows = sql(cloud, f"SELECT key_hash FROM {table}")
        assert rows and all(r == [want] for r in rows), (table, rows, want)


def test_secrets_encrypted_at_rest(cloud, request, secrets):
    assert_reads_back(cloud, secrets)
    assert_encrypted(cloud, request, secrets)
    keys = os.path.join(cloud.state, "credential-keys")
    assert os.stat(keys).st_mode & 0o777 == 0o700
    assert sorted(os.listdir(keys)) == ["0", "1"]
    assert all(os.stat(os.path.join(keys, n)).st_mode & 0o777 == 0o600
               for n in os.listdir(keys))
    # a new blob by PATCH is encrypted as well
    secrets["totp_seed"] = "TOTPSEED" + uuid.uuid4().hex.upper()
    secrets["clear"].append(secrets["totp_seed"])
    ok(cloud.request("PATCH", f"{V3}/credentials/{secrets['totp']['id']}",
                     token=secrets["admin"],
                     body={"credential": {"blob": secrets["totp_seed"]}}), 200)
    assert_reads_back(cloud, secrets)
    assert_encrypted(cloud, request, secrets)


def test_credential_keys_rotate(cloud, request, secrets):
    keys = os.path.join(cloud.state, "credential-keys")
    first = primary_hash(cloud)
    for n in range(3):
        rotate_credential_keys(cloud)
        assert primary_hash(cloud) != first
        # every stored secret now under the new primary, and still readable
        assert_encrypted(cloud, request, secrets)
        assert_reads_back(cloud, secrets)
    # the first keys are gone: what they encrypted was encrypted again before
    assert sorted(os.listdir(keys), key=int) == ["0", "3", "4"]
    # the server reloads the keys: what it stores now is under the newest primary
    time.sleep(1.1)
    tag = uuid.uuid4().hex
    c = ok(cloud.request("POST", f"{V3}/credentials", token=secrets["admin"], body={
        "credential": {"user_id": secrets["me"], "type": "totp", "blob": tag}}),
        201)["credential"]
    assert sql(cloud, "SELECT key_hash FROM credential WHERE id = ?", c["id"]) == \
        [[primary_hash(cloud)]]
    assert tag.encode() not in stored_bytes(cloud, request)
    ok(cloud.request("DELETE", f"{V3}/credentials/{c['id']}", token=secrets["admin"]), 204)


def test_clear_secrets_of_an_older_ciel_are_encrypted_at_start(cloud, request, secrets):
    tag = uuid.uuid4().hex
    cid = uuid.uuid4().hex
    cloud.stop()
    sql(cloud, "INSERT INTO credential (id, user_id, type, blob, extra)"
               " VALUES (?, ?, 'totp', ?, '{}')", cid, secrets["me"], f"OLDSEED{tag}")
    assert sql(cloud, "SELECT blob, key_hash FROM credential WHERE id = ?", cid) == \
        [[f"OLDSEED{tag}", None]]
    cloud.start()
    c = ok(cloud.request("GET", f"{V3}/credentials/{cid}", token=secrets["admin"]),
           200)["credential"]
    assert c["blob"] == f"OLDSEED{tag}"
    blob, key_hash = sql(cloud, "SELECT blob, key_hash FROM credential WHERE id = ?", cid)[0]
    assert key_hash == primary_hash(cloud) and tag not in blob
    assert_reads_back(cloud, secrets)
    ok(cloud.request("DELETE", f"{V3}/credentials/{cid}", token=secrets["admin"]), 204)
