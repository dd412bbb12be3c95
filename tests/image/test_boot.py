#!/usr/bin/python3
"""Boots ciel's test image (tools/mkimage) under QEMU TCG and reads its serial console.

  tests/image/test_boot.py [IMAGEDIR]      (default build/images)

Five boots, each a user-mode (slirp) NIC in restrict=on mode, so no packet leaves QEMU:
  disk-openstack  ciel-test.qcow2 from its MBR/syslinux; a metadata service at
                  169.254.169.254 (tests/image/metadata_stub.py through guestfwd) with the
                  OpenStack paths; HTTP port 80 forwarded to 127.0.0.1; ACPI power-off
  kernel-cfgdrive ciel-test.vmlinuz + ciel-test.initrd (-kernel/-initrd) with a vfat config
                  drive labelled config-2 and no metadata service
  kernel-iso      the same with an iso9660 config drive on an IDE cdrom (nova's default)
  raw-ec2         ciel-test.raw with a metadata service that has only the EC2 paths
  kernel-ssh      kernel + initrd, OpenStack metadata carrying a key made with ssh-keygen;
                  port 22 forwarded: ssh root@ with it runs hostname, another key is refused
Every boot must also print an ed25519 SSH host key and "sshd :22".
Prints one PASS/FAIL line per check, the boot times, and "N passed, N failed"."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
IMG = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build", "images"))
TIMEOUT = float(os.environ.get("CIEL_IMAGE_BOOT_TIMEOUT", "120"))
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICielTestKeyOnlyNotARealKeyAAAAAAAAAAAA test@ciel"

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))
    sys.stdout.flush()
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def openstack_tree(root, hostname, key=KEY):
    md = ('{"uuid": "6f1c0a52-9e5b-4c1e-8a55-0c1e1e57c1e1", "name": "vm", '
          '"hostname": "%s.novalocal", "launch_index": 0, "availability_zone": "nova"' % hostname)
    if key:
        md += ', "public_keys": {"k1": "%s\\n"}, "keys": [{"name": "k1", "type": "ssh", "data": "%s\\n"}]' % (key, key)
    write(os.path.join(root, "openstack/latest/meta_data.json"), md + "}\n")
    write(os.path.join(root, "openstack/latest/user_data"),
          "#!/bin/sh\necho ciel-userdata-ran $(hostname) keys=$(wc -l </root/.ssh/authorized_keys)\n")


def slirp(md=None, fwd=()):
    """-nic args: slirp in restrict=on mode; with md, metadata_stub.py serving directory md at
    169.254.169.254:80; fwd lists (host port on 127.0.0.1, guest port) pairs."""
    nic = "user,restrict=on,model=virtio-net-pci"
    if md:
        nic += (",net=169.254.169.0/24,guestfwd=tcp:169.254.169.254:80-cmd:%s %s %s"
                % (sys.executable, os.path.join(HERE, "metadata_stub.py"), md))
    for host, guest in fwd:
        nic += ",hostfwd=tcp:127.0.0.1:%d-:%d" % (host, guest)
    return ["-nic", nic]


def disk(name, fmt):
    return ["-drive", "file=%s,if=virtio,snapshot=on,format=%s" % (os.path.join(IMG, name), fmt)]


def kernel():
    return ["-kernel", os.path.join(IMG, "ciel-test.vmlinuz"),
            "-initrd", os.path.join(IMG, "ciel-test.initrd"), "-append", "console=ttyS0,115200n8"]


def vfat_drive(tree, img):
    """A raw vfat image labelled config-2 holding tree/openstack."""
    subprocess.run(["truncate", "-s", "4M", img], check=True)
    subprocess.run(["mkfs.vfat", "-n", "config-2", img], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    subprocess.run(["mcopy", "-s", "-i", img, os.path.join(tree, "openstack"), "::/"], check=True,
                   env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    return ["-drive", "file=%s,if=virtio,format=raw,readonly=on" % img]


def iso_drive(tree, iso):
    """An iso9660 image labelled config-2 on an IDE cdrom (nova's default config drive)."""
    subprocess.run(["genisoimage", "-quiet", "-o", iso, "-V", "config-2", "-r", "-J", tree], check=True)
    return ["-drive", "file=%s,media=cdrom,if=ide,format=raw,readonly=on" % iso]


class Guest:
    def __init__(self, name, args, work):
        self.name = name
        self.log = os.path.join(work, name + ".console")
        self.mon = os.path.join(work, name + ".mon")
        cmd = ["qemu-system-x86_64", "-machine", "accel=tcg", "-m", "256", "-smp", "1",
               "-display", "none", "-no-reboot", "-serial", "file:" + self.log,
               "-monitor", "unix:%s,server=on,wait=off" % self.mon] + args
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)

    def console(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def wait_for(self, pattern, timeout):
        end = self.t0 + timeout
        while time.monotonic() < end:
            m = re.search(pattern, self.console(), re.M)
            if m:
                return m, time.monotonic() - self.t0
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        return None, time.monotonic() - self.t0

    def monitor(self, command):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(self.mon)
        s.sendall(command.encode() + b"\n")
        time.sleep(0.3)
        s.close()

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.monitor("quit")
                self.proc.wait(10)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stdout.read().decode("utf-8", "replace")


def boot(work, name, args, expect, then=None):
    """Boots one case: waits for "ready", checks the markers every boot prints and the
    patterns in expect, runs then(guest, console) while the guest is up, stops it."""
    g = Guest(name, args, work)
    try:
        m, t = g.wait_for(r"^ciel-guest: ready", TIMEOUT)
        con = g.console()
        ok = check("%s: ready within %ds" % (name, TIMEOUT), m is not None,
                   "\n--- console tail ---\n%s\n---" % con[-3000:])
        check("%s: boot marker" % name, "ciel-guest: boot" in con)
        check("%s: dhcp marker" % name,
              re.search(r"^ciel-guest: dhcp \d+\.\d+\.\d+\.\d+/\d+", con, re.M) is not None)
        for pat in [r"^ciel-guest: ssh-host-key ed25519 SHA256:\S+$", r"^ciel-guest: sshd :22$"] + expect:
            check("%s: /%s/" % (name, pat), re.search(pat, con, re.M) is not None)
        if ok:
            print("  %s: ciel-guest: ready %.1f s after QEMU started (guest uptime %s)"
                  % (name, t, re.search(r"ready (\S+)", con).group(1)))
            if then:
                then(g, con)
    finally:
        g.stop()


def http_and_poweroff(port, hostname):
    def then(g, con):
        body = ""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10) as r:
                body = r.read().decode().strip()
        except Exception as e:
            body = repr(e)
        check("%s: HTTP :80 serves the hostname" % g.name, body == hostname, body)
        g.monitor("system_powerdown")
        try:
            g.proc.wait(30)
            check("%s: ACPI power button powers off" % g.name, True)
        except subprocess.TimeoutExpired:
            check("%s: ACPI power button powers off" % g.name, False, "(still running after 30 s)")
    return then


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ciel-image-test", "-f", path],
                   check=True)
    with open(path + ".pub") as f:
        return f.read().strip()


