#!/usr/bin/env bash
# make bench-hold: what --hold costs, on a gateway namespace (tests/e2e/lib.sh
# topology), each figure against the same run without --hold (the daemon
# running, same rules):
#  1. added latency per request, p50/p99: keep-alive GETs one after the
#     other, and one GET per new connection (bench/hold_latency.py)
#  2. request throughput: wrk -t2 -c$WRK_CONNS, with --hold / without
#  3. with --hold, 1000 blocked requests (each its own connection, the
#     block answers with resets): how many the server's access log shows
#   COUNT=2000 WRK_SECONDS=8 BLOCKED=1000 bash bench/hold.sh
source "$(dirname "$0")/../tests/e2e/lib.sh"
need wrk nginx
COUNT=${COUNT:-2000}
WRK_SECONDS=${WRK_SECONDS:-8}
WRK_CONNS=${WRK_CONNS:-32}
BLOCKED=${BLOCKED:-1000}
PY=/usr/bin/python3
SOCK=$TMP/ctl.sock
PORT=8080 PORT_BLOCKED=8081
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
field() { $PY -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

topology_up || { echo "bench-hold: no namespaces (root?)"; exit 1; }
cat > "$TMP/nginx.conf" <<EOF2
worker_processes 1;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
events { worker_connections 4096; }
http {
	access_log $TMP/access.log;
	client_body_temp_path $TMP;
	server {
		listen $PORT backlog=4096;
		listen $PORT_BLOCKED backlog=4096;
		keepalive_requests 10000000;
		location / { return 200 "ok\n"; }
	}
}
EOF2
spawn "$NS_SRV" nginx -c "$TMP/nginx.conf" -g 'daemon off;'
wait_port "$NS_SRV" $PORT || { echo "bench-hold: nginx did not start"; exit 1; }
cat > "$TMP/bench.rules" <<'R'
block path ^/blocked response=reset id=bench
R

start_daemon() {
	spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -p "$TMP/bench.rules" -s "$SOCK" \
		-l /dev/null --http-ports $PORT,$PORT_BLOCKED "$@"
	DAEMON_PID=$!
	for _ in $(seq 50); do CTL status >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "bench-hold: daemon did not start"; exit 1
}
stop_daemon() { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; }

declare -A R
for run in base hold; do
	if [ $run = hold ]; then start_daemon --hold; else start_daemon; fi
	for mode in keepalive connect; do
		n=$COUNT; [ $mode = connect ] && n=$((COUNT / 4))
		R[$run.$mode]=$(in_cli $PY "$TOP/bench/hold_latency.py" $SRV4 $PORT $mode $n)
	done
	in_cli wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECONDS}s" "http://$SRV4:$PORT/" > "$TMP/wrk-$run.out"
	R[$run.rps]=$(awk '/^Requests\/sec/ { print $2 }' "$TMP/wrk-$run.out")
	[ $run = hold ] && R[stats]=$(CTL stats)
	stop_daemon
done

echo "== 1. added latency per request (µs), --hold against the same daemon without"
for mode in keepalive connect; do
	b=${R[base.$mode]} h=${R[hold.$mode]}
	printf '%-10s base p50 %7s p99 %7s | hold p50 %7s p99 %7s | added p50 %7.1f p99 %7.1f (errors %s/%s)\n' \
		$mode "$(field "$b" p50_us)" "$(field "$b" p99_us)" "$(field "$h" p50_us)" \
		"$(field "$h" p99_us)" \
		"$(echo "$(field "$h" p50_us) - $(field "$b" p50_us)" | bc)" \
		"$(echo "$(field "$h" p99_us) - $(field "$b" p99_us)" | bc)" \
		"$(field "$b" errors)" "$(field "$h" errors)"
done
echo "== 2. throughput, wrk -t2 -c$WRK_CONNS -d${WRK_SECONDS}s"
printf 'base %s req/s, hold %s req/s, ratio %.3f\n' "${R[base.rps]}" "${R[hold.rps]}" \
	"$(echo "${R[hold.rps]} / ${R[base.rps]}" | bc -l)"
echo "${R[stats]}" | grep -E '^hold_' | sed 's/^/   /'

echo "== 3. $BLOCKED blocked requests with --hold (each a new connection, response=reset)"
start_daemon --hold
: > "$TMP/access.log"
in_cli $PY - $SRV4 $PORT_BLOCKED $BLOCKED <<'EOF2'
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(b"GET /blocked/%d HTTP/1.1\r\nHost: bench.test\r\n\r\n" % i)
        s.recv(100)
    except OSError:
        pass
    s.close()
EOF2
sleep 0.5
seen=$(grep -c '/blocked/' "$TMP/access.log")
decided=$(CTL stats | awk '/^decisions_total.*block/ { print $NF }')
stop_daemon
echo "blocked decisions $decided; requests the server saw: $seen of $BLOCKED"
