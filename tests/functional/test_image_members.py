"""Image sharing and the rest of Glance's image sub-resources: members (two projects, the
real CLI and raw requests), visibility (private, shared, community, public), tags,
deactivate/reactivate, the list filters, and the refusals."""
import hashlib
import json
import urllib.parse

import pytest
from conftest import Project

JP = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def two(cloud):
    """(owner, other): two projects that are not admin."""
    return Project(cloud, "owner-a"), Project(cloud, "other-b")


def ids(p, query=""):
    status, _, body = p.req("GET", "/image/v2/images" + query)
    assert status == 200, body
    return [i["id"] for i in body["images"]]


def member_url(img, member=""):
    return f"/image/v2/images/{img}/members" + (f"/{member}" if member else "")


def new_image(p, **body):
    body.setdefault("name", "img")
    status, _, img = p.req("POST", "/image/v2/images", body=body)
    assert status == 201, img
    return img


def test_share_accept_reject_with_cli(cloud, two, tmp_path):
    a, b = two
    data = tmp_path / "d.raw"
    data.write_bytes(b"shared bytes\n" * 999)
    img = a.cli("image", "create", "--file", str(data), "--disk-format", "raw",
                "--container-format", "bare", "to-share", "-f", "json")
    # Glance's default visibility: shared, with no members yet
    assert a.cli("image", "show", img["id"], "-f", "json")["visibility"] == "shared"
    assert img["id"] not in ids(b)
    assert b.req("GET", "/image/v2/images/" + img["id"])[0] == 404

    m = a.cli("image", "add", "project", img["id"], b.id, "-f", "json")
    assert m["status"] == "pending" and m["member_id"] == b.id and m["image_id"] == img["id"]
    # pending: visible by id, not in the default list, listed with member_status=pending
    assert b.req("GET", "/image/v2/images/" + img["id"])[0] == 200
    assert img["id"] not in ids(b)
    assert ids(b, "?visibility=shared&member_status=pending") == [img["id"]]
    assert img["id"] not in ids(b, "?member_status=rejected")
    assert img["id"] in ids(b, "?member_status=all")

    b.cli("image", "set", "--accept", img["id"])
    assert img["id"] in [i["ID"] for i in b.cli("image", "list", "-f", "json")]
    rows = a.cli("image", "member", "list", img["id"], "-f", "json")
    assert [(r["Member ID"], r["Status"]) for r in rows] == [(b.id, "accepted")]
    # the member downloads it
    out = tmp_path / "out.raw"
    b.cli("image", "save", "--file", str(out), img["id"])
    assert out.read_bytes() == data.read_bytes()

    b.cli("image", "set", "--reject", img["id"])
    assert img["id"] not in ids(b)
    assert b.req("GET", "/image/v2/images/" + img["id"])[0] == 200
    # the owner cannot answer for the member, the member cannot share further
    p = a.cli("image", "set", "--accept", "--project", b.id, img["id"], check=False)
    assert p.returncode != 0
    assert a.req("GET", member_url(img["id"], b.id))[2]["status"] == "rejected"
    status, _, body = b.req("POST", member_url(img["id"]), body={"member": a.id},
                            headers=JSON)
    assert status == 403
    assert body["message"].startswith(f"Not allowed to create members for image {img['id']}.")
    assert b.req("DELETE", member_url(img["id"], b.id))[0] == 403

    a.cli("image", "remove", "project", img["id"], b.id)
    assert b.req("GET", "/image/v2/images/" + img["id"])[0] == 404
    assert a.req("GET", member_url(img["id"]))[2]["members"] == []
    a.cli("image", "delete", img["id"])


