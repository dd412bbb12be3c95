"""Tokens end to end: issue, validate, check, revoke, rescope, scopes, bad input, restart."""
import json
import subprocess
import threading
import urllib.request

import pytest

from conftest import CIEL

AUTH = "/identity/v3/auth/tokens"


def password_auth(user, password, scope=None, domain="Default"):
    auth = {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": domain}, "password": password}}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def test_issue_scoped_token_body(cloud):
    tok, body = cloud.token("admin")
    t = body["token"]
    assert tok.startswith("gAAAAA") and len(tok) < 255
    assert t["methods"] == ["password"]
    assert t["user"]["name"] == "admin"
    assert t["user"]["domain"] == {"id": "default", "name": "Default"}
    assert t["project"]["name"] == "admin"
    assert t["project"]["domain"]["id"] == "default"
    assert {r["name"] for r in t["roles"]} >= {"admin", "member", "reader"}
    assert len(t["audit_ids"]) == 1 and len(t["audit_ids"][0]) == 22
    assert t["expires_at"].endswith("Z") and t["issued_at"] < t["expires_at"]
    types = {s["type"]: s for s in t["catalog"]}
    ep = types["identity"]["endpoints"]
    assert {e["interface"] for e in ep} == {"public", "internal", "admin"}
    assert all(e["url"] == cloud.url + "/identity" for e in ep)


def test_validate_check_revoke(cloud):
    admin, _ = cloud.token("admin")
    demo, _ = cloud.token("demo", project="demo")
    st, hdrs, body = cloud.request("GET", AUTH, token=admin, headers={"X-Subject-Token": demo})
    assert st == 200
    assert hdrs["X-Subject-Token"] == demo
    assert body["token"]["user"]["name"] == "demo"
    assert [r["name"] for r in body["token"]["roles"]] == ["member", "reader"]
    st, _, body = cloud.request("GET", AUTH + "?nocatalog", token=admin,
                                headers={"X-Subject-Token": demo})
    assert st == 200 and "catalog" not in body["token"]
    st, _, _ = cloud.request("HEAD", AUTH, token=admin, headers={"X-Subject-Token": demo})
    assert st == 200
    # a member may validate its own token, not another's
    st, _, _ = cloud.request("GET", AUTH, token=demo, headers={"X-Subject-Token": demo})
    assert st == 200
    st, _, body = cloud.request("GET", AUTH, token=demo, headers={"X-Subject-Token": admin})
    assert st == 403 and body["error"]["code"] == 403
    # revoke: the token is gone for validation (404) and for use (401)
    st, _, _ = cloud.request("DELETE", AUTH, token=admin, headers={"X-Subject-Token": demo})
    assert st == 204
    st, _, body = cloud.request("GET", AUTH, token=admin, headers={"X-Subject-Token": demo})
    assert st == 404 and body["error"]["title"] == "Not Found"
    st, hdrs, body = cloud.request("GET", "/identity/v3/auth/catalog", token=demo)
    assert st == 401 and body["error"]["code"] == 401
    assert "Keystone uri=" in hdrs["WWW-Authenticate"]
    # a new token for the same user still works
    demo2, _ = cloud.token("demo", project="demo")
    st, _, _ = cloud.request("GET", "/identity/v3/auth/catalog", token=demo2)
    assert st == 200


def test_scopes(cloud):
    pw = cloud.password("admin")
    st, hdrs, body = cloud.request("POST", AUTH, body=password_auth("admin", pw, "unscoped"))
    assert st == 201
    assert "project" not in body["token"] and "catalog" not in body["token"]
    unscoped = hdrs["X-Subject-Token"]
    st, _, body = cloud.request("POST", AUTH, body=password_auth(
        "admin", pw, {"domain": {"name": "Default"}}))
    assert st == 201 and body["token"]["domain"]["id"] == "default"
    st, _, body = cloud.request("POST", AUTH, body=password_auth(
        "admin", pw, {"system": {"all": True}}))
    assert st == 201 and body["token"]["system"] == {"all": True}
    # rescope the unscoped token to a project: same user, audit chain kept
    st, _, body = cloud.request("POST", AUTH, body={"auth": {
        "identity": {"methods": ["token"], "token": {"id": unscoped}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    assert st == 201
    assert "token" in body["token"]["methods"]
    assert len(body["token"]["audit_ids"]) == 2
    # demo has no role on project admin, nor on the system
    dpw = cloud.password("demo")
    for scope in ({"project": {"name": "admin", "domain": {"id": "default"}}},
                  {"system": {"all": True}}):
        st, _, body = cloud.request("POST", AUTH, body=password_auth("demo", dpw, scope))
        assert st == 401, body
    # no scope asked: the default project applies
    st, _, body = cloud.request("POST", AUTH, body=password_auth("demo", dpw))
    assert st == 201 and body["token"]["project"]["name"] == "demo"


def test_auth_projects_and_catalog(cloud):
    demo, _ = cloud.token("demo", project="demo")
    st, _, body = cloud.request("GET", "/identity/v3/auth/projects", token=demo)
    assert st == 200 and [p["name"] for p in body["projects"]] == ["demo"]
    st, _, body = cloud.request("GET", "/identity/v3/auth/catalog", token=demo)
    assert st == 200 and any(s["type"] == "identity" for s in body["catalog"])
    st, _, body = cloud.request("GET", "/identity/v3/auth/system", token=demo)
    assert st == 200 and body["system"] == []
    admin, _ = cloud.token("admin")
    st, _, body = cloud.request("GET", "/identity/v3/auth/system", token=admin)
    assert body["system"] == [{"all": True}]


@pytest.mark.parametrize("body,status", [
    (b"{not json", 400),
    (b"[]", 400),
    (b'{"auth": {}}', 400),
    (b'{"auth": {"identity": {"methods": "password"}}}', 400),
    (b'{"auth": {"identity": {"methods": ["password"]}}}', 400),
    (b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "password": "x"}}}}}', 400),
    (b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "nobody", "password": "x"}}}}}', 401),
    (b'{"auth": {"identity": {"methods": ["kerberos"], "kerberos": {}}}}', 401),
    (b'{"auth": {"identity": {"methods": ["token"], "token": {"id": "garbage"}}}}', 401),
])
def test_bad_auth_requests(cloud, body, status):
    st, hdrs, reply = cloud.request("POST", AUTH, raw=body)
    assert st == status, reply
    assert reply["error"]["code"] == status
    assert reply["error"]["title"] and reply["error"]["message"]
    assert hdrs["x-openstack-request-id"].startswith("req-")


