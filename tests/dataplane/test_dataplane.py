"""The network data plane, for real: `ciel up` with the linuxbridge driver, and network
namespaces the test creates standing in for instances. Each "instance" is a namespace
with a veth whose host end is named as Nova's tap of the port would be (tap + the port
id's first 11 characters): the agent plugs it into the network's bridge, as it plugs a
VM's tap. busybox udhcpc asks for the address. Traffic stays in namespaces and bridges
made here; the external network is ciel's isolated `public` bridge.

Needs root. tools/check runs it inside a network and mount namespace of its own (unshare,
a tmpfs on /run/netns, sysfs remounted), so the host's links, namespaces and nftables are
never touched and another ciel on the host (whose reconcile would remove this one's
namespaces as orphans) cannot interfere."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "functional"))
from conftest import Cloud  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the data plane needs root")

UDHCPC_SCRIPT = r"""#!/bin/sh
# busybox udhcpc hook: apply the lease (address, routes incl. option 121)
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	echo "$ip" > "/tmp/$NS.lease"
	if [ -n "$staticroutes" ]; then
		set -- $staticroutes
		while [ $# -ge 2 ]; do
			ip route replace "$1" via "$2" dev "$interface"
			shift 2
		done
	elif [ -n "$router" ]; then
		ip route replace default via "${router%% *}" dev "$interface"
	fi
	;;
esac
"""


def sh(*args, check=True, timeout=30):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)}: {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def netns(ns, *args, check=True, timeout=30):
    return sh("ip", "netns", "exec", ns, *args, check=check, timeout=timeout)


class Host:
    """A namespace standing in for an instance on port 'port' (a port body)."""

    def __init__(self, port, tag):
        self.port = port
        self.ns = f"ciel-t-{tag}-{uuid.uuid4().hex[:6]}"
        self.tap = "tap" + port["id"][:11]
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", self.tap, "type", "veth", "peer", "name", "eth0", "netns",
           self.ns)
        netns(self.ns, "ip", "link", "set", "eth0", "address", port["mac_address"])
        netns(self.ns, "ip", "link", "set", "lo", "up")
        netns(self.ns, "ip", "link", "set", "eth0", "up")
        sh("ip", "link", "set", self.tap, "up")
        self.script = f"/tmp/{self.ns}.sh"
        with open(self.script, "w") as f:
            f.write(UDHCPC_SCRIPT)
        os.chmod(self.script, 0o755)

    def dhcp(self, timeout=20):
        """Runs udhcpc until it has a lease; returns (address, seconds)."""
        t0 = time.time()
        p = sh("ip", "netns", "exec", self.ns, "env", f"NS={self.ns}", "busybox", "udhcpc",
               "-i", "eth0", "-n", "-q", "-f", "-t", str(timeout * 2), "-T", "1", "-A", "1",
               "-s", self.script, "-O", "staticroutes", check=False, timeout=timeout + 10)
        assert p.returncode == 0, f"no lease: {p.stdout}{p.stderr}"
        with open(f"/tmp/{self.ns}.lease") as f:
            return f.read().strip(), time.time() - t0

    def ping(self, addr, count=1, wait=2):
        return netns(self.ns, "busybox", "ping", "-c", str(count), "-W", str(wait), addr,
                     check=False).returncode == 0

    def destroy(self):
        sh("ip", "link", "del", self.tap, check=False)
        sh("ip", "netns", "del", self.ns, check=False)
        for f in (self.script, f"/tmp/{self.ns}.lease"):
            if os.path.exists(f):
                os.unlink(f)


def until(fn, timeout=10.0, step=0.2):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


@pytest.fixture(scope="module")
def cloud():
    c = Cloud(net_driver="linuxbridge")
    public = c.cli("network", "show", "public", "-f", "json")["id"]
    yield c
    c.destroy()
    # stopping ciel leaves the data plane running (instances keep their network): the
    # test's cloud is gone for good, so its public bridge goes too
    sh("ip", "link", "del", "brq" + public[:11], check=False)


@pytest.fixture
def hosts():
    made = []
    yield made
    for h in made:
        h.destroy()


def ours():
    """The links and namespaces of ciel's naming scheme present on the host."""
    links = sh("ip", "-o", "link", "show").stdout
    names = re.findall(r"^\d+: ([^:@]+)", links, re.M)
    ns = sh("ip", "netns", "list").stdout.split()
    return ([n for n in names if re.match(r"^(brq|vxlan-|qr-|qg-|ns-)", n)] +
            [n for n in ns if n.startswith(("qdhcp-", "qrouter-"))])


def cli(cloud, *args):
    return cloud.cli(*args, "-f", "json")


def network_with_subnet(cloud, name, cidr):
    net = cli(cloud, "network", "create", name)
    sub = cli(cloud, "subnet", "create", "--network", net["id"], "--subnet-range", cidr,
              name + "-sub")
    return net, sub


def port(cloud, net, name, *extra):
    # bound to this host, as compute binds an instance's port
    return cli(cloud, "port", "create", "--network", net["id"], "--host",
               socket.gethostname(), *extra, name)


def test_dhcp_ping_security_groups_router_fip_metadata_cleanup(cloud, hosts):
    net, sub = network_with_subnet(cloud, "dp-net", "10.90.0.0/24")
    bridge = "brq" + net["id"][:11]
    assert until(lambda: os.path.exists(f"/sys/class/net/{bridge}"))
    assert until(lambda: f"qdhcp-{net['id']}" in sh("ip", "netns", "list").stdout)

    # two ports get their DHCP addresses and ping each other (default group: same group)
    p1 = port(cloud, net, "p1")
    p2 = port(cloud, net, "p2")
    h1, h2 = Host(p1, "a"), Host(p2, "b")
    hosts += [h1, h2]
    a1, lease_s = h1.dhcp()
    a2, _ = h2.dhcp()
    assert a1 == p1["fixed_ips"][0]["ip_address"] if isinstance(p1["fixed_ips"], list) \
        else a1 in str(p1["fixed_ips"])
    assert a2 in str(p2["fixed_ips"])
    print(f"first lease after {lease_s:.2f} s")
    assert until(lambda: cli(cloud, "port", "show", p1["id"])["status"] == "ACTIVE")
    assert until(lambda: h1.ping(a2), timeout=10)

    # a group without an ICMP rule blocks ping; adding the rule lets it through
    sg = cli(cloud, "security", "group", "create", "no-icmp")
    cloud.cli("port", "set", "--no-security-group", "--security-group", sg["id"], p2["id"])
    assert until(lambda: not h1.ping(a2), timeout=5)
    assert not h1.ping(a2, count=2)
    cli(cloud, "security", "group", "rule", "create", "--protocol", "icmp", "--ingress",
        sg["id"])
    t0 = time.time()
    assert until(lambda: h1.ping(a2, wait=1), timeout=5)
    print(f"rule applied within {time.time() - t0:.2f} s")
    # anti-spoofing: another address than the port's is dropped
    netns(h1.ns, "ip", "addr", "add", "10.90.0.222/24", "dev", "eth0")
    assert not netns(h1.ns, "busybox", "ping", "-c", "1", "-W", "2", "-I", "10.90.0.222",
                     a2, check=False).returncode == 0
    netns(h1.ns, "ip", "addr", "del", "10.90.0.222/24", "dev", "eth0")

    # a router gives SNAT towards the public network; "outside" sits on public's bridge
    public = cli(cloud, "network", "show", "public")
    router = cli(cloud, "router", "create", "dp-router")
    cloud.cli("router", "set", "--external-gateway", public["id"], router["id"])
    cloud.cli("router", "add", "subnet", router["id"], sub["id"])
    # the outside world is no instance of the cloud: no security group filters it
    outside_port = port(cloud, public, "outside", "--disable-port-security")
    out = Host(outside_port, "out")
    hosts.append(out)
    out_ip = outside_port["fixed_ips"][0]["ip_address"] \
        if isinstance(outside_port["fixed_ips"], list) else \
        re.search(r"ip_address='([^']+)'", str(outside_port["fixed_ips"])).group(1)
    netns(out.ns, "ip", "addr", "add", out_ip + "/24", "dev", "eth0")
    gw = cli(cloud, "router", "show", router["id"])["external_gateway_info"]
    gw_ip = gw["external_fixed_ips"][0]["ip_address"]
    h1.dhcp()  # the lease now carries the router
    assert until(lambda: h1.ping(out_ip), timeout=10)
    srv = subprocess.Popen(["ip", "netns", "exec", out.ns, "/usr/bin/python3", "-m",
                            "http.server", "8000", "--bind", out_ip],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert until(lambda: netns(h1.ns, "curl", "-sf", "-m", "3",
                                   f"http://{out_ip}:8000/", check=False).returncode == 0)
    finally:
        srv.terminate()
        log = srv.communicate(timeout=5)[0]
    assert gw_ip in log and a1 not in log, log  # the outside saw the router, not 10.90

    # a floating IP reaches h1 from outside
    fip = cli(cloud, "floating", "ip", "create", "--port", p1["id"], public["id"])
    fip_ip = fip["floating_ip_address"]
    cli(cloud, "security", "group", "rule", "create", "--protocol", "icmp", "--ingress",
        "default")
    assert until(lambda: out.ping(fip_ip), timeout=10)
    assert until(lambda: cli(cloud, "floating", "ip", "show", fip["id"])["status"] ==
                 "ACTIVE")

    # metadata answers at 169.254.169.254 with the port's identity
    md = netns(h1.ns, "curl", "-sf", "-m", "5",
               "http://169.254.169.254/openstack/latest/meta_data.json", check=False)
    assert md.returncode == 0, md.stderr
    # the port has no device yet: its own id is the instance id
    meta = json.loads(md.stdout)
    assert p1["device_id"] == "" and meta["uuid"] == p1["id"], meta
    assert meta["hostname"] == "host-" + a1.replace(".", "-"), meta

    # a restart keeps leases and flows: dnsmasq keeps running, ping still works
    pid = sh("pgrep", "-f", f"dnsmasq.*{net['id']}").stdout.split()
    cloud.restart()
    assert sh("pgrep", "-f", f"dnsmasq.*{net['id']}").stdout.split() == pid
    assert h1.ping(a2) and out.ping(fip_ip)

    # deleting everything leaves nothing behind
    cloud.cli("floating", "ip", "delete", fip["id"])
    cloud.cli("router", "remove", "subnet", router["id"], sub["id"])
    cloud.cli("router", "delete", router["id"])
    for p in (p1, p2, outside_port):
        cloud.cli("port", "delete", p["id"])
    cloud.cli("network", "delete", net["id"])
    cloud.cli("security", "group", "delete", sg["id"])
    left = lambda: [n for n in ours() if net["id"][:11] in n or router["id"][:11] in n
                    or n in ("qr-" + p1["id"][:11],)]
    assert until(lambda: not left(), timeout=10), left()
    assert not until(lambda: sh("pgrep", "-f", f"dnsmasq.*{net['id']}",
                                check=False).stdout.strip(), timeout=5)
    rules = sh("nft", "list", "ruleset").stdout
    assert p1["id"][:11] not in rules and p2["id"][:11] not in rules
    # with no instance left, no table of ours stays in the host's forward path
    assert until(lambda: "ciel" not in sh("nft", "list", "tables").stdout, timeout=5), \
        sh("nft", "list", "tables").stdout
