"""Image schemas, discovery and interoperable import (glance-direct): the real openstack
CLI, python-glanceclient (which builds its image model from the published schema) and raw
requests for the shapes and the refusals."""
import hashlib
import os
import socket
import sqlite3
import subprocess
import time
import urllib.request

import jsonschema
import pytest

import conftest
from conftest import show_image, wait_image_status

JSON = {"Accept": "application/json"}
OCTETS = {"Content-Type": "application/octet-stream"}


@pytest.fixture(scope="module")
def tok(cloud):
    return cloud.token()[0]


@pytest.fixture(scope="module")
def data():
    # a few MiB of non-repeating bytes, so that chunking mistakes show in the checksums
    return os.urandom(2 * 1024 * 1024 + 4321)


def staging_dir(cloud):
    return os.path.join(cloud.state, "images", "staging")


def staged_files(cloud, image_id):
    """The staged file of the image and any temp file of its stage."""
    return [n for n in os.listdir(staging_dir(cloud))
            if n == image_id or n.startswith("." + image_id + ".")]


def new_image(cloud, tok, **attrs):
    return conftest.new_image(cloud, tok, **dict(
        {"name": "imp", "disk_format": "raw", "container_format": "bare"}, **attrs))


def stage(cloud, tok, image_id, payload):
    return cloud.request("PUT", f"/image/v2/images/{image_id}/stage", tok, raw=payload,
                         headers=OCTETS)


def do_import(cloud, tok, image_id, body):
    return cloud.request("POST", f"/image/v2/images/{image_id}/import", tok, body=body,
                         headers=JSON)


def download(cloud, tok, image_id):
    req = urllib.request.Request(f"{cloud.url}/image/v2/images/{image_id}/file",
                                 headers={"X-Auth-Token": tok})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200
        return r.read()


def glance_direct():
    return {"method": {"name": "glance-direct"}}


# ---- schemas ----

def test_image_schema_shape(cloud, tok):
    status, _, s = cloud.request("GET", "/image/v2/schemas/image", tok)
    assert status == 200
    assert s["name"] == "image"
    assert s["additionalProperties"] == {"type": "string"}
    assert {(l["rel"], l["href"]) for l in s["links"]} == {
        ("self", "{self}"), ("enclosure", "{file}"), ("describedby", "{schema}")}
    p = s["properties"]
    for key in ("id", "name", "status", "visibility", "protected", "os_hidden",
                "checksum", "os_hash_algo", "os_hash_value", "owner", "size",
                "virtual_size", "container_format", "disk_format", "created_at",
                "updated_at", "tags", "min_ram", "min_disk", "self", "file", "schema",
                "locations", "direct_url"):
        assert key in p, key
    for key in ("status", "checksum", "size", "created_at", "self", "file", "schema"):
        assert p[key]["readOnly"] is True, key
    assert "readOnly" not in p["name"] and p["name"]["maxLength"] == 255
    assert set(p["status"]["enum"]) >= {"queued", "saving", "active", "uploading",
                                        "importing", "deleted"}
    assert set(p["visibility"]["enum"]) == {"public", "private", "shared", "community"}
    assert p["disk_format"]["enum"][0] is None and "qcow2" in p["disk_format"]["enum"]
    assert p["container_format"]["enum"][0] is None and "bare" in p["container_format"]["enum"]
    assert p["min_ram"]["type"] == "integer" and p["protected"]["type"] == "boolean"
    # custom properties from Glance's default schema-image.json are marked as such
    assert p["os_distro"]["is_base"] is False and p["kernel_id"]["is_base"] is False
    assert "is_base" not in p["name"]


def test_schema_formats_are_what_the_api_accepts(cloud, tok):
    p = cloud.request("GET", "/image/v2/schemas/image", tok)[2]["properties"]
    for key in ("disk_format", "container_format"):
        for value in p[key]["enum"][1:]:
            img = new_image(cloud, tok, **{key: value})
            assert img[key] == value
            assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204
        status, _, _ = cloud.request("POST", "/image/v2/images", tok,
                                     body={key: "not-a-format"})
        assert status == 400


