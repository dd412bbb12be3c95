"""Image data as Glance v2 serves it: byte ranges, virtual_size, uploads cut off by the
client or by a crash, a full store, per-project quotas from the config file, the test
guest `ciel up` registers, and checksums of a larger upload through openstacksdk."""
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import Cloud, _backends, new_image, show_image, wait_image_status

MIB = 1024 * 1024


def get_bytes(cloud, path, tok, headers=None):
    """A GET whose body stays bytes; returns (status, headers, body)."""
    req = urllib.request.Request(cloud.url + path, headers=dict(headers or {},
                                                                **{"X-Auth-Token": tok}))
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def put_bytes(cloud, image_id, tok, data, headers=None):
    h = {"Content-Type": "application/octet-stream"}
    h.update(headers or {})
    return cloud.request("PUT", f"/image/v2/images/{image_id}/file", tok, raw=data,
                         headers=h)


def store_files(cloud, image_id=None):
    """Files in the image store: all (dot names are partial uploads), or those of one id."""
    names = [n for n in os.listdir(os.path.join(cloud.state, "images"))
             if os.path.isfile(os.path.join(cloud.state, "images", n))]
    if image_id is None:
        return names
    return [n for n in names if image_id in n]


def chunked_upload(cloud, tok, image_id, size):
    """Starts a chunked upload and sends 'size' bytes of it; returns the client process
    (curl), still waiting for more to send."""
    # curl reads the body from a pipe, so it sends it chunked; a child writes into it
    proc = subprocess.Popen(
        ["curl", "-s", "-o", "/dev/null", "-T", "-", "-H", f"X-Auth-Token: {tok}",
         "-H", "Content-Type: application/octet-stream",
         f"{cloud.url}/image/v2/images/{image_id}/file"],
        stdin=subprocess.PIPE)
    chunk = os.urandom(MIB)
    for _ in range(size // MIB):
        proc.stdin.write(chunk)
    proc.stdin.flush()
    assert wait_image_status(cloud, tok, image_id, "saving")["status"] == "saving"
    # until the server took in what was sent and waits for more (the last MiB may sit in
    # its buffer): a client that goes away while the server is still busy reading is
    # noticed only at the connection timeout (libmicrohttpd, epoll)
    deadline, last, since = time.time() + 30, -1, time.time()
    while time.time() < deadline:
        tmp = [n for n in store_files(cloud, image_id) if n.startswith(".")]
        now = os.path.getsize(os.path.join(cloud.state, "images", tmp[0])) if tmp else -1
        if now != last:
            last, since = now, time.time()
        elif now >= size - MIB and time.time() - since > 0.5:
            break
        time.sleep(0.05)
    return proc


def test_range_requests(cloud):
    tok, _ = cloud.token()
    data = os.urandom(1000)
    img = new_image(cloud, tok, name="ranges", disk_format="raw", container_format="bare")
    assert put_bytes(cloud, img["id"], tok, data)[0] == 204
    path = f"/image/v2/images/{img['id']}/file"
    md5 = hashlib.md5(data).hexdigest()

    status, h, body = get_bytes(cloud, path, tok)
    assert status == 200 and body == data and h["Content-MD5"] == md5
    assert "Content-Range" not in h
    for rng, part, cr in (("bytes=0-99", data[:100], "bytes 0-99/1000"),
                          ("bytes=990-", data[990:], "bytes 990-999/1000"),
                          ("bytes=-10", data[-10:], "bytes 990-999/1000"),
                          ("bytes=500-5000", data[500:], "bytes 500-999/1000"),
                          ("bytes=999-999", data[999:], "bytes 999-999/1000"),
                          ("bytes=-5000", data, "bytes 0-999/1000"),
                          ("bytes = 10 - 19", data[10:20], "bytes 10-19/1000")):
        status, h, body = get_bytes(cloud, path, tok, {"Range": rng})
        assert status == 206, rng
        assert body == part, rng
        assert h["Content-Range"] == cr, rng
        assert int(h["Content-Length"]) == len(part)
        # as Glance, the whole image's MD5 goes with a part too
        assert h["Content-MD5"] == md5

    for rng in ("bytes=1000-", "bytes=5000-6000"):
        status, h, body = get_bytes(cloud, path, tok, {"Range": rng,
                                                       "Accept": "application/json"})
        assert status == 416, rng
        assert b"Invalid start position in Range header" in body
        assert b"[0, 999]" in body
    for rng in ("bytes=5-2", "items=0-1", "bytes=-", "bytes"):
        status, _, body = get_bytes(cloud, path, tok, {"Range": rng})
        assert status == 416, rng
        assert b"Invalid Range header." in body
    status, _, body = get_bytes(cloud, path, tok, {"Range": "bytes=0-1,5-6"})
    assert status == 400
    assert b"Requests with multiple ranges are not supported in Glance" in body

    # a queued image has no data: 204 with or without a range
    empty = new_image(cloud, tok, name="empty")
    status, _, body = get_bytes(cloud, f"/image/v2/images/{empty['id']}/file", tok,
                                {"Range": "bytes=0-9"})
    assert status == 204 and body == b""
    for i in (img, empty):
        assert cloud.request("DELETE", "/image/v2/images/" + i["id"], tok)[0] == 204


def test_virtual_size(cloud, tmp_path):
    tok, _ = cloud.token()
    qcow = tmp_path / "x.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(qcow), "64M"], check=True,
                   stdout=subprocess.DEVNULL)
    q = new_image(cloud, tok, name="q", disk_format="qcow2", container_format="bare")
    assert put_bytes(cloud, q["id"], tok, qcow.read_bytes())[0] == 204
    got = show_image(cloud, tok, q["id"])
    assert got["virtual_size"] == 64 * MIB
    assert got["size"] == qcow.stat().st_size

    raw = new_image(cloud, tok, name="r", disk_format="raw", container_format="bare")
    assert put_bytes(cloud, raw["id"], tok, os.urandom(123457))[0] == 204
    got = show_image(cloud, tok, raw["id"])
    assert got["virtual_size"] == 123457 == got["size"]

    # a format not inspected, and qcow2 bytes declared raw (Glance takes the size then)
    iso = new_image(cloud, tok, name="i", disk_format="iso", container_format="bare")
    assert put_bytes(cloud, iso["id"], tok, b"x" * 4096)[0] == 204
    assert show_image(cloud, tok, iso["id"])["virtual_size"] is None
    rq = new_image(cloud, tok, name="rq", disk_format="raw", container_format="bare")
    assert put_bytes(cloud, rq["id"], tok, qcow.read_bytes())[0] == 204
    assert show_image(cloud, tok, rq["id"])["virtual_size"] == qcow.stat().st_size
    # qcow2 declared but not qcow2 data: no virtual size
    nq = new_image(cloud, tok, name="nq", disk_format="qcow2", container_format="bare")
    assert put_bytes(cloud, nq["id"], tok, b"not a qcow2 header" * 10)[0] == 204
    assert show_image(cloud, tok, nq["id"])["virtual_size"] is None
    for i in (q, raw, iso, rq, nq):
        assert cloud.request("DELETE", "/image/v2/images/" + i["id"], tok)[0] == 204


