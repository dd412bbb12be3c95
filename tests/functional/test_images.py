"""The image service (Glance v2 under /image): the real openstack CLI for the round trip,
raw requests for the shapes and the refusals."""
import hashlib
import os

import pytest


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("img") / "disk.qcow2"
    # a few MiB of non-repeating bytes, so that chunking mistakes show in the checksum
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 12345))
    return path


def test_versions(cloud):
    status, _, body = cloud.request("GET", "/image")
    assert status == 300
    ids = [v["id"] for v in body["versions"]]
    assert "v2.0" in ids and body["versions"][0]["status"] == "CURRENT"
    assert body["versions"][0]["links"][0]["href"].endswith("/image/v2/")
    status, _, body = cloud.request("GET", "/image/versions")
    assert status == 200 and body["versions"]


def test_catalog_lists_image(cloud):
    out = cloud.cli("catalog", "list", "-f", "json")
    assert any(s["Type"] == "image" for s in out)


def test_cli_round_trip(cloud, data_file, tmp_path):
    img = cloud.cli("image", "create", "--file", str(data_file), "--disk-format", "qcow2",
                    "--container-format", "bare", "img1", "-f", "json")
    md5 = hashlib.md5(data_file.read_bytes()).hexdigest()
    sha = hashlib.sha512(data_file.read_bytes()).hexdigest()
    # the CLI prints the image as created; show reads it after the upload
    shown = cloud.cli("image", "show", img["id"], "-f", "json")
    assert shown["status"] == "active"
    assert shown["checksum"] == md5
    assert shown["size"] == data_file.stat().st_size
    # the CLI does not print the multihash: read it from the API
    tok, _ = cloud.token()
    raw = cloud.request("GET", "/image/v2/images/" + img["id"], tok)[2]
    assert raw["os_hash_algo"] == "sha512" and raw["os_hash_value"] == sha
    assert shown["visibility"] == "shared" and shown["disk_format"] == "qcow2"
    names = [i["Name"] for i in cloud.cli("image", "list", "-f", "json")]
    assert "img1" in names
    out = tmp_path / "out.qcow2"
    cloud.cli("image", "save", "--file", str(out), img["id"])
    assert out.read_bytes() == data_file.read_bytes()
    cloud.cli("image", "set", "--property", "os_distro=debian", img["id"])
    shown = cloud.cli("image", "show", img["id"], "-f", "json")
    assert shown["properties"]["os_distro"] == "debian"
    cloud.cli("image", "delete", img["id"])
    p = cloud.cli("image", "show", img["id"], check=False)
    assert p.returncode != 0
    # the stored object is gone with the row
    assert not os.path.exists(os.path.join(cloud.state, "images", img["id"]))


def test_raw_shapes_and_download_headers(cloud):
    tok, _ = cloud.token()
    status, hdrs, img = cloud.request("POST", "/image/v2/images", tok, body={
        "name": "raw1", "disk_format": "raw", "container_format": "bare",
        "tags": ["a", "b"], "hw_arch": "x86_64", "min_ram": 64})
    assert status == 201, img
    assert img["status"] == "queued" and img["size"] is None
    assert img["self"] == "/v2/images/" + img["id"]
    assert img["file"] == img["self"] + "/file" and img["schema"] == "/v2/schemas/image"
    assert img["hw_arch"] == "x86_64" and img["tags"] == ["a", "b"] and img["min_ram"] == 64
    assert hdrs["Location"].endswith("/image/v2/images/" + img["id"])
    # no data yet
    status, _, _ = cloud.request("GET", f"/image/v2/images/{img['id']}/file", tok)
    assert status == 204
    data = b"hello image\n" * 1000
    status, _, _ = cloud.request("PUT", f"/image/v2/images/{img['id']}/file", tok, raw=data,
                                 headers={"Content-Type": "application/octet-stream"})
    assert status == 204
    # an active image takes no second upload
    status, _, _ = cloud.request("PUT", f"/image/v2/images/{img['id']}/file", tok, raw=data,
                                 headers={"Content-Type": "application/octet-stream"})
    assert status == 409
    import urllib.request
    req = urllib.request.Request(f"{cloud.url}/image/v2/images/{img['id']}/file",
                                 headers={"X-Auth-Token": tok})
    with urllib.request.urlopen(req) as r:
        assert r.read() == data
        assert r.headers["Content-MD5"] == hashlib.md5(data).hexdigest()
    # Glance's error body
    status, _, body = cloud.request("GET", "/image/v2/images/" + "0" * 8 + "-0000-0000-0000-"
                                    + "0" * 12, tok, headers={"Accept": "application/json"})
    assert status == 404
    assert body["code"] == "404 Not Found" and "No image found with ID" in body["message"]