def test_images_and_member_schemas(cloud, tok):
    image = cloud.request("GET", "/image/v2/schemas/image", tok)[2]
    status, _, s = cloud.request("GET", "/image/v2/schemas/images", tok)
    assert status == 200 and s["name"] == "images"
    assert s["properties"]["images"] == {"type": "array", "items": image}
    for key in ("first", "next", "schema"):
        assert s["properties"][key] == {"type": "string"}
    assert {l["rel"] for l in s["links"]} == {"first", "next", "describedby"}
    status, _, m = cloud.request("GET", "/image/v2/schemas/member", tok)
    assert status == 200 and m["name"] == "member"
    assert m["properties"]["status"]["enum"] == ["pending", "accepted", "rejected"]
    assert set(m["properties"]) == {"member_id", "image_id", "created_at", "updated_at",
                                    "status", "schema"}
    status, _, ms = cloud.request("GET", "/image/v2/schemas/members", tok)
    assert status == 200 and ms["name"] == "members"
    assert ms["properties"]["members"] == {"type": "array", "items": m}
    assert ms["links"] == [{"rel": "describedby", "href": "{schema}"}]


def test_schemas_need_a_token(cloud):
    status, _, _ = cloud.request("GET", "/image/v2/schemas/image")
    assert status == 401


def test_images_validate_against_the_schemas(cloud, tok, data):
    image = cloud.request("GET", "/image/v2/schemas/image", tok)[2]
    images = cloud.request("GET", "/image/v2/schemas/images", tok)[2]
    img = new_image(cloud, tok, tags=["t"], os_distro="debian", hw_arch="x86_64")
    jsonschema.validate(img, image)
    assert stage(cloud, tok, img["id"], data)[0] == 204
    jsonschema.validate(show_image(cloud, tok, img["id"]), image)
    assert do_import(cloud, tok, img["id"], glance_direct())[0] == 202
    jsonschema.validate(wait_image_status(cloud, tok, img["id"], "active"), image)
    jsonschema.validate(cloud.request("GET", "/image/v2/images", tok)[2], images)
    # and a non-string extra property is what the schema refuses, as the API does
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(img, extra=1), image)
    status, _, _ = cloud.request("POST", "/image/v2/images", tok, body={"extra": 1})
    assert status == 400


# ---- discovery ----

def test_info_import(cloud, tok):
    status, _, body = cloud.request("GET", "/image/v2/info/import", tok)
    assert status == 200
    assert body == {"import-methods": {"description": "Import methods available.",
                                       "type": "array", "value": ["glance-direct"]}}
    assert cloud.request("GET", "/image/v2/info/import")[0] == 401


def test_info_stores_single_store(cloud, tok):
    # one store: Glance serves no store list, and clients fall back to waiting for active
    status, _, body = cloud.request("GET", "/image/v2/info/stores", tok, headers=JSON)
    assert status == 404
    assert "Multi backend is not supported at this site." in body["message"]


# ---- stage + import ----

