"""OS-OAUTH1 consumers: CRUD with the real CLI and raw requests, the secret shown once and
never changed, bad input (400, nothing changed), 404s and non-admin 403s. The OAuth1
token flow (request_token, authorize, access_token) is not served."""
import uuid

import pytest

V3 = "/identity/v3"
CONSUMERS = V3 + "/OS-OAUTH1/consumers"


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def toks(cloud):
    admin, _ = cloud.token("admin")
    demo, _ = cloud.token("demo", project="demo")
    return {"admin": admin, "demo": demo}


def test_consumer_cli(cloud):
    desc = uniq("app")
    c = cloud.cli("consumer", "create", "--description", desc, "-f", "json")
    assert c["description"] == desc and c["secret"]
    listed = cloud.cli("consumer", "list", "-f", "json")
    assert [x["Description"] for x in listed if x["ID"] == c["id"]] == [desc]
    cloud.cli("consumer", "set", "--description", "renamed", c["id"])
    shown = cloud.cli("consumer", "show", c["id"], "-f", "json")
    assert shown["description"] == "renamed" and "secret" not in shown
    cloud.cli("consumer", "delete", c["id"])
    assert cloud.cli("consumer", "show", c["id"], check=False).returncode != 0


def test_consumer_api(cloud, toks):
    tok = toks["admin"]
    st, _, body = cloud.request("POST", CONSUMERS, token=tok, body={"consumer": {
        "description": "first", "note": {"k": 1}, "id": "mine", "secret": "mine"}})
    assert st == 201, body
    c = body["consumer"]
    # id and secret are generated whatever the client sent; the secret is shown once
    assert c["id"] != "mine" and len(c["id"]) == 32
    assert c["secret"] != "mine" and len(c["secret"]) == 32
    assert c["description"] == "first" and c["note"] == {"k": 1}
    assert c["links"]["self"].endswith(f"/identity/v3/OS-OAUTH1/consumers/{c['id']}")
    st, _, body = cloud.request("GET", f"{CONSUMERS}/{c['id']}", token=tok)
    assert st == 200
    shown = body["consumer"]
    assert "secret" not in shown
    assert shown == {k: v for k, v in c.items() if k != "secret"}

    # without a description: null; every secret differs
    st, _, body = cloud.request("POST", CONSUMERS, token=tok, body={"consumer": {}})
    assert st == 201, body
    d = body["consumer"]
    assert d["description"] is None and d["secret"] != c["secret"]

    st, _, body = cloud.request("GET", CONSUMERS, token=tok)
    assert st == 200
    assert {c["id"], d["id"]} <= {x["id"] for x in body["consumers"]}
    assert all("secret" not in x for x in body["consumers"])
    assert body["links"]["self"].endswith("/identity/v3/OS-OAUTH1/consumers")

    # PATCH: only what is given changes; the same id may be repeated; null clears
    st, _, body = cloud.request("PATCH", f"{CONSUMERS}/{c['id']}", token=tok,
                                body={"consumer": {"description": "second"}})
    assert st == 200, body
    u = body["consumer"]
    assert u["description"] == "second" and u["note"] == {"k": 1} and "secret" not in u
    st, _, body = cloud.request("PATCH", f"{CONSUMERS}/{c['id']}", token=tok,
                                body={"consumer": {"id": c["id"], "description": None}})
    assert st == 200 and body["consumer"]["description"] is None

    for cid in (c["id"], d["id"]):
        assert cloud.request("DELETE", f"{CONSUMERS}/{cid}", token=tok)[0] == 204
    st, _, body = cloud.request("GET", f"{CONSUMERS}/{c['id']}", token=tok)
    assert st == 404 and body["error"]["message"] == f"Could not find consumer: {c['id']}."


def test_consumer_bad_input_404_403(cloud, toks):
    tok, demo = toks["admin"], toks["demo"]
    st, _, body = cloud.request("POST", CONSUMERS, token=tok,
                                body={"consumer": {"description": "keep"}})
    assert st == 201
    c = body["consumer"]
    url = f"{CONSUMERS}/{c['id']}"
    before = cloud.request("GET", CONSUMERS, token=tok)[2]["consumers"]

    for bad in ({"consumer": {"description": 5}}, {"consumer": "x"}, {"nothing": {}}):
        st, _, body = cloud.request("POST", CONSUMERS, token=tok, body=bad)
        assert st == 400, (bad, body)
        assert body["error"]["code"] == 400
    assert cloud.request("POST", CONSUMERS, token=tok, raw=b"{not json")[0] == 400
    for bad in ({"consumer": {"secret": "new"}}, {"consumer": {}},
                {"consumer": {"description": ["x"]}}, {"consumer": {"id": "other"}},
                {"consumer": {"description": "x", "secret": None}}, {"consumer": 1}):
        st, _, body = cloud.request("PATCH", url, token=tok, body=bad)
        assert st == 400, (bad, body)
    st, _, body = cloud.request("PATCH", url, token=tok,
                                body={"consumer": {"secret": "new"}})
    assert body["error"]["message"] == "Cannot change consumer secret"
    assert cloud.request("GET", CONSUMERS, token=tok)[2]["consumers"] == before

    missing = uuid.uuid4().hex
    for method, body in (("GET", None), ("DELETE", None),
                         ("PATCH", {"consumer": {"description": "x"}})):
        st, _, reply = cloud.request(method, f"{CONSUMERS}/{missing}", token=tok, body=body)
        assert st == 404, (method, reply)
        assert reply["error"]["message"] == f"Could not find consumer: {missing}."

    assert cloud.request("GET", CONSUMERS)[0] == 401
    assert cloud.request("GET", CONSUMERS, token=demo)[0] == 403
    assert cloud.request("GET", url, token=demo)[0] == 403
    assert cloud.request("POST", CONSUMERS, token=demo,
                         body={"consumer": {"description": "d"}})[0] == 403
    assert cloud.request("PATCH", url, token=demo,
                         body={"consumer": {"description": "x"}})[0] == 403
    assert cloud.request("DELETE", url, token=demo)[0] == 403
    assert cloud.request("GET", CONSUMERS, token=tok)[2]["consumers"] == before
    assert cloud.request("DELETE", url, token=tok)[0] == 204
