# Shared by the end-to-end scripts: throw-away hosts in network namespaces,
# a registry of started processes, and a trap that always tears down.
#
#   client (10.77.1.2, fd77:1::2) --veth-- gateway --veth-- server (10.77.2.2, fd77:2::2)
#                      gateway: 10.77.1.1 / fd77:1::1 (LAN side, "gw-lan")
#                               10.77.2.1 / fd77:2::1 (server side, "gw-wan")
#
# Namespace names carry this shell's pid, so tests can run side by side.
set -u
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
ID=$$
NS_CLI="ue${ID}cli"; NS_GW="ue${ID}gw"; NS_SRV="ue${ID}srv"
CLI4=10.77.1.2 GW_LAN4=10.77.1.1 GW_WAN4=10.77.2.1 SRV4=10.77.2.2
CLI6=fd77:1::2 GW_LAN6=fd77:1::1 GW_WAN6=fd77:2::1 SRV6=fd77:2::2
PIDS=()
NAMESPACES=()
TMP=$(mktemp -d)
# every daemon a test starts keeps its pauses and report here, not in /var/lib
export STATE_DIRECTORY=$TMP/state
E2E_NAME=$(basename "$0" .sh)

ok()   { echo "ok   e2e/$E2E_NAME/$1"; }
fail() { echo "FAIL e2e/$E2E_NAME/$1: ${2:-}"; FAILED=1; }
skip() { echo "skip e2e/$E2E_NAME/$1: ${2:-}"; }
FAILED=0

# need CMD...: every CMD is installed, or the script fails: `make deps`
# installs them all (DEB_PKGS), so a missing one is a broken setup, never
# a reason to skip what the script tests
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || { fail setup "$c missing: make deps installs it"; exit 1; }
	done
}

# check NAME COMMAND...: ok if COMMAND succeeds, else FAIL with its output
check() {
	local name=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
}

# crashed_processes: a FAIL line for each started process that died of a
# signal no test sends on purpose (a crash, an abort), before teardown
crashed_processes() {
	local p rc
	for p in "${PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && continue
		wait "$p" 2>/dev/null
		rc=$?
		case "$rc" in
		129|130|137|143) ;;          # HUP, INT, KILL, TERM: sent by a test
		1[3-5][0-9]) fail "process_$p" "died of SIG$(kill -l $((rc - 128))) (exit $rc)" ;;
		esac
	done
}