def test_stage_and_import(cloud, tok, data):
    img = new_image(cloud, tok)
    status, _, body = stage(cloud, tok, img["id"], data)
    assert status == 204, body
    assert show_image(cloud, tok, img["id"])["status"] == "uploading"
    with open(os.path.join(staging_dir(cloud), img["id"]), "rb") as f:
        assert f.read() == data
    # nothing in the image store yet
    assert not os.path.exists(os.path.join(cloud.state, "images", img["id"]))
    status, _, body = do_import(cloud, tok, img["id"], glance_direct())
    assert status == 202, body
    assert body is None
    done = wait_image_status(cloud, tok, img["id"], "active")
    assert done["size"] == len(data)
    assert done["checksum"] == hashlib.md5(data).hexdigest()
    assert done["os_hash_algo"] == "sha512"
    assert done["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert download(cloud, tok, img["id"]) == data
    assert not staged_files(cloud, img["id"])
    # an active image takes no second import, nor a second stage
    status, _, body = do_import(cloud, tok, img["id"], glance_direct())
    assert status == 409
    assert "Image with status active cannot be target for import" in body["message"]
    status, _, body = cloud.request("PUT", f"/image/v2/images/{img['id']}/stage", tok,
                                    raw=b"x", headers=dict(OCTETS, **JSON))
    assert status == 409
    assert ("Image status transition from active to uploading is not allowed"
            in body["message"])


def test_download_equals_staged_bytes(cloud, tok, data, tmp_path):
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], data)[0] == 204
    assert do_import(cloud, tok, img["id"], glance_direct())[0] == 202
    wait_image_status(cloud, tok, img["id"], "active")
    out = tmp_path / "out"
    cloud.cli("image", "save", "--file", str(out), img["id"])
    assert out.read_bytes() == data


def test_cli_create_with_import(cloud, data, tmp_path):
    path = tmp_path / "disk.raw"
    path.write_bytes(data)
    img = cloud.cli("image", "create", "--import", "--file", str(path), "--disk-format",
                    "raw", "--container-format", "bare", "imported", "-f", "json")
    deadline = time.time() + 30
    while True:
        shown = cloud.cli("image", "show", img["id"], "-f", "json")
        if shown["status"] == "active" or time.time() > deadline:
            break
        time.sleep(0.2)
    assert shown["status"] == "active"
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert shown["size"] == len(data)
    out = tmp_path / "out.raw"
    cloud.cli("image", "save", "--file", str(out), img["id"])
    assert out.read_bytes() == data


def test_glanceclient_stage_and_import(cloud, data):
    """python-glanceclient validates against /v2/schemas/image (warlock) as it creates."""
    import io
    from glanceclient import client as gclient
    conn = cloud.sdk()
    gc = gclient.Client("2", session=conn.session,
                        endpoint_override=cloud.url + "/image")
    assert gc.images.get_import_info()["import-methods"]["value"] == ["glance-direct"]
    img = gc.images.create(name="gc", disk_format="qcow2", container_format="bare",
                           os_distro="debian", kernel_id="00000000-1111-2222-3333-444455556666")
    assert img.status == "queued" and img.os_distro == "debian"
    gc.images.stage(img.id, io.BytesIO(data))
    assert gc.images.get(img.id).status == "uploading"
    gc.images.image_import(img.id, method="glance-direct")
    deadline = time.time() + 30
    while gc.images.get(img.id).status != "active" and time.time() < deadline:
        time.sleep(0.1)
    got = gc.images.get(img.id)
    assert got.status == "active" and got.checksum == hashlib.md5(data).hexdigest()
    assert b"".join(gc.images.data(img.id)) == data
    # a property the schema types is checked by the client, as Glance's clients do
    with pytest.raises(Exception):
        gc.images.update(img.id, min_ram="lots")


# ---- refusals ----

def test_web_download_is_not_enabled(cloud, tok, data):
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], data)[0] == 204
    for method in ("web-download", "glance-download", "copy-image"):
        body = {"method": {"name": method, "uri": "http://127.0.0.1:1/x"}}
        status, _, err = do_import(cloud, tok, img["id"], body)
        assert status == 400, err
        assert f"Unknown import method name '{method}'." in err["message"]
        assert show_image(cloud, tok, img["id"])["status"] == "uploading"
    with open(os.path.join(staging_dir(cloud), img["id"]), "rb") as f:
        assert f.read() == data
    # the staged data is still there for the method that is enabled
    assert do_import(cloud, tok, img["id"], glance_direct())[0] == 202
    assert wait_image_status(cloud, tok, img["id"], "active")["size"] == len(data)


