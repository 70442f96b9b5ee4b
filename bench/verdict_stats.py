# Figures for make bench-verdict, printed as one JSON object.
#   verdict_stats.py hist STATS_JSON
#       p50/p99 of the daemon's verdict-latency histogram (urlctl stats
#       --json): the bucket's upper bound, and a linear interpolation inside
#       the bucket (what Prometheus' histogram_quantile does)
#       and how many took longer than 10 ms (a server's answer can beat those)
#   verdict_stats.py capture PCAP SERVER_IP
#       per blocked session, from a nanosecond pcap taken on the gateway's LAN
#       side: the client's request segment (ingress) to the RST the daemon
#       sent the client in the server's name (egress); p50/p90/p99/p999/max
#   verdict_stats.py row NAME PREFIX CPU_SECONDS
#       one line of part 1 from PREFIX.{hist,cap,stats,client,tcpdump} and
#       the daemon's CPU time over the run
#   verdict_stats.py compare BASE_PREFIX PREFIX
#       PREFIX's capture p50/p99 and histogram mean as ratios to BASE's
import ipaddress
import json
import struct
import sys


def quantile_sorted(xs, q):
    """Nearest-rank quantile of a sorted list."""
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, int(q * len(xs) + 0.999999) - 1))
    return xs[k]


def hist(path):
    s = json.load(open(path))
    buckets = s["verdict_latency_us_bucket"]
    count = s["verdict_latency_us_count"]
    out = {"count": count,
           "mean_us": round(s["verdict_latency_us_sum"] / count, 1) if count else None,
           "over_1ms": count - buckets["1000"],
           "over_10ms": count - buckets["10000"]}
    bounds = [(float("inf") if le == "+Inf" else float(le), cum) for le, cum in buckets.items()]
    bounds.sort()
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        rank = q * count
        lower, below = 0.0, 0
        for le, cum in bounds:
            if count and cum >= rank:
                out[name + "_le_us"] = int(le) if le != float("inf") else "+Inf"
                if le == float("inf"):
                    out[name + "_interp_us"] = None
                else:
                    frac = (rank - below) / (cum - below) if cum > below else 1.0
                    out[name + "_interp_us"] = round(lower + frac * (le - lower))
                break
            lower, below = le, cum
    return out


def pcap_packets(path):
    """(ts_ns, src, dst, sport, dport, flags, payload_len) of each IPv4 TCP frame."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic == 0xA1B23C4D:
        scale = 1
    elif magic == 0xA1B2C3D4:
        scale = 1000
    else:
        raise SystemExit(f"{path}: not a little-endian pcap")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack_from("<IIII", data, off)
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(frame) < 14 + 20 + 20 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack_from(">H", ip, 2)[0]
        if ip[9] != 6 or len(ip) < ihl + 20:
            continue
        tcp = ip[ihl:]
        sport, dport = struct.unpack_from(">HH", tcp, 0)
        doff = (tcp[12] >> 4) * 4
        yield (sec * 1_000_000_000 + frac * scale, ip[12:16], ip[16:20], sport, dport,
               tcp[13], total - ihl - doff)


def capture(path, server):
    srv = ipaddress.IPv4Address(server).packed
    request, gaps, unmatched = {}, [], 0
    RST, SYN, ACK = 0x04, 0x02, 0x10
    for ts, src, dst, sport, dport, flags, plen in pcap_packets(path):
        if dst == srv and flags & (SYN | ACK) == SYN:
            request.pop((src, sport, dport), None)    # a new session on the tuple
        elif dst == srv and plen > 0:
            request.setdefault((src, sport, dport), ts)
        elif src == srv and flags & RST:
            t0 = request.pop((dst, dport, sport), None)
            if t0 is None:
                unmatched += 1
            else:
                gaps.append((ts - t0) / 1000.0)
    gaps.sort()
    out = {"sessions": len(gaps), "rst_without_request": unmatched,
           "mean_us": round(sum(gaps) / len(gaps), 1) if gaps else None}
    for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999), ("max", 1.0)):
        v = quantile_sorted(gaps, q)
        out[name + "_us"] = round(v, 1) if v is not None else None
    return out


def row(name, prefix, cpu):
    h, c, s, cl = (json.load(open(prefix + x)) for x in (".hist", ".cap", ".stats", ".client"))
    drops = [ln.split()[0] for ln in open(prefix + ".tcpdump") if "dropped by kernel" in ln]
    parsed = s["requests_parsed_total"]["http"]
    print("   %-22s %7d %7s | %-16s %-16s | %8s %8s %8s %8s %8s | %.1f us" % (
        name, s["decisions_total"]["block"], h["mean_us"],
        "%s (%s)" % (h.get("p50_le_us"), h.get("p50_interp_us")),
        "%s (%s)" % (h.get("p99_le_us"), h.get("p99_interp_us")),
        c["mean_us"], c["p50_us"], c["p99_us"], c["p999_us"], c["max_us"],
        float(cpu) * 1e6 / max(1, parsed)))
    if cl.get("send_seconds"):
        print("   %22s requests sent at %.0f/s (%d late by over 10 ms)" % (
            "", cl["requests"] / cl["send_seconds"], cl.get("late", 0)))
    print("   %12s client: %s; blocked sessions in the capture %d, tcpdump drops %s" % (
        "", " ".join(f"{k} {v}" for k, v in cl.items()), c["sessions"], drops[0] if drops else "?"))


def compare(base, prefix):
    b, c = (json.load(open(p + ".cap")) for p in (base, prefix))
    hb, hc = (json.load(open(p + ".hist")) for p in (base, prefix))

    def ratio(x, y):
        return "%.2fx" % (x / y) if x and y else "n/a"

    print("   ratio to the baseline: capture p50 %s, p99 %s; histogram mean %s" % (
        ratio(c["p50_us"], b["p50_us"]), ratio(c["p99_us"], b["p99_us"]),
        ratio(hc["mean_us"], hb["mean_us"])))
    print("   target p99 < 100 us: %s (capture p99 %s us)" % (
        "met" if c["p99_us"] is not None and c["p99_us"] < 100 else "NOT met", c["p99_us"]))


def main():
    if sys.argv[1] == "row":
        row(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    if sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
        return
    r = hist(sys.argv[2]) if sys.argv[1] == "hist" else capture(sys.argv[2], sys.argv[3])
    json.dump(r, sys.stdout)
    print()


if __name__ == "__main__":
    main()
