#!/usr/bin/env bash
# Faults: the daemon killed with SIGKILL, restarted, given an invalid
# policy, and writing its decision log to a full disk.
#   - after kill -9 the TC programs and the blocklist map stay attached: a
#     blocked session (an endless response) keeps dropping, both ways;
#     new sessions pass unjudged (--fail open);
#   - a restart attaches one filter a hook, no more, takes over the dead
#     daemon's blocks (its pinned map) and socket path, judges new sessions;
#     a clean stop leaves no pin;
#   - an invalid policy (apply, SIGHUP) leaves the old one enforcing;
#   - a decision log on a full file system: blocks still happen, the lost
#     lines are counted, and logging resumes once there is room again.
source "$(dirname "$0")/lib.sh"
need curl bpftool tc
topology_up
# a BPF file system for the daemons' pins: mounted here, bound over
# /sys/fs/bpf in each daemon's own mount namespace (ip netns exec gives it a
# fresh /sys), so that one daemon's pin is there for the next
mkdir "$TMP/bpffs" && mount -t bpf bpf "$TMP/bpffs" || { fail setup "cannot mount a BPF file system"; exit 1; }
trap 'umount -l "$TMP/bpffs"; teardown' EXIT
UE=$BUILD/url-enforcer
SOCK=$TMP/ctl.sock
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
wait_ctl() { for _ in $(seq 50); do CTL status >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
# count FILE: what a stream client recorded (0 if nothing yet)
count() { cat "$1" 2>/dev/null || echo 0; }
# counter NAME: one counter of urlctl stats --json
counter() { CTL stats --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
# hook_progs HOOK: the ids of the blk_ programs attached at HOOK of gw-lan, one a line
hook_progs() {
	in_gw tc -j filter show dev gw-lan "$1" | /usr/bin/python3 -c '
import json, sys
for f in json.load(sys.stdin):
    p = f.get("options", {}).get("prog", {})
    if p.get("name", "").startswith("blk_"):
        print(p["id"])'
}
# blocked_drops: packets dropped for the blocked sessions, read from the map
# of the program attached at gw-lan ingress (bpftool, no daemon needed)
blocked_drops() {
	local prog map
	prog=$(hook_progs ingress | head -1)
	[ -n "$prog" ] || { echo none; return; }
	for map in $(bpftool -j prog show id "$prog" | /usr/bin/python3 -c 'import json,sys; print(*json.load(sys.stdin)["map_ids"])'); do
		bpftool -j map show id "$map" | grep -q '"name":"ue_blocklist"' || continue
		bpftool -j map dump id "$map" | /usr/bin/python3 -c '
import json, sys
print(sum(e["formatted"]["value"]["drops"] for e in json.load(sys.stdin)))'
		return
	done
	echo none
}

mkdir -p "$TMP/www" && echo hello > "$TMP/www/blocked"
http_server "$NS_SRV" 80
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/stream.py" server 8000
wait_port "$NS_SRV" 8000
# never answers: a reset, not a response, ends a blocked request there
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/hold_server.py" 8080 "$TMP/hold.log"
wait_port "$NS_SRV" 8080
cat > "$TMP/faults.rules" <<'R'
block path ^/video id=video
block path ^/blocked response=reset id=blocked
R
# -p first: other runs' tests look for "url-enforcer -i gw-lan" to stop theirs
start_daemon() {
	spawn "$NS_GW" sh -c 'fs=$1; shift; mount --bind "$fs" /sys/fs/bpf && exec "$@"' sh \
		"$TMP/bpffs" "$UE" -p "$TMP/faults.rules" -i gw-lan -s "$SOCK" -l "$TMP/decisions.log" "$@"
	DAEMON=${PIDS[-1]}
	wait_ctl
}
start_daemon

# --- a blocked endless response, before the crash
spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/stream.py" client $SRV4 8000 /video "$TMP/video1"
spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/stream.py" client $SRV4 8000 /ok "$TMP/ok1"
sleep 1.5
check allowed_stream_flows test "$(count "$TMP/ok1")" -gt 5
check blocked_stream_stopped test "$(count "$TMP/video1")" -le 2
before_kill=$(count "$TMP/video1")

# --- kill -9: programs and map stay; the blocked session keeps dropping
ingress_before=$(hook_progs ingress) egress_before=$(hook_progs egress)
drops_before=$(blocked_drops)
kill -9 "$DAEMON"; wait "$DAEMON" 2>/dev/null
check crash_leaves_ingress_program test "$(hook_progs ingress)" = "$ingress_before"
check crash_leaves_egress_program test "$(hook_progs egress)" = "$egress_before"
sleep 3
drops_after=$(blocked_drops)
check crash_blocked_session_keeps_dropping test "$drops_after" -gt "$drops_before"
check crash_blocked_stream_still_stopped test "$(count "$TMP/video1")" = "$before_kill"
check crash_other_stream_flows test "$(count "$TMP/ok1")" -gt 30
check crash_leaves_the_pin sh -c "ls '$TMP/bpffs/url-enforcer' | grep -q blocklist-"
# fail open: a new session is not judged
out=$(in_cli curl -s -m 3 "http://$SRV4/blocked")
check fail_open_new_session_passes test "$out" = hello
spawn "$NS_CLI" /usr/bin/python3 "$TOP/tests/e2e/stream.py" client $SRV4 8000 /video "$TMP/video2"
sleep 1
check fail_open_new_stream_flows test "$(count "$TMP/video2")" -gt 3

# --- restart: one filter a hook, the dead daemon's socket replaced, judging again
start_daemon
check restart_serves CTL status
check restart_one_ingress_filter test "$(hook_progs ingress | wc -l)" = 1
check restart_one_egress_filter test "$(hook_progs egress | wc -l)" = 1
in_cli curl -s -m 3 "http://$SRV4:8080/blocked" >/dev/null; rc=$?
check restart_judges_new_sessions test "$rc" = 56
before=$(count "$TMP/video1"); sleep 3
check restart_keeps_old_block test "$(count "$TMP/video1")" = "$before"
check restart_lists_old_block /usr/bin/python3 -c "import json,sys; assert any(b['server_port'] == 8000 for b in json.loads(sys.argv[1])), sys.argv[1]" "$(CTL blocks --json)"

# --- a block ends with its session: a new connection on the same ports, once
#     the reset one is over, is a new session (judged, not dropped)
in_cli curl -s -m 3 --local-port 45678 "http://$SRV4:8080/blocked" >/dev/null; rc=$?
check reset_block_on_fixed_port test "$rc" = 56
sleep 1
in_cli curl -s -m 3 --local-port 45678 "http://$SRV4:8080/fine" >/dev/null; rc=$?
# hold_server never answers (curl times out either way) and logs each
# session when it ends: the new session must be its second line from port
# 45678; none means its SYN met the old block, a documented limit
sessions() { grep -c '^45678 ' "$TMP/hold.log" 2>/dev/null; }
for _ in $(seq 20); do [ "$(sessions)" -ge 2 ] && break; sleep 0.1; done
case "$(sessions)" in
2) ok new_session_on_blocked_ports ;;
1) skip new_session_on_blocked_ports "the ended session's block dropped the new one's SYN: docs/evasion.md, Under load and faults, 2. A drop block outlives its session" ;;
*) fail new_session_on_blocked_ports "$(sessions) sessions from port 45678 (curl exit $rc)" ;;
esac