def test_import_without_stage(cloud, tok):
    img = new_image(cloud, tok)
    status, _, err = do_import(cloud, tok, img["id"], glance_direct())
    assert status == 409
    assert ("Image needs to be staged before 'glance-direct' method can be used"
            in err["message"])
    assert show_image(cloud, tok, img["id"])["status"] == "queued"


def test_import_needs_formats(cloud, tok):
    status, _, img = cloud.request("POST", "/image/v2/images", tok, body={"name": "nf"})
    assert status == 201
    assert stage(cloud, tok, img["id"], b"abc")[0] == 204
    status, _, err = do_import(cloud, tok, img["id"], glance_direct())
    assert status == 409
    assert "'container_format' needs to be set before import" in err["message"]
    assert show_image(cloud, tok, img["id"])["status"] == "uploading"


@pytest.mark.parametrize("body,message", [
    ({}, "Import request requires a 'method' field."),
    ({"method": {}}, "Import request requires a 'name' field."),
    ({"method": "glance-direct"}, "Import request requires a 'name' field."),
    ({"method": {"name": "nope"}}, "Unknown import method name 'nope'."),
    ({"method": {"name": "glance-direct"}, "all_stores": "yes"},
     "'all_stores' must be boolean value only"),
    ({"method": {"name": "glance-direct"}, "all_stores_must_succeed": 1},
     "'all_stores_must_succeed' must be boolean value only"),
    ({"method": {"name": "glance-direct"}, "all_stores_must_succeed": False},
     "All_stores_must_succeed can only be set with enabled_backends"),
])
def test_import_bad_body(cloud, tok, body, message):
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], b"abc")[0] == 204
    status, _, err = do_import(cloud, tok, img["id"], body)
    assert status == 400, err
    assert message in err["message"]
    assert show_image(cloud, tok, img["id"])["status"] == "uploading"


def test_import_malformed_or_empty_body(cloud, tok):
    img = new_image(cloud, tok)
    path = f"/image/v2/images/{img['id']}/import"
    status, _, err = cloud.request("POST", path, tok, raw=b"{nope", headers=JSON)
    assert status == 400 and "Malformed JSON in request body." in err["message"]
    status, _, err = cloud.request("POST", path, tok, raw=b"", headers=JSON)
    assert status == 400 and "Body expected in request." in err["message"]


def test_unknown_image(cloud, tok):
    missing = "00000000-0000-4000-8000-000000000000"
    status, _, err = do_import(cloud, tok, missing, glance_direct())
    assert status == 404
    status, _, _ = stage(cloud, tok, missing, b"abc")
    assert status == 404
    assert not staged_files(cloud, missing)


def test_stage_twice_and_content_type(cloud, tok):
    img = new_image(cloud, tok)
    status, _, _ = cloud.request("PUT", f"/image/v2/images/{img['id']}/stage", tok,
                                 raw=b"abc", headers={"Content-Type": "text/plain"})
    assert status == 415
    assert show_image(cloud, tok, img["id"])["status"] == "queued"
    assert stage(cloud, tok, img["id"], b"first")[0] == 204
    status, _, err = cloud.request("PUT", f"/image/v2/images/{img['id']}/stage", tok,
                                   raw=b"second", headers=dict(OCTETS, **JSON))
    assert status == 409
    assert ("Image status transition from uploading to uploading is not allowed"
            in err["message"])
    with open(os.path.join(staging_dir(cloud), img["id"]), "rb") as f:
        assert f.read() == b"first"


