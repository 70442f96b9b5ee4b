#!/usr/bin/env bash
# Exactly once with several workers and interfaces (url-enforcer(8)): every
# request and ClientHello is judged, logged and enforced once, here with two
# LAN sides and the server side tapped (every request crosses two of them).
# The daemon starts as the first one after boot does: the kernel hands its
# first fanout group the id 0 (tests/tools/fanout_id_zero), which once put
# every worker in a group of its own, so that each judged every packet.
source "$(dirname "$0")/lib.sh"
need curl openssl ss
topology_up

WORKERS=3
PER_CLIENT=60           # HTTP requests a client, each on its own connection
SOCK=$TMP/ctl.sock
LOG=$TMP/decisions.log
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }

# a second LAN: client 2 behind gw-lan2
NS_CLI2="ue${ID}cl2"
ip netns add "$NS_CLI2" && NAMESPACES+=("$NS_CLI2")
ip -n "$NS_CLI2" link set lo up
ip link add cli0 netns "$NS_CLI2" type veth peer name gw-lan2 netns "$NS_GW"
ip -n "$NS_CLI2" addr add 10.77.3.2/24 dev cli0
ip -n "$NS_GW" addr add 10.77.3.1/24 dev gw-lan2
ip -n "$NS_CLI2" link set cli0 up
ip -n "$NS_GW" link set gw-lan2 up
ip -n "$NS_CLI2" route add default via 10.77.3.1

mkdir -p "$TMP/www"
http_server "$NS_SRV" 80
tls_server "$NS_SRV" 443

cat > "$TMP/once.rules" <<'R'
block path ^/blocked response=reset id=blocked
block host ^tls4\.test$ response=page id=tls-page
R

# start_daemon: fanout id 0 forced; 0 once the daemon is up in group 0
start_daemon() {
	in_gw "$BUILD/tests/fanout_id_zero" || return 1
	spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -i gw-lan2 -i gw-wan -p "$TMP/once.rules" \
		-s "$SOCK" -l "$LOG" --log-all --workers $WORKERS
	DAEMON_PID=${PIDS[-1]}
	for _ in $(seq 50); do [ -S "$SOCK" ] && CTL status >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
# fanout_groups: one line "IFACE ID" a capture socket of the daemon
fanout_groups() {
	in_gw ss -0 -e -H | awk '/^p_raw/ { split($4, a, ":"); ifc = a[2] }
		/fanout\(id:/ { match($0, /id:[0-9]+/); print ifc, substr($0, RSTART + 3, RLENGTH - 3) }'
}
# another process may take a unique id between the steering and the start
for try in 1 2 3; do
	rm -f "$LOG"
	start_daemon || { fail daemon_start "$(tail -3 "$TMP"/*.err 2>/dev/null)"; exit 1; }
	groups=$(fanout_groups)
	echo "$groups" | grep -qx 'gw-lan 0' || [ $try = 3 ] && break
	kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null
done
check fanout_group_id_zero_forced sh -c "echo '$groups' | grep -qx 'gw-lan 0'"
check one_fanout_group_per_interface test "$(echo "$groups" | sort -u | wc -l)" = 3
check every_worker_in_its_group test "$(echo "$groups" | wc -l)" = $((WORKERS * 3))

# each request on a new connection (http.server closes after one answer):
# flows spread over the workers; every tenth one blocked
requests() {
	local ns=$1 tag=$2 urls=() i
	for i in $(seq $PER_CLIENT); do
		if [ $((i % 10)) = 0 ]; then urls+=("http://$SRV4/blocked/$tag/$i")
		else urls+=("http://$SRV4/$tag/$i"); fi
	done
	for u in "${urls[@]}"; do ip netns exec "$ns" curl -s -o /dev/null -m 5 "$u"; done
}
requests "$NS_CLI" c1 & p1=$!
requests "$NS_CLI2" c2 & p2=$!
wait $p1 $p2
TLS=4
for i in $(seq $TLS); do
	in_cli timeout 5 openssl s_client -connect "$SRV4:443" -servername "tls$i.test" \
		</dev/null >/dev/null 2>&1
done
sleep 1

HTTP=$((PER_CLIENT * 2))
BLOCKED=$((HTTP / 10))
check one_line_per_http_request /usr/bin/python3 - "$LOG" "$HTTP" "$BLOCKED" <<'P'
import collections, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
http = collections.Counter(l["target"] for l in lines if l["proto"] == "http")
want = int(sys.argv[2])
doubles = {t: n for t, n in http.items() if n != 1}
assert not doubles, f"logged more than once: {sorted(doubles.items())[:5]}"
assert len(http) == want, f"{len(http)} requests logged, {want} sent"
blocked = [l for l in lines if l["proto"] == "http" and l["action"] == "block"]
assert len(blocked) == int(sys.argv[3]), f"{len(blocked)} blocks logged"
P
check one_line_per_client_hello /usr/bin/python3 - "$LOG" "$TLS" <<'P'
import collections, json, sys
tls = collections.Counter(json.loads(l).get("host") for l in open(sys.argv[1])
                          if json.loads(l)["proto"] == "tls")
assert sorted(tls.items()) == [(f"tls{i}.test", 1) for i in range(1, int(sys.argv[2]) + 1)], tls
P
# TLS cannot carry a page: the session is reset, and the log says so
check tls_page_logged_as_reset sh -c "grep '\"host\":\"tls4.test\"' '$LOG' |
	grep -q '\"action\":\"block\",\"rule\":\"[^\"]*once.rules:2\",\"rule_id\":\"tls-page\",\"response\":\"reset\",\"enforced\":true'"
stats=$(CTL stats --json)
check parsed_equals_sent /usr/bin/python3 -c "
import json, sys
s = json.loads(sys.argv[1]); p = s['requests_parsed_total']
assert p['http'] == $HTTP and p['tls'] == $TLS, p
assert s['decisions_total']['block'] == $BLOCKED + 1, s['decisions_total']" "$stats"
# every request judged is in the verdict latency histogram, once
check verdict_histogram_counts_every_request /usr/bin/python3 -c "
import json, sys
s = json.loads(sys.argv[1]); n = s['verdict_latency_us_count']
assert n == $HTTP + $TLS, n
assert s['verdict_latency_us_bucket']['+Inf'] == n, s['verdict_latency_us_bucket']" "$stats"
exit $FAILED
