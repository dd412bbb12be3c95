"""Identity and the HTTP core probed as an attacker after issue 9: each test is a finding
of that probe, failing on the build it was found on (b13faee)."""
import concurrent.futures
import time
import uuid

import pytest

from conftest import Project

V3 = "/identity/v3"


@pytest.fixture(scope="module")
def proj(cloud):
    return Project(cloud, "probe")


def user_id(cloud, tok):
    st, _, body = cloud.request("GET", V3 + "/auth/tokens", tok,
                                headers={"X-Subject-Token": tok})
    assert st == 200, body
    return body["token"]["user"]["id"]


def appcred_token(cloud, p, **attrs):
    """An application credential of p's user made with 'attrs'; its token body, token."""
    uid = user_id(cloud, p.tok)
    attrs.setdefault("name", "probe-" + uuid.uuid4().hex[:8])
    st, _, body = p.req("POST", f"{V3}/users/{uid}/application_credentials",
                        body={"application_credential": attrs})
    assert st == 201, body
    ac = body["application_credential"]
    st, hdrs, body = cloud.request("POST", V3 + "/auth/tokens", body={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": ac["id"], "secret": ac["secret"]}}}})
    assert st == 201, body
    return body["token"], hdrs["X-Subject-Token"]


def test_access_rule_template_cannot_stall_the_router(cloud, proj):
    """A member wrote access-rule paths that the router matched by backtracking: 5 '**'
    against a 150-byte path held an HTTP thread 5 s, 6 for minutes, and a few such
    requests stalled every API. Now each is refused (401) at once and the cloud answers."""
    templates = ["/" + "**" * 100 + "z", "/" + "{x}" * 70 + "z"]
    toks = [appcred_token(cloud, proj, access_rules=[
        {"service": "identity", "method": "GET", "path": t}])[1] for t in templates]
    path = V3 + "/users/" + "a" * 3000

    def attempt(tok):
        t0 = time.monotonic()
        st = cloud.request("GET", path, tok)[0]
        return st, time.monotonic() - t0

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        results = list(pool.map(attempt, toks * 6))
    for st, took in results:
        assert st == 401 and took < 5, results
    st, _, body = cloud.request("GET", V3 + "/projects", cloud.token()[0])
    assert st == 200, body
