"""Security findings of issue 9 in the image service: a reader only reads (#5), a deleted
image's id is never given again (#7), a marker the caller cannot see is a missing one (#8),
the staging quota holds for chunked stages (#11), HTML error pages escape what they echo
(#15). Each test fails on 61e2e5c."""
import http.client
import os
import socket
import urllib.parse
import uuid

import pytest

import conftest
from conftest import Cloud, Project, new_image, show_image

MIB = 1024 * 1024
JSON = {"Accept": "application/json"}
OCTETS = {"Content-Type": "application/octet-stream"}
PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}


@pytest.fixture(scope="module", params=conftest._backends())
def cloud(request):
    """The module's cloud, with a staging quota of 1 MiB per project."""
    db_url = None
    if request.param == "postgresql":
        db_url = request.getfixturevalue("postgres").new_database()

    class QuotaCloud(Cloud):
        def start(self):
            if not getattr(self, "configured", False):
                with open(self.conf, "a") as f:
                    f.write("[image]\nimage_stage_total = 1\n")
                self.configured = True
            super().start()

    c = QuotaCloud(db_url)
    c.backend = request.param
    yield c
    c.destroy()


@pytest.fixture(scope="module")
def owner(cloud):
    return Project(cloud, "sec-img-owner")


@pytest.fixture(scope="module")
def other(cloud):
    return Project(cloud, "sec-img-other")


@pytest.fixture(scope="module")
def reader(cloud, owner):
    """A user with the reader role (only) on the owner's project: its token."""
    name, pw = "sec-img-reader", "pw-sec-img-reader-1"
    cloud.cli("user", "create", "--password", pw, name, "-f", "json")
    cloud.cli("role", "add", "--user", name, "--project", owner.name, "reader")
    tok, body = cloud.token(name, password=pw, project=owner.name)
    assert [r["name"] for r in body["token"]["roles"]] == ["reader"]
    return tok


def req(cloud, tok, method, path, **kw):
    kw.setdefault("headers", JSON)
    return cloud.request(method, "/image/v2" + path, tok, **kw)


def staged_files(cloud, image_id):
    d = os.path.join(cloud.state, "images", "staging")
    return [n for n in os.listdir(d) if image_id in n]


def store_files(cloud, image_id):
    d = os.path.join(cloud.state, "images")
    return [n for n in os.listdir(d) if image_id in n]


def listed(cloud, tok, **query):
    q = urllib.parse.urlencode(dict({"limit": 1000}, **query))
    status, _, body = req(cloud, tok, "GET", "/images?" + q)
    assert status == 200, body
    return body["images"]


def refused(status, body, action):
    assert status == 403, body
    assert f"You are not authorized to complete {action} action." in body["message"], body


# ---- #5: the reader role reads, and only reads ----