def test_other_project_cannot_stage_or_import(cloud, tok):
    demo, _ = cloud.token("demo", project="demo")
    private = new_image(cloud, tok)
    assert stage(cloud, demo, private["id"], b"abc")[0] == 404
    assert do_import(cloud, demo, private["id"], glance_direct())[0] == 404
    public = new_image(cloud, tok, visibility="public")
    status, _, err = cloud.request("PUT", f"/image/v2/images/{public['id']}/stage", demo,
                                   raw=b"abc", headers=dict(OCTETS, **JSON))
    assert status == 403, err
    assert show_image(cloud, tok, public["id"])["status"] == "queued"
    assert stage(cloud, tok, public["id"], b"abc")[0] == 204
    status, _, err = do_import(cloud, demo, public["id"], glance_direct())
    assert status == 403, err
    assert show_image(cloud, tok, public["id"])["status"] == "uploading"


def test_interrupted_stage_leaves_nothing(cloud, tok):
    img = new_image(cloud, tok)
    s = socket.create_connection(("127.0.0.1", cloud.port))
    s.sendall((f"PUT /image/v2/images/{img['id']}/stage HTTP/1.1\r\nHost: x\r\n"
               f"X-Auth-Token: {tok}\r\nContent-Type: application/octet-stream\r\n"
               "Content-Length: 1000000\r\n\r\n").encode() + b"x" * 100000)
    deadline = time.time() + 10
    while show_image(cloud, tok, img["id"])["status"] != "uploading" and time.time() < deadline:
        time.sleep(0.05)
    assert show_image(cloud, tok, img["id"])["status"] == "uploading"
    s.close()
    wait_image_status(cloud, tok, img["id"], "queued", timeout=10)
    assert not staged_files(cloud, img["id"])
    # and the image takes a new stage
    assert stage(cloud, tok, img["id"], b"again")[0] == 204
    assert do_import(cloud, tok, img["id"], glance_direct())[0] == 202
    assert wait_image_status(cloud, tok, img["id"], "active")["size"] == 5


def test_delete_drops_staged_data(cloud, tok):
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], b"abc")[0] == 204
    assert staged_files(cloud, img["id"]) == [img["id"]]
    assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204
    assert not staged_files(cloud, img["id"])


