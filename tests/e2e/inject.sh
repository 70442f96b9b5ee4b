#!/usr/bin/env bash
# Block responses on live sessions: a real curl asks a server that holds the
# request unanswered; the session's position is read from a capture of the
# request, inject_tool sends `reset` or `page`, and the client must fail at
# once (curl 56) or get the 403 page naming the rule, while the server's
# socket sees the RST. Both placements, both families:
#   gateway: inject_tool on the gateway, client and server are other hosts;
#   nat-gateway: the same gateway masquerading the client: the RST to the
#            server must take the session's NAT mapping;
#   host:    inject_tool in the client's namespace, the client a local socket.
# inject_tool first blocks the session with the real TC blocklist on the
# tapped interface (gw-lan, cli0), as the daemon does: the injected packets
# must pass it by their mark, and its counter must show that they did.
. "$(dirname "$0")/lib.sh"

TOOL=$BUILD/tests/inject_tool
PORT=8080
RULE_ID='games<&>'

need curl tcpdump nft
[ -x "$TOOL" ] || { fail setup "$TOOL not built"; exit 1; }
topology_up || { fail setup "topology"; exit 1; }
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/hold_server.py" $PORT "$TMP/server.log"
wait_port "$NS_SRV" $PORT || { fail setup "hold server did not start"; exit 1; }

# masquerade on|off: the gateway's source NAT towards the server
masquerade() {
	if [ "$1" = on ]; then
		in_gw nft -f - <<-EOF
		table inet ue_test_nat {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "gw-wan" masquerade
			}
		}
		EOF
	else
		in_gw nft delete table inet ue_test_nat
	fi
}

# one_case NAME PLACEMENT(gateway|nat-gateway|host) FAMILY(4|6) RESPONSE(reset|page)
one_case() {
	local name=$1 placement=$2 family=$3 response=$4
	local ns iface server url filter line re cport seq end ack rc code seen_from
	case $placement in
	host) ns=$NS_CLI iface=cli0 ;;
	*) ns=$NS_GW iface=gw-lan ;;
	esac
	if [ "$family" = 4 ]; then
		server=$SRV4 url="http://$SRV4:$PORT/$name" seen_from=::ffff:$CLI4
		filter="ip and tcp dst port $PORT and tcp[tcpflags] & tcp-push != 0"
	else
		server=$SRV6 url="http://[$SRV6]:$PORT/$name" seen_from=$CLI6
		filter="ip6 and ip6[6] = 6 and tcp dst port $PORT and ip6[53] & 8 != 0"
	fi
	if [ "$placement" = nat-gateway ]; then
		seen_from=::ffff:$GW_WAN4
		[ "$family" = 6 ] && seen_from=$GW_WAN6
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

	ip netns exec "$ns" "$TOOL" "$response" "$client_addr" "$cport" "$server" $PORT \
		"$seq" $((end - seq)) "$ack" "$RULE_ID" "block=$iface" >"$TMP/$name.tool" 2>&1 &
	local tool=$!
	PIDS+=($tool)
	for _ in $(seq 100); do
		grep -qs '^sent$' "$TMP/$name.tool" && break
		kill -0 $tool 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -qs '^sent$' "$TMP/$name.tool"; then
		kill $client $tool 2>/dev/null; wait $client
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
	[ -n "$why" ] || [ "$outcome" = "reset $seen_from" ] ||
		why="server saw '${outcome:-nothing}', expected 'reset $seen_from'"
	# one packet of the two crosses the tapped interface: the one to the
	# client on the gateway (gw-lan), the RST to the server on the host (cli0)
	kill -TERM $tool
	wait $tool
	local injected
	injected=$(sed -n 's/^injected //p' "$TMP/$name.tool")
	[ -n "$why" ] || [ "$injected" = 1 ] ||
		why="TC let ${injected:-?} marked packets through, expected 1: $(cat "$TMP/$name.tool")"
	if [ -z "$why" ]; then ok "$name"; else fail "$name" "$why"; fi
}

for placement in gateway nat-gateway host; do
	[ $placement = nat-gateway ] && { masquerade on || fail setup "nft masquerade"; }
	for family in 4 6; do
		for response in reset page; do
			one_case "$placement-ipv$family-$response" $placement $family $response
		done
	done
	[ $placement = nat-gateway ] && masquerade off
done
exit $FAILED
