"""The policy matrix: for every route `ciel routes` lists, who may call it under the upstream
default policies (Keystone, Glance and Neutron with secure RBAC: new defaults and scope
enforced). test_policy_matrix.py walks it against a running cloud; a route without a row, or
a row whose route is gone, fails that test.

Callers (columns, in this order):
  ad  admin (admin role on the admin project)
  mA  member of project A, which owns every object the paths name
  rA  a user with only the reader role on A
  mB  member of another project B
  un  an unscoped token of a user who has a role (member on A)
  nr  an unscoped token of a user with no role anywhere
  ac  a restricted application credential of mA's user with roles [reader]
  ar  an application credential of mA's user whose only access rule is
      GET /v2.0/networks on service type network
  tr  a trust token: mA's user trusts another user with the member role on A, no
      impersonation
A request without a token is walked too: 401 where the route has a policy, else as 'A'.

Outcomes:
  A  allowed: 2xx, or an error about the request itself (400, 405, 409, 413, ...)
  D  denied: 403, or 404 where the upstream service hides what the caller may not see
  U  401: the token is not accepted for this request (keystonemiddleware answers an
     application credential's access-rule mismatch with 401)
  L  (lists) 2xx and the list holds A's object
  F  (lists) A's object is not shown: 2xx without it, or 403/404

Upstream facts worth knowing when reading the rows (from keystone/common/policies,
glance/policies, neutron/conf/policies):
- Keystone: admin-only or system-reader reads (a project reader is not a system reader);
  only the user itself creates its application credentials (not admin), access rules are
  the owner's (or a system reader's, not a project admin's), its restricted application
  credentials included; a restricted application credential creates and deletes no trust,
  application credential or EC2 credential, but reads the trusts its user is party to;
  get_domain is open to tokens scoped inside the domain; the
  catalog needs a scoped token; regions are readable by any token.
- Glance: readers read, members write, only members download, only the member project may
  change a membership's status, the tasks API and metadef writes are admin-only, schemas
  and /info need any token.
- Neutron: lists are filtered (2xx), objects of other projects are 404, get_quota is admin
  or a reader of the project (the secure-RBAC default of the releases the Debian 12 clients
  and Tempest come from; newer releases ask for a manager role, which ciel does not have:
  `openstack quota show` keeps working for a project's own users), agents and IP availabilities are admin-only, a
  subnet, port or rule is created on the network (group) owner's behalf only.
"""

CALLERS = ("ad", "mA", "rA", "mB", "un", "nr", "ac", "ar", "tr")

# Common rows.
NO_TOKEN = "A A A A A A A A A"       # no token needed
ANY_TOKEN = "A A A A A A A U A"      # any valid token, any scope
SCOPED_IN_A = "A A A A D D A U A"    # any token scoped to a project of the domain
ADMIN = "A D D D D D D U D"          # admin (or a system reader: none here)
SELF = "A A D D D D A U D"           # admin, or the user itself (its app cred too)
SELF_NOT_DELEGATED = "A A D D D D D U D"  # ... but not through an application credential
OWNER_READ = "A A A D D D A U A"      # admin, or any role on A
OWNER_WRITE = "A A D D D D D U A"     # admin, or the member role on A
OWN_CREATE = "A A D A D D D U A"      # a member creates in its own project
OWNER_LIST = "L L L F F F L U L"      # a filtered list: A's roles see A's object
PUBLIC_READ = "A A A A D D A U A"     # any role on any project (public metadefs)
PUBLIC_LIST = "L L L L F F L U L"
ADMIN_LIST = "L F F F F F F U F"

