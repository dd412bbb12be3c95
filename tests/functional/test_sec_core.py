"""Security findings of the HTTP layer and the process as a whole (issue 9): what any
client, token or not, can send must never take the process down or smuggle a request."""
import json
import os
import socket
import stat
import urllib.parse

import pytest

from conftest import Project


def alive(cloud):
    status, _, _ = cloud.request("GET", "/healthcheck")
    return status == 200 and cloud.proc.poll() is None


def test_error_message_cut_inside_a_character(cloud):
    """150 'é' in the auth methods: the message quoting them is cut at 255 bytes inside a
    character; the reply is still Keystone's JSON body and the process lives."""
    methods = "é" * 150
    raw = ('{"auth":{"identity":{"methods":["%s"]}}}' % methods).encode()
    status, _, body = cloud.request("POST", "/identity/v3/auth/tokens", raw=raw)
    assert status in (400, 401), body
    assert body["error"]["code"] == status
    json.dumps(body)  # it parsed as JSON: valid UTF-8
    assert alive(cloud)


@pytest.mark.parametrize("path", ["/image/v2/images/%FF", "/image/v2/images/%C3",
                                  "/network/v2.0/networks/%FF", "/identity/v3/users/%FF"])
def test_raw_bytes_in_a_path(cloud, path):
    p = Project(cloud, "rawbytes" + str(abs(hash(path)) % 10000))
    status, hdrs, body = p.req("GET", path, headers={"Accept": "application/json"})
    assert status in (403, 404), body
    assert isinstance(body, dict), body
    assert alive(cloud)


def raw_exchange(cloud, head, body):
    """Sends one request by hand; returns (all reply bytes, connection closed by ciel)."""
    s = socket.create_connection(("127.0.0.1", cloud.port))
    s.sendall(head + b"\r\n" + body)
    s.settimeout(5)
    data, closed = b"", False
    try:
        while True:
            d = s.recv(65536)
            if not d:
                closed = True
                break
            data += d
    except socket.timeout:
        pass
    s.close()
    return data, closed


SMUGGLED = b"0\r\n\r\nGET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n"
START = (b"POST /identity/v3/auth/tokens HTTP/1.1\r\nHost: x\r\n"
         b"Content-Type: application/json\r\n")


@pytest.mark.parametrize("framing", [
    b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(SMUGGLED),
    b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n" % len(SMUGGLED),
    b"Content-Length: %d\r\nContent-Length: %d\r\n" % (len(SMUGGLED), len(SMUGGLED)),
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
])
def test_ambiguous_body_length_is_refused_and_closed(cloud, framing):
    """RFC 9112 6.1: refuse (400) and close; the request hidden in the body never runs."""
    data, closed = raw_exchange(cloud, START + framing, SMUGGLED)
    assert data.startswith(b"HTTP/1.1 400 "), data[:200]
    assert data.count(b"HTTP/1.1 ") == 1, data
    assert closed
    assert alive(cloud)


def test_chunked_alone_keeps_working(cloud):
    """The control: a plain chunked body and a pipelined request behind it both answer."""
    data, _ = raw_exchange(cloud, START + b"Transfer-Encoding: chunked\r\n", SMUGGLED)
    assert data.count(b"HTTP/1.1 ") == 2, data
    assert b"HTTP/1.1 200 OK" in data


def test_state_is_private(cloud):
    """The database (with its WAL and shm), keys, log and configuration are the service's
    alone: files 0600 in 0700 directories (the WAL held an EC2 secret, readable by all)."""
    tok, _ = cloud.token()
    cloud.request("POST", "/identity/v3/credentials", tok, body={"credential": {
        "type": "ec2", "user_id": cloud.request("GET", "/identity/v3/auth/tokens", tok,
                                               headers={"X-Subject-Token": tok})[2]
        ["token"]["user"]["id"], "blob": '{"access": "a1", "secret": "s1"}'}})
    assert stat.S_IMODE(os.stat(cloud.state).st_mode) == 0o700
    seen = []
    for top, dirs, files in os.walk(cloud.state):
        for d in dirs:
            mode = stat.S_IMODE(os.stat(os.path.join(top, d)).st_mode)
            assert mode & 0o077 == 0, (os.path.join(top, d), oct(mode))
        for f in files:
            path = os.path.join(top, f)
            if f in ("stdout.log", "test.conf"):  # the harness's own files
                continue
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            assert mode & 0o077 == 0, (path, oct(mode))
            seen.append(f)
    if cloud.backend == "sqlite":
        assert {"ciel.db", "ciel.db-wal", "ciel.log"} <= set(seen), seen


def test_state_made_wide_by_an_older_version_is_narrowed(cloud):
    for f in ("ciel.log", "clouds.yaml"):
        os.chmod(os.path.join(cloud.state, f), 0o644)
    os.chmod(cloud.state, 0o755)
    cloud.restart()
    assert stat.S_IMODE(os.stat(cloud.state).st_mode) == 0o700
    for f in ("ciel.log", "clouds.yaml"):
        assert stat.S_IMODE(os.stat(os.path.join(cloud.state, f)).st_mode) == 0o600


def test_log_lines_cannot_be_forged(cloud):
    """A path with encoded line breaks stays on its request's log line."""
    forged = "2026-01-01T00:00:00.0Z INFO http [req-forged] GET /identity/v3 200"
    path = "/image/v2/images/x%0A" + urllib.parse.quote(forged) + "%0D%0Ay"
    cloud.request("GET", path)
    with open(os.path.join(cloud.state, "ciel.log"), "rb") as f:
        lines = f.read().split(b"\n")
    assert not any(line.startswith(forged.encode()) for line in lines)
    assert any(b"req-forged" in line for line in lines)  # it is there, on its own line


@pytest.mark.parametrize("query", ["name=%FF", "%FE=x", "sort_key=%C3", "marker=%ED%A0%80"])
@pytest.mark.parametrize("path", ["/network/v2.0/networks", "/image/v2/images",
                                  "/identity/v3/users"])
def test_raw_bytes_in_a_query(cloud, path, query):
    """Bytes that are no UTF-8 name nothing stored: 400 on every backend (PostgreSQL refused
    them as parameters: a 500)."""
    tok = cloud.token()[0]
    status, _, body = cloud.request("GET", f"{path}?{query}", tok,
                                    headers={"Accept": "application/json"})
    assert status == 400, body
    assert alive(cloud)
