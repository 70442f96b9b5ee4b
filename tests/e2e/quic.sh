#!/usr/bin/env bash
# QUIC judged by its SNI through the gateway: crafted first flights (v1 and
# v2, the ClientHello split over two Initials, sent out of order with
# another DCID on the second: tests/tools/quic_client) and headless
# Chromium forced to QUIC; the server is a UDP sink that records each
# datagram. Blocked: one decision line, later datagrams dropped (with
# --hold, none reaches the server); allowed: one line, every datagram passes.
source "$(dirname "$0")/lib.sh"
topology_up

SOCK=$TMP/ctl.sock
SEEN=$TMP/sink.log
QC=$BUILD/tests/quic_client
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
[ -x "$QC" ] || { fail setup "$QC not built"; exit 1; }

# the sink: one line "CLIENT_PORT LENGTH FIRST_BYTE" per datagram to UDP 443
spawn "$NS_SRV" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 443))
with open(sys.argv[1], "a") as log:
    while True:
        data, peer = s.recvfrom(65536)
        log.write("%d %d %02x\n" % (peer[1], len(data), data[0]))
        log.flush()' "$SEEN"
touch "$SEEN"
for _ in $(seq 50); do in_srv ss -Hlun "sport = :443" | grep -q . && break; sleep 0.1; done

cat > "$TMP/quic.rules" <<'R'
block host ^blocked\.test$ id=sni
R

# start_daemon MODE [OPTION...]: the daemon logs every decision to $TMP/MODE.log
start_daemon() {
	LOG=$TMP/$1.log; shift
	spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -p "$TMP/quic.rules" -s "$SOCK" -l "$LOG" \
		--log-all --workers 2 "$@"
	DAEMON_PID=$!
	for _ in $(seq 50); do [ -S "$SOCK" ] && CTL status >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_daemon() {
	kill "$DAEMON_PID"
	for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
	rm -f "$SOCK"
}

# expect NAME GOT WANT: ok when equal, else FAIL saying both
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got $2, want $3"; fi; }

# stat NAME [LABEL]: a counter from urlctl stats --json
stat() {
	CTL stats --json | /usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin)[sys.argv[1]]
print(v[sys.argv[2]] if len(sys.argv) > 2 else v)' "$@"
}
seen() { awk -v p="$1" '$1 == p' "$SEEN" | wc -l; }          # datagrams from client port P
lines() { grep -c "\"proto\":\"quic\",\"client\":\"[^\"]*\",\"client_port\":$1,.*$2" "$LOG"; }

# crafted NAME HOST ARGS...: one crafted client (2 Initials, then 3 follow-ups)
crafted() {
	local name=$1 host=$2 port; shift 2
	port=$(in_cli "$QC" -s "$host" -f 3 "$@" $SRV4 443) || { fail "$name" "quic_client failed"; return 1; }
	sleep 0.3
	echo "$port"
}