# "METHOD /path" (as `ciel routes` prints it) -> letters, or (letters, spec).
# spec keys:
#   ids:    placeholder -> World attribute, where the default (World.ids) does not fit
#   body:   World method name (called with the row's ids) or a literal JSON body
#   raw, ctype: a raw body and its Content-Type
#   headers: World method name returning extra headers
#   list:   (collection key, World attribute): the list must (L) or must not (F) hold it
#   fresh:  World method that makes a throwaway target: before the first caller and again
#           after every 2xx (DELETE and the like); returns placeholder overrides
#   once:   like fresh, made once for the row (state changes that allowed callers repeat)
#   not_found: the letter a 404 stands for on this row, where it is not a policy's answer
#   reason: why the route is not exercised (kept to a few)
MATRIX = {
    # ---------------------------------------------------------------- health, versions
    "GET /healthcheck": NO_TOKEN,
    "GET /identity": NO_TOKEN,
    "GET /identity/v3": NO_TOKEN,
    "GET /image": NO_TOKEN,
    "GET /image/versions": NO_TOKEN,
    "GET /network": NO_TOKEN,
    "GET /network/v2.0": NO_TOKEN,

    # ---------------------------------------------------------------- identity: auth
    "POST /identity/v3/auth/tokens": (NO_TOKEN, {"body": "auth_body"}),
    "GET /identity/v3/auth/tokens": (SELF, {"headers": "subject_header"}),
    "DELETE /identity/v3/auth/tokens": (SELF, {"fresh": "fresh_subject",
                                               "headers": "subject_header"}),
    "GET /identity/v3/auth/catalog": SCOPED_IN_A,
    "GET /identity/v3/auth/projects": ANY_TOKEN,
    "GET /identity/v3/auth/domains": ANY_TOKEN,
    "GET /identity/v3/auth/system": ANY_TOKEN,

    # ---------------------------------------------------------------- domains
    "GET /identity/v3/domains": ADMIN,
    "POST /identity/v3/domains": (ADMIN, {"body": {"domain": {"name": "pm-dom-new"}}}),
    "GET /identity/v3/domains/{domain_id}": SCOPED_IN_A,
    "PATCH /identity/v3/domains/{domain_id}": (ADMIN, {"ids": {"domain_id": "dom"},
                                                       "body": {"domain": {
                                                           "description": "pm"}}}),
    "DELETE /identity/v3/domains/{domain_id}": (ADMIN, {"fresh": "fresh_domain"}),

    # ---------------------------------------------------------------- projects
    "GET /identity/v3/projects": ADMIN,
    "POST /identity/v3/projects": (ADMIN, {"body": "project_body"}),
    "GET /identity/v3/projects/{project_id}": OWNER_READ,
    "PATCH /identity/v3/projects/{project_id}": (ADMIN, {"body": {"project": {
        "description": "project A"}}}),
    "DELETE /identity/v3/projects/{project_id}": (ADMIN, {"fresh": "fresh_project"}),
    "GET /identity/v3/projects/{project_id}/tags": OWNER_READ,
    "PUT /identity/v3/projects/{project_id}/tags": (ADMIN, {"body": {"tags": ["pm-tag"]}}),
    "DELETE /identity/v3/projects/{project_id}/tags": (ADMIN, {"fresh": "fresh_project_tag"}),
    "GET /identity/v3/projects/{project_id}/tags/{tag}": OWNER_READ,
    "PUT /identity/v3/projects/{project_id}/tags/{tag}": ADMIN,
    "DELETE /identity/v3/projects/{project_id}/tags/{tag}": (ADMIN, {
        "fresh": "fresh_project_tag"}),

    # ---------------------------------------------------------------- users
    "GET /identity/v3/users": ADMIN,
    "POST /identity/v3/users": (ADMIN, {"body": "user_body"}),
    "GET /identity/v3/users/{user_id}": SELF,
    "PATCH /identity/v3/users/{user_id}": (ADMIN, {"body": {"user": {
        "description": "member of A"}}}),
    "DELETE /identity/v3/users/{user_id}": (ADMIN, {"fresh": "fresh_user"}),
    "POST /identity/v3/users/{user_id}/password": (NO_TOKEN, {"fresh": "fresh_user",
                                                              "body": "password_body"}),
    "GET /identity/v3/users/{user_id}/groups": SELF,
    "GET /identity/v3/users/{user_id}/projects": SELF,

    # ---------------------------------------------------------------- groups
    "GET /identity/v3/groups": ADMIN,
    "POST /identity/v3/groups": (ADMIN, {"body": {"group": {"name": "pm-group-new"}}}),
    "GET /identity/v3/groups/{group_id}": ADMIN,
    "PATCH /identity/v3/groups/{group_id}": (ADMIN, {"body": {"group": {
        "description": "pm"}}}),
    "DELETE /identity/v3/groups/{group_id}": (ADMIN, {"fresh": "fresh_group"}),
    "GET /identity/v3/groups/{group_id}/users": ADMIN,
    "PUT /identity/v3/groups/{group_id}/users/{user_id}": (ADMIN, {"ids": {
        "user_id": "group_user"}}),
    "GET /identity/v3/groups/{group_id}/users/{user_id}": (ADMIN, {"ids": {
        "user_id": "group_user"}}),
    "DELETE /identity/v3/groups/{group_id}/users/{user_id}": (ADMIN, {
        "ids": {"user_id": "group_user"}, "fresh": "fresh_group_member"}),

    # ---------------------------------------------------------------- roles
    "GET /identity/v3/roles": ADMIN,
    "POST /identity/v3/roles": (ADMIN, {"body": {"role": {"name": "pm-role-new"}}}),
    "GET /identity/v3/roles/{role_id}": ADMIN,
    "PATCH /identity/v3/roles/{role_id}": (ADMIN, {"body": {"role": {
        "description": "pm"}}}),
    "DELETE /identity/v3/roles/{role_id}": (ADMIN, {"fresh": "fresh_role"}),
    "GET /identity/v3/roles/{prior_role_id}/implies": ADMIN,
    "GET /identity/v3/roles/{prior_role_id}/implies/{implied_role_id}": ADMIN,
    "HEAD /identity/v3/roles/{prior_role_id}/implies/{implied_role_id}": ADMIN,
    "PUT /identity/v3/roles/{prior_role_id}/implies/{implied_role_id}": ADMIN,
    "DELETE /identity/v3/roles/{prior_role_id}/implies/{implied_role_id}": (ADMIN, {
        "fresh": "fresh_implied"}),
    "GET /identity/v3/role_inferences": ADMIN,
    "GET /identity/v3/role_assignments": ADMIN,

    # ---------------------------------------------------------------- regions, catalog
    "GET /identity/v3/regions": ANY_TOKEN,
    "POST /identity/v3/regions": (ADMIN, {"body": {"region": {"description": "pm"}}}),
    "GET /identity/v3/regions/{region_id}": ANY_TOKEN,
    "PUT /identity/v3/regions/{region_id}": (ADMIN, {"ids": {"region_id": "region_put"},
                                                     "body": {"region": {}}}),
    "PATCH /identity/v3/regions/{region_id}": (ADMIN, {"body": {"region": {
        "description": "pm"}}}),
    "DELETE /identity/v3/regions/{region_id}": (ADMIN, {"fresh": "fresh_region"}),
    "GET /identity/v3/services": ADMIN,
    "POST /identity/v3/services": (ADMIN, {"body": {"service": {"type": "pm-new"}}}),
    "GET /identity/v3/services/{service_id}": ADMIN,
    "PATCH /identity/v3/services/{service_id}": (ADMIN, {"body": {"service": {
        "description": "pm"}}}),
    "DELETE /identity/v3/services/{service_id}": (ADMIN, {"fresh": "fresh_service"}),
    "GET /identity/v3/endpoints": ADMIN,
    "POST /identity/v3/endpoints": (ADMIN, {"body": "endpoint_body"}),
    "GET /identity/v3/endpoints/{endpoint_id}": ADMIN,
    "PATCH /identity/v3/endpoints/{endpoint_id}": (ADMIN, {"body": {"endpoint": {
        "url": "http://pm.example/"}}}),
    "DELETE /identity/v3/endpoints/{endpoint_id}": (ADMIN, {"fresh": "fresh_endpoint"}),
    "GET /identity/v3/policies": ADMIN,
    "POST /identity/v3/policies": (ADMIN, {"body": {"policy": {
        "blob": "{}", "type": "application/json"}}}),
    "GET /identity/v3/policies/{policy_id}": ADMIN,
    "PATCH /identity/v3/policies/{policy_id}": (ADMIN, {"body": {"policy": {
        "blob": "{}"}}}),
    "DELETE /identity/v3/policies/{policy_id}": (ADMIN, {"fresh": "fresh_policy"}),
    "GET /identity/v3/OS-EP-FILTER/endpoint_groups": ADMIN,
    "POST /identity/v3/OS-EP-FILTER/endpoint_groups": (ADMIN, {"body": {
        "endpoint_group": {"name": "pm-epg-new", "filters": {"interface": "public"}}}}),
    "GET /identity/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}": ADMIN,
    "PATCH /identity/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}": (ADMIN, {
        "body": {"endpoint_group": {"description": "pm"}}}),
    "DELETE /identity/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}": (ADMIN, {
        "fresh": "fresh_endpoint_group"}),
    "GET /identity/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/endpoints": ADMIN,
    "GET /identity/v3/OS-OAUTH1/consumers": ADMIN,
    "POST /identity/v3/OS-OAUTH1/consumers": (ADMIN, {"body": {"consumer": {
        "description": "pm"}}}),
    "GET /identity/v3/OS-OAUTH1/consumers/{consumer_id}": ADMIN,
    "PATCH /identity/v3/OS-OAUTH1/consumers/{consumer_id}": (ADMIN, {"body": {
        "consumer": {"description": "pm"}}}),
    "DELETE /identity/v3/OS-OAUTH1/consumers/{consumer_id}": (ADMIN, {
        "fresh": "fresh_consumer"}),

    # ---------------------------------------------------------------- credentials
    "GET /identity/v3/credentials": ("L L F F F F L U F", {
        "list": ("credentials", "credential")}),
    "POST /identity/v3/credentials": (SELF, {"body": "credential_body"}),
    "GET /identity/v3/credentials/{credential_id}": SELF,
    "PATCH /identity/v3/credentials/{credential_id}": (SELF, {"body": {"credential": {
        "blob": "pm-blob"}}}),
    "DELETE /identity/v3/credentials/{credential_id}": (SELF, {
        "fresh": "fresh_credential"}),
    "GET /identity/v3/users/{user_id}/credentials/OS-EC2": SELF,
    "POST /identity/v3/users/{user_id}/credentials/OS-EC2": (SELF_NOT_DELEGATED, {
        "body": "ec2_body"}),
    "GET /identity/v3/users/{user_id}/credentials/OS-EC2/{credential_id}": (SELF, {
        "ids": {"credential_id": "ec2"}}),
    "DELETE /identity/v3/users/{user_id}/credentials/OS-EC2/{credential_id}": (
        SELF_NOT_DELEGATED, {"fresh": "fresh_ec2"}),
    "GET /identity/v3/users/{user_id}/application_credentials": SELF,
    "POST /identity/v3/users/{user_id}/application_credentials": ("D A D D D D D U D", {
        "body": "appcred_body"}),
    "GET /identity/v3/users/{user_id}/application_credentials/{application_credential_id}":
        SELF,
    "DELETE /identity/v3/users/{user_id}/application_credentials/"
    "{application_credential_id}": (SELF_NOT_DELEGATED, {"fresh": "fresh_appcred"}),
    "GET /identity/v3/users/{user_id}/access_rules": "D A D D D D A U D",
    "GET /identity/v3/users/{user_id}/access_rules/{access_rule_id}": "D A D D D D A U D",
    "DELETE /identity/v3/users/{user_id}/access_rules/{access_rule_id}": (
        "D A D D D D A U D", {"fresh": "fresh_access_rule"}),

    # ---------------------------------------------------------------- domain config
    "GET /identity/v3/domains/config/default": ADMIN,
    "GET /identity/v3/domains/config/{group}/default": ADMIN,
    "GET /identity/v3/domains/config/{group}/{option}/default": ADMIN,
    "PUT /identity/v3/domains/{domain_id}/config": (ADMIN, {
        "ids": {"domain_id": "dom"}, "body": "domain_config_body"}),
    "GET /identity/v3/domains/{domain_id}/config": (ADMIN, {"ids": {"domain_id": "dom"}}),
    "PATCH /identity/v3/domains/{domain_id}/config": (ADMIN, {
        "ids": {"domain_id": "dom"}, "body": "domain_config_body"}),
    "DELETE /identity/v3/domains/{domain_id}/config": (ADMIN, {
        "ids": {"domain_id": "dom"}, "fresh": "fresh_domain_config"}),
    "GET /identity/v3/domains/{domain_id}/config/{group}": (ADMIN, {
        "ids": {"domain_id": "dom"}}),
    "PATCH /identity/v3/domains/{domain_id}/config/{group}": (ADMIN, {
        "ids": {"domain_id": "dom"}, "body": "domain_config_group_body"}),
    "DELETE /identity/v3/domains/{domain_id}/config/{group}": (ADMIN, {
        "ids": {"domain_id": "dom"}, "fresh": "fresh_domain_config"}),
    "GET /identity/v3/domains/{domain_id}/config/{group}/{option}": (ADMIN, {
        "ids": {"domain_id": "dom"}}),
    "PATCH /identity/v3/domains/{domain_id}/config/{group}/{option}": (ADMIN, {
        "ids": {"domain_id": "dom"}, "body": "domain_config_option_body"}),
    "DELETE /identity/v3/domains/{domain_id}/config/{group}/{option}": (ADMIN, {
        "ids": {"domain_id": "dom"}, "fresh": "fresh_domain_config"}),

    # ---------------------------------------------------------------- trusts
    "POST /identity/v3/OS-TRUST/trusts": ("D A D D D D D U D", {"body": "trust_body"}),
    "GET /identity/v3/OS-TRUST/trusts": ADMIN,
    "GET /identity/v3/OS-TRUST/trusts/{trust_id}": "A A D D D D A U A",
    "DELETE /identity/v3/OS-TRUST/trusts/{trust_id}": ("A A D D D D D U D", {
        "fresh": "fresh_trust"}),
    "GET /identity/v3/OS-TRUST/trusts/{trust_id}/roles": "A A D D D D A U A",
    "GET /identity/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}": (
        "A A D D D D A U A", {"ids": {"role_id": "member_role"}}),

    # ---------------------------------------------------------------- image
    "GET /image/v2/images": ("L L L F F F L U L", {"list": ("images", "image")}),
    "POST /image/v2/images": (OWN_CREATE, {"body": {"name": "pm-img-new"}}),
    "GET /image/v2/images/{image_id}": OWNER_READ,
    "PATCH /image/v2/images/{image_id}": (OWNER_WRITE, {
        "raw": b'[{"op": "replace", "path": "/name", "value": "pm-img-a"}]',
        "ctype": "application/openstack-images-v2.1-json-patch"}),
    "DELETE /image/v2/images/{image_id}": (OWNER_WRITE, {"fresh": "fresh_image"}),
    "PUT /image/v2/images/{image_id}/tags/{tag}": OWNER_WRITE,
    "DELETE /image/v2/images/{image_id}/tags/{tag}": (OWNER_WRITE, {
        "fresh": "fresh_image_tag"}),
    "POST /image/v2/images/{image_id}/actions/deactivate": (OWNER_WRITE, {
        "once": "fresh_active_image"}),
    "POST /image/v2/images/{image_id}/actions/reactivate": (OWNER_WRITE, {
        "once": "fresh_active_image"}),
    "PUT /image/v2/images/{image_id}/file": (OWNER_WRITE, {
        "once": "fresh_image", "raw": b"pm-data", "ctype": "application/octet-stream"}),
    "GET /image/v2/images/{image_id}/file": "A A D D D D D U A",
    "POST /image/v2/images/{image_id}/members": (OWNER_WRITE, {
        "ids": {"image_id": "image_shared"}, "body": "image_member_body"}),
    "GET /image/v2/images/{image_id}/members": (OWNER_READ, {
        "ids": {"image_id": "image_shared"}}),
    "GET /image/v2/images/{image_id}/members/{member_id}": (OWNER_READ, {
        "ids": {"image_id": "image_shared"}}),
    "PUT /image/v2/images/{image_id}/members/{member_id}": (ADMIN, {
        "ids": {"image_id": "image_shared"}, "body": {"status": "accepted"}}),
    "DELETE /image/v2/images/{image_id}/members/{member_id}": (OWNER_WRITE, {
        "ids": {"image_id": "image_shared"}, "fresh": "fresh_image_member"}),
    "GET /image/v2/schemas/image": ANY_TOKEN,
    "GET /image/v2/schemas/images": ANY_TOKEN,
    "GET /image/v2/schemas/member": ANY_TOKEN,
    "GET /image/v2/schemas/members": ANY_TOKEN,
    "GET /image/v2/schemas/task": ANY_TOKEN,
    "GET /image/v2/schemas/tasks": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/namespace": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/namespaces": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/resource_type": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/resource_types": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/object": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/objects": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/property": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/properties": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/tag": ANY_TOKEN,
    "GET /image/v2/schemas/metadefs/tags": ANY_TOKEN,
    # Glance's stage and import check modify_image on the image
    "PUT /image/v2/images/{image_id}/stage": (OWNER_WRITE, {
        "once": "fresh_image", "raw": b"pm-data", "ctype": "application/octet-stream"}),
    "POST /image/v2/images/{image_id}/import": (OWNER_WRITE, {
        "body": {"method": {"name": "glance-direct"}}}),
    "GET /image/v2/info/import": ANY_TOKEN,
    # without multiple stores configured Glance answers 404 to everyone holding a token
    "GET /image/v2/info/stores": (ANY_TOKEN, {"not_found": "A"}),
    "GET /image/v2/images/{image_id}/tasks": OWNER_READ,
    "GET /image/v2/tasks": ADMIN,
    "POST /image/v2/tasks": (ADMIN, {"body": {"type": "import", "input": {}}}),
    "GET /image/v2/tasks/{task_id}": ADMIN,
    "DELETE /image/v2/tasks/{task_id}": ADMIN,
    # metadefs: a public namespace made by the admin
    "GET /image/v2/metadefs/namespaces": (PUBLIC_LIST, {
        "list": ("namespaces", "namespace_obj")}),
    "POST /image/v2/metadefs/namespaces": (ADMIN, {"body": {"namespace": "pm-ns-new"}}),
    "GET /image/v2/metadefs/namespaces/{namespace}": PUBLIC_READ,
    "PUT /image/v2/metadefs/namespaces/{namespace}": (ADMIN, {"body": {
        "namespace": "pm-ns", "visibility": "public", "description": "pm"}}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}": (ADMIN, {"fresh": "fresh_ns"}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}/objects": (ADMIN, {
        "fresh": "fresh_ns"}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}/properties": (ADMIN, {
        "fresh": "fresh_ns"}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}/tags": (ADMIN, {"fresh": "fresh_ns"}),
    "GET /image/v2/metadefs/resource_types": PUBLIC_READ,
    "GET /image/v2/metadefs/namespaces/{namespace}/resource_types": PUBLIC_READ,
    "POST /image/v2/metadefs/namespaces/{namespace}/resource_types": (ADMIN, {
        "body": {"name": "OS::Cinder::Volume"}}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}/resource_types/{resource_type}": (
        ADMIN, {"fresh": "fresh_ns"}),
    "GET /image/v2/metadefs/namespaces/{namespace}/objects": PUBLIC_READ,
    "POST /image/v2/metadefs/namespaces/{namespace}/objects": (ADMIN, {
        "body": {"name": "pm-obj-new"}}),
    "GET /image/v2/metadefs/namespaces/{namespace}/objects/{object}": PUBLIC_READ,
    "PUT /image/v2/metadefs/namespaces/{namespace}/objects/{object}": (ADMIN, {
        "body": {"name": "pm-obj", "description": "pm"}}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}/objects/{object}": (ADMIN, {
        "fresh": "fresh_ns"}),
    "GET /image/v2/metadefs/namespaces/{namespace}/properties": PUBLIC_READ,
    "POST /image/v2/metadefs/namespaces/{namespace}/properties": (ADMIN, {
        "body": {"name": "pm-prop-new", "title": "pm", "type": "string"}}),
    "GET /image/v2/metadefs/namespaces/{namespace}/properties/{property}": PUBLIC_READ,
    "PUT /image/v2/metadefs/namespaces/{namespace}/properties/{property}": (ADMIN, {
        "body": {"name": "pm-prop", "title": "pm", "type": "string"}}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}/properties/{property}": (ADMIN, {
        "fresh": "fresh_ns"}),
    "GET /image/v2/metadefs/namespaces/{namespace}/tags": PUBLIC_READ,
    "POST /image/v2/metadefs/namespaces/{namespace}/tags": (ADMIN, {
        "body": {"tags": [{"name": "pm-tag"}, {"name": "pm-tag-new"}]}}),  # replaces all
    "GET /image/v2/metadefs/namespaces/{namespace}/tags/{tag}": PUBLIC_READ,
    "POST /image/v2/metadefs/namespaces/{namespace}/tags/{tag}": (ADMIN, {
        "ids": {"tag": "ns_tag_new"}}),
    "PUT /image/v2/metadefs/namespaces/{namespace}/tags/{tag}": (ADMIN, {
        "body": {"name": "pm-tag"}}),
    "DELETE /image/v2/metadefs/namespaces/{namespace}/tags/{tag}": (ADMIN, {
        "fresh": "fresh_ns"}),

    # ---------------------------------------------------------------- network
    "GET /network/v2.0/networks": ("L L L F F F L L L", {"list": ("networks", "network")}),
    "POST /network/v2.0/networks": (OWN_CREATE, {"body": {"network": {"name": "pm-new"}}}),
    "GET /network/v2.0/networks/{id}": OWNER_READ,
    "PUT /network/v2.0/networks/{id}": (OWNER_WRITE, {"body": {"network": {
        "name": "pm-net-a"}}}),
    "DELETE /network/v2.0/networks/{id}": (OWNER_WRITE, {"fresh": "fresh_network"}),
    "GET /network/v2.0/subnets": (OWNER_LIST, {"list": ("subnets", "subnet")}),
    "POST /network/v2.0/subnets": (OWNER_WRITE, {"body": "subnet_body"}),
    "GET /network/v2.0/subnets/{id}": OWNER_READ,
    "PUT /network/v2.0/subnets/{id}": (OWNER_WRITE, {"body": {"subnet": {
        "name": "pm-subnet-a"}}}),
    "DELETE /network/v2.0/subnets/{id}": (OWNER_WRITE, {"fresh": "fresh_subnet"}),
    "GET /network/v2.0/subnetpools": (OWNER_LIST, {"list": ("subnetpools", "subnetpool")}),
    "POST /network/v2.0/subnetpools": (OWN_CREATE, {"body": "subnetpool_body"}),
    "GET /network/v2.0/subnetpools/{id}": OWNER_READ,
    "PUT /network/v2.0/subnetpools/{id}": (OWNER_WRITE, {"body": {"subnetpool": {
        "name": "pm-sp-a"}}}),
    "DELETE /network/v2.0/subnetpools/{id}": (OWNER_WRITE, {"fresh": "fresh_subnetpool"}),
    "GET /network/v2.0/ports": (OWNER_LIST, {"list": ("ports", "port")}),
    "POST /network/v2.0/ports": (OWNER_WRITE, {"body": "port_body"}),
    "GET /network/v2.0/ports/{id}": OWNER_READ,
    "PUT /network/v2.0/ports/{id}": (OWNER_WRITE, {"body": {"port": {"name": "pm-port-a"}}}),
    "DELETE /network/v2.0/ports/{id}": (OWNER_WRITE, {"fresh": "fresh_port"}),
    "GET /network/v2.0/security-groups": (OWNER_LIST, {
        "list": ("security_groups", "security_group")}),
    "POST /network/v2.0/security-groups": (OWN_CREATE, {"body": {"security_group": {
        "name": "pm-sg-new"}}}),
    "GET /network/v2.0/security-groups/{id}": OWNER_READ,
    "PUT /network/v2.0/security-groups/{id}": (OWNER_WRITE, {"body": {"security_group": {
        "description": "pm"}}}),
    "DELETE /network/v2.0/security-groups/{id}": (OWNER_WRITE, {
        "fresh": "fresh_security_group"}),
    "GET /network/v2.0/security-group-rules": (OWNER_LIST, {
        "list": ("security_group_rules", "security_group_rule")}),
    "POST /network/v2.0/security-group-rules": (OWNER_WRITE, {"body": "sg_rule_body"}),
    "GET /network/v2.0/security-group-rules/{id}": OWNER_READ,
    "DELETE /network/v2.0/security-group-rules/{id}": (OWNER_WRITE, {
        "fresh": "fresh_sg_rule"}),
    "GET /network/v2.0/routers": (OWNER_LIST, {"list": ("routers", "router")}),
    "POST /network/v2.0/routers": (OWN_CREATE, {"body": {"router": {"name": "pm-new"}}}),
    "GET /network/v2.0/routers/{id}": OWNER_READ,
    "PUT /network/v2.0/routers/{id}": (OWNER_WRITE, {"body": {"router": {
        "name": "pm-router-a"}}}),
    "DELETE /network/v2.0/routers/{id}": (OWNER_WRITE, {"fresh": "fresh_router"}),
    "PUT /network/v2.0/routers/{id}/add_router_interface": (OWNER_WRITE, {
        "body": "router_interface_body"}),
    "PUT /network/v2.0/routers/{id}/remove_router_interface": (OWNER_WRITE, {
        "fresh": "fresh_router_interface", "body": "router_interface_body"}),
    "PUT /network/v2.0/routers/{id}/add_extraroutes": (OWNER_WRITE, {
        "body": "extraroutes_body"}),
    "PUT /network/v2.0/routers/{id}/remove_extraroutes": (OWNER_WRITE, {
        "body": "extraroutes_body"}),
    "GET /network/v2.0/floatingips": (OWNER_LIST, {"list": ("floatingips", "floatingip")}),
    "POST /network/v2.0/floatingips": (OWN_CREATE, {"body": "floatingip_body"}),
    "GET /network/v2.0/floatingips/{id}": OWNER_READ,
    "PUT /network/v2.0/floatingips/{id}": (OWNER_WRITE, {"body": {"floatingip": {
        "description": "pm"}}}),
    "DELETE /network/v2.0/floatingips/{id}": (OWNER_WRITE, {"fresh": "fresh_floatingip"}),
    # Neutron's get_quota: admin, or the manager role on the project (none here)
    "GET /network/v2.0/quotas": ADMIN,
    "GET /network/v2.0/quotas/{project_id}": OWNER_READ,
    "GET /network/v2.0/quotas/{project_id}/default": OWNER_READ,
    "GET /network/v2.0/quotas/{project_id}/details": OWNER_READ,
    "GET /network/v2.0/quotas/{project_id}/details.json": OWNER_READ,
    "PUT /network/v2.0/quotas/{project_id}": (ADMIN, {"ids": {"project_id": "project_c"},
                                                      "body": {"quota": {"network": 100}}}),
    "DELETE /network/v2.0/quotas/{project_id}": (ADMIN, {"ids": {
        "project_id": "project_c"}}),
    "GET /network/v2.0/agents": (ADMIN_LIST, {"list": ("agents", "agent")}),
    "GET /network/v2.0/agents/{id}": ADMIN,
    "PUT /network/v2.0/agents/{id}": (ADMIN, {"body": {"agent": {"description": "pm"}}}),
    "DELETE /network/v2.0/agents/{id}": (ADMIN, {"fresh": "fresh_agent"}),
    "GET /network/v2.0/network-ip-availabilities": (ADMIN_LIST, {
        "list": ("network_ip_availabilities", "network")}),
    "GET /network/v2.0/network-ip-availabilities/{network_id}": ADMIN,
    "GET /network/v2.0/extensions": ANY_TOKEN,
    "GET /network/v2.0/extensions/{alias}": ANY_TOKEN,
    # tags, walked on A's network
    "GET /network/v2.0/{res}/{id}/tags": OWNER_READ,
    "PUT /network/v2.0/{res}/{id}/tags": (OWNER_WRITE, {"body": {"tags": ["pm-tag"]}}),
    "DELETE /network/v2.0/{res}/{id}/tags": (OWNER_WRITE, {"fresh": "fresh_network_tag"}),
    "GET /network/v2.0/{res}/{id}/tags/{tag}": OWNER_READ,
    "PUT /network/v2.0/{res}/{id}/tags/{tag}": OWNER_WRITE,
    "DELETE /network/v2.0/{res}/{id}/tags/{tag}": (OWNER_WRITE, {
        "fresh": "fresh_network_tag"}),

    # ---------------------------------------------------------------- metadata
    # Answered to instances by their source address on the metadata network, never by
    # token; tests/dataplane drives it from a guest.
    "GET /metadata": ("", {"reason": "instance metadata: by source address, not token"}),
    "GET /metadata/openstack": ("", {"reason": "instance metadata"}),
    "GET /metadata/openstack/{version}": ("", {"reason": "instance metadata"}),
    "GET /metadata/openstack/{version}/meta_data.json": ("", {
        "reason": "instance metadata"}),
    "GET /metadata/{version}/meta-data": ("", {"reason": "instance metadata"}),
    "GET /metadata/{version}/meta-data/{key}": ("", {"reason": "instance metadata"}),
}


