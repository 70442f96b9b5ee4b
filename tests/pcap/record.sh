#!/usr/bin/env bash
# Records the golden captures in tests/pcap/*/capture.pcap from real traffic
# between throw-away namespaces (tests/e2e/lib.sh): curl against python's
# http.server with keep-alive, openssl s_client against openssl s_server,
# over IPv4 and IPv6. Run once, as root, when a case is added or changed:
#   bash tests/pcap/record.sh [CASE...]
# then regenerate and review the expected output:
#   UPDATE=1 bash tests/e2e/pcap_replay.sh
# Checksum offload is switched off on the veths, so that the captured
# packets carry the checksums the receiver checks (decode.h), except in the
# offload case, which records what tcpdump sees with it on. The capture is
# taken on the gateway's LAN side, where a live daemon would tap.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
need tcpdump curl openssl ethtool editcap chromium nft
HERE=$(cd "$(dirname "$0")" && pwd)
CASES=${*:-"http-keepalive midstream tls-sni ipv6 tls-ech offload decoy-checksum"}

[ "$(id -u)" = 0 ] || { echo "record.sh: needs root (network namespaces)"; exit 1; }
topology_up || exit 1
offload() {   # offload on|off: TCP checksums left to the (virtual) device, or not
	in_cli ethtool -K cli0 tx "$1" >/dev/null
	in_srv ethtool -K srv0 tx "$1" >/dev/null
	in_gw ethtool -K gw-lan gro "$1" tx "$1" >/dev/null
	in_gw ethtool -K gw-wan gro "$1" tx "$1" >/dev/null
}
offload off

