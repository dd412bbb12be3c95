#!/usr/bin/python3
"""Boots ciel's test image (tools/mkimage) under QEMU TCG and reads its serial console.

  tests/image/test_boot.py [IMAGEDIR]      (default build/images)

Four boots, each a user-mode (slirp) NIC in restrict=on mode, so no packet leaves QEMU:
  disk-openstack  ciel-test.qcow2 from its MBR/syslinux; a metadata service at
                  169.254.169.254 (tests/image/metadata_stub.py through guestfwd) with the
                  OpenStack paths; HTTP port 80 forwarded to 127.0.0.1; ACPI power-off
  kernel-cfgdrive ciel-test.vmlinuz + ciel-test.initrd (-kernel/-initrd) with a vfat config
                  drive labelled config-2 and no metadata service
  kernel-iso      the same with an iso9660 config drive on an IDE cdrom (nova's default)
  raw-ec2         ciel-test.raw with a metadata service that has only the EC2 paths
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


def openstack_tree(root, hostname, with_key=True):
    md = ('{"uuid": "6f1c0a52-9e5b-4c1e-8a55-0c1e1e57c1e1", "name": "vm", '
          '"hostname": "%s.novalocal", "launch_index": 0, "availability_zone": "nova"' % hostname)
    if with_key:
        md += ', "public_keys": {"k1": "%s\\n"}, "keys": [{"name": "k1", "type": "ssh", "data": "%s\\n"}]' % (KEY, KEY)
    write(os.path.join(root, "openstack/latest/meta_data.json"), md + "}\n")
    write(os.path.join(root, "openstack/latest/user_data"),
          "#!/bin/sh\necho ciel-userdata-ran $(hostname) keys=$(wc -l </root/.ssh/authorized_keys)\n")


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


def markers(g, name, expect):
    """Checks the console for boot, dhcp, the expected lines and ready; returns ready time."""
    m, t = g.wait_for(r"^ciel-guest: ready", TIMEOUT)
    con = g.console()
    ok = check("%s: ready within %ds" % (name, TIMEOUT), m is not None,
               "\n--- console tail ---\n%s\n---" % con[-3000:])
    check("%s: boot marker" % name, "ciel-guest: boot" in con)
    check("%s: dhcp marker" % name, re.search(r"^ciel-guest: dhcp \d+\.\d+\.\d+\.\d+/\d+", con, re.M) is not None)
    for pat in expect:
        check("%s: /%s/" % (name, pat), re.search(pat, con, re.M) is not None)
    if ok:
        print("  %s: ciel-guest: ready %.1f s after QEMU started (guest uptime %s)"
              % (name, t, re.search(r"ready (\S+)", con).group(1)))
    return t if ok else None


def main():
    for f in ("ciel-test.qcow2", "ciel-test.raw", "ciel-test.vmlinuz", "ciel-test.initrd"):
        if not os.path.isfile(os.path.join(IMG, f)):
            check("image %s present" % f, False, "(run tools/mkimage)")
            return
    work = tempfile.mkdtemp(prefix="ciel-image-test-")
    stub = [sys.executable, os.path.join(HERE, "metadata_stub.py")]
    times = {}
    try:
        # 1. Disk boot (MBR + syslinux), OpenStack metadata service, HTTP, ACPI power-off.
        md = os.path.join(work, "md-openstack")
        openstack_tree(md, "ciel-disk-host")
        port = free_port()
        nic = ("user,restrict=on,model=virtio-net-pci,net=169.254.169.0/24,"
               "guestfwd=tcp:169.254.169.254:80-cmd:%s %s,hostfwd=tcp:127.0.0.1:%d-:80"
               % (" ".join(stub), md, port))
        g = Guest("disk-openstack", ["-drive", "file=%s,if=virtio,snapshot=on,format=qcow2"
                                     % os.path.join(IMG, "ciel-test.qcow2"), "-nic", nic], work)
        try:
            times["disk-openstack"] = markers(g, "disk-openstack", [
                r"^ciel-guest: metadata ok openstack uuid=6f1c0a52",
                r"^ciel-guest: hostname ciel-disk-host$",
                r"^ciel-guest: ssh-keys 1$",
                r"^ciel-userdata-ran ciel-disk-host keys=1",
                r"^ciel-guest: user-data exit 0",
                r"^ciel-guest: http :80"])
            body = ""
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10) as r:
                    body = r.read().decode().strip()
            except Exception as e:
                body = repr(e)
            check("disk-openstack: HTTP :80 serves the hostname", body == "ciel-disk-host", body)
            g.monitor("system_powerdown")
            try:
                g.proc.wait(30)
                check("disk-openstack: ACPI power button powers off", True)
            except subprocess.TimeoutExpired:
                check("disk-openstack: ACPI power button powers off", False, "(still running after 30 s)")
        finally:
            g.stop()

        # 2. Kernel + ramdisk boot with a vfat config drive (label config-2), no metadata service.
        cd = os.path.join(work, "cfg")
        openstack_tree(cd, "ciel-cfgdrive-host")
        cdimg = os.path.join(work, "config-2.img")
        subprocess.run(["truncate", "-s", "4M", cdimg], check=True)
        subprocess.run(["mkfs.vfat", "-n", "config-2", cdimg], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["mcopy", "-s", "-i", cdimg, os.path.join(cd, "openstack"), "::/"], check=True,
                       env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
        g = Guest("kernel-cfgdrive", [
            "-kernel", os.path.join(IMG, "ciel-test.vmlinuz"),
            "-initrd", os.path.join(IMG, "ciel-test.initrd"),
            "-append", "console=ttyS0,115200n8",
            "-drive", "file=%s,if=virtio,format=raw,readonly=on" % cdimg,
            "-nic", "user,restrict=on,model=virtio-net-pci"], work)
        try:
            times["kernel-cfgdrive"] = markers(g, "kernel-cfgdrive", [
                r"^ciel-guest: config-drive /dev/vda",
                r"^ciel-guest: metadata ok config-drive",
                r"^ciel-guest: hostname ciel-cfgdrive-host$",
                r"^ciel-guest: ssh-keys 1$",
                r"^ciel-userdata-ran ciel-cfgdrive-host keys=1"])
        finally:
            g.stop()

        # 3. Kernel + ramdisk with an iso9660 config drive on an IDE cdrom (nova's default).
        cd = os.path.join(work, "iso")
        openstack_tree(cd, "ciel-iso-host")
        iso = os.path.join(work, "config-2.iso")
        subprocess.run(["genisoimage", "-quiet", "-o", iso, "-V", "config-2", "-r", "-J", cd], check=True)
        g = Guest("kernel-iso", [
            "-kernel", os.path.join(IMG, "ciel-test.vmlinuz"),
            "-initrd", os.path.join(IMG, "ciel-test.initrd"),
            "-append", "console=ttyS0,115200n8",
            "-drive", "file=%s,media=cdrom,if=ide,format=raw,readonly=on" % iso,
            "-nic", "user,restrict=on,model=virtio-net-pci"], work)
        try:
            times["kernel-iso"] = markers(g, "kernel-iso", [
                r"^ciel-guest: config-drive /dev/sr0",
                r"^ciel-guest: metadata ok config-drive",
                r"^ciel-guest: hostname ciel-iso-host$",
                r"^ciel-userdata-ran ciel-iso-host keys=1"])
        finally:
            g.stop()

        # 4. Raw disk, a metadata service with only the EC2 paths.
        md = os.path.join(work, "md-ec2")
        write(os.path.join(md, "latest/meta-data/instance-id"), "i-0000002a")
        write(os.path.join(md, "latest/meta-data/hostname"), "ciel-ec2-host.novalocal")
        write(os.path.join(md, "latest/meta-data/public-keys/0/openssh-key"), KEY + "\n")
        write(os.path.join(md, "latest/user-data"), "#!/bin/sh\necho ciel-userdata-ran $(hostname) ec2\n")
        nic = ("user,restrict=on,model=virtio-net-pci,net=169.254.169.0/24,"
               "guestfwd=tcp:169.254.169.254:80-cmd:%s %s" % (" ".join(stub), md))
        g = Guest("raw-ec2", ["-drive", "file=%s,if=virtio,snapshot=on,format=raw"
                              % os.path.join(IMG, "ciel-test.raw"), "-nic", nic], work)
        try:
            times["raw-ec2"] = markers(g, "raw-ec2", [
                r"^ciel-guest: config-drive none",
                r"^ciel-guest: metadata ok ec2 instance-id=i-0000002a",
                r"^ciel-guest: hostname ciel-ec2-host$",
                r"^ciel-guest: ssh-keys 1$",
                r"^ciel-userdata-ran ciel-ec2-host ec2"])
        finally:
            g.stop()
    finally:
        if failed:
            print("consoles kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
