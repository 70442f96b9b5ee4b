#!/usr/bin/env bash
# Block responses on live sessions: a real curl asks a server that holds the
# request unanswered; the session's position is read from a capture of the
# request, inject_tool sends `reset` or `page`, and the client must fail at
# once (curl 56) or get the 403 page naming the rule, while the server's
# socket sees the RST. Both placements, both families:
#   gateway: inject_tool on the gateway, client and server are other hosts;
#   host:    inject_tool in the client's namespace, the client a local socket.
# nft rules stand in for the TC blocklist: they drop the session on the
# tapped interface except packets marked UE_INJECT_MARK, as the TC program does.
. "$(dirname "$0")/lib.sh"

TOOL=$BUILD/tests/inject_tool
PORT=8080
RULE_ID='games<&>'
MARK=0x75656e66

need curl tcpdump nft
[ -x "$TOOL" ] || { fail setup "$TOOL not built"; exit 1; }
topology_up || { fail setup "topology"; exit 1; }
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/hold_server.py" $PORT "$TMP/server.log"
wait_port "$NS_SRV" $PORT || { fail setup "hold server did not start"; exit 1; }

# block_session NS IFACE CPORT: drop the session on IFACE, unmarked packets only
block_session() {
	ip netns exec "$1" nft -f - <<-EOF
	table inet ue_test_block
	delete table inet ue_test_block
	table inet ue_test_block {
		counter injected { }
		chain pre {
			type filter hook prerouting priority 0;
			iifname "$2" tcp sport { $3, $PORT } tcp dport { $3, $PORT } drop
		}
		chain post {
			type filter hook postrouting priority 0;
			meta mark $MARK counter name injected
			oifname "$2" meta mark != $MARK tcp sport { $3, $PORT } tcp dport { $3, $PORT } drop
		}
	}
	EOF
}

# injected_count NS: packets the nft counter saw leave with the mark
injected_count() {
	ip netns exec "$1" nft list counter inet ue_test_block injected | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# one_case NAME PLACEMENT(gateway|host) FAMILY(4|6) RESPONSE(reset|page)
one_case() {
	local name=$1 placement=$2 family=$3 response=$4
	local ns iface server url filter line re cport seq end ack rc code
	if [ "$placement" = gateway ]; then ns=$NS_GW iface=gw-lan; else ns=$NS_CLI iface=cli0; fi
	if [ "$family" = 4 ]; then
		server=$SRV4 url="http://$SRV4:$PORT/$name"
		filter="ip and tcp dst port $PORT and tcp[tcpflags] & tcp-push != 0"
	else
		server=$SRV6 url="http://[$SRV6]:$PORT/$name"
		filter="ip6 and ip6[6] = 6 and tcp dst port $PORT and ip6[53] & 8 != 0"
	fi

	# the client's request segment, with absolute sequence numbers
	ip netns exec "$ns" timeout 20 tcpdump -i "$iface" -S -n -l -c1 "$filter" \
		>"$TMP/$name.cap" 2>"$TMP/$name.caperr" &
	local capture=$!
	for _ in $(seq 50); do grep -qs listening "$TMP/$name.caperr" && break; sleep 0.1; done
	in_cli curl -sS -o "$TMP/$name.body" -w '%{http_code}' --max-time 15 "$url" \
		>"$TMP/$name.code" 2>"$TMP/$name.err" &
	local client=$!
	wait $capture
	line=$(head -1 "$TMP/$name.cap")
	re='\.([0-9]+) > [^ ]+: Flags \[[^]]*\], seq ([0-9]+):([0-9]+), ack ([0-9]+)'
	if ! [[ $line =~ $re ]]; then
		kill $client 2>/dev/null; wait $client
		fail "$name" "no request captured: $line $(cat "$TMP/$name.caperr")"
		return
	fi
	cport=${BASH_REMATCH[1]} seq=${BASH_REMATCH[2]} end=${BASH_REMATCH[3]} ack=${BASH_REMATCH[4]}
	local client_addr=$CLI4
	[ "$family" = 6 ] && client_addr=$CLI6

	block_session "$ns" "$iface" "$cport"
	if ! ip netns exec "$ns" "$TOOL" "$response" "$client_addr" "$cport" "$server" $PORT \
		"$seq" $((end - seq)) "$ack" "$RULE_ID" 2>"$TMP/$name.tool"; then
		kill $client 2>/dev/null; wait $client
		fail "$name" "inject_tool: $(cat "$TMP/$name.tool")"
		return
	fi
	wait $client
	rc=$?
	code=$(cat "$TMP/$name.code")

	local why=""
	if [ "$response" = reset ]; then
		[ $rc = 56 ] || why="curl exit $rc, expected 56 (reset): $(cat "$TMP/$name.err")"
	elif [ $rc != 0 ] || [ "$code" != 403 ]; then
		why="curl exit $rc, status $code, expected 0 and 403: $(cat "$TMP/$name.err")"
	elif ! grep -qF '<b>games&lt;&amp;&gt;</b>' "$TMP/$name.body"; then
		why="page without the escaped rule id: $(head -c 300 "$TMP/$name.body")"
	fi
	# the server's handler reports what ended its connection
	for _ in $(seq 50); do grep -q "^$cport " "$TMP/server.log" 2>/dev/null && break; sleep 0.1; done
	local outcome
	outcome=$(sed -n "s/^$cport //p" "$TMP/server.log" 2>/dev/null)
	[ -n "$why" ] || [ "$outcome" = reset ] || why="server saw '${outcome:-nothing}', expected reset"
	local marked
	marked=$(injected_count "$ns")
	[ -n "$why" ] || [ "$marked" = 2 ] || why="$marked packets left marked, expected 2"
	if [ -z "$why" ]; then ok "$name"; else fail "$name" "$why"; fi
}

for placement in gateway host; do
	for family in 4 6; do
		for response in reset page; do
			one_case "$placement-ipv$family-$response" $placement $family $response
		done
	done
done
exit $FAILED
