#!/usr/bin/env bash
# Overload: the daemon stopped (SIGSTOP) while a burst of requests comes in,
# with a BPF ring too small for the burst, so the tap cannot record some of
# the frames it keeps.
#   - --fail closed: TC drops what the tap could not record (the frame
#     itself: the tap runs before TC ingress) and the rest of that stream;
#     once the daemon runs again the senders' retransmissions are recorded,
#     judged and pass. Every request the server read is in the decision log,
#     exactly, and every request is answered in the end;
#   - --fail open: the unrecorded requests pass unjudged; the server reads
#     more requests than were logged, and the tap counts the lost frames
#     for the client.
source "$(dirname "$0")/lib.sh"
need nginx
topology_up
# nginx, not python: its listen backlog takes the whole burst at once
nginx_server "$NS_SRV" "
	log_format req '\$request';
	access_log $TMP/access.log req;
	server {
		listen 80;
		location / { return 200 \"ok\n\"; }
	}" || { fail setup "nginx did not start: $(cat "$TMP/nginx/error.log")"; exit 1; }
SOCK=$TMP/ctl.sock
N=100
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
wait_ctl() { for _ in $(seq 50); do CTL status >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
# metric NAME [LABEL_VALUE]: one value of urlctl stats (0 if absent)
metric() {
	CTL stats --json | /usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1], 0)
if len(sys.argv) > 2:
    v = v.get(sys.argv[2], 0) if isinstance(v, dict) else 0
print(v)' "$@"
}
echo "default allow" > "$TMP/allow.rules"

# burst FAIL: one run against a fresh daemon with --fail FAIL; leaves the
# server's and the daemon's request counts in SERVED and LOGGED
burst() {
	: > "$TMP/access.log"
	rm -f "$TMP/decisions.log"
	spawn "$NS_GW" "$BUILD/url-enforcer" -p "$TMP/allow.rules" -i gw-lan -s "$SOCK" \
		-l "$TMP/decisions.log" --log-all --workers 1 --ring-size 8192 --fail "$1"
	DAEMON=${PIDS[-1]}
	wait_ctl || fail "${1}_daemon_up" "no control socket"
	kill -STOP "$DAEMON"
	in_cli /usr/bin/python3 "$TOP/tests/e2e/burst_client.py" $SRV4 80 $N 30 > "$TMP/answered" &
	local client=$!
	sleep 1.5     # within the heartbeat's 3 s: fail-closed's refusal of new sessions stays out
	kill -CONT "$DAEMON"
	wait "$client"
	sleep 0.5
	SERVED=$(grep -ac 'GET /r/' "$TMP/access.log")
	LOGGED=$(grep -c '"/r/' "$TMP/decisions.log")
	ANSWERED=$(cat "$TMP/answered")
	echo "# --fail $1: $N requests, $ANSWERED answered, $SERVED served, $LOGGED logged"
}
# paths FILE PATTERN: the /r/ paths in FILE, sorted
paths() { grep -ao "$2/r/[0-9]*" "$1" | grep -o '/r/[0-9]*' | sort; }

burst closed
check closed_ring_overflowed test "$(metric capture_drops_total)" -gt 0
check closed_unrecorded_dropped test "$(metric unrecorded_drops_total)" -gt 0
check closed_every_served_request_judged test "$SERVED" = "$LOGGED"
check closed_same_requests diff <(paths "$TMP/access.log" 'GET ') <(paths "$TMP/decisions.log" '"')
check closed_all_answered test "$ANSWERED" = $N
check closed_served_once test "$SERVED" = $N
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null

burst open
unjudged=$((SERVED - LOGGED))
check open_ring_overflowed test "$(metric capture_drops_total)" -gt 0
check open_nothing_dropped test "$(metric unrecorded_drops_total)" = 0
check open_unjudged_passed test "$unjudged" -gt 0
check open_counted_for_the_client test "$(metric unrecorded_frames_total $CLI4)" -ge "$unjudged"
check open_all_answered test "$ANSWERED" = $N
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null
exit $FAILED
