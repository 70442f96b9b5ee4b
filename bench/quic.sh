#!/usr/bin/env bash
# make bench-quic: what a new QUIC connection costs the daemon, offline on
# one core, against a capture of QUIC first flights made by
# tests/tools/quic_client -w (CONNS connections, v1 and v2 alternately, each
# ClientHello post-quantum-sized and split over two Initials, every fourth
# out of order with another DCID; a server datagram each). Times are CPU
# seconds (user + sys) of each process, all on the same file in the same run:
#   - url-enforcer --pcap with the TLS port elsewhere (UDP 443 not read: the
#     baseline, reading and decoding the capture),
#   - url-enforcer --pcap reading QUIC (keys, header protection, AES-GCM,
#     CRYPTO reassembly, ClientHello, policy, log line each),
#   - tshark's QUIC dissector printing each SNI.
# The difference between the first two, per connection, is the cost of one
# new QUIC connection.
#   CONNS=50000 bash bench/quic.sh
set -eu
BUILD=${BUILD:-build}
CONNS=${CONNS:-50000}
WORK=$(mktemp -d /tmp/ue-bench-quic.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PCAP=$WORK/quic.pcap

"$BUILD/tests/quic_client" -w "$PCAP" "$CONNS"
packets=$((CONNS * 3))
echo "capture: $CONNS connections, $packets packets, $(du -m "$PCAP" | cut -f1) MiB"
printf 'default allow\nblock domain site7.example.test\n' > "$WORK/bench.rules"

# cpu NAME COMMAND...: CPU seconds of COMMAND (stdout to $WORK/NAME.out), best of 3
cpu() {
	local name=$1 best= t; shift
	for _ in 1 2 3; do
		/usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/err" || {
			echo "$name: failed: $(tail -2 "$WORK/err")" >&2; return 1; }
		t=$(awk '{ print $1 + $2 }' "$WORK/time")
		best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
	done
	echo "$best"
}

base=$(cpu base "$BUILD/url-enforcer" --pcap "$PCAP" -p "$WORK/bench.rules" --log-all \
	--tls-ports 8443)
quic=$(cpu quic "$BUILD/url-enforcer" --pcap "$PCAP" -p "$WORK/bench.rules" --log-all)
judged=$(grep -c '"proto":"quic"' "$WORK/quic.out")
[ "$judged" = "$CONNS" ] || { echo "url-enforcer judged $judged of $CONNS connections" >&2; exit 1; }
if command -v tshark >/dev/null; then
	ts=$(cpu tshark tshark -r "$PCAP" -Y tls.handshake.extensions_server_name -T fields \
		-e tls.handshake.extensions_server_name)
	named=$(grep -c . "$WORK/tshark.out")
else
	ts=
fi

awk -v n="$CONNS" -v p="$packets" -v base="$base" -v quic="$quic" -v ts="$ts" \
	-v named="${named:-0}" 'BEGIN {
	if (quic <= 0) quic = 0.001
	printf "%-46s %7.2f s  %8.0f connections/s  %6.2f M packets/s\n", \
		"url-enforcer --pcap, UDP 443 not read", base, n / (base > 0 ? base : 0.001), \
		p / (base > 0 ? base : 0.001) / 1e6
	printf "%-46s %7.2f s  %8.0f connections/s  %6.2f M packets/s\n", \
		"url-enforcer --pcap, QUIC judged", quic, n / quic, p / quic / 1e6
	printf "cost of a new QUIC connection: %.2f us of CPU (%.2f us with the capture read)\n", \
		(quic - base) / n * 1e6, quic / n * 1e6
	if (ts != "")
		printf "%-46s %7.2f s  %8.0f connections/s  (%d SNIs; %.1fx url-enforcer)\n", \
			"tshark -Y tls.handshake.extensions_server_name", ts, n / ts, named, ts / quic
}'
