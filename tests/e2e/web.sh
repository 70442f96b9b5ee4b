#!/usr/bin/env bash
# The dashboard (urlctl web) in a real browser against the real daemon: the
# page loads, shows a block that just happened and unblocks it, pause and
# resume work end to end, hostile hosts render as text; and from curl: the
# CSRF token, --auth, a non-loopback listen without auth, no capabilities.
source "$(dirname "$0")/lib.sh"
need curl chromium chromedriver mkpasswd ping
topology_up

SOCK=$TMP/ctl.sock
LOG=$TMP/decisions.log
WEB=http://127.0.0.1:8380
CTL() { in_gw "$BUILD/urlctl" -s "$SOCK" "$@"; }
BROWSER() { in_gw /usr/bin/python3 "$TOP/tests/e2e/web_browser.py" "$WEB/" "$@"; }

mkdir -p "$TMP/www"
echo hello > "$TMP/www/index.html"
http_server "$NS_SRV" 80
cat > "$TMP/web.rules" <<'R'
block host ^blocked\.test$ response=reset id=blocked-site
block host script response=reset id=hostile
R
spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -p "$TMP/web.rules" -s "$SOCK" -l "$LOG"
for _ in $(seq 50); do [ -S "$SOCK" ] && CTL status >/dev/null 2>&1 && break; sleep 0.1; done
spawn "$NS_GW" "$BUILD/urlctl" -s "$SOCK" web
WEB_PID=${PIDS[-1]}
wait_port "$NS_GW" 8380 || fail web_listens "nothing on 8380"

# --- the process: no capabilities at all, though started as root
web_pid=$(pgrep -f "urlctl -s $SOCK web" | head -1)
check web_has_no_capabilities grep -q '^CapEff:	0000000000000000' "/proc/$web_pid/status"
check web_cannot_regain_privileges grep -q '^NoNewPrivs:	1' "/proc/$web_pid/status"

# --- the page in a browser
BROWSER loads "${WEB_SCREENSHOT:-$TMP/dashboard.png}"

# --- a block that just happened shows, and the page unblocks it
in_cli curl -s -m 2 -o /dev/null -H 'Host: blocked.test' "http://$SRV4/"
check block_logged grep -q '"rule_id":"blocked-site"' "$LOG"
BROWSER block "$CLI4" "web.rules:1"

check unblock_removed_entry sh -c "! ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' blocks | grep -q '$CLI4'"

# --- pause and resume from the page: the client's traffic stops and returns
check ping_before_pause in_cli ping -c1 -W1 "$SRV4"
BROWSER pause "$CLI4" ip netns exec "$NS_CLI" ping -c1 -W1 "$SRV4"
check resume_cleared_in_daemon sh -c "! ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' paused | grep -q '$CLI4'"

# --- hosts off the wire are text on the page, never markup
in_cli curl -s -m 2 -o /dev/null -H 'Host: <img/src=x/onerror=window.__pwned=1>script.test' "http://$SRV4/"
in_cli curl -s -m 2 -o /dev/null -H 'Host: <script>window.__pwned=1</script>' "http://$SRV4/"
check hostile_hosts_blocked test "$(grep -c '"rule_id":"hostile"' "$LOG")" = 2
# (as the report keeps them: '/' escaped by the normalizer, long names cut)
BROWSER xss '<img%2Fsrc=x%2Fonerror=window.__pwned=1' img_onerror
BROWSER xss '<script>window.__pwned=1<%2Fscript>' script_tag

# --- actions need the token and a JSON body
token=$(in_gw curl -s "$WEB/api/session" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
post() { in_gw curl -s -o /dev/null -w '%{http_code}' -X POST "$@"; }
check post_without_token_refused test "$(post -H 'Content-Type: application/json' -d '{"mode":"audit"}' "$WEB/api/mode")" = 403
check post_wrong_token_refused test "$(post -H 'Content-Type: application/json' -H 'X-CSRF-Token: 00' -d '{"mode":"audit"}' "$WEB/api/mode")" = 403
check post_form_body_refused test "$(post -H "X-CSRF-Token: $token" -d 'mode=audit' "$WEB/api/mode")" = 403
check mode_still_enforce sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' status | grep -q '^mode  *enforce'"
check post_with_token_acts test "$(post -H 'Content-Type: application/json' -H "X-CSRF-Token: $token" -d '{"mode":"audit"}' "$WEB/api/mode")" = 200
check mode_switched_by_api sh -c "ip netns exec $NS_GW '$BUILD/urlctl' -s '$SOCK' status | grep -q '^mode  *audit'"
CTL mode enforce >/dev/null
big=$(head -c 8000 /dev/zero | tr '\0' a)
check oversized_body_refused test "$(post -H 'Content-Type: application/json' -H "X-CSRF-Token: $token" -d "{\"mode\":\"$big\"}" "$WEB/api/mode")" = 413
check get_on_action_refused test "$(in_gw curl -s -o /dev/null -w '%{http_code}' "$WEB/api/mode")" = 405
check api_status_json sh -c "ip netns exec $NS_GW curl -s '$WEB/api/status' | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); assert s[\"mode\"]==\"enforce\" and s[\"generation\"]>=1'"
check csp_header sh -c "ip netns exec $NS_GW curl -sI '$WEB/' | grep -qi \"^content-security-policy: default-src 'none'; script-src 'self'\""

# --- listening beyond loopback takes --auth
out=$(in_gw "$BUILD/urlctl" -s "$SOCK" web --listen "$GW_LAN4:8381" 2>&1); rc=$?
check non_loopback_without_auth_refused test "$rc" = 2 -a "$(echo "$out" | wc -l)" = 1
echo "parent:$(mkpasswd -m yescrypt 'good horse')" > "$TMP/web.auth"
spawn "$NS_GW" "$BUILD/urlctl" -s "$SOCK" web --listen "$GW_LAN4:8381" --auth "$TMP/web.auth"
wait_port "$NS_GW" 8381
code() { in_cli curl -s -o /dev/null -w '%{http_code}' "$@"; }
check auth_none_401 test "$(code "http://$GW_LAN4:8381/api/status")" = 401
check auth_wrong_401 test "$(code -u parent:bad "http://$GW_LAN4:8381/api/status")" = 401
check auth_unknown_user_401 test "$(code -u child:'good horse' "http://$GW_LAN4:8381/api/status")" = 401
check auth_right_200 test "$(code -u parent:'good horse' "http://$GW_LAN4:8381/api/status")" = 200
check auth_page_too test "$(code "http://$GW_LAN4:8381/")" = 401
echo 'parent:plaintext' > "$TMP/bad.auth"
out=$(in_gw "$BUILD/urlctl" -s "$SOCK" web --auth "$TMP/bad.auth" 2>&1); rc=$?
check auth_file_error_positioned sh -c "test $rc = 1 && echo '$out' | grep -q 'bad.auth:1: error: not a crypt(3) hash'"

kill "$WEB_PID" 2>/dev/null
exit $FAILED