teardown() {
	local p ns
	crashed_processes
	# children too: a wrapper (faketime, sh -c) may have forked the real process
	for p in "${PIDS[@]}"; do pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# spawn NS COMMAND...: start COMMAND in the background inside namespace NS
spawn() {
	local ns=$1; shift
	ip netns exec "$ns" "$@" &
	PIDS+=($!)
}

in_cli() { ip netns exec "$NS_CLI" "$@"; }
in_gw()  { ip netns exec "$NS_GW" "$@"; }
in_srv() { ip netns exec "$NS_SRV" "$@"; }

topology_up() {
	local ns
	for ns in "$NS_CLI" "$NS_GW" "$NS_SRV"; do
		ip netns add "$ns" || return 1
		NAMESPACES+=("$ns")
		ip -n "$ns" link set lo up
	done
	ip link add cli0 netns "$NS_CLI" type veth peer name gw-lan netns "$NS_GW"
	ip link add gw-wan netns "$NS_GW" type veth peer name srv0 netns "$NS_SRV"
	ip -n "$NS_CLI" addr add $CLI4/24 dev cli0
	ip -n "$NS_CLI" addr add $CLI6/64 dev cli0 nodad
	ip -n "$NS_GW" addr add $GW_LAN4/24 dev gw-lan
	ip -n "$NS_GW" addr add $GW_LAN6/64 dev gw-lan nodad
	ip -n "$NS_GW" addr add $GW_WAN4/24 dev gw-wan
	ip -n "$NS_GW" addr add $GW_WAN6/64 dev gw-wan nodad
	ip -n "$NS_SRV" addr add $SRV4/24 dev srv0
	ip -n "$NS_SRV" addr add $SRV6/64 dev srv0 nodad
	for ns in "$NS_CLI:cli0" "$NS_GW:gw-lan" "$NS_GW:gw-wan" "$NS_SRV:srv0"; do
		ip -n "${ns%%:*}" link set "${ns#*:}" up
	done
	ip -n "$NS_CLI" route add default via $GW_LAN4
	ip -n "$NS_CLI" -6 route add default via $GW_LAN6
	ip -n "$NS_SRV" route add default via $GW_WAN4
	ip -n "$NS_SRV" -6 route add default via $GW_WAN6
	in_gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# wait_port NS PORT: until something listens on TCP PORT in NS (5 s at most)
wait_port() {
	for _ in $(seq 50); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# http_server NS PORT: python's http.server serving $TMP/www, access log in $TMP/access-PORT.log
http_server() {
	mkdir -p "$TMP/www"
	( cd "$TMP/www" && exec ip netns exec "$1" /usr/bin/python3 -m http.server "$2" --bind :: \
		>"$TMP/access-$2.log" 2>&1 ) &
	PIDS+=($!)
	wait_port "$1" "$2"
}

# test_cert: a throw-away self-signed certificate, $TMP/cert.pem and $TMP/key.pem
test_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test -days 1 \
		-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
}

# tls_server NS PORT: openssl s_server -www (a status page for each GET) on
# PORT in NS with test_cert's certificate; waits until it listens
tls_server() {
	[ -e "$TMP/cert.pem" ] || test_cert
	spawn "$1" openssl s_server -quiet -accept "$2" -cert "$TMP/cert.pem" -key "$TMP/key.pem" -www
	wait_port "$1" "$2"
}

# tls_server NS PORT: openssl s_server with a fresh self-signed certificate;
# it answers a GET with a status page ("HTTP/1.0 200 ok")
tls_server() {
	[ -f "$TMP/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test \
		-days 1 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
	spawn "$1" openssl s_server -quiet -accept "$2" -cert "$TMP/cert.pem" -key "$TMP/key.pem" -www
	wait_port "$1" "$2"
}

# daemon_pid PATTERN: the url-enforcer whose command line holds PATTERN
# (the daemon itself, not a wrapper such as faketime, which forks)
daemon_pid() { pgrep -f "^$BUILD/url-enforcer .*$1" | head -1; }
# stop_daemon PATTERN [SIGNAL]: signal it (TERM) and wait until it is gone
stop_daemon() {
	local pid
	pid=$(daemon_pid "$1")
	[ -n "$pid" ] || return 1
	kill -"${2:-TERM}" "$pid"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
# wait_ctl NS SOCKET: until a daemon answers urlctl status there (5 s at most)
wait_ctl() {
	for _ in $(seq 50); do
		ip netns exec "$1" "$BUILD/urlctl" -s "$2" status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# nginx_server NS HTTP [WORKERS [COMMAND...]]: nginx in NS (started through
# COMMAND..., e.g. nice) with the directives HTTP inside http {}; its files
# under $TMP/nginx; waits until it listens on port 80
nginx_server() {
	local ns=$1 http=$2 workers=${3:-1}
	shift $(($# < 3 ? $# : 3))
	mkdir -p "$TMP/nginx"
	cat > "$TMP/nginx/nginx.conf" <<N
daemon off;
worker_processes $workers;
worker_rlimit_nofile 65536;
user root;
pid $TMP/nginx/pid;
error_log $TMP/nginx/error.log;
events { worker_connections 16384; }
http {
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
$http
}
N
	spawn "$ns" "$@" nginx -c "$TMP/nginx/nginx.conf"
	wait_port "$ns" 80
}

# blk_tool_start ARG... IFACE: tests/tools/blk_tool on the gateway as a
# coprocess (attaches the blocklist programs to IFACE); waits for "ready".
# BLK_TOOL_PID is its pid.
blk_tool_start() {
	coproc BLK { exec ip netns exec "$NS_GW" "$BUILD/tests/blk_tool" "$@" 2>>"$TMP/blk.err"; }
	BLK_TOOL_PID=$BLK_PID     # bash unsets BLK_PID once the coprocess is reaped
	PIDS+=("$BLK_TOOL_PID")
	local line
	read -r -t 10 line <&"${BLK[0]}" && [ "$line" = ready ]
}

# blk_tool CMD...: one command to the running blk_tool, its reply line on stdout
blk_tool() {
	local line
	echo "$*" >&"${BLK[1]}"
	read -r -t 5 line <&"${BLK[0]}" || return 1
	echo "$line"
}