def test_reader_cannot_write(cloud, owner, other, reader):
    o = owner.tok
    img = new_image(cloud, o, name="mine", disk_format="raw", container_format="bare",
                    tags=["t1"])
    active = new_image(cloud, o, name="data", disk_format="raw", container_format="bare")
    assert req(cloud, o, "PUT", f"/images/{active['id']}/file", raw=b"abc",
               headers=OCTETS)[0] == 204
    staged = new_image(cloud, o, name="staged", disk_format="raw", container_format="bare")
    assert req(cloud, o, "PUT", f"/images/{staged['id']}/stage", raw=b"xyz",
               headers=OCTETS)[0] == 204
    assert req(cloud, o, "POST", f"/images/{img['id']}/members",
               body={"member": other.id})[0] == 200
    # another project shares its image with the owner's project, still pending
    theirs = new_image(cloud, other.tok, name="theirs")
    assert req(cloud, other.tok, "POST", f"/images/{theirs['id']}/members",
               body={"member": owner.id})[0] == 200
    before = {i["id"]: i for i in listed(cloud, o)}

    r = reader
    refused(*req(cloud, r, "POST", "/images", body={"name": "x"})[::2], "add_image")
    refused(*req(cloud, r, "PATCH", f"/images/{img['id']}", raw=b'[{"op": "replace", '
                 b'"path": "/name", "value": "taken"}]', headers=dict(PATCH, **JSON))[::2],
            "modify_image")
    refused(*req(cloud, r, "DELETE", f"/images/{img['id']}")[::2], "delete_image")
    refused(*req(cloud, r, "PUT", f"/images/{img['id']}/file", raw=b"data",
                 headers=dict(OCTETS, **JSON))[::2], "upload_image")
    refused(*req(cloud, r, "PUT", f"/images/{img['id']}/stage", raw=b"data",
                 headers=dict(OCTETS, **JSON))[::2], "modify_image")
    refused(*req(cloud, r, "POST", f"/images/{staged['id']}/import",
                 body={"method": {"name": "glance-direct"}})[::2], "modify_image")
    refused(*req(cloud, r, "PUT", f"/images/{img['id']}/tags/t2")[::2], "modify_image")
    refused(*req(cloud, r, "DELETE", f"/images/{img['id']}/tags/t1")[::2], "modify_image")
    refused(*req(cloud, r, "POST", f"/images/{img['id']}/members",
                 body={"member": "someone"})[::2], "add_member")
    refused(*req(cloud, r, "DELETE", f"/images/{img['id']}/members/{other.id}")[::2],
            "delete_member")
    refused(*req(cloud, r, "PUT", f"/images/{theirs['id']}/members/{owner.id}",
                 body={"status": "accepted"})[::2], "modify_member")
    refused(*req(cloud, r, "POST", f"/images/{active['id']}/actions/deactivate")[::2],
            "deactivate")
    # Glance's download_image asks for the member role too
    refused(*req(cloud, r, "GET", f"/images/{active['id']}/file")[::2], "download_image")

    # nothing changed
    after = {i["id"]: i for i in listed(cloud, o)}
    assert after == before
    got = show_image(cloud, o, img["id"])
    assert got["name"] == "mine" and got["tags"] == ["t1"] and got["status"] == "queued"
    assert show_image(cloud, o, active["id"])["status"] == "active"
    assert show_image(cloud, o, staged["id"])["status"] == "uploading"
    assert staged_files(cloud, img["id"]) == [] and store_files(cloud, img["id"]) == []
    status, _, m = req(cloud, o, "GET", f"/images/{img['id']}/members")
    assert [x["member_id"] for x in m["members"]] == [other.id]
    status, _, m = req(cloud, other.tok, "GET", f"/images/{theirs['id']}/members/{owner.id}")
    assert m["status"] == "pending"

    # reads work
    assert {i["id"] for i in listed(cloud, r)} >= {img["id"], active["id"], staged["id"]}
    assert show_image(cloud, r, img["id"])["name"] == "mine"
    status, _, m = req(cloud, r, "GET", f"/images/{img['id']}/members")
    assert status == 200 and [x["member_id"] for x in m["members"]] == [other.id]
    assert req(cloud, r, "GET", f"/images/{img['id']}/members/{other.id}")[0] == 200
    assert req(cloud, r, "GET", f"/images/{staged['id']}/tasks")[0] == 200
    assert req(cloud, r, "GET", "/schemas/image")[0] == 200

    # the owner's member still does all of it
    assert req(cloud, o, "PUT", f"/images/{img['id']}/tags/t2")[0] == 204
    assert req(cloud, owner.tok, "PUT", f"/images/{theirs['id']}/members/{owner.id}",
               body={"status": "accepted"})[0] == 200
    for i in (img, active, staged):
        assert req(cloud, o, "DELETE", f"/images/{i['id']}")[0] == 204
    assert req(cloud, other.tok, "DELETE", f"/images/{theirs['id']}")[0] == 204


