#!/usr/bin/env bash
# make bench-verdict: the live daemon on a gateway namespace (tests/e2e/lib.sh
# topology), three figures, each against a baseline measured in the same run.
#  1. verdict latency (a request's completing packet -> its verdict, for a
#     block its blocklist entry) under a steady request load, 10,000
#     generated regex rules (bench_match --emit regex-10k) against the 10 of
#     them that the traffic actually hits; from the daemon's histogram (every
#     request now; the figures in bench/README.md predate that: blocks
#     only) and, at microsecond
#     resolution, from a capture (request in -> injected RST out); each
#     capture path (--capture, MODES) side by side, with the daemon's CPU
#     time a request
#  2. the leak without --hold: how many answers to 1000 blocked GETs reach
#     the client when the server answers at once, after 1 ms and after 10 ms,
#     with how many verdicts took over 1 ms and over 10 ms
#  3. misses at full speed: wrk through the gateway with --log-all, decision
#     log lines against requests completed; requests/s against no daemon,
#     daemon CPU a request, each capture path
#  4. verdict latency as in 1 at the most the client here generates
#     (RATE_MAX requests/s asked for; the rate reached is printed)
#   RATE=300 SECONDS_LOAD=10 RATE_MAX=1500 SECONDS_MAX=4 LEAK_COUNT=1000
#   WRK_SECONDS=8 MODES="bpf-ring tpacket frame" PARTS="1 2 3 4" bash bench/verdict.sh
# KEEP=DIR keeps the captures, counters and logs there. DAEMON_PREFIX runs
# the daemon under a command, e.g. DAEMON_PREFIX="nice -n -10".
source "$(dirname "$0")/../tests/e2e/lib.sh"
need wrk nginx tcpdump
RATE=${RATE:-300}
SECONDS_LOAD=${SECONDS_LOAD:-10}
RATE_MAX=${RATE_MAX:-1500}
SECONDS_MAX=${SECONDS_MAX:-4}
MODES=${MODES:-bpf-ring tpacket frame}
LEAK_COUNT=${LEAK_COUNT:-1000}
WRK_SECONDS=${WRK_SECONDS:-8}
WRK_CONNS=${WRK_CONNS:-32}
PARTS=${PARTS:-1 2 3 4}
PY=/usr/bin/python3
BENCH=$TOP/bench
SOCK=$TMP/ctl.sock
PORT_LOAD=8080 PORT_SLOW=8001 PORT_FAST=8002 PORT_1MS=8003
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
field() { $PY -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

topology_up || { echo "bench-verdict: no namespaces (root?)"; exit 1; }
# Every client connection gets a source port of its own (--first-port): a
# blocklist entry outlives its session, so a 4-tuple that came back would
# meet an earlier block (see the reuse line of part 2). wrk keeps to 1024-9999.
in_cli sysctl -qw net.ipv4.ip_local_port_range="1024 9999"
PORT_NEXT=10000
# ports N: FIRST = the first of N source ports no connection used yet
ports() {
	FIRST=$PORT_NEXT
	PORT_NEXT=$((PORT_NEXT + $1))
	[ $PORT_NEXT -le 65536 ] || { echo "bench-verdict: out of source ports (RATE x SECONDS_LOAD too large)"; exit 1; }
}

# ---- servers: nginx answers at once; delay_server after 10 ms, 1 ms, or 0
cat > "$TMP/nginx.conf" <<EOF
worker_processes 1;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $TMP/nginx-body;   # its own: nginx hands the folder to its user
	server {
		listen $PORT_LOAD backlog=4096;
		keepalive_requests 10000000;
		location / { return 200 "ok\n"; }
	}
}
EOF
spawn "$NS_SRV" nginx -c "$TMP/nginx.conf" -g 'daemon off;'
spawn "$NS_SRV" sh -c 'exec "$@" 2>"$0"' "$TMP/slow.err" $PY "$BENCH/delay_server.py" $PORT_SLOW 10 "$TMP/slow.log"
spawn "$NS_SRV" sh -c 'exec "$@" 2>"$0"' "$TMP/fast.err" $PY "$BENCH/delay_server.py" $PORT_FAST 0 "$TMP/fast.log"
spawn "$NS_SRV" sh -c 'exec "$@" 2>"$0"' "$TMP/1ms.err" $PY "$BENCH/delay_server.py" $PORT_1MS 1 "$TMP/1ms.log"
# server_up PORT: or say why not and stop
server_up() {
	wait_port "$NS_SRV" "$1" && return 0
	echo "bench-verdict: no server on port $1: $(cat "$TMP"/*.err "$TMP/nginx-error.log" 2>/dev/null | tail -3)"
	exit 1
}
for p in $PORT_LOAD $PORT_SLOW $PORT_FAST $PORT_1MS; do server_up $p; done