def test_wrong_password_and_garbage_tokens(cloud):
    st, _, body = cloud.request("POST", AUTH, body=password_auth("admin", "wrong"))
    assert st == 401 and body["error"]["code"] == 401
    for tok in ("garbage", "gAAAAA" + "A" * 150, "x" * 5000):
        st, _, body = cloud.request("GET", "/identity/v3/auth/catalog", token=tok)
        assert st == 401, tok
    admin, _ = cloud.token("admin")
    st, _, _ = cloud.request("GET", AUTH, token=admin, headers={"X-Subject-Token": "junk"})
    assert st == 404


def test_oversized_body_and_wrong_method(cloud):
    st, _, body = cloud.request("POST", AUTH, raw=b"{" + b" " * (2 << 20) + b"}")
    assert st == 413 and body["error"]["code"] == 413
    st, hdrs, body = cloud.request("PUT", AUTH, body={})
    assert st == 405
    assert set(hdrs["Allow"].split(", ")) == {"POST", "GET", "DELETE"}
    st, _, body = cloud.request("GET", "/identity/v3/no-such-thing")
    assert st == 404 and body["error"]["code"] == 404


def test_cli_and_sdk(cloud):
    out = cloud.cli("catalog", "list", "-f", "json")
    assert any(s["Type"] == "identity" for s in out)
    conn = cloud.sdk()
    assert conn.endpoint_for("identity").startswith(cloud.url)
    assert conn.identity.get_project(conn.current_project_id).name == "admin"
    tok = conn.auth_token
    assert tok.startswith("gAAAAA")
    demo = cloud.cli("token", "issue", "-f", "json", cloud="ciel-demo")
    assert demo["project_id"]
    out = cloud.cli("token", "revoke", demo["id"], check=False)
    assert out.returncode == 0, out.stderr


def test_parallel_token_issue(cloud):
    """Many clients at once: every request gets its token."""
    body = json.dumps(password_auth("demo", cloud.password("demo"),
                                    {"project": {"name": "demo",
                                                 "domain": {"id": "default"}}})).encode()
    results = []

    def worker():
        for _ in range(5):
            req = urllib.request.Request(cloud.url + AUTH, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                results.append(r.status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [201] * 40


def test_restart_keeps_state_and_tokens(cloud):
    tok, _ = cloud.token("admin")
    cloud.restart()
    st, _, body = cloud.request("GET", AUTH, token=tok, headers={"X-Subject-Token": tok})
    assert st == 200 and body["token"]["user"]["name"] == "admin"
    # rotation keeps existing tokens valid (the old primary becomes a secondary)
    p = subprocess.run([CIEL, "keys", "rotate", "--state-dir", cloud.state], env=cloud.env,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    cloud.restart()
    st, _, _ = cloud.request("GET", AUTH, token=tok, headers={"X-Subject-Token": tok})
    assert st == 200
    new, _ = cloud.token("admin")
    assert new != tok
