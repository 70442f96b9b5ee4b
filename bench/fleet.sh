#!/usr/bin/env bash
# make bench-fleet: a three-node JetStream cluster on loopback (temporary
# stores, high ports), then build/bench/fleet_bench against it; the figures
# go to bench/README.md. Everything it started is stopped at the end.
set -u
BUILD=${BUILD:-build}
source "$(dirname "$0")/../tests/nats_conf.sh"
TMP=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
command -v nats-server >/dev/null || { echo "bench-fleet needs nats-server: make deps"; exit 1; }
for n in 1 2 3; do
	mkdir -p "$TMP/n$n"
	nats_conf "$n" "127.0.0.1:$((24221 + n))" 26221 "$TMP/n$n" > "$TMP/n$n.conf"
	nats-server -c "$TMP/n$n.conf" >"$TMP/n$n.log" 2>&1 &
	PIDS+=($!)
done
URL=nats://127.0.0.1:24222,nats://127.0.0.1:24223,nats://127.0.0.1:24224
mkdir -p "$TMP/work"
# the cluster takes a few seconds to elect its leaders: the stream is created on first use
for _ in $(seq 50); do "$BUILD/tests/fleet_tool" read "$URL" url-enforcer.decisions.none \
	>/dev/null 2>&1 && break; sleep 0.3; done
echo "== nats-server $(nats-server --version | sed 's/.*v//'), 3 nodes, stream replicas 3;" \
	"$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
"$BUILD/bench/fleet_bench" "$URL" "$TMP/work" "${N:-100000}"
# the same against one server (stream replicas 1): what the cluster's replication costs
mkdir -p "$TMP/single" "$TMP/work1"
printf 'listen: 127.0.0.1:24225\njetstream { store_dir: "%s" }\n' "$TMP/single" > "$TMP/single.conf"
nats-server -c "$TMP/single.conf" >"$TMP/single.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do "$BUILD/tests/fleet_tool" read nats://127.0.0.1:24225 url-enforcer.decisions.none \
	>/dev/null 2>&1 && break; sleep 0.3; done
echo "== one server, stream replicas 1; load $(cut -d' ' -f1 /proc/loadavg)"
"$BUILD/bench/fleet_bench" nats://127.0.0.1:24225 "$TMP/work1" "${N:-100000}"
