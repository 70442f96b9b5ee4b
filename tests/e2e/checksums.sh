#!/usr/bin/env bash
# --checksums on recorded captures (tests/pcap/record.sh): with offload
# left on, every segment's checksum is wrong yet the conversation goes on;
# auto (the default) sees it, trusts those senders and says so once, none
# trusts everything, verify decides nothing. A decoy with a wrong checksum
# followed by the real request proves no offload: auto ignores it as
# verify does.
source "$(dirname "$0")/lib.sh"
DAEMON="$BUILD/url-enforcer"
export TZ=UTC

# replay CASE MODE: the decisions on stdout (and a failed exit said there,
# so no comparison passes), stderr into $TMP/CASE-MODE.err
replay() {
	local args=()
	[ -f "$TOP/tests/pcap/$1/args" ] && read -r -a args < "$TOP/tests/pcap/$1/args"
	(cd "$TOP/tests/pcap/$1" && exec "$DAEMON" --pcap capture.pcap -p rules "${args[@]}" \
		--checksums "$2") 2>"$TMP/$1-$2.err" || echo "exit status $?"
}

expected=$TOP/tests/pcap/offload/expected.jsonl
check offload_expected_has_decisions test "$(wc -l < "$expected")" = 2
check offload_auto_decides sh -c "[ \"\$(cat '$expected')\" = '$(replay offload auto)' ]"
check offload_auto_says_so_once test "$(grep -c 'trusting the TCP checksums of 10.77.1.2' \
	"$TMP/offload-auto.err")" = 1
check offload_none_decides sh -c "[ \"\$(cat '$expected')\" = '$(replay offload none)' ]"
check offload_verify_decides_nothing test -z "$(replay offload verify)"
check offload_verify_says_why grep -q 'segments with a wrong TCP checksum were ignored' \
	"$TMP/offload-verify.err"

expected=$TOP/tests/pcap/decoy-checksum/expected.jsonl
check decoy_expected_is_the_real_request sh -c "grep -q '\"target\":\"/blocked\".*\"action\":\"block\"' '$expected' &&
	test \$(wc -l < '$expected') = 1"
check decoy_auto_as_verify sh -c "[ '$(replay decoy-checksum auto)' = '$(replay decoy-checksum verify)' ]"
check decoy_auto_trusts_no_one sh -c "! grep -q trusting '$TMP/decoy-checksum-auto.err' &&
	grep -q '1 segments with a wrong TCP checksum were ignored' '$TMP/decoy-checksum-auto.err'"
exit "$FAILED"
