#!/usr/bin/env bash
# Runs every test: the unit binary (parsers, matcher, BPF programs in the
# kernel) and each end-to-end script in tests/e2e/. Each prints one line a
# test ("ok NAME", "FAIL NAME: why", "skip NAME: why"); this script adds
# them up and closes with "N passed, N failed, N skipped".
#   tests/run.sh [FILTER]    only tests whose name contains FILTER
# Besides the tests' own FAIL lines, a step fails when it cannot hide it:
#   - the unit binary exits non-zero without a FAIL line, dies of a signal,
#     or stops before its closing line;
#   - an e2e script exits non-zero (or runs out of its 600 s);
#   - any process a step started reports a sanitizer error (ASan, UBSan,
#     LeakSanitizer): ASAN_OPTIONS/UBSAN_OPTIONS send every report to a file
#     here, whoever started the process and wherever its stderr went.
# E2E_DIR (default tests/e2e) is where the scripts are: e2e/runner.sh
# points it at scripts of its own to see this runner catch a crash.
set -u
BUILD=${BUILD:-build}
export BUILD
filter=${1:-}
here=$(cd "$(dirname "$0")" && pwd)
E2E_DIR=${E2E_DIR:-$here/e2e}
log=$(mktemp)
step_out=$(mktemp)
reports=$(mktemp -d)
trap 'rm -rf "$log" "$step_out" "$reports"' EXIT
# a daemon that dropped its privileges must still be able to write its report
chmod 1777 "$reports"
# (last: a later flag overrides an earlier one, e.g. a calling runner's)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$reports/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$reports/ubsan"

root=0
if [ "$(id -u)" = 0 ]; then
	root=1
else
	echo "note: not root: the kernel and end-to-end tests will be reported as skipped"
fi

say() { echo "$*" | tee -a "$log"; }

# sanitizer_reports NAME: a FAIL line (and the report) for each report that
# a process of step NAME wrote, to a file or to the step's output
sanitizer_reports() {
	local f
	for f in "$reports"/*; do
		[ -e "$f" ] || continue
		sed 's/^/  | /' "$f"
		say "FAIL $1: sanitizer report from pid ${f##*.}: $(grep -m1 -E 'ERROR:|runtime error' "$f")"
		rm -f "$f"
	done
	if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|^[^ ]+:[0-9]+:[0-9]+: runtime error:' "$step_out"; then
		say "FAIL $1: sanitizer report in its output: $(grep -m1 -E 'Sanitizer|runtime error:' "$step_out")"
	fi
}

# exit_status RC: the signal name for a death by signal, else "exited RC"
exit_status() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "killed by SIG$(kill -l $(($1 - 128)))"
	else
		echo "exited $1"
	fi
}

# --- the unit binary
if [ -x "$BUILD/tests/unit_tests" ]; then
	"$BUILD/tests/unit_tests" "$filter" 2>&1 | tee "$step_out"
	rc=${PIPESTATUS[0]}
	cat "$step_out" >> "$log"
	if [ "$rc" -gt 128 ]; then
		say "FAIL unit: $(exit_status "$rc") after $(grep -cE '^(ok|FAIL|skip) ' "$step_out") tests"
	elif ! grep -q '^unit: [0-9]* passed' "$step_out"; then
		say "FAIL unit: $(exit_status "$rc") before its closing line"
	elif [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$step_out"; then
		say "FAIL unit: $(exit_status "$rc") without a failed test"
	fi
	sanitizer_reports unit
else
	say "FAIL unit: $BUILD/tests/unit_tests not built (make $BUILD/tests/unit_tests)"
fi

# --- the end-to-end scripts
for t in "$E2E_DIR"/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in lib) continue ;; esac
	case "$name" in *"$filter"*) ;; *) [ -n "$filter" ] && continue ;; esac
	if [ "$root" = 0 ]; then
		say "skip e2e/$name: needs root for network namespaces"
		continue
	fi
	timeout 600 bash "$t" 2>&1 | tee "$step_out"
	rc=${PIPESTATUS[0]}
	cat "$step_out" >> "$log"
	case "$rc" in
	0) ;;
	124) say "FAIL e2e/$name: timed out after 600 s" ;;
	*) say "FAIL e2e/$name: script $(exit_status "$rc")" ;;
	esac
	sanitizer_reports "e2e/$name"
done

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^skip ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
