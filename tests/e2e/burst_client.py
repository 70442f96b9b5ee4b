#!/usr/bin/python3
"""N requests at once, each on its own connection, for tests/e2e/overload.sh.

  burst_client.py HOST PORT N TIMEOUT

Sends GET /r/I (I = 0..N-1) on N connections opened together and prints
how many got an answer (any bytes back) within TIMEOUT seconds.
"""
import socket
import sys
import threading

host, port, n, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
answered = []


def one(i):
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(f"GET /r/{i} HTTP/1.1\r\nHost: burst.test\r\nConnection: close\r\n\r\n".encode())
            if s.recv(1):
                answered.append(i)
    except OSError:
        pass


threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(answered))
