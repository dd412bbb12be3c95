"""Functional test harness: a real `ciel up` on loopback with a throwaway state directory,
driven by the real openstack CLI and openstacksdk.

Every test module runs once per database backend: SQLite (embedded default) and
PostgreSQL (a throwaway cluster from Debian's packages, started by this harness and
removed at the end). CIEL_BACKENDS=sqlite limits the run to one backend.
"""
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CIEL = os.environ.get("CIEL_BIN", str(ROOT / "build" / "ciel"))
OPENSTACK = "/usr/bin/openstack"
PG_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A PostgreSQL cluster in a temporary directory, reachable on a unix socket only."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ciel-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.as_pg = as_pg
        subprocess.run(as_pg + [str(PG_BIN / "initdb"), "-A", "trust", "-U", "postgres",
                                "-D", self.data], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(as_pg + [str(PG_BIN / "pg_ctl"), "-D", self.data, "-w", "-l",
                                os.path.join(self.dir, "log"), "-o",
                                f"-k {self.dir} -p {self.port} -h '' -c fsync=off",
                                "start"], check=True, stdout=subprocess.DEVNULL)
        self.dbs = 0

    def new_database(self):
        self.dbs += 1
        name = f"ciel{self.dbs}"
        subprocess.run(["createdb",
                        "-h", self.dir, "-p", str(self.port), "-U", "postgres", name],
                       check=True)
        return f"postgresql://postgres@/{name}?host={self.dir}&port={self.port}"

    def stop(self):
        subprocess.run(self.as_pg + [str(PG_BIN / "pg_ctl"), "-D", self.data, "-m",
                                     "immediate", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class Cloud:
    """One running `ciel up`."""

    def __init__(self, db_url=None, net_driver="noop"):
        self.state = tempfile.mkdtemp(prefix="ciel-state-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.auth_url = self.url + "/identity/v3"
        self.env = dict(os.environ)
        self.env["OS_CLIENT_CONFIG_FILE"] = os.path.join(self.state, "clouds.yaml")
        for k in list(self.env):
            if k.startswith("OS_") and k != "OS_CLIENT_CONFIG_FILE":
                del self.env[k]
        self.conf = os.path.join(self.state, "test.conf")
        with open(self.conf, "w") as f:
            f.write("[identity]\npassword_hash_rounds = 4\n")
            # API tests leave the host alone; tests/dataplane runs the real driver
            f.write(f"[network]\ndriver = {net_driver}\n")
            if db_url:
                f.write(f"[database]\nconnection = {db_url}\n")
        self.env["CIEL_CONFIG"] = self.conf
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.state, "stdout.log"), "ab")
        self.proc = subprocess.Popen(
            [CIEL, "up", "--state-dir", self.state, "--listen", f"127.0.0.1:{self.port}"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("ciel up exited: " + self.read_log())
            try:
                urllib.request.urlopen(self.auth_url, timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("ciel up did not answer: " + self.read_log())

    def stop(self):
        if self.proc and self.proc.poll() not in (None, 0):
            # it died on its own (a sanitizer report aborts it): say so, with its log
            self.log.close()
            raise AssertionError(f"ciel up died with {self.proc.returncode}: "
                                 f"{self.read_log()}")
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise
            assert rc == 0, f"ciel up exited with {rc}: {self.read_log()}"
        self.log.close()

    def restart(self):
        self.stop()
        self.start()

    def read_log(self):
        with open(os.path.join(self.state, "stdout.log"), "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def cli(self, *args, cloud="ciel-admin", check=True, env=None):
        """Runs the real openstack CLI; returns parsed JSON when -f json is in args."""
        e = dict(self.env)
        if env:
            e.update(env)
        cmd = [OPENSTACK] + (["--os-cloud", cloud] if cloud else []) + list(args)
        p = subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
        if "json" in args and p.returncode == 0 and p.stdout.strip():
            return json.loads(p.stdout)
        return p

    def sdk(self, cloud="ciel-admin", **auth):
        import openstack
        os.environ["OS_CLIENT_CONFIG_FILE"] = self.env["OS_CLIENT_CONFIG_FILE"]
        if auth:
            return openstack.connect(auth_url=self.auth_url, region_name="RegionOne",
                                     identity_api_version="3", **auth)
        return openstack.connect(cloud=cloud)

    def request(self, method, path, token=None, body=None, headers=None, raw=None):
        """A raw HTTP request; returns (status, headers, parsed-json-or-text)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                             else None)
        h = {"Content-Type": "application/json"}
        if token:
            h["X-Auth-Token"] = token
        h.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, hdrs, text = r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            status, hdrs, text = e.code, e.headers, e.read().decode()
        try:
            return status, hdrs, json.loads(text) if text else None
        except ValueError:
            return status, hdrs, text

    def token(self, user="admin", password=None, project="admin", domain="Default"):
        """Issues a token by password; returns (token, body)."""
        if password is None:
            password = self.password(user)
        auth = {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": domain}, "password": password}}}}
        if project:
            auth["scope"] = {"project": {"name": project, "domain": {"name": domain}}}
        status, hdrs, body = self.request("POST", "/identity/v3/auth/tokens",
                                          body={"auth": auth})
        assert status == 201, (status, body)
        return hdrs["X-Subject-Token"], body

    def password(self, user):
        import yaml
        with open(self.env["OS_CLIENT_CONFIG_FILE"]) as f:
            clouds = yaml.safe_load(f)["clouds"]
        return clouds[f"ciel-{user}"]["auth"]["password"]

    def destroy(self):
        self.stop()
        shutil.rmtree(self.state, ignore_errors=True)


def ok(result, want=200):
    """The body of a (status, headers, body) reply; asserts its status is 'want'."""
    status, _, body = result
    assert status == want, body
    return body


def neutron_error(body, status, want_status):
    """The message of a NeutronError reply; asserts its status is 'want_status'."""
    assert status == want_status, body
    assert set(body["NeutronError"]) == {"type", "message", "detail"}, body
    return body["NeutronError"]["message"]


def new_image(cloud, tok, **attrs):
    """POST /image/v2/images with 'attrs' as the body; asserts 201, returns the image."""
    status, _, img = cloud.request("POST", "/image/v2/images", tok, body=attrs)
    assert status == 201, img
    return img


def show_image(cloud, tok, image_id):
    status, _, img = cloud.request("GET", "/image/v2/images/" + image_id, tok)
    assert status == 200, img
    return img


def wait_image_status(cloud, tok, image_id, want, timeout=30):
    """Polls the image until its status is 'want'; asserts it got there in time."""
    deadline = time.time() + timeout
    while True:
        img = show_image(cloud, tok, image_id)
        if img["status"] == want or time.time() > deadline:
            assert img["status"] == want, img
            return img
        time.sleep(0.1)


class Project:
    """A project of its own with a user holding the member role there (no admin): its
    token, raw requests (with 'headers' as the default headers) and the CLI as that user."""

    def __init__(self, cloud, name, headers=None):
        self.cloud = cloud
        self.name = name
        self.user = f"user-{name}"
        self.password = f"pw-{name}-1"
        self.headers = headers
        self.id = cloud.cli("project", "create", name, "-f", "json")["id"]
        cloud.cli("user", "create", "--password", self.password, self.user, "-f", "json")
        cloud.cli("role", "add", "--user", self.user, "--project", name, "member")
        self.tok = cloud.token(self.user, password=self.password, project=name)[0]

    def cli(self, *args, check=True):
        env = {"OS_AUTH_URL": self.cloud.auth_url, "OS_USERNAME": self.user,
               "OS_PASSWORD": self.password, "OS_USER_DOMAIN_NAME": "Default",
               "OS_PROJECT_NAME": self.name, "OS_PROJECT_DOMAIN_NAME": "Default",
               "OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": "RegionOne"}
        return self.cloud.cli(*args, cloud=None, env=env, check=check)

    def req(self, method, path, **kw):
        if self.headers is not None:
            kw.setdefault("headers", self.headers)
        return self.cloud.request(method, path, self.tok, **kw)

    def appcred_token(self, **attrs):
        """An application credential of this user made with 'attrs' (a random name unless
        given) and a token from it: (the token's body, the token, the credential)."""
        st, _, body = self.cloud.request("GET", "/identity/v3/auth/tokens", self.tok,
                                         headers={"X-Subject-Token": self.tok})
        assert st == 200, body
        uid = body["token"]["user"]["id"]
        attrs.setdefault("name", "ac-" + os.urandom(4).hex())
        st, _, body = self.req("POST", f"/identity/v3/users/{uid}/application_credentials",
                               body={"application_credential": attrs})
        assert st == 201, body
        ac = body["application_credential"]
        st, hdrs, body = self.cloud.request("POST", "/identity/v3/auth/tokens", body={
            "auth": {"identity": {"methods": ["application_credential"],
                                  "application_credential": {"id": ac["id"],
                                                             "secret": ac["secret"]}}}})
        assert st == 201, body
        return body["token"], hdrs["X-Subject-Token"], ac


def _backends():
    wanted = os.environ.get("CIEL_BACKENDS", "sqlite,postgresql").split(",")
    return [b for b in ("sqlite", "postgresql") if b in wanted]


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="module", params=_backends())
def cloud(request):
    """A fresh cloud per test module and backend."""
    db_url = None
    if request.param == "postgresql":
        db_url = request.getfixturevalue("postgres").new_database()
    c = Cloud(db_url)
    c.backend = request.param
    yield c
    c.destroy()
