# Per-request round trips through the gateway, in microseconds:
#   hold_latency.py HOST PORT MODE COUNT
# MODE keepalive: COUNT GETs one after the other on one connection;
#      connect:   COUNT connections, one GET each (connect included).
# Prints a JSON object: p50_us, p99_us, count, errors.
import json
import socket
import sys
import time

host, port, mode, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
REQ = b"GET / HTTP/1.1\r\nHost: bench.test\r\n\r\n"


def answer(s):
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(b"ok\n"):
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionResetError
        data += chunk


def connect():
    s = socket.create_connection((host, port), timeout=2)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


times, errors = [], 0
s = connect() if mode == "keepalive" else None
for _ in range(count):
    t0 = time.perf_counter()
    try:
        if mode == "connect":
            s = connect()
        s.sendall(REQ)
        answer(s)
        times.append((time.perf_counter() - t0) * 1e6)
    except OSError:
        errors += 1
        if mode == "keepalive":
            s = connect()
    if mode == "connect":
        s.close()
times.sort()
pct = lambda q: round(times[min(len(times) - 1, int(q * len(times)))], 1) if times else None
print(json.dumps({"p50_us": pct(0.50), "p99_us": pct(0.99), "count": len(times),
                  "errors": errors}))