# start_daemon RULES [OPTION...]: a fresh daemon (fresh blocklist) on gw-lan
start_daemon() {
	local rules=$1; shift
	rm -f "$TMP/decisions.log"
	spawn "$NS_GW" ${DAEMON_PREFIX:-} "$BUILD/url-enforcer" -i gw-lan -p "$rules" -s "$SOCK" \
		-l "$TMP/decisions.log" --http-ports $PORT_LOAD,$PORT_SLOW,$PORT_FAST,$PORT_1MS "$@"
	DAEMON_PID=${PIDS[-1]}
	for _ in $(seq 100); do CTL status >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "bench-verdict: the daemon did not come up"; exit 1
}
stop_daemon() { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; }
# daemon_cpu: CPU seconds (user + system) the daemon has used so far
daemon_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$DAEMON_PID/stat"; }
# stats FILE: counters once every worker has published (ten times a second)
stats() { sleep 0.3; CTL stats --json > "$1"; }
# js EXPR FILE: a Python expression over the JSON object s in FILE
js() { $PY -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$2"; }

# ---- the policies: bench-match's regex-10k set (literal-heavy URL
# patterns, some alternations), blocking with a RST so the capture sees when;
# the baseline is the 10 of its rules the blocked traffic hits, spread over
# the file and over the set's eight shapes (rules 999, 1998, ... 9990)
"$BUILD/bench/bench_match" --emit regex-10k "$TMP" || exit 1
sed 's/$/ response=reset/' "$TMP/regex-10k.rules" > "$TMP/big.rules"
picked=$(for i in $(seq 10); do printf '%dp;' $((999 * i + 1)); done)
sed -n "$picked" "$TMP/big.rules" > "$TMP/tiny.rules"
sed -n "$picked" "$TMP/regex-10k.hits" > "$TMP/hits"
head -30 "$TMP/regex-10k.misses" > "$TMP/misses"
# one blocked request in four, the blocked ones spread over the ten rules
paste -d '\n' "$TMP/hits" <(sed -n '1~3p' "$TMP/misses") <(sed -n '2~3p' "$TMP/misses") \
	<(sed -n '3~3p' "$TMP/misses") > "$TMP/urls"
loadavg() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (a shared machine: see bench/README.md)"; }

# ---- 1. verdict latency
# latency RATE SECONDS MODE...: part 1's table for those capture paths
latency() {
local rate=$1 seconds=$2 mode policy; shift 2
echo "   $(loadavg)"
echo "   histogram buckets (us): 10 25 50 100 250 500 1000 2500 10000 100000 +Inf; capture: microseconds"
printf '   %-22s %7s %7s | %-16s %-16s | %8s %8s %8s %8s %8s | %s\n' "capture, policy" blocked \
	"mean us" "hist p50 le (~)" "hist p99 le (~)" "cap mean" "cap p50" "cap p99" "cap p999" \
	"cap max" "daemon CPU a request"
for mode in "$@"; do
for policy in tiny big; do
	start_daemon "$TMP/$policy.rules" --capture $mode
	spawn "$NS_GW" sh -c 'exec tcpdump -i gw-lan -n -s 128 -B 8192 -Z root \
		--time-stamp-precision=nano -w "$1" "$2" 2> "$3"' tcpdump "$TMP/$policy.pcap" \
		"tcp port $PORT_LOAD and (tcp[tcpflags] & (tcp-rst|tcp-push|tcp-syn) != 0)" "$TMP/$policy.tcpdump"
	TCPDUMP_PID=${PIDS[-1]}
	sleep 1
	ports $(awk -v r="$rate" -v s="$seconds" 'BEGIN { print int(r * s) + 1 }')
	cpu0=$(daemon_cpu)
	in_cli $PY "$BENCH/verdict_client.py" steady $SRV4 $PORT_LOAD --rate "$rate" \
		--seconds "$seconds" --urls "$TMP/urls" --timeout 1 --first-port $FIRST \
		> "$TMP/$policy.client"
	stats "$TMP/$policy.stats"
	cpu=$(awk -v a="$cpu0" -v b="$(daemon_cpu)" 'BEGIN { print b - a }')
	sleep 1.2       # tcpdump hands its ring over once a second: let the last part in
	kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null
	stop_daemon
	$PY "$BENCH/verdict_stats.py" hist "$TMP/$policy.stats" > "$TMP/$policy.hist"
	$PY "$BENCH/verdict_stats.py" capture "$TMP/$policy.pcap" $SRV4 > "$TMP/$policy.cap"
	$PY "$BENCH/verdict_stats.py" row "$mode, $(grep -c '^block' "$TMP/$policy.rules") rules" \
		"$TMP/$policy" "$cpu"
done
$PY "$BENCH/verdict_stats.py" compare "$TMP/tiny" "$TMP/big"
done
}

part1() {
echo "== 1. verdict latency: $RATE requests/s for $SECONDS_LOAD s, one in four blocked (response=reset), a connection each"
latency "$RATE" "$SECONDS_LOAD" $MODES
}

part4() {
echo "== 4. verdict latency at the most this client generates: $RATE_MAX requests/s asked for, $SECONDS_MAX s"
latency "$RATE_MAX" "$SECONDS_MAX" bpf-ring
}

# ---- 2. the leak
part2() {
printf 'block path ^/leak/drop id=leak-drop\nblock path ^/leak/reset response=reset id=leak-reset\n' \
	> "$TMP/leak.rules"
echo "== 2. the leak (no --hold): $LEAK_COUNT blocked GETs a line, 20 at a time, a fresh daemon each"
printf '   %-24s %-8s %-22s %-14s %-26s %s\n' server response "answers at the client" \
	"server read" "verdicts > 1 ms, > 10 ms" "client outcomes"
echo "   $(loadavg)"
for server in fast 1ms slow; do
	case $server in
	fast) port=$PORT_FAST delay="answers at once" ;;
	1ms) port=$PORT_1MS delay="answers after 1 ms" ;;
	slow) port=$PORT_SLOW delay="answers after 10 ms" ;;
	esac
	for response in drop reset; do
		: > "$TMP/$server.log"
		server_up $port
		ports "$LEAK_COUNT"
		start_daemon "$TMP/leak.rules"
		in_cli $PY "$BENCH/verdict_client.py" burst $SRV4 $port --count "$LEAK_COUNT" \
			--concurrency 20 --timeout 0.25 --first-port $FIRST \
			--url "http://leak.test/leak/$response" > "$TMP/leak.client"
		stats "$TMP/leak.stats"
		stop_daemon
		$PY "$BENCH/verdict_stats.py" hist "$TMP/leak.stats" > "$TMP/leak.hist"
		printf '   %-24s %-8s %-22s %-14s %-26s %s\n' "$delay" $response \
			"$(js "s['response']" "$TMP/leak.client") of $LEAK_COUNT" "$(wc -l < "$TMP/$server.log")" \
			"$(js "'%d, %d (p99 le %s)' % (s['over_1ms'], s['over_10ms'], s['p99_le_us'])" "$TMP/leak.hist")" \
			"$(js "' '.join(f'{k} {v}' for k, v in s.items())" "$TMP/leak.client")"
	done
