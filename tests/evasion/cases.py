#!/usr/bin/python3
"""The evasion cases of tests/e2e/evasion.sh, run in the client namespace.

Each case tries to get the blocked request (/blocked, or the host evil.test)
to the server while the gateway sees something else, and prints the client
port it used, so that the script can compare what the server logged for
that port with what the daemon decided.
"""
import socket
import ssl
import sys
import time

from rawtcp import Session, frag4, frag6
from scapy.all import TCP

BLOCKED = b"GET /blocked HTTP/1.1\r\nHost: ok.test\r\nConnection: close\r\n\r\n"
INNOCENT = b"GET /innocnt HTTP/1.1\r\nHost: ok.test\r\nConnection: close\r\n\r\n"
assert len(BLOCKED) == len(INNOCENT)

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


# ---- segmentation and ordering ----

@case
def one_byte_segments(s):
    s.connect()
    for i in range(len(BLOCKED)):
        s.send(i, BLOCKED[i:i + 1])
        s.pump(0.002)
    s.sent_upto = len(BLOCKED)


@case
def out_of_order(s):
    s.connect()
    pieces = [(i, BLOCKED[i:i + 4]) for i in range(0, len(BLOCKED), 4)]
    for off, data in reversed(pieces):
        s.send(off, data)
    s.sent_upto = len(BLOCKED)


@case
def overlap_same_start(s):
    """Two out-of-order copies from the same offset: Linux keeps the
    longer, later one."""
    s.connect()
    s.send(5, INNOCENT[5:20])
    s.send(5, BLOCKED[5:])
    s.send(0, BLOCKED[:5])
    s.sent_upto = len(BLOCKED)


@case
def overlap_covering(s):
    """A later copy that starts earlier and covers a held one replaces it."""
    s.connect()
    s.send(8, INNOCENT[8:20])
    s.send(6, BLOCKED[6:])
    s.send(0, BLOCKED[:6])
    s.sent_upto = len(BLOCKED)


@case
def overlap_partial(s):
    """A held copy keeps the bytes a later, partly overlapping one repeats."""
    s.connect()
    s.send(5, BLOCKED[5:12])
    s.send(8, INNOCENT[8:])
    s.send(0, BLOCKED[:5])
    s.sent_upto = len(BLOCKED)


@case
def retransmit_innocent_first(s):
    """The server keeps the first copy: it never sees /blocked."""
    s.connect()
    s.send(0, INNOCENT)
    s.wait(lambda: s.acked >= len(INNOCENT))
    s.send(0, BLOCKED)
    s.sent_upto = len(BLOCKED)


@case
def retransmit_blocked_first(s):
    s.connect()
    s.send(0, BLOCKED)
    s.wait(lambda: s.acked >= len(BLOCKED))
    s.send(0, INNOCENT)
    s.sent_upto = len(BLOCKED)


# ---- IP fragments ----

def fragmented(s, size, reverse=False):
    s.connect()
    pkt = s.segment(0, BLOCKED)
    pieces = frag6(pkt, size) if s.v6 else frag4(pkt, size)
    s.emit(list(reversed(pieces)) if reverse else pieces)
    s.sent_upto = len(BLOCKED)


@case
def ipv4_fragments(s):
    fragmented(s, 24)


@case
def ipv4_tiny_fragments_reversed(s):
    fragmented(s, 8, reverse=True)


@case
def ipv6_fragments(s):
    fragmented(s, 80)


@case
def ipv6_fragments_reversed(s):
    fragmented(s, 72, reverse=True)


# ---- TCP options and urgent data ----

@case
def tcp_options(s):
    s.connect()
    opts = [("NOP", None), ("NOP", None), ("Timestamp", (1, 0)), ("SAckOK", b""),
            (253, b"\x00" * 8), ("NOP", None), ("EOL", None)]
    s.send(0, BLOCKED[:10], options=opts)
    s.send(10, BLOCKED[10:], options=[(254, b"\xff" * 34)])
    s.sent_upto = len(BLOCKED)


@case
def urgent_byte(s):
    """BSD urgent semantics: the byte before the pointer leaves the stream."""
    s.connect()
    data = BLOCKED[:8] + b"X" + BLOCKED[8:]
    s.send(0, data, flags="PAU", urgptr=9)
    s.sent_upto = len(data)


# ---- decoys the server drops and the gateway sees ----

def decoy_then_real(s, **decoy):
    s.connect()
    s.send(0, INNOCENT, **decoy)
    time.sleep(0.2)
    s.send(0, BLOCKED)
    s.sent_upto = len(BLOCKED)


@case
def decoy_bad_checksum(s):
    decoy_then_real(s, chksum=0xdead)


@case
def decoy_without_ack(s):
    decoy_then_real(s, flags="P")


@case
def decoy_ttl_expires(s):
    decoy_then_real(s, ip={"ttl": 1})


@case
def decoy_bad_ack(s):
    s.connect()
    bad = s.segment(0, INNOCENT)
    bad[TCP].ack = (s.server_next + 2**30) % 2**32
    s.emit(bad)
    time.sleep(0.2)
    s.send(0, BLOCKED)
    s.sent_upto = len(BLOCKED)


@case
def decoy_out_of_window(s):
    """The decoy lies beyond the server's window; a first request with a
    body fills the stream up to it, then the real second request follows."""
    s.connect()
    at = s.window + 4000
    head = b"POST /ok HTTP/1.1\r\nHost: ok.test\r\nContent-Length: %d\r\n\r\n"
    body_len = at - len(head % 10000)
    first = head % body_len + b"b" * body_len
    assert len(first) == at
    s.send(at, INNOCENT)
    s.stream(0, first)
    s.wait(lambda: s.acked >= at)
    s.send(at, BLOCKED)
    s.sent_upto = at + len(BLOCKED)


