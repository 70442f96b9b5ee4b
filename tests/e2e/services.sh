#!/usr/bin/env bash
# `service` rules end to end: the shipped lists (the source tree's, as the
# installed ones) block YouTube by HTTP Host and TikTok by TLS SNI, a list
# beside the policy overrides an installed one, other hosts pass, one log
# line per blocked request; urlctl services lists every list and its count.
source "$(dirname "$0")/lib.sh"
need curl openssl
topology_up
export URL_ENFORCER_SERVICES=$TOP/examples/services

SOCK=$TMP/ctl.sock
LOG=$TMP/decisions.log
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }

mkdir -p "$TMP/www" "$TMP/services"
echo hello > "$TMP/www/index.html"
http_server "$NS_SRV" 80
tls_server "$NS_SRV" 443

# beside the policy: a "reddit" of our own replaces the shipped one
echo own-reddit.test > "$TMP/services/reddit.list"
cat > "$TMP/svc.rules" <<'R'
block service youtube,tiktok,reddit response=reset id=svc
R
# --hold: a blocked request never reaches the server, so no answer races the reset
spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -p "$TMP/svc.rules" -s "$SOCK" -l "$LOG" --workers 2 --hold
for _ in $(seq 50); do [ -S "$SOCK" ] && CTL status >/dev/null 2>&1 && break; sleep 0.1; done

http_host() { in_cli curl -s -m 5 -o /dev/null -w '%{http_code}' -H "Host: $1" "http://$SRV4/index.html"; }
tls_get() { (sleep 1; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) |
	in_cli timeout 5 openssl s_client -quiet -connect "$SRV4:443" -servername "$1" 2>/dev/null | head -1; }
blocked_lines() { grep -F "\"host\":\"$1\"" "$LOG" | grep -c '"rule_id":"svc","response":"reset","enforced":true'; }

check other_host_passes test "$(http_host www.example.test)" = 200
http_host www.youtube.com >/dev/null; rc=$?
check youtube_by_host_reset test "$rc" = 56
check youtube_short_link_reset test "$(http_host youtu.be)" = 000
check tls_other_sni_passes sh -c "echo '$(tls_get fine.test)' | grep -q 'HTTP/1.0 200'"
check tiktok_by_sni_blocked sh -c "! echo '$(tls_get www.tiktok.com)' | grep -q 'HTTP/1.0 200'"
check own_list_beside_policy sh -c "test \"\$(ip netns exec $NS_CLI curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Host: own-reddit.test' http://$SRV4/index.html)\" = 000"
check shipped_list_overridden test "$(http_host www.reddit.com)" = 200
sleep 0.5
check one_line_per_block sh -c "test $(blocked_lines www.youtube.com) = 1 && test $(blocked_lines youtu.be) = 1 &&
	test $(blocked_lines www.tiktok.com) = 1 && test $(blocked_lines own-reddit.test) = 1 &&
	test \$(grep -c '\"action\":\"block\"' '$LOG') = 4"

# urlctl services: every shipped list with its number of names
expected=$(for f in "$TOP"/examples/services/*.list; do
	printf '%s %s\n' "$(basename "$f" .list)" "$(grep -cv '^#' "$f")"; done)
got=$("$BUILD/urlctl" services | awk 'NR > 1 { print $1, $2 }')
check services_listed test "$got" = "$expected"
check services_beside_policy sh -c "'$BUILD/urlctl' services -p '$TMP/svc.rules' | grep -q '^reddit  *1  *$TMP/services/reddit.list'"
check services_json sh -c "'$BUILD/urlctl' services --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert len(r)==17 and all(set(x)=={\"service\",\"domains\",\"list\"} for x in r)'"
check unknown_service_positioned sh -c "printf 'default allow\nblock service youtube,nosuch\n' > '$TMP/bad.rules';
	'$BUILD/urlctl' check '$TMP/bad.rules' 2>&1 | grep -q '^$TMP/bad.rules:2:23: error: unknown service \"nosuch\"'"
exit $FAILED
