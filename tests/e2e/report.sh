#!/usr/bin/env bash
# urlctl report end to end: every judged request counted exactly (logged or
# not), per client, with its top sites allowed and blocked and its hours;
# --client and --since; the counters outlive a restart (--state-dir).
source "$(dirname "$0")/lib.sh"
need curl openssl python3
topology_up
SOCK=$TMP/ctl.sock
STATE=$TMP/state
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
NB4=10.77.1.3
ip -n "$NS_CLI" addr add $NB4/24 dev cli0

mkdir -p "$TMP/www"
echo hello > "$TMP/www/index.html"
http_server "$NS_SRV" 80
tls_server "$NS_SRV" 443
echo 'block domain bad.test response=reset id=bad' > "$TMP/r.rules"
# --hold: a blocked request never reaches the server, nothing races the reset
start() { spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -p "$TMP/r.rules" -s "$SOCK" \
	-l "$TMP/d.log" --workers 2 --hold --state-dir "$STATE"; wait_ctl "$NS_GW" "$SOCK"; }
start

get() { in_cli curl -s -m 4 -o /dev/null --interface "$1" -H "Host: $2" "http://$SRV4/index.html"; }
tls() { (sleep 0.3; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 0.5) |
	in_cli timeout 4 openssl s_client -quiet -connect "$SRV4:443" -servername "$1" >/dev/null 2>&1; }
for _ in 1 2 3 4 5; do get $CLI4 good.test; done
for _ in 1 2 3; do get $CLI4 other.test; done
for _ in 1 2; do get $CLI4 www.bad.test; done
for _ in 1 2; do tls tls.test; done
get $NB4 good.test
sleep 0.5

# report_is CLIENT_FILTER EXPECTED_PYTHON: urlctl report --json checked by a python assertion
report_is() {
	local args=$1 expr=$2
	ip netns exec "$NS_GW" "$BUILD/urlctl" -s "$SOCK" report --json $args | python3 -c "
import json,sys
r={c['client']: c for c in json.load(sys.stdin)}
def sites(c, which): return {s['host']: s['count'] for s in r[c]['top_' + which]}
def hours(c): return sum(h['requests'] for h in r[c]['hours']), sum(h['blocks'] for h in r[c]['hours'])
assert $expr, r"
}
EXPECT="set(r) == {'10.77.1.2', '10.77.1.3'} and r['10.77.1.2']['requests'] == 12 and r['10.77.1.2']['blocks'] == 2 \
and sites('10.77.1.2', 'allowed') == {'good.test': 5, 'other.test': 3, 'tls.test': 2} \
and sites('10.77.1.2', 'blocked') == {'www.bad.test': 2} and hours('10.77.1.2') == (12, 2) \
and r['10.77.1.3']['requests'] == 1 and r['10.77.1.3']['blocks'] == 0 \
and r['10.77.1.2']['first_seen'] <= r['10.77.1.2']['last_seen']"
check counts_exact report_is "" "$EXPECT"
check only_blocks_logged sh -c "test \$(wc -l < '$TMP/d.log') = 2"
check client_filter report_is "--client $NB4" "set(r) == {'10.77.1.3'}"
check since_filter report_is "--since 1h" "r['10.77.1.2']['requests'] == 12"
check text_report sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' report --client $CLI4 | grep -q '^10.77.1.2  requests 12  blocks 2'"
out=$(CTL report --client @nobody 2>&1); rc=$?
check unknown_group_refused sh -c "[ $rc = 2 ] && echo '$out' | grep -q 'no group'"

# a restart keeps the counters, and counting goes on
stop_daemon "$STATE"
check saved_atomically test -s "$STATE/report"
start
check restart_keeps_counts report_is "" "$EXPECT"
get $CLI4 good.test
sleep 0.5
check counting_goes_on report_is "" "r['10.77.1.2']['requests'] == 13 and sites('10.77.1.2', 'allowed')['good.test'] == 6"
exit $FAILED