def test_restart_keeps_staged_and_drops_orphans(cloud, tok, data):
    kept = new_image(cloud, tok)
    imported = new_image(cloud, tok)
    assert stage(cloud, tok, kept["id"], data)[0] == 204
    assert stage(cloud, tok, imported["id"], b"done")[0] == 204
    assert do_import(cloud, tok, imported["id"], glance_direct())[0] == 202
    wait_image_status(cloud, tok, imported["id"], "active")
    # what a crash can leave: a temp file of a cut-off stage, a staged file of an image
    # deleted or imported meanwhile
    for name in ("." + kept["id"] + ".abc123", imported["id"],
                 "00000000-0000-4000-8000-00000000dead"):
        with open(os.path.join(staging_dir(cloud), name), "wb") as f:
            f.write(b"stale")
    cloud.restart()
    tok = cloud.token()[0]
    left = os.listdir(staging_dir(cloud))
    assert kept["id"] in left
    assert not [n for n in left if n.startswith(".") or n in (
        imported["id"], "00000000-0000-4000-8000-00000000dead")], left
    assert show_image(cloud, tok, kept["id"])["status"] == "uploading"
    assert do_import(cloud, tok, kept["id"], glance_direct())[0] == 202
    done = wait_image_status(cloud, tok, kept["id"], "active")
    assert done["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert not staged_files(cloud, kept["id"])
    assert download(cloud, tok, imported["id"]) == b"done"


# ---- import tasks (GET /v2/images/{id}/tasks, the tasks API) ----

def image_tasks(cloud, tok, image_id):
    status, _, body = cloud.request("GET", f"/image/v2/images/{image_id}/tasks", tok,
                                    headers=JSON)
    assert status == 200, body
    return body["tasks"]


def wait_task(cloud, tok, image_id, want, timeout=30):
    deadline = time.time() + timeout
    while True:
        tasks = image_tasks(cloud, tok, image_id)
        if (tasks and all(t["status"] == want for t in tasks)) or time.time() > deadline:
            assert tasks and all(t["status"] == want for t in tasks), tasks
            return tasks


def test_import_records_a_task(cloud, tok, data):
    img = new_image(cloud, tok)
    assert image_tasks(cloud, tok, img["id"]) == []
    assert stage(cloud, tok, img["id"], data)[0] == 204
    status, hdrs, _ = do_import(cloud, tok, img["id"], glance_direct())
    assert status == 202
    request_id = hdrs["x-openstack-request-id"]
    wait_image_status(cloud, tok, img["id"], "active")
    [task] = wait_task(cloud, tok, img["id"], "success")
    _, body = cloud.token()
    assert task["request_id"] == request_id
    assert task["user_id"] == body["token"]["user"]["id"]
    assert task["owner"] == body["token"]["project"]["id"] == img["owner"]
    assert task["type"] == "api_image_import"
    assert task["image_id"] == img["id"]
    assert task["input"] == {"image_id": img["id"], "import_req": glance_direct(),
                             "backend": [None]}
    assert task["result"] == {"image_id": img["id"]}
    assert task["message"] == ""
    assert task["deleted"] is False and task["deleted_at"] is None
    # times as Glance's rows serialize them: no zone; a finished task expires in 48 h
    created = time.strptime(task["created_at"], "%Y-%m-%dT%H:%M:%S.%f")
    expires = time.strptime(task["expires_at"], "%Y-%m-%dT%H:%M:%S.%f")
    assert 47 * 3600 < time.mktime(expires) - time.mktime(created) <= 48 * 3600 + 60
    # the tasks API (admin) shows the same task in its own shape
    status, _, shown = cloud.request("GET", "/image/v2/tasks/" + task["id"], tok,
                                     headers=JSON)
    assert status == 200, shown
    assert shown["status"] == "success" and shown["request_id"] == request_id
    assert shown["input"]["import_req"]["method"]["name"] == "glance-direct"
    assert shown["self"] == "/v2/tasks/" + task["id"]
    assert shown["schema"] == "/v2/schemas/task"
    assert shown["created_at"].endswith("Z") and shown["expires_at"].endswith("Z")
    assert "deleted" not in shown


def test_failed_import_records_a_failed_task(cloud, tok):
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], b"gone soon")[0] == 204
    # the staged data disappears behind the service's back: the import cannot read it
    os.unlink(os.path.join(staging_dir(cloud), img["id"]))
    status, hdrs, _ = do_import(cloud, tok, img["id"], glance_direct())
    assert status == 202
    [task] = wait_task(cloud, tok, img["id"], "failure")
    assert task["request_id"] == hdrs["x-openstack-request-id"]
    assert task["message"]
    assert task["result"] is None
    assert task["expires_at"] is not None
    # and the image is back to queued, as Glance reverts a failed import
    assert show_image(cloud, tok, img["id"])["status"] == "queued"
    # a second try after a new stage adds a second task, which succeeds
    assert stage(cloud, tok, img["id"], b"here now")[0] == 204
    assert do_import(cloud, tok, img["id"], glance_direct())[0] == 202
    wait_image_status(cloud, tok, img["id"], "active")
    deadline = time.time() + 10
    while True:
        tasks = image_tasks(cloud, tok, img["id"])
        if [t["status"] for t in tasks] == ["failure", "success"] or time.time() > deadline:
            break
        time.sleep(0.1)
    assert [t["status"] for t in tasks] == ["failure", "success"]


def test_refused_import_records_no_task(cloud, tok):
    img = new_image(cloud, tok)
    assert do_import(cloud, tok, img["id"], glance_direct())[0] == 409
    body = {"method": {"name": "web-download", "uri": "http://127.0.0.1:1/x"}}
    assert stage(cloud, tok, img["id"], b"abc")[0] == 204
    assert do_import(cloud, tok, img["id"], body)[0] == 400
    assert image_tasks(cloud, tok, img["id"]) == []