def test_member_shapes_and_refusals(cloud, two):
    a, b = two
    img = new_image(a, name="shapes")
    url = member_url(img["id"])
    status, _, m = a.req("POST", url, body={"member": b.id})
    assert status == 200, m
    assert set(m) == {"created_at", "updated_at", "image_id", "member_id", "status",
                      "schema"}
    assert m["schema"] == "/v2/schemas/member" and m["status"] == "pending"
    assert m["created_at"].endswith("Z")
    status, _, body = a.req("GET", url)
    assert status == 200 and body["schema"] == "/v2/schemas/members"
    assert body["members"] == [m]
    assert a.req("GET", member_url(img["id"], b.id))[2] == m

    before = a.req("GET", url)[2]
    for payload, code, words in (
            ({"member": b.id}, 409, f"Member {b.id} is duplicated for image {img['id']}"),
            ({}, 400, "Member to be added not specified"),
            ({"member": ""}, 400, "Member can't be empty"),
            ({"member": None}, 400, "Member can't be empty"),
            ({"member": ["x"]}, 400, "Expected a member in the form"),
            ({"member": "x" * 256}, 400, "Expected a member in the form"),
            (["x"], 400, "Expected a member in the form")):
        status, _, body = a.req("POST", url, body=payload, headers=JSON)
        assert status == code, (payload, status, body)
        assert words in body["message"], (payload, body)
    status, _, body = a.req("POST", url, raw=b"{nope", headers=JSON)
    assert status == 400 and "Malformed JSON" in body["message"]
    status, _, body = a.req("POST", url, raw=b"", headers=JSON)
    assert status == 400 and "Body expected in request." in body["message"]

    murl = member_url(img["id"], b.id)
    for payload, code, words in (
            ({"status": "bogus"}, 400, 'Status must be "pending", "accepted" or "rejected".'),
            ({"status": 1}, 400, "Incorrect request"),
            ({}, 400, "Status not specified"),
            (["accepted"], 400, "Expected a status in the form")):
        status, _, body = b.req("PUT", murl, body=payload, headers=JSON)
        assert status == code, (payload, status, body)
        assert words in body["message"], (payload, body)
    # unknown member, unknown image, member seen by another member
    status, _, body = a.req("GET", member_url(img["id"], "nobody"), headers=JSON)
    assert status == 404
    assert f"nobody not found in the member list of the image {img['id']}." in body["message"]
    assert a.req("PUT", member_url(img["id"], "nobody"), body={"status": "accepted"})[0] == 404
    assert a.req("DELETE", member_url(img["id"], "nobody"))[0] == 404
    gone = "0" * 8 + "-0000-4000-8000-" + "0" * 12
    status, _, body = a.req("GET", member_url(gone), headers=JSON)
    assert status == 404 and f"Image {gone} not found." in body["message"]
    assert a.req("POST", member_url(gone), body={"member": b.id})[0] == 404
    assert b.req("GET", member_url(img["id"], a.id))[0] == 404
    # the member sees its own membership only
    admin, _ = cloud.token()
    status, _, _ = cloud.request("POST", url, admin, body={"member": "third-project"})
    assert status == 200
    assert [x["member_id"] for x in b.req("GET", url)[2]["members"]] == [b.id]
    assert len(a.req("GET", url)[2]["members"]) == 2
    # wrong methods
    assert a.req("PATCH", url, body={})[0] == 405
    assert a.req("POST", murl, body={})[0] == 405
    # nothing above changed the members
    after = a.req("GET", url)[2]["members"]
    assert [x for x in after if x["member_id"] == b.id] == before["members"]
    assert cloud.request("DELETE", member_url(img["id"], "third-project"), admin)[0] == 204

    # only shared images have members
    priv = new_image(a, name="priv", visibility="private")
    status, _, body = a.req("POST", member_url(priv["id"]), body={"member": b.id},
                            headers=JSON)
    assert status == 403
    assert f"Not allowed to create members for image {priv['id']}." in body["message"]
    status, _, body = a.req("GET", member_url(priv["id"]), headers=JSON)
    assert status == 403 and "Only shared images have members." in body["message"]
    status, _, body = a.req("GET", member_url(priv["id"], b.id), headers=JSON)
    assert status == 404 and "Only shared images have members." in body["message"]

    # deleting the image deletes its members: its member sees it nowhere, and its id is
    # never given again (OSSN-0075)
    assert a.req("DELETE", "/image/v2/images/" + img["id"])[0] == 204
    assert b.req("GET", "/image/v2/images/" + img["id"])[0] == 404
    status, _, lst = b.req("GET", "/image/v2/images?member_status=all&visibility=shared")
    assert status == 200 and img["id"] not in {i["id"] for i in lst["images"]}
    status, _, body = a.req("POST", "/image/v2/images", body={"id": img["id"]},
                            headers=JSON)
    assert status == 409 and f"Image with identifier {img['id']} already exists!" in \
        body["message"]
    assert a.req("DELETE", "/image/v2/images/" + priv["id"])[0] == 204


