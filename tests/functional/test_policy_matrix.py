"""The policy matrix (issue 9's defence): every route `ciel routes` lists, called by every
caller of policy_matrix.CALLERS (and without a token), against the outcome the upstream
default policies give. The table lives in policy_matrix.py; this file builds the callers and
project A's objects, substitutes their ids into the path templates and walks the table.

Rows that change or consume their target (DELETE and the like) run after all others, on
throwaway objects made before the first caller and again after each 2xx; their callers that
must be refused go first, so a refusal is always tested against a target that exists."""
import itertools
import json
import os
import re
import subprocess
import time

from conftest import CIEL
from policy_matrix import CALLERS, MATRIX, row

V3 = "/identity/v3"
IMG = "/image/v2"
NET = "/network/v2.0"

CONFIG = {"identity": {"driver": "ldap"},
          "ldap": {"url": "ldap://pm.example:389/",
                   "user_tree_dn": "ou=Users,dc=pm,dc=example"}}


def ciel_routes():
    out = subprocess.run([CIEL, "routes"], capture_output=True, text=True, timeout=60,
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def key(r):
    return f"{r['method']} {r['path']}"


def test_every_route_has_rows():
    """A route without rows, or rows for a route that is gone, fails here."""
    routes = {key(r) for r in ciel_routes()}
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    for k in MATRIX:
        row(k)  # well-formed
    assert not missing and not stale, (
        "policy_matrix.MATRIX is out of step with `ciel routes`:\n"
        + "".join(f"  no rows for  {k}\n" for k in missing)
        + "".join(f"  no route for {k}\n" for k in stale))


class World:
    """The callers' tokens and project A's objects, made through the API as the admin and
    A's member; the attributes are the ids the path templates take."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.n = itertools.count(1)
        self.adm = cloud.token()[0]
        self.roles = {r["name"]: r["id"] for r in self.ok("GET", V3 + "/roles")["roles"]}
        self.member_role = self.roles["member"]
        self.domain_id = self.ok("GET", V3 + "/domains?name=Default")["domains"][0]["id"]
        self.project_id = self.new_project("pm-a")
        self.project_b = self.new_project("pm-b")
        self.project_c = self.new_project("pm-c")
        self.project_d = self.new_project("pm-d")
        self.pw = {}
        self.user_id = self.new_user("pm-member-a", [(self.project_id, "member")])
        self.reader_a = self.new_user("pm-reader-a", [(self.project_id, "reader")])
        self.member_b = self.new_user("pm-member-b", [(self.project_b, "member")])
        self.unscoped = self.new_user("pm-unscoped", [(self.project_id, "member")])
        self.norole = self.new_user("pm-norole", [])
        self.trustee = self.new_user("pm-trustee", [])
        tok = {"ad": self.adm,
               "mA": self.token("pm-member-a", "pm-a"),
               "rA": self.token("pm-reader-a", "pm-a"),
               "mB": self.token("pm-member-b", "pm-b"),
               "un": self.token("pm-unscoped", None),
               "nr": self.token("pm-norole", None)}
        self.ma = tok["mA"]
        self.appcred = self.new_appcred(roles=[{"name": "reader"}])
        tok["ac"] = self.appcred_token(self.appcred)
        ar = self.new_appcred(access_rules=[{"service": "network", "method": "GET",
                                             "path": "/v2.0/networks"}])
        tok["ar"] = self.appcred_token(ar)
        self.trust_id = self.new_trust()
        tok["tr"] = self.trust_token(self.trust_id)
        self.tokens = tok
        self.identity_objects()
        self.network_objects()
        self.image_objects()

    # ---- plumbing
    def req(self, method, path, tok=None, body=None, **kw):
        return self.cloud.request(method, path, tok, body=body, **kw)

    def ok(self, method, path, tok=None, body=None, **kw):
        status, _, out = self.req(method, path, tok or self.adm, body=body, **kw)
        assert 200 <= status < 300, (method, path, status, out)
        return out

    def ensure(self, method, path, tok=None, body=None):
        """A PUT that may find its target already there."""
        status, _, out = self.req(method, path, tok or self.adm, body=body)
        assert 200 <= status < 300 or status in (400, 409), (method, path, status, out)

    def uniq(self, prefix):
        return f"{prefix}-{next(self.n)}"

    def new_project(self, name):
        return self.ok("POST", V3 + "/projects", body={"project": {
            "name": name, "domain_id": self.domain_id}})["project"]["id"]

    def new_user(self, name, grants):
        self.pw[name] = f"pw-{name}"
        uid = self.ok("POST", V3 + "/users", body={"user": {
            "name": name, "password": self.pw[name],
            "domain_id": self.domain_id}})["user"]["id"]
        for project, role in grants:
            self.ok("PUT", f"{V3}/projects/{project}/users/{uid}/roles/{self.roles[role]}")
        return uid

    def token(self, user, project):
        return self.cloud.token(user, password=self.pw[user], project=project)[0]

    def new_appcred(self, **attrs):
        attrs["name"] = self.uniq("pm-ac")
        return self.ok("POST", f"{V3}/users/{self.user_id}/application_credentials",
                       self.ma, body={"application_credential": attrs}
                       )["application_credential"]

    def appcred_token(self, ac):
        status, hdrs, out = self.req("POST", V3 + "/auth/tokens", body={"auth": {
            "identity": {"methods": ["application_credential"], "application_credential": {
                "id": ac["id"], "secret": ac["secret"]}}}})
        assert status == 201, out
        return hdrs["X-Subject-Token"]

    def new_trust(self):
        return self.ok("POST", V3 + "/OS-TRUST/trusts", self.ma, body={"trust": {
            "trustor_user_id": self.user_id, "trustee_user_id": self.trustee,
            "project_id": self.project_id, "impersonation": False,
            "roles": [{"name": "member"}]}})["trust"]["id"]

    def trust_token(self, trust_id):
        status, hdrs, out = self.req("POST", V3 + "/auth/tokens", body={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "id": self.trustee, "password": self.pw["pm-trustee"]}}},
            "scope": {"OS-TRUST:trust": {"id": trust_id}}}})
        assert status == 201, out
        return hdrs["X-Subject-Token"]

    # ---- identity objects
    def identity_objects(self):
        self.ok("PUT", f"{V3}/projects/{self.project_id}/tags/pm-tag")
        self.dom = self.ok("POST", V3 + "/domains", body={"domain": {
            "name": "pm-dom"}})["domain"]["id"]
        self.ok("PUT", f"{V3}/domains/{self.dom}/config", body={"config": CONFIG})
        self.group_id = self.ok("POST", V3 + "/groups", body={"group": {
            "name": "pm-group", "domain_id": self.domain_id}})["group"]["id"]
        self.group_user = self.new_user("pm-group-user", [])
        self.ok("PUT", f"{V3}/groups/{self.group_id}/users/{self.group_user}")
        self.role_id = self.ok("POST", V3 + "/roles", body={"role": {
            "name": "pm-role"}})["role"]["id"]
        self.prior_role_id = self.role_id
        self.implied_role_id = self.ok("POST", V3 + "/roles", body={"role": {
            "name": "pm-role-implied"}})["role"]["id"]
        self.ok("PUT", f"{V3}/roles/{self.role_id}/implies/{self.implied_role_id}")
        self.grant_role = self.ok("POST", V3 + "/roles", body={"role": {
            "name": "pm-grant-role"}})["role"]["id"]
        self.grantee = self.new_user("pm-grantee", [])
        for k in MATRIX:
            method, path = k.split(" ", 1)
            if method == "PUT" and "/roles/{role_id}" in path and path.startswith(V3):
                self.ok("PUT", self.fill(path, {"user_id": "grantee",
                                                "role_id": "grant_role"}))
        self.region_id = self.ok("POST", V3 + "/regions", body={"region": {
            "id": "pm-region"}})["region"]["id"]
        self.region_put = "pm-region-put"
        self.service_id = self.ok("POST", V3 + "/services", body={"service": {
            "type": "pm-type", "name": "pm-svc"}})["service"]["id"]
        self.endpoint_id = self.new_endpoint()
        self.policy_id = self.new_policy()
        self.endpoint_group_id = self.new_endpoint_group()
        self.consumer_id = self.new_consumer()
        self.credential_id = self.new_credential()
        self.credential = self.credential_id
        self.ec2 = self.new_ec2()
        self.application_credential_id = self.appcred["id"]
        rules = self.ok("GET", f"{V3}/users/{self.user_id}/access_rules", self.ma)
        self.access_rule_id = rules["access_rules"][0]["id"]
        self.subject = self.token("pm-member-a", "pm-a")

    def new_endpoint(self):
        return self.ok("POST", V3 + "/endpoints", body={"endpoint": {
            "service_id": self.service_id, "interface": "public", "region_id": "pm-region",
            "url": "http://pm.example/"}})["endpoint"]["id"]

    def new_policy(self):
        return self.ok("POST", V3 + "/policies", body={"policy": {
            "blob": "{}", "type": "application/json"}})["policy"]["id"]

    def new_endpoint_group(self):
        return self.ok("POST", V3 + "/OS-EP-FILTER/endpoint_groups", body={
            "endpoint_group": {"name": self.uniq("pm-epg"),
                               "filters": {"interface": "public"}}})["endpoint_group"]["id"]

    def new_consumer(self):
        return self.ok("POST", V3 + "/OS-OAUTH1/consumers", body={"consumer": {
            "description": "pm"}})["consumer"]["id"]

    def new_credential(self):
        return self.ok("POST", V3 + "/credentials", self.ma, body=self.credential_body({})
                       )["credential"]["id"]

    def new_ec2(self):
        return self.ok("POST", f"{V3}/users/{self.user_id}/credentials/OS-EC2", self.ma,
                       body={"tenant_id": self.project_id})["credential"]["access"]

    # ---- network objects
    def network_objects(self):
        self.ext = self.ok("POST", NET + "/networks", body={"network": {
            "name": "pm-ext", "router:external": True}})["network"]["id"]
        self.ok("POST", NET + "/subnets", body={"subnet": {
            "network_id": self.ext, "cidr": "203.0.113.0/24", "ip_version": 4}})
        self.network = self.new_network()
        self.subnet = self.new_subnet()
        self.port = self.ok("POST", NET + "/ports", self.ma, body={"port": {
            "network_id": self.network, "name": "pm-port-a"}})["port"]["id"]
        self.router = self.new_router(gateway=True)
        self.security_group = self.new_security_group()
        self.security_group_rule = self.new_sg_rule()
        self.floatingip = self.new_floatingip()
        self.subnetpool = self.new_subnetpool()
        self.ok("PUT", f"{NET}/networks/{self.network}/tags/pm-tag", self.ma)
        agents = self.ok("GET", NET + "/agents")["agents"]
        self.agent = agents[0]["id"]
        self.agent_spare = agents[-1]["id"]
        self.alias = self.ok("GET", NET + "/extensions")["extensions"][0]["alias"]

    def new_network(self):
        return self.ok("POST", NET + "/networks", self.ma, body={"network": {
            "name": "pm-net-a"}})["network"]["id"]

    def new_subnet(self):
        return self.ok("POST", NET + "/subnets", self.ma, body=self.subnet_body({})
                       )["subnet"]["id"]

    def new_router(self, gateway=False):
        body = {"name": "pm-router-a"}
        if gateway:
            body["external_gateway_info"] = {"network_id": self.ext}
        return self.ok("POST", NET + "/routers", self.ma, body={"router": body}
                       )["router"]["id"]

    def new_security_group(self):
        return self.ok("POST", NET + "/security-groups", self.ma, body={"security_group": {
            "name": "pm-sg-a"}})["security_group"]["id"]

    def new_sg_rule(self):
        return self.ok("POST", NET + "/security-group-rules", self.ma,
                       body=self.sg_rule_body({}))["security_group_rule"]["id"]

    def new_floatingip(self):
        return self.ok("POST", NET + "/floatingips", self.ma, body=self.floatingip_body({})
                       )["floatingip"]["id"]

    def new_subnetpool(self):
        return self.ok("POST", NET + "/subnetpools", self.ma, body=self.subnetpool_body({})
                       )["subnetpool"]["id"]

    # ---- image objects
    def image_objects(self):
        self.image = self.new_image(active=True)
        self.image_id = self.image
        self.image_shared = self.ok("POST", IMG + "/images", self.ma, body={
            "name": "pm-img-shared", "visibility": "shared"})["id"]
        self.member_id = self.project_c
        self.ok("POST", f"{IMG}/images/{self.image_shared}/members", self.ma,
                body={"member": self.project_c})
        self.ok("PUT", f"{IMG}/images/{self.image}/tags/pm-tag", self.ma)
        # a glance-direct import leaves a task
        staged = self.new_image()
        self.ok("PUT", f"{IMG}/images/{staged}/stage", self.ma, raw=b"pm-staged",
                headers={"Content-Type": "application/octet-stream"})
        self.ok("POST", f"{IMG}/images/{staged}/import", self.ma,
                body={"method": {"name": "glance-direct"}})
        deadline = time.time() + 30
        while True:
            tasks = self.ok("GET", f"{IMG}/images/{staged}/tasks", self.ma)["tasks"]
            if tasks or time.time() > deadline:
                break
            time.sleep(0.1)
        assert tasks, "the import left no task"
        self.task_id = tasks[0]["id"]
        self.namespace = "pm-ns"
        self.namespace_obj = self.new_ns("pm-ns")

    def new_image(self, active=False):
        img = self.ok("POST", IMG + "/images", self.ma, body={
            "name": self.uniq("pm-img"), "disk_format": "raw",
            "container_format": "bare"})["id"]
        if active:
            self.ok("PUT", f"{IMG}/images/{img}/file", self.ma, raw=b"pm-data" * 64,
                    headers={"Content-Type": "application/octet-stream"})
            deadline = time.time() + 30
            while self.ok("GET", f"{IMG}/images/{img}", self.ma)["status"] != "active":
                assert time.time() < deadline, "the image did not become active"
                time.sleep(0.05)
        return img

    def new_ns(self, name):
        self.ok("POST", IMG + "/metadefs/namespaces", body={
            "namespace": name, "visibility": "public", "protected": False})
        ns = f"{IMG}/metadefs/namespaces/{name}"
        self.ok("POST", ns + "/objects", body={"name": "pm-obj"})
        self.ok("POST", ns + "/properties", body={"name": "pm-prop", "title": "pm",
                                                  "type": "string"})
        self.ok("POST", ns + "/tags/pm-tag")
        self.ok("POST", ns + "/resource_types", body={"name": "OS::Glance::Image"})
        return name

    # ---- ids for the path templates
    NET_COLLECTIONS = {"networks": "network", "subnets": "subnet", "ports": "port",
                       "subnetpools": "subnetpool", "routers": "router",
                       "security-groups": "security_group", "floatingips": "floatingip",
                       "security-group-rules": "security_group_rule", "agents": "agent"}
    CONSTANTS = {"tag": "pm-tag", "group": "ldap", "option": "url", "res": "networks",
                 "object": "pm-obj", "property": "pm-prop",
                 "resource_type": "OS::Glance::Image"}

    def value(self, name, path, overrides):
        if name in overrides:
            attr = overrides[name]
            return getattr(self, attr) if hasattr(self, attr) else attr
        if name in self.CONSTANTS:
            return self.CONSTANTS[name]
        if name == "id":
            m = re.search(r"/v2\.0/([a-z-]+)/\{id\}", path)
            coll = m.group(1) if m else self.CONSTANTS["res"]
            return getattr(self, self.NET_COLLECTIONS[coll])
        if name == "network_id":
            return self.network
        if name == "alias":
            return self.alias
        return getattr(self, name)

    def fill(self, path, overrides):
        return re.sub(r"\{([a-z_]+)\}", lambda m: self.value(m.group(1), path, overrides),
                      path)

    # ---- bodies (called with the row's ids)
    def auth_body(self, ids):
        return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "id": self.user_id, "password": self.pw["pm-member-a"]}}}}}

    def project_body(self, ids):
        return {"project": {"name": self.uniq("pm-new"), "domain_id": self.domain_id}}

    def user_body(self, ids):
        return {"user": {"name": self.uniq("pm-new"), "domain_id": self.domain_id}}

    def password_body(self, ids):
        return {"user": {"original_password": "pw-throwaway", "password": "pw-changed"}}

    def endpoint_body(self, ids):
        return {"endpoint": {"service_id": self.service_id, "interface": "internal",
                             "url": "http://pm.example/new"}}

    def credential_body(self, ids):
        return {"credential": {"user_id": self.user_id, "project_id": self.project_id,
                               "type": "cert", "blob": self.uniq("pm-blob")}}

    def ec2_body(self, ids):
        return {"tenant_id": self.project_id}

    def appcred_body(self, ids):
        return {"application_credential": {"name": self.uniq("pm-ac-new"),
                                           "roles": [{"name": "reader"}]}}

    def domain_config_body(self, ids):
        return {"config": CONFIG}

    def domain_config_group_body(self, ids):
        return {"config": {"ldap": CONFIG["ldap"]}}

    def domain_config_option_body(self, ids):
        return {"config": {"url": CONFIG["ldap"]["url"]}}

    def trust_body(self, ids):
        return {"trust": {"trustor_user_id": self.user_id, "trustee_user_id": self.trustee,
                          "project_id": self.project_id, "impersonation": False,
                          "roles": [{"name": "member"}]}}

    def image_member_body(self, ids):
        # a project no caller belongs to: the first allowed caller adds it, the next 409
        return {"member": self.project_d}

    def subnet_body(self, ids):
        return {"subnet": {"network_id": self.network, "ip_version": 4,
                           "cidr": f"10.9.{next(self.n) % 250}.0/24"}}

    def subnetpool_body(self, ids):
        return {"subnetpool": {"name": self.uniq("pm-sp"), "default_prefixlen": 24,
                               "prefixes": [f"10.{100 + next(self.n) % 100}.0.0/16"]}}

    def port_body(self, ids):
        return {"port": {"network_id": self.network, "name": self.uniq("pm-port")}}

    def sg_rule_body(self, ids):
        n = next(self.n)
        return {"security_group_rule": {
            "security_group_id": self.security_group, "direction": "ingress",
            "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 1000 + n,
            "port_range_max": 1000 + n}}

    def floatingip_body(self, ids):
        return {"floatingip": {"floating_network_id": self.ext}}

    def router_interface_body(self, ids):
        return {"subnet_id": ids.get("iface_subnet", self.subnet)}

    def extraroutes_body(self, ids):
        return {"router": {"routes": [{"destination": "10.199.0.0/24",
                                       "nexthop": "10.9.0.50"}]}}

    def subject_header(self, ids):
        return {"X-Subject-Token": ids.get("subject", self.subject)}

    # ---- throwaway targets: return placeholder overrides (World attribute or literal)
    def fresh_subject(self):
        return {"subject": self.token("pm-member-a", "pm-a")}

    def fresh_domain(self):
        d = self.ok("POST", V3 + "/domains", body={"domain": {
            "name": self.uniq("pm-dom-x"), "enabled": False}})["domain"]["id"]
        return {"domain_id": d}

    def fresh_project(self):
        return {"project_id": self.new_project(self.uniq("pm-x"))}

    def fresh_project_tag(self):
        self.ensure("PUT", f"{V3}/projects/{self.project_id}/tags/pm-tag")
        return {}

    def fresh_user(self):
        name = self.uniq("pm-x")
        self.pw[name] = "pw-throwaway"
        uid = self.ok("POST", V3 + "/users", body={"user": {
            "name": name, "password": "pw-throwaway", "domain_id": self.domain_id}}
                      )["user"]["id"]
        return {"user_id": uid}

    def fresh_group(self):
        return {"group_id": self.ok("POST", V3 + "/groups", body={"group": {
            "name": self.uniq("pm-group-x")}})["group"]["id"]}

    def fresh_group_member(self):
        self.ensure("PUT", f"{V3}/groups/{self.group_id}/users/{self.group_user}")
        return {}

    def fresh_role(self):
        return {"role_id": self.ok("POST", V3 + "/roles", body={"role": {
            "name": self.uniq("pm-role-x")}})["role"]["id"]}

    def fresh_implied(self):
        self.ensure("PUT", f"{V3}/roles/{self.role_id}/implies/{self.implied_role_id}")
        return {}

    def fresh_grant(self):
        return {"_grant": True}  # the walk PUTs the row's own path first

    def fresh_region(self):
        return {"region_id": self.ok("POST", V3 + "/regions", body={"region": {}}
                                     )["region"]["id"]}

    def fresh_service(self):
        return {"service_id": self.ok("POST", V3 + "/services", body={"service": {
            "type": self.uniq("pm-x")}})["service"]["id"]}

    def fresh_endpoint(self):
        return {"endpoint_id": self.new_endpoint()}

    def fresh_policy(self):
        return {"policy_id": self.new_policy()}

    def fresh_endpoint_group(self):
        return {"endpoint_group_id": self.new_endpoint_group()}

    def fresh_consumer(self):
        return {"consumer_id": self.new_consumer()}

    def fresh_credential(self):
        return {"credential_id": self.new_credential()}

    def fresh_ec2(self):
        return {"credential_id": self.new_ec2()}

    def fresh_appcred(self):
        return {"application_credential_id": self.new_appcred()["id"]}

    def fresh_access_rule(self):
        path = "/v2.0/" + self.uniq("pm-rule")
        ac = self.new_appcred(access_rules=[{"service": "network", "method": "GET",
                                             "path": path}])
        rule = ac["access_rules"][0]["id"]
        self.ok("DELETE", f"{V3}/users/{self.user_id}/application_credentials/{ac['id']}",
                self.ma)
        return {"access_rule_id": rule}

    def fresh_domain_config(self):
        self.ensure("PUT", f"{V3}/domains/{self.dom}/config", body={"config": CONFIG})
        return {}

    def fresh_trust(self):
        return {"trust_id": self.new_trust()}

    def fresh_image(self):
        return {"image_id": self.new_image()}

    def fresh_active_image(self):
        return {"image_id": self.new_image(active=True)}

    def fresh_image_tag(self):
        self.ensure("PUT", f"{IMG}/images/{self.image}/tags/pm-tag", self.ma)
        return {}

    def fresh_image_member(self):
        st, _, out = self.req("POST", f"{IMG}/images/{self.image_shared}/members", self.ma,
                              body={"member": self.project_c})
        assert st in (200, 409), out
        return {}

    def fresh_ns(self):
        name = self.uniq("pm-ns-x")
        return {"namespace": self.new_ns(name)}

    def fresh_network(self):
        return {"id": self.new_network()}

    def fresh_subnet(self):
        return {"id": self.new_subnet()}

    def fresh_subnetpool(self):
        return {"id": self.new_subnetpool()}

    def fresh_port(self):
        return {"id": self.ok("POST", NET + "/ports", self.ma, body=self.port_body({})
                              )["port"]["id"]}

    def fresh_security_group(self):
        return {"id": self.new_security_group()}

    def fresh_sg_rule(self):
        return {"id": self.new_sg_rule()}

    def fresh_router(self):
        return {"id": self.new_router()}

    def fresh_router_interface(self):
        sub = self.new_subnet()
        self.ok("PUT", f"{NET}/routers/{self.router}/add_router_interface", self.ma,
                body={"subnet_id": sub})
        return {"iface_subnet": sub}

    def fresh_floatingip(self):
        return {"id": self.new_floatingip()}

    def fresh_agent(self):
        return {"id": self.agent_spare}

    def fresh_network_tag(self):
        self.ensure("PUT", f"{NET}/networks/{self.network}/tags/pm-tag", self.ma)
        return {}


def classify(status, body, spec, world, ids):
    """The outcome letter for one answer (see policy_matrix's docstring)."""
    if status >= 500:
        return "E"
    if status == 401:
        return "U"
    listed = spec.get("list")
    if status == 404 and spec.get("not_found"):
        return spec["not_found"]
    if status in (403, 404):
        return "F" if listed else "D"
    if listed and 200 <= status < 300:
        coll, attr = listed
        want = getattr(world, attr)
        items = body.get(coll, []) if isinstance(body, dict) else []
        seen = {i.get(k) for i in items for k in ("id", "namespace", "network_id")}
        return "L" if want in seen else "F"
    return "A"


def call(world, method, path, caller, spec, ids):
    tok = world.tokens.get(caller)
    headers = {}
    if spec.get("headers"):
        headers.update(getattr(world, spec["headers"])(ids))
    raw = spec.get("raw")
    body = spec.get("body")
    if isinstance(body, str):
        body = getattr(world, body)(ids)
    if raw is not None or spec.get("ctype"):
        headers["Content-Type"] = spec.get("ctype", "application/json")
    status, _, out = world.cloud.request(method, path, tok, body=body, raw=raw,
                                         headers=headers)
    return status, out


def walk(world, routes):
    """Every (route, caller) against the table; returns the mismatches, one line per route
    ("caller expected>got status" for each caller that disagrees), the number of calls and
    of calls that disagree."""
    fails, counted, bad = [], 0, 0
    plain = [r for r in routes if not (row(key(r))[1].get("fresh"))]
    destructive = [r for r in routes if row(key(r))[1].get("fresh")]
    for r in plain + destructive:
        k = key(r)
        want, spec = row(k)
        if spec.get("reason"):
            continue
        # callers that must be refused first: a refusal then meets a target that exists
        callers = sorted(CALLERS, key=lambda c: want[c] in "AL")
        want = dict(want, none="U" if r["policy"] else "A")
        callers.insert(0, "none")
        overrides = dict(spec.get("ids", {}))
        made = spec.get("fresh") or spec.get("once")
        need, wrong = True, []
        for caller in callers:
            if made and need:
                overrides.update(getattr(world, made)())
                need = False
            path = world.fill(r["path"], overrides)
            if overrides.get("_grant"):
                world.ensure("PUT", path)
            status, out = call(world, r["method"], path, caller, spec, overrides)
            got = classify(status, out, spec, world, overrides)
            counted += 1
            if spec.get("fresh") and 200 <= status < 300:
                need = True
            if got != want[caller]:
                wrong.append(f"{caller} {want[caller]}>{got} {status}")
        if wrong:
            bad += len(wrong)
            fails.append(f"{k}\n      " + ", ".join(wrong))
    return fails, counted, bad


def test_policy_matrix(cloud):
    t0 = time.time()
    world = World(cloud)
    t1 = time.time()
    routes = [r for r in ciel_routes() if key(r) in MATRIX]
    fails, counted, bad = walk(world, routes)
    t2 = time.time()
    print(f"\npolicy matrix ({cloud.backend}): {len(routes)} routes, {counted} calls, "
          f"{bad} mismatches on {len(fails)} routes; setup {t1 - t0:.1f} s, walk {t2 - t1:.1f} s")
    assert not fails, (f"{bad} of {counted} calls disagree with the upstream "
                       "default policies:\n" + "\n".join(fails))