done
start_daemon "$TMP/leak.rules"
# a new session on the 4-tuple of a finished one: after an allowed request,
# and after a block with response=reset (both ends were reset: it is over)
for path in /allowed /leak/reset; do
	ports 20
	out=$(in_cli $PY "$BENCH/verdict_client.py" reuse $SRV4 $PORT_SLOW --count 20 \
		--timeout 1 --first-port $FIRST --url "http://leak.test$path")
	printf '   reuse after %-12s: a new connection from the same source port connected %s of 20 times\n' \
		"$path" "$(js "s['second_connection']['reconnected']" <(echo "$out"))"
done
stop_daemon
}

# ---- 3. misses at full speed
part3() {
echo "== 3. wrk -t2 -c$WRK_CONNS -d${WRK_SECONDS}s through the gateway (keep-alive, allowed requests), --log-all"
miss=$(head -1 "$TMP/misses")
host=${miss#http://}; path=/${host#*/}; host=${host%%/*}
run_wrk() {
	in_cli wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECONDS}s" -H "Host: $host" "http://$SRV4:$PORT_LOAD$path" > "$TMP/wrk.out"
	completed=$(awk '/requests in/ { print $1 }' "$TMP/wrk.out")
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$TMP/wrk.out")
	errors=$(grep -E 'Socket errors|Non-2xx' "$TMP/wrk.out" | tr -s ' ' | tr '\n' ';')
}
echo "   $(loadavg)"
# no daemon before and after: the spread of the two is the machine's noise
run_wrk
base1=$rps
printf '   %-22s %9s req/s %8s completed %s\n' "no daemon (before)" "$rps" "$completed" "$errors"
for mode in $MODES; do
for policy in tiny big; do
	start_daemon "$TMP/$policy.rules" --log-all --capture $mode
	cpu0=$(daemon_cpu)
	run_wrk
	cpu=$(awk -v a="$cpu0" -v b="$(daemon_cpu)" 'BEGIN { print b - a }')
	stats "$TMP/wrk-$mode-$policy.stats"
	stop_daemon
	echo "$rps $completed $(wc -l < "$TMP/decisions.log") $cpu $errors" > "$TMP/wrk-$mode-$policy.result"
done
done
run_wrk
base2=$rps base2_line=$(printf '   %-22s %9s req/s %8s completed %s' "no daemon (after)" "$rps" "$completed" "$errors")
for mode in $MODES; do
for policy in tiny big; do
	read -r rps completed lines cpu errors < "$TMP/wrk-$mode-$policy.result"
	rules=$(grep -c '^block' "$TMP/$policy.rules")
	printf '   %-22s %9s req/s %8s completed %8s log lines: missed %s (lines beyond completed: %s, in flight <= %s) %s\n' \
		"$mode, $rules rules" "$rps" "$completed" "$lines" \
		"$(( completed > lines ? completed - lines : 0 ))" "$(( lines - completed ))" "$WRK_CONNS" "$errors"
	js "'   %22s %.2fx the rate without daemon; daemon CPU %.1f us a request; parsed %d, capture drops %d, log lines dropped %d' % ('', $rps * 2 / ($base1 + $base2), $cpu * 1e6 / max(1, s['requests_parsed_total']['http']), s['requests_parsed_total']['http'], s['capture_drops_total'], s['log_lines_dropped_total'])" \
		"$TMP/wrk-$mode-$policy.stats"
done
done
echo "$base2_line"
}

for part in $PARTS; do "part$part"; echo; done
[ -n "${KEEP:-}" ] && cp -r "$TMP" "$KEEP"     # the captures, stats and logs, to look into
exit 0
