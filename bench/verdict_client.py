# The client side of make bench-verdict: one new connection per request
# (a block ends its session, so every blocked request needs its own), each
# request a single segment, and what came back counted by outcome:
#   response  bytes of an HTTP response arrived (for a blocked request: a leak)
#   reset     the connection was reset before any response byte
#   timeout   nothing came back within --timeout
#   eof       the server closed without answering
#   unconnected  connect failed or timed out (why: in connect_errors)
#
#   verdict_client.py steady HOST PORT --rate R --seconds S --urls FILE [--timeout T]
#       a request every 1/R s from the list of URLs (http://host/path: Host
#       header and target; the connection goes to HOST:PORT), in list order
#   verdict_client.py burst HOST PORT --count N --concurrency C --url URL [--timeout T]
#       N requests for URL, C at a time
#   verdict_client.py reuse HOST PORT --count N --url URL [--timeout T]
#       N times: a request for URL, then a new connection from the same
#       source port (a new session on the old 4-tuple); counts how many of
#       those connected ("reconnected") and how many did not ("failed")
# --first-port P: the Nth connection binds source port P+N (no 4-tuple comes
# back within a run, so a block left on one cannot touch a later request).
# Prints one JSON object: the outcome counts and the wall time.
import argparse
import asyncio
import errno
import json
import socket
import struct
import sys
import time
from urllib.parse import urlsplit


LINGER_0 = struct.pack("ii", 1, 0)
CONNECT_TIMEOUT = 3.0       # past the first SYN retransmission (1 s)


def request_bytes(url):
    u = urlsplit(url)
    target = u.path + ("?" + u.query if u.query else "")
    return (f"GET {target} HTTP/1.1\r\nHost: {u.netloc}\r\nUser-Agent: bench-verdict\r\n"
            f"Connection: close\r\n\r\n").encode()


async def one(host, port, payload, timeout, counts, local_port=None):
    local = ("0.0.0.0", local_port) if local_port else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, local_addr=local), CONNECT_TIMEOUT)
    except (OSError, asyncio.TimeoutError) as e:
        counts["unconnected"] += 1
        why = "timeout" if isinstance(e, asyncio.TimeoutError) else errno.errorcode.get(e.errno, str(e))
        errors = counts.setdefault("connect_errors", {})
        errors[why] = errors.get(why, 0) + 1
        return
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    outcome = "timeout"
    try:
        writer.write(payload)
        data = await asyncio.wait_for(reader.read(4096), timeout)
        outcome = "response" if data else "eof"
    except ConnectionResetError:
        outcome = "reset"
    except (asyncio.TimeoutError, OSError):
        pass
    counts[outcome] += 1
    # RST, not FIN: no FIN retransmissions into a block, no TIME_WAIT
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_0)
    except OSError:
        pass                    # already reset and closed
    writer.transport.abort()
    try:
        await writer.wait_closed()      # collects a reset, or asyncio complains of it later
    except OSError:
        pass


def new_counts():
    return dict(response=0, reset=0, timeout=0, eof=0, unconnected=0)


async def steady(a):
    urls = [line.strip() for line in open(a.urls) if line.strip()]
    payloads = [request_bytes(u) for u in urls]
    counts, tasks = new_counts(), set()
    total = int(a.rate * a.seconds)
    start = time.monotonic()
    late = 0
    for j in range(total):
        due = start + j / a.rate
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -0.01:
            late += 1
        t = asyncio.ensure_future(one(a.host, a.port, payloads[j % len(payloads)], a.timeout,
                                      counts, a.first_port + j if a.first_port else None))
        tasks.add(t)
        t.add_done_callback(tasks.discard)
    sent_in = time.monotonic() - start
    if tasks:
        await asyncio.wait(tasks)
    counts.update(requests=total, send_seconds=round(sent_in, 3), late=late)
    return counts


async def burst(a):
    payload = request_bytes(a.url)
    counts = new_counts()
    sem = asyncio.Semaphore(a.concurrency)

    async def limited(j):
        async with sem:
            await one(a.host, a.port, payload, a.timeout, counts,
                      a.first_port + j if a.first_port else None)

    start = time.monotonic()
    await asyncio.gather(*(limited(j) for j in range(a.count)))
    counts.update(requests=a.count, seconds=round(time.monotonic() - start, 3))
    return counts


def reuse(a):
    """Plain blocking sockets: the second connect must be on the same port."""
    counts = new_counts()
    again = dict(reconnected=0, failed=0)
    for j in range(a.count):
        asyncio.run(one(a.host, a.port, request_bytes(a.url), a.timeout, counts, a.first_port + j))
        time.sleep(0.1)                    # the verdict has landed by now
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(a.timeout)
        try:
            s.bind(("0.0.0.0", a.first_port + j))
            s.connect((a.host, a.port))
            again["reconnected"] += 1
        except OSError:
            again["failed"] += 1
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_0)
        s.close()
    counts.update(requests=a.count, second_connection=again)
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["steady", "burst", "reuse"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--urls")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--url")
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--first-port", type=int, default=0)
    a = ap.parse_args()
    if a.mode == "reuse":
        counts = reuse(a)
    else:
        counts = asyncio.run(steady(a) if a.mode == "steady" else burst(a))
    json.dump(counts, sys.stdout)
    print()


if __name__ == "__main__":
    main()