def test_client_killed_mid_upload(cloud):
    tok, _ = cloud.token()
    img = new_image(cloud, tok, name="killed-client", disk_format="raw",
                    container_format="bare")
    proc = chunked_upload(cloud, tok, img["id"], 64 * MIB)
    assert [n for n in store_files(cloud, img["id"]) if n.startswith(".")]  # writing
    proc.kill()
    proc.wait()
    got = wait_image_status(cloud, tok, img["id"], "queued")
    assert got["status"] == "queued" and got["size"] is None
    deadline = time.time() + 5
    while store_files(cloud, img["id"]) and time.time() < deadline:
        time.sleep(0.1)
    assert store_files(cloud, img["id"]) == []
    # and it takes a full upload afterwards
    data = os.urandom(2 * MIB + 5)
    assert put_bytes(cloud, img["id"], tok, data)[0] == 204
    got = show_image(cloud, tok, img["id"])
    assert got["status"] == "active" and got["checksum"] == hashlib.md5(data).hexdigest()
    assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204


def test_crash_mid_upload_recovers_at_start(cloud):
    tok, _ = cloud.token()
    img = new_image(cloud, tok, name="crashed", disk_format="raw", container_format="bare")
    proc = chunked_upload(cloud, tok, img["id"], 32 * MIB)
    assert [n for n in store_files(cloud, img["id"]) if n.startswith(".")]
    cloud.proc.kill()  # no clean stop: the row stays saving, the temp file stays
    cloud.proc.wait()
    cloud.log.close()
    proc.kill()
    proc.wait()
    assert [n for n in store_files(cloud, img["id"]) if n.startswith(".")]
    cloud.start()
    tok, _ = cloud.token()
    got = show_image(cloud, tok, img["id"])
    assert got["status"] == "queued"
    assert store_files(cloud, img["id"]) == []
    assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204


