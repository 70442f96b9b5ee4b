"""Hand-made TCP sessions for the evasion cases (tests/evasion/cases.py).

The client namespace's kernel does not know these sessions: evasion.sh
installs an nft rule that keeps it from answering the server's segments
with RSTs for source ports RAW_PORTS. Frames go out through a packet
socket (no netfilter on the way), so the rule never touches our own
segments.
"""
import random
import select
import time

from scapy.all import (IP, IPv6, TCP, Ether, IPv6ExtHdrFragment, Raw, conf,
                       fragment, fragment6)

RAW_PORTS = (40000, 49999)
_next_port = [random.randint(RAW_PORTS[0], RAW_PORTS[1] - 2000)]


def _client_port():
    """A port no earlier session of this run used: the blocklist still
    holds the ones that were blocked."""
    _next_port[0] += 1
    return _next_port[0]


class Session:
    """One TCP session from a random port in RAW_PORTS to DST:DPORT.

    Sequence numbers are relative: offset 0 is the first payload byte.
    """

    def __init__(self, iface, gw_mac, src, dst, dport, options=None):
        self.v6 = ":" in dst
        self.src, self.dst, self.dport = src, dst, dport
        self.sport = _client_port()
        self.gw_mac = gw_mac
        self.sock = conf.L2socket(iface=iface, filter=f"tcp and port {self.sport}")
        self.isn = random.randint(0, 2**32 - 1)
        self.server_isn = None
        self.server_next = 0          # the server's next sequence number (absolute)
        self.acked = 0                # our bytes the server acknowledged (relative)
        self.window = 0               # the server's last advertised window (unscaled)
        self.received = b""           # what the server sent us
        self.server_fin = False
        self.syn_options = options if options is not None else [("MSS", 1460)]
        self.sent_upto = 0            # the end of our in-order data (relative)

    def close(self):
        self.sock.close()

    def ip(self, **kw):
        if self.v6:
            hlim = kw.pop("ttl", 64)
            return IPv6(src=self.src, dst=self.dst, hlim=hlim, **kw)
        return IP(src=self.src, dst=self.dst, **kw)

    def seq(self, offset):
        return (self.isn + 1 + offset) % 2**32

    def segment(self, offset, data=b"", flags="PA", ip=None, **tcp):
        t = TCP(sport=self.sport, dport=self.dport, seq=self.seq(offset),
                ack=self.server_next, flags=flags, window=65535, **tcp)
        pkt = self.ip(**(ip or {})) / t
        if data:
            pkt = pkt / Raw(data)
        return pkt

    def emit(self, pkts):
        for p in pkts if isinstance(pkts, list) else [pkts]:
            self.sock.send(Ether(dst=self.gw_mac) / p)

    def send(self, offset, data, flags="PA", ip=None, **tcp):
        self.emit(self.segment(offset, data, flags, ip, **tcp))

    def _take(self, pkt):
        t = pkt.getlayer(TCP)
        if t is None or t.sport != self.dport or t.dport != self.sport:
            return
        l3 = pkt.getlayer(IPv6 if self.v6 else IP)
        if l3 is None or l3.src != self.dst:
            return
        if t.flags.S and t.flags.A:
            self.server_isn = t.seq
            self.server_next = (t.seq + 1) % 2**32
        if t.flags.A:
            rel = (t.ack - self.isn - 1) % 2**32
            if rel < 2**31 and rel > self.acked:
                self.acked = rel
            self.window = t.window
        data = bytes(t.payload) if t.payload else b""
        if isinstance(t.payload, Raw) or data:
            if t.seq == self.server_next and data:
                self.received += data
                self.server_next = (self.server_next + len(data)) % 2**32
        if t.flags.F and t.seq + len(data) == self.server_next:
            self.server_fin = True
            self.server_next = (self.server_next + 1) % 2**32
        if t.flags.R:
            self.server_fin = True

    def pump(self, seconds):
        """Read what the server sends for SECONDS, acknowledging its data."""
        end = time.time() + seconds
        while True:
            left = end - time.time()
            if left <= 0:
                return
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return
            before = self.server_next
            pkt = self.sock.recv()
            if pkt is None:
                continue
            self._take(pkt)
            if self.server_next != before:
                self.emit(self.segment(self.sent_upto, flags="A"))

    def wait(self, cond, seconds=3.0):
        end = time.time() + seconds
        while not cond() and time.time() < end:
            self.pump(min(0.05, max(0.0, end - time.time())))
        return cond()

    def connect(self):
        syn = TCP(sport=self.sport, dport=self.dport, seq=self.isn, flags="S",
                  window=65535, options=self.syn_options)
        for _ in range(3):
            self.emit(self.ip() / syn)
            if self.wait(lambda: self.server_isn is not None, 1.0):
                break
        else:
            raise RuntimeError("no SYN-ACK")
        self.emit(self.segment(0, flags="A"))

    def stream(self, offset, data, mss=1000, inflight=16000):
        """DATA from OFFSET in order, in MSS pieces, as much in flight as
        the server's window and INFLIGHT allow."""
        pos = 0
        while pos < len(data):
            if offset + pos - self.acked >= min(inflight, max(self.window, mss)):
                if not self.wait(lambda: offset + pos - self.acked < min(inflight, max(self.window, mss)), 3.0):
                    raise RuntimeError("the server stopped acknowledging")
                continue
            piece = data[pos:pos + mss]
            self.send(offset + pos, piece)
            pos += len(piece)
            self.pump(0)
        self.sent_upto = max(self.sent_upto, offset + len(data))

    def finish(self, seconds=0.5):
        """Collect the server's answer, then reset the session."""
        self.pump(seconds)
        self.emit(self.segment(self.sent_upto, flags="R"))


def frag4(pkt, size):
    return fragment(pkt, fragsize=size)


def frag6(pkt, size):
    ip6 = pkt[IPv6]
    inner = ip6.payload
    ip6.remove_payload()
    return fragment6(ip6 / IPv6ExtHdrFragment() / inner, size)