run_crafted() {
	local mode=$1 v flags port
	for v in 1 2; do
		flags=""; [ $v = 2 ] && flags=-2
		port=$(crafted "$mode-v$v" allowed.test $flags -r -o) || continue
		expect "$mode-v$v-allowed-one-line" "$(lines "$port" '"host":"allowed.test".*"action":"allow"')" 1
		expect "$mode-v$v-allowed-all-datagrams-pass" "$(seen "$port")" 5
		port=$(crafted "$mode-v$v" blocked.test $flags -r -o) || continue
		expect "$mode-v$v-blocked-one-line" "$(lines "$port" '"host":"blocked.test".*"action":"block","rule":"[^"]*:1","rule_id":"sni","response":"drop","enforced":true')" 1
		if [ "$mode" = hold ]; then
			# like a TCP segment, the Initial that leaves the ClientHello
			# incomplete may go on; the one that completes it never does
			check "$mode-v$v-blocked-completing-initial-held" test "$(seen "$port")" -le 1
		else
			# the two Initials went on before the verdict; nothing after them
			expect "$mode-v$v-blocked-later-datagrams-dropped" "$(seen "$port")" 2
		fi
		port=$(crafted "$mode-v$v" allowed.test $flags -k 0 -1) || continue
		expect "$mode-v$v-one-initial-allowed" "$(lines "$port" '"action":"allow"')" 1
		expect "$mode-v$v-one-initial-allowed-passes" "$(seen "$port")" 4
		port=$(crafted "$mode-v$v" blocked.test $flags -k 0 -1) || continue
		expect "$mode-v$v-one-initial-blocked" "$(lines "$port" '"action":"block"')" 1
		expect "$mode-v$v-one-initial-blocked-datagrams" "$(seen "$port")" \
			"$([ "$mode" = hold ] && echo 0 || echo 1)"
	done
}

# chromium NAME HOST: headless Chromium loads https://HOST/ over QUIC only (no answer comes)
chromium_load() {
	in_cli timeout 20 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$TMP/chromium-$1" --enable-quic --origin-to-force-quic-on="$2:443" \
		--host-resolver-rules="MAP $2 $SRV4" --ignore-certificate-errors \
		--dump-dom "https://$2/" >/dev/null 2>&1
	sleep 0.5
}

run_chromium() {
	local mode=$1 host ports n p drops
	command -v chromium >/dev/null || { skip "$mode-chromium" "chromium missing (make deps)"; return; }
	for host in allowed.test blocked.test; do
		drops=$(stat kernel_drops_total ingress)
		chromium_load "$mode-$host" "$host"
		ports=$(grep "\"host\":\"$host\"" "$LOG" | grep -o '"client_port":[0-9]*' | cut -d: -f2 | sort -u)
		n=$(grep -c "\"host\":\"$host\"" "$LOG")
		check "$mode-chromium-$host-judged" test "$n" -ge 1
		expect "$mode-chromium-$host-one-line-a-connection" "$n" "$(echo "$ports" | grep -c .)"
		[ "$host" = blocked.test ] && [ "$mode" = plain ] &&
			check "$mode-chromium-blocked-retransmissions-dropped" \
				test "$(stat kernel_drops_total ingress)" -gt "$drops"
		for p in $ports; do
			if [ "$host" = allowed.test ]; then
				check "$mode-chromium-allowed-$p-passes" test "$(seen "$p")" -ge 2
			elif [ "$mode" = hold ]; then
				# its first Initial may go on (released before the verdict
				# lands), the one completing the ClientHello never does
				check "$mode-chromium-blocked-$p-completing-initial-held" \
					test "$(seen "$p")" -le 1
			fi
		done
	done
}

start_daemon plain
run_crafted plain
spawn "$NS_GW" tcpdump -q -i gw-lan -w "$TMP/chromium.pcap" -U udp port 443 2>/dev/null
TCPDUMP_PID=$!
run_chromium plain
kill "$TCPDUMP_PID"; sleep 0.3
# Chromium's post-quantum ClientHello spans two Initials (tshark's reading):
# in each connection, the first Initial carries no server name, a later one does
if command -v tshark >/dev/null && [ -s "$TMP/chromium.pcap" ]; then
	tshark -r "$TMP/chromium.pcap" -Y 'quic.long.packet_type == 0 && udp.dstport == 443' \
		-T fields -e udp.srcport -e tls.handshake.extensions_server_name 2>/dev/null |
		awk -F'\t' '!($1 in first) { first[$1] = $2 } $2 != "" { named[$1] = 1 }
			END { for (p in first) { n++; if (first[p] == "" && named[p]) halves++ }
			      print n + 0, halves + 0 }' > "$TMP/split"
	read -r conns split < "$TMP/split"
	check chromium-connections-captured test "$conns" -ge 2
	expect chromium-hello-over-two-initials "$split" "$conns"
else
	skip chromium-hello-over-two-initials "tshark missing or nothing captured"
fi
check plain-kernel-dropped test "$(stat kernel_drops_total ingress)" -ge 6
stop_daemon

start_daemon hold --hold
run_crafted hold
run_chromium hold
stop_daemon
exit $FAILED
