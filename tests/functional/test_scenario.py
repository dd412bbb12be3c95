"""The identity story of the issue, end to end with the real openstack CLI only:
admin builds a domain, project, group and user and grants a role; the user signs in, lists
its projects, changes its password (old tokens die), makes an application credential and
signs in with it; the catalog lists the endpoints; a member is refused admin work; all of it
survives a restart."""
import uuid


def test_identity_story(cloud):
    s = uuid.uuid4().hex[:6]
    dom = cloud.cli("domain", "create", f"dom-{s}", "-f", "json")
    proj = cloud.cli("project", "create", "--domain", dom["id"], f"proj-{s}", "-f", "json")
    grp = cloud.cli("group", "create", "--domain", dom["id"], f"grp-{s}", "-f", "json")
    user = cloud.cli("user", "create", "--domain", dom["id"], "--password", "pw-one-1",
                     f"user-{s}", "-f", "json")
    cloud.cli("group", "add", "user", grp["id"], user["id"])
    cloud.cli("role", "add", "--group", grp["id"], "--project", proj["id"], "member")

    def as_user(password, *args, check=True):
        env = {"OS_AUTH_URL": cloud.auth_url, "OS_USERNAME": f"user-{s}",
               "OS_PASSWORD": password, "OS_USER_DOMAIN_ID": dom["id"],
               "OS_PROJECT_NAME": f"proj-{s}", "OS_PROJECT_DOMAIN_ID": dom["id"],
               "OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": "RegionOne"}
        return cloud.cli(*args, cloud=None, env=env, check=check)

    tok = as_user("pw-one-1", "token", "issue", "-f", "json")
    assert tok["project_id"] == proj["id"] and tok["user_id"] == user["id"]
    mine = as_user("pw-one-1", "project", "list", "--my-projects", "-f", "json")
    assert [p["Name"] for p in mine] == [f"proj-{s}"]
    cat = as_user("pw-one-1", "catalog", "list", "-f", "json")
    assert "identity" in {c["Type"] for c in cat}

    # the user changes its own password: the old token and the old password stop working
    as_user("pw-one-1", "user", "password", "set", "--original-password", "pw-one-1",
            "--password", "pw-two-2")
    st, _, _ = cloud.request("GET", "/identity/v3/auth/catalog", token=tok["id"])
    assert st == 401
    assert as_user("pw-one-1", "token", "issue", check=False).returncode != 0
    as_user("pw-two-2", "token", "issue", "-f", "json")

    # application credential made by the user, then used by the CLI
    ac = as_user("pw-two-2", "application", "credential", "create", f"ac-{s}", "-f", "json")
    env = {"OS_AUTH_TYPE": "v3applicationcredential", "OS_AUTH_URL": cloud.auth_url,
           "OS_APPLICATION_CREDENTIAL_ID": ac["id"],
           "OS_APPLICATION_CREDENTIAL_SECRET": ac["secret"],
           "OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": "RegionOne"}
    actok = cloud.cli("token", "issue", "-f", "json", cloud=None, env=env)
    assert actok["project_id"] == proj["id"]

    # a member is refused admin work, with a 403
    p = as_user("pw-two-2", "user", "create", f"intruder-{s}", check=False)
    assert p.returncode != 0 and "403" in p.stderr
    p = cloud.cli("project", "create", f"nope-{s}", cloud="ciel-demo", check=False)
    assert p.returncode != 0 and "403" in p.stderr

    # everything survives a restart, including the application credential
    cloud.restart()
    assert cloud.cli("project", "show", proj["id"], "-f", "json")["name"] == f"proj-{s}"
    members = cloud.cli("group", "contains", "user", grp["id"], user["id"])
    assert members.returncode == 0
    assert cloud.cli("token", "issue", "-f", "json", cloud=None, env=env)["project_id"] == \
        proj["id"]
    as_user("pw-two-2", "token", "issue", "-f", "json")