def _grant_rows():
    """The role-assignment routes: admin only (Keystone's create/revoke_grant and their
    system variants; the domain-manager and domain-reader paths need domain scope)."""
    rows = {}
    targets = ["projects/{project_id}", "domains/{domain_id}", "system"]
    for target in targets:
        for actor in ("users/{user_id}", "groups/{group_id}"):
            base = f"/identity/v3/{target}/{actor}/roles"
            ids = {"user_id": "grantee", "role_id": "grant_role"}
            rows[f"GET {base}"] = (ADMIN, {"ids": ids})
            rows[f"GET {base}/{{role_id}}"] = (ADMIN, {"ids": ids})
            rows[f"PUT {base}/{{role_id}}"] = (ADMIN, {"ids": ids})
            rows[f"DELETE {base}/{{role_id}}"] = (ADMIN, {"ids": ids,
                                                          "fresh": "fresh_grant"})
    for target in ("domains/{domain_id}", "projects/{project_id}"):
        for actor in ("users/{user_id}", "groups/{group_id}"):
            base = f"/identity/v3/OS-INHERIT/{target}/{actor}/roles"
            ids = {"user_id": "grantee", "role_id": "grant_role"}
            path = f"{base}/{{role_id}}/inherited_to_projects"
            rows[f"GET {path}"] = (ADMIN, {"ids": ids})
            rows[f"PUT {path}"] = (ADMIN, {"ids": ids})
            rows[f"DELETE {path}"] = (ADMIN, {"ids": ids, "fresh": "fresh_grant"})
            if target.startswith("domains"):
                rows[f"GET {base}/inherited_to_projects"] = (ADMIN, {"ids": ids})
    return rows


MATRIX.update(_grant_rows())


def row(key):
    """(letters per caller as a dict, spec) for a MATRIX key."""
    value = MATRIX[key]
    letters, spec = (value, {}) if isinstance(value, str) else value
    if spec.get("reason"):
        return {}, spec
    cols = letters.split()
    assert len(cols) == len(CALLERS), f"{key}: {len(cols)} letters for {len(CALLERS)} callers"
    assert set(cols) <= set("ADULF"), f"{key}: unknown letter in {letters!r}"
    return dict(zip(CALLERS, cols)), spec
