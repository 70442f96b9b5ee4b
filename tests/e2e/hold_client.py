# Sends raw HTTP requests over one connection the way a test needs them and
# prints what came back (or "reset" / "timeout"):
#   hold_client.py HOST PORT MODE REQUEST [REQUEST...]
# MODE: bytes  each request one byte a segment (TCP_NODELAY), waiting for
#              its answer before the next (keep-alive);
#       whole  each request in one send, waiting for its answer;
#       pipelined  all requests in one send, then read the answers.
# A REQUEST is "GET /path" or "POST /path SIZE" (SIZE bytes of a fixed
# pseudo-random body; its SHA-256 goes to stderr).
import hashlib
import random
import socket
import sys
import time

host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def build(spec):
    parts = spec.split()
    head = f"{parts[0]} {parts[1]} HTTP/1.1\r\nHost: sink.test\r\n"
    if parts[0] == "POST":
        body = random.Random(7).randbytes(int(parts[2]))
        print(hashlib.sha256(body).hexdigest(), file=sys.stderr)
        return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    return (head + "\r\n").encode()


pending = b""   # bytes of later answers read along with an earlier one


def read_answer(s):
    global pending
    while b"\r\n\r\n" not in pending:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionResetError
        pending += chunk
    head, rest = pending.split(b"\r\n\r\n", 1)
    n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0]
            .split(b":")[1])
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionResetError
        rest += chunk
    pending = rest[n:]
    return rest[:n].decode().strip()


s = socket.create_connection((host, port), timeout=3)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
reqs = [build(r) for r in sys.argv[4:]]
try:
    if mode == "pipelined":
        s.sendall(b"".join(reqs))
        for _ in reqs:
            print(read_answer(s))
    for r in reqs if mode != "pipelined" else []:
        if mode == "bytes":
            for i in range(len(r)):
                s.send(r[i:i + 1])
                time.sleep(0.001)
        else:
            s.sendall(r)
        print(read_answer(s))
except (ConnectionResetError, BrokenPipeError):
    print("reset")
except socket.timeout:
    print("timeout")