def test_projectless_tokens_get_nothing(cloud, owner):
    """An unscoped token has no role on any project: Glance refuses it everything."""
    img = new_image(cloud, owner.tok, name="scoped")
    unscoped, body = cloud.token(owner.user, password=owner.password, project=None)
    assert "project" not in body["token"]
    refused(*req(cloud, unscoped, "GET", "/images")[::2], "get_images")
    refused(*req(cloud, unscoped, "GET", f"/images/{img['id']}")[::2], "get_image")
    refused(*req(cloud, unscoped, "POST", "/images", body={"name": "x"})[::2], "add_image")
    refused(*req(cloud, unscoped, "DELETE", f"/images/{img['id']}")[::2], "delete_image")
    refused(*req(cloud, unscoped, "GET", "/metadefs/namespaces")[::2],
            "get_metadef_namespaces")
    assert show_image(cloud, owner.tok, img["id"])["name"] == "scoped"
    assert req(cloud, owner.tok, "DELETE", f"/images/{img['id']}")[0] == 204


# ---- #7: a deleted image's id stays taken (OSSN-0075) ----

def test_deleted_id_is_not_reusable(cloud, owner, other):
    admin = cloud.token()[0]
    x = str(uuid.uuid4())
    img = new_image(cloud, owner.tok, id=x, name="first")
    assert img["id"] == x
    assert req(cloud, owner.tok, "PUT", f"/images/{x}/file", raw=b"first data",
               headers=OCTETS)[0] == 204
    assert req(cloud, owner.tok, "DELETE", f"/images/{x}")[0] == 204
    for tok in (owner.tok, other.tok, admin):
        status, _, err = req(cloud, tok, "POST", "/images",
                             body={"id": x, "name": "again", "visibility": "shared"})
        assert status == 409, err
        assert f"Image with identifier {x} already exists!" in err["message"]
    # still gone, for everyone
    for tok in (owner.tok, other.tok, admin):
        status, _, err = req(cloud, tok, "GET", f"/images/{x}")
        assert status == 404, err
        assert x not in {i["id"] for i in listed(cloud, tok)}
        assert req(cloud, tok, "PUT", f"/images/{x}/file", raw=b"other data",
                   headers=OCTETS)[0] == 404
    assert store_files(cloud, x) == []
    # an id never used is free
    y = str(uuid.uuid4())
    assert new_image(cloud, other.tok, id=y)["id"] == y
    assert req(cloud, other.tok, "DELETE", f"/images/{y}")[0] == 204


# ---- #8: a marker the caller cannot see is a missing marker ----

def test_invisible_marker_is_a_missing_one(cloud, owner, other):
    mine = [new_image(cloud, owner.tok, name=n, visibility="private") for n in ("a", "m")]
    secret = new_image(cloud, other.tok, name="k-secret", visibility="private")
    shared = new_image(cloud, other.tok, name="shared-to-owner", visibility="shared")
    missing = str(uuid.uuid4())
    for query in ("", "&sort_key=name&sort_dir=asc", "&sort=name:desc", "&sort_key=size"):
        status, _, want = req(cloud, owner.tok, "GET", f"/images?marker={missing}{query}")
        assert status == 400, want
        assert want["message"].startswith(f"Invalid marker. Image {missing} could not be "
                                          "found.")
        status, _, got = req(cloud, owner.tok, "GET",
                             f"/images?marker={secret['id']}{query}")
        assert status == 400, got
        assert got == {k: v.replace(missing, secret["id"]) for k, v in want.items()}
        # the tag/property path too
        status, _, got = req(cloud, owner.tok, "GET",
                             f"/images?marker={secret['id']}&tag=x{query}")
        assert status == 400, got
    # a shared image is visible to its members, whatever their answer
    assert req(cloud, owner.tok, "GET", f"/images?marker={shared['id']}")[0] == 400
    assert req(cloud, other.tok, "POST", f"/images/{shared['id']}/members",
               body={"member": owner.id})[0] == 200
    assert req(cloud, owner.tok, "GET", f"/images?marker={shared['id']}")[0] == 200
    # markers the caller sees work, and the owner and admin page past the private one
    status, _, page = req(cloud, owner.tok, "GET",
                          f"/images?marker={mine[1]['id']}&sort_key=name&sort_dir=desc")
    assert status == 200 and mine[0]["id"] in {i["id"] for i in page["images"]}
    assert req(cloud, other.tok, "GET", f"/images?marker={secret['id']}")[0] == 200
    assert req(cloud, cloud.token()[0], "GET", f"/images?marker={secret['id']}")[0] == 200
    for i in mine:
        assert req(cloud, owner.tok, "DELETE", f"/images/{i['id']}")[0] == 204
    for i in (secret, shared):
        assert req(cloud, other.tok, "DELETE", f"/images/{i['id']}")[0] == 204


