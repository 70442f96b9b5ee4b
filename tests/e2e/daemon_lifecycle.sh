#!/usr/bin/env bash
# The daemon's life: refusals at start, SIGHUP, SIGUSR1, the single-host
# placement, time windows (under faketime) that block a session already
# open, groups, and blocks that end with their conntrack entry.
source "$(dirname "$0")/lib.sh"
need curl faketime conntrack nft
topology_up
UE=$BUILD/url-enforcer
CTL() { in_gw "$BUILD/urlctl" -s "$TMP/ctl.sock" "$@"; }

http_server "$NS_SRV" 80
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/hold_server.py" 8000 "$TMP/hold.log"
wait_port "$NS_SRV" 8000

# --- refusals: one clear line, exit 1
echo 'block path ^/x' > "$TMP/ok.rules"
out=$(in_gw "$UE" -i nosuch0 -p "$TMP/ok.rules" -s "$TMP/r.sock" 2>&1); rc=$?
check refuse_missing_interface sh -c "[ $rc = 1 ] && echo '$out' | grep -q 'nosuch0: no such interface'"
printf 'block path ^/x\nblock url (bad\n' > "$TMP/bad.rules"
out=$(in_gw "$UE" -i gw-lan -p "$TMP/bad.rules" -s "$TMP/r.sock" 2>&1); rc=$?
check refuse_invalid_rules sh -c "[ $rc = 1 ] && echo '$out' | grep -q 'bad.rules:2:[0-9]*: error'"

cat > "$TMP/main.rules" <<'R'
block path ^/first response=reset id=first
R
spawn "$NS_GW" "$UE" -i gw-lan -p "$TMP/main.rules" -s "$TMP/ctl.sock" -l "$TMP/d.log"
wait_ctl "$NS_GW" "$TMP/ctl.sock"
out=$(in_gw "$UE" -i gw-lan -p "$TMP/ok.rules" -s "$TMP/other.sock" 2>&1); rc=$?
check refuse_second_instance sh -c "[ $rc = 1 ] && echo '$out' | grep -q 'already serves this interface'"
check one_filter_after_refusal test "$(in_gw tc filter show dev gw-lan ingress | grep -c blk_ingress)" = 1
dpid=$(daemon_pid "d.log")

# --- SIGHUP re-reads the file; an invalid file keeps the policy in force
echo 'block path ^/second response=reset id=second' >> "$TMP/main.rules"
kill -HUP "$dpid"; sleep 0.5
check sighup_reloads sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$TMP/ctl.sock' test http://h/second | grep -q second"
echo 'block url (broken' >> "$TMP/main.rules"
kill -HUP "$dpid"; sleep 0.5
check sighup_invalid_keeps_policy sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$TMP/ctl.sock' test http://h/second | grep -q second"
check sighup_invalid_counted sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$TMP/ctl.sock' stats --json | grep -q '\"policy_reload_failures_total\": 1'"

# --- SIGUSR1 reopens the decision log (logrotate's move, then a signal)
in_cli curl -s -m 3 "http://$SRV4:8000/first" >/dev/null
mv "$TMP/d.log" "$TMP/d.log.1"
kill -USR1 "$dpid"; sleep 0.3
in_cli curl -s -m 3 "http://$SRV4:8000/second" >/dev/null; sleep 0.3
check sigusr1_reopens sh -c "grep -q '\"rule_id\":\"first\"' '$TMP/d.log.1' && grep -q '\"rule_id\":\"second\"' '$TMP/d.log'"