# HTTP/1.1 with keep-alive (python's default handler speaks HTTP/1.0 and closes)
mkdir -p "$TMP/www/dir" "$TMP/www/~user"
echo hello > "$TMP/www/index.html"
echo page > "$TMP/www/dir/page"
echo home > "$TMP/www/~user/x"
( cd "$TMP/www" && exec ip netns exec "$NS_SRV" /usr/bin/python3 -c '
import http.server as h, sys
h.SimpleHTTPRequestHandler.protocol_version = "HTTP/1.1"
h.ThreadingHTTPServer.address_family = __import__("socket").AF_INET6
h.ThreadingHTTPServer(("::", int(sys.argv[1])), h.SimpleHTTPRequestHandler).serve_forever()
' 80 >"$TMP/http.log" 2>&1 ) &
PIDS+=($!)
wait_port "$NS_SRV" 80 || { echo "http server did not start"; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=video.example.test -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
# one server per family: s_server's [::] socket takes IPv6 only
for a in "$SRV4:443" "[$SRV6]:443"; do
	spawn "$NS_SRV" openssl s_server -quiet -accept "$a" -cert "$TMP/cert.pem" \
		-key "$TMP/key.pem"
done
wait_port "$NS_SRV" 443 || { echo "tls server did not start"; exit 1; }
sleep 0.3

capture_start() {
	rm -f "$TMP/cap.pcap" "$TMP/tcpdump.err"
	ip netns exec "$NS_GW" tcpdump -Z root --immediate-mode -i gw-lan -U -s 0 -w "$TMP/cap.pcap" \
		'tcp or udp' 2>"$TMP/tcpdump.err" &
	CAPTURE=$!
	PIDS+=($CAPTURE)
	for _ in $(seq 50); do grep -q listening "$TMP/tcpdump.err" && return 0; sleep 0.1; done
	echo "tcpdump did not start"; exit 1
}

capture_stop() {   # capture_stop CASE
	sleep 0.5
	kill -INT "$CAPTURE"
	wait "$CAPTURE" 2>/dev/null
	mkdir -p "$HERE/$1"
	cp "$TMP/cap.pcap" "$HERE/$1/capture.pcap"
	echo "recorded $1: $(stat -c %s "$HERE/$1/capture.pcap") bytes"
}

# curl on one connection: the paths as typed, not cleaned up by curl
keepalive() {
	in_cli curl -s --path-as-is "$@" >/dev/null
}

tls_hello() {   # tls_hello ADDR [s_client options]: a handshake, then close
	local addr=$1; shift
	echo | in_cli timeout 5 openssl s_client -connect "$addr" "$@" >/dev/null 2>&1
}

for c in $CASES; do
	case $c in
	http-keepalive|midstream)
		capture_start
		keepalive -H 'Host: WWW.Example.TEST.' "http://$SRV4/index.html" \
			"http://$SRV4/dir/../dir/./page?x=%41" "http://$SRV4/%7Euser/x" \
			"http://$SRV4/secret/plans"
		keepalive "http://$SRV4/index.html" -H 'Host: ads.tracker.test'
		if [ "$c" = midstream ]; then
			# the same traffic, the capture begins after the first request
			capture_stop midstream-full
			mkdir -p "$HERE/midstream"
			editcap -r "$HERE/midstream-full/capture.pcap" "$HERE/midstream/capture.pcap" 6-1000
			rm -r "$HERE/midstream-full"
		else
			capture_stop "$c"
		fi ;;
	tls-sni)
		capture_start
		tls_hello "$SRV4:443" -servername video.example.test
		tls_hello "$SRV4:443" -servername Docs.Example.TEST
		tls_hello "$SRV4:443" -noservername
		capture_stop "$c" ;;
	tls-ech)
		# Chromium sends the ECH extension as GREASE with the real SNI (and a
		# post-quantum key share: two segments); real ECH outer hellos name
		# a public name (tests/pcap/ech_hello.py); a public name without
		# the extension is no ECH
		capture_start
		in_cli timeout 15 chromium --headless=new --no-sandbox --disable-gpu \
			--ignore-certificate-errors --user-data-dir="$TMP/chromium" \
			--host-resolver-rules="MAP grease.example.test $SRV4" \
			--dump-dom https://grease.example.test/ >/dev/null 2>&1
		in_cli /usr/bin/python3 "$HERE/ech_hello.py" "$SRV4" 443 cloudflare-ech.com
		in_cli /usr/bin/python3 "$HERE/ech_hello.py" "$SRV4" 443 public.ech.example
		tls_hello "$SRV4:443" -servername cloudflare-ech.com
		capture_stop "$c" ;;
	offload)
		# as a capture on a real host or veth is: the client's and server's
		# segments carry checksums never filled in, and the conversation
		# goes on (curl gets its pages)
		offload on
		capture_start
		keepalive -H 'Host: www.example.test' "http://$SRV4/index.html" \
			"http://$SRV4/secret/plans"
		tls_hello "$SRV4:443" -servername video.example.test
		capture_stop "$c"
		offload off ;;
	decoy-checksum)
		# tests/evasion/cases.py: a request with a wrong checksum (the
		# server drops it), then another in its place with a right one
		# (the client's kernel does not know that session: no RSTs from it)
		in_cli nft add table inet record
		in_cli nft add chain inet record out '{ type filter hook output priority 0; }'
		in_cli nft add rule inet record out tcp sport 40000-49999 tcp flags rst drop
		capture_start
		in_cli /usr/bin/python3 "$HERE/../evasion/cases.py" cli0 \
			"$(ip -n "$NS_GW" -br link show gw-lan | awk '{print $3}')" \
			"$CLI4" "$SRV4" "$CLI6" "$SRV6" decoy_bad_checksum >/dev/null
		capture_stop "$c" ;;
	ipv6)
		capture_start
		keepalive -H 'Host: v6.example.test' "http://[$SRV6]/index.html" \
			"http://[$SRV6]/dir/page"
		tls_hello "[$SRV6]:443" -servername video.example.test
		capture_stop "$c" ;;
	*) echo "unknown case $c"; exit 1 ;;
	esac
done
