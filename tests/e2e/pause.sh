#!/usr/bin/env bash
# Internet off end to end: urlctl pause cuts a client off (no ping, no UDP,
# no HTTPS, an open session stops, IPv4 and IPv6 alike), HTTP gets the
# "internet paused" page and one log line with "reason":"paused", its
# neighbour on the same LAN is untouched; the pause outlives a restart
# (--state-dir) and resume restores everything. Then a `block all` window
# opening and closing on time (faketime), and pause --for ending by itself.
source "$(dirname "$0")/lib.sh"
need curl openssl ping socat
topology_up
UE=$BUILD/url-enforcer
SOCK=$TMP/ctl.sock
LOG=$TMP/decisions.log
STATE=$TMP/state
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }

# the neighbour: a second address on the client's link
NB4=10.77.1.3 NB6=fd77:1::3
ip -n "$NS_CLI" addr add $NB4/24 dev cli0
ip -n "$NS_CLI" addr add $NB6/64 dev cli0 nodad

mkdir -p "$TMP/www"
echo hello > "$TMP/www/index.html"
http_server "$NS_SRV" 80
tls_server "$NS_SRV" 443
spawn "$NS_SRV" socat TCP6-LISTEN:9000,fork,reuseaddr EXEC:cat
wait_port "$NS_SRV" 9000
: > "$TMP/udp.log"
spawn "$NS_SRV" socat -u UDP6-RECVFROM:9999,fork OPEN:"$TMP/udp.log",append

cat > "$TMP/p.rules" <<'R'
group kid 10.77.1.2,fd77:1::2
allow domain school.test id=school
R
start() { spawn "$NS_GW" "$UE" -i gw-lan -p "$TMP/p.rules" -s "$SOCK" -l "$LOG" --workers 2 \
	--state-dir "$STATE"; wait_ctl "$NS_GW" "$SOCK"; }
start

pings() { in_cli ping -c 1 -W 1 -I "$1" "$2" >/dev/null 2>&1; }
udp_to_server() { echo "$1" | in_cli socat -u - UDP:$SRV4:9999,bind=$2 2>/dev/null; sleep 0.5; grep -qx "$1" "$TMP/udp.log"; }
https_ok() { (sleep 0.5; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) |
	in_cli timeout 4 openssl s_client -quiet -connect "$1:443" -servername x.test ${2:+-bind $2} \
		2>/dev/null | head -1 | grep -q 'HTTP/1.0 200'; }
http_code() { in_cli curl -s -m 4 -o "$TMP/body" -w '%{http_code}' --interface "$1" "http://$2/index.html"; }

check before_ping pings $CLI4 $SRV4
check before_https https_ok $SRV4
check before_http test "$(http_code $CLI4 $SRV4)" = 200

# an established session, opened before the pause: it must stop
coproc SESS { exec ip netns exec "$NS_CLI" socat -t 30 - TCP:$SRV4:9000,bind=$CLI4; }
PIDS+=("$SESS_PID")
echo one >&"${SESS[1]}"
read -r -t 3 line <&"${SESS[0]}"
check session_open_before test "$line" = one

out=$(CTL pause @kid --for 1h)
check pause_accepted sh -c "echo '$out' | grep -q '^clients *10.77.1.2,fd77:1::2'"
sleep 0.3
check paused_no_ping sh -c "! ip netns exec $NS_CLI ping -c 2 -W 1 -I $CLI4 $SRV4"
check paused_no_ping6 sh -c "! ip netns exec $NS_CLI ping -6 -c 2 -W 1 -I $CLI6 $SRV6"
check paused_no_udp sh -c "! { echo paused-udp | ip netns exec $NS_CLI socat -u - UDP:$SRV4:9999,bind=$CLI4; sleep 0.5; grep -qx paused-udp '$TMP/udp.log'; }"
check paused_no_https sh -c "! { (sleep 0.5; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | ip netns exec $NS_CLI timeout 4 openssl s_client -quiet -connect $SRV4:443 -servername x.test 2>/dev/null | head -1 | grep -q 200; }"
echo two >&"${SESS[1]}"
line=; read -r -t 3 line <&"${SESS[0]}"
check open_session_stops test -z "$line"
# pausing judged the client's open sessions again (a finished request may be
# among them, logged then): count only this request's line
paused_lines() { grep '"client":"10.77.1.2"' "$LOG" | grep -c '"reason":"paused"'; }
before_request=$(paused_lines)
code=$(http_code $CLI4 $SRV4)
check paused_http_page sh -c "[ '$code' = 403 ] && grep -q 'The internet is paused for this device until [0-2][0-9]:[0-5][0-9]' '$TMP/body'"
code6=$(in_cli curl -s -m 4 -o "$TMP/body6" -w "%{http_code}" --interface $CLI6 "http://[$SRV6]/index.html")
check paused_http_page_v6 sh -c "[ '$code6' = 403 ] && grep -q 'Internet paused' '$TMP/body6'"
# the decision log is written from a queue: wait for the line, then count
for _ in $(seq 50); do [ "$(paused_lines)" -gt "$before_request" ] && break; sleep 0.1; done
sleep 0.5
check paused_logged_once sh -c "test $(paused_lines) = $((before_request + 1)) &&
	grep '\"reason\":\"paused\"' '$LOG' | grep '\"client\":\"10.77.1.2\"' | tail -1 | grep -q '\"target\":\"/index.html\",\"action\":\"block\",\"rule\":null,\"rule_id\":null,\"response\":\"page\",\"enforced\":true'"
