#!/usr/bin/env bash
# make demo: a throw-away client / gateway / server in network namespaces,
# url-enforcer on the gateway with examples/parental.rules, and a few
# requests from a kid's laptop: what the client saw beside the decision-log
# line; a service blocked by name; the internet paused and resumed; then
# urlctl status, blocks, report and stats. Everything is torn down at the
# end, Ctrl-C included.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
source "$TOP/tests/e2e/lib.sh"
# The kid's laptop: an address in parental.rules' "kids" group.
CLI4=192.168.1.34 GW_LAN4=192.168.1.1
topology_up
SOCK=$TMP/control.sock
LOG=$TMP/decisions.log
B=$(tput bold 2>/dev/null) N=$(tput sgr0 2>/dev/null)

spawn "$NS_SRV" sh -c "exec /usr/bin/python3 $TOP/examples/demo/server.py 80 2>/dev/null"
wait_port "$NS_SRV" 80
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=demo -days 1 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
spawn "$NS_SRV" openssl s_server -quiet -accept 443 -cert "$TMP/cert.pem" -key "$TMP/key.pem" -www
wait_port "$NS_SRV" 443
# At bedtime by the rules (nights, weekend mornings) every request below
# would get the pause page: the demo then runs a copy with those lines
# commented out (the others keep their line numbers).
RULES=$TOP/examples/parental.rules
RULES_NOTE="(its bedtime is not now)"
if "$BUILD/urlctl" test -p "$RULES" --client "$CLI4" http://www.wikipedia.org/ | grep -q 'id=bedtime'; then
	cp -r "$TOP/examples" "$TMP/examples"
	RULES=$TMP/examples/parental.rules
	sed -i 's/^block all .*id=bedtime/# &/' "$RULES"
	RULES_NOTE="with its bedtime lines commented out: by them the internet would be paused now"
fi
spawn "$NS_GW" "$BUILD/url-enforcer" -i gw-lan -p "$RULES" -s "$SOCK" -l "$LOG"
for _ in $(seq 50); do in_gw "$BUILD/urlctl" -s "$SOCK" status >/dev/null 2>&1 && break; sleep 0.1; done

echo
echo "${B}url-enforcer demo${N}: client $CLI4 (a kid's laptop) -> gateway -> server $SRV4"
echo "rules: examples/parental.rules $RULES_NOTE; local time $(date '+%a %H:%M')"

step() {   # step TITLE COMMAND...: run the client command, show its result and the new log lines
	local before
	before=$(wc -l < "$LOG")
	echo
	echo "${B}== $1${N}"
	shift
	echo "\$ ${*}"
	in_cli "$@" 2>&1 | head -4 | sed 's/^/  client saw: /'
	echo "  (exit ${PIPESTATUS[0]})"
	sleep 0.3
	tail -n +$((before + 1)) "$LOG" | sed 's/^/  log: /'
}

step "allowed: homework site" curl -s -m 3 -H 'Host: www.wikipedia.org' "http://$SRV4/wiki/Cat"
step "blocked by service (roblox), block page" curl -s -m 3 -H 'Host: www.roblox.com' "http://$SRV4/games"
step "blocked by domain list" curl -s -m 3 -H 'Host: www.instagram.com' "http://$SRV4/"
step "blocked by regex: YouTube Shorts" curl -s -m 3 -H 'Host: www.youtube.com' "http://$SRV4/shorts/abc123"
step "keep-alive: a second request on the same connection" \
	curl -s -m 3 -H 'Host: www.youtube.com' "http://$SRV4/watch?v=1" "http://$SRV4/shorts/xyz"
step "TLS: blocked by SNI (page acts as reset)" \
	sh -c "(sleep 1; printf 'GET / HTTP/1.0\r\n\r\n') | timeout 4 openssl s_client -quiet -connect $SRV4:443 -servername www.tiktok.com 2>&1 | tail -2"
step "ads: reset for everyone" curl -s -m 3 -H 'Host: ad.doubleclick.net' "http://$SRV4/ad.js"

ctl() {   # ctl ARGS...: an urlctl command on the gateway, shown as typed
	echo
	echo "${B}\$ urlctl $*${N}"
	in_gw "$BUILD/urlctl" -s "$SOCK" "$@"
}

ctl pause "$CLI4" --for 30m
step "paused: no ping" ping -c 1 -W 1 "$SRV4"
step "paused: the page says until when" curl -s -m 3 -H 'Host: www.wikipedia.org' "http://$SRV4/wiki/Cat"
ctl paused
ctl resume all
step "resumed: ping again" ping -c 1 -W 1 "$SRV4"
ctl report --client "$CLI4"

for c in status blocks stats; do
	echo
	echo "${B}\$ urlctl $c${N}"
	in_gw "$BUILD/urlctl" -s "$SOCK" "$c"
done
echo
echo "tearing down the namespaces"
