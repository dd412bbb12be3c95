"""Domain configuration (/v3/domains/{id}/config and /v3/domains/config/default): the
whole config, a group, an option; defaults; security compliance; Keystone's rules on what
may be set (403 with nothing changed), bad input (400), 404s and non-admin 403s. Domains
are made and removed with the real CLI (the CLI has no domain config commands)."""
import uuid

import pytest

V3 = "/identity/v3"

CONFIG = {"identity": {"driver": "ldap"},
          "ldap": {"url": "ldap://myldap.com:389/",
                   "user_tree_dn": "ou=Users,dc=my_new_root,dc=org"}}


def uniq(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def tok(cloud):
    return {"admin": cloud.token("admin")[0], "demo": cloud.token("demo", project="demo")[0]}


@pytest.fixture
def domain(cloud):
    d = cloud.cli("domain", "create", uniq("dc"), "-f", "json")
    yield d["id"]
    cloud.cli("domain", "set", "--disable", d["id"], check=False)
    cloud.cli("domain", "delete", d["id"], check=False)


def cfg(domain_id, *rest):
    return "/".join([f"{V3}/domains/{domain_id}/config"] + list(rest))


def show(cloud, tok, domain_id, *rest):
    return cloud.request("GET", cfg(domain_id, *rest), token=tok["admin"])


def test_create_show_replace_delete(cloud, tok, domain):
    st, _, body = show(cloud, tok, domain)
    assert st == 404, body
    assert "any options" in body["error"]["message"]
    st, _, body = cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": CONFIG})
    assert st == 201, body
    assert body == {"config": CONFIG}
    assert show(cloud, tok, domain)[2] == {"config": CONFIG}
    assert show(cloud, tok, domain, "ldap")[2] == {"config": {"ldap": CONFIG["ldap"]}}
    assert show(cloud, tok, domain, "ldap", "url")[2] == {
        "config": {"url": "ldap://myldap.com:389/"}}
    # HEAD answers like GET
    assert cloud.request("HEAD", cfg(domain), token=tok["admin"])[0] == 200

    # a second PUT replaces everything and answers 200
    new = {"identity": {"driver": "sql", "list_limit": 7}}
    st, _, body = cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": new})
    assert st == 200 and body == {"config": new}, body
    st, _, body = show(cloud, tok, domain, "ldap")
    assert st == 404 and "group ldap" in body["error"]["message"], body
    assert show(cloud, tok, domain, "identity", "list_limit")[2] == {
        "config": {"list_limit": 7}}

    assert cloud.request("DELETE", cfg(domain), token=tok["admin"])[0] == 204
    assert show(cloud, tok, domain)[0] == 404
    # deleting the whole config when there is none is not an error, as in Keystone
    assert cloud.request("DELETE", cfg(domain), token=tok["admin"])[0] == 204


def test_update_group_and_option(cloud, tok, domain):
    cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": CONFIG})
    st, _, body = cloud.request("PATCH", cfg(domain), token=tok["admin"],
                                body={"config": {"ldap": {"url": "ldap://x/"}}})
    assert st == 200, body
    assert body["config"]["ldap"] == {"url": "ldap://x/",
                                      "user_tree_dn": CONFIG["ldap"]["user_tree_dn"]}
    st, _, body = cloud.request("PATCH", cfg(domain, "identity"), token=tok["admin"],
                                body={"config": {"identity": {"driver": "d2",
                                                              "list_limit": 5}}})
    assert st == 200, body
    assert body["config"]["identity"] == {"driver": "d2", "list_limit": 5}
    st, _, body = cloud.request("PATCH", cfg(domain, "identity", "driver"),
                                token=tok["admin"], body={"config": {"driver": "d3"}})
    assert st == 200 and body["config"]["identity"]["driver"] == "d3", body

    assert cloud.request("DELETE", cfg(domain, "identity", "driver"),
                         token=tok["admin"])[0] == 204
    st, _, body = show(cloud, tok, domain, "identity", "driver")
    assert st == 404, body
    assert body["error"]["message"] == (
        f"Could not find option driver in group identity in domain configuration for "
        f"domain {domain}.")
    assert cloud.request("DELETE", cfg(domain, "identity", "driver"),
                         token=tok["admin"])[0] == 404
    assert cloud.request("DELETE", cfg(domain, "identity"), token=tok["admin"])[0] == 204
    assert show(cloud, tok, domain, "identity")[0] == 404
    assert cloud.request("DELETE", cfg(domain, "identity"), token=tok["admin"])[0] == 404
    assert show(cloud, tok, domain)[2]["config"] == {"ldap": {
        "url": "ldap://x/", "user_tree_dn": CONFIG["ldap"]["user_tree_dn"]}}


def test_updating_what_is_not_set_is_404(cloud, tok, domain):
    cloud.request("PUT", cfg(domain), token=tok["admin"],
                  body={"config": {"ldap": {"url": "ldap://a/"}}})
    st, _, body = cloud.request("PATCH", cfg(domain, "identity"), token=tok["admin"],
                                body={"config": {"identity": {"driver": "x"}}})
    assert st == 404, body
    st, _, body = cloud.request("PATCH", cfg(domain, "ldap", "suffix"), token=tok["admin"],
                                body={"config": {"suffix": "x"}})
    assert st == 404, body
    assert show(cloud, tok, domain)[2] == {"config": {"ldap": {"url": "ldap://a/"}}}


@pytest.mark.parametrize("config,needle", [
    ({}, "No options specified"),
    ({"nova": {"a": 1}}, "Group nova is not supported"),
    ({"ldap": {"bogus": 1}}, "Option bogus in group ldap is not supported"),
    ({"ldap": {}}, "should be a dictionary of options"),
    ({"ldap": "ldap://x"}, "should be a dictionary of options"),
    ({"ldap": {"url": "ldap://ok/"}, "identity": {"nope": 1}}, "Option nope"),
])
def test_invalid_config_is_403_and_changes_nothing(cloud, tok, domain, config, needle):
    cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": CONFIG})
    for method in ("PUT", "PATCH"):
        st, _, body = cloud.request(method, cfg(domain), token=tok["admin"],
                                    body={"config": config})
        assert st == 403, (method, body)
        assert body["error"]["message"].startswith("Invalid domain specific configuration")
        assert needle in body["error"]["message"]
    assert show(cloud, tok, domain)[2] == {"config": CONFIG}


def test_bad_input_is_400_and_changes_nothing(cloud, tok, domain):
    cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": CONFIG})
    for method in ("PUT", "PATCH"):
        for raw in (b"not json", b"[1, 2]", b'{"config": "x"}', b'{"config": [1]}'):
            st, _, body = cloud.request(method, cfg(domain), token=tok["admin"], raw=raw)
            assert st == 400, (method, raw, body)
    assert show(cloud, tok, domain)[2] == {"config": CONFIG}


def test_group_and_option_updates_take_only_their_target(cloud, tok, domain):
    cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": CONFIG})
    cases = [
        (cfg(domain, "ldap"), {"ldap": {"url": "u"}, "identity": {"driver": "d"}}),
        (cfg(domain, "ldap"), {"identity": {"driver": "d"}}),
        (cfg(domain, "ldap", "url"), {"url": "u", "suffix": "s"}),
        (cfg(domain, "ldap", "url"), {"suffix": "s"}),
        (cfg(domain, "nova"), {"nova": {"a": 1}}),
        (cfg(domain, "ldap", "bogus"), {"bogus": 1}),
    ]
    for path, config in cases:
        st, _, body = cloud.request("PATCH", path, token=tok["admin"], body={"config": config})
        assert st == 403, (path, body)
    assert show(cloud, tok, domain)[2] == {"config": CONFIG}


def test_sensitive_option_is_stored_but_never_shown(cloud, tok, domain):
    conf = {"ldap": {"url": "ldap://s/", "password": "s3cret"}}
    st, _, body = cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": conf})
    assert st == 201, body
    assert body == {"config": {"ldap": {"url": "ldap://s/"}}}
    assert "s3cret" not in str(show(cloud, tok, domain)[2])
    assert show(cloud, tok, domain, "ldap", "password")[0] == 404
    # it exists, so it may be updated and deleted
    st, _, body = cloud.request("PATCH", cfg(domain, "ldap", "password"), token=tok["admin"],
                                body={"config": {"password": "other"}})
    assert st == 200 and "other" not in str(body), body
    assert cloud.request("DELETE", cfg(domain, "ldap", "password"),
                         token=tok["admin"])[0] == 204
    assert cloud.request("DELETE", cfg(domain, "ldap", "password"),
                         token=tok["admin"])[0] == 404


def test_defaults(cloud, tok):
    st, _, body = cloud.request("GET", f"{V3}/domains/config/default", token=tok["admin"])
    assert st == 200, body
    assert body["config"]["identity"] == {"driver": "sql", "list_limit": None}
    assert body["config"]["ldap"]["url"] == "ldap://localhost"
    assert "password" not in body["config"]["ldap"]
    st, _, body = cloud.request("GET", f"{V3}/domains/config/ldap/default", token=tok["admin"])
    assert st == 200 and list(body["config"]) == ["ldap"], body
    st, _, body = cloud.request("GET", f"{V3}/domains/config/ldap/pool_size/default",
                                token=tok["admin"])
    assert st == 200 and body == {"config": {"pool_size": 10}}, body
    for path in ("nova/default", "ldap/bogus/default", "ldap/password/default"):
        st, _, body = cloud.request("GET", f"{V3}/domains/config/{path}", token=tok["admin"])
        assert st == 403, (path, body)
    st, _, body = cloud.request("GET", f"{V3}/domains/config/default", token=tok["demo"])
    assert st == 403, body


def test_security_compliance(cloud, tok, domain):
    st, _, body = cloud.request("GET", cfg("default", "security_compliance"), token=tok["demo"])
    assert st == 200, body
    assert set(body["config"]["security_compliance"]) == {"password_regex",
                                                         "password_regex_description"}
    st, _, body = cloud.request("GET", cfg("default", "security_compliance", "password_regex"),
                                token=tok["demo"])
    assert st == 200 and list(body["config"]) == ["password_regex"], body
    st, _, body = cloud.request("GET", cfg("default", "security_compliance", "lockout_duration"),
                                token=tok["demo"])
    assert st == 403, body
    st, _, body = cloud.request("GET", cfg(domain, "security_compliance"), token=tok["admin"])
    assert st == 403, body
    # it is read-only
    st, _, body = cloud.request("PATCH", cfg("default", "security_compliance"),
                                token=tok["admin"],
                                body={"config": {"security_compliance": {"password_regex": "x"}}})
    assert st == 403, body


def test_unknown_domain_is_404(cloud, tok):
    missing = uuid.uuid4().hex
    for method, path, body in [("GET", cfg(missing), None),
                               ("PUT", cfg(missing), {"config": CONFIG}),
                               ("PATCH", cfg(missing), {"config": CONFIG}),
                               ("DELETE", cfg(missing), None),
                               ("GET", cfg(missing, "ldap"), None),
                               ("DELETE", cfg(missing, "ldap", "url"), None)]:
        st, _, out = cloud.request(method, path, token=tok["admin"], body=body)
        assert st == 404, (method, path, out)
        assert out["error"]["message"] == f"Could not find domain: {missing}."


def test_non_admin_is_403(cloud, tok, domain):
    cloud.request("PUT", cfg(domain), token=tok["admin"], body={"config": CONFIG})
    for method, path, body in [("GET", cfg(domain), None),
                               ("GET", cfg(domain, "ldap"), None),
                               ("GET", cfg(domain, "ldap", "url"), None),
                               ("PUT", cfg(domain), {"config": {"ldap": {"url": "x"}}}),
                               ("PATCH", cfg(domain), {"config": {"ldap": {"url": "x"}}}),
                               ("PATCH", cfg(domain, "ldap", "url"), {"config": {"url": "x"}}),
                               ("DELETE", cfg(domain, "ldap", "url"), None),
                               ("DELETE", cfg(domain), None)]:
        st, _, out = cloud.request(method, path, token=tok["demo"], body=body)
        assert st == 403, (method, path, out)
    assert show(cloud, tok, domain)[2] == {"config": CONFIG}
    assert cloud.request("GET", cfg(domain), token=None)[0] == 401


def test_domain_delete_drops_its_config(cloud, tok):
    # an explicit id lets the same domain id come back
    did = uuid.uuid4().hex
    st, _, body = cloud.request("POST", f"{V3}/domains", token=tok["admin"],
                                body={"domain": {"name": uniq("dcx"),
                                                 "explicit_domain_id": did}})
    assert st == 201, body
    cloud.request("PUT", cfg(did), token=tok["admin"], body={"config": CONFIG})
    cloud.cli("domain", "set", "--disable", did)
    cloud.cli("domain", "delete", did)
    st, _, body = cloud.request("POST", f"{V3}/domains", token=tok["admin"],
                                body={"domain": {"name": uniq("dcy"),
                                                 "explicit_domain_id": did}})
    assert st == 201, body
    assert show(cloud, tok, did)[0] == 404
    cloud.cli("domain", "set", "--disable", did)
    cloud.cli("domain", "delete", did)