def test_list_pagination_and_filters(cloud):
    tok, _ = cloud.token()
    ids = []
    for i in range(5):
        status, _, img = cloud.request("POST", "/image/v2/images", tok,
                                       body={"name": f"page-{i}", "pg": "yes"})
        assert status == 201
        ids.append(img["id"])
    seen, url = [], "/image/v2/images?limit=2&sort_key=name&sort_dir=asc"
    while url:
        status, _, body = cloud.request("GET", "/image" + url if url.startswith("/v2")
                                        else url, tok)
        assert status == 200, body
        seen += [i["name"] for i in body["images"] if i["name"].startswith("page-")]
        url = body.get("next")
    assert seen == [f"page-{i}" for i in range(5)]
    # openstacksdk follows the relative 'next' links the same way
    conn = cloud.sdk()
    got = [i.name for i in conn.image.images(limit=2, sort_key="name", sort_dir="asc")
           if i.name.startswith("page-")]
    conn.close()
    assert got == [f"page-{i}" for i in range(5)]
    status, _, body = cloud.request("GET", "/image/v2/images?name=page-3", tok)
    assert [i["name"] for i in body["images"]] == ["page-3"]
    status, _, body = cloud.request("GET", "/image/v2/images?status=active&name=page-3", tok)
    assert body["images"] == []
    status, _, body = cloud.request("GET", "/image/v2/images?marker=nope", tok)
    assert status == 400
    status, _, body = cloud.request("GET", "/image/v2/images?sort_key=bogus", tok)
    assert status == 400
    for i in ids:
        assert cloud.request("DELETE", "/image/v2/images/" + i, tok)[0] == 204


def test_visibility_between_projects(cloud):
    admin, _ = cloud.token()
    demo, _ = cloud.token("demo", project="demo")
    _, _, priv = cloud.request("POST", "/image/v2/images", admin, body={"name": "adm-priv"})
    status, _, pub = cloud.request("POST", "/image/v2/images", admin,
                                   body={"name": "adm-pub", "visibility": "public"})
    assert status == 201
    names = [i["name"] for i in cloud.request("GET", "/image/v2/images", demo)[2]["images"]]
    assert "adm-pub" in names and "adm-priv" not in names
    assert cloud.request("GET", "/image/v2/images/" + priv["id"], demo)[0] == 404
    assert cloud.request("DELETE", "/image/v2/images/" + priv["id"], demo)[0] == 404
    assert cloud.request("DELETE", "/image/v2/images/" + pub["id"], demo)[0] == 403
    # only admin publicizes
    status, _, _ = cloud.request("POST", "/image/v2/images", demo,
                                 body={"name": "demo-pub", "visibility": "public"})
    assert status == 403
    demo_cli = cloud.cli("image", "list", "-f", "json", cloud="ciel-demo")
    assert "adm-priv" not in [i["Name"] for i in demo_cli]
    for i in (priv, pub):
        assert cloud.request("DELETE", "/image/v2/images/" + i["id"], admin)[0] == 204


def test_protected_delete_refused(cloud):
    tok, _ = cloud.token()
    _, _, img = cloud.request("POST", "/image/v2/images", tok,
                              body={"name": "prot", "protected": True})
    status, _, _ = cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)
    assert status == 403
    assert cloud.request("GET", "/image/v2/images/" + img["id"], tok)[0] == 200
    patch = [{"op": "replace", "path": "/protected", "value": False}]
    status, _, body = cloud.request(
        "PATCH", "/image/v2/images/" + img["id"], tok, body=patch,
        headers={"Content-Type": "application/openstack-images-v2.1-json-patch"})
    assert status == 200 and body["protected"] is False
    assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204


