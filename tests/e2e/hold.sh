#!/usr/bin/env bash
# --hold end to end: a blocked request never reaches the server (its own log
# shows it), allowed ones arrive byte-identical, without waiting for a
# retransmission, whether sent whole, byte by byte, pipelined or as a large
# POST body; TLS by SNI likewise.
source "$(dirname "$0")/lib.sh"
need openssl
topology_up

SOCK=$TMP/ctl.sock
LOG=$TMP/decisions.log
SEEN=$TMP/server.log
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
CLIENT() { in_cli /usr/bin/python3 "$TOP/tests/e2e/hold_client.py" "$SRV4" "$@"; }

test_cert
touch "$SEEN"
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/hold_sink.py" 80 443 "$TMP/cert.pem" \
	"$TMP/key.pem" "$SEEN"
wait_port "$NS_SRV" 80 && wait_port "$NS_SRV" 443

cat > "$TMP/hold.rules" <<'R'
block path ^/bad id=bad
block path ^/reset response=reset id=reset-rule
block host ^blocked\.test$ id=sni
R
spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -p "$TMP/hold.rules" -s "$SOCK" -l "$LOG" \
	--workers 2 --hold
DAEMON_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && CTL status >/dev/null 2>&1 && break; sleep 0.1; done

never_seen() { ! grep -q -- "$1" "$SEEN"; }

# --- HTTP, whole requests
check allowed_passes test "$(CLIENT 80 whole 'GET /fine')" = ok
out=$(CLIENT 80 whole 'GET /bad')
check blocked_not_answered test "$out" = timeout
check blocked_never_reaches_server never_seen 'GET /bad'
check blocked_logged grep -q '"target":"/bad".*"action":"block"' "$LOG"

# --- IPv6
CLIENT6() { in_cli /usr/bin/python3 "$TOP/tests/e2e/hold_client.py" "$SRV6" "$@"; }
check ipv6_allowed_passes test "$(CLIENT6 80 bytes 'GET /v6-ok' 'GET /v6-ok2')" = "ok
ok"
CLIENT6 80 whole 'GET /bad-v6' >/dev/null
check ipv6_blocked_never_reaches_server never_seen 'GET /bad-v6'

# --- keep-alive: the second request on an allowed connection is judged too
out=$(CLIENT 80 whole 'GET /first' 'GET /bad-second')
check keepalive_first_answered sh -c "echo '$out' | head -1 | grep -qx ok"
check keepalive_second_never_reaches_server never_seen 'GET /bad-second'

# --- one byte a segment: the sender's window never stalls on the hold
check bytes_allowed_passes test "$(CLIENT 80 bytes 'GET /tiny-ok' 'GET /tiny-ok2')" = "ok
ok"
CLIENT 80 bytes 'GET /bad-tiny' >/dev/null
check bytes_blocked_never_reaches_server never_seen 'GET /bad-tiny'
CLIENT 80 bytes 'GET /tiny-fine' 'GET /bad-tiny-second' >/dev/null
check bytes_keepalive_second_never_reaches_server never_seen 'GET /bad-tiny-second'
check bytes_keepalive_first_reached grep -q 'GET /tiny-fine' "$SEEN"

# --- pipelined: allowed ones all answered; a segment that completes a
# blocked request is never released, with whatever else it carries
check pipelined_allowed_answered test "$(CLIENT 80 pipelined 'GET /pipe-1' 'GET /pipe-2')" = "ok
ok"
CLIENT 80 pipelined 'GET /pipe-ok' 'GET /bad-piped' 'GET /after-bad' >/dev/null
check pipelined_blocked_never_reaches_server never_seen 'GET /bad-piped'
check pipelined_after_blocked_never_reaches_server never_seen 'GET /after-bad'

# --- large POST: byte-identical at the server
sent=$(CLIENT 80 whole 'POST /upload 3000000' 2>"$TMP/sent.sha")
check large_post_answered test "$sent" = "$(cat "$TMP/sent.sha")"
check large_post_identical_at_server grep -q "POST /upload $(cat "$TMP/sent.sha")" "$SEEN"
sent=$(CLIENT 80 bytes 'POST /small-post 300' 2>"$TMP/sent2.sha")
check small_post_bytes_identical grep -q "POST /small-post $(cat "$TMP/sent2.sha")" "$SEEN"

# --- reset: the RST to the server lands although the request was withheld
out=$(CLIENT 80 whole 'GET /reset')
check reset_client_sees_reset test "$out" = reset
check reset_never_reaches_server never_seen 'GET /reset'

# --- TLS by SNI: a blocked ClientHello never reaches the server
tls() { in_cli sh -c "printf 'GET /tls HTTP/1.0\r\nHost: x\r\n\r\n' | timeout 3 openssl s_client \
	-quiet -connect $SRV4:443 -servername $1 2>/dev/null"; }
check tls_allowed_passes sh -c "$(declare -f tls in_cli); NS_CLI=$NS_CLI SRV4=$SRV4 tls fine.test | grep -qx ok"
check tls_allowed_sni_seen grep -q 'SNI fine.test' "$SEEN"
tls blocked.test >/dev/null
check tls_blocked_never_reaches_server never_seen 'SNI blocked.test'

# --- counters
sleep 0.3
stats=$(CTL stats)
check counters_held sh -c "echo '$stats' | grep -E '^hold_held_total' | grep -vq ' 0$'"
check counters_reinjected sh -c "echo '$stats' | grep -E '^hold_reinjected_total' | grep -vq ' 0$'"
check counters_marked_passed sh -c "echo '$stats' | grep -E '^hold_marked_passed_total' | grep -vq ' 0$'"
check counters_dropped sh -c "echo '$stats' | grep -E '^hold_dropped_total' | grep -vq ' 0$'"
check no_release_failures sh -c "echo '$stats' | grep -E '^hold_release_failures_total' | grep -q ' 0$'"
# --- --fail open: the daemon gone (its TC programs stay, nobody releases),
# flows are let go once the heartbeat is stale, through the sender's
# retransmissions: a request started right after the crash completes
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null
out=$(in_cli /usr/bin/python3 - "$SRV4" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=30)
s.sendall(b"GET /after-crash HTTP/1.1\r\nHost: x\r\n\r\n")
print(s.recv(4096).decode().split("\r\n")[0])
PY
)
check fail_open_daemon_gone_not_wedged test "$out" = "HTTP/1.1 200 OK"
check fail_open_bad_still_never_reached never_seen 'GET /bad'
[ "$FAILED" = 0 ]
