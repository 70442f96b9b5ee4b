#!/usr/bin/env bash
# Golden captures (tests/pcap/CASE/, suricata-verify's shape) replayed with
# --pcap: capture.pcap (recorded by tests/pcap/record.sh from real traffic),
# rules, optional args (more options, one line), expected.jsonl (exact).
#   UPDATE=1 bash tests/e2e/pcap_replay.sh    rewrite expected.jsonl (review the diff!)
set -u
. "$(dirname "$0")/lib.sh"
DAEMON="$BUILD/url-enforcer"
[ -x "$DAEMON" ] || { fail setup "$DAEMON not built"; exit 1; }
export TZ=UTC        # time= windows read the capture's time as local time

for dir in "$TOP"/tests/pcap/*/; do
	name=$(basename "$dir")
	[ -f "$dir/capture.pcap" ] || continue
	args=()
	[ -f "$dir/args" ] && read -r -a args < "$dir/args"
	# from the case's folder, so that "rule" reads "rules:LINE"
	if ! (cd "$dir" && exec "$DAEMON" --pcap capture.pcap -p rules "${args[@]}") \
		>"$TMP/$name.jsonl" 2>"$TMP/$name.err"; then
		fail "$name" "exit status $?: $(tail -2 "$TMP/$name.err" | tr '\n' ' ')"
		continue
	fi
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$TMP/$name.jsonl" "$dir/expected.jsonl"
		ok "$name (expected.jsonl rewritten)"
	elif diff -u "$dir/expected.jsonl" "$TMP/$name.jsonl" >"$TMP/$name.diff"; then
		ok "$name"
	else
		fail "$name" "$(head -12 "$TMP/$name.diff" | tr '\n' ' ')"
	fi
done
exit "$FAILED"