# ---- what the URL looks like: one request, one segment ----

def request(s, text):
    s.connect()
    data = text.encode() + b"\r\nConnection: close\r\n\r\n"
    s.send(0, data)
    s.sent_upto = len(data)


VARIANTS = {
    "percent_unreserved": "GET /%62%6C%6Fcked HTTP/1.1\r\nHost: ok.test",
    "upper_case_path": "GET /BLOCKED HTTP/1.1\r\nHost: ok.test",
    "dot_segment": "GET /./blocked HTTP/1.1\r\nHost: ok.test",
    "dot_dot_segment": "GET /x/../blocked HTTP/1.1\r\nHost: ok.test",
    "encoded_dot_dot": "GET /x/%2e%2E/blocked HTTP/1.1\r\nHost: ok.test",
    "double_slash": "GET //blocked HTTP/1.1\r\nHost: ok.test",
    "iis_percent_u": "GET /%u0062locked HTTP/1.1\r\nHost: ok.test",
    "upper_case_host": "GET / HTTP/1.1\r\nHost: EVIL.Test",
    "host_trailing_dot": "GET / HTTP/1.1\r\nHost: evil.test.",
    "host_with_port": "GET / HTTP/1.1\r\nHost: evil.test.:80",
    "host_percent": "GET / HTTP/1.1\r\nHost: %65vil.test",
    "two_hosts": "GET / HTTP/1.1\r\nHost: ok.test\r\nHost: evil.test",
    "absolute_target": "GET http://evil.test/ HTTP/1.1\r\nHost: ok.test",
    "absolute_target_host_header": "GET http://ok.test/ HTTP/1.1\r\nHost: evil.test",
    "absolute_upper_case": "GET HTTP://EVIL.TEST./ HTTP/1.1\r\nHost: ok.test",
    "absolute_target_path": "GET http://ok.test/%62locked HTTP/1.1\r\nHost: ok.test",
    "encoded_slash_dot_dot": "GET /x%2F..%2Fblocked HTTP/1.1\r\nHost: ok.test",
    "backslash_dot_dot": "GET /x\\..\\blocked HTTP/1.1\r\nHost: ok.test",
    "http_0_9": "GET /blocked",
    "lower_case_method": "get /blocked HTTP/1.1\r\nHost: ok.test",
    "folded_host": "GET / HTTP/1.1\r\nHost: ok.test\r\n evil.test",
    # bodies that hide a second request from a parser that frames them otherwise
    "pipelined_after_body": "POST /ok HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 5\r\n\r\n"
                            "helloGET /blocked HTTP/1.1\r\nHost: ok.test",
    "chunked_wins_over_length": "POST /ok HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 60\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                                "GET /blocked HTTP/1.1\r\nHost: ok.test",
    "chunk_extension": "POST /ok HTTP/1.1\r\nHost: ok.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3;x=\"a\"\r\nabc\r\n0\r\n\r\nGET /blocked HTTP/1.1\r\nHost: ok.test",
}


def variant(name, text):
    CASES[name] = lambda s: request(s, text)


for _name, _text in VARIANTS.items():
    variant(_name, _text)


# ---- TLS: the ClientHello cut in pieces ----

def client_hello(name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def in_records(hello, size):
    """The handshake message of one ClientHello record, re-cut into records
    of SIZE bytes."""
    assert hello[0] == 22
    version, body = hello[1:3], hello[5:5 + int.from_bytes(hello[3:5], "big")]
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += bytes([22]) + version + len(piece).to_bytes(2, "big") + piece
    return out


@case
def tls_records(s):
    s.connect()
    data = in_records(client_hello("evil.test"), 40)
    s.send(0, data)
    s.sent_upto = len(data)


@case
def tls_records_one_byte_segments(s):
    s.connect()
    data = in_records(client_hello("evil.test"), 7)
    for i in range(len(data)):
        s.send(i, data[i:i + 1])
        s.pump(0.001)
    s.sent_upto = len(data)


@case
def tls_records_out_of_order(s):
    s.connect()
    data = in_records(client_hello("evil.test"), 100)
    pieces = [(i, data[i:i + 50]) for i in range(0, len(data), 50)]
    for off, piece in reversed(pieces):
        s.send(off, piece)
    s.sent_upto = len(data)


@case
def tls_sni_upper_case(s):
    s.connect()
    data = client_hello("EVIL.TEST")
    s.send(0, data)
    s.sent_upto = len(data)


@case
def tls_sni_trailing_dot(s):
    s.connect()
    data = client_hello("evil.test.")
    s.send(0, data)
    s.sent_upto = len(data)


def main():
    """cases.py IFACE GW_MAC CLI4 SRV4 CLI6 SRV6 CASE[:v6][:PORT]...: runs
    each case, printing "CASE[:...] CLIENT_PORT" (port 0: it failed)."""
    iface, gw_mac, cli4, srv4, cli6, srv6 = sys.argv[1:7]
    for spec in sys.argv[7:]:
        name, *opts = spec.split(":")
        v6 = "v6" in opts
        port = next((int(o) for o in opts if o.isdigit()), 80)
        s = Session(iface, gw_mac, cli6 if v6 else cli4, srv6 if v6 else srv4, port)
        try:
            CASES[name](s)
            s.finish()
            print(spec, s.sport, flush=True)
        except Exception as e:
            print(f"{spec}: {e!r}", file=sys.stderr)
            print(spec, 0, flush=True)
        finally:
            s.close()


if __name__ == "__main__":
    main()
