#!/usr/bin/env bash
# A fleet on a real three-node NATS JetStream cluster (SPEC section 8): two
# gateways, each in its own namespaces, receive a published policy and
# block with it; a bundle they cannot compile is refused by both and
# reported; a gateway away during a publish catches up when it returns.
#
#   cli  --- gw  ---\                 /--- srv
#   cli2 --- gw2 ---- srv (two legs)
#            gw, gw2 --- nats (nats-server x3 on 10.77.9.1:4222-4224)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../nats_conf.sh"
need curl nats-server
[ -x "$BUILD/tests/fleet_tool" ] || { skip setup "build/tests/fleet_tool missing (make test)"; exit 0; }
topology_up

NS_GW2="ue${ID}gw2"; NS_CLI2="ue${ID}cli2"; NS_NATS="ue${ID}nats"
CLI2_4=10.77.3.2 GW2_LAN4=10.77.3.1 GW2_WAN4=10.77.4.1 SRV2_4=10.77.4.2
for ns in "$NS_GW2" "$NS_CLI2" "$NS_NATS"; do
	ip netns add "$ns" && NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
done
ip link add cli0 netns "$NS_CLI2" type veth peer name gw-lan netns "$NS_GW2"
ip link add gw-wan netns "$NS_GW2" type veth peer name srv1 netns "$NS_SRV"
ip link add gw-nats netns "$NS_GW" type veth peer name nats0 netns "$NS_NATS"
ip link add gw-nats netns "$NS_GW2" type veth peer name nats1 netns "$NS_NATS"
addr() { ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" link set "$2" up; }
addr "$NS_CLI2" cli0 $CLI2_4/24;   addr "$NS_GW2" gw-lan $GW2_LAN4/24
addr "$NS_GW2" gw-wan $GW2_WAN4/24; addr "$NS_SRV" srv1 $SRV2_4/24
addr "$NS_GW" gw-nats 10.77.5.1/24; addr "$NS_NATS" nats0 10.77.5.2/24
addr "$NS_GW2" gw-nats 10.77.6.1/24; addr "$NS_NATS" nats1 10.77.6.2/24
ip -n "$NS_NATS" addr add 10.77.9.1/32 dev lo
ip -n "$NS_CLI2" route add default via $GW2_LAN4
ip -n "$NS_SRV" route add 10.77.3.0/24 via $GW2_WAN4
ip -n "$NS_GW" route add 10.77.9.1/32 via 10.77.5.2
ip -n "$NS_GW2" route add 10.77.9.1/32 via 10.77.6.2
ip netns exec "$NS_GW2" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NS_NATS" sysctl -qw net.ipv4.ip_forward=1

# ---- the NATS cluster: three servers, their stores under $TMP/nats
NATS_URL=nats://10.77.9.1:4222,nats://10.77.9.1:4223,nats://10.77.9.1:4224
declare -A NATS_PID
nats_start() {
	local n=$1
	mkdir -p "$TMP/nats/n$n"
	nats_conf "$n" "10.77.9.1:$((4221 + n))" 6221 "$TMP/nats/n$n" > "$TMP/nats/n$n.conf"
	ip netns exec "$NS_NATS" nats-server -c "$TMP/nats/n$n.conf" >>"$TMP/nats/n$n.log" 2>&1 &
	NATS_PID[$n]=$!
	PIDS+=($!)
}
nats_stop() { kill "-${2:-TERM}" "${NATS_PID[$1]}"; wait "${NATS_PID[$1]}" 2>/dev/null; }
for n in 1 2 3; do nats_start $n; done

CTL() { local ns=$1 sock=$2; shift 2; ip netns exec "$ns" "$BUILD/urlctl" -s "$sock" "$@"; }
# urlctl and fleet_tool run beside the servers
in_nats() { ip netns exec "$NS_NATS" "$@"; }
publish() { in_nats "$BUILD/urlctl" publish "$1" --nats "$NATS_URL"; }
fleet_json() { in_nats "$BUILD/urlctl" fleet --json --nats "$NATS_URL"; }

mkdir -p "$TMP/pol/lists"
printf 'default allow\n' > "$TMP/local.rules"
cat > "$TMP/pol/fleet.rules" <<'R'
include more.rules
block path ^/bad/ response=reset id=bad
block domain-list lists/names.txt response=reset id=listed
R
printf 'block path ^/worse/ response=reset id=worse\n' > "$TMP/pol/more.rules"
printf 'listed.test\n' > "$TMP/pol/lists/names.txt"

# a JetStream cluster answers once it has elected its leaders
for _ in $(seq 100); do publish "$TMP/pol/fleet.rules" > "$TMP/publish1.out" 2>&1 && break; sleep 0.3; done
check publish_stores_generation_1 grep -q 'published generation 1: sha256:[0-9a-f]\{64\}, 3 files' "$TMP/publish1.out"

# ---- the gateways: -p allows everything; only the fleet's bundle blocks
http_server "$NS_SRV" 80
echo fine > "$TMP/www/ok"
declare -A GW_PID
gw_start() {
	local i=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$BUILD/url-enforcer" -i gw-lan -p "$TMP/local.rules" --workers 1 --hold \
		-s "$TMP/ctl$i.sock" -l "$TMP/decisions$i.log" --state-dir "$TMP/state$i" \
		--nats "$NATS_URL" --name "gw$i" "$@" 2>>"$TMP/gw$i.err" &
	GW_PID[$i]=$!
	PIDS+=($!)
	for _ in $(seq 50); do CTL "$ns" "$TMP/ctl$i.sock" status >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
gw_stop() { kill "${GW_PID[$1]}"; wait "${GW_PID[$1]}" 2>/dev/null; }
# wait_generation I NS GEN: until gateway I runs bundle generation GEN (15 s at most)
wait_generation() {
	for _ in $(seq 150); do
		CTL "$2" "$TMP/ctl$1.sock" status --json 2>/dev/null |
			grep -q "\"bundle_generation\": $3\b" && return 0
		sleep 0.1
	done
	return 1
}
gw_start 1 "$NS_GW"
gw_start 2 "$NS_GW2"
check gw1_applies_generation_1 wait_generation 1 "$NS_GW" 1
check gw2_applies_generation_1 wait_generation 2 "$NS_GW2" 1

# get NS_CLIENT SERVER PATH [HOST]: curl's exit status (56: reset)
get() { ip netns exec "$1" curl -s -m 3 -o /dev/null ${4:+-H "Host: $4"} "http://$2$3"; echo $?; }
check gw1_blocks_bundle_rule test "$(get "$NS_CLI" $SRV4 /bad/1)" = 56
check gw2_blocks_bundle_rule test "$(get "$NS_CLI2" $SRV2_4 /bad/1)" = 56
check gw1_blocks_included_rule test "$(get "$NS_CLI" $SRV4 /worse/1)" = 56
check gw2_blocks_domain_list test "$(get "$NS_CLI2" $SRV2_4 /x listed.test)" = 56
check gw1_allows_the_rest test "$(get "$NS_CLI" $SRV4 /ok)" = 0
check bundle_rule_logged_with_id grep -q '"rule_id":"bad"' "$TMP/decisions1.log"

# ---- urlctl fleet: both gateways on the latest bundle (each records what it
# runs within 5 s of applying it)
for _ in $(seq 40); do
	fleet_json > "$TMP/fleet1.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(sum(bool(g["latest"]) for g in d["gateways"]) < 2)' "$TMP/fleet1.json" 2>/dev/null && break
	sleep 0.25
done
check fleet_lists_both_latest python3 - "$TMP/fleet1.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["latest"]["generation"] == 1, d
gws = {g["gateway"]: g for g in d["gateways"]}
assert sorted(gws) == ["gw1", "gw2"], gws
assert all(g["latest"] and g["generation"] == 1 and g["refused"] is None for g in gws.values()), gws
P

# ---- a bundle no gateway can compile: refused by both, reported, the old policy stays
printf 'url-enforcer-bundle 1\nfile 21 raw.rules\nblock nothing here x\n' > "$TMP/bad.bundle"
in_nats "$BUILD/tests/fleet_tool" publish-raw "$NATS_URL" "$TMP/bad.bundle" >/dev/null
refused_by_both() {
	fleet_json > "$TMP/fleet2.json"
	python3 - "$TMP/fleet2.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["latest"]["generation"] == 2, d
for g in d["gateways"]:
    assert g["generation"] == 1 and not g["latest"], g
    assert g["refused"].startswith("generation 2: raw.rules:1:"), g
P
}
for _ in $(seq 50); do refused_by_both 2>/dev/null && break; sleep 0.2; done
check invalid_bundle_refused_by_both refused_by_both
check refusal_logged grep -q 'bundle generation 2 .* refused, the policy in force stays: raw.rules:1' "$TMP/gw2.err"
check refused_counted sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$TMP/ctl1.sock' stats | grep -qx 'fleet_bundles_refused_total 1'"
check old_policy_stays_after_refusal test "$(get "$NS_CLI" $SRV4 /bad/2)" = 56

# ---- a gateway away during a publish catches up when it returns
gw_stop 2
printf 'block path ^/new/ response=reset id=new\n' >> "$TMP/pol/more.rules"
publish "$TMP/pol/fleet.rules" > "$TMP/publish3.out" 2>&1
check publish_stores_generation_3 grep -q 'published generation 3' "$TMP/publish3.out"
check gw1_applies_generation_3 wait_generation 1 "$NS_GW" 3
gw_start 2 "$NS_GW2"
check gw2_catches_up wait_generation 2 "$NS_GW2" 3
check gw2_blocks_new_rule test "$(get "$NS_CLI2" $SRV2_4 /new/1)" = 56

# ---- the decision stream: every line of each gateway's log, once, in its order
# stream_of I: gateway I's lines in the stream, "ID LINE" in stream order
stream_of() { in_nats "$BUILD/tests/fleet_tool" read "$NATS_URL" "url-enforcer.decisions.gw$1"; }
stat_of() {
	local ns=$NS_GW; [ "$1" = 2 ] && ns=$NS_GW2
	CTL "$ns" "$TMP/ctl$1.sock" stats | awk -v m="$2" '$1 == m { print $2 }'
}
# drained I: gateway I's spool is empty and its log and stream hold as many lines
drained() {
	[ "$(stat_of "$1" fleet_spool_bytes)" = 0 ] &&
		[ "$(stream_of "$1" | wc -l)" = "$(wc -l < "$TMP/decisions$1.log")" ]
}
wait_drained() { for _ in $(seq 60); do drained "$1" && return 0; sleep 0.5; done; return 1; }
# same_lines I [sort]: the stream's lines are the log's (sorted first with "sort")
same_lines() {
	local f=cat; [ "${2:-}" = sort ] && f=sort
	diff <(stream_of "$1" | cut -d' ' -f2- | $f) <($f "$TMP/decisions$1.log") >/dev/null
}
unique_ids() { [ -z "$(stream_of "$1" | cut -d' ' -f1 | sort | uniq -d)" ]; }
wait_drained 1; wait_drained 2
check gw1_stream_has_its_log_in_order same_lines 1
check gw2_stream_has_its_log_in_order same_lines 2

# ---- kill -9 the NATS server gw1 is connected to, during a burst of blocked
# requests: each decision arrives once
lines_before=$(wc -l < "$TMP/decisions1.log")
# the server (1-3) of gw1's connection
gw1_server() {
	ip netns exec "$NS_GW" ss -Htn state established '( dport >= :4222 and dport <= :4224 )' |
		awk '{ sub(/.*:/, "", $4); print $4 - 4221; exit }'
}
victim=$(gw1_server)
ip netns exec "$NS_CLI" "$BUILD/tests/load_client" $SRV4 80 8 4 1 "$TMP/burst.bad" > "$TMP/burst.json" &
burst=$!
sleep 1.5
nats_stop "${victim:-2}" KILL
wait $burst
nats_start "${victim:-2}"
burst_n=$(wc -l < "$TMP/burst.bad")
check burst_logged_once_each test "$(( $(wc -l < "$TMP/decisions1.log") - lines_before ))" = "$burst_n"
check burst_stream_complete wait_drained 1
check burst_every_decision_once same_lines 1 sort
check burst_ids_unique unique_ids 1
echo "burst: $burst_n blocked requests, server n${victim:-?} killed, $(stat_of 1 fleet_decisions_spooled_total) lines spooled" >&2

# ---- every NATS server down for 30 s under traffic: the gateways keep enforcing and
# spool; a gateway that starts meanwhile runs its last bundle, not its -p file
for n in 1 2 3; do nats_stop $n; done
gw_stop 2
gw_start 2 "$NS_GW2" --nats-spool 4k
check restart_without_nats_runs_last_bundle test "$(get "$NS_CLI2" $SRV2_4 /new/2)" = 56
outage_end=$((SECONDS + 30))
n=0
while [ $SECONDS -lt $outage_end ]; do
	n=$((n + 1))
	get "$NS_CLI" $SRV4 "/bad/outage-$n" >/dev/null
	get "$NS_CLI2" $SRV2_4 "/bad/outage-$n" >/dev/null
	sleep 0.5
done
check outage_blocks_go_on sh -c "grep -c '/bad/outage-' '$TMP/decisions1.log' | grep -qx $n"
check outage_lines_spooled test "$(stat_of 1 fleet_spool_bytes)" -gt 0
for n in 1 2 3; do nats_start $n; done
check outage_spool_sent wait_drained 1
check outage_stream_in_order same_lines 1
# gw2's 4 KiB spool held the first few; the rest were lost, counted and logged
lost=$(stat_of 2 fleet_decisions_lost_total)
check full_spool_losses_counted test "$lost" -gt 0
check full_spool_rest_arrived sh -c "[ \$(( \$(wc -l < '$TMP/decisions2.log') - $lost )) = \$(ip netns exec $NS_NATS '$BUILD/tests/fleet_tool' read '$NATS_URL' url-enforcer.decisions.gw2 | wc -l) ]"
check full_spool_logged grep -q 'decisions are being lost' "$TMP/gw2.err"

gw_stop 1; gw_stop 2
check daemons_stderr_clean sh -c "! grep -h 'Sanitizer\|runtime error' '$TMP'/gw*.err"
[ $FAILED = 0 ] || tail -n 5 "$TMP"/gw*.err
exit $FAILED