def test_sdk_checksums_64mib(cloud, tmp_path):
    data = os.urandom(64 * MIB)
    conn = cloud.sdk()
    try:
        img = conn.image.create_image(name="sdk-64", data=data, disk_format="raw",
                                      container_format="bare")
        img = conn.image.get_image(img.id)
        assert img.status == "active"
        assert img.size == len(data)
        assert img.checksum == hashlib.md5(data).hexdigest()
        assert img.hash_algo == "sha512"
        assert img.hash_value == hashlib.sha512(data).hexdigest()
        assert img.virtual_size == len(data)
        # to a file: the SDK checks the MD5 of what it wrote against the image's
        out = tmp_path / "out.raw"
        conn.image.download_image(img, output=str(out))
        assert hashlib.sha512(out.read_bytes()).hexdigest() == img.hash_value
        body = conn.image.download_image(img).content
        assert body == data
        conn.image.delete_image(img)
    finally:
        conn.close()


# ---- a cloud with an [image] config: quotas, a test guest path, a tiny store ----

@pytest.fixture(scope="module", params=_backends())
def conf_cloud(request, tmp_path_factory):
    """A cloud started with [image] quotas and a test guest of its own."""
    db_url = None
    if request.param == "postgresql":
        db_url = request.getfixturevalue("postgres").new_database()
    guest = tmp_path_factory.mktemp("guest") / "guest.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(guest), "48M"], check=True,
                   stdout=subprocess.DEVNULL)

    class ConfCloud(Cloud):
        """Adds the [image] section to the config before the first start."""
        def start(self):
            if not getattr(self, "configured", False):
                with open(self.conf, "a") as f:
                    f.write("[image]\nimage_count_total = 4\nimage_size_total = 2\n"
                            f"image_count_uploading = 1\ntest_image_path = {guest}\n")
                self.configured = True
            super().start()

    c = ConfCloud(db_url)
    c.guest = guest
    c.backend = request.param
    yield c
    c.destroy()


def admin_project(cloud):
    tok, body = cloud.token()
    return tok, body["token"]["project"]["id"]


def test_guest_registered_once(conf_cloud):
    c = conf_cloud
    tok, admin = admin_project(c)
    imgs = c.request("GET", "/image/v2/images?name=ciel-test", tok)[2]["images"]
    assert len(imgs) == 1
    g = imgs[0]
    assert g["visibility"] == "public" and g["owner"] == admin
    assert g["disk_format"] == "qcow2" and g["container_format"] == "bare"
    assert g["status"] == "active"
    assert g["checksum"] == hashlib.md5(c.guest.read_bytes()).hexdigest()
    assert g["size"] == c.guest.stat().st_size and g["virtual_size"] == 48 * MIB
    # the demo project sees it (public)
    demo, _ = c.token("demo", project="demo")
    names = [i["name"] for i in c.request("GET", "/image/v2/images", demo)[2]["images"]]
    assert "ciel-test" in names
    c.restart()
    tok, _ = admin_project(c)
    again = c.request("GET", "/image/v2/images?name=ciel-test", tok)[2]["images"]
    assert [i["id"] for i in again] == [g["id"]]