def test_private_community_public(cloud, two):
    a, b = two
    admin, _ = cloud.token()
    img = new_image(a, name="vis", visibility="private")
    assert img["id"] not in ids(b, "?visibility=all")
    assert b.req("GET", "/image/v2/images/" + img["id"])[0] == 404
    assert img["id"] in ids(a, "?visibility=private")

    a.cli("image", "set", "--community", img["id"])
    assert b.req("GET", "/image/v2/images/" + img["id"])[2]["visibility"] == "community"
    assert img["id"] not in ids(b)
    assert img["id"] in ids(b, "?visibility=community")
    assert img["id"] in ids(a)  # the owner's own community images are in its list
    # a non-owner cannot change it, only admin publicizes
    assert b.req("PATCH", "/image/v2/images/" + img["id"], headers=JP,
                 body=[{"op": "replace", "path": "/name", "value": "x"}])[0] == 403
    p = a.cli("image", "set", "--public", img["id"], check=False)
    assert p.returncode != 0
    assert a.req("GET", "/image/v2/images/" + img["id"])[2]["visibility"] == "community"
    cloud.cli("image", "set", "--public", img["id"])
    assert img["id"] in ids(b)
    a.cli("image", "set", "--private", img["id"])
    assert b.req("GET", "/image/v2/images/" + img["id"])[0] == 404
    # admin's default list holds every project's image but community ones
    assert img["id"] in [i["id"] for i in
                         cloud.request("GET", "/image/v2/images", admin)[2]["images"]]
    assert a.req("DELETE", "/image/v2/images/" + img["id"])[0] == 204


def test_tags(cloud, two):
    a, b = two
    img = new_image(a, name="tagged")
    iid = img["id"]
    a.cli("image", "set", "--tag", "t1", "--tag", "t2", iid)
    assert sorted(a.req("GET", "/image/v2/images/" + iid)[2]["tags"]) == ["t1", "t2"]
    a.cli("image", "unset", "--tag", "t1", iid)
    assert a.req("GET", "/image/v2/images/" + iid)[2]["tags"] == ["t2"]
    for _ in range(2):  # idempotent
        status, _, body = a.req("PUT", f"/image/v2/images/{iid}/tags/t3")
        assert status == 204 and body is None
    sp = urllib.parse.quote("with space")
    assert a.req("PUT", f"/image/v2/images/{iid}/tags/{sp}")[0] == 204
    tags = a.req("GET", "/image/v2/images/" + iid)[2]["tags"]
    assert tags == ["t2", "t3", "with space"]

    # the list filter: every tag given must match
    other = new_image(a, name="tagged2", tags=["t3"])
    assert set(ids(a, "?tag=t3")) == {iid, other["id"]}
    assert ids(a, "?tag=t3&tag=t2") == [iid]
    assert ids(a, "?tag=t2&tag=nope") == []
    assert ids(a, "?tag=" + urllib.parse.quote('"t2"')) == []

    # refusals change nothing
    status, _, body = a.req("DELETE", f"/image/v2/images/{iid}/tags/absent", headers=JSON)
    assert status == 404
    assert a.req("PUT", f"/image/v2/images/{iid}/tags/{'x' * 256}")[0] == 400
    long_tag = urllib.parse.quote("é" * 255)  # 255 characters, 510 bytes: allowed
    assert a.req("PUT", f"/image/v2/images/{iid}/tags/{long_tag}")[0] == 204
    assert "é" * 255 in a.req("GET", "/image/v2/images/" + iid)[2]["tags"]
    assert a.req("DELETE", f"/image/v2/images/{iid}/tags/{long_tag}")[0] == 204
    status, _, body = b.req("PUT", f"/image/v2/images/{iid}/tags/x", headers=JSON)
    assert status == 404 and f"Image {iid} not found." in body["message"]
    a.req("POST", member_url(iid), body={"member": b.id})
    status, _, body = b.req("PUT", f"/image/v2/images/{iid}/tags/x", headers=JSON)
    assert status == 403 and f"Not allowed to update tags for image {iid}." in body["message"]
    assert b.req("DELETE", f"/image/v2/images/{iid}/tags/t2")[0] == 403
    assert a.req("POST", f"/image/v2/images/{iid}/tags/x")[0] == 405
    status, _, body = a.req("PATCH", "/image/v2/images/" + iid, headers=JP, body=[
        {"op": "replace", "path": "/tags", "value": [f"t{i}" for i in range(129)]}])
    assert status == 413
    assert a.req("GET", "/image/v2/images/" + iid)[2]["tags"] == tags
    for i in (iid, other["id"]):
        assert a.req("DELETE", "/image/v2/images/" + i)[0] == 204


