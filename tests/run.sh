#!/usr/bin/env bash
# Runs every test: the unit binary (parsers, matcher, BPF programs in the
# kernel) and each end-to-end script in tests/e2e/. Each prints one line a
# test ("ok NAME", "FAIL NAME: why", "skip NAME: why"); this script adds
# them up and closes with "N passed, N failed, N skipped".
#   tests/run.sh [FILTER]    only tests whose name contains FILTER
set -u
BUILD=${BUILD:-build}
export BUILD
filter=${1:-}
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "note: not root: the kernel and end-to-end tests will be reported as skipped"
fi

"$BUILD/tests/unit_tests" "$filter" 2>&1 | tee -a "$log"
for t in "$here"/e2e/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in lib) continue ;; esac
	case "$name" in *"$filter"*) ;; *) [ -n "$filter" ] && continue ;; esac
	if [ "$(id -u)" != 0 ]; then
		echo "skip e2e/$name: needs root for network namespaces" | tee -a "$log"
		continue
	fi
	timeout 600 bash "$t" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || echo "FAIL e2e/$name: script exited $rc" | tee -a "$log"
done

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^skip ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