def test_size_quota(conf_cloud):
    c = conf_cloud
    demo, body = c.token("demo", project="demo")
    pid = body["token"]["project"]["id"]
    a = new_image(c, demo, name="q1", disk_format="raw", container_format="bare")
    assert put_bytes(c, a["id"], demo, os.urandom(MIB + 100))[0] == 204
    b = new_image(c, demo, name="q2", disk_format="raw", container_format="bare")
    # announced too large: refused before any byte is stored
    status, _, err = put_bytes(c, b["id"], demo, os.urandom(2 * MIB),
                               headers={"Accept": "application/json"})
    assert status == 413, err
    assert err["message"].startswith(
        f"Project {pid} is over a limit for [Resource image_size_total is over limit of 2 "
        "due to current usage 1 and delta 2]")
    assert show_image(c, demo, b["id"])["status"] == "queued"
    assert store_files(c, b["id"]) == []
    # chunked (no size announced): stopped as the bytes arrive, nothing left
    proc = subprocess.run(
        ["curl", "-s", "-T", "-", "-H", f"X-Auth-Token: {demo}", "-H",
         "Content-Type: application/octet-stream", "-H", "Accept: application/json",
         "-w", "\n%{http_code}", f"{c.url}/image/v2/images/{b['id']}/file"],
        input=os.urandom(8 * MIB), capture_output=True, timeout=60)
    # the answer comes before the body ends, and the server closes the connection after
    # it: curl may see its send fail (55) before it reads the 413, so read the server's log
    # (curl then prints 000, or 100 when it read only the interim 100 Continue before its
    # send failed); any other code, or those without the failed send, is wrong
    code = proc.stdout.decode(errors="replace").rstrip().rsplit("\n", 1)[-1]
    assert code == "413" or (code in ("000", "100") and proc.returncode == 55), \
        (proc.returncode, code)
    with open(os.path.join(c.state, "ciel.log")) as f:
        assert f"PUT /image/v2/images/{b['id']}/file 413" in f.read()
    got = wait_image_status(c, demo, b["id"], "queued")
    assert got["status"] == "queued" and got["size"] is None
    assert store_files(c, b["id"]) == []
    # what fits still goes in: 1 MiB + 1 MiB (sizes compare in whole MiB, as Glance)
    assert put_bytes(c, b["id"], demo, os.urandom(MIB))[0] == 204
    for i in (a, b):
        assert c.request("DELETE", "/image/v2/images/" + i["id"], demo)[0] == 204


def test_count_quota(conf_cloud):
    c = conf_cloud
    demo, body = c.token("demo", project="demo")
    pid = body["token"]["project"]["id"]
    before = c.request("GET", "/image/v2/images", demo)[2]["images"]
    made = [new_image(c, demo, name=f"n{i}") for i in range(4)]
    status, _, err = c.request("POST", "/image/v2/images", demo, body={"name": "n5"},
                               headers={"Accept": "application/json"})
    assert status == 413, err
    assert err["message"].startswith(
        f"Project {pid} is over a limit for [Resource image_count_total is over limit of 4 "
        "due to current usage 4 and delta 1]")
    after = c.request("GET", "/image/v2/images", demo)[2]["images"]
    assert len(after) == len(before) + 4
    # the admin project has its own count (the test guest and nothing else)
    tok, _ = admin_project(c)
    x = new_image(c, tok, name="admin-one")
    assert c.request("DELETE", "/image/v2/images/" + x["id"], tok)[0] == 204
    # a deleted image frees its place
    assert c.request("DELETE", "/image/v2/images/" + made[0]["id"], demo)[0] == 204
    again = new_image(c, demo, name="n5")
    for i in made[1:] + [again]:
        assert c.request("DELETE", "/image/v2/images/" + i["id"], demo)[0] == 204


