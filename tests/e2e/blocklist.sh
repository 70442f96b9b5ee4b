#!/usr/bin/env bash
# The kernel blocklist on live sessions: blk_tool (tests/tools/blk_tool.c,
# the daemon's loader) attaches the TC programs at the gateway's LAN side;
# two sessions per family run between the same client and server, each side
# sending a line every 0.1 s. Blocking one session must stop it both ways
# while its neighbour carries on; unblocking lets it resume. Then: detach
# leaves no filter and no clsact of ours, and a crashed tool's filters are
# cleared by the next start.
. "$(dirname "$0")/lib.sh"

TOOL=$BUILD/tests/blk_tool
PORT=9000
A4=41001 B4=41002 A6=41003 B6=41004

need /usr/bin/python3 tc
[ -x "$TOOL" ] || { fail setup "$TOOL not built"; exit 1; }
topology_up || { fail setup "topology"; exit 1; }
pins_before=$(ls /sys/fs/bpf 2>/dev/null | sort)

# count FILE: the number a chatter side recorded (0 if none yet)
count() { cat "$TMP/$1" 2>/dev/null || echo 0; }

# snapshot: "client-received server-received" of every session
snapshot() {
	local p
	for p in $A4 $B4 $A6 $B6; do echo "$p $(count client-$p) $(count server-$p)"; done
}

# our_filters: our TC filters on gw-lan as tc lists them
our_filters() { in_gw tc filter show dev gw-lan ingress; in_gw tc filter show dev gw-lan egress; }

# wait_talking PORT...: until each session has exchanged lines both ways (10 s at most)
wait_talking() {
	local p
	for p in "$@"; do
		for _ in $(seq 100); do
			[ "$(count client-$p)" -ge 3 ] && [ "$(count server-$p)" -ge 3 ] && break
			sleep 0.1
		done
		[ "$(count client-$p)" -ge 3 ] && [ "$(count server-$p)" -ge 3 ] || return 1
	done
}

spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" server $PORT "$TMP"
wait_port "$NS_SRV" $PORT || { fail setup "chatter server did not start"; exit 1; }
blk_tool_start -s 1024 gw-lan || { fail setup "blk_tool: $(cat "$TMP/blk.err")"; exit 1; }
check attach-lists-filters sh -c "ip netns exec $NS_GW tc filter show dev gw-lan ingress | grep -q blk_ingress && ip netns exec $NS_GW tc filter show dev gw-lan egress | grep -q blk_egress"

spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" client $SRV4 $PORT $A4 "$TMP/client-$A4"
spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" client $SRV4 $PORT $B4 "$TMP/client-$B4"
spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" client $SRV6 $PORT $A6 "$TMP/client-$A6"
spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/chatter.py" client $SRV6 $PORT $B6 "$TMP/client-$B6"
wait_talking $A4 $B4 $A6 $B6 || { fail setup "sessions did not start talking: $(snapshot | tr '\n' ' ')"; exit 1; }

r4=$(blk_tool block $CLI4 $A4 $SRV4 $PORT)
r6=$(blk_tool block $CLI6 $A6 $SRV6 $PORT)
[ "$r4 $r6" = "ok ok" ] && ok block-command || fail block-command "replies: $r4 / $r6"

sleep 0.5          # what was in flight when the block landed arrives
before=$(snapshot)
sleep 1.5
after=$(snapshot)
while read -r port c1 s1 && read -r _ c2 s2 <&3; do
	case $port in
	$A4|$A6)
		[ "$c1" = "$c2" ] && [ "$s1" = "$s2" ] && ok "blocked-$port-both-ways" ||
			fail "blocked-$port-both-ways" "client got $c1 -> $c2, server got $s1 -> $s2"
		;;
	*)
		[ "$c2" -gt "$c1" ] && [ "$s2" -gt "$s1" ] && ok "neighbour-$port-carries-on" ||
			fail "neighbour-$port-carries-on" "client got $c1 -> $c2, server got $s1 -> $s2"
		;;
	esac
done <<<"$before" 3<<<"$after"

counters=$(blk_tool counters)
drop_in=$(sed -n 's/.*drop_ingress=\([0-9]*\).*/\1/p' <<<"$counters")
drop_out=$(sed -n 's/.*drop_egress=\([0-9]*\).*/\1/p' <<<"$counters")
[ "${drop_in:-0}" -gt 0 ] && [ "${drop_out:-0}" -gt 0 ] && ok drops-counted-both-hooks ||
	fail drops-counted-both-hooks "$counters"

echo list >&"${BLK[1]}"
listing=""
while read -r -t 5 line <&"${BLK[0]}" && [ "$line" != end ]; do listing+="$line"$'\n'; done
grep -q "^$CLI4 $A4 $SRV4 $PORT drops=[1-9]" <<<"$listing" &&
	grep -q "^$CLI6 $A6 $SRV6 $PORT drops=[1-9]" <<<"$listing" &&
	[ "$(grep -c . <<<"$listing")" = 2 ] && ok list-names-client-and-server ||
	fail list-names-client-and-server "$(tr '\n' ';' <<<"$listing")"

# unblocked, the session resumes once TCP retransmits (backoff: a few s)
r=$(blk_tool unblock $CLI4 $A4 $SRV4 $PORT)
c1=$(count client-$A4) s1=$(count server-$A4)
for _ in $(seq 100); do
	[ "$(count client-$A4)" -gt "$c1" ] && [ "$(count server-$A4)" -gt "$s1" ] && break
	sleep 0.1
done
[ "$r" = ok ] && [ "$(count client-$A4)" -gt "$c1" ] && [ "$(count server-$A4)" -gt "$s1" ] &&
	ok unblock-resumes || fail unblock-resumes "reply $r; counts $c1/$s1 -> $(count client-$A4)/$(count server-$A4)"

blk_tool quit >/dev/null
wait "$BLK_TOOL_PID" 2>/dev/null
left=$(our_filters)
[ -z "$left" ] && ok detach-leaves-no-filter || fail detach-leaves-no-filter "$left"
in_gw tc qdisc show dev gw-lan | grep -q clsact && fail detach-removes-own-clsact "$(in_gw tc qdisc show dev gw-lan)" ||
	ok detach-removes-own-clsact

# a crashed tool: its filters stay in the kernel until the next start
blk_tool_start -s 1024 gw-lan || { fail setup "blk_tool restart: $(cat "$TMP/blk.err")"; exit 1; }
kill -9 "$BLK_TOOL_PID"; wait "$BLK_TOOL_PID" 2>/dev/null
our_filters | grep -q blk_ && ok crash-leaves-filters || fail crash-leaves-filters "none left?"
: >"$TMP/blk.err"
blk_tool_start -s 1024 gw-lan || { fail setup "blk_tool after crash: $(cat "$TMP/blk.err")"; exit 1; }
grep -q "removed 2 stale filters" "$TMP/blk.err" && ok restart-removes-stale ||
	fail restart-removes-stale "$(cat "$TMP/blk.err")"
blk_tool quit >/dev/null
wait "$BLK_TOOL_PID" 2>/dev/null
left=$(our_filters)
[ -z "$left" ] && ok no-filter-after-restart-and-detach || fail no-filter-after-restart-and-detach "$left"

pins_after=$(ls /sys/fs/bpf 2>/dev/null | sort)
[ "$pins_before" = "$pins_after" ] && ok no-pins || fail no-pins "new in /sys/fs/bpf: $(comm -13 <(echo "$pins_before") <(echo "$pins_after") | tr '\n' ' ')"
exit $FAILED