def ssh_login(work, port, good, wrong, hostname):
    """Logs in as root with the injected key (runs hostname), and with a key the guest was
    not given (refused; the only method offered is publickey)."""
    known = os.path.join(work, "known_hosts")

    def ssh(key, *cmd):
        try:
            r = subprocess.run(["ssh", "-F", "/dev/null", "-i", key, "-p", str(port),
                                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=" + known,
                                "-o", "ConnectTimeout=30", "root@127.0.0.1"] + list(cmd),
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=90)
            return r.returncode, r.stdout.strip(), r.stderr.strip()
        except subprocess.TimeoutExpired:
            return None, "", "(timed out)"

    def then(g, con):
        rc, out, err = ssh(good, "hostname")
        check("%s: ssh root@ with the injected key runs hostname" % g.name, rc == 0 and out == hostname,
              "rc=%s out=%r err=%r" % (rc, out, err))
        fp = subprocess.run(["ssh-keygen", "-l", "-f", known], capture_output=True, text=True).stdout.split()
        check("%s: the host key is one the guest made at boot" % g.name,
              len(fp) > 1 and re.search(r"^ciel-guest: ssh-host-key \S+ %s$" % re.escape(fp[1]), con, re.M),
              "client saw %r" % fp)
        rc, out, err = ssh(wrong, "hostname")
        check("%s: another key is refused, publickey is the only method" % g.name,
              rc == 255 and out == "" and "Permission denied (publickey)" in err,
              "rc=%s out=%r err=%r" % (rc, out, err))
    return then


