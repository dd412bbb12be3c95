#!/usr/bin/python3
"""Runs Tempest (Debian's package) against a throwaway `ciel up`.

    tools/tempest_run.py [--ciel BIN] [--include-list FILE]... [--regex RE]... [--csv OUT]
                         [--image-import auto|on|off]

Starts ciel on a free loopback port with a temporary state directory, writes a tempest
workspace and tempest.conf for it, runs the selected tests, and prints one line per test
and the totals. --csv writes "test_id,status" rows (status: success, fail, skip).
Identity, image (Glance v2) and network (Neutron v2.0) are available to Tempest; image
import is enabled when ciel advertises the glance-direct method (or as --image-import says);
[network-feature-enabled] api_extensions is what GET /network/v2.0/extensions lists, and
the external network `public` (made here by the admin when `ciel up` has not) is Tempest's
public network.
Exit status: 0 when no selected test failed.
"""
import argparse
import csv
import io
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]

# ciel settings the identity tests expect (security compliance as Tempest's defaults assume)
# Tempest's API tests need no packets: the noop data plane keeps the host untouched (the
# linuxbridge driver of two clouds on one host would remove each other's namespaces as
# orphans); tests/dataplane exercises the real one.
CIEL_CONF = """[identity]
password_hash_rounds = 4
[network]
driver = noop
{extra}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ciel(binary, state, port, extra_conf):
    conf = os.path.join(state, "test.conf")
    with open(conf, "w") as f:
        f.write(CIEL_CONF.format(extra=extra_conf))
    env = dict(os.environ, CIEL_CONFIG=conf)
    log = open(os.path.join(state, "stdout.log"), "ab")
    proc = subprocess.Popen([binary, "up", "--state-dir", state, "--listen",
                             f"127.0.0.1:{port}"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/identity/v3"
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit("ciel up exited early; see " + state)
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("ciel up did not answer")


def admin_password(state):
    text = open(os.path.join(state, "ciel.conf")).read()
    return re.search(r"^admin_password = (.*)$", text, re.M).group(1)


# the formats ciel's image service accepts; Tempest creates images with the first of each
CONTAINER_FORMATS = "bare,ami,ari,aki,ovf,ova,docker,compressed"
DISK_FORMATS = "raw,qcow2,ami,ari,aki,vhd,vhdx,vmdk,vdi,iso,ploop"


def admin_token(url, password):
    """A token of the admin user scoped to the admin project."""
    body = json.dumps({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}).encode()
    req = urllib.request.Request(url + "/auth/tokens", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers["X-Subject-Token"]


def image_import_methods(url, password):
    """The import methods ciel's image service advertises (GET /image/v2/info/import with
    an admin token), or an empty list when it does not have that route (404). Any other
    failure stops the run: it must not pass for "no import" and skip the import tests."""
    token = admin_token(url, password)
    req = urllib.request.Request(url.rsplit("/identity/", 1)[0] + "/image/v2/info/import",
                                 headers={"X-Auth-Token": token})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            info = json.load(r)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return []
        raise
    return list(info["import-methods"]["value"])


# Tempest's project networks and ciel's external network when `ciel up` made none
PROJECT_NETWORK_CIDR = "10.100.0.0/16"
PUBLIC_CIDR = "172.24.4.0/24"


def network_api(url, token, method, path, body=None):
    """One request to ciel's network API; returns (status, parsed body or None)."""
    req = urllib.request.Request(
        url.rsplit("/identity/", 1)[0] + "/network/v2.0" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"X-Auth-Token": token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text.decode(errors="replace")


def network_setup(url, password):
    """What Tempest's network sections need from the running cloud: the extensions it
    lists and the id of the external network 'public' (created by the admin, with a
    subnet of PUBLIC_CIDR, when `ciel up` made none). None when ciel has no network
    service (GET /network/v2.0/extensions is a 404); any other failure stops the run."""
    token = admin_token(url, password)
    status, body = network_api(url, token, "GET", "/extensions")
    if status == 404:
        return None
    if status != 200:
        sys.exit(f"GET /network/v2.0/extensions: {status} {body}")
    aliases = sorted(e["alias"] for e in body["extensions"])
    status, body = network_api(url, token, "GET",
                               "/networks?name=public&router:external=true")
    if status != 200:
        sys.exit(f"listing external networks: {status} {body}")
    if body["networks"]:
        public = body["networks"][0]["id"]
    else:
        status, body = network_api(url, token, "POST", "/networks", {"network": {
            "name": "public", "router:external": True}})
        if status != 201:
            sys.exit(f"creating the external network: {status} {body}")
        public = body["network"]["id"]
        status, body = network_api(url, token, "POST", "/subnets", {"subnet": {
            "name": "public-subnet", "network_id": public, "ip_version": 4,
            "cidr": PUBLIC_CIDR, "enable_dhcp": False}})
        if status != 201:
            print(f"warning: the public network has no subnet ({status} {body})")
    return {"extensions": aliases, "public_network_id": public}


def network_conf(net):
    """tempest.conf's network sections ([service_available] says neutron apart)."""
    if net is None:
        return ""
    return f"""
[network]
region = RegionOne
endpoint_type = public
public_network_id = {net["public_network_id"]}
floating_network_name = public
project_network_cidr = {PROJECT_NETWORK_CIDR}
project_network_mask_bits = 28
project_networks_reachable = false

[network-feature-enabled]
ipv6 = true
ipv6_subnet_attributes = true
port_security = {"true" if "port-security" in net["extensions"] else "false"}
floating_ips = {"true" if "router" in net["extensions"] else "false"}
api_extensions = {",".join(net["extensions"])}
"""


def tempest_conf(url, password, import_image, net=None):
    return f"""[DEFAULT]
log_file = tempest.log

[auth]
use_dynamic_credentials = true
admin_username = admin
admin_password = {password}
admin_project_name = admin
admin_domain_name = Default
default_credentials_domain_name = Default
create_isolated_networks = false

[identity]
uri_v3 = {url}
auth_version = v3
v3_endpoint_type = public
region = RegionOne
user_lockout_failure_attempts = 2
user_lockout_duration = 5
user_unique_last_password_count = 2
user_minimum_password_age = 0

[identity-feature-enabled]
api_v2 = false
api_v3 = true
security_compliance = true
application_credentials = true
access_rules = true
project_tags = true
domain_specific_drivers = false
trust = true
external_idp = false
forbid_global_implied_dsr = true

[service_available]
nova = false
glance = true
cinder = false
swift = false
neutron = {"true" if net is not None else "false"}
horizon = false
heat = false

[image]
region = RegionOne
endpoint_type = public
container_formats = {CONTAINER_FORMATS}
disk_formats = {DISK_FORMATS}
build_timeout = 60
image_caching_enabled = false

[image-feature-enabled]
api_v1 = false
api_v2 = true
import_image = {"true" if import_image else "false"}
os_glance_reserved = true
manage_locations = false
""" + network_conf(net)


REQUEST_LINE = re.compile(r"Request \((\w+):(\w+)\): ([45]\d\d) (\w+) (\S+)")


def failure_texts(subunit_bytes):
    """test id (no [tags]) -> (traceback text, last request answered 4xx/5xx or None), for
    the tests and class fixtures that failed (the request from the test's captured log)."""
    import subunit
    import testtools
    texts = {}

    def on_test(t):
        if t["status"] in ("fail", "uxsuccess"):
            tb = t["details"].get("traceback")
            log = t["details"].get("pythonlogging:''")
            bad = None
            for m in REQUEST_LINE.finditer(log.as_text() if log else ""):
                url = re.sub(r"^https?://[^/]+", "", m.group(5))
                bad = f"{m.group(3)} {m.group(4)} {url}"
            texts[re.sub(r"\[.*\]$", "", t["id"])] = (tb.as_text() if tb else "", bad)

    result = testtools.StreamToDict(on_test)
    stream = subunit.ByteStreamToStreamResult(io.BytesIO(subunit_bytes),
                                              non_subunit_name="stdout")
    result.startTestRun()
    stream.run(result)
    result.stopTestRun()
    return texts


def write_details(path, subunit_bytes, results):
    """One paragraph per test that did not pass: its status, the last request answered
    with 4xx/5xx in that test, and the last lines of the exception."""
    try:
        texts = failure_texts(subunit_bytes)
    except ImportError:
        texts = {}
    with open(path, "w") as out:
        for key in sorted(k for k in texts if k.startswith(("setUpClass", "tearDownClass"))):
            lines = [x for x in texts[key][0].strip().splitlines() if x.strip()]
            out.write(f"{key}: fail\n  " + "\n  ".join(lines[-3:]) + "\n\n")
        for tid, st in sorted(results.items()):
            if st == "success":
                continue
            tb, bad = texts.get(tid, ("", None))
            out.write(f"{tid}: {st}\n")
            if bad:
                out.write(f"  last error reply: {bad}\n")
            lines = [x for x in tb.strip().splitlines() if x.strip()]
            # the exception: from the last line that is not indented (traceback frames are)
            start = max([i for i, x in enumerate(lines) if not x.startswith(" ")] or [0])
            for x in lines[max(start, len(lines) - 4):]:
                out.write(f"  {x[:400]}\n")
            out.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ciel", default=os.environ.get("CIEL_BIN", str(ROOT / "build" / "ciel")))
    ap.add_argument("--include-list", action="append", default=[])
    ap.add_argument("--regex", action="append", default=[])
    ap.add_argument("--csv")
    ap.add_argument("--details", help="write, for each test not passing, its last request "
                    "answered with a 4xx/5xx and the exception's last lines")
    ap.add_argument("--concurrency", default="2")
    ap.add_argument("--image-import", choices=("auto", "on", "off"), default="auto",
                    help="[image-feature-enabled] import_image: auto = on when the image "
                         "service advertises glance-direct")
    ap.add_argument("--ciel-conf", default="[security_compliance]\n"
                    "lockout_failure_attempts = 2\nlockout_duration = 5\n"
                    "unique_last_password_count = 2\nminimum_password_age = 0\n")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="ciel-tempest-")
    state = os.path.join(work, "state")
    os.makedirs(state)
    port = free_port()
    proc, url = start_ciel(args.ciel, state, port, args.ciel_conf)
    rc = 1
    try:
        ws = os.path.join(work, "ws")
        # tempest keeps a registry of workspaces under $HOME: give it a private one
        tenv = dict(os.environ, HOME=work)
        subprocess.run(["/usr/bin/tempest", "init", ws], check=True, env=tenv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        methods = image_import_methods(url, admin_password(state))
        if args.image_import == "auto":
            import_image = "glance-direct" in methods
        else:
            import_image = args.image_import == "on"
        print(f"image import methods advertised: {', '.join(methods) or 'none'}; "
              f"[image-feature-enabled] import_image = {str(import_image).lower()}")
        net = network_setup(url, admin_password(state))
        if net is None:
            print("network: ciel has no network service; [service_available] neutron = "
                  "false")
        else:
            print(f"network: public network {net['public_network_id']}; "
                  f"{len(net['extensions'])} extensions: {', '.join(net['extensions'])}")
        with open(os.path.join(ws, "etc", "tempest.conf"), "w") as f:
            f.write(tempest_conf(url, admin_password(state), import_image, net))
        cmd = ["/usr/bin/tempest", "run", "--concurrency", args.concurrency]
        lists = []
        for i, lst in enumerate(args.include_list):
            # anchored regexes, one per test id
            dst = os.path.join(work, f"list{i}.txt")
            with open(lst) as src, open(dst, "w") as out:
                for line in src:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        out.write("^" + re.escape(line.split("[")[0]) + r"(\[.*\])?$" + "\n")
            lists.append(dst)
        combined = os.path.join(work, "include.txt")
        with open(combined, "w") as out:
            for lst in lists:
                out.write(open(lst).read())
            for r in args.regex:
                out.write(r + "\n")
        cmd += ["--include-list", combined]
        listed = subprocess.run(["/usr/bin/tempest", "run", "--list-tests", "--include-list",
                                 combined], cwd=ws, capture_output=True, text=True, env=tenv)
        selected = sorted({re.sub(r"\[.*\]$", "", t.strip())
                           for t in listed.stdout.splitlines() if t.startswith("tempest.")})
        p = subprocess.run(cmd, cwd=ws, capture_output=True, text=True, env=tenv)
        sys.stdout.write(p.stdout[-6000:])
        sub = subprocess.run(["/usr/bin/stestr", "last", "--subunit"], cwd=ws, env=tenv,
                             capture_output=True)
        rows = subprocess.run(["/usr/bin/subunit2csv", "--no-passthrough"], input=sub.stdout,
                              capture_output=True).stdout.decode()
        seen = {}
        fixtures = {}  # class -> status of its setUpClass; tearDownClass failures listed
        for row in csv.DictReader(io.StringIO(rows)):
            st = {"success": "success", "skip": "skip"}.get(row["status"], "fail")
            m = re.match(r"(setUpClass|tearDownClass) \((.*)\)$", row["test"])
            if m:
                if m.group(1) == "setUpClass":
                    fixtures[m.group(2)] = st
                elif st == "fail":
                    print(f"tearDownClass failed: {m.group(2)} (its tests keep their results)")
                continue
            seen[re.sub(r"\[.*\]$", "", row["test"])] = st
        # every selected test counts: one that never reported takes the status of its
        # class's setUpClass (skipped when the class skipped itself); otherwise it failed
        results = {t: seen.get(t, fixtures.get(t.rsplit(".", 1)[0], "fail"))
                   for t in selected}
        if args.details:
            write_details(args.details, sub.stdout, results)
        if args.csv:
            with open(args.csv, "w") as f:
                for tid in sorted(results):
                    f.write(f"{tid},{results[tid]}\n")
        n = {s: sum(1 for v in results.values() if v == s) for s in ("success", "fail", "skip")}
        print(f"tempest: {n['success']} passed, {n['fail']} failed, {n['skip']} skipped")
        rc = 0 if n["fail"] == 0 and p.returncode in (0, 1) and results else 1
        if p.returncode not in (0, 1) or not results:
            print(p.stderr[-3000:])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            if proc.wait(timeout=30) != 0:
                print(f"ciel up exited with {proc.returncode}; log in {state}")
                rc = 1
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = 1
        if rc == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"tempest workspace kept in {work}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