def test_deactivate_reactivate(cloud, two, tmp_path):
    a, b = two
    admin, _ = cloud.token()
    data = tmp_path / "d.raw"
    data.write_bytes(b"deactivate me\n" * 777)
    img = a.cli("image", "create", "--file", str(data), "--disk-format", "raw",
                "--container-format", "bare", "deact", "-f", "json")
    iid = img["id"]
    a.req("POST", member_url(iid), body={"member": b.id})
    b.req("PUT", member_url(iid, b.id), body={"status": "accepted"})
    # a member cannot deactivate what it does not own
    status, _, body = b.req("POST", f"/image/v2/images/{iid}/actions/deactivate",
                            headers=JSON)
    assert status == 403 and "deactivate" in body["message"]

    a.cli("image", "set", "--deactivate", iid)
    assert a.cli("image", "show", iid, "-f", "json")["status"] == "deactivated"
    for who in (a, b):
        status, _, body = who.req("GET", f"/image/v2/images/{iid}/file", headers=JSON)
        assert status == 403
        assert "The requested image has been deactivated." in body["message"]
    status, _, body = cloud.request("GET", f"/image/v2/images/{iid}/file", admin)
    assert status == 200 and body == data.read_text()
    # deactivating twice is a no-op
    assert a.req("POST", f"/image/v2/images/{iid}/actions/deactivate")[0] == 204
    assert a.req("GET", f"/image/v2/images/{iid}/actions/deactivate")[0] == 405

    a.cli("image", "set", "--activate", iid)
    assert a.req("GET", "/image/v2/images/" + iid)[2]["status"] == "active"
    out = tmp_path / "out.raw"
    b.cli("image", "save", "--file", str(out), iid)
    assert hashlib.md5(out.read_bytes()).digest() == hashlib.md5(data.read_bytes()).digest()
    assert a.req("POST", f"/image/v2/images/{iid}/actions/reactivate")[0] == 204

    # only active <-> deactivated
    queued = new_image(a, name="q")
    status, _, body = a.req("POST", f"/image/v2/images/{queued['id']}/actions/deactivate",
                            headers=JSON)
    assert status == 403
    assert "Not allowed to deactivate image in status 'queued'" in body["message"]
    status, _, body = a.req("POST", f"/image/v2/images/{queued['id']}/actions/reactivate",
                            headers=JSON)
    assert status == 403
    assert a.req("GET", "/image/v2/images/" + queued["id"])[2]["status"] == "queued"
    gone = "0" * 8 + "-0000-4000-8000-" + "0" * 12
    assert a.req("POST", f"/image/v2/images/{gone}/actions/deactivate")[0] == 404
    for i in (iid, queued["id"]):
        assert a.req("DELETE", "/image/v2/images/" + i)[0] == 204


def test_protected_shared_image_keeps_members(cloud, two):
    a, b = two
    img = new_image(a, name="prot", protected=True)
    a.req("POST", member_url(img["id"]), body={"member": b.id})
    status, _, body = a.req("DELETE", "/image/v2/images/" + img["id"], headers=JSON)
    assert status == 403 and "is protected and cannot be deleted" in body["message"]
    assert a.req("GET", member_url(img["id"], b.id))[0] == 200
    a.req("PATCH", "/image/v2/images/" + img["id"], headers=JP,
          body=[{"op": "replace", "path": "/protected", "value": False}])
    assert a.req("DELETE", "/image/v2/images/" + img["id"])[0] == 204