def main():
    for f in ("ciel-test.qcow2", "ciel-test.raw", "ciel-test.vmlinuz", "ciel-test.initrd"):
        if not os.path.isfile(os.path.join(IMG, f)):
            check("image %s present" % f, False, "(run tools/mkimage)")
            return
    work = tempfile.mkdtemp(prefix="ciel-image-test-")
    try:
        # 1. Disk boot (MBR + syslinux), OpenStack metadata service, HTTP, ACPI power-off.
        md = os.path.join(work, "md-openstack")
        openstack_tree(md, "ciel-disk-host")
        port = free_port()
        boot(work, "disk-openstack", disk("ciel-test.qcow2", "qcow2") + slirp(md, [(port, 80)]), [
            r"^ciel-guest: metadata ok openstack uuid=6f1c0a52",
            r"^ciel-guest: hostname ciel-disk-host$",
            r"^ciel-guest: ssh-keys 1$",
            r"^ciel-userdata-ran ciel-disk-host keys=1",
            r"^ciel-guest: user-data exit 0",
            r"^ciel-guest: http :80"], http_and_poweroff(port, "ciel-disk-host"))

        # 2. Kernel + ramdisk boot with a vfat config drive (label config-2), no metadata service.
        cd = os.path.join(work, "cfg")
        openstack_tree(cd, "ciel-cfgdrive-host")
        boot(work, "kernel-cfgdrive", kernel() + vfat_drive(cd, os.path.join(work, "config-2.img")) + slirp(), [
            r"^ciel-guest: config-drive /dev/vda",
            r"^ciel-guest: metadata ok config-drive",
            r"^ciel-guest: hostname ciel-cfgdrive-host$",
            r"^ciel-guest: ssh-keys 1$",
            r"^ciel-userdata-ran ciel-cfgdrive-host keys=1"])

        # 3. Kernel + ramdisk with an iso9660 config drive on an IDE cdrom (nova's default).
        cd = os.path.join(work, "iso")
        openstack_tree(cd, "ciel-iso-host")
        boot(work, "kernel-iso", kernel() + iso_drive(cd, os.path.join(work, "config-2.iso")) + slirp(), [
            r"^ciel-guest: config-drive /dev/sr0",
            r"^ciel-guest: metadata ok config-drive",
            r"^ciel-guest: hostname ciel-iso-host$",
            r"^ciel-userdata-ran ciel-iso-host keys=1"])

        # 4. Raw disk, a metadata service with only the EC2 paths.
        md = os.path.join(work, "md-ec2")
        write(os.path.join(md, "latest/meta-data/instance-id"), "i-0000002a")
        write(os.path.join(md, "latest/meta-data/hostname"), "ciel-ec2-host.novalocal")
        write(os.path.join(md, "latest/meta-data/public-keys/0/openssh-key"), KEY + "\n")
        write(os.path.join(md, "latest/user-data"), "#!/bin/sh\necho ciel-userdata-ran $(hostname) ec2\n")
        boot(work, "raw-ec2", disk("ciel-test.raw", "raw") + slirp(md), [
            r"^ciel-guest: config-drive none",
            r"^ciel-guest: metadata ok ec2 instance-id=i-0000002a",
            r"^ciel-guest: hostname ciel-ec2-host$",
            r"^ciel-guest: ssh-keys 1$",
            r"^ciel-userdata-ran ciel-ec2-host ec2"])

        # 5. Kernel + ramdisk, OpenStack metadata service with a key made here, SSH forwarded.
        good, wrong = os.path.join(work, "id_good"), os.path.join(work, "id_wrong")
        pub = keygen(good)
        keygen(wrong)
        md = os.path.join(work, "md-ssh")
        openstack_tree(md, "ciel-ssh-host", pub)
        port = free_port()
        boot(work, "kernel-ssh", kernel() + slirp(md, [(port, 22)]), [
            r"^ciel-guest: metadata ok openstack",
            r"^ciel-guest: hostname ciel-ssh-host$",
            r"^ciel-guest: ssh-keys 1$"], ssh_login(work, port, good, wrong, "ciel-ssh-host"))
    finally:
        if failed:
            print("consoles kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