# --- an invalid policy: urlctl apply refuses it before the daemon sees it;
#     SIGHUP makes the daemon read it itself, and refuse it: the old one enforces
echo 'block url (unclosed' > "$TMP/bad.rules"
CTL apply "$TMP/bad.rules" >/dev/null 2>&1; rc=$?
check invalid_apply_refused test "$rc" = 1
cp "$TMP/faults.rules" "$TMP/good.rules"
cat "$TMP/bad.rules" >> "$TMP/faults.rules"
kill -HUP "$DAEMON"; sleep 0.5
in_cli curl -s -m 3 "http://$SRV4:8080/blocked" >/dev/null; rc=$?
check invalid_reload_old_policy_enforces test "$rc" = 56
check invalid_reload_counted test "$(counter policy_reload_failures_total)" = 1
cp "$TMP/good.rules" "$TMP/faults.rules"
kill -TERM "$DAEMON"; wait "$DAEMON" 2>/dev/null
check clean_stop_unpins sh -c "[ -z \"\$(ls '$TMP/bpffs/url-enforcer')\" ]"

# --- a full disk: a 16 KiB tmpfs in the daemon's own mount namespace
mkdir -p "$TMP/logfs"
spawn "$NS_GW" sh -c "mount -t tmpfs -o size=16k tmpfs '$TMP/logfs' &&
	exec '$UE' -p '$TMP/faults.rules' -i gw-lan -s '$SOCK' -l '$TMP/logfs/d.log'"
DAEMON=${PIDS[-1]}
wait_ctl
LOGFILE=/proc/$(in_gw pgrep -f "^$UE -p $TMP/faults.rules -i gw-lan -s $SOCK -l $TMP/logfs" | head -1)/root$TMP/logfs/d.log
blocked=0
for i in $(seq 80); do
	in_cli curl -s -m 3 "http://$SRV4:8080/blocked?n=$i" >/dev/null
	[ $? = 56 ] && blocked=$((blocked + 1))
done
sleep 0.5
check full_disk_still_blocks test "$blocked" = 80
lost=$(counter log_lines_dropped_total)
written=$(counter log_lines_total)
check full_disk_lost_lines_counted test "$lost" -gt 0
check full_disk_counts_add_up test $((lost + written)) = 80
check full_disk_log_holds_what_was_written test "$(wc -l < "$LOGFILE")" = "$written"
: > "$LOGFILE"
in_cli curl -s -m 3 "http://$SRV4:8080/blocked?after=room" >/dev/null
sleep 0.5
check full_disk_logging_resumes grep -q 'after=room' "$LOGFILE"
exit 0