# --- a block ends with its session: conntrack DESTROY removes the entry
in_gw nft add table inet uetest
in_gw nft add chain inet uetest ctchain '{ type filter hook forward priority 0; }'
in_gw nft add rule inet uetest ctchain ct state established,related accept
in_cli curl -s -m 3 "http://$SRV4:8000/first?ct" >/dev/null
sleep 0.3
n_before=$(CTL blocks --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
in_gw conntrack -D -p tcp --dport 8000 >/dev/null 2>&1
sleep 0.5
n_after=$(CTL blocks --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check conntrack_end_removes_block sh -c "[ '$n_before' -ge 1 ] && [ '$n_after' -lt '$n_before' ] &&
	ip netns exec $NS_GW '$BUILD/urlctl' -s '$TMP/ctl.sock' stats --json | grep -q '\"blocks_ended_total\": [1-9]'"
stop_daemon d.log

# --- time windows and groups, on a fake Monday evening; the session opened
#     before the window must be blocked when it opens
cat > "$TMP/time.rules" <<'R'
group kids 10.77.1.0/28
group others 10.99.0.0/16
block path ^/now client=@kids time=mon@21:00-22:00 response=reset id=evening
block path ^/now client=@others response=reset id=not-us
block path ^/video client=@kids time=mon@22:00-23:00 response=reset id=bedtime
block path ^/tuesday time=tue@* response=reset id=tuesday
R
# libfaketime cannot be preloaded into an ASan build (make SAN=1)
if ldd "$UE" | grep -q libasan; then
	for t in time_window_open_blocks group_rule_for_others_not_used \
		time_window_closed_allows bedtime_stops_open_session; do
		skip "$t" "faketime cannot preload into a sanitizer build"
	done
else
	: > "$TMP/hold.log"
	spawn "$NS_GW" env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '@2026-11-23 21:59:53' \
		"$UE" -i gw-lan -p "$TMP/time.rules" -s "$TMP/ctl.sock" -l "$TMP/t.log"
	wait_ctl "$NS_GW" "$TMP/ctl.sock"
	in_cli curl -s -m 3 "http://$SRV4:8000/now" >/dev/null; rc=$?
	check time_window_open_blocks test "$rc" = 56
	check group_rule_for_others_not_used sh -c "grep '\"target\":\"/now\"' '$TMP/t.log' | grep -q '\"rule_id\":\"evening\"'"
	in_cli curl -s -m 3 "http://$SRV4/tuesday" >/dev/null; rc=$?
	check time_window_closed_allows test "$rc" = 0
	in_cli curl -s -m 15 "http://$SRV4:8000/video" >/dev/null 2>&1; rc=$?
	sleep 0.5
	check bedtime_stops_open_session sh -c "[ $rc = 56 ] && grep '\"target\":\"/video\"' '$TMP/t.log' | grep -q '\"rule_id\":\"bedtime\"'"
	stop_daemon t.log
fi

# --- single host: the client enforces on its own uplink
echo 'block path ^/first response=reset id=first' > "$TMP/host.rules"
spawn "$NS_CLI" "$UE" -i cli0 -p "$TMP/host.rules" -s "$TMP/host.sock" -l "$TMP/h.log"
wait_ctl "$NS_CLI" "$TMP/host.sock"
in_cli curl -s -m 3 "http://$SRV4:8000/first" >/dev/null; rc=$?
check host_placement_reset test "$rc" = 56
out=$(in_cli curl -s -m 3 "http://$SRV4/index.html" 2>&1); rc=$?
check host_placement_allows test "$rc" != 56
check host_placement_logged grep -q '"client":"10.77.1.2".*"rule_id":"first".*"enforced":true' "$TMP/h.log"
stop_daemon host.sock

# --- block quic: the client's UDP to 443 is dropped, other UDP is not
cat > "$TMP/quic.rules" <<'R'
group kids 10.77.1.0/28
block quic client=@kids
R
udp_sink() { spawn "$NS_SRV" /usr/bin/python3 -c "
import socket,sys
s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM); s.bind(('::',int(sys.argv[1])))
f=open(sys.argv[2],'a')
while True:
    d,a=s.recvfrom(2048); f.write('got\\n'); f.flush()" "$1" "$TMP/udp-$1.log"; }
udp_sink 443; udp_sink 5353; sleep 0.5
udp_send() { in_cli /usr/bin/python3 -c "
import socket,sys
s=socket.socket(); s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for _ in range(5): s.sendto(b'q'*1200,(sys.argv[1],int(sys.argv[2])))" "$SRV4" "$1"; }
spawn "$NS_GW" "$UE" -i gw-lan -p "$TMP/quic.rules" -s "$TMP/ctl.sock" -l "$TMP/q.log"
wait_ctl "$NS_GW" "$TMP/ctl.sock"
udp_send 443; udp_send 5353; sleep 0.5
check quic_dropped sh -c "[ ! -s '$TMP/udp-443.log' ]"
check other_udp_passes grep -q got "$TMP/udp-5353.log"
check quic_drops_counted sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$TMP/ctl.sock' stats --json | grep -q '\"quic_drops_total\": 5'"
stop_daemon q.log

# --- fail closed: after kill -9, new sessions to tapped ports are refused,
#     existing blocks keep dropping; a restarted daemon lets them in again
spawn "$NS_GW" "$UE" -i gw-lan -p "$TMP/host.rules" -s "$TMP/ctl.sock" -l "$TMP/f.log" --fail closed
wait_ctl "$NS_GW" "$TMP/ctl.sock"
out=$(in_cli curl -s -m 3 "http://$SRV4/index.html"); rc=$?
check fail_closed_running_allows test "$rc" = 0
stop_daemon f.log 9; sleep 4
in_cli curl -s -m 3 "http://$SRV4/index.html" >/dev/null; rc=$?
check fail_closed_refuses_without_daemon test "$rc" = 28
spawn "$NS_GW" "$UE" -i gw-lan -p "$TMP/host.rules" -s "$TMP/ctl.sock" -l "$TMP/f2.log" --fail closed
wait_ctl "$NS_GW" "$TMP/ctl.sock"
in_cli curl -s -m 3 "http://$SRV4/index.html" >/dev/null; rc=$?
check fail_closed_restart_allows test "$rc" = 0
check restart_one_filter test "$(in_gw tc filter show dev gw-lan ingress | grep -c blk_ingress)" = 1
exit 0
