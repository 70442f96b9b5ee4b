#!/usr/bin/python3
"""A response that never ends (a video, say), for tests/e2e/faults.sh.

  stream.py server PORT
      answers every request with an endless body: a line every 0.1 s
  stream.py client HOST PORT PATH FILE
      requests PATH and keeps the number of body lines received in FILE

A count that stops growing shows the session is cut.
"""
import os
import socket
import sys
import threading
import time


def record(path, n):
    with open(path + ".tmp", "w") as f:
        f.write(str(n))
    os.replace(path + ".tmp", path)


def serve(conn):
    try:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        while True:
            conn.sendall(b"frame\n")
            time.sleep(0.1)
    except OSError:
        conn.close()


def server(port):
    ls = socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def client(host, port, path, out):
    s = socket.create_connection((host, port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: stream.test\r\n\r\n".encode())
    head, lines = b"", 0
    record(out, 0)
    while True:
        data = s.recv(4096)
        if not data:
            return
        if head is not None:
            head += data
            if b"\r\n\r\n" not in head:
                continue
            data, head = head.split(b"\r\n\r\n", 1)[1], None
        if data.count(b"\n"):
            lines += data.count(b"\n")
            record(out, lines)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
