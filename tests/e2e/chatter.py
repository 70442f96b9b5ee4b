#!/usr/bin/python3
"""Long-lived TCP sessions that talk both ways, for tests/e2e/blocklist.sh.

  chatter.py server PORT DIR
      accepts sessions; on each, sends a line every 0.1 s and keeps the
      number of lines received from the client in DIR/server-CPORT
  chatter.py client HOST PORT CPORT FILE
      connects from CPORT, sends a line every 0.1 s, keeps the number of
      lines received from the server in FILE

Each side sends on its own, so a count that stops growing shows that one
direction of the session is cut, whatever happens to the other.
"""
import os
import socket
import sys
import threading
import time


def record(path, n):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(n))
    os.replace(tmp, path)


def talk(sock, me, path):
    def send():
        try:
            while True:
                sock.sendall(me)
                time.sleep(0.1)
        except OSError:
            pass

    threading.Thread(target=send, daemon=True).start()
    received = 0
    record(path, received)
    buf = b""
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return
            buf += data
            lines = buf.count(b"\n")
            if lines:
                received += lines
                buf = buf[buf.rindex(b"\n") + 1:]
                record(path, received)
    except OSError:
        return


def server(port, folder):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", port))
    ls.listen(16)
    while True:
        conn, peer = ls.accept()
        path = os.path.join(folder, "server-%d" % peer[1])
        threading.Thread(target=talk, args=(conn, b"s\n", path), daemon=True).start()


def client(host, port, cport, path):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", cport))
    s.connect((host, port))
    talk(s, b"c\n", path)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), sys.argv[3])
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