def test_list_filters(cloud, two):
    a, _ = two
    made = []
    for i, (cf, df, data) in enumerate((("bare", "raw", b"x" * 1000),
                                        ("ovf", "qcow2", b"y" * 3000),
                                        ("bare", "iso", b"z" * 5000))):
        img = new_image(a, name=f"flt-{i}", container_format=cf, disk_format=df,
                        protected=(i == 2), os_hidden=(i == 1), kind="filter")
        assert a.req("PUT", f"/image/v2/images/{img['id']}/file", raw=data,
                     headers={"Content-Type": "application/octet-stream"})[0] == 204
        made.append(a.req("GET", "/image/v2/images/" + img["id"])[2])
    i0, i1, i2 = (m["id"] for m in made)

    def names(q):
        return sorted(i["name"] for i in a.req("GET", "/image/v2/images?kind=filter&" + q)[2]
                      ["images"])

    assert names("") == ["flt-0", "flt-2"]  # hidden images are left out
    assert names("os_hidden=true") == ["flt-1"]
    assert names("os_hidden=FALSE") == ["flt-0", "flt-2"]
    assert names("container_format=bare") == ["flt-0", "flt-2"]
    assert names("disk_format=iso") == ["flt-2"]
    assert names("disk_format=in:iso,raw") == ["flt-0", "flt-2"]
    assert names("name=in:flt-0,\"flt-2\"") == ["flt-0", "flt-2"]
    assert names(f"id=in:{i0},{i1}") == ["flt-0"]
    assert names("size_min=2000") == ["flt-2"]
    assert names("size_min=500&size_max=4000") == ["flt-0"]
    assert names("size=5000") == ["flt-2"]
    assert names("protected=true") == ["flt-2"]
    assert names("protected=false") == ["flt-0"]
    assert names("checksum=" + made[0]["checksum"]) == ["flt-0"]
    assert names("os_hash_value=" + made[2]["os_hash_value"]) == ["flt-2"]
    t = urllib.parse.quote(made[0]["created_at"])
    assert names("created_at=gte:" + t) == ["flt-0", "flt-2"]
    assert names("created_at=lt:" + t) == []
    assert names("updated_at=gt:2000-01-01T00:00:00Z") == ["flt-0", "flt-2"]
    assert names("kind=other") == []
    # a page of one still walks the whole filtered list
    seen, url = [], "/image/v2/images?kind=filter&limit=1&sort_key=name&sort_dir=asc"
    while url:
        body = a.req("GET", url if url.startswith("/image") else "/image" + url)[2]
        seen += [i["name"] for i in body["images"]]
        url = body.get("next")
    assert seen == ["flt-0", "flt-2"]

    before = a.req("GET", "/image/v2/images?kind=filter")[2]
    for q, words in (("size_min=abc", "Unable to filter on a range with a non-numeric value."),
                     ("protected=maybe", "Invalid value 'maybe' for 'protected' filter."),
                     ("os_hidden=yes", "Invalid value 'yes' for 'os_hidden' filter."),
                     ("member_status=bogus", "Invalid status: bogus"),
                     ("visibility=bogus", "Invalid visibility value: bogus"),
                     ("created_at=gt:notatime", 'Bad "created_at" query filter format.'),
                     ("created_at=bad:2020-01-01T00:00:00Z",
                      "Unable to filter by unknown operator 'bad'."),
                     ("name=foo:bar", "Unable to filter by unknown operator 'foo'."),
                     ("name=in:\"a,b", "The quote is not closed."),
                     ("changes-since=2020-01-01T00:00:00Z", "no longer available on v2"),
                     ("&".join(f"tag=t{i}" for i in range(20)), "Too many filters"),
                     ("id=in:" + ",".join(str(i) for i in range(40)), "Too many filters")):
        status, _, body = a.req("GET", "/image/v2/images?" + q, headers=JSON)
        assert status == 400, (q, status, body)
        assert words in body["message"], (q, body)
    assert a.req("GET", "/image/v2/images?kind=filter")[2] == before
    for m in made:
        a.req("PATCH", "/image/v2/images/" + m["id"], headers=JP,
              body=[{"op": "replace", "path": "/protected", "value": False}])
        assert a.req("DELETE", "/image/v2/images/" + m["id"])[0] == 204
