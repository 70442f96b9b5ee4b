#!/usr/bin/env bash
# The TC program's guards, live through the gateway (blk_tool on gw-lan, the
# daemon's loader):
#   block quic: client->server UDP to the TLS port is dropped for the listed
#     client prefixes only, IPv4 and IPv6, and flows again once unlisted;
#   fail closed: while the tool runs (renewing the heartbeat) new sessions
#     pass; once it is killed, new sessions to the tapped port are refused
#     while an established one carries on and untapped ports stay open; the
#     next start clears the dead tool's filters and lets sessions in again.
. "$(dirname "$0")/lib.sh"

TOOL=$BUILD/tests/blk_tool
TAPPED=9000 UNTAPPED=9001 TLS=443 OTHER_UDP=4433
TIMEOUT_MS=600

need /usr/bin/python3 tc ping
[ -x "$TOOL" ] || { fail setup "$TOOL not built"; exit 1; }
topology_up || { fail setup "topology"; exit 1; }

# udp_echo PORT: answers every datagram, IPv4 and IPv6
udp_echo() {
	spawn "$NS_SRV" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)' "$1"
}

# udp_answered HOST PORT: a datagram from the client gets its echo (3 tries, 0.5 s each)
udp_answered() {
	in_cli /usr/bin/python3 -c '
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for _ in range(3):
    s.sendto(b"\xc0quic-initial", (host, port))
    try:
        s.recv(2048)
        sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)' "$1" "$2"
}

# connects HOST PORT: a new TCP session gets established within 3 s
connects() { in_cli timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

count() { cat "$TMP/$1" 2>/dev/null || echo 0; }

udp_echo $TLS
udp_echo $OTHER_UDP
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" server $TAPPED "$TMP"
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" server $UNTAPPED "$TMP"
# wait_udp PORT: until something is bound to UDP PORT on the server (5 s at most)
wait_udp() {
	for _ in $(seq 50); do
		in_srv ss -Hlun "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
wait_port "$NS_SRV" $TAPPED && wait_port "$NS_SRV" $UNTAPPED && wait_udp $TLS &&
	wait_udp $OTHER_UDP || { fail setup "servers"; exit 1; }
blk_tool_start -H $TAPPED -T $TLS -f $TIMEOUT_MS gw-lan || { fail setup "blk_tool: $(cat "$TMP/blk.err")"; exit 1; }
# neighbour discovery first, so no probe below waits on it
in_cli ping -c1 -W3 $SRV4 >/dev/null && in_cli ping -c1 -W3 $SRV6 >/dev/null ||
	{ fail setup "server unreachable"; exit 1; }

# ---- block quic ----
udp_answered $SRV4 $TLS && udp_answered $SRV6 $TLS && ok quic-passes-unlisted ||
	fail quic-passes-unlisted "no echo before any quic rule"
r=$(blk_tool quic 10.77.1.0/24)
[ "$r" = ok ] || fail quic-command "$r"
! udp_answered $SRV4 $TLS && ok quic-dropped-for-listed-client || fail quic-dropped-for-listed-client "echo came back"
udp_answered $SRV6 $TLS && ok quic-ipv6-client-not-listed || fail quic-ipv6-client-not-listed "no echo"
udp_answered $SRV4 $OTHER_UDP && ok quic-other-udp-port-passes || fail quic-other-udp-port-passes "no echo"
r=$(blk_tool quic 10.77.1.0/24 fd77:1::/64)
! udp_answered $SRV6 $TLS && ok quic-dropped-for-listed-ipv6 || fail quic-dropped-for-listed-ipv6 "reply $r; echo came back"
r=$(blk_tool quic)
udp_answered $SRV4 $TLS && udp_answered $SRV6 $TLS && ok quic-flows-once-unlisted ||
	fail quic-flows-once-unlisted "reply $r; no echo"
counters=$(blk_tool counters)
grep -q 'quic_drop=[1-9]' <<<"$counters" && ok quic-drops-counted || fail quic-drops-counted "$counters"

# ---- fail closed ----
connects $SRV4 $TAPPED && ok new-session-while-alive || fail new-session-while-alive "refused"
spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" client $SRV4 $TAPPED 41001 "$TMP/client-41001"
for _ in $(seq 50); do [ "$(count client-41001)" -ge 3 ] && break; sleep 0.1; done

kill -9 "$BLK_TOOL_PID"; wait "$BLK_TOOL_PID" 2>/dev/null
sleep 1            # past the heartbeat timeout
! connects $SRV4 $TAPPED && ok new-session-refused-when-dead || fail new-session-refused-when-dead "connected"
! connects $SRV6 $TAPPED && ok new-ipv6-session-refused-when-dead || fail new-ipv6-session-refused-when-dead "connected"
connects $SRV4 $UNTAPPED && ok untapped-port-stays-open || fail untapped-port-stays-open "refused"
c1=$(count client-41001) s1=$(count server-41001)
sleep 1
[ "$(count client-41001)" -gt "$c1" ] && [ "$(count server-41001)" -gt "$s1" ] &&
	ok established-session-carries-on ||
	fail established-session-carries-on "counts $c1/$s1 -> $(count client-41001)/$(count server-41001)"

: >"$TMP/blk.err"
blk_tool_start -H $TAPPED -T $TLS -f $TIMEOUT_MS gw-lan || { fail setup "blk_tool restart: $(cat "$TMP/blk.err")"; exit 1; }
connects $SRV4 $TAPPED && ok new-session-after-restart || fail new-session-after-restart "refused; $(cat "$TMP/blk.err")"
blk_tool quit >/dev/null
wait "$BLK_TOOL_PID" 2>/dev/null
left=$(in_gw tc filter show dev gw-lan ingress; in_gw tc filter show dev gw-lan egress)
[ -z "$left" ] && ok no-filter-left || fail no-filter-left "$left"
exit $FAILED
