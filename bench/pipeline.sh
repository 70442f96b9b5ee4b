#!/usr/bin/env bash
# make bench-pipeline: the offline data path on one core against a
# deterministic capture of >= 1M requests (bench/gen_pcap.c: browser-like
# mixed sizes, keep-alive, some TLS), then the pipeline alone on a second one
# with curl-like small requests (the cost per request head), beside a
# libpcap read-only loop measured in the same run (pipeline_bench), then the
# whole daemon (--pcap with an allow-all policy, and with examples/ rules if
# present), tshark and ndpiReader on the same file. Times are CPU seconds
# (user + sys) of each process, so the rates are per core.
#   REQUESTS=1000000 bash bench/pipeline.sh
set -eu
BUILD=${BUILD:-build}
REQUESTS=${REQUESTS:-1000000}
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/ue-bench-pipeline.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PCAP=$WORK/bench.pcap

"$BUILD/bench/gen_pcap" "$PCAP" "$REQUESTS" | tee "$WORK/gen.txt"
read -r requests _ packets _ < "$WORK/gen.txt"
echo "capture: $(du -m "$PCAP" | cut -f1) MiB"
echo
echo "== the pipeline alone (decode, flows, reassembly, HTTP/TLS parsers; no policy)"
"$BUILD/bench/pipeline_bench" "$PCAP" 3

# cpu_run NAME COMMAND...: CPU seconds and peak RSS of COMMAND, output discarded
cpu_run() {
	local name=$1; shift
	/usr/bin/time -f '%U %S %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || {
		echo "$name: failed: $(tail -2 "$WORK/err")"; return 0; }
	read -r user sys rss < "$WORK/time"
	awk -v n="$name" -v u="$user" -v s="$sys" -v r="$rss" -v q="$requests" -v p="$packets" \
		-v base="${BASE_CPU:-0}" 'BEGIN {
		t = u + s; if (t <= 0) t = 0.001
		printf "%-44s %7.2f s  %6.2f M packets/s  %6.3f M requests/s  peak %6.1f MiB", \
			n, t, p / t / 1e6, q / t / 1e6, r / 1024
		if (base > 0) printf "  (%.1fx url-enforcer)", t / base
		printf "\n" }'
}

echo
echo "== whole programs on the same capture (CPU time, one core each)"
printf 'default allow\n' > "$WORK/allow-all.rules"
cpu_run "url-enforcer --pcap (allow-all)" \
	"$BUILD/url-enforcer" --pcap "$PCAP" -p "$WORK/allow-all.rules" -l /dev/null
BASE_CPU=$(awk '{ print $1 + $2 }' "$WORK/time")
for rules in "$TOP"/examples/*.rules; do
	[ -e "$rules" ] || continue
	cpu_run "url-enforcer --pcap ($(basename "$rules"))" \
		"$BUILD/url-enforcer" --pcap "$PCAP" -p "$rules" -l /dev/null
done
if command -v tshark >/dev/null; then
	cpu_run "tshark -Y http.request" \
		tshark -r "$PCAP" -Y http.request -T fields -e http.host
else
	echo "tshark: not installed"
fi
if command -v ndpiReader >/dev/null; then
	cpu_run "ndpiReader -i" ndpiReader -i "$PCAP" -q
else
	echo "ndpiReader: not installed"
fi

echo
echo "== the pipeline alone on curl-like requests (~100-byte heads)"
rm -f "$PCAP"
"$BUILD/bench/gen_pcap" "$PCAP" "$REQUESTS" small
"$BUILD/bench/pipeline_bench" "$PCAP" 3