def test_uploading_quota(conf_cloud):
    c = conf_cloud
    tok, pid = admin_project(c)
    a = new_image(c, tok, name="up-a", disk_format="raw", container_format="bare")
    b = new_image(c, tok, name="up-b", disk_format="raw", container_format="bare")
    proc = chunked_upload(c, tok, a["id"], MIB)  # a stays saving: one upload at a time
    try:
        status, _, err = put_bytes(c, b["id"], tok, b"x" * 1000,
                                   headers={"Accept": "application/json"})
        assert status == 413, err
        assert err["message"].startswith(
            f"Project {pid} is over a limit for [Resource image_count_uploading is over "
            "limit of 1 due to current usage 2 and delta 0]")
        assert show_image(c, tok, b["id"])["status"] == "queued"
        assert store_files(c, b["id"]) == []
    finally:
        proc.kill()
        proc.wait()
    assert wait_image_status(c, tok, a["id"], "queued")["status"] == "queued"
    # one at a time goes through
    assert put_bytes(c, b["id"], tok, b"x" * 1000)[0] == 204
    for i in (a, b):
        assert c.request("DELETE", "/image/v2/images/" + i["id"], tok)[0] == 204


def test_full_store(conf_cloud):
    """The store on a 1 MiB tmpfs: a larger upload answers 413 and leaves nothing."""
    c = conf_cloud
    images = os.path.join(c.state, "images")
    c.stop()
    saved = tempfile.mkdtemp(prefix="ciel-images-")
    for n in os.listdir(images):
        shutil.move(os.path.join(images, n), saved)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", images],
                   check=True)
    try:
        c.start()
        tok, _ = admin_project(c)
        img = new_image(c, tok, name="big", disk_format="raw", container_format="bare")
        status, _, err = put_bytes(c, img["id"], tok, os.urandom(3 * MIB // 2),
                                   headers={"Accept": "application/json"})
        assert status == 413, err
        assert err["message"].startswith("Image storage media is full")
        assert show_image(c, tok, img["id"])["status"] == "queued"
        assert store_files(c) == []
        st = os.statvfs(images)
        assert st.f_bfree * st.f_frsize > 900 * 1024  # the partial file's space is back
        # a small one still fits
        data = os.urandom(MIB // 2)
        assert put_bytes(c, img["id"], tok, data)[0] == 204
        assert show_image(c, tok, img["id"])["checksum"] == hashlib.md5(data).hexdigest()
        assert c.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204
        c.stop()
    finally:
        if c.proc and c.proc.poll() is None:
            c.proc.send_signal(signal.SIGTERM)
            c.proc.wait(timeout=20)
        subprocess.run(["umount", images], check=True)
        for n in os.listdir(saved):
            shutil.move(os.path.join(saved, n), images)
        os.rmdir(saved)
    c.start()
    tok, _ = admin_project(c)
    assert len(c.request("GET", "/image/v2/images?name=ciel-test", tok)[2]["images"]) == 1


def test_refused_upload_is_answered_not_reset(cloud):
    """An upload refused before its body (here: the image is active already) is answered
    with its error even when the client writes a large body without waiting for
    100-continue, as the SDK does: the server reads and drops the body, then replies."""
    tok, _ = cloud.token()
    img = new_image(cloud, tok, name="twice", disk_format="raw", container_format="bare")
    assert put_bytes(cloud, img["id"], tok, b"x" * 1000)[0] == 204
    before = show_image(cloud, tok, img["id"])
    for _ in range(3):
        status, _, _ = put_bytes(cloud, img["id"], tok, os.urandom(16 * MIB))
        assert status == 409
    # a stranger's upload to it: 404 the same way, and nothing changed
    demo, _ = cloud.token("demo", project="demo")
    assert put_bytes(cloud, img["id"], demo, os.urandom(16 * MIB))[0] == 404
    assert show_image(cloud, tok, img["id"]) == before
    assert cloud.request("DELETE", "/image/v2/images/" + img["id"], tok)[0] == 204