def test_image_tasks_follow_the_image_visibility(cloud, tok):
    demo, _ = cloud.token("demo", project="demo")
    private = new_image(cloud, tok)
    assert stage(cloud, tok, private["id"], b"abc")[0] == 204
    assert do_import(cloud, tok, private["id"], glance_direct())[0] == 202
    wait_task(cloud, tok, private["id"], "success")
    status, _, err = cloud.request("GET", f"/image/v2/images/{private['id']}/tasks", demo,
                                   headers=JSON)
    assert status == 404, err
    status, _, err = cloud.request("GET", "/image/v2/images/no-such-image/tasks", tok,
                                   headers=JSON)
    assert status == 404, err
    # a public image is visible, the tasks of its owner's project are not
    public = new_image(cloud, tok, visibility="public")
    assert stage(cloud, tok, public["id"], b"abc")[0] == 204
    assert do_import(cloud, tok, public["id"], glance_direct())[0] == 202
    wait_task(cloud, tok, public["id"], "success")
    assert image_tasks(cloud, demo, public["id"]) == []
    # the image's own project sees them
    assert len(image_tasks(cloud, tok, public["id"])) == 1


def test_tasks_api_is_admin_only(cloud, tok):
    demo, _ = cloud.token("demo", project="demo")
    for method, path, body in (("GET", "/image/v2/tasks", None),
                               ("GET", "/image/v2/tasks/" + "0" * 8 + "-0000-4000-8000-" +
                                "0" * 12, None),
                               ("POST", "/image/v2/tasks", {"type": "import", "input": {}})):
        status, _, err = cloud.request(method, path, demo, body=body, headers=JSON)
        assert status == 403, (method, path, err)
        assert ("You are not authorized to complete tasks_api_access action."
                in err["message"])
    status, _, err = cloud.request("GET", "/image/v2/tasks/" + "0" * 8 + "-0000-4000-8000-" +
                                   "0" * 12, tok, headers=JSON)
    assert status == 404, err
    assert "was not found" in err["message"]


def test_tasks_api_list(cloud, tok):
    ids = []
    for _ in range(3):
        img = new_image(cloud, tok)
        assert stage(cloud, tok, img["id"], b"abc")[0] == 204
        assert do_import(cloud, tok, img["id"], glance_direct())[0] == 202
        ids.append(wait_task(cloud, tok, img["id"], "success")[0]["id"])
    status, _, body = cloud.request("GET", "/image/v2/tasks?limit=2", tok, headers=JSON)
    assert status == 200, body
    assert body["schema"] == "/v2/schemas/tasks"
    assert body["first"] == "/v2/tasks?limit=2"
    # newest first; stubs carry no input, result or message
    assert [t["id"] for t in body["tasks"]] == ids[::-1][:2]
    assert set(body["tasks"][0]) == {"id", "type", "status", "owner", "created_at",
                                     "updated_at", "expires_at", "self", "schema"}
    status, _, page2 = cloud.request("GET", "/image" + body["next"], tok, headers=JSON)
    assert status == 200, page2
    assert page2["tasks"][0]["id"] == ids[0]
    status, _, body = cloud.request("GET", "/image/v2/tasks?status=success&sort_dir=asc",
                                    tok, headers=JSON)
    assert status == 200 and all(t["status"] == "success" for t in body["tasks"])
    for query, message in (("status=done", "Invalid status value: done"),
                           ("type=api_image_import", "Invalid type value: api_image_import"),
                           ("sort_dir=up", "Invalid sort direction: up"),
                           ("limit=x", "limit param must be an integer"),
                           ("limit=-1", "limit param must be positive"),
                           ("marker=nope", "Invalid marker format"),
                           ("sort_key=input", "Sort key supplied was not valid.")):
        status, _, err = cloud.request("GET", "/image/v2/tasks?" + query, tok, headers=JSON)
        assert status == 400, (query, err)
        assert message in err["message"], (query, err)