def test_bad_input_changes_nothing(cloud):
    tok, _ = cloud.token()
    before = cloud.request("GET", "/image/v2/images", tok)[2]["images"]
    status, _, _ = cloud.request("POST", "/image/v2/images", tok,
                                 body={"name": "bad", "disk_format": "floppy"})
    assert status == 400
    status, _, _ = cloud.request("POST", "/image/v2/images", tok,
                                 body={"name": "bad", "status": "active"})
    assert status == 403
    status, _, _ = cloud.request("POST", "/image/v2/images", tok,
                                 body={"name": "bad", "prop": 5})
    assert status == 400
    # os_glance_* is the service's own namespace
    status, _, _ = cloud.request("POST", "/image/v2/images", tok,
                                 body={"name": "bad", "os_glance_foo": "bar"})
    assert status == 403
    assert cloud.request("GET", "/image/v2/images", tok)[2]["images"] == before
    # query bytes that are not UTF-8 can name no tag or property: 400, not a crash
    for q in ("tag=%9F%DB", "os_distro=%FF", "%FE=x"):
        status, _, _ = cloud.request("GET", "/image/v2/images?" + q, tok)
        assert status == 400, q
    # an empty image id is no image (not the list)
    assert cloud.request("GET", "/image/v2/images/", tok)[0] == 404
    assert cloud.request("DELETE", "/image/v2/images/", tok)[0] == 404

    _, _, img = cloud.request("POST", "/image/v2/images", tok, body={"name": "orig"})
    url = "/image/v2/images/" + img["id"]
    jp = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
    for patch, code in (
            ([{"op": "replace", "path": "/name/x", "value": "n"}], 400),
            ([{"op": "replace", "path": "name", "value": "n"}], 400),
            ([{"op": "replace", "path": "/status", "value": "active"}], 403),
            ([{"op": "replace", "path": "/id", "value": "x"}], 403),
            ([{"op": "add", "path": "/os_glance_foo", "value": "x"}], 403),
            ([{"op": "replace", "path": "/name", "value": "n"},
              {"op": "replace", "path": "/checksum", "value": "x"}], 403),
            ([{"op": "move", "path": "/name", "value": "n"}], 400),
            ([{"op": "replace", "path": "/disk_format", "value": "floppy"}], 400)):
        status, _, _ = cloud.request("PATCH", url, tok, body=patch, headers=jp)
        assert status == code, (patch, status)
    status, _, _ = cloud.request("PATCH", url, tok, body=[], headers={
        "Content-Type": "application/json"})
    assert status == 415
    assert cloud.request("GET", url, tok)[2] == img
    # a good patch: add, replace, remove on a custom property
    for patch in ([{"op": "add", "path": "/k", "value": "v"}],
                  [{"op": "replace", "path": "/k", "value": "w"},
                   {"op": "replace", "path": "/name", "value": "renamed"}]):
        status, _, body = cloud.request("PATCH", url, tok, body=patch, headers=jp)
        assert status == 200
    assert body["k"] == "w" and body["name"] == "renamed"
    status, _, body = cloud.request("PATCH", url, tok, headers=jp,
                                    body=[{"op": "remove", "path": "/k"}])
    assert status == 200 and "k" not in body
    # the v2.0 media type takes the older draft: {"replace": "/name", "value": ...}
    jp0 = {"Content-Type": "application/openstack-images-v2.0-json-patch"}
    status, _, body = cloud.request("PATCH", url, tok, headers=jp0,
                                    body=[{"replace": "/name", "value": "old-draft"}])
    assert status == 200 and body["name"] == "old-draft"
    for patch in ([{"replace": "/name", "add": "/name", "value": "x"}],
                  [{"op": "replace", "path": "/name", "value": "x"}]):
        status, _, _ = cloud.request("PATCH", url, tok, headers=jp0, body=patch)
        assert status == 400, patch
    status, _, body = cloud.request("PATCH", url, tok, headers={**jp, "Accept": "application/json"},
                                    body=[{"path": "/name", "value": "x"}])
    assert status == 400 and "Unable to find `op`" in body["message"]
    assert cloud.request("GET", url, tok)[2]["name"] == "old-draft"
    assert cloud.request("DELETE", url, tok)[0] == 204


def test_interrupted_upload_leaves_nothing(cloud):
    import socket
    tok, _ = cloud.token()
    _, _, img = cloud.request("POST", "/image/v2/images", tok, body={"name": "cut"})
    s = socket.create_connection(("127.0.0.1", cloud.port))
    s.sendall((f"PUT /image/v2/images/{img['id']}/file HTTP/1.1\r\nHost: x\r\n"
               f"X-Auth-Token: {tok}\r\nContent-Type: application/octet-stream\r\n"
               "Content-Length: 1000000\r\n\r\n").encode() + b"x" * 100000)
    import time
    time.sleep(0.5)
    s.close()
    deadline = time.time() + 10
    while time.time() < deadline:
        body = cloud.request("GET", "/image/v2/images/" + img["id"], tok)[2]
        if body["status"] == "queued":
            break
        time.sleep(0.1)
    assert body["status"] == "queued"
    left = os.listdir(os.path.join(cloud.state, "images"))
    assert not [n for n in left if n.startswith(".") or n == img["id"]], left
    assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204