check server_never_saw_paused_request sh -c "test \$(grep -c '10.77.1.2' '$TMP/access-80.log') = 1"   # the request before the pause only
# the neighbour on the same link is untouched
check neighbour_pings pings $NB4 $SRV4
check neighbour_ping6 in_cli ping -6 -c 1 -W 1 -I $NB6 $SRV6
check neighbour_udp udp_to_server neighbour-udp $NB4
check neighbour_https https_ok $SRV4 $NB4
check neighbour_http test "$(http_code $NB4 $SRV4)" = 200
# listings
check paused_json sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' paused --json | python3 -c '
import json,sys,time
r=json.load(sys.stdin); assert len(r)==1, r; p=r[0]
assert p[\"target\"]==\"@kid\" and p[\"by\"]==\"pause\" and p[\"clients\"]==\"10.77.1.2,fd77:1::2\", p
assert 3500 < p[\"until\"]-time.time() <= 3600 and p[\"rule_id\"] is None, p'"
check status_shows_pause sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' status | grep -q '^pauses *1$'"

# a restart keeps the pause
stop_daemon "$STATE"
start
check restart_keeps_pause sh -c "! ip netns exec $NS_CLI ping -c 2 -W 1 -I $CLI4 $SRV4"
check restart_keeps_listing sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' paused | grep -q '^@kid'"

# resume restores all
out=$(CTL resume all)
check resume_counts sh -c "echo '$out' | grep -q '^resumed *1$'"
check resumed_ping pings $CLI4 $SRV4
check resumed_ping6 in_cli ping -6 -c 1 -W 1 -I $CLI6 $SRV6
check resumed_udp udp_to_server resumed-udp $CLI4
check resumed_https https_ok $SRV4
check resumed_http test "$(http_code $CLI4 $SRV4)" = 200
check resume_saved sh -c "test ! -s '$STATE/pauses'"

# bad input: clear errors, nothing changes
out=$(CTL pause @nobody 2>&1); rc=$?
check pause_unknown_group sh -c "[ $rc = 2 ] && echo '$out' | grep -q 'no group \"nobody\"'"
out=$(CTL pause 10.77.1.2 --for soon 2>&1); rc=$?
check pause_bad_duration sh -c "[ $rc = 2 ] && echo '$out' | grep -q 'duration'"

# pause --for ends by itself
CTL pause $CLI4 --for 3s >/dev/null
check short_pause_starts sh -c "! ip netns exec $NS_CLI ping -c 1 -W 1 -I $CLI4 $SRV4"
sleep 4
check short_pause_ends pings $CLI4 $SRV4
stop_daemon "$STATE"

# a `block all` window opens and closes on time (faketime, 1 s a second)
if ldd "$UE" | grep -q libasan; then
	skip block_all_window "faketime cannot preload into a sanitizer build"
else
	cat > "$TMP/w.rules" <<'R'
group kid 10.77.1.2,fd77:1::2
block all client=@kid time=mon@21:00-21:01 response=page id=bedtime
R
	spawn "$NS_GW" env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '@2026-11-23 20:59:56' \
		"$UE" -i gw-lan -p "$TMP/w.rules" -s "$SOCK" -l "$TMP/w.log" --state-dir "$TMP/wstate"
	wait_ctl "$NS_GW" "$SOCK"
	check window_before_open pings $CLI4 $SRV4
	sleep 6
	check window_open_no_ping sh -c "! ip netns exec $NS_CLI ping -c 2 -W 1 -I $CLI4 $SRV4"
	code=$(http_code $CLI4 $SRV4)
	check window_open_page sh -c "[ '$code' = 403 ] && grep -q 'paused for this device until 21:01' '$TMP/body'"
	check window_listed sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' paused | grep -q 'rule *bedtime'"
	check window_neighbour pings $NB4 $SRV4
	sleep 58
	check window_closed_ping pings $CLI4 $SRV4
	check window_closed_http test "$(http_code $CLI4 $SRV4)" = 200
	sleep 0.5
	check window_logged sh -c "grep '\"reason\":\"paused\"' '$TMP/w.log' | grep -q '\"rule_id\":\"bedtime\",\"response\":\"page\"'"
fi
exit $FAILED
