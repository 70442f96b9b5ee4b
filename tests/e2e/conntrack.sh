#!/usr/bin/env bash
# Session ends from conntrack: the gateway tracks forwarded traffic (an nft
# rule with `ct state`), conntrack_tool listens for DESTROY events there, a
# real curl session goes through, its entry is deleted with `conntrack -D`,
# and the tool must report that session's original tuple. Where conntrack
# sends no events, the tool must say "unavailable" (the daemon's cue to fall
# back to the idle sweep).
. "$(dirname "$0")/lib.sh"

TOOL=$BUILD/tests/conntrack_tool
PORT=8080

need curl nft conntrack
[ -x "$TOOL" ] || { fail setup "$TOOL not built"; exit 1; }
topology_up || { fail setup "topology"; exit 1; }
in_gw nft -f - <<EOF || { fail setup "nft ruleset"; exit 1; }
table inet ue_test_track {
	chain forward {
		type filter hook forward priority 0;
		ct state new,established,related counter accept
	}
}
EOF
http_server "$NS_SRV" $PORT || { fail setup "http server did not start"; exit 1; }
echo hello >"$TMP/www/index.html"

ip netns exec "$NS_GW" "$TOOL" >"$TMP/ends.log" 2>"$TMP/tool.err" &
PIDS+=($!)
for _ in $(seq 50); do grep -qs . "$TMP/ends.log" && break; sleep 0.1; done
if ! grep -q '^ready$' "$TMP/ends.log"; then
	fail setup "conntrack_tool: $(cat "$TMP/ends.log" "$TMP/tool.err")"
	exit 1
fi

# ended_session NAME CLIENT SERVER URL: one session through, its entry deleted
ended_session() {
	local name=$1 client=$2 server=$3 url=$4 cport want
	cport=$(in_cli curl -sS -o /dev/null -w '%{local_port}' --max-time 10 "$url") ||
		{ fail "$name" "curl failed"; return; }
	if ! in_gw conntrack -D -p tcp -s "$client" -d "$server" --sport "$cport" --dport $PORT \
		>/dev/null 2>"$TMP/$name.err"; then
		fail "$name" "conntrack -D: $(cat "$TMP/$name.err")"
		return
	fi
	want="$client $cport $server $PORT"
	for _ in $(seq 50); do grep -qxF "$want" "$TMP/ends.log" && break; sleep 0.1; done
	if grep -qxF "$want" "$TMP/ends.log"; then ok "$name"
	else fail "$name" "expected '$want', got: $(tail -n +2 "$TMP/ends.log" | tr '\n' ';')"; fi
}

ended_session ipv4-destroy $CLI4 $SRV4 "http://$SRV4:$PORT/"
ended_session ipv6-destroy $CLI6 $SRV6 "http://[$SRV6]:$PORT/"

# conntrack with events switched off: unavailable, not silently deaf
NS_OFF="ue${ID}noev"
ip netns add "$NS_OFF" && NAMESPACES+=("$NS_OFF")
if ! ip netns exec "$NS_OFF" sysctl -qw net.netfilter.nf_conntrack_events=0 2>/dev/null; then
	skip events-off "cannot switch conntrack events off in a namespace"
else
	out=$(ip netns exec "$NS_OFF" "$TOOL" 2>&1); rc=$?
	if [ $rc = 3 ] && [[ $out == unavailable:* ]]; then ok events-off
	else fail events-off "exit $rc: $out"; fi
fi
exit $FAILED
