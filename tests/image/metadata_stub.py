#!/usr/bin/python3
"""One HTTP exchange on stdin/stdout: the metadata service that tests/image/test_boot.py
plugs into QEMU's user-mode network with guestfwd=tcp:169.254.169.254:80-cmd:...
(slirp runs this once per guest connection). Serves the files under the directory given
as argv[1] (URL path = file path), 404 for anything else. Nothing leaves QEMU."""
import os
import sys

root = os.path.realpath(sys.argv[1])
inp = sys.stdin.buffer
line = inp.readline().decode("latin-1").split()
while inp.readline() not in (b"\r\n", b"\n", b""):
    pass
path = line[1] if len(line) > 1 else "/"
path = path.split("?", 1)[0]
f = os.path.realpath(os.path.join(root, path.lstrip("/")))
if f.startswith(root + "/") and os.path.isfile(f):
    body, status = open(f, "rb").read(), "200 OK"
else:
    body, status = b"404 Not Found\n", "404 Not Found"
out = sys.stdout.buffer
out.write(("HTTP/1.0 %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (status, len(body))).encode())
out.write(body)
out.flush()