def test_tasks_cannot_be_deleted_or_created(cloud, tok):
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], b"abc")[0] == 204
    assert do_import(cloud, tok, img["id"], glance_direct())[0] == 202
    [task] = wait_task(cloud, tok, img["id"], "success")
    status, hdrs, err = cloud.request("DELETE", "/image/v2/tasks/" + task["id"], tok,
                                      headers=JSON)
    assert status == 405, err
    assert hdrs["Allow"] == "GET"
    assert "They are auto deleted after reaching the time" in err["message"]
    for body, message in (({"input": {}}, "Task 'type' is required"),
                          ({"type": "import"}, "Task 'input' is required")):
        status, _, err = cloud.request("POST", "/image/v2/tasks", tok, body=body,
                                       headers=JSON)
        assert status == 400 and message in err["message"], err
    status, _, err = cloud.request("POST", "/image/v2/tasks", tok,
                                   body={"type": "import", "input": {
                                       "import_from": "http://127.0.0.1:1/x"}},
                                   headers=JSON)
    assert status == 400, err
    # deleting the image leaves its tasks until they expire, as Glance does
    assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204
    status, _, err = cloud.request("GET", f"/image/v2/images/{img['id']}/tasks", tok,
                                   headers=JSON)
    assert status == 404
    status, _, shown = cloud.request("GET", "/image/v2/tasks/" + task["id"], tok,
                                     headers=JSON)
    assert status == 200 and shown["image_id"] == img["id"]


def sql(cloud, statement):
    """Runs one statement on the stopped cloud's database, as a crash would leave it."""
    with open(cloud.conf) as f:
        urls = [l.split("=", 1)[1].strip() for l in f if l.startswith("connection")]
    if urls:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", urls[0], "-c", statement],
                       check=True, capture_output=True)
    else:
        with sqlite3.connect(os.path.join(cloud.state, "ciel.db")) as db:
            db.execute(statement)


def test_restart_resumes_an_import(cloud, data):
    tok = cloud.token()[0]
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], data)[0] == 204
    # the state a stop in the middle of an import leaves: importing, staged file intact
    cloud.stop()
    sql(cloud, f"UPDATE image SET status = 'importing' WHERE id = '{img['id']}'")
    cloud.start()
    tok = cloud.token()[0]
    done = wait_image_status(cloud, tok, img["id"], "active")
    assert done["checksum"] == hashlib.md5(data).hexdigest()
    assert not staged_files(cloud, img["id"])
    # importing with nothing staged cannot finish: back to queued at start
    img = new_image(cloud, tok)
    cloud.stop()
    sql(cloud, f"UPDATE image SET status = 'importing' WHERE id = '{img['id']}'")
    cloud.start()
    tok = cloud.token()[0]
    assert show_image(cloud, tok, img["id"])["status"] == "queued"


def test_restart_fails_the_task_of_an_import_with_nothing_staged(cloud):
    tok = cloud.token()[0]
    img = new_image(cloud, tok)
    assert stage(cloud, tok, img["id"], b"abc")[0] == 204
    cloud.stop()
    # stopped between the import's 202 and the worker: importing, then the file is lost
    os.unlink(os.path.join(staging_dir(cloud), img["id"]))
    sql(cloud, f"UPDATE image SET status = 'importing' WHERE id = '{img['id']}'")
    sql(cloud, "INSERT INTO image_task (id, type, status, owner, image_id, message,"
               " created_at, updated_at) VALUES ('11111111-2222-4333-8444-555555555555',"
               f" 'api_image_import', 'pending', '{img['owner']}', '{img['id']}', '', 1, 1)")
    cloud.start()
    tok = cloud.token()[0]
    assert show_image(cloud, tok, img["id"])["status"] == "queued"
    [task] = image_tasks(cloud, tok, img["id"])
    assert task["status"] == "failure" and task["message"]
