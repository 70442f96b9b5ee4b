#!/usr/bin/env bash
# The capabilities packaging/url-enforcer.service grants are the ones the
# daemon needs: with exactly that bounding set (and no_new_privs, as the unit
# sets) it starts on a gateway and enforces, resets included; without any one
# of them it refuses to start. systemd is not PID 1 here, so the unit's other
# sandboxing is checked by systemd-analyze verify (install.sh) only.
source "$(dirname "$0")/lib.sh"
need curl setpriv

UNIT=$TOP/packaging/url-enforcer.service
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
[ -n "$CAPS" ] || { fail unit_caps "no CapabilityBoundingSet= in $UNIT"; exit 0; }

topology_up
mkdir -p "$TMP/www" && echo hello > "$TMP/www/index.html"
http_server "$NS_SRV" 80
# a server that never answers: the reset, not a response, ends the request
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/e2e/hold_server.py" 8000 "$TMP/hold.log"
wait_port "$NS_SRV" 8000
echo 'block path ^/blocked response=reset id=caps' > "$TMP/caps.rules"

# start_daemon SOCKET CAP...: the daemon on the gateway's LAN side with only
# CAP... in its bounding set; DPID is its pid (ip netns exec and setpriv exec).
start_daemon() {
	local sock=$1 set=-all c; shift
	for c in "$@"; do set+=",+$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"; done
	spawn "$NS_GW" setpriv --bounding-set="$set" --inh-caps=-all --no-new-privs -- \
		"$BUILD/url-enforcer" -i gw-lan -p "$TMP/caps.rules" -s "$sock" \
		-l "$TMP/decisions.log" 2>>"$TMP/daemon.err"
	DPID=$!
}
# serving SOCKET: wait until the daemon answers on SOCKET (0) or has exited (1).
serving() {
	while kill -0 "$DPID" 2>/dev/null; do
		[ -S "$1" ] && in_gw "$BUILD/urlctl" -s "$1" status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# shellcheck disable=SC2086 # one word a capability
start_daemon "$TMP/all.sock" $CAPS
if serving "$TMP/all.sock"; then
	ok "starts_with_${CAPS// /+}"
	check socket_mode_0660 test "$(stat -c %a "$TMP/all.sock")" = 660
	out=$(in_cli curl -s -m 5 "http://$SRV4/index.html")
	check allowed_passes test "$out" = hello
	in_cli curl -s -m 5 "http://$SRV4:8000/blocked"; rc=$?
	check reset_reaches_client test "$rc" = 56
	check block_enforced grep -q '"rule_id":"caps","response":"reset","enforced":true' \
		"$TMP/decisions.log"
	kill -TERM "$DPID"; wait "$DPID"; rc=$?
	check sigterm_exits_0 test "$rc" = 0
else
	wait "$DPID"
	fail "starts_with_${CAPS// /+}" "the daemon exited $? with the unit's capabilities"
fi

for drop in $CAPS; do
	# shellcheck disable=SC2086
	start_daemon "$TMP/$drop.sock" $(tr ' ' '\n' <<<"$CAPS" | grep -vx "$drop")
	if serving "$TMP/$drop.sock"; then
		fail "needs_$drop" "the daemon runs without $drop: drop it from the unit"
		kill -TERM "$DPID"; wait "$DPID"
	else
		wait "$DPID"; rc=$?
		[ "$rc" != 0 ] && ok "needs_$drop" || fail "needs_$drop" "exited 0 without $drop"
	fi
done
exit 0