def test_owner_is_the_admins_to_give(cloud):
    """An admin may create an image for another project and hand one over; a project
    member may do neither."""
    admin, _ = cloud.token()
    demo, _ = cloud.token(user="demo", password=cloud.password("demo"), project="demo")
    other = "0123456789abcdef0123456789abcdef"
    status, _, img = cloud.request("POST", "/image/v2/images", admin,
                                   body={"name": "given", "owner": other})
    assert status == 201 and img["owner"] == other
    url = "/image/v2/images/" + img["id"]
    jp = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
    status, _, img = cloud.request("PATCH", url, admin, headers=jp,
                                   body=[{"op": "replace", "path": "/owner", "value": "x1"}])
    assert status == 200 and img["owner"] == "x1"
    status, _, _ = cloud.request("PATCH", url, admin, headers=jp,
                                 body=[{"op": "remove", "path": "/owner"}])
    assert status == 403
    before = cloud.request("GET", "/image/v2/images", demo)[2]["images"]
    status, _, _ = cloud.request("POST", "/image/v2/images", demo,
                                 body={"name": "taken", "owner": other})
    assert status == 403
    assert cloud.request("GET", "/image/v2/images", demo)[2]["images"] == before
    status, _, mine = cloud.request("POST", "/image/v2/images", demo, body={"name": "mine"})
    assert status == 201
    murl = "/image/v2/images/" + mine["id"]
    status, _, _ = cloud.request("PATCH", murl, demo, headers=jp,
                                 body=[{"op": "replace", "path": "/owner", "value": other}])
    assert status == 403
    assert cloud.request("GET", murl, demo)[2]["owner"] == mine["owner"]
    for u in (url, murl):
        assert cloud.request("DELETE", u, admin)[0] == 204


def test_list_items_equal_show_bodies(cloud):
    """The list writes its items straight from the rows (no jansson objects): each item
    carries the same keys and values as GET /v2/images/{id}, for names, tags and properties
    with quotes, backslashes, control characters and non-ASCII text, and the text is strict
    JSON without repeated keys. The tag-filtered list (built with jansson) agrees."""
    import json
    import urllib.request

    tok, _ = cloud.token()
    odd = ['q"uo"te', "back\\sla\\sh", "ctl\x01\x1f\n\t\x7f end", "ünïcødé ✓ 𝄞 日本",
           '"\\/\b\f\r']
    made = []
    for i, name in enumerate(odd + [None]):
        body = {"name": name, "tags": ["listeq", "t" + odd[i % len(odd)]],
                "k" + odd[(i + 1) % len(odd)]: "v" + odd[(i + 2) % len(odd)],
                "os_distro": "débian", "min_disk": i, "protected": i == 2}
        if name is None:
            body.update(disk_format="raw", container_format="bare")
        status, _, img = cloud.request("POST", "/image/v2/images", tok, body=body)
        assert status == 201, img
        made.append(img["id"])
    # one with data: size, checksum and the multihash are numbers and strings, not null
    status, _, _ = cloud.request("PUT", f"/image/v2/images/{made[-1]}/file", tok,
                                 raw=b"0123456789" * 100,
                                 headers={"Content-Type": "application/octet-stream"})
    assert status == 204

    def no_repeats(pairs):
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    def listed(query):
        req = urllib.request.Request(cloud.url + "/image/v2/images" + query,
                                     headers={"X-Auth-Token": tok})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith(
                "application/json")
            return json.loads(r.read().decode(), object_pairs_hook=no_repeats)

    page = listed("?limit=1000")
    assert page["schema"] == "/v2/schemas/images" and page["first"] == "/v2/images"
    assert "next" not in page
    items = {i["id"]: i for i in page["images"]}
    shown = {}
    for image_id in made:
        status, _, shown[image_id] = cloud.request("GET", "/image/v2/images/" + image_id,
                                                   tok)
        assert status == 200
        assert items[image_id] == shown[image_id]
    assert shown[made[-1]]["size"] == 1000 and shown[made[-1]]["checksum"]
    assert shown[made[-1]]["name"] is None
    assert [shown[m]["name"] for m in made[:-1]] == odd
    assert shown[made[2]]["protected"] is True and shown[made[0]]["min_disk"] == 0
    assert shown[made[0]]["k" + odd[1]] == "v" + odd[2]
    # the jansson path (a tag filter) gives the same items
    tagged = listed("?tag=listeq&limit=1000")["images"]
    assert sorted(made) == sorted(i["id"] for i in tagged)
    for i in tagged:
        assert i == shown[i["id"]]
    # pages of two follow the next links over the same items; limit=0 is an empty page
    seen, query = [], "?limit=2&sort_key=name&sort_dir=asc"
    while True:
        p = listed(query)
        assert len(p["images"]) <= 2
        seen += [i["id"] for i in p["images"]]
        if "next" not in p:
            break
        assert p["next"].startswith("/v2/images?")
        query = p["next"][len("/v2/images"):]
    assert sorted(seen) == sorted(items) and len(seen) == len(set(seen))
    for query in ("?limit=0", "?tag=listeq&limit=0"):
        empty = listed(query)
        assert empty["images"] == [] and "next" not in empty
    for image_id in made:
        if image_id == made[2]:
            jp = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
            status, _, _ = cloud.request(
                "PATCH", "/image/v2/images/" + image_id, tok, headers=jp,
                body=[{"op": "replace", "path": "/protected", "value": False}])
            assert status == 200
        assert cloud.request("DELETE", "/image/v2/images/" + image_id, tok)[0] == 204
