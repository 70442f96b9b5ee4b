#!/usr/bin/env bash
# Evasion: requests cut, reordered, overlapped, fragmented or disguised so
# that the gateway might see something else than the server does. Each case
# is judged against what the server really received (nginx's access log
# for HTTP, the name OpenSSL read for TLS): whenever the server got the
# blocked URL, the daemon must have blocked the session. Cases the design
# cannot catch are reported as skipped and listed in docs/evasion.md.
#
# Raw TCP comes from tests/evasion/cases.py (scapy) in the client namespace,
# whose kernel is kept from resetting those sessions by an nft rule there.
source "$(dirname "$0")/lib.sh"
need nginx nft tcpdump openssl
/usr/bin/python3 -c 'import scapy' 2>/dev/null || { fail setup "python3-scapy missing: make deps installs it"; exit 1; }
topology_up

SOCK=$TMP/ctl.sock
LOG=$TMP/decisions.log
CASES=$TOP/tests/evasion/cases.py
GW_MAC=$(ip -n "$NS_GW" -br link show gw-lan | awk '{print $3}')

# the client's kernel does not know the hand-made sessions: no RSTs from it
in_cli nft -f - <<'N'
table inet evasion {
	chain out {
		type filter hook output priority 0;
		tcp sport 40000-49999 tcp flags rst drop
	}
}
N

# nginx: its $host and $uri are what a server makes of a request
nginx_server "$NS_SRV" "
	log_format ev '\$remote_port \$host \$uri \"\$request\"';
	access_log $TMP/server.log ev;
	server {
		listen 80;
		listen [::]:80;
		location / { return 200 \"ok \$uri\n\"; }
	}" || { fail setup "nginx did not start: $(cat "$TMP/nginx/error.log")"; exit 1; }
test_cert
# an application server: its host is the Host header, whatever the target says
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/evasion/host_server.py" 8080 "$TMP/app.log"
wait_port "$NS_SRV" 8080
spawn "$NS_SRV" /usr/bin/python3 "$TOP/tests/evasion/sni_server.py" 443 "$TMP/cert.pem" \
	"$TMP/key.pem" "$TMP/sni.log"
wait_port "$NS_SRV" 443

cat > "$TMP/evasion.rules" <<'R'
block path ^/blocked id=path
block host ^evil\.test$ id=host
R
# -p first: other runs' tests look for "url-enforcer -i gw-lan" to stop theirs
spawn "$NS_GW" "$BUILD/url-enforcer" -p "$TMP/evasion.rules" -i gw-lan -s "$SOCK" -l "$LOG"
DAEMON=${PIDS[-1]}
for _ in $(seq 50); do in_gw "$BUILD/urlctl" -s "$SOCK" status >/dev/null 2>&1 && break; sleep 0.1; done

# server_saw PORT: did the server get the blocked URL from client port PORT?
server_saw() {
	cat "$TMP/server.log" "$TMP/app.log" 2>/dev/null | grep -qiE "^$1 ([^ ]+ /blocked|evil\.test )" ||
		grep -qiE "^$1 evil\.test\.?$" "$TMP/sni.log" 2>/dev/null
}
daemon_blocked() {
	grep "\"client_port\":$1," "$LOG" | grep -q '"action":"block"'
}

declare -a SPECS
declare -A KIND

# judge NAME PORT KIND: KIND must (the attack gets the blocked URL to the
# server unless the daemon stops it first: the daemon must block), either
# (the server may keep the innocent copy; if it got the blocked one, the
# daemon must block), dropped (the TC program drops it: the server never
# gets it) or limit:N (limit N of "Limits of the design" in docs/evasion.md)
# limit_title N: the bold title of limit N of "Limits of the design"
limit_title() {
	sed -n '/^## Limits of the design/,/^## /p' "$TOP/docs/evasion.md" |
		sed -n "s/^$1\. \*\*\([^*]*\)\*\*.*/\1/p"
}

judge() {
	local name=${1//:/_} port=$2 kind=$3
	if [ -z "$port" ]; then
		fail "$name" "the case did not run: $(grep -F "$1:" "$TMP/cases.err" | tail -1)"
	elif [ "$kind" = dropped ]; then
		if server_saw "$port"; then fail "$name" "the server got it"; else ok "$name"; fi
	elif daemon_blocked "$port"; then
		ok "$name"
	elif server_saw "$port"; then
		if [[ $kind == limit:* ]]; then
			skip "$name" "the server got the blocked URL, the daemon allowed it: docs/evasion.md, Limits of the design, ${kind#limit:}. $(limit_title "${kind#limit:}")"
		else
			fail "$name" "the server got the blocked URL, the daemon allowed it"
		fi
	elif [ "$kind" = must ]; then
		fail "$name" "neither the server got the blocked URL nor did the daemon block (see $TMP/server.log)"
	else
		ok "$name"
	fi
}

# CASE[:v6][:PORT] KIND, KIND as judge() takes it; ports: 80 nginx, 8080 the
# application server, 443 the TLS server
while read -r spec kind; do
	[ -n "$spec" ] && SPECS+=("$spec") && KIND[$spec]=$kind
done <<'C'
one_byte_segments must
out_of_order must
overlap_same_start must
overlap_covering must
overlap_partial must
retransmit_innocent_first either
retransmit_blocked_first must
ipv4_fragments must
ipv4_tiny_fragments_reversed must
ipv6_fragments:v6 dropped
ipv6_fragments_reversed:v6 dropped
tcp_options must
urgent_byte must
decoy_bad_checksum must
decoy_without_ack must
decoy_ttl_expires limit:1
decoy_bad_ack limit:1
decoy_out_of_window limit:1
percent_unreserved must
upper_case_path must
dot_segment must
dot_dot_segment must
encoded_dot_dot must
double_slash must
iis_percent_u either
upper_case_host must
host_trailing_dot must
host_with_port must
host_percent either
two_hosts either
two_hosts:8080 either
absolute_target must
absolute_target_host_header either
absolute_target_host_header:8080 must
absolute_upper_case must
absolute_target_path must
encoded_slash_dot_dot either
backslash_dot_dot either
http_0_9 either
lower_case_method either
folded_host either
pipelined_after_body must
chunked_wins_over_length must
chunk_extension must
tls_records:443 must
tls_records_one_byte_segments:443 must
tls_records_out_of_order:443 must
tls_sni_upper_case:443 must
tls_sni_trailing_dot:443 must
C
in_cli /usr/bin/python3 "$CASES" cli0 "$GW_MAC" $CLI4 $SRV4 $CLI6 $SRV6 "${SPECS[@]}" \
	>"$TMP/ports" 2>"$TMP/cases.err"
sleep 0.5
for spec in "${SPECS[@]}"; do
	judge "$spec" "$(awk -v s="$spec" '$1 == s && $2 != 0 {print $2}' "$TMP/ports")" \
		"${KIND[$spec]}"
done
check daemon_survived kill -0 "$DAEMON"
stats=$(in_gw "$BUILD/urlctl" -s "$SOCK" stats --json)
check ipv6_fragments_counted /usr/bin/python3 -c "import json,sys; s=json.loads(sys.argv[1]); assert s['fragment_drops_total']>=2, s" "$stats"
check ambiguous_counted /usr/bin/python3 -c "import json,sys; s=json.loads(sys.argv[1]); assert s['ambiguous_decisions_total']>=3, s" "$stats"
check ambiguous_logged grep -q '"action":"block","rule":null,"rule_id":null,"response":"drop","enforced":true,"reason":"ambiguous"' "$LOG"
exit 0