# ---- #11: the staging quota as the bytes arrive ----

def chunked_stage(cloud, tok, image_id, size):
    """PUT /stage with a chunked body of 'size' bytes (no Content-Length); returns the
    status, or None when the server closed before its answer could be read."""
    conn = http.client.HTTPConnection("127.0.0.1", cloud.port, timeout=30)
    conn.putrequest("PUT", f"/image/v2/images/{image_id}/stage")
    conn.putheader("X-Auth-Token", tok)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Accept", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = os.urandom(64 * 1024)
    try:
        for _ in range(size // len(chunk)):
            conn.send(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before the body ended
    try:
        r = conn.getresponse()
        return r.status
    except (ConnectionResetError, http.client.RemoteDisconnected, socket.timeout):
        return None
    finally:
        conn.close()


def logged_status(cloud, image_id):
    with open(os.path.join(cloud.state, "ciel.log")) as f:
        lines = [l for l in f if f"PUT /image/v2/images/{image_id}/stage " in l]
    return lines[-1].split(f"/stage ")[1].split()[0] if lines else None


def test_chunked_stage_over_quota(cloud, owner):
    o = owner.tok
    img = new_image(cloud, o, name="big", disk_format="raw", container_format="bare")
    status = chunked_stage(cloud, o, img["id"], 3 * MIB)
    assert status in (413, None), status
    assert logged_status(cloud, img["id"]) == "413"
    got = show_image(cloud, o, img["id"])
    assert got["status"] == "queued" and got["size"] is None, got
    assert staged_files(cloud, img["id"]) == []
    # what fits goes in, and counts: 1 MiB staged leaves no room for another MiB
    assert chunked_stage(cloud, o, img["id"], MIB) == 204
    got = show_image(cloud, o, img["id"])
    assert got["status"] == "uploading" and got["size"] == MIB, got
    second = new_image(cloud, o, name="second", disk_format="raw", container_format="bare")
    assert chunked_stage(cloud, o, second["id"], MIB) in (413, None)
    assert logged_status(cloud, second["id"]) == "413"
    assert show_image(cloud, o, second["id"])["status"] == "queued"
    assert staged_files(cloud, second["id"]) == []
    # an announced size is refused up front, as before
    status, _, err = req(cloud, o, "PUT", f"/images/{second['id']}/stage",
                         raw=b"x" * MIB, headers=dict(OCTETS, **JSON))
    assert status == 413, err
    assert "image_stage_total" in err["message"]
    # the first image's import frees the staging quota
    assert req(cloud, o, "POST", f"/images/{img['id']}/import",
               body={"method": {"name": "glance-direct"}})[0] == 202
    conftest.wait_image_status(cloud, o, img["id"], "active")
    assert chunked_stage(cloud, o, second["id"], MIB) == 204
    for i in (img, second):
        assert req(cloud, o, "DELETE", f"/images/{i['id']}")[0] == 204


# ---- #15: HTML error pages escape what they echo ----

def test_html_error_page_escapes(cloud, owner):
    hostile = "<script>alert(document.cookie)&\"'"  # one path segment: no '/'
    for path in ("/image/v2/images/" + hostile,
                 "/image/v2/images/" + urllib.parse.quote(hostile, safe="")):
        conn = http.client.HTTPConnection("127.0.0.1", cloud.port, timeout=30)
        try:
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.putheader("X-Auth-Token", owner.tok)
            conn.putheader("Accept", "text/html")
            conn.endheaders()
            r = conn.getresponse()
            body = r.read().decode()
        finally:
            conn.close()
        assert r.status == 404, body
        assert r.getheader("Content-Type").startswith("text/html")
        assert "<script>" not in body and "\"'" not in body, body
        assert "No image found with ID &lt;script&gt;alert(document.cookie)" \
               "&amp;&quot;&#x27;<br />" in body, body
