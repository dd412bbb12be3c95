"""The first promise of the README: a token from the real CLI."""


def test_token_issue_cli(cloud):
    out = cloud.cli("token", "issue", "-f", "json")
    assert out["id"].startswith("gAAAAA")
    assert len(out["project_id"]) == 32


def test_version_discovery(cloud):
    status, _, body = cloud.request("GET", "/identity")
    assert status == 300
    assert body["versions"]["values"][0]["id"].startswith("v3.")
    status, hdrs, body = cloud.request("GET", "/identity/v3")
    assert status == 200
    assert body["version"]["status"] == "stable"
    assert hdrs["x-openstack-request-id"].startswith("req-")
